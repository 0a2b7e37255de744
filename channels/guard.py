"""The message guard every channel runs before a message reaches Rasa.

`screen(sender_id, text)` returns None when the message may go on to Rasa, or the polite reply
to send back instead: for a message that is not text, is empty, arrives faster than the sender's
rate limit allows, or is longer than the maximum length. `clean_text(text)` is what the channels
then pass to Rasa. `metadata_problem(metadata)` says why a message's metadata may not go on
(nested too deep, too big). Replies are worded in channels/messages.yml.

Settings (environment, read when this module is first imported, i.e. at server start):
- LBP_MAX_MESSAGE_CHARS: longest message accepted, in characters after cleaning (default 2000).
- LBP_RATE_LIMIT: messages per sender per minute (default 60; 0 turns rate limiting off).
- LBP_RATE_LIMIT_SENDERS: senders remembered at once (default 10000; least recent forgotten).

A message that is too long, or over the rate limit, is not passed on, but its beginning is still
screened for red flags: when it describes an emergency or urgent warning sign, the reply starts
with that advice.

Invisible characters: format characters (zero-width spaces, bidi overrides and isolates, the BOM,
soft hyphens) are removed. Joiners and direction marks, which emoji and right-to-left scripts
need, are kept, a run of them as one, but count neither as text nor towards the length.
"""

from __future__ import annotations

import json
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
# Format characters kept (zero-width non-joiner and joiner, left-to-right, right-to-left and Arabic
# letter marks); they count neither as text nor towards the length.
KEPT_INVISIBLE = frozenset({"\u200c", "\u200d", "\u200e", "\u200f", "\u061c"})
# Letters and symbols that show nothing (Hangul fillers, the blank Braille pattern).
BLANK = frozenset({"\u115f", "\u1160", "\u3164", "\uffa0", "\u2800"})
MAX_METADATA_DEPTH = 10
MAX_METADATA_BYTES = 8_000


@lru_cache(maxsize=1)
def messages() -> dict[str, str]:
    """The channels' own replies (read once)."""
    return yaml.safe_load(MESSAGES_FILE.read_text(encoding="utf-8"))


def _kept(char: str, previous: str) -> bool:
    if char in KEPT_CONTROLS:
        return True
    if char in KEPT_INVISIBLE:
        return previous not in KEPT_INVISIBLE  # a run counts as one
    return unicodedata.category(char) not in ("Cc", "Cs", "Cf")


def clean_text(text: str) -> str:
    """Text fit for Rasa: control characters (but newline and tab), lone surrogates and invisible
    format characters removed (joiners and direction marks kept, a run as one), line ends made
    "\\n", Unicode normalised to NFC, surrounding whitespace stripped; "" when nothing visible is
    left."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    kept: list[str] = []
    previous = ""
    for char in text:
        if _kept(char, previous):
            kept.append(char)
            previous = char
    cleaned = unicodedata.normalize("NFC", "".join(kept)).strip()
    return cleaned if any(_visible(char) for char in cleaned) else ""


def _visible(char: str) -> bool:
    return not char.isspace() and char not in KEPT_INVISIBLE and char not in BLANK


def text_length(text: str) -> int:
    """The length the limit counts: every character but the kept invisible ones."""
    return sum(1 for char in text if char not in KEPT_INVISIBLE)


def metadata_problem(metadata: object) -> str | None:
    """Why message metadata may not go on to Rasa ("is nested ...", "is over ..."), or None.

    Depth is measured without recursion, so no nesting can exhaust the stack here."""
    pending: list[tuple[object, int]] = [(metadata, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, dict):
            children: list[object] = list(value.values())
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > MAX_METADATA_DEPTH:
            return f"is nested more than {MAX_METADATA_DEPTH} levels deep"
        pending.extend((child, depth + 1) for child in children)
    try:
        size = len(json.dumps(metadata, ensure_ascii=False).encode("utf-8", "surrogatepass"))
    except (TypeError, ValueError):
        return "is not plain JSON data"
    if size > MAX_METADATA_BYTES:
        return f"is over {MAX_METADATA_BYTES} bytes as JSON"
    return None


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
            return Refusal("rate_limited", self.after_advice(text, replies["rate_limited"]))
        if not isinstance(text, str):
            return Refusal("not_text", replies["not_text"])
        if len(text) > self.max_chars * RAW_FACTOR:
            return Refusal("too_long", self.too_long(text, len(text)))
        cleaned = clean_text(text)
        if not cleaned:
            return Refusal("empty", replies["empty"])
        length = text_length(cleaned)
        if length > self.max_chars:
            return Refusal("too_long", self.too_long(cleaned, length))
        return None

    def screen(self, sender_id: str, text: object) -> str | None:
        """None when the message may go to Rasa; otherwise the reply to send instead."""
        refusal = self.check(sender_id, text)
        return None if refusal is None else refusal.reply

    def too_long(self, text: str, length: int) -> str:
        """The length reply, after urgent advice when the message's beginning carries a red flag."""
        notice = messages()["too_long"].format(limit=self.max_chars, length=length)
        return self.after_advice(text, notice)

    def after_advice(self, text: object, notice: str) -> str:
        """`notice`, after urgent advice when the beginning of `text` carries a red flag: a
        refused message is screened too, so nobody misses emergency advice by being refused."""
        beginning = clean_text(text[: self.max_chars]) if isinstance(text, str) else ""
        if not beginning:
            return notice
        from channels.urgent_advice import urgent_advice  # loads the domain core on first use

        return "\n\n".join([*urgent_advice(beginning), notice])


GUARD = Guard.from_env()


def check(sender_id: str, text: object) -> Refusal | None:
    """Like `screen`, with the reason for a refusal (for channels that answer with a status)."""
    return GUARD.check(sender_id, text)


def screen(sender_id: str, text: object) -> str | None:
    """None means the message may go to Rasa; otherwise the polite reply to send back instead."""
    return GUARD.screen(sender_id, text)
