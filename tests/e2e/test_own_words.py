"""People's own words over REST against the real servers: typed answers move the interview,
answers that name a cause are answers, corrections recalculate, follow-up questions after the
results get their own answers, and another language gets a clear reply."""

from __future__ import annotations

import pytest

from bot.followups import load_self_care
from bot.wording import load_phrases
from tests.e2e.servers import Servers, pending_question

pytestmark = pytest.mark.e2e

ADVICE = load_phrases()["red_flag"]
ANSWERS = load_self_care()["answers"]
# A typed answer for every question the interview can ask, in everyday words.
TYPED = {
    "screen_emergency": "nope none of them",
    "screen_other": "no",
    "age": "im 44",
    "sex": "female",
    "location": "low down in the middle, right over the spine",
    "side": "both sides really",
    "spread": "it stays in my back",
    "leg_vs_back": "the back is worse",
    "feeling": "a dull ache mostly",
    "worse": "sitting and bending forward",
    "better": "walking about helps",
    "duration": "about 3 weeks",
    "morning_stiffness": "maybe 10 minutes",
    "periods": "no",
    "scans": "never had one",
    "onset": "came on bit by bit",
    "clues": "none of those",
    "other_symptoms": "no",
    "lifestyle": "stress and sitting at a desk all day",
}


def text_of(replies: list[dict]) -> str:
    return "\n".join(reply.get("text", "") for reply in replies)


def slots(servers: Servers, sender: str) -> dict:
    return servers.tracker(sender)["slots"]


def findings(servers: Servers, sender: str) -> dict[str, bool]:
    return {f["id"]: f["present"] for f in slots(servers, sender)["findings"] or []}


def typed_interview(servers: Servers, sender: str, opening: str) -> tuple[list[str], list[dict]]:
    """Type an answer to each question until the results; the questions asked, last replies."""
    replies = servers.say(sender, opening)
    asked: list[str] = []
    for _ in range(16):
        question = pending_question(replies)
        if question is None:
            break
        asked.append(question)
        replies = servers.say(sender, TYPED[question])
    return asked, replies


def test_typed_answers_move_the_interview_to_results_with_no_question_twice(
    servers: Servers,
) -> None:
    asked, replies = typed_interview(servers, "own-typed", "my lower back aches")
    assert len(asked) == len(set(asked)), asked  # each typed answer was understood
    assert asked[:2] == ["screen_emergency", "screen_other"]
    assert "not a diagnosis" in text_of(replies)


@pytest.mark.parametrize(("answer", "finding"), [
    ("yes slumped posture. thats me", "poor_posture"),
    ("mostly stress", "stress"),
])
def test_an_answer_that_names_a_factor_is_recorded_not_taken_for_a_question(
    servers: Servers, answer: str, finding: str
) -> None:
    sender = f"own-factor-{finding}"
    replies = servers.say(sender, "my back aches after work")
    for _ in range(3):  # the two warning-sign questions and age
        replies = servers.say(sender, TYPED[pending_question(replies)])
    after = servers.say(sender, answer)
    assert findings(servers, sender).get(finding) is True
    assert pending_question(after) is not None
    assert "Which cause" not in text_of(after) and "Who can help" not in text_of(after)


def test_several_choices_in_one_typed_answer_are_all_recorded(servers: Servers) -> None:
    sender = "own-several"
    replies = servers.say(sender, "lower back pain")
    for _ in range(16):
        question = pending_question(replies)
        assert question is not None
        if question == "worse":
            break
        replies = servers.say(sender, TYPED[question])
    servers.say(sender, "sitting, bending and coughing")
    said = findings(servers, sender)
    assert said.get("worse_sitting") and said.get("worse_bending_forward") and said.get(
        "worse_cough_sneeze")


def test_a_correction_after_the_results_changes_them(servers: Servers) -> None:
    sender = "own-correct"
    asked, results = typed_interview(
        servers, sender, "sharp pain shooting down my left leg below the knee, worse when I cough")
    assert "not a diagnosis" in text_of(results)
    replies = servers.say(sender, "that's not right, I don't have leg pain, it's only my back")
    text = text_of(replies)
    assert "not a diagnosis" in text  # the results, recalculated
    said = findings(servers, sender)
    assert said.get("spread_below_knee") is not True and said.get("no_leg_pain") is True
    results = text.split("Here are the possible causes")[1]
    assert "below the knee" not in results.split("What fits:")[1].split("\n")[0]


def test_the_summary_of_a_typed_conversation_contradicts_nothing(servers: Servers) -> None:
    sender = "own-summary"
    typed_interview(servers, sender, "pain in my lower back for about 3 weeks, no leg pain")
    summary = text_of(servers.say(sender, "summary for my doctor please"))
    reported = summary.split("Reported:")[1].split("\n")[0]
    denied = summary.split("Denied:")[1].split("\n")[0]
    reported_items = {item.strip() for item in reported.split(";")}
    denied_items = {item.strip() for item in denied.split(";")}
    assert not reported_items & denied_items
    assert len(reported.split(";")) == len(reported_items)  # nothing said twice


FOLLOW_UPS = [
    ("what can I do about it?", "self_care", "Keep moving"),
    ("is it serious?", "serious", "warning sign"),
    ("should i get an MRI?", "imaging", ANSWERS["imaging"]["general"][:40]),
    ("how long will it last?", "course", "weeks"),
    ("can I still go to the gym?", "activity", ANSWERS["activity"]["gym"][:30]),
    ("what painkiller can I take?", "painkillers", "pharmacist"),
    ("who should I see about it?", "whom_to_see", "physiotherapist"),
]


def test_after_the_results_each_follow_up_gets_its_answer_not_the_results_again(
    servers: Servers,
) -> None:
    sender = "own-followups"
    typed_interview(servers, sender, "I lifted a box yesterday and my lower back went, no leg pain")
    for question, kind, expected in FOLLOW_UPS:
        reply = text_of(servers.say(sender, question))
        assert expected in reply, (kind, reply)
        assert "Here are the possible causes" not in reply, kind


def test_what_can_i_do_after_a_warning_explains_it_and_lists_no_exercises(
    servers: Servers,
) -> None:
    sender = "own-after-warning"
    warned = text_of(servers.say(sender, "I can't feel anything when I wipe and my back hurts"))
    assert warned.startswith(ADVICE["emergency"])
    reply = text_of(servers.say(sender, "what can I do?"))
    assert "Cauda equina" in reply and "emergency" in reply.lower()
    assert "Exercise" not in reply and "stretch" not in reply.lower()


def test_a_message_in_spanish_gets_the_english_only_reply(servers: Servers) -> None:
    reply = text_of(servers.say("own-spanish", "me duele mucho la espalda desde hace una semana"))
    assert reply == ANSWERS["english_only"]
