"""An NLU component that screens every message for red flags, whatever intent was predicted.

It runs last in the pipeline. When the domain core finds an emergency or urgent red flag in
the text, the message's intent becomes `red_flag` with full confidence, so the dialogue
rules interrupt anything (an interview included) and give urgent advice. When only the
classifier says `red_flag`, it is kept (a warning sign worded in a way the rules do not know
yet: over-triage is the safer error) unless the message says nothing about the person's
health at all ("who will win the election?"); then the next intent is used. The screening
itself lives in bot/: this component only adapts its answer to Rasa's message format.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from bot.screening import screen

RED_FLAG_INTENT = "red_flag"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class RedFlagGate(GraphComponent, IntentClassifier):
    """Turns any message that carries an emergency or urgent red flag into `red_flag`."""

    @classmethod
    def required_components(cls) -> list[type]:
        return [IntentClassifier]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {}

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> RedFlagGate:
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            if not text:
                continue
            screening = screen(text)
            ranking = [
                intent
                for intent in message.get(INTENT_RANKING_KEY) or []
                if intent.get(INTENT_NAME_KEY) != RED_FLAG_INTENT
            ]
            predicted = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
            if screening.urgent:
                flagged = {INTENT_NAME_KEY: RED_FLAG_INTENT, PREDICTED_CONFIDENCE_KEY: 1.0}
                message.set(INTENT, flagged, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [flagged, *ranking], add_to_output=True)
            elif predicted == RED_FLAG_INTENT and ranking and not screening.about_health:
                message.set(INTENT, ranking[0], add_to_output=True)
                message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages
