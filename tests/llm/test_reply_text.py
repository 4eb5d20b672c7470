"""Reading replies as models write them: reasoning blocks (whole and streamed) and JSON in other text."""

from __future__ import annotations

import pytest

from assistant.llm.jsontext import json_object, without_trailing_commas
from assistant.llm.reasoning import ThinkFilter, split_reasoning
from assistant.llm.usage import estimate_tokens

REPLY = '<think>\n先想：{"a": 1}\n</think>\n\n{"answer": "好"}'


@pytest.mark.parametrize(
    ("text", "reasoning", "answer"),
    [
        (REPLY, '先想：{"a": 1}', '{"answer": "好"}'),
        ("  <think>想</think>答", "想", "答"),
        ("<think>只想不答", "只想不答", ""),  # cut off while thinking
        ("模板已打开标签</think>\n答案", "模板已打开标签", "答案"),
        ("没有推理的回答", "", "没有推理的回答"),
        ("回答里提到 <think> 标签", "", "回答里提到 <think> 标签"),
    ],
)
def test_split_reasoning(text, reasoning, answer):
    assert split_reasoning(text) == (reasoning, answer)


def feed_all(pieces: list[str]) -> tuple[str, str]:
    think = ThinkFilter()
    out = "".join(think.feed(p) for p in pieces) + think.close()
    return out, think.reasoning


def test_think_filter_at_every_split_point():
    for first in range(len(REPLY) + 1):
        for second in range(first, len(REPLY) + 1, 3):
            pieces = [REPLY[:first], REPLY[first:second], REPLY[second:]]
            assert feed_all(pieces) == ('{"answer": "好"}', '先想：{"a": 1}'), pieces


def test_think_filter_passes_plain_text_and_short_lookalikes():
    assert feed_all(["<", "b>粗体</b>"]) == ("<b>粗体</b>", "")
    assert feed_all(["<thi"]) == ("<thi", "")
    assert feed_all(["<think>没有结束"]) == ("", "没有结束")
    assert feed_all(["你好", "<think>不是开头</think>"]) == ("你好<think>不是开头</think>", "")


@pytest.mark.parametrize(
    "text",
    [
        '{"answer": "好", "count": 2}',
        '```json\n{"answer": "好", "count": 2}\n```',
        '```\n{"answer": "好", "count": 2}\n```',
        '好的，结果如下：\n{"answer": "好", "count": 2}\n希望有帮助。',
        'Sure! Here is {the} JSON:\n```json\n{\n  "answer": "好",\n  "count": 2,\n}\n```',
        '{"answer": "好", "count": 2,}',
    ],
)
def test_json_object_as_models_write_it(text):
    assert json_object(text) == {"answer": "好", "count": 2}


def test_json_object_refuses_what_is_not_one_object():
    assert json_object('{"answer": "cut off') is None
    assert json_object("[1, 2]") is None
    assert json_object("没有 JSON") is None


def test_trailing_commas_inside_strings_are_kept():
    assert without_trailing_commas('{"a": "x,}", "b": [1,],}') == '{"a": "x,}", "b": [1]}'
    assert without_trailing_commas('{"a": "q\\",]"}') == '{"a": "q\\",]"}'


def test_token_estimate_counts_cjk_characters_one_each():
    assert estimate_tokens("先写目标") == 4
    assert estimate_tokens("abcdefgh") == 2
    assert estimate_tokens("") == 0
