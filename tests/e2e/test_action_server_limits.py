"""The real action server, called directly as anything on the machine can: its errors do not echo
the request, a deflate bomb is refused, and a huge description is read only up to the guard's
length (the Rasa server never sends more)."""

from __future__ import annotations

import json
import zlib

import pytest
import requests

from tests.e2e.servers import Servers

pytestmark = pytest.mark.e2e

SECRET_WORD = "quorvex"
OPENING = "My lower back hurts when I bend."
FAR_FINDING = " The pain shoots down my leg below the knee."
FILLER = " It is what it is." * 2300  # ~41 KB that name nothing


def action_call(text: str, tracker: object = None) -> dict:
    """A call of `action_record_description` as the Rasa server makes it."""
    return {
        "next_action": "action_record_description",
        "sender_id": "limits-actions",
        "version": "3.6.2",
        "domain": {},
        "tracker": tracker
        if tracker is not None
        else {
            "sender_id": "limits-actions",
            "slots": {},
            "latest_message": {
                "text": text,
                "intent": {"name": "describe_pain", "confidence": 1.0},
                "entities": [],
                "intent_ranking": [],
            },
            "events": [],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
        },
    }


def webhook(servers: Servers, body: bytes, **headers: str) -> requests.Response:
    headers = {"Content-Type": "application/json", **headers}
    return requests.post(f"{servers.action_url}/webhook", data=body, headers=headers, timeout=120)


def test_an_action_that_fails_is_answered_without_echoing_the_request(servers: Servers) -> None:
    call = action_call("", tracker=f"my back hurts since the {SECRET_WORD} crash")
    response = webhook(servers, json.dumps(call).encode())
    assert response.status_code == 500
    assert response.json()["error"]
    assert SECRET_WORD not in response.text
    assert requests.get(f"{servers.action_url}/health", timeout=10).ok


def test_a_deflate_bomb_is_refused_without_inflating_it(servers: Servers) -> None:
    bomb = zlib.compress(b" " * 50_000_000)  # ~50 KB on the wire, 50 MB inflated
    response = webhook(servers, bomb, **{"Content-Encoding": "deflate"})
    assert response.status_code == 413
    assert requests.get(f"{servers.action_url}/health", timeout=10).ok


def test_a_deflated_call_still_works(servers: Servers) -> None:
    body = zlib.compress(json.dumps(action_call(OPENING)).encode())
    response = webhook(servers, body, **{"Content-Encoding": "deflate"})
    assert response.status_code == 200
    assert response.json()["responses"]


def test_a_huge_description_is_read_only_up_to_the_guards_length(servers: Servers) -> None:
    huge = OPENING + FILLER + FAR_FINDING
    assert len(huge) > 40_000
    whole = webhook(servers, json.dumps(action_call(huge)).encode())
    beginning = webhook(servers, json.dumps(action_call(huge[:2000])).encode())
    assert whole.status_code == beginning.status_code == 200
    # What the engine made of it is what it makes of the first 2,000 characters alone.
    assert whole.json() == beginning.json()
    far = webhook(servers, json.dumps(action_call(OPENING + FAR_FINDING)).encode())
    assert far.json() != beginning.json()  # the far finding would have been read
