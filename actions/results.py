"""Results and explanations: possible causes with reasons, causes by name, lists, a summary."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.state import engine, interview_events, interview_from, latest_intent, said_from
from bot.interview import FOLLOWUP_INTENTS

Events = list[dict[str, Any]]


def _send(dispatcher: CollectingDispatcher, messages: list[Any]) -> None:
    for message in messages:
        dispatcher.utter_message(text=message.text, buttons=message.buttons or None)


class ActionShowResults(Action):
    """Shows up to three possible causes (or urgent advice when a red flag stands)."""

    def name(self) -> str:
        return "action_show_results"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Events:
        interview = interview_from(tracker)
        if interview.screen_left() and not interview.urgent_red_flags():
            # no results without the warning-sign screen: it is asked first, once
            _send(dispatcher, interview.request_results())
            return [*interview_events(interview), FollowupAction("interview_form")]
        _send(dispatcher, interview.results())
        shown = engine().wording.shown(interview.assess())
        return [
            SlotSet("shown_causes", [cause.id for cause in shown]),
            SlotSet("results_requested", False),
            SlotSet("pending_question", None),
            SlotSet("chosen", []),
        ]


class ActionExplainCause(Action):
    """Explains a cause named by the person, or one of the results by its rank."""

    def name(self) -> str:
        return "action_explain_cause"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Events:
        wording = engine().wording
        cause_id = tracker.get_slot("cause")
        shown = list(tracker.get_slot("shown_causes") or [])
        rank = _rank(tracker.get_slot("rank"))
        if not cause_id and shown:
            cause_id = shown[min(rank or 1, len(shown)) - 1]
        if cause_id:
            _send(dispatcher, wording.explain(cause_id, interview_from(tracker).match(cause_id)))
        else:
            _send(dispatcher, wording.which_cause())
        return [SlotSet("cause", None), SlotSet("rank", None)]


class ActionListCauses(Action):
    """Lists the causes in the knowledge base, by category when one was named."""

    def name(self) -> str:
        return "action_list_causes"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Events:
        _send(dispatcher, engine().wording.list_causes(tracker.get_slot("category")))
        return [SlotSet("category", None)]


class ActionListAggravatingFactors(Action):
    """What makes back pain worse, and which of it the person mentioned."""

    def name(self) -> str:
        return "action_list_aggravating_factors"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Events:
        interview = interview_from(tracker)
        _send(dispatcher, engine().wording.aggravating_factors(interview.assess()))
        return []


class ActionClinicianSummary(Action):
    """One plain message to show a clinician: what was reported, denied, flagged and suggested."""

    def name(self) -> str:
        return "action_clinician_summary"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Events:
        _send(dispatcher, interview_from(tracker).summary())
        return []


class ActionFollowup(Action):
    """The questions people ask next ("what can I do?", "is it serious?", "should I get a
    scan?"), answered from what they said, without the results again."""

    def name(self) -> str:
        return "action_followup"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Events:
        intent = latest_intent(tracker)
        interview = interview_from(tracker)
        if intent not in FOLLOWUP_INTENTS:
            intent = "ask_self_care"  # the results' "What can I do?" button
        _send(dispatcher, interview.followup(intent))
        said = said_from(tracker)
        fresh = not interview.findings and not interview.asked and not tracker.get_slot(
            "shown_causes")
        if not fresh or intent == "other_language":
            return []
        # a first message that asks and tells ("my back hurts when I run, can I still go to the
        # gym?"): answered, then read as the description the interview starts from
        described = interview.describe(said.text, said.suspected)
        if not interview.findings:
            return []
        _send(dispatcher, described)
        return [*interview_events(interview), FollowupAction("interview_form")]


def _rank(value: Any) -> int | None:
    try:
        rank = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return rank if rank >= 1 else None
