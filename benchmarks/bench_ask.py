"""ask() latency in process, beside a bare model.encode(question) in the same run.

Goal (issue 2): ask p50 within 1.5x of the bare encode.
"""

from __future__ import annotations

import itertools

from _common import QUESTIONS, pct, scratch_settings, summary, timed

from assistant.pipeline import Assistant


def main() -> None:
    settings, _ = scratch_settings()
    bot = Assistant.load(settings)  # the configured backend (ONNX by default)
    torch_bot = Assistant.load(settings.replace(embed_backend="torch"))
    two_bot = Assistant.load(settings.replace(embed_threads=2))  # faster alone, slower under load
    model = torch_bot.embedder._model  # the reference sentence-transformers model
    for q in QUESTIONS:  # warm up both paths
        bot.ask(q)
        two_bot.ask(q)
        model.encode(q)
    cycle = itertools.cycle(QUESTIONS)
    n = 400
    encode = timed(lambda: model.encode(next(cycle), normalize_embeddings=True), n)
    ask = timed(lambda: bot.ask(next(cycle)), n)
    ask_torch = timed(lambda: torch_bot.ask(next(cycle)), n)
    ask_two = timed(lambda: two_bot.ask(next(cycle)), n)
    print(f"ask() latency over {n} calls, {len(QUESTIONS)} questions cycled (backend: {settings.model.embed_backend})")
    print(summary("baseline: bare st model.encode(q)", encode))
    print(summary("ask(q), torch backend", ask_torch))
    print(summary(f"ask(q), {settings.model.embed_backend} backend", ask))
    print(summary(f"ask(q), {settings.model.embed_backend}, embed_threads=2", ask_two))
    print(f"ratio p50 ask(torch)/encode: {pct(ask_torch, 50) / pct(encode, 50):.2f}x (issue 2 goal <= 1.5x)")
    print(f"ratio p50 ask({settings.model.embed_backend})/encode: {pct(ask, 50) / pct(encode, 50):.2f}x (issue 7 goal <= 0.5x)")
    print(f"ratio p50 ask({settings.model.embed_backend}, embed_threads=2)/encode: {pct(ask_two, 50) / pct(encode, 50):.2f}x")


if __name__ == "__main__":
    main()
