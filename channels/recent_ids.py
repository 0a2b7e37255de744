"""A bounded memory of recently seen delivery ids, so a redelivered webhook is answered once."""

from __future__ import annotations

import time
from collections import OrderedDict


class RecentIds:
    """Ids seen in the last `ttl` seconds, at most `size` of them (oldest forgotten first)."""

    def __init__(self, size: int = 10_000, ttl: float = 3600.0) -> None:
        self.size = size
        self.ttl = ttl
        self._seen: OrderedDict[str, float] = OrderedDict()

    def first_time(self, delivery_id: str) -> bool:
        """Remember `delivery_id`; True when it was not seen within the window."""
        now = time.monotonic()
        while self._seen:
            oldest, seen_at = next(iter(self._seen.items()))
            if now - seen_at <= self.ttl and len(self._seen) < self.size:
                break
            self._seen.pop(oldest)
        if delivery_id in self._seen:
            return False
        self._seen[delivery_id] = now
        return True
