"""Red flags: urgent advice that interrupts anything else."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.state import engine, interview_events, interview_from, latest_text


class ActionRedFlag(Action):
    """Gives the advice for the most urgent red flag and keeps what was said."""

    def name(self) -> str:
        return "action_red_flag"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        interview = interview_from(tracker)
        interview.add_text(latest_text(tracker))
        for message in engine().wording.red_flag_advice(interview.red_flags()):
            dispatcher.utter_message(text=message.text, buttons=message.buttons or None)
        return [
            *interview_events(interview),
            SlotSet("pending_question", None),
            SlotSet("results_requested", False),
        ]
