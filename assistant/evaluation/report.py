"""An evaluation run rendered three ways: a terminal table, a JSON record, an HTML report with per-case diffs.

The JSON record (one file per run, named by its start time) holds every setting, metric and case
result, so two runs can be compared later without rerunning anything.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from html import escape
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from ..reports import write_atomic

RUN_FORMAT = 1
# The figures shown per column, in order: (group, metric, how to show it).
COLUMN_ROWS = (
    ("rewrite", "case_pass", "pct"),
    ("rewrite", "candidate_pass", "pct"),
    ("rewrite", "invented_rate", "pct"),
    ("questions", "case_pass", "pct"),
    ("retrospective", "case_pass", "pct"),
    ("adversarial", "case_pass", "pct"),
    ("rewrite", "latency_p50", "sec"),
    ("rewrite", "latency_p95", "sec"),
    ("rewrite", "tokens_per_case", "num"),
    ("questions", "tokens_per_case", "num"),
    ("retrospective", "tokens_per_case", "num"),
)


def _show(value: Any, how: str = "num") -> str:
    if value is None:
        return "–"
    if how == "pct":
        return f"{value * 100:.1f}%"
    if how == "sec":
        return f"{value:.3f}s"
    return f"{value:.3g}" if isinstance(value, float) else str(value)


def intents_line(intents: Mapping[str, Any]) -> str:
    """The drafting chat's intent accuracy, overall and per language, and how many lines were misread."""
    languages = " · ".join(f"{lang} {value:.1%}" for lang, value in intents["by_language"].items())
    return (
        f"Drafting-chat intents ({intents['utterances']} utterances): accuracy {intents['accuracy']:.1%} "
        f"({languages}); misread {len(intents['misses'])}"
    )


def _section_figures(retrieval: Mapping[str, Any]) -> str:
    """The section-level retrieval figures as a line's tail; empty for runs recorded before they existed."""
    if not retrieval.get("section_cases"):
        return ""
    return (
        f"; per section ({retrieval['section_cases']}): hit@1 {retrieval['section_hit_at_1']:.3f} · "
        f"hit@3 {retrieval['section_hit_at_3']:.3f} · MRR {retrieval['section_mrr']:.3f}"
    )


# ---------------------------------------------------------------- terminal


def print_run(run: Mapping[str, Any], console: Console) -> None:
    """The run's headline figures: rules, retrieval, columns side by side, thresholds missed."""
    rules = run["engine"].get("rules")
    if rules:
        table = Table(title=f"Rule engine: {rules['cases']} cases", title_justify="left")
        for name in ("", "precision", "recall", "F1"):
            table.add_column(name, justify="right" if name else "left")
        table.add_row(
            "all codes (micro)",
            _show(rules["micro_precision"], "pct"),
            _show(rules["micro_recall"], "pct"),
            _show(rules["micro_f1"], "pct"),
        )
        for dimension, scores in rules["by_dimension"].items():
            table.add_row(
                dimension, _show(scores["precision"], "pct"), _show(scores["recall"], "pct"), _show(scores["f1"], "pct")
            )
        console.print(table)
    _print_realworld(run, console)
    intents = run["engine"].get("intents")
    if intents:
        console.print(intents_line(intents), highlight=False)
    retrieval = run["engine"].get("retrieval")
    if retrieval:
        console.print(
            f"Retrieval ({retrieval['cases']} questions): hit@1 {retrieval['hit_at_1']:.3f} · "
            f"hit@3 {retrieval['hit_at_3']:.3f} · MRR {retrieval['mrr']:.3f}{_section_figures(retrieval)}",
            highlight=False,
        )
    columns = run["columns"]
    if columns:
        table = Table(title="Assistant tasks, side by side", title_justify="left")
        table.add_column("metric")
        for subject in columns:
            table.add_column(subject, justify="right")
        for group, metric, how in COLUMN_ROWS:
            values = [columns[s].get(group, {}).get(metric) for s in columns]
            if all(v is None for v in values):
                continue
            cells = []
            for subject, value in zip(columns, values, strict=True):
                spread = columns[subject].get(group, {}).get("case_pass_spread") if metric == "case_pass" else None
                cells.append(_show(value, how) + (f" ±{spread * 100:.1f}" if spread else ""))
            table.add_row(f"{group} {metric}", *cells)
        console.print(table)
    missed = [v for v in run["verdicts"] if not v["ok"]]
    console.print(f"Thresholds: {len(run['verdicts']) - len(missed)} of {len(run['verdicts'])} met", highlight=False)
    for verdict in missed:
        console.print(
            f"  [red]missed[/] {verdict['scope']}: {verdict['metric']} = {_show(verdict['value'])} "
            f"(needs {verdict['limit']})",
            highlight=False,
        )


