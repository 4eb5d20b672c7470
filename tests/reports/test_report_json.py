"""The JSON report: versioned, keys in a fixed order, counts from Review.summary(), valid per the schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from report_samples import english_review, make_review

from assistant.findings import Dimension, Finding, Severity
from assistant.model import KeyResult, Objective, OKRSet, SourceRef
from assistant.reports import render
from assistant.review import Review

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "docs" / "report.schema.json"
TOP_KEYS = [
    "schema",
    "version",
    "tool",
    "generated_at",
    "language",
    "inputs",
    "summary",
    "sets",
    "findings",
    "notes",
    "problems",
]


@pytest.fixture(scope="module")
def schema() -> dict:
    loaded = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(loaded)
    return loaded


def validate(document: object, schema: dict) -> list[str]:
    """Every violation, as ``path: message`` (empty: valid)."""
    errors = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER).iter_errors(document)
    return [f"{error.json_path}: {error.message}" for error in errors]


def test_top_level_keys_version_and_header(review: Review) -> None:
    doc = json.loads(render(review, "json"))
    assert list(doc) == TOP_KEYS
    assert doc["schema"] == "okr-review/report"
    assert doc["version"] == 1
    assert doc["tool"] == {"name": "okr-review", "version": review.tool_version}
    assert doc["generated_at"] == "2026-11-22T09:30:00+00:00"
    assert doc["language"] == "zh"
    assert doc["inputs"] == review.inputs


def test_summary_counts_and_key_order(review: Review) -> None:
    summary = json.loads(render(review, "json"))["summary"]
    assert list(summary) == [
        "sets",
        "objectives",
        "key_results",
        "findings",
        "by_severity",
        "by_dimension",
        "by_code",
        "per_set",
        "input_errors",
        "input_warnings",
    ]
    assert (summary["sets"], summary["objectives"], summary["key_results"], summary["findings"]) == (
        3,
        10,
        16,
        16,
    )
    assert summary["by_severity"] == {"error": 6, "warning": 7, "info": 3}
    assert list(summary["by_dimension"]) == [d.value for d in Dimension]
    assert summary["by_dimension"] == {
        "challenging": 2,
        "focused": 3,
        "aligned": 1,
        "measurable": 4,
        "owned": 3,
        "inspiring": 1,
        "outcome": 2,
    }
    assert list(summary["by_code"]) == sorted(summary["by_code"])
    assert summary["by_code"]["MEA002"] == 1
    assert sum(summary["by_code"].values()) == 16
    assert (summary["input_errors"], summary["input_warnings"]) == (1, 1)
    rd, market, company = summary["per_set"]
    assert rd["key"] == "研发中心 2025Q3" and rd["level"] == "team"
    assert (rd["objectives"], rd["key_results"], rd["findings"]) == (3, 5, 10)
    assert rd["by_severity"] == {"error": 3, "warning": 6, "info": 1}
    assert market["by_dimension"]["focused"] == 2
    assert company["findings"] == 0
    assert company["by_dimension"] == dict.fromkeys((d.value for d in Dimension), 0)


def test_findings_and_problems_round_trip_to_dicts(review: Review) -> None:
    doc = json.loads(render(review, "json"))
    assert doc["findings"] == [f.to_dict() for f in review.findings]
    assert list(doc["findings"][0]) == list(review.findings[0].to_dict())
    assert doc["problems"] == [p.to_dict() for p in review.problems]


def test_sets_outline(review: Review) -> None:
    sets = json.loads(render(review, "json"))["sets"]
    assert [s["key"] for s in sets] == ["研发中心 2025Q3", "市场部 2025Q3", "公司 2025Q3"]
    rd = sets[0]
    assert list(rd) == ["key", "team", "cycle", "level", "source", "objectives"]
    assert rd["source"] == {"file": review.sets[0].source.file}
    assert rd["objectives"][0]["key_results"][2] == {
        "id": "KR3",
        "text": "完成监控平台开发 | 上线告警 <script>alert(1)</script>",
    }
    assert rd["objectives"][2] == {"id": "O3", "text": "提升研发效能", "key_results": []}
    assert sets[1]["source"] == {"file": "market.md", "line": 1}


def test_text_is_utf8_not_escaped_and_deterministic(review: Review) -> None:
    text = render(review, "json")
    assert "研发中心" in text and "\\u" not in text
    assert text == render(review, "json")
    assert text.endswith("}\n")
    assert text.startswith('{\n  "schema": "okr-review/report",\n')


def test_each_record_is_one_line(review: Review) -> None:
    lines = render(review, "json").splitlines()
    finding_lines = [line for line in lines if line.startswith('    {"code": ')]
    assert len(finding_lines) == len(review.findings)


def test_report_validates_against_schema(review: Review, schema: dict) -> None:
    for doc in (json.loads(render(review, "json")), json.loads(render(english_review(), "json"))):
        assert validate(doc, schema) == []


def test_schema_check_is_not_vacuous(review: Review, schema: dict) -> None:
    doc = json.loads(render(review, "json"))
    doc["version"] = 2
    doc["summary"]["by_dimension"].pop("owned")
    doc["findings"][0]["severity"] = "fatal"
    doc["findings"][1]["extra"] = True
    doc["sets"][0]["objectives"][0]["key_results"][0]["id"] = 3
    errors = validate(doc, schema)
    assert len(errors) == 5, errors


def test_empty_review_is_valid(schema: dict) -> None:
    doc = json.loads(render(Review(inputs=[], sets=[], findings=[]), "json"))
    assert validate(doc, schema) == []
    assert doc["sets"] == doc["findings"] == doc["problems"] == []
    assert doc["summary"]["by_severity"] == {"error": 0, "warning": 0, "info": 0}


def test_awkward_values_encode_like_to_dict(schema: dict) -> None:
    """Quotes, backslashes, control characters, lone objects without source, sheet refs."""
    okr_set = OKRSet(
        team='Q"A\\team',
        objectives=[
            Objective(
                id="O1",
                text="tab\there",
                key_results=[KeyResult(id="KR1", text='line1\nline2 "quoted" \\ \u2028 end')],
            )
        ],
    )
    findings = [
        Finding(
            code="MEA001",
            dimension=Dimension.measurable,
            severity=Severity.error,
            message='"x"\n\t\x01',
            fix="",
            note="measurable-kr",
            set_key=okr_set.key,
            objective="O1",
            key_result="O1.KR1",
            evidence="\\",
            span=(0, 5),
            source=SourceRef(file="C:\\okr\\导出.xlsx", row=3, sheet='Q3 "团队"'),
        ),
        Finding(
            code="OWN001",
            dimension=Dimension.owned,
            severity=Severity.warning,
            message="m",
            fix="f",
            note="single-owner",
            set_key=okr_set.key,
            objective="O1",
        ),
    ]
    review = Review(inputs=["a"], sets=[okr_set], findings=findings, language="en")
    doc = json.loads(render(review, "json"))
    assert doc["findings"] == [f.to_dict() for f in findings]
    assert doc["sets"][0]["objectives"][0]["key_results"][0]["text"] == okr_set.objectives[0].key_results[0].text
    assert doc["language"] == "en"
    assert validate(doc, schema) == []


def test_language_tags_are_normalised(tmp_path: Path) -> None:
    review = make_review(tmp_path, language="zh-CN")
    assert json.loads(render(review, "json"))["language"] == "zh"
    review.language = "de"
    assert json.loads(render(review, "json"))["language"] == "en"


def test_notes_explain_each_cited_note_once_in_the_report_language(review: Review, review_en: Review, schema) -> None:
    doc = json.loads(render(review, "json"))
    assert validate(doc, schema) == []
    assert doc["notes"]["measurable-kr"] == {
        "title": "可衡量的关键结果",
        "summary": "关键结果要能验证。",
        "sources": [{"doc": "003_a0b1129a12c1cd62.txt", "section": "第3章"}],
    }
    cited = {f["note"] for f in doc["findings"]}
    assert set(doc["notes"]) == cited & set(review.notes)
    english = json.loads(render(review_en, "json"))
    assert english["notes"]["measurable-kr"]["title"] == "Measurable key results"


def test_notes_is_empty_when_no_notes_were_loaded(review: Review, schema) -> None:
    review.notes = {}
    doc = json.loads(render(review, "json"))
    assert doc["notes"] == {} and validate(doc, schema) == []
