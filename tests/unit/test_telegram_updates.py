"""Telegram updates built with python-telegram-bot's own models, read as the assistant reads them:
mentions, commands, service messages, inline-mode taps, forum topics, captions and edits."""

from __future__ import annotations

import datetime
import json

import pytest
from telegram import (
    CallbackQuery,
    Chat,
    Message,
    MessageEntity,
    PhotoSize,
    Update,
    User,
)

from channels.telegram_updates import BadUpdate, BotIdentity, Kind, read_update, without_mentions

BOT = BotIdentity.from_token("lbp_bot", "4242:secret-part")
PERSON = User(id=7, is_bot=False, first_name="Ann")
BOT_USER = User(id=4242, is_bot=True, first_name="LBP", username="lbp_bot")
PRIVATE = Chat(id=7, type=Chat.PRIVATE)
GROUP = Chat(id=-100123, type=Chat.SUPERGROUP, title="Running club")
FORUM = Chat(id=-100456, type=Chat.SUPERGROUP, title="Club", is_forum=True)
NOW = datetime.datetime(2024, 5, 1, tzinfo=datetime.timezone.utc)


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def mention(text: str, name: str) -> MessageEntity:
    """The mention entity Telegram sends for `name` in `text` (UTF-16 offsets)."""
    start = text.index(name)
    return MessageEntity(MessageEntity.MENTION, utf16_length(text[:start]), utf16_length(name))


def message(chat: Chat = PRIVATE, **fields) -> Message:
    return Message(message_id=11, date=NOW, chat=chat, from_user=PERSON, **fields)


def body(update_id: int = 1, **fields) -> bytes:
    return Update(update_id=update_id, **fields).to_json().encode()


def test_a_private_text_message_is_read_as_typed():
    incoming = read_update(body(message=message(text="my back hurts")), BOT)
    assert incoming is not None
    assert (incoming.chat_id, incoming.text, incoming.kind, incoming.group) == (
        7, "my back hurts", Kind.MESSAGE, False)
    assert incoming.message_id == 11


@pytest.mark.parametrize(
    ("text", "name", "read"),
    [
        ("@LBP_Bot start over", "@LBP_Bot", "start over"),
        ("@lbp_bot", "@lbp_bot", ""),
        ("my back @LBP_BOT hurts", "@LBP_BOT", "my back hurts"),
        ("😀😀 @Lbp_Bot my back", "@Lbp_Bot", "😀😀 my back"),  # offsets count UTF-16 units
    ],
    ids=["other case", "bare mention", "in the middle", "after emoji"],
)
def test_mentions_of_the_bot_are_removed_whatever_their_case(text, name, read):
    update = body(message=message(GROUP, text=text, entities=[mention(text, name)]))
    incoming = read_update(update, BOT)
    assert incoming is not None and incoming.text == read and incoming.addressed


def test_a_mention_of_someone_else_stays_and_does_not_address_the_bot():
    text = "@ann_runner my back hurts"
    incoming = read_update(body(message=message(
        GROUP, text=text, entities=[mention(text, "@ann_runner")])), BOT)
    assert incoming is not None and incoming.text == text and not incoming.addressed


def test_commands_lose_the_bots_name_and_commands_for_other_bots_do_not_address_it():
    ours = "/start@LBP_Bot"
    incoming = read_update(body(message=message(GROUP, text=ours, entities=[
        MessageEntity(MessageEntity.BOT_COMMAND, 0, len(ours))])), BOT)
    assert incoming is not None and incoming.text == "/start" and incoming.addressed
    theirs = "/start@other_bot"
    incoming = read_update(body(message=message(GROUP, text=theirs, entities=[
        MessageEntity(MessageEntity.BOT_COMMAND, 0, len(theirs))])), BOT)
    assert incoming is not None and incoming.text == theirs and not incoming.addressed


def test_a_reply_to_the_bot_addresses_it():
    ours = Message(message_id=3, date=NOW, chat=GROUP, from_user=BOT_USER, text="Happy to help")
    incoming = read_update(body(message=message(
        GROUP, text="thanks, my leg is numb", reply_to_message=ours)), BOT)
    assert incoming is not None and incoming.addressed and incoming.group


