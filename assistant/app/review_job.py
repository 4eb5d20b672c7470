"""What runs in a review's own process (see :mod:`.jobs`): read each upload, check, write the reports.

Each file is read on its own, and anything an importer raises becomes that file's problem, so one hostile
file never stops the others from being reviewed. Only picklable things go in and come out.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..config import Config
from ..engine import check
from ..findings import Finding, ImportResult, InputProblem
from ..importers import load_file
from ..model import OKRSet
from ..reports import write_report
from ..review import Review

REPORT_FORMATS = ("html", "xlsx", "json")  # the order the downloads are listed in
WRITE_ORDER = ("json", "html", "xlsx")  # quickest first: a large review's XLSX takes seconds, the others a fraction
REPORT_NAME = "okr-review-report"


@dataclass
class Reviewed:
    """A finished review's parts, sent back from the review process."""

    sets: list[OKRSet] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    problems: list[InputProblem] = field(default_factory=list)
    reports: list[Path] = field(default_factory=list)


@dataclass
class Written:
    """The reports written so far, in the downloads' order: sent while the others are still being written."""

    reports: list[Path] = field(default_factory=list)


def listed(reports: dict[str, Path]) -> list[Path]:
    """Report paths by format, in the downloads' order (REPORT_FORMATS)."""
    return [reports[fmt] for fmt in REPORT_FORMATS if fmt in reports]


def read_upload(path: str | Path, name: str, config: Config) -> ImportResult:
    """One file through the same importers and limits as ``okr-review check``; whatever they raise, a problem."""
    try:
        return load_file(path, name, column_map=dict(config.columns) or None, limits=dict(config.limits) or None)
    except Exception as exc:  # one bad file must never sink the others
        return ImportResult(problems=[InputProblem(file=name, reason=f"could not be read ({type(exc).__name__})")])


def read_uploads(
    files: Sequence[tuple[str, str]], config: Config, report: Callable[[float, str], None] | None = None
) -> ImportResult:
    """Every ``(path, name)`` read on its own, in order; progress from 0 to 0.5 as the files are read."""
    result = ImportResult()
    for number, (path, name) in enumerate(files):
        if report is not None:
            report(0.5 * number / max(len(files), 1), name)
        result.extend(read_upload(path, name, config))
    return result


def review_files(
    files: Sequence[tuple[str, str]],
    config: Config,
    *,
    inputs: Sequence[str],
    language: str,
    notes: Mapping[str, Any],
    folder: Path | None,
    report: Callable[..., None],
) -> Reviewed:
    """Read, check and (with a ``folder``) write the HTML, XLSX and JSON reports there.

    With a folder, the findings go out as a first answer before the reports are written, then each report as
    soon as it is written (quickest first: the XLSX of a large review takes seconds, the HTML and JSON a fraction
    of that); the result holds only the report paths, in the downloads' order.
    """
    loaded = read_uploads(files, config, report)
    report(0.5, "check")
    findings = check(loaded.sets, config)
    done = Reviewed(sets=loaded.sets, findings=findings, problems=loaded.problems)
    if folder is None:
        return done
    report(0.6, "reports", done)
    review = Review(
        inputs=list(inputs),
        sets=loaded.sets,
        findings=findings,
        problems=loaded.problems,
        language=language,
        notes=notes,
    )
    written: dict[str, Path] = {}
    for number, fmt in enumerate(WRITE_ORDER):
        if written:
            report(0.6 + 0.4 * number / len(WRITE_ORDER), "reports", Written(listed(written)))
        target = folder / f"{REPORT_NAME}.{fmt}"
        write_report(review, fmt, target)
        written[fmt] = target
    return Reviewed(reports=listed(written))
