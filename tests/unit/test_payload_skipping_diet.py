"""DIET leaves a button payload of a known intent to Rasa's payload handler, and only that."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.classifiers.regex_message_handler import RegexMessageHandler
from rasa.shared.core.domain import Domain
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from components.payload_skipping_diet import PayloadSkippingDIET

INTENTS = ["inform", "affirm", "describe_pain"]


@pytest.fixture()
def diet(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> PayloadSkippingDIET:
    """An untrained DIET that knows the labels above and records what it is asked to classify."""
    component = PayloadSkippingDIET.create(
        PayloadSkippingDIET.get_default_config(),
        LocalModelStorage(tmp_path),
        Resource("diet"),
        ExecutionContext(GraphSchema({}), "test"),
    )
    component.index_label_id_mapping = dict(enumerate(INTENTS))
    component.classified = []  # type: ignore[attr-defined]

    def predict(message: Message) -> None:
        component.classified.append(message.get(TEXT))  # type: ignore[attr-defined]

    monkeypatch.setattr(component, "_predict", predict)
    return component


def test_a_payload_of_a_known_intent_gets_its_own_intent_without_the_network(
    diet: PayloadSkippingDIET,
) -> None:
    payload = Message(data={TEXT: '/inform{"answer": "worse_sitting"}'})
    typed = Message(data={TEXT: "it is worse when I sit"})

    diet.process([payload, typed])

    assert diet.classified == ["it is worse when I sit"]  # type: ignore[attr-defined]
    assert payload.get(INTENT) == {"name": "inform", "confidence": 1.0}
    assert payload.get(INTENT_RANKING_KEY) == [payload.get(INTENT)]
    assert payload.get(ENTITIES) == []
    # Rasa's handler, which runs last, gives the same intent and reads the entities.
    domain = Domain.from_dict({"intents": INTENTS, "entities": ["answer"]})
    [unpacked] = RegexMessageHandler().process([payload], domain)
    assert unpacked.get(INTENT)["name"] == "inform"
    assert unpacked.get(ENTITIES)[0]["value"] == "worse_sitting"


@pytest.mark.parametrize(
    "text",
    [
        "/my back hurts when I bend",  # typed with a slash: "intent" unknown to DIET
        "/unknown_intent",
        "my back hurts /affirm",
        "",
    ],
)
def test_anything_else_is_classified_as_before(diet: PayloadSkippingDIET, text: str) -> None:
    diet.process([Message(data={TEXT: text})])

    assert diet.classified == [text]  # type: ignore[attr-defined]
