"""The page's event wiring without a browser or a server: handlers called directly, records checked against the page.

The page is built (gr.Blocks, never launched); each handler is a plain function returning a typed record,
and every wired event's record fields must be exactly the components gradio sends its outputs to.
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Iterator
from dataclasses import fields
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import gradio as gr
import pandas as pd
import pytest

from assistant.app.batch import LastReview
from assistant.app.context import AppContext
from assistant.app.tabs import alignment as alignment_tab
from assistant.app.tabs import batch as batch_tab
from assistant.app.tabs import draft as draft_tab
from assistant.app.tabs import guidance as guidance_tab
from assistant.app.tabs import retro as retro_tab
from assistant.app.texts import text
from assistant.app.ui import PageInLanguage, build_page, forget_session, switch_language
from assistant.app.updates import KEEP, Choices, Keep, Records, Relabel, Shown, Table, gradio_value
from assistant.app.wiring import Binding, Page, WiringError, adapter, gradio_outputs, output_names, toasts
from assistant.assist.drafting import DraftingSession
from assistant.config import Config

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
OBJECTIVE = "让新商家第一周就离不开我们"
VAGUE_KR = "提升用户活跃度"
CJK = re.compile(r"[\u3400-\u9fff]")
# Which component a typed output value may go to: a wrong pairing is a wiring mistake.
TARGETS: dict[type, tuple[type, ...]] = {
    Table: (gr.Dataframe,),
    Records: (gr.BarPlot,),
    Choices: (gr.Dropdown,),
    Shown: (gr.Textbox,),
    DraftingSession: (gr.State,),
    LastReview: (gr.State,),
    str: (gr.Markdown, gr.HTML, gr.Textbox, gr.State),
    list: (gr.File, gr.Chatbot),
}


@pytest.fixture(scope="module")
def examples_untouched() -> Iterator[None]:
    """The example files are inputs: still there, byte for byte, once the app has freed every session."""
    before = {path: path.read_bytes() for path in EXAMPLES.iterdir() if path.is_file()}
    yield
    assert {path: path.read_bytes() for path in before if path.exists()} == before


@pytest.fixture(scope="module")
def ctx(shared_retriever, tmp_path_factory, examples_untouched) -> Iterator[AppContext]:
    folder = tmp_path_factory.mktemp("wiring")
    context = AppContext(config=Config(), llm=None, retriever=shared_retriever, workdir=folder)
    yield context
    context.close()


@pytest.fixture(scope="module")
def built(ctx) -> tuple[gr.Blocks, Page]:
    return build_page(ctx)


def _no_progress(fraction: float, words: str) -> None:
    return None


def _uploaded(folder: Path, name: str = "company-and-teams.csv") -> str:
    """A copy of an example, as gradio hands an upload over: the app deletes a session's uploads when it ends."""
    copy = folder / name
    copy.write_bytes((EXAMPLES / name).read_bytes())
    return str(copy)


def _bindings(page: Page, handler: Any, **options: Any) -> list[Binding]:
    """The bindings of ``handler`` (with those gradio options)."""
    return [
        b
        for b in page.bindings
        if getattr(b.handler, "func", b.handler) is handler and all(b.options.get(k) == v for k, v in options.items())
    ]


def _binding(page: Page, handler: Any, **options: Any) -> Binding:
    """The one binding of ``handler`` (with those gradio options)."""
    found = _bindings(page, handler, **options)
    assert len(found) == 1, f"{handler.__qualname__} {options}: {len(found)} bindings"
    return found[0]


def _fits(page: Page, binding: Binding, result: Any) -> None:
    """A real result of the handler: one gradio value per wired output component."""
    assert isinstance(result, binding.result)
    assert len(gradio_outputs(result)) == len(page.components(binding.outputs))


# ---------------------------------------------------------------------------- the wiring itself


