"""The REST channel refuses sender ids that would reach another channel's conversations."""

from __future__ import annotations

import pytest

from channels import slack, telegram
from channels.rest import OTHER_CHANNELS_PREFIXES, BadRequest, read_sender


def test_the_reserved_prefixes_are_the_other_channels_own() -> None:
    assert set(OTHER_CHANNELS_PREFIXES) == {telegram.SENDER_PREFIX, slack.SENDER_PREFIX}


@pytest.mark.parametrize("sender", ["telegram-12345", "slack-U0123", "Telegram-1", "SLACK-u"])
def test_another_channels_conversation_id_is_refused(sender: str) -> None:
    with pytest.raises(BadRequest, match="must not start"):
        read_sender({"sender": sender})


@pytest.mark.parametrize("sender", ["alice", "web-7f3a", "my-telegram-friend"])
def test_ordinary_ids_pass(sender: str) -> None:
    assert read_sender({"sender": sender}) == sender
