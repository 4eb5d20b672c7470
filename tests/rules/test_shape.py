"""The shape of a key result decides its one main diagnosis (assistant/rules/shape.py), in both languages.

Each shape is checked through the engine, as users see it: an outcome gets no measurable or outcome
finding, a deliverable gets OUT001 and never "no number", effort gets OUT002, open-ended work gets
OUT001 with a measurable finding, a vague direction gets MEA002 or MEA001, status quo gets CHA002 alone.
"""

from __future__ import annotations

import pytest
from builders import codes, obj_codes, objective, okr_set, run, single_kr
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.analysis.plain import plain_text
from assistant.rules.facts import TextFacts
from assistant.rules.shape import KRShape

SHAPE_CODES = {"MEA001", "MEA002", "OUT001", "OUT002", "CHA002"}


def shape_codes(text: str) -> set[str]:
    return codes(single_kr(text)) & SHAPE_CODES


@pytest.mark.parametrize(
    "text",
    [
        "订阅用户达到 3000 人",
        "Reach 3,000 newsletter subscribers",
        "P1 故障 30 分钟内恢复",
        "P1 incidents resolved within 4 hours",
        "上线自助对账，使自助对账占比达到 60%",  # the work and the result it brings: read as the result
        "Ship self-serve onboarding so that 70% of new accounts finish setup alone",
        "新签客户不少于 40 家",
        "Win 12 new enterprise customers",
        "5 月前取得驾照",  # an end state gained, no figure needed
        "Each service has a named on-call owner",
        "核心岗位招聘周期从 50 天缩短到 30 天",  # a work word inside the metric's name
        "连续三周保持活跃的创作者从 2 万增长到 3 万",  # 保持 names the metric; the figure moves
        "Weekly active teams from 120 to 200",
        "招聘 5 名销售，人均产出不低于 50 万",  # the work, then a clause holding the result's threshold
    ],
)
def test_outcomes_get_no_shape_finding(text):
    assert shape_codes(text) == set(), text
    assert TextFacts(text).kr_reading.shape is KRShape.outcome


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("读完《深度学习》", "读完"),
        ("Map the onboarding journey", "Map"),
        ("Hire two senior engineers", "Hire"),
        ("截止 3 月底与法务确认合同模板", "确认"),
        ("Define the pricing tiers", "Define"),
        ("Identify the top 3 churn reasons", "Identify"),
        ("Begin tracking funnel conversion", "Begin"),
        ("使用 Go 写一个命令行工具", "写"),
        ("新版结算页正式上线", "上线"),
        ("The vendor contract is signed and deployed", "deployed"),
        ("VP Sales KR: Hire a head of partnerships", "Hire"),
        ("招聘到崗 3 名工程師", "招聘"),  # Traditional Chinese: the evidence keeps the user's characters
        ("Publish 5 blog posts on the new API", "Publish"),
        ("Increase the snippet library to 400 snippets", "400"),  # counts what we make
        ("以 99.9% 的准确率完成模型部署", "完成"),  # the rate only sets the manner of the delivery
    ],
)
def test_deliverables_are_work_not_unmeasurable(text, word):
    found = single_kr(text)
    hit = next(f for f in found if f.code == "OUT001")
    assert hit.evidence == word
    assert not codes(found) & {"MEA001", "MEA002"}, "a deliverable is verifiable: no 'add a number'"


@pytest.mark.parametrize(
    "text",
    [
        "每周召开一次技术分享会",
        "每月组织两次代码评审",
        "Run a tech talk every week",
        "Run 10 customer interviews",
        "Curate a weekly newsletter",
        "举办 6 场渠道商培训",
        "全年骑行 800km",
        "每周跑步 3 次",
    ],
)
def test_effort_is_counted_effort(text):
    found = shape_codes(text)
    assert found == {"OUT002"}, text


