"""Train the learned safety classifier (assistant/safety_model.py) and measure it honestly.

    python benchmarks/train_safety_model.py          # train on every author + the bank, write
                                                     # assistant/data/safety_model.{npz,json}
    python benchmarks/train_safety_model.py --cv     # leave-one-author-out table (writes nothing)
    python benchmarks/train_safety_model.py --cv --at d5dbb36   # ... beside the rules and bank of an
                                                     # older commit (before C2's and C4's sets were read)

Data: every labelled message in evals/safety*.jsonl (expect: emergency | crisis | caution | faq)
plus the exemplars of assistant/data/safety_bank.toml (benign groups -> "none"). Rerun after
extending the bank or adding a labelled set (add its file to AUTHORS under its writer).

Honesty: the sets come from seven authors (and the maintainers). --cv trains on the others, chooses thresholds on those
only (each scored by a model that did not see it: nested leave-one-author-out), and reports on the
one left out. Thresholds: the highest urgent recall with false alarms on benign messages <= 5%; the
caution threshold keeps the banner off >= 90% of benign messages. The shipped thresholds are
chosen the same way on all the authors' out-of-author scores; the shipped weights see everything.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import tomllib
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from assistant.safety_model import CLASSES, SafetyModel, group_features  # noqa: E402

# Which author wrote which set (leave-one-author-out folds). The bank is always training data.
AUTHORS: dict[str, tuple[str, ...]] = {
    "C": ("safety_train.jsonl", "safety_holdout.jsonl", "safety_holdout2.jsonl", "safety_holdout3.jsonl",
          "safety_holdout4.jsonl", "safety_holdout5.jsonl"),
    "maintainers": ("safety.jsonl",),
    "C2": ("safety_blind_train.jsonl",),
    "C4": ("safety_blind2.jsonl",),
    "C5": ("safety_blind3.jsonl",),  # a fifth author's blind set, measured once at 0b9274d, training since
    "C6": ("safety_blind4.jsonl",),  # a sixth author's blind set, measured once at 413c0d3, training since
    "C7": ("safety_blind5.jsonl",),  # a seventh author's blind set, measured once at 5dcabc5, training since
}
LABEL = {"emergency": 0, "crisis": 1, "caution": 2, "faq": 3, "benign": 3, "none": 3}
CLASS_WEIGHT = np.array([3.0, 3.0, 1.5, 1.0])  # towards recall of the urgent classes
# Ordinary visitor questions weigh more than one tricky benign row each: at 1.0 the model still gave
# short off-topic questions of its own training data ("what is the capital of france") a crisis
# probability over its threshold (in-sample, dev sets: 3 of 402 ordinary questions urgent).
ORDINARY_WEIGHT = float(os.environ.get("SAFETY_ORDINARY_WEIGHT", "3.0"))
L2 = 0.03  # on the weights, against the class-weighted mean loss of standardized features
ITERS, LEARNING_RATE = 400, 0.05
FALSE_ALARM_BUDGET = 0.05  # urgent verdicts on benign messages
CAUTION_BUDGET = 0.10  # caution banners on benign messages (shown, not an alarm)
GRID = np.round(np.arange(0.05, 0.991, 0.01), 2)
NPZ, META = REPO / "assistant" / "data" / "safety_model.npz", REPO / "assistant" / "data" / "safety_model.json"
BANK = REPO / "assistant" / "data" / "safety_bank.toml"

Encode = Callable[[list[str]], np.ndarray]


def load_rows(evals: Path = REPO / "evals", authors: dict[str, tuple[str, ...]] = AUTHORS) -> list[dict]:
    rows = []
    for author, files in authors.items():
        for name in files:
            for line in (evals / name).read_text(encoding="utf-8").splitlines():
                if line.strip():
                    r = json.loads(line)
                    rows.append({**r, "author": author, "set": name})
    return rows


# Ordinary visitor questions (the answer-quality DEV sets): always training data for the "none" class,
# in every fold, like the bank. Without them the model had only ever seen benign messages that sound
# alarming, and short off-topic questions ("whats the weather tomorrow") scored as crises.
# visitors_holdout.jsonl and holdout.jsonl stay out: they check false alarms on ordinary questions.
ORDINARY = ("dev.jsonl", "dev_types.jsonl", "dev_visitors.jsonl", "dev_visitors2.jsonl", "curated.jsonl")
ORDINARY_LABEL = {"answerable": "faq", "unanswerable": "faq", "caution": "caution"}


def load_ordinary(evals: Path = REPO / "evals", names: Sequence[str] = ORDINARY) -> list[dict]:
    rows, seen = [], set()
    for name in names:
        for line in (evals / name).read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            r = json.loads(line)
            kind = r.get("kind", "answerable" if r.get("expect") else "unanswerable")
            label = ORDINARY_LABEL.get(kind)
            turns = [(r["question"], label)] + [(h, "faq") for h in r.get("history", []) if isinstance(h, str)]
            for text, lab in turns:
                if lab and text not in seen:
                    seen.add(text)
                    rows.append({"message": text, "expect": lab, "author": "visitors", "set": name})
    return rows


def load_bank(path: Path = BANK) -> list[dict]:
    """Bank exemplars as rows, grouped (group order as in the file)."""
    groups = tomllib.loads(path.read_text(encoding="utf-8"))["group"]
    return [{"message": e, "expect": g["level"], "group": g["id"], "author": "bank"} for g in groups for e in g["exemplars"]]


class Vectors:
    """Each distinct text encoded once."""

    def __init__(self, encode: Encode) -> None:
        self.encode = encode
        self.cache: dict[str, np.ndarray] = {}

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self.cache]
        if missing:
            self.cache.update(zip(missing, np.asarray(self.encode(missing), dtype=np.float32), strict=True))
        return np.stack([self.cache[t] for t in texts]) if texts else np.zeros((0, 0), np.float32)


def bank_arrays(bank: list[dict], vectors: Vectors) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    groups = tuple(dict.fromkeys(r["group"] for r in bank))
    ordered = sorted(bank, key=lambda r: groups.index(r["group"]))
    starts = np.array([next(i for i, r in enumerate(ordered) if r["group"] == g) for g in groups])
    # float16 halves the file; rounded BEFORE training so training and run time see the same numbers
    matrix = vectors([r["message"] for r in ordered]).astype(np.float16).astype(np.float32)
    return matrix, starts, groups


def english(message: str) -> bool:
    """The model reads English only: all-MiniLM-L6-v2 was trained on English, and its vectors of
    other languages carry little meaning (left in, the training sets' mostly-urgent foreign rows
    teach "foreign-looking = urgent", and foreign clinic questions become alarms). Other languages
    are the rules' job. The same check gates the model at run time."""
    from assistant.safety import detect_language

    return detect_language(message) == "en"


