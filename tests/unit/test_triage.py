"""Red-flag triage: every red flag of docs/safety.md from free text to urgency, and benign
controls."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.extraction import extract_findings
from bot.model import URGENCY_ORDER, Finding, RedFlag
from bot.triage import RedFlagError, load_rules, triage
from bot.wording import red_flag_advice


def flags_of(text: str) -> dict[str, str]:
    """Red flag id -> urgency, end to end from text."""
    return {flag.id: flag.urgency for flag in triage(extract_findings(text))}


# (text, red flag id, urgency): each red flag of docs/safety.md in at least two phrasings.
RED_FLAG_CASES = [
    # --- emergency: cauda equina (saddle area, bladder, bowel, sex)
    ("I can't feel my bottom and my back is agony", "cauda_equina", "emergency"),
    ("numbness around my genitals since yesterday with low back pain", "cauda_equina", "emergency"),
    ("pins and needles round my bum and private parts, back pain", "cauda_equina", "emergency"),
    ("when I wipe it feels strange, like it's not my skin", "cauda_equina", "emergency"),
    ("I can't feel anything when I wipe", "cauda_equina", "emergency"),
    ("I haven't been able to pee since this morning and my back hurts", "cauda_equina",
     "emergency"),
    ("back pain and now I can't pass urine even though I need to", "cauda_equina", "emergency"),
    ("I wet myself without realising, that has never happened before", "cauda_equina",
     "emergency"),
    ("lost control of my bowels today, back pain for three days", "cauda_equina", "emergency"),
    ("I had an accident with my bowels and couldn't control it", "cauda_equina", "emergency"),
    ("since my back went I can't get an erection", "cauda_equina", "emergency"),
    ("peeing is difficult since yesterday and my back is bad", "cauda_equina", "emergency"),
    ("no sensation down there since this morning", "cauda_equina", "emergency"),
    ("my bum went numb, like after an injection at the dentist", "cauda_equina", "emergency"),
    ("I've not had a wee all day even though I'm bursting", "cauda_equina", "emergency"),
    ("no feeling during sex since the back pain started", "cauda_equina", "emergency"),
    # --- emergency: both legs, severe or fast-worsening weakness
    ("both my legs have gone numb and weak", "bilateral_neuro", "emergency"),
    ("pain shooting down both legs since Tuesday", "bilateral_neuro", "emergency"),
    ("numbness in both legs with back pain", "bilateral_neuro", "emergency"),
    ("my leg is getting weaker by the hour", "bilateral_neuro", "emergency"),
    ("weakness getting worse fast, today I can hardly lift my leg", "bilateral_neuro",
     "emergency"),
    ("I can barely stand, my leg just collapsed under me", "bilateral_neuro", "emergency"),
    ("both my legs feel like jelly and I keep stumbling", "bilateral_neuro", "emergency"),
    # --- emergency: major trauma
    ("I was in a car crash this morning and my lower back hurts", "major_trauma", "emergency"),
    ("fell off a ladder from about four metres onto my back", "major_trauma", "emergency"),
    ("motorbike accident yesterday, back pain getting worse", "major_trauma", "emergency"),
    ("I fell from the roof of the shed", "major_trauma", "emergency"),
    ("I came off my horse at a gallop", "major_trauma", "emergency"),
    # --- emergency: chest pain
    ("back pain with a crushing pain in my chest", "chest_pain", "emergency"),
    ("lower back pain and now my chest feels tight", "chest_pain", "emergency"),
    ("I have chest pain and pain between my shoulder blades", "chest_pain", "emergency"),
    # --- emergency: tearing pain, fainting, pulsating lump
    ("sudden tearing pain in my back, the worst I've ever had", "vascular", "emergency"),
    ("a ripping pain went through my belly into my back", "vascular", "emergency"),
    ("my back hurts and I fainted in the bathroom", "vascular", "emergency"),
    ("back pain and I nearly passed out", "vascular", "emergency"),
    ("there's a lump in my belly that pulses like a heartbeat", "vascular", "emergency"),
    ("I can feel a pulsating mass in my tummy and my back aches", "vascular", "emergency"),
    ("something in my tummy is throbbing like a second heartbeat", "vascular", "emergency"),
    # --- urgent: fever or chills
    ("back pain with a temperature of 39", "infection", "urgent"),
    ("my back hurts and I can't stop shivering", "infection", "urgent"),
    ("I'm on chemotherapy and now I have back pain and chills", "infection", "urgent"),
    ("I inject drugs and I've had a fever and back pain for two days", "infection", "urgent"),
    ("had a kidney infection last week, now back pain and I'm feverish", "infection", "urgent"),
    # --- urgent: one leg weak or numb, foot drop
    ("my left leg feels weaker than the right and keeps giving way", "progressive_weakness",
     "urgent"),
    ("weakness in my right leg that's new", "progressive_weakness", "urgent"),
    ("new loss of feeling down the outside of my left leg", "progressive_weakness", "urgent"),
    ("my right foot slaps down when I walk and I keep tripping over it", "progressive_weakness",
     "urgent"),
    ("foot drop on the left since Monday", "progressive_weakness", "urgent"),
    ("I'm dragging my right foot", "progressive_weakness", "urgent"),
    # --- urgent: renal colic
    ("waves of pain in my right side going down to my groin, and it burns when I pee",
     "renal_colic", "urgent"),
    ("colicky flank pain into the groin and blood in my urine", "renal_colic", "urgent"),
    ("pain in my loin that comes and goes and spreads to the groin, I'm peeing all the time "
     "and it stings", "renal_colic", "urgent"),
    # --- urgent: a history of cancer with new back pain (NG234: within 24 hours)
    # --- soon: weight loss, unrelieved night pain
    ("I had breast cancer five years ago and now my lower back hurts", "cancer", "urgent"),
    ("history of prostate cancer, back ache for a month", "cancer", "urgent"),
    ("I've lost a stone without trying and my back aches", "serious_cause", "soon"),
    ("back pain and unexplained weight loss", "serious_cause", "soon"),
    ("the pain is worst at night and no position helps", "serious_cause", "soon"),
    ("pain keeps me up at night no matter how I lie", "serious_cause", "soon"),
    # --- emergency: cancer, or an infection, with nerve symptoms; a known aneurysm
    ("I had bowel cancer and now my back hurts and my legs feel weak", "cancer_nerve",
     "emergency"),
    ("history of breast cancer, new back pain and I can hardly walk", "cancer_nerve", "emergency"),
    ("fever and back pain, and now my left leg is weak", "infection_nerve", "emergency"),
    ("I've had chills all night and I can hardly walk", "infection_nerve", "emergency"),
    ("they are keeping an eye on my aortic aneurysm and now my back aches", "known_aneurysm",
     "emergency"),
    ("I have a triple A and this back pain started today", "known_aneurysm", "emergency"),
    # --- urgent: infection risk without a fever, feeling very unwell, bleeding in pregnancy
    ("I inject heroin and my back has been getting worse for two weeks", "infection_risk",
     "urgent"),
    ("I'm on chemotherapy and my back hurts", "infection_risk", "urgent"),
    ("I had back surgery last month and the pain is getting worse", "infection_risk", "urgent"),
    ("my back is sore and I feel really unwell", "infection", "urgent"),
    ("I'm 30 weeks pregnant, my back aches and there's some bleeding", "pregnancy_bleeding",
     "urgent"),
    ("pregnant and spotting with lower back pain", "pregnancy_bleeding", "urgent"),
    # --- soon: pain between the shoulder blades; progressive non-mechanical pain; aneurysm risk
    ("the pain is between my shoulder blades", "thoracic", "soon"),
    ("my mid back hurts when I breathe in", "thoracic", "soon"),
    ("it keeps getting worse and no position helps", "serious_cause", "soon"),
    ("it is getting worse every week and it hurts at night", "serious_cause", "soon"),
    ("I'm a 70 year old man, I smoke, and my back started hurting last week", "aneurysm_risk",
     "soon"),
    ("67 year old man, smoker, new lower back pain", "aneurysm_risk", "soon"),
    # --- soon: new back pain over 50 or under 20
    ("I'm 63 and this is the first time I've had back pain", "age", "soon"),
    ("I'm 58 with a new low back ache", "age", "soon"),
    ("16 year old, back pain started last month", "age", "soon"),
    ("I'm 13 and my lower back has started hurting", "age", "soon"),
    # --- soon: minor trauma with osteoporosis or steroids
    ("I have osteoporosis and slipped on the bathroom floor, now my back hurts",
     "fracture_risk", "soon"),
    ("bumped my back getting into the car, and I have thin bones", "fracture_risk", "soon"),
    ("I've been on prednisolone for years and tripped on the stairs", "fracture_risk", "soon"),
    ("long-term steroids for asthma, bent to lift a pot and felt a sharp pain",
     "fracture_risk", "soon"),
    # --- soon: both legs in the walking pattern of a narrowed spinal canal
    ("When I walk more than a few blocks my legs feel heavy and tingly; bending forward over "
     "the cart at the supermarket helps.", "claudication", "soon"),
    ("standing in the queue my legs go numb and achy, sitting down sorts it out",
     "claudication", "soon"),
    # --- soon: inflammatory pattern
    ("I'm 30, back pain for six months, very stiff in the mornings for an hour",
     "inflammatory", "soon"),
    ("It started when I was 35 and has gone on for four months, stiff every morning for over "
     "30 minutes", "inflammatory", "soon"),
    ("back pain since I was 24, it has been a year, and morning stiffness lasts 45 minutes",
     "inflammatory", "soon"),
]

# Everyday wordings of the same red flags: the idea in several phrasings, none copied from the
# bench (bench/vignettes_lay.yml stays a fair measure).
LAY_RED_FLAG_CASES = [
    # saddle area: numb like at the dentist, someone else's bottom
    ("my backside feels frozen, like after a filling at the dentist", "cauda_equina", "emergency"),
    ("using toilet paper it's as if it's somebody else's bum", "cauda_equina", "emergency"),
    ("my privates feel like they belong to somebody else", "cauda_equina", "emergency"),
    ("the skin round my back passage has gone numb", "cauda_equina", "emergency"),
    ("I've got no feeling between my legs since this morning", "cauda_equina", "emergency"),
    # bladder and bowels
    ("I'm desperate for the loo but nothing will come out", "cauda_equina", "emergency"),
    ("wee keeps dribbling out and I can't stop it", "cauda_equina", "emergency"),
    ("I didn't realise I needed a poo until it was too late", "cauda_equina", "emergency"),
    ("I can't hold my bowels any more", "cauda_equina", "emergency"),
    # sex
    ("nothing works down there any more since my back went", "cauda_equina", "emergency"),
    ("since the back pain I can't get it up", "cauda_equina", "emergency"),
    # both legs, fast weakness
    ("my legs are like cotton wool and I'm tripping all the time", "bilateral_neuro", "emergency"),
    ("my legs won't hold me up any more", "bilateral_neuro", "emergency"),
    ("neither leg feels strong and my back is killing me", "bilateral_neuro", "emergency"),
    ("both my feet have gone numb", "bilateral_neuro", "emergency"),
    ("my leg is weaker by the minute", "bilateral_neuro", "emergency"),
    ("hour by hour my leg gets weaker", "bilateral_neuro", "emergency"),
    ("since lunch my leg won't take my weight", "bilateral_neuro", "emergency"),
    # major trauma
    ("a lorry ploughed into our car on the motorway", "major_trauma", "emergency"),
    ("my pony bolted and threw me onto the road", "major_trauma", "emergency"),
    ("I got knocked off my bicycle by a bus", "major_trauma", "emergency"),
    ("we had a crash on the motorway last night", "major_trauma", "emergency"),
    ("I came off the quad bike at speed", "major_trauma", "emergency"),
    # chest
    ("a squeezing heaviness behind my breastbone with the back pain", "chest_pain", "emergency"),
    ("feels like an elephant is sitting on my chest", "chest_pain", "emergency"),
    # pulsating lump
    ("I can see my pulse in my belly button", "vascular", "emergency"),
    ("my stomach has a beating lump next to the navel", "vascular", "emergency"),
    ("a throbbing in my tummy in time with my heartbeat", "vascular", "emergency"),
    # renal colic
    ("cramping pain in my loin that comes in waves down towards my balls, and my wee is pink",
     "renal_colic", "urgent"),
    ("agony in my side that comes and goes, spreading down to my privates; it hurts to pass water",
     "renal_colic", "urgent"),
    # weight loss, night pain
    ("I've had to punch a new hole in my belt and I'm not dieting", "serious_cause", "soon"),
    ("the weight is falling off me and my back aches", "serious_cause", "soon"),
    ("I've dropped two dress sizes without trying", "serious_cause", "soon"),
    ("at night it hurts whichever way I turn", "serious_cause", "soon"),
    ("nothing I do at night eases it, lying or sitting", "serious_cause", "soon"),
    # thin bones, steroids
    ("my bones are like chalk and I tripped on a step", "fracture_risk", "soon"),
    ("a bone density scan showed thinning and I bumped my back on a door", "fracture_risk", "soon"),
    ("brittle bone disease, and I slipped on the ice", "fracture_risk", "soon"),
    ("I'm on pred for my lungs and lifted a heavy box", "fracture_risk", "soon"),
    ("on steroids for my bowel, I sneezed and felt something go in my back", "fracture_risk",
     "soon"),
    # more wordings of the same ideas
    ("I've lost sensation around my back passage and privates", "cauda_equina", "emergency"),
    ("when I go, the wee only comes out in a trickle", "cauda_equina", "emergency"),
    ("I found my underwear wet and never felt it", "cauda_equina", "emergency"),
    ("no sensation at all during intercourse since my back went", "cauda_equina", "emergency"),
    ("I've got sciatica down both legs", "bilateral_neuro", "emergency"),
    ("my right leg is just useless now", "bilateral_neuro", "emergency"),
    ("our van flipped over on the dual carriageway", "major_trauma", "emergency"),
    ("I tumbled down a full flight of stairs", "major_trauma", "emergency"),
    ("I fell through the ceiling from the loft", "major_trauma", "emergency"),
    ("I'm roasting one minute and shivering the next", "infection", "urgent"),
    ("I've gone gaunt and my back aches", "serious_cause", "soon"),
    ("I had a lumpectomy a few years back and now my back hurts", "cancer", "urgent"),
    ("I can hardly pee even though my bladder feels full", "cauda_equina", "emergency"),
    ("I soiled my underwear and didn't notice", "cauda_equina", "emergency"),
    ("both knees keep buckling on me", "bilateral_neuro", "emergency"),
    ("I'm dragging either foot when I walk now", "bilateral_neuro", "emergency"),
    ("my legs suddenly went from underneath me", "bilateral_neuro", "emergency"),
    ("a taxi knocked me over on the zebra crossing", "major_trauma", "emergency"),
    ("I slid off the shed roof onto the patio", "major_trauma", "emergency"),
    ("I felt a pulsing next to my navel", "vascular", "emergency"),
]


@pytest.mark.parametrize(("text", "flag", "urgency"), RED_FLAG_CASES + LAY_RED_FLAG_CASES)
def test_every_red_flag_is_caught_end_to_end(text: str, flag: str, urgency: str) -> None:
    flags = flags_of(text)
    assert flags.get(flag) == urgency, f"{text!r} -> {flags} / {extract_findings(text)}"


# Rules that only the screen's answers reach: a bare "yes" to a screen, and its one button for
# "cancer or weight loss" before the person says which.
SCREEN_ONLY = {"screen_yes_emergency", "screen_yes_other", "cancer_or_weight_loss"}


def test_every_red_flag_rule_has_at_least_two_phrasings() -> None:
    counts: dict[str, int] = {}
    for _, flag, _urgency in RED_FLAG_CASES:
        counts[flag] = counts.get(flag, 0) + 1
    for rule in load_rules():
        if rule.id not in SCREEN_ONLY:
            assert counts.get(rule.id, 0) >= 2, rule.id


@pytest.mark.parametrize(("present", "flag", "urgency"), [
    ("screen_yes_emergency", "screen_yes_emergency", "emergency"),
    ("screen_yes_other", "screen_yes_other", "urgent"),
    ("cancer_or_weight_loss", "cancer_or_weight_loss", "urgent"),
    ("bladder_or_bowel_change", "cauda_equina", "emergency"),
    ("fever_or_unwell", "infection", "urgent"),
])
def test_screen_answers_reach_their_rule(present: str, flag: str, urgency: str) -> None:
    assert {f.id: f.urgency for f in triage([Finding(present)])}.get(flag) == urgency


def test_a_specific_answer_replaces_the_screens_combined_one() -> None:
    # "weight loss" alone is a within-days sign; only the unsorted screen answer is treated as
    # the more urgent cancer, and saying which one settles it.
    said = [Finding("cancer_or_weight_loss"), Finding("weight_loss")]
    assert {f.id: f.urgency for f in triage(said)} == {"serious_cause": "soon"}
    said = [Finding("cancer_or_weight_loss"), Finding("cancer_history")]
    assert [f.id for f in triage(said)] == ["cancer"]


BENIGN = [
    "I've got a really bad back this week and can barely move",  # pain, not weakness
    "no fever, no numbness, my back aches after gardening",
    "sore lower back since moving house last week. no tingling, bladder fine.",
    "Mild low back ache after a long day, it goes away with rest.",
    "I'm 34 and pulled something at the gym. No pain down my legs, no numbness around my "
    "bottom, no problems peeing.",
    "My back has been stiff since I slept on a bad mattress. No chest pain, no fever.",
    "Just a general ache in the lower back, nothing else. It isn't getting worse.",
    "My mum had a slipped disc and my grandad had cancer, but I just have a bit of back ache. "
    "I'm 32.",
    "lower back a bit sore after a long drive. no leg pain. no weakness. no weight loss.",
    "Twinged my back reaching for something. I'm 29. Peeing and pooing are normal.",
    "bak hurts a bit after footbal, no numness no tingles",
    "my uncle had kidney stones, but mine is just a muscular ache across my lower back",
    "Lower back ache for three days. No fever or chills, no history of cancer, and I haven't "
    "lost weight.",
    "Sore back after a hike with a heavy backpack. My legs feel normal and my strength is fine.",
    "My friend fell from a ladder last year and hurt her back. Mine is a mild ache from "
    "bending over in the garden.",
    "Not numb anywhere, no bladder issues, no weakness, just sore after lifting boxes.",
    "I get a sore back when I vacuum. No chest pain, no shortness of breath, no fever.",
    "Low back niggle for a couple of days, I'm 45, no weakness in my legs, no trouble with sex "
    "or the toilet.",
    "ache in my lower back. had a cold last month but no temperature now",
    "My wife has endometriosis. I'm a 38 year old man and my back is a bit sore.",
    "lower back ache. no pain in the legs, no pins and needles, not worse when I cough",
    "what if I get a fever, should I worry? right now it is just a stiff back",
    "my back aches when I stand at a concert for hours, and I never get pain at night",
    "I hurt everywhere and wake up feeling like I've been hit by a bus",
    "no numbness in my bum or my legs, just an ache",
    "the backs of my legs feel like tight cables when I take big steps",
    # everyday words that look like red flags but are not
    "my hands only get as far as my shins when I bend, my back is tight",
    "even a cuddle hurts, I feel like I've been run over by a lorry, everything aches",
    "I'm on my feet all day at the shop and my lower back aches",
    "both my feet ache in these new shoes and my back is stiff",
    "I was out riding at a canter yesterday and my back is stiff today",
    "my breastbone clicks sometimes but it doesn't hurt; back ache from lifting",
    "I had a throbbing pain in my tummy with my period, and my back aches",
    "I can't finish a workout without my back complaining",
    "my car is in the garage so I walked to work, and my back aches",
    "my son was knocked off his bike last year; my own back aches from work",
]


@pytest.mark.parametrize("text", BENIGN)
def test_benign_descriptions_raise_no_emergency_or_urgent_flag(text: str) -> None:
    flags = flags_of(text)
    assert not {u for u in flags.values()} & {"emergency", "urgent"}, (
        f"{text!r} -> {flags} / {extract_findings(text)}")


# --------------------------------------------------------------------------- triage() itself


def test_denied_findings_never_trigger() -> None:
    denied = [Finding(fid, present=False) for fid in (
        "saddle_numbness", "bladder_dysfunction", "fever", "chest_pain", "trauma_major",
        "cancer_history", "leg_weakness", "bilateral_leg_symptoms", "fainting")]
    assert triage(denied) == []


def test_most_urgent_first_and_one_entry_per_flag() -> None:
    findings = [
        Finding("cancer_history"), Finding("fever"), Finding("saddle_numbness"),
        Finding("bladder_dysfunction"), Finding("age", value=70), Finding("fever"),
    ]
    flags = triage(findings)
    ids = [flag.id for flag in flags]
    assert len(ids) == len(set(ids))
    assert ids[0] == "cauda_equina"
    ranks = [URGENCY_ORDER.index(flag.urgency) for flag in flags]
    assert ranks == sorted(ranks)
    assert {"cauda_equina", "infection", "cancer", "age", "fracture_risk"} == set(ids)


@pytest.mark.parametrize(("age", "flagged"), [(51, True), (50, False), (30, False),
                                              (20, False), (19, True)])
def test_age_limits(age: int, flagged: bool) -> None:
    assert ("age" in {f.id for f in triage([Finding("age", value=age)])}) is flagged


def test_inflammatory_needs_onset_before_45() -> None:
    base = [Finding("duration_chronic"), Finding("morning_stiffness", value=60)]
    ids = lambda extra: {f.id for f in triage(base + extra)}  # noqa: E731
    assert "inflammatory" in ids([Finding("age", value=30)])
    assert "inflammatory" in ids([])  # age unknown: err on the side of checking
    assert "inflammatory" not in ids([Finding("age", value=60)])
    assert "inflammatory" in ids([Finding("age", value=60), Finding("onset_age", value=40)])
    assert "inflammatory" not in ids([Finding("onset_age", value=50)])
    assert not triage([Finding("duration_chronic", present=False), Finding("morning_stiffness")])


def test_minor_trauma_needs_thin_bones_or_steroids() -> None:
    assert triage([Finding("trauma_minor")]) == []
    assert [f.id for f in triage([Finding("trauma_minor"), Finding("osteoporosis")])] == [
        "fracture_risk"]


def test_advice_says_what_to_do_in_plain_words_once() -> None:
    for rule in load_rules():
        assert "you have" not in rule.reason.lower()
        flag = RedFlag(rule.id, rule.urgency, rule.reason)  # type: ignore[arg-type]
        advice = " ".join(red_flag_advice([flag])).lower()
        expected = {"emergency": "emergency", "urgent": "today", "soon": "days"}[rule.urgency]
        assert expected in advice, rule.id
        sentences = [s.strip() for s in advice.replace("\n", " ").split(". ") if s.strip()]
        assert len(sentences) == len(set(sentences)), rule.id
        assert advice.count("within the next few days") <= 1, rule.id


# --------------------------------------------------------------------------- the rules file


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "red_flags.yml"
    path.write_text(body, encoding="utf-8")
    return path


HEAD = "red_flags:\n  - {id: x, "


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (HEAD + "reason: r, when: fever}\n", r"'x'.*'urgency'"),
        (HEAD + "urgency: soonish, reason: r, source: s, when: fever}\n", r"'x'.*'urgency'"),
        (HEAD + "urgency: soon, reason: r, source: s, when: feverish}\n", r"'x'.*'when'"),
        (HEAD + "urgency: soon, reason: r, source: s}\n", r"'x'.*'when'"),
        (HEAD + "urgency: soon, when: fever}\n", r"'x'.*'reason'"),
        (HEAD + "urgency: soon, reason: r, when: fever}\n", r"'x'.*'source'"),
        (HEAD + "urgency: soon, reason: r, source: s, when: {denied: feverish}}\n",
         r"'x'.*'when'"),
        (HEAD + "urgency: soon, reason: r, source: s, when: {value: age, over: 3}}\n",
         r"'x'.*'when'"),
        (HEAD + "urgency: soon, reason: r, source: s, when: {any: []}}\n", r"'x'.*'when'"),
        (HEAD + "urgency: soon, reason: r, source: s, when: fever}\n"
         "  - {id: x, urgency: soon, reason: r, source: s, when: fever}\n", r"'x'.*'id'"),
        ("nothing: here\n", r"'red_flags'"),
    ],
)
def test_a_malformed_rules_file_fails_naming_entry_and_field(
    tmp_path: Path, body: str, message: str
) -> None:
    with pytest.raises(RedFlagError, match=message):
        load_rules(_write(tmp_path, body))


def test_the_shipped_rules_cover_the_safety_list() -> None:
    rules = {rule.id: rule.urgency for rule in load_rules()}
    assert rules == {
        "cauda_equina": "emergency", "bilateral_neuro": "emergency",
        "cancer_nerve": "emergency", "infection_nerve": "emergency",
        "major_trauma": "emergency", "chest_pain": "emergency", "vascular": "emergency",
        "known_aneurysm": "emergency",
        "infection": "urgent", "infection_risk": "urgent", "cancer": "urgent",
        "progressive_weakness": "urgent", "renal_colic": "urgent", "pregnancy_bleeding": "urgent",
        "serious_cause": "soon", "thoracic": "soon", "age": "soon", "fracture_risk": "soon",
        "aneurysm_risk": "soon", "inflammatory": "soon", "claudication": "soon",
        "screen_yes_emergency": "emergency", "screen_yes_other": "urgent",
        "cancer_or_weight_loss": "urgent",
    }
    assert all(rule.source for rule in load_rules())


def test_both_legs_in_the_claudication_pattern_are_soon_not_an_emergency() -> None:
    text = "my legs get heavy and tingly when I walk and it eases when I sit down"
    assert flags_of(text) == {"claudication": "soon"}


@pytest.mark.parametrize("text", [
    "both my legs are numb and it doesn't matter whether I sit or stand",
    "my legs tingle and feel weak all the time",
    "both legs go numb when I walk, and they are weak even when I sit",
])
def test_both_legs_without_the_walking_pattern_stay_an_emergency(text: str) -> None:
    assert flags_of(text).get("bilateral_neuro") == "emergency", extract_findings(text)
