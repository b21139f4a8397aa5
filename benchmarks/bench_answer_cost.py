"""What issue 13's answer changes cost per question: ask() now against ask() with those changes
switched off (`evaluate.BEFORE_ISSUE_13`), same process, same index, alternating question by question.

    python bench_answer_cost.py                               # visitor-style dev questions
    python bench_answer_cost.py ../evals/dev.jsonl            # any question sets

As in a real chat, a question's earlier turns are asked (and triaged) before it is timed. Goal
(issue 13): p50 within 1.2x.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

from _common import REPO, repo_settings

from assistant.evaluate import BEFORE_ISSUE_13
from assistant.pipeline import Assistant


def main(paths: list[str]) -> None:
    bot = Assistant.load(repo_settings())
    before = Assistant(bot.settings.replace(**BEFORE_ISSUE_13), bot.embedder, bot.live)
    rows = [json.loads(line) for p in paths for line in Path(p).read_text(encoding="utf-8").splitlines() if line.strip()]

    def run(b: Assistant, r: dict) -> float:
        hist = r.get("history") or []
        for i, h in enumerate(hist):
            b.ask(h, hist[:i])
        t = time.perf_counter()
        b.ask(r["question"], hist)
        return (time.perf_counter() - t) * 1000

    for r in rows[:20]:  # warm both
        run(bot, r), run(before, r)
    now: list[float] = []
    old: list[float] = []
    for i, r in enumerate(rows):  # alternate who goes first
        if i % 2:
            now.append(run(bot, r)), old.append(run(before, r))
        else:
            old.append(run(before, r)), now.append(run(bot, r))

    def p95(x: list[float]) -> float:
        return statistics.quantiles(x, n=100)[94]

    print(f"{len(rows)} questions from {', '.join(p.split('/')[-1] for p in paths)}")
    print(f"ask() now        p50 {statistics.median(now):6.2f} ms  p95 {p95(now):6.2f} ms")
    print(f"ask() before #13 p50 {statistics.median(old):6.2f} ms  p95 {p95(old):6.2f} ms")
    print(f"ratio            p50 {statistics.median(now) / statistics.median(old):.2f}x      "
          f"p95 {p95(now) / p95(old):.2f}x   (goal: p50 <= 1.2x)")


if __name__ == "__main__":
    main(sys.argv[1:] or [str(REPO / "evals" / "dev_visitors.jsonl"), str(REPO / "evals" / "dev_visitors2.jsonl")])
