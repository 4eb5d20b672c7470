"""Batch review in the app: uploaded files → checked review → summary tables, findings rows, report files.

The same importers, limits, engine and report writers as ``okr-review check``; uploads keep their own file
names in problems and reports. A review runs in a process of its own with a time and memory budget
(:mod:`.jobs`), each file read on its own, and within the per-request and per-session caps.
"""

from __future__ import annotations

import hashlib
import shutil
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from ..findings import Dimension, Finding, ImportResult, InputProblem, ProblemLevel, Severity
from ..importers.messages import problem_text
from ..model import OKRSet
from ..review import Review
from ..rules.catalogue import dimension_label
from .context import UPLOAD_SUFFIXES, AppContext
from .jobs import JobError, run_bounded
from .panel import badge_colours, item_label
from .review_job import Reviewed, Written, read_uploads, review_files
from .texts import LANGUAGES, text

SEVERITIES = (Severity.error, Severity.warning, Severity.info)
MB = 1024 * 1024


@dataclass
class Screened:
    """The uploads that may be read (path, name), in order, and why each other one may not."""

    files: list[tuple[str, str]] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)  # type, size per file, files or bytes per request
    names: list[str] = field(default_factory=list)
    size: int = 0
    digests: set[str] = field(default_factory=set)  # of the files taken, so one uploaded twice is read once
    refused: dict[int, tuple[str, dict[str, object]]] = field(default_factory=dict)  # upload number → (key, fields)

    def refuse(self, number: int, language: str, key: str, **values: object) -> None:
        """Upload ``number`` is not read: why, as words now and as a ui.toml key for its status line."""
        self.refused[number] = (key, values)
        self.rejected.append(text(language, key, **values))


@dataclass
class Loaded:
    """What a set of uploads gave: the OKR sets, and a clear message for each file or row that failed."""

    sets: list[OKRSet] = field(default_factory=list)
    result: ImportResult = field(default_factory=ImportResult)
    rejected: list[str] = field(default_factory=list)  # uploads refused before reading (type, size)
    names: list[str] = field(default_factory=list)

    def messages(self, language: str) -> list[str]:
        return [*self.rejected, *(problem_message(problem, language) for problem in self.result.problems)]


def problem_message(problem: InputProblem, language: str) -> str:
    """An importer problem in the page's language: its code and parameters rendered by the importers' words."""
    return problem_text(problem, language)


