"""One interview: what is known, which questions were asked, what to ask next, when to stop."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.assessment import Assessor
from bot.extraction import extract_findings
from bot.knowledge import KnowledgeBase, load_knowledge_base
from bot.matching import known_findings, match_entry, rank_causes
from bot.model import Assessment, CauseMatch, Finding, RedFlag
from bot.questions import Question, load_questions, next_question
from bot.screening import INTERRUPTING
from bot.triage import triage
from bot.vocabulary import load_vocabulary
from bot.wording import Wording

MAX_QUESTIONS = 10
# How many interview states the engine remembers answers for (a few KB each at most).
STATE_CACHE = 4096
# The picture is clear when the leading cause is this likely and this far ahead of the next.
CLEAR_SCORE = 0.85
CLEAR_MARGIN = 0.4


@dataclass(frozen=True)
class Answer:
    """What one reply to a question gave: whether it was usable, and the findings it set."""

    accepted: bool
    findings: list[Finding] = field(default_factory=list)


class Engine:
    """The domain core's parts, loaded once: knowledge base, questions, assessor and wording."""

    def __init__(self, kb: KnowledgeBase, questions: list[Question]) -> None:
        self.kb = kb
        self.questions = {question.id: question for question in questions}
        self.assessor = Assessor()
        self.wording = Wording(kb, load_vocabulary())
        self._next: dict[tuple, Question | None] = {}
        self._clear: dict[frozenset, bool] = {}

    @classmethod
    def load(cls) -> Engine:
        engine = cls(load_knowledge_base(), load_questions())
        extract_findings("warm-up")  # load the NLP pipeline now, not on the first message
        return engine

    def interview(self, findings: list[Finding], asked: list[str]) -> Interview:
        return Interview(self, findings, asked)

    # The action server asks these several times per message (rasa_sdk calls `required_slots`
    # repeatedly), so the answers are remembered per interview state.
    def next_question(self, findings: list[Finding], asked: list[str]) -> Question | None:
        """The most useful question left for this state."""
        key = (_findings_key(findings), frozenset(asked))
        if key not in self._next:
            _make_room(self._next)
            self._next[key] = next_question(
                findings, self.kb, set(asked), list(self.questions.values())
            )
        return self._next[key]

    def is_clear(self, findings: list[Finding]) -> bool:
        """True when one cause leads so clearly that more questions would not change the order."""
        key = _findings_key(findings)
        if key not in self._clear:
            _make_room(self._clear)
            ranked = rank_causes(findings, self.kb)
            self._clear[key] = len(ranked) < 2 or (
                ranked[0].score >= CLEAR_SCORE
                and ranked[0].score - ranked[1].score >= CLEAR_MARGIN
            )
        return self._clear[key]


def _findings_key(findings: list[Finding]) -> frozenset:
    return frozenset((finding.id, finding.present, finding.value) for finding in findings)


def _make_room(cache: dict) -> None:
    """Forget the oldest remembered state once `cache` is full."""
    if len(cache) >= STATE_CACHE:
        cache.pop(next(iter(cache)))


class Interview:
    """The state of one person's interview, and the rules for moving it on."""

    def __init__(self, engine: Engine, findings: list[Finding], asked: list[str]) -> None:
        self.engine = engine
        self.findings = list(known_findings(findings).values())
        self.asked = [qid for qid in asked if qid in engine.questions]

    # ------------------------------------------------------------------ learning
    def learn(self, new: list[Finding]) -> list[Finding]:
        """Adds findings (a later statement about the same thing replaces the earlier one)."""
        known = known_findings([*self.findings, *new])
        self.findings = list(known.values())
        return new

    def add_text(self, text: str) -> list[Finding]:
        """Reads free text into findings; returns what it learned."""
        return self.learn(extract_findings(text)) if text.strip() else []

    def acknowledge(self, learned: list[Finding], before: list[RedFlag]) -> list[str]:
        """What to say back after a description: what was understood, and any new 'soon' flag."""
        notes = [self.engine.wording.understood(learned)]
        seen = {flag.id for flag in before}
        notes += [
            self.engine.wording.soon_note(flag)
            for flag in self.red_flags()
            if flag.urgency == "soon" and flag.id not in seen
        ]
        return notes

    # ------------------------------------------------------------------ questions
    def question(self, question_id: str | None) -> Question | None:
        return self.engine.questions.get(question_id) if question_id else None

    def next_question(self) -> Question | None:
        """The most useful question left, or None when the interview should end."""
        if len(self.asked) >= MAX_QUESTIONS or self.is_clear():
            return None
        return self.engine.next_question(self.findings, self.asked)

    def wants_more(self) -> bool:
        return not self.urgent_red_flags() and self.next_question() is not None

    def is_clear(self) -> bool:
        """True when one cause leads so clearly that more questions would not change the order."""
        return self.engine.is_clear(self.findings)

    def skip(self, question: Question) -> None:
        """The person does not know: move on without storing anything."""
        self._mark_asked(question)

    def answer(
        self, question: Question, text: str, choice: str | None = None, yes_no: bool | None = None
    ) -> Answer:
        """Reads a reply to `question` from a button choice, a button's title, a plain yes or
        no (`yes_no`), or free text.

        A reply that says nothing the assistant can use is refused, so it can be asked again.
        """
        findings: list[Finding] = []
        for candidate in (choice, text, _yes_no_title(question, yes_no)):
            if candidate:
                try:
                    button = question.button(candidate)
                except ValueError:
                    continue
                if button.dont_know:
                    self.skip(question)
                    return Answer(True)
                findings = button.findings()
                break
        else:
            findings = extract_findings(text) if text.strip() else []
        if not findings:
            return Answer(False)
        self.learn(findings)
        self._mark_asked(question)
        return Answer(True, findings)

    def _mark_asked(self, question: Question) -> None:
        if question.id not in self.asked:
            self.asked.append(question.id)

    # ------------------------------------------------------------------ conclusions
    def red_flags(self) -> list[RedFlag]:
        return triage(self.findings)

    def urgent_red_flags(self) -> list[RedFlag]:
        return [flag for flag in self.red_flags() if flag.urgency in INTERRUPTING]

    def assess(self) -> Assessment:
        return self.engine.assessor.assess_findings(self.findings)

    def match(self, cause_id: str) -> CauseMatch | None:
        """How this person's findings bear on one cause or factor (None for an unknown id)."""
        if cause_id not in self.engine.kb:
            return None
        entry = self.engine.kb.get(cause_id)
        return match_entry(entry, known_findings(self.findings), self.engine.kb)


def _yes_no_title(question: Question, yes_no: bool | None) -> str | None:
    """The title of the question's "Yes..." or "No..." button, for a plain yes or no."""
    if yes_no is None:
        return None
    start = "yes" if yes_no else "no"
    for button in question.buttons:
        words = button.title.casefold().replace(",", " ").split()
        if words and words[0] == start:
            return button.title
    return None
