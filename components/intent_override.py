"""The base of the NLU components that read a message's own words after the classifier and,
when the words say otherwise, put another intent first."""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
)
from rasa.shared.nlu.training_data.message import Message


class IntentOverride(GraphComponent, IntentClassifier):
    """Runs after an intent classifier, needs no training and no configuration."""

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
    ) -> IntentOverride:
        return cls()

    @staticmethod
    def take(message: Message, name: str, confidence: float = 1.0) -> None:
        """Make `name` the message's intent, first in its ranking (and nowhere else in it)."""
        taken = {INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: confidence}
        ranking = [i for i in message.get(INTENT_RANKING_KEY) or []
                   if i.get(INTENT_NAME_KEY) != name]
        message.set(INTENT, taken, add_to_output=True)
        message.set(INTENT_RANKING_KEY, [taken, *ranking], add_to_output=True)
