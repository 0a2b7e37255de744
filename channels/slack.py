"""Slack: Rasa's connector, made safe to expose on the internet.

What it changes in Rasa's `SlackInput`/`SlackBot`:
- A request whose `X-Slack-Signature` does not match, or whose `X-Slack-Request-Timestamp` is
  missing, not a number or more than five minutes away, is refused with 401 (Rasa's says 400).
- JSON bodies are read whatever their parameters (`application/json; charset=utf-8` included;
  Rasa's compares the whole header with `application/json` and silently drops the rest).
- An event is answered once: a redelivery of the same `event_id` (Slack's retries carry
  `X-Slack-Retry-Num`) is acknowledged and not passed to Rasa again.
- The `url_verification` challenge is answered as Slack asks: `{"challenge": ...}`.
- Malformed bodies get a 400 (415 for other media types), never a 500.
- Every message passes the shared message guard (channels/guard.py) before Rasa sees it, and
  each turn runs in the safety net (channels/safety_net.py: a reply even when actions fail).
- Buttons become Block Kit buttons (any number, 25 per actions block; Rasa's drops them all
  above five), and a click (an interactive `block_actions` payload) comes back as the payload.
- The Web API base URL is configurable (`api_url`), so tests can point it at a fake server.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qs

from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.core.channels.slack import SlackBot as RasaSlackBot
from rasa.core.channels.slack import SlackInput as RasaSlackInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from slack_sdk.web.async_client import AsyncWebClient

from channels.credentials import SLACK_API
from channels.guard import clean_text, screen
from channels.recent_ids import RecentIds
from channels.safety_net import answer_safely

logger = logging.getLogger(__name__)

MAX_AGE = 5 * 60  # seconds a signed request stays valid (Slack's recommendation)
# Conversations from Slack are stored as "slack-<user id>", apart from other channels'.
SENDER_PREFIX = "slack-"
MAX_SECTION_TEXT = 3000  # Block Kit limits
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2000
BUTTONS_PER_BLOCK = 25


class BadRequest(ValueError):
    """A body that is not what Slack sends."""


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """Slack's v0 signature of a request."""
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def is_authentic(
    secret: str, timestamp: str | None, body: bytes, given: str | None, now: float
) -> bool:
    """Whether a request was signed by Slack with `secret` within the last five minutes."""
    if not secret or not timestamp or not given or not timestamp.isdigit():
        return False
    if abs(now - int(timestamp)) > MAX_AGE:
        return False
    expected = signature(secret, timestamp, body)
    return hmac.compare_digest(expected.encode(), given.encode("utf-8", "surrogateescape"))


def media_type(content_type: str | None) -> str:
    """`application/json` from `application/json; charset=utf-8`."""
    return (content_type or "").split(";")[0].strip().lower()


def _object(value: object, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise BadRequest(f"{where} must be an object")
    return value


def _string(value: object, where: str) -> str:
    if not isinstance(value, str):
        raise BadRequest(f"{where} must be a string")
    return value


def read_json(body: bytes) -> dict[str, Any]:
    """A JSON body as an object."""
    try:
        return _object(json.loads(body), "the body")
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        raise BadRequest(f"the body is not JSON: {error}") from None


def read_interaction(body: bytes) -> dict[str, Any]:
    """The `payload` of a form-encoded interactive request, as an object."""
    try:
        form = parse_qs(body.decode(), strict_parsing=True)
    except (UnicodeDecodeError, ValueError) as error:
        raise BadRequest(f"the body is not a form: {error}") from None
    if len(form.get("payload", [])) != 1:
        raise BadRequest("the form needs one payload field")
    return read_json(form["payload"][0].encode())


def escape(text: str) -> str:
    """Text for a Slack `text` field, where &, < and > are markup."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def button_blocks(text: str, buttons: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Block Kit for a message with buttons: the text in sections, then the buttons."""
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "plain_text", "text": text[i : i + MAX_SECTION_TEXT]}}
        for i in range(0, len(text), MAX_SECTION_TEXT)
    ]
    elements = [
        {
            "type": "button",
            "action_id": f"button-{index}",
            "text": {"type": "plain_text", "text": str(button["title"])[:MAX_BUTTON_TEXT]},
            "value": str(button.get("payload") or button["title"])[:MAX_BUTTON_VALUE],
        }
        for index, button in enumerate(buttons)
    ]
    for start in range(0, len(elements), BUTTONS_PER_BLOCK):
        blocks.append({"type": "actions", "elements": elements[start : start + BUTTONS_PER_BLOCK]})
    return blocks


class SlackBot(RasaSlackBot):
    """Posts replies with `chat.postMessage` through the Web API at `api_url`."""

    def __init__(
        self,
        token: str,
        slack_channel: str | None = None,
        thread_id: str | None = None,
        proxy: str | None = None,
        api_url: str = SLACK_API,
    ) -> None:
        super().__init__(token, slack_channel, thread_id, proxy)
        self.client = AsyncWebClient(token, base_url=api_url.rstrip("/") + "/", proxy=proxy)

    def _recipient(self, recipient_id: str) -> str:
        return self.slack_channel or recipient_id.removeprefix(SENDER_PREFIX)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self._post_message(channel=self._recipient(recipient_id), text=escape(text.strip()))

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        await self._post_message(
            channel=self._recipient(recipient_id),
            text=escape(text.strip()),
            blocks=button_blocks(text.strip(), buttons),
        )


