"""The assistant's commands: rewrite a KR, guiding questions, retrospective draft, drafting chat. All work offline.

With an LLM endpoint configured they ask it (cached, retried, checked by the rules); without one they
print the deterministic suggestions and say so. Token counts go to stderr at the end of a run.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ..analysis.language import detect_language
from ..reports import write_atomic
from ._common import (
    EXIT_ERROR,
    ConfigOption,
    DataDirOption,
    KnowledgeDirOption,
    assistant_tools,
    err,
    fail,
    load_settings,
)

OfflineOption = Annotated[bool, typer.Option("--offline", help="Do not call the LLM even if one is configured.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]
LangOption = Annotated[str | None, typer.Option("--lang", help="zh or en (default: the text's language).")]

if TYPE_CHECKING:
    from ..llm import LLM


def register(app: typer.Typer) -> None:
    """Add the assistant's commands to the command group."""
    app.command()(rewrite)
    app.command()(questions)
    app.command()(retro)
    app.command()(draft)


def _language(option: str | None, text: str) -> str:
    if option is not None and option not in ("zh", "en"):
        raise fail(f"--lang must be zh or en, not {option!r}")
    return option or detect_language(text)


def _finish(outcome: Any, llm: LLM | None, language: str, as_json: bool) -> None:
    if as_json:
        payload = outcome.to_dict()
        if llm is not None:
            payload["usage"] = llm.usage.to_dict()
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
    else:
        typer.echo(outcome.describe(language))
    if llm is not None:
        err.print(llm.usage.describe(language), highlight=False, markup=False)


def rewrite(
    key_result: Annotated[str, typer.Argument(help="The key result to rewrite.")],
    objective: Annotated[str, typer.Option("--objective", "-O", help="The objective it belongs to.")] = "",
    context: Annotated[str, typer.Option(help="Team context: what the team does, known figures.")] = "",
    count: Annotated[int, typer.Option(min=1, max=5, help="How many candidates to ask for.")] = 3,
    lang: LangOption = None,
    as_json: JsonOption = False,
    offline: OfflineOption = False,
    data_dir: DataDirOption = None,
    knowledge_dir: KnowledgeDirOption = None,
    config_path: ConfigOption = None,
) -> None:
    """Rewrite a vague or activity-style key result into candidates that pass the CLASSIC checks."""
    from ..assist.rewrite import rewrite_kr

    if not key_result.strip():
        raise fail("the key result is empty")
    config = load_settings(config_path)
    language = _language(lang, key_result)
    tools = assistant_tools(config, offline=offline, data_dir=data_dir, knowledge_dir=knowledge_dir)
    outcome = rewrite_kr(key_result, objective=objective, context=context, language=language, count=count, **tools)
    _finish(outcome, tools["llm"], language, as_json)


def questions(
    text: Annotated[str, typer.Argument(help="The objective or key result under discussion.")],
    kind: Annotated[str, typer.Option(help="objective or kr.")] = "objective",
    objective: Annotated[str | None, typer.Option("--objective", "-O", help="For a KR: its objective.")] = None,
    stage: Annotated[
        str | None,
        typer.Option(help="Business stage, in Chinese or English (初创期, growth…; a wrong one lists them all)."),
    ] = None,
    count: Annotated[int, typer.Option(min=3, max=6, help="How many questions.")] = 5,
    lang: LangOption = None,
    as_json: JsonOption = False,
    offline: OfflineOption = False,
    data_dir: DataDirOption = None,
    knowledge_dir: KnowledgeDirOption = None,
    config_path: ConfigOption = None,
) -> None:
    """Guiding questions for a team discussing an objective or key result (co-creation workshop)."""
    from ..assist.questions import guiding_questions

    kinds = {"objective": "objective", "o": "objective", "kr": "key_result", "key_result": "key_result"}
    if kind.lower() not in kinds:
        raise fail(f"--kind must be objective or kr, not {kind!r}")
    from ..stages import StageError, stage_key

    try:
        stage_key(stage)
    except StageError as exc:
        raise fail(f"--stage: {exc}") from None
    if not text.strip():
        raise fail("the text is empty")
    config = load_settings(config_path)
    language = _language(lang, text)
    tools = assistant_tools(config, offline=offline, data_dir=data_dir, knowledge_dir=knowledge_dir)
    outcome = guiding_questions(
        text, kind=kinds[kind.lower()], objective=objective, stage=stage, language=language, count=count, **tools
    )
    _finish(outcome, tools["llm"], language, as_json)


