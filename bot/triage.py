"""Red-flag triage: findings in, red flags with their urgency out (most urgent first).

The rules live in bot/data/red_flags.yml as conditions over finding ids and values; this module
checks that file on load and evaluates it. Denied findings never trigger a flag.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from bot.model import URGENCY_ORDER, Finding, RedFlag
from bot.vocabulary import DATA_DIR, load_vocabulary

RED_FLAGS_PATH = DATA_DIR / "red_flags.yml"
COMPARATORS = {
    "gt": lambda a, b: a > b,
    "lt": lambda a, b: a < b,
    "ge": lambda a, b: a >= b,
    "le": lambda a, b: a <= b,
}


class RedFlagError(ValueError):
    """The red-flag rules file is malformed."""


class Rule:
    """One red flag: its id, urgency, reason and condition."""

    def __init__(self, flag_id: str, urgency: str, reason: str, when: Any) -> None:
        self.id = flag_id
        self.urgency = urgency
        self.reason = reason
        self.when = when

    def holds(self, present: dict[str, Finding]) -> bool:
        """Whether the condition holds for the present findings."""
        return _holds(self.when, present)


def _holds(condition: Any, present: dict[str, Finding]) -> bool:
    if isinstance(condition, str):
        return condition in present
    if "not" in condition:
        return not _holds(condition["not"], present)
    if "all" in condition:
        return all(_holds(part, present) for part in condition["all"])
    if "any" in condition:
        return any(_holds(part, present) for part in condition["any"])
    if "unknown" in condition:
        finding = present.get(condition["unknown"])
        return finding is None or not isinstance(finding.value, (int, float))
    finding = present.get(condition["value"])
    if finding is None or not isinstance(finding.value, (int, float)):
        return bool(condition.get("missing", False))
    return all(
        COMPARATORS[op](finding.value, limit)
        for op, limit in condition.items() if op in COMPARATORS
    )


def _check(condition: Any, where: str, known: set[str]) -> None:
    """Fail on a malformed condition, naming the flag and field."""
    if isinstance(condition, str):
        if condition not in known:
            raise RedFlagError(f"{where}: field 'when': unknown finding {condition!r}")
        return
    if not isinstance(condition, dict) or not condition:
        raise RedFlagError(f"{where}: field 'when': a condition must be an id or a mapping")
    if "not" in condition:
        if len(condition) != 1:
            raise RedFlagError(f"{where}: field 'when': 'not' needs one condition alone")
        _check(condition["not"], where, known)
        return
    if "all" in condition or "any" in condition:
        key = "all" if "all" in condition else "any"
        parts = condition[key]
        if not isinstance(parts, list) or not parts or len(condition) != 1:
            raise RedFlagError(f"{where}: field 'when': {key!r} needs a non-empty list alone")
        for part in parts:
            _check(part, where, known)
        return
    if "unknown" in condition:
        if condition["unknown"] not in known or len(condition) != 1:
            raise RedFlagError(f"{where}: field 'when': bad 'unknown' condition {condition!r}")
        return
    if condition.get("value") not in known:
        value = condition.get("value")
        raise RedFlagError(f"{where}: field 'when': unknown value finding {value!r}")
    ops = [key for key in condition if key in COMPARATORS]
    extra = set(condition) - set(COMPARATORS) - {"value", "missing"}
    if not ops or extra:
        raise RedFlagError(f"{where}: field 'when': bad comparison {condition!r}")
    for op in ops:
        if not isinstance(condition[op], (int, float)):
            raise RedFlagError(f"{where}: field 'when': {op!r} needs a number")


@cache
def load_rules(path: Path = RED_FLAGS_PATH) -> tuple[Rule, ...]:
    """Read and check the rules; a malformed entry fails naming the entry and field."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    known = set(load_vocabulary())
    rules: list[Rule] = []
    seen: set[str] = set()
    entries = raw.get("red_flags")
    if not isinstance(entries, list) or not entries:
        raise RedFlagError(f"{path.name}: field 'red_flags' is missing or empty")
    for index, entry in enumerate(entries):
        name = entry.get("id") if isinstance(entry, dict) else None
        where = f"{path.name}: red flag {name or f'#{index}'!r}"
        if not isinstance(entry, dict):
            raise RedFlagError(f"{where}: must be a mapping")
        for key in ("id", "urgency", "reason"):
            if not isinstance(entry.get(key), str) or not entry[key].strip():
                raise RedFlagError(f"{where}: field {key!r} is missing")
        if entry["urgency"] not in URGENCY_ORDER:
            raise RedFlagError(f"{where}: field 'urgency' must be one of {URGENCY_ORDER}")
        if name in seen:
            raise RedFlagError(f"{where}: field 'id' is a duplicate")
        if "when" not in entry:
            raise RedFlagError(f"{where}: field 'when' is missing")
        _check(entry["when"], where, known)
        seen.add(name)
        rules.append(Rule(name, entry["urgency"], " ".join(entry["reason"].split()), entry["when"]))
    return tuple(rules)


def triage(findings: Iterable[Finding]) -> list[RedFlag]:
    """The red flags the findings raise, one per id, most urgent first (file order within)."""
    present: dict[str, Finding] = {}
    for finding in findings:
        if finding.present and finding.id not in present:
            present[finding.id] = finding
    flags = [
        RedFlag(rule.id, rule.urgency, rule.reason)  # type: ignore[arg-type]
        for rule in load_rules()
        if rule.holds(present)
    ]
    return sorted(flags, key=lambda flag: URGENCY_ORDER.index(flag.urgency))
