"""The Rasa server's HTTP API behind a token, and every request through `server/http_guard.py`.

`rasa run --enable-api` without `--auth-token` or `--jwt-secret` would let anything that can reach
the port read, rewrite and delete every conversation, and load another model; a web page in a
browser on the same machine can reach 127.0.0.1. So the API always needs a token: the one given
with `--auth-token` (or a JWT secret), else `LBP_API_TOKEN`, else the one in the state folder's
`api-token` (made at first start; see `server/state_secrets.py`). Requests add `?token=<token>`.

`apply()` wraps Rasa's `serve_application` (which `rasa run` and `rasa shell` call): it fills in
the token and has the app Rasa builds checked by an `HttpGuard` for the address it listens on.
"""

from __future__ import annotations

import functools
import inspect
import logging
import os
import sys
from collections.abc import Callable, Iterable
from typing import Any

import rasa.core.run
from rasa.core.channels.socketio import SocketIOInput
from sanic import Sanic

from server.http_guard import HttpGuard
from server.state_secrets import secret, state_dir

logger = logging.getLogger(__name__)

TOKEN_FILE = "api-token"
TOKEN_VARIABLE = "LBP_API_TOKEN"


def api_token() -> str:
    """`LBP_API_TOKEN`, or the state folder's token (made at first start), saying where it is."""
    token = secret(TOKEN_FILE, TOKEN_VARIABLE)
    if not os.environ.get(TOKEN_VARIABLE, "").strip():
        print(
            f"HTTP API: requests need ?token=<the token in {state_dir() / TOKEN_FILE}> "
            f"({TOKEN_VARIABLE} sets another)",
            file=sys.stderr,
            flush=True,
        )
    return token


def socket_paths(channels: Iterable[Any]) -> list[str]:
    """The socket.io paths among the server's input channels."""
    return [
        channel.socketio_path or "/socket.io"
        for channel in channels
        if isinstance(channel, SocketIOInput)
    ]


def guarding(rasa_configure: Callable[..., Sanic], interface: str | None) -> Callable[..., Sanic]:
    """Rasa's `configure_app`, with its app checked by an HttpGuard."""
    signature = inspect.signature(rasa_configure)

    @functools.wraps(rasa_configure)
    def configure_app(*args: Any, **kwargs: Any) -> Sanic:
        given = signature.bind(*args, **kwargs)
        given.apply_defaults()
        app = rasa_configure(*args, **kwargs)
        guard = HttpGuard.for_server(
            interface,
            given.arguments["cors"],
            socket_paths(given.arguments["input_channels"] or []),
            os.environ,
        )
        guard.protect(app)
        return app

    return configure_app


def apply() -> None:
    """Make Rasa's server require the API token and check every request (once)."""
    rasa_serve = rasa.core.run.serve_application
    if getattr(rasa_serve, "protected", False):
        return
    signature = inspect.signature(rasa_serve)

    @functools.wraps(rasa_serve)
    def serve_application(*args: Any, **kwargs: Any) -> None:
        given = signature.bind(*args, **kwargs)
        given.apply_defaults()
        options = given.arguments
        if options["enable_api"] and not (options["auth_token"] or options["jwt_secret"]):
            options["auth_token"] = api_token()
        rasa_configure = rasa.core.run.configure_app
        rasa.core.run.configure_app = guarding(rasa_configure, options["interface"])
        try:
            rasa_serve(*given.args, **given.kwargs)
        finally:
            rasa.core.run.configure_app = rasa_configure

    serve_application.protected = True  # type: ignore[attr-defined]
    rasa.core.run.serve_application = serve_application
