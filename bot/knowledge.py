"""The knowledge base (bot/data/knowledge_base.yml): causes, factors, weights; checked on load."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.model import Finding
from bot.vocabulary import DATA_DIR, FindingKind, load_vocabulary

DEFAULT_PATH = DATA_DIR / "knowledge_base.yml"
WARNINGS_PATH = DATA_DIR / "warnings.yml"
WARNING_TEXT = ("id", "name", "explanation", "checked", "act")
CATEGORIES = ("musculoskeletal", "pathological", "aggravating")
CAUSE_CATEGORIES = ("musculoskeletal", "pathological")
EVIDENCE_LEVELS = ("strong", "moderate", "weak")
REQUIRED_TEXT = ("id", "name", "category", "summary", "explanation", "who_can_help")
# Every number has a source or says plainly that it is the project's estimate.
CAUSE_SOURCES = ("prior_source", "weights_source")
# The public contract: the source page's causes by category (docs/knowledge-base.md), with these
# exact ids.
SEED_IDS: dict[str, tuple[str, ...]] = {  # entries beyond the source page say so (`beyond_seed`)
    "musculoskeletal": (
        "ischemia", "iliopsoas_syndrome", "sacroiliac_joint_dysfunction", "piriformis_syndrome",
        "nerve_compression_entrapment", "trigger_points", "sensory_motor_amnesia",
        "postural_distortion", "tight_leg_muscles", "dysfunctional_biomechanics",
    ),
    "pathological": (
        "true_sciatica", "herniated_disc", "spinal_stenosis", "ankylosing_spondylitis",
        "spondylolisthesis", "scoliosis", "osteoarthritis", "rheumatoid_arthritis",
        "endometriosis", "viscerogenic", "fibromyalgia",
    ),
    "aggravating": ("overweight", "sedentary_lifestyle", "stress", "static_stretching"),
}
FEATURE_KEYS = {
    "finding", "lr_present", "lr_absent", "min", "max", "value", "group", "reason", "source",
}
CRITERIA_KEYS = {"name", "source", "items", "lr_at_least", "lr_fewer"}

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class KnowledgeBaseError(ValueError):
    """The knowledge base file is malformed; the message names the entry and the field."""


@dataclass(frozen=True)
class Feature:
    """How much one finding changes the odds of one cause."""

    finding: str
    lr_present: float
    lr_absent: float = 1.0
    min: float | None = None
    max: float | None = None
    value: str | None = None
    group: str | None = None
    reason: str | None = None
    source: str | None = None

    @property
    def conditional(self) -> bool:
        """True when the feature only applies to some values of the finding."""
        return self.min is not None or self.max is not None or self.value is not None

    def ratio(self, finding: Finding) -> float | None:
        """The likelihood ratio this feature gives `finding`, or None when it does not apply."""
        if finding.id != self.finding:
            return None
        if not finding.present:
            return None if self.conditional else self.lr_absent
        if not self.conditional:
            return self.lr_present
        if self.value is not None:
            if not isinstance(finding.value, str):
                return None
            return self.lr_present if finding.value.strip().lower() == self.value else None
        number = _as_number(finding.value)
        if number is None:
            return None
        if self.min is not None and number < self.min:
            return None
        if self.max is not None and number > self.max:
            return None
        return self.lr_present


@dataclass(frozen=True)
class Criteria:
    """Criteria that are counted, not multiplied: items that say nearly the same thing.

    Each item holds when any of its findings is present. With at least k items holding the
    ratio is `lr_at_least[k]` (the largest such k); when every item is known and fewer than the
    smallest k hold, it is `lr_fewer`; otherwise it is 1 (too little is known to say).
    """

    name: str
    source: str
    items: tuple[tuple[str, ...], ...]
    lr_at_least: tuple[tuple[int, float], ...]
    lr_fewer: float = 1.0

    def ratio(self, known: dict[str, Finding]) -> tuple[float, list[Finding]]:
        """The ratio for what is known, and the present findings that made items hold."""
        holding: list[Finding] = []
        known_items = 0
        for item in self.items:
            present = [known[fid] for fid in item if fid in known and known[fid].present]
            if present:
                holding.append(present[0])
            if present or all(fid in known for fid in item):
                known_items += 1
        count = len(holding)
        reached = [lr for k, lr in self.lr_at_least if count >= k]
        if reached:
            return reached[-1], holding
        if known_items == len(self.items):
            return self.lr_fewer, []
        return 1.0, []


@dataclass(frozen=True)
class Derived:
    """A finding the knowledge base works out from others (conditions as in red_flags.yml)."""

    id: str
    when: Any
    denied_when: Any = None


@dataclass(frozen=True)
class Related:
    """A link the source page draws between two causes."""

    id: str
    note: str


@dataclass(frozen=True)
class Evidence:
    """How well supported a cause is, said honestly."""

    level: str
    note: str


@dataclass(frozen=True)
class Cause:
    """One entry of the knowledge base: a cause of back pain or an aggravating factor."""

    id: str
    name: str
    category: str
    synonyms: tuple[str, ...]
    summary: str
    explanation: str
    who_can_help: str
    evidence: Evidence
    prior: float
    features: tuple[Feature, ...]
    related: tuple[Related, ...]
    prior_source: str = ""
    weights_source: str = ""
    criteria: tuple[Criteria, ...] = ()
    noticed_by: tuple[str, ...] = ()
    beyond_seed: str = ""

    @property
    def is_factor(self) -> bool:
        """True for aggravating factors, False for causes."""
        return self.category == "aggravating"


@dataclass(frozen=True)
class Condition:
    """A serious condition a red-flag warning is there to catch, explained in plain words."""

    id: str
    name: str
    synonyms: tuple[str, ...]
    explanation: str
    checked: str
    act: str
    flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Principle:
    """A general statement from the source page that holds across causes."""

    id: str
    text: str

class KnowledgeBase:
    """All entries, with the per-category features that apply to every member of a category."""

    def __init__(
        self,
        entries: list[Cause],
        category_features: dict[str, tuple[Feature, ...]] | None = None,
        principles: list[Principle] | None = None,
        derived: list[Derived] | None = None,
    ) -> None:
        self._entries = {entry.id: entry for entry in entries}
        self.derived = list(derived or [])
        self.conditions: dict[str, Condition] = {}
        self.category_features = category_features or {}
        self.principles = list(principles or [])
        self.causes = [entry for entry in entries if not entry.is_factor]
        self._features: dict[str, tuple[Feature, ...]] = {}
        self.factors = [entry for entry in entries if entry.is_factor]

    def __contains__(self, cause_id: object) -> bool:
        return cause_id in self._entries

    def __iter__(self):
        return iter(self._entries.values())

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def ids(self) -> list[str]:
        """Every entry id, in file order."""
        return list(self._entries)

    def get(self, cause_id: str) -> Cause:
        """The entry with this id; KeyError when there is none."""
        try:
            return self._entries[cause_id]
        except KeyError:
            raise KeyError(f"no cause or factor with id {cause_id!r}") from None

    def by_category(self, category: str) -> list[Cause]:
        """Entries of one category, in file order."""
        if category not in CATEGORIES:
            raise KeyError(f"unknown category {category!r}; expected one of {CATEGORIES}")
        return [entry for entry in self._entries.values() if entry.category == category]

    def features_for(self, entry: Cause) -> tuple[Feature, ...]:
        """The entry's own features plus its category's, the entry's own winning a clash."""
        cached = self._features.get(entry.id)
        if cached is None or self._entries.get(entry.id) is not entry:
            own = {feature.finding for feature in entry.features}
            shared = tuple(
                feature
                for feature in self.category_features.get(entry.category, ())
                if feature.finding not in own
            )
            cached = self._features[entry.id] = entry.features + shared
        return cached

    def missing_seed_ids(self) -> list[str]:
        """Seed causes absent from this knowledge base or filed under the wrong category."""
        return [
            f"{cause_id} ({category})"
            for category, ids in SEED_IDS.items()
            for cause_id in ids
            if cause_id not in self._entries or self._entries[cause_id].category != category
        ]

    def lookup(self, words: str) -> Cause | Condition | None:
        """The entry (or warned-about condition) whose id, name or synonym matches `words`
        (case-insensitive), if any."""
        wanted = " ".join(words.lower().replace("_", " ").replace("-", " ").split())
        for entry in [*self._entries.values(), *self.conditions.values()]:
            names = (entry.id.replace("_", " "), entry.name, *entry.synonyms)
            if any(" ".join(name.lower().replace("-", " ").split()) == wanted for name in names):
                return entry
        return None

    def resolve(self, words: str, longest: int = 4) -> Cause | Condition | None:
        """The entry `words` names, or the one named by its longest matching run of words.

        "viscerogenic back" and "a tight psoas" still find their entry; words that name no
        entry ("to learn", "describe") give None.
        """
        tokens = words.replace("_", " ").split()
        for size in range(min(longest, len(tokens)), 0, -1):
            for start in range(len(tokens) - size + 1):
                entry = self.lookup(" ".join(tokens[start : start + size]))
                if entry is not None:
                    return entry
        return self.lookup(words) if words.strip() else None


