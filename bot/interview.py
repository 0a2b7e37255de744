"""One interview: what is known, what to ask next, and what each reply means.

A reply to the waiting question is read as an answer to it first (bot/answers.py), whatever the
classifier thought it was: "yes slumped posture. thats me" records the posture answer instead of
fetching an article about posture. Only a reply that answers nothing of the question takes
another way: a question of its own ("what is sciatica?"), a request for the results, a
correction, or a hint and the same question again. Red flags never reach here: the red-flag gate
turns them into urgent advice before any of this runs.

The interview's state is plain data (`State`) kept by the dialogue between messages.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

from bot.answers import Answer, read_answer
from bot.assessment import Assessor
from bot.extraction import extract_findings
from bot.followups import KINDS, Advisor, cue_kind
from bot.knowledge import KnowledgeBase, load_knowledge_base
from bot.matching import known_findings, match_entry, rank_causes
from bot.model import INTERRUPTING, Assessment, CauseMatch, Finding, RedFlag
from bot.questions import NONE, Button, Question, load_questions, next_question
from bot.triage import triage
from bot.vocabulary import load_relations, load_vocabulary
from bot.wording import Message, Wording

MAX_QUESTIONS = 10  # after the red-flag screen, which is always asked in full
# How many interview states the engine remembers answers for (a few KB each at most).
STATE_CACHE = 4096
# The picture is clear when the leading cause is this likely and this far ahead of the next.
CLEAR_SCORE = 0.85
CLEAR_MARGIN = 0.4
RESCREEN = "screen_emergency"  # asked again when only the classifier heard a warning sign
# "That's wrong" said of what the assistant understood (not "something feels wrong down there"):
# only then is the last warning taken back.
CORRECTION = re.compile(
    r"\b(that'?s|thats|that is|that was|you'?ve|you|u|it'?s|its|it is)\b[^.?!]{0,24}\b(wrong|"
    r"not right|incorrect|a mistake|mistaken|not true|misread|misunderstood|misheard)\b"
    r"|\bi (never|didn'?t|did not) (say|said|mean|meant|write|wrote)\b"
    r"|\bnot what i (said|meant|wrote)\b|\b(misread|misunderstood|misheard)\b"
    r"|\b(got|read|picked up) (it|that|me|this) (up )?wrong\b"
    r"|^\W*(no\W+)?(wrong|incorrect|not true|mistake|nope)\W*$", re.IGNORECASE)
# A reply that opens like a question is a question, not an answer, when the classifier agrees.
QUESTION_START = re.compile(
    r"^\s*(what|whats|what's|how|why|when|which|who|where|can|could|should|would|will|is|are|"
    r"do|does|did|tell me|explain|list|show me|give me)\b", re.IGNORECASE)


def looks_like_question(text: str) -> bool:
    """Whether a message has the shape of a question: a question word first, or a "?"."""
    return bool(QUESTION_START.match(text or "")) or (text or "").rstrip().endswith("?")


FOLLOWUP_INTENTS = frozenset(KINDS)  # "what can I do?", "is it serious?" (bot/followups.py)
DETOURS = frozenset({
    "ask_cause_info", "list_causes", "ask_aggravating_factors", "ask_summary", "help",
    "bot_challenge", "ask_more", "greet", "thank",
})


@dataclass
class State:
    """Everything the interview needs between two messages."""

    findings: list[Finding] = field(default_factory=list)
    asked: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    pending: str | None = None
    chosen: list[str] = field(default_factory=list)
    rescreen: bool = False
    results_requested: bool = False
    warned: list[str] = field(default_factory=list)
    cleared: list[str] = field(default_factory=list)
    missed: str | None = None  # the question whose last reply could not be read

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["findings"] = [asdict(f) for f in self.findings]
        return out


@dataclass(frozen=True)
class Said:
    """One message: its text, what the classifier made of it, the button tapped (a payload
    "question:answer"), the entities, and whether the red-flag gate's classifier suspected a
    warning sign the rules did not find."""

    text: str = ""
    intent: str = ""
    choice: str | None = None
    entities: dict[str, str] = field(default_factory=dict)
    suspected: bool = False


@dataclass(frozen=True)
class Change:
    """A correction: what was known about something, and what is known now."""

    before: Finding
    after: Finding


class Engine:
    """The domain core's parts, loaded once: knowledge base, questions, assessor and wording."""

    def __init__(self, kb: KnowledgeBase, questions: list[Question]) -> None:
        self.kb = kb
        self.questions = {question.id: question for question in questions}
        self.assessor = Assessor(kb)
        self.vocabulary = load_vocabulary()
        self.relations = load_relations()
        self.wording = Wording(kb, self.vocabulary)
        self.advisor = Advisor(kb)
        self._next: dict[tuple, Question | None] = {}
        self._clear: dict[frozenset, bool] = {}

    @classmethod
    def load(cls) -> Engine:
        return cls(load_knowledge_base(), load_questions())

    def interview(self, findings: list[Finding] | State, asked: list[str] | None = None
                  ) -> Interview:
        """The interview for a state (or for findings and the questions asked)."""
        if isinstance(findings, State):
            return Interview(self, findings)
        return Interview(self, State(findings=list(findings), asked=list(asked or [])))

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
            self._clear[key] = bool(ranked) and bool(ranked[0].reasons) and (
                ranked[0].score >= CLEAR_SCORE
                and (len(ranked) < 2 or ranked[0].score - ranked[1].score >= CLEAR_MARGIN)
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

    def __init__(self, engine: Engine, state: State) -> None:
        self.engine = engine
        self.state = state
        state.findings = list(known_findings(state.findings).values())
        state.asked = [qid for qid in state.asked if qid in engine.questions]

    # ------------------------------------------------------------------ shortcuts
    @property
    def findings(self) -> list[Finding]:
        return self.state.findings

    @property
    def asked(self) -> list[str]:
        return self.state.asked

    @property
    def known(self) -> dict[str, Finding]:
        return known_findings(self.state.findings)

    @property
    def wording(self) -> Wording:
        return self.engine.wording

    # ------------------------------------------------------------------ learning
    def learn(self, new: list[Finding]) -> list[Change]:
        """Adds findings; a later statement about the same thing replaces the earlier one, and
        replaces what it rules out ("no leg pain" after "pain below the knee"). Returns what
        was corrected."""
        known = self.known
        relations = self.engine.relations
        changes: list[Change] = []
        for finding in new:
            old = known.get(finding.id)
            if old is not None and (old.present != finding.present or (
                    finding.value is not None and old.value not in (None, finding.value))):
                changes.append(Change(old, finding))
            for ruled_out in relations.ruled_out_by(finding):
                previous = known.get(ruled_out)
                if previous is not None and previous.present:
                    known.pop(ruled_out)
                    changes.append(Change(previous, finding))
            if old is not None and finding.value is None and old.present == finding.present:
                finding = old  # "numbness" again keeps "numbness for 3 weeks"
            known.pop(finding.id, None)
            known[finding.id] = finding
        self.state.findings = list(known.values())
        return changes

    def add_text(self, text: str) -> list[Finding]:
        """Reads free text into findings; returns what it learned."""
        found = extract_findings(text) if text.strip() else []
        self.learn(found)
        return found

    def describe(self, text: str, suspected: bool = False) -> list[Message]:
        """A description outside a question: read it, say back what was understood (and any
        new "soon" warning), and note a suspicion the rules did not confirm."""
        before = {flag.id for flag in self.red_flags()}
        found = extract_findings(text) if text.strip() else []
        changes = self.learn(found)
        messages = [Message(self.wording.understood(found, changes))]
        messages += self._soon_notes(before)
        if suspected and not self.urgent_red_flags():
            self.state.rescreen = True
        return messages

    def _soon_notes(self, before: set[str]) -> list[Message]:
        return [
            Message(self.wording.soon_note(flag))
            for flag in self.red_flags()
            if flag.urgency == "soon" and flag.id not in before
        ]

    # ------------------------------------------------------------------ questions
    def question(self, question_id: str | None) -> Question | None:
        return self.engine.questions.get(question_id) if question_id else None

    def next_question(self) -> Question | None:
        """The question to ask now, or None when the interview should end."""
        if self.state.rescreen:  # before the waiting question, which is asked again after
            return self.question(RESCREEN)
        pending = self.question(self.state.pending)
        if pending is not None and (self.state.chosen or not pending.is_answered(self.known)):
            return pending
        if pending is not None:  # answered meanwhile ("no, it's my left side")
            self._done_with(pending)
        if self.screen_left():
            return self.engine.next_question(self.findings, self.asked)
        if self.questions_after_screen() >= MAX_QUESTIONS or self.is_clear():
            return None
        return self.engine.next_question(self.findings, self.asked)

    def questions_after_screen(self) -> int:
        """How many questions outside the red-flag screen were asked."""
        questions = self.engine.questions
        return sum(1 for qid in self.asked if questions[qid].stage != "screen")

    def screen_left(self) -> list[Question]:
        """Screen questions not yet asked that still have a sign to offer."""
        known = self.known
        return [q for q in self.engine.questions.values() if q.stage == "screen"
                and q.id not in self.asked and not q.is_answered(known)]

    def screen_declined(self) -> list[Question]:
        """Screen questions the person would not or could not answer."""
        return [self.engine.questions[qid] for qid in self.state.skipped
                if qid in self.engine.questions and self.engine.questions[qid].stage == "screen"]

    def wants_more(self) -> bool:
        urgent = self.urgent_red_flags()
        if urgent:
            # after urgent (not emergency) advice, the rest of the screen is still asked: a
            # fever beside a weak leg makes it an emergency
            return not any(f.urgency == "emergency" for f in urgent) and bool(self.screen_left())
        if self.state.results_requested and not self.screen_left() and not self.state.rescreen:
            return False
        return self.next_question() is not None

    def is_clear(self) -> bool:
        """True when one cause leads so clearly that more questions would not change the order."""
        return self.engine.is_clear(self.findings)

    def shown(self, question: Question) -> list[Button]:
        """The answers offered for `question` now (all of them when screening again)."""
        if self.state.rescreen and question.id == RESCREEN:
            return list(question.options)
        return question.shown(self.known, self.state.chosen if
                              self.state.pending == question.id else ())

    def ask(self, preface: str = "") -> list[Message]:
        """The next question as a message with its buttons; it becomes the pending question.
        Nothing when there is none left."""
        question = self.next_question()
        if question is None:
            return [Message(self.wording.nothing_more_to_ask())]
        follow_up = self.state.pending == question.id and bool(self.state.chosen)
        if self.state.rescreen and question.id == RESCREEN and not preface:
            preface = self.wording.phrases["rescreen"]
        elif question.stage == "screen" and not preface and question.id not in self.asked \
                and not self.screen_started():
            preface = self.wording.phrases["screen_intro"]
        self.state.pending = question.id
        return [self.wording.question_message(question, self.shown(question), preface, follow_up)]

    def screen_started(self) -> bool:
        return any(self.engine.questions[q].stage == "screen" for q in self.asked)

    def skip(self, question: Question) -> None:
        """The person does not know or would rather not say: move on, storing nothing."""
        if question.id not in self.state.skipped:
            self.state.skipped.append(question.id)
        self._done_with(question)

    def _done_with(self, question: Question) -> None:
        self.state.missed = None
        if question.id not in self.asked:
            self.asked.append(question.id)
        if self.state.pending == question.id:
            self.state.pending = None
            self.state.chosen = []
        if question.id == RESCREEN:
            self.state.rescreen = False

    # ------------------------------------------------------------------ replies
    def reply(self, said: Said) -> list[Message]:
        """What to say to one message while a question waits (before it is asked again or
        the next one comes); the state moves on with it."""
        question = self.question(self.state.pending)
        if question is None and said.choice:
            return self._earlier_tap(said)  # no question waits: never read as words
        if question is None:
            return self.describe(said.text, said.suspected)
        if said.choice:
            return self._tap(question, said)
        if said.intent == "ask_why":
            return [Message(self.wording.why(question))]
        if said.intent == "show_results" or self._asks_for_results(said.text):
            return self.request_results()
        if said.intent == "correct":
            return self.correct(said.text)
        if said.intent == "been_checked":
            return self.checked()
        if said.intent == "other_language":  # nothing in it can be read as an answer
            return self.followup(said.intent)
        if said.intent in DETOURS | FOLLOWUP_INTENTS and \
                QUESTION_START.match(said.text or ""):
            return self.detour(said)
        before = {flag.id for flag in self.red_flags()}
        answer = read_answer(question, said.text, self.known, self.state.chosen)
        messages = self._take(question, answer, said) + self._advice_now(before)
        if not self.urgent_red_flags():
            messages += self._soon_notes(before)
        if said.suspected and not self.urgent_red_flags() and question.id != RESCREEN:
            self.state.rescreen = True
        return messages

    def _advice_now(self, before: set[str]) -> list[Message]:
        """Urgent advice for a flag an answer just raised, while the screen goes on (an
        emergency ends the interview instead, and the results give its advice)."""
        new = [f for f in self.urgent_red_flags() if f.id not in before]
        if not new or not self.wants_more():
            return []
        self.state.warned = sorted({fid for flag in new for fid in flag.evidence})
        return [*self.wording.red_flag_advice(new), Message(self.wording.phrases["more_checks"])]

    def _take(self, question: Question, answer: Answer, said: Said) -> list[Message]:
        """Record one reading of a typed reply, and say what it changed."""
        if answer.kind == "why":
            return [Message(self.wording.why(question))]
        if answer.kind in ("dont_know", "skip"):
            self.skip(question)
            return []
        if answer.kind == "done":
            self._done_with(question)
            return []
        if answer.kind == "unclear":
            return [Message(self.wording.which_ones(question))]
        # one reply says each thing once: "im 34" is the age 34, not "20 to 39" corrected to 34
        changes = self.learn(list({f.id: f for f in answer.findings}.values()))
        if answer.kind != "answer":
            if answer.findings:  # said something else worth keeping: noted, question still open
                return [Message(self.wording.noted(list(answer.findings), changes))]
            if self._is_detour(said):
                return self.detour(said)
            if self.state.missed == question.id:  # a second reply it cannot read: move on
                self.skip(question)
                return [Message(self.wording.phrases["moving_on"])]
            self.state.missed = question.id
            return [Message(self.wording.answer_hint(question, self.shown(question)))]
        self._done_with(question)
        notes = []
        if changes:
            notes.append(Message(self.wording.corrected(changes)))
        elif answer.extra:
            notes.append(Message(self.wording.noted(list(answer.extra), [])))
        return notes

    def _is_detour(self, said: Said) -> bool:
        """Whether a reply that answers nothing is a question of the person's own: a cause
        question needs a cause named or the shape of a question ("purple monkey dishwasher" is
        neither)."""
        if said.intent not in DETOURS | FOLLOWUP_INTENTS:
            return False
        if said.intent in ("ask_cause_info", "ask_more"):
            return bool(said.entities.get("cause") or said.entities.get("rank")
                        or looks_like_question(said.text))
        return True

    def _tap(self, question: Question, said: Said) -> list[Message]:
        """A tapped button: an answer to the waiting question, a change to an earlier answer
        (a button of a question asked before), or an old button of nothing asked."""
        qid, _, payload = str(said.choice).partition(":")
        if not payload:
            qid, payload = question.id, qid
        if qid != question.id:
            return self._earlier_tap(said)
        answer = read_answer(question, "", self.known, self.state.chosen, payload=payload)
        if answer.kind == "dont_know":
            self.skip(question)
            return []
        if not answer.usable:
            return [Message(self.wording.answer_hint(question, self.shown(question)))]
        before = {flag.id for flag in self.red_flags()}
        self.learn(list(answer.findings))
        if {flag.id for flag in self.urgent_red_flags()} - before:
            self._done_with(question)
            return self._advice_now(before)
        notes = self._soon_notes(before)
        # A tapped warning sign is followed by "anything else?" (a second sign can change the
        # advice); elsewhere one tap answers, and several answers can be typed at once.
        if question.stage == "screen" and payload != NONE and not self.state.rescreen \
                and not self.urgent_red_flags():
            self.state.chosen = [*self.state.chosen, payload]
            if [b for b in self.shown(question) if b.payload != NONE]:
                return notes  # asked again as "anything else?" with the answers left
        self._done_with(question)
        return notes

    def _earlier_tap(self, said: Said) -> list[Message]:
        """A button of a question asked before: a change to that answer, said back; a button
        of nothing asked (or a payload that names no answer) is out of date."""
        qid, _, payload = str(said.choice).partition(":")
        earlier = self.question(qid)
        if earlier is None or qid not in self.asked or not payload:
            return [Message(self.wording.phrases["old_button"])]
        answer = read_answer(earlier, "", self.known, payload=payload)
        if not answer.usable:
            return [Message(self.wording.phrases["old_button"])]
        changes = self.learn(list(answer.findings))
        return [Message(self.wording.changed_answer(earlier, payload, changes))]

    def _asks_for_results(self, text: str) -> bool:
        words = re.sub(r"[^a-z ]", " ", (text or "").lower()).split()
        return " ".join(words) in self.wording.phrases["results_words"]

    def request_results(self) -> list[Message]:
        """The person wants the results now: the screen first if it is not done, once."""
        asked_before = self.state.results_requested
        self.state.results_requested = True
        left = self.screen_left()
        pending = self.question(self.state.pending)
        if pending is not None and pending.stage == "screen":
            if asked_before:  # asked again instead of answering the screen: declined
                self.skip(pending)
                return []
            return [Message(self.wording.phrases["screen_before_results"])]
        if left:
            self.state.pending = None
            self.state.chosen = []
            return [Message(self.wording.phrases["screen_before_results"])]
        self.state.pending = None
        self.state.chosen = []
        return []

    def detour(self, said: Said) -> list[Message]:
        """A question of the person's own while a question waits: answered, and the interview
        then goes on."""
        wording = self.wording
        intent = said.intent
        if intent in FOLLOWUP_INTENTS:
            return self.followup(intent)
        if intent in ("ask_cause_info", "ask_more"):
            cause = said.entities.get("cause")
            if cause:
                return wording.explain(cause, self.match(cause))
            return wording.which_cause()
        if intent == "list_causes":
            return wording.list_causes(said.entities.get("category"))
        if intent == "ask_aggravating_factors":
            return wording.aggravating_factors(self.assess())
        if intent == "ask_summary":
            return self.summary()
        if intent == "help":
            return wording.help()
        if intent == "bot_challenge":
            return [Message(wording.phrases["bot"])]
        if intent == "greet":
            return [Message(wording.phrases["greet_again"])]
        if intent == "thank":
            return [Message(wording.phrases["welcome"])]
        return []

    def followup(self, intent: str) -> list[Message]:
        """The answer to a question people ask next ("what can I do?", "is it serious?"),
        from what this person said."""
        kind = KINDS[intent]
        texts = self.engine.advisor.answer(kind, self.assess(), set(self.state.cleared),
                                           screened=not self.screen_left())
        return [Message(text) for text in texts]

    # ------------------------------------------------------------------ warnings
    def warn(self, text: str) -> list[Message]:
        """Urgent advice for a message that raised an emergency or urgent flag; what it rests
        on is remembered, so "that's wrong" can take it back."""
        before = {flag.id for flag in self.urgent_red_flags()}
        if before and cue_kind(text) == "been_checked":
            self.add_text(text)
            if {flag.id for flag in self.urgent_red_flags()} <= before:
                # "the doctor says the fever was just a cold": a report of being checked for
                # the warning already given, with no new sign in it
                return self.checked()
        pending = self.question(self.state.pending)
        if pending is not None and pending.stage == "screen":
            # the warning sign came as the answer to the screen: the rest of the answer counts
            answer = read_answer(pending, text, self.known, self.state.chosen)
            self.learn(list(answer.findings))
            if answer.usable:
                self._done_with(pending)
        self.add_text(text)
        flags = self.urgent_red_flags()
        self.state.warned = sorted({fid for flag in flags for fid in flag.evidence})
        self.state.pending = None
        self.state.chosen = []
        advice = self.wording.red_flag_advice(flags or self.red_flags())
        if self.wants_more():  # urgent, not an emergency: the rest of the screen is still asked
            advice.append(Message(self.wording.phrases["more_checks"]))
        return advice

    def correct(self, text: str) -> list[Message]:
        """"That's wrong": what the text says instead, or, with nothing said, the findings behind
        the last warning are taken back (the person is believed)."""
        found = extract_findings(text) if text.strip() else []
        if self.state.warned and CORRECTION.search(text or ""):
            restated = {f.id for f in found if f.present}
            denied = [Finding(fid, present=False, evidence=text.strip()[:80])
                      for fid in self.state.warned if fid not in restated]
            changes = self.learn(denied)
            self.learn(found)
            self.state.warned = []
            return [Message(self.wording.taken_back(changes))]
        if found:
            changes = self.learn(found)
            return [Message(self.wording.corrected(changes) if changes
                            else self.wording.noted(found, []))]
        return [Message(self.wording.phrases["what_was_wrong"])]

    def checked(self) -> list[Message]:
        """The person says they have been checked since a warning: the interview carries on,
        and the warning stays in the summary."""
        flags = [flag.id for flag in self.red_flags() if flag.urgency in INTERRUPTING]
        self.state.cleared = sorted(set(self.state.cleared) | set(flags))
        self.state.warned = []
        return [Message(self.wording.phrases["checked"])]

    # ------------------------------------------------------------------ conclusions
    def red_flags(self) -> list[RedFlag]:
        return triage(self.findings)

    def urgent_red_flags(self) -> list[RedFlag]:
        """The flags that stop everything else, but those the person has been checked for."""
        return [flag for flag in self.red_flags()
                if flag.urgency in INTERRUPTING and flag.id not in self.state.cleared]

    def assess(self) -> Assessment:
        assessment = self.engine.assessor.assess_findings(self.findings)
        if not self.state.cleared:
            return assessment
        return Assessment(
            red_flags=[f for f in assessment.red_flags if f.id not in self.state.cleared],
            causes=assessment.causes,
            aggravating_factors=assessment.aggravating_factors,
            findings=assessment.findings,
        )

    def results(self) -> list[Message]:
        """Possible causes (or the advice a red flag needs), with what the screen could not
        check."""
        declined = [] if self.urgent_red_flags() else self.screen_declined()
        return self.wording.results(self.assess(), declined)

    def summary(self) -> list[Message]:
        asked = [self.engine.questions[q] for q in self.asked
                 if self.engine.questions[q].stage == "screen"]
        return self.wording.clinician_summary(
            self.engine.assessor.assess_findings(self.findings), asked, self.state.cleared)

    def match(self, cause_id: str) -> CauseMatch | None:
        """How this person's findings bear on one cause or factor (None for an unknown id)."""
        if cause_id not in self.engine.kb:
            return None
        entry = self.engine.kb.get(cause_id)
        return match_entry(entry, self.known, self.engine.kb)
