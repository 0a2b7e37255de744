"""Command line: `python -m bot assess "TEXT"`, `python -m bot assess -`, `python -m bot kb-check`,
`python -m bot rules-table`.

`assess TEXT` prints one JSON object (Assessment.to_dict()). `assess -` reads one description per
line from standard input (blank lines are skipped) and prints one JSON object per line, in order.
`kb-check` validates the knowledge base and the interview questions. `rules-table` prints the
red-flag rules as the Markdown table of docs/safety.md. Errors go to standard error with a
non-zero exit status.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from bot.assessment import MAX_CAUSES


def _positive(text: str) -> int:
    number = int(text)
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for tests)."""
    parser = argparse.ArgumentParser(
        prog="python -m bot", description="Lower back pain assistant: the domain core."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    assess = commands.add_parser("assess", help="assess a description of back pain")
    assess.add_argument("text", help='the description, or "-" to read one per line from stdin')
    assess.add_argument(
        "--top", type=_positive, default=MAX_CAUSES, help=f"causes to show (default {MAX_CAUSES})"
    )
    commands.add_parser("kb-check", help="validate the knowledge base and the questions")
    commands.add_parser("rules-table", help="the red-flag rules as docs/safety.md's table")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "kb-check":
        return _kb_check()
    if args.command == "rules-table":
        print(rules_table())
        return 0
    if args.text == "-":
        texts = [line.strip() for line in sys.stdin if line.strip()]
        if not texts:
            parser.error("assess -: no description on standard input")
    else:
        if not args.text.strip():
            parser.error("assess: the description is empty")
        texts = [args.text.strip()]
    # thinc probes for TensorFlow on import (Rasa installs it), which costs seconds; the domain
    # core never uses it, so a one-shot command tells Python it is not there.
    sys.modules.setdefault("tensorflow", None)  # type: ignore[arg-type]
    from bot.assessment import Assessor

    assessor = Assessor(max_causes=args.top)
    for text in texts:
        print(json.dumps(assessor.assess_text(text).to_dict(), ensure_ascii=False), flush=True)
    return 0


def rules_table() -> str:
    """Every red-flag rule as a Markdown table row: id, urgency, its first sentence, source."""
    from bot.triage import load_rules

    rows = ["| rule | urgency | what it catches | source |", "| --- | --- | --- | --- |"]
    for rule in load_rules():
        first = " ".join(rule.reason.split()).split(". ")[0].rstrip(".") + "."
        rows.append(f"| `{rule.id}` | {rule.urgency} | {first} | {rule.source} |")
    return "\n".join(rows)


def _kb_check() -> int:
    from bot.knowledge import KnowledgeBaseError, load_knowledge_base
    from bot.questions import QuestionsError, load_questions

    try:
        kb = load_knowledge_base()
        questions = load_questions()
    except (KnowledgeBaseError, QuestionsError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    missing = kb.missing_seed_ids()
    if missing:
        print(f"error: seed causes missing or misfiled: {', '.join(missing)}", file=sys.stderr)
        return 1
    print(
        f"ok: {len(kb.causes)} causes, {len(kb.factors)} aggravating factors, "
        f"{sum(len(kb.features_for(entry)) for entry in kb)} weighted features, "
        f"{len(questions)} questions"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
