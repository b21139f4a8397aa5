"""Safety triage, run on the full text of every turn before anything else.

Three layers, each recorded in `Triage.layer`:

- **rules**: deterministic word lists and patterns (auditable, no model that can drift), run on
  normalized text: Unicode NFKC, format characters (zero-width, bidi controls) removed, case
  folded, accents stripped, look-alike Cyrillic/Greek letters and leetspeak folded, apostrophes
  dropped; chat shorthand ("rn", "n") and a letter split off a word ("ches t") are read in a second
  spelling. Chinese, Japanese and Korean are matched on their own folded text, Russian, Arabic and
  Hindi on theirs (`fold_native`). The rules deliberately over-trigger: missing an emergency costs
  far more than a cautious reply.
- **semantic**: the question vector (the one the pipeline already computed) is compared with a
  bank of exemplars per category (`assistant/data/safety_bank.toml`, which staff can read and
  extend); a chatty message is also read clause by clause when it is near anything urgent.
  Thresholds were calibrated on the training splits only (`evals/safety_train.jsonl`,
  `evals/safety_blind_train.jsonl`, `evals/safety_blind2.jsonl`, `evals/safety_blind3.jsonl`); the
  `evals/safety_holdout*.jsonl` sets are never calibrated on.
- **context**: the safety state of earlier user turns: a follow-up to an urgent turn keeps the
  urgent reply; a follow-up to a caution topic keeps the caution.

    >>> triage("my chest is tight and my arm went numb").rule
    'heart-attack-signs'
    >>> triage("Can massage help with migraines?") is None
    True
    >>> triage("I don't have any chest pain, I just want a relaxing massage") is None
    True
"""

from __future__ import annotations

import re
import threading
import tomllib
import unicodedata
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path
from typing import Literal

import numpy as np

from .query import user_turns
from .safety_model import SafetyModel
from .settings import Settings

Category = Literal["emergency", "crisis", "caution"]
Layer = Literal["rules", "semantic", "context", "model"]

_CONFUSABLES = str.maketrans(
    {
        # Cyrillic and Greek letters that look Latin (lower case: applied after casefold).
        "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p",
        "с": "c", "т": "t", "у": "y", "х": "x", "і": "i", "ї": "i", "ј": "j", "ѕ": "s", "ԁ": "d",
        "һ": "h", "ӏ": "l", "ԛ": "q", "ԝ": "w", "ɡ": "g", "ո": "n", "ս": "u",
        "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p",
        "τ": "t", "υ": "u", "χ": "x", "ω": "w", "γ": "y", "ς": "s", "σ": "o",
        "ı": "i", "ł": "l", "ø": "o", "đ": "d", "ß": "ss", "æ": "ae", "œ": "oe",
    }
)
# Chat shorthand, as whole tokens, read before leetspeak ("b4" is "before", not "ba").
_CHAT = {"rn": "right now", "n": "and", "u": "you", "ur": "your", "r": "are", "b4": "before", "bc": "because", "cuz": "because",
         "coz": "because", "tmrw": "tomorrow", "tmr": "tomorrow", "2nite": "tonight", "tonite": "tonight", "2day": "today",
         "pls": "please", "plz": "please", "ppl": "people", "w/": "with", "w/o": "without", "abt": "about",
         "smth": "something", "sth": "something", "sb": "somebody", "rly": "really", "srsly": "seriously", "gf": "girlfriend",
         "bf": "boyfriend", "hubby": "husband", "wud": "would", "cud": "could", "shud": "should", "thru": "through", "ded": "dead",
         "w": "with", "bout": "about", "idk": "i dont know", "tbh": "to be honest"}
_LEET = {"0": "o", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "@": "a", "$": "s", "!": "i", "+": "t"}
# Han, kana and Hangul: matched as text, not as a-z words.
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")


def _strip_format(text: str) -> str:
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf")  # zero-width, bidi


def _fold(text: str) -> str:
    text = _strip_format(unicodedata.normalize("NFKC", text))
    text = text.casefold().translate(_CONFUSABLES)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return unicodedata.normalize("NFKC", text).casefold().translate(_CONFUSABLES)


_DROPPED_G = re.compile(r"^([a-z]{2,}[b-df-hj-np-tv-z]in)([.,!?;:]*)$")


def normalize(text: str, one: str = "i", chat: bool = False) -> str:
    """Fold a message to plain lower-case ASCII-ish words for matching. `chat`: also expand chat
    shorthand ("rn", "n", "u", "b4") and re-attach a letter split off a word ("ches t pain").

    >>> normalize("I'm ｔｈｉｎｋｉｎｇ of ending it a\\u200bll, su1c1de")
    'im thinking of ending it all suicide'
    """
    text = _fold(text)
    text = re.sub(r"['’`´‘]", "", text)
    if re.search(r"[a-z] {2,}[a-z]", text) and re.search(r"(?:\b[a-z] ){3,}[a-z]\b", text):
        # letters spaced out, words by wider gaps ("c a n t   b r e a t h e"): join each word's letters
        text = re.sub(r"(?<!\S)(?:[a-z] )+[a-z](?!\S)", lambda m: m.group().replace(" ", ""), text)
    tokens = []
    for tok in re.split(r"\s+", text):
        if chat:  # "rn" -> "right now", "b4" -> "before" (read before leetspeak); a dropped g ("thinkin", "endin")
            tok = _CHAT.get(tok.strip(".,!?;:"), tok)
            if "in" in tok:
                tok = _DROPPED_G.sub(r"\1g\2", tok)
        # a number with its unit ("800mg", "3yo", "40mins") is not leetspeak
        if re.search(r"[a-z]", tok) and re.search(r"[0-9@$!+]", tok) and not re.fullmatch(r"\d+([.,]\d+)?[a-z]{1,5}[.,!?]*", tok):
            tok = "".join(_LEET.get(ch, one if ch == "1" else ch) for ch in tok)
        tokens.append(tok)
    text = " ".join(tokens)
    text = re.sub(r"[^a-z0-9]+", " ", text)
    text = re.sub(r"([a-z])\1{2,}", r"\1", text)  # "heeeelp" -> "help", "painnnn" -> "pain"
    # s u i c i d e -> suicide, c.h.e.s.t p.a.i.n -> chestpain (rules accept "chest ?pain")
    text = re.sub(r"\b(?:[a-z] ){3,}[a-z]\b", lambda m: m.group().replace(" ", ""), text)
    if chat:  # a stray space inside a word: "ches t", "pai n" (not "a", "i": real one-letter words)
        text = re.sub(r"\b([a-z]{2,}) ([b-hj-z])\b", r"\1\2", text)
    return re.sub(r"\s+", " ", text).strip()


def fold_cjk(text: str) -> str:
    """Chinese/Japanese text for matching: NFKC (full-width forms), no format characters, no spaces
    or punctuation. `normalize()` would strip these scripts entirely.

    >>> fold_cjk("胸が 痛い！")
    '胸が痛い'
    """
    text = _strip_format(unicodedata.normalize("NFKC", text)).casefold()
    return "".join(ch for ch in text if unicodedata.category(ch)[0] in "LN")


# Cyrillic, Arabic and Devanagari: matched on their own letters (`fold_native`), not as a-z words.
_NATIVE = re.compile(r"[\u0400-\u04ff\u0600-\u06ff\u0900-\u097f]")
_ARABIC_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ё": "е", "ـ": None})


def fold_native(text: str) -> str:
    """Russian, Arabic and Hindi text for matching: NFKC, no format characters, case folded,
    Arabic short vowels and tatweel dropped and alef/ya/ta-marbuta variants unified, "ё" read as
    "е", punctuation as single spaces (Devanagari vowel signs are kept: they are letters there).

    >>> fold_native("Я хочу УМЕРЕТЬ!"), fold_native("أُريدُ أنْ أموت")
    ('я хочу умереть', 'اريد ان اموت')
    """
    text = _strip_format(unicodedata.normalize("NFKC", text)).casefold()
    text = re.sub(r"[\u064b-\u065f\u0670]", "", text).translate(_ARABIC_FOLD)
    text = "".join(ch if unicodedata.category(ch)[0] in "LNM" else " " for ch in text)
    return re.sub(r"\s+", " ", text).strip()


def _nfkc(*patterns: str) -> tuple[str, ...]:
    """Native-script patterns in the same normal form as `fold_native` text (Devanagari nukta
    letters decompose under NFKC)."""
    return tuple(unicodedata.normalize("NFKC", p).translate(_ARABIC_FOLD) for p in patterns)


def _lenient_lookaheads(pattern: str) -> str:
    """Double letters inside a pattern's negative look-aheads also match single ("(?! el flequillo)"
    -> "(?! el flequil+o)"): a message is also read with double letters collapsed ("paiin" -> "pain"),
    and on that reading an exclusion spelled with a double letter was lost, so "me corto el
    flequillo" (a fringe trim) was read as self-harm."""
    out, i = [], 0
    while (start := pattern.find("(?!", i)) != -1:
        depth, j = 0, start
        while j < len(pattern):
            if pattern[j] == "\\":
                j += 2
                continue
            depth += pattern[j] == "("
            depth -= pattern[j] == ")"
            if depth == 0:
                break
            j += 1
        group = pattern[start:j + 1]
        if "(?<" not in group:
            group = re.sub(r"(?<!\\)([a-z])\1", r"\1+", group)
        out.append(pattern[i:start] + group)
        i = j + 1
    return "".join(out) + pattern[i:]


@dataclass(frozen=True)
class Rule:
    id: str
    category: Category
    any: tuple[str, ...] = ()  # one of these suffices
    all: tuple[str, ...] = ()  # all of these together
    unless: tuple[str, ...] = ()  # any of these suppresses the rule
    # A benign explanation ("from bench pressing") suppresses the rule only when no red flag is
    # also present: "tight chest muscles from the gym" is not urgent, "... and sweating" is.
    excuse: tuple[str, ...] = ()
    red_flags: tuple[str, ...] = ()
    lang: str | None = None  # set for rules written in another language
    script: Literal["latin", "cjk", "native"] = "latin"  # native: Cyrillic, Arabic, Devanagari (`fold_native`)
    # A family written for several languages in one rule (one regex search instead of one per
    # language): the language of each `any` pattern, in order; the one that matched names the language.
    pattern_langs: tuple[str, ...] = ()

    @cached_property
    def _compiled(self) -> tuple[re.Pattern[str] | None, ...]:
        def alt(ps: tuple[str, ...]) -> re.Pattern[str] | None:
            return re.compile("|".join(f"(?:{p})" for p in ps)) if ps else None

        return tuple(alt(tuple(map(_lenient_lookaheads, ps))) for ps in (self.any, self.unless, self.excuse, self.red_flags))

    @cached_property
    def _all(self) -> tuple[re.Pattern[str], ...]:
        return tuple(re.compile(_lenient_lookaheads(p)) for p in self.all)

    def suppressed(self, text: str) -> bool:
        _, unless_re, excuse_re, flags_re = self._compiled
        if unless_re and unless_re.search(text):
            return True
        return bool(excuse_re and excuse_re.search(text) and not (flags_re and flags_re.search(text)))

    def hits(self, text: str) -> bool:
        any_re = self._compiled[0]
        if any_re and any_re.search(text):
            return True
        return bool(self._all) and all(r.search(text) for r in self._all)

    def matches(self, text: str) -> bool:
        return self.hits(text) and not self.suppressed(text)

    def matches_any(self, texts: Iterable[str]) -> bool:
        """Several spellings of one message: a hit in any, unless any of them is suppressed
        (the de-duplicated "slep" must not lose the excuse that "sleep" carries)."""
        texts = tuple(texts)
        return any(self.hits(t) for t in texts) and not any(self.suppressed(t) for t in texts)


@dataclass(frozen=True)
class Triage:
    category: Category
    rule: str  # rule id (rules layer) or exemplar group id (semantic layer)
    layer: Layer = "rules"
    exemplar: str | None = None  # the bank sentence that fired (semantic layer)
    score: float | None = None  # cosine similarity to that exemplar
    lang: str | None = None  # language of the matching rule, when not English
    turns_ago: int | None = None  # context layer: how many user turns back the topic was raised

    @property
    def urgent(self) -> bool:
        return self.category in ("emergency", "crisis")

    def to_dict(self) -> dict[str, str | float | None]:
        """The audit record carried in `Answer.safety`: what fired and in which layer (and, for the
        learned model, with what class probability, also when carried by context)."""
        out: dict[str, str | float | None] = {"category": self.category, "rule": self.rule, "layer": self.layer,
                                              "exemplar": self.exemplar}
        if self.rule == "model":
            out["probability"] = self.score
        return out


# ---------------------------------------------------------------------------------------------
# Rules (English; then other languages)
# ---------------------------------------------------------------------------------------------

MEDS = (
    r"(medication|medications|medicine|medicines|meds|pills?|tablets?|capsules?|caplets?|painkillers?|pain ?killers?|"
    r"pain meds|prescriptions?|drugs|ibuprofen|paracetamol|acetaminophen|tylenol|advil|motrin|aleve|naproxen|"
    r"aspirin|calpol|nurofen|panadol|co ?codamol|codeine|tramadol|oxy\w*|morphine|diazepam|valium|xanax|muscle relax\w*|cyclobenzaprine|gabapentin|"
    r"pregabalin|lyrica|antidepressants?|sertraline|fluoxetine|citalopram|statins?|insulin|metformin|beta ?blockers?|"
    r"steroids?|prednisone|antihistamines?|benadryl|melatonin|magnesium|arnica|cbd|supplements?|vitamins?|"
    r"turmeric|sleeping (pills|tablets)|heart meds|bp meds|blood pressure (meds|tablets|pills|medication)|"
    r"blood thinners?|warfarin|inhaler|anti ?inflammator\w*|nsaids?)"
)
LEG = r"\b(calf|calves|leg|legs|thigh|thighs|back of (my |the )?knee|behind (my |the )?knee)\b"
# Negated symptoms ("I don't have any chest pain") are removed before the emergency and caution
# rules only, never before the crisis rules: "I'm not suicidal, but..." is always read in full.
_NEG_SYMPTOM = (
    r"(chest ?(pain|pains|tightness|pressure|discomfort|issues?|problems?|trouble|symptoms)|(pain|tightness|pressure) in (my |the )?chest|"
    r"shortness of breath|(trouble|difficulty|problems?) breathing|breathing (problems?|issues?|trouble)|fevers?|"
    r"numbness|tingling|pins and needles|bleeding|bruising|allerg(y|ies)|headaches?|dizziness|swelling|redness|nausea|rash|weakness|"
    r"(short|out) of breath|breathless\w*|seizures?|fits|fainting|faints|blackouts|dizzy|light ?headed|faint|strokes?|heart (attacks?|problems?|issues?)|(blood )?clots?|dvt|high blood pressure|"
    r"stiff neck|neck stiffness|(a )?stiff neck|vomiting|throwing up|confusion|swoll?en|swel?ling|red|hot|warm)"
)
_NEG = re.compile(
    r"\b(dont|do not|didnt|did not|doesnt|does not|havent|have not|hasnt|isnt|is not|arent|are not|wasnt|no|not|never|without|zero|free of|denies)"
    r" (have |having |had |get |getting |feel |feeling |any |really |experience |experiencing |a |an |got |ever )*"
    rf"{_NEG_SYMPTOM}((,? (or|and|nor) |, )(any )?{_NEG_SYMPTOM})*\b"
    # "breathing is fine", "my chest feels normal": a stated all-clear
    r"|\b(my )?(breathing|chest|heart|lungs?) (is |are |feels |feel |seems |s |all )?(totally |completely |perfectly |absolutely )?(fine|ok|okay|normal|good|clear|great)\b"
    # "fell a few times, no hitting my head"
    r"|\b(no|not|never|didnt|did not|without) (hit|hitting|bang\w*|bump\w*|knock\w*|injur\w*) (my|his|her|their|the) head\b"
    r"|\bno (other |further |more |new )?(symptoms|problems|issues|signs)\b|\b(no|not an?|nothing) (emergency|urgent)\b"
)
# The one negation crisis wording gets: a plain denial ("I'm not suicidal or anything") that comes
# with "just/only" everyday stress. The denial phrase alone is dropped; the rest of the message is
# still read by every crisis rule, so "not suicidal, just stressed, but I don't want to live" stays
# a crisis, and "I don't want to live" is never read as a negation.
_CRISIS_DENIAL = re.compile(
    r"\b(im |i am |i m )?(not|never|definitely not|in no way) (feeling |feling |being )?(depressed|suicidal|thinking (of|about) (suicide|hurting my ?self|harming my ?self|"
    r"killing my ?self|ending (it|my life))|going to (hurt|harm|kill) my ?self|self harming|a danger to my ?self|in (any )?danger)"
    r"( or anything( like that)?| at all| btw| lol)?\b"
)
_JUST_STRESS = re.compile(
    r"\b(just|only|simply|merely)\b.{0,30}\b(stres\w*|tired|busy|overwhelmed|exhausted|burn(ed|t) out|anxious|tense|worn out|"
    r"overworked|frazzled|ne?ed (a|to) (break|relax|unwind|rest|switch off))\b"  # "stresed", "ned": the de-doubled reading
)


# The same for the other Latin-script languages' chest, breath and fever words ("keine
# Brustschmerzen oder so", "niente dolore al petto"): removed before their emergency rules.
_NEG_FOREIGN = re.compile(
    r"\b(sin|no tengo|no hay|ningun|nada de|ni)( (ningun|nada de|un))? (dolor (de|en el) pecho|dolor toracico|presion en el pecho|falta de aire|fiebre)\b"
    r"|\b(pas de|pas mal a la|aucune?|sans|jai pas de|je nai pas de|ni)( de)? (douleurs? (a la|dans la) poitrine|douleurs? thoraciques?|oppression|essoufflement|fievre)\b"
    r"|\b(keine?n?|ohne|nicht)( (richtigen|echten|wirklichen))? (brustschmerz\w*|schmerz\w* in der brust|druck auf der brust|atemnot|fieber)\b"
    r"|\b(sem|nao tenho|nenhuma?|nada de)( (dor|dores) no peito| falta de ar| febre)\b"
    r"|\b(niente|nessun|nessuna|senza|non ho|non ho nessun)( (dolore|dolori) al petto| (fiato corto|affanno)| febbre)\b"
)


# Hyperbole about a sore body, marked as a joke right after ("my knots are so bad i wanna die lol"),
# and a denial that names the body part meant ("i dont want to hurt myself ... i mean my back"): the
# phrase alone is dropped, the rest of the message is still read by every crisis rule.
_BODY = r"(knots?|back|neck|shoulders?|legs?|feet|muscles?|calves|hamstrings|glutes|traps|doms|hips?|knees?|head|body)"
_HYPERBOLE = re.compile(
    rf"\b{_BODY}\b.{{0,25}}\b(so bad|so sore|so tight|so stiff|hurt so (much|bad)|are killing me|is killing me)\b.{{0,5}}\bi (wanna|want to|could|might|will|am going to|gonna) (literally )?die\b(?= (lol|lmao|haha\w*|jk|xd|lmfao)\b)"
    rf"|\bi (dont|do not) want to (hurt|harm) my ?self\b(?=.{{0,60}}\bi mean (my|the) {_BODY}\b)"
    r"|\bi? ?(dont|do not|wouldnt|would not|never) want to (hurt|injure|strain|pull|damage) my ?self (doing|by (doing|stretching|lifting|overdoing|pushing)|while (stretching|lifting|training|exercising|doing)|lifting|stretching|during (stretches|exercise|training|workouts?|class)|on the (machines?|weights|table)|(at|in) the gym)\b"
)


def _defuse_denial(text: str) -> str:
    """Normalized text without a plain crisis denial, when it comes with just/only stress, and
    without a joke about a sore body (`_HYPERBOLE`)."""
    text = _HYPERBOLE.sub(" ", text)
    return _CRISIS_DENIAL.sub(" ", text) if _CRISIS_DENIAL.search(text) and _JUST_STRESS.search(text) else text


CHEST_EXCUSE = (
    r"\b(bench|bench ?press\w*|gym|work ?outs?|push ?ups?|press ?ups?|lifting|weights|chest day|pecs?|"
    r"chest muscles?|desk|hunch\w*|posture|cough\w*|stretch\w*|weight training|rowing|pull ?ups?|chin ?ups?|dips|flyes|planks?|"
    r"chest press|climbing|swimming|cycling|running|training|exercis\w*|sports?|yoga|pilates|crossfit|boxing|carrying|"
    r"moving (house|furniture|boxes)|lifting boxes|laugh\w*|sneez\w*|cold plunge|ice bath|cold water|sauna|steam room|"
    # a past cause that has resolved: "from a cold last week, but I'm better now"
    r"(im|i am|its|it is|feeling|feel|i feel) (much |a lot |loads |all |completely )?(better|fine|ok|okay|recovered|normal) now|used to (have|get)|"
    # a tight chest that comes with anxiety or stress, as a pattern ("before presentations")
    r"when (im|i am|i get|i feel|i m) (anxious|nervous|stressed|panicky|worried)|from (stress|anxiety|nerves)|with (stress|anxiety|nerves)|"
    r"before (exams?|presentations?|interviews?|meetings?|flights?|exams)|(anxiety|stress|nerves) (related|tightness)|"
    # a cause found and cleared by a clinician
    r"(wallet|bank (account|balance)|bank|prices?|the bill|my card|accountant|bills)\b.{0,25}\bheart attack|(giving|give|gave|gives|given) (me|him|her|us|them|everyone|my \w+) (a |an actual )?heart attacks?|"
    r"(he|she|they|hell|shell|theyll|hed|shed|my (husband|wife|partner|dad|mum|mom|boss|accountant|bank))( will| would| is going to| gonna)? (have|has|get|will have) (a |an actual )?heart attack (at|over|when|if|seeing)|"
    r"heart attack (at|over|when (he|she|they) (see|sees|saw)) (the|my|his|her|our) (bill|price|prices|cost|receipt|statement|total|invoice|card)|"
    r"(nearly|almost|practically) (had|have|having|gave (me|him|her)) (a )?heart attack (at|over|when|seeing|because)|heart attack (prices?|lol|haha)|heart attack\b.{0,20}\b(lol|haha|lmao|jk)|"
    r"(ruled|checked) (that|it|this|those) out|not a heart thing|costochondritis|(doc|doctor|gp) (says|said) (its|it is|it was) (muscular|costochondritis|my ribs|reflux)|"
    r"turned out to be|(was|its|it is) (just|only) (reflux|heartburn|indigestion|muscular|a pulled muscle|anxiety|a panic attack)|"
    r"(doctor|gp|cardiologist|hospital) (checked|said|cleared|ruled out|did an ecg)|(checked|ruled) out|all clear|(ecg|tests?) (was|were|came back) (fine|normal|clear))\b",
)
CHEST_RED_FLAGS = (
    r"\b(sweat\w*|drenched|soaked|dripping|clammy|arm|jaw|neck|breath\w*|faint\w*|dizz\w*|light ?headed|sick|nause\w*|vomit\w*|crush\w*|"
    r"spread\w*|radiat\w*|heavy|heaviness|elephant|squeez\w*|grey|gray|pale|racing|pounding|worse|severe|sudden\w*|"
    r"right now|(?<!better )(?<!fine )(?<!ok )(?<!okay )(?<!gone )(?<!over )(?<!normal )now|scared|emergency)\b",
)
ABUSERS = (
    r"(partner|husband|wife|boyfriend|girlfriend|bf|gf|ex|dad|father|mum|mom|mother|stepdad|stepfather|stepmum|"
    r"stepmom|brother|sister|son|daughter|carer|caregiver|uncle|aunt|family|someone|somebody|parents?|flatmate|"
    r"roommate|fiance|fiancee|spouse|grandson|granddaughter|nephew|niece|stepson|stepdaughter|son in law|daughter in law|"
    r"neighbou?r|landlord|coach|teacher|he|she|they|hes|shes|theyre)"
)
# Self-harm words about the past ("used to self-harm as a teenager, the scars are faded") or an
# everyday accident ("cut myself shaving, a small nick") are not a crisis now, unless anything says
# it is current or deliberate. Only these two rules take an excuse; other crisis rules never do.
SELF_HARM_PAST_OR_ACCIDENT = (
    r"\bused to (self ?harm|cut|hurt my ?self)\b|\b(old|faded|healed|white) scars\b|\bscars (are|were) (old|faded|healed)\b|\b(years|decades) ago\b"
    r"|\bas a teen\w*\b|\bwhen i was (younger|a teen\w*|at school|in school|a kid)\b|\bhavent (in|for) (forever|ages|years|a long time|a decade)\b"
    r"|\bcut my ?self (shaving|cooking|chopping|gardening|on (a|the|some) (paper|glass|knife|tin|can|razor))\b|\b(small|tiny|little|minor) (nick|cut|scratch)\b"
    r"|\b(by accident|accidentally)\b|\bcut (my|his|her) (finger|thumb|hand|foot|toe|lip|chin|knee|head)\b|\blast (summer|year|winter|spring|autumn)\b|\b(its|it is|its all|all|fully) healed\b",)
SELF_HARM_NOW = (
    r"\b(again|relaps\w*|recently|lately|(?<!fine )(?<!ok )(?<!okay )(?<!better )(?<!\d )now|still|new|fresh|started|urges?|(want to|wanna) (cut|hurt|harm|burn|do it)|tempt\w*|this (week|month|morning)|last (night|week)|"
    r"yesterday|today|tonight|on purpose|deliberately|kill|die|dead|suicid\w*|end (it|my life)|bleed\w*|deep)\b(?! (scars?|healed))",)
# Something that happened long ago and resolved ("a seizure as a baby, nothing since") excuses a
# collapse or head-injury word, unless anything says it is happening now.
HISTORY_EXCUSE = (r"\b(years?|months|decades?) ago\b|\bas a (baby|kid|child|teen\w*|toddler)\b|\bwhen i was (a baby|a kid|little|young\w*|a child|a teen\w*|at school)\b"
                  r"|\b(nothing|none|no (problems|issues|symptoms|seizures|fits)) since\b|\bfully recovered\b|\bused to\b|\bin the past\b"
                  r"|\bonce\b.{0,40}\b(when|after|because)\b|\b(shes|hes|she is|he is|im|i am|they are|theyre) (totally |completely )?(fine|ok|okay|well|better)\b"
                  r"|\bskipped (breakfast|lunch|dinner|a meal|meals)\b|\b(stood|stand|standing|get|getting|got) up too (fast|quickly)\b|\bgave blood\b"
                  r"|\b(after|following) (a |my |the |every |each |some )?massages?\b.{0,40}\b(water|drink|hydrat\w*|normal|is that|thirsty|snack|eat)\b"
                  r"|\b(totally |completely |perfectly |absolutely )?(fine|ok|okay|well|good|normal|healthy) (ever )?since\b|\bin (19|20)\d\d\b|\ba (while|long time|few years) (back|ago)\b"
                  r"|\blast (year|summer|winter|spring|autumn|fall)\b|\b(all|fully|completely|totally) (healed|better|recovered)\b"
                  r"|\b(fine|ok|okay|better) now\b|\b(at|in) (uni|university|college|high school|school)\b"
                  # a managed condition asked about ("epilepsy, well controlled: can oils trigger seizures?")
                  r"|\b(well|fully|under) control(led)?\b|\bcontrolled (with|by|on)\b|\b(trigger|cause|bring on|set off) (a |any )?(seizures?|fits?)\b",)
HISTORY_RED_FLAGS = (r"\b((?<!fine )(?<!ok )(?<!okay )(?<!better )(?<!well )(?<!normal )now|right now|today|tonight|yesterday|last night|this (morning|afternoon|evening|week)|(?<!never )(?<!not )(?<!hasnt happened )again|just (now|had|happened)|happening|"
                     r"vomit\w*|throw\w* up|threw up|confus\w*|drowsy|worse|worsening|since (then|the fall|yesterday)|keeps|still|wont stop|not breathing|unresponsive)\b"
                     r"(?! (problem|issue|symptom))",)
# A head knock that was minor ("just a small bump, I feel fine") or long ago, with none of the
# head-injury warning signs (NHS/NICE lists) now.
HEAD_EXCUSE = (*HISTORY_EXCUSE, r"\b(just|only|a) (a )?(small|little|tiny|minor|slight) (bump|lump|bruise|knock|graze)\b|\b(i|he|she|and|,)? ?(feel|feels|feeling|seem|seems) (totally |completely |absolutely )?(fine|ok|okay|normal)\b")
HEAD_RED_FLAGS = (r"\b(vomit\w*|throw\w* up|threw up|being sick|confus\w*|drowsy|sleepy|worse|worsening|blurr\w*|double|passed out|knocked out|black(ed)? out|"
                  r"cant remember|memory|seiz\w*|fit|fluid|bleeding|warfarin|blood thinn\w*|unconscious|slurr\w*|weak\w*|numb\w*|again|now i|since then)\b",)
NOT_HISTORY = r"\b(had|after|since|previous|history of|recovering from|survived)\b"
HISTORY_RED_FLAGS_RE = re.compile(HISTORY_RED_FLAGS[0])

def near(a: str, b: str, gap: int = 30, words: bool = True) -> str:
    """`a` and `b` within `gap` characters of each other, in either order (word order and
    intensifiers vary: "presión muy fuerte en el pecho", "胸がすごく痛い")."""
    wa, wb = (rf"\b(?:{a})", rf"\b(?:{b})") if words else (f"(?:{a})", f"(?:{b})")
    return f"{wa}.{{0,{gap}}}{wb}|{wb}.{{0,{gap}}}{wa}"


RULES: tuple[Rule, ...] = (
    # --- crisis first: a person in crisis must never get a symptom template instead --------
    Rule("self-harm-or-suicide", "crisis", any=(
        r"\bsu+[i]?c+i+d+(e|al|ing)?\b", r"\bsuicid", r"\bsuiside\b", r"\bsucide\b",
        r"\bkill(ing)? ?my ?self\b", r"\bkms\b", r"\bunalive\b", r"\bk ?y ?s\b",
        r"\bend(ing)? (it|it all|my life|things|everything|my own life)\b", r"\btake my (own )?life\b",
        r"\b(wants?|wanna|going|wish(es)?|ready|plan(s|ning)?|about) (to )?(die|be dead)\b(?! (my|her|his|their|your|the|our) (hair|beard|roots|eyebrows|clothes|shirt|fabric))",  # "die" for "dye" r"\bwish(es)? (i|she|he) (was|were) dead\b",
        # a phrase typed letter by letter ("b e t t e r  o f f  d e a d") reaches the rules joined up
        r"\b\w*(betteroffdead|iwanttodie|wanttodie|killmyself|endmylife|takemyownlife|iwishiwasdead|notwanttolive)\w*\b",
        r"\bbetter off (dead|without me)\b",
        r"\b(no|dont (really )?see the|dont see any|dont see a|cant (really )?see the|cant see any|cannot see the|cannot see any|lost the|lost all|lost my) (point|reason) (in |to |of |for )?(me )?(living|going on|live|life|anymore|carrying on|keep going|go on|be here|being here|stay|staying alive|being alive)\b",
        r"\b(whats|what is|wheres|where is|is there any|is there a) (the )?(point|use|reason)\b.{0,30}\b(going on|living|life|carrying on|anymore|any more|being alive|being here|existing|of me|in me)\b",
        r"\bno point (in|to|of) (anything|everything|any of (it|this)|trying anymore)\b",
        r"\bcant (go on|do this anymore|do it anymore|keep going|take it anymore|take this anymore|live like this)\b",
        r"\bself ?harm", r"\bhurt(ing)? my ?self\b",
        r"\bcut(ting)? my ?self\b", r"\b(dont|do not|dont really|no longer) (want|wanna) (to )?(be here|live|exist|wake up|be alive|go on|be around)\b",
        r"\btired of (living|life|being alive|existing)\b",
        r"\b(feel|feeling|im|i am) (so |completely |totally )?hopeless\b", r"\bno way out\b", r"\b(dont|cant|do not|cannot) see (a|any) way out\b",
        r"\b(disappear|not be here|not exist|vanish) (forever|for good|anymore)\b",
        r"\b(want|wanna|wish i could|would like) (to )?(just )?(disappear|vanish|not exist|stop existing|cease to exist|not be alive)\b"
        r"(?! (in ?to|to|for|on|under|at) (a |the |my |some )?(\w+ )?(spa|holiday|vacation|beach|island|bath|massage|weekend|bed|cave|duvet|blanket|retreat|cabin|mountains?|woods|sauna|day|week|while|bit|few|couple|hour))",
        r"\b(sleep|go to sleep|fall asleep)\b.{0,25}\b(never|not) (wake|waking) (up|again)\b", r"\bnever wake up\b",
        r"\b(sleep|go to sleep|fall asleep)\b.{0,25}\b(not|never|no longer|dont|do not) (have|need|want) to (wake|get) up( again)?\b",
        r"\bgiv(e|ing|en) (all )?(my|of my) (things|stuff|belongings|possessions|clothes|books|pets?|cat|dog|savings) away\b",
        r"\b(wont|will not|not going to) need (it|them|this|any of (it|this|that)|my \w+|anything) (soon|anymore|any more|much longer|where im going)\b",
        r"\b(dont|cant|do not|cannot|can not) see myself (being |still )?(around|here|alive)\b",
        r"\b(be|being|stay|staying) (around|here|alive) (much|for much|very much) longer\b",
        r"\b(saving|stockpil\w*|hoard\w*|collect\w*|storing|stashing|saved) (up )?(all )?(of )?(my |the |some )?(\w+ )?(pills|tablets|meds|medication|painkillers)\b",
        r"\b(take|taking|swallow) (them|all of them|the lot|all my (pills|tablets|meds)) all at once\b",
        r"\b(better off|happier|easier|better)\b.{0,40}\b(without me|if i (was|were|wasnt|werent|was not|were not) (gone|dead|here|around|alive))\b",
        r"\b(fine|ok|okay|happier|relieved|better off|better)\b.{0,15}\bif i (just |simply )?(stopped existing|didnt exist|disappeared|vanished|was gone|were gone|wasnt here|werent here)\b",
        r"\b(nobody|no one|noone|no body) (would|will|is going to|gonna) (miss|notice|care)\b.{0,20}\b(me|if i|gone)\b",
        r"\b(want|wish|need) (it|everything|the pain|it all|this) (all )?to (stop|end) (forever|for good|permanently)\b",
        r"\b(wont|will not|wont be|might not) (be )?(around|here) (much )?(longer|for long|anymore)\b",
        # "won't be around next week" is a farewell unless the message is plainly about a booking
        r"^(?!.*\b(reschedul\w*|appointment|booking|book|session|cancel\w*|holiday|vacation|trip|travel\w*|away|moving|out of town|"
        r"work|business|conference|visiting|slot)\b).*\b(wont|will not|wont be|might not) (be )?(around|here) (tomorrow|next week)\b",
        r"\b(suicide note|goodbye (letter|note|message)s?)\b",
        r"\b(say|saying|said|written|writing|wrote|write) (my )?(goodbyes?|letters?)\b.{0,40}\b(goodbye|family|everyone|kids)\b",
        r"\b(dont|cant|do not|cannot|can not) see (a|any) future\b", r"\bno future for me\b",
        r"\bnothing matters (anymore|any more)\b", r"\bnothing (left )?to live for\b",
        r"\b(want|wish|need) (it|everything|it all|this|life|all of this|all this) (all )?(to be|was|were) over\b",
        r"\b(given|giving|give) up on (life|living|myself|everything)\b", r"\bno point (to|in|of) me\b",
        r"\bive given up\b(?! (on )?(smoking|sugar|drinking|alcohol|coffee|caffeine|meat|the gym|running|dairy))",
        r"\b(could|would|might|hope i|wish i|want to)( just)? (not|never|didnt|dont) wake( up)?\b",
        r"\bi wont be (here|around)\b(?! (on|for|next|this|tomorrow|until|till|at|in|when|because|so|during|over|between|from|to))(?!.{0,60}\b(holiday|vacation|trip|travel\w*|away|abroad|moving|conference|business|visiting|hospital|surgery)\b)",
        r"\bif i (just |simply |really |only )?(was|were|wasnt|werent|was not|were not) (gone|dead|here|around|alive|born)\b",
        r"\b(easier|better|simpler)\b.{0,15}\b(to )?(just )?(not exist|not be here|not be alive|be dead|not wake up|disappear forever)\b",
        r"\b(im|i am|i feel like (im|i am)|feel like|i feel) (just )?(a |such a )?burden\b(?! (asking|for asking|but|to ask|by asking|when i ask|bringing|if i ask|with (my|all) (questions|emails|messages)))",
        r"\blife (isnt|is not|aint|isn t) worth (living|it)\b", r"\bnot worth living\b",
        r"\b(wish i (hadnt|had not|was not|wasnt|werent|had never) (been )?born|never been born)\b",
        r"\bgiv(e|ing|en) away (all )?(my|of my) (things|stuff|belongings|possessions)\b",
        r"\bno reason (for me )?to (keep going|go on|live|be here|stay|keep living)\b",
        r"\b(jump|jumping|throw myself) (off|from|in front of) (a |the )?(bridge|building|roof|cliff|train|balcony)\b(?! (for|to get) (a|an|one|some|another|the) )",
        r"\b(googl\w*|search\w*|look\w* up|research\w*|read\w* (up )?about|find\w* out|asking)\b.{0,30}\b(ways|how|methods?) to (die|kill (my ?self|your ?self)|end (it|my life|your life)|not wake up|overdose)\b",
        r"\b(easiest|quickest|painless|least painful|best|surest|fastest) (way|ways|method|methods) to (die|go|end it|kill (my ?self|your ?self)|end (my|your) life)\b",
        r"\b(easier|better|simpler|kinder)\b.{0,20}\b(if i )?(didnt|did not|never|wouldnt|dont) wake up\b",
        r"\b(id|i would|i d) (much )?rather (be dead|die|not be (here|alive)|not exist)\b.{0,5}\bthan (live|living|go on|going on|carry on|keep|feel|be in|suffer|wake up|face|be like this)\b",
        r"\b(standing|sitting|been|stood|sat|up) (on|at|by) (the|a|top of the) (bridge|edge|roof|ledge|cliff|platform|tracks)\b.{0,50}\b(jump\w*|thinking|end it|let go|fall)\b",
        rf"{MEDS}.{{0,60}}\b(thinking (about|of)|want to|wanna|going to|tempted to|might|about to|could just)\b.{{0,10}}\b(swallow\w*|tak\w*|down\w*|neck\w*) (them|it|the lot|all of them|the whole (bottle|packet|box)|everything)\b",
        r"\bhang(ing)? my ?self\b", r"\bkilled my ?self\b(?! (laughing|trying|working|running|at the|with work|cleaning|studying))", r"\boverdose to end\b", r"\b(feel|feeling|im) trapped\b(?! in (a |my |this )?(body|neck|back|shoulders?) (made|full|built)\b)",
        # a plan or the means at hand
        r"\b(rope|noose|pills|tablets|meds|gun|blade|razor|razors)\b.{0,25}\b(ready|set aside|saved up|waiting|lined up|counted out|hidden away)\b",
        r"\b(bought|got|have|tied|made) (a |the )?(rope|noose)\b(?! (for|to) (climb\w*|the gym|swing|skipping|tow\w*))",
        r"\btak(e|ing) (everything|all of it|all the (pills|tablets|meds))\b.{0,40}\b(tonight|today|cabinet|at once|in one go)\b",
        r"\b(decided|made up my mind|made my mind up)\b.{0,20}\b(today|tonight|tomorrow|this weekend) (is|will be|s) the (day|night)\b(?! (i|we|to|for|of|that|when)\b)",
        r"\b(im|i am) (so |just |completely |totally |really )?done with (life|living|existing|being alive|it all|this world|everything and everyone)\b",
        # self-harm disclosures
        r"\bcut(ting|s)? (my |on my )?(arms?|wrists?|thighs?|legs?|skin|stomach|belly)\b(?! (on|with) (a|the) (paper|knife|glass) (by )?accident)",
        r"\b(keep|kept|been|started|start|stop|stopped|still) cutting\b", r"\bcutting again\b",
        r"\bburn(ing|t|ed|s)? (my ?self|my skin|my own skin)\b", r"\b(burn|burning|burned|burnt)\b.{0,30}\bwith (a )?cigarettes?\b",
        r"\bscratch\w* (my skin|my ?self|at my skin)\b.{0,30}\bbleed", r"\bhit(ting)? my ?self\b",
        r"\b(hurt|hit|bang|banging|punch|cut|burn|scratch|harm)\w*\b.{0,40}\bon purpose\b",
        r"\bburn\w* (my |on my )?(arms?|wrists?|legs?|thighs?|skin|hands?|stomach|belly)\b.{0,20}\bwith (a |the )?(lighter|cigarette|match|matches|iron|hot)",
        r"\b(cut|burn|hurt|hit|scratch|harm|punch)\w* (my ?self|my (arms?|wrists?|legs?|thighs?|skin))\b.{0,40}\bwhen (it|things|everything|life) (gets?|get|is) (too much|bad|overwhelming)\b",
        # harm to others: a crisis line helps here too
        r"\b(going to|gonna|want to|might|could|afraid i will|afraid i might|scared i will|scared i might|urges? to) (hurt|harm|attack|stab|strangle) "
        r"(someone|somebody|people|others|my (baby|child|kids?|son|daughter|partner|wife|husband|mum|mom|dad))\b",
        r"\b(going to|gonna|afraid i will|scared i will|urges? to) kill (someone|somebody|people)\b",
        r"\b(would be|d be|will be)\b (so much |much |a lot )?(happier|better off|better)\b.{0,25}\b(without me|with (a|another|someone) (different|other|new|better) (mum|mom|dad|parent|wife|husband|partner|person)|if i (wasnt|werent|was not|were not) (here|around))\b",
        r"\b(dont|do not|cant|cannot|can not) (really |honestly |even )?see (a|any|the|much) (point|reason) (to|in|for|of) (keep|keeping|go|going|carry|carrying|live|living|be|being|stay|staying)\b",
        r"\b(at|on|by) the (station|platform|bridge|edge|roof|cliff|tracks|railway)\b.{0,40}\b(looking|staring|stare|look|thinking)\b.{0,20}\b(tracks|down|edge|drop|water|train|jump\w*)\b",
        r"\b(kinder|better|easier|fairer|simpler) (for (everyone|everybody|them|my family|all of them) )?if i (just )?(stopped|wasnt here|werent here|was gone|were gone|disappeared|died|ended it|left for good|stopped existing)\b",
        r"\bim the problem in (everyones|everybodys|all their|their) li(fe|ves)\b",
        r"\bknow (exactly )?(where|how|when) (id|i would|i will|ill|i am going to|im going to|i could|i d) do it\b",
        r"\b(the )?(world|everyone|everybody|everything|life|my family|they)\b.{0,20}\b(would|will|d|could) (just )?(keep|go on|carry on|be|get on)\b.{0,25}\b(fine|the same|spinning|turning|going|better|okay|ok)\b.{0,15}\bwithout me\b",
        r"\b(decided|chosen|picked|set|fixed)\b.{0,30}\b(thats|that is|is) when (ill|i will|im going to|i am going to|i ll) do it\b",
        r"\b(ive|i have|i) (decided|chosen|picked)\b.{0,20}\b(when|where|how) (ill|i will|im going to|i am going to|i ll) do it\b",
        r"\b(one|a) (last|final) (massage|treat|session|appointment|nice thing)\b.{0,20}\bbefore (i do it|it happens|i go through with it|the end)\b",
    ), excuse=SELF_HARM_PAST_OR_ACCIDENT, red_flags=SELF_HARM_NOW),
    Rule("abuse-or-danger", "crisis", any=(
        rf"\b{ABUSERS}\b.{{0,30}}\b(is |keeps |has been |always )?(hurting|hitting|hits|hit|beating|beats|beat|abusing|abuses|abused|choked|chokes|choking|strangl\w*|punch\w*|kick\w*|slap\w*|threaten\w*|rap\w*|hurts) me\b",
        r"\b(not safe|unsafe) (at home|with (my|him|her))\b", r"\bafraid for my (life|safety)\b",
        r"\b(scared|afraid|frightened|terrified) (of (my )?(partner|husband|wife|boyfriend|girlfriend|dad|father|mum|mom|mother|stepdad|stepfather|ex)|to go (back )?home)\b",
        r"\bthreat\w* to (kill|hurt|harm|beat) me\b", r"\b(hurt|harm|beat) me if i\b",
        r"\bkill me if i (leave|tell|go to|call|report|try to leave|ever leave|dont come|say)\b",
        r"\b(being|been|was|am|im|get|getting) (abused|beaten|assaulted|raped|molested|trafficked)\b",
        r"\b(forcing|forced|forces|makes|making|made) me (to )?(do things|have sex|sleep with|do stuff)\b",
        # "massage for people recovering from domestic violence" asks about a service, not a current danger
        r"(?<!recovering from )(?<!survivors of )(?<!survivor of )(?<!affected by )\bdomestic (violence|abuse)\b(?! (survivors?|support|services?|charity|charities|awareness|training|course|victims))",
        r"\b(partner|husband|wife|boyfriend|girlfriend) is (violent|abusive)\b",
        # secrecy imposed by an adult, a warning sign in safeguarding guidance
        r"\b(wont|will not|doesnt|does not|never) let (him|her|me|them) tell\b", r"\b(told|tells|telling) (him|her|me|them) not to tell (anyone|anybody|mum|mom|dad|me|you)\b",
        rf"\b({ABUSERS}|coach|teacher|tutor|instructor|priest|babysitter)\b.{{0,40}}\bmakes? (him|her|me|them) (take|taking) (his|her|my|their) clothes off\b",
        r"\b(hit|hits|hitting|beat|beats|beating|whip\w*|smack\w*|spank\w*|thrash\w*)\b.{0,20}\bwith (a|the|his|her) (belt|stick|cane|cord|wire|hose|buckle|wooden spoon|slipper|shoe)\b",
        rf"\b{ABUSERS}\b.{{0,30}}\b(hits?|hitting|beats?|beating|whips?|slaps?|punch\w*|kicks?|burns?|chokes?) (her|him|them)\b.{{0,20}}\b(again|every (day|night|time)|all the time|when (she|he|they)|until|black and blue)\b",
        # unwanted sexual touching in plain words
        r"\b(put|puts|putting|had|kept) (his|her|their) hands? (where|on my|in my|down my|up my|under my|between my)\b.{0,50}\b(didnt want|did not want|wouldnt stop|would not stop|"
        r"without (asking|consent)|said no|asked (him|her|them) to stop|uncomfortable|froze|couldnt move)\b",
        r"\b(wouldnt|would not|didnt|did not|wont|will not) stop (when|even when|after|though) i (said|asked|told|begged|cried)\b",
        # physical control ("pushes me around") and sexual abuse in plain words (a child may not say "abuse")
        rf"\b{ABUSERS}\b.{{0,30}}\b(push\w*|shov\w*|throw\w*|threw|drag\w*|shak\w*|lock\w*|pin\w*|slam\w*|grab\w*|held|hold\w*|pull\w*) me (around|about|over|down|out|in|into|against|to the (floor|ground|bed|wall)|by (the |my )?(throat|neck|hair|arms?|wrists?))\b",
        rf"\b{ABUSERS}\b.{{0,30}}\b(throws?|threw|throwing) (things|stuff|plates|objects|a \w+) at me\b",
        r"\b(he|she|they|partner|husband|wife|boyfriend|girlfriend|ex)\b.{0,25}\b(said|says|threaten\w*|told me|warned me)\b.{0,25}\bif i (ever )?(tell|told|leave|left|report|call|go to)\b.{0,50}"
        r"\b(take the kids|take my (kids|children|baby)|hurt|kill|regret|sorry|find me|ruin|never see|make me pay|end me)\b",
        rf"\b{ABUSERS}\b.{{0,30}}\b(wont|doesnt|will not|never) let me (leave|go out|go anywhere|out of (the house|his sight|her sight))\b.{{0,60}}\b(terrified|scared|afraid|frightened|takes my phone|phone|money)\b",
        r"\b(comes?|came|coming|creeps?|crept) into (her|his|my|their) (room|bed|bedroom)\b.{0,40}\b(at night|touch\w*|and (touches|feels))\b",
        r"\b(touch\w*|grop\w*|fondl\w*|feels? up) (her|him|them|my (son|daughter|child|kid|little \w+))\b.{0,40}\b(at night|in (her|his|their|the) (room|bed|bath|bedroom|shower)|private|down there|secret|scared|uncomfortable|a game|our game)\b",
        rf"\b{ABUSERS}\b.{{0,20}}\b(touch\w*|grop\w*|fondl\w*|feels? me up|kiss\w*) me\b.{{0,60}}\b(dont|do not|didnt|did not|not ok|"
        r"uncomfortable|private|privates|down there|where|scared|afraid|secret|at night|in (my|the) (room|bed|bath)|tell anyone|"
        r"wont stop|doesnt stop|inappropriat\w*|weird|bad)\b",
        r"\b(touch\w*|grop\w*|fondl\w*) (me|my body)\b.{0,20}\b(inappropriately|in places|down there|where i dont|in my private)",
        r"\b(touch\w*|grop\w*|fondl\w*) my (privates?|private (parts|areas?)|genitals?|vagina|penis|breasts?|bum|bottom)\b",
        r"\b(makes|made|tells|told) me (to )?(keep|promise)\b.{0,20}\bsecret\b",
        r"\b(says|said) (its|it is|this is) our (little )?secret\b", r"\b(sexually|sexual) (abus\w*|assault\w*|touch\w*)\b",
        # someone threatening them now; being followed, stalked, threatened
        r"\b(trying to|tried to|is|keeps) (break|breaking|get|getting|force|forcing|kick\w*|bang\w*) (in|into|down|on) (my|the|our) (house|home|flat|apartment|room|door)\b",
        r"\b(being|been|im being|am being|keep being|keeps) (followed|stalked|threatened|harass\w*)\b",
        r"\b(stalk\w*|threaten\w*) me\b",
        r"\b(someone|somebody|a (man|guy|woman|stranger|car)|my ex|he|she|they|people|strangers?)\b.{0,25}\b(following|follows|followed) me (home|everywhere|around|to (my|work|school))\b",
        # coercive control: not allowed out, bruises when a partner gets angry
        r"\b(im |i am )?not (really )?allowed (out|to go out|to leave( the house)?|to see (my )?(friends|family)|to have (money|my own money|a phone))\b",
        rf"\b{ABUSERS}\b.{{0,20}}\b(doesnt|wont|does not|will not|never) let me (go out|leave the house|leave|see (my )?(friends|family)|have (money|my own money|a phone))\b",
        rf"\bbruis\w*\b.{{0,80}}\b{ABUSERS}\b.{{0,20}}\b(gets?|got|was|is|goes) (angry|mad|violent|rough|drunk|physical)\b",
        rf"\b{ABUSERS}\b.{{0,20}}\b(gets?|got|was|is|goes) (angry|mad|violent|rough|drunk|physical)\b.{{0,80}}\bbruis\w*\b",
        r"\b(dont|do not|no longer|never) feel safe\b(?! (getting|having|doing|lying|using|booking|driving|to drive|going|walking|taking|leaving|"
        r"parking|with (a|the|deep|hot|that|this|oils?|massage|pressure|cupping|needles)|about|during|on (the|a) (table|bed)|in (the|a) (car|sauna|steam|pool)))",
    ),  # abuse long past and left behind ("my ex used to hit me years ago, I've moved on") is history,
        # unless anything says it continues or frightens them now
        excuse=(r"\b(years|decades) ago\b|\bused to (hit|hurt|beat|abuse)\b|\b(ive|i have|i) moved on\b|\b(im|i am) (safe|out) now\b|\bin the past\b",
                # the idiom "my wife will strangle me if I forget"
                r"\b(will|ll|hell|shell|theyll|youll|going to|gonna|would|d|hed|shed) (literally |actually |totally )?(kill|strangle|murder|throttle|strangl\w*) me if i\b",),
        red_flags=(r"\b(still|again|now|scared|afraid|frightened|terrified|threat\w*|follow\w*|stalk\w*|wont leave me|texts?|turns? up|last (night|week)|yesterday|today|"
                   r"recently|back|found me|knows where)\b(?<!safe now)",)),
    # "going to kill me" is an idiom ("my wife will kill me if I book another") unless something says it is real
    Rule("threat-to-life", "crisis", all=(
        r"\b(going to|gonna|will|ll|wants to|is going to|trying to|tried to|threaten\w* to|swears? (he|she|they)? ?(will|ll)|says (he|she|they) (will|ll|is going to|are going to)) (kill|hurt|stab|shoot|strangle|murder|beat|get) (me|us|my|the kids|our (dad|mum|mom|father|mother|brother|sister|family|kids|baby|children|grandma|grandad))\b",
        r"\b(outside|door|window|banging|break\w* in|get in|knife|gun|weapon|yell\w*|scream\w*|shout\w*|right now|threat\w*|scared|afraid|terrified|"
        r"followed|following|hiding|hide|locked|police|drunk|angry|rage|means it|serious)\b",
    )),
    # intrusive thoughts of a method: "how easy it would be to drive into a wall", "step in front of a train"
    Rule("suicide-method-thoughts", "crisis", all=(
        r"\b(think|thinking|thought|thoughts|how easy|urges?|tempt\w*|imagin\w*|fantasi\w*|pictur\w*|wonder\w*|want to|wanna|"
        r"could just|would be easy|keep seeing|cant stop|intrusive|going to|gonna|plan\w*|intend\w*|decided|will|ill)\b",
        r"\b(drive|driving|drove|crash\w*|swerv\w*|steer\w*|ram\w*|plough\w*|plow\w*) (my |the |our )?(car |truck |van |bike )?(into|off|in front of|under)\b.{0,25}\b(wall|tree|bridge|traffic|truck|lorry|cliff|oncoming|barrier|river|lake|pole|bus|train|edge|road|overpass)"
        r"|\b(step|stepping|walk|walking|jump|jumping|throw\w*|fall|falling|lie|lying) (out )?(in front of|under|off|from|into) (a |the )?(train|bus|truck|lorry|car|traffic|bridge|roof|building|balcony|cliff|platform|tracks|sea|river|water)\b"
        r"|\b(drown\w*|hang\w*|shoot\w*|poison\w*|gas\w*|starv\w*) my ?self\b|\b(slit|slash\w*|cut\w*) my (wrists?|throat)\b",
    )),
    # farewells: "a last nice thing before I go", "I won't be around for her birthday, I've made my peace"
    Rule("farewell", "crisis", any=(
        r"\b(last|final|one last|one final) (nice |good |special |kind |little |big |proper |real )?(thing|treat|massage|gift|time|hurrah|present|day out|splurge|wish)\b"
        r".{0,40}\bbefore i (go|leave|die|am gone|m gone|check out|end it|pass|say goodbye)\b(?! (on|to|back|away|abroad|home|into|for|travel\w*|out|in|under|through|off|there|and|overseas|up|down|over|round|around|with|camping|skiing|shopping))",
        r"\b(wont|will not|not going to|wont be|may not|might not|probably wont|wont still) (be )?(around|here|alive)\b.{0,100}\b(made (my )?peace|at peace|said (my )?goodbyes?|saying goodbye|my time|for the best|its time|ready to go|by then|no longer)\b",
        r"\b(made (my )?peace|at peace|said (my )?goodbyes?)\b.{0,100}\b(wont|will not|not going to|wont be|may not|might not) (be )?(around|here|alive)\b",
        r"\bwhen i(m| am) (gone|dead|no longer (here|around)|not (here|around) anymore)\b(?! (for|on|to|away|abroad|travel\w*|camping|on holiday))",
        r"\b(my|this (is|will be)) last (birthday|christmas|massage|summer|new year|week|weekend)\b.{0,20}\b(ever|alive|before i)\b",
        r"\b(putting|put|getting|get) my affairs in order\b", r"\b(wrote|written|writing|updated|made) (my |a )?(will)\b.{0,40}\b(goodbye|letters?|just in case|before i|peace)\b",
    )),
    # new or relapsed self-harm: "did some new ones last night", "scars from cutting"
    Rule("self-harm-disclosure", "crisis", any=(
        r"\b(scars?|marks?|cuts|wounds|burns)\b.{0,40}\bfrom (cutting|self ?harm\w*|hurting my ?self|burning my ?self|when i (cut|hurt|burn|harm)\w*)\b",
        r"\b(did|made|done|do|doing|added) (some |a few |a couple (of )?|more |two |three )?(new|fresh|more) (ones|cuts|marks|burns)\b",
        r"\b(new|fresh) (cuts|self ?harm\w*)\b.{0,40}\b(arms?|wrists?|thighs?|legs?|stomach|belly|hips?|last night|yesterday|today|again)\b",
        r"\bi cut (again|last night|yesterday|today|this morning|myself)\b", r"\brelaps\w*\b.{0,30}\b(cutting|self ?harm\w*|hurting my ?self)\b",
        r"\b(harming|harmed|harm) my ?self\b", r"\b(relapsed|started again|back to) (cutting|self ?harming|hurting myself)\b",
    ), excuse=SELF_HARM_PAST_OR_ACCIDENT, red_flags=SELF_HARM_NOW),
    # the means gathered or a method chosen (crisis-line risk questions: "do you have a plan, the means?")
    Rule("suicide-means-or-plan", "crisis", any=(
        rf"\b(stockpil\w*|hoard\w*|stash\w*|sav(e|ed|ing) up|squirrel\w* away|been keeping|been collecting)\b.{{0,30}}\b{MEDS}",
        rf"\b{MEDS}\b.{{0,30}}\b(stockpil\w*|hoarded|stashed|saved up|squirrel\w* away)\b",
        r"\b(know|worked out|figured out|looked up|googled|research\w*|calculat\w*|counted)\b.{0,15}\bhow (many|much)\b.{0,25}\b(it would|itd|it will|would) take\b(?! to (fix|work|help|heal|get|clear|feel|see|book|sort))",
        r"\bhow (many|much)\b.{0,40}\b(to (die|kill (me|my ?self)|end (it|my life)|not wake up)|(is|would be) (a )?(lethal|fatal|deadly))\b",
        r"\b(lethal|fatal|deadly) (dose|amount|overdose|quantity)\b",
        r"\b(use|using|turn|turning|point|pointing|put|putting|aim\w*)\b.{0,20}\b(it|gun|pistol|rifle|shotgun|knife|blade)\b.{0,10}\b(on|at|to) my ?(self|head|chest|temple|throat)\b",
        r"\b(bought|got|get|getting|have|own|keep|loaded|found|took)\b.{0,15}\b(a |the |my |dads |his |her )?(gun|pistol|rifle|shotgun|firearm|bullets?)\b.{0,60}"
        r"\b((?<!protect )(?<!defend )my ?self|end (it|things|my life)|tonight|not be here|the pain stop|done|goodbye|no one will miss)\b",
        r"\b(wrote|written|writing|left|finished|typed)\b.{0,12}\b(suicide|goodbye|farewell) (note|notes|letters?)\b", r"\bsuicide note\b",
        near(r"(wrote|written|writing|left|finished|typed) (a |my |the |some )?(notes?|letters?)", r"tonight|tonights|goodbye|the night|when im gone|after im gone|when i am gone|its time|my will|no longer", 70),
        # "tonight's the night" is a plan only beside a note, goodbye or the means ("our anniversary massage!" is not)
        near(r"(tonight|today|tomorrow|this weekend) ?(is|s|will be) the (night|day|end)|(tonights|todays|tomorrows) the (night|day)",
             r"notes?|letters?|goodbyes?|pills|tablets|rope|bridge|end it|end things|sorry|forgive|decided|made up my mind|ready|my kids|my family|no more|for good", 80),
        r"\b(dont|do not|not) (plan|intend|expect|think ill be|think i will be) (on |to )?(be |being |still be |still being )?(here|around|alive)\b(?! (for|on|at|in|next|this|until|till|during|over|when|because))",
        r"\b(picked|chosen|chose|decided on|found|scouted) (the |a |my )?(bridge|building|cliff|method|rope|spot to (jump|do it)|way (to|i ll|ill) do it)\b",
        near(r"going (to|up to|out to) the (cliffs?|bridge|tracks|railway|edge|roof|quarry)", r"written|letters?|notes?|goodbye|everything down|for good|last|never|wont be back|no longer|my affairs|my will", 90),
    )),
    # not bothering to stay alive, goodbyes, arrangements for after (crisis-line warning signs)
    Rule("goodbye-or-giving-up", "crisis", any=(
        r"\b(bother|bothering|point in|point of|reason for|reason to|worth)\b.{0,10}\b(staying|being|keeping|to stay|to keep|to be|going on|carrying on) (alive|around|living|here)\b",
        r"\b(stay|staying|keep|keeping) (myself )?alive\b.{0,40}\b(anymore|any more|after|much longer|no point|why bother|not worth|pointless)\b",
        r"\b(no|dont|dont see|cant see|lost) (point|reason|will) (in |to |for )?(stay|staying|keep|keeping) (alive|going)\b",
        near(r"(this is|this will be|consider this|heres) (my )?(last|final) (message|post|note|words|chat)", r"goodbye|good bye|farewell|bye forever|thank you for (everything|all)|thanks for (everything|all)|take care of|forgive me|sorry for everything", 100),
        r"\b(goodbye|good bye|farewell) (everyone|all|forever|world|for good|for ever|cruel world)\b", r"\bsaying my (last )?goodbyes\b",
        near(r"(wont|will not|wont be|will not be|dont|no longer) (need|needing|use|using) (it|this|them|my|the|any)", r"my will|letters|goodbye|my affairs|made (my )?peace|when im gone|after im gone|not be around|wont be around|wont be here|sorted everything|in order", 100),
        near(r"(sorted|done|made|written|wrote|updated|finished|signed) (out )?(my|a) (will|affairs)", r"letters|goodbye|wont need|wont be needing|give away|giving away|transfer|for good|when im gone|not be around|wont be around|wont be here", 100),
        # (not when they are moving away: "transfer them to my daughter, I won't need them as I'm moving abroad")
        r"^(?!.*\b(moving (to|abroad|away|house|home|out|overseas|country|cities)|relocat\w*|emigrat\w*)\b).*\b(transfer|give|giving|leave|leaving)\b.{0,30}\b(to|for) (my )?\w+\b.{0,20}\b(wont|will not) (be )?(need|needing|be here|be around|be using)\b",
        r"\b(everyone|everybody|they|my family|my kids|my children|the world)\b.{0,20}\b(would|will|d) (be )?(better|happier|fine|relieved)\b.{0,15}\b(without me|if i (was|were|wasnt|werent|died|was gone|were gone|disappeared))\b",
        r"\b(nobody|no one|noone) (would|will) (even )?(notice|care|miss me)\b.{0,30}\b(if i|gone|died|disappeared)\b",
        # cancelling everything "for after Friday" with thanks for everything, and no other reason given
        r"^(?!.*\b(moving|move|moved|relocat\w*|holiday|vacation|travel\w*|abroad|away|new job|surgery|operation|pregnan\w*|baby|"
        r"another clinic|other clinic|closer to|insurance|cost|price|afford|better now|fixed|healed|physio)\b)"
        r".*\b(wont|will not|wont be|will not be|dont|do not) (be )?(need|needing) (them|it|any of (them|it)|these|those|my (appointments|bookings|sessions))\b.{0,40}\b(after|past|beyond|from) \w+\b.*\b(thank(s| you) (so much )?for everything|goodbye|take care)\b",
    )),
    # self-injury in other words: banging the head on a wall, when overwhelmed, leaving bruises (a scald
    # or a burn from the oven is an accident: `unless`)
    Rule("self-injury", "crisis", unless=(
        r"^(?!.*\b(on purpose|deliberately|myself when|again|lighter|hide|hiding|secret)\b).*\b(with|from|on) (the |a |some )?(boiling water|hot water|kettle|oven|stove|hob|iron|pan|steam|grill|bbq|barbecue|tea|coffee|radiator|straighteners|curling iron|exhaust)\b",), any=(
        near(r"(hit|hitting|bang|banging|bash|bashing|smash\w*|slam\w*|punch\w*|headbutt\w*) (my )?(head|fists?|hands?|face)? ?(against|into|on|through) (the |a |my )?(wall|walls|floor|door|desk|mirror|window)",
             r"when (i|im|i am|i get|i feel|things|it|everything)|on purpose|to (feel|cope|calm|stop|make)|until|left (bruises|marks)|bruises|again|keep|cant stop|every time|overwhelm\w*", 60),
        r"\b(hit|hitting|punch\w*|scratch\w*|pinch\w*|bite|biting|bit|burn\w*|cut\w*|starv\w*|bruis\w*|slap\w*|hurt\w*)\b.{0,25}\bmy ?self\b.{0,40}\bwhen (i|im|i am|i get|i feel|things|it|everything|life) (get |gets |feel |is |am )?(too much|bad|overwhelm\w*|upset|angry|stressed|anxious|panick\w*|low|sad|numb|triggered|frustrated)\b",
        r"\b(hit|hitting|punch\w*|slap\w*|bite|biting|pinch\w*|scratch\w*)\w* my ?self\b.{0,40}\b(bruis\w*|marks|bleed\w*|scars?|purple|black and blue|until)\b",
        r"\b(cut|cutting|burn\w*|scratch\w*|carv\w*) (my|into my) (skin|arms?|wrists?|legs?|thighs?|stomach|hips?)\b.{0,40}\b(hide|hid|hidden|hiding|sleeves|secret|no one knows|deep|deeper|again)\b",
        r"\b(cutting|self ?harm\w*|hurting my ?self) (in secret|secretly|again|every (day|night))\b",
        r"\b(hit|hitting|punch\w*|beat\w*|slap\w*|whip\w*|smack\w*|bang\w*) my (own )?(legs?|arms?|thighs?|head|face|stomach|body|chest|wrists?)\b.{0,10}\b(with|against|until|when|so)\b",
        r"\bstarv\w* my ?self\b.{0,60}\b(hit|cut|hurt|punish|disgust\w*|hate|deserve|when i feel|burn)\w*",
        r"\b(punish\w*|hate) my ?self\b.{0,40}\b(hit|cut|burn|starv\w*|hurt|scratch)\w*",
        r"\b(carv\w*|slic\w*|scor\w*|etch\w*|cut\w*) (lines|words|marks|shapes)? ?(into|in|on) my (skin|arms?|wrists?|legs?|thighs?|hips?|stomach|belly|chest)\b",
        near(r"razor|razors|blade|blades|sharpener|compass point|safety pin|lighter|hot spoon|hot metal", r"my (skin|arms?|wrists?|legs?|thighs?|hips?|stomach|belly)", 40),
        r"\bburn\w* (my|my own) (wrists?|arms?|skin|legs?|thighs?)\b.{0,30}\bwith\b",
    )),
    # someone else being abused: a child, an older or dependent person, in care (safeguarding guidance)
    Rule("abuse-of-another", "crisis", any=(
        r"\b(beat|beating|beats|hit|hitting|hits|abus\w*|starv\w*|lock\w* up|whip\w*|slap\w*|punch\w*|kick\w*|batter\w*|strangl\w*|chok\w*|molest\w*|rap\w*) "
        r"(their|his|her|the|those|my|our|a) (kids|children|child|son|daughter|baby|babies|toddler|little (one|boy|girl)s?|stepkids|stepson|stepdaughter|grandkids|grandchildren|"
        r"grandma|grandmother|nan|nana|granny|grandpa|grandfather|grandad|mum|mom|mother|dad|father|wife|girlfriend|partner|sister|brother|dog)\b",
        r"\b(hurt|hurts|hurting|touch\w*|grop\w*|fondl\w*|rub\w*|play\w* with|interfered with|abused|pok\w*) (her|his|my|their) (private|privates|private parts|genitals?|vagina|penis|bottom|bum|down there)\b",
        r"\b(he|she|they|uncle|aunt|dad|stepdad|father|grandad|grandpa|brother|cousin|babysitter|teacher|coach|neighbou?r)\b.{0,20}\b(hurt|touched|touches|hurts) (her|him|me) (down there|in (her|his|my) (private|privates|bottom))\b",
        r"\b(carer|caregiver|care giver|care worker|care home|nursing home|home help|aide|helper|nanny|babysitter|badante|staff)\b.{0,60}\b("
        r"(takes|took|taking|steal\w*|stole|stolen|helps (him|her)self to|using) (her|his|my|their|all (her|his)) (money|pension|cards?|bank cards?|savings|benefits|jewel\w*)|"
        r"rough with|(scared|afraid|frightened|terrified) of (them|him|her|the staff|the carer)|hits?|slap\w*|push\w*|shov\w*|shout\w* at|yell\w* at|neglect\w*|"
        r"lock\w* (her|him) (in|up)|tie\w* (her|him)|left (her|him) (in|without)|pinch\w*|bruis\w*|unexplained)\b",
        r"\b(bruis\w*|marks|injuries)\b.{0,40}\b(cant|cannot|can not|wont|doesnt|does not|nobody can|no one can|unable to) (explain|say how|tell (me|us) how)\b",
        r"\b(unexplained|strange|mystery|odd) (bruis\w*|injuries|marks|burns|fractures)\b",
        # care withheld from a dependent person: kept from a doctor, medicine kept from them
        rf"\b{ABUSERS}\b.{{0,30}}\b(wont|doesnt|will not|does not|never|wouldnt) let (me|her|him|them) (see|go to|call|phone|ring) (a |the |my |her |his )?(doctor|gp|nurse|hospital|dentist|anyone|family|friends)\b",
        r"\b(keeps|kept|keeping|hides|hid|hiding|withhold\w*|takes|took) (my|her|his|their) (pills|meds|medication|medicine|tablets|insulin|inhaler|glasses|hearing aids?|walking (stick|frame)|phone|food) (from|away from) (me|her|him|them)\b",
        r"\b(tie|ties|tied|tying|strap\w*|restrain\w*|lock\w*) (her|him|them|my \w+|my (mum|mom|dad|nan|gran|grandma|grandad|mother|father|son|daughter)) (up|down|to (a|the|her|his|their) (chair|bed|radiator|cot)|in (her|his|their) (room|chair|bed))\b"
        r"(?!.{0,20}\b(shoe|laces|hair|apron|for (the|a) (photo|game)))",
        r"\b(showed|shows|showing|exposed|exposes|exposing) (her|him|me|them|my \w+|the kids|the children) (his|her|their) (private|privates|private parts|genitals|penis|willy|body)\b",
        r"\b(sends?|sent|sending|asks? for|asked for|asking for|wants?|wanted) ((her|him|me|them|my \w+) )?(private|nude|naked|sexy|explicit|dirty|intimate) (photos|pictures|pics|images|videos|selfies)\b",
        r"\b(always|often|keep being|kept|are|were|is|been) left (alone|on (their|his|her) own|home alone)\b.{0,50}\b(no food|without food|hungry|burns|bruises|dirty|days|nights|crying)\b",
        near(r"(kids?|child|children|little one|boy|girl|baby|toddler)", r"(burns|bruises|welts|marks) (on|all over) (his|her|their) (arms|legs|body|back|face|hands)", 60),
        r"\b(left|leaves|leaving|leave) (him|her|them|my (mum|mom|dad|nan|gran|grandma|grandad|grandpa|grandmother|grandfather|mother|father)|my \w+) (in (dirty|soiled|wet|filthy)|without (food|water|help|meals|his|her|their)|alone for (days|hours|a whole))\b",
        r"\bflinch\w*\b.{0,20}\b(when|whenever|if) (they|he|she|staff|the carers?|adults?|men|people) (come|comes|came|walk|walks|go|goes|get|gets) (in|near|close|into)\b",
        r"\b(pressur\w*|forc\w*|bully\w*|coerc\w*) (her|him|my (mum|mom|dad|nan|gran|grandma|grandad|mother|father)|them) (in ?to )?(sign\w*|hand\w*|give|giving|change|changing) (over )?(her|his|their) (house|home|will|money|savings|pension|bank)\b",
        r"\b(hear|heard|hearing|see|saw|seen)\b.{0,40}\b(screaming|being hit|beaten|hitting|crying and|slapping|smacking)\b.{0,60}\b(every night|all the time|again|marks|bruises|kids|children|child|baby)\b",
        rf"\b{ABUSERS}\b.{{0,30}}\b(takes|took|taking|steal\w*|stole) (my|her|his) (money|pension|savings|benefits)\b",
    )),
    # sexual violence in plain words (no word "rape" or "abuse" needed)
    Rule("sexual-assault", "crisis", any=(
        r"\b(had sex with|slept with|did (things|stuff|it) to|undressed|raped|forced himself on|forced herself on) me\b.{0,50}\b(too drunk|drunk|asleep|passed out|unconscious|drugged|"
        r"out of it|couldnt (move|say no|stop)|said no|told (him|her|them) no|didnt want|did not want|without (my )?consent|wasnt awake|not awake|froze)\b",
        r"\btoo (drunk|high|out of it|wasted|asleep) to (say no|consent|stop (him|her|them)|fight)\b",
        r"\b(didnt|did not|never|couldnt|could not) (consent|agree)\b.{0,30}\b(sex|to it|touch\w*)\b|\b(sex|touch\w*)\b.{0,30}\b(didnt|did not|never|couldnt) (consent|agree)\b",
        r"\b(drugged|spiked) (me|my drink)\b",
        r"\b(touched|touching|touches|grop\w*|fondl\w*|kissed) me (sexually|inappropriately|intimately|without (asking|consent|permission))\b",
        r"\b(sexually|sexual) (touched|harass\w*|exploited|violated)\b", r"\bexposed (him|her)self to me\b",
        r"\bforced (himself|herself|themselves) on (me|her|him)\b", r"\b(forced|pressured|made) me (into|to have|to do) (sex|sexual|things)\b",
        r"\bforced me\b.{0,25}\b(sex|into bed|to (touch|undress|perform))\b", r"\b(was|been|got) (sexually )?assaulted\b",
    )),
    # someone armed or violent right now, near them
    Rule("armed-or-violent-now", "crisis", any=(
        near(r"(waving|brandishing|holding|has|got|pulled|grabbed|wielding|swinging|carrying) (out )?(a |the |his |her |my )?(knife|knives|gun|machete|weapon|axe|bat|hammer|blade)",
             r"hiding|hide|locked (ourselves|myself|in)|scared|terrified|threat\w*|drunk|shouting|screaming|kill|rage|angry|coming (for|after)", 70),
        r"\b(were|we are|im|i am|kids are) hiding (upstairs|in the|from (him|her|them)|under)\b",
        r"\b(holds?|held|holding|pulls?|pulled|pulling|points?|pointed|pointing|put|puts) (a |the |his |her |their )?(knife|gun|blade|weapon|scissors) (to|at|on|against) (me|us|my (throat|neck|head|face|chest))\b",
        r"\b(someone|somebody|a (man|guy|woman|person|stranger|group)|people|men|he|she|they)\b.{0,15}\bwith (a |an )?(gun|knife|machete|weapon|rifle|shotgun|pistol|axe)\b.{0,40}\b(outside|in the|at the|near|here|car park|parking|street|door|building|shop|reception)\b",
    )),
    Rule("overdose", "emergency", any=(
        # "overdosed on netflix / chocolate": an idiom about too much of something harmless
        r"\boverdos(?!\w* on (netflix|tv|telly|television|chocolate|coffee|caffeine|sugar|cake|carbs|candy|sweets|work|love|gaming|video games|youtube|tiktok|social media|"
        r"series|shows?|box ?sets?|pizza|crisps|snacks|sun|sunshine|christmas|cheese|cookies|biscuits|reality tv|true crime|podcasts|cat videos)\b)", r"\bod(d|ed)? on\b", r"\btook (way |far )?too many\b",
        r"\b(took|take|taken|swallowed|ate|had) (a |the |my |his |her )?(whole|entire|full) (bottle|packet|pack|box|strip|blister)\b",
        rf"\b(took|taken|swallowed|had|ate|taking) (way |far )?(a lot of|all (of )?(my|the|his|her)|loads of|a load of|lots of|a handful of|handfuls of|a bunch of|too much|too many|more than|double|twice|triple|extra)\b.{{0,30}}\b{MEDS}",
        rf"\b(took|taken|swallowed|ate) (about |like |around )?(\d{{2,}}|ten|fifteen|twenty|thirty|forty|fifty)\b ?{MEDS}",
        r"\b(took|taken|had|swallowed)\b.{0,30}\bmore\b.{0,25}\bthan (i |he |she |you )?(should|was supposed|supposed|prescribed|allowed|meant)\b",
        r"(?<!food )(?<!fod )\bpoison(ed|ing)\b",  # "food poisoning" (and its de-doubled "fod") is not one
        r"\b(took|taken|had|swallowed)\b.{0,25}\b(tablets|pills|meds|medication|dose|doses)\b.{0,10}\b(twice|three times|again)\b.{0,30}\b(more|extra|another|again)\b",
        r"\b(took|taken|swallowed)\b.{0,40}\b(a load more|loads more|a lot more|lots more|way more|a bunch more|heaps more)\b",
        rf"\b(necked|downed|popped|knocked back|chugged|gulped|guzzled|scoffed|swallowed|took|taken)\b.{{0,15}}\b(a load|loads|lots|a lot|a handful|handfuls|a bunch|all|the whole|a whole|heaps|a pile|a stack|a fistful|the rest)\b.{{0,25}}\b{MEDS}",
        rf"\b{MEDS}\b.{{0,80}}\b(hard to (rouse|wake)|cant (rouse|wake)|wont wake|barely conscious|not waking)\b",
    )),
    Rule("poisoning", "emergency", any=(
        r"\b(drank|drunk|swallowed|ate|eaten|licked|sucked on|got into|chewed)\b.{0,25}"
        r"\b(oils?|liniment|bleach|detergent|cleaner|cleaning \w+|pills?|tablets?|medicine|lotion|cream|button batter\w*|batter\w*|"
        r"antifreeze|chemicals?|poison|capsules?|pods?|meds|medication)\b",
        # rubs, balms and household products, whatever is between: "drank some of the camphor rub"
        r"\b(drank|drunk|swallowed|licked|sucked on|got into|chewed|sipped|gulped|ingested)\b.{0,40}"
        r"\b(rub|rubs|balm|salve|ointment|camphor|menthol|wintergreen|eucalyptus|essential|tea tree|vapou?r ?rub|vicks|tiger balm|deep heat|"
        r"icy hot|mouthwash|perfume|nail polish|polish remover|paint thinners?|thinners|lamp oil|paraffin|kerosene|petrol|gasoline|lighter fluid|"
        r"weed ?killer|pesticide|insecticide|rat poison|slug pellets|dishwasher|laundry|softener|descaler|drain cleaner|saniti[sz]er|hand gel|"
        r"rubbing alcohol|surgical spirit|e ?liquid|vape (juice|liquid)|nicotine|magnets?|disinfectant|dettol|washing up liquid|shampoo|"
        r"bath oil|massage oil|someone elses (pills|tablets|medicine|meds))\b",
    ),  # food poisoning (a stomach bug, often long over) is not a poisoning, unless anything was swallowed or is happening now
        excuse=(r"\bfood poisoning\b|\b(stomach|tummy) bug\b",),
        red_flags=(*HISTORY_RED_FLAGS, r"\b(drank|drunk|swallowed|licked|chewed|sipped|gulped|pills?|tablets?|bleach|oil|chemicals?|mushrooms?|berries)\b")),
    # a child or adult got some of a product in their mouth and now has symptoms, however the product is named
    Rule("ingestion-with-symptoms", "emergency", all=(
        near(r"oils?|lotion|cream|balm|rub|gel|liniment|bleach|detergent|cleaner|pills?|tablets?|medicine|meds|chemicals?|product|bottle(?! of (water|juice|wine|beer|pop|soda|milk|coke|lemonade|squash|fizzy|tea|coffee))|blend|"
             r"batter(y|ies)|pods?|perfume|polish|soap|sanitiser|sanitizer|diffuser",
             r"licked|drank|drunk|swallowed|ate|eaten|sucked|chewed|gulped|sipped|mouthful|got (it |some )?in (his|her|their|my) mouth|"
             r"put (it|some|them|one) in (his|her|their|my) mouth|in (his|her|their) mouth|got hold of|got into", 30),
        r"\b(vomit\w*|throw\w* up|threw up|being sick|sleepy|drowsy|floppy|coughing|choking|drool\w*|burn\w*|wheez\w*|shaky|shaking|"
        r"not (himself|herself)|wont wake|unresponsive|breath\w*|dizzy|confus\w*|seiz\w*|rash|swell\w*|wobbly|unsteady|dribbl\w*|lethargic|glassy|"
        r"cant (stand|walk)|falling over|stumbl\w*|red (mouth|lips)|crying in pain)\b",
    )),
    # carbon monoxide: a fuel-burning appliance and several people (or a pet) with headache, dizziness, vomiting
    Rule("carbon-monoxide", "emergency", any=(
        r"\bcarbon monoxide\b.{0,80}\b(dizz\w*|vomit\w*|throw\w* up|threw up|being sick|nause\w*|drowsy|sleepy|confus\w*|faint\w*|passed out|collaps\w*|headaches?|alarm)\b",
        r"\b(co|carbon monoxide|gas) (alarm|detector)\b.{0,20}\b(going off|beeping|went off|sounding|keeps going)\b",
        near(r"(car|engine|generator|exhaust|bbq|barbecue|charcoal)\b.{0,20}\b(running|on|lit|burning)", r"garage|door (shut|closed)|closed (door|garage)|tent|indoors|inside the (house|caravan)", 50),
    ), all=(
        r"\b(gas (heater|fire|boiler|stove|cooker|leak|smell)|boiler|heater|generator|wood ?burner|log burner|stove|fumes|exhaust|paraffin|bbq|barbecue|charcoal|smell of gas|chimney|flue)\b",
        r"\b(dizz\w*|vomit\w*|throw\w* up|threw up|throwing up|being sick|nause\w*|drowsy|sleepy|confus\w*|faint\w*|passed out|collaps\w*|cherry red)\b",
        r"\b(headaches?|whole family|all of us|everyone|we all|both of us|the kids|the dog|the cat|all (have|got|feel))\b",
    )),
    # acute abdomen: the worst pain in the belly with vomiting, a rigid belly, fever, blood or collapse
    Rule("abdominal-emergency", "emergency", any=(
        r"\b(belly|stomach|tummy|abdomen)\b.{0,20}\b(is |feels |gone )?(rigid|hard as a board|board ?like)\b",
    ), all=(
        r"\b(worst|severe|unbearable|excruciating|agoni[sz]ing|terrible|awful|sudden|really bad|extreme)\b.{0,30}\b(pain|ache|cramps?)\b.{0,40}"
        r"\b(belly|stomach|tummy|abdomen|abdominal|side|groin|testicles?|balls)\b|\b(belly|stomach|tummy|abdomen|abdominal|groin|testicles?)\b.{0,30}\b(worst|severe|unbearable|excruciating|agoni[sz]ing)\b",
        r"\b(vomit\w*|throw\w* up|threw up|being sick|rigid|hard|fever|blood (in|from)|bleed\w*|cant (stand|move|walk|straighten)|faint\w*|collaps\w*|swollen|pregnan\w*)\b",
    )),
    # pregnancy warning signs: bleeding, pre-eclampsia in words, the baby not moving, waters breaking early
    Rule("pregnancy-warning-signs", "emergency", any=(
        r"\b(baby|babys|bub)\b.{0,20}\b(hasnt|has not|isnt|is not|stopped|not|no longer|hardly|barely)\b.{0,10}\b(moved|moving|kicking|kicked|kicks)\b",
        r"\bwaters? (have |has )?(broke|broken|breaking|gone)\b",
    ), all=(
        r"\b(pregnan\w*|trimester|weeks along|months along|expecting|(im|i am|shes|she is) \d+ (weeks|wks)\b(?! ago))",
        r"\b(bleed\w*|blood (in|from|coming|pouring|loss|everywhere)|passing (blood|clots)|spotting heavily|blurr\w*|spots (in|before) my eyes|severe headache|pounding headache|bad headache|face (is )?(puffy|swollen)|"
        r"sudden swelling|severe (pain|cramp\w*)|contractions|fluid (leaking|gushing)|leaking fluid)\b",
    )),
    # low blood sugar: a diabetic who is confused, drowsy or can't stand
    Rule("hypoglycaemia-signs", "emergency", all=(
        r"\b(diabet\w*|blood sugar|insulin|hypo|type (1|one|2|two))\b",
        r"\b(confus\w*|not making sense|drowsy|unresponsive|cant wake|wont wake|slurr\w*|passing out|passed out|collaps\w*|barely stand|cant stand|"
        r"fitting|seizure|very low|really low|so low|dangerously low|fruity|cant think (straight|clearly|properly))\b",
    )),
    # a reading far out of range (mmol/L) with symptoms: severe low, or high with vomiting (DKA)
    Rule("blood-sugar-extreme", "emergency", all=(
        r"\b(blood sugars?|sugars?|glucose|bg|bm|bms|ketones)\b",
        r"\b(sugars?|glucose|bg|bm)s? (level |reading )?(is |are |at |of |was |were |reads |reading |down to |up to |showing )?(only |just |like |about |around |over )?"
        r"([0-2] [0-9]|[0-2]|2\d|3\d|[3-9]\d ?mmol|hi|high|ketones)\b(?! (years?|weeks?|days?|months?|hours?|mins?|minutes?|am|pm))",
        r"\b(shak\w*|sweat\w*|confus\w*|cant think|dizzy|drowsy|vomit\w*|throw\w* up|threw up|being sick|thirst\w*|fruity|breath\w*|pass\w* out|faint\w*|awful|terrible|climbing|rising|not coming down)\b",
    )),
    # serious burns
    Rule("severe-burn", "emergency", all=(
        r"\b(burn\w*|scald\w*|boiling|fire|flames|chemical|acid|hot oil|hot stone|kettle)\b",
        r"\bskin\b.{0,15}\b(coming|came|falling|fell|peeling|peeled|sliding) off\b|\b(charred|leathery)\b|\bwhite and (numb|painless)\b"
        r"|\b(huge|massive|big|giant) blisters?\b|\bblisters? (all over|bigger than)\b|\bburn\w*\b.{0,30}\b(my|his|her) (face|eyes|whole (arm|leg|back|chest|hand))\b",
    )),
    Rule("heart-attack-signs", "emergency", any=(
        r"\bchest ?(pain|tight|pressure|crush|heav|squeez|hurt|ache|aching|burn|discomfort|feels like)",
        r"\bchest\b.{0,40}\b(pain|painful|tight|tightness|pressure|crush\w*|heavy|heaviness|squeez\w*|hurt\w*|ache|aching|burn\w*|band|vice|vise|weight|discomfort|uncomfortable)",
        r"\b(pain|tight|tightness|pressure|crushing|heavy|heaviness|ache|squeezing|discomfort|vice|vise|band|weight|burning)\b.{0,35}\b(chest|breastbone|sternum)\b",
        r"\b(pain|tight\w*|pressure|crushing|heav\w*|ache|aching|squeez\w*|discomfort|burning|weight)\b.{0,25}\b(in|across|on|over) the (middle|centre|center) of (my|his|her|the) chest\b",
        r"\b(elephant|weight|someone|something|somebody|a brick|bricks)\b.{0,15}\b(sitting|standing|pressing|pushing|crushing|on)\b.{0,10}\b(my |his |her )?chest\b",
        r"\b(breastbone|sternum)\b.{0,30}\b(pain|hurt|crush|pressure|tight|ache)",
        near(r"chest\b.{0,15}\b(feels|is|feeling|gone|going) (weird|funny|strange|odd|off|wrong|not right)",
             r"grey|gray|pale|ashen|sweat\w*|clammy|breath\w*|arm|jaw|sick|nause\w*|dizzy|faint\w*|lie down", 60),
        r"\bclutch\w* (at )?(his|her|my|their) chest\b",
        r"\b(pain|ache|aching|pressure)\b.{0,40}\b(spread\w*|radiat\w*|going|moving|travel\w*|shoot\w*) (down|to|into|up)\b.{0,20}\b(arm|jaw)\b",
        r"\b(jaw|arm)\b.{0,40}\b(ache|aches|aching|pain|hurt\w*)\b.{0,40}\b(clammy|sweat\w*|sick|nause\w*|pale|grey|gray)\b",
        r"\b(pain|ache|aching|hurt\w*)\b.{0,20}\b(jaw|arm)\b.{0,40}\b(clammy|sweat\w*|sick|nause\w*|pale|grey|gray)\b",
        r"\bleft arm\b.{0,20}\b(numb|tingl|pain|hurts)", r"\bcold sweat",
        # gone pale (or grey) and sweaty with pain or feeling ill: shock or a heart attack until shown otherwise
        r"\b(pain|ache|aching|hurt\w*|unwell|sick|dizzy|breath\w*)\b.{0,60}\b(gone|going|went|is|looks|looking|turned) (very |really |so |all )?(pale|grey|gray|ashen|white)( and| &)? (sweaty|clammy|sweating)\b",
        r"\b(gone|going|went|is|looks|looking|turned) (very |really |so |all )?(pale|grey|gray|ashen|white)( and| &)? (sweaty|clammy|sweating)\b.{0,60}\b(pain|ache|aching|hurt\w*|unwell|sick|dizzy|breath\w*|chest|arm|jaw|back)\b",
        r"\b(left (arm|shoulder)|jaw)\b.{0,50}\b(ach\w*|pain|hurt\w*|heavy)\b.{0,60}\b(sweat\w*|clammy|drenched|nause\w*|throw\w* up|vomit\w*|faint|light ?headed)\b",
        r"\bheart\b.{0,25}\b(racing|pounding|fluttering|skipping|beating (really )?fast|beating irregular\w*|all over the place)\b.{0,60}\b(faint\w*|pass(ing)? out|dizzy|light ?headed|collaps\w*|chest|black(ing)? out)\b",
        r"\bheart (is |was )?giving (out|up)\b",
        r"\bheart attack\b", r"\bcardiac arrest\b",
    ), unless=(rf"{NOT_HISTORY} (a |an |my )?(heart attack|cardiac arrest)\b(?!.{{0,40}}\bchest\b)",),
        excuse=CHEST_EXCUSE, red_flags=CHEST_RED_FLAGS),
    Rule("heart-attack-atypical", "emergency", any=(
        r"\b(indigestion|heartburn|heart burn|upper (stomach|belly|tummy) pain)\b.{0,80}\b(wont go|not going|doesnt go|will not go|isnt going|wont stop|"
        r"getting worse|pale|grey|gray|ashen|sweat\w*|clammy|vomit\w*|throw\w* up|threw up|being sick|breathless|short of breath|faint\w*|"
        r"arm|jaw)\b",
        r"\b(pale|grey|gray|ashen|sweat\w*|clammy|vomit\w*|throw\w* up|threw up|being sick)\b.{0,60}\b(indigestion|heartburn|heart burn)\b",
    ), all=(
        r"\b(stents?|bypass|heart attack|angina|heart (disease|condition|problems?|surgery|failure)|cardiac|coronary|pacemaker|heart history)\b",
        r"\b(pain|ache|aching|indigestion|heartburn|pressure|tight\w*|discomfort|unwell|funny|not right)\b",
        r"\b(pale|grey|gray|ashen|sweat\w*|clammy|vomit\w*|throw\w* up|threw up|being sick|breathless|short of breath|faint\w*|dizz\w*|"
        r"sudden\w*|wont go|not going away|wont stop|collaps\w*|cold and|nause\w*)\b",
    )),
    # pulmonary embolism: one swollen leg (or a long flight, recent surgery) and now pain on breathing or breathlessness
    Rule("pulmonary-embolism-signs", "emergency", all=(
        rf"{LEG}.{{0,60}}\b(swell\w*|swollen|twice|double|bigger|puffy|painful|pain|red|hot|warm)\b|\b(swell\w*|swollen|puffy)\b.{{0,40}}{LEG}"
        r"|\b(long (flight|drive|haul|car ride|journey)|after (my |the |an? )?(surgery|operation|op)|bed ?rest|immobil\w*|cast)\b",
        r"\b(pain|hurts?|sharp|stabbing|catch\w*)\b.{0,30}\b(when|as|if) (i )?(breath\w*|inhal\w*)|\b(breath\w*|inhal\w*)\b.{0,20}\b(hurts?|painful|sharp|stab\w*)\b"
        r"|\bshort(ness)? of breath\b|\bbreathless|\bcough\w* (up )?blood\b|\b(cant|hard to|struggling to) (breathe|catch my breath)\b",
    )),
    Rule("breathing-difficulty", "emergency", any=(
        r"\b(cant|cnat|cnt|cannot|can not|struggling to|hard to|trouble|difficulty|unable to|barely|hardly|can barely|can hardly) (properly )?(breath|breathe|breathing|breth|brethe|get (my )?breath|catch (my )?breath|get (any |enough )?air|get air)(?!\w* (lol |haha |lmao )?(jk|just kidding|kidding|joking)\b)",
        r"\bshort(ness)? of breath\b", r"\bbreathless", r"\bgasping\b", r"\bchoking\b", r"\bsuffocat(?!\w* (under|in|with|by) (work|emails?|paperwork|deadlines|admin|stress|meetings|bills|tasks|assignments|homework|laundry|debt|exams?|marking|invoices)\b)",
        r"\bcough\w*\b.{0,30}\bblood\b", r"\bstopped breathing\b", r"\bnot breathing\b", r"\b(isnt|is not|wasnt|was not|arent|are not|hes not|shes not) breathing\b",
        r"\b(doing|giving|started|starting|start|performing|do|did) (cpr|chest compressions|mouth to mouth|rescue breaths)\b", r"\b(getting|get|grab\w*|fetch\w*|using|use|used|need) (the |a )?(defib\w*|aed)\b",
        r"\bbreathing (is )?(really |very |so )?(hard|difficult|laboured|labored|fast|shallow|bad|weird|noisy)\b", r"\bout of breath\b",
        r"\b(lips?|face|skin|fingers|fingertips|finger ?nails|nails|nail beds|tongue|mouth)\b.{0,20}\b(turn\w*|going|gone|look\w*|are|is|went)? ?(an? )?(dusky )?(blue|purple|bluish|grey blue|dusky)\b",
        r"\bstruggling for (air|breath)\b", r"\b(not enough|no) air\b", r"\bdrowning\b(?! in (work|emails?|paperwork|debt|stuff|laundry|tasks|deadlines|assignments|homework|admin|bills|meetings|orders|love))",
        r"\binhaler\b.{0,20}\b(isnt|is not|not|doesnt|does not|wont)\b.{0,10}\b(working|helping|work|help)\b",
        r"\basthma attack\b", r"\bwheez\w*\b.{0,40}\b(bad|badly|cant|hard|struggl|talk|speak|sentences)\b",
        r"\bcant (talk|speak) in (full )?sentences\b",
        # a child's red flags: the skin between the ribs or at the neck sucking in, a noise with every breath
        r"\b(skin|chest|ribs?|tummy|belly|neck)\b.{0,25}\b(suck\w*|pull\w*|draw\w*|cav\w*) in\b",
        r"\b(whistl\w*|grunt\w*|wheez\w*|rattl\w*|squeak\w*)\b.{0,25}\b(every|each|with (every|each)) breath\b",
    ), excuse=(r"\b(breathless|out of breath|took my breath away|take my breath away)\b.{0,25}\b(just )?(thinking|think|remember\w*|how good|"
               r"how amazing|excit\w*|anticipat\w*|in love|laugh\w*|giggl\w*|the view|beautiful|gorgeous)\b",
               r"\b(through|out of) (my|his|her|the|their) nose\b|\b(blocked|stuffy|bunged up|runny) nose\b|\bhay ?fever\b|\bsinus\w*\b",
               r"\b(unfit|out of shape)\b|\b(on|up|climbing) (the )?stairs\b|\b(after|during) (my |a |the |an )?(first |usual |long |hard |big |new )?(running|a run|my run|the gym|exercise|my workout|a workout|climbing|cycling|the hike|spin|spin class|hiit|class|the class|football|training|sprints?|sprinting|a sprint|intervals|hill (repeats|sprints)|a (game|match|race)|the (game|match|race)|netball|soccer|tennis|squash|basketball|rugby|hockey|swimming|laps)\b",
               r"\b(after|during|from) (my |a |the |an )?(first |long |hard |big |usual |new |killer )?(spin|hiit|crossfit|zumba|dance|yoga|pilates|boxing|bootcamp|circuit|gym|fitness|step|aerobics|swim\w*|running|rowing)( class| session| workout)?\b.{0,30}\b(in (years|ages|months|a while)|haha|lol|my legs|unfit)\b",),
        red_flags=(r"\b(chest|lips?|blue|wheez\w*|dizz\w*|faint\w*|pain|sweat\w*|worse|help|emergency|right now|scared|cant (talk|speak)|choking|swell\w*)\b",)),
    Rule("blood-clot-signs", "emergency", any=(
        r"\b(blood )?clot\b.{0,40}\b(now|right now|today|think|worried|might|could|maybe|signs)\b",
        r"\b(think|worried|might|could|maybe|scared|afraid)\b.{0,30}\b(clot|dvt|embolism)\b",
        r"\b(dvt|embolism|thrombosis)\b.{0,30}\b(now|think|worried|might|could|signs|symptoms)\b",
        r"\b(leg|legs|calf|calves|thigh|ankle)\b.{0,40}\b(bigger|larger|fatter|more swollen) than the other\b",
        r"\b(leg|calf|thigh|ankle)\b.{0,40}\b(twice|double|three times|much bigger than|way bigger than|bigger than)\b.{0,15}\b(the other|my other|the right|the left|my right|my left)\b",
        r"\b(long (flight|drive|haul))\b.{0,60}\b(swell\w*|swollen|short of breath|chest)\b",
    ), all=(LEG, r"\b(swell|swelling|swollen|puffy|puffed|hot|warm|warmth|red|redness|reddish|discolou?r\w*|hard lump|throbbing|tender)\b"),
        # both legs puffy after a day on one's feet or in the heat is not the one-sided swelling of a clot
        excuse=(r"\bboth (of them|legs|calves|ankles|feet)\b.{0,60}\b(after|from) (standing|sitting|a long day|walking|the heat|hot weather|being on my feet)\b"
                r"|\b(after|from) (standing|sitting|a long day|walking|the heat|hot weather|being on my feet)\b.{0,60}\bboth (of them|legs|calves|ankles|feet)\b",
                # soreness from exercise, growing pains, feet that swell in the heat and go down overnight
                r"\b(sore|stiff|tight|achy|aching|tired|heavy|cramp\w*)\b.{0,25}\b(calves|legs|thighs|hamstrings|quads)\b.{0,30}\b(from|after) (hiking|a hike|the hike|running|a run|my run|the gym|training|football|walking|exercise|cycling|squats|leg day|a marathon|the marathon|a race|the race)\b",
                r"\bgrowing pains\b", r"\b(go|goes|went|going) down (overnight|by (the )?morning|when i (rest|lie down|put my feet up|sleep))\b",),
        red_flags=(r"\b(one (leg|calf|side)|only (one|the (left|right))|(left|right) (leg|calf)|red|hot(?! (day|days|weather|summer))|warm(?! (day|days|weather))|"
                   r"(?<!growing )pain\w*|tender|hard|breath\w*|chest|cough\w*|worse|bigger than)\b",),
        # cramp in a race or a run that has passed: exercise, unless anything points to a clot
        unless=(r"^(?!.*\b(swell\w*|swollen|puffy|red|hot|warm|bigger|one (leg|calf|side)|only one|breath\w*|chest|cough\w*|worse)\b)"
                r".*\b(cramp\w*|sore|stiff|doms)\b.{0,60}\b(run|running|race|hike|hiking|gym|training|football|exercise|workout|marathon|km|mile|miles|leg day|squats|cycling|match|game|swim\w*|pool|laps|tennis|netball|class|dancing|yoga|pilates|sport)\b",
                r"^(?!.*\b(swell\w*|swollen|puffy|red|hot|warm|bigger|one (leg|calf|side)|only one|breath\w*|chest)\b).*\bgrowing pains\b",)),
    Rule("stroke-signs", "emergency", any=(
        r"\b(face|mouth|smile|eye|eyelid|lip)\b.{0,25}\b(droop\w*|drop\w*|sag\w*|numb|lopsided|uneven|fallen|crooked|twisted|slipped|slump\w*|wonky|lower on one side)(?!\w* in (photos|pictures|selfies|the mirror))(?!.{0,30}\b(always (been|was)|since (birth|i was|childhood)|all my life)\b)", r"\bdroop",
        r"\b(cant|cannot|can not|unable to) smile (on one side|properly|evenly|straight)\b", r"\b(one side|half) of (my |his |her |the )?(mouth|smile|lips?)\b",
        r"\b(see|seeing|sees) (two of everything|double|everything double|things double|everything twice)\b", r"\bdouble vision\b",
        r"\bslurr", r"\b(cant|cannot|trouble|difficulty|struggling to) (speak|talk|get (my |the |his |her )?words out|find (my |the |his |her )?words)\b",
        r"\b(saying|using|says|uses|said) (all )?(the )?wrong words\b", r"\b(cant|cannot|can not|couldnt) (hold|grip|pick up) (her|his|my|a|the) \w+ (with|in) (her|his|my) (left|right) hand\b",
        r"\bspeech (is |was |has gone |sounds |seems )?(slurred|garbled|strange|weird|funny|jumbled|off|wrong|odd|muddled|not right)\b",
        near(r"stagger\w*|stumbl\w*|unsteady|off balance|cant walk straight|veer\w*|walking like (shes|hes|she is|he is) drunk|like (shes|hes|she is|he is|im|i am) drunk",
             r"speech|words|talking|slurr\w*|face|arm|sudden\w*|hasnt (had|been drinking)|not (had|been drinking)|sober", 60),
        r"\bwords\b.{0,25}\b(wrong|jumbled|garbled|mixed up|muddled|slurr\w*|all over the place|dont make sense|make no sense)\b",
        r"\b(talking|speaking) (funny|strange|weird|gibberish|nonsense)\b",
        r"\b(arm|leg|hand|face|side)\b.{0,15}\b(suddenly |just )?(went|gone|has gone|going|turned|goes) (numb|weak|dead|limp|floppy)\b",
        r"\bsudden(ly)?\b.{0,60}\b(numb|numbness|weak|weakness|paraly)",
        r"\b(cant|cannot|trouble|difficulty|struggling to) understand(ing)? (what|people|words|anyone|anything|speech)\b",
        r"\b(out of nowhere|all of a sudden|came on suddenly)\b.{0,40}\b(numb|weak|droop|slurr|cant (speak|talk|see|move))",
        r"\b(one|left|right) side of (my |his |her |the )?(body|face)\b.{0,30}\b(numb|weak|droop|tingl|dead|cant)",
        r"\b(half|one side) (of )?(my |his |her |the )?(face|body)\b.{0,25}\b(numb|weak|droop|dead|gone|tingl)",
        r"\bnumb\w*\b.{0,30}\b(one side|half (of )?(my |his |her )?(face|body))\b",
        r"\b(cant|cannot|unable to|couldnt) (feel|lift|raise|move) (my |his |her )?(left|right|one) (side|arm|leg)\b",
        r"\b(cant|cannot|unable to|couldnt) (lift|raise) (my |his |her )?(arm|leg)\b",
        r"\bsudden(ly)?\b.{0,40}\b(vision|blind|cant see|double vision|sight)\b", r"\b(lost|losing|loss of) (my |the )?(vision|sight)\b",
        r"\b(cant|cannot|can not) see (out of|in|with) (one|my left|my right) eye\b",
        near(r"(arm|leg|hand|face)\b.{0,25}\b(flop\w*|floppy|limp|dropped|fell|droop\w*|useless|wont (move|work)|went dead)",
             r"not making (any )?sense|talking (nonsense|rubbish|funny|strange|gibberish)|cant (speak|talk|get (her|his|my) words)|muddled|slurr\w*|words", 80),
        r"\bworst headache\b", r"\bthunderclap\b", r"\bvision (went|is|has gone|gone|going|suddenly went) (double|blurry|black|dark|funny)\b",
        r"\b(left|right|one) (arm|leg|hand|side)( and (arm|leg|hand))? (is |are |went |has gone |feel |feels )?(numb and weak|weak and numb|dead|numb)\b.{0,60}\b(dropping|drop|vision|speech|words|face|cant (lift|grip|hold))\b", r"\bsudden(ly)?\b.{0,25}\b(severe|terrible|excruciating|worst|splitting) headache\b",
        r"\b(having|having a|signs of|symptoms of|is this) (a )?stroke\b", r"\bthink.{0,25}\bstroke\b", r"\bmini stroke\b", r"\btia\b",
    ), unless=(r"\b(had|after|since|previous|history of|recovering from|survived) (a |my )?stroke\b",),
        # numbness from leaning or sleeping on a limb that then passes is not a stroke sign, unless
        # anything else points to one
        excuse=(r"\b(when i (lean|sleep|sit|lie|kneel|cross|rest|type)|lean(ing)? on|sleep(ing)? on|sitting on|goes away|went away|"
                r"passes|then (its|it is|it s) (fine|ok|okay|normal)|after a (minute|few minutes|while)|fell asleep|falls asleep|"
                r"go(es)? to sleep|pins and needles)\b",),
        red_flags=(r"\b(face|speech|speak|talk|slurr\w*|droop\w*|confus\w*|vision|see|one side|half|headache|dizz\w*|sudden\w*|"
                   r"out of nowhere|wont go|not going|still numb|both)\b",)),
    # "can't feel my legs lol" after squats or a marathon is a joke about soreness, unless anything
    # names the bladder, the bowel or the saddle area
    Rule("cauda-equina-signs", "emergency", unless=(
        r"^(?!.*\b(pee|wee|urin\w*|bladder|bowels?|poo|poop|toilet|wipe|saddle|groin|bum|bottom|genital\w*|privates?|crotch|back pain|sciatica)\b)"
        r".*\b(squats?|leg day|deadlifts?|lunges|the gym|workout|spin|marathon|half marathon|a run|my run|hike|hiking|cycling|bootcamp|crossfit|pistol squats|wall sits?)\b",), any=(
        r"\bsaddle\b.{0,20}\b(numb|anaesth|anesth|tingl)",
        r"\bnumb(ness)?\b.{0,30}\b(between my legs|groin|genital|genitals|private|privates|bottom|buttock|buttocks|butt|bum|inner thighs?|crotch|anus)\b",
        r"\b(groin|genital|genitals|buttock|bottom|crotch|bum)\b.{0,20}\bnumb",
        r"\b(lost|losing|loss of|cant control|cannot control|no control (of|over)|leaking)\b.{0,25}\b(bladder|bowel|bowels|pee|urine|poo|poop|wee)\b",
        r"\b(wet|peed|soiled|pooed|pooped) my ?self\b",
        r"\bboth (my |his |her )?legs\b.{0,30}\b(weak|numb|giving way|gave way|wont hold|collaps|cant move|going)",
        r"\b(cant|cannot) (feel|move) (my |both |his |her )+legs\b", r"\bweakness in (both|my) legs\b",
        r"\b(cant|cannot) feel\b.{0,25}\b(bottom|bum|groin|genitals?|privates?|saddle|when i wipe|toilet paper|when i (pee|wee|urinate))\b",
        r"\b(back|sciatica|legs?|numb\w*|saddle)\b.{0,80}\b(havent been able to|have not been able to|not able to|cant|cannot) (pee|wee|urinate|pass urine|go to the toilet)\b",
        r"\b(cant|cannot|trouble|difficulty|unable to|struggling to) (pee|wee|urinate|pass urine)\b.{0,60}\b(back|legs?|numb)\b",
        r"\b(back|legs?|numb\w*)\b.{0,60}\b(cant|cannot|trouble|difficulty|unable to|struggling to) (pee|wee|urinate|pass urine)\b",
    ),  # a numb bottom from long sitting that passes on standing is pressure, not cauda equina, unless a red flag is also there
        excuse=(r"\b(sitting|sat|desk|chair|bike|cycling|saddle|long drive|driving|toilet|hard seat)\b.{0,80}\b(goes away|went away|passes|wears off|fine (again|once|when|after)|"
                r"when i (stand|get up|move|walk)|after (i stand|standing|getting up|a (walk|minute|few minutes)))\b",
                r"\bnumb\w*\b.{0,40}\b(after|from|when|while) (a |my )?(long )?(day|shift|sitting|sit|drive|ride|cycle|flight|desk|chair|meeting)s?\b",),
        red_flags=(r"\b(bladder|bowel|pee|wee|urin\w*|poo|leak\w*|wet my ?self|wipe|both legs|legs (are )?weak|weak legs|genital|worse|sudden\w*|"
                   r"wont go|not going|still numb|doesnt go|does not go|all the time|constant)\b",)),
    Rule("sepsis-or-meningitis-signs", "emergency", any=(
        r"\bsepsis\b", r"\bseptic\b", r"\bmeningitis\b",
        r"\brash\b.{0,40}\b(doesnt|does not|wont|didnt|will not|isnt|not) (fade|go away|disappear|go white|blanch)\b",
        r"\bglass test\b", r"\b(purple|blotchy|non blanching|mottled) (rash|skin|spots)\b",
        r"\b(feel|feels|feeling) like (im|i am|hes|shes|he is|she is) (dying|going to die)\b.{0,80}\b(fever|burning up|freezing|shiver\w*|blotchy|mottled|"
        r"rash|confus\w*|havent (peed|weed)|no (pee|urine)|breath\w*)\b",
    ), all=(r"\b(fever|feverish|temperature|high temp|burning up|burning hot|febrile|hot and cold|hot then cold|freezing|chills|shivering)\b",
            r"\b(stiff neck|neck is stiff|confus|rash|shiver|shaking|rigors|clammy|mottled|blotch\w*|discolou?r\w*|drowsy|very sleepy|hard to wake|"
            r"cant look at (the )?light|light hurts|cant think|havent (peed|weed)|not peed|no (pee|urine)|feel like (im|i am) dying|going to die|"
            r"breathing (really |very )?fast|slurr\w*)")),
    # meningitis in words: severe headache + a neck that won't bend + vomiting, drowsiness, light, fever or rash
    Rule("meningitis-signs", "emergency", all=(
        r"\b(headache|head ache|head is pounding|head hurts|head pain|migraine)\b",
        r"\b(stiff neck|neck (is )?(so |really |very |too )?stiff|stiffness in (his |her |my |their )?neck|(cant|cannot|can not|unable to|wont) (touch|bend|put|get|tuck|bring) "
        r"(his |her |my |their )?(chin|head|neck)\b.{0,15}\b(chest|forward|down)|(cant|cannot) bend (his |her |my |their )?neck)\b",
        r"\b(vomit\w*|throw\w* up|threw up|being sick|drowsy|sleepy|hard to wake|confus\w*|light (hurts|bothers)|cant (look at|stand) (the )?light|"
        r"fever|burning up|rash|floppy|not himself|not herself)\b",
    )),
    # spinal injury: a fall or crash, then tingling, numbness or weakness in the arms, hands or both legs
    Rule("spinal-injury-signs", "emergency", all=(
        r"\b(fall|fell|fallen|falling|crash\w*|accident|dive|dived|diving|tackl\w*|landed|thrown|hit by|knocked|came off|flipped)\b",
        r"\b(neck|spine|spinal|head|back)\b",
        r"\b(tingl\w*|numb\w*|pins and needles|weak\w*|electric)\b.{0,40}\b(both|arms|hands|fingers|legs|all four)\b"
        r"|\b(both|arms|hands|fingers|feet|toes)\b.{0,30}\b(tingl\w*|numb\w*|pins and needles|weak\w*|heavy|weird|funny|dead|floppy|strange)\b"
        r"|\b(cant|cannot|can not|unable to|couldnt) (really |properly )?(move|feel|lift|use) (my |his |her |their )?(legs|arms|hands|feet|toes|fingers)\b"
        r"|\b(legs|arms) (wont|will not|dont) (move|work)\b",
    ), excuse=HISTORY_EXCUSE, red_flags=HISTORY_RED_FLAGS),
    Rule("anaphylaxis-signs", "emergency", any=(
        r"\banaphyla", r"\bepi ?pen\b", r"\badrenaline (pen|auto)",
        r"\b(throat|tongue|lips?|mouth)\b.{0,20}\b(swell|swelling|swollen|closing|tight|puffy|puffing)",
        r"\bswelling (of|in|up) (my |the )?(throat|tongue|lips|mouth|face)\b",
        r"\ballerg\w*\b.{0,50}\b(breath|throat|swell|swollen|hives|wheez|tongue|lips|swallow|tight)",
        r"\ballerg\w*\b.{0,30}\b(ate|eaten|had|touched|exposed|stung|bitten|ingested|drank)\b.{0,60}\b(blotch\w*|coughing|cough\w* (a lot|badly|non stop)|itchy (all over|throat|mouth)|rash all over|vomit\w*|throw\w* up|faint\w*|floppy|pale|dizzy)\b",
        r"\bhives\b.{0,40}\b(swell|swollen|breath|throat|wheez|tongue|lips|face)",
        r"\b(face|eyes)\b.{0,20}\b(swell\w*|swollen)\b.{0,40}\b(breath|oil|lotion|cream|allerg)",
        r"\b(stung|sting|stings|bitten|ate|eaten|nuts?|peanuts?|shellfish|allerg\w*)\b.{0,60}\b(face|lips?|eyes?|tongue|throat|mouth)\b.{0,20}\b(swell\w*|swollen|puff\w*|blow\w* up|ballooning)",
    ), excuse=HISTORY_EXCUSE,
        red_flags=(*HISTORY_RED_FLAGS, r"\b(swell\w*|swollen|throat|tongue|lips?|breath\w*|wheez\w*|hives|rash|blotch\w*|faint\w*|dizzy|(used|use|using|gave|give|giving|need|needed) (the |his |her |my |an )?epi ?pen)\b")),
    Rule("fainting-or-unresponsive", "emergency", any=(
        r"\bfaint(ed|ing)?\b(?! (smell|scent|mark|line|hint|sound|trace|memory|idea))", r"\bpass(ed|ing)? out\b", r"\bblack(ed|ing)? out\b", r"\bcollaps(ed|ing|e)\b",
        r"\bunconscious\b", r"\bunconcious\b", r"\bunresponsive\b", r"\bnot responding\b", r"\b(wont|cant|doesnt|isnt) wak(e|ing)( up)?\b",
        r"\b(hasnt|has not|not|isnt|is not|havent) (come|coming) (round|around|to)\b",
        r"\b(not|isnt|wont|doesnt|is not|will not|does not|stopped) (answer|answering|respond|responding|react|reacting)( to)? (me|us|anyone|anything|his name|her name|my voice)\b",
        r"\b(on|lying on) the (floor|ground)\b.{0,30}\b(shaking|jerking|twitching|fitting|not moving|unconscious|not breathing)",
        r"\bno pulse\b", r"\bseizure", r"\bfitting\b", r"\bconvuls",
        r"\bkeel\w* over\b", r"\b(dropped|slumped|crumpled|went down|fell down|fell over|hit the (floor|ground|deck))\b.{0,40}\b(not moving|isnt moving|wont wake|not waking|limp|floppy|not breathing|no pulse|cant (feel|find) a pulse|unresponsive|not responding|eyes)\b",
        r"\b(cant|cannot|can not|couldnt|unable to) (feel|find|get|detect) (a |his |her |their |any |the )?(pulse|heart ?beat)\b", r"\bno (heart ?beat|signs of life)\b",
        r"\b(gone|went|is|going) (limp|floppy|blue and)\b", r"\beyes (rolled|rolling|roll|are rolling|went) (back|up)\b",
        r"\b(jerk\w*|twitch\w*|shaking|shook|stiffen\w*|went stiff)\b.{0,40}\b(eyes|unresponsive|not responding|wont respond|arms and legs|uncontrollab\w*|"
        r"fever|burning hot|burning up|temperature|floor|ground|foaming|lips)\b", r"\b(having|had|has|having a) (a )?fit\b(?! (in|into|for|of))",
    ), excuse=HISTORY_EXCUSE, red_flags=HISTORY_RED_FLAGS,
       unless=(r"\b(my |the |our |a )?(dog|cat|puppy|kitten|pet|rabbit|hamster|horse)\b.{0,30}\b(floor|ground|shaking|fit|fitting|seizure|collaps\w*|faint\w*)\b",
               r"\b(i )?(nearly|almost|practically|basically) (fainted|passed out|blacked out)\b.{0,40}\b(price|bill|cost|bank balance|balance|statement|receipt|total|invoice|laugh\w*|relax\w*|good|amazing|bliss\w*|happ\w*|effort|exertion|the workout|hiit|spin|burpees|"
               r"excit\w*|joy|heaven\w*|wonderful|incredible|comfy|comfortable|calm)",)),
    # an old concussion, fully recovered, is history (a caution at most), not a head injury now
    Rule("head-injury-signs", "emergency", any=(
        r"\bconcuss",
        r"\b(knocked (out|unconscious)|out cold|lost consciousness|blacked out)\b.{0,80}\b(forget\w*|vomit\w*|throw\w* up|threw up|being sick|confus\w*|drowsy|cant remember|memory|headache|dizzy)\b",
        r"\b(crash\w*|accident|fell|fall|knock\w*|hit|bang\w*|bump\w*|whack\w*)\b.{0,80}\bheadache\b.{0,40}\b(getting worse|worse and worse|keeps getting worse|blurr\w*|double vision|vomit\w*|throw\w* up|confus\w*)\b",
        ), excuse=HEAD_EXCUSE, red_flags=HEAD_RED_FLAGS, all=(
        r"\b(hit|hitting|bang|banged|bump|bumped|knock|knocked|smack|smacked|fell|fall|fallen|blow|injur)\w*\b.{0,40}\bhead\b|\bhead (injury|trauma|wound)\b",
        r"\b(confus|vomit|throw(ing)? up|threw up|being sick|drowsy|sleepy|dizzy|cant remember|memory|blurr|double vision|passed out|headache|keeps being sick)",
    )),
    Rule("bleeding", "emergency", any=(
        r"(?<!dont )(?<!do not )(?<!no need to )(?<!never )\b(call|calling) (an )?ambulance\b", r"\bemergency\b.{0,20}\b(now|help|right now)\b",
        r"\bbleeding (heavily|badly|a lot|wont stop|that wont stop|that will not stop|everywhere|profusely)\b",
        r"\b(wont|will not|doesnt|does not|cant make it) stop bleeding\b", r"\bblood\b.{0,30}\b(wont|will not|doesnt|does not) stop\b",
        r"\bblood (is )?(everywhere|pouring|spurting|gushing|pumping|squirting)\b", r"\b(pouring|spurting|gushing) (out )?blood\b",
        r"\b(so much|lots of|a lot of) blood\b", r"\b(pouring|streaming|dripping|covered|soaked) (with|in) blood\b", r"\b(vomit\w*|throw\w* up|threw up|puking|puke|coughing up|sick) (up )?blood\b",
        r"\bblood in (my )?(vomit|sick)\b",
        # catastrophic bleeding in plain words (first-aid: soaking through dressings, spurting or pumping)
        r"\b(bleed\w*|blood)\b.{0,40}\b(through|soaked|soaking|soaks) (through )?(every|each|the|a|all the|several|two|three|multiple|his|her|my)? ?(towels?|bandages?|cloths?|tea towels?|dressings?|tissues|t ?shirts?|shirts?|sheets?|jeans|trousers)\b",
        r"\b(towels?|bandages?|cloths?|dressings?)\b.{0,20}\b(soaked|drenched|full of blood|red through)\b",
        near(r"bleed\w*|blood|cut|wound|gash", r"pumping|spurting|squirting|spraying|sprays|pulsing|pulsating|jets?|in spurts|shooting out|wont stop|cant stop it", 60),
        r"\b(cut|sliced|severed|nicked|hit) (an |his |her |my |the )?(artery|arteries)\b", r"\b(severed|chopped off|cut off|sliced off) (his |her |my |a )?(finger|thumb|toe|hand|foot|fingertip)\b",
        r"\b(chainsaw|circular saw|angle grinder|machete|axe|glass|knife)\b.{0,40}\b(deep|gaping|to the bone|cant stop|wont stop|pouring|so much blood|bleed\w* (badly|heavily|a lot))\b",
        r"\b(nose ?bleeds?|bleed\w*)\b.{0,50}\b(not slowing|isnt slowing|wont slow|not stopping|isnt stopping|wont stop|keeps going|still going|"
        r"(been going|going on|for) (for )?(over |more than |about |almost |nearly |around |like )?(\d+|ten|fifteen|twenty|thirty|forty|fifty|an?|half an?) ?(min\w*|hours?|hrs?))\b",
    )),
    Rule("bleeding-on-blood-thinners", "emergency", all=(
        r"\b(blood ?thinn\w*|anticoagul\w*|warfarin|coumadin|eliquis|apixaban|xarelto|rivaroxaban|heparin|clopidogrel|plavix|dabigatran|pradaxa|edoxaban|h(a)?emophilia)\b",
        r"\b(nose ?bleed\w*|bleed\w*|blood (is |keeps |has been )?(coming|pouring|running|dripping|gushing))\b.{0,60}\b(wont stop|not stopping|isnt stopping|not slowing|isnt slowing|wont slow|keeps (going|coming)|still going|"
        r"been going|for (\d+|an?|half an?|twenty|thirty|forty) ?(min\w*|hours?)|heavy|heavily|a lot|pouring|everywhere|gushing)\b"
        r"|\b(vomit\w*|cough\w*|throw\w* up|pee\w*|peeing|urine|wee|poo|stool|black (poo|stool)s?)\b.{0,15}\bblood\b|\bblood in (my )?(pee|urine|wee|poo|stools?|vomit)\b"
        r"|\b(hit|bang\w*|bump\w*|knock\w*|fell on) (my |his |her )?head\b|\bfell and hit\b",
    )),
    # --- cautions: the documents may be quoted, but clearance is the provider's -------------
    Rule("dosing", "caution", any=(
        rf"\b(how much|how many|how often|what amount of|what dose of|how strong)\b.{{0,40}}\b{MEDS}",
        rf"\b{MEDS}\b.{{0,30}}\b(how much|how many|how often|dose|dosage)\b",
        rf"\b(can|should|could|is it ok to|is it okay to|is it safe to) (i|you|we|he|she) (take|have|use|pop) (an? )?(extra|more|another|two|three|four|five|double|\d+|a few|some more|a couple|several|higher|a double)\b.{{0,20}}\b{MEDS}",
        rf"\b(take|taking|have|having|use) (an? )?(extra|more|another|two|three|four|double|\d+|a few more|a couple more|higher)\b.{{0,20}}\b{MEDS}",
        r"\b(double|doubling) up\b", r"\b(max|maximum|highest|safe|right|correct|usual|normal) (amount|dose|dosage|number)\b",
        r"\b(dose|dosage|doses|dosing)\b", r"\b\d+ ?(mg|mcg|ug|ml|milligrams?|micrograms?|iu)\b", r"\bmilligram",
        rf"\b\d+ (or \d+ )?{MEDS}",
        rf"\b(two|three|four|five|six|extra|double|another|an extra|a few more|more) (extra |more )?{MEDS}",
    )),
    Rule("medication-change", "caution", any=(
        rf"\b(stop|stopping|quit|quitting|come off|coming off|get off|go off|reduce|reducing|lower|lowering|cut down|cutting down|cut back|"
        rf"replace|replacing|skip|skipping|miss|missing|instead of|ditch|ditching|change|changing|switch|switching|swap|swapping|"
        rf"increase|increasing|halve|halving|wean|weaning|drop|dropping|taper\w*)\b.{{0,30}}\b{MEDS}",
        rf"\b{MEDS}\b.{{0,30}}\b(stop|stopping|quit|replace|replaced|skip|reduce|less|no longer|anymore|any more)\b",
    )),
    Rule("pregnancy", "caution", any=(r"\bpregnan", r"\bexpecting (a baby|twins|triplets)\b", r"\btrimester\b", r"\bprenatal\b",
                                      r"\bpostpartum\b", r"\b(embarazada|embarazo|enceinte|grossesse|schwanger\w*|gravida|gravidez|incinta|gravidanza)\b", r"\b(im|i am|were|we are|wife is|partner is) expecting\b", r"\bweeks (along|gone)\b",
                                      r"\b(\d+|one|two|three|four|five|six|seven|eight|nine|a few|few) (months?|weeks?|mo|wks?) (along|gone|in to (my|her|the) pregnancy)\b",
                                      r"\b(baby|babys|my|her|our) (is )?due (date|in|next|this|on|soon)\b", r"\bbaby bump\b", r"\bmy bump\b",
                                      r"\bmorning sickness\b", r"\bwith child\b", r"\bbun in the oven\b",
                                      r"\b(im|i am|shes|she is|wife is|partner is|girlfriend is|were|we are) (about |nearly |almost )?\d+ ?(wks?|weeks)\b(?! (ago|old|post|after|since))", r"\b(ivf|trying to conceive|ttc|fertility treatment)\b",
                                      r"\b(just |recently )?(had|gave birth to|delivered) (a |my |our )?(baby|son|daughter|twins)\b.{0,30}\b(ago|weeks?|days?|last|recently)\b",
                                      r"\bgave birth\b", r"\bmiscarr\w*", r"\bbreast ?feeding\b", r"\bnursing (mum|mom|mother)\b"),
         # "not pregnant (yet)" on its own is not a pregnancy (other cues still count)
         unless=(r"\b(not|never been|arent|isnt|im not|she isnt) (pregnant|expecting)( yet)?\b(?!.{0,40}\b(weeks?|months?|trimester|due|bump|ivf)\b)",)),
    Rule("blood-thinners-or-bleeding", "caution", any=(
        r"\banticoagul", r"\bblood ?thinn", r"\bwarfarin\b", r"\bcoumadin\b", r"\b(marcumar|sintrom|phenprocoumon|acenocoumarol|anticoagulantes?|anticoagulanti|blutverdunner\w*|gerinnungshemmer)\b", r"\beliquis\b", r"\bapixaban\b", r"\bxarelto\b",
        r"\brivaroxaban\b", r"\bheparin\b", r"\bclopidogrel\b", r"\bplavix\b", r"\bdabigatran\b", r"\bpradaxa\b", r"\bedoxaban\b",
        r"\bh(a)?emophilia\b", r"\bbleeding disorder\b", r"\bbruise (so |very |really |super )?easily\b", r"\blow platelet",
    )),
    Rule("blood-clot-history", "caution", any=(r"\bclot", r"\bdvt\b", r"\bthrombo", r"\bembolism\b", r"\bvaricose\b")),
    Rule("surgery-or-wounds", "caution", any=(
        r"\bsurger", r"\boperation\b", r"\bpost ?op\b", r"\bstitches\b", r"\bincision\b", r"\bwound", r"\bopen cut\b",
        r"\bc ?section\b", r"\b(knee|hip|joint|shoulder) replacement\b", r"\b(knee|shoulder|hip|ankle|wrist|elbow) scope\b", r"\bimplant", r"\bkeyhole\b",
        r"\b(hip|knee|shoulder|joint|ankle|elbow|wrist|spine|back|neck)s? (was |were |got |been |just )?(replaced|resurfaced|reconstructed|scoped|pinned|plated|fused|"
        r"operated on|repaired|rebuilt|done)\b",
        r"\bhad (my |a |an |the )?(hip|knee|shoulder|ankle|elbow|wrist|back|spine|neck|bunion|gallbladder|gall bladder|appendix|hernia|acl|tonsils|"
        r"wisdom teeth|womb|uterus|ovaries|prostate|thyroid)s? (replaced|done|fixed|operated on|repaired|out|removed|scoped|fused|reconstructed)\b",
        r"\barthroscop", r"\blaparoscop", r"\b(acl|mcl|rotator cuff|meniscus|hernia|spinal|spine|disc|disk|tendon|ligament) (repair|reconstruction|fusion|op)\b",
        r"\b(hysterectomy|appendectomy|mastectomy|lumpectomy|biopsy|liposuction|lipo|tummy tuck|abdominoplasty|bbl|facelift|breast (augmentation|reduction|lift))\b",
        r"\b(botox|fillers?)\b.{0,30}\b(ago|yesterday|today|last|just|recently|this week)\b", r"\b(stitches|staples|sutures) (out|in|removed)\b",
    )),
    Rule("fever-or-infection", "caution", any=(
        r"\bfever", r"\btemperature\b", r"\bflu\b", r"\binfect", r"\bcellulitis\b", r"\bcovid\b", r"\bcontagious\b",
        r"\b(feel|feeling|im|i am) (sick|ill|unwell)\b", r"\bskin (condition|rash)\b", r"\brash\b", r"\bcold sore\b",
    )),
    Rule("cancer", "caution", any=(r"\bcancer", r"\bchemo", r"\bradiotherapy\b", r"\bradiation (therapy|treatment)\b", r"\btumou?r",
                                   r"\boncolog", r"\blymphoma\b", r"\bmetasta", r"\bleuka?emia\b", r"\blymph ?(node|nodes|edema|oedema)\b",
                                   r"\blymph(o)?edema\b", r"\blymphoedema\b", r"\bmastectomy\b",
                                   r"\bradiation\b(?! (from|of) (the |my |a )?(sun|phone|wifi|sauna|infrared|heat|microwave))", r"\bradio ?therapy\b",
                                   r"\b(immunotherapy|tamoxifen|herceptin|palliative|hospice|in remission|lumpectomy)\b", r"\bport (fitted|placed|inserted)\b", r"\b(chemo|picc) (port|line)\b")),
    Rule("bones", "caution", any=(r"\bosteopor", r"\bosteopenia\b", r"\bbrittle bones?\b", r"\bfractur",
                                  r"\bbones? (are |is )?(thin|thinning|weak|fragile|brittle)\b", r"\b(thin|thinning|weak|fragile) bones?\b",
                                  r"\b(low|reduced) bone (density|mass)\b",
                                  r"\bbroken (bone|arm|leg|wrist|rib|ankle|foot|hand|toe|finger|collarbone)", r"\bbroke my\b",
                                  r"\bcracked (a |my )?(rib|bone)\b")),
    Rule("acute-injury", "caution", any=(
        r"\b(just|yesterday|today|this morning|last night|an hour ago)\b.{0,40}\b(injur|sprain|twist|pulled|tore|torn|fell|fall|crash|accident|hurt)",
        r"\b(injur|sprain|twist|pulled|tore|torn|fell|crash|accident)\w*\b.{0,40}\b(yesterday|today|this morning|last night|hours? ago|just now)\b",
        r"\btorn (muscle|ligament|tendon|acl|meniscus|rotator)\b", r"\b(car|bike|sports?) accident\b", r"\bwhiplash\b.{0,30}\b(yesterday|today|last week|just)\b",
    )),
    Rule("diabetes-or-neuropathy", "caution", any=(r"\bdiabet", r"\binsulin\b", r"\b(glucose|cgm|libre) (monitor|sensor)\b", r"\bneuropath", r"\bnumb (feet|toes)\b", r"\bcant feel my (feet|toes)\b")),
    Rule("heart-or-kidney-conditions", "caution", any=(
        r"\bheart (failure|condition|disease|problem|surgery|attack|valve)", r"\bkidney", r"\brenal\b", r"\bdialysis\b",
        r"\bpacemaker\b", r"\bhad a stroke\b", r"\bstroke (survivor|last|in)\b", r"\bliver (disease|failure)\b", r"\bangina\b",
        r"\bdefibrillator\b", r"\bstent\b",
    )),
    Rule("blood-pressure", "caution", any=(r"\bblood pressure\b", r"\bhypertens", r"\bhypotens", r"\b(high|low) bp\b",
                                           r"\bbp\b.{0,20}\b(high|low)\b")),
    Rule("skin-or-wounds", "caution", any=(
        r"\b(new|fresh|recent) tattoo\b", r"\btattoo\b.{0,30}\b(yesterday|today|last week|days? ago|healing|new)\b", r"\bsunburn\w*\b",
        r"\b(psoriasis|eczema|dermatitis|shingles|scabies|ringworm|impetigo|hives|ulcers?|open sores?|boils?|blisters?)\b",
        r"\bmole\b.{0,30}\b(bleed\w*|changed|changing|growing|itch\w*|new)\b",
    )),
    Rule("other-conditions", "caution", any=(
        r"\b(epilep\w*|lupus|autoimmune|sickle cell|thrombocytopenia|organ transplant|transplant recipient|rheumatoid|psoriatic arthritis|multiple sclerosis)\b",
        r"\b(arthritis|ra|lupus|crohns|colitis)\b.{0,10}\b(flare\w*|flaring)\b|\b(flare\w*|flaring)\b.{0,10}\b(arthritis|ra|lupus)\b",
        r"\b(doctor|gp|physio|physiotherapist|specialist|surgeon|consultant|midwife|nurse)\b.{0,40}\b(said|told|advised|says)\b.{0,30}\b(not|no|avoid|shouldnt|should not|careful|wait)\b",
        r"\b(on|taking|take) (lots of|a lot of|many|several|loads of) (medication|medications|meds|pills|tablets)\b",
    )),
    Rule("diagnosis-request", "caution", any=(
        r"\bwhat (do|could|might) i have\b", r"\bwhats wrong with (me|my)\b", r"\bwhat is wrong with (me|my)\b", r"\bdiagnos",
        r"\bdo (you think )?i have (a |an )?(?!to\b)\w+", r"\bwhat (could|might|is) (this|it) be\b", r"\bis (this|it) (serious|cancer|a tear|broken)\b",
        r"\bshould i (be worried|see a doctor|go to (the )?(doctor|hospital|er))\b", r"\bwhat causes my\b",
    )),
    Rule("medical-clearance", "caution", any=(
        r"\bis it safe\b", r"\b(safe|okay|ok|alright|allowed) (for me )?to (get|have|book|do)\b", r"\bam i allowed\b",
        r"\bcan i (still |safely )?(get|have|book) a (massage|session)\b.{0,10}\b(if|with|while|after|since)\b",
        r"\bcontra ?indicat", r"\bshould i avoid\b", r"\bis massage (safe|ok|okay|dangerous)\b",
        r"\b(allerg)",
    ), # how often, or a plain cold, is not a clearance question (specific conditions have their own rules)
        unless=(r"\b(every|each|once a|twice a|once per|per) (day|week|fortnight|month)\b|\bhow often\b",
                r"\b(just|only) (a )?(cold|sniffl\w*|runny nose|blocked nose|stuffy nose|sore throat)\b",)),
)

# Other languages: emergency and crisis phrasings (visitors in distress write in their own
# language). Latin-script rules run on `normalize()`d text (accents stripped: "não" -> "nao",
# "j'ai" -> "jai"); Chinese and Japanese rules on `fold_cjk()` text.


# A chest sore from a workout ("筋トレのあと胸が痛い", "卧推后胸口酸痛") is the gym, unless a red flag of
# the English chest rule is there too (sweat, breath, arm, jaw, sickness, dizziness, collapse).
CJK_CHEST_EXCUSE = (r"筋トレ|ジム|トレーニング|ベンチプレス|腕立て|運動のあと|運動後|健身|锻炼|鍛鍊|练胸|練胸|卧推|臥推|俯卧撑|俯臥撐|举重|舉重|筋肉痛|肌肉酸痛",)
CJK_CHEST_RED_FLAGS = (r"汗|息|呼吸|喘|腕|手臂|左臂|顎|あご|下巴|吐|恶心|噁心|めまい|头晕|頭暈|倒|意識|昏|晕|暈|けいれん|痙攣|抽搐|冷や|出冷汗|しびれ|痺れ|麻",)


# Something long past and over ("tuvo un derrame hace años", "un AVC il y a cinq ans, il va bien
# maintenant", "letztes Jahr einen Herzinfarkt, jetzt alles gut") excuses the other languages'
# emergency words, as HISTORY_EXCUSE does in English, unless anything says it is happening now.
_PAST_FOREIGN = {
    "es": (r"\bhace (\d+ |un |una |dos |tres |cuatro |cinco |seis |diez |varios |varias |muchos |muchas |unos |unas )?(anos|ano|meses|decadas|mucho tiempo|tiempo)\b|\bel ano pasado\b|\ben (19|20)\d\d\b|\bde (nino|nina|pequen[oa]|joven)\b",),
    "fr": (r"\bil y a (\d+|un|une|deux|trois|quatre|cinq|six|dix|plusieurs|quelques) (ans|an|mois|annees)\b|\bl ?an(nee)? derni(er|ere)\b|\ben (19|20)\d\d\b|\b(enfant|petit|petite)\b.{0,10}\bj ?ai eu\b",),
    "de": (r"\bvor (\d+|einem|einer|zwei|drei|vier|funf|fuenf|sechs|zehn|mehreren|vielen|ein paar) (jahren|jahr|monaten)\b|\bletzte[sn]? jahr\b|\b(19|20)\d\d\b|\bals kind\b",),
    "pt": (r"\bha (\d+|um|uma|dois|duas|tres|quatro|cinco|seis|dez|varios|varias|muitos|alguns) (anos|ano|meses)\b|\bano passado\b|\bem (19|20)\d\d\b|\bquando (era|eu era) (crianca|pequen[oa])\b",),
    "it": (r"\b(\d+|un|uno|due|tre|quattro|cinque|sei|dieci|alcuni|molti|qualche) (anni|anno|mesi) fa\b|\bl ?anno scorso\b|\bnel (19|20)\d\d\b|\bda (bambin[oa]|piccol[oa])\b",),
}
_NOW_FOREIGN = {
    "es": (r"\b(ahora(?! (ya )?(esta|estoy|estamos|se encuentra) (muy )?(bien|perfect\w*|recuperad\w*|estable))|hoy|ahorita|otra vez|de nuevo|esta (manana|tarde|noche)|anoche|ahora mismo)\b",),
    "fr": (r"\b((?<!bien )(?<!mieux )maintenant|aujourd ?hui|ce (matin|soir)|cet apres midi|hier soir|de nouveau|a nouveau|encore|en ce moment)\b",),
    "de": (r"\b(jetzt(?! (ist )?(alles |wieder )?(gut|ok|okay|in ordnung|fit|gesund|bestens))|heute|gerade|wieder|seit heute|gestern abend)\b",),
    "pt": (r"\b(agora(?! (ja )?(esta|estou|ta|to|estamos) (bem|otim\w*|recuperad\w*))|hoje|de novo|outra vez|neste momento|ontem a noite)\b",),
    "it": (r"\b((?<!bene )(ora|adesso)(?! (sta|sto|stiamo) (bene|benissimo))|oggi|di nuovo|ancora|stamattina|stasera|ieri sera|in questo momento)\b",),
}
# Words are shared across these languages ("AVC" is French and Portuguese): each rule takes them all.
_PAST_ANY, _NOW_ANY = tuple(p for ps in _PAST_FOREIGN.values() for p in ps), tuple(p for ps in _NOW_FOREIGN.values() for p in ps)


FOREIGN_RULES: tuple[Rule, ...] = (
    # crisis
    Rule("crisis-es", "crisis", lang="es", any=(
        r"\b(me )?quiero (morir|matar)", r"\bquiero morirme\b", r"\bmatarme\b", r"\bme voy a matar\b", r"\bsuicid",
        r"\bquitar(me)? la vida\b", r"\b(terminar|acabar) con (mi vida|todo)\b", r"\bganas de morir\b",
        r"\bno quiero (seguir |estar |vivir|seguir vivo|seguir viva)", r"\bno quiero vivir mas\b", r"\bno vale la pena (seguir )?vivi",
        r"\b(ya )?no aguanto mas (vivir|la vida)\b", r"\bhacerme dano\b", r"\bcortarme\b", r"\bdesaparecer para siempre\b",
        r"\bme (pega|golpea|maltrata|pegan|golpean|empuja|amenaza)\b", r"\bme quiere matar\b", r"\bme va a matar\b",
        r"\bme (esta|estan) (siguiendo|amenazando)\b", r"\bno me siento (a salvo|segur[ao])\b", r"\bme (toca|manosea)\b.{0,30}\bno quiero\b",
        r"\bme corte\b.{0,20}\b(otra vez|de nuevo|anoche)\b",
        r"\b(ganas de|quiero|quisiera) desaparecer\b", r"\bno puedo mas con (mi vida|la vida|esto|todo)\b", r"\b(me|lo) (pego|golpeo)\b",
        r"\bmiedo de (volver|regresar|ir) a (casa|mi casa)\b", r"\b(tirarme|lanzarme|arrojarme) (de (un|el|la) (puente|edificio|balcon|ventana|azotea)|del (puente|edificio|balcon)|por (la|una) ventana|a las vias|al tren|delante de (un|una|el|la) (tren|coche|camion|autobus)|bajo (un|el) tren)\b",
        r"\bpens(ando|e|ado) en (matarme|quitarme la vida|suicid\w*|morir)\b", r"\bno quiero despertar\b",
        r"\bme (corto|he cortado|estoy cortando|sigo cortando|quemo|he quemado|lastimo|hago dano)\b(?! (el|los|las|la) (pelo|cabello|unas|flequil+o|barba))",
        r"\b(le|les) (pega|golpea|pegan|golpean|maltrata\w*) a (su|sus|mi|mis|la|el|los|las) (hij\w*|nin\w*|abuel\w*|madre|padre|mama|papa|bebe|esposa|mujer)\b",
        r"\b(cuidador\w*|la que cuida a)\b.{0,40}\b(pega|golpea|maltrata|roba|moretones)\b", r"\b(tengo|tiene) (las )?pastillas (guardadas|juntadas|listas)\b",
        r"\b(carta|cartas|nota) de despedida\b", r"\besta noche es la noche\b", r"\btomarme (todas )?(las|mis) (pastillas|pildoras)\b",
    )),
    Rule("crisis-fr", "crisis", lang="fr", any=(
        r"\b(je )?veux mourir\b", r"\benvie de mourir\b", r"\bme suicider\b", r"\bsuicid", r"\bme tuer\b",
        r"\b(ne )?veux plus vivre\b", r"\b(supporte|peux|arrive|veux) plus (de |a )?vivre\b", r"\bsupporte plus la vie\b", r"\bplus envie de vivre\b", r"\ben finir\b(?! avec (ce|cette|ces|mon|ma|mes|la|le|les) (mal|maux|douleurs?|tensions?|noeuds?|dos|nuque|cou|epaules?|contractures?|courbatures?|stress|migraines?))", r"\bmettre fin a (mes jours|ma vie)\b",
        r"\bme faire du mal\b", r"\bme scarifie", r"\bdisparaitre pour toujours\b", r"\bme (frappe|bat|battre|pousse|menace)\b",
        r"\bva me tuer\b", r"\b(je suis|on me) (suivie?|menacee?)\b", r"\bme (suit|menace)\b", r"\bje ne me sens pas en securite\b",
        r"\bme touche\b.{0,30}\b(veux pas|ne veux)\b",
        r"\bma (frappee?|battue?|menacee?|etranglee?)\b", r"\bpeur de rentrer\b", r"\bpeur de (lui|mon mari|mon copain|mon compagnon|mon pere)\b",
        r"\bme (jeter|lancer) (sous|du haut|d un|dun|par la)\b", r"\bplus envie de rien\b", r"\b(veux|voudrais|envie de|aimerais) disparaitre\b",
        r"\b(pense|pensee|pensees) a (me tuer|mourir|en finir|me suicider)\b", r"\bne plus me reveiller\b",
        r"\b(je )?me suis (coupe\w*|scarifie\w*|brule\w*|mutile\w*|fait du mal)\b(?! (en|avec|au|a la|a l) (cuisin\w*|papier|couteau|verre|rasant|bricol\w*|jardin\w*|four))",
        r"\bje me (coupe|scarifie|mutile|brule|frappe|griffe)\b(?! (les|la|le) (cheveux|frange|ongles|barbe))", r"\bme (re)?couper (les bras|les poignets|les veines|les cuisses)\b",
        r"\b(frappe|bat|maltraite|battent|frappent) (ma|mon|mes|sa|son|ses|leur|leurs) (grand mere|mere|pere|enfants?|fils|fille|bebe|femme)\b",
        r"\blettres? d adieu\b|\blettres? dadieu\b", r"\bce soir c est le soir\b|\bce soir cest le soir\b",
    )),
    Rule("crisis-de", "crisis", lang="de", any=(
        r"\bmich umbringen\b", r"\bmich umzubringen\b", r"\bmich (zu )?(toten|toeten)\b", r"\bbringe? mich\b.{0,20}\bum\b", r"\bmich (toten|toeten)\b", r"\bselbstmord\b", r"\bsuizid",
        r"\b(will|mochte|moechte|mag) (nur noch )?sterben\b", r"\bnicht mehr leben\b", r"\bnicht mehr aufwachen\b",
        r"\bmeinem leben ein ende\b", r"\blebensmude\b", r"\bnicht mehr da sein\b", r"\bmich (ritzen|selbst verletzen)\b",
        r"\b(schlagt|schlaegt|verprugelt|verpruegelt|schubst|bedroht|verfolgt) mich\b", r"(?<!nacken )(?<!rucken )(?<!ruecken )(?<!kopf )(?<!job )(?<!chef )(?<!arbeit )(?<!schulter )(?<!migrane )(?<!hitze )\b(bringt|will) mich (noch )?(um|umbringen)\b",
        r"\bfuhle mich nicht (mehr )?sicher\b", r"\bfasst mich an\b.{0,30}\b(will|mochte) (das )?nicht\b",
        r"\bhat mich (geschlagen|verprugelt|gewurgt|bedroht|vergewaltigt)\b", r"\bangst vor (ihm|ihr|meinem (mann|freund|vater|partner))\b",
        r"\bmir das leben (zu )?nehmen\b", r"\bich will (einfach |echt )?nicht mehr\b(?=$| ich | es | alles | das | leben)", r"\bvor (den|einen) zug\b",
        r"\bverschwinden (fur immer|will)\b", r"\bgesicht\w*\b.{0,12}\b(hangt|haengt|hangend\w*|haengend\w*|schief)\b", r"\bhangende (gesicht|mund)\w*\b",
        r"\bhat mich (\w+ ){0,3}(geschlagen|verprugelt|verpruegelt|gewurgt|gewuergt|bedroht|vergewaltigt|getreten|gestossen)\b",
        r"\b(wurgt|wuergt|tritt|schlagt|schlaegt) mich\b", r"\bdroht mir\b", r"\b(traue mich nicht|angst) (ihn|sie) zu verlassen\b",
        r"\b(ritze|ritzte|verletze) mich\b", r"\bhabe mich (wieder )?(geritzt|geschnitten|verletzt|verbrannt)\b(?! (beim|mit dem|am) (kochen|messer|papier|rasieren))",
        r"\b(schlagt|schlaegt|misshandelt|verprugelt) (meine|seine|ihre|die) (oma|grossmutter|mutter|kinder|kind|tochter|sohn|frau)\b",
        r"\babschiedsbrief", r"\bheute (nacht )?ist (die|der) (nacht|tag)\b",
    )),
    Rule("crisis-pt", "crisis", lang="pt", any=(
        r"\bme matar\b", r"\bquero morrer\b", r"\bsuicid", r"\bnao quero (mais )?viver\b", r"\bvontade de (viver|morrer)\b",
        r"\bnao aguento mais viver\b", r"\bnao vale (mais )?a pena (continuar a )?viver\b", r"\btirar (a )?minha (propria )?vida\b",
        r"\bacabar com (a minha vida|tudo)\b", r"\bme machucar\b", r"\bme cortar\b", r"\bme (bate|agride|espanca|empurra|ameaca)\b", r"\bvou me matar\b",
        r"\b(vai|quer) me matar\b", r"\b(estou|to) sendo (seguid[ao]|ameacad[ao])\b", r"\bnao me sinto segur[ao]\b",
        r"\bme (toca|apalpa)\b.{0,30}\bnao quero\b",
        r"\bquero (sumir|desaparecer)\b", r"\bnao aguento mais\b.{0,30}\b(viver|vida|nada|sumir|morrer|existir)\b",
        r"\bme (bateu|agrediu|ameacou|espancou)\b", r"\bmedo de (voltar|ir) (para|pra) casa\b",
        r"\bme (jogar|atirar) (na frente d[eo] (um|uma|o|a) (carro|trem|comboio|onibus|caminhao)|de (uma|um) (ponte|predio|janela|varanda)|da (ponte|janela|varanda)|do (predio|viaduto)|debaixo d[eo])\b", r"\bnao quero (mais )?acordar\b",
        r"\b(tenho|ando|estou|to|venho|voltei a) (me )?(cortado|cortando|machucado|machucando|ferido|ferindo|queimando|me cortar|me machucar)\b",
        r"\bme cortei\b.{0,30}\b(de novo|outra vez|escondid\w*|fundo|bracos?|pulsos?)\b",
        r"\b(bate|espanca|agride|maltrata) (na |a |em )?(minha|meu|sua|seu|os|as) (avo|mae|pai|filh\w*|crianc\w*|bebe|mulher)\b",
        r"\bcarta de despedida\b", r"\bhoje (a noite )?e a noite\b",
    )),
    Rule("crisis-it", "crisis", lang="it", any=(
        r"\b(voglio|vorrei|voglia di) morire\b", r"\buccidermi\b", r"\bammazzarmi\b", r"\bsuicid", r"\bnon voglio piu vivere\b",
        r"\bvoglia di vivere\b", r"\bpenso (solo |sempre |spesso |continuamente )?(a|di) morire\b", r"\bpensieri di morte\b", r"\bfarla finita\b(?! con (il|la|lo|l|i|le|gli|questo|questa|questi|quel\w*|sua|suo|mio|mia|tuo|tua|un|una|ste|sto|st) )", r"\btogliermi la vita\b", r"\bfarmi del male\b",
        r"\bmi (picchia|picchiano|maltratta|spinge|minaccia|segue)\b", r"\bmi (vuole )?ammazza\w*\b", r"\bmi uccidera\b",
        r"\bnon mi sento (al )?sicur[ao]\b", r"\bmi tocca\b.{0,30}\bnon voglio\b",
        r"\bnon ce la faccio piu (a vivere|con la vita)\b", r"\bmi ha (picchiat\w*|minacciat\w*|strangolat\w*)\b",
        r"\bpaura di (tornare|andare) a casa\b", r"\bbuttarmi (sotto (un|il) (treno|camion|auto)|dal (ponte|balcone|tetto|palazzo)|dalla finestra|giu dal)\b", r"\bsparire per sempre\b", r"\bnon svegliarmi piu\b",
        r"\b(picchia|maltratta|picchiano|maltrattano|schiaffeggia) (mia|mio|la|il|i|le|sua|suo|sue|suoi) (nonn\w*|madre|mamma|padre|papa|figli\w*|bambin\w*|moglie)\b",
        r"\bbadante\b.{0,40}\b(picchia|maltratta|ruba|lividi|strattona)\b", r"\bmi (taglio|sono tagliat\w*|brucio|faccio del male)\b.{0,30}\b(di nuovo|ancora|braccia|polsi|apposta|di nascosto)\b",
        r"\blettera d ?addio\b", r"\bstanotte e la notte\b",
    )),
    Rule("crisis-zh", "crisis", lang="zh", script="cjk", any=(
        r"自杀", r"自殺", r"想死", r"不想(再)?活", r"不想再活下去", r"去死", r"不想活", r"活不下去", r"活着没(有)?意(义|思)", r"活著沒(有)?意義", r"结束.{0,4}生命",
        r"結束.{0,4}生命", r"轻生", r"輕生", r"割腕", r"自残", r"自殘", r"家暴", r"(他|她|老公|丈夫|男朋友|女朋友|妻子|老婆|爸爸|父亲|父親|妈妈|媽媽|继父|繼父).{0,6}(打|殴打|毆打|踢|掐)(了)?我",
        r"(要|会|會)(杀|殺)(了)?我", r"(跟踪|跟蹤|威胁|威脅)我", r"(不安全|没有安全感)", r"(摸|碰)我.{0,8}(不想|不要)",
        r"想(消失|离开这个世界|離開這個世界)", r"跳楼", r"跳樓", r"活着好累", r"活著好累", r"(打|揍)了我", r"不想醒来", r"不想醒來",
        r"(割|划|劃)(伤|傷)?(自己|手腕|手臂)", r"伤害自己", r"傷害自己", r"遗书", r"遺書", r"(存|攒|攢)(了)?(很多)?(药|藥|安眠药|安眠藥)", r"虐待",
        r"(打|虐待)(我)?(奶奶|外婆|妈妈|媽媽|孩子|小孩)",
    )),
    Rule("crisis-ja", "crisis", lang="ja", script="cjk", any=(
        r"死にた", r"死のう", r"生きて(いて|いても|てても|ても)(仕方|しかた|意味)", r"生きてる意味", r"自殺", r"消えたい", r"生きていたくない", r"生きたくない", r"生きる意味", r"生きている意味", r"命を絶",
        r"リストカット", r"自傷", r"殴られ", r"暴力を(受け|振る)", r"いなくなりたい",
        r"殺(す|される)(と|って)", r"生きるのが(つらい|辛い|しんどい|苦しい)", r"消えてしまいたい", r"飛び降り", r"(電車|線路)に飛び込",
        r"死んだ方が(まし|楽)", r"目が覚めなければ", r"(後を|あとを)(つけ|付け)られ", r"尾行され", r"ストーカー", r"脅(さ|か)され", r"(触|さわ)られ.{0,8}(嫌|いや)", r"安全(じゃ|では)ない",
        r"(手首|腕|足|太もも|肌)を?(切|傷つけ|傷付け)", r"リスカ", r"自分を(傷つけ|傷付け|殴)", r"(遺書|遺言)を(書|用意)", r"(薬|睡眠薬)を(ため|貯め|溜め)",
        r"(祖母|祖父|母|父|子供|子ども|娘|息子)(を|に)(殴|叩|暴力)", r"虐待",
    )),
    # emergency
    Rule("emergency-es", "emergency", lang="es", any=(
        near("pecho", r"dolor|duele\w*|presion|opresion|aprieta\w*|apretado|ardor|peso|punzada"),
        near(r"respirar|respiro|aire", r"no (puedo|puede|consigo)|me falta|falta de|me cuesta|dificultad|casi no", 20), r"\bme ahogo\b",
        r"\bcara (caida|torcida|paralizada)\b", r"\bno (puede|puedo) hablar\b", r"\bsudor frio\b", r"\bdesmay",
        r"\binfarto\b", r"\bderrame\b", r"\bsangra\w* (mucho|sin parar)\b", r"\bsobredosis\b", r"\bse (trago|bebio|tomo)\b.{0,20}\b(aceite|pastillas)\b",
        r"\b(boca|cara|labio|sonrisa)\b.{0,20}\b(torcida|caida|colgando|paralizada|de lado|dormida)\b", r"\b(un lado|la mitad) de (la cara|el cuerpo)\b",
        r"\bhabla (rara|arrastrada|mal|enredada)\b", r"\b(no (puede|puedo) (mover|levantar) (el|un|mi|su) (brazo|pierna))\b",
        r"\b(bebio|trago|tomo|comio|ingirio|se bebio|se trago)\b.{0,30}\b(aceite|pastillas|lejia|cloro|detergente|pomada|crema|medicinas?|medicamentos?|producto|veneno)\b",
        r"\b(se desmayo|no responde|no reacciona|convulsion\w*|no tiene pulso|no respira)\b",
        near("garganta|lengua|labios", r"hincha\w*|cierra|cerrando|inflama\w*", 25), r"\bno (puedo|puede) tragar\b",
        near("fiebre", r"cuello (rigido|duro|tieso)|rigidez", 50), r"\b(no se mueve|no despierta|se cayo y no)\b",
        r"\bsangra\w* a chorros\b", r"\b(golpeo|golpe|pego) (fuerte )?(en )?la cabeza\b.{0,40}\b(vomit\w*|somnolient\w*|confus\w*|desmay\w*|no responde)\b", r"\bno (para|deja) de sangrar\b", r"\bsangr\w*\b.{0,80}\b(no para|no se detiene|desde hace (una|dos|tres|mas de una) horas?)\b", r"\b(la )?sangre no (para|se detiene|deja de salir)\b", r"\bmonoxido de carbono\b",
    ), excuse=_PAST_ANY, red_flags=_NOW_ANY),
    Rule("emergency-fr", "emergency", lang="fr", any=(
        near("poitrine|thoracique", r"douleur|mal|serre\w*|oppress\w*|ecras\w*|brul\w*|lourd\w*"),
        near("respirer|respire|souffle", r"narrive|n arrive|peux pas|peux plus|du mal|difficult\w*|manque|court", 20), r"\bj?etouffe\b",
        r"\bvisage (paralyse|tombe|de travers)\b", r"\bne (peut|peux) plus parler\b", r"\bcrise cardiaque\b", r"\bavc\b",
        r"\bevanoui", r"\bsurdose\b", r"\bsaigne\w* (beaucoup|sans arret)\b",
        r"\b(bouche|visage|levre|sourire)\b.{0,20}\b(de travers|tordue?|tombante?|tombe|paralyse\w*|affaisse\w*)\b",
        r"\b(narrive|n arrive|ne peut|ne peux|ne parvient|arrive) (plus|pas) a (parler|bouger|lever)\b", r"\bparle (bizarrement|mal|de travers)\b",
        r"\b(un cote|la moitie) du (visage|corps)\b",
        r"\b(a bu|a avale|a mange|bu|avale)\b.{0,30}\b(d|l|de l)?(huile|medicaments?|comprimes|cachets|pilules|javel|produit|detergent|creme|pommade|poison)\b",
        r"\b(ne repond plus|convulsion\w*|pas de pouls|ne respire plus|inconscient\w*)\b",
        near("gorge|langue|levres", r"gonfl\w*|serre\w*|ferme\w*", 25), r"\b(narrive|n arrive) (plus|pas) a avaler\b",
        near("fievre", r"nuque raide|raideur|cou raide", 50), r"\bne (reagit|se reveille) plus\b", r"\bne respire (presque |quasiment )?(plus|pas)\b",
        r"\blevres (sont |deviennent |toutes )?(bleu\w*|violet\w*)\b",
        r"\bsaigne\w* (a flots|abondamment|enormement|partout)\b", r"\b(pris|avale|avalee)\b.{0,15}\b(toute une|une|la) (boite|plaquette|tube)\b", r"\b(trop|beaucoup) de (somniferes|comprimes|cachets|medicaments)\b", r"\b(cogne|tape|heurte)\w* la tete\b.{0,40}\b(vomi\w*|somnolent\w*|confus\w*|evanoui\w*)\b", r"\b(le sang ne s arrete pas|narrete pas de saigner|n arrete pas de saigner|le sang gicle)\b", r"\bsaign\w*\b.{0,80}\b(ne (s )?arrete pas|ne sarrete pas|depuis (une|deux|trois|plus d une|plus dune) heures?)\b", r"\bmonoxyde de carbone\b",
    ), excuse=_PAST_ANY, red_flags=_NOW_ANY),
    Rule("emergency-de", "emergency", lang="de", any=(
        r"\bbrust ?schmerz", near("brust", r"schmerz\w*|weh|druck|eng|enge|stech\w*|brenn\w*"),
        near(r"atmen|luft", r"kann nicht|kann kaum|konnen nicht|keine|kaum|nicht mehr", 20), r"\batemnot\b", r"\bersticke\b",
        r"\bgesicht\b.{0,20}\b(hangt|haengt|schief|taub)\b", r"\b(kann|konnen) nicht (mehr )?sprechen\b", r"\bherzinfarkt\b",
        r"\bschlaganfall\b", r"\bohnmacht\b", r"\bbewusstlos\b", r"\buberdosis\b", r"\bblutet\b.{0,20}\b(stark|hort nicht auf)\b",
        r"\b(mund|mundwinkel|lippe)\b.{0,20}\b(hangt|haengt|schief)\b", r"\b(hangende|haengende) (gesichtshalfte|gesichtshaelfte|mundwinkel|gesicht\w*)\b", r"\b(redet|spricht) (wirr|undeutlich|verwaschen|lallend)\b", r"\b(spricht|sprache)\b.{0,15}\b(verwaschen|undeutlich|lallend|komisch)\b",
        r"\b(eine|einer) (seite|korperhalfte)\b.{0,25}\b(taub|gelahmt|schwach|hangt)\b",
        near(r"getrunken|verschluckt|geschluckt|gegessen|trank|schluckte", r"ol|oel|\w+(ol|oel)|tabletten|medikament\w*|pillen|reiniger|bleiche|waschmittel|creme|salbe|gift|batterie|knopfzelle", 40),
        r"\b(lampen|duft|massage|teebaum|eukalyptus|lavendel)(o|oe)l\b.{0,30}\b(getrunken|geschluckt|verschluckt)\b", r"\bhustet (stark|heftig|ununterbrochen)\b",
        r"\b(krampf\w*|kein puls|atmet nicht|reagiert nicht)\b",
        near("hals|zunge|lippen", r"schwillt|geschwollen|zu", 20), r"\b(kann|konnen) nicht (mehr )?schlucken\b", r"\bbekomme? keine luft\b",
        near("fieber", r"steife\w* nacken|nackensteif\w*", 50), r"\bwacht nicht (mehr )?auf\b",
        r"\bkopf (gestossen|angeschlagen|aufgeschlagen)\b.{0,40}\b(erbricht|ubergibt|uebergibt|erbrochen|schlafrig|verwirrt|bewusstlos)\w*", r"\b(blutet|blutung)\b.{0,25}\b(sehr stark|wie verruckt|ununterbrochen|hort nicht auf|spritzt|stoppt nicht)\b", r"\bblut spritzt\b", r"\bkohlenmonoxid\b",
        r"\btaub\w* (im|in der|am|an der) (intimbereich|genitalbereich|schritt|po|gesass|damm|reithose\w*)\b",
        near(r"ruck\w*|ischias|beine?", r"(kann|konnte) (nicht|kaum) (mehr )?(richtig )?(pinkeln|urinieren|wasserlassen|wasser lassen)", 80),
    ), excuse=_PAST_ANY, red_flags=_NOW_ANY),
    Rule("emergency-pt", "emergency", lang="pt", any=(
        near("peito", r"dor|doi\w*|aperto|apertado|pressao|queima\w*|peso"),
        near(r"respirar|ar", r"nao (consigo|consegue|da)|falta|dificuldade", 20), r"\bsufoca(?!\w* (under|in|with|by) (work|emails?|paperwork|deadlines|admin|stress|meetings)\b)",
        r"\b(rosto|boca|cara) tort[ao]\b", r"\bnao (consegue|consigo) falar\b", r"\binfarto\b", r"\bavc\b", r"\bdesmai",
        r"\bsuor frio\b", r"\boverdose\b", r"\bsangra\w* (muito|sem parar)\b",
        r"\b(rosto|boca|cara|labio|sorriso)\b.{0,20}\b(tort[ao]|caid[ao]|caindo|paralisad[ao]|dormente|de lado)\b", r"\bfala (enrolada|arrastada|estranha)\b",
        r"\b(um lado|metade) do (rosto|corpo)\b", r"\bnao (consegue|consigo) (falar|mexer|levantar)\b",
        r"\b(bebeu|engoliu|tomou|comeu|ingeriu)\b.{0,30}\b(oleo|remedios?|comprimidos|pilulas|creme|pomada|lixivia|agua sanitaria|detergente|produto|veneno|bateria|pilha|moeda|ima)\b",
        r"\b(convuls\w*|nao responde|sem pulso|nao respira|inconsciente)\b",
        near("garganta|lingua|labios", r"inchad\w*|inchando|fechando", 25), r"\bnao (consigo|consegue) engolir\b",
        near("febre", r"pescoco (rigido|duro|travado)|rigidez", 50), r"\bnao acorda\b",
        r"\bnao para de sangrar\b", r"\bbateu (com )?a cabeca\b.{0,40}\b(vomit\w*|sonolent\w*|confus\w*|desmai\w*)\b", r"\b(o )?sangue nao para\b", r"\b(jorrando|esguichando) sangue\b", r"\bmonoxido de carbono\b",
    ), excuse=_PAST_ANY, red_flags=_NOW_ANY),
    Rule("emergency-it", "emergency", lang="it", any=(
        near(r"febbre\w*", r"confus\w*|chiazze|macchie|non risponde|rigid\w*|delira\w*", 60),
        near("petto", r"dolore|male|malissimo|stretto|oppression\w*|schiaccia\w*|bruci\w*|peso"),
        near(r"respirare|respiro|fiato|aria", r"non riesco|non respiro|manca|fatica|affanno", 20), r"\baffanno\b",
        r"\blabbra (blu|viola)\b", r"\bsud\w* freddo\b", r"\bfaccia storta\b", r"\bnon riesce a parlare\b",
        r"\binfarto\b", r"\bictus\b", r"\bsvenut", r"\bsanguina\w* (molto|tanto|senza sosta)\b",
        r"\b(bocca|viso|labbro|sorriso)\b.{0,20}\b(storta|storto|cadente|paralizzat\w*|abbassat\w*)\b", r"\b(un lato|meta) del (viso|corpo)\b",
        r"\bparla (male|strano|in modo strano)\b", r"\bnon riesce (piu )?a (parlare|muovere)\b",
        r"\b(ha bevuto|ha ingoiato|ha mangiato|ha inghiottito|bevuto|ingoiato)\b.{0,30}\b(l|dell|d)?(olio|pastiglie|compresse|farmac\w*|medicin\w*|candeggina|detersivo|crema|veleno)\b",
        r"\b(convulsion\w*|non risponde|non ha polso|non respira|privo di sensi)\b",
        near("gola|lingua|labbra", r"gonfi\w*|chiude|stretta", 25), r"\bnon riesco (piu )?a deglutire\b",
        near("febbre", r"collo rigido|rigidita", 50), r"\bnon si sveglia\b",
        r"\b(battuto|sbattuto|picchiato) (forte )?la testa\b.{0,40}\b(vomit\w*|sonnolen\w*|confus\w*|sviene|svenut\w*|non risponde)\b", r"\bsangue non si ferma\b", r"\bnon smette di sanguinare\b", r"\b(sangue )?(esce )?a fiotti\b", r"\bperde (molto|tanto) sangue\b", r"\bmonossido di carbonio\b",
    ), excuse=_PAST_ANY, red_flags=_NOW_ANY),
    Rule("emergency-zh", "emergency", lang="zh", script="cjk", any=(
        near("胸|心口", "痛|疼|闷|悶|压|壓|紧|緊|难受|難受", 6, words=False), r"喘不(过|過|上)气", r"(不能|无法|無法|没法|沒法)呼吸",
        r"呼吸困(难|難)", r"透不(过|過)气", r"(说|說)话不清", r"(脸|臉|嘴)歪", r"心脏病(发|發)作", r"中(风|風)", r"昏(倒|迷)", r"晕倒",
        r"暈倒", r"出冷汗", r"吃了(很多|一整瓶|太多)(药|藥)", r"大出血", r"血流不止",
        r"(嘴角|口角|脸|臉)(下垂|歪)", r"半(边|邊)(脸|臉|身)(麻|不能动|不能動|没有知觉|下垂|无力|無力)", r"(说|說)不出(话|話)", r"口齿不清", r"口齒不清",
        r"(误服|誤服)", near("倒|晕|暈|昏|叫(他|她)?|喊(他|她)?", "(没有|沒有|没|沒)(反应|反應)", 8, words=False), r"叫不醒", r"不省人事", near("发烧|發燒|高烧|高燒", "脖子(僵|硬)", 12, words=False),
        r"喉咙肿", r"喉嚨腫", near("喝|吞", "精油|按摩油|漂白|清洁剂|清潔劑|洗涤|洗滌|农药|農藥", 6, words=False), r"(抽搐|没有脉搏|沒有脈搏|没有呼吸|沒有呼吸|叫不醒)",
        r"血(止不住|喷出|噴出)", r"一氧化碳", r"误吞|誤吞", r"纽扣电池|鈕扣電池", r"吞了.{0,6}(电池|電池|磁铁|磁鐵)",
    ), excuse=CJK_CHEST_EXCUSE, red_flags=CJK_CHEST_RED_FLAGS),
    Rule("emergency-ja", "emergency", lang="ja", script="cjk", any=(
        near("胸", "痛|苦し|締め付け|しめつけ|圧迫|重", 8, words=False), r"胸痛",
        near("息|呼吸", "できな|出来な|苦し|つら", 6, words=False), r"呼吸困難",
        r"ろれつが回らない", r"顔が(ゆがん|歪ん)", r"心臓発作", r"脳卒中", r"意識が(ない|無い)", r"倒れ",
        r"冷や汗", r"薬を(大量|たくさん)", r"血が止まらない",
        r"顔の(片側|半分|左|右)", r"(口|顔)が(ゆが|歪|曲が|下が|垂れ)", r"片側.{0,6}(しびれ|痺れ|動かな|麻痺|下が|力が入らな)",
        r"(言葉|ことば)が.{0,6}(出ない|出てこない|でない)", r"(話せな|しゃべれな|喋れな)", r"ろれつ",
        r"誤飲", near("熱", "首が(硬|こわば|曲がらな|曲げられ|動かな|動かせな)", 12, words=False), r"喉が(腫れ|はれ|詰ま|閉じ)", near("オイル|精油|アロマ|洗剤|漂白剤|ボタン電池|農薬", "飲|食べ", 8, words=False),
        r"(けいれん|痙攣|脈がない|息をしていない|反応がない)", r"血が(止まらな|噴き出|ふき出)", r"一酸化炭素",
    ), excuse=CJK_CHEST_EXCUSE, red_flags=CJK_CHEST_RED_FLAGS),
)

# More languages, fewer phrasings each: the commonest crisis and emergency words (Dutch, Polish and
# Turkish on normalized text; Russian, Arabic and Hindi on `fold_native` text; Korean on `fold_cjk`).
MORE_LANGUAGE_RULES: tuple[Rule, ...] = (
    Rule("crisis-nl", "crisis", lang="nl", any=(
        r"\bzelfmoord", r"\b(ik )?wil (dood|niet meer leven|er niet meer zijn|een eind aan mijn leven maken)\b", r"\bniet meer (willen )?leven\b",
        r"\bmezelf (van kant maken|doden|ombrengen|iets aandoen|snijden|pijn doen|beschadigen|verwonden)\b", r"\bmijn leven beeindigen\b",
        r"\b(slaat|mishandelt|bedreigt|schopt|wurgt|verkracht\w*) (me|mij)\b", r"\bbang om naar huis\b", r"\bafscheidsbrie",
    )),
    Rule("crisis-pl", "crisis", lang="pl", any=(
        r"\bsamobojstw", r"\b(zabic|zabije|zabije) sie\b", r"\bchce umrzec\b", r"\bnie chce (juz )?zyc\b", r"\bskonczyc ze soba\b",
        r"\b(tne|pocielam|pocialem|okaleczam|krzywdze) sie\b", r"\b(bije|dusi|kopie|gwalci|bil|bila) mnie\b", r"\bmnie (bije|dusi|kopie|gwalci|pobil|bil)\b", r"\bgrozi mi\b",
        r"\bboje sie wrocic do domu\b", r"\blist pozegnalny\b",
    )),
    Rule("crisis-tr", "crisis", lang="tr", any=(
        r"\bintihar", r"\bolmek istiyorum\b", r"\bkendimi (oldur\w*|kes\w*|yarala\w*|asmak|asacagim)", r"\byasamak istemiyorum\b",
        r"\bkendime zarar\b", r"\bbeni (dovuyor|doviyor|dovdu|oldurecek|tehdit ediyor)\b", r"\boldurmekle tehdit\b", r"\beve (donmekten|gitmekten) korkuyorum\b",
    )),
    Rule("crisis-hi-latin", "crisis", lang="hi", any=(
        r"\b(marna|mar jana|marne) (chahta|chahti|chahata)\b", r"\b(khudkushi|aatmahatya|atmahatya)\b", r"\b(jeena|jina) (nahi|nahin|nhi) (chahta|chahti)\b",
        r"\bkhud ko (maar|khatam|khatm|nuksan)\b",
    )),
    Rule("crisis-ru", "crisis", lang="ru", script="native", any=_nfkc(
        r"поконч\w* с собой", r"убить себя", r"убью себя", r"хочу умереть", r"не хочу (больше )?жить", r"жить не хочется", r"незачем жить",
        r"суицид", r"самоубийств", r"(режу|резала|резал|порезала|порезал) (себя|себе)", r"вскрыть вены", r"причиняю себе (боль|вред)",
        r"(бьет|избивает|душит|душил|пинает) меня", r"меня (бьет|избивает|душит)", r"угрожает (меня )?убить", r"убьет меня", r"боюсь (идти|возвращаться) домой",
        r"прощальн\w* (письм|записк)",
    )),
    Rule("crisis-ar", "crisis", lang="ar", script="native", any=_nfkc(
        r"انتحار", r"انتحر", r"(انهي|انهاء|اخلص من|انتهي من) حياتي", r"اريد ان اموت", r"(ابي|ابغى|بدي|نفسي) اموت", r"اقتل نفسي", r"(لا اريد|ما بدي|ما ابغى|ما ابي) (ان )?(اعيش|عيش)",
        r"(اؤذي|اذي|ايذاء|اذيت|اجرح|جرحت) نفسي", r"(يضربني|يعنفني|يهددني|يخنقني)", r"(سيقتلني|راح يقتلني|رح يقتلني|بيقتلني)", r"خائف\w* (ان )?ارجع",
    )),
    Rule("crisis-hi", "crisis", lang="hi", script="native", any=_nfkc(
        r"आत्महत्या", r"खुदकुशी", r"(मरना|मर जाना) चाहत", r"जीना नहीं चाहत", r"(खुद|अपने आप) को (मार|खत्म|नुकसान|चोट)",
        r"मुझे (मारता|पीटता|मारती|पीटती)", r"जान से मारने की धमकी",
    )),
    Rule("crisis-ko", "crisis", lang="ko", script="cjk", any=(
        r"자살", r"죽고싶", r"살고싶지않", r"자해", r"목숨을끊", r"손목을(긋|그었|그어)", r"사라지고싶",
        r"(저를|나를|절|날)(때려|때린|때립|폭행)", r"맞고있", r"죽이겠다", r"죽인다고",
    )),
    Rule("emergency-nl", "emergency", lang="nl", any=(
        r"\b(pijn|druk|beklemming|knellend\w*) (op|in|aan) (de|mijn|zijn|haar) borst\b", r"\bborstpijn\b", r"\bkan (bijna |haast )?niet (meer )?(goed )?ademen\b",
        r"\b(erg |heel )?benauwd\b", r"\bberoerte\b", r"\bhartaanval\b", r"\bflauwgevallen\b", r"\bbewusteloos\b", r"\bbloedt (hevig|heel erg|enorm)\b",
        r"\bbloeding stopt niet\b", r"\boverdosis\b", r"\bvergiftig", r"\bscheve mond\b", r"\bhangende mondhoek\b", r"\bepileptische aanval\b",
        r"\breageert niet\b", r"\bkoolmonoxide\b", r"\bademt niet\b",
    )),
    Rule("emergency-pl", "emergency", lang="pl", any=(
        r"\bnie (moze|moge) (mowic|ruszac)\b", r"\bopadniet\w* (kacik|twarz|powiek)", r"\b(krzywa|opadajaca) twarz\b",
        r"\b(bol|ucisk|klucie|pieczenie) w (klatce|piersi)\b", r"\bnie moge oddychac\b", r"\bdusze sie\b", r"\budar\b", r"\bzawal\b",
        r"\b(zemdlal|zemdlala|stracil przytomnosc|stracila przytomnosc|nieprzytomn\w*)\b", r"\bkrwawi (mocno|bardzo|bez przerwy)\b", r"\bkrwotok\b",
        r"\bprzedawkowa", r"\bzatrul", r"\bdrgawk", r"\bnie oddycha\b", r"\btlenek wegla\b",
    )),
    Rule("emergency-tr", "emergency", lang="tr", any=(
        r"\bgogs(um|u)\w* (agri\w*|sikis\w*|baski|sanci\w*)", r"\bgogus agrisi\b", r"\bnefes alamiyor", r"\bnefes darligi\b", r"\bkalp krizi\b",
        r"\binme\b", r"\bfelc\b", r"\bbayil(di|dim|iyor)", r"\bbilinci (kapali|yok)\b", r"\b(kanama|kan) durmuyor\b", r"\basiri doz\b",
        r"\bzehirlen", r"\bnobet geciriyor\b", r"\bnefes almiyor\b", r"\bkarbon ?monoksit\b",
    )),
    Rule("emergency-hi-latin", "emergency", lang="hi", any=(
        r"\b(seene|sine|chhati|chati) (me|mein|main|mai) (dard|dabav)\b", r"\bsaans (nahi|nahin|nhi) (aa rahi|le pa)", r"\bbehosh\b",
    )),
    Rule("emergency-ru", "emergency", lang="ru", script="native", any=_nfkc(
        r"(боль|болит|давит|жжет|сжимает)\w*.{0,20}груд", r"груд\w*.{0,15}(болит|давит|жжет|сжимает|боль)", r"не (могу|может) дышать",
        r"(трудно|тяжело) дышать", r"задыха", r"не хватает воздуха", r"инсульт", r"инфаркт", r"сердечный приступ", r"потерял\w* сознание",
        r"без сознания", r"не дышит", r"судорог", r"кровь не останавливается", r"сильное кровотечение", r"передозировк", r"отравил",
        r"(лицо|рот)\w* (перекосило|перекошен)", r"онемел\w* (рука|нога|половина|лицо)", r"(горло|язык|губы)\w* (отек|опух)", r"не (может|могу) говорить",
        r"угарн\w* газ", r"упал\w* в обморок",
    )),
    Rule("emergency-ar", "emergency", lang="ar", script="native", any=_nfkc(
        r"(الم|وجع|ضغط)\w*( \w+)? (في )?(الصدر|صدري|صدره|صدرها)", r"(لا|ما) (استطيع|اقدر|اقدرش|بقدر|يقدر|يستطيع) (ان )?(اتنفس|التنفس|يتنفس)", r"ضيق (في )?(التنفس|النفس)",
        r"صعوبه في التنفس", r"(نوبه|ازمه) قلبيه", r"جلطه", r"سكته", r"(فقد|فاقد) الوعي", r"اغمي", r"(لا|ما) يتنفس", r"نزيف", r"الدم (لا|ما) (يتوقف|بيوقف|يوقف)",
        r"جرعه زائده", r"تسمم", r"تشنج",
    )),
    Rule("emergency-hi", "emergency", lang="hi", script="native", any=_nfkc(
        r"(सीने|छाती) में( \S+)? (दर्द|दबाव|जकड़न)", r"(सांस|साँस) (नहीं|लेने में)", r"दम घुट", r"बेहोश", r"दौरा (पड़|आ)", r"लकवा", r"दिल का दौरा",
        r"हार्ट अटैक", r"खून (बंद नहीं|रुक नहीं)", r"ज़हर|जहर", r"ओवरडोज",
    )),
    Rule("emergency-ko", "emergency", lang="ko", script="cjk", any=(
        r"가슴(이|에|이너무)?(통증|아파|아프|답답|조여|쥐어)", r"흉통", r"숨(을|이)?(못|안)쉬", r"숨쉬기(가)?(힘들|어려)", r"호흡곤란", r"심장마비", r"뇌졸중",
        r"쓰러졌", r"의식(이)?없", r"말이(어눌|꼬이|이상)", r"한쪽(얼굴|팔|다리)", r"얼굴(이|한쪽이)?(처졌|처지|마비|비뚤)", r"경련", r"발작", r"피가(안|멈추지|멎지)", r"과다복용", r"일산화탄소",
    )),
)

# The crisis families of the English rules in the seven commonest other languages, as people type
# them (a stranger's blind set missed 20 of 49 non-English crises: the rules above knew the direct
# words, "quiero morir", but not the indirect ones): better off without me / a burden / no sense
# any more; sleep and not wake up; goodbyes said; pills saved, a rope bought, the night chosen;
# someone breaking in or armed nearby; rape, strangling, a child hit every night, an old person
# shouted at, bruised or tied up by a carer. Latin scripts on `normalize()`d text (accents and
# apostrophes gone: "quelqu'un essaie d'entrer" -> "quelquun essaie dentrer"), CJK on `fold_cjk()`.
_ES_PILLS = r"(pastillas|pildoras|medicinas|medicamentos|somniferos|calmantes)"
_FR_PILLS = r"(cachets|comprimes|medicaments|somniferes|pilules|medocs)"
_DE_PILLS = r"(tabletten|pillen|medikamente|schlaftabletten)"
_PT_PILLS = r"(comprimidos|remedios|pilulas|calmantes|medicamentos)"
_IT_PILLS = r"(pillole|pastiglie|compresse|farmaci|sonniferi)"
FOREIGN_CRISIS_FAMILIES: tuple[Rule, ...] = (
    Rule("crisis-es-families", "crisis", lang="es", any=(
        r"\b(estarian|estaria|seria|serian|vivirian|viviria|irian|iria) (todos )?(mucho |bastante )?(mejor|mas felices|mas tranquil[oa]s)( todos)? sin mi\b",
        r"\bmejor (para todos|para mi familia|para ellos)?\s?si (yo )?(no (existiera|estuviera|estuviese|existiese)|me muriera|desapareciera)\b",
        r"\bsi (yo )?(no (existiera|estuviera|estuviese)|me muriera|desapareciera)\b.{0,40}\b(mejor|felices|tranquil\w*|nadie)\b",
        r"\bsin mi (estarian|estaria|seria|serian|vivirian|viviria) (todos )?(mucho )?(mejor|mas felices|mas tranquil[oa]s)\b",
        r"\b(regale|he regalado|regalando|di|he dado) (todas )?(mis cosas|mis pertenencias|todo lo que tengo)\b",
        r"\b(soy|me siento) (una|un|solo una|solo un) (carga|estorbo|peso)\b",
        r"\bya no (le )?(veo|encuentro|tiene) (ningun |ni un )?sentido\b", r"\b(no|ningun) (tiene )?sentido (seguir viviendo|vivir|seguir aqui|la vida)\b",
        r"\b(lo mejor|mejor) (seria|es) no (volver a )?despertar(me)?\b", r"\bdormir(me)? y no (volver a )?despertar\b",
        r"\bno (quiero )?(volver a )?despertar(me)? (nunca|nunca mas|mas|jamas)\b",
        r"\b(ya )?me (despedi|he despedido) de (todos|todo el mundo|mi familia|mis hijos)\b",
        rf"\b(tengo|he|llevo) (guardad[ao]s|juntad[ao]s|acumulad[ao]s|ahorrad[ao]s|escondid[ao]s|guardando|juntando|acumulando) (las |mis |unas |muchas |todas las )?{_ES_PILLS}\b",
        rf"\b(guarde|junte|acumule|escondi) (las |mis |muchas |todas las )?{_ES_PILLS}\b", rf"\b{_ES_PILLS} (guardadas|juntadas|acumuladas|escondidas)\b",
        r"\b(ya )?(decidi|lo decidi|he decidido|tengo decidido)\b.{0,20}\b(es|sera|lo hago|lo hare|lo voy a hacer) (esta noche|hoy|manana|este fin de semana)\b",
        r"\b(compre|tengo|consegui) (una )?(cuerda|soga)\b.{0,50}\b(se donde|se como|lo voy a hacer|lo hare|esta noche|despedi)\w*",
        r"\b(ya )?se (donde|como|cuando) (lo )?(voy a hacerlo|lo voy a hacer|voy a hacerlo|lo hare|hacerlo)\b",
        r"\b(alguien|un hombre|un tipo|mi ex|el|unos) (esta |estan )?(intentando|tratando de|quiere|quieren) (entrar|meterse|forzar|romper)\b.{0,20}\b(casa|puerta|piso|ventana)\b",
        r"\b(estan|esta) (forzando|rompiendo|pateando|golpeando) (la|mi) (puerta|ventana)\b",
        near(r"(tiene|lleva|saco|agarro|con) (un|una) (cuchillo|pistola|arma|navaja|machete)", r"grit\w*|amenaz\w*|escondid\w*|encerr\w*|miedo|borracho", 60),
        r"\bme (encerre|escondi|he encerrado|he escondido)\b.{0,40}\b(porque|el|ella|miedo|cuchillo|pistola|grita)\b",
        r"\b(fui|he sido) (violad[ao]|abusad[ao] sexualmente)\b", r"\bme (violo|violaron|ha violado|han violado|estrangulo|ahorco)\b",
        r"\bme (agarro|apreto|aprieta|agarra) (del|el) cuello\b",
        r"\b(le|lo|la|les|los) (pega|golpea|pegan|golpean|pegaba|maltrata) (todas las noches|todos los dias|cada noche|cada dia|siempre|con (el|un|la) (cinturon|palo|correa))\b",
        r"\b(cuidador\w*|enfermer\w*|residencia|asilo)\b.{0,60}\b(grita|le grita|insulta|ata|amarra|encierra|moretones|moratones|hematomas|pega)\b",
        r"\b(la|lo) (atan|amarran|ata|amarra) a (la|una|su) (silla|cama)\b",
    )),
    Rule("crisis-fr-families", "crisis", lang="fr", any=(
        r"\b(seraient|serait|vivraient|irait|iraient) (bien |beaucoup |tellement )?mieux sans moi\b", r"\bmieux sans moi\b",
        r"\bsi (je )?(nexistais|n existais|netais|n etais) (pas|plus)\b", r"\bsans moi (ils |elle |il |tout le monde |ma famille )?(seraient|serait|vivraient|vivrait) (bien |tellement )?mieux\b",
        r"\b(jai|j ai) (donne|offert) (toutes )?(mes affaires|tout ce que jai|tout ce que j ai)\b",
        r"\bje suis (un|une|juste un|juste une|qu un|quun) (poids|fardeau|charge)\b",
        r"\b(la vie|ma vie|vivre) (na|n a|ne a) plus (de|aucun) sens\b", r"\bplus aucun sens (a|de) (vivre|continuer)\b",
        r"\b(ne )?(plus )?jamais me reveiller\b", r"\bne plus (jamais )?me (re)?reveiller\b", r"\bmendormir (pour toujours|et ne)\b",
        r"\bjai (deja )?dit (adieu|au revoir) a (tout le monde|tous|ma famille|mes enfants)\b", r"\bje (vous )?dis adieu\b",
        r"\bjai (achete|trouve|pris|prepare) (une|la) corde\b", r"\bje sais (ou|comment|quand) je vais le faire\b",
        rf"\bjai (garde|mis de cote|accumule|stocke|cache|economise|gardee?s?|gardes) (des|mes|les|tous mes|toutes mes|plein de|assez de) {_FR_PILLS}\b",
        rf"\b{_FR_PILLS}\b.{{0,20}}\b(de cote|en reserve|caches?|stockes?)\b.{{0,40}}\b(ce soir|cette nuit|demain|assez)\b",
        r"\bce soir (je le fais|cest fini|c est fini|jen finis|j en finis|cest la fin)\b", r"\bcest decide\b.{0,20}\b(ce soir|demain|cette nuit)\b",
        r"\b(quelquun|quelqu un|un homme|un type|mon ex|il|elle|des gens) (essaie|essaye|tente|veut|essaient) (de |d )?(dentrer|entrer|rentrer|forcer|defoncer|casser)\b",
        r"\b(force|forcent|defonce|defoncent|casse) (ma|la) porte\b",
        near(r"(a|tient|sort|sorti|brandit|avec) un (couteau|pistolet|fusil|arme)", r"crie|hurle|menace|enferme\w*|cache\w*|peur|ivre", 60),
        r"\bje me suis (enfermee?|cachee?)\b.{0,40}\b(il|elle|peur|couteau|crie|hurle)\b",
        r"\b(jai ete|j ai ete) violee?\b", r"\b(il|elle|ils|on) ma (violee?|etranglee?|agressee? sexuellement)\b",
        r"\b(le|la|les) (frappe|bat|frappent|battent) (tous les (soirs|jours)|chaque (soir|jour)|avec (une|la|sa) ceinture)\b",
        r"\b(aide ?soignante?|auxiliaire|infirmiere?|maison de retraite|ehpad|soignante?)\b.{0,60}\b(crie|hurle|frappe|bleus|attache\w*|enferme\w*|insulte|bouscule)\b",
    )),
    Rule("crisis-de-families", "crisis", lang="de", any=(
        r"\bbesser (dran )?ohne mich\b", r"\bohne mich (besser|glucklicher|gluecklicher) (dran)?\b", r"\b(sachen|besitz|alles|meine sachen) (schon )?verschenkt\b", r"\bwenn es mich nicht (mehr )?(gabe|gaebe)\b", r"\bwenn ich nicht mehr (da )?(ware|waere)\b",
        r"\bich bin (nur |doch nur )?(eine|ein) (last|belastung|klotz am bein)\b",
        r"\b(das |mein )?leben (hat|macht) (fur mich )?keinen sinn( mehr)?\b", r"\bsehe keinen sinn mehr\b", r"\bkeinen sinn mehr (zu leben|weiterzumachen)\b",
        r"\b(nie|nicht) (mehr|wieder) aufwachen\b", r"\beinschlafen und nicht mehr\b",
        r"\b(habe|hab) mich (schon |bereits )?(von allen|von meiner familie|von allen freunden|von allen verabschiedet)\b",
        rf"\b{_DE_PILLS}\b.{{0,15}}\b(gesammelt|gehortet|gespart|gebunkert|zuruckgelegt|beiseitegelegt|angespart)\b",
        rf"\b(gesammelt|gehortet|gebunkert)\b.{{0,15}}\b{_DE_PILLS}\b", r"\bgenug fur (heute nacht|heute abend|morgen)\b",
        r"\b(strick|seil) (gekauft|besorgt)\b", r"\bich weiss (schon |genau |jetzt )?(wo|wie|wann) ich es (mache|tue|tun werde|machen werde)\b",
        r"\bheute nacht (mache|tue) ich es\b",
        r"\bjemand (versucht|will) (gerade )?(bei mir |in (meine|die|unsere) wohnung |ins haus |in mein haus )?(einzubrechen|reinzukommen|hereinzukommen|die tur aufzubrechen)\b",
        near(r"(hat|halt|mit) (ein|einem|eine|einer) (messer|pistole|waffe)", r"schreit|brullt|droht|eingeschlossen|versteckt|angst", 60),
        r"\b(ich wurde|wurde ich|bin) (gestern |letzte nacht )?vergewaltigt\b",
        r"\b(schlagt|schlaegt|verprugelt) (ihn|sie) (jeden (abend|tag)|standig|immer|mit dem gurtel)\b",
        r"\b(pflegerin|pfleger|pflegekraft|pflegeheim|heim|betreuerin)\b.{0,60}\b(schreit|schlagt|schlaegt|blaue flecken|fesselt|festgebunden|sperrt|anschreit)\b",
    )),
    Rule("crisis-pt-families", "crisis", lang="pt", any=(
        r"\bse eu (nao|nunca) (existisse|estivesse (aqui|mais aqui)|tivesse nascido)\b", r"\bmelhor sem mim\b", r"\bsem mim (ficariam|estariam|seriam|viveriam) (muito )?melhor\b",
        r"\b(ja )?escolhi (a ponte|o dia|o lugar|o metodo|a data|a hora|como vou fazer)\b", r"\bdei (todas )?(as )?minhas coisas\b",
        r"\bsou (um|uma|so um|so uma) (peso|fardo|estorvo)\b",
        r"\b(nada|a vida|viver) (nao )?(faz|tem) (mais )?sentido\b(?! (pagar|marcar|esperar))",
        r"\bdormir e (nao|nunca mais) acordar\b", r"\bnunca mais acordar\b",
        r"\b(ja )?me despedi de (todo mundo|todos|minha familia|meus filhos)\b",
        rf"\b(juntei|guardei|escondi|acumulei|tenho guardad\w*|estou juntando|andei juntando) (os |meus |uns |muitos |todos os )?{_PT_PILLS}\b",
        r"\bcomprei uma corda\b", r"\bja sei (onde|como|quando) (vou fazer|fazer|eu vou)\b",
        r"\bhoje (a noite )?(eu )?(vou fazer isso|faco isso|acabo com tudo)\b",
        r"\balguem (esta |ta )?(tentando|querendo) (entrar|arrombar|invadir)\b", r"\b(arrombando|forcando) (a|minha) porta\b",
        near(r"(tem|esta com|ta com|pegou) (uma )?(faca|arma|revolver)", r"grit\w*|ameac\w*|tranquei|trancad\w*|escondid\w*|medo", 60),
        r"\bfui (estuprada|estuprado|violentada|violentado|abusada|abusado)\b", r"\bme (estuprou|estupraram|violentou|enforcou|estrangulou)\b",
        r"\b(bate|espanca) (nele|nela|neles|nelas) (todo dia|toda noite|todas as noites|sempre)\b",
        r"\b(cuidadora?|enfermeira|asilo|casa de repouso)\b.{0,60}\b(grita|bate|hematomas|roxos|amarra|tranca|xinga)\b",
    )),
    Rule("crisis-it-families", "crisis", lang="it", any=(
        r"\bmeglio senza di me\b", r"\bsenza di me (starebbero|sarebbero|vivrebbero) meglio\b", r"\bho (gia )?scelto (il ponte|il giorno|il posto|come farlo)\b", r"\bse (io )?non ci fossi( piu)?\b", r"\bse (io )?non esistessi\b",
        r"\bsono (un|solo un|soltanto un) (peso|fardello)\b",
        r"\b(vivere|la (mia )?vita) non ha (piu )?(nessun )?senso\b", r"\bnon vedo (piu )?(un |nessun )?senso\b",
        r"\b(dormire|addormentarmi) e non (svegliarmi|risvegliarmi)\b", r"\bnon (ri)?svegliarmi (piu|mai piu)\b",
        r"\bho (gia )?(detto addio|salutato tutti per sempre)\b",
        rf"\b(messo da parte|conservato|accumulato|nascosto|tenuto da parte|raccolto) (le |delle |tutte le |i |dei |tutti i )?{_IT_PILLS}\b",
        r"\bstasera (lo faccio|la faccio finita|e la sera)\b", r"\bho comprato una corda\b", r"\bso (gia )?(dove|come|quando) (lo )?faro\b",
        r"\bqualcuno (sta )?(cercando|tentando|prova) (di|a) (entrare|forzare|sfondare)\b", r"\b(forzando|sfondando) (la|la mia) porta\b",
        near(r"(ha|tiene|con) un (coltello|pistola|arma|fucile)", r"urla|urlando|minaccia|chius[ao]|nascost\w*|paura", 60),
        r"\bsono stat[ao] (violentat[ao]|stuprat[ao]|abusat[ao])\b", r"\bmi ha (violentat[ao]|stuprat[ao])\b",
        r"\b(lo|la|li|le) (picchia|picchiano|picchiava|prende a (botte|cinghiate)) (ogni (sera|giorno|notte)|sempre|tutti i giorni)\b",
    )),
    Rule("crisis-zh-families", "crisis", lang="zh", script="cjk", any=(
        r"活着(太|好|真|很|真的)?累", r"活著(太|好|真|很|真的)?累",
        r"(我走了|我不在了|没有我|沒有我|我死了|我消失了).{0,8}(轻松|輕鬆|更好|好过|好過|解脱|解脫|开心|開心)",
        r"(我是|我就是|我只是)(个|個|一个|一個)?(累赘|累贅|负担|負擔|拖累)", r"(不想|不要)再(醒|醒来|醒來)", r"一睡不醒",
        r"(跟|和|向)(大家|家人|所有人|朋友们|朋友們)(告别|告別|道别|道別)",
        r"(存|攒|攢|囤)(够|夠|了|好)(了)?.{0,4}(药|藥)", r"今(晚|天|夜)就(吃|动手|動手|结束|結束|走)", r"(买|買)(了|好)(绳子|繩子)",
        r"(想好|决定|決定)了?(在哪|怎么|怎麼|什么时候|什麼時候)(死|结束|結束|动手|動手)",
        r"撬.{0,4}(门|門|锁|鎖)", r"有人.{0,6}(闯进|闖進|破门|破門|砸门|砸門|想进来|想進來)",
        r"(拿着|拿著|拿了|有)(刀|枪|槍).{0,12}(躲|害怕|威胁|威脅|喊|吼|骂|罵)",
        r"(被|他|她).{0,4}(强奸|強姦|性侵)", r"掐(住|着|著)?(了)?我(的)?(脖子|喉咙|喉嚨)",
        r"(每天|每晚|天天|经常|經常).{0,4}(打|揍)(他|她|孩子)", r"(护工|護工|保姆|养老院|養老院).{0,12}(打|骂|罵|吼|淤青|瘀青|绑|綁)",
    )),
    Rule("crisis-ja-families", "crisis", lang="ja", script="cjk", any=(
        r"(私|わたし|僕|ぼく|俺|おれ)が?いない(方|ほう)が", r"いなくなった(方|ほう)が", r"消えた(方|ほう)が", r"(お荷物|重荷|足手まとい)",
        r"もう(二度と)?(目が覚め|目覚め|起き)たくない", r"(みんな|皆|家族)に(お別れ|さよなら|別れ)",
        r"(薬|睡眠薬|錠剤).{0,4}(ため|貯め|溜め|集め)(た|て)", r"(ロープ|縄)を(買|用意)", r"(今夜|今晩|今日)(こそ)?(決行|実行|やる|終わりにする)",
        r"(どこで|いつ|どうやって)(やる|死ぬ)か.{0,4}(決め|決まっ)",
        r"誰かが.{0,8}(入ろう|侵入|こじ開け|ドアを)", r"(包丁|ナイフ|刃物|銃)を?(持っ|振り回)",
        r"首を(絞|締)め", r"家に帰るのが(怖|こわ)", r"(レイプ|強姦|性的暴行)",
        r"(毎晩|毎日|いつも).{0,6}(殴|叩)(ら|か)", r"(介護士|ヘルパー|施設).{0,12}(怒鳴|殴|叩|あざ|縛)",
    )),
)

# A sixth author's blind set (safety_blind4) missed non-English emergencies the rules knew only by
# their textbook names ("infarto", "ictus"): people describe what they see -- a sugar reading with
# shaking and confusion, an arm that suddenly won't move and slurred talk, back pain with numb legs
# and no peeing, a child's sleeping pills swallowed, lips swelling after an oil, a head knock then
# vomiting and sleepiness, someone fallen who won't wake, a rash that doesn't fade under a glass.
# Crisis: subjunctive wishes ("ojalá no despertara"), letters written and "everything I need for
# tonight", saved-up pills (zh word order), Polish and Dutch word order. Cautions (chemo, pregnancy,
# osteoporosis, thrombosis, surgery) in the same languages. French/Italian elisions ("d'en finir",
# "qu'il", "l'anno") are also read with the apostrophe as a space (`_latin_variants`).
_HYPO_SIGNS = {
    "fr": r"(tremble\w*|transpire\w*|sue|suent|en sueur|confus\w*|dit nimporte quoi|dit n importe quoi|delire|somnolent\w*|ne repond (plus|pas)|agite\w*|bizarre)",
    "es": r"(tiembla\w*|temblando|suda\w*|sudando|confus\w*|confundid\w*|desorientad\w*|no responde|dice cosas raras|no coordina|somnolient\w*)",
    "de": r"(zitter\w*|schwitz\w*|verwirrt\w*|durcheinander|redet wirr\w*|reagiert nicht|benommen|apathisch)",
    "pt": r"(tremendo|treme\w*|suando|sua\w*|confus\w*|falando coisas sem sentido|nao responde|desorientad\w*)",
    "it": r"(trema\w*|suda\w*|sudato|confus\w*|non ragiona|non risponde|sragiona|disorientat\w*|dice cose strane)",
}
BLIND4_FAMILIES: tuple[Rule, ...] = (
    Rule("emergency-fr-signs", "emergency", lang="fr", any=(
        rf"\b(glycemie|sucre|dextro)\b.{{0,40}}\b(a|de|vers) 0 [1-5]\b.{{0,80}}\b{_HYPO_SIGNS['fr']}|\b{_HYPO_SIGNS['fr']}\b.{{0,80}}\b(glycemie|sucre|dextro)\b.{{0,30}}\b(a|de) 0 [1-5]\b",
        rf"\b(diabetique|hypo|hypoglycemie|glycemie (tres |trop )?basse)\b.{{0,80}}\b{_HYPO_SIGNS['fr']}.{{0,60}}\b{_HYPO_SIGNS['fr']}",
        r"\b(tombe\w*|effondre\w*|par terre|au sol|evanoui\w*)\b.{0,40}\b(ne )?(se )?reveill?e (pas|plus)\b", r"\b(il|elle) (ne )?(se )?reveill?e (pas|plus)\b",
        r"\b(il|elle) (ne )?(respire|bouge|reagit|repond) (plus|pas|presque plus)\b.{0,30}\b(tombe|sol|par terre|inconscient\w*|reveill?e)",
        r"\b(taches|boutons|plaques|points rouges)\b.{0,50}\b(ne )?(disparaiss\w*|partent|s effacent|seffacent) (pas|plus)\b", r"\btest du verre\b",
        r"\b(fievre)\b.{0,60}\b(nuque raide|cou raide|ne (peut|peux) pas (plier|baisser) (le cou|la tete))\b",
    )),
    Rule("emergency-es-signs", "emergency", lang="es", any=(
        rf"\b(azucar|glucosa|glucemia)\b.{{0,20}}\b(en|a|de) ([1-5]\d|muy baja|bajisima)\b.{{0,60}}\b{_HYPO_SIGNS['es']}",
        rf"\b(diabetic\w*|hipoglucemia)\b.{{0,80}}\b{_HYPO_SIGNS['es']}.{{0,60}}\b{_HYPO_SIGNS['es']}",
        r"\b(se cayo|se desmayo|esta en el suelo)\b.{0,40}\bno (se )?(despierta|reacciona|responde)\b",
        r"\bde repente\b.{0,30}\bno (puede|consigue) mover (el|la|su) (brazo|pierna|lado)\b", r"\bhabla (rar[oa]|arrastrando|trabad[oa]|balbuceando)\b",
        r"\b(labios|lengua|garganta|cara)\b.{0,30}\b(se (le|me) )?(hinch\w*|inflamad\w*)\b.{0,60}\b(tragar|respirar)\b",
        r"\b(se (ha )?tragado|se trago|tomo)\b.{0,40}\b(un monton de|muchas|todas (mis|las)|la caja de)\b.{0,20}\b(pastillas|somniferos|medicinas|pildoras)\b",
        r"\b(manchas|puntitos)\b.{0,40}\bno (desaparecen|se van|se quitan)\b",
        r"\bno puedo respirar\b", r"\bdespues de (un golpe|golpearse) en la cabeza\b.{0,60}\b(vomit\w*|somnolient\w*|dormid\w*)\b",
    )),
    Rule("emergency-de-signs", "emergency", lang="de", any=(
        rf"\b(zucker|blutzucker|bz)\b.{{0,10}}\b(bei|von|auf|unter) ([1-5]\d)\b.{{0,60}}\b{_HYPO_SIGNS['de']}",
        rf"\b{_HYPO_SIGNS['de']}\b.{{0,60}}\b(zucker|blutzucker|bz)\b.{{0,10}}\b(bei|von|auf|unter) ([1-5]\d)\b",
        rf"\b(diabetiker\w*|unterzucker\w*|hypo)\b.{{0,80}}\b{_HYPO_SIGNS['de']}",
        r"\b(kann|konnte) (plotzlich |auf einmal )?(seinen|ihren|den|meinen|sein|ihr|mein|das|die|seine|ihre) (arm|bein|hand|rechte\w* \w+|linke\w* \w+)\b.{0,20}\bnicht (mehr )?bewegen\b",
        r"\b(redet|spricht|lallt)\b.{0,15}\b(verwaschen|undeutlich|lallend|komisch|wirr)\b", r"\bhangende[rsn]? (mundwinkel|gesicht\w*)\b",
        r"\bkann (ich |er |sie )?(seit \w+ )?(nicht mehr|kaum noch|kaum|nicht) (richtig )?(pinkeln|urinieren|wasserlassen)\b.{0,60}\b(beine|taub|gefuhllos)\b",
        r"\b(beine|schritt|gesass)\b.{0,20}\b(taub|gefuhllos)\b.{0,60}\b(pinkeln|urinieren|blase|stuhl)\b",
        r"\b(haufen|packung|schachtel|handvoll|viele|alle)\b.{0,30}\b(schlaf)?tabletten\b.{0,20}\b(geschluckt|genommen|gegessen)\b",
        r"\b(gestürzt|gesturzt|hingefallen|umgekippt|zusammengebrochen)\b.{0,40}\b(wacht nicht|reagiert nicht|bewegt sich nicht)\b", r"\bwacht nicht (mehr )?auf\b",
        r"\b(lippen|zunge|hals|gesicht)\b.{0,20}\b(geschwollen|schwillt|schwellen)\b.{0,60}\b(schlucken|atmen|luft)\b",
    )),
    Rule("emergency-pt-signs", "emergency", lang="pt", any=(
        r"\b(labios|lingua|garganta|rosto|boca)\b.{0,30}\b(inchar\w*|inchad\w*|inchou|inchando)\b.{0,60}\b(engolir|respirar|ar)\b",
        r"\b(dificil|nao consigo|mal consigo) (engolir|respirar)\b.{0,60}\b(inchar\w*|inchad\w*|inchou)\b",
        rf"\b(acucar|glicemia|glicose)\b.{{0,20}}\b(em|a|de) ([1-5]\d|muito baixa|baixissima)\b.{{0,60}}\b{_HYPO_SIGNS['pt']}",
        rf"\b(diabetic\w*|hipoglicemia)\b.{{0,80}}\b{_HYPO_SIGNS['pt']}.{{0,60}}\b{_HYPO_SIGNS['pt']}",
        r"\b(caiu|desmaiou)\b.{0,40}\bnao (acorda|responde|reage)\b", r"\bde repente\b.{0,30}\bnao (consegue|pode) mexer (o|a) (braco|perna)\b",
        r"\bengoliu\b.{0,40}\b(muitos|varios|todos os|a cartela de|um monte de)\b.{0,20}\b(comprimidos|remedios|pilulas)\b",
    )),
    Rule("emergency-it-signs", "emergency", lang="it", any=(
        rf"\b(glicemia|zucchero)\b.{{0,20}}\b(bassissima|molto bassa|a ([1-5]\d))\b.{{0,60}}\b{_HYPO_SIGNS['it']}|\b{_HYPO_SIGNS['it']}\b.{{0,80}}\b(glicemia|zucchero)\b.{{0,10}}\b(bassissima|molto bassa|a ([1-5]\d))\b",
        rf"\b(diabetic\w*|ipoglicemia|ipo)\b.{{0,80}}\b{_HYPO_SIGNS['it']}.{{0,60}}\b{_HYPO_SIGNS['it']}",
        r"\b(e caduto|e caduta|svenut\w*|per terra)\b.{0,40}\bnon (si sveglia|risponde|reagisce)\b", r"\bnon si sveglia\b",
        r"\b(labbra|lingua|gola|faccia)\b.{0,30}\b(gonfi\w*)\b.{0,60}\b(deglutire|respirare|ingoiare)\b",
        r"\ball improvviso\b.{0,30}\bnon (riesce a|puo) muovere (il|la) (braccio|gamba)\b", r"\bparla (strano|impastato|in modo strano)\b",
        r"\b(macchie|puntini)\b.{0,40}\bnon (spariscono|scompaiono|vanno via)\b",
    )),
    Rule("emergency-ja-signs", "emergency", lang="ja", script="cjk", any=(
        r"頭を?(強く)?(打|ぶつけ).{0,20}(吐|嘔吐|眠|ぼーっと|意識|けいれん|痙攣)", r"(転んで|倒れて).{0,10}(起きない|目を覚まさない|反応しない|動かない)",
        r"(唇|くちびる|舌|喉|のど|顔)が?.{0,6}(腫れ|はれ).{0,20}(飲み込|息|呼吸)", r"(血糖|血糖値).{0,10}(低|[1-5]\d).{0,30}(震え|ふるえ|汗|混乱|意識|おかしい)",
        r"(急に|突然).{0,10}(腕|手|足)が動かな", r"ろれつが回らな",
    )),
    Rule("emergency-zh-signs", "emergency", lang="zh", script="cjk", any=(
        r"(头|頭)(部)?(被)?(撞|磕|摔|打).{0,20}(吐|呕|嘔|想睡|嗜睡|昏|意识|意識)", r"(摔倒|晕倒|暈倒|倒下).{0,10}(叫不醒|没反应|沒反應|不动|不動)", r"叫不醒",
        r"(嘴唇|舌头|舌頭|喉咙|喉嚨|脸|臉).{0,6}(肿|腫).{0,20}(吞|咽|呼吸|喘)", r"(血糖).{0,10}(很低|[1-5]\.?\d).{0,30}(抖|汗|糊涂|糊塗|意识|意識)",
        r"(突然).{0,10}(胳膊|手|腿)(动|動)不了", r"(说话|說話)(不清|含糊)",
    )),
    Rule("crisis-zh-saved", "crisis", lang="zh", script="cjk", any=(
        r"把(药|藥|安眠药|安眠藥)(都)?(攒|攢|存|囤)(够|夠|好|齐|齊|起来|起來)", r"(药|藥)(已经|已經)?(攒|攢|存|囤)(够|夠|好)了",
    )),
    # pain climbing into the jaw with sickness (atypical heart attack, commoner in diabetics and women);
    # black, tarry stools with dizziness on standing (a bleeding stomach, e.g. on ibuprofen)
    Rule("jaw-pain-with-sickness", "emergency", any=(
        r"\b(pain|ache|aching|pressure|tightness|discomfort)\b.{0,60}\b(into|up to|up into|to|through) (my |the |his |her )?(jaw|teeth)\b.{0,80}\b(been sick|being sick|vomit\w*|threw up|throw\w* up|sweat\w*|nause\w*|clammy|breathless|short of breath|dizzy)\b",
        r"\b(been sick|vomit\w*|threw up|sweat\w*|clammy|nause\w*)\b.{0,80}\b(pain|ache|pressure|tightness)\b.{0,60}\b(into|up to|up into|to) (my |the |his |her )?jaw\b",
    )),
    Rule("gi-bleed-signs", "emergency", any=(
        r"\b(black|tarry|tar like|sticky black|coffee ground\w*)( and tarry| tarry)? (poo|poos|stool|stools|poop|vomit|sick)\b.{0,100}\b(dizzy|faint\w*|light ?headed|weak|pale|collaps\w*|passed out|racing heart)\b",
        r"\b(dizzy|faint\w*|light ?headed|pale|collaps\w*|passed out)\b.{0,100}\b(black|tarry|tar like|coffee ground\w*)( and tarry| tarry)? (poo|poos|stool|stools|poop|vomit)\b",
    )),
    Rule("collapse-signs", "emergency", any=(
        r"\b(man|woman|guy|bloke|lady|someone|somebody|person|member|client|kid|child|runner|player) (is |just went )?down\b.{0,50}\b(not moving|isnt moving|not breathing|unresponsive|not responding|wont wake)\b",
    )),
    Rule("emergency-ko-signs", "emergency", lang="ko", script="cjk", any=(
        r"숨(을|이)?(쉴|쉬)수(가)?없", r"숨(이|을)?(안|못)쉬", r"숨이막", r"호흡(이)?(안|곤란)",
    )),
    Rule("crisis-blind4-families", "crisis", any=(
        # es: a wish in the subjunctive ("ojalá me durmiera y no despertara")
        r"\b(ojala|quisiera|me gustaria|preferiria)\b.{0,30}\b(no (volver a )?despert\w*|morir\w*|no existir|desaparecer para siempre|no estar (aqui|mas))\b",
        r"\bdorm\w* y no (volver a )?despert\w*\b",
        # fr: letters written, everything ready for tonight; "en finir" (read through the elision variant)
        r"\b(ecrit|laisse|prepare)\b.{0,10}\b(des |une |mes |ma )?(lettres?|mots?) (d ?adieu|a (ma famille|mes enfants|mes proches|tout le monde))\b",
        r"\btout ce qu ?il (me )?faut\b.{0,20}\b(pour )?(ce soir|cette nuit|demain|en finir|le faire)\b", r"\b(j ?ai|jai)? ?(envie|besoin) d ?en finir\b(?! avec (ce|cette|ces|mon|ma|mes|la|le|les) (mal|maux|douleurs?|tensions?|noeuds?|dos|nuque|cou|epaules?|contractures?|courbatures?|stress|migraines?))",
        r"\b(quelqu ?un|un homme|un type|des gens|mon ex|deux hommes)\b.{0,15}\b(essaie|essaye|tente|veut|cherche)\w* (d ?|de )?(entrer|rentrer|forcer|defoncer)\b",
        # nl / pl word order
        r"\bwil er (gewoon |echt |gewoonweg |liever |eigenlijk )?niet meer zijn\b", r"\b(chce|chcialbym|chcialabym|mam ochote|zaraz|pojde) sie zabic\b",
        # en: the wish not to wake, the illness hoped to be quicker, the note written, the sessions passed on
        r"\b(fine|ok|okay|happy|glad|relieved|wouldnt mind|wouldnt care|dont care)\b.{0,10}\bif i (just |simply )?(didnt|did not|never|dont|do not|wouldnt) (wake up|woke up|wake)\b",
        r"\bhopes? (the|this|my|it|that) (cancer|illness|disease|tumou?r|thing|condition)?\s?(just |will |would )?(takes|take|kills|kill|gets|get|finishes|finish) me\b(?! (back|to|through|out|less|longer|ages|a|an|the|\d+|about|around|under|over|home|in|up|down|forever))",
        r"\b(wrote|written|writing|finished|left|did) (my|a) (suicide |goodbye |farewell |last |final )?note\b(?! (for|to|about|on|in|of|from|with))(?!s)",
    )),
    Rule("crisis-passing-on", "crisis", all=(
        r"\b(transfer|give|pass|hand)\w*\b.{0,60}\bto (my|her|his) (daughter|son|sister|brother|wife|husband|partner|mum|mom|friend|kids|children|best friend)\b",
        r"\b(wont|will not|wont be|not going to be|will no longer be) (be )?need(ing)? (them|it|these|those|any)\b",
    ), unless=(r"\b(moving (to|abroad|away|house|home|out|overseas)|move (to|abroad|away)|relocat\w*|emigrat\w*|abroad|pregnan\w*|new job|travel\w*|away for|leaving the (area|country|city)|injur\w*|surgery)\b",)),
    Rule("self-harm-signs", "crisis", any=(
        r"\b(cuts|marks|scratches|burns|slashes|lines)\b.{0,20}\b(on|all (up|over|along)|up|across|down) (my|her|his|their) (thighs?|arms?|wrists?|legs?|stomach|tummy|hips?)\b.{0,80}"
        r"\b(fresh|new|i do it|(he|she|they) (says|said|claims)|not the cat|hid\w*|hiding|again|deeper|on purpose|myself|herself|himself)\b",
        r"\b(fresh|new) (cuts|marks|scratches|burns)\b.{0,60}\b(i do it|i did it|myself|when i (panic|cant|get))\b",
        r"\b(sh|sh d|cut|cutting|burned|burnt|self harmed) again\b.{0,40}\b(deeper|worse|looked at|stitches)\b",
    )),
    Rule("sexual-assault-no", "crisis", any=(
        r"\b(i )?(said|told (him|her|them)|kept saying|was saying|begged (him|her|them)) (to )?(no|stop)\b.{0,20}\b(he|she|they)\b.{0,10}\b(didnt|did not|wouldnt|would not|kept going|carried on|didnt care|ignored)\b",
    )),
)
# Cautions in other languages: chemotherapy, pregnancy, osteoporosis, thrombosis, surgery.
FOREIGN_CAUTIONS: tuple[Rule, ...] = (
    Rule("caution-foreign", "caution", any=(
        r"\b(chimio|chimiotherapie|quimio|quimioterapia|chemio|chemioterapia|chemotherapie|krebs\w*|cancro|tumeur|tumore|tumor|cancer)\b",
        r"\b(osteoporose|osteoporosis|osteoporosi)\b",
        r"\b(trombos\w*|thrombos\w*|embolia|embolie|phlebite|flebite)\b",
        r"\b(cirurgia|cirugia|chirurgie|chirurgia|operado|operada|opere|operee|operiert|operazione|operato|operata|operacion|intervento|intervencion)\b",
        r"\b(sous|avec|em|en|unter) (anticoag\w*|chimio\w*|quimio\w*)\b",
        # blood pressure, pregnancy and an operation in more languages (Bluthochdruck, pressão alta, zwanger, w ciąży, hamile)
        r"\b(bluthochdruck|hoher blutdruck|hypertonie|pressao alta|pressao baixa|hipertensao|pressione alta|pressione bassa|ipertension\w*|presion alta|hipertension|tension (arterielle|elevee|haute)|hypertension|hoge bloeddruk|nadcisnienie|yuksek tansiyon|tansiyon)\b",
        r"\b(zwanger|w ciazy|hamile\w*|schwanger\w*|embarazada|enceinte|gravida|incinta)\b",
        r"\b(op|operation) (am|an der|an dem|am rechten|am linken)\b|\b(operiert|operation)\b.{0,20}\b(vor|letzte|letzten)\b",
        # blood thinners by their European brand names (kardegic is aspirin, previscan fluindione)
        r"\b(kardegic|previscan|sintrom|coumadine?|marcoumar|marcumar|falithrom|xarelto|eliquis|pradaxa|lixiana|lovenox|innohep|fraxiparine?|clexane|plavix|brilique|efient|acenocumarol|fenprocoumon|anticoagulant\w*|anticoagulante\w*|antikoagul\w*|blutverdunn\w*|blutverduenn\w*|anticoagulanti|fluidificant\w*)\b",
    )),
    Rule("caution-native", "caution", script="native", any=_nfkc(r"беременн", r"давлени", r"разжижа", r"حامل", r"ضغط الدم", r"गर्भवती", r"ब्लड प्रेशर|रक्तचाप")),
    Rule("caution-cjk", "caution", script="cjk", any=(
        r"妊娠|妊婦|怀孕|懷孕|孕妇|孕婦|孕期|怀孕了|임신", r"血压|血壓|高血压|高血壓|血圧|혈압", r"抗凝|ワルファリン|ペースメーカー|起搏器|심장박동기", r"骨质疏松|骨質疏鬆|骨粗しょう症|骨粗鬆症|골다공증", r"血栓|静脈瘤|静脉曲张|혈전",
        r"手術|手术|化疗|化療|抗がん剤|がん|癌|수술|항암", r"糖尿病|당뇨", r"血液をサラサラ|抗凝血|抗凝固|ワーファリン|华法林",
    )),
)

# A seventh author's blind set (safety_blind5) missed wordings of families the rules already had, as
# natives type them: third-person and adverb-split self-harm ("se corta los brazos", "mi taglio quando
# sto male", "je me suis encore scarifiée"); despair without "I" ("hat eh alles keinen Sinn mehr",
# "wszystko bez sensu", "sarebbe meglio per tutti se sparissi"); letters to the children and "tomorrow
# it all ends"; a stepfather who "messes with me" when mum goes out; emergencies described by what is
# seen (a mouth gone crooked and speech nobody understands, shaking on the floor, fever with confusion,
# a child who drank bleach, pills taken and barely reacting, fallen and not answering, in Egyptian
# Arabic). English: the same wish said sideways -- no point booking, won't be around next month; all
# future appointments cancelled with thanks for everything; "checking out" and "done for good" after
# despair; "rather not exist"; one nice memory before the end; a walk to the cliffs that is "the plan";
# a neighbour screaming with things breaking; something stuck in a throat with no cough; pulled out of
# a pool, coughing and confused. Written in fresh wording by family, not from the set's sentences.
_DESPAIR = (r"\b(had enough|cant (do|take|face|bear|stand) (this|it|another|any more|anymore|much more)|cant go on|no point|nothing left|"
            r"so tired of (everything|it all|this|life|fighting)|give up|giving up|hopeless|whats the point|no way out|worn out by (life|everything)|"
            r"pain (wont|will not|never) (stop|end|go away)|at the end of my rope|at my wits end|no one (listens|cares)|nobody (listens|cares))\b")
_ENDING = (r"\b((im|i am|ill be|i will be|i m) (checking out|done for good|out of here for good|gone for good)(?! (of|at|the|your|from|early|late|tomorrow|today|on|before|after|with|now))|"
           r"before the end(?! of)|(one|a) (last|final) (nice |good |happy |lovely )?(thing|memory|treat|massage|goodbye|time)|"
           r"it (will|ll|is going to) (all )?be over soon|wont (be|have to) (suffer|hurt|feel) (much|for) longer|"
           r"end (it|it all|things|everything)|(this|that) is (it|goodbye)|for the last time)\b")
def _by_language(family: str, category: Category, patterns: dict[str, tuple[str, ...]]) -> tuple[Rule, ...]:
    """A family's patterns in several languages, as one rule that knows each pattern's language (the
    urgent line in the visitor's language); one search per reading instead of one per language."""
    return (Rule(family, category, any=tuple(p for ps in patterns.values() for p in ps),
                 pattern_langs=tuple(lang for lang, ps in patterns.items() for _ in ps)),)


# The same combination in the other Latin-script languages: "I can't take any more" with "this is
# goodbye", "tonight is the last time", "it's over".
_DESPAIR_FOREIGN = (
    r"\b(ya no (puedo|aguanto) mas|no aguanto mas|no puedo mas|estoy (harto|harta|cansad[ao]) de (todo|vivir|la vida)|no tiene sentido|sin sentido|"
    r"je nen peux plus|j en peux plus|jen peux plus|nen peux plus|jen ai marre de (tout|la vie|vivre)|plus la force|ca sert a rien|sa sert a rien|"
    r"ich kann nicht mehr|ich halte (das|es) nicht mehr aus|keine kraft mehr|hat keinen sinn|bin am ende|"
    r"nao aguento mais|nao consigo mais|to cansad[ao] de (tudo|viver)|estou cansad[ao] de (tudo|viver)|sem sentido|"
    r"non ce la faccio piu|non reggo piu|sono stanc[ao] di (tutto|vivere)|non ha senso|"
    r"ik kan niet meer|ik trek het niet meer|nie daje rady|nie mam sily)\b"
)
_ENDING_FOREIGN = (
    r"\b(me despido de (todos|ustedes|vosotros|todo el mundo|la vida)|adios a todos|adios para siempre|(hoy|esta noche) (se acaba todo|termina todo|lo termino todo)|"
    r"je vous dis adieu|adieu a tous|cest la fin|c est la fin|ce soir cest fini|"
    r"ich verabschiede mich( von euch| von allen)?(?! (in den|bis|fur (heute|die|den|das)))|lebt wohl|macht es gut fur immer|"
    r"me despeco de (todos|voces|tudo)|adeus a todos|adeus para sempre|vou acabar com tudo|"
    r"vi saluto tutti per sempre|addio a tutti|addio per sempre|la faccio finita(?! con (il|la|lo|l|i|le|gli|questo|questa|questi|quel\w*|sua|suo|mio|mia|tuo|tua|un|una|ste|sto|st) )|"
    r"vaarwel|dit is het einde|zegnajcie|to koniec)\b"
)
BLIND5_FAMILIES: tuple[Rule, ...] = (
    Rule("crisis-despair-and-ending-foreign", "crisis", all=(_DESPAIR_FOREIGN, _ENDING_FOREIGN)),
    # --- English crises said sideways --------------------------------------------------------
    Rule("crisis-sideways", "crisis", any=(
        r"\bs ?u ?i ?c ?i ?d(e|al|ing)\b",
        r"\b(something|anything) (nice|good|lovely|special|happy) before (the end(?! of)|i go for good|im gone|its (all )?over)\b",
        r"\b(want|wanna|wish i could|would like|just want) (to )?(just )?sleep forever\b",
        r"\b(dont know|do not know|not sure) why (im|i am|i m) still (here|alive|around|living|breathing)\b",
        r"\b(im|i am|i m) (so |just |completely |totally )?done with (life|living|being alive|existing|it all|this life|everything and everyone)\b",
        r"\b(the|a|my) (date|day|night|time) is (set|chosen|picked|decided)\b", r"\b(picked|chosen|set|decided on) (the|a) (date|day|night)\b.{0,30}\b(plan|do it|end it|goodbye|gone)\b",
        r"\b(dont think|not sure) i(ll| will)? (make it|be (here|around|alive)) (to|till|until|past|through)\b.{0,50}\b(ok|okay|fine|at peace|dont care|relieved|ready)\b",
        r"\b(texted|messaged|sent|posted|said|wrote|left)\b.{0,25}\b(goodbye|farewell)\b.{0,60}\b(wont|isnt|is not|not|doesnt|cant get (him|her|them) to|cant reach)\b.{0,10}\b(answer\w*|respond\w*|pick\w* up|reply\w*|reachable)\b",
        r"\b(scratch|pick|bite|pinch|hit|punch|bang|burn|claw)\w* (at )?(my|her|his|their) (arms?|skin|legs?|wrists?|thighs?|head|self|stomach)\b.{0,40}\b(until|till|til) (they|it|i|she|he) (bleed|bleeds|bled|bruise|bruises|bruised)\b",
        r"\b(says|saying|said|keeps saying|kept saying|told me|tells me|talks about|talking about)\b.{0,40}\b(better off without (him|her|them)|be better if (he|she|they) (was|were) (gone|dead|not here))\b",
        r"\b(cant|cannot|can not|dont|do not) see (a|any) way (through|forward|out of) (this|it|any of this)\b",
        r"\b(tired|sick) of being a burden\b", r"\b(being|am|im) a burden (on|to) (my|everyone|the|our)\b",
        r"\b(put|had|wrapped|got|squeezed) (his|her|their|both) hands (round|around) my (throat|neck)\b",
        # refusing food or medicines on purpose, as a way out ("had a good innings", "ready to go")
        r"\b(stopped|stopping|refus\w*|wont|will not|gave up|given up|quit) (eating|taking (her|his|my|their) (meds|medication|medicines?|pills|tablets|insulin|heart pills))\b.{0,60}\b(on purpose|deliberately|had a good innings|ready to go|wants to go|had enough|wants to die|doesnt want to live|no point)\b",
        r"\b(on purpose|deliberately|had a good innings|ready to go|wants to go|had enough of life|wants to die)\b.{0,60}\b(stopped|stopping|refus\w*|wont|will not|gave up|quit) (eating|taking (her|his|my|their) (meds|medication|medicines?|pills|tablets|insulin))\b",
        # a threat to kill if the victim leaves or tells (an abuser's, not an idiom about a booking)
        r"\b(would|will|ll|d|hell|shell|theyll|hed|shed|going to|gonna|threaten\w*( to)?|swore (he|she|they) (would|d))( literally| actually)? (kill|hurt|murder|strangle|find) (me|us|the kids|my (kids|children|mum|mom))\b.{0,10}\bif i (ever )?"
        r"(leave|left|try to leave|tell|told|report|call|called|go to|went to|divorce|break up|take the kids|speak to)\b(?! (early|work|the office|on time|before|at|for|the house|without|my desk|the gym|a review|a bad review|a tip|late))",
        r"\b(id|i would|i d|i had) (much |really |honestly |just )?rather (not (exist|be alive|be here any ?more|wake up)|be dead|stop existing)\b",
        r"\b(im|i am|i m|ill be|i will be) done for good\b(?! (with|on|at|from|after) (the|this|that|my|gym|running|work|dairy|sugar|coffee|smoking|drinking))",
        r"\b(one|a|some|the) (last |final )?(nice|good|happy|lovely|beautiful) (memory|memories|thing|day|moment|experience)s? before (the end|i go for good|i die|im gone|its (all )?over|i end it)\b",
        r"\b(wont|will not|wont be|might not|may not|not going to) (be )?(around|here|alive) (by |for |in )?(next (month|year|spring|summer|autumn|winter|christmas)|christmas|my birthday|the new year)\b"
        r"(?!.{0,60}\b(moving|abroad|travel\w*|holiday|vacation|trip|away|work|conference|visiting|reschedul\w*|pause|freeze|hold)\b)",
    )),
    Rule("crisis-made-peace", "crisis", all=(
        r"\b(made|making|make) (my )?peace\b",
        r"\b(last|final|goodbye|farewell|wont be (coming back|here|around|needing)|not coming back|for good)\b",
    ), unless=(r"\bpeace with (my|the|this|that|a|his|her) (\w+ )?(knees?|back|neck|body|pain|injur\w*|diagnosis|condition|scars?|weight|age|shoulders?|hips?|arthritis|illness)\b",)),
    # a hopeless feeling and an ending, in one message: neither alone is enough
    Rule("crisis-despair-and-ending", "crisis", all=(_DESPAIR, _ENDING)),
    # futility about the future and being gone for it ("no point booking anything, i won't be around")
    Rule("crisis-no-future", "crisis", all=(
        r"\b(no point|dont see the point|pointless|no use|why bother) (in |of )?(booking|planning|making plans|buying|renewing|saving|paying|signing up|starting)\b",
        r"\b(wont|will not|might not|may not|not going to) (be )?(around|here|alive|need (it|them|any of it))\b",
    ), unless=(r"\b(holiday|vacation|trip|travel\w*|abroad|moving|conference|business|visiting|hospital|surgery|new job|away (for|on|until|till))\b",)),
    # every future appointment cancelled, with a goodbye or "won't need them"
    Rule("crisis-cancel-everything", "crisis", all=(
        r"\b(cancel\w*|delete\w*|remove\w*|clear\w*|stop\w*) (all|every|each|any)( of)? (my |the )?(future |remaining |upcoming |other |next )?(appointments?|sessions?|bookings?|massages?|visits?|treatments?)\b",
        r"\b(wont|will not|wont be|not going to|will no longer|dont) (be )?need(ing)? (them|it|these|those|any|any more|anymore)\b|\bthanks? (you )?for everything\b|\b(goodbye|farewell)\b|\bfor good\b",
    ), unless=(r"\b(moving (to|abroad|away|house|home|out|overseas)|move (to|abroad|away)|relocat\w*|emigrat\w*|abroad|pregnan\w*|new job|travel\w*|away for|leaving the (area|country|city|town)|another clinic|closer to (home|work)|insurance|budget|afford)\b",)),
    # pills kept aside ("for emergencies", "just in case") and tonight or now is the time
    Rule("crisis-stash-and-time", "crisis", all=(
        rf"{MEDS}.{{0,60}}\b(keeping|kept|saved|saving|stashed|hidden|hiding|put aside|set aside|hoarded|stockpiled)\b|\b(keeping|kept|saved|saving|stashed|hidden|hoarded|stockpiled) (a |the |my |some )?(bottle|box|packet|stash|supply) of\b",
        r"\b(tonight|today|now) (feels like|is) (the|my) (emergency|time|night|day|moment)\b|\b(tonight|this is) (the|my) (night|time)\b|\b(time|ready) to (use|take) (them|it|the lot)\b",
    )),
    # a place to jump from and a plan or a goodbye
    Rule("crisis-place-and-plan", "crisis", all=(
        r"\b(go|going|goin|heading|head|drive|driving|walk|walking|off) (up )?(to|out to|up to) (the |a )?(cliffs?|cliff edge|bridge|tracks|railway( line)?|train line|edge|roof|top of (the|a) (building|car park|multi ?storey|tower))\b",
        r"\b(the|my|that s the|thats the|that is the) plan\b|\bfor good\b|\b(not|never|wont be) (coming|going) back\b|\bgoodbye\b|\b(one|a) (last|final)\b|\bthat(s| is) it\b|\bno one will (find|stop)\b",
    ), unless=(r"\b(hike|hiking|picnic|sunset|sunrise|view|photos?|pictures|birds?|climb\w*|surf\w*|swim\w*|kayak\w*|fishing|lunch|dinner|coffee|ice cream|"
               r"with (my|our|the) (sister|brother|friends?|family|kids|children|dog|partner|husband|wife|mum|mom|dad|boyfriend|girlfriend|group))\b",)),
    # violence overheard: screaming with things breaking or children crying
    Rule("danger-overheard", "crisis", all=(
        r"\b(neighbou?rs?|next door|upstairs|downstairs|flat (above|below)|house next|across the hall|in the next room)\b",
        r"\b(screaming|screams|yelling|shouting|crying for help|calling for help|begging)\b",
        r"\b(breaking|smashing|smashed|crash\w*|thud\w*|bang\w*|hitting|slapping|crying|help|glass)\b",
    )),
    # --- English emergencies -----------------------------------------------------------------
    Rule("choking-signs", "emergency", all=(
        r"\b(stuck|lodged|caught|wedged) in (his|her|my|their|the|your|our) (\w+ )?(throat|windpipe|airway)\b|\bchok(ing|ed|es)\b|\b(swallowed|inhaled) (a |the )?(grape|sweet|candy|coin|toy|piece|bit|button|battery|marble|nut|peanut|bone)\b",
        r"\b(cant|cannot|can not|unable to|isnt able to|not able to|couldnt) (cough|talk|speak|breathe|cry|make a (sound|noise))\b|\b(turning|going|gone|went) (blue|purple|grey|gray|red)\b|\bno sound\b|\bsilent\b|\bclutching (his|her|their|my) throat\b",
    )),
    Rule("torsion-or-shock", "emergency", any=(
        r"\b(testic\w*|testes|scrotum|balls?|nuts)\b.{0,40}\b(sudden\w*|out of nowhere)\b.{0,40}\b(pain\w*|agony|hurt\w*|swollen|swelling)\b",
        r"\b(sudden\w*|out of nowhere)\b.{0,40}\b(testic\w*|testes|scrotum)\b.{0,40}\b(pain\w*|agony|hurt\w*|swollen|swelling)\b",
        r"\b(testic\w*|testes|scrotum)\b.{0,40}\b(sudden\w*|really|very|so|extremely)? ?(painful|agony|swollen)\b.{0,30}\b(swollen|painful|vomit\w*|sick|high|hard)\b",
        r"(?<!static )\b(electric (shock|shocked)|electrocuted|shock from (a|the) (socket|plug|wire|cable|fence|outlet|mains))\b.{0,60}\b(numb\w*|burn\w*|chest|heart|racing|unconscious|passed out|tingl\w*|cant (feel|move)|arm|hand)\b",
    )),
    Rule("near-drowning", "emergency", all=(
        r"\b(pulled|dragged|got|fished|lifted|rescued) (\w+ ){0,3}out of (the |a )?(pool|water|lake|sea|river|bath|ocean|pond|canal)\b|\b(nearly|almost) drown\w*\b|\bwent under\b",
        r"\b(cough\w*|confus\w*|vomit\w*|throw\w* up|not breathing|sleepy|drowsy|blue|unconscious|wheez\w*|breathless|limp|foam\w*|not making sense|out of it|not right)\b",
    )),
    # --- other languages: self-harm in the third person, with an adverb, or as a habit -------
    # self-harm in the third person, with an adverb, as a habit
    *_by_language("self-harm", "crisis", {
        "es": (r"\b(se|me) (corta|corto|cortaba|cortan|esta cortando|sigue cortando|hace cortes|hago cortes|lastima a proposito|quema a proposito)\b(?! (el|los|las|la|un|una) (pelo|cabello|unas|flequillo|barba|pan|verdura\w*|carne|cebolla|pizza))",
               r"\bautolesion\w*\b", r"\bse autolesiona\b"),
        "fr": (r"\b(je )?me suis (encore |de nouveau |a nouveau |deja |re)?(coupe\w*|scarifie\w*|brule\w*|mutile\w*)\b(?! (en|avec|au|a la|a l) (cuisin\w*|papier|couteau|verre|rasant|bricol\w*|jardin\w*|four))",
               r"\b(il|elle|mon fils|ma fille|mon ado) se (scarifie|mutile|coupe (les bras|les poignets|les cuisses)|fait du mal)\b", r"\bautomutil\w*\b"),
        "de": (r"\b(ritzt|ritzen|schneidet|verletzt) sich (wieder |selbst |absichtlich |heimlich )?\b(?!.{0,20}\b(beim|mit dem|am) (kochen|messer|papier|rasieren)\b)", r"\bselbstverletz\w*\b"),
        "pt": (r"\b(se|me) (cortando|corta|corto|cortou|cortei|machuca|machucando|fere|ferindo|queima|queimando)\b.{0,30}\b(braco\w*|pulso\w*|perna\w*|coxa\w*|de proposito|escondid\w*|de novo|outra vez|quando)\b", r"\bautomutila\w*\b"),
        "it": (r"\b(mi|si) (taglio|taglia|tagliava|sono tagliat\w*|e tagliat\w*|ferisco|ferisce|brucio|brucia)\b(?! (i|le|la|il|un|una) (capelli|unghie|barba|frangia|pane|carne|verdur\w*|cipoll\w*|pizza|torta))(?=.{0,40}\b(quando|di nuovo|ancora|braccia|polsi|gambe|apposta|di nascosto|non riesco|fermarmi|sto male|sangue)\b)",
               r"\bautolesionis\w*\b"),
        "nl": (r"\b(snijdt|snijd|snij|kras|krast|brand) (zich|zichzelf|mezelf|me) (weer|opnieuw|expres|in (mijn|haar|zijn) (armen|benen|polsen))?\b",),
        "pl": (r"\b(tnie|cnie) sie\b",),
    }),
    # despair without "I", the wish to vanish, letters, "it all ends"
    *_by_language("despair", "crisis", {
        "de": (r"\b(hat|macht) (eh |doch |sowieso |ja |einfach |echt )?(alles|das alles|das leben|mein leben) (eh |doch |sowieso |ja |einfach |echt )?keinen sinn( mehr)?\b",
               r"\b(alles|das leben|mein leben) (hat|macht) (eh |doch |sowieso |ja |einfach |echt |halt )?keinen sinn( mehr)?\b", r"\bnichts (hat|macht) (mehr )?sinn\b",
               r"\bkeine (lust|kraft|energie) mehr (zu leben|auf (das |mein )?leben|weiterzuleben|weiter zu leben)\b",
               r"\b(ich )?bin (nur |doch nur |eh nur )?(noch )?(eine|ein) (last|belastung|klotz am bein)\b",
               r"\b(besser|leichter) fur (alle|euch|meine familie)\b.{0,20}\bwenn ich (weg|nicht mehr da|tot) (ware|waere|bin)\b", r"\bwenn ich (einfach )?(weg|verschwunden|tot) (ware|waere)\b",
               r"\b(morgen|heute|heute nacht|heute abend) (ist|wird) alles (vorbei|zu ende)\b", r"\bbriefe an (meine|die) (kinder|familie|eltern)\b.{0,30}\bgeschrieben\b"),
        "pl": (r"\bnie chce mi sie (juz )?zyc\b", r"\b(wszystko|zycie) (jest )?bez sensu\b", r"\b(jestem|bede) (tylko )?ciezarem\b", r"\bnie ma sensu zyc\b"),
        "it": (r"\b(meglio|piu facile) per tutti se (io )?(sparissi|morissi|non ci fossi|non esistessi|me ne andassi)\b", r"\bse (io )?sparissi\b",
               r"\b(vorrei|voglio|voglia di) (solo )?(sparire|scomparire|non esistere)\b", r"\b(domani|stasera|stanotte) (finisce|finira) tutto\b",
               r"\bho scritto (le |delle |una )?letter[ae] (ai miei|alle mie|a mia|a mio|per i miei|per le mie) (figli|figlie|genitori|famiglia|moglie|marito)\b"),
        "pt": (r"\b(escrevi|deixei|escrevendo) (as |umas |uma |a )?cartas? (pros|pras|para os|para as|pra|para|aos|as|ao|a) (meus|minhas|minha|meu) (filhos|filhas|familia|pais|mae|pai|marido|esposa)\b",
               r"\b(amanha|hoje|hoje a noite|esta noite|essa noite) (vai )?(acabar|acaba|termina|vai terminar) tudo\b", r"\b(melhor|mais facil) pra (todo mundo|todos) se eu (sumisse|morresse|nao existisse)\b", r"\bse eu sumisse\b"),
        "es": (r"\b(escribi|deje|he escrito) (las |unas |una )?cartas? (a|para) (mis|mi) (hijos|hijas|familia|padres|madre|padre)\b",
               r"\b(manana|hoy|esta noche) (se )?(acaba|termina|se acaba|se termina) todo\b", r"\bsi (yo )?(desapareciera|me muriera|no estuviera)\b"),
        "fr": (r"\b(jai|j ai) (ecrit|laisse) (des |les |une )?lettres? (a|pour) (mes|ma|mon) (enfants|famille|parents|mari|femme)\b",
               r"\b(demain|ce soir|cette nuit) tout (sera fini|est fini|se termine|finit|s arrete|sarrete)\b(?! (au|a la|a l|pour|avec|chez|de|du|des|en|dans|sur) )", r"\bsi (je )?(disparaissais|mourais|netais plus la|n etais plus la)\b"),
        "nl": (r"\b(alles|het leven) (heeft|is) geen (zin|nut) meer\b", r"\bik ben (alleen maar |maar )?een last\b"),
    }),
    Rule("despair-hi", "crisis", lang="hi", script="native", any=_nfkc(
        r"(अब )?(जीना|जीने) (नहीं है|की इच्छा नहीं|का मन नहीं)", r"सब (कुछ )?(खत्म|ख़त्म) (करना|कर दूं|कर दूँ|कर दूंगा|कर दूँगा|करना चाहता|करना चाहती)", r"(मर जाऊं|मर जाऊँ|मरना है|मर जाना है)", r"ज़िंदगी (खत्म|ख़त्म|बेकार)")),
    Rule("despair-ru", "crisis", lang="ru", script="native", any=_nfkc(
        r"не хочется жить", r"жить не хочу", r"(я|я просто) обуза", r"всё бессмысленно|все бессмысленно", r"лучше бы меня не было", r"хочу исчезнуть")),
    Rule("despair-ar", "crisis", lang="ar", script="native", any=_nfkc(
        r"(مش عايز|مش عايزه|مش عاوز|ما بدي|مابدي) (اعيش|عيش)", r"(بدي|بدّي|ودي|عايز|عايزه) (موت|اموت)", r"(نفسي|عايز|عايزه) اموت", r"(انا )?عبء", r"(تعبت|زهقت) من (الحياه|حياتي|العيشه)")),
    Rule("despair-ko", "crisis", lang="ko", script="cjk", any=(r"살기싫", r"다끝내고싶", r"짐이되", r"없어지고싶", r"죽어버리")),
    Rule("despair-zh-ja", "crisis", lang="zh", script="cjk", any=(  # kana says Japanese (`triage`)
        r"(我|我就)?(是)?(大家|家人)的(负担|負擔|累赘|累贅)", r"(一切|活着|活著)(都)?没(有)?(意义|意思)|(一切|活著)(都)?沒(有)?意義", r"(明天|今晚|今天|今夜).{0,3}(一切|所有)(都|就)?(要)?(结束|結束)",
        r"(私|わたし|僕|俺)なんて(いない|いなくなった)(方|ほう)が", r"(全部|すべて)終わりにし", r"明日(で)?(全部|すべて)終わ",
    )),
    # someone else who wants to die; tired of living; nobody would miss me
    *_by_language("wish-to-die", "crisis", {
        "es": (r"\b(se )?(quiere|queria|quiera|va a|piensa en|habla de|hablando de|amenaza con) (matarse|suicidarse|quitarse la vida|morirse)\b", r"\bse (quiere|queria|va a) (matar|suicidar|quitar la vida)\b",
               r"\b(estoy|esta|ando|me siento) (hart[oa]|cansad[oa]) de (vivir|la vida|existir|estar viv[oa])\b",
               r"\bnadie me (echaria|va a echar|echara|extranaria|va a extranar) de menos\b|\bnadie me (extranaria|extranara|va a extranar)\b|\bnadie (notaria|se daria cuenta) si (me muero|desaparezco|no estuviera)\b"),
        "fr": (r"\b(veut|voulait|va|pense a|parle de|menace de) se (tuer|suicider|foutre en l ?air|jeter)\b", r"\b(marre|fatiguee?|lasse?) de (la vie|vivre|exister)\b",
               r"\bpersonne ne (me regretterait|remarquerait|verrait|sapercevrait)\b", r"\b(je )?(ne )?(veux|veut) plus (etre la|exister|etre en vie)\b"),
        "de": (r"\b(will|wollte|mochte|moechte|mag|droht|denkt (daran|darueber|daruber))\b.{0,10}\bsich (\w+ )?(umbringen|umzubringen|toten|zu toten|das leben (zu )?nehmen|etwas (an)?(zu)?tun|was antun)\b",
               r"\bniemand (wurde|wuerde) mich vermissen\b", r"\b(bin|ist) (so )?(mude|muede) (vom|zu) leben\b", r"\b(lebensmude|lebensmuede)\b"),
        "pt": (r"\b(quer|queria|vai|pensa em|fala em|falou em|falando em|ameaca) (se )?(matar|suicidar|tirar a (propria )?vida)\b(?<!quer matar)(?<!vai matar)(?<!pensa em matar)",
               r"\b(to|tou|estou|ando|me sinto|esta|ta) cansad[ao] de (viver|vida|existir)\b", r"\bninguem (ia|vai|iria) sentir (minha|a minha) falta\b|\bninguem (ia|vai|iria) (notar|perceber) se eu\b"),
        "it": (r"\b(vuole|vorrebbe|voleva|pensa di|parla di|minaccia di) (uccidersi|ammazzarsi|suicidarsi|farla finita|togliersi la vita)\b(?! con (il|la|lo|l|i|le|gli|questo|questa|questi|quel\w*|sua|suo|mio|mia|tuo|tua|un|una|ste|sto|st) )",
               r"\b(sono|e|mi sento) stanc[ao] di (vivere|vita|esistere)\b", r"\bnessuno sentirebbe la mia mancanza\b|\bnessuno (si accorgerebbe|noterebbe) se\b"),
        "nl": (r"\b(niet|nooit) meer wakker (worden|te worden)\b", r"\bwil (dood|zelfmoord plegen|een eind aan (zijn|haar) leven maken)\b", r"\bniemand zou me missen\b"),
    }),
    # being locked in or cut off (coercive control), someone armed at the door
    *_by_language("control-or-armed", "crisis", {
        "es": (r"\bme (encierra|encerro|tiene encerrad[ao]|quita el (movil|celular|telefono)|revisa el (movil|celular)|prohibe (salir|ver))\b",
               r"\b(hombre|alguien|tipo|mi ex)\b.{0,30}\b(con|tiene) (un|una) (cuchillo|pistola|arma|navaja|machete)\b.{0,40}\b(puerta|casa|fuera|afuera|ventana|entrada)\b"),
        "fr": (r"\b(m ?enferme|ma enfermee?|me confisque (mon|le) (telephone|portable)|m ?empeche de (sortir|voir))\b",
               r"\b(quelquun|quelqu un|un homme|un type|mon ex)\b.{0,30}\b(avec|a) un (couteau|pistolet|fusil|arme)\b.{0,40}\b(porte|chez moi|dehors|devant|fenetre)\b"),
        "de": (r"\b(sperrt|schliesst) mich ein\b|\bnimmt mir (das|mein) (handy|telefon) (weg|ab)\b|\bverbietet mir\b.{0,20}\b(rauszugehen|freunde|zu sehen)\b",
               r"\b(mann|jemand|typ|mein ex)\b.{0,30}\bmit (einem|einer) (messer|pistole|waffe)\b.{0,40}\b(tur|haus|draussen|vor|fenster)\b"),
        "pt": (r"\bme (tranca|trancou|prende|prendeu) em casa\b|\b(pega|tira|confisca) (o )?meu (celular|telefone)\b|\bnao me deixa (sair|ver)\b",
               r"\b(homem|alguem|cara|meu ex)\b.{0,30}\bcom (uma|um) (faca|arma|revolver)\b.{0,40}\b(porta|casa|fora|janela)\b"),
        "it": (r"\bmi (chiude|ha chiuso|tiene chius[ao]) in casa\b|\bmi (toglie|prende) il (telefono|cellulare)\b|\bnon mi lascia (uscire|vedere)\b",
               r"\b(uomo|qualcuno|tizio|il mio ex)\b.{0,30}\bcon (un|una) (coltello|pistola|arma)\b.{0,40}\b(porta|casa|fuori|finestra)\b"),
    }),
    Rule("wish-to-die-ru", "crisis", lang="ru", script="native", any=_nfkc(r"(больше )?не могу так жить", r"устал\w* (от )?жить", r"хочет покончить с собой", r"никто не (заметит|будет скучать)")),
    Rule("wish-to-die-zh", "crisis", lang="zh", script="cjk", any=(r"活(着|著)(太|好|真|很|真的)?(痛苦|难受|難受|没意思|沒意思)", r"(他|她)(说|說)?(想死|不想活)", r"没(有)?人会(想|在乎)我|沒(有)?人會(想|在乎)我")),
    # emergencies by what is seen, more wordings
    *_by_language("signs-more", "emergency", {
        "es": (r"\b(sale|salia|esta saliendo|echa|pierde) (mucha|muchisima) sangre\b", r"\bno (siento|puedo mover|puede mover|siente) las piernas\b(?!.{0,40}\b(gimnasio|gym|entrenar|entreno|correr|carrera|pesas|sentadillas|spinning|maraton)\b)",
               r"\bno (puedo|puede) (orinar|hacer pis)\b.{0,60}\b(espalda|piernas|entumecid\w*|dormid\w*)\b|\b(espalda|piernas)\b.{0,60}\bno (puedo|puede) (orinar|hacer pis)\b"),
        "fr": (r"\b(malaise|evanoui\w*|tombe\w*|par terre|inconscient\w*|effondre\w*)\b.{0,40}\bne (repond|reagit|bouge) (pas|plus)\b", r"\b(il|elle|je|bebe|mon fils|ma fille) respire (tres |vraiment )?mal\b",
               near(r"(visage|levres|gorge|langue|yeux)\b.{0,20}\bgonfl\w*", r"respir\w*|avaler|allerg\w*|cacahu\w*|arachide\w*|piqure|guepe|abeille|noix|siffle", 60)),
        "pt": (r"\bnao (esta|ta) respirando\b", r"\b(desmaiou|caiu|apagou)\b.{0,40}\bnao (responde|reage|acorda|se mexe)\b", r"\bnao (sinto|sente|consigo mexer) as pernas\b(?!.{0,40}\b(academia|treino|treinar|corrida|correr|musculacao|agachamento)\b)"),
        "de": (r"\b(spure|spuere|fuhle|fuehle) (meine )?beine nicht (mehr)?\b(?!.{0,40}\b(training|sport|fitness|laufen|joggen|wandern|beintag|marathon|kniebeugen)\b)", r"\b(umgekippt|zusammengebrochen|gesturzt)\b.{0,40}\b(reagiert nicht|wacht nicht auf|atmet nicht)\b"),
        "it": (r"\bnon (sento|sente|riesco a muovere) (piu )?le gambe\b(?!.{0,40}\b(palestra|allenamento|corsa|correre|squat|maratona)\b)", r"\b(e svenut[ao]|e cadut[ao]|e crollat[ao])\b.{0,40}\bnon (risponde|si sveglia|si muove|respira)\b"),
    }),
    # child sexual abuse: a relative who touches or "messes with" a child, when the mother is out
    *_by_language("child-abuse", "crisis", {
        "pt": (r"\b(padrasto|tio|primo|avo|vizinho|namorado da minha mae|irmao)\b.{0,25}\b(mexe comigo|me toca|me apalpa|passa a mao em mim|abusa de mim|entra no meu quarto)\b",
               r"\bquando (minha mae|a mae) (sai|nao esta)\b.{0,40}\b(me toca|mexe comigo|me apalpa)\b"),
        "es": (r"\b(padrastro|tio|primo|abuelo|vecino|novio de mi (mama|madre)|hermanastro)\b.{0,25}\b(me toca|me manosea|abusa de mi|se mete en mi cama|entra a mi cuarto)\b",
               r"\bcuando mi (mama|madre) (sale|no esta)\b.{0,40}\b(me toca|me manosea)\b"),
        "fr": (r"\b(beau pere|oncle|cousin|grand pere|voisin|copain de (ma mere|maman))\b.{0,25}\b(me touche|me tripote|abuse de moi|vient dans mon lit)\b",
               r"\bquand (ma mere|maman) (part|sort|nest pas la)\b.{0,40}\b(me touche|me tripote)\b"),
        "de": (r"\b(stiefvater|onkel|cousin|opa|nachbar|freund (meiner|von meiner) mutter)\b.{0,25}\b(fasst mich an|begrapscht mich|missbraucht mich|kommt in mein bett)\b",
               r"\bwenn (meine mutter|mama) (weg|nicht da) ist\b.{0,40}\b(fasst mich an|begrapscht mich)\b"),
        "it": (r"\b(patrigno|zio|cugino|nonno|vicino|compagno di mia madre)\b.{0,25}\b(mi tocca|mi palpa|abusa di me|viene nel mio letto)\b",),
    }),
    Rule("child-abuse-zh-ja", "crisis", lang="zh", script="cjk", any=(
        r"(继父|繼父|叔叔|舅舅|后爸|後爸).{0,8}(摸我|碰我|猥亵|猥褻)", r"(義父|継父|おじ|叔父|伯父).{0,8}(触|さわ|体を)",
    )),
    # emergencies described by what is seen: a mouth gone crooked, speech nobody understands, a fit on
    # the floor, bleach drunk, fever with confusion (sepsis)
    *_by_language("signs", "emergency", {
        "es": (r"\bse le (torcio|cayo|durmio|paralizo|fue de lado|chueco) (la boca|la cara|el labio|media cara|un lado)\b",
               r"\bno (le|se le) entiend\w* (nada |bien )?(lo que|lo q|cuando|que) (habla|dice)\b", r"\b(arrastra|traba) las palabras\b",
               r"\b(convulsionando|esta convulsionando|le dio una convulsion|le esta dando (un ataque|una convulsion))\b",
               r"\b(tiembla|temblando|sacudiendose)\b.{0,15}\ben el (suelo|piso)\b", r"\b(se tomo|tomo|bebio|trago)\b.{0,10}\b(lejia|cloro|lavandina|desinfectante|veneno)\b",
               near("fiebre", r"confus\w*|confundid\w*|desorient\w*|delir\w*|no responde|somnolient\w*", 60)),
        "fr": (r"\b(fait|fais|faisait|a fait) une crise\b(?! (de (nerfs|colere|larmes|rire|panique|angoisse|foie|jalousie)|d ?angoisse|dangoisse))(?=.{0,60}\b(tremble\w*|par terre|convuls\w*|bave|yeux|ne repond|inconscient\w*|secou\w*|minutes)\b)",
               r"\b(tremble\w*|secoue\w*|convulse\w*|gigote\w*)\b.{0,20}\bpar terre\b", r"\bparle (plus|pas) (normalement|correctement)\b",
               near("fievre", r"confus\w*|desorient\w*|delir\w*|ne repond|somnolent\w*", 60)),
        "pt": (r"\b(tremendo|se debatendo|convulsionando)\b.{0,15}\bno chao\b", r"\b(bebeu|engoliu|tomou)\b.{0,10}\b(agua sanitaria|cloro|alvejante|veneno|desinfetante)\b",
               near("febre", r"confus\w*|desorient\w*|delir\w*|nao responde|sonolent\w*", 60)),
        "it": (r"\b(trema|si dimena|convulsioni)\b.{0,15}\b(a terra|per terra)\b", r"\b(ha bevuto|bevuto|ingoiato)\b.{0,10}\b(candeggina|varechina|disinfettante|veleno)\b"),
        "de": (r"\b(zuckt|krampft)\b.{0,15}\bam boden\b",
               r"\b(getrunken|geschluckt)\b.{0,10}\b(bleiche|chlor|desinfektionsmittel|putzmittel|gift)\b|\b(bleiche|chlor|desinfektionsmittel|putzmittel)\b.{0,10}\b(getrunken|geschluckt)\b",
               near("fieber", r"verwirrt|durcheinander|delir\w*|reagiert nicht", 60)),
    }),
    Rule("signs-ar", "emergency", lang="ar", script="native", any=_nfkc(
        r"(مش|ما|مابي|لا) ?(بيتنفس|يتنفس|بتتنفس|تتنفس|قادر يتنفس|قادره تتنفس)", r"(فقد|فقدت|فاقد|فاقده) (ال)?وعي", r"(مش|ما) (بيرد|بترد|بيصحى|بتصحى|بيفوق|بتفوق)", r"(مغمى|مغما) (عليه|عليها)", r"(وقع|وقعت|اغمى).{0,30}(مش|ما) (بيرد|بترد|بيتحرك|بتتحرك)")),
    Rule("signs-hi", "emergency", lang="hi", script="native", any=_nfkc(r"बेहोश", r"(सांस|साँस) नहीं (ले|आ)", r"होश नहीं")),
    Rule("signs-tr", "emergency", lang="tr", any=(r"\b(yuzu|agzi|yuzum|agzim) (kaydi|kaymis|carpildi|carpik|dustu|sarkti)\b", r"\b(yuzu|agzi|kolu|bacagi|aniden|birden)\b.{0,30}\bkonusam(iyor|adi)\b|\bkonusam(iyor|adi)\b.{0,30}\b(yuzu|agzi|kolu|bacagi)\b",
                                                  r"\b(bayildi|dustu|yere yigildi)\b.{0,30}\b(uyanmiyor|tepki vermiyor|cevap vermiyor)\b")),
    Rule("signs-ko", "emergency", lang="ko", script="cjk", any=(r"의식(을|이)?(잃|없)", r"(말|발음)(이|을)?(어눌|안나|못해)")),
    Rule("abuse-ko", "crisis", lang="ko", script="cjk", any=(
        r"(남편|아빠|엄마|남친|남자친구|애인|아버지|오빠|형|새아빠|계부)(이|가)?(저를|나를|절|날)?(자꾸|매일|또)?(때려|때린|때립|폭행|목을조)",)),
    Rule("crisis-hi-latin-more", "crisis", lang="hi", any=(r"\b(jeena|jina) (nahi|nahin|nhi) hai\b", r"\b(mar|marna) (jana|jaana) (hai|chahta|chahti)\b", r"\bsab (khatam|khatm) kar\w*\b")),
    Rule("emergency-hi-latin-more", "emergency", lang="hi", any=(r"\b(seene|sine|chhati|chati) (me|mein|main|mai) (\w+ ){0,2}(dard|dabav)\b", r"\bsaans (\w+ )?(nahi|nahin|nhi) (aa rahi|le pa)\w*")),
    Rule("signs-ru", "emergency", lang="ru", script="native", any=_nfkc(r"перекосил\w* (лицо|рот)", r"не (отвечает|реагирует|приходит в себя)", r"упал\w*.{0,20}не (встает|двигается|отвечает)")),
    Rule("signs-zh-ja", "emergency", lang="zh", script="cjk", any=(  # kana says Japanese (`triage`)
        # zh: drank disinfectant by mistake, the worst headache ever and vomiting
        r"(误|誤)(喝|食|吞|服)", r"(喝|吞|吃)(了|下)?.{0,4}(消毒液|漂白|洗衣液|洗洁精|洗潔精|农药|農藥|杀虫剂|殺蟲劑|清洁剂|清潔劑|老鼠药|老鼠藥)",
        r"(从来没|從來沒|从没|從沒)(有)?(这么|這麼|那么|那麼)(痛|疼)过?", r"(头|頭).{0,6}(像要裂开|像要裂開|炸开|炸開)", r"(突然|一下子).{0,6}(剧烈|劇烈)(的)?(头痛|頭痛)",
        # ja: a great many pills, barely reacting; diabetic, drenched and not answering
        r"薬を?(大量|たくさん|いっぱい|全部|一気)に?(飲|のん)", r"(呼んでも|話しかけても|声をかけても).{0,6}(反応|返事)", r"反応が?(薄|鈍|ない|無い)",
        r"(返事|へんじ)(を)?(しない|がない|が無い|できない)", r"(糖尿病).{0,20}(汗|震え|ふるえ|ぼーっと|意識|おかしい|返事|反応)",
        r"(今までで|人生で)(一番|いちばん)(ひどい|痛い|強い)頭痛", r"(頭が)(割れる|割れそう)",
    )),
)


_PRIORITY = {"crisis": 0, "emergency": 1, "caution": 2}
# Crises first (a person in crisis must never get a symptom template), then emergencies in any
# language, then cautions: the first matching rule decides.
_ALL_RULES = tuple(sorted(RULES + FOREIGN_RULES + FOREIGN_CRISIS_FAMILIES + MORE_LANGUAGE_RULES + BLIND4_FAMILIES + BLIND5_FAMILIES + FOREIGN_CAUTIONS, key=lambda r: _PRIORITY[r.category]))


# Doubled-letter typos ("paiin", "faintedd") are also read with every double letter single; for
# long messages that second reading is skipped (it doubles the cost; 3+ repeats are folded anyway).
COLLAPSE_UP_TO_CHARS = 2000


_ELISION = re.compile(r"(?i)\b([cdjlmnst]|qu|jusqu|lorsqu|puisqu|quelqu|dell|all|dall|nell|sull|un)['’](?=\w)")


# Chat shorthand of the other Latin-script languages, as whole tokens of normalized text ("q" que,
# "vc" você, "jsuis" je suis, "nn" non, "vllt" vielleicht): a message that has any of a language's
# tokens is also read with that language's expanded (one more reading; English messages rarely have
# one). The foreign rules are written on full words; a stranger types "ja escrevi as cartas pros
# meus filhos" and "q ya no puedo mas". Tokens that are English words or clash between languages are
# left out ("ne", "ta", "pa", "bin", "n").
_CHAT_FOREIGN: dict[str, dict[str, str]] = {
    "es": {"q": "que", "k": "que", "xq": "porque", "pq": "porque", "porq": "porque", "tb": "tambien", "tmb": "tambien",
           "d": "de", "x": "por", "nd": "nada", "toy": "estoy", "tas": "estas", "bn": "bien", "xfa": "por favor",
           "xfavor": "por favor", "kiero": "quiero", "qiero": "quiero", "nadie": "nadie", "aki": "aqui", "ahi": "ahi", "mñn": "manana"},
    "pt": {"vc": "voce", "vcs": "voces", "tbm": "tambem", "mt": "muito", "mto": "muito", "hj": "hoje", "qnd": "quando",
           "qdo": "quando", "msm": "mesmo", "td": "tudo", "tds": "todos", "ngm": "ninguem", "cmg": "comigo", "nao": "nao",
           "naum": "nao", "n": "nao", "ñ": "nao", "pra": "para", "pro": "para o", "pros": "para os", "agr": "agora", "dps": "depois", "blz": "beleza"},
    "fr": {"jsuis": "je suis", "jsui": "je suis", "chui": "je suis", "chuis": "je suis", "g": "jai", "c": "cest",
           "jpeux": "je peux", "jveux": "je veux", "jvais": "je vais", "jpense": "je pense", "jsais": "je sais", "jcrois": "je crois",
           "tjrs": "toujours", "tjs": "toujours", "bcp": "beaucoup", "ke": "que", "koi": "quoi", "pr": "pour", "ds": "dans",
           "mm": "meme", "ptn": "putain", "slt": "salut", "jamai": "jamais", "pa": "pas"},
    "de": {"nich": "nicht", "net": "nicht", "nix": "nichts", "hab": "habe", "grad": "gerade", "vllt": "vielleicht",
           "iwie": "irgendwie", "eig": "eigentlich", "nem": "einem", "nen": "einen", "ne": "eine", "kb": "keinen bock",
           "gehts": "geht es", "weiss": "weiss", "bissl": "bisschen"},
    "it": {"nn": "non", "xke": "perche", "xche": "perche", "cmq": "comunque", "qlc": "qualcosa", "qlcs": "qualcosa",
           "sn": "sono", "nnt": "niente", "qst": "questo", "qsto": "questo", "ke": "che", "x": "per", "tt": "tutto",
           "dv": "devo", "tvb": "ti voglio bene", "sto": "sto"},
}
_CHAT_FOREIGN_ANY = re.compile(r"\b(" + "|".join(sorted({re.escape(t) for d in _CHAT_FOREIGN.values() for t in d}, key=len, reverse=True)) + r")\b")


def _foreign_chat(text: str) -> set[str]:
    """Readings of normalized `text` with each language's chat shorthand expanded, for the languages
    whose tokens it has (none for most messages)."""
    if not _CHAT_FOREIGN_ANY.search(text):
        return set()
    tokens = text.split()
    out = set()
    for table in _CHAT_FOREIGN.values():
        if any(t in table for t in tokens):
            out.add(" ".join(table.get(t, t) for t in tokens))
    return out


def _latin_variants(message: str) -> set[str]:
    base = normalize(message, "i")
    variants = {base, normalize(message, "i", chat=True)} | _foreign_chat(base)
    if _ELISION.search(message):  # "d'en finir", "qu'il", "l'anno": also with the article apart
        variants.add(normalize(_ELISION.sub(r"\1 ", message), "i"))
    if re.search(r"[a-z]1|1[a-z]", message, re.IGNORECASE):  # "k1ll" vs "a1r": read 1 as i and as l
        variants.add(normalize(message, "l"))
    if len(message) <= COLLAPSE_UP_TO_CHARS:
        variants |= {re.sub(r"([a-z])\1+", r"\1", v) for v in variants}
    return variants


# An emergency long past and resolved, said in so many words ("heart attack 10 years ago, fully
# recovered, cardiologist ok'd massage"; "a DVT in 2018, treated, off thinners now"; "an overdose
# when I was 19, I'm 35 now and doing great"): both a time long ago and a resolution, and no sign of
# now once the resolution's own words are set aside. Excuses the English emergency rules only: a
# crisis is never excused this way.
_LONG_AGO = re.compile(
    r"\b((\d+|a few|a couple of|many|several|two|three|four|five|six|seven|eight|nine|ten|twenty) (years?|yrs|decades?) ago|in (19|20)\d\d|"
    r"when i was (\d+|a kid|a child|little|young\w*|a teen\w*|at (school|uni))|as a (kid|child|teen\w*|baby)|back in (19|20)\d\d|last year)\b")
_RESOLVED = re.compile(
    r"\b((fully|completely|totally|all) (recovered|healed|better|fine|clear)|recovered( fully| completely)?|treated|resolved|(fine|ok|okay|well|great|good|better|healthy) (now|since|ever since)|"
    r"doing (great|well|fine|good|ok|okay)|off (the |my )?(thinners|blood thinners|meds|medication|tablets|them) now|(\d+|im \d+) now|"
    r"(doctor|cardiologist|gp|consultant|specialist|physio)\w* (ok\w*|cleared( me)?|signed (me )?off|said (its|it is) (fine|ok|okay|safe))|"
    r"no (problems|issues|symptoms|recurrence|trouble) since|never (again|since|happened again)|all good now|nothing since)\b")


def _long_past(readings: set[str]) -> bool:
    return any(_LONG_AGO.search(v) and _RESOLVED.search(v) and not HISTORY_RED_FLAGS_RE.search(_RESOLVED.sub(" ", v)) for v in readings)


def triage(message: str, rules: tuple[Rule, ...] = _ALL_RULES) -> Triage | None:
    """Rules only, on the whole text, all languages: the first matching rule, crises and
    emergencies before cautions; None for ordinary questions. No model call: cheap enough for the
    edge to run before any limit."""
    variants = _latin_variants(message)
    negated = {_NEG_FOREIGN.sub(" ", _NEG.sub(" ", v)) for v in variants}  # only emergency/caution rules see these
    crisis = {_defuse_denial(v) for v in variants}  # crisis rules: only a plain denial + stress
    cjk = fold_cjk(message) if _CJK.search(message) else ""
    native = fold_native(message) if _NATIVE.search(message) else ""
    long_past: bool | None = None  # computed on the first English emergency hit
    for rule in rules:
        if rule.script == "cjk":
            hit = bool(cjk) and rule.matches(cjk)
        elif rule.script == "native":
            hit = bool(native) and rule.matches(native)
        else:
            hit = rule.matches_any(crisis if rule.category == "crisis" else negated)
            if hit and rule.category == "emergency":
                if long_past is None:
                    long_past = _long_past(variants)
                hit = not long_past
        if hit:
            lang = rule.lang
            if rule.pattern_langs:  # which language's pattern matched (only on a hit: rare)
                texts = crisis if rule.category == "crisis" else negated
                lang = next((lg for p, lg in zip(rule.any, rule.pattern_langs, strict=True)
                             if any(re.search(_lenient_lookaheads(p), t) for t in texts)), None)
            if rule.script == "cjk" and lang in ("zh", "ja"):  # Han characters are shared: kana says Japanese
                lang = "ja" if re.search(r"[\u3040-\u30ff]", message) else "zh"
            if lang is None and rule.category != "caution":  # a rule for several languages: the line in the visitor's
                lang = None if (guess := detect_language(message)) == "en" else guess
            return Triage(rule.category, rule.id, "rules", lang=lang)
    return None


# ---------------------------------------------------------------------------------------------
# Semantic layer
# ---------------------------------------------------------------------------------------------

# Calibrated on the TRAINING splits only, evals/safety_train.jsonl + safety_blind_train.jsonl +
# safety_blind2.jsonl + safety_blind3.jsonl (`benchmarks/bench_triage.py --calibrate`): the lowest cosine similarity that
# keeps false alarms on the training benign messages within budget, and the margin by which an
# urgent exemplar must beat the closest benign one. The safety_holdout*.jsonl sets are never
# calibrated on. Result of `calibrate(train + blind-train + blind2 + blind3 rows)` (budget 1%, floor 0.5)
# with MARGIN 0.05, all-MiniLM-L6-v2. Caution rose from 0.50: blind2's everyday questions drew
# caution exemplars. Leave-one-set-out (calibrate on two splits, the third left out) gives
# emergency 0.50-0.61, crisis 0.50 every time (the floor), caution 0.50-0.74.
# (History: 0.62 / 0.50 / 0.54 on safety_train alone; 0.56 / 0.50 / 0.50 with blind-train.)
# With blind3 (a fifth author's tricky benign rows: desk and gym aches, negations, past events) the
# emergency threshold rose to 0.61 and caution fell to 0.56; leave-one-set-out now gives emergency
# 0.52-0.66, crisis 0.50 every time, caution 0.50-0.65. (Before blind3: 0.52 / 0.50 / 0.65.)
# With blind4 (a sixth author: idioms, jokes, past events, aches after a drive or a marathon near the
# emergency exemplars) emergency rose to 0.65, caution to 0.65, the clause extra fell to 0.0;
# leave-one-set-out: emergency 0.61-0.67, crisis 0.50 every time, caution 0.54-0.66.
THRESHOLDS: dict[str, float] = {"emergency": 0.65, "crisis": 0.50, "caution": 0.65}
MARGIN = 0.05
# Mean pooling dilutes one alarming clause in a chatty message ("can I still come at 3? my left
# shoulder aches and I'm drenched in sweat"), so messages are also checked clause by clause, in one
# batched encode: always above SENTENCE_CHECK_CHARS; from CLAUSE_CHECK_CHARS up only when the
# whole-message vector is already near an urgent exemplar (>= CLAUSE_GATE), so an ordinary
# question costs nothing extra. Short messages use only the vector the pipeline already has.
SENTENCE_CHECK_CHARS = 160
CLAUSE_CHECK_CHARS = 50
CLAUSE_GATE = 0.45
# The learned model's urgent verdicts need the message (or one of its sentences) at least this close
# to an urgent exemplar. Chosen on training data only: every urgent message of the training sets that
# only the model caught scored >= 0.34 (34 in blind3, now training), while 95% of the model's alarms on
# the Big List of Naughty Strings scored <= 0.32. Checked on the next blind set, measured once.
MODEL_GATE = 0.33
CLAUSE_EXTRA = 0.0  # a clause must pass its level's threshold by this much more (`calibrate_clause_extra`)
MAX_SENTENCES = 24
_SENT_SPLIT = re.compile(r"(?<=[.!?。！？\n])\s*|\s+(?:and then|but|also)\s+")
_CLAUSE_SPLIT = re.compile(r"(?<=[.!?。！？\n;,:])\s*|\s+[-–—]+\s+|\s+\((?=\w)|\)\s+|\s+(?:and then|and now|but|also|so|because|cause|cos|though|although|then|anyway|plus)\s+")


@dataclass(frozen=True)
class Group:
    id: str
    level: Literal["emergency", "crisis", "caution", "benign"]
    exemplars: tuple[str, ...]


RULES_CACHE_CHARS = 1000  # longer messages are rare and not worth keeping


@lru_cache(maxsize=2048)
def _triage_remembered(message: str) -> Triage | None:
    return triage(message)


def rules_verdict(message: str) -> Triage | None:
    """`triage(message)`, remembered for recent messages: every chat turn re-reads the earlier turns
    and the edge's pre-check reads the same message as ask() does, and the rules are ~1.2 ms of the
    GIL-holding Python of a turn (py-spy under load, benchmarks/bench_gradio.py). Pure function of
    the text; bounded (2,048 messages of at most 1,000 characters)."""
    return _triage_remembered(message) if len(message) <= RULES_CACHE_CHARS else triage(message)


def load_bank(path: Path | None = None) -> tuple[Group, ...]:
    """The exemplar bank (TOML, staff-editable). Defaults to the packaged `data/safety_bank.toml`."""
    text = path.read_text(encoding="utf-8") if path else (
        resources.files("assistant").joinpath("data/safety_bank.toml").read_text(encoding="utf-8"))
    groups = tuple(Group(g["id"], g["level"], tuple(g["exemplars"])) for g in tomllib.loads(text)["group"])
    levels = {g.level for g in groups}
    if not {"emergency", "crisis", "benign"} <= levels or not levels <= {"emergency", "crisis", "caution", "benign"}:
        raise ValueError(f"safety bank {path or 'data/safety_bank.toml'}: groups must use levels emergency, crisis, caution, benign")
    return groups


@dataclass
class SemanticTriage:
    """Nearest-exemplar triage on sentence embeddings. One matrix product per message vector."""

    encode: Callable[[list[str]], np.ndarray]
    groups: tuple[Group, ...]
    matrix: np.ndarray  # (n_exemplars, dim), unit rows
    owner: np.ndarray  # group index of each row
    thresholds: dict[str, float] = field(default_factory=lambda: dict(THRESHOLDS))
    margin: float = MARGIN
    clause_extra: float = CLAUSE_EXTRA
    # The learned classifier (safety_model.py) over the same vectors: it generalizes to strangers'
    # wording better than nearest-exemplar matching (leave-one-author-out, README "Safety"). None
    # for an embedder it was not trained on (the fast tests' hashing fake).
    model: SafetyModel | None = None
    _cache: OrderedDict[str, Triage | None] = field(default_factory=OrderedDict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def load(cls, encode: Callable[[list[str]], np.ndarray], bank: Path | None = None,
             thresholds: dict[str, float] | None = None, margin: float | None = None,
             model: SafetyModel | None = None) -> SemanticTriage:
        groups = load_bank(bank)
        texts = [e for g in groups for e in g.exemplars]
        owner = np.array([i for i, g in enumerate(groups) for _ in g.exemplars])
        matrix = np.asarray(encode(texts), dtype=np.float32)
        return cls(encode, groups, matrix, owner, dict(thresholds or THRESHOLDS), MARGIN if margin is None else margin,
                   model=model)

    @cached_property
    def _exemplars(self) -> list[str]:
        return [e for g in self.groups for e in g.exemplars]

    @cached_property
    def _masks(self) -> dict[str, np.ndarray]:
        levels = np.array([self.groups[i].level for i in self.owner])
        return {lv: levels == lv for lv in ("emergency", "crisis", "caution", "benign")}

    def scores(self, vecs: np.ndarray) -> np.ndarray:
        # One matrix-vector product per row: a handful of rows as one matrix product wakes BLAS's
        # worker threads, which on a loaded machine cost ~10-20 ms each time (measured); a
        # matrix-vector product stays on the calling thread.
        rows = np.atleast_2d(vecs).astype(np.float32)
        return np.stack([self.matrix @ row for row in rows]) if len(rows) <= 64 else rows @ self.matrix.T

    def _decide(self, sims: np.ndarray, clauses_from: int | None = None) -> Triage | None:
        """sims: one row per text (message and sentences). A level fires when its closest exemplar
        passes the level's threshold AND beats every exemplar of a milder level by the margin
        (nearest category wins: "I have a heart condition" is a caution, not a heart attack).
        Urgent on any row beats caution. Rows from `clauses_from` on are clauses: a clause has lost
        its context ("after my run"), so it must pass the threshold plus `clause_extra`."""
        best: Triage | None = None
        m = self._masks
        for i, row in enumerate(sims):
            extra = self.clause_extra if clauses_from is not None and i >= clauses_from else 0.0
            benign = float(row[m["benign"]].max()) if m["benign"].any() else -1.0
            caution = float(row[m["caution"]].max()) if m["caution"].any() else -1.0
            for level in ("crisis", "emergency", "caution"):
                mask = m[level]
                if not mask.any():
                    continue
                idx = int(np.flatnonzero(mask)[row[mask].argmax()])
                s = float(row[idx])
                rival = benign if level == "caution" else max(benign, caution)
                if s >= self.thresholds[level] + extra and s - rival >= self.margin:
                    t = Triage(level, self.groups[self.owner[idx]].id, "semantic", self._exemplars[idx], round(s, 3))
                    if best is None or (t.urgent and not best.urgent) or (t.urgent == best.urgent and s > (best.score or 0)):
                        best = t
                    break
        return best

    def check(self, message: str, vec: np.ndarray | None = None) -> Triage | None:
        """Semantic triage of one message. `vec`: the message's embedding if the caller has it
        (the pipeline's question vector), else it is encoded here. Long messages are also checked
        sentence by sentence (one batched encode)."""
        key = message.strip()  # history turns come back unstripped
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        # Embeddings ignore negation ("no chest pain" sits next to "chest pain"): when the message
        # negates a symptom, the text without the negated phrase is embedded instead of `vec`.
        folded = normalize(message)
        defused = _defuse_denial(_NEG.sub(" ", folded))
        if defused != folded:
            message_text, vec = defused, None
        else:
            message_text = message
        rows = [np.asarray(vec, dtype=np.float32).reshape(-1)] if vec is not None else []
        # a joke about a sore body is dropped before the split too (its clauses would lose the joke's marker)
        parts = _clause_texts(_HYPERBOLE.sub(" ", folded) if _HYPERBOLE.search(folded) else message) if len(message) > CLAUSE_CHECK_CHARS else []
        if len(message) <= SENTENCE_CHECK_CHARS and len(parts) > 1:  # gate: is the whole message near anything urgent?
            if not rows:
                rows = [np.asarray(self.encode([message_text]), dtype=np.float32)[0]]
            urgent = self._masks["emergency"] | self._masks["crisis"]
            if float(self.scores(rows[0])[0][urgent].max(initial=-1.0)) < CLAUSE_GATE:
                parts = []
        parts = parts if len(parts) > 1 else []
        # long messages: whole sentences too, at the plain thresholds (a sentence keeps its context)
        whole = [p for p in sentences(message) if p not in parts] if len(message) > SENTENCE_CHECK_CHARS else []
        texts = ([] if rows else [message_text]) + (whole if len(whole) > 1 else []) + parts
        if texts:
            rows.extend(np.asarray(self.encode(texts), dtype=np.float32))
        clauses_from = len(rows) - len(parts) if parts else None
        sims = self.scores(np.vstack(rows)) if rows else None
        result = self._decide(sims, clauses_from) if sims is not None else None
        # One word is too little for a linear model to read ("why" scored crisis 0.84): a one-word
        # emergency or crisis ("suicide", "overdose") is the rules' and the exemplars' to catch.
        if self.model is not None and sims is not None and (result is None or not result.urgent) \
                and detect_language(message) == "en" and len(re.findall(r"\w+", message)) >= 2:
            # The message vector (negation defused) and whole sentences, never clauses: the model's
            # thresholds were chosen on whole messages, and clauses pushed false alarms over 5%.
            n_whole = len(rows) if clauses_from is None else clauses_from
            hit = self.model.verdict(np.vstack(rows[:n_whole]))
            if hit is not None and hit[0] != "caution":
                # A linear model extrapolates on text unlike anything it learned from: markup, numbers,
                # code and off-topic chatter ("what is the capital of france", 117 of the 469 Big List
                # of Naughty Strings) scored as urgent. It may only speak for a message at least
                # MODEL_GATE near some urgent exemplar (module constant; how it was chosen is there).
                urgent = self._masks["emergency"] | self._masks["crisis"]
                if float(sims[:n_whole][:, urgent].max(initial=-1.0)) < MODEL_GATE:
                    hit = None
            if hit is not None and (hit[0] != "caution" or result is None):
                result = Triage(hit[0], "model", "model", None, hit[1])
        with self._lock:
            self._cache[key] = result
            while len(self._cache) > 2048:
                self._cache.popitem(last=False)
        return result


    def check_many(self, messages: list[str]) -> list[Triage | None]:
        """Earlier turns: answered from the per-message cache when this process saw them (the
        usual case: each was checked when it was asked); the others are encoded in ONE batch."""
        messages = [m.strip() for m in messages]
        with self._lock:
            missing = list(dict.fromkeys(m for m in messages if m not in self._cache))
        if missing:
            plain = [m for m in missing if len(m) <= SENTENCE_CHECK_CHARS
                     and _defuse_denial(_NEG.sub(" ", f := normalize(m))) == f]
            vecs = np.asarray(self.encode(plain), dtype=np.float32) if plain else np.zeros((0, 0), np.float32)
            for m, v in zip(plain, vecs, strict=True):
                self.check(m, v)
            for m in missing:
                if m not in plain:
                    self.check(m)
        with self._lock:
            return [self._cache.get(m) for m in messages]


def sentences(text: str) -> list[str]:
    parts = [p.strip() for p in _SENT_SPLIT.split(text) if p and p.strip()]
    return [p for p in parts if len(p) > 3][:MAX_SENTENCES]


def clauses(text: str) -> list[str]:
    """Clauses (split at punctuation, dashes and joining words) of at least three words, at most
    MAX_SENTENCES.

    >>> clauses("quick q before my appt - theres a heavy feeling in my chest, probably a knot?")
    ['quick q before my appt', 'theres a heavy feeling in my chest', 'probably a knot?']
    """
    parts = [p.strip().rstrip(",;:").strip() for p in _CLAUSE_SPLIT.split(text) if p and p.strip()]
    return [p for p in parts if len(p.split()) >= 3 or (len(p) > 3 and _CJK.search(p))][:MAX_SENTENCES]


def _clause_texts(message: str) -> list[str]:
    """Clauses to embed: a clause that negates a symptom ("no chest pain") is embedded without the
    negated phrase (embeddings ignore "no"), and dropped when nothing is left."""
    out = []
    for part in clauses(message):
        folded = normalize(part)
        defused = _defuse_denial(_NEG.sub(" ", folded)).strip()
        if defused == folded:
            out.append(part)
        elif len(defused.split()) >= 3:
            out.append(defused)
    return out


# ---------------------------------------------------------------------------------------------
# Context across turns
# ---------------------------------------------------------------------------------------------

URGENT_WINDOW = 2  # user turns after an urgent one that still get the urgent reminder
CAUTION_WINDOW = 3  # user turns after a caution topic within which a follow-up keeps the caution
_REFERS_BACK = re.compile(
    r"\b(that|this|it|its|these|those|them|then|still|same|also|too|there|anyway|either|what about|how about|and if|even if|with (that|this|it)|"
    r"in my (case|condition|situation|state)|for me)\b"
)
_SUITABILITY = re.compile(
    r"\b(ok|okay|safe|fine|alright|allowed|risk|risky|harm\w*|hurt|dangerous|recommend\w*|should i|can i (get|have|do|still)|"
    r"deep tissue|hot stone|pressure|firm|sports massage|stretch\w*|massage (help|good|work)|"
    r"lie (on|face)|position|oils?|cupping|heat)\b"
)


def is_follow_up(message: str) -> bool:
    """Does this message lean on an earlier turn ("is deep tissue ok for that?") or ask whether a
    treatment suits the visitor? A self-contained logistics question ("what are your opening
    hours?") is a new topic: an old caution is not carried into it."""
    text = normalize(message)
    return bool(_REFERS_BACK.search(text) or _SUITABILITY.search(text))


# A semantic emergency in these groups is dropped when the matching rule's excuse holds and no
# red flag is present ("tight chest from bench presses"): the same auditable exception as the rules.
_SEMANTIC_EXCUSES = {"cardiac": "heart-attack-signs", "stroke": "stroke-signs", "self-harm": "self-harm-disclosure",
                     "head-injury": "head-injury-signs", "respiratory": "breathing-difficulty", "clot": "blood-clot-signs",
                     "collapse-seizure": "fainting-or-unresponsive", "spinal-injury": "spinal-injury-signs", "poisoning": "poisoning"}
_RULES_BY_ID: dict[str, Rule] = {}
for _r in RULES:  # the first rule of an id, as the English rules come first
    _RULES_BY_ID.setdefault(_r.id, _r)
# A chest illness long past and resolved ("had covid in 2021, lungs all fine now"): the breathing rule
# takes no history excuse (a past asthma attack says nothing about breath now), so the respiratory
# exemplars get one of their own, which needs both the past and the all-clear, and no sign of now.
_RULES_BY_ID["breathing-history"] = Rule("breathing-history", "emergency", excuse=(
    r"^(?=.*\b(in (19|20)\d\d|(years?|months) ago|last (year|winter|spring|summer|autumn)|as a (kid|child|teen\w*|baby|toddler))\b)"
    r"(?=.*(\b(fine|ok|okay|normal|clear|better) (now|since)\b|\b(fully|all|completely) (recovered|better|clear|fine)\b))",), red_flags=HISTORY_RED_FLAGS)


# Dizziness on standing up quickly (orthostatic: "a bit dizzy when I stand up too fast") near a stroke or
# collapse exemplar, with no sign of either.
# A rash with an everyday cause (heat, a new soap, a nappy) near a sepsis/meningitis exemplar, with none
# of their red flags.
_RULES_BY_ID["everyday-rash"] = Rule("everyday-rash", "emergency", excuse=(
    r"\b(heat ?rash|rash from (the )?(heat|sun|sweat\w*|nappy|diaper|wool|shaving)|nappy rash|diaper rash|prickly heat|from (the|a|my|her|his) (new )?(soap|detergent|washing powder|cream|oil|lotion|shower gel|sunscreen))\b",), red_flags=(
    r"\b(fever|temperature|hot to touch|doesnt fade|does not fade|not fad\w*|glass|purple|dark red|spreading|floppy|drowsy|sleepy|wont wake|stiff neck|vomit\w*|swell\w*|breath\w*|lips|tongue|throat)\b",))
_RULES_BY_ID["orthostatic"] = Rule("orthostatic", "emergency", excuse=(
    r"\b(stand|standing|stood|get|getting|got|sit|sitting|jump|jumping) up (too |really |very )?(fast|quickly|suddenly|quick)\b",), red_flags=(
    r"\b(face|speech|speak|talk|slurr\w*|droop\w*|confus\w*|vision|one side|half|numb\w*|weak\w*|chest|fainted|faints|passed out|black(ed)? out|"
    r"collaps\w*|headache|worst|sudden\w*|now|today|cant|wont|blood|fell|hit)\b",))


# Idioms the crisis rules read as idioms (by their excuses and look-aheads: "he'll kill me if I
# book another", "this week is killing me, I want to disappear into a spa"): the model's crisis
# verdict names no wording, so it is dropped on them too, unless anything else in the message is a
# crisis word or a sign of danger now.
_MODEL_CRISIS_IDIOMS = re.compile(
    r"\b(will|ll|hell|shell|theyll|youll|going to|gonna|would|d|hed|shed) (literally |actually |totally )?(kill|strangle|murder|throttle) me if i\b"
    r"|\b(is|are|its|s|keeps|keep) (literally |actually |totally |really )?(killing|murdering) (me|him|her|them|us)\b"
    # "i'll die if you don't have saturday slots (not really)"; "driving me to an early grave"
    r"|\b(i (will|ll|am going to|gonna|would|d)|ill|id) (literally |actually |honestly )?die if (you|they|there|i (cant|dont|do not|cannot|miss))\b"
    r"|\b(driving|drive|drives|sending|send|put|putting) (me|him|her|us) (to|in|into) an early grave\b"
    r"|\b(rather|sooner) die than (do|run|go|eat|sit|watch|listen|work|wait|have|sing|dance|clean|miss)\b"
    rf"|\b{_BODY}\b.{{0,30}}\b(want to|wanna|could|makes me want to|made me want to) (cry|scream|sob|weep)\b"
    r"|\b(going to|gonna|will|ll|shall|might) (literally )?perish\b|\b(be|been|is|will be) the death of (me|her|him|us|them)\b"
    r"|\bor (she|he|they|shell|hell|theyll|my (wife|husband|partner|boss|mum|mom))( will| ll)? kill me\b|\bsave my life\b.{0,30}\b(lol|haha\w*|lmao|jk)\b"
    r"|\bkill me now\b.{0,60}\b(book|booking|slot|slots|appointment|massage|session|available|open)\b"
    r"|\b(feel like |feel |being )?(a |such a )?burden (asking|for asking|to ask|but|by asking|when i ask)\b"
    r"|\b(disappear|vanish|escape|hide) (in ?to|to|for|on|under|at) (a |the |my |some )?(spa|holiday|vacation|beach|island|bath|massage|weekend|bed|duvet|blanket|retreat|cabin|sauna)\b"
    # a sore body as the joke's victim: "kill me now - my shoulders", "my neck has been kidnapped by a
    # knot", "send reinforcements" for a back, "call 911 ... lol"
    rf"|\bkill me now\b.{{0,40}}\b{_BODY}\b|\b{_BODY}\b.{{0,40}}\bkill me now\b"
    rf"|\b{_BODY} (has been|was|got|is being|been) (kidnapped|murdered|taken hostage|held hostage|destroyed)\b"
    rf"|\b{_BODY}\b.{{0,80}}\bsend (help|reinforcements|backup)\b|\bsend (help|reinforcements|backup)\b.{{0,80}}\b{_BODY}\b"
    r"|\bcall (911|999|112|an ambulance|the police)\b.{0,80}\b(lol|lmao|haha\w*|jk)\b"
)
_CRISIS_IDIOM_RED_FLAGS = re.compile(
    r"\b(suicid\w*|end (it|it all|my life|things)|kill my ?self|(dont|do not|no longer) (want|wanna) to (live|be here|be alive|exist|wake up)|better off (dead|without me)|"
    r"hurt(ing)? my ?self|self ?harm\w*|forever|for good|never come back|scared|afraid|frightened|terrified|hits?|hit me|beats?|hurts? me|threat\w*|"
    r"knife|gun|weapon|police|bruis\w*|still|again|right now|"
    # a threat, not an idiom: "he'd kill me if I ever left", "if I tell anyone"
    r"if i (ever )?(leave|left|try to leave|tell|told|report|call|called|go to|went to|divorce|break up|take the kids)|leave (him|her|them))\b"
)


# Abuse, self-harm or a dark time long past, and safe now ("an abusive relationship years ago, I'm safe
# now; can the therapist go slow"): the model's crisis verdict is dropped on both together, unless a
# crisis word or a sign of danger now (`_CRISIS_IDIOM_RED_FLAGS`) is also there.
_CRISIS_PAST = re.compile(r"\b((years|months|decades|a long time|a while|ages) (ago|back)|used to|as a (kid|child|teen\w*)|when i was (younger|a kid|a teen\w*|little)|in the past|in (19|20)\d\d)\b")
_SAFE_NOW = re.compile(r"\b(im|i am|were|we are|she is|shes|he is|hes|they are|theyre) (completely |totally |now |much |all )?(safe|out of (it|there)|free|fine|okay|ok|doing (well|great|good)|happy|better|in a good place)( now)?\b"
                       r"|\b(left|got out|escaped|ended it|split up)\b.{0,20}\b(years|long|ages) ago\b|\bhavent (in|for) (forever|ages|years)\b|\b(all|fully|completely) (healed|recovered|better)\b")

# Away for an ordinary reason ("cancel my bookings, I'm moving to another city", "won't be around,
# I'm on holiday", "a walk to the cliffs for the sunset"): the model's crisis verdict on an absence
# or a place is dropped, unless a crisis word or a sign of danger is also there.
_ELSEWHERE = re.compile(
    r"\b(moving (to|away|abroad|house|out|overseas|back|home)|relocat\w*|emigrat\w*|on (holiday|vacation|a trip|honeymoon)|going (abroad|away)|"
    r"business trip|(a|my|the|our) (trip|holiday|vacation|honeymoon)|travel\w*|away (for|on|until|till)|new job|another (city|country|town|clinic)|"
    r"(watch|see|for|catch) the (sunset|sunrise|view|fireworks)|(at|from) the (airport|station|gate)|"
    r"thank you (cards?|notes?|letters?)|(letters?|notes?|cards?) of thanks|(monthly|annual|yearly|payment|membership|subscription|treatment|massage) plans?|"
    r"my (membership|subscription|package|direct debit|standing order))\b")


# Signs of an emergency now that no denial or all-clear can outweigh.
_ACUTE = re.compile(
    r"\b(sweat\w*|clammy|grey|gray|blue|purple|collaps\w*|unconscious|not responding|unresponsive|vomit\w*|confus\w*|slurr\w*|droop\w*|numb\w*|"
    r"crush\w*|severe|worst|sudden\w*|spreading|radiat\w*|cant (breathe|move|talk|speak|see|stand|wake)|swell\w*|blood|bleed\w*|seiz\w*|fit|fitting)\b"
)


# A heart attack as an idiom of shock or cost ("nearly had a heart attack when he saw my tattoo"): the
# model's emergency verdict is dropped on it when no chest red flag is there.
_HEART_ATTACK_IDIOM = re.compile(
    r"\b((nearly|almost|practically) (had|have|having|gave (me|him|her|them)) (a )?heart attack (at|over|when|seeing|because)|"
    r"(giving|give|gave|gives) (me|him|her|us|them|everyone|my \w+) (a |an actual )?heart attacks?|"
    r"(will|would|ll|d|gonna|going to) (have|get) (a )?heart attack (at|over|when|if|seeing))\b")
_CHEST_RED_FLAGS_RE = re.compile(CHEST_RED_FLAGS[0])


def _all_clear(readings: set[str]) -> bool:
    """The symptoms the message names are denied or stated fine ("not dizzy, not short of breath,
    just achy calves"; "sore ribs after a cough, breathing fine"): an all-clear is there, no
    emergency rule reads anything once the denied symptoms are removed, and no acute sign is left."""
    if not any(_NEG.search(v) or _NEG_FOREIGN.search(v) for v in readings):
        return False
    cleared = {_NEG_FOREIGN.sub(" ", _NEG.sub(" ", v)) for v in readings}
    if any(_ACUTE.search(v) for v in cleared):
        return False
    return not any(r.category == "emergency" and r.script == "latin" and r.matches_any(cleared) for r in _ALL_RULES)


def _excused(sem: Triage | None, message: str) -> bool:
    if sem is None or sem.layer not in ("semantic", "model"):
        return False
    if sem.layer == "semantic":
        rule_ids = [_SEMANTIC_EXCUSES[sem.rule]] if sem.rule in _SEMANTIC_EXCUSES else []
        if sem.rule == "respiratory":
            rule_ids.append("breathing-history")
        if sem.rule in ("stroke", "collapse-seizure"):
            rule_ids.append("orthostatic")
        if sem.rule == "sepsis-meningitis":
            rule_ids.append("everyday-rash")
    else:  # the learned model names no body system: any excusable rule of its category may excuse it
        rule_ids = [rid for rid in _SEMANTIC_EXCUSES.values() if _RULES_BY_ID[rid].category == sem.category]
        if sem.category == "emergency":
            rule_ids += ["orthostatic", "everyday-rash"]
    readings = _latin_variants(message)
    # the red flags are looked for outside the idiom (and outside a joke about a sore body:
    # "i dont want to hurt myself ... i mean my back")
    if sem.category == "crisis" and any(_MODEL_CRISIS_IDIOMS.search(v) or _HYPERBOLE.search(v) or _HEART_ATTACK_IDIOM.search(v) for v in readings) and not any(
            _CRISIS_IDIOM_RED_FLAGS.search(_HEART_ATTACK_IDIOM.sub(" ", _HYPERBOLE.sub(" ", _MODEL_CRISIS_IDIOMS.sub(" ", v)))) for v in readings):
        return True
    if sem.layer == "model" and sem.category == "crisis" and any(_ELSEWHERE.search(v) for v in readings) and not any(
            _CRISIS_IDIOM_RED_FLAGS.search(v) for v in readings):
        return True
    if sem.layer == "model" and sem.category == "crisis" and any(_CRISIS_DENIAL.search(v) and _JUST_STRESS.search(v) for v in readings) and not any(
            _CRISIS_IDIOM_RED_FLAGS.search(_CRISIS_DENIAL.sub(" ", v)) for v in readings):  # "not depressed, just stressed"
        return True
    if sem.category == "crisis" and any(_CRISIS_PAST.search(v) and _SAFE_NOW.search(v) for v in readings) and not any(
            _CRISIS_IDIOM_RED_FLAGS.search(v) for v in readings):
        return True
    if sem.category == "emergency" and _long_past(readings):  # long past and resolved, said so (`_LONG_AGO`)
        return True
    if sem.layer == "model" and sem.category == "emergency" and any(
            _HEART_ATTACK_IDIOM.search(v) and not _CHEST_RED_FLAGS_RE.search(_HEART_ATTACK_IDIOM.sub(" ", v)) for v in readings):
        return True
    if sem.layer == "model" and sem.category == "emergency" and _all_clear(readings):
        return True
    if sem.layer == "model" and any(  # an English rule of its category saw the message and excused it
            r.lang is None and r.category == sem.category and (r.excuse or r.unless)
            and any(r.hits(v) for v in readings) and any(r.suppressed(v) for v in readings) for r in RULES):
        return True
    for rule in (_RULES_BY_ID[rid] for rid in rule_ids):
        if sem.layer == "model":
            # The rule's whole exception (an excuse without a red flag, or its `unless` wording:
            # "nearly fainted when I saw the bill") holds for a verdict that names no exemplar.
            if any(rule.suppressed(v) for v in readings):
                return True
        elif rule.excuse and any(rule.suppressed(v) for v in readings) and not any(
                rule._compiled[1] and rule._compiled[1].search(v) for v in readings):
            return True
    return False


def _combine(rules: Triage | None, sem: Triage | None) -> Triage | None:
    if rules is not None and rules.urgent:
        return rules
    if sem is not None and sem.urgent:
        return sem
    return rules or sem


def triage_turn(message: str, history: Iterable[str | dict] | None = None,
                semantic: SemanticTriage | None = None, vec: np.ndarray | None = None) -> Triage | None:
    """The whole safety decision for one turn: this message (rules, then the semantic layer with
    the caller's vector), then the conversation so far.

    - an urgent verdict on this message wins;
    - if one of the last URGENT_WINDOW user turns was urgent, this turn gets that urgent reply
      again (layer "context"), whatever it asks: someone who just reported chest pain and now
      asks about booking still sees the number;
    - a caution on this message is returned as is;
    - a follow-up (`is_follow_up`) within CAUTION_WINDOW user turns of a caution keeps it;
      an unrelated new question, or any question after the window, does not.
    """
    rules = rules_verdict(message)
    if rules is not None and rules.urgent:
        return rules
    sem = semantic.check(message, vec) if semantic is not None else None
    current = _combine(rules, None if _excused(sem, message) else sem)
    if current is not None and current.urgent:
        return current
    earlier = user_turns(history)[::-1][:max(URGENT_WINDOW, CAUTION_WINDOW)]  # most recent first
    follow_up = current is None and is_follow_up(message)
    if not earlier:
        return current
    window = earlier if follow_up else earlier[:URGENT_WINDOW]
    ruled = [rules_verdict(m) for m in window]
    earlier_sem = semantic.check_many(window) if semantic is not None else [None] * len(window)
    verdicts = [_combine(r, None if _excused(x, m) else x) for r, x, m in zip(ruled, earlier_sem, window, strict=True)]
    for n, p in enumerate(verdicts[:URGENT_WINDOW], start=1):
        if p is not None and p.urgent:
            return Triage(p.category, p.rule, "context", p.exemplar, p.score, p.lang, n)
    if current is not None or not follow_up:
        return current
    for n, p in enumerate(verdicts[:CAUTION_WINDOW], start=1):
        if p is not None and p.category == "caution":
            return Triage("caution", p.rule, "context", p.exemplar, p.score, p.lang, n)
    return None


# ---------------------------------------------------------------------------------------------
# Language note
# ---------------------------------------------------------------------------------------------

def _words(text: str) -> list[str]:
    return text.split()


_FUNCTION_WORDS: dict[str, frozenset[str]] = {
    "en": frozenset(_words("the a an and is are to of in for my i you it do does can what how with on at this that have")),
    "es": frozenset(_words("el la los las de del que y en un una es por para con mi me tengo estoy cuanto cuesta quiero puedo hay no se tienen masaje "
                           "nada pero muy sin ni")),
    "fr": frozenset(_words("le la les des du de je j est et une un pour avec vous mon ma ne pas suis ai combien est-ce votre ce sans rien tres")),
    "de": frozenset(_words("ich der die das und nicht ist mit eine ein mein sie haben wie kann ich es zu den dem was am "
                           "kein keine nur vom zum zur meine mich ihr habt noch")),
    "pt": frozenset(_words("eu nao uma um com para meu minha estou voce voces que do da os as quanto custa quero tem muito sem "
                           "nos nas ele ela isso essa esse pra pro tambem ja")),
    "it": frozenset(_words("io il che non sono per una un con mi ho della vorrei avete quanto costa lo gli del al "
                           "nessun nessuna niente alla nella sulla dalla fate c")),
}
_LANG_NAMES = {"es": "Spanish", "fr": "French", "de": "German", "pt": "Portuguese", "it": "Italian",
               "zh": "Chinese", "ja": "Japanese", "ko": "Korean", "ru": "Russian", "ar": "Arabic", "hi": "Hindi", "nl": "Dutch",
               "pl": "Polish", "tr": "Turkish", "other": "another language"}


def detect_language(message: str) -> str:
    """Cheap guess: script first (kana -> ja, Han -> zh, Hangul, Cyrillic, Arabic), then common
    function words for Latin-script languages. "en" when unsure.

    >>> detect_language("¿cuánto cuesta un masaje?"), detect_language("胸が痛い"), detect_language("neck pain")
    ('es', 'ja', 'en')
    """
    if re.search(r"[\u3040-\u30ff]", message):
        return "ja"
    if re.search(r"[\u4e00-\u9fff\u3400-\u4dbf]", message):
        return "zh"
    if re.search(r"[\uac00-\ud7af]", message):
        return "ko"
    if re.search(r"[\u0600-\u06ff]", message):
        return "ar"
    if re.search(r"[\u0900-\u097f]", message):
        return "hi"
    if len(re.findall(r"[\u0400-\u04ff]", message)) > 3:
        return "ru"
    words = re.findall(r"[a-z]+", re.sub(r"['’]", " ", _fold(message)))
    if not words:
        return "en"
    counts = {lang: sum(w in fw for w in words) for lang, fw in _FUNCTION_WORDS.items()}
    folded = message.casefold()  # letters only one of the languages has: a word's worth each
    counts["pt"] += 2 * bool(re.search(r"[ãõ]|ção|ções", folded))
    counts["es"] += 2 * bool(re.search(r"[ñ¿¡]", folded))
    accents = bool(re.search(r"[áéíóúñ¿¡àèìòùâêîôûçãõäöüß]", message.casefold()))
    lang, n = max(((k, v) for k, v in counts.items() if k != "en"), key=lambda kv: kv[1])
    if (n >= 2 or (n >= 1 and accents)) and n > counts["en"]:
        return lang
    return "en"


def language_note(message: str) -> str | None:
    """A short English note for a non-English message (the urgent reply carries its own line)."""
    lang = detect_language(message)
    if lang == "en":
        return None
    return (f"It looks like you wrote in {_LANG_NAMES.get(lang, 'another language')}. "
            "I can only answer in English, so this reply is in English.")


# ---------------------------------------------------------------------------------------------
# Templates
# ---------------------------------------------------------------------------------------------

# One line in the visitor's language on top of the English urgent reply. {n} is the number link.
_URGENT_LINES: dict[str, tuple[str, str]] = {  # lang: (emergency, crisis)
    "es": ("Llame ahora al {n}.", "Por favor, busque ayuda ahora: llame al {c} o al {n}."),
    "fr": ("Appelez maintenant le {n}.", "Demandez de l'aide maintenant : appelez le {c} ou le {n}."),
    "de": ("Rufen Sie jetzt {n} an.", "Bitte holen Sie sich jetzt Hilfe: rufen Sie {c} oder {n} an."),
    "pt": ("Ligue agora para {n}.", "Procure ajuda agora: ligue para {c} ou {n}."),
    "it": ("Chiami subito il {n}.", "Chieda aiuto adesso: chiami il {c} o il {n}."),
    "zh": ("请立即拨打 {n}。", "请现在就寻求帮助：拨打 {c} 或 {n}。"),
    "ja": ("今すぐ {n} に電話してください。", "今すぐ助けを求めてください：{c} または {n} に電話してください。"),
    "nl": ("Bel nu {n}.", "Zoek nu hulp: bel {c} of {n}."),
    "pl": ("Zadzwoń teraz pod {n}.", "Poszukaj teraz pomocy: zadzwoń pod {c} lub {n}."),
    "tr": ("Hemen {n} numarasını arayın.", "Lütfen şimdi yardım isteyin: {c} veya {n} numarasını arayın."),
    "ru": ("Позвоните сейчас по номеру {n}.", "Пожалуйста, обратитесь за помощью сейчас: позвоните {c} или {n}."),
    "ar": ("اتصل الآن بالرقم {n}.", "من فضلك اطلب المساعدة الآن: اتصل بـ {c} أو {n}."),
    "hi": ("अभी {n} पर कॉल करें।", "कृपया अभी मदद लें: {c} या {n} पर कॉल करें।"),
    "ko": ("지금 {n}에 전화하세요.", "지금 도움을 요청하세요: {c} 또는 {n}에 전화하세요."),
}


def tel_link(text: str) -> str:
    """Markdown with the first phone number in `text` as a tel: link; the rest kept as written.

    >>> tel_link("988 (Suicide & Crisis Lifeline)")
    '[988](tel:988) (Suicide & Crisis Lifeline)'
    >>> tel_link("Samaritans 116 123")
    'Samaritans [116 123](tel:116123)'
    """
    m = re.search(r"\+?\d[\d \-().]*\d|\d", text)
    if not m:
        return text
    number = m.group().strip()
    digits = re.sub(r"[^\d+]", "", number)
    return f"{text[:m.start()]}[{number}](tel:{digits}){text[m.end():]}"


def _crisis_verb(line: str) -> str:
    """988 takes calls and texts; other lines vary, so only "call" is promised."""
    if re.search(r"\b(call|text|phone|ring)\b", line, re.IGNORECASE):
        return "contact"
    return "call or text" if re.match(r"\s*988\b", line) else "call"


def urgent_text(t: Triage, settings: Settings) -> str:
    """The fixed urgent template (markdown). It carries the configured numbers as tel: links,
    a line in the visitor's language when triage matched another language, and nothing from the
    documents. A context reminder (a follow-up to an urgent turn) is shorter but keeps the number."""
    number = settings.safety.emergency_number
    n = f"[{number}](tel:{re.sub(r'[^0-9+]', '', number) or number})"
    line = settings.safety.crisis_line
    c = tel_link(line)
    local = _URGENT_LINES.get(t.lang or "")
    head = ""
    if local:
        head = "**" + (local[1] if t.category == "crisis" else local[0]).format(n=n, c=c) + "**\n\n"
    if t.layer == "context":
        if t.category == "crisis":
            return head + (f"I'm still here, and I care about how you're doing. Please {_crisis_verb(line)} **{c}** now, "
                           f"or **{n}** if you might act on these thoughts. This chat can't give the help you deserve.")
        return head + (f"**Earlier you described something that may need emergency care: call {n} now** "
                       "or go to the nearest emergency department. I can't answer other questions until you're safe.")
    if t.category == "crisis":
        return head + (
            "I'm really sorry you're going through this. You deserve support right now, "
            "and you don't have to face it alone.\n\n"
            f"**Please reach out now:** {_crisis_verb(line)} **{c}** to talk with someone "
            f"who can help, any time. If you might act on these thoughts or are in danger, "
            f"call **{n}** now.\n\n"
            "If you can, let someone you trust know how you're feeling, or stay with them. "
            "Our clinic cares about you, but this chat can't give the help you deserve right now."
        )
    return head + (
        f"**What you describe may need emergency care. Call {n} now** "
        "or go to the nearest emergency department.\n\n"
        "Please don't wait to see if it passes and don't book or continue a massage. "
        "If someone is with you, tell them what is happening."
    )


_TOPICS = {
    "pregnancy": "your pregnancy", "blood-thinners-or-bleeding": "blood thinners or bleeding",
    "blood-clot-history": "blood clots", "surgery-or-wounds": "recent surgery or wounds", "fever-or-infection": "fever or infection",
    "cancer": "cancer treatment", "bones": "your bones", "acute-injury": "a recent injury",
    "diabetes-or-neuropathy": "diabetes or nerve problems", "heart-or-kidney-conditions": "your heart or kidneys",
    "blood-pressure": "your blood pressure", "dosing": "medicine", "medication-change": "your medicine",
    "skin-or-wounds": "your skin", "other-conditions": "your health condition",
}


def caution_text(settings: Settings, t: Triage | None = None) -> str:
    """The caution banner. Dosing and medicine changes are never answered with a number."""
    base = ("**Please check this with your doctor or healthcare provider first**, and tell your "
            "massage therapist about it at intake. I can't say whether massage is right for you.")
    if t is not None and t.rule in ("dosing", "medication-change"):
        return ("**I can't advise on how much medicine to take, or on stopping or changing a medicine.** "
                "Please ask your doctor or pharmacist, and tell your massage therapist what you take at intake.")
    if t is not None and t.layer == "context" and t.rule in _TOPICS:
        return f"Since you mentioned {_TOPICS[t.rule]}: " + base
    return base


# ---------------------------------------------------------------------------------------------
# Guards for composing answers
# ---------------------------------------------------------------------------------------------

_CLEARING = re.compile(
    r"\b((always|completely|perfectly|totally|entirely|100 ?%?|absolutely|universally) (safe|harmless|risk ?free)|"
    r"safe for (everyone|everybody|anyone|anybody|all|every ?one)|"
    r"(no|zero|without|free of) (any )?(risks?|side ?effects?|dangers?|contra ?indications?)|risk ?free|"
    r"(no|dont|do not|never|without|wont) (need|needing|needs|require|requiring|requires|have) (to )?(a |your |any |the )?"
    r"(doctor|physician|gp|medical (clearance|advice|approval|permission)|prescription|clearance|permission)|"
    r"no (doctor|medical clearance|clearance|prescription) (is )?(needed|necessary|required)|"
    r"no need (to|for) (see |consult |ask |check with |a |your )*(doctor|physician|gp|medical)|"
    r"(instead of|replaces?|replacing|substitute for|no longer need) (your )?(medication|medicine|doctor|treatment|pills)|"
    r"cures?|cured|curing|heals? (all|any|every)|permanent(ly)? (fix|fixes|fixed|cure|cures|heal|heals|removes?|eliminat\w*|gets? rid)|"
    r"(fix|fixes|cure|cures|heal|heals|remove|removes|eliminat\w*|gets? rid of)\b.{0,40}\b(permanent(ly)?|for good|forever)|"
    r"guarantee[ds]?|can(not|t| not) (hurt|harm)|never (harmful|dangerous|hurts?)|no harm|"
    r"(is|are) (safe|fine|ok|okay) (for|during|with) (pregnan\w*|blood clots?|cancer|heart|diabet\w*|high blood pressure|dvt|everyone)|"
    r"(pregnan\w*|blood clots?|clots|cancer|heart (disease|conditions?)|diabet\w*|blood pressure|hypertension|dvt)\b.{0,60}\b(can|will|may|should|would)? ?(benefit|benefits|is fine|are fine|safe|no problem))\b"
)


def is_clearing_claim(sentence: str) -> bool:
    """Does a sentence clear someone medically or promise a cure? Such sentences are never
    quoted under a caution (and are listed for staff at build time).

    >>> is_clearing_claim("Massage is always safe during pregnancy and with blood clots, no doctor needed.")
    True
    >>> is_clearing_claim("People who want to reduce stress or decrease blood pressure can benefit from massage.")
    True
    >>> is_clearing_claim("Deep tissue massage uses slow, firm strokes.")
    False
    """
    return bool(_CLEARING.search(normalize(sentence)))


_DOSE = re.compile(
    r"\b\d+(\.\d+)? ?(mg|mcg|µg|ug|g|ml|milligrams?|micrograms?|grams?|iu|units?|drops?|teaspoons?|tsp|tablespoons?|tbsp|puffs?)\b|"
    rf"\b(\d+|one|two|three|four|five|six|half|a|an|1/2) (or (\d+|two|three|four) )?{MEDS}\b.{{0,40}}\b(a day|daily|per day|every|times|hours|before|after|at night|a week)\b|"
    rf"\b(take|taking|took|use|apply|swallow) (\d+|one|two|three|four|five|six|half|a couple of|a few|extra|double)\b.{{0,20}}\b{MEDS}|"
    r"\b(dose|dosage|doses|dosing)\b.{0,40}\b\d|\b\d\b.{0,40}\b(dose|dosage)\b|\b(\d+|once|twice|three times) (a|per) day\b"
)


def is_dose_statement(sentence: str) -> bool:
    """Does a sentence state an amount or schedule of a medicine or supplement? Composition drops
    such sentences: the assistant never answers with a dose.

    >>> is_dose_statement("Take 400 mg of ibuprofen before your session.")
    True
    >>> is_dose_statement("A 60-minute massage costs $80.")
    False
    """
    text = _fold(sentence).replace("µ", "u")
    text = re.sub(r"(?<=\d)(?=[a-z])", " ", text)  # "400mg" -> "400 mg"
    return bool(_DOSE.search(normalize(text)) or re.search(r"\d ?(mg|mcg|ml)\b", text))


# Below ~0.5 cosine, all-MiniLM-L6-v2 neighbours share a topic ("end my subscription" ~ "end my
# life"), not a meaning: no threshold is searched below this floor.
THRESHOLD_FLOOR = 0.5
GRID = tuple(step / 100 for step in range(int(THRESHOLD_FLOOR * 100), 91))  # thresholds tried


def calibrate(rows: list[dict], semantic: SemanticTriage, budget: float = 0.01,
              grid: Iterable[float] = GRID) -> dict[str, float]:
    """Choose per-level thresholds on a training split (never the held-out one): for each level,
    the lowest threshold (so the highest recall) at which the semantic layer's alarms on the
    split's negatives stay within `budget`. Negatives for emergency and crisis: benign and caution
    messages (a caution must not get the urgent template); for caution: benign messages."""
    vecs = np.asarray(semantic.encode([r["message"] for r in rows]), dtype=np.float32)
    sims = semantic.scores(vecs)
    expect = np.array([r["expect"] for r in rows])
    masks = semantic._masks
    best_benign = sims[:, masks["benign"]].max(axis=1)
    best_caution = sims[:, masks["caution"]].max(axis=1) if masks["caution"].any() else best_benign
    out: dict[str, float] = {}
    for level in ("emergency", "crisis", "caution"):
        negative = np.isin(expect, ["faq", "caution"] if level != "caution" else ["faq"])
        rival = best_benign if level == "caution" else np.maximum(best_benign, best_caution)
        top = sims[:, masks[level]].max(axis=1)
        ok = [t for t in grid if ((top >= t) & (top - rival >= semantic.margin))[negative].mean() <= budget]
        out[level] = round(min(ok), 2) if ok else max(grid)
    return out


CLAUSE_GRID = tuple(step / 100 for step in range(0, 21, 2))  # extra clause thresholds tried


def calibrate_clause_extra(rows: list[dict], semantic: SemanticTriage, budget: float = 0.01,
                           grid: Iterable[float] = CLAUSE_GRID) -> float:
    """Choose how much more than its level's threshold a single clause must score, on a training
    split: the lowest extra at which checking clauses adds urgent alarms on at most `budget` of
    the split's negatives (benign and caution messages) over the whole-message check alone."""
    negatives = [r["message"] for r in rows if r["expect"] in ("faq", "caution")]
    vecs = np.asarray(semantic.encode(negatives), dtype=np.float32)
    saved = semantic.clause_extra

    def alarms(extra: float) -> int:
        semantic.clause_extra = extra
        semantic._cache.clear()
        return sum(bool((t := semantic.check(m, v)) and t.urgent) for m, v in zip(negatives, vecs, strict=True))

    try:
        base = alarms(1.0)  # clauses can never fire: the whole-message check alone
        for extra in sorted(grid):
            if alarms(extra) - base <= budget * len(negatives):
                return round(extra, 2)
        return max(grid)
    finally:
        semantic.clause_extra = saved
        semantic._cache.clear()