def realworld_rows(realworld: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    """The real-world table's rows: each label, then micro over all labels and per language (support = gold labels)."""

    def micro(scores: Mapping[str, Any]) -> dict[str, Any]:
        support = scores["tp"] + scores["fn"]
        return {**scores, "support": support, "precision": scores["micro_precision"], "recall": scores["micro_recall"]}

    rows: list[tuple[str, Mapping[str, Any]]] = list(realworld["by_label"].items())
    rows.append(("all labels (micro)", micro(realworld)))
    rows += [(f"{lang} (micro)", micro(scores)) for lang, scores in realworld["by_language"].items()]
    return rows


def realworld_title(realworld: Mapping[str, Any]) -> str:
    """``Real-world set: 304 items (en 108, zh 196) in 32 sets``."""
    languages = ", ".join(f"{lang} {scores['items']}" for lang, scores in realworld["by_language"].items())
    return f"Real-world set: {realworld['items']} items ({languages}) in {realworld['sets']} sets"


def _print_realworld(run: Mapping[str, Any], console: Console) -> None:
    """Per-label precision and recall on the real-world set, and its verdicts; or the one line saying it was skipped."""
    realworld = run["engine"].get("realworld")
    if realworld is None:
        note = run["settings"].get("realworld", {}).get("note")
        if note:
            console.print(note, highlight=False, markup=False)
        return
    table = Table(title=realworld_title(realworld), title_justify="left", caption=realworld["path"])
    for name in ("label", "support", "tp", "fp", "fn", "P", "R"):
        table.add_column(name, justify="left" if name == "label" else "right")
    for name, scores in realworld_rows(realworld):
        counts = [str(scores[k]) for k in ("support", "tp", "fp", "fn")]
        table.add_row(name, *counts, _show(scores["precision"], "pct"), _show(scores["recall"], "pct"))
    console.print(table)
    errors = len(realworld["errors"])
    console.print(f"  {errors} items with a miss or a false alarm (listed in the run's JSON and HTML)", highlight=False)
    if realworld.get("unknown_codes"):
        console.print(f"  codes no rule has yet: {', '.join(realworld['unknown_codes'])}", highlight=False)
    for verdict in (v for v in run["verdicts"] if v["scope"] == "realworld"):
        mark = "[green]met[/]" if verdict["ok"] else "[red]missed[/]"
        console.print(
            f"  {mark} {verdict['metric']} = {_show(verdict['value'])} (needs {verdict['limit']})", highlight=False
        )


# ---------------------------------------------------------------- JSON


def write_run(run: Mapping[str, Any], folder: Path) -> Path:
    """``<folder>/eval-<start time>.json``, written atomically and never over an earlier run; returns the path."""
    folder.mkdir(parents=True, exist_ok=True)
    stamp = run["started"].replace(":", "").replace("-", "")[:15]
    path = folder / f"eval-{stamp}.json"
    number = 1
    while path.exists() or path.with_suffix(".html").exists():  # two runs in one second keep both
        number += 1
        path = folder / f"eval-{stamp}-{number}.json"
    write_atomic(path, json.dumps(run, ensure_ascii=False, indent=1))
    return path


def read_run(path: Path) -> dict[str, Any]:
    try:
        run = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path}: not an evaluation run ({exc})") from None
    if not isinstance(run, dict) or run.get("format") != RUN_FORMAT:
        raise ValueError(f"{path}: not an evaluation run of format {RUN_FORMAT}")
    return run


# ---------------------------------------------------------------- comparing


@dataclass(frozen=True, slots=True)
class CaseDiff:
    """One case in two columns (or two runs): verdicts, failed checks and outputs side by side."""

    case: str
    kind: str
    before: Mapping[str, Any] | None
    after: Mapping[str, Any] | None

    @property
    def change(self) -> str:
        if self.before is None or self.after is None:
            return "only after" if self.before is None else "only before"
        if self.before["passed"] == self.after["passed"]:
            return "same" if self.before["output"] == self.after["output"] else "output changed"
        return "fixed" if self.after["passed"] else "broken"


