"""The interview: choosing the next question, skipping what is known, and reading answers."""

from __future__ import annotations

import copy

import pytest
import yaml

from bot.knowledge import load_knowledge_base
from bot.matching import known_findings
from bot.model import Finding
from bot.questions import (
    DEFAULT_PATH,
    QuestionsError,
    answer_to_findings,
    load_questions,
    next_question,
)
from bot.vocabulary import load_vocabulary


def yes(*ids: str) -> list[Finding]:
    return [Finding(fid) for fid in ids]


def no(*ids: str) -> list[Finding]:
    return [Finding(fid, present=False) for fid in ids]


@pytest.fixture(scope="module")
def questions():
    return {question.id: question for question in load_questions()}


def ask_all(findings: list[Finding]) -> list[str]:
    """Every question the interview would ask, in order, answering none of them."""
    asked: list[str] = []
    while (question := next_question(findings, asked=set(asked))) is not None:
        assert question.id not in asked
        asked.append(question.id)
    return asked


def test_the_interview_covers_what_the_design_asks_for(questions):
    assert 12 <= len(questions) <= 20
    for needed in ("screen_emergency", "screen_other", "location", "side", "spread", "feeling",
                   "worse", "better", "duration", "morning_stiffness", "age", "sex", "periods",
                   "scans", "lifestyle"):
        assert needed in questions


def test_every_answer_fits_on_a_button_on_every_channel(questions):
    # Slack cuts button text at 75 characters; a cut warning sign would be misread.
    for question in questions.values():
        for button in question.buttons:
            assert len(button.title) <= 75, (question.id, button.title)


def test_every_question_has_text_a_reason_and_an_i_dont_know(questions):
    vocabulary = load_vocabulary()
    for question in questions.values():
        assert question.text.endswith("?")
        assert len(question.why.split()) >= 8, question.id
        titles = [b.title.lower() for b in question.buttons]
        assert any(b.dont_know for b in question.buttons), question.id
        assert any("know" in t or "rather not" in t for t in titles), question.id
        for button in question.buttons:
            for finding in button.findings():
                assert finding.id in vocabulary
                if finding.present:
                    assert finding.id in question.reveals, (question.id, finding.id)


SCREENED = {"screen_emergency", "screen_other", "age"}


def test_every_interview_opens_with_the_red_flag_screen_then_age():
    # Whatever was said first, the warning signs people rarely volunteer are asked first.
    for said in ([], yes("spread_below_knee", "worse_cough_sneeze")):
        assert ask_all(said)[:3] == ["screen_emergency", "screen_other", "age"]
    # A sign already said is not offered again; a screen whose signs are all known is skipped.
    emergency = next(q for q in load_questions() if q.id == "screen_emergency")
    told = yes("saddle_numbness") + no("bladder_dysfunction")
    assert "saddle" not in {b.payload for b in emergency.shown(known_findings(told))}
    assert ask_all(no(*emergency.reveals))[0] == "screen_other"


def test_first_question_after_the_screen_with_nothing_known_is_a_broad_one():
    assert next_question([], asked=SCREENED).id in {"location", "clues", "duration"}


def test_next_question_follows_the_leading_causes():
    # Nerve pain below the knee: the useful questions tell disc and sciatica apart
    nerve = next_question(yes("spread_below_knee", "worse_cough_sneeze", "sens_shooting"),
                          asked=SCREENED)
    assert nerve.id in {"onset", "scans", "leg_vs_back"}
    # An older walker with heavy legs: relief, spread and duration matter most for stenosis
    walker = next_question(yes("worse_walking", "sens_heaviness") + [Finding("age", value=74)],
                           asked=SCREENED)
    assert walker.id in {"better", "side", "location", "clues", "spread", "duration"}


def test_questions_whose_findings_are_known_are_skipped():
    said = yes("loc_buttock", "side_one", "spread_below_knee", "sens_ache", "worse_sitting",
               "better_walking", "duration_acute") + [Finding("age", value=40)]
    asked = ask_all(said)
    for skipped in ("location", "side", "spread", "feeling", "worse", "better", "duration", "age"):
        assert skipped not in asked


def test_a_denial_alone_does_not_answer_a_question(questions):
    from bot.matching import known_findings

    assert not questions["feeling"].is_answered(known_findings(no("sens_numbness")))
    assert questions["feeling"].is_answered(known_findings(yes("sens_numbness")))


