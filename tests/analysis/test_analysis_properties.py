"""No text makes the analysis or the whole engine crash, and spans always point into the text."""

import math

from builders import kr, objective, okr_set, run
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.analysis.language import detect_language
from assistant.analysis.numbers import parse_number
from assistant.analysis.quantities import analyse_quantities, find_quantities
from assistant.analysis.timebounds import find_timebound

# Fragments the scanners care about, so that random texts reach their deeper paths.
FRAGMENTS = [
    *"0123456789０１２３４５６７８９.,%％‰+-/:×x $¥",
    *"零〇一二两三四五六七八九十百千万亿个倍成半级内前第周每年月日号季度",
    "百分之",
    "个百分点",
    "个 9",
    "毫秒",
    "以内",
    "以上",
    "不超过",
    "至少",
    "从",
    "提升至",
    "原",
    "（",
    "）",
    "翻倍",
    "秒级",
    "Q3",
    "H1",
    "FY",
    "EOY",
    " by ",
    " from ",
    " to ",
    " at least ",
    " or more",
    " within ",
    " end of ",
    " the ",
    " June ",
    " percent",
    " double",
    " half",
    " two ",
    " users",
    " level ",
    "k",
    "M",
    "İ",
    "ß",
    "\n",
]
TEXT = st.one_of(
    st.text(max_size=80),
    st.lists(st.sampled_from(FRAGMENTS), max_size=25).map("".join),
    st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=3)), max_size=20).map("".join),
)
KINDS = {"number", "percent", "points", "multiple", "magnitude"}
COMPARATORS = {None, "<=", "<", ">=", ">", "="}
BOUND_KINDS = {"date", "month", "quarter", "half", "year", "relative", "recurring"}


@given(TEXT)
@settings(max_examples=1500, deadline=None)
def test_analysis_never_raises_and_spans_fit(text):
    found = find_quantities(text)
    facts = analyse_quantities(text)
    assert facts.quantities == found
    assert analyse_quantities(text, found) == facts
    previous = -1
    for q in found:
        assert 0 <= q.span[0] < q.span[1] <= len(text)
        assert text[q.span[0] : q.span[1]] == q.text
        assert q.span[0] >= previous
        previous = q.span[0]
        assert q.kind in KINDS and q.comparator in COMPARATORS and (math.isfinite(q.value) or q.placeholder)
    for role in (facts.baseline, facts.target, facts.relative_change):
        assert role is None or role in found
    assert facts.has_target == (facts.target is not None or facts.relative_change is not None)
    bound = find_timebound(text)
    if bound is not None:
        assert bound.kind in BOUND_KINDS
        assert 0 <= bound.span[0] < bound.span[1] <= len(text)
        assert text[bound.span[0] : bound.span[1]] == bound.text
    assert detect_language(text) in ("zh", "en")


@given(TEXT)
@settings(max_examples=500, deadline=None)
def test_parse_number_never_raises(text):
    value = parse_number(text)
    assert value is None or math.isfinite(value)


@given(TEXT, TEXT, st.one_of(st.none(), TEXT))
@settings(max_examples=200, deadline=None)
def test_engine_never_raises(o_text, kr_text, owner):
    findings = run(okr_set(objective(o_text or "x", kr(kr_text or "y", owner=owner), owner=owner)))
    for finding in findings:
        assert finding.message and finding.fix and finding.code
