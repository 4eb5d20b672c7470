"""Each set opens with its findings to fix first, in every format, and one report speaks one language."""

from __future__ import annotations

import io
import json
import re

import openpyxl
from report_samples import english_review
from test_report_json import SCHEMA_PATH, validate

from assistant.findings import Finding
from assistant.reports import render
from assistant.review import Review

# Chinese characters, CJK punctuation and full-width forms: none may appear in an English report.
CJK_TEXT = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")

# The zh sample's 研发中心 set: errors first (MEA002, then FOC003 — MEA001 is on the same KR as MEA002,
# so it gives way to another item), then the measurable warning on O1.KR3 before its outcome warning.
RD_TOP = [("MEA002", "O1.KR1"), ("FOC003", "O3"), ("MEA005", "O1.KR3")]


def _top(review: Review, key: str) -> list[tuple[str, str | None]]:
    return [(f.code, f.key_result or f.objective) for f in review.top_findings()[key]]


def test_summary_ranks_each_sets_findings_for_fixing(review: Review) -> None:
    assert _top(review, "研发中心 2025Q3") == RD_TOP
    market = review.top_findings()["市场部 2025Q3"]
    assert market[0].code == "FOC001" and market[0].objective is None  # an error on the whole set
    assert "公司 2025Q3" not in review.top_findings()  # a clean set has nothing to fix


def test_json_lists_the_top_as_references_into_findings(review: Review) -> None:
    doc = json.loads(render(review, "json"))
    assert validate(doc, json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))) == []
    rd = doc["summary"]["per_set"][0]
    picked = [doc["findings"][entry["finding"]] for entry in rd["top"]]
    assert [(f["code"], f["key_result"] or f["objective"]) for f in picked] == RD_TOP
    assert [(e["code"], e["item"]) for e in rd["top"]] == RD_TOP
    assert doc["summary"]["per_set"][2]["top"] == []


def test_text_markdown_and_html_open_each_set_with_its_top_three(review: Review) -> None:
    text = render(review, "text")
    rd = text[text.index("研发中心 2025Q3") :]
    assert rd.splitlines()[1] == "  优先修改的 3 项："
    assert rd.splitlines()[2].startswith("    1. O1.KR1 严重 MEA002 [可衡量] ")
    assert rd.splitlines()[3].startswith("    2. O3 严重 FOC003 ")
    assert rd.index("优先修改的 3 项") < rd.index("row 2: O1.KR1 严重 MEA002")

    markdown = render(review, "md")
    section = markdown[markdown.index("### 研发中心 2025Q3") :]
    assert section.splitlines()[2] == "**优先修改的 3 项**"
    assert section.splitlines()[4].startswith("1. **O1.KR1** · 严重 · `MEA002`")
    assert section.index("**优先修改的 3 项**") < section.index("| 条目 |")

    html = render(review, "html")
    first = html[html.index('<section class="set"') :]
    block = first[first.index('<div class="top">') : first.index("</ol></div>")]
    assert "<h4>优先修改的 3 项</h4>" in block
    assert re.findall(r'<code class="code">(\w+)</code>', block) == [c for c, _ in RD_TOP]
    assert first.index('<div class="top">') < first.index('<div class="objective">')


def test_no_top_list_when_it_would_repeat_the_whole_section(review_en: Review) -> None:
    assert len(review_en.findings) <= 3
    assert "Top " not in render(review_en, "text")
    assert "Top " not in render(review_en, "md")
    assert '<div class="top">' not in render(review_en, "html")
    assert json.loads(render(review_en, "json"))["summary"]["per_set"][0]["top"]  # JSON always has it


def test_xlsx_findings_sheet_numbers_the_top_findings(review: Review) -> None:
    wb = openpyxl.load_workbook(io.BytesIO(render(review, "xlsx")))
    rows = [list(r) for r in wb["发现"].iter_rows(values_only=True)]
    header = rows[0]
    assert "优先顺序" in header
    ranked = sorted(
        (r[header.index("优先顺序")], r[header.index("规则")], r[2] or r[1])
        for r in rows[1:]
        if r[0] == "研发中心 2025Q3" and r[header.index("优先顺序")]
    )
    assert [(code, item) for _, code, item in ranked] == RD_TOP
    assert [rank for rank, _, _ in ranked] == [1, 2, 3]


def _many_english_findings() -> Review:
    """The English sample with two more findings, so its set shows a top list."""
    review = english_review()
    extra = [
        Finding(f.code, f.dimension, f.severity, f.message, f.fix, f.note, f.set_key, f.objective, f.key_result)
        for f in review.findings
    ]
    review.findings = [*review.findings, *extra]
    return review


def test_an_english_review_has_no_chinese_anywhere() -> None:
    review = _many_english_findings()
    for fmt in ("text", "md", "html"):
        report = render(review, fmt)
        assert CJK_TEXT.search(report) is None, (fmt, CJK_TEXT.search(report))
    assert "Top 3 to fix" in render(review, "text")
