"""Speed-ups for the Rasa server that change none of its behaviour.

Event types: to turn each stored event back into an object, Rasa looks its type name up by
walking every subclass of `Event` (and checking each for abstract methods), ~2 ms per turn for a
tracker read back from the store and again in the form. Found classes are remembered by name;
a name not found yet still goes through Rasa's own walk (so events defined later, and its
errors, are as before).

Action replies: Rasa checks every reply of the action server with `jsonschema.validate`, which
first re-checks Rasa's own, constant schema against JSON Schema's meta-schema: about 5 of the
6 ms each action call spent on validation here. The schema is checked once instead, and a reply
that fails goes through Rasa's original check, so errors read exactly as before.
"""

from __future__ import annotations

from typing import Any

from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import Event


def check_action_replies_against_a_prepared_schema() -> None:
    """Replace RemoteAction's reply check with one that reuses a validator built once."""
    if getattr(RemoteAction._validate_action_result, "prepared", False):
        return
    schema = RemoteAction.action_response_format_spec()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema)
    rasa_check = RemoteAction._validate_action_result

    def validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
        if validator.is_valid(result):
            return True
        return rasa_check(self, result)  # raises Rasa's ValidationError, message and all

    validate_action_result.prepared = True  # type: ignore[attr-defined]
    RemoteAction._validate_action_result = validate_action_result  # type: ignore[method-assign]


def remember_event_types() -> None:
    """Make `Event.resolve_by_type` remember the classes it found by name."""
    if getattr(Event.resolve_by_type, "remembering", False):
        return
    rasa_resolve = Event.resolve_by_type
    found: dict[str, type[Event]] = {}

    def resolve_by_type(
        type_name: str, default: type[Event] | None = None
    ) -> type[Event] | None:
        known = found.get(type_name)
        if known is not None:
            return known
        resolved = rasa_resolve(type_name, default)
        if resolved is not None and resolved is not default:
            found[type_name] = resolved
        return resolved

    resolve_by_type.remembering = True  # type: ignore[attr-defined]
    Event.resolve_by_type = staticmethod(resolve_by_type)  # type: ignore[method-assign]


def apply() -> None:
    check_action_replies_against_a_prepared_schema()
    remember_event_types()
