"""The batch review tab: upload OKR files, get counts, charts, filterable findings and the report downloads.

The review runs in a process of its own (:mod:`assistant.app.batch`); its findings are shown as soon as they
are known, then again with the reports. The last review is kept per session (``reviewed``) for the filters
and for the alignment map tab.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import gradio as gr

from .. import batch
from ..alignment import map_html
from ..batch import BatchReview, LastReview
from ..context import UPLOAD_SUFFIXES, AppContext
from ..jobs import JobError
from ..texts import language_of, text
from ..updates import KEEP, Choices, Keep, Records, Shown, Table, reworded, rows_of
from ..wiring import TOAST, Page, Progress

FINDING_WIDTHS = ["11%", "11%", "10%", "8%", "30%", "30%"]  # the fix in view, not cut off
DETAIL_WIDTHS = ["10%", "10%", "9%", "7%", "26%", "26%", "12%"]  # with the rule · note column
UPLOAD_HEIGHT, DOWNLOAD_HEIGHT = 150, 190  # px: an empty file box is a drop target, not half the page
EMPTY_STATES = ("batch_empty", "no_files", "nothing_read")  # the counts line before or without a review
SEVERITY_TITLES = {"x_title": "col_dimension", "y_title": "col_count", "color_title": "col_severity"}


@dataclass(frozen=True)
class ReviewShown:
    """A batch review on the page: counts, unreadable input, charts, filters, findings, reports, the map."""

    counts: str | Keep
    file_status: str | Keep
    problems: Shown | Keep
    by_dimension: Records | Keep | None
    by_team: Records | Keep | None
    f_dimension: Choices | Keep
    f_severity: Choices | Keep
    f_team: Choices | Keep
    findings: Table | Keep
    details: bool | Keep
    downloads: list[str] | Keep | None
    reviewed: LastReview | Keep | None
    picture: str | Keep
    warning: str = field(default="", metadata=TOAST)


@dataclass(frozen=True)
class Filtered:
    """The findings that match the filters (unchanged when there is no review yet)."""

    findings: Table | Keep


@dataclass(frozen=True)
class FindingsInLanguage:
    """The last review in the new language: counts, charts, filters (reset to "all"), rows and headers.

    Without a review, the hint of the empty state and the table's headers are re-worded.
    """

    counts: str | Keep
    file_status: str | Keep
    by_dimension: Records | Keep | None
    by_team: Records | Keep | None
    f_dimension: Choices | Keep
    f_severity: Choices | Keep
    f_team: Choices | Keep
    findings: Table
    details: bool | Keep
    reviewed: LastReview | None


def findings_table(rows: Sequence[Sequence[str]], language: str, details: bool = False) -> Table:
    """The findings as the table shows them: the rule code and note only with ``details`` on."""
    widths = DETAIL_WIDTHS if details else FINDING_WIDTHS
    return Table(batch.finding_headers(language, details), batch.shown_rows(rows, details), widths)


def review_shown(result: BatchReview, language: str) -> ReviewShown:
    """The page's view of a review, with every filter reset to "all" (or the "nothing read" state)."""
    if not result.review.sets:
        return nothing_read(result, language)
    rows = batch.finding_rows(result.review, language)
    choices = batch.filter_choices(rows, language)
    everything = text(language, "all")
    messages = "\n".join(result.messages)
    return ReviewShown(
        counts=result.counts_line(language),
        file_status=batch.status_markdown(result.files, language),
        problems=Shown(bool(messages), messages),
        by_dimension=Records(batch.dimension_counts(result.review, language)),
        by_team=Records(batch.team_counts(result.review, language)),
        f_dimension=Choices(choices["dimension"], everything),
        f_severity=Choices(choices["severity"], everything),
        f_team=Choices(choices["team"], everything),
        findings=Table(batch.finding_headers(language), batch.shown_rows(rows)),  # the build's widths
        details=False,
        downloads=downloads(result.reports),
        reviewed=LastReview(rows, result.review.sets, result.review.findings, language, result.files),
        picture=map_html(result.review.sets, result.review.findings, language),
    )


def nothing_uploaded(language: str) -> ReviewShown:
    """The empty state: no files were given; the last review is dropped."""
    words = text(language, "no_files")
    return ReviewShown(
        counts=words,
        file_status="",
        problems=Shown(False),
        by_dimension=None,
        by_team=None,
        f_dimension=KEEP,
        f_severity=KEEP,
        f_team=KEEP,
        findings=Table(batch.finding_headers(language)),
        details=False,
        downloads=None,
        reviewed=None,
        picture="",
        warning=words,
    )


