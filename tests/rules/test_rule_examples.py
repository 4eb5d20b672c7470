"""The good and bad examples of data/rules.toml, run through the engine (the Ruff habit: docs that are tests).

Every bad example must make its rule fire on the item it is about, with the message in the example's
language; every good example must leave the rule quiet there. Set and batch rules, whose examples are
whole organisations, keep theirs in test_rule_matrix.py; together every rule has a bad and a good case
in each language.
"""

from __future__ import annotations

from collections import Counter

import pytest
from builders import run
from test_rule_matrix import CASES as STRUCTURAL_CASES

from assistant.analysis.language import detect_language
from assistant.model import OKRSet
from assistant.rules import REGISTRY
from assistant.rules.catalogue import CatalogueError, Example, rules, tagged

EXAMPLES = [
    pytest.param(code, example, bad, id=f"{code}-{example.language}-{'bad' if bad else 'good'}-{n}")
    for code, info in rules().items()
    for bad, examples in ((True, info.bad), (False, info.good))
    for n, example in enumerate(examples, 1)
]


def _here(code: str, example: Example) -> list:
    okr_set = OKRSet.model_validate(example.document())
    objective, kr = example.location
    return [f for f in run(okr_set) if f.code == code and f.objective == objective and f.key_result == kr]


@pytest.mark.parametrize(("code", "example", "bad"), EXAMPLES)
def test_rule_example(code: str, example: Example, bad: bool) -> None:
    here = _here(code, example)
    if bad:
        assert here, f"{code} should fire on {example.text!r}"
        assert all(detect_language(f.message) == example.language for f in here), [f.message for f in here]
    else:
        assert not here, [f.message for f in here]


def test_every_rule_has_a_bad_and_a_good_case_in_each_language() -> None:
    table = Counter((case.code, case.lang, case.fire) for case in STRUCTURAL_CASES)
    for code, info in rules().items():
        for example in info.bad:
            table[code, example.language, True] += 1
        for example in info.good:
            table[code, example.language, False] += 1
    assert {code for code, _, _ in table} == set(REGISTRY)
    missing = [
        (code, lang, "bad" if bad else "good")
        for code in REGISTRY
        for lang in ("zh", "en")
        for bad in (True, False)
        if table[code, lang, bad] < 1
    ]
    assert not missing


def test_an_example_of_the_wrong_rule_is_caught() -> None:
    """The examples test what they claim: a rule's bad example run against another rule's code stays quiet."""
    example = rules()["CHA001"].bad[0]  # a confidence of 95%: nothing wrong with its wording
    assert _here("CHA001", example) and not _here("MEA001", example)


def test_tags_name_existing_rules_and_unknown_tags_fail() -> None:
    assert tagged("hidden-while-drafting") <= set(REGISTRY)
    assert all(rules()[code].dimension.value == "owned" for code in tagged("hidden-while-drafting"))
    assert all(rules()[code].map_flag for code in tagged("map"))
    with pytest.raises(CatalogueError, match="unknown rule tag"):
        tagged("wordnig")
