"""Excel workbooks: title rows, merged cells, formulas without a saved value, several sheets."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from importer_helpers import errors, kr, objective, one_set, revalidated, warnings
from openpyxl import Workbook

from assistant.findings import ProblemLevel
from assistant.importers import load_paths


def make_workbook(path: Path) -> Path:
    """A realistic tracker: title row, merged objective cells, a formula never calculated, a huge cell."""
    book = Workbook()
    sheet = book.active
    sheet.title = "OKR"
    sheet.append(["平台研发部 2025Q3 OKR"])
    sheet.merge_cells("A1:F1")
    sheet.append(["团队", "周期", "目标", "关键结果", "信心指数(%)", "完成日期", "颜色"])
    sheet.append(["平台研发部", "2025Q3", "性能第一", "延时降到 0.3 毫秒", 0.6, datetime(2025, 9, 30), "红"])
    sheet.append(["平台研发部", "2025Q3", None, "可用性 99.99%", "70%", "2025/9/30", None])
    sheet.append(["平台研发部", "2025Q3", "自动化", "自动化率 60%", "=B3*2", None, None])
    sheet.append(["平台研发部", "2025Q3", None, "长" * 3000, 50, None, None])
    sheet.merge_cells("C3:C4")
    sheet.merge_cells("C5:C6")
    book.save(path)
    return path


def test_xlsx_title_row_merged_cells_formula_and_huge_cell(tmp_path: Path) -> None:
    path = make_workbook(tmp_path / "tracker.xlsx")
    before = (path.read_bytes(), os.stat(path).st_mtime_ns)
    result = load_paths([path])
    assert (path.read_bytes(), os.stat(path).st_mtime_ns) == before
    okr_set = one_set(result, "平台研发部")
    assert okr_set.cycle == "2025Q3"
    assert [(o.id, o.text, len(o.key_results)) for o in okr_set.objectives] == [
        ("O1", "性能第一", 2),
        ("O2", "自动化", 2),
    ]
    first = kr(okr_set, "O1.KR1")
    assert first.confidence == 60.0 and str(first.due) == "2025-09-30"
    assert first.source is not None and (first.source.row, first.source.sheet) == (3, "OKR")
    assert kr(okr_set, "O1.KR2").confidence == 70.0
    formula = kr(okr_set, "O2.KR1")
    assert formula.text == "自动化率 60%" and formula.confidence is None
    assert len(kr(okr_set, "O2.KR2").text) == 2000

    [formula_problem] = errors(result)
    assert (formula_problem.row, formula_problem.field, formula_problem.sheet) == (5, "confidence", "OKR")
    assert "formula without a computed value" in formula_problem.reason
    found = {(p.row, p.field) for p in warnings(result)}
    assert (6, "key_result") in found  # truncated
    assert any("颜色" in p.reason for p in warnings(result))
    assert revalidated(okr_set) == okr_set


def test_xlsx_sheets_without_team_column_take_the_sheet_name(tmp_path: Path) -> None:
    book = Workbook()
    first = book.active
    first.title = "增长部"
    first.append(["Objective", "Key Result", "Owner"])
    first.append(["Delight users", "NPS 20 → 35", "Ann"])
    second = book.create_sheet("产品部")
    second.append(["目标", "关键结果"])
    second.append(["好产品", "留存 40%"])
    notes = book.create_sheet("说明")
    notes.append(["这是说明"])
    path = tmp_path / "multi.xlsx"
    book.save(path)
    result = load_paths([path])
    assert [s.team for s in result.sets] == ["增长部", "产品部"]
    assert kr(result.sets[0], "O1.KR1").owner == "Ann"
    assert objective(result.sets[1], "O1").text == "好产品"
    assert [(p.sheet, p.level) for p in result.problems] == [("说明", ProblemLevel.warning)]


def test_xlsx_without_header_is_one_error(tmp_path: Path) -> None:
    book = Workbook()
    book.active.append(["a", "b"])
    path = tmp_path / "nohead.xlsx"
    book.save(path)
    result = load_paths([path])
    assert result.sets == [] and len(errors(result)) == 1


def test_corrupt_xlsx_is_one_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    result = load_paths([path])
    assert result.sets == [] and len(errors(result)) == 1


def test_formula_in_the_key_result_column_skips_the_row(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["目标", "关键结果", "负责人"])
    sheet.append(["甲", "a", "张三"])
    sheet.append(["甲", '=CONCAT("b","c")', "李四"])
    path = tmp_path / "f.xlsm"
    book.save(path)
    result = load_paths([path])
    assert [k.text for k in one_set(result).objectives[0].key_results] == ["a"]
    assert [(p.row, p.field) for p in errors(result)] == [(3, "key_result")]


def test_title_row_names_the_cycle_of_rows_without_one(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "Engineering"
    sheet.append(["Engineering OKRs, Q3 2025"])
    sheet.append(["Objective", "Key Result", "Owner"])
    sheet.append(["Fast pages", "p95 load time from 2.4 s to under 1.0 s", "Mei"])
    other = book.create_sheet("运维部")
    other.append(["运维部 OKR 跟踪表"])
    other.append(["周期", "目标", "关键结果"])
    other.append(["2025H2", "稳定", "故障恢复时间从 30 分钟降到 10 分钟"])
    path = tmp_path / "tracker.xlsx"
    book.save(path)
    result = load_paths([path])
    assert [(s.team, s.cycle) for s in result.sets] == [("Engineering", "2025Q3"), ("运维部", "2025H2")]


def test_bundled_tracker_example_reads_cleanly() -> None:
    result = load_paths([Path(__file__).resolve().parents[2] / "examples" / "quarterly-tracker.xlsx"])
    assert result.problems == []
    assert [(s.team, s.cycle, sum(len(o.key_results) for o in s.objectives)) for s in result.sets] == [
        ("Engineering", "2025Q3", 5),
        ("运维部", "2025Q3", 2),
    ]


def test_xlsx_ten_point_confidence_is_detected_across_the_whole_workbook(tmp_path: Path) -> None:
    book = Workbook()
    first = book.active
    first.title = "增长部"
    first.append(["目标", "关键结果", "信心指数"])
    first.append(["新用户更多", "注册数翻倍", 9])
    first.append(["新用户更多", "激活率 40%", 10])
    second = book.create_sheet("Support")
    second.append(["Objective", "Key Result", "Confidence"])
    second.append(["Answer faster", "first reply under 1 hour", 1])  # alone it would read as 100%
    path = tmp_path / "scale.xlsx"
    book.save(path)
    result = load_paths([path])
    assert errors(result) == []
    growth = one_set(result, "增长部")
    assert [k.confidence for k in growth.objectives[0].key_results] == [90.0, 100.0]
    assert kr(one_set(result, "Support"), "O1.KR1").confidence == 10.0
    [notice] = warnings(result)
    assert (notice.file, notice.sheet, notice.field) == (str(path), None, "confidence")
    assert "1–10" in notice.reason


def test_xlsx_percent_cells_beside_a_small_number_are_not_rescaled(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["Objective", "Key Result", "Confidence"])
    sheet.append(["Answer faster", "first reply under 1 hour", "60%"])
    sheet.append(["Answer faster", "CSAT 95%", 8])
    path = tmp_path / "mixed.xlsx"
    book.save(path)
    result = load_paths([path])
    assert [k.confidence for k in result.sets[0].objectives[0].key_results] == [60.0, 8.0]
    assert [p.field for p in warnings(result)] == ["confidence"]
