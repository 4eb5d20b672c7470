"""JSON and YAML documents in the model's schema, with partial processing of bad fields."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from importer_helpers import errors, kr, objective, one_set, warnings

from assistant.importers import load_paths, load_text
from assistant.model import DependencyStatus, Level


def test_example_yaml() -> None:
    result = load_paths(["examples/okrs.yaml"])
    assert result.problems == []
    okr_set = one_set(result, "数据平台组")
    assert (okr_set.level, okr_set.cycle, okr_set.owner) == (Level.team, "2025Q4", "李然")
    assert objective(okr_set, "O1").confidence == 60.0
    first = kr(okr_set, "O1.KR1")
    assert (first.due, first.baseline, first.target, first.unit) == (date(2025, 12, 31), 40.0, 70.0, "%")
    [dep] = kr(okr_set, "O1.KR2").dependencies
    assert (dep.team, dep.point, dep.status) == ("财务部", "确认收入口径定义", DependencyStatus.accepted)
    assert kr(okr_set, "O1.KR3").owner == "吴凡"
    assert first.source is not None and first.source.file == "examples/okrs.yaml" and first.source.line


def test_json_shapes_and_positional_ids(tmp_path: Path) -> None:
    one = {"team": "A", "objectives": [{"text": "甲", "key_results": [{"text": "a"}, {"text": "b"}]}]}
    for name, data in (("one.json", one), ("list.json", [one, {**one, "team": "B"}]), ("sets.json", {"sets": [one]})):
        path = tmp_path / name
        path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        result = load_paths([path])
        assert result.problems == []
        assert [k.id for k in result.sets[0].objectives[0].key_results] == ["KR1", "KR2"]
        assert result.sets[0].objectives[0].id == "O1"
    assert [s.team for s in load_paths([tmp_path / "list.json"]).sets] == ["A", "B"]


def test_bad_field_is_dropped_and_reported_with_its_path(tmp_path: Path) -> None:
    data = {
        "sets": [
            {
                "team": "A",
                "level": "galaxy",
                "objectives": [
                    {"text": "甲", "key_results": [{"text": "a"}]},
                    {
                        "id": "目标5",
                        "text": "乙",
                        "key_results": [
                            {"text": "b"},
                            {"text": "c"},
                            {"id": "关键结果7", "text": "d", "confidence": "high", "owner": "王五"},
                        ],
                    },
                    {"owner": "无文字"},
                ],
            }
        ]
    }
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    result = load_paths([path])
    okr_set = one_set(result, "A")
    assert okr_set.level is None
    assert [o.id for o in okr_set.objectives] == ["O1", "O5"]
    d = kr(okr_set, "O5.KR7")
    assert (d.text, d.owner, d.confidence) == ("d", "王五", None)
    fields = {p.field for p in errors(result)}
    assert "sets[0].objectives[1].key_results[2].confidence" in fields
    assert "sets[0].level" in fields
    assert "sets[0].objectives[2].text" in fields


def test_set_without_team_is_dropped_others_kept(tmp_path: Path) -> None:
    path = tmp_path / "two.json"
    path.write_text(json.dumps([{"objectives": []}, {"team": "B"}]), encoding="utf-8")
    result = load_paths([path])
    assert [s.team for s in result.sets] == ["B"]
    assert [p.field for p in errors(result)] == ["sets[0].team"]


def test_duplicate_ids_warn_and_fall_back(tmp_path: Path) -> None:
    data = {"team": "A", "objectives": [{"id": "O1", "text": "甲"}, {"id": "O1", "text": "乙"}]}
    path = tmp_path / "dup.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    result = load_paths([path])
    assert [o.id for o in one_set(result).objectives] == ["O1", "O2"]
    assert len(warnings(result)) == 1 and errors(result) == []


def test_invalid_json_reports_the_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{\n  "team": "A",\n  "objectives": [\n}\n', encoding="utf-8")
    result = load_paths([path])
    [problem] = result.problems
    assert result.sets == [] and problem.line == 4 and "JSON" in problem.reason


def test_invalid_yaml_reports_the_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("team: A\nobjectives:\n  - text: [unclosed\n", encoding="utf-8")
    result = load_paths([path])
    [problem] = result.problems
    assert result.sets == [] and problem.line is not None and "YAML" in problem.reason


def test_yaml_problem_carries_the_line_of_the_item(tmp_path: Path) -> None:
    path = tmp_path / "y.yml"
    path.write_text(
        "team: A\nobjectives:\n  - text: 甲\n    key_results:\n      - text: a\n        confidence: 很高\n",
        encoding="utf-8",
    )
    result = load_paths([path])
    [problem] = errors(result)
    assert problem.field == "objectives[0].key_results[0].confidence" and problem.line == 5
    assert kr(one_set(result), "O1.KR1").text == "a"


def test_load_text_reads_json_and_yaml() -> None:
    assert one_set(load_text('{"team": "A", "objectives": [{"text": "甲"}]}')).team == "A"
    result = load_text("team: B\nobjectives:\n  - text: 乙\n", "paste")
    assert one_set(result).objectives[0].text == "乙"
    assert result.sets[0].source is not None and result.sets[0].source.file == "paste"


def test_outline_that_parses_as_yaml_stays_an_outline() -> None:
    result = load_text("team: 增长部\nO1: 甲\nKR1: a\n", "paste")
    okr_set = one_set(result)
    assert [k.text for k in okr_set.objectives[0].key_results] == ["a"]
    assert okr_set.team == "增长部"


def test_yaml_confidence_on_a_ten_point_scale_is_rescaled(tmp_path: Path) -> None:
    text = (
        "team: 交付部\n"
        "objectives:\n"
        "  - text: 按时交付\n"
        "    confidence: 7\n"
        "    key_results:\n"
        "      - text: 准时率 95%\n"
        "        confidence: 9\n"
        "      - text: 返工率 5%\n"
        "        confidence: 10\n"
    )
    path = tmp_path / "scale.yaml"
    path.write_text(text, encoding="utf-8")
    result = load_paths([path])
    okr_set = one_set(result)
    assert objective(okr_set, "O1").confidence == 70.0
    assert [k.confidence for k in okr_set.objectives[0].key_results] == [90.0, 100.0]
    [notice] = warnings(result)
    assert (notice.file, notice.field) == (str(path), "confidence") and "1–10" in notice.reason


def test_json_percentages_stay_and_problems_keep_document_order(tmp_path: Path) -> None:
    data = [
        {"team": "Ops", "objectives": [{"text": "Stay up", "confidence": "60%", "key_results": [{"text": "a"}]}]},
        {"team": "Web", "objectives": [{"text": "Be quick", "key_results": [{"text": "b", "confidence": 8}]}]},
    ]
    path = tmp_path / "mixed.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    result = load_paths([path])
    assert objective(one_set(result, "Ops"), "O1").confidence == 60.0
    assert kr(one_set(result, "Web"), "O1.KR1").confidence == 8.0
    assert [p.field for p in result.problems] == ["confidence"]
