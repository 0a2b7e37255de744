"""The questions people ask next, answered from what they said (bot/followups.py), and the
English-only check (bot/language.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.followups import KINDS, SelfCareError, cue_kind, load_self_care
from bot.interview import Engine, Interview, Said, State
from bot.knowledge import load_knowledge_base
from bot.language import language_of
from bot.triage import load_rules


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.load()


def screened(engine: Engine, opening: str) -> Interview:
    """An interview after `opening` and "no" to both warning-sign questions."""
    interview = engine.interview(State())
    interview.describe(opening)
    for _ in range(2):
        interview.ask()
        interview.reply(Said("no", "deny"))
    return interview


def said(interview: Interview, intent: str) -> str:
    return "\n".join(m.text for m in interview.followup(intent))


STRAIN = "I lifted a heavy box yesterday and my lower back went, sharp pain, no leg pain"


def test_what_can_i_do_gives_guideline_advice_with_its_support_and_the_causes_own(
    engine: Engine,
) -> None:
    text = said(screened(engine, STRAIN), "ask_self_care")
    assert "Keep moving" in text and "bed rest" in text
    assert "(well supported by research)" in text and "(little research either way)" in text
    assert "strained muscle" in text  # advice for the cause shown first


def test_after_a_warning_what_can_i_do_explains_it_and_lists_no_exercises(engine: Engine) -> None:
    interview = engine.interview(State())
    interview.warn("I can't feel anything when I wipe")
    text = said(interview, "ask_self_care")
    assert "Cauda equina" in text and "emergency" in text.lower()
    assert "Exercise" not in text and "stretch" not in text.lower()
    assert "Cauda equina" in said(interview, "ask_warning")


def test_is_it_serious_answers_from_the_screen_and_the_warnings(engine: Engine) -> None:
    assert "Nothing you have told me is a warning sign" in said(
        screened(engine, STRAIN), "ask_serious")
    unscreened = engine.interview(State())
    unscreened.describe(STRAIN)
    assert "haven't asked you about the warning signs" in said(unscreened, "ask_serious")
    older = screened(engine, "I've lost weight without trying and my back aches at night")
    assert "within the next few days" in said(older, "ask_serious")


def test_how_long_follows_how_long_it_has_lasted(engine: Engine) -> None:
    recent = screened(engine, "my lower back has hurt for three days since I lifted a box")
    assert "much better within six weeks" in said(recent, "ask_course")
    chronic = screened(engine, "my lower back has ached for two years, worse in the evening")
    assert "more than three months can still improve" in said(chronic, "ask_course")


def test_scans_painkillers_activity_and_whom_to_see_say_what_guidance_says(
    engine: Engine,
) -> None:
    interview = screened(engine, STRAIN)
    assert "not usually needed" in said(interview, "ask_imaging")
    painkillers = said(interview, "ask_painkillers")
    assert "Paracetamol on its own is not recommended" in painkillers
    assert "pharmacist" in painkillers
    assert "keep working" in said(interview, "ask_activity")
    whom = said(interview, "ask_whom_to_see")
    assert "GP or a physiotherapist" in whom and "emergency department" in whom


def test_a_slipped_vertebra_in_the_results_tailors_the_activity_answer(engine: Engine) -> None:
    interview = screened(engine, "I'm 15 and do gymnastics, my low back hurts when I arch "
                                 "backwards doing walkovers and it eases when I curl forward")
    assert "arch the back" in said(interview, "ask_activity")


def test_every_follow_up_intent_has_an_answer_and_a_rule(engine: Engine) -> None:
    rules = Path(__file__).resolve().parents[2] / "data" / "rules.yml"
    text = rules.read_text(encoding="utf-8")
    for intent in KINDS:
        assert said(screened(engine, STRAIN), intent).strip(), intent
        assert f"intent: {intent}\n" in text, intent


def test_every_warning_condition_explains_real_rules_and_every_alarm_is_explained() -> None:
    kb = load_knowledge_base()
    rules = {rule.id: rule.urgency for rule in load_rules()}
    explained = {flag for condition in kb.conditions.values() for flag in condition.flags}
    assert explained <= set(rules)
    emergencies = {rid for rid, urgency in rules.items() if urgency == "emergency"}
    assert emergencies <= explained


def test_a_malformed_self_care_file_names_its_field(tmp_path: Path) -> None:
    data = yaml.safe_load((Path(__file__).resolve().parents[2] / "bot" / "data" /
                           "self_care.yml").read_text(encoding="utf-8"))
    data["self_care"]["general"][0]["support"] = "excellent"
    path = tmp_path / "self_care.yml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    load_self_care.cache_clear()
    try:
        with pytest.raises(SelfCareError, match="general #0"):
            load_self_care(path)
    finally:
        load_self_care.cache_clear()


@pytest.mark.parametrize("text", [
    "me duele mucho la espalda desde hace una semana",
    "j'ai mal au dos depuis que j'ai porté des cartons",
    "Ich habe seit drei Tagen starke Rückenschmerzen",
    "у меня болит спина",
    "腰が痛いです",
])
def test_a_message_in_another_language_is_noticed(text: str) -> None:
    assert language_of(text) != "english"


@pytest.mark.parametrize("text", [
    "ok", "L5 S1", "si", "no", "Hello, I am from Brazil, 40 years. My back low is hurting",
    "sharp pain left leg", "wat helps it pls cant sleep", "sciatica down my leg, help",
])
def test_english_however_typed_is_english(text: str) -> None:
    assert language_of(text) == "english"


@pytest.mark.parametrize(("text", "kind"), [
    ("should i push for an mri", "imaging"),
    ("deadlifts yes or no", "activity"),
    ("is it ok to take ibuprofen", "painkillers"),
    ("can i take ibuprofen with my warfarin", "beyond_scope"),
    ("how long till it settles", "course"),
    ("physio or chiropractor, which is better?", "whom_to_see"),
    ("why did you say go to A&E?", "warning"),
    ("be honest, could this be something sinister", "serious"),
    ("any tips for sleeping with it", "self_care"),
    ("went to A&E last night, the scan was clear", "been_checked"),
    ("wat can i do 2 help him, he hurt it at football", "self_care"),
    ("my physio said to keep walking but should i get an mri", "imaging"),
    ("my osteo thinks its a disc, how long do they take to heal", "course"),
    ("how long should i wait before seeing my gp", "whom_to_see"),
    ("shld i take a few days off work", "activity"),
    ("can i carry on as normal or is it something serious", "serious"),
    ("my husband wants to know if he should be worried", "serious"),
    ("is it safe to take ibuprofen with my blood pressure tablets", "beyond_scope"),
])
def test_a_follow_up_is_recognised_by_its_words(text: str, kind: str) -> None:
    from bot.followups import cue_kind

    assert cue_kind(text) == kind


@pytest.mark.parametrize("text", [
    "my lower back hurts when I sit",  # tells, asks nothing
    "sharp pain down my left leg since Tuesday",
    "I'm 45 and I work at a desk",
    "my mum read it over my shoulder",  # no other complaint, and nothing asked
])
def test_a_description_that_asks_nothing_is_no_follow_up(text: str) -> None:
    from bot.followups import cue_kind

    assert cue_kind(text) is None


def _checked(text: str, intent: str, entities: list | None = None) -> str:
    from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
    from rasa.shared.nlu.training_data.message import Message

    from components.followup_check import FollowupCheck

    ranking = [{"name": intent, "confidence": 0.6}]
    message = Message(data={TEXT: text, INTENT: ranking[0], INTENT_RANKING_KEY: ranking,
                            ENTITIES: entities or []})
    [message] = FollowupCheck().process([message])
    return message.get(INTENT)["name"]


def test_the_follow_up_check_takes_the_asked_intent_but_never_over_a_red_flag() -> None:
    assert _checked("my gp won't refer me for an mri, is she right?", "describe_pain") == \
        "ask_imaging"
    assert _checked("can i take naproxen with my blood thinners", "ask_painkillers") == \
        "ask_beyond_scope"
    assert _checked("I can't feel anything when I wipe, should I see a doctor?", "red_flag") == \
        "red_flag"
    assert _checked("is spondylolisthesis serious?", "ask_cause_info",
                    [{"entity": "cause", "value": "spondylolisthesis"}]) == "ask_cause_info"
    assert _checked("what is spinal stenosis?", "ask_cause_info",
                    [{"entity": "cause", "value": "spinal_stenosis"}]) == "ask_cause_info"
    assert _checked("what stretches help piriformis?", "ask_cause_info",
                    [{"entity": "cause", "value": "piriformis_syndrome"}]) == "ask_self_care"


def test_the_words_asked_win_over_another_follow_up_but_not_over_what_the_assistant_does() -> None:
    assert _checked("would a voltarol patch help", "ask_self_care") == "ask_painkillers"
    assert _checked("is this permanent now", "ask_serious") == "ask_course"
    assert _checked("what can you do?", "help") == "help"
    assert _checked("do muscle relaxers help with this", "help") == "ask_painkillers"
    assert _checked("how do I make pancakes", "out_of_scope") == "out_of_scope"
    assert _checked("thanks, how long will it last?", "thank") == "ask_course"


def test_a_report_of_being_checked_that_names_a_cause_is_a_report_unless_it_asks() -> None:
    sciatica = [{"entity": "cause", "value": "true_sciatica"}]
    assert _checked("the gp saw me and said it is sciatica, nothing dangerous",
                    "ask_cause_info", sciatica) == "been_checked"
    assert _checked("the doctor said it's sciatica, what is that?", "ask_cause_info",
                    sciatica) == "ask_cause_info"


@pytest.mark.parametrize("text", [
    "my lower back went when i picked up my toddler 2 days ago, sharp on the left",
    "it hurts when I run, just where the belt sits at work",
])
def test_when_or_where_inside_a_description_asks_nothing(text: str) -> None:
    assert cue_kind(text) is None


@pytest.mark.parametrize("text", ["when can i go back to the gym", "ok when can I go back to work",
                                  "it's been a week. when can i run again"])
def test_when_at_the_start_of_a_clause_still_asks(text: str) -> None:
    assert cue_kind(text) == "activity"
