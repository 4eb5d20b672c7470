"""Check-in analysis: statuses against the time line, findings CHK001–CHK011, weights, in both languages."""

from __future__ import annotations

from datetime import date

import pytest
from checkin_helpers import END, MIDDLE, START, in_language, kr, one_set

from assistant.checkin import analyse_checkins, kr_progress
from assistant.checkin.texts import codes, status_label
from assistant.config import Config, default_thresholds
from assistant.configfile import load_config
from assistant.model import CheckIn, Objective, OKRSet

LANGS = ("zh", "en")


def status_of(okr_set: OKRSet, day: date, language: str = "zh") -> str:
    review = analyse_checkins([okr_set], day, language=language)
    return review.sets[0].key_results()[0].status


def codes_of(okr_set: OKRSet, day: date, language: str = "zh") -> list[str]:
    return [f.code for f in analyse_checkins([okr_set], day, language=language).findings]


# ---------------------------------------------------------------- every status at cycle start, middle and end

CASES = [
    # (day, KR fields, status)
    (START, {"progress": 0, "updated": START}, "on_track"),
    (START, {"progress": 100, "updated": START}, "done_early"),
    (START, {"progress": 5, "updated": date(2025, 6, 10)}, "stale"),
    (START, {"updated": START}, "no_data"),
    (MIDDLE, {"progress": 45, "updated": MIDDLE}, "on_track"),  # 4.5 points behind 49.5
    (MIDDLE, {"progress": 35, "updated": MIDDLE}, "at_risk"),  # 14.5 behind
    (MIDDLE, {"progress": 20, "updated": MIDDLE}, "off_track"),  # 29.5 behind
    (MIDDLE, {"progress": 45, "updated": date(2025, 7, 31)}, "stale"),  # 15 days
    (MIDDLE, {"progress": 100, "updated": MIDDLE}, "done_early"),
    (MIDDLE, {"updated": MIDDLE}, "no_data"),
    (END, {"progress": 95, "updated": END}, "on_track"),
    (END, {"progress": 100, "updated": END}, "on_track"),  # done on time is not "early"
    (END, {"progress": 85, "updated": END}, "at_risk"),
    (END, {"progress": 60, "updated": END}, "off_track"),
    (END, {"progress": 60, "updated": date(2025, 9, 1)}, "stale"),
]


@pytest.mark.parametrize("language", LANGS)
@pytest.mark.parametrize(("day", "fields", "status"), CASES)
def test_every_status_at_start_middle_and_end(day, fields, status, language):
    okr_set = one_set(kr(**fields))
    review = analyse_checkins([okr_set], day, language=language)
    found = review.sets[0].key_results()[0]
    assert found.status == status
    assert in_language(status_label(found.status, language), language)
    for finding in review.findings:
        assert in_language(finding.message, language) or finding.code in ("CHK003",)
        assert in_language(finding.fix, language)


def test_expected_progress_follows_the_elapsed_share_of_the_cycle():
    okr_set = one_set(kr(progress=10, updated=START))
    assert analyse_checkins([okr_set], START).sets[0].key_results()[0].expected == 0
    middle = analyse_checkins([okr_set], MIDDLE).sets[0]
    assert middle.key_results()[0].expected == pytest.approx(45 / 91 * 100)
    assert middle.elapsed == pytest.approx(45 / 91 * 100)
    assert analyse_checkins([okr_set], END).sets[0].key_results()[0].expected == 100


def test_a_due_date_before_the_cycle_end_is_the_krs_own_time_line():
    okr_set = one_set(kr(progress=60, updated=MIDDLE, due=date(2025, 8, 15)))
    found = analyse_checkins([okr_set], MIDDLE).sets[0].key_results()[0]
    assert found.expected == 100 and found.status == "off_track"


def test_without_a_cycle_progress_cannot_be_set_against_time_but_staleness_still_counts():
    assert status_of(one_set(kr(progress=20, updated=MIDDLE), cycle=None), MIDDLE) == "unknown"
    assert status_of(one_set(kr(progress=20, updated=START), cycle=None), MIDDLE) == "stale"


