import dataclasses
import math

import pytest

from assistant.analysis.quantities import EMPTY, Quantity, QuantityFacts, analyse_quantities, find_quantities


def facts(text: str) -> QuantityFacts:
    return analyse_quantities(text)


def figures(text: str) -> list[tuple[float, str, str | None, str | None]]:
    return [(q.value, q.kind, q.unit, q.comparator) for q in find_quantities(text)]


# --- the cases named in the brief -------------------------------------------------------------


def test_threshold_with_the_baseline_in_an_aside():
    f = facts("链路延时 <0.3 毫秒（原 0.6 毫秒）")
    assert (f.target.value, f.target.comparator, f.target.unit) == (0.3, "<", "毫秒")
    assert (f.baseline.value, f.baseline.unit) == (0.6, "毫秒")
    assert f.relative_change is None


def test_within_after_the_unit():
    f = facts("链路延时控制在 0.3 毫秒以内")
    assert (f.target.value, f.target.comparator, f.target.unit) == (0.3, "<=", "毫秒")


def test_a_severity_label_is_not_the_target():
    f = facts("5 级故障数≤ 2")
    assert (f.target.value, f.target.comparator) == (2, "<=")
    assert [q.value for q in f.quantities] == [2]  # "5 级故障" names a class of incident


def test_nines():
    f = facts("产品可用性达到 5 个 9（出错率 0.001%）")
    assert f.target.kind == "percent" and f.target.value == pytest.approx(99.999)
    assert [q.text for q in f.quantities] == ["5 个 9", "0.001%"]


def test_relative_change_without_baseline():
    f = facts("产品故障恢复速度提升 60%")
    assert (f.relative_change.value, f.relative_change.kind) == (60, "percent")
    assert f.baseline is None and f.has_target


def test_baseline_and_target_and_no_relative_change():
    f = facts("产线自动化率从65%提升至90%")
    assert (f.baseline.value, f.target.value, f.relative_change) == (65, 90, None)
    assert f.baseline.kind == f.target.kind == "percent"


def test_magnitudes_are_targets():
    f = facts("实现秒级发货和秒级备份")
    assert [(q.kind, q.text) for q in f.quantities] == [("magnitude", "秒级"), ("magnitude", "秒级")]
    assert f.has_target


def test_count_with_measure_word():
    assert figures("引进 5 位机器学习领域专家") == [(5, "number", "位", None)]


def test_percent_in_words():
    assert figures("百分之三十") == [(30, "percent", None, None)]


def test_points_are_a_relative_change():
    f = facts("提高三个百分点")
    assert (f.relative_change.value, f.relative_change.kind) == (3, "points")


def test_multiple_in_chinese():
    f = facts("增长两倍")
    assert (f.relative_change.value, f.relative_change.kind) == (2, "multiple")


@pytest.mark.parametrize("text", ["平台性能优化", "参数调优", "索引推荐", "Improve onboarding"])
def test_no_figures(text):
    f = facts(text)
    assert f.quantities == () and not f.has_target and f is EMPTY


def test_english_baseline_target():
    f = facts("Increase weekly active users from 10k to 15k by Q3")
    assert (f.baseline.value, f.target.value, f.relative_change) == (10000, 15000, None)
    assert [q.text for q in f.quantities] == ["10k", "15k"]  # Q3 is time, not a figure


def test_english_threshold():
    f = facts("Reduce p95 latency below 200 ms")
    assert (f.target.value, f.target.comparator, f.target.unit) == (200, "<", "ms")
    assert len(f.quantities) == 1  # p95 is the name of a metric


def test_double():
    f = facts("Double the number of paying customers")
    assert (f.relative_change.value, f.relative_change.kind, f.relative_change.text) == (2, "multiple", "Double")


def test_count_and_relative_change_in_one_text():
    f = facts("完成3款AI芯片迭代，算力提升40%")
    assert figures("完成3款AI芯片迭代，算力提升40%")[0] == (3, "number", "款", None)
    assert (f.relative_change.value, f.relative_change.kind) == (40, "percent")


@pytest.mark.parametrize(
    "text", ["O1", "KR2", "O1.KR2 承接", "在 Q3 完成", "H1 目标", "2025年的重点", "FY2025", "2025Q3"]
)
def test_ids_years_and_quarter_labels_are_not_figures(text):
    assert find_quantities(text) == ()


