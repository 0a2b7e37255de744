"""An NLU component that keeps statements from being taken for questions, or for nothing.

The classifier sometimes takes a statement for `ask_cause_info` or `ask_more` ("the scan said
degenerative changes, wear and tear", "convinced it's something really bad like cancer"),
takes junk for one ("purple monkey dishwasher"), or is unsure about a plain story. A cause
question names a cause or a result's rank, or has the shape of a question; a message with
neither is read as a description when it speaks about the person's health, and as unclear
(`nlu_fallback`) otherwise. An unsure statement (`nlu_fallback`) about the person's health is
a description too. It runs after the fallback classifier and before the red-flag gate, which
has the last word.
"""

from __future__ import annotations

import re

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import (
    ENTITIES,
    INTENT,
    INTENT_NAME_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from bot.interview import looks_like_question
from bot.screening import BODY_WORDS
from components.intent_override import IntentOverride

CAUSE_QUESTIONS = {"ask_cause_info", "ask_more"}
UNSURE = "nlu_fallback"
# Words of a person's own health story beyond the body words ("the scan said", "cancer").
HEALTH_WORDS = re.compile(
    r"\b(cancer|tumou?r|scan|mri|x-?ray|doctor|gp|physio|wear and tear|disc|sciatica|"
    r"arthritis|degenerat\w*)\b", re.IGNORECASE)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class StatementCheck(IntentOverride):
    """Turns a "cause question" that names nothing and asks nothing, or an unsure statement
    about the person's health, into what it is."""

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            intent = message.get(INTENT) or {}
            predicted = intent.get(INTENT_NAME_KEY)
            if predicted not in CAUSE_QUESTIONS | {UNSURE} or text.startswith("/"):
                continue
            named = {e.get("entity") for e in message.get(ENTITIES) or []} & {"cause", "rank"}
            if named or looks_like_question(text):
                continue
            about_health = BODY_WORDS.search(text) or HEALTH_WORDS.search(text)
            if predicted == UNSURE and not about_health:
                continue
            name = "describe_pain" if about_health else UNSURE
            self.take(message, name, intent.get(PREDICTED_CONFIDENCE_KEY, 1.0))
        return messages
