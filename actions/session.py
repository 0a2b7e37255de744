"""Help, starting over and forgetting the conversation."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import Restarted
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.state import engine


class ActionHelp(Action):
    """What the assistant can do, and that it does not diagnose."""

    def name(self) -> str:
        return "action_help"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        for message in engine().wording.help():
            dispatcher.utter_message(text=message.text, buttons=message.buttons or None)
        return []


class ActionStartOver(Action):
    """Clears everything said so far and begins a new assessment."""

    def name(self) -> str:
        return "action_start_over"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(text=engine().wording.started_over())
        return [Restarted()]


class ActionForgetMe(Action):
    """Says the conversation is forgotten and restarts it; store/ then deletes it for real."""

    def name(self) -> str:
        return "action_forget_me"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(text=engine().wording.forgotten())
        return [Restarted()]
