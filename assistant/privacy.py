"""Redaction before anything a visitor typed is stored (the gap log and feedback).

Rules, not a model: no named-entity model is usable offline here (spaCy's English models reach
PyPI only through unofficial re-uploads, and Presidio's analyzer needs one of them for names),
so each kind of personal data has a tested rule. They are measured on `evals/pii.jsonl`
(questions with their PII items and topic words labelled before the rules were written; a
held-out part was never tuned on: tests/test_privacy.py asserts the floors on it).

What is removed, each replaced by a bracketed tag so staff still see the question's shape:
- names: after "my name is", "I'm", "this is", "it's", titles (Dr., Mrs.), relatives ("my wife
  Emily Chen"), sign-offs ("Thanks, Olivia Brown"), and common first names with a surname;
- street addresses and postcodes / ZIP codes (US, UK, Canada, EU formats);
- dates with a year (numeric or in words: "the fifth of May 1980", "nineteen seventy") and any
  date after "born", "birthday", "DOB";
- card numbers, expiry dates, CVV / security codes; IBANs (partial too), sort codes, routing
  and account, policy and member numbers, and any remaining run of 5 or more digits;
- emails, obfuscated ones too ("jane(at)example(dot)com", "jane at example dot com"); phones;
- health: the free text after "I have", "I'm", "I was diagnosed with", "I take", "I had"... up
  to the end of the clause, and named conditions and medicines in any sentence about the visitor
  or someone close to them. Massage topic words (back pain, neck, migraine, sleep...) are kept,
  so the gap report still says what the question was about.

    >>> redact("Hi, my name is John Smith and I have fibromyalgia and lower back pain, can massage help?")
    'Hi, my name is [name] and I have [health] and lower back pain, can massage help?'
    >>> redact("mail jane(at)example(dot)com or call (212) 555-0199")
    'mail [email] or call [phone]'
    >>> redact("how long does a session last?")
    'how long does a session last?'
"""

from __future__ import annotations

import re
from collections.abc import Callable


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())

# Words a massage clinic's questions are about: kept even inside a redacted health clause.
TOPIC_WORDS = _wordset("""
massage massages massaging therapy therapist therapists session sessions appointment appointments
treatment treatments deep tissue sports swedish prenatal pregnancy lymphatic drainage trigger point
myofascial release reflexology cupping hot stone aromatherapy relaxation chair couples medical
pain pains painful ache aches aching achy sore soreness stiff stiffness tension tense tight tightness
knot knots cramp cramps cramping spasm spasms strain sprain injury injuries swelling swollen
inflammation numbness tingling fatigue tired bloating circulation mobility flexibility posture
rigidity recovery relax
migraine migraines headache headaches sleep sleeping insomnia stress stressed sciatica whiplash
tmj
back lower upper neck shoulder shoulders spine hip hips knee knees leg legs calf calves thigh thighs
hamstring hamstrings foot feet ankle ankles heel arm arms elbow wrist wrists hand hands finger
fingers head jaw face scalp chest abdomen abdominal stomach belly pelvic pelvis glute glutes muscle
muscles joint joints tendon tendons
""")

