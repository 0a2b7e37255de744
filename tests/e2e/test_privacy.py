"""Privacy and access over real servers started the way people start them: `scripts/serve.sh`.

One pair of servers on 127.0.0.2 (loopback, but not 127.0.0.1, so serve.sh demands a token) with
the default endpoints (SQLite) and the default log level. Checked by reading the SQLite file and
the servers' log directly.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from tests.e2e.servers import MODEL, ROOT, free_port, wait_until

pytestmark = pytest.mark.e2e

HOST = "127.0.0.2"
TOKEN = "privacy-test-token-5f3a9c2e"


@dataclass
class Served:
    process: subprocess.Popen
    url: str
    db: Path
    log: Path

    def say(self, sender: str, message: str) -> list[dict]:
        response = requests.post(
            f"{self.url}/webhooks/rest/webhook",
            json={"sender": sender, "message": message},
            timeout=120,
        )
        response.raise_for_status()
        return response.json()

    def stored(self, sender: str) -> list[str]:
        """The data column of every stored event of `sender`, read straight from SQLite."""
        with sqlite3.connect(self.db) as connection:
            rows = connection.execute("SELECT data FROM events WHERE sender_id = ?", (sender,))
            return [data for (data,) in rows]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: run `make train` (make test does it for you)")
    state = tmp_path_factory.mktemp("privacy")
    port = free_port()
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("LBP_") and name not in ("ACTION_ENDPOINT_URL", "LOG_LEVEL")
    }
    env.update(
        LBP_HOST=HOST,
        LBP_PORT=str(port),
        LBP_ACTION_PORT=str(free_port()),
        LBP_STATE_DIR=str(state),
        LBP_API_TOKEN=TOKEN,
    )
    log = state / "serve.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            ["bash", "scripts/serve.sh"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    served = Served(process, f"http://{HOST}:{port}", state / "tracker.db", log)
    try:
        wait_until(f"{served.url}/status?token={TOKEN}", 600, process)
        yield served
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def test_the_api_needs_the_token_but_the_webhook_does_not(served: Served) -> None:
    tracker = f"{served.url}/conversations/someone/tracker"
    assert requests.get(f"{served.url}/status", timeout=30).status_code == 401
    assert requests.get(f"{served.url}/status?token=wrong", timeout=30).status_code == 401
    assert requests.get(tracker, timeout=30).status_code == 401
    assert requests.get(f"{tracker}?token={TOKEN}", timeout=30).status_code == 200
    assert served.say("webhook-user", "hi")


def test_forget_me_leaves_no_event_of_that_sender_in_the_store(served: Served) -> None:
    served.say("forgetful", "hi")
    served.say("forgetful", "my lower back hurts since I lifted the quorvex crate")
    served.say("other", "hi")
    assert any("quorvex" in data for data in served.stored("forgetful"))
    others = len(served.stored("other"))

    replies = served.say("forgetful", "forget me")

    assert replies, "forget me got no reply"
    assert served.stored("forgetful") == []
    assert b"quorvex" not in served.db.read_bytes()
    assert len(served.stored("other")) == others
    served.say("forgetful", "hi")  # the same person can start again, from nothing
    assert not any("quorvex" in data for data in served.stored("forgetful"))
    assert served.stored("forgetful")


def test_message_texts_and_the_token_stay_out_of_the_logs(served: Served) -> None:
    served.say("logged", "my back aches when I garden near the zyxwort hedge")
    served.say("logged", "forget me")
    log = served.log.read_text(errors="replace")

    assert "Rasa server is up and running" in log  # the Rasa server logs here,
    assert "Action endpoint is up and running" in log  # and so does the action server
    assert "zyxwort" not in log
    assert "forget me" not in log
    assert TOKEN not in log
