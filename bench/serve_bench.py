"""Benchmark the servers themselves: start-up, memory, and the latency of a greeting over REST.

Run from the repository root after `make train`:

    .venv/bin/python bench/serve_bench.py [--greetings 50]

It starts the real action server and Rasa server (as `make serve` does, on free loopback
ports), reports how long each takes to answer its health check, their resident memory once
warm, and the median and p95 time of a "hi" over the REST channel. A measurement, not a test.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.e2e.servers import Servers  # noqa: E402


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children, in MB (from /proc)."""
    total = 0
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(child) for child in children.read_text().split()]
    for each in pids:
        for line in Path(f"/proc/{each}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--greetings", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as state:
        servers = Servers(state_dir=Path(state))
        try:
            began = time.monotonic()
            servers.start_actions()
            actions_ready = time.monotonic() - began
            began = time.monotonic()
            servers.start_rasa()
            rasa_ready = time.monotonic() - began
            began = time.monotonic()
            first = servers.say("bench-first", "hi")
            first_reply = time.monotonic() - began
            assert first, "no reply to the first greeting"
            latencies = []
            for number in range(args.greetings):
                began = time.perf_counter()
                servers.say(f"bench-greet-{number}", "hi")
                latencies.append((time.perf_counter() - began) * 1000)
            memory = {name: rss_mb(p.pid) for name, p in servers.processes.items()}
        finally:
            servers.stop_all()
    latencies.sort()
    print("Server benchmark (one user at a time, loopback)")
    print(f"action server ready  {actions_ready:.1f} s to /health")
    print(f"Rasa server ready    {rasa_ready:.1f} s to /status (model loaded)")
    print(f"first reply          {first_reply * 1000:.0f} ms")
    print(
        f"greeting over REST   median {statistics.median(latencies):.1f} ms, "
        f"p95 {latencies[int(0.95 * len(latencies)) - 1]:.1f} ms ({len(latencies)} greetings)"
    )
    print(
        f"resident memory      Rasa server {memory['rasa']:.0f} MB, "
        f"action server {memory['actions']:.0f} MB"
    )


if __name__ == "__main__":
    main()
