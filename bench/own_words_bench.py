"""Benchmark how well the assistant understands people's own words (bench/own_words/).

Run from the repository root:

    .venv/bin/python bench/own_words_bench.py [--part dev|dev2|heldout] [--show-misses] [--json out]

Three measures, each on the development part and on the held-out part (written before any
tuning and never tuned on; its misses are not listed unless asked). A second development part,
dev2, holds only typed conversations (conversations_dev2.yml): a part's missing files are skipped.

1. Typed answers: every typed answer of the conversation profiles (and of answers_*.yml) read as
   a reply to its question (bot.answers.read_answer). Understood when the findings recorded
   include the intended answer's and contradict none of them; a "don't know" must be read as
   one, and "none of these" must deny and not add.
2. First messages: the findings read from each first message (bot.extraction) against the
   writer's labels, as precision and recall (labels and readings both completed with what
   findings.yml says they imply).
3. Typed conversations: each profile played by a simulated patient who types its answers
   (bench/simulated_patient.py): whether the expected cause is among the three shown, whether
   any answer derailed (met by an explanation, or by the same question again), and how many
   questions were asked.

It is a measurement, not a test: the exit code is 0 whatever the figures.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
for path in (ROOT, ROOT / "bench"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))
DATA = ROOT / "bench" / "own_words"
TARGETS = {"answers": 0.95, "precision": 0.95, "recall": 0.90, "top3": 0.90, "questions": 8}
# Answers the writers' guide offered as one button that the interview asks as two, or in the
# other screen question: the intended findings are any of these buttons' findings.
ALIASES = {
    ("other_symptoms", "organ"): [("other_symptoms", "nausea"), ("other_symptoms", "urine")],
}
VALUE_KEYS = {"age": "age", "sex": "sex"}


def load_yaml(path: Path) -> Any:
    """A benchmark file's contents; a part without this file has none."""
    if not path.exists():
        return {}
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


# ----------------------------------------------------------------------------- typed answers
def typed_answers(part: str) -> list[dict[str, Any]]:
    """Every typed answer of a part: (question, text, means, also)."""
    items = []
    for profile in load_yaml(DATA / f"conversations_{part}.yml").get("profiles") or []:
        for qid, answer in (profile.get("answers") or {}).items():
            items.append({"id": f"{profile['id']}/{qid}", "question": qid, **answer})
    # answers_dev2.yml is the dev part's (its name starts "answers_dev"), not the dev2 part's.
    for path in [] if part == "dev2" else sorted(DATA.glob(f"answers_{part}*.yml")):
        for item in load_yaml(path).get("answers") or []:
            items.append(item)
    return items


def intended(qid: str, means: list[str], questions: dict[str, Any]) -> list[list[Any]]:
    """For each intended answer, the buttons that would record it (any of them will do)."""
    out = []
    for payload in means:
        buttons = []
        for other, name in ALIASES.get((qid, str(payload)), [(qid, str(payload))]):
            try:
                buttons.append(questions[other].button(name))
            except (KeyError, ValueError):
                continue
        out.append(buttons)
    return out


def _records(button: Any, got: dict[str, bool]) -> bool:
    """Whether the findings read record what this button means: one of the findings it states,
    or, for an answer that only denies ("slowly, over time"), all of its denials."""
    if button.present:
        return any(got.get(fid) for fid in button.present)
    return bool(button.denied) and all(got.get(fid) is False for fid in button.denied)


