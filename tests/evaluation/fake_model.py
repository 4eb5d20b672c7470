"""A stand-in model for the evaluation tests, served by tests/llm_server.py over real HTTP.

It answers each prompt from the data blocks in the request, the way a competent model would, using
the project's own offline suggester for the substance. ``sloppy`` models invent figures and answer
rewrites in the wrong language, so the harness has something to catch. Requests whose system part
mentions ``$marker`` (a test prompt version) get one candidate instead of two.
"""

from __future__ import annotations

import re

from llm_server import Reply, system_prompt, user_prompt

from assistant.assist.offline import template_rewrites

_BLOCK = re.compile(r"<(?P<name>[a-z_]+)>\n(?P<body>.*?)\n</(?P=name)>", re.DOTALL)


def blocks(request: dict) -> dict[str, str]:
    return {m["name"]: m["body"] for m in _BLOCK.finditer(user_prompt(request))}


def _language(request: dict) -> str:
    return "zh" if re.search(r"[\u4e00-\u9fff]", system_prompt(request) or user_prompt(request)[:200]) else "en"


def respond(request: dict, *, sloppy: bool = False, marker: str = "SINGLE-CANDIDATE") -> Reply:
    system, data, lang = system_prompt(request), blocks(request), _language(request)
    if "key_result" in data:  # rewrite-kr, and its feedback rounds (the first user message is repeated)
        if sloppy:
            text = "Raise weekly active merchants from 1,200 to 8,700 by 2025-12-31"
            bad = {
                "text": text,
                "metric": "m",
                "baseline": "1200",
                "target": "8700",
                "deadline": "2025-12-31",
                "rationale": "r",
            }
            return Reply({"candidates": [bad, bad]})
        found = template_rewrites(data["key_result"], objective=data.get("objective", ""), findings=[], language=lang)
        candidates = [c.model_dump() for c in found][: 1 if marker in system else 2]
        return Reply({"candidates": candidates}, prompt_tokens=400, completion_tokens=120)
    if "item" in data:  # guiding-questions
        zh = lang == "zh"
        questions = [
            (
                "现在这个数字是多少？我们怎么衡量它？" if zh else "What is the figure today, and how do we measure it?",
                "measurable",
            ),
            ("做到了，客户会有什么不同？" if zh else "If we get there, what changes for customers?", "outcome"),
            ("这件事由谁负责到底？" if zh else "Who owns this end to end?", "owned"),
            ("它和上级的哪条关键结果相连？" if zh else "Which parent key result does it serve?", "aligned"),
        ]
        return Reply({"questions": [{"question": q, "dimension": d, "why": "-", "note_ids": []} for q, d in questions]})
    if "facts" in data:  # retrospective: add nothing the skeleton lacks
        return Reply({"achieved": [], "missed": [], "calibration": [], "next_cycle": [], "note_ids": []})
    if "candidate" in data:  # judge-rewrite: placeholders earn a 4, figures a 3
        return Reply({"score": 4 if ("〔" in data["candidate"] or "[" in data["candidate"]) else 3, "reason": "-"})
    return Reply({})
