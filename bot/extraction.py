"""Findings extraction: free text in, findings from bot/data/findings.yml out.

A blank spaCy English pipeline with medspaCy components, all rule based (no model download):

1. `lbp_normaliser` sets each token's NORM: lay spellings from the data file, and a fuzzy
   correction of misspelt words (5+ letters) to the nearest word the patterns know.
2. medspaCy's TargetMatcher finds the phrases of bot/data/finding_patterns.yml, matched on NORM
   (by an AnchoredMatcher that tries only the phrases whose key word is in the text).
3. medspaCy's ConText marks what is denied ("no numbness"), someone else's ("my dad had a slipped
   disc"), hypothetical ("what if I get a fever") or uncertain ("maybe a fever").
4. Code here turns spans into Findings: values (age, sex, minutes of stiffness, weeks of pain),
   implied findings (pain below the knee implies the thigh) and both-legs symptoms.

The phrases live in the data file; this module holds the logic. The pattern mini-language:
words separated by spaces, each matching its simple inflections (sit: sits, sitting...);
`a|b` one of several words; `@name` a word list from `macros`; `w?` an optional token; `*N` up
to N filler tokens (never punctuation, a negation or a clause word such as "and"); `&N` the same
but "and" and "or" may be among them ("feels rubbery and numb"); `#num` a number; `^Word` exact
case.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import spacy
import yaml
from medspacy.context import ConText, ConTextRule
from medspacy.target_matcher import TargetMatcher, TargetRule
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc, Span, Token

from bot.model import Finding
from bot.vocabulary import DATA_DIR, load_relations, load_vocabulary

PATTERNS_PATH = DATA_DIR / "finding_patterns.yml"
ANSWERS_PATH = DATA_DIR / "answer_patterns.yml"
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
SPAN_GROUP = "lbp_findings"
Put = Callable[..., None]  # records one finding: put(id, present, evidence, value=None)
FIRST_PERSON = {"i", "me", "my", "mine", "myself", "am", "im"}
# words of a FAMILY modifier that may name the person someone writes for ("typing for my
# daughter, she's 14"): pronouns, the relative named in the proxy phrase, and glue
PROXY_PRONOUNS = {"he", "she", "they", "his", "her", "him", "them", "their", "hers", "theirs",
                  "my", "'s"}
LEG_NERVE_SYMPTOMS = (
    "sens_numbness", "sens_tingling", "sens_heaviness", "sens_shooting", "sens_burning",
    "leg_weakness", "severe_weakness", "foot_drop", "leg_numbness_spreading",
)
# after sport, only these still speak of the nerves in both legs (tired or burning legs do not)
EXERTION_PROOF = (
    "sens_numbness", "sens_tingling", "leg_weakness", "severe_weakness", "foot_drop",
    "leg_numbness_spreading",
)
SIDE_IDS = {"side_one", "side_both", "side_alternating"}  # phrases that only say which side
# the findings that say where and how it hurts: whoever they are said of is the person described
COMPLAINT_GROUPS = {"location", "spread", "sensation", "worse", "better", "red_flag"}
# words that end the reach of a time long past (TERMINATE modifiers inside a target are lost)
PAST_BREAKS = {"and", "or", "but", "now", "since", "today", "yesterday", "tonight", "then",
               "however", "though", "although", "because", "so", "still", ","}
# people in general ("everyone walked out of the crash"): no one else's story
ANYONE = {"everyone", "everybody", "someone", "somebody", "people"}
SHARED = {"too", "also"}  # "my husband has back pain too": the writer has it as well
# (not after "he" or "she" in its sentence: "he's also had a new ache", "his shoulders are uneven
# too")
# what a writer says of themself while describing someone else ("the worst I've seen it")
WRITER_VERBS = {"seen", "saw", "see", "think", "thought", "noticed", "notice", "know", "knew",
                "guess", "believe", "suspect", "wonder", "worry", "worried", "reckon", "hope",
                "watched", "watch", "took", "take", "mean", "told", "asked", "tried"}
WRITER_GLUE = {"have", "'ve", "am", "'m", "do", "did", "really", "just", "ever", "never", "'d",
               "would", "also", "honestly", "can", "could", "not"}
# ... but "too" before a word of how much ("her legs felt too weak", "too much") says how much
TOO_ENDS = {"and", "but", "so", "now", "then", "though", "lol", "tbh", "as", "i", "my", "me"}
# how muscles feel after sport (not how a nerve hurts)
MUSCLE_SORE = ("sore", "ache", "achy", "achey", "stiff", "tender", "tight", "bad", "niggle")
# words that keep a short "both legs" sentence from carrying the symptoms of the one before
CARRY_STOP = {"fine", "normal", "ok", "okay", "no", "not", "never", "neither", "nor"}
LEG_SPREAD = ("spread_thigh", "spread_thigh_back", "spread_thigh_front", "spread_below_knee",
              "spread_foot")


# contractions in a phrase, spelt the way the tokenizer's norms spell them
CONTRACTIONS = (
    (r"\bcan't\b", "can not"), (r"\bwon't\b", "will not"), (r"n't\b", " not"),
    (r"'ve\b", " have"), (r"'m\b", " am"), (r"'re\b", " are"), (r"'ll\b", " will"),
    (r"(\w)'s\b", r"\1 's"), (r"'d\b", " would"),
)
FUNCTION_WORDS = {
    "the", "and", "but", "not", "any", "more", "most", "some", "very", "this", "that", "with",
    "from", "into", "onto", "over", "under", "than", "then", "when", "while", "what", "which",
    "your", "their", "there", "here", "were", "have", "has", "had", "was", "are", "one", "all",
    "off", "out", "for", "too", "also", "just", "only", "even", "ever", "never", "none", "nor",
    "can", "could", "would", "should", "will", "does", "did", "done", "been", "being", "its",
    "his", "her", "him", "she", "they", "them", "our", "who", "how", "why", "where", "after",
    "before", "since", "until", "about", "around", "through", "down", "less", "much",
}
NOT_AGE_AFTER = {"%", "kg", "kilos", "stone", "lbs", "pounds", "times", "degrees", "am", "pm",
                 "a.m.", "p.m.", "c", "°", "miles", "metres", "meters", "feet", "steps", "cm"}


_CONTRACTIONS_RE = tuple((re.compile(old), new) for old, new in CONTRACTIONS)
# Contractions typed without the apostrophe, as the tokenizer splits them ("whats" is "what",
# "s"): a phrase's "whats" is written "what 's", and the text's "s" after such a word is read
# as "'s" (and "m" after "i" as "am").
BARE_CONTRACTIONS = {"whats": "what 's", "thats": "that 's", "wheres": "where 's",
                     "theres": "there 's", "hes": "he 's", "shes": "she 's"}
_BARE_RE = re.compile(r"\b(" + "|".join(BARE_CONTRACTIONS) + r")\b")
SPLIT_CONTRACTIONS = {("s", "what"): "'s", ("s", "that"): "'s", ("s", "where"): "'s",
                      ("s", "there"): "'s", ("s", "he"): "'s", ("s", "she"): "'s",
                      ("s", "it"): "'s", ("m", "i"): "am"}


@cache
def _expand_contractions(phrase: str) -> str:
    phrase = _BARE_RE.sub(lambda m: BARE_CONTRACTIONS[m.group(1)], phrase)
    if "'" not in phrase:
        return phrase  # most phrases: nothing to expand (keeps loading fast)
    for old, new in _CONTRACTIONS_RE:
        phrase = old.sub(new, phrase)
    return phrase


def _split_hyphens(phrase: str) -> str:
    """'light-headed' as the tokenizer splits it: light, an exact hyphen, headed."""
    if "-" not in phrase:
        return phrase
    return " ".join(
        part.replace("-", " ^- ") if "-" in part.strip("-") and "|" not in part
        and part[0] not in "^=*#@" else part
        for part in phrase.split()
    )


class PatternError(ValueError):
    """The findings pattern file is malformed."""


# --------------------------------------------------------------------------- word forms


def inflections(word: str) -> set[str]:
    """The word and its plausible regular inflections (a stray extra form is harmless)."""
    forms = {word}
    if len(word) < 3 or not word.isalpha() or word in FUNCTION_WORDS:
        return forms
    if word.endswith("y") and word[-2] not in "aeiou":
        return forms | {word[:-1] + "ies", word[:-1] + "ied", word + "ing"}
    forms.add(word + "es" if re.search(r"(s|sh|ch|x|z|o)$", word) else word + "s")
    if word.endswith("e"):
        return forms | {word[:-1] + "ing", word + "d"}
    forms |= {word + "ing", word + "ed"}
    if re.search(r"[^aeiou][aeiou][bdgklmnprtz]$", word):
        forms |= {word + word[-1] + "ing", word + word[-1] + "ed"}
    return forms


def edit_distance(a: str, b: str) -> int:
    """Optimal string alignment distance (Levenshtein plus adjacent transpositions)."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[-1]


