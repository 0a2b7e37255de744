"""Admission: at most N turns are worked on at once; the others wait their turn, first come first
served.

Rasa's server starts work on every message the moment it arrives, and its one event loop then
shares the CPU between all of them. When many people write at the same instant, every turn in
flight is slowed down by all the others, and the dearest turns (a first description: NLU,
red-flag screening, findings extraction) finish last, several times later than a button answer.
Admitting a few turns at a time (enough to keep the action server busy while Rasa works) and
queueing the rest in arrival order makes a person's wait depend on how many came before them, not
on what they wrote (docs/performance.md, "Load"). With few people writing, nobody waits.

`LBP_CONCURRENT_TURNS` sets N (default 4); each server process has its own count. A turn that
has waited `MAX_WAIT_S` goes ahead anyway, so turns stuck elsewhere (an action server that hangs
instead of refusing) cannot hold everyone else up for long.
"""

from __future__ import annotations

import asyncio
import os
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

DEFAULT_CONCURRENT_TURNS = 4
MAX_WAIT_S = 10.0

# One gate per event loop (a semaphore belongs to the loop it was first used in).
_gates: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
    weakref.WeakKeyDictionary()
)


def concurrent_turns() -> int:
    """N from `LBP_CONCURRENT_TURNS`; anything but a positive whole number gives the default."""
    raw = os.environ.get("LBP_CONCURRENT_TURNS", "").strip()
    return int(raw) if raw.isdigit() and int(raw) > 0 else DEFAULT_CONCURRENT_TURNS


@asynccontextmanager
async def admitted() -> AsyncIterator[None]:
    """Wait until fewer than N turns are being worked on in this event loop (or `MAX_WAIT_S`),
    then hold a place."""
    loop = asyncio.get_running_loop()
    gate = _gates.get(loop)
    if gate is None:
        gate = _gates[loop] = asyncio.Semaphore(concurrent_turns())
    try:
        await asyncio.wait_for(gate.acquire(), MAX_WAIT_S)
    except asyncio.TimeoutError:
        yield  # waited long enough: go ahead without a place
        return
    try:
        yield
    finally:
        gate.release()
