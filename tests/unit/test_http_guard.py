"""The Rasa server's HTTP checks and its API token, without starting Rasa.

The checks run on Sanic requests built by hand; `server.protection` is run against a stand-in
for Rasa's `serve_application`, to see the token it is given. tests/e2e/test_access.py checks
the same against the real server.
"""

from __future__ import annotations

import inspect
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import rasa.core.run
from sanic import Sanic
from sanic.compat import Header
from sanic.request import Request

from server import protection
from server.http_guard import MAX_BODY_BYTES, HttpGuard, allowed_hosts
from server.state_secrets import SecretError, read_or_create, secret

HOSTS = allowed_hosts("127.0.0.1", {})


def request(
    path: str,
    method: str = "GET",
    host: str | None = "127.0.0.1:5005",
    body: bytes = b"",
    **headers: str,
) -> Request:
    fields = {name.replace("_", "-"): value for name, value in headers.items()}
    if host is not None:
        fields["host"] = host
    made = Request(path.encode(), Header(fields), "1.1", method, None, None)  # type: ignore[arg-type]
    made.body = body
    return made


def status(guard: HttpGuard, made: Request) -> int | None:
    refused = guard.refusal(made)
    return None if refused is None else refused.status


@pytest.mark.parametrize(
    "host",
    ["127.0.0.1:5005", "localhost:5005", "[::1]:5005", "LOCALHOST", "127.0.0.1"],
)
def test_loopback_hosts_are_answered(host: str) -> None:
    assert status(HttpGuard(HOSTS), request("/status", host=host)) is None


@pytest.mark.parametrize(
    "host", ["attacker.example:5005", "127.0.0.1.attacker.example", "", None, "[zz"]
)
def test_other_hosts_get_421(host: str | None) -> None:
    """DNS rebinding: a page whose own name now points at 127.0.0.1 still says its name."""
    assert status(HttpGuard(HOSTS), request("/conversations/x/tracker", host=host)) == 421
    assert status(HttpGuard(HOSTS), request("/webhooks/rest/webhook", "POST", host=host)) == 421


def test_the_listening_address_and_configured_names_are_answered() -> None:
    environ = {
        "LBP_ALLOWED_HOSTS": "chat.example.org, [2001:db8::1] lan-box:8080",
        "LBP_TELEGRAM_WEBHOOK_URL": "https://bot.example.net/webhooks/telegram/webhook",
    }
    hosts = allowed_hosts("127.0.0.2", environ)
    assert {"127.0.0.2", "chat.example.org", "2001:db8::1", "lan-box", "bot.example.net"} <= hosts
    assert allowed_hosts("0.0.0.0", {}) == allowed_hosts(None, {})
    guard = HttpGuard(hosts)
    assert status(guard, request("/", host="chat.example.org")) is None
    assert status(guard, request("/", host="other.example.org")) == 421


@pytest.mark.parametrize(
    "path", ["/conversations/x/execute", "/webhooks/rest/webhook", "/model", "/status"]
)
@pytest.mark.parametrize("origin", ["http://attacker.example", "null", "http://127.0.0.1:8000"])
def test_a_web_page_of_another_origin_is_refused(path: str, origin: str) -> None:
    made = request(path, "POST", body=b"{}", content_type="application/json", origin=origin)
    assert status(HttpGuard(HOSTS), made) == 403


def test_this_servers_own_origin_and_cors_origins_are_accepted() -> None:
    guard = HttpGuard.for_server("127.0.0.1", ["https://app.example"], ["/socket.io"], {})
    for origin in ("http://127.0.0.1:5005", "https://app.example"):
        made = request("/webhooks/rest/webhook", "POST", body=b"{}", origin=origin)
        assert status(guard, made) is None
    anyone = HttpGuard.for_server("127.0.0.1", "*", [], {})
    elsewhere = request("/webhooks/rest/webhook", "POST", origin="http://x.example")
    assert status(anyone, elsewhere) is None


def test_socket_io_is_left_to_its_signed_sessions() -> None:
    guard = HttpGuard.for_server("127.0.0.1", None, ["/socket.io"], {})
    made = request("/socket.io/", "POST", body=b"40", origin="http://x.example")
    assert status(guard, made) is None


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "text/plain;charset=UTF-8", "application/x-www-form-urlencoded",
     "multipart/form-data; boundary=x", None],
)
def test_api_bodies_that_are_not_json_get_415(content_type: str | None) -> None:
    """What a browser sends to another site without asking first is refused."""
    headers = {} if content_type is None else {"content_type": content_type}
    for path, method in (("/conversations/x/execute", "POST"), ("/model", "PUT")):
        made = request(path, method, body=b'{"name": "action_forget_me"}', **headers)
        assert status(HttpGuard(HOSTS), made) == 415


