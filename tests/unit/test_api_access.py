"""scripts/serve.sh refuses to open the HTTP API off loopback without a token or JWT secret.

Only the check itself runs here (scripts/api-auth.sh, and serve.sh on a loopback address it counts
as "not 127.0.0.1"), so no server starts; tests/e2e/test_privacy.py runs serve.sh with a token.
"""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

import pytest

from tests.e2e.servers import free_port

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "t0ken-for-tests-0123456789"


def auth_args(**env: str) -> subprocess.CompletedProcess:
    """Source scripts/api-auth.sh as serve.sh does and print the arguments it gives Rasa."""
    return subprocess.run(
        [
            "bash",
            "-c",
            'set -euo pipefail; source scripts/api-auth.sh; printf "%s\\n" "${RASA_AUTH_ARGS[@]}"',
        ],
        cwd=ROOT,
        env={"PATH": os.environ["PATH"], **env},
        capture_output=True,
        text=True,
        timeout=30,
    )


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20", "127.0.0.2", "lbp.example"])
def test_a_host_off_loopback_without_a_token_is_refused(host: str) -> None:
    result = auth_args(LBP_HOST=host)
    assert result.returncode == 1
    assert f"LBP_HOST={host} is not 127.0.0.1" in result.stderr
    assert "LBP_API_TOKEN or LBP_JWT_SECRET" in result.stderr


@pytest.mark.parametrize("host", ["127.0.0.1", "::1", "localhost"])
def test_loopback_needs_no_token(host: str) -> None:
    result = auth_args(LBP_HOST=host)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == []


def test_a_token_or_jwt_secret_is_passed_to_rasa() -> None:
    token = auth_args(LBP_HOST="0.0.0.0", LBP_API_TOKEN=TOKEN)
    jwt = auth_args(LBP_HOST="0.0.0.0", LBP_JWT_SECRET=TOKEN, LBP_JWT_METHOD="HS512")
    assert token.stdout.split() == ["--auth-token", TOKEN]
    assert jwt.stdout.split() == ["--jwt-secret", TOKEN, "--jwt-method", "HS512"]


@pytest.mark.parametrize("variable", ["LBP_API_TOKEN", "LBP_JWT_SECRET"])
def test_a_short_secret_is_refused_even_on_loopback(variable: str) -> None:
    result = auth_args(LBP_HOST="127.0.0.1", **{variable: "secret"})
    assert result.returncode == 1
    assert f"{variable} is shorter than 16 characters" in result.stderr


def test_serve_refuses_before_starting_anything(tmp_path: Path) -> None:
    port, action_port = free_port(), free_port()
    process = subprocess.Popen(
        ["bash", "scripts/serve.sh"],
        cwd=ROOT,
        env={
            "PATH": os.environ["PATH"],
            "LBP_HOST": "127.0.0.2",
            "LBP_PORT": str(port),
            "LBP_ACTION_PORT": str(action_port),
            "LBP_STATE_DIR": str(tmp_path),
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        out, err = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        pytest.fail("serve.sh started servers on 127.0.0.2 without a token")
    assert process.returncode == 1
    assert "Refusing to start: LBP_HOST=127.0.0.2" in err
    assert "Rasa server" not in out
    assert not (tmp_path / "credentials.yml").exists()
