"""The candidate checker: rules on the filled-in text, invented numbers and dates, placeholders, language."""

from __future__ import annotations

import pytest

from assistant.assist.candidates import (
    EXCLUDED_DIMENSIONS,
    PLACEHOLDERS,
    check_candidate,
    feedback,
    fill_placeholders,
    placeholders_in,
)
from assistant.assist.schemas import RewriteCandidate
from assistant.findings import Severity
from assistant.rules.catalogue import tagged

OBJECTIVE = "让用户觉得系统又快又稳"
KR = "优化系统性能"
CONTEXT = "核心接口 P95 响应时间目前 800 毫秒；本季度 9月30日 结束"
INPUTS = [KR, OBJECTIVE, CONTEXT]


def candidate(text: str, **fields) -> RewriteCandidate:
    values = {
        "metric": "核心接口 P95 响应时间",
        "baseline": "800",
        "target": "〔目标值〕",
        "unit": "毫秒",
        "deadline": "9月30日",
        "rationale": "把方向落到可以核对的数字上。",
    }
    values.update(fields)
    return RewriteCandidate(text=text, **values)


def zh_check(text: str, **fields):
    return check_candidate(candidate(text, **fields), objective=OBJECTIVE, inputs=INPUTS, language="zh")


# ---------------------------------------------------------------- placeholders


def test_placeholder_tokens_of_both_languages():
    assert list(PLACEHOLDERS["zh"].values()) == ["〔基线〕", "〔目标值〕", "〔截止日期〕", "〔指标〕", "〔负责人〕"]
    assert list(PLACEHOLDERS["en"].values()) == ["[baseline]", "[target]", "[deadline]", "[metric]", "[owner]"]


def test_placeholders_in_lists_each_token_once_in_order():
    text = "〔截止日期〕前，〔指标〕从〔基线〕提升到〔目标值〕，〔基线〕由〔负责人〕确认"
    assert placeholders_in(text) == ["〔截止日期〕", "〔指标〕", "〔基线〕", "〔目标值〕", "〔负责人〕"]
    assert placeholders_in("[metric] from [baseline] to [target] by [deadline]") == [
        "[metric]",
        "[baseline]",
        "[target]",
        "[deadline]",
    ]
    assert placeholders_in("NPS 从 30 提升到 45，[目标] 与【基线】不是占位符") == []
    assert placeholders_in("") == []


def test_filling_gives_two_different_numbers_a_date_and_a_noun():
    filled = fill_placeholders("用户满意度从〔基线〕提升到〔目标值〕（〔截止日期〕前）", "zh")
    assert "〔" not in filled
    assert filled == "用户满意度从37提升到52（9月30日前）"
    english = fill_placeholders("[metric] rises from [baseline] to [target] by [deadline]", "en")
    assert english == "conversion rate rises from 37 to 52 by September 30"


def test_filling_avoids_numbers_the_text_already_holds():
    filled = fill_placeholders("NPS 从 37 提升到〔目标值〕", "zh")
    assert filled == "NPS 从 37 提升到58"  # the first sample pair holds 37, so the next pair is used


# ---------------------------------------------------------------- rules


def test_a_template_with_placeholders_passes_and_reports_them():
    check = zh_check(
        "〔截止日期〕前，系统平均响应时间从〔基线〕毫秒降到〔目标值〕毫秒以内",
        baseline="〔基线〕",
        deadline="〔截止日期〕",
    )
    assert check.passed
    assert check.errors == [] and check.invented_numbers == [] and check.language_ok
    assert check.placeholders == ["〔截止日期〕", "〔基线〕", "〔目标值〕"]


def test_the_same_template_unfilled_would_fail_the_rules():
    """Why placeholders are filled first: read literally, the template has no figure at all."""
    from assistant.assist.candidates import candidate_findings

    raw = "用户满意度从〔基线〕提升到〔目标值〕（〔截止日期〕前）"
    assert candidate_findings(raw, objective=OBJECTIVE, language="zh") == []
    literal = raw.replace("〔基线〕", "某个值").replace("〔目标值〕", "更高").replace("〔截止日期〕", "某天")
    codes = {f.code for f in candidate_findings(literal, objective=OBJECTIVE, language="zh")}
    assert "MEA002" in codes


def test_error_findings_fail_the_candidate_and_come_back_as_feedback():
    check = zh_check("持续优化系统性能", baseline="〔基线〕", deadline="〔截止日期〕")
    assert not check.passed
    assert [f.code for f in check.errors] == ["MEA002"]
    assert all(f.severity is Severity.error for f in check.errors)
    assert {f.code for f in check.errors} <= {f.code for f in check.findings}
    text = feedback(check, "zh")
    assert "MEA002" in text and "优化" in text and "错误" in text


def test_warnings_do_not_fail_but_are_listed_in_feedback():
    check = zh_check("上线新版监控平台", baseline="〔基线〕", deadline="〔截止日期〕")
    assert "OUT001" in {f.code for f in check.findings}
    assert check.errors == [] and check.passed
    assert "OUT001" in feedback(check, "zh")


def test_a_candidate_repeating_the_objective_is_flagged():
    check = zh_check(OBJECTIVE, baseline="〔基线〕", deadline="〔截止日期〕")
    assert "OUT003" in {f.code for f in check.findings}


