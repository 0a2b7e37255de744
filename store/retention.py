"""Retention: how long conversations are kept, and the job that prunes the older ones.

`LBP_RETENTION_DAYS=N` (a number greater than 0; fractions allowed) deletes every conversation
whose latest event is more than N days old: when the tracker store starts, then every
`LBP_RETENTION_INTERVAL_MINUTES` (default 60). Unset or empty keeps conversations until "forget me".
"""

from __future__ import annotations

import logging
import math
import os
import threading
import weakref
from collections.abc import Mapping
from typing import Any, Protocol

logger = logging.getLogger(__name__)

DAYS_ENV = "LBP_RETENTION_DAYS"
INTERVAL_ENV = "LBP_RETENTION_INTERVAL_MINUTES"
DEFAULT_INTERVAL_MINUTES = 60.0


class Prunable(Protocol):
    def prune(self, older_than_days: float, now: float | None = None) -> tuple[int, int]: ...


def _positive(value: Any, name: str, unit: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    if not (math.isfinite(number) and number > 0):
        raise ValueError(f"{name} must be a number of {unit} greater than 0, not {value!r}")
    return number


def days_from_env(environ: Mapping[str, str] | None = None) -> str | None:
    """The raw `LBP_RETENTION_DAYS` setting, or None when unset."""
    return (os.environ if environ is None else environ).get(DAYS_ENV)


def parse_days(value: float | str | None) -> float | None:
    """Retention in days, None for "keep"; a clear ValueError for anything else."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return _positive(value, DAYS_ENV, "days")


def interval_seconds(environ: Mapping[str, str] | None = None) -> float:
    """Seconds between two prunes, from `LBP_RETENTION_INTERVAL_MINUTES`."""
    raw = (os.environ if environ is None else environ).get(INTERVAL_ENV) or DEFAULT_INTERVAL_MINUTES
    return _positive(raw, INTERVAL_ENV, "minutes") * 60


def prune_once(store: Prunable, days: float) -> None:
    """One prune; a database error is logged and retried at the next interval, never raised."""
    try:
        conversations, events = store.prune(days)
    except Exception as error:
        # Only the text: a logged exception object would keep the store alive via its traceback.
        logger.error(
            "Retention: pruning conversations older than %g days failed (%s: %s); trying again "
            "at the next interval",
            days,
            type(error).__name__,
            str(error),
        )
        return
    if conversations:
        logger.info(
            "Retention: deleted %d conversations (%d events) older than %g days",
            conversations,
            events,
            days,
        )


def start(store: Prunable, days: float, every: float | None = None) -> threading.Thread:
    """Prune now, then every `every` seconds in a daemon thread that ends with the store."""
    every = interval_seconds() if every is None else every
    prune_once(store, days)
    store_ref = weakref.ref(store)

    def run() -> None:
        stopped = threading.Event()
        while not stopped.wait(every):
            alive = store_ref()
            if alive is None:
                return
            prune_once(alive, days)
            del alive

    thread = threading.Thread(target=run, name="lbp-retention", daemon=True)
    thread.start()
    return thread