# ------------------------------------------------------------------------------- loading
def load_knowledge_base(path: Path | str | None = None) -> KnowledgeBase:
    """Load and validate the knowledge base; the default file is read once and cached."""
    if path is None:
        return _load_default()
    return _load(Path(path))


@lru_cache(maxsize=1)
def _load_default() -> KnowledgeBase:
    kb = _load(DEFAULT_PATH)
    kb.conditions = load_conditions()
    return kb


def load_conditions(path: Path = WARNINGS_PATH) -> dict[str, Condition]:
    """The conditions the warnings are about (bot/data/warnings.yml), checked on load."""
    raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER) or {}
    out: dict[str, Condition] = {}
    for index, item in enumerate(raw.get("warnings") or []):
        name = item.get("id") if isinstance(item, dict) else None
        where = f"{path.name}: condition {name or f'#{index}'!r}"
        if not isinstance(item, dict):
            raise KnowledgeBaseError(f"{where}: must be a mapping")
        for key in WARNING_TEXT:
            if not _text(item.get(key)):
                raise KnowledgeBaseError(f"{where}: field {key!r} is missing or empty")
        synonyms = item.get("synonyms")
        if not isinstance(synonyms, list) or not all(_text(s) for s in synonyms):
            raise KnowledgeBaseError(f"{where}: field 'synonyms' must be a list of words")
        if name in out:
            raise KnowledgeBaseError(f"{where}: field 'id' is a duplicate")
        flags = item.get("flags") or []
        if not isinstance(flags, list) or not all(_text(f) for f in flags):
            raise KnowledgeBaseError(f"{where}: field 'flags' must be a list of rule ids")
        out[name] = Condition(
            id=name, name=item["name"], synonyms=tuple(synonyms), flags=tuple(flags),
            **{key: " ".join(item[key].split()) for key in ("explanation", "checked", "act")},
        )
    return out