def judge_answer(item: dict[str, Any], questions: dict[str, Any]) -> tuple[bool, str]:
    """Whether a typed answer is understood, and what was read."""
    from bot.answers import read_answer

    qid = item["question"]
    question = questions[qid]
    means = [str(m) for m in item.get("means") or []]
    answer = read_answer(question, str(item["say"]), {})
    got = {f.id: f.present for f in answer.findings}
    detail = f"{answer.kind} {sorted(answer.choices)} {got}"
    if means == ["dont_know"]:
        return answer.kind in ("dont_know", "skip"), detail
    if answer.kind != "answer":
        return False, detail
    if qid == "age":
        button = question.button(means[0])
        low, high = {"under_20": (0, 19), "20_39": (20, 39), "40_49": (40, 49),
                     "50_59": (50, 59), "60_69": (60, 69)}.get(button.payload, (70, 200))
        ages = [f.value for f in answer.findings if f.id == "age" and isinstance(f.value, int)]
        return bool(ages) and low <= ages[-1] <= high, detail
    if qid == "sex":
        sexes = [f.value for f in answer.findings if f.id == "sex"]
        return bool(sexes) and sexes[-1] == means[0], detail
    if "none" in means and question.multiple:
        shown = [b for b in question.options if b.present]
        denied = [fid for b in shown for fid in b.present if got.get(fid) is False]
        added = [fid for b in shown for fid in b.present if got.get(fid)]
        return bool(denied) and not added, detail
    if qid == "scans" and means == ["none"]:
        return "none" in answer.choices and not got.get("scans_normal"), detail
    if qid == "periods" and means[0] in ("no", "no_periods"):
        return got.get("with_periods") is False, detail
    wanted = intended(qid, means, questions)
    if not all(wanted):
        return False, detail
    return all(any(_records(b, got) for b in buttons) for buttons in wanted), detail


def run_answers(part: str) -> dict[str, Any]:
    from bot.questions import load_questions

    questions = {q.id: q for q in load_questions()}
    per: Counter[str] = Counter()
    good: Counter[str] = Counter()
    misses = []
    for item in typed_answers(part):
        qid = item["question"]
        if qid not in questions:
            continue
        ok, detail = judge_answer(item, questions)
        per[qid] += 1
        good[qid] += ok
        if not ok:
            misses.append((item.get("id"), qid, item["say"], item.get("means"), detail))
    total = sum(per.values())
    return {"total": total, "understood": sum(good.values()),
            "per_question": {q: [good[q], per[q]] for q in per}, "misses": misses}


# ----------------------------------------------------------------------------- first messages
def _closed(ids: set[str]) -> set[str]:
    from bot.vocabulary import load_relations

    implies = load_relations().implies
    out = set(ids)
    changed = True
    while changed:
        changed = False
        for fid in list(out):
            for target in implies.get(fid, ()):
                if target not in out:
                    out.add(target)
                    changed = True
    return out


def _denials_entailed(present: set[str]) -> set[str]:
    """What the present findings deny by definition (findings.yml's `excludes`: pain for
    three weeks is not pain for over three months; leg pain is not "no leg pain"). These are
    left out of the score on both sides: a label and a reading that say the same thing score
    the same, and a missed finding is not counted again through what it entails."""
    from bot.vocabulary import load_relations

    excludes = load_relations().excludes
    return {other for fid in present for other in excludes.get(fid, ()) if other not in present}


def run_first_messages(part: str) -> dict[str, Any]:
    from bot.extraction import extract_findings
    from bot.vocabulary import load_vocabulary

    vocabulary = set(load_vocabulary())
    tp = fp = fn = 0
    strains = strain_first = 0
    misses = []
    cases = load_yaml(DATA / f"first_messages_{part}.yml").get("cases") or []
    for case in cases:
        findings = extract_findings(str(case["text"]))
        got = {(f.id, f.present) for f in findings if f.id not in VALUE_KEYS}
        present = _closed({f for f in case.get("present") or [] if f in vocabulary})
        denied = {f for f in case.get("denied") or [] if f in vocabulary}
        denied -= _denials_entailed(present)  # scored through what entails them
        want = {(f, True) for f in present} | {(f, False) for f in denied}
        got_present = _closed({f for f, p in got if p})
        got_denied = {f for f, p in got if not p} - _denials_entailed(got_present)
        got = {(f, True) for f in got_present} | {(f, False) for f in got_denied}
        values = case.get("values") or {}
        for key in ("age", "sex"):
            if key in values:
                want.add((key, True))
        for finding in findings:
            if finding.id in VALUE_KEYS:
                expected = values.get(finding.id)
                got.add((finding.id, True) if expected is None or str(expected).lower() ==
                        str(finding.value).lower() else (f"{finding.id}={finding.value}", True))
        if "acute_strain" in (case.get("expect") or []):
            strains += 1
            first_shown = _first_result(findings)
            strain_first += first_shown in MUSCLE_FIT
        case_tp = len(got & want)
        tp += case_tp
        fp += len(got - want)
        fn += len(want - got)
        if got != want:
            misses.append((case["id"], sorted(got - want), sorted(want - got), case["text"][:120]))
    return {"cases": len(cases), "precision": tp / (tp + fp) if tp + fp else 0.0,
            "recall": tp / (tp + fn) if tp + fn else 0.0, "misses": misses,
            "strains": strains, "strain_first": strain_first}


