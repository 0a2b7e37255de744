"""The guard's limits over the REST channel of the real servers: red flags under the rate limit,
invisible characters, metadata depth and size, and Sanic's own body limit."""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

import pytest
import requests

from bot.wording import load_phrases
from channels.guard import messages
from tests.e2e.servers import Servers

pytestmark = pytest.mark.e2e

EMERGENCY = "I suddenly can't control my bladder and both legs are numb"
DEEPEST_METADATA = 10  # levels (channels.guard.MAX_METADATA_DEPTH)


def post(servers: Servers, body: dict) -> requests.Response:
    return requests.post(f"{servers.rasa_url}/webhooks/rest/webhook", json=body, timeout=60)


def texts(response: requests.Response) -> list[str]:
    return [reply.get("text", "") for reply in response.json()]


def user_texts(servers: Servers, sender: str) -> list[str]:
    events = servers.tracker(sender)["events"]
    return [event.get("text") or "" for event in events if event["event"] == "user"]


def test_a_rate_limited_sender_still_gets_emergency_advice(servers: Servers) -> None:
    sender = "limits-flood-red-flag"
    for _ in range(60):  # the default limit, used up with empty messages (answered at once)
        assert texts(post(servers, {"sender": sender, "message": ""})) == [messages()["empty"]]
    refused = post(servers, {"sender": sender, "message": EMERGENCY})
    assert refused.status_code == 429
    replies = texts(refused)  # the advice (in parts, as the dialogue sends it), then the notice
    assert replies[0].startswith(load_phrases()["red_flag"]["emergency"])
    assert replies[-1] == messages()["rate_limited"]
    calm = post(servers, {"sender": sender, "message": "my back aches a little"})
    assert texts(calm) == [messages()["rate_limited"]]


def nested(depth: int) -> dict:
    value: object = 1
    for _ in range(depth):
        value = {"a": value}
    assert isinstance(value, dict)
    return value


@pytest.mark.parametrize(
    "metadata",
    [nested(500), nested(DEEPEST_METADATA + 1), {"blob": "x" * 900_000}],
    ids=["500 deep", "11 deep", "900 KB"],
)
def test_metadata_too_deep_or_too_big_gets_a_clear_400_and_is_not_stored(
    servers: Servers, metadata: dict
) -> None:
    sender = f"limits-metadata-{len(str(metadata))}"
    log = servers.state_dir / "rasa.log"
    start = log.stat().st_size
    response = post(servers, {"sender": sender, "message": "zyxwort hi", "metadata": metadata})
    assert response.status_code == 400
    assert response.json()["error"].startswith('"metadata" is')
    assert post(servers, {"sender": sender, "message": "hi"}).status_code == 200
    assert post(servers, {"sender": sender, "message": "thanks"}).status_code == 200
    assert not [text for text in user_texts(servers, sender) if "zyxwort" in text]
    written = log.read_text(errors="replace")[start:]
    assert "RecursionError" not in written and "Traceback" not in written


@pytest.mark.parametrize(
    "text",
    ["\u200b\u200b\u200b", "\ufeff", "\u202e\u202c\u2066\u2069", "\u200f\u200d \u200b"],
    ids=["zero-width spaces", "byte order mark", "bidi controls", "marks and joiners"],
)
def test_a_message_of_invisible_characters_gets_the_empty_reply(
    servers: Servers, text: str
) -> None:
    response = post(servers, {"sender": f"limits-invisible-{ord(text[0])}", "message": text})
    assert texts(response) == [messages()["empty"]]


def test_overrides_are_not_stored_and_invisible_padding_does_not_count(servers: Servers) -> None:
    sender = "limits-override"
    assert post(servers, {"sender": sender, "message": "\u202ehi\u202c"}).status_code == 200
    padded = ("my back " + "\u200b" * 4) * 200  # 1,600 characters and 800 zero-width spaces
    answer = texts(post(servers, {"sender": sender, "message": padded}))
    assert messages()["too_long"].split("{")[0] not in " ".join(answer)
    assert user_texts(servers, sender)[0] == "hi"


def test_sanic_refuses_a_body_over_the_limit_before_reading_it(servers: Servers) -> None:
    """The Content-Length alone is enough: the server answers 413 without waiting for 50 MB."""
    address = urlsplit(servers.rasa_url)
    with socket.create_connection((address.hostname, address.port), timeout=30) as connection:
        connection.sendall(
            b"POST /webhooks/rest/webhook HTTP/1.1\r\n"
            + f"Host: {address.netloc}\r\n".encode()
            + b"Content-Type: application/json\r\nContent-Length: 50000000\r\n\r\n{"
        )
        answer = connection.recv(4096)  # times out when the server waits for the body
    assert answer.startswith(b"HTTP/1.1 413")
