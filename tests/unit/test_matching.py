"""Ranking causes: posterior scores, reasons in plain words, and every cause reachable."""

from __future__ import annotations

import math

import pytest

from bot.knowledge import load_knowledge_base
from bot.matching import (
    find_aggravating_factors,
    known_findings,
    likelihood_ratio,
    posterior,
    rank_causes,
)
from bot.model import Finding, RedFlag


def yes(*ids: str) -> list[Finding]:
    return [Finding(fid) for fid in ids]


def no(*ids: str) -> list[Finding]:
    return [Finding(fid, present=False) for fid in ids]


def age(years: int) -> Finding:
    return Finding("age", value=years)


def sex(word: str) -> Finding:
    return Finding("sex", value=word)


def stiff(minutes: int) -> Finding:
    return Finding("morning_stiffness", value=minutes)


def top(findings: list[Finding], n: int = 3) -> list[str]:
    """The first causes a person would be shown: those their findings speak for."""
    return [match.id for match in rank_causes(findings) if match.reasons][:n]


def score(findings: list[Finding], cause_id: str) -> float:
    return next(m.score for m in rank_causes(findings) if m.id == cause_id)


# One description per cause, written as the findings a person's words would give.
EVERY_CAUSE = {
    "ischemia": yes("loc_beside_spine", "sens_burning", "builds_through_day",
                    "worse_holding_still", "better_movement", "better_heat_massage", "no_leg_pain"),
    "iliopsoas_syndrome": yes("loc_groin", "loc_hip_front", "side_one", "worse_straightening_up",
                              "better_curled_up", "desk_job"),
    "sacroiliac_joint_dysfunction": yes("loc_sacroiliac", "point_with_finger", "side_one",
                                        "worse_turning_in_bed", "worse_sit_to_stand", "pregnancy"),
    "piriformis_syndrome": yes("loc_buttock", "worse_sitting", "worse_crossing_legs",
                               "spread_thigh_back", "sens_tingling", "better_walking")
    + no("loc_low_back"),
    "nerve_compression_entrapment": yes("numb_patch", "sens_burning", "sens_numbness",
                                        "spread_thigh", "worse_tight_clothing"),
    "trigger_points": yes("tender_knot", "worse_pressing_muscle", "spread_buttock",
                          "scans_normal", "better_heat_massage"),
    "sensory_motor_amnesia": yes("cannot_relax_muscles", "sens_tightness", "worse_stress"),
    "postural_distortion": yes("poor_posture", "worse_end_of_day", "better_movement", "desk_job"),
    "tight_leg_muscles": yes("cannot_touch_toes", "worse_long_strides", "spread_thigh_back",
                             "better_stretching") + no("spread_below_knee"),
    "dysfunctional_biomechanics": yes("pelvis_or_leg_length", "side_one", "worse_walking"),
    "true_sciatica": yes("leg_pain_dominant", "spread_below_knee", "spread_foot", "sens_shooting",
                         "worse_cough_sneeze", "better_lying_down", "sens_tingling")
    + [age(42)],
    "herniated_disc": yes("lifting_onset", "pop_at_onset", "sudden_onset", "sens_sharp",
                          "worse_sitting", "worse_cough_sneeze", "better_lying_down"),
    "spinal_stenosis": yes("worse_walking", "sens_heaviness", "better_sitting",
                           "better_bending_forward", "bilateral_leg_symptoms") + [age(74)],
    "ankylosing_spondylitis": yes("morning_stiffness_long", "better_movement", "worse_rest",
                                  "wakes_second_half_night", "duration_chronic")
    + [age(28), stiff(60)],
    "spondylolisthesis": yes("athlete", "worse_arching_back", "better_bending_forward",
                             "cannot_touch_toes") + [age(15)],
    "scoliosis": yes("curve_seen", "worse_standing", "better_rest") + [age(14)],
    "osteoarthritis": yes("sens_grinding", "worse_end_of_day", "other_joints_arthritic",
                          "sens_stiffness") + no("morning_stiffness_long") + [age(68), stiff(15)],
    "rheumatoid_arthritis": yes("loc_small_joints", "swollen_joints", "side_both", "fatigue")
    + [sex("female"), age(45), stiff(90)],
    "endometriosis": yes("with_periods", "loc_pelvis_deep", "sens_throbbing",
                         "worse_sex_or_bowel"),
    "viscerogenic": yes("loc_flank", "sens_colicky", "spread_groin", "urinary_symptoms",
                        "no_position_helps", "kidney_stones_history"),
    "fibromyalgia": yes("loc_widespread", "fatigue", "unrefreshing_sleep", "poor_concentration",
                        "duration_chronic", "scans_normal"),
    "acute_strain": yes("lifting_onset", "duration_acute", "no_leg_pain", "worse_bending_forward",
                        "sens_stiffness"),
}


def test_every_cause_has_a_description():
    assert set(EVERY_CAUSE) == {cause.id for cause in load_knowledge_base().causes}


