"""Evaluation harness: retrieval, quoting, grounding and abstention on a labelled JSONL set.

Each line: {"question": ..., "kind": "answerable|unanswerable|urgent|caution",
            "expect": [phrases any of which marks an answering passage], "history": [...]}

Baselines are scored in the same run on the same index and model:
  * bm25      - BM25 alone over the passages
  * dense     - FAISS passage similarity alone
  * window    - the tutorial recipe: 1000-character windows, MiniLM, flat FAISS
  * top3-sent - quote the three most similar single sentences
  * threshold - the best single cosine threshold for answer-vs-abstain

    >>> hit(["Stay hydrated before and after."], ["stay hydrated"], 1)
    1.0
"""

from __future__ import annotations

import json
import statistics
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from .answer import marked_sentences
from .errors import AssistantError
from .settings import Settings
from .text import terms


def default_set(name: str = "dev.jsonl") -> Path:
    """An eval set in ./evals/, or a one-line error that says to pass --set."""
    path = Path("evals") / name
    if not path.is_file():
        raise AssistantError(f"no eval set at {path}: run from the project folder or pass --set FILE")
    return path


def load_set(path: Path) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def hit(texts: list[str], expect: list[str], k: int) -> float:
    low = [t.lower() for t in texts[:k]]
    return float(any(e.lower() in t for t in low for e in expect))


def grounded(answer: dict[str, Any]) -> bool:
    """Every `[n]`-marked sentence occurs verbatim in citation n's passage."""
    by_n = {c["n"]: c["text"] for c in answer["citations"]}
    marked = marked_sentences(answer["answer"])
    if answer["status"] == "answered" and not marked:
        return False
    return all(n in by_n and sent in by_n[n] for sent, n in marked)


def _mean(xs: list[float]) -> float:
    return round(float(statistics.fmean(xs)), 3) if xs else float("nan")


def _pct(xs: list[float], q: float) -> float:
    return round(float(np.percentile(xs, q)), 2) if xs else float("nan")


# The system as it stood before issue 13's changes, scored in the same run as a baseline.
BEFORE_ISSUE_13 = {"answer_type_weight": 0.0, "coherent_quotes": False, "focus_min_coverage": 0.0,
                   "standalone_topics": False, "passage_weight": 0.0, "top_k": 5, "lexical_weight": 0.3,
                   "common_zipf": 0.0, "vocab_map_score": 0.0, "topic_importance": 0.0, "followup_min_sentence_score": 0.42,
                   "pool_margin": 0.2, "same_passage_penalty": 0.0}


def run_eval(settings: Settings, path: Path | None = None, *, baselines: bool = True, assistant: Any = None) -> dict[str, Any]:
    from .pipeline import Assistant

    bot = assistant or Assistant.load(settings)
    path = path or default_set()
    rows = load_set(path)
    per, lat = _score(bot, rows)

    def of(kind: str) -> list[dict[str, Any]]:
        return [p for p in per if p["kind"] == kind]

    report: dict[str, Any] = {
        "set": str(path),
        "tuning": asdict(bot.settings.tuning),  # every calibrated number the figures depend on
        "counts": {k: len(of(k)) for k in ("answerable", "unanswerable", "urgent", "caution")}
        | {"followup": sum(1 for p in per if p.get("followup")), "shift": sum(1 for p in per if p.get("shift"))},
        "system": _system(per, lat),
        "miss_causes": miss_causes(per),
        "failures": [
            {"question": p["question"], "kind": p["kind"], "status": p["status"], "reason": p["reason"]}
            for p in per
            if (p["kind"] == "answerable" and (not p["hit1"] or not p["quote"] or p["status"] != "answered"))
            or (p["kind"] == "unanswerable" and p["status"] != "no_answer")
            or (p["kind"] == "urgent" and p["status"] != "urgent")
            or (p["kind"] == "caution" and not p["caution"])
            or p["hijacked"] or p["dangling"]
        ],
    }
    if baselines:
        before = Assistant(bot.settings.replace(**BEFORE_ISSUE_13), bot.embedder, bot.live)
        b_per, b_lat = _score(before, rows)
        report["baselines"] = {"before #13": _system(b_per, b_lat)}
        report["baselines"] |= _baselines(bot, [r for r in rows if r["kind"] == "answerable"],
                                          [r for r in rows if r["kind"] == "unanswerable"], _with_context)
    return report


