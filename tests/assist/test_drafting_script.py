"""Scripted drafting conversations, offline, in each language: through `okr-review draft` and the session.

Each sets context, objective, KRs and cycle, deletes and undoes, asks for a rewrite and for questions,
and must end with exactly the draft the user meant.
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from assistant.assist.drafting import DraftingSession
from assistant.cli import app

ZH_SCRIPT = [
    "你好",
    "我们是客服团队，想提升客户满意度",
    "好",
    "周期：2025Q3",
    "工单一次解决率从 68% 提升到 80%",
    "首次响应时长中位数从 4 小时缩短到 1 小时",
    "提升服务质量",
    "删除 KR3",
    "撤销",
    "KR3 太空了，能帮我改得具体一点吗？",
    "KR3：客户满意度（CSAT）从 82 分提升到 90 分",
    "给我几个引导问题",
    "帮我看看这些 KR 有什么问题",
    "今天天气不错",
    "KR2 负责人：王磊",
]
ZH_DRAFT = {
    "team": "客服中心",
    "cycle": "2025Q3",
    "objectives": [
        {
            "id": "O1",
            "text": "提升客户满意度",
            "key_results": [
                {"id": "KR1", "text": "工单一次解决率从 68% 提升到 80%"},
                {"id": "KR2", "text": "首次响应时长中位数从 4 小时缩短到 1 小时", "owner": "王磊"},
                {"id": "KR3", "text": "客户满意度（CSAT）从 82 分提升到 90 分"},
            ],
        }
    ],
}
EN_SCRIPT = [
    "hello",
    "We're a customer support team and want to improve customer satisfaction",
    "O: Customers get their problem solved on first contact",
    "cycle: 2025Q3",
    "First-contact resolution rate rises from 68% to 80%",
    "Improve service quality",
    "Median first response time falls from 4 hours to 1 hour",
    "remove KR2",
    "undo",
    "swap KR2 and KR3",
    "rewrite KR3",
    "KR3: CSAT rises from 82 to 90 by September 30",
    "give me some guiding questions",
    "What is wrong with my key results?",
    "banana",
]
EN_DRAFT = {
    "team": "Support",
    "cycle": "2025Q3",
    "objectives": [
        {
            "id": "O1",
            "text": "Customers get their problem solved on first contact",
            "key_results": [
                {"id": "KR1", "text": "First-contact resolution rate rises from 68% to 80%"},
                {"id": "KR2", "text": "Median first response time falls from 4 hours to 1 hour"},
                {"id": "KR3", "text": "CSAT rises from 82 to 90 by September 30"},
            ],
        }
    ],
}


@pytest.mark.parametrize(
    ("language", "team", "script", "expected"),
    [("zh", "客服中心", ZH_SCRIPT, ZH_DRAFT), ("en", "Support", EN_SCRIPT, EN_DRAFT)],
)
def test_scripted_conversation_through_the_draft_command(tmp_path, language, team, script, expected):
    out = tmp_path / "draft.json"
    result = CliRunner().invoke(
        app,
        ["draft", "--offline", "--lang", language, "--team", team, "-o", str(out)],
        input="\n".join(script) + "\n/quit\n",
    )
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text("utf-8")) == expected


def _replies(session: DraftingSession, script: list[str]) -> dict[str, str]:
    return {message: "".join(session.send(message)) for message in script}


def test_the_chinese_conversation_says_what_changed_and_what_to_do_next():
    session = DraftingSession("zh", team="客服中心")
    replies = _replies(session, ZH_SCRIPT[:2])
    context = replies["我们是客服团队，想提升客户满意度"]
    assert "背景" in context and "“提升客户满意度”" in context and "回复“好”" in context
    assert session.draft == []  # context is offered as an objective, never set silently
    replies |= _replies(session, ZH_SCRIPT[2:])
    assert "好，目标定为：“提升客户满意度”" in replies["好"]
    assert "已删除 O1.KR3：“提升服务质量”" in replies["删除 KR3"]
    assert "已撤销上一步" in replies["撤销"]
    rewrite = replies["KR3 太空了，能帮我改得具体一点吗？"]
    assert "O1.KR3 的改写建议" in rewrite and "工单一次解决率" in rewrite and "个候选通过规则检查" in rewrite
    assert "KR3：新的写法" in rewrite  # how to take one
    assert "1. " in replies["给我几个引导问题"] and "？" in replies["给我几个引导问题"]
    assert replies["帮我看看这些 KR 有什么问题"].count("\n- ") <= 8
    assert "没有改动草稿" in replies["今天天气不错"]
    for message in ("周期：2025Q3", "删除 KR3", "KR2 负责人：王磊"):
        assert "当前草稿" not in replies[message]  # what changed, not the whole draft
    assert session.cycle == "2025Q3" and session.context == ["我们是客服团队，想提升客户满意度"]
    assert [kr.text for kr in session.draft[0].key_results][2] == "客户满意度（CSAT）从 82 分提升到 90 分"


def test_undo_restores_the_previous_state_and_says_when_there_is_none():
    session = DraftingSession("en")
    assert "nothing to undo" in "".join(session.send("undo"))
    _replies(session, ["O: Keep our best engineers", "Regretted attrition falls from 12% to 6%", "cycle: 2026Q1"])
    "".join(session.send("undo"))  # the cycle goes
    assert session.cycle is None and len(session.draft[0].key_results) == 1
    "".join(session.send("undo"))  # then the KR
    assert session.draft[0].key_results == []
    "".join(session.send("move KR3 to the top"))
    assert "has no KR3" in session.history[-1].text


def test_context_figures_reach_the_rewrite():
    session = DraftingSession("zh", team="增长组")
    _replies(session, ["O：让新用户第一周就爱上产品", "7 日留存目前 20%，本季度 12 月 31 日结束", "优化新手引导流程"])
    reply = "".join(session.send("帮我改写 KR1"))
    assert "7 日留存从20%提升到〔目标值〕%（12 月 31 日前）" in reply
    assert "〔截止日期〕" not in reply.split("O1.KR1 的改写建议")[1]
