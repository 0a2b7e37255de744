"""Web chat sessions are the server's to issue, over real servers and a plain socket.io client.

Someone who knows a Telegram chat id, a Slack user id, a REST sender or another person's web chat
conversation id (from a log or the store) must not be able to read, continue or erase that
conversation through the web chat; nor may REST reach a web chat conversation.
"""

from __future__ import annotations

import json

import pytest
import requests

from bot.wording import load_phrases
from channels.guard import messages
from tests.e2e.servers import Servers
from tests.e2e.webchat_client import ChatSocket, chat_socket, sender_of

pytestmark = pytest.mark.e2e

TELEGRAM_ID = "telegram-990000001"
EMERGENCY = "I suddenly can't control my bladder and both legs are numb"
UNREADABLE = "Sorry, I couldn't read that message. Please type your message and send it again."


def user_texts(servers: Servers, sender: str) -> list[str]:
    """What the store holds as the conversation's messages. Rasa stores a turn after its replies
    have gone out, but before the conversation's next turn starts: so every turn before the
    last one answered is in."""
    events = servers.tracker(sender)["events"]
    return [event.get("text") or "" for event in events if event["event"] == "user"]


def converse(socket: ChatSocket, session: str, *texts: str) -> None:
    """Send each text and wait for its answer (small talk: answered in one message)."""
    for text in texts:
        socket.say(session, text)
        assert socket.next_reply()["text"]


@pytest.mark.parametrize(
    "requested",
    [
        TELEGRAM_ID,
        "slack-U0123ABC",
        "a-rest-sender",
        "webchat-" + "0" * 32,
        "webchat-" + "0" * 32 + "." + "0" * 32,
    ],
)
def test_a_session_id_the_server_did_not_issue_gets_a_fresh_one(
    servers: Servers, requested: str
) -> None:
    with chat_socket(servers.rasa_url) as socket:
        confirmed = socket.request_session(requested)
        assert confirmed != requested
        assert sender_of(confirmed) != requested
        assert sender_of(confirmed).startswith("webchat-")
        # and the fresh one is the server's own: asking for it again keeps it
        assert socket.request_session(confirmed) == confirmed


def test_another_channels_conversation_cannot_be_written_read_or_erased(
    servers: Servers,
) -> None:
    with chat_socket(servers.rasa_url) as socket:
        socket.request_session(TELEGRAM_ID)
        for text in ("my secret back story", "summary for my doctor", "forget me"):
            socket.say(TELEGRAM_ID, text)
            assert socket.next_reply()["text"] == UNREADABLE
    assert user_texts(servers, TELEGRAM_ID) == []


def test_a_socket_without_the_session_can_neither_write_into_nor_hear_a_conversation(
    servers: Servers,
) -> None:
    with (
        chat_socket(servers.rasa_url) as owner,
        chat_socket(servers.rasa_url) as stranger,
        chat_socket(servers.rasa_url) as guesser,
    ):
        session = owner.request_session()
        converse(owner, session, "hi")

        # One that never asked for a session, and one that asked for the stored id.
        stranger.say(session, "zyxwort: written by a stranger")
        assert stranger.next_reply()["text"] == UNREADABLE
        taken = guesser.request_session(sender_of(session))
        assert taken != session
        guesser.say(session, "zyxwort: written by a guesser")
        assert guesser.next_reply()["text"] == UNREADABLE

        owner.say(session, "bye")
        answer = owner.next_reply()["text"]
        # The guesser hears only its own conversation: the owner's answer never reached it.
        guesser.say(taken, "hello")
        assert guesser.next_reply()["text"] != answer
        converse(owner, session, "thanks")

    stored = user_texts(servers, sender_of(session))
    assert stored[:2] == ["hi", "bye"]
    assert not [text for text in stored if "zyxwort" in text]


def test_rest_cannot_reach_a_web_chat_conversation(servers: Servers) -> None:
    with chat_socket(servers.rasa_url) as socket:
        session = socket.request_session()
        converse(socket, session, "hi", "thanks")
    for sender in (sender_of(session), session):
        response = requests.post(
            f"{servers.rasa_url}/webhooks/rest/webhook",
            json={"sender": sender, "message": "forget me"},
            timeout=60,
        )
        assert response.status_code == 400
        assert "webchat-" in response.json()["error"]
    assert user_texts(servers, sender_of(session))[0] == "hi"  # nothing erased


def test_a_rate_limited_red_flag_still_gets_the_advice(servers: Servers) -> None:
    with chat_socket(servers.rasa_url) as socket:
        session = socket.request_session()
        for _ in range(60):  # the default limit, used up with empty messages (quick replies)
            socket.say(session, "")
            assert socket.next_reply()["text"] == messages()["empty"]
        socket.say(session, EMERGENCY)
        reply = socket.next_reply()["text"]
    assert reply.startswith(load_phrases()["red_flag"]["emergency"])
    assert reply.endswith(messages()["rate_limited"])


@pytest.mark.parametrize(
    "metadata",
    [
        "[" * 3000 + "]" * 3000,  # deep JSON in a string
        json.dumps({"a": {"b": {"c": {"d": {"e": {"f": {"g": {"h": {"i": {"j": {"k": 1}}}}}}}}}}}),
        {"blob": "x" * 900_000},
    ],
    ids=["3000 deep string", "11 deep string", "900 KB"],
)
def test_metadata_too_deep_or_too_big_gets_a_reply_and_is_not_stored(
    servers: Servers, metadata: object
) -> None:
    with chat_socket(servers.rasa_url) as socket:
        session = socket.request_session()
        socket.say(session, "zyxwort my back hurts", metadata=metadata)
        assert socket.next_reply()["text"] == messages()["bad_metadata"]
        converse(socket, session, "hi")
    assert not [text for text in user_texts(servers, sender_of(session)) if "zyxwort" in text]
