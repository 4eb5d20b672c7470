"""The check-in tab's logic (进展): uploads and a date in, the statuses, chart, agenda and a report file out.

Plain functions, so the tab builder in ``ui.py`` only wires widgets to them: ``run_checkin`` takes the
uploaded paths, the check-in date as typed and the language, and returns a ``CheckinView`` whose fields
map one to one onto the tab's outputs. Uploads go through the same screen as the review tab (type, size,
per-request caps); a bad file or cell becomes a message, never an exception.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ..assist.checkin_agenda import CheckinAgenda, draft_agenda
from ..checkin import CheckinReview, analyse_checkins, merge_series
from ..checkin.report import progress_chart, render_checkin
from ..checkin.texts import label, status_label
from ..importers._values import due_date
from ..reports import write_atomic
from .batch import load_uploads, problem_message
from .context import AppContext
from .texts import text

__all__ = ["TABLE_KEYS", "CheckinView", "checkin_headers", "checkin_rows", "parse_date", "run_checkin"]

TABLE_KEYS = ("kr", "status", "progress", "expected", "confidence", "updated", "owner")


@dataclass
class CheckinView:
    """What the check-in tab shows: a summary, the chart, the KR table, the agenda, messages and the report."""

    summary: str = ""  # Markdown: the report without the agenda
    chart: str = ""  # inline SVG, one per set, for an HTML component
    headers: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    agenda: str = ""  # Markdown
    messages: list[str] = field(default_factory=list)  # unreadable uploads, cells and dates, in order
    report: Path | None = None  # the HTML report (chart and agenda included) to download
    review: CheckinReview | None = None
    agendas: list[CheckinAgenda] = field(default_factory=list)


def parse_date(text: str | None, today: date | None = None) -> tuple[date, str | None]:
    """The check-in date as typed (``2025-08-15``, ``2025/8/15``, ``2025年8月15日``), else today and why."""
    fallback = today or date.today()
    if text is None or not str(text).strip():
        return fallback, None
    try:
        found = due_date(str(text).strip())
    except ValueError as exc:
        return fallback, f"{text!r}: {exc}"
    if found is None:
        return fallback, f"{text!r}: not a date"
    return found, None


def checkin_headers(language: str) -> list[str]:
    return [label(key, language) for key in TABLE_KEYS]


def checkin_rows(review: CheckinReview) -> list[list[str]]:
    """One row per KR: ``[ref and text, status, progress, expected, confidence, updated, owner]``, as strings."""

    def percent(value: float | None) -> str:
        return "" if value is None else f"{round(value, 1):g}%"

    rows = []
    prefix = len(review.sets) > 1
    for okr_set in review.sets:
        for kr in okr_set.key_results():
            rows.append(
                [
                    f"{okr_set.team} {kr.ref} {kr.text}" if prefix else f"{kr.ref} {kr.text}",
                    status_label(kr.status, review.language),
                    percent(kr.progress),
                    percent(kr.expected),
                    percent(kr.confidence),
                    kr.updated.isoformat() if kr.updated else "",
                    kr.owner or "",
                ]
            )
    return rows


def run_checkin(
    paths: Sequence[str | Path],
    as_of: str | None,
    ctx: AppContext,
    language: str,
    *,
    use_llm: bool = True,
    today: date | None = None,
) -> CheckinView:
    """Read the uploads, join them into a series, check them on ``as_of`` and draft each set's agenda."""
    view = CheckinView(headers=checkin_headers(language))
    day, bad_date = parse_date(as_of, today)
    if bad_date:
        view.messages.append(text(language, "bad_date", value=str(as_of).strip(), day=day.isoformat()))
    loaded = load_uploads(paths, ctx, language)
    view.messages += loaded.messages(language)
    if not loaded.sets:
        return view
    sets, notices = merge_series(loaded.sets)
    view.messages += [problem_message(notice, language) for notice in notices]
    review = analyse_checkins(sets, day, config=ctx.config, language=language)
    review.problems = [*loaded.result.problems, *notices]
    view.review = review
    view.rows = checkin_rows(review)
    view.summary = str(render_checkin(review, "md"))
    view.chart = "".join(progress_chart(okr_set, day, language) for okr_set in review.sets)
    llm = ctx.llm if use_llm else None
    view.agendas = [
        draft_agenda(okr_set, as_of=day, language=language, llm=llm, notebook=ctx.notebook) for okr_set in review.sets
    ]
    view.agenda = "\n".join(agenda.markdown() for agenda in view.agendas)
    view.messages += [f"{agenda.set_key}: {agenda.error}" for agenda in view.agendas if agenda.error]
    target = ctx.scratch("checkin") / "checkin.html"
    write_atomic(target, render_checkin(review, "html", agendas=view.agendas))
    view.report = target
    return view
