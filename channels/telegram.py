"""Telegram: Rasa's connector, made safe to expose on the internet.

What it changes in Rasa's `TelegramInput`/`TelegramOutput`:
- No call to Telegram at start-up (Rasa's sets the webhook there and dies without network) and
  none per update (Rasa's asks `getMe` every time): registering the webhook is its own step,
  `make telegram-webhook` (channels/telegram_webhook.py).
- Every update must carry Telegram's `X-Telegram-Bot-Api-Secret-Token` header with the secret
  given when the webhook was registered (compared in constant time), or it is refused with 403.
- Updates are read field by field (channels/telegram_updates.py): malformed ones get a 400,
  never a 500; a redelivered update (same `update_id`) is answered once; the bot's mentions are
  removed (from the message's entities) before the shared message guard (channels/guard.py)
  sees the text, so a bare mention is an empty message; service messages are ignored; a message
  without text gets a polite reply, a photo or file with a caption is read as its caption.
- An edited message is never taken as an answer: it gets a short note (after urgent advice when
  the new words carry a red flag).
- Group chats keep no conversation: a message addressed to the bot gets urgent advice when it
  carries a red flag, then an invitation with a link to a private chat, in the same forum topic.
- Each turn runs in the safety net (channels/safety_net.py: a reply even when actions fail).
- Buttons become an inline keyboard, one button per row; a tap answers the callback query,
  removes the keyboard it was on, and comes back as the button's payload. A keyboard left
  unanswered is removed when the next one is sent. A tap on a message sent through inline mode
  or in a group gets a short notice.
- The Bot API base URL is configurable (`api_url`), so tests can point it at a fake server.
"""

from __future__ import annotations

import hmac
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import Bot
from aiogram.bot import api
from aiogram.bot.api import TelegramAPIServer, check_token
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.exceptions import ValidationError
from aiogram.utils.payload import prepare_arg
from rasa.core.channels.channel import UserMessage
from rasa.core.channels.telegram import TelegramInput as RasaTelegramInput
from rasa.core.channels.telegram import TelegramOutput as RasaTelegramOutput
from rasa.shared.exceptions import RasaException
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.chat_apps import Keyboard, LiveKeyboards, edit_replies, phrases, urgent_first
from channels.credentials import TELEGRAM_API
from channels.guard import check, clean_text, screen
from channels.recent_ids import RecentIds
from channels.safety_net import answer_safely
from channels.telegram_updates import BadUpdate, BotIdentity, Incoming, Kind, read_update

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Telegram allows 1-256 characters A-Z, a-z, 0-9, _ and - in a webhook secret.
SECRET_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,256}")
# Conversations from Telegram are stored as "telegram-<chat id>", apart from other channels'.
SENDER_PREFIX = "telegram-"
MAX_TEXT = 4096  # Telegram's limit on one message
MAX_CALLBACK_DATA = 64  # bytes, Telegram's limit on a button's callback_data
MAX_NOTICE = 200  # characters, Telegram's limit on a callback query's notice
# Telegram's commands, as the intents they mean ("/start" is the first thing every user sends).
COMMANDS = {"/start": "/greet", "/help": "/help"}
# Refusals that do not hold back an invitation in a group (a bare mention is "empty").
GROUP_READABLE = ("empty", "not_text")

__all__ = ["BadUpdate", "Incoming", "TelegramInput", "TelegramOutput"]


def secret_matches(expected: str, given: str | None) -> bool:
    """Whether the header's secret is the expected one, compared in constant time."""
    if not expected or given is None:
        return False
    return hmac.compare_digest(expected.encode(), given.encode("utf-8", "surrogateescape"))


def as_rasa_text(text: str) -> str:
    """A Telegram message as the text Rasa reads: commands mapped to the intents they mean."""
    text = text.strip()
    command = text.split(maxsplit=1)[0].split("@", 1)[0] if text.startswith("/") else ""
    return COMMANDS.get(command, text)


def deep_link(bot_username: str) -> str:
    """The t.me link that opens a private chat with the bot (and offers its Start button)."""
    return f"https://t.me/{bot_username}?start=private"


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


def invitation_keyboard(bot_username: str) -> InlineKeyboardMarkup:
    """The one button under a group invitation: a link to a private chat with the bot."""
    button = InlineKeyboardButton(phrases()["invitation_button"], url=deep_link(bot_username))
    return InlineKeyboardMarkup(inline_keyboard=[[button]])


def chat_id(recipient_id: str) -> str:
    """The Telegram chat id of a conversation id."""
    return recipient_id.removeprefix(SENDER_PREFIX)


