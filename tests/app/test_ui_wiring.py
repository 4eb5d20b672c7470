"""The page's event wiring without a browser or a server: handlers called directly, records checked against the page.

The page is built (gr.Blocks, never launched); each handler is a plain function returning a typed record,
and every wired event's record fields must be exactly the components gradio sends its outputs to.
"""

from __future__ import annotations

import html
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

from assistant.app import batch, draft, retro
from assistant.app.batch import LastReview, severity_colours
from assistant.app.checkin import checkin_headers
from assistant.app.context import AppContext
from assistant.app.gradio_locale import switch_script
from assistant.app.panel import findings_html
from assistant.app.tabs import alignment as alignment_tab
from assistant.app.tabs import batch as batch_tab
from assistant.app.tabs import checkin as checkin_tab
from assistant.app.tabs import draft as draft_tab
from assistant.app.tabs import guidance as guidance_tab
from assistant.app.tabs import retro as retro_tab
from assistant.app.tabs import settings as settings_tab
from assistant.app.texts import text
from assistant.app.ui import PageInLanguage, build_page, forget_session, switch_language
from assistant.app.updates import KEEP, Choices, Keep, Records, Relabel, Shown, Table
from assistant.app.wiring import Binding, Page, WiringError, adapter, gradio_outputs, output_names, toasts
from assistant.assist.drafting import DraftingSession
from assistant.checkin.analysis import STATUSES
from assistant.checkin.texts import status_label
from assistant.config import Config
from assistant.knowledge.retrieval import RELEVANCE_FLOOR
from assistant.model import KeyResult, Level, Objective, OKRSet
from assistant.texts import words

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
OBJECTIVE = "让新商家第一周就离不开我们"
VAGUE_KR = "提升用户活跃度"
CJK = re.compile(r"[\u3400-\u9fff]")
RULE_CODE = re.compile(r"\b[A-Z]{3}\d{3}\b")
SLUG = re.compile(r"\b[a-z]+(?:-[a-z]+)+\b")  # a note id: English jargon in Chinese text
# Which component a typed output value may go to: a wrong pairing is a wiring mistake.
TARGETS: dict[type, tuple[type, ...]] = {
    Table: (gr.Dataframe,),
    Records: (gr.BarPlot,),
    Choices: (gr.Dropdown, gr.Radio, gr.CheckboxGroup),
    Shown: (gr.Textbox, gr.Button),
    DraftingSession: (gr.State,),
    LastReview: (gr.State,),
    str: (gr.Markdown, gr.HTML, gr.Textbox, gr.State),
    bool: (gr.Checkbox,),
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
    # The one exception: the browser-side script that sets gradio's own locale from the switch (no server code).
    scripts = [fn for fn in blocks.fns.values() if fn.fn is None]
    assert [(fn.js, [c._id for c in fn.inputs]) for fn in scripts] == [(switch_script(), [page.part("switch")._id])]
    assert not scripts[0].outputs
    wired = [fn for fn in blocks.fns.values() if fn.fn is not None]
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
    assert [type(child) for child in bar.children] == [gr.Tab] * 7
    assert [child.label for child in bar.children] == ["起草", "批量审阅", "进展", "对齐大图", "复盘", "指南", "设置"]


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
        "checkin",
        "doctor",
    }
    review = endpoints["batch_review"].fn.binding
    assert review.outputs[:3] == ("counts", "file_status", "problems")
    assert review.outputs[-2:] == ("reviewed", "picture")
    assert endpoints["draft_send"].fn.binding.outputs == (
        *("chat", "message", "draft_table", "panel", "item", "drafting"),
        *("cycle", "team"),  # a cycle or team said in the chat fills its box
    )


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
    hidden, english = switch_language(ctx, "en", labels=page.labels)
    for step in (hidden, english):
        _fits(page, binding, step)
    # The file boxes are hidden and shown again, so gradio redraws their drop areas in its new locale.
    files = [i for i, label in enumerate(page.labels) if label.remounts]
    kinds = [type(page.labels[i].component) for i in files]
    assert kinds.count(gr.File) >= 4 and kinds.count(gr.Dataframe) == 2  # the draft and score tables: editable
    assert all(page.labels[i].prop == "label" for i in files)
    assert [hidden.labels[i].visible for i in files] == [False] * len(files)
    assert [english.labels[i].visible for i in files] == [True] * len(files)
    assert {r.visible for i, r in enumerate(english.labels) if i not in files} == {None}
    assert {hidden.labels[i] for i in range(len(page.labels)) if i not in files} == {KEEP}  # only the boxes, first
    assert english.language == "en" and english.mode.startswith("Offline mode")
    assert len(english.labels) == len(hidden.labels) == len(page.labels) > 40
    assert [r.words for r in english.labels] == [label.template.format(text("en", label.key)) for label in page.labels]
    assert not [r.words for r in english.labels if CJK.search(r.words)]
    words = {(r.prop, r.words) for r in english.labels}
    names = ("Draft", "Batch review", "Check-in", "Alignment map", "Retrospective", "Guidance", "Settings")
    tabs = {("label", name) for name in names}
    assert tabs <= words
    assert {("value", "## OKR review assistant"), ("placeholder", text("en", "message_placeholder"))} <= words
    assert {("x_title", "Dimension"), ("y_title", "Count"), ("color_title", "Severity")} <= words
    assert ("label", "Passages to show") in words  # the guidance slider is not "k"
    *_, chinese = switch_language(ctx, "fr", labels=page.labels)  # an unknown choice: Chinese
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
    assert 'data-code="FOC003"' in last.panel  # an objective without KRs yet …
    foc003 = last.panel.split('data-code="FOC003"')[1].split("</summary>")[0]
    assert "okr-info" in foc003 and "okr-error" not in foc003  # … is the next step (a hint), not 严重
    assert [f.severity.value for f in last.drafting.findings if f.code == "FOC003"] == ["error"]  # the rule's own
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
    assert empty.candidate.visible is False and empty.checklist.visible is False
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
    assert "离线模式" in rewrite.advice and 'class="okr-card"' in rewrite.advice
    assert text("zh", "not_a_kr") in draft_tab.rewrite(ctx, "O1", edited.drafting, "zh").advice
    asked = draft_tab.questions(ctx, "O1", edited.drafting, "zh")
    _fits(page, _binding(page, draft_tab.questions), asked)
    assert asked.checklist.visible and len(asked.checklist.choices) >= 3 and asked.checklist.value == []
    assert asked.candidate.visible is False and asked.adopt == Shown(False)  # nothing to use from questions
    assert text("en", "pick_item") in draft_tab.questions(ctx, "O1", None, "en").advice


