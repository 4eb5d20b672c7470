"""Flat CSV / TSV exports: headers, encodings, grouping, values and problems."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest
from importer_helpers import errors, kr, objective, one_set, revalidated, warnings

from assistant.findings import ProblemLevel
from assistant.importers import load_paths
from assistant.model import AlignmentType, DependencyStatus, Level

HEADER = (
    "团队,层级,上级,周期,目标编号,目标,目标负责人,承接,KR编号,关键结果,负责人,信心指数,完成日期,握手方,握手点,握手状态"
)


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_example_company_csv_loads_every_team() -> None:
    result = load_paths(["examples/company-and-teams.csv"])
    assert errors(result) == []
    assert [s.team for s in result.sets] == ["星河科技", "增长部", "产品部"]
    company = result.sets[0]
    assert company.level is Level.company and company.cycle == "2025Q3"
    assert [o.id for o in company.objectives] == ["O1", "O2"]
    assert [k.id for k in company.objectives[0].key_results] == ["KR1", "KR2", "KR3"]
    first = kr(company, "O1.KR1")
    assert first.owner == "周航" and first.confidence == 60.0 and first.due == date(2025, 9, 30)
    assert first.source is not None and first.source.file == "examples/company-and-teams.csv"
    assert first.source.row == 2
    growth = one_set(result, "增长部")
    assert growth.parent == "星河科技" and growth.level is Level.department
    assert objective(growth, "O1").aligned_to == ["O1.KR1"]
    assert objective(growth, "O1").owner == "马骁"
    dep = kr(growth, "O1.KR1").dependencies
    assert [(d.team, d.point, d.status) for d in dep] == [("产品部", "首页改版 8 月上线", DependencyStatus.accepted)]
    assert kr(growth, "O1.KR2").confidence is None
    product = one_set(result, "产品部")
    assert kr(product, "O1.KR1").dependencies[0].status is DependencyStatus.questioned
    assert objective(product, "O2").aligned_to == ["O3.KR1"]


def test_built_models_equal_validated_models() -> None:
    """The importer skips pydantic validation for speed; what it builds must equal what validation gives."""
    result = load_paths(["examples/company-and-teams.csv"])
    for okr_set in result.sets:
        assert revalidated(okr_set) == okr_set
        assert okr_set.model_dump() == revalidated(okr_set).model_dump()


def test_gbk_csv_with_title_row(tmp_path: Path) -> None:
    text = (
        "2025年第三季度 OKR 导出\n"
        + HEADER
        + "\n平台研发部,部门,公司,2025Q3,O1,性能第一,张三,,KR1,延时降到 0.3 毫秒,李四,60%,2025/9/30,,,\n"
    )
    path = write(tmp_path, "gbk.csv", text, "gbk")
    result = load_paths([path])
    assert errors(result) == []
    okr_set = one_set(result, "平台研发部")
    item = kr(okr_set, "O1.KR1")
    assert item.text == "延时降到 0.3 毫秒" and item.owner == "李四"
    assert item.due == date(2025, 9, 30)
    assert item.source is not None and item.source.row == 3  # the title row counts


def test_title_row_cycle_fills_rows_without_a_cycle(tmp_path: Path) -> None:
    text = "2025年第三季度 OKR 导出\n目标,关键结果\n让客户满意,NPS 从 20 提升到 35\n"
    okr_set = one_set(load_paths([write(tmp_path, "title.csv", text, "utf-8")]))
    assert okr_set.cycle == "2025Q3"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8-sig", "gb18030"])
def test_encodings(tmp_path: Path, encoding: str) -> None:
    text = "目标,关键结果,负责人\n让客户满意,NPS 从 20 提升到 35,王五\n"
    result = load_paths([write(tmp_path, "enc.csv", text, encoding)])
    assert errors(result) == []
    okr_set = one_set(result)
    assert okr_set.team == "enc"  # no team column: the file stem
    assert kr(okr_set, "O1.KR1").owner == "王五"
    assert objective(okr_set, "O1").text == "让客户满意"


def test_undecodable_file_is_one_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes("目标,关键结果\n".encode() + b"\x81\xff\xfe\x80\x80\xff" * 10 + b"\n")
    result = load_paths([path])
    assert result.sets == []
    assert len(errors(result)) == 1


def test_empty_file(tmp_path: Path) -> None:
    result = load_paths([write(tmp_path, "empty.csv", "")])
    assert [(p.file, p.reason, p.level) for p in result.problems] == [
        (str(tmp_path / "empty.csv"), "empty file", ProblemLevel.error)
    ]


def test_no_header_row_is_one_error(tmp_path: Path) -> None:
    result = load_paths([write(tmp_path, "x.csv", "a,b,c\n1,2,3\n")])
    assert result.sets == []
    assert len(result.problems) == 1 and result.problems[0].level is ProblemLevel.error
    assert "header" in result.problems[0].reason


@pytest.mark.parametrize("delimiter", [",", "\t", ";"])
def test_delimiters(tmp_path: Path, delimiter: str) -> None:
    rows = [["Team", "Objective", "Key Result", "Owner"], ["Growth", "Delight users", "NPS 20 → 35", "Ann Lee"]]
    text = "\n".join(delimiter.join(r) for r in rows) + "\n"
    result = load_paths([write(tmp_path, "d.tsv" if delimiter == "\t" else "d.csv", text)])
    assert errors(result) == []
    assert kr(one_set(result, "Growth"), "O1.KR1").owner == "Ann Lee"


def test_english_headers_and_values(tmp_path: Path) -> None:
    text = (
        "Team,Level,Cycle,Objective,Objective Owner,Aligned to,Alignment type,Key Result,KR Owner,Members,"
        "Confidence (%),Due date,Baseline,Target,Unit,Progress,Score,Depends on,Handshake point,"
        "Handshake status,Actions,Notes\n"
        "Growth,team,2025 Q3,Delight new users,Dana,O1.KR1 O2.KR3,polynomial,Activation 32% to 45%,Priya,"
        '"Sam, Bo",60%,2025-09-30,32,45,%,0.5,3.5,"Product, QA",Ship checklist,agreed,"call users; fix bugs",hi\n'
    )
    result = load_paths([write(tmp_path, "en.csv", text)])
    assert errors(result) == []
    okr_set = one_set(result, "Growth")
    assert okr_set.level is Level.team and okr_set.cycle == "2025Q3"
    obj = objective(okr_set, "O1")
    assert obj.owner == "Dana" and obj.aligned_to == ["O1.KR1", "O2.KR3"]
    assert obj.alignment is AlignmentType.polynomial
    item = kr(okr_set, "O1.KR1")
    assert item.owner == "Priya" and item.members == ["Sam", "Bo"]
    assert item.confidence == 60.0 and item.progress == 50.0 and item.score == 3.5
    assert (item.baseline, item.target, item.unit) == (32.0, 45.0, "%")
    assert [(d.team, d.point, d.status) for d in item.dependencies] == [
        ("Product", "Ship checklist", DependencyStatus.accepted),
        ("QA", "Ship checklist", DependencyStatus.accepted),
    ]
    assert [a.text for a in item.actions] == ["call users", "fix bugs"]
    assert item.note == "hi"
    assert revalidated(okr_set) == okr_set


def test_header_forms_full_width_brackets_and_target_vs_objective(tmp_path: Path) -> None:
    text = "目标,关键结果,信心指数（%）,目标值,ＫＲ负责人\n增长,激活率 55%,60,55,张三\n"
    result = load_paths([write(tmp_path, "h.csv", text)])
    assert errors(result) == []
    item = kr(one_set(result), "O1.KR1")
    assert item.confidence == 60.0 and item.target == 55.0 and item.owner == "张三"


def test_grouping_blank_objective_means_row_above(tmp_path: Path) -> None:
    text = (
        "团队,周期,目标,关键结果\n"
        "A组,2025Q3,目标一,KR 一\n"
        ",,,KR 二\n"
        "A组,2025Q3,目标二,KR 三\n"
        "B组,2025Q3,目标一,KR 四\n"
        "A组,2025Q4,目标一,KR 五\n"
        ",,,\n"
    )
    result = load_paths([write(tmp_path, "g.csv", text)])
    assert errors(result) == []
    assert [(s.team, s.cycle) for s in result.sets] == [("A组", "2025Q3"), ("B组", "2025Q3"), ("A组", "2025Q4")]
    a = result.sets[0]
    assert [(o.id, o.text, [k.text for k in o.key_results]) for o in a.objectives] == [
        ("O1", "目标一", ["KR 一", "KR 二"]),
        ("O2", "目标二", ["KR 三"]),
    ]


def test_given_labels_are_normalised(tmp_path: Path) -> None:
    text = "目标编号,目标,KR编号,关键结果\n目标2,甲,关键结果3,a\n目标2,甲,KR1,b\nO5,乙,2,c\n"
    okr_set = one_set(load_paths([write(tmp_path, "l.csv", text)]))
    assert [o.id for o in okr_set.objectives] == ["O2", "O5"]
    assert [k.id for k in okr_set.objectives[0].key_results] == ["KR3", "KR1"]
    assert [k.id for k in okr_set.objectives[1].key_results] == ["KR2"]


def test_duplicate_kr_ids_fall_back_to_positions(tmp_path: Path) -> None:
    text = "目标,KR编号,关键结果\n甲,KR1,a\n甲,KR1,b\n"
    result = load_paths([write(tmp_path, "dup.csv", text)])
    okr_set = one_set(result)
    assert [k.id for k in okr_set.objectives[0].key_results] == ["KR1", "KR2"]
    assert [p.field for p in warnings(result)] == ["kr_id"]


def test_duplicate_objective_ids_fall_back_to_positions(tmp_path: Path) -> None:
    text = "目标编号,目标,关键结果\nO1,甲,a\nO1,乙,b\n"
    result = load_paths([write(tmp_path, "dup.csv", text)])
    assert [(o.id, o.text) for o in one_set(result).objectives] == [("O1", "甲"), ("O2", "乙")]
    assert [p.field for p in warnings(result)] == ["objective_id"]
    assert errors(result) == []


def test_bad_values_are_reported_and_left_empty(tmp_path: Path) -> None:
    text = "目标,关键结果,信心指数,完成日期,基线,分数\n甲,a,high,2025-13-45,abc,很好\n甲,b,70%,9月30日,10,70%\n"
    result = load_paths([write(tmp_path, "bad.csv", text)])
    okr_set = one_set(result)
    a, b = okr_set.objectives[0].key_results
    assert (a.text, a.confidence, a.due, a.baseline, a.score) == ("a", None, None, None, None)
    assert {(p.row, p.field) for p in errors(result)} == {
        (2, "confidence"),
        (2, "due"),
        (2, "baseline"),
        (2, "score"),
    }
    assert all("high" in p.reason for p in errors(result) if p.field == "confidence")
    # "9月30日" has no year and the file no cycle: a warning, the date left empty.
    assert b.confidence == 70.0 and b.score == 70.0 and b.due is None and b.baseline == 10.0
    assert [(p.row, p.field) for p in warnings(result)] == [(3, "due")]


def test_month_day_due_takes_the_cycle_year(tmp_path: Path) -> None:
    text = "周期,目标,关键结果,完成日期,分数\n2025H2,甲,a,9月30日,0.7\n2025H2,甲,b,2025年12月1日,3.5分\n"
    okr_set = one_set(load_paths([write(tmp_path, "d.csv", text)]))
    a, b = okr_set.objectives[0].key_results
    assert a.due == date(2025, 9, 30) and a.score == 0.7
    assert b.due == date(2025, 12, 1) and b.score == 3.5


def test_objective_without_kr_is_kept(tmp_path: Path) -> None:
    text = "目标,关键结果\n甲,\n乙,b\n"
    result = load_paths([write(tmp_path, "o.csv", text)])
    assert [(o.text, len(o.key_results)) for o in one_set(result).objectives] == [("甲", 0), ("乙", 1)]
    assert result.problems == []


def test_unknown_column_is_a_warning(tmp_path: Path) -> None:
    text = "目标,关键结果,颜色\n甲,a,红\n"
    result = load_paths([write(tmp_path, "u.csv", text)])
    assert errors(result) == []
    [problem] = warnings(result)
    assert "颜色" in problem.reason and "unknown column" in problem.reason
    assert len(one_set(result).objectives) == 1


def test_column_map_extends_and_overrides(tmp_path: Path) -> None:
    text = "OKR 目标,KR 名称,颜色,执行者\n甲,a,红,张三\n"
    path = write(tmp_path, "m.csv", text)
    result = load_paths([path], column_map={"OKR 目标": "objective", "KR 名称": "key_result", "执行者": "owner"})
    assert [p.reason for p in result.problems if "颜色" not in p.reason] == []
    assert kr(one_set(result), "O1.KR1").owner == "张三"


def test_column_map_with_unknown_field_is_one_error(tmp_path: Path) -> None:
    path = write(tmp_path, "m.csv", "目标,关键结果\n甲,a\n")
    result = load_paths([path], column_map={"颜色": "colour"})
    [problem] = errors(result)
    assert "colour" in problem.reason
    assert len(result.sets) == 1


def test_huge_cell_is_truncated_with_a_warning(tmp_path: Path) -> None:
    text = "目标,关键结果\n甲," + "长" * 5000 + "\n"
    result = load_paths([write(tmp_path, "huge.csv", text)])
    item = kr(one_set(result), "O1.KR1")
    assert len(item.text) == 2000
    [problem] = warnings(result)
    assert (problem.row, problem.field) == (2, "key_result")


def test_kr_row_without_any_objective_is_an_error(tmp_path: Path) -> None:
    result = load_paths([write(tmp_path, "k.csv", "目标,关键结果\n,孤儿 KR\n甲,a\n")])
    assert [(p.row, p.field) for p in errors(result)] == [(2, "objective")]
    assert [o.text for o in one_set(result).objectives] == ["甲"]


def test_set_fields_come_from_the_first_row_that_has_them(tmp_path: Path) -> None:
    text = "团队,层级,上级,目标,关键结果\nA,,,甲,a\nA,部门,公司,甲,b\n"
    okr_set = one_set(load_paths([write(tmp_path, "s.csv", text)]))
    assert okr_set.level is Level.department and okr_set.parent == "公司"


def test_input_file_is_not_modified(tmp_path: Path) -> None:
    path = write(tmp_path, "keep.csv", "目标,关键结果\n甲,a\n")
    before = (path.read_bytes(), os.stat(path).st_mtime_ns)
    load_paths([path])
    assert (path.read_bytes(), os.stat(path).st_mtime_ns) == before


def test_fraction_and_text_percentages(tmp_path: Path) -> None:
    text = '目标,关键结果,信心,进度\n甲,a,0.6,30%\n甲,b,"80",０.５\n'
    okr_set = one_set(load_paths([write(tmp_path, "p.csv", text)]))
    a, b = okr_set.objectives[0].key_results
    assert (a.confidence, a.progress) == (60.0, 30.0)
    assert (b.confidence, b.progress) == (80.0, 50.0)


# ---------------------------------------------------------------- confidence scale

SCALE_HEADER = "团队,目标,O信心指数,关键结果,信心指数\n"


def test_gbk_csv_with_confidence_on_a_ten_point_scale(tmp_path: Path) -> None:
    rows = [("准时率 95%", 9), ("返工率降到 5%", 10), ("客户验收一次通过", 1)]
    text = SCALE_HEADER + "".join(f"交付部,按时交付,8,{kr_text},{value}\n" for kr_text, value in rows)
    path = write(tmp_path, "信心.csv", text, "gbk")
    result = load_paths([path])
    assert errors(result) == []
    okr_set = one_set(result, "交付部")
    assert [k.confidence for k in okr_set.objectives[0].key_results] == [90.0, 100.0, 10.0]
    assert objective(okr_set, "O1").confidence == 80.0
    [notice] = warnings(result)
    assert (notice.file, notice.field, notice.row) == (str(path), "confidence", None)
    assert "1–10" in notice.reason and "10 is 100%" in notice.reason
    assert revalidated(okr_set) == okr_set


def test_percent_sign_anywhere_keeps_bare_numbers_as_percent_and_says_so(tmp_path: Path) -> None:
    text = "Team,Objective,Key Result,Confidence\nOps,Stay up,uptime 99.9%,60%\nOps,Stay up,pager load halved,8\n"
    result = load_paths([write(tmp_path, "mixed.csv", text)])
    assert [k.confidence for k in one_set(result).objectives[0].key_results] == [60.0, 8.0]
    [notice] = warnings(result)
    assert notice.field == "confidence" and "8 is 8%, not 80%" in notice.reason


@pytest.mark.parametrize(
    ("cells", "read"),
    [
        (["60", "75"], [60.0, 75.0]),  # percentages without a sign: above 10, so percent
        (["0.6", "0.9"], [60.0, 90.0]),  # fractions
        (["60%", "0.5"], [60.0, 50.0]),  # a fraction beside percentages, as before
    ],
)
def test_usual_confidence_scales_need_no_notice(tmp_path: Path, cells: list[str], read: list[float]) -> None:
    rows = "".join(f"Ops,Stay up,KR {index},{cell}\n" for index, cell in enumerate(cells))
    result = load_paths([write(tmp_path, "usual.csv", "Team,Objective,Key Result,Confidence\n" + rows)])
    assert [k.confidence for k in one_set(result).objectives[0].key_results] == read
    assert result.problems == []


def test_fractions_beside_ten_point_values_are_read_as_written_and_reported(tmp_path: Path) -> None:
    text = "团队,目标,关键结果,信心指数\n客服部,更快响应,首响 30 秒,0.8\n客服部,更快响应,满意度 95%,8\n"
    result = load_paths([write(tmp_path, "unclear.csv", text)])
    assert [k.confidence for k in one_set(result).objectives[0].key_results] == [80.0, 8.0]
    [notice] = warnings(result)
    assert "no one scale" in notice.reason and "0.8" in notice.reason
