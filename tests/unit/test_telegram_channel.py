"""The Telegram channel in process against the fake Bot API, with a stand-in dialogue: which calls
it makes for taps, edits, mentions, captions, inline-mode taps, group chats and forum topics.
Updates are python-telegram-bot's models; every call is checked against its `Bot` (the fake's
`problems`)."""

from __future__ import annotations

import datetime
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest
from rasa.core.channels.channel import UserMessage
from telegram import CallbackQuery, Chat, Message, MessageEntity, PhotoSize, Update, User

from channels.chat_apps import phrases
from channels.guard import messages
from channels.telegram import TelegramInput, TelegramOutput, deep_link
from channels.telegram_updates import read_update
from channels.urgent_advice import urgent_advice
from tests.fake_chat_apis import Call, FakeTelegram

TOKEN = "4242:fake-token"
PERSON = User(id=7, is_bot=False, first_name="Ann")
PRIVATE = Chat(id=7, type=Chat.PRIVATE)
GROUP = Chat(id=-100123, type=Chat.SUPERGROUP, title="Running club")
FORUM = Chat(id=-100456, type=Chat.SUPERGROUP, title="Club", is_forum=True)
NOW = datetime.datetime(2024, 5, 1, tzinfo=datetime.timezone.utc)
RED_FLAG = "my groin is numb and I wet myself"
QUESTION = {"text": "How old are you?", "buttons": [
    {"title": "Under 20", "payload": '/inform{"choice": "age:under_20"}'},
    {"title": "Why do you ask?", "payload": "/ask_why"},
]}


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


@dataclass
class Bot:
    api: FakeTelegram
    channel: TelegramInput
    out: TelegramOutput
    dialogue: Dialogue

    async def receive(self, update: Update) -> None:
        incoming = read_update(update.to_json().encode(), self.channel.bot)
        assert incoming is not None
        await self.channel._answer(incoming, self.out, self.dialogue)

    def sent(self, chat: int) -> list[Call]:
        return [c for c in self.api.called("sendMessage") if c.data["chat_id"] == str(chat)]


@pytest.fixture
async def bot() -> AsyncIterator[Bot]:
    api = FakeTelegram(token=TOKEN).start()
    channel = TelegramInput(TOKEN, "lbp_bot", "https://x.org/hook", "secret", api_url=api.url)
    out = channel.get_output_channel()
    try:
        yield Bot(api, channel, out, Dialogue())
    finally:
        await out.session.close()
        api.stop()
    assert api.problems == []


update_ids = iter(range(1, 10_000))


def message(chat: Chat = PRIVATE, message_id: int = 11, **fields) -> Message:
    return Message(message_id=message_id, date=NOW, chat=chat, from_user=PERSON, **fields)


def text_update(text: str, chat: Chat = PRIVATE, **fields) -> Update:
    entities = [MessageEntity(MessageEntity.MENTION, text.index("@"), len("@lbp_bot"))] if (
        "@lbp_bot" in text.lower()) else None
    return Update(next(update_ids), message=message(chat, text=text, entities=entities, **fields))


def tap(data: str, chat: Chat = PRIVATE, message_id: int = 11) -> Update:
    query = CallbackQuery(id=f"q{message_id}", from_user=PERSON, chat_instance="c", data=data,
                          message=message(chat, message_id, text="How old are you?"))
    return Update(next(update_ids), callback_query=query)


async def test_a_tap_removes_its_keyboard_and_reaches_the_dialogue(bot: Bot):
    await bot.receive(tap('/inform{"choice": "age:under_20"}', message_id=31))
    assert [c.data["callback_query_id"] for c in bot.api.called("answerCallbackQuery")] == ["q31"]
    [edit] = bot.api.called("editMessageReplyMarkup")
    assert edit.data == {
        "chat_id": "7", "message_id": "31", "reply_markup": {"inline_keyboard": []}}
    assert bot.dialogue.heard == ['/inform{"choice": "age:under_20"}']


async def test_a_keyboard_left_unanswered_is_removed_when_the_next_one_is_sent(bot: Bot):
    await bot.receive(text_update("my back hurts"))
    assert bot.api.called("editMessageReplyMarkup") == []
    await bot.receive(text_update("I'd rather not say"))
    first, second = (c.result["message_id"] for c in bot.sent(7) if "reply_markup" in c.data)
    [edit] = bot.api.called("editMessageReplyMarkup")
    assert edit.data == {
        "chat_id": "7", "message_id": str(first), "reply_markup": {"inline_keyboard": []}}
    assert second != first


