"""The interview in the domain core: the red-flag screen, typed answers, corrections, results
on request, and what a warning changes, driven message by message as a person types."""

from __future__ import annotations

import pytest

from bot.interview import MAX_QUESTIONS, Engine, Interview, Said, State
from bot.wording import load_phrases

PHRASES = load_phrases()
ADVICE = PHRASES["red_flag"]


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.load()


def start(engine: Engine, opening: str) -> tuple[Interview, list[str]]:
    """A new interview after `opening`, with the first question asked."""
    interview = engine.interview(State())
    said = [m.text for m in interview.describe(opening)]
    said += [m.text for m in interview.ask()]
    return interview, said


def reply(interview: Interview, text: str = "", choice: str | None = None,
          intent: str = "inform", suspected: bool = False) -> list[str]:
    """One message while a question waits, and the question that comes next (if any)."""
    said = [m.text for m in interview.reply(Said(text, intent, choice, {}, suspected))]
    if interview.wants_more():
        said += [m.text for m in interview.ask()]
    return said


def present(interview: Interview) -> set[str]:
    return {f.id for f in interview.findings if f.present}


def denied(interview: Interview) -> set[str]:
    return {f.id for f in interview.findings if not f.present}


def level(texts: list[str]) -> str | None:
    for name in ("emergency", "urgent"):
        if any(text.startswith(ADVICE[name]) for text in texts):
            return name
    return None


# ------------------------------------------------------------------------------ the screen
def test_every_interview_opens_with_the_emergency_screen(engine: Engine) -> None:
    interview, said = start(engine, "my lower back aches when I bend")
    assert interview.state.pending == "screen_emergency"
    assert said[-1].startswith(PHRASES["screen_intro"])


@pytest.mark.parametrize("text", ["no", "none of them", "nope all fine", "None of these",
                                  "no, nothing like that", "nah im ok"])
def test_a_typed_no_denies_every_sign_shown_and_carries_on(engine: Engine, text: str) -> None:
    interview, _ = start(engine, "my lower back aches when I bend")
    said = reply(interview, text)
    assert interview.state.pending == "screen_other"
    assert {"saddle_numbness", "bladder_or_bowel_change", "bilateral_leg_symptoms"} <= denied(
        interview)
    assert level(said) is None


@pytest.mark.parametrize(("text", "finding"), [
    ("yes, it's numb when I wipe", "saddle_numbness"),
    ("just the tingling round my bum", "saddle_numbness"),
    ("the second one", "bladder_or_bowel_change"),
    ("both legs have gone weak", "bilateral_leg_symptoms"),
])
def test_a_typed_emergency_sign_at_the_screen_ends_with_emergency_advice(
    engine: Engine, text: str, finding: str
) -> None:
    interview, _ = start(engine, "my back has hurt for a week")
    reply(interview, text)
    assert finding in present(interview)
    assert not interview.wants_more()
    assert level([m.text for m in interview.results()]) == "emergency"


def test_two_signs_typed_in_one_answer_are_both_recorded(engine: Engine) -> None:
    interview, _ = start(engine, "lower back ache for a few weeks")
    reply(interview, "no")
    said = reply(interview, "I had a little fall last month and I've lost weight without trying")
    assert {"trauma_minor", "weight_loss"} <= present(interview)
    assert any("next few days" in text for text in said)  # a "soon" sign is said at once
    assert interview.state.pending not in (None, "screen_other")


def test_an_urgent_sign_gives_advice_at_once_and_the_rest_of_the_screen_is_still_asked(
    engine: Engine,
) -> None:
    interview, _ = start(engine, "my back is really sore")
    said = reply(interview, "a fever and chills actually")
    # a fever told at the emergency screen: urgent advice now, and the screen goes on, since a
    # weak leg beside a fever would make it an emergency
    assert level(said) == "urgent"
    assert interview.wants_more() and interview.state.pending in ("screen_emergency",
                                                                  "screen_other")


