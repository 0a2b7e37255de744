"""Red-flag triage: findings in, red flags with their urgency out (most urgent first).

The rules live in bot/data/red_flags.yml as conditions over finding ids and values; this module
checks that file on load and evaluates it. A denied finding only counts where a rule asks for the
denial (`{denied: id}`); it never stands in for the finding itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from bot.conditions import ConditionError, check_condition, holds, positive_ids
from bot.model import URGENCY_ORDER, Finding, RedFlag
from bot.vocabulary import DATA_DIR, load_vocabulary

RED_FLAGS_PATH = DATA_DIR / "red_flags.yml"


class RedFlagError(ValueError):
    """The red-flag rules file is malformed."""


class Rule:
    """One red flag: its id, urgency, reason, source and condition."""

    def __init__(
        self, flag_id: str, urgency: str, reason: str, when: Any, source: str = ""
    ) -> None:
        self.id = flag_id
        self.urgency = urgency
        self.reason = reason
        self.when = when
        self.source = source

    def holds(self, known: dict[str, Finding]) -> bool:
        """Whether the condition holds for what is known (present and denied findings)."""
        return holds(self.when, known)

    def evidence(self, known: dict[str, Finding]) -> list[str]:
        """The present findings the rule read as evidence (what a person may say is wrong)."""
        ids: list[str] = []
        positive_ids(self.when, ids)
        return [fid for fid in dict.fromkeys(ids) if fid in known and known[fid].present]


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
        for key in ("id", "urgency", "reason", "source"):
            if not isinstance(entry.get(key), str) or not entry[key].strip():
                raise RedFlagError(f"{where}: field {key!r} is missing")
        if entry["urgency"] not in URGENCY_ORDER:
            raise RedFlagError(f"{where}: field 'urgency' must be one of {URGENCY_ORDER}")
        if name in seen:
            raise RedFlagError(f"{where}: field 'id' is a duplicate")
        if "when" not in entry:
            raise RedFlagError(f"{where}: field 'when' is missing")
        try:
            check_condition(entry["when"], known)
        except ConditionError as error:
            raise RedFlagError(f"{where}: field 'when': {error}") from None
        seen.add(name)
        rules.append(Rule(
            name, entry["urgency"], " ".join(entry["reason"].split()), entry["when"],
            entry["source"],
        ))
    return tuple(rules)


def _known(findings: Iterable[Finding]) -> dict[str, Finding]:
    """Findings by id; for one id stated both ways, the present statement (over-triage is the
    safer error when a description contradicts itself)."""
    known: dict[str, Finding] = {}
    for finding in findings:
        old = known.get(finding.id)
        if old is None or (finding.present and not old.present):
            known[finding.id] = finding
    return known


def triage(findings: Iterable[Finding]) -> list[RedFlag]:
    """The red flags the findings raise, one per id, most urgent first (file order within)."""
    known = _known(findings)
    flags = [
        RedFlag(rule.id, rule.urgency, rule.reason, tuple(rule.evidence(known)))  # type: ignore[arg-type]
        for rule in load_rules()
        if rule.holds(known)
    ]
    return sorted(flags, key=lambda flag: URGENCY_ORDER.index(flag.urgency))
