"""Load benchmark: many concurrent conversations over REST, ours beside a stock `rasa init` bot.

Run from the repository root after `make train`:

    .venv/bin/python bench/load_bench.py [--conversations 50] [--json var/bench/load.json]

Each of N conversations runs at the same time, closed loop (the next message goes as soon as
the reply arrives). Ours: a description from the vignettes (one cause after another), the
answers to the interview's questions (a simulated patient who taps, among the buttons the bot
offers, the one that fits the vignette's cause best, else "I don't know"), then two follow-ups
("tell me more about the first one", "summary for my doctor").
The stock assistant (`rasa init --no-prompt` in a temporary folder, trained there with the same
Rasa) gets N conversations of its own kind (greetings, moods, goodbyes), each with as many
turns as the matching conversation of ours. For each it reports per-turn latency (p50, p95,
p99), messages per second, errors (non-200, timeouts, empty replies) and lost turns: each
conversation is read back from the tracker store afterwards (`/conversations/<id>/tracker`,
and the SQLite file directly for ours) and its user messages counted against those sent.
Training time and resident memory are reported beside the figures.

When the scale-out set-up exists (`endpoints.scale.yml` and `tests/support/services.py`), the
same load runs against one and then two Rasa servers sharing Redis (lock store) and PostgreSQL
(tracker store); the client alternates the turns of each conversation between the two servers
as a round-robin load balancer would.

A measurement, not a test: it exits 0 whatever the figures, unless it crashed.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import aiohttp
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from conversation_bench import choice_for, percentile  # noqa: E402
from serve_bench import rss_mb  # noqa: E402

from tests.e2e.servers import VENV_BIN, Servers  # noqa: E402

FOLLOW_UPS = ["tell me more about the first one", "summary for my doctor"]
STOCK_SCRIPT = ["hello", "I am feeling sad", "yes it did", "I'm great now", "goodbye"]
MAX_TURNS = 15
TARGETS = {"throughput_ratio_min": 1.0, "p95_ratio_max": 1.2}
# Frames every sample of a server passes through (start-up and the web framework), not shown.
SERVING = re.compile(
    r"\((runpy|sanic/|rasa/__main__|rasa/cli/|rasa/api|rasa/core/run|server/__main__|"
    r"actions/__main__|rasa_sdk/__main__|rasa_sdk/endpoint|connection_task|handle_request)"
)
RUN = time.strftime("%H%M%S")  # in every sender id, so runs against one server never mix
QUIET_ENV = {
    "TF_CPP_MIN_LOG_LEVEL": "3",
    "RASA_TELEMETRY_ENABLED": "false",
    "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    "PYTHONWARNINGS": "ignore",
}


# ------------------------------------------------------------------------------ simulated people
@functools.cache
def best_choice(question_id: str, cause_id: str) -> str | None:
    """The answer id that fits `cause_id` best (cached: the client shares the server's cores)."""
    return choice_for(question_id, cause_id)


def offered_answer(replies: list[dict], cause_id: str) -> str | None:
    """The offered button's payload a patient with `cause_id` would tap, if a question is asked."""
    buttons = [button for reply in replies for button in reply.get("buttons") or []]
    answers = []
    for button in buttons:
        match = re.match(r"/inform(\{.*\})$", button.get("payload", ""))
        if match:
            answers.append((json.loads(match.group(1))["choice"], button))
    if not answers:
        return None
    question = answers[0][0].split(":")[0]
    wanted = best_choice(question, cause_id)
    for choice, button in answers:
        if wanted and choice == f"{question}:{wanted}":
            return button["payload"]
    for _, button in answers:
        if button.get("title", "").strip().casefold() == "i don't know":
            return button["payload"]
    return answers[0][1]["payload"]


class Patient:
    """Ours: a vignette's description, the interview's answers, then the follow-ups."""

    def __init__(self, case: dict) -> None:
        self.case = case
        self.follow_ups = list(FOLLOW_UPS)
        self.sent = 0

    def next_message(self, replies: list[dict] | None) -> str | None:
        if self.sent >= MAX_TURNS:
            return None
        if replies is None:
            message = self.case["text"]
        else:
            message = offered_answer(replies, self.case["expect"][0])
            if message is None:
                if not self.follow_ups:
                    return None
                message = self.follow_ups.pop(0)
        self.sent += 1
        return message

    def kind_of(self, message: str) -> str:
        """Which kind of turn `message` is: description, answer or follow-up."""
        if message == self.case["text"]:
            return "description"
        return "answer" if message.startswith("/") else "follow-up"


class StockUser:
    """The stock assistant's kind of conversation, `turns` messages long."""

    def __init__(self, turns: int, offset: int) -> None:
        self.turns = turns
        self.offset = offset
        self.sent = 0

    def next_message(self, replies: list[dict] | None) -> str | None:
        if self.sent >= self.turns:
            return None
        message = STOCK_SCRIPT[(self.offset + self.sent) % len(STOCK_SCRIPT)]
        self.sent += 1
        return message

    def kind_of(self, message: str) -> str:
        return "small talk"


# ------------------------------------------------------------------------------ driving the load
@dataclass
class Turn:
    """One message sent and what came back."""

    conversation: int
    kind: str
    latency_ms: float
    status: int | None
    error: str | None
    replies: int


@dataclass
class LoadResult:
    """One load run against one assistant."""

    label: str
    conversations: int
    turns: list[Turn] = field(default_factory=list)
    wall_s: float = 0.0
    sent: dict[str, int] = field(default_factory=dict)
    recorded: dict[str, int] = field(default_factory=dict)
    recorded_store: dict[str, int] | None = None

    def summary(self) -> dict:
        ok = [turn.latency_ms for turn in self.turns if turn.status == 200]
        errors = Counter(turn.error for turn in self.turns if turn.error)
        answered: Counter[str] = Counter()
        for turn in self.turns:
            if turn.status == 200:
                answered[self.sender(turn.conversation)] += 1
        lost = sum(max(0, answered[s] - self.recorded.get(s, 0)) for s in self.sent)
        extra = sum(max(0, self.recorded.get(s, 0) - self.sent[s]) for s in self.sent)
        figures = {
            "conversations": self.conversations,
            "turns_sent": sum(self.sent.values()),
            "turns_answered": len(ok),
            "turns_recorded": sum(self.recorded.values()),
            "turns_per_conversation": sorted(Counter(self.sent.values()).items()),
            "wall_s": round(self.wall_s, 2),
            "messages_per_s": round(len(ok) / self.wall_s, 2) if self.wall_s else 0.0,
            "p50_ms": round(percentile(ok, 0.50), 1) if ok else None,
            "p95_ms": round(percentile(ok, 0.95), 1) if ok else None,
            "p99_ms": round(percentile(ok, 0.99), 1) if ok else None,
            "max_ms": round(max(ok), 1) if ok else None,
            "errors": sum(errors.values()),
            "errors_by_kind": dict(errors),
            "lost_turns": lost,
            "extra_turns": extra,
        }
        figures["latency_by_kind"] = {
            kind: {
                "turns": len(values),
                "p50_ms": round(percentile(values, 0.50), 1),
                "p95_ms": round(percentile(values, 0.95), 1),
            }
            for kind in sorted({turn.kind for turn in self.turns})
            if (values := [t.latency_ms for t in self.turns if t.kind == kind and t.status == 200])
        }
        if self.recorded_store is not None:
            figures["lost_turns_store"] = sum(
                max(0, answered[s] - self.recorded_store.get(s, 0)) for s in self.sent
            )
        return figures

    def sender(self, conversation: int) -> str:
        return f"{self.label}-{conversation}"


async def converse(
    session: aiohttp.ClientSession,
    urls: list[str],
    result: LoadResult,
    number: int,
    person: Patient | StockUser,
    delay: float = 0.0,
) -> None:
    """Run one conversation to its end (after `delay` seconds), recording every turn."""
    await asyncio.sleep(delay)
    sender = result.sender(number)
    replies: list[dict] | None = None
    turn_number = 0
    while (message := person.next_message(replies)) is not None:
        url = urls[(number + turn_number) % len(urls)]
        turn_number += 1
        result.sent[sender] = result.sent.get(sender, 0) + 1
        began = time.perf_counter()
        status, error, replies = None, None, []
        try:
            async with session.post(
                f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": message}
            ) as response:
                status = response.status
                body = await response.read()
            if status != 200:
                error = f"http {status}"
            else:
                replies = json.loads(body)
                if not replies:
                    error = "empty reply"
        except asyncio.TimeoutError:
            error = "timeout"
        except (aiohttp.ClientError, ValueError) as problem:
            error = type(problem).__name__
        latency = (time.perf_counter() - began) * 1000
        kind = person.kind_of(message)
        result.turns.append(Turn(number, kind, latency, status, error, len(replies)))
        if status != 200:
            return


async def drive(
    urls: list[str],
    label: str,
    people: list[Patient | StockUser],
    timeout: float,
    ramp: float = 0.0,
    token: str | None = None,
) -> LoadResult:
    """All conversations at once (or their starts spread evenly over `ramp` seconds); then read
    every conversation back from the tracker store (through the first server's HTTP API, whose
    token is `token`)."""
    result = LoadResult(label=label, conversations=len(people))
    connector = aiohttp.TCPConnector(limit=0)
    client_timeout = aiohttp.ClientTimeout(total=timeout)
    async with aiohttp.ClientSession(connector=connector, timeout=client_timeout) as session:
        began = time.perf_counter()
        await asyncio.gather(
            *(
                converse(session, urls, result, n, person, ramp * n / len(people))
                for n, person in enumerate(people)
            )
        )
        result.wall_s = time.perf_counter() - began
        for sender in result.sent:
            async with session.get(
                f"{urls[0]}/conversations/{sender}/tracker",
                params={"include_events": "ALL", **({"token": token} if token else {})},
            ) as response:
                events = (await response.json()).get("events") or []
            result.recorded[sender] = sum(1 for event in events if event.get("event") == "user")
    return result


def warm_up(
    urls: list[str], people: list[Patient | StockUser], label: str, token: str | None
) -> None:
    """One short conversation per server so that first-call costs are not measured."""
    asyncio.run(drive(urls, f"{label}-warm-{RUN}", people, timeout=300, token=token))


def sqlite_user_counts(database: Path, prefix: str) -> dict[str, int] | None:
    """User messages per sender as stored in Rasa's SQL tracker store (SQLite file), if readable."""
    if not database.exists():
        return None
    try:
        with sqlite3.connect(database) as connection:
            rows = connection.execute(
                "SELECT sender_id, COUNT(*) FROM events WHERE type_name = 'user' "
                "AND sender_id LIKE ? GROUP BY sender_id",
                (f"{prefix}-%",),
            ).fetchall()
    except sqlite3.Error as problem:
        print(f"could not read {database}: {problem}")
        return None
    return dict(rows)


# ------------------------------------------------------------------------------ servers
def memory(servers: Servers) -> dict[str, dict[str, float]]:
    """Resident memory now and at its peak (VmHWM) of each server process, in MB."""
    figures = {}
    for name, process in servers.processes.items():
        peak = 0
        for line in Path(f"/proc/{process.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                peak = int(line.split()[1])
        figures[name] = {"rss_mb": round(rss_mb(process.pid)), "peak_mb": round(peak / 1024)}
    return figures


def load_average() -> list[float]:
    return [float(value) for value in Path("/proc/loadavg").read_text().split()[:3]]


def cases_from(path: Path) -> list[dict]:
    """The set's cause cases without red flags, one of each cause in turn (a varied mix)."""
    by_cause: dict[str, list[dict]] = {}
    for case in yaml.safe_load(path.read_text())["cases"]:
        if case.get("expect") and not case.get("red_flag"):
            by_cause.setdefault(case["expect"][0], []).append(case)
    longest = max(len(group) for group in by_cause.values())
    return [group[i] for i in range(longest) for group in by_cause.values() if i < len(group)]


def patients(cases: list[dict], count: int, start: int = 0) -> list[Patient]:
    return [Patient(cases[(start + n) % len(cases)]) for n in range(count)]


def make_servers(args: argparse.Namespace, state: Path, **options: object) -> Servers:
    """A server pair in `state` that may take `--start-timeout` seconds to load its model."""
    state.mkdir(parents=True, exist_ok=True)
    return Servers(state_dir=state, rasa_start_timeout=args.start_timeout, **options)


def running_server_token() -> str | None:
    """The token of a server started by `make serve`: LBP_API_TOKEN, else the state folder's."""
    path = Path(os.environ.get("LBP_STATE_DIR") or ROOT / "var") / "api-token"
    return os.environ.get("LBP_API_TOKEN") or (path.read_text().strip() if path.exists() else None)


def log_tails(state: Path) -> None:
    """The end of every server log under `state`, to say why a run failed."""
    for log in sorted(state.rglob("*.log")):
        lines = log.read_text(errors="replace").splitlines()[-15:]
        print(f"--- {log}", *lines, sep="\n", file=sys.stderr)


def run_ours(args: argparse.Namespace, state: Path, cases: list[dict]) -> dict:
    """Ours with the default endpoints (SQLite tracker store) and its action server."""
    servers = make_servers(args, state)
    try:
        began = time.monotonic()
        servers.start_actions()
        servers.start_rasa()
        ready = time.monotonic() - began
        token = servers.api_token
        warm_up([servers.rasa_url], patients(cases, 2, start=len(cases) // 2), "ours", token)
        profiler = start_profiler(servers, "ours") if args.profile else []
        people = patients(cases, args.conversations)
        result = asyncio.run(
            drive([servers.rasa_url], f"ours-{RUN}", people, args.timeout, args.ramp, token)
        )
        profile = stop_profiler(profiler)
        result.recorded_store = sqlite_user_counts(state / "tracker.db", result.label)
        figures = result.summary()
        figures.update(ready_s=round(ready, 1), memory=memory(servers), profile=profile)
    finally:
        servers.stop_all()
    figures["turns_list"] = [result.sent[result.sender(n)] for n in range(result.conversations)]
    return figures


def train_stock(folder: Path) -> tuple[Path, float]:
    """`rasa init --no-prompt` (scaffold, then train) in `folder`; the model and the seconds."""
    folder.mkdir(parents=True, exist_ok=True)
    began = time.monotonic()
    with open(folder.parent / "stock-train.log", "wb") as log:
        subprocess.run(
            [str(VENV_BIN / "rasa"), "init", "--no-prompt", "--init-dir", str(folder)],
            cwd=folder,
            env={**os.environ, **QUIET_ENV},
            stdout=log,
            stderr=subprocess.STDOUT,
            check=True,
        )
    return stock_model(folder), time.monotonic() - began


def stock_model(folder: Path) -> Path:
    models = sorted((folder / "models").glob("*.tar.gz"))
    if not models:
        raise FileNotFoundError(f"no trained model in {folder / 'models'}")
    return models[-1]


def run_stock(args: argparse.Namespace, state: Path, turns: list[int]) -> dict:
    """The stock assistant as `rasa init` makes it (in-memory tracker store, no action server)."""
    training_s = None
    if args.stock_dir:
        folder = Path(args.stock_dir)
        model = stock_model(folder)
    else:
        folder = state / "stock"
        model, training_s = train_stock(folder)
    servers = make_servers(
        args,
        state,
        credentials=folder / "credentials.yml",
        endpoints=folder / "endpoints.yml",
        extra_args=["--model", str(model)],
    )
    people = [StockUser(count, n) for n, count in enumerate(turns)]
    try:
        began = time.monotonic()
        servers.start_rasa()
        ready = time.monotonic() - began
        token = servers.api_token
        warm_up([servers.rasa_url], [StockUser(3, 0), StockUser(3, 1)], "stock", token)
        profiler = start_profiler(servers, "stock") if args.profile else []
        result = asyncio.run(
            drive([servers.rasa_url], f"stock-{RUN}", people, args.timeout, args.ramp, token)
        )
        profile = stop_profiler(profiler)
        figures = result.summary()
        figures.update(ready_s=round(ready, 1), memory=memory(servers), training_s=training_s)
        figures["profile"] = profile
    finally:
        servers.stop_all()
    return figures


# ------------------------------------------------------------------------------ scale-out
def scale_out_available() -> bool:
    return (ROOT / "endpoints.scale.yml").exists() and (
        ROOT / "tests" / "support" / "services.py"
    ).exists()


def run_scale_out(args: argparse.Namespace, state: Path, cases: list[dict]) -> dict:
    """One and then two Rasa servers sharing Redis and PostgreSQL, one action server."""
    from tests.support.services import PostgresServer, RedisServer

    figures: dict = {}
    with PostgresServer() as postgres, RedisServer() as redis:
        env = {**postgres.env(), **redis.env(), "LBP_REDIS_PASSWORD": ""}
        endpoints = ROOT / "endpoints.scale.yml"
        first = make_servers(args, state / "a", endpoints=endpoints, extra_env=env)
        second = make_servers(
            args,
            state / "b",
            endpoints=endpoints,
            extra_env=env,
            action_port=first.action_port,
        )
        try:
            first.start_actions()
            with ThreadPoolExecutor(2) as pool:
                for started in [pool.submit(each.start_rasa) for each in (first, second)]:
                    started.result()
            urls = [first.rasa_url, second.rasa_url]
            token = first.api_token  # the conversations are read back from the first
            warm_up(urls, patients(cases, 2, start=len(cases) // 2), "scale", token)
            for label, targets in (("one", urls[:1]), ("two", urls)):
                people = patients(cases, args.conversations)
                name = f"scale-{label}-{RUN}"
                result = asyncio.run(
                    drive(targets, name, people, args.timeout, args.ramp, token)
                )
                rows = postgres.query(
                    "SELECT sender_id, COUNT(*) FROM events WHERE type_name = 'user' "
                    "AND sender_id LIKE %s GROUP BY sender_id",
                    f"{name}-%",
                )
                result.recorded_store = dict(rows)
                figures[label] = result.summary()
            figures["memory"] = {"a": memory(first), "b": memory(second)}
        finally:
            second.stop_all()
            first.stop_all()
    return figures


# ------------------------------------------------------------------------------ profiling
def start_profiler(servers: Servers, label: str) -> list[tuple[str, subprocess.Popen, Path]]:
    """py-spy on every server process for the load phase (collapsed stacks in var/bench/)."""
    py_spy = shutil.which("py-spy") or str(VENV_BIN / "py-spy")
    out = ROOT / "var" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    running = []
    for name, process in servers.processes.items():
        path = out / f"profile-{label}-{name}.txt"
        command = [py_spy, "record", "--pid", str(process.pid), "--format", "raw"]
        command += ["--rate", "50", "--nonblocking", "--output", str(path)]
        sampler = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        running.append((name, sampler, path))
    time.sleep(1)
    return running


def stop_profiler(running: list[tuple[str, subprocess.Popen, Path]]) -> dict[str, list]:
    """Stop the samplers; the top of each server's profile."""
    summaries = {}
    for name, sampler, path in running:
        sampler.send_signal(signal.SIGINT)  # py-spy writes its output and exits
        try:
            sampler.wait(timeout=60)
        except subprocess.TimeoutExpired:
            sampler.kill()
            sampler.wait()
        if path.exists():
            summaries[name] = profile_summary(path)
    return summaries


def profile_summary(path: Path, top: int = 25) -> list[tuple[float, str]]:
    """The functions on the stack in the largest shares of samples (inclusive), from py-spy's
    collapsed stacks: where the busy time of a server process goes."""
    inclusive: Counter[str] = Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        total += int(count)
        frames = {re.sub(r":\d+\)$", ")", frame) for frame in stack.split(";")}
        for frame in frames:
            inclusive[frame] += int(count)
    shown = [(frame, n) for frame, n in inclusive.most_common() if not SERVING.search(frame)]
    return [(round(100 * n / total, 1), frame) for frame, n in shown[:top]]


# ------------------------------------------------------------------------------ report
def ratio(ours: float | None, theirs: float | None) -> float | None:
    return round(ours / theirs, 2) if ours and theirs else None


def report(figures: dict) -> None:
    ours, stock = figures["ours"], figures.get("stock")
    print(
        f"Load benchmark: {figures['conversations']} concurrent conversations over REST, "
        f"{figures['cpus']} CPUs, load average at start {figures['load_average_start']}"
    )
    rows = [
        ("conversations", "conversations", "{}"),
        ("turns sent", "turns_sent", "{}"),
        ("messages / s", "messages_per_s", "{:.2f}"),
        ("p50 latency ms", "p50_ms", "{:.1f}"),
        ("p95 latency ms", "p95_ms", "{:.1f}"),
        ("p99 latency ms", "p99_ms", "{:.1f}"),
        ("max latency ms", "max_ms", "{:.1f}"),
        ("errors", "errors", "{}"),
        ("lost turns", "lost_turns", "{}"),
        ("turns recorded twice", "extra_turns", "{}"),
        ("server ready s", "ready_s", "{}"),
    ]

    def cell(data: dict | None, key: str, form: str) -> str:
        value = (data or {}).get(key)
        return "-" if value is None else form.format(value)

    print(f"{'':24}{'ours':>12}{'stock':>12}{'ours/stock':>12}")
    for name, key, form in rows:
        value = (
            ratio(ours.get(key), (stock or {}).get(key)) if key.endswith(("_s", "_ms")) else None
        )
        print(
            f"{name:24}{cell(ours, key, form):>12}{cell(stock, key, form):>12}"
            f"{'-' if value is None else f'{value:.2f}':>12}"
        )
    for kind, data in (("ours", ours), ("stock", stock)):
        if data and data["errors"]:
            print(f"errors ({kind}): {data['errors_by_kind']}")
    for kind, data in (("ours", ours), ("stock", stock)):
        parts = [
            f"{name} {v['p50_ms']:.0f}/{v['p95_ms']:.0f} ms ({v['turns']})"
            for name, v in (data or {}).get("latency_by_kind", {}).items()
        ]
        if parts:
            print(f"p50/p95 by turn ({kind}): " + ", ".join(parts))
    mem_ours = ours.get("memory", {})
    mem_stock = (stock or {}).get("memory", {})
    print(
        "resident memory MB      "
        + ", ".join(f"{k} {v['rss_mb']} (peak {v['peak_mb']})" for k, v in mem_ours.items())
        + " | stock rasa "
        + (
            f"{mem_stock['rasa']['rss_mb']} (peak {mem_stock['rasa']['peak_mb']})"
            if mem_stock
            else "-"
        )
    )
    training = figures["training"]
    print(
        f"training                ours {training['ours']}; stock "
        + (f"{training['stock_s']:.0f} s (rasa init --no-prompt)" if training["stock_s"] else "-")
    )
    if "sqlite_check" in figures:
        print(f"lost turns (SQLite file read directly, ours): {figures['sqlite_check']}")
    report_scale_out(figures.get("scale_out"))
    for kind, data in (("ours", ours), ("stock", stock)):
        for process, lines in ((data or {}).get("profile") or {}).items():
            print(f"profile of the {kind} {process} server under load (share of busy samples):")
            print("\n".join(f"  {share:5.1f}%  {frame}" for share, frame in lines[:15]))
    for name, ok, text in figures["verdicts"]:
        print(f"{'pass' if ok else 'FAIL'}  {name}: {text}")


def report_scale_out(scale: dict | None) -> None:
    if not scale:
        return
    if "skipped" in scale:
        print(f"scale-out: {scale['skipped']}")
        return
    print("scale-out (PostgreSQL tracker store, Redis lock store, one action server):")
    for label in ("one", "two"):
        data = scale[label]
        print(
            f"  {label} Rasa server{'s' if label == 'two' else ''}: "
            f"{data['messages_per_s']:.2f} msg/s, p50 {data['p50_ms']} ms, "
            f"p95 {data['p95_ms']} ms, "
            f"errors {data['errors']}, lost turns {data['lost_turns']} "
            f"(PostgreSQL read directly: {data.get('lost_turns_store')}), "
            f"recorded twice {data['extra_turns']}"
        )
    if scale["one"]["messages_per_s"]:
        gain = scale["two"]["messages_per_s"] / scale["one"]["messages_per_s"]
        print(f"  two / one: {gain:.2f}x the throughput")


def verdicts(ours: dict, stock: dict | None) -> list[tuple[str, bool, str]]:
    found = [
        ("errors", ours["errors"] == 0, f"{ours['errors']} (target 0)"),
        ("lost turns", ours["lost_turns"] == 0, f"{ours['lost_turns']} (target 0)"),
    ]
    if stock:
        throughput = ratio(ours["messages_per_s"], stock["messages_per_s"]) or 0.0
        p95 = ratio(ours["p95_ms"], stock["p95_ms"]) or float("inf")
        found += [
            (
                "throughput ours/stock",
                throughput >= TARGETS["throughput_ratio_min"],
                f"{throughput:.2f} (target >= {TARGETS['throughput_ratio_min']:g})",
            ),
            (
                "p95 ours/stock",
                p95 <= TARGETS["p95_ratio_max"],
                f"{p95:.2f} (target <= {TARGETS['p95_ratio_max']:g})",
            ),
        ]
    return found


def measure(
    args: argparse.Namespace, state: Path, cases: list[dict], figures: dict
) -> tuple[dict, dict | None]:
    """Ours, then the stock assistant, then (when set up) one versus two Rasa servers."""
    if args.scale_out == "only":
        figures["scale_out"] = run_scale_out(args, state / "scale", cases)
        return {}, None
    ours = run_ours(args, state / "ours", cases)
    turns = ours.pop("turns_list")
    figures["ours"] = ours
    if ours.get("lost_turns_store") is not None:
        figures["sqlite_check"] = ours["lost_turns_store"]
    stock = None
    if not args.no_stock:
        stock = run_stock(args, state / "stock-run", turns)
        figures["stock"] = stock
    figures["training"] = {
        "ours": "not retrained by this bench: see docs/performance.md",
        "stock_s": (stock or {}).get("training_s"),
    }
    if args.scale_out == "auto" and scale_out_available():
        try:
            figures["scale_out"] = run_scale_out(args, state / "scale", cases)
        except RuntimeError as problem:  # e.g. PostgreSQL or Redis not installed
            figures["scale_out"] = {"skipped": f"could not run: {problem}"}
    elif args.scale_out == "auto":
        figures["scale_out"] = {
            "skipped": "endpoints.scale.yml or tests/support/services.py not there yet"
        }
    return ours, stock


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=50)
    parser.add_argument("--set", default="bench/vignettes.yml", help="vignettes for ours")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per turn")
    parser.add_argument(
        "--ramp", type=float, default=0.0, help="spread the conversations' starts over S seconds"
    )
    parser.add_argument("--json", default="var/bench/load.json")
    parser.add_argument("--stock-dir", help="reuse a trained `rasa init` folder (no training)")
    parser.add_argument("--no-stock", action="store_true", help="ours only")
    parser.add_argument(
        "--scale-out",
        choices=("auto", "off", "only"),
        default="auto",
        help="one vs two Rasa servers when set up (only: nothing else)",
    )
    parser.add_argument("--profile", action="store_true", help="py-spy the servers under load")
    parser.add_argument(
        "--start-timeout", type=float, default=900.0, help="seconds a Rasa server may take to load"
    )
    parser.add_argument(
        "--url", help="only drive an already running server of ours (e.g. `make serve`) and stop"
    )
    parser.add_argument(
        "--token",
        help="with --url: its HTTP API token (default: LBP_API_TOKEN, else var/api-token)",
    )
    args = parser.parse_args()
    cases = cases_from(ROOT / args.set)
    if args.url:
        people = patients(cases, args.conversations)
        token = args.token or running_server_token()
        result = asyncio.run(drive([args.url], f"ours-{RUN}", people, args.timeout, token=token))
        print(json.dumps(result.summary(), indent=2))
        return
    figures: dict = {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "command": " ".join([".venv/bin/python", "bench/load_bench.py", *sys.argv[1:]]),
        "conversations": args.conversations,
        "ramp_s": args.ramp,
        "cpus": os.cpu_count(),
        "load_average_start": load_average(),
    }
    with tempfile.TemporaryDirectory(prefix="lbp-load-") as scratch:
        state = Path(scratch)
        try:
            ours, stock = measure(args, state, cases, figures)
        except Exception:
            log_tails(state)
            raise
    figures["load_average_end"] = load_average()
    if ours:
        figures["ratios"] = {
            "throughput_ours_over_stock": ratio(
                ours["messages_per_s"], (stock or {}).get("messages_per_s")
            ),
            "p95_ours_over_stock": ratio(ours["p95_ms"], (stock or {}).get("p95_ms")),
        }
        figures["verdicts"] = verdicts(ours, stock)
    out = ROOT / args.json
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(figures, indent=2) + "\n")
    if ours:
        report(figures)
    else:
        report_scale_out(figures["scale_out"])
    print(f"written {out}")


if __name__ == "__main__":
    main()
