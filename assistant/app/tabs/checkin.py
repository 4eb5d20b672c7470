"""The check-in tab (进展): uploads and a date in; each KR's status, the progress chart, the agenda, the report.

The logic is in :mod:`assistant.app.checkin`; this module lays the tab out and maps its view onto the outputs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr

from ..checkin import checkin_headers, run_checkin
from ..context import UPLOAD_SUFFIXES, AppContext
from ..texts import language_of, text
from ..updates import Keep, Shown, Table, reworded, rows_of
from ..wiring import Page
from .batch import DOWNLOAD_HEIGHT, UPLOAD_HEIGHT


@dataclass(frozen=True)
class CheckinShown:
    """What could not be read, the summary, the chart (SVG), the KR table, the agenda and the report file."""

    checkin_messages: Shown
    checkin_summary: str
    checkin_chart: str
    checkin_table: Table
    checkin_agenda: str
    checkin_report: list[str] | None


@dataclass(frozen=True)
class CheckinInLanguage:
    """The KR table's rows under headers in the new language; the hint re-worded while nothing was checked."""

    checkin_summary: str | Keep
    checkin_table: Table


def check(
    ctx: AppContext, checkin_files: Sequence[str | Path] | None, as_of: str | None, language: str
) -> CheckinShown:
    """Check the uploaded check-ins on the date typed (today when empty); say what to do when nothing was read."""
    if not checkin_files:
        return CheckinShown(
            Shown(False, ""), text(language, "checkin_empty"), "", Table(checkin_headers(language)), "", None
        )
    view = run_checkin(list(checkin_files), as_of, ctx, language)
    messages = "\n".join(view.messages)
    summary = view.summary if view.review is not None else text(language, "checkin_nothing")
    return CheckinShown(
        Shown(bool(messages), messages),
        summary,
        f'<div class="okr-chart">{view.chart}</div>' if view.chart else "",
        Table(view.headers, view.rows),
        view.agenda,
        [str(view.report)] if view.report else None,
    )


def switch_language(switch: str, checkin_summary: str | None, checkin_table: Any) -> CheckinInLanguage:
    """The KR table keeps its rows under headers in the new language; a hint is re-worded, a summary kept."""
    language = language_of(switch)
    return CheckinInLanguage(
        reworded(checkin_summary, ("checkin_empty", "checkin_nothing"), language),
        Table(checkin_headers(language), rows_of(checkin_table)),
    )


def build(page: Page) -> None:
    """The check-in tab: a hint, the uploads and date, the button, then messages, summary, chart, table, agenda."""
    with page.labelled(gr.Tab, {"label": "tab_checkin"}, id="checkin"):
        page.labelled(gr.Markdown, {"value": "checkin_hint"})
        with gr.Row():
            page.add(
                "checkin_files",
                page.labelled(
                    gr.File,
                    {"label": "checkin_upload"},
                    file_count="multiple",
                    file_types=list(UPLOAD_SUFFIXES),
                    height=UPLOAD_HEIGHT,
                    elem_id="checkin-files",
                    scale=3,
                ),
            )
            page.add(
                "as_of",
                page.labelled(
                    gr.Textbox,
                    {"label": "checkin_as_of", "placeholder": "checkin_as_of_placeholder"},
                    elem_id="checkin-as-of",
                    scale=1,
                ),
            )
        run_button = page.labelled(gr.Button, {"value": "checkin_run"}, variant="primary", elem_id="checkin-run")
        page.add(
            "checkin_messages",
            page.labelled(gr.Textbox, {"label": "checkin_messages"}, lines=2, interactive=False, visible=False),
        )
        page.add("checkin_summary", gr.Markdown(page.text("checkin_empty"), elem_id="checkin-summary"))
        page.add("checkin_chart", gr.HTML(elem_id="checkin-chart"))
        page.add(
            "checkin_table",
            page.labelled(
                gr.Dataframe,
                {"label": "checkin_table"},
                headers=checkin_headers(page.language),
                value=[],
                type="array",
                interactive=False,
                wrap=True,
                elem_id="checkin-table",
            ),
        )
        page.add("checkin_agenda", gr.Markdown(elem_id="checkin-agenda"))
        page.add(
            "checkin_report",
            page.labelled(
                gr.File,
                {"label": "checkin_report"},
                interactive=False,
                height=DOWNLOAD_HEIGHT,
                elem_id="checkin-report",
            ),
        )
    page.on(page.part("switch").change, switch_language, api_visibility="private")
    page.on(run_button.click, check, api_name="checkin")
