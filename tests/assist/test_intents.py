"""The drafting chat's intent reading: the data file, the cases issue 17 names, slots, and the labelled set."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.assist.intents import INTENTS, _rules, classify, intent_table, reads_as_kr, wish_in
from assistant.evaluation.intents import evaluate_intents, load_utterances

UTTERANCES = Path(__file__).resolve().parents[2] / "evals" / "intents" / "utterances.tsv"


def test_every_rule_names_a_known_intent_and_compiles_in_both_languages():
    rules = _rules()  # compiles every pattern; raises on a bad one
    assert {rule.intent for rule in rules} <= set(INTENTS)
    for number, raw in enumerate(intent_table()["rule"], start=1):
        assert raw.get("zh") and raw.get("en"), f"rule {number} ({raw['intent']}) needs both languages"


@pytest.mark.parametrize(
    ("text", "language", "intent", "n"),
    [
        ("我们是客服团队，想提升客户满意度", "zh", "context", None),
        ("周期：2025Q3", "zh", "set_cycle", None),
        ("删除 KR3", "zh", "delete_kr", 3),
        ("撤销", "zh", "undo", None),
        ("帮我看看这些 KR 有什么问题", "zh", "review", None),
        ("remove KR2", "zh", "delete_kr", 2),  # English inside a Chinese session
        ("What is wrong with my key results?", "en", "review", None),
        ("KR3 太空了，能帮我改得具体一点吗？", "zh", "rewrite", 3),
        ("删除第三条", "zh", "delete_kr", 3),  # Chinese numerals
        ("ＫＲ２：新的写法", "zh", "replace_kr", 2),  # full-width letters and digits
        ("get rid of the third KR", "en", "delete_kr", 3),
        ("删掉最后一条 KR", "zh", "delete_kr", -1),
    ],
)
def test_the_cases_of_issue_17_are_placed(text, language, intent, n):
    found = classify(text, language, has_objective=True)
    assert (found.name, found.n) == (intent, n)


def test_slots_carry_the_users_own_words():
    replaced = classify("ＫＲ２：首次响应时长从 4 小时降到 1 小时", "zh", has_objective=True)
    assert replaced.text == "首次响应时长从 4 小时降到 1 小时"
    moved = classify("把 KR3 移到第 1 位", "zh", has_objective=True)
    assert (moved.n, moved.to) == (3, 1)
    assert classify("KR2 负责人：王磊", "zh", has_objective=True).value == "王磊"
    assert classify("cycle: 2025Q3", "en", has_objective=False).value == "2025Q3"
    assert wish_in("我们是客服团队，想提升客户满意度", "zh") == "提升客户满意度"
    assert wish_in("We are a support team and want to improve customer satisfaction", "en") == (
        "improve customer satisfaction"
    )


def test_what_cannot_be_placed_is_never_a_key_result():
    for text in ("今天天气不错", "随便吧", "the weather is nice today", "banana"):
        assert classify(text, "zh", has_objective=True).name == "unknown"
        assert not reads_as_kr(text)
    # the same kind of line is the objective while there is none: a statement, long enough
    assert classify("让客户的问题第一次就被解决", "zh", has_objective=False).name == "set_objective"
    assert classify("哈哈哈", "zh", has_objective=False).name == "unknown"


def test_the_labelled_set_is_large_bilingual_and_read_at_95_percent():
    utterances = load_utterances(UTTERANCES)
    assert len(utterances) >= 200
    by_language = {u.language for u in utterances}
    assert by_language == {"zh", "en"}
    assert {u.intent for u in utterances} == set(INTENTS)  # every intent is labelled somewhere
    figures = evaluate_intents(utterances)
    assert figures["accuracy"] >= 0.95, figures["misses"]
    assert all(value >= 0.9 for value in figures["by_language"].values())


def test_a_bad_line_in_the_set_is_named(tmp_path):
    path = tmp_path / "u.tsv"
    path.write_text("# header\nzh\tdraft\tundo\t-\t撤销\nzh\tdraft\tfly\t-\t飞\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"u.tsv:3: unknown intent 'fly'"):
        load_utterances(path)
    path.write_text("zh\tdraft\tdelete_kr\tn=x\t删除 KR3\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"u.tsv:1: slot"):
        load_utterances(path)
    path.write_text("zh\tdraft\tundo\t撤销\n", encoding="utf-8")
    with pytest.raises(ValueError, match="5 tab-separated columns"):
        load_utterances(path)


def test_the_commands_the_rules_keep_with_an_llm_are_known_intents_that_change_nothing_by_wording():
    from assistant.assist.intents import INTENTS, rule_commands

    kept = rule_commands()
    assert kept <= set(INTENTS) and {"undo", "delete_kr", "set_cycle"} <= kept
    assert not kept & {"add_kr", "replace_kr", "set_objective", "add_objective"}  # wording goes to the LLM
