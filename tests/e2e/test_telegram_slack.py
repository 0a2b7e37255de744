"""Telegram and Slack against one real Rasa server, talking to fake Bot and Web APIs on loopback.

The Rasa server starts while nothing listens on the Telegram API's port (as when a server starts
without network); the fake Telegram API comes up afterwards. What each channel sends is compared
with what the REST channel answers to the same words, so no reply text is written down here.
Telegram updates are built with python-telegram-bot's models; every call the server makes is
checked against python-telegram-bot's `Bot` and slack_sdk's client and Block Kit models (the
fakes' `problems`, which the last test expects empty).
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import html
import itertools
import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlencode

import pytest
import requests
import yaml
from slack_sdk.models.blocks import Block
from telegram import CallbackQuery, Chat, Message, MessageEntity, Sticker, Update, User

from channels.chat_apps import phrases
from channels.credentials import effective
from channels.guard import messages, screen
from channels.slack import dm_link, escape, invitation
from channels.telegram import deep_link
from channels.urgent_advice import urgent_advice
from tests.e2e.servers import MODEL, ROOT, Servers, pending_question
from tests.e2e.stored import first_answer, tracker
from tests.fake_chat_apis import Call, FakeSlack, FakeTelegram

pytestmark = pytest.mark.e2e

TELEGRAM_TOKEN = "123456:fake-telegram-token"
TELEGRAM_SECRET = "webhook-secret_for-tests"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
SLACK_TOKEN = "xoxb-fake-slack-token"
SLACK_SECRET = "slack-signing-secret-for-tests"
BOT_USERNAME = "lbp_test_bot"
PAIN = "my butt hurts when I sit and it zaps down my leg"
RED_FLAG = "my groin is numb and I wet myself"
WORDING = yaml.safe_load((ROOT / "bot" / "data" / "wording.yml").read_text(encoding="utf-8"))
CHANGED_ANSWER = WORDING["changed_answer"].split("{question}")[0]
update_ids = itertools.count(1000)
message_ids = itertools.count(1)
event_ids = itertools.count(1)


@dataclass
class Stack:
    """The Rasa server with Telegram and Slack on, and the fake APIs they call."""

    servers: Servers
    telegram: FakeTelegram
    slack: FakeSlack

    @property
    def telegram_webhook(self) -> str:
        return f"{self.servers.rasa_url}/webhooks/telegram/webhook"

    @property
    def slack_webhook(self) -> str:
        return f"{self.servers.rasa_url}/webhooks/slack/webhook"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: run `make train` (make test does it for you)")
    state = tmp_path_factory.mktemp("telegram_slack")
    telegram = FakeTelegram(token=TELEGRAM_TOKEN)  # not started: the Bot API is unreachable
    slack = FakeSlack(token=SLACK_TOKEN).start()
    env = {
        "LBP_TELEGRAM_TOKEN": TELEGRAM_TOKEN,
        "LBP_TELEGRAM_BOT_USERNAME": BOT_USERNAME,
        "LBP_TELEGRAM_WEBHOOK_URL": "https://bot.example.org/webhooks/telegram/webhook",
        "LBP_TELEGRAM_SECRET": TELEGRAM_SECRET,
        "LBP_TELEGRAM_API_URL": telegram.url,
        "LBP_SLACK_TOKEN": SLACK_TOKEN,
        "LBP_SLACK_SIGNING_SECRET": SLACK_SECRET,
        "LBP_SLACK_API_URL": f"{slack.url}/api/",
    }
    credentials = state / "credentials.yml"
    credentials.write_text(effective((ROOT / "credentials.yml").read_text(), env))
    servers = Servers(
        state_dir=state, credentials=credentials, extra_env=env, rasa_start_timeout=600.0
    )
    try:
        servers.start_actions()
        servers.start_rasa()
        yield Stack(servers, telegram, slack)
    finally:
        servers.stop_all()
        telegram.stop()
        slack.stop()


@pytest.fixture(scope="module")
def telegram_up(stack: Stack) -> Stack:
    """The stack once the fake Telegram API is listening (it started after Rasa)."""
    if stack.telegram._thread is None:
        stack.telegram.start()
    return stack


def as_rest(messages: list[dict]) -> list[dict]:
    """Messages as Rasa's REST channel lists them: a text without buttons is split at blank lines
    (Telegram and Slack send it as one message), surrounding whitespace trimmed."""
    listed: list[dict] = []
    for message in messages:
        if message.get("buttons"):
            listed.append({"text": message["text"].strip(), "buttons": message["buttons"]})
        else:
            listed.extend({"text": part.strip()} for part in message["text"].strip().split("\n\n"))
    return listed


# --- Telegram -----------------------------------------------------------------------------


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def entities_of(text: str) -> list[MessageEntity]:
    """The entities Telegram's apps send with `text`: a leading command, @mentions."""
    found = [
        MessageEntity(MessageEntity.MENTION, utf16(text[: m.start()]), utf16(m.group()))
        for m in re.finditer(r"@\w+", text)
    ]
    command = re.match(r"/\w+(@\w+)?", text)
    if command:
        found.insert(0, MessageEntity(MessageEntity.BOT_COMMAND, 0, utf16(command.group())))
    return found