def _score(bot: Any, rows: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[float]]:
    from .answer import DANGLING

    per: list[dict[str, Any]] = []
    lat: list[float] = []
    for r in rows:
        t0 = time.perf_counter()
        answer = bot.ask(r["question"], history=r.get("history"))
        lat.append((time.perf_counter() - t0) * 1000)
        a = answer.to_dict()
        cites = [c["text"] for c in a["citations"]]
        first = answer.quotes[0][0] if answer.quotes else ""
        per.append({**r, "status": a["status"], "caution": a["caution"], "grounded": grounded(a),
                    "hit1": hit(cites, r.get("expect", []), 1), "hit3": hit(cites, r.get("expect", []), 3),
                    "quote": hit([a["answer"]], r.get("expect", []), 1), "reason": a["reason"],
                    "cited_chars": [len(c) for c in cites],
                    "hijacked": bool(r.get("shift")) and "(follow-up to:" in answer.resolved_question,
                    "dangling": a["status"] == "answered" and bool(DANGLING.match(first))})
    return per, lat


def _system(per: list[dict[str, Any]], lat: list[float]) -> dict[str, Any]:
    ans = [p for p in per if p["kind"] == "answerable"]
    return {
        "hit@1": _mean([p["hit1"] for p in ans]),
        "hit@3": _mean([p["hit3"] for p in ans]),
        "quote_hit": _mean([p["quote"] for p in ans]),
        "grounding": _mean([float(p["grounded"]) for p in per if p["status"] == "answered"]),
        "answered_rate": _mean([float(p["status"] == "answered") for p in ans]),
        "abstention_rate": _mean([float(p["status"] == "no_answer") for p in per if p["kind"] == "unanswerable"]),
        "urgent_rate": _mean([float(p["status"] == "urgent") for p in per if p["kind"] == "urgent"]),
        "caution_rate": _mean([float(p["caution"]) for p in per if p["kind"] == "caution"]),
        "followup_resolved": _mean([p["quote"] for p in per if p.get("followup")]),
        "shifts_hijacked": sum(p["hijacked"] for p in per),
        "dangling_openers": sum(p["dangling"] for p in per),
        "mean_cited_chars": _mean([float(x) for p in per for x in p["cited_chars"]]),
        "latency_ms_p50": _pct(lat, 50),
        "latency_ms_p95": _pct(lat, 95),
    }


def miss_cause(p: dict[str, Any]) -> str | None:
    """Where an answerable row went wrong (None: the first citation and the quote both hit).
    Aggregate counts only, so it may be printed for held-out sets too.

    >>> miss_cause({"kind": "answerable", "status": "answered", "hit1": 0.0, "hit3": 1.0, "quote": 1.0})
    'answer quoted from a later citation'
    """
    if p["kind"] != "answerable" or (p["hit1"] and p["quote"]):
        return None
    if p["status"] == "urgent":
        return "urgent reply (safety false alarm)"
    if p["status"] != "answered":
        return "abstained"
    if p["quote"]:
        return "answer quoted from a later citation"
    if p["hit1"]:
        return "right passage first, another of its sentences quoted"
    if p["hit3"]:
        return "right passage cited, not first and not quoted"
    return "right passage not cited"


def miss_causes(per: list[dict[str, Any]]) -> dict[str, int]:
    """How many answerable rows missed hit@1 or the quote, by `miss_cause`."""
    out: dict[str, int] = {}
    for p in per:
        if (cause := miss_cause(p)) is not None:
            out[cause] = out.get(cause, 0) + 1
    return dict(sorted(out.items(), key=lambda kv: -kv[1]))


def _with_context(question: str, history: list[str] | None) -> str:
    """Baselines get follow-ups with the previous question appended (the common recipe)."""
    from .query import followup_context

    previous = followup_context(question, history)
    return f"{question} {previous}" if previous else question


