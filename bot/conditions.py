"""The condition language of the data files: red-flag rules and derived findings.

A condition is one of:
  a finding id              the finding was stated as present
  {denied: id}              the finding was stated as absent
  {not: condition}          the condition does not hold
  {all: [conditions]}       every one holds
  {any: [conditions]}       at least one holds
  {value: id, gt|lt|ge|le: number, missing: true|false}
                            the finding's value compared; `missing` answers for an unknown value
  {unknown: id}             the finding's value is unknown
  {is: id, value: word}     the finding's word value is this word
"""

from __future__ import annotations

from typing import Any

from bot.model import Finding

COMPARATORS = {
    "gt": lambda a, b: a > b,
    "lt": lambda a, b: a < b,
    "ge": lambda a, b: a >= b,
    "le": lambda a, b: a <= b,
}


class ConditionError(ValueError):
    """A condition is malformed; the message says how."""


def _present(known: dict[str, Finding], fid: str) -> Finding | None:
    finding = known.get(fid)
    return finding if finding is not None and finding.present else None


def holds(condition: Any, known: dict[str, Finding]) -> bool:
    """Whether `condition` holds for the known findings (by id; present or denied)."""
    if isinstance(condition, str):
        return _present(known, condition) is not None
    if "not" in condition:
        return not holds(condition["not"], known)
    if "all" in condition:
        return all(holds(part, known) for part in condition["all"])
    if "any" in condition:
        return any(holds(part, known) for part in condition["any"])
    if "denied" in condition:
        finding = known.get(condition["denied"])
        return finding is not None and not finding.present
    if "is" in condition:
        finding = _present(known, condition["is"])
        return finding is not None and str(finding.value).lower() == condition["value"]
    if "unknown" in condition:
        finding = _present(known, condition["unknown"])
        return finding is None or not isinstance(finding.value, (int, float))
    finding = _present(known, condition["value"])
    if finding is None or not isinstance(finding.value, (int, float)):
        return bool(condition.get("missing", False))
    return all(
        COMPARATORS[op](finding.value, limit)
        for op, limit in condition.items() if op in COMPARATORS
    )


def positive_ids(condition: Any, out: list[str]) -> None:
    """Finding ids a condition asks to be present (not those under `not` or `denied`)."""
    if isinstance(condition, str):
        out.append(condition)
    elif "all" in condition or "any" in condition:
        for part in condition.get("all") or condition.get("any"):
            positive_ids(part, out)
    elif "value" in condition and "is" not in condition:
        out.append(condition["value"])
    elif "is" in condition:
        out.append(condition["is"])


def check_condition(condition: Any, known: set[str]) -> None:
    """Fail with ConditionError on a malformed condition or an unknown finding id."""
    if isinstance(condition, str):
        if condition not in known:
            raise ConditionError(f"unknown finding {condition!r}")
        return
    if not isinstance(condition, dict) or not condition:
        raise ConditionError("a condition must be an id or a mapping")
    if "not" in condition:
        if len(condition) != 1:
            raise ConditionError("'not' needs one condition alone")
        check_condition(condition["not"], known)
        return
    if "all" in condition or "any" in condition:
        key = "all" if "all" in condition else "any"
        parts = condition[key]
        if not isinstance(parts, list) or not parts or len(condition) != 1:
            raise ConditionError(f"{key!r} needs a non-empty list alone")
        for part in parts:
            check_condition(part, known)
        return
    for key in ("unknown", "denied"):
        if key in condition:
            if condition[key] not in known or len(condition) != 1:
                raise ConditionError(f"bad {key!r} condition {condition!r}")
            return
    if "is" in condition:
        if condition["is"] not in known or set(condition) != {"is", "value"} or not isinstance(
            condition["value"], str
        ):
            raise ConditionError(f"bad 'is' condition {condition!r}")
        return
    if condition.get("value") not in known:
        value = condition.get("value")
        raise ConditionError(f"unknown value finding {value!r}")
    ops = [key for key in condition if key in COMPARATORS]
    extra = set(condition) - set(COMPARATORS) - {"value", "missing"}
    if not ops or extra:
        raise ConditionError(f"bad comparison {condition!r}")
    for op in ops:
        if not isinstance(condition[op], (int, float)):
            raise ConditionError(f"{op!r} needs a number")
