"""Benchmark the assessment engine on the project's vignettes, against a BM25 baseline.

Run from the repository root:

    .venv/bin/python bench/assess_bench.py [--set bench/vignettes.yml] [--json out.json]

It measures the engine through its Python API (`bot.assessment.Assessor`), so start-up of the
interpreter is not counted. It is a measurement, not a test: the exit code is 0 whatever the
figures (2 only when the engine cannot be imported at all), and a PASS/FAIL line compares the
figures with the project's targets.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import resource
import statistics
import sys
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

URGENCY_RANK = {"emergency": 0, "urgent": 1, "soon": 2}
INTERRUPTING = ("emergency", "urgent")
CASE_KEYS = {"id", "text", "expect", "red_flag", "benign", "aggravating", "not_top3", "answers"}
TARGETS = {
    "top3": 0.90,
    "red_flag_sensitivity": 1.0,
    "false_alarm_rate": 0.05,
    "median_ms": 20.0,
    "load_s": 3.0,
}
KB_TEXT_FIELDS = ("name", "synonyms", "summary", "explanation")
STOPWORDS = frozenset({
    "a", "an", "and", "are", "as", "at", "be", "been", "but", "by", "can", "do", "does", "for",
    "from", "had", "has", "have", "i", "if", "in", "into", "is", "it", "its", "me", "my", "of",
    "on", "or", "so", "than", "that", "the", "then", "there", "this", "to", "too", "up", "was",
    "were", "when", "which", "while", "with", "you", "your",
})


# ----------------------------------------------------------------------------------- the set
@dataclass(frozen=True)
class Case:
    """One vignette and what a good assessment of it must show."""

    id: str
    text: str
    expect: tuple[str, ...] = ()
    red_flag: str | None = None
    benign: bool = False
    aggravating: tuple[str, ...] = ()
    not_top3: tuple[str, ...] = ()


def load_cases(path: Path) -> list[Case]:
    """Read and check the vignette file; a malformed case fails with its id named."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    cases: list[Case] = []
    for index, entry in enumerate(raw.get("cases") or []):
        name = str(entry.get("id") or f"case-{index + 1:03d}")
        unknown = set(entry) - CASE_KEYS
        if unknown:
            raise ValueError(f"{path.name}: case {name!r}: unknown keys {sorted(unknown)}")
        if not isinstance(entry.get("text"), str) or not entry["text"].strip():
            raise ValueError(f"{path.name}: case {name!r}: 'text' is missing")
        level = entry.get("red_flag")
        if level is not None and level not in URGENCY_RANK:
            raise ValueError(f"{path.name}: case {name!r}: red_flag {level!r} is not a level")
        cases.append(
            Case(
                id=name,
                text=entry["text"].strip(),
                expect=tuple(entry.get("expect") or ()),
                red_flag=level,
                benign=bool(entry.get("benign", False)),
                aggravating=tuple(entry.get("aggravating") or ()),
                not_top3=tuple(entry.get("not_top3") or ()),
            )
        )
    return cases


# ------------------------------------------------------------------------------ BM25 baseline
def tokenize(text: str) -> list[str]:
    """Lower-case alphanumeric words, minus a few function words."""
    return [word for word in re.findall(r"[a-z0-9]+", text.lower()) if word not in STOPWORDS]


class BM25:
    """Okapi BM25 over a small fixed collection of documents."""

    def __init__(self, documents: list[list[str]], k1: float = 1.5, b: float = 0.75) -> None:
        self.k1, self.b = k1, b
        self.term_counts = [Counter(doc) for doc in documents]
        self.lengths = [len(doc) for doc in documents]
        self.average_length = (sum(self.lengths) / len(documents)) if documents else 0.0
        document_frequency: Counter[str] = Counter()
        for counts in self.term_counts:
            document_frequency.update(counts.keys())
        total = len(documents)
        # Robertson-Sparck Jones idf with +1 inside the log, so it never goes negative.
        self.idf = {
            term: math.log((total - freq + 0.5) / (freq + 0.5) + 1.0)
            for term, freq in document_frequency.items()
        }

    def scores(self, query: list[str]) -> list[float]:
        """The BM25 score of every document for the query (each distinct term counted once)."""
        result = []
        for counts, length in zip(self.term_counts, self.lengths, strict=True):
            norm = self.k1 * (1.0 - self.b + self.b * length / (self.average_length or 1.0))
            score = 0.0
            for term in set(query):
                tf = counts.get(term, 0)
                if tf:
                    score += self.idf[term] * tf * (self.k1 + 1.0) / (tf + norm)
            result.append(score)
        return result


