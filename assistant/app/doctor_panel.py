"""The settings panel's view of ``okr-review doctor``: the same report, as Markdown for a ``gr.Markdown``.

The app calls :func:`doctor_markdown` with a report from :func:`assistant.llm.doctor.diagnose` (or
:func:`run_doctor` to make one from the app's config, with the same rewrite round-trip as the CLI);
nothing here prints or keeps the API key.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..llm.doctor import DoctorReport, configured, diagnose, source_words, words

if TYPE_CHECKING:
    from ..config import Config

ICONS = {"ok": "✅", "warn": "🟡", "degraded": "⚠️", "config": "❌", "skip": "➖"}
VERDICT_ICONS = {"ok": "✅", "degraded": "⚠️", "config_error": "❌"}


def run_doctor(config: Config, language: str, *, round_trip: bool = True) -> DoctorReport:
    """Diagnose the endpoint and index the app's ``config`` describes; setting errors become report lines."""
    from ..assist.round_trip import rewrite_round_trip

    settings, knowledge = configured(config)
    return diagnose(
        settings,
        knowledge,
        config_file=config.source,
        language=language,
        round_trip=rewrite_round_trip if round_trip else None,
    )


def doctor_markdown(report: DoctorReport, language: str) -> str:
    """The report as Markdown: verdict first, then endpoint facts, a table of checks, and where settings came from."""
    lines = [
        f"### {words(language, 'title')}",
        "",
        f"{VERDICT_ICONS[report.verdict]} **{_cell(words(language, f'verdict_{report.verdict}'))}**",
        "",
    ]
    if report.endpoint:
        endpoint = report.endpoint + (
            f" (Azure api-version {report.azure_api_version})" if report.azure_api_version else ""
        )
        lines += [
            f"- {words(language, 'endpoint')}: `{endpoint}`",
            f"- {words(language, 'model')}: `{report.model}`",
            f"- {words(language, 'key')}: {report.key or words(language, 'key_none')}",
            f"- {words(language, 'proxy')}: {report.proxy or words(language, 'proxy_none')}",
        ]
    for name, where in source_words(report, language):
        lines.append(f"- {words(language, 'sources')} `{name}`: {where}")
    lines += [
        "",
        f"| {words(language, 'check')} | {words(language, 'result')} | {words(language, 'time')} | "
        f"{words(language, 'detail')} |",
        "|---|---|---|---|",
    ]
    for check in report.checks:
        took = f"{check.seconds * 1000:.0f} ms" if check.seconds is not None else ""
        status = f"{ICONS[check.status]} {words(language, f'status_{check.status}')}"
        lines.append(f"| {words(language, f'check_{check.key}')} | {status} | {took} | {_cell(check.detail)} |")
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell: no pipes, no line breaks, no HTML."""
    return " ".join(text.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;").split())
