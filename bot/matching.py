"""Rank the knowledge base's causes against a person's findings, with reasons in plain words.

Each entry is scored on its own (several causes can contribute at once): the prior odds are
multiplied by the likelihood ratio of every finding the person has (`lr_present`) or denied
(`lr_absent`), and turned back into a probability. Findings never mentioned are neutral. Features
of one entry that share a `group` say nearly the same thing, so only the strongest of them counts.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from bot.knowledge import Cause, Feature, KnowledgeBase, load_knowledge_base
from bot.model import CauseMatch, FactorMatch, Finding
from bot.vocabulary import load_vocabulary

FACTOR_THRESHOLD = 0.5


@dataclass(frozen=True)
class Contribution:
    """One finding's effect on one entry."""

    feature: Feature
    finding: Finding
    ratio: float
    counted: bool = True

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


def contributions(entry: Cause, known: dict[str, Finding], kb: KnowledgeBase) -> list[Contribution]:
    """Every feature of `entry` that a known finding triggers; `counted` marks group winners."""
    found: list[Contribution] = []
    for feature in kb.features_for(entry):
        finding = known.get(feature.finding)
        if finding is None:
            continue
        ratio = feature.ratio(finding)
        if ratio is not None and ratio != 1.0:
            found.append(Contribution(feature, finding, ratio))
    best: dict[str, Contribution] = {}
    for item in found:
        group = item.feature.group
        if group is not None and (group not in best or item.weight > best[group].weight):
            best[group] = item
    return [
        item
        if item.feature.group is None or best[item.feature.group] is item
        else Contribution(item.feature, item.finding, item.ratio, counted=False)
        for item in found
    ]


def likelihood_ratio(entry: Cause, known: dict[str, Finding], kb: KnowledgeBase) -> float:
    """The combined likelihood ratio of everything known, for one entry."""
    return math.prod(item.ratio for item in contributions(entry, known, kb) if item.counted)


def posterior(prior: float, ratio: float) -> float:
    """Probability after multiplying the prior odds by `ratio`."""
    odds = prior / (1.0 - prior) * ratio
    return odds / (1.0 + odds)


def describe(finding: Finding, feature: Feature | None = None) -> str:
    """The person's finding in plain words, e.g. "pain shooting below the knee"."""
    vocabulary = load_vocabulary()
    kind = vocabulary.get(finding.id)
    if finding.present and feature is not None and feature.reason:
        return feature.reason
    if kind is None:
        return finding.id.replace("_", " ")
    if not finding.present:
        return kind.denied or f"not {kind.label}"
    if finding.value is None or finding.value == "":
        return kind.label
    if finding.id == "age":
        return f"being {finding.value} years old"
    if finding.id == "sex":
        return f"being {finding.value}"
    unit = {"minutes": "minutes", "weeks": "weeks"}.get(kind.value or "", "")
    return f"{kind.label} (about {finding.value} {unit})".replace(" )", ")")


def _reasons(items: list[Contribution], favour: bool) -> list[str]:
    chosen = [item for item in items if (item.ratio > 1.0) == favour]
    chosen.sort(key=lambda item: (not item.counted, -item.weight))
    texts: list[str] = []
    for item in chosen:
        text = describe(item.finding, item.feature)
        if text not in texts:
            texts.append(text)
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
    """Aggravating factors the findings make more likely than not, strongest first."""
    kb = kb or load_knowledge_base()
    known = known_findings(findings)
    scored = []
    for entry in kb.factors:
        match = match_entry(entry, known, kb)
        if match.score >= FACTOR_THRESHOLD and match.reasons:
            scored.append((match.score, FactorMatch(entry.id, entry.name, match.reasons)))
    scored.sort(key=lambda pair: -pair[0])
    return [factor for _, factor in scored]