def telegram_message(chat_id: int, text: str | None = None, chat_type: str = Chat.PRIVATE,
                     **fields) -> Message:
    person = User(id=abs(chat_id) % 1_000_000, is_bot=False, first_name="Test")
    return Message(
        message_id=fields.pop("message_id", next(message_ids)),
        date=datetime.datetime.now(datetime.timezone.utc),
        chat=Chat(id=chat_id, type=chat_type, is_forum=fields.pop("is_forum", None)),
        from_user=person,
        text=text,
        entities=entities_of(text) if text else None,
        **fields,
    )


def message_update(chat_id: int, text: str | None, chat_type: str = Chat.PRIVATE,
                   **fields) -> dict:
    """A message update as Telegram posts it (python-telegram-bot's models)."""
    message = telegram_message(chat_id, text, chat_type, **fields)
    return json.loads(Update(next(update_ids), message=message).to_json())


def edit_update(chat_id: int, text: str, message_id: int) -> dict:
    message = telegram_message(chat_id, text, message_id=message_id,
                               edit_date=datetime.datetime.now(datetime.timezone.utc))
    return json.loads(Update(next(update_ids), edited_message=message).to_json())


def tap_update(chat_id: int, data: str, message_id: int, chat_type: str = Chat.PRIVATE) -> dict:
    """A tap on a button of the message `message_id` (the keyboard the bot sent)."""
    keyboard_message = telegram_message(chat_id, "question", chat_type, message_id=message_id)
    query = CallbackQuery(id=f"tap-{next(update_ids)}", from_user=keyboard_message.from_user,
                          chat_instance="1", data=data, message=keyboard_message)
    return json.loads(Update(next(update_ids), callback_query=query).to_json())


def post_update(stack: Stack, update: object, secret: str | None = TELEGRAM_SECRET,
                raw: bytes | None = None) -> requests.Response:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers[SECRET_HEADER] = secret
    body = raw if raw is not None else json.dumps(update).encode()
    return requests.post(stack.telegram_webhook, data=body, headers=headers, timeout=120)


def sent_to(stack: Stack, chat_id: int, since: int = 0) -> list[Call]:
    """The sendMessage calls to `chat_id`, from the `since`-th on."""
    calls = [c for c in stack.telegram.called("sendMessage") if c.data["chat_id"] == str(chat_id)]
    return calls[since:]


def telegram_messages(calls: list[Call]) -> list[dict]:
    """Captured sendMessage calls as text and buttons."""
    return [
        {"text": call.data["text"],
         **({"buttons": [{"title": t, "payload": p} for t, p in keyboard(call)]}
            if "reply_markup" in call.data else {})}
        for call in calls
    ]


def keyboard(call: Call) -> list[tuple[str, str]]:
    rows = call.data["reply_markup"]["inline_keyboard"]
    assert all(len(row) == 1 for row in rows)  # one answer per row
    return [(button["text"], button["callback_data"]) for row in rows for button in row]


def test_rasa_started_while_the_bot_api_was_unreachable_and_an_update_is_still_acknowledged(
    stack: Stack,
):
    assert stack.servers.processes["rasa"].poll() is None
    assert requests.get(f"{stack.servers.rasa_url}/webhooks/telegram/", timeout=10).ok
    response = post_update(stack, message_update(501, "hi"))
    assert response.status_code == 200
    log = (stack.servers.state_dir / "rasa.log").read_text()
    assert f"Cannot connect to host 127.0.0.1:{stack.telegram.port}" in log


@pytest.mark.parametrize("secret", [None, "", "wrong-secret", TELEGRAM_SECRET + "x"])
def test_updates_without_the_right_secret_are_refused(telegram_up: Stack, secret):
    response = post_update(telegram_up, message_update(502, PAIN), secret=secret)
    assert response.status_code == 403
    assert sent_to(telegram_up, 502) == []


def test_a_description_of_pain_gets_the_question_with_a_keyboard_and_a_click_answers_it(
    telegram_up: Stack,
):
    expected = telegram_up.servers.say("rest-for-telegram", PAIN)
    assert expected and expected[-1].get("buttons"), "the REST channel asks a question"
    assert post_update(telegram_up, message_update(503, PAIN)).status_code == 200
    sent = sent_to(telegram_up, 503)
    assert as_rest(telegram_messages(sent)) == as_rest(expected)
    assert keyboard(sent[-1]) == [(b["title"], b["payload"]) for b in expected[-1]["buttons"]]

    title, payload = keyboard(sent[-1])[0]
    expected_next = telegram_up.servers.say("rest-for-telegram", payload)
    click = tap_update(503, payload, sent[-1].result["message_id"])
    assert post_update(telegram_up, click).status_code == 200
    answered = telegram_up.telegram.called("answerCallbackQuery")
    assert click["callback_query"]["id"] in [call.data["callback_query_id"] for call in answered]
    after_click = sent_to(telegram_up, 503, since=len(sent))
    assert as_rest(telegram_messages(after_click)) == as_rest(expected_next)


def test_start_command_greets_like_a_greeting(telegram_up: Stack):
    expected = telegram_up.servers.say("rest-for-telegram-start", "/greet")
    assert post_update(telegram_up, message_update(504, "/start")).status_code == 200
    assert as_rest(telegram_messages(sent_to(telegram_up, 504))) == as_rest(expected)