def model_text(message: str) -> str:
    """The text whose vector the model reads, as the exemplar layer chooses it at run time
    (SemanticTriage.check): a negated symptom ("no trouble breathing") or a plain crisis denial
    with everyday stress is removed first, since embeddings ignore negation."""
    from assistant import safety

    folded = safety.normalize(message)
    defused = safety._defuse_denial(safety._NEG.sub(" ", folded))
    return defused if defused != folded else message


def texts(rows: list[dict]) -> list[str]:
    return [r["message"] if r.get("author") == "bank" else model_text(r["message"]) for r in rows]


_ORDINARY_CACHE: list[list[dict]] = []


def _ordinary() -> list[dict]:
    if not _ORDINARY_CACHE:
        _ORDINARY_CACHE.append([r for r in load_ordinary() if english(r["message"])])
    return _ORDINARY_CACHE[0]


def fit(rows: list[dict], bank: list[dict], vectors: Vectors) -> SafetyModel:
    """Class-weighted, L2-regularized multinomial logistic regression (full-batch Adam) on the
    English rows and the bank."""
    matrix, starts, groups = bank_arrays(bank, vectors)
    data = [r for r in rows if english(r["message"])] + _ordinary() + bank
    x = group_features(vectors(texts(data)), matrix, starts).astype(np.float64)
    y = np.array([LABEL[r["expect"]] for r in data])
    w = CLASS_WEIGHT[y] * np.array([ORDINARY_WEIGHT if r["author"] == "visitors" else 1.0 for r in data])
    w = w / w.sum()
    mu, sd = x.mean(axis=0), x.std(axis=0) + 1e-6
    z, onehot = (x - mu) / sd, np.eye(len(CLASSES))[y]
    params = [np.zeros((x.shape[1], len(CLASSES))), np.zeros(len(CLASSES))]
    m1 = [np.zeros_like(p) for p in params]
    m2 = [np.zeros_like(p) for p in params]
    for it in range(1, ITERS + 1):
        logits = z @ params[0] + params[1]
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        p /= p.sum(axis=1, keepdims=True)
        g = (p - onehot) * w[:, None]
        grads = [z.T @ g + L2 * params[0], g.sum(axis=0)]
        for i, grad in enumerate(grads):
            m1[i] = 0.9 * m1[i] + 0.1 * grad
            m2[i] = 0.999 * m2[i] + 0.001 * grad * grad
            params[i] -= LEARNING_RATE * (m1[i] / (1 - 0.9**it)) / (np.sqrt(m2[i] / (1 - 0.999**it)) + 1e-8)
    weights = params[0] / sd[:, None]  # standardization folded in: one product at run time
    bias = params[1] - (mu / sd) @ params[0]
    placeholder = {"emergency": 1.0, "crisis": 1.0, "caution": 1.0}
    return SafetyModel(weights.astype(np.float32), bias.astype(np.float32), matrix, starts, groups, placeholder, {})


