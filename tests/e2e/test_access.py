"""The Rasa server's HTTP API on loopback, as a web page in a browser on the same machine sees it.

The session's servers are started as `make serve` starts them on 127.0.0.1: no token given. The
server makes one in its state folder, and every API route needs it. A page on another site
cannot use the API (no token, and its bodies are not JSON), cannot post from its own origin, and
cannot rebind its own name to 127.0.0.1 to read a conversation.
"""

from __future__ import annotations

import stat

import pytest
import requests

from tests.e2e.servers import Servers

pytestmark = pytest.mark.e2e

VICTIM = "access-victim"
SECRET_WORD = "quorvex"
ATTACKER = "http://attacker.example"


def user_events(servers: Servers, sender: str) -> int:
    return sum(1 for event in servers.tracker(sender)["events"] if event["event"] == "user")


@pytest.fixture(scope="module")
def victim(servers: Servers) -> str:
    """A conversation with something private in it."""
    servers.say(VICTIM, f"my lower back hurts since I lifted the {SECRET_WORD} crate")
    assert user_events(servers, VICTIM) == 1
    return VICTIM


def test_the_api_needs_the_token_the_server_made_at_first_start(servers: Servers) -> None:
    path = servers.state_dir / "api-token"
    assert path.exists(), "the Rasa server made no token in its state folder"
    token = path.read_text().strip()
    assert len(token) >= 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    url = servers.rasa_url
    assert requests.get(f"{url}/status", timeout=30).status_code == 401
    assert requests.get(f"{url}/status?token=wrong", timeout=30).status_code == 401
    assert requests.get(f"{url}/status?token={token}", timeout=30).status_code == 200
    assert requests.get(f"{url}/conversations/{VICTIM}/tracker", timeout=30).status_code == 401
    # A page cannot point the server at a model of its own.
    replaced = requests.put(f"{url}/model", json={"model_file": "/tmp/x"}, timeout=30)
    assert replaced.status_code == 401
    # The log says where the token is, never the token itself.
    log = (servers.state_dir / "rasa.log").read_text(errors="replace")
    assert str(path) in log and token not in log


def test_a_page_on_another_site_cannot_run_forget_me(servers: Servers, victim: str) -> None:
    execute = f"/conversations/{victim}/execute"
    body = '{"name": "action_forget_me"}'
    simple = {"Content-Type": "text/plain", "Origin": ATTACKER}  # no preflight for these
    # What the page can send: no token.
    answer = requests.post(f"{servers.rasa_url}{execute}", data=body, headers=simple, timeout=30)
    assert answer.status_code in (401, 403)
    # Even with the token: another origin, and a body that is not JSON, are refused.
    assert servers.api("POST", execute, data=body, headers=simple).status_code == 403
    plain = servers.api("POST", execute, data=body, headers={"Content-Type": "text/plain"})
    assert plain.status_code == 415
    assert user_events(servers, victim) == 1
    # The REST channel is closed to other sites' pages too.
    rest = requests.post(
        f"{servers.rasa_url}/webhooks/rest/webhook",
        data=f'{{"sender": "{victim}", "message": "forget me"}}',
        headers=simple,
        timeout=30,
    )
    assert rest.status_code == 403
    assert user_events(servers, victim) == 1


def test_dns_rebinding_reads_nothing(servers: Servers, victim: str) -> None:
    """A page whose name now points at 127.0.0.1 still sends its own name as the Host."""
    rebound = {"Host": "attacker.example:5005"}
    tracker = servers.api("GET", f"/conversations/{victim}/tracker", headers=rebound)
    assert tracker.status_code == 421
    assert SECRET_WORD not in tracker.text
    rest = requests.post(
        f"{servers.rasa_url}/webhooks/rest/webhook",
        json={"sender": victim, "message": "summary for my doctor"},
        headers=rebound,
        timeout=30,
    )
    assert rest.status_code == 421 and SECRET_WORD not in rest.text
    page = requests.get(f"{servers.rasa_url}/webchat/", headers=rebound, timeout=30)
    assert page.status_code == 421
    assert user_events(servers, victim) == 1


def test_the_api_still_works_with_the_token(servers: Servers, victim: str) -> None:
    assert SECRET_WORD in servers.api("GET", f"/conversations/{victim}/tracker").text
    parsed = servers.api("POST", "/model/parse", json={"text": "hi"})
    assert parsed.status_code == 200 and parsed.json()["intent"]["name"]
    own = servers.api(
        "POST", "/model/parse", json={"text": "hi"}, headers={"Origin": servers.rasa_url}
    )
    assert own.status_code == 200
