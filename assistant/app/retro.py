"""The retrospective tab's logic: scores from an upload or the table, their distribution, the draft.

Table rows are ``[objective, key result, score, check-in note]``; scores may be 0–1, 0–100 (with or
without %) or on the 1–5 scale, detected per set as in ``okr-review score``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any

from .. import scoring
from ..assist.retrospective import draft_retrospective, read_checkins
from ..model import KeyResult, Objective, OKRSet
from ..texts import words
from .batch import job_message, load_uploads, problem_message, screen_uploads, upload_name
from .context import AppContext
from .jobs import JobError, run_bounded
from .score_chart import Bar, spread_svg
from .texts import text

TABLE_COLUMNS = ("col_objective", "col_kr", "col_score", "col_note")
BAND_LABELS = {
    scoring.Band.analyse: "band_low",
    scoring.Band.low: "band_mid",
    scoring.Band.healthy: "band_ok",
    scoring.Band.high: "band_high",
    scoring.Band.conservative: "band_full",
}


@dataclass
class ScoredInput:
    """The scored sets, the check-in notes by KR ref, and a message for everything that could not be read."""

    sets: list[OKRSet] = field(default_factory=list)
    checkins: dict[str, str] = field(default_factory=dict)
    messages: list[str] = field(default_factory=list)


def table_headers(language: str) -> list[str]:
    return [text(language, key) for key in TABLE_COLUMNS]


def _score(cell: Any) -> float | None:
    raw = str(cell if cell is not None else "").strip().rstrip("%％").strip()
    return float(raw) if raw else None


def set_from_table(rows: Sequence[Sequence[Any]], language: str) -> ScoredInput:
    """One set from the typed-in table; a row with an unreadable score is reported (row, field, reason) and skipped."""
    found = ScoredInput()
    objectives: dict[str, Objective] = {}
    for number, row in enumerate(rows, start=1):
        cells = [str(c).strip() if c is not None else "" for c in [*row, "", "", "", ""][:4]]
        objective_text, kr_text, score_cell, note = cells
        if not (objective_text or kr_text or score_cell):
            continue
        if not objective_text or not kr_text:
            missing = text(language, "col_objective" if not objective_text else "col_kr")
            found.messages.append(text(language, "retro_row_empty", row=number, field=missing))
            continue
        try:
            score = _score(score_cell)
        except ValueError:
            where = {"row": number, "field": text(language, "col_score")}
            found.messages.append(text(language, "retro_row_not_number", **where, value=score_cell))
            continue
        objective = objectives.setdefault(
            objective_text, Objective(id=f"O{len(objectives) + 1}", text=objective_text, key_results=[])
        )
        kr = KeyResult(id=f"KR{len(objective.key_results) + 1}", text=kr_text, score=score)
        objective.key_results.append(kr)
        if note:
            found.checkins[objective.kr_ref(kr)] = note
    if objectives:
        found.sets.append(OKRSet(team=text(language, "my_team"), objectives=list(objectives.values())))
    return found


def scored_input(
    upload: str | Path | None,
    checkins: str | Path | None,
    rows: Sequence[Sequence[Any]] | None,
    ctx: AppContext,
    language: str,
) -> ScoredInput:
    """The uploaded scores when a file is given, else the table; check-in notes from their file when given."""
    if upload:
        loaded = load_uploads([upload], ctx, language)
        found = ScoredInput(sets=loaded.sets, messages=loaded.messages(language))
    else:
        found = set_from_table(rows or [], language)
    if checkins:
        found.messages.extend(_add_checkins(found, checkins, ctx, language))
    return found


def _read_checkins_job(path: str, report: Any = None) -> tuple[dict[str, str], list[Any]]:
    return read_checkins(path)


def _add_checkins(found: ScoredInput, path: str | Path, ctx: AppContext, language: str) -> list[str]:
    """The check-in notes into ``found``, read in a process of their own with the review's budget; the messages."""
    name = upload_name(path)
    screened = screen_uploads([path], ctx, language)
    if not screened.files:
        return screened.rejected
    try:
        notes, problems = run_bounded(
            partial(_read_checkins_job, str(path)),
            (),
            seconds=ctx.limits.review_seconds,
            memory_mb=ctx.limits.review_memory_mb,
        )
    except JobError as exc:
        return [f"{name}: {job_message(exc, ctx, language)}"]
    found.checkins.update(notes)
    return [problem_message(p, language).replace(str(path), name) for p in problems]