def choose_thresholds(probs: np.ndarray, labels: np.ndarray, budget: float = FALSE_ALARM_BUDGET,
                      caution_budget: float = CAUTION_BUDGET) -> dict[str, float]:
    """The (emergency, crisis) pair with the highest urgent recall whose alarms on benign rows
    stay within `budget` (ties: the higher thresholds); the lowest caution threshold that keeps
    the banner within `caution_budget` of benign rows."""
    benign, urgent = labels == 3, labels <= 1
    best = (-1.0, 1.0, 1.0)
    for te in GRID:
        fire_e = probs[:, 0] >= te
        for tc in GRID:
            fired = fire_e | (probs[:, 1] >= tc)
            if benign.any() and fired[benign].mean() > budget:
                continue
            recall = fired[urgent].mean() if urgent.any() else 0.0
            if recall > best[0] + 1e-12 or (abs(recall - best[0]) <= 1e-12 and te + tc > best[1] + best[2]):
                best = (recall, float(te), float(tc))
    ok = [float(t) for t in GRID if not benign.any() or (probs[benign, 2] >= t).mean() <= caution_budget]
    return {"emergency": best[1], "crisis": best[2], "caution": min(ok) if ok else 1.0}


def with_thresholds(model: SafetyModel, thresholds: dict[str, float], meta: dict | None = None) -> SafetyModel:
    return SafetyModel(model.weights, model.bias, model.bank, model.starts, model.groups, thresholds, meta or {})