# --- more Chinese -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("十个客户", [(10, "number", "个", None)]),
        ("两位专家", [(2, "number", "位", None)]),
        ("转化率提升三成", [(30, "percent", None, None)]),
        ("退款率不超过百分之三", [(3, "percent", None, "<=")]),
        ("百分之百覆盖", [(100, "percent", None, None)]),
        ("差错率低于千分之三", [(0.3, "percent", None, "<")]),
        ("故障率不高于 2‰", [(0.2, "percent", None, "<=")]),
        ("100多家客户", [(100, "number", "家", ">")]),
        ("新增9万注册用户", [(90000, "number", None, None)]),
        ("付费商家数达到 1.2 万家", [(12000, "number", "家", None)]),
        ("营收 3000 万元", [(3e7, "number", "元", None)]),
        ("与至少 1000 家头部品牌商家形成互联互通", [(1000, "number", "家", ">=")]),
        ("客服接通率≥95%", [(95, "percent", None, ">=")]),
        ("保持转化率在 78% 以上", [(78, "percent", None, ">=")]),
        ("第二季度报道不低于 5 次", [(5, "number", "次", ">=")]),
        ("每周完成20次客户拜访", [(20, "number", "次", None)]),
        ("支撑千万级并发", [(1e7, "magnitude", "级", None)]),
        ("安全等级提升至 3 级", [(3, "number", "级", None)]),
        ("产品市场占有率进入市场前三", [(3, "number", None, "<=")]),
        ("交付周期缩短到 3 天内", [(3, "number", "天", "<=")]),
        ("响应时间 ３０ 毫秒", [(30, "number", "毫秒", None)]),
        ("完成率５０％", [(50, "percent", None, None)]),
        ("年度故障为 0", [(0, "number", None, None)]),
        ("降低一半", [(0.5, "multiple", None, None)]),
        ("营收翻番", [(2, "multiple", None, None)]),
        ("用户数翻两番", [(4, "multiple", None, None)]),
        ("成本减半", [(0.5, "multiple", None, None)]),
        ("QPS 达到 1,000", [(1000, "number", None, None)]),
        ("收入超过2000万", [(2e7, "number", None, ">")]),
        ("重大故障数 = 0", [(0, "number", None, "=")]),
        ("重大故障数等于 0", [(0, "number", None, "=")]),
    ],
)
def test_chinese_figures(text, expected):
    assert figures(text) == [(pytest.approx(value), *rest) for value, *rest in expected]


@pytest.mark.parametrize(
    "text",
    [
        "统一的数据中台",
        "一流的团队",
        "打造一个平台",
        "一次性通过",
        "五四原则",
        "十分重要",
        "千万不要延期",
        "第三方支付",
        "周三例会",
        "9月30日前",
        "2025-09-30 上线",
        "3个月内上线",
        "两周内完成",
        "每 2 周复盘一次",
        "7×24小时服务",
        "上线5G网络",
        "布局 level 3（全面自动化）",
        "产品在新用户群体中 30 日留存",
        "10:30 站会",
        "天网 v1.2.3 版本",
        "上线“天网”1.0 产品",
        "发布 2.0 版",
        "加强内容建设",
        "百度搜索",
        "上线新手引导",
    ],
)
def test_chinese_texts_without_figures(text):
    assert find_quantities(text) == (), find_quantities(text)


@pytest.mark.parametrize(
    ("text", "baseline", "target"),
    [
        ("产线自动化率从65%提升至90%", 65, 90),
        ("付费用户从一万增长到两万", 10000, 20000),
        ("付费商家数从 1.2 万增长到 2 万", 12000, 20000),
        ("故障恢复时长由 30 分钟缩短到 10 分钟", 30, 10),
        ("投诉量从每月 40 单降到 20 单", 40, 20),
        ("NPS 从 20 提升到 35", 20, 35),
        ("基线 3 次，目标 8 次", 3, 8),
        ("目前 20%，提升至 35%", 20, 35),
        ("下单接口 p99 延时从 800 毫秒降到 300 毫秒以内，9月30日前", 800, 300),
    ],
)
def test_chinese_baseline_and_target(text, baseline, target):
    f = facts(text)
    assert (f.baseline.value, f.target.value, f.relative_change) == (baseline, target, None)


