"""The batch review answers in steps: the findings first, then each report as soon as it is written.

A large upload's XLSX takes seconds; the findings, charts and the quicker reports must not wait for it, and the
steps in between must not send the megabytes of findings and map again.
"""

from __future__ import annotations

import shutil
from dataclasses import fields
from pathlib import Path

import pytest

from assistant.app import batch
from assistant.app.context import AppContext
from assistant.app.jobs import JobError
from assistant.app.review_job import REPORT_FORMATS, WRITE_ORDER, Reviewed, Written, review_files
from assistant.app.tabs import batch as batch_tab
from assistant.app.texts import text
from assistant.app.updates import KEEP
from assistant.config import Config

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _no_progress(fraction: float, words: str) -> None:
    return None


@pytest.fixture
def ctx(tmp_path, shared_retriever) -> AppContext:
    return AppContext(config=Config(), llm=None, retriever=shared_retriever, workdir=tmp_path)


@pytest.fixture
def upload(tmp_path) -> str:
    folder = tmp_path / "upload"
    folder.mkdir()
    return str(shutil.copy(EXAMPLES / "company-and-teams.csv", folder))


def test_the_job_sends_the_findings_then_each_report_quickest_first(tmp_path, upload):
    sent: list[tuple[float, str, object]] = []
    folder = tmp_path / "reports"
    folder.mkdir()
    result = review_files(
        [(upload, "company-and-teams.csv")],
        Config(),
        inputs=["company-and-teams.csv"],
        language="zh",
        notes={},
        folder=folder,
        report=lambda fraction, what, value=None: sent.append((fraction, what, value)),
    )
    values = [value for _, _, value in sent if value is not None]
    findings, *written = values
    assert isinstance(findings, Reviewed) and findings.findings and not findings.reports
    assert all(isinstance(w, Written) for w in written)
    # Each step lists the reports written so far, in the downloads' order, one more each time, JSON first.
    assert [[p.suffix[1:] for p in w.reports] for w in written] == [["json"], ["html", "json"]]
    assert WRITE_ORDER[0] == "json" and WRITE_ORDER[-1] == "xlsx"  # the XLSX, the slow one, last
    assert all(p.is_file() and p.stat().st_size for w in written for p in w.reports)
    assert [p.suffix[1:] for p in result.reports] == list(REPORT_FORMATS) and not result.findings
    fractions = [fraction for fraction, _, _ in sent]
    assert fractions == sorted(fractions) and fractions[-1] < 1


def test_the_page_gets_the_findings_then_only_the_downloads_then_the_whole_view(ctx, upload):
    steps = list(batch_tab.review(ctx, [upload], "zh", session="streaming", progress=_no_progress))
    answer, *between, done = steps
    assert answer.counts.startswith("共 ") and answer.findings.rows and answer.downloads is None
    assert "<svg" in answer.picture
    # In between: the downloads as they are written, everything else left as it is on the page.
    assert [[Path(p).suffix for p in step.downloads] for step in between] == [[".json"], [".html", ".json"]]
    for step in between:
        kept = {f.name for f in fields(step) if getattr(step, f.name) is KEEP}
        assert kept == {f.name for f in fields(step)} - {"downloads", "warning"} and step.warning == ""
    # Last, the whole view again (what an API client gets): the answer's, with every report.
    assert [Path(p).name for p in done.downloads] == [f"okr-review-report.{fmt}" for fmt in REPORT_FORMATS]
    for f in fields(done):
        if f.name != "downloads":
            assert getattr(done, f.name) == getattr(answer, f.name), f.name


def test_a_review_that_reads_nothing_sends_no_downloads_in_between(ctx, tmp_path):
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a workbook at all")
    steps = list(batch_tab.review(ctx, [str(bad)], "en", session="streaming-nothing", progress=_no_progress))
    assert all(step.counts == text("en", "nothing_read") for step in steps)
    assert all(step.downloads is None for step in steps)


def test_a_review_stopped_after_some_reports_takes_their_downloads_away(ctx, upload, monkeypatch, tmp_path):
    """The XLSX ran out of time: the review's folder is removed, so the reports shown before go too."""
    real = batch.review_uploads
    first = tmp_path / "okr-review-report.json"
    first.write_text("{}", "utf-8")

    def stopped_while_writing(*args, answer, written, **kwargs):
        review = real(*args, answer=answer, written=None, **kwargs)
        answer(review)
        written([first])
        raise JobError("review_timeout")

    monkeypatch.setattr(batch_tab.batch, "review_uploads", stopped_while_writing)
    *_, last = batch_tab.review(ctx, [upload], "en", session="streaming-stopped", progress=_no_progress)
    assert last.counts == last.warning and "60" in last.counts  # the time budget, in the page's words
    assert last.downloads is None and last.findings is KEEP  # the findings stay; the gone reports do not


def test_a_review_stopped_before_any_report_keeps_the_downloads_as_they_were(ctx, upload, monkeypatch):
    def stopped(*args, **kwargs):
        raise JobError("review_timeout")

    monkeypatch.setattr(batch_tab.batch, "review_uploads", stopped)
    (last,) = batch_tab.review(ctx, [upload], "en", session="streaming-refused", progress=_no_progress)
    assert last.downloads is KEEP
