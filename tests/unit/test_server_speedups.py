"""The speed-ups answer exactly as Rasa's own code does: the prepared action-reply check and
the remembered event types."""

from __future__ import annotations

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import ActionExecuted, Event, SlotSet, UserUttered
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
