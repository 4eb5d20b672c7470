"""The web app with an LLM: every assistant tab against the scripted OpenAI-compatible server, over real HTTP."""

from __future__ import annotations

import httpx
import pytest
from app_server import running_app
from gradio_client import Client
from llm_server import TEST_KEY, Reply, chat_server, system_prompt

from assistant.config import Config

CHAT_REPLY = "好的方向。我们先把目标定下来：让新商家第一周就离不开我们。接下来想想怎么衡量？"
DRAFT = {"objectives": [{"text": "让新商家第一周就离不开我们", "owner": "", "key_results": []}]}
CANDIDATES = {
    "candidates": [
        {
            "text": "9月30日前，新商家首周激活率从 35% 提升到〔目标值〕",
            "metric": "新商家首周激活率",
            "baseline": "35%",
            "target": "〔目标值〕",
            "unit": "%",
            "deadline": "9月30日",
            "rationale": "把“优化引导”落到激活率这个结果上。",
            "note_ids": [],
            "assumptions": [],
        }
    ]
}
QUESTIONS = {
    "questions": [
        {"question": "新商家第一周最常在哪一步放弃？", "dimension": "outcome", "why": "找准卡点", "note_ids": []},
        {"question": "哪一个数字最能说明商家离不开我们？", "dimension": "measurable", "why": "找指标", "note_ids": []},
        {"question": "要做到这一点，需要哪些团队配合？", "dimension": "aligned", "why": "找协作", "note_ids": []},
    ]
}
RETRO = {
    "achieved": [{"kr": "O1.KR1", "text": "NPS", "actions": ["每周回访客户"]}],
    "missed": [{"kr": "O1.KR2", "text": "续约率", "obstacle": "resources", "analysis": "销售人手不足"}],
    "calibration": [],
    "next_cycle": ["续约目标先和销售对齐"],
    "note_ids": [],
}


def scripted(request: dict) -> Reply:
    """Answers each task by its system prompt, as a real model would answer its prompt."""
    system = system_prompt(request)
    if request["body"].get("stream"):
        return Reply(CHAT_REPLY)
    if "记录 OKR 起草对话" in system:
        return Reply(DRAFT)
    if "关键结果（KR）改写" in system:
        return Reply(CANDIDATES)
    if "引导助手" in system:
        return Reply(QUESTIONS)
    if "复盘助手" in system:
        return Reply(RETRO)
    return Reply(status=500)


@pytest.fixture(scope="module")
def llm_app(shared_retriever, tmp_path_factory):
    with chat_server(scripted) as server, pytest.MonkeyPatch.context() as patch:
        patch.setenv("OKR_REVIEW_LLM_BASE_URL", server.base_url)
        patch.setenv("OKR_REVIEW_LLM_MODEL", "test-model")
        patch.setenv("OPENAI_API_KEY", TEST_KEY)
        patch.setenv("OKR_REVIEW_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
        with running_app(shared_retriever, tmp_path_factory.mktemp("app"), config=Config()) as (url, ctx):
            yield url, ctx, server


def test_the_page_names_the_llm_and_never_the_key(llm_app):
    url, ctx, _ = llm_app
    assert ctx.llm is not None
    config = httpx.get(url + "config", timeout=10).text
    assert "test-model" in config and "已连接 LLM" in config
    assert TEST_KEY not in config


def test_drafting_chat_streams_and_keeps_the_extracted_draft(llm_app):
    url, _, server = llm_app
    app = Client(url, verbose=False)
    job = app.submit("我们想让新商家更快上手", [], api_name="/draft_send")
    updates = list(job)
    final = job.outputs()[-1]
    history, _, table, panel, *_ = final
    assert len(job.outputs()) > 2 and updates  # the reply arrived in pieces
    assert CHAT_REPLY in str(history[-1]["content"])
    assert table["data"] == [["O1", "让新商家第一周就离不开我们", "", "", ""]]
    assert "FOC003" in panel
    assert any(r["body"].get("stream") for r in server.chat_requests())


def test_rewrite_questions_and_retrospective_use_the_llm(llm_app):
    url, _, _ = llm_app
    app = Client(url, verbose=False)
    app.predict("让新商家第一周就离不开我们", [], api_name="/draft_send")
    edited = {
        "headers": ["O", "目标", "KR", "关键结果", "负责人"],
        "data": [["O1", "让新商家第一周就离不开我们", "KR1", "优化新手引导，首周激活率目前 35%，9月30日前", ""]],
    }
    app.predict(edited, api_name="/draft_edit")
    cards, candidates, _ = app.predict("O1.KR1", api_name="/draft_rewrite")
    assert "新商家首周激活率从 35% 提升到〔目标值〕" in cards and "离线模式" not in cards
    assert "新商家首周激活率从 35% 提升到〔目标值〕" in candidates["value"]  # the best candidate, ready to use
    _, _, checklist = app.predict("O1", api_name="/draft_questions")
    assert any("新商家第一周最常在哪一步放弃？" in str(choice) for choice in checklist["choices"])
    rows = {
        "headers": ["目标", "关键结果", "得分", "进展记录"],
        "data": [
            ["让客户离不开我们", "季度末 NPS 从 30 提升到 45", "1.0", "每周回访 20 位客户"],
            ["让客户离不开我们", "客户续约率从 70% 提升到 85%", "0.3", "销售人手不足"],
        ],
    }
    _, _, body = app.predict(None, None, rows, api_name="/retro")
    assert "续约目标先和销售对齐" in body and "离线模式" not in body
