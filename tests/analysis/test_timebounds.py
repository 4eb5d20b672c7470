import pytest

from assistant.analysis.language import detect_language
from assistant.analysis.timebounds import find_timebound


@pytest.mark.parametrize(
    ("text", "kind", "found"),
    [
        ("链路延时 0.3 毫秒以内，9月30日前", "date", "9月30日前"),
        ("2025年9月30日上线", "date", "2025年9月30日"),
        ("截至 2025-09-30", "date", "2025-09-30"),
        ("9月底前完成", "month", "9月底"),
        ("Q3 完成", "quarter", "Q3"),
        ("第三季度末", "quarter", "第三季度末"),
        ("季度末达到 90%", "quarter", "季度末"),
        ("年底前", "year", "年底"),
        ("上半年", "half", "上半年"),
        ("3个月内", "relative", "3个月内"),
        ("两周内", "relative", "两周内"),
        ("每周完成20次客户拜访", "recurring", "每周"),
        ("by June 30", "date", "by June 30"),
        ("by end of Q3", "quarter", "by end of Q3"),
        ("within 3 months", "relative", "within 3 months"),
        ("ship by EOY", "year", "EOY"),
        ("H2 goal", "half", "H2"),
        ("weekly demos", "recurring", "weekly"),
        ("Grow weekly users from 10k to 15k by Q3", "quarter", "by Q3"),
    ],
)
def test_time_bounds(text, kind, found):
    bound = find_timebound(text)
    assert bound is not None and bound.kind == kind and bound.text == found
    assert text[bound.span[0] : bound.span[1]] == found


@pytest.mark.parametrize(
    "text",
    ["5 级故障数≤ 2", "99.995%", "3 款芯片", "level 3", "平台性能优化", "Improve onboarding", "KR2 链路延时"],
)
def test_no_time_bound(text):
    assert find_timebound(text) is None


@pytest.mark.parametrize(
    ("text", "lang"),
    [("提升 DAU", "zh"), ("Improve onboarding", "en"), ("", "en"), ("NPS 从 20 到 35", "zh")],
)
def test_language(text, lang):
    assert detect_language(text) == lang
