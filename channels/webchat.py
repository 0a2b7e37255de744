"""The web chat channel: Rasa's socket.io channel, hardened, that also serves the chat page.

Same socket.io path and events as Rasa's `socketio` channel, so other socket.io clients keep
working. On top of it:
- session ids are issued and signed by this server (`channels/web_sessions.py`): a
  `session_request` for any other id gets a fresh session, and a message is taken only from a
  socket that was confirmed that session, under that session's id;
- when "forget me" has deleted the conversation, its sockets get `session_forgotten`, so the page
  drops its copy of the transcript and its session id;
- malformed events (not an object, a missing or non-text message, a bad session id, metadata
  nested too deep or too big) get a polite reply or are ignored, never an exception;
- every message goes through the shared message guard (`channels/guard.py`) before Rasa sees it,
  and each turn runs inside the safety net (`channels/safety_net.py`), as on the REST channel;
- the chat page and the widget's built files (from `web/`, installed by `npm ci`) are served at
  `/webchat/`, from an allow-list, with a Content-Security-Policy that permits nothing but this
  server, so nothing is loaded from elsewhere and injected markup could not run scripts.
"""

from __future__ import annotations

import html
import json
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.guard import MAX_METADATA_BYTES, clean_text, messages, metadata_problem, screen
from channels.safety_net import answer_safely
from channels.web_sessions import SessionIds
from server.state_secrets import secret
from store import forgotten

logger = logging.getLogger(__name__)

WEB_DIR = Path(__file__).resolve().parents[1] / "web"
PAGE_PREFIX = "/webchat"
MAX_SESSION_ID_LENGTH = 128
UNREADABLE_REPLY = (
    "Sorry, I couldn't read that message. Please type your message and send it again."
)
SESSION_SECRET_FILE = "session-secret"
SESSION_SECRET_VARIABLE = "LBP_SESSION_SECRET"
FORGOTTEN_EVENT = "session_forgotten"

# Files the page may load, by the name the page uses.
ASSETS: dict[str, tuple[Path, str]] = {
    "app.js": (WEB_DIR / "app.js", "text/javascript; charset=utf-8"),
    "style.css": (WEB_DIR / "style.css", "text/css; charset=utf-8"),
    "deep-chat.js": (
        WEB_DIR / "node_modules" / "deep-chat" / "dist" / "deepChat.bundle.js",
        "text/javascript; charset=utf-8",
    ),
    "socket.io.js": (
        WEB_DIR / "node_modules" / "socket.io-client" / "dist" / "socket.io.esm.min.js",
        "text/javascript; charset=utf-8",
    ),
}

