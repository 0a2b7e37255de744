"""Which conversations the tracker store deleted on request during the current turn.

A channel that keeps a copy on the person's side (the web chat's browser storage) wraps a turn in
`watching()` and, when the turn's sender is in the set afterwards, tells its client to drop it.
The store calls `note()` once the deletion is committed. It is a context variable, so turns
running at the same time stay apart.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_DELETED: ContextVar[set[str] | None] = ContextVar("lbp_forgotten", default=None)


@contextmanager
def watching() -> Iterator[set[str]]:
    """The sender ids whose conversations were deleted on request within this block."""
    deleted: set[str] = set()
    token = _DELETED.set(deleted)
    try:
        yield deleted
    finally:
        _DELETED.reset(token)


def note(sender_id: str) -> None:
    """Record that `sender_id`'s conversation was deleted (outside `watching()`, nothing)."""
    deleted = _DELETED.get()
    if deleted is not None:
        deleted.add(sender_id)
