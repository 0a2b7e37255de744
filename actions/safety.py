"""Red flags: urgent advice that interrupts anything else."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.interview import send
from actions.state import interview_events, interview_from, latest_text


class ActionRedFlag(Action):
    """Gives the advice for the most urgent red flag and keeps what was said."""

    def name(self) -> str:
        return "action_red_flag"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        interview = interview_from(tracker)
        send(dispatcher, interview.warn(latest_text(tracker)))
        interview.state.results_requested = False
        events = interview_events(interview)
        if interview.wants_more():
            # urgent advice, not an emergency: the screen goes on, since a second sign (a weak
            # leg beside a fever) can make it an emergency
            events.append(FollowupAction("interview_form"))
        return events