def test_every_event_goes_through_the_typed_wiring(built):
    blocks, page = built
    wired = [fn for fn in blocks.fns.values()]
    assert len(wired) == len(page.bindings) >= 19
    for fn in wired:
        binding = getattr(fn.fn, "binding", None)
        assert binding is not None, f"{fn.name} is wired around the typed wiring"
        assert [c._id for c in fn.inputs] == [c._id for c in page.components(binding.inputs)], binding.name
        assert [c._id for c in fn.outputs] == [c._id for c in page.components(binding.outputs)], binding.name


def test_every_record_field_names_a_component_of_the_right_kind(built):
    _, page = built
    for binding in page.bindings:
        if binding.result is None:
            continue
        hints = typing.get_type_hints(binding.result)
        for name in output_names(binding.result):
            if name == "labels":
                assert len(page.components([name])) == len(page.labels)
                continue
            component = page.part(name)
            hint = hints[name]
            union = typing.get_origin(hint) in (types.UnionType, typing.Union)
            kinds = {typing.get_origin(t) or t for t in (typing.get_args(hint) if union else (hint,))}
            for kind in kinds - {Keep, type(None)}:
                assert isinstance(component, TARGETS[kind]), f"{binding.name}.{name}: {kind} → {component}"


def test_the_tab_bar_holds_only_tabs(built):
    """Anything else directly under gr.Tabs (a gr.State, say) shifts the tab labels in the browser."""
    blocks, _ = built
    (bar,) = [block for block in blocks.blocks.values() if isinstance(block, gr.Tabs)]
    assert [type(child) for child in bar.children] == [gr.Tab] * 5
    assert [child.label for child in bar.children] == ["起草", "批量审阅", "对齐大图", "复盘", "指南"]


def test_named_api_endpoints_keep_their_names_and_outputs(built):
    blocks, _ = built
    endpoints = {fn.api_name: fn for fn in blocks.fns.values() if fn.api_visibility == "public"}
    assert set(endpoints) == {
        "switch_language",
        "draft_send",
        "draft_restart",
        "draft_edit",
        "draft_rewrite",
        "draft_questions",
        "batch_review",
        "alignment_map",
        "retro",
        "guidance_search",
    }
    review = endpoints["batch_review"].fn.binding
    assert review.outputs[:2] == ("counts", "problems") and review.outputs[-2:] == ("reviewed", "picture")
    assert endpoints["draft_send"].fn.binding.outputs == ("chat", "message", "draft_table", "panel", "item", "drafting")


def test_a_record_naming_a_missing_component_fails_at_build_time(ctx):
    page = Page(ctx)
    with gr.Blocks() as blocks:
        page.add("question", gr.Textbox())
        page.add("many", gr.Slider(1, 10))
        page.add("language", gr.State("zh"))
        button = gr.Button()
        page.on(button.click, guidance_tab.search)  # its record writes "passages", which this page lacks
        with pytest.raises(WiringError, match="passages"):
            page.wire(blocks)
    with pytest.raises(WiringError, match="two components named 'question'"):
        page.add("question", gr.Textbox())


# ---------------------------------------------------------------------------- the language switch


def test_language_switch_rewords_every_labelled_component(ctx, built):
    _, page = built
    binding = _binding(page, switch_language)
    english = switch_language(ctx, "en", labels=page.labels)
    _fits(page, binding, english)
    assert english.language == "en" and english.mode.startswith("Offline mode")
    assert len(english.labels) == len(page.labels) > 40
    assert [r.words for r in english.labels] == [label.template.format(text("en", label.key)) for label in page.labels]
    assert not [r.words for r in english.labels if CJK.search(r.words)]
    words = {(r.prop, r.words) for r in english.labels}
    tabs = {("label", name) for name in ("Draft", "Batch review", "Alignment map", "Retrospective", "Guidance")}
    assert tabs <= words
    assert {("value", "## OKR review assistant"), ("placeholder", text("en", "message_placeholder"))} <= words
    assert {("x_title", "Dimension"), ("y_title", "Count"), ("color_title", "Severity")} <= words
    chinese = switch_language(ctx, "fr", labels=page.labels)  # an unknown choice: Chinese
    assert chinese.language == "zh" and chinese.mode == text("zh", "offline")
    assert ("label", "起草") in {(r.prop, r.words) for r in chinese.labels}


