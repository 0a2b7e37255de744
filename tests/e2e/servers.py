"""Start the real Rasa server and action server as subprocesses on free loopback ports."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
MODEL = ROOT / "models" / "lbp.tar.gz"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(url: str | Callable[[], str], timeout: float, process: subprocess.Popen) -> None:
    """Poll `url` (or the URL it gives each time) until it answers 200, failing early if the
    process died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} exited with {process.returncode}")
        try:
            if requests.get(url() if callable(url) else url, timeout=1).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.25)
    raise TimeoutError(f"{url} did not answer within {timeout} s")


@dataclass
class Servers:
    """A running pair of servers and where to reach them."""

    state_dir: Path
    rasa_port: int = field(default_factory=free_port)
    action_port: int = field(default_factory=free_port)
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    credentials: Path = ROOT / "credentials.yml"
    endpoints: Path = ROOT / "endpoints.yml"
    extra_env: dict[str, str] = field(default_factory=dict)
    extra_args: list[str] = field(default_factory=list)
    # Seconds a cold Rasa server may take to load its model (more on a crowded machine).
    rasa_start_timeout: float = 600.0  # ~1 min on a quiet machine; much more when it is shared

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def action_url(self) -> str:
        return f"http://127.0.0.1:{self.action_port}"

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            TF_CPP_MIN_LOG_LEVEL="3",
            RASA_TELEMETRY_ENABLED="false",
            SQLALCHEMY_SILENCE_UBER_WARNING="1",
            PYTHONWARNINGS="ignore",
            SANIC_HOST="127.0.0.1",
            LBP_STATE_DIR=str(self.state_dir),
            LBP_TRACKER_DB=str(self.state_dir / "tracker.db"),
            ACTION_ENDPOINT_URL=f"{self.action_url}/webhook",
        )
        env.update(self.extra_env)
        return env

    def start_actions(self) -> None:
        log = open(self.state_dir / "actions.log", "ab")  # noqa: SIM115 - closed with the process
        self.processes["actions"] = subprocess.Popen(
            [
                str(VENV_BIN / "python"),
                "-m",
                "actions",
                "--actions",
                "actions",
                "--port",
                str(self.action_port),
            ],
            cwd=ROOT,
            env=self.env(),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        wait_until(f"{self.action_url}/health", 60, self.processes["actions"])

    def start_rasa(self) -> None:
        log = open(self.state_dir / "rasa.log", "ab")  # noqa: SIM115 - closed with the process
        self.processes["rasa"] = subprocess.Popen(
            [
                str(VENV_BIN / "python"),
                "-m",
                "server",
                "run",
                "--model",
                str(MODEL),
                "--enable-api",
                "--interface",
                "127.0.0.1",
                "--port",
                str(self.rasa_port),
                "--credentials",
                str(self.credentials),
                "--endpoints",
                str(self.endpoints),
                *self.extra_args,
            ],
            cwd=ROOT,
            env=self.env(),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        wait_until(
            lambda: self.api_url("/status"), self.rasa_start_timeout, self.processes["rasa"]
        )

    @property
    def api_token(self) -> str | None:
        """The HTTP API's token: LBP_API_TOKEN when given, else the one the Rasa server made in
        its state folder at start (None before it has)."""
        if self.extra_env.get("LBP_API_TOKEN"):
            return self.extra_env["LBP_API_TOKEN"]
        path = self.state_dir / "api-token"
        return path.read_text().strip() if path.exists() else None

    def api_url(self, path: str) -> str:
        """The URL of an HTTP API route, with the token."""
        token = self.api_token
        separator = "&" if "?" in path else "?"
        return f"{self.rasa_url}{path}" + (f"{separator}token={token}" if token else "")

    def api(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """One request to the Rasa server's HTTP API, with the token."""
        kwargs.setdefault("timeout", 30)
        return requests.request(method, self.api_url(path), **kwargs)

    def tracker(self, sender: str) -> dict:
        """The conversation's tracker as the HTTP API returns it."""
        response = self.api("GET", f"/conversations/{sender}/tracker")
        response.raise_for_status()
        return response.json()

    def stop(self, name: str, kill: bool = False) -> None:
        process = self.processes.pop(name, None)
        if process is None:
            return
        if kill:
            process.kill()
        else:
            process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def stop_all(self) -> None:
        for name in list(self.processes):
            self.stop(name)

    def say(self, sender: str, message: str) -> list[dict]:
        """Send one message over the REST channel and return the bot's replies."""
        response = requests.post(
            f"{self.rasa_url}/webhooks/rest/webhook",
            json={"sender": sender, "message": message},
            timeout=60,
        )
        response.raise_for_status()
        return response.json()


def pending_question(replies: list[dict]) -> str | None:
    """The interview question id carried by the replies' answer buttons, if they ask one."""
    for reply in reversed(replies):
        for button in reply.get("buttons") or []:
            match = re.match(r"/inform(\{.*\})$", button["payload"])
            if match:
                return json.loads(match.group(1))["choice"].split(":")[0]
    return None
