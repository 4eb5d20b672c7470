import pytest
from builders import codes, kr, objective, okr_set, run, single_kr

from assistant.findings import Severity


@pytest.mark.parametrize(
    "text",
    ["索引推荐", "故障恢复模块稳定性高", "客户满意", "Customer happiness", "A delightful dashboard"],
)
def test_no_target_at_all(text):
    found = codes(single_kr(text))
    assert "MEA001" in found
    assert "MEA002" not in found


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("平台性能优化", "优化"),
        ("参数调优", "调优"),
        ("加强团队协作", "加强"),
        ("提升产品质量", "提升"),
        ("Improve onboarding", "Improve"),
        ("Strengthen security posture", "Strengthen"),
        ("Reduce churn", "Reduce"),
        ("Improved checkout conversion", "Improved"),
        ("Increasing trial conversion", "Increasing"),
    ],
)
def test_vague_verb_without_metric(text, word):
    found = single_kr(text)
    hit = next(f for f in found if f.code == "MEA002")
    assert hit.severity is Severity.error
    assert hit.evidence == word
    assert "MEA001" not in codes(found)


@pytest.mark.parametrize(
    "text",
    [
        "链路延时控制在 0.3 毫秒以内",
        "产品可用性达到 5 个 9",
        "5 级故障数≤ 2",
        "年度故障清零",
        "实现秒级发货和秒级备份",
        "付费用户从一万增长到两万",
        "退款率不超过百分之三",
        "Reduce p95 latency below 200 ms",
        "Grow weekly active users from 10k to 15k",
        "Zero data-loss incidents",
    ],
)
def test_quantified_key_results_are_measurable(text):
    found = codes(single_kr(text))
    assert not found & {"MEA001", "MEA002"}


def test_target_field_counts_as_a_target():
    found = codes(single_kr("提升自助查询占比", baseline=40, target=70))
    assert not found & {"MEA001", "MEA002"}


@pytest.mark.parametrize(
    "text",
    [
        "产品故障恢复速度提升 60%",
        "留存率提高三个百分点",
        "Increase revenue by 20%",
        "Double paying customers",
        "Cost per lead down 30%",
    ],
)
def test_relative_change_without_baseline(text):
    hit = next(f for f in single_kr(text) if f.code == "MEA003")
    assert hit.severity is Severity.info
    assert hit.span is not None


@pytest.mark.parametrize(
    "text",
    [
        "产线自动化率从 65% 提升至 90%",
        "Raise activation from 32% to 45%",
        "故障恢复时长由 30 分钟缩短到 10 分钟",
    ],
)
def test_change_with_baseline_is_fine(text):
    assert "MEA003" not in codes(single_kr(text))


def test_baseline_field_satisfies_change_rule():
    assert "MEA003" not in codes(single_kr("转化率提升 20%", baseline=5))


def test_no_deadline_only_when_cycle_unknown():
    undated = okr_set(objective("让客户愿意长期留下来", kr("续约率从 80% 提升到 90%", owner="张三")), cycle=None)
    assert "MEA004" in codes(run(undated))
    dated_text = okr_set(
        objective("让客户愿意长期留下来", kr("续约率从 80% 提升到 90%，9月30日前", owner="张三")), cycle=None
    )
    assert "MEA004" not in codes(run(dated_text))
    due_field = okr_set(
        objective("Keep customers for years", kr("Renewal rate from 80% to 90%", due="2025-09-30")),
        cycle=None,
    )
    assert "MEA004" not in codes(run(due_field))
    with_cycle = okr_set(objective("让客户愿意长期留下来", kr("续约率从 80% 提升到 90%")), cycle="2025Q3")
    assert "MEA004" not in codes(run(with_cycle))


@pytest.mark.parametrize(
    "text",
    [
        "流程成功率达到 99%，备份成功率达到 99.995%",
        "Ship rate above 95%; refund rate under 2%",
        "完成3款AI芯片迭代，算力提升40%",
        "可用性达到 99.9%，至少 3 个新客户签约",
    ],
)
def test_several_results_in_one_line(text):
    hit = next(f for f in single_kr(text) if f.code == "MEA005")
    assert hit.severity is Severity.warning
    assert "|" in hit.evidence


@pytest.mark.parametrize(
    "text",
    [
        "链路延时控制在 0.3 毫秒以内（原 0.6 毫秒），9月30日前",
        "实现原地升级，单表回档速度提升 5 倍",
        "产品可用性达到 5 个 9（出错率 0.001%）",
        "Cut p95 latency from 600 ms to 300 ms, by June 30",
        "Serve 1,000 merchants, up from 600",
        "周注册量翻一番，达到 2000",
        "Double weekly signups, reaching 2,000",
    ],
)
def test_one_result_with_context_is_not_split(text):
    assert "MEA005" not in codes(single_kr(text))
