"""Figures from case results: precision/recall per code, pass rates with spread, percentiles, thresholds."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.evaluation.metrics import (
    ThresholdError,
    check_thresholds,
    column_metrics,
    load_thresholds,
    lookup,
    percentile,
    rule_metrics,
)
from assistant.evaluation.runner import CaseResult
from assistant.knowledge.evaluation import CaseResult as RetrievalResult
from assistant.knowledge.evaluation import RetrievalCase, RetrievalScores


def result(case: str, checks: dict[str, bool], *, subject="engine", kind="rules", repeat=0, **fields) -> CaseResult:
    base = dict(
        case=case,
        kind=kind,
        task=kind,
        language="zh",
        subject=subject,
        repeat=repeat,
        passed=all(checks.values()),
        checks=checks,
        counts={},
        output="",
        seconds=0.1,
    )
    base.update(fields)
    return CaseResult(**base)


def test_rule_precision_recall_per_code_and_dimension():
    results = [
        result("a", {"fires MEA002": True, "quiet OUT001": True}),
        result("b", {"fires MEA002": False, "quiet MEA002": True}),
        result("c", {"fires OUT001": True, "quiet MEA002": False}),
    ]
    metrics = rule_metrics(results)
    mea = metrics["by_code"]["MEA002"]
    assert (mea["tp"], mea["fn"], mea["fp"], mea["tn"]) == (1, 1, 1, 1)
    assert mea["precision"] == 0.5 and mea["recall"] == 0.5 and mea["f1"] == 0.5
    assert metrics["by_code"]["OUT001"]["precision"] == 1.0
    assert metrics["by_dimension"]["measurable"]["recall"] == 0.5
    assert metrics["micro_precision"] == pytest.approx(2 / 3) and metrics["micro_recall"] == pytest.approx(2 / 3)
    assert metrics["case_pass"] == pytest.approx(1 / 3)
    assert "MEA001" in metrics["codes_untested"]


def test_column_metrics_pass_rate_spread_latency_and_counts():
    runs = [
        result(
            "w1",
            {"answered": True},
            subject="m",
            kind="rewrite",
            repeat=0,
            seconds=1.0,
            tokens=100,
            counts={"candidates": 2, "passed candidates": 2, "invented figures": 0, "wrong language": 0, "leaks": 0},
        ),
        result(
            "w2",
            {"answered": False},
            subject="m",
            kind="rewrite",
            repeat=0,
            seconds=3.0,
            tokens=300,
            counts={"candidates": 2, "passed candidates": 0, "invented figures": 2, "wrong language": 0, "leaks": 0},
        ),
        result(
            "w1",
            {"answered": True},
            subject="m",
            kind="rewrite",
            repeat=1,
            seconds=2.0,
            tokens=0,
            cache_hits=1,
            counts={"candidates": 2, "passed candidates": 2, "invented figures": 0, "wrong language": 0, "leaks": 0},
        ),
        result(
            "w2",
            {"answered": True},
            subject="m",
            kind="rewrite",
            repeat=1,
            seconds=4.0,
            tokens=200,
            counts={"candidates": 2, "passed candidates": 1, "invented figures": 1, "wrong language": 0, "leaks": 0},
        ),
    ]
    metrics = column_metrics(runs)["m"]["rewrite"]
    assert metrics["case_pass"] == 0.75  # mean of the repeats' 0.5 and 1.0
    assert metrics["case_pass_spread"] == 0.25
    assert metrics["latency_p50"] == 2.0 and metrics["latency_p95"] == 4.0
    assert metrics["tokens_per_case"] == 150 and metrics["cache_hits"] == 1
    assert metrics["candidate_pass"] == 5 / 8 and metrics["invented_rate"] == 3 / 8
    assert metrics["checks"]["answered"] == 0.75


def test_percentile_is_nearest_rank():
    assert percentile([], 50) is None
    assert percentile([5, 1, 3], 50) == 3
    assert percentile(list(range(1, 101)), 95) == 95


def test_thresholds_min_max_and_beating_the_offline_column():
    thresholds = {
        "engine": {"rules.micro_f1": {"min": 0.9}, "retrieval.mrr": {"min": 0.75}},
        "offline": {"rewrite.case_pass": {"min": 0.5}},
        "models": {"rewrite.invented_rate": {"max": 0.0}, "beat_offline": ["rewrite.case_pass"]},
    }
    engine = {"rules": {"micro_f1": 0.95}}  # retrieval was not run: not judged
    columns = {
        "offline": {"rewrite": {"case_pass": 0.8, "invented_rate": 0.0}},
        "good": {"rewrite": {"case_pass": 0.9, "invented_rate": 0.0}},
        "bad": {"rewrite": {"case_pass": 0.7, "invented_rate": 0.2}},
    }
    verdicts = {(v.scope, v.metric): v for v in check_thresholds(thresholds, engine, columns)}
    assert ("engine", "retrieval.mrr") not in verdicts
    assert verdicts[("engine", "rules.micro_f1")].ok
    assert verdicts[("offline", "rewrite.case_pass")].ok
    assert verdicts[("good", "rewrite.case_pass")].ok and verdicts[("good", "rewrite.invented_rate")].ok
    assert not verdicts[("bad", "rewrite.case_pass")].ok  # worse than the offline suggester
    assert verdicts[("bad", "rewrite.case_pass")].limit == "≥ offline (0.80)"
    assert not verdicts[("bad", "rewrite.invented_rate")].ok


def test_lookup_and_bad_threshold_files(tmp_path):
    assert lookup({"a": {"b": {"c": 1}}}, "a.b.c") == 1.0
    assert lookup({"a": {}}, "a.b") is None
    bad = tmp_path / "t.toml"
    bad.write_text('[engine]\n"rules.micro_f1" = 0.9\n', "utf-8")
    with pytest.raises(ThresholdError, match=r"rules\.micro_f1"):
        load_thresholds(bad)


def test_shipped_retrieval_floors_judge_both_levels_and_fail_unmeasured_sections():
    shipped = load_thresholds(Path(__file__).resolve().parents[2] / "evals" / "thresholds.toml")
    floors = {m for m in shipped["engine"] if m.startswith("retrieval.")}
    assert {"retrieval.hit_at_3", "retrieval.mrr", "retrieval.section_hit_at_3", "retrieval.section_mrr"} <= floors

    def verdicts(results) -> dict[str, bool]:
        engine = {"retrieval": RetrievalScores(tuple(results)).figures()}
        return {v.metric: v.ok for v in check_thresholds(shipped, engine, {})}

    right_part = RetrievalResult(RetrievalCase("q", "zh", ("a",), ("a#x",)), ("a",), ("a#x", "a#y"))
    wrong_part = RetrievalResult(RetrievalCase("q", "zh", ("a",), ("a#x",)), ("a",), ("a#y", "a#z", "b#w", "a#x"))
    unlabelled = RetrievalResult(RetrievalCase("q", "zh", ("a",)), ("a",))
    assert all(verdicts([right_part] * 9 + [wrong_part]).values())
    mixed = verdicts([right_part, wrong_part])  # every note found first, half the sections below rank 3
    assert mixed["retrieval.hit_at_3"] and mixed["retrieval.mrr"]
    assert not mixed["retrieval.section_hit_at_3"] and not mixed["retrieval.section_mrr"]
    unmeasured = verdicts([unlabelled])
    assert unmeasured["retrieval.hit_at_3"] and not unmeasured["retrieval.section_hit_at_3"]
