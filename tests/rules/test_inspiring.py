import pytest
from builders import obj_codes, objective, okr_set, run

from assistant.findings import Severity


def _objective_codes(text: str) -> set[str]:
    return obj_codes(
        run(okr_set(objective(text, "续约率从 80% 提升到 90%", "NPS 从 20 提升到 35", owner="张三"))), "O1"
    )


@pytest.mark.parametrize(
    "text",
    [
        "运维自动化率达到60%",
        "提升数据安全性至 99.99%",
        "Increase trial conversion to 12%",
        "Revenue above $2M",
        "DAU 突破 100 万",
    ],
)
def test_metric_objective(text):
    assert "INS001" in _objective_codes(text)


@pytest.mark.parametrize(
    "text",
    [
        "产品与平台性能超越竞品，成为国内第一",
        "Become the tool OKR coaches reach for first",
        "产品自治能力全面达到 level 2",
    ],
)
def test_direction_is_not_a_metric(text):
    assert "INS001" not in _objective_codes(text)


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("完成支付系统重构", "完成"),
        ("上线新版 App", "上线"),
        ("Launch the partner portal", "Launch"),
        ("Hold quarterly reviews", "Hold"),
    ],
)
def test_task_objective(text, word):
    found = run(okr_set(objective(text, "续约率从 80% 提升到 90%", "NPS 从 20 提升到 35", owner="张三")))
    hit = next(f for f in found if f.code == "INS002")
    assert hit.evidence == word and hit.severity is Severity.warning


def test_verb_in_the_middle_is_not_a_task():
    assert "INS002" not in _objective_codes("让新客户在一周内完成首次部署并看到价值")


@pytest.mark.parametrize("text", ["追求卓越", "做到最好", "再创辉煌，勇攀高峰", "Be the best", "Strive for excellence"])
def test_empty_slogan(text):
    assert "INS003" in _objective_codes(text)


@pytest.mark.parametrize(
    "text",
    ["打造公司年度质量最好的产品", "成为中小商家首选的电商 SaaS", "Be the best place for new engineers"],
)
def test_concrete_objective_is_not_a_slogan(text):
    assert "INS003" not in _objective_codes(text)


def test_long_objective():
    long_zh = (
        "通过全面升级客户成功体系、重构交付流程、引入自动化运维工具以及建立跨部门协作机制来提升整体客户满意度和续约率"
    )
    assert "INS004" in _objective_codes(long_zh)
    long_en = " ".join(["customers"] * 30)
    assert "INS004" in _objective_codes(long_en)
    assert "INS004" not in _objective_codes("让客户愿意长期留下来")
