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

from bot.describing import describe, readback, said_and_denied
from bot.knowledge import CAUSE_CATEGORIES, KnowledgeBase
from bot.matching import known_findings
from bot.model import URGENCY_ORDER, Assessment, CauseMatch, Finding, RedFlag
from bot.questions import Button, Question, load_questions, screen_signs
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

    def understood(self, learned: list[Finding], changes: Iterable[Any] = ()) -> str:
        """Acknowledges what was read from a description, so the person can correct it."""
        items = readback(learned)[:UNDERSTOOD_ITEMS]
        if not items:
            return self.phrases["understood_nothing"]
        text = self.phrases["understood"].format(items="; ".join(items))
        corrected = list(changes)
        if corrected:
            text += " " + self.corrected(corrected)
        return text

    def noted(self, findings: list[Finding], changes: Iterable[Any]) -> str:
        """What a reply said beside the question (or instead of answering it)."""
        changes = list(changes)
        if changes:
            return self.corrected(changes)
        items = readback(findings)
        return self.phrases["noted"].format(items="; ".join(items)) if items else ""

    def corrected(self, changes: Iterable[Any]) -> str:
        """Says what a correction changed: "now: no pain in the legs (before: pain below the
        knee)"."""
        items = [
            self.phrases["change_item"].format(now=describe(c.after), before=describe(c.before))
            for c in changes
        ]
        return self.phrases["corrected"].format(items="; ".join(dict.fromkeys(items)))

    def taken_back(self, changes: Iterable[Any]) -> str:
        items = [describe(c.after) for c in changes] or [self.phrases["taken_back_nothing"]]
        return self.phrases["taken_back"].format(items="; ".join(dict.fromkeys(items)))

    def changed_answer(self, question: Question, answer: str, changes: Iterable[Any]) -> str:
        """An old button tapped: that earlier answer is changed, and said back."""
        title = next((b.title for b in question.buttons if b.payload == answer), answer)
        text = self.phrases["changed_answer"].format(question=question.text, answer=title)
        changes = list(changes)
        return f"{text} {self.corrected(changes)}" if changes else text

    # ------------------------------------------------------------------ the interview
    def nothing_more_to_ask(self) -> str:
        return self.phrases["nothing_more_to_ask"]

    def soon_note(self, flag: RedFlag) -> str:
        return self.phrases["soon_note"].format(reason=flag.reason)

    def question_message(
        self,
        question: Question,
        shown: list[Button] | None = None,
        preface: str = "",
        follow_up: bool = False,
    ) -> Message:
        """A question with the answers worth offering, "I don't know" and "Why do you ask?"
        as buttons. A follow-up of a several-choice question asks for any more, with "That's
        all" instead of "None of these"."""
        shown = list(question.options) if shown is None else shown
        buttons = [
            {
                "title": button.title,
                "payload": payload("inform", choice=f"{question.id}:{button.payload}"),
            }
            for button in shown
            if not (follow_up and button.payload == "none")
        ]
        if follow_up:
            buttons.append({"title": self.phrases["done_button"], "payload": payload(
                "inform", choice=f"{question.id}:none")})
            text = self.phrases["anything_else"]
        else:
            buttons.append({"title": self.phrases["dont_know_button"],
                            "payload": payload("dont_know")})
            buttons.append({"title": self.phrases["why_button"], "payload": payload("ask_why")})
            text = question.text
            if question.multiple:
                text = f"{text} {self.phrases['several_apply']}"
        if preface:
            text = f"{preface} {text}"
        return Message(text, buttons)

    def why(self, question: Question) -> str:
        why = question.why.strip()
        return self.phrases["why_prefix"].format(why=why[0].lower() + why[1:])

    def which_ones(self, question: Question) -> str:
        return self.phrases["which_ones"]

    def answer_hint(self, question: Question, shown: list[Button] | None = None) -> str:
        options = [b for b in (shown if shown is not None else question.options)]
        titles = [f'"{button.title}"' for button in options[:3]]
        hint = self.phrases["answer_hint_examples"].format(examples=", ".join(titles))
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

    def results(
        self, assessment: Assessment, declined: Iterable[Question] = ()
    ) -> list[Message]:
        """Possible causes with reasons, factors noticed, and who can help; or urgent advice.
        Screen questions the person declined are named with what to do about them."""
        if urgent(assessment):
            return self.red_flag_advice(assessment.red_flags)
        phrases = self.phrases["results"]
        shown = self.shown(assessment)
        unchecked = self._unchecked(declined)
        if not shown:
            return [Message(" ".join([phrases["none"], *unchecked]))]
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
        closing += unchecked
        first = self.kb.get(shown[0].id)
        who = first.who_can_help.strip() or phrases["who_default"]
        closing.append(phrases["closing"].format(
            name=first.name.split(" (")[0].lower(), who=who.rstrip(".") + "."))
        buttons = [
            {
                "title": phrases["more_button"].format(rank=rank),
                "payload": payload("ask_more", rank=str(rank)),
            }
            for rank in range(1, len(shown) + 1)
        ]
        buttons.append({"title": phrases["self_care_button"], "payload": payload("ask_self_care")})
        buttons.append({"title": phrases["summary_button"], "payload": payload("ask_summary")})
        buttons.append({"title": phrases["restart_button"], "payload": payload("start_over")})
        messages.append(Message("\n\n".join(closing), buttons))
        return messages

    def _unchecked(self, declined: Iterable[Question]) -> list[str]:
        """What the results could not check: the warning signs of screen questions declined."""
        out = []
        for question in declined:
            signs = [b.title[0].lower() + b.title[1:] for b in question.options
                     if b.present and b.payload != "none"]
            out.append(self.phrases["results"]["unchecked"].format(signs="; ".join(signs)))
        return out

    # ------------------------------------------------------------------ explanations
    def category_name(self, category: str) -> str:
        return self.phrases["categories"][category]

    def explain(self, cause_id: str, match: CauseMatch | None = None) -> list[Message]:
        """A fuller explanation of one cause, with how the person's own findings bear on it."""
        phrases = self.phrases["explain"]
        condition = self.kb.conditions.get(cause_id)
        if condition is not None:
            return [Message("\n\n".join([
                condition.name, condition.explanation,
                phrases["checked"].format(text=condition.checked),
                phrases["act"].format(text=condition.act),
                phrases["not_diagnosis"],
            ]))]
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
        self,
        assessment: Assessment,
        screen: Iterable[Question] = (),
        cleared: Iterable[str] = (),
        unanswered: list[str] | None = None,
    ) -> list[Message]:
        """One plain message: what was reported and denied, each warning sign asked about
        with its answer, red flags raised, possible causes."""
        phrases = self.phrases["summary"]
        screen = list(screen)
        signs = screen_signs()
        reported, _ = said_and_denied(assessment.findings)
        _, denied = said_and_denied([f for f in assessment.findings if f.id not in signs])
        lines = [
            phrases["heading"],
            phrases["reported"].format(items="; ".join(reported) or phrases["nothing"]),
            phrases["denied"].format(items="; ".join(denied) or phrases["nothing"]),
            *self._screen_lines(assessment.findings, screen),
        ]
        cleared = set(cleared)
        if assessment.red_flags:
            items = [
                f"{flag.urgency}: {flag.reason}"
                + (f" {phrases['checked_since']}" if flag.id in cleared else "")
                for flag in assessment.red_flags
            ]
            lines.append(phrases["red_flags"].format(items=" ".join(items)))
        still_urgent = [f for f in assessment.red_flags
                         if f.urgency in ("emergency", "urgent") and f.id not in cleared]
        shown = [] if still_urgent else [c for c in assessment.causes if c.reasons][:SHOWN_CAUSES]
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

    def _screen_lines(self, findings: list[Finding], screen: Iterable[Question]) -> list[str]:
        """The warning signs of the screen, a line for each answer: yes, no, not answered,
        not asked."""
        phrases = self.phrases["summary"]
        known = known_findings(findings)
        asked = {q.id for q in screen}
        groups: dict[str, list[str]] = {}
        for question in load_questions():
            if question.stage != "screen":
                continue
            for button in question.options:
                if not button.present:
                    continue
                finding = next((known[f] for f in button.present if f in known), None)
                if finding is not None:
                    answer = "present" if finding.present else "absent"
                else:
                    answer = "not_answered" if question.id in asked else "not_asked"
                groups.setdefault(answer, []).append(button.title[0].lower() + button.title[1:])
        return [
            phrases["screen"].format(answer=phrases[answer], items="; ".join(groups[answer]))
            for answer in ("present", "absent", "not_answered", "not_asked") if answer in groups
        ]

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
