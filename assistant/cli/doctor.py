"""``okr-review doctor``: check the configured LLM endpoint and the knowledge index, and say what works.

Exit 0 when everything the assistant needs works, 1 when it will run degraded (offline, unreachable),
2 on a configuration error (a bad setting, a refused key, an unknown model). The API key is never printed.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer

from ._common import ConfigOption, DataDirOption, KnowledgeDirOption, load_settings, message_language

if TYPE_CHECKING:
    from ..llm.doctor import DoctorReport

MARKS = {"ok": "✓", "warn": "~", "degraded": "!", "config": "✗", "skip": "-"}


def register(app: typer.Typer) -> None:
    """Add ``okr-review doctor`` to the command group."""
    app.command("doctor")(doctor)


def doctor(
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON (for scripts).")] = False,
    lang: Annotated[
        str | None, typer.Option("--lang", help="zh or en (default: the setting, else the locale).")
    ] = None,
    no_rewrite: Annotated[
        bool, typer.Option("--no-rewrite", help="Skip the rewrite round-trip (the probes only).")
    ] = False,
    data_dir: DataDirOption = None,
    knowledge_dir: KnowledgeDirOption = None,
    config_path: ConfigOption = None,
) -> None:
    """Check the LLM endpoint (reachable, model, JSON mode, tools, streaming, one rewrite) and the knowledge index."""
    from ..assist.round_trip import rewrite_round_trip
    from ..llm.doctor import configured, diagnose

    config = load_settings(config_path)
    language = message_language(lang or config.language)
    settings, knowledge = configured(config, data_dir=data_dir, knowledge_dir=knowledge_dir)
    report = diagnose(
        settings,
        knowledge,
        config_file=config.source,
        language=language,
        round_trip=None if no_rewrite else rewrite_round_trip,
    )
    if as_json:
        typer.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        typer.echo(render_text(report, language))
    raise typer.Exit(report.exit_code)


def render_text(report: DoctorReport, language: str) -> str:
    """The report as plain lines: the endpoint, where each setting came from, one line per check, the verdict."""
    from ..llm.doctor import source_words, words

    lines = [words(language, "title")]
    if report.endpoint:
        key = report.key or words(language, "key_none")
        lines += [
            f"  {words(language, 'endpoint')}: {report.endpoint}"
            + (f" (Azure api-version {report.azure_api_version})" if report.azure_api_version else ""),
            f"  {words(language, 'model')}: {report.model}",
            f"  {words(language, 'key')}: {key}",
            f"  {words(language, 'proxy')}: {report.proxy or words(language, 'proxy_none')}",
        ]
    sources = source_words(report, language)
    if sources:
        lines.append(f"  {words(language, 'sources')}: " + "; ".join(f"{name} ← {where}" for name, where in sources))
    lines.append("")
    for check in report.checks:
        took = f" [{check.seconds * 1000:.0f} ms]" if check.seconds is not None else ""
        label = words(language, f"check_{check.key}")
        status = words(language, f"status_{check.status}")
        lines.append(f"{MARKS[check.status]} {label}: {status}{took} — {check.detail}")
    lines += ["", words(language, f"verdict_{report.verdict}")]
    return "\n".join(lines)
