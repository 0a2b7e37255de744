"""Red-flag screening of one message: the question asked of every turn of a conversation."""

from __future__ import annotations

from bot.extraction import extract_findings
from bot.model import RedFlag
from bot.triage import triage

INTERRUPTING = ("emergency", "urgent")


def red_flags_in(text: str) -> list[RedFlag]:
    """Every red flag the words of one message raise, most urgent first."""
    return triage(extract_findings(text))


def urgent_red_flags(text: str) -> list[RedFlag]:
    """The red flags in `text` that must interrupt the conversation (emergency or urgent)."""
    return [flag for flag in red_flags_in(text) if flag.urgency in INTERRUPTING]
