"""Fake Telegram Bot API and Slack Web API servers on loopback, recording every call made.

Each call is checked as it arrives against the official client libraries' own definitions
(python-telegram-bot's `Bot` methods and models, slack_sdk's `AsyncWebClient` methods and Block
Kit models): an unknown method or parameter, a missing required one, or a keyboard or block the
models do not accept is answered as the real API would (400 / `ok: false`) and listed in
`problems`, which the tests expect to stay empty.
"""

from __future__ import annotations

import asyncio
import inspect
import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.web.async_client import AsyncWebClient
from telegram import Bot, InlineKeyboardButton, ReplyParameters

from tests.e2e.servers import free_port

# Parameters of the libraries' methods that are client settings, not API fields.
CLIENT_ONLY = {"self", "read_timeout", "write_timeout", "connect_timeout", "pool_timeout",
               "api_kwargs", "kwargs"}
BUTTON_ACTIONS = ("url", "callback_data", "web_app", "login_url", "switch_inline_query",
                  "switch_inline_query_current_chat", "switch_inline_query_chosen_chat",
                  "copy_text", "callback_game", "pay")
MAX_TELEGRAM_TEXT = 4096
MAX_CALLBACK_DATA = 64
MAX_NOTICE = 200


@dataclass
class Call:
    """One request the bot made: API method, the token it used, and its parameters."""

    method: str
    token: str
    data: dict[str, Any]
    result: Any = None  # what the fake answered


def _decoded(value: str) -> Any:
    """Form fields holding JSON (reply_markup, blocks) as objects; other fields as they are."""
    if value[:1] in "[{":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


async def _parameters(request: web.Request) -> dict[str, Any]:
    if request.content_type == "application/json":
        return await request.json()
    form = await request.post()
    return {key: _decoded(str(value)) for key, value in form.items()}


def signature_problems(where: str, function: Any, data: dict[str, Any]) -> list[str]:
    """Parameters `function` does not take, and required ones missing from `data`."""
    parameters = inspect.signature(function).parameters
    known = set(parameters) - CLIENT_ONLY
    problems = [f"{where}: unknown parameter {name!r}" for name in data if name not in known]
    problems += [
        f"{where}: {name!r} is missing"
        for name, parameter in parameters.items()
        if name not in CLIENT_ONLY and parameter.default is parameter.empty and name not in data
    ]
    return problems


def telegram_problems(method: str, data: dict[str, Any]) -> list[str]:
    """What python-telegram-bot says is wrong with one Bot API call."""
    function = getattr(Bot, method, None)
    if not callable(function) or method.startswith("_"):
        return [f"{method} is not a Bot API method"]
    problems = signature_problems(method, function, data)
    markup = data.get("reply_markup")
    if markup is not None:
        rows = markup.get("inline_keyboard") if isinstance(markup, dict) else None
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            problems.append(f"{method}: reply_markup is not an inline keyboard: {markup!r}")
        for button in [b for row in rows or [] for b in row]:
            problems += button_problems(method, button)
    if data.get("reply_parameters") is not None:
        parsed = ReplyParameters.de_json(data["reply_parameters"], None)
        if parsed is None or parsed.api_kwargs:
            problems.append(f"{method}: reply_parameters {data['reply_parameters']!r}")
    text = data.get("text")
    limit = MAX_NOTICE if method == "answerCallbackQuery" else MAX_TELEGRAM_TEXT
    if text is not None and not 0 < len(str(text)) <= limit:
        problems.append(f"{method}: text of {len(str(text))} characters")
    return problems


def button_problems(method: str, button: object) -> list[str]:
    if not isinstance(button, dict):
        return [f"{method}: a button is not an object: {button!r}"]
    parsed = InlineKeyboardButton.de_json(button, None)
    actions = [name for name in BUTTON_ACTIONS if button.get(name) is not None]
    problems = []
    if parsed is None or parsed.api_kwargs or not button.get("text") or len(actions) != 1:
        problems.append(f"{method}: not an inline keyboard button: {button!r}")
    if len(str(button.get("callback_data", "")).encode()) > MAX_CALLBACK_DATA:
        problems.append(f"{method}: callback_data over {MAX_CALLBACK_DATA} bytes")
    return problems