def test_json_and_yaml_api_bodies_and_channel_bodies_pass() -> None:
    guard = HttpGuard(HOSTS)
    body = b'{"name": "utter_greet"}'
    types = ("application/json", "application/json; charset=utf-8", "application/x-yaml")
    for content_type in types:
        made = request("/conversations/x/execute", "POST", body=body, content_type=content_type)
        assert status(guard, made) is None
    # The channels read their own bodies (curl -d, Slack's forms): not the API's rule.
    assert status(guard, request("/webhooks/rest/webhook", "POST", body=body)) is None
    assert status(guard, request("/webhooks/slack/webhook", "POST", body=b"payload=x")) is None
    assert status(guard, request("/conversations/x/tracker")) is None


def test_protect_caps_the_body_sanic_reads() -> None:
    app = Sanic("http_guard_test")
    assert app.config.REQUEST_MAX_SIZE > MAX_BODY_BYTES  # Sanic's own default: 100 MB
    HttpGuard(HOSTS).protect(app)
    assert app.config.REQUEST_MAX_SIZE == MAX_BODY_BYTES


# The API token.


@pytest.fixture
def captured(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[dict[str, Any]]:
    """Rasa's serve_application replaced by a stand-in that records what it was given."""
    seen: dict[str, Any] = {}
    real = rasa.core.run.serve_application

    def stand_in(*args: Any, **kwargs: Any) -> None:
        given = inspect.signature(real).bind(*args, **kwargs)
        given.apply_defaults()
        seen.update(given.arguments)
        seen["configure_app"] = rasa.core.run.configure_app

    stand_in.__signature__ = inspect.signature(real)  # type: ignore[attr-defined]
    monkeypatch.setattr(rasa.core.run, "serve_application", stand_in)
    monkeypatch.setattr(rasa.core.run, "configure_app", rasa.core.run.configure_app)
    monkeypatch.setenv("LBP_STATE_DIR", str(tmp_path))
    monkeypatch.delenv("LBP_API_TOKEN", raising=False)
    protection.apply()
    yield seen


def test_the_api_gets_a_token_made_at_first_start(
    captured: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rasa.core.run.serve_application(model_path="m", enable_api=True, interface="127.0.0.1")
    token = captured["auth_token"]
    path = tmp_path / "api-token"
    assert token and len(token) >= 32 and path.read_text().strip() == token
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    told = capsys.readouterr().err
    assert str(path) in told and token not in told
    assert captured["configure_app"] is not rasa.core.run.configure_app  # guarded meanwhile

    rasa.core.run.serve_application(model_path="m", enable_api=True)  # a restart: the same one
    assert captured["auth_token"] == token


def test_a_token_from_the_environment_or_the_command_line_is_kept(
    captured: dict[str, Any], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("LBP_API_TOKEN", "token-from-the-environment")
    rasa.core.run.serve_application(model_path="m", enable_api=True)
    assert captured["auth_token"] == "token-from-the-environment"
    rasa.core.run.serve_application(model_path="m", enable_api=True, auth_token="given-on-cli")
    assert captured["auth_token"] == "given-on-cli"
    rasa.core.run.serve_application(model_path="m", enable_api=True, jwt_secret="j" * 20)
    assert captured["auth_token"] is None  # a JWT secret guards the API on its own
    assert not (tmp_path / "api-token").exists()


def test_no_api_no_token(captured: dict[str, Any], tmp_path: Path) -> None:
    rasa.core.run.serve_application(model_path="m", enable_api=False)  # rasa shell
    assert captured["auth_token"] is None
    assert not (tmp_path / "api-token").exists()


def test_secrets_are_made_once_and_a_short_one_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "state" / "session-secret"
    first = read_or_create(path)
    assert read_or_create(path) == first
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".")]  # no draft left
    assert secret("session-secret", "LBP_X", {"LBP_STATE_DIR": str(tmp_path / "state")}) == first
    assert secret("x", "LBP_X", {"LBP_X": "s" * 16}) == "s" * 16
    with pytest.raises(SecretError, match="LBP_X is shorter"):
        secret("x", "LBP_X", {"LBP_X": "short"})
    path.write_text("")
    with pytest.raises(SecretError, match="delete it"):
        read_or_create(path)
    os.unlink(path)
    assert read_or_create(path) != first
