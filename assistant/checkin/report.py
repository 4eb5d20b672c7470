"""Check-in reports: terminal text, JSON, Markdown, HTML (with an inline SVG chart) and XLSX.

The same five formats as ``okr-review check``; every label comes from ``assistant/data/checkin.toml``.
The HTML report is one self-contained file: inline CSS and SVG, no script, nothing from a CDN.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator, Sequence
from datetime import date
from html import escape
from typing import Any, Protocol

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from ..importers.messages import problem_text
from .analysis import CheckinFinding, CheckinReview, KRCheck, ObjectiveCheck, SetCheck, figure
from .texts import agenda_text, finding_title, label, note_title, status_colour, status_label

__all__ = ["FORMATS", "progress_chart", "render_checkin"]

FORMATS = ("text", "json", "md", "html", "xlsx")


class Agenda(Protocol):
    """A meeting agenda drafted for one set (``assist.checkin_agenda.CheckinAgenda``), as the report needs it."""

    def markdown(self) -> str: ...

    def to_dict(self) -> dict[str, Any]: ...


def render_checkin(review: CheckinReview, fmt: str, *, agendas: Sequence[Agenda] = ()) -> str | bytes:
    """The report in one of ``FORMATS`` with the agendas after it; XLSX as bytes, the others as text."""
    if fmt == "text":
        return "".join(_text(review)) + "".join(f"\n{agenda.markdown()}" for agenda in agendas)
    if fmt == "json":
        data = review.to_dict()
        if agendas:
            data["agendas"] = [agenda.to_dict() for agenda in agendas]
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    if fmt == "md":
        return "".join(_markdown(review)) + "".join(f"{agenda.markdown()}\n" for agenda in agendas)
    if fmt == "html":
        return "".join(_html(review, agendas))
    if fmt == "xlsx":
        return _xlsx(review, agendas)
    raise ValueError(f"unknown format {fmt!r} (expected one of: {', '.join(FORMATS)})")


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{figure(value)}%"


def _summary(okr_set: SetCheck, lang: str) -> str:
    sep = label("separator", lang)
    counts = sep.join(f"{status_label(status, lang)} {count}" for status, count in okr_set.counts().items())
    return label("summary", lang).format(total=len(okr_set.key_results()), counts=counts)


def _timeline(okr_set: SetCheck, lang: str) -> str:
    if okr_set.span is None:
        return label("no_cycle", lang)
    span = f"{okr_set.span.start.isoformat()} – {okr_set.span.end.isoformat()}"
    return (
        f"{label('elapsed', lang)} {_percent(okr_set.elapsed)} ({span}) · "
        f"{label('weighted', lang)} {_percent(okr_set.progress)}"
    )


def _kr_line(kr: KRCheck, lang: str) -> str:
    parts = [
        f"{label('progress', lang)} {_percent(kr.progress)}",
        f"{label('expected', lang)} {_percent(kr.expected)}",
        f"{label('confidence', lang)} {_percent(kr.confidence)}",
        f"{label('updated', lang)} {kr.updated.isoformat() if kr.updated else '—'}",
    ]
    if kr.weight is not None:
        parts.append(f"{label('weight', lang)} {_percent(kr.weight)}")
    if kr.owner:
        parts.append(kr.owner)
    return " · ".join(parts)


def _findings_of(okr_set: SetCheck, item: str) -> list[CheckinFinding]:
    return [finding for finding in okr_set.findings if finding.item == item]


def _objective_heading(objective: ObjectiveCheck, lang: str) -> str:
    weight = f" · {label('weight', lang)} {_percent(objective.weight)}" if objective.weight is not None else ""
    return f"{objective.id} {objective.text} — {label('progress', lang)} {_percent(objective.progress)}{weight}"


# ---------------------------------------------------------------- text


def _text(review: CheckinReview) -> Iterator[str]:
    lang = review.language
    for okr_set in review.sets:
        yield f"{label('title', lang)} · {okr_set.key} · {label('as_of', lang)} {review.as_of.isoformat()}\n"
        yield f"{_timeline(okr_set, lang)}\n{_summary(okr_set, lang)}\n"
        for finding in _findings_of(okr_set, okr_set.key):
            yield from _text_finding(finding, lang, "  ")
        for objective in okr_set.objectives:
            yield f"\n{_objective_heading(objective, lang)}\n"
            for finding in _findings_of(okr_set, objective.id):
                yield from _text_finding(finding, lang, "  ")
            for kr in objective.key_results:
                yield f"  [{status_label(kr.status, lang)}] {kr.ref} {kr.text}\n"
                yield f"      {_kr_line(kr, lang)}\n"
                if kr.note:
                    yield f"      “{kr.note}”\n"
                for finding in _findings_of(okr_set, kr.ref):
                    yield from _text_finding(finding, lang, "      ")
        if not okr_set.findings:
            yield f"\n{label('no_findings', lang)}\n"
        yield "\n"
    if review.problems:
        yield f"{label('problems', lang)}\n"
        for problem in review.problems:
            yield f"  {problem_text(problem, lang)}\n"


def _colon(lang: str) -> str:
    return label("colon", lang)


def finding_line(finding: CheckinFinding, lang: str) -> str:
    """The main line of a finding, in words: its title, then the message (the code is in the detail)."""
    return label("finding_line", lang).format(title=finding_title(finding.code, lang), message=finding.message)


def see_note(finding: CheckinFinding, lang: str, *, code_mark: str = "") -> str:
    """The detail that names the note in words, with the finding's code and the note's id after it."""
    note = f"{code_mark}{finding.note}{code_mark}"
    return label("see_note", lang).format(title=note_title(finding.note, lang), code=finding.code, note=note)


def _text_finding(finding: CheckinFinding, lang: str, indent: str) -> Iterator[str]:
    yield f"{indent}{finding_line(finding, lang)}\n"
    yield f"{indent}  {label('fix', lang)}{_colon(lang)}{finding.fix}\n"
    yield f"{indent}  {label('note', lang)}{_colon(lang)}{see_note(finding, lang)}\n"


# ---------------------------------------------------------------- Markdown


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _markdown(review: CheckinReview) -> Iterator[str]:
    lang = review.language
    for okr_set in review.sets:
        yield f"# {label('title', lang)}: {okr_set.key}\n\n"
        yield f"{label('as_of', lang)} {review.as_of.isoformat()} · {_timeline(okr_set, lang)}\n\n"
        yield f"{_summary(okr_set, lang)}\n\n"
        for objective in okr_set.objectives:
            yield f"## {_cell(_objective_heading(objective, lang))}\n\n"
            heads = ("kr", "status", "progress", "expected", "confidence", "updated", "owner")
            yield "| " + " | ".join(label(h, lang) for h in heads) + " |\n"
            yield "|" + "---|" * len(heads) + "\n"
            for kr in objective.key_results:
                row = (
                    f"{kr.ref} {kr.text}",
                    status_label(kr.status, lang),
                    _percent(kr.progress),
                    _percent(kr.expected),
                    _percent(kr.confidence),
                    kr.updated.isoformat() if kr.updated else "—",
                    kr.owner or "—",
                )
                yield "| " + " | ".join(_cell(c) for c in row) + " |\n"
            yield "\n"
        if okr_set.findings:
            yield f"## {label('findings', lang)}\n\n"
            for finding in okr_set.findings:
                title = finding_title(finding.code, lang)
                line = label("finding_line", lang).format(title=f"**{_cell(title)}**", message=_cell(finding.message))
                yield f"- `{finding.item}` {line}\n"
                see = f"{label('note', lang)}{_colon(lang)}{_cell(see_note(finding, lang, code_mark='`'))}"
                yield f"  - {label('fix', lang)}{_colon(lang)}{_cell(finding.fix)} · {see}\n"
            yield "\n"
        else:
            yield f"{label('no_findings', lang)}\n\n"
    if review.problems:
        yield f"## {label('problems', lang)}\n\n"
        for problem in review.problems:
            yield f"- {_cell(problem_text(problem, lang))}\n"
        yield "\n"


# ---------------------------------------------------------------- HTML and the SVG chart

_WIDTH, _HEIGHT, _PAD = 640, 300, 40


def progress_chart(okr_set: SetCheck, as_of: date, lang: str) -> str:
    """An inline SVG: each KR's progress over its check-ins against the time line (expected progress)."""
    span = okr_set.span
    if span is None:
        return ""
    total = max((span.end - span.start).days, 1)
    inner_w, inner_h = _WIDTH - 2 * _PAD, _HEIGHT - 2 * _PAD

    def x(day: date) -> float:
        share = min(max((day - span.start).days / total, 0.0), 1.0)
        return round(_PAD + share * inner_w, 1)

    def y(progress: float) -> float:
        return round(_HEIGHT - _PAD - min(max(progress, 0.0), 100.0) / 100 * inner_h, 1)

    title = escape(label("chart", lang))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_WIDTH} {_HEIGHT}" role="img" '
        f'aria-label="{title}" class="chart">',
        f"<title>{title}</title>",
        f'<rect x="{_PAD}" y="{_PAD}" width="{inner_w}" height="{inner_h}" fill="#fafbfc" stroke="#d0d5dd"/>',
    ]
    for tick in (0, 50, 100):
        parts.append(
            f'<text x="{_PAD - 6}" y="{y(tick) + 4}" text-anchor="end" font-size="11" fill="#555">{tick}%</text>'
        )
    parts.append(
        f'<line x1="{x(span.start)}" y1="{y(0)}" x2="{x(span.end)}" y2="{y(100)}" stroke="#8a94a6" '
        f'stroke-dasharray="6 4" class="expected"><title>{escape(label("expected", lang))}</title></line>'
    )
    parts.append(
        f'<line x1="{x(as_of)}" y1="{_PAD}" x2="{x(as_of)}" y2="{_HEIGHT - _PAD}" stroke="#1f2937" class="as-of"/>'
    )
    parts.append(
        f'<line x1="{_PAD + 8}" y1="{_PAD + 14}" x2="{_PAD + 32}" y2="{_PAD + 14}" stroke="#8a94a6" '
        f'stroke-dasharray="6 4"/><text x="{_PAD + 38}" y="{_PAD + 18}" font-size="11" fill="#555">'
        f"{escape(label('expected', lang))}</text>"
    )
    parts.append(
        f'<text x="{x(as_of)}" y="{_PAD - 8}" text-anchor="middle" font-size="11">'
        f"{escape(label('as_of', lang))} {as_of.isoformat()}</text>"
    )
    for day in (span.start, span.end):
        parts.append(
            f'<text x="{x(day)}" y="{_HEIGHT - _PAD + 16}" text-anchor="middle" font-size="11" fill="#555">'
            f"{day.isoformat()}</text>"
        )
    for kr in okr_set.key_results():
        if not kr.trend:
            continue
        colour = status_colour(kr.status)
        points = " ".join(f"{x(day)},{y(value)}" for day, value in kr.trend)
        tip = escape(f"{kr.ref} {kr.text}: {status_label(kr.status, lang)}")
        parts.append(
            f'<g class="kr" data-ref="{escape(kr.ref)}"><title>{tip}</title>'
            f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2"/>'
        )
        for day, value in kr.trend:
            parts.append(f'<circle cx="{x(day)}" cy="{y(value)}" r="3.5" fill="{colour}"/>')
        last_day, last_value = kr.trend[-1]
        parts.append(
            f'<text x="{x(last_day) + 6}" y="{y(last_value) + 4}" font-size="11" fill="{colour}">'
            f"{escape(kr.ref)}</text></g>"
        )
    parts.append("</svg>")
    return "".join(parts)


