"""Web chat session ids: issued by this server, signed with its secret, apart from other channels.

A conversation on the web chat is stored as `webchat-<32 hex>` (its sender id). The browser gets
that id with a signature, `webchat-<32 hex>.<32 hex>` (an HMAC-SHA256 of the id under the
server's session secret), and must show it to continue the conversation. So a session id that
this server did not issue (a Telegram or Slack conversation's id, a REST sender, an id read in
the tracker store or a log, a guess) is never accepted, and the REST channel refuses every
`webchat-` sender.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

PREFIX = "webchat-"
_ISSUED = re.compile(r"(webchat-[0-9a-f]{32})\.([0-9a-f]{32})")


class SessionIds:
    """Issues signed session ids and reads the conversation id back from them."""

    def __init__(self, secret: str) -> None:
        self._key = secret.encode("utf-8")

    def issue(self) -> str:
        """A fresh session id, signed."""
        sender_id = PREFIX + secrets.token_hex(16)
        return f"{sender_id}.{self._sign(sender_id)}"

    def sender_of(self, session_id: object) -> str | None:
        """The conversation id of a session id this server issued, else None."""
        if not isinstance(session_id, str):
            return None
        match = _ISSUED.fullmatch(session_id)
        if match is None:
            return None
        sender_id, signature = match.groups()
        return sender_id if hmac.compare_digest(signature, self._sign(sender_id)) else None

    def _sign(self, sender_id: str) -> str:
        return hmac.new(self._key, sender_id.encode("ascii"), hashlib.sha256).hexdigest()[:32]
