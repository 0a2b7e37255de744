"""Slack's text markup read back as the words typed (api.slack.com, "Formatting text")."""

from __future__ import annotations

import pytest

from channels.chat_apps import Keyboard, LiveKeyboards
from channels.slack import escape
from channels.slack_text import read_text, unescape


@pytest.mark.parametrize(
    ("sent", "read"),
    [
        ("&gt; 6 weeks &amp; my left leg", "> 6 weeks & my left leg"),
        ("pain &lt; 3 out of 10", "pain < 3 out of 10"),
        ("&amp;lt; stays escaped once", "&lt; stays escaped once"),
        ("ask <@U2> about it", "ask someone about it"),
        ("ask <@U2|ann> about it", "ask @ann about it"),
        ("see <#C1|general>", "see #general"),
        ("see <#C1>", "see a channel"),
        ("read <https://x.org/a?b=1&amp;c=2|my notes>", "read my notes"),
        ("read <https://x.org/a?b=1&amp;c=2>", "read https://x.org/a?b=1&c=2"),
        ("mail <mailto:a@b.org|a@b.org>", "mail a@b.org"),
        ("<!here> my back", "@here my back"),
        ("<!subteam^S1|@physios> help", "@physios help"),
        ("since <!date^1392734382^{date}|Feb 18>", "since Feb 18"),
    ],
)
def test_markup_is_read_back_as_words(sent, read):
    assert read_text(sent) == (read, False)


@pytest.mark.parametrize(
    ("sent", "read"),
    [("<@UBOT> my back hurts", "my back hurts"), ("<@UBOT>", ""),
     ("my back <@UBOT> hurts", "my back hurts"), ("hurts <@UBOT>", "hurts")],
)
def test_the_bots_mentions_are_removed(sent, read):
    assert read_text(sent, ["UBOT"]) == (read, True)


def test_unescape_undoes_escape():
    text = "a < b & c > d &amp; e"
    assert unescape(escape(text)) == text


def test_live_keyboards_keep_one_per_conversation_and_forget_the_oldest():
    live = LiveKeyboards(size=2)
    assert live.replace("a", Keyboard("1")) is None
    assert live.replace("a", Keyboard("2")) == Keyboard("1")
    live.answered("a", "1")  # not the live one: kept
    assert live.replace("a", Keyboard("3")) == Keyboard("2")
    live.answered("a", "3")
    assert live.replace("a", Keyboard("4")) is None
    live.replace("b", Keyboard("5"))
    live.replace("c", Keyboard("6"))
    assert live.replace("a", Keyboard("7")) is None  # "a" was the least recent: forgotten
