"""The interview (bot/data/questions.yml): which question to ask next, and what an answer means.

The next question is the one whose answer is expected to reduce uncertainty the most. The
uncertainty is the entropy of the leading causes (those scoring at least a fifth of the best,
their current posteriors renormalised), plus, at a tenth of the weight, the binary entropy of
each aggravating factor. For a cause c and an answer b, P(b | c) is taken proportional to the
likelihood ratio the answer's findings would give c (answers equally likely a priori), which is
all that the knowledge base's likelihood ratios allow.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.knowledge import Cause, KnowledgeBase, load_knowledge_base
from bot.matching import known_findings, likelihood_ratio, rank_causes
from bot.model import CauseMatch, Finding
from bot.vocabulary import DATA_DIR, load_vocabulary

DEFAULT_PATH = DATA_DIR / "questions.yml"
LEADING_FRACTION = 0.2  # a cause leads when its score is at least this share of the best one
MIN_LEADING = 3
FACTOR_WEIGHT = 0.03  # per factor: lifestyle matters, but telling causes apart matters more
MIN_GAIN = 0.01  # bits: below this a question is not worth the person's time
STAGES = ("screen", "early", "")
NONE = "none"  # the "None of these" answer of a several-choice question
DONT_KNOW = "dont_know"

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class QuestionsError(ValueError):
    """The questions file is malformed; the message names the question and the field."""


@dataclass(frozen=True)
class Button:
    """One answer the person can pick, and the findings it sets."""

    title: str
    payload: str
    present: tuple[str, ...] = ()
    denied: tuple[str, ...] = ()
    values: tuple[tuple[str, int | str], ...] = ()

    @property
    def dont_know(self) -> bool:
        """True for the "I don't know" answer (payload `dont_know`), which sets nothing."""
        return self.payload == DONT_KNOW

    def findings(self) -> list[Finding]:
        """The findings this answer sets."""
        values = dict(self.values)
        return [Finding(id=fid, present=True, value=values.get(fid)) for fid in self.present] + [
            Finding(id=fid, present=False) for fid in self.denied
        ]


@dataclass(frozen=True)
class OnlyIf:
    """When a question makes sense to ask at all."""

    finding: str | None = None
    not_value: tuple[str, ...] = ()
    any_present: tuple[str, ...] = ()

    def allows(self, known: dict[str, Finding]) -> bool:
        """True when the condition holds for what is known."""
        if self.finding is not None:
            have = known.get(self.finding)
            if have is not None and str(have.value).strip().lower() in self.not_value:
                return False
        if self.any_present:
            return any(fid in known and known[fid].present for fid in self.any_present)
        return True


@dataclass(frozen=True)
class Question:
    """One interview question with its buttons and the reason for asking."""

    id: str
    text: str
    why: str
    reveals: tuple[str, ...]
    buttons: tuple[Button, ...]
    only_if: OnlyIf | None = None
    stage: str = ""
    multiple: bool = False
    numeric: bool = False
    no_answer: str = ""  # what a plain "no" answers ("It stays in my back"), if anything
    read_findings: bool = True  # whether the findings the words state choose its answers

    @property
    def options(self) -> tuple[Button, ...]:
        """The answers that say something (not "I don't know")."""
        return tuple(button for button in self.buttons if not button.dont_know)

    def shown(self, known: dict[str, Finding], chosen: Iterable[str] = ()) -> list[Button]:
        """The answers worth offering: for a screen, not the signs already said or denied;
        for a several-choice question, not the answers already chosen."""
        chosen = set(chosen)
        shown = []
        for button in self.options:
            if button.payload in chosen:
                continue
            if self.stage == "screen" and button.present and all(
                fid in known for fid in button.present
            ):
                continue
            shown.append(button)
        return shown

    def none_findings(self, shown: Iterable[Button]) -> list[Finding]:
        """What "None of these" denies: every other answer offered."""
        return [
            Finding(fid, present=False)
            for button in shown if button.payload != NONE
            for fid in button.present
        ]

    def button(self, choice: Button | int | str) -> Button:
        """The button meant by a Button, an index, a payload, a title or "question_id:payload"."""
        if isinstance(choice, Button):
            if choice in self.buttons:
                return choice
        elif isinstance(choice, int) and not isinstance(choice, bool):
            if 0 <= choice < len(self.buttons):
                return self.buttons[choice]
        elif isinstance(choice, str):
            wanted = choice.strip()
            if wanted.startswith(f"{self.id}:"):
                wanted = wanted[len(self.id) + 1 :]
            wanted = wanted.casefold()
            for button in self.buttons:
                if wanted in (button.payload.casefold(), button.title.casefold()):
                    return button
        raise ValueError(f"question {self.id!r} has no answer {choice!r}")

    def is_answered(self, known: dict[str, Finding]) -> bool:
        """True when what it would reveal is already known (one present, or all known); a
        screen is answered when no sign is left to offer."""
        if self.stage == "screen":
            return not [b for b in self.shown(known) if b.payload != NONE]
        if any(fid in known and known[fid].present for fid in self.reveals):
            return True
        return all(fid in known for fid in self.reveals)


# ------------------------------------------------------------------------------- loading
def load_questions(path: Path | str | None = None) -> list[Question]:
    """Load and validate the questions; the default file is read once and cached."""
    if path is None:
        return list(_load_default())
    return list(_load(Path(path)))


@lru_cache(maxsize=1)
def _load_default() -> tuple[Question, ...]:
    return _load(DEFAULT_PATH)


def _load(path: Path) -> tuple[Question, ...]:
    raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER) or {}
    vocabulary = load_vocabulary()
    questions: list[Question] = []
    for index, item in enumerate(raw.get("questions") or []):
        name = item.get("id") if isinstance(item, dict) and item.get("id") else f"#{index}"

        def fail(field: str, problem: str, name: str = name) -> QuestionsError:
            return QuestionsError(f"{path.name}: question {name!r}: field {field!r}: {problem}")

        if not isinstance(item, dict):
            raise fail("id", "the question is not a mapping")
        for key in ("id", "text", "why"):
            if not isinstance(item.get(key), str) or not item[key].strip():
                raise fail(key, "is missing or empty")
        if name in {q.id for q in questions}:
            raise fail("id", "is a duplicate")
        reveals = item.get("reveals")
        if not isinstance(reveals, list) or not reveals:
            raise fail("reveals", "must be a non-empty list of finding ids")
        for fid in reveals:
            if fid not in vocabulary:
                raise fail("reveals", f"unknown finding id {fid!r}")
        buttons = tuple(
            _parse_button(button, fail, vocabulary, reveals) for button in item.get("buttons") or []
        )
        if len(buttons) < 2:
            raise fail("buttons", "needs at least two answers")
        if not any(button.dont_know and not button.present and not button.denied
                   for button in buttons):
            raise fail("buttons", "needs an \"I don't know\" answer that sets nothing")
        if len({button.payload for button in buttons}) != len(buttons):
            raise fail("buttons", "payloads must be unique")
        only_if = _parse_only_if(item.get("only_if"), fail, vocabulary)
        stage = item.get("stage") or ""
        if stage not in STAGES:
            raise fail("stage", f"{stage!r} is not one of {STAGES[:-1]}")
        for key in ("multiple", "numeric", "read_findings"):
            if not isinstance(item.get(key, key == "read_findings"), bool):
                raise fail(key, "must be true or false")
        no_answer = str(item.get("no_answer") or "")
        if no_answer and no_answer not in {b.payload for b in buttons}:
            raise fail("no_answer", f"{no_answer!r} is not one of its answers")
        questions.append(
            Question(
                id=name,
                text=" ".join(item["text"].split()),
                why=" ".join(item["why"].split()),
                reveals=tuple(reveals),
                buttons=buttons,
                only_if=only_if,
                stage=stage,
                multiple=bool(item.get("multiple", False)),
                numeric=bool(item.get("numeric", False)),
                no_answer=no_answer,
                read_findings=bool(item.get("read_findings", True)),
            )
        )
    return tuple(questions)


def _parse_button(raw: Any, fail: Any, vocabulary: dict, reveals: list[str]) -> Button:
    if not isinstance(raw, dict) or not raw.get("title") or not raw.get("payload"):
        raise fail("buttons", f"each answer needs a title and a payload: {raw!r}")
    present = tuple(raw.get("present") or ())
    denied = tuple(raw.get("denied") or ())
    for fid in present + denied:
        if fid not in vocabulary:
            raise fail("buttons", f"answer {raw['title']!r}: unknown finding id {fid!r}")
    for fid in present:
        if fid not in reveals:
            raise fail("buttons", f"answer {raw['title']!r}: {fid!r} is not in 'reveals'")
    values = raw.get("values") or {}
    for fid in values:
        if fid not in present:
            raise fail("buttons", f"answer {raw['title']!r}: value for {fid!r} not set present")
    return Button(
        title=str(raw["title"]),
        payload=str(raw["payload"]),
        present=present,
        denied=denied,
        values=tuple(values.items()),
    )


def _parse_only_if(raw: Any, fail: Any, vocabulary: dict) -> OnlyIf | None:
    if raw is None:
        return None
    if not isinstance(raw, dict) or not set(raw) <= {"finding", "not_value", "any_present"}:
        raise fail("only_if", f"unknown condition {raw!r}")
    for fid in [raw.get("finding")] * ("finding" in raw) + list(raw.get("any_present") or []):
        if fid not in vocabulary:
            raise fail("only_if", f"unknown finding id {fid!r}")
    return OnlyIf(
        finding=raw.get("finding"),
        not_value=tuple(str(v).lower() for v in raw.get("not_value") or ()),
        any_present=tuple(raw.get("any_present") or ()),
    )


# ------------------------------------------------------------------------------ choosing
def answer_to_findings(question: Question, button_or_payload: Button | int | str) -> list[Finding]:
    """The findings one answer to `question` sets (none for "I don't know")."""
    return question.button(button_or_payload).findings()


@lru_cache(maxsize=1)
def screen_signs() -> frozenset[str]:
    """The finding ids the red-flag screen's answers set."""
    return frozenset(fid for question in load_questions() if question.stage == "screen"
                     for button in question.options for fid in button.present)


