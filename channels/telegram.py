"""Telegram: Rasa's connector, made safe to expose on the internet.

What it changes in Rasa's `TelegramInput`/`TelegramOutput`:
- No call to Telegram at start-up (Rasa's sets the webhook there and dies without network) and
  none per update (Rasa's asks `getMe` every time): registering the webhook is its own step,
  `make telegram-webhook` (channels/telegram_webhook.py).
- Every update must carry Telegram's `X-Telegram-Bot-Api-Secret-Token` header with the secret
  given when the webhook was registered (compared in constant time), or it is refused with 403.
- Updates are read field by field: malformed ones get a 400, never a 500; a message without
  text gets a polite reply; a redelivered update (same `update_id`) is answered once.
- Every message passes the shared message guard (channels/guard.py) before Rasa sees it, and
  each turn runs in the safety net (channels/safety_net.py: a reply even when actions fail).
- Buttons become an inline keyboard, one button per row; a click answers the callback query and
  comes back as the button's payload.
- The Bot API base URL is configurable (`api_url`), so tests can point it at a fake server.
"""

from __future__ import annotations

import hmac
import json
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiogram import Bot
from aiogram.bot.api import TelegramAPIServer, check_token
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.exceptions import ValidationError
from rasa.core.channels.channel import UserMessage
from rasa.core.channels.telegram import TelegramInput as RasaTelegramInput
from rasa.core.channels.telegram import TelegramOutput as RasaTelegramOutput
from rasa.shared.exceptions import RasaException
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.credentials import TELEGRAM_API
from channels.guard import clean_text, screen
from channels.recent_ids import RecentIds
from channels.safety_net import answer_safely

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Telegram allows 1-256 characters A-Z, a-z, 0-9, _ and - in a webhook secret.
SECRET_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,256}")
# Conversations from Telegram are stored as "telegram-<chat id>", apart from other channels'.
SENDER_PREFIX = "telegram-"
MAX_TEXT = 4096  # Telegram's limit on one message
MAX_CALLBACK_DATA = 64  # bytes, Telegram's limit on a button's callback_data
# Telegram's commands, as the intents they mean ("/start" is the first thing every user sends).
COMMANDS = {"/start": "/greet", "/help": "/help"}


class BadUpdate(ValueError):
    """An update that does not have the shape Telegram gives it."""


@dataclass(frozen=True)
class Incoming:
    """What one update asks of the assistant."""

    update_id: int
    chat_id: int
    text: str | None  # None: the person sent something that is not text (a sticker, a photo)
    callback_query_id: str | None = None


def secret_matches(expected: str, given: str | None) -> bool:
    """Whether the header's secret is the expected one, compared in constant time."""
    if not expected or given is None:
        return False
    return hmac.compare_digest(expected.encode(), given.encode("utf-8", "surrogateescape"))