def test_set_level_and_ownership_rules_are_left_out():
    for text in ("优化系统性能", "9月30日前，核心接口 P95 响应时间从 800 毫秒降到〔目标值〕毫秒以内", "保持系统可用性"):
        check = zh_check(text)
        assert not any(f.dimension in EXCLUDED_DIMENSIONS or f.code not in tagged("wording") for f in check.findings)
        assert all(f.key_result == "O1.KR1" for f in check.findings)


# ---------------------------------------------------------------- invented numbers


def test_an_invented_number_is_caught():
    check = zh_check("9月30日前，核心接口 P95 响应时间从 800 毫秒降到 250 毫秒以内", target="250")
    assert check.invented_numbers == ["250"]  # once, though it is in the text and the target field
    assert check.errors == [] and not check.passed
    text = feedback(check, "zh")
    assert "“250”" in text and "assumptions" in text


def test_an_assumption_excuses_the_number():
    check = zh_check(
        "9月30日前，核心接口 P95 响应时间从 800 毫秒降到 300 毫秒以内",
        target="300",
        assumptions=["假设目标值为 300 毫秒，请与团队确认"],
    )
    assert check.invented_numbers == [] and check.passed
    assert feedback(check, "zh") == ""


def test_numbers_given_in_the_inputs_are_not_invented():
    check = zh_check("9月30日前，核心接口 P95 响应时间从 800 毫秒降到〔目标值〕毫秒以内")
    assert check.invented_numbers == [] and check.passed
    assert check.placeholders == ["〔目标值〕"]


@pytest.mark.parametrize(
    ("given", "written"),
    [
        ("转化率目标 30%", "转化率从〔基线〕提升到 30 %"),
        ("转化率目标 30 %", "转化率从〔基线〕提升到30%"),
        ("转化率目标百分之三十", "转化率从〔基线〕提升到 30%"),
        ("月活目标 1.5万", "月活跃用户从〔基线〕提升到 15000"),
        ("月活目标 15,000", "月活跃用户从〔基线〕提升到 1.5 万"),
    ],
)
def test_numbers_match_by_value_not_by_spelling(given, written):
    check = check_candidate(
        candidate(written, baseline="〔基线〕", target="〔目标值〕", deadline="〔截止日期〕"),
        objective="让用户留下来",
        inputs=[given],
        language="zh",
    )
    assert check.invented_numbers == []
    other = check_candidate(
        candidate(written, baseline="〔基线〕", target="〔目标值〕", deadline="〔截止日期〕"),
        objective="让用户留下来",
        inputs=["转化率目标 31%"],
        language="zh",
    )
    assert other.invented_numbers, "a different value is invented"


def test_ids_and_labels_are_not_figures():
    check = zh_check("9月30日前，KR2 的 P99 响应时间从 800 毫秒降到〔目标值〕毫秒，5 级故障不计入")
    assert check.invented_numbers == []


def test_an_invented_date_is_caught_and_a_date_without_numbers_is_not():
    invented = zh_check("6月30日前，核心接口 P95 响应时间从 800 毫秒降到〔目标值〕毫秒以内", deadline="6月30日")
    assert invented.invented_numbers == ["6月30日前"]
    quarter = zh_check("Q3 结束前，核心接口 P95 响应时间从 800 毫秒降到〔目标值〕毫秒以内", deadline="Q3")
    assert quarter.invented_numbers == ["Q3"]  # the input says 9月30日, not which quarter
    vague = zh_check("本季度末前，核心接口 P95 响应时间从 800 毫秒降到〔目标值〕毫秒以内", deadline="本季度末")
    assert vague.invented_numbers == [] and vague.passed


def test_a_given_date_written_another_way_is_not_invented():
    check = check_candidate(
        candidate(
            "Cut the core API's p95 response time from 800 ms to [target] ms by September 30",
            target="[target]",
            deadline="Sept. 30",
            unit="ms",
        ),
        objective="Users find the product fast",
        inputs=["Improve system performance", "core API p95 is 800 ms today; the quarter ends on 9月30日"],
        language="en",
    )
    assert check.invented_numbers == [] and check.passed


def test_english_invented_number_and_feedback():
    check = check_candidate(
        candidate("Cut p95 latency from 800 ms to 250 ms by [deadline]", target="250", deadline="[deadline]"),
        objective="Users find the product fast",
        inputs=["Improve system performance", "p95 is 800 ms today"],
        language="en",
    )
    assert check.invented_numbers == ["250"]
    assert '"250"' in feedback(check, "en")


# ---------------------------------------------------------------- language


def test_wrong_language_is_caught():
    text = "Cut the core API's p95 response time from 800 ms to [target] ms by 30 September"
    check = zh_check(text, target="[target]", deadline="30 September")
    assert not check.language_ok and not check.passed
    assert check.invented_numbers == [] and check.errors == []
    assert "中文" in feedback(check, "zh")
    english = check_candidate(candidate(text, target="[target]"), objective="Fast", inputs=INPUTS, language="en")
    assert english.language_ok and english.passed
    chinese_for_english = check_candidate(
        candidate("9月30日前，核心接口 P95 响应时间从 800 毫秒降到〔目标值〕毫秒以内"),
        objective="Fast",
        inputs=INPUTS,
        language="en",
    )
    assert not chinese_for_english.language_ok
    assert "English" in feedback(chinese_for_english, "en")


def test_an_empty_text_is_not_in_any_language():
    assert not zh_check(" ").language_ok


def test_unknown_language_is_an_error():
    with pytest.raises(ValueError, match="zh or en"):
        check_candidate(candidate("x"), objective="", inputs=[], language="fr")