def next_question(
    findings: list[Finding],
    kb: KnowledgeBase | None = None,
    asked: set[str] | frozenset[str] = frozenset(),
    questions: list[Question] | None = None,
) -> Question | None:
    """The next question: the screen first, then age when unknown, then the unasked question
    expected to reduce uncertainty most; None when none is worth it."""
    kb = kb or load_knowledge_base()
    questions = load_questions() if questions is None else questions
    known = known_findings(findings)
    for stage in ("screen", "early"):
        for question in questions:
            if question.stage == stage and question.id not in asked \
                    and not question.is_answered(known):
                return question
    return best_question(known, kb, asked, questions)


def best_question(
    known: dict[str, Finding],
    kb: KnowledgeBase,
    asked: set[str] | frozenset[str],
    questions: list[Question],
) -> Question | None:
    """The unasked question expected to reduce uncertainty most; None when none is worth it."""
    findings = list(known.values())
    ranked = leading_causes(rank_causes(findings, kb))
    total = sum(match.score for match in ranked) or 1.0
    leading = [(kb.get(match.id), match.score / total) for match in ranked]
    factors = [
        entry for entry in kb.factors if not any(fid in known for fid in entry.noticed_by)
    ]
    best: tuple[float, Question] | None = None
    for question in questions:
        if question.stage or question.id in asked or question.is_answered(known):
            continue
        if question.only_if is not None and not question.only_if.allows(known):
            continue
        gain = expected_gain(question, known, leading, factors, kb)
        if gain >= MIN_GAIN and (best is None or gain > best[0] + 1e-12):
            best = (gain, question)
    return best[1] if best else None