# Conditions and medicines: redacted wherever a sentence is about the visitor or someone close.
CONDITIONS = [
    r"hiv(?:\s+positive)?", r"aids", r"(?:\w+\s+)?cancer", r"lymphoma", r"leuka?emia", r"tumou?rs?",
    r"chemo(?:therapy)?", r"radiotherapy", r"mastectomy", r"hysterectomy", r"(?:type\s+[12]\s+)?diabetes",
    r"diabetic", r"insulin", r"epilepsy", r"epileptic", r"seizures?", r"depression", r"depressed",
    r"anxiety", r"bipolar", r"schizophreni\w*", r"ptsd", r"ocd", r"adhd", r"autism", r"autistic",
    r"dementia", r"alzheimer'?s", r"parkinson'?s", r"multiple\s+sclerosis", r"lupus",
    r"hepatitis(?:\s+[abc]\b)?", r"crohn'?s(?:\s+disease)?", r"ibs", r"colitis", r"copd", r"asthma",
    r"strokes?", r"heart\s+(?:attack|disease|failure|condition)", r"pacemaker", r"hypertension",
    r"high\s+blood\s+pressure", r"dvt", r"thrombosis", r"blood\s+clots?", r"blood\s+thinners?",
    r"warfarin", r"lithium", r"clozapine", r"statins?", r"opioids?", r"(?:rheumatoid\s+|osteo)?arthritis",
    r"osteoporosis", r"fibromyalgia", r"lymph(?:o)?edema", r"neuropathy", r"endometriosis", r"ivf",
    r"pregnant(?:\s+with\s+twins)?", r"(?:chronic\s+)?(?:kidney|liver)\s+disease", r"eating\s+disorder",
    r"anorexia", r"bulimia", r"addiction", r"alcoholism", r"(?:long\s+)?covid", r"(?:herniated|slipped)\s+discs?",
    r"scoliosis", r"panic\s+attacks?", r"allergic\s+to\s+\w+", r"allerg(?:y|ies)", r"hiv/aids",
]
_CONDITION = re.compile(r"\b(?:" + "|".join(CONDITIONS) + r")\b", re.I)
# A sentence is about a person when it speaks in the first person or of someone close.
_PERSONAL = re.compile(
    r"\b(?:i|i'm|i've|i'd|me|my|mine|we|we're|our|us|he|she|his|her|him|wife|husband|partner|son|"
    r"daughter|kid|child|mother|father|mum|mom|dad|friend|patient|patients)\b|\[name\]", re.I)

_MONTHS = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
           r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")
_ORDINAL_WORDS = (r"(?:(?:twenty|thirty)[- ]?)?(?:first|second|third|fourth|fifth|sixth|seventh|eighth|"
                  r"ninth|tenth|eleventh|twelfth|thirteenth|fourteenth|fifteenth|sixteenth|"
                  r"seventeenth|eighteenth|nineteenth|twentieth|thirtieth)")
_DAY = rf"(?:\d{{1,2}}(?:st|nd|rd|th)?|{_ORDINAL_WORDS})"
_NUM_WORDS = (r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
              r"fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|"
              r"eighty|ninety|hundred|thousand|oh)")
_YEAR = rf"(?:(?:19|20)\d{{2}}|'\d{{2}}|(?:nineteen|two\s+thousand)(?:[\s-]+{_NUM_WORDS}){{1,3}})"
_WORD_DATE = (rf"(?:(?:the\s+)?{_DAY}\s+(?:of\s+)?{_MONTHS}(?:,?\s+(?:in\s+)?{_YEAR})?"
              rf"|{_MONTHS}\s+(?:the\s+)?{_DAY}(?:,?\s+{_YEAR})?)")
_NUM_DATE = r"(?:\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})|(?:19|20)\d{2}-\d{1,2}-\d{1,2})"
_DATE_WITH_YEAR = re.compile(
    rf"\b(?:(?:the\s+)?{_DAY}\s+(?:of\s+)?{_MONTHS},?\s+{_YEAR}|{_MONTHS}\s+(?:the\s+)?{_DAY},?\s+{_YEAR}"
    rf"|{_MONTHS}\s+{_YEAR})\b|\b{_NUM_DATE}\b", re.I)
_BIRTH = re.compile(
    rf"\b(born|birthday|birth\s+date|date\s+of\s+birth|d\.?o\.?b\.?)(\s*(?:is|was|on|in|:|-)?\s*(?:the\s+)?)"
    rf"({_WORD_DATE}|{_NUM_DATE}|{_YEAR}|{_MONTHS})", re.I)

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_AT = r"(?:\s*[(\[{<]\s*at\s*[)\]}>]\s*|\s+at\s+)"
_DOT = r"(?:\s*[(\[{<]\s*dot\s*[)\]}>]\s*|\s+dot\s+|\.)"
_OBFUSCATED_EMAIL = re.compile(rf"\b[\w+-]+(?:{_DOT}[\w+-]+)*{_AT}[\w-]+(?:{_DOT}[\w-]+)*{_DOT}[a-z]{{2,6}}\b", re.I)

