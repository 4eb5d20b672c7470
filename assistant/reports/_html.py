"""HTML report: one self-contained page (inline CSS, no scripts, no external assets).

Sections: totals, a table per team with a small CSS bar chart of its seven
CLASSIC dimensions, a summary per dimension and per rule, then every finding
grouped by set and objective, then input problems. Severity filters are plain
checkboxes styled with ``:has()``, so the page needs no JavaScript.

Every piece of user text goes through ``html.escape`` (``_e``); nothing from an
OKR file reaches the page unescaped.
"""

from __future__ import annotations

from html import escape

from ..findings import Finding
from ..importers.messages import problem_reason
from ..palette import severity_css_variables
from ..review import DIMENSION_ORDER, REPORT_SCHEMA, REPORT_SCHEMA_VERSION, SEVERITY_ORDER, Review, Summary
from ..rules.catalogue import dimension_label, dimension_letter, rules
from ._index import ItemInfo, ReviewIndex, SetGroup
from ._labels import (
    html_lang,
    label,
    language_of,
    level_label,
    problem_label,
    severity_label,
    shows_top,
    suggestion_status,
    top_heading,
)

_CSS = (
    """
:root{--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--bg:#f6f8fa;--card:#fff;
"""
    + severity_css_variables()  # the severity colours the web app uses too (assistant/data/palette.toml)
    + """
--accent:#6639ba}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);line-height:1.6;font-size:15px;
font-family:system-ui,-apple-system,"Segoe UI","PingFang SC","Hiragino Sans GB","Microsoft YaHei",
"Noto Sans CJK SC","Noto Sans SC","Source Han Sans SC",sans-serif}
header.top{background:#24292f;color:#fff;padding:28px 40px 24px}
header.top h1{margin:0 0 4px;font-size:26px;font-weight:600}
header.top .meta{margin:0 0 18px;color:#c9d1d9;font-size:13px;word-break:break-all}
.cards{display:flex;flex-wrap:wrap;gap:10px}
.card{background:rgba(255,255,255,.08);border-radius:8px;padding:8px 16px;min-width:96px}
.card b{display:block;font-size:24px;font-weight:600;line-height:1.2}
.card span{font-size:12px;color:#c9d1d9}
.card.sev-error b{color:#ff8a8f}.card.sev-warning b{color:#ffc46b}.card.sev-info b{color:#8cc4ff}
main{max-width:1180px;margin:0 auto;padding:8px 40px 40px}
h2{font-size:20px;margin:32px 0 12px;padding-bottom:6px;border-bottom:1px solid var(--line)}
section.panel{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:4px 20px 16px;
margin-top:20px}
section.panel h2{border:0;margin:14px 0 8px}
table{border-collapse:collapse;width:100%;font-size:14px}
th,td{padding:7px 10px;border-bottom:1px solid var(--line);text-align:left;vertical-align:middle}
th{font-weight:600;color:var(--muted);font-size:13px;white-space:nowrap}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
td.zero{color:#aeb6bf}
td.n-error{color:var(--error);font-weight:600}td.n-warning{color:var(--warning);font-weight:600}
td.n-info{color:var(--info);font-weight:600}
a{color:var(--accent);text-decoration:none}a:hover{text-decoration:underline}
.spark{display:inline-flex;gap:3px;align-items:flex-end}
.spark .col{display:flex;flex-direction:column;align-items:center;width:16px}
.spark .bar{width:12px;height:30px;background:#eef1f4;border-radius:2px;display:flex;align-items:flex-end}
.spark .bar i{display:block;width:100%;background:var(--accent);border-radius:2px}
.spark .col small{font-size:10px;color:var(--muted);line-height:1.3}
.dims{display:grid;grid-template-columns:28px 7em 8.5em 1fr 3em;gap:8px 12px;align-items:center}
.letter{display:inline-flex;width:26px;height:26px;border-radius:6px;background:var(--accent);color:#fff;
font-weight:700;align-items:center;justify-content:center}
.dims .key{color:var(--muted);font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px}
.hbar{height:12px;background:#eef1f4;border-radius:6px;overflow:hidden}
.hbar i{display:block;height:100%;background:var(--accent)}
.dims b{text-align:right;font-variant-numeric:tabular-nums}
.filters{display:flex;gap:16px;align-items:center;font-size:14px;color:var(--muted);margin:8px 0 4px}
.filters label{display:inline-flex;gap:4px;align-items:center;cursor:pointer}
body:has(#show-error:not(:checked)) .finding.sev-error,
body:has(#show-warning:not(:checked)) .finding.sev-warning,
body:has(#show-info:not(:checked)) .finding.sev-info{display:none}
section.set{background:var(--card);border:1px solid var(--line);border-radius:10px;margin:18px 0;
padding:0 0 8px;overflow:hidden}
section.set>h3{margin:0;padding:12px 20px;font-size:17px;background:#f0f3f6;
border-bottom:1px solid var(--line);display:flex;flex-wrap:wrap;gap:8px;align-items:center}
section.set>h3 small{font-weight:400;color:var(--muted);font-size:12px}
.objective{padding:4px 20px 0}
.objective h4{margin:12px 0 6px;font-size:15px;font-weight:600}
.oid,.iid{display:inline-block;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px;
background:#eef1f4;border-radius:4px;padding:0 6px;margin-right:6px;color:var(--fg);font-weight:600}
ul.findings{list-style:none;margin:0;padding:0}
.finding{border-left:4px solid var(--line);background:#fff;padding:6px 14px;margin:6px 0;
border-radius:0 6px 6px 0;box-shadow:0 0 0 1px var(--line) inset}
.finding.sev-error{border-left-color:var(--error)}.finding.sev-warning{border-left-color:var(--warning)}
.finding.sev-info{border-left-color:var(--info)}
.finding .head{display:flex;flex-wrap:wrap;gap:8px;align-items:center;font-size:13px}
.finding .where{margin-left:auto;color:var(--muted);font-size:12px}
.badge,.pill{display:inline-block;border-radius:999px;padding:0 9px;font-size:12px;font-weight:600;
line-height:20px}
.sev-error.badge,.sev-error.pill{background:var(--error-bg);color:var(--error)}
.sev-warning.badge,.sev-warning.pill{background:var(--warning-bg);color:var(--warning)}
.sev-info.badge,.sev-info.pill{background:var(--info-bg);color:var(--info)}
code.code{font-weight:700;font-size:12px}
.rule{font-weight:600}
.chip{font-size:12px;color:var(--accent);border:1px solid #d8ccf1;border-radius:4px;padding:0 6px}
.finding p{margin:3px 0;font-size:14px;white-space:pre-line}
.finding .item{color:var(--muted)}
.finding .owner{font-size:12px;margin-left:10px;color:var(--muted)}
.finding .owner::before{content:"·";margin-right:10px}
.finding mark{background:#fff0a8;color:inherit;padding:0 1px;border-radius:2px}
.finding .lbl{display:inline-block;min-width:4.5em;color:var(--muted);font-size:12px}
.finding .evidence q{background:#f6f8fa;border-radius:4px;padding:1px 6px;quotes:"“" "”"}
.finding .fix{color:#1a7f37}
.finding .fix .lbl{color:#1a7f37}
.finding .note{font-size:12px;color:var(--muted)}
.finding details.note summary{cursor:pointer}.finding details.note p{margin:4px 0 0 0}
.top{margin:10px 20px 4px;padding:8px 14px;background:#fbf8ff;border:1px solid #e4dcf5;border-radius:8px}
.top h4{margin:0 0 4px;font-size:14px}.top ol{margin:0;padding-left:22px;font-size:14px}
.top li{margin:3px 0}.top .iid{margin-left:2px}
.empty{color:var(--muted)}
footer{color:var(--muted);font-size:12px;text-align:center;padding:20px}
@media print{.filters{display:none}body{background:#fff}header.top{background:#fff;color:#000}
.card{border:1px solid #ccc}.finding,section.set{break-inside:avoid}}
"""
)


