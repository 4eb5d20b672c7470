"""The draft tab: chat with the drafting assistant, the draft as an editable table, its findings, item actions.

Each browser session keeps its own :class:`DraftingSession` in the ``drafting`` state; the logic is in
:mod:`assistant.app.draft`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from html import escape
from typing import Any

import gradio as gr

from ...assist.drafting import DraftingSession
from ...assist.rewrite import RewriteOutcome
from .. import draft, suggestions
from ..context import AppContext
from ..panel import findings_html
from ..texts import language_of, text
from ..updates import KEEP, Choices, Keep, Shown, Table, rows_of
from ..wiring import TOAST, Page

ChatHistory = list[dict[str, str]]
DRAFT_WIDTHS = ["9%", "30%", "9%", "36%", "16%"]  # O, objective, KR, key result, owner: the owner stays in view


@dataclass(frozen=True)
class Turn:
    """One step of a chat turn: the conversation so far, the cleared box and, at the end, the checked draft."""

    chat: ChatHistory | None
    message: str
    draft_table: Table | Keep
    panel: str | Keep
    item: Choices | Keep
    drafting: DraftingSession | None
    cycle: str | Keep = KEEP  # what the chat set ("周期：2025Q3") shows in the boxes
    team: str | Keep = KEEP


@dataclass(frozen=True)
class Restarted:
    """Everything emptied for a new draft."""

    chat: ChatHistory
    draft_table: Table
    panel: str
    item: Choices
    drafting: None
    advice: str
    candidate: Choices
    adopt: Shown
    checklist: Choices
    cycle: str
    team: str
    level: None


@dataclass(frozen=True)
class Edited:
    """The edited table's draft, checked again; a warning when the edit could not be read."""

    panel: str
    item: Choices
    drafting: DraftingSession
    warning: str = field(default="", metadata=TOAST)


@dataclass(frozen=True)
class InContext:
    """The draft checked again under its team and cycle (a cycle stands in for each KR's missing deadline)."""

    panel: str
    item: Choices
    drafting: DraftingSession


@dataclass(frozen=True)
class Rearranged:
    """The draft after an item was moved or deleted, checked again, with the moved item still chosen."""

    draft_table: Table | Keep
    panel: str | Keep
    item: Choices | Keep
    drafting: DraftingSession | None
    warning: str = field(default="", metadata=TOAST)


@dataclass(frozen=True)
class Advice:
    """Rewrite candidates as cards with the choice to use one, or guiding questions as a checklist, for one item."""

    advice: str
    candidate: Choices
    adopt: Shown
    checklist: Choices


@dataclass(frozen=True)
class Adopted:
    """The draft with a candidate in place of its key result, checked again at once."""

    draft_table: Table | Keep
    panel: str | Keep
    item: Choices | Keep
    drafting: DraftingSession | None
    advice: str | Keep
    candidate: Choices | Keep
    adopt: Shown
    warning: str = field(default="", metadata=TOAST)


@dataclass(frozen=True)
class DraftInLanguage:
    """The same draft after a language switch: table headers, findings and item choices re-worded."""

    draft_table: Table
    panel: str
    item: Choices
    drafting: DraftingSession | None
    level: Choices


def draft_view(ctx: AppContext, drafting: DraftingSession | None, language: str) -> tuple[Table, str, Choices]:
    """The draft's table, its findings panel and the item choices (the empty state when there is no draft)."""
    headers = draft.table_headers(language)
    if drafting is None or not drafting.draft:
        empty = findings_html([], {}, language, empty=text(language, "panel_empty"))
        return Table(headers), empty, Choices([], None)
    choices = draft.item_choices(drafting.draft)
    return (
        Table(headers, draft.table_rows(drafting.draft)),
        findings_html(draft.panel_findings(drafting), ctx.notebook.notes, language),
        Choices(choices, choices[-1][1]),
    )


