"""Terminal report, linter style: one line per finding, grouped by set, then a summary.

Each line is a list of ``(text, style)`` segments. Plain output (files, pipes,
``render``) just joins the texts; a rich console gets ``Text.assemble`` of the
segments, never a markup string, so OKR text such as ``[bold]`` or ``:smile:`` is
printed as written. Lines are never wrapped by the report itself. Where rich would
print without styling anyway (a pipe or a file), ``plain_stream`` says so without
importing rich, which takes longer than a small check itself.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from typing import IO, TYPE_CHECKING

from ..findings import Finding, InputProblem, Severity
from ..importers.messages import problem_text
from ..review import DIMENSION_ORDER, SEVERITY_ORDER, Review, Summary
from ..rules.catalogue import dimension_label, dimension_letter
from ._index import ReviewIndex, SetGroup
from ._labels import label, language_of, problem_label, severity_label, shows_top, suggestion_status, top_heading

Segment = tuple[str, str]  # (text, rich style; "" for none)
Line = list[Segment]

SEVERITY_STYLE = {Severity.error: "bold red", Severity.warning: "yellow", Severity.info: "cyan"}
PROBLEM_STYLE = {"error": "bold red", "warning": "yellow"}
# What rich consults, besides isatty(), to decide that a stream is a terminal: when one is set, rich decides.
_RICH_TERMINAL_VARIABLES = ("FORCE_COLOR", "TTY_COMPATIBLE")

if TYPE_CHECKING:
    from rich.console import Console
_MAX_CLEAN_SETS = 10


def _one_line(text: str) -> str:
    """Keep a finding on its lines: newlines inside OKR text are shown as ``↵``."""
    if "\n" in text or "\r" in text:
        return " ↵ ".join(part.strip() for part in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    return text


def _colon(lang: str) -> str:
    return label("colon", lang)


def _counts(by_severity: dict[str, int], lang: str) -> Line:
    """``严重 2 · 警告 1`` with each severity in its colour; zero counts left out."""
    line: Line = []
    for severity in SEVERITY_ORDER:
        count = by_severity.get(severity.value, 0)
        if not count:
            continue
        if line:
            line.append((" · ", "dim"))
        line.append((f"{severity_label(severity, lang)} {count}", SEVERITY_STYLE[severity]))
    return line


class _Texts:
    """Per-language words and per-finding lines; labels are looked up once per report."""

    def __init__(self, lang: str, index: ReviewIndex, review: Review) -> None:
        self.lang = lang
        self.index = index
        self.review = review
        self.colon = _colon(lang)
        self.whole_set = label("whole_set", lang)
        self.evidence = label("evidence", lang) + self.colon
        self.note = label("note", lang) + self.colon
        self.severity = {s: severity_label(s, lang) for s in Severity}
        self.dimension = {d: f" [{dimension_label(d, lang)}] " for d in DIMENSION_ORDER}

    def headline(self, finding: Finding) -> Line:
        """Item, severity, code, dimension and message: the part every line about a finding shares."""
        return [
            (finding.key_result or finding.objective or self.whole_set, "magenta"),
            (" ", ""),
            (self.severity[finding.severity], SEVERITY_STYLE[finding.severity]),
            (" ", ""),
            (finding.code, "bold"),
            (self.dimension[finding.dimension], "dim"),
            (_one_line(finding.message), ""),
        ]

    def finding(self, finding: Finding) -> list[Line]:
        lines: list[Line] = [[("  ", ""), (self.index.location(finding), "bold"), (": ", ""), *self.headline(finding)]]
        if finding.evidence:
            lines.append([("      ", ""), (self.evidence, "dim"), (_one_line(finding.evidence), "italic")])
        if finding.fix:
            fix: Line = [("      → ", "green"), (_one_line(finding.fix), "green")]
            if finding.note:
                fix.append((f"  ({self.note}{self.note_name(finding.note)})", "dim"))
            lines.append(fix)
        return lines

    def top(self, findings: list[Finding]) -> list[Line]:
        """``优先修改的 3 项：`` and one numbered line each: item, severity, code, dimension, message."""
        lines: list[Line] = [[("  ", ""), (top_heading(len(findings), self.lang) + self.colon.rstrip(), "bold")]]
        for number, finding in enumerate(findings, start=1):
            lines.append([(f"    {number}. ", "bold"), *self.headline(finding)])
        return lines

    def note_name(self, note_id: str) -> str:
        """``可衡量的关键结果 · measurable-kr``, or the id alone when the notes were not loaded."""
        note = self.review.note(note_id)
        return f"{note.title_in(self.lang)} · {note_id}" if note else note_id


def _guidance_lines(review: Review, lang: str) -> list[Line]:
    """Each cited note once: its title and the short explanation the findings refer to."""
    notes = review.cited_notes()
    if not notes:
        return []
    lines: list[Line] = [[(f"{label('guidance', lang)} ({len(notes)})", "bold underline")]]
    for note in notes:
        lines.append([("  ", ""), (note.title_in(lang), "bold"), (f"  {note.id}", "dim")])
        lines.append([("      ", ""), (_one_line(note.summary_in(lang)), "")])
    lines.append([])
    return lines


def _suggestion_lines(review: Review, lang: str) -> list[Line]:
    """``check --suggest``: each KR's candidates under its original text."""
    if not review.suggestions:
        return []
    lines: list[Line] = [[(f"{label('suggestions', lang)} ({len(review.suggestions)})", "bold underline")]]
    for entry in review.suggestions:
        lines.append([("  ", ""), (f"{entry.set} {entry.key_result}", "bold"), (f"  {entry.original}", "")])
        lines.append([("      ", ""), (suggestion_status(entry, lang), "dim")])
        for number, candidate in enumerate(entry.candidates, start=1):
            lines.append([("      ", ""), (f"{number}. ", "bold"), (_one_line(candidate.text), "green")])
            if candidate.assumptions:
                joined = label("joiner", lang).join(candidate.assumptions)
                lines.append([("         ", ""), (label("assumptions", lang) + _colon(lang), "dim"), (joined, "")])
    lines.append([])
    return lines


