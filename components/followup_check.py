"""An NLU component that recognises the questions people ask after the results by their words.

The classifier learns the follow-up intents ("what can I do?", "should I get an MRI?") from a
few examples each; people ask them in stories and slang ("deadlifts yes or no", "my GP won't
refer me for an MRI, is she right?"). When a message asks something and its words name what
it asks about (bot/followups.py `cue_kind`, cues in bot/data/followup_patterns.yml), the
follow-up intent is taken instead of a description, an answer, an unsure guess or another
follow-up. A named cause question stays one unless it asks what to do about that cause, how
serious it is, or reports being checked; a red flag, a correction or a request to start over
is never touched, and the red-flag gate still has the last word.
"""

from __future__ import annotations

import re

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import (
    ENTITIES,
    INTENT,
    INTENT_NAME_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from bot.followups import KINDS, asks, cue_kind, cued
from bot.screening import BODY_WORDS
from components.intent_override import IntentOverride
from components.statement_check import HEALTH_WORDS

INTENT_OF = {kind: intent for intent, kind in KINDS.items()} | {"been_checked": "been_checked"}
# never replaced; "thanks, how long will it last?" and "hi, can I still go to the gym?" are
# follow-ups, so greetings and thanks are not kept
KEPT = {"red_flag", "correct", "start_over", "forget_me", "show_results", "list_causes",
        "other_language", "bot_challenge"}
# "what should I tell my GP?" asks for the summary; "111 or a normal gp appointment?" does not
SUMMARY_WORDS = re.compile(r"\b(summar\w*|sum up|recap|write (it |this )?up|notes?|report|copy|"
                           r"tell (my|the|a)|say to|mention|explain (this|it) to|bring to|"
                           r"list my|put (this|it) together|print)\b")
FOLLOWUPS = set(INTENT_OF.values())
# follow-ups that may be asked about a named cause ("what stretches help piriformis?"); "is
# sciatica serious?" and "what is sciatica?" stay questions about that cause
ABOUT_A_CAUSE = {"self_care", "activity", "painkillers", "imaging", "course", "whom_to_see"}


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class FollowupCheck(IntentOverride):
    """Takes the follow-up intent a message's own words ask for."""

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            predicted = (message.get(INTENT) or {}).get(INTENT_NAME_KEY) or ""
            if not text or text.startswith("/") or predicted in KEPT:
                continue
            kind = cue_kind(text)
            if kind is None or INTENT_OF[kind] == predicted:
                continue
            if predicted == "ask_summary" and SUMMARY_WORDS.search(text.lower()):
                continue
            if predicted == "been_checked" and (not asks(text) or cued(text, "been_checked")):
                continue  # a report of being seen; "why A&E and not my GP?" is a question
            if predicted == "out_of_scope" and kind in ("self_care", "course") and not (
                    BODY_WORDS.search(text) or HEALTH_WORDS.search(text)):
                continue  # "how do I make pancakes" is not about the person's back
            if predicted == "help" and kind == "self_care":
                continue  # "what can you do?" asks what the assistant does
            named = any(e.get("entity") == "cause" for e in message.get(ENTITIES) or [])
            if predicted in ("ask_cause_info", "ask_more") and named and not (
                    kind in ABOUT_A_CAUSE or (kind == "been_checked" and not asks(text))):
                continue  # "what does cauda equina mean" is a question about that cause
            # a follow-up the classifier named gives way to the one the words ask ("would a
            # voltarol patch help" is about painkillers, not self-care)
            self.take(message, INTENT_OF[kind])
        return messages
