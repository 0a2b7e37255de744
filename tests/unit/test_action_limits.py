"""The action server's limits (server/action_limits.py), and that rasa_sdk picks them up.

tests/e2e/test_action_server_limits.py sends the same requests to the real action server.
"""

from __future__ import annotations

import asyncio
import json
import types
import zlib

import pytest
from rasa_sdk.endpoint import create_app
from rasa_sdk.plugin import plugin_manager
from sanic.compat import Header
from sanic.exceptions import InvalidUsage
from sanic.request import Request

from server.action_limits import (
    FAILED,
    MAX_CALL_BYTES,
    TooLarge,
    answer_error,
    cut_latest_text,
    inflate,
    read_call,
)

SECRET_TEXT = "my back hurts since the quorvex accident"


def call(text: str = SECRET_TEXT) -> dict:
    return {
        "next_action": "action_record_description",
        "sender_id": "someone",
        "tracker": {"sender_id": "someone", "latest_message": {"text": text}, "events": []},
        "domain": {},
        "version": "3.6.2",
    }


def webhook_request(body: bytes, **headers: str) -> Request:
    fields = {name.replace("_", "-"): value for name, value in headers.items()}
    made = Request(b"/webhook", Header(fields), "1.1", "POST", None, None)  # type: ignore[arg-type]
    made.body = body
    return made


def test_inflate_stops_at_the_limit() -> None:
    bomb = zlib.compress(b" " * 50_000_000)  # ~50 KB that inflate to 50 MB
    assert len(bomb) < 100_000
    with pytest.raises(TooLarge):
        inflate(bomb, MAX_CALL_BYTES)
    assert inflate(zlib.compress(b"x" * 1000), 1000) == b"x" * 1000
    with pytest.raises(TooLarge):
        inflate(zlib.compress(b"x" * 1001), 1000)
    with pytest.raises(zlib.error):
        inflate(b"not deflate at all", 1000)
    with pytest.raises(zlib.error):
        inflate(zlib.compress(b"x" * 1000)[:-8], 1000)  # cut short


def test_a_deflate_bomb_is_refused_with_413_before_it_is_inflated() -> None:
    made = webhook_request(zlib.compress(b" " * 50_000_000), content_encoding="deflate")
    refused = read_call(made, 2000)
    assert refused is not None and refused.status == 413


def test_a_deflated_call_is_inflated_once_and_read_by_rasa_sdk_as_json() -> None:
    made = webhook_request(zlib.compress(json.dumps(call()).encode()), content_encoding="deflate")
    assert read_call(made, 2000) is None
    assert "content-encoding" not in made.headers  # rasa_sdk would inflate it a second time
    assert made.json["tracker"]["latest_message"]["text"] == SECRET_TEXT


@pytest.mark.parametrize("body", [b"not json", b"[" * 100_000 + b"]" * 100_000])
def test_a_body_that_is_not_json_gets_400(body: bytes) -> None:
    refused = read_call(webhook_request(body), 2000)
    assert refused is not None and refused.status == 400
    not_deflate = read_call(webhook_request(b"xx", content_encoding="deflate"), 2000)
    assert not_deflate is not None and not_deflate.status == 400


def test_the_latest_message_is_cut_to_the_guards_length() -> None:
    long = call("my lower back hurts " * 2000)  # 40 KB
    assert cut_latest_text(long, 2000)
    assert len(long["tracker"]["latest_message"]["text"]) == 2000
    short = call()
    assert not cut_latest_text(short, 2000)
    assert short == call()
    for odd in ({}, {"tracker": None}, {"tracker": {"latest_message": {"text": 5}}}, [1], None):
        assert not cut_latest_text(odd, 10)

    made = webhook_request(json.dumps(call("x" * 40_000)).encode())
    assert read_call(made, 2000) is None
    assert len(made.json["tracker"]["latest_message"]["text"]) == 2000  # what rasa_sdk reads


def test_an_error_is_answered_without_the_request() -> None:
    made = webhook_request(json.dumps(call()).encode())
    answer = asyncio.run(answer_error(made, AttributeError("'str' object has no attribute 'get'")))
    assert answer.status == 500
    assert json.loads(answer.body) == {"error": FAILED}
    assert b"quorvex" not in answer.body
    bad = asyncio.run(answer_error(made, InvalidUsage("Failed when parsing body as json")))
    assert bad.status == 400 and b"quorvex" not in bad.body


def test_rasa_sdk_attaches_the_limits_through_its_plugin_hook() -> None:
    app = create_app(types.ModuleType("no_actions"))
    assert app.config.REQUEST_MAX_SIZE > MAX_CALL_BYTES  # Sanic's 100 MB
    plugin_manager().hook.attach_sanic_app_extensions(app=app)  # what rasa_sdk's run() does
    assert app.config.REQUEST_MAX_SIZE == MAX_CALL_BYTES
    assert app.error_handler.lookup(RuntimeError("x"), None) is answer_error
