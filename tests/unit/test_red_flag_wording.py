"""Red flags in the words people use for them, and the look-alikes that are not one: falls and
crashes, chest pain said as a band, a watched aortic aneurysm; a question about a word, an
aneurysm in the head, a job around accidents, weight lost on purpose, a steroid cream."""

from __future__ import annotations

import pytest

from bot.extraction import extract_findings
from bot.triage import triage


def flags_of(text: str) -> dict[str, str]:
    """Red flag id -> urgency, end to end from text."""
    return {flag.id: flag.urgency for flag in triage(extract_findings(text))}


SAID = [
    # falls from a height, quad bikes, stairs, crashes in clinical short forms
    ("I fell out of the apple tree onto the patio, my back is agony", "major_trauma"),
    ("came off my quad at the farm and it rolled onto me", "major_trauma"),
    ("tumbled down a whole flight of stone steps at the station", "major_trauma"),
    ("RTC on the motorway, thrown from the car, lumbar pain", "major_trauma"),
    ("back pain after a high-speed collision last night", "major_trauma"),
    ("pinned under a fallen wall at work, now my lower back hurts", "major_trauma"),
    # chest pain as a band or in short form
    ("a tight band round my chest and it goes through to my back", "chest_pain"),
    ("CP radiating to the back since an hour ago", "chest_pain"),
    ("presyncope this morning and now severe back pain", "vascular"),
    # a known aortic aneurysm, watched or said in other words
    ("I'm monitored for a AAA every year and my back started hurting today", "known_aneurysm"),
    ("the scan showed my aorta is dilated, now my back is hurting", "known_aneurysm"),
    # fever, cancer, weight, pregnancy in the forms notes use
    ("39.1 on the thermometer this morning and my back is killing me", "infection"),
    ("pmh ca breast, back pain for a week", "cancer"),
    ("unexplained wt loss and back ache", "serious_cause"),
    ("28/40 with some vaginal bleeding and low back pain", "pregnancy_bleeding"),
    # the bladder and the leg
    ("I didn't realise I was weeing until the bed was wet", "cauda_equina"),
    ("my weakness is getting worse really quickly", "bilateral_neuro"),
    ("thoracic back pain at rib level", "thoracic"),
]

NOT_SAID = [
    # a job around accidents, a question about a word, a head aneurysm
    ("I'm a police officer and we attend road accidents, my back aches", "major_trauma"),
    ("could you tell me what an aortic aneurysm is? I'm just curious", "known_aneurysm"),
    ("I had a berry aneurysm clipped; my back is sore from moving house", "known_aneurysm"),
    ("a cerebral aneurysm coiled in 2015, now low back pain after digging", "known_aneurysm"),
    ("what does thoracic mean on my letter", "thoracic"),
    # a muscle tear, nothing in the chest, usual aches
    ("strained my side at the gym, it feels like a tear", "vascular"),
    ("nothing wrong with my chest, it's just my lower back", "chest_pain"),
    ("my calves and thighs ache after a long hike but that's usual for me", "bilateral_neuro"),
    ("my legs both went numb once ages ago but that's long gone", "bilateral_neuro"),
    # a cancer charity, weight lost on purpose, a steroid on the skin, an old operation
    ("running a fun run for a cancer charity and my back hurts", "cancer"),
    ("I lost 2 stone on purpose with slimming club and my back still aches", "serious_cause"),
    ("told to lose weight for my back, doing my best", "serious_cause"),
    ("using a steroid cream for eczema, back sore after moving furniture", "infection_risk"),
    ("had back surgery in my teens and it's aching the same as ever, I'm 45", "infection_risk"),
    # a fear of weakness, a cut that bled in pregnancy
    ("scared my leg could go weak one day, it's fine now", "progressive_weakness"),
    ("24 weeks pregnant, grazed my knee and it bled a bit, back a bit sore", "pregnancy_bleeding"),
]


@pytest.mark.parametrize(("text", "flag"), SAID)
def test_red_flags_in_peoples_words(text: str, flag: str) -> None:
    assert flag in flags_of(text), text


@pytest.mark.parametrize(("text", "flag"), NOT_SAID)
def test_look_alikes_raise_no_flag(text: str, flag: str) -> None:
    assert flag not in flags_of(text), text
