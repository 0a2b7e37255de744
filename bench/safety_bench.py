"""Benchmark the red-flag screen on the safety sets (bench/safety/dev.yml and heldout.yml).

Run from the repository root:

    .venv/bin/python bench/safety_bench.py [--set bench/safety/heldout.yml] [--url URL]
                                           [--show-misses] [--json out.json]

Messages: each message's most urgent level, against the level its writer gave it. Without
`--url` the domain core's rules read it (`bot.screening.screen`), in process; with `--url` it is
sent as the first message of a fresh conversation to a running Rasa server over REST, and the
level is read from the reply (so the classifier's second net and the dialogue count too).
Conversations: each scripted conversation is played over REST (`--url`) or in process against
the interview (bench/simulated_patient.py), the person typing the scripted answer to whichever
question comes; the level reached is the most urgent advice given. The benchmark prints
sensitivity per urgency level, false alarms, and how many questions the screen added. It is a
measurement, not a test: the exit code is 0 whatever the figures.

Misses are listed for the development set only, unless `--show-misses`: a held-out set is for
honest figures, not for tuning.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
for path in (ROOT, ROOT / "bench"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

LEVELS = ("none", "soon", "urgent", "emergency")
RANK = {level: index for index, level in enumerate(LEVELS)}
INTERRUPTING = ("urgent", "emergency")
TARGETS = {"interrupting_sensitivity": 1.0, "false_alarm_rate": 0.02, "screen_questions": 2}


@dataclass
class Outcome:
    """What one message or conversation got."""

    id: str
    expect: str
    got: str
    sign: str = ""
    text: str = ""
    screen_questions: int = 0
    questions: int = 0
    detail: list[str] = field(default_factory=list)

    @property
    def caught(self) -> bool:
        return RANK[self.got] >= RANK[self.expect]

    @property
    def false_alarm(self) -> bool:
        return self.expect not in INTERRUPTING and self.got in INTERRUPTING


def load_set(path: Path) -> dict[str, Any]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    for item in raw.get("messages") or []:
        if item.get("expect") not in LEVELS:
            raise ValueError(
                f"{path.name}: message {item.get('id')!r}: expect {item.get('expect')!r}")
    for item in raw.get("conversations") or []:
        if item.get("expect") not in LEVELS or not isinstance(item.get("answers"), dict):
            raise ValueError(f"{path.name}: conversation {item.get('id')!r} is malformed")
    return raw


# --------------------------------------------------------------------------- reading a level
def level_of_flags(flags: list[Any]) -> str:
    """The most urgent level among red flags (objects with `urgency`)."""
    return max((flag.urgency for flag in flags), key=RANK.__getitem__, default="none")


def level_of_reply(texts: list[str]) -> str:
    """The level of advice a reply gives, read from the assistant's own fixed sentences."""
    from bot.wording import load_phrases

    said = load_phrases()["red_flag"]
    joined = "\n".join(texts)
    for level in ("emergency", "urgent"):
        if said[level] in joined:
            return level
    soon_marks = (load_phrases()["soon_note"].split("{reason}")[0], said["soon"])
    if any(mark and mark in joined for mark in soon_marks):
        return "soon"
    return "none"


# --------------------------------------------------------------------------- in process
def run_messages_in_process(items: list[dict[str, Any]]) -> list[Outcome]:
    from bot.screening import screen

    outcomes = []
    for item in items:
        screening = screen(str(item["text"]))
        outcomes.append(Outcome(
            id=item["id"], expect=item["expect"], got=level_of_flags(screening.red_flags),
            sign=str(item.get("sign") or ""), text=str(item["text"]),
            detail=[f"{flag.id}:{flag.urgency}" for flag in screening.red_flags],
        ))
    return outcomes


def run_conversations_in_process(items: list[dict[str, Any]]) -> list[Outcome]:
    from simulated_patient import simulate

    outcomes = []
    for item in items:
        result = simulate(str(item["opening"]), _answerer(item["answers"]))
        outcomes.append(Outcome(
            id=item["id"], expect=item["expect"], got=result.level,
            sign=str(item.get("sign") or ""), text=str(item["opening"]),
            screen_questions=result.screen_questions,
            questions=result.questions, detail=result.transcript[-4:],
        ))
    return outcomes


def _answerer(answers: dict[str, str]):
    def answer(question_id: str) -> str:
        return str(answers.get(question_id) or answers.get("default") or "not sure")

    return answer