def test_a_redelivered_update_is_answered_once(telegram_up: Stack):
    update = message_update(505, "hi")
    assert post_update(telegram_up, update).status_code == 200
    first = len(sent_to(telegram_up, 505))
    assert first > 0
    assert post_update(telegram_up, update).status_code == 200
    assert len(sent_to(telegram_up, 505)) == first


MALFORMED_UPDATES = {
    "not JSON": b"{not json",
    "not UTF-8": b"\xff\xfe{}",
    "a JSON list": b"[1, 2]",
    "deeply nested": b"[" * 100_000,
    "a JSON string": b'"update"',
    "no update_id": json.dumps({"message": {"chat": {"id": 506}, "text": "hi"}}).encode(),
    "update_id a string": json.dumps({"update_id": "1", "message": {}}).encode(),
    "message a string": json.dumps({"update_id": 1, "message": "hi"}).encode(),
    "no chat": json.dumps({"update_id": 2, "message": {"text": "hi"}}).encode(),
    "chat id a string": json.dumps(
        {"update_id": 3, "message": {"chat": {"id": "506"}, "text": "hi"}}
    ).encode(),
    "chat id true": json.dumps(
        {"update_id": 3, "message": {"chat": {"id": True}, "text": "hi"}}
    ).encode(),
    "text a number": json.dumps(
        {"update_id": 4, "message": {"chat": {"id": 506}, "text": 42}}
    ).encode(),
    "text an object": json.dumps(
        {"update_id": 5, "message": {"chat": {"id": 506}, "text": {"a": 1}}}
    ).encode(),
    "callback without data": json.dumps(
        {"update_id": 6, "callback_query": {"id": "x", "message": {"chat": {"id": 506}}}}
    ).encode(),
}


@pytest.mark.parametrize("body", MALFORMED_UPDATES.values(), ids=MALFORMED_UPDATES.keys())
def test_malformed_updates_get_400_and_the_next_update_still_works(telegram_up: Stack, body):
    assert post_update(telegram_up, None, raw=body).status_code == 400
    before = len(sent_to(telegram_up, 506))
    assert post_update(telegram_up, message_update(506, "hi")).status_code == 200
    assert len(sent_to(telegram_up, 506)) > before


def test_a_message_without_text_gets_a_polite_reply(telegram_up: Stack):
    sticker = Sticker(file_id="x", file_unique_id="y", width=1, height=1, is_animated=False,
                      is_video=False, type=Sticker.REGULAR)
    update = message_update(507, None, sticker=sticker)
    assert post_update(telegram_up, update).status_code == 200
    assert telegram_messages(sent_to(telegram_up, 507)) == [{"text": screen("t-507", None)}]


@pytest.mark.parametrize(
    ("chat_id", "text"),
    [(508, "x" * 100_000), (509, ""), (510, "   \n\t ")],
    ids=["100 KB", "empty", "blank"],
)
def test_oversized_and_empty_messages_get_the_guards_reply(telegram_up: Stack, chat_id, text):
    refusal = screen(f"telegram-{chat_id}", text)
    assert refusal is not None
    assert post_update(telegram_up, message_update(chat_id, text)).status_code == 200
    assert telegram_messages(sent_to(telegram_up, chat_id)) == [{"text": refusal}]


@pytest.mark.parametrize(
    "text",
    ["my back\x00 hurts\x1b[31m when I \u202esit", "<script>alert(1)</script> my back hurts",
     "\U0001f600\u200b\ufeff my back hurts"],
    ids=["control characters", "script tag", "odd unicode"],
)
def test_odd_text_gets_a_reply_and_the_next_update_still_works(telegram_up: Stack, text):
    assert post_update(telegram_up, message_update(511, text)).status_code == 200
    replied = len(sent_to(telegram_up, 511))
    assert replied > 0
    assert post_update(telegram_up, message_update(511, "hi")).status_code == 200
    assert len(sent_to(telegram_up, 511)) > replied


# --- Slack --------------------------------------------------------------------------------


def slack_headers(body: bytes, content_type: str, secret: str = SLACK_SECRET,
                  timestamp: int | None = None) -> dict[str, str]:
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{stamp}:".encode() + body, hashlib.sha256)
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": f"v0={digest.hexdigest()}",
    }


def post_slack(stack: Stack, body: bytes, content_type: str = "application/json",
               **signing) -> requests.Response:
    headers = slack_headers(body, content_type, **signing)
    return requests.post(stack.slack_webhook, data=body, headers=headers, timeout=60)


def event(user: str, channel: str, text: object, event_id: str | None = None,
          **fields: object) -> dict:
    return {
        "token": "unused",
        "team_id": "T1",
        "api_app_id": "A1",
        "type": "event_callback",
        "event_id": event_id or f"Ev{next(event_ids):08d}",
        "event_time": int(time.time()),
        "authorizations": [{"user_id": "UBOT", "is_bot": True}],
        "event": {
            "type": "message",
            "channel_type": "im",
            "user": user,
            "channel": channel,
            "text": text,
            "ts": f"{time.time():.6f}",
            **fields,
        },
    }


def posted(stack: Stack, channel: str) -> list[dict]:
    """What was posted to `channel` so far, as REST would list it."""
    calls = [c for c in stack.slack.called("chat.postMessage") if c.data["channel"] == channel]
    return as_rest([slack_message(call) for call in calls])


def posted_to(stack: Stack, channel: str, count: int) -> list[dict]:
    """What was posted to `channel` as REST would list it, once `count` REST messages came."""
    stack.slack.wait_until(lambda: len(posted(stack, channel)) >= count)
    return posted(stack, channel)


