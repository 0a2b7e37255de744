"""Red-flag advice the channels can give on their own, when Rasa cannot give it.

The dialogue normally gives this advice (the red-flag gate and `action_red_flag`). The channels
need it when a message never reaches the dialogue (too long) or when the action server that
composes it is down. The sentences are the assistant's own, from bot/data/wording.yml.
"""

from __future__ import annotations

from bot.model import INTERRUPTING, RedFlag
from bot.wording import red_flag_advice


def advice_for(flags: list[RedFlag], classifier_red_flag: bool = False) -> list[str]:
    """What to do and why for emergency or urgent flags, as the dialogue says it.

    With no such flag, advice is given only when the classifier alone heard a red flag (then at the
    urgent level, like the dialogue does); otherwise the list is empty.
    """
    flags = [flag for flag in flags if flag.urgency in INTERRUPTING]
    if not flags and not classifier_red_flag:
        return []
    return red_flag_advice(flags)


def urgent_advice(text: str, classifier_red_flag: bool = False) -> list[str]:
    """Advice for the emergency or urgent red flags in `text` (empty when there are none)."""
    from bot.screening import screen  # loads medspaCy; the Rasa server has it loaded already

    return advice_for(screen(text).urgent, classifier_red_flag)
