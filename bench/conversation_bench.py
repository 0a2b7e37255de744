"""Benchmark whole conversations over REST against the real Rasa and action servers.

Run from the repository root after `make train`:

    .venv/bin/python bench/conversation_bench.py [--set bench/vignettes.yml] [--limit N]
        [--url http://127.0.0.1:5005]   # drive servers already running instead of starting them

For every cause vignette of the set it opens a conversation with the vignette's text, then
answers each question as a simulated patient who has the expected cause: it taps the button
whose findings the knowledge base says fit that cause best, or "I don't know" when none does,
and "None of these" to the warning-sign screen.
It reports the number of turns (messages the person sends) until the results, whether the
expected cause is among the results, and the latency of every turn (one user at a time,
actions included). A measurement, not a test: it always exits 0 unless it crashed.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.modules.setdefault("tensorflow", None)  # type: ignore[arg-type]  # not needed here

from bot.knowledge import load_knowledge_base  # noqa: E402
from bot.matching import contributions  # noqa: E402
from bot.questions import load_questions  # noqa: E402
from tests.e2e.servers import Servers, pending_question  # noqa: E402

MAX_TURNS = 15
TARGETS = {"median_turn_ms": 60.0, "median_turns": 6}


def choice_for(question_id: str, cause_id: str) -> str | None:
    """The payload of the answer that fits `cause_id` best, or None when no answer fits."""
    kb = load_knowledge_base()
    entry = kb.get(cause_id)
    question = next(q for q in load_questions() if q.id == question_id)
    if question.stage == "screen":
        return "none"  # a patient without warning signs: "None of these"
    best, best_score = None, 0.0
    for button in question.buttons:
        if button.dont_know:
            continue
        known = {finding.id: finding for finding in button.findings()}
        score = sum(math.log(item.ratio) for item in contributions(entry, known, kb))
        if score > best_score:
            best, best_score = button.payload, score
    return best


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", default="bench/vignettes.yml")
    parser.add_argument("--limit", type=int, default=0, help="only the first N cause cases")
    parser.add_argument("--url", help="a running Rasa server to drive (its action server too)")
    args = parser.parse_args()
    cases = [
        case
        for case in yaml.safe_load(Path(args.set).read_text())["cases"]
        if case.get("expect") and not case.get("red_flag")
    ]
    if args.limit:
        cases = cases[: args.limit]
    kb = load_knowledge_base()
    with tempfile.TemporaryDirectory() as state:
        servers = Servers(state_dir=Path(state))
        started = time.monotonic()
        try:
            if args.url:
                servers.rasa_port = int(args.url.rsplit(":", 1)[1].strip("/"))
            else:
                servers.start_actions()
                servers.start_rasa()
            ready = time.monotonic() - started
            servers.say("warm-up", "hello")
            latencies: list[float] = []
            turns: list[int] = []
            hits = 0
            misses: list[str] = []
            for number, case in enumerate(cases):
                sender = f"bench-{time.time():.0f}-{number}"
                expected = case["expect"][0]
                message, count, replies = case["text"], 0, []
                while count < MAX_TURNS:
                    began = time.perf_counter()
                    replies = servers.say(sender, message)
                    latencies.append((time.perf_counter() - began) * 1000)
                    count += 1
                    question = pending_question(replies)
                    if question is None:
                        break
                    choice = choice_for(question, expected)
                    message = (
                        f'/inform{{"choice": "{question}:{choice}"}}' if choice else "/dont_know"
                    )
                turns.append(count)
                results = "\n".join(reply.get("text", "") for reply in replies)
                names = [kb.get(cause_id).name for cause_id in case["expect"]]
                if any(name in results for name in names):
                    hits += 1
                else:
                    misses.append(f"  {case.get('id', number)}: expected {expected}")
        finally:
            servers.stop_all()
    median_turn = statistics.median(latencies)
    median_turns = statistics.median(turns)
    print(f"Conversation benchmark on {args.set} ({len(cases)} cause cases, one user at a time)")
    if not args.url:
        print(f"servers ready        {ready:.1f} s (action server and Rasa server, from cold)")
    print(
        f"turns to results     median {median_turns:g}, p95 {percentile(turns, 0.95):g}, "
        f"max {max(turns)}"
    )
    print(f"expected cause shown {hits}/{len(cases)} = {hits / len(cases):.1%}")
    print(
        f"turn latency         median {median_turn:.1f} ms, p95 "
        f"{percentile(latencies, 0.95):.1f} ms, max {max(latencies):.1f} ms "
        f"({len(latencies)} turns)"
    )
    if misses:
        print("expected cause not shown:")
        print("\n".join(misses))
    verdicts = [
        (
            "median turn latency",
            median_turn <= TARGETS["median_turn_ms"],
            f"{median_turn:.1f} ms (target <= {TARGETS['median_turn_ms']:g} ms)",
        ),
        (
            "median turns",
            median_turns <= TARGETS["median_turns"],
            f"{median_turns:g} (target <= {TARGETS['median_turns']})",
        ),
    ]
    for name, ok, figure in verdicts:
        print(f"{'pass' if ok else 'FAIL'}  {name}: {figure}")


if __name__ == "__main__":
    main()
