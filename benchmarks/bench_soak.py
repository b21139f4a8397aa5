"""Soak: tens of thousands of chat sessions against a real server; resident memory must level off.

    python bench_soak.py                       # 20,000 sessions on each server
    python bench_soak.py --sessions 2000       # quick

Two servers run side by side in the same run, loaded at the same time: the echo Gradio chat
(ref_apps.py, the framework's floor) and `massage-assistant serve` on a scratch copy of the
corpus and index. Every session is a new visitor: a new connection, a fresh session_hash, 1-3
questions through `POST /gradio_api/call/chat` and its event stream (_visitors.py), asked back
to back by `--visitors` concurrent visitors per server. Rate limiting is off for the project.

Printed: RSS of each server every `--every` sessions with the answers/s of that stretch, then
the slope of RSS over the second half (MB per 1,000 sessions; flat means about 0), the growth
from the end of warm-up (the first quarter) to the end, and the median answers/s of the last
quarter of stretches against the first quarter's (an aging server slows down; both servers
share the cores, so when one finishes first the other speeds up: compare servers, not runs). With `--idle S` the servers then idle S seconds
and RSS is read again (memory held by sessions that should have expired).
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from _visitors import Tally, run, visitors
from bench_gradio import env_pairs, start_servers


def slope(points: list[tuple[int, int]]) -> float:
    """Least-squares MB per 1,000 sessions."""
    n = len(points)
    if n < 2:
        return float("nan")
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    var = sum((x - mx) ** 2 for x, _ in points)
    return 1000 * sum((x - mx) * (y - my) for x, y in points) / var if var else float("nan")


async def soak(servers: dict, sessions: int, every: int, concurrency: int, limit: float) -> dict[str, list]:
    tallies = {name: Tally() for name in servers}
    series: dict[str, list[tuple[int, int, float]]] = {name: [] for name in servers}  # sessions, RSS, answers/s
    marks = {name: (0, 0, time.perf_counter()) for name in servers}  # next mark's base: sessions, answers, time

    async def sample() -> None:
        while True:
            await asyncio.sleep(0.5)
            for name, (srv, _) in servers.items():
                t = tallies[name]
                base_s, base_a, base_t = marks[name]
                if t.sessions >= base_s + every or (t.sessions >= sessions and base_s < sessions):
                    now = time.perf_counter()
                    rate = (len(t.latencies) - base_a) / max(now - base_t, 1e-9)
                    series[name].append((t.sessions, srv.rss_mb(), rate))
                    marks[name] = (t.sessions, len(t.latencies), now)
                    print(f"{name:<11} {t.sessions:7d} sessions  RSS {srv.rss_mb():5d} MB  {rate:6.1f} answers/s  "
                          f"errors {sum(t.errors.values())}", flush=True)

    sampler = asyncio.create_task(sample())
    results = await asyncio.gather(*(
        visitors(srv.port, kind, concurrency, limit, 0.0, seed=i, max_sessions=sessions, tally=tallies[name])
        for i, (name, (srv, kind)) in enumerate(servers.items())))
    await asyncio.sleep(1.0)  # the last marks
    sampler.cancel()
    for name, r in zip(servers, results, strict=True):
        print(f"{name:<8} done: {r['sessions']} sessions, {r['answers']} answers, p50 {r['p50']:.1f} ms, p95 {r['p95']:.1f} ms, "
              f"errors {r['errors'] or 0}, client CPU {r['client_cpu']:.0%}")
    return series


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sessions", type=int, default=20_000, help="sessions per server")
    ap.add_argument("--every", type=int, default=0, help="print RSS every this many sessions (0: sessions/20)")
    ap.add_argument("--visitors", type=int, default=8, help="concurrent visitors per server, back to back")
    ap.add_argument("--limit", type=float, default=3600, help="time limit, s")
    ap.add_argument("--idle", type=float, default=0, help="then idle this long and read RSS again, s")
    ap.add_argument("--apps", default="echo,project")
    ap.add_argument("--project-env", action="append", default=[], metavar="NAME=VALUE",
                    help="also soak the project with this environment ('project+env'), beside the default")
    args = ap.parse_args()
    every = args.every or max(100, args.sessions // 20)
    root = Path(tempfile.mkdtemp(prefix="bench-soak-"))
    names = args.apps.split(",")
    if args.project_env and "project" in names:
        names.append("project+env")
    servers = start_servers(names, root, env_pairs(args.project_env))
    try:
        print("RSS at start: " + ", ".join(f"{n} {s.rss_mb()} MB" for n, (s, _) in servers.items()))
        series = run(soak(servers, args.sessions, every, args.visitors, args.limit))
        print(f"\n{'server':<8} {'start':>6} {'warm':>6} {'end':>6} MB   growth after warm-up   slope (2nd half)   "
              "last/first answers/s")
        for name, pts in series.items():
            if not pts:
                continue
            warm = pts[max(0, len(pts) // 4 - 1)]
            half = [(s, r) for s, r, _ in pts[len(pts) // 2:]]
            rates = [r for _, _, r in pts[:-1]] or [pts[0][2]]
            q = max(1, len(rates) // 4)
            aging = statistics.median(rates[-q:]) / max(statistics.median(rates[:q]), 1e-9)
            print(f"{name:<8} {pts[0][1]:6d} {warm[1]:6d} {pts[-1][1]:6d}      {pts[-1][1] - warm[1]:+5d} MB"
                  f"             {slope(half):+6.2f} MB/1k       {aging:5.2f}x")
        if args.idle:
            time.sleep(args.idle)
            print(f"after {args.idle:g} s idle: " + ", ".join(f"{n} {s.rss_mb()} MB" for n, (s, _) in servers.items()))
    finally:
        for srv, _ in servers.values():
            srv.stop()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
