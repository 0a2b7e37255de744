"""The NLU component that keeps statements from being taken for questions, or for nothing."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from components.statement_check import StatementCheck


def checked(text: str, intent: str = "ask_cause_info", entities: list | None = None) -> str:
    ranking = [{"name": intent, "confidence": 0.8}, {"name": "describe_pain", "confidence": 0.1}]
    message = Message(data={TEXT: text, INTENT: ranking[0], INTENT_RANKING_KEY: ranking,
                            ENTITIES: entities or []})
    [message] = StatementCheck().process([message])
    return message.get(INTENT)["name"]


@pytest.mark.parametrize("text", [
    "the scan said degenerative changes, wear and tear",
    "convinced its something really bad like cancer",
    "my back has been sore since the weekend",
])
def test_a_statement_about_health_is_a_description(text: str) -> None:
    assert checked(text) == "describe_pain"


def test_junk_is_unclear() -> None:
    assert checked("purple monkey dishwasher") == "nlu_fallback"


@pytest.mark.parametrize(("text", "intent", "entities"), [
    ("what is a slipped disc", "ask_cause_info", []),
    ("sciatica?", "ask_cause_info", []),
    ("piriformis", "ask_cause_info", [{"entity": "cause", "value": "piriformis_syndrome"}]),
    ("the second one", "ask_more", [{"entity": "rank", "value": "2"}]),
    ("tell me more", "ask_more", []),
    ("my back hurts", "describe_pain", []),
    ('/ask_more{"rank": "2"}', "ask_more", []),
])
def test_real_questions_and_other_intents_are_left_alone(
    text: str, intent: str, entities: list
) -> None:
    assert checked(text, intent, entities) == intent


def test_an_unsure_story_about_health_is_a_description_and_unsure_junk_stays_unsure() -> None:
    assert checked("the scan said degenerative changes, wear and tear", "nlu_fallback") == \
        "describe_pain"
    assert checked("who is going to win the election", "nlu_fallback") == "nlu_fallback"
    assert checked("what does my back pain mean", "nlu_fallback") == "nlu_fallback"
