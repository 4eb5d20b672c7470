import dataclasses

import pytest

from assistant.analysis.timebounds import TimeBound, find_timebound


@pytest.mark.parametrize(
    ("text", "kind", "found"),
    [
        # Chinese
        ("链路延时 0.3 毫秒以内，9月30日前", "date", "9月30日前"),
        ("2025年9月30日上线", "date", "2025年9月30日"),
        ("2025 年 9 月 30 日完成", "date", "2025 年 9 月 30 日"),
        ("截至 2025-09-30", "date", "2025-09-30"),
        ("2025/9/30 前完成", "date", "2025/9/30 前"),
        ("九月三十日前", "date", "九月三十日前"),
        ("9月底前完成", "month", "9月底前"),
        ("十二月底", "month", "十二月底"),
        ("2025年9月上线", "month", "2025年9月"),
        ("本月完成", "month", "本月"),
        ("月底前上线", "month", "月底"),
        ("Q3 完成", "quarter", "Q3"),
        ("在Q3完成", "quarter", "Q3"),
        ("2025Q3", "quarter", "2025Q3"),
        ("第三季度末", "quarter", "第三季度末"),
        ("第二季度产品获得报道不低于 5 次", "quarter", "第二季度"),
        ("本季度", "quarter", "本季度"),
        ("季度末达到 90%", "quarter", "季度末"),
        ("季末", "quarter", "季末"),
        ("3季度", "quarter", "3季度"),
        ("完成3个核心模块开发(季度末验收)", "quarter", "季度末"),
        ("上半年", "half", "上半年"),
        ("下半年上线", "half", "下半年"),
        ("年中", "half", "年中"),
        ("2025H1", "half", "2025H1"),
        ("由H1推进", "half", "H1"),
        ("年底前", "year", "年底"),
        ("年末", "year", "年末"),
        ("2025年DAU突破100万", "year", "2025年"),
        ("FY25目标", "year", "FY25"),
        ("今年内", "year", "今年内"),
        ("3个月内", "relative", "3个月内"),
        ("3 个月内", "relative", "3 个月内"),
        ("两周内", "relative", "两周内"),
        ("半年内", "relative", "半年内"),
        ("未来3个月", "relative", "未来3个月"),
        ("每周完成20次客户拜访", "recurring", "每周"),
        ("每月复盘", "recurring", "每月"),
        ("双月复盘", "recurring", "双月"),
        # English
        ("by June", "month", "by June"),
        ("by June 30", "date", "by June 30"),
        ("Raise week-1 activation from 32% to 45% by September 30", "date", "by September 30"),
        ("30 June 2025", "date", "30 June 2025"),
        ("by 9/30", "date", "by 9/30"),
        ("before 2025-09-30", "date", "before 2025-09-30"),
        ("by May 2025", "month", "by May 2025"),
        ("by end of Q3", "quarter", "by end of Q3"),
        ("by Q3", "quarter", "by Q3"),
        ("in Q4", "quarter", "in Q4"),
        ("FY25 Q3 revenue", "quarter", "FY25 Q3"),
        ("end of quarter", "quarter", "end of quarter"),
        ("EOQ", "quarter", "EOQ"),
        ("this quarter", "quarter", "this quarter"),
        ("H2 goal", "half", "H2"),
        ("The first half of 2025", "half", "The first half of 2025"),
        ("mid-year review", "half", "mid-year"),
        ("ship by EOY", "year", "by EOY"),
        ("by year end", "year", "by year end"),
        ("by the end of the year", "year", "by the end of the year"),
        ("completed in 2025", "year", "in 2025"),
        ("within 3 months", "relative", "within 3 months"),
        ("in the next two weeks", "relative", "in the next two weeks"),
        ("within a month", "relative", "within a month"),
        ("weekly demos", "recurring", "weekly"),
        ("Every sprint", "recurring", "Every sprint"),
        ("Ship 3 releases per month", "recurring", "per month"),
        ("Grow weekly users from 10k to 15k by Q3", "quarter", "by Q3"),
        ("Increase weekly active users from 10k to 15k by Q3", "quarter", "by Q3"),
        ("NPS of 45 or more by EOY", "year", "by EOY"),
    ],
)
def test_time_bounds(text, kind, found):
    bound = find_timebound(text)
    assert bound is not None, text
    assert (bound.kind, bound.text) == (kind, found)
    assert text[bound.span[0] : bound.span[1]] == found


@pytest.mark.parametrize(
    "text",
    [
        "5 级故障数≤ 2",
        "99.995%",
        "3 款芯片",
        "level 3",
        "level 2",
        "平台性能优化",
        "统一平台上线",
        "Improve onboarding",
        "KR2 链路延时",
        "O1 KR2",
        "p95 latency",
        "May the team improve",
        "in the team",
        "9/30",
        "1/3 的用户",
        "版本 1.2.3",
        "上线 v2.0",
        "产线自动化率从65%提升至90%",
        "完成3款AI芯片迭代，算力提升40%",
        "Reduce p95 latency below 200 ms",
        "",
    ],
)
def test_no_time_bound(text):
    assert find_timebound(text) is None


def test_a_deadline_wins_over_an_earlier_rhythm():
    assert find_timebound("每周复盘，9月底前上线").text == "9月底前"
    assert find_timebound("weekly sync, ship by Q3").text == "by Q3"


def test_the_first_deadline_wins():
    assert find_timebound("Q3 上线，12月31日前推广").text == "Q3"
    assert find_timebound("9月30日前完成，Q4 推广").text == "9月30日前"


def test_bounds_are_frozen():
    bound = find_timebound("Q3 完成")
    assert bound == TimeBound("quarter", "Q3", (0, 2)) and type(bound) is TimeBound
    with pytest.raises(dataclasses.FrozenInstanceError):
        bound.kind = "year"  # type: ignore[misc]