def nothing_read(result: BatchReview, language: str) -> ReviewShown:
    """No OKR could be read: say so and why, with no charts, findings, reports or map (not "0 findings")."""
    messages = "\n".join(result.messages)
    words = text(language, "nothing_read")
    return ReviewShown(
        counts=words,
        file_status=batch.status_markdown(result.files, language),
        problems=Shown(bool(messages), messages),
        by_dimension=None,
        by_team=None,
        f_dimension=Choices([], None),
        f_severity=Choices([], None),
        f_team=Choices([], None),
        findings=Table(batch.finding_headers(language)),
        details=False,
        downloads=None,
        reviewed=None,
        picture="",
        warning=words,
    )


def not_finished(message: str) -> ReviewShown:
    """A review refused or stopped (a cap, the time or the memory budget): the message, the rest as it was."""
    return ReviewShown(
        counts=message,
        file_status=KEEP,
        problems=Shown(False),
        by_dimension=KEEP,
        by_team=KEEP,
        f_dimension=KEEP,
        f_severity=KEEP,
        f_team=KEEP,
        findings=KEEP,
        details=KEEP,
        downloads=KEEP,
        reviewed=KEEP,
        picture=KEEP,
        warning=message,
    )


def downloads(reports: Sequence[Path]) -> list[str] | None:
    """The report files for the downloads box (None: empty)."""
    return [str(p) for p in reports] or None


def downloads_only(reports: Sequence[Path]) -> ReviewShown:
    """The reports written so far, the review already on the page kept as it is (nothing else is sent again).

    A large review's findings, charts and map are megabytes: sending them again with each report would cost
    seconds of the server's time and the browser's, for no change.
    """
    return ReviewShown(
        counts=KEEP,
        file_status=KEEP,
        problems=KEEP,
        by_dimension=KEEP,
        by_team=KEEP,
        f_dimension=KEEP,
        f_severity=KEEP,
        f_team=KEEP,
        findings=KEEP,
        details=KEEP,
        downloads=downloads(reports),
        reviewed=KEEP,
        picture=KEEP,
    )


def review(
    ctx: AppContext, files: Sequence[str | Path] | None, language: str, *, session: str, progress: Progress
) -> Iterator[ReviewShown]:
    """The findings as soon as they are known, then each report as soon as it is written (quickest first).

    Once a review is on the page, each report in between sends only the downloads, and the last step the whole
    view again (what an API client gets); a review stopped after some reports were shown takes them away (its
    report folder is removed).
    """
    if not files:
        yield nothing_uploaded(language)
        return
    progress(0.0, text(language, "review"))
    events: queue.SimpleQueue[tuple[str, Any]] = queue.SimpleQueue()

    def work() -> None:
        try:
            result = batch.review_uploads(
                files,
                ctx,
                language,
                session=session,
                progress=lambda done, what: events.put(("progress", (done, what))),
                answer=lambda first: events.put(("answer", first)),
                written=lambda reports: events.put(("written", reports)),
            )
        except BaseException as exc:  # handed to the handler's thread, which shows or raises it
            events.put(("error", exc))
        else:
            events.put(("done", result))

    threading.Thread(target=work, name="okr-review-batch", daemon=True).start()
    shown: ReviewShown | None = None  # the review on the page, once its findings are known
    reported = False  # some report downloads on the page
    while True:
        kind, value = events.get()
        if kind == "progress":
            progress(value[0], batch.progress_words(value[1], language))
        elif kind == "written":
            if shown is not None:
                reported = True
                yield downloads_only(value)
        elif kind == "answer":
            answer = review_shown(value, language)
            shown = answer if value.review.sets else None
            yield answer
        elif kind == "done":
            # The whole view last (what an API client gets), without building the megabytes of it again.
            yield review_shown(value, language) if shown is None else replace(shown, downloads=downloads(value.reports))
            return
        elif isinstance(value, JobError):
            stopped = not_finished(batch.job_message(value, ctx, language))
            yield replace(stopped, downloads=None) if reported else stopped
            return
        else:
            raise value


def filter_findings(
    f_dimension: str | None,
    f_severity: str | None,
    f_team: str | None,
    details: bool | None,
    reviewed: LastReview | None,
) -> Filtered:
    """The last review's findings that match every chosen filter, in the review's language (codes on demand)."""
    if not reviewed:
        return Filtered(KEEP)
    everything = text(reviewed.language, "all")
    rows = batch.filter_rows(
        reviewed.rows, dimension=f_dimension or "", severity=f_severity or "", team=f_team or "", any_=everything
    )
    return Filtered(findings_table(rows, reviewed.language, bool(details)))


