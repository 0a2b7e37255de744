"""REST: Rasa's `RestInput`, made safe against bad input and a missing action server.

It keeps Rasa's URL, `POST /webhooks/rest/webhook` with `{"sender": "...", "message": "..."}`,
and Rasa's reply format (a JSON list of messages), and changes what Rasa's does with bad input:

- A body that is not a JSON object, a missing or non-string `sender` or `message`, a `sender`
  that is empty, over 128 characters, holds control characters or names another channel's
  conversation (`telegram-`, `slack-`, `webchat-`), `metadata` that is not an object or is
  nested more than 10 levels deep or over 8 KB: 400 with `{"error": "..."}` saying what is wrong
  (Rasa's would put every message without a sender into one shared conversation called
  "default"). A body over 1 MB: 413.
- Every message passes the shared message guard (channels/guard.py): an empty or too long
  message is answered with the guard's reply (200); a sender over the rate limit gets the polite
  reply with 429 and `Retry-After`.
- The text Rasa sees is cleaned (control characters and lone surrogates removed, NFC).
- Each turn runs inside the safety net (channels/safety_net.py): if the action server is down the
  person gets "I can't look that up right now" (after urgent advice when the message carries a
  red flag), never an empty list or a 500.
- The client cannot choose the `input_channel` (it is always "rest"); `?stream=true` is not
  supported (the reply is always the whole list).

In credentials.yml: `channels.rest.RestInput:` in place of `rest:`.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput as RasaRestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.guard import WINDOW_SECONDS, check, clean_text, metadata_problem
from channels.safety_net import answer_safely
from channels.web_sessions import PREFIX as WEB_CHAT_PREFIX

MAX_BODY_BYTES = 1_000_000
MAX_SENDER_CHARS = 128
# The ids of the Telegram and Slack channels' conversations (their SENDER_PREFIX).
OTHER_CHANNELS_PREFIXES = ("telegram-", "slack-")


class BadRequest(ValueError):
    """A request the REST channel cannot read; the message says what is wrong."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def read_body(request: Request) -> dict[str, Any]:
    """The request's JSON object (parsed here, so that Sanic's parser never raises a 500)."""
    body = request.body or b""
    if len(body) > MAX_BODY_BYTES:
        raise BadRequest(f"The request body is over {MAX_BODY_BYTES} bytes.", status=413)
    if not body.strip():
        raise BadRequest('Send a JSON object: {"sender": "...", "message": "..."}.')
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        raise BadRequest("The request body is not valid JSON.") from None
    if not isinstance(data, dict):
        raise BadRequest('The JSON body must be an object: {"sender": "...", "message": "..."}.')
    return data


def read_sender(data: dict[str, Any]) -> str:
    """The conversation id: a short string without control characters."""
    sender = data.get("sender")
    if sender is None:
        raise BadRequest('"sender" is missing: give each conversation its own id (a string).')
    if not isinstance(sender, str):
        raise BadRequest('"sender" must be a string.')
    if not sender.strip() or len(sender) > MAX_SENDER_CHARS:
        raise BadRequest(f'"sender" must be 1 to {MAX_SENDER_CHARS} characters long.')
    if any(unicodedata.category(char) in ("Cc", "Cs") for char in sender):
        raise BadRequest('"sender" must not contain control characters.')
    if sender.casefold().startswith((*OTHER_CHANNELS_PREFIXES, WEB_CHAT_PREFIX)):
        # Those conversations belong to Telegram, Slack and web chat users: no REST caller may
        # read, continue or delete them by knowing or guessing an id.
        raise BadRequest('"sender" must not start with "telegram-", "slack-" or "webchat-".')
    return sender


def read_message(data: dict[str, Any]) -> str:
    """The message text, as sent (the guard judges its content)."""
    if "message" not in data or data["message"] is None:
        raise BadRequest('"message" is missing.')
    if not isinstance(data["message"], str):
        raise BadRequest('"message" must be a string.')
    return data["message"]


def read_metadata(data: dict[str, Any]) -> dict[str, Any] | None:
    """The message's metadata: a JSON object neither too deep nor too big, or None."""
    metadata = data.get("metadata")
    if metadata is None:
        return None
    if not isinstance(metadata, dict):
        raise BadRequest('"metadata" must be a JSON object.')
    problem = metadata_problem(metadata)
    if problem is not None:
        raise BadRequest(f'"metadata" {problem}.')
    return metadata


class RestInput(RasaRestInput):
    """Rasa's REST channel (same name, so the same URL) with input checks and the safety net."""

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("lbp_rest_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                data = read_body(request)
                sender_id = read_sender(data)
                text = read_message(data)
                metadata = read_metadata(data)
            except BadRequest as error:
                return response.json({"error": str(error)}, status=error.status)

            refusal = check(sender_id, text)
            if refusal is not None:
                collector = CollectingOutputChannel()
                await collector.send_text_message(sender_id, refusal.reply)
                if refusal.reason == "rate_limited":
                    headers = {"Retry-After": str(int(WINDOW_SECONDS))}
                    return response.json(collector.messages, status=429, headers=headers)
                return response.json(collector.messages)

            collector = CollectingOutputChannel()
            message = UserMessage(
                clean_text(text),
                collector,
                sender_id,
                input_channel=self.name(),
                metadata=metadata,
            )
            agent = getattr(request.app.ctx, "agent", None)
            await answer_safely(message, on_new_message, agent)
            return response.json(collector.messages)

        return webhook
