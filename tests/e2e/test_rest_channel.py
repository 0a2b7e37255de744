"""The REST entry point against real servers: bad input, length and rate limits, and the action
server going away and coming back mid-conversation.

One Rasa server for the module, with a small rate limit and maximum length set through the
environment, so that the limits are quick to reach; credentials.yml is the real one.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from bot.wording import load_phrases
from channels.guard import messages
from tests.e2e.servers import MODEL, ROOT, Servers, pending_question
from tests.e2e.stored import first_answer

pytestmark = pytest.mark.e2e

RATE_LIMIT = 8
MAX_CHARS = 500
OPENING = "my lower back aches when I sit at my desk and it shoots down the back of my thigh"
RED_FLAG = "I can't feel anything when I wipe and I haven't been able to pee since this morning"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: run `make train` (make test does it for you)")
    running = Servers(
        state_dir=tmp_path_factory.mktemp("rest-channel"),
        credentials=ROOT / "credentials.yml",
        extra_env={"LBP_RATE_LIMIT": str(RATE_LIMIT), "LBP_MAX_MESSAGE_CHARS": str(MAX_CHARS)},
        rasa_start_timeout=900,  # a busy 2-core machine (CI runs the other e2e servers too)
    )
    try:
        running.start_actions()
        running.start_rasa()
        yield running
    finally:
        running.stop_all()


def post(server: Servers, body: bytes | dict, content_type: str = "application/json"):
    """POST to the REST webhook; a dict is sent as JSON, bytes as they are."""
    data = json.dumps(body).encode() if isinstance(body, dict) else body
    return requests.post(
        f"{server.rasa_url}/webhooks/rest/webhook",
        data=data,
        headers={"Content-Type": content_type},
        timeout=60,
    )


def texts(replies: list[dict]) -> list[str]:
    return [reply.get("text", "") for reply in replies]


def assert_answered_normally(server: Servers, sender: str) -> None:
    """The conversation still works: a greeting gets the assistant's own answer."""
    replies = server.say(sender, "hello")
    assert replies and all(text.strip() for text in texts(replies))
    assert not set(texts(replies)) & set(messages().values())


BAD_BODIES = {
    "truncated JSON": b'{"sender": "bad-1", "message": "hi"',
    "not JSON": b"sender=bad-2&message=hi",
    "empty body": b"",
    "invalid UTF-8": b'{"sender": "bad-3", "message": "\xff\xfe"}',
    "deeply nested": b"[" * 100_000 + b"]" * 100_000,
    "a list": b'[{"sender": "bad-4", "message": "hi"}]',
    "a string": b'"hi"',
    "null": b"null",
    "message a number": {"sender": "bad-5", "message": 42},
    "message a list": {"sender": "bad-6", "message": ["hi"]},
    "message an object": {"sender": "bad-7", "message": {"text": "hi"}},
    "message true": {"sender": "bad-8", "message": True},
    "message null": {"sender": "bad-9", "message": None},
    "message missing": {"sender": "bad-10"},
    "sender missing": {"message": "hi"},
    "sender a number": {"sender": 12345, "message": "hi"},
    "sender a list": {"sender": ["bad-11"], "message": "hi"},
    "sender empty": {"sender": "", "message": "hi"},
    "sender too long": {"sender": "x" * 500, "message": "hi"},
    "sender with a control character": {"sender": "bad\u000012", "message": "hi"},
    "metadata a string": {"sender": "bad-13", "message": "hi", "metadata": "x"},
    "nothing": {},
}


@pytest.mark.parametrize(("name", "body"), BAD_BODIES.items(), ids=BAD_BODIES.keys())
def test_malformed_requests_get_400_saying_what_is_wrong_and_the_next_message_works(
    server: Servers, name: str, body: bytes | dict
) -> None:
    response = post(server, body)
    assert response.status_code == 400
    assert response.json()["error"]
    assert_answered_normally(server, f"after {name}")


ODD_TEXTS = {
    "control characters": "my back\x00 hurts\x1b[31m when I \x07sit\r\n",
    "right-to-left marks": "\u202emy back hurts\u202c \u200f\u05db\u05d0\u05d1 \u05d2\u05d1",
    "emoji": "my back hurts \U0001f62b\U0001f9cd\u200d\u2642\ufe0f when I stand",
    "zero-width": "my\u200bback\u200churts\u200dwhen\ufeffI sit",
    "lone surrogates": "my back \ud800hurts\udfff",
    "script tag": "<script>alert('x')</script> my back hurts",
    "html": '<b>hi</b> <img src=x onerror="alert(1)">',
    "sql-ish": "'; DROP TABLE events; --",
}


