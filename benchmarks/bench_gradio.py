"""The real visitor path: the Gradio chat endpoint under many visitors, beside two baselines
served in the same run.

    python bench_gradio.py                                   # N = 50, 150, 300 x 30 s, then saturation
    python bench_gradio.py --levels 50 --seconds 10 --saturation-seconds 10    # quick

Servers (each a subprocess on loopback, all up for the whole run; loads take turns):
- echo:    a default `gr.ChatInterface` that echoes (the framework's floor; ref_apps.py);
- shape:   an echo built like this project's chat: history in and out each turn (ref_apps.py);
- obvious: sentence-transformers + flat FAISS over 1000-char windows + default `gr.ChatInterface`;
- project: `massage-assistant serve` on a scratch copy of the corpus and index.

Each visitor arrives after an exponential think time (mean 2 s), starts a new session (fresh
session_hash), asks 1-3 questions with think times between, and leaves (_visitors.py). The
saturation run has the visitors ask back to back. Each line gives answers/s, p50/p95/p99 of one
turn (POST /gradio_api/call/chat until the `complete` event), errors by kind, the server's RSS
after the load and its CPU (in all, and its busiest thread's, the event loop, an answer; and how
many threads ran), and the load generator's own CPU (one asyncio process: above ~80% of
a core, it would be the bottleneck and the line says so). The server's CPU per answer is the
figure that least depends on what else runs on the machine. Rate limiting is off for the project
(every visitor is the same loopback address).

The load generator shares the cores with the servers: figures are a floor for a dedicated
server, and only rows of the same run compare. Goals (issue 16) at 150 visitors: zero errors,
p95 <= 2x echo's, answers/s >= 0.9x echo's, RSS <= echo's + 80 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from _common import REPO, free_port, pct
from _visitors import Server, run, visitors

HERE = Path(__file__).resolve().parent


def scratch_project(root: Path) -> tuple[Path, Path]:
    """A copy of the corpus and a freshly built index (reusing the repo's ONNX export)."""
    root.mkdir(parents=True, exist_ok=True)
    corpus = shutil.copytree(REPO / "corpus", root / "corpus")
    index = root / "index"
    if (REPO / "index" / "onnx").is_dir():
        shutil.copytree(REPO / "index" / "onnx", index / "onnx")
    import subprocess

    subprocess.run([sys.executable, "-m", "assistant", "build", "--corpus", str(corpus), "--index", str(index)],
                   check=True, capture_output=True, cwd=root)
    return Path(corpus), index


def start_servers(names: list[str], root: Path, project_env: dict[str, str] | None = None,
                  all_env: dict[str, str] | None = None,
                  variants: dict[str, dict[str, str]] | None = None,
                  stage_logs: bool = False) -> dict[str, tuple[Server, str]]:
    """Each server and the shape of its chat call ("message": ChatInterface, "history": Chatbot in/out).
    `project_env`: extra environment for the server named "project+env" (to try a setting);
    `variants`: more project servers by name, each with its own extra environment."""
    out: dict[str, tuple[Server, str]] = {}
    extra = {"project+env": project_env or {}, **(variants or {})}
    for name in names:
        port = free_port()
        if name.startswith("project"):
            corpus, index = scratch_project(root / name)
            env = {"MASSAGE_RATE_LIMIT_PER_MINUTE": "0", "MASSAGE_GAP_LOG_PATH": str(root / name / "gaps.sqlite3"),
                   **(all_env or {}), **extra.get(name, {})}
            if stage_logs:  # the edge's own stage timings (assistant/edge.py StageLog)
                env["MASSAGE_STAGE_LOG"] = str(root / name / "stages.jsonl")
            cmd = [sys.executable, "-m", "assistant", "serve", "--no-watch", "--port", str(port),
                   "--corpus", str(corpus), "--index", str(index)]
            out[name] = (Server(name, cmd, port, env=env, cwd=root / name, ready_path="/healthz"), "history")
        else:
            cmd = [sys.executable, str(HERE / "ref_apps.py"), name, "--port", str(port), "--corpus", str(REPO / "corpus")]
            out[name] = (Server(name, cmd, port, env=all_env, cwd=root), "message" if name != "shape" else "history")
    return out


def env_pairs(pairs: list[str]) -> dict[str, str]:
    out = dict(p.split("=", 1) for p in pairs)
    if out:
        print(f"project server environment: {out}")
    return out


def thread_cpu(server: Server) -> dict[str, float]:
    """CPU seconds of each of the server's threads so far."""
    out = {}
    task = Path(f"/proc/{server.proc.pid}/task")
    for tid in os.listdir(task):
        try:
            fields = (task / tid / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the thread ended meanwhile
        out[tid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return out


def threads_line(before: dict[str, float], after: dict[str, float], answers: int) -> str:
    """The busiest thread's CPU an answer (the event loop: what every turn waits for) and how many
    threads ran at all (each thread hop that found no idle thread made one)."""
    used = sorted((after[t] - before.get(t, 0.0) for t in after), reverse=True)
    ran = sum(1 for u in used if u > 0)
    return f"  loop {used[0] * 1000 / max(1, answers):4.1f} ms/answer, {ran} threads ran" if used else ""


def stages(server_root: Path) -> str:
    """The edge's stage timings since the last call (then cleared): p50/p95 ms of each stage."""
    from assistant.edge import STAGES

    path = server_root / "stages.jsonl"
    if not path.is_file():
        return "            (no stage timings yet: they are written in batches of 50)"
    rows = [json.loads(x) for x in path.read_text().splitlines() if x.strip()]
    path.unlink()
    cols = list(zip(*rows, strict=True))
    parts = [f"{name} {pct(list(c), 50):.1f}/{pct(list(c), 95):.1f}" for name, c in zip(STAGES, cols, strict=True)]
    return f"            edge stages, p50/p95 ms over {len(rows)} turns: " + ", ".join(parts)


def line(label: str, r: dict, server: Server, cpu: float) -> str:
    errs = sum(r["errors"].values())
    warn = "  (LOAD GENERATOR SATURATED)" if r["client_cpu"] > 0.8 else ""
    return (f"{label:<11} {r['answers']:6d} ans {r['per_s']:6.1f}/s  p50 {r['p50']:7.1f}  p95 {r['p95']:7.1f}  "
            f"p99 {r['p99']:7.1f} ms  err {errs:4d}  RSS {server.rss_mb():4d} MB  server CPU {cpu:4.0%} "
            f"({cpu * r['wall'] * 1000 / max(1, r['answers']):5.1f} ms/answer)  "
            f"client CPU {r['client_cpu']:4.0%}  req {r['bytes_sent']:5.0f} B  ans {r['bytes_answer']:5.0f} B{warn}"
            + (f"  {r['errors']}" if errs else ""))


def phases(port: int) -> str:
    """Gradio's per-event phase timings since the last call (then cleared)."""
    import json
    import urllib.request

    base = f"http://127.0.0.1:{port}/gradio_api/profiling/"
    try:
        summary = json.load(urllib.request.urlopen(base + "summary", timeout=10))
        urllib.request.urlopen(urllib.request.Request(base + "clear", data=b"", method="POST"), timeout=10).read()
    except OSError as exc:
        return f"            (no phase timings: {exc})"
    parts = [f"{k} {v['p50']:.1f}/{v['p95']:.1f}" for k, v in summary.get("phases", {}).items() if v["p95"] > 0]
    return f"            Gradio phases, p50/p95 ms over {summary.get('count', 0)} events: " + ", ".join(parts)


def warm(port: int, kind: str) -> None:
    run(visitors(port, kind, 1, 3.0, 0.0, turns=(3, 3), seed=99))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--levels", default="50,150,300",
                    help="visitor counts with think time; repeat one (150,150,150) for interleaved rounds")
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--think", type=float, default=2.0, help="mean think time, s")
    ap.add_argument("--saturation", type=int, default=32, help="visitors asking back to back (0: skip)")
    ap.add_argument("--saturation-seconds", type=float, default=20)
    ap.add_argument("--apps", default="echo,shape,obvious,project")
    ap.add_argument("--project-env", action="append", default=[], metavar="NAME=VALUE",
                    help="also serve the project with this environment ('project+env'), to try a setting "
                         "beside the default in the same run, e.g. GRADIO_ANALYTICS_MAX_EVENTS=100")
    ap.add_argument("--variant", action="append", default=[], metavar="NAME=VALUE[,NAME=VALUE]",
                    help="one more project server per use ('project+1', 'project+2', ...) with this environment, "
                         "to compare several settings in one run")
    ap.add_argument("--phases", action="store_true",
                    help="Gradio's own per-event timings (GRADIO_PROFILING=1): queue wait, preprocess, "
                         "function, postprocess; the rest of a turn's latency is HTTP, the event stream and the loop. "
                         "For the project also the edge's stages (MASSAGE_STAGE_LOG): admitted, waiting for a turn "
                         "(ask_workers), the hop into the worker thread, ask() itself, the hop back")
    args = ap.parse_args()
    names = args.apps.split(",")
    if args.project_env and "project" in names:
        names.append("project+env")
    variants = {f"project+{i}": env_pairs(v.split(",")) for i, v in enumerate(args.variant, start=1)}
    if "project" in names:
        names += list(variants)
    root = Path(tempfile.mkdtemp(prefix="bench-gradio-"))
    servers = start_servers(names, root, env_pairs(args.project_env), {"GRADIO_PROFILING": "1"} if args.phases else None,
                            variants, stage_logs=args.phases)
    results: dict[tuple[str, str], dict] = {}
    rss: dict[tuple[str, str], int] = {}
    try:
        for srv, kind in servers.values():
            warm(srv.port, kind)
        print("idle RSS after warm-up: " + ", ".join(f"{n} {s.rss_mb()} MB" for n, (s, _) in servers.items()))
        levels = [int(n) for n in args.levels.split(",")]
        plan = [(f"{n} visitors, think {args.think:g} s, {args.seconds:g} s"
                 + (f" (round {levels[:i + 1].count(n)})" if levels.count(n) > 1 else ""), n, args.think, args.seconds)
                for i, n in enumerate(levels)]
        if args.saturation:
            plan.append((f"saturation: {args.saturation} visitors back to back, {args.saturation_seconds:g} s",
                         args.saturation, 0.0, args.saturation_seconds))
        for title, n, think, seconds in plan:
            print(f"\n{title}")
            for name, (srv, kind) in servers.items():
                cpu0, threads0 = srv.cpu_seconds(), thread_cpu(srv)
                r = run(visitors(srv.port, kind, n, seconds, think, seed=n))
                cpu = (srv.cpu_seconds() - cpu0) / r["wall"]
                results[(title, name)] = r
                rss[(title, name)] = srv.rss_mb()
                print(line(name, r, srv, cpu) + threads_line(threads0, thread_cpu(srv), r["answers"]), flush=True)
                if args.phases:
                    print(phases(srv.port), flush=True)
                    if name.startswith("project"):
                        print(stages(root / name), flush=True)
                time.sleep(1)
        goals(plan, results, rss)
        print("\npeak RSS: " + ", ".join(f"{n} {s.peak_mb()} MB" for n, (s, _) in servers.items()))
    finally:
        for srv, _ in servers.values():
            srv.stop()
        shutil.rmtree(root, ignore_errors=True)


def goals(plan: list, results: dict, rss: dict) -> None:
    # echo is Gradio's default ChatInterface (concurrency 1: it queues at 300 visitors); shape
    # serves two at a time like the project, so it is the fairer floor at high load.
    for base in ("echo", "shape"):
        for who in dict.fromkeys(k[1] for k in results if k[1].startswith("project")):
            if any(k[1] == base for k in results):
                against(who, base, plan, results, rss)


def against(who: str, base: str, plan: list, results: dict, rss: dict) -> None:
    print(f"\n{who} against {base} (same run): throughput ratio, p95 ratio, RSS difference")
    for title, *_ in plan:
        p, e = results.get((title, who)), results.get((title, base))
        if not p or not e:
            continue
        ok150 = ""
        if title.startswith("150 visitors"):
            met = (not p["errors"], p["p95"] <= 2 * e["p95"], p["per_s"] >= 0.9 * e["per_s"],
                   rss[(title, who)] <= rss[(title, base)] + 80)
            ok150 = "   goals (0 errors, p95 <= 2x, >= 0.9x, RSS <= +80 MB): " + " ".join("met" if m else "MISSED" for m in met)
        print(f"{title:<40} {p['per_s'] / max(e['per_s'], 1e-9):5.2f}x  p95 {p['p95'] / e['p95']:5.2f}x  "
              f"RSS {rss[(title, who)] - rss[(title, base)]:+5d} MB  errors {sum(p['errors'].values())}{ok150}")


if __name__ == "__main__":
    main()