class SlackInput(RasaSlackInput):
    """Slack's Events API and interactivity endpoint at /webhooks/slack/webhook."""

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> SlackInput:
        if not credentials:
            cls.raise_missing_credentials_exception()
        return cls(
            slack_token=str(credentials.get("slack_token") or ""),
            slack_signing_secret=str(credentials.get("slack_signing_secret") or ""),
            slack_channel=credentials.get("slack_channel") or None,
            api_url=str(credentials.get("api_url") or SLACK_API),
        )

    def __init__(
        self,
        slack_token: str,
        slack_signing_secret: str,
        slack_channel: str | None = None,
        api_url: str = SLACK_API,
    ) -> None:
        super().__init__(
            slack_token, slack_channel, slack_signing_secret=slack_signing_secret
        )
        self.api_url = api_url
        self.recent_events = RecentIds()

    def get_output_channel(
        self, channel: str | None = None, thread_id: str | None = None
    ) -> OutputChannel:
        return SlackBot(
            self.slack_token, channel or self.slack_channel, thread_id, self.proxy, self.api_url
        )

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        slack_webhook = Blueprint("slack_webhook", __name__)

        @slack_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @slack_webhook.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            if not is_authentic(
                self.slack_signing_secret,
                request.headers.get("X-Slack-Request-Timestamp"),
                request.body,
                request.headers.get("X-Slack-Signature"),
                time.time(),
            ):
                return response.json(
                    {"error": "missing, wrong or expired X-Slack-Signature"}, status=401
                )
            kind = media_type(request.headers.get("content-type"))
            try:
                if kind == "application/json":
                    return self._on_event(request, read_json(request.body), on_new_message)
                if kind == "application/x-www-form-urlencoded":
                    return self._on_interaction(read_interaction(request.body), on_new_message)
            except BadRequest as error:
                return response.json({"error": f"not a Slack request: {error}"}, status=400)
            return response.json({"error": f"unsupported content type {kind!r}"}, status=415)

        return slack_webhook

    def _on_event(
        self,
        request: Request,
        body: dict[str, Any],
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
    ) -> HTTPResponse:
        """An Events API request: the challenge, or a message to pass on once."""
        if body.get("type") == "url_verification":
            return response.json({"challenge": _string(body.get("challenge"), "challenge")})
        if body.get("type") != "event_callback":
            return response.json({"status": "ignored"})
        event = _object(body.get("event"), "event")
        event_id = body.get("event_id")
        if event_id is None and request.headers.get(self.retry_num_header):
            return response.json({"status": "retry ignored"})
        if event_id is not None and not self.recent_events.first_time(
            _string(event_id, "event_id")
        ):
            return response.json({"status": "already answered"})
        if (
            event.get("type") not in ("message", "app_mention")
            or event.get("bot_id")
            or event.get("subtype")
        ):
            return response.json({"status": "ignored"})
        user = _string(event.get("user"), "event.user")
        text = _string(event.get("text"), "event.text")
        channel = _string(event.get("channel"), "event.channel")
        if not (
            event.get("channel_type") == "im"
            or event.get("type") == "app_mention"
            or channel == self.slack_channel
        ):
            return response.json({"status": "channel not supported"})
        authorizations = body.get("authorizations")
        users = body.get("authed_users") or [
            auth.get("user_id")
            for auth in (authorizations if isinstance(authorizations, list) else [])
            if isinstance(auth, dict)
        ]
        bot_ids = [str(uid) for uid in users if uid] if isinstance(users, list) else []
        text = self._sanitize_user_message(text, bot_ids)
        thread = event.get("thread_ts") or event.get("ts")
        self._dispatch(on_new_message, text, user, channel, str(thread) if thread else None)
        return response.json({"status": "ok"})

    def _on_interaction(
        self, payload: dict[str, Any], on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> HTTPResponse:
        """A button click: its value goes to Rasa as if the person had typed it."""
        if payload.get("type") != "block_actions":
            return response.json({"status": "ignored"})
        actions = payload.get("actions")
        if not isinstance(actions, list) or not actions:
            raise BadRequest("actions must be a non-empty list")
        action = _object(actions[0], "actions[0]")
        if action.get("type") != "button" or action.get("value") is None:
            return response.json({"status": "ignored"})  # a link button or another element
        value = _string(action.get("value"), "actions[0].value")
        user = _string(_object(payload.get("user"), "user").get("id"), "user.id")
        channel = _string(_object(payload.get("channel"), "channel").get("id"), "channel.id")
        message = payload.get("message") if isinstance(payload.get("message"), dict) else {}
        thread = message.get("thread_ts") or message.get("ts")
        self._dispatch(on_new_message, value, user, channel, str(thread) if thread else None)
        return response.json({"status": "ok"})

    def _dispatch(
        self,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        text: str,
        user: str,
        channel: str,
        thread_id: str | None,
    ) -> None:
        """Answer in the background: Slack wants its 200 within three seconds."""
        task = asyncio.create_task(self._answer(on_new_message, text, user, channel, thread_id))
        self._background_tasks.add(task)
        task.add_done_callback(self._background_tasks.discard)

    async def _answer(
        self,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        text: str,
        user: str,
        channel: str,
        thread_id: str | None,
    ) -> None:
        sender_id = f"{SENDER_PREFIX}{user}"
        out_channel = self.get_output_channel(channel, thread_id if self.use_threads else None)
        try:
            refusal = screen(sender_id, text)
            if refusal is not None:
                await out_channel.send_text_message(sender_id, refusal)
                return
            await answer_safely(
                UserMessage(
                    clean_text(text),
                    out_channel,
                    sender_id,
                    input_channel=self.name(),
                    metadata={"out_channel": channel, "thread_id": thread_id},
                ),
                on_new_message,
            )
        except Exception as error:  # noqa: BLE001 - a background task must log, not vanish
            logger.error(
                "Slack message from %s: could not answer (%s: %s); is the Web API at %s reachable?",
                sender_id,
                type(error).__name__,
                error,
                self.api_url,
            )
