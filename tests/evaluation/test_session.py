"""What `okr-review eval` decides around the harness (evaluation/session.py): columns, totals, diffs."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from assistant.evaluation.runner import OFFLINE, Subject, subjects_for
from assistant.evaluation.session import EvalSetupError, judge_for, model_columns, record_totals, run_diffs
from assistant.llm.settings import LLMSettings


def test_model_columns() -> None:
    assert model_columns(None, ["m1"]) == []  # offline: no model column whatever is asked
    assert model_columns(LLMSettings(model="gpt-x"), []) == ["gpt-x"]
    assert model_columns(LLMSettings(model="gpt-x"), ["a", "b"]) == ["a", "b"]
    assert model_columns(LLMSettings(base_url="http://127.0.0.1:9/v1"), ["a"]) == ["a"]
    assert model_columns(LLMSettings(), []) == []
    with pytest.raises(EvalSetupError, match="--model needs an endpoint"):
        model_columns(LLMSettings(), ["a"])


def _record(*results: dict, subjects=("offline",)) -> dict:
    described = [{"name": name, "model": None if name == OFFLINE else name, "prompts": {}} for name in subjects]
    return {"settings": {"subjects": described}, "results": list(results)}


def test_record_totals_sum_the_results_and_note_them() -> None:
    record = _record(
        {"calls": 2, "cache_hits": 1, "tokens": 300},
        {"calls": 0, "cache_hits": 4, "tokens": 0},
    )
    totals = record_totals(record)
    assert (totals.calls, totals.cache_hits, totals.tokens) == (2, 5, 300)
    assert record["settings"]["usage"] == {"calls": 2, "cache_hits": 5}
    assert totals.describe() == "LLM calls 2 · cache hits 5 · tokens 300"


def _result(case: str, subject: str, passed: bool) -> dict:
    return {"case": case, "kind": "rewrite", "subject": subject, "repeat": 0, "passed": passed}


def test_run_diffs_against_an_earlier_run_else_between_two_model_columns() -> None:
    now = _record(_result("c1", "m1", True), _result("c1", "m2", False), subjects=(OFFLINE, "m1", "m2"))
    diffs, title = run_diffs(now)
    assert title == "m1 → m2" and [d.case for d in diffs] == ["c1"]
    before = _record(_result("c1", "m1", False), subjects=(OFFLINE, "m1"))
    diffs, title = run_diffs(now, before, "old.json")
    assert title == "old.json (m1) → this run (m1)" and [d.case for d in diffs] == ["c1"]
    assert run_diffs(_record(subjects=(OFFLINE, "m1"))) == ([], "")


def test_the_judge_needs_a_model_column(tmp_path) -> None:
    env = SimpleNamespace(llm=lambda subject, repeat: None)
    with pytest.raises(EvalSetupError, match="--judge needs a model column"):
        judge_for(env, subjects_for([], []), SimpleNamespace(cases=[]), tmp_path / "labels.jsonl")
    with pytest.raises(EvalSetupError):
        judge_for(env, [Subject(OFFLINE), Subject("m", model="m")], SimpleNamespace(cases=[]), tmp_path / "x")
