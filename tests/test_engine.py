import pytest
from builders import codes, kr, objective, okr_set, run

from assistant.config import Config, config_from_mapping
from assistant.engine import suppressed_codes
from assistant.findings import Dimension, Severity
from assistant.rules import REGISTRY
from assistant.rules.catalogue import rules


def test_every_rule_in_the_table_is_implemented_and_vice_versa():
    assert set(REGISTRY) == set(rules())


def test_every_rule_has_a_note_id_and_both_languages():
    # That the notes exist is checked against knowledge/ in tests/knowledge/test_bundled_notes.py.
    for info in rules().values():
        assert info.note, info.code
        for lang in ("zh", "en"):
            assert info.title[lang] and info.message[lang] and info.fix[lang], (info.code, lang)


def test_seven_dimensions_each_have_several_rules():
    per_dimension = {d: [i for i in rules().values() if i.dimension is d] for d in Dimension}
    assert all(len(v) >= 3 for v in per_dimension.values()), {d: len(v) for d, v in per_dimension.items()}


BAD_SET = okr_set(
    objective(
        "运维自动化率达到60%",
        kr("平台性能优化", note="okr-review: ignore MEA002"),
        kr("参数调优"),
        confidence=95,
    ),
    team="平台组",
)


def test_findings_carry_everything_a_report_needs():
    found = run(BAD_SET)
    hit = next(f for f in found if f.code == "MEA002")
    assert hit.key_result == "O1.KR2" and hit.objective == "O1" and hit.set_key == "平台组 2025Q3"
    assert hit.dimension is Dimension.measurable and hit.severity is Severity.error
    assert hit.evidence == "调优" and hit.note == "measurable-kr"
    assert "调优" in hit.message and hit.fix
    assert hit.to_dict()["key_result"] == "O1.KR2"


def test_inline_suppression():
    found = run(BAD_SET)
    assert "MEA002" not in {f.code for f in found if f.key_result == "O1.KR1"}
    assert suppressed_codes("okr-review: ignore") == frozenset({"*"})
    assert suppressed_codes("说明 okr-review：ignore MEA001, OUT001") == {"MEA001", "OUT001"}
    assert suppressed_codes("nothing here") == frozenset()
    silenced = okr_set(objective("让客户满意", kr("平台性能优化", note="okr-review: ignore")))
    assert not [f for f in run(silenced) if f.key_result]


def test_select_and_ignore_by_code_prefix_and_dimension():
    only_measurable = run(BAD_SET, config=Config(select=("measurable",)))
    assert {f.dimension for f in only_measurable} == {Dimension.measurable}
    no_cha = run(BAD_SET, config=Config(ignore=("CHA",)))
    assert not [f for f in no_cha if f.code.startswith("CHA")]
    one = run(BAD_SET, config=Config(select=("INS001",)))
    assert codes(one) == {"INS001"}


def test_severity_override():
    config = config_from_mapping({"severity": {"MEA002": "info"}})
    assert all(f.severity is Severity.info for f in run(BAD_SET, config=config) if f.code == "MEA002")


def test_language_of_messages_follows_text_or_setting():
    zh = next(f for f in run(BAD_SET) if f.code == "MEA002")
    en_set = okr_set(objective("Keep customers", kr("Improve onboarding", owner="Ann"), owner="Bo"))
    en = next(f for f in run(en_set) if f.code == "MEA002")
    assert "提升到多少" in zh.message or "方向" in zh.message
    assert "direction" in en.message
    forced = next(f for f in run(BAD_SET, language="en") if f.code == "MEA002")
    assert "direction" in forced.message


def test_order_is_stable_set_objective_kr_code():
    found = run(BAD_SET)
    keys = [(f.objective or "", f.key_result or "") for f in found]
    assert keys == sorted(keys, key=lambda k: (k[0] != "", k[0], k[1] != "", k[1]))
    assert found == run(BAD_SET)


@pytest.mark.parametrize("text", ["", " ", "\x00", "KR", "%", "<script>alert(1)</script>", "1" * 5000])
def test_odd_texts_do_not_crash(text):
    run(okr_set(objective(text or "x", kr(text or "y"))))
