import pytest
from builders import codes, kr, kr_codes, obj_codes, objective, okr_set, run, single_kr

from assistant.config import Config
from assistant.configfile import config_from_mapping


def test_confidence_at_or_above_ninety_is_flagged_on_kr_and_objective():
    found = run(
        okr_set(objective("让客户愿意长期留下来", kr("续约率从 80% 提升到 90%", confidence=95), confidence="100%"))
    )
    assert "CHA001" in kr_codes(found, "O1.KR1")
    assert "CHA001" in obj_codes(found, "O1")
    hit = next(f for f in found if f.code == "CHA001" and f.key_result)
    assert "95" in hit.message


@pytest.mark.parametrize("confidence", [50, 70, 89.9, None])
def test_reasonable_confidence_is_fine(confidence):
    assert "CHA001" not in codes(single_kr("续约率从 80% 提升到 90%", confidence=confidence))


def test_confidence_threshold_is_configurable():
    config = config_from_mapping({"thresholds": {"confidence-high": 80}})
    found = run(
        okr_set(objective("让客户愿意长期留下来", kr("续约率从 80% 提升到 90%", confidence=85))),
        config=config,
    )
    assert "CHA001" in codes(found)


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("保持故障恢复时间在 10 分钟以内", "保持"),
        ("维持市场份额 20%", "维持"),
        ("Maintain churn below 2%", "Maintain"),
        ("Keep NPS above 40", "Keep"),
        ("Uptime remains above 99.9%", "remains"),
        ("Maintains a 4.5 app-store rating", "Maintains"),
    ],
)
def test_status_quo_wording(text, word):
    hit = next(f for f in single_kr(text) if f.code == "CHA002")
    assert hit.evidence == word


@pytest.mark.parametrize("text", ["故障恢复模块稳定性从 99% 提升到 99.9%", "Keeper of the roadmap reaches 5 teams"])
def test_no_status_quo_false_positive(text):
    assert "CHA002" not in codes(single_kr(text))


def test_target_equal_to_baseline_from_fields_and_text():
    assert "CHA003" in codes(single_kr("续约率达到 80%", baseline=80, target=80))
    assert "CHA003" in codes(single_kr("续约率从 80% 提升到 80%"))
    assert "CHA003" in codes(single_kr("Renewal rate from 80% to 80%"))
    assert "CHA003" not in codes(single_kr("续约率从 80% 提升到 90%"))
    # The same number in other units or kinds is a change, not a standstill.
    assert "CHA003" not in codes(single_kr("Refund time from 3 days to 3 hours"))
    assert "CHA003" not in codes(single_kr("客单价从 50 元提升 50%"))


def _scored_set(*scores):
    return okr_set(
        objective(
            "让客户愿意长期留下来",
            *(kr(f"续约率达到 {80 + i}%", score=s, owner="张三") for i, s in enumerate(scores)),
        )
    )


def test_scores_on_percent_scale():
    found = run(_scored_set(100, 65, 40))
    assert "CHA004" in kr_codes(found, "O1.KR1")
    assert not kr_codes(found, "O1.KR2") & {"CHA004", "CHA005"}
    assert "CHA005" in kr_codes(found, "O1.KR3")


def test_scores_on_fraction_and_five_point_scales():
    found = run(_scored_set(1.0, 0.65, 0.3))
    assert "CHA004" in kr_codes(found, "O1.KR1")
    assert "CHA005" in kr_codes(found, "O1.KR3")
    found = run(_scored_set(5, 3.5, 2))
    assert "CHA004" in kr_codes(found, "O1.KR1")
    assert not kr_codes(found, "O1.KR2") & {"CHA004", "CHA005"}
    assert "CHA005" in kr_codes(found, "O1.KR3")


def test_score_scale_setting_overrides_detection():
    # 1 on the five-point scale is "not achieved at all", not 100%.
    found = run(_scored_set(1, 1), config=Config(score_scale="five"))
    assert {f.code for f in found if f.code.startswith("CHA")} == {"CHA005"}