def _field(entry: Any, key: str) -> Any:
    """A field of a knowledge-base entry, whether it is a mapping or an object."""
    return entry.get(key) if isinstance(entry, dict) else getattr(entry, key, None)


def _flatten(value: Any) -> str:
    """Strings, lists of strings and nested mappings as one run of text."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return " ".join(_flatten(item) for item in value.values())
    if isinstance(value, (list, tuple, set)):
        return " ".join(_flatten(item) for item in value)
    return str(value)


def cause_documents(kb: Any) -> dict[str, str]:
    """Cause id -> name + synonyms + summary + explanation, from whatever shape the KB has."""
    causes = _field(kb, "causes") if not isinstance(kb, (list, tuple)) else kb
    if causes is None:
        raise ValueError("the knowledge base has no 'causes'")
    if isinstance(causes, dict):
        entries = [(key, value) for key, value in causes.items()]
    else:
        entries = [(_field(entry, "id"), entry) for entry in causes]
    return {
        str(_field(entry, "id") or key): " ".join(
            _flatten(_field(entry, name)) for name in KB_TEXT_FIELDS
        )
        for key, entry in entries
    }


def load_cause_documents() -> tuple[dict[str, str], str]:
    """The baseline's documents, and where they came from (or why there are none)."""
    try:
        from bot.knowledge import load_knowledge_base
    except ImportError as error:
        return {}, f"unavailable (bot.knowledge: {error})"
    return cause_documents(load_knowledge_base()), "bot.knowledge.load_knowledge_base()"


def rank_bm25(index: BM25, ids: list[str], text: str) -> list[str]:
    """Cause ids, best BM25 match first (ties keep knowledge-base order)."""
    scores = index.scores(tokenize(text))
    order = sorted(range(len(ids)), key=lambda i: (-scores[i], i))
    return [ids[i] for i in order]


# ---------------------------------------------------------------------------------- measuring
@dataclass
class CaseResult:
    """What the engine said about one case, and whether it met each expectation."""

    id: str
    text: str
    ms: float
    top3: list[str] = field(default_factory=list)
    top3_scores: list[float] = field(default_factory=list)
    flags: list[dict[str, str]] = field(default_factory=list)
    factors: list[str] = field(default_factory=list)
    baseline_top3: list[str] = field(default_factory=list)
    error: str = ""


