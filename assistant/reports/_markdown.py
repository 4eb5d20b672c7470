"""Markdown report: summary tables, then one findings table per set, then input problems.

Every cell goes through ``cell()``: pipes, backslashes and Markdown/HTML
specials are escaped and newlines become ``<br>``, so OKR text can never break
a table or inject markup.
"""

from __future__ import annotations

import re

from ..findings import Finding
from ..importers.messages import problem_reason
from ..review import DIMENSION_ORDER, SEVERITY_ORDER, Review
from ..rules.catalogue import dimension_label, dimension_letter, rules
from ._index import ReviewIndex
from ._labels import (
    label,
    language_of,
    level_label,
    problem_label,
    severity_label,
    shows_top,
    suggestion_status,
    top_heading,
)

_SPECIAL = re.compile(r"([\\|`*_\[\]<>#~])")
_NEWLINE = re.compile(r"\r\n|\r|\n")


def cell(value: object) -> str:
    """Text safe inside a Markdown table cell."""
    if value is None:
        return ""
    text = str(value).replace("&", "&amp;")
    text = _SPECIAL.sub(r"\\\1", text)
    return _NEWLINE.sub("<br>", text).strip()


def _table(header: list[str], rows: list[list[str]], align: str | None = None) -> list[str]:
    """A GitHub-flavoured table; cells must already be escaped. ``align``: one of l/r per column."""
    align = align or "l" * len(header)
    rule = ["---:" if a == "r" else "---" for a in align]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(rule) + " |"]
    lines.extend("| " + " | ".join(row) + " |" for row in rows)
    return lines


def _rule_title(code: str, lang: str) -> str:
    info = rules().get(code)
    return info.title[lang] if info else ""


def _note(review: Review, note_id: str, lang: str) -> str:
    """``五四原则 (five-four-principle)``: the note's title with its id, or the id when notes were not loaded."""
    note = review.note(note_id)
    if note is None:
        return cell(note_id)
    return f"{cell(note.title_in(lang))} (`{note_id}`)"


def _finding_row(finding: Finding, index: ReviewIndex, review: Review, lang: str) -> list[str]:
    item = finding.key_result or finding.objective or label("whole_set", lang)
    title = _rule_title(finding.code, lang)
    return [
        f"{cell(item)}<br>{cell(index.location(finding))}",
        cell(severity_label(finding.severity, lang)),
        f"{cell(finding.code)}<br>{cell(title)}" if title else cell(finding.code),
        cell(dimension_label(finding.dimension, lang)),
        cell(finding.message),
        cell(finding.evidence),
        cell(finding.fix),
        _note(review, finding.note, lang),
    ]


def _top_list(findings: list[Finding], lang: str) -> list[str]:
    """``**Top 3 to fix**`` and a numbered list: item, severity, code, dimension and message of each."""
    out = [f"**{cell(top_heading(len(findings), lang))}**", ""]
    for number, finding in enumerate(findings, start=1):
        item = finding.key_result or finding.objective or label("whole_set", lang)
        out.append(
            f"{number}. **{cell(item)}** · {cell(severity_label(finding.severity, lang))} · `{finding.code}` "
            f"{cell(dimension_label(finding.dimension, lang))} · {cell(finding.message)}"
        )
    return [*out, ""]


