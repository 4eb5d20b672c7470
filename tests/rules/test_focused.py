from builders import codes, kr, objective, okr_set, run

from assistant.configfile import config_from_mapping
from assistant.findings import Severity

GOOD_KRS = ("续约率从 80% 提升到 90%", "投诉量从每月 40 单降到 20 单以内", "NPS 从 20 提升到 35")


def test_five_objectives_are_allowed_six_are_not():
    five = okr_set(*(objective(f"让第{i}类客户满意", *GOOD_KRS) for i in range(5)))
    assert "FOC001" not in codes(run(five))
    six = okr_set(*(objective(f"让第{i}类客户满意", *GOOD_KRS) for i in range(6)))
    hit = next(f for f in run(six) if f.code == "FOC001")
    assert hit.severity is Severity.error
    assert hit.objective is None and hit.evidence == "O6"


def test_four_key_results_allowed_five_are_not():
    assert "FOC002" not in codes(run(okr_set(objective("Customers stay for years", *GOOD_KRS, "Churn below 2%"))))
    found = run(okr_set(objective("Customers stay for years", *GOOD_KRS, "Churn below 2%", "NRR above 110%")))
    hit = next(f for f in found if f.code == "FOC002")
    assert hit.objective == "O1" and hit.evidence == "O1.KR5"
    assert "5" in hit.message and "4" in hit.message


def test_objective_without_key_results():
    found = run(okr_set(objective("让客户愿意长期留下来", *GOOD_KRS), objective("追求卓越")))
    assert "FOC003" in {f.code for f in found if f.objective == "O2"}
    assert "FOC004" not in codes(found)


def test_single_key_result_is_a_hint():
    found = run(okr_set(objective("让客户愿意长期留下来", "续约率从 80% 提升到 90%")))
    hit = next(f for f in found if f.code == "FOC004")
    assert hit.severity is Severity.info


def test_individual_level_suggests_four_objectives():
    five = okr_set(*(objective(f"让第{i}类客户满意", *GOOD_KRS) for i in range(5)), level="个人")
    hit = next(f for f in run(five) if f.code == "FOC005")
    assert "个人" in hit.message
    assert "FOC005" not in codes(
        run(okr_set(*(objective(f"客户{i}满意", *GOOD_KRS) for i in range(4)), level="individual"))
    )
    team = okr_set(*(objective(f"让第{i}类客户满意", *GOOD_KRS) for i in range(5)), level="team")
    assert "FOC005" not in codes(run(team))


def test_level_limits_and_thresholds_are_configurable():
    config = config_from_mapping({"thresholds": {"max-key-results": 3}, "levels": {"team": 2}})
    found = run(
        okr_set(*(objective(f"让第{i}类客户满意", *GOOD_KRS, "Churn below 2%") for i in range(3)), level="team"),
        config=config,
    )
    assert "FOC002" in codes(found) and "FOC005" in codes(found)


def test_empty_set():
    assert "FOC006" in codes(run(okr_set()))


def test_level_name_in_english_messages():
    five = okr_set(
        *(objective(f"Delight customer segment {i}", kr("NPS above 40")) for i in range(5)),
        level="individual",
    )
    hit = next(f for f in run(five) if f.code == "FOC005")
    assert "individual" in hit.message
