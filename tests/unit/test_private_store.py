"""The private tracker store on SQLite and on a real PostgreSQL server, checked by reading its SQL.

"Forget me" deletes a person's conversation for real, "start over" does not, and retention
removes only conversations whose latest event is older than N days.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    Event,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from store import retention
from store.tracker_store import PrivateTrackerStore, asks_to_forget
from tests.support.services import PostgresServer

ROOT = Path(__file__).resolve().parents[2]
DAY = 86_400.0


@dataclass
class Backend:
    """A tracker store and a direct SQL reader of the same database."""

    store: PrivateTrackerStore
    sql: Callable[[str, tuple], list[tuple]]
    settings: dict[str, object]  # what opened `store`, to open Rasa's own store beside it

    def senders(self) -> dict[str, int]:
        rows = self.sql("SELECT sender_id, COUNT(*) FROM events GROUP BY sender_id", ())
        return dict(rows)

    def texts_of(self, sender: str) -> list[str]:
        rows = self.sql("SELECT data FROM events WHERE sender_id = %s", (sender,))
        return [data for (data,) in rows]


@pytest.fixture(scope="module")
def postgres() -> Iterator[PostgresServer]:
    with PostgresServer() as server:
        yield server


def sqlite_backend(path: Path, **kwargs: object) -> Backend:
    settings: dict[str, object] = {"dialect": "sqlite", "db": str(path)}
    store = PrivateTrackerStore(domain=Domain.empty(), **settings, **kwargs)

    def sql(statement: str, params: tuple) -> list[tuple]:
        with sqlite3.connect(path) as connection:
            return connection.execute(statement.replace("%s", "?"), params).fetchall()

    return Backend(store, sql, settings)


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    if request.param == "sqlite":
        return sqlite_backend(tmp_path / "tracker.db", retention_days="")
    server: PostgresServer = request.getfixturevalue("postgres")
    settings: dict[str, object] = {
        "dialect": "postgresql",
        "host": server.host,
        "port": server.port,
        "username": server.user,
        "password": server.password,
        "db": server.database,
    }
    store = PrivateTrackerStore(domain=Domain.empty(), retention_days="", **settings)
    server.query("DELETE FROM events")
    return Backend(store, lambda statement, params: server.query(statement, *params), settings)


def turn(text: str, action: str, *returned: Event, at: float | None = None) -> list[Event]:
    """One turn as Rasa's processor logs it: the message, the action, its events, a listen."""
    at = time.time() if at is None else at
    return [
        UserUttered(text, timestamp=at),
        ActionExecuted(action, timestamp=at),
        *returned,
        ActionExecuted("action_listen", timestamp=at),
    ]


async def play(store: PrivateTrackerStore, sender: str, events: list[Event]) -> None:
    """Retrieve, update and save the way the processor does for one turn."""
    tracker = await store.retrieve(sender) or DialogueStateTracker(sender, slots=[])
    for event in events:
        tracker.update(event)
    await store.save(tracker)


def session_start(at: float | None = None) -> list[Event]:
    at = time.time() if at is None else at
    return [
        ActionExecuted("action_session_start", timestamp=at),
        SessionStarted(timestamp=at),
        ActionExecuted("action_listen", timestamp=at),
    ]


async def conversation(store: PrivateTrackerStore, sender: str, text: str, at: float) -> None:
    await play(store, sender, session_start(at) + turn(text, "action_record_description", at=at))


FORGET = turn("please forget me", "action_forget_me", BotUttered("Done."), Restarted())


async def test_forget_me_deletes_every_stored_event_of_that_sender(backend: Backend) -> None:
    now = time.time()
    await conversation(backend.store, "alice", "my back hurts zarquon", now - 600)
    # A second session: the forget-me must reach back past it.
    await play(backend.store, "alice", session_start(now - 60) + turn("hello", "utter_greet"))
    await conversation(backend.store, "bob", "my hip aches", now)
    assert backend.senders()["alice"] > 10

    await play(backend.store, "alice", FORGET)

    assert "alice" not in backend.senders()
    assert backend.texts_of("alice") == []
    assert backend.senders()["bob"] == 6
    assert await backend.store.retrieve("alice") is None


async def test_a_person_forgotten_starts_afresh(backend: Backend) -> None:
    await conversation(backend.store, "alice", "my back hurts zarquon", time.time())
    await play(backend.store, "alice", FORGET)
    await conversation(backend.store, "alice", "it is my knee now", time.time())

    stored = " ".join(backend.texts_of("alice"))
    assert backend.senders() == {"alice": 6}
    assert "knee" in stored and "zarquon" not in stored