def test_the_cycle_field_stands_in_for_missing_deadlines(ctx, built):
    _, page = built
    *_, first = draft_tab.send(ctx, OBJECTIVE, [], None, "zh")
    *_, turn = draft_tab.send(ctx, "新商家首周激活率从 35% 提升到 55%", first.chat, first.drafting, "zh")
    assert 'data-code="MEA004"' in turn.panel  # no deadline and no cycle
    dated = draft_tab.set_context(ctx, " 2025 Q3 ", "增长部", None, turn.drafting, "zh")
    for binding in _bindings(page, draft_tab.set_context):
        _fits(page, binding, dated)
    assert len(_bindings(page, draft_tab.set_context)) == 5  # submit and leaving the box (cycle, team); the level
    assert dated.drafting.cycle == "2025Q3" and dated.drafting.team == "增长部"
    assert 'data-code="MEA004"' not in dated.panel  # one cycle line, not a notice on every KR
    kept = draft_tab.set_context(ctx, "", "  ", None, dated.drafting, "zh")
    assert kept.drafting.team == "增长部" and kept.drafting.cycle is None  # an empty team keeps the old one
    fresh = draft_tab.restart(ctx, "zh")
    assert fresh.cycle == "" and fresh.team == "" and fresh.level is None  # a new draft starts afresh