def _e(value: object) -> str:
    """Escape user text for HTML text and attribute values."""
    return escape("" if value is None else str(value), quote=True)


def _counts_pills(by_severity: dict[str, int], lang: str) -> str:
    return "".join(
        f'<span class="pill sev-{s.value}">{_e(severity_label(s, lang))} {by_severity.get(s.value, 0)}</span>'
        for s in SEVERITY_ORDER
        if by_severity.get(s.value, 0)
    )


def _header(review: Review, summary: Summary, lang: str) -> str:
    sep, colon = label("list_separator", lang), label("colon", lang)
    meta = [
        f"{_e(label('generated_at', lang))} {_e(review.generated_at.isoformat(timespec='seconds'))}",
        f"okr-review {_e(review.tool_version)}",
    ]
    if review.inputs:
        meta.append(f"{_e(label('inputs', lang))}{colon}{sep.join(_e(name) for name in review.inputs)}")
    cards = [
        ("", summary.sets, label("sets", lang)),
        ("", summary.objectives, label("objectives", lang)),
        ("", summary.key_results, label("key_results", lang)),
        ("", summary.findings, label("findings", lang)),
        *((f"sev-{s.value}", summary.by_severity.get(s.value, 0), severity_label(s, lang)) for s in SEVERITY_ORDER),
    ]
    if summary.input_errors or summary.input_warnings:
        cards.append(("sev-error", summary.input_errors + summary.input_warnings, label("problems", lang)))
    cards_html = "".join(
        f'<div class="card {cls}"><b>{value}</b><span>{_e(name)}</span></div>' for cls, value, name in cards
    )
    return (
        f'<header class="top"><h1>{_e(label("title", lang))}</h1>'
        f'<p class="meta">{" · ".join(meta)}</p><div class="cards">{cards_html}</div></header>'
    )


