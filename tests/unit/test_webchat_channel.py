"""The web chat channel's input checks, without a server."""

from __future__ import annotations

import pytest

from channels.webchat import ASSETS, WEB_DIR, read_metadata, valid_session_id


@pytest.mark.parametrize("value", ["abc", "0f" * 16, "x" * 128])
def test_usable_session_ids_are_kept(value: str) -> None:
    assert valid_session_id(value) == value


@pytest.mark.parametrize("value", [None, "", "x" * 129, "a\nb", "a\x00b", 123, ["abc"], {"a": 1}])
def test_unusable_session_ids_are_refused(value: object) -> None:
    assert valid_session_id(value) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"a": 1}, {"a": 1}),
        ('{"a": 1}', {"a": 1}),
        ("{not json", {}),
        ("[1, 2]", {}),
        (None, {}),
        (5, {}),
        (["a"], {}),
    ],
)
def test_metadata_is_always_a_dict(value: object, expected: dict) -> None:
    assert read_metadata(value) == expected


def test_the_page_and_its_own_files_are_in_the_repository() -> None:
    assert (WEB_DIR / "index.html").is_file()
    assert "data-settings" in (WEB_DIR / "index.html").read_text(encoding="utf-8")
    for name in ("app.js", "style.css"):
        assert ASSETS[name][0].is_file()
