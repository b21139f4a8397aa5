"""`massage-assistant`: a thin click CLI over the library. Heavy imports happen inside commands."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from .errors import AssistantError


def _settings(corpus: str | None = None, index: str | None = None, **extra: Any) -> Any:
    from .settings import Settings

    overrides: dict[str, Any] = {k: v for k, v in extra.items() if v is not None}
    if corpus:
        overrides["corpus_dir"] = Path(corpus)
    if index:
        overrides["index_dir"] = Path(index)
    return Settings.from_env(**overrides)


def _warn(settings: Any) -> None:
    """Startup warnings for staff (MASSAGE_* variables that name no setting)."""
    for line in settings.warnings():
        click.echo(line, err=True)


def _store(settings: Any) -> Any:
    from .edge import open_gap_store

    return open_gap_store(settings)


class _Group(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except AssistantError as exc:  # one actionable line, never a traceback
            click.echo(f"error: {exc}", err=True)
            ctx.exit(1)


@click.group(cls=_Group)
@click.version_option(package_name="massage-assistant")
def main() -> None:
    """Massage FAQ Assistant: cited answers from your clinic's own documents."""


corpus_opt = click.option("--corpus", type=click.Path(file_okay=False), help="Documents folder (default: corpus/).")
index_opt = click.option("--index", "index", type=click.Path(file_okay=False), help="Index folder (default: index/).")


@main.command()
@corpus_opt
@index_opt
def build(corpus: str | None, index: str | None) -> None:
    """Build or update the index; only added or changed documents are embedded.

    Example: massage-assistant build --corpus corpus --index index
    """
    from .build import build_index
    from .corpus import load_corpus
    from .embed import load_embedder

    s = _settings(corpus, index)
    load_corpus(Path(s.paths.corpus_dir))  # a corpus problem is reported before the model loads
    report = build_index(s, load_embedder(s, log=click.echo))
    click.echo(report.summary())
    for kind in ("added", "changed", "removed"):
        for path in getattr(report, kind):
            click.echo(f"  {kind}: {path}")


@main.command()
@click.argument("question", required=False)
@click.option("--batch", type=click.File("r"), help="One question per line; '-' for stdin.")
@click.option("--json", "as_json", is_flag=True, help="Print the answer object as JSON.")
@corpus_opt
@index_opt
def ask(question: str | None, batch: Any, as_json: bool, corpus: str | None, index: str | None) -> None:
    """Ask a question (or a batch, one per line, answered in order with one model load).

    Goes through the same edge as the web server (safety first, the error shape, the gap log);
    the rate limit is off here: you are at the keyboard. An error prints the answer object with
    "status": "error" (with --json) or "error: <message>" on stderr. A single question that fails
    exits with 1; --batch answers every line and exits with 0.

    Example: massage-assistant ask "Can massage help with migraines?" --json
    """
    from .edge import Edge, Request
    from .pipeline import Assistant

    if question is None and batch is None:
        raise click.UsageError("give a QUESTION or --batch FILE")
    s = _settings(corpus, index)
    _warn(s)
    bot = Assistant.load(s, log=lambda line: click.echo(line, err=True))
    edge = Edge(bot, s.replace(rate_limit_per_minute=0), store=_store(s))
    questions = [line.rstrip("\n") for line in batch] if batch is not None else [question or ""]
    failed = False
    try:
        for q in questions:
            reply = edge.handle(Request(q, None, "cli", "cli"))
            ans = reply.answer
            assert ans is not None
            failed = failed or not reply.ok
            if as_json:
                click.echo(json.dumps(ans.to_dict(), ensure_ascii=False))
            elif ans.status == "error":
                click.echo(f"error: {ans.answer}", err=True)
                click.echo(ans.notice, err=True)
            else:
                click.echo(ans.answer)
                for c in ans.citations:
                    click.echo(f"  [{c.n}] {c.title} - {c.section} ({c.doc}, {c.chunk_id})")
                click.echo(f"\n{ans.notice}")
    finally:
        if edge.store is not None and hasattr(edge.store, "close"):
            edge.store.close()  # flushes queued gap-log writes
    if failed and batch is None:
        sys.exit(1)


