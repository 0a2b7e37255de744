"""The speed-ups answer exactly as Rasa's own code does: the prepared action-reply check, the
remembered event types and the remembered walk over applied events."""

from __future__ import annotations

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import (
    ActionExecuted,
    ActionReverted,
    ActiveLoop,
    Event,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from server import speedups

VALID = {
    "events": [{"event": "slot", "name": "answer", "value": None}],
    "responses": [{"text": "Where does it hurt?", "buttons": [{"title": "Back", "payload": "/x"}]}],
}
INVALID = {"events": [{"event": 42}], "responses": "not a list"}


@pytest.fixture()
def action(monkeypatch: pytest.MonkeyPatch) -> RemoteAction:
    rasa_check = RemoteAction._validate_action_result
    monkeypatch.setattr(RemoteAction, "_validate_action_result", rasa_check)  # undone after
    monkeypatch.setattr(Event, "resolve_by_type", Event.__dict__["resolve_by_type"])
    monkeypatch.setattr(
        DialogueStateTracker, "applied_events", DialogueStateTracker.applied_events)
    speedups.apply()
    return RemoteAction("action_x", EndpointConfig("http://127.0.0.1:1/webhook"))


def test_a_valid_reply_passes_without_rechecking_the_schema(
    action: RemoteAction, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_meta_check(*args: object, **kwargs: object) -> None:
        raise AssertionError("the meta-schema was checked again")

    monkeypatch.setattr(jsonschema.Draft7Validator, "check_schema", no_meta_check)
    assert action._validate_action_result(VALID) is True


def test_an_invalid_reply_fails_with_rasas_own_message(action: RemoteAction) -> None:
    with pytest.raises(jsonschema.ValidationError, match="Failed to validate Action server"):
        action._validate_action_result(INVALID)


def test_applying_twice_keeps_one_wrapper(action: RemoteAction) -> None:
    first = RemoteAction._validate_action_result
    speedups.apply()
    assert RemoteAction._validate_action_result is first


@pytest.mark.usefixtures("action")
def test_event_types_resolve_as_rasa_resolves_them() -> None:
    for _ in range(2):  # found, then remembered
        assert Event.resolve_by_type("user") is UserUttered
        assert Event.resolve_by_type("action") is ActionExecuted
        assert Event.resolve_by_type("slot", default=UserUttered) is SlotSet
        assert Event.resolve_by_type("no_such_event", default=SlotSet) is SlotSet
        assert Event.resolve_by_type("topic") is None
        with pytest.raises(ValueError, match="Unknown event name 'no_such_event'"):
            Event.resolve_by_type("no_such_event")
    # An unknown name is not remembered as its default: a class defined later is found.

    class Later(SlotSet):
        type_name = "no_such_event"

    assert Event.resolve_by_type("no_such_event", default=SlotSet) is Later
    stored = {"event": "slot", "name": "answer", "value": "yes", "timestamp": 1.0}
    assert Event.from_parameters(stored) == SlotSet("answer", "yes", timestamp=1.0)


def _turn(text: str) -> list[Event]:
    return [ActionExecuted("action_listen"), UserUttered(text, {"name": "inform"})]


def _form(name: str, runs: int) -> list[Event]:
    events: list[Event] = [ActionExecuted(name), ActiveLoop(name)]
    for i in range(runs):
        events += [*_turn(f"answer {i}"), ActionExecuted(name), SlotSet("answer", i)]
    return [*events, ActiveLoop(None), SlotSet("requested_slot", None)]


CONVERSATIONS = {
    "a form, then questions": [
        *_turn("hi"), ActionExecuted("utter_greet"), *_form("interview_form", 4),
        *_turn("what is sciatica"), ActionExecuted("action_cause_info"),
    ],
    "an undone message and action": [
        *_form("interview_form", 2), *_turn("oops"), UserUtteranceReverted(),
        ActionExecuted("action_x"), ActionReverted(), *_turn("again"),
    ],
    "a restart and a new session": [
        *_form("interview_form", 2), Restarted(), *_turn("hello"),
        ActionExecuted("action_session_start"), SessionStarted(), *_form("interview_form", 1),
    ],
    "a form named only late in the conversation": [
        *_turn("hi"), ActionExecuted("other_form"), *_turn("x"), ActionExecuted("other_form"),
        *_form("interview_form", 1), *_form("other_form", 2),
    ],
}


@pytest.fixture()
def remembering(monkeypatch: pytest.MonkeyPatch) -> object:
    original = getattr(DialogueStateTracker.applied_events, "rasa",
                       DialogueStateTracker.applied_events)
    monkeypatch.setattr(DialogueStateTracker, "applied_events", original)  # undone after
    speedups.remember_applied_events()
    return original


@pytest.mark.parametrize("name", sorted(CONVERSATIONS))
def test_applied_events_are_rasas_after_every_event(name: str, remembering: object) -> None:
    tracker = DialogueStateTracker("s", slots=[])
    for event in CONVERSATIONS[name]:
        tracker.update(event)
        assert tracker.applied_events() == remembering(tracker)  # type: ignore[operator]


def test_applied_events_start_again_when_the_events_are_replaced(remembering: object) -> None:
    tracker = DialogueStateTracker.from_events("s", CONVERSATIONS["a form, then questions"])
    tracker.applied_events()
    tracker.events = tracker._create_events(CONVERSATIONS["an undone message and action"])
    assert tracker.applied_events() == remembering(tracker)  # type: ignore[operator]


def test_a_caller_changing_the_list_changes_nothing_remembered(remembering: object) -> None:
    tracker = DialogueStateTracker.from_events("s", CONVERSATIONS["a form, then questions"])
    tracker.applied_events().clear()
    assert tracker.applied_events() == remembering(tracker)  # type: ignore[operator]


def test_applied_events_walk_each_event_once(
    remembering: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    tracker = DialogueStateTracker("s", slots=[])
    steps = []
    step = speedups._Walk.step
    monkeypatch.setattr(
        speedups._Walk, "step", lambda walk, t, e, p: (steps.append(e), step(walk, t, e, p)))
    events = CONVERSATIONS["a form, then questions"]
    for event in events:
        tracker.update(event)
        tracker.applied_events()
        tracker.applied_events()
    # once each, and the events before the form's first naming once more (its name changes
    # how they are read)
    named = next(i for i, e in enumerate(events) if isinstance(e, ActiveLoop))
    assert len(steps) == len(events) + named


def _read_back(tracker: DialogueStateTracker) -> DialogueStateTracker:
    """The tracker as the store gives it back next turn: the same events, new objects."""
    return DialogueStateTracker.from_dict(
        tracker.sender_id, [e.as_dict() for e in tracker.events], slots=[])


def test_next_turns_tracker_carries_on_from_the_last_walk(
    remembering: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    tracker = DialogueStateTracker("read-back", slots=[])
    for event in CONVERSATIONS["a form, then questions"]:
        tracker.update(event)
    tracker.applied_events()
    steps = []
    step = speedups._Walk.step
    monkeypatch.setattr(
        speedups._Walk, "step", lambda walk, t, e, p: (steps.append(e), step(walk, t, e, p)))
    next_turn = _read_back(tracker)
    next_turn.update(ActionExecuted("action_listen"))
    assert next_turn.applied_events() == remembering(next_turn)  # type: ignore[operator]
    assert len(steps) == 1


def test_another_conversation_under_the_same_id_is_walked_from_the_start(
    remembering: object,
) -> None:
    first = DialogueStateTracker.from_events("same-id", CONVERSATIONS["a form, then questions"])
    first.applied_events()
    other = DialogueStateTracker.from_events(
        "same-id", [*CONVERSATIONS["a restart and a new session"], *_form("interview_form", 3)])
    assert other.applied_events() == remembering(other)  # type: ignore[operator]
