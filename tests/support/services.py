"""Start real PostgreSQL and Redis servers on free loopback ports in a temporary directory.

Both are context managers (`with PostgresServer() as pg: ...`) that clean up after themselves, and
both can be stopped and started again on the same port, so a test can make a store unreachable
and bring it back. They use the Debian packages (`postgresql`, `redis-server`) that `make install`
puts in place; nothing is downloaded here.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

from tests.e2e.servers import free_port

LOOPBACK = "127.0.0.1"


def _wait_for_port(port: int, timeout: float, process: subprocess.Popen | None = None) -> None:
    """Wait until something accepts TCP connections on 127.0.0.1:`port`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} exited with {process.returncode}")
        try:
            with socket.create_connection((LOOPBACK, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"nothing listens on {LOOPBACK}:{port} after {timeout} s")


def postgres_bin_dir() -> Path:
    """The newest Debian PostgreSQL server binaries (`LBP_PG_BIN` overrides)."""
    if os.environ.get("LBP_PG_BIN"):
        return Path(os.environ["LBP_PG_BIN"])
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/postgres"),
        key=lambda path: int(path.parent.parent.name) if path.parent.parent.name.isdigit() else 0,
    )
    if not candidates:
        raise RuntimeError(
            "PostgreSQL server binaries not found under /usr/lib/postgresql: "
            "run `make install` (it installs Debian's postgresql package)"
        )
    return candidates[-1].parent


_Server = TypeVar("_Server", bound="_LocalServer")


class _LocalServer:
    """What both servers share: stop and delete on leaving, and as a context manager."""

    base_dir: Path

    def start(self: _Server) -> _Server:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def close(self) -> None:
        """Stop the server and delete its files."""
        try:
            self.stop()
        finally:
            shutil.rmtree(self.base_dir, ignore_errors=True)

    def __enter__(self: _Server) -> _Server:
        try:
            return self.start()
        except BaseException:
            self.close()
            raise

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


