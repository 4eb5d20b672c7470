"""From case results to numbers: rule precision/recall/F1, pass rates with spread, latency, tokens; thresholds.

All pure: results in, plain dicts of floats out, so the terminal table, the JSON and the HTML
report show the same figures.
"""

from __future__ import annotations

import math
import statistics
import tomllib
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..rules.catalogue import rules
from .runner import OFFLINE, CaseResult

GROUPS = ("rewrite", "questions", "retrospective", "adversarial")


def _ratio(part: float, whole: float) -> float | None:
    return part / whole if whole else None


def _f1(precision: float | None, recall: float | None) -> float | None:
    if precision is None or recall is None or precision + recall == 0:
        return None if precision is None or recall is None else 0.0
    return 2 * precision * recall / (precision + recall)


def percentile(values: Sequence[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0–100); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass(frozen=True, slots=True)
class Confusion:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    def __add__(self, other: Confusion) -> Confusion:
        return Confusion(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn, self.tn + other.tn)

    def scores(self) -> dict[str, Any]:
        precision, recall = _ratio(self.tp, self.tp + self.fp), _ratio(self.tp, self.tp + self.fn)
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "tn": self.tn,
            "precision": precision,
            "recall": recall,
            "f1": _f1(precision, recall),
        }


def rule_confusion(results: Iterable[CaseResult]) -> dict[str, Confusion]:
    """Per rule code, from the ``fires CODE`` / ``quiet CODE`` checks of rule cases."""
    table: dict[str, Confusion] = defaultdict(Confusion)
    for result in results:
        for name, ok in result.checks.items():
            verb, _, code = name.partition(" ")
            if verb == "fires":
                table[code] += Confusion(tp=1) if ok else Confusion(fn=1)
            elif verb == "quiet":
                table[code] += Confusion(tn=1) if ok else Confusion(fp=1)
    return dict(table)


def rule_metrics(results: Sequence[CaseResult]) -> dict[str, Any]:
    """Micro precision/recall/F1 over all codes, per code and per CLASSIC dimension, and the case pass rate."""
    by_code = rule_confusion(results)
    catalogue = rules()
    by_dimension: dict[str, Confusion] = defaultdict(Confusion)
    for code, confusion in by_code.items():
        by_dimension[catalogue[code].dimension.value] += confusion
    total = sum(by_code.values(), Confusion())
    micro = total.scores()
    return {
        "cases": len(results),
        "case_pass": _ratio(sum(r.passed for r in results), len(results)),
        "micro_precision": micro["precision"],
        "micro_recall": micro["recall"],
        "micro_f1": micro["f1"],
        "by_code": {code: by_code[code].scores() for code in sorted(by_code)},
        "by_dimension": {dim: by_dimension[dim].scores() for dim in sorted(by_dimension)},
        "codes_untested": sorted(set(catalogue) - set(by_code)),
    }


def _pass_rate_by_repeat(results: Sequence[CaseResult]) -> list[float]:
    repeats: dict[int, list[bool]] = defaultdict(list)
    for result in results:
        repeats[result.repeat].append(result.passed)
    return [sum(v) / len(v) for _, v in sorted(repeats.items())]


def group_metrics(results: Sequence[CaseResult]) -> dict[str, Any]:
    """One column's figures for one group of cases (rewrite, questions, retrospective, adversarial)."""
    rates = _pass_rate_by_repeat(results)
    counts: dict[str, float] = defaultdict(float)
    for result in results:
        for name, value in result.counts.items():
            counts[name] += value
    latencies = [r.seconds for r in results]
    out: dict[str, Any] = {
        "cases": len({r.case for r in results}),
        "runs": len(results),
        "case_pass": statistics.fmean(rates) if rates else None,
        "case_pass_spread": statistics.pstdev(rates) if len(rates) > 1 else 0.0,
        "errors": sum(1 for r in results if r.error),
        "latency_p50": percentile(latencies, 50),
        "latency_p95": percentile(latencies, 95),
        "tokens_per_case": _ratio(sum(r.tokens for r in results), len(results)),
        "calls": sum(r.calls for r in results),
        "cache_hits": sum(r.cache_hits for r in results),
    }
    if counts.get("candidates"):
        out["candidate_pass"] = counts["passed candidates"] / counts["candidates"]
        out["invented_rate"] = counts["invented figures"] / counts["candidates"]
        out["wrong_language_rate"] = counts["wrong language"] / counts["candidates"]
        out["leaks"] = counts["leaks"]
    if "dropped citations" in counts:
        out["dropped_citations"] = counts["dropped citations"]
    checks: dict[str, list[bool]] = defaultdict(list)
    for result in results:
        for name, ok in result.checks.items():
            # Group "probes measurable", "touches 基线"… under their verb, so columns line up.
            key = name.split(" ")[0] if name.startswith(("probes ", "touches ", "obstacle ", "contains ")) else name
            checks[key].append(ok)
    out["checks"] = {name: sum(v) / len(v) for name, v in sorted(checks.items())}
    return out