def leading_causes(ranked: list[CauseMatch]) -> list[CauseMatch]:
    """The causes still in the running: close enough to the best one (at least MIN_LEADING)."""
    if not ranked:
        return []
    floor = ranked[0].score * LEADING_FRACTION
    return [m for index, m in enumerate(ranked) if index < MIN_LEADING or m.score >= floor]


def expected_gain(
    question: Question,
    known: dict[str, Finding],
    leading: list[tuple[Cause, float]],
    factors: list[Cause],
    kb: KnowledgeBase,
) -> float:
    """Expected entropy reduction (bits) from asking `question`."""
    buttons = [button for button in question.buttons if not button.dont_know]
    if not buttons:
        return 0.0
    after = []
    for button in buttons:
        extended = dict(known)
        for finding in button.findings():
            extended.setdefault(finding.id, finding)
        after.append(extended)

    def answer_likelihoods(entry: Cause) -> list[float]:
        base = likelihood_ratio(entry, known, kb)
        ratios = [likelihood_ratio(entry, extended, kb) / base for extended in after]
        norm = sum(ratios)
        return [ratio / norm for ratio in ratios]

    gain = 0.0
    if leading:
        weights = [weight for _, weight in leading]
        given = [answer_likelihoods(entry) for entry, _ in leading]
        expected = 0.0
        for b in range(len(buttons)):
            joint = [w * g[b] for w, g in zip(weights, given, strict=True)]
            p_answer = sum(joint)
            if p_answer > 0:
                expected += p_answer * _entropy([j / p_answer for j in joint])
        gain += _entropy(weights) - expected
    for entry in factors:
        # The answer settles whether the factor applies when it can state the factor.
        if any(fid in question.reveals for fid in entry.noticed_by):
            gain += FACTOR_WEIGHT * _binary_entropy(entry.prior)
    return max(gain, 0.0)


def _entropy(weights: list[float]) -> float:
    total = sum(weights)
    return -sum(w / total * math.log2(w / total) for w in weights if w > 0) if total else 0.0


def _binary_entropy(p: float) -> float:
    return _entropy([p, 1.0 - p])