_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?:\s?[A-Z0-9]{4}){1,7}(?:\s?[A-Z0-9]{1,3})?\b")
_CARD = re.compile(r"\b\d(?:[ -]?\d){12,18}\b")
_EXPIRY = re.compile(r"\b(exp(?:iry|ires|iration)?(?:\s+date)?\.?|valid\s+(?:thru|through|until))(\s*:?\s*)"
                     r"(\d{1,2}\s*/\s*(?:\d{4}|\d{2}))", re.I)
_MMYY = re.compile(r"(?<![\d/])(?:0[1-9]|1[0-2])/(?:20)?\d{2}(?![\d/])")
_CVV = re.compile(r"\b(cvv2?|cvc2?|cid|csc|security\s+code|sec\s+code)(\s*(?:is|:|#)?\s*)(\d{3,4})\b", re.I)
_ACCOUNT = re.compile(
    r"\b(account|acct|a/c|sort\s+code|routing|iban|policy|member(?:ship)?|medicare|nhs|insurance|ssn|"
    r"social\s+security|passport|licen[cs]e|card|visa|mastercard|amex|id)"
    r"((?:\s+(?:no\.?|number|num|#|code|id|ending|ending\s+in|ends\s+in|ends|starting|starts|is|was|of|:)|\s*[:#])*\s*)"
    r"([A-Z0-9][A-Z0-9./-]*\d[A-Z0-9./-]*(?:\s\d[\d-]*)*)", re.I)
_PHONE = re.compile(r"(?<![\w+])(?:\+|00)?\(?\d[\d\s().-]{5,}\d(?!\w)")
_DIGITS = re.compile(r"\b\d(?:[\s./-]?\d){4,}\b")
_STREET_TYPES = (r"(?:street|st|avenue|ave|road|rd|lane|ln|drive|dr|boulevard|blvd|way|court|ct|place|pl|"
                 r"terrace|close|crescent|square|sq|highway|hwy|parkway|pkwy|row|gardens|grove|mews)")
_STREET = re.compile(
    rf"\b\d{{1,5}}[A-Za-z]?,?\s+(?:[A-Z][\w'.-]*\s+){{1,4}}(?i:{_STREET_TYPES})\b\.?(?:\s+(?:NW|NE|SW|SE|N|S|E|W)\b)?"
    r"|\b\d{1,5}[A-Za-z]?,?\s+(?i:rue|avenue|boulevard|bd|chemin|place|via|viale|piazza|corso|rua|avenida|calle|carrer|plaza|paseo)"
    r"\s+(?:(?:de|du|des|la|le|della|del|di|da|do|dos)\s+)*[A-Z][\w'-]*(?:\s+[A-Z][\w'-]*)*"
    r"|\b(?i:rue|via|viale|piazza|corso|rua|avenida|calle|carrer|plaza|paseo)\s+(?:(?:de|du|des|la|della|del|di|da|do)\s+)*"
    r"[A-Z][\w'-]*(?:\s+[A-Z][\w'-]*)*\s+\d{1,5}[a-z]?\b"
    r"|\b[A-ZÄÖÜ][\w'-]*(?:stra(?:ß|ss)e|str\.|weg|gasse|platz|allee|gracht|laan|straat|plein|vej|gatan|gade)\s+\d{1,5}[a-z]?\b"
    r"|\b(?i:apartment|apt\.?|flat|unit|suite|appartement)\s+\d+[A-Za-z]?\b")
# Postcodes with letters or a dash go before phone numbers (whose rule would take a ZIP+4);
# plain five-digit ones after (so a phone number's first five digits are not read as a ZIP).
_POSTCODE_SHAPED = re.compile(
    r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b"  # UK
    r"|\b[A-Z]\d[A-Z]\s?\d[A-Z]\d\b"  # Canada
    r"|\b\d{4}\s?[A-Z]{2}\b"  # Netherlands
    r"|\b\d{5}-\d{4}\b"  # US ZIP+4
    r"|\b\d{2}-\d{3}\b|\b\d{4}-\d{3}\b")  # PL, PT
