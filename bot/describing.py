"""How findings are said back to a person: one at a time, and as lists without repeats.

A finding's own words come from bot/data/findings.yml (`label` when present, `denied` when not);
values are said as the person gave them ("aged 60 to 69" for that button, "pain for about 3
weeks"). A list leaves out what another item already says: "pain spreading into the thigh"
beside "pain shooting below the knee", "no long morning stiffness" beside "no morning
stiffness", "not for more than three months" beside three weeks of pain.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.knowledge import Feature
from bot.model import Finding
from bot.vocabulary import load_relations, load_vocabulary

BAND = re.compile(r"^(under \d+|\d+ to \d+|\d+ or over)$", re.IGNORECASE)


def describe(finding: Finding, feature: Feature | None = None) -> str:
    """The person's finding in plain words, e.g. "pain shooting below the knee"."""
    kind = load_vocabulary().get(finding.id)
    if finding.present and feature is not None and feature.reason:
        return feature.reason
    if kind is None:
        return finding.id.replace("_", " ")
    if not finding.present:
        if finding.id == "duration_acute" and isinstance(finding.value, int):
            return f"pain for about {finding.value} weeks"
        return kind.denied or f"not {kind.label}"
    value = finding.value
    if value is None or value == "":
        return kind.label
    if finding.id == "age":
        evidence = (finding.evidence or "").strip()
        return f"aged {evidence.lower()}" if BAND.match(evidence) else f"aged {value}"
    if finding.id == "sex":
        return f"being {value}"
    if finding.id == "duration_acute":
        return "pain for a few days" if value == 0 else (
            "pain for about a week" if value == 1 else f"pain for about {value} weeks")
    if finding.id == "morning_stiffness":
        return f"stiffness in the morning for about {value} minutes"
    unit = {"minutes": "minutes", "weeks": "weeks"}.get(kind.value or "", "")
    return f"{kind.label} (about {value} {unit})".replace(" )", ")")


def is_negative(finding_id: str) -> bool:
    """A finding that is itself an absence ("no pain in the legs")."""
    kind = load_vocabulary().get(finding_id)
    return kind is not None and kind.label.startswith("no ")


def _kept(findings: Iterable[Finding]) -> dict[str, Finding]:
    """The findings worth saying: the latest statement of each, without what another one
    already says."""
    known: dict[str, Finding] = {}
    for finding in findings:
        known.pop(finding.id, None)
        known[finding.id] = finding
    relations = load_relations()
    present = {fid for fid, f in known.items() if f.present}
    kept = {}
    for fid, finding in known.items():
        if finding.present and any(
            fid in relations.implies.get(other, ()) for other in present if other != fid
        ):
            continue  # "below the knee" says "into the thigh"
        if not finding.present and relations.implied_denial(fid, known):
            continue
        kept[fid] = finding
    return kept


def readback(findings: Iterable[Finding]) -> list[str]:
    """The findings as a read-back says them ("worse when sitting", "no numbness")."""
    return list(dict.fromkeys(t for t in (describe(f) for f in _kept(findings).values()) if t))


def said_and_denied(findings: Iterable[Finding]) -> tuple[list[str], list[str]]:
    """What the person has and what they do not, for a summary: "Reported: ..." and
    "Denied: ..." each list things in their positive sense, each said once (an absence such as
    "no pain in the legs" is a denial of leg pain)."""
    said, denied = [], []
    for fid, finding in _kept(findings).items():
        kind = load_vocabulary().get(fid)
        negative = is_negative(fid)
        if finding.present != negative or (fid == "duration_acute" and finding.value is not None):
            said.append(describe(finding) if not negative else (kind.denied if kind else fid))
        else:
            label = kind.label if kind else fid.replace("_", " ")
            denied.append(label.removeprefix("no ") if negative else label)
    return list(dict.fromkeys(t for t in said if t)), list(dict.fromkeys(t for t in denied if t))
