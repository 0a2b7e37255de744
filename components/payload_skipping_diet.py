"""Rasa's DIET classifier, minus the work on button payloads that Rasa replaces anyway.

A button's payload (`/inform{"answer": "yes"}`) names its own intent and entities. Rasa runs
the whole NLU pipeline on such a text all the same, then its `RegexMessageHandler` (always the
last step) throws the classifier's answer away and unpacks the payload. Most turns of an
interview are button taps, and DIET was the largest single cost of each (~15 ms of a ~60 ms
turn, docs/performance.md). This subclass gives a payload's own intent instead of
running the network, only when the handler is certain to take the message over: the text
has the handler's `/intent...` form and the intent is one DIET was trained on (so it is in
the domain). Anything else a person types, even starting with "/", is classified as before.
The red-flag gate still screens every text.
"""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.diet_classifier import DIETClassifier
from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader
from rasa.shared.nlu.constants import (
    ENTITIES,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

# The very pattern RegexMessageHandler unpacks (a static method of Rasa 3.6, pinned).
PAYLOAD = YAMLStoryReader._regex_message_pattern()


@DefaultV1Recipe.register(
    [
        DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER,
        DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR,
    ],
    is_trainable=True,
)
class PayloadSkippingDIET(DIETClassifier):
    """DIET that answers a button payload of a known intent with that intent, unrun."""

    def payload_intent(self, message: Message) -> str | None:
        """The intent a payload names, if Rasa's payload handler will unpack this message."""
        match = PAYLOAD.match((message.get(TEXT) or "").strip())
        if match is None:
            return None
        intent = match.group(INTENT_NAME_KEY).strip()
        return intent if intent in self.index_label_id_mapping.values() else None

    def process(self, messages: list[Message]) -> list[Message]:
        """Classifies typed text with DIET; gives payloads their own intent."""
        typed = []
        for message in messages:
            intent = self.payload_intent(message)
            if intent is None:
                typed.append(message)
                continue
            named = {INTENT_NAME_KEY: intent, PREDICTED_CONFIDENCE_KEY: 1.0}
            message.set(INTENT, named, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [named], add_to_output=True)
            message.set(ENTITIES, message.get(ENTITIES) or [], add_to_output=True)
        super().process(typed)
        return messages
