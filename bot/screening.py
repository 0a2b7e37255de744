"""Red-flag screening of one message: the question asked of every turn of a conversation."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.extraction import extract_findings
from bot.model import INTERRUPTING, Finding, RedFlag
from bot.triage import triage

# Words of the body and how it feels: a message with one of them speaks about the person's
# health even when no finding is read from it ("things down there just aren't right").
BODY_WORDS = re.compile(
    r"\b(back|spine|legs?|feet|foot|hips?|groin|bottom|bum|butt|backside|down (there|below)|"
    r"privates?|private (area|parts)|genitals?|bladder|bowels?|pee|wee|poo|urine|pain|hurts?|"
    r"aches?|numb\w*|tingl\w*|body|feel(s|ing)?)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Screening:
    """What one message says about the person, and the red flags it raises."""

    findings: list[Finding]
    red_flags: list[RedFlag]
    text: str = ""

    @property
    def urgent(self) -> list[RedFlag]:
        """The flags that must interrupt the conversation (emergency or urgent)."""
        return [flag for flag in self.red_flags if flag.urgency in INTERRUPTING]

    @property
    def about_health(self) -> bool:
        """True when the message says anything at all about the person's body or history."""
        return bool(self.findings) or bool(BODY_WORDS.search(self.text))


def screen(text: str) -> Screening:
    """Read one message and triage what it says."""
    findings = extract_findings(text)
    return Screening(findings, triage(findings), text)


def red_flags_in(text: str) -> list[RedFlag]:
    """Every red flag the words of one message raise, most urgent first."""
    return screen(text).red_flags


def urgent_red_flags(text: str) -> list[RedFlag]:
    """The red flags in `text` that must interrupt the conversation (emergency or urgent)."""
    return screen(text).urgent
