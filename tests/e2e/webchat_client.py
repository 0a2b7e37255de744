"""A plain socket.io client of the web chat channel, as another program (or a page) would be."""

from __future__ import annotations

import queue
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import socketio

REPLY_TIMEOUT_S = 120


class ChatSocket:
    """One socket.io connection and everything the server sent it, in order."""

    def __init__(self, url: str) -> None:
        self.received: queue.Queue[tuple[str, Any]] = queue.Queue()
        self.sio = socketio.Client()
        self.sio.on("bot_uttered", lambda data: self.received.put(("bot_uttered", data)))
        self.sio.on("session_confirm", lambda data: self.received.put(("session_confirm", data)))
        self.sio.on("session_forgotten", lambda *_: self.received.put(("session_forgotten", None)))
        self.sio.connect(url, transports=["polling"], wait_timeout=30)

    def next(self) -> tuple[str, Any]:
        """The next event the server sent: (name, data)."""
        return self.received.get(timeout=REPLY_TIMEOUT_S)

    def next_reply(self) -> dict:
        """The next `bot_uttered`, failing on anything else."""
        name, data = self.next()
        assert name == "bot_uttered", (name, data)
        return data

    def request_session(self, session_id: object = None) -> str:
        """Ask for a session (`session_id` as given, or none) and return the one confirmed."""
        self.sio.emit("session_request", {} if session_id is None else {"session_id": session_id})
        name, data = self.next()
        assert name == "session_confirm", (name, data)
        return data

    def say(self, session_id: object, message: object, **extra: Any) -> None:
        self.sio.emit("user_uttered", {"session_id": session_id, "message": message, **extra})

    def nothing_left(self) -> bool:
        return self.received.empty()

    def close(self) -> None:
        self.sio.disconnect()


@contextmanager
def chat_socket(url: str) -> Iterator[ChatSocket]:
    socket = ChatSocket(url)
    try:
        yield socket
    finally:
        socket.close()


def sender_of(session_id: str) -> str:
    """The conversation id the server stores a web chat session under (its unsigned part)."""
    return session_id.split(".")[0]
