"""MEA005 (several results in one key result) against service-level targets: a time bound plus the share
of cases that meet it is one target, not two."""

import pytest
from builders import kr, objective, okr_set

from assistant.config import Config
from assistant.engine import check
from assistant.findings import Finding


def several_results(text: str) -> list[Finding]:
    """The MEA005 findings on one key result, checked through the engine."""
    okrs = okr_set(objective("让客户的问题得到及时处理", kr(text, owner="王五"), owner="赵六"))
    return [f for f in check([okrs], Config()) if f.code == "MEA005" and f.key_result == "O1.KR1"]


@pytest.mark.parametrize(
    "text",
    [
        "P1 bugs fixed within 48 hours, 95% of the time",
        "Answer support tickets within 4 hours, in 90% of cases",
        "95% of the time, outages are resolved within 30 minutes",
        "P0 故障 15 分钟内响应，达成率 99%",
        "客服工单 2 小时内首次响应，及时率不低于 95%",
        "线上告警 10 分钟内处理，99% 的情况下",
        "95% 的工单在 2 小时内响应",
    ],
)
def test_a_service_level_target_is_one_result(text):
    assert several_results(text) == []


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("NPS 从 30 提升到 45，同时客单价提高到 300 元", ["NPS 从 30 提升到 45", "客单价提高到 300 元"]),
        ("P0 故障 15 分钟内响应，客户满意度达到 90%", ["P0 故障 15 分钟内响应", "客户满意度达到 90%"]),
        (
            "P1 bugs fixed within 48 hours, 95% of the time, and churn below 2%",
            ["P1 bugs fixed within 48 hours", "and churn below 2%"],
        ),
    ],
)
def test_separate_results_still_count(text, parts):
    found = several_results(text)
    assert len(found) == 1
    assert found[0].evidence == " | ".join(parts)


def test_a_share_without_a_time_bound_beside_it_is_a_result_of_its_own():
    # "达成率" next to a count, not a time bound: two things to deliver.
    assert len(several_results("每月发布 4 个版本，达成率 90%")) == 1