def test_a_cycle_and_team_said_in_the_chat_fill_their_boxes(ctx, built):
    _, page = built
    *_, first = draft_tab.send(ctx, OBJECTIVE, [], None, "zh")
    assert first.cycle == "" and first.team == ""  # nothing said yet: the boxes show their placeholders
    *_, said = draft_tab.send(ctx, "周期：2025Q3", first.chat, first.drafting, "zh")
    _fits(page, _binding(page, draft_tab.send, api_name="draft_send"), said)
    assert said.drafting.cycle == "2025Q3" and said.cycle == "2025Q3"
    *_, team = draft_tab.send(ctx, "团队：增长部", said.chat, said.drafting, "zh")
    assert team.team == "增长部" and team.cycle == "2025Q3"
    english = draft_tab.switch_language(ctx, "en", team.drafting)
    assert english.drafting.cycle == "2025Q3"  # a switch keeps the cycle


def test_the_level_is_the_drafts_and_survives_a_switch(ctx, built):
    _, page = built
    *_, turn = draft_tab.send(ctx, OBJECTIVE, [], None, "zh")
    assert [name for name, _ in draft.level_choices("zh")] == ["公司", "事业群", "部门", "团队", "个人"]
    placed = draft_tab.set_context(ctx, "", "", "individual", turn.drafting, "zh")
    for binding in _bindings(page, draft_tab.set_context):
        _fits(page, binding, placed)
    assert placed.drafting.okr_set().level == Level.individual
    unknown = draft_tab.set_context(ctx, "", "", "galaxy", placed.drafting, "zh")
    assert unknown.drafting.okr_set().level is None  # not a level: none, never a guess
    placed = draft_tab.set_context(ctx, "", "", "department", unknown.drafting, "zh")
    switched = draft_tab.switch_language(ctx, "en", placed.drafting)
    _fits(page, _binding(page, draft_tab.switch_language), switched)
    assert switched.drafting.okr_set().level == Level.department
    assert switched.level == Choices(draft.level_choices("en"), "department")
    assert ("Department", "department") in switched.level.choices


def test_items_move_and_delete_from_the_panel(ctx, built):
    _, page = built
    rows = [
        ["O1", "目标甲", "KR1", "甲一：激活率从 35% 到 55%", ""],
        ["O1", "目标甲", "KR2", "甲二：留存率从 20% 到 30%", ""],
        ["O2", "目标乙", "KR1", "乙一：投诉率从 5% 降到 2%", ""],
    ]
    start = draft_tab.edit(ctx, rows, None, "zh").drafting
    down = draft_tab.move_down(ctx, "O1.KR1", start, "zh")
    _fits(page, _binding(page, draft_tab.move_down), down)
    assert [row[3][:2] for row in down.draft_table.rows] == ["甲二", "甲一", "乙一"]
    assert down.item.value == "O1.KR2"  # the moved KR stays chosen, under its new number
    up = draft_tab.move_up(ctx, "O2", down.drafting, "zh")
    assert [row[1] for row in up.draft_table.rows] == ["目标乙", "目标甲", "目标甲"] and up.item.value == "O1"
    assert draft_tab.move_up(ctx, "O1", up.drafting, "zh").drafting.draft == up.drafting.draft  # first stays first
    gone = draft_tab.delete(ctx, "O2.KR1", up.drafting, "zh")
    _fits(page, _binding(page, draft_tab.delete), gone)
    assert [row[3][:2] for row in gone.draft_table.rows] == ["乙一", "甲一"]
    whole = draft_tab.delete(ctx, "O1", gone.drafting, "zh")
    assert [row[1] for row in whole.draft_table.rows] == ["目标甲"]  # the objective went with its KRs
    assert draft_tab.delete(ctx, "O9", whole.drafting, "zh").warning == text("zh", "pick_item")
    assert draft_tab.move_up(ctx, None, None, "zh").warning == text("zh", "pick_item")