@pytest.mark.parametrize(
    ("text", "value", "kind"),
    [
        ("产品故障恢复速度提升 60%", 60, "percent"),
        ("单表回档速度提升 5 倍", 5, "multiple"),
        ("代理性能及扩展能力提升 30%", 30, "percent"),
        ("转化率提升了 30%", 30, "percent"),
        ("降低成本 20%", 20, "percent"),
        ("3个月内将续约率降低20%", 20, "percent"),
        ("客户满意度提高八个百分点", 8, "points"),
        ("营收翻番，达到 3000 万元", 2, "multiple"),
    ],
)
def test_chinese_relative_changes(text, value, kind):
    change = facts(text).relative_change
    assert (change.value, change.kind) == (value, kind)
    assert text[change.span[0] : change.span[1]] == change.text


def test_a_stated_baseline_cancels_the_relative_change():
    assert facts("续约率从 60% 提升 30%").relative_change is None


def test_two_results_in_one_text_keep_their_order():
    f = facts("流程成功率达到 99%，备份成功率达到 99.995%")
    assert [q.value for q in f.quantities] == [99, 99.995]
    assert f.target.value == 99 and f.relative_change is None


def test_date_and_year_next_to_figures_are_left_out():
    f = facts("2025年DAU突破100万，9月30日前")
    assert [q.value for q in f.quantities] == [1_000_000]
    assert f.target.comparator == ">"


def test_the_maturity_level_to_reach_is_a_target():
    f = facts("治理能力全面达到 level 2")
    assert (f.target.value, f.target.unit, f.target.text) == (2, None, "2")  # the unit is what follows a figure
    assert facts("Reach level 3 maturity").target.value == 3
    assert find_quantities("Document the level 3 runbooks") == ()


@pytest.mark.parametrize(
    ("text", "baseline", "target"),
    [
        ("Increase NPS from 20 to 35", 20, 35),
        ("Raise deploy frequency from 2 to 10 per week", 2, 10),
        ("Grow paying teams from 150 to 400 by June", 150, 400),
    ],
)
def test_bare_english_figures_followed_by_words(text, baseline, target):
    f = facts(text)
    assert (f.baseline.value, f.target.value) == (baseline, target)


def test_bare_figure_before_a_month_name_is_a_date():
    assert find_quantities("Launch the beta on 30 June") == ()


def test_a_range_gives_both_ends():
    assert [q.value for q in find_quantities("每周短会(15-20分钟)")] == [15, 20]


# --- more English -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hold 6 customer interview sessions", [(6, "number", "customer", None)]),
        ("Hire two engineers", [(2, "number", "engineers", None)]),
        ("Close at least one enterprise deal", [(1, "number", None, ">=")]),
        ("Revenue above $2M", [(2e6, "number", "$", ">")]),
        ("Keep uptime at or above 99.95%", [(99.95, "percent", None, ">=")]),
        ("Keep churn at or below 2%", [(2, "percent", None, "<=")]),
        ("Maintain a churn rate below 2%", [(2, "percent", None, "<")]),
        ("NPS of 45 or more", [(45, "number", None, ">=")]),
        ("10k+ users", [(10000, "number", "users", ">=")]),
        ("Sign no fewer than 20 partners", [(20, "number", "partners", ">=")]),
        ("Ship 3 releases per month", [(3, "number", "releases", None)]),
        ("MTTR under 30m", [(30, "number", "m", "<")]),
        ("2x faster page loads", [(2, "multiple", None, None)]),
        ("Grow signups 3 times", [(3, "multiple", None, None)]),
        ("Triple the pipeline", [(3, "multiple", None, None)]),
        ("20 percent growth", [(20, "percent", None, None)]),
        ("Raise NPS by 5 percentage points", [(5, "points", None, None)]),
        ("Cut costs by 3pp", [(3, "points", None, None)]),
        ("Achieve sub-second search", [(1, "magnitude", None, "<")]),
        ("Reach 1,000,000 users", [(1e6, "number", "users", None)]),
    ],
)
def test_english_figures(text, expected):
    assert figures(text) == [(pytest.approx(value), *rest) for value, *rest in expected]


