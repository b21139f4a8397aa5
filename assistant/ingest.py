"""Read the clinic's documents (`.md`, `.txt`, `.html`) into clean, structured Documents.

The text of every paragraph is kept verbatim: answers quote it, so ingestion only drops
web leftovers (comment forms, bylines) and markup, never rewrites prose.

    >>> doc = parse_markdown("# Title\\n\\n## Section\\n\\nOne. Two.\\n", path="corpus/t.md")
    >>> doc.title, doc.sections[0].heading, doc.sections[0].paragraphs
    ('Title', 'Section', ('One. Two.',))
"""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from .errors import DocumentError

# Where web pages end and the comment form or footer begins; everything after is dropped.
_TAIL_MARKERS = re.compile(
    r"^(leave a reply|leave a comment|comments?|\d+ comments?|share this:?|related posts?)\s*$",
    re.I,
)
_BYLINE = re.compile(
    r"^(-\s*)?(by\s+\S.*|[a-z0-9._]+|\w{3,9}\.? \d{1,2}(, \d{4})?|\d+\s*min(ute)?s? read|posted on .*)$",
    re.I,
)


@dataclass(frozen=True)
class Section:
    heading: str
    paragraphs: tuple[str, ...]


@dataclass(frozen=True)
class Document:
    path: str  # as cited, e.g. "corpus/benefits-of-medical-massage.md"
    slug: str
    title: str
    sections: tuple[Section, ...]
    sha256: str


def slugify(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:80] or "document"


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def load_document(path: Path, corpus_dir: Path | None = None) -> Document:
    """Read and parse one document. Raises DocumentError (cited path + one-line problem)
    when it is not UTF-8 or has no readable text; OSError when it cannot be read at all."""
    raw = path.read_bytes()
    cited = cited_path(path, corpus_dir or path.parent)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DocumentError(cited, "not UTF-8 text: save it as UTF-8 and rebuild") from exc
    suffix = path.suffix.lower()
    if suffix == ".md":
        doc = parse_markdown(text, path=cited, raw=raw)
    elif suffix == ".txt":
        doc = parse_markdown(txt_to_markdown(text), path=cited, raw=raw)
    else:
        doc = parse_html(text, path=cited, raw=raw)
    if not any(s.paragraphs for s in doc.sections):
        raise DocumentError(cited, "has no readable text: check the file or remove it")
    return doc


def cited_path(path: Path, corpus_dir: Path) -> str:
    """How answers cite a file: `<corpus folder name>/<file name>`, e.g. "corpus/neck.md"."""
    return f"{Path(corpus_dir).name}/{path.name}"


def _clean_inline(text: str) -> str:
    """Drop Markdown markup that a visitor should not see; the words stay as written."""
    text = re.sub(r"!\[([^\]]*)\]\([^)]*\)", r"\1", text)  # images: keep alt text only
    text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text)  # links: keep the link text
    text = re.sub(r"(\*\*|__)(.+?)\1", r"\2", text)
    text = re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])", r"\1", text)
    text = re.sub(r"`([^`]+)`", r"\1", text)
    text = re.sub(r"<[^>]+>", "", text)
    return re.sub(r"\s+", " ", text).strip()


def parse_markdown(text: str, *, path: str, raw: bytes | None = None) -> Document:
    title = ""
    sections: list[Section] = []
    heading = ""
    paragraphs: list[str] = []
    buf: list[str] = []

    def flush_para() -> None:
        if buf:
            para = _clean_inline(" ".join(buf))
            if para:
                paragraphs.append(para)
            buf.clear()

    def flush_section() -> None:
        flush_para()
        if paragraphs:
            sections.append(Section(heading, tuple(paragraphs)))
        paragraphs.clear()

    for line in text.splitlines():
        stripped = line.strip()
        m = re.match(r"^(#{1,6})\s+(.*?)\s*#*$", stripped)
        if m:
            level, words = len(m.group(1)), _clean_inline(m.group(2))
            if level == 1 and not title:
                flush_section()
                title = words
            else:
                flush_section()
                heading = words
            continue
        if not stripped:
            flush_para()
            continue
        item = re.match(r"^([-*+]|\d+[.)])\s+(.*)$", stripped)
        if item:  # each list item is its own paragraph: it reads as one statement
            flush_para()
            buf.append(item.group(2))
            flush_para()
            continue
        buf.append(stripped)
    flush_section()
    stem = path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    title = title or stem.replace("-", " ").replace("_", " ").strip().capitalize()
    return Document(
        path=path,
        slug=slugify(stem),
        title=title,
        sections=tuple(s if s.heading else Section(title, s.paragraphs) for s in sections),
        sha256=sha256_bytes(raw if raw is not None else text.encode()),
    )


