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
- Text is read as typed (channels/slack_text.py): `&amp;`, `&lt;` and `&gt;` unescaped,
  mentions, channels and links turned back into words, the bot's own mentions removed, all
  before the shared message guard (channels/guard.py) sees it; each turn runs in the safety net
  (channels/safety_net.py: a reply even when actions fail).
- A direct message with a file is read as its words, with a note that files are not read; an
  edited message is never taken as an answer: it gets a short note (after urgent advice when
  the new words carry a red flag). Other subtypes and bots' messages are ignored.
- Channels keep no conversation: a mention gets urgent advice when it carries a red flag, then
  an invitation to a direct message, in the mention's thread; a button tapped outside a direct
  message gets the invitation privately (ephemeral) and reaches nothing.
- Buttons become Block Kit buttons (any number, 25 per actions block; Rasa's drops them all
  above five), and a click (an interactive `block_actions` payload) comes back as the payload.
  The tapped message's buttons are replaced by the answer (`chat.update`); a keyboard left
  unanswered loses its buttons when the next one is sent.
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
from urllib.parse import parse_qs, urlencode

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.slack import SlackBot as RasaSlackBot
from rasa.core.channels.slack import SlackInput as RasaSlackInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from slack_sdk.web.async_client import AsyncWebClient

from channels.chat_apps import Keyboard, LiveKeyboards, edit_replies, phrases, urgent_first
from channels.credentials import SLACK_API
from channels.guard import check, clean_text, screen
from channels.recent_ids import RecentIds
from channels.safety_net import answer_safely
from channels.slack_text import read_text

logger = logging.getLogger(__name__)

MAX_AGE = 5 * 60  # seconds a signed request stays valid (Slack's recommendation)
# Conversations from Slack are stored as "slack-<user id>", apart from other channels'.
SENDER_PREFIX = "slack-"
MAX_SECTION_TEXT = 3000  # Block Kit limits
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2000
BUTTONS_PER_BLOCK = 25
APP_REDIRECT = "https://slack.com/app_redirect"
# Refusals that do not hold back an invitation in a channel (a bare mention is "empty").
CHANNEL_READABLE = ("empty", "not_text")


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


def is_direct_message(channel: str) -> bool:
    """Whether a channel id is a direct message with the bot (Slack's ids of DMs start with D)."""
    return channel.startswith("D")


def dm_link(app_id: object, team_id: object) -> str | None:
    """The link that opens a direct message with the app, when the request named both ids."""
    if isinstance(app_id, str) and app_id and isinstance(team_id, str) and team_id:
        return f"{APP_REDIRECT}?{urlencode({'app': app_id, 'team': team_id})}"
    return None


def invitation(link: str | None) -> str:
    """The invitation to talk privately, as Slack markup (with a link to the DM when known)."""
    words = phrases()
    where = words["slack_dm_link"].format(link=escape(link)) if link else words["slack_dm_hint"]
    return f"{escape(words['invitation'])} {where}"


def answered_blocks(blocks: tuple[dict[str, Any], ...], answer: str | None) -> list[dict[str, Any]]:
    """A keyboard's blocks once answered: the buttons gone, the tapped answer in their place."""
    kept = [block for block in blocks if isinstance(block, dict) and block.get("type") != "actions"]
    if answer:
        text = phrases()["answered"].format(answer=answer)[:MAX_SECTION_TEXT]
        kept.append({"type": "context", "elements": [{"type": "plain_text", "text": text}]})
    return kept


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
        keyboards: LiveKeyboards | None = None,
    ) -> None:
        super().__init__(token, slack_channel, thread_id, proxy)
        self.client = AsyncWebClient(token, base_url=api_url.rstrip("/") + "/", proxy=proxy)
        self.keyboards = keyboards if keyboards is not None else LiveKeyboards()

    def _recipient(self, recipient_id: str) -> str:
        return self.slack_channel or recipient_id.removeprefix(SENDER_PREFIX)

    async def _post_message(self, channel: str, **kwargs: Any) -> dict[str, Any]:
        """`chat.postMessage` (in the thread, when there is one); Slack's answer."""
        if self.thread_id:
            kwargs["thread_ts"] = self.thread_id
        sent = await self.client.chat_postMessage(channel=channel, **kwargs)
        return sent.data if isinstance(sent.data, dict) else {}

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self._post_message(channel=self._recipient(recipient_id), text=escape(text.strip()))

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        channel = self._recipient(recipient_id)
        markup, blocks = escape(text.strip()), button_blocks(text.strip(), buttons)
        sent = await self._post_message(channel=channel, text=markup, blocks=blocks)
        if isinstance(sent.get("ts"), str):
            previous = self.keyboards.replace(channel, Keyboard(sent["ts"], markup, tuple(blocks)))
            if previous is not None:
                await self.retire(channel, previous)

    async def retire(self, channel: str, keyboard: Keyboard, answer: str | None = None) -> None:
        """Take the buttons off an answered message (showing the tapped answer, when known)."""
        self.keyboards.answered(channel, keyboard.message_id)
        try:
            await self.client.chat_update(
                channel=channel,
                ts=keyboard.message_id,
                text=keyboard.text,
                blocks=answered_blocks(keyboard.blocks, answer),
            )
        except Exception as error:  # noqa: BLE001 - an old keyboard must not hold up the reply
            logger.info("Slack: could not take the buttons off message %s in %s (%s)",
                        keyboard.message_id, channel, error)


