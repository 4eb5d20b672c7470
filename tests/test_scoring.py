import pytest

from assistant.scoring import Band, Scale, band, detect_scale, from_percent, summarise, to_percent


@pytest.mark.parametrize(
    ("scores", "scale"),
    [
        ([0.7, 1.0, 0.3], Scale.fraction),
        ([70, 100, 30], Scale.percent),
        ([3.5, 5, 2], Scale.five),
        ([], Scale.fraction),
    ],
)
def test_detect_scale(scores, scale):
    assert detect_scale(scores) is scale


@pytest.mark.parametrize(
    ("score", "scale", "percent"),
    [
        (0.65, Scale.fraction, 65),
        (65, Scale.percent, 65),
        (1, Scale.five, 0),
        (5, Scale.five, 100),
        (3, Scale.five, 50),
        (120, Scale.percent, 100),
        (-1, Scale.fraction, 0),
    ],
)
def test_to_percent(score, scale, percent):
    assert to_percent(score, scale) == percent


def test_round_trip_to_other_scales():
    for scale in Scale:
        assert to_percent(from_percent(65, scale), scale) == pytest.approx(65)


@pytest.mark.parametrize(
    ("percent", "expected"),
    [
        (100, Band.conservative),
        (75, Band.high),
        (70, Band.healthy),
        (60, Band.healthy),
        (55, Band.low),
        (49.9, Band.analyse),
    ],
)
def test_bands(percent, expected):
    assert band(percent) is expected


def test_summary():
    summary = summarise([100, 65, 40, 62])
    assert summary.count == 4 and summary.mean == pytest.approx(66.75)
    assert summary.bands[Band.healthy] == 2 and summary.bands[Band.analyse] == 1


def test_the_scale_setting_wins_over_detection():
    from assistant.config import Config
    from assistant.model import KeyResult, Objective, OKRSet
    from assistant.scoring import resolve_scale, scored_key_results, set_scale

    assert resolve_scale([0.3, 1.0]) is Scale.fraction and resolve_scale([0.3, 1.0], "percent") is Scale.percent
    assert resolve_scale([70], Scale.five) is Scale.five
    okr = OKRSet(
        team="T", objectives=[Objective(id="O1", text="o", key_results=[KeyResult(id="KR1", text="k", score=1)])]
    )
    assert set_scale(okr, Config()) is Scale.fraction  # 1 on its own reads as 0–1
    assert set_scale(okr, Config(score_scale="five")) is Scale.five
    assert [p for _, _, p in scored_key_results(okr, Config(), "percent")] == [1.0]