class PostgresServer(_LocalServer):
    """A throw-away PostgreSQL cluster on 127.0.0.1 with one password-protected database.

    Run as root, the server runs as the `postgres` system user (PostgreSQL refuses root), with a
    data directory that user owns. `stop()` and `start()` keep the data and the port.
    """

    def __init__(
        self,
        user: str = "lbp",
        password: str = "lbp-test-password",
        database: str = "lbp",
        port: int | None = None,
    ) -> None:
        self.host = LOOPBACK
        self.port = port or free_port()
        self.user = user
        self.password = password
        self.database = database
        self.bin_dir = postgres_bin_dir()
        self.base_dir = Path(tempfile.mkdtemp(prefix="lbp-postgres-"))
        self.data_dir = self.base_dir / "data"
        self.log_file = self.base_dir / "postgres.log"
        self._initialised = False
        self._running = False

    @property
    def dsn(self) -> str:
        """A libpq/SQLAlchemy URL for the database."""
        return (
            f"postgresql://{self.user}:{self.password}@{self.host}:{self.port}/{self.database}"
        )

    def env(self, prefix: str = "LBP_DB_") -> dict[str, str]:
        """The variables `endpoints.postgres.yml` and `endpoints.scale.yml` read."""
        return {
            f"{prefix}HOST": self.host,
            f"{prefix}PORT": str(self.port),
            f"{prefix}USER": self.user,
            f"{prefix}PASSWORD": self.password,
            f"{prefix}NAME": self.database,
        }

    def _as_owner(self, *command: str | Path) -> list[str]:
        args = [str(part) for part in command]
        if os.geteuid() == 0:
            return ["runuser", "-u", "postgres", "--", *args]
        return args

    def _run(self, *command: str | Path) -> None:
        result = subprocess.run(
            self._as_owner(*command), capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            log = self.log_file.read_text() if self.log_file.exists() else ""
            raise RuntimeError(
                f"{' '.join(map(str, command))} failed ({result.returncode}):\n"
                f"{result.stdout}{result.stderr}{log[-2000:]}"
            )

    def _initialise(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.base_dir, "postgres", "postgres")
        pwfile = self.base_dir / "pwfile"
        pwfile.write_text(self.password + "\n")
        if os.geteuid() == 0:
            shutil.chown(pwfile, "postgres", "postgres")
        self._run(
            self.bin_dir / "initdb",
            "--pgdata", self.data_dir,
            "--username", self.user,
            "--pwfile", pwfile,
            "--auth-host", "scram-sha-256",
            "--auth-local", "trust",
            "--encoding", "UTF8",
            "--no-sync",
        )
        pwfile.unlink()
        settings = {
            "listen_addresses": f"'{LOOPBACK}'",
            "port": str(self.port),
            "unix_socket_directories": f"'{self.base_dir}'",
            # A test database: durability is not the point, speed on a busy machine is.
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
            "max_connections": "200",
        }
        with open(self.data_dir / "postgresql.conf", "a") as conf:
            conf.writelines(f"{key} = {value}\n" for key, value in settings.items())
        self._initialised = True

    def start(self) -> PostgresServer:
        """Start the server (creating the cluster and the database the first time)."""
        if self._running:
            return self
        first = not self._initialised
        if first:
            self._initialise()
        self._run(
            self.bin_dir / "pg_ctl", "start", "--pgdata", self.data_dir,
            "--log", self.log_file, "--wait", "--timeout", "120",
        )
        self._running = True
        if first and self.database != "postgres":
            self._run(
                self.bin_dir / "createdb", "--host", self.base_dir, "--port", str(self.port),
                "--username", self.user, self.database,
            )
        return self

    def stop(self) -> None:
        """Stop the server at once (open connections are cut); data and port are kept."""
        if not self._running:
            return
        self._run(
            self.bin_dir / "pg_ctl", "stop", "--pgdata", self.data_dir,
            "--mode", "fast", "--wait", "--timeout", "60",
        )
        self._running = False

    @property
    def running(self) -> bool:
        return self._running

    def connect(self) -> Any:
        """A new psycopg2 connection to the database (autocommit), for reading what was stored."""
        import psycopg2

        connection = psycopg2.connect(
            host=self.host, port=self.port, user=self.user,
            password=self.password, dbname=self.database,
        )
        connection.autocommit = True
        return connection

    def query(self, sql: str, *params: Any) -> list[tuple]:
        """Run one statement and return its rows (an empty list for statements without rows)."""
        connection = self.connect()
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql, params or None)
                return cursor.fetchall() if cursor.description else []
        finally:
            connection.close()


class RedisServer(_LocalServer):
    """A throw-away, non-persistent redis-server on 127.0.0.1."""

    def __init__(self, port: int | None = None) -> None:
        self.host = LOOPBACK
        self.port = port or free_port()
        self.base_dir = Path(tempfile.mkdtemp(prefix="lbp-redis-"))
        self.log_file = self.base_dir / "redis.log"
        self.process: subprocess.Popen | None = None
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        if not Path(binary).exists():
            raise RuntimeError(
                "redis-server not found: run `make install` (it installs Debian's redis-server)"
            )
        self.binary = binary

    @property
    def url(self) -> str:
        return f"redis://{self.host}:{self.port}/0"

    def env(self, prefix: str = "LBP_REDIS_") -> dict[str, str]:
        """The variables `endpoints.scale.yml` reads for the lock store."""
        return {f"{prefix}HOST": self.host, f"{prefix}PORT": str(self.port)}

    def start(self) -> RedisServer:
        """Start the server (no-op when it runs already)."""
        if self.process is not None and self.process.poll() is None:
            return self
        log = open(self.log_file, "ab")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [
                self.binary, "--port", str(self.port), "--bind", self.host,
                "--save", "", "--appendonly", "no", "--dir", str(self.base_dir),
                "--daemonize", "no", "--protected-mode", "yes",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self._log = log
        _wait_for_port(self.port, 30, self.process)
        return self

    def stop(self) -> None:
        """Stop the server (its data is lost: nothing is saved)."""
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None
        self._log.close()

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def command(self, *args: str) -> str:
        """Send one command with the inline protocol and return the raw first reply line."""
        with socket.create_connection((self.host, self.port), timeout=5) as sock:
            sock.sendall((" ".join(args) + "\r\n").encode())
            return sock.makefile("rb").readline().decode().strip()
