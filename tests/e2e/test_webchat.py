"""The web chat page in Debian's headless Chromium, driven by Playwright, against the real servers.

Also the socket.io channel under malformed events, with a plain socket.io client.
"""

from __future__ import annotations

import json
import queue
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
import socketio
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Page,
    Request,
    WebSocketRoute,
    sync_playwright,
)

from bot.wording import load_phrases
from channels.guard import messages
from tests.e2e.servers import ROOT, Servers
from tests.e2e.webchat_client import sender_of

pytestmark = pytest.mark.e2e

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "var" / "artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
Client = tuple[socketio.Client, queue.Queue]
PHONE = {"width": 390, "height": 844}
REPLY_TIMEOUT_MS = 120_000
DESCRIPTION = "my lower back hurts when I bend and it shoots down my left leg"
HTML_TEXT = '<img src="x" onerror="document.title=1"><script>document.title=2</script>'


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make install` (it installs Debian's chromium)")
    with sync_playwright() as playwright:
        # launch() gives every run a fresh, temporary user-data-dir.
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


class ChatPage:
    """The chat page in one fresh browser context, and what it asked of anything but loopback."""

    def __init__(self, context: BrowserContext, url: str) -> None:
        self.context = context
        self.foreign_requests: list[str] = []
        context.on("request", self._note)
        context.set_default_timeout(REPLY_TIMEOUT_MS)
        self.page: Page = context.new_page()
        self.page.goto(url)
        self.box = self.page.get_by_role("textbox", name="Type your message")
        self.box.wait_for()

    def _note(self, request: Request) -> None:
        if urlsplit(request.url).hostname not in ("127.0.0.1", "localhost"):
            self.foreign_requests.append(request.url)

    def bot_texts(self) -> list[str]:
        return self.page.locator(".lbp-text").all_inner_texts()

    def user_texts(self) -> list[str]:
        return self.page.locator(".user-message").all_inner_texts()

    def wait_for_bot_messages(self, count: int) -> None:
        """Wait until at least `count` replies from the assistant are on the page."""
        self.page.locator(".lbp-text").nth(count - 1).wait_for()

    def send(self, text: str) -> None:
        """Type a message and send it with Enter, the way a person does."""
        self.box.fill(text)
        self.box.press("Enter")

    def elements_in_messages(self, selector: str) -> int:
        return self.page.evaluate(
            "(s) => document.getElementById('chat').shadowRoot"
            ".getElementById('messages').querySelectorAll(s).length",
            selector,
        )

    def focused(self) -> dict:
        """Id, class and text of the element that has the keyboard focus, inside the widget too."""
        return self.page.evaluate(
            """() => {
                let el = document.activeElement;
                while (el && el.shadowRoot && el.shadowRoot.activeElement) {
                    el = el.shadowRoot.activeElement;
                }
                return {id: el?.id || "", cls: el?.className || "", text: el?.textContent || ""};
            }"""
        )

    def session_id(self) -> str:
        return self.page.evaluate("localStorage.getItem('lbp-webchat-session')")

    def stored_transcript(self) -> str:
        """What the widget keeps of the conversation in the browser's storage."""
        return self.page.evaluate("localStorage.getItem('lbp-webchat-messages')") or ""

    def wait_for_a_session_other_than(self, old: str) -> str:
        self.page.wait_for_function(
            "(old) => { const id = localStorage.getItem('lbp-webchat-session');"
            " return id !== null && id !== old; }",
            arg=old,
        )
        return self.session_id()


@pytest.fixture
def chat(browser: Browser, servers: Servers) -> Iterator[ChatPage]:
    context = browser.new_context(viewport=PHONE)
    try:
        yield ChatPage(context, f"{servers.rasa_url}/webchat/")
    finally:
        context.close()


def last_user_text(servers: Servers, session: str, expected: str, timeout: float = 60) -> str:
    """What the tracker holds as the session's last message, once it is `expected` (Rasa saves the
    tracker after the turn's replies have gone out) or when `timeout` seconds have passed."""
    deadline = time.monotonic() + timeout
    while True:
        events = servers.tracker(sender_of(session))["events"]
        texts = [event.get("text") for event in events if event["event"] == "user"]
        last = texts[-1] if texts else None
        if last == expected or time.monotonic() > deadline:
            return last
        time.sleep(0.5)


def test_describe_pain_click_an_answer_and_reload(chat: ChatPage, servers: Servers) -> None:
    page = chat.page
    assert "Not a diagnosis" in page.get_by_role("note").inner_text()

    chat.send(DESCRIPTION)
    choices = page.locator(".lbp-choice")
    choices.first.wait_for()
    assert page.get_by_role("group", name="Possible answers").last.is_visible()
    before = chat.bot_texts()

    choice = choices.first
    title, payload = choice.inner_text(), choice.get_attribute("data-payload")
    choice.click()
    chat.wait_for_bot_messages(len(before) + 1)
    assert chat.user_texts()[-1] == title
    # The button's payload reached Rasa, not its title.
    session = chat.session_id()
    assert last_user_text(servers, session, payload) == payload

    # It fits a phone-width screen: nothing sticks out sideways.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.mouse.move(0, 0)  # no hover highlight in the picture
    page.screenshot(path=str(ARTIFACTS / "webchat.png"))

    conversation = chat.bot_texts()
    page.reload()
    chat.box.wait_for()
    chat.wait_for_bot_messages(len(conversation))
    assert chat.bot_texts() == conversation
    assert chat.user_texts() == [DESCRIPTION, title]
    assert chat.session_id() == session

    # The reloaded page is back in the same conversation: its next message is answered there.
    chat.send("I don't know")
    chat.wait_for_bot_messages(len(conversation) + 1)
    assert last_user_text(servers, session, "I don't know") == "I don't know"
    assert chat.foreign_requests == []


def test_new_conversation_starts_afresh(chat: ChatPage, servers: Servers) -> None:
    chat.send(DESCRIPTION)
    chat.page.locator(".lbp-choice").first.wait_for()
    first = chat.session_id()

    chat.page.get_by_role("button", name="New conversation").click()
    chat.wait_for_a_session_other_than(first)
    assert chat.user_texts() == [] and chat.bot_texts() == []
    chat.send("what is sciatica?")
    chat.wait_for_bot_messages(1)
    second = chat.session_id()
    assert last_user_text(servers, second, "what is sciatica?") == "what is sciatica?"
    assert last_user_text(servers, first, DESCRIPTION) == DESCRIPTION


def test_forget_me_clears_the_transcript_and_the_session_from_the_browser(
    chat: ChatPage, servers: Servers
) -> None:
    chat.send(DESCRIPTION)
    chat.page.locator(".lbp-choice").first.wait_for()
    forgotten_session = chat.session_id()
    assert DESCRIPTION in chat.stored_transcript()

    chat.send("forget me")
    # Once the server has deleted the conversation, the page starts a fresh session.
    fresh = chat.wait_for_a_session_other_than(forgotten_session)
    confirmation = load_phrases()["forgotten"]
    assert DESCRIPTION not in chat.stored_transcript()
    assert chat.user_texts() == [] and chat.bot_texts() == [confirmation]
    events = servers.tracker(sender_of(forgotten_session))["events"]
    assert [event for event in events if event["event"] == "user"] == []

    chat.page.reload()
    chat.box.wait_for()
    chat.wait_for_bot_messages(1)
    assert chat.user_texts() == [] and chat.bot_texts() == [confirmation]
    assert DESCRIPTION not in chat.page.content() + chat.stored_transcript()
    assert chat.session_id() == fresh
    chat.send("what is sciatica?")
    chat.wait_for_bot_messages(2)
    assert last_user_text(servers, fresh, "what is sciatica?") == "what is sciatica?"


def test_keyboard_alone_and_html_shown_as_text(chat: ChatPage) -> None:
    page = chat.page
    for _ in range(10):
        if chat.focused()["id"] == "text-input":
            break
        page.keyboard.press("Tab")
    assert chat.focused()["id"] == "text-input"

    page.keyboard.type(DESCRIPTION)
    page.keyboard.press("Enter")
    page.locator(".lbp-choice").first.wait_for()
    answered = len(chat.bot_texts())

    # Back from the text box to the last answer button, and press it with Enter.
    for _ in range(40):
        if "lbp-choice" in chat.focused()["cls"]:
            break
        page.keyboard.press("Shift+Tab")
    button = chat.focused()
    assert "lbp-choice" in button["cls"]
    page.keyboard.press("Enter")
    chat.wait_for_bot_messages(answered + 1)
    assert chat.user_texts()[-1] == button["text"]

    # HTML typed in is shown as the characters typed; no element is made from it.
    chat.send(HTML_TEXT)
    page.locator(".user-message", has_text='<img src="x"').wait_for()
    assert chat.user_texts()[-1] == HTML_TEXT
    assert chat.elements_in_messages("img, script") == 0
    assert page.title() == "Lower back pain assistant"


def test_html_from_the_server_is_shown_as_text(browser: Browser, servers: Servers) -> None:
    """A reply carrying markup (as if the bot echoed it) appears literally, buttons included."""
    sockets: list[WebSocketRoute] = []

    def relay(ws: WebSocketRoute) -> None:
        ws.connect_to_server()
        sockets.append(ws)

    context = browser.new_context(viewport=PHONE)
    try:
        context.route_web_socket("**/socket.io/**", relay)
        chat = ChatPage(context, f"{servers.rasa_url}/webchat/")
        chat.send("hi")
        chat.wait_for_bot_messages(1)
        assert sockets, "the page did not talk to the server over a WebSocket"
        count = len(chat.bot_texts())
        reply = {"text": HTML_TEXT, "quick_replies": [{"title": "<b>bold</b>", "payload": "/x"}]}
        sockets[-1].send("42" + json.dumps(["bot_uttered", reply]))
        chat.wait_for_bot_messages(count + 1)
        assert chat.bot_texts()[-1] == HTML_TEXT
        assert chat.page.locator(".lbp-choice").last.inner_text() == "<b>bold</b>"
        assert chat.elements_in_messages("img, script, b") == 0
        assert chat.page.title() == "Lower back pain assistant"
    finally:
        context.close()


def test_empty_and_huge_messages_leave_the_page_working(chat: ChatPage, servers: Servers) -> None:
    page = chat.page
    chat.box.press("Enter")  # nothing typed: nothing is sent
    assert chat.user_texts() == []

    chat.send("hi")
    chat.wait_for_bot_messages(1)
    replies = len(chat.bot_texts())

    huge = ("my back hurts when I sit " * 4200)[:100_000]
    chat.send(huge)
    chat.wait_for_bot_messages(replies + 1)
    too_long = messages()["too_long"].split("{")[0]
    assert chat.bot_texts()[-1].startswith(too_long)
    assert servers.api("GET", "/status").status_code == 200

    replies = len(chat.bot_texts())
    chat.send("what is sciatica?")
    chat.wait_for_bot_messages(replies + 1)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.fixture
def client(servers: Servers) -> Iterator[Client]:
    replies: queue.Queue = queue.Queue()
    sio = socketio.Client()
    sio.on("bot_uttered", replies.put)
    sio.on("session_confirm", lambda sid: replies.put({"session_confirm": sid}))
    sio.connect(servers.rasa_url, transports=["polling"], wait_timeout=30)
    try:
        yield sio, replies
    finally:
        sio.disconnect()


def next_reply(replies: queue.Queue) -> dict:
    return replies.get(timeout=REPLY_TIMEOUT_MS / 1000)


@pytest.mark.parametrize(
    "request_data",
    [None, "junk", 42, ["a"], {"session_id": 123}, {"session_id": "x" * 1000}, {"session_id": ""}],
)
def test_bad_session_requests_get_a_fresh_session(client: Client, request_data: object) -> None:
    sio, replies = client
    if request_data is None:
        sio.emit("session_request")
    else:
        sio.emit("session_request", request_data)
    session = next_reply(replies)["session_confirm"]
    assert isinstance(session, str) and 0 < len(session) <= 128
    assert session != request_data


def test_malformed_messages_are_answered_and_the_next_one_works(
    client: Client, servers: Servers
) -> None:
    log = servers.state_dir / "rasa.log"
    log_start = log.stat().st_size
    sio, replies = client
    sio.emit("session_request", {})
    session = next_reply(replies)["session_confirm"]

    malformed = [
        (),
        ("junk",),
        ([1, 2],),
        ({},),
        ({"message": "hi"},),  # no session id
        ({"session_id": [session], "message": "hi"},),
        ({"session_id": session, "message": 5},),
        ({"session_id": session, "message": {"text": "hi"}},),
        ({"session_id": session, "message": None},),
        ({"session_id": session},),  # no message at all
        ({"session_id": session, "message": ""},),
    ]
    for args in malformed:
        sio.emit("user_uttered", *args)
        reply = next_reply(replies)
        assert isinstance(reply.get("text"), str) and reply["text"].strip(), args
        while not replies.empty():  # a reply may come in several parts
            replies.get()

    sio.emit(
        "user_uttered",
        {"session_id": session, "message": "hi", "metadata": "{not json"},
    )
    assert next_reply(replies)["text"]
    assert last_user_text(servers, session, "hi") == "hi"
    new_log = log.read_text(errors="replace")[log_start:]
    assert "Traceback" not in new_log
    assert "Exception" not in new_log


def test_page_files_are_served_from_an_allow_list(servers: Servers) -> None:
    page = requests.get(f"{servers.rasa_url}/webchat/", timeout=30)
    assert page.status_code == 200
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]
    bare = requests.get(f"{servers.rasa_url}/webchat", timeout=30, allow_redirects=False)
    assert bare.status_code == 302 and bare.headers["Location"] == "/webchat/"
    for name in ("app.js", "deep-chat.js", "socket.io.js", "style.css"):
        assert requests.get(f"{servers.rasa_url}/webchat/{name}", timeout=30).status_code == 200
    for name in ("package.json", "..%2Fcredentials.yml", "index.html%00"):
        assert requests.get(f"{servers.rasa_url}/webchat/{name}", timeout=30).status_code == 404
