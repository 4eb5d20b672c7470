"""The guidance tab: search the knowledge notes (:mod:`assistant.app.guidance`) and show the passages."""

from __future__ import annotations

from dataclasses import dataclass

import gradio as gr

from ..context import AppContext
from ..guidance import search_html
from ..wiring import Page

DEFAULT_PASSAGES = 5


@dataclass(frozen=True)
class Passages:
    """The passages found, as HTML (empty for an empty question)."""

    passages: str


def search(ctx: AppContext, question: str | None, many: float, language: str) -> Passages:
    """The best ``many`` passages for the question."""
    return Passages(search_html(ctx, question or "", int(many), language))


def build(page: Page) -> None:
    """The guidance tab: the question, how many passages, the search button and the results."""
    with page.labelled(gr.Tab, {"label": "tab_guidance"}, id="guidance"):
        with gr.Row():
            question = page.add(
                "question",
                page.labelled(gr.Textbox, {"label": "question", "placeholder": "question_placeholder"}, scale=4),
            )
            page.add(
                "many",
                page.labelled(
                    gr.Slider, {"label": "many"}, minimum=1, maximum=10, value=DEFAULT_PASSAGES, step=1, scale=1
                ),
            )
        search_button = page.labelled(gr.Button, {"value": "search"}, variant="primary", elem_id="guidance-search")
        page.add("passages", gr.HTML(elem_id="guidance-results"))
    page.on(search_button.click, search, api_name="guidance_search")
    page.on(question.submit, search, api_visibility="private")