def most_urgent(flags: list[dict[str, str]]) -> str | None:
    """The most urgent level among the flags, or None."""
    levels = [flag["urgency"] for flag in flags if flag.get("urgency") in URGENCY_RANK]
    return min(levels, key=URGENCY_RANK.__getitem__) if levels else None


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile (0 for an empty list)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB (Linux reports KB)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def abbreviate(text: str, width: int = 90) -> str:
    """One line of at most `width` characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 3] + "..."


def rate(hits: int, total: int) -> float | None:
    """hits/total, or None when there is nothing to count."""
    return hits / total if total else None


def fmt(value: float | None) -> str:
    """A rate as a percentage, or n/a."""
    return "n/a" if value is None else f"{100 * value:.1f}%"


def run(cases: list[Case]) -> dict[str, Any]:
    """Load the engine and the baseline, assess every case, and gather the figures."""
    rss_before = peak_rss_mb()
    started = time.perf_counter()
    try:
        from bot.assessment import Assessor
    except ImportError as error:
        print(f"ERROR: cannot import bot.assessment.Assessor: {error}", file=sys.stderr)
        raise SystemExit(2) from error
    assessor = Assessor()
    load_s = time.perf_counter() - started
    rss_loaded = peak_rss_mb()

    documents, baseline_source = load_cause_documents()
    baseline_ids = list(documents)
    index = BM25([tokenize(documents[i]) for i in baseline_ids]) if documents else None

    results: list[CaseResult] = []
    for case in cases:
        tick = time.perf_counter()
        try:
            assessment = assessor.assess_text(case.text)
            ms = (time.perf_counter() - tick) * 1000
            result = CaseResult(
                id=case.id,
                text=case.text,
                ms=ms,
                top3=[cause.id for cause in assessment.causes[:3]],
                top3_scores=[round(float(cause.score), 4) for cause in assessment.causes[:3]],
                flags=[
                    {"id": flag.id, "urgency": flag.urgency} for flag in assessment.red_flags
                ],
                factors=[factor.id for factor in assessment.aggravating_factors],
            )
        except Exception as error:  # a crash on one case is a finding, not a stop
            result = CaseResult(
                id=case.id,
                text=case.text,
                ms=(time.perf_counter() - tick) * 1000,
                error=f"{type(error).__name__}: {error}",
            )
        if index is not None:
            result.baseline_top3 = rank_bm25(index, baseline_ids, case.text)[:3]
        results.append(result)

    return score(cases, results, load_s, rss_before, rss_loaded, baseline_source, baseline_ids)


def score(
    cases: list[Case],
    results: list[CaseResult],
    load_s: float,
    rss_before: float,
    rss_loaded: float,
    baseline_source: str,
    baseline_ids: list[str],
) -> dict[str, Any]:
    """Turn per-case results into the report's figures and lists of misses."""
    by_id = {result.id: result for result in results}
    cause_cases = [case for case in cases if case.expect]
    top1 = top3 = base1 = base3 = 0
    cause_misses, not_top3_violations = [], []
    for case in cause_cases:
        got = by_id[case.id]
        hit1 = bool(got.top3) and got.top3[0] in case.expect
        hit3 = any(cause in case.expect for cause in got.top3)
        top1 += hit1
        top3 += hit3
        base1 += bool(got.baseline_top3) and got.baseline_top3[0] in case.expect
        base3 += any(cause in case.expect for cause in got.baseline_top3)
        if not hit1:
            cause_misses.append({
                "id": case.id, "text": case.text, "expected": list(case.expect),
                "got_top3": got.top3, "scores": got.top3_scores, "top3_hit": hit3,
                "error": got.error,
            })
    for case in cases:
        got = by_id[case.id]
        wrong = [cause for cause in case.not_top3 if cause in got.top3]
        if wrong:
            not_top3_violations.append({
                "id": case.id, "text": case.text, "not_top3": wrong, "got_top3": got.top3,
            })

    flag_cases = [case for case in cases if case.red_flag]
    flag_misses = []
    for case in flag_cases:
        got = by_id[case.id]
        level = most_urgent(got.flags)
        if level is None or URGENCY_RANK[level] > URGENCY_RANK[case.red_flag]:
            flag_misses.append({
                "id": case.id, "text": case.text, "expected": case.red_flag, "got": level,
                "flags": got.flags, "error": got.error,
            })

    benign_cases = [case for case in cases if case.benign]
    false_alarms = []
    for case in benign_cases:
        got = by_id[case.id]
        loud = [flag for flag in got.flags if flag["urgency"] in INTERRUPTING]
        if loud or got.error:
            false_alarms.append({
                "id": case.id, "text": case.text, "flags": loud, "error": got.error,
            })

    factor_expected = factor_found = 0
    factor_misses = []
    for case in cases:
        if not case.aggravating:
            continue
        got = by_id[case.id]
        missing = [factor for factor in case.aggravating if factor not in got.factors]
        factor_expected += len(case.aggravating)
        factor_found += len(case.aggravating) - len(missing)
        if missing:
            factor_misses.append({
                "id": case.id, "text": case.text, "missing": missing, "got": got.factors,
            })

    timings = [result.ms for result in results if not result.error]
    ours3, theirs3 = rate(top3, len(cause_cases)), rate(base3, len(cause_cases))
    ours1, theirs1 = rate(top1, len(cause_cases)), rate(base1, len(cause_cases))
    unknown_expected = sorted(
        {cause for case in cases for cause in case.expect + case.not_top3} - set(baseline_ids)
    ) if baseline_ids else []
    return {
        "cases": len(cases),
        "cause_cases": len(cause_cases),
        "red_flag_cases": len(flag_cases),
        "benign_cases": len(benign_cases),
        "errors": [{"id": r.id, "error": r.error} for r in results if r.error],
        "top1": ours1,
        "top3": ours3,
        "red_flag_sensitivity": rate(len(flag_cases) - len(flag_misses), len(flag_cases)),
        "red_flag_sensitivity_by_level": {
            level: rate(
                sum(1 for c in flag_cases if c.red_flag == level)
                - sum(1 for m in flag_misses if m["expected"] == level),
                sum(1 for c in flag_cases if c.red_flag == level),
            )
            for level in URGENCY_RANK
        },
        "false_alarms": len(false_alarms),
        "false_alarm_rate": rate(len(false_alarms), len(benign_cases)),
        "aggravating_recall": rate(factor_found, factor_expected),
        "baseline": {
            "source": baseline_source,
            "documents": len(baseline_ids),
            "top1": theirs1 if baseline_ids else None,
            "top3": theirs3 if baseline_ids else None,
        },
        "ratio_top1": (ours1 / theirs1) if baseline_ids and ours1 is not None and theirs1 else None,
        "ratio_top3": (ours3 / theirs3) if baseline_ids and ours3 is not None and theirs3 else None,
        "unknown_cause_ids": unknown_expected,
        "speed": {
            "load_s": load_s,
            "median_ms": statistics.median(timings) if timings else None,
            "p95_ms": percentile(timings, 0.95) if timings else None,
            "max_ms": max(timings) if timings else None,
            "first_call_ms": results[0].ms if results else None,
        },
        "memory": {
            "peak_rss_mb_before_load": rss_before,
            "peak_rss_mb_after_load": rss_loaded,
            "peak_rss_mb": peak_rss_mb(),
        },
        "cause_misses": cause_misses,
        "not_top3_violations": not_top3_violations,
        "red_flag_misses": flag_misses,
        "false_alarm_cases": false_alarms,
        "aggravating_misses": factor_misses,
        "results": [asdict(result) for result in results],
    }


