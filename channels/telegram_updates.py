"""Reading a Telegram update: what it asks of the assistant, in the words the person wrote.

Read field by field (a malformed update raises BadUpdate, never anything else), as the Bot API
describes them:
- the bot's mentions are removed using the message's `entities` (offsets in UTF-16 code units;
  usernames compared without case), so "@LBP_Bot start over" reads "start over" and a bare
  mention reads as an empty message; commands lose their "@bot" suffix;
- a photo or file with a caption is read as its caption (the attachment is flagged);
- service messages (members joining or leaving, pinned messages, topics created...) are ignored;
- in groups, a message counts as addressed to the bot only when it mentions the bot, is a
  command, or replies to one of the bot's messages;
- a forum topic's `message_thread_id` is kept, so the answer lands in the same topic;
- a button tap on a message sent through inline mode has no chat: it is read as such.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from enum import Enum
from typing import Any

# Message fields that make it a service message (Bot API, "Message"): nothing to answer.
SERVICE_FIELDS = frozenset({
    "new_chat_members", "left_chat_member", "new_chat_title", "new_chat_photo",
    "delete_chat_photo", "group_chat_created", "supergroup_chat_created",
    "channel_chat_created", "message_auto_delete_timer_changed", "migrate_to_chat_id",
    "migrate_from_chat_id", "pinned_message", "successful_payment", "refunded_payment",
    "users_shared", "chat_shared", "gift", "unique_gift", "connected_website",
    "write_access_allowed", "passport_data", "proximity_alert_triggered", "boost_added",
    "chat_background_set", "checklist_tasks_done", "checklist_tasks_added",
    "direct_message_price_changed", "forum_topic_created", "forum_topic_edited",
    "forum_topic_closed", "forum_topic_reopened", "general_forum_topic_hidden",
    "general_forum_topic_unhidden", "giveaway_created", "giveaway_completed",
    "paid_message_price_changed", "video_chat_scheduled", "video_chat_started",
    "video_chat_ended", "video_chat_participants_invited", "web_app_data",
})
GROUP_TYPES = frozenset({"group", "supergroup", "channel"})


class BadUpdate(ValueError):
    """An update that does not have the shape Telegram gives it."""


class Kind(str, Enum):
    """What an update is."""

    MESSAGE = "message"
    EDIT = "edit"  # an edited message
    TAP = "tap"  # a tap on an inline keyboard button
    INLINE_TAP = "inline_tap"  # a tap on a message sent through inline mode (no chat)


@dataclass(frozen=True)
class BotIdentity:
    """Who the bot is: its username (without @) and its user id (the token's first part)."""

    username: str
    user_id: int | None = None

    @classmethod
    def from_token(cls, username: str, token: str) -> BotIdentity:
        digits = token.split(":", 1)[0]
        return cls(username.lstrip("@"), int(digits) if digits.isdigit() else None)


@dataclass(frozen=True)
class Incoming:
    """What one update asks of the assistant."""

    update_id: int
    chat_id: int | None  # None only for an inline-mode tap
    text: str | None  # the words, the bot's mentions removed; None: nothing to read
    callback_query_id: str | None = None
    kind: Kind = Kind.MESSAGE
    message_id: int | None = None  # the message (for a tap, the one with the keyboard)
    group: bool = False  # a group, supergroup or channel, not a private chat
    addressed: bool = False  # mentions the bot, is a command, or replies to the bot
    thread_id: int | None = None  # the forum topic it was written in
    attachment: bool = False  # a photo or file came with the words


def _object(value: object, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise BadUpdate(f"{where} must be an object")
    return value


def _integer(value: object, where: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise BadUpdate(f"{where} must be an integer")
    return value


def _optional_integer(value: object, where: str) -> int | None:
    return None if value is None else _integer(value, where)


def _optional_string(value: object, where: str) -> str | None:
    if value is not None and not isinstance(value, str):
        raise BadUpdate(f"{where} must be a string")
    return value


@dataclass(frozen=True)
class Entity:
    """A message entity: its type and where it is, in UTF-16 code units."""

    type: str
    offset: int
    length: int
    user_id: int | None = None  # for a text_mention


def read_entities(value: object, units: int, where: str) -> list[Entity] | None:
    """The entities of a text of `units` UTF-16 code units; None when there are none given."""
    if value is None:
        return None
    if not isinstance(value, list):
        raise BadUpdate(f"{where} must be a list")
    entities = []
    for index, raw in enumerate(value):
        item = _object(raw, f"{where}[{index}]")
        kind = _optional_string(item.get("type"), f"{where}[{index}].type")
        offset = _integer(item.get("offset"), f"{where}[{index}].offset")
        length = _integer(item.get("length"), f"{where}[{index}].length")
        if kind is None or offset < 0 or length < 0 or offset + length > units:
            raise BadUpdate(f"{where}[{index}] is not an entity of the text")
        user = item.get("user")
        user_id = _object(user, f"{where}[{index}].user").get("id") if user is not None else None
        entities.append(Entity(kind, offset, length, user_id if isinstance(user_id, int) else None))
    return entities


def _utf16(text: str) -> bytes:
    return text.encode("utf-16-le", "surrogatepass")


def _text(units: bytes) -> str:
    return units.decode("utf-16-le", "surrogatepass")


def _join(pieces: list[str]) -> str:
    """Pieces left around removed mentions, with one space where a mention stood between words."""
    text = ""
    for piece in pieces:
        if text and piece and not text[-1].isspace() and not piece[0].isspace():
            text += " "
        elif text and piece and text[-1] == " " and piece[0] == " ":
            piece = piece.lstrip(" ")
        text += piece
    return text.strip()


def _mentions_bot(entity: Entity, said: str, bot: BotIdentity) -> bool:
    if entity.type == "mention":
        return said[1:].casefold() == bot.username.casefold()
    return entity.type == "text_mention" and bot.user_id is not None and (
        entity.user_id == bot.user_id
    )


def without_mentions(text: str, entities: list[Entity] | None, bot: BotIdentity) -> tuple[
    str, bool
]:
    """`text` without the bot's mentions and commands' "@bot" suffixes, and whether it addresses
    the bot (a mention of it, or a command not meant for another bot)."""
    if entities is None:  # sent without entities (not by Telegram's apps): match the name
        pattern = re.compile(rf"@{re.escape(bot.username)}(?![\w])", re.IGNORECASE)
        if not bot.username:
            return text.strip(), text.lstrip().startswith("/")
        stripped = _join(pattern.split(text))
        return stripped, stripped.startswith("/") or bool(pattern.search(text))
    units = _utf16(text)
    cuts: list[tuple[int, int]] = []
    addressed = False
    for entity in sorted(entities, key=lambda e: e.offset):
        start, end = 2 * entity.offset, 2 * (entity.offset + entity.length)
        said = _text(units[start:end])
        if _mentions_bot(entity, said, bot):
            cuts.append((start, end))
            addressed = True
        elif entity.type == "bot_command" and entity.offset == 0:
            name, _, target = said.partition("@")
            if not target or target.casefold() == bot.username.casefold():
                addressed = True
                if target:
                    cuts.append((start + len(_utf16(name)), end))
    pieces, position = [], 0
    for start, end in cuts:
        pieces.append(_text(units[position:start]))
        position = end
    pieces.append(_text(units[position:]))
    return _join(pieces), addressed


def _replies_to_bot(message: dict[str, Any], bot: BotIdentity) -> bool:
    replied = message.get("reply_to_message")
    author = replied.get("from") if isinstance(replied, dict) else None
    if not isinstance(author, dict):
        return False
    if bot.user_id is not None and author.get("id") == bot.user_id:
        return True
    username = author.get("username")
    return isinstance(username, str) and username.casefold() == bot.username.casefold()


def read_message(update_id: int, message: dict[str, Any], kind: Kind, bot: BotIdentity,
                 where: str) -> Incoming | None:
    """A message or an edited message; None for a service message."""
    chat = _object(message.get("chat"), f"{where}.chat")
    chat_id = _integer(chat.get("id"), f"{where}.chat.id")
    chat_type = _optional_string(chat.get("type"), f"{where}.chat.type")
    text = _optional_string(message.get("text"), f"{where}.text")
    entities_field = "entities"
    caption = _optional_string(message.get("caption"), f"{where}.caption")
    if text is None and caption is not None:
        text, entities_field = caption, "caption_entities"
    if text is None and any(message.get(name) for name in SERVICE_FIELDS):
        return None
    message_id = _optional_integer(message.get("message_id"), f"{where}.message_id")
    thread_id = _optional_integer(message.get("message_thread_id"), f"{where}.message_thread_id")
    addressed = False
    if text is not None:
        entities = read_entities(
            message.get(entities_field), len(_utf16(text)) // 2, f"{where}.{entities_field}"
        )
        text, addressed = without_mentions(text, entities, bot)
    return Incoming(
        update_id,
        chat_id,
        text,
        kind=kind,
        message_id=message_id,
        group=chat_type in GROUP_TYPES,
        addressed=addressed or _replies_to_bot(message, bot),
        thread_id=thread_id if message.get("is_topic_message") else None,
        attachment=caption is not None and message.get("text") is None,
    )


def read_tap(update_id: int, query: dict[str, Any]) -> Incoming:
    """A button tap: its data, and the chat and message of the keyboard (none in inline mode)."""
    query_id = _optional_string(query.get("id"), "callback_query.id")
    data = _optional_string(query.get("data"), "callback_query.data")
    if query_id is None or data is None:
        raise BadUpdate("callback_query needs an id and data")
    if query.get("message") is None:
        inline_id = _optional_string(query.get("inline_message_id"), "inline_message_id")
        if inline_id is None:
            raise BadUpdate("callback_query needs a message or an inline_message_id")
        return Incoming(update_id, None, data, query_id, Kind.INLINE_TAP)
    message = _object(query.get("message"), "callback_query.message")
    chat = _object(message.get("chat"), "callback_query.message.chat")
    chat_type = _optional_string(chat.get("type"), "callback_query.message.chat.type")
    return Incoming(
        update_id,
        _integer(chat.get("id"), "chat.id"),
        data,
        query_id,
        Kind.TAP,
        message_id=_optional_integer(message.get("message_id"), "callback_query.message_id"),
        group=chat_type in GROUP_TYPES,
    )


def read_update(body: bytes, bot: BotIdentity) -> Incoming | None:
    """The message, edit or button tap an update carries; None for updates the bot ignores.

    Raises BadUpdate when the body is not a Telegram update.
    """
    try:
        update = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        raise BadUpdate(f"the body is not JSON: {error}") from None
    update = _object(update, "the update")
    update_id = _integer(update.get("update_id"), "update_id")
    if update.get("callback_query") is not None:
        return read_tap(update_id, _object(update["callback_query"], "callback_query"))
    for field, kind in (("message", Kind.MESSAGE), ("edited_message", Kind.EDIT)):
        if update.get(field) is not None:
            return read_message(update_id, _object(update[field], field), kind, bot, field)
    return None  # channel posts, membership changes: nothing to answer
