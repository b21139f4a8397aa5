"""The English word-frequency table (assistant/vocab.py) as compact arrays: the same answers as the
dict it replaced, for every word, in a fraction of the memory (issue 16)."""

import gzip
import json
import subprocess
import sys
from importlib.util import find_spec
from pathlib import Path

import msgpack

from assistant import vocab
from assistant.vocab import WORDFREQ_DATA, ZIPF_FLOOR, WordFrequencies, zipf


def the_dict_it_replaced() -> dict[str, float]:
    """wordfreq's file read the way vocab.py did before (a dict, first bin wins)."""
    path = Path(list(find_spec("wordfreq").submodule_search_locations)[0]).joinpath(*WORDFREQ_DATA)
    with gzip.open(path) as f:
        header, *bins = msgpack.load(f, raw=False)
    table: dict[str, float] = {}
    for i, words in enumerate(bins):
        z = round(9 - i / 100, 2)
        if z <= ZIPF_FLOOR:
            break
        for w in words:
            table.setdefault(w, z)
    return table


def test_every_word_of_the_old_table_gets_the_same_value():
    old = the_dict_it_replaced()
    new = vocab._frequencies()
    assert new is not None and len(new) == len(old) > 40_000
    assert all(new.get(w) == z for w, z in old.items())
    assert sorted(new) == sorted(old)
    for w in ("qwzx", "", "massagee", "MASSAGE", "ωμέγα", "a" * 300):  # not in it (zipf() lowercases first)
        assert new.get(w) == old.get(w, 0.0), w
    assert zipf("MASSAGE") == old["massage"] and zipf("qwzx") == 0.0


def test_a_word_listed_twice_keeps_its_first_bin_and_collisions_are_told_apart(monkeypatch):
    table = WordFrequencies.of([(5.0, ["knee", "back"]), (4.0, ["neck", "knee"]), (3.0, [])])
    assert (table.get("knee"), table.get("back"), table.get("neck"), len(table)) == (5.0, 5.0, 4.0, 3)
    monkeypatch.setattr(vocab, "hash", lambda w: 7, raising=False)  # every word the same hash
    clash = WordFrequencies.of([(5.0, ["knee", "back"]), (4.0, ["neck", "knee"])])
    assert (clash.get("knee"), clash.get("back"), clash.get("neck"), clash.get("hip"), len(clash)) == (5.0, 5.0, 4.0, 0.0, 3)
    assert sorted(clash) == ["back", "knee", "neck"]


def test_the_table_is_small_in_memory_and_never_imports_wordfreq():
    """Resident memory of the table in a fresh process (measured +3 MB; the dict it replaced
    was +30 MB and `import wordfreq` alone +7 MB)."""
    code = (
        "import json, sys; from pathlib import Path; import numpy, msgpack, gzip; from assistant import vocab;"
        "rss = lambda: int(Path('/proc/self/status').read_text().split('VmRSS:')[1].split()[0]) / 1024;"
        "before = rss(); vocab.zipf('massage');"
        "print(json.dumps({'grew': rss() - before, 'wordfreq': 'wordfreq' in sys.modules}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got["grew"] < 10 and not got["wordfreq"], got