def test_a_tapped_sign_is_followed_by_anything_else(engine: Engine) -> None:
    interview, _ = start(engine, "my back is really sore")
    reply(interview, "none")
    said = reply(interview, choice="screen_other:minor_injury")
    assert said[-1].startswith(PHRASES["anything_else"])
    assert interview.state.pending == "screen_other"
    said = reply(interview, choice="screen_other:none")
    assert interview.state.pending not in (None, "screen_other")
    assert "trauma_minor" in present(interview) and "fever_or_unwell" in denied(interview)


def test_a_sign_already_said_is_not_asked_again(engine: Engine) -> None:
    interview, _ = start(engine, "no numbness anywhere, no bladder or bowel problems, my legs are "
                                 "fine and I have no fever")
    titles = [b["title"] for b in interview.ask()[0].buttons or []]
    assert not any("urine" in title for title in titles)


# --------------------------------------------------------------------- results on request
def test_results_asked_early_bring_the_screen_first_and_a_second_ask_declines_it(
    engine: Engine,
) -> None:
    interview, _ = start(engine, "sharp pain down my leg below the knee")
    said = reply(interview, "just show me the results", intent="show_results")
    assert said[0] == PHRASES["screen_before_results"]
    assert interview.state.pending == "screen_emergency"
    reply(interview, "just show me the results", intent="show_results")
    reply(interview, "results please", intent="show_results")
    assert not interview.wants_more()
    results = " ".join(m.text for m in interview.results())
    assert "I couldn't check these warning signs with you" in results


def test_after_the_screen_results_on_request_come_at_once(engine: Engine) -> None:
    interview, _ = start(engine, "sharp pain down my leg below the knee")
    reply(interview, "no")
    reply(interview, "no")
    reply(interview, "show me the results", intent="show_results")
    assert not interview.wants_more()
    assert "1." in " ".join(m.text for m in interview.results())


# --------------------------------------------------------------------- the classifier alone
def test_a_suspicion_of_the_classifier_alone_asks_the_screen_again(engine: Engine) -> None:
    interview, _ = start(engine, "my back aches")
    reply(interview, "no")
    reply(interview, "no")
    said = reply(interview, "things down there just aren't right", suspected=True)
    assert level(said) is None
    assert said[-1].startswith(PHRASES["rescreen"])
    assert interview.state.pending == "screen_emergency"
    said = reply(interview, "no, none of those")
    assert level(said) is None
    assert interview.state.pending not in (None, "screen_emergency")


# -------------------------------------------------------------- corrections and warnings
def test_that_is_wrong_takes_back_the_warning_and_the_interview_goes_on(engine: Engine) -> None:
    interview = engine.interview(State())
    advice = [m.text for m in interview.warn("a ripping pain in my lower back")]
    assert level(advice) == "emergency" and interview.state.warned
    said = [m.text for m in interview.correct("that's wrong, it's just an ache")]
    assert said[0].startswith("Thanks for telling me")
    assert not interview.urgent_red_flags() and interview.wants_more()


def test_a_worry_with_the_word_wrong_does_not_take_back_a_warning(engine: Engine) -> None:
    interview = engine.interview(State())
    interview.warn("I can't feel anything when I wipe")
    interview.correct("something feels very wrong down there")
    assert interview.urgent_red_flags()


def test_a_denial_of_the_finding_itself_is_believed(engine: Engine) -> None:
    interview = engine.interview(State())
    interview.warn("my doctor mentioned tearing and now my back hurts")
    interview.correct("I don't have tearing pain")
    assert "tearing_pain" not in present(interview)
    assert not interview.urgent_red_flags()


def test_once_checked_the_interview_goes_on_and_the_warning_stays_in_the_summary(
    engine: Engine,
) -> None:
    interview = engine.interview(State())
    interview.warn("I can't feel anything when I wipe")
    said = [m.text for m in interview.checked()]
    assert said == [PHRASES["checked"]]
    assert not interview.urgent_red_flags() and interview.wants_more()
    summary = interview.summary()[0].text
    assert "emergency" in summary and "checked since" in summary


