"""Keep dependencies' Python warnings off a newcomer's terminal, whatever `PYTHONWARNINGS` holds.

Rasa's stack raises dozens of deprecation warnings on import (pkg_resources, pyparsing, click,
distutils), and both Sanic and Rasa's CLI put "once" filters in front of any `-W` or
`PYTHONWARNINGS` setting, so neither the environment nor a filter of ours can hide them. Instead
the display of a warning is dropped when the code it points at lies outside the project; warnings
about the project's own code still show. Set `LBP_SHOW_WARNINGS=1` to see everything.
"""

import os
import warnings
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
_DEPENDENCIES = ("site-packages", "dist-packages", "<frozen")


def from_a_dependency(filename: str) -> bool:
    """True when a warning points at code that is not the project's own."""
    if any(part in filename for part in _DEPENDENCIES):
        return True
    try:
        Path(filename).resolve().relative_to(PROJECT_ROOT)
    except (OSError, ValueError):
        return True
    return False


def silence_dependencies() -> None:
    """Show only the warnings that point at the project's own code."""
    if os.environ.get("LBP_SHOW_WARNINGS", "") not in ("", "0"):
        return
    show = warnings.showwarning

    def show_own(message: Any, category: Any, filename: str, lineno: int, *rest: Any) -> None:
        if not from_a_dependency(filename):
            show(message, category, filename, lineno, *rest)

    warnings.showwarning = show_own
