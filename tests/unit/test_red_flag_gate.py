"""The NLU component that turns any message carrying an urgent red flag into `red_flag`."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from components.red_flag_gate import RedFlagGate


def classified(text: str, intent: str) -> Message:
    ranking = [{"name": intent, "confidence": 0.9}, {"name": "greet", "confidence": 0.1}]
    return Message(data={TEXT: text, INTENT: ranking[0], INTENT_RANKING_KEY: ranking})


@pytest.mark.parametrize(
    ("text", "predicted"),
    [
        ("I can't feel anything when I wipe", "describe_pain"),
        ("thanks! oh and I haven't been able to pee since this morning", "thank"),
        ("what is sciatica? both my legs have gone numb", "ask_cause_info"),
        ("I was in a car crash an hour ago and my back hurts", "nlu_fallback"),
    ],
)
def test_an_urgent_red_flag_overrides_whatever_intent_was_predicted(
    text: str, predicted: str
) -> None:
    [message] = RedFlagGate().process([classified(text, predicted)])
    assert message.get(INTENT) == {"name": "red_flag", "confidence": 1.0}
    ranking = [intent["name"] for intent in message.get(INTENT_RANKING_KEY)]
    assert ranking[0] == "red_flag" and predicted in ranking


@pytest.mark.parametrize(
    "text",
    [
        "no numbness, no fever and I pee normally",
        "my dad had a car crash years ago",
        "I'm 72 and my back aches after gardening",  # a 'soon' flag does not interrupt
    ],
)
def test_messages_without_an_urgent_red_flag_keep_their_intent(text: str) -> None:
    [message] = RedFlagGate().process([classified(text, "describe_pain")])
    assert message.get(INTENT)["name"] == "describe_pain"


def test_a_classifier_red_flag_about_nothing_medical_falls_back_to_the_next_intent() -> None:
    ranking = [{"name": "red_flag", "confidence": 0.6}, {"name": "out_of_scope", "confidence": 0.3}]
    message = Message(
        data={
            TEXT: "who is going to win the election",
            INTENT: ranking[0],
            INTENT_RANKING_KEY: ranking,
        }
    )
    [message] = RedFlagGate().process([message])
    assert message.get(INTENT)["name"] == "out_of_scope"


def _suspected(text: str, following: str) -> Message:
    ranking = [{"name": "red_flag", "confidence": 0.6}, {"name": following, "confidence": 0.3}]
    [message] = RedFlagGate().process(
        [Message(data={TEXT: text, INTENT: ranking[0], INTENT_RANKING_KEY: ranking})]
    )
    return message


@pytest.mark.parametrize(("text", "following", "taken_as"), [
    ("my back hurts and something feels very wrong down there", "describe_pain", "describe_pain"),
    ("aching and burning, everything is tender to touch", "inform", "describe_pain"),
    ("my back is sore and everything down there is not right", "goodbye", "describe_pain"),
    ("things down there just aren't right", "correct", "describe_pain"),
])
def test_a_classifier_only_red_flag_about_the_body_asks_instead_of_warning(
    text: str, following: str, taken_as: str
) -> None:
    # The rules found no evidence: no advice on a guess, but the message is marked so the
    # interview asks the warning-sign question at once; it is read as a description, never
    # as a goodbye or a correction.
    message = _suspected(text, following)
    assert message.get(INTENT)["name"] == taken_as
    assert message.get("red_flag_suspected") is True
    assert "red_flag" not in [i["name"] for i in message.get(INTENT_RANKING_KEY)]


def test_a_message_the_rules_flag_is_not_merely_suspected() -> None:
    message = _suspected("I can't feel anything when I wipe", "describe_pain")
    assert message.get(INTENT)["name"] == "red_flag"
    assert message.get("red_flag_suspected") is None
