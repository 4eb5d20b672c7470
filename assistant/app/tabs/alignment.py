"""The alignment map tab: draw the OKR tree of uploaded files, or of the session's last batch review.

The picture itself comes from :mod:`assistant.app.alignment`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path

import gradio as gr

from ..alignment import map_from_uploads, map_html
from ..batch import LastReview, job_message
from ..context import UPLOAD_SUFFIXES, AppContext
from ..jobs import JobError
from ..texts import text
from ..wiring import Page
from .batch import UPLOAD_HEIGHT


@dataclass(frozen=True)
class MapShown:
    """The map (HTML with an SVG), or a line saying why there is none."""

    picture: str


def draw(
    ctx: AppContext, map_files: Sequence[str | Path] | None, reviewed: LastReview | None, language: str, *, session: str
) -> MapShown:
    """The uploads' map when files are given, else the last batch review's, else a request to upload."""
    if map_files:
        try:
            return MapShown(map_from_uploads(map_files, ctx, language, session=session))
        except JobError as exc:
            return MapShown(f"<p>{escape(job_message(exc, ctx, language))}</p>")
    if reviewed:
        return MapShown(map_html(reviewed.sets, reviewed.findings, language))
    return MapShown(f"<p>{text(language, 'no_files')}</p>")


def build(page: Page) -> None:
    """The alignment map tab: a hint, the uploads, the draw button and the picture."""
    with page.labelled(gr.Tab, {"label": "tab_map"}, id="map"):
        page.labelled(gr.Markdown, {"value": "map_hint"})
        page.add(
            "map_files",
            page.labelled(
                gr.File,
                {"label": "map_upload"},
                file_count="multiple",
                file_types=list(UPLOAD_SUFFIXES),
                height=UPLOAD_HEIGHT,
                elem_id="map-files",
            ),
        )
        draw_button = page.labelled(gr.Button, {"value": "map_draw"}, variant="primary", elem_id="map-draw")
        page.add("picture", gr.HTML(elem_id="alignment-map"))
    page.on(draw_button.click, draw, api_name="alignment_map")
