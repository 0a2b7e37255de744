"""docs/safety.md lists every red-flag rule with its urgency and source, as the rules file has
them (regenerate the table with `python -m bot rules-table`)."""

from __future__ import annotations

from pathlib import Path

from bot.triage import load_rules

DOC = Path(__file__).resolve().parents[2] / "docs" / "safety.md"


def test_every_rule_is_in_the_safety_page_with_its_urgency_and_source() -> None:
    rows = {
        line.split("|")[1].strip().strip("`"): line
        for line in DOC.read_text(encoding="utf-8").splitlines()
        if line.startswith("| `")
    }
    rules = load_rules()
    assert set(rows) == {rule.id for rule in rules}
    for rule in rules:
        cells = [cell.strip() for cell in rows[rule.id].split("|")]
        assert cells[2] == rule.urgency, rule.id
        assert cells[4] == rule.source, rule.id


def test_the_table_is_the_one_the_command_prints() -> None:
    from bot.__main__ import rules_table

    assert rules_table() in DOC.read_text(encoding="utf-8")