def test_cycle_end_alone_gives_a_quarter():
    okr_set = one_set(kr(progress=20, updated=MIDDLE), cycle=None).model_copy(update={"cycle_end": END})
    assert status_of(okr_set, MIDDLE) == "off_track"


def test_progress_is_computed_from_the_current_value_against_baseline_and_target():
    assert kr_progress(kr(baseline=20, target=35, current=27)) == pytest.approx(46.7)
    assert kr_progress(kr(baseline=3, target=1.5, current=2.4)) == pytest.approx(40.0)  # a metric that goes down
    assert kr_progress(kr(target=200, current=50)) == 25  # no baseline: from zero
    assert kr_progress(kr(progress=30, baseline=20, target=35, current=35)) == 30  # reported progress wins
    assert kr_progress(kr(baseline=10, target=10, current=12)) is None
    assert kr_progress(kr(baseline=20, target=35, current=50)) == 100  # past the target: capped


# ---------------------------------------------------------------- every finding, both languages

FINDINGS = {
    "CHK001": (MIDDLE, one_set(kr(progress=35, updated=MIDDLE))),
    "CHK002": (MIDDLE, one_set(kr(progress=20, updated=MIDDLE))),
    "CHK003": (MIDDLE, one_set(kr(progress=45, updated=date(2025, 7, 31)))),
    "CHK004": (MIDDLE, one_set(kr(progress=100, updated=MIDDLE))),
    "CHK005": (
        MIDDLE,
        one_set(
            kr(progress=45, confidence=50, updated=MIDDLE, history=[CheckIn(date=date(2025, 7, 28), confidence=70)])
        ),
    ),
    "CHK006": (date(2025, 8, 20), one_set(kr(progress=50, confidence=40, updated=MIDDLE))),  # 54.9% elapsed
    "CHK007": (
        MIDDLE,
        one_set(kr(1, progress=45, updated=MIDDLE, weight=60), kr(2, progress=45, updated=MIDDLE, weight=30)),
    ),
    "CHK009": (
        MIDDLE,
        one_set(kr(progress=100, updated=MIDDLE, history=[CheckIn(date=date(2025, 7, 28), progress=0)])),
    ),
    "CHK010": (MIDDLE, one_set(kr(updated=MIDDLE))),
    "CHK011": (
        MIDDLE,
        one_set(
            kr(progress=20, updated=MIDDLE, dependencies=[{"team": "设计部", "point": "改版稿", "status": "有疑问"}])
        ),
    ),
}
FINDINGS["CHK008"] = (
    MIDDLE,
    OKRSet(
        team="增长部",
        cycle="2025Q3",
        objectives=[
            Objective(id="O1", text="甲", weight=50, key_results=[kr(progress=45, updated=MIDDLE)]),
            Objective(id="O2", text="乙", weight=40, key_results=[kr(progress=45, updated=MIDDLE)]),
        ],
    ),
)


def test_every_code_in_the_table_has_a_case():
    assert set(FINDINGS) == set(codes())


@pytest.mark.parametrize("language", LANGS)
@pytest.mark.parametrize("code", sorted(FINDINGS))
def test_every_finding_in_both_languages(code, language):
    day, okr_set = FINDINGS[code]
    review = analyse_checkins([okr_set], day, language=language)
    found = [f for f in review.findings if f.code == code]
    assert len(found) == 1, [f.code for f in review.findings]
    finding = found[0]
    assert finding.severity.value == codes()[code]["severity"]
    assert finding.note == codes()[code]["note"]
    assert in_language(finding.fix, language)
    if language == "zh":
        assert in_language(finding.message, "zh")
    else:
        own = finding.message
        for user_text in ("增长部", "设计部", "改版稿"):  # names and points are the user's own text
            own = own.replace(user_text, "")
        assert in_language(own, "en"), finding.message
    if "question" in codes()[code]:
        assert finding.question and "王磊" in finding.question
    assert finding.to_dict()["code"] == code


def test_no_finding_for_a_healthy_kr():
    okr_set = one_set(
        kr(1, progress=45, confidence=60, updated=MIDDLE, weight=50), kr(2, progress=50, updated=MIDDLE, weight=50)
    )
    assert codes_of(okr_set, MIDDLE) == []


