"""The scripted drafting conversations again, with an LLM configured (the local test server).

The rules still carry out the commands (delete, undo, move, cycle, owner, rewrite and question requests,
"what is wrong"); only the other lines reach the LLM. The server plays a model that reads the previous
draft and the message from each extract request and applies what the user said, but is careless with
lines it cannot make sense of: it adds them as key results. The conversation must still end with exactly
the draft the offline tests expect, and no command ever reaches the chat or extract prompts.
"""

from __future__ import annotations

import json
import re

import pytest
from llm_server import TEST_KEY, Reply, chat_server, connect, system_prompt
from test_drafting_script import EN_DRAFT, EN_SCRIPT, ZH_DRAFT, ZH_SCRIPT
from typer.testing import CliRunner

from assistant.assist.drafting import DraftingSession, drawn_from, keep_unplaced_out, route_message
from assistant.assist.schemas import DraftKR, DraftObjective
from assistant.cli import app

CHATTER = {  # lines the model answers without changing the draft (greetings, context)
    "你好",
    "我们是客服团队，想提升客户满意度",
    "hello",
    "We're a customer support team and want to improve customer satisfaction",
}
PROPOSED = {"zh": "提升客户满意度", "en": "Improve customer satisfaction"}
REPLACE = re.compile(r"^\s*KR\s*(\d)\s*[:：]\s*(.+)$", re.IGNORECASE)
OBJECTIVE = re.compile(r"^\s*O\s*[:：]\s*(.+)$")
CONFIRM = {"好", "yes", "ok"}
QUESTIONS = {
    "zh": ["客户今天最常因为什么不满意？", "季度末看到什么变化会说明成功了？", "哪一条最能代表满意度？"],
    "en": ["What makes customers unhappy most often today?", "What change by the end of the quarter shows success?"],
}
CANDIDATE = {
    "zh": "9月30日前，客户满意度（CSAT）从 82 分提升到〔目标值〕分",
    "en": "CSAT rises from 82 to [target] by September 30",
}


def block(text: str, name: str) -> str:
    return text.split(f"<{name}>\n", 1)[1].split(f"\n</{name}>", 1)[0]


class Model:
    """A model for the test server: chats, extracts the draft from what the user said, rewrites, asks."""

    def __init__(self, language: str) -> None:
        self.language = language
        self.chat_messages: list[str] = []
        self.extract_messages: list[str] = []

    def __call__(self, request: dict) -> Reply:
        system = system_prompt(request)
        user = request["body"]["messages"][-1]["content"]
        if request["body"].get("stream"):
            message = block(user, "message")
            self.chat_messages.append(message)
            if message in CHATTER and "<draft>" in user and not block(user, "draft").startswith("O1"):
                return Reply(
                    f"明白。目标可以写成：\nO：{PROPOSED['zh']}\n可以吗？"
                    if self.language == "zh"
                    else f"Got it. The objective could be:\nO: {PROPOSED['en']}\nDoes that work?"
                )
            return Reply("好的，记下了。" if self.language == "zh" else "Noted.")
        if '"objectives"' in system:
            return Reply(self.extract(user))
        if '"questions"' in system:
            asked = QUESTIONS[self.language]
            return Reply(
                {"questions": [{"question": q, "dimension": "outcome", "why": "-", "note_ids": []} for q in asked]}
            )
        candidate = {
            "text": CANDIDATE[self.language],
            "metric": "CSAT",
            "baseline": "82",
            "target": "[target]",
            "unit": "",
            "deadline": "9/30",
            "rationale": "-",
            "note_ids": [],
            "assumptions": [],
        }
        return Reply({"candidates": [candidate]})

    def extract(self, user: str) -> dict:
        draft = json.loads(block(user, "previous_draft"))
        message, previous_reply = block(user, "message"), block(user, "previous_reply")
        self.extract_messages.append(message)
        objectives = draft["objectives"]
        if message in CHATTER:
            return draft
        if message.strip().lower() in CONFIRM:
            proposed = re.search(r"^O\s*[:：]\s*(.+)$", previous_reply, re.MULTILINE)
            return {"objectives": [{"text": proposed[1].strip(), "owner": "", "key_results": []}]}
        if match := OBJECTIVE.match(message):
            return {"objectives": [{"text": match[1].strip(), "owner": "", "key_results": []}]}
        krs = objectives[-1]["key_results"]
        if match := REPLACE.match(message):
            krs[int(match[1]) - 1]["text"] = match[2].strip()
        else:  # careless: anything else becomes a key result
            krs.append({"text": message.strip(), "owner": ""})
        return draft


