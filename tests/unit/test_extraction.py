"""Findings extraction from free text: phrasings, negation, other people, misspellings, values."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import yaml
from spacy.schemas import validate_token_pattern

from bot.extraction import (
    FindingExtractor,
    PatternError,
    PhraseCompiler,
    extract_findings,
    load_patterns,
)
from bot.knowledge import load_knowledge_base
from bot.model import Finding
from bot.vocabulary import load_vocabulary

ROOT = Path(__file__).resolve().parents[2]


def found(text: str) -> dict[str, Finding]:
    """Findings of `text` by id."""
    return {finding.id: finding for finding in extract_findings(text)}


def present(text: str) -> set[str]:
    return {fid for fid, finding in found(text).items() if finding.present}


def denied(text: str) -> set[str]:
    return {fid for fid, finding in found(text).items() if not finding.present}


# Two lay phrasings for every finding that can be said in words (age and sex: see below).
EXAMPLES: dict[str, list[str]] = {
    "loc_low_back": ["my lower back hurts", "pain in the small of my back"],
    "loc_central": ["it hurts right in the middle of my back", "the pain is over the spine"],
    "loc_beside_spine": ["the muscles next to my spine ache",
                         "a band of pain either side of my spine"],
    "loc_buttock": ["my bum hurts", "pain in my left buttock"],
    "loc_sacroiliac": ["sore over the dimple at the back of my pelvis", "pain below the belt line"],
    "loc_groin": ["I have pain in my groin", "my groin aches"],
    "loc_hip_front": ["ache at the front of my hip", "my hip flexor is sore"],
    "loc_flank": ["pain in my side under the ribs", "my flank hurts"],
    "loc_upper_belly": ["pain in the upper belly going through to my back",
                        "upper stomach pain boring through to my back"],
    "loc_pelvis_deep": ["a deep pelvic pain", "deep ache low in my pelvis"],
    "loc_widespread": ["I hurt everywhere", "my whole body aches"],
    "loc_small_joints": ["my knuckles and wrists are painful", "the small joints in my hands hurt"],
    "point_with_finger": ["I can point to it with one finger", "it is in one spot"],
    "tender_knot": ["there's a tender knot in the muscle",
                    "pressing the trigger point sets off my pain"],
    "side_one": ["only on the left side", "it is on one side"],
    "side_both": ["it hurts on both sides", "pain either side"],
    "side_alternating": ["the buttock pain switches sides", "it alternates from side to side"],
    "spread_buttock": ["it spreads into my buttock", "the pain goes down into my bum"],
    "spread_thigh": ["the pain goes down my leg", "I have pain in my thigh"],
    "spread_thigh_back": ["it runs down the back of my thigh", "my hamstring hurts too"],
    "spread_thigh_front": ["it goes down the front of my thigh", "pain at the front of the thigh"],
    "spread_below_knee": ["it shoots below the knee", "pain in my calf"],
    "spread_foot": ["it goes all the way into my foot", "my toes hurt"],
    "spread_groin": ["the pain spreads to my groin", "it goes down to the groin"],
    "leg_pain_dominant": ["my leg pain is worse than my back", "the leg hurts more than my back"],
    "no_leg_pain": ["no leg pain", "nothing goes down my legs"],
    "sens_shooting": ["a shooting pain", "it zaps like an electric shock"],
    "sens_burning": ["a burning feeling", "it feels like it is on fire"],
    "sens_numbness": ["my leg is numb", "some numbness in my thigh"],
    "numb_patch": ["a numb patch on my outer thigh", "a patch of skin that burns"],
    "sens_tingling": ["tingling in my calf", "pins and needles in my foot"],
    "sens_stiffness": ["my back is stiff", "a lot of stiffness"],
    "sens_ache": ["a dull ache", "it aches"],
    "sens_sharp": ["a sharp pain", "a stabbing pain in my back"],
    "sens_heaviness": ["my legs feel heavy", "heaviness in my leg"],
    "sens_tightness": ["my back muscles are tight", "constant tension in my back"],
    "sens_throbbing": ["a throbbing pain", "it throbs"],
    "sens_colicky": ["pain that comes in waves", "colicky pain in my side"],
    "sens_grinding": ["my back grinds when I move", "it creaks and crunches"],
    "sens_tender_all_over": ["I'm tender all over", "even a hug hurts"],
    "cannot_relax_muscles": ["I can't relax my back muscles", "the muscles never relax"],
    "step_in_spine": ["I can feel a step in my spine", "there's a dip in my spine"],
    "pop_at_onset": ["I felt a pop when it started", "something snapped"],
    "worse_tight_clothing": ["worse when I wear a tight belt", "my tool belt makes it worse"],
    "worse_sitting": ["it hurts when I sit", "worse after sitting for long"],
    "worse_standing": ["it gets worse when I stand for long", "standing in a queue is bad"],
    "worse_walking": ["walking makes it worse", "I can't walk far"],
    "worse_bending_forward": ["it hurts to bend forward", "bending over makes it worse"],
    "worse_arching_back": ["it hurts when I lean back", "arching my back is painful"],
    "worse_cough_sneeze": ["worse when I cough", "sneezing sets it off"],
    "worse_lying_down": ["it is worse when I lie down", "lying flat hurts"],
    "worse_rest": ["resting makes it worse", "it is worse after rest"],
    "worse_activity": ["it is worse after exercise", "worse after training"],
    "worse_stairs": ["worse going up stairs", "climbing stairs hurts"],
    "worse_sit_to_stand": ["getting up from a chair hurts", "it's bad when I get out of the car"],
    "worse_turning_in_bed": ["turning over in bed hurts", "rolling over in bed is painful"],
    "worse_straightening_up": ["I can't straighten up after sitting", "hard to stand up straight"],
    "worse_lifting": ["lifting makes it worse", "it hurts when I lift things"],
    "worse_twisting": ["twisting hurts", "worse when I turn around"],
    "worse_long_strides": ["walking with long strides hurts", "taking big steps pulls"],
    "worse_pressing_muscle": ["it hurts when I press on it", "pressing the muscle hurts"],
    "worse_holding_still": ["worse when I stay in one position", "holding the same posture hurts"],
    "worse_end_of_day": ["worse by the end of the day", "it's bad by the evening"],
    "worse_meals": ["worse after meals", "it hurts after eating"],
    "worse_sex_or_bowel": ["sex is painful", "it hurts when I poo"],
    "worse_crossing_legs": ["worse when I cross my legs", "sitting on my wallet hurts"],
    "worse_stress": ["worse when I'm stressed", "stress makes it worse"],
    "worse_poor_sleep": ["worse after a bad night", "it's bad when I sleep badly"],
    "better_sitting": ["it is better when I sit down", "sitting helps"],
    "better_bending_forward": ["bending forward over the cart helps",
                               "leaning on a shopping trolley helps"],
    "better_lying_down": ["lying down helps", "better when I lie down"],
    "better_rest": ["rest helps", "it goes away with rest"],
    "better_movement": ["it loosens up once I get moving", "exercise makes it better"],
    "better_walking": ["walking makes it better", "it eases after a walk"],
    "better_changing_position": ["changing position helps", "it helps to shift positions"],
    "better_heat_massage": ["heat helps", "a massage eases it"],
    "better_stretching": ["stretching helps", "gentle stretches make it better"],
    "better_curled_up": ["better curled up on my side", "I'm only comfy with my knees bent"],
    "better_arching_back": ["arching my back makes it better", "leaning back helps"],
    "no_position_helps": ["no position helps", "nothing eases it"],
    "morning_stiffness": ["stiff in the morning", "it's worst first thing in the morning"],
    "morning_stiffness_long": ["stiff for an hour every morning",
                               "morning stiffness lasts 45 minutes"],
    "night_pain": ["it hurts at night", "the pain wakes me up"],
    "wakes_second_half_night": ["it wakes me at 4am", "I wake in the early hours with pain"],
    "with_periods": ["it gets worse before my period", "it follows my menstrual cycle"],
    "getting_worse": ["it keeps getting worse", "worse and worse every week"],
    "sudden_onset": ["it came on suddenly", "it started out of nowhere"],
    "duration_acute": ["my back has hurt for 3 weeks", "back pain for ten days"],
    "duration_chronic": ["my back has hurt for a year", "back pain for six months"],
    "onset_age": ["it started when I was 35", "since I was 24"],
    "builds_through_day": ["it builds up through the day", "it gets worse as the day goes on"],
    "pregnancy": ["it started during pregnancy", "I'm pregnant"],
    "athlete": ["I'm a runner", "I do gymnastics"],
    "desk_job": ["I have a desk job", "I sit at a computer all day"],
    "scans_normal": ["my scans came back normal", "the MRI was clear"],
    "scan_slipped_vertebra": ["the x-ray showed a slipped vertebra", "I have spondylolisthesis"],
    "curve_seen": ["I have scoliosis", "my shoulders are uneven"],
    "pelvis_or_leg_length": ["one leg is shorter", "I was told my pelvis is twisted"],
    "lifting_onset": ["it started after lifting my toddler", "I hurt it moving furniture"],
    "trauma_minor": ["I slipped on the ice", "I tripped over the dog"],
    "fall_on_buttock": ["I fell on my bum", "I landed on my tailbone"],
    "cancer_history": ["I had breast cancer", "history of prostate cancer"],
    "steroid_use": ["I take prednisolone", "I've been on steroids for years"],
    "osteoporosis": ["I have osteoporosis", "I have thin bones"],
    "weight_loss": ["I've lost weight without trying", "unexplained weight loss"],
    "immunosuppressed": ["I'm on chemotherapy", "I have a weak immune system"],
    "iv_drug_use": ["I inject drugs", "I use heroin"],
    "recent_infection": ["I had a kidney infection last week", "I have an infected wound"],
    "inflammatory_history": ["I have psoriasis", "I had iritis last year"],
    "family_history_inflammatory": ["my uncle has ankylosing spondylitis", "my dad has AS"],
    "other_joints_arthritic": ["I have arthritis in my knees", "my hips are arthritic"],
    "kidney_stones_history": ["I've had kidney stones before", "I passed a kidney stone last year"],
    "alcohol_heavy": ["I drink a lot", "I'm a heavy drinker"],
    "overweight": ["I'm overweight", "my BMI is 34"],
    "sedentary": ["I never exercise", "I'm a couch potato"],
    "stress": ["I'm very stressed", "work is stressful"],
    "poor_posture": ["I slouch at my desk all day", "my posture is terrible"],
    "static_stretching": ["I've been forcing deep stretches", "I push into long yoga holds"],
    "cannot_touch_toes": ["I can't touch my toes", "my hamstrings are tight"],
    "fatigue": ["I'm exhausted all the time", "constant fatigue"],
    "unrefreshing_sleep": ["I wake up tired", "my sleep doesn't refresh me"],
    "poor_concentration": ["I can't concentrate", "brain fog"],
    "nausea": ["I feel sick", "nausea with it"],
    "urinary_symptoms": ["it burns when I pee", "there is blood in my urine"],
    "swollen_joints": ["my joints are swollen", "my fingers are puffy"],
    "saddle_numbness": ["I can't feel my bottom", "numbness around my genitals"],
    "bladder_dysfunction": ["I haven't been able to pee", "I wet myself"],
    "bowel_incontinence": ["I lost control of my bowels", "I had an accident with my bowels"],
    "sexual_dysfunction": ["I can't get an erection", "loss of feeling during sex"],
    "bilateral_leg_symptoms": ["both my legs are numb", "pain shooting down both legs"],
    "leg_weakness": ["my leg feels weak", "my left leg keeps giving way"],
    "severe_weakness": ["my leg is getting weaker by the hour", "my legs keep collapsing under me"],
    "leg_numbness_spreading": ["the numbness is spreading down my leg", "I can't feel my left leg"],
    "difficulty_walking": ["I can barely walk", "I'm hobbling around"],
    "systemically_unwell": ["I feel really unwell", "I feel like I have the flu"],
    "pregnancy_bleeding": ["I'm 20 weeks pregnant and bleeding", "some vaginal bleeding"],
    "thoracic_pain": ["pain between my shoulder blades", "my mid back hurts"],
    "first_episode": ["I've never had back pain before", "this is the first time my back has hurt"],
    "aneurysm_known": ["I have an aortic aneurysm", "they are watching my triple A"],
    "smoker": ["I smoke 20 a day", "I'm a smoker"],
    "spinal_procedure": ["I had back surgery last month",
                         "I had an epidural injection in my spine"],
    "foot_drop": ["I have foot drop", "my foot drags when I walk"],
    "trauma_major": ["I was in a car crash", "I fell off a ladder"],
    "chest_pain": ["I have chest pain", "my chest feels tight"],
    "tearing_pain": ["a sudden tearing pain", "a ripping pain in my back"],
    "fainting": ["I fainted", "I almost passed out"],
    "pulsating_abdomen": ["a lump in my belly that pulses", "a pulsing lump in my tummy"],
    "fever": ["I have a fever", "chills and shivering"],
    "night_pain_unrelieved": ["pain at night and no position helps",
                              "it keeps me up at night no matter how I lie"],
    # the screen's combined answers, stated by any of their parts
    "bladder_or_bowel_change": ["I wet myself without noticing", "I lost control of my bowels"],
    "fever_or_unwell": ["I have a fever", "I feel really unwell"],
    "cancer_or_weight_loss": ["I had breast cancer", "I have lost weight without trying"],
    "immune_or_drugs": ["I inject heroin", "I am on chemotherapy"],
}
VALUE_ONLY = {"age", "sex"}
# a bare "yes" to a screen question: an answer, never read from a description
ANSWER_ONLY = {"screen_yes_emergency", "screen_yes_other"}


def test_every_finding_in_the_vocabulary_has_examples() -> None:
    derived = {rule.id for rule in load_knowledge_base().derived}  # worked out, not read
    missing = set(load_vocabulary()) - set(EXAMPLES) - VALUE_ONLY - ANSWER_ONLY - derived
    assert not missing, f"findings without an example phrasing: {sorted(missing)}"
    assert all(len(phrases) >= 2 for phrases in EXAMPLES.values())


@pytest.mark.parametrize(
    ("fid", "text"), [(fid, text) for fid, texts in EXAMPLES.items() for text in texts]
)
def test_each_finding_is_read_from_lay_words(fid: str, text: str) -> None:
    assert fid in present(text), f"{fid!r} not found in {text!r}: {extract_findings(text)}"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("my butt hurts when I sit and it zaps down my leg",
         {"loc_buttock", "worse_sitting", "sens_shooting", "spread_thigh"}),
        ("I can't feel anything when I wipe and I haven't been able to pee since this morning.",
         {"saddle_numbness", "bladder_dysfunction"}),
        ("When I walk more than a few blocks my legs feel heavy and tingly; bending forward over "
         "the cart at the supermarket helps. I'm 74.",
         {"worse_walking", "sens_heaviness", "sens_tingling", "better_bending_forward", "age",
          "side_both", "bilateral_leg_symptoms"}),
        ("I'm a 31 year old man, stiff low back for a year, worst first thing in the morning and "
         "it loosens up once I get moving.",
         {"age", "sex", "loc_low_back", "morning_stiffness", "better_movement",
          "duration_chronic"}),
        ("Pain started after lifting my toddler. It shoots below my knee to the outside of my "
         "foot and gets worse when I sneeze.",
         {"lifting_onset", "sens_shooting", "spread_below_knee", "spread_foot", "spread_thigh",
          "worse_cough_sneeze"}),
        ("Every month in the days before my period my lower back aches deep inside.",
         {"with_periods", "loc_low_back", "sens_ache", "loc_pelvis_deep"}),
        ("Sore spot at the back of my pelvis on the right, worse going up stairs, started during "
         "pregnancy.", {"loc_sacroiliac", "side_one", "worse_stairs", "pregnancy"}),
        ("pain in both legs", {"side_both", "bilateral_leg_symptoms", "spread_thigh"}),
    ],
)
def test_whole_descriptions(text: str, expected: set[str]) -> None:
    assert expected <= present(text), extract_findings(text)


# --------------------------------------------------------------------------- negation


@pytest.mark.parametrize(
    ("text", "fid"),
    [
        ("no numbness", "sens_numbness"),
        ("I don't have a fever", "fever"),
        ("No fever or chills", "fever"),
        ("not numb anywhere", "sens_numbness"),
        ("It never goes below the knee.", "spread_below_knee"),
        ("I haven't lost weight", "weight_loss"),
        ("no bladder problems", "bladder_dysfunction"),
        ("no numbness around my bottom", "saddle_numbness"),
        ("my bladder is fine", "bladder_dysfunction"),
        ("no pins and needles", "sens_tingling"),
        ("not worse when I cough", "worse_cough_sneeze"),
        ("lying down doesn't help", "better_lying_down"),
        ("Changing position doesn't help at all", "better_changing_position"),
        ("heat makes no difference", "better_heat_massage"),
        ("no chest pain, no shortness of breath", "chest_pain"),
        ("There is no weakness in my legs", "leg_weakness"),
        ("no history of cancer", "cancer_history"),
        ("no trouble with sex or the toilet", "sexual_dysfunction"),
        ("I've never had cancer", "cancer_history"),
        ("I don't have any numbness or tingling", "sens_tingling"),
    ],
)
def test_denials_are_read_as_denied(text: str, fid: str) -> None:
    result = found(text)
    assert fid in result and not result[fid].present, result


@pytest.mark.parametrize(
    ("text", "fid"),
    [
        ("I can't feel my bottom", "saddle_numbness"),
        ("I cannot feel my bum properly", "saddle_numbness"),
        ("I can't pass urine", "bladder_dysfunction"),
        ("I can't walk far before my legs go heavy", "worse_walking"),
        ("I can't lift my foot", "foot_drop"),
        ("I'm not sure, but I think I have a fever", "fever"),
        ("It's not just my back, I hurt everywhere", "loc_widespread"),
        ("I lost weight without trying", "weight_loss"),
        ("nothing helps", "no_position_helps"),
        ("suddenly erectile problems, never had them before", "sexual_dysfunction"),
    ],
)
def test_words_that_look_negative_still_state_a_finding(text: str, fid: str) -> None:
    assert fid in present(text), extract_findings(text)


def test_denial_stops_at_a_clause_break() -> None:
    result = found("No fever, but my legs are numb and weak")
    assert not result["fever"].present
    assert result["sens_numbness"].present
    assert result["leg_weakness"].present


def test_denial_list_covers_each_item() -> None:
    assert {"fever", "sens_numbness", "bladder_dysfunction"} <= denied(
        "no fever, no numbness, no bladder problems")


# --------------------------------------------------------------------------- other people


@pytest.mark.parametrize(
    ("text", "not_expected"),
    [
        ("my dad had a slipped disc", {"scan_slipped_vertebra", "trauma_minor"}),
        ("My mum had cancer", {"cancer_history"}),
        ("My friend fell from a ladder last year and hurt her back.", {"trauma_major"}),
        ("my uncle had kidney stones", {"kidney_stones_history"}),
        ("My wife has endometriosis and her periods are painful", {"with_periods"}),
        ("my husband says I snore", {"sex"}),
        ("walk bent over like an old man", {"sex"}),
        ("My sister has fibromyalgia", {"loc_widespread", "fatigue"}),
        ("my grandmother had rheumatoid arthritis", {"other_joints_arthritic"}),
    ],
)
def test_other_peoples_history_is_not_the_persons(text: str, not_expected: set[str]) -> None:
    assert not (not_expected & set(found(text))), extract_findings(text)


def test_a_relatives_inflammatory_disease_is_family_history() -> None:
    assert "family_history_inflammatory" in present("My brother has psoriasis")
    assert "inflammatory_history" not in found("My brother has psoriasis")


def test_the_person_speaks_again_after_a_relative() -> None:
    result = found("My mum had a slipped disc in her forties. Mine started two weeks ago. I'm 29.")
    assert result["age"].value == 29
    assert result["duration_acute"].present


@pytest.mark.parametrize(
    ("text", "expected", "age", "sex"),
    [
        ("Writing this for my son; he's 17 and his lower back aches after rugby.",
         {"loc_low_back", "athlete"}, 17, "male"),
        ("Asking on behalf of my daughter, she is 12. Her low back hurts when she arches "
         "backwards.",
         {"loc_low_back", "worse_arching_back"}, 12, "female"),
        ("Typing for my mum who can't use a phone: she's 84 and can't feel her bottom when she "
         "wipes.", {"saddle_numbness"}, 84, "female"),
    ],
)
def test_someone_writing_for_a_relative_describes_that_person(
    text: str, expected: set[str], age: int, sex: str
) -> None:
    result = found(text)
    assert expected <= {fid for fid, f in result.items() if f.present}, extract_findings(text)
    assert result["age"].value == age
    assert result["sex"].value == sex


def test_a_plain_back_names_no_part_of_it_but_still_says_whose_pain_it_is() -> None:
    assert "loc_low_back" not in found("my back hurts when I bend")
    assert "loc_low_back" in found("it hurts low in my back when I bend")
    result = found("My husband has a bad back and since yesterday he can't pee")
    assert result["bladder_dysfunction"].present


def test_writing_for_a_child_still_excludes_other_relatives() -> None:
    result = found("Typing for my son, he's 15. His grandad had cancer. His lower back hurts.")
    assert "cancer_history" not in result
    assert result["age"].value == 15
    assert "loc_low_back" in result


@pytest.mark.parametrize("text", ["My son is 15 and my back hurts.", "My dad is 80, he's 80.",
                                  "my husband has back pain too, he's 55"])
def test_a_relatives_age_is_not_the_persons_without_a_proxy_phrase(text: str) -> None:
    assert "age" not in found(text) or found(text)["age"].value not in (15, 80, 55)


def test_a_relative_says_something_about_the_person() -> None:
    assert "foot_drop" in present("my husband says my foot drags when I walk")


def test_hypothetical_findings_are_dropped() -> None:
    assert "cancer_history" not in found("I'm worried it might be cancer")
    assert "kidney_stones_history" not in found("could it be kidney stones?")
    assert "fever" not in found("what if I get a fever?")


def test_a_worry_about_a_red_flag_symptom_still_counts() -> None:
    assert "saddle_numbness" in present("I'm worried about the numbness round my bottom")


# --------------------------------------------------------------------------- misspellings


@pytest.mark.parametrize(
    ("text", "fid"),
    [
        ("my sciatca is bad", "spread_thigh"),
        ("numbnes in my foot", "sens_numbness"),
        ("tinglling down my leg", "sens_tingling"),
        ("my buttocks hurt", "loc_buttock"),
        ("my bum hurts", "loc_buttock"),
        ("my butt hurts", "loc_buttock"),
        ("pain in my backside", "loc_buttock"),
        ("my butocks ache", "loc_buttock"),
        ("arthritus in my hip", "other_joints_arthritic"),
        ("stiff in the morings", "morning_stiffness"),
        ("my musles are tight", "sens_tightness"),
        ("swolen joints", "swollen_joints"),
        ("shootng pain", "sens_shooting"),
        ("lower bak hurts after footbal", "loc_low_back"),
        ("no numness no tingles", "sens_numbness"),
        ("I have a feverr", "fever"),
        ("osteoporossis", "osteoporosis"),
    ],
)
def test_common_misspellings_still_count(text: str, fid: str) -> None:
    assert fid in found(text), extract_findings(text)


def test_fuzzy_matching_leaves_real_words_alone() -> None:
    assert "worse_walking" not in found("talking about it")
    assert not found("I rode a horse on holiday")


# --------------------------------------------------------------------------- values


@pytest.mark.parametrize(
    ("text", "age"),
    [
        ("I'm 74", 74), ("31 year old", 31), ("I am 45", 45), ("78 yo, legs tired", 78),
        ("aged 70, central low back ache", 70), ("in my sixties", 65), ("in my early thirties", 35),
        ("a 62-year-old woman", 62), ("33M, back stiff", 33), ("F 29. low back pain", 29),
        ("71F. stiff achy low back", 71), ("I'm a ballet dancer, 24. Pain in my hip", 24),
        ("16, diver. Pain low in my back", 16), ("im 81, cant walk far", 81),
    ],
)
def test_age(text: str, age: int) -> None:
    result = found(text)
    assert result["age"].value == age, extract_findings(text)


@pytest.mark.parametrize(
    "text", ["I'm 5 weeks pregnant", "stiff for 10 minutes", "it woke me at 3am", "I lost 8kg"]
)
def test_numbers_that_are_not_ages(text: str) -> None:
    assert "age" not in found(text)


@pytest.mark.parametrize(
    ("text", "sex"),
    [
        ("I'm a 31 year old man", "male"), ("62-year-old woman", "female"), ("33M", "male"),
        ("56F", "female"), ("I am female", "female"), ("25 yr old guy", "male"),
        ("I'm pregnant", "female"),
    ],
)
def test_sex(text: str, sex: str) -> None:
    assert found(text)["sex"].value == sex


@pytest.mark.parametrize(
    "text", ["my husband says it's my posture", "my wife thinks I sit too much",
             "I walk like an old man"]
)
def test_other_peoples_sex_is_not_the_persons(text: str) -> None:
    assert "sex" not in found(text)


@pytest.mark.parametrize(
    ("text", "minutes", "long"),
    [
        ("stiff for an hour every morning", 60, True),
        ("morning stiffness 1-2 hrs", 120, True),
        ("stiff for about 15 minutes when I get up in the morning", 15, False),
        ("very stiff in the mornings for over an hour", 61, True),
        ("morning stiffness for half an hour", 30, False),
    ],
)
def test_morning_stiffness_minutes(text: str, minutes: int, long: bool) -> None:
    result = found(text)
    assert result["morning_stiffness"].value == minutes
    assert result["morning_stiffness_long"].present is long


@pytest.mark.parametrize(
    ("text", "chronic"),
    [
        ("back pain for a year", True), ("my back hurt for 3 weeks", False),
        ("for six months now", True), ("started two days ago", False),
        ("it has been going on for years", True), ("lower back ache for three days", False),
    ],
)
def test_duration(text: str, chronic: bool) -> None:
    result = found(text)
    assert result["duration_chronic"].present is chronic
    assert result["duration_acute"].present is not chronic


def test_onset_age() -> None:
    assert found("It started when I was 35")["onset_age"].value == 35
    assert "age" not in found("It started when I was 35")


@pytest.mark.parametrize(
    "text",
    ["my fingertips won't go past my knees", "my hands only reach to my shins when I bend",
     "I can only get down to my knees, nowhere near the floor"],
)
def test_reaching_the_knees_or_shins_is_stiffness_not_leg_pain(text: str) -> None:
    result = present(text)
    assert not result & {"spread_below_knee", "spread_foot", "bilateral_leg_symptoms",
                         "loc_small_joints"}, extract_findings(text)


@pytest.mark.parametrize(
    "text", ["the physio put a raise in my shoe because one leg is 1cm shorter than the other",
             "I wear a heel lift in my left trainer"],
)
def test_a_heel_lift_is_leg_length_not_foot_pain(text: str) -> None:
    result = present(text)
    assert "pelvis_or_leg_length" in result, extract_findings(text)
    assert not result & {"spread_foot", "lifting_onset"}, extract_findings(text)


@pytest.mark.parametrize(
    "text", ["I spend my evenings hunched over a laptop", "my posture is shocking",
             "I sit slouched at my desk for hours"],
)
def test_hunching_is_posture_not_trouble_straightening_up(text: str) -> None:
    result = present(text)
    assert "poor_posture" in result, extract_findings(text)
    assert "worse_straightening_up" not in result


def test_hunched_over_after_getting_up_is_trouble_straightening() -> None:
    text = "I stay hunched over for a few minutes after I get up"
    assert "worse_straightening_up" in present(text)


@pytest.mark.parametrize(
    "text", ["stiff when I get up, but it's gone in less than half an hour",
             "morning stiffness under 20 minutes"],
)
def test_short_morning_stiffness_is_not_long(text: str) -> None:
    result = found(text)
    assert result["morning_stiffness"].value < 30
    assert result["morning_stiffness_long"].present is False


def test_both_feet_numb_is_both_legs_but_aching_feet_are_not() -> None:
    assert "bilateral_leg_symptoms" in present("both of my feet are tingling")
    assert "bilateral_leg_symptoms" not in present("my feet ache after a long shift")
    assert "bilateral_leg_symptoms" not in present("on my feet all day, my left leg is numb")


@pytest.mark.parametrize(
    ("text", "fid"),
    [("I came over light-headed", "fainting"), ("a knife-like pain", "sens_sharp"),
     ("it's one-sided", "side_one"), ("we were in a pile-up", "trauma_major")],
)
def test_hyphenated_phrases_match_the_split_tokens(text: str, fid: str) -> None:
    assert fid in present(text), extract_findings(text)


def test_below_the_knee_implies_the_thigh() -> None:
    assert {"spread_below_knee", "spread_thigh"} <= present("pain below my knee")


def test_one_leg_is_not_both_legs() -> None:
    result = found("pain down my left leg")
    assert "bilateral_leg_symptoms" not in result
    assert result["side_one"].present


# --------------------------------------------------------------------------- contract


def test_evidence_is_the_matched_text() -> None:
    text = "My butt hurts when I sit and it zaps down my leg"
    for finding in extract_findings(text):
        assert finding.evidence and finding.evidence in text


def test_ids_are_all_from_the_vocabulary() -> None:
    vocabulary = load_vocabulary()
    text = ("I'm 52, stiff for an hour in the morning, pain down both legs at night, no fever, "
            "worse sitting, better walking, for 4 months, my dad had cancer")
    assert {finding.id for finding in extract_findings(text)} <= set(vocabulary)


def test_empty_text() -> None:
    assert extract_findings("") == []
    assert extract_findings("   ") == []


def test_every_compiled_pattern_is_valid_for_spacy() -> None:
    patterns = load_patterns()
    phrases = [
        phrase
        for entry in [*patterns.findings, *patterns.context]
        for key in ("phrases", "denied")
        for phrase in entry.get(key) or []
    ]
    compiler = PhraseCompiler(patterns, phrases)
    for phrase in phrases:
        assert not validate_token_pattern(compiler.compile(phrase)), phrase


def test_loading_is_fast_and_extraction_takes_milliseconds() -> None:
    start = time.perf_counter()
    extractor = FindingExtractor()
    load = time.perf_counter() - start
    assert load < 3.0, f"loading took {load:.2f} s"
    text = ("I'm a 31 year old man, stiff low back for a year, worst first thing in the morning "
            "and it loosens up once I get moving. No numbness, no fever.")
    extractor.extract(text)
    start = time.perf_counter()
    for _ in range(20):
        extractor.extract(text)
    each = (time.perf_counter() - start) / 20
    assert each < 0.05, f"one description took {each * 1000:.1f} ms"


def test_a_malformed_pattern_file_names_the_entry_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "finding_patterns.yml"
    bad.write_text(
        "macros: {}\nfindings:\n  - id: not_a_finding\n    phrases: [hello]\n", encoding="utf-8"
    )
    with pytest.raises(PatternError, match=r"not_a_finding.*'id'"):
        load_patterns(bad)
    bad.write_text("macros: {}\nfindings:\n  - id: fever\n    phrases: fever\n", encoding="utf-8")
    with pytest.raises(PatternError, match=r"fever.*'phrases'"):
        load_patterns(bad)


def test_the_anchored_matcher_reads_every_text_as_a_plain_spacy_matcher_would() -> None:
    """Every vignette and NLU example: the same matches as spaCy's Matcher over all the rules,
    and the same findings as with that Matcher (ties between identical spans included)."""
    from rasa.shared.nlu.training_data.loading import load_data
    from spacy.matcher import Matcher

    from bot.extraction import AnchoredMatcher, FindingExtractor

    texts = [
        str(case["text"])
        for name in ("vignettes.yml", "vignettes_heldout.yml", "vignettes_lay.yml")
        for case in yaml.safe_load((ROOT / "bench" / name).read_text())["cases"]
    ]
    for name in ("data/nlu_red_flags.yml", "tests/nlu_test.yml"):
        texts += [example.get("text") for example in load_data(str(ROOT / name)).intent_examples]
    anchored = FindingExtractor()
    plain = FindingExtractor()
    target = plain.nlp.get_pipe("medspacy_target_matcher")
    inner = target._TargetMatcher__matcher
    assert isinstance(inner._MedspacyMatcher__matcher, AnchoredMatcher)
    spacy_matcher = Matcher(plain.nlp.vocab, validate=False)
    for rule in target.rules:
        spacy_matcher.add(rule._rule_id, [rule.pattern])
    inner._MedspacyMatcher__matcher = spacy_matcher

    prepare = anchored.nlp.pipeline[:2]  # sentences and NORM, as the matcher sees the text
    matcher = anchored.nlp.get_pipe("medspacy_target_matcher")._TargetMatcher__matcher
    for text in texts:
        doc = anchored.nlp.make_doc(text)
        for _, step in prepare:
            doc = step(doc)
        ours = matcher._MedspacyMatcher__matcher(doc)
        assert set(ours) == set(spacy_matcher(doc)), text
        assert anchored.extract(text) == plain.extract(text), text
    assert len(texts) > 700


def test_pain_by_the_end_of_every_day_is_worse_at_the_end_of_the_day() -> None:
    assert "worse_end_of_day" in present("my lower back aches by the end of every day")


def test_moving_around_is_moving_about_and_fidgeting_in_a_chair_is_a_change_of_position() -> None:
    assert "better_movement" in present("it eases if I'm moving around")
    assert "better_changing_position" not in present("it eases if I'm moving around")
    assert "better_changing_position" in present("moving around in my chair helps")


def test_the_relative_the_writer_lifted_does_not_take_the_rest_of_the_story() -> None:
    result = found("my lower back went when i picked up my toddler 2 days ago, sharp on the left, "
                   "nothing down the legs")
    assert {"sens_sharp", "side_one", "no_leg_pain", "duration_acute"} <= set(result)
