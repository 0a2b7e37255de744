"""Typed answers to the interview's questions, read as people type them."""

from __future__ import annotations

import pytest

from bot.answers import read_answer
from bot.model import Finding
from bot.questions import load_questions

QUESTIONS = {question.id: question for question in load_questions()}


def read(question: str, text: str, known: dict[str, Finding] | None = None):
    return read_answer(QUESTIONS[question], text, known or {})


def value(answer, finding_id: str):
    values = [f.value for f in answer.findings if f.id == finding_id and f.present]
    return values[-1] if values else None


@pytest.mark.parametrize(("question", "text", "choices"), [
    ("side", "just the left", ("one",)),
    ("side", "both sides", ("both",)),
    ("side", "the second one", ("both",)),
    ("side", "middle", ("middle",)),  # an answer's own word, not a place in the list
    ("worse", "sitting and bending", ("sitting", "bending")),
    ("worse", "3", ("bending",)),
    ("better", "nothing helps", ("nothing",)),
    ("spread", "no it stays in my back", ("stays",)),
    ("location", "middle of my back, right on the spine", ("central",)),
    ("screen_emergency", "the first and the fourth", ("saddle", "both_legs")),
    ("screen_emergency", "no", ("none",)),
    ("screen_other", "not that I know of", ("none",)),
    ("sex", "im a woman", ("female",)),
    ("periods", "no", ("no",)),  # each question's plain "no"
    ("spread", "nope", ("stays",)),
    ("worse", "nothing makes it worse", ("nothing",)),
])
def test_typed_answers_choose_what_they_say(question: str, text: str, choices: tuple) -> None:
    assert read(question, text).choices == choices


@pytest.mark.parametrize(("text", "age", "band"), [
    ("im 47", 47, "40_49"),
    ("forty five", 45, "40_49"),
    ("late 60s", 68, "60_69"),
    ("nearly 50", 49, "40_49"),
])
def test_an_age_is_read_however_it_is_typed(text: str, age: int, band: str) -> None:
    answer = read("age", text)
    assert answer.choices == (band,)
    assert value(answer, "age") == age
    assert value(answer, "sex") is None  # the m of "im" is no sex


@pytest.mark.parametrize(("text", "band"), [
    ("about 3 weeks", "acute"),
    ("a fortnight", "acute"),
    ("two and a half months", "subacute"),
    ("since 2019", "chronic"),
    ("years, on and off", "chronic"),
])
def test_how_long_is_read_from_numbers_words_and_years(text: str, band: str) -> None:
    assert read("duration", text).choices == (band,)


def test_a_typed_none_denies_every_sign_the_screen_showed() -> None:
    answer = read("screen_emergency", "none of them thank god")
    assert answer.choices == ("none",)
    assert {f.id for f in answer.findings if not f.present} >= {
        "saddle_numbness", "bladder_or_bowel_change", "sexual_dysfunction",
        "bilateral_leg_symptoms", "leg_weakness"}


def test_a_bare_yes_at_the_screen_is_treated_as_the_most_urgent_sign() -> None:
    answer = read("screen_emergency", "yes")
    assert answer.usable and value(answer, "screen_yes_emergency") is None
    assert "screen_yes_emergency" in {f.id for f in answer.findings if f.present}


@pytest.mark.parametrize(("text", "kind"), [
    ("dunno", "dont_know"),
    ("why do you need to know that", "why"),
    ("purple monkey dishwasher", "none"),
])
def test_replies_that_are_not_answers_say_so(text: str, kind: str) -> None:
    assert read("side", text).kind == kind


def test_words_after_not_do_not_choose_that_answer() -> None:
    answer = read("worse", "not sitting, it's walking that does it")
    assert answer.choices == ("walking",)


def test_other_things_said_in_an_answer_are_kept() -> None:
    answer = read("side", "left side, and I'm 52")
    assert answer.choices == ("one",) and value(answer, "age") == 52


@pytest.mark.parametrize("text", ["yep one of those", "yes one of them", "some of them",
                                  "yeah a couple of them"])
