"""The real PostgreSQL and Redis servers the fault, scale-out and privacy tests rely on."""

from __future__ import annotations

import psycopg2
import pytest

from tests.support.services import PostgresServer, RedisServer


def test_postgres_stops_and_starts_again_with_its_data() -> None:
    with PostgresServer() as pg:
        pg.query("CREATE TABLE kept (value integer)")
        pg.query("INSERT INTO kept VALUES (%s)", 7)
        pg.stop()
        with pytest.raises(psycopg2.OperationalError):
            pg.query("SELECT 1")
        pg.start()
        assert pg.query("SELECT value FROM kept") == [(7,)]
        base_dir = pg.base_dir
    assert not base_dir.exists()


def test_postgres_needs_the_password_over_tcp() -> None:
    with PostgresServer() as pg, pytest.raises(psycopg2.OperationalError):
        psycopg2.connect(
            host=pg.host, port=pg.port, user=pg.user, password="wrong", dbname=pg.database
        ).close()


def test_postgres_env_names_what_the_endpoints_read() -> None:
    with PostgresServer(database="lbp_env") as pg:
        env = pg.env()
        assert env["LBP_DB_PORT"] == str(pg.port)
        assert env["LBP_DB_NAME"] == "lbp_env"
        assert pg.query("SELECT current_database()") == [("lbp_env",)]


def test_redis_answers_and_stops() -> None:
    with RedisServer() as redis:
        assert redis.command("PING") == "+PONG"
        redis.command("SET", "k", "v")
        redis.stop()
        with pytest.raises(OSError):
            redis.command("PING")
        redis.start()
        assert redis.command("GET", "k") == "$-1"  # nothing is persisted across restarts
