"""Markdown / plain-text outlines, from files and pasted text, in Chinese and English."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from importer_helpers import errors, kr, objective, one_set, revalidated, warnings

from assistant.importers import load_paths, load_text
from assistant.importers._outline import read_heading
from assistant.model import AlignmentType, DependencyStatus, Level


def test_example_platform_team() -> None:
    result = load_paths(["examples/platform-team.md"])
    assert errors(result) == []
    okr_set = one_set(result, "平台研发部")
    assert (okr_set.cycle, okr_set.level, okr_set.parent, okr_set.owner) == (
        "2025Q3",
        Level.department,
        "公司",
        "陈静",
    )
    assert [(o.id, len(o.key_results)) for o in okr_set.objectives] == [("O1", 5), ("O2", 2), ("O3", 0)]
    o1 = objective(okr_set, "O1")
    assert (o1.text, o1.owner, o1.confidence, o1.aligned_to) == (
        "让客户在大促期间感受不到任何卡顿",
        "陈静",
        60.0,
        ["O1.KR1"],
    )
    kr1 = kr(okr_set, "O1.KR1")
    assert kr1.text == "下单接口 p99 延时从 800 毫秒降到 300 毫秒以内，9月30日前"
    assert (kr1.owner, kr1.confidence) == ("王磊", 60.0)
    kr3 = kr(okr_set, "O1.KR3")
    assert [(d.team, d.point) for d in kr3.dependencies] == [("运维部", "扩容演练支持")]
    assert kr(okr_set, "O1.KR5").owner == "赵敏、刘洋"  # several owners kept as written, for the owned rule
    assert kr(okr_set, "O1.KR5").confidence == 95.0
    assert objective(okr_set, "O2").aligned_to == ["O2.KR3"]
    assert kr(okr_set, "O2.KR2").owner is None
    assert kr1.source is not None and (kr1.source.file, kr1.source.line) == ("examples/platform-team.md", 7)


def test_example_growth_team_english() -> None:
    result = load_paths(["examples/growth-team.en.md"])
    assert errors(result) == []
    okr_set = one_set(result, "Growth Team")
    assert (okr_set.cycle, okr_set.level, okr_set.owner) == ("2025Q3", Level.team, "Dana Whitfield")
    o1 = objective(okr_set, "O1")
    assert (o1.owner, o1.confidence) == ("Dana Whitfield", 60.0)
    assert [k.id for k in o1.key_results] == ["KR1", "KR2", "KR3", "KR4"]
    assert kr(okr_set, "O1.KR4").confidence == 100.0
    assert kr(okr_set, "O2.KR1").owner == "everyone"
    assert kr(okr_set, "O1.KR2").text == "Improve onboarding"


def test_brief_example_with_ordinary_parentheses() -> None:
    text = (
        "# 平台研发部 2025Q3\n"
        "O1: 产品与平台性能超越竞品，成为国内第一 (负责人: 张三, 信心 60%)\n"
        "- KR1: 链路延时控制在 0.3 毫秒以内（原 0.6 毫秒），9月30日前\n"
        "- KR2: 平台性能优化\n"
    )
    okr_set = one_set(load_text(text))
    o1 = objective(okr_set, "O1")
    assert (o1.text, o1.owner, o1.confidence) == ("产品与平台性能超越竞品，成为国内第一", "张三", 60.0)
    assert kr(okr_set, "O1.KR1").text == "链路延时控制在 0.3 毫秒以内（原 0.6 毫秒），9月30日前"
    assert kr(okr_set, "O1.KR2").text == "平台性能优化"


def test_label_variants_and_two_sets(tmp_path: Path) -> None:
    text = (
        "# 增长部 2025年第三季度\n"
        "上级: 公司\n"
        "目标1：新商家第一周就离不开我们（负责人：马骁，承接：O1.KR1、O2.KR1，对齐方式：多项式）\n"
        "关键结果1：激活率从 35% 提升到 55%"
        "（负责人：高翔；截止日期：9月30日；握手方：产品部、测试部；握手点：首页改版；状态：认同）\n"
        "  - 首页改版\n"
        "  行动: 访谈 10 个商家\n"
        "KR2. 转化率 12%\n"
        "1. 留存 40%\n"
        "**O2**：第二个目标\n"
        "- 普通条目\n"
        "\n"
        "## Platform 2025 H2\n"
        "Owner: Ann\n"
        "Objective: Be fast\n"
        "Key Result 3: p99 under 300 ms (owner: Bo, due: 2025-12-31, confidence: 0.7)\n"
        "KR: error rate under 0.1% (baseline: 0.5, target: 0.1, progress: 30%, score: 0.6)\n"
    )
    path = tmp_path / "two.md"
    path.write_text(text, encoding="utf-8")
    result = load_paths([path])
    assert errors(result) == []
    assert [(s.team, s.cycle) for s in result.sets] == [("增长部", "2025Q3"), ("Platform", "2025H2")]
    growth, platform = result.sets
    assert growth.parent == "公司"
    o1 = objective(growth, "O1")
    assert (o1.owner, o1.aligned_to, o1.alignment) == ("马骁", ["O1.KR1", "O2.KR1"], AlignmentType.polynomial)
    kr1 = kr(growth, "O1.KR1")
    assert kr1.text == "激活率从 35% 提升到 55%"
    assert (kr1.owner, kr1.due) == ("高翔", date(2025, 9, 30))
    assert [(d.team, d.point, d.status) for d in kr1.dependencies] == [
        ("产品部", "首页改版", DependencyStatus.accepted),
        ("测试部", "首页改版", DependencyStatus.accepted),
    ]
    assert [a.text for a in kr1.actions] == ["首页改版", "访谈 10 个商家"]
    assert [(k.id, k.text) for k in o1.key_results] == [
        ("KR1", "激活率从 35% 提升到 55%"),
        ("KR2", "转化率 12%"),
        ("KR3", "留存 40%"),
    ]
    assert [(k.id, k.text) for k in objective(growth, "O2").key_results] == [("KR1", "普通条目")]
    assert platform.owner == "Ann"
    be_fast = objective(platform, "O1")
    assert be_fast.text == "Be fast"
    p99 = kr(platform, "O1.KR3")
    assert (p99.owner, p99.due, p99.confidence) == ("Bo", date(2025, 12, 31), 70.0)
    err = be_fast.key_results[1]
    assert (err.baseline, err.target, err.progress, err.score) == (0.5, 0.1, 30.0, 0.6)


def test_text_without_heading_takes_the_name() -> None:
    result = load_text("O: 让客户满意\n- NPS 从 20 到 35\n", "草稿")
    okr_set = one_set(result)
    assert okr_set.team == "草稿"
    assert kr(okr_set, "O1.KR1").text == "NPS 从 20 到 35"


def test_kr_before_any_objective_is_an_error_and_parsing_goes_on() -> None:
    result = load_text("KR1: 孤儿\n一些说明文字\nO1: 甲\nKR1: a\n")
    [problem] = errors(result)
    assert problem.line == 1
    assert [k.text for k in one_set(result).objectives[0].key_results] == ["a"]


def test_bad_attribute_value_is_reported_and_item_kept() -> None:
    result = load_text("O1: 甲\nKR1: a (信心: 很高, 负责人: 张三)\n")
    [problem] = errors(result)
    assert (problem.line, problem.field) == (2, "confidence")
    item = kr(one_set(result), "O1.KR1")
    assert (item.text, item.owner, item.confidence) == ("a", "张三", None)


def test_duplicate_kr_labels_fall_back_to_positions() -> None:
    result = load_text("O1: 甲\nKR1: a\nKR1: b\n")
    assert [k.id for k in one_set(result).objectives[0].key_results] == ["KR1", "KR2"]
    assert [p.level.value for p in result.problems] == ["warning"]


def test_gbk_markdown_file(tmp_path: Path) -> None:
    path = tmp_path / "gbk.txt"
    path.write_bytes("# 测试部\nO1: 质量第一\nKR1: 缺陷率降到 1%\n".encode("gbk"))
    okr_set = one_set(load_paths([path]), "测试部")
    assert kr(okr_set, "O1.KR1").text == "缺陷率降到 1%"


def test_empty_text_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.md"
    path.write_bytes(b"")
    result = load_paths([path])
    assert [(p.reason, p.level.value) for p in result.problems] == [("empty file", "error")]


def test_outline_models_equal_validated_models() -> None:
    for path in ("examples/platform-team.md", "examples/growth-team.en.md"):
        for okr_set in load_paths([path]).sets:
            assert revalidated(okr_set) == okr_set


def test_markdown_checkbox_is_not_json() -> None:
    result = load_text("O1: 甲\n[ ] KR1: a\n")
    assert [k.text for k in one_set(result).objectives[0].key_results] == ["a"]


def test_set_metadata_lines_in_english() -> None:
    text = "# Platform\nCycle: 2025 Q4\nLevel: department\nParent: Company\nOwner: Ann\nO1: Be fast\n- p99 < 300 ms\n"
    okr_set = one_set(load_text(text))
    assert (okr_set.team, okr_set.cycle, okr_set.level, okr_set.parent, okr_set.owner) == (
        "Platform",
        "2025Q4",
        Level.department,
        "Company",
        "Ann",
    )


# ---------------------------------------------------------------- headings


@pytest.mark.parametrize(
    ("heading", "team", "level", "cycle"),
    [
        ("Q3 2025 OKRs — Acme Analytics (company)", "Acme Analytics", Level.company, "2025Q3"),
        ("2025 Q3 – Orbit Labs [personal]", "Orbit Labs", Level.individual, "2025Q3"),
        ("Billing Squad (Team) | H2 2025", "Billing Squad", Level.team, "2025H2"),
        ("FY2025 Q4: Field Sales (Department level)", "Field Sales", Level.department, "2025Q4"),
        ("Objectives and Key Results - Ledger Team - 2025H1", "Ledger Team", None, "2025H1"),
        ("Harbor Ops OKRs (2025Q2)", "Harbor Ops", None, "2025Q2"),
        ("Kite Studio (Q1 2026, company)", "Kite Studio", Level.company, "2026Q1"),
        ("2025年第三季度 OKR：云存储部（部门级）", "云存储部", Level.department, "2025Q3"),
        ("星图科技（公司级）2025年第四季度 目标", "星图科技", Level.company, "2025Q4"),
        ("数据中台(团队) | 2025 下半年", "数据中台", Level.team, "2025H2"),
        ("【2025Q3】客服一组 OKR", "客服一组", None, "2025Q3"),
        ("李雷的目标 2025H1（个人）", "李雷", Level.individual, "2025H1"),
        ("增长部OKR 2025 Q3", "增长部", None, "2025Q3"),
        ("风控中心（2025Q3 部门 OKR）", "风控中心", Level.department, "2025Q3"),
        ("2025年度目标", "", None, "2025"),
    ],
)
def test_heading_gives_team_level_and_cycle(heading: str, team: str, level: Level | None, cycle: str) -> None:
    assert read_heading(heading) == (team, level, cycle)


@pytest.mark.parametrize(
    "heading",
    [
        "R&D (Beijing) team",  # a place in brackets is part of the name
        "Acme (Shanghai)",  # even at the end: no bracket is lost
        "Studio-North",  # a hyphen without spaces joins a name
        "Core Platform — Payments",  # two parts with words in both stay together
        "目标管理部",  # a Chinese noise word inside a name stays
        "研发中心（北京）",
        "测试组 (2)",
    ],
)
def test_heading_names_that_stay_whole(heading: str) -> None:
    assert read_heading(heading) == (heading, None, None)


def test_heading_level_and_cycle_reach_the_set_in_both_languages() -> None:
    text = (
        "# Q3 2025 OKRs — Acme Analytics (company)\n"
        "O1: Win the mid-market\n- 40 new logos\n\n"
        "# R&D (Beijing) team 2025Q3\n"
        "O1: Ship faster\n- lead time under 2 days\n\n"
        "# 2025年第三季度 OKR：云存储部（部门级）\n"
        "层级: 团队\n"
        "O1: 存储更便宜\n- 单位成本下降 20%\n"
    )
    result = load_text(text)
    assert errors(result) == []
    assert [(s.team, s.level, s.cycle) for s in result.sets] == [
        ("Acme Analytics", Level.company, "2025Q3"),
        ("R&D (Beijing) team", None, "2025Q3"),
        ("云存储部", Level.team, "2025Q3"),  # a level line of its own says more than the heading
    ]


# ---------------------------------------------------------------- confidence scale


def test_outline_confidence_on_a_ten_point_scale_is_rescaled_with_a_notice() -> None:
    text = "# 交付部 2025Q3\nO1: 准时交付 (信心指数: 7)\n- 准时率 95% (信心 9)\n- 返工率 5% (信心: 10)\n"
    result = load_text(text, "交付部.md")
    okr_set = one_set(result)
    assert objective(okr_set, "O1").confidence == 70.0
    assert [k.confidence for k in okr_set.objectives[0].key_results] == [90.0, 100.0]
    [notice] = warnings(result)
    assert (notice.file, notice.field) == ("交付部.md", "confidence")
    assert "1–10" in notice.reason and "100%" in notice.reason


def test_outline_confidence_with_percent_signs_is_left_alone() -> None:
    text = "# Delivery 2025Q3\nO1: Ship on time (confidence: 60%)\n- on-time rate 95% (confidence 8)\n"
    result = load_text(text)
    assert [objective(one_set(result), "O1").confidence, kr(one_set(result), "O1.KR1").confidence] == [60.0, 8.0]
    [notice] = warnings(result)
    assert "percentages" in notice.reason and "8 is 8%" in notice.reason
