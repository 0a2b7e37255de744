"""Follow-up questions benchmark: is each question people ask after the results answered by
the right kind of answer?

Each message of bench/followups/<part>.yml is parsed by the trained model (models/lbp.tar.gz,
the whole NLU pipeline: classifier, cause resolver, cause-question check, language check,
red-flag gate) and routed as the dialogue routes it: a follow-up intent to its answer
(bot/followups.py), `been_checked` to carrying on, a cause question naming a warning's condition
("what is cauda equina?") to that explanation. The share routed to the labelled kind is printed
per kind and in all. It is a measurement, not a test: the exit code is 0 whatever the figures.

    .venv/bin/python bench/followups_bench.py [--part dev|dev2|heldout] [--misses]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

MODEL = ROOT / "models" / "lbp.tar.gz"
DATA = ROOT / "bench" / "followups"


def routed_kind(parse: dict[str, Any], conditions: set[str]) -> str:
    """The kind of answer the dialogue gives a parsed message."""
    from bot.followups import kind_of

    intent = (parse.get("intent") or {}).get("name") or ""
    kind = kind_of(intent)
    if kind == "warning":
        return "explain_warning"
    if kind is not None:
        return kind
    if intent == "been_checked":
        return "been_checked"
    causes = {e.get("value") for e in parse.get("entities") or [] if e.get("entity") == "cause"}
    if intent in ("ask_cause_info", "ask_more") and causes & conditions:
        return "explain_warning"
    return f"other ({intent})"


async def parse_all(texts: list[str]) -> list[dict[str, Any]]:
    from rasa.core.agent import Agent

    agent = Agent.load(str(MODEL))
    return [await agent.parse_message(text) for text in texts]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--part", default="dev", choices=("dev", "dev2", "heldout"))
    parser.add_argument("--misses", action="store_true",
                        help="list the misses (development parts only)")
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)
    from bot.knowledge import load_knowledge_base

    cases = yaml.safe_load((DATA / f"{args.part}.yml").read_text(encoding="utf-8"))["followups"]
    start = time.perf_counter()
    parses = asyncio.run(parse_all([str(case["text"]) for case in cases]))
    conditions = set(load_knowledge_base().conditions)
    right: Counter[str] = Counter()
    total: Counter[str] = Counter()
    misses = []
    for case, parse in zip(cases, parses, strict=True):
        got = routed_kind(parse, conditions)
        total[case["kind"]] += 1
        if got == case["kind"]:
            right[case["kind"]] += 1
        else:
            misses.append((case["id"], case["kind"], got, str(case["text"])[:100]))
    all_right, all_total = sum(right.values()), sum(total.values())
    print(f"\n{args.part}: follow-ups answered by the right kind of answer "
          f"{all_right}/{all_total} ({all_right / all_total:.1%})")
    print("  by kind: " + ", ".join(f"{kind} {right[kind]}/{total[kind]}"
                                    for kind in sorted(total)))
    if args.misses and args.part != "heldout":
        for miss in misses:
            print("  miss:", miss)
    print(f"({time.perf_counter() - start:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
