"""The Telegram secret, Slack's signature, and how both channels read and lay out messages."""

from __future__ import annotations

import json

import pytest

from channels.recent_ids import RecentIds
from channels.slack import (
    BUTTONS_PER_BLOCK,
    BadRequest,
    button_blocks,
    is_authentic,
    media_type,
    read_json,
    signature,
)
from channels.telegram import (
    MAX_CALLBACK_DATA,
    as_rasa_text,
    callback_data,
    chunks,
    secret_matches,
)
from channels.telegram_updates import BadUpdate, BotIdentity, Incoming, Kind, read_update

BOT = BotIdentity("lbp_bot", 4242)

# Slack's published example (api.slack.com/authentication/verifying-requests-from-slack).
SLACK_EXAMPLE_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
SLACK_EXAMPLE_TIMESTAMP = "1531420618"
SLACK_EXAMPLE_BODY = (
    b"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id="
    b"G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-"
    b"collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700"
    b"885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c"
    b"447fce8b6703c"
)
SLACK_EXAMPLE_SIGNATURE = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"


def test_slack_signature_matches_slacks_published_example():
    assert (
        signature(SLACK_EXAMPLE_SECRET, SLACK_EXAMPLE_TIMESTAMP, SLACK_EXAMPLE_BODY)
        == SLACK_EXAMPLE_SIGNATURE
    )
    now = int(SLACK_EXAMPLE_TIMESTAMP) + 10
    assert is_authentic(
        SLACK_EXAMPLE_SECRET, SLACK_EXAMPLE_TIMESTAMP, SLACK_EXAMPLE_BODY,
        SLACK_EXAMPLE_SIGNATURE, now,
    )


@pytest.mark.parametrize(
    ("secret", "timestamp", "body", "given", "now"),
    [
        ("other-secret", SLACK_EXAMPLE_TIMESTAMP, SLACK_EXAMPLE_BODY, SLACK_EXAMPLE_SIGNATURE, 0),
        (SLACK_EXAMPLE_SECRET, SLACK_EXAMPLE_TIMESTAMP, SLACK_EXAMPLE_BODY + b"x",
         SLACK_EXAMPLE_SIGNATURE, 0),
        (SLACK_EXAMPLE_SECRET, "1531420619", SLACK_EXAMPLE_BODY, SLACK_EXAMPLE_SIGNATURE, 0),
        (SLACK_EXAMPLE_SECRET, SLACK_EXAMPLE_TIMESTAMP, SLACK_EXAMPLE_BODY,
         SLACK_EXAMPLE_SIGNATURE, 301),
        (SLACK_EXAMPLE_SECRET, SLACK_EXAMPLE_TIMESTAMP, SLACK_EXAMPLE_BODY,
         SLACK_EXAMPLE_SIGNATURE, -301),
        (SLACK_EXAMPLE_SECRET, None, SLACK_EXAMPLE_BODY, SLACK_EXAMPLE_SIGNATURE, 0),
        (SLACK_EXAMPLE_SECRET, "-5", SLACK_EXAMPLE_BODY, SLACK_EXAMPLE_SIGNATURE, 0),
        (SLACK_EXAMPLE_SECRET, SLACK_EXAMPLE_TIMESTAMP, SLACK_EXAMPLE_BODY, None, 0),
        (SLACK_EXAMPLE_SECRET, SLACK_EXAMPLE_TIMESTAMP, SLACK_EXAMPLE_BODY, "v0=é\udcff", 0),
        ("", SLACK_EXAMPLE_TIMESTAMP, SLACK_EXAMPLE_BODY, SLACK_EXAMPLE_SIGNATURE, 0),
    ],
    ids=["wrong secret", "body changed", "timestamp changed", "5 min old", "5 min ahead",
         "no timestamp", "negative timestamp", "no signature", "garbage signature", "no secret"],
)
def test_slack_refuses_anything_but_a_fresh_signature(secret, timestamp, body, given, now):
    assert not is_authentic(secret, timestamp, body, given, int(SLACK_EXAMPLE_TIMESTAMP) + now)


@pytest.mark.parametrize("body", [b"{", b"[1]", b"[" * 100_000, b"\xff", b'"x"'])
def test_slack_refuses_bodies_that_are_not_a_json_object(body):
    with pytest.raises(BadRequest):
        read_json(body)