def first_repeat(run: Mapping[str, Any], subject: str) -> dict[str, Mapping[str, Any]]:
    return {r["case"]: r for r in run["results"] if r["subject"] == subject and r["repeat"] == 0}


def compare(
    before: Mapping[str, Any], before_subject: str, after: Mapping[str, Any], after_subject: str
) -> list[CaseDiff]:
    """Every case of either side, paired by id."""
    old, new = first_repeat(before, before_subject), first_repeat(after, after_subject)
    kinds = {r["case"]: r["kind"] for r in [*old.values(), *new.values()]}
    return [CaseDiff(case, kinds[case], old.get(case), new.get(case)) for case in sorted(kinds)]


def default_subject(run: Mapping[str, Any]) -> str:
    """The column to compare when none is named: the first model column, else the offline one."""
    subjects = [s["name"] for s in run["settings"]["subjects"]]
    return next((s for s in subjects if s != "offline"), subjects[0] if subjects else "offline")


def _inline_diff(before: str, after: str) -> str:
    """``after`` with insertions and deletions against ``before`` marked (character level, so CJK works)."""
    out = []
    matcher = SequenceMatcher(a=before, b=after, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            out.append(escape(after[b1:b2]))
            continue
        if a2 > a1:
            out.append(f"<del>{escape(before[a1:a2])}</del>")
        if b2 > b1:
            out.append(f"<ins>{escape(after[b1:b2])}</ins>")
    return "".join(out)


# ---------------------------------------------------------------- HTML

_CSS = """
body{font-family:'Noto Sans CJK SC','PingFang SC','Microsoft YaHei',system-ui,sans-serif;margin:2em;color:#1f2933}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #d5dbe3;padding:4px 8px;vertical-align:top}
th{background:#f3f5f8;text-align:left}.pass{color:#2e7d32}.fail{color:#c62828;font-weight:600}
.num{text-align:right;font-variant-numeric:tabular-nums}pre{white-space:pre-wrap;margin:0;font-family:inherit}
del{background:#fde2e2;text-decoration:line-through}ins{background:#dff5e1;text-decoration:none}
.fixed{background:#eefaf0}.broken{background:#fdf0f0}details summary{cursor:pointer}
"""


def _verdict_cell(result: Mapping[str, Any] | None) -> str:
    if result is None:
        return "<td>–</td>"
    if result["passed"]:
        return '<td class="pass">pass</td>'
    failed = ", ".join(result["failed_checks"]) or (result.get("error") or "")
    return f'<td class="fail">fail<br><small>{escape(failed)}</small></td>'


def render_html(run: Mapping[str, Any], diffs: Sequence[CaseDiff] = (), diff_title: str = "") -> str:
    """The run as one HTML page; with ``diffs``, a section of per-case differences first."""
    subjects = [s["name"] for s in run["settings"]["subjects"]]
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'><title>okr-review evaluation</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>okr-review evaluation · {escape(run['started'])}</h1>",
        f"<p>{escape(_settings_line(run))}</p>",
        _verdict_line(run),
    ]
    if diffs:
        parts.append(_diff_section(diffs, diff_title))
    parts.append(_metrics_section(run, subjects))
    parts.append(_cases_section(run, subjects))
    parts.append("</body></html>")
    return "\n".join(parts)


def render_compare_html(diffs: Sequence[CaseDiff], title: str) -> str:
    """Only the differences between two runs (or two columns)."""
    return "\n".join(
        [
            "<!doctype html><html><head><meta charset='utf-8'><title>okr-review evaluation diff</title>",
            f"<style>{_CSS}</style></head><body><h1>{escape(title)}</h1>",
            _diff_section(diffs, ""),
            "</body></html>",
        ]
    )


def _verdict_line(run: Mapping[str, Any]) -> str:
    """The answer first: how many thresholds held, and which were missed."""
    missed = [v for v in run["verdicts"] if not v["ok"]]
    head = f"Thresholds: {len(run['verdicts']) - len(missed)} of {len(run['verdicts'])} met"
    if not missed:
        return f'<p class="pass"><strong>{escape(head)}</strong></p>'
    items = "".join(
        f"<li>{escape(v['scope'])}: {escape(v['metric'])} = {_show(v['value'])} (needs {escape(v['limit'])})</li>"
        for v in missed
    )
    return f'<p class="fail">{escape(head)}</p><ul>{items}</ul>'


