"""The web app through its API (gradio_client), against the app started in the test: every tab, offline."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest
from app_server import running_app
from gradio_client import Client, handle_file

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def client(url: str) -> Client:
    return Client(url, verbose=False, download_files=False)


def test_binds_to_loopback_and_says_it_is_offline(offline_app):
    url, ctx = offline_app
    assert url.startswith("http://127.0.0.1:")
    page = httpx.get(url, timeout=10)
    assert page.status_code == 200
    config = httpx.get(url + "config", timeout=10).json()
    mode = next(c for c in config["components"] if c.get("props", {}).get("elem_id") == "mode-line")
    assert mode["props"]["value"].startswith("离线模式")
    assert ctx.llm is None


def test_draft_objective_first_then_key_results_is_checked_every_turn(offline_app):
    url, _ = offline_app
    app = client(url)
    history, _, table, panel, items, *_ = app.predict("让新商家第一周就离不开我们", api_name="/draft_send")
    assert [m["role"] for m in history] == ["user", "assistant"]
    assert table["data"] == [["O1", "让新商家第一周就离不开我们", "", "", ""]]
    assert "FOC003" in panel  # an objective without KRs yet
    history, _, table, panel, items, *_ = app.predict(
        "优化新手引导流程；新商家首周激活率从 35% 提升到 55%", history, api_name="/draft_send"
    )
    assert len(history) == 4
    assert [row[3] for row in table["data"]] == ["优化新手引导流程", "新商家首周激活率从 35% 提升到 55%"]
    assert 'data-code="MEA002"' in panel and "FOC003" not in panel
    assert "可衡量的关键结果" in panel  # the note behind the finding explains it
    assert [value for _, value in items["choices"]] == ["O1", "O1.KR1", "O1.KR2"]
    cards, candidates, checklist = app.predict("O1.KR1", api_name="/draft_rewrite")  # (a button is no API output)
    assert "离线模式" in cards and 'class="okr-card"' in cards and "〔目标值〕" in cards
    assert candidates["visible"] and candidates["choices"] and not checklist["visible"]
    intro, _, checklist = app.predict("O1", api_name="/draft_questions")
    assert checklist["visible"] and len(checklist["choices"]) >= 3 and "依据资料" in intro
    assert "改写只针对关键结果" in app.predict("O1", api_name="/draft_rewrite")[0]
    # Using a candidate is a page action (its radio only takes the candidates it offered): API callers put the
    # text they choose into the draft with /draft_edit.


def test_editing_the_table_rechecks_the_draft(offline_app):
    url, _ = offline_app
    app = client(url)
    app.predict("让新商家第一周就离不开我们", api_name="/draft_send")
    edited = {
        "headers": ["O", "目标", "KR", "关键结果", "负责人"],
        "data": [["O1", "让新商家第一周就离不开我们", "KR1", "9 月 30 日前新商家首周激活率从 35% 提升到 55%", "马骁"]],
    }
    panel, items = app.predict(edited, api_name="/draft_edit")
    assert "FOC003" not in panel and "MEA002" not in panel
    assert "O1.KR1" in [value for _, value in items["choices"]]


def test_sessions_do_not_share_drafts(offline_app):
    url, _ = offline_app
    first, second = client(url), client(url)
    first.predict("让新商家第一周就离不开我们", api_name="/draft_send")
    _, _, table, _, _, *_ = second.predict("Customers cannot do without us", api_name="/draft_send")
    assert [row[1] for row in table["data"]] == ["Customers cannot do without us"]


def test_batch_review_reports_findings_problems_and_downloads(offline_app, tmp_path):
    url, ctx = offline_app
    broken = tmp_path / "broken.csv"
    broken.write_text("team,objective,key_result,confidence\n增长部,让客户离不开我们,续约率达到 90%,很高\n", "utf-8")
    unsupported = tmp_path / "plan.pdf"
    unsupported.write_bytes(b"%PDF-1.4")
    app = client(url)
    # Only the input types are accepted: anything else is refused before a handler sees it.
    with pytest.raises(Exception, match="Invalid file type"):  # gradio_client's AppError
        app.predict([handle_file(str(unsupported))], api_name="/batch_review")
    files = [handle_file(str(EXAMPLES / "company-and-teams.csv")), handle_file(str(broken))]
    counts, statuses, problems, dims, _teams, _f_dim, f_sev, _f_team, table, details, reports, _ = app.predict(
        files, api_name="/batch_review"
    )
    assert counts.startswith("共 ") and "发现" in counts and details is False
    assert statuses.startswith("- ✓ company-and-teams.csv：读到 ") and "\n- ⚠ broken.csv：" in statuses
    messages = problems["value"]
    assert "broken.csv" in messages and "第 2 行" in messages and "confidence" in messages
    assert str(ctx.workdir) not in messages  # uploads are named as the person named them
    assert len(table["data"]) > 10 and table["headers"][2:4] == ["维度", "严重程度"]  # no rule codes in the table
    assert {value for value, _ in f_sev["choices"]} >= {"全部", "严重", "警告", "提示"}
    plotted = [dict(zip(dims["columns"], row, strict=True)) for row in dims["data"]]
    assert len({row["dimension"] for row in plotted}) == 7  # every CLASSIC dimension, zeros included
    names = sorted(Path(r["path"]).name for r in reports)
    assert names == ["okr-review-report.html", "okr-review-report.json", "okr-review-report.xlsx"]
    report_path = next(Path(r["path"]) for r in reports if r["path"].endswith(".json"))
    assert report_path.resolve().is_relative_to(ctx.workdir.resolve())  # written inside the app's temp folder
    report = json.loads(report_path.read_text("utf-8"))
    assert len(report["findings"]) == len(table["data"])
    assert any(p["file"] == "broken.csv" for p in report["problems"])


def test_retrospective_from_the_table_and_from_an_upload(offline_app, tmp_path):
    url, _ = offline_app
    app = client(url)
    rows = {
        "headers": ["目标", "关键结果", "得分", "进展记录"],
        "data": [
            ["让客户离不开我们", "季度末 NPS 从 30 提升到 45", "100%", "每周回访 20 位客户"],
            ["让客户离不开我们", "客户续约率从 70% 提升到 85%", "30", "销售人手不足"],
            ["让客户离不开我们", "客服首次响应时间从 4 小时缩短到 1 小时", "65", ""],
        ],
    }
    messages, spread, body = app.predict(None, None, rows, api_name="/retro")
    assert messages["visible"] is False
    percents = re.findall(r'class="okr-bar" data-band="\w+" data-percent="([\d.]+)"', spread)
    assert percents == ["100", "30", "65"]
    assert "O1.KR2" in body.split("## 未达成")[1] and "销售人手不足" in body
    scores = tmp_path / "scores.csv"
    scores.write_text(
        "team,objective,key_result,score\n"
        "增长部,让客户离不开我们,NPS 从 30 提升到 45,0.9\n"
        "增长部,让客户离不开我们,续约率从 70% 提升到 85%,abc\n",
        "utf-8",
    )
    empty = {"headers": rows["headers"], "data": [["", "", "", ""]]}
    messages, spread, body = app.predict(handle_file(str(scores)), None, empty, api_name="/retro")
    assert "scores.csv" in messages["value"] and "第 3 行" in messages["value"]  # the bad score, reported
    assert re.findall(r'data-percent="([\d.]+)"', spread) == ["90"]
    _, _, nothing = app.predict(
        None, None, {"headers": rows["headers"], "data": [["O", "KR", "", ""]]}, api_name="/retro"
    )
    assert nothing.startswith("没有读到任何得分")


def test_alignment_map_from_uploads_and_from_the_last_review(offline_app, tmp_path):
    url, _ = offline_app
    app = client(url)
    broken = tmp_path / "notes.csv"
    broken.write_text("team,objective\n", "utf-8")  # a header and nothing else
    html = app.predict(
        [handle_file(str(EXAMPLES / "company-and-teams.csv")), handle_file(str(broken))], api_name="/alignment_map"
    )
    assert "<svg" in html and "漏球" in html and "建成统一的数据中台" in html
    assert "notes.csv" in html  # the file that gave nothing is named above the picture
    assert 'class="okr-map-caption"' in html and "3 个团队" in html
    # Without uploads the map draws the last batch review of this session.
    assert "请先上传文件" in app.predict(None, api_name="/alignment_map")
    app.predict([handle_file(str(EXAMPLES / "company-and-teams.csv"))], api_name="/batch_review")
    assert "<svg" in app.predict(None, api_name="/alignment_map")


def test_guidance_search_shows_passages_with_their_notes(offline_app):
    url, _ = offline_app
    html = client(url).predict("信心指数一般填多少合适？", 3, api_name="/guidance_search")
    assert html.count('class="okr-passage"') == 3
    assert 'data-note="confidence-index"' in html


def test_language_switch_relabels_and_english_reviews(offline_app):
    url, _ = offline_app
    app = client(url)
    updates = app.predict("en", api_name="/switch_language")
    assert updates[0].startswith("Offline mode")
    labels = {u.get("label") for u in updates[1:] if isinstance(u, dict)}
    # Tab labels change too, but gradio_client leaves layout updates out: the browser test sees them.
    assert {"Your message", "OKR files", "OKR file with scores", "Ask a question about OKRs"} <= labels
    # The charts' axis and legend titles are words in the new language, not the data's column names.
    titles = {(u.get("x_title"), u.get("y_title"), u.get("color_title")) for u in updates[1:] if isinstance(u, dict)}
    assert {("Dimension", None, None), (None, "Count", None), (None, None, "Severity"), ("Team", None, None)} <= titles
    counts, *_ = app.predict([handle_file(str(EXAMPLES / "growth-team.en.md"))], api_name="/batch_review")
    assert "objectives" in counts and "findings" in counts


def test_login_when_auth_is_set(shared_retriever, tmp_path):
    with running_app(shared_retriever, tmp_path, offline=True, auth=("coach", "s3cret")) as (url, _):
        assert httpx.get(url + "config", timeout=10).status_code == 401
        with pytest.raises(Exception):  # noqa: B017 (gradio_client raises its own error types)
            client(url)
        app = Client(url, auth=("coach", "s3cret"), verbose=False)
        assert app.predict("信心指数", 1, api_name="/guidance_search")
