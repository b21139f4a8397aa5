"""Safety triage, run before retrieval on every turn.

Deterministic word lists and patterns (no model that can drift), run on normalized text:
Unicode NFKC, format characters (zero-width, bidi controls) removed, case folded, accents
stripped, look-alike Cyrillic/Greek letters and leetspeak folded, apostrophes dropped. The
rules deliberately over-trigger: missing an emergency costs far more than a cautious reply.

    >>> triage("my chest is tight and my arm went numb").rule
    'heart-attack-signs'
    >>> triage("Can massage help with migraines?") is None
    True
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

from .settings import Settings

Category = Literal["emergency", "crisis", "caution"]

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
_LEET = {"0": "o", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "@": "a", "$": "s", "!": "i", "+": "t"}


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")  # zero-width, bidi
    text = text.casefold().translate(_CONFUSABLES)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return unicodedata.normalize("NFKC", text).casefold().translate(_CONFUSABLES)


def normalize(text: str, one: str = "i") -> str:
    """Fold a message to plain lower-case ASCII-ish words for matching.

    >>> normalize("I'm ｔｈｉｎｋｉｎｇ of ending it a\\u200bll, su1c1de")
    'im thinking of ending it all suicide'
    """
    text = _fold(text)
    text = re.sub(r"['’`´‘]", "", text)
    tokens = []
    for tok in re.split(r"\s+", text):
        if re.search(r"[a-z]", tok) and re.search(r"[0-9@$!+]", tok):
            tok = "".join(_LEET.get(ch, one if ch == "1" else ch) for ch in tok)
        tokens.append(tok)
    text = " ".join(tokens)
    text = re.sub(r"[^a-z0-9]+", " ", text)
    text = re.sub(r"(.)\1{2,}", r"\1\1", text)  # "heeeelp" -> "heelp", "painnnn" -> "painn"
    # s u i c i d e -> suicide
    text = re.sub(r"\b(?:[a-z] ){3,}[a-z]\b", lambda m: m.group().replace(" ", ""), text)
    return re.sub(r"\s+", " ", text).strip()


@dataclass(frozen=True)
class Rule:
    id: str
    category: Category
    any: tuple[str, ...] = ()  # one of these suffices
    all: tuple[str, ...] = ()  # all of these together
    unless: tuple[str, ...] = ()

    @cached_property
    def _compiled(self) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None, tuple[re.Pattern[str], ...]]:
        def alt(ps: tuple[str, ...]) -> re.Pattern[str] | None:
            return re.compile("|".join(f"(?:{p})" for p in ps)) if ps else None

        return alt(self.any), alt(self.unless), tuple(re.compile(p) for p in self.all)

    def matches(self, text: str) -> bool:
        any_re, unless_re, all_res = self._compiled
        if unless_re and unless_re.search(text):
            return False
        if any_re and any_re.search(text):
            return True
        return bool(all_res) and all(r.search(text) for r in all_res)


@dataclass(frozen=True)
class Triage:
    category: Category
    rule: str

    @property
    def urgent(self) -> bool:
        return self.category in ("emergency", "crisis")

    def to_dict(self) -> dict[str, str]:
        return {"category": self.category, "rule": self.rule}


B = r"\b"
NOT_HISTORY = (r"\b(had|after|since|previous|history of|recovering from|survived)\b( an?)?( \w+){0,2} ",)
LEG = r"\b(calf|calves|leg|legs|thigh|thighs)\b"

RULES: tuple[Rule, ...] = (
    # --- crisis first: a person in crisis must never get a symptom template instead --------
    Rule("self-harm-or-suicide", "crisis", any=(
        r"\bsu+[i]?c+i+d+(e|al|ing)?\b", r"\bsuicid", r"\bsuiside\b", r"\bsucide\b",
        r"\bkill(ing)? ?my ?self\b", r"\bkms\b", r"\bunalive\b",
        r"\bend(ing)? (it|it all|my life|things|everything)\b", r"\btake my (own )?life\b",
        r"\b(want|wanna|going|wish|ready|plan(ning)?) (to )?(die|be dead)\b", r"\bwish i (was|were) dead\b",
        r"\bbetter off (dead|without me)\b", r"\b(no|dont see the|dont see any|lost the) (point|reason) (in |to |of )?(living|going on|live|life|anymore|carrying on)\b",
        r"\bwhats the (point|use) (of|in) (going on|living|life|anything|carrying on|trying)\b",
        r"\bwhats the point\b.{0,30}\b(anymore|any more|going on)\b",
        r"\bcant (go on|do this anymore|keep going|take it anymore)\b", r"\bself ?harm", r"\bhurt(ing)? my ?self\b",
        r"\bcut(ting)? my ?self\b", r"\bdont want to (be here|live|exist|wake up)\b", r"\btired of (living|life|being alive)\b",
        r"\b(feel|feeling|im|i am) (so |completely |totally )?hopeless\b", r"\bno way out\b",
        r"\b(disappear|not be here) (forever|for good|anymore)\b",
    )),
    Rule("overdose", "emergency", any=(
        r"\boverdos", r"\bod(d|ed)? on\b", r"\btook (way |far )?too many\b", r"\b(took|swallowed) (a |the |my )?(whole|entire|full) (bottle|packet|pack|box)\b",
        r"\bswallowed (a lot of|all my|all the|loads of) (pills|tablets|meds)\b", r"\bpoison(ed|ing)\b",
    )),
    Rule("heart-attack-signs", "emergency", any=(
        r"\bchest\b.{0,40}\b(pain|painful|tight|tightness|pressure|crush|heavy|heaviness|squeez|hurt|ache|aching|burn)",
        r"\b(pain|tight|tightness|pressure|crushing|heaviness|ache)\b.{0,25}\bchest\b",
        r"\b(pain|ache|aching|pressure)\b.{0,40}\b(spread\w*|radiat\w*|going|moving|travel\w*|shoot\w*) (down|to|into|up)\b.{0,20}\b(arm|jaw)\b",
        r"\bleft arm\b.{0,20}\b(numb|tingl|pain|hurts)", r"\bcold sweat",
        r"\bheart attack\b", r"\bcardiac arrest\b",
    ), unless=(r"\b(had|after|since|previous|history of|recovering from|survived) (a |an |my )?(heart attack|cardiac arrest)\b(?!.{0,40}\bchest\b)",)),
    Rule("breathing-difficulty", "emergency", any=(
        r"\b(cant|cnat|cnt|cannot|can not|struggling to|hard to|trouble|difficulty|unable to|barely) (properly )?(breath|breathe|breathing|breth|brethe|get (my )?breath)",
        r"\bshort(ness)? of breath\b", r"\bbreathless", r"\bgasping\b", r"\bchoking\b",
        r"\bcough(ing|ed)? (up )?blood\b", r"\bstopped breathing\b", r"\bnot breathing\b",
        r"\bbreathing (is )?(hard|difficult|laboured|labored|fast|shallow)\b", r"\bout of breath\b",
    )),
    Rule("blood-clot-signs", "emergency", any=(
        r"\b(blood )?clot\b.{0,40}\b(now|right now|today|think|worried|might|could|maybe|signs)\b",
        r"\b(dvt|embolism|thrombosis)\b.{0,30}\b(now|think|worried|might|could|signs|symptoms)\b",
    ), all=(LEG, r"\b(swell|swelling|swollen|puffy|puffed|hot|warm|warmth|red|redness|reddish|discolou?r|hard lump|throbbing)\b")),
    Rule("stroke-signs", "emergency", any=(
        r"\bface\b.{0,25}\b(droop|drooping|dropping|sagging|numb|lopsided|uneven|fallen)", r"\bdroop",
        r"\bslurr", r"\b(cant|cannot|trouble|difficulty|struggling to) (speak|talk|get (my |the )?words out|find (my |the )?words)\b",
        r"\bspeech (is |was )?(slurred|garbled|strange|weird|funny)\b",
        r"\b(arm|leg|hand|face|side)\b.{0,15}\b(suddenly |just )?(went|gone|has gone|going|turned) (numb|weak|dead|limp)\b",
        r"\bsudden(ly)?\b.{0,40}\b(numb|numbness|weak|weakness|paraly)",
        r"\b(one|left|right) side of (my |his |her |the )?(body|face)\b.{0,30}\b(numb|weak|droop|tingl)",
        r"\bsudden(ly)?\b.{0,40}\b(vision|blind|cant see|double vision|sight)\b", r"\b(lost|losing|loss of) (my |the )?(vision|sight)\b",
        r"\bworst headache\b", r"\bthunderclap\b", r"\bsudden(ly)?\b.{0,25}\b(severe|terrible|excruciating|worst|splitting) headache\b",
        r"\b(having|having a|signs of|symptoms of|is this) (a )?stroke\b", r"\bthink.{0,25}\bstroke\b", r"\bmini stroke\b", r"\btia\b",
    )),
    Rule("cauda-equina-signs", "emergency", any=(
        r"\bsaddle\b.{0,20}\b(numb|anaesth|anesth|tingl)", r"\bnumb(ness)?\b.{0,30}\b(between my legs|groin|genital|private|bottom|buttock|butt|inner thigh|crotch)\b",
        r"\b(groin|genital|buttock|bottom|crotch)\b.{0,20}\bnumb",
        r"\b(lost|losing|loss of|cant control|cannot control|no control (of|over)|leaking)\b.{0,25}\b(bladder|bowel|bowels|pee|urine|poo|poop)\b",
        r"\b(wet|peed|soiled|pooed) my ?self\b",
        r"\bboth (my )?legs\b.{0,30}\b(weak|numb|giving way|gave way|wont hold|collaps|cant move)",
        r"\b(cant|cannot) (feel|move) (my |both )+legs\b", r"\bweakness in (both|my) legs\b",
    )),
    Rule("sepsis-or-meningitis-signs", "emergency", any=(
        r"\bsepsis\b", r"\bseptic\b", r"\bmeningitis\b", r"\brash\b.{0,30}\b(doesnt|does not|wont|didnt) fade\b",
        r"\bglass test\b", r"\b(purple|blotchy|non blanching|mottled) (rash|skin|spots)\b",
    ), all=(r"\b(fever|feverish|temperature|high temp|burning up)\b",
            r"\b(stiff neck|neck is stiff|confus|rash|shiver|shaking|rigors|clammy|mottled|drowsy|very sleepy|cant look at (the )?light|light hurts)")),
    Rule("anaphylaxis-signs", "emergency", any=(
        r"\banaphyla", r"\bepi ?pen\b",
        r"\b(throat|tongue|lips?|mouth)\b.{0,20}\b(swell|swelling|swollen|closing|tight|puffy)",
        r"\bswelling (of|in) (my |the )?(throat|tongue|lips|mouth|face)\b",
        r"\ballergic reaction\b.{0,40}\b(breath|throat|swell|hives|wheez|tongue|lips)",
    )),
    Rule("fainting-or-unresponsive", "emergency", any=(
        r"\bfaint(ed|ing)?\b", r"\bpass(ed|ing)? out\b", r"\bblack(ed)? out\b", r"\bcollaps(ed|ing)\b",
        r"\bunconscious\b", r"\bunconcious\b", r"\bunresponsive\b", r"\bnot responding\b", r"\b(wont|cant|doesnt) wake( up)?\b",
        r"\bno pulse\b", r"\bseizure", r"\bfitting\b", r"\bconvuls",
    )),
    Rule("head-injury-signs", "emergency", any=(r"\bconcuss",), all=(
        r"\b(hit|hitting|bang|banged|bump|bumped|knock|knocked|smack|smacked|fell|fall|fallen|blow|injur)\w*\b.{0,30}\bhead\b|\bhead (injury|trauma|wound)\b",
        r"\b(confus|vomit|throw(ing)? up|threw up|being sick|drowsy|sleepy|dizzy|cant remember|memory|blurr|double vision|passed out|headache)",
    )),
    Rule("emergency-words", "emergency", any=(
        r"\b(call|calling) (an )?ambulance\b", r"\bemergency\b.{0,20}\b(now|help|right now)\b", r"\bbleeding (heavily|badly|a lot|wont stop|that wont stop)\b",
        r"\bwont stop bleeding\b",
    )),
    Rule("abuse-or-danger", "crisis", any=(
        r"\b(someone|he|she|they|partner|husband|wife|boyfriend|girlfriend)\b.{0,20}\b(is |keeps )?(hurting|hitting|beating|abusing) me\b",
        r"\b(not safe|unsafe) at home\b", r"\bafraid for my (life|safety)\b",
    )),
    # --- cautions: the documents may be quoted, but clearance is the provider's -------------
    Rule("pregnancy", "caution", any=(r"\bpregnan", r"\bexpecting (a baby|twins)\b", r"\btrimester\b", r"\bprenatal\b", r"\bpostpartum\b", r"\bim expecting\b")),
    Rule("blood-thinners-or-bleeding", "caution", any=(
        r"\banticoagul", r"\bblood ?thinn", r"\bwarfarin\b", r"\bcoumadin\b", r"\beliquis\b", r"\bapixaban\b", r"\bxarelto\b",
        r"\brivaroxaban\b", r"\bheparin\b", r"\bclopidogrel\b", r"\bplavix\b", r"\bdabigatran\b", r"\bpradaxa\b",
        r"\bh(a)?emophilia\b", r"\bbleeding disorder\b", r"\bbruise (so |very |really )?easily\b", r"\blow platelet",
    )),
    Rule("blood-clot-history", "caution", any=(r"\bclot", r"\bdvt\b", r"\bthrombo", r"\bembolism\b", r"\bvaricose\b")),
    Rule("surgery-or-wounds", "caution", any=(
        r"\bsurger", r"\boperation\b", r"\bpost ?op\b", r"\bstitches\b", r"\bincision\b", r"\bwound", r"\bopen cut\b",
        r"\bc ?section\b", r"\b(knee|hip|joint|shoulder) replacement\b", r"\bimplant",
    )),
    Rule("fever-or-infection", "caution", any=(
        r"\bfever", r"\btemperature\b", r"\bflu\b", r"\binfect", r"\bcellulitis\b", r"\bcovid\b", r"\bcontagious\b",
        r"\b(feel|feeling|im|i am) (sick|ill|unwell)\b", r"\bskin (condition|rash)\b", r"\brash\b",
    )),
    Rule("cancer", "caution", any=(r"\bcancer", r"\bchemo", r"\bradiotherapy\b", r"\bradiation (therapy|treatment)\b", r"\btumou?r", r"\boncolog", r"\blymphoma\b", r"\bmetasta", r"\bleuka?emia\b")),
    Rule("bones", "caution", any=(r"\bosteopor", r"\bosteopenia\b", r"\bbrittle bones?\b", r"\bfractur", r"\bbroken (bone|arm|leg|wrist|rib|ankle|foot|hand)", r"\bbroke my\b", r"\bcracked (a )?(rib|bone)\b")),
    Rule("acute-injury", "caution", any=(
        r"\b(just|yesterday|today|this morning|last night|an hour ago)\b.{0,40}\b(injur|sprain|twist|pulled|tore|torn|fell|fall|crash|accident|hurt)",
        r"\b(injur|sprain|twist|pulled|tore|torn|fell|crash|accident)\w*\b.{0,40}\b(yesterday|today|this morning|last night|hours? ago|just now)\b",
        r"\btorn (muscle|ligament|tendon|acl|meniscus|rotator)\b", r"\b(car|bike|sports?) accident\b", r"\bwhiplash\b.{0,30}\b(yesterday|today|last week|just)\b",
    )),
    Rule("diabetes-or-neuropathy", "caution", any=(r"\bdiabet", r"\bneuropath", r"\bnumb (feet|toes)\b", r"\bcant feel my (feet|toes)\b")),
    Rule("heart-or-kidney-conditions", "caution", any=(
        r"\bheart (failure|condition|disease|problem|surgery|attack|valve)", r"\bkidney", r"\brenal\b", r"\bdialysis\b",
        r"\bpacemaker\b", r"\bhad a stroke\b", r"\bstroke (survivor|last|in)\b", r"\bliver (disease|failure)\b", r"\bangina\b",
    )),
    Rule("blood-pressure", "caution", any=(r"\bblood pressure\b", r"\bhypertens", r"\bhypotens", r"\bhigh bp\b", r"\blow bp\b")),
    Rule("medication-or-dose", "caution", any=(
        r"\b(stop|stopping|quit|quitting|come off|coming off|reduce|reducing|cut down|cutting down|replace|replacing|skip|skipping|instead of|ditch)\b.{0,30}\b(medication|medicine|meds|pills|tablets|painkillers|prescription|drugs|ibuprofen|paracetamol|antidepressant)",
        r"\b(dose|dosage|doses|how many (pills|tablets|mg)|how much (ibuprofen|paracetamol|tylenol|advil|aspirin|medication|medicine))\b",
        r"\b\d+ ?mg\b", r"\bmilligram",
    )),
    Rule("diagnosis-request", "caution", any=(
        r"\bwhat (do|could|might) i have\b", r"\bwhats wrong with (me|my)\b", r"\bwhat is wrong with (me|my)\b", r"\bdiagnos",
        r"\bdo (you think )?i have (a |an )?\w+", r"\bwhat (could|might|is) (this|it) be\b", r"\bis (this|it) (serious|cancer|a tear|broken)\b",
        r"\bshould i (be worried|see a doctor|go to (the )?(doctor|hospital|er))\b", r"\bwhat causes my\b",
    )),
    Rule("medical-clearance", "caution", any=(
        r"\bis it safe\b", r"\b(safe|okay|ok|alright|allowed) (for me )?to (get|have|book|do)\b", r"\bam i allowed\b",
        r"\bcan i (still |safely )?(get|have|book) a (massage|session)\b.{0,10}\b(if|with|while|after|since)\b",
        r"\bcontra ?indicat", r"\bshould i avoid\b", r"\bis massage (safe|ok|okay|dangerous)\b",
        r"\b(allerg)",
    )),
)


def triage(message: str, rules: tuple[Rule, ...] = RULES) -> Triage | None:
    """The first matching rule, crises and emergencies before cautions; None for ordinary FAQs."""
    variants = {normalize(message, "i"), normalize(message, "l")}
    variants |= {re.sub(r"(.)\1+", r"\1", v) for v in variants}  # "fainteddd", "painnn"
    for rule in rules:
        if any(rule.matches(v) for v in variants):
            return Triage(rule.category, rule.id)
    return None


def urgent_text(t: Triage, settings: Settings) -> str:
    """The fixed urgent template. It carries the configured numbers and nothing from the FAQ."""
    if t.category == "crisis":
        return (
            "I'm really sorry you're going through this. You deserve support right now, "
            "and you don't have to face it alone.\n\n"
            f"**Please reach out now:** call or text **{settings.safety.crisis_line}** to talk with someone "
            f"who can help, any time. If you might act on these thoughts or are in danger, "
            f"call **{settings.safety.emergency_number}** now.\n\n"
            "If you can, let someone you trust know how you're feeling, or stay with them. "
            "Our clinic cares about you, but this chat can't give the help you deserve right now."
        )
    return (
        f"**What you describe may need emergency care. Call {settings.safety.emergency_number} now** "
        "or go to the nearest emergency department.\n\n"
        "Please don't wait to see if it passes and don't book or continue a massage. "
        "If someone is with you, tell them what is happening."
    )


def caution_text(settings: Settings) -> str:
    return (
        "**Please check this with your doctor or healthcare provider first**, and tell your "
        "massage therapist about it at intake. I can't say whether massage is right for you."
    )