@main.command()
@click.option("--host", default=None, help="Interface to bind (default 127.0.0.1).")
@click.option("--port", default=None, type=int, help="Port (default 7860).")
@click.option("--watch/--no-watch", default=True, show_default=True,
              help="Re-index when corpus/ changes and adopt builds made by `massage-assistant build`, without a restart.")
@click.option("--read-only-index", is_flag=True,
              help="Never write the index: load the published build and adopt new ones (replicas sharing one index).")
@corpus_opt
@index_opt
def serve(host: str | None, port: int | None, watch: bool, read_only_index: bool, corpus: str | None, index: str | None) -> None:
    """Serve the chat, building the index first if it is missing or stale.

    Example: massage-assistant serve --port 7860
    """
    import logging

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    from .pipeline import Assistant
    from .server import serve as run

    s = _settings(corpus, index, host=host, port=port)
    _warn(s)
    bot = Assistant.load(s, build=not read_only_index, log=lambda line: click.echo(line, err=True))
    if watch:
        bot.live.watch(s.web.reload_interval)
    if s.web.allowed_origins:
        click.echo(f"allowed origins (may frame the chat and call /api/ask): {', '.join(s.web.allowed_origins)}", err=True)
    else:
        click.echo("no allowed origins configured: the chat can only be framed by this server's own pages "
                   "(same origin). Set MASSAGE_ALLOWED_ORIGINS to your clinic site(s) to embed it.", err=True)
    if s.web.trusted_proxies:
        click.echo(f"X-Forwarded-For is believed from: {', '.join(s.web.trusted_proxies)}", err=True)
    health = bot.health()
    mode = ", read-only index" if read_only_index else ""
    click.echo(f"serving on http://{s.web.host}:{s.web.port} ({health.get('passages', '?')} passages, "
               f"index {health.get('index', '?')}{mode})", err=True)
    run(bot, s.web.host, s.web.port, store=_store(s))


@main.command()
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False), help="Also write the report as CSV.")
@click.option("--db", type=click.Path(dir_okay=False), help="Gap log (default var/gaps.sqlite3).")
def gaps(csv_path: str | None, db: str | None) -> None:
    """Group unanswered, low-confidence and thumbs-down questions, most asked first, with a
    suggested corpus/faq.md entry for each.

    Example: massage-assistant gaps --csv gaps.csv
    """
    from .embed import load_embedder
    from .gaps import cluster, format_gaps, write_csv

    s = _settings(gap_log_path=Path(db) if db else None)
    store = _store(s)
    if store is None:
        raise click.UsageError("the gap log is off: set MASSAGE_GAP_LOG_PATH or MASSAGE_DATABASE_URL, or give --db")
    try:
        rows = store.grouped()  # aggregated in the database (SQLite or PostgreSQL)
        urgent = store.urgent_total()
    finally:
        store.close()
    groups = cluster(rows, load_embedder(s).encode, s.tuning.gap_cluster_threshold) if rows else []
    click.echo(format_gaps(groups, urgent))
    if csv_path:
        write_csv(groups, Path(csv_path))
        click.echo(f"wrote {len(groups)} groups to {csv_path}")


@main.command("eval")
@click.option("--set", "path", type=click.Path(dir_okay=False, exists=True), default=None, help="Labelled JSONL (default evals/dev.jsonl).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--baselines/--no-baselines", default=True, help="Also score BM25-only, dense-only and fixed-window baselines.")
@corpus_opt
@index_opt
def eval_cmd(path: str | None, as_json: bool, baselines: bool, corpus: str | None, index: str | None) -> None:
    """Score retrieval, grounding and abstention on a labelled question set.

    Example: massage-assistant eval --json
    """
    from .evaluate import format_report, run_eval

    report = run_eval(_settings(corpus, index), Path(path) if path else None, baselines=baselines)
    click.echo(json.dumps(report, indent=2) if as_json else format_report(report))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
