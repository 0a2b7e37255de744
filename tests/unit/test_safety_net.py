"""The safety net around a turn: a failed or silent turn still gets an answer."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from bot.wording import load_phrases
from channels.guard import messages
from channels.safety_net import answer_safely

Turn = Callable[[UserMessage], Awaitable[None]]
RED_FLAG_TEXT = "I suddenly can't control my bladder and my groin has gone numb"


def texts(collector: CollectingOutputChannel) -> list[str]:
    return [message["text"] for message in collector.messages]


def replying(*replies: str, fail_after: bool = False) -> Turn:
    """A turn that sends `replies`, then (optionally) reports a failed action as Rasa does."""

    async def turn(message: UserMessage) -> None:
        for reply in replies:
            await message.output_channel.send_response(message.sender_id, {"text": reply})
            await asyncio.sleep(0)
        if fail_after:
            try:
                raise ConnectionError("action server refused the connection")
            except ConnectionError:
                logging.getLogger("rasa.core.processor").exception(
                    "Encountered an exception while running action 'action_x'."
                )

    return turn


async def run(turn: Turn, text: str = "my back hurts", agent: object = None) -> tuple[bool, list]:
    collector = CollectingOutputChannel()
    fell_back = await answer_safely(UserMessage(text, collector, "someone"), turn, agent)
    return fell_back, texts(collector)


async def test_a_turn_that_answers_is_left_alone() -> None:
    replies = ("Hello!", "How can I help?")
    assert await run(replying(*replies)) == (False, list(replies))


async def test_a_failed_action_after_a_partial_reply_adds_the_clear_reply() -> None:
    fell_back, sent = await run(replying("Let's go through it.", fail_after=True))
    assert fell_back
    assert sent == ["Let's go through it.", messages()["action_server_down"]]


async def test_a_silent_turn_gets_the_clear_reply() -> None:
    assert await run(replying()) == (True, [messages()["action_server_down"]])


async def test_a_turn_that_raises_gets_the_clear_reply_and_does_not_raise() -> None:
    async def broken(message: UserMessage) -> None:
        raise RuntimeError("tracker store unreachable")

    assert await run(broken) == (True, [messages()["action_server_down"]])


async def test_a_red_flag_in_a_failed_turn_still_gets_the_urgent_advice_first() -> None:
    fell_back, sent = await run(replying(fail_after=True), text=RED_FLAG_TEXT)
    assert fell_back
    assert sent[0].startswith(load_phrases()["red_flag"]["emergency"])
    assert sent[-1] == messages()["urgent_offline_note"]


async def test_the_classifier_alone_saying_red_flag_gives_urgent_advice() -> None:
    class Agent:
        async def parse_message(self, text: str) -> dict:
            return {"intent": {"name": "red_flag", "confidence": 0.9}}

    text = "something is really wrong down there"
    fell_back, sent = await run(replying(), text=text, agent=Agent())
    assert fell_back
    assert sent[0].startswith(load_phrases()["red_flag"]["urgent"])


async def test_concurrent_turns_are_judged_apart() -> None:
    results = await asyncio.gather(
        run(replying("one", fail_after=True)),
        run(replying("two")),
        run(replying("three", fail_after=True)),
    )
    assert [fell_back for fell_back, _ in results] == [True, False, True]
    assert results[1][1] == ["two"]


async def test_replies_sent_through_the_primitives_count_too() -> None:
    async def turn(message: UserMessage) -> None:
        await message.output_channel.send_text_message(message.sender_id, "plain")
        await message.output_channel.send_text_with_buttons(
            message.sender_id, "pick", [{"title": "a", "payload": "/a"}]
        )

    fell_back, sent = await run(turn)
    assert not fell_back
    assert sent == ["plain", "pick"]
