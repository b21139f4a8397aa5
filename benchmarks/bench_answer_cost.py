"""What issue 13's answer changes cost per question: ask() now against ask() with those changes
switched off (`evaluate.BEFORE_ISSUE_13`), same process, same index, alternating question by question.

    python bench_answer_cost.py                               # visitor-style dev questions
    python bench_answer_cost.py ../evals/dev.jsonl            # any question sets
    python bench_answer_cost.py --base-rev 4e330b3 [--files answer.py,query.py] [sets]

`--base-rev`: the baseline is instead today's package with the named files (default: answer.py,
query.py, retrieve.py, pipeline.py) as they were at that revision, imported as a second package (`assistant_base`) in the
same process and timed in alternation with the current one: what the latest changes cost.

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


def base_package(rev: str, files: list[str]) -> object:
    """Today's `assistant` package with `files` as at git revision `rev`, importable as
    `assistant_base` (its imports are relative, so it loads beside the current one)."""
    import importlib
    import shutil
    import subprocess
    import tempfile

    root = Path(tempfile.mkdtemp(prefix="bench_base_"))
    shutil.copytree(REPO / "assistant", root / "assistant_base", ignore=shutil.ignore_patterns("__pycache__"))
    for f in files:
        old = subprocess.run(["git", "-C", str(REPO), "show", f"{rev}:assistant/{f}"], check=True,
                             capture_output=True, text=True).stdout
        (root / "assistant_base" / f).write_text(old, encoding="utf-8")
    sys.path.insert(0, str(root))
    importlib.import_module("assistant_base.pipeline")
    return importlib.import_module("assistant_base")


def main(paths: list[str], base_rev: str | None = None, files: list[str] | None = None) -> None:
    bot = Assistant.load(repo_settings())
    if base_rev:
        pkg = base_package(base_rev, files or ["answer.py", "query.py", "retrieve.py", "pipeline.py"])
        settings = pkg.settings.Settings.of(corpus_dir=bot.settings.paths.corpus_dir,  # type: ignore[attr-defined]
                                            index_dir=bot.settings.paths.index_dir, gap_log_path=None)
        before = pkg.pipeline.Assistant.load(settings, build=False)  # type: ignore[attr-defined]
        label = f"base {base_rev}"
    else:
        before = Assistant(bot.settings.replace(**BEFORE_ISSUE_13), bot.embedder, bot.live)
        label = "before #13"
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
    print(f"ask() {label:<10} p50 {statistics.median(old):6.2f} ms  p95 {p95(old):6.2f} ms")
    print(f"ratio            p50 {statistics.median(now) / statistics.median(old):.2f}x      "
          f"p95 {p95(now) / p95(old):.2f}x   (goal: p50 <= 1.2x)")


if __name__ == "__main__":
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("sets", nargs="*")
    ap.add_argument("--base-rev", help="time against today's package with --files as at this git revision")
    ap.add_argument("--files", help="comma-separated files of assistant/ (default: answer.py,query.py,retrieve.py,pipeline.py)")
    a = ap.parse_args()
    main(a.sets or [str(REPO / "evals" / "dev_visitors.jsonl"), str(REPO / "evals" / "dev_visitors2.jsonl")],
         a.base_rev, a.files.split(",") if a.files else None)