def slack_message(call: Call) -> dict:
    """A captured chat.postMessage as text and buttons (the section blocks hold the text)."""
    reply: dict = {"text": html.unescape(call.data["text"])}
    blocks = call.data.get("blocks") or []
    buttons = [
        {"title": element["text"]["text"], "payload": element["value"]}
        for block in blocks
        if block["type"] == "actions"
        for element in block["elements"]
    ]
    if buttons:
        sections = "".join(b["text"]["text"] for b in blocks if b["type"] == "section")
        assert sections == reply["text"]
        reply["buttons"] = buttons
    return reply


def test_the_url_verification_challenge_is_answered_only_when_signed(stack: Stack):
    body = json.dumps({"type": "url_verification", "challenge": "c-123", "token": "t"}).encode()
    response = post_slack(stack, body)
    assert response.status_code == 200
    assert response.json() == {"challenge": "c-123"}
    assert post_slack(stack, body, secret="not-the-secret").status_code == 401


def test_a_signed_charset_event_gets_the_question_as_block_kit_buttons(stack: Stack):
    expected = stack.servers.say("rest-for-slack", PAIN)
    body = json.dumps(event("U601", "D601", PAIN)).encode()
    response = post_slack(stack, body, "application/json; charset=utf-8")
    assert response.status_code == 200
    assert posted_to(stack, "D601", len(as_rest(expected))) == as_rest(expected)
    assert all(call.token == SLACK_TOKEN for call in stack.slack.called("chat.postMessage"))

    payload = expected[-1]["buttons"][0]["payload"]
    expected_next = stack.servers.say("rest-for-slack", payload)
    click = {
        "type": "block_actions",
        "user": {"id": "U601"},
        "channel": {"id": "D601"},
        "message": {"ts": "1.0"},
        "actions": [{"type": "button", "action_id": "button-0", "value": payload}],
    }
    form = urlencode({"payload": json.dumps(click)}).encode()
    assert post_slack(stack, form, "application/x-www-form-urlencoded").status_code == 200
    posted = posted_to(stack, "D601", len(as_rest(expected)) + len(as_rest(expected_next)))
    assert posted[len(as_rest(expected)):] == as_rest(expected_next)


@pytest.mark.parametrize(
    ("secret", "offset"),
    [("not-the-secret", 0), (SLACK_SECRET, -6 * 60), (SLACK_SECRET, 6 * 60)],
    ids=["wrong secret", "stale timestamp", "future timestamp"],
)
def test_badly_signed_or_stale_events_are_refused(stack: Stack, secret, offset):
    body = json.dumps(event("U602", "D602", "hi")).encode()
    signing = {"secret": secret, "timestamp": int(time.time()) + offset}
    assert post_slack(stack, body, **signing).status_code == 401


def test_missing_or_garbled_signature_headers_are_refused(stack: Stack):
    body = json.dumps(event("U602", "D602", "hi")).encode()
    good = slack_headers(body, "application/json")
    for broken in (
        {},
        {**good, "X-Slack-Signature": "v0=" + "0" * 64},
        {**good, "X-Slack-Request-Timestamp": "soon"},
        {"Content-Type": "application/json", "X-Slack-Signature": good["X-Slack-Signature"]},
    ):
        response = requests.post(stack.slack_webhook, data=body, headers=broken, timeout=60)
        assert response.status_code == 401
    # nothing refused reached Rasa: the one correctly signed event below is the first answer
    expected = stack.servers.say("rest-for-slack-hi", "hi")
    assert post_slack(stack, body).status_code == 200
    assert posted_to(stack, "D602", len(as_rest(expected))) == as_rest(expected)


def test_a_retried_event_is_not_answered_twice(stack: Stack):
    expected_hi = stack.servers.say("rest-for-slack-retry", "hi")
    first = json.dumps(event("U603", "D603", "hi", event_id="EvRETRY1")).encode()
    assert post_slack(stack, first).status_code == 200
    retry = {**slack_headers(first, "application/json"), "X-Slack-Retry-Num": "1",
             "X-Slack-Retry-Reason": "http_timeout"}
    assert requests.post(stack.slack_webhook, data=first, headers=retry, timeout=60).ok
    assert post_slack(stack, first).status_code == 200  # the same event_id, no retry header
    # A later message in the same conversation: once its replies are there, a second answer to
    # the first event would have been posted before them (one conversation is handled in order).
    expected_help = stack.servers.say("rest-for-slack-retry", "what is spinal stenosis?")
    later = json.dumps(event("U603", "D603", "what is spinal stenosis?")).encode()
    assert post_slack(stack, later).status_code == 200
    both = as_rest(expected_hi + expected_help)
    assert posted_to(stack, "D603", len(both)) == both


