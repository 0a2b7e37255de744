"""The knowledge base: every seed cause present, and malformed files rejected with a named error."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from bot.knowledge import DEFAULT_PATH, KnowledgeBaseError, load_knowledge_base
from bot.vocabulary import load_vocabulary

SEED = {
    "musculoskeletal": [
        "ischemia", "iliopsoas_syndrome", "sacroiliac_joint_dysfunction", "piriformis_syndrome",
        "nerve_compression_entrapment", "trigger_points", "sensory_motor_amnesia",
        "postural_distortion", "tight_leg_muscles", "dysfunctional_biomechanics",
    ],
    "pathological": [
        "true_sciatica", "herniated_disc", "spinal_stenosis", "ankylosing_spondylitis",
        "spondylolisthesis", "scoliosis", "osteoarthritis", "rheumatoid_arthritis",
        "endometriosis", "viscerogenic", "fibromyalgia",
    ],
    "aggravating": ["overweight", "sedentary_lifestyle", "stress", "static_stretching"],
}
WEAK_EVIDENCE = ["ischemia", "sensory_motor_amnesia", "postural_distortion", "static_stretching"]


@pytest.fixture(scope="module")
def kb():
    return load_knowledge_base()


@pytest.fixture(scope="module")
def raw() -> dict:
    return yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("cause_id", "category"), [(c, cat) for cat, ids in SEED.items() for c in ids]
)
def test_every_seed_cause_is_present_with_its_category(kb, cause_id, category):
    entry = kb.get(cause_id)
    assert entry.category == category
    assert entry.name and entry.summary and entry.explanation and entry.who_can_help
    assert entry.synonyms and (entry.noticed_by if entry.is_factor else entry.features)
    assert 0 < entry.prior < 1


BEYOND_SEED = {"musculoskeletal": ["acute_strain"], "pathological": [], "aggravating": []}


def test_categories_split_causes_from_factors(kb):
    assert sorted(c.id for c in kb.causes) == sorted(
        SEED["musculoskeletal"] + SEED["pathological"] + BEYOND_SEED["musculoskeletal"])
    assert [f.id for f in kb.factors] == SEED["aggravating"]
    for category, ids in SEED.items():
        assert [entry.id for entry in kb.by_category(category)] == ids + BEYOND_SEED[category]


def test_an_entry_beyond_the_seed_page_says_so(kb):
    for entry in kb:
        seed = entry.id in SEED[entry.category]
        assert bool(entry.beyond_seed) is not seed, entry.id


def test_every_number_names_its_source_or_says_it_is_an_estimate(kb):
    for entry in kb.causes:
        assert entry.prior_source and entry.weights_source, entry.id
        for criteria in entry.criteria:
            assert criteria.source
    for entry in kb.factors:
        assert entry.noticed_by and not entry.features, entry.id
    with pytest.raises(KeyError):
        kb.by_category("spiritual")
    with pytest.raises(KeyError):
        kb.get("no_such_cause")


def test_no_seed_cause_is_missing(kb, tmp_path, raw):
    assert kb.missing_seed_ids() == []
    data = copy.deepcopy(raw)
    data["causes"] = [c for c in data["causes"] if c["id"] != "scoliosis"]
    for cause in data["causes"]:
        cause["related"] = [link for link in cause.get("related", []) if link["id"] != "scoliosis"]
    assert load_knowledge_base(_write(tmp_path, data)).missing_seed_ids() == [
        "scoliosis (pathological)"
    ]


def test_default_knowledge_base_is_cached(kb):
    assert load_knowledge_base() is kb


def test_every_feature_uses_a_known_finding_and_a_positive_ratio(kb):
    vocabulary = load_vocabulary()
    for entry in kb:
        for feature in kb.features_for(entry):
            assert feature.finding in vocabulary, (entry.id, feature.finding)
            assert feature.lr_present > 0 and feature.lr_absent > 0


def test_weak_evidence_causes_say_so_and_keep_modest_priors(kb):
    for cause_id in WEAK_EVIDENCE:
        entry = kb.get(cause_id)
        assert entry.evidence.level == "weak"
        assert "evidence" in entry.evidence.note.lower()
        assert entry.prior <= 0.05
    strong_common = max(c.prior for c in kb.causes if c.evidence.level != "weak")
    assert all(kb.get(c).prior < strong_common for c in WEAK_EVIDENCE)


def test_published_stenosis_ratios_belong_to_what_they_measured(kb):
    """Suri et al. 2010: 6.3 is for symptoms in both buttocks or legs (not both sides of the
    back), 3.7 and 0.23 for neurogenic claudication (not back pain worse when walking)."""
    features = {(f.finding, f.min, f.max): f for f in kb.get("spinal_stenosis").features}
    assert features[("age", 71, None)].lr_present == 2.0
    assert features[("age", None, 59)].lr_present == 0.4
    assert features[("bilateral_leg_symptoms", None, None)].lr_present == 6.3
    assert ("side_both", None, None) not in features
    assert features[("better_bending_forward", None, None)].lr_present == 6.4
    claudication = features[("neurogenic_claudication", None, None)]
    assert (claudication.lr_present, claudication.lr_absent) == (3.7, 0.23)
    assert features[("worse_walking", None, None)].lr_present < 2
    assert all("Suri" in (f.source or "") for f in features.values() if f.lr_present in (6.3, 3.7))


def test_inflammatory_back_pain_items_are_counted_not_multiplied(kb):
    """Rudwaleit et al. 2006: two of the four Berlin items give about 3.7, three about 12.4."""
    from bot.matching import likelihood_ratio
    from bot.model import Finding

    entry = kb.get("ankylosing_spondylitis")
    items = [Finding("morning_stiffness_long"), Finding("better_movement"),
             Finding("worse_rest"), Finding("wakes_second_half_night")]
    two = {f.id: f for f in items[:3]}  # better with movement, worse with rest: one item
    three = {f.id: f for f in items}
    assert likelihood_ratio(entry, two, kb) == pytest.approx(3.7)
    assert likelihood_ratio(entry, three, kb) == pytest.approx(12.4)
    assert not any(f.finding == "sex" for f in entry.features)  # no male weighting (NG65)
    scans = [f for f in kb.features_for(entry) if f.finding == "scans_normal"]
    assert scans[0].lr_present == 1.0  # a normal X-ray does not count against it


def test_seed_relationships_are_linked(kb):
    def links(cause_id):
        return {link.id for link in kb.get(cause_id).related}

    assert {"trigger_points", "sacroiliac_joint_dysfunction"} <= links("true_sciatica")
    assert "iliopsoas_syndrome" in links("viscerogenic")
    assert "postural_distortion" in links("scoliosis")
    assert "generalisation" in kb.get("fibromyalgia").explanation.lower()
    principles = {p.id for p in kb.principles}
    assert {"several_causes", "negative_scans"} <= principles


def test_negative_scans_favour_musculoskeletal_causes_modestly(kb):
    for entry in kb.causes:
        scans = [f for f in kb.features_for(entry) if f.finding == "scans_normal"]
        assert len(scans) == 1, entry.id
        if entry.category == "musculoskeletal":
            assert 1 < scans[0].lr_present <= 1.5, entry.id
        # scans that "showed something" change nothing: most show age-related changes
        assert scans[0].lr_absent <= 1.0 or entry.id == "fibromyalgia", entry.id


def test_lookup_by_lay_word(kb):
    assert kb.lookup("slipped disc").id == "herniated_disc"
    assert kb.lookup("SI joint").id == "sacroiliac_joint_dysfunction"
    assert kb.lookup("psoas").id == "iliopsoas_syndrome"
    assert kb.lookup("Spinal Stenosis").id == "spinal_stenosis"
    assert kb.lookup("banana") is None


# ------------------------------------------------------------------------ malformed files
def _write(tmp_path: Path, data: dict) -> Path:
    path = tmp_path / "kb.yml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def _entry(data: dict, cause_id: str) -> dict:
    return next(item for item in data["causes"] if item["id"] == cause_id)


def _break_unknown_finding(data):
    _entry(data, "piriformis_syndrome")["features"][0]["finding"] = "loc_elbow"


def _break_missing_field(data):
    del _entry(data, "scoliosis")["summary"]


def _break_category(data):
    _entry(data, "stress")["category"] = "emotional"


def _break_negative_ratio(data):
    _entry(data, "herniated_disc")["features"][0]["lr_present"] = -2


def _break_missing_source(data):
    del _entry(data, "scoliosis")["weights_source"]


def _break_factor_features(data):
    _entry(data, "stress")["features"] = [{"finding": "stress", "lr_present": 30, "lr_absent": 0.1}]


def _break_zero_absent_ratio(data):
    _entry(data, "herniated_disc")["features"][0]["lr_absent"] = 0


def _break_text_ratio(data):
    _entry(data, "herniated_disc")["features"][0]["lr_present"] = "high"


def _break_missing_absent_ratio(data):
    del _entry(data, "true_sciatica")["features"][0]["lr_absent"]


def _break_prior_one(data):
    _entry(data, "fibromyalgia")["prior"] = 1.0


def _break_prior_zero(data):
    _entry(data, "fibromyalgia")["prior"] = 0


def _break_related(data):
    _entry(data, "scoliosis")["related"].append({"id": "lumbago", "note": "x"})


def _break_duplicate(data):
    data["causes"].append(copy.deepcopy(_entry(data, "stress")))


def _break_evidence(data):
    _entry(data, "ischemia")["evidence"]["level"] = "proven"


def _break_value_condition(data):
    _entry(data, "ischemia")["features"].append(
        {"finding": "sens_burning", "min": 3, "lr_present": 2.0}
    )


def _break_features_missing(data):
    del _entry(data, "trigger_points")["features"]


@pytest.mark.parametrize(
    ("breaker", "entry_id", "field", "detail"),
    [
        (_break_unknown_finding, "piriformis_syndrome", "features", "loc_elbow"),
        (_break_missing_field, "scoliosis", "summary", "missing"),
        (_break_category, "stress", "category", "emotional"),
        (_break_negative_ratio, "herniated_disc", "features", "lr_present"),
        (_break_zero_absent_ratio, "herniated_disc", "features", "lr_absent"),
        (_break_text_ratio, "herniated_disc", "features", "positive number"),
        (_break_missing_absent_ratio, "true_sciatica", "features", "lr_absent is missing"),
        (_break_prior_one, "fibromyalgia", "prior", "between 0 and 1"),
        (_break_prior_zero, "fibromyalgia", "prior", "between 0 and 1"),
        (_break_related, "scoliosis", "related", "lumbago"),
        (_break_duplicate, "stress", "id", "duplicate"),
        (_break_evidence, "ischemia", "evidence", "proven"),
        (_break_value_condition, "ischemia", "features", "no value"),
        (_break_features_missing, "trigger_points", "features", "missing"),
        (_break_missing_source, "scoliosis", "weights_source", "project estimate"),
        (_break_factor_features, "stress", "features", "noticed, not weighed"),
    ],
)
def test_malformed_entry_names_the_entry_and_the_field(
    tmp_path, raw, breaker, entry_id, field, detail
):
    data = copy.deepcopy(raw)
    breaker(data)
    with pytest.raises(KnowledgeBaseError) as caught:
        load_knowledge_base(_write(tmp_path, data))
    message = str(caught.value)
    assert repr(entry_id) in message
    assert repr(field) in message
    assert detail in message


def test_unknown_category_feature_is_rejected(tmp_path, raw):
    data = copy.deepcopy(raw)
    data["category_features"]["musculoskeletal"][0]["finding"] = "scan_of_the_moon"
    with pytest.raises(KnowledgeBaseError, match="category_features.*scan_of_the_moon"):
        load_knowledge_base(_write(tmp_path, data))


def test_file_without_causes_is_rejected(tmp_path):
    with pytest.raises(KnowledgeBaseError, match="causes"):
        load_knowledge_base(_write(tmp_path, {"principles": []}))


def test_a_valid_copy_loads_from_any_path(tmp_path, raw):
    kb = load_knowledge_base(_write(tmp_path, raw))
    assert len(kb.causes) == 22 and len(kb.factors) == 4