def _load(path: Path) -> KnowledgeBase:
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
    except yaml.YAMLError as error:
        raise KnowledgeBaseError(f"{path.name}: not valid YAML: {error}") from error
    if not isinstance(raw, dict) or not isinstance(raw.get("causes"), list):
        raise KnowledgeBaseError(f"{path.name}: field 'causes' is missing or not a list")
    vocabulary = load_vocabulary()
    where = path.name
    entries: list[Cause] = []
    seen: set[str] = set()
    for index, item in enumerate(raw["causes"]):
        entry = _parse_entry(item, index, vocabulary, where)
        if entry.id in seen:
            raise KnowledgeBaseError(f"{where}: entry {entry.id!r}: field 'id' is a duplicate")
        seen.add(entry.id)
        entries.append(entry)
    for entry in entries:
        for link in entry.related:
            if link.id not in seen:
                raise KnowledgeBaseError(
                    f"{where}: entry {entry.id!r}: field 'related': unknown id {link.id!r}"
                )
            if link.id == entry.id:
                raise KnowledgeBaseError(
                    f"{where}: entry {entry.id!r}: field 'related': links to itself"
                )
    category_features: dict[str, tuple[Feature, ...]] = {}
    for category, items in (raw.get("category_features") or {}).items():
        if category not in CATEGORIES:
            raise KnowledgeBaseError(
                f"{where}: entry {category!r}: field 'category_features': unknown category"
            )
        try:
            category_features[category] = _parse_features(
                items, "category_features", vocabulary, where
            )
        except _FeatureError as error:
            raise KnowledgeBaseError(
                f"{where}: entry {category!r}: field 'category_features': {error}"
            ) from None
    principles = []
    for index, item in enumerate(raw.get("principles") or []):
        if not isinstance(item, dict) or not _text(item.get("id")) or not _text(item.get("text")):
            raise KnowledgeBaseError(
                f"{where}: entry 'principles[{index}]': field 'id'/'text' is missing"
            )
        principles.append(Principle(id=item["id"], text=" ".join(item["text"].split())))
    derived = [_parse_derived(item, index, vocabulary, where)
               for index, item in enumerate(raw.get("derived") or [])]
    return KnowledgeBase(entries, category_features, principles, derived)


