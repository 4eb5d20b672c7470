"""The draft tab's chat, driven through its handler the way the browser does (no browser): a scripted
conversation in each language ends with exactly the draft meant, in the table and the session state.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from assistant.app import draft
from assistant.app.context import AppContext
from assistant.app.tabs import draft as draft_tab
from assistant.assist.drafting import DraftingSession
from assistant.config import Config

SCRIPTS = {
    "zh": (
        [
            "我们是客服团队，想提升客户满意度",
            "好",
            "周期：2025Q3",
            "工单一次解决率从 68% 提升到 80%",
            "提升服务质量",
            "首次响应时长中位数从 4 小时缩短到 1 小时",
            "删除 KR2",
            "撤销",
            "把 KR3 移到第 2 位",
            "帮我改写 KR3",
            "KR3：客户满意度（CSAT）从 82 分提升到 90 分",
            "给我几个引导问题",
            "随便吧",
        ],
        [
            ["O1", "提升客户满意度", "KR1", "工单一次解决率从 68% 提升到 80%", ""],
            ["O1", "提升客户满意度", "KR2", "首次响应时长中位数从 4 小时缩短到 1 小时", ""],
            ["O1", "提升客户满意度", "KR3", "客户满意度（CSAT）从 82 分提升到 90 分", ""],
        ],
    ),
    "en": (
        [
            "context: we run the customer support desk",
            "O: Customers get their problem solved on first contact",
            "the quarter is Q3 2025",
            "First-contact resolution rate rises from 68% to 80%",
            "Improve service quality",
            "delete KR2",
            "undo",
            "rewrite KR2",
            "KR2: CSAT rises from 82 to 90 by September 30",
            "ask me a few questions",
            "KR1 owner: Maria",
        ],
        [
            [
                "O1",
                "Customers get their problem solved on first contact",
                "KR1",
                "First-contact resolution rate rises from 68% to 80%",
                "Maria",
            ],
            [
                "O1",
                "Customers get their problem solved on first contact",
                "KR2",
                "CSAT rises from 82 to 90 by September 30",
                "",
            ],
        ],
    ),
}
CYCLES = {"zh": "2025Q3", "en": "2025Q3"}  # "Q3 2025" is recorded year first


@pytest.fixture(scope="module")
def ctx(shared_retriever, tmp_path_factory) -> Iterator[AppContext]:
    context = AppContext(config=Config(), llm=None, retriever=shared_retriever, workdir=tmp_path_factory.mktemp("chat"))
    yield context
    context.close()


@pytest.mark.parametrize("language", ["zh", "en"])
def test_scripted_conversation_in_the_draft_tab(ctx, language):
    script, rows = SCRIPTS[language]
    chat, drafting = [], None
    for message in script:
        *_, turn = draft_tab.send(ctx, message, chat, drafting, language)
        chat, drafting = turn.chat, turn.drafting
        assert turn.message == ""  # the box is cleared
        assert chat[-2] == {"role": "user", "content": message} and chat[-1]["content"]
    assert isinstance(drafting, DraftingSession) and drafting.mode == "offline"
    assert turn.draft_table.rows == rows
    assert drafting.cycle == CYCLES[language]  # the cycle set by chat is in the session the UI reads
    assert len(chat) == 2 * len(script)
    asked_rewrite = chat[2 * script.index("rewrite KR2" if language == "en" else "帮我改写 KR3") + 1]["content"]
    assert "〔" in asked_rewrite or "[" in asked_rewrite  # templates, with placeholders for unknown figures


def test_a_language_switch_keeps_the_cycle_context_and_undo(ctx):
    *_, turn = draft_tab.send(ctx, "背景：我们是客服团队", [], None, "zh")
    for message in ("O：让客户的问题第一次就被解决", "周期：2025Q3", "工单一次解决率从 68% 提升到 80%"):
        *_, turn = draft_tab.send(ctx, message, turn.chat, turn.drafting, "zh")
    switched = draft.in_language(turn.drafting, ctx, "en")
    assert switched.language == "en" and switched.cycle == "2025Q3"
    assert switched.context == ["背景：我们是客服团队"] and len(switched.history) == len(turn.drafting.history)
    "".join(switched.send("undo"))
    assert switched.draft[0].key_results == []
