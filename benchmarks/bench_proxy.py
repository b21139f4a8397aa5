"""Answers per second and latency through nginx (TLS) with 1 and 3 replicas, in one run.

The deployment of docs/deploy.md on loopback: one `massage-assistant build`, replicas started
with `serve --read-only-index`, nginx running deploy/nginx/massage-assistant.conf (rendered by
deploy/nginx_site.py) over TLS with a certificate made here. Visitors, each from its own
loopback address (127.0.0.x, so nginx's address-hash affinity spreads them), each with one
keep-alive TLS connection, ask POST /api/ask, wait for the whole answer, then think for an
exponential random time (mean --think seconds) and ask again. Open for --seconds per setup.

Same-run baseline: one replica without the proxy (plain HTTP), the same visitors.
Also shown: the CPU the visitor generator itself used (it shares the machine's cores with the
servers), and the CPU of the replicas and of nginx.

    python bench_proxy.py                          # 120 visitors, think 0.5 s, 30 s per setup
    python bench_proxy.py --visitors 60 --think 1 --seconds 20

Rate limits are raised for the run (the app's per-visitor limit and nginx's question zone):
this measures serving capacity, not the limits.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import shutil
import signal
import ssl
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from _common import QUESTIONS, REPO, free_port, pct, scratch_settings

sys.path.insert(0, str(REPO / "deploy"))
import nginx_site  # noqa: E402

# uvicorn closes a keep-alive connection idle for 5 s (nginx: 75 s); a visitor who thought longer
# reconnects first instead of racing the close.
IDLE_CLOSE = 4.0


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start_replica(settings, root: Path, i: int) -> tuple[subprocess.Popen, int]:
    port = free_port()
    env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False", "HF_HUB_OFFLINE": "1",
           "MASSAGE_RATE_LIMIT_PER_MINUTE": "0", "MASSAGE_TRUSTED_PROXIES": "127.0.0.1",
           "MASSAGE_GAP_LOG_PATH": str(root / f"gaps{i}.sqlite3")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "assistant", "serve", "--read-only-index", "--no-watch", "--host", "127.0.0.1",
         "--port", str(port), "--corpus", str(settings.paths.corpus_dir), "--index", str(settings.paths.index_dir)],
        stdout=subprocess.DEVNULL, stderr=open(root / f"replica{i}.log", "wb"), env=env, cwd=root)  # noqa: SIM115
    return proc, port


def wait_ready(url: str, procs: list[subprocess.Popen], ctx: ssl.SSLContext | None = None) -> None:
    deadline = time.time() + 240
    while time.time() < deadline:
        if any(p.poll() is not None for p in procs):
            raise SystemExit("a server exited while starting (see the logs in the scratch dir)")
        try:
            urllib.request.urlopen(url, timeout=2, context=ctx)
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not come up")


def start_nginx(root: Path, replicas: list[int], cert: Path, key: Path) -> tuple[subprocess.Popen, int]:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    port = free_port()
    d = root / f"nginx-{len(replicas)}"
    d.mkdir()
    (d / "site.conf").write_text(nginx_site.render(
        server_name="localhost", replicas=[f"127.0.0.1:{p}" for p in replicas], cert=str(cert), key=str(key),
        https_listen=[f"127.0.0.1:{port}"], http_listen=[f"127.0.0.1:{free_port()}"],
        access_log=str(d / "access.log"), error_log=str(d / "error.log"), question_rate="1000r/s"))
    temp = "".join(f"    {k}_temp_path {d / k};\n" for k in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    user = "user root root;\n" if os.geteuid() == 0 else ""
    (d / "nginx.conf").write_text(
        f"{user}worker_processes 1;\ndaemon off;\npid {d / 'nginx.pid'};\nerror_log {d / 'main-error.log'} warn;\n"
        "events { worker_connections 4096; }\n"
        f"http {{\n    include /etc/nginx/mime.types;\n{temp}    include {d / 'site.conf'};\n}}\n")
    proc = subprocess.Popen([nginx, "-c", str(d / "nginx.conf"), "-p", str(d)], stderr=open(d / "stderr.log", "wb"))  # noqa: SIM115
    return proc, port


async def one(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, body: bytes) -> tuple[int, bytes]:
    writer.write(b"POST /api/ask HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                 b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = next(int(line.split(b":")[1]) for line in head.lower().split(b"\r\n") if line.startswith(b"content-length:"))
    return status, await reader.readexactly(length)


async def run_load(port: int, ctx: ssl.SSLContext | None, visitors: int, think: float, seconds: float) -> dict:
    """Closed loop with think time; counts only turns that start after a 3 s warm-up."""
    lat: list[float] = []
    errors: dict[str, int] = {}
    bodies = [json.dumps({"question": q}).encode() for q in QUESTIONS]
    start = time.perf_counter()
    warm, deadline = start + 3, start + 3 + seconds

    async def connect(i: int):
        return await asyncio.open_connection("127.0.0.1", port, ssl=ctx, local_addr=(f"127.0.{1 + i // 250}.{2 + i % 250}", 0),
                                             server_hostname="localhost" if ctx else None)

    async def visitor(i: int) -> None:
        rng = random.Random(i)
        await asyncio.sleep(rng.uniform(0, think))  # arrivals spread over the first think time
        reader, writer = await connect(i)
        last = time.perf_counter()
        while time.perf_counter() < deadline:
            if time.perf_counter() - last > IDLE_CLOSE:  # the server closes idle connections: open anew, as browsers do
                writer.close()
                reader, writer = await connect(i)
            t = time.perf_counter()
            problem = None
            try:
                status, data = await asyncio.wait_for(one(reader, writer, bodies[rng.randrange(len(bodies))]), 30)
                reply = json.loads(data)
                if status != 200 or reply.get("status") == "error" or not reply.get("notice"):
                    problem = f"HTTP {status} {reply.get('reason', '')}".strip()
            except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError) as exc:
                problem = type(exc).__name__
                writer.close()
                reader, writer = await connect(i)
            last = time.perf_counter()
            if t >= warm:
                if problem:
                    errors[problem] = errors.get(problem, 0) + 1
                else:
                    lat.append((time.perf_counter() - t) * 1000)
            await asyncio.sleep(rng.expovariate(1 / think) if think > 0 else 0)
        writer.close()

    await asyncio.gather(*(visitor(i) for i in range(visitors)))
    elapsed = time.perf_counter() - warm
    return {"answers": len(lat), "per_s": len(lat) / elapsed, "p50": pct(lat, 50), "p95": pct(lat, 95),
            "p99": pct(lat, 99), "errors": errors, "elapsed": elapsed}


def measure(label: str, port: int, ctx: ssl.SSLContext | None, servers: list[subprocess.Popen], args) -> str:
    before = {p.pid: cpu_seconds(p.pid) for p in servers}
    ru0 = resource.getrusage(resource.RUSAGE_SELF)
    t0 = time.perf_counter()
    r = asyncio.run(run_load(port, ctx, args.visitors, args.think, args.seconds))
    wall = time.perf_counter() - t0
    ru1 = resource.getrusage(resource.RUSAGE_SELF)
    gen = (ru1.ru_utime + ru1.ru_stime - ru0.ru_utime - ru0.ru_stime) / wall
    srv = sum(cpu_seconds(p.pid) - before[p.pid] for p in servers) / wall
    errs = sum(r["errors"].values())
    return (f"{label:<34} {r['per_s']:6.1f} answers/s  p50 {r['p50']:6.1f}  p95 {r['p95']:6.1f}  p99 {r['p99']:6.1f} ms"
            f"  errors {errs} {r['errors'] or ''}  CPU: servers {srv:4.2f}, generator {gen:4.2f} cores")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--visitors", type=int, default=120)
    ap.add_argument("--think", type=float, default=0.5, help="mean think time in seconds (exponential)")
    ap.add_argument("--seconds", type=float, default=30)
    args = ap.parse_args()
    settings, root = scratch_settings()
    subprocess.run([sys.executable, "-m", "assistant", "build", "--corpus", str(settings.paths.corpus_dir),
                    "--index", str(settings.paths.index_dir)], check=True, capture_output=True)
    cert, key = root / "cert.pem", root / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
                   check=True, capture_output=True)
    ctx = ssl.create_default_context(cafile=str(cert))
    print(f"{args.visitors} visitors, exponential think time mean {args.think} s, {args.seconds:.0f} s each "
          f"(after 3 s warm-up); offered at most {args.visitors / args.think if args.think else float('inf'):.0f} questions/s; "
          f"{os.cpu_count()} cores shared by servers and generator")
    lines = []
    started: list[subprocess.Popen] = []
    try:
        proc, port = start_replica(settings, root, 0)
        started.append(proc)
        wait_ready(f"http://127.0.0.1:{port}/healthz", [proc])
        lines.append(measure("baseline: 1 replica, no proxy", port, None, [proc], args))
        print(lines[-1], flush=True)
        ngx, nport = start_nginx(root, [port], cert, key)
        started.append(ngx)
        wait_ready(f"https://127.0.0.1:{nport}/healthz", [ngx], ctx)
        lines.append(measure("nginx TLS -> 1 replica", nport, ctx, [proc, ngx], args))
        print(lines[-1], flush=True)
        for p in started:
            p.send_signal(signal.SIGTERM)
            p.wait(20)
        started.clear()
        replicas = [start_replica(settings, root, i) for i in range(1, 4)]
        started.extend(p for p, _ in replicas)
        for p, port in replicas:
            wait_ready(f"http://127.0.0.1:{port}/healthz", [p])
        ngx, nport = start_nginx(root, [port for _, port in replicas], cert, key)
        started.append(ngx)
        wait_ready(f"https://127.0.0.1:{nport}/healthz", [ngx], ctx)
        lines.append(measure("nginx TLS -> 3 replicas", nport, ctx, started, args))
        print(lines[-1], flush=True)
    finally:
        for p in started:
            if p.poll() is None:
                p.terminate()
                p.wait(20)
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