MALFORMED_SLACK = {
    "not JSON": (b"{not json", "application/json"),
    "not UTF-8": (b"\xff\xfe", "application/json; charset=utf-8"),
    "a JSON list": (b"[1]", "application/json"),
    "deeply nested": (b"[" * 100_000, "application/json"),
    "event a string": (
        json.dumps({"type": "event_callback", "event_id": "EvBAD1", "event": "hi"}).encode(),
        "application/json",
    ),
    "text a number": (json.dumps(event("U604", "D604", 42)).encode(), "application/json"),
    "no user": (
        json.dumps({**event("U604", "D604", "hi"), "event": {"type": "message", "text": "hi",
                                                              "channel": "D604"}}).encode(),
        "application/json",
    ),
    "challenge a number": (
        json.dumps({"type": "url_verification", "challenge": 5}).encode(), "application/json"
    ),
    "form without payload": (b"a=1", "application/x-www-form-urlencoded"),
    "payload not JSON": (b"payload=%7Bnope", "application/x-www-form-urlencoded"),
    "actions not a list": (
        urlencode({"payload": json.dumps({"type": "block_actions", "actions": "x"})}).encode(),
        "application/x-www-form-urlencoded",
    ),
    "click without user": (
        urlencode({"payload": json.dumps({
            "type": "block_actions", "channel": {"id": "D604"},
            "actions": [{"type": "button", "value": "hi"}]})}).encode(),
        "application/x-www-form-urlencoded",
    ),
    "plain text": (b"hello", "text/plain"),
}


@pytest.mark.parametrize(("body", "content_type"), MALFORMED_SLACK.values(),
                         ids=MALFORMED_SLACK.keys())
def test_malformed_slack_bodies_get_4xx(stack: Stack, body, content_type):
    response = post_slack(stack, body, content_type)
    assert 400 <= response.status_code < 500


def test_after_malformed_bodies_the_next_event_still_works_and_nothing_else_was_posted(
    stack: Stack,
):
    expected = stack.servers.say("rest-for-slack-after", "hi")
    assert post_slack(stack, json.dumps(event("U604", "D604", "hi")).encode()).ok
    assert posted_to(stack, "D604", len(as_rest(expected))) == as_rest(expected)


def test_a_100_kb_slack_message_gets_the_guards_reply(stack: Stack):
    text = "y" * 100_000
    refusal = screen("slack-U605", text)
    assert refusal is not None
    assert post_slack(stack, json.dumps(event("U605", "D605", text)).encode()).ok
    assert posted_to(stack, "D605", 1) == as_rest([{"text": refusal}])


# --- Old buttons: REST, Telegram and Slack ---------------------------------------------------


def user_turns(stack: Stack, sender: str) -> list[str]:
    """The texts of the person's turns Rasa stored for `sender`."""
    events = tracker(stack.servers, sender).get("events") or []
    return [event.get("text") or "" for event in events if event["event"] == "user"]


def interview_slots(stack: Stack, sender: str) -> dict:
    slots = tracker(stack.servers, sender)["slots"]
    return {"asked": slots.get("asked"), "pending": slots.get("pending_question")}


def findings(stack: Stack, sender: str) -> dict[str, bool]:
    return {f["id"]: f["present"] for f in tracker(stack.servers, sender)["slots"]["findings"]}


NEVER_ASKED = '/inform{"choice": "scans:slipped"}'


def test_over_rest_an_old_button_is_a_correction_said_back_and_never_read_as_words(stack: Stack):
    sender = "rest-old-buttons"
    first = stack.servers.say(sender, PAIN)
    old = first_answer(first)
    assert old and stack.servers.say(sender, old)[-1].get("buttons")
    waiting = interview_slots(stack, sender)
    assert waiting["pending"] and waiting["pending"] != pending_question(first)

    again = stack.servers.say(sender, old)  # the first question's button, tapped late
    assert again[0]["text"].startswith(CHANGED_ANSWER)
    assert pending_question(again) == waiting["pending"]
    assert interview_slots(stack, sender) == waiting

    assert "scans" not in waiting["asked"]
    stale = stack.servers.say(sender, NEVER_ASKED)
    assert stale[0]["text"] == WORDING["old_button"]
    assert interview_slots(stack, sender) == waiting
    assert findings(stack, sender).get("trauma_minor") is not True  # "slipped" never read


def telegram_turn(stack: Stack, chat_id: int, update: dict) -> list[Call]:
    """Post one update; the sendMessage calls it made (the webhook answers after the turn)."""
    before = len(sent_to(stack, chat_id))
    assert post_update(stack, update).status_code == 200
    return sent_to(stack, chat_id, since=before)


def keyboard_removed(stack: Stack, chat_id: int, message_id: int) -> bool:
    return any(
        call.data == {"chat_id": str(chat_id), "message_id": str(message_id),
                      "reply_markup": {"inline_keyboard": []}}
        for call in stack.telegram.called("editMessageReplyMarkup")
    )


def test_on_telegram_answered_keyboards_go_away_and_an_old_button_is_a_correction(
    telegram_up: Stack,
):
    chat, rest = 530, "rest-old-buttons-telegram"

    def turn(update: dict, words: str) -> list[Call]:
        expected = telegram_up.servers.say(rest, words)
        calls = telegram_turn(telegram_up, chat, update)
        assert as_rest(telegram_messages(calls)) == as_rest(expected)
        return calls

    asked = turn(message_update(chat, PAIN), PAIN)
    first_keyboard = asked[-1].result["message_id"]
    old = first_answer(telegram_messages(asked))
    tapped = turn(tap_update(chat, old, first_keyboard), old)
    assert keyboard_removed(telegram_up, chat, first_keyboard)  # tapped: taken away

    second_keyboard = tapped[-1].result["message_id"]
    typed = turn(message_update(chat, "why do you ask?"), "why do you ask?")
    assert "reply_markup" in typed[-1].data
    assert keyboard_removed(telegram_up, chat, second_keyboard)  # superseded: taken away
    assert not keyboard_removed(telegram_up, chat, typed[-1].result["message_id"])

    waiting = interview_slots(telegram_up, f"telegram-{chat}")
    late = turn(tap_update(chat, old, first_keyboard), old)  # a stale client's tap
    assert late[0].data["text"].startswith(CHANGED_ANSWER)
    assert interview_slots(telegram_up, f"telegram-{chat}") == waiting
    stale = turn(tap_update(chat, NEVER_ASKED, first_keyboard), NEVER_ASKED)
    assert stale[0].data["text"] == WORDING["old_button"]
    assert interview_slots(telegram_up, f"telegram-{chat}") == waiting


