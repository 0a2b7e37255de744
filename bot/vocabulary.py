"""The findings vocabulary (bot/data/findings.yml): ids, groups and lay labels."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

from bot.model import Finding

DATA_DIR = Path(__file__).parent / "data"
GROUPS = (
    "location", "side", "spread", "sensation", "worse", "better", "timing",
    "person", "history", "lifestyle", "other", "red_flag",
)


class VocabularyError(ValueError):
    """The findings vocabulary file is malformed."""


@dataclass(frozen=True)
class FindingKind:
    """What a finding id means, and how to say it back to the person."""

    id: str
    group: str
    label: str
    denied: str
    value: str | None = None


@dataclass(frozen=True)
class Relations:
    """How findings bear on each other (findings.yml's `implies` and `excludes`)."""

    implies: dict[str, tuple[str, ...]]
    excludes: dict[str, frozenset[str]]
    either: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def ruled_out_by(self, finding: Finding) -> list[str]:
        """The findings that can no longer be present once `finding` is said: those it
        excludes, or, for a denial, those that would imply what is denied."""
        if finding.present:
            return sorted(self.excludes.get(finding.id, ()))
        implying = {fid for fid, targets in self.implies.items() if finding.id in targets}
        out: set[str] = set()
        while implying - out:
            out |= implying
            implying = {fid for fid, targets in self.implies.items() if set(targets) & out}
        return sorted(out)

    def implied_denial(self, denied: str, others: dict[str, Finding]) -> bool:
        """True when a denial says no more than another stated finding: "no long morning
        stiffness" beside "no morning stiffness", or "not more than three months" beside pain
        for three weeks."""
        for fid, finding in others.items():
            if fid == denied:
                continue
            if not finding.present and fid in self.implies.get(denied, ()):
                return True
            if finding.present and denied in self.excludes.get(fid, ()):
                return True
        return False


@cache
def load_relations(path: Path = DATA_DIR / "findings.yml") -> Relations:
    """Read and check the relations between findings."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    known = set(load_vocabulary(path))
    implies: dict[str, tuple[str, ...]] = {}
    excludes: dict[str, set[str]] = {}
    either: dict[str, tuple[str, ...]] = {}
    tables = (("implies", raw.get("implies") or {}), ("either", raw.get("either") or {}),
              ("excludes", raw.get("excludes") or {}))
    for key, table in tables:
        for source, targets in table.items():
            for fid in [source, *targets]:
                if fid not in known:
                    raise VocabularyError(
                        f"{path.name}: {key} {source!r}: unknown finding {fid!r}")
            if key == "implies":
                implies[source] = tuple(targets)
            elif key == "either":
                either[source] = tuple(targets)
                for part in targets:
                    implies[part] = (*implies.get(part, ()), source)
            else:
                for target in targets:
                    excludes.setdefault(source, set()).add(target)
                    excludes.setdefault(target, set()).add(source)
    return Relations(implies, {k: frozenset(v) for k, v in excludes.items()}, either)


@cache
def load_vocabulary(path: Path = DATA_DIR / "findings.yml") -> dict[str, FindingKind]:
    """Load and check the vocabulary; a bad entry fails with its id and field named."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    kinds: dict[str, FindingKind] = {}
    for index, entry in enumerate(raw.get("findings") or []):
        name = entry.get("id") or f"#{index}"
        for key in ("id", "group", "label"):
            if not isinstance(entry.get(key), str) or not entry[key]:
                raise VocabularyError(f"{path.name}: finding {name!r}: field {key!r} is missing")
        if entry["group"] not in GROUPS:
            raise VocabularyError(f"{path.name}: finding {name!r}: field 'group' is unknown")
        if name in kinds:
            raise VocabularyError(f"{path.name}: finding {name!r}: field 'id' is a duplicate")
        kinds[name] = FindingKind(
            id=name,
            group=entry["group"],
            label=entry["label"],
            denied=entry.get("denied", ""),
            value=entry.get("value"),
        )
    return kinds