def _spark(by_dimension: dict[str, int], scale: int, lang: str) -> str:
    """Seven little bars, one per CLASSIC dimension; heights share one scale across teams."""
    cols = []
    for d in DIMENSION_ORDER:
        count = by_dimension.get(d.value, 0)
        height = 0 if not count else max(8, round(100 * count / scale))
        tip = f"{dimension_label(d, lang)}: {count}"
        cols.append(
            f'<span class="col" title="{_e(tip)}"><span class="bar"><i style="height:{height}%"></i></span>'
            f"<small>{dimension_letter(d)}</small></span>"
        )
    return f'<span class="spark">{"".join(cols)}</span>'


def _num(value: int, cls: str = "") -> str:
    return f'<td class="num {cls if value else "zero"}">{value}</td>'


def _team_table(summary: Summary, anchors: dict[str, str], lang: str) -> str:
    scale = max((max(row.by_dimension.values(), default=0) for row in summary.per_set), default=0) or 1
    head = (
        f"<th>{_e(label('set', lang))}</th><th>{_e(label('level', lang))}</th>"
        f'<th class="num">{_e(label("objectives", lang))}</th>'
        f'<th class="num">{_e(label("key_results", lang))}</th>'
        + "".join(f'<th class="num">{_e(severity_label(s, lang))}</th>' for s in SEVERITY_ORDER)
        + f"<th>{_e(label('distribution', lang))}</th>"
    )
    rows = []
    for row in summary.per_set:
        name = _e(row.key)
        if row.key in anchors:
            name = f'<a href="#{anchors[row.key]}">{name}</a>'
        rows.append(
            f"<tr><td>{name}</td><td>{_e(level_label(row.level, lang))}</td>"
            + _num(row.objectives)
            + _num(row.key_results)
            + "".join(_num(row.by_severity.get(s.value, 0), f"n-{s.value}") for s in SEVERITY_ORDER)
            + f"<td>{_spark(row.by_dimension, scale, lang)}</td></tr>"
        )
    return (
        f'<section class="panel" id="by-team"><h2>{_e(label("by_team", lang))}</h2>'
        f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></section>"
    )


def _dimension_panel(summary: Summary, lang: str) -> str:
    scale = max(summary.by_dimension.values(), default=0) or 1
    cells = []
    for d in DIMENSION_ORDER:
        count = summary.by_dimension.get(d.value, 0)
        cells.append(
            f'<span class="letter">{dimension_letter(d)}</span><span>{_e(dimension_label(d, lang))}</span>'
            f'<span class="key">{d.value}</span>'
            f'<span class="hbar"><i style="width:{round(100 * count / scale)}%"></i></span><b>{count}</b>'
        )
    return (
        f'<section class="panel" id="by-dimension"><h2>{_e(label("by_dimension", lang))}</h2>'
        f'<div class="dims">{"".join(cells)}</div></section>'
    )


def _code_panel(summary: Summary, lang: str) -> str:
    if not summary.by_code:
        return ""
    table = rules()
    rows = []
    for code in sorted(summary.by_code):
        info = table.get(code)
        title = info.title[lang] if info else ""
        dim = dimension_label(info.dimension, lang) if info else ""
        sev = (
            f'<span class="badge sev-{info.severity.value}">{_e(severity_label(info.severity, lang))}</span>'
            if info
            else ""
        )
        rows.append(
            f'<tr><td><code class="code">{_e(code)}</code></td><td>{_e(title)}</td><td>{_e(dim)}</td>'
            f'<td>{sev}</td><td class="num">{summary.by_code[code]}</td></tr>'
        )
    head = (
        f"<th>{_e(label('code', lang))}</th><th>{_e(label('rule_title', lang))}</th>"
        f"<th>{_e(label('dimension', lang))}</th><th>{_e(label('severity', lang))}</th>"
        f'<th class="num">{_e(label("count", lang))}</th>'
    )
    return (
        f'<section class="panel" id="by-code"><h2>{_e(label("by_code", lang))}</h2>'
        f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></section>"
    )