def render_markdown(review: Review) -> str:
    """The whole report as GitHub-flavoured Markdown."""
    lang = language_of(review)
    summary = review.summary()
    index = ReviewIndex(review)
    colon = label("colon", lang)
    out: list[str] = [f"# {label('title', lang)}", ""]
    out.append(
        f"{label('generated_at', lang)}{colon}{review.generated_at.isoformat(timespec='seconds')} · "
        f"okr-review {cell(review.tool_version)}"
    )
    if review.inputs:
        out += ["", f"{label('inputs', lang)}{colon}" + ", ".join(cell(name) for name in review.inputs)]

    out += ["", f"## {label('summary', lang)}", ""]
    totals = [
        (label("sets", lang), summary.sets),
        (label("objectives", lang), summary.objectives),
        (label("key_results", lang), summary.key_results),
        (label("findings", lang), summary.findings),
        *((severity_label(s, lang), summary.by_severity.get(s.value, 0)) for s in SEVERITY_ORDER),
        (label("input_errors", lang), summary.input_errors),
        (label("input_warnings", lang), summary.input_warnings),
    ]
    out += _table([label("metric", lang), label("count", lang)], [[k, str(v)] for k, v in totals], "lr")

    out += ["", f"### {label('by_dimension', lang)}", ""]
    out += _table(
        [label("letter", lang), label("dimension", lang), "key", label("count", lang)],
        [
            [
                dimension_letter(d),
                cell(dimension_label(d, lang)),
                f"`{d.value}`",
                str(summary.by_dimension.get(d.value, 0)),
            ]
            for d in DIMENSION_ORDER
        ],
        "lllr",
    )

    out += ["", f"### {label('by_team', lang)}", ""]
    out += _table(
        [
            label("set", lang),
            label("level", lang),
            label("objectives", lang),
            label("key_results", lang),
            *(severity_label(s, lang) for s in SEVERITY_ORDER),
        ],
        [
            [
                cell(row.key),
                cell(level_label(row.level, lang)),
                str(row.objectives),
                str(row.key_results),
                *(str(row.by_severity.get(s.value, 0)) for s in SEVERITY_ORDER),
            ]
            for row in summary.per_set
        ],
        "llrrrrr",
    )

    if summary.by_code:
        out += ["", f"### {label('by_code', lang)}", ""]
        out += _table(
            [label("code", lang), label("rule_title", lang), label("count", lang)],
            [
                [cell(code), cell(_rule_title(code, lang)), str(summary.by_code[code])]
                for code in sorted(summary.by_code)
            ],
            "llr",
        )

    out += ["", f"## {label('findings', lang)}", ""]
    if not review.findings:
        out.append(label("no_findings", lang))
    header = [
        label("item", lang),
        label("severity", lang),
        label("code", lang),
        label("dimension", lang),
        label("message", lang),
        label("evidence", lang),
        label("fix", lang),
        label("note", lang),
    ]
    tops = review.top_findings(summary)
    for group in index.groups:
        if not group.findings:
            continue
        title = cell(group.key)
        if group.source is not None:
            title += f" ({cell(group.source.file)})"
        out += [f"### {title}", ""]
        top = tops.get(group.key, [])
        if shows_top(top, group.findings):
            out += _top_list(top, lang)
        out += _table(header, [_finding_row(f, index, review, lang) for f in group.findings])
        out.append("")

    if review.suggestions:
        out += ["", f"## {label('suggestions', lang)}", ""]
        for entry in review.suggestions:
            out += [f"### {cell(entry.set)} {entry.key_result}: {cell(entry.original)}", ""]
            out += [f"*{cell(suggestion_status(entry, lang))}*", ""]
            for number, candidate in enumerate(entry.candidates, start=1):
                out.append(f"{number}. {cell(candidate.text)}")
                if candidate.assumptions:
                    out.append(f"   - {label('assumptions', lang)}: {cell('; '.join(candidate.assumptions))}")
            out.append("")

    cited = review.cited_notes()
    if cited:
        out += ["", f"## {label('guidance', lang)}", ""]
        out += _table(
            [label("note", lang), "id", label("note_summary", lang)],
            [[cell(n.title_in(lang)), f"`{n.id}`", cell(n.summary_in(lang))] for n in cited],
        )

    if review.problems:
        out += ["", f"## {label('problems', lang)}", ""]
        out += _table(
            [
                label("file", lang),
                label("location", lang),
                label("field", lang),
                label("severity", lang),
                label("reason", lang),
            ],
            [
                [
                    cell(p.file + (f" [{p.sheet}]" if p.sheet else "")),
                    cell(
                        f"{label('row', lang)} {p.row}"
                        if p.row is not None
                        else (f"{label('line', lang)} {p.line}" if p.line is not None else "")
                    ),
                    cell(p.field),
                    cell(problem_label(p.level, lang)),
                    cell(problem_reason(p, lang)),
                ]
                for p in review.problems
            ],
        )
    return "\n".join(out).rstrip("\n") + "\n"
