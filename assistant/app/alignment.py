"""The alignment map tab: the picture of the OKR tree from :mod:`assistant.alignment_map`, in a scrollable frame."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from pathlib import Path

from ..alignment_map import build_map, render_svg, summary_line
from ..findings import Finding
from ..model import OKRSet
from .batch import bounded_review, problem_message
from .context import AppContext
from .texts import text


def map_html(sets: Sequence[OKRSet], findings: Sequence[Finding], language: str) -> str:
    """The map with a one-line caption; empty when there is nothing to draw."""
    if not sets:
        return ""
    picture = build_map(list(sets), list(findings), language=language)
    caption = escape(summary_line(picture, language))
    return f'<p class="okr-map-caption">{caption}</p><div class="okr-map">{render_svg(picture, language)}</div>'


def map_from_uploads(paths: Sequence[str | Path], ctx: AppContext, language: str, *, session: str = "") -> str:
    """Read and check the uploads (as a batch review does, without reports), then draw them.

    Files or rows that could not be read are listed above the map. Raises JobError over a cap or budget.
    """
    screened, done = bounded_review(paths, ctx, language, session=session, reports=False)
    messages = [*screened.rejected, *(problem_message(problem, language) for problem in done.problems)]
    problems = "".join(f"<li>{escape(message)}</li>" for message in messages)
    head = f'<ul class="okr-map-problems">{problems}</ul>' if problems else ""
    return head + (map_html(done.sets, done.findings, language) or f"<p>{escape(text(language, 'no_sets'))}</p>")