class FuzzyNormaliser:
    """Corrects a misspelt word to the closest word the patterns use (symmetric-delete lookup).

    Words of `min_length`+ letters may be one insertion, deletion or transposition away from a
    pattern word; words of 8+ letters may also have one or two substitutions. The first letter
    must agree, which keeps real words ("horse", "talking") from becoming pattern words ("worse",
    "walking"); `ignore` lists real words that would still be caught.
    """

    def __init__(
        self, vocabulary: set[str], min_length: int, ignore: set[str], base: set[str]
    ) -> None:
        self.vocabulary = {w for w in vocabulary if w.isalpha() and len(w) >= min_length - 1}
        self.base = base
        self.min_length = min_length
        self.ignore = ignore
        self.index: dict[str, list[str]] = {}
        for word in self.vocabulary:
            for variant in {word[:i] + word[i + 1:] for i in range(1, len(word))} | {word}:
                self.index.setdefault(variant, []).append(word)

    @lru_cache(maxsize=8192)  # noqa: B019 - one normaliser per process, bounded cache
    def correct(self, word: str) -> str | None:
        """The vocabulary word meant by `word`, or None if it is known or nothing is close."""
        if len(word) < self.min_length or not word.isalpha() or word in self.vocabulary:
            return None
        if word in self.ignore:
            return None
        limit = 2 if len(word) >= 8 else 1
        candidates: set[str] = set()
        for variant in {word[:i] + word[i + 1:] for i in range(1, len(word))} | {word}:
            candidates.update(self.index.get(variant, ()))
        best: tuple[int, int, str] | None = None
        for cand in candidates:
            if cand[0] != word[0] or abs(len(cand) - len(word)) > limit:
                continue
            dist = edit_distance(word, cand)
            if dist > limit:
                continue
            if len(word) < 8 and len(cand) == len(word) and sorted(cand) != sorted(word):
                continue  # a substitution in a short word: too likely another real word
            prefix = len(_common_prefix(word, cand))
            key = (dist, cand not in self.base, -prefix, cand)
            if best is None or key < best:
                best = key
        return best[-1] if best else None


def _common_prefix(a: str, b: str) -> str:
    i = 0
    while i < min(len(a), len(b)) and a[i] == b[i]:
        i += 1
    return a[:i]


# --------------------------------------------------------------------------- patterns


@dataclass
class PatternSet:
    """The parsed pattern file."""

    macros: dict[str, set[str]]
    spellings: dict[str, str]
    gap_stop: set[str]
    fuzzy_min_length: int
    fuzzy_ignore: set[str]
    numbers: dict[str, float]
    minutes: dict[str, float]
    weeks: dict[str, float]
    decades: dict[str, int]
    duration_blockers: set[str]
    duration_weeks: tuple[float, float]  # acute below the first, chronic above the second
    sexes: dict[str, str]
    sex_of: dict[str, str]
    context: list[dict[str, Any]]
    findings: list[dict[str, Any]]
    combine: dict[str, list[str]]
    sentence_rules: list[dict[str, Any]]
    vocabulary: set[str] = field(default_factory=set)
    marker_groups: dict[str, str] = field(default_factory=dict)  # "_back": "location"


def _need(entry: dict, key: str, kind: type, where: str) -> Any:
    value = entry.get(key)
    if not isinstance(value, kind) or (kind is not bool and not value):
        raise PatternError(f"{PATTERNS_PATH.name}: {where}: field {key!r} is missing or wrong")
    return value


def load_patterns(path: Path = PATTERNS_PATH) -> PatternSet:
    """Read and check the pattern file; a bad entry fails naming the entry and field."""
    raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)  # noqa: S506
    known = set(load_vocabulary())
    macros = {name: {str(w).lower() for w in words} for name, words in raw["macros"].items()}
    findings = []
    for index, entry in enumerate(raw.get("findings") or []):
        where = f"finding entry #{index} ({entry.get('id', '?')})"
        fid = _need(entry, "id", str, where)
        if not fid.startswith("_") and fid not in known:
            raise PatternError(f"{path.name}: {where}: field 'id' is not in findings.yml")
        for key in ("phrases", "denied"):
            if key in entry and not isinstance(entry[key], list):
                raise PatternError(f"{path.name}: {where}: field {key!r} must be a list")
        if not entry.get("phrases") and not entry.get("denied"):
            raise PatternError(f"{path.name}: {where}: field 'phrases' is missing")
        if "group" in entry and (not fid.startswith("_") or not isinstance(entry["group"], str)):
            raise PatternError(f"{path.name}: {where}: field 'group' is for markers (ids with _)")
        for key in ("also", "family_id"):
            ids = entry.get(key) or []
            for other in [ids] if isinstance(ids, str) else ids:
                if other not in known and not other.startswith("_"):
                    raise PatternError(f"{path.name}: {where}: field {key!r}: unknown {other!r}")
        findings.append(entry)
    for index, entry in enumerate(raw.get("context") or []):
        where = f"context entry #{index}"
        _need(entry, "category", str, where)
        _need(entry, "phrases", list, where)
        if entry.get("direction", "FORWARD").upper() not in ConTextRule._ALLOWED_DIRECTIONS:
            raise PatternError(f"{path.name}: {where}: field 'direction' is unknown")
    combine = raw.get("combine") or {}
    for target, sources in combine.items():
        for fid in [target, *sources]:
            if fid not in known:
                raise PatternError(f"{path.name}: combine {target!r}: unknown finding {fid!r}")
    sentence_rules = raw.get("sentence_rules") or []
    for index, rule in enumerate(sentence_rules):
        where = f"sentence rule #{index} ({rule.get('id', '?')})"
        if rule.get("id") not in known:
            raise PatternError(f"{path.name}: {where}: field 'id' is not in findings.yml")
        groups = rule.get("words")
        if not isinstance(groups, list) or len(groups) < 2 or not all(
            isinstance(g, list) and g for g in groups
        ):
            raise PatternError(f"{path.name}: {where}: field 'words' needs two or more lists")
        unless = rule.get("unless", [])
        if not isinstance(unless, list) or not all(isinstance(g, list) and g for g in unless):
            raise PatternError(f"{path.name}: {where}: field 'unless' must be lists of words")
    values = raw.get("values") or {}
    for fid in values.get("sex_of") or {}:
        if fid not in known:
            raise PatternError(f"{path.name}: values.sex_of: unknown finding {fid!r}")
    marker_groups = {e["id"]: e["group"] for e in findings if "group" in e}
    return PatternSet(
        marker_groups=marker_groups,
        macros=macros,
        spellings={str(k).lower(): str(v).lower() for k, v in (raw.get("spellings") or {}).items()},
        gap_stop={str(w).lower() for w in raw.get("gap_stop") or []},
        fuzzy_min_length=int(raw.get("fuzzy", {}).get("min_length", 5)),
        fuzzy_ignore={str(w).lower() for w in raw.get("fuzzy", {}).get("ignore") or []},
        numbers={str(k): float(v) for k, v in values.get("numbers", {}).items()},
        minutes={str(k): float(v) for k, v in values.get("minutes", {}).items()},
        weeks={str(k): float(v) for k, v in values.get("weeks", {}).items()},
        decades={str(k): int(v) for k, v in values.get("decades", {}).items()},
        duration_blockers={str(w).lower() for w in values.get("duration_blockers") or []},
        duration_weeks=(float(values.get("acute_below_weeks", 6)),
                        float(values.get("chronic_above_weeks", 12))),
        sexes={str(k): str(v) for k, v in values.get("sexes", {}).items()},
        sex_of={str(k): str(v) for k, v in values.get("sex_of", {}).items()},
        context=raw.get("context") or [],
        findings=findings,
        combine=combine,
        sentence_rules=sentence_rules,
    )


