"""The gradio page: a title, the language switch, the LLM mode line, and the tabs in :data:`TABS`.

Each tab is a module of :mod:`.tabs` with a ``build(page)`` that lays it out and registers its events
(:mod:`.wiring`): plain handlers in and typed result records out, which tests call without a browser.
Shared things come from the AppContext; each browser session keeps its own draft and last review in gr.State.

Adding a tab: write ``tabs/<name>.py`` with ``build(page: Page) -> None`` (layout inside
``page.labelled(gr.Tab, {"label": "tab_<name>"}, id="<name>")``, components that events use registered with
``page.add``, handlers wired with ``page.on``; everything, gr.State included, inside the tab), add its words
to ``assistant/data/ui.toml`` in both languages, and add ``<name>.build`` to :data:`TABS` where the tab should
appear. ``tests/app/test_ui_wiring.py`` then checks its records against its components without a browser.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial

import gradio as gr

from .context import AppContext
from .gradio_locale import load_script, switch_script
from .tabs import alignment, batch, checkin, draft, guidance, retro, settings
from .texts import LANGUAGE_CHOICES, language_of, text
from .theme import css, theme
from .updates import KEEP, Keep, Relabel
from .wiring import SPREAD, Label, Page

# in page order
TABS = (draft.build, batch.build, checkin.build, alignment.build, retro.build, guidance.build, settings.build)
CSS = css()  # gradio takes the CSS, theme and page-load script at launch (server.py)
THEME = theme()
JS = load_script()


@dataclass(frozen=True)
class PageInLanguage:
    """The page after a language switch: the language, the mode line and every labelled component re-worded."""

    language: str
    mode: str
    labels: tuple[Relabel | Keep, ...] = field(metadata=SPREAD)  # Keep: as it is (the first, hiding step)


def mode_line(ctx: AppContext, language: str) -> str:
    """The one line that says whether an LLM is connected: offline mode is stated plainly."""
    if ctx.llm is None:
        return text(language, "offline")
    return text(language, "online", llm=ctx.llm_description)


def switch_language(ctx: AppContext, switch: str, *, labels: Sequence[Label]) -> Iterator[PageInLanguage]:
    """Every label, placeholder, button, heading and chart title in the chosen language.

    Twice: first with the file boxes hidden, then shown again, so that gradio draws their drop areas anew in
    the locale the switch's browser-side script has set (:mod:`.gradio_locale`).
    """
    language = language_of(switch)
    mode = mode_line(ctx, language)
    yield PageInLanguage(
        language, mode, tuple(label.relabel(language, False) if label.remounts else KEEP for label in labels)
    )
    yield PageInLanguage(
        language, mode, tuple(label.relabel(language, True if label.remounts else None) for label in labels)
    )


def forget_session(ctx: AppContext, *, session: str) -> None:
    """The browser tab closed: free the session's report folders and uploads now, not after the idle time."""
    if session:
        ctx.ledger.forget(session)


def build_page(ctx: AppContext) -> tuple[gr.Blocks, Page]:
    """The whole page and its wiring (for tests: the named components, labels and events)."""
    page = Page(ctx)
    limits = ctx.limits
    cache_age = (limits.cache_sweep_seconds, limits.cache_max_age_seconds)  # uploads and served copies
    with gr.Blocks(title=page.text("title"), analytics_enabled=False, delete_cache=cache_age) as blocks:
        page.add("language", gr.State(page.language))
        page.add("reviewed", gr.State(None, time_to_live=limits.idle_seconds))  # the last batch review
        with gr.Row(elem_id="okr-header", equal_height=True):
            with gr.Column(scale=4, min_width=200):
                page.heading("title", 2)
            page.add(
                "switch",
                page.labelled(
                    gr.Radio,
                    {"label": "language"},
                    choices=list(LANGUAGE_CHOICES),
                    value=page.language,
                    show_label=False,
                    container=False,
                    scale=1,
                    min_width=160,
                    elem_id="language-switch",
                ),
            )
        page.add("mode", gr.Markdown(mode_line(ctx, page.language), elem_id="mode-line"))
        with gr.Tabs():
            for build in TABS:
                build(page)
        # Last, so that every tab's labels are in page.labels (the list itself is handed over).
        page.on(page.part("switch").change, partial(switch_language, labels=page.labels), api_name="switch_language")
        # gradio's own words follow the switch too: a browser-side script only, nothing runs on the server.
        page.part("switch").change(None, inputs=page.part("switch"), js=switch_script(), api_visibility="private")
        page.on_unload(forget_session)
        page.wire(blocks)
    return blocks, page


def build_ui(ctx: AppContext) -> gr.Blocks:
    """The whole page; ``ctx`` is shared by every session."""
    return build_page(ctx)[0]