def test_a_rewrite_candidate_can_be_used_in_the_draft(ctx, built):
    _, page = built
    *_, first = draft_tab.send(ctx, OBJECTIVE, [], None, "zh")
    *_, turn = draft_tab.send(ctx, VAGUE_KR, first.chat, first.drafting, "zh")
    assert 'data-code="MEA002"' in turn.panel
    offered = draft_tab.rewrite(ctx, "O1.KR1", turn.drafting, "zh")
    assert offered.candidate.visible and offered.candidate.choices and offered.adopt == Shown(True)
    words = re.sub(r"<[^>]+>", " ", offered.advice)  # what the page shows, without the markup
    assert not re.search(r"参考卡片：|维度：|\b[a-z]+-[a-z]+(?:-[a-z]+)*\b", words)  # titles, not note ids
    chosen = offered.candidate.choices[0][1]
    used = draft_tab.adopt(ctx, "O1.KR1", chosen, turn.drafting, "zh")
    _fits(page, _binding(page, draft_tab.adopt), used)
    assert used.warning == "" and used.draft_table.rows[0][3] == chosen  # in place of the vague KR …
    assert used.draft_table.rows[0][1] == OBJECTIVE and len(used.draft_table.rows) == 1
    assert used.drafting.draft[0].key_results[0].text == chosen  # … in the draft, and checked again at once
    assert used.panel != turn.panel and used.panel == findings_html(used.drafting.findings, ctx.notebook.notes, "zh")
    assert used.item.value == "O1.KR1" and used.candidate.visible is False and used.adopt == Shown(False)
    assert draft_tab.adopt(ctx, "O1", chosen, used.drafting, "zh").warning == text("zh", "not_a_kr")
    assert draft_tab.adopt(ctx, "O1.KR1", None, used.drafting, "zh").warning == text("zh", "pick_candidate")


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


def _status_counts(done: Any, name: str) -> tuple[int, int, int]:
    """Sets, errors and warnings of one upload, counted from the review itself (not from the status code)."""
    sets = len({s.key for s in done.reviewed.sets if s.source and s.source.file == name})
    return sets, *_problem_counts(done, name)


