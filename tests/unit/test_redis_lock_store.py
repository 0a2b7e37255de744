"""The atomic Redis lock store, against a real redis-server, as several processes would use it."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator

import pytest
from rasa.core.lock_store import LockError

from locks.redis_lock_store import AtomicRedisLockStore
from tests.support.services import RedisServer


@pytest.fixture(scope="module")
def redis_server() -> Iterator[RedisServer]:
    with RedisServer() as server:
        yield server


def store(redis_server: RedisServer, poll_seconds: float = 0.001) -> AtomicRedisLockStore:
    """A lock store of its own, as each Rasa process has."""
    return AtomicRedisLockStore(
        host=redis_server.host, port=redis_server.port, key_prefix="test", poll_seconds=poll_seconds
    )


def test_turns_from_many_threads_and_stores_never_overlap(redis_server: RedisServer) -> None:
    """Four 'processes', each with its own store and event loop, race for one conversation."""
    active = 0
    overlaps = 0
    done: list[int] = []
    guard = threading.Lock()

    async def turns(lock_store: AtomicRedisLockStore, worker: int) -> None:
        nonlocal active, overlaps
        for turn in range(25):
            async with lock_store.lock("race"):
                with guard:
                    active += 1
                    overlaps += active > 1
                await asyncio.sleep(0.0005)
                with guard:
                    active -= 1
                    done.append(worker * 100 + turn)

    threads = [
        threading.Thread(target=asyncio.run, args=(turns(store(redis_server), worker),))
        for worker in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert overlaps == 0
    assert sorted(done) == sorted(w * 100 + t for w in range(4) for t in range(25))


async def test_waiting_turns_run_in_the_order_they_arrived(redis_server: RedisServer) -> None:
    first, second = store(redis_server), store(redis_server)
    order: list[str] = []

    async def turn(lock_store: AtomicRedisLockStore, name: str) -> None:
        async with lock_store.lock("fifo"):
            order.append(name)

    async with first.lock("fifo"):
        waiting = []
        for index, name in enumerate("abcde"):
            waiting.append(asyncio.create_task(turn((first, second)[index % 2], name)))
            await asyncio.sleep(0.01)  # each has taken its ticket before the next arrives
        await asyncio.sleep(0.05)
        assert order == []  # all of them wait while the conversation is busy
    await asyncio.gather(*waiting)
    assert order == list("abcde")


async def test_a_ticket_left_by_a_dead_process_expires(redis_server: RedisServer) -> None:
    dead, alive = store(redis_server), store(redis_server)
    orphan = dead.issue_ticket("orphan", lock_lifetime=1)  # never finished: the process died
    mine = alive.issue_ticket("orphan")
    assert alive.now_serving("orphan", mine) == orphan  # it waits instead of running alongside
    await asyncio.wait_for(_wait_and_finish(alive, "orphan", mine), timeout=30)


async def _wait_and_finish(
    lock_store: AtomicRedisLockStore, conversation_id: str, ticket: int
) -> None:
    while lock_store.now_serving(conversation_id, ticket) != ticket:
        await asyncio.sleep(0.05)
    lock_store.finish_serving(conversation_id, ticket)


async def test_other_conversations_do_not_wait(redis_server: RedisServer) -> None:
    lock_store = store(redis_server)
    async with lock_store.lock("busy"):
        await asyncio.wait_for(_enter_and_leave(lock_store, "free"), timeout=5)


async def _enter_and_leave(lock_store: AtomicRedisLockStore, conversation_id: str) -> None:
    async with lock_store.lock(conversation_id):
        pass


async def test_an_unreachable_redis_is_a_lock_error() -> None:
    with RedisServer() as server:
        lock_store = store(server)
    with pytest.raises(LockError):
        async with lock_store.lock("nowhere"):
            pass
