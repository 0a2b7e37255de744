"""Every number in the data files names where it comes from: a published source, or plainly
"project estimate". Priors, likelihood ratios, criteria and red-flag thresholds are checked in
the raw files, so a deleted or emptied source field fails here whatever the loader allows."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.vocabulary import DATA_DIR

KB_PATH = DATA_DIR / "knowledge_base.yml"
RULES_PATH = DATA_DIR / "red_flags.yml"
NUMBER_KEYS = ("lr_present", "lr_absent", "min", "max")
PLACEHOLDERS = {"todo", "tbd", "?", "-", "source", "unknown", "none", "n/a"}


def load(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def sourced(text: Any) -> bool:
    """Whether a source field says something: non-empty text that is not a placeholder."""
    return isinstance(text, str) and text.strip().lower() not in PLACEHOLDERS | {""}


def unsourced_entry(entry: dict[str, Any]) -> list[str]:
    """The numbers of one knowledge-base entry that name no source."""
    name = entry.get("id")
    problems = []
    if "prior" in entry and not sourced(entry.get("prior_source")):
        problems.append(f"{name}: prior {entry['prior']} has no prior_source")
    weights = sourced(entry.get("weights_source"))
    for feature in entry.get("features") or []:
        numbers = [key for key in NUMBER_KEYS if key in feature]
        if "source" in feature and not sourced(feature["source"]):
            problems.append(f"{name}: feature {feature.get('finding')} has an empty source")
        elif numbers and not weights and not sourced(feature.get("source")):
            problems.append(f"{name}: feature {feature.get('finding')} {numbers} has no source "
                            "and the entry has no weights_source")
    for criteria in entry.get("criteria") or []:
        if not sourced(criteria.get("source")):
            problems.append(f"{name}: criteria {criteria.get('name')} has no source")
    return problems


def unsourced_category_features(kb: dict[str, Any]) -> list[str]:
    """Category-wide features: no entry's weights_source covers them, so each needs its own."""
    return [
        f"category {category}: feature {feature.get('finding')} has no source"
        for category, features in (kb.get("category_features") or {}).items()
        for feature in features or []
        if not sourced(feature.get("source"))
    ]


KB = load(KB_PATH)
ENTRIES = KB.get("causes") or []
RULES = load(RULES_PATH).get("red_flags") or []


def test_the_files_have_entries_to_check() -> None:
    assert len(ENTRIES) >= 20 and len(RULES) >= 20


@pytest.mark.parametrize("entry", ENTRIES, ids=[str(e.get("id")) for e in ENTRIES])
def test_every_number_of_an_entry_names_its_source(entry: dict[str, Any]) -> None:
    assert unsourced_entry(entry) == []


def test_every_category_feature_names_its_source() -> None:
    assert unsourced_category_features(KB) == []


@pytest.mark.parametrize("rule", RULES, ids=[str(r.get("id")) for r in RULES])
def test_every_red_flag_rule_names_its_source(rule: dict[str, Any]) -> None:
    # A rule's thresholds (ages, minutes of stiffness) are covered by the rule's own source.
    assert sourced(rule.get("source")), f"{rule.get('id')}: no source"


def test_a_deleted_or_emptied_source_is_caught() -> None:
    weighed = next(e for e in ENTRIES if e.get("features") and e.get("weights_source"))
    unsourced_feature = next(
        f for f in weighed["features"] if "source" not in f and "lr_present" in f)
    for field, value in (("weights_source", None), ("prior_source", None),
                         ("weights_source", "  ")):
        broken = copy.deepcopy(weighed)
        if value is None:
            del broken[field]
        else:
            broken[field] = value
        problems = unsourced_entry(broken)
        assert problems, field
        if field == "weights_source":
            assert any(unsourced_feature["finding"] in p for p in problems)
    with_criteria = copy.deepcopy(next(e for e in ENTRIES if e.get("criteria")))
    with_criteria["criteria"][0]["source"] = ""
    assert unsourced_entry(with_criteria)
    kb = copy.deepcopy(KB)
    first = next(iter(kb["category_features"].values()))[0]
    del first["source"]
    assert unsourced_category_features(kb)