def _problem_counts(done: Any, name: str) -> tuple[int, int]:
    lines = [line for line in done.problems.text.splitlines() if line.startswith(name)]
    return len(lines), 0


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
    # One status line per upload, in the page's language: the example read, the broken file with its problems.
    good_sets = len({s.key for s in done.reviewed.sets if s.source and s.source.file == "company-and-teams.csv"})
    assert good_sets > 1
    assert done.file_status.splitlines() == [
        "- ✓ " + text("zh", "file_read", name="company-and-teams.csv", sets=good_sets),
        "- " + batch.FileStatus("broken.csv", *_status_counts(done, "broken.csv")).line("zh"),
    ]
    assert done.file_status.splitlines()[1].startswith(("- ⚠ broken.csv：", "- ✗ broken.csv："))
    # Rule codes and note ids are details: not in the main table, only with the toggle.
    assert len(done.findings.rows) > 10 and not any(RULE_CODE.search(" ".join(row)) for row in done.findings.rows)
    assert done.findings.headers == ["团队", "位置", "维度", "严重程度", "问题", "建议"] and done.details is False
    assert {row[-1][:3] for row in done.reviewed.rows} >= {"ALI", "MEA"}  # kept for the toggle
    assert len({row["dimension"] for row in done.by_dimension.rows}) == 7
    assert sorted(Path(p).name for p in done.downloads) == [
        "okr-review-report.html",
        "okr-review-report.json",
        "okr-review-report.xlsx",
    ]
    assert done.f_severity == Choices(["全部", "严重", "警告", "提示"], "全部")
    assert isinstance(done.reviewed, LastReview) and batch.shown_rows(done.reviewed.rows) == done.findings.rows
    assert "<svg" in done.picture

    filtered = batch_tab.filter_findings("全部", "严重", "全部", False, done.reviewed)
    filters = _bindings(page, batch_tab.filter_findings)
    assert len(filters) == 4  # one per dropdown, and the details toggle
    for filter_binding in filters:
        _fits(page, filter_binding, filtered)
    assert filtered.findings.rows and all(row[3] == "严重" for row in filtered.findings.rows)
    detailed = batch_tab.filter_findings("全部", "严重", "全部", True, done.reviewed)
    assert detailed.findings.headers[-1] == text("zh", "col_code") and len(detailed.findings.rows[0]) == 7
    assert all(RULE_CODE.match(row[-1]) for row in detailed.findings.rows)  # "MEA002 · measurable-kr"
    assert [row[:6] for row in detailed.findings.rows] == filtered.findings.rows
    assert batch_tab.filter_findings("全部", "全部", "全部", False, None).findings is KEEP  # no review yet

    data, english = batch_tab.switch_language("en", pd.DataFrame(done.findings.rows), done.counts, False, done.reviewed)
    _fits(page, _binding(page, batch_tab.switch_language), english)
    assert data.by_dimension.colours is None and english.by_dimension.colours == severity_colours("en")
    assert english.by_dimension.rows == data.by_dimension.rows  # the same data, then its colours: a full redraw
    assert english.findings.headers[0] == "Team" and len(english.findings.rows) == len(done.findings.rows)
    assert english.counts.endswith(" info)") and re.search(r"\d+ findings", english.counts)  # not 共 … 条问题
    assert {row[3] for row in english.findings.rows} <= {"Error", "Warning", "Info"}  # severities re-worded
    assert "✓ company-and-teams.csv: " in english.file_status and "OKR set(s) read" in english.file_status
    assert {row["severity"] for row in english.by_dimension.rows} == {"Error", "Warning", "Info"}
    assert english.f_severity == Choices(["All", "Error", "Warning", "Info"], "All")
    assert english.reviewed.language == "en" and batch.shown_rows(english.reviewed.rows) == english.findings.rows
    (before,) = batch_tab.switch_language("en", None, text("zh", "batch_empty"), False, None)
    assert before.counts == text("en", "batch_empty") and before.f_team is KEEP and before.reviewed is None
    (refused,) = batch_tab.switch_language("en", None, text("zh", "session_busy"), False, None)
    assert refused.counts is KEEP  # a message about a refused review is not replaced by the hint

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


@pytest.mark.parametrize("language", ["zh", "en"])
def test_a_review_that_read_nothing_says_so_instead_of_zero_findings(ctx, built, tmp_path, language):
    _, page = built
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a workbook at all")
    *_, shown = batch_tab.review(ctx, [str(bad)], language, session="wiring-nothing", progress=_no_progress)
    _fits(page, _binding(page, batch_tab.review), shown)
    assert shown.counts == shown.warning == text(language, "nothing_read")
    assert shown.problems.visible and "bad.xlsx" in shown.problems.text
    assert shown.by_dimension is None and shown.by_team is None and shown.downloads is None
    assert shown.findings.rows == () and shown.reviewed is None and shown.picture == ""
    assert shown.f_severity == Choices([], None)  # no "all" of nothing
    if language == "zh":
        assert not re.search(r"cannot decode|not a readable|File is not a zip|--map", shown.problems.text)