_CSS = (
    "body{font-family:system-ui,'PingFang SC','Microsoft YaHei',sans-serif;margin:2rem;color:#1f2937;max-width:60rem}"
    "table{border-collapse:collapse;margin:.5rem 0 1.5rem}td,th{border:1px solid #d0d5dd;padding:.3rem .6rem;"
    "text-align:left;vertical-align:top}th{background:#f2f4f7}.status{font-weight:600;white-space:nowrap}"
    ".finding{margin:.2rem 0}.code{font-family:monospace}.chart{max-width:100%;height:auto}"
)


def _html(review: CheckinReview, agendas: Sequence[Agenda] = ()) -> Iterator[str]:
    lang = review.language
    title = escape(label("title", lang))
    html_lang = "zh-CN" if lang == "zh" else "en"
    yield f'<!DOCTYPE html>\n<html lang="{html_lang}"><head><meta charset="utf-8">'
    yield f"<title>{title}</title><style>{_CSS}</style></head><body>\n"
    for okr_set in review.sets:
        yield f"<h1>{title}: {escape(okr_set.key)}</h1>\n"
        yield f"<p>{escape(label('as_of', lang))} {review.as_of.isoformat()} · {escape(_timeline(okr_set, lang))}</p>\n"
        yield f"<p>{escape(_summary(okr_set, lang))}</p>\n"
        chart = progress_chart(okr_set, review.as_of, lang)
        if chart:
            yield f"<h2>{escape(label('chart', lang))}</h2>\n{chart}\n"
        for objective in okr_set.objectives:
            yield f"<h2>{escape(_objective_heading(objective, lang))}</h2>\n"
            for finding in _findings_of(okr_set, objective.id):
                yield _html_finding(finding, lang)
            heads = ("kr", "status", "progress", "expected", "confidence", "updated", "owner", "findings")
            yield "<table><tr>" + "".join(f"<th>{escape(label(h, lang))}</th>" for h in heads) + "</tr>\n"
            for kr in objective.key_results:
                found = "".join(_html_finding(finding, lang) for finding in _findings_of(okr_set, kr.ref))
                colour = status_colour(kr.status)
                cells = [
                    f"<td>{escape(kr.ref)} {escape(kr.text)}</td>",
                    f'<td class="status" style="color:{colour}">{escape(status_label(kr.status, lang))}</td>',
                    f"<td>{_percent(kr.progress)}</td>",
                    f"<td>{_percent(kr.expected)}</td>",
                    f"<td>{_percent(kr.confidence)}</td>",
                    f"<td>{kr.updated.isoformat() if kr.updated else '—'}</td>",
                    f"<td>{escape(kr.owner or '—')}</td>",
                    f"<td>{found}</td>",
                ]
                yield "<tr>" + "".join(cells) + "</tr>\n"
            yield "</table>\n"
        for finding in _findings_of(okr_set, okr_set.key):
            yield _html_finding(finding, lang)
    if review.problems:
        yield f"<h2>{escape(label('problems', lang))}</h2><ul>"
        yield "".join(f"<li>{escape(problem_text(problem, lang))}</li>" for problem in review.problems)
        yield "</ul>\n"
    for agenda in agendas:
        yield _html_agenda(agenda.to_dict(), review.language)
    yield "</body></html>\n"


