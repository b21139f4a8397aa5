"""The deploy folder, checked (fast) and run on loopback with the real parts (slow, issue 17).

Fast: the nginx site renders and `nginx -t` accepts it; the systemd units pass
`systemd-analyze verify`; the settings example names every setting a clinic sets and loads;
every `massage-assistant` command in deploy/ parses with the real CLI.

Slow (`test_replicas_behind_nginx`): the same topology as deploy/compose.yaml without Docker.
A real PostgreSQL (initdb in a temp dir), one `massage-assistant build`, 3 replicas
(`serve --read-only-index`, sharing that index, MASSAGE_DATABASE_URL set, trusting only the
proxy's X-Forwarded-For) and nginx running deploy/nginx/massage-assistant.conf rendered onto
loopback ports with a self-signed certificate. Visitors, each from its own loopback address
(127.0.0.x) so address-hash affinity spreads them, ask over TLS through the proxy, half through
POST /api/ask and half through Gradio's call API (two requests that must reach one replica).
Then: one replica is frozen with visitors' questions on it and killed; a new index is
published under load; the gap report is read back from PostgreSQL.

Skipped when nginx or PostgreSQL's binaries are missing, failing instead when
MASSAGE_TEST_REQUIRE_SERVERS=1 (CI). Only loopback addresses; everything started is stopped.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import re
import shlex
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
import tomllib
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
DEPLOY = REPO / "deploy"
REQUIRE_SERVERS = os.environ.get("MASSAGE_TEST_REQUIRE_SERVERS") == "1"
NOTICE_WORDS = "consult your healthcare provider"
QUESTIONS = [
    "Can massage help with the stiffness I get after long drives?",
    "how long does a session last",
    "would a massage help my migranes",
    "does insurance cover medical massage",
    "should i drink water after my massage",
    "what is myofascial release",
    "can massage help sciatica",
    "how often should i get a massage",
]
ANSWER_STATUSES = {"answered", "no_answer", "urgent"}
STAFF_TOKEN = "deploy-test-staff-token-0123456789"


def _missing(what: str) -> None:
    """Skip, or fail when CI requires the real servers."""
    if REQUIRE_SERVERS:
        pytest.fail(f"{what} is required (MASSAGE_TEST_REQUIRE_SERVERS=1) but missing")
    pytest.skip(f"{what} not installed")


def _nginx() -> str:
    found = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), None)
    if not found:
        _missing("nginx (Debian package nginx)")
    return str(found)


def _pg_bin() -> Path:
    from tests.pg import PG_BIN

    if not ((PG_BIN / "initdb").exists() and (PG_BIN / "postgres").exists()):
        _missing(f"PostgreSQL (Debian package postgresql; looked in {PG_BIN})")
    return PG_BIN


def _site_module() -> Any:
    sys.path.insert(0, str(DEPLOY))
    try:
        import nginx_site

        return nginx_site
    finally:
        sys.path.remove(str(DEPLOY))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --------------------------------------------------------------------------------------------
# Fast checks of the files themselves
# --------------------------------------------------------------------------------------------


def _main_conf(prefix: Path, site: Path) -> str:
    """A main nginx.conf that runs without root: pid, logs and temp paths under `prefix`."""
    temp = "".join(f"    {k}_temp_path {prefix / k};\n" for k in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    # As root the workers would drop to `nobody`, who cannot enter the temp dir: stay root there.
    user = "user root root;\n" if os.geteuid() == 0 else ""
    return (f"{user}worker_processes 1;\ndaemon off;\npid {prefix / 'nginx.pid'};\nerror_log {prefix / 'error.log'} warn;\n"
            "events { worker_connections 512; }\n"
            f"http {{\n    include /etc/nginx/mime.types;\n    default_type application/octet-stream;\n{temp}"
            f"    access_log {prefix / 'other-access.log'};\n    include {site};\n}}\n")


def test_nginx_site_renders_and_nginx_accepts_it(tmp_path: Path) -> None:
    nginx = _nginx()
    site = _site_module()
    cert, key = _self_signed(tmp_path)
    (tmp_path / "site.conf").write_text(site.render(
        replicas=["127.0.0.1:1", "127.0.0.1:2"], cert=str(cert), key=str(key), https_listen=["127.0.0.1:1443"],
        http_listen=["127.0.0.1:1080"], access_log=str(tmp_path / "a.log"), error_log=str(tmp_path / "e.log")))
    (tmp_path / "nginx.conf").write_text(_main_conf(tmp_path, tmp_path / "site.conf"))
    out = subprocess.run([nginx, "-t", "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path)],
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    # The shipped file as is, with its defaults, renders too (the renderer matches it exactly).
    text = site.render()
    assert "hash $remote_addr consistent;" in text and text.count("server 127.0.0.1:786") == 3
    with pytest.raises(ValueError):
        site.render(notice='a "quoted" notice')


def test_systemd_units_verify(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if not analyze:
        pytest.skip("systemd-analyze not installed")
    root = tmp_path / "srv"
    (root / ".venv" / "bin").mkdir(parents=True)
    exe = Path(sys.executable).parent / "massage-assistant"
    if not exe.exists():
        pytest.skip("massage-assistant entry point not installed in this environment")
    (root / ".venv" / "bin" / "massage-assistant").symlink_to(exe)
    for unit in (DEPLOY / "systemd").iterdir():
        (tmp_path / unit.name).write_text(unit.read_text().replace("/srv/massage-assistant", str(root)))
    names = ["massage-assistant.service", "massage-assistant@7861.service", "massage-assistant-build.service",
             "massage-assistant-build.path"]
    out = subprocess.run([analyze, "verify", "--man=no", *names], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    # verify exits 0 on unknown keys and bad values, but names them: any line about our files fails.
    ours = [line for line in (out.stdout + out.stderr).splitlines() if "massage-assistant" in line]
    assert out.returncode == 0 and not ours, out.stdout + out.stderr
    replica = (DEPLOY / "systemd" / "massage-assistant@.service").read_text()
    assert "--read-only-index" in replica and "--port %i" in replica


def test_settings_example_names_every_setting_and_loads() -> None:
    from assistant.settings import FIELDS, Settings

    path = DEPLOY / "massage.toml.example"
    data = tomllib.loads(path.read_text())
    keys = {k for table in data.values() for k in table}
    commented = set(re.findall(r"^# (\w+) = ", path.read_text(), re.M))
    # Every setting a clinic sets; calibrated numbers ([tuning]) stay out on purpose.
    wanted = {name for name, f in FIELDS.items() if f.group != "tuning"}
    assert wanted - keys - commented == set(), "settings missing from deploy/massage.toml.example"
    assert not keys & {name for name, f in FIELDS.items() if f.group == "tuning"}
    s = Settings.from_env({"MASSAGE_SETTINGS_FILE": str(path)})
    assert s.web.trusted_proxies == ("127.0.0.1", "::1") and s.web.allowed_origins
    assert "{emergency_number}" not in s.notice_text and NOTICE_WORDS in s.notice_text


def _deploy_commands() -> list[tuple[str, list[str]]]:
    """Every `massage-assistant ...` command line written in deploy/ (units, Dockerfile, compose)."""
    import yaml

    found: list[tuple[str, list[str]]] = []
    for unit in (DEPLOY / "systemd").glob("*.service"):
        for line in unit.read_text().splitlines():
            if line.startswith("ExecStart="):
                argv = shlex.split(line.split("=", 1)[1].replace("%i", "7861"))
                found.append((unit.name, argv))
    for line in (DEPLOY / "Dockerfile").read_text().splitlines():
        if line.startswith("CMD ["):
            found.append(("Dockerfile CMD", json.loads(line[4:])))
        elif m := re.search(r"(?:^RUN |&& )(massage-assistant .*)", line):
            found.append(("Dockerfile RUN", shlex.split(m.group(1))))
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    for name, svc in compose["services"].items():
        if isinstance(svc.get("command"), list) and svc["command"][0] == "massage-assistant":
            found.append((f"compose {name}", svc["command"]))
    return found


def test_deploy_commands_parse_with_the_real_cli() -> None:
    import click

    from assistant.cli import main

    commands = _deploy_commands()
    assert {"massage-assistant.service", "massage-assistant@.service", "Dockerfile CMD", "compose replica1"} <= {n for n, _ in commands}
    for where, argv in commands:
        assert Path(argv[0]).name == "massage-assistant", (where, argv)
        cmd = main.get_command(click.Context(main), argv[1])
        assert cmd is not None, f"{where}: no command {argv[1]!r}"
        try:
            cmd.make_context(argv[1], list(argv[2:]))
        except click.UsageError as exc:
            pytest.fail(f"{where}: {' '.join(argv)}: {exc.format_message()}")


# --------------------------------------------------------------------------------------------
# The real thing on loopback
# --------------------------------------------------------------------------------------------


def _self_signed(d: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and localhost, made here (openssl CLI, else `cryptography`)."""
    cert, key = d / "cert.pem", d / "key.pem"
    openssl = shutil.which("openssl")
    if openssl:
        subprocess.run([openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                        "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
                       check=True, capture_output=True, timeout=60)
        return cert, key
    try:
        import datetime
        import ipaddress

        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID
    except ImportError:
        _missing("openssl (or the cryptography package)")
    pk = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    crt = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(pk.public_key())
           .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(hours=1))
           .not_valid_after(now + datetime.timedelta(days=2))
           .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
           .sign(pk, hashes.SHA256()))
    cert.write_bytes(crt.public_bytes(serialization.Encoding.PEM))
    key.write_bytes(pk.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return cert, key


def _wait(what: str, check: Any, timeout: float, proc: subprocess.Popen | None = None, log: Path | None = None) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            tail = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
            raise AssertionError(f"{what}: the process exited with {proc.returncode}\n{tail}")
        with contextlib.suppress(Exception):
            value = check()
            if value:
                return value
        time.sleep(0.2)
    tail = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
    raise AssertionError(f"{what}: not ready after {timeout:.0f} s\n{tail}")


def _stop(proc: subprocess.Popen, sig: int = signal.SIGTERM, timeout: float = 20) -> None:
    if proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


@contextlib.contextmanager
def postgres() -> Iterator[str]:
    """A real PostgreSQL (tests/pg.py: Debian's package, temp dir, loopback); yields a database URL."""
    from tests.pg import PostgresUnavailable, start_postgres

    try:
        server = start_postgres()
    except PostgresUnavailable as exc:
        _missing(f"PostgreSQL ({exc})")
    with server:
        yield server.create_database("massage_deploy")


@dataclass
class Replica:
    port: int
    log: Path
    proc: subprocess.Popen | None = None

    @property
    def addr(self) -> str:
        return f"127.0.0.1:{self.port}"


@dataclass
class Turn:
    visitor: str  # source address
    kind: str  # "api" | "gradio"
    t0: float
    t1: float
    outcome: str  # "answer" | "retry" (a clear retry reply with the notice) | "interrupted" | "bad"
    status: str = ""
    detail: str = ""


class Stack:
    """Processes, and the paths of the one deployment under test."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.procs: list[subprocess.Popen] = []
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("MASSAGE_") or k.startswith("MASSAGE_TEST_")}
        self.env.update(HF_HUB_OFFLINE="1", HF_HUB_DISABLE_PROGRESS_BARS="1", GRADIO_ANALYTICS_ENABLED="False",
                        TOKENIZERS_PARALLELISM="false", PYTHONUNBUFFERED="1")

    def cli(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "assistant", *args, "--corpus", str(self.root / "corpus"), "--index", str(self.root / "index")]

    def start(self, argv: list[str], log: Path, env: dict[str, str]) -> subprocess.Popen:
        proc = subprocess.Popen(argv, cwd=self.root, env=env, stdout=open(log, "ab"), stderr=subprocess.STDOUT)  # noqa: SIM115
        self.procs.append(proc)
        return proc

    def stop_all(self) -> None:
        for proc in reversed(self.procs):
            _stop(proc)


def _health(port: int) -> dict[str, Any]:
    import httpx

    return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=3).json()


def _access(log: Path) -> list[dict[str, Any]]:
    """The proxy's access log (format massage_upstream) as records."""
    out = []
    for line in log.read_text().splitlines() if log.exists() else []:
        m = re.match(r'(\S+) \[[^\]]+\] t=(\S+) "(\S+) (\S+)" (\d+) upstream=(.*?) upstream_status=(\S.*?) rt=', line)
        if m:
            # "a, b": nginx moved on to b; "a : -": an internal redirect (an error reply) followed.
            ups = [u.strip() for u in re.split(r", | : ", m.group(6)) if u.strip() not in ("", "-")]
            out.append({"client": m.group(1), "t": float(m.group(2)), "method": m.group(3), "uri": m.group(4),
                        "status": int(m.group(5)), "upstreams": ups})
    return out


class Visitors:
    """Visitors in threads, each from its own loopback address, over TLS through the proxy,
    with exponential think times. Bounded: no turn starts after stop(), each has a timeout."""

    def __init__(self, base: str, cafile: Path, addresses: list[str], think: float = 0.15,
                 questions: list[str] = QUESTIONS) -> None:
        self.base, self.cafile, self.addresses, self.think, self.questions = base, cafile, addresses, think, questions
        self.turns: list[Turn] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self.in_flight: dict[str, float] = {}  # visitor -> start of the turn now waiting

    def client(self, address: str) -> Any:
        import httpx

        ctx = ssl.create_default_context(cafile=str(self.cafile))
        return httpx.Client(base_url=self.base, verify=ctx, timeout=30,
                            transport=httpx.HTTPTransport(local_address=address, verify=ctx))

    def start(self, kinds: dict[str, str] | None = None) -> None:
        """`kinds`: "api" or "gradio" per address (default: alternating)."""
        for i, address in enumerate(self.addresses):
            kind = (kinds or {}).get(address) or ("api" if i % 2 == 0 else "gradio")
            t = threading.Thread(target=self._run, args=(address, kind, i), daemon=True)
            t.start()
            self._threads.append(t)

    def stop(self) -> list[Turn]:
        self._stop.set()
        for t in self._threads:
            t.join(60)
        assert not any(t.is_alive() for t in self._threads), "a visitor thread did not finish"
        return self.turns

    def _run(self, address: str, kind: str, seed: int) -> None:
        rng = random.Random(seed)
        with self.client(address) as http:
            while not self._stop.is_set():
                q = rng.choice(self.questions)
                t0 = time.monotonic()
                self.in_flight[address] = t0
                turn = ask(http, kind, q)
                self.in_flight.pop(address, None)
                turn.visitor, turn.t0, turn.t1 = address, t0, time.monotonic()
                with self._lock:
                    self.turns.append(turn)
                self._stop.wait(rng.expovariate(1 / self.think))


def classify(status_code: int, text: str) -> tuple[str, str, str]:
    """(outcome, answer status, detail) of one JSON reply."""
    try:
        body = json.loads(text)
    except ValueError:
        return "bad", "", f"HTTP {status_code}, not JSON: {text[:120]!r}"
    if not isinstance(body, dict):
        return "bad", "", f"HTTP {status_code}: {text[:120]!r}"
    status = str(body.get("status"))
    has_notice = NOTICE_WORDS in str(body.get("notice", ""))
    if status in ANSWER_STATUSES and status_code == 200 and has_notice:
        return "answer", status, ""
    if status == "error" and has_notice and "again" in str(body.get("answer", "")).lower():
        return "retry", status, f"HTTP {status_code} {body.get('reason')}: {body.get('answer')}"
    return "bad", status, f"HTTP {status_code}: {text[:200]!r}"


def ask(http: Any, kind: str, question: str) -> Turn:
    """One question: POST /api/ask, or Gradio's call API (POST, then the event stream)."""
    import httpx

    try:
        if kind == "api":
            r = http.post("/api/ask", json={"question": question})
            outcome, status, detail = classify(r.status_code, r.text)
            return Turn("", kind, 0, 0, outcome, status, detail)
        r = http.post("/gradio_api/call/ask", json={"data": [question]})
        if r.status_code != 200:
            outcome, status, detail = classify(r.status_code, r.text)
            return Turn("", kind, 0, 0, outcome if outcome != "answer" else "bad", status, detail)
        event_id = r.json()["event_id"]
        with http.stream("GET", f"/gradio_api/call/ask/{event_id}") as s:
            if s.status_code != 200:
                s.read()
                outcome, status, detail = classify(s.status_code, s.text)
                return Turn("", kind, 0, 0, "interrupted" if outcome == "bad" else outcome, status, detail)
            event, data = "", ""
            for line in s.iter_lines():
                if line.startswith("event:"):
                    event = line[6:].strip()
                elif line.startswith("data:"):
                    data = line[5:].strip()
                    if event in ("complete", "error"):
                        break
        if event != "complete":
            return Turn("", kind, 0, 0, "interrupted", "", f"event {event!r}: {data[:120]}")
        payload = json.loads(data)[0]
        outcome, status, detail = classify(200, json.dumps(payload))
        return Turn("", kind, 0, 0, outcome, status, detail)
    except (httpx.TransportError, httpx.StreamError, ValueError, KeyError) as exc:
        return Turn("", kind, 0, 0, "interrupted", "", f"{type(exc).__name__}: {exc}")


def _map_addresses(visitors: Visitors, access_log: Path, replicas: list[Replica], per_replica: int) -> dict[str, str]:
    """Loopback source addresses chosen so each replica has `per_replica` visitors (affinity is
    by address hash: learn where each address lands from the proxy's log)."""
    chosen: dict[str, str] = {}
    counts: Counter[str] = Counter()
    for i in range(20, 250):
        address = f"127.0.0.{i}"
        with visitors.client(address) as http:
            assert http.get("/healthz").status_code == 200
        # nginx writes the line just after the reply: wait for it.
        rec = _wait("the access log line", lambda a=address: [r for r in _access(access_log) if r["client"] == a], 5)[-1]
        upstream = rec["upstreams"][-1]
        if counts[upstream] < per_replica:
            chosen[address] = upstream
            counts[upstream] += 1
        if all(counts[r.addr] >= per_replica for r in replicas):
            return chosen
    raise AssertionError(f"could not spread visitors over the replicas: {counts}")


@pytest.mark.slow
def test_replicas_behind_nginx(tmp_path: Path) -> None:
    nginx = _nginx()
    _pg_bin()
    pytest.importorskip("httpx")
    site = _site_module()
    root = tmp_path
    shutil.copytree(REPO / "corpus", root / "corpus")
    if (REPO / "index" / "onnx").is_dir():  # reuse the repo's ONNX export: the build then skips exporting
        shutil.copytree(REPO / "index" / "onnx", root / "index" / "onnx")
    stack = Stack(root)
    cert, key = _self_signed(root)
    with postgres() as database_url, contextlib.ExitStack() as cleanup:
        cleanup.callback(stack.stop_all)

        # The index, built and published once (the indexer's job in compose, the build unit's in systemd).
        out = subprocess.run(stack.cli("build"), cwd=root, env=stack.env, capture_output=True, text=True, timeout=600)
        assert out.returncode == 0, out.stdout + out.stderr

        # Three read-only replicas sharing it; staff data in PostgreSQL; the proxy's XFF believed.
        replicas = [Replica(_free_port(), root / f"replica{i}.log") for i in range(3)]
        replica_env = {**stack.env, "MASSAGE_DATABASE_URL": database_url, "MASSAGE_TRUSTED_PROXIES": "127.0.0.1",
                       "MASSAGE_RELOAD_INTERVAL": "1", "MASSAGE_RATE_LIMIT_PER_MINUTE": "600",
                       "MASSAGE_ASK_WORKERS": "1", "MASSAGE_STAFF_TOKEN": STAFF_TOKEN}

        def start_replica(r: Replica) -> None:
            r.proc = stack.start(stack.cli("serve", "--read-only-index", "--host", "127.0.0.1", "--port", str(r.port)),
                                 r.log, replica_env)

        for r in replicas:
            start_replica(r)
        for r in replicas:
            _wait(f"replica {r.port}", lambda r=r: _health(r.port).get("status") == "ok", 240, r.proc, r.log)
        first_build = _health(replicas[0].port)["index"]
        assert {_health(r.port)["index"] for r in replicas} == {first_build}

        # nginx with the shipped site file, rendered onto loopback ports.
        https_port, http_port = _free_port(), _free_port()
        ngx = root / "nginx"
        ngx.mkdir()
        access_log = ngx / "access.log"
        (ngx / "site.conf").write_text(site.render(
            server_name="localhost", replicas=[r.addr for r in replicas], cert=str(cert), key=str(key),
            https_listen=[f"127.0.0.1:{https_port}"], http_listen=[f"127.0.0.1:{http_port}"],
            access_log=str(access_log), error_log=str(ngx / "site-error.log"),
            question_rate="20r/s"))  # each test visitor asks several times a second
        (ngx / "nginx.conf").write_text(_main_conf(ngx, ngx / "site.conf"))
        proxy = stack.start([nginx, "-c", str(ngx / "nginx.conf"), "-p", str(ngx)], ngx / "stderr.log", stack.env)
        base = f"https://127.0.0.1:{https_port}"
        visitors = Visitors(base, cert, [])
        with visitors.client("127.0.0.1") as http:
            _wait("nginx", lambda: http.get("/healthz").status_code == 200, 30, proxy, ngx / "error.log")
            _check_edge(http, base, cert, http_port)

        # Affinity by address: three visitors per replica.
        placement = _map_addresses(visitors, access_log, replicas, per_replica=3)
        # On every replica two visitors use POST /api/ask and one Gradio's call API.
        kinds = {a: "api" if [b for b, u in placement.items() if u == up].index(a) < 2 else "gradio"
                 for a, up in placement.items()}

        # --- 1. Kill a replica under load ----------------------------------------------------
        victim = replicas[1]
        on_victim = {a for a, u in placement.items() if u == victim.addr}
        load = Visitors(base, cert, list(placement))
        load.start(kinds)
        time.sleep(3)
        # Freeze it until every one of its visitors has a question waiting on it, then kill it:
        # those questions are lost with the process, as in a crash.
        assert victim.proc is not None
        victim.proc.send_signal(signal.SIGSTOP)
        _wait("questions waiting on the frozen replica", lambda: on_victim <= set(load.in_flight), 15)
        time.sleep(0.5)
        victim.proc.kill()
        victim.proc.wait(10)
        t_kill = time.monotonic()
        wall_kill = time.time()
        time.sleep(6)
        turns = load.stop()

        by_visitor: dict[str, list[Turn]] = defaultdict(list)
        for t in turns:
            by_visitor[t.visitor].append(t)
        bad = [t for t in turns if t.outcome == "bad"]
        assert not bad, f"replies that are neither answers nor clear retry messages: {bad[:5]}"
        for address, ts in by_visitor.items():
            failed = [t for t in ts if t.outcome != "answer"]
            if address not in on_victim:
                assert not failed, f"{address} (on {placement[address]}) failed while another replica died: {failed[:3]}"
                continue
            # Its waiting question failed, clearly; afterwards it answers again, on another replica.
            assert all(t.t0 < t_kill for t in failed), f"{address} failed after the replica was gone: {failed}"
            assert len(failed) <= 1, failed
            if ts[0].kind == "api":
                assert [t.outcome for t in failed] == ["retry"], f"{address}: {failed}"
            after = [t for t in ts if t.t0 > t_kill and t.outcome == "answer"]
            assert len(after) >= 3, f"{address} did not keep answering after the kill: {ts[-5:]}"
        retries = [t for t in turns if t.outcome == "retry"]
        assert retries, "no visitor saw the retry message"
        # The proxy took the dead replica out: after its first failure, nothing was sent to it
        # again within fail_timeout (10 s), and everything its visitors asked went elsewhere.
        records = [r for r in _access(access_log) if r["t"] >= wall_kill - 1]
        tried = [r for r in records if victim.addr in r["upstreams"]]
        failures = [r for r in tried if r["status"] != 200 or r["upstreams"][-1] != victim.addr]
        assert failures, "the proxy never noticed the dead replica"
        first_fail = min(r["t"] for r in failures)
        again = [r for r in tried if first_fail + 0.5 < r["t"] < first_fail + 9]
        assert not again, f"the proxy kept sending to the dead replica: {again[:3]}"
        late = [r for r in records if r["t"] > wall_kill + 0.5 and r["client"] in on_victim and r["uri"] == "/api/ask"]
        assert late and all(r["status"] == 200 and r["upstreams"][-1] != victim.addr for r in late)

        # systemd (Restart=on-failure) or compose (restart: unless-stopped) brings it back.
        start_replica(victim)
        _wait("restarted replica", lambda: _health(victim.port).get("status") == "ok", 240, victim.proc, victim.log)

        # --- 2. Publish a new index under load --------------------------------------------
        # Past fail_timeout the proxy tries the restarted replica again with real traffic.
        time.sleep(max(0.0, 10.5 - (time.monotonic() - t_kill)))
        load = Visitors(base, cert, list(placement))
        load.start(kinds)
        time.sleep(2)
        (root / "corpus" / "hot-stones.md").write_text(
            "# Hot Stone Massage\n\n## What it is\n\nHot stone massage uses smooth heated basalt stones placed along "
            "the back to warm and relax tight muscles before the therapist works on them.\n\n## How warm\n\n"
            "The stones are heated in water to a temperature the therapist checks on their own skin first.\n")
        out = subprocess.run(stack.cli("build"), cwd=root, env=stack.env, capture_output=True, text=True, timeout=600)
        assert out.returncode == 0, out.stdout + out.stderr
        t_published = time.monotonic()
        swapped: dict[int, float] = {}

        def all_swapped() -> bool:
            for r in replicas:
                if r.port not in swapped and _health(r.port).get("index") not in (None, first_build):
                    swapped[r.port] = time.monotonic() - t_published
            return len(swapped) == len(replicas)

        _wait("every replica adopting the new build", all_swapped, 20)
        time.sleep(2)
        turns = load.stop()
        failed = [t for t in turns if t.outcome != "answer"]
        assert not failed, f"answers failed while a new index was published: {failed[:5]}"
        assert len(turns) >= 3 * len(placement)
        assert max(swapped.values()) < 10, f"swap took too long: {swapped}"
        builds = {_health(r.port)["index"] for r in replicas}
        assert len(builds) == 1 and first_build not in builds
        published = [r for r in _access(access_log) if r["t"] > time.time() - 30]
        assert victim.addr in {r["upstreams"][-1] for r in published if r["status"] == 200}, "the restarted replica got no traffic back"
        import httpx

        for r in replicas:  # every replica answers from the new document
            reply = httpx.post(f"http://127.0.0.1:{r.port}/api/ask", json={"question": "What is hot stone massage?"}, timeout=30).json()
            assert reply["status"] == "answered" and any("hot-stones" in c["doc"] for c in reply["citations"]), reply

        # --- 3. The gap report across replicas, from PostgreSQL -------------------------------
        gap_question = "What is the capital city of Australia?"
        t3 = time.time()
        for address in placement:
            with visitors.client(address) as http:
                reply = http.post("/api/ask", json={"question": gap_question})
            assert reply.status_code == 200 and reply.json()["status"] == "no_answer", reply.text
        served_by = {r["upstreams"][-1] for r in _access(access_log) if r["uri"] == "/api/ask" and r["t"] >= t3
                     and r["client"] in placement}
        assert served_by == {r.addr for r in replicas}

        from assistant.gaps import open_store
        from assistant.settings import Settings

        store = open_store(Settings.of(corpus_dir=root / "corpus", index_dir=root / "index", gap_log_path=None,
                                       database_url=database_url))
        assert store is not None
        cleanup.callback(store.close)
        assert store.health()["backend"] == "postgresql"

        def gap_count() -> int:
            rows = store.grouped()
            return sum(_field(row, "count") for row in rows if _field(row, "question") == gap_question)

        _wait("the gap report to count the question from every replica", lambda: gap_count() == len(placement), 15)
        assert gap_count() == len(placement)
        # What staff see: the report on /staff through the proxy (whichever replica serves it),
        # and `massage-assistant gaps` on the host, both read from PostgreSQL.
        with visitors.client("127.0.0.1") as http:
            staff = http.get("/staff", headers={"x-staff-token": STAFF_TOKEN})
        assert staff.status_code == 200 and gap_question in staff.text, staff.text[:300]
        out = subprocess.run([sys.executable, "-m", "assistant", "gaps"], cwd=root, capture_output=True, text=True,
                             timeout=300, env={**stack.env, "MASSAGE_DATABASE_URL": database_url})
        assert out.returncode == 0 and gap_question in out.stdout, out.stdout[-2000:] + out.stderr[-2000:]
        # --- 4. The chat page in a real browser, through the proxy (Gradio's event streams) ----
        _browser_chat(base)
        print(f"\nswap after publish (s): {sorted(round(v, 2) for v in swapped.values())}; "
              f"retry replies: {len(retries)}; turns in the kill phase: {len(by_visitor)} visitors")


def _browser_chat(base: str) -> None:
    """A visitor's chat in headless Chromium over HTTPS through nginx: Gradio's page, its
    queue and event stream behind the proxy. Runs when Chromium is installed; required in CI."""
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(chromium).exists():
        if os.environ.get("MASSAGE_TEST_REQUIRE_BROWSER"):
            pytest.fail("Chromium is required here (MASSAGE_TEST_REQUIRE_BROWSER=1)")
        print("\nno Chromium: the browser check through the proxy did not run")
        return
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--headless", "--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_context(ignore_https_errors=True).new_page()
            errors: list[str] = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.goto(base + "/", timeout=60_000)
            page.fill("#question textarea", "What should I do after a massage?")
            page.keyboard.press("Enter")
            page.wait_for_selector("text=Sources (", timeout=60_000)
            assert "[1]" in page.locator("#chat").inner_text()
            assert not [e for e in errors if "mixed content" in e.lower() or "err_" in e.lower()], errors
        finally:
            browser.close()


def _field(row: Any, name: str) -> Any:
    return row[name] if isinstance(row, dict) else getattr(row, name)


def _check_edge(http: Any, base: str, cafile: Path, http_port: int) -> None:
    """TLS with HTTP/2 offered, the security headers once each, the app's framing policy kept,
    gzip, the redirect from plain HTTP, the body cap answered with the notice."""
    import httpx

    ctx = ssl.create_default_context(cafile=str(cafile))
    ctx.set_alpn_protocols(["h2", "http/1.1"])
    with (socket.create_connection(("127.0.0.1", int(base.rsplit(":", 1)[1])), timeout=5) as raw,
          ctx.wrap_socket(raw, server_hostname="127.0.0.1") as tls):
        assert tls.selected_alpn_protocol() == "h2"
    page = http.get("/embed/")
    assert page.status_code == 200
    for name in ("strict-transport-security", "x-content-type-options", "referrer-policy", "content-security-policy"):
        assert len(page.headers.get_list(name)) == 1, (name, page.headers.get_list(name))
    assert "frame-ancestors" in page.headers["content-security-policy"]
    assert "x-frame-options" not in page.headers
    js = http.get("/widget.js", headers={"accept-encoding": "gzip"})
    assert js.status_code == 200 and js.headers.get("content-encoding") == "gzip"
    plain = httpx.get(f"http://127.0.0.1:{http_port}/embed/", follow_redirects=False, timeout=5)
    assert plain.status_code == 301 and plain.headers["location"].startswith("https://")
    big = http.post("/api/ask", content=b'{"question": "' + b"a" * 40_000 + b'"}', headers={"content-type": "application/json"})
    assert big.status_code == 413 and NOTICE_WORDS in big.json()["notice"]
    # nginx's first line: a burst of POSTs from one address past the question zone (20/s here,
    # burst 20) is refused by nginx with the app's shape and the notice. (A path the app does
    # not route, so no replica computes anything.)
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(8) as pool:  # in parallel, so even a slow machine outruns 20/s
        codes = list(pool.map(lambda _: http.post("/api/not-a-route", json={}), range(80)))
    limited = [r for r in codes if r.status_code == 429]
    assert limited, [r.status_code for r in codes]
    assert all(NOTICE_WORDS in r.json()["notice"] and r.json()["reason"] == "rate limited" for r in limited)
