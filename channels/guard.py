"""The message guard every channel runs before a message reaches Rasa.

`screen(sender_id, text)` returns None when the message may go on to Rasa, or the polite reply
to send back instead: for a message that is not text, is empty, arrives faster than the sender's
rate limit allows, or is longer than the maximum length. `clean_text(text)` is what the channels
then pass to Rasa. Replies are worded in channels/messages.yml.

Settings (environment, read when this module is first imported, i.e. at server start):
- LBP_MAX_MESSAGE_CHARS: longest message accepted, in characters after cleaning (default 2000).
- LBP_RATE_LIMIT: messages per sender per minute (default 60; 0 turns rate limiting off).
- LBP_RATE_LIMIT_SENDERS: senders remembered at once (default 10000; least recent forgotten).

A message that is too long is not passed on, but its beginning is still screened for red flags:
when it describes an emergency or urgent warning sign, the reply starts with that advice.
"""

from __future__ import annotations

import os
import threading
import time
import unicodedata
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

MESSAGES_FILE = Path(__file__).with_name("messages.yml")
DEFAULT_MAX_CHARS = 2000
DEFAULT_RATE_LIMIT = 60
DEFAULT_MAX_SENDERS = 10_000
WINDOW_SECONDS = 60.0
# Longer raw input is refused without reading it all (cleaning could only shorten it so much).
RAW_FACTOR = 4
SENDER_KEY_CHARS = 256
KEPT_CONTROLS = {"\n", "\t"}


@lru_cache(maxsize=1)
def messages() -> dict[str, str]:
    """The channels' own replies (read once)."""
    return yaml.safe_load(MESSAGES_FILE.read_text(encoding="utf-8"))


def clean_text(text: str) -> str:
    """Text fit for Rasa: control characters (but newline and tab) and lone surrogates removed,
    line ends made "\\n", Unicode normalised to NFC, surrounding whitespace stripped."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    kept = "".join(
        char
        for char in text
        if char in KEPT_CONTROLS or unicodedata.category(char) not in ("Cc", "Cs")
    )
    return unicodedata.normalize("NFC", kept).strip()


def env_int(name: str, default: int, minimum: int) -> int:
    """An integer setting from the environment, failing clearly when it is not one."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {raw!r}") from None
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, not {value}")
    return value


class RateLimiter:
    """At most `limit` messages per sender in any `window` seconds (a sliding log per sender).

    Memory stays bounded: at most `max_senders` senders are remembered, the least recently seen
    is forgotten first. Safe to call from several threads and from asyncio tasks (no awaits).
    """

    def __init__(
        self,
        limit: int,
        window: float = WINDOW_SECONDS,
        max_senders: int = DEFAULT_MAX_SENDERS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = limit
        self.window = window
        self.max_senders = max_senders
        self.clock = clock
        self._seen: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def allow(self, sender_id: str) -> bool:
        """Record one message from `sender_id`; False when it is over the limit (not recorded)."""
        if self.limit <= 0:
            return True
        key = sender_id[:SENDER_KEY_CHARS]
        now = self.clock()
        with self._lock:
            times = self._seen.get(key)
            if times is None:
                times = self._seen[key] = deque(maxlen=self.limit)
                while len(self._seen) > self.max_senders:
                    self._seen.popitem(last=False)
            self._seen.move_to_end(key)
            if len(times) == self.limit and now - times[0] < self.window:
                return False
            times.append(now)
            return True

    def __len__(self) -> int:
        return len(self._seen)


@dataclass(frozen=True)
class Refusal:
    """Why a message was not passed on (rate_limited, not_text, empty, too_long) and the reply."""

    reason: str
    reply: str


@dataclass
class Guard:
    """The checks one server runs on every incoming message."""

    max_chars: int = DEFAULT_MAX_CHARS
    limiter: RateLimiter = field(default_factory=lambda: RateLimiter(DEFAULT_RATE_LIMIT))

    @classmethod
    def from_env(cls) -> Guard:
        return cls(
            max_chars=env_int("LBP_MAX_MESSAGE_CHARS", DEFAULT_MAX_CHARS, minimum=1),
            limiter=RateLimiter(
                env_int("LBP_RATE_LIMIT", DEFAULT_RATE_LIMIT, minimum=0),
                max_senders=env_int("LBP_RATE_LIMIT_SENDERS", DEFAULT_MAX_SENDERS, minimum=1),
            ),
        )

    def check(self, sender_id: str, text: object) -> Refusal | None:
        """None when the message may go to Rasa; otherwise why not, and the reply to send."""
        replies = messages()
        if not self.limiter.allow(str(sender_id)):
            return Refusal("rate_limited", replies["rate_limited"])
        if not isinstance(text, str):
            return Refusal("not_text", replies["not_text"])
        if len(text) > self.max_chars * RAW_FACTOR:
            return Refusal("too_long", self.too_long(text, len(text)))
        cleaned = clean_text(text)
        if not cleaned:
            return Refusal("empty", replies["empty"])
        if len(cleaned) > self.max_chars:
            return Refusal("too_long", self.too_long(cleaned, len(cleaned)))
        return None

    def screen(self, sender_id: str, text: object) -> str | None:
        """None when the message may go to Rasa; otherwise the reply to send instead."""
        refusal = self.check(sender_id, text)
        return None if refusal is None else refusal.reply

    def too_long(self, text: str, length: int) -> str:
        """The length reply, after urgent advice when the message's beginning carries a red flag."""
        notice = messages()["too_long"].format(limit=self.max_chars, length=length)
        from channels.urgent_advice import urgent_advice  # loads the domain core on first use

        advice = urgent_advice(clean_text(text[: self.max_chars]))
        return "\n\n".join([*advice, notice])


GUARD = Guard.from_env()


def check(sender_id: str, text: object) -> Refusal | None:
    """Like `screen`, with the reason for a refusal (for channels that answer with a status)."""
    return GUARD.check(sender_id, text)


def screen(sender_id: str, text: object) -> str | None:
    """None means the message may go to Rasa; otherwise the polite reply to send back instead."""
    return GUARD.screen(sender_id, text)
