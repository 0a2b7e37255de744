"""The findings vocabulary (bot/data/findings.yml): ids, groups and lay labels."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

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