def _parse_derived(
    item: Any, index: int, vocabulary: dict[str, FindingKind], where: str
) -> Derived:
    from bot.conditions import ConditionError, check_condition

    name = item.get("id") if isinstance(item, dict) else None
    label = f"{where}: derived finding {name or f'#{index}'!r}"
    if not isinstance(item, dict) or name not in vocabulary:
        raise KnowledgeBaseError(f"{label}: field 'id' is missing or not in findings.yml")
    try:
        check_condition(item.get("when"), set(vocabulary))
        if item.get("denied_when") is not None:
            check_condition(item["denied_when"], set(vocabulary))
    except ConditionError as error:
        raise KnowledgeBaseError(f"{label}: field 'when': {error}") from None
    return Derived(id=name, when=item["when"], denied_when=item.get("denied_when"))


def _parse_entry(
    item: Any, index: int, vocabulary: dict[str, FindingKind], where: str
) -> Cause:
    name = item.get("id") if isinstance(item, dict) and _text(item.get("id")) else f"#{index}"

    def fail(field: str, problem: str) -> KnowledgeBaseError:
        return KnowledgeBaseError(f"{where}: entry {name!r}: field {field!r}: {problem}")

    if not isinstance(item, dict):
        raise fail("id", "the entry is not a mapping")
    for key in REQUIRED_TEXT:
        if not _text(item.get(key)):
            raise fail(key, "is missing or empty")
    if item["category"] not in CATEGORIES:
        raise fail("category", f"{item['category']!r} is not one of {', '.join(CATEGORIES)}")
    synonyms = item.get("synonyms")
    if not isinstance(synonyms, list) or not synonyms or not all(_text(s) for s in synonyms):
        raise fail("synonyms", "must be a non-empty list of words")
    prior = item.get("prior")
    if not _number(prior) or not 0 < prior < 1:
        raise fail("prior", f"{prior!r} is not a probability strictly between 0 and 1")
    evidence = item.get("evidence")
    if not isinstance(evidence, dict) or not _text(evidence.get("note")):
        raise fail("evidence", "needs a 'level' and a 'note'")
    if evidence.get("level") not in EVIDENCE_LEVELS:
        raise fail("evidence", f"level {evidence.get('level')!r} is not one of {EVIDENCE_LEVELS}")
    is_factor = item["category"] == "aggravating"
    noticed_by: tuple[str, ...] = ()
    features: tuple[Feature, ...] = ()
    criteria: tuple[Criteria, ...] = ()
    if is_factor:
        # A factor is noticed when the person says it applies: the finding states the factor,
        # so there is no likelihood ratio to weigh (knowledge_base.yml's header says why).
        noticed_by = tuple(item.get("noticed_by") or ())
        if not noticed_by or any(fid not in vocabulary for fid in noticed_by):
            raise fail("noticed_by", "must list the finding ids that state this factor")
        if "features" in item:
            raise fail("features", "aggravating factors are noticed, not weighed")
    else:
        for key in CAUSE_SOURCES:
            if not _text(item.get(key)):
                raise fail(key, "must say where the numbers come from, or 'project estimate'")
        if "features" not in item:
            raise fail("features", "is missing")
        try:
            features = _parse_features(item["features"], "features", vocabulary, where)
            criteria = tuple(_parse_criteria(c, vocabulary) for c in item.get("criteria") or [])
        except _FeatureError as error:
            raise fail("features" if "criteria" not in str(error) else "criteria",
                       str(error)) from None
        if not features:
            raise fail("features", "is empty")
    related = []
    for link in item.get("related") or []:
        if not isinstance(link, dict) or not _text(link.get("id")) or not _text(link.get("note")):
            raise fail("related", "each link needs an 'id' and a 'note'")
        related.append(Related(id=link["id"], note=" ".join(link["note"].split())))
    return Cause(
        id=item["id"],
        name=item["name"],
        category=item["category"],
        synonyms=tuple(synonyms),
        summary=" ".join(item["summary"].split()),
        explanation=" ".join(item["explanation"].split()),
        who_can_help=" ".join(item["who_can_help"].split()),
        evidence=Evidence(level=evidence["level"], note=" ".join(evidence["note"].split())),
        prior=float(prior),
        features=features,
        related=tuple(related),
        prior_source=str(item.get("prior_source") or ""),
        weights_source=str(item.get("weights_source") or ""),
        criteria=criteria,
        noticed_by=noticed_by,
        beyond_seed=" ".join(str(item.get("beyond_seed") or "").split()),
    )


