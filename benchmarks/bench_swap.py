"""Live re-indexing under load: visitors keep asking while documents change and the index is
rebuilt and swapped. Reports answers served, failures (goal: zero) and swap timings, beside the
same loop with no swaps in the same run."""

from __future__ import annotations

import threading
import time

from _common import QUESTIONS, scratch_settings

from assistant.pipeline import Assistant


def visitors(bot: Assistant, seconds: float, during=None) -> tuple[int, int]:
    stop = threading.Event()
    counts = {"ok": 0, "err": 0}

    def loop(i: int) -> None:
        k = i
        while not stop.is_set():
            try:
                bot.ask(QUESTIONS[k % len(QUESTIONS)])
                counts["ok"] += 1
            except Exception:  # noqa: BLE001 - every failure counts
                counts["err"] += 1
            k += 1

    threads = [threading.Thread(target=loop, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    t0 = time.perf_counter()
    if during:
        during()
    while time.perf_counter() - t0 < seconds:
        time.sleep(0.05)
    stop.set()
    for t in threads:
        t.join()
    return counts["ok"], counts["err"]


def main() -> None:
    settings, _ = scratch_settings()
    bot = Assistant.load(settings)
    base_ok, base_err = visitors(bot, 8)
    doc = sorted(settings.paths.corpus_dir.glob("*.md"))[0]
    swaps: list[float] = []

    def edit_and_swap() -> None:
        for i in range(5):
            doc.write_text(doc.read_text() + f"\nAn added sentence number {i} about resting after sessions.\n")
            t = time.perf_counter()
            assert bot.reload()
            swaps.append(time.perf_counter() - t)

    ok, err = visitors(bot, 8, edit_and_swap)
    print(f"baseline: 4 visitors, 8 s, no swaps   answers {base_ok:5d}  failed {base_err}")
    print(f"4 visitors, 8 s, {len(swaps)} rebuild+swaps     answers {ok:5d}  failed {err}")
    print(f"incremental rebuild + swap (1 doc)     mean {sum(swaps) / len(swaps):.2f} s  max {max(swaps):.2f} s")


if __name__ == "__main__":
    main()