SECURITY_HEADERS = {
    # deep-chat styles its shadow DOM with <style> elements, hence 'unsafe-inline' for styles only.
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
        "form-action 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}


def valid_session_id(value: object) -> str | None:
    """The session id if it is a usable one (short printable text), else None."""
    if isinstance(value, str) and 0 < len(value) <= MAX_SESSION_ID_LENGTH and value.isprintable():
        return value
    return None


def read_metadata(value: object) -> dict[str, Any]:
    """Message metadata as a dict: a dict, or a JSON object in a string; anything else is empty."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except (ValueError, RecursionError):
            return {}
    return value if isinstance(value, dict) else {}


def metadata_refused(value: object) -> bool:
    """Whether metadata (a dict, or JSON in a string) is too big or nested too deep to pass on."""
    if isinstance(value, str):
        if len(value) > MAX_METADATA_BYTES:
            return True
        try:
            value = json.loads(value)
        except RecursionError:
            return True
        except ValueError:
            return False  # not JSON: dropped by read_metadata, the message still goes on
    return metadata_problem(value) is not None


def page_blueprint(settings: dict[str, str]) -> Blueprint:
    """Routes that serve the chat page and its allow-listed files under /webchat/."""
    page = Blueprint("webchat_page", url_prefix=PAGE_PREFIX)
    attributes = " ".join(
        f'data-{name}="{html.escape(value, quote=True)}"' for name, value in settings.items()
    )

    @page.route("", methods=["GET"], strict_slashes=True)
    async def to_page(_: Request) -> HTTPResponse:
        return response.redirect(f"{PAGE_PREFIX}/")

    @page.route("/", methods=["GET"], strict_slashes=True)
    async def index(_: Request) -> HTTPResponse:
        text = (WEB_DIR / "index.html").read_text(encoding="utf-8")
        return response.html(text.replace("data-settings", attributes), headers=SECURITY_HEADERS)

    @page.route("/<name>", methods=["GET"])
    async def asset(_: Request, name: str) -> HTTPResponse:
        if name not in ASSETS:
            return response.text("Not found", status=404)
        path, content_type = ASSETS[name]
        if not path.is_file():
            logger.error("Web chat file %s is missing: run `make install` (npm ci in web/)", path)
            return response.text("The web chat is not installed: run `make install`.", status=503)
        return await response.file(path, mime_type=content_type, headers=SECURITY_HEADERS)

    return page


class WebChatBlueprint(SocketBlueprint):
    """The socket.io blueprint that also registers the page's routes at the server's root."""

    def __init__(self, page: Blueprint, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ctx.page = page

    def register(self, app: Sanic, options: dict[str, Any]) -> None:
        super().register(app, options)
        app.blueprint(self.ctx.page)


class WebChatInput(SocketIOInput):
    """Rasa's socket.io channel with input checks and the message guard, serving the chat page."""

    @classmethod
    def name(cls) -> str:
        return "socketio"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """Rasa's socket.io handlers, with the session and message handlers replaced."""
        super().blueprint(on_new_message)  # registers connect/disconnect (with JWT) on self.sio
        sio = self.sio
        assert sio is not None
        page = page_blueprint(
            {
                "socket-path": self.socketio_path or "/socket.io",
                "namespace": self.namespace or "/",
                "user-event": self.user_message_evt,
                "bot-event": self.bot_message_evt,
            }
        )
        blueprint = WebChatBlueprint(page, sio, self.socketio_path, "socketio_webhook", __name__)

        @blueprint.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        async def reply(room: str, text: str) -> None:
            await sio.emit(
                self.bot_message_evt, {"text": text}, room=room, namespace=self.namespace
            )

        sessions = SessionIds(secret(SESSION_SECRET_FILE, SESSION_SECRET_VARIABLE))

        async def session_request(sid: str, *args: Any) -> None:
            data = args[0] if args else None
            requested = data.get("session_id") if isinstance(data, dict) else None
            issued = sessions.sender_of(valid_session_id(requested)) is not None
            session_id = requested if issued else sessions.issue()  # not ours: a fresh one
            if self.session_persistence:
                sender_id = sessions.sender_of(session_id)
                # A socket follows one conversation: leave any it followed before.
                for room in sio.rooms(sid, namespace=self.namespace):
                    if room not in (sid, sender_id):
                        sio.leave_room(sid, room, namespace=self.namespace)
                sio.enter_room(sid, sender_id, namespace=self.namespace)
            await sio.emit("session_confirm", session_id, room=sid, namespace=self.namespace)

        def sender_of(sid: str, data: dict[str, Any]) -> str | None:
            """The conversation a message belongs to: the session this socket was confirmed."""
            if not self.session_persistence:
                return sid
            sender_id = sessions.sender_of(valid_session_id(data.get("session_id")))
            if sender_id is None or sender_id not in sio.rooms(sid, namespace=self.namespace):
                return None
            return sender_id

        async def handle_message(sid: str, *args: Any) -> None:
            data = args[0] if args else None
            if not isinstance(data, dict):
                logger.warning("Ignored a socket.io message that is not an object")
                await reply(sid, UNREADABLE_REPLY)
                return
            sender_id = sender_of(sid, data)
            if sender_id is None:
                logger.warning("Ignored a socket.io message without this socket's session_id")
                await reply(sid, UNREADABLE_REPLY)
                return
            if metadata_refused(data.get(self.metadata_key)):
                logger.warning("Ignored a socket.io message whose metadata is too big or deep")
                await reply(sid, messages()["bad_metadata"])
                return
            text = data.get("message")
            refusal = screen(sender_id, text)  # not text, empty, too long or too many
            if refusal is not None:
                await reply(sender_id, refusal)
                return
            message = UserMessage(
                clean_text(text),
                SocketIOOutput(sio, self.bot_message_evt),
                sender_id,
                input_channel=self.name(),
                metadata=read_metadata(data.get(self.metadata_key)),
            )
            with forgotten.watching() as deleted:
                await answer_safely(message, on_new_message)
            if sender_id in deleted:
                # The page keeps the transcript in the browser: tell it to drop it.
                await sio.emit(FORGOTTEN_EVENT, room=sender_id, namespace=self.namespace)

        sio.on("session_request", session_request, namespace=self.namespace)
        sio.on(self.user_message_evt, handle_message, namespace=self.namespace)
        return blueprint
