"""The safety net: every turn gets an answer, even when the action server is down.

When a custom action fails (action server down, timing out or erroring), Rasa's processor logs the
exception, drops the action's events and carries on; the person hears nothing, or only the
first half of a reply. `answer_safely` runs one turn through Rasa and watches it:

- it counts what the turn sent, through a wrapper around the turn's output channel;
- it notices failed actions, through a logging handler on Rasa's processor logger that marks the
  turn running in the current asyncio task (a context variable; concurrent turns stay apart);
- it catches any exception the turn raised (for example the tracker store being unreachable).

When the turn failed or sent nothing, it sends the fallback itself: urgent red-flag advice first
when the message carries an emergency or urgent red flag (the domain core's rules, or the NLU's
`red_flag` intent when the agent is at hand), then "I can't look that up right now". Nothing is
kept between turns, so the next turn after the action server returns is answered normally.

Channels call it in place of `on_new_message(message)`:

    await answer_safely(UserMessage(text, output, sender_id, input_channel=...), on_new_message)
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Awaitable, Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from rasa.core.channels.channel import OutputChannel, UserMessage

from channels.admission import admitted
from channels.guard import messages
from channels.urgent_advice import urgent_advice

logger = logging.getLogger(__name__)

PROCESSOR_LOGGER = "rasa.core.processor"
FAILED_ACTION_PREFIX = "Encountered an exception while running action"
RED_FLAG_INTENT = "red_flag"


@dataclass
class Turn:
    """What went wrong during one turn."""

    failed_actions: int = 0


CURRENT_TURN: ContextVar[Turn | None] = ContextVar("lbp_current_turn", default=None)


class FailedActionWatcher(logging.Handler):
    """Marks the current turn when Rasa's processor reports that an action raised."""

    def emit(self, record: logging.LogRecord) -> None:
        turn = CURRENT_TURN.get()
        if turn is not None and str(record.msg).startswith(FAILED_ACTION_PREFIX):
            turn.failed_actions += 1


def install_watcher() -> None:
    """Attach the watcher to Rasa's processor logger (once)."""
    processor_logger = logging.getLogger(PROCESSOR_LOGGER)
    if not any(isinstance(handler, FailedActionWatcher) for handler in processor_logger.handlers):
        processor_logger.addHandler(FailedActionWatcher(level=logging.ERROR))


class WatchedOutput(OutputChannel):
    """An output channel that passes everything on to `inner` and counts what was sent."""

    def __init__(self, inner: OutputChannel) -> None:
        self.inner = inner
        self.sent = 0

    def name(self) -> str:  # type: ignore[override] - the inner channel's name, per instance
        return self.inner.name()

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        self.sent += 1
        await self.inner.send_response(recipient_id, message)

    # The primitives, for callers that use them directly (Rasa itself calls send_response).
    async def _forward(self, method: str, *args: Any, **kwargs: Any) -> None:
        self.sent += 1
        await getattr(self.inner, method)(*args, **kwargs)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self._forward("send_text_message", recipient_id, text, **kwargs)

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        await self._forward("send_text_with_buttons", recipient_id, text, buttons, **kwargs)

    async def send_quick_replies(
        self, recipient_id: str, text: str, quick_replies: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        await self._forward("send_quick_replies", recipient_id, text, quick_replies, **kwargs)

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        await self._forward("send_image_url", recipient_id, image, **kwargs)

    async def send_attachment(self, recipient_id: str, attachment: str, **kwargs: Any) -> None:
        await self._forward("send_attachment", recipient_id, attachment, **kwargs)

    async def send_elements(
        self, recipient_id: str, elements: Iterable[dict[str, Any]], **kwargs: Any
    ) -> None:
        await self._forward("send_elements", recipient_id, elements, **kwargs)

    async def send_custom_json(
        self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any
    ) -> None:
        await self._forward("send_custom_json", recipient_id, json_message, **kwargs)

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self.inner, attribute)


def running_agent() -> Any | None:
    """The Rasa agent of the one Sanic app in this process, if there is exactly one."""
    try:
        from sanic import Sanic

        return getattr(Sanic.get_app().ctx, "agent", None)
    except Exception:  # noqa: BLE001 - no app (tests, tools) or several: do without
        return None


async def classifier_says_red_flag(agent: Any | None, text: str) -> bool:
    """True when the NLU (red-flag gate included) reads `text` as the `red_flag` intent."""
    if agent is None or not text:
        return False
    try:
        parsed = await agent.parse_message(text)
    except Exception:  # noqa: BLE001 - a second opinion only; the rules are checked anyway
        return False
    return (parsed.get("intent") or {}).get("name") == RED_FLAG_INTENT


async def fallback_replies(text: str, agent: Any | None = None) -> list[str]:
    """What to say when a turn could not be completed: urgent advice first when it is due."""
    replies = messages()
    try:
        advice = urgent_advice(text, await classifier_says_red_flag(agent, text))
    except Exception:  # noqa: BLE001 - never lose the fallback itself
        logger.exception("Red-flag screening failed while the turn had already failed")
        advice = []
    if advice:
        return [*advice, replies["urgent_offline_note"]]
    return [replies["action_server_down"]]


async def answer_safely(
    message: UserMessage,
    on_new_message: Callable[[UserMessage], Awaitable[Any]],
    agent: Any | None = None,
) -> bool:
    """Run one turn through Rasa; if it failed or sent nothing, send the fallback. Never raises
    (but lets cancellation through). Returns True when the fallback was sent."""
    install_watcher()
    watched = WatchedOutput(message.output_channel)
    turn_message = copy.copy(message)
    turn_message.output_channel = watched
    turn = Turn()
    token = CURRENT_TURN.set(turn)
    crashed = False
    try:
        async with admitted():
            await on_new_message(turn_message)
    except Exception:  # noqa: BLE001 - the person still gets an answer below
        logger.exception("A turn raised; answering with the fallback")
        crashed = True
    finally:
        CURRENT_TURN.reset(token)
    if not (crashed or turn.failed_actions or watched.sent == 0):
        return False
    logger.warning(
        "Turn incomplete (%d failed actions, %d messages sent, raised: %s); sent the fallback",
        turn.failed_actions,
        watched.sent,
        crashed,
    )
    for reply in await fallback_replies(message.text or "", agent or running_agent()):
        try:
            await message.output_channel.send_text_message(message.sender_id, reply)
        except Exception:  # noqa: BLE001 - the channel itself is down; nothing more to do
            logger.exception("Could not send the fallback reply")
            break
    return True