def _marked(text: str, finding: Finding) -> tuple[str, bool]:
    """The item text with the evidence highlighted; the flag says whether it could be found in it."""
    start = end = None
    if finding.span and len(finding.span) == 2:
        a, b = finding.span
        if 0 <= a < b <= len(text) and (not finding.evidence or text[a:b] == finding.evidence):
            start, end = a, b
    if start is None and finding.evidence:
        found = text.find(finding.evidence)
        if found >= 0:
            start, end = found, found + len(finding.evidence)
    if start is None:
        return _e(text), False
    return f"{_e(text[:start])}<mark>{_e(text[start:end])}</mark>{_e(text[end:])}", True


def _finding(finding: Finding, item: ItemInfo | None, index: ReviewIndex, lang: str) -> str:
    sev = finding.severity.value
    info = rules().get(finding.code)
    title = f'<span class="rule">{_e(info.title[lang])}</span>' if info else ""
    dim = f"{dimension_letter(finding.dimension)} · {dimension_label(finding.dimension, lang)}"
    where = index.location(finding)
    item_id = finding.key_result or finding.objective
    if item_id and item_id not in where:
        where = f"{item_id} · {where}"
    parts = [
        f'<li class="finding sev-{sev}"><div class="head">'
        f'<span class="badge sev-{sev}">{_e(severity_label(finding.severity, lang))}</span>'
        f'<code class="code">{_e(finding.code)}</code>{title}<span class="chip">{_e(dim)}</span>'
        f'<span class="where">{_e(where)}</span></div>'
    ]
    highlighted = False
    if finding.key_result and item is not None:
        text, highlighted = _marked(item.text, finding)
        owner = f'<span class="owner">{_e(label("owner", lang))} {_e(item.owner)}</span>' if item.owner else ""
        parts.append(f'<p class="item"><span class="iid">{_e(finding.key_result)}</span>{text}{owner}</p>')
    parts.append(f'<p class="msg">{_e(finding.message)}</p>')
    if finding.evidence and not highlighted:
        parts.append(
            f'<p class="evidence"><span class="lbl">{_e(label("evidence", lang))}</span>'
            f"<q>{_e(finding.evidence)}</q></p>"
        )
    if finding.fix:
        parts.append(f'<p class="fix"><span class="lbl">→ {_e(label("fix", lang))}</span>{_e(finding.fix)}</p>')
    if finding.note:
        parts.append(_note_html(finding.note, index, lang))
    parts.append("</li>")
    return "".join(parts)


def _note_html(note_id: str, index: ReviewIndex, lang: str) -> str:
    """The note's title, opening to its short explanation; the id alone when notes were not loaded."""
    note = index.review.note(note_id)
    head = f'<span class="lbl">{_e(label("note", lang))}</span>'
    if note is None:
        return f'<p class="note">{head}<code>{_e(note_id)}</code></p>'
    return (
        f'<details class="note"><summary>{head}{_e(note.title_in(lang))} <code>{_e(note_id)}</code></summary>'
        f"<p>{_e(note.summary_in(lang))}</p></details>"
    )


def _top_list(findings: list[Finding], lang: str) -> str:
    """The set's findings to fix first: a numbered list of item, severity, code and message."""
    items = []
    for finding in findings:
        item = finding.key_result or finding.objective or label("whole_set", lang)
        sev = finding.severity.value
        items.append(
            f'<li><span class="badge sev-{sev}">{_e(severity_label(finding.severity, lang))}</span> '
            f'<span class="iid">{_e(item)}</span><code class="code">{_e(finding.code)}</code> '
            f'<span class="chip">{_e(dimension_label(finding.dimension, lang))}</span> {_e(finding.message)}</li>'
        )
    return f'<div class="top"><h4>{_e(top_heading(len(findings), lang))}</h4><ol>{"".join(items)}</ol></div>'