def _group_lines(group: SetGroup, summary_row: dict[str, int], top: list[Finding], texts: _Texts) -> list[Line]:
    header: Line = [(group.key, "bold underline")]
    source = group.source
    if source is not None:
        header.append((f"  ({source.file})", "dim"))
    counts = _counts(summary_row, texts.lang)
    if counts:
        header.append(("  ", ""))
        header.extend(counts)
    lines = [header]
    if shows_top(top, group.findings):
        lines.extend(texts.top(top))
        lines.append([])
    for finding in group.findings:
        lines.extend(texts.finding(finding))
    lines.append([])
    return lines


def _problem_line(problem: InputProblem, lang: str) -> Line:
    return [
        ("  ", ""),
        (problem_label(problem.level, lang), PROBLEM_STYLE.get(problem.level.value, "")),
        (" ", ""),
        (_one_line(problem_text(problem, lang)), ""),
    ]


def _summary_lines(summary: Summary, lang: str) -> list[Line]:
    checked: Line = [
        (
            label("checked", lang).format(
                sets=summary.sets, objectives=summary.objectives, key_results=summary.key_results
            ),
            "bold",
        )
    ]
    if summary.findings:
        found: Line = [
            (label("found", lang).format(findings=summary.findings), "bold"),
            (label("found_open", lang), ""),
            *_counts(summary.by_severity, lang),
            (label("found_close", lang), ""),
        ]
    else:
        found = [(label("none_found", lang), "bold green")]
    dims: Line = [(label("by_dimension", lang) + _colon(lang), "")]
    for i, dimension in enumerate(DIMENSION_ORDER):
        if i:
            dims.append((" · ", "dim"))
        count = summary.by_dimension.get(dimension.value, 0)
        dims.append(
            (
                f"{dimension_letter(dimension)} {dimension_label(dimension, lang)} {count}",
                "" if count else "dim",
            )
        )
    lines = [checked, found, dims]
    if summary.input_errors or summary.input_warnings:
        lines.append(
            [
                (label("problems", lang) + _colon(lang), ""),
                (f"{problem_label('error', lang)} {summary.input_errors}", "bold red"),
                (" · ", "dim"),
                (f"{problem_label('warning', lang)} {summary.input_warnings}", "yellow"),
            ]
        )
    return lines


