"""The guided conversation over REST against the real Rasa and action servers."""

from __future__ import annotations

import pytest

from tests.e2e.servers import Servers, pending_question

pytestmark = pytest.mark.e2e


def text_of(replies: list[dict]) -> str:
    return "\n".join(reply.get("text", "") for reply in replies)


def interview(
    servers: Servers, sender: str, opening: str, answers: dict[str, str]
) -> list[list[dict]]:
    """Describe, then tap the answer `answers` gives each question ("None of these" for the
    warning-sign screen, "I don't know" for the rest) until it stops."""
    turns = [servers.say(sender, opening)]
    for _ in range(16):
        question = pending_question(turns[-1])
        if question is None:
            break
        choice = answers.get(question, "none" if question.startswith("screen_") else None)
        message = f'/inform{{"choice": "{question}:{choice}"}}' if choice else "/dont_know"
        turns.append(servers.say(sender, message))
    return turns


def test_a_free_text_description_and_answers_reach_results_naming_the_expected_cause(
    servers: Servers,
) -> None:
    turns = interview(
        servers,
        "e2e-stenosis",
        "When I walk more than a few blocks my legs feel heavy and tingly; "
        "bending forward over the cart at the supermarket helps.",
        {"age": "70_plus", "side": "both", "better": "sitting", "worse": "walking"},
    )
    assert "heavy" in text_of(turns[0]).lower()  # it read the description back
    asked = [pending_question(turn) for turn in turns[:-1]]
    assert asked[:2] == ["screen_emergency", "screen_other"]  # the warning signs come first
    assert len(asked) <= 9
    results = text_of(turns[-1])
    assert "Spinal stenosis" in results.split("2.")[0]
    assert "not a diagnosis" in results


def test_a_red_flag_mid_interview_gets_urgent_advice(servers: Servers) -> None:
    first = servers.say("e2e-red-mid", "my lower back has been aching for a week")
    assert pending_question(first) is not None
    replies = servers.say("e2e-red-mid", "oh and I can't feel anything when I wipe")
    reply = text_of(replies)
    assert "emergency" in reply.lower()
    assert pending_question(replies) is None
    assert "possible causes" not in reply.lower()


def test_a_red_flag_in_the_first_message(servers: Servers) -> None:
    reply = text_of(
        servers.say(
            "e2e-red-first", "I haven't been able to pee since this morning and my back is agony"
        )
    )
    assert "emergency" in reply.lower()


def test_why_do_you_ask_gives_the_reason_then_the_same_question(servers: Servers) -> None:
    first = servers.say("e2e-why", "my back hurts")
    question = pending_question(first)
    replies = servers.say("e2e-why", "why do you ask?")
    assert text_of(replies).startswith("I ask because")
    assert pending_question(replies) == question


def test_early_results_and_follow_ups(servers: Servers) -> None:
    servers.say(
        "e2e-follow",
        "sharp pain shooting down my leg below the knee since I lifted a box, worse when I cough",
    )
    servers.say("e2e-follow", "none of these")
    servers.say("e2e-follow", "no")
    results = servers.say("e2e-follow", "just show me the results")
    assert "1." in text_of(results)
    more = text_of(servers.say("e2e-follow", "tell me more about the second one"))
    assert "Who can help" in more
    disc = text_of(servers.say("e2e-follow", "what is a slipped disc?"))
    assert "Herniated disc" in disc
    listing = text_of(servers.say("e2e-follow", "list the pathological causes"))
    assert "Spinal stenosis" in listing and "Piriformis" not in listing
    summary = servers.say("e2e-follow", "can you give me a summary for my doctor")
    assert len(summary) == 1 and "Reported:" in summary[0]["text"]
    restart = text_of(servers.say("e2e-follow", "start over"))
    assert "start over" in restart.lower()


def test_a_nonsensical_answer_mid_interview_gets_a_hint_and_the_same_question(
    servers: Servers,
) -> None:
    question = pending_question(servers.say("e2e-hint", "my lower back hurts"))
    replies = servers.say("e2e-hint", "purple monkey dishwasher")
    assert "couldn't match that" in text_of(replies)
    assert pending_question(replies) == question


def test_a_second_nonsensical_answer_moves_on_to_another_question(servers: Servers) -> None:
    question = pending_question(servers.say("e2e-hint-twice", "my lower back hurts"))
    servers.say("e2e-hint-twice", "purple monkey dishwasher")
    replies = servers.say("e2e-hint-twice", "banana telephone")
    assert "leave this question" in text_of(replies)
    assert pending_question(replies) not in (None, question)
