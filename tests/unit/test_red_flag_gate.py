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


def test_a_classifier_red_flag_about_the_body_is_kept_to_err_on_the_safe_side() -> None:
    ranking = [
        {"name": "red_flag", "confidence": 0.6},
        {"name": "describe_pain", "confidence": 0.3},
    ]
    message = Message(
        data={
            TEXT: "my back hurts and something feels very wrong down there",
            INTENT: ranking[0],
            INTENT_RANKING_KEY: ranking,
        }
    )
    [message] = RedFlagGate().process([message])
    assert message.get(INTENT)["name"] == "red_flag"
