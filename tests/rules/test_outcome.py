import pytest
from builders import codes, single_kr

from assistant.findings import Severity


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("上线知识库 + 决策系统", "上线"),
        ("升级对账系统", "升级"),
        ("日志模块打通", "打通"),
        ("完成压测平台开发", "完成"),
        ("数据库智能性能调优工具产品化", "产品化"),
        ("Launch the new onboarding checklist", "Launch"),
        ("Ship dark mode", "Ship"),
        ("上线 20 款内容", "上线"),
        ("Referral program launched", "launched"),
        ("拜访 30 家重点客户", "拜访"),
    ],
)
def test_activity_instead_of_outcome(text, word):
    hit = next(f for f in single_kr(text) if f.code == "OUT001")
    assert hit.evidence == word and hit.severity is Severity.warning
    assert not codes(single_kr(text)) & {"MEA001", "MEA002"}


@pytest.mark.parametrize(
    "text",
    [
        "完成3款AI芯片迭代，算力提升40%",
        "Launch in 3 markets with activation above 40%",
        "续约率从 80% 提升到 90%",
        "实现秒级发货和秒级备份",
    ],
)
def test_work_with_a_result_measure_is_fine(text):
    assert "OUT001" not in codes(single_kr(text))


@pytest.mark.parametrize(
    ("text", "quantity"),
    [
        ("召开 4 次自动化评审会", "4 次"),
        ("Hold 6 customer interview sessions", "6"),
        ("完成 20 小时培训", "20 小时"),
        ("Conduct 20 customer interviews", "20"),
        ("Run 12 onboarding webinars", "12"),
    ],
)
def test_counting_effort(text, quantity):
    found = single_kr(text)
    hit = next(f for f in found if f.code == "OUT002")
    assert hit.severity is Severity.warning  # raised from info in wave 2: a coach raises effort counts early
    assert quantity.split()[0] in hit.evidence
    assert "OUT001" not in codes(found)


def test_failures_counted_in_times_are_an_outcome():
    assert "OUT002" not in codes(single_kr("线上故障不超过 2 次"))


def test_key_result_repeating_its_objective():
    assert "OUT003" in codes(single_kr("让客户愿意长期留下来"))
    assert "OUT003" not in codes(single_kr("续约率从 80% 提升到 90%"))
