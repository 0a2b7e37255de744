"""Web chat session ids are the server's own: signed, apart from other channels' conversations."""

from __future__ import annotations

import pytest

from channels.rest import BadRequest, read_sender
from channels.web_sessions import PREFIX, SessionIds

SECRET = "a-test-secret-of-enough-length"


def test_an_issued_id_names_a_webchat_conversation_and_is_accepted_back() -> None:
    sessions = SessionIds(SECRET)
    session_id = sessions.issue()
    sender = sessions.sender_of(session_id)
    assert sender is not None and sender.startswith(PREFIX)
    assert session_id.startswith(sender + ".")
    assert sessions.issue() != session_id


def test_ids_are_accepted_only_under_the_secret_that_signed_them() -> None:
    session_id = SessionIds(SECRET).issue()
    assert SessionIds(SECRET).sender_of(session_id) is not None  # e.g. after a restart
    assert SessionIds("another-secret-of-enough-length").sender_of(session_id) is None


@pytest.mark.parametrize(
    "session_id",
    [
        "telegram-990000001",
        "slack-U0123ABC",
        "some-rest-sender",
        PREFIX + "0" * 32,  # a stored conversation id, without its signature
        PREFIX + "0" * 32 + "." + "0" * 32,  # a forged signature
        "",
        None,
        42,
        ["webchat-x"],
    ],
)
def test_ids_the_server_did_not_issue_are_refused(session_id: object) -> None:
    assert SessionIds(SECRET).sender_of(session_id) is None


def test_a_tampered_id_is_refused() -> None:
    sessions = SessionIds(SECRET)
    sender, signature = sessions.issue().split(".")
    flipped = ("1" if signature[0] == "0" else "0") + signature[1:]
    assert sessions.sender_of(f"{sender}.{flipped}") is None
    assert sessions.sender_of(f"{sender}.{signature}".upper()) is None


@pytest.mark.parametrize("sender", ["webchat-0123", "WebChat-abc", PREFIX + "0" * 32])
def test_rest_refuses_web_chat_conversations(sender: str) -> None:
    with pytest.raises(BadRequest, match="must not start"):
        read_sender({"sender": sender})


def test_rest_refuses_a_signed_web_chat_session_too() -> None:
    with pytest.raises(BadRequest):
        read_sender({"sender": SessionIds(SECRET).issue()})
