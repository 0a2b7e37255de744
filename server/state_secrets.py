"""Secrets the servers make for themselves at first start, kept in the state folder.

`LBP_STATE_DIR` (default `var`, git-ignored) holds one file per secret, readable by its owner
only: `api-token` (the HTTP API's token) and `session-secret` (signs web chat session ids). An
environment variable, when set, is used instead of the file. Several server processes that share
conversations need the same secrets: the same variables, or the same state folder.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path

MIN_CHARS = 16
DEFAULT_STATE_DIR = "var"


class SecretError(ValueError):
    """A secret that is set but unusable; the message says which and why."""


def state_dir(environ: Mapping[str, str] | None = None) -> Path:
    """The state folder, from `LBP_STATE_DIR` (default `var`)."""
    environ = os.environ if environ is None else environ
    return Path(environ.get("LBP_STATE_DIR") or DEFAULT_STATE_DIR)


def secret(name: str, variable: str, environ: Mapping[str, str] | None = None) -> str:
    """The secret in `variable` when set, else the one in the state folder's file `name`
    (made at first use)."""
    environ = os.environ if environ is None else environ
    value = environ.get(variable, "").strip()
    if value:
        if len(value) < MIN_CHARS:
            raise SecretError(f"{variable} is shorter than {MIN_CHARS} characters")
        return value
    return read_or_create(state_dir(environ) / name)


def read_or_create(path: Path) -> str:
    """The secret kept in `path`; a new random one when there is none (mode 0600, written whole
    before it appears, so processes starting together agree on one)."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(secrets.token_urlsafe(32) + "\n")
        try:
            os.link(draft, path)
        except FileExistsError:
            pass  # another process made it first: theirs is the one
        finally:
            draft.unlink()
    value = path.read_text(encoding="utf-8").strip()
    if len(value) < MIN_CHARS:
        raise SecretError(f"{path} holds no usable secret: delete it to have a new one made")
    return value