async def test_a_bare_mention_is_an_empty_message_and_never_reaches_the_dialogue(bot: Bot):
    await bot.receive(text_update("@lbp_bot"))
    assert [c.data["text"] for c in bot.sent(7)] == [messages()["empty"]]
    assert bot.dialogue.heard == []


async def test_a_mention_in_another_case_is_removed_before_the_dialogue(bot: Bot):
    await bot.receive(text_update("@LBP_Bot start over"))
    assert bot.dialogue.heard == ["start over"]


async def test_an_edit_gets_a_note_and_never_reaches_the_dialogue(bot: Bot):
    await bot.receive(Update(next(update_ids), edited_message=message(text="my LEFT leg")))
    assert [c.data["text"] for c in bot.sent(7)] == [phrases()["edited"]]
    assert bot.dialogue.heard == []


async def test_an_edit_that_adds_a_red_flag_gets_the_urgent_advice_first(bot: Bot):
    await bot.receive(Update(next(update_ids), edited_message=message(text=RED_FLAG)))
    advice = urgent_advice(RED_FLAG)
    assert advice
    assert [c.data["text"] for c in bot.sent(7)] == [*advice, phrases()["edited"]]
    assert bot.dialogue.heard == []


async def test_a_caption_is_read_and_the_photo_is_said_to_be_unread(bot: Bot):
    photo = [PhotoSize(file_id="p", file_unique_id="u", width=10, height=10)]
    await bot.receive(Update(next(update_ids), message=message(
        photo=photo, caption="this is where it hurts")))
    assert bot.sent(7)[0].data["text"] == phrases()["attachment_not_read"]
    assert bot.dialogue.heard == ["this is where it hurts"]


async def test_an_inline_mode_tap_is_answered_with_a_notice(bot: Bot):
    query = CallbackQuery(id="inline-1", from_user=PERSON, chat_instance="c", data="x",
                          inline_message_id="AAQ-inline")
    await bot.receive(Update(next(update_ids), callback_query=query))
    [answer] = bot.api.called("answerCallbackQuery")
    assert answer.data == {"callback_query_id": "inline-1", "text": phrases()["tap_elsewhere"],
                           "url": deep_link("lbp_bot")}
    assert bot.api.called("sendMessage") == [] and bot.dialogue.heard == []


def invitation_of(call: Call) -> str:
    [[button]] = call.data["reply_markup"]["inline_keyboard"]
    assert button == {"text": phrases()["invitation_button"], "url": deep_link("lbp_bot")}
    return call.data["text"]


async def test_a_mention_in_a_group_gets_the_invitation_and_no_interview(bot: Bot):
    await bot.receive(text_update("@lbp_bot my back hurts", GROUP))
    [invitation] = bot.sent(GROUP.id)
    assert invitation_of(invitation) == phrases()["invitation"]
    assert invitation.data["reply_parameters"] == {
        "message_id": 11, "allow_sending_without_reply": True}
    assert bot.dialogue.heard == []


async def test_a_red_flag_in_a_group_gets_the_urgent_advice_then_the_invitation(bot: Bot):
    await bot.receive(text_update(f"@lbp_bot {RED_FLAG}", GROUP))
    *advice, invitation = bot.sent(GROUP.id)
    assert [c.data["text"] for c in advice] == urgent_advice(RED_FLAG)
    assert invitation_of(invitation) == phrases()["invitation"]
    assert bot.dialogue.heard == []


async def test_group_messages_not_for_the_bot_and_group_edits_get_nothing(bot: Bot):
    await bot.receive(text_update("my back hurts too", GROUP))
    await bot.receive(Update(next(update_ids), edited_message=message(
        GROUP, text="@lbp_bot my back", entities=[MessageEntity("mention", 0, 8)])))
    assert bot.api.calls == [] and bot.dialogue.heard == []


async def test_a_mention_in_a_forum_topic_is_answered_in_that_topic(bot: Bot):
    await bot.receive(text_update("@lbp_bot hello", FORUM, message_thread_id=77,
                                  is_topic_message=True))
    [invitation] = bot.sent(FORUM.id)
    assert invitation.data["message_thread_id"] == "77"


async def test_a_tap_in_a_group_gets_a_notice_and_loses_its_keyboard(bot: Bot):
    await bot.receive(tap("/ask_why", GROUP, message_id=41))
    [answer] = bot.api.called("answerCallbackQuery")
    assert answer.data["text"] == phrases()["tap_elsewhere"]
    assert answer.data["url"] == deep_link("lbp_bot")
    [edit] = bot.api.called("editMessageReplyMarkup")
    assert edit.data["message_id"] == "41"
    assert bot.dialogue.heard == [] and bot.api.called("sendMessage") == []
