"""Fixtures for end-to-end tests: one real Rasa server and action server for the session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e.servers import MODEL, Servers


@pytest.fixture(scope="session")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: run `make train` (make test does it for you)")
    running = Servers(state_dir=tmp_path_factory.mktemp("servers"))
    try:
        running.start_actions()
        running.start_rasa()
        yield running
    finally:
        running.stop_all()
