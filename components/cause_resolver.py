"""An NLU component that keeps only `cause` entities that name a knowledge-base entry.

The classifier sometimes takes a neighbouring word into a `cause` entity ("a tight psoas",
"viscerogenic back") or marks a word that names nothing ("describe"). After synonym mapping,
this component resolves each value through the knowledge base's own names and synonyms
(bot/knowledge.py) to its canonical id, and drops the values that name no entry.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, ENTITY_ATTRIBUTE_TYPE, ENTITY_ATTRIBUTE_VALUE
from rasa.shared.nlu.training_data.message import Message

from bot.knowledge import load_knowledge_base

CAUSE = "cause"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class CauseResolver(GraphComponent, EntityExtractorMixin):
    """Maps `cause` entity values to canonical knowledge-base ids, dropping the rest."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> CauseResolver:
        return cls()

    def __init__(self) -> None:
        self.kb = load_knowledge_base()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            entities = []
            seen: set[str] = set()
            for entity in message.get(ENTITIES) or []:
                if entity.get(ENTITY_ATTRIBUTE_TYPE) == CAUSE:
                    found = self.kb.resolve(str(entity.get(ENTITY_ATTRIBUTE_VALUE) or ""))
                    if found is None or found.id in seen:
                        continue
                    seen.add(found.id)
                    entity = {**entity, ENTITY_ATTRIBUTE_VALUE: found.id}
                entities.append(entity)
            message.set(ENTITIES, entities, add_to_output=True)
        return messages
