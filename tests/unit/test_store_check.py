"""Turns are refused, clearly, while the SQL tracker store's PostgreSQL is down (real server)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from rasa.core.tracker_store import FailSafeTrackerStore, SQLTrackerStore

from locks.store_check import (
    CheckedInMemoryLockStore,
    CheckedRedisLockStore,
    TrackerStoreUnavailable,
    check_database,
    sql_engine,
)
from tests.support.services import PostgresServer, RedisServer


@pytest.fixture(scope="module")
def postgres() -> Iterator[PostgresServer]:
    with PostgresServer() as pg:
        yield pg


@pytest.fixture()
def tracker_store(postgres: PostgresServer) -> FailSafeTrackerStore:
    """The tracker store as the Rasa agent holds it: Rasa's fail-safe wrapper around SQL."""
    postgres.start()
    store = SQLTrackerStore(
        dialect="postgresql",
        host=postgres.host,
        port=postgres.port,
        db=postgres.database,
        username=postgres.user,
        password=postgres.password,
    )
    return FailSafeTrackerStore(store)


def test_the_engine_is_found_inside_rasas_wrappers(tracker_store: FailSafeTrackerStore) -> None:
    engine = sql_engine(tracker_store)
    assert engine is not None and engine.url.get_backend_name() == "postgresql"
    assert sql_engine(object()) is None


def test_a_database_restart_between_turns_is_not_an_outage(
    tracker_store: FailSafeTrackerStore, postgres: PostgresServer
) -> None:
    engine = sql_engine(tracker_store)
    check_database(engine)  # the pool now holds a connection
    postgres.stop()
    postgres.start()  # that connection is dead; the check replaces it instead of failing
    check_database(engine)


async def test_turns_are_refused_while_postgres_is_down_and_resume_after(
    tracker_store: FailSafeTrackerStore, postgres: PostgresServer
) -> None:
    lock_store = CheckedInMemoryLockStore()
    lock_store.find_tracker_store = lambda: tracker_store
    ran: list[str] = []
    postgres.stop()
    with pytest.raises(TrackerStoreUnavailable, match=r"postgresql at 127\.0\.0\.1:\d+/lbp"):
        async with lock_store.lock("person"):
            ran.append("during the outage")
    postgres.start()
    async with lock_store.lock("person"):
        ran.append("after")
    assert ran == ["after"]
    assert lock_store.get_lock("person") is None  # the refused turn left no ticket behind


async def test_the_redis_variant_checks_too_and_releases_its_ticket(
    tracker_store: FailSafeTrackerStore, postgres: PostgresServer
) -> None:
    with RedisServer() as redis:
        lock_store = CheckedRedisLockStore(host=redis.host, port=redis.port)
        lock_store.find_tracker_store = lambda: tracker_store
        postgres.stop()
        with pytest.raises(TrackerStoreUnavailable):
            async with lock_store.lock("person"):
                pass
        postgres.start()
        async with lock_store.lock("person"):
            pass


async def test_without_a_running_server_nothing_is_checked() -> None:
    async with CheckedInMemoryLockStore().lock("tool"):
        pass