def test_asked_questions_are_not_repeated_and_none_comes_at_the_end():
    asked = ask_all([])
    assert len(asked) == len(set(asked)) >= 8
    assert next_question([], asked=set(asked)) is None
    everything = {q.id for q in load_questions()}
    assert next_question([], asked=everything) is None


def test_periods_only_when_sex_is_female_or_unknown():
    assert "periods" not in ask_all([Finding("sex", value="male")])
    assert "periods" in ask_all([Finding("sex", value="female")])
    assert "periods" in ask_all([])


def test_leg_or_back_only_when_pain_spreads_into_the_leg():
    assert "leg_vs_back" not in ask_all(yes("no_leg_pain"))
    assert "leg_vs_back" in ask_all(yes("spread_thigh_back"))


def test_lifestyle_question_is_asked_for_the_aggravating_factors():
    assert "lifestyle" in ask_all([])
    assert "lifestyle" not in ask_all(yes("overweight"))


def test_answer_mapping_by_payload_title_index_and_prefixed_payload(questions):
    spread = questions["spread"]
    by_payload = answer_to_findings(spread, "below_knee")
    assert Finding("spread_below_knee") in by_payload
    assert Finding("no_leg_pain", present=False) in by_payload
    assert answer_to_findings(spread, "Below the knee, maybe into the foot") == by_payload
    assert answer_to_findings(spread, "  below the knee, MAYBE into the foot ") == by_payload
    assert answer_to_findings(spread, "spread:below_knee") == by_payload
    index = [b.payload for b in spread.buttons].index("below_knee")
    assert answer_to_findings(spread, index) == by_payload
    assert answer_to_findings(spread, spread.buttons[index]) == by_payload


def test_answers_carry_values_and_denials(questions):
    assert answer_to_findings(questions["age"], "70_plus") == [Finding("age", value=75)]
    assert answer_to_findings(questions["sex"], "female") == [Finding("sex", value="female")]
    long = answer_to_findings(questions["morning_stiffness"], "very_long")
    assert Finding("morning_stiffness", value=90) in long
    assert Finding("morning_stiffness_long") in long
    none = answer_to_findings(questions["morning_stiffness"], "none")
    assert all(not finding.present for finding in none) and len(none) == 2


def test_i_dont_know_sets_nothing(questions):
    for question in questions.values():
        dont_know = next(b for b in question.buttons if "know" in b.title or "rather" in b.title)
        assert answer_to_findings(question, dont_know.payload) == []


def test_unknown_answer_is_an_error(questions):
    with pytest.raises(ValueError, match="spread"):
        answer_to_findings(questions["spread"], "to the moon")
    with pytest.raises(ValueError):
        answer_to_findings(questions["spread"], 99)


def test_answering_moves_the_ranking():
    from bot.matching import rank_causes

    kb = load_knowledge_base()
    question = next(q for q in load_questions() if q.id == "location")
    findings = answer_to_findings(question, "pelvis_spot")
    shown = [match.id for match in rank_causes(findings, kb) if match.reasons]
    assert shown[0] == "sacroiliac_joint_dysfunction"
    follow_up = next_question(findings, kb, asked={question.id})
    assert follow_up is not None and follow_up.id != question.id


# ------------------------------------------------------------------------ malformed files
@pytest.fixture(scope="module")
def raw() -> dict:
    return yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))


def _question(data: dict, question_id: str) -> dict:
    return next(q for q in data["questions"] if q["id"] == question_id)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: _question(d, "side").pop("why"), "why"),
        (lambda d: _question(d, "side")["reveals"].append("side_left"), "reveals"),
        (lambda d: _question(d, "side")["buttons"][0].update(present=["side_up"]), "buttons"),
        (lambda d: _question(d, "side")["buttons"].pop(), "buttons"),
        (lambda d: _question(d, "side").update(only_if={"when": "raining"}), "only_if"),
        (lambda d: _question(d, "side")["reveals"].remove("side_one"), "buttons"),
    ],
)
def test_malformed_question_names_the_question_and_field(tmp_path, raw, change, field):
    data = copy.deepcopy(raw)
    change(data)
    path = tmp_path / "questions.yml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(QuestionsError) as caught:
        load_questions(path)
    assert "'side'" in str(caught.value) and repr(field) in str(caught.value)