COMMANDS = {
    "zh": [
        "周期：2025Q3",
        "删除 KR3",
        "撤销",
        "KR3 太空了，能帮我改得具体一点吗？",
        "给我几个引导问题",
        "帮我看看这些 KR 有什么问题",
        "KR2 负责人：王磊",
    ],
    "en": [
        "cycle: 2025Q3",
        "remove KR2",
        "undo",
        "swap KR2 and KR3",
        "rewrite KR3",
        "give me some guiding questions",
        "What is wrong with my key results?",
    ],
}
UNPLACED = {"zh": "今天天气不错", "en": "banana"}
SCRIPTS = {"zh": (ZH_SCRIPT, ZH_DRAFT, "客服中心"), "en": (EN_SCRIPT, EN_DRAFT, "Support")}


def as_document(session: DraftingSession) -> dict:
    return session.okr_set().model_dump(mode="json", exclude_none=True, exclude_defaults=True)


@pytest.mark.parametrize("language", ["zh", "en"])
def test_scripted_conversation_with_an_llm_ends_with_the_same_draft(tmp_path, retriever, language):
    script, expected, team = SCRIPTS[language]
    model = Model(language)
    with chat_server(model) as server:
        session = DraftingSession(language, llm=connect(server, tmp_path), retriever=retriever, team=team)
        replies = {message: "".join(session.send(message)) for message in script}
    assert as_document(session) == expected
    assert session.errors == []
    # The commands never reached the chat or the extraction: the rules carried them out.
    sent = set(model.chat_messages) | set(model.extract_messages)
    assert not sent & set(COMMANDS[language])
    modes = {
        turn_user.text: turn.mode for turn_user, turn in zip(session.history[::2], session.history[1::2], strict=True)
    }
    assert all(modes[c] == "rules" for c in COMMANDS[language])
    assert modes[UNPLACED[language]] == "llm" and UNPLACED[language] in model.extract_messages
    # The careless model added the line it could not place; it is kept out, and the reply says so.
    unplaced_reply = replies[UNPLACED[language]]
    assert f"“{UNPLACED[language]}”" in unplaced_reply
    assert ("没有加进草稿" in unplaced_reply) if language == "zh" else ("not put into the draft" in unplaced_reply)
    # Rewrite and question requests are answered by the LLM-backed tasks, not the offline templates.
    rewrite = replies[COMMANDS[language][3 if language == "zh" else 4]]
    assert CANDIDATE[language] in rewrite
    assert QUESTIONS[language][0] in replies[COMMANDS[language][4 if language == "zh" else 5]]
    assert "离线" not in "".join(replies.values()) and "LLM is off" not in "".join(replies.values())


@pytest.mark.parametrize("language", ["zh", "en"])
def test_scripted_conversation_with_an_llm_through_the_draft_command(tmp_path, language):
    script, expected, team = SCRIPTS[language]
    out = tmp_path / "draft.json"
    with chat_server(Model(language)) as server:
        env = {
            "OKR_REVIEW_LLM_BASE_URL": server.base_url,
            "OKR_REVIEW_LLM_MODEL": "test-model",
            "OPENAI_API_KEY": TEST_KEY,
            "OKR_REVIEW_CACHE_DIR": str(tmp_path / "cache"),
        }
        result = CliRunner().invoke(
            app,
            ["draft", "--lang", language, "--team", team, "-o", str(out)],
            input="\n".join(script) + "\n/quit\n",
            env=env,
        )
        assert result.exit_code == 0, result.output
        assert server.chat_requests()  # the LLM was used
    assert json.loads(out.read_text("utf-8")) == expected