_POSTCODE = re.compile(r"\b\d{5}\b")  # US ZIP, and the many five-digit EU codes (DE, FR, IT, ES...)
_SORT_CODE = re.compile(r"\b(sort\s+code)(\s*(?:is|:)?\s*)(\d{2}[- ]?\d{2}[- ]?\d{2})\b", re.I)

# Names.
_NAME_WORD = r"[A-Z][a-zà-ÿ]+(?:['-][A-Z]?[a-zà-ÿ]+)*"
_CAP_NAME = rf"(?:{_NAME_WORD}(?:\s+(?:{_NAME_WORD}|[A-Z]\.)){{0,2}})"
_ANY_NAME = r"(?:[A-Za-zà-ÿ]+(?:['-][A-Za-zà-ÿ]+)*)"
_NOT_NAME_AFTER = ("and", "i", "im", "i'm", "here", "from", "with", "please", "thanks", "but", "so", "a", "an",
                   "the", "is", "was", "have", "has", "my", "your", "to", "for", "in", "on", "at", "of", "calling")
_NAME_IS = re.compile(
    r"\b(my\s+name\s+is|my\s+name's|name\s*:|mein\s+name\s+ist|ich\s+hei(?:ß|ss)e|je\s+m'appelle|me\s+llamo|"
    rf"mi\s+nombre\s+es|mi\s+chiamo|call\s+me)(\s+)({_ANY_NAME}(?:\s+{_ANY_NAME}){{0,2}})", re.I)
_INTRO = re.compile(
    r"\b(?i:(i'm|i\s+am|this\s+is|it's|it\s+is|hi|hello|hey|dear|regards|thanks|thank\s+you|cheers|sincerely|best|"
    r"from|wife|husband|partner|son|daughter|mother|father|mum|mom|dad|friend|brother|sister|kid|child|"
    r"mr\.?|mrs\.?|ms\.?|miss|dr\.?|prof\.?|doctor|-|–|—))(,?\s+)(" + _CAP_NAME + r")")
# Capitalised words after an intro that are not names.
NOT_NAMES = _wordset("""
i im i'm a an the is it this that there here hi hello hey thanks please can could would will do does
did what how when where which who why yes no ok okay my your our we you he she they and or but so
monday tuesday wednesday thursday friday saturday sunday january february march april may june july
august september october november december swedish thai deep sports hot medical prenatal massage
dr mr mrs ms miss prof doctor hiv aids ibs ptsd copd dvt ivf tmj visa amex mastercard iban
also just new not on in at for with from to of about really very still looking wondering
interested curious planning thinking trying going hoping asking writing calling
""")
# Common first names: a capitalised one followed by a surname is a name anywhere.
FIRST_NAMES = _wordset("""
james john robert michael william david richard joseph thomas charles christopher daniel matthew
anthony mark donald steven paul andrew joshua kenneth kevin brian george timothy ronald edward jason
jeffrey ryan jacob gary nicholas eric jonathan stephen larry justin scott brandon benjamin samuel
gregory greg alexander frank patrick raymond jack dennis jerry tyler aaron jose adam nathan henry
douglas zachary peter kyle noah ethan jeremy walter christian keith roger terry austin sean gerald
carl harold dylan arthur lawrence jordan jesse bryan billy bruce gabriel joe logan alan juan albert
willie elijah wayne randy vincent mason roy ralph bobby russell bradley philip eugene louis
mary patricia jennifer linda elizabeth barbara susan jessica sarah karen lisa nancy betty sandra
margaret ashley kimberly emily donna michelle carol amanda melissa deborah stephanie dorothy rebecca
sharon laura cynthia amy kathleen angela shirley brenda emma anna pamela nicole samantha katherine
christine helen debra rachel carolyn janet maria catherine heather diane olivia julie joyce victoria
ruth virginia lauren kelly christina joan evelyn judith andrea hannah megan cheryl jacqueline martha
madison teresa gloria sara janice ann kathryn abigail sophia frances jean alice judy isabella julia
beverly denise danielle marilyn amber sophie charlotte chloe lucy fiona priya ahmed mohammed muhammad
ali fatima aisha omar hassan yusuf ibrahim carlos luis miguel jorge javier pedro diego lucia sofia
carmen elena ana marta klaus hans jurgen stefan wolfgang anke ingrid lukas lucas felix max leon
pierre jean-pierre louis camille chloe marie sophie luca marco giuseppe giulia francesca matteo
alessandro wei li ming chen hiroshi yuki kenji sakura raj ravi anil sunita deepa arjun vikram olga
ivan dmitri sergei natasha svetlana piotr katarzyna jan tomas eva lars erik anders nils ingrid astrid
sean liam siobhan aoife niamh connor declan mohamed mustafa layla zara noor amira
jane tom tim sam ben dan kate jen beth meg liz nick rob bob steve mike chris matt tony alex jake
""")
_FIRST_LAST = re.compile(rf"\b({_NAME_WORD})(\s+)((?:[A-Z]\.\s+)?{_NAME_WORD}(?:\s+{_NAME_WORD})?)")

