"""Refuse a turn, clearly, while the SQL tracker store cannot be reached.

Rasa wraps every tracker store in a `FailSafeTrackerStore`: when PostgreSQL is down, reading a
conversation fails quietly and Rasa carries on with a brand-new, empty conversation kept only in
memory. The person, mid-interview, is greeted as a stranger, their answer is judged without its
question, and whatever they say during the outage never reaches the database.

The lock store is the one piece of Rasa that wraps a whole turn and whose errors are not
swallowed, so the lock stores here check the tracker store's database right after taking the
conversation's lock: one `SELECT 1`, tried twice so that connections left dead by a database
restart are replaced (SQLAlchemy drops its whole pool on the first failure). If it still fails,
`TrackerStoreUnavailable` ends the turn before Rasa reads anything: nothing is answered from an
empty conversation and nothing is stored in memory. The project's channels (channels/safety_net.py)
answer such a turn with "I can't look that up right now ... try again in a minute" (urgent advice
first when the message carries a red flag); Rasa's HTTP API answers 500. The next turn after the
database returns goes through as usual, from where the conversation was.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator, Callable
from contextlib import asynccontextmanager
from typing import Any

import sqlalchemy as sa
from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, InMemoryLockStore
from rasa.shared.exceptions import RasaException
from rasa.utils.endpoints import EndpointConfig

from locks.redis_lock_store import AtomicRedisLockStore

logger = logging.getLogger(__name__)

ATTEMPTS = 2


class TrackerStoreUnavailable(RasaException):
    """The conversation store cannot be reached, so the turn is not processed."""


def running_tracker_store() -> Any | None:
    """The tracker store of the one Rasa server in this process, if it is running."""
    try:
        from sanic import Sanic

        agent = getattr(Sanic.get_app().ctx, "agent", None)
    except Exception:  # noqa: BLE001 - no app (tools, tests) or several: nothing to check
        return None
    return getattr(agent, "tracker_store", None)


def sql_engine(tracker_store: Any | None) -> sa.engine.Engine | None:
    """The SQLAlchemy engine inside Rasa's tracker store wrappers, if it is an SQL store."""
    seen = 0
    while tracker_store is not None and seen < 5:
        engine = getattr(tracker_store, "engine", None)
        if isinstance(engine, sa.engine.Engine):
            return engine
        tracker_store = getattr(tracker_store, "_tracker_store", None)
        seen += 1
    return None


def check_database(engine: sa.engine.Engine) -> None:
    """Raise `TrackerStoreUnavailable` unless the database answers `SELECT 1`."""
    error: Exception | None = None
    for _ in range(ATTEMPTS):
        try:
            with engine.connect() as connection:
                connection.execute(sa.text("SELECT 1"))
            return
        except sa.exc.SQLAlchemyError as failure:
            error = failure
    url = engine.url
    where = f"{url.get_backend_name()} at {url.host}:{url.port}/{url.database}"
    message = f"The conversation store ({where}) cannot be reached: {error.__class__.__name__}"
    logger.error("%s; the turn is refused until it is back.", message)
    raise TrackerStoreUnavailable(message) from error


class TrackerStoreCheck:
    """Lock store mixin: after taking a conversation's lock, make sure its store answers."""

    # Where the tracker store comes from: the running Rasa server (replaceable in tests).
    find_tracker_store: Callable[[], Any | None] = staticmethod(running_tracker_store)

    @asynccontextmanager
    async def lock(
        self,
        conversation_id: str,
        lock_lifetime: float = LOCK_LIFETIME,
        wait_time_in_seconds: float = 1,
    ) -> AsyncGenerator[TicketLock, None]:
        async with super().lock(  # type: ignore[misc] - a mixin over a LockStore
            conversation_id, lock_lifetime, wait_time_in_seconds
        ) as ticket_lock:
            engine = sql_engine(self.find_tracker_store())
            if engine is not None:
                check_database(engine)
            yield ticket_lock


class CheckedRedisLockStore(TrackerStoreCheck, AtomicRedisLockStore):
    """Atomic Redis turns (several processes), refused while the tracker store is down."""


class CheckedInMemoryLockStore(TrackerStoreCheck, InMemoryLockStore):
    """Rasa's in-memory turns (one process), refused while the tracker store is down."""

    def __init__(self, endpoint_config: EndpointConfig | None = None) -> None:
        super().__init__()
