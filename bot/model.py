"""Value types shared by every layer of the domain core."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal

Urgency = Literal["emergency", "urgent", "soon"]
URGENCY_ORDER: tuple[Urgency, ...] = ("emergency", "urgent", "soon")
# The urgencies that stop everything else: the advice comes first, and no list of causes.
INTERRUPTING = ("emergency", "urgent")


@dataclass(frozen=True)
class Finding:
    """One fact about the person: present (they have it) or denied (they said they don't).

    `id` is from bot/data/findings.yml; `value` holds a number or word where the
    vocabulary says so (age in years, minutes of morning stiffness, "female"/"male");
    `evidence` is the text it was read from, empty when it came from a button.
    """

    id: str
    present: bool = True
    value: int | str | None = None
    evidence: str = ""


@dataclass(frozen=True)
class RedFlag:
    """A reason to see a clinician urgently, with how urgently, and the findings it rests on."""

    id: str
    urgency: Urgency
    reason: str
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True)
class CauseMatch:
    """A possible cause with a probability-like score and the person's own reasons."""

    id: str
    name: str
    category: str
    score: float
    reasons: list[str] = field(default_factory=list)
    reasons_against: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class FactorMatch:
    """An aggravating factor noticed in what the person said."""

    id: str
    name: str
    reasons: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Assessment:
    """Everything the engine concludes from one set of findings."""

    red_flags: list[RedFlag]
    causes: list[CauseMatch]
    aggravating_factors: list[FactorMatch]
    findings: list[Finding]

    def to_dict(self) -> dict:
        """The JSON shape of the `python -m bot assess` contract."""
        return {
            "red_flags": [asdict(flag) for flag in self.red_flags],
            "causes": [asdict(cause) for cause in self.causes],
            "aggravating_factors": [asdict(factor) for factor in self.aggravating_factors],
            "findings": [asdict(finding) for finding in self.findings],
        }