def _object(value: object, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise BadUpdate(f"{where} must be an object")
    return value


def _integer(value: object, where: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise BadUpdate(f"{where} must be an integer")
    return value


def _optional_string(value: object, where: str) -> str | None:
    if value is not None and not isinstance(value, str):
        raise BadUpdate(f"{where} must be a string")
    return value


def read_update(body: bytes) -> Incoming | None:
    """The message or button click an update carries; None for updates the bot ignores.

    Raises BadUpdate when the body is not a Telegram update.
    """
    try:
        update = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        raise BadUpdate(f"the body is not JSON: {error}") from None
    update = _object(update, "the update")
    update_id = _integer(update.get("update_id"), "update_id")
    if update.get("callback_query") is not None:
        query = _object(update["callback_query"], "callback_query")
        query_id = _optional_string(query.get("id"), "callback_query.id")
        message = _object(query.get("message"), "callback_query.message")
        chat = _object(message.get("chat"), "callback_query.message.chat")
        data = _optional_string(query.get("data"), "callback_query.data")
        if query_id is None or data is None:
            raise BadUpdate("callback_query needs an id and data")
        return Incoming(update_id, _integer(chat.get("id"), "chat.id"), data, query_id)
    for kind in ("message", "edited_message"):
        if update.get(kind) is not None:
            message = _object(update[kind], kind)
            chat = _object(message.get("chat"), f"{kind}.chat")
            text = _optional_string(message.get("text"), f"{kind}.text")
            return Incoming(update_id, _integer(chat.get("id"), f"{kind}.chat.id"), text)
    return None  # channel posts, membership changes: nothing to answer


def as_rasa_text(text: str, bot_username: str) -> str:
    """A Telegram message as the text Rasa reads: commands mapped, mentions of the bot removed."""
    text = text.replace(f"@{bot_username}", "").strip() if bot_username else text.strip()
    command = text.split(maxsplit=1)[0] if text.startswith("/") else ""
    return COMMANDS.get(command, text)


def chunks(text: str, size: int = MAX_TEXT) -> list[str]:
    """`text` cut into pieces Telegram accepts, at paragraph or line breaks where possible."""
    pieces: list[str] = []
    while len(text) > size:
        cut = max(text.rfind("\n\n", 0, size), text.rfind("\n", 0, size))
        cut = cut if cut > 0 else size
        pieces.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    return [*pieces, text] if text else pieces or [""]


def callback_data(button: dict[str, Any]) -> str:
    """What a button sends back when clicked: its payload, or its title when that is too long."""
    for candidate in (str(button.get("payload") or ""), str(button.get("title") or "")):
        if candidate and len(candidate.encode()) <= MAX_CALLBACK_DATA:
            return candidate
    return str(button.get("title") or "")[: MAX_CALLBACK_DATA // 4]


def keyboard(buttons: list[dict[str, Any]]) -> InlineKeyboardMarkup:
    """An inline keyboard with one button per row (answers are whole phrases)."""
    markup = InlineKeyboardMarkup()
    for button in buttons:
        markup.row(InlineKeyboardButton(str(button["title"]), callback_data=callback_data(button)))
    return markup


def chat_id(recipient_id: str) -> str:
    """The Telegram chat id of a conversation id."""
    return recipient_id.removeprefix(SENDER_PREFIX)


class TelegramOutput(RasaTelegramOutput):
    """Sends replies through the Bot API at `api_url`; recipients are conversation ids."""

    def __init__(self, access_token: str, api_url: str = TELEGRAM_API) -> None:
        Bot.__init__(self, access_token, server=TelegramAPIServer.from_base(api_url))

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        for piece in chunks(text.strip()):
            await self.send_message(chat_id(recipient_id), piece)

    async def send_text_with_buttons(
        self,
        recipient_id: str,
        text: str,
        buttons: list[dict[str, Any]],
        button_type: str | None = "vertical",
        **kwargs: Any,
    ) -> None:
        *before, last = chunks(text.strip())
        for piece in before:
            await self.send_message(chat_id(recipient_id), piece)
        await self.send_message(chat_id(recipient_id), last, reply_markup=keyboard(buttons))

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        await super().send_image_url(chat_id(recipient_id), image, **kwargs)

    async def send_custom_json(
        self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any
    ) -> None:
        await super().send_custom_json(chat_id(recipient_id), json_message, **kwargs)


class TelegramInput(RasaTelegramInput):
    """Telegram's webhook at /webhooks/telegram/webhook, refusing updates without the secret."""

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> TelegramInput:
        if not credentials:
            cls.raise_missing_credentials_exception()
        return cls(
            access_token=str(credentials.get("access_token") or ""),
            verify=str(credentials.get("verify") or ""),
            webhook_url=str(credentials.get("webhook_url") or ""),
            secret_token=str(credentials.get("secret_token") or ""),
            api_url=str(credentials.get("api_url") or TELEGRAM_API),
        )

    def __init__(
        self,
        access_token: str,
        verify: str,
        webhook_url: str,
        secret_token: str,
        api_url: str = TELEGRAM_API,
    ) -> None:
        super().__init__(access_token, verify, webhook_url, debug_mode=False)
        try:
            check_token(access_token)
        except ValidationError:
            raise RasaException(
                "Telegram: the bot token is not of the form <digits>:<text> (ask @BotFather)"
            ) from None
        if not SECRET_PATTERN.fullmatch(secret_token):
            raise RasaException(
                "Telegram: the webhook secret must be 1-256 characters of A-Z, a-z, 0-9, _ or -"
            )
        self.secret_token = secret_token
        self.api_url = api_url
        self.recent_updates = RecentIds()

    def get_output_channel(self) -> TelegramOutput:
        """The output channel, made without calling Telegram (no webhook set here)."""
        return TelegramOutput(self.access_token, self.api_url)

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        telegram_webhook = Blueprint("telegram_webhook", __name__)
        out_channel = self.get_output_channel()

        @telegram_webhook.listener("after_server_stop")
        async def close_session(*_: Any) -> None:
            await out_channel.close()

        @telegram_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @telegram_webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not secret_matches(self.secret_token, request.headers.get(SECRET_HEADER)):
                return response.json({"error": f"missing or wrong {SECRET_HEADER}"}, status=403)
            try:
                incoming = read_update(request.body)
            except BadUpdate as error:
                return response.json({"error": f"not a Telegram update: {error}"}, status=400)
            if incoming is None or not self.recent_updates.first_time(str(incoming.update_id)):
                return response.json({"status": "ignored"})
            await self._answer(incoming, out_channel, on_new_message)
            return response.json({"status": "ok"})

        return telegram_webhook

    async def _answer(
        self,
        incoming: Incoming,
        out_channel: TelegramOutput,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
    ) -> None:
        """Pass the update to Rasa (or answer it here); failures are logged, never raised."""
        sender_id = f"{SENDER_PREFIX}{incoming.chat_id}"
        try:
            if incoming.callback_query_id is not None:
                await out_channel.answer_callback_query(incoming.callback_query_id)
            refusal = screen(sender_id, incoming.text)  # a message without text is refused too
            if refusal is not None:
                await out_channel.send_text_message(sender_id, refusal)
                return
            assert incoming.text is not None  # screen() refuses anything but text
            text = as_rasa_text(clean_text(incoming.text), self.verify)
            await answer_safely(
                UserMessage(text, out_channel, sender_id, input_channel=self.name()),
                on_new_message,
            )
        except Exception as error:  # noqa: BLE001 - the update is consumed; Telegram must not retry it
            logger.error(
                "Telegram update %s: could not answer (%s: %s); is the Bot API at %s reachable?",
                incoming.update_id,
                type(error).__name__,
                error,
                self.api_url,
            )
