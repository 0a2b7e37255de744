"""What the servers stored for a conversation, read back from the tracker store or the HTTP API."""

from __future__ import annotations

import json

from tests.e2e.servers import Servers
from tests.support.services import PostgresServer


def first_answer(replies: list[dict]) -> str | None:
    """The payload of an answer button of a pending interview question, if any: "None of
    these" (or "That's all") when it is offered, so that the interview goes on without a
    warning, else the first answer."""
    for reply in reversed(replies):
        answers = [b["payload"] for b in reply.get("buttons") or []
                   if b["payload"].startswith("/inform")]
        if answers:
            return next((p for p in answers if p.endswith(':none"}')), answers[0])
    return None


def postgres_events(pg: PostgresServer, sender: str) -> list[dict]:
    """Every event stored for `sender`, in the order the store keeps them."""
    rows = pg.query("SELECT data FROM events WHERE sender_id = %s ORDER BY id", sender)
    return [json.loads(data) for (data,) in rows]


def user_texts(events: list[dict]) -> list[str]:
    """The texts of the user turns among `events`, in order."""
    return [event.get("text") or "" for event in events if event["event"] == "user"]


def tracker(servers: Servers, sender: str) -> dict:
    """The conversation's tracker as the Rasa server's HTTP API returns it."""
    return servers.tracker(sender)