@pytest.mark.parametrize("cause_id", sorted(EVERY_CAUSE))
def test_each_cause_ranks_top3_for_its_own_description(cause_id):
    assert cause_id in top(EVERY_CAUSE[cause_id]), top(EVERY_CAUSE[cause_id], 5)


# The shared worked examples, as the findings their words carry.
SHARED_EXAMPLES = [
    (yes("worse_walking", "sens_heaviness", "sens_tingling", "bilateral_leg_symptoms",
         "better_bending_forward") + [age(74)], {"spinal_stenosis"}),
    (yes("lifting_onset", "spread_below_knee", "spread_foot", "worse_cough_sneeze"),
     {"herniated_disc", "true_sciatica"}),
    (yes("sens_stiffness", "duration_chronic", "morning_stiffness", "better_movement")
     + [age(31), sex("male")], {"ankylosing_spondylitis"}),
    (yes("sens_ache", "loc_buttock", "worse_sitting", "desk_job", "sens_tingling",
         "spread_thigh_back") + no("loc_low_back"), {"piriformis_syndrome"}),
    (yes("with_periods", "sens_ache", "loc_low_back"), {"endometriosis"}),
    (yes("loc_sacroiliac", "side_one", "worse_stairs", "pregnancy"),
     {"sacroiliac_joint_dysfunction"}),
]


@pytest.mark.parametrize(("findings", "expected"), SHARED_EXAMPLES)
def test_shared_examples_rank_the_expected_cause_top3(findings, expected):
    assert expected & set(top(findings)), top(findings, 5)


@pytest.mark.parametrize(
    "findings",
    [
        yes("sens_ache", "no_leg_pain") + no("sens_numbness", "fever"),
        yes("loc_low_back") + no("spread_below_knee", "sens_tingling", "sens_numbness",
                                 "worse_cough_sneeze"),
        yes("loc_low_back", "sens_ache") + no("getting_worse"),
    ],
)
def test_benign_back_ache_without_leg_symptoms_keeps_sciatica_out_of_top3(findings):
    assert "true_sciatica" not in top(findings)


def test_score_is_the_posterior_from_prior_odds_times_likelihood_ratios():
    kb = load_knowledge_base()
    stenosis = kb.get("spinal_stenosis")
    findings = yes("better_sitting") + no("worse_walking")
    expected_odds = stenosis.prior / (1 - stenosis.prior) * 3.0 * 0.8
    assert score(findings, "spinal_stenosis") == pytest.approx(expected_odds / (1 + expected_odds))
    assert posterior(0.5, 1.0) == 0.5
    assert posterior(0.2, 4.0) == pytest.approx(0.5)


def test_unmentioned_findings_are_neutral():
    kb = load_knowledge_base()
    for match in rank_causes([]):
        assert match.score == pytest.approx(kb.get(match.id).prior)
        assert match.reasons == [] and match.reasons_against == []


def test_denied_findings_lower_a_score():
    base = yes("worse_walking", "sens_heaviness") + [age(74)]
    assert score(base + no("better_sitting"), "spinal_stenosis") < score(base, "spinal_stenosis")
    legs = yes("loc_low_back", "sens_shooting")
    assert score(legs + no("spread_below_knee"), "true_sciatica") < score(legs, "true_sciatica")
    assert score(no("with_periods"), "endometriosis") < load_knowledge_base().get(
        "endometriosis").prior


def test_later_statement_about_a_finding_wins():
    known = known_findings(yes("sens_numbness") + no("sens_numbness"))
    assert known["sens_numbness"].present is False


def test_grouped_features_count_once():
    kb = load_knowledge_base()
    sciatica = kb.get("true_sciatica")
    one = likelihood_ratio(sciatica, known_findings(yes("spread_below_knee")), kb)
    both = likelihood_ratio(sciatica, known_findings(yes("spread_below_knee", "spread_foot")), kb)
    assert one == both == 3.5


def test_value_conditions_on_age_and_sex():
    assert score([age(75)], "spinal_stenosis") > score([], "spinal_stenosis")
    assert score([age(45)], "spinal_stenosis") < score([], "spinal_stenosis")
    assert score([Finding("age")], "spinal_stenosis") == score([], "spinal_stenosis")
    assert score([sex("male")], "endometriosis") < 0.001
    assert score([sex("Female")], "endometriosis") > score([], "endometriosis")


def test_reasons_are_the_persons_own_findings_in_plain_words():
    findings = yes("spread_below_knee", "worse_cough_sneeze") + no("sens_numbness")
    sciatica = next(m for m in rank_causes(findings) if m.id == "true_sciatica")
    assert "pain shooting below the knee" in sciatica.reasons
    assert "worse when coughing, sneezing or straining" in sciatica.reasons
    assert "no numbness" in sciatica.reasons_against
    ages = next(m for m in rank_causes([age(74)]) if m.id == "spinal_stenosis")
    assert ages.reasons == ["aged 74"]


