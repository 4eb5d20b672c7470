import pytest

from assistant.analysis.quantities import analyse_quantities, find_quantities


def facts(text):
    return analyse_quantities(text)


def test_threshold_with_baseline_aside():
    f = facts("链路延时 <0.3 毫秒（原 0.6 毫秒）")
    assert (f.target.value, f.target.comparator, f.target.unit) == (0.3, "<", "毫秒")
    assert f.baseline.value == 0.6 and f.relative_change is None


def test_within_after_the_unit():
    f = facts("链路延时控制在 0.3 毫秒以内")
    assert (f.target.value, f.target.comparator) == (0.3, "<=")


def test_label_number_is_not_the_target():
    f = facts("5 级故障数≤ 2")
    assert (f.target.value, f.target.comparator) == (2, "<=")


def test_nines():
    f = facts("产品可用性达到 5 个 9（出错率 0.001%）")
    assert f.target.kind == "percent" and f.target.value == pytest.approx(99.999)
    assert [q.text for q in f.quantities] == ["5 个 9", "0.001%"]


@pytest.mark.parametrize(
    ("text", "value", "kind"),
    [
        ("产品故障恢复速度提升 60%", 60, "percent"),
        ("提高三个百分点", 3, "points"),
        ("增长两倍", 2, "multiple"),
        ("单表回档速度提升 5 倍", 5, "multiple"),
        ("Increase revenue by 20%", 20, "percent"),
        ("Double the number of paying customers", 2, "multiple"),
        ("reduce support tickets by half", 0.5, "multiple"),
        ("转化率提升三成", 30, "percent"),
    ],
)
def test_relative_changes(text, value, kind):
    change = facts(text).relative_change
    assert change is not None and change.value == pytest.approx(value) and change.kind == kind
    assert text[change.span[0] : change.span[1]] == change.text


@pytest.mark.parametrize(
    ("text", "baseline", "target"),
    [
        ("产线自动化率从65%提升至90%", 65, 90),
        ("付费用户从一万增长到两万", 10000, 20000),
        ("Increase weekly active users from 10k to 15k by Q3", 10000, 15000),
        ("故障恢复时长由 30 分钟缩短到 10 分钟", 30, 10),
        ("Raise activation from 32% to 45%", 32, 45),
        ("投诉量从每月 40 单降到 20 单", 40, 20),
    ],
)
def test_baseline_and_target(text, baseline, target):
    f = facts(text)
    assert f.baseline.value == baseline and f.target.value == target and f.relative_change is None


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("引进 5 位机器学习领域专家", 5, "位"),
        ("完成3款AI芯片迭代", 3, "款"),
        ("Reduce p95 latency below 200 ms", 200, "ms"),
        ("十个客户", 10, "个"),
        ("Revenue above $2M", 2e6, "$"),
    ],
)
def test_counts_and_units(text, value, unit):
    q = facts(text).target
    assert q.value == value and q.unit == unit


def test_magnitudes():
    f = facts("实现秒级发货和秒级备份")
    assert [q.kind for q in f.quantities] == ["magnitude", "magnitude"] and f.has_target


def test_percent_words():
    assert facts("退款率不超过百分之三").target.value == 3
    assert facts("退款率不超过百分之三").target.comparator == "<="


@pytest.mark.parametrize(
    "text",
    [
        "平台性能优化",
        "参数调优",
        "索引推荐",
        "Improve onboarding",
        "统一的数据中台",
        "一流的团队",
        "五四原则",
        "打造一个平台",
        "O1.KR2 承接",
        "在 Q3 完成",
        "2025年的重点",
        "9月30日前",
        "by June 30",
        "百度搜索",
        "加强内容建设",
    ],
)
def test_no_figures(text):
    assert not facts(text).has_target, find_quantities(text)


def test_years_dates_and_ids_are_not_figures_but_figures_next_to_them_are():
    f = facts("2025年DAU突破100万，9月30日前")
    assert [q.value for q in f.quantities] == [1_000_000]
    assert f.target.comparator == ">"
