"""An NLU component that screens every message for red flags, whatever intent was predicted.

It runs last in the pipeline. When the domain core finds an emergency or urgent red flag in
the text, the message's intent becomes `red_flag` with full confidence, so the dialogue
rules interrupt anything (an interview included) and give urgent advice.

When only the classifier says `red_flag`, the rules found no evidence. A message that speaks
about the person's body is then read as a description (in an interview, as the answer) and
marked `red_flag_suspected`, so the interview asks the warning-sign screen question at once (a
yes escalates, a no carries on) instead of giving advice on a guess; any other message takes
its next intent. The screening itself lives in bot/: this component only adapts
its answer to Rasa's message format.
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
SUSPECTED = "red_flag_suspected"  # read by actions/state.py
DESCRIPTION_INTENT = "describe_pain"


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
            elif predicted == RED_FLAG_INTENT:
                following = ranking[0] if ranking else None
                if screening.about_health:
                    message.set(SUSPECTED, True, add_to_output=True)
                    confidence = (message.get(INTENT) or {}).get(PREDICTED_CONFIDENCE_KEY, 1.0)
                    following = {INTENT_NAME_KEY: DESCRIPTION_INTENT,
                                 PREDICTED_CONFIDENCE_KEY: confidence}
                    ranking = [following] + [
                        i for i in ranking if i.get(INTENT_NAME_KEY) != DESCRIPTION_INTENT]
                if following is not None:
                    message.set(INTENT, following, add_to_output=True)
                    message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages
