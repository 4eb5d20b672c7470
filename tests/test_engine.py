import pytest
from builders import codes, kr, objective, okr_set, run

from assistant.config import Config
from assistant.configfile import config_from_mapping
from assistant.engine import check, suppressed_codes
from assistant.findings import Dimension, Finding, Severity
from assistant.rules import REGISTRY
from assistant.rules.catalogue import rules
from assistant.triage import groupable_codes, input_language, min_group_size, top_of_set


def test_every_rule_in_the_table_is_implemented_and_vice_versa():
    assert set(REGISTRY) == set(rules())


def test_every_rule_has_a_note_id_and_both_languages():
    # That the notes exist is checked against knowledge/ in tests/knowledge/test_bundled_notes.py.
    for info in rules().values():
        assert info.note, info.code
        for lang in ("zh", "en"):
            assert info.title[lang] and info.message[lang] and info.fix[lang], (info.code, lang)


def test_seven_dimensions_each_have_several_rules():
    per_dimension = {d: [i for i in rules().values() if i.dimension is d] for d in Dimension}
    assert all(len(v) >= 3 for v in per_dimension.values()), {d: len(v) for d, v in per_dimension.items()}


BAD_SET = okr_set(
    objective(
        "运维自动化率达到60%",
        kr("平台性能优化", note="okr-review: ignore MEA002"),
        kr("参数调优"),
        confidence=95,
    ),
    team="平台组",
)


def test_findings_carry_everything_a_report_needs():
    found = run(BAD_SET)
    hit = next(f for f in found if f.code == "MEA002")
    assert hit.key_result == "O1.KR2" and hit.objective == "O1" and hit.set_key == "平台组 2025Q3"
    assert hit.dimension is Dimension.measurable and hit.severity is Severity.error
    assert hit.evidence == "调优" and hit.note == "measurable-kr"
    assert "调优" in hit.message and hit.fix
    assert hit.to_dict()["key_result"] == "O1.KR2"


def test_inline_suppression():
    found = run(BAD_SET)
    assert "MEA002" not in {f.code for f in found if f.key_result == "O1.KR1"}
    assert suppressed_codes("okr-review: ignore") == frozenset({"*"})
    assert suppressed_codes("说明 okr-review：ignore MEA001, OUT001") == {"MEA001", "OUT001"}
    assert suppressed_codes("nothing here") == frozenset()
    silenced = okr_set(objective("让客户满意", kr("平台性能优化", note="okr-review: ignore")))
    assert not [f for f in run(silenced) if f.key_result]


def test_select_and_ignore_by_code_prefix_and_dimension():
    only_measurable = run(BAD_SET, config=Config(select=("measurable",)))
    assert {f.dimension for f in only_measurable} == {Dimension.measurable}
    no_cha = run(BAD_SET, config=Config(ignore=("CHA",)))
    assert not [f for f in no_cha if f.code.startswith("CHA")]
    one = run(BAD_SET, config=Config(select=("INS001",)))
    assert codes(one) == {"INS001"}


def test_severity_override():
    config = config_from_mapping({"severity": {"MEA002": "info"}})
    assert all(f.severity is Severity.info for f in run(BAD_SET, config=config) if f.code == "MEA002")


def test_language_of_messages_follows_text_or_setting():
    zh = next(f for f in run(BAD_SET) if f.code == "MEA002")
    en_set = okr_set(objective("Keep customers", kr("Improve onboarding", owner="Ann"), owner="Bo"))
    en = next(f for f in run(en_set) if f.code == "MEA002")
    assert "提升到多少" in zh.message or "方向" in zh.message
    assert "direction" in en.message
    forced = next(f for f in run(BAD_SET, language="en") if f.code == "MEA002")
    assert "direction" in forced.message


def test_order_is_stable_set_objective_kr_code():
    found = run(BAD_SET)
    keys = [(f.objective or "", f.key_result or "") for f in found]
    assert keys == sorted(keys, key=lambda k: (k[0] != "", k[0], k[1] != "", k[1]))
    assert found == run(BAD_SET)


@pytest.mark.parametrize("text", ["", " ", "\x00", "KR", "%", "<script>alert(1)</script>", "1" * 5000])
def test_odd_texts_do_not_crash(text):
    run(okr_set(objective(text or "x", kr(text or "y"))))


# ---------------------------------------------------------------- set-wide notices folded into one


# Pasted without owners and without a cycle: every key result lacks both, for one set-wide reason.
NO_OWNERS = okr_set(
    objective("让新用户在第一个月就用起来", "次周激活率从 35% 提升到 55%", "首份报表的中位用时从 3 天缩短到 1 天"),
    objective("扩大中型客户的收入", "中型客户年度收入从 200 万增加到 300 万", "新签 12 家中型客户"),
    team="增长组",
    cycle=None,
)