def slack_keyboards(stack: Stack, channel: str) -> list[Call]:
    return [c for c in stack.slack.called("chat.postMessage")
            if c.data["channel"] == channel and c.data.get("blocks")]


def slack_tap(user: str, channel: str, call: Call, value: str) -> bytes:
    """The form Slack posts for a tap on the button with `value` of the message `call` posted."""
    blocks = call.data["blocks"]
    button = next(element for block in blocks if block["type"] == "actions"
                  for element in block["elements"] if element["value"] == value)
    ts = call.result["ts"]
    payload = {
        "type": "block_actions", "user": {"id": user}, "team": {"id": "T1"}, "api_app_id": "A1",
        "channel": {"id": channel},
        "container": {"type": "message", "message_ts": ts, "channel_id": channel},
        "message": {"type": "message", "ts": ts, "text": call.data["text"], "blocks": blocks},
        "actions": [{**button, "block_id": "b1", "action_ts": f"{time.time():.6f}"}],
    }
    return urlencode({"payload": json.dumps(payload)}).encode()


def slack_turn(stack: Stack, channel: str, body: bytes, content_type: str, rest: str,
               words: str) -> list[dict]:
    """Post one request; what it posted to `channel`, compared with REST's answer to `words`."""
    expected = as_rest(stack.servers.say(rest, words))
    before = len(posted(stack, channel))
    assert post_slack(stack, body, content_type).status_code == 200
    got = posted_to(stack, channel, before + len(expected))[before:]
    assert got == expected
    return got


def slack_buttons_replaced(stack: Stack, channel: str, call: Call) -> list[Call]:
    """The chat.update calls that took the buttons off the message `call` posted."""
    updates = stack.slack.wait_for("chat.update", 1, channel=channel, ts=call.result["ts"])
    assert all(b["type"] != "actions" for u in updates for b in u.data["blocks"])
    return updates


def test_on_slack_answered_keyboards_go_away_and_an_old_button_is_a_correction(stack: Stack):
    user, channel, rest = "U630", "D630", "rest-old-buttons-slack"
    json_type, form_type = "application/json", "application/x-www-form-urlencoded"
    slack_turn(stack, channel, json.dumps(event(user, channel, PAIN)).encode(), json_type,
               rest, PAIN)
    [first] = slack_keyboards(stack, channel)
    old = first_answer([slack_message(first)])
    slack_turn(stack, channel, slack_tap(user, channel, first, old), form_type, rest, old)
    [update] = slack_buttons_replaced(stack, channel, first)
    title = next(e["text"]["text"] for b in first.data["blocks"] if b["type"] == "actions"
                 for e in b["elements"] if e["value"] == old)
    assert update.data["blocks"][-1]["elements"][0]["text"] == phrases()["answered"].format(
        answer=title)

    second = slack_keyboards(stack, channel)[-1]
    slack_turn(stack, channel, json.dumps(event(user, channel, "why do you ask?")).encode(),
               json_type, rest, "why do you ask?")
    slack_buttons_replaced(stack, channel, second)  # superseded: buttons taken away

    waiting = interview_slots(stack, f"slack-{user}")
    late = slack_turn(stack, channel, slack_tap(user, channel, first, old), form_type, rest, old)
    assert late[0]["text"].startswith(CHANGED_ANSWER)
    assert interview_slots(stack, f"slack-{user}") == waiting
    never_asked = {**first.data, "blocks": [*first.data["blocks"][:-1], {
        "type": "actions", "elements": [{"type": "button", "action_id": "button-0",
                                         "value": NEVER_ASKED,
                                         "text": {"type": "plain_text", "text": "Slipped"}}]}]}
    stale_keyboard = Call("chat.postMessage", SLACK_TOKEN, never_asked, first.result)
    stale = slack_turn(stack, channel, slack_tap(user, channel, stale_keyboard, NEVER_ASKED),
                       form_type, rest, NEVER_ASKED)
    assert stale[0]["text"] == WORDING["old_button"]
    assert interview_slots(stack, f"slack-{user}") == waiting


# --- Telegram: mentions, edits, inline mode, service messages, topics, groups ----------------


def test_a_bare_mention_is_an_empty_message_and_never_an_answer(telegram_up: Stack):
    assert post_update(telegram_up, message_update(540, PAIN)).status_code == 200
    waiting = interview_slots(telegram_up, "telegram-540")
    before = len(sent_to(telegram_up, 540))
    assert post_update(telegram_up, message_update(540, f"@{BOT_USERNAME}")).status_code == 200
    assert telegram_messages(sent_to(telegram_up, 540, since=before)) == [
        {"text": messages()["empty"]}]
    assert interview_slots(telegram_up, "telegram-540") == waiting
    assert user_turns(telegram_up, "telegram-540") == [PAIN]