def _set_section(group: SetGroup, anchor: str, index: ReviewIndex, per_set: dict, top: list[Finding], lang: str) -> str:
    small = f"<small>{_e(group.source.file)}</small>" if group.source is not None else ""
    parts = [
        f'<section class="set" id="{anchor}"><h3>{_e(group.key)} {small}'
        f"{_counts_pills(per_set.get(group.key, {}), lang)}</h3>"
    ]
    if shows_top(top, group.findings):
        parts.append(_top_list(top, lang))
    for objective_id, findings in group.by_objective():
        if objective_id is None:
            heading = _e(label("whole_set", lang))
        else:
            info = index.item(group.key, objective_id)
            text = f" {_e(info.text)}" if info is not None else ""
            heading = f'<span class="oid">{_e(objective_id)}</span>{text}'
        items = "".join(_finding(f, index.item_of(f), index, lang) for f in findings)
        parts.append(f'<div class="objective"><h4>{heading}</h4><ul class="findings">{items}</ul></div>')
    parts.append("</section>")
    return "".join(parts)


def _filters(lang: str) -> str:
    boxes = "".join(
        f'<label><input type="checkbox" id="show-{s.value}" checked> '
        f'<span class="badge sev-{s.value}">{_e(severity_label(s, lang))}</span></label>'
        for s in SEVERITY_ORDER
    )
    return f'<div class="filters">{_e(label("show", lang))}{boxes}</div>'


def _problems(review: Review, lang: str) -> str:
    if not review.problems:
        return ""
    rows = []
    for p in review.problems:
        where = f"{label('row', lang)} {p.row}" if p.row is not None else ""
        if not where and p.line is not None:
            where = f"{label('line', lang)} {p.line}"
        file = p.file + (f" [{p.sheet}]" if p.sheet else "")
        level = "error" if p.level.value == "error" else "warning"
        rows.append(
            f"<tr><td>{_e(file)}</td><td>{_e(where)}</td><td>{_e(p.field)}</td>"
            f'<td><span class="badge sev-{level}">{_e(problem_label(p.level, lang))}</span></td>'
            f"<td>{_e(problem_reason(p, lang))}</td></tr>"
        )
    head = "".join(f"<th>{_e(label(key, lang))}</th>" for key in ("file", "location", "field", "severity", "reason"))
    return (
        f'<section class="panel" id="problems"><h2>{_e(label("problems", lang))}</h2>'
        f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></section>"
    )


def _suggestions(review: Review, lang: str) -> str:
    """``check --suggest``: each KR's candidates, with how they were made and what to confirm."""
    if not review.suggestions:
        return ""
    parts = [f'<h2 id="suggestions">{_e(label("suggestions", lang))}</h2>']
    for entry in review.suggestions:
        items = []
        for candidate in entry.candidates:
            extra = ""
            if candidate.assumptions:
                extra = f'<br><span class="lbl">{_e(label("assumptions", lang))}</span>' + _e(
                    "; ".join(candidate.assumptions)
                )
            items.append(f"<li>{_e(candidate.text)}{extra}</li>")
        parts.append(
            f'<section class="suggestion"><h3>{_e(entry.set)} · {_e(entry.key_result)}: '
            f'{_e(entry.original)}</h3><p class="status">{_e(suggestion_status(entry, lang))}</p>'
            f"<ol>{''.join(items)}</ol></section>"
        )
    return "\n".join(parts)


def render_html(review: Review) -> str:
    """The whole report as one HTML page."""
    lang = language_of(review)
    summary = review.summary()
    index = ReviewIndex(review)
    groups = [g for g in index.groups if g.findings]
    anchors = {g.key: f"set-{i}" for i, g in enumerate(groups, 1)}
    per_set = {row.key: row.by_severity for row in summary.per_set}
    tops = review.top_findings(summary)
    sections = [_set_section(g, anchors[g.key], index, per_set, tops.get(g.key, []), lang) for g in groups]
    if not sections:
        sections = [f'<p class="empty">{_e(label("no_findings", lang))}</p>']
    body = [
        _header(review, summary, lang),
        "<main>",
        _team_table(summary, anchors, lang),
        _dimension_panel(summary, lang),
        _code_panel(summary, lang),
        f'<h2 id="findings">{_e(label("findings", lang))}</h2>',
        _filters(lang) if groups else "",
        *sections,
        _suggestions(review, lang),
        _problems(review, lang),
        "</main>",
        f"<footer>okr-review {_e(review.tool_version)} · {REPORT_SCHEMA} v{REPORT_SCHEMA_VERSION}</footer>",
    ]
    return (
        f'<!DOCTYPE html>\n<html lang="{html_lang(lang)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta name="generator" content="okr-review {_e(review.tool_version)}">\n'
        f"<title>{_e(label('title', lang))}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        + "\n".join(part for part in body if part)
        + "\n</body>\n</html>\n"
    )
