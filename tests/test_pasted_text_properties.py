"""Property: no pasted text, however odd, makes the importers or the engine crash."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.engine import check
from assistant.importers import load_text

LINE = st.one_of(
    st.text(max_size=60),
    st.builds(
        lambda label, text: f"{label}{text}",
        st.sampled_from(
            [
                "# ",
                "O1: ",
                "- KR1: ",
                "目标1：",
                "关键结果2：",
                "Objective: ",
                "KR: ",
                "  - ",
                "负责人: ",
                "Level: ",
                "1. ",
            ]
        ),
        st.text(max_size=40),
    ),
)


@given(st.lists(LINE, max_size=25))
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_pasted_text_never_crashes(lines):
    result = load_text("\n".join(lines), name="pasted")
    findings = check(result.sets)
    for finding in findings:
        assert finding.code and finding.message
    for problem in result.problems:
        assert problem.describe()