@pytest.mark.parametrize(("name", "text"), ODD_TEXTS.items(), ids=ODD_TEXTS.keys())
def test_odd_text_gets_a_reply_and_the_next_message_works(
    server: Servers, name: str, text: str
) -> None:
    sender = f"odd {name}"
    response = post(server, {"sender": sender, "message": text})
    assert response.status_code == 200
    assert texts(response.json()) and all(reply.strip() for reply in texts(response.json()))
    assert_answered_normally(server, sender)


@pytest.mark.parametrize("text", ["", "   \n\t ", "\x00\x01\x02", "\u0085"])
def test_an_empty_message_gets_the_empty_reply(server: Servers, text: str) -> None:
    sender = f"empty-{len(text)}-{ord(text[0]) if text else 0}"
    assert texts(server.say(sender, text)) == [messages()["empty"]]
    assert_answered_normally(server, sender)


def test_a_100_kb_message_gets_the_length_reply_and_the_next_message_works(
    server: Servers,
) -> None:
    reply = " ".join(texts(server.say("huge", "my back hurts " * 7300)))
    assert f"up to {MAX_CHARS} characters" in reply
    assert_answered_normally(server, "huge")


def test_a_message_at_the_limit_is_read_and_one_over_is_refused_clearly(server: Servers) -> None:
    at_limit = ("my lower back aches " * 100)[:MAX_CHARS]
    assert messages()["too_long"].split("{")[0] not in " ".join(
        texts(server.say("limit", at_limit))
    )
    over = server.say("limit", at_limit + "x")
    assert texts(over) == [messages()["too_long"].format(limit=MAX_CHARS, length=MAX_CHARS + 1)]


def test_a_too_long_message_that_starts_with_a_red_flag_still_gets_the_advice(
    server: Servers,
) -> None:
    reply = texts(server.say("long-red-flag", f"{RED_FLAG}. " + "It all started last week. " * 40))
    assert reply[0].startswith(load_phrases()["red_flag"]["emergency"])
    assert f"up to {MAX_CHARS} characters" in reply[-1]


def test_a_flood_from_one_sender_gets_the_polite_reply_and_others_are_unaffected(
    server: Servers,
) -> None:
    flood = RATE_LIMIT + 4
    with ThreadPoolExecutor(max_workers=flood) as pool:
        responses = list(
            pool.map(lambda _: post(server, {"sender": "flooder", "message": "hi"}), range(flood))
        )
    refused = [response for response in responses if response.status_code == 429]
    assert sorted(response.status_code for response in responses) == [200] * RATE_LIMIT + [
        429
    ] * 4
    for response in refused:
        assert texts(response.json()) == [messages()["rate_limited"]]
        assert int(response.headers["Retry-After"]) > 0
    assert_answered_normally(server, "bystander")


def tracker(server: Servers, sender: str) -> dict:
    return server.tracker(sender)


def test_action_server_down_gets_a_clear_reply_and_the_conversation_continues_when_it_returns(
    server: Servers,
) -> None:
    sender = "outage"
    opening = server.say(sender, OPENING)
    question = pending_question(opening)
    assert question is not None
    before = tracker(server, sender)["slots"]
    answer = first_answer(opening)
    assert answer is not None

    server.stop("actions")
    try:
        down = server.say(sender, answer)
        assert texts(down)[-1] == messages()["action_server_down"]
        assert server.api("GET", "/status", timeout=10).status_code == 200
        # What needs no action server still works, without the fallback.
        assert_answered_normally(server, "outage-greeting")
        # Half a turn (a response, then the interview's failed action) gets the clear reply after.
        started = texts(server.say("outage-start", "/start_assessment"))
        assert len(started) >= 2 and started[0] not in messages().values()
        assert started[-1] == messages()["action_server_down"]
        # A red flag while the action server is down still gets the urgent advice.
        urgent = texts(server.say("outage-red-flag", RED_FLAG))
        assert urgent[0].startswith(load_phrases()["red_flag"]["emergency"])
        assert urgent[-1] == messages()["urgent_offline_note"]
    finally:
        server.start_actions()

    again = server.say(sender, answer)
    assert messages()["action_server_down"] not in texts(again)
    assert pending_question(again) != question  # the answer is taken: a new question or results
    after = tracker(server, sender)["slots"]
    assert after["pending_question"] != question
    assert all(finding in after["findings"] for finding in before["findings"])