def test_an_edited_message_gets_a_note_and_is_never_an_answer(telegram_up: Stack):
    first = message_update(541, PAIN)
    assert post_update(telegram_up, first).status_code == 200
    waiting = interview_slots(telegram_up, "telegram-541")
    edit = edit_update(541, "my butt hurts when I sit", first["message"]["message_id"])
    assert telegram_messages(telegram_turn(telegram_up, 541, edit)) == [
        {"text": phrases()["edited"]}]
    assert interview_slots(telegram_up, "telegram-541") == waiting
    assert user_turns(telegram_up, "telegram-541") == [PAIN]


def test_a_mention_in_another_case_is_removed_before_rasa(telegram_up: Stack):
    question = "what is spinal stenosis?"
    expected = telegram_up.servers.say("rest-for-telegram-mention", question)
    mention = f"@{BOT_USERNAME.upper()} {question}"
    assert as_rest(telegram_messages(telegram_turn(
        telegram_up, 542, message_update(542, mention)))) == as_rest(expected)
    assert user_turns(telegram_up, "telegram-542") == [question]


def test_an_inline_mode_tap_is_answered_with_a_notice(telegram_up: Stack):
    query = CallbackQuery(id="inline-543", from_user=User(id=543, is_bot=False, first_name="T"),
                          chat_instance="1", data="/ask_why", inline_message_id="AAQ-inline-id")
    update = json.loads(Update(next(update_ids), callback_query=query).to_json())
    assert post_update(telegram_up, update).status_code == 200
    [answer] = [c for c in telegram_up.telegram.called("answerCallbackQuery")
                if c.data["callback_query_id"] == "inline-543"]
    assert answer.data["text"] == phrases()["tap_elsewhere"]
    assert answer.data["url"] == deep_link(BOT_USERNAME)


@pytest.mark.parametrize(
    "service",
    [{"new_chat_members": [User(id=9, is_bot=False, first_name="New")]},
     {"left_chat_member": User(id=9, is_bot=False, first_name="Gone")},
     {"pinned_message": Message(message_id=1, date=datetime.datetime.now(datetime.timezone.utc),
                                chat=Chat(id=-100544, type=Chat.SUPERGROUP), text="rules")}],
    ids=["member joined", "member left", "message pinned"],
)
def test_service_messages_in_groups_are_ignored_silently(telegram_up: Stack, service):
    update = message_update(-100544, None, Chat.SUPERGROUP, **service)
    assert post_update(telegram_up, update).status_code == 200
    assert sent_to(telegram_up, -100544) == []


def invitation_call(call: Call) -> bool:
    markup = call.data.get("reply_markup") or {}
    return call.data["text"] == phrases()["invitation"] and markup == {"inline_keyboard": [[
        {"text": phrases()["invitation_button"], "url": deep_link(BOT_USERNAME)}]]}


def test_a_mention_in_a_group_gets_an_invitation_to_a_private_chat_and_no_interview(
    telegram_up: Stack,
):
    group = -100545
    not_for_the_bot = message_update(group, "my back hurts too", Chat.SUPERGROUP)
    assert telegram_turn(telegram_up, group, not_for_the_bot) == []
    mention = message_update(group, f"@{BOT_USERNAME} my back hurts", Chat.SUPERGROUP)
    [reply] = telegram_turn(telegram_up, group, mention)
    assert invitation_call(reply)
    assert reply.data["reply_parameters"] == {
        "message_id": mention["message"]["message_id"], "allow_sending_without_reply": True}
    assert user_turns(telegram_up, f"telegram-{group}") == []


def test_a_red_flag_in_a_group_gets_the_urgent_advice_at_once(telegram_up: Stack):
    group = -100546
    update = message_update(group, f"@{BOT_USERNAME} {RED_FLAG}", Chat.GROUP)
    *advice, invited = telegram_turn(telegram_up, group, update)
    assert [call.data["text"] for call in advice] == urgent_advice(RED_FLAG)
    assert invitation_call(invited)
    assert user_turns(telegram_up, f"telegram-{group}") == []


def test_a_mention_in_a_forum_topic_is_answered_in_that_topic(telegram_up: Stack):
    group = -100547
    update = message_update(group, f"@{BOT_USERNAME} hello", Chat.SUPERGROUP, is_forum=True,
                            message_thread_id=9, is_topic_message=True)
    [reply] = telegram_turn(telegram_up, group, update)
    assert invitation_call(reply) and reply.data["message_thread_id"] == "9"


def test_a_tap_in_a_group_gets_a_notice_and_starts_nothing(telegram_up: Stack):
    group = -100548
    update = tap_update(group, "/ask_why", 3, Chat.SUPERGROUP)
    assert telegram_turn(telegram_up, group, update) == []
    [answer] = [c for c in telegram_up.telegram.called("answerCallbackQuery")
                if c.data["callback_query_id"] == update["callback_query"]["id"]]
    assert answer.data["url"] == deep_link(BOT_USERNAME)
    assert keyboard_removed(telegram_up, group, 3)
    assert user_turns(telegram_up, f"telegram-{group}") == []


# --- Slack: escapes, files, edits, channels -----------------------------------------------------