def _html_agenda(data: dict[str, Any], lang: str) -> str:
    """The agenda as a section: the intro, then one list per part (risks, stale, handshakes, decisions, wins)."""
    title = agenda_text("title", lang).format(team=data["set"], as_of=data["as_of"])
    parts = [f'<section class="agenda"><h2>{escape(title)}</h2><p>{escape(data["intro"])}</p>']
    for key in ("risks", "stale", "handshakes", "decisions", "wins"):
        items = [item if isinstance(item, str) else item["text"] for item in data[key]]
        if not items and key == "wins":
            continue
        parts.append(f"<h3>{escape(agenda_text(key, lang))}</h3><ul>")
        parts += [f"<li>{escape(text)}</li>" for text in items] or [f"<li>{escape(agenda_text('none', lang))}</li>"]
        parts.append("</ul>")
    parts.append(f"<p>{escape(agenda_text('closing', lang))}</p>")
    if data["note_ids"]:
        parts.append(
            f"<p><small>{escape(agenda_text('notes', lang))}: {escape(', '.join(data['note_ids']))}</small></p>"
        )
    if data["mode"] == "offline":
        parts.append(f"<p><small>{escape(agenda_text('offline', lang))}</small></p>")
    parts.append("</section>\n")
    return "".join(parts)


