"""Maintenance of the tracker store the server uses (`make prune` runs `prune`).

    python -m store prune [--days N]       delete conversations whose latest event is older
                                           than N days (default: LBP_RETENTION_DAYS)
    python -m store forget SENDER_ID       delete one person's conversation (e.g. asked by email)

Both read the tracker store from the endpoints file the server reads (`--endpoints`, default
LBP_ENDPOINTS or endpoints.yml), with the same environment variables (scripts/env.sh).
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING

from store import retention

if TYPE_CHECKING:
    from store.tracker_store import PrivateTrackerStore

# How long the command waits for SQLite's write-ahead log to be emptied after deleting.
LOG_WAIT_S = 30.0


def _store(endpoints: str) -> PrivateTrackerStore:
    from rasa.shared.exceptions import RasaException
    from rasa.utils.endpoints import read_endpoint_config

    from store.tracker_store import PrivateTrackerStore

    try:
        config = read_endpoint_config(endpoints, "tracker_store")
    except RasaException as error:
        raise SystemExit(
            f"Cannot read {endpoints}: {error} (`make prune` sets the defaults)"
        ) from None
    if config is None:
        raise SystemExit(f"{endpoints} configures no tracker store")
    if config.type not in ("SQL", "sql", "store.tracker_store.PrivateTrackerStore"):
        raise SystemExit(f"{endpoints}: tracker store type {config.type!r} is not a SQL store")
    return PrivateTrackerStore(host=config.url, **config.kwargs, retention_days="")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m store", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--endpoints", default=os.environ.get("LBP_ENDPOINTS", "endpoints.yml"), metavar="FILE"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    prune = commands.add_parser("prune", help="delete conversations older than N days")
    prune.add_argument("--days", help=f"N (default: {retention.DAYS_ENV})")
    forget = commands.add_parser("forget", help="delete one conversation")
    forget.add_argument("sender_id")
    args = parser.parse_args(argv)

    if args.command == "prune":
        try:
            days = retention.parse_days(
                args.days if args.days is not None else retention.days_from_env()
            )
        except ValueError as error:
            parser.error(str(error))
        if days is None:
            parser.error(f"give --days N or set {retention.DAYS_ENV}")
        store = _store(args.endpoints)
        conversations, events = store.prune(days)
        print(f"Deleted {conversations} conversations ({events} events) older than {days:g} days")
    else:
        store = _store(args.endpoints)
        events = store.forget(args.sender_id)
        print(f"Deleted {events} events of that conversation")
    if not store.wait_for_clean_log(LOG_WAIT_S):
        print(
            "The SQLite write-ahead log still holds copies of the deleted events: another program "
            "is reading the database. Close it and run this again to empty the log.",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
