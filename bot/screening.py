"""Red-flag screening of one message: the question asked of every turn of a conversation."""

from __future__ import annotations

from dataclasses import dataclass

from bot.extraction import extract_findings
from bot.model import INTERRUPTING, Finding, RedFlag
from bot.triage import triage


@dataclass(frozen=True)
class Screening:
    """What one message says about the person, and the red flags it raises."""

    findings: list[Finding]
    red_flags: list[RedFlag]

    @property
    def urgent(self) -> list[RedFlag]:
        """The flags that must interrupt the conversation (emergency or urgent)."""
        return [flag for flag in self.red_flags if flag.urgency in INTERRUPTING]

    @property
    def about_health(self) -> bool:
        """True when the message says anything at all about the person's body or history."""
        return bool(self.findings)


def screen(text: str) -> Screening:
    """Read one message and triage what it says."""
    findings = extract_findings(text)
    return Screening(findings, triage(findings))


def red_flags_in(text: str) -> list[RedFlag]:
    """Every red flag the words of one message raise, most urgent first."""
    return screen(text).red_flags


def urgent_red_flags(text: str) -> list[RedFlag]:
    """The red flags in `text` that must interrupt the conversation (emergency or urgent)."""
    return screen(text).urgent
