"""Everything the assistant says, composed from the knowledge base and bot/data/wording.yml.

Each method returns plain `Message`s (text and optional buttons); the channels decide how to
show them. Buttons carry Rasa-style payloads (`/intent{"entity": "value"}`) so that a click
never depends on how the classifier reads a button's title.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.knowledge import CAUSE_CATEGORIES, KnowledgeBase
from bot.matching import describe, known_findings
from bot.model import URGENCY_ORDER, Assessment, CauseMatch, Finding, RedFlag
from bot.questions import Question
from bot.vocabulary import DATA_DIR, FindingKind

SHOWN_CAUSES = 3
STRONG_FIT = 0.6
MODERATE_FIT = 0.3
UNDERSTOOD_ITEMS = 8
DONT_KNOW = "dont_know"  # the questions' own "I don't know" button; ours replaces it


@dataclass(frozen=True)
class Message:
    """One message to send: text, and buttons as [{"title", "payload"}]."""

    text: str
    buttons: list[dict[str, str]] = field(default_factory=list)


def payload(intent: str, **entities: str) -> str:
    """A button payload that Rasa reads as `intent` with `entities`, bypassing NLU."""
    return f"/{intent}{json.dumps(entities)}" if entities else f"/{intent}"


@lru_cache(maxsize=1)
def load_phrases(path: Path = DATA_DIR / "wording.yml") -> dict[str, Any]:
    """The connecting sentences (read once)."""
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def join(items: Iterable[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    items = [item for item in items if item]
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def urgent(assessment: Assessment) -> bool:
    """True when a red flag calls for help today or now."""
    return any(flag.urgency in ("emergency", "urgent") for flag in assessment.red_flags)


class Wording:
    """Turns the engine's conclusions into messages for a person."""

    def __init__(self, kb: KnowledgeBase, vocabulary: dict[str, FindingKind]) -> None:
        self.kb = kb
        self.vocabulary = vocabulary
        self.phrases = load_phrases()

    # ------------------------------------------------------------------ findings in words
    def finding_text(self, finding: Finding) -> str:
        """How to say one finding back to the person ("worse when sitting", "no numbness")."""
        return describe(finding)

    def understood(self, learned: list[Finding]) -> str:
        """Acknowledges what was read from a description, so the person can correct it."""
        items = [self.finding_text(finding) for finding in learned]
        items = [item for item in dict.fromkeys(items) if item][:UNDERSTOOD_ITEMS]
        if not items:
            return self.phrases["understood_nothing"]
        return self.phrases["understood"].format(items="; ".join(items))

    # ------------------------------------------------------------------ the interview
    def nothing_more_to_ask(self) -> str:
        return self.phrases["nothing_more_to_ask"]

    def soon_note(self, flag: RedFlag) -> str:
        return self.phrases["soon_note"].format(reason=flag.reason)

    def question_message(self, question: Question) -> Message:
        """A question with its choices, "I don't know" and "Why do you ask?" as buttons."""
        buttons = [
            {
                "title": button.title,
                "payload": payload("inform", choice=f"{question.id}:{button.payload}"),
            }
            for button in question.buttons
            if button.payload != DONT_KNOW
        ]
        buttons.append({"title": self.phrases["dont_know_button"], "payload": payload("dont_know")})
        buttons.append({"title": self.phrases["why_button"], "payload": payload("ask_why")})
        return Message(question.text, buttons)

    def why(self, question: Question) -> str:
        why = question.why.strip()
        return self.phrases["why_prefix"].format(why=why[0].lower() + why[1:])

    def answer_hint(self, question: Question) -> str:
        titles = [f'"{button.title}"' for button in question.buttons if not button.dont_know]
        hint = self.phrases["answer_hint_examples"].format(examples=", ".join(titles[:3]))
        return self.phrases["answer_hint"].format(hint=hint)

    # ------------------------------------------------------------------ red flags
    def red_flag_advice(self, flags: list[RedFlag]) -> list[Message]:
        """What to do and why, at the most urgent level raised; never a list of causes."""
        return [Message(text) for text in red_flag_advice(flags, self.phrases)]

    # ------------------------------------------------------------------ results
    def shown(self, assessment: Assessment) -> list[CauseMatch]:
        """The causes a result shows: the best few that the findings support at all, and none
        while an emergency or urgent red flag stands (then only the advice is given)."""
        if urgent(assessment):
            return []
        return [cause for cause in assessment.causes if cause.reasons][:SHOWN_CAUSES]

    def fit(self, score: float) -> str:
        fits = self.phrases["results"]["fit"]
        if score >= STRONG_FIT:
            return fits["strong"]
        return fits["moderate"] if score >= MODERATE_FIT else fits["weak"]

    def results(self, assessment: Assessment) -> list[Message]:
        """Possible causes with reasons, factors noticed, and who can help; or urgent advice."""
        if urgent(assessment):
            return self.red_flag_advice(assessment.red_flags)
        phrases = self.phrases["results"]
        shown = self.shown(assessment)
        if not shown:
            return [Message(phrases["none"])]
        parts = [phrases["intro"]]
        for rank, match in enumerate(shown, start=1):
            entry = self.kb.get(match.id)
            part = phrases["cause"].format(
                rank=rank,
                name=entry.name,
                fit=self.fit(match.score),
                summary=entry.summary,
                reasons="; ".join(match.reasons[:4]),
            )
            if match.reasons_against:
                part += "\n" + phrases["against"].format(
                    reasons="; ".join(match.reasons_against[:2])
                )
            if entry.evidence.level == "weak":
                part += "\n" + phrases["weak_evidence"].format(note=entry.evidence.note.strip())
            parts.append(part)
        if len(shown) > 1:
            parts.append(phrases["several"])
        messages = [Message("\n\n".join(parts))]
        closing = []
        if assessment.aggravating_factors:
            items = [
                phrases["factor_item"].format(name=factor.name, reasons=join(factor.reasons[:2]))
                for factor in assessment.aggravating_factors
            ]
            closing.append(phrases["factors"].format(items="; ".join(items)))
        soon = [flag.reason for flag in assessment.red_flags if flag.urgency == "soon"]
        if soon:
            closing.append(phrases["soon"].format(reasons=" ".join(dict.fromkeys(soon))))
        who = self.kb.get(shown[0].id).who_can_help.strip() or phrases["who_default"]
        closing.append(phrases["closing"].format(who=who))
        buttons = [
            {
                "title": phrases["more_button"].format(rank=rank),
                "payload": payload("ask_more", rank=str(rank)),
            }
            for rank in range(1, len(shown) + 1)
        ]
        buttons.append({"title": phrases["summary_button"], "payload": payload("ask_summary")})
        buttons.append({"title": phrases["restart_button"], "payload": payload("start_over")})
        messages.append(Message("\n\n".join(closing), buttons))
        return messages

    # ------------------------------------------------------------------ explanations
    def category_name(self, category: str) -> str:
        return self.phrases["categories"][category]

    def explain(self, cause_id: str, match: CauseMatch | None = None) -> list[Message]:
        """A fuller explanation of one cause, with how the person's own findings bear on it."""
        phrases = self.phrases["explain"]
        if cause_id not in self.kb:
            return [Message(phrases["unknown"].format(name=cause_id)), *self.list_causes(None)]
        entry = self.kb.get(cause_id)
        parts = [
            phrases["heading"].format(
                name=entry.name, category_name=self.category_name(entry.category)
            ),
            entry.explanation.strip(),
        ]
        if match is not None and match.reasons:
            parts.append(phrases["fits"].format(reasons="; ".join(match.reasons)))
        if match is not None and match.reasons_against:
            parts.append(phrases["against"].format(reasons="; ".join(match.reasons_against)))
        parts.append(phrases["evidence"].format(note=entry.evidence.note.strip()))
        notes = [link.note.strip() for link in entry.related]
        if notes:
            parts.append(phrases["related"].format(notes=" ".join(notes)))
        parts.append(phrases["who"].format(who=entry.who_can_help.strip()))
        parts.append(phrases["not_diagnosis"])
        return [Message("\n\n".join(parts))]

    def which_cause(self) -> list[Message]:
        return [
            Message(
                self.phrases["explain"]["which"],
                [
                    {
                        "title": self.phrases["help_buttons"][0]["title"],
                        "payload": payload("list_causes"),
                    }
                ],
            )
        ]

    def list_causes(self, category: str | None) -> list[Message]:
        """The causes of one category with a line each, or an overview of all of them."""
        phrases = self.phrases["list"]
        if category in self.phrases["categories"]:
            if category == "aggravating":
                return self.aggravating_factors(None)
            entries = self.kb.by_category(category)
            lines = [
                phrases["heading"].format(
                    category_name=self.category_name(category), count=len(entries)
                )
            ]
            lines += [
                phrases["item"].format(name=e.name, summary=e.summary.strip()) for e in entries
            ]
            if category == "musculoskeletal":
                lines.append(phrases["musculoskeletal_note"])
            lines.append(phrases["hint"].format(example=entries[0].name.split(" (")[0].lower()))
            return [Message("\n".join(lines))]
        lines = [
            phrases["all_heading"].format(causes=len(self.kb.causes), factors=len(self.kb.factors))
        ]
        for name in (*CAUSE_CATEGORIES, "aggravating"):
            entries = self.kb.by_category(name)
            lines.append(
                phrases["group"].format(
                    category_name=self.category_name(name).capitalize(),
                    names=", ".join(e.name for e in entries),
                )
            )
        lines.append(phrases["hint"].format(example="spinal stenosis"))
        buttons = [
            {
                "title": self.category_name(name).capitalize(),
                "payload": payload("list_causes", category=name),
            }
            for name in (*CAUSE_CATEGORIES, "aggravating")
        ]
        return [Message("\n".join(lines), buttons)]

    def aggravating_factors(self, assessment: Assessment | None) -> list[Message]:
        """What commonly makes back pain worse, and which of it this person mentioned."""
        phrases = self.phrases["aggravating"]
        lines = [phrases["heading"]]
        lines += [
            phrases["item"].format(name=e.name, summary=e.summary.strip()) for e in self.kb.factors
        ]
        if assessment is not None:
            noticed = [factor.name for factor in assessment.aggravating_factors]
            lines.append(
                phrases["noticed"].format(names=join(noticed))
                if noticed
                else phrases["none_noticed"]
            )
        return [Message("\n".join(lines))]

    # ------------------------------------------------------------------ summary for a clinician
    def clinician_summary(
        self, assessment: Assessment, unanswered: list[str] | None = None
    ) -> list[Message]:
        """One plain message: what was reported and denied, the red-flag screen, possible causes."""
        phrases = self.phrases["summary"]
        known = list(known_findings(assessment.findings).values())
        reported = [self.finding_text(f) for f in known if f.present]
        denied = [self.finding_text(f) for f in known if not f.present]
        lines = [
            phrases["heading"],
            phrases["reported"].format(items="; ".join(reported) or phrases["nothing"]),
            phrases["denied"].format(items="; ".join(denied) or phrases["nothing"]),
        ]
        if assessment.red_flags:
            items = [f"{flag.urgency}: {flag.reason}" for flag in assessment.red_flags]
            lines.append(phrases["red_flags"].format(items=" ".join(items)))
        else:
            lines.append(phrases["red_flags_none"])
        shown = self.shown(assessment)
        if shown:
            items = [f"{m.name} ({'; '.join(m.reasons[:3])})" for m in shown]
            lines.append(phrases["causes"].format(items="; ".join(items)))
        else:
            lines.append(phrases["causes_none"])
        if assessment.aggravating_factors:
            lines.append(
                phrases["factors"].format(
                    items=", ".join(f.name for f in assessment.aggravating_factors)
                )
            )
        if unanswered:
            lines.append(phrases["unanswered"].format(items=", ".join(unanswered)))
        return [Message("\n".join(lines))]

    # ------------------------------------------------------------------ the session
    def help(self) -> list[Message]:
        texts = self.phrases["help"]
        buttons = [dict(button) for button in self.phrases["help_buttons"]]
        return [Message(text) for text in texts[:-1]] + [Message(texts[-1], buttons)]

    def started_over(self) -> str:
        return self.phrases["started_over"]

    def forgotten(self) -> str:
        return self.phrases["forgotten"]


def red_flag_advice(flags: list[RedFlag], phrases: dict[str, Any] | None = None) -> list[str]:
    """What to do and why, at the most urgent level among `flags`; with no flag (the classifier
    heard a warning sign the rules did not), the advice errs towards urgency."""
    said = (phrases or load_phrases())["red_flag"]
    if not flags:
        return [f"{said['urgent']}\n{said['unspecified']}", said["closing"]]
    level = min((flag.urgency for flag in flags), key=URGENCY_ORDER.index)
    reasons = " ".join(dict.fromkeys(flag.reason for flag in flags if flag.urgency == level))
    return [f"{said[level]}\n{said['why'].format(reasons=reasons)}", said["closing"]]
