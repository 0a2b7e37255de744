"""The NLU component that resolves `cause` entities through the knowledge base."""

from __future__ import annotations

from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from components.cause_resolver import CauseResolver


def resolved(*values: str) -> list[str]:
    entities = [{"entity": "cause", "value": v, "start": 0, "end": 1} for v in values]
    entities.append({"entity": "rank", "value": "2", "start": 2, "end": 3})
    [message] = CauseResolver().process([Message(data={TEXT: "x", ENTITIES: entities})])
    return [e["value"] for e in message.get(ENTITIES)]


def test_canonical_ids_and_lay_names_resolve_and_other_entities_stay() -> None:
    assert resolved("herniated_disc") == ["herniated_disc", "2"]
    assert resolved("slipped disc") == ["herniated_disc", "2"]


def test_a_neighbouring_word_taken_into_the_entity_is_ignored() -> None:
    assert resolved("viscerogenic back") == ["viscerogenic", "2"]


def test_words_that_name_no_entry_are_dropped_and_duplicates_merged() -> None:
    assert resolved("describe", "to learn", "sciatica", "true_sciatica") == ["true_sciatica", "2"]