def retro(
    paths: Annotated[list[str], typer.Argument(help="Files with final scores (score column or field).")],
    checkins: Annotated[
        Path | None, typer.Option(help="Check-in notes per KR (CSV, YAML or JSON: KR ref → note).")
    ] = None,
    team: Annotated[str | None, typer.Option(help="Only the set of this team.")] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the Markdown draft here.")] = None,
    lang: LangOption = None,
    as_json: JsonOption = False,
    offline: OfflineOption = False,
    data_dir: DataDirOption = None,
    knowledge_dir: KnowledgeDirOption = None,
    config_path: ConfigOption = None,
) -> None:
    """Draft a retrospective (复盘) for each scored set: achieved and missed KRs, calibration, next cycle."""
    from ..assist.retrospective import draft_retrospective, read_checkins
    from ..importers import load_paths

    config = load_settings(config_path)
    loaded = load_paths(paths, limits=dict(config.limits) or None)
    for problem in loaded.problems:
        err.print(problem.describe(), highlight=False, markup=False)
    notes: dict[str, str] = {}
    if checkins is not None:
        notes, problems = read_checkins(checkins)
        for problem in problems:
            err.print(problem.describe(), highlight=False, markup=False)
    sets = [s for s in loaded.sets if team is None or s.team == team]
    if not sets:
        raise fail(f"no OKR set of team {team!r}" if team else "no OKR set could be read")
    tools = assistant_tools(config, offline=offline, data_dir=data_dir, knowledge_dir=knowledge_dir)
    llm = tools["llm"]
    outcomes = [
        draft_retrospective(
            okr_set, checkins=notes, language=_language(lang, " ".join(o.text for o in okr_set.objectives)), **tools
        )
        for okr_set in sets
    ]
    language = lang or outcomes[0].language
    if as_json:
        payload: dict[str, Any] = {"retrospectives": [o.to_dict() for o in outcomes]}
        if llm is not None:
            payload["usage"] = llm.usage.to_dict()
        text = json.dumps(payload, ensure_ascii=False, indent=2) + "\n"
    else:
        text = "\n\n".join(o.describe(language) for o in outcomes) + "\n"
    if output is None:
        sys.stdout.write(text)
    else:
        write_atomic(output, text)
        err.print(f"retrospective written to {output}", highlight=False)
    if llm is not None:
        err.print(llm.usage.describe(language), highlight=False, markup=False)
    unscored = not any(o.scored for o in outcomes)
    if unscored:
        err.print("no set has scores: add a score column (0–1, 0–100% or 1–5)", highlight=False)
    if loaded.unreadable or unscored:
        raise typer.Exit(EXIT_ERROR)


def draft(
    team: Annotated[str, typer.Option(help="The team the OKRs are for.")] = "我的团队",
    cycle: Annotated[str | None, typer.Option(help="The cycle, e.g. 2026Q1.")] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="At the end, write the draft here as an input JSON file.")
    ] = None,
    lang: Annotated[str, typer.Option("--lang", help="zh or en.")] = "zh",
    offline: OfflineOption = False,
    data_dir: DataDirOption = None,
    knowledge_dir: KnowledgeDirOption = None,
    config_path: ConfigOption = None,
) -> None:
    """Draft an OKR set in a conversation (O first, then KRs); every turn is checked. One line per message.

    ``/draft`` shows the draft so far; ``/quit`` or end of input finishes.
    """
    from ..assist.drafting import DraftingSession, render_draft

    language = _language(lang, "")
    config = load_settings(config_path)
    tools = assistant_tools(config, offline=offline, data_dir=data_dir, knowledge_dir=knowledge_dir)
    llm = tools["llm"]
    session = DraftingSession(language, team=team, cycle=cycle, **tools)
    prompt = "> " if sys.stdin.isatty() else ""  # the offline coach's first reply says it is offline
    err.print(_DRAFT_HELP[language], highlight=False)
    err.print(prompt, end="", highlight=False)
    for line in sys.stdin:
        message = line.strip()
        if not message:
            continue
        if message in ("/quit", "/exit", "/q"):
            break
        if message == "/draft":
            typer.echo(render_draft(session.draft, language) or "—")
            continue
        for piece in session.send(message):
            sys.stdout.write(piece)
            sys.stdout.flush()
        sys.stdout.write("\n\n")
        if session.last_error:
            err.print(session.last_error, highlight=False, markup=False)
        err.print(prompt, end="", highlight=False)
    if output is not None and session.draft:
        document = session.okr_set().model_dump(mode="json", exclude_none=True, exclude_defaults=True)
        write_atomic(output, json.dumps(document, ensure_ascii=False, indent=2) + "\n")
        err.print(f"draft written to {output}", highlight=False)
    if llm is not None:
        err.print(llm.usage.describe(language), highlight=False, markup=False)


_DRAFT_HELP = {
    "zh": "先说背景和目标（O），再逐条写关键结果（KR）；也可以说“删除 KR3”“撤销”“周期：2025Q3”“帮我改写 KR2”"
    "“给我几个引导问题”。每行一条消息；/draft 查看草稿，/quit 结束。",
    "en": "Tell me the context and the objective (O) first, then the key results (KRs); you can also say “remove KR3”, "
    "“undo”, “cycle: 2025Q3”, “rewrite KR2”, “give me guiding questions”. One line per message; /draft shows the "
    "draft, /quit ends.",
}
