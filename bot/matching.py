"""Rank the knowledge base's causes against a person's findings, with reasons in plain words.

Each entry is scored on its own (several causes can contribute at once): the prior odds are
multiplied by the likelihood ratio of every finding the person has (`lr_present`) or denied
(`lr_absent`), and turned back into a probability. Findings never mentioned are neutral. Features
of one entry that share a `group` say nearly the same thing, so only the strongest of them counts;
criteria that are not independent (the Berlin items for inflammatory back pain) are counted
together and give one ratio. Before scoring, the knowledge base's derived findings are worked out
(leg symptoms brought on by walking are neurogenic claudication) and the age at onset is taken
from the age when it cannot be later than it. Aggravating factors are not scored: one is noticed
when the person says it applies.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from bot.conditions import holds
from bot.describing import describe
from bot.knowledge import Cause, Feature, KnowledgeBase, load_knowledge_base
from bot.model import CauseMatch, FactorMatch, Finding
from bot.vocabulary import load_vocabulary

ONSET_BEFORE = 45  # an age under this is also an onset age under it (onset is never later)


@dataclass(frozen=True)
class Contribution:
    """One finding's effect on one entry."""

    feature: Feature
    finding: Finding
    ratio: float
    counted: bool = True
    also: tuple[Finding, ...] = ()  # more findings behind the same ratio (criteria)

    @property
    def weight(self) -> float:
        """How strongly this finding moves the odds, either way (|log ratio|)."""
        return abs(math.log(self.ratio))


def known_findings(findings: Iterable[Finding]) -> dict[str, Finding]:
    """The findings by id; when one id is given twice, the later statement wins."""
    known: dict[str, Finding] = {}
    for finding in findings:
        known.pop(finding.id, None)
        known[finding.id] = finding
    return known


def with_derived(known: dict[str, Finding], kb: KnowledgeBase) -> dict[str, Finding]:
    """`known` plus what the knowledge base derives from it (stated findings always win)."""
    out = dict(known)
    for rule in kb.derived:
        if rule.id in out:
            continue
        if holds(rule.when, known):
            out[rule.id] = Finding(rule.id, True)
        elif rule.denied_when is not None and holds(rule.denied_when, known):
            out[rule.id] = Finding(rule.id, False)
    age = known.get("age")
    if "onset_age" not in out and age is not None and age.present \
            and isinstance(age.value, (int, float)) and age.value < ONSET_BEFORE:
        out["onset_age"] = Finding("onset_age", True, age.value)
    return out


def contributions(entry: Cause, known: dict[str, Finding], kb: KnowledgeBase) -> list[Contribution]:
    """Every feature of `entry` that a known finding triggers; `counted` marks group winners."""
    known = with_derived(known, kb)
    found: list[Contribution] = []
    for feature in kb.features_for(entry):
        finding = known.get(feature.finding)
        if finding is None:
            continue
        ratio = feature.ratio(finding)
        if ratio is not None and ratio != 1.0:
            found.append(Contribution(feature, finding, ratio))
    for criteria in entry.criteria:
        ratio, holding = criteria.ratio(known)
        if ratio != 1.0:
            feature = Feature(finding=criteria.name, lr_present=ratio, source=criteria.source)
            first = holding[0] if holding else Finding(criteria.name, False)
            found.append(Contribution(feature, first, ratio, also=tuple(holding[1:])))
    best: dict[str, Contribution] = {}
    for item in found:
        group = item.feature.group
        if group is not None and (group not in best or item.weight > best[group].weight):
            best[group] = item
    return [
        item
        if item.feature.group is None or best[item.feature.group] is item
        else Contribution(item.feature, item.finding, item.ratio, counted=False, also=item.also)
        for item in found
    ]


def likelihood_ratio(entry: Cause, known: dict[str, Finding], kb: KnowledgeBase) -> float:
    """The combined likelihood ratio of everything known, for one entry."""
    return math.prod(item.ratio for item in contributions(entry, known, kb) if item.counted)


def posterior(prior: float, ratio: float) -> float:
    """Probability after multiplying the prior odds by `ratio`."""
    odds = prior / (1.0 - prior) * ratio
    return odds / (1.0 + odds)


def _reasons(items: list[Contribution], favour: bool) -> list[str]:
    chosen = [item for item in items if (item.ratio > 1.0) == favour]
    chosen.sort(key=lambda item: (not item.counted, -item.weight))
    texts: list[str] = []
    vocabulary = load_vocabulary()
    for item in chosen:
        criteria = item.feature.finding not in vocabulary
        if criteria and not item.finding.present:
            continue  # counted criteria known not to hold: each denial is said on its own
        described = [describe(f) for f in (item.finding, *item.also)] if criteria else [
            describe(item.finding, item.feature)]
        texts += [text for text in described if text not in texts]
    return texts


def match_entry(entry: Cause, known: dict[str, Finding], kb: KnowledgeBase) -> CauseMatch:
    """Score one entry and explain the score with the person's own findings."""
    items = contributions(entry, known, kb)
    ratio = math.prod(item.ratio for item in items if item.counted)
    return CauseMatch(
        id=entry.id,
        name=entry.name,
        category=entry.category,
        score=posterior(entry.prior, ratio),
        reasons=_reasons(items, favour=True),
        reasons_against=_reasons(items, favour=False),
    )


def rank_causes(findings: Iterable[Finding], kb: KnowledgeBase | None = None) -> list[CauseMatch]:
    """Every cause (not aggravating factors), most probable first.

    Ties keep the more common cause (higher prior) first, then knowledge-base order.
    """
    kb = kb or load_knowledge_base()
    known = known_findings(findings)
    order = {entry.id: index for index, entry in enumerate(kb.causes)}
    priors = {entry.id: entry.prior for entry in kb.causes}
    matches = [match_entry(entry, known, kb) for entry in kb.causes]
    matches.sort(key=lambda match: (-match.score, -priors[match.id], order[match.id]))
    return matches


def find_aggravating_factors(
    findings: Iterable[Finding], kb: KnowledgeBase | None = None
) -> list[FactorMatch]:
    """The aggravating factors the person said apply, in knowledge-base order."""
    kb = kb or load_knowledge_base()
    known = known_findings(findings)
    noticed = []
    for entry in kb.factors:
        reasons = list(dict.fromkeys(
            describe(known[fid]) for fid in entry.noticed_by if fid in known and known[fid].present
        ))
        if reasons:
            noticed.append(FactorMatch(entry.id, entry.name, reasons))
    return noticed