async def test_turns_are_stored_and_read_back_exactly_as_rasas_own_store_does(
    backend: Backend,
) -> None:
    """The prepared statements replace Rasa's ORM queries: same rows, same trackers."""
    rasa_store = SQLTrackerStore(domain=Domain.empty(), **backend.settings)
    now = time.time()
    turns = [
        session_start(now - 600) + turn("my back hurts", "action_record_description", at=now - 600),
        turn("yes", "interview_form", SlotSet("answer", "yes"), at=now - 590),
        # A new session: only its events are the tracker's, and only new events are appended.
        session_start(now - 60) + turn("hello again", "utter_greet", at=now - 60),
        turn("thanks", "utter_thank", at=now - 50),
    ]
    for events in turns:
        await play(backend.store, "ours", events)
        await play(rasa_store, "rasa", events)

    def rows(sender: str) -> list[tuple]:
        return backend.sql(
            "SELECT type_name, timestamp, intent_name, action_name, data FROM events"
            " WHERE sender_id = %s ORDER BY id",
            (sender,),
        )

    assert len(rows("ours")) == sum(len(events) for events in turns)
    assert rows("ours") == rows("rasa")
    for read in ("retrieve", "retrieve_full_tracker"):
        ours = await getattr(backend.store, read)("ours")
        theirs = await getattr(rasa_store, read)("ours")
        assert ours is not None and theirs is not None
        assert list(ours.events) == list(theirs.events)
    latest = await backend.store.retrieve("ours")
    assert latest is not None and [e.text for e in latest.events if isinstance(e, UserUttered)] == [
        "hello again",
        "thanks",
    ]
    assert await backend.store.retrieve("nobody") is None


async def test_start_over_and_a_failed_forget_me_keep_the_conversation(backend: Backend) -> None:
    await conversation(backend.store, "alice", "my back hurts zarquon", time.time())
    await play(backend.store, "alice", turn("start over", "action_start_over", Restarted()))
    # The action server was down: the action is logged without its events, nobody was told
    # they were forgotten, so nothing is deleted.
    await play(backend.store, "alice", turn("forget me", "action_forget_me"))

    assert backend.senders() == {"alice": 6 + 4 + 3}
    assert any("zarquon" in data for data in backend.texts_of("alice"))


async def test_prune_removes_only_conversations_idle_for_longer_than_n_days(
    backend: Backend,
) -> None:
    now = time.time()
    await conversation(backend.store, "old", "stale story", now - 40 * DAY)
    await conversation(backend.store, "fresh", "new story", now - 2 * DAY)
    # Started long ago but still going: its latest event is recent, so it is kept whole.
    await conversation(backend.store, "ongoing", "long story", now - 90 * DAY)
    await play(backend.store, "ongoing", turn("still here", "utter_greet", at=now - DAY))

    assert backend.store.prune(30, now=now) == (1, 6)
    assert set(backend.senders()) == {"fresh", "ongoing"}
    assert backend.senders()["ongoing"] == 9
    assert backend.store.prune(30, now=now) == (0, 0)


async def test_deleted_text_is_gone_from_the_sqlite_file_itself(tmp_path: Path) -> None:
    path = tmp_path / "tracker.db"
    backend = sqlite_backend(path, retention_days="")
    await conversation(backend.store, "alice", "my back hurts zarquon", time.time())
    await conversation(backend.store, "bob", "my hip aches", time.time())
    assert b"zarquon" in stored_bytes(path)

    await play(backend.store, "alice", FORGET)

    # secure_delete overwrote the freed pages, and the write-ahead log was emptied
    assert b"zarquon" not in stored_bytes(path)
    assert b"my hip aches" in stored_bytes(path)