def test_confidence_below_half_only_after_mid_cycle():
    early = one_set(kr(progress=20, confidence=40, updated=date(2025, 7, 20)))
    assert "CHK006" not in codes_of(early, date(2025, 7, 20))
    assert "CHK006" in codes_of(one_set(kr(progress=90, confidence=40, updated=END)), END)


def test_a_small_confidence_dip_is_not_a_drop():
    okr_set = one_set(
        kr(progress=45, confidence=60, updated=MIDDLE, history=[CheckIn(date=date(2025, 7, 28), confidence=75)])
    )
    assert "CHK005" not in codes_of(okr_set, MIDDLE)


def test_steady_progress_is_not_a_task_in_disguise():
    okr_set = one_set(
        kr(
            progress=100,
            updated=MIDDLE,
            history=[CheckIn(date=date(2025, 7, 14), progress=0), CheckIn(date=date(2025, 7, 28), progress=40)],
        )
    )
    assert "CHK009" not in codes_of(okr_set, MIDDLE)


def test_an_accepted_handshake_blocks_nothing():
    okr_set = one_set(kr(progress=20, updated=MIDDLE, dependencies=[{"team": "设计部", "status": "认同"}]))
    assert "CHK011" not in codes_of(okr_set, MIDDLE)


def test_weights_that_sum_to_100_pass_and_weighted_progress_uses_them():
    okr_set = one_set(kr(1, progress=80, updated=MIDDLE, weight=75), kr(2, progress=40, updated=MIDDLE, weight=25))
    review = analyse_checkins([okr_set], MIDDLE)
    assert "CHK007" not in [f.code for f in review.findings]
    assert review.sets[0].objectives[0].progress == pytest.approx(70)
    assert review.sets[0].progress == pytest.approx(70)


def test_without_weights_objective_progress_is_the_mean():
    okr_set = one_set(kr(1, progress=80, updated=MIDDLE), kr(2, progress=40, updated=MIDDLE))
    assert analyse_checkins([okr_set], MIDDLE).sets[0].objectives[0].progress == pytest.approx(60)


def test_thresholds_come_from_the_config():
    okr_set = one_set(kr(progress=35, updated=MIDDLE))  # 14.5 points behind
    assert status_of(okr_set, MIDDLE) == "at_risk"
    looser = Config().with_options(thresholds={**default_thresholds(), "checkin-at-risk-gap": 20})
    assert analyse_checkins([okr_set], MIDDLE, config=looser).sets[0].key_results()[0].status == "on_track"
    stricter = Config().with_options(thresholds={**default_thresholds(), "checkin-stale-days": 7})
    stale = one_set(kr(progress=45, updated=date(2025, 8, 5)))
    assert analyse_checkins([stale], MIDDLE, config=stricter).sets[0].key_results()[0].status == "stale"
    assert status_of(stale, MIDDLE) == "on_track"


def test_json_shape():
    review = analyse_checkins([one_set(kr(progress=35, updated=MIDDLE))], MIDDLE, language="en")
    data = review.to_dict()
    assert data["as_of"] == "2025-08-15" and data["sets"][0]["cycle_start"] == "2025-07-01"
    assert data["sets"][0]["counts"] == {"at_risk": 1}
    assert data["sets"][0]["objectives"][0]["key_results"][0]["trend"] == [{"date": "2025-08-15", "progress": 35.0}]


def test_thresholds_from_a_settings_file(tmp_path):

    settings = tmp_path / "pyproject.toml"
    settings.write_text("[tool.okr-review.thresholds]\ncheckin-stale-days = 7\ncheckin-off-track-gap = 40\n")
    config = load_config(settings)
    stale = one_set(kr(progress=20, updated=date(2025, 8, 5)))  # 10 days old, 29.5 points behind
    assert analyse_checkins([stale], MIDDLE, config=config).sets[0].key_results()[0].status == "stale"
    fresh = one_set(kr(progress=20, updated=MIDDLE))
    assert analyse_checkins([fresh], MIDDLE, config=config).sets[0].key_results()[0].status == "at_risk"
