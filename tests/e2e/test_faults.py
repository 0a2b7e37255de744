"""Faults: the Rasa server killed mid-interview, and the tracker store unreachable.

The SIGKILL test reuses the session's servers (SQLite tracker store) and starts their Rasa server
again; the store test starts its own pair against a real PostgreSQL on loopback, which it stops
and starts underneath the running Rasa server.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
import requests

from channels.guard import messages
from tests.e2e.servers import MODEL, ROOT, Servers, pending_question
from tests.e2e.stored import first_answer, postgres_events, tracker, user_texts
from tests.support.services import PostgresServer

pytestmark = pytest.mark.e2e

OPENING = "my butt hurts when I sit at my desk and it zaps down the back of my thigh"


def interview_state(servers: Servers, sender: str) -> dict:
    """What the conversation has learned so far and where the interview stands."""
    state = tracker(servers, sender)
    slots = state["slots"]
    return {
        "findings": slots["findings"],
        "asked": slots["asked"],
        "pending_question": slots["pending_question"],
        "active_loop": (state.get("active_loop") or {}).get("name"),
        "user_turns": user_texts(state["events"]),
    }


def test_rasa_killed_mid_interview_continues_where_it_was_after_a_restart(
    servers: Servers,
) -> None:
    sender = "fault-sigkill"
    answer = first_answer(servers.say(sender, OPENING))
    question = pending_question(servers.say(sender, answer))
    assert question is not None
    before = interview_state(servers, sender)
    assert before["pending_question"] == question and before["findings"]

    servers.stop("rasa", kill=True)  # SIGKILL: no shutdown hooks, nothing flushed on the way out
    servers.rasa_start_timeout = max(servers.rasa_start_timeout, 900)  # a busy machine
    servers.start_rasa()

    assert interview_state(servers, sender) == before
    why = servers.say(sender, "why do you ask?")
    assert pending_question(why) == question  # the same question, not a new conversation
    next_answer = first_answer(why)
    after = servers.say(sender, next_answer)
    assert pending_question(after) not in [*before["asked"], question]
    assert interview_state(servers, sender)["user_turns"] == [
        OPENING, answer, "why do you ask?", next_answer
    ]


@pytest.fixture(scope="module")
def postgres_servers(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Servers, PostgresServer]]:
    """Rasa with endpoints.postgres.yml, started while PostgreSQL is still down."""
    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: run `make train`")
    with PostgresServer() as pg:
        pg.stop()  # created, then down: Rasa must wait for it rather than fail or crash-loop
        running = Servers(
            state_dir=tmp_path_factory.mktemp("faults-postgres"),
            endpoints=ROOT / "endpoints.postgres.yml",
            extra_env=pg.env(),
            rasa_start_timeout=900,
        )
        starting: threading.Thread | None = None
        try:
            running.start_actions()
            errors: list[BaseException] = []

            def start() -> None:
                try:
                    running.start_rasa()
                except BaseException as error:  # noqa: BLE001 - reported by the test
                    errors.append(error)

            starting = threading.Thread(target=start)
            starting.start()
            log = running.state_dir / "rasa.log"
            deadline = time.monotonic() + 600  # imports alone are slow on a crowded machine
            while not log.exists() or "Connection refused" not in log.read_text(errors="replace"):
                assert time.monotonic() < deadline, "Rasa never tried to reach PostgreSQL"
                time.sleep(1)
            time.sleep(6)  # at least one more attempt
            assert running.processes["rasa"].poll() is None, "Rasa exited while the store was down"
            assert log.read_text(errors="replace").count("Connection refused") >= 2
            pg.start()
            starting.join()
            assert not errors, errors
            yield running, pg
        finally:
            # Stop a Rasa process the thread may still be starting; that also ends the thread.
            while starting is not None and starting.is_alive():
                running.stop_all()
                starting.join(timeout=1)
            running.stop_all()


def test_rasa_started_while_postgres_is_down_waits_and_then_serves(
    postgres_servers: tuple[Servers, PostgresServer],
) -> None:
    servers, pg = postgres_servers
    assert servers.say("fault-pg-start", "hi")
    assert user_texts(postgres_events(pg, "fault-pg-start")) == ["hi"]


def test_postgres_unreachable_mid_interview_gives_a_clear_reply_and_recovers(
    postgres_servers: tuple[Servers, PostgresServer],
) -> None:
    servers, pg = postgres_servers
    sender = "fault-pg-outage"
    answer = first_answer(servers.say(sender, OPENING))
    question = pending_question(servers.say(sender, answer))
    assert question is not None

    pg.stop()
    response = requests.post(
        f"{servers.rasa_url}/webhooks/rest/webhook",
        json={"sender": sender, "message": "why do you ask?"},
        timeout=60,
    )
    # Not a new, empty conversation (Rasa's fail-safe default) but a clear "try again".
    assert response.status_code == 200
    assert [reply.get("text") for reply in response.json()] == [messages()["action_server_down"]]
    assert servers.processes["rasa"].poll() is None
    assert servers.api("GET", "/status", timeout=10).status_code == 200
    log = (servers.state_dir / "rasa.log").read_text(errors="replace")
    assert "The conversation store (postgresql at 127.0.0.1:" in log
    assert "Error happened when trying to retrieve conversation tracker" not in log

    pg.start()
    why = servers.say(sender, "why do you ask?")
    assert pending_question(why) == question  # the conversation continues where it was
    next_answer = first_answer(why)
    assert pending_question(servers.say(sender, next_answer)) != question
    assert user_texts(postgres_events(pg, sender)) == [
        OPENING, answer, "why do you ask?", next_answer
    ]


def test_postgres_restarted_between_turns_goes_unnoticed(
    postgres_servers: tuple[Servers, PostgresServer],
) -> None:
    servers, pg = postgres_servers
    sender = "fault-pg-restart"
    answer = first_answer(servers.say(sender, OPENING))
    question = pending_question(servers.say(sender, answer))
    pg.stop()
    pg.start()  # every pooled connection of the Rasa server is now dead
    why = servers.say(sender, "why do you ask?")
    assert pending_question(why) == question
    assert user_texts(postgres_events(pg, sender)) == [OPENING, answer, "why do you ask?"]
