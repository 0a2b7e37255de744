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

Applied events: `DialogueStateTracker.applied_events` walks every event of the conversation,
and for each run of a form looks back through the events applied so far; Rasa calls it many
times a turn (session expiry, the rule policy's states, logging the message), so a turn cost
grew with the square of the conversation's length (1.5 s at turn 150 against 36 ms at turn 10).
The walk is remembered on the tracker and carried on over the events added since, with Rasa's
own steps; it starts again from the first event whenever that would not give Rasa's answer:
the events are no longer the ones walked (replaced, trimmed from the front), or a new event
names a form not seen before (the walk treats a form's runs by the names of all forms).
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import (
    ActionExecuted,
    ActionReverted,
    ActiveLoop,
    DefinePrevUserUtteredFeaturization,
    Event,
    Restarted,
    SessionStarted,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker


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


_UNDONE_AFTER_A_FORM_RUN = (ActionExecuted, UserUttered, DefinePrevUserUtteredFeaturization)
KNOWN_SENDERS = 256  # conversations whose last walk is remembered between turns


class _Walk:
    """A walk over a conversation's events: how far it went, and which events (by position)
    it had applied by then. Its steps are those of Rasa's `applied_events` loop."""

    __slots__ = ("count", "first", "last", "loop_names", "applied", "positions")

    def __init__(self, loop_names: set[str]) -> None:
        self.count = 0
        self.first: tuple[float, str] | None = None  # (timestamp, type) of the first event
        self.last: tuple[float, str] | None = None  # and of the last one walked
        self.loop_names = loop_names
        self.applied: list[Event] = []
        self.positions: list[int] = []  # where each applied event stands in the events

    def carried_to(self, events: list[Event]) -> _Walk | None:
        """This walk for `events`, if they begin with the events walked; else None."""
        if len(events) < self.count or self.count == 0:
            return None
        if _stamp(events[0]) != self.first or _stamp(events[self.count - 1]) != self.last:
            return None
        walk = _Walk(set(self.loop_names))
        walk.count, walk.first, walk.last = self.count, self.first, self.last
        walk.positions = list(self.positions)
        walk.applied = [events[i] for i in walk.positions]
        return walk

    def walk_on(self, tracker: DialogueStateTracker, events: list[Event]) -> None:
        for position in range(self.count, len(events)):
            self.step(tracker, events[position], position)
        if len(events) > self.count:
            self.count = len(events)
            self.first, self.last = _stamp(events[0]), _stamp(events[-1])

    def step(self, tracker: DialogueStateTracker, event: Event, position: int) -> None:
        applied = self.applied
        if isinstance(event, (Restarted, SessionStarted)):
            applied.clear()
            self.positions.clear()
        elif isinstance(event, ActionReverted):
            self._undo_till(ActionExecuted)
        elif isinstance(event, UserUtteranceReverted):
            self._undo_till(UserUttered)
            self._undo_till(ActionExecuted)
        elif (
            isinstance(event, ActionExecuted)
            and event.action_name in self.loop_names
            and not tracker._first_loop_execution_or_unhappy_path(event.action_name, applied)
        ):
            self._undo_till_loop_execution(event.action_name)
        else:
            applied.append(event)
            self.positions.append(position)

    # Rasa's `_undo_till_previous` and `_undo_till_previous_loop_execution`, without the copy
    # of the whole list each makes first (once per run of a form, that copy was most of the cost)
    def _undo_till(self, event_type: type[Event]) -> None:
        """Drop events from the end up to and including the last one of `event_type`."""
        while self.applied:
            self.positions.pop()
            if isinstance(self.applied.pop(), event_type):
                break

    def _undo_till_loop_execution(self, loop_name: str) -> None:
        """Drop the actions and messages after the form's previous run, keeping other events."""
        for index in range(len(self.applied) - 1, -1, -1):
            event = self.applied[index]
            if isinstance(event, ActionExecuted) and event.action_name == loop_name:
                break
            if isinstance(event, _UNDONE_AFTER_A_FORM_RUN):
                del self.applied[index]
                del self.positions[index]


def _stamp(event: Event) -> tuple[float, str]:
    return (event.timestamp, type(event).__name__)


def _loop_names(events: Any) -> set[str]:
    return {e.name for e in events if isinstance(e, ActiveLoop) and e.name}


def remember_applied_events() -> None:
    """Make `applied_events` carry on from the conversation's last walk (on this tracker, or on
    the one read from the store for the turn before) instead of walking from the start."""
    if getattr(DialogueStateTracker.applied_events, "remembering", False):
        return
    rasa_applied_events = DialogueStateTracker.applied_events
    known: OrderedDict[str, _Walk] = OrderedDict()

    def applied_events(self: DialogueStateTracker) -> list[Event]:
        events = list(self.events)
        walk: _Walk | None = None
        for earlier in (self.__dict__.get("_lbp_walk"), known.get(self.sender_id)):
            walk = earlier.carried_to(events) if earlier is not None else None
            if walk is not None and _loop_names(events[walk.count:]) <= walk.loop_names:
                break
            walk = None
        if walk is None:
            walk = _Walk(_loop_names(events))
        walk.walk_on(self, events)
        self.__dict__["_lbp_walk"] = walk
        before = known.get(self.sender_id)
        if before is None or before.count <= walk.count:  # not a shorter copy's walk
            known[self.sender_id] = walk
            known.move_to_end(self.sender_id)
            if len(known) > KNOWN_SENDERS:
                known.popitem(last=False)
        return list(walk.applied)

    applied_events.remembering = True  # type: ignore[attr-defined]
    applied_events.rasa = rasa_applied_events  # type: ignore[attr-defined]
    applied_events.known = known  # type: ignore[attr-defined]
    DialogueStateTracker.applied_events = applied_events  # type: ignore[method-assign]


def apply() -> None:
    check_action_replies_against_a_prepared_schema()
    remember_event_types()
    remember_applied_events()