# ------------------------------------------------------------------------- typed answers
def test_typed_answers_move_the_interview_past_the_screen(engine: Engine) -> None:
    interview, _ = start(engine, "my lower back hurts")
    reply(interview, "no")
    reply(interview, "nope")
    assert interview.state.pending == "age"
    said = reply(interview, "im 47")
    assert next(f.value for f in interview.findings if f.id == "age") == 47
    assert not any("corrected" in text for text in said)  # one reply, one age
    asked = interview.state.pending
    said = reply(interview, "purple monkey dishwasher")
    assert "couldn't match" in said[0] and interview.state.pending == asked


def test_a_second_reply_it_cannot_read_moves_on_instead_of_asking_again(engine: Engine) -> None:
    interview, _ = start(engine, "my lower back hurts")
    reply(interview, "no")
    reply(interview, "nope")
    asked = interview.state.pending
    reply(interview, "purple monkey dishwasher")
    said = reply(interview, "banana telephone")
    assert "leave this question" in said[0]
    assert asked in interview.state.skipped and interview.state.pending != asked


def test_a_readable_reply_between_two_unreadable_ones_starts_the_count_again(
    engine: Engine,
) -> None:
    interview, _ = start(engine, "my lower back hurts")
    reply(interview, "no")
    reply(interview, "nope")
    reply(interview, "purple monkey dishwasher")
    reply(interview, "im 47")
    asked = interview.state.pending
    said = reply(interview, "banana telephone")
    assert "couldn't match" in said[0] and interview.state.pending == asked


def test_at_most_the_screen_and_ten_more_questions_are_asked(engine: Engine) -> None:
    interview, _ = start(engine, "my back hurts")
    for _ in range(30):
        if not interview.wants_more():
            break
        reply(interview, "I don't know")
    assert not interview.wants_more()
    assert interview.questions_after_screen() <= MAX_QUESTIONS
    assert {"screen_emergency", "screen_other"} <= set(interview.asked)


def test_a_typed_urgent_sign_at_the_screen_is_advised_and_the_screen_goes_on(
    engine: Engine,
) -> None:
    # the red-flag gate hands such a message to `warn`: urgent advice, then the rest of the
    # screen, since a weak leg beside a fever would make it an emergency
    interview, _ = start(engine, "my back is really sore")
    advice = [m.text for m in interview.warn("I've had a fever and the shakes")]
    assert level(advice) == "urgent" and advice[-1] == PHRASES["more_checks"]
    assert interview.wants_more()
    assert interview.ask()[0].text.endswith(interview.question("screen_emergency").text +
                                            " " + PHRASES["several_apply"])
    said = reply(interview, "my left leg is getting weaker too")
    assert any(f.urgency == "emergency" for f in interview.red_flags())
    assert not interview.wants_more() and level(said) is None  # the results give the advice


def test_a_report_of_being_checked_that_names_the_sign_again_is_no_new_alarm(
    engine: Engine,
) -> None:
    interview = engine.interview(State())
    interview.warn("I've had a fever and chills with this back pain")
    said = [m.text for m in interview.warn("the doctor says the fever was just a cold")]
    assert said == [PHRASES["checked"]] and not interview.urgent_red_flags()
    # a new sign in the same report is still an alarm
    interview = engine.interview(State())
    interview.warn("I've had a fever and chills with this back pain")
    said = [m.text for m in interview.warn("the doctor says it's a cold but now I can't pee")]
    assert level(said) == "emergency"


def test_an_old_button_with_no_question_waiting_is_never_read_as_words(engine: Engine) -> None:
    interview = engine.interview(State())
    interview.warn("I can't feel anything when I wipe")  # the interview ends, nothing waits
    said = [m.text for m in interview.reply(Said("/inform", "inform", "scans:slipped"))]
    assert said == [PHRASES["old_button"]]
    assert "trauma_minor" not in present(interview)
