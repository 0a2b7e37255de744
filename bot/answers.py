"""Reading one reply to an interview question, however it comes: a tapped button, a number
("the second one", "1 and 4"), a plain yes or no, "I don't know", a button's words said loosely
("gentle stretchin"), or the person's own words ("it came on bit by bit", "bout 3 weeks").

The person's words are read by the findings extractor (bot/extraction.py): what they say about
the question chooses its answers ("worse when I cough" is the coughing answer), and what they
say about anything else is kept too ("low back, and it goes down to my knee" also says how far
it spreads). The phrases that only mean an answer ("bit by bit") and the whole-answer words
("nope", "idk") live in bot/data/answer_patterns.yml.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

import yaml

from bot.extraction import ANSWERS_PATH, Reading, edit_distance, read_text
from bot.model import Finding
from bot.questions import NONE, Button, Question
from bot.vocabulary import load_vocabulary

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
STOPWORDS = frozenset({
    "a", "an", "the", "my", "i", "it", "its", "is", "am", "im", "of", "or", "and", "to", "in", "on",
    "at", "with", "for", "me", "mine", "just", "only", "really", "mostly", "probably", "maybe",
    "think", "say", "id", "would", "like", "bit", "kind", "sort", "very", "quite", "that", "this",
    "yes", "yeah", "yep", "no", "not", "so", "ok", "okay", "um", "erm", "hmm", "well", "tbh",
    "lol", "when", "if", "do", "does", "get", "gets", "got", "have", "has", "had", "be", "been",
    "one", "ones", "some", "any", "all", "there", "here", "now", "too", "also", "then", "but",
    "your", "you", "over", "under", "into", "from", "by", "out", "up", "down",
})
FILLER = frozenset({
    "the", "one", "ones", "and", "number", "no", "option", "options", "answer", "answers", "plus",
    "also", "just", "only", "maybe", "think", "probably", "both", "say", "id", "those", "these",
    "them", "i", "its", "it", "is", "a", "an", "of", "too", "with", "yes", "yeah", "then", "last",
})
MINUTES = {"minute": 1, "minutes": 1, "min": 1, "mins": 1, "m": 1, "hour": 60, "hours": 60,
           "hr": 60, "hrs": 60, "h": 60}
WEEKS = {"day": 1 / 7, "days": 1 / 7, "d": 1 / 7, "week": 1, "weeks": 1, "wk": 1, "wks": 1,
         "w": 1, "fortnight": 2, "month": 4.3, "months": 4.3, "mo": 4.3, "mth": 4.3, "mths": 4.3,
         "year": 52, "years": 52, "yr": 52, "yrs": 52, "y": 52}
NUMBER_WORDS = {"one": 1, "a": 1, "an": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
                "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
                "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
                "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40,
                "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
                "couple": 2, "few": 3, "several": 4, "half": 0.5}
TENS = {"twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"}
NEGATING = frozenset({"no", "not", "nt", "never", "none", "without", "nothing", "neither", "nor"})
# "one of them", "a couple of those": some of the answers, without saying which
SOME_OF = re.compile(r"\b(one|some|a couple|a few|couple|few|either|two|several|1|2) of "
                     r"(them|those|these|the above|em|that list)\b")
# "maybe", "possibly yes": unsure whether one applies (for a warning sign: ask which)
MAYBE = re.compile(r"^(maybe|possibly|perhaps|probably|might be|could be|i think so|think so|"
                   r"kind of|sort of)\b|\b(maybe|possibly) (yes|yeah|one)\b")
# "not much, maybe a warm bath", "nothing really except lying down": a hedged no that names
# one answer after all (for a warning sign, any mention counts as it always has)
HEDGED_NO = re.compile(r"^(not (much|really|a lot)|nothing (much|really)|hardly anything) "
                       r"(maybe|perhaps|except|apart from|other than|but|only) (?P<rest>.+)$")
# The questions whose signs count only when new (a cancer years ago still counts).
NEW_SIGNS = frozenset({"screen_emergency"})
# A nerve warning sign is a new one: at that screen, a reply that calls what it names old
# ("I've leaked a bit since the kids, nothing new") and says nothing of now answers "none".
OLD_ONLY = re.compile(
    r"\b(nothing new|not new|always (has|have|had|been)|for (years|ages|a couple of years)|"
    r"years ago|since (my|the) (kids|children|baby|babies)|long standing|nothing to do with "
    r"(this|it|my back)|same as always)\b")
NOW = re.compile(r"\b(now|today|yesterday|tonight|this (week|morning|time)|since (this|it|the "
                 r"pain|my back)|started|recently|lately|new(?! .{0,3}$))\b")


@dataclass(frozen=True)
class Answer:
    """What one reply to a question says.

    `kind` is "answer" (something usable), "dont_know", "skip" (declined), "why", "done" (no
    more answers to a several-choice question), "unclear" (a yes that does not say which), or
    "none" (nothing usable: the question is asked again). `findings` are what to record: the
    answer's own and what the words said about other things (`extra`, which are also in
    `findings`).
    """

    kind: str
    choices: tuple[str, ...] = ()
    findings: tuple[Finding, ...] = ()
    extra: tuple[Finding, ...] = ()

    @property
    def usable(self) -> bool:
        return self.kind == "answer"


@dataclass
class _Choices:
    """Answers found so far, by how sure the reading is (words, then findings, then phrases)."""

    explicit: list[str] = field(default_factory=list)
    from_findings: list[str] = field(default_factory=list)
    from_phrases: list[str] = field(default_factory=list)

    def all(self) -> list[str]:
        return list(dict.fromkeys(self.explicit + self.from_findings + self.from_phrases))

    def best(self) -> list[str]:
        for tier in (self.explicit, self.from_findings, self.from_phrases):
            if tier:
                return list(dict.fromkeys(tier))
        return []


@lru_cache(maxsize=1)
def answer_words() -> dict[str, Any]:
    """The whole-answer word lists of answer_patterns.yml, normalised."""
    raw = yaml.load(ANSWERS_PATH.read_text(encoding="utf-8"), Loader=_LOADER) or {}
    words = raw.get("words") or {}
    out: dict[str, Any] = {key: frozenset(normalise(w) for w in words.get(key) or [])
                           for key in ("dont_know", "skip", "why", "none", "done", "yes", "no",
                                       "none_anywhere", "all")}
    out["ordinals"] = {str(k).lower(): int(v) for k, v in (words.get("ordinals") or {}).items()}
    return out


SUBJECTS = re.compile(
    r"^(he|she|they|my \w+|mum|mom|dad|i|id|i would|honestly|well|um|erm|hmm|ok|okay)"
    r"( says| said| thinks| would say| d say| reckons)? ")


def normalise(text: str) -> str:
    """Lower case, apostrophes dropped, other punctuation a space, numbers apart from units
    ("6wks"), ranges as words ("30-60" is "30 to 60"), stretched words shortened ("noo")."""
    text = text.lower().replace("’", "'").replace("'", "")
    text = re.sub(r"(\d)\s*-\s*(\d)", r"\1 to \2", text)
    text = re.sub(r"(\d)([a-z])", r"\1 \2", text)
    text = re.sub(r"([a-z])-([a-z])", r"\1 \2", text)
    text = re.sub(r"[^\w\s/]", " ", text)
    text = re.sub(r"\b(n)o{2,}\b|\b(y)e+s+\b", lambda m: "no" if m.group(1) else "yes", text)
    return " ".join(text.split())


def _without_subject(norm: str) -> str:
    """"he says no to all of those" -> "no to all of those"."""
    stripped = SUBJECTS.sub("", norm, count=1)
    return stripped if stripped != norm and stripped else norm


def says_none(norm: str) -> bool:
    """Whether a reply says no to everything asked ("nah none of that", "all no", "he says
    hes fine on all of them")."""
    words = answer_words()
    for text in (norm, _without_subject(norm)):
        if _starts_with(text, words["none"]) or _starts_with(text, words["no"]):
            return True
        if any(re.search(rf"\b{re.escape(p)}\b", text) for p in words["none_anywhere"]):
            return True
        if re.search(r"\b(so|just) no$|, no$|\bis a no\b", text):
            return True
    return False


def read_answer(
    question: Question,
    text: str,
    known: dict[str, Finding],
    chosen: Iterable[str] = (),
    payload: str | None = None,
) -> Answer:
    """Read `text` (or a tapped `payload`) as a reply to `question`, as it was shown."""
    shown = question.shown(known, chosen)
    if payload is not None:
        button = _button(question, payload)
        if button is None:
            return Answer("none")
        if button.dont_know:
            return Answer("dont_know")
        return Answer("answer", (button.payload,), tuple(_button_findings(question, button, shown)))
    norm = normalise(text)
    words = answer_words()
    if not norm:
        return Answer("none")
    hedged = HEDGED_NO.match(norm) if question.stage != "screen" else None
    if hedged:  # "not much, maybe a warm bath": the warm bath, not a denial of it
        text = norm = hedged.group("rest")
    if norm in words["why"] or norm.startswith("why do you") or norm.startswith("why are you"):
        return Answer("why")
    if question.stage == "screen" and MAYBE.search(norm) and not re.search(
            r"\b(not sure|dont know|do not know|no idea)\b", norm):
        return Answer("unclear")  # "maybe, yes": which one is asked, not guessed
    if norm in words["dont_know"] or _without_subject(norm) in words["dont_know"]:
        return Answer("dont_know")
    if norm in words["skip"]:
        return Answer("skip")
    if chosen and question.multiple and norm in words["done"]:
        return Answer("done")
    reading = _framed(question, read_text(text, replying=True), norm)
    choices = _Choices()
    negated = bool(NEGATING & set(norm.split()))
    some_of = bool(SOME_OF.search(norm))
    if not question.numeric or (question.id != "age" and re.fullmatch(r"\d", norm)):
        choices.explicit += _ordinals(SOME_OF.sub(" ", norm).strip(), shown, question.multiple)
    elif _placed(norm.split()):  # "the first one" to how long: a place, not a number of weeks
        choices.explicit += _ordinal_words(norm.split(), shown)
    if not negated:
        choices.explicit += _titles(norm, shown)
    choices.explicit += _values(question, norm, reading)
    relevant = [f for f in reading.findings if f.id in question.reveals]
    present = {f.id for f in relevant if f.present}
    scored = []
    for button in shown if question.read_findings else []:
        covered = present & set(button.present)
        if covered and not present & set(button.denied):  # no answer that contradicts the words
            scored.append((len(covered) / len(button.present), button.payload))
    choices.from_findings += [payload for _, payload in sorted(scored, key=lambda s: -s[0])]
    prefix = f"{question.id}:"
    options = {button.payload for button in shown}
    reveals = set(question.reveals)
    phrased = sorted(
        ((mark.words, mark.start, key[len(prefix):]) for key, mark in reading.answers.items()
         if mark.present and key.startswith(prefix) and key[len(prefix):] in options
         and not mark.inside & reveals),  # a finding of the question's own says it better
        key=lambda item: (-item[0], item[1]),
    )
    for words_, _, payload in phrased:
        (choices.explicit if words_ >= 3 else choices.from_phrases).append(payload)
    starts_no = says_none(norm) or norm.split()[0] in NEGATING - {"not"}  # "not X, it's Y"
    if starts_no and not choices.explicit and not choices.from_findings and (
            question.multiple or question.no_answer):
        choices.from_phrases = []  # "no, bladder and everything down there is normal"
    if _starts_with(norm, words["dont_know"]) and not choices.explicit:
        return Answer("dont_know", (), tuple(reading.findings), tuple(reading.findings))
    old_only = question.id in NEW_SIGNS and bool(OLD_ONLY.search(norm)) and not NOW.search(
        norm.replace("nothing new", "").replace("not new", ""))
    if old_only:
        choices = _Choices(explicit=[NONE])
    picked = _pick(question, choices)
    extra = [f for f in reading.findings if f.id not in question.reveals]
    if not picked and any(f.present for f in relevant):
        # understood, though no button says it ("stuck in one position for hours")
        return Answer("answer", (), tuple(reading.findings), tuple(extra))
    if not picked:
        picked = _yes_no(question, norm, shown, words)
        if some_of and not picked:
            picked = ["?"]  # "some of them": a yes that does not say which
        if picked == ["?"]:
            if question.stage == "screen":
                unspecified = f"screen_yes_{question.id.removeprefix('screen_')}"
                finding = Finding(unspecified, True, evidence=text.strip()[:80])
                return Answer("answer", (), (finding, *reading.findings), tuple(extra))
            return Answer("unclear", (), tuple(reading.findings), tuple(extra))
    if not picked and _says_dont_know(norm):  # "it only started this morning so dunno"
        return Answer("dont_know", (), tuple(extra), tuple(extra))
    if not picked:
        if relevant:  # only denials of what it asks ("not when I sit"): noted, still asked
            return Answer("none", (), tuple(reading.findings), tuple(extra))
        return Answer("none", (), tuple(extra), tuple(extra))
    findings: list[Finding] = []
    by_findings = set(picked) <= set(choices.from_findings) and not choices.explicit
    for chosen_payload in picked:
        button = _button(question, chosen_payload)
        if button is None:
            continue
        if by_findings and button.payload != NONE:
            continue  # the words' own findings are more precise than the button's
        findings += _button_findings(question, button, shown)
    findings += _value_findings(question, norm, reading, picked)
    findings += [f for f in reading.findings if not any(g.id == f.id for g in findings)]
    if old_only:  # the old sign named is not a warning sign now
        vocabulary = load_vocabulary()
        findings = [f for f in findings if not (
            f.present and f.id in vocabulary and vocabulary[f.id].group == "red_flag")]
    return Answer("answer", tuple(picked), tuple(findings), tuple(extra))


# ------------------------------------------------------------------------------- readers
# A position read in the words alone ("bending forward", "sitting") is one the question asks
# about: said to "what makes it worse?" it makes it worse, to "what makes it better?" better.
FRAMED = {"worse": ("worse_", "better_"), "better": ("better_", "worse_")}
FRAME_WORDS = {
    "worse": re.compile(r"\b(helps?|helped|helping|better|eases?|eased|easier|relie\w*|sorts|"
                        r"soothes?|fine|ok|okay|best|only thing)\b"),
    "better": re.compile(r"\b(worse|worst|hurts?|hurting|painful|agony|kills?|aggravates?|"
                         r"triggers?|sets? (it )?off|flares?|bad|cant|can not|cannot)\b"),
}


def _framed(question: Question, reading: Reading, norm: str) -> Reading:
    """The reading with findings of the other direction turned to the question's own, when
    the reply has no word of that other direction ("bending forward" to "what makes it
    worse?" is not relief from leaning forward)."""
    frame = FRAMED.get(question.id)
    if frame is None or FRAME_WORDS[question.id].search(norm):
        return reading
    own, other = frame
    vocabulary = load_vocabulary()
    findings = []
    for finding in reading.findings:
        turned = own + finding.id[len(other):]
        if finding.id.startswith(other) and turned in vocabulary \
                and turned in question.reveals:
            finding = Finding(turned, finding.present, finding.value, finding.evidence)
        findings.append(finding)
    return Reading(findings, reading.answers)


def _says_dont_know(norm: str) -> bool:
    """A reply that says "I don't know" somewhere ("it only started today so dunno")."""
    phrases = answer_words()["dont_know"] - {"maybe", "possibly", "unknown", "old enough"}
    return any(re.search(rf"(^|\s){re.escape(p)}($|\s)", norm) for p in phrases)


def _starts_with(norm: str, phrases: frozenset[str]) -> bool:
    """The answer is one of `phrases`, or starts with one and goes on ("none, I'm fit")."""
    return norm in phrases or any(norm.startswith(p + " ") for p in phrases if len(p) > 1)


def _button(question: Question, payload: str) -> Button | None:
    try:
        return question.button(payload)
    except ValueError:
        return None


def _button_findings(question: Question, button: Button, shown: list[Button]) -> list[Finding]:
    if button.payload == NONE and question.multiple:
        return question.none_findings(shown)
    return button.findings()


def _pick(question: Question, choices: _Choices) -> list[str]:
    """The answers the reply gives: several for a several-choice question (without "none"
    beside real answers), else the surest one."""
    if question.multiple:
        picked = choices.all()
        real = [p for p in picked if p != NONE]
        return real or picked
    best = choices.best()
    return best[:1]


def _ordinals(norm: str, shown: list[Button], multiple: bool = False) -> list[str]:
    """"the second one", "1 and 4", "number 3", "last one", "the first three", "all of
    them": buttons by their place, said alone or to open the answer ("the third one. things
    haven't worked since")."""
    options = [b for b in shown if b.payload != "none"]
    if multiple and norm in answer_words()["all"]:
        return [b.payload for b in options]
    first = re.fullmatch(r"(?:all of )?(?:the )?first (two|three|four|2|3|4)(?: ones?)?", norm)
    if first:
        count = answer_words()["ordinals"].get(first.group(1)) or int(first.group(1))
        return [b.payload for b in options[:count]]
    found = _ordinal_words(norm.split(), shown)
    if found:
        return found
    words = norm.split()
    for cut in range(min(len(words) - 1, 6), 0, -1):
        found = _ordinal_words(words[:cut], shown)
        if found and any(w.isdigit() or w != "one" and w in answer_words()["ordinals"]
                         or w == "last" for w in words[:cut]):  # "the one patch": no place
            return found
    return []


def _placed(tokens: list[str]) -> bool:
    """Whether the words name a place in the list ("second", "3rd", "last", "the middle
    one"), not only a number ("3" may be weeks, "one" may be "the one patch")."""
    ordinals = answer_words()["ordinals"]
    return any(t in ("last", "middle") or t in ordinals and not t.isdigit()
               and t not in NUMBER_WORDS for t in tokens)


def _ordinal_words(tokens: list[str], shown: list[Button]) -> list[str]:
    numbers = []
    ordinals = answer_words()["ordinals"]
    placed = any(t in ordinals and t not in ("one",) or t.isdigit() or t in ("last", "middle")
                 for t in tokens)
    for token in tokens:
        if token.isdigit():
            numbers.append(int(token))
        elif token == "one" and placed:
            continue  # "the last one", "the second one"
        elif token in ordinals:
            numbers.append(ordinals[token])
        elif token == "last":
            numbers.append(len(shown))
        elif token == "middle":
            if any("middle" in b.title.lower() for b in shown):
                return []  # "middle" is one of the answers ("In the middle only")
            numbers.append((len(shown) + 1) // 2)
        elif token not in FILLER:
            return []  # other words: the numbers are about something else ("3 weeks")
    return [shown[n - 1].payload for n in dict.fromkeys(numbers) if 1 <= n <= len(shown)]


def _content(text: str) -> list[str]:
    return [w for w in normalise(text).split() if w not in STOPWORDS]


def _same_word(a: str, b: str) -> bool:
    if a == b or (
        len(a) >= 4 and (b.startswith(a) or a.startswith(b)) and abs(len(a) - len(b)) <= 3
    ):
        return True
    return len(a) >= 5 and len(b) >= 5 and edit_distance(a, b) <= 1


def _titles(norm: str, shown: list[Button]) -> list[str]:
    """A button's own words said loosely: every word of the reply is in its title ("None of
    these" only when said outright: "one of those" is not it)."""
    words = _content(norm)
    if not words or len(words) > 6:
        return []
    found = []
    for button in shown:
        if button.payload == NONE:
            continue
        title = _content(normalise(button.title).split(" not ")[0]) + [
            button.payload.replace("_", " ")]
        if all(any(_same_word(w, t) for t in title) for w in words):
            found.append(button.payload)
    return found if len(found) <= 2 else []  # a word in every title says nothing


def _yes_no(question: Question, norm: str, shown: list[Button], words: dict[str, Any]) -> list[str]:
    """A plain no: "None of these", or the question's "No" answer; a plain yes: its one "Yes"
    answer, or "?" when it does not say which."""
    first = norm.split()[0] if norm else ""
    is_no = says_none(norm) or first in {"no", "not", "nope", "nah", "never", "none", "nothing"}
    is_yes = not is_no and (norm in words["yes"] or first in {"yes", "yeah", "yep", "yup"})
    if is_no:
        if question.no_answer and any(b.payload == question.no_answer for b in shown):
            return [question.no_answer]
        if any(b.payload == NONE for b in shown):
            return [NONE]
        return []
    if is_yes:
        yes = [b.payload for b in shown if normalise(b.title).startswith("yes")]
        if len(yes) == 1:
            return yes
        return ["?"] if question.multiple or yes else []
    return []


def _numbers(norm: str) -> list[tuple[float, str]]:
    """Numbers with the word after them: "3 weeks" -> (3, "weeks"), "half an hour"."""
    tokens = norm.split()
    out = []
    skip = -1
    for index, token in enumerate(tokens):
        if index == skip:
            continue
        value: float | None = None
        if re.fullmatch(r"\d+(\.\d+)?", token):
            value = float(token)
        elif token in NUMBER_WORDS:
            value = float(NUMBER_WORDS[token])
            nxt = tokens[index + 1] if index + 1 < len(tokens) else ""
            if token in TENS and nxt in NUMBER_WORDS and NUMBER_WORDS[nxt] < 10:
                value += NUMBER_WORDS[nxt]  # "thirty six"
                skip = index + 1
                index += 1
        if value is None:
            continue
        if tokens[index + 1:index + 4] == ["and", "a", "half"]:
            value += 0.5  # "two and a half months"
            tokens = tokens[:index + 1] + tokens[index + 4:]
        before = tokens[max(0, index - 2):index]
        if any(w in ("over", "more", "longer", "least") for w in before):
            value += 0.01 if value < 1 else 1
        elif any(w in ("under", "less", "within") for w in before):
            value -= 0.01 if value < 1 else 1
        after = tokens[index + 1] if index + 1 < len(tokens) else ""
        if after in {"of", "an", "a"} and index + 2 < len(tokens):
            after = tokens[index + 2]
        if token == "half" and after in ("hour", "an", "a"):
            after = "hour"
        out.append((value, after))
    return out


def _values(question: Question, norm: str, reading: Reading) -> list[str]:
    """Answers given as values: an age, how long the pain has lasted, minutes of stiffness."""
    if question.id == "age":
        age = _age(norm, reading)
        return [_band(question, age)] if age is not None else []
    if question.id == "duration":
        weeks = _weeks(norm, reading)
        if weeks is None:
            return []
        return ["acute" if weeks < 6 else "chronic" if weeks > 12 else "subacute"]
    if question.id == "morning_stiffness":
        minutes = _minutes(norm)
        if minutes is None:
            return []
        return ["short" if minutes < 30 else "long" if minutes <= 60 else "very_long"]
    return []


DECADES = {"teens": 15, "twenties": 25, "thirties": 35, "forties": 45, "fifties": 55,
           "sixties": 65, "seventies": 75, "eighties": 85, "nineties": 95}
YEARS = {"years", "year", "yrs", "yr", "yo", "y", "young", "old"}


def _age(norm: str, reading: Reading) -> int | None:
    """An age however it is given: "57", "mid forties", "nearly 50", "born in 1990"."""
    for finding in reading.findings:
        if finding.id == "age" and isinstance(finding.value, int):
            return finding.value
    born = re.search(r"\bborn in (19\d\d|20[0-2]\d)\b", norm)
    if born:
        return date.today().year - int(born.group(1))
    decade = re.search(r"\b(early|mid|late)? ?(teens|twenties|thirties|forties|fifties|sixties|"
                       r"seventies|eighties|nineties)\b", norm)
    if decade:
        shift = {"early": -3, "late": 3}.get(decade.group(1) or "", 0)
        return DECADES[decade.group(2)] + shift
    tens = re.search(r"\b(early|mid|late)? ?([1-9])0 ?'?s\b", norm)  # "late 60s"
    if tens:
        return int(tens.group(2)) * 10 + {"early": 2, "late": 8}.get(tens.group(1) or "", 5)
    plain = re.sub(r"\b(a|an)\b", " ", norm)  # "I'm a woman" gives no age
    numbers = [(v, after) for v, after in _numbers(plain) if after not in WEEKS or after in YEARS]
    numbers = [(v, a) for v, a in numbers if v >= 1]
    if len(numbers) == 1 and 1 <= numbers[0][0] <= 110:
        age = int(numbers[0][0])
        if re.search(r"\b(nearly|almost|not quite|just under)\b", norm):
            age -= 1
        return age
    return None


def _band(question: Question, age: int) -> str:
    """The age button whose band holds `age` (the buttons carry one age each, in order)."""
    bands = [(dict(b.values).get("age"), b.payload) for b in question.options if b.values]
    limits = {"under_20": (0, 19), "20_39": (20, 39), "40_49": (40, 49), "50_59": (50, 59),
              "60_69": (60, 69), "70_plus": (70, 200)}
    for _value, payload in bands:
        low, high = limits.get(payload, (0, -1))
        if low <= age <= high:
            return payload
    return bands[-1][1]


def _weeks(norm: str, reading: Reading) -> float | None:
    """How long the pain has lasted, in weeks."""
    values = {f.id: f.value for f in reading.findings if isinstance(f.value, int)}
    if "onset_age" in values and "age" in values and values["age"] > values["onset_age"]:
        return float(values["age"] - values["onset_age"]) * 52  # "since I was 17, I'm 34 now"
    for finding in reading.findings:
        if finding.id == "duration_acute" and isinstance(finding.value, int):
            return float(finding.value)
    if re.fullmatch(r"(a |about a |nearly a )?fortnight( ago)?", norm):
        return 2.0
    since = re.search(r"\bsince (19\d\d|20\d\d)\b", norm)
    if since and date.today().year > int(since.group(1)):
        return float(date.today().year - int(since.group(1))) * 52
    for value, unit in _numbers(norm):
        if unit in WEEKS:
            return value * WEEKS[unit]
    chronic = {f.id: f.present for f in reading.findings}.get("duration_chronic")
    if chronic:
        return 52.0
    return None


def _minutes(norm: str) -> float | None:
    found = [value * MINUTES[unit] for value, unit in _numbers(norm) if unit in MINUTES]
    if found:
        return max(found)
    if re.search(r"\b(over|more than) (an|one|a) (hour|hr)\b", norm):
        return 61.0
    if re.search(r"\b(an|one|a) (hour|hr)\b", norm):
        return 60.0
    return None


def _value_findings(
    question: Question, norm: str, reading: Reading, picked: list[str]
) -> list[Finding]:
    """The values the person gave, as they gave them (57, not the band's 55)."""
    if question.id == "age":
        age = _age(norm, reading)
        if age is not None:
            return [Finding("age", True, age, norm)]
    if question.id == "duration":
        weeks = _weeks(norm, reading)
        if weeks is not None and weeks < 6:
            return [Finding("duration_acute", True, max(int(round(weeks)), 0), norm),
                    Finding("duration_chronic", False)]
    if question.id == "morning_stiffness":
        minutes = _minutes(norm)
        if minutes is not None and picked and picked[0] != "none":
            return [Finding("morning_stiffness", True, int(minutes), norm),
                    Finding("morning_stiffness_long", minutes > 30)]
    return []
