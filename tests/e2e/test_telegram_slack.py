"""Telegram and Slack against one real Rasa server, talking to fake Bot and Web APIs on loopback.

The Rasa server starts while nothing listens on the Telegram API's port (as when a server starts
without network); the fake Telegram API comes up afterwards. What each channel sends is compared
with what the REST channel answers to the same words, so no reply text is written down here.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import itertools
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlencode

import pytest
import requests

from channels.credentials import effective
from channels.guard import messages, screen
from tests.e2e.servers import MODEL, ROOT, Servers
from tests.fake_chat_apis import Call, FakeSlack, FakeTelegram

pytestmark = pytest.mark.e2e

TELEGRAM_TOKEN = "123456:fake-telegram-token"
TELEGRAM_SECRET = "webhook-secret_for-tests"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
SLACK_TOKEN = "xoxb-fake-slack-token"
SLACK_SECRET = "slack-signing-secret-for-tests"
PAIN = "my butt hurts when I sit and it zaps down my leg"
update_ids = itertools.count(1000)
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
        "LBP_TELEGRAM_BOT_USERNAME": "lbp_test_bot",
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


def message_update(chat_id: int, text: object) -> dict:
    return {
        "update_id": next(update_ids),
        "message": {
            "message_id": 1,
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private"},
            "from": {"id": chat_id, "is_bot": False, "first_name": "Test"},
            "text": text,
        },
    }


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
    click = {
        "update_id": next(update_ids),
        "callback_query": {
            "id": "click-503",
            "from": {"id": 503, "is_bot": False, "first_name": "Test"},
            "message": {"message_id": 7, "date": 0, "chat": {"id": 503, "type": "private"}},
            "chat_instance": "1",
            "data": payload,
        },
    }
    assert post_update(telegram_up, click).status_code == 200
    answered = telegram_up.telegram.called("answerCallbackQuery")
    assert "click-503" in [call.data["callback_query_id"] for call in answered]
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
    update = message_update(507, None)
    del update["message"]["text"]
    update["message"]["sticker"] = {"file_id": "x", "width": 1, "height": 1}
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


def event(user: str, channel: str, text: object, event_id: str | None = None) -> dict:
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
        },
    }


def posted_to(stack: Stack, channel: str, count: int) -> list[dict]:
    """What was posted to `channel` as REST would list it, once `count` REST messages came."""
    deadline = time.monotonic() + 120
    while True:
        calls = [c for c in stack.slack.called("chat.postMessage") if c.data["channel"] == channel]
        listed = as_rest([slack_message(call) for call in calls])
        if len(listed) >= count or time.monotonic() > deadline:
            return listed
        time.sleep(0.1)


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
        deadline = time.monotonic() + 120
        while fallback not in texts_of(posted_to(telegram_up, "D620", 1)):
            assert time.monotonic() < deadline, "no fallback reply on Slack"
            time.sleep(0.2)
    finally:
        telegram_up.servers.start_actions()
    expected = telegram_up.servers.say("rest-after-actions-return", question)
    before = len(sent_to(telegram_up, 520))
    assert post_update(telegram_up, message_update(520, question)).status_code == 200
    assert as_rest(telegram_messages(sent_to(telegram_up, 520, since=before))) == as_rest(expected)


def texts_of(messages: list[dict]) -> list[str]:
    return [message["text"] for message in as_rest(messages)]
