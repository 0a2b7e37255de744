"""The red-flag screen over REST against the real Rasa and action servers: it asks, typed
answers move it, alarms need real evidence, and a misread or checked warning lets the
conversation go on."""

from __future__ import annotations

import pytest

from bot.wording import load_phrases
from tests.e2e.servers import Servers, pending_question

pytestmark = pytest.mark.e2e

ADVICE = load_phrases()["red_flag"]
PHRASES = load_phrases()


def text_of(replies: list[dict]) -> str:
    return "\n".join(reply.get("text", "") for reply in replies)


def advice_level(replies: list[dict]) -> str | None:
    """The level of urgent advice among the replies: emergency, urgent, or None."""
    texts = [reply.get("text", "") for reply in replies]
    for level in ("emergency", "urgent"):
        if any(text.startswith(ADVICE[level]) for text in texts):
            return level
    return None


def slots(servers: Servers, sender: str) -> dict:
    return servers.tracker(sender)["slots"]


def present(servers: Servers, sender: str) -> set[str]:
    return {f["id"] for f in slots(servers, sender)["findings"] or [] if f["present"]}


def test_numbness_when_wiping_told_only_when_the_screen_asks_gets_emergency_advice(
    servers: Servers,
) -> None:
    sender = "screen-wiping"
    first = servers.say(sender, "my lower back has been aching for about a week")
    assert pending_question(first) == "screen_emergency"
    assert advice_level(first) is None
    replies = servers.say(sender, "yes actually, it feels weird when i wipe, kind of numb")
    assert advice_level(replies) == "emergency"
    assert pending_question(replies) is None
    assert "possible causes" not in text_of(replies).lower()


def test_none_of_these_typed_carries_on_to_the_next_question(servers: Servers) -> None:
    sender = "screen-none"
    assert pending_question(servers.say(sender, "my back hurts when I bend")) == "screen_emergency"
    second = servers.say(sender, "none of them")
    assert pending_question(second) == "screen_other" and advice_level(second) is None
    third = servers.say(sender, "nope all fine")
    assert advice_level(third) is None
    assert pending_question(third) not in (None, "screen_emergency", "screen_other")


def test_two_signs_typed_in_one_answer_are_both_recorded(servers: Servers) -> None:
    sender = "screen-two"
    servers.say(sender, "lower back pain, aching, since a few weeks")
    servers.say(sender, "no")
    replies = servers.say(
        sender, "I slipped on the ice last month and I've lost weight without trying"
    )
    assert {"trauma_minor", "weight_loss"} <= present(servers, sender)
    assert "next few days" in text_of(replies)
    assert pending_question(replies) is not None  # a "soon" sign is said, and the interview goes on


def test_asking_for_results_early_brings_the_screen_first(servers: Servers) -> None:
    sender = "screen-early-results"
    servers.say(sender, "sharp pain down my leg below the knee since I lifted a box")
    early = servers.say(sender, "just show me the results")
    assert PHRASES["screen_before_results"] in text_of(early)
    assert pending_question(early) == "screen_emergency"
    assert pending_question(servers.say(sender, "no none of those")) == "screen_other"
    results = text_of(servers.say(sender, "no"))
    assert "1." in results and "not a diagnosis" in results


def test_a_suspicion_of_the_classifier_alone_asks_the_screen_instead_of_warning(
    servers: Servers,
) -> None:
    candidates = [
        "something feels very wrong down below since this morning",
        "I'm really worried, my body down there doesn't feel normal",
        "I don't feel right in my private area since the pain started",
    ]
    parsed = {
        text: servers.api("POST", "/model/parse", json={"text": text}).json()
        for text in candidates
    }
    suspected = [text for text, parse in parsed.items() if parse.get("red_flag_suspected")]
    assert suspected, {text: parse["intent"] for text, parse in parsed.items()}
    assert all(parsed[text]["intent"]["name"] != "red_flag" for text in suspected)

    sender = "screen-suspected"
    servers.say(sender, "my back aches after work")
    servers.say(sender, "none of these")
    servers.say(sender, "no")
    replies = servers.say(sender, suspected[0])
    assert advice_level(replies) is None
    assert PHRASES["rescreen"] in text_of(replies)
    assert pending_question(replies) == "screen_emergency"
    after = servers.say(sender, "no, none of those")
    assert advice_level(after) is None
    assert pending_question(after) not in (None, "screen_emergency")


@pytest.mark.parametrize("text", [
    "my doctor said it is just wear and tear",
    "the scan said degenerative changes, wear and tear",
    "I can hardly walk because it hurts so much",
    "aching and burning, everything is tender to touch",
    "I'm scared it's cancer",
    "convinced its something really bad like cancer",
    "my back is killing me and I'm tearing up, I can't get up off the sofa because of the pain",
])
def test_a_false_alarm_phrase_gets_no_advice_and_the_conversation_goes_on(
    servers: Servers, text: str
) -> None:
    sender = "screen-false-" + "-".join(text.lower().split()[:6]).replace("'", "")
    replies = servers.say(sender, text)
    assert advice_level(replies) is None, text_of(replies)
    assert pending_question(replies) is not None


def test_a_misread_alarm_is_taken_back_and_the_interview_goes_on(servers: Servers) -> None:
    sender = "screen-misread"
    warned = servers.say(sender, "my lower back has a ripping pain going into my belly")
    assert advice_level(warned) == "emergency"
    replies = servers.say(sender, "that's wrong, I don't have tearing pain, it's just a bad ache")
    assert advice_level(replies) is None
    assert pending_question(replies) is not None
    assert "tearing_pain" not in present(servers, sender)


def test_after_a_warning_the_person_can_ask_about_it_and_carry_on_once_checked(
    servers: Servers,
) -> None:
    sender = "screen-checked"
    warned = servers.say(sender, "since yesterday I can't really feel the toilet paper when I wipe")
    assert advice_level(warned) == "emergency"
    explained = text_of(servers.say(sender, "what is cauda equina syndrome?"))
    assert "cauda equina" in explained.lower() and "emergency" in explained.lower()
    carried_on = servers.say(sender, "I went to A&E and they checked me, they said it's fine")
    assert PHRASES["checked"] in text_of(carried_on)
    assert advice_level(carried_on) is None
    assert pending_question(carried_on) is not None


def test_the_clinician_summary_lists_each_sign_asked_with_its_answer(servers: Servers) -> None:
    sender = "screen-summary"
    servers.say(sender, "my lower back aches when I sit at my desk")
    servers.say(sender, "none of these")
    servers.say(sender, "I had a minor fall last week")
    summary = text_of(servers.say(sender, "can I have a summary for my doctor?"))
    answered_no = summary.split("Warning signs, answered no:")[1].split("\n")[0]
    assert "when wiping" in answered_no and "both legs" in answered_no
    assert "minor fall" in summary.split("Warning signs, answered yes:")[1].split("\n")[0]
