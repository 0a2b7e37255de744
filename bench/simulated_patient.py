"""A simulated patient who types: plays one conversation against the domain core in process.

The conversation goes as the dialogue's rules take it (data/rules.yml): every message is screened
for red flags first (bot.screening, as components/red_flag_gate.py does), an urgent flag ends
it with advice, a first message is a description, and every later message is a reply to the
waiting question (bot.interview.Interview.reply). The classifier is not part of this: messages
carry no intent, so it measures what the domain core understands of the words themselves.
Benchmarks that want the classifier too drive the real servers over REST instead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from bot.interview import Engine, Interview, Said, State
from bot.model import INTERRUPTING, URGENCY_ORDER
from bot.screening import screen

LEVELS = ("none", "soon", "urgent", "emergency")
MAX_TURNS = 24


@dataclass
class Conversation:
    """How one simulated conversation went."""

    level: str = "none"
    questions: int = 0
    screen_questions: int = 0
    asked: list[str] = field(default_factory=list)
    transcript: list[str] = field(default_factory=list)
    results: list[str] = field(default_factory=list)
    interview: Interview | None = None


@lru_cache(maxsize=1)
def engine() -> Engine:
    return Engine.load()


def _level(interview: Interview) -> str:
    flags = interview.red_flags()
    if not flags:
        return "none"
    return min((f.urgency for f in flags), key=URGENCY_ORDER.index)


def simulate(
    opening: str,
    answer: Callable[[str], str | None],
    results: bool = True,
) -> Conversation:
    """Play a conversation: `opening`, then `answer(question_id)` typed to every question (None
    ends it). Returns the level of advice reached and the questions asked."""
    interview = engine().interview(State())
    talk = Conversation(interview=interview)

    def said(text: str) -> bool:
        """Screen a message; True when it raised urgent advice (the dialogue's red-flag rule:
        an emergency ends the conversation, urgent advice lets the screen go on)."""
        talk.transcript.append(f"> {text}")
        if screen(text).urgent:
            talk.transcript += [m.text for m in interview.warn(text)]
            talk.level = max(talk.level, _level(interview), key=LEVELS.index)
            return True
        return False

    if said(opening):
        if not interview.wants_more():
            return talk
    else:
        talk.transcript += [m.text for m in interview.describe(opening)]
    for _ in range(MAX_TURNS):
        if interview.urgent_red_flags() and not interview.wants_more():
            talk.transcript += [m.text for m in interview.results()]
            break
        if not interview.wants_more():
            if results:
                shown = interview.results()
                talk.results = [m.text for m in shown]
                talk.transcript += talk.results
            break
        talk.transcript += [m.text for m in interview.ask()]
        question = interview.state.pending
        if question is None:
            break
        if question not in talk.asked:
            talk.asked.append(question)
            talk.questions += 1
            talk.screen_questions += question.startswith("screen_")
        reply = answer(question)
        if reply is None:
            break
        if said(reply) and not interview.wants_more():
            return talk
        talk.transcript += [m.text for m in interview.reply(Said(text=reply))]
    level = _level(interview)
    talk.level = level if level in INTERRUPTING or talk.level == "none" else talk.level
    talk.level = max(talk.level, level, key=LEVELS.index)
    return talk
