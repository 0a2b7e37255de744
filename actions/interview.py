"""The interview: record what a person says, check each answer, ask the next useful question."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.state import engine, interview_events, interview_from, latest_intent, latest_text

FORM = "interview_form"


class ActionRecordDescription(Action):
    """Reads a free-text description into findings before the interview asks anything."""

    def name(self) -> str:
        return "action_record_description"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        interview = interview_from(tracker)
        before = interview.red_flags()
        learned = interview.add_text(latest_text(tracker))
        for note in interview.acknowledge(learned, before):
            dispatcher.utter_message(text=note)
        return [
            *interview_events(interview),
            SlotSet("results_requested", False),
            SlotSet("pending_question", None),
        ]


def ask_question(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[dict[str, Any]]:
    """Asks the question that best separates the leading causes (or repeats the pending one)."""
    interview = interview_from(tracker)
    pending = tracker.get_slot("pending_question")
    question = interview.question(pending) if pending not in (None, *interview.asked) else None
    question = question or interview.next_question()
    if question is None:
        # Nothing useful is left to ask: the form's validation will finish on the next turn.
        dispatcher.utter_message(text=engine().wording.nothing_more_to_ask())
        return [SlotSet("pending_question", None)]
    message = engine().wording.question_message(question)
    dispatcher.utter_message(text=message.text, buttons=message.buttons)
    return [SlotSet("pending_question", question.id)]


class ValidateInterviewForm(FormValidationAction):
    """Keeps the interview going while a useful question remains, and checks every answer."""

    def name(self) -> str:
        return "validate_interview_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Checks the answer, then asks the next question in the same call.

        Rasa runs this on every turn of the form (its start, each answer, and its return after a
        detour). The domain has no `action_ask_answer`, so Rasa's form asks nothing itself: one
        call to the action server per answer instead of two.
        """
        # A message that did not fill `answer` (a red flag, a question about a cause) must leave
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
        if tracker.get_slot("results_requested"):
            return []
        interview = interview_from(tracker)
        return domain_slots if interview.wants_more() else []

    async def validate_answer(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        wording = engine().wording
        interview = interview_from(tracker)
        question = interview.question(tracker.get_slot("pending_question"))
        intent = latest_intent(tracker)
        if question is None:
            # An answer with no question waiting: read it as more description.
            interview.add_text(latest_text(tracker))
            return {"answer": None, **_slots(interview)}
        if intent == "ask_why":
            dispatcher.utter_message(text=wording.why(question))
            return {"answer": None}
        if intent == "show_results":
            return {"answer": None, "results_requested": True, "pending_question": None}
        if intent == "dont_know":
            interview.skip(question)
            return {"answer": None, "pending_question": None, **_slots(interview)}
        yes_no = {"affirm": True, "deny": False}.get(intent)
        outcome = interview.answer(question, latest_text(tracker), _choice(tracker), yes_no)
        if not outcome.accepted:
            dispatcher.utter_message(text=wording.answer_hint(question))
            return {"answer": None}
        result: dict[str, Any] = {"answer": None, "pending_question": None, **_slots(interview)}
        if interview.urgent_red_flags():
            # A chosen answer raised a red flag: stop asking; the results give the advice.
            result["results_requested"] = True
        return result


def _after_a_message(tracker: Tracker) -> bool:
    """Whether the form runs right after the person spoke (not at its start or after a detour).

    Rasa's form adds its own `ActionExecuted` before calling this action, so the action that
    counts is the last one that is not the form itself.
    """
    for event in reversed(tracker.events):
        if event.get("event") == "action" and event.get("name") != FORM:
            return event.get("name") == "action_listen"
    return False


def _slots(interview: Any) -> dict[str, Any]:
    return {event["name"]: event["value"] for event in interview_events(interview)}


def _choice(tracker: Tracker) -> str | None:
    """The option a button carried (`/inform{"choice": "<question>:<index>"}`), if any."""
    for entity in (tracker.latest_message or {}).get("entities") or []:
        if entity.get("entity") == "choice":
            return str(entity.get("value"))
    return None