def file_digest(path: str | Path) -> str:
    """The SHA-256 of a file's bytes (empty when it cannot be read): the same file uploaded twice is one file."""
    try:
        with open(path, "rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError:
        return ""


def upload_name(path: str | Path) -> str:
    """The name the person uploaded: gradio keeps it as the file's own name inside its temp folder."""
    return Path(path).name


def screen_uploads(paths: Iterable[str | Path], ctx: AppContext, language: str) -> Screened:
    """Type and size of each upload, then the per-request caps on files and bytes, in upload order."""
    screened = Screened()
    file_limit, limits = ctx.max_upload_mb * MB, ctx.limits
    for number, path in enumerate(paths):
        name = upload_name(path)
        screened.names.append(name)
        refuse = partial(screened.refuse, number, language, name=name)
        if Path(path).suffix.lower() not in UPLOAD_SUFFIXES:
            refuse("bad_type", types=" ".join(UPLOAD_SUFFIXES))
            continue
        try:
            size = Path(path).stat().st_size
        except OSError:
            refuse("upload_gone")
            continue
        digest = file_digest(path) if size <= file_limit else ""
        if digest and digest in screened.digests:
            refuse("duplicate_upload")
        elif size > file_limit:
            refuse("too_large", size=f"{size / MB:.1f}", limit=ctx.max_upload_mb)
        elif len(screened.files) >= limits.request_files:
            refuse("too_many_files", limit=limits.request_files)
        elif screened.size + size > limits.request_bytes:
            refuse("request_too_large", limit=limits.request_mb)
        else:
            screened.files.append((str(path), name))
            screened.digests.add(digest)
            screened.size += size
    return screened


def load_uploads(paths: Iterable[str | Path], ctx: AppContext, language: str) -> Loaded:
    """Read, in this process, the uploads that pass the screen, each on its own; say why each other one is not."""
    screened = screen_uploads(paths, ctx, language)
    result = read_uploads(screened.files, ctx.config)
    return Loaded(sets=result.sets, result=result, rejected=screened.rejected, names=screened.names)


@dataclass(frozen=True)
class FileStatus:
    """How one upload fared: refused before reading (a ui.toml key and its fields), or read into ``sets`` sets."""

    name: str
    sets: int = 0
    errors: int = 0  # parts that could not be read
    warnings: int = 0  # parts read with something ignored or guessed
    refused: str = ""  # the ui.toml key of the reason it was not read
    fields: tuple[tuple[str, object], ...] = ()

    def line(self, language: str) -> str:
        """The status as one line in ``language``: ✓ read, ⚠ read with problems, ✗ nothing read or refused."""
        if self.refused:
            return "✗ " + text(language, self.refused, **dict(self.fields))
        if not self.sets:
            return "✗ " + text(language, "file_nothing", name=self.name, problems=self.errors + self.warnings)
        if self.errors or self.warnings:
            problems = self.errors + self.warnings
            return "⚠ " + text(language, "file_problems", name=self.name, sets=self.sets, problems=problems)
        return "✓ " + text(language, "file_read", name=self.name, sets=self.sets)


def file_statuses(screened: Screened, sets: Sequence[OKRSet], problems: Sequence[InputProblem]) -> list[FileStatus]:
    """One status per upload, in upload order: refused and why, or how many sets and problems it gave."""
    read = Counter(s.source.file for s in sets if s.source is not None)
    errors = Counter(p.file for p in problems if p.level == ProblemLevel.error)
    warnings = Counter(p.file for p in problems if p.level != ProblemLevel.error)
    statuses = []
    for number, name in enumerate(screened.names):
        if number in screened.refused:
            key, values = screened.refused[number]
            statuses.append(FileStatus(name, refused=key, fields=tuple(values.items())))
        else:
            statuses.append(FileStatus(name, read[name], errors[name], warnings[name]))
    return statuses


def status_markdown(statuses: Sequence[FileStatus], language: str) -> str:
    """The uploads' statuses as a Markdown list (empty when there were none)."""
    return "\n".join(f"- {status.line(language)}" for status in statuses)


@dataclass
class BatchReview:
    """One batch review, ready for the page: the review, rows for its tables, and the report files."""

    review: Review
    messages: list[str]
    reports: list[Path]
    files: tuple[FileStatus, ...] = ()

    def counts_line(self, language: str) -> str:
        return counts_line(self.review, language)


def counts_line(review: Review, language: str) -> str:
    """How many sets, objectives, key results and findings (by severity) a review holds, in one line."""
    summary = review.summary()
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


def bounded_review(
    paths: Sequence[str | Path],
    ctx: AppContext,
    language: str,
    *,
    session: str = "",
    reports: bool = True,
    progress: Callable[[float, str], None] | None = None,
    answer: Callable[[Screened, Reviewed], None] | None = None,
    written: Callable[[list[Path]], None] | None = None,
) -> tuple[Screened, Reviewed]:
    """Screen the uploads, then read, check (and write reports) in a process of its own, within the caps.

    Raises JobError (its ``reason`` a ui.toml key) when a session cap, the time or the memory budget is crossed;
    the session can go on either way, and a review that did not finish leaves no report folder behind.
    ``answer(screened, reviewed)`` gets the findings as soon as they are known, before the reports are written;
    ``written(paths)`` the reports written so far while the slower ones are still being written.
    """
    screened = screen_uploads(paths, ctx, language)
    refused = ctx.ledger.begin(session, len(screened.files), screened.size)
    if refused is not None:
        raise JobError(refused)
    folder = ctx.scratch("reports") if reports else None
    config = ctx.config.with_options(language=language)
    job = partial(
        review_files,
        screened.files,
        config,
        inputs=screened.names,
        language=language,
        notes=ctx.notebook.notes if reports else {},
        folder=folder,
    )
    first: list[Reviewed] = []

    def answered(found: Reviewed | Written) -> None:
        if isinstance(found, Written):
            if written is not None:
                written(found.reports)
            return
        first.append(found)
        if answer is not None:
            answer(screened, found)

    try:
        done = run_bounded(
            job,
            (),
            seconds=ctx.limits.review_seconds,
            memory_mb=ctx.limits.review_memory_mb,
            progress=progress,
            answer=answered,
        )
    except BaseException:
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
        ctx.ledger.end(session, uploads=[p for p, _ in screened.files])
        raise
    ctx.ledger.end(session, folder=folder, uploads=[p for p, _ in screened.files])
    if first:  # the findings came first; the job's result holds the report paths
        first[0].reports = done.reports
        done = first[0]
    return screened, done


def review_uploads(
    paths: Sequence[str | Path],
    ctx: AppContext,
    language: str,
    *,
    session: str = "",
    progress: Callable[[float, str], None] | None = None,
    answer: Callable[[BatchReview], None] | None = None,
    written: Callable[[list[Path]], None] | None = None,
) -> BatchReview:
    """Check the uploads and write the HTML, XLSX and JSON reports into a fresh folder of the reports folder.

    ``answer`` gets the review (without reports) as soon as the findings are known; ``written`` the reports
    written so far (in the downloads' order) while the slower ones are still being written.
    """

    def first(screened: Screened, found: Reviewed) -> None:
        if answer is not None:
            answer(batch_review(screened, found, ctx, language))

    screened, done = bounded_review(
        paths, ctx, language, session=session, progress=progress, answer=first, written=written
    )
    return batch_review(screened, done, ctx, language)


def batch_review(screened: Screened, done: Reviewed, ctx: AppContext, language: str) -> BatchReview:
    """The page's view of a finished (or answered) review."""
    review = Review(
        inputs=screened.names,
        sets=done.sets,
        findings=done.findings,
        problems=done.problems,
        language=language,
        notes=ctx.notebook.notes,
    )
    messages = [*screened.rejected, *(problem_message(problem, language) for problem in done.problems)]
    files = tuple(file_statuses(screened, done.sets, done.problems))
    return BatchReview(review, messages, list(done.reports), files)


@dataclass(frozen=True)
class LastReview:
    """A browser session's last batch review, kept for the findings filters and the alignment map."""

    rows: list[list[str]]  # the findings table, in ``language``
    sets: list[OKRSet]
    findings: list[Finding]
    language: str
    files: tuple[FileStatus, ...] = ()  # how each upload fared, for the status list in any language

    def review(self, language: str) -> Review:
        """The review again, for its counts and charts in ``language`` (no inputs or problems: not needed)."""
        return Review(inputs=[], sets=self.sets, findings=self.findings, problems=[], language=language, notes={})


FINDING_COLUMNS = ("col_team", "col_item", "col_dimension", "col_severity", "col_message", "col_fix")
DETAIL_COLUMN = "col_code"  # the rule code and its note id: on demand (the "details" toggle), not in the main line
TEAM, DIMENSION, SEVERITY = 0, 2, 3  # where the filters look in a row


def finding_headers(language: str, details: bool = False) -> list[str]:
    """The findings table's headers; with ``details`` the rule and note column last."""
    return [text(language, key) for key in (*FINDING_COLUMNS, *((DETAIL_COLUMN,) if details else ()))]


def finding_rows(review: Review, language: str) -> list[list[str]]:
    """One row per finding, in the report's order, with labels in ``language``; the last cell is the detail."""
    teams = {s.key: s.team for s in review.sets}
    return [
        [
            teams.get(f.set_key, f.set_key),
            item_label(f, language),
            dimension_label(f.dimension, language),
            text(language, f.severity.value),
            f.message,
            f.fix,
            f"{f.code} · {f.note}" if f.note else f.code,
        ]
        for f in review.findings
    ]


def shown_rows(rows: Sequence[Sequence[str]], details: bool = False) -> list[list[str]]:
    """The rows as the table shows them: without the detail cell unless ``details`` is on."""
    width = len(FINDING_COLUMNS) + (1 if details else 0)
    return [list(row[:width]) for row in rows]


def filter_rows(rows: Sequence[Sequence[str]], *, dimension: str, severity: str, team: str, any_: str) -> list:
    """The rows that match every filter; ``any_`` is the label that means "no filter"."""
    wanted = ((DIMENSION, dimension), (SEVERITY, severity), (TEAM, team))
    return [list(row) for row in rows if all(value in (any_, "", None) or row[i] == value for i, value in wanted)]


def filter_choices(rows: Sequence[Sequence[str]], language: str) -> dict[str, list[str]]:
    """Dropdown choices: every dimension and severity (in the standard's order) and the teams present."""
    everything = text(language, "all")
    return {
        "dimension": [everything, *(dimension_label(d, language) for d in Dimension)],
        "severity": [everything, *(text(language, s.value) for s in SEVERITIES)],
        "team": [everything, *dict.fromkeys(row[0] for row in rows)],
    }


def severity_colours(language: str | None = None) -> dict[str, str]:
    """Severity label → colour (in ``language``, else both), for the charts: the colours of the panel's badges."""
    languages = LANGUAGES if language is None else (language,)
    return {text(lang, s.value): badge_colours()[s.value] for lang in languages for s in SEVERITIES}


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


def job_message(error: JobError, ctx: AppContext, language: str) -> str:
    """What to tell the person when a review was refused or stopped (a cap, the time or the memory budget)."""
    limits = ctx.limits
    return text(
        language,
        error.reason,
        seconds=f"{limits.review_seconds:g}",
        files=limits.session_files,
        mb=limits.session_mb,
        detail=error.detail or error.reason,
    )


def progress_words(what: str, language: str) -> str:
    """The progress bar's words for a review step: reading a file (its name), checking, writing reports."""
    if what in ("check", "reports"):
        return text(language, f"progress_{what}")
    return text(language, "progress_read", name=what)