# ---------------------------------------------------------------------------------- reporting
def verdicts(report: dict[str, Any]) -> list[tuple[str, bool, str]]:
    """(name, passed, shown figure vs target) for every target."""
    speed = report["speed"]
    checks = [
        ("top-3", report["top3"], lambda v: v >= TARGETS["top3"], f">= {TARGETS['top3']:.0%}"),
        ("red-flag sensitivity", report["red_flag_sensitivity"],
         lambda v: v >= TARGETS["red_flag_sensitivity"], "= 100%"),
        ("false alarms", report["false_alarm_rate"],
         lambda v: v <= TARGETS["false_alarm_rate"], f"<= {TARGETS['false_alarm_rate']:.0%}"),
    ]
    out = [
        (name, value is not None and test(value) and not report["errors"],
         f"{fmt(value)} (target {target})")
        for name, value, test, target in checks
    ]
    median = speed["median_ms"]
    out.append(("median", median is not None and median <= TARGETS["median_ms"],
                f"{median if median is not None else float('nan'):.1f} ms "
                f"(target <= {TARGETS['median_ms']:.0f} ms)"))
    out.append(("load", speed["load_s"] <= TARGETS["load_s"],
                f"{speed['load_s']:.2f} s (target <= {TARGETS['load_s']:.0f} s)"))
    return out


