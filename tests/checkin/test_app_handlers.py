"""The check-in tab's handlers (assistant/app/checkin.py): uploads and a date in, a typed view out."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest

from assistant.app.checkin import checkin_headers, parse_date, run_checkin
from assistant.app.context import AppContext
from assistant.config import Config
from assistant.knowledge import load_notes
from assistant.shipped import shipped_dir

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "checkins"


@pytest.fixture
def ctx(tmp_path) -> AppContext:
    # The handlers only read the notes behind the retriever, never search it.
    retriever = SimpleNamespace(index=SimpleNamespace(notebook=load_notes(shipped_dir("knowledge"))))
    return AppContext(config=Config(), llm=None, retriever=retriever, workdir=tmp_path / "work", max_upload_mb=1)


def uploads(tmp_path: Path) -> list[str]:
    """Copies of the example, as gradio hands uploads over: files in a temp folder."""
    folder = tmp_path / "uploads"
    folder.mkdir()
    return [str(shutil.copy(path, folder)) for path in sorted(EXAMPLE.glob("*.csv"))]


@pytest.mark.parametrize("language", ["zh", "en"])
def test_run_checkin_returns_table_chart_agenda_and_report(ctx, tmp_path, language):
    view = run_checkin(uploads(tmp_path), "2025-08-15", ctx, language)
    assert view.messages == []
    assert view.headers == checkin_headers(language) and len(view.rows) == 5
    statuses = {row[0].split()[0]: row[1] for row in view.rows}
    assert statuses["O1.KR2"] == ("偏离" if language == "zh" else "Off track")
    assert view.chart.startswith("<svg") and "O2.KR2" in view.chart
    assert "O1.KR2" in view.agenda and "O2.KR1" in view.agenda
    assert view.report is not None and view.report.is_file()
    assert ctx.reports_dir in view.report.parents
    assert "<svg" in view.report.read_text(encoding="utf-8")


def test_bad_uploads_and_dates_become_messages(ctx, tmp_path):
    files = uploads(tmp_path)
    other = tmp_path / "uploads" / "notes.docx"
    other.write_bytes(b"x")
    bad = tmp_path / "uploads" / "2025-08-12.csv"
    bad.write_text("团队,周期,目标,关键结果,进度\n增长部,2025Q3,新目标,新 KR,很多\n", encoding="utf-8")
    view = run_checkin([*files, str(other), str(bad)], "下周一", ctx, "zh", today=date(2025, 8, 15))
    assert any("notes.docx" in m for m in view.messages)
    assert any("下周一" in m for m in view.messages)
    assert any(m.startswith("2025-08-12.csv 第 2 行（字段 progress）") for m in view.messages)  # the name uploaded
    assert len(view.rows) == 6  # the other rows are still checked, on the fallback date
    assert view.review is not None and view.review.as_of == date(2025, 8, 15)


def test_nothing_readable_gives_only_messages(ctx, tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    view = run_checkin([str(empty)], "", ctx, "en")
    assert view.rows == [] and view.report is None and view.messages


def test_dates_as_people_type_them():
    assert parse_date("2025/8/15") == (date(2025, 8, 15), None)
    assert parse_date("2025年8月15日") == (date(2025, 8, 15), None)
    assert parse_date("", today=date(2025, 1, 2)) == (date(2025, 1, 2), None)
    day, problem = parse_date("soon", today=date(2025, 1, 2))
    assert day == date(2025, 1, 2) and problem and "soon" in problem
