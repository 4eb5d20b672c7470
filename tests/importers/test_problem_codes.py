"""Input problems as codes plus parameters: every code has both texts, each failure mode gives its code,
and the Chinese rendering says the whole problem in Chinese (file names and values aside)."""

from __future__ import annotations

import json
import re
import string
from collections.abc import Callable
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from openpyxl import Workbook

from assistant.findings import ImportResult, InputProblem, ProblemLevel
from assistant.importers import _values as values
from assistant.importers import load_data, load_paths, load_text
from assistant.importers.checkin_notes import read_checkins
from assistant.importers.messages import (
    SURFACES,
    CodedError,
    codes,
    message,
    problem,
    problem_reason,
    problem_text,
    render,
)
from assistant.texts import LANGUAGES, check_symmetry, words

PACKAGE = Path(__file__).resolve().parents[2] / "assistant"
# Three or more Latin words in a row: an English sentence (or part of one) left in a Chinese text.
ENGLISH_RUN = re.compile(r"[A-Za-z]{2,}(?:[ ,;:]+[A-Za-z]{2,}){2,}")


def _fields(template: str) -> list[str]:
    return [name for _, name, _, _ in string.Formatter().parse(template) if name]


def test_every_code_has_a_chinese_and_an_english_text_with_the_same_fields() -> None:
    table = words("problems")
    assert check_symmetry("problems", table.by_language) == []
    assert len(codes()) >= 100
    for code in codes():
        zh, en = table.get("zh", code), table.get("en", code)
        assert zh.strip() and en.strip(), code
        assert sorted(_fields(zh)) == sorted(_fields(en)), code
        assert zh != en or set(_fields(zh)) == {"detail"}, code  # only a bare detail may read the same


def test_every_hint_has_a_wording_for_each_surface() -> None:
    table = words("problems")
    hints = {name for code in codes() for name in _fields(table.get("en", code)) if name.startswith("hint_")}
    assert hints == {"hint_map", "hint_map_column", "hint_limits", "hint_schema"}
    for hint in hints:
        for surface in SURFACES:
            assert f"{hint}-{surface}" in table.keys()  # noqa: SIM118 (Words is no mapping)
        assert "--" not in table.get("zh", f"{hint}-app") and "--" not in table.get("en", f"{hint}-app")


def test_every_code_the_source_uses_is_in_the_table_and_every_code_in_the_table_is_used() -> None:
    used = set()
    for path in PACKAGE.rglob("*.py"):
        used |= set(re.findall(r'"(IMP\d{3})"', path.read_text(encoding="utf-8")))
    assert used == set(codes())


def _filled(code: str) -> dict[str, object]:
    """Parameters for every field of a code: a number for formatted counts, a neutral token otherwise."""
    template = words("problems").get("en", code)
    values: dict[str, object] = {}
    for _, name, spec, _ in string.Formatter().parse(template):
        if name and not name.startswith("hint_"):
            values[name] = 1234 if spec == "," else "X"
    return values


@pytest.mark.parametrize("surface", SURFACES)
def test_no_chinese_text_holds_an_english_sentence(surface: str) -> None:
    for code in codes():
        text = render(code, _filled(code), "zh", surface)
        assert not ENGLISH_RUN.search(text), (code, text)
    for key in ("where-sheet", "where-row", "where-line", "where-field"):
        assert not ENGLISH_RUN.search(words("problems").get("zh", key, sheet="X", row=1, line=1, field="X"))


def test_the_english_command_line_rendering_is_the_reason_and_describe() -> None:
    text = message("IMP033", column="进度", detail=message("IMP059", text="很多"))
    found = problem(text, "okrs.csv", row=3, field="progress")
    assert found.reason == "bad value in column '进度': not a percentage: '很多'"
    assert problem_text(found, "en", "cli") == found.describe() == f"okrs.csv:row 3 (progress): {found.reason}"
    assert problem_text(found, "zh") == "okrs.csv 第 3 行（字段 progress）：列“进度”的值有误：不是百分比：“很多”"
    assert found.code == "IMP033"
    assert found.params == {"column": "进度", "detail": {"code": "IMP059", "params": {"text": "很多"}}}
    json.dumps(found.to_dict(), ensure_ascii=False)  # plain JSON, nested reason included


def test_command_line_wording_only_on_the_command_line() -> None:
    found = problem(message("IMP030", rows=20), "okrs.csv")
    assert "--map" in found.reason and "--map" in problem_text(found, "zh", "cli")
    for language in LANGUAGES:
        assert "--map" not in problem_text(found, language, "app")
        assert "--map" not in problem_text(found, language)  # the app's wording is the default
    limit = problem(message("IMP100", detail=message("IMP101", limit=10), name="rows", limit=10), "big.csv")
    assert "[tool.okr-review.limits]" in problem_reason(limit, "en", "cli")
    assert "[tool.okr-review.limits]" not in problem_reason(limit, "en", "app")