def _settings_line(run: Mapping[str, Any]) -> str:
    settings = run["settings"]
    models = ", ".join(s["name"] for s in settings["subjects"])
    return (
        f"columns: {models} · repeats: {settings['repeats']} · endpoint: {settings.get('endpoint') or '–'} · "
        f"cases: {', '.join(f'{k} {v}' for k, v in run['suite']['counts'].items())}"
    )


def _diff_section(diffs: Sequence[CaseDiff], title: str) -> str:
    changed = [d for d in diffs if d.change != "same"]
    counts = {kind: sum(1 for d in diffs if d.change == kind) for kind in ("fixed", "broken", "output changed")}
    rows = []
    for diff in changed:
        before = diff.before["output"] if diff.before else ""
        after = diff.after["output"] if diff.after else ""
        rows.append(
            f'<tr class="{diff.change.split()[0]}"><td>{escape(diff.case)}<br><small>{escape(diff.kind)}</small></td>'
            f"<td>{escape(diff.change)}</td>{_verdict_cell(diff.before)}{_verdict_cell(diff.after)}"
            f"<td><pre>{escape(before)}</pre></td><td><pre>{_inline_diff(before, after)}</pre></td></tr>"
        )
    head = f"<h2>{escape(title or 'Differences')}</h2>"
    summary = (
        f"<p>{len(diffs)} cases · fixed {counts['fixed']} · broken {counts['broken']} · "
        f"output changed {counts['output changed']}</p>"
    )
    table = (
        "<table><tr><th>case</th><th>change</th><th>before</th><th>after</th><th>output before</th>"
        "<th>output after (changes marked)</th></tr>" + "".join(rows) + "</table>"
    )
    return head + summary + (table if rows else "<p>No case changed.</p>")


def _metrics_section(run: Mapping[str, Any], subjects: Sequence[str]) -> str:
    out = ["<h2>Figures</h2>"]
    rules = run["engine"].get("rules")
    if rules:
        out.append("<h3>Rule engine</h3><table><tr><th>code</th><th>tp</th><th>fp</th><th>fn</th>")
        out.append("<th>precision</th><th>recall</th><th>F1</th></tr>")
        rows = [
            (
                "all (micro)",
                {
                    **rules,
                    "precision": rules["micro_precision"],
                    "recall": rules["micro_recall"],
                    "f1": rules["micro_f1"],
                    "tp": "",
                    "fp": "",
                    "fn": "",
                },
            )
        ]
        rows += list(rules["by_dimension"].items()) + list(rules["by_code"].items())
        for name, scores in rows:
            out.append(
                f"<tr><td>{escape(name)}</td>"
                + "".join(f'<td class="num">{scores[k]}</td>' for k in ("tp", "fp", "fn"))
                + "".join(f'<td class="num">{_show(scores[k], "pct")}</td>' for k in ("precision", "recall", "f1"))
                + "</tr>"
            )
        out.append("</table>")
    out.append(_realworld_section(run))
    retrieval = run["engine"].get("retrieval")
    if retrieval:
        out.append(
            f"<h3>Retrieval</h3><p>{retrieval['cases']} questions · hit@1 {retrieval['hit_at_1']:.3f} · "
            f"hit@3 {retrieval['hit_at_3']:.3f} · MRR {retrieval['mrr']:.3f}{escape(_section_figures(retrieval))}</p>"
        )
    columns = run["columns"]
    if columns:
        out.append("<h3>Assistant tasks</h3><table><tr><th>group</th><th>metric</th>")
        out.extend(f"<th>{escape(s)}</th>" for s in subjects if s in columns)
        out.append("</tr>")
        groups = sorted({g for s in columns.values() for g in s})
        for group in groups:
            metrics = sorted({m for s in columns.values() for m in s.get(group, {}) if m != "checks"})
            checks = sorted({c for s in columns.values() for c in s.get(group, {}).get("checks", {})})
            for metric in [*metrics, *(f"checks.{c}" for c in checks)]:
                cells = []
                for subject in subjects:
                    if subject not in columns:
                        continue
                    values = columns[subject].get(group, {})
                    value = (
                        values.get("checks", {}).get(metric[7:]) if metric.startswith("checks.") else values.get(metric)
                    )
                    how = "pct" if metric.startswith("checks.") or metric.endswith(("pass", "rate")) else "num"
                    cells.append(f'<td class="num">{_show(value, how)}</td>')
                out.append(f"<tr><td>{escape(group)}</td><td>{escape(metric)}</td>{''.join(cells)}</tr>")
        out.append("</table>")
    out.append("<h3>Thresholds</h3><table><tr><th>scope</th><th>metric</th><th>needs</th><th>value</th><th></th></tr>")
    for verdict in run["verdicts"]:
        mark = '<td class="pass">met</td>' if verdict["ok"] else '<td class="fail">missed</td>'
        out.append(
            f"<tr><td>{escape(verdict['scope'])}</td><td>{escape(verdict['metric'])}</td>"
            f"<td>{escape(verdict['limit'])}</td><td class='num'>{_show(verdict['value'])}</td>{mark}</tr>"
        )
    out.append("</table>")
    return "".join(out)


