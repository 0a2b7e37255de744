"""The action server's plugins: rasa_sdk imports this package, when it can, as it starts.

rasa_sdk looks for a package named `rasa_sdk_plugins` and calls its `init_hooks`; the action
server runs from the project's root (`python -m actions`), so it finds this one. The one plugin
puts the action server's limits on its app (`server/action_limits.py`).
"""

from __future__ import annotations

import pluggy
from sanic import Sanic

from server.action_limits import harden

hookimpl = pluggy.HookimplMarker("rasa_sdk")


class ActionServerLimits:
    """rasa_sdk's `attach_sanic_app_extensions` hook: runs once its app is made."""

    @hookimpl
    def attach_sanic_app_extensions(self, app: Sanic) -> None:
        harden(app)


def init_hooks(manager: pluggy.PluginManager) -> None:
    manager.register(ActionServerLimits())
