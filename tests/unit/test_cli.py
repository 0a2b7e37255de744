"""`python -m bot`: both assess modes, kb-check, and clear errors, run as a real subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STENOSIS = (
    "When I walk more than a few blocks my legs feel heavy and tingly; bending forward over "
    "the cart at the supermarket helps. I'm 74."
)
ENDOMETRIOSIS = "Every month in the days before my period my lower back aches deep inside."
AGGRAVATING = "I'm very overweight and spend all day on the sofa."


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=180,
    )


def check_shape(result: dict) -> None:
    assert set(result) == {"red_flags", "causes", "aggravating_factors", "findings"}
    scores = [cause["score"] for cause in result["causes"]]
    assert scores == sorted(scores, reverse=True)
    assert len(result["causes"]) <= 5
    for cause in result["causes"]:
        assert set(cause) == {"id", "name", "category", "score", "reasons", "reasons_against"}
        assert cause["score"] == round(cause["score"], 3)
        assert cause["reasons"]


@pytest.fixture(scope="module")
def one_text() -> subprocess.CompletedProcess:
    return run("assess", STENOSIS)


@pytest.fixture(scope="module")
def from_stdin() -> subprocess.CompletedProcess:
    return run("assess", "--top", "2", "-", stdin=f"{STENOSIS}\n\n{ENDOMETRIOSIS}\n{AGGRAVATING}\n")


def test_assess_text_prints_one_json_object(one_text):
    assert one_text.returncode == 0, one_text.stderr
    lines = one_text.stdout.strip().splitlines()
    assert len(lines) == 1
    result = json.loads(lines[0])
    check_shape(result)
    assert len(result["causes"]) == 5  # the default cap
    assert result["causes"][0]["id"] == "spinal_stenosis"
    assert "heavy or tired legs" in result["causes"][0]["reasons"]
    age = next(f for f in result["findings"] if f["id"] == "age")
    assert (age["present"], age["value"]) == (True, 74)


def test_assess_stdin_prints_one_object_per_line_in_order(from_stdin):
    assert from_stdin.returncode == 0, from_stdin.stderr
    results = [json.loads(line) for line in from_stdin.stdout.strip().splitlines()]
    assert len(results) == 3  # the blank line is skipped
    for result in results:
        check_shape(result)
        assert len(result["causes"]) <= 2  # --top 2
    assert len(results[0]["causes"]) == 2
    assert results[0]["causes"][0]["id"] == "spinal_stenosis"
    assert "endometriosis" in [cause["id"] for cause in results[1]["causes"]]
    assert {f["id"] for f in results[2]["aggravating_factors"]} == {
        "overweight", "sedentary_lifestyle"
    }


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (("assess", ""), None, "empty"),
        (("assess", "   "), None, "empty"),
        (("assess", "-"), "", "no description"),
        (("assess", "-"), "\n  \n", "no description"),
        (("assess", "--bogus", "text"), None, "unrecognized arguments"),
        (("assess", "--top", "0", "text"), None, "at least 1"),
        (("assess",), None, "required"),
        (("diagnose", "text"), None, "invalid choice"),
        ((), None, "required"),
    ],
)
def test_bad_input_gives_a_clear_error_and_non_zero_exit(args, stdin, message):
    result = run(*args, stdin=stdin)
    assert result.returncode != 0
    assert result.stdout == ""
    assert message in result.stderr
    assert "usage:" in result.stderr


def test_kb_check_reports_the_counts():
    result = run("kb-check")
    assert result.returncode == 0, result.stderr
    assert "22 causes" in result.stdout and "4 aggravating factors" in result.stdout