def test_a_notice_repeated_over_a_set_becomes_one_set_level_finding():
    found = run(NO_OWNERS)
    own = [f for f in found if f.code == "OWN002"]
    assert len(own) == 1
    folded = own[0]
    assert folded.objective is None and folded.key_result is None and folded.set_key == "增长组"
    assert folded.evidence == "O1.KR1, O1.KR2, O2.KR1, O2.KR2"
    assert folded.message == "4 个关键结果都没有负责人。"
    assert folded.dimension is Dimension.owned and folded.severity is Severity.info and folded.note == "single-owner"
    deadline = [f for f in found if f.code == "MEA004"]
    assert len(deadline) == 1 and deadline[0].key_result is None and "周期" in deadline[0].fix


def test_folding_keeps_single_findings_below_the_threshold_and_can_be_turned_off():
    found = run(NO_OWNERS)
    # two objectives without an owner: fewer than the threshold, so one finding each
    assert min_group_size() == 3
    assert sorted(f.objective for f in found if f.code == "OWN001") == ["O1", "O2"]
    per_item = check([NO_OWNERS], Config(), fold=False)
    assert sorted(f.key_result for f in per_item if f.code == "OWN002") == ["O1.KR1", "O1.KR2", "O2.KR1", "O2.KR2"]
    repeats = {code: sum(f.code == code for f in per_item) for code in groupable_codes()}
    folded = sum(n - 1 for n in repeats.values() if n >= min_group_size())
    assert repeats["OWN002"] == 4 and folded >= 3
    assert len(found) == len(per_item) - folded


def test_folded_findings_come_first_and_speak_the_run_language():
    found = run(NO_OWNERS, language="en")
    assert [f.code for f in found[:2]] == ["MEA004", "OWN002"]
    assert all(f.objective is None for f in found[:2]) and all(f.objective for f in found[2:])
    assert found[1].message == "4 key results have no owner."
    assert "cycle" in found[0].fix


def test_groupable_codes_are_data_with_both_languages():
    table = groupable_codes()
    assert {"OWN001", "OWN002", "MEA004"} <= set(table)
    assert set(table) <= set(rules())
    for entry in table.values():
        assert "{count}" in entry["message"]["zh"] and "{count}" in entry["message"]["en"]


def test_one_language_per_run_from_most_of_the_text():
    # an English key result among Chinese ones gets a Chinese message, like the rest of the report
    mixed = okr_set(objective("让客户愿意长期留下来", kr("Improve onboarding", owner="Ann"), owner="Bo"))
    hit = next(f for f in run(mixed) if f.code == "MEA002")
    assert "方向" in hit.message
    assert input_language([mixed]) == "zh"
    english = okr_set(objective("Open the Shanghai (上海) office and win local customers", kr("Sign 5 clients")))
    assert input_language([english]) == "en"
    assert input_language([okr_set(team="Risk Ops")]) == "en"  # no objectives: the team name decides
    assert input_language([okr_set(objective("Grow 增长", kr("Fast 提速")))]) == "zh"  # a tie goes to Chinese


# ---------------------------------------------------------------- what to fix first


def _finding(code: str, severity: Severity, dimension: Dimension, item: str | None) -> Finding:
    return Finding(code, dimension, severity, "m", "f", "n", "S", item and item.split(".")[0], item)


def test_top_ranks_by_severity_then_dimension_then_position_one_item_each():
    findings = [
        _finding("OWN002", Severity.warning, Dimension.owned, "O1.KR1"),
        _finding("CHA002", Severity.warning, Dimension.challenging, "O1.KR2"),
        _finding("MEA003", Severity.warning, Dimension.measurable, "O1.KR3"),
        _finding("MEA001", Severity.error, Dimension.measurable, "O2.KR1"),
        _finding("MEA002", Severity.error, Dimension.measurable, "O2.KR1"),
        _finding("INS001", Severity.info, Dimension.inspiring, "O2"),
    ]
    # errors first; MEA002 on the same KR as MEA001 waits while other items have findings
    assert top_of_set(findings) == [3, 2, 1]
    assert top_of_set(findings, 6) == [3, 4, 2, 1, 0, 5]  # all of them: in plain rank order
    # only one item with findings: its findings fill the list
    assert top_of_set(findings[3:5]) == [0, 1]


def test_one_copy_of_each_message_and_fix_per_run():
    # 100,000 key results give some 200,000 findings; most repeat a message, and each is held once.
    work = objective("让客户满意", kr("上线新手引导"), kr("完成知识库开发"))
    teams = [okr_set(work, team=f"组{i}") for i in range(3)]
    findings = [f for f in check(teams, Config(language="zh")) if f.code == "OUT001"]
    assert len(findings) == 6
    assert len({id(f.fix) for f in findings}) == 1
    same_message = [f for f in findings if f.message == findings[0].message]
    assert len(same_message) > 1 and len({id(f.message) for f in same_message}) == 1


def test_jobs_one_is_the_default_and_checks_in_this_process():
    sets = [okr_set(objective("让客户满意", "NPS 从 30 提升到 45"), team=f"组{i}") for i in range(3)]
    assert check(sets, Config()) == check(sets, Config(), jobs=1)
