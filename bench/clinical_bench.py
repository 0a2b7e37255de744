"""Benchmark the clinical probe set and the calibration set (bench/clinical/).

Run from the repository root:

    .venv/bin/python bench/clinical_bench.py [--part dev|heldout] [--show-misses] [--json out]

Probes (probes_<part>.yml): each message is read by the domain core in process (a first message
by bot.extraction.extract_findings; a probe with `question` as a typed answer to that screen
question by bot.answers.read_answer) and its findings go through the red-flag rules
(bot.triage.triage). The level reached is the most urgent flag raised. A should-flag probe is at
its level when the level reached is the one expected (above it and below it are counted apart);
a must-not-flag probe (`none`, `none_or_soon`) is a false alarm when it gets emergency or urgent
advice, and a `none` probe that gets "soon" is counted too.

Calibration (calibration_<part>.yml): each text's findings alone are assessed
(Engine.load().assessor.assess_findings) and the first cause a result would show
(engine.wording.shown; when an emergency or urgent flag stands the result shows only advice, so
the flag is set aside to read the ranking) is checked against the acceptable first causes, per
presentation type; and how often a weak-evidence idea (a cause whose knowledge-base evidence
level is weak) comes first on a plain presentation.

Misses are listed for the development part only, unless --show-misses: the held-out part is for
honest figures, not for tuning. It is a measurement, not a test: the exit code is 0 whatever the
figures.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
DATA = ROOT / "bench" / "clinical"

LEVELS = ("none", "soon", "urgent", "emergency")
RANK = {level: index for index, level in enumerate(LEVELS)}
FLAG_LEVELS = ("emergency", "urgent", "soon")
NOT_FLAG = ("none", "none_or_soon")
INTERRUPTING = ("urgent", "emergency")
MIN_FLAG, MIN_NOT_FLAG = 4, 3  # probes per rule and part the set promises


@dataclass
class ProbeOutcome:
    """What one probe got from the rules."""

    id: str
    rule: str
    expect: str
    got: str
    text: str
    flags: list[str] = field(default_factory=list)

    @property
    def should_flag(self) -> bool:
        return self.expect in FLAG_LEVELS

    @property
    def at_level(self) -> bool:
        if self.should_flag:
            return self.got == self.expect
        return self.got == "none" or (self.expect == "none_or_soon" and self.got == "soon")

    @property
    def false_alarm(self) -> bool:
        return not self.should_flag and self.got in INTERRUPTING

    @property
    def rule_fired(self) -> bool:
        return any(flag.split(":")[0] == self.rule for flag in self.flags)


@dataclass
class CalibrationOutcome:
    """The first cause a result would show for one calibration text."""

    id: str
    type: str
    expect: list[str]
    plain: bool
    first: str | None
    shown: list[str]
    flag_set_aside: bool
    text: str

    @property
    def hit(self) -> bool:
        return self.first in self.expect


# ----------------------------------------------------------------------------- loading
def load_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def load_probes(part: str) -> list[dict[str, Any]]:
    """The probes of a part, checked: known rule and question, a valid expect, unique ids."""
    from bot.questions import load_questions
    from bot.triage import load_rules

    path = DATA / f"probes_{part}.yml"
    rules = {rule.id for rule in load_rules()}
    questions = {question.id for question in load_questions()}
    probes = load_yaml(path).get("probes") or []
    seen: set[str] = set()
    for probe in probes:
        where = f"{path.name}: probe {probe.get('id')!r}"
        if probe.get("id") in seen:
            raise ValueError(f"{where}: duplicate id")
        seen.add(probe.get("id"))
        if probe.get("expect") not in (*FLAG_LEVELS, *NOT_FLAG):
            raise ValueError(f"{where}: expect {probe.get('expect')!r}")
        if probe.get("rule") not in rules:
            raise ValueError(f"{where}: unknown rule {probe.get('rule')!r}")
        if probe.get("question") is not None and probe["question"] not in questions:
            raise ValueError(f"{where}: unknown question {probe['question']!r}")
        if not str(probe.get("text") or "").strip() or not str(probe.get("note") or "").strip():
            raise ValueError(f"{where}: needs a text and a note")
    return probes


def load_calibration(part: str) -> list[dict[str, Any]]:
    """The calibration cases of a part, checked: known cause ids, unique ids."""
    path = DATA / f"calibration_{part}.yml"
    causes = {cause.id for cause in _engine().kb.causes}
    cases = load_yaml(path).get("calibration") or []
    seen: set[str] = set()
    for case in cases:
        where = f"{path.name}: case {case.get('id')!r}"
        if case.get("id") in seen:
            raise ValueError(f"{where}: duplicate id")
        seen.add(case.get("id"))
        expect = case.get("expect")
        if not isinstance(expect, list) or not expect or set(expect) - causes:
            raise ValueError(f"{where}: expect {expect!r} is not a list of cause ids")
        if not isinstance(case.get("plain"), bool) or not case.get("type"):
            raise ValueError(f"{where}: needs a type and plain: true|false")
    return cases


@lru_cache(maxsize=1)
def _engine() -> Any:
    from bot.interview import Engine

    return Engine.load()


def weak_ideas() -> set[str]:
    """Causes whose knowledge-base evidence level is weak."""
    return {cause.id for cause in _engine().kb.causes if cause.evidence.level == "weak"}


# ----------------------------------------------------------------------------- probes
def probe_findings(probe: dict[str, Any]) -> list[Any]:
    """The findings one probe states: a first message, or a typed answer to a question."""
    from bot.answers import read_answer
    from bot.extraction import extract_findings

    text = str(probe["text"])
    if probe.get("question"):
        question = _engine().questions[probe["question"]]
        return list(read_answer(question, text, {}).findings)
    return extract_findings(text)


def run_probes(probes: list[dict[str, Any]]) -> list[ProbeOutcome]:
    from bot.triage import triage

    outcomes = []
    for probe in probes:
        flags = triage(probe_findings(probe))
        got = max((flag.urgency for flag in flags), key=RANK.__getitem__, default="none")
        outcomes.append(ProbeOutcome(
            id=probe["id"], rule=probe["rule"], expect=probe["expect"], got=got,
            text=str(probe["text"]), flags=[f"{flag.id}:{flag.urgency}" for flag in flags],
        ))
    return outcomes


def _rate(part: int, whole: int) -> str:
    return f"{part}/{whole} ({100 * part / whole:.1f}%)" if whole else "-"


def summarise_probes(outcomes: list[ProbeOutcome]) -> dict[str, Any]:
    figures: dict[str, Any] = {"count": len(outcomes), "levels": {}, "rules": {}}
    for level in FLAG_LEVELS:
        cases = [o for o in outcomes if o.expect == level]
        figures["levels"][level] = {
            "cases": len(cases), "at_level": sum(o.at_level for o in cases),
            "higher": sum(RANK[o.got] > RANK[level] for o in cases),
            "lower": sum(RANK[o.got] < RANK[level] for o in cases),
        }
    not_flag = [o for o in outcomes if not o.should_flag]
    none = [o for o in not_flag if o.expect == "none"]
    figures["not_flag"] = {
        "cases": len(not_flag), "false_alarms": sum(o.false_alarm for o in not_flag),
        "none_cases": len(none), "soon_on_none": sum(o.got == "soon" for o in none),
    }
    by_rule: dict[str, list[ProbeOutcome]] = defaultdict(list)
    for outcome in outcomes:
        by_rule[outcome.rule].append(outcome)
    for rule, items in by_rule.items():
        flag = [o for o in items if o.should_flag]
        other = [o for o in items if not o.should_flag]
        figures["rules"][rule] = {
            "flag": len(flag), "flag_at_level": sum(o.at_level for o in flag),
            "flag_rule_fired": sum(o.rule_fired for o in flag),
            "not_flag": len(other), "not_flag_ok": sum(o.at_level for o in other),
            "not_flag_false_alarms": sum(o.false_alarm for o in other),
        }
    return figures


def report_probes(part: str, outcomes: list[ProbeOutcome], show: bool) -> dict[str, Any]:
    from bot.triage import load_rules

    figures = summarise_probes(outcomes)
    print(f"\n{part}: probes ({figures['count']})")
    for level, got in figures["levels"].items():
        print(f"  {level:<10} at its level {_rate(got['at_level'], got['cases'])}; "
              f"higher {got['higher']}, lower {got['lower']}")
    nf = figures["not_flag"]
    print(f"  must-not-flag: false emergency/urgent {_rate(nf['false_alarms'], nf['cases'])}; "
          f"'soon' on 'none' probes {_rate(nf['soon_on_none'], nf['none_cases'])}")
    print("  per rule (should flag: at level, rule itself fired | must not flag: right, "
          "false emergency/urgent):")
    thin = []
    for rule in load_rules():
        got = figures["rules"].get(rule.id)
        if got is None:
            thin.append(f"{rule.id} (no probes)")
            continue
        print(f"    {rule.id:<22} {rule.urgency:<9} flag {got['flag_at_level']}/{got['flag']}, "
              f"fired {got['flag_rule_fired']}/{got['flag']} | not {got['not_flag_ok']}/"
              f"{got['not_flag']}, false alarms {got['not_flag_false_alarms']}")
        if got["flag"] < MIN_FLAG or got["not_flag"] < MIN_NOT_FLAG:
            thin.append(rule.id)
    if thin:
        print(f"  rules with too few probes: {', '.join(thin)}")
    if show:
        misses = [o for o in outcomes if not o.at_level]
        print(f"  misses ({len(misses)}):")
        for o in misses:
            print(f"    {o.id} [{o.rule}] expected {o.expect}, got {o.got} {o.flags} | "
                  f"{o.text[:110]}")
    return figures


# ----------------------------------------------------------------------------- calibration
def first_shown(text: str) -> tuple[list[str], bool]:
    """The causes a result would show for a text's findings (first first), and whether an
    emergency or urgent flag had to be set aside to read them."""
    from bot.extraction import extract_findings
    from bot.wording import urgent

    engine = _engine()
    assessment = engine.assessor.assess_findings(extract_findings(text))
    set_aside = urgent(assessment)
    if set_aside:
        assessment = dataclasses.replace(assessment, red_flags=[])
    return [cause.id for cause in engine.wording.shown(assessment)], set_aside


def run_calibration(cases: list[dict[str, Any]]) -> list[CalibrationOutcome]:
    outcomes = []
    for case in cases:
        shown, set_aside = first_shown(str(case["text"]))
        outcomes.append(CalibrationOutcome(
            id=case["id"], type=str(case["type"]), expect=list(case["expect"]),
            plain=case["plain"], first=shown[0] if shown else None, shown=shown,
            flag_set_aside=set_aside, text=str(case["text"]),
        ))
    return outcomes


def report_calibration(part: str, outcomes: list[CalibrationOutcome], show: bool
                       ) -> dict[str, Any]:
    weak = weak_ideas()
    by_type: dict[str, list[CalibrationOutcome]] = defaultdict(list)
    for outcome in outcomes:
        by_type[outcome.type].append(outcome)
    plain = [o for o in outcomes if o.plain]
    weak_first = [o for o in plain if o.first in weak]
    figures = {
        "count": len(outcomes), "hits": sum(o.hit for o in outcomes),
        "types": {t: [sum(o.hit for o in items), len(items)] for t, items in by_type.items()},
        "plain": len(plain), "weak_first": len(weak_first),
        "flag_set_aside": sum(o.flag_set_aside for o in outcomes),
    }
    print(f"\n{part}: calibration ({figures['count']}): expected first cause "
          f"{_rate(figures['hits'], figures['count'])}")
    for kind, (hits, total) in figures["types"].items():
        print(f"  {kind:<22} {_rate(hits, total)}")
    print(f"  weak-evidence idea first on a plain presentation: "
          f"{_rate(figures['weak_first'], figures['plain'])} (weak: {', '.join(sorted(weak))})")
    print(f"  read with an emergency/urgent flag set aside: {figures['flag_set_aside']}")
    if show:
        misses = [o for o in outcomes if not o.hit or o in weak_first]
        print(f"  misses ({len(misses)}):")
        for o in misses:
            print(f"    {o.id} expected {o.expect}, shown {o.shown} | {o.text[:100]}")
    return figures


# ----------------------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--part", choices=("dev", "heldout"), action="append")
    parser.add_argument("--show-misses", action="store_true",
                        help="list misses for the held-out part too (never tune on them)")
    parser.add_argument("--json", type=Path, help="write every figure and outcome here")
    args = parser.parse_args(argv)
    sys.modules.setdefault("tensorflow", None)  # type: ignore[arg-type] - as python -m bot does
    results: dict[str, Any] = {}
    for part in args.part or ["dev", "heldout"]:
        show = args.show_misses or part == "dev"
        probes = run_probes(load_probes(part))
        calibration = run_calibration(load_calibration(part))
        results[part] = {
            "probes": report_probes(part, probes, show),
            "calibration": report_calibration(part, calibration, show),
            "probe_outcomes": [dataclasses.asdict(o) for o in probes],
            "calibration_outcomes": [dataclasses.asdict(o) for o in calibration],
        }
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=1, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
