"""The questions people ask after the results, answered from what they said.

"What can I do?", "is it serious?", "should I get an MRI?", "how long will it last?", "can I
still go to the gym?", "what painkiller can I take?", "whom should I see?": each kind has a
short answer in bot/data/self_care.yml, and this module picks its parts from the person's own
assessment (a warning standing, how long the pain has lasted, the causes that fit). A warning
that still stands comes first: the answer explains it and what to do, never exercises.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.knowledge import KnowledgeBase
from bot.model import INTERRUPTING, Assessment, CauseMatch
from bot.questions import screen_signs
from bot.vocabulary import DATA_DIR

SELF_CARE_PATH = DATA_DIR / "self_care.yml"
CUES_PATH = DATA_DIR / "followup_patterns.yml"
# intent -> kind of follow-up question
KINDS = {
    "ask_self_care": "self_care",
    "ask_serious": "serious",
    "ask_imaging": "imaging",
    "ask_course": "course",
    "ask_activity": "activity",
    "ask_painkillers": "painkillers",
    "ask_whom_to_see": "whom_to_see",
    "ask_warning": "warning",
    "ask_beyond_scope": "beyond_scope",
    "other_language": "other_language",
}
NERVE_CAUSES = {"herniated_disc", "true_sciatica", "nerve_compression_entrapment"}
SHOWN = 3  # causes a result shows (bot/wording.py)
SUPPORTS = ("strong", "moderate", "weak")


class SelfCareError(ValueError):
    """self_care.yml is malformed; the message names the field."""


@dataclass(frozen=True)
class Advice:
    """One point of self-care advice and how well the evidence supports it."""

    text: str
    support: str
    source: str


@lru_cache(maxsize=1)
def load_self_care(path: Path = SELF_CARE_PATH) -> dict[str, Any]:
    """The advice file, checked: every general point has a known support level and a source."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    for key in ("support_words", "self_care", "answers"):
        if not isinstance(raw.get(key), dict):
            raise SelfCareError(f"{path.name}: field {key!r} is missing or not a mapping")
    for index, point in enumerate(raw["self_care"].get("general") or []):
        if point.get("support") not in SUPPORTS or not point.get("source") or not point.get("text"):
            raise SelfCareError(f"{path.name}: self_care.general #{index}: needs support "
                                f"({', '.join(SUPPORTS)}), source and text")
    return raw


def kind_of(intent: str) -> str | None:
    """The kind of follow-up an intent asks, if it is one."""
    return KINDS.get(intent)


@dataclass(frozen=True)
class Cues:
    """The follow-up cues of bot/data/followup_patterns.yml, compiled."""

    asks: re.Pattern[str]
    kinds: tuple[tuple[str, tuple[re.Pattern[str], ...]], ...]


@lru_cache(maxsize=1)
def load_cues(path: Path = CUES_PATH) -> Cues:
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    try:
        # "self_care/asked": a second list of a kind, for question forms that come before
        # another kind's topic words ("anything I can do for him, he hurt it at football")
        kinds = tuple((kind.split("/")[0], tuple(re.compile(p) for p in patterns))
                      for kind, patterns in (raw.get("kinds") or {}).items())
        asks = re.compile(raw["asks"])
    except (KeyError, re.error) as error:
        raise SelfCareError(f"{path.name}: {error}") from error
    unknown = {kind for kind, _ in kinds} - set(KINDS.values()) - {"been_checked"}
    if unknown:
        raise SelfCareError(f"{path.name}: unknown kinds {sorted(unknown)}")
    return Cues(asks, kinds)


def asks(text: str) -> bool:
    """Whether a message asks something (a question word, a "?", "should i"...)."""
    return bool(load_cues().asks.search(" ".join(text.lower().split())))


def cued(text: str, kind: str) -> bool:
    """Whether any cue of one kind matches a message, asked or not."""
    lowered = " ".join(text.lower().split())
    return any(p.search(lowered) for k, patterns in load_cues().kinds if k == kind
               for p in patterns)


def cue_kind(text: str) -> str | None:
    """The kind of follow-up question a message asks by its words ("should I get an MRI?" is
    about imaging), or None; "been_checked" for a report of having been seen."""
    lowered = " ".join(text.lower().split())
    cues = load_cues()
    asks = bool(cues.asks.search(lowered))
    for kind, patterns in cues.kinds:
        if (asks or kind == "been_checked") and any(p.search(lowered) for p in patterns):
            return kind
    return None  # (kinds are tried in the file's order; been_checked comes last)


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


