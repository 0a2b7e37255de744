"""An NLU component that notices a message written in another language than English.

The assistant reads English only, and a classifier trained on English guesses wildly on other
languages. A message that bot/language.py recognises as another language takes the intent
`other_language` (answered with a short English-only note, inside an interview or out). It runs
before the red-flag gate, which still has the last word.
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

from bot.language import is_english

OTHER_LANGUAGE = "other_language"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class LanguageCheck(GraphComponent, IntentClassifier):
    """Gives a message in another language the intent `other_language`."""

    @classmethod
    def required_components(cls) -> list[type]:
        return [IntentClassifier]

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LanguageCheck:
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            if not text or text.startswith("/") or is_english(text):
                continue
            taken = {INTENT_NAME_KEY: OTHER_LANGUAGE, PREDICTED_CONFIDENCE_KEY: 1.0}
            ranking = [i for i in message.get(INTENT_RANKING_KEY) or []
                       if i.get(INTENT_NAME_KEY) != OTHER_LANGUAGE]
            message.set(INTENT, taken, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [taken, *ranking], add_to_output=True)
        return messages