# A plain strain's honest first answers: the strain entry, or a muscle or joint cause with real
# evidence behind it (not ischaemia, sensory-motor amnesia or postural distortion).
MUSCLE_FIT = {"acute_strain", "trigger_points", "sacroiliac_joint_dysfunction",
              "dysfunctional_biomechanics", "tight_leg_muscles"}


def _first_result(findings: list[Any]) -> str | None:
    """The cause a result would show first for these findings alone."""
    engine = _engine()
    shown = engine.wording.shown(engine.assessor.assess_findings(findings))
    return shown[0].id if shown else None


@lru_cache(maxsize=1)
def _engine() -> Any:
    from bot.interview import Engine

    return Engine.load()


# ----------------------------------------------------------------------------- conversations
def run_conversations(part: str) -> dict[str, Any]:
    from simulated_patient import simulate

    profiles = load_yaml(DATA / f"conversations_{part}.yml").get("profiles") or []
    top3 = derailed = 0
    questions = []
    misses = []
    for profile in profiles:
        answers = {qid: a["say"] for qid, a in (profile.get("answers") or {}).items()}
        talk = simulate(str(profile["opening"]), lambda qid, a=answers: a.get(qid, "not sure"))
        interview = talk.interview
        shown = [] if interview is None else [
            c.id for c in interview.engine.wording.shown(interview.assess())]
        expect = set(profile.get("expect") or [])
        hit = bool(expect & set(shown))
        top3 += hit
        questions.append(talk.questions)
        hints = sum("couldn't match that" in line for line in talk.transcript)
        repeated = [q for q, n in Counter(talk.asked).items() if n > 1]
        if hints or repeated:
            derailed += 1
        if not hit or hints:
            misses.append((profile["id"], sorted(expect), shown, hints, talk.asked))
    return {"profiles": len(profiles), "top3": top3, "derailed": derailed,
            "questions_median": statistics.median(questions) if questions else 0,
            "questions_max": max(questions, default=0), "misses": misses}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--part", choices=("dev", "dev2", "heldout"), action="append")
    parser.add_argument("--show-misses", action="store_true",
                        help="list misses for the held-out part too (never tune on them)")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    sys.modules.setdefault("tensorflow", None)  # type: ignore[arg-type] - as python -m bot does
    results = {}
    for part in args.part or ["dev", "heldout"]:
        show = args.show_misses or part != "heldout"
        answers = run_answers(part)
        first = run_first_messages(part)
        talks = run_conversations(part)
        results[part] = {"answers": answers, "first_messages": first, "conversations": talks}
        rate = answers["understood"] / answers["total"] if answers["total"] else 0.0
        print(f"\n{part}: typed answers understood {answers['understood']}/{answers['total']} "
              f"({rate:.1%}, target {TARGETS['answers']:.0%})")
        print("  by question: " + ", ".join(
            f"{q} {g}/{n}" for q, (g, n) in sorted(answers["per_question"].items())))
        if first["cases"]:
            print(f"{part}: first messages ({first['cases']}): precision {first['precision']:.3f} "
                  f"(target {TARGETS['precision']}), recall {first['recall']:.3f} "
                  f"(target {TARGETS['recall']})")
            print(f"{part}: first messages expecting a plain strain: first result a strain or a "
                  f"fitting muscle cause {first['strain_first']}/{first['strains']}")
        print(f"{part}: typed conversations ({talks['profiles']}): expected cause in top 3 "
              f"{talks['top3']}/{talks['profiles']}, derailed {talks['derailed']}, questions "
              f"median {talks['questions_median']} (max {talks['questions_max']})")
        if show:
            for miss in answers["misses"]:
                print("  answer miss:", miss)
            for miss in first["misses"][:400]:
                print("  first message:", miss)
            for miss in talks["misses"]:
                print("  conversation:", miss)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=1, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
