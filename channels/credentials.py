"""The credentials file Rasa runs with: credentials.yml plus the channels the environment turns on.

Telegram and Slack are on when all of their variables are set, and off otherwise. Rasa's YAML
reader expands `${VAR}` and fails on a variable that is not set, so credentials.yml cannot name
them; this writes the effective file instead, with `${VAR}` references only for channels that
are on (no secret is written to disk: Rasa reads the values from the environment).

    python -m channels.credentials credentials.yml var/credentials.yml
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

TELEGRAM_API = "https://api.telegram.org"
SLACK_API = "https://slack.com/api/"


@dataclass(frozen=True)
class Channel:
    """A channel turned on by environment variables."""

    name: str
    key: str  # the credentials.yml key: the channel's class path
    required: dict[str, str]  # credentials field -> variable that must be set
    optional: dict[str, str]  # credentials field -> variable used when set
    webhook: str  # where the channel listens on the Rasa server
    retired: dict[str, str] = field(default_factory=dict)  # variable no longer read -> why


TELEGRAM = Channel(
    name="Telegram",
    key="channels.telegram.TelegramInput",
    required={
        "access_token": "LBP_TELEGRAM_TOKEN",
        "verify": "LBP_TELEGRAM_BOT_USERNAME",
        "webhook_url": "LBP_TELEGRAM_WEBHOOK_URL",
        "secret_token": "LBP_TELEGRAM_SECRET",
    },
    optional={"api_url": "LBP_TELEGRAM_API_URL"},
    webhook="/webhooks/telegram/webhook",
)
SLACK = Channel(
    name="Slack",
    key="channels.slack.SlackInput",
    required={
        "slack_token": "LBP_SLACK_TOKEN",
        "slack_signing_secret": "LBP_SLACK_SIGNING_SECRET",
    },
    optional={"api_url": "LBP_SLACK_API_URL"},
    webhook="/webhooks/slack/webhook",
    retired={
        "LBP_SLACK_CHANNEL": "health talk happens in direct messages only; a mention in a "
        "channel gets an invitation to one",
    },
)
CHANNELS = (TELEGRAM, SLACK)


def section(channel: Channel, env: Mapping[str, str]) -> str | None:
    """The credentials section of `channel`, or None when its variables are not all set."""
    if not all(env.get(variable) for variable in channel.required.values()):
        return None
    fields = dict(channel.required)
    fields.update({key: var for key, var in channel.optional.items() if env.get(var)})
    # Unquoted, so that Rasa's reader expands them.
    lines = [f"{channel.key}:"] + [f"  {key}: ${{{var}}}" for key, var in fields.items()]
    return "\n".join(lines) + "\n"


def status(channel: Channel, env: Mapping[str, str]) -> str:
    """One line saying whether `channel` is on, and which variables are missing if partly set."""
    missing = [var for var in channel.required.values() if not env.get(var)]
    notes = "".join(
        f" ({var} is not used: {why})" for var, why in channel.retired.items() if env.get(var)
    )
    if not missing:
        return f"{channel.name}: on, webhook at {channel.webhook}{notes}"
    if len(missing) == len(channel.required):
        return f"{channel.name}: off"
    return f"{channel.name}: OFF, these variables are not set: {', '.join(missing)}"


def effective(base: str, env: Mapping[str, str]) -> str:
    """The text of `base` with the sections of every channel that is on appended."""
    sections = [text for channel in CHANNELS if (text := section(channel, env))]
    if not sections:
        return base
    header = "\n\n# Turned on by the environment (channels/credentials.py)\n"
    return base.rstrip("\n") + header + "\n".join(sections)


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m channels.credentials BASE.yml OUT.yml", file=sys.stderr)
        return 2
    base, out = Path(argv[0]), Path(argv[1])
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(effective(base.read_text(), os.environ))
    for channel in CHANNELS:
        print(status(channel, os.environ), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