_ERROR_LABELS = ("gold", "predicted", "missed", "false_alarms")


def _realworld_section(run: Mapping[str, Any]) -> str:
    """The real-world figures, then every miss and false alarm with its text, gold labels and codes."""
    realworld = run["engine"].get("realworld")
    if realworld is None:
        note = run["settings"].get("realworld", {}).get("note")
        return f"<h3>Real-world set</h3><p>{escape(note)}</p>" if note else ""
    out = [
        f"<h3>{escape(realworld_title(realworld))}</h3><p>{escape(realworld['path'])}</p>",
        "<table><tr><th>label</th><th>support</th><th>tp</th><th>fp</th><th>fn</th><th>precision</th>"
        "<th>recall</th></tr>",
    ]
    for name, scores in realworld_rows(realworld):
        out.append(
            f"<tr><td>{escape(name)}</td>"
            + "".join(f'<td class="num">{scores[k]}</td>' for k in ("support", "tp", "fp", "fn"))
            + "".join(f'<td class="num">{_show(scores[k], "pct")}</td>' for k in ("precision", "recall"))
            + "</tr>"
        )
    out.append("</table>")
    errors = realworld["errors"]
    out.append(f"<h4>Misses and false alarms ({len(errors)} items)</h4>")
    out.append(
        "<table><tr><th>set · item</th><th>text</th><th>gold</th><th>predicted</th><th>missed</th>"
        "<th>false alarm</th><th>codes</th></tr>"
    )
    for error in errors:
        other = f"<br><small>also {escape(', '.join(error['other_codes']))}</small>" if error["other_codes"] else ""
        out.append(
            f"<tr><td>{escape(error['set'])}<br><small>{escape(error['item'])} · {escape(error['language'])}</small>"
            f"</td><td>{escape(error['text'])}</td>"
            + "".join(f"<td>{escape(', '.join(error[k]) or '–')}</td>" for k in _ERROR_LABELS)
            + f"<td>{escape(', '.join(error['codes']) or '–')}{other}</td></tr>"
        )
    out.append("</table>")
    return "".join(out)


def _cases_section(run: Mapping[str, Any], subjects: Sequence[str]) -> str:
    by_case: dict[str, dict[str, Mapping[str, Any]]] = {}
    kinds: dict[str, str] = {}
    for result in run["results"]:
        if result["repeat"] == 0:
            by_case.setdefault(result["case"], {})[result["subject"]] = result
            kinds[result["case"]] = result["kind"]
    shown = [s for s in ["engine", *subjects] if any(s in v for v in by_case.values())]
    out = ["<h2>Cases</h2><table><tr><th>case</th>"]
    out.extend(f"<th>{escape(s)}</th>" for s in shown)
    out.append("</tr>")
    for case in sorted(by_case, key=lambda c: (kinds[c], c)):
        results = by_case[case]
        cells = "".join(_verdict_cell(results.get(s)) for s in shown)
        outputs = "".join(
            f"<details><summary>{escape(s)}</summary><pre>{escape(results[s]['output'])}</pre></details>"
            for s in shown
            if s in results
        )
        out.append(f"<tr><td>{escape(case)}<br><small>{escape(kinds[case])}</small>{outputs}</td>{cells}</tr>")
    out.append("</table>")
    return "".join(out)


def write_html(html: str, path: Path) -> None:
    write_atomic(path, html)
