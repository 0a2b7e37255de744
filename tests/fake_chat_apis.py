"""Fake Telegram Bot API and Slack Web API servers on loopback, recording every call made."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.e2e.servers import free_port


@dataclass
class Call:
    """One request the bot made: API method, the token it used, and its parameters."""

    method: str
    token: str
    data: dict[str, Any]


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


@dataclass
class FakeApi:
    """A loopback HTTP server in its own thread; `calls` lists what was asked of it."""

    token: str
    port: int = field(default_factory=free_port)
    calls: list[Call] = field(default_factory=list)
    _loop: asyncio.AbstractEventLoop | None = None
    _thread: threading.Thread | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def app(self) -> web.Application:
        raise NotImplementedError

    def record(self, call: Call) -> None:
        with self._lock:
            self.calls.append(call)

    def called(self, method: str) -> list[Call]:
        with self._lock:
            return [call for call in self.calls if call.method == method]

    def wait_for(self, method: str, count: int, timeout: float = 120.0, **match: Any) -> list[Call]:
        """The first `count` calls of `method` whose parameters include `match`, once they came."""
        deadline = time.monotonic() + timeout
        while True:
            found = [
                call
                for call in self.called(method)
                if all(str(call.data.get(key)) == str(value) for key, value in match.items())
            ]
            if len(found) >= count or time.monotonic() > deadline:
                return found
            time.sleep(0.1)

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
        self.record(Call(method, token, data))
        if token != self.token:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        result: Any = True
        if method == "sendMessage":
            result = {
                "message_id": len(self.calls),
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
        self.record(Call(method, token, data))
        if token != self.token:
            return web.json_response({"ok": False, "error": "invalid_auth"})
        return web.json_response(
            {"ok": True, "channel": data.get("channel"), "ts": f"{time.time():.6f}"}
        )
