"""The real-world part of ``okr-review eval``: finding the set, reading it, scoring labels, thresholds, the table."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli import app
from assistant.evaluation import read_run
from assistant.evaluation import realworld as rw
from assistant.evaluation.metrics import ThresholdError, load_thresholds
from assistant.evaluation.realworld import Item, Predicted, RealWorldError

CASES = Path(__file__).resolve().parent / "cases"
ROOT = Path(__file__).resolve().parents[2]
TOO_MANY = {"L-too-many-krs": ("FOC002",)}
CHECKOUT_ROOT = rw.checkout_root  # the conftest hides the checkout from every test; this one looks for it


def kr(text: str, *labels: str) -> dict:
    return {"text": text, "labels": list(labels or ["ok"]), "why": ""}


def labelled_file(folder: Path) -> Path:
    """Two sets with the same team and cycle: a 5-KR objective labelled too many, and a 2-KR one labelled so too."""
    sets = [
        {
            "source_url": "https://example.org/a",
            "language": "zh",
            "team_or_context": "示例团队",
            "cycle": "2025Q1",
            "objectives": [
                {
                    "text": "让新用户第一周就爱上产品",
                    "labels": ["L-too-many-krs"],
                    "why": "5 KRs",
                    "key_results": [kr(f"第 {n} 周新用户留存率从 30% 提升到 4{n}%") for n in range(1, 6)],
                },
                {
                    "text": "让客服响应更快",
                    "labels": ["ok"],
                    "why": "",
                    "key_results": [kr("首次响应时间从 2 小时缩短到 20 分钟"), kr("提升服务质量", "S-unmeasurable")],
                },
            ],
        },
        {
            "source_url": "https://example.org/b",
            "language": "en",
            "team_or_context": "示例团队",
            "cycle": "2025Q1",
            "objectives": [
                {
                    "text": "Make checkout painless",
                    "labels": ["L-too-many-krs"],
                    "why": "labelled by mistake",
                    "key_results": [kr("Checkout conversion from 41% to 55%"), kr("Cart abandonment from 30% to 20%")],
                }
            ],
        },
    ]
    path = folder / "labelled.json"
    path.write_text(json.dumps(sets, ensure_ascii=False), "utf-8")
    return path


def predicted(language: str, gold: set[str], labels: set[str], codes: set[str] = frozenset()) -> Predicted:
    item = Item("team", "", language, "O1.KR1", f"text {sorted(gold)} {sorted(labels)}", frozenset(gold))
    return Predicted(item, frozenset(codes), frozenset(labels), frozenset())


# ---------------------------------------------------------------- scoring arithmetic


def test_score_counts_per_label_micro_and_per_language():
    predictions = [
        predicted("zh", {"A"}, {"A"}),  # A hit
        predicted("zh", {"A", "B"}, {"B"}),  # A missed, B hit
        predicted("en", set(), {"A"}),  # A false alarm
        predicted("en", {"B"}, set()),  # B missed
        predicted("en", set(), set()),  # nothing
    ]
    scores = rw.score(predictions, ["A", "B", "C"])
    a, b, c = (scores["by_label"][label] for label in "ABC")
    assert (a["support"], a["tp"], a["fp"], a["fn"]) == (2, 1, 1, 1)
    assert a["precision"] == 0.5 and a["recall"] == 0.5
    assert (b["support"], b["tp"], b["fp"], b["fn"]) == (2, 1, 0, 1)
    assert b["precision"] == 1.0 and b["recall"] == 0.5
    assert c["support"] == 0 and c["precision"] is None and c["recall"] is None
    assert (scores["tp"], scores["fp"], scores["fn"]) == (2, 1, 2)
    assert scores["micro_precision"] == pytest.approx(2 / 3) and scores["micro_recall"] == 0.5
    zh, en = scores["by_language"]["zh"], scores["by_language"]["en"]
    assert zh["items"] == 2 and zh["micro_precision"] == 1.0 and zh["micro_recall"] == pytest.approx(2 / 3)
    assert en["items"] == 3 and en["micro_precision"] == 0.0 and en["micro_recall"] == 0.0
    errors = scores["errors"]
    assert len(errors) == 3
    assert [(e["missed"], e["false_alarms"]) for e in errors] == [(["A"], []), ([], ["A"]), (["B"], [])]


def test_a_gold_label_outside_the_table_is_scored_as_missed():
    scores = rw.score([predicted("zh", {"X-new"}, set()), predicted("zh", {"A"}, {"A"})], ["A"])
    assert scores["unmapped_labels"] == ["X-new"]
    assert scores["by_label"]["X-new"]["fn"] == 1 and scores["micro_recall"] == 0.5


def test_predict_item_maps_codes_through_the_table_and_keeps_other_codes_apart():
    item = Item("t", "", "en", "O1", "Health", frozenset({"I-objective-vague"}))
    mapping = {"I-objective-vague": ("INS003", "INS005"), "I-objective-is-metric": ("INS001",)}
    got = rw.predict_item(item, frozenset({"INS005", "OWN001"}), mapping)
    assert got.labels == {"I-objective-vague"}
    assert got.codes == {"INS005"} and got.other_codes == {"OWN001"}


def test_a_label_counts_only_on_the_kind_of_item_it_is_defined_for():
    mapping = {"C-not-challenging": ("CHA002",)}
    scopes = {"C-not-challenging": "key_result"}
    on_objective = Item("t", "", "zh", "O1", "保持好奇心", frozenset())
    on_kr = Item("t", "", "zh", "O1.KR1", "退货率维持在 2% 以下", frozenset({"C-not-challenging"}))
    assert rw.predict_item(on_objective, frozenset({"CHA002"}), mapping, scopes).labels == frozenset()
    assert rw.predict_item(on_kr, frozenset({"CHA002"}), mapping, scopes).labels == {"C-not-challenging"}
    assert rw.label_scopes()["I-objective-vague"] == "objective"  # the shipped table says where each applies


# ---------------------------------------------------------------- the table and the file


def test_shipped_label_table_maps_each_label_to_registered_codes():
    mapping = rw.label_map()
    assert mapping["I-objective-vague"] == ("INS003", "INS005")
    assert mapping["L-too-many-krs"] == ("FOC002",)
    assert set(mapping) == {
        "S-unmeasurable",
        "S-no-baseline",
        "C-activity-not-outcome",
        "C-not-challenging",
        "I-objective-is-metric",
        "I-objective-vague",
        "L-too-many-krs",
    }
    assert rw.unknown_codes(mapping) == []
    assert rw.unknown_codes({"X": ("MEA001", "ZZZ999")}, known=["MEA001"]) == ["ZZZ999"]


def test_evaluate_scores_each_set_on_its_own(tmp_path):
    result = rw.evaluate(labelled_file(tmp_path), mapping=TOO_MANY)
    assert result["sets"] == 2 and result["items"] == 3 + 5 + 2 + 2
    too_many = result["by_label"]["L-too-many-krs"]
    # Same team and cycle in both sets: the 5-KR objective of the first must not be credited to the second.
    assert (too_many["support"], too_many["tp"], too_many["fp"], too_many["fn"]) == (2, 1, 0, 1)
    assert result["unmapped_labels"] == ["S-unmeasurable"]
    missed = {(e["language"], e["item"]) for e in result["errors"]}
    assert ("en", "O1") in missed and ("zh", "O2.KR2") in missed and ("zh", "O1") not in missed
    english = next(e for e in result["errors"] if e["language"] == "en")
    assert english["text"] == "Make checkout painless" and english["missed"] == ["L-too-many-krs"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{}", "expected a JSON list"),
        ("not json", "cannot read"),
        ('[{"language": "zh", "team_or_context": "t", "objectives": [{"labels": ["ok"]}]}]', r"\[0\] O1: 'text'"),
        ('[{"language": "zh", "team_or_context": "t", "objectives": [{"text": "x", "labels": []}]}]', "'labels'"),
    ],
)
def test_load_names_what_is_wrong(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content, "utf-8")
    with pytest.raises(RealWorldError, match=message):
        rw.load(path)


# ---------------------------------------------------------------- finding the set


def test_locate_prefers_the_option_then_the_variable_then_the_checkout(tmp_path):
    root = tmp_path / "repo"
    root.mkdir()
    default = tmp_path / "shared" / "realworld" / "okrs_dev.json"
    other = labelled_file(tmp_path)
    assert rw.locate(None, {}, root).path is None  # nothing beside the checkout yet
    default.parent.mkdir(parents=True)
    default.write_text("[]", "utf-8")
    assert rw.locate(None, {}, root) == rw.Location(default.resolve(), "checkout")
    assert rw.locate(None, {"OKR_REVIEW_REALWORLD": str(other)}, root).path == other
    assert rw.locate(other, {"OKR_REVIEW_REALWORLD": str(default)}, root).origin == "--realworld"


def test_an_absent_set_is_skipped_with_a_note_but_a_named_one_must_exist(tmp_path):
    installed = rw.locate(None, {}, None)
    assert installed.path is None and "skipped" in installed.note and "--realworld" in installed.note
    beside = rw.locate(None, {}, tmp_path)
    assert beside.path is None and "not found" in beside.note
    with pytest.raises(RealWorldError, match="no such file"):
        rw.locate(tmp_path / "gone.json", {}, None)
    with pytest.raises(RealWorldError, match="OKR_REVIEW_REALWORLD"):
        rw.locate(None, {"OKR_REVIEW_REALWORLD": str(tmp_path / "gone.json")}, None)


def test_checkout_root_is_the_repository_here():
    assert CHECKOUT_ROOT() == ROOT


# ---------------------------------------------------------------- thresholds


def test_per_label_limits_apply_to_labels_with_enough_gold_items():
    metrics = {
        "micro_precision": 0.95,
        "micro_recall": 0.5,
        "by_label": {
            "big": {"support": 12, "recall": 0.9},
            "small": {"support": 9, "recall": 0.1},
            "edge": {"support": 10, "recall": 0.7},
        },
    }
    thresholds = {
        "realworld": {
            "micro_precision": {"min": 0.9},
            "micro_recall": {"min": 0.85},
            "each_label": {"min_items": 10, "recall": {"min": 0.8}},
        }
    }
    assert rw.judged_labels(metrics, 10) == ["big", "edge"]
    verdicts = {v.metric: v.ok for v in rw.realworld_verdicts(thresholds, metrics)}
    assert verdicts == {
        "micro_precision": True,
        "micro_recall": False,
        "by_label.big.recall": True,
        "by_label.edge.recall": False,
    }
    assert rw.realworld_verdicts(thresholds, None) == []  # the part did not run: nothing is judged
    assert rw.realworld_verdicts({}, metrics) == []


def test_thresholds_file_holds_the_realworld_targets(tmp_path):
    shipped = load_thresholds(ROOT / "evals" / "thresholds.toml")["realworld"]
    assert shipped["micro_precision"] == {"min": 0.9} and shipped["micro_recall"] == {"min": 0.85}
    assert shipped["each_label"] == {"min_items": 10, "recall": {"min": 0.8}}
    bad = tmp_path / "bad.toml"
    bad.write_text("[realworld.each_label]\nmin_items = 0\n", "utf-8")
    with pytest.raises(ThresholdError, match="min_items"):
        load_thresholds(bad)
    bad.write_text("[realworld]\nmicro_recall = 0.8\n", "utf-8")
    with pytest.raises(ThresholdError, match=r"\[realworld\] micro_recall"):
        load_thresholds(bad)


# ---------------------------------------------------------------- the command


def test_cli_prints_the_per_label_table_and_records_the_errors(tmp_path, monkeypatch):
    monkeypatch.setattr(rw, "label_map", lambda table=None: dict(TOO_MANY))
    limits = tmp_path / "limits.toml"
    limits.write_text("[realworld.each_label]\nmin_items = 2\nrecall = { min = 0.8 }\n", "utf-8")
    args = ["eval", "--cases", str(CASES), "--offline", "--no-retrieval", "--kind", "rules", "--out", str(tmp_path)]
    result = CliRunner().invoke(app, [*args, "--thresholds", str(limits), "--realworld", str(labelled_file(tmp_path))])
    assert result.exit_code == 1, result.output  # recall 0.5 on a label with 2 gold items
    assert "Real-world set: 12 items (en 3, zh 9) in 2 sets" in result.output
    assert re.search(r"label\s*┃\s*support\s*┃\s*tp\s*┃\s*fp\s*┃\s*fn\s*┃\s*P\s*┃\s*R", result.output)
    assert re.search(r"L-too-many-krs\s*│\s*2\s*│\s*1\s*│\s*0\s*│\s*1\s*│\s*100\.0%\s*│\s*50\.0%", result.output)
    assert "missed by_label.L-too-many-krs.recall = 0.5 (needs ≥ 0.8)" in result.output
    record = read_run(next(tmp_path.glob("eval-*.json")))
    errors = record["engine"]["realworld"]["errors"]
    assert any(e["text"] == "Make checkout painless" and e["missed"] == ["L-too-many-krs"] for e in errors)
    html = next(tmp_path.glob("eval-*.html")).read_text("utf-8")
    assert "Misses and false alarms" in html and "Make checkout painless" in html


def test_cli_skips_an_absent_set_in_one_line(tmp_path):
    args = ["eval", "--cases", str(CASES), "--offline", "--no-retrieval", "--kind", "rules", "--out", str(tmp_path)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    skipped = [line for line in result.output.splitlines() if line.startswith("real-world set:")]
    assert len(skipped) == 1 and "skipped" in skipped[0]
    record = read_run(next(tmp_path.glob("eval-*.json")))
    assert "realworld" not in record["engine"] and record["settings"]["realworld"]["path"] is None
    assert not any(v["scope"] == "realworld" for v in record["verdicts"])


def test_cli_refuses_a_named_set_that_is_missing(tmp_path):
    args = ["eval", "--offline", "--kind", "rules", "--out", str(tmp_path), "--realworld", str(tmp_path / "gone")]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert "no such file" in result.output