@pytest.mark.parametrize(
    ("text", "measurable"),
    [
        ("梳理并优化报销审批流程", "MEA002"),
        ("在全公司宣传新的价值观", "MEA001"),
        ("Promote the new values across the company", "MEA001"),
        ("Create a clear process for triage", "MEA001"),
        ("完成架构设计，确保高可用", "MEA001"),
    ],
)
def test_open_ended_work_is_work_and_unverifiable(text, measurable):
    assert shape_codes(text) == {"OUT001", measurable}


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("提升服务质量", "MEA002"),
        ("Improve customer happiness", "MEA002"),
        ("加快招聘进度", "MEA002"),  # the work is what the direction is about, not a deliverable
        ("Speed up hiring", "MEA002"),
        ("支付系统更稳定", "MEA001"),
        ("运营与数据", "MEA001"),
        ("Team morale", "MEA001"),
        ("对分布式存储建立深入理解", "MEA001"),
        ("Build a shared understanding of the pricing model", "MEA001"),
        ("各种能提高交付效率的办法", "MEA002"),  # 能…的举措 describes a noun: not a capability
    ],
)
def test_directions_without_destination(text, code):
    assert shape_codes(text) == {code}


@pytest.mark.parametrize(
    "text",
    [
        "客户流失率维持在 3% 以下",
        "Keep p95 latency under 300 ms",
    ],
)
def test_status_quo_is_its_only_diagnosis(text):
    assert shape_codes(text) == {"CHA002"}


@pytest.mark.parametrize(
    "text",
    [
        "管理后台能在 3 秒内导出全部订单",
        "The CLI can restore a backup without network access",
        "`deploy.sh` 能一键回滚上一个版本",  # code spans are names, not words: "deploy" is no work verb
    ],
)
def test_capabilities_are_verifiable_end_states(text):
    assert shape_codes(text) == set()


def test_vague_verb_naming_a_deliverable_is_not_vague():
    # 优化建议 names a deliverable; the line is work (OUT001), not a vague direction (MEA002).
    assert shape_codes("完成整体优化建议") == {"OUT001"}


def test_traditional_chinese_reads_like_simplified():
    assert shape_codes("編寫 5 個基準程序") == {"OUT001"}
    assert shape_codes("通過新增兩個渠道，實現合格簡歷量增加 20 份") == set()


@pytest.mark.parametrize(
    "text",
    [
        "健康",
        "学习",
        "组织建设",
        "English",
        "Support team: Onboarding",
        "读书，修身、明理",
        "负责产品规划和管理",
    ],
)
def test_bare_objectives(text):
    found = run(okr_set(objective(text, "续约率从 80% 提升到 90%", owner="李四")))
    assert "INS005" in obj_codes(found, "O1")


@pytest.mark.parametrize(
    "text",
    ["让新人两个月内独立负责一块业务", "Become the default tool for finance teams", "提升购物体验", "开拓东南亚市场"],
)
def test_objectives_with_a_direction_are_not_bare(text):
    found = run(okr_set(objective(text, "续约率从 80% 提升到 90%", owner="李四")))
    assert "INS005" not in obj_codes(found, "O1")


def test_an_empty_slogan_is_not_also_bare():
    found = run(okr_set(objective("追求卓越", "续约率从 80% 提升到 90%", owner="李四")))
    assert obj_codes(found, "O1") & {"INS003", "INS005"} == {"INS003"}


@given(st.text(max_size=80))
@settings(max_examples=300, deadline=None)
def test_any_text_reads_without_error_and_spans_fit(text):
    plain = plain_text(text)
    assert len(plain) == len(text)  # spans found in the plain text point into the text as written
    reading = TextFacts(text).kr_reading
    for match in (reading.work, reading.vague, reading.quality, reading.status):
        if match is not None:
            assert 0 <= match.start < match.end <= len(text)


def test_make_opens_a_direction_not_a_task():
    found = run(okr_set(objective("Make onboarding painless for new teams", "Time to first project from 6 to 2 days")))
    assert "INS002" not in obj_codes(found, "O1")


def test_effort_evidence_names_what_is_counted():
    hit = next(f for f in single_kr("Run 10 customer interviews") if f.code == "OUT002")
    assert hit.evidence == "10 customer interviews"


def test_a_bare_objective_gets_one_diagnosis():
    found = run(okr_set(objective("Hiring", "Time to hire from 50 to 30 days")))
    assert obj_codes(found, "O1") & {"INS002", "INS005"} == {"INS005"}
    faster = run(okr_set(objective("Ship faster", "Lead time from 10 to 4 days")))
    assert "INS005" not in obj_codes(faster, "O1")  # a comparative gives it a direction