class PhraseCompiler:
    """Turns the mini-language of the pattern file into spaCy Matcher token patterns.

    Every inflected form maps to one canonical word (its shortest base in the file), and the
    normaliser writes that canonical word into each token's NORM. Most pattern tokens then test
    one NORM value, which spaCy's matcher checks in C; a set test ("IN") runs Python code for
    every token, so fewer sets keep extraction at a few milliseconds.
    """

    def __init__(self, patterns: PatternSet, phrases: Iterable[str]) -> None:
        self.patterns = patterns
        self.base_words: set[str] = set()
        for words in patterns.macros.values():
            self.base_words |= words
        for phrase in phrases:
            for part in _split_hyphens(_expand_contractions(str(phrase))).split():
                part = part.rstrip("?") or part
                if part[0] in "*&#^@=":
                    continue
                self.base_words |= {w.lower() for w in part.split("|") if w}
        self.canon: dict[str, str] = {}
        for base in sorted(self.base_words, key=lambda w: (len(w), w)):
            for form in sorted(inflections(base)):
                self.canon.setdefault(form, self.canon.get(base, base))
        self.vocabulary: set[str] = set(self.canon)
        self.gap_stop = sorted({self.canon.get(w, w) for w in patterns.gap_stop})
        self.gap_stop_loose = sorted(set(self.gap_stop) - {"and", "or"})
        self._cache: dict[str, list[str]] = {}

    def _words(self, alternatives: str) -> list[str]:
        if alternatives in self._cache:
            return self._cache[alternatives]
        words: set[str] = set()
        for alt in alternatives.split("|"):
            if alt.startswith("@"):
                name = alt[1:]
                if name not in self.patterns.macros:
                    raise PatternError(f"{PATTERNS_PATH.name}: unknown macro {alt!r}")
                words |= {self.canon[w] for w in self.patterns.macros[name]}
            elif alt:
                words.add(self.canon.get(alt.lower(), alt.lower()))
        self._cache[alternatives] = sorted(words)
        return self._cache[alternatives]

    def compile(self, phrase: str) -> list[dict[str, Any]]:
        """One phrase to one token pattern."""
        tokens: list[dict[str, Any]] = []
        for part in _split_hyphens(_expand_contractions(phrase)).split():
            optional = part.endswith("?") and len(part) > 1
            part = part[:-1] if optional else part
            if part[:1] in ("*", "&") and part[1:].isdigit():
                stop = self.gap_stop if part[0] == "*" else self.gap_stop_loose
                gap = {"IS_PUNCT": False, "NORM": {"NOT_IN": stop}, "OP": "?"}
                tokens.extend(dict(gap) for _ in range(int(part[1:])))
                continue
            if part == "#num":
                token: dict[str, Any] = {"LIKE_NUM": True}
            elif part.startswith("^"):
                exact = [alt.lstrip("^") for alt in part.split("|")]
                token = {"ORTH": exact[0]} if len(exact) == 1 else {"ORTH": {"IN": exact}}
            elif part.startswith("="):
                exact = [alt.lstrip("=").lower() for alt in part.split("|")]
                token = {"LOWER": exact[0]} if len(exact) == 1 else {"LOWER": {"IN": exact}}
            else:
                words = self._words(part)
                token = {"NORM": words[0]} if len(words) == 1 else {"NORM": {"IN": words}}
            if optional:
                token["OP"] = "?"
            tokens.append(token)
        if not tokens or all(t.get("OP") == "?" for t in tokens):
            raise PatternError(f"{PATTERNS_PATH.name}: phrase {phrase!r} matches nothing")
        return tokens


# --------------------------------------------------------------------------- pipeline


@Language.factory("lbp_normaliser", default_config={})
def _make_normaliser(nlp, name):  # noqa: ANN001 - spaCy resolves these at run time
    """spaCy factory for the normaliser (untyped: spaCy validates real annotations)."""
    return _Normaliser()


class _Normaliser:
    """Writes each token's canonical word into NORM: spelling map, fuzzy fix, then inflection."""

    def __init__(self) -> None:
        self.spellings: dict[str, str] = {}
        self.canon: dict[str, str] = {}
        self.fuzzy: FuzzyNormaliser | None = None

    def __call__(self, doc: Doc) -> Doc:
        for token in doc:
            if token.i and (token.lower_, doc[token.i - 1].lower_) in SPLIT_CONTRACTIONS \
                    and token.idx == doc[token.i - 1].idx + len(doc[token.i - 1]):
                token.norm_ = SPLIT_CONTRACTIONS[token.lower_, doc[token.i - 1].lower_]
                continue
            word = token.norm_
            if token.lower_ in self.spellings:
                word = self.spellings[token.lower_]
            elif word not in self.canon and self.fuzzy is not None and token.is_alpha:
                word = self.fuzzy.correct(word) or word
            word = self.canon.get(word, word)
            if word != token.norm_:
                token.norm_ = word
        return doc


def _not_first_person_between(target: Span, modifier: Span, between: Span) -> bool:
    """Someone else's context stops where the person speaks about themself again."""
    return not any(tok.lower_ in FIRST_PERSON or tok.norm_ in FIRST_PERSON for tok in between)


@dataclass
class _Hit:
    """One matched target span, read through its context."""

    fid: str
    entry: dict[str, Any]
    span: Span
    negated: bool
    family: bool
    hypothetical: bool
    uncertain: bool
    denied_phrase: bool
    historical: bool = False

    @property
    def present(self) -> bool:
        return self.negated == self.denied_phrase


