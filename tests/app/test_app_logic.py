"""The app's tab logic without a browser or a server: tables, uploads, the findings panel, the words."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assistant.app import AppSettingsError, parse_auth
from assistant.app.batch import (
    dimension_counts,
    filter_choices,
    filter_rows,
    finding_rows,
    load_uploads,
    severity_colours,
)
from assistant.app.context import AppContext
from assistant.app.draft import in_language, item_choices, rows_to_draft, table_rows
from assistant.app.panel import badge_colours, findings_html, item_label
from assistant.app.retro import distribution, set_from_table
from assistant.app.texts import keys, text
from assistant.assist.schemas import DraftObjective
from assistant.config import Config
from assistant.engine import check
from assistant.model import KeyResult, Objective, OKRSet
from assistant.review import Review


@pytest.fixture
def ctx(shared_retriever, tmp_path) -> AppContext:
    return AppContext(config=Config(), llm=None, retriever=shared_retriever, workdir=tmp_path, max_upload_mb=1)


def test_every_label_exists_in_both_languages_and_fills_fields():
    assert {"offline", "tab_draft", "counts", "too_large"} <= keys()
    assert text("en", "tab_draft") == "Draft" and text("zh", "tab_draft") == "起草"
    assert text("xx", "tab_draft") == "起草"  # unknown language → Chinese
    assert text("en", "too_large", name="a.csv", size="2.0", limit=1) == "a.csv: file too large (2.0 MB, limit 1 MB)."


def test_table_rows_and_back():
    draft = [
        DraftObjective.model_validate(
            {"text": "让客户离不开我们", "key_results": [{"text": "NPS 从 30 到 45", "owner": "林可"}]}
        ),
        DraftObjective(text="让新员工一周上手"),
    ]
    rows = table_rows(draft)
    assert rows == [
        ["O1", "让客户离不开我们", "KR1", "NPS 从 30 到 45", "林可"],
        ["O2", "让新员工一周上手", "", "", ""],
    ]
    edited = [*rows, ["O1", "", "KR2", "续约率从 70% 到 85%", ""], ["", "", "", "", ""], ["o2", "", "", "", "周航"]]
    back = rows_to_draft(edited)
    assert [o["text"] for o in back] == ["让客户离不开我们", "让新员工一周上手"]
    assert [k["text"] for k in back[0]["key_results"]] == ["NPS 从 30 到 45", "续约率从 70% 到 85%"]
    assert back[1]["owner"] == "周航" and back[1]["key_results"] == []
    assert rows_to_draft([[None, "只有目标", None, None, None]]) == [
        {"text": "只有目标", "owner": "", "key_results": []}
    ]


def test_item_choices_name_every_objective_and_kr():
    draft = [DraftObjective.model_validate({"text": "O 文本", "key_results": [{"text": "a"}, {"text": "b"}]})]
    assert [ref for _, ref in item_choices(draft)] == ["O1", "O1.KR1", "O1.KR2"]


def test_switching_language_keeps_the_draft(ctx):
    session = in_language(None, ctx, "zh")
    list(session.send("让新商家第一周就离不开我们"))
    english = in_language(session, ctx, "en")
    assert english is not session and english.language == "en"
    assert [o.text for o in english.draft] == ["让新商家第一周就离不开我们"]
    assert in_language(english, ctx, "en") is english


def test_uploads_of_the_wrong_type_or_size_are_refused_the_rest_is_read(ctx, tmp_path):
    good = tmp_path / "good.csv"
    good.write_text("team,objective,key_result\n增长部,让客户离不开我们,NPS 从 30 提升到 45\n", "utf-8")
    big = tmp_path / "big.csv"
    big.write_text("team,objective,key_result\n" + "增长部,目标,结果\n" * 70000, "utf-8")
    odd = tmp_path / "plan.docx"
    odd.write_bytes(b"PK")
    loaded = load_uploads([good, big, odd], ctx, "zh")
    assert [s.team for s in loaded.sets] == ["增长部"]
    messages = loaded.messages("zh")
    assert any(m.startswith("big.csv：文件太大") and "上限 1 MB" in m for m in messages)
    assert any(m.startswith("plan.docx：不支持的文件类型") for m in messages)
    assert good.read_text("utf-8").startswith("team,")  # inputs are never modified


def test_filters_match_every_chosen_value():
    rows = [
        ["增长部", "O1.KR1", "可衡量", "严重", "m", "f", "MEA002"],
        ["增长部", "O1", "责任到人", "警告", "m", "f", "OWN001"],
        ["产品部", "O1.KR1", "可衡量", "提示", "m", "f", "MEA004"],
    ]
    assert filter_rows(rows, dimension="可衡量", severity="全部", team="全部", any_="全部") == [rows[0], rows[2]]
    assert filter_rows(rows, dimension="可衡量", severity="严重", team="产品部", any_="全部") == []
    choices = filter_choices(rows, "zh")
    assert choices["team"] == ["全部", "增长部", "产品部"] and len(choices["dimension"]) == 8


def test_panel_groups_by_dimension_and_escapes_user_text(shared_retriever):
    okr = OKRSet(
        team="T",
        objectives=[
            Objective(
                id="O1",
                text="<script>alert(1)</script> 做好",
                key_results=[KeyResult(id="KR1", text="优化 <b>流程</b>")],
            )
        ],
    )
    findings = check([okr], Config())
    html = findings_html(findings, shared_retriever.index.notebook.notes, "zh")
    assert "<script>" not in html and "&lt;b&gt;" in html
    headings = [part.split("</h4>")[0] for part in html.split('<h4 class="okr-dimension">')[1:]]
    assert headings and not [h for h in headings if re.match(r"[A-Z] ·", h)]  # no CLASSIC letters (S and C repeat)
    summaries = [part.split("</summary>")[0] for part in html.split("<summary>")[1:]]
    assert summaries and not [s for s in summaries if re.search(r"[A-Z]{3}\d{3}", s)]  # rule codes only when opened
    assert 'data-code="MEA002"' in html and "可衡量的关键结果" in html  # the note explains it
    assert findings_html([], {}, "en") == '<div class="okr-panel"><p>No findings.</p></div>'


def _set_without_cycle_or_owners() -> OKRSet:
    """Three KRs with neither owner nor deadline, in a set without a cycle: MEA004 and OWN002 fold."""
    krs = ["首次解决率从 60% 提升到 80%", "平均响应时间从 4 小时缩短到 1 小时", "客户满意度从 4.1 提升到 4.5"]
    return OKRSet(
        team="客服部",
        objectives=[
            Objective(
                id="O1",
                text="让客户的问题一次就解决",
                key_results=[KeyResult(id=f"KR{i}", text=t) for i, t in enumerate(krs, 1)],
            )
        ],
    )


@pytest.mark.parametrize(("language", "whole"), [("zh", "整组："), ("en", "Whole set: ")])
def test_folded_set_level_findings_name_their_items_not_the_team(shared_retriever, language, whole):
    okr = _set_without_cycle_or_owners()
    findings = check([okr], Config().with_options(language=language))
    folded = next(f for f in findings if f.code == "MEA004")
    assert folded.objective is None and folded.key_result is None  # one set-level finding for the three KRs
    refs = "O1.KR1, O1.KR2, O1.KR3"
    assert item_label(folded, language) == whole + refs
    owner = next(f for f in findings if f.code == "OWN001")
    assert item_label(owner, language) == "O1"
    review = Review(inputs=["x.csv"], sets=[okr], findings=findings, problems=[], language=language, notes={})
    rows = {row[-1].split(" · ")[0]: row for row in finding_rows(review, language)}
    assert rows["MEA004"][:2] == ["客服部", whole + refs]  # not the team's name a second time
    html = findings_html(findings, shared_retriever.index.notebook.notes, language)
    mea004 = html.split('data-code="MEA004"')[1].split("</details>")[0]
    assert f"<b>{whole}{refs}</b>" in mea004 and "<q>" not in mea004  # the refs once, as where it is


def test_panel_names_the_rule_of_each_finding(shared_retriever):
    okr = OKRSet(team="T", objectives=[Objective(id="O1", text="客服", key_results=[KeyResult(id="KR1", text="x")])])
    findings = [f for f in check([okr], Config()) if f.code == "INS005"]
    assert findings, "INS005 (bare noun objective) did not fire"
    zh = findings_html(findings, {}, "zh")
    assert "规则</b>：目标只是名词或职责 <small>（INS005）</small>" in zh  # inside the details, not the summary
    assert "INS005" not in zh.split("<summary>")[1].split("</summary>")[0]
    en = findings_html(findings, {}, "en")
    assert "Objective is a bare noun or a duty" in en and "目标只是" not in en


@pytest.mark.parametrize("language", ["zh", "en"])
def test_chart_colours_follow_the_severity_badges(language):
    colours = severity_colours()
    review = Review(inputs=[], sets=[], findings=[], problems=[], language=language, notes={})
    labels = {row["severity"] for row in dimension_counts(review, language)}
    assert labels <= set(colours)  # every label the chart plots has a colour, in both languages
    assert colours[text(language, "error")] == badge_colours()["error"]
    assert colours[text(language, "info")] == badge_colours()["info"]


def test_retro_table_reads_scores_and_reports_bad_rows(ctx):
    found = set_from_table(
        [
            ["让客户离不开我们", "NPS 从 30 提升到 45", "90%", "每周回访"],
            ["让客户离不开我们", "续约率", "很好", ""],
            ["", "没有目标", "50", ""],
            ["", "", "", ""],
        ],
        "zh",
    )
    assert [kr.text for _, kr in found.sets[0].key_results()] == ["NPS 从 30 提升到 45"]
    assert found.checkins == {"O1.KR1": "每周回访"}
    assert found.messages == ["第 2 行（得分）：不是数字：“很好”", "第 3 行（目标）：未填写"]
    spread = distribution(found.sets, ctx, "zh")
    assert spread == [{"kr": "O1.KR1", "percent": 90.0, "band": "70%–100%"}]


@pytest.mark.parametrize(("value", "expected"), [(None, None), ("", None), ("coach:pw", ("coach", "pw"))])
def test_parse_auth(value, expected):
    assert parse_auth(value) == expected


@pytest.mark.parametrize("value", ["coach", ":pw", "coach:"])
def test_parse_auth_refuses_half_settings(value):
    with pytest.raises(AppSettingsError, match="user:password"):
        parse_auth(value)


def test_context_paths_stay_in_the_work_folder(ctx):
    folder = ctx.scratch("reports")
    assert folder.parent == ctx.reports_dir and folder.is_dir()
    assert ctx.reports_dir.parent == ctx.uploads_dir.parent == ctx.workdir
    assert ctx.reports_dir != ctx.uploads_dir  # reports are served from a folder no upload can reach
    assert Path(ctx.workdir).exists()


def test_one_severity_palette_for_badges_charts_page_and_report():
    from assistant.app.theme import css, css_font_family
    from assistant.palette import band_swatches, severity_swatches
    from assistant.reports._html import _CSS as REPORT_CSS

    page = css()
    for name, swatch in severity_swatches().items():
        assert badge_colours()[name] == swatch.colour
        assert f".okr-badge.okr-{name}{{background:{swatch.colour}" in page
        assert f"--{name}:{swatch.colour};--{name}-bg:{swatch.background};" in REPORT_CSS
        assert severity_colours("zh")[text("zh", name)] == swatch.colour
    assert len({s.colour for s in severity_swatches().values()}) == 3  # three severities, three colours
    assert band_swatches()["healthy"].colour != band_swatches()["analyse"].colour
    assert "url(" not in page and "@import" not in page  # nothing loaded from outside
    assert css_font_family().startswith('"PingFang SC"') and "proportional-nums" in page


def test_adopting_a_candidate_replaces_only_that_key_result():
    from assistant.app.suggestions import adopt

    draft = [
        DraftObjective(text="让新商家离不开我们", key_results=[{"text": "提升活跃", "owner": "马骁"}, {"text": "B"}]),
        DraftObjective(text="第二个目标", key_results=[{"text": "C"}]),
    ]
    changed = adopt(draft, "O1.KR1", " 首周激活率从 35% 提升到 55% ")
    assert changed[0]["key_results"] == [
        {"text": "首周激活率从 35% 提升到 55%", "owner": "马骁"},
        {"text": "B", "owner": ""},
    ]
    assert changed[1]["key_results"] == [{"text": "C", "owner": ""}]
    for ref, words in (("O1", "x"), ("O3.KR1", "x"), ("O1.KR1", "  ")):
        with pytest.raises(ValueError):
            adopt(draft, ref, words)
