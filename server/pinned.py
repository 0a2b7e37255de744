"""The private Rasa, rasa_sdk and medspaCy places the project patches or reads, checked at start.

docs/rasa-internals.md says why each is touched and what breaks when it changes. At start each
server checks that the packages it relies on are at the versions pinned in `constraints.txt`
and that every private place below still exists, and refuses to start, naming each difference,
when they are not: an upgrade then fails loudly instead of silently losing a protection. Set
`LBP_ALLOW_UNPINNED=1` to start anyway (while checking an upgrade, say).
"""

from __future__ import annotations

import importlib
import os
import re
from importlib import metadata
from pathlib import Path

CONSTRAINTS = Path(__file__).resolve().parent.parent / "constraints.txt"

# packages whose private places are touched, per server
RASA_SERVER_PACKAGES = ("rasa", "sanic", "python-socketio", "SQLAlchemy", "jsonschema",
                        "aiogram", "slack_sdk", "redis", "medspacy", "spacy")
ACTION_SERVER_PACKAGES = ("rasa-sdk", "sanic", "medspacy", "spacy")

# (module, dotted attribute) of every private or patched place that can be checked by name
RASA_SERVER_PLACES = (
    ("rasa.core.run", "serve_application"),
    ("rasa.core.run", "configure_app"),
    ("rasa.core.actions.action", "RemoteAction._validate_action_result"),
    ("rasa.core.actions.action", "RemoteAction.action_response_format_spec"),
    ("rasa.shared.core.events", "Event.resolve_by_type"),
    ("rasa.shared.core.trackers", "DialogueStateTracker.applied_events"),
    ("rasa.shared.core.trackers", "DialogueStateTracker._first_loop_execution_or_unhappy_path"),
    ("rasa.core.tracker_store", "SQLTrackerStore._retrieve"),
    ("rasa.core.tracker_store", "SQLTrackerStore.SQLEvent"),
    ("rasa.core.channels.slack", "SlackBot._post_message"),
    ("rasa.core.channels.telegram", "TelegramOutput"),
    ("rasa.core.channels.socketio", "SocketIOInput.blueprint"),
    ("rasa.shared.core.training_data.story_reader.yaml_story_reader",
     "YAMLStoryReader._regex_message_pattern"),
    ("medspacy.context", "ConTextRule._ALLOWED_DIRECTIONS"),
)
ACTION_SERVER_PLACES = (
    ("rasa_sdk.forms", "FormValidationAction.run"),
    ("rasa_sdk.plugin", "plugin_manager"),
    ("medspacy.context", "ConTextRule._ALLOWED_DIRECTIONS"),
)


def pinned_versions(path: Path = CONSTRAINTS) -> dict[str, str]:
    """`name==version` lines of the constraints file, by normalised name."""
    pins = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        match = re.fullmatch(r"([A-Za-z0-9_.\-]+)==([^\s;#]+)", line.strip())
        if match:
            pins[_normal(match.group(1))] = match.group(2)
    return pins


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def differences(packages: tuple[str, ...], places: tuple[tuple[str, str], ...],
                pins: dict[str, str] | None = None) -> list[str]:
    """What differs from what the project was built against, one line each (empty: nothing)."""
    pins = pinned_versions() if pins is None else pins
    found = []
    for package in packages:
        wanted = pins.get(_normal(package))
        try:
            installed = metadata.version(package)
        except metadata.PackageNotFoundError:
            installed = None
        if wanted and installed != wanted:
            found.append(f"{package} is {installed or 'not installed'}, pinned {wanted}")
    for module_name, dotted in places:
        try:
            thing: object = importlib.import_module(module_name)
            for part in dotted.split("."):
                thing = getattr(thing, part)
        except (ImportError, AttributeError):
            found.append(f"{module_name}.{dotted} is gone")
    return found


def check(packages: tuple[str, ...], places: tuple[tuple[str, str], ...]) -> None:
    """Refuse to start when a pinned package or a private place differs."""
    if os.environ.get("LBP_ALLOW_UNPINNED", "") not in ("", "0"):
        return
    found = differences(packages, places)
    if found:
        raise SystemExit(
            "Refusing to start: the project patches private parts of these packages and was "
            "checked against other versions (docs/rasa-internals.md; LBP_ALLOW_UNPINNED=1 starts "
            "anyway):\n  " + "\n  ".join(found))