class FindingExtractor:
    """Reads findings from one free-text description."""

    def __init__(self, path: Path = PATTERNS_PATH, answers: Path | None = ANSWERS_PATH) -> None:
        self.patterns = load_patterns(path)
        self.vocabulary = load_vocabulary()
        answer_phrases = load_answer_phrases(answers) if answers is not None else {}
        compiler = PhraseCompiler(self.patterns, [
            *(phrase
              for entry in [*self.patterns.findings, *self.patterns.context]
              for key in ("phrases", "denied")
              for phrase in entry.get(key) or []),
            *(phrase for phrases in answer_phrases.values() for phrase in phrases),
        ])
        nlp = spacy.blank("en")
        nlp.add_pipe("sentencizer", config={"punct_chars": [".", "!", "?", ";", "\n"]})
        normaliser = nlp.add_pipe("lbp_normaliser")
        matcher: TargetMatcher = nlp.add_pipe(
            "medspacy_target_matcher",
            config={"result_type": "group", "span_group_name": SPAN_GROUP},
        )
        _skip_validation(matcher)
        # one rule per distinct phrase; a phrase shared by entries states each of them
        uses: dict[str, list[tuple[dict[str, Any], bool]]] = {}
        for entry in self.patterns.findings:
            for key in ("phrases", "denied"):
                for phrase in entry.get(key) or []:
                    uses.setdefault(str(phrase), []).append((entry, key == "denied"))
        self._uses: dict[str, list[tuple[dict[str, Any], bool]]] = {}
        rules = []
        for number, (phrase, users) in enumerate(uses.items()):
            label = f"RULE{number}"
            self._uses[label] = users
            rules.append(TargetRule(phrase, label, pattern=compiler.compile(phrase)))
        matcher.add(rules)
        _use_anchored_matcher(matcher, nlp.vocab)
        context: ConText = nlp.add_pipe(
            "medspacy_context",
            config={
                "rules": None,
                "input_span_type": "group",
                "span_group_name": SPAN_GROUP,
                "prune_on_target_overlap": True,
            },
        )
        _skip_validation(context)
        context_rules = []
        for entry in self.patterns.context:
            category = entry["category"].upper()
            for phrase in entry["phrases"]:
                context_rules.append(ConTextRule(
                    phrase, category, pattern=compiler.compile(str(phrase)),
                    direction=entry.get("direction", "FORWARD").upper(),
                    max_scope=entry.get("max_scope"),
                    on_modifies=_not_first_person_between if category == "FAMILY" else None,
                ))
        context.add(context_rules)
        # How answers are said ("bit by bit"): matched beside the findings, never as targets of
        # their own, so they cannot take a negation away from a finding.
        self._answer_keys: dict[int, list[str]] = {}
        answer_rules: dict[str, tuple[list[dict[str, Any]], list[str]]] = {}
        for key, phrases in answer_phrases.items():
            for phrase in phrases:
                answer_rules.setdefault(phrase, (compiler.compile(phrase), []))[1].append(key)
        rule_list = []
        for number, (pattern, keys) in enumerate(answer_rules.values()):
            label = f"ANSWER{number}"
            self._answer_keys[nlp.vocab.strings.add(label)] = keys
            rule_list.append((label, pattern, None))
        self._answer_matcher = AnchoredMatcher(nlp.vocab, rule_list)
        normaliser.spellings = self.patterns.spellings
        normaliser.canon = compiler.canon
        self.canon = compiler.canon
        normaliser.fuzzy = FuzzyNormaliser(
            compiler.vocabulary | set(self.patterns.spellings.values()),
            self.patterns.fuzzy_min_length,
            self.patterns.fuzzy_ignore,
            compiler.base_words,
        )
        self.nlp = nlp

    # ------------------------------------------------------------------ reading the doc

    def _settle(self, spans: Iterable[Span]) -> list[Span]:
        """The matched spans worth reading, in order.

        medspaCy's own pruning keeps only the longer of two matches that merely overlap; here
        two matches that partly overlap are both kept ("sudden severe weakness in my leg" says a
        severe and a leg weakness), a match inside a longer one is dropped ("back" inside "the
        back of my thigh") unless the longer one only says which side ("my left buttock"), and
        of two rules on the very same words the first (the fuller phrase) is kept; words of an
        entry marked `nested` are kept inside a longer match too. Anything
        touching an `_ignore` phrase ("wear and tear") is dropped, unless it is longer and holds it
        ("numb round my back passage" holds the ignored "back passage").
        """
        spans = list(spans)
        ignored = [span for span in spans if self._ids(span) == {"_ignore"}]
        kept: list[Span] = []
        for span in spans:
            if span in ignored:
                continue
            if any(
                other.start < span.end and span.start < other.end
                and not (span.start <= other.start and other.end <= span.end
                         and span.end - span.start > other.end - other.start)
                for other in ignored
            ):
                continue
            if any(other.start == span.start and other.end == span.end
                   and not self._nested(other) for other in kept):
                continue
            if any(
                other is not span and other.start <= span.start and span.end <= other.end
                and (other.end - other.start) > (span.end - span.start)
                and not self._ids(other) <= SIDE_IDS and not self._nested(span, other)
                for other in spans if other not in ignored
            ):
                continue
            kept.append(span)
        return kept

    @staticmethod
    def _carried_family(span: Span) -> bool:
        """Someone else is still the subject: a relative named earlier in the sentence, with no
        comma and no word of the writer's own between ("my husband is on chemotherapy and now
        has new back pain"; medspaCy's terminators end the relative's scope at "and now")."""
        graph = span.doc._.context_graph
        for modifier in graph.modifiers if graph else []:
            start, end = modifier.modifier_span
            if modifier.category != "FAMILY" or end > span.start:
                continue
            between = span.doc[end:span.start]
            if span.sent.start <= start and not any(
                t.is_punct or t.lower_ in FIRST_PERSON or t.norm_ in FIRST_PERSON for t in between
            ) and len(between) <= 15:
                return True
        return False

    def _ids(self, span: Span) -> set[str]:
        return {entry["id"] for entry, _ in self._uses[span.label_.upper()]}

    def _nested(self, span: Span, outer: Span | None = None) -> bool:
        """Whether the span's words still count inside a longer match (`outer`): entries marked
        `nested` ("ache" inside "aches after standing" is still an ache), and words that only
        say which side inside words of where it hurts ("my right" inside "down my right
        buttock into my thigh")."""
        if outer is not None and self._ids(span) <= SIDE_IDS and all(
                self._group(fid) in ("location", "spread") for fid in self._ids(outer)):
            return True
        return all(entry.get("nested") for entry, _ in self._uses[span.label_.upper()])

    def _hits(self, doc: Doc) -> list[_Hit]:
        hits = []
        for span in self._settle(doc.spans.get(SPAN_GROUP, [])):
            for entry, denial in self._uses[span.label_.upper()]:
                negated = bool(span._.is_negated)
                if self._group(entry["id"]) == "better":
                    # "on my side I'm fine" praises a position; "it doesn't help" denies it
                    negated = any(
                        (m.category == "NEGATED_EXISTENCE" and m.direction != "BACKWARD")
                        or m.category == "NOT_HELPFUL"
                        for m in span._.modifiers
                    )
                hits.append(_Hit(
                    fid=entry["id"],
                    entry=entry,
                    span=span,
                    negated=negated,
                    family=bool(span._.is_family) or self._carried_family(span),
                    hypothetical=bool(span._.is_hypothetical),
                    historical=bool(span._.is_historical),
                    uncertain=bool(span._.is_uncertain),
                    denied_phrase=denial,
                ))
        return hits

    def extract(self, text: str) -> list[Finding]:
        """All findings stated in `text`, one per id, in order of first mention."""
        return self.read(text).findings

    def read(self, text: str, replying: bool = False) -> Reading:
        """The findings stated in `text` and the interview answers its words say. In a reply to
        a question (`replying`), "he" and "she" are the person the interview is about ("he had
        prostate cancer years ago" from someone writing for a partner)."""
        if not text or not text.strip():
            return Reading([], {})
        doc = self.nlp(text)
        return Reading(self._findings(doc, replying), self._answers(doc))

    def _answers(self, doc: Doc) -> dict[str, AnswerMark]:
        """"question:payload" -> how the words said it (see `AnswerMark`). A phrase inside a longer
        answer phrase is not read ("sitting" inside "getting up from sitting"). Answers about
        a relative count: the person answering speaks of whoever the interview is about."""
        graph = doc._.context_graph
        negations = [
            m.scope_span for m in (graph.modifiers if graph else [])
            if m.category in {"NEGATED_EXISTENCE", "NOT_HELPFUL"}
            and m.direction not in {"TERMINATE", "PSEUDO"}
        ]
        hypothetical = [m.scope_span for m in (graph.modifiers if graph else [])
                        if m.category == "HYPOTHETICAL"]
        matches = self._answer_matcher(doc)
        # findings said in longer words, so that a reader can let them speak for themselves
        spans = [(span.start, span.end, frozenset(self._ids(span)))
                 for span in self._settle(doc.spans.get(SPAN_GROUP, []))
                 if not self._ids(span) <= SIDE_IDS]
        said: dict[str, AnswerMark] = {}
        for match_id, start, end in matches:
            if any(m[1] <= start and end <= m[2] and (m[2] - m[1]) > (end - start)
                   for m in matches):
                continue
            if any(s0 <= start and end <= s1 for s0, s1 in hypothetical):
                continue
            present = not any(s0 <= start and end <= s1 for s0, s1 in negations)
            inside = frozenset().union(*(ids for s0, s1, ids in spans
                                         if s0 <= start and end <= s1 and s1 - s0 > end - start))
            for key in self._answer_keys[match_id]:
                old = said.get(key)
                said[key] = AnswerMark(
                    present=(old.present if old else False) or present,
                    words=max(old.words if old else 0, end - start),
                    start=min(old.start if old else start, start),
                    inside=(old.inside if old else frozenset()) | inside,
                )
        return said

    def _findings(self, doc: Doc, replying: bool = False) -> list[Finding]:
        found: dict[str, Finding] = {}

        def put(fid: str, present: bool, evidence: str, value: int | str | None = None) -> None:
            old = found.get(fid)
            # a present statement outweighs a denial (over-triage is the safer error)
            if old is not None and (old.present or not present):
                if old.value is None and value is not None and old.present == present:
                    found[fid] = Finding(fid, present, value, old.evidence)
                return
            found[fid] = Finding(fid, present, value, evidence)

        hits = self._long_past(self._hits(doc), doc)
        # a red flag is a new sign, and so is an entry marked new_only (a recent infection)
        hits = [h for h in hits if not h.hypothetical
                and (not h.uncertain or self._is_red_flag(h.fid))
                and not (h.historical and (self._is_red_flag(h.fid) or h.entry.get("new_only")))]
        proxied = self._proxied_words(hits)
        if proxied is None and replying:
            proxied = set()  # pronouns only: "he", "she", "his", "her"
        if proxied is None:
            hits = [h for h in hits if not h.entry.get("proxy_only")]
        markers: list[_Hit] = []
        needing: list[_Hit] = []
        for hit in sorted(hits, key=lambda h: h.span.start):
            present = hit.present
            evidence = hit.span.text
            if hit.family and proxied is not None and self._about_proxied(hit, proxied):
                hit.family = False
            if hit.family:
                family_id = hit.entry.get("family_id") or (
                    hit.fid if hit.entry.get("family_only") else None)
                if family_id and present:
                    put(family_id, True, evidence)
                continue
            if hit.entry.get("family_only"):
                continue
            if hit.fid.startswith("_"):
                markers.append(hit)
                continue
            if hit.entry.get("needs"):
                needing.append(hit)  # said only together with the findings it needs
                continue
            value = self._value_of(hit, doc)
            if value is False:
                continue
            put(hit.fid, present, evidence, value)
            if hit.fid == "age" and self._read_sex(hit.span):
                put("sex", True, evidence, self._read_sex(hit.span))
            if hit.fid == "sex" and self._read_age(hit.span):
                put("age", True, evidence, self._read_age(hit.span))
            if present:
                for other in _as_list(hit.entry.get("also")):
                    if not other.startswith("_"):
                        put(other, True, evidence)
        self._apply_markers(markers, found, put, doc)
        self._sentence_rules(found, put, doc, proxied)
        # "bleeding" is bleeding in pregnancy only in a description that says a pregnancy
        for hit in needing:
            if all(n in found and found[n].present for n in _as_list(hit.entry["needs"])):
                put(hit.fid, hit.present, hit.span.text)
        if proxied is not None:
            self._proxy_person(doc, proxied, found, put)
        if "age" not in found:
            self._bare_age(doc, hits, put)
        if "sex" not in found:
            self._bare_sex(doc, hits, put)
        self._duration_since_onset(found, put)
        self._implications(found, put)
        return list(found.values())

    def _long_past(self, hits: list[_Hit], doc: Doc) -> list[_Hit]:
        """Hits in the reach of a `_past` marker ("in 2012", "when I was 12", "12 years ago") are
        historical. The marker is a target rather than a ConText modifier because its words are
        often a target too (the pain's duration, an onset age), and medspaCy drops a modifier
        that overlaps a target. It reaches 8 tokens either way in its sentence, up to a clause
        break (a TERMINATE modifier or a word of PAST_BREAKS: "fell off a ladder 2 years ago and
        can't pee" is a new sign); a time it names must be a year or more ago."""
        past = [h.span for h in hits if h.fid == "_past" and h.present and not h.family
                and (self._amount(h.span, self.patterns.weeks) or 52) >= 52]
        if not past:
            return hits
        graph = doc._.context_graph
        breaks = [m.modifier_span[0] for m in (graph.modifiers if graph else [])
                  if m.category == "TERMINATE"] + [t.i for t in doc if t.lower_ in PAST_BREAKS]
        for hit in hits:
            span = hit.span
            for marker in past:
                if marker.sent.start != span.sent.start or hit.fid.startswith("_"):
                    continue
                lo, hi = (span.end, marker.start) if span.end <= marker.start \
                    else (marker.end, span.start)
                if 0 <= hi - lo <= 8 and not any(lo <= b < hi for b in breaks):
                    hit.historical = True
        return hits

    def _proxied_words(self, hits: list[_Hit]) -> set[str] | None:
        """The relative someone writes for, or None if they write for themself. That relative
        is the person described: their findings are not family history.

        Someone writes for a relative when they say so ("typing for my son"), or when every
        word about where and how it hurts is said of relatives ("my husband has a bad back and
        can't pee", "dad's back has gone and he's dragging his foot"): then whose back it is
        tells whom the message is about. One statement of their own ("my back", "I can't
        sleep with it") keeps the writer the person described.
        """
        relatives = self.patterns.macros["relative"]
        proxies = [h for h in hits if h.fid == "_proxy" and h.present and not h.family]
        close = self.patterns.macros.get("carer_of", relatives)
        if proxies:
            named = {t.lower_ for h in proxies for t in h.span if t.lower_ in relatives
                     or t.norm_ in relatives}
            if named or not hits:
                return named
            # "... so I'm typing this for her": the close relative the message names
            graph = hits[0].span.doc._.context_graph
            return {t.lower_ for m in (graph.modifiers if graph else []) if m.category == "FAMILY"
                    for t in hits[0].span.doc[m.modifier_span[0]:m.modifier_span[1]]
                    if t.lower_ in close or t.norm_ in close}
        complaint = [h for h in hits if self._group(h.fid) in COMPLAINT_GROUPS]
        if not any(self._group(h.fid) != "red_flag" for h in complaint) and (
            len({h.fid for h in complaint}) < 2 or any(h.historical for h in complaint)
        ):
            # "my dad had a car crash years ago" says nothing of anyone's pain; two signs
            # said now do ("in the last 3 days he has had a fever and his legs are so weak")
            return None
        doc = complaint[0].span.doc
        if any(t.lower_ in SHARED and not self._intensifier(t)
               and not any(w.lower_ in PROXY_PRONOUNS - {"my", "'s"}
                           for w in t.doc[t.sent.start:t.i])
               for t in doc):
            return None  # "my husband has back pain too": the writer has it as well
        graph = doc._.context_graph
        named = {t.lower_ for m in (graph.modifiers if graph else []) if m.category == "FAMILY"
                 for t in doc[m.modifier_span[0]:m.modifier_span[1]]
                 if t.lower_ in relatives or t.norm_ in relatives}
        if named - close - ANYONE:
            return None  # a friend's or colleague's story, not the person written for
        if all(h.family for h in complaint):
            return named
        # "husband has an aortic aneurysm. woke up today with back pain": a relative named and
        # not one word of the writer's own, but "my" before the relative
        if named and not any(
            (t.lower_ in FIRST_PERSON or t.norm_ in FIRST_PERSON) and not (
                t.lower_ == "my" and t.i + 1 < len(doc) and doc[t.i + 1].lower_ in relatives)
            and not self._writer_aside(t)
            for t in doc
        ):
            return named
        return None

    @staticmethod
    def _writer_aside(token: Token) -> bool:
        """ "I" as the one who watches or worries ("the worst I've seen it", "I think he pulled
        something"), not as a person with the pain."""
        if token.lower_ not in ("i", "im"):
            return False
        for after in token.doc[token.i + 1:token.i + 4]:
            if after.lower_ in WRITER_VERBS:
                return True
            if after.lower_ not in WRITER_GLUE and after.norm_ not in WRITER_GLUE:
                return False
        return False

    @staticmethod
    def _intensifier(token: Token) -> bool:
        """ "too" before a word it grades ("too weak to stand"), not "too" as "as well"."""
        if token.lower_ != "too" or token.i + 1 >= len(token.doc):
            return False
        after = token.doc[token.i + 1]
        return after.is_alpha and after.lower_ not in TOO_ENDS

    def _proxy_person(self, doc: Doc, proxied: set[str], found: dict[str, Finding],
                      put: Put) -> None:
        """The age and sex of the relative written for: "my husband (56)", "dad is 71",
        "my son's 17"; "my wife" is female."""
        sexes = self.patterns.sexes
        if "sex" not in found:
            # the relative named with "my" first ("mum here - my son is 14" is about the son)
            named = [t for t in doc if t.lower_ in proxied and t.lower_ in sexes]
            named.sort(key=lambda t: (not (t.i and doc[t.i - 1].lower_ in ("my", "our")), t.i))
            if named:
                put("sex", True, named[0].text, sexes[named[0].lower_])
        if "age" in found:
            return
        units = set(self.patterns.weeks) | set(self.patterns.minutes) | NOT_AGE_AFTER
        for token in doc:
            if token.lower_ not in proxied:
                continue
            ahead = [t for t in doc[token.i + 1:token.i + 4]]
            while ahead and ahead[0].lower_ in {"is", "'s", ",", "(", "who", "aged", "age", "now"}:
                ahead = ahead[1:]
            if not ahead or not re.fullmatch(r"\d{1,3}", ahead[0].text):
                continue
            after = doc[ahead[0].i + 1].lower_ if ahead[0].i + 1 < len(doc) else ""
            if after in units or not 1 <= int(ahead[0].text) <= 110:
                continue
            put("age", True, doc[token.i:ahead[0].i + 1].text, int(ahead[0].text))
            return

    @staticmethod
    def _about_proxied(hit: _Hit, proxied: set[str]) -> bool:
        """Whether every FAMILY modifier of the hit names the person written for."""
        words = PROXY_PRONOUNS | proxied
        doc = hit.span.doc
        for modifier in hit.span._.modifiers:
            if modifier.category != "FAMILY":
                continue
            start, end = modifier.modifier_span
            if not all(t.lower_ in words for t in doc[start:end]):
                return False
        return True

    def _sentence_rules(
        self, found: dict[str, Finding], put: Put, doc: Doc, proxied: set[str] | None
    ) -> None:
        """Findings said by word groups spread over one sentence, none of them denied (nor said
        of someone else than the person described)."""
        graph = doc._.context_graph
        words = PROXY_PRONOUNS | (proxied or set())
        blocked = [
            m.scope_span for m in (graph.modifiers if graph else [])
            if m.category in {"NEGATED_EXISTENCE", "FAMILY", "HYPOTHETICAL", "HISTORICAL"}
            and m.direction not in {"TERMINATE", "PSEUDO"}
            and not (m.category == "FAMILY" and proxied is not None and all(
                t.lower_ in words for t in doc[m.modifier_span[0]:m.modifier_span[1]]))
        ]

        # the words of an `_ignore` phrase do not count either ("pissing it down" is rain)
        blocked += [(span.start, span.end) for span in doc.spans.get(SPAN_GROUP, [])
                    if self._ids(span) == {"_ignore"}]

        def free(index: int) -> bool:
            return not any(start <= index < end for start, end in blocked)

        for rule in self.patterns.sentence_rules:
            if rule["id"] in found:
                continue
            groups = [{str(w).lower() for w in group} for group in rule["words"]]
            unless = [{str(w).lower() for w in group} for group in rule.get("unless") or []]
            for sent in doc.sents:
                if any(any(t.lower_ in g or t.norm_ in g for t in sent) for g in unless):
                    continue
                if all(
                    any((t.lower_ in g or t.norm_ in g) and free(t.i) for t in sent)
                    for g in groups
                ):
                    put(rule["id"], True, sent.text.strip())
                    break

    def _group(self, fid: str) -> str:
        kind = self.vocabulary.get(fid)
        return kind.group if kind is not None else self.patterns.marker_groups.get(fid, "")

    def _is_red_flag(self, fid: str) -> bool:
        return self._group(fid) == "red_flag"

    def _bare_age(self, doc: Doc, hits: list[_Hit], put: Put) -> None:
        """An age said without words around it: "16, diver", "otherwise healthy, 27.", "56F"."""
        family = [h.span for h in hits if h.family]
        for token in doc:
            if any(span.start <= token.i < span.end for span in family):
                continue
            # "56F", "23yo guy", "my 13yo's"
            glued = re.fullmatch(r"(\d{1,3})(yo|yro|yrs?)?([mf])?\.?", token.lower_)
            if glued and (glued.group(2) or glued.group(3)) and 10 <= int(glued.group(1)) <= 110:
                put("age", True, token.text, int(glued.group(1)))
                word = doc[token.i + 1].lower_ if token.i + 1 < len(doc) else ""
                sex = glued.group(3) or (word if self._sex_word(word) else None)
                if sex:
                    put("sex", True, token.text, self.patterns.sexes[sex])
                return
            if not re.fullmatch(r"\d{1,3}", token.text) or not 10 <= int(token.text) <= 110:
                continue
            # before: a break, or an emoji ("🥣 63, stiff"); after: a break, or "now" and a break
            # ("50 now, same pain")
            before = doc[token.i - 1].text if token.i > 0 else "."
            after = doc[token.i + 1].text if token.i + 1 < len(doc) else "."
            if after.lower() == "now" and token.i + 2 < len(doc) and doc[token.i + 2].is_punct:
                after = doc[token.i + 2].text
            if (before in {",", ".", "(", "-", ":", "?", "!", ";"} or not before.isascii()) \
                    and after in {",", ".", ")", "!", ";"}:
                put("age", True, token.text, int(token.text))
                return

    def _duration_since_onset(self, found: dict[str, Finding], put: Put) -> None:
        """ "31, had it since I was 27": the years between the onset age and the age, when no
        other time is said."""
        age, onset = found.get("age"), found.get("onset_age")
        if "duration_acute" in found or "duration_chronic" in found or not (
                age and onset and isinstance(age.value, int) and isinstance(onset.value, int)):
            return
        weeks = (age.value - onset.value) * self.patterns.weeks.get("year", 52)
        if weeks > self.patterns.duration_weeks[1]:
            put("duration_chronic", True, onset.evidence)
            put("duration_acute", False, onset.evidence, int(weeks))

    def _sex_word(self, word: str) -> bool:
        """A word of the writer's own sex ("male", "woman", "guy"), not of a relative's."""
        macros = self.patterns.macros
        return word in self.patterns.sexes and word not in macros["relative"] \
            and word not in macros.get("carer_of", set())

    def _bare_sex(self, doc: Doc, hits: list[_Hit], put: Put) -> None:
        """A sex said beside a bare age: "31, male,", "72, M,", "Female, 47.", "33, woman"."""
        family = [h.span for h in hits if h.family]
        for token in doc:
            word = token.lower_
            if not self._sex_word(word) or any(s.start <= token.i < s.end for s in family):
                continue
            if len(word) == 1 and not token.text.isupper():
                continue  # "m" and "f" only as capitals
            for step in (-1, 1):
                comma, number = token.i + step, token.i + 2 * step
                if 0 <= number < len(doc) and doc[comma].text == "," \
                        and re.fullmatch(r"\d{1,3}", doc[number].text) \
                        and 10 <= int(doc[number].text) <= 110:
                    put("sex", True, token.text, self.patterns.sexes[word])
                    return

    # ------------------------------------------------------------------ values

    def _value_of(self, hit: _Hit, doc: Doc) -> int | str | None | bool:
        """The value a valued finding carries; False drops a value that cannot be read."""
        if hit.fid in ("age", "onset_age"):
            after = doc[hit.span.end].lower_ if hit.span.end < len(doc) else ""
            if after in NOT_AGE_AFTER or after in self.patterns.weeks \
                    or after in self.patterns.minutes:
                return False
            age = self._read_age(hit.span)
            return age if age is not None and 1 <= age <= 110 else False
        if hit.fid == "sex":
            return self._read_sex(hit.span) or False
        return None

    def _number(self, text: str) -> float | None:
        text = text.lower().strip()
        if re.fullmatch(r"\d+(\.\d+)?", text):
            return float(text)
        return self.patterns.numbers.get(text)

    def _read_age(self, span: Span) -> int | None:
        for token, after in zip(span, span[1:], strict=False):
            if token.lower_ == "year" and after.like_num:  # a UK school year: year 11 is 16
                number = self._number(after.lower_)
                return int(number) + 5 if number is not None and 7 <= number <= 13 else None
        doc = span.doc
        for token in span:
            if re.fullmatch(r"\d{1,3}(s|'s)?[mf]?", token.lower_):
                match = re.match(r"\d+", token.lower_)
                number = int(match.group()) if match else 0
                after = doc[token.i + 1].lower_ if token.i + 1 < len(doc) else ""
                if re.search(r"\ds", token.lower_) or after in ("s", "'s"):  # "60s", "60 's"
                    before = doc[token.i - 1].lower_ if token.i else ""
                    return number + {"early": 2, "late": 8}.get(before, 5)
                return number
        for token in span:
            decades = self.patterns.decades
            decade = decades.get(token.norm_) or decades.get(token.lower_)
            if decade:
                return decade
            # "a", "an" and "one" are rarely ages ("now one leg feels longer")
            number = self._number(token.lower_) if token.lower_ not in ("a", "an", "one") \
                else None
            if number is not None and number >= 1:
                return int(number)
        return None

    def _read_sex(self, span: Span) -> str | None:
        for token in reversed(span):
            lower = token.lower_
            match = re.fullmatch(r"\d{1,3}([mf])", lower)
            if match:
                lower = match.group(1)
            if lower in self.patterns.sexes and token.norm_ != "am":  # the m of "im 47"
                return self.patterns.sexes[lower]
        return None

    def _amount(self, span: Span, table: dict[str, float]) -> float | None:
        """A number times a unit from `table` in the span ("1-2 hrs", "half an hour"), largest."""
        words = [t.lower_ for t in span]
        best: float | None = None
        for i, word in enumerate(words):
            unit = table.get(word) or table.get(span[i].norm_)
            if unit is None:
                continue
            number, at = None, i
            for back in (1, 2):
                if i - back < 0:
                    break
                values = [self._number(p) for p in re.split(r"[-–]", words[i - back]) if p]
                values = [v for v in values if v is not None]
                if values:
                    number, at = max(values), i - back
                    break
            if number is not None and at > 0 and words[at - 1] == "half":
                number = 0.5
            elif number is not None and at > 0 and words[at - 1] in ("-", "to") and at > 1:
                number = max(number, self._number(words[at - 2]) or 0)
            if number is None:
                number = self.patterns.numbers["_plural" if word.endswith("s") else "_one"]
            amount = number * unit
            before = words[max(0, at - 3):at]
            if any(w in ("under", "less", "within") for w in before):
                amount -= 1  # "less than half an hour" is under, whatever "than" says
            elif any(w in ("over", "more", "least", "longer", "than") for w in before):
                amount += 1
            best = amount if best is None else max(best, amount)
        return best

    # ------------------------------------------------------------------ markers and implications

    def _apply_markers(
        self, markers: list[_Hit], found: dict[str, Finding], put: Put, doc: Doc
    ) -> None:
        """Values that need the sentence: minutes of morning stiffness, weeks of pain."""
        stiff = found.get("morning_stiffness")
        if stiff is not None and stiff.present:
            for sent in doc.sents:
                if stiff.evidence not in sent.text:
                    continue
                minutes = self._amount(sent, self.patterns.minutes)
                if minutes is not None:
                    found["morning_stiffness"] = Finding(
                        "morning_stiffness", True, int(minutes), stiff.evidence)
                    put("morning_stiffness_long", minutes > 30, sent.text.strip())
                    break
        for hit in markers:
            if hit.fid == "_proxy" and hit.present and "sex" not in found:
                sex = self._read_sex(hit.span)
                if sex:
                    put("sex", True, hit.span.text, sex)
        blockers = self.patterns.duration_blockers
        times: list[tuple[float, str, bool]] = []  # weeks, words, said as "... ago"
        for hit in markers:
            if not hit.present or hit.fid != "_duration":
                continue
            if any(t.norm_ in blockers or t.lower_ in blockers for t in hit.span.sent):
                continue
            after = doc[hit.span.end].lower_ if hit.span.end < len(doc) else ""
            if after in {"before", "after", "later", "earlier"} and hit.span[-1].lower_ != "ago":
                continue  # "a couple of days before my period" is a time, not the pain's length
            weeks = self._amount(hit.span, self.patterns.weeks)
            if weeks is not None:
                times.append((weeks, hit.span.text, hit.span[-1].lower_ == "ago"))
        # The pain has lasted the longest time said of it: a shorter one is a recent change
        # ("sciatica for 6 weeks ... the past 3 days my foot has started slapping"). A year or
        # more "ago" beside another time is an earlier episode ("two years ago I had a bad
        # spell ... this time it started five weeks ago").
        recent = [t for t in times if not (t[2] and t[0] >= 52)]
        if times:
            weeks, text, _ago = max(recent or times)
            acute, chronic = self.patterns.duration_weeks
            if weeks < acute:
                put("duration_acute", True, text, max(int(round(weeks)), 0))
                put("duration_chronic", False, text)
            elif weeks > chronic:
                put("duration_chronic", True, text)
                put("duration_acute", False, text, int(round(weeks)))
            else:
                put("duration_acute", False, text, int(round(weeks)))
                put("duration_chronic", False, text)
        self._both_legs(found, put, doc)

    def _both_legs(self, found: dict[str, Finding], put: Put, doc: Doc) -> None:
        """A leg symptom in a sentence that speaks of both legs is in both legs."""
        plural = self.patterns.macros["legs_plural"]
        feet = self.patterns.macros.get("feet_plural", set())
        nerve = {self.canon.get(w, w) for w in
                 self.patterns.macros["numb"] | self.patterns.macros["weak"]}
        leg = {self.canon.get(w, w) for w in self.patterns.macros["leg"]}
        both = set(self.patterns.macros["both"])
        hurt = {self.canon.get(w, w) for w in self.patterns.macros["hurt"]}
        exertion = {self.canon.get(w, w) for w in self.patterns.macros.get("exertion", ())}
        sentences = _sentences_of(found, doc)
        # sore legs in a message about sport are sore muscles ("since I took up running ...
        # my legs are fine apart from sore calves"), wherever the sport is named; pain still
        # counts ("I run a lot, and now there's pain down both legs")
        sporty = any(t.norm_ in exertion or t.lower_ in exertion for t in doc) \
            or "leg day" in doc.text.lower()
        sore = {self.canon.get(w, w) for w in MUSCLE_SORE}
        before: Span | None = None
        for sent in doc.sents:
            previous, before = before, sent
            norms = [t.norm_ for t in sent]
            says_both = any(t.lower_ in plural for t in sent) or any(
                n in both and (
                    any(m in leg for m in norms[i + 1:i + 4])
                    # "it's in both now", "both of them": both of the legs named before
                    or (any(m in leg or m == "sciatica" for m in norms[:i])
                        and (i + 1 == len(norms)
                             or norms[i + 1] in {"now", "too", "of", "sides", "and"}
                             or sent[i + 1].is_punct)))
                for i, n in enumerate(norms)
            )
            # "both my feet are numb": nerve symptoms in both feet, not aching feet
            # ("either foot", "my knees give way on both sides"), nerve symptoms only
            feet_only = not says_both and any(
                t.lower_ in feet and (
                    any(n in both for n in norms[max(0, i - 3):i])
                    or (t.lower_.endswith("s") or t.lower_ == "feet") and (
                        any(n in both for n in norms)
                        or any(n in nerve for n in norms[max(0, i - 4):i + 5])))
                for i, t in enumerate(sent)
            )
            if not (says_both or feet_only) or sent.start in sentences.get("loc_widespread", set()):
                continue
            painful = any(t.norm_ in hurt and not (sporty and t.norm_ in sore) for t in sent) \
                and not feet_only
            symptoms = LEG_NERVE_SYMPTOMS + (LEG_SPREAD if painful else ())
            if any(t.norm_ in exertion or t.lower_ in exertion for t in sent) \
                    or "leg day" in sent.text.lower():
                symptoms = EXERTION_PROOF
            # "... now the right has started the same burning. So both legs now.": a short
            # sentence of both legs with no symptom of its own speaks of the one before
            starts = {sent.start}
            if previous is not None and len(sent) <= 10 and any(n in both for n in norms) \
                    and not any(t.norm_ in CARRY_STOP or t.lower_ in CARRY_STOP for t in sent) \
                    and not any(sent.start in sentences.get(fid, set()) for fid in symptoms):
                starts.add(previous.start)
            for fid in symptoms:
                finding = found.get(fid)
                if finding and finding.present and sentences.get(fid, set()) & starts:
                    put("side_both", True, finding.evidence)
                    put("bilateral_leg_symptoms", True, sent.text.strip())
                    break

    def _implications(self, found: dict[str, Finding], put: Put) -> None:
        """Findings the data file says others imply or combine into; the sex that findings only
        one sex can have say (values.sex_of)."""
        changed = True
        while changed:
            changed = False
            for source, targets in load_relations().implies.items():
                finding = found.get(source)
                if finding is None or not finding.present:
                    continue
                for target in targets:
                    if target not in found:
                        put(target, True, finding.evidence)
                        changed = True
        for target, parts in load_relations().either.items():
            if target not in found and all(p in found and not found[p].present for p in parts):
                put(target, False, found[parts[0]].evidence)
        leg_spread = ("spread_thigh", "spread_below_knee", "spread_foot", "bilateral_leg_symptoms")
        if "no_leg_pain" not in found and any(
            fid in found and found[fid].present for fid in leg_spread
        ):
            source = next(found[fid] for fid in leg_spread if fid in found and found[fid].present)
            put("no_leg_pain", False, source.evidence)
        for target, sources in self.patterns.combine.items():
            if all(s in found and found[s].present for s in sources) and target not in found:
                put(target, True, found[sources[0]].evidence)
        thigh = found.get("spread_thigh")
        legs = ("spread_thigh_back", "spread_thigh_front", *leg_spread)
        if thigh is not None and not thigh.present and "no_leg_pain" not in found and not any(
                fid in found and found[fid].present for fid in legs):
            put("no_leg_pain", True, thigh.evidence)  # "I don't have leg pain"
        for fid, sex in self.patterns.sex_of.items():  # "28 weeks pregnant" is a woman
            if "sex" not in found and fid in found and found[fid].present:
                put("sex", True, found[fid].evidence, sex)


