"""Conversions between the tracker's slots and the domain core's interview state."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet

from bot.interview import Engine, Interview, Said, State
from bot.model import Finding

# slot name -> State field, for the interview's state kept in the tracker
STATE_SLOTS = {
    "findings": "findings",
    "asked": "asked",
    "skipped": "skipped",
    "pending_question": "pending",
    "chosen": "chosen",
    "rescreen": "rescreen",
    "results_requested": "results_requested",
    "warned": "warned",
    "cleared": "cleared",
    "missed_question": "missed",
}
SUSPECTED = "red_flag_suspected"  # set in the parse data by components/red_flag_gate.py


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


def _strings(value: Any) -> list[str]:
    return [str(item) for item in value or [] if isinstance(item, str)]


def state_from(tracker: Tracker) -> State:
    """The interview state the tracker's slots hold (anything malformed is left out)."""
    pending = tracker.get_slot("pending_question")
    return State(
        findings=findings_from_slot(tracker.get_slot("findings")),
        asked=_strings(tracker.get_slot("asked")),
        skipped=_strings(tracker.get_slot("skipped")),
        pending=pending if isinstance(pending, str) else None,
        chosen=_strings(tracker.get_slot("chosen")),
        rescreen=bool(tracker.get_slot("rescreen")),
        results_requested=bool(tracker.get_slot("results_requested")),
        warned=_strings(tracker.get_slot("warned")),
        cleared=_strings(tracker.get_slot("cleared")),
        missed=missed if isinstance(missed := tracker.get_slot("missed_question"), str) else None,
    )


def interview_from(tracker: Tracker) -> Interview:
    """The interview as the tracker's slots describe it."""
    return engine().interview(state_from(tracker))


def state_slots(interview: Interview) -> dict[str, Any]:
    """The interview's state as slot values."""
    state = interview.state
    values = {slot: getattr(state, name) for slot, name in STATE_SLOTS.items()}
    values["findings"] = findings_to_slot(state.findings)
    return values


def interview_events(interview: Interview) -> list[dict[str, Any]]:
    """Slot events that store the interview back in the tracker."""
    return [SlotSet(slot, value) for slot, value in state_slots(interview).items()]


def latest_text(tracker: Tracker) -> str:
    return (tracker.latest_message or {}).get("text") or ""


def latest_intent(tracker: Tracker) -> str:
    return ((tracker.latest_message or {}).get("intent") or {}).get("name") or ""


def said_from(tracker: Tracker) -> Said:
    """The latest message as the domain core reads it."""
    message = tracker.latest_message or {}
    entities: dict[str, str] = {}
    for entity in message.get("entities") or []:
        name, value = entity.get("entity"), entity.get("value")
        if isinstance(name, str) and value is not None and name not in entities:
            entities[name] = str(value)
    return Said(
        text=latest_text(tracker),
        intent=latest_intent(tracker),
        choice=entities.get("choice"),
        entities=entities,
        suspected=bool(message.get(SUSPECTED)),
    )
