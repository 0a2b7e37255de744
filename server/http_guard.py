"""Checks on every HTTP request to the Rasa server, before Rasa sees it.

- `Host` must name this server: a loopback name (`127.0.0.1`, `localhost`, `::1`), the address it
  listens on, a host of `LBP_ALLOWED_HOSTS` (names separated by commas or spaces: the public name
  behind a reverse proxy) or of `LBP_TELEGRAM_WEBHOOK_URL`. Anything else gets 421: a web page
  that rebinds its own name to 127.0.0.1 (DNS rebinding) reaches nothing.
- A request that a web page sends (it carries `Origin`) must come from this server's own origin,
  or one given to `rasa run --cors`; others get 403, so no other site can post to the REST
  channel or the HTTP API from a browser. The socket.io endpoint is left to its signed sessions
  (`channels/web_sessions.py`), so a page elsewhere may embed a chat of its own.
- A request with a body to the HTTP API must be JSON (or YAML, which Rasa's training and test
  routes read); others get 415. A browser sends `text/plain` or a form across sites without
  asking first; it must ask before sending JSON, and Rasa's CORS setting then says no.
- Sanic reads at most `MAX_BODY_BYTES` of a body (413 beyond): the REST channel's own limit.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

logger = logging.getLogger(__name__)

LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})
ANY_ADDRESS = frozenset({"", "0.0.0.0", "::"})
API_PATHS = ("/status", "/version", "/conversations", "/model", "/domain")
API_BODY_TYPES = frozenset(
    {"application/json", "application/x-yaml", "application/yaml", "text/yaml", "text/x-yaml"}
)
MAX_BODY_BYTES = 1_000_000
ALLOWED_HOSTS_VARIABLE = "LBP_ALLOWED_HOSTS"
TELEGRAM_URL_VARIABLE = "LBP_TELEGRAM_WEBHOOK_URL"
REMEMBERED_REFUSALS = 100  # distinct refused hosts logged, so a flood cannot fill the log


def host_name(value: str) -> str | None:
    """The lower-case host name of a `Host` header or an origin's authority, or None."""
    try:
        return urlsplit(f"//{value}").hostname
    except ValueError:
        return None


def _name(entry: str) -> str:
    """A host name as configured: `name`, `name:port`, `[v6]`, a bare v6 address or a URL."""
    entry = entry.strip()
    if "://" in entry:
        return urlsplit(entry).hostname or ""
    if entry.count(":") > 1 and not entry.startswith("["):
        return entry.lower()  # a bare IPv6 address
    return host_name(entry) or ""


def allowed_hosts(interface: str | None, environ: Mapping[str, str]) -> frozenset[str]:
    """The host names this server answers to (see the module's docstring)."""
    names = set(LOOPBACK_NAMES)
    if interface and interface not in ANY_ADDRESS:
        names.add(_name(interface))
    listed = environ.get(ALLOWED_HOSTS_VARIABLE, "").replace(",", " ").split()
    names.update(_name(entry) for entry in listed)
    names.update(_name(entry) for entry in [environ.get(TELEGRAM_URL_VARIABLE, "")])
    names.discard("")
    return frozenset(names)


def is_api(path: str) -> bool:
    """Whether `path` is one of Rasa's HTTP API routes (not a channel, not the web chat)."""
    return any(path == prefix or path.startswith(prefix + "/") for prefix in API_PATHS)


@dataclass
class HttpGuard:
    """The checks of one server: the host names it answers to and the origins it accepts."""

    hosts: frozenset[str]
    # Origins given with --cors (besides the server's own); None when --cors "*" allows all.
    origins: frozenset[str] | None = frozenset()
    socket_paths: tuple[str, ...] = ("/socket.io",)
    _logged: set[str] = field(default_factory=set)

    @classmethod
    def for_server(
        cls,
        interface: str | None,
        cors: str | Iterable[str] | None,
        socket_paths: Iterable[str],
        environ: Mapping[str, str],
    ) -> HttpGuard:
        listed = [cors] if isinstance(cors, str) else list(cors or [])
        origins = None if "*" in listed else frozenset(o.rstrip("/").lower() for o in listed)
        return cls(allowed_hosts(interface, environ), origins, tuple(socket_paths))

    def refusal(self, request: Request) -> HTTPResponse | None:
        """None when the request may go on; otherwise the answer to send instead."""
        host = request.headers.get("host", "")
        if host_name(host) not in self.hosts:
            self._log_refused_host(host)
            return response.json(
                {"error": "This server does not answer to that Host name."}, status=421
            )
        origin = request.headers.get("origin")
        if origin is not None and not self._from_here(origin, host, request.path):
            return response.json(
                {"error": "Requests from other web sites are refused."}, status=403
            )
        if is_api(request.path) and (
            request.method in ("POST", "PUT", "PATCH") or request.body
        ):
            media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
            if media_type not in API_BODY_TYPES:
                return response.json(
                    {"error": "The HTTP API reads JSON: send Content-Type: application/json."},
                    status=415,
                )
        return None

    def _from_here(self, origin: str, host: str, path: str) -> bool:
        if path.startswith(self.socket_paths) or self.origins is None:
            return True
        origin = origin.rstrip("/").lower()
        host = host.lower()
        return origin in (f"http://{host}", f"https://{host}") or origin in self.origins

    def _log_refused_host(self, host: str) -> None:
        shown = host[:100]
        if shown in self._logged or len(self._logged) >= REMEMBERED_REFUSALS:
            return
        self._logged.add(shown)
        logger.warning(
            "Refused a request for the unknown host %r; if this server should answer to it, add "
            "it to %s",
            shown,
            ALLOWED_HOSTS_VARIABLE,
        )

    def protect(self, app: Sanic) -> None:
        """Run the checks on every request to `app` and cap the size of bodies."""
        app.config.REQUEST_MAX_SIZE = MAX_BODY_BYTES

        async def check(request: Request) -> HTTPResponse | None:
            return self.refusal(request)

        app.register_middleware(check, "request")
