"""At most N turns are worked on at once, in arrival order; a bad setting gives the default."""

from __future__ import annotations

import asyncio

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from channels import admission
from channels.admission import DEFAULT_CONCURRENT_TURNS, concurrent_turns
from channels.safety_net import answer_safely


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("3", 3),
        (" 12 ", 12),
        ("", DEFAULT_CONCURRENT_TURNS),
        ("0", DEFAULT_CONCURRENT_TURNS),
        ("-2", DEFAULT_CONCURRENT_TURNS),
        ("lots", DEFAULT_CONCURRENT_TURNS),
    ],
)
def test_the_setting(raw: str, expected: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LBP_CONCURRENT_TURNS", raw)
    assert concurrent_turns() == expected


async def test_turns_beyond_the_limit_wait_and_go_in_arrival_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LBP_CONCURRENT_TURNS", "2")
    monkeypatch.setattr(admission, "_gates", type(admission._gates)())
    working: set[int] = set()
    most = 0
    started: list[int] = []

    async def turn(number: int, message: UserMessage) -> None:
        nonlocal most
        started.append(number)
        working.add(number)
        most = max(most, len(working))
        await asyncio.sleep(0.01)
        await message.output_channel.send_response(message.sender_id, {"text": f"done {number}"})
        working.discard(number)

    async def person(number: int) -> list[dict]:
        output = CollectingOutputChannel()
        message = UserMessage("my back hurts", output, f"person-{number}")
        fell_back = await answer_safely(message, lambda m: turn(number, m))
        assert not fell_back
        return output.messages

    replies = await asyncio.gather(*(person(number) for number in range(6)))

    assert most == 2
    assert started == list(range(6))
    assert [reply[0]["text"] for reply in replies] == [f"done {n}" for n in range(6)]


async def test_a_turn_that_raises_gives_its_place_back(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LBP_CONCURRENT_TURNS", "1")
    monkeypatch.setattr(admission, "_gates", type(admission._gates)())

    async def crash(message: UserMessage) -> None:
        raise RuntimeError("tracker store down")

    async def answer(message: UserMessage) -> None:
        await message.output_channel.send_response(message.sender_id, {"text": "fine"})

    output = CollectingOutputChannel()
    assert await answer_safely(UserMessage("hi", output, "a"), crash)  # the fallback was sent
    output = CollectingOutputChannel()
    assert not await asyncio.wait_for(answer_safely(UserMessage("hi", output, "b"), answer), 2)
    assert output.messages[0]["text"] == "fine"


async def test_a_turn_stuck_elsewhere_holds_others_up_only_so_long(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LBP_CONCURRENT_TURNS", "1")
    monkeypatch.setattr(admission, "_gates", type(admission._gates)())
    monkeypatch.setattr(admission, "MAX_WAIT_S", 0.05)
    stuck = asyncio.Event()

    async def hang(message: UserMessage) -> None:
        await stuck.wait()
        await message.output_channel.send_response(message.sender_id, {"text": "late"})

    async def answer(message: UserMessage) -> None:
        await message.output_channel.send_response(message.sender_id, {"text": "fine"})

    hung = asyncio.create_task(
        answer_safely(UserMessage("hi", CollectingOutputChannel(), "a"), hang)
    )
    await asyncio.sleep(0)
    output = CollectingOutputChannel()
    assert not await asyncio.wait_for(answer_safely(UserMessage("hi", output, "b"), answer), 2)
    assert output.messages[0]["text"] == "fine"
    assert not hung.done()
    stuck.set()
    assert not await hung
    # The stuck turn gave its place back when it ended: the next turn is admitted at once.
    monkeypatch.setattr(admission, "MAX_WAIT_S", 100)
    assert not await asyncio.wait_for(answer_safely(UserMessage("hi", output, "c"), answer), 2)
