"""Rasa's SQL tracker store (SQLite or PostgreSQL) that deletes conversations for real.

Configured in the endpoints files as `type: store.tracker_store.PrivateTrackerStore` with the same
keys as Rasa's `type: SQL`. On top of Rasa's store it

- deletes every stored event of a sender, in one transaction, when a saved turn holds a completed
  "forget me" (`action_forget_me` followed by `Restarted`), and stores nothing of that turn;
- prunes conversations whose latest event is older than `LBP_RETENTION_DAYS` days, at start and
  then periodically (see `store.retention`);
- reads and writes a turn's events with statements prepared once (SQLAlchemy Core) instead of
  Rasa's per-call ORM queries and objects, the same rows in the same order (~8 ms less a turn);
- turns on SQLite's `secure_delete`, so deleted rows are overwritten in the database file instead
  of lingering in its free pages, and its write-ahead log: each turn then costs one fsync instead
  of the rollback journal's several (15 to 5 ms per commit here) while `synchronous = FULL` still
  makes every committed turn survive a crash or power cut. After a deletion the log is emptied
  off the event loop, and again until that succeeds (`store.wal_cleaner`), so a reader of the
  file elsewhere holds up neither the other conversations nor the clean-up for long;
- tells a channel watching the turn that the conversation was deleted (`store.forgotten`).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import time
from collections.abc import Iterable, Iterator
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import ActionExecuted, Event, Restarted, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from store import forgotten, retention
from store.wal_cleaner import WalCleaner

logger = logging.getLogger(__name__)

FORGET_ME_ACTION = "action_forget_me"
SECONDS_PER_DAY = 86_400.0


def asks_to_forget(events: Iterable[Event]) -> bool:
    """Whether `events` hold a completed "forget me": `action_forget_me`, then its `Restarted`.

    `Restarted` must come from that action (before any other action runs): a "start over" restarts
    too, and must not delete anything. If the action server failed, the action logs no `Restarted`,
    the person was not told they were forgotten, and nothing is deleted.
    """
    forgetting = False
    for event in events:
        if isinstance(event, ActionExecuted):
            forgetting = event.action_name == FORGET_ME_ACTION
        elif forgetting and isinstance(event, Restarted):
            return True
    return False


def _configure_sqlite(dbapi_connection: Any, _connection_record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA secure_delete = ON")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = FULL")
    cursor.close()


class PrivateTrackerStore(SQLTrackerStore):
    """A SQL tracker store that forgets a person on request and forgets everyone after N days."""

    def __init__(self, *args: Any, retention_days: float | str | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if self.engine.dialect.name == "sqlite":
            # Rasa opens and closes a SQLite connection per query (NullPool); a small pool of open
            # connections lets the write-ahead log work instead of being checkpointed at each close.
            self.engine.dispose()
            self.engine = sa.create_engine(
                self.engine.url,
                poolclass=sa.pool.QueuePool,
                # The pool lends a connection to one thread at a time (retention runs in its own).
                connect_args={"check_same_thread": False},
            )
            sa.event.listen(self.engine, "connect", _configure_sqlite)
            self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        database = self.engine.url.database
        self.wal_cleaner = (
            WalCleaner(database)
            if self.engine.dialect.name == "sqlite" and database not in (None, "", ":memory:")
            else None
        )
        self._session_events = self._events_query(all_sessions=False)
        self._all_events = self._events_query(all_sessions=True)
        self._count_session_events = sa.select(sa.func.count()).select_from(
            self._session_events.subquery()
        )
        self.retention_days = retention.parse_days(
            retention_days if retention_days is not None else retention.days_from_env()
        )
        if self.retention_days is not None:
            retention.start(self, self.retention_days)

    def _events_query(self, all_sessions: bool) -> sa.sql.Select:
        """The stored events (JSON) of the sender bound as `sender_id`, in order: Rasa's
        `_event_query` as one prepared statement. Unless `all_sessions`, only those from the
        latest `SessionStarted` on (all of them when there is none)."""
        events = self.SQLEvent.__table__
        sender = sa.bindparam("sender_id")
        query = sa.select(events.c.data).where(events.c.sender_id == sender)
        if not all_sessions:
            session_start = (
                sa.select(sa.func.max(events.c.timestamp))
                .where(events.c.sender_id == sender)
                .where(events.c.type_name == SessionStarted.type_name)
                .scalar_subquery()
            )
            query = query.where(
                sa.or_(events.c.timestamp >= session_start, session_start.is_(None))
            )
        return query.order_by(events.c.id)

    async def _retrieve(
        self, sender_id: str, fetch_events_from_all_sessions: bool
    ) -> DialogueStateTracker | None:
        """The sender's tracker from its stored events (latest session or all), or None."""
        query = self._all_events if fetch_events_from_all_sessions else self._session_events
        with self.session_scope() as session:
            rows = session.execute(query, {"sender_id": sender_id}).scalars().all()
        if not self.domain or not rows:
            return None
        events = [json.loads(data) for data in rows]
        return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator[Event]:
        """The tracker's events not stored yet (those past the stored ones of its session)."""
        stored = session.execute(
            self._count_session_events, {"sender_id": tracker.sender_id}
        ).scalar_one()
        return itertools.islice(tracker.events, stored, None)

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Append the turn's new events, or delete the whole conversation on "forget me"."""
        with self.session_scope() as session:
            new_events = list(self._additional_events(session, tracker))
            forgetting = asks_to_forget(new_events)
            if forgetting:
                deleted = self._delete_senders(session, [tracker.sender_id])
            else:
                await self.stream_events(tracker)
                if new_events:
                    session.execute(
                        self.SQLEvent.__table__.insert(),
                        [self._row(tracker.sender_id, event) for event in new_events],
                    )
            session.commit()
        if forgetting:
            forgotten.note(tracker.sender_id)
            logger.info("Forgot a conversation on request: %d stored events deleted", deleted)
            # Off the event loop: the other conversations go on meanwhile.
            await asyncio.get_running_loop().run_in_executor(None, self._drop_deleted_pages)
        else:
            logger.debug("Stored %d new events of a conversation", len(new_events))

    @staticmethod
    def _row(sender_id: str, event: Event) -> dict[str, Any]:
        """The columns Rasa's store writes for one event."""
        data = event.as_dict()
        return {
            "sender_id": sender_id,
            "type_name": event.type_name,
            "timestamp": data.get("timestamp"),
            "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
            "action_name": data.get("name"),
            "data": json.dumps(data),
        }

    def _delete_senders(self, session: Any, sender_ids: list[str]) -> int:
        events = self.SQLEvent.__table__
        result = session.execute(events.delete().where(events.c.sender_id.in_(sender_ids)))
        return result.rowcount

    def _drop_deleted_pages(self) -> None:
        """On SQLite, move the write-ahead log into the database file (where `secure_delete` has
        zeroed the deleted rows) and empty it, so no copy of deleted text stays in the log; when a
        reader elsewhere prevents it, again in the background until it succeeds."""
        if self.wal_cleaner is not None:
            self.wal_cleaner.clean()

    def wait_for_clean_log(self, timeout: float) -> bool:
        """Wait until no copy of deleted conversations is left in SQLite's write-ahead log (True),
        or `timeout` seconds (False). True at once on PostgreSQL."""
        return self.wal_cleaner is None or self.wal_cleaner.wait(timeout)

    def forget(self, sender_id: str) -> int:
        """Delete every stored event of `sender_id` (all sessions); returns how many."""
        with self.session_scope() as session:
            deleted = self._delete_senders(session, [sender_id])
            session.commit()
        self._drop_deleted_pages()
        return deleted

    def prune(self, older_than_days: float, now: float | None = None) -> tuple[int, int]:
        """Delete every conversation whose latest event is older than `older_than_days`.

        A conversation goes whole or not at all. Returns (conversations, events) deleted.
        """
        cutoff = (time.time() if now is None else now) - older_than_days * SECONDS_PER_DAY
        events = self.SQLEvent.__table__
        stale = (
            sa.select(events.c.sender_id)
            .group_by(events.c.sender_id)
            .having(sa.func.max(events.c.timestamp) < cutoff)
        )
        with self.session_scope() as session:
            conversations = session.execute(
                sa.select(sa.func.count()).select_from(stale.subquery())
            ).scalar_one()
            if not conversations:
                return 0, 0
            # One statement re-evaluates staleness, so a conversation that just got a new
            # event is kept.
            result = session.execute(
                events.delete().where(events.c.sender_id.in_(stale))
            )
            session.commit()
        self._drop_deleted_pages()
        return conversations, result.rowcount
