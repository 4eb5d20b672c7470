"""The CLASSIC panel: findings grouped by dimension, with severity badges and the guidance behind each one.

Rendered as HTML for a gr.HTML component. Every piece of text (OKR text in evidence and messages,
note summaries) is escaped: it is data, never markup.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

from ..findings import Dimension, Finding
from ..knowledge.notes import Note
from ..palette import severity_swatches
from ..rules.catalogue import dimension_label, rules
from ..triage import groupable_codes
from .texts import text


def item_label(finding: Finding, language: str) -> str:
    """Where a finding is, for a reader: its item ref, or "whole set" (with the refs a folded notice stands for).

    A set-level finding has no item ref; a repeated notice folded into one set-level finding lists the
    items it stands for in its evidence, so those are named instead of the set's key (the team again).
    """
    if finding.objective or finding.key_result:
        return finding.item
    if finding.code in groupable_codes() and finding.evidence:
        return text(language, "whole_set_of", refs=finding.evidence)
    return text(language, "whole_set")


def rule_title(code: str, language: str) -> str:
    """The rule's name in ``language`` (empty for an unknown code)."""
    info = rules().get(code)
    return info.title.get("en" if language == "en" else "zh", "") if info else ""


def badge_colours() -> dict[str, str]:
    """Severity value → the colour of its badge (assistant/data/palette.toml, as in charts and reports)."""
    return {name: swatch.colour for name, swatch in severity_swatches().items()}


def _badge(severity: str, language: str) -> str:
    colour = badge_colours()[severity]
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
            f"<small>{left}{escape(note.title_in(language))}{right}</small></p>"
            f'<p class="okr-ids"><small>{escape(text(language, "note_id"))}{colon}<code>{escape(note.id)}</code>'
            "</small></p>"
        )
    where = item_label(finding, language)
    shown = finding.evidence and finding.evidence not in where  # a folded notice's refs are already named
    evidence = f"<p><q>{escape(finding.evidence)}</q></p>" if shown else ""
    title = rule_title(finding.code, language)
    rule = (
        f'<p class="okr-rule"><b>{escape(text(language, "rule"))}</b>{colon}'
        f"{escape(title)} <small>{left}{escape(finding.code)}{right}</small></p>"
        if title
        else ""
    )
    return (
        f'<details class="okr-finding" data-code="{escape(finding.code)}">'
        f"<summary>{_badge(finding.severity.value, language)} <b>{escape(where)}</b> {escape(finding.message)}"
        "</summary>"
        f"{rule}{evidence}<p><b>{escape(text(language, 'fix'))}</b>{colon}{escape(finding.fix)}</p>{why}</details>"
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
        title = f"{dimension_label(dimension, language)} ({len(group)})"  # no CLASSIC letter: S and C repeat
        parts.append(f'<h4 class="okr-dimension">{escape(title)}</h4>')
        parts.extend(_finding(f, notes, language) for f in group)
    parts.append("</div>")
    return "".join(parts)
