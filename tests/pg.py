"""A real, throwaway PostgreSQL server for tests, from Debian's packages.

    from tests.pg import start_postgres, postgres_or_skip

    with start_postgres() as server:          # raises PostgresUnavailable if the binaries are missing
        url = server.create_database("gaps")  # postgresql://postgres@127.0.0.1:<port>/gaps
    ...
    @pytest.fixture(scope="session")
    def pg_server():
        yield from postgres_or_skip()         # skips, or fails when MASSAGE_TEST_REQUIRE_SERVERS=1

The server runs from a temp dir (data, log and unix socket), listens on 127.0.0.1 only on a free
port, trusts local connections (it is reachable only from this machine, for the test's life) and
skips fsync. As root, initdb and pg_ctl run as the `postgres` user through `runuser`, in a temp
dir that user owns: PostgreSQL refuses to run as root.
"""

from __future__ import annotations

import atexit
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

PG_BIN = Path(os.environ.get("MASSAGE_TEST_PG_BIN", "/usr/lib/postgresql/15/bin"))
REQUIRE_ENV = "MASSAGE_TEST_REQUIRE_SERVERS"


class PostgresUnavailable(RuntimeError):
    """The PostgreSQL binaries (or the postgres user, when running as root) are missing."""


def servers_required() -> bool:
    """CI sets MASSAGE_TEST_REQUIRE_SERVERS=1: a missing server is then a failure, not a skip."""
    return os.environ.get(REQUIRE_ENV) == "1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_postgres() -> list[str]:
    if os.geteuid() != 0:
        return []
    if shutil.which("runuser") is None:
        raise PostgresUnavailable("running as root needs runuser to start PostgreSQL as the postgres user")
    return ["runuser", "-u", "postgres", "--"]


@dataclass
class PostgresServer:
    root: Path
    port: int
    user: str = "postgres"
    _stopped: bool = field(default=False, repr=False)

    @property
    def url(self) -> str:
        """The maintenance database's URL (create one per test with create_database)."""
        return self.url_for("postgres")

    def url_for(self, database: str) -> str:
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(self.url, autocommit=True, connect_timeout=5) as db:
            db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            db.execute(f'CREATE DATABASE "{name}"')
        return self.url_for(name)

    def log(self) -> str:
        path = self.root / "postgres.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        subprocess.run([*_as_postgres(), str(PG_BIN / "pg_ctl"), "-D", str(self.root / "data"), "-m", "fast", "-w",
                        "-t", "30", "stop"], capture_output=True, check=False)
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> PostgresServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_postgres(port: int | None = None, timeout: float = 60.0) -> PostgresServer:
    """initdb + pg_ctl start into a new temp dir; returns when the server accepts connections."""
    for tool in ("initdb", "pg_ctl", "postgres"):
        if not (PG_BIN / tool).exists():
            raise PostgresUnavailable(f"{PG_BIN / tool} is missing (Debian package postgresql)")
    prefix = _as_postgres()
    root = Path(tempfile.mkdtemp(prefix="massage-pg-"))
    if prefix:
        import pwd

        pw = pwd.getpwnam("postgres")
        os.chown(root, pw.pw_uid, pw.pw_gid)
    port = port or free_port()
    server = PostgresServer(root, port)
    try:
        _run([*prefix, str(PG_BIN / "initdb"), "-D", str(root / "data"), "-A", "trust", "-U", "postgres",
              "-E", "UTF8", "--no-locale", "--no-sync"])
        options = (f"-c listen_addresses=127.0.0.1 -p {port} -k {root} -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off")
        _run([*prefix, str(PG_BIN / "pg_ctl"), "-D", str(root / "data"), "-l", str(root / "postgres.log"),
              "-o", options, "-w", "-t", str(int(timeout)), "start"])
        _wait_ready(server, timeout)
    except BaseException:
        log = server.log()
        server.stop()
        if log:
            raise RuntimeError(f"PostgreSQL did not start:\n{log[-2000:]}") from None
        raise
    atexit.register(server.stop)
    return server


def _run(cmd: list[str]) -> None:
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({done.returncode}): {(done.stderr or done.stdout)[-1500:]}")


def _wait_ready(server: PostgresServer, timeout: float) -> None:
    import psycopg

    end = time.monotonic() + timeout
    while True:
        try:
            with psycopg.connect(server.url, connect_timeout=2):
                return
        except psycopg.OperationalError:
            if time.monotonic() > end:
                raise
            time.sleep(0.1)


def postgres_or_skip() -> Iterator[PostgresServer]:
    """For a pytest fixture: a started server, stopped afterwards; skipped when PostgreSQL is not
    installed, except when MASSAGE_TEST_REQUIRE_SERVERS=1 (CI), where that fails the test."""
    import pytest

    try:
        server = start_postgres()
    except PostgresUnavailable as exc:
        if servers_required():
            pytest.fail(f"{exc} ({REQUIRE_ENV}=1)")
        pytest.skip(str(exc))
    try:
        yield server
    finally:
        server.stop()