def test_the_switch_updates_become_gradio_updates():
    values = gradio_outputs(PageInLanguage("en", "mode", (Relabel("label", "Draft"), Relabel("value", "Send"))))
    assert values == ["en", "mode", {"__type__": "update", "label": "Draft"}, {"__type__": "update", "value": "Send"}]


# ---------------------------------------------------------------------------- draft tab


def test_draft_chat_streams_then_fills_the_table_findings_and_items(ctx, built):
    _, page = built
    binding = _binding(page, draft_tab.send, api_name="draft_send")
    turns = list(draft_tab.send(ctx, OBJECTIVE, [], None, "zh"))
    for turn in turns:
        _fits(page, binding, turn)
    assert turns[0].draft_table is KEEP and turns[0].chat[0] == {"role": "user", "content": OBJECTIVE}
    last = turns[-1]
    assert last.message == "" and isinstance(last.drafting, DraftingSession)
    assert last.draft_table.rows == [["O1", OBJECTIVE, "", "", ""]]
    assert 'data-code="FOC003"' in last.panel  # an objective without KRs yet
    assert last.item == Choices([("O1 · " + OBJECTIVE, "O1")], "O1")
    *_, second = draft_tab.send(ctx, VAGUE_KR, last.chat, last.drafting, "zh")
    assert [row[3] for row in second.draft_table.rows] == [VAGUE_KR]
    assert 'data-code="MEA002"' in second.panel and "FOC003" not in second.panel
    assert second.item.value == "O1.KR1" and len(second.chat) == 4
    (blank,) = draft_tab.send(ctx, "   ", second.chat, second.drafting, "zh")  # nothing sent, nothing lost
    assert blank.chat is second.chat and blank.draft_table == second.draft_table


def test_draft_restart_edit_and_item_actions(ctx, built):
    _, page = built
    empty = draft_tab.restart(ctx, "en")
    _fits(page, _binding(page, draft_tab.restart), empty)
    assert empty.chat == [] and empty.drafting is None and empty.advice == ""
    assert empty.draft_table == Table(["O", "Objective", "KR", "Key result", "Owner"])
    assert text("en", "panel_empty") in empty.panel and empty.item == Choices([], None)

    rows = [["O1", OBJECTIVE, "KR1", "9 月 30 日前新商家首周激活率从 35% 提升到 55%", "马骁"]]
    edited = draft_tab.edit(ctx, pd.DataFrame(rows), None, "zh")
    _fits(page, _binding(page, draft_tab.edit), edited)
    assert "FOC003" not in edited.panel and "MEA002" not in edited.panel and edited.warning == ""
    assert [value for _, value in edited.item.choices] == ["O1", "O1.KR1"]
    broken = draft_tab.edit(ctx, [["O1", "", "KR1", "只有关键结果", ""]], edited.drafting, "zh")
    assert "no text" in broken.warning and toasts(broken) == [broken.warning]
    assert broken.drafting.draft == edited.drafting.draft  # the unreadable edit keeps the draft

    rewrite = draft_tab.rewrite(ctx, "O1.KR1", edited.drafting, "zh")
    _fits(page, _binding(page, draft_tab.rewrite), rewrite)
    assert rewrite.advice.startswith("离线模式")
    assert draft_tab.rewrite(ctx, "O1", edited.drafting, "zh").advice == text("zh", "not_a_kr")
    assert "1. " in draft_tab.questions(ctx, "O1", edited.drafting, "zh").advice
    assert draft_tab.questions(ctx, "O1", None, "en").advice == text("en", "pick_item")