def test_slack_escapes_are_undone_before_rasa(stack: Stack):
    typed = "it's been > 6 weeks & my left leg tingles"
    sent = "it's been &gt; 6 weeks &amp; my left leg tingles"
    slack_turn(stack, "D650", json.dumps(event("U650", "D650", sent)).encode(),
               "application/json", "rest-for-slack-escapes", typed)
    assert user_turns(stack, "slack-U650") == [typed]


def test_a_slack_message_with_a_file_is_read_and_the_file_said_unread(stack: Stack):
    words = "my lower back hurts when I bend"
    expected = as_rest([{"text": phrases()["attachment_not_read"]},
                        *stack.servers.say("rest-for-slack-file", words)])
    shared = event("U651", "D651", words, subtype="file_share",
                   files=[{"id": "F1", "name": "scan.png", "mimetype": "image/png"}])
    assert post_slack(stack, json.dumps(shared).encode()).status_code == 200
    assert posted_to(stack, "D651", len(expected)) == expected
    assert user_turns(stack, "slack-U651") == [words]


def test_an_edited_slack_message_gets_a_note_and_is_never_an_answer(stack: Stack):
    expected = as_rest(stack.servers.say("rest-for-slack-edit", PAIN))
    assert post_slack(stack, json.dumps(event("U652", "D652", PAIN)).encode()).ok
    assert posted_to(stack, "D652", len(expected)) == expected
    waiting = interview_slots(stack, "slack-U652")
    edited = event("U652", "D652", None, subtype="message_changed", hidden=True,
                   message={"type": "message", "user": "U652", "text": "my butt hurts"},
                   previous_message={"type": "message", "user": "U652", "text": PAIN})
    del edited["event"]["user"], edited["event"]["text"]
    assert post_slack(stack, json.dumps(edited).encode()).status_code == 200
    after = posted_to(stack, "D652", len(expected) + 1)
    assert after[len(expected):] == [{"text": phrases()["edited"]}]
    assert interview_slots(stack, "slack-U652") == waiting
    assert user_turns(stack, "slack-U652") == [PAIN]


def test_a_mention_in_a_slack_channel_gets_an_invitation_in_its_thread_and_no_interview(
    stack: Stack,
):
    mention = event("U653", "C653", "<@UBOT> my back hurts", ts="1700000000.000100")
    mention["event"]["type"] = "app_mention"
    del mention["event"]["channel_type"]
    assert post_slack(stack, json.dumps(mention).encode()).status_code == 200
    [reply] = stack.slack.wait_for("chat.postMessage", 1, channel="C653")
    assert reply.data["text"] == invitation(dm_link("A1", "T1"))
    assert reply.data["thread_ts"] == "1700000000.000100"
    assert user_turns(stack, "slack-U653") == []


def test_a_bystanders_tap_in_a_slack_channel_gets_a_private_invitation_only(stack: Stack):
    question = {"channel": "C654", "text": escape("How old are you?"),
                "blocks": [b.to_dict() for b in Block.parse_all([
                    {"type": "section", "text": {"type": "plain_text", "text": "How old?"}},
                    {"type": "actions", "elements": [{
                        "type": "button", "action_id": "button-0", "value": "/ask_why",
                        "text": {"type": "plain_text", "text": "Why do you ask?"}}]}])]}
    old = Call("chat.postMessage", SLACK_TOKEN, question, {"ts": "1700000000.000200"})
    tap = slack_tap("U655", "C654", old, "/ask_why")
    assert post_slack(stack, tap, "application/x-www-form-urlencoded").status_code == 200
    [note] = stack.slack.wait_for("chat.postEphemeral", 1, channel="C654")
    assert note.data["user"] == "U655" and note.data["text"] == invitation(dm_link("A1", "T1"))
    assert [c for c in stack.slack.called("chat.postMessage") if c.data["channel"] == "C654"] == []
    assert user_turns(stack, "slack-U655") == []


# --- Both, last: the action server stopped and started again ---------------------------------


def test_with_the_action_server_down_both_channels_still_answer_and_then_recover(
    telegram_up: Stack,
):
    question = "what is spinal stenosis?"
    fallback = messages()["action_server_down"]
    telegram_up.servers.stop("actions")
    try:
        assert post_update(telegram_up, message_update(520, question)).status_code == 200
        assert texts_of(telegram_messages(sent_to(telegram_up, 520)))[-1:] == [fallback]
        assert post_slack(telegram_up, json.dumps(event("U620", "D620", question)).encode()).ok
        assert telegram_up.slack.wait_until(
            lambda: fallback in texts_of(posted(telegram_up, "D620"))
        ), "no fallback reply on Slack"
    finally:
        telegram_up.servers.start_actions()
    expected = telegram_up.servers.say("rest-after-actions-return", question)
    before = len(sent_to(telegram_up, 520))
    assert post_update(telegram_up, message_update(520, question)).status_code == 200
    assert as_rest(telegram_messages(sent_to(telegram_up, 520, since=before))) == as_rest(expected)


def texts_of(messages: list[dict]) -> list[str]:
    return [message["text"] for message in as_rest(messages)]


def test_every_call_the_server_made_was_valid_for_the_official_libraries(telegram_up: Stack):
    assert telegram_up.telegram.calls and telegram_up.slack.calls
    assert telegram_up.telegram.problems == []
    assert telegram_up.slack.problems == []
