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


# Issue #11: the way people type the signs in chat and forums (new wordings, own sentences)
SAID_IN_CHAT = [
    # the saddle area: clinical notes, the toilet seat, quotes, euphemisms, a sitting feeling
    ("pt reports altered perianal sensation since Tuesday", "cauda_equina"),
    ("sitting on the loo this morning I couldn't feel the seat at all", "cauda_equina"),
    ("my 'down there' went numb overnight, back's been bad all week", "cauda_equina"),
    ("my lady bits feel numb since the back went", "cauda_equina"),
    ("it's like I'm sat on a cushion all day, even standing at the sink", "cauda_equina"),
    ("he can't feel his testicles properly since he hurt his back", "cauda_equina"),
    ("lost sensation round my hips and backside since yesterday", "cauda_equina"),
    ("numbness across both buttocks since the weekend", "cauda_equina"),
    # the bladder and bowels in everyday words and misspellings
    ("my bladdar won't empty properly since the sciatica", "cauda_equina"),
    ("I don't get the urge to wee any more", "cauda_equina"),
    ("I have to push on my tummy to get any wee out", "cauda_equina"),
    ("urine is coming out by itself, I can't stop it", "cauda_equina"),
    ("been trying to pee for ages and nothing", "cauda_equina"),
    ("my pants were soaked and I never felt it happen", "cauda_equina"),
    ("I keep leaking since my back went", "cauda_equina"),
    ("grandad wet himself in his chair, never done that before, back bad", "cauda_equina"),
    ("didn't realise I needed a number two until it was too late", "cauda_equina"),
    ("no control over my back passage since yesterday", "cauda_equina"),
    ("when we were intimate last night I had no feeling at all", "cauda_equina"),
    # both legs, one leg then the other, severe or fast weakness
    ("pins n needles in my feet since this morning, back agony", "bilateral_neuro"),
    ("my right leg went numb on Monday, and now the left one has started too", "bilateral_neuro"),
    ("the sciatica is in the other leg now as well", "bilateral_neuro"),
    ("numb from the waist down since I lifted the sofa", "bilateral_neuro"),
    ("c/o bilateral leg weakness and back pain", "bilateral_neuro"),
    ("can't move my toes at all on the left since lunch", "bilateral_neuro"),
    ("my leg is numb and I can't move it", "bilateral_neuro"),
    ("went from limping to not being able to stand on it by teatime", "bilateral_neuro"),
    # a leg getting weaker, a foot that drops
    ("my knee keeps giving way on the stairs, the sciatica side", "progressive_weakness"),
    ("the numbness in my leg is spreading up towards my hip", "progressive_weakness"),
    ("my foot doesn't lift properly any more when I walk", "progressive_weakness"),
    ("his back's bad, he's scuffing his right shoe and tripping over nothing",
     "progressive_weakness"),
    ("I can't walk on my heels on that side", "progressive_weakness"),
    # fever and infection risk, cancer, trauma, chest, the aorta
    ("sweating through the night and my back is agony", "infection"),
    ("on tacrolimus since my transplant and now new back pain", "infection_risk"),
    ("knocked down by a van on the zebra crossing, back hurts", "major_trauma"),
    ("she fell off the trampoline onto the patio and landed on her back", "major_trauma"),
    ("my chest feels crushed and it goes through to my back", "chest_pain"),
    ("pain in the middle of my chest going into my back", "chest_pain"),
    ("got a swelling in my belly that pulses and my back hurts", "vascular"),
    ("I've got an aaa they're watching and my back started hurting today", "known_aneurysm"),
    # the sign in passing, in a longer story
    ("week three of this disc thing, and now I couldn't honestly tell you if I'd finished peeing",
     "cauda_equina"),
    ("it feels like sitting on a bag of ice when I sit down, for two days now", "cauda_equina"),
    ("getting worse, and I don't feel the toilet paper properly any more", "cauda_equina"),
    ("my bottom feels numb on both sides when I sit and in bed too", "cauda_equina"),
    ("my boyfriend and I were intimate last night and I had no sensation whatsoever",
     "cauda_equina"),
    ("I've been clear of cancer for 6 years but this back pain is new", "cancer"),
    ("had a facet injection a fortnight ago and it was fine, now the pain is much worse",
     "infection_risk"),
    # slang and plain words for the bladder, bowels, legs; a jump, an operation on the spine
    ("my widdle just won't come out, back in bits", "cauda_equina"),
    ("I haven't urinated since breakfast and my back is agony", "cauda_equina"),
    ("leaked in bed last night, never happened before, sciatica both sides", "cauda_equina"),
    ("shat myself at work without knowing, back has been awful", "cauda_equina"),
    ("it's like walking on cotton wool with both feet since Sunday", "bilateral_neuro"),
    ("I can't feel the ground under my feet properly, back pain", "bilateral_neuro"),
    ("jumped off the garage roof, about 3 metres, landed on my back", "major_trauma"),
    ("had my spine operated on a month ago and the pain is creeping up", "infection_risk"),
]

