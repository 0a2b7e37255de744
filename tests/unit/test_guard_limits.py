"""The guard's limits: red flags screened when rate limited, invisible characters, metadata."""

from __future__ import annotations

import json

import pytest

from bot.wording import load_phrases
from channels.guard import (
    MAX_METADATA_BYTES,
    MAX_METADATA_DEPTH,
    Guard,
    RateLimiter,
    clean_text,
    messages,
    metadata_problem,
)
from channels.rest import BadRequest
from channels.rest import read_metadata as read_rest_metadata
from channels.webchat import metadata_refused

EMERGENCY_TEXT = "I suddenly can't control my bladder and both legs are numb"


def nested(depth: int) -> dict:
    """`{"a": {"a": ... 1}}` with `depth` objects."""
    value: object = 1
    for _ in range(depth):
        value = {"a": value}
    assert isinstance(value, dict)
    return value


def flooded(limit: int = 3, max_chars: int = 2000) -> Guard:
    """A guard whose sender "s" has just used up its rate limit."""
    guard = Guard(max_chars=max_chars, limiter=RateLimiter(limit))
    for _ in range(limit):
        assert guard.check("s", "hi") is None
    return guard


# A rate-limited sender still gets emergency advice.


def test_a_rate_limited_red_flag_gets_the_advice_before_the_slow_down_reply() -> None:
    refusal = flooded().check("s", EMERGENCY_TEXT)
    assert refusal is not None and refusal.reason == "rate_limited"
    assert refusal.reply.startswith(load_phrases()["red_flag"]["emergency"])
    assert refusal.reply.endswith(messages()["rate_limited"])


def test_a_rate_limited_message_without_a_red_flag_gets_only_the_slow_down_reply() -> None:
    guard = flooded()
    for text in ("my back aches a bit", "", None, {"text": EMERGENCY_TEXT}):
        refusal = guard.check("s", text)
        assert refusal is not None and refusal.reply == messages()["rate_limited"]


def test_only_the_beginning_of_a_long_rate_limited_message_is_screened() -> None:
    guard = flooded(max_chars=100)
    late = guard.check("s", "My back aches after gardening. " * 10 + EMERGENCY_TEXT)
    early = guard.check("s", EMERGENCY_TEXT + ". My back aches after gardening." * 10)
    assert late is not None and late.reply == messages()["rate_limited"]
    assert early is not None and early.reply.startswith(load_phrases()["red_flag"]["emergency"])


# Invisible characters are not text.

INVISIBLE = {
    "zero-width space": "\u200b",
    "word joiner": "\u2060",
    "byte order mark": "\ufeff",
    "right-to-left override": "\u202e",
    "pop directional formatting": "\u202c",
    "left-to-right isolate": "\u2066",
    "soft hyphen": "\u00ad",
    "right-to-left mark": "\u200f",
    "zero-width joiner": "\u200d",
    "Hangul filler": "\u3164",
}


@pytest.mark.parametrize("char", INVISIBLE.values(), ids=INVISIBLE.keys())
def test_a_message_of_invisible_characters_only_is_empty(char: str) -> None:
    guard = Guard(max_chars=2000, limiter=RateLimiter(0))
    assert clean_text(char * 50 + " " + char) == ""
    assert guard.screen("a", char * 50) == messages()["empty"]


def test_overrides_and_zero_width_characters_are_removed_and_joiners_kept() -> None:
    assert clean_text("\u202emy\u200b back\ufeff hurts\u202c\u2066 a lot\u2069") == (
        "my back hurts a lot"
    )
    family = "\U0001f468\u200d\U0001f469"
    assert clean_text(f"pain {family} ok") == f"pain {family} ok"
    # A run of joiners or marks counts as one.
    assert clean_text("a\u200d\u200d\u200d\u200fb") == "a\u200db"


def test_invisible_characters_do_not_count_towards_the_length() -> None:
    guard = Guard(max_chars=50, limiter=RateLimiter(0))
    padded = "\u200b".join("x" * 50) + "\u202e\ufeff"
    assert guard.screen("a", padded) is None
    marked = "\u200fx" * 50  # a mark before every letter: kept, but not counted
    assert guard.screen("a", marked) is None
    assert guard.screen("a", "x" * 51) is not None


# Metadata is capped in depth and size.


def test_metadata_within_the_limits_passes() -> None:
    assert metadata_problem(nested(MAX_METADATA_DEPTH)) is None
    assert metadata_problem({"language": "en", "tags": ["a", "b"]}) is None
    assert metadata_problem({}) is None


@pytest.mark.parametrize("depth", [MAX_METADATA_DEPTH + 1, 500, 5000])
def test_metadata_nested_too_deep_is_refused_without_recursion(depth: int) -> None:
    problem = metadata_problem(nested(depth))
    assert problem is not None and f"{MAX_METADATA_DEPTH} levels" in problem


def test_deep_lists_count_as_levels_too() -> None:
    value: object = []
    for _ in range(MAX_METADATA_DEPTH + 1):
        value = [value]
    assert metadata_problem({"a": value}) is not None


def test_metadata_too_big_is_refused() -> None:
    problem = metadata_problem({"blob": "x" * 900_000})
    assert problem is not None and str(MAX_METADATA_BYTES) in problem
    assert metadata_problem({"blob": "x" * (MAX_METADATA_BYTES - 20)}) is None


def test_rest_answers_bad_metadata_with_a_clear_400() -> None:
    for metadata in (nested(500), {"blob": "x" * 900_000}):
        with pytest.raises(BadRequest, match='"metadata" is') as refused:
            read_rest_metadata({"metadata": metadata})
        assert refused.value.status == 400
    assert read_rest_metadata({"metadata": {"language": "en"}}) == {"language": "en"}
    assert read_rest_metadata({}) is None


def test_web_chat_metadata_in_a_json_string_is_capped_too() -> None:
    assert metadata_refused("[" * 3000 + "]" * 3000)
    assert metadata_refused(json.dumps(nested(MAX_METADATA_DEPTH + 1)))
    assert metadata_refused(json.dumps({"blob": "x" * 900_000}))
    assert metadata_refused(nested(500))
    assert not metadata_refused('{"language": "en"}')
    assert not metadata_refused("{not json")  # dropped, as before; the message goes on
    assert not metadata_refused(None)
