"""The engine remembers, per interview state, the answers it would otherwise recompute."""

from __future__ import annotations

import pytest

import bot.interview
from bot.interview import CLEAR_MARGIN, CLEAR_SCORE, Engine
from bot.knowledge import load_knowledge_base
from bot.matching import rank_causes
from bot.model import Finding
from bot.questions import load_questions

STATES = [
    [],
    [Finding("spread_below_knee"), Finding("sens_shooting"), Finding("worse_cough_sneeze")],
    [Finding("age", value=68), Finding("better_sitting"), Finding("worse_walking")],
    [Finding("spread_below_knee", present=False)],
    [
        Finding(f)
        for f in (
            "kidney_stones_history",
            "loc_flank",
            "sens_colicky",
            "nausea",
            "urinary_symptoms",
        )
    ],
    [Finding("age", value=75)] + [
        Finding(f)
        for f in ("bilateral_leg_symptoms", "worse_walking", "better_sitting",
                  "better_bending_forward", "sens_heaviness")
    ],
]


@pytest.fixture()
def engine() -> Engine:
    return Engine(load_knowledge_base(), load_questions())


@pytest.mark.parametrize("findings", STATES)
def test_is_clear_answers_as_the_ranking_says(engine: Engine, findings: list[Finding]) -> None:
    ranked = rank_causes(findings, engine.kb)
    expected = bool(ranked) and bool(ranked[0].reasons) and ranked[0].score >= CLEAR_SCORE and (
        len(ranked) < 2 or ranked[0].score - ranked[1].score >= CLEAR_MARGIN)
    assert engine.is_clear(findings) is expected
    assert engine.interview(findings, []).is_clear() is expected


def test_some_states_are_clear_and_some_are_not(engine: Engine) -> None:
    assert {engine.is_clear(findings) for findings in STATES} == {True, False}


def test_a_state_is_ranked_once_and_the_memory_stays_bounded(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = []

    def counting_rank(*args: object) -> list:
        calls.append(args)
        return rank_causes(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(bot.interview, "rank_causes", counting_rank)
    monkeypatch.setattr(bot.interview, "STATE_CACHE", 2)
    findings = STATES[1]
    first = engine.is_clear(findings)
    # The same state, findings in another order and with other evidence: not ranked again.
    same = [Finding(f.id, f.present, f.value, evidence="said so") for f in reversed(findings)]
    assert engine.is_clear(same) is first
    assert len(calls) == 1
    for findings in STATES:
        engine.is_clear(findings)
    assert len(engine._clear) <= 2