ANCHOR_ATTRS = ("NORM", "LOWER", "ORTH")


class AnchoredMatcher:
    """The matches of one spaCy Matcher over many token patterns, found by trying only the
    patterns whose anchor word occurs in the text.

    spaCy's Matcher tries every pattern at every token, and each set test ("IN") is a Python call
    there: with ~2,000 phrase patterns that was most of the time of an extraction, and of the
    red-flag screen run on every message. A pattern's anchor is its required token (not optional)
    with the fewest words (NORM, LOWER or ORTH values); one small Matcher per anchor word holds
    the patterns anchored on it, and only the anchor words in the text are tried.

    Matches come back ordered by start and end, then the more specific pattern first (more
    required tokens), then the order the rules were added; overlaps are left to the extractor
    (`FindingExtractor._settle`).
    """

    def __init__(self, vocab: Any, rules: Iterable[tuple[str, list[dict[str, Any]], Any]]) -> None:
        self._by_word: dict[tuple[str, str], Matcher] = {}
        self._unanchored = Matcher(vocab, validate=False)
        self._rank: dict[int, tuple[int, int]] = {}
        for order, (rule_id, pattern, on_match) in enumerate(rules):
            required = [token for token in pattern if token.get("OP") not in ("?", "*")]
            self._rank[vocab.strings.add(rule_id)] = (-len(required), order)
            anchor = _anchor(required)
            if anchor is None:
                self._unanchored.add(rule_id, [pattern], on_match=on_match)
                continue
            attr, words = anchor
            for word in words:
                if (attr, word) not in self._by_word:
                    self._by_word[attr, word] = Matcher(vocab, validate=False)
                self._by_word[attr, word].add(rule_id, [pattern], on_match=on_match)

    def __call__(self, doc: Doc) -> list[tuple[int, int, int]]:
        words = set()
        for token in doc:
            words.update((("NORM", token.norm_), ("LOWER", token.lower_), ("ORTH", token.text)))
        found = set(self._unanchored(doc)) if len(self._unanchored) else set()
        for word in words:
            matcher = self._by_word.get(word)
            if matcher is not None:
                found.update(matcher(doc))
        return sorted(found, key=lambda match: (match[1], match[2], *self._rank[match[0]]))


