"""Conversions between the tracker's slots and the domain core's interview state."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet

from bot.interview import Engine, Interview
from bot.model import Finding


@lru_cache(maxsize=1)
def engine() -> Engine:
    """The domain core, loaded once per action server process."""
    return Engine.load()


def findings_from_slot(value: Any) -> list[Finding]:
    """Findings stored in the `findings` slot; anything malformed there is skipped."""
    findings = []
    for item in value or []:
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            findings.append(
                Finding(
                    id=item["id"],
                    present=bool(item.get("present", True)),
                    value=item.get("value"),
                    evidence=str(item.get("evidence") or ""),
                )
            )
    return findings


def findings_to_slot(findings: list[Finding]) -> list[dict[str, Any]]:
    return [
        {"id": f.id, "present": f.present, "value": f.value, "evidence": f.evidence}
        for f in findings
    ]


def interview_from(tracker: Tracker) -> Interview:
    """The interview as the tracker's slots describe it."""
    return engine().interview(
        findings=findings_from_slot(tracker.get_slot("findings")),
        asked=list(tracker.get_slot("asked") or []),
    )


def interview_events(interview: Interview) -> list[dict[str, Any]]:
    """Slot events that store the interview back in the tracker."""
    return [
        SlotSet("findings", findings_to_slot(interview.findings)),
        SlotSet("asked", list(interview.asked)),
    ]


def latest_text(tracker: Tracker) -> str:
    return (tracker.latest_message or {}).get("text") or ""


def latest_intent(tracker: Tracker) -> str:
    return ((tracker.latest_message or {}).get("intent") or {}).get("name") or ""
