"""One long conversation over REST: does a turn cost more as the conversation grows?

Run from the repository root after `make train`:

    .venv/bin/python bench/long_conversation_bench.py [--turns 150] [--json var/bench/long.json]

Starts the real Rasa server and action server on loopback (rate limit off), types a description
and then questions a person asks in the middle of an interview (about causes, what to do, how
long it lasts), one after another, and reports the median latency of turns 1-10 against turns
141-150 (or the last ten), and the median of each block of 15 turns. Every sent message is then
counted in the stored tracker, so no turn is lost or stored twice.

A measurement, not a test: it exits 0 whatever the figures, unless it crashed.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.e2e.servers import Servers  # noqa: E402

OPENING = ["hi", "my lower back hurts when I bend, no leg pain, started 3 days ago lifting a box"]
QUESTIONS = ["tell me about sciatica", "what can I do?", "is it serious?",
             "what is spinal stenosis", "how long will it last", "thanks"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=150)
    parser.add_argument("--json", type=Path, default=ROOT / "var/bench/long.json")
    args = parser.parse_args()
    sender = "long-conversation"
    with tempfile.TemporaryDirectory(prefix="lbp-long-") as state:
        servers = Servers(state_dir=Path(state), extra_env={"LBP_RATE_LIMIT": "0"})
        try:
            servers.start_actions()
            servers.start_rasa()
            times = []
            for turn in range(args.turns):
                text = OPENING[turn] if turn < len(OPENING) else QUESTIONS[turn % len(QUESTIONS)]
                started = time.perf_counter()
                servers.say(sender, text)
                times.append((time.perf_counter() - started) * 1000)
            stored = sum(e["event"] == "user" for e in servers.tracker(sender)["events"])
        finally:
            servers.stop_all()
    first, last = statistics.median(times[:10]), statistics.median(times[-10:])
    figures = {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "turns": args.turns,
        "first_10_median_ms": round(first, 1),
        "last_10_median_ms": round(last, 1),
        "growth": round(last / first, 2),
        "median_per_15_turns_ms": [round(statistics.median(times[i:i + 15]), 1)
                                   for i in range(0, len(times), 15)],
        "messages_sent": args.turns,
        "messages_stored": stored,
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(figures, indent=2))
    print(f"turns 1-10 median {first:.1f} ms; last 10 of {args.turns} median {last:.1f} ms "
          f"({figures['growth']:.2f}x)")
    print("median per 15 turns (ms):", figures["median_per_15_turns_ms"])
    print(f"messages sent {args.turns}, stored {stored}")


if __name__ == "__main__":
    main()
