"""Forget-me while another program reads the SQLite file (a backup, `sqlite3` in a terminal).

The reader's open transaction keeps SQLite from emptying its write-ahead log, which still holds
copies of the deleted text. The deletion must not wait for it (holding every other conversation
up), the log must say the clean-up could not finish yet, and it must finish once the reader is
gone, without another deletion.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, Event, Restarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from store.tracker_store import PrivateTrackerStore

# Longer than any step of a turn takes here, shorter than SQLite's default 5 s busy wait.
SLOW_STEP_S = 2.5


def turn(text: str, action: str, *returned: Event) -> list[Event]:
    now = time.time()
    return [
        UserUttered(text, timestamp=now),
        ActionExecuted(action, timestamp=now),
        *returned,
        ActionExecuted("action_listen", timestamp=now),
    ]


async def play(store: PrivateTrackerStore, sender: str, events: list[Event]) -> None:
    tracker = await store.retrieve(sender) or DialogueStateTracker(sender, slots=[])
    for event in events:
        tracker.update(event)
    await store.save(tracker)


FORGET = turn("forget me", "action_forget_me", BotUttered("Done."), Restarted())


def on_disk(path: Path) -> bytes:
    wal = path.with_name(path.name + "-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


@pytest.fixture
def reader(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    """A connection that will hold a read transaction open on the store's file."""
    connection = sqlite3.connect(tmp_path / "tracker.db", isolation_level=None)
    yield connection
    connection.close()


async def test_forget_me_beside_a_reader_holds_nobody_up_and_cleans_up_once_it_is_gone(
    tmp_path: Path, reader: sqlite3.Connection, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "tracker.db"
    store = PrivateTrackerStore(domain=Domain.empty(), dialect="sqlite", db=str(path))
    await play(store, "alice", turn("my back hurts zarquon", "action_record_description"))
    await play(store, "bob", turn("my hip aches", "action_record_description"))
    reader.execute("BEGIN")
    before = reader.execute("SELECT COUNT(*) FROM events").fetchone()[0]  # a snapshot, held

    loop = asyncio.get_running_loop()
    loop.set_debug(True)  # asyncio logs every step that keeps the loop busy for too long
    loop.slow_callback_duration = SLOW_STEP_S
    caplog.set_level(logging.INFO)
    await asyncio.sleep(0)  # the loop times the steps that start from now on
    try:
        await play(store, "alice", FORGET)
        await play(store, "bob", turn("still there?", "utter_greet"))  # the others go on
        await asyncio.sleep(0)  # ends the step, so that it is timed too
    finally:
        loop.set_debug(False)

    slow = [r for r in caplog.records if r.name == "asyncio" and "took" in r.getMessage()]
    assert slow == [], "a step of the turn kept the event loop busy"
    assert reader.execute("SELECT COUNT(*) FROM events").fetchone()[0] == before  # still reading
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("could not be emptied yet" in w for w in warnings), warnings
    assert store.wal_cleaner is not None and store.wal_cleaner.failures >= 1
    assert "zarquon" not in str(await store.retrieve("alice"))

    reader.execute("COMMIT")  # the reader is done: the clean-up can finish now

    assert await loop.run_in_executor(None, store.wait_for_clean_log, 60)
    assert b"zarquon" not in on_disk(path)
    assert b"my hip aches" in on_disk(path)
    assert any("empty again" in r.getMessage() for r in caplog.records if r.levelno == logging.INFO)


async def test_without_a_reader_the_log_is_emptied_within_the_turn(tmp_path: Path) -> None:
    path = tmp_path / "tracker.db"
    store = PrivateTrackerStore(domain=Domain.empty(), dialect="sqlite", db=str(path))
    await play(store, "alice", turn("my back hurts zarquon", "action_record_description"))
    await play(store, "alice", FORGET)
    assert store.wal_cleaner is not None and store.wal_cleaner.failures == 0
    assert store.wait_for_clean_log(0)
    assert b"zarquon" not in on_disk(path)
