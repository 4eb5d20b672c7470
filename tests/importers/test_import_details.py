"""Importer details: header matching, value conversion, ids, encodings, and the less common input shapes."""

from __future__ import annotations

import codecs
import gc
import io
import sys
from datetime import date, datetime
from pathlib import Path

import pytest
from importer_helpers import errors, kr, objective, one_set, revalidated, warnings
from openpyxl import Workbook

from assistant.findings import ProblemLevel
from assistant.importers import _construct as build
from assistant.importers import _values as values
from assistant.importers import load_paths, load_text
from assistant.importers._columns import ColumnMatcher, fields, normalise_header
from assistant.importers._encoding import candidates, decode
from assistant.importers._ids import assign_ids, kr_label, objective_label
from assistant.importers._tabular import ROW_FIELDS
from assistant.model import Action, AlignmentType, Dependency, DependencyStatus, KeyResult, Level, SourceRef


def csv_file(tmp_path: Path, text: str, name: str = "t.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


# ---------------------------------------------------------------- columns


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("目标", "objective"),
        ("目标值", "target"),
        ("信心指数(%)", "confidence"),
        ("信心指数（%）", "confidence"),
        ("信心指数%", "confidence"),
        ("  Key  Result ", "key_result"),
        ("key_result", "key_result"),
        ("ＫＲ编号", "kr_id"),
        ("完成日期【yyyy-mm-dd】", "due"),
        ("关键结果/Key Result", "key_result"),
        ("目标 Objective", "objective"),
        ("O负责人", "objective_owner"),
        ("Due date", "due"),
        ("颜色", None),
        ("KR进度", None),  # two fields at once: not guessed
    ],
)
def test_header_matching(header: str, field: str | None) -> None:
    assert ColumnMatcher().field_of(header) == field


def test_columns_toml_names_every_field_the_reader_unpacks() -> None:
    assert sorted(fields()) == sorted(ROW_FIELDS)
    assert normalise_header("信心指数 （%）") == normalise_header("信心指数") == "信心指数"


def test_column_map_accepts_aliases_and_ignore(tmp_path: Path) -> None:
    path = csv_file(tmp_path, "目标,KR 名称,颜色,内部编号\n甲,a,红,17\n")
    result = load_paths([path], column_map={"KR 名称": "关键结果", "颜色": "ignore", "内部编号": "IGNORE"})
    assert result.problems == []
    assert kr(one_set(result), "O1.KR1").text == "a"


def test_column_map_overrides_a_builtin_header(tmp_path: Path) -> None:
    path = csv_file(tmp_path, "目标,关键结果,说明\n甲,a,张三\n")
    item = kr(one_set(load_paths([path], column_map={"说明": "owner"})), "O1.KR1")
    assert (item.owner, item.note) == ("张三", None)


# ---------------------------------------------------------------- values


@pytest.mark.parametrize(
    ("cell", "expected"),
    [(3.5, 3.5), ("3.5", 3.5), ("3.5分", 3.5), ("70%", 70.0), ("0.7", 0.7), (" ", None), (80, 80.0)],
)
def test_score_as_entered(cell: object, expected: float | None) -> None:
    assert values.score(cell) == expected


@pytest.mark.parametrize(
    ("cell", "year", "expected"),
    [
        (datetime(2025, 9, 30, 18, 0), None, date(2025, 9, 30)),
        (date(2025, 9, 30), None, date(2025, 9, 30)),
        ("2025-09-30", None, date(2025, 9, 30)),
        ("2025/9/30", None, date(2025, 9, 30)),
        ("2025.9.30", None, date(2025, 9, 30)),
        ("2025年9月30日前", None, date(2025, 9, 30)),
        ("2025-09-30 00:00:00", None, date(2025, 9, 30)),
        ("9月30日", 2026, date(2026, 9, 30)),
        ("9/30", 2025, date(2025, 9, 30)),
        (45930, None, date(2025, 9, 30)),  # an Excel serial date left unformatted
        ("", None, None),
    ],
)
def test_due_dates(cell: object, year: int | None, expected: date | None) -> None:
    assert values.due_date(cell, year) == expected


