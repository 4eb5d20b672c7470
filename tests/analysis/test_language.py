import pytest

from assistant.analysis.language import detect_language


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("提升 DAU", "zh"),
        ("NPS 从 20 到 35", "zh"),
        ("Improve onboarding by Q3", "en"),
        ("Raise NPS to 40 (目标)", "zh"),
        ("", "en"),
        ("１２３％", "en"),  # full-width digits and signs are not Chinese words
        ("😀 42", "en"),
        ("㐀", "zh"),  # CJK extension A
    ],
)
def test_language(text, lang):
    assert detect_language(text) == lang