@pytest.mark.parametrize(
    "text",
    [
        "Improve onboarding",
        "Launch the partner portal",
        "one of the best teams",
        "within 3 months",
        "ship in 2025",
        "p95 and p99 dashboards",
        "by 10 am",
        "1920x1080 screens",
        "5G rollout",
        "in the first half of the year",
        "OKR 2.0 rollout",
    ],
)
def test_english_texts_without_figures(text):
    assert find_quantities(text) == (), find_quantities(text)


@pytest.mark.parametrize(
    ("text", "baseline", "target"),
    [
        ("Increase weekly active users from 10k to 15k by Q3", 10000, 15000),
        ("Raise activation from 32% to 45%", 32, 45),
        ("Cut median time-to-first-report from 3 days to under 1 day", 3, 1),
        ("Baseline 3 incidents a month, target 1", 3, 1),
        ("NPS currently 20%, reach 35%", 20, 35),
        ("Churn at 2%, up from 1.5%", 1.5, 2),
    ],
)
def test_english_baseline_and_target(text, baseline, target):
    f = facts(text)
    assert (f.baseline.value, f.target.value, f.relative_change) == (baseline, target, None)


@pytest.mark.parametrize(
    ("text", "value", "kind"),
    [
        ("Increase revenue by 20%", 20, "percent"),
        ("Reduce support tickets by half", 0.5, "multiple"),
        ("2x faster page loads", 2, "multiple"),
        ("Double the number of paying customers", 2, "multiple"),
        ("Grow ARR 30%", 30, "percent"),
        ("A 15% increase in retention", 15, "percent"),
        ("Raise NPS by 5 percentage points", 5, "points"),
    ],
)
def test_english_relative_changes(text, value, kind):
    change = facts(text).relative_change
    assert (change.value, change.kind) == (value, kind)


# --- the objects ------------------------------------------------------------------------------


def test_figures_are_frozen_equal_and_hashable():
    found = find_quantities("链路延时 <0.3 毫秒")[0]
    made = Quantity(0.3, "number", "毫秒", "<", (6, 12), "0.3 毫秒")
    assert found == made and hash(found) == hash(made) and type(found) is Quantity
    assert repr(found) == repr(made)
    with pytest.raises(dataclasses.FrozenInstanceError):
        found.value = 1.0  # type: ignore[misc]


def test_facts_are_frozen():
    f = facts("提升 30%")
    assert type(f) is QuantityFacts and f == QuantityFacts(f.quantities, None, f.target, f.relative_change)
    with pytest.raises(dataclasses.FrozenInstanceError):
        f.target = None  # type: ignore[misc]


@pytest.mark.parametrize(
    "text", ["转化率提升了 30%", "Revenue above $2M", "从翻倍", "NPS 从 20 提升到 35", "降低成本 20%"]
)
def test_roles_worked_out_again_match_the_handed_over_ones(text):
    found = find_quantities(text)
    handed_over = analyse_quantities(text, found)
    find_quantities("unrelated 5%")
    assert analyse_quantities(text, found) == handed_over


def test_passing_the_figures_gives_the_same_facts():
    text = "付费商家数从 1.2 万增长到 2 万，转化率提升 30%"
    found = find_quantities(text)
    cached = analyse_quantities(text, found)
    find_quantities("something else 5%")  # the hand-over between the two calls is gone now
    assert analyse_quantities(text, found) == cached == analyse_quantities(text)
    assert analyse_quantities(text, ()) is EMPTY


def test_has_target_is_false_for_a_lone_baseline():
    f = facts("原 0.6 毫秒")
    assert f.baseline is not None and f.target is None and not f.has_target


def test_spans_point_at_the_text():
    text = "Revenue above $2M, NPS 从 20 提升到 35（原 0.6 毫秒）"
    for q in find_quantities(text):
        assert text[q.span[0] : q.span[1]] == q.text


