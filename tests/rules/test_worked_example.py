"""The guidance's own worked example (《真OKR》 chapter 3, tech team) must come out right."""

from builders import codes, kr_codes, obj_codes, objective, okr_set, run

from assistant.findings import Severity

# The nine objectives the three groups proposed, before voting.
NINE_OBJECTIVES = [
    "运维自动化率达到 60%",
    "实现年度故障清零",
    "模块解耦达到 40%",
    "实现存储规模提升 30%",
    "推出更多收费服务，如代理模块产品化",
    "提升数据安全性至 99.99%",
    "性能全面超越竞品，达到国内第一",
    "打造公司年度质量最好的产品",
    "产品自治能力达到 level 3（全面自动化）",
]

O1 = "产品自治能力全面达到 level 2（部分自动化），布局 level 3（全面自动化）"
O2 = "产品与平台性能超越竞品，成为国内第一"
O3 = "打造公司年度质量最好的产品"

# Table 3-11: first round of key results.
TABLE_3_11 = okr_set(
    objective(
        O1,
        "产品故障恢复模块高可用性",
        "上线知识库 + 决策系统",
        "数据库智能性能调优工具产品化",
        "参数调优",
        "索引推荐",
    ),
    objective(
        O2,
        "发货速度优化，实现秒级发货",
        "产品故障恢复速度提升 60%",
        "链路延时 <0.3 毫秒（原 0.6 毫秒）",
        "代理性能及扩展能力提升 30%",
        "平台性能优化",
        "管控核心流程优化（发货、备份、回档，高可用性）",
    ),
    objective(
        O3,
        "故障恢复模块稳定性高",
        "升级对账系统",
        "日志模块打通",
        "应用接口调用成功率提高",
        "年度故障为 0",
        "5 级故障数≤ 2",
        "产品可用性达到 5 个 9（出错率 0.001%）",
        "流程成功率达到 99%，备份成功率达到 99.995%",
    ),
    team="技术团队",
)

# Table 3-12: second round, after applying the five-four principle.
TABLE_3_12 = okr_set(
    objective(
        O1,
        "完成数据库智能性能调优工具的产品化",
        "启动事中分析、事前拦截，实现产品化",
        "引进 5 位机器学习领域专家",
        "治理能力全面达到 level 2",
    ),
    objective(
        O2,
        "实现原地升级，单表回档速度提升 5 倍",
        "实现秒级发货和秒级备份",
        "实现代理性能及扩展能力提升 30%",
        "链路延时控制在 0.3 毫秒以内",
    ),
    objective(
        O3,
        "5 级故障数≤ 2",
        "实现备份成功率 99.995%",
        "实现流程成功率 99%",
        "产品可用性达到 5 个 9（出错率 0.001%）",
    ),
    team="技术团队",
)


def test_nine_objectives_break_five_four_principle():
    found = run(okr_set(*(objective(text, "可用性达到 99.9%") for text in NINE_OBJECTIVES)))
    assert "FOC001" in codes(found)
    foc = next(f for f in found if f.code == "FOC001")
    assert foc.severity is Severity.error
    assert "9" in foc.message


def test_metric_objective_is_flagged_as_key_result():
    found = run(okr_set(*(objective(text, "可用性达到 99.9%") for text in NINE_OBJECTIVES)))
    metric_like = {o for o in ("O1", "O3", "O4", "O6") if "INS001" in obj_codes(found, o)}
    assert metric_like == {"O1", "O3", "O4", "O6"}
    # The directions the team kept are not metrics.
    assert "INS001" not in obj_codes(found, "O7")
    assert "INS001" not in obj_codes(found, "O8")
    assert "INS001" not in obj_codes(found, "O9")


def test_final_three_objectives_read_as_objectives():
    found = run(
        okr_set(
            objective(O1, "治理能力全面达到 level 2"),
            objective(O2, "链路延时控制在 0.3 毫秒以内"),
            objective(O3, "5 级故障数≤ 2"),
        )
    )
    for oid in ("O1", "O2", "O3"):
        assert not obj_codes(found, oid) & {"INS001", "INS002", "INS003"}


def test_table_3_11_breaks_five_four_and_has_unmeasurable_krs():
    found = run(TABLE_3_11)
    too_many = {f.objective for f in found if f.code == "FOC002"}
    assert too_many == {"O1", "O2", "O3"}
    assert kr_codes(found, "O2.KR5") & {"MEA001", "MEA002"}  # 平台性能优化
    assert kr_codes(found, "O1.KR4") & {"MEA001", "MEA002"}  # 参数调优
    assert "MEA001" in kr_codes(found, "O1.KR5")  # 索引推荐: no target at all
    assert "MEA002" in kr_codes(found, "O3.KR4")  # 成功率提高: direction without a figure
    assert "MEA005" in kr_codes(found, "O3.KR8")  # two results in one line, split in 3-12
    assert "OUT001" in kr_codes(found, "O3.KR2")  # 升级对账系统 is work, not a result
    # The measurable ones are not called unmeasurable.
    for ref in ("O2.KR3", "O3.KR5", "O3.KR6", "O3.KR7", "O2.KR1"):
        assert not kr_codes(found, ref) & {"MEA001", "MEA002"}, ref


def test_table_3_12_fixes_them():
    found = run(TABLE_3_12)
    assert not {f for f in found if f.dimension.value == "focused"}
    assert not [f for f in found if f.dimension.value == "measurable" and f.severity is Severity.error]
    # What remains is advice: work-style key results, a relative change without a baseline.
    assert "OUT001" in kr_codes(found, "O1.KR1")
    assert "MEA003" in kr_codes(found, "O2.KR1")