def send(
    ctx: AppContext, message: str | None, chat: ChatHistory | None, drafting: DraftingSession | None, language: str
) -> Iterator[Turn]:
    """The reply as it streams in, then the draft it changed, checked (an empty message changes nothing)."""
    if not message or not message.strip():
        yield Turn(chat, "", *draft_view(ctx, drafting, language), drafting)
        return
    drafting = draft.in_language(drafting, ctx, language)
    shown = chat or []
    for shown in draft.chat_turn(drafting, message.strip(), chat or []):
        yield Turn(shown, "", KEEP, KEEP, KEEP, drafting)
    cycle, team = drafting.cycle or "", draft.team_shown(drafting, language)
    yield Turn(shown, "", *draft_view(ctx, drafting, language), drafting, cycle, team)


def restart(ctx: AppContext, language: str) -> Restarted:
    """A new, empty draft (the old session is dropped)."""
    return Restarted([], *draft_view(ctx, None, language), None, "", NO_CHOICES, HIDDEN, NO_CHOICES, "", "", None)


def edit(ctx: AppContext, draft_table: Any, drafting: DraftingSession | None, language: str) -> Edited:
    """The table as edited becomes the draft and is checked again; a table that cannot be read keeps the draft."""
    drafting = draft.in_language(drafting, ctx, language)
    warning = ""
    try:
        drafting.set_draft(draft.rows_to_draft(rows_of(draft_table)))
    except ValueError as exc:
        warning = str(exc)
    _, panel, item = draft_view(ctx, drafting, language)
    return Edited(panel, item, drafting, warning)


def set_context(
    ctx: AppContext,
    cycle: str | None,
    team: str | None,
    level: str | None,
    drafting: DraftingSession | None,
    language: str,
) -> InContext:
    """The cycle (2025Q3), team and level as given become the draft's, and the draft is checked again."""
    drafting = draft.in_language(drafting, ctx, language)
    drafting.cycle = "".join((cycle or "").split()) or None
    if team and team.strip():  # an emptied box keeps the team the chat or the box gave before
        drafting.team = team.strip()
    draft.set_level(drafting, level)
    drafting.recheck()
    _, panel, item = draft_view(ctx, drafting, language)
    return InContext(panel, item, drafting)


NO_CHOICES = Choices([], None, visible=False)
HIDDEN = Shown(False)  # the "use this" button, shown only while there is a candidate to use


def _assist(ctx: AppContext, action: str, item: str | None, drafting: DraftingSession | None, language: str) -> Advice:
    if drafting is None:
        return Advice(_words(text(language, "pick_item")), NO_CHOICES, HIDDEN, NO_CHOICES)
    outcome = draft.assist_outcome(draft.in_language(drafting, ctx, language), item, action, ctx)
    notes = ctx.notebook.notes
    if isinstance(outcome, str):
        return Advice(_words(outcome), NO_CHOICES, HIDDEN, NO_CHOICES)
    if isinstance(outcome, RewriteOutcome):
        choices = suggestions.candidate_choices(outcome)
        return Advice(
            suggestions.rewrite_cards(outcome, notes, language),
            Choices(choices, choices[0][1] if choices else None, visible=bool(choices)),
            Shown(bool(choices)),
            NO_CHOICES,
        )
    questions = suggestions.question_choices(outcome, language)
    return Advice(
        suggestions.question_intro(outcome, notes, language), NO_CHOICES, HIDDEN, Choices(questions, [], visible=True)
    )


def _words(message: str) -> str:
    return f'<p class="okr-advice-note">{escape(message)}</p>'