class Advisor:
    """Answers follow-up questions for one assessment."""

    def __init__(self, kb: KnowledgeBase, data: dict[str, Any] | None = None) -> None:
        self.kb = kb
        self.data = data or load_self_care()
        self.answers = self.data["answers"]

    # ------------------------------------------------------------------ helpers
    def standing(self, assessment: Assessment, cleared: set[str]) -> list[Any]:
        """The emergency or urgent warnings the person has not been checked for."""
        return [f for f in assessment.red_flags
                if f.urgency in INTERRUPTING and f.id not in cleared]

    @staticmethod
    def shown(assessment: Assessment) -> list[CauseMatch]:
        return [cause for cause in assessment.causes if cause.reasons][:SHOWN]

    def warning_explained(self, flags: list[Any]) -> list[str]:
        """What the standing warnings are about, and what to do."""
        parts = []
        ids = {flag.id for flag in flags}
        for condition in self.kb.conditions.values():
            if ids & set(condition.flags):
                parts.append(f"{condition.name}: {condition.explanation} {condition.act}")
        if not parts:
            parts = [flag.reason for flag in flags]
        return parts

    # ------------------------------------------------------------------ answers
    def answer(self, kind: str, assessment: Assessment, cleared: set[str] | None = None,
               screened: bool = True) -> list[str]:
        """The messages that answer one kind of follow-up question."""
        cleared = cleared or set()
        flags = self.standing(assessment, cleared)
        if kind == "other_language":
            return [self.answers["english_only"]]
        if kind == "beyond_scope":
            return [self.answers["beyond_scope"]]
        if kind == "warning":  # what a warning given (or checked since) is about
            given = [f for f in assessment.red_flags if f.urgency in INTERRUPTING] or [
                f for f in assessment.red_flags if f.urgency == "soon"]
            return self.warning_explained(given) if given else [self.answers["no_warning"]]
        if flags and kind in ("self_care", "activity"):
            return [_one_line(self.data["self_care"]["after_warning"]),
                    *self.warning_explained(flags)]
        return getattr(self, f"_{kind}")(assessment, flags, screened)

    def _self_care(self, assessment: Assessment, flags: list[Any], screened: bool) -> list[str]:
        care = self.data["self_care"]
        words = self.data["support_words"]
        points = [f"- {_one_line(p['text'])} ({words[p['support']]})" for p in care["general"]]
        tailored = [
            _one_line(care["by_cause"][cause.id])
            for cause in self.shown(assessment) if cause.id in care["by_cause"]
        ][:2]
        texts = [care["intro"] + "\n" + "\n".join(points)]
        if tailored:
            texts.append(" ".join(tailored))
        return texts

    def _serious(self, assessment: Assessment, flags: list[Any], screened: bool) -> list[str]:
        serious = self.answers["serious"]
        if flags:
            return [serious["warning"], *self.warning_explained(flags)]
        soon = [f for f in assessment.red_flags if f.urgency == "soon"]
        if soon:
            return [serious["soon"].format(reason=soon[0].reason), serious["changes"]]
        if not screened:
            return [serious["not_screened"]]
        signs = screen_signs()
        asked = sum(1 for f in assessment.findings if f.id in signs and not f.present)
        return [serious["reassuring"].format(count=max(asked, 1)), serious["changes"]]

    def _imaging(self, assessment: Assessment, flags: list[Any], screened: bool) -> list[str]:
        imaging = self.answers["imaging"]
        texts = [imaging["general"], imaging["when"]]
        if flags or any(f.urgency == "soon" for f in assessment.red_flags):
            texts.append(imaging["warning"])
        texts.append(imaging["blood"])
        return [" ".join(texts)]

    def _course(self, assessment: Assessment, flags: list[Any], screened: bool) -> list[str]:
        course = self.answers["course"]
        known = {f.id: f.present for f in assessment.findings}
        if known.get("duration_chronic"):
            text = course["persistent"]
        elif known.get("duration_acute"):
            text = course["acute"]
        else:
            text = course["unknown"]
        if {c.id for c in self.shown(assessment)[:1]} & NERVE_CAUSES:
            text += " " + course["nerve"]
        return [text]

    def _activity(self, assessment: Assessment, flags: list[Any], screened: bool) -> list[str]:
        activity = self.answers["activity"]
        texts = [activity["general"], activity["gym"], activity["travel"]]
        care = self.data["self_care"]["by_cause"]
        for cause in self.shown(assessment):
            if cause.id in ("spondylolisthesis", "spinal_stenosis", "ankylosing_spondylitis"):
                texts.append(_one_line(care[cause.id]))
                break
        return [" ".join(texts)]

    def _painkillers(self, assessment: Assessment, flags: list[Any], screened: bool) -> list[str]:
        painkillers = self.answers["painkillers"]
        texts = [painkillers["general"]]
        if {c.id for c in self.shown(assessment)} & NERVE_CAUSES:
            texts.append(painkillers["nerve"])
        texts.append(painkillers["check"])
        return [" ".join(texts)]

    def _whom_to_see(self, assessment: Assessment, flags: list[Any], screened: bool) -> list[str]:
        whom = self.answers["whom_to_see"]
        texts = [whom["general"]]
        shown = self.shown(assessment)
        if shown and flags == []:
            first = self.kb.get(shown[0].id)
            name = first.name.split(" (")[0]
            who = first.who_can_help.strip()
            texts.append(whom["cause"].format(name=name.lower(), who=who[:1].lower() + who[1:]))
        texts.append(whom["when"])
        if flags:
            texts = [*self.warning_explained(flags), whom["when"]]
        return [" ".join(texts)]
