"""The message guard every channel runs before Rasa: cleaning, length, emptiness, rate limits."""

from __future__ import annotations

import threading

import pytest

from bot.wording import load_phrases
from channels.guard import Guard, RateLimiter, clean_text, messages

LIMIT = 50
# A right-to-left mark, Hebrew, and an emoji joined by a zero-width joiner: all kept.
ODD_BUT_FINE = "\u200f\u05e9\u05dc\u05d5\u05dd \U0001f468\u200d\U0001f469 ok"


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def guard(limit: int = 100, max_chars: int = LIMIT, clock: Clock | None = None) -> Guard:
    return Guard(max_chars=max_chars, limiter=RateLimiter(limit, clock=clock or Clock()))


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("  my back hurts \n", "my back hurts"),
        ("a\x00b\x07c\x1bd\x7fe", "abcde"),
        ("line one\r\nline two\rthree\ttab", "line one\nline two\nthree\ttab"),
        ("lone \ud800surrogate\udfff", "lone surrogate"),
        ("cafe\u0301", "caf\u00e9"),
        (ODD_BUT_FINE, ODD_BUT_FINE),
        ("<script>alert(1)</script>", "<script>alert(1)</script>"),
    ],
)
def test_clean_text_removes_controls_and_surrogates_and_normalises(raw: str, clean: str) -> None:
    assert clean_text(raw) == clean


def test_an_ordinary_message_passes() -> None:
    assert guard().screen("a", "my lower back hurts when I sit") is None


@pytest.mark.parametrize("text", ["", "   ", "\n\t ", "\x00\x01\u0085", "\ud800"])
def test_an_empty_message_gets_the_empty_reply(text: str) -> None:
    assert guard().screen("a", text) == messages()["empty"]


@pytest.mark.parametrize("text", [None, 42, 4.2, True, ["hi"], {"text": "hi"}, b"hi"])
def test_a_message_that_is_not_text_gets_the_not_text_reply(text: object) -> None:
    assert guard().screen("a", text) == messages()["not_text"]


def test_a_message_at_the_limit_passes_and_one_over_gets_a_reply_naming_the_limit() -> None:
    assert guard().screen("a", "x" * LIMIT) is None
    reply = guard().screen("a", "x" * (LIMIT + 1))
    assert reply is not None
    assert str(LIMIT) in reply
    assert str(LIMIT + 1) in reply


def test_length_is_counted_after_cleaning() -> None:
    assert guard().screen("a", "\x00" * 10 + "x" * LIMIT + "   ") is None


def test_a_huge_message_is_refused_with_the_length_reply() -> None:
    reply = guard().screen("a", "x" * 100_000)
    assert reply is not None
    assert str(LIMIT) in reply


def test_a_too_long_message_that_starts_with_a_red_flag_gets_the_advice_first() -> None:
    text = "I can't control my bladder and my groin is numb since this morning. " * 40
    reply = guard(max_chars=2000).screen("a", text)
    assert reply is not None
    emergency = load_phrases()["red_flag"]["emergency"]
    assert reply.startswith(emergency)
    assert "2000" in reply


def test_a_too_long_message_without_a_red_flag_gets_only_the_length_reply() -> None:
    text = "My back aches a little after gardening. " * 80
    reply = guard(max_chars=2000).screen("a", text)
    assert reply == messages()["too_long"].format(limit=2000, length=len(text.strip()))


def test_a_flood_from_one_sender_is_refused_politely_while_others_are_unaffected() -> None:
    clock = Clock()
    checked = guard(limit=5, clock=clock)
    answers = [checked.screen("flooder", "hi") for _ in range(8)]
    assert answers[:5] == [None] * 5
    assert answers[5:] == [messages()["rate_limited"]] * 3
    assert checked.screen("someone else", "hi") is None
    clock.now += 61
    assert checked.screen("flooder", "hi") is None


def test_the_window_slides_and_refused_messages_do_not_count() -> None:
    clock = Clock()
    limiter = RateLimiter(3, window=60, clock=clock)
    for _ in range(3):
        assert limiter.allow("a")
        clock.now += 10
    assert not limiter.allow("a")  # 3 in the last 30 s
    clock.now += 31  # the first is now 61 s old
    assert limiter.allow("a")
    assert not limiter.allow("a")


def test_a_limit_of_zero_turns_rate_limiting_off() -> None:
    limiter = RateLimiter(0)
    assert all(limiter.allow("a") for _ in range(1000))


def test_memory_is_bounded_by_forgetting_the_least_recent_senders() -> None:
    limiter = RateLimiter(1, max_senders=100, clock=Clock())
    assert limiter.allow("first")
    for number in range(1000):
        limiter.allow(f"sender {number}")
    assert len(limiter) == 100
    assert limiter.allow("first")  # forgotten, so it starts afresh


def test_the_limit_holds_across_threads() -> None:
    limiter = RateLimiter(50, clock=Clock())
    allowed: list[bool] = []
    lock = threading.Lock()

    def send() -> None:
        results = [limiter.allow("shared") for _ in range(500)]
        with lock:
            allowed.extend(results)

    threads = [threading.Thread(target=send) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(allowed) == 50


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LBP_MAX_MESSAGE_CHARS", "300")
    monkeypatch.setenv("LBP_RATE_LIMIT", "7")
    monkeypatch.setenv("LBP_RATE_LIMIT_SENDERS", "9")
    configured = Guard.from_env()
    assert configured.max_chars == 300
    assert (configured.limiter.limit, configured.limiter.max_senders) == (7, 9)


@pytest.mark.parametrize(
    ("name", "value"),
    [("LBP_MAX_MESSAGE_CHARS", "lots"), ("LBP_MAX_MESSAGE_CHARS", "0"), ("LBP_RATE_LIMIT", "-1")],
)
def test_a_bad_setting_fails_naming_it(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValueError, match=name):
        Guard.from_env()


def test_every_reply_is_worded() -> None:
    replies = messages()
    for key in ("not_text", "empty", "too_long", "rate_limited", "action_server_down"):
        assert replies[key].strip()
    assert "{limit}" in replies["too_long"]