def test_a_problem_without_a_code_keeps_its_reason_and_gets_the_location_words() -> None:
    found = InputProblem(file="a.xlsx", reason="无法打开", sheet="Q3", row=4)
    assert problem_reason(found, "en") == "无法打开"
    assert problem_text(found, "zh") == "a.xlsx 工作表「Q3」 第 4 行：无法打开"
    assert problem_text(found, "en") == found.describe()
    assert "code" not in found.to_dict() and "params" not in found.to_dict()


def test_a_value_error_names_its_code() -> None:
    with pytest.raises(CodedError) as caught:
        values.due_date("明天")
    assert caught.value.text.code == "IMP053" and str(caught.value) == "not a date: '明天' (write it as 2025-09-30)"
    with pytest.raises(values.MissingYear) as missing:
        values.due_date("9月30日")
    assert missing.value.text.code == "IMP054"
    for cell, code in (("很多", "IMP059"), ("150%", "IMP060"), (150, "IMP060")):
        with pytest.raises(CodedError) as bad:
            values.percent(cell)
        assert bad.value.text.code == code, cell


# ---------------------------------------------------------------- each failure mode gives its code


def _write(tmp_path: Path, name: str, content: str | bytes) -> str:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return str(path)


def _folder(tmp_path: Path) -> str:
    (tmp_path / "folder").mkdir()
    return str(tmp_path / "folder")


def _workbook(tmp_path: Path, rows: list[list[object]], *, hidden: bool = False) -> str:
    book = Workbook()
    sheet = book.active
    sheet.title = "Q3"
    for row in rows:
        sheet.append(row)
    if hidden:
        extra = book.create_sheet("旧")
        for row in rows:
            extra.append(row)
        extra.sheet_state = "hidden"
    path = tmp_path / "book.xlsx"
    book.save(path)
    return str(path)


HEADER = "团队,周期,目标,关键结果,负责人,进度,截止\n"
ROW = "增长部,2025Q3,提升留存,留存率从 20% 提升到 35%,王磊,{progress},{due}\n"

CASES: dict[str, Callable[[Path], ImportResult]] = {
    # files and encodings
    "IMP001": lambda t: load_paths([_write(t, "empty.csv", "")]),
    "IMP002": lambda t: load_paths([str(t / "missing.md")]),
    "IMP003": lambda t: load_paths([_folder(t)]),
    "IMP004": lambda t: load_paths([_write(t, "okrs.docx", "x")]),
    "IMP010": lambda t: load_paths([_write(t, "okrs.md", b"\xff\xfe\x00\x00" + b"\xff\xff\xff\xff" * 8)]),
    "IMP011": lambda t: load_paths([_write(t, "okrs.csv", b"\x81\x30\xff\xff\xfe\xfe\xff" * 40)]),
    # workbooks
    "IMP020": lambda t: load_paths([_write(t, "old.xlsx", "not a workbook")]),
    "IMP023": lambda t: load_paths(
        [_workbook(t, [["目标", "关键结果"], ["提升留存", "留存率提升到 35%"]], hidden=True)]
    ),
    "IMP025": lambda t: load_paths([_two_sheets(t)]),
    # tables
    "IMP030": lambda t: load_paths([_write(t, "okrs.csv", "a,b\n1,2\n")]),
    "IMP031": lambda t: load_paths(
        [_write(t, "okrs.csv", "目标,关键结果,负责人,负责人\n提升留存,留存率到 35%,王磊,李娜\n")]
    ),
    "IMP032": lambda t: load_paths([_write(t, "okrs.csv", "目标,关键结果,奇怪的列\n提升留存,留存率到 35%,x\n")]),
    "IMP033": lambda t: load_paths([_write(t, "okrs.csv", HEADER + ROW.format(progress="很多", due=""))]),
    "IMP036": lambda t: load_paths([_write(t, "okrs.csv", "目标编号,目标,关键结果\n甲乙,提升留存,留存率到 35%\n")]),
    "IMP037": lambda t: load_paths(
        [_write(t, "okrs.csv", "团队,目标,关键结果\n增长部,提升留存,留存率到 35%\n市场部,,线索到 500\n")]
    ),
    "IMP047": lambda t: load_paths(
        [_write(t, "okrs.csv", '目标,关键结果\n提升留存,留存率到 35%\n提升收入,"收入到\n100 万\n')]
    ),
    # values
    "IMP035": lambda t: load_paths([_write(t, "okrs.csv", "目标,关键结果,截止日期\n提升留存,留存率到 35%,9月30日\n")]),
    # outlines
    "IMP071": lambda t: load_text("KR1: 留存率提升到 35%\nO1: 提升留存\nKR1: 留存率到 35%\n", "okrs.md"),
    "IMP073": lambda t: load_text("O1: 提升留存\nKR1: 留存率到 35%（信心: 很高）\n", "okrs.md"),
    "IMP079": lambda t: load_text("随便写点什么\n", "notes.md"),
    # structured
    "IMP080": lambda t: load_paths([_write(t, "okrs.json", '{"team": ')]),
    "IMP081": lambda t: load_paths([_write(t, "okrs.yaml", "team: [增长部\n")]),
    "IMP084": lambda t: load_data(42, "data.json"),
    "IMP086": lambda t: load_data(
        {"team": "增长部", "objectives": [{"text": "提升留存", "colour": "红", "key_results": [{"text": "到 35%"}]}]}
    ),
    "IMP087": lambda t: load_data({"team": "增长部", "objectives": [{"key_results": [{"text": "到 35%"}]}]}),
    # limits
    "IMP100": lambda t: load_paths(
        [_write(t, "okrs.csv", HEADER + ROW.format(progress="", due="") * 5)], limits={"rows": 3}
    ),
    # the column map
    "IMP120": lambda t: load_paths([_write(t, "okrs.csv", HEADER)], column_map={"进展": "no-such-field"}),
}


