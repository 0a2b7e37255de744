"""Empties SQLite's write-ahead log after a deletion, without holding anyone up.

Deleted rows are overwritten in the database file (`secure_delete`), but the write-ahead log
keeps copies of the pages as they were until it is checkpointed and truncated. That needs every
reader to be on the latest snapshot: with a read transaction open elsewhere (a backup, `sqlite3`
in another terminal) it cannot finish, and waiting for it would block writers meanwhile.

So an attempt never waits: it checkpoints what it can and reports whether the log is now empty.
`clean()` makes one attempt; when it could not finish, the log says so and a background thread
tries again, with growing pauses (up to `MAX_DELAY_S`), until it succeeds and says so too.
"""

from __future__ import annotations

import logging
import sqlite3
import threading

logger = logging.getLogger(__name__)

FIRST_DELAY_S = 0.2
MAX_DELAY_S = 30.0
WARN_EVERY = 20  # attempts between two reminders in the log


class WalCleaner:
    """Checkpoints and truncates the write-ahead log of the SQLite database at `path`."""

    def __init__(
        self, path: str, first_delay: float = FIRST_DELAY_S, max_delay: float = MAX_DELAY_S
    ) -> None:
        self.path = path
        self.first_delay = first_delay
        self.max_delay = max_delay
        self.failures = 0  # attempts that could not finish since the log was last emptied
        self._state = threading.Condition()
        self._requests = 0  # deletions asked for so far
        self._cleaned = 0  # of which the log is known to be free
        self._retrying: threading.Thread | None = None

    def clean(self) -> bool:
        """One attempt, after a deletion; True when the log is empty. On False, retries go on in
        the background. Call it off the event loop (it writes and syncs the database file)."""
        with self._state:
            self._requests += 1
            wanted = self._requests
        if self._attempt(wanted):
            return True
        with self._state:
            if self._retrying is None:
                self._retrying = threading.Thread(
                    target=self._retry, name="lbp-wal-cleaner", daemon=True
                )
                self._retrying.start()
        return False

    def wait(self, timeout: float) -> bool:
        """Wait until every deletion so far has left the log (True), or `timeout` seconds."""
        with self._state:
            return self._state.wait_for(lambda: self._cleaned >= self._requests, timeout)

    def _attempt(self, wanted: int) -> bool:
        """Checkpoint without waiting for readers; True when the log was emptied."""
        try:
            connection = sqlite3.connect(self.path, timeout=0, isolation_level=None)
            try:
                busy = connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
            finally:
                connection.close()
        except sqlite3.Error as error:
            busy, reason = 1, f"{type(error).__name__}: {error}"
        else:
            reason = "another connection is reading the database"
        with self._state:
            if not busy:
                if self.failures:
                    logger.info(
                        "The SQLite write-ahead log of %s is empty again: no copy of deleted "
                        "conversations is left in it (%d attempts could not finish before)",
                        self.path,
                        self.failures,
                    )
                self.failures = 0
                self._cleaned = max(self._cleaned, wanted)
                self._state.notify_all()
                return True
            self.failures += 1
            if self.failures % WARN_EVERY == 1:
                logger.warning(
                    "The SQLite write-ahead log of %s could not be emptied yet (%s): it still "
                    "holds copies of deleted conversations; trying again in the background",
                    self.path,
                    reason,
                )
            return False

    def _retry(self) -> None:
        delay = self.first_delay
        pause = threading.Event()  # never set: a pause that is not a busy loop
        while True:
            with self._state:
                if self._cleaned >= self._requests:
                    self._retrying = None
                    return
            pause.wait(delay)
            with self._state:
                wanted = self._requests
            if not self._attempt(wanted):
                delay = min(delay * 2, self.max_delay)