def test_draft_language_switch_keeps_the_draft(ctx, built):
    _, page = built
    *_, turn = draft_tab.send(ctx, OBJECTIVE, [], None, "zh")
    switched = draft_tab.switch_language(ctx, "en", turn.drafting)
    _fits(page, _binding(page, draft_tab.switch_language), switched)
    assert switched.drafting.language == "en" and switched.draft_table.headers[1] == "Objective"
    assert switched.draft_table.rows == turn.draft_table.rows
    nothing = draft_tab.switch_language(ctx, "en", None)
    assert nothing.drafting is None and nothing.draft_table.rows == ()


# ---------------------------------------------------------------------------- batch review and map tabs


def test_review_of_the_example_file_fills_counts_charts_findings_reports_and_map(ctx, built, tmp_path):
    _, page = built
    binding = _binding(page, batch_tab.review)
    broken = tmp_path / "broken.csv"
    broken.write_text("team,objective,key_result,confidence\n增长部,让客户离不开我们,续约率达到 90%,很高\n", "utf-8")
    steps: list[tuple[float, str]] = []
    shown = list(
        batch_tab.review(
            ctx,
            [_uploaded(tmp_path), str(broken)],
            "zh",
            session="wiring-test",
            progress=lambda fraction, words: steps.append((fraction, words)),
        )
    )
    for result in shown:
        _fits(page, binding, result)
    done = shown[-1]
    assert steps[0] == (0.0, text("zh", "review")) and any("company-and-teams.csv" in w for _, w in steps)
    assert done.counts.startswith("共 ") and done.warning == ""
    assert done.problems.visible and "broken.csv" in done.problems.text and "confidence" in done.problems.text
    assert len(done.findings.rows) > 10 and {row[2][:3] for row in done.findings.rows} >= {"ALI", "MEA"}
    assert done.findings.headers[:3] == ["团队", "位置", "规则"]
    assert len({row["dimension"] for row in done.by_dimension.rows}) == 7
    assert sorted(Path(p).name for p in done.downloads) == [
        "okr-review-report.html",
        "okr-review-report.json",
        "okr-review-report.xlsx",
    ]
    assert done.f_severity == Choices(["全部", "严重", "警告", "提示"], "全部")
    assert isinstance(done.reviewed, LastReview) and done.reviewed.rows == done.findings.rows
    assert "<svg" in done.picture

    filtered = batch_tab.filter_findings("全部", "严重", "全部", done.reviewed)
    filters = _bindings(page, batch_tab.filter_findings)
    assert len(filters) == 3  # one per dropdown
    for filter_binding in filters:
        _fits(page, filter_binding, filtered)
    assert filtered.findings.rows and all(row[4] == "严重" for row in filtered.findings.rows)
    assert batch_tab.filter_findings("全部", "全部", "全部", None).findings is KEEP  # no review yet

    english = batch_tab.switch_language("en", pd.DataFrame(done.findings.rows))
    _fits(page, _binding(page, batch_tab.switch_language), english)
    assert english.findings.headers[0] == "Team" and english.findings.rows == done.findings.rows

    mapped = alignment_tab.draw(ctx, None, done.reviewed, "zh", session="wiring-test")
    _fits(page, _binding(page, alignment_tab.draw), mapped)
    assert "<svg" in mapped.picture and "漏球" in mapped.picture


@pytest.mark.parametrize("files", [None, []])
def test_an_empty_upload_gives_the_empty_state(ctx, built, files):
    _, page = built
    (shown,) = batch_tab.review(ctx, files, "en", session="wiring-test", progress=_no_progress)
    _fits(page, _binding(page, batch_tab.review), shown)
    assert shown.counts == shown.warning == text("en", "no_files")
    assert shown.problems == Shown(False) and shown.findings == Table(shown.findings.headers)
    assert shown.reviewed is None and shown.picture == "" and shown.downloads is None
    assert shown.f_team is KEEP  # the filters stay as they were
    nothing = alignment_tab.draw(ctx, files, None, "en", session="wiring-test")
    assert nothing.picture == f"<p>{text('en', 'no_files')}</p>"