def _anchor(required: list[dict[str, Any]]) -> tuple[str, list[str]] | None:
    """The attribute and words of the required token that tests the fewest words, if any."""
    best: tuple[str, list[str]] | None = None
    for token in required:
        for attr in ANCHOR_ATTRS:
            value = token.get(attr)
            words = [value] if isinstance(value, str) else None
            if isinstance(value, dict) and set(value) == {"IN"}:
                words = list(value["IN"])
            if words and (best is None or len(words) < len(best[1])):
                best = (attr, words)
    return best


def _use_anchored_matcher(component: TargetMatcher, vocab: Any) -> None:
    """Swap the spaCy Matcher inside medspaCy's TargetMatcher (medspaCy is pinned) for an
    AnchoredMatcher over the same rules, once they are all added."""
    inner = component._TargetMatcher__matcher  # type: ignore[attr-defined]
    rules = [(rule._rule_id, rule.pattern, rule.on_match) for rule in component.rules]
    inner._MedspacyMatcher__matcher = AnchoredMatcher(vocab, rules)
    inner._prune = False  # the extractor settles overlaps (FindingExtractor._settle)


def _skip_validation(component: Any) -> None:
    """Skip spaCy's per-pattern schema check inside a medspaCy component (half the load time).

    Our compiler writes the patterns, and tests/unit/test_extraction.py validates every one.
    """
    for attr in ("_TargetMatcher__matcher", "_ConText__matcher"):
        inner = getattr(component, attr, None)
        spacy_matcher = getattr(inner, "_MedspacyMatcher__matcher", None)
        if spacy_matcher is not None:
            spacy_matcher.validate = False


