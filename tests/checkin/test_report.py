"""`okr-review checkin` on the shipped example, in every format; bad input named by row, the rest still reported."""

from __future__ import annotations

import json
import re
from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from assistant.cli import app

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = str(ROOT / "examples" / "checkins")
runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, ["checkin", *args], env={"OKR_REVIEW_LLM_BASE_URL": "", "OPENAI_API_KEY": ""})


def test_newcomer_sees_what_is_at_risk_and_why_and_the_agenda():
    result = run(EXAMPLE, "--as-of", "2025-08-15", "--offline")
    assert result.exit_code == 1, result.output  # warnings and an error: something to discuss
    out = result.stdout
    assert "[偏离] O1.KR2" in out and "进度 22%，按时间应到 49.5%" in out
    assert "[有风险] O2.KR2" in out and "[未更新] O2.KR1" in out and "[提前完成] O1.KR3" in out
    assert "[正常] O1.KR1" in out
    assert "进展回顾会议程" in out and "李娜：O1.KR2" in out and "设计部" in out


def test_english_report_and_fail_on_never():
    result = run(EXAMPLE, "--as-of", "2025-08-15", "--lang", "en", "--fail-on", "never", "--offline")
    assert result.exit_code == 0, result.output
    assert "[Off track] O1.KR2" in result.stdout and "Check-in agenda" in result.stdout


def test_json_report_with_agenda():
    result = run(EXAMPLE, "--as-of", "2025-08-15", "-f", "json", "--offline")
    data = json.loads(result.stdout)
    statuses = {kr["ref"]: kr["status"] for o in data["sets"][0]["objectives"] for kr in o["key_results"]}
    assert statuses["O1.KR2"] == "off_track" and statuses["O2.KR1"] == "stale"
    codes = sorted({f["code"] for f in data["sets"][0]["findings"]})
    assert codes == ["CHK001", "CHK002", "CHK003", "CHK004", "CHK005", "CHK007", "CHK009", "CHK011"]
    assert data["agendas"][0]["mode"] == "offline" and data["agendas"][0]["stale"][0]["kr"] == "O2.KR1"


def test_html_report_is_self_contained_with_an_svg_chart(tmp_path: Path):
    target = tmp_path / "checkin.html"
    result = run(EXAMPLE, "--as-of", "2025-08-15", "-f", "html", "-o", str(target), "--offline")
    assert result.exit_code == 1, result.output
    html = target.read_text(encoding="utf-8")
    assert "<svg" in html and "<polyline" in html and 'class="expected"' in html and 'data-ref="O1.KR2"' in html
    assert "<script" not in html.lower() and not re.search(r"(src|href)=\"https?://", html)
    assert "进展回顾会议程" in html


def test_markdown_and_xlsx(tmp_path: Path):
    md = run(EXAMPLE, "--as-of", "2025-08-15", "-f", "md", "--offline").stdout
    assert "| O1.KR2 新手引导完成率从 45% 提升到 80% | 偏离 | 22% | 49.5% |" in md
    target = tmp_path / "checkin.xlsx"
    result = run(EXAMPLE, "--as-of", "2025-08-15", "-f", "xlsx", "-o", str(target), "--offline")
    assert result.exit_code == 1, result.output
    book = load_workbook(BytesIO(target.read_bytes()))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert any(row[2] and row[2].startswith("O1.KR2") and row[3] == "偏离" for row in rows)
    assert {r[1] for r in book.worksheets[1].iter_rows(min_row=2, values_only=True)} >= {"CHK002", "CHK003"}
    assert run(EXAMPLE, "-f", "xlsx").exit_code == 2  # needs a file


def test_dates_at_cycle_start_and_end():
    start = json.loads(run(EXAMPLE, "--as-of", "2025-07-01", "-f", "json", "--no-agenda").stdout)
    assert start["sets"][0]["elapsed"] == 0
    end = json.loads(run(EXAMPLE, "--as-of", "2025-09-30", "-f", "json", "--no-agenda").stdout)
    statuses = {kr["ref"]: kr["status"] for o in end["sets"][0]["objectives"] for kr in o["key_results"]}
    assert end["sets"][0]["elapsed"] == 100
    assert statuses["O1.KR3"] == "on_track"  # 100% at the end is simply done
    assert statuses["O1.KR1"] == "stale"  # last updated 11 Aug


def test_malformed_values_are_named_by_file_row_and_field_and_the_rest_is_checked(tmp_path: Path):
    path = tmp_path / "2025-08-11.csv"
    path.write_text(
        "团队,周期,目标,关键结果,负责人,进度,信心指数,更新日期\n"
        "增长部,2025Q3,提升留存,留存率从 20% 提升到 35%,王磊,百分之三十,70%,2025-08-11\n"
        "增长部,2025Q3,提升留存,激活率从 30% 提升到 50%,李娜,20%,40%,2025-08-11\n",
        encoding="utf-8",
    )
    result = run(str(path), "--as-of", "2025-08-15", "--offline")
    assert result.exit_code == 2
    assert f"{path} 第 2 行（字段 progress）：列“进度”的值有误" in result.stderr  # in the report's language
    assert "[偏离] O1.KR2" in result.stdout and "[无进度] O1.KR1" in result.stdout


@pytest.mark.parametrize("bad", [["--as-of", "someday"], ["-f", "pdf"], ["--fail-on", "sometimes"]])
def test_bad_options_are_usage_errors(bad):
    result = run(EXAMPLE, *bad)
    assert result.exit_code == 2 and "error" in result.stderr


def test_nothing_readable(tmp_path: Path):
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    result = run(str(empty), "--as-of", "2025-08-15")
    assert result.exit_code == 2 and "文件为空" in result.stderr  # no OKR read: the locale's language (C → zh)


def test_findings_are_said_in_words_and_codes_stay_in_the_detail_and_the_json():
    text = run(EXAMPLE, "--as-of", "2025-08-15", "--offline", "--no-agenda").stdout
    main = [line.strip() for line in text.splitlines() if line.strip().startswith("【")]
    assert "【进度严重落后：偏离】进度 22%，按时间应到 49.5%，落后 27.5 个百分点。" in main
    assert main and not any(re.search(r"CHK\d{3}|[a-z]+-[a-z]+", line) for line in main)  # no code, no note id
    assert "参考：进度与时间：KR 是否按计划推进（CHK002 · progress-against-time）" in text  # the detail keeps both
    md = run(EXAMPLE, "--as-of", "2025-08-15", "--offline", "--no-agenda", "-f", "md", "--lang", "en").stdout
    assert "- `O1.KR2` **Far behind schedule: off track** — Progress is 22%" in md
    assert "See: Progress against time (CHK002 · `progress-against-time`)" in md
    assert "**CHK" not in md
    data = json.loads(run(EXAMPLE, "--as-of", "2025-08-15", "-f", "json", "--no-agenda").stdout)
    findings = data["sets"][0]["findings"]
    assert any(f["code"] == "CHK002" and f["note"] == "progress-against-time" for f in findings)


def test_the_agenda_names_its_notes_in_words():
    out = run(EXAMPLE, "--as-of", "2025-08-15", "--offline").stdout
    notes = next(line for line in out.splitlines() if line.startswith("参考笔记："))
    assert "进展回顾会怎么开（`checkin-meeting`）" in notes and "信心指数（`confidence-index`）" in notes