def _baselines(bot: Any, answerable: list[dict[str, Any]], unanswerable: list[dict[str, Any]], resolve: Any) -> dict[str, Any]:
    snap = bot.snapshot()
    index, retriever = snap.index, snap.retriever
    chunks = index.chunks
    qs = [resolve(r["question"], r.get("history")) for r in answerable]
    qv = bot.embedder.encode(qs)
    out: dict[str, Any] = {}

    bm25_rank = [list(np.argsort(-retriever.lexical.scores(terms(q)))[:3]) for q in qs]
    _, dense_ids = index.passages.search(qv, 3)
    for name, ranks in (("bm25", bm25_rank), ("dense", [list(r) for r in dense_ids])):
        out[name] = {
            "hit@1": _mean([hit([chunks[i].text for i in rk], r["expect"], 1) for rk, r in zip(ranks, answerable, strict=True)]),
            "hit@3": _mean([hit([chunks[i].text for i in rk], r["expect"], 3) for rk, r in zip(ranks, answerable, strict=True)]),
        }

    # The tutorial recipe: raw 1000-character windows (200 overlap) of each document.
    from .corpus import load_corpus

    windows: list[str] = []
    for doc in load_corpus(Path(bot.settings.paths.corpus_dir)):
        text = "\n\n".join(p for s in doc.sections for p in (s.heading, *s.paragraphs))
        windows += [text[i : i + 1000] for i in range(0, max(1, len(text) - 200), 800)]
    import faiss

    wv = bot.embedder.encode(windows)
    flat = faiss.IndexFlatIP(wv.shape[1])
    flat.add(wv)
    _, wids = flat.search(qv, 3)
    out["window-1000"] = {
        "hit@1": _mean([hit([windows[i] for i in rk], r["expect"], 1) for rk, r in zip(wids, answerable, strict=True)]),
        "hit@3": _mean([hit([windows[i] for i in rk], r["expect"], 3) for rk, r in zip(wids, answerable, strict=True)]),
    }

    # Quote the three most similar sentences, corpus-wide.
    sims = qv @ index.sentence_vecs.T
    owner = np.repeat(np.arange(len(chunks)), np.diff(index.sent_offsets))
    pos = np.arange(len(owner)) - index.sent_offsets[owner]
    quotes = []
    for row, r in zip(sims, answerable, strict=True):
        top = np.argsort(-row)[:3]
        text = " ".join(chunks[owner[j]].sentence_texts[pos[j]] for j in top)
        quotes.append(hit([text], r["expect"], 1))
    out["top3-sentences"] = {"quote_hit": _mean(quotes)}

    # A single cosine threshold on the best passage: the best it can do on this set.
    uq = bot.embedder.encode([r["question"] for r in unanswerable]) if unanswerable else np.zeros((0, qv.shape[1]), np.float32)
    a_best = (qv @ index.passage_vecs.T).max(axis=1)
    u_best = (uq @ index.passage_vecs.T).max(axis=1) if len(uq) else np.zeros(0)
    best = (0.0, 0.0, 0.0)
    for t in np.linspace(0.2, 0.8, 61):
        ar, ab = float((a_best >= t).mean()), float((u_best < t).mean()) if len(u_best) else 1.0
        if min(ar, ab) > min(best[1], best[2]):
            best = (float(t), ar, ab)
    out["cosine-threshold"] = {"threshold": round(best[0], 2), "answered_rate": round(best[1], 3), "abstention_rate": round(best[2], 3)}
    return out


def format_report(report: dict[str, Any]) -> str:
    s = report["system"]
    lines = [f"eval set: {report['set']}  counts: {report['counts']}", "", "system:"]
    lines += [f"  {k:<18} {v}" for k, v in s.items()]
    if report.get("miss_causes"):
        lines += ["", "answerable misses by cause: " + ", ".join(f"{k} {v}" for k, v in report["miss_causes"].items())]
    if "tuning" in report:  # every calibrated number the figures depend on
        lines += ["", "tuning: " + ", ".join(f"{k}={v}" for k, v in report["tuning"].items())]
    if "baselines" in report:
        lines += ["", "baselines (same run, same model and index):"]
        for name, vals in report["baselines"].items():
            lines.append(f"  {name:<18} " + "  ".join(f"{k}={v}" for k, v in vals.items()))
    if report["failures"]:
        lines += ["", f"misses ({len(report['failures'])}):"]
        lines += [f"  [{f['kind']}] {f['question']!r} -> {f['status']} ({f['reason']})" for f in report["failures"]]
    return "\n".join(lines)


def run_curated_eval(bot: Any, path: Path | None = None) -> dict[str, Any]:
    """Paraphrases (expect an entry id) and near-misses (expect none) against the curated set
    in the assistant's corpus: accuracy and wrong matches at the configured threshold."""
    rows = load_set(path or default_set("curated.jsonl"))
    ok = wrong = 0
    misses = []
    for r in rows:
        a = bot.ask(r["question"])
        got = a.citations[0].chunk_id if a.citations and a.citations[0].chunk_id.startswith("faq#") else None
        ok += got == r["expect"]
        wrong += got is not None and got != r["expect"]
        if got != r["expect"]:
            misses.append({"question": r["question"], "expected": r["expect"], "got": got})
    return {"accuracy": round(ok / len(rows), 3), "wrong_matches": wrong, "n": len(rows),
            "threshold": bot.settings.tuning.curated_threshold, "misses": misses}
