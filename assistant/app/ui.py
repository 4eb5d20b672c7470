"""The gradio page: five tabs (draft, batch review, alignment map, retrospective, guidance) and a language switch.

Only wiring lives here: each handler calls the tab's module (draft, batch, retro, guidance,
alignment) and turns the result into component updates. Shared things come from the AppContext;
each browser session keeps its own draft session and last review in gr.State.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from html import escape
from typing import Any

import gradio as gr
import pandas as pd

from . import batch, draft, guidance, retro
from .alignment import map_from_uploads, map_html
from .context import UPLOAD_SUFFIXES, AppContext
from .jobs import JobError
from .panel import findings_html
from .texts import LANGUAGE_CHOICES, text

CHECKIN_SUFFIXES = [".csv", ".tsv", ".txt", ".yaml", ".yml", ".json"]  # what read_checkins reads
CSS = """
.okr-panel details { border-bottom: 1px solid var(--border-color-primary); padding: 4px 0; }
.okr-panel summary { cursor: pointer; }
.okr-map { overflow: auto; max-height: 80vh; border: 1px solid var(--border-color-primary); }
"""


def _rows(value: Any) -> list[list[Any]]:
    """A table's rows, whether gradio hands over a DataFrame, a list of rows or nothing."""
    if value is None:
        return []
    if isinstance(value, pd.DataFrame):
        return value.values.tolist()
    return [list(row) for row in value]


def mode_line(ctx: AppContext, language: str) -> str:
    """The one line that says whether an LLM is connected: offline mode is stated plainly."""
    if ctx.llm is None:
        return text(language, "offline")
    return text(language, "online", llm=ctx.llm_description)


