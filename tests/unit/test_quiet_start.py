"""The entry points hide dependencies' warnings but keep the project's own."""

import warnings

import pytest

from server import quiet


@pytest.fixture
def shown(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    seen: list[str] = []
    monkeypatch.setattr(warnings, "showwarning", lambda message, *rest: seen.append(str(message)))
    monkeypatch.delenv("LBP_SHOW_WARNINGS", raising=False)
    return seen


def warn_from(filename: str, text: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.warn_explicit(text, DeprecationWarning, filename, 1, module="m")


def test_a_dependency_warning_is_not_shown_whatever_the_filters(shown: list[str]) -> None:
    quiet.silence_dependencies()
    warn_from("/venv/lib/python3.10/site-packages/pyparsing/util.py", "old name")
    warn_from("<frozen importlib._bootstrap>", "import-time")
    assert shown == []


def test_a_warning_about_the_projects_own_code_still_shows(shown: list[str]) -> None:
    quiet.silence_dependencies()
    warn_from(str(quiet.PROJECT_ROOT / "bot" / "extraction.py"), "ours")
    assert shown == ["ours"]


def test_everything_shows_when_asked_for(shown: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LBP_SHOW_WARNINGS", "1")
    quiet.silence_dependencies()
    warn_from("/venv/lib/python3.10/site-packages/pyparsing/util.py", "old name")
    assert shown == ["old name"]