def _html_finding(finding: CheckinFinding, lang: str) -> str:
    return (
        f'<div class="finding"><strong>{escape(finding_title(finding.code, lang))}</strong> {escape(finding.message)}'
        f"<br><small>{escape(label('fix', lang))}: {escape(finding.fix)} · {escape(label('note', lang))}: "
        f"{escape(see_note(finding, lang))}</small></div>"
    )


# ---------------------------------------------------------------- XLSX

_HEADER_FILL = PatternFill("solid", fgColor="F2F4F7")


def _xlsx(review: CheckinReview, agendas: Sequence[Agenda] = ()) -> bytes:
    lang = review.language
    book = Workbook()
    sheet = book.active
    sheet.title = label("title", lang)[:31]
    heads = ("objective", "kr", "status", "progress", "expected", "confidence", "updated", "owner")
    sheet.append(["", *(label(h, lang) for h in heads)])
    for okr_set in review.sets:
        for objective in okr_set.objectives:
            for kr in objective.key_results:
                sheet.append(
                    [
                        okr_set.key,
                        f"{objective.id} {objective.text}",
                        f"{kr.ref} {kr.text}",
                        status_label(kr.status, lang),
                        kr.progress,
                        None if kr.expected is None else round(kr.expected, 1),
                        kr.confidence,
                        kr.updated,
                        kr.owner,
                    ]
                )
    findings = book.create_sheet(label("findings", lang)[:31])
    findings.append(["", "code", label("kr", lang), label("findings", lang), label("fix", lang), label("note", lang)])
    for finding in review.findings:
        findings.append([finding.set_key, finding.code, finding.item, finding.message, finding.fix, finding.note])
    sheets = [sheet, findings]
    if agendas:
        lines = book.create_sheet(label("agenda", lang)[:31])
        lines.append([label("agenda", lang)])
        for agenda in agendas:
            for line in agenda.markdown().splitlines():
                lines.append([line])
        sheets.append(lines)
    for ws in sheets:
        for cell in ws[1]:
            cell.font = Font(bold=True)
            cell.fill = _HEADER_FILL
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
