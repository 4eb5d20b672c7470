import pytest

from assistant.analysis.numbers import parse_chinese, parse_number


@pytest.mark.parametrize(
    ("token", "value"),
    [
        ("0.3", 0.3),
        ("60", 60),
        ("1,000", 1000),
        ("12,345.6", 12345.6),
        (".5", 0.5),
        ("1.5万", 15000),
        ("1.5 万", 15000),
        ("3千万", 3e7),
        ("1,000万", 1e7),
        ("3k", 3000),
        ("15K", 15000),
        ("2M", 2e6),
        ("10w", 1e5),  # w stands for 万 in Chinese shorthand
        ("1.5W", 15000),
        ("3 million", 3e6),
        ("1.2 billion", 1.2e9),
        ("３０", 30),
        ("３０.５", 30.5),
        ("三", 3),
        ("两", 2),
        ("十", 10),
        ("十二", 12),
        ("二十五", 25),
        ("一百零五", 105),
        ("三千", 3000),
        ("百", 100),
        ("两万", 20000),
        ("一万两千", 12000),
        ("1.5亿", 1.5e8),
        ("三亿五千万", 3.5e8),
        ("零", 0),
        ("〇", 0),
        ("two", 2),
        ("Twenty", 20),
        ("twenty-five", 25),
        ("a dozen", 12),
        ("two dozen", 24),
        ("two hundred five", 205),
        ("one hundred and five", 105),
    ],
)
def test_numbers(token, value):
    assert parse_number(token) == pytest.approx(value)


@pytest.mark.parametrize(
    "token",
    [
        "",
        " ",
        "五四",
        "万",
        "万一",
        "统一",
        "abc",
        "1.2.3",
        "1,00",
        "KR2",
        "O1",
        "2m",
        "nan",
        "inf",
        "1e5",
        "-",
        "two three",
    ],
)
def test_not_numbers(token):
    assert parse_number(token) is None


def test_leading_and_trailing_spaces_are_ignored():
    assert parse_number(" 42 ") == 42


def test_parse_chinese_accepts_digits_before_units():
    assert parse_chinese("3千") == 3000
    assert parse_chinese("") is None


@pytest.mark.parametrize("token", ["1" * 400, "9" * 320 + "亿", "一" + "亿" * 50, "1" * 400 + "k"])
def test_values_too_large_for_a_float_are_not_numbers(token):
    assert parse_number(token) is None
