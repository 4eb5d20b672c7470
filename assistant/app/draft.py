"""The draft tab's logic: a drafting session per browser session, its table, and the per-item assistant actions.

Kept apart from the gradio wiring so it can be tested directly: the table is a list of rows
``[O#, objective, KR#, key result, owner]``, one row per KR (an objective without KRs is one row
with empty KR cells).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from functools import cache
from typing import Any

from ..assist.drafting import DraftingSession
from ..assist.questions import QuestionsOutcome, guiding_questions
from ..assist.rewrite import RewriteOutcome, rewrite_kr
from ..assist.schemas import DraftObjective
from ..findings import Finding, Severity
from ..model import Level, OKRSet, level_name
from ..shipped import data_table
from .context import AppContext
from .texts import text

TABLE_COLUMNS = ("col_objective_no", "col_objective", "col_kr_no", "col_kr", "col_owner")


class AppDraftingSession(DraftingSession):
    """A drafting session that also knows the draft's level (公司 / 部门 / 团队 / 个人), which the checks use."""

    level: Level | None = None

    def okr_set(self) -> OKRSet:
        found = super().okr_set()
        return found if self.level is None else found.model_copy(update={"level": self.level})

    def carry_over(self, other: DraftingSession) -> None:
        self.level = getattr(other, "level", None)  # before the draft is checked again under it
        super().carry_over(other)


def new_session(ctx: AppContext, language: str) -> AppDraftingSession:
    return AppDraftingSession(language, team=text(language, "my_team"), **ctx.tools)


def in_language(session: DraftingSession | None, ctx: AppContext, language: str) -> DraftingSession:
    """The session to use in ``language``: a new one when there is none, the same draft in a new one on a switch."""
    if session is None:
        return new_session(ctx, language)
    if session.language == language:
        return session
    switched = new_session(ctx, language)
    switched.carry_over(session)  # history, draft, cycle, level, context, undo steps
    return switched


def level_choices(language: str) -> list[tuple[str, str]]:
    """(name, key) for every level, top of the organisation first, named as in levels.toml."""
    return [(level_name(level, language), level.value) for level in Level]


def set_level(session: DraftingSession, level: str | None) -> None:
    """The draft's level as chosen (none when empty or unknown); the caller checks the draft again."""
    chosen = Level(level) if level in {item.value for item in Level} else None
    if isinstance(session, AppDraftingSession):
        session.level = chosen


def level_of(session: DraftingSession | None) -> str | None:
    level = getattr(session, "level", None)
    return level.value if level is not None else None


def team_shown(session: DraftingSession | None, language: str) -> str:
    """The team as the team box shows it: empty while it is still the default "my team"."""
    if session is None or session.team in {text(other, "my_team") for other in ("zh", "en")}:
        return ""
    return session.team


@cache
def hints_while_drafting() -> frozenset[str]:
    """Rule codes shown as hints, not errors, while an objective is still waiting for its KRs (app.toml)."""
    return frozenset(data_table("app")["draft-panel"]["hints-while-drafting"])


def panel_findings(session: DraftingSession) -> list[Finding]:
    """The session's findings as the panel shows them: an objective that has no KRs *yet* is a hint, not 严重.

    The rules judge a finished set, where an objective without KRs is an error; in a draft it is the next step.
    """
    return [replace(f, severity=Severity.info) if f.code in hints_while_drafting() else f for f in session.findings]


def _ref_numbers(ref: str) -> tuple[int, int | None] | None:
    head, _, kr_part = ref.partition(".")
    try:
        return int(head.removeprefix("O")) - 1, int(kr_part.removeprefix("KR")) - 1 if kr_part else None
    except ValueError:
        return None


def move_item(draft: Sequence[DraftObjective], ref: str, step: int) -> tuple[list[DraftObjective], str]:
    """The draft with the objective or KR ``ref`` moved ``step`` places (−1 up, +1 down), and its new ref.

    An item already first or last stays; ValueError for a ref the draft does not have.
    """
    found = _ref_numbers(ref)
    objectives = [o.model_copy(deep=True) for o in draft]
    if found is None or not 0 <= found[0] < len(objectives):
        raise ValueError(ref)
    o_index, k_index = found
    if k_index is None:
        target = min(max(o_index + step, 0), len(objectives) - 1)
        objectives.insert(target, objectives.pop(o_index))
        return objectives, f"O{target + 1}"
    krs = list(objectives[o_index].key_results)
    if not 0 <= k_index < len(krs):
        raise ValueError(ref)
    target = min(max(k_index + step, 0), len(krs) - 1)
    krs.insert(target, krs.pop(k_index))
    objectives[o_index] = objectives[o_index].model_copy(update={"key_results": krs})
    return objectives, f"O{o_index + 1}.KR{target + 1}"