def stored_bytes(path: Path) -> bytes:
    """The SQLite database file and its write-ahead log, as they are on disk."""
    wal = path.with_name(path.name + "-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


async def test_retention_prunes_when_the_store_starts(tmp_path: Path) -> None:
    path = tmp_path / "tracker.db"
    first = sqlite_backend(path, retention_days="")
    await conversation(first.store, "old", "stale story", time.time() - 10 * DAY)
    await conversation(first.store, "fresh", "new story", time.time())

    restarted = sqlite_backend(path, retention_days="7")

    assert set(restarted.senders()) == {"fresh"}
    assert restarted.store.retention_days == 7


def test_retention_reads_the_environment_and_rejects_nonsense(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(retention.DAYS_ENV, "0.5")
    assert sqlite_backend(tmp_path / "a.db").store.retention_days == 0.5
    for bad in ("soon", "0", "-3", "nan"):
        monkeypatch.setenv(retention.DAYS_ENV, bad)
        with pytest.raises(ValueError, match=f"LBP_RETENTION_DAYS must be .* not '{bad}'"):
            sqlite_backend(tmp_path / "b.db")
    monkeypatch.setenv(retention.DAYS_ENV, "")
    assert sqlite_backend(tmp_path / "c.db").store.retention_days is None


def test_asks_to_forget_needs_the_restart_of_the_forget_me_action_itself() -> None:
    assert asks_to_forget(FORGET)
    assert not asks_to_forget(turn("forget me", "action_forget_me"))
    assert not asks_to_forget(turn("start over", "action_start_over", Restarted()))
    assert not asks_to_forget(
        turn("forget me", "action_forget_me") + turn("restart", "action_restart", Restarted())
    )


def run_cli(*args: str, db: Path, **env: str | None) -> subprocess.CompletedProcess:
    """`python -m store ARGS` with the default endpoints file; a None value unsets a variable."""
    environ: dict[str, str | None] = {
        "PATH": "/usr/bin:/bin",
        "LBP_TRACKER_DB": str(db),
        "ACTION_ENDPOINT_URL": "http://127.0.0.1:9/webhook",
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        "PYTHONWARNINGS": "ignore",
        **env,
    }
    return subprocess.run(
        [sys.executable, "-m", "store", *args],
        cwd=ROOT,
        env={name: value for name, value in environ.items() if value is not None},
        capture_output=True,
        text=True,
        timeout=120,
    )


async def test_the_command_prunes_and_forgets_the_store_of_the_endpoints_file(
    tmp_path: Path,
) -> None:
    path = tmp_path / "tracker.db"
    backend = sqlite_backend(path, retention_days="")
    await conversation(backend.store, "old", "stale story", time.time() - 40 * DAY)
    await conversation(backend.store, "fresh", "new story", time.time())
    await conversation(backend.store, "asked-by-email", "forget me please", time.time())

    pruned = run_cli("prune", db=path, LBP_RETENTION_DAYS="30")
    forgot = run_cli("forget", "asked-by-email", db=path)

    assert pruned.returncode == 0, pruned.stderr
    assert "Deleted 1 conversations (6 events) older than 30 days" in pruned.stdout
    assert forgot.returncode == 0, forgot.stderr
    assert "Deleted 6 events" in forgot.stdout
    assert set(backend.senders()) == {"fresh"}


def test_the_command_explains_a_missing_or_bad_setting(tmp_path: Path) -> None:
    missing = run_cli("prune", db=tmp_path / "t.db")
    bad = run_cli("prune", "--days", "a week", db=tmp_path / "t.db")
    no_env = run_cli("prune", "--days", "3", db=tmp_path / "t.db", ACTION_ENDPOINT_URL=None)

    assert missing.returncode == 2 and "give --days N or set LBP_RETENTION_DAYS" in missing.stderr
    assert bad.returncode == 2 and "must be a number of days" in bad.stderr
    assert no_env.returncode != 0 and "make prune" in no_env.stderr
    assert "Traceback" not in missing.stderr + bad.stderr + no_env.stderr


def test_every_endpoints_file_uses_the_private_store(
    tmp_path: Path, postgres: PostgresServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rasa falls back to an in-memory store, silently, when a store type fails to import."""
    from rasa.core.tracker_store import TrackerStore
    from rasa.utils.endpoints import read_endpoint_config

    env = {
        **postgres.env(),
        "LBP_TRACKER_DB": str(tmp_path / "tracker.db"),
        "ACTION_ENDPOINT_URL": "http://127.0.0.1:9/webhook",
        "LBP_REDIS_HOST": "127.0.0.1",
        "LBP_REDIS_PORT": "9",
        "LBP_REDIS_PASSWORD": "",
        "LBP_RETENTION_DAYS": "",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    files = sorted(ROOT.glob("endpoints*.yml"))
    dialects = set()
    for path in files:
        config = read_endpoint_config(str(path), "tracker_store")
        store = TrackerStore.create(config, Domain.empty())
        assert isinstance(store, PrivateTrackerStore), path.name
        assert store.engine.dialect.name == config.kwargs["dialect"]
        dialects.add(config.kwargs["dialect"])
    assert {"endpoints.yml", "endpoints.postgres.yml"} <= {path.name for path in files}
    assert dialects == {"sqlite", "postgresql"}


class CountingStore:
    """Stands in for the store to count prunes; the second prune fails like a lost database."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    def prune(self, older_than_days: float, now: float | None = None) -> tuple[int, int]:
        self.calls.append(older_than_days)
        if len(self.calls) == 2:
            raise ConnectionError("database unreachable")
        return 1, 3


def test_retention_prunes_periodically_survives_errors_and_ends_with_the_store() -> None:
    store = CountingStore()
    thread = retention.start(store, 7, every=0.05)
    assert store.calls == [7]  # at once, before the server takes its first message
    deadline = time.monotonic() + 30
    while len(store.calls) < 4 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(store.calls) >= 4 and thread.is_alive()  # the failed second prune did not stop it

    del store
    thread.join(timeout=30)
    assert not thread.is_alive()