def adopt(
    ctx: AppContext, item: str | None, candidate: str | None, drafting: DraftingSession | None, language: str
) -> Adopted:
    """The chosen candidate replaces the chosen KR in the draft, which is checked again at once."""
    if drafting is None or not candidate:
        return Adopted(KEEP, KEEP, KEEP, drafting, KEEP, KEEP, HIDDEN, text(language, "pick_candidate"))
    drafting = draft.in_language(drafting, ctx, language)
    try:
        drafting.set_draft(suggestions.adopt(drafting.draft, item or "", candidate))
    except ValueError:
        return Adopted(KEEP, KEEP, KEEP, drafting, KEEP, KEEP, HIDDEN, text(language, "not_a_kr"))
    table, panel, choices = draft_view(ctx, drafting, language)
    chosen = Choices(choices.choices, item)  # the same KR stays chosen
    return Adopted(table, panel, chosen, drafting, _words(text(language, "adopted", ref=item)), NO_CHOICES, HIDDEN)


def _rearrange(
    ctx: AppContext, item: str | None, drafting: DraftingSession | None, language: str, step: int
) -> Rearranged:
    if drafting is None or not drafting.draft or not item:
        return Rearranged(KEEP, KEEP, KEEP, drafting, text(language, "pick_item"))
    drafting = draft.in_language(drafting, ctx, language)
    try:
        if step:
            changed, chosen = draft.move_item(drafting.draft, item, step)
        else:
            changed, chosen = draft.delete_item(drafting.draft, item), None
    except ValueError:
        return Rearranged(KEEP, KEEP, KEEP, drafting, text(language, "pick_item"))
    drafting.set_draft(changed)
    table, panel, choices = draft_view(ctx, drafting, language)
    return Rearranged(table, panel, Choices(choices.choices, chosen or choices.value), drafting)


def move_up(ctx: AppContext, item: str | None, drafting: DraftingSession | None, language: str) -> Rearranged:
    """The chosen objective or KR one place up (its KRs move with an objective), the draft checked again."""
    return _rearrange(ctx, item, drafting, language, -1)


def move_down(ctx: AppContext, item: str | None, drafting: DraftingSession | None, language: str) -> Rearranged:
    """The chosen objective or KR one place down."""
    return _rearrange(ctx, item, drafting, language, 1)


def delete(ctx: AppContext, item: str | None, drafting: DraftingSession | None, language: str) -> Rearranged:
    """The chosen KR, or the chosen objective with its KRs, out of the draft."""
    return _rearrange(ctx, item, drafting, language, 0)


def rewrite(ctx: AppContext, item: str | None, drafting: DraftingSession | None, language: str) -> Advice:
    """Rewrite candidates for the chosen KR."""
    return _assist(ctx, "rewrite", item, drafting, language)


def questions(ctx: AppContext, item: str | None, drafting: DraftingSession | None, language: str) -> Advice:
    """Guiding questions for the chosen objective or KR."""
    return _assist(ctx, "questions", item, drafting, language)


def switch_language(ctx: AppContext, switch: str, drafting: DraftingSession | None) -> DraftInLanguage:
    """The draft, its findings and the table headers in the new language (the draft itself is kept)."""
    language = language_of(switch)
    if drafting is not None:
        drafting = draft.in_language(drafting, ctx, language)
    level = Choices(draft.level_choices(language), draft.level_of(drafting))
    return DraftInLanguage(*draft_view(ctx, drafting, language), drafting, level)