def _two_sheets(tmp_path: Path) -> str:
    book = Workbook()
    first = book.active
    first.title = "Q3"
    first.append(["目标", "关键结果"])
    first.append(["提升留存", "留存率提升到 35%"])
    other = book.create_sheet("说明")
    other.append(["这张表只是说明"])
    path = tmp_path / "two.xlsx"
    book.save(path)
    return str(path)


@pytest.mark.parametrize("code", sorted(CASES))
def test_each_failure_mode_gives_its_code_and_reads_in_chinese(code: str, tmp_path: Path) -> None:
    result = CASES[code](tmp_path)
    found = [p for p in result.problems if p.code == code]
    assert found, [(p.code, p.reason) for p in result.problems]
    for item in result.problems:
        assert item.code is not None, item  # every problem an importer raises is coded
        shown = _without_params(problem_text(item, "zh"), item)
        assert not ENGLISH_RUN.search(shown), shown
        assert problem_text(item, "en", "cli") == item.describe()


def _without_params(text: str, item: InputProblem) -> str:
    """The text less what came from the input: file, sheet, field and parameter values (library details)."""
    for value in sorted({item.file, item.sheet or "", item.field or "", *map(str, _texts(item.params))}, key=len)[::-1]:
        if value:
            text = text.replace(value, " ")
    return text


def _texts(params: object) -> list[object]:
    """Every parameter value, nested reasons included: the parts of a text that come from the input."""
    if isinstance(params, dict):
        return [v for value in params.values() for v in _texts(value)]
    return [params] if params not in (None, "") else []


def test_check_in_notes_are_coded(tmp_path: Path) -> None:
    cases = {
        "IMP136": ("notes.csv", "团队,内容\n增长部,进展顺利\n"),
        "IMP131": ("notes.csv", "kr,note\n第一条,进展顺利\n"),
        "IMP132": ("notes.csv", "kr,note\nO1.KR1,\n"),
        "IMP135": ("notes.pdf", "x"),
        "IMP149": ("notes.yaml", "- 只是一行字\n"),
        "IMP080": ("notes.json", "{"),
    }
    for code, (name, content) in cases.items():
        _, found = read_checkins(_write(tmp_path, name, content))
        assert [p.code for p in found] == [code], (code, [p.reason for p in found])
        assert not ENGLISH_RUN.search(_without_params(problem_reason(found[0], "zh"), found[0])), code


def test_the_json_report_keeps_the_reason_and_adds_code_and_params(tmp_path: Path) -> None:
    from assistant.review import Review

    result = load_paths([_write(tmp_path, "okrs.csv", HEADER + ROW.format(progress="很多", due=""))])
    review = Review(inputs=["okrs.csv"], sets=result.sets, findings=[], problems=result.problems, language="zh")
    from assistant.reports import render as render_report

    data = json.loads(render_report(review, "json"))
    schema = json.loads((PACKAGE.parent / "docs" / "report.schema.json").read_text(encoding="utf-8"))
    errors = [e.message for e in Draft202012Validator(schema).iter_errors(data)]
    assert errors == []
    reported = next(p for p in data["problems"] if p.get("code") == "IMP033")
    assert reported["reason"].startswith("bad value in column '进度'")
    assert reported["params"]["detail"]["code"] == "IMP059"
    assert reported["level"] == ProblemLevel.error.value