def build_ui(ctx: AppContext) -> gr.Blocks:
    """The whole page; ``ctx`` is shared by every session."""
    zh = "zh"
    labelled: list[tuple[Any, str, str]] = []  # (component, ui.toml key, property) for the language switch

    def tr(component: Any, key: str, prop: str = "label") -> Any:
        labelled.append((component, key, prop))
        return component

    def bar_plot(label: str, x: str, y: str, color: str, titles: tuple[str, str, str], **options: Any) -> Any:
        """A bar chart whose axis and legend titles are words in the page's language, not the data's column names."""
        x_key, y_key, color_key = titles
        plot = gr.BarPlot(
            x=x,
            y=y,
            color=color,
            label=text(zh, label),
            x_title=text(zh, x_key),
            y_title=text(zh, y_key),
            color_title=text(zh, color_key),
            **options,
        )
        for key, prop in ((label, "label"), (x_key, "x_title"), (y_key, "y_title"), (color_key, "color_title")):
            tr(plot, key, prop)
        return plot

    limits = ctx.limits
    cache_age = (limits.cache_sweep_seconds, limits.cache_max_age_seconds)  # uploads and served copies
    with gr.Blocks(title=text(zh, "title"), analytics_enabled=False, delete_cache=cache_age) as page:
        language = gr.State(zh)
        session = gr.State(None, time_to_live=limits.idle_seconds)
        # {"rows": [...], "sets": [...], "findings": [...]} of the last batch review; freed when idle
        reviewed = gr.State(None, time_to_live=limits.idle_seconds)

        with gr.Row():
            title = tr(gr.Markdown(f"## {text(zh, 'title')}"), "title", "heading")
            switch = gr.Radio(
                choices=list(LANGUAGE_CHOICES), value=zh, label=text(zh, "language"), elem_id="language-switch"
            )
            tr(switch, "language")
        mode = gr.Markdown(mode_line(ctx, zh), elem_id="mode-line")

        with gr.Tabs():
            # ---------------------------------------------------------------- draft
            with gr.Tab(text(zh, "tab_draft"), id="draft") as tab_draft:
                tr(tab_draft, "tab_draft")
                with gr.Row():
                    with gr.Column(scale=3):
                        chat = tr(gr.Chatbot(label=text(zh, "chat"), height=420, elem_id="draft-chat"), "chat")
                        message = gr.Textbox(
                            label=text(zh, "message"),
                            placeholder=text(zh, "message_placeholder"),
                            lines=2,
                            elem_id="draft-message",
                        )
                        tr(tr(message, "message"), "message_placeholder", "placeholder")
                        with gr.Row():
                            send = tr(
                                gr.Button(text(zh, "send"), variant="primary", elem_id="draft-send"), "send", "value"
                            )
                            restart = tr(gr.Button(text(zh, "new_draft")), "new_draft", "value")
                        table = gr.Dataframe(
                            headers=draft.table_headers(zh),
                            value=[],
                            type="array",
                            interactive=True,
                            wrap=True,
                            label=text(zh, "draft_table"),
                            elem_id="draft-table",
                        )
                        tr(table, "draft_table")
                    with gr.Column(scale=2):
                        panel_title = tr(gr.Markdown(f"### {text(zh, 'panel')}"), "panel", "heading")
                        panel = gr.HTML(findings_html([], {}, zh, empty=text(zh, "panel_empty")), elem_id="draft-panel")
                        item = tr(gr.Dropdown(choices=[], label=text(zh, "item"), elem_id="draft-item"), "item")
                        with gr.Row():
                            rewrite = tr(gr.Button(text(zh, "rewrite"), elem_id="draft-rewrite"), "rewrite", "value")
                            ask = tr(gr.Button(text(zh, "questions"), elem_id="draft-questions"), "questions", "value")
                        advice = tr(
                            gr.Textbox(label=text(zh, "assist_output"), lines=10, interactive=False, elem_id="advice"),
                            "assist_output",
                        )

            # ---------------------------------------------------------------- batch review
            with gr.Tab(text(zh, "tab_batch"), id="batch") as tab_batch:
                tr(tab_batch, "tab_batch")
                files = tr(
                    gr.File(
                        file_count="multiple",
                        file_types=list(UPLOAD_SUFFIXES),
                        label=text(zh, "upload"),
                        elem_id="batch-files",
                    ),
                    "upload",
                )
                run_review = tr(
                    gr.Button(text(zh, "review"), variant="primary", elem_id="batch-run"), "review", "value"
                )
                counts = gr.Markdown(elem_id="batch-counts")
                problems = tr(
                    gr.Textbox(label=text(zh, "problems"), lines=3, interactive=False, visible=False), "problems"
                )
                with gr.Row():
                    severity_titles = ("col_dimension", "col_count", "col_severity")
                    by_dimension = bar_plot(
                        "by_dimension",
                        "dimension",
                        "count",
                        "severity",
                        severity_titles,
                        color_map=batch.severity_colours(),
                        elem_id="batch-by-dimension",
                    )
                    by_team = bar_plot(
                        "by_team",
                        "team",
                        "count",
                        "severity",
                        ("col_team", *severity_titles[1:]),
                        color_map=batch.severity_colours(),
                        elem_id="batch-by-team",
                    )
                with gr.Row():
                    f_dimension = tr(gr.Dropdown(choices=[], label=text(zh, "filter_dimension")), "filter_dimension")
                    f_severity = tr(gr.Dropdown(choices=[], label=text(zh, "filter_severity")), "filter_severity")
                    f_team = tr(gr.Dropdown(choices=[], label=text(zh, "filter_team")), "filter_team")
                findings = gr.Dataframe(
                    headers=batch.finding_headers(zh),
                    value=[],
                    type="array",
                    interactive=False,
                    wrap=True,
                    column_widths=["10%", "10%", "8%", "9%", "7%", "28%", "28%"],  # the fix in view, not cut off
                    label=text(zh, "findings"),
                    elem_id="batch-findings",
                )
                tr(findings, "findings")
                downloads = tr(
                    gr.File(label=text(zh, "downloads"), file_count="multiple", interactive=False, elem_id="reports"),
                    "downloads",
                )

            # ---------------------------------------------------------------- alignment map
            with gr.Tab(text(zh, "tab_map"), id="map") as tab_map:
                tr(tab_map, "tab_map")
                map_hint = tr(gr.Markdown(text(zh, "map_hint")), "map_hint", "value")
                map_files = tr(
                    gr.File(
                        file_count="multiple",
                        file_types=list(UPLOAD_SUFFIXES),
                        label=text(zh, "map_upload"),
                        elem_id="map-files",
                    ),
                    "map_upload",
                )
                draw = tr(gr.Button(text(zh, "map_draw"), variant="primary", elem_id="map-draw"), "map_draw", "value")
                picture = gr.HTML(elem_id="alignment-map")

            # ---------------------------------------------------------------- retrospective
            with gr.Tab(text(zh, "tab_retro"), id="retro") as tab_retro:
                tr(tab_retro, "tab_retro")
                retro_hint = tr(gr.Markdown(text(zh, "retro_hint")), "retro_hint", "value")
                with gr.Row():
                    scores = tr(
                        gr.File(
                            file_types=list(UPLOAD_SUFFIXES), label=text(zh, "retro_upload"), elem_id="retro-scores"
                        ),
                        "retro_upload",
                    )
                    checkins = tr(
                        gr.File(file_types=CHECKIN_SUFFIXES, label=text(zh, "retro_checkins")),
                        "retro_checkins",
                    )
                score_table = gr.Dataframe(
                    headers=retro.table_headers(zh),
                    value=[["", "", "", ""]],
                    type="array",
                    interactive=True,
                    label=text(zh, "retro_table"),
                    elem_id="retro-table",
                )
                tr(score_table, "retro_table")
                run_retro = tr(
                    gr.Button(text(zh, "retro_run"), variant="primary", elem_id="retro-run"), "retro_run", "value"
                )
                retro_messages = gr.Textbox(lines=2, interactive=False, visible=False, show_label=False)
                spread = bar_plot(
                    "distribution",
                    "kr",
                    "percent",
                    "band",
                    ("col_kr_ref", "col_percent", "col_band"),
                    y_lim=[0, 100],
                    elem_id="retro-spread",
                )
                retro_out = gr.Markdown(elem_id="retro-draft")

            # ---------------------------------------------------------------- guidance
            with gr.Tab(text(zh, "tab_guidance"), id="guidance") as tab_guidance:
                tr(tab_guidance, "tab_guidance")
                with gr.Row():
                    question = gr.Textbox(
                        label=text(zh, "question"), placeholder=text(zh, "question_placeholder"), scale=4
                    )
                    tr(tr(question, "question"), "question_placeholder", "placeholder")
                    many = gr.Slider(1, 10, value=5, step=1, label="k", scale=1)
                search = tr(
                    gr.Button(text(zh, "search"), variant="primary", elem_id="guidance-search"), "search", "value"
                )
                passages = gr.HTML(elem_id="guidance-results")

        # ==================================================================== handlers

        def on_switch(choice: str):
            lang = choice if choice in ("zh", "en") else "zh"
            updates = []
            for _component, key, prop in labelled:
                words = text(lang, key)
                if prop == "heading":
                    level = "##" if key == "title" else "###"
                    updates.append(gr.update(value=f"{level} {words}"))
                else:
                    updates.append(gr.update(**{prop: words}))
            return [lang, mode_line(ctx, lang), *updates]

        switch.change(
            on_switch,
            inputs=switch,
            outputs=[language, mode, *(c for c, _, _ in labelled)],
            api_name="switch_language",
        )

        def draft_outputs(current: Any, lang: str) -> tuple:
            if current is None or not current.draft:
                return (
                    pd.DataFrame([], columns=draft.table_headers(lang)),
                    findings_html([], {}, lang, empty=text(lang, "panel_empty")),
                    gr.update(choices=[], value=None),
                )
            choices = draft.item_choices(current.draft)
            return (
                pd.DataFrame(draft.table_rows(current.draft), columns=draft.table_headers(lang)),
                findings_html(current.findings, ctx.notebook.notes, lang),
                gr.update(choices=choices, value=choices[-1][1]),
            )

        def on_send(text_in: str, history: list, current: Any, lang: str) -> Iterator[tuple]:
            if not text_in or not text_in.strip():
                yield history, "", *draft_outputs(current, lang), current
                return
            current = draft.in_language(current, ctx, lang)
            shown = history or []
            for shown in draft.chat_turn(current, text_in.strip(), history or []):
                yield shown, "", gr.update(), gr.update(), gr.update(), current
            yield shown, "", *draft_outputs(current, lang), current

        def on_switch_draft(choice: str, current: Any):
            """The draft, its findings and the table headers in the new language (the draft itself is kept)."""
            lang = choice if choice in ("zh", "en") else "zh"
            if current is not None:
                current = draft.in_language(current, ctx, lang)
            return *draft_outputs(current, lang), current

        switch.change(on_switch_draft, [switch, session], [table, panel, item, session], api_visibility="private")

        def on_switch_tables(choice: str, found: Any, scored: Any):
            """The findings and score tables keep their rows under headers in the new language."""
            lang = choice if choice in ("zh", "en") else "zh"
            return (
                pd.DataFrame(_rows(found), columns=batch.finding_headers(lang)),
                pd.DataFrame(_rows(scored) or [["", "", "", ""]], columns=retro.table_headers(lang)),
            )

        switch.change(
            on_switch_tables, [switch, findings, score_table], [findings, score_table], api_visibility="private"
        )

        send_outputs = [chat, message, table, panel, item, session]
        send.click(on_send, [message, chat, session, language], send_outputs, api_name="draft_send")
        message.submit(on_send, [message, chat, session, language], send_outputs, api_visibility="private")

        def on_restart(lang: str):
            return [], *draft_outputs(None, lang), None, ""

        restart.click(on_restart, language, [chat, table, panel, item, session, advice], api_name="draft_restart")

        def on_edit(rows: list, current: Any, lang: str):
            current = draft.in_language(current, ctx, lang)
            try:
                current.set_draft(draft.rows_to_draft(rows or []))
            except ValueError as exc:
                gr.Warning(str(exc))
            _, html, choices = draft_outputs(current, lang)
            return html, choices, current

        table.input(on_edit, [table, session, language], [panel, item, session], api_name="draft_edit")

        def on_assist(action: str):
            def handler(ref: str | None, current: Any, lang: str) -> str:
                if current is None:
                    return text(lang, "pick_item")
                return draft.assist_item(draft.in_language(current, ctx, lang), ref, action, ctx)

            return handler

        rewrite.click(on_assist("rewrite"), [item, session, language], advice, api_name="draft_rewrite")
        ask.click(on_assist("questions"), [item, session, language], advice, api_name="draft_questions")

        def review_outputs(result: batch.BatchReview, lang: str) -> tuple:
            rows = batch.finding_rows(result.review, lang)
            choices = batch.filter_choices(rows, lang)
            everything = text(lang, "all")
            state = {"rows": rows, "sets": result.review.sets, "findings": result.review.findings, "lang": lang}
            messages = "\n".join(result.messages)
            return (
                result.counts_line(lang),
                gr.update(value=messages, visible=bool(messages)),
                pd.DataFrame(batch.dimension_counts(result.review, lang)),
                pd.DataFrame(batch.team_counts(result.review, lang)),
                gr.update(choices=choices["dimension"], value=everything),
                gr.update(choices=choices["severity"], value=everything),
                gr.update(choices=choices["team"], value=everything),
                pd.DataFrame(rows, columns=batch.finding_headers(lang)),
                [str(p) for p in result.reports] or None,
                state,
                map_html(result.review.sets, result.review.findings, lang),
            )

        def on_review(paths: list | None, lang: str, request: gr.Request, progress=gr.Progress()):  # noqa: B008
            """The findings as soon as they are known, then again with the reports (gradio sends only the change)."""
            if not paths:
                gr.Warning(text(lang, "no_files"))
                yield (
                    text(lang, "no_files"),
                    gr.update(visible=False),
                    None,
                    None,
                    *([gr.update()] * 3),
                    [],
                    None,
                    None,
                    "",
                )
                return
            progress(0.0, desc=text(lang, "review"))
            events: queue.SimpleQueue = queue.SimpleQueue()

            def work() -> None:
                try:
                    result = batch.review_uploads(
                        paths,
                        ctx,
                        lang,
                        session=request.session_hash or "",
                        progress=lambda done, what: events.put(("progress", (done, what))),
                        answer=lambda first: events.put(("answer", first)),
                    )
                except BaseException as exc:  # handed to the handler's thread, which shows or raises it
                    events.put(("error", exc))
                else:
                    events.put(("done", result))

            threading.Thread(target=work, name="okr-review-batch", daemon=True).start()
            while True:
                kind, value = events.get()
                if kind == "progress":
                    progress(value[0], desc=batch.progress_words(value[1], lang))
                elif kind == "answer":
                    yield review_outputs(value, lang)
                elif kind == "done":
                    yield review_outputs(value, lang)
                    return
                elif isinstance(value, JobError):
                    message = batch.job_message(value, ctx, lang)
                    gr.Warning(message)
                    yield message, gr.update(visible=False), *([gr.update()] * 9)
                    return
                else:
                    raise value

        run_review.click(
            on_review,
            [files, language],
            [
                counts,
                problems,
                by_dimension,
                by_team,
                f_dimension,
                f_severity,
                f_team,
                findings,
                downloads,
                reviewed,
                picture,
            ],
            api_name="batch_review",
        )

        def on_filter(dimension: str, severity: str, team: str, state: dict | None, lang: str):
            if not state:
                return gr.update()
            any_ = text(state["lang"], "all")
            rows = batch.filter_rows(state["rows"], dimension=dimension, severity=severity, team=team, any_=any_)
            return pd.DataFrame(rows, columns=batch.finding_headers(state["lang"]))

        for dropdown in (f_dimension, f_severity, f_team):
            dropdown.change(
                on_filter, [f_dimension, f_severity, f_team, reviewed, language], findings, api_visibility="private"
            )

        def on_draw(paths: list | None, state: dict | None, lang: str, request: gr.Request) -> str:
            if paths:
                try:
                    return map_from_uploads(paths, ctx, lang, session=request.session_hash or "")
                except JobError as exc:
                    return f"<p>{escape(batch.job_message(exc, ctx, lang))}</p>"
            if state:
                return map_html(state["sets"], state["findings"], lang)
            return f"<p>{text(lang, 'no_files')}</p>"

        draw.click(on_draw, [map_files, reviewed, language], picture, api_name="alignment_map")

        def on_retro(upload: str | None, notes: str | None, rows: list, lang: str):
            found = retro.scored_input(upload, notes, rows, ctx, lang)
            messages = "\n".join(found.messages)
            spread_rows = retro.distribution(found.sets, ctx, lang)
            body = retro.retrospective_markdown(found, ctx, lang) if spread_rows else text(lang, "no_scores")
            return (
                gr.update(value=messages, visible=bool(messages)),
                pd.DataFrame(spread_rows, columns=["kr", "percent", "band"]),
                body,
            )

        run_retro.click(
            on_retro, [scores, checkins, score_table, language], [retro_messages, spread, retro_out], api_name="retro"
        )

        def on_search(query: str, k: float, lang: str) -> str:
            return guidance.search_html(ctx, query, int(k), lang)

        search.click(on_search, [question, many, language], passages, api_name="guidance_search")
        question.submit(on_search, [question, many, language], passages, api_visibility="private")

        def on_unload(request: gr.Request) -> None:
            """The browser tab closed: free the session's report folders and uploads now, not after the idle time."""
            if request.session_hash:
                ctx.ledger.forget(request.session_hash)

        page.unload(on_unload)

        del title, panel_title, map_hint, retro_hint  # only in `labelled`, for the language switch
    return page