class SlackInput(RasaSlackInput):
    """Slack's Events API and interactivity endpoint at /webhooks/slack/webhook."""

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> SlackInput:
        if not credentials:
            cls.raise_missing_credentials_exception()
        if credentials.get("slack_channel"):
            logger.warning("Slack: slack_channel is not used; the assistant talks about health "
                           "in direct messages only, and answers a mention in a channel with "
                           "an invitation to one")
        return cls(
            slack_token=str(credentials.get("slack_token") or ""),
            slack_signing_secret=str(credentials.get("slack_signing_secret") or ""),
            api_url=str(credentials.get("api_url") or SLACK_API),
        )

    def __init__(
        self, slack_token: str, slack_signing_secret: str, api_url: str = SLACK_API
    ) -> None:
        super().__init__(slack_token, None, slack_signing_secret=slack_signing_secret)
        self.api_url = api_url
        self.recent_events = RecentIds()
        self.keyboards = LiveKeyboards()

    def get_output_channel(
        self, channel: str | None = None, thread_id: str | None = None
    ) -> SlackBot:
        return SlackBot(
            self.slack_token, channel, thread_id, self.proxy, self.api_url, self.keyboards
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

    @staticmethod
    def _bot_ids(body: dict[str, Any]) -> list[str]:
        """The bot's own user ids, as the event envelope names them."""
        authorizations = body.get("authorizations")
        users = body.get("authed_users") or [
            auth.get("user_id")
            for auth in (authorizations if isinstance(authorizations, list) else [])
            if isinstance(auth, dict)
        ]
        return [str(uid) for uid in users if uid] if isinstance(users, list) else []

    def _on_event(
        self,
        request: Request,
        body: dict[str, Any],
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
    ) -> HTTPResponse:
        """An Events API request: the challenge, or an event to answer once."""
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
        if event.get("type") not in ("message", "app_mention") or event.get("bot_id"):
            return response.json({"status": "ignored"})
        channel = _string(event.get("channel"), "event.channel")
        bot_ids = self._bot_ids(body)
        subtype = event.get("subtype")
        if subtype == "message_changed":
            return self._on_edit(event, channel, bot_ids)
        if subtype not in (None, "file_share"):
            return response.json({"status": "ignored"})
        user = _string(event.get("user"), "event.user")
        text, _ = read_text(_string(event.get("text"), "event.text"), bot_ids)
        thread = event.get("thread_ts") or event.get("ts")
        thread_id = str(thread) if thread else None
        if event.get("type") == "app_mention":
            if is_direct_message(channel):  # the same message comes as a message.im event
                return response.json({"status": "ignored"})
            link = dm_link(body.get("api_app_id"), body.get("team_id"))
            self._spawn(self._invite(user, channel, text, link, thread_id=thread_id))
            return response.json({"status": "ok"})
        if event.get("channel_type") != "im":
            return response.json({"status": "ignored outside direct messages"})
        attachment = subtype == "file_share" or bool(event.get("files"))
        self._spawn(self._answer(on_new_message, text, user, channel, thread_id, attachment))
        return response.json({"status": "ok"})

    def _on_edit(self, event: dict[str, Any], channel: str, bot_ids: list[str]) -> HTTPResponse:
        """An edited direct message: a note (never an answer); other changes are ignored."""
        message, previous = event.get("message"), event.get("previous_message")
        if (
            event.get("channel_type") != "im"
            or not isinstance(message, dict)
            or message.get("bot_id")
            or not isinstance(message.get("user"), str)
            or not isinstance(message.get("text"), str)
        ):
            return response.json({"status": "ignored"})
        before = previous.get("text") if isinstance(previous, dict) else None
        if message["text"] == before:  # a link preview added, not an edit by the person
            return response.json({"status": "ignored"})
        text, _ = read_text(message["text"], bot_ids)
        self._spawn(self._note_edit(message["user"], channel, text))
        return response.json({"status": "ok"})

    def _on_interaction(
        self, payload: dict[str, Any], on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> HTTPResponse:
        """A button click: in a direct message, its value goes to Rasa as if typed."""
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
        tapped = None
        if isinstance(message.get("ts"), str):
            blocks = message.get("blocks") if isinstance(message.get("blocks"), list) else []
            tapped = Keyboard(message["ts"], str(message.get("text") or ""), tuple(blocks))
        title = action.get("text") if isinstance(action.get("text"), dict) else {}
        answer = title.get("text") if isinstance(title.get("text"), str) else None
        if not is_direct_message(channel):
            team = payload.get("team") if isinstance(payload.get("team"), dict) else {}
            link = dm_link(payload.get("api_app_id"), team.get("id"))
            self._spawn(self._invite(user, channel, None, link, tapped=tapped))
            return response.json({"status": "ok"})
        thread = message.get("thread_ts") or message.get("ts")
        self._spawn(self._answer(
            on_new_message, value, user, channel, str(thread) if thread else None,
            tapped=tapped, answer=answer,
        ))
        return response.json({"status": "ok"})

    def _spawn(self, work: Awaitable[None]) -> None:
        """Answer in the background: Slack wants its 200 within three seconds."""
        task = asyncio.ensure_future(self._logged(work))
        self._background_tasks.add(task)
        task.add_done_callback(self._background_tasks.discard)

    async def _logged(self, work: Awaitable[None]) -> None:
        try:
            await work
        except Exception as error:  # noqa: BLE001 - a background task must log, not vanish
            logger.error(
                "Slack: could not answer (%s: %s); is the Web API at %s reachable?",
                type(error).__name__,
                error,
                self.api_url,
            )

    async def _answer(
        self,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        text: str,
        user: str,
        channel: str,
        thread_id: str | None,
        attachment: bool = False,
        tapped: Keyboard | None = None,
        answer: str | None = None,
    ) -> None:
        """A direct message or tap: through the guard to Rasa."""
        sender_id = f"{SENDER_PREFIX}{user}"
        out_channel = self.get_output_channel(channel, thread_id if self.use_threads else None)
        # A file without words is "not text"; words with a file are read, with a note.
        refusal = screen(sender_id, None if attachment and not text.strip() else text)
        if refusal is not None:
            await out_channel.send_text_message(sender_id, refusal)
            return
        if tapped is not None:
            await out_channel.retire(channel, tapped, answer)
        if attachment:
            await out_channel.send_text_message(sender_id, phrases()["attachment_not_read"])
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

    async def _note_edit(self, user: str, channel: str, text: str) -> None:
        out_channel = self.get_output_channel(channel)
        for reply in edit_replies(text):
            await out_channel.send_text_message(f"{SENDER_PREFIX}{user}", reply)

    async def _invite(
        self,
        user: str,
        channel: str,
        text: str | None,
        link: str | None,
        thread_id: str | None = None,
        tapped: Keyboard | None = None,
    ) -> None:
        """Outside a direct message: urgent advice when the words carry a red flag, then the
        invitation, in the mention's thread (a tap's invitation only the tapper sees). Nothing
        reaches Rasa."""
        out_channel = self.get_output_channel(channel, thread_id)
        refusal = check(f"{SENDER_PREFIX}{user}", text)
        if refusal is not None and refusal.reason not in CHANNEL_READABLE:
            # A flood gets no echo in the channel, but a red flag in it still gets the advice.
            replies = urgent_first(text) if refusal.reason == "rate_limited" else [refusal.reply]
            for reply in replies:
                await out_channel.send_text_message(user, reply)
            return
        if tapped is not None:
            await out_channel.retire(channel, tapped)
            await out_channel.client.chat_postEphemeral(
                channel=channel, user=user, text=invitation(link)
            )
            return
        for advice in urgent_first(text):
            await out_channel.send_text_message(user, advice)
        await out_channel._post_message(channel=channel, text=invitation(link))
