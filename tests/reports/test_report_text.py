"""The terminal report: linter-style lines, plain when piped, coloured on a terminal."""

from __future__ import annotations

import io
import re

import pytest
from rich.console import Console

from assistant.findings import Dimension, Finding, Severity
from assistant.model import KeyResult, Objective, OKRSet
from assistant.reports import render, write_report
from assistant.review import Review

ANSI = re.compile(r"\x1b\[[0-9;]*m")
TOP_LINE = re.compile(r"^ {4}\d+\. ")


def body_lines(text: str) -> list[str]:
    """The report's lines without the numbered "top to fix" lists that open each set."""
    return [line for line in text.splitlines() if not TOP_LINE.match(line)]


def test_one_line_per_finding_with_location_id_code_and_message(review: Review) -> None:
    text = render(review, "text")
    lines = body_lines(text)
    csv_file = review.sets[0].source.file
    line = next(line for line in lines if "MEA002" in line)
    assert line.startswith(f"  {csv_file}:row 2: O1.KR1 严重 MEA002 [可衡量] ")
    assert line.endswith("“提升”说明了方向，却没有说明提升到多少。")
    for finding in review.findings:
        assert any(finding.code in ln and finding.message in ln for ln in lines), finding.code


def test_evidence_and_fix_lines_follow_the_finding(review: Review) -> None:
    lines = body_lines(render(review, "text"))
    i = next(i for i, line in enumerate(lines) if "MEA002" in line)
    assert lines[i + 1] == "      证据：提升"
    assert lines[i + 2].startswith("      → 把“提升”换成具体指标和目标值")
    assert lines[i + 2].endswith("(知识卡片：可衡量的关键结果 · measurable-kr)")


def test_each_cited_note_is_explained_once_after_the_findings(review: Review) -> None:
    text = render(review, "text")
    section = text.split("相关知识卡片 (2)\n")[1]
    assert section.startswith("  可衡量的关键结果  measurable-kr\n      关键结果要能验证。\n")
    assert "  成果而非任务  outcome-not-activity\n      写结果，不写任务。\n" in section
    assert text.index("相关知识卡片") > text.rindex("MEA002")


def test_grouped_by_set_in_outline_order(review: Review) -> None:
    text = "\n".join(body_lines(render(review, "text")))
    assert text.index("研发中心 2025Q3") < text.index("市场部 2025Q3")
    market = text[text.index("市场部 2025Q3") :]
    # set-level first, then O1 and its KRs, then O2 — whatever order the engine used
    order = [market.index(code) for code in ("FOC001", "FOC002", "OUT002", "OWN004", "MEA003", "ALI002")]
    assert order == sorted(order)
    assert "market.md:1: 整组 严重 FOC001" in market
    assert "market.md:12: O2 严重 ALI002" in market


def test_problems_clean_sets_and_summary(review: Review) -> None:
    text = render(review, "text")
    assert "无问题的 OKR 组：公司 2025Q3" in text
    assert "输入问题 (2)" in text
    assert "  注意 okrs.csv 第 9 行（字段 信心指数）：不是百分比：“很高”，已忽略" in text
    assert "  无法读取 broken.xlsx：无法打开：不是有效的 xlsx 文件" in text
    tail = text.splitlines()[-4:]
    assert tail[0] == "检查了 3 组 OKR · 10 个目标 · 16 个关键结果"
    assert tail[1] == "发现 16 条（严重 6 · 警告 7 · 提示 3）"
    assert tail[2].startswith("按维度汇总：C 挑战性 2 · L 聚焦 3 · A 对齐协同 1 · S 可衡量 4")
    assert tail[3] == "输入问题：无法读取 1 · 注意 1"


def test_english_and_newlines_inside_text(review_en: Review) -> None:
    text = render(review_en, "text")
    assert "Platform | Infra 2025Q4: O1.KR1 Error MEA002 [Measurable]" in text
    assert "      Evidence: 3 workshops ↵ with" in text
    assert "Findings: 2 (Error 1 · Info 1)" in text
    assert "Sets: 1 · Objectives: 1 · Key results: 2" in text


def test_no_findings() -> None:
    okr_set = OKRSet(team="A", objectives=[Objective(id="O1", text="o", key_results=[KeyResult(id="KR1", text="k")])])
    text = render(Review(inputs=[], sets=[okr_set], findings=[], language="en"), "text")
    assert "No findings" in text
    assert "Sets with no findings: A" in text


def test_piped_console_has_no_ansi_and_no_wrapping(review: Review) -> None:
    buffer = io.StringIO()
    console = Console(file=buffer, width=40)  # not a terminal: no colour
    write_report(review, "text", None, console=console)
    out = buffer.getvalue()
    assert not ANSI.search(out)
    assert out == render(review, "text")  # same lines, none wrapped at 40 columns


def test_terminal_console_is_coloured(review: Review) -> None:
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, color_system="standard", width=200)
    write_report(review, "text", None, console=console)
    out = buffer.getvalue()
    assert ANSI.search(out)
    assert ANSI.sub("", out) == render(review, "text")


def test_rich_markup_in_okr_text_is_printed_as_written() -> None:
    okr_set = OKRSet(team="[bold]T[/bold]", objectives=[Objective(id="O1", text="x")])
    finding = Finding(
        code="FOC003",
        dimension=Dimension.focused,
        severity=Severity.error,
        message="[red]not markup[/red] :smile:",
        fix="[link=http://x]y[/link]",
        note="five-four-principle",
        set_key=okr_set.key,
        objective="O1",
    )
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, color_system="standard", width=200)
    write_report(Review(inputs=[], sets=[okr_set], findings=[finding]), "text", None, console=console)
    plain = ANSI.sub("", buffer.getvalue())
    assert "[red]not markup[/red] :smile:" in plain
    assert "[link=http://x]y[/link]" in plain
    assert "[bold]T[/bold]" in plain


def test_default_stdout_when_piped(review: Review, capsys: pytest.CaptureFixture[str]) -> None:
    write_report(review, "text", None)
    out = capsys.readouterr().out
    assert "MEA002" in out and not ANSI.search(out)


def test_console_capture_still_receives_plain_output(review: Review) -> None:
    console = Console(file=io.StringIO(), width=80)
    with console.capture() as capture:
        write_report(review, "text", None, console=console)
    assert capture.get() == render(review, "text")


def test_recording_console_keeps_styles(review: Review) -> None:
    console = Console(file=io.StringIO(), record=True, width=80)
    write_report(review, "text", None, console=console)
    assert console.export_text() == render(review, "text")
    assert 'class="r' in console.export_html() or "color" in console.export_html()
