"""Render deploy/nginx/massage-assistant.conf for a host: server name, certificate paths,
replica ports, log paths, listen addresses. Every substitution must match the file exactly
once, so this script and the shipped file cannot drift apart silently.

    python deploy/nginx_site.py --server-name assistant.riverside.example --replicas 7861,7862,7863 \
        > /etc/nginx/sites-available/massage-assistant

tests/test_deploy.py renders the same file onto loopback ports in a temp dir and runs it.
Standard library only (the host's python3 is enough).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parent / "nginx" / "massage-assistant.conf"
SERVER_NAME = "assistant.example.com"
CERT = "/etc/letsencrypt/live/assistant.example.com/fullchain.pem"
KEY = "/etc/letsencrypt/live/assistant.example.com/privkey.pem"
ACCESS_LOG = "/var/log/nginx/massage-assistant.access.log"
ERROR_LOG = "/var/log/nginx/massage-assistant.error.log"
_UPSTREAM_SERVERS = re.compile(r"(    hash \$remote_addr consistent;\n)((?:    server 127\.0\.0\.1:\d+ [^\n]*\n)+)")


def _sub(text: str, old: str, new: str) -> str:
    n = text.count(old)
    if n != 1:
        raise ValueError(f"expected {old!r} once in {TEMPLATE.name}, found it {n} times")
    return text.replace(old, new)


def render(
    *,
    server_name: str = SERVER_NAME,
    replicas: list[str] | None = None,
    cert: str = CERT,
    key: str = KEY,
    https_listen: list[str] | None = None,
    http_listen: list[str] | None = None,
    access_log: str = ACCESS_LOG,
    error_log: str = ERROR_LOG,
    notice: str | None = None,
    question_rate: str | None = None,
    template: Path = TEMPLATE,
) -> str:
    """The site file with these values. `replicas`: "host:port" of each replica (default: the
    file's three loopback ports); `https_listen` / `http_listen`: nginx listen addresses
    ("443", "127.0.0.1:8443"); `notice`: the standing notice for the proxy's own error replies
    (must not contain a double quote); `question_rate`: the per-address question rate ("1r/s")."""
    text = template.read_text(encoding="utf-8")
    if text.count(f"server_name {SERVER_NAME};") != 2:
        raise ValueError(f"expected two server_name lines in {TEMPLATE.name}")
    text = text.replace(f"server_name {SERVER_NAME};", f"server_name {server_name};")
    # Let's Encrypt's default paths follow the name.
    cert, key = cert.replace(SERVER_NAME, server_name), key.replace(SERVER_NAME, server_name)
    text = _sub(text, f"ssl_certificate     {CERT};", f"ssl_certificate     {cert};")
    text = _sub(text, f"ssl_certificate_key {KEY};", f"ssl_certificate_key {key};")
    text = _sub(text, f"access_log {ACCESS_LOG} ", f"access_log {access_log} ")
    text = _sub(text, f"error_log  {ERROR_LOG} ", f"error_log  {error_log} ")
    if replicas:
        m = _UPSTREAM_SERVERS.search(text)
        if not m:
            raise ValueError(f"no upstream server lines in {TEMPLATE.name}")
        lines = "".join(f"    server {r} max_fails=1 fail_timeout=10s;\n" for r in replicas)
        text = text[: m.start(2)] + lines + text[m.end(2):]
    if https_listen is not None:
        text = _sub(text, "    listen 443 ssl http2;\n    listen [::]:443 ssl http2;\n",
                    "".join(f"    listen {a} ssl http2;\n" for a in https_listen))
    if http_listen is not None:
        text = _sub(text, "    listen 80;\n    listen [::]:80;\n", "".join(f"    listen {a};\n" for a in http_listen))
    if notice is not None:
        if '"' in notice or "\\" in notice:
            raise ValueError("the notice for nginx must not contain double quotes or backslashes")
        text = re.sub(r'(set \$massage_notice ")[^"]*(";)', lambda m: m.group(1) + notice + m.group(2), text, count=1)
    if question_rate is not None:
        text = _sub(text, "zone=massage_questions:10m rate=1r/s;", f"zone=massage_questions:10m rate={question_rate};")
    return text


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--server-name", default=SERVER_NAME, help="the assistant's public host name")
    ap.add_argument("--replicas", default="7861,7862,7863",
                    help="comma-separated ports on 127.0.0.1, or host:port entries (default 7861,7862,7863)")
    ap.add_argument("--cert", default=CERT, help="certificate chain (default: Let's Encrypt's path for the name)")
    ap.add_argument("--key", default=KEY, help="private key")
    ap.add_argument("--notice", default=None, help="the standing notice for nginx's own error replies")
    ap.add_argument("--access-log", default=ACCESS_LOG)
    ap.add_argument("--error-log", default=ERROR_LOG)
    args = ap.parse_args(argv)
    replicas = [r if ":" in r else f"127.0.0.1:{r}" for r in (x.strip() for x in args.replicas.split(",")) if r]
    sys.stdout.write(render(server_name=args.server_name, replicas=replicas, cert=args.cert, key=args.key, notice=args.notice,
                            access_log=args.access_log, error_log=args.error_log))
    return 0


if __name__ == "__main__":
    sys.exit(main())