# --- real-world forms: units glued on, shorthand scales, counts of one, placeholders ------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("全年骑行 800km", [(800, "number", "km", None)]),
        ("全年骑行800km", [(800, "number", "km", None)]),
        ("体重减少 5kg", [(5, "number", "kg", None)]),
        ("Reach 2k users", [(2000, "number", "users", None)]),
        ("日活达到 10w+", [(1e5, "number", None, ">=")]),
        ("粉丝数 3万+", [(3e4, "number", None, ">=")]),
        ("ARR 1.2M", [(1.2e6, "number", None, None)]),
        ("throughput x3", [(3, "multiple", None, None)]),
        ("导入速度 x1.5", [(1.5, "multiple", None, None)]),
        ("3X growth in signups", [(3, "multiple", None, None)]),
        ("制作 50x50 cm 展板", [(50, "number", "cm", None)]),
        ("发表 3 篇论文", [(3, "number", "篇", None)]),
        ("每周召开一次技术分享会", [(1, "number", "次", None)]),
        ("每周一次例会", [(1, "number", "次", None)]),
        ("每月组织两次代码评审", [(2, "number", "次", None)]),
        ("每周三次站会", [(3, "number", "次", None)]),
        ("每季度申请 1~2 个专利", [(1, "number", None, None), (2, "number", "个", None)]),
        ("签约 10+ 客户", [(10, "number", None, ">=")]),
        ("Ship 3+ features", [(3, "number", "features", ">=")]),
        ("Run a dozen customer interviews", [(12, "number", "customer", None)]),
        ("客服评分 > 4.6/5", [(4.6, "number", None, ">")]),  # a score on a scale, not a date
    ],
)
def test_real_world_figures(text, expected):
    assert figures(text) == [(pytest.approx(value), *rest) for value, *rest in expected]


@pytest.mark.parametrize(
    "text",
    [
        "Win dozens of new customers",  # vague: no figure to verify
        "一次性通过验收",
        "一次通过率",
        "再一次确认需求",
        "页面展示最近一次任务状态",
        "9/30 前上线",
        "每 2 周复盘一次",  # how often, not how many
        "周三例会",
        "每周一上午例会",
        "support x86 and ARM",
        "Reduce lead time to 6w",  # w is 万 only in Chinese text
        "1920x1080 screens",
        "7×24小时服务",
    ],
)
def test_real_world_texts_without_figures(text):
    assert find_quantities(text) == (), find_quantities(text)


@pytest.mark.parametrize(
    ("text", "kind", "unit", "comparator", "written"),
    [
        ("新签客户不少于XXXX个", "number", "个", ">=", "XXXX个"),
        ("合作门店增长至xx家", "number", "家", None, "xx家"),
        ("退货率降低到X%", "percent", None, None, "X%"),
        ("Reach XX users", "number", "users", None, "XX users"),
        ("覆盖 X 个城市", "number", "个", None, "X 个"),
        ("Increase NPS to X", "number", None, None, "X"),
        ("完成××名用户续费", "number", "名", None, "××名"),
        ("可用性达到 99.xx%", "percent", None, None, "99.xx%"),
    ],
)
def test_a_template_placeholder_is_a_figure_of_unknown_value(text, kind, unit, comparator, written):
    (found,) = find_quantities(text)
    assert found.placeholder and math.isnan(found.value)
    assert (found.kind, found.unit, found.comparator, found.text) == (kind, unit, comparator, written)
    assert analyse_quantities(text).has_target


@pytest.mark.parametrize(
    "text",
    ["Launch of X", "Product X launch", "完成X项目上线", "XX集团签约", "上线XX系统", "于X月上线", "X天内完成", "X-ray"],
)
def test_a_lone_x_that_names_a_thing_is_not_a_figure(text):
    assert find_quantities(text) == (), find_quantities(text)


def test_placeholders_keep_their_roles_and_never_compare_equal_in_value():
    f = facts("转化率从 XX% 提升到 XX%")
    assert f.baseline.placeholder and f.target.placeholder
    assert f.baseline.span != f.target.span
    assert f.baseline.value != f.target.value  # an unknown start and target are not "the same" (CHA003)
    assert f.baseline == find_quantities("转化率从 XX% 提升到 XX%")[0]  # still equal as objects
    assert not find_quantities("转化率从 20% 提升到 30%")[0].placeholder


def test_placeholder_roles_worked_out_again_match():
    text = "签约客户不少于 XX 家，留存率达到 X%"
    found = find_quantities(text)
    handed_over = analyse_quantities(text, found)
    find_quantities("unrelated 5%")
    assert analyse_quantities(text, found) == handed_over
    assert [q.text for q in found] == ["XX 家", "X%"]