def slack_problems(method: str, data: dict[str, Any]) -> list[str]:
    """What slack_sdk says is wrong with one Web API call."""
    function = getattr(AsyncWebClient, method.replace(".", "_"), None)
    if not callable(function):
        return [f"{method} is not a Web API method"]
    problems = signature_problems(method, function, data)
    blocks = data.get("blocks")
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    for raw in blocks or []:
        parsed = Block.parse(raw)
        if parsed is None:
            problems.append(f"{method}: not a block: {raw!r}")
            continue
        try:
            parsed.validate_json()
        except SlackObjectFormationError as error:
            problems.append(f"{method}: {error}")
        if parsed.to_dict() != {key: value for key, value in raw.items() if key != "block_id"}:
            problems.append(f"{method}: a block with fields slack_sdk does not know: {raw!r}")
    return problems


@dataclass
class FakeApi:
    """A loopback HTTP server in its own thread; `calls` lists what was asked of it."""

    token: str
    port: int = field(default_factory=free_port)
    calls: list[Call] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    _loop: asyncio.AbstractEventLoop | None = None
    _thread: threading.Thread | None = None
    _changed: threading.Condition = field(default_factory=threading.Condition)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def app(self) -> web.Application:
        raise NotImplementedError

    def record(self, call: Call, problems: list[str]) -> None:
        with self._changed:
            self.calls.append(call)
            self.problems.extend(problems)
            self._changed.notify_all()

    def next_id(self) -> int:
        return next(self._ids)

    def called(self, method: str) -> list[Call]:
        with self._changed:
            return [call for call in self.calls if call.method == method]

    def wait_for(self, method: str, count: int, timeout: float = 120.0, **match: Any) -> list[Call]:
        """The first `count` calls of `method` whose parameters include `match`, once they came
        (or all there are after `timeout` seconds)."""

        def found() -> list[Call]:
            return [
                call
                for call in self.calls
                if call.method == method
                and all(str(call.data.get(key)) == str(value) for key, value in match.items())
            ]

        with self._changed:
            self._changed.wait_for(lambda: len(found()) >= count, timeout)
            return found()

    def wait_until(self, condition: Any, timeout: float = 120.0) -> bool:
        """Wait until `condition()` holds, checked each time a call arrives."""
        with self._changed:
            return self._changed.wait_for(condition, timeout)

    def start(self) -> FakeApi:
        ready = threading.Event()
        self._loop = asyncio.new_event_loop()

        async def serve() -> None:
            runner = web.AppRunner(self.app())
            await runner.setup()
            await web.TCPSite(runner, "127.0.0.1", self.port).start()
            self._runner = runner
            ready.set()

        def run() -> None:
            asyncio.set_event_loop(self._loop)
            self._loop.run_until_complete(serve())
            self._loop.run_forever()
            self._loop.run_until_complete(self._runner.cleanup())
            self._loop.close()

        self._thread = threading.Thread(target=run, daemon=True)
        self._thread.start()
        if not ready.wait(30):
            raise RuntimeError(f"fake API on port {self.port} did not start")
        return self

    def stop(self) -> None:
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(30)


class FakeTelegram(FakeApi):
    """The Bot API: /bot<token>/<method>; answers as Telegram does, 401 for another token."""

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self.handle)
        return app

    async def handle(self, request: web.Request) -> web.Response:
        token, method = request.match_info["token"], request.match_info["method"]
        data = await _parameters(request)
        problems = telegram_problems(method, data)
        call = Call(method, token, data)
        self.record(call, problems)
        if token != self.token:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        if problems:
            return web.json_response(
                {"ok": False, "error_code": 400, "description": f"Bad Request: {problems[0]}"},
                status=400,
            )
        result: Any = True
        if method == "sendMessage":
            call.result = result = {
                "message_id": self.next_id(),
                "date": int(time.time()),
                "chat": {"id": int(data["chat_id"]), "type": "private"},
                "text": data.get("text", ""),
            }
        description = "Webhook was set" if method == "setWebhook" else None
        return web.json_response({"ok": True, "result": result, "description": description})


class FakeSlack(FakeApi):
    """The Web API: /api/<method> with a bearer token; `invalid_auth` for another token."""

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/api/{method}", self.handle)
        return app

    async def handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        data = await _parameters(request)
        problems = slack_problems(method, data)
        call = Call(method, token, data)
        self.record(call, problems)
        if token != self.token:
            return web.json_response({"ok": False, "error": "invalid_auth"})
        if problems:
            return web.json_response({"ok": False, "error": "invalid_arguments"})
        ts = data.get("ts") or f"{int(time.time())}.{self.next_id():06d}"
        call.result = {"ok": True, "channel": data.get("channel"), "ts": ts, "message_ts": ts}
        return web.json_response(call.result)