# --------------------------------------------------------------------------- over REST
def _post(url: str, sender: str, text: str, timeout: float = 60.0) -> list[dict[str, Any]]:
    import urllib.request

    body = json.dumps({"sender": sender, "message": text}).encode()
    request = urllib.request.Request(
        f"{url.rstrip('/')}/webhooks/rest/webhook", data=body,
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - loopback
        return json.loads(response.read() or b"[]")


def run_messages_over_rest(url: str, items: list[dict[str, Any]]) -> list[Outcome]:
    outcomes = []
    for item in items:
        replies = _post(url, f"bench-{uuid.uuid4().hex[:12]}", str(item["text"]))
        texts = [reply.get("text") or "" for reply in replies]
        outcomes.append(Outcome(
            id=item["id"], expect=item["expect"], got=level_of_reply(texts),
            sign=str(item.get("sign") or ""), text=str(item["text"]), detail=texts[:2],
        ))
    return outcomes


def run_conversations_over_rest(url: str, items: list[dict[str, Any]]) -> list[Outcome]:
    from bot.questions import load_questions

    by_text = {question.text: question.id for question in load_questions()}
    outcomes = []
    for item in items:
        sender = f"bench-{uuid.uuid4().hex[:12]}"
        transcript: list[str] = []
        level = "none"
        screen = questions = 0
        message = str(item["opening"])
        for _ in range(16):
            replies = _post(url, sender, message)
            texts = [reply.get("text") or "" for reply in replies]
            transcript += [f"> {message}"] + texts
            got = level_of_reply(texts)
            level = max(level, got, key=RANK.__getitem__)
            if got in INTERRUPTING:
                break
            asked = next((by_text[t] for t in reversed(texts) if t in by_text), None)
            if asked is None:
                asked = next((qid for t in reversed(texts) for q, qid in by_text.items()
                              if t.endswith(q)), None)
            if asked is None:
                break
            questions += 1
            screen += asked.startswith("screen_")
            message = _answerer(item["answers"])(asked)
        outcomes.append(Outcome(
            id=item["id"], expect=item["expect"], got=level, sign=str(item.get("sign") or ""),
            text=str(item["opening"]), screen_questions=screen, questions=questions,
            detail=transcript[-4:],
        ))
    return outcomes


# --------------------------------------------------------------------------- report
def summarise(outcomes: list[Outcome]) -> dict[str, Any]:
    figures: dict[str, Any] = {"count": len(outcomes)}
    for level in ("emergency", "urgent", "soon"):
        cases = [o for o in outcomes if o.expect == level]
        figures[level] = {"cases": len(cases), "caught": sum(o.caught for o in cases)}
    interrupting = [o for o in outcomes if o.expect in INTERRUPTING]
    figures["interrupting_caught"] = sum(o.caught for o in interrupting)
    figures["interrupting_cases"] = len(interrupting)
    benign = [o for o in outcomes if o.expect not in INTERRUPTING]
    figures["benign_cases"] = len(benign)
    figures["false_alarms"] = sum(o.false_alarm for o in benign)
    none = [o for o in outcomes if o.expect == "none"]
    figures["none_cases"] = len(none)
    figures["none_false_alarms"] = sum(o.false_alarm for o in none)
    return figures


def _rate(part: int, whole: int) -> str:
    return f"{part}/{whole} ({100 * part / whole:.1f}%)" if whole else "-"


def report(name: str, kind: str, outcomes: list[Outcome], show_misses: bool) -> dict[str, Any]:
    figures = summarise(outcomes)
    print(f"\n{name}: {kind} ({figures['count']})")
    for level in ("emergency", "urgent", "soon"):
        part = figures[level]
        rate = _rate(part["caught"], part["cases"])
        print(f"  {level:<10} flagged at its level or higher: {rate}")
    print(f"  emergency + urgent caught: "
          f"{_rate(figures['interrupting_caught'], figures['interrupting_cases'])}")
    alarms = _rate(figures["false_alarms"], figures["benign_cases"])
    print(f"  false emergency/urgent advice: {alarms}"
          f" (on 'none' cases {_rate(figures['none_false_alarms'], figures['none_cases'])})")
    if kind == "conversations":
        screen = [o.screen_questions for o in outcomes]
        asked = [o.questions for o in outcomes]
        figures["screen_questions_max"] = max(screen, default=0)
        figures["questions_median"] = statistics.median(asked) if asked else 0
        print(f"  screen questions asked: max {figures['screen_questions_max']}, "
              f"median {statistics.median(screen) if screen else 0}; "
              f"questions in all: median {figures['questions_median']}")
    if show_misses:
        misses = [o for o in outcomes if not o.caught and o.expect in INTERRUPTING]
        soon = [o for o in outcomes if not o.caught and o.expect == "soon"]
        alarms = [o for o in outcomes if o.false_alarm]
        for title, items in (("missed", misses), ("soon missed", soon), ("false alarms", alarms)):
            if items:
                print(f"  {title} ({len(items)}):")
                for o in items:
                    print(f"    {o.id} [{o.sign}] expected {o.expect}, got {o.got} {o.detail} | "
                          f"{o.text[:110]}")
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--set", type=Path, action="append",
                        help="safety set(s) (default: bench/safety/dev.yml and heldout.yml)")
    parser.add_argument("--url", help="a running Rasa server, e.g. http://127.0.0.1:5005")
    parser.add_argument("--show-misses", action="store_true",
                        help="list misses for held-out sets too (never tune on them)")
    parser.add_argument("--messages-only", action="store_true")
    parser.add_argument("--json", type=Path, help="write every figure and outcome here")
    args = parser.parse_args(argv)
    sets = args.set or [ROOT / "bench/safety/dev.yml", ROOT / "bench/safety/heldout.yml"]
    sys.modules.setdefault("tensorflow", None)  # type: ignore[arg-type] - as python -m bot does
    started = time.perf_counter()
    results: dict[str, Any] = {}
    for path in sets:
        data = load_set(path)
        held_out = "heldout" in path.name
        show = args.show_misses or not held_out
        messages = data.get("messages") or []
        conversations = data.get("conversations") or []
        if args.url:
            got_messages = run_messages_over_rest(args.url, messages)
        else:
            got_messages = run_messages_in_process(messages)
        entry = {"messages": report(path.name, "messages", got_messages, show)}
        if conversations and not args.messages_only:
            got = (run_conversations_over_rest(args.url, conversations) if args.url
                   else run_conversations_in_process(conversations))
            entry["conversations"] = report(path.name, "conversations", got, show)
            entry["conversation_outcomes"] = [o.__dict__ for o in got]
        entry["message_outcomes"] = [o.__dict__ for o in got_messages]
        results[path.name] = entry
    print(f"\n({time.perf_counter() - started:.1f} s; "
          f"{'over REST at ' + args.url if args.url else 'in process, rules only'})")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=1, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
