"""The intent part of `okr-review eval`: figures from the labelled set, its threshold, its printed line."""

from __future__ import annotations

from pathlib import Path

from assistant.evaluation.intents import evaluate_intents, load_utterances
from assistant.evaluation.metrics import check_thresholds, load_thresholds
from assistant.evaluation.report import intents_line

ROOT = Path(__file__).resolve().parents[2]


def test_the_intent_figures_meet_the_threshold_and_print_per_language():
    figures = evaluate_intents(load_utterances(ROOT / "evals" / "intents" / "utterances.tsv"))
    thresholds = load_thresholds(ROOT / "evals" / "thresholds.toml")
    assert thresholds["engine"]["intents.accuracy"] == {"min": 0.95}
    (verdict,) = [v for v in check_thresholds(thresholds, {"intents": figures}, {}) if v.metric == "intents.accuracy"]
    assert verdict.ok and verdict.value == figures["accuracy"]
    line = intents_line(figures)
    assert f"({figures['utterances']} utterances)" in line and "zh " in line and "en " in line


def test_a_misread_utterance_is_listed_and_lowers_the_accuracy(tmp_path):
    path = tmp_path / "u.tsv"
    path.write_text("zh\tdraft\tundo\t-\t撤销\nzh\tdraft\tdelete_kr\tn=2\t删除 KR3\n", encoding="utf-8")
    figures = evaluate_intents(load_utterances(path))
    assert figures["accuracy"] == 0.5
    assert figures["misses"] == [{"line": 2, "text": "删除 KR3", "expected": "delete_kr", "got": "delete_kr", "n": 3}]
    verdicts = check_thresholds({"engine": {"intents.accuracy": {"min": 0.95}}}, {"intents": figures}, {})
    assert [v.ok for v in verdicts] == [False]
