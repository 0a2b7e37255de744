"""What the Telegram and Slack channels share: their own phrases, the urgent advice they give
without the dialogue (group chats, edited messages), and the keyboards still waiting for a tap.

Health talk does not belong in a group chat or channel, where everyone can read it: there the
channels answer a mention with an invitation to talk privately and keep no conversation. Words
that carry an emergency or urgent red flag still get the advice at once, before the invitation.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from channels.guard import clean_text

logger = logging.getLogger(__name__)

PHRASES_FILE = Path(__file__).with_name("chat_apps.yml")


@lru_cache(maxsize=1)
def phrases() -> dict[str, str]:
    """The phrases of channels/chat_apps.yml (read once)."""
    return yaml.safe_load(PHRASES_FILE.read_text(encoding="utf-8"))


def urgent_first(text: str | None) -> list[str]:
    """The urgent advice for `text` when it carries an emergency or urgent red flag, else []."""
    words = clean_text(text or "")
    if not words:
        return []
    try:
        from channels.urgent_advice import urgent_advice  # loads the domain core on first use

        return urgent_advice(words)
    except Exception:  # noqa: BLE001 - the reply that follows must still be sent
        logger.exception("Red-flag screening failed for a message the dialogue does not see")
        return []


def edit_replies(text: str | None) -> list[str]:
    """What to say to an edited message: urgent advice when the new words need it, then why the
    edit changed nothing."""
    return [*urgent_first(text), phrases()["edited"]]


@dataclass(frozen=True)
class Keyboard:
    """A message with answer buttons: its id in the chat app (Telegram's message id, Slack's
    ts), and for Slack the text and blocks to keep when its buttons are taken away."""

    message_id: str
    text: str = ""
    blocks: tuple[dict[str, Any], ...] = ()


class LiveKeyboards:
    """The one keyboard per conversation that may still be answered, so that the previous one is
    marked answered when a new one is sent. Bounded: the least recent conversations are
    forgotten first (their old buttons still reach the interview, which reads a tap on a button
    of an earlier question as a change to that answer)."""

    def __init__(self, size: int = 10_000) -> None:
        self.size = size
        self._live: OrderedDict[str, Keyboard] = OrderedDict()

    def replace(self, conversation: str, keyboard: Keyboard) -> Keyboard | None:
        """Remember `keyboard` as the live one of `conversation`; return the one it replaces."""
        previous = self._live.pop(conversation, None)
        self._live[conversation] = keyboard
        while len(self._live) > self.size:
            self._live.popitem(last=False)
        return previous

    def answered(self, conversation: str, message_id: str) -> None:
        """Forget the live keyboard of `conversation` when it is the one just answered."""
        live = self._live.get(conversation)
        if live is not None and live.message_id == message_id:
            del self._live[conversation]