def print_report(report: dict[str, Any], set_path: Path) -> None:
    """The human-readable report: figures first, then every miss."""
    base, speed, memory = report["baseline"], report["speed"], report["memory"]
    by_level = report["red_flag_sensitivity_by_level"]
    ratio = report["ratio_top3"]
    print(f"Assessment benchmark on {set_path}")
    print(f"cases                {report['cases']}  (cause {report['cause_cases']}, "
          f"red-flag {report['red_flag_cases']}, benign {report['benign_cases']})")
    print(f"top-1 accuracy       {fmt(report['top1'])}")
    print(f"top-3 accuracy       {fmt(report['top3'])}")
    print(f"red-flag sensitivity {fmt(report['red_flag_sensitivity'])}  ("
          + ", ".join(f"{level} {fmt(value)}" for level, value in by_level.items()) + ")")
    print(f"false alarms         {report['false_alarms']}/{report['benign_cases']} "
          f"= {fmt(report['false_alarm_rate'])}")
    print(f"aggravating recall   {fmt(report['aggravating_recall'])}")
    print(f"BM25 baseline        top-1 {fmt(base['top1'])}, top-3 {fmt(base['top3'])}  "
          f"({base['documents']} cause documents from {base['source']})")
    ratio1 = report["ratio_top1"]
    print("ours / baseline      top-1 "
          + ("n/a" if ratio1 is None else f"{ratio1:.2f}x")
          + ", top-3 " + ("n/a" if ratio is None else f"{ratio:.2f}x"))
    median, p95 = speed["median_ms"], speed["p95_ms"]
    print(f"load                 {speed['load_s']:.2f} s (import + Assessor()"
          + ("; TensorFlow hidden, as `python -m bot` does)" if report["no_tensorflow"] else ")"))
    if median is not None:
        print(f"per description      median {median:.2f} ms, p95 {p95:.2f} ms, "
              f"max {speed['max_ms']:.2f} ms, first call {speed['first_call_ms']:.2f} ms")
    print(f"peak RSS             {memory['peak_rss_mb']:.0f} MB "
          f"(before load {memory['peak_rss_mb_before_load']:.0f} MB, "
          f"after load {memory['peak_rss_mb_after_load']:.0f} MB)")
    if report["unknown_cause_ids"]:
        print(f"WARNING: ids in the set but not in the knowledge base: "
              f"{', '.join(report['unknown_cause_ids'])}")

    def section(title: str, rows: list[str]) -> None:
        print(f"\n{title} ({len(rows)})")
        for row in rows:
            print(f"  {row}")

    section("errors", [f"{e['id']}: {e['error']}" for e in report["errors"]])
    section("red-flag misses", [
        f"{m['id']}: expected {m['expected']}, got {m['got'] or 'none'} "
        f"{[f['id'] + ':' + f['urgency'] for f in m['flags']]} | {abbreviate(m['text'])}"
        for m in report["red_flag_misses"]
    ])
    section("false alarms", [
        f"{m['id']}: {[f['id'] + ':' + f['urgency'] for f in m['flags']]}"
        f"{' ' + m['error'] if m['error'] else ''} | {abbreviate(m['text'])}"
        for m in report["false_alarm_cases"]
    ])
    section("cause misses, top-3 (expected not in top 3)", [
        f"{m['id']}: expected {'/'.join(m['expected'])}, got "
        f"{', '.join(m['got_top3']) or 'nothing'} | {abbreviate(m['text'])}"
        for m in report["cause_misses"] if not m["top3_hit"]
    ])
    section("cause misses, top-1 only (expected in top 3 but not first)", [
        f"{m['id']}: expected {'/'.join(m['expected'])}, got {', '.join(m['got_top3'])} "
        f"| {abbreviate(m['text'])}"
        for m in report["cause_misses"] if m["top3_hit"]
    ])
    section("not_top3 violations", [
        f"{m['id']}: {', '.join(m['not_top3'])} in top 3 {m['got_top3']} "
        f"| {abbreviate(m['text'])}"
        for m in report["not_top3_violations"]
    ])
    section("aggravating misses", [
        f"{m['id']}: missing {', '.join(m['missing'])}, got {m['got']} "
        f"| {abbreviate(m['text'])}"
        for m in report["aggravating_misses"]
    ])

    checks = verdicts(report)
    print()
    for name, passed, shown in checks:
        print(f"{'pass' if passed else 'FAIL'}  {name}: {shown}")
    overall = all(passed for _, passed, _ in checks)
    failed = [name for name, passed, _ in checks if not passed]
    print(f"\n{'PASS' if overall else 'FAIL'}" + ("" if overall else f" ({', '.join(failed)})"))


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, run the benchmark, print it, and optionally save it as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", type=Path, default=ROOT / "bench" / "vignettes.yml",
                        help="vignette file (default: bench/vignettes.yml)")
    parser.add_argument("--json", type=Path, help="also write the full report here as JSON")
    parser.add_argument("--no-tensorflow", action="store_true",
                        help="hide TensorFlow from thinc's import probe, as `python -m bot` does")
    args = parser.parse_args(argv)
    cases = load_cases(args.set)
    if args.no_tensorflow:
        sys.modules.setdefault("tensorflow", None)  # type: ignore[arg-type]
    report = run(cases)
    report["no_tensorflow"] = args.no_tensorflow
    print_report(report, args.set)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        report["passed"] = {name: passed for name, passed, _ in verdicts(report)}
        args.json.write_text(json.dumps(report, indent=2), encoding="utf-8")
        print(f"full report written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