def build(page: Page) -> None:
    """The draft tab: chat and table on the left, the findings panel and item actions on the right."""
    ctx, opening = page.ctx, page.language
    with page.labelled(gr.Tab, {"label": "tab_draft"}, id="draft"):
        # Inside the tab: a State directly under gr.Tabs would shift the tab labels in the browser.
        page.add("drafting", gr.State(None, time_to_live=ctx.limits.idle_seconds))
        with gr.Row():
            with gr.Column(scale=3):
                with gr.Row():
                    cycle = page.add(
                        "cycle",
                        page.labelled(
                            gr.Textbox,
                            {"label": "draft_cycle", "placeholder": "draft_cycle_placeholder"},
                            elem_id="draft-cycle",
                        ),
                    )
                    team = page.add(
                        "team",
                        page.labelled(
                            gr.Textbox,
                            {"label": "draft_team", "placeholder": "draft_team_placeholder"},
                            elem_id="draft-team",
                        ),
                    )
                    level = page.add(
                        "level",
                        page.labelled(
                            gr.Dropdown,
                            {"label": "draft_level"},
                            choices=draft.level_choices(opening),
                            value=None,
                            elem_id="draft-level",
                        ),
                    )
                page.add("chat", page.labelled(gr.Chatbot, {"label": "chat"}, height=420, elem_id="draft-chat"))
                message = page.add(
                    "message",
                    page.labelled(
                        gr.Textbox,
                        {"label": "message", "placeholder": "message_placeholder"},
                        lines=1,  # Enter sends; Shift+Enter starts a new line (one key result per line)
                        max_lines=8,
                        elem_id="draft-message",
                    ),
                )
                with gr.Row():
                    send_button = page.labelled(gr.Button, {"value": "send"}, variant="primary", elem_id="draft-send")
                    restart_button = page.labelled(gr.Button, {"value": "new_draft"})
                table = page.add(
                    "draft_table",
                    page.labelled(
                        gr.Dataframe,
                        {"label": "draft_table"},
                        headers=draft.table_headers(opening),
                        value=[],
                        type="array",
                        interactive=True,
                        wrap=True,
                        column_widths=DRAFT_WIDTHS,
                        elem_id="draft-table",
                    ),
                )
            with gr.Column(scale=2):
                page.heading("panel", 3)
                empty = findings_html([], {}, opening, empty=page.text("panel_empty"))
                page.add("panel", gr.HTML(empty, elem_id="draft-panel"))
                page.add("item", page.labelled(gr.Dropdown, {"label": "item"}, choices=[], elem_id="draft-item"))
                with gr.Row():
                    up_button = page.labelled(gr.Button, {"value": "move_up"}, size="sm", elem_id="draft-up")
                    down_button = page.labelled(gr.Button, {"value": "move_down"}, size="sm", elem_id="draft-down")
                    delete_button = page.labelled(
                        gr.Button, {"value": "delete_item"}, size="sm", variant="stop", elem_id="draft-delete"
                    )
                with gr.Row():
                    rewrite_button = page.labelled(gr.Button, {"value": "rewrite"}, elem_id="draft-rewrite")
                    questions_button = page.labelled(gr.Button, {"value": "questions"}, elem_id="draft-questions")
                page.add("advice", gr.HTML(elem_id="advice"))
                page.add(
                    "candidate",
                    page.labelled(
                        gr.Radio, {"label": "candidate"}, choices=[], visible=False, elem_id="draft-candidate"
                    ),
                )
                adopt_button = page.add(
                    "adopt",
                    page.labelled(
                        gr.Button, {"value": "adopt"}, variant="primary", visible=False, elem_id="draft-adopt"
                    ),
                )
                page.add(
                    "checklist",
                    page.labelled(
                        gr.CheckboxGroup,
                        {"label": "checklist"},
                        choices=[],
                        visible=False,
                        interactive=True,  # the team ticks the questions off; nothing is sent back
                        elem_id="draft-checklist",
                    ),
                )

    page.on(page.part("switch").change, switch_language, api_visibility="private")
    page.on(send_button.click, send, api_name="draft_send")
    page.on(message.submit, send, api_visibility="private")
    page.on(restart_button.click, restart, api_name="draft_restart")
    for box in (cycle, team):
        page.on(box.submit, set_context, api_visibility="private")
        page.on(box.blur, set_context, api_visibility="private")
    page.on(level.input, set_context, api_visibility="private")
    page.on(up_button.click, move_up, api_visibility="private")
    page.on(down_button.click, move_down, api_visibility="private")
    page.on(delete_button.click, delete, api_visibility="private")
    page.on(table.input, edit, api_name="draft_edit")
    page.on(rewrite_button.click, rewrite, api_name="draft_rewrite")
    page.on(questions_button.click, questions, api_name="draft_questions")
    page.on(adopt_button.click, adopt, api_visibility="private")  # API callers use draft_edit
