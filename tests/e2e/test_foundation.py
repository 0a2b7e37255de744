"""The foundation's conversations, over REST against the real servers."""

from __future__ import annotations

import pytest
import requests

from tests.e2e.servers import Servers, pending_question

pytestmark = pytest.mark.e2e


def texts(replies: list[dict]) -> str:
    return " ".join(reply.get("text", "") for reply in replies).lower()


def test_both_servers_report_health(servers: Servers) -> None:
    assert requests.get(f"{servers.action_url}/health", timeout=5).json()["status"] == "ok"
    status = servers.api("GET", "/status", timeout=5).json()
    assert status["model_file"].endswith("lbp.tar.gz")


def test_greeting_is_answered_with_what_the_assistant_does(servers: Servers) -> None:
    reply = texts(servers.say("e2e-greet", "hi"))
    assert "lower back pain" in reply
    assert "diagnose" in reply


def test_bot_challenge_gets_an_honest_answer(servers: Servers) -> None:
    assert "i'm a bot" in texts(servers.say("e2e-bot", "are you a human?"))


def test_help_says_it_does_not_diagnose(servers: Servers) -> None:
    reply = texts(servers.say("e2e-help", "what can you do?"))
    assert "not a diagnosis" in reply or "can't diagnose" in reply


def test_out_of_scope_is_declined(servers: Servers) -> None:
    assert "outside what i can help with" in texts(
        servers.say("e2e-oos", "what's the weather like in Paris tomorrow?")
    )


def test_gibberish_gets_pointed_to_what_the_assistant_can_do(servers: Servers) -> None:
    # The classifier calls such junk out of scope or is unsure (fallback): either reply says
    # what the assistant can do, and no interview starts from it.
    replies = servers.say("e2e-fallback", "purple monkey dishwasher")
    assert len(replies) == 1 and 'type "help"' in replies[0]["text"]
    assert pending_question(replies) is None


def test_goodbye(servers: Servers) -> None:
    assert "take care" in texts(servers.say("e2e-bye", "bye"))


def test_conversation_is_stored_in_the_sql_tracker_store(servers: Servers) -> None:
    servers.say("e2e-stored", "hello")
    events = [event["event"] for event in servers.tracker("e2e-stored")["events"]]
    assert "user" in events and "bot" in events
    assert (servers.state_dir / "tracker.db").stat().st_size > 0
