"""The four assistant tasks against a reasoning model and a model without JSON mode, over real HTTP.

Each task must reach its LLM result (mode "llm", no error) with the reasoning kept out of everything it returns,
and without JSON mode after one refused request. The reasoning holds a JSON object of its own, so an answer read
from the reasoning would show up as wrong or empty results.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from llm_server import Behaviour, Reply, chat_server, connect, system_prompt

from assistant.assist.drafting import DraftingSession
from assistant.assist.questions import guiding_questions
from assistant.assist.retrospective import draft_retrospective
from assistant.assist.rewrite import rewrite_kr
from assistant.config import Config
from assistant.configfile import knowledge_settings_of
from assistant.knowledge import open_retriever
from assistant.model import KeyResult, Objective, OKRSet

THINKING = '先草拟：{"candidates": [], "questions": [], "objectives": [], "achieved": []}。不对，再想想：推理内容。'
BEHAVIOURS = {
    "reasoning_content": Behaviour(reasoning="field", thinking=THINKING),
    "think_tags": Behaviour(reasoning="think", thinking=THINKING),
    "no_json_mode": Behaviour(rejects=frozenset({"response_format"}), json_dress="fence"),
    "reasoning_without_json_mode": Behaviour(
        reasoning="think", thinking=THINKING, rejects=frozenset({"response_format"}), json_dress="preamble"
    ),
}


@pytest.fixture(scope="module")
def retriever(tmp_path_factory):
    data_dir: Path = tmp_path_factory.getbasetemp() / "okr-review-data"
    found, _ = open_retriever(knowledge_settings_of(Config(), environ={"OKR_REVIEW_DATA_DIR": str(data_dir)}))
    return found


def assert_no_reasoning(*values: object) -> None:
    text = json.dumps(values, ensure_ascii=False, default=str)
    assert "推理内容" not in text and "先草拟" not in text and "<think>" not in text


def assert_json_mode_refused_once(server, name: str) -> None:
    if "response_format" not in BEHAVIOURS[name].rejects:
        return
    with_format = [r for r in server.chat_requests() if "response_format" in r["body"]]
    assert len(with_format) == 1  # refused once, then remembered for the run


@pytest.mark.parametrize("name", list(BEHAVIOURS))
def test_rewrite(tmp_path, retriever, name):
    candidate = {
        "text": "9月30日前，核心接口 P95 响应时间从 800 毫秒降到〔目标值〕毫秒以内",
        "metric": "核心接口 P95 响应时间",
        "baseline": "800",
        "target": "〔目标值〕",
        "unit": "毫秒",
        "deadline": "9月30日",
        "rationale": "把“优化”落到可验证的响应时间上。",
        "note_ids": [],
        "assumptions": [],
    }
    with chat_server(lambda request: Reply({"candidates": [candidate]}), behaviour=BEHAVIOURS[name]) as server:
        outcome = rewrite_kr(
            "优化系统性能",
            objective="让用户觉得系统又快又稳",
            context="核心接口 P95 响应时间目前 800 毫秒；本季度 9月30日 结束",
            llm=connect(server, tmp_path),
            retriever=retriever,
            notebook=retriever.index.notebook,
            count=1,
        )
        assert_json_mode_refused_once(server, name)
    assert outcome.mode == "llm" and outcome.error is None
    assert [c.candidate.text for c in outcome.candidates] == [candidate["text"]]
    assert_no_reasoning(outcome.to_dict())


@pytest.mark.parametrize("name", list(BEHAVIOURS))
def test_questions(tmp_path, retriever, name):
    asked = [
        "“离不开”具体指客户会做出什么不一样的行为？",
        "眼下让客户流失的最大障碍是什么？",
        "季度末达成什么会让团队真正自豪？",
    ]
    reply = {
        "questions": [
            {"question": q, "dimension": "inspiring", "why": "让团队说清楚方向。", "note_ids": []} for q in asked
        ]
    }
    with chat_server(lambda request: Reply(reply), behaviour=BEHAVIOURS[name]) as server:
        outcome = guiding_questions(
            "让客户离不开我们",
            kind="objective",
            llm=connect(server, tmp_path),
            retriever=retriever,
            notebook=None,
            count=3,
        )
        assert_json_mode_refused_once(server, name)
    assert outcome.mode == "llm" and outcome.error is None
    assert [x.question for x in outcome.questions] == asked
    assert_no_reasoning(outcome.to_dict())


@pytest.mark.parametrize("name", list(BEHAVIOURS))
def test_retrospective(tmp_path, retriever, name):
    okr_set = OKRSet(
        team="增长部",
        cycle="2025Q3",
        objectives=[
            Objective(
                id="O1",
                text="让客户离不开我们",
                key_results=[
                    KeyResult(id="KR1", text="季度末 NPS 从 30 提升到 45", score=1.0),
                    KeyResult(id="KR2", text="客户续约率从 70% 提升到 85%", score=0.3),
                ],
            )
        ],
    )
    reply = {
        "achieved": [{"kr": "O1.KR1", "text": "O1.KR1", "score_percent": None, "actions": ["分级回访低分客户"]}],
        "missed": [
            {
                "kr": "O1.KR2",
                "text": "O1.KR2",
                "score_percent": None,
                "obstacle": "collaboration",
                "analysis": "续约流程依赖销售团队，九月才对齐。",
            }
        ],
        "calibration": ["未达成的 KR 都依赖跨团队协作。"],
        "next_cycle": ["在握手会上确认续约流程的负责人。"],
        "note_ids": [],
    }
    with chat_server(lambda request: Reply(reply), behaviour=BEHAVIOURS[name]) as server:
        outcome = draft_retrospective(
            okr_set, llm=connect(server, tmp_path), retriever=retriever, notebook=None, language="zh"
        )
        assert_json_mode_refused_once(server, name)
    assert outcome.mode == "llm" and outcome.error is None
    assert outcome.draft.missed[0].analysis == "续约流程依赖销售团队，九月才对齐。"
    assert outcome.draft.next_cycle[-1] == "在握手会上确认续约流程的负责人。"
    assert_no_reasoning(outcome.to_dict(), outcome.markdown)


@pytest.mark.parametrize("name", list(BEHAVIOURS))
def test_drafting(tmp_path, retriever, name):
    chat_reply = "好的。目标可以写成：让客户离不开我们。第一条 KR 还不可衡量，满意度从多少提升到多少？"
    draft = {
        "objectives": [
            {"text": "让客户离不开我们", "owner": "", "key_results": [{"text": "优化客户满意度", "owner": ""}]}
        ]
    }

    def respond(request: dict) -> Reply:
        if "你是一位 OKR 教练" in system_prompt(request):
            return Reply(chat_reply)
        return Reply(draft)

    behaviour = BEHAVIOURS[name]
    with chat_server(respond, behaviour=Behaviour(**{**behaviour.__dict__, "split_bytes": 5})) as server:
        session = DraftingSession(llm=connect(server, tmp_path), retriever=retriever)
        pieces = list(session.send("我们想让客户更满意，KR：优化客户满意度"))
        assert_json_mode_refused_once(server, name)
    assert "".join(pieces) == chat_reply
    assert session.mode == "llm" and session.last_error is None and session.errors == []
    assert [o.model_dump() for o in session.draft] == draft["objectives"]
    assert_no_reasoning(pieces, session.to_dict())