def test_strongest_reason_comes_first():
    ranked = rank_causes(yes("sens_ache", "tender_knot"))
    match = next(m for m in ranked if m.id == "trigger_points")
    assert match.reasons[0].startswith("a tender knot in a muscle")
    assert match.reasons[1] == "a dull or deep ache"


def test_normal_scans_make_musculoskeletal_causes_more_likely():
    with_scans = {m.id: m for m in rank_causes(yes("sens_ache", "scans_normal"))}
    without = {m.id: m for m in rank_causes(yes("sens_ache"))}
    for cause in load_knowledge_base().by_category("musculoskeletal"):
        assert with_scans[cause.id].score > without[cause.id].score, cause.id
        assert any("muscle" in reason for reason in with_scans[cause.id].reasons)
    assert with_scans["spinal_stenosis"].score < without["spinal_stenosis"].score
    assert with_scans["fibromyalgia"].score > without["fibromyalgia"].score


def test_ranking_is_sorted_and_covers_causes_only():
    matches = rank_causes(yes("sens_ache", "overweight"))
    scores = [m.score for m in matches]
    assert scores == sorted(scores, reverse=True)
    assert len(matches) == 22
    assert "overweight" not in {m.id for m in matches}
    assert all(0 < m.score < 1 and not math.isnan(m.score) for m in matches)


@pytest.mark.parametrize(
    ("findings", "expected"),
    [
        (yes("overweight", "sedentary"), {"overweight", "sedentary_lifestyle"}),
        (yes("stress"), {"stress"}),
        (yes("worse_stress"), {"stress"}),
        (yes("static_stretching"), {"static_stretching"}),
        (yes("desk_job"), {"sedentary_lifestyle"}),
        (yes("sens_ache", "loc_low_back"), set()),
        (no("overweight", "stress"), set()),
    ],
)
def test_aggravating_factors_are_found_with_reasons(findings, expected):
    factors = find_aggravating_factors(findings)
    assert {f.id for f in factors} == expected
    for factor in factors:
        assert factor.reasons and factor.name


# ---------------------------------------------------------------- through the Assessor, from text
SHARED_TEXTS = [
    ("When I walk more than a few blocks my legs feel heavy and tingly; bending forward over the "
     "cart at the supermarket helps. I'm 74.", {"spinal_stenosis"}),
    ("Pain started after lifting my toddler. It shoots below my knee to the outside of my foot "
     "and gets worse when I sneeze.", {"herniated_disc", "true_sciatica"}),
    ("I'm a 31 year old man, stiff low back for a year, worst first thing in the morning and it "
     "loosens up once I get moving.", {"ankylosing_spondylitis"}),
    ("Ache in my bottom that gets worse the longer I sit at my desk, and sometimes tingling down "
     "the back of my thigh; my back is fine.", {"piriformis_syndrome"}),
    ("Every month in the days before my period my lower back aches deep inside.",
     {"endometriosis"}),
    ("Sore spot at the back of my pelvis on the right, worse going up stairs, started during "
     "pregnancy.", {"sacroiliac_joint_dysfunction"}),
]


@pytest.fixture(scope="module")
def assessor():
    from bot.assessment import Assessor

    flag = RedFlag("fever", "urgent", "a fever with back pain")
    return Assessor(triage=lambda findings: [flag] if any(
        f.id == "fever" and f.present for f in findings) else [])


@pytest.mark.parametrize(("text", "expected"), SHARED_TEXTS)
def test_shared_examples_from_text(assessor, text, expected):
    causes = [cause.id for cause in assessor.assess_text(text).causes[:3]]
    assert expected & set(causes), causes


def test_benign_text_keeps_sciatica_out_and_finds_no_red_flag(assessor):
    result = assessor.assess_text("My back aches but there's no pain in my legs, no numbness "
                                  "and no fever.")
    assert "true_sciatica" not in [cause.id for cause in result.causes[:3]]
    assert result.red_flags == []


def test_aggravating_factors_from_text(assessor):
    result = assessor.assess_text("I'm very overweight and spend all day on the sofa.")
    assert {f.id for f in result.aggravating_factors} == {"overweight", "sedentary_lifestyle"}


def test_assessor_combines_triage_causes_and_factors(assessor):
    result = assessor.assess_findings(yes("fever", "spread_below_knee", "overweight"))
    assert [flag.id for flag in result.red_flags] == ["fever"]
    assert result.causes[0].id == "true_sciatica"
    assert result.causes[0].score == round(result.causes[0].score, 3)
    assert len(result.causes) <= 5 and all(cause.reasons for cause in result.causes)
    assert [factor.id for factor in result.aggravating_factors] == ["overweight"]
    assert result.to_dict()["findings"][0]["id"] == "fever"


def test_assessor_lists_no_cause_without_a_reason(assessor):
    assert assessor.assess_findings([]).causes == []