def test_undo_reverts_what_the_llm_extracted(tmp_path, retriever):
    model = Model("zh")
    with chat_server(model) as server:
        session = DraftingSession("zh", llm=connect(server, tmp_path), retriever=retriever)
        for message in ("O：提升客户满意度", "工单一次解决率从 68% 提升到 80%", "首次响应时长从 4 小时缩短到 1 小时"):
            "".join(session.send(message))
        assert len(session.draft[0].key_results) == 2
        reply = "".join(session.send("撤销"))
    assert "已撤销上一步" in reply and session.history[-1].mode == "rules"
    assert [kr.text for kr in session.draft[0].key_results] == ["工单一次解决率从 68% 提升到 80%"]


def test_a_mixed_message_runs_the_commands_first_and_sends_only_the_rest(tmp_path, retriever):
    model = Model("zh")
    with chat_server(model) as server:
        session = DraftingSession("zh", llm=connect(server, tmp_path), retriever=retriever)
        for message in ("O：提升客户满意度", "工单一次解决率从 68% 提升到 80%", "提升服务质量"):
            "".join(session.send(message))
        reply = "".join(session.send("删除 KR2\n客户满意度（CSAT）从 82 分提升到 90 分"))
        "".join(session.send("撤销"))  # one turn, one undo step
    assert model.chat_messages[-1] == model.extract_messages[-1] == "客户满意度（CSAT）从 82 分提升到 90 分"
    assert reply.startswith("已删除 O1.KR2：“提升服务质量”")
    assert [kr.text for kr in session.draft[0].key_results] == ["工单一次解决率从 68% 提升到 80%", "提升服务质量"]


def test_routing_sends_commands_to_the_rules_and_the_rest_to_the_llm():
    routing = route_message(
        "删除 KR3\n工单一次解决率从 68% 提升到 80%\n今天天气不错\n我们是客服团队", "zh", has_objective=True
    )
    assert routing.commands == ("删除 KR3",)
    assert routing.free == ("工单一次解决率从 68% 提升到 80%", "今天天气不错", "我们是客服团队")
    assert routing.unplaced == ("今天天气不错",) and routing.contexts == ("我们是客服团队",)
    assert route_message("What is wrong with my key results?", "en", has_objective=True).free == ()


def test_kept_out_only_the_krs_drawn_from_unplaced_lines():
    previous = [DraftObjective(text="O", key_results=[DraftKR(text="a 从 1 到 2")])]
    extracted = [
        DraftObjective(
            text="O",
            key_results=[DraftKR(text="a 从 1 到 2"), DraftKR(text="今天天气不错"), DraftKR(text="b 从 3 到 4")],
        )
    ]
    cleaned, kept = keep_unplaced_out(previous, extracted, ["今天天气不错。"], all_unplaced=False)
    assert [kr.text for kr in cleaned[0].key_results] == ["a 从 1 到 2", "b 从 3 到 4"] and kept == ["今天天气不错。"]
    # A turn of nothing but unplaced lines changes no KR, even one reworded out of recognition.
    reworded = [DraftObjective(text="O", key_results=[DraftKR(text="晴天天数从 10 天增加到 20 天")])]
    cleaned, kept = keep_unplaced_out(previous, reworded, ["今天天气不错"], all_unplaced=True)
    assert cleaned == previous and kept == ["今天天气不错"]
    assert not drawn_from("首次响应时长从 4 小时缩短到 1 小时", "今天天气不错")
    # A KR reworded into an unplaced line gets its earlier wording back; it is not deleted.
    reworded = [DraftObjective(text="O", key_results=[DraftKR(text="今天天气不错")])]
    cleaned, kept = keep_unplaced_out(previous, reworded, ["今天天气不错"], all_unplaced=False)
    assert cleaned == previous and kept == ["今天天气不错"]
