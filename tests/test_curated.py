import shutil
from pathlib import Path

import pytest

from assistant.corpus import load_faq
from assistant.curated import check_faq, parse_faq, placeholders
from assistant.errors import FaqError
from tests.support import filled_faq

REPO = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


def test_sample_faq_stays_out_of_the_live_corpus():
    assert not (REPO / "corpus" / "faq.md").exists()
    entries = parse_faq((REPO / "docs" / "faq.example.md").read_text())
    assert len(entries) >= 3 and all(e.answer.startswith("[") for e in entries)  # placeholders only


def test_the_unedited_example_is_refused_with_file_and_line():
    text = (REPO / "docs" / "faq.example.md").read_text()
    with pytest.raises(FaqError) as e:
        check_faq(text, "corpus/faq.md")
    line = next(n for n, t in enumerate(text.splitlines(), 1) if t.startswith("[Our opening hours"))
    msg = str(e.value)
    assert msg.startswith(f'corpus/faq.md:{line}: the answer to "What are your opening hours?" still holds the placeholder [Our opening hours')
    assert msg.endswith("(4 more placeholders in this file)") and "\n" not in msg
    assert len(check_faq(filled_faq(text), "corpus/faq.md")) == len(parse_faq(text))


def test_links_and_prices_are_not_placeholders():
    assert placeholders("Book [online](https://example.com/book), see ![map](m.png) or [our page][1]. $60 [2]") == []
    assert placeholders("Open [hours here] and [X].") == ["[hours here]"]


@pytest.fixture(scope="module")
def faq_bot(tmp_path_factory, embedder):
    from assistant.pipeline import Assistant
    from assistant.settings import Settings

    root = tmp_path_factory.mktemp("faq")
    shutil.copytree(REPO / "corpus", root / "corpus")
    # As staff would after editing the example: the build refuses unedited placeholders.
    (root / "corpus" / "faq.md").write_text(filled_faq((REPO / "docs" / "faq.example.md").read_text()))
    return Assistant.load(Settings.of(corpus_dir=root / "corpus", index_dir=root / "index"), embedder=embedder)


def test_curated_answer_is_verbatim_and_cited(faq_bot):
    d = faq_bot.ask("when are you open on saturdays?").to_dict()
    entry = load_faq(faq_bot.settings.paths.corpus_dir)[0]
    assert d["status"] == "answered"
    assert d["answer"] == f"{entry.answer} [1]"
    c = d["citations"][0]
    assert c["chunk_id"] == "faq#0" and c["doc"] == "corpus/faq.md" and c["text"] == entry.answer
    assert c["section"] == "What are your opening hours?" and d["notice"]


def test_article_questions_do_not_hit_curated(faq_bot):
    d = faq_bot.ask("Can massage help with migraines?").to_dict()
    assert d["status"] == "answered" and not d["citations"][0]["chunk_id"].startswith("faq#")


def test_triage_still_runs_first(faq_bot):
    assert faq_bot.ask("I took too many pills, are you open now?").status == "urgent"


def test_paraphrase_calibration(faq_bot):
    from assistant.evaluate import run_curated_eval

    r = run_curated_eval(faq_bot)
    assert r["n"] >= 40
    assert r["accuracy"] >= 0.85 and r["wrong_matches"] <= 2, r["misses"]


def test_editing_faq_marks_index_stale(faq_bot, tmp_path):
    from assistant.build import check_fresh
    from assistant.errors import IndexMismatchError

    faq = faq_bot.settings.paths.corpus_dir / "faq.md"
    original = faq.read_text()
    try:
        faq.write_text(original + "\n## Do you have parking?\n\n[Parking details.]\n")
        with pytest.raises(IndexMismatchError, match=r"changed: corpus/faq.md"):
            check_fresh(faq_bot.index, faq_bot.settings.paths.corpus_dir)
    finally:
        faq.write_text(original)
