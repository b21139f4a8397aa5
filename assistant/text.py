"""Small text utilities shared by lexical retrieval, abstention and follow-up handling.

    >>> terms("Would a massage help my aching shoulders?")
    ['ach', 'shoulder']
"""

from __future__ import annotations

import re

# Bumped whenever `terms` changes (stop words, stemming): builds store every passage's and
# sentence's terms, and an index whose terms came from another version is rebuilt.
TERMS_VERSION = 1

STOPWORDS = frozenset(
    ["a", "about", "above", "after", "again", "against", "all", "am", "an", "and", "any", "are", "aren't", "as", "at", "be", "because", "been", "before", "being", "below", "between", "both", "but", "by", "can", "can't", "cannot", "could", "couldn't", "did", "didn't", "do", "does", "doesn't", "doing", "don't", "down", "during", "each", "few", "for", "from", "further", "get", "gets", "getting", "got", "had", "hadn't", "has", "hasn't", "have", "haven't", "having", "he", "her", "here", "hers", "herself", "him", "himself", "his", "how", "i", "i'd", "i'll", "i'm", "i've", "if", "in", "into", "is", "isn't", "it", "it's", "its", "itself", "just", "let's", "me", "more", "most", "much", "my", "myself", "no", "nor", "not", "now", "of", "off", "on", "once", "only", "or", "other", "ought", "our", "ours", "ourselves", "out", "over", "own", "same", "she", "should", "shouldn't", "so", "some", "such", "than", "that", "that's", "the", "their", "theirs", "them", "themselves", "then", "there", "there's", "these", "they", "this", "those", "through", "to", "too", "under", "until", "up", "very", "was", "wasn't", "we", "we're", "were", "weren't", "what", "what's", "when", "where", "which", "while", "who", "whom", "why", "will", "with", "won't", "would", "wouldn't", "you", "you're", "your", "yours", "yourself", "yourselves", "also", "really", "please", "thanks", "thank", "hi", "hello", "hey", "okay", "ok", "yes", "yeah", "want", "need", "know", "tell", "like", "well", "anything", "something", "thing", "things", "any", "way", "ways", "us", "let", "lot", "lots", "kind", "massage", "massages", "massaging", "help", "helps", "helping", "good", "bad", "im", "ive", "id", "ill", "youre", "theyre", "whats", "thats", "theres", "dont", "doesnt", "didnt", "cant", "wont", "isnt", "arent", "wouldnt", "shouldnt", "cna", "teh", "hte", "waht", "wat", "hwo", "masage", "massge", "massag", "masssage", "mesage", "massaje"]
)
# "massage" and "help" are in every question and every passage: they carry no signal for
# ranking or for deciding whether the documents cover a topic. Apostrophe-less forms and
# frequent typos of function words ("cna", "waht", "masage") are listed so they do not count
# as topics the documents "never mention".

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def stem(word: str) -> str:
    """A deliberately light suffix stripper: consistent on both sides is all BM25 needs."""
    w = word
    if w.endswith("'s"):
        w = w[:-2]
    if len(w) > 4 and w.endswith("ies"):
        return w[:-3] + "y"
    if len(w) > 5 and w.endswith("ing"):
        w = w[:-3]
    elif len(w) > 4 and w.endswith("ed") and not w.endswith("eed") or len(w) > 3 and w.endswith("es") and w[-3] in "sxz":
        w = w[:-2]
    elif len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    if len(w) > 3 and w.endswith("e"):
        w = w[:-1]
    return w


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower().replace("’", "'"))


def terms(text: str) -> list[str]:
    """Content-word stems: lower-cased, stop words dropped."""
    return [stem(w) for w in words(text) if w not in STOPWORDS and len(w) > 1]


# Visitor words -> the words the articles use. Query expansion only: it lets BM25 and the
# "never mentioned" check see that "appointment" means a session, not a new topic.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "appointment": ("session",), "appointments": ("session",), "visit": ("session",), "treatment": ("session",),
    "water": ("hydrated",), "drink": ("hydrated",), "hydrate": ("hydrated",), "fluids": ("hydrated",),
    "physio": ("physiotherapy", "physical therapy"), "pt": ("physical therapy",),
    "hurt": ("pain", "discomfort"), "hurts": ("pain", "discomfort"), "painful": ("pain",), "sore": ("soreness",),
    "stiff": ("stiffness", "tight"), "knot": ("knots",), "doc": ("doctor",), "gp": ("doctor",),
    "anxious": ("anxiety",), "depressed": ("depression",), "tired": ("fatigue",), "exhausted": ("fatigue",),
    "sleep": ("sleep", "insomnia"), "cant sleep": ("insomnia",), "workout": ("workout", "exercise"),
    "gym": ("exercise", "workout"), "running": ("exercise", "athlete"), "runner": ("athlete",),
    "jaw": ("jaw", "tmj"), "flexible": ("flexibility",), "bendy": ("flexibility",),
    "lymph": ("lymphatic",), "detox": ("toxins",), "focus": ("focus", "clarity"), "concentrate": ("focus", "clarity"),
}


def expand(word: str) -> tuple[str, ...]:
    """The corpus words a visitor's word may stand for (itself included)."""
    return SYNONYMS.get(word, ()) + (word,)
