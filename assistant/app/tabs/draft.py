"""The draft tab: chat with the drafting assistant, the draft as an editable table, its findings, item actions.

Each browser session keeps its own :class:`DraftingSession` in the ``drafting`` state; the logic is in
:mod:`assistant.app.draft`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import gradio as gr

from ...assist.drafting import DraftingSession
from .. import draft
from ..context import AppContext
from ..panel import findings_html
from ..texts import language_of, text
from ..updates import KEEP, Choices, Keep, Table, rows_of
from ..wiring import TOAST, Page

ChatHistory = list[dict[str, str]]


@dataclass(frozen=True)
class Turn:
    """One step of a chat turn: the conversation so far, the cleared box and, at the end, the checked draft."""

    chat: ChatHistory | None
    message: str
    draft_table: Table | Keep
    panel: str | Keep
    item: Choices | Keep
    drafting: DraftingSession | None


@dataclass(frozen=True)
class Restarted:
    """Everything emptied for a new draft."""

    chat: ChatHistory
    draft_table: Table
    panel: str
    item: Choices
    drafting: None
    advice: str


@dataclass(frozen=True)
class Edited:
    """The edited table's draft, checked again; a warning when the edit could not be read."""

    panel: str
    item: Choices
    drafting: DraftingSession
    warning: str = field(default="", metadata=TOAST)


@dataclass(frozen=True)
class Advice:
    """Rewrite candidates or guiding questions for one item."""

    advice: str


@dataclass(frozen=True)
class DraftInLanguage:
    """The same draft after a language switch: table headers, findings and item choices re-worded."""

    draft_table: Table
    panel: str
    item: Choices
    drafting: DraftingSession | None


def draft_view(ctx: AppContext, drafting: DraftingSession | None, language: str) -> tuple[Table, str, Choices]:
    """The draft's table, its findings panel and the item choices (the empty state when there is no draft)."""
    headers = draft.table_headers(language)
    if drafting is None or not drafting.draft:
        empty = findings_html([], {}, language, empty=text(language, "panel_empty"))
        return Table(headers), empty, Choices([], None)
    choices = draft.item_choices(drafting.draft)
    return (
        Table(headers, draft.table_rows(drafting.draft)),
        findings_html(drafting.findings, ctx.notebook.notes, language),
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
    yield Turn(shown, "", *draft_view(ctx, drafting, language), drafting)


def restart(ctx: AppContext, language: str) -> Restarted:
    """A new, empty draft (the old session is dropped)."""
    return Restarted([], *draft_view(ctx, None, language), None, "")


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


def _assist(ctx: AppContext, action: str, item: str | None, drafting: DraftingSession | None, language: str) -> Advice:
    if drafting is None:
        return Advice(text(language, "pick_item"))
    return Advice(draft.assist_item(draft.in_language(drafting, ctx, language), item, action, ctx))


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
    return DraftInLanguage(*draft_view(ctx, drafting, language), drafting)


def build(page: Page) -> None:
    """The draft tab: chat and table on the left, the findings panel and item actions on the right."""
    ctx, opening = page.ctx, page.language
    with page.labelled(gr.Tab, {"label": "tab_draft"}, id="draft"):
        # Inside the tab: a State directly under gr.Tabs would shift the tab labels in the browser.
        page.add("drafting", gr.State(None, time_to_live=ctx.limits.idle_seconds))
        with gr.Row():
            with gr.Column(scale=3):
                page.add("chat", page.labelled(gr.Chatbot, {"label": "chat"}, height=420, elem_id="draft-chat"))
                message = page.add(
                    "message",
                    page.labelled(
                        gr.Textbox,
                        {"label": "message", "placeholder": "message_placeholder"},
                        lines=2,
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
                        elem_id="draft-table",
                    ),
                )
            with gr.Column(scale=2):
                page.heading("panel", 3)
                empty = findings_html([], {}, opening, empty=page.text("panel_empty"))
                page.add("panel", gr.HTML(empty, elem_id="draft-panel"))
                page.add("item", page.labelled(gr.Dropdown, {"label": "item"}, choices=[], elem_id="draft-item"))
                with gr.Row():
                    rewrite_button = page.labelled(gr.Button, {"value": "rewrite"}, elem_id="draft-rewrite")
                    questions_button = page.labelled(gr.Button, {"value": "questions"}, elem_id="draft-questions")
                page.add(
                    "advice",
                    page.labelled(
                        gr.Textbox, {"label": "assist_output"}, lines=10, interactive=False, elem_id="advice"
                    ),
                )

    page.on(page.part("switch").change, switch_language, api_visibility="private")
    page.on(send_button.click, send, api_name="draft_send")
    page.on(message.submit, send, api_visibility="private")
    page.on(restart_button.click, restart, api_name="draft_restart")
    page.on(table.input, edit, api_name="draft_edit")
    page.on(rewrite_button.click, rewrite, api_name="draft_rewrite")
    page.on(questions_button.click, questions, api_name="draft_questions")