def test_the_same_file_uploaded_twice_is_read_once(ctx, built, tmp_path):
    first = _uploaded(tmp_path)
    again = tmp_path / "again"
    again.mkdir()
    second = _uploaded(again)
    *_, shown = batch_tab.review(ctx, [first, second], "zh", session="wiring-twice", progress=_no_progress)
    once = list(batch_tab.review(ctx, [first], "zh", session="wiring-once", progress=_no_progress))[-1]
    assert (
        shown.problems.visible and text("zh", "duplicate_upload", name="company-and-teams.csv") in shown.problems.text
    )
    assert shown.counts == once.counts and len(shown.findings.rows) == len(once.findings.rows)


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
    bars = re.findall(r'class="okr-bar" data-band="(\w+)" data-percent="([\d.]+)"', shown.spread)
    assert bars == [("conservative", "100"), ("analyse", "30")]  # one bar per scored KR, in its band
    assert 'class="okr-healthy-band"' in shown.spread and "健康区间 60%–70%" in shown.spread  # the band, shaded
    assert shown.retro_messages == Shown(True, "第 3 行（得分）：不是数字：“很好”")
    assert "O1.KR2" in shown.retro_out and "销售人手不足" in shown.retro_out
    nothing = retro_tab.run(ctx, None, None, [["O", "KR", "", ""]], "zh")
    assert nothing.retro_out == text("zh", "no_scores") and nothing.spread == ""  # no chart of nothing
    english = retro_tab.switch_language("en", None)
    _fits(page, _binding(page, retro_tab.switch_language), english)
    assert english.score_table.rows == [["", "", "", ""]] * 3 and english.score_table.headers[2] == "Score"
    more = retro_tab.add_row(rows, "zh")
    _fits(page, _binding(page, retro_tab.add_row), more)
    assert more.score_table.rows == [*rows, ["", "", "", ""]]  # the table can always get another row


def test_guidance_search(ctx, built):
    _, page = built
    found = guidance_tab.search(ctx, "信心指数一般填多少合适？", 3.0, "zh")
    _fits(page, _binding(page, guidance_tab.search, api_name="guidance_search"), found)
    assert found.passages.count('class="okr-passage"') == 3
    assert guidance_tab.search(ctx, "  ", 3, "zh").passages == ""


@pytest.mark.parametrize(
    ("question", "language"), [("香蕉火箭牛奶", "zh"), ("lorem ipsum dolor", "en"), ("asdkjh qwezx", "zh")]
)
def test_guidance_says_so_when_nothing_in_the_notes_is_relevant(ctx, question, language):
    shown = guidance_tab.search(ctx, question, 5, language).passages
    assert 'class="okr-passage"' not in shown and text(language, "no_results") in html.unescape(shown)
    # The cut-off is the search's: without it the same question gets five passages, all under the floor.
    raw = ctx.retriever.search(question, 5)
    assert len(raw) == 5 and max(p.score for p in raw) < RELEVANCE_FLOOR


# ---------------------------------------------------------------------------- check-in and settings tabs


@pytest.mark.parametrize("language", ["zh", "en"])
def test_checkin_tab_shows_statuses_chart_agenda_and_report(ctx, built, tmp_path, language):
    _, page = built
    binding = _binding(page, checkin_tab.check, api_name="checkin")
    folder = tmp_path / "uploads"
    folder.mkdir()
    files = []
    for path in sorted((EXAMPLES / "checkins").glob("*.csv")):
        copy = folder / path.name
        copy.write_bytes(path.read_bytes())
        files.append(str(copy))
    shown = checkin_tab.check(ctx, files, "2025-08-15", language)
    _fits(page, binding, shown)
    assert shown.checkin_messages == Shown(False, "")
    assert shown.checkin_table.headers == checkin_headers(language) and len(shown.checkin_table.rows) == 5
    labels = {status_label(status, language) for status in STATUSES}
    assert {row[1] for row in shown.checkin_table.rows} <= labels  # every KR has a status, in the language
    assert "<svg" in shown.checkin_chart and "O1.KR2" in shown.checkin_agenda
    (report,) = shown.checkin_report
    assert Path(report).is_file() and ctx.reports_dir in Path(report).parents
    heading = shown.checkin_summary.splitlines()[0].split("增长部")[0]  # the team's name is data, not words
    assert bool(CJK.search(heading)) is (language == "zh")

    english = checkin_tab.switch_language("en", shown.checkin_summary, pd.DataFrame(shown.checkin_table.rows))
    _fits(page, _binding(page, checkin_tab.switch_language), english)
    assert english.checkin_summary is KEEP  # a summary stays as it was written
    assert (
        english.checkin_table.headers == checkin_headers("en")
        and english.checkin_table.rows == shown.checkin_table.rows
    )