def _band_figures(ctx: AppContext) -> dict[str, str]:
    """The numbers in the band labels: the configured marks and the healthy band."""
    marks = scoring.marks(ctx.config)
    edges = {"low": marks.low, "full": marks.full, "healthy_low": scoring.HEALTHY_BAND[0]}
    edges["healthy_high"] = scoring.HEALTHY_BAND[1]
    return {name: f"{value:g}" for name, value in edges.items()}


def score_bars(sets: Sequence[OKRSet], ctx: AppContext) -> list[Bar]:
    """Every scored KR as a bar: its ref (with the team when there are several sets), percentage and band."""
    marks = scoring.marks(ctx.config)
    bars: list[Bar] = []
    for okr_set in sets:
        prefix = f"{okr_set.team} " if len(sets) > 1 else ""
        for objective, kr, percent in scoring.scored_key_results(okr_set, ctx.config):
            bars.append(Bar(prefix + objective.kr_ref(kr), percent, marks.band(percent)))
    return bars


def band_names(ctx: AppContext, language: str) -> dict[scoring.Band, str]:
    """Each band's label with the configured marks ("低于 50%", "60%–70%" …)."""
    figures = _band_figures(ctx)
    return {band: text(language, key, **figures) for band, key in BAND_LABELS.items()}


def distribution(sets: Sequence[OKRSet], ctx: AppContext, language: str) -> list[dict[str, Any]]:
    """Every scored KR as a percentage with its band against the healthy 60–70%, in reading order."""
    names = band_names(ctx, language)
    return [{"kr": bar.label, "percent": bar.percent, "band": names[bar.band]} for bar in score_bars(sets, ctx)]


def spread_chart(sets: Sequence[OKRSet], ctx: AppContext, language: str) -> str:
    """The scores as the SVG chart, the healthy band shaded (empty when nothing is scored)."""
    return spread_svg(score_bars(sets, ctx), band_names(ctx, language), language)


def retrospective_markdown(found: ScoredInput, ctx: AppContext, language: str) -> str:
    """The drafts of every scored set, one after another, under the offline notice and above the notes, each once.

    Each set's own text would repeat both; here the notice leads once, the sets follow without it and without
    their note lists, and the notes cited by any set close the page once, by title.
    """
    outcomes = [
        draft_retrospective(okr_set, checkins=found.checkins, language=language, **ctx.tools) for okr_set in found.sets
    ]
    scored = [o for o in outcomes if o.scored]
    if not scored:
        return text(language, "no_scores")
    offline = words("retrospective_texts").get(language, "offline")
    cited = list(dict.fromkeys(note_id for o in scored for note_id in o.draft.note_ids))
    bodies = []
    for outcome in scored:
        bare = replace(outcome, draft=outcome.draft.model_copy(update={"note_ids": []}))
        bodies.append("\n".join(line for line in bare.describe(language).splitlines() if line != offline).strip())
    head = [offline] if any(o.mode == "offline" and not o.error for o in scored) else []
    notes = [f"- {_note_title(ctx, note_id, language)}" for note_id in cited]
    tail = [f"**{text(language, 'retro_notes')}**\n\n" + "\n".join(notes)] if notes else []
    return "\n\n---\n\n".join([*head, *bodies, *tail])


def _note_title(ctx: AppContext, note_id: str, language: str) -> str:
    note = ctx.notebook.get(note_id)
    return note.title_in(language) if note is not None else note_id
