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