def test_the_map_from_uploads_names_the_files_that_gave_nothing(ctx, tmp_path):
    empty = tmp_path / "notes.csv"
    empty.write_text("team,objective\n", "utf-8")
    drawn = alignment_tab.draw(ctx, [_uploaded(tmp_path), str(empty)], None, "zh", session="wiring-map")
    assert "<svg" in drawn.picture and "notes.csv" in drawn.picture


# ---------------------------------------------------------------------------- retrospective and guidance tabs


def test_retrospective_from_the_table(ctx, built):
    _, page = built
    rows = [
        ["让客户离不开我们", "季度末 NPS 从 30 提升到 45", "100%", "每周回访 20 位客户"],
        ["让客户离不开我们", "客户续约率从 70% 提升到 85%", "30", "销售人手不足"],
        ["让客户离不开我们", "续约率", "很好", ""],
    ]
    shown = retro_tab.run(ctx, None, None, rows, "zh")
    _fits(page, _binding(page, retro_tab.run), shown)
    assert [row["percent"] for row in shown.spread.rows] == [100.0, 30.0]
    assert shown.retro_messages == Shown(True, "row 3 (得分): not a number: '很好'")
    assert "O1.KR2" in shown.retro_out and "销售人手不足" in shown.retro_out
    nothing = retro_tab.run(ctx, None, None, [["O", "KR", "", ""]], "zh")
    assert nothing.retro_out == text("zh", "no_scores") and nothing.spread.rows == []
    assert list(gradio_value(nothing.spread).columns) == ["kr", "percent", "band"]  # an empty chart, not an error
    english = retro_tab.switch_language("en", None)
    _fits(page, _binding(page, retro_tab.switch_language), english)
    assert english.score_table.rows == [["", "", "", ""]] and english.score_table.headers[2] == "Score"


def test_guidance_search(ctx, built):
    _, page = built
    found = guidance_tab.search(ctx, "信心指数一般填多少合适？", 3.0, "zh")
    _fits(page, _binding(page, guidance_tab.search, api_name="guidance_search"), found)
    assert found.passages.count('class="okr-passage"') == 3
    assert guidance_tab.search(ctx, "  ", 3, "zh").passages == ""


# ---------------------------------------------------------------------------- the adapter gradio calls


def test_the_adapter_fills_context_session_and_progress_and_shows_warnings(ctx, built):
    _, page = built
    run = adapter(_binding(page, batch_tab.review), ctx)
    request = SimpleNamespace(session_hash="adapter-test")
    with pytest.warns(UserWarning, match=re.escape(text("zh", "no_files"))):  # gr.Warning outside a request
        (values,) = run(request, None, "zh", lambda fraction, desc: None)
    assert len(values) == 11 and values[0] == text("zh", "no_files")
    assert values[1] == {"__type__": "update", "visible": False}
    assert values[4] == {"__type__": "update"}  # a filter kept as it is
    assert isinstance(values[7], pd.DataFrame) and values[7].empty and values[7].columns[0] == "团队"

    search = adapter(_binding(page, guidance_tab.search, api_name="guidance_search"), ctx)
    html = search(request, "基线是什么", 2, "zh")  # a single output: the value itself, not a list
    assert isinstance(html, str) and html.count('class="okr-passage"') == 2


def test_closing_the_tab_frees_the_session(ctx):
    assert ctx.ledger.begin("closing", 1, 10) is None
    ctx.ledger.end("closing")
    assert "closing" in ctx.ledger
    forget_session(ctx, session="closing")
    assert "closing" not in ctx.ledger
    forget_session(ctx, session="")  # a request without a session: nothing to do


def test_records_list_their_fields_in_output_order():
    assert output_names(batch_tab.ReviewShown)[-1] == "picture"  # the warning is a toast, not an output
    assert [f.name for f in fields(batch_tab.ReviewShown)][-1] == "warning"