def test_slack_reads_json_whatever_its_parameters():
    assert media_type("application/json; charset=utf-8") == "application/json"
    assert media_type("Application/JSON") == "application/json"
    assert media_type(None) == ""


def test_slack_buttons_become_block_kit_however_many_there_are():
    buttons = [{"title": f"answer {i}", "payload": f"/inform{{\"choice\":\"q:{i}\"}}"}
               for i in range(BUTTONS_PER_BLOCK + 2)]
    section, first, second = button_blocks("Where does it hurt?", buttons)
    assert section == {"type": "section", "text": {"type": "plain_text",
                                                     "text": "Where does it hurt?"}}
    elements = first["elements"] + second["elements"]
    assert [(e["text"]["text"], e["value"]) for e in elements] == [
        (b["title"], b["payload"]) for b in buttons
    ]
    assert len({e["action_id"] for e in elements}) == len(buttons)


@pytest.mark.parametrize(
    ("expected", "given", "matches"),
    [("s3cret", "s3cret", True), ("s3cret", "s3creT", False), ("s3cret", None, False),
     ("s3cret", "", False), ("", "", False), ("s3cret", "s3cret\udcff", False)],
)
def test_telegram_secret(expected, given, matches):
    assert secret_matches(expected, given) is matches


def update(**fields) -> bytes:
    return json.dumps({"update_id": 9, **fields}).encode()


def test_telegram_reads_messages_clicks_and_messages_without_text():
    chat = {"id": 42, "type": "private"}
    assert read_update(update(message={"chat": chat, "text": "hi"}), BOT) == Incoming(9, 42, "hi")
    assert read_update(update(message={"chat": chat, "sticker": {}}), BOT) == Incoming(
        9, 42, None
    )
    click = {"id": "q1", "data": "/greet", "message": {"chat": chat}}
    assert read_update(update(callback_query=click), BOT) == Incoming(
        9, 42, "/greet", "q1", Kind.TAP
    )
    assert read_update(update(my_chat_member={}), BOT) is None


@pytest.mark.parametrize(
    "body",
    [b"", b"nope", b"[]", b"null", b"[" * 100_000, update(message=[]),
     update(message={"text": "hi"}),
     update(message={"chat": {"id": 1.5}, "text": "hi"}),
     update(message={"chat": {"id": 1}, "text": ["hi"]}),
     update(callback_query={"id": "q", "message": {"chat": {"id": 1}}}),
     json.dumps({"update_id": None, "message": {}}).encode()],
)
def test_telegram_refuses_what_is_not_an_update(body):
    with pytest.raises(BadUpdate):
        read_update(body, BOT)


def test_telegram_commands_and_mentions():
    assert as_rasa_text("/start") == "/greet"
    assert as_rasa_text("/start private") == "/greet"  # the private-chat link's /start
    assert as_rasa_text("/start@lbp_bot") == "/greet"
    assert as_rasa_text('/inform{"choice":"a:b"}') == '/inform{"choice":"a:b"}'
    mentioned = update(message={"chat": {"id": 1}, "text": "@lbp_bot my back hurts"})
    assert read_update(mentioned, BOT).text == "my back hurts"


def test_telegram_long_texts_and_payloads_fit_its_limits():
    text = "\n\n".join(["word " * 300] * 10)
    pieces = chunks(text)
    assert all(len(piece) <= 4096 for piece in pieces) and len(pieces) > 1
    assert "".join(pieces).replace("\n", "").replace(" ", "") == text.replace("\n", "").replace(
        " ", ""
    )
    long_payload = {"title": "Yes", "payload": "/inform" + "x" * 100}
    assert callback_data(long_payload) == "Yes"
    assert len(callback_data({"title": "é" * 100, "payload": "p" * 100}).encode()) <= (
        MAX_CALLBACK_DATA
    )


def test_recent_ids_answers_once_and_forgets_the_oldest():
    recent = RecentIds(size=2)
    assert recent.first_time("a") and not recent.first_time("a")
    assert recent.first_time("b") and recent.first_time("c")
    assert recent.first_time("a")  # forgotten: at most two are kept