def test_without_entities_the_mention_is_matched_by_name_without_case():
    assert without_mentions("@LBP_bot my back", None, BOT) == ("my back", True)
    assert without_mentions("@LBP_bot", None, BOT) == ("", True)
    assert without_mentions("my back", None, BOT) == ("my back", False)


@pytest.mark.parametrize(
    "service",
    [
        {"new_chat_members": [PERSON]},
        {"left_chat_member": PERSON},
        {"pinned_message": Message(message_id=2, date=NOW, chat=GROUP, text="rules")},
        {"new_chat_title": "Back club"},
    ],
    ids=["member joined", "member left", "message pinned", "title changed"],
)
@pytest.mark.parametrize("chat", [GROUP, PRIVATE], ids=["group", "private"])
def test_service_messages_are_ignored(service, chat):
    assert read_update(body(message=message(chat, **service)), BOT) is None


def test_a_sticker_is_still_a_message_without_text():
    update = Update.de_json({"update_id": 5, "message": {
        "message_id": 1, "date": 0, "chat": {"id": 7, "type": "private"},
        "sticker": {"file_id": "x", "file_unique_id": "y", "width": 1, "height": 1,
                    "is_animated": False, "is_video": False, "type": "regular"}}}, None)
    incoming = read_update(update.to_json().encode(), BOT)
    assert incoming is not None and incoming.text is None


def test_a_photo_with_a_caption_is_read_as_its_caption():
    caption = "@lbp_bot this is where it hurts"
    photo = [PhotoSize(file_id="p", file_unique_id="u", width=10, height=10)]
    incoming = read_update(body(message=message(
        photo=photo, caption=caption, caption_entities=[mention(caption, "@lbp_bot")])), BOT)
    assert incoming is not None
    assert incoming.text == "this is where it hurts" and incoming.attachment


def test_a_forum_topic_message_keeps_its_thread():
    incoming = read_update(body(message=message(
        FORUM, text="@lbp_bot hi", entities=[mention("@lbp_bot hi", "@lbp_bot")],
        message_thread_id=77, is_topic_message=True)), BOT)
    assert incoming is not None and incoming.thread_id == 77
    # A reply thread outside a forum is not a topic: the answer goes to the chat.
    incoming = read_update(body(message=message(GROUP, text="hi", message_thread_id=5)), BOT)
    assert incoming is not None and incoming.thread_id is None


def test_an_edit_is_read_as_an_edit():
    incoming = read_update(body(edited_message=message(text="my LEFT leg")), BOT)
    assert incoming is not None and incoming.kind is Kind.EDIT and incoming.text == "my LEFT leg"


def test_taps_in_a_chat_and_in_inline_mode():
    keyboard_message = message(text="How old are you?")
    tap = CallbackQuery(id="q1", from_user=PERSON, chat_instance="c", data="/ask_why",
                        message=keyboard_message)
    incoming = read_update(body(callback_query=tap), BOT)
    assert incoming is not None
    assert (incoming.kind, incoming.chat_id, incoming.message_id, incoming.text) == (
        Kind.TAP, 7, 11, "/ask_why")
    inline = CallbackQuery(id="q2", from_user=PERSON, chat_instance="c", data="x",
                           inline_message_id="AAQ-inline")
    incoming = read_update(body(callback_query=inline), BOT)
    assert incoming is not None
    assert (incoming.kind, incoming.chat_id, incoming.callback_query_id) == (
        Kind.INLINE_TAP, None, "q2")


@pytest.mark.parametrize(
    "fields",
    [
        {"message": {"message_id": 1, "chat": {"id": 1}, "text": "hi",
                     "entities": [{"type": "mention", "offset": 1, "length": 5}]}},
        {"message": {"message_id": 1, "chat": {"id": 1}, "text": "hi", "entities": "x"}},
        {"message": {"message_id": "1", "chat": {"id": 1}, "text": "hi"}},
        {"callback_query": {"id": "q", "data": "x"}},
    ],
    ids=["entity past the end", "entities not a list", "message id a string",
         "tap without message or inline id"],
)
def test_malformed_fields_are_refused(fields):
    with pytest.raises(BadUpdate):
        read_update(json.dumps({"update_id": 3, **fields}).encode(), BOT)