NOT_SAID_IN_CHAT = [
    # a numb bottom from a saddle or a hard seat, legs asleep on the loo, tired legs
    ("numb bum after 4 hours on the turbo bike, back a bit stiff", "cauda_equina"),
    ("my backside goes numb when I sit on the hard benches at church", "cauda_equina"),
    ("my butt went numb on the coach trip, back a bit stiff", "cauda_equina"),
    ("sat on the toilet too long scrolling and both my legs went numb", "bilateral_neuro"),
    ("my legs both ache after standing all day at the till", "bilateral_neuro"),
    # denials in everyday words, old incontinence, someone else's
    ("nothing weird with my wee and I can feel everything when I wipe", "cauda_equina"),
    ("my client is incontinent and I hurt my back changing her", "cauda_equina"),
    ("a tiny leak when I sneeze since my babies, back sore from the buggy", "cauda_equina"),
    # questions and reading about a sign
    ("I read about saddle numbness and keep checking, all normal", "cauda_equina"),
    ("what are the warning signs of cancer in the spine? mine hurts after gardening", "cancer"),
    ("does back pain affect your immune system?", "infection_risk"),
    # other people, other senses, the past
    ("my uncle died of cancer, my back is sore from the allotment", "cancer"),
    ("I'm a cancer nurse and my back aches after a night shift", "cancer"),
    ("had a fever 4 months ago with flu, back sore from moving house", "infection"),
    ("feel a bit faint in this heat, back sore from the garden", "vascular"),
    ("my leg feels weak because it hurts to stand on it", "progressive_weakness"),
    ("I get sleep paralysis now and then, back hurts from work", "bilateral_neuro"),
    ("I don't feel my legs are the problem, it's my back", "bilateral_neuro"),
    ("the tap keeps leaking and I hurt my back under the sink", "cauda_equina"),
    ("back spasm so bad I nearly blacked out", "vascular"),
    ("strained a muscle in my chest on the rowing machine, back sore too", "chest_pain"),
    ("night cramps in both calves, back ache from the warehouse", "bilateral_neuro"),
    ("I use a steroid inhaler for my asthma, back sore from hoovering", "infection_risk"),
    # questions and fears in the sign's own words, tests that found nothing, old leaks
    ("what counts as saddle numbness? my bum is just sore from the office chair", "cauda_equina"),
    ("if I wet myself do I need A&E? it hasn't happened", "cauda_equina"),
    ("my biggest fear is becoming paralysed, the pain is only muscular", "bilateral_neuro"),
    ("could my back pain be a tumour? it started after digging", "cancer"),
    ("the doctor scanned me for cancer and it was all clear, back still aches", "cancer"),
    ("tested negative for infection, the physio says it's a disc", "infection_risk"),
    ("I've had stress incontinence for years since my kids, back sore from the garden",
     "cauda_equina"),
    ("nearly shat myself when the car backfired, then my back twinged", "cauda_equina"),
    ("leaking breast milk in bed again, back sore from feeding", "cauda_equina"),
    ("feel a bit clammy in this humid weather, back aches from the heatwave", "vascular"),
    ("my legs feel dead after the 10k, back tight", "bilateral_neuro"),
]


@pytest.mark.parametrize(("text", "flag"), SAID_IN_CHAT)
def test_red_flags_as_people_type_them(text: str, flag: str) -> None:
    assert flag in flags_of(text), text


@pytest.mark.parametrize(("text", "flag"), NOT_SAID_IN_CHAT)
def test_chat_look_alikes_raise_no_flag(text: str, flag: str) -> None:
    assert flag not in flags_of(text), text


def test_is_a_mid_sentence_is_no_question() -> None:
    """ "she is a bit hunched" is no question about a sign: her wet bed still counts."""
    assert "cauda_equina" in flags_of(
        "my mum is 79 and her back aches, she is a wee bit hunched and wet herself today")
