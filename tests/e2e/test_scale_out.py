"""Scale-out: two Rasa servers share a PostgreSQL tracker store and a Redis lock store.

Real `redis-server` and PostgreSQL on loopback, one stateless action server, two Rasa processes
with `endpoints.scale.yml`, as behind a load balancer with no sticky sessions. Every turn is
checked against what PostgreSQL stored: none lost, none applied twice, in the order sent.
Run with `make test-scale` (it starts two Rasa servers, so it is not part of `make test`).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.e2e.servers import MODEL, ROOT, Servers, pending_question
from tests.e2e.stored import first_answer, postgres_events, tracker, user_texts
from tests.support.services import PostgresServer, RedisServer

pytestmark = [pytest.mark.e2e, pytest.mark.scale]

OPENINGS = [
    "my lower back has been aching for a week",
    "my butt hurts when I sit at my desk and it zaps down the back of my thigh",
    "my back is stiff every morning and it gets better when I move around",
    "sharp pain in my lower back since I lifted a heavy box yesterday",
]


class Cluster:
    """Two Rasa servers behind an imaginary load balancer, one action server, shared stores."""

    def __init__(self, pg: PostgresServer, redis: RedisServer, state: pytest.TempPathFactory):
        env = {**pg.env(), **redis.env(), "LBP_REDIS_PASSWORD": ""}
        endpoints = ROOT / "endpoints.scale.yml"
        self.pg = pg
        # Two Rasa servers loading at once on a busy 2-core machine need more than the default.
        self.a = Servers(
            state_dir=state.mktemp("rasa-a"),
            endpoints=endpoints,
            extra_env=env,
            rasa_start_timeout=900,
        )
        self.b = Servers(
            state_dir=state.mktemp("rasa-b"),
            endpoints=endpoints,
            extra_env=env,
            action_port=self.a.action_port,
            rasa_start_timeout=900,
        )
        self.rasa = [self.a, self.b]

    def start(self) -> None:
        self.a.start_actions()
        with ThreadPoolExecutor(2) as pool:
            for started in [pool.submit(servers.start_rasa) for servers in self.rasa]:
                started.result()

    def stop(self) -> None:
        self.b.stop_all()
        self.a.stop_all()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: run `make train`")
    with PostgresServer() as pg, RedisServer() as redis:
        running = Cluster(pg, redis, tmp_path_factory)
        try:
            running.start()
            yield running
        finally:
            running.stop()


def test_alternating_turns_between_two_servers_are_each_stored_once_in_order(
    cluster: Cluster,
) -> None:
    senders = [f"scale-alt-{index}" for index in range(len(OPENINGS))]
    sent: dict[str, list[str]] = {sender: [] for sender in senders}
    last: dict[str, list[dict]] = {}
    questions: dict[str, list[str]] = {sender: [] for sender in senders}
    # Round robin over the conversations; turn t of conversation c goes to server (t + c) % 2.
    for turn in range(7):
        for index, sender in enumerate(senders):
            message = OPENINGS[index] if turn == 0 else first_answer(last[sender])
            if message is None:
                continue  # this interview has finished
            server = cluster.rasa[(turn + index) % 2]
            last[sender] = server.say(sender, message)
            assert last[sender], f"no reply to {message!r} from {server.rasa_url}"
            sent[sender].append(message)
            question = pending_question(last[sender])
            if question is not None:
                questions[sender].append(question)
    for sender in senders:
        assert user_texts(postgres_events(cluster.pg, sender)) == sent[sender]
        assert len(sent[sender]) >= 3, "each interview should take several turns"
        # Each server saw the other's answers: no question is asked again once answered.
        assert len(set(questions[sender])) == len(questions[sender]), questions[sender]


def test_concurrent_messages_of_one_conversation_to_both_servers_are_serialised(
    cluster: Cluster,
) -> None:
    senders = [f"scale-race-{index}" for index in range(3)]
    expected: dict[str, list[str]] = {}
    for index, sender in enumerate(senders):
        opening = OPENINGS[index]
        assert pending_question(cluster.a.say(sender, opening)) is not None
        expected[sender] = [opening]
    for round_ in range(2):
        for sender in senders:
            # Two messages of the same conversation, released at the same moment, one per server.
            messages = ["why do you ask?", f"what can you do? ({round_})"]
            barrier = threading.Barrier(2)

            def send(
                server: Servers, message: str, sender: str = sender, barrier=barrier
            ) -> list[dict]:
                barrier.wait()
                return server.say(sender, message)

            with ThreadPoolExecutor(2) as pool:
                replies = list(pool.map(send, cluster.rasa, messages))
            assert all(replies), replies
            expected[sender].extend(messages)
    for sender in senders:
        events = postgres_events(cluster.pg, sender)
        stored = user_texts(events)
        assert sorted(stored) == sorted(expected[sender]), stored  # none lost, none twice
        # Turns are not interleaved: each user turn after the first follows the end of the
        # previous turn (the bot waiting for input), never the middle of another turn.
        turns = [e for e in events if e["event"] in ("action", "user")]
        for position, event in enumerate(turns):
            if event["event"] == "user" and position > 0:
                assert turns[position - 1].get("name") == "action_listen", turns[: position + 1]


def test_a_server_killed_mid_interview_is_replaced_by_the_other_and_then_comes_back(
    cluster: Cluster,
) -> None:
    sender = "scale-kill"
    answer = first_answer(cluster.a.say(sender, OPENINGS[1]))
    replies = cluster.a.say(sender, answer)
    question = pending_question(replies)
    assert question is not None
    cluster.a.stop("rasa", kill=True)  # SIGKILL, as a crashed container or an OOM kill
    # The load balancer now sends everything to the surviving server: it asks the same question.
    why = cluster.b.say(sender, "why do you ask?")
    assert pending_question(why) == question
    next_answer = first_answer(why)
    after = cluster.b.say(sender, next_answer)
    assert pending_question(after) != question
    stored = user_texts(postgres_events(cluster.pg, sender))
    assert stored == [OPENINGS[1], answer, "why do you ask?", next_answer]
    # Started again, the killed server carries on from where the other one left the interview.
    cluster.a.start_rasa()
    assert tracker(cluster.a, sender)["slots"] == tracker(cluster.b, sender)["slots"]
    assert cluster.a.say(sender, "what can you do?")
    stored = user_texts(postgres_events(cluster.pg, sender))
    assert stored == [OPENINGS[1], answer, "why do you ask?", next_answer, "what can you do?"]
