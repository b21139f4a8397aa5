"""ask() latency in process, beside a bare model.encode(question) in the same run.

Goals: ask p50 within 1.5x of the bare encode with the torch backend (issue 2); within 0.5x
with the default (ONNX) backend and default settings (issues 7 and 16).

The four paths are timed in alternating rounds (each round times every path on the same
questions, in a rotating order), so a machine shared with other work slows all of them
alike and the same-run ratios stay meaningful.
"""

from __future__ import annotations

import argparse

from _common import QUESTIONS, pct, scratch_settings, summary, timed

from assistant.pipeline import Assistant


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--calls", type=int, default=400, help="calls per path")
    ap.add_argument("--rounds", type=int, default=10)
    args = ap.parse_args()
    settings, _ = scratch_settings()
    bot = Assistant.load(settings)  # the configured backend (ONNX by default)
    torch_bot = Assistant.load(settings.replace(embed_backend="torch"))
    two_bot = Assistant.load(settings.replace(embed_threads=2))  # faster alone, slower under load
    model = torch_bot.embedder._model  # the reference sentence-transformers model
    for q in QUESTIONS:  # warm up every path
        bot.ask(q)
        two_bot.ask(q)
        torch_bot.ask(q)
        model.encode(q)
    paths = {
        "encode": lambda q: model.encode(q, normalize_embeddings=True),
        "ask": bot.ask,
        "torch": torch_bot.ask,
        "two": two_bot.ask,
    }
    times: dict[str, list[float]] = {k: [] for k in paths}
    per_round = max(1, args.calls // args.rounds)
    for r in range(args.rounds):
        order = list(paths)[r % len(paths):] + list(paths)[: r % len(paths)]
        for name in order:
            qs = iter([QUESTIONS[(r * per_round + i) % len(QUESTIONS)] for i in range(per_round)])
            times[name] += timed(lambda f=paths[name], qs=qs: f(next(qs)), per_round)
    encode, ask, ask_torch, ask_two = times["encode"], times["ask"], times["torch"], times["two"]
    backend = settings.model.embed_backend
    print(f"ask() latency over {len(ask)} calls a path in {args.rounds} alternating rounds, "
          f"{len(QUESTIONS)} questions cycled (backend: {backend})")
    print(summary("baseline: bare st model.encode(q)", encode))
    print(summary("ask(q), torch backend", ask_torch))
    print(summary(f"ask(q), {backend} backend", ask))
    print(summary(f"ask(q), {backend}, embed_threads=2", ask_two))
    print(f"ratio p50 ask(torch)/encode: {pct(ask_torch, 50) / pct(encode, 50):.2f}x (issue 2 goal <= 1.5x)")
    print(f"ratio p50 ask({backend})/encode: {pct(ask, 50) / pct(encode, 50):.2f}x (issue 7/16 goal <= 0.5x)")
    print(f"ratio p50 ask({backend}, embed_threads=2)/encode: {pct(ask_two, 50) / pct(encode, 50):.2f}x")


if __name__ == "__main__":
    main()