def _parse_criteria(raw: Any, vocabulary: dict[str, FindingKind]) -> Criteria:
    if not isinstance(raw, dict) or set(raw) - CRITERIA_KEYS:
        raise _FeatureError(f"criteria {raw!r}: expected the keys {sorted(CRITERIA_KEYS)}")
    name = raw.get("name")
    items = raw.get("items")
    if not _text(name) or not _text(raw.get("source")):
        raise _FeatureError(f"criteria {name!r}: 'name' and 'source' are needed")
    if not isinstance(items, list) or len(items) < 2:
        raise _FeatureError(f"criteria {name!r}: 'items' needs two or more lists of finding ids")
    for part in items:
        if not isinstance(part, list) or not part or any(f not in vocabulary for f in part):
            raise _FeatureError(f"criteria {name!r}: unknown finding in item {part!r}")
    lr_at_least = raw.get("lr_at_least")
    if not isinstance(lr_at_least, dict) or not lr_at_least or not all(
        isinstance(k, int) and _number(v) and v > 0 for k, v in lr_at_least.items()
    ):
        raise _FeatureError(f"criteria {name!r}: 'lr_at_least' maps counts to positive ratios")
    fewer = raw.get("lr_fewer", 1.0)
    if not _number(fewer) or fewer <= 0:
        raise _FeatureError(f"criteria {name!r}: 'lr_fewer' is not a positive number")
    return Criteria(
        name=name,
        source=" ".join(raw["source"].split()),
        items=tuple(tuple(part) for part in items),
        lr_at_least=tuple(sorted((int(k), float(v)) for k, v in lr_at_least.items())),
        lr_fewer=float(fewer),
    )

class _FeatureError(ValueError):
    """A feature is malformed (the caller adds the entry and field)."""


def _parse_features(
    items: Any, field: str, vocabulary: dict[str, FindingKind], where: str
) -> tuple[Feature, ...]:
    if not isinstance(items, list):
        raise _FeatureError("must be a list")
    features = []
    for position, raw in enumerate(items):
        label = f"{field}[{position}]"
        if not isinstance(raw, dict):
            raise _FeatureError(f"{label} is not a mapping")
        unknown = set(raw) - FEATURE_KEYS
        if unknown:
            raise _FeatureError(f"{label} has unknown keys {sorted(unknown)}")
        finding = raw.get("finding")
        if finding not in vocabulary:
            raise _FeatureError(f"{label}: unknown finding id {finding!r}")
        kind = vocabulary[finding]
        conditional = any(raw.get(key) is not None for key in ("min", "max", "value"))
        needed = ("lr_present",) if conditional else ("lr_present", "lr_absent")
        for key in needed:
            if key not in raw:
                raise _FeatureError(f"{label} ({finding}): {key} is missing")
        for key in ("lr_present", "lr_absent"):
            if key in raw and not (_number(raw[key]) and raw[key] > 0 and math.isfinite(raw[key])):
                raise _FeatureError(
                    f"{label} ({finding}): {key} {raw[key]!r} is not a positive number"
                )
        for key in ("min", "max"):
            if raw.get(key) is not None and not _number(raw[key]):
                raise _FeatureError(f"{label} ({finding}): {key} {raw[key]!r} is not a number")
        if conditional and kind.value is None:
            raise _FeatureError(f"{label} ({finding}): this finding carries no value to compare")
        if raw.get("source") is not None and not _text(raw["source"]):
            raise _FeatureError(f"{label} ({finding}): source {raw['source']!r} is not text")
        if raw.get("value") is not None and not _text(raw["value"]):
            raise _FeatureError(f"{label} ({finding}): value {raw['value']!r} is not a word")
        features.append(
            Feature(
                finding=finding,
                lr_present=float(raw["lr_present"]),
                lr_absent=float(raw.get("lr_absent", 1.0)),
                min=raw.get("min"),
                max=raw.get("max"),
                value=raw["value"].strip().lower() if raw.get("value") is not None else None,
                group=raw.get("group"),
                reason=raw.get("reason"),
                source=raw.get("source"),
            )
        )
    return tuple(features)


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _as_number(value: Any) -> float | None:
    if _number(value):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None