# Health: the free text after a first-person statement, to the end of its clause.
_HEALTH_TRIGGER = re.compile(
    r"\b(?:i\s+was\s+diagnosed\s+with|i've\s+been\s+diagnosed\s+with|diagnosed\s+with|i\s+suffer\s+from|"
    r"suffering\s+from|i\s+have|i've\s+got|i've\s+had|i\s+had|i'm|i\s+am|i\s+take|i'm\s+taking|"
    r"(?:my|our)\s+(?:\w+\s+)?(?:wife|husband|partner|son|daughter|kid|child|children|mother|father|mum|"
    r"mom|dad|friend|brother|sister|baby|girlfriend|boyfriend)\s+(?:has|had|is|was|have|suffers\s+from))(?=\s)", re.I)
_CLAUSE_END = re.compile(
    r"[,.;!?:()\n]|\s[-–—]\s|\b(?:can|could|would|will|should|is|are|does|do|did|what|how|when|where|which|who|"
    r"may|might|but|so|because|please|pls|any|if|then|thanks)\b", re.I)
# What may follow "I'm"/"I have" without saying anything about the person's health.
_BENIGN_START = re.compile(
    r"\s+(?:a\s+(?:new|first|quick|regular)|a\s+question|questions?|a\s+few|wondering|looking|interested|"
    r"curious|planning|thinking|trying|asking|going|hoping|new|not\s+sure|booked|been|an?\s+appointment|"
    r"a\s+booking|a\s+voucher|a\s+gift)", re.I)
_KEEP_IN_CLAUSE = _wordset("""and or with in on at of my the a an to for both some after before during since
every last this morning mornings evening evenings night nights day days week weeks month months year years
ago often always sometimes recently""")
# "should I take...", "can I have a massage": questions, not statements about the person.
_MODALS = _wordset("should can could do did does would will may might must shall")
_TOKEN = re.compile(r"\[[a-z ]+\]|[\w'’-]+|[^\w\s]", re.I)


def _tag(tag: str):
    return lambda m: f"[{tag}]"


def _keep_prefix(tag: str, prefix_groups: int = 2):
    """Keep the trigger words (groups 1..n) and replace the last group."""
    return lambda m: "".join(m.group(i) for i in range(1, prefix_groups + 1)) + f"[{tag}]"


def _account(m: re.Match[str]) -> str:
    # "card 2 for 1" is not a card number: an account, card or member number has 3+ digits.
    if sum(c.isdigit() for c in m.group(3)) < 3:
        return m.group()
    return m.group(1) + m.group(2) + "[number]"


def _redact_clause(clause: str) -> str:
    """Replace each run of words that are not topic words with one [health] tag. Glue words
    ("and", "my") between two kept words stay, so "and my lower back" still reads."""
    out: list[str] = []
    glue: list[str] = []  # glue words (with the space before each) waiting to see what follows
    run = False
    pos = 0
    for m in _TOKEN.finditer(clause):
        word = m.group()
        low = word.lower()
        piece = clause[pos:m.start()] + word
        pos = m.end()
        if low in _KEEP_IN_CLAUSE:
            glue.append(piece)
        elif low in TOPIC_WORDS or (word.startswith("[") and word != "[health]"):
            out.extend(glue)
            out.append(piece)
            glue, run = [], False
        else:
            if not run:
                out.append((glue[0][: len(glue[0]) - len(glue[0].lstrip())] if glue else piece[: len(piece) - len(piece.lstrip())]) + "[health]")
            glue, run = [], True
    return "".join(out + glue) + clause[pos:]


