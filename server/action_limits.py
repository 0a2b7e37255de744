"""Limits for the action server (rasa_sdk's Sanic app), attached by `rasa_sdk_plugins`.

rasa_sdk answers an action that raised with a 500 whose body holds the whole request, tracker
and every message of the conversation included; inflates a `Content-Encoding: deflate` body
with no limit (52 KB became 50 MB); reads bodies up to Sanic's 100 MB; and hands the domain core
whatever text the latest message holds. Here:

- an error is answered with a short `{"error": "..."}` (the log keeps the traceback), never with
  the request;
- a body is read up to `MAX_CALL_BYTES`, and inflated up to the same size (413 beyond, 400 when
  it is not deflate data);
- the latest message's text is cut to `LBP_MAX_MESSAGE_CHARS` (default 2000), the most the
  channels' guard lets through, so no call can make the domain core read more.
"""

from __future__ import annotations

import logging
import zlib

from sanic import Sanic, response
from sanic.exceptions import SanicException
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.guard import DEFAULT_MAX_CHARS, env_int

logger = logging.getLogger(__name__)

MAX_CALL_BYTES = 16_000_000
WEBHOOK_PATH = "/webhook"
FAILED = "The action server could not run this action; its log says why."


class TooLarge(ValueError):
    """A body that would inflate past the limit."""


def inflate(body: bytes, limit: int) -> bytes:
    """`body` (zlib's deflate format) inflated, never past `limit` bytes: TooLarge beyond, and
    zlib.error when it is not deflate data or is cut short."""
    inflater = zlib.decompressobj()
    data = inflater.decompress(body, limit + 1)
    if len(data) > limit or inflater.unconsumed_tail:
        raise TooLarge(f"the inflated body is over {limit} bytes")
    if not inflater.eof:
        raise zlib.error("the deflate data is cut short")
    return data


def cut_latest_text(call: object, limit: int) -> bool:
    """Cut the latest message's text in an action call to `limit` characters; True if it was."""
    tracker = call.get("tracker") if isinstance(call, dict) else None
    latest = tracker.get("latest_message") if isinstance(tracker, dict) else None
    text = latest.get("text") if isinstance(latest, dict) else None
    if isinstance(text, str) and len(text) > limit:
        latest["text"] = text[:limit]
        return True
    return False


def read_call(request: Request, max_text_chars: int) -> HTTPResponse | None:
    """Inflate and bound an action call in place; None when it may go on to rasa_sdk."""
    if request.path != WEBHOOK_PATH or request.method != "POST":
        return None
    if request.headers.get("content-encoding", "").strip().lower() == "deflate":
        try:
            request.body = inflate(request.body, MAX_CALL_BYTES)
        except TooLarge as error:
            return response.json({"error": f"Refused: {error}."}, status=413)
        except zlib.error:
            return response.json({"error": "The body is not valid deflate data."}, status=400)
        del request.headers["content-encoding"]  # inflated here; rasa_sdk must not do it again
    try:
        call = request.json  # parsed once: rasa_sdk reads the same object
    except Exception:  # noqa: BLE001 - Sanic's parser raises several kinds
        return response.json({"error": "The body is not valid JSON."}, status=400)
    if cut_latest_text(call, max_text_chars):
        logger.info("Cut an action call's latest message to %d characters", max_text_chars)
    return None


async def answer_error(request: Request, exception: Exception) -> HTTPResponse:
    """An error's status and a short reason, without the request."""
    if isinstance(exception, SanicException):
        return response.json({"error": str(exception)}, status=exception.status_code)
    logger.error(
        "The action server failed on %s %s (%s)",
        request.method,
        request.path,
        type(exception).__name__,
        exc_info=exception,
    )
    return response.json({"error": FAILED}, status=500)


def harden(app: Sanic) -> None:
    """Apply the limits to rasa_sdk's app (after its routes and error handler are in place)."""
    max_text_chars = env_int("LBP_MAX_MESSAGE_CHARS", DEFAULT_MAX_CHARS, minimum=1)
    app.config.REQUEST_MAX_SIZE = MAX_CALL_BYTES

    async def bound(request: Request) -> HTTPResponse | None:
        return read_call(request, max_text_chars)

    app.register_middleware(bound, "request")
    app.error_handler.add(Exception, answer_error)
    logger.info(
        "Action server limits on: bodies up to %d bytes (inflated ones too), latest message up "
        "to %d characters, errors answered without the request",
        MAX_CALL_BYTES,
        max_text_chars,
    )

