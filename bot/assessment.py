"""One assessment: text or findings in; red flags, ranked causes and aggravating factors out."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from bot.knowledge import KnowledgeBase, load_knowledge_base
from bot.matching import find_aggravating_factors, rank_causes
from bot.model import Assessment, CauseMatch, Finding, RedFlag

MAX_CAUSES = 5
SCORE_PLACES = 3

Extract = Callable[[str], list[Finding]]
Triage = Callable[[list[Finding]], list[RedFlag]]


class Assessor:
    """Loads the knowledge base and the extractor once, then assesses many descriptions.

    `extract` and `triage` default to `bot.extraction.extract_findings` and `bot.triage.triage`;
    tests may pass their own.
    """

    def __init__(
        self,
        kb: KnowledgeBase | None = None,
        extract: Extract | None = None,
        triage: Triage | None = None,
        max_causes: int = MAX_CAUSES,
    ) -> None:
        self.kb = kb or load_knowledge_base()
        if extract is None:
            from bot.extraction import extract_findings

            extract = extract_findings
            extract("warm up")  # build the pipeline now, not on the first real message
        if triage is None:
            from bot.triage import triage
        self._extract = extract
        self._triage = triage
        self.max_causes = max_causes

    def assess_text(self, text: str) -> Assessment:
        """Read findings from `text` and assess them."""
        return self.assess_findings(self._extract(text))

    def assess_findings(self, findings: Iterable[Finding]) -> Assessment:
        """Red flags, the best-fitting causes (only those with a reason, best first, scores
        rounded) and the aggravating factors for these findings."""
        findings = list(findings)
        causes = [
            _rounded(match) for match in rank_causes(findings, self.kb) if match.reasons
        ][: self.max_causes]
        return Assessment(
            red_flags=list(self._triage(findings)),
            causes=causes,
            aggravating_factors=find_aggravating_factors(findings, self.kb),
            findings=findings,
        )


def _rounded(match: CauseMatch) -> CauseMatch:
    return CauseMatch(
        id=match.id,
        name=match.name,
        category=match.category,
        score=round(match.score, SCORE_PLACES),
        reasons=list(match.reasons),
        reasons_against=list(match.reasons_against),
    )