def test_some_of_the_signs_without_saying_which_is_a_yes_never_a_none(text: str) -> None:
    for question, unspecified in (("screen_emergency", "screen_yes_emergency"),
                                  ("screen_other", "screen_yes_other")):
        answer = read(question, text)
        assert answer.choices != ("none",)
        assert unspecified in {f.id for f in answer.findings if f.present}
        assert not [f for f in answer.findings if not f.present]  # nothing denied


@pytest.mark.parametrize("text", ["maybe, yes", "possibly yes", "maybe"])
def test_a_maybe_at_the_screen_asks_which_one(text: str) -> None:
    assert read("screen_emergency", text).kind == "unclear"


@pytest.mark.parametrize(("question", "text", "choices"), [
    ("duration", "the first one", ("acute",)),
    ("duration", "the middle one", ("subacute",)),
    ("age", "the third option", ("40_49",)),
])
def test_a_place_in_the_list_answers_a_question_that_takes_numbers(
        question: str, text: str, choices: tuple) -> None:
    assert read(question, text).choices == choices


def test_a_number_of_weeks_is_still_not_a_place_in_the_list() -> None:
    assert read("duration", "3 weeks").choices == ("acute",)
    assert read("duration", "the first 2 weeks were worst, it has been 4 months").choices == (
        "chronic",)


def test_the_one_patch_on_one_leg_is_not_the_first_warning_sign() -> None:
    answer = read("screen_emergency", "no, it's just the one patch on one leg")
    assert answer.choices == ("none",)
    assert not any(f.present and f.id in ("saddle_numbness", "bilateral_leg_symptoms")
                   for f in answer.findings)


def test_a_dont_know_at_the_end_of_a_reply_is_a_dont_know() -> None:
    assert read("morning_stiffness", "it only happened this morning so dunno").kind == "dont_know"
    assert read("duration", "dunno, about 3 weeks").choices == ("acute",)  # a value still counts


@pytest.mark.parametrize(("question", "text", "choice", "finding"), [
    ("worse", "sitting, bending forward, even sneezing", "bending", "worse_bending_forward"),
    ("worse", "long walks with big strides, bending forward", "bending", "worse_bending_forward"),
    ("better", "hot bath, moving around", "moving", "better_movement"),
])
def test_a_position_said_alone_is_read_the_way_the_question_asks(
        question: str, text: str, choice: str, finding: str) -> None:
    answer = read(question, text)
    assert choice in answer.choices
    assert any(f.id == finding and f.present for f in answer.findings)
    assert not any(f.id == "better_bending_forward" for f in answer.findings)


def test_relief_said_to_the_worse_question_stays_relief() -> None:
    answer = read("worse", "sitting, but bending forward helps")
    assert "bending" not in answer.choices


@pytest.mark.parametrize(("question", "text", "choices"), [
    ("periods", "n/a", ("no_periods",)),
    ("periods", "he's my dad lol", ("no_periods",)),
    ("periods", "she's only just started them, dont think its related", ("no",)),
    ("onset", "i sneezed! that was literally it", ("sudden",)),
    ("onset", "started when i put on weight", ("gradual",)),
    ("leg_vs_back", "my back doesnt really hurt, its the bum and thigh", ("leg",)),
    ("location", "right side of my low back", ("beside_spine",)),
    ("clues", "he stoops a bit these days", ("posture",)),
])
def test_answers_typed_loosely_choose_what_they_mean(
        question: str, text: str, choices: tuple) -> None:
    assert read(question, text).choices == choices


@pytest.mark.parametrize(("question", "text", "choices"), [
    ("better", "not much, maybe a warm bath", ("heat",)),
    ("better", "nothing really except lying down", ("lying",)),
    ("better", "not really", ("nothing",)),
])
def test_a_hedged_no_that_names_an_answer_gives_that_answer(
        question: str, text: str, choices: tuple) -> None:
    assert read(question, text).choices == choices


def test_a_hedged_no_to_a_warning_sign_still_names_the_sign() -> None:
    answer = read("screen_emergency", "not really, but maybe numb down there")
    assert answer.kind != "answer" or "none" not in answer.choices
