"""The interview: record what a person says, read each reply, ask the next useful question."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.state import interview_events, interview_from, latest_text, said_from, state_slots

FORM = "interview_form"


def send(dispatcher: CollectingDispatcher, messages: list[Any]) -> None:
    for message in messages:
        if message.text:
            dispatcher.utter_message(text=message.text, buttons=message.buttons or None)


class ActionRecordDescription(Action):
    """Reads a free-text description into findings before the interview asks anything."""

    def name(self) -> str:
        return "action_record_description"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        interview = interview_from(tracker)
        said = said_from(tracker)
        if said.choice:  # an old button tapped outside the interview: never read as words
            send(dispatcher, interview.reply(said))
            return interview_events(interview)
        send(dispatcher, interview.describe(said.text, said.suspected))
        interview.state.pending = None
        interview.state.chosen = []
        interview.state.results_requested = False
        return interview_events(interview)


def ask_question(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[dict[str, Any]]:
    """Asks the question the interview needs now (or the waiting one again)."""
    interview = interview_from(tracker)
    send(dispatcher, interview.ask())
    return [SlotSet("pending_question", interview.state.pending)]


class ValidateInterviewForm(FormValidationAction):
    """Keeps the interview going while a useful question remains, and reads every reply."""

    def name(self) -> str:
        return "validate_interview_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Reads the reply, then asks the next question in the same call.

        Rasa runs this on every turn of the form (its start, each reply, and its return after a
        detour). The domain has no `action_ask_answer`, so Rasa's form asks nothing itself: one
        call to the action server per reply instead of two.
        """
        # A message that did not fill `answer` (a red flag, start over, forget me) must leave
        # this call without setting any slot, or Rasa's form would not give way to the rules.
        gave_way = _after_a_message(tracker) and "answer" not in tracker.slots_to_validate()
        events = await super().run(dispatcher, tracker, domain)  # `tracker` now has their slots
        if gave_way:
            return events
        required = await self.required_slots(self.domain_slots(domain), dispatcher, tracker, domain)
        if "answer" in required and tracker.get_slot("answer") is None:
            events += ask_question(dispatcher, tracker)
        return events

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        return domain_slots if interview_from(tracker).wants_more() else []

    async def validate_answer(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        interview = interview_from(tracker)
        send(dispatcher, interview.reply(said_from(tracker)))
        return {"answer": None, **state_slots(interview)}


class ActionCorrect(Action):
    """"That's wrong": corrects the findings (or takes back the last warning's) and goes on."""

    def name(self) -> str:
        return "action_correct"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        interview = interview_from(tracker)
        send(dispatcher, interview.correct(latest_text(tracker)))
        if tracker.get_slot("shown_causes"):
            # corrected after the results: they are shown again, recalculated
            interview.state.results_requested = True
        return interview_events(interview)


class ActionChecked(Action):
    """"I've been checked": the interview goes on, and the warning stays in the summary."""

    def name(self) -> str:
        return "action_checked"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        interview = interview_from(tracker)
        send(dispatcher, interview.checked())
        return interview_events(interview)


def _after_a_message(tracker: Tracker) -> bool:
    """Whether the form runs right after the person spoke (not at its start or after a detour).

    Rasa's form adds its own `ActionExecuted` before calling this action, so the action that
    counts is the last one that is not the form itself.
    """
    for event in reversed(tracker.events):
        if event.get("event") == "action" and event.get("name") != FORM:
            return event.get("name") == "action_listen"
    return False