def _looks_like_heading(line: str) -> bool:
    words = line.split()
    return (
        0 < len(words) <= 14
        and len(line) <= 100
        and line[0].isupper()
        and not re.search(r"[.!:;,]$", line)
    )


def txt_to_markdown(text: str) -> str:
    """Plain text pasted from a web page -> Markdown with a title and section headings.

    Headings are the short lines without closing punctuation between paragraphs; the first
    line is the title. Comment forms, bylines and repeated titles are dropped.

    >>> print(txt_to_markdown("My Title\\n- jane\\n- Oct 6\\nBody text here.\\nShort Heading\\nMore text.\\nComments"))
    # My Title
    <BLANKLINE>
    Body text here.
    <BLANKLINE>
    ## Short Heading
    <BLANKLINE>
    More text.
    <BLANKLINE>
    """
    lines = [ln.strip() for ln in text.replace("\r\n", "\n").split("\n")]
    lines = [ln for ln in lines if ln]
    for i, ln in enumerate(lines):
        if _TAIL_MARKERS.match(ln):
            lines = lines[:i]
            break
    if not lines:
        return ""
    title, body = lines[0], lines[1:]
    # Bylines ("- author", "- Oct 6", "- 3 min read") sit right under the title.
    while body and len(body[0]) < 40 and _BYLINE.match(body[0]):
        body = body[1:]
    out = [f"# {title}", ""]
    for ln in body:
        if ln == title:
            continue
        if _looks_like_heading(ln):
            out += [f"## {ln}", ""]
        else:
            out += [ln, ""]
    return "\n".join(out)


class _HTMLText(HTMLParser):
    _SKIP = {"script", "style", "nav", "footer", "header", "aside", "form", "noscript"}
    _BLOCKS = {"p", "li", "blockquote", "td", "dd"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self._skip = 0
        self._tag: str | None = None
        self._buf: list[str] = []
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self._skip += 1
        elif tag == "title":
            self._in_title = True
        elif tag in self._BLOCKS or re.fullmatch(r"h[1-6]", tag):
            self._flush()
            self._tag = tag
        elif tag == "br":
            self._buf.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            self._skip = max(0, self._skip - 1)
        elif tag == "title":
            self._in_title = False
        elif tag == self._tag:
            self._flush()

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        elif not self._skip and self._tag:
            self._buf.append(data)

    def _flush(self) -> None:
        text = re.sub(r"\s+", " ", "".join(self._buf)).strip()
        if text and self._tag:
            if self._tag == "h1":
                self.lines.append(f"# {text}")
            elif self._tag.startswith("h"):
                self.lines.append(f"## {text}")
            else:
                self.lines.append(text.replace("#", "\\#") if text.startswith("#") else text)
        self._buf = []
        self._tag = None


def parse_html(text: str, *, path: str, raw: bytes | None = None) -> Document:
    parser = _HTMLText()
    parser.feed(text)
    parser.close()
    lines = parser.lines
    if not any(ln.startswith("# ") for ln in lines) and parser.title.strip():
        lines = [f"# {html.unescape(parser.title.strip())}", *lines]
    return parse_markdown("\n\n".join(lines), path=path, raw=raw if raw is not None else text.encode())