def _health_clauses(text: str) -> str:
    out = []
    pos = 0
    for m in _HEALTH_TRIGGER.finditer(text):
        if m.start() < pos:
            continue
        start = m.end()
        before = text[: m.start()].split()
        if _BENIGN_START.match(text, start) or (before and before[-1].lower() in _MODALS):
            continue
        end_m = _CLAUSE_END.search(text, start + 1)
        end = end_m.start() if end_m else len(text)
        out.append(text[pos:start])
        out.append(_redact_clause(text[start:end]))
        pos = end
    out.append(text[pos:])
    return "".join(out)


def _names(text: str) -> str:
    text = _NAME_IS.sub(lambda m: _name_words(m, lambda w: w.lower() in _NOT_NAME_AFTER), text)
    text = _INTRO.sub(lambda m: _name_words(m, lambda w: w.lower().rstrip(".") in NOT_NAMES or w.lower() in TOPIC_WORDS
                                            or (w.isupper() and len(w) > 1)), text)

    def first_last(m: re.Match[str]) -> str:
        if m.group(1).lower() not in FIRST_NAMES:
            return m.group()
        last = m.group(3).split()
        if any(w.lower() in NOT_NAMES or w.lower() in TOPIC_WORDS for w in last):
            return m.group()
        return "[name]"

    return _FIRST_LAST.sub(first_last, text)


def _conditions(text: str) -> str:
    """Named conditions and medicines, in sentences about a person (not "can massage help with X?")."""
    parts = re.split(r"(?<=[.!?;])\s+", text)
    return " ".join(_CONDITION.sub("[health]", p) if _PERSONAL.search(p) else p for p in parts)



def _name_words(m: re.Match[str], stop: Callable[[str], bool]) -> str:
    """Replace the name words of group 3 ("my name is Jane Smith and ...") up to the first word
    `stop` accepts, keeping groups 1-2 and the rest of the text."""
    taken = []
    for w in m.group(3).split():
        if stop(w):
            break
        taken.append(w)
    if not taken:
        return m.group()
    return m.group(1) + m.group(2) + "[name]" + m.group(3)[len(" ".join(taken)):]

def redact(text: str) -> str:
    """The text with personal data replaced by bracketed tags ([name], [email], [health]...).
    Passes repeat until nothing changes (a rule's match can hide a neighbour from the same rule:
    "my name is my name is J"), so redacting twice changes nothing more."""
    for _ in range(4):
        out = _redact_once(text)
        if out == text:
            break
        text = out
    return text


def _redact_once(text: str) -> str:
    # Order matters: the most specific patterns first, so the digits of a card are not read as a
    # phone number and an email's name part is not read as a person's name.
    text = _EMAIL.sub("[email]", text)
    text = _OBFUSCATED_EMAIL.sub("[email]", text)
    text = _SORT_CODE.sub(_keep_prefix("number"), text)
    text = _BIRTH.sub(_keep_prefix("date of birth", 2), text)
    text = _DATE_WITH_YEAR.sub("[date]", text)
    text = _EXPIRY.sub(_keep_prefix("expiry"), text)
    text = _CVV.sub(_keep_prefix("cvv"), text)
    text = _IBAN.sub("[iban]", text)
    text = _CARD.sub("[card]", text)
    text = _ACCOUNT.sub(_account, text)
    text = _MMYY.sub("[expiry]", text)
    text = _STREET.sub("[address]", text)
    text = _POSTCODE_SHAPED.sub("[postcode]", text)
    text = _PHONE.sub(lambda m: "[phone]" if sum(c.isdigit() for c in m.group()) >= 7 else m.group(), text)
    text = _POSTCODE.sub("[postcode]", text)
    text = _DIGITS.sub("[number]", text)
    text = _names(text)
    text = _conditions(text)
    return _health_clauses(text)