class TelegramOutput(RasaTelegramOutput):
    """Sends replies through the Bot API at `api_url`; recipients are conversation ids."""

    def __init__(
        self,
        access_token: str,
        api_url: str = TELEGRAM_API,
        keyboards: LiveKeyboards | None = None,
    ) -> None:
        Bot.__init__(self, access_token, server=TelegramAPIServer.from_base(api_url))
        self.keyboards = keyboards if keyboards is not None else LiveKeyboards()

    async def post(
        self,
        chat: str | int,
        text: str,
        reply_markup: InlineKeyboardMarkup | None = None,
        thread_id: int | None = None,
        reply_to: int | None = None,
    ) -> int | None:
        """`sendMessage`, in a forum topic and as a reply when asked; the new message's id."""
        payload: dict[str, Any] = {"chat_id": chat, "text": text}
        if reply_markup is not None:
            payload["reply_markup"] = prepare_arg(reply_markup)
        if thread_id is not None:
            payload["message_thread_id"] = thread_id
        if reply_to is not None:
            payload["reply_parameters"] = prepare_arg(
                {"message_id": reply_to, "allow_sending_without_reply": True}
            )
        sent = await self.request(api.Methods.SEND_MESSAGE, payload)
        message_id = sent.get("message_id") if isinstance(sent, dict) else None
        return message_id if isinstance(message_id, int) else None

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        for piece in chunks(text.strip()):
            await self.post(chat_id(recipient_id), piece)

    async def send_text_with_buttons(
        self,
        recipient_id: str,
        text: str,
        buttons: list[dict[str, Any]],
        button_type: str | None = "vertical",
        **kwargs: Any,
    ) -> None:
        chat = chat_id(recipient_id)
        *before, last = chunks(text.strip())
        for piece in before:
            await self.post(chat, piece)
        message_id = await self.post(chat, last, reply_markup=keyboard(buttons))
        if message_id is not None:
            previous = self.keyboards.replace(chat, Keyboard(str(message_id)))
            if previous is not None:
                await self.retire(chat, int(previous.message_id))

    async def retire(self, chat: str | int, message_id: int) -> None:
        """Take the keyboard off an answered message, so that its buttons cannot be tapped."""
        self.keyboards.answered(str(chat), str(message_id))
        try:
            await self.edit_message_reply_markup(
                chat_id=chat, message_id=message_id, reply_markup=InlineKeyboardMarkup()
            )
        except Exception as error:  # noqa: BLE001 - an old keyboard must not hold up the reply
            logger.info("Telegram: could not remove the keyboard of message %s in chat %s (%s)",
                        message_id, chat, error)

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
        self.bot = BotIdentity.from_token(verify, access_token)
        self.recent_updates = RecentIds()
        self.keyboards = LiveKeyboards()

    def get_output_channel(self) -> TelegramOutput:
        """The output channel, made without calling Telegram (no webhook set here)."""
        return TelegramOutput(self.access_token, self.api_url, self.keyboards)

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
                incoming = read_update(request.body, self.bot)
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
        """Answer one update; failures are logged, never raised (Telegram must not retry it)."""
        try:
            if incoming.kind is Kind.INLINE_TAP or (incoming.kind is Kind.TAP and incoming.group):
                await self._tap_elsewhere(incoming, out_channel)
            elif incoming.group:
                await self._answer_group(incoming, out_channel)
            elif incoming.kind is Kind.EDIT:
                for reply in edit_replies(incoming.text):
                    await out_channel.send_text_message(f"{SENDER_PREFIX}{incoming.chat_id}", reply)
            else:
                await self._answer_private(incoming, out_channel, on_new_message)
        except Exception as error:  # noqa: BLE001 - the update is consumed; Telegram must not retry it
            logger.error(
                "Telegram update %s: could not answer (%s: %s); is the Bot API at %s reachable?",
                incoming.update_id,
                type(error).__name__,
                error,
                self.api_url,
            )

    async def _answer_private(
        self,
        incoming: Incoming,
        out_channel: TelegramOutput,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
    ) -> None:
        """A message or tap in a private chat: through the guard to Rasa."""
        sender_id = f"{SENDER_PREFIX}{incoming.chat_id}"
        if incoming.kind is Kind.TAP:
            await out_channel.answer_callback_query(incoming.callback_query_id)
        refusal = screen(sender_id, incoming.text)  # a message without text is refused too
        if refusal is not None:
            await out_channel.send_text_message(sender_id, refusal)
            return
        if incoming.kind is Kind.TAP and incoming.message_id is not None:
            await out_channel.retire(str(incoming.chat_id), incoming.message_id)
        assert incoming.text is not None  # screen() refuses anything but text
        if incoming.attachment:
            await out_channel.send_text_message(sender_id, phrases()["attachment_not_read"])
        await answer_safely(
            UserMessage(
                as_rasa_text(clean_text(incoming.text)),
                out_channel,
                sender_id,
                input_channel=self.name(),
            ),
            on_new_message,
        )

    async def _answer_group(self, incoming: Incoming, out_channel: TelegramOutput) -> None:
        """A message in a group: when addressed to the bot, urgent advice if its words carry a
        red flag, then the invitation to a private chat. Nothing reaches Rasa."""
        if incoming.kind is Kind.EDIT or not incoming.addressed:
            return
        refusal = check(f"{SENDER_PREFIX}{incoming.chat_id}", incoming.text)
        if refusal is not None and refusal.reason not in GROUP_READABLE:
            # A flood gets no echo in the group, but a red flag in it still gets the advice.
            replies = (urgent_first(incoming.text) if refusal.reason == "rate_limited"
                       else [refusal.reply])
            for reply in replies:
                for piece in chunks(reply):
                    await out_channel.post(incoming.chat_id, piece, thread_id=incoming.thread_id,
                                           reply_to=incoming.message_id)
            return
        reply_to = incoming.message_id
        for advice in urgent_first(incoming.text):
            for piece in chunks(advice):
                await out_channel.post(incoming.chat_id, piece, thread_id=incoming.thread_id,
                                       reply_to=reply_to)
                reply_to = None
        await out_channel.post(
            incoming.chat_id,
            phrases()["invitation"],
            reply_markup=invitation_keyboard(self.bot.username),
            thread_id=incoming.thread_id,
            reply_to=reply_to,
        )

    async def _tap_elsewhere(self, incoming: Incoming, out_channel: TelegramOutput) -> None:
        """A tap in a group or on an inline-mode message: a notice, and a link to a private
        chat; a group's keyboard is taken away."""
        await out_channel.answer_callback_query(
            incoming.callback_query_id,
            text=phrases()["tap_elsewhere"][:MAX_NOTICE],
            url=deep_link(self.bot.username),
        )
        if incoming.kind is Kind.TAP and incoming.message_id is not None:
            await out_channel.retire(str(incoming.chat_id), incoming.message_id)
