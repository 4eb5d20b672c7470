"""Batch review in the app: uploaded files → checked review → summary tables, findings rows, report files.

The same importers, engine and report writers as ``okr-review check``; uploads keep their own file
names in problems and reports, and every file the app writes goes into the app's temporary folder.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..engine import check
from ..findings import Dimension, ImportResult, Severity
from ..importers import load_file
from ..model import OKRSet
from ..reports import write_report
from ..review import Review
from ..rules.catalogue import dimension_label
from .context import UPLOAD_SUFFIXES, AppContext
from .texts import text

REPORT_FORMATS = ("html", "xlsx", "json")
SEVERITIES = (Severity.error, Severity.warning, Severity.info)


@dataclass
class Loaded:
    """What a set of uploads gave: the OKR sets, and a clear message for each file or row that failed."""

    sets: list[OKRSet] = field(default_factory=list)
    result: ImportResult = field(default_factory=ImportResult)
    rejected: list[str] = field(default_factory=list)  # uploads refused before reading (type, size)
    names: list[str] = field(default_factory=list)

    def messages(self) -> list[str]:
        return [*self.rejected, *(problem.describe() for problem in self.result.problems)]


def upload_name(path: str | Path) -> str:
    """The name the person uploaded: gradio keeps it as the file's own name inside its temp folder."""
    return Path(path).name


def load_uploads(paths: Iterable[str | Path], ctx: AppContext, language: str) -> Loaded:
    """Read the uploads that are of a supported type and within the size limit; say why each other one is not."""
    loaded = Loaded()
    limit = ctx.max_upload_mb * 1024 * 1024
    for path in paths:
        name = upload_name(path)
        loaded.names.append(name)
        suffix = Path(path).suffix.lower()
        if suffix not in UPLOAD_SUFFIXES:
            loaded.rejected.append(text(language, "bad_type", name=name, types=" ".join(UPLOAD_SUFFIXES)))
            continue
        size = Path(path).stat().st_size
        if size > limit:
            mb = f"{size / 1024 / 1024:.1f}"
            loaded.rejected.append(text(language, "too_large", name=name, size=mb, limit=ctx.max_upload_mb))
            continue
        loaded.result.extend(load_file(path, name, column_map=dict(ctx.config.columns) or None))
    loaded.sets = loaded.result.sets
    return loaded


@dataclass
class BatchReview:
    """One batch review, ready for the page: the review, rows for its tables, and the report files."""

    review: Review
    messages: list[str]
    reports: list[Path]

    def counts_line(self, language: str) -> str:
        summary = self.review.summary()
        return text(
            language,
            "counts",
            sets=summary.sets,
            objectives=summary.objectives,
            key_results=summary.key_results,
            findings=summary.findings,
            error=summary.by_severity.get("error", 0),
            warning=summary.by_severity.get("warning", 0),
            info=summary.by_severity.get("info", 0),
        )


def review_uploads(paths: Sequence[str | Path], ctx: AppContext, language: str) -> BatchReview:
    """Check the uploads and write the HTML, XLSX and JSON reports into a fresh folder of the work folder."""
    loaded = load_uploads(paths, ctx, language)
    config = ctx.config.with_options(language=language)
    review = Review(
        inputs=loaded.names,
        sets=loaded.sets,
        findings=check(loaded.sets, config),
        problems=loaded.result.problems,
        language=language,
        notes=ctx.notebook.notes,
    )
    folder = ctx.scratch("reports")
    reports = []
    for fmt in REPORT_FORMATS:
        target = folder / f"okr-review-report.{fmt}"
        write_report(review, fmt, target)
        reports.append(target)
    return BatchReview(review, loaded.messages(), reports)


FINDING_COLUMNS = ("col_team", "col_item", "col_code", "col_dimension", "col_severity", "col_message", "col_fix")


def finding_headers(language: str) -> list[str]:
    return [text(language, key) for key in FINDING_COLUMNS]


def finding_rows(review: Review, language: str) -> list[list[str]]:
    """One row per finding, in the report's order, with labels in ``language``."""
    teams = {s.key: s.team for s in review.sets}
    return [
        [
            teams.get(f.set_key, f.set_key),
            f.item,
            f.code,
            dimension_label(f.dimension, language),
            text(language, f.severity.value),
            f.message,
            f.fix,
        ]
        for f in review.findings
    ]


def filter_rows(rows: Sequence[Sequence[str]], *, dimension: str, severity: str, team: str, any_: str) -> list:
    """The rows that match every filter; ``any_`` is the label that means "no filter"."""
    wanted = ((3, dimension), (4, severity), (0, team))
    return [list(row) for row in rows if all(value in (any_, "", None) or row[i] == value for i, value in wanted)]


def filter_choices(rows: Sequence[Sequence[str]], language: str) -> dict[str, list[str]]:
    """Dropdown choices: every dimension and severity (in the standard's order) and the teams present."""
    everything = text(language, "all")
    return {
        "dimension": [everything, *(dimension_label(d, language) for d in Dimension)],
        "severity": [everything, *(text(language, s.value) for s in SEVERITIES)],
        "team": [everything, *dict.fromkeys(row[0] for row in rows)],
    }


def dimension_counts(review: Review, language: str) -> list[dict[str, object]]:
    """Findings per CLASSIC dimension and severity (zeros included, so every dimension shows)."""
    counts = Counter((f.dimension, f.severity) for f in review.findings)
    return [
        {
            "dimension": dimension_label(d, language),
            "severity": text(language, s.value),
            "count": counts.get((d, s), 0),
        }
        for d in Dimension
        for s in SEVERITIES
    ]


def team_counts(review: Review, language: str) -> list[dict[str, object]]:
    """Findings per team and severity, teams in the order they were read."""
    teams = {s.key: s.team for s in review.sets}
    counts = Counter((teams.get(f.set_key, f.set_key), f.severity) for f in review.findings)
    ordered = dict.fromkeys(s.team for s in review.sets)
    return [
        {"team": team, "severity": text(language, s.value), "count": counts.get((team, s), 0)}
        for team in ordered
        for s in SEVERITIES
    ]
