"""Action server adapters, driven offline with tracker fixtures from tests/data/."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.interview import ActionRecordDescription, ValidateInterviewForm, ask_question
from actions.results import (
    ActionClinicianSummary,
    ActionExplainCause,
    ActionListAggravatingFactors,
    ActionListCauses,
    ActionShowResults,
)
from actions.safety import ActionRedFlag
from actions.session import ActionForgetMe, ActionHelp, ActionStartOver

DATA = Path(__file__).resolve().parents[1] / "data"
DOMAIN: dict[str, Any] = {"forms": {"interview_form": {"required_slots": ["answer"]}}}


def tracker(name: str) -> Tracker:
    return Tracker.from_dict(json.loads((DATA / f"tracker_{name}.json").read_text()))


async def run(action: Any, name: str) -> tuple[list[dict], CollectingDispatcher]:
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker(name), DOMAIN)
    return events, dispatcher


def slots(events: list[dict]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def said(dispatcher: CollectingDispatcher) -> str:
    return "\n".join(m.get("text") or "" for m in dispatcher.messages)


def finding_ids(value: list[dict], present: bool = True) -> set[str]:
    return {f["id"] for f in value if f["present"] is present}


async def test_a_description_is_recorded_as_findings_and_read_back() -> None:
    events, dispatcher = await run(ActionRecordDescription(), "description")
    stored = slots(events)["findings"]
    assert {"loc_buttock", "worse_sitting"} <= finding_ids(stored)
    assert "sens_numbness" in finding_ids(stored, present=False)
    assert "worse when sitting" in said(dispatcher)


async def test_a_description_with_a_soon_red_flag_says_to_see_a_doctor_within_days() -> None:
    events, dispatcher = await run(ActionRecordDescription(), "description_soon")
    assert "cancer_history" in finding_ids(slots(events)["findings"])
    assert "next few days" in said(dispatcher)


def ask(name: str) -> tuple[list[dict], CollectingDispatcher]:
    dispatcher = CollectingDispatcher()
    return ask_question(dispatcher, tracker(name)), dispatcher


async def test_the_next_question_offers_buttons_dont_know_and_why() -> None:
    events, dispatcher = ask("dont_know")
    question = slots(events)["pending_question"]
    assert question and question != "location"
    titles = [b["title"] for b in dispatcher.messages[0]["buttons"]]
    assert "I don't know" in titles and "Why do you ask?" in titles
    assert len(titles) >= 4


async def test_a_pending_question_is_asked_again_after_a_detour() -> None:
    events, dispatcher = ask("ask_why")
    assert slots(events)["pending_question"] == "side"
    assert "one side" in said(dispatcher).lower()


def answered(name: str) -> Tracker:
    """A fixture tracker whose latest message just filled the `answer` slot, as Rasa sends it."""
    t = tracker(name)
    t.events = [
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": t.get_slot("answer"), "parse_data": t.latest_message},
        {"event": "slot", "name": "requested_slot", "value": "answer"},
        {"event": "action", "name": "interview_form"},
        {"event": "slot", "name": "answer", "value": t.get_slot("answer")},
    ]
    return t


async def test_the_next_question_goes_out_with_the_check_of_the_answer() -> None:
    dispatcher = CollectingDispatcher()
    events = await ValidateInterviewForm().run(dispatcher, answered("dont_know"), DOMAIN)
    assert slots(events)["answer"] is None  # checked, and Rasa's form goes on asking for it
    assert slots(events)["pending_question"] not in (None, "side")
    assert dispatcher.messages[-1]["buttons"]


async def test_a_message_that_fills_no_answer_leaves_the_form_free_to_give_way() -> None:
    # e.g. a red flag mid-interview: Rasa's form must be able to reject, so the rules can act.
    t = tracker("dont_know")
    t.events = [  # as Rasa's form sends them: its own ActionExecuted, then no slot candidate
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": "I can't feel anything when I wipe"},
        {"event": "slot", "name": "requested_slot", "value": "answer"},
        {"event": "action", "name": "interview_form"},
    ]
    dispatcher = CollectingDispatcher()
    assert await ValidateInterviewForm().run(dispatcher, t, DOMAIN) == []
    assert dispatcher.messages == []


async def test_no_question_is_asked_once_the_interview_ends() -> None:
    dispatcher = CollectingDispatcher()
    t = answered("show_results_mid_interview")
    events = await ValidateInterviewForm().run(dispatcher, t, DOMAIN)
    assert slots(events)["requested_slot"] is None
    assert not any(message.get("buttons") for message in dispatcher.messages)


async def validate(name: str) -> tuple[dict[str, Any], CollectingDispatcher]:
    dispatcher = CollectingDispatcher()
    t = tracker(name)
    result = await ValidateInterviewForm().validate_answer(
        t.get_slot("answer"), dispatcher, t, DOMAIN
    )
    return result, dispatcher


async def test_a_button_answer_sets_its_findings_and_marks_the_question_asked() -> None:
    result, _ = await validate("button_answer")
    assert "side_both" in finding_ids(result["findings"])
    assert "side_one" in finding_ids(result["findings"], present=False)
    assert result["asked"] == ["location", "side"]
    assert result["answer"] is None and result["pending_question"] is None


async def test_a_typed_answer_is_read_as_free_text() -> None:
    result, _ = await validate("typed_answer")
    assert {"spread_below_knee", "spread_foot"} & finding_ids(result["findings"])
    assert "spread" in result["asked"]


def unchanged(result: dict[str, Any], name: str) -> None:
    """The reply stored nothing: findings, asked questions and the waiting one are as before."""
    before = tracker(name)
    assert result["answer"] is None
    assert result["findings"] == before.get_slot("findings")
    assert result["asked"] == (before.get_slot("asked") or [])
    assert result["pending_question"] == before.get_slot("pending_question")


async def test_a_nonsensical_answer_is_refused_with_a_hint_and_not_stored() -> None:
    result, dispatcher = await validate("nonsense_answer")
    unchanged(result, "nonsense_answer")
    assert "couldn't match" in said(dispatcher) and "For example" in said(dispatcher)


async def test_why_do_you_ask_gives_the_reason_and_keeps_the_question() -> None:
    result, dispatcher = await validate("ask_why")
    unchanged(result, "ask_why")
    assert said(dispatcher).startswith("I ask because")


async def test_dont_know_moves_on_without_storing_anything() -> None:
    result, _ = await validate("dont_know")
    assert result["asked"] == ["location", "side"]
    assert len(result["findings"]) == 2


async def test_asking_for_results_ends_the_interview() -> None:
    result, _ = await validate("show_results_mid_interview")
    assert result["results_requested"] is True
    t = tracker("show_results_mid_interview")
    t.slots["results_requested"] = True
    required = await ValidateInterviewForm().required_slots(
        ["answer"], CollectingDispatcher(), t, DOMAIN
    )
    assert required == []


async def test_the_interview_wants_more_while_little_is_known_and_stops_after_ten_questions() -> (
    None
):
    t = tracker("button_answer")
    validator = ValidateInterviewForm()
    assert await validator.required_slots(["answer"], CollectingDispatcher(), t, DOMAIN) == [
        "answer"
    ]
    t.slots["asked"] = [
        "screen_emergency",
        "screen_other",
        "location",
        "side",
        "spread",
        "leg_vs_back",
        "feeling",
        "worse",
        "better",
        "duration",
        "morning_stiffness",
        "age",
    ]
    t.slots["pending_question"] = None
    assert await validator.required_slots(["answer"], CollectingDispatcher(), t, DOMAIN) == []


async def test_results_name_the_fitting_cause_with_reasons_and_say_it_is_not_a_diagnosis() -> None:
    events, dispatcher = await run(ActionShowResults(), "results_piriformis")
    text = said(dispatcher)
    assert "Piriformis" in text
    assert "worse when sitting" in text
    assert "not a diagnosis" in text
    assert slots(events)["shown_causes"][0] == "piriformis_syndrome"
    titles = [b["title"] for m in dispatcher.messages for b in (m.get("buttons") or [])]
    assert "More about 1" in titles and "Start over" in titles


async def test_results_give_urgent_advice_instead_of_causes_when_a_red_flag_stands() -> None:
    events, dispatcher = await run(ActionShowResults(), "results_emergency")
    text = said(dispatcher)
    assert "emergency" in text.lower()
    assert "Piriformis" not in text
    assert slots(events)["shown_causes"] == []


async def test_red_flag_advice_says_what_to_do_and_why_without_listing_causes() -> None:
    events, dispatcher = await run(ActionRedFlag(), "red_flag_text")
    text = said(dispatcher)
    assert "emergency number" in text and "Why:" in text
    assert "syndrome" not in text.lower()
    assert "saddle_numbness" in finding_ids(slots(events)["findings"])


async def test_explain_a_cause_by_name() -> None:
    events, dispatcher = await run(ActionExplainCause(), "ask_cause")
    assert "Herniated disc" in said(dispatcher) or "herniated disc" in said(dispatcher).lower()
    assert slots(events) == {"cause": None, "rank": None}


async def test_explain_a_result_by_its_rank() -> None:
    _, dispatcher = await run(ActionExplainCause(), "ask_more_second")
    assert "sciatica" in said(dispatcher).lower().split("\n")[0]


async def test_explain_without_a_cause_asks_which_one() -> None:
    _, dispatcher = await run(ActionExplainCause(), "ask_more_nothing_shown")
    assert "Which cause" in said(dispatcher)


async def test_list_causes_by_category_and_all() -> None:
    _, dispatcher = await run(ActionListCauses(), "list_musculoskeletal")
    lines = said(dispatcher).splitlines()
    assert sum(line.startswith("- ") for line in lines) == 11
    _, dispatcher = await run(ActionListCauses(), "list_all")
    assert "22 possible causes" in said(dispatcher)
    assert len(dispatcher.messages[0]["buttons"]) == 3


async def test_aggravating_factors_name_the_ones_the_person_mentioned() -> None:
    _, dispatcher = await run(ActionListAggravatingFactors(), "aggravating")
    text = said(dispatcher)
    assert "may apply to you" in text
    assert "Stress" in text and "overweight" in text.lower()


async def test_clinician_summary_lists_reported_and_denied_findings() -> None:
    _, dispatcher = await run(ActionClinicianSummary(), "summary")
    assert len(dispatcher.messages) == 1
    text = said(dispatcher)
    assert "Reported:" in text and "worse when sitting" in text
    assert "Denied:" in text and "numbness" in text.split("Denied:")[1]
    assert "Warning signs, answered no: numbness or tingling around your bottom" in text
    assert "foot that drags" in text.split("answered no:")[1]
    assert "numbness or tingling" not in text.split("Denied:")[1].split("\n")[0]


async def test_help_says_it_does_not_diagnose() -> None:
    _, dispatcher = await run(ActionHelp(), "empty")
    assert "not a diagnosis" in said(dispatcher)


@pytest.mark.parametrize("action", [ActionStartOver(), ActionForgetMe()])
async def test_start_over_and_forget_me_restart_the_conversation(action: Any) -> None:
    events, dispatcher = await run(action, "summary")
    assert events == [{"event": "restart", "timestamp": None}]
    assert dispatcher.messages


async def test_answers_that_set_nothing_but_are_real_choices_are_offered() -> None:
    t = tracker("dont_know")
    t.slots["pending_question"] = "scans"
    dispatcher = CollectingDispatcher()
    ask_question(dispatcher, t)
    titles = [b["title"] for b in dispatcher.messages[0]["buttons"]]
    assert titles.count("I don't know") == 1
    assert any(title.lower().startswith("no") for title in titles), titles