def switch_language(
    switch: str, findings: Any, counts: str | None, details: bool | None, reviewed: LastReview | None
) -> Iterator[FindingsInLanguage]:
    """The last review re-worded in the new language (the findings' own sentences stay as the review wrote them).

    The charts come twice: the data in the new words, then the same data with the new words' colour map, which
    makes the browser redraw each chart's legend from the data it now holds.
    """
    language = language_of(switch)
    if not reviewed:
        words = reworded(counts, EMPTY_STATES, language)  # a hint follows the switch; a refusal is kept
        table = Table(batch.finding_headers(language, bool(details)), rows_of(findings))
        yield FindingsInLanguage(words, KEEP, KEEP, KEEP, KEEP, KEEP, KEEP, table, KEEP, None)
        return
    review = reviewed.review(language)
    rows = batch.finding_rows(review, language)
    choices = batch.filter_choices(rows, language)
    everything = text(language, "all")
    charts = batch.dimension_counts(review, language), batch.team_counts(review, language)
    shown = FindingsInLanguage(
        counts=batch.counts_line(review, language),
        file_status=batch.status_markdown(reviewed.files, language),
        by_dimension=Records(charts[0]),
        by_team=Records(charts[1]),
        f_dimension=Choices(choices["dimension"], everything),
        f_severity=Choices(choices["severity"], everything),
        f_team=Choices(choices["team"], everything),
        findings=findings_table(rows, language, bool(details)),
        details=KEEP,
        reviewed=LastReview(rows, reviewed.sets, reviewed.findings, language, reviewed.files),
    )
    yield shown
    colours = batch.severity_colours(language)
    yield replace(shown, by_dimension=Records(charts[0], colours=colours), by_team=Records(charts[1], colours=colours))


def build(page: Page) -> None:
    """The batch review tab: uploads, the review button, counts, charts, filters, findings and downloads."""
    opening = page.language
    with page.labelled(gr.Tab, {"label": "tab_batch"}, id="batch"):
        page.add(
            "files",
            page.labelled(
                gr.File,
                {"label": "upload"},
                file_count="multiple",
                file_types=list(UPLOAD_SUFFIXES),
                height=UPLOAD_HEIGHT,
                elem_id="batch-files",
            ),
        )
        run = page.labelled(gr.Button, {"value": "review"}, variant="primary", elem_id="batch-run")
        page.add("counts", gr.Markdown(page.text("batch_empty"), elem_id="batch-counts"))
        page.add("file_status", gr.Markdown(elem_id="batch-file-status"))
        page.add(
            "problems", page.labelled(gr.Textbox, {"label": "problems"}, lines=3, interactive=False, visible=False)
        )
        with gr.Row():
            colours = batch.severity_colours()
            page.add(
                "by_dimension",
                page.labelled(
                    gr.BarPlot,
                    {"label": "by_dimension", **SEVERITY_TITLES},
                    x="dimension",
                    y="count",
                    color="severity",
                    color_map=colours,
                    x_label_angle=-30,  # "Outcome-oriented" and its neighbours would touch at half width
                    elem_id="batch-by-dimension",
                ),
            )
            page.add(
                "by_team",
                page.labelled(
                    gr.BarPlot,
                    {"label": "by_team", **SEVERITY_TITLES, "x_title": "col_team"},
                    x="team",
                    y="count",
                    color="severity",
                    color_map=colours,
                    elem_id="batch-by-team",
                ),
            )
        with gr.Row():
            filters = [
                page.add(
                    name,
                    page.labelled(
                        gr.Dropdown, {"label": f"filter_{name[2:]}"}, choices=[], elem_id=f"batch-filter-{name[2:]}"
                    ),
                )
                for name in ("f_dimension", "f_severity", "f_team")
            ]
            filters.append(
                page.add(
                    "details",
                    page.labelled(gr.Checkbox, {"label": "show_details"}, value=False, elem_id="batch-details"),
                )
            )
        page.add(
            "findings",
            page.labelled(
                gr.Dataframe,
                {"label": "findings"},
                headers=batch.finding_headers(opening),
                value=[],
                type="array",
                interactive=False,
                wrap=True,
                column_widths=FINDING_WIDTHS,
                elem_id="batch-findings",
            ),
        )
        page.add(
            "downloads",
            page.labelled(
                gr.File,
                {"label": "downloads"},
                file_count="multiple",
                interactive=False,
                height=DOWNLOAD_HEIGHT,
                elem_id="reports",
            ),
        )

    page.on(page.part("switch").change, switch_language, api_visibility="private")
    page.on(run.click, review, api_name="batch_review")
    for dropdown in filters:
        page.on(dropdown.change, filter_findings, api_visibility="private")
