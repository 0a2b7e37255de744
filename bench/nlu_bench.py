"""Benchmark the trained NLU on the held-out test file (never used for training).

Run from the repository root after `make train`:

    .venv/bin/python bench/nlu_bench.py [--model models/lbp.tar.gz] [--nlu tests/nlu_test.yml]

It parses every test example with the whole trained pipeline (the red-flag gate included)
and reports intent accuracy, macro F1 over intents, and `cause` entity accuracy: the share of
examples annotated with a cause whose predicted cause, after synonym mapping, is exactly the
canonical id expected. A measurement, not a test: it always exits 0 unless it crashed.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the model's custom component

from rasa.core.agent import Agent  # noqa: E402
from rasa.shared.nlu.training_data.loading import load_data  # noqa: E402

TARGETS = {"macro_f1": 0.95, "cause_accuracy": 0.95}


def macro_f1(pairs: list[tuple[str, str]]) -> float:
    """Unweighted mean of per-intent F1 over the intents the test file holds."""
    labels = sorted({expected for expected, _ in pairs})
    scores = []
    for label in labels:
        tp = sum(1 for e, p in pairs if e == label and p == label)
        fp = sum(1 for e, p in pairs if e != label and p == label)
        fn = sum(1 for e, p in pairs if e == label and p != label)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        scores.append(2 * precision * recall / (precision + recall) if precision + recall else 0)
    return statistics.mean(scores)


async def evaluate(model: str, nlu: str) -> None:
    logging.disable(logging.WARNING)
    agent = Agent.load(model)
    examples = [e for e in load_data(nlu).intent_examples if e.get("text")]
    pairs: list[tuple[str, str]] = []
    cause_total = cause_right = 0
    errors: list[str] = []
    timings: list[float] = []
    for example in examples:
        began = time.perf_counter()
        parsed = await agent.parse_message(example.get("text"))
        timings.append((time.perf_counter() - began) * 1000)
        expected, predicted = example.get("intent"), parsed["intent"]["name"]
        pairs.append((expected, predicted))
        if expected != predicted:
            errors.append(f"  {expected} -> {predicted}: {example.get('text')}")
        wanted = [e["value"] for e in example.get("entities") or [] if e["entity"] == "cause"]
        if wanted:
            cause_total += 1
            got = [e["value"] for e in parsed.get("entities") or [] if e["entity"] == "cause"]
            if sorted(got) == sorted(wanted):
                cause_right += 1
            else:
                errors.append(f"  cause {wanted} -> {got}: {example.get('text')}")
    accuracy = sum(e == p for e, p in pairs) / len(pairs)
    f1 = macro_f1(pairs)
    cause_accuracy = cause_right / cause_total if cause_total else 0.0
    per_intent = Counter(expected for expected, _ in pairs)
    print(f"NLU benchmark: {len(pairs)} held-out examples, {len(per_intent)} intents ({nlu})")
    print(f"intent accuracy   {accuracy:.3f}")
    print(f"intent macro F1   {f1:.3f}")
    print(f"cause accuracy    {cause_accuracy:.3f} ({cause_right}/{cause_total} examples)")
    print(f"parse time        median {statistics.median(timings):.1f} ms")
    if errors:
        print("errors:")
        print("\n".join(errors))
    for name, value in (("macro_f1", f1), ("cause_accuracy", cause_accuracy)):
        verdict = "pass" if value >= TARGETS[name] else "FAIL"
        print(f"{verdict}  {name}: {value:.3f} (target >= {TARGETS[name]})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="models/lbp.tar.gz")
    parser.add_argument("--nlu", default="tests/nlu_test.yml")
    args = parser.parse_args()
    asyncio.run(evaluate(args.model, args.nlu))


if __name__ == "__main__":
    main()