def delete_item(draft: Sequence[DraftObjective], ref: str) -> list[DraftObjective]:
    """The draft without the objective (with its KRs) or the KR ``ref``; ValueError for a ref it does not have."""
    found = _ref_numbers(ref)
    objectives = [o.model_copy(deep=True) for o in draft]
    if found is None or not 0 <= found[0] < len(objectives):
        raise ValueError(ref)
    o_index, k_index = found
    if k_index is None:
        del objectives[o_index]
        return objectives
    krs = list(objectives[o_index].key_results)
    if not 0 <= k_index < len(krs):
        raise ValueError(ref)
    del krs[k_index]
    objectives[o_index] = objectives[o_index].model_copy(update={"key_results": krs})
    return objectives


def table_headers(language: str) -> list[str]:
    return [text(language, key) for key in TABLE_COLUMNS]


def table_rows(draft: Sequence[DraftObjective]) -> list[list[str]]:
    """The draft as table rows, one per KR; an objective still without KRs is one row of its own."""
    rows: list[list[str]] = []
    for o_number, objective in enumerate(draft, start=1):
        if not objective.key_results:
            rows.append([f"O{o_number}", objective.text, "", "", objective.owner])
        for k_number, kr in enumerate(objective.key_results, start=1):
            rows.append([f"O{o_number}", objective.text, f"KR{k_number}", kr.text, kr.owner])
    return rows


def _cell(row: Sequence[Any], index: int) -> str:
    value = row[index] if index < len(row) else ""
    return "" if value is None else str(value).strip()


def rows_to_draft(rows: Sequence[Sequence[Any]]) -> list[dict[str, Any]]:
    """Edited table rows back into draft objectives: rows group by their O column (by objective text when empty).

    The first non-empty objective text of a group names it; a row without KR text adds no KR; the owner
    cell belongs to the KR, or to the objective on a row without a KR. Blank rows are skipped.
    """
    groups: dict[str, dict[str, Any]] = {}
    for row in rows:
        o_ref, objective, kr, owner = _cell(row, 0), _cell(row, 1), _cell(row, 3), _cell(row, 4)
        if not (o_ref or objective or kr):
            continue
        group = groups.setdefault(o_ref.upper() or objective, {"text": "", "owner": "", "key_results": []})
        group["text"] = group["text"] or objective
        if kr:
            group["key_results"].append({"text": kr, "owner": owner})
        elif owner:
            group["owner"] = owner
    return [g for g in groups.values() if g["text"] or g["key_results"]]


def chat_turn(session: DraftingSession, message: str, history: list[dict[str, str]]) -> Iterator[list[dict[str, str]]]:
    """The chat history as the reply streams in: the user's message, then the assistant's growing answer."""
    history = [*history, {"role": "user", "content": message}, {"role": "assistant", "content": ""}]
    for piece in session.send(message):
        history[-1] = {"role": "assistant", "content": history[-1]["content"] + piece}
        yield history


def item_choices(draft: Sequence[DraftObjective]) -> list[tuple[str, str]]:
    """(label, ref) for every objective and KR of the draft, for the per-item actions."""
    choices: list[tuple[str, str]] = []
    for o_number, objective in enumerate(draft, start=1):
        choices.append((f"O{o_number} · {objective.text[:40]}", f"O{o_number}"))
        for k_number, kr in enumerate(objective.key_results, start=1):
            ref = f"O{o_number}.KR{k_number}"
            choices.append((f"{ref} · {kr.text[:40]}", ref))
    return choices


def _lookup(draft: Sequence[DraftObjective], ref: str) -> tuple[DraftObjective, Any] | None:
    head, _, kr_part = ref.partition(".")
    try:
        objective = draft[int(head.removeprefix("O")) - 1]
        kr = objective.key_results[int(kr_part.removeprefix("KR")) - 1] if kr_part else None
    except (ValueError, IndexError):
        return None
    return objective, kr


def assist_item(session: DraftingSession, ref: str | None, action: str, ctx: AppContext) -> str:
    """Rewrite candidates (``action="rewrite"``) or guiding questions for one item of the draft, as text."""
    outcome = assist_outcome(session, ref, action, ctx)
    return outcome if isinstance(outcome, str) else outcome.describe(session.language)


def assist_outcome(
    session: DraftingSession, ref: str | None, action: str, ctx: AppContext
) -> RewriteOutcome | QuestionsOutcome | str:
    """The rewrite or questions outcome for one item, or the words saying why there is none (no item, not a KR)."""
    language = session.language
    found = _lookup(session.draft, ref) if ref else None
    if found is None:
        return text(language, "pick_item")
    objective, kr = found
    if action == "rewrite":
        if kr is None:
            return text(language, "not_a_kr")
        others = [k.text for k in objective.key_results if k is not kr]
        return rewrite_kr(
            kr.text,
            objective=objective.text,
            context=" / ".join([session.context_text(), *others]).strip(" /"),  # what the user said in the chat
            language=language,
            **ctx.tools,
        )
    if kr is None:
        outcome = guiding_questions(objective.text, kind="objective", language=language, **ctx.tools)
    else:
        outcome = guiding_questions(
            kr.text, kind="key_result", objective=objective.text, language=language, **ctx.tools
        )
    return outcome
