from pathlib import Path

import pytest

from assistant.chunk import (
    MODEL_WINDOW,
    ModelTokenCounter,
    WordCounter,
    chunk_document,
    split_sentences,
)
from assistant.corpus import load_corpus
from assistant.errors import CorpusError
from assistant.ingest import load_document, parse_html, txt_to_markdown

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO.parent / "shared" / "seeds"


def test_corpus_has_five_clean_articles():
    docs = load_corpus(REPO / "corpus")
    assert len(docs) == 5
    for d in docs:
        assert d.title and len(d.sections) >= 3
        text = " ".join(p for s in d.sections for p in s.paragraphs)
        for junk in ("Leave a Reply", "Your email address", "nellamarievtonder", "3 min read"):
            assert junk not in text


@pytest.mark.skipif(not SEEDS.is_dir(), reason="seeds live outside the repo")
def test_corpus_text_is_verbatim_from_seeds():
    seeds = " ".join(p.read_text() for p in SEEDS.glob("*.txt"))
    for d in load_corpus(REPO / "corpus"):
        for s in d.sections:
            for p in s.paragraphs:
                assert p in seeds, p[:60]


def test_txt_conversion_drops_web_leftovers():
    md = txt_to_markdown("Title\n- someone\n- Oct 6\n- 3 min read\nBody one.\nA Heading\nBody two.\nLeave a Reply\nspam")
    assert md.splitlines()[0] == "# Title"
    assert "## A Heading" in md and "spam" not in md and "Oct 6" not in md


def test_html_document(tmp_path):
    f = tmp_path / "page.html"
    f.write_text("<html><head><title>T</title><script>x()</script></head><body><h1>Care</h1>"
                 "<h2>After</h2><p>Drink <b>water</b>.</p><nav>menu</nav><ul><li>Rest well.</li></ul></body></html>")
    d = load_document(f, tmp_path)
    assert d.title == "Care"
    assert d.sections[0].heading == "After"
    assert d.sections[0].paragraphs == ("Drink water.", "Rest well.")
    assert parse_html("<p>x</p>", path="c/p.html").title == "P"


def test_empty_corpus_error(tmp_path):
    with pytest.raises(CorpusError, match="no documents in .*: add .md, .txt or .html files"):
        load_corpus(tmp_path)
    with pytest.raises(CorpusError, match="does not exist"):
        load_corpus(tmp_path / "nope")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("One. Two!", ["One.", "Two!"]),
        ("See e.g. the neck. Then rest.", ["See e.g. the neck.", "Then rest."]),
        ("From 30 minutes to 1 hour. Ok", ["From 30 minutes to 1 hour.", "Ok"]),
        ("eacuwell.com. The therapy works.", ["eacuwell.com.", "The therapy works."]),
    ],
)
def test_split_sentences(text, expected):
    assert [text[a:b] for a, b in split_sentences(text)] == expected


@pytest.mark.slow
def test_chunks_fit_model_window_and_keep_structure(embedder):
    counter = ModelTokenCounter(embedder.path)
    for doc in load_corpus(REPO / "corpus"):
        chunks = chunk_document(doc, counter, max_tokens=200, min_tokens=40)
        for c in chunks:
            assert counter.count(c.embed_text) <= 200 < MODEL_WINDOW
            assert c.section and c.title == doc.title
            assert c.id == f"{doc.slug}#{c.position}"
            # sentence spans tile the passage text
            assert all(c.text[a:b].strip() == c.text[a:b] for a, b in c.sentences)
            assert "".join(c.text[a:b] for a, b in c.sentences).replace(" ", "") == c.text.replace(" ", "").replace("\n", "")
        again = chunk_document(doc, counter, max_tokens=200, min_tokens=40)
        assert [c.id for c in again] == [c.id for c in chunks]


def test_long_paragraph_is_split_at_sentences():
    from assistant.ingest import parse_markdown

    para = " ".join(f"Sentence number {i} is about neck muscles." for i in range(60))
    doc = parse_markdown(f"# T\n\n## S\n\n{para}\n", path="corpus/t.md")
    chunks = chunk_document(doc, WordCounter(), max_tokens=100, min_tokens=20)
    assert len(chunks) > 3
    assert all(WordCounter().count(c.embed_text) <= 100 for c in chunks)
    assert " ".join(c.text for c in chunks) == para