def out_of_author(rows: list[dict], bank: list[dict], vectors: Vectors, authors: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Probabilities for the rows of `authors`, each author scored by a model trained on the
    others (and the bank)."""
    probs, labels = [], []
    for held in authors:
        model = fit([r for r in rows if r["author"] in authors and r["author"] != held], bank, vectors)
        part = [r for r in rows if r["author"] == held and english(r["message"])]
        probs.append(model.scores(vectors(texts(part))))
        labels.append(np.array([LABEL[r["expect"]] for r in part]))
    return np.vstack(probs), np.concatenate(labels)


def model_verdicts(model: SafetyModel, messages: list[str], vecs: np.ndarray) -> list[str | None]:
    return [(v[0] if english(m) and (v := model.verdict(x)) else None) for m, x in zip(messages, vecs, strict=True)]


def cross_validate(rows: list[dict], bank: list[dict], encode: Encode,
                   baselines: dict[str, Callable[[list[str], np.ndarray], list[str | None]]] | None = None,
                   budget: float = FALSE_ALARM_BUDGET) -> dict[str, dict]:
    """Nested leave-one-author-out. For each author: the model trained on the other authors
    (thresholds from their out-of-author scores), its verdicts on the left-out author, and each
    baseline's verdicts (a callable: messages, vectors -> level or None). Returns, per left-out
    author: {"thresholds", "rows", "verdicts": {layer: [level | None]}}."""
    vectors = Vectors(encode)
    authors = list(dict.fromkeys(r["author"] for r in rows))
    out: dict[str, dict] = {}
    for held in authors:
        train_authors = [a for a in authors if a != held]
        probs, labels = out_of_author(rows, bank, vectors, train_authors)
        thresholds = choose_thresholds(probs, labels, budget)
        model = with_thresholds(fit([r for r in rows if r["author"] != held], bank, vectors), thresholds)
        part = [r for r in rows if r["author"] == held]
        messages = [r["message"] for r in part]
        vecs = vectors(messages)
        verdicts = {"model": model_verdicts(model, messages, vectors(texts(part)))}
        for name, fn in (baselines or {}).items():
            verdicts[name] = fn(messages, vecs)
        out[held] = {"thresholds": thresholds, "rows": part, "verdicts": verdicts}
    return out


def union(*verdicts: list[str | None]) -> list[str | None]:
    """Several layers together: the most severe verdict of any (crisis, emergency, caution)."""
    rank = {"crisis": 0, "emergency": 1, "caution": 2, None: 3}
    return [min(v, key=lambda level: rank[level]) for v in zip(*verdicts, strict=True)]


def figures(rows: list[dict], verdicts: list[str | None]) -> dict[str, tuple[int, int]]:
    """Per key: (hits, n). emergency/crisis -> urgent; caution -> any verdict; benign -> an
    urgent verdict counts as a false alarm (the key "benign false alarms")."""
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for r, v in zip(rows, verdicts, strict=True):
        e, urgent = r["expect"], v in ("emergency", "crisis")
        hit = urgent if e in ("emergency", "crisis") else (v is not None if e == "caution" else urgent)
        keys = [f"{e}:ALL", f"{e}:{r.get('category') or '-'}"]
        if e in ("emergency", "crisis") and r.get("lang", "en") != "en":
            keys.append("urgent:non-English")
        for k in keys:
            out[k][0] += hit
            out[k][1] += 1
    return {k: (a, b) for k, (a, b) in out.items()}


def head_baselines(encode: Encode) -> dict[str, Callable[[list[str], np.ndarray], list[str | None]]]:
    """The shipped layers at this commit: rules alone, the exemplar layer alone, both (one turn)."""
    from assistant.safety import SemanticTriage, triage, triage_turn

    semantic = SemanticTriage.load(encode)

    def level(t) -> str | None:
        return t.category if t is not None else None

    return {
        "rules": lambda ms, vs: [level(triage(m)) for m in ms],
        "exemplars": lambda ms, vs: [level(semantic.check(m, v)) for m, v in zip(ms, vs, strict=True)],
        "rules+exemplars": lambda ms, vs: [level(triage_turn(m, [], semantic, v)) for m, v in zip(ms, vs, strict=True)],
    }


# Run inside a snapshot of assistant/ from an older commit: its own rules and exemplar layer.
SNAPSHOT_SCRIPT = """
import json, sys
from pathlib import Path
from assistant.embed import load_embedder
from assistant.safety import SemanticTriage, triage, triage_turn
from assistant.settings import Settings
repo = Path(sys.argv[1])
emb = load_embedder(Settings.of(corpus_dir=repo / "corpus", index_dir=repo / "index", gap_log_path=None))
sem = SemanticTriage.load(emb.encode)
ms = json.load(sys.stdin)
vs = emb.encode(ms)
lv = lambda t: t.category if t is not None else None
json.dump({"rules": [lv(triage(m)) for m in ms], "exemplars": [lv(sem.check(m, v)) for m, v in zip(ms, vs)],
           "rules+exemplars": [lv(triage_turn(m, [], sem, v)) for m, v in zip(ms, vs)]}, sys.stdout)
"""


def snapshot(commit: str) -> Path:
    """assistant/ as it was at `commit`, in a temporary folder."""
    import io
    import subprocess
    import tarfile
    import tempfile

    data = subprocess.run(["git", "-C", str(REPO), "archive", "--format=tar", commit, "assistant"],
                          check=True, capture_output=True).stdout
    root = Path(tempfile.mkdtemp(prefix=f"safety-{commit[:12]}-"))
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        tar.extractall(root, filter="data")
    return root


def snapshot_baselines(root: Path) -> dict[str, Callable[[list[str], np.ndarray], list[str | None]]]:
    """The rules and exemplar layer of an older snapshot (see snapshot()), run in a subprocess
    that imports that snapshot's package: what a set's first look saw, before fixes it prompted."""
    import os
    import subprocess

    cache: dict[tuple[str, ...], dict[str, list[str | None]]] = {}

    def run(messages: list[str]) -> dict[str, list[str | None]]:
        key = tuple(messages)
        if key not in cache:
            env = {**os.environ, "PYTHONPATH": str(root)}
            out = subprocess.run([sys.executable, "-c", SNAPSHOT_SCRIPT, str(REPO)], input=json.dumps(messages),
                                 capture_output=True, text=True, check=True, cwd=root, env=env).stdout
            cache[key] = json.loads(out)
        return cache[key]

    def layer(name: str) -> Callable[[list[str], np.ndarray], list[str | None]]:
        return lambda messages, vecs: run(messages)[name]

    return {name: layer(name) for name in ("rules", "exemplars", "rules+exemplars")}


SUMMARY_KEYS = (("emergency:ALL", "emergency -> urgent"), ("crisis:ALL", "crisis -> urgent"),
                ("caution:ALL", "caution -> flagged"), ("faq:ALL", "benign false alarms"),
                ("urgent:non-English", "non-English urgent -> urgent"))


def print_table(result: dict[str, dict]) -> None:
    for r in result.values():
        if "rules" in r["verdicts"]:
            r["verdicts"]["rules OR model"] = union(r["verdicts"]["rules"], r["verdicts"]["model"])
        if "rules+exemplars" in r["verdicts"]:
            r["verdicts"]["rules+exemplars OR model"] = union(r["verdicts"]["rules+exemplars"], r["verdicts"]["model"])
    layers = list(next(iter(result.values()))["verdicts"])
    stats = {held: {layer: figures(r["rows"], v) for layer, v in r["verdicts"].items()} for held, r in result.items()}
    print("Leave-one-author-out: each column is an author's sets, scored by a model trained on the other authors")
    print("(thresholds chosen on those authors only). Cells: " + " / ".join(layers) + ".")
    for held, r in result.items():
        print(f"  left out {held}: {len(r['rows'])} rows, thresholds {r['thresholds']}")
    print()
    print("| figure | " + " | ".join(f"{h} (n={len(r['rows'])})" for h, r in result.items()) + " |")
    print("|---|" + "---|" * len(result))
    for key, name in SUMMARY_KEYS:
        cells = []
        for held in result:
            if key not in stats[held][layers[0]]:
                cells.append("")
                continue
            parts = [stats[held][layer][key] for layer in layers]
            cells.append(" / ".join(f"{a / b:.2f}" for a, b in parts) + f" (n={parts[0][1]})")
        print(f"| {name} | " + " | ".join(cells) + " |")
    print()
    print("Per category (left-out author): " + " / ".join(layers))
    for held in result:
        keys = sorted(k for k in stats[held][layers[0]] if not k.endswith(":ALL") and not k.startswith("urgent:"))
        cells = []
        for k in keys:
            parts = [stats[held][layer][k] for layer in layers]
            cells.append(f"{k} " + "/".join(f"{a / b:.2f}" for a, b in parts) + f" n={parts[0][1]}")
        print(f"  {held}: " + "; ".join(cells))


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def train_and_write(rows: list[dict], bank: list[dict], encode: Encode, npz: Path = NPZ, meta_path: Path = META,
                    sources: dict[str, Path] | None = None, embedder_id: dict[str, str] | None = None,
                    budget: float = FALSE_ALARM_BUDGET) -> SafetyModel:
    """The shipped model: weights from every author and the bank; thresholds from all authors'
    out-of-author scores."""
    vectors = Vectors(encode)
    authors = list(dict.fromkeys(r["author"] for r in rows))
    probs, labels = out_of_author(rows, bank, vectors, authors)
    thresholds = choose_thresholds(probs, labels, budget)
    model = fit(rows, bank, vectors)
    sources = sources or {}
    meta = {
        "classes": list(CLASSES),
        "thresholds": thresholds,
        "threshold_rule": (f"highest urgent recall with benign false alarms <= {budget:.0%}, caution banner on "
                           f"<= {CAUTION_BUDGET:.0%} of benign, on leave-one-author-out scores"),
        "hyperparameters": {"l2": L2, "class_weight": dict(zip(CLASSES, CLASS_WEIGHT.tolist(), strict=True)),
                            "iterations": ITERS, "learning_rate": LEARNING_RATE, "ordinary_weight": ORDINARY_WEIGHT},
        "embedder": embedder_id or {},
        "features": f"message vector ({model.dim}) + best cosine similarity to each of {len(model.groups)} bank groups",
        "training_sets": [
            {"name": name, "author": next(r["author"] for r in rows if r["set"] == name),
             "rows": sum(r["set"] == name for r in rows), **({"sha256": sha256(sources[name])} if name in sources else {})}
            for name in dict.fromkeys(r["set"] for r in rows)
        ] + [{"name": name, "author": "visitors (ordinary questions, every fold)",
              "rows": sum(r["set"] == name for r in _ordinary()), "sha256": sha256(REPO / "evals" / name)}
             for name in ORDINARY
        ] + [{"name": "safety_bank.toml", "author": "bank", "rows": len(bank),
              **({"sha256": sha256(sources["safety_bank.toml"])} if "safety_bank.toml" in sources else {})}],
        "bank_levels": {r["group"]: r["expect"] for r in bank},
        "out_of_author": {"urgent_recall": float(((probs[:, 0] >= thresholds["emergency"]) | (probs[:, 1] >= thresholds["crisis"]))[labels <= 1].mean()),
                          "benign_false_alarms": float(((probs[:, 0] >= thresholds["emergency"]) | (probs[:, 1] >= thresholds["crisis"]))[labels == 3].mean())},
        "trainer": "benchmarks/train_safety_model.py",
    }
    npz.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(npz, weights=model.weights, bias=model.bias, bank=model.bank.astype(np.float16), starts=model.starts,
                        groups=np.array(model.groups), classes=np.array(CLASSES))
    meta_path.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return with_thresholds(model, thresholds, meta)


def embedder():
    sys.path.insert(0, str(REPO / "benchmarks"))
    from _common import repo_settings

    from assistant.embed import load_embedder

    return load_embedder(repo_settings())


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--cv", action="store_true", help="print the leave-one-author-out table; write nothing")
    p.add_argument("--at", metavar="COMMIT", help="with --cv: the rules, exemplar layer and bank of an older commit "
                   "(e.g. the one before a set's fixes), for figures on sets that commit had not seen")
    p.add_argument("--bank", type=Path, default=BANK)
    p.add_argument("--budget", type=float, default=FALSE_ALARM_BUDGET,
                   help="largest share of benign messages the model may alarm on (default %(default)s); 0.03 halves "
                        "the alarms on a new author's tricky benign set at some recall (README)")
    p.add_argument("--out", type=Path, default=NPZ, help="the .npz (the .json is written beside it)")
    a = p.parse_args(argv)
    rows, bank = load_rows(), load_bank(a.bank)
    emb = embedder()
    if a.cv and a.at:
        root = snapshot(a.at)
        print(f"rules, exemplar layer and bank as of {a.at} (the model learns that bank too)")
        bank = load_bank(root / "assistant" / "data" / "safety_bank.toml")
        print_table(cross_validate(rows, bank, emb.encode, snapshot_baselines(root), a.budget))
        return
    if a.cv:
        print_table(cross_validate(rows, bank, emb.encode, head_baselines(emb.encode), a.budget))
        return
    sources = {name: REPO / "evals" / name for files in AUTHORS.values() for name in files}
    sources["safety_bank.toml"] = a.bank
    model = train_and_write(rows, bank, emb.encode, a.out, a.out.with_suffix(".json"), sources,
                            {"name": emb.name, "fingerprint": emb.fingerprint}, a.budget)
    print(f"wrote {a.out} and {a.out.with_suffix('.json')}: thresholds {model.thresholds}, "
          f"out-of-author {model.meta['out_of_author']}")


if __name__ == "__main__":
    main()
