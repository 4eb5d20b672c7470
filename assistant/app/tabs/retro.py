"""The retrospective tab: scores from an upload or a typed-in table, their spread, and the draft retrospective.

The logic (reading scores and check-ins, the bands, the draft) is in :mod:`assistant.app.retro`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr

from .. import retro
from ..context import UPLOAD_SUFFIXES, AppContext
from ..texts import language_of, text
from ..updates import Shown, Table, rows_of
from ..wiring import Page
from .batch import UPLOAD_HEIGHT

CHECKIN_SUFFIXES = [".csv", ".tsv", ".txt", ".yaml", ".yml", ".json"]  # what read_checkins reads
EMPTY_ROW = ["", "", "", ""]
START_ROWS = 3  # empty rows the table opens with; "add a row" gives more


@dataclass(frozen=True)
class RetroShown:
    """What could not be read, every scored KR's percentage and band, and the draft retrospective (Markdown)."""

    retro_messages: Shown
    spread: str
    retro_out: str


@dataclass(frozen=True)
class ScoresInLanguage:
    """The score table's rows under headers in the new language."""

    score_table: Table


def run(
    ctx: AppContext, scores: str | Path | None, checkins: str | Path | None, score_table: Any, language: str
) -> RetroShown:
    """The uploaded scores when a file is given, else the table; a draft only when some KR has a score."""
    found = retro.scored_input(scores, checkins, rows_of(score_table), ctx, language)
    messages = "\n".join(found.messages)
    chart = retro.spread_chart(found.sets, ctx, language)
    body = retro.retrospective_markdown(found, ctx, language) if chart else text(language, "no_scores")
    return RetroShown(Shown(bool(messages), messages), chart, body)


@dataclass(frozen=True)
class MoreRows:
    """The score table with one more empty row."""

    score_table: Table


def add_row(score_table: Any, language: str) -> MoreRows:
    """One more empty row under the rows typed so far."""
    return MoreRows(Table(retro.table_headers(language), [*rows_of(score_table), EMPTY_ROW]))


def switch_language(switch: str, score_table: Any) -> ScoresInLanguage:
    """The score table keeps its rows (one empty row when there are none) under headers in the new language."""
    rows = rows_of(score_table) or [EMPTY_ROW] * START_ROWS
    return ScoresInLanguage(Table(retro.table_headers(language_of(switch)), rows))


def build(page: Page) -> None:
    """The retrospective tab: a hint, the score and check-in uploads, the table, the button, chart and draft."""
    with page.labelled(gr.Tab, {"label": "tab_retro"}, id="retro"):
        page.labelled(gr.Markdown, {"value": "retro_hint"})
        with gr.Row():
            page.add(
                "scores",
                page.labelled(
                    gr.File,
                    {"label": "retro_upload"},
                    file_types=list(UPLOAD_SUFFIXES),
                    height=UPLOAD_HEIGHT,
                    elem_id="retro-scores",
                ),
            )
            page.add(
                "checkins",
                page.labelled(gr.File, {"label": "retro_checkins"}, file_types=CHECKIN_SUFFIXES, height=UPLOAD_HEIGHT),
            )
        page.add(
            "score_table",
            page.labelled(
                gr.Dataframe,
                {"label": "retro_table"},
                headers=retro.table_headers(page.language),
                value=[EMPTY_ROW] * START_ROWS,
                type="array",
                interactive=True,
                wrap=True,
                elem_id="retro-table",
            ),
        )
        with gr.Row():
            add_button = page.labelled(gr.Button, {"value": "add_row"}, size="sm", elem_id="retro-add-row")
            run_button = page.labelled(gr.Button, {"value": "retro_run"}, variant="primary", elem_id="retro-run")
        page.add("retro_messages", gr.Textbox(lines=2, interactive=False, visible=False, show_label=False))
        page.heading("distribution", 4)
        page.add("spread", gr.HTML(elem_id="retro-spread"))
        page.add("retro_out", gr.Markdown(elem_id="retro-draft"))
    page.on(page.part("switch").change, switch_language, api_visibility="private")
    page.on(run_button.click, run, api_name="retro")
    page.on(add_button.click, add_row, api_visibility="private")