def test_checkin_tab_without_files_or_readable_input_says_what_to_do(ctx, built, tmp_path):
    _, page = built
    empty = checkin_tab.check(ctx, None, "", "zh")
    _fits(page, _binding(page, checkin_tab.check, api_name="checkin"), empty)
    assert empty.checkin_summary == text("zh", "checkin_empty") and empty.checkin_report is None
    hint = checkin_tab.switch_language("en", empty.checkin_summary, None)
    assert hint.checkin_summary == text("en", "checkin_empty") and hint.checkin_table.rows == []
    bad = tmp_path / "empty.csv"
    bad.write_text("", "utf-8")
    nothing = checkin_tab.check(ctx, [str(bad)], "", "en")
    assert nothing.checkin_summary == text("en", "checkin_nothing") and nothing.checkin_messages.visible
    assert "empty.csv" in nothing.checkin_messages.text and nothing.checkin_table.rows == []


@pytest.mark.parametrize("language", ["zh", "en"])
def test_settings_tab_shows_the_doctor_summary(ctx, built, language):
    _, page = built
    shown = settings_tab.diagnose(ctx, language)
    _fits(page, _binding(page, settings_tab.diagnose, api_name="doctor"), shown)
    report = shown.doctor
    assert report.startswith("### ") and "|---|---|---|---|" in report  # verdict, then the table of checks
    verdict = "受限" if language == "zh" else "degraded"  # offline: no LLM endpoint configured
    assert verdict in report
    assert bool(CJK.search(report.splitlines()[0])) is (language == "zh")
    assert "api_key" not in report.lower()
    switched = settings_tab.switch_language("en", text("zh", "doctor_empty"))
    _fits(page, _binding(page, settings_tab.switch_language), switched)
    assert switched.doctor == text("en", "doctor_empty")  # the hint follows the switch …
    assert settings_tab.switch_language("en", report).doctor is KEEP  # … a report stays as written


# ---------------------------------------------------------------------------- the adapter gradio calls


def test_the_adapter_fills_context_session_and_progress_and_shows_warnings(ctx, built):
    _, page = built
    run = adapter(_binding(page, batch_tab.review), ctx)
    request = SimpleNamespace(session_hash="adapter-test")
    with pytest.warns(UserWarning, match=re.escape(text("zh", "no_files"))):  # gr.Warning outside a request
        (values,) = run(request, None, "zh", lambda fraction, desc: None)
    assert len(values) == 13 and values[0] == text("zh", "no_files") and values[1] == ""  # no file statuses
    assert values[2] == {"__type__": "update", "visible": False}
    assert values[5] == {"__type__": "update"}  # a filter kept as it is
    assert isinstance(values[8], pd.DataFrame) and values[8].empty and values[8].columns[0] == "团队"
    assert values[9] is False  # the details toggle off

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


def test_a_retrospective_of_several_sets_says_offline_and_lists_its_notes_once(ctx):
    def scored(team: str) -> OKRSet:
        krs = [
            KeyResult(id="KR1", text="季度末 NPS 从 30 提升到 45", score=1.0),
            KeyResult(id="KR2", text="客户续约率从 70% 提升到 85%", score=0.3),
        ]
        return OKRSet(team=team, objectives=[Objective(id="O1", text="让客户离不开我们", key_results=krs)])

    found = retro.ScoredInput(sets=[scored("增长部"), scored("客服部")])
    shown = retro.retrospective_markdown(found, ctx, "zh")
    offline = words("retrospective_texts").get("zh", "offline")
    assert shown.count(offline) == 1 and shown.startswith(offline)  # once, at the top
    assert shown.count("客户续约率从 70% 提升到 85%") >= 2  # both sets are there
    notes = f"**{text('zh', 'retro_notes')}**"
    assert shown.count(notes) <= 1 and not SLUG.search(shown.split(notes)[-1] if notes in shown else "")
