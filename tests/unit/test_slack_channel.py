"""The Slack channel in process against the fake Web API, with a stand-in dialogue: escapes, files,
edits, taps and keyboards, and mentions in channels. Every call is checked against slack_sdk's
`AsyncWebClient` and Block Kit models (the fake's `problems`)."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from rasa.core.channels.channel import UserMessage
from slack_sdk.models.blocks import ActionsBlock, ButtonElement, PlainTextObject, SectionBlock

from channels.chat_apps import phrases
from channels.guard import messages
from channels.slack import SlackInput, dm_link, escape, invitation
from channels.urgent_advice import urgent_advice
from tests.fake_chat_apis import Call, FakeSlack

TOKEN = "xoxb-fake"
RED_FLAG = "my groin is numb and I wet myself"
QUESTION = {"text": "How old are you?", "buttons": [
    {"title": "Under 20", "payload": '/inform{"choice": "age:under_20"}'},
    {"title": "Why do you ask?", "payload": "/ask_why"},
]}
event_ids = itertools.count(1)


@dataclass
class Dialogue:
    """Stands in for Rasa: records what it hears and answers with `replies`."""

    replies: list[dict] = field(default_factory=lambda: [QUESTION])
    heard: list[str] = field(default_factory=list)

    async def __call__(self, message: UserMessage) -> None:
        self.heard.append(message.text)
        for reply in self.replies:
            if "buttons" in reply:
                await message.output_channel.send_text_with_buttons(
                    message.sender_id, reply["text"], reply["buttons"])
            else:
                await message.output_channel.send_text_message(message.sender_id, reply["text"])


class NoHeaders:
    headers: dict[str, str] = {}


@dataclass
class Bot:
    api: FakeSlack
    channel: SlackInput
    dialogue: Dialogue

    async def event(self, event: dict[str, Any]) -> None:
        body = {
            "type": "event_callback", "event_id": f"Ev{next(event_ids)}", "team_id": "T1",
            "api_app_id": "A1", "authorizations": [{"user_id": "UBOT", "is_bot": True}],
            "event": {"ts": f"{time.time():.6f}", **event},
        }
        assert self.channel._on_event(NoHeaders(), body, self.dialogue).status == 200
        await self.settled()

    async def tap(self, payload: dict[str, Any]) -> None:
        assert self.channel._on_interaction(payload, self.dialogue).status == 200
        await self.settled()

    async def settled(self) -> None:
        """Wait for the answers the channel started in the background."""
        await asyncio.gather(*list(self.channel._background_tasks))

    def posted(self, channel: str) -> list[Call]:
        return [c for c in self.api.called("chat.postMessage") if c.data["channel"] == channel]


@pytest.fixture
async def bot() -> AsyncIterator[Bot]:
    api = FakeSlack(token=TOKEN).start()
    try:
        yield Bot(api, SlackInput(TOKEN, "signing", api_url=f"{api.url}/api/"), Dialogue())
    finally:
        api.stop()
    assert api.problems == []


def dm(text: str, **fields) -> dict[str, Any]:
    return {"type": "message", "channel_type": "im", "user": "U1", "channel": "D1",
            "text": text, **fields}


async def test_slack_escapes_and_markup_are_read_as_typed(bot: Bot):
    await bot.event(dm("&gt; 6 weeks &amp; my left leg, see <https://x.org/a|my notes>"))
    assert bot.dialogue.heard == ["> 6 weeks & my left leg, see my notes"]


async def test_a_bare_mention_in_a_direct_message_is_empty(bot: Bot):
    await bot.event(dm("<@UBOT>"))
    assert [c.data["text"] for c in bot.posted("D1")] == [escape(messages()["empty"])]
    assert bot.dialogue.heard == []


async def test_a_file_with_words_is_read_and_said_to_be_unread(bot: Bot):
    files = [{"id": "F1", "name": "scan.png", "mimetype": "image/png"}]
    await bot.event(dm("here is my scan &amp; it hurts", subtype="file_share", files=files))
    assert bot.posted("D1")[0].data["text"] == escape(phrases()["attachment_not_read"])
    assert bot.dialogue.heard == ["here is my scan & it hurts"]


async def test_a_file_without_words_gets_the_not_text_reply(bot: Bot):
    await bot.event(dm("", subtype="file_share", files=[{"id": "F1"}]))
    assert [c.data["text"] for c in bot.posted("D1")] == [escape(messages()["not_text"])]
    assert bot.dialogue.heard == []


def changed(new: str, old: str, **message) -> dict[str, Any]:
    return {"type": "message", "subtype": "message_changed", "channel_type": "im",
            "channel": "D1", "hidden": True,
            "message": {"type": "message", "user": "U1", "text": new, **message},
            "previous_message": {"type": "message", "user": "U1", "text": old}}


async def test_an_edit_gets_a_note_and_never_reaches_the_dialogue(bot: Bot):
    await bot.event(changed("my LEFT leg", "my right leg"))
    assert [c.data["text"] for c in bot.posted("D1")] == [escape(phrases()["edited"])]
    assert bot.dialogue.heard == []


async def test_an_edit_that_adds_a_red_flag_gets_the_urgent_advice_first(bot: Bot):
    await bot.event(changed(RED_FLAG, "my back hurts"))
    expected = [*urgent_advice(RED_FLAG), phrases()["edited"]]
    assert [c.data["text"] for c in bot.posted("D1")] == [escape(text) for text in expected]


async def test_the_bots_own_edits_and_link_previews_are_ignored(bot: Bot):
    await bot.event(changed("How old are you?", "How old are you?", bot_id="B1"))
    await bot.event(changed("see https://x.org", "see https://x.org"))
    assert bot.api.calls == [] and bot.dialogue.heard == []


def tapped_payload(channel: str, ts: str, button: int = 0) -> dict[str, Any]:
    """A block_actions payload for a tap on the question's keyboard posted as `ts`."""
    blocks = [
        SectionBlock(text=PlainTextObject(text=QUESTION["text"])).to_dict(),
        ActionsBlock(elements=[
            ButtonElement(text=b["title"], action_id=f"button-{i}", value=b["payload"])
            for i, b in enumerate(QUESTION["buttons"])
        ]).to_dict(),
    ]
    chosen = QUESTION["buttons"][button]
    return {
        "type": "block_actions", "user": {"id": "U1"}, "team": {"id": "T1"},
        "api_app_id": "A1", "channel": {"id": channel},
        "container": {"type": "message", "message_ts": ts, "channel_id": channel},
        "message": {"type": "message", "ts": ts, "text": QUESTION["text"], "blocks": blocks},
        "actions": [{"type": "button", "action_id": f"button-{button}", "value": chosen["payload"],
                     "text": {"type": "plain_text", "text": chosen["title"]}}],
    }