def column_metrics(results: Sequence[CaseResult]) -> dict[str, dict[str, dict[str, Any]]]:
    """``{subject: {group: metrics}}`` for the task cases."""
    grouped: dict[str, dict[str, list[CaseResult]]] = defaultdict(lambda: defaultdict(list))
    for result in results:
        grouped[result.subject][result.kind].append(result)
    return {
        subject: {group: group_metrics(items) for group, items in sorted(groups.items())}
        for subject, groups in grouped.items()
    }


# ---------------------------------------------------------------- thresholds


@dataclass(frozen=True, slots=True)
class Verdict:
    """One threshold checked: where, which metric, the limit, the value, and whether it held."""

    scope: str  # "engine", "offline" or a model column's name
    metric: str
    limit: str  # "≥ 0.8", "≤ 0", "≥ offline (0.71)"
    value: float | None
    ok: bool


class ThresholdError(ValueError):
    """A thresholds file that cannot be used."""


def load_thresholds(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ThresholdError(f"{path}: {exc}") from None
    for scope in ("engine", "offline", "models", "judge"):
        for metric, limit in data.get(scope, {}).items():
            if metric == "beat_offline":
                continue
            if not isinstance(limit, dict) or not set(limit) <= {"min", "max"} or not limit:
                raise ThresholdError(f"{path}: [{scope}] {metric}: expected {{ min = … }} or {{ max = … }}")
    _check_realworld(path, data.get("realworld", {}))
    return data


def _is_limit(limit: Any) -> bool:
    return isinstance(limit, dict) and bool(limit) and set(limit) <= {"min", "max"}


def _check_realworld(path: Path, section: Mapping[str, Any]) -> None:
    """``[realworld]``: limits on its figures, and ``each_label`` (``min_items`` and per-label limits)."""
    for metric, limit in section.items():
        if metric != "each_label" and not _is_limit(limit):
            raise ThresholdError(f"{path}: [realworld] {metric}: expected {{ min = … }} or {{ max = … }}")
    each = section.get("each_label", {})
    min_items = each.get("min_items", 1) if isinstance(each, dict) else None
    if not isinstance(min_items, int) or isinstance(min_items, bool) or min_items < 1:
        raise ThresholdError(f"{path}: [realworld.each_label] min_items: expected a whole number ≥ 1")
    for metric, limit in each.items():
        if metric != "min_items" and not _is_limit(limit):
            raise ThresholdError(f"{path}: [realworld.each_label] {metric}: expected {{ min = … }} or {{ max = … }}")


def lookup(metrics: Mapping[str, Any], dotted: str) -> float | None:
    """``"rewrite.case_pass"`` or ``"rules.by_code.MEA002.recall"`` in nested metrics."""
    value: Any = metrics
    for part in dotted.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return float(value) if isinstance(value, int | float) else None


def limit_verdict(scope: str, metric: str, limit: Mapping[str, float], value: float | None) -> Verdict:
    if "min" in limit:
        ok = value is not None and value >= limit["min"]
        return Verdict(scope, metric, f"≥ {limit['min']:g}", value, ok)
    ok = value is not None and value <= limit["max"]
    return Verdict(scope, metric, f"≤ {limit['max']:g}", value, ok)


def check_thresholds(
    thresholds: Mapping[str, Any], engine: Mapping[str, Any], columns: Mapping[str, Mapping[str, Any]]
) -> list[Verdict]:
    """Every threshold against this run; model columns must also beat the offline column where asked.

    A part this run left out (``--kind``, ``--no-retrieval``) is not judged; a metric missing from a
    part that ran fails.
    """
    ran_groups = {group for metrics in columns.values() for group in metrics}
    engine_limits = [(m, lim) for m, lim in thresholds.get("engine", {}).items() if m.split(".")[0] in engine]
    verdicts = [limit_verdict("engine", metric, limit, lookup(engine, metric)) for metric, limit in engine_limits]
    if OFFLINE in columns:
        for metric, limit in thresholds.get("offline", {}).items():
            if metric.split(".")[0] in ran_groups:
                verdicts.append(limit_verdict(OFFLINE, metric, limit, lookup(columns[OFFLINE], metric)))
    models = thresholds.get("models", {})
    for subject, metrics in columns.items():
        if subject == OFFLINE:
            continue
        for metric, limit in models.items():
            if metric != "beat_offline" and metric.split(".")[0] in ran_groups:
                verdicts.append(limit_verdict(subject, metric, limit, lookup(metrics, metric)))
        for metric in (m for m in models.get("beat_offline", []) if m.split(".")[0] in ran_groups):
            baseline = lookup(columns.get(OFFLINE, {}), metric)
            value = lookup(metrics, metric)
            ok = value is not None and (baseline is None or value >= baseline)
            shown = "–" if baseline is None else f"{baseline:.2f}"
            verdicts.append(Verdict(subject, metric, f"≥ offline ({shown})", value, ok))
    return verdicts
