"""The Markdown report: summary tables, a findings table per set, cells that cannot break tables."""

from __future__ import annotations

import re

from assistant.reports import render
from assistant.reports._markdown import cell
from assistant.review import Review

UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")


def _table_rows(markdown: str) -> list[str]:
    return [line for line in markdown.splitlines() if line.startswith("| ")]


def test_cell_escaping() -> None:
    assert cell("a | b") == "a \\| b"
    assert cell("line1\nline2\r\nline3") == "line1<br>line2<br>line3"
    assert cell("<script>x</script>") == "\\<script\\>x\\</script\\>"
    assert cell("R&D *bold* _it_ `code` [link](x)") == "R&amp;D \\*bold\\* \\_it\\_ \\`code\\` \\[link\\](x)"
    assert cell("back\\slash") == "back\\\\slash"
    assert cell(None) == ""


def test_every_table_row_has_as_many_cells_as_its_header(review: Review, review_en: Review) -> None:
    for markdown in (render(review, "md"), render(review_en, "md")):
        blocks = re.split(r"\n(?!\| )", markdown)
        for block in blocks:
            rows = _table_rows(block)
            if not rows:
                continue
            widths = {len(UNESCAPED_PIPE.findall(row)) for row in rows}
            assert len(widths) == 1, rows


def test_pipes_and_newlines_in_okr_text_are_escaped(review: Review, review_en: Review) -> None:
    zh = render(review, "md")
    assert "完成监控平台开发 \\| 上线告警 \\<script\\>alert(1)\\</script\\>" in zh
    assert "<script>" not in zh
    en = render(review_en, "md")
    assert "### Platform \\| Infra 2025Q4" in en
    assert "3 workshops<br>with" in en
    assert '"3 workshops" counts effort \\| not outcomes.' in en


def test_title_summary_and_tables(review: Review) -> None:
    md = render(review, "md")
    assert md.startswith("# OKR 审查报告\n")
    assert "生成时间：2026-11-22T09:30:00+00:00" in md
    assert "| 发现 | 16 |" in md
    assert "| 严重 | 6 |" in md
    assert "| S | 可衡量 | `measurable` | 4 |" in md
    assert "| 研发中心 2025Q3 | 团队 | 3 | 5 | 3 | 6 | 1 |" in md
    assert "| 公司 2025Q3 | 公司 | 1 | 1 | 0 | 0 | 0 |" in md
    assert "| MEA002 | 模糊动词，没有指标 | 1 |" in md


def test_findings_tables_hold_every_field(review: Review) -> None:
    md = render(review, "md")
    header = "| 条目 | 严重程度 | 规则 | 维度 | 说明 | 证据 | 建议 | 知识卡片 |"
    assert md.count(header) == 2  # one table per set with findings; the clean set has none
    row = next(line for line in _table_rows(md) if "MEA002<br>" in line)
    assert row.startswith("| O1.KR1<br>")
    assert ":row 2 | 严重 | MEA002<br>模糊动词，没有指标 | 可衡量 |" in row
    assert "| 提升 | 把“提升”换成具体指标和目标值" in row
    assert row.endswith("| 可衡量的关键结果 (`measurable-kr`) |")
    for finding in review.findings:
        assert cell(finding.message) in md
        assert cell(finding.fix) in md
        assert cell(finding.evidence) in md


def test_set_level_findings_and_problems(review: Review) -> None:
    md = render(review, "md")
    assert "| 整组<br>market.md:1 | 严重 | FOC001" in md
    assert "## 输入问题" in md
    assert "| okrs.csv | 行 9 | 信心指数 | 注意 | 不是百分比：“很高”，已忽略 |" in md


def test_english_headings(review_en: Review) -> None:
    md = render(review_en, "md")
    assert md.startswith("# OKR review report\n")
    assert "| Item | Severity | Rule | Dimension | Message | Evidence | Fix | Note |" in md
    assert "| Measurable key results (`measurable-kr`) |" in md


def test_cited_notes_are_explained_once_and_unknown_notes_keep_their_id(review: Review) -> None:
    md = render(review, "md")
    guidance = md.split("## 相关知识卡片")[1].split("\n## ")[0]
    assert "| 可衡量的关键结果 | `measurable-kr` | 关键结果要能验证。 |" in guidance
    assert guidance.count("`measurable-kr`") == 1
    cited = {f.note for f in review.findings}
    for note_id in cited - set(review.notes):
        assert f"| {note_id} |" in md.replace("\\-", "-")  # shown by id only
        assert f"`{note_id}`" not in guidance
