"""Slack's message text as the person typed it.

Slack sends `&`, `<` and `>` escaped (`&amp;`, `&lt;`, `&gt;`), and mentions, channels and
links in angle brackets: `<@U123>`, `<#C123|general>`, `<https://x.org|label>`,
`<mailto:a@b.org|a@b.org>`, `<!here>`, `<!subteam^S1|@team>`, `<!date^1392734382^{date}|Feb 18>`
(api.slack.com, "Formatting text for app surfaces"). `read_text` turns them back into words and
removes the mentions of the bot itself.
"""

from __future__ import annotations

import re
from collections.abc import Collection

SPECIAL = re.compile(r"<([^<>]*)>")
BROADCASTS = {"here": "@here", "channel": "@channel", "everyone": "@everyone"}


def unescape(text: str) -> str:
    """Slack's three escapes undone (`&amp;` last, so `&amp;lt;` stays `&lt;`)."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _words(inside: str, bot_ids: Collection[str]) -> tuple[str, bool]:
    """One `<...>` as words, and whether it mentioned the bot."""
    target, _, label = inside.partition("|")
    if target.startswith("@"):
        if target[1:] in bot_ids:
            return "", True
        return (f"@{label}" if label else "someone"), False
    if target.startswith("#"):
        return f"#{label}" if label else "a channel", False
    if target.startswith("!"):
        name = target[1:].split("^", 1)[0]
        return label or BROADCASTS.get(name, ""), False
    if label:
        return label, False
    return target.removeprefix("mailto:"), False


def read_text(text: str, bot_ids: Collection[str] = ()) -> tuple[str, bool]:
    """The words of a Slack message, and whether it mentions the bot (one of `bot_ids`)."""
    pieces: list[str] = []
    mentioned = False
    position = 0
    for match in SPECIAL.finditer(text):
        pieces.append(unescape(text[position : match.start()]))
        words, bot = _words(match.group(1), bot_ids)
        mentioned = mentioned or bot
        pieces.append(unescape(words) if words else "\0")
        position = match.end()
    pieces.append(unescape(text[position:]))
    # A removed mention leaves one space between the words around it, none at either end.
    return re.sub(r"[ \t]*\0[ \t]*", " ", "".join(pieces)).strip(), mentioned
