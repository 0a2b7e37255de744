"""An NLU component that notices a message written in another language than English.

The assistant reads English only, and a classifier trained on English guesses wildly on other
languages. A message that bot/language.py recognises as another language takes the intent
`other_language` (answered with a short English-only note, inside an interview or out). It runs
before the red-flag gate, which still has the last word.
"""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import (
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from bot.language import is_english
from components.intent_override import IntentOverride

OTHER_LANGUAGE = "other_language"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class LanguageCheck(IntentOverride):
    """Gives a message in another language the intent `other_language`."""

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            if not text or text.startswith("/") or is_english(text):
                continue
            self.take(message, OTHER_LANGUAGE)
        return messages