@pytest.mark.parametrize(
    ("cell", "reason"), [("9月30日", "no year"), ("2025-02-30", "not a valid date"), ("soon", "not a date")]
)
def test_bad_due_dates_say_why(cell: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        values.due_date(cell, None)


@pytest.mark.parametrize(
    ("text", "cycle"),
    [
        ("2025Q3", "2025Q3"),
        ("2025 Q3", "2025Q3"),
        ("Q3 2025", "2025Q3"),
        ("2025-q3", "2025Q3"),
        ("2025年第三季度", "2025Q3"),
        ("2025年Q4", "2025Q4"),
        ("2025H2", "2025H2"),
        ("2025年下半年", "2025H2"),
        ("2025年", "2025"),
        ("2025", "2025"),
        ("2025 下半年", "2025H2"),
        ("2025年度第四季度", "2025Q4"),
        ("H1 2026", "2026H1"),
        ("FY2025 Q2", "2025Q2"),  # a fiscal year reads as its year, like 2025财年
        ("Q3 FY2025", "2025Q3"),
        ("FY2025", "2025"),
        ("Q3", "Q3"),  # no year: the quarter alone
        ("第三季度", "Q3"),
        ("FY25 秋季", "FY25 秋季"),  # not understood: kept as written
    ],
)
def test_cycles_are_normalised(text: str, cycle: str) -> None:
    assert values.normalise_cycle(text) == cycle


def test_numbers_percentages_and_lists() -> None:
    assert values.number("1,200") == 1200.0 and values.number("40%") == 40.0 and values.number("-0.5") == -0.5
    with pytest.raises(ValueError, match="not a number"):
        values.number("约 40")
    with pytest.raises(ValueError, match="out of range"):
        values.percent("160%")
    assert values.percent("６０％") == 60.0
    assert values.refs("O1.KR2、O2.KR1, O3.KR1；Team/O1.KR1 O4.KR2") == [
        "O1.KR2",
        "O2.KR1",
        "O3.KR1",
        "Team",
        "O1.KR1",
        "O4.KR2",
    ]
    assert values.names("张三、李四,Ann Lee") == ["张三", "李四", "Ann Lee"]
    assert values.status("有疑问") is DependencyStatus.questioned
    assert values.alignment("等式") is AlignmentType.equal
    assert values.level("事业部") is Level.business_group
    with pytest.raises(ValueError, match="unknown handshake status"):
        values.status("maybe")


# ---------------------------------------------------------------- ids


@pytest.mark.parametrize(
    ("cell", "label"),
    [("O3", "O3"), ("目标3", "O3"), ("目标三", "O3"), ("Objective 3", "O3"), (3, "O3"), (3.0, "O3"), ("Ｏ２", "O2")],
)
def test_objective_labels(cell: object, label: str) -> None:
    assert objective_label(cell) == label


@pytest.mark.parametrize(
    ("cell", "label"), [("KR2", "KR2"), ("关键结果2", "KR2"), ("O1.KR2", "KR2"), ("Key Result 2", "KR2"), ("2", "KR2")]
)
def test_kr_labels(cell: object, label: str) -> None:
    assert kr_label(cell) == label


def test_labels_not_understood_and_id_assignment() -> None:
    assert objective_label("OBJ-A") is None and kr_label("KR-x") is None and objective_label("O0") is None
    assert assign_ids([None, "KR5", None], "KR") == (["KR1", "KR5", "KR3"], [])
    assert assign_ids(["KR2", None], "KR") == (["KR1", "KR2"], ["KR2"])


# ---------------------------------------------------------------- model objects built without validation


def test_built_objects_equal_validated_ones() -> None:
    source = build.source("f.csv", row=3, sheet="S")
    built = build.key_result(
        "KR1",
        "a",
        owner="张三",
        members=["李四"],
        due=date(2025, 9, 30),
        confidence=60.0,
        dependencies=[build.dependency("运维部", "扩容", DependencyStatus.accepted)],
        actions=[build.action("压测", owner="王五")],
        source=source,
    )
    validated = KeyResult(
        id="KR1",
        text="a",
        owner="张三",
        members=["李四"],
        due=date(2025, 9, 30),
        confidence=60,
        dependencies=[Dependency(team="运维部", point="扩容", status="认同")],
        actions=[Action(text="压测", owner="王五")],
        source=SourceRef(file="f.csv", row=3, sheet="S"),
    )
    assert built == validated
    assert built.model_dump() == validated.model_dump()
    assert KeyResult.model_validate(built.model_dump()) == built


# ---------------------------------------------------------------- encodings


def test_encoding_candidates() -> None:
    assert candidates(codecs.BOM_UTF8 + b"a") == ["utf-8-sig"]
    assert candidates(codecs.BOM_UTF16_LE + b"a\x00") == ["utf-16"]
    assert candidates("目标,关键结果".encode("utf-16-le"))[:2] == ["utf-16-le", "utf-16-be"]
    assert candidates(b"plain") == ["utf-8", "gb18030"]
    assert decode("目标".encode("gbk")) == ("目标", "gb18030")
    assert decode(b"\x81\x30") is None  # a broken GB18030 sequence, and not UTF-8 either


def test_utf16_without_bom_csv(tmp_path: Path) -> None:
    path = csv_file(tmp_path, "目标\t关键结果\n甲\ta\n", "t.tsv", "utf-16-le")
    assert kr(one_set(load_paths([path])), "O1.KR1").text == "a"


# ---------------------------------------------------------------- tabular shapes


def test_repeated_owner_header_before_the_kr_is_the_objective_owner(tmp_path: Path) -> None:
    path = csv_file(tmp_path, "目标,负责人,关键结果,负责人\n甲,张三,a,李四\n")
    result = load_paths([path])
    assert result.problems == []
    okr_set = one_set(result)
    assert objective(okr_set, "O1").owner == "张三" and kr(okr_set, "O1.KR1").owner == "李四"


def test_blank_team_and_cycle_cells_fill_down(tmp_path: Path) -> None:
    text = "团队,周期,目标,关键结果\nA组,2025 Q3,甲,a\n,,乙,b\nB组,,丙,c\n"
    result = load_paths([csv_file(tmp_path, text)])
    assert [(s.team, s.cycle, [o.text for o in s.objectives]) for s in result.sets] == [
        ("A组", "2025Q3", ["甲", "乙"]),
        ("B组", "2025Q3", ["丙"]),
    ]


def test_continuation_rows_add_actions_and_handshakes_to_the_kr_above(tmp_path: Path) -> None:
    text = "目标,关键结果,行动,握手方,握手点,握手状态\n甲,a,访谈用户,产品部,改版,认同\n,,整理结论,测试部,,\n"
    result = load_paths([csv_file(tmp_path, text)])
    item = kr(one_set(result), "O1.KR1")
    assert [a.text for a in item.actions] == ["访谈用户", "整理结论"]
    assert [(d.team, d.point, d.status) for d in item.dependencies] == [
        ("产品部", "改版", DependencyStatus.accepted),
        ("测试部", None, None),
    ]
    assert len(one_set(result).objectives[0].key_results) == 1


def test_handshake_problems(tmp_path: Path) -> None:
    text = "目标,关键结果,握手方,握手点,握手状态\n甲,a,产品部,改版,也许\n甲,b,,只有握手点,\n"
    result = load_paths([csv_file(tmp_path, text)])
    a, b = one_set(result).objectives[0].key_results
    assert [(d.team, d.status) for d in a.dependencies] == [("产品部", None)]
    assert b.dependencies == []
    assert [(p.row, p.field, p.level) for p in result.problems] == [
        (2, "dependency_status", ProblemLevel.error),
        (3, "dependency", ProblemLevel.warning),
    ]


def test_conflicting_objective_owner_is_reported_once(tmp_path: Path) -> None:
    text = "目标,目标负责人,关键结果\n甲,张三,a\n甲,李四,b\n甲,王五,c\n"
    result = load_paths([csv_file(tmp_path, text)])
    assert objective(one_set(result), "O1").owner == "张三"
    [problem] = warnings(result)
    assert (problem.row, problem.field) == (3, "objective_owner") and "李四" in problem.reason


def test_objective_id_without_text_joins_the_objective_named_earlier(tmp_path: Path) -> None:
    text = "目标编号,目标,关键结果\nO1,甲,a\nO2,乙,b\nO1,,c\nO9,,d\n"
    result = load_paths([csv_file(tmp_path, text)])
    okr_set = one_set(result)
    assert [(o.id, [k.text for k in o.key_results]) for o in okr_set.objectives] == [("O1", ["a", "c"]), ("O2", ["b"])]
    assert [(p.row, p.field) for p in errors(result)] == [(5, "objective")]


def test_kr_fields_without_kr_text_are_reported(tmp_path: Path) -> None:
    result = load_paths([csv_file(tmp_path, "目标,关键结果,负责人\n甲,,张三\n")])
    assert [(p.row, p.field, p.level) for p in result.problems] == [(2, "key_result", ProblemLevel.warning)]
    assert objective(one_set(result), "O1").key_results == []


def test_large_file_reads_every_row_and_leaves_the_collector_on(tmp_path: Path) -> None:
    lines = ["团队,目标编号,目标,KR编号,关键结果,负责人,信心指数,完成日期"]
    for team in range(50):
        for o in range(1, 5):
            lines += [f"T{team},O{o},目标{o},KR{k},结果 {team}-{o}-{k},张三,60%,2025-09-30" for k in range(1, 6)]
    path = csv_file(tmp_path, "\n".join(lines) + "\n")
    result = load_paths([path])
    assert gc.isenabled()
    assert result.problems == []
    assert len(result.sets) == 50 and all(len(s.objectives) == 4 for s in result.sets)
    last = kr(result.sets[-1], "O4.KR5")
    assert (last.text, last.confidence, last.due) == ("结果 49-4-5", 60.0, date(2025, 9, 30))
    assert last.source is not None and last.source.row == 1001
    assert revalidated(result.sets[-1]) == result.sets[-1]


def test_merged_kr_cell_is_one_kr_with_the_actions_of_every_row(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["目标", "关键结果", "行动"])
    sheet.append(["甲", "a", "第一步"])
    sheet.append([None, None, "第二步"])
    sheet.append([None, "b", None])
    sheet.merge_cells("A2:A4")
    sheet.merge_cells("B2:B3")
    path = tmp_path / "merged.xlsx"
    book.save(path)
    result = load_paths([path])
    okr_set = one_set(result)
    assert [(k.text, [a.text for a in k.actions]) for k in okr_set.objectives[0].key_results] == [
        ("a", ["第一步", "第二步"]),
        ("b", []),
    ]
    assert result.problems == []


# ---------------------------------------------------------------- outlines


def test_title_heading_passes_its_cycle_to_the_team_headings() -> None:
    text = "# 2025Q3 OKR\n\n## 产品部\nO1: 甲\n- a\n\n## 运维部 2025Q4\nO1: 乙\n"
    result = load_text(text)
    assert [(s.team, s.cycle) for s in result.sets] == [("产品部", "2025Q3"), ("运维部", "2025Q4")]
    assert result.problems == []


def test_outline_attribute_details() -> None:
    text = (
        "## 目标一：系统稳定 (负责人: 张三, 颜色: 红, 截止: 2025-09-30)\n"
        "KR1: 可用性 99.99%（原 99.9%）\n"
        "  负责人: 李四\n"
        "  信心: 70%\n"
        "  - 值班制度 (负责人: 王五, 截止: 2025-08-01)\n"
        "一段说明文字，不是目标也不是关键结果。\n"
    )
    result = load_text(text, "稳定组.md")
    okr_set = one_set(result, "稳定组")
    o1 = objective(okr_set, "O1")
    assert (o1.text, o1.owner) == ("系统稳定", "张三")
    item = kr(okr_set, "O1.KR1")
    assert (item.text, item.owner, item.confidence) == ("可用性 99.99%（原 99.9%）", "李四", 70.0)
    assert [(a.text, a.owner, a.due) for a in item.actions] == [("值班制度", "王五", date(2025, 8, 1))]
    assert [(p.line, p.field, p.level) for p in result.problems] == [
        (1, "颜色", ProblemLevel.warning),  # unknown attribute key
        (1, "due", ProblemLevel.warning),  # a KR attribute on an objective
    ]
    assert item.source is not None and (item.source.file, item.source.line) == ("稳定组.md", 2)


def test_action_without_kr_and_prose_only_text() -> None:
    result = load_text("O1: 甲\n行动: 先做调研\n")
    assert [(p.line, p.field, p.level) for p in result.problems] == [(2, "actions", ProblemLevel.warning)]
    nothing = load_text("这里只有一段说明，没有任何目标。\n")
    assert nothing.sets == [] and len(errors(nothing)) == 1


def test_load_text_tells_yaml_documents_from_outlines() -> None:
    yaml_doc = load_text("team: 数据组\nobjectives:\n  - text: 数据可信\n    key_results:\n      - text: 工单 < 5\n")
    assert kr(one_set(yaml_doc, "数据组"), "O1.KR1").text == "工单 < 5"
    outline = load_text("团队: 数据组\nO1: 数据可信\n- 工单 < 5\n")
    assert one_set(outline, "数据组").objectives[0].key_results[0].text == "工单 < 5"


# ---------------------------------------------------------------- structured documents


def test_structured_shapes_and_paths(tmp_path: Path) -> None:
    path = tmp_path / "list.json"
    path.write_text(
        '[{"team": "A", "objectives": [{"text": "甲", "key_results": [{"text": "a", "members": ["x", 1]}]}]},'
        ' {"team": "B", "objectives": "oops"}, "nonsense"]',
        encoding="utf-8",
    )
    result = load_paths([path])
    assert [s.team for s in result.sets] == ["A", "B"]
    assert kr(result.sets[0], "O1.KR1").members == ["x"]
    assert [(p.field, p.level) for p in result.problems] == [
        ("sets[0].objectives[0].key_results[0].members[1]", ProblemLevel.error),
        ("sets[1].objectives", ProblemLevel.error),
        ("sets[2]", ProblemLevel.error),
    ]
    scalar = tmp_path / "scalar.yaml"
    scalar.write_text("just a string\n", encoding="utf-8")
    [problem] = load_paths([scalar]).problems
    assert "expected an OKR set" in problem.reason


def test_extra_top_level_key_is_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "doc.yaml"
    path.write_text("version: 1\nsets:\n  - team: A\n", encoding="utf-8")
    result = load_paths([path])
    assert [s.team for s in result.sets] == ["A"]
    assert [(p.field, p.level) for p in result.problems] == [("version", ProblemLevel.warning)]


# ---------------------------------------------------------------- paths


def test_folder_problems(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "~$lock.xlsx").write_bytes(b"lock")
    (tmp_path / "data" / ".hidden.md").write_text("O1: x\n", encoding="utf-8")
    (tmp_path / "data" / "ok.md").write_text("O1: 甲\n- a\n", encoding="utf-8")
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf")
    result = load_paths([tmp_path / "empty", tmp_path / "data", tmp_path / "old.xls"])
    assert [s.team for s in result.sets] == ["ok"]
    assert [(Path(p.file).name, p.level) for p in result.problems] == [
        ("empty", ProblemLevel.error),
        ("old.xls", ProblemLevel.error),
    ]
    assert ".xlsx or .csv" in result.problems[1].reason


def test_stdin_in_gbk(monkeypatch: pytest.MonkeyPatch) -> None:
    raw = "# 甲组\nO1: 质量第一\n- 缺陷率 < 1%\n".encode("gbk")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw), encoding="latin-1"))
    okr_set = one_set(load_paths(["-"]), "甲组")
    assert kr(okr_set, "O1.KR1").text == "缺陷率 < 1%"
    assert kr(okr_set, "O1.KR1").source == SourceRef(file="<stdin>", line=3)
