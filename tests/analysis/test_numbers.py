import pytest

from assistant.analysis.numbers import parse_number


@pytest.mark.parametrize(
    ("token", "value"),
    [
        ("0.3", 0.3),
        ("1,000", 1000),
        ("1.5万", 15000),
        ("15k", 15000),
        ("2M", 2e6),
        ("３０", 30),
        ("三", 3),
        ("十二", 12),
        ("二十五", 25),
        ("一百零五", 105),
        ("两万", 20000),
        ("1.5亿", 1.5e8),
        ("三千", 3000),
        ("一万两千", 12000),
        ("十", 10),
    ],
)
def test_numbers(token, value):
    assert parse_number(token) == pytest.approx(value)


@pytest.mark.parametrize("token", ["", "五四", "万一", "统一", "abc", "1.2.3", "KR2"])
def test_not_numbers(token):
    assert parse_number(token) is None