def _as_list(value: Any) -> list[str]:
    if not value:
        return []
    return [value] if isinstance(value, str) else list(value)


def _sentences_of(found: dict[str, Finding], doc: Doc) -> dict[str, set[int]]:
    """For each finding id, the starts of the sentences holding its evidence."""
    out: dict[str, set[int]] = {}
    for fid, finding in found.items():
        if not finding.evidence:
            continue
        for sent in doc.sents:
            if finding.evidence in sent.text:
                out.setdefault(fid, set()).add(sent.start)
    return out


@dataclass(frozen=True)
class AnswerMark:
    """How a text said one interview answer: `present` is False when only denied ("not when I
    sit"); `words` is the length of its longest phrase, `start` where it was first said, and
    `inside` the findings whose longer words hold it ("desk" inside "long days at my desk")."""

    present: bool
    words: int
    start: int
    inside: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Reading:
    """What one text says: its findings, and the interview answers its words give."""

    findings: list[Finding]
    answers: dict[str, AnswerMark]  # "question:payload" -> how it was said


def load_answer_phrases(path: Path = ANSWERS_PATH) -> dict[str, list[str]]:
    """"question:payload" -> its phrases, from the `answers` section of answer_patterns.yml."""
    raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)  # noqa: S506
    out: dict[str, list[str]] = {}
    for question, buttons in (raw.get("answers") or {}).items():
        if not isinstance(buttons, dict):
            raise PatternError(f"{path.name}: answers {question!r}: must map payloads to phrases")
        for payload, phrases in buttons.items():
            if not isinstance(phrases, list) or not all(isinstance(p, str) for p in phrases):
                raise PatternError(
                    f"{path.name}: answers {question!r}: {payload!r}: field 'phrases' must be "
                    "a list of phrases")
            out[f"{question}:{payload}"] = phrases
    return out


def read_text(text: str, replying: bool = False) -> Reading:
    """Findings and answer words in `text`, using the cached extractor."""
    return default_extractor().read(text, replying)


@lru_cache(maxsize=1)
def default_extractor() -> FindingExtractor:
    """The process-wide extractor, built on first use."""
    return FindingExtractor()


def extract_findings(text: str) -> list[Finding]:
    """Findings in `text`, using the cached extractor."""
    return default_extractor().extract(text)