def build_lines(review: Review) -> list[Line]:
    """Every line of the terminal report, as styled segments."""
    lang = language_of(review)
    summary = review.summary()
    index = ReviewIndex(review)
    texts = _Texts(lang, index, review)
    per_set = {row.key: row.by_severity for row in summary.per_set}
    tops = review.top_findings(summary)
    lines: list[Line] = []
    clean: list[str] = []
    for group in index.groups:
        if group.findings:
            lines.extend(_group_lines(group, per_set.get(group.key, {}), tops.get(group.key, []), texts))
        else:
            clean.append(group.key)
    if clean:
        shown = label("list_separator", lang).join(clean[:_MAX_CLEAN_SETS])
        if len(clean) > _MAX_CLEAN_SETS:
            shown += " " + label("and_more", lang).format(n=len(clean) - _MAX_CLEAN_SETS)
        lines.extend([[(label("clean_sets", lang) + _colon(lang), "green"), (shown, "")], []])
    lines.extend(_suggestion_lines(review, lang))
    lines.extend(_guidance_lines(review, lang))
    if review.problems:
        lines.append([(f"{label('problems', lang)} ({len(review.problems)})", "bold underline")])
        lines.extend(_problem_line(problem, lang) for problem in review.problems)
        lines.append([])
    lines.extend(_summary_lines(summary, lang))
    return lines


def render_text(review: Review) -> str:
    """The report as plain text (no colour codes), for files and pipes."""
    return "".join("".join(text for text, _ in line) + "\n" for line in build_lines(review))


def _write_plain(lines: list[Line], file: IO[str]) -> None:
    file.write("".join("".join(text for text, _ in line) + "\n" for line in lines))
    file.flush()


def plain_stream(file: IO[str], environ: Mapping[str, str] = os.environ) -> bool:
    """Whether a new rich console on ``file`` would print without any styling, told without importing rich.

    True only for a stream that is not a terminal while nothing could make rich think otherwise
    (FORCE_COLOR or TTY_COMPATIBLE set, Jupyter, IDLE); when unsure, False, and rich decides as before.
    """
    if any(name in environ for name in _RICH_TERMINAL_VARIABLES) or "IPython" in sys.modules:
        return False
    if getattr(sys.stdin, "__module__", "").startswith("idlelib"):
        return False
    isatty = getattr(file, "isatty", None)
    try:
        return isatty is not None and not isatty()
    except ValueError:  # a closed stream: let rich say what it makes of it
        return False


def write_plain_text(review: Review, file: IO[str]) -> None:
    """The report as plain text on a stream (what ``print_text`` prints there when rich would not style it)."""
    _write_plain(build_lines(review), file)


def print_text(review: Review, console: Console) -> None:
    """Print the report on a rich console: coloured on a terminal, plain when piped, never wrapped."""
    from rich.text import Text

    lines = build_lines(review)
    plain = console.color_system is None and not console.record
    if plain and getattr(console, "_buffer_index", 1) == 0:  # not inside console.capture()
        # No styling possible: skip rich's per-line rendering, which dominates on big reports.
        _write_plain(lines, console.file)
        return
    for line in lines:
        console.print(Text.assemble(*line), soft_wrap=True, highlight=False, markup=False, emoji=False)
