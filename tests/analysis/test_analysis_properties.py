"""No text makes the analysis or the whole engine crash, and spans always point into the text."""

from builders import kr, objective, okr_set, run
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.analysis.quantities import analyse_quantities
from assistant.analysis.timebounds import find_timebound

# Unicode at large, plus the characters the parsers care about, so the interesting paths are hit often.
TEXT = st.one_of(
    st.text(max_size=80),
    st.text(
        alphabet="0123456789.,%％个倍百分之点从到至原≤<>以内上线完成提升优化"
        "KR O月日年季度Q3H 十百千万亿两三一五九 by to from",
        max_size=60,
    ),
)


@given(TEXT)
@settings(max_examples=400, deadline=None)
def test_analysis_never_raises_and_spans_fit(text):
    facts = analyse_quantities(text)
    for q in facts.quantities:
        assert 0 <= q.span[0] <= q.span[1] <= len(text)
        assert text[q.span[0] : q.span[1]] == q.text
    bound = find_timebound(text)
    if bound:
        assert text[bound.span[0] : bound.span[1]] == bound.text


@given(TEXT, TEXT, st.one_of(st.none(), TEXT))
@settings(max_examples=200, deadline=None)
def test_engine_never_raises(o_text, kr_text, owner):
    findings = run(okr_set(objective(o_text or "x", kr(kr_text or "y", owner=owner), owner=owner)))
    for finding in findings:
        assert finding.message and finding.fix and finding.code
