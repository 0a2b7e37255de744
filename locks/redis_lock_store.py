"""A Redis lock store that issues and serves tickets atomically, for several Rasa processes.

Rasa 3.6's `RedisLockStore` reads a conversation's lock, changes it in Python and writes it back
(GET, then SET). Two processes that take messages of the same conversation at the same moment can
both be given the same ticket, or one can delete the other's, and then both turns run at once: one
is overwritten in the tracker store or refused with a `LockError` (Rasa issue #9213; the fix,
`ConcurrentRedisLockStore`, is not part of Rasa Open Source 3.6). Here every step is a single
Lua script, so Redis runs it atomically:

- issuing a ticket increments the conversation's counter and queues the ticket with its expiry
  time, taken from the Redis server's clock (the processes' clocks never matter);
- a turn runs when its ticket is the oldest unexpired one; a ticket left behind by a process that
  died mid-turn expires after the lock lifetime (`TICKET_LOCK_LIFETIME`, 60 s), as in Rasa;
- finishing a turn removes its ticket.

In endpoints.scale.yml: `lock_store: type: locks.redis_lock_store.AtomicRedisLockStore` with
Rasa's Redis settings (`url`, `port`, `password`, `db`, `key_prefix`, `socket_timeout`).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from typing import Any

import redis
from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, LockStore
from rasa.utils.endpoints import EndpointConfig

# KEYS: queue (ticket -> ticket), counter, expiries (ticket -> expiry); ARGV: lifetime seconds.
ISSUE = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local ticket = redis.call('INCR', KEYS[2])
redis.call('ZADD', KEYS[1], ticket, ticket)
redis.call('HSET', KEYS[3], ticket, now + tonumber(ARGV[1]))
local keep = math.ceil(tonumber(ARGV[1])) * 2 + 60
for _, key in ipairs(KEYS) do redis.call('EXPIRE', key, keep) end
return ticket
"""

# KEYS: queue, expiries; ARGV: ticket. Returns the ticket now serving, or -1 if ours expired.
NOW_SERVING = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local mine = redis.call('HGET', KEYS[2], ARGV[1])
if not mine or tonumber(mine) < now then
  redis.call('ZREM', KEYS[1], ARGV[1])
  redis.call('HDEL', KEYS[2], ARGV[1])
  return -1
end
while true do
  local head = redis.call('ZRANGE', KEYS[1], 0, 0)[1]
  local expiry = tonumber(redis.call('HGET', KEYS[2], head) or '0')
  if expiry >= now then return tonumber(head) end
  redis.call('ZREM', KEYS[1], head)
  redis.call('HDEL', KEYS[2], head)
end
"""

# KEYS: queue, expiries; ARGV: ticket.
FINISH = """
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
return 1
"""


class AtomicRedisLockStore(LockStore):
    """First come, first served turns per conversation, shared by every process using one Redis."""

    def __init__(
        self,
        endpoint_config: EndpointConfig | None = None,
        poll_seconds: float = 0.02,
        **settings: Any,
    ) -> None:
        if endpoint_config is not None:
            settings = {**endpoint_config.kwargs, **settings}
            settings.setdefault("host", endpoint_config.url)
        self.red = redis.StrictRedis(
            host=settings.get("host") or "localhost",
            port=int(settings.get("port") or 6379),
            db=int(settings.get("db") or 1),
            username=settings.get("username") or None,
            password=settings.get("password") or None,
            ssl=bool(settings.get("use_ssl", False)),
            socket_timeout=float(settings.get("socket_timeout") or 10),
        )
        prefix = str(settings.get("key_prefix") or "")
        self.key_prefix = f"{prefix}:turns:" if prefix.isalnum() else "turns:"
        self.poll_seconds = poll_seconds
        self._issue = self.red.register_script(ISSUE)
        self._now_serving = self.red.register_script(NOW_SERVING)
        self._finish = self.red.register_script(FINISH)
        super().__init__()

    def _keys(self, conversation_id: str) -> tuple[str, str, str]:
        base = self.key_prefix + conversation_id
        return f"{base}:queue", f"{base}:counter", f"{base}:expiries"

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        """Queue a new ticket for the conversation and return its number."""
        try:
            return int(self._issue(keys=list(self._keys(conversation_id)), args=[lock_lifetime]))
        except redis.RedisError as error:
            raise LockError(f"Could not issue a ticket for '{conversation_id}': {error}") from error

    def now_serving(self, conversation_id: str, ticket: int) -> int:
        """The ticket whose turn it is (expired ones dropped), or -1 when `ticket` expired."""
        queue, _, expiries = self._keys(conversation_id)
        return int(self._now_serving(keys=[queue, expiries], args=[ticket]))

    async def _wait_for_turn(self, conversation_id: str, ticket: int) -> None:
        while True:
            serving = self.now_serving(conversation_id, ticket)
            if serving == ticket:
                return
            if serving < 0:
                raise LockError(
                    f"Could not acquire lock for conversation_id '{conversation_id}': "
                    "its ticket expired while waiting."
                )
            await asyncio.sleep(self.poll_seconds)

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        """Remove the ticket, letting the next turn of the conversation run."""
        queue, _, expiries = self._keys(conversation_id)
        self._finish(keys=[queue, expiries], args=[ticket_number])

    @asynccontextmanager
    async def lock(
        self,
        conversation_id: str,
        lock_lifetime: float = LOCK_LIFETIME,
        wait_time_in_seconds: float = 1,
    ) -> AsyncGenerator[TicketLock, None]:
        """Hold the conversation's turn; other turns of it, in any process, wait in order."""
        ticket = self.issue_ticket(conversation_id, lock_lifetime)
        try:
            await self._wait_for_turn(conversation_id, ticket)
            yield TicketLock(conversation_id)
        finally:
            self.finish_serving(conversation_id, ticket)

    def get_lock(self, conversation_id: str) -> TicketLock | None:
        """Not used: turns are served from the queue in Redis (see `lock`)."""
        return None

    def delete_lock(self, conversation_id: str) -> None:
        """Forget every ticket of the conversation."""
        self.red.delete(*self._keys(conversation_id))

    def save_lock(self, lock: TicketLock) -> None:
        """Not used: tickets are written by the Lua scripts."""
