"""The CLASSIC panel: findings grouped by dimension, with severity badges and the guidance behind each one.

Rendered as HTML for a gr.HTML component. Every piece of text (OKR text in evidence and messages,
note summaries) is escaped: it is data, never markup.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

from ..findings import Dimension, Finding
from ..knowledge.notes import Note
from ..rules.catalogue import dimension_label, dimension_letter
from .texts import text

BADGE_COLOURS = {"error": "#b42318", "warning": "#b54708", "info": "#475467"}


def _badge(severity: str, language: str) -> str:
    colour = BADGE_COLOURS[severity]
    label = escape(text(language, severity))
    return (
        f'<span class="okr-badge okr-{severity}" style="background:{colour};color:#fff;border-radius:4px;'
        f'padding:0 6px;font-size:0.8em">{label}</span>'
    )


def _finding(finding: Finding, notes: Mapping[str, Note], language: str) -> str:
    colon, (left, right) = ("：", "（）") if language == "zh" else (": ", "()")
    note = notes.get(finding.note)
    why = ""
    if note is not None:
        why = (
            f"<p><b>{escape(text(language, 'why'))}</b>{colon}{escape(note.summary_in(language))} "
            f"<small>{left}{escape(note.title_in(language))} · {escape(note.id)}{right}</small></p>"
        )
    evidence = f"<p><q>{escape(finding.evidence)}</q></p>" if finding.evidence else ""
    return (
        f'<details class="okr-finding" data-code="{escape(finding.code)}">'
        f"<summary>{_badge(finding.severity.value, language)} <code>{escape(finding.code)}</code> "
        f"<b>{escape(finding.item)}</b> {escape(finding.message)}</summary>"
        f"{evidence}<p><b>{escape(text(language, 'fix'))}</b>{colon}{escape(finding.fix)}</p>{why}</details>"
    )


def findings_html(findings: Sequence[Finding], notes: Mapping[str, Note], language: str, *, empty: str = "") -> str:
    """Findings grouped by CLASSIC dimension (in the standard's order), worst first inside each group."""
    if not findings:
        return f'<div class="okr-panel"><p>{escape(empty or text(language, "panel_clean"))}</p></div>'
    parts = ['<div class="okr-panel">']
    for dimension in Dimension:
        group = sorted((f for f in findings if f.dimension is dimension), key=lambda f: -f.severity.rank)
        if not group:
            continue
        title = f"{dimension_letter(dimension)} · {dimension_label(dimension, language)} ({len(group)})"
        parts.append(f'<h4 class="okr-dimension">{escape(title)}</h4>')
        parts.extend(_finding(f, notes, language) for f in group)
    parts.append("</div>")
    return "".join(parts)
