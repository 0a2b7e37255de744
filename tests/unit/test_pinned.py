"""The servers refuse to start on package versions or private places they were not checked with."""

from pathlib import Path

import pytest

from server import pinned


def test_the_installed_packages_and_private_places_are_the_pinned_ones() -> None:
    assert pinned.differences(pinned.RASA_SERVER_PACKAGES, pinned.RASA_SERVER_PLACES) == []
    assert pinned.differences(pinned.ACTION_SERVER_PACKAGES, pinned.ACTION_SERVER_PLACES) == []


def test_another_version_is_named_with_the_pinned_one() -> None:
    found = pinned.differences(("rasa",), (), pins={"rasa": "3.7.0"})
    assert len(found) == 1 and "pinned 3.7.0" in found[0] and found[0].startswith("rasa is 3.6")


def test_a_private_place_that_is_gone_is_named() -> None:
    found = pinned.differences((), (("rasa.core.run", "serve_application_renamed"),), pins={})
    assert found == ["rasa.core.run.serve_application_renamed is gone"]


def test_a_difference_stops_the_start_unless_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LBP_ALLOW_UNPINNED", raising=False)
    gone = (("rasa.core.run", "no_such_function"),)
    with pytest.raises(SystemExit, match="no_such_function is gone"):
        pinned.check((), gone)
    monkeypatch.setenv("LBP_ALLOW_UNPINNED", "1")
    pinned.check((), gone)


def test_pins_are_read_from_the_constraints_file(tmp_path: Path) -> None:
    constraints = tmp_path / "constraints.txt"
    constraints.write_text("# comment\nRasa_SDK==3.6.2\nsanic==21.12.2\n-e ./local\n")
    assert pinned.pinned_versions(constraints) == {"rasa-sdk": "3.6.2", "sanic": "21.12.2"}