async def test_a_tap_replaces_the_buttons_with_the_answer_and_reaches_the_dialogue(bot: Bot):
    await bot.tap(tapped_payload("D1", "100.000001"))
    [update] = bot.api.called("chat.update")
    assert update.data["ts"] == "100.000001" and update.data["channel"] == "D1"
    assert [block["type"] for block in update.data["blocks"]] == ["section", "context"]
    assert update.data["blocks"][1]["elements"][0]["text"] == phrases()["answered"].format(
        answer="Under 20")
    assert bot.dialogue.heard == ['/inform{"choice": "age:under_20"}']


async def test_a_keyboard_left_unanswered_loses_its_buttons_when_the_next_one_is_sent(bot: Bot):
    await bot.event(dm("my back hurts"))
    assert bot.api.called("chat.update") == []
    await bot.event(dm("I'd rather not say"))
    first, second = (call.result["ts"] for call in bot.posted("D1"))
    [update] = bot.api.called("chat.update")
    assert update.data["ts"] == first != second
    assert [block["type"] for block in update.data["blocks"]] == ["section"]


async def test_a_mention_in_a_channel_gets_the_invitation_in_its_thread(bot: Bot):
    await bot.event({"type": "app_mention", "user": "U1", "channel": "C1", "ts": "5.5",
                     "text": "<@UBOT> my back hurts"})
    [reply] = bot.posted("C1")
    assert reply.data["text"] == invitation(dm_link("A1", "T1"))
    assert "https://slack.com/app_redirect?app=A1&amp;team=T1" in reply.data["text"]
    assert reply.data["thread_ts"] == "5.5"
    assert bot.dialogue.heard == []


async def test_a_red_flag_in_a_channel_gets_the_urgent_advice_then_the_invitation(bot: Bot):
    await bot.event({"type": "app_mention", "user": "U1", "channel": "C1", "ts": "6.5",
                     "text": f"<@UBOT> {RED_FLAG}"})
    *advice, reply = bot.posted("C1")
    assert [c.data["text"] for c in advice] == [escape(text) for text in urgent_advice(RED_FLAG)]
    assert reply.data["text"] == invitation(dm_link("A1", "T1"))
    assert bot.dialogue.heard == []


async def test_channel_messages_without_a_mention_get_nothing(bot: Bot):
    await bot.event({"type": "message", "channel_type": "channel", "user": "U1",
                     "channel": "C1", "text": "my back hurts"})
    assert bot.api.calls == [] and bot.dialogue.heard == []


async def test_a_bystanders_tap_in_a_channel_gets_a_private_invitation_only(bot: Bot):
    await bot.tap({**tapped_payload("C1", "200.000001"), "user": {"id": "U2"}})
    [note] = bot.api.called("chat.postEphemeral")
    assert (note.data["channel"], note.data["user"]) == ("C1", "U2")
    assert note.data["text"] == invitation(dm_link("A1", "T1"))
    assert bot.dialogue.heard == [] and bot.api.called("chat.postMessage") == []
