"""``check --suggest`` output in the reports: a section in text and Markdown, a validated array in JSON."""

import json
from dataclasses import replace
from pathlib import Path

import pytest
from report_samples import make_review, sample_suggestions
from test_report_json import SCHEMA_PATH, validate

from assistant.reports import render
from assistant.review import Review


def schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@pytest.fixture
def review(tmp_path: Path) -> Review:
    return replace(make_review(tmp_path), suggestions=sample_suggestions())


def test_json_carries_suggestions_valid_per_schema(review: Review) -> None:
    doc = json.loads(render(review, "json"))
    assert validate(doc, schema()) == []
    assert [s["key_result"] for s in doc["suggestions"]] == ["O1.KR1", "O1.KR2"]
    assert doc["suggestions"][1]["candidates"][0]["placeholders"] == ["〔基线〕", "〔目标值〕", "〔截止日期〕"]


def test_json_without_suggestions_has_no_key(tmp_path: Path) -> None:
    assert "suggestions" not in json.loads(render(make_review(tmp_path), "json"))


def test_schema_rejects_a_candidate_without_placeholders_field(review: Review) -> None:
    doc = json.loads(render(review, "json"))
    del doc["suggestions"][0]["candidates"][0]["placeholders"]
    assert any("placeholders" in error for error in validate(doc, schema()))


@pytest.mark.parametrize("fmt", ["text", "md"])
def test_text_and_markdown_show_candidates_status_and_assumptions(review: Review, fmt: str) -> None:
    out = render(review, fmt)
    assert "改写建议 (2)" in out or "## 改写建议" in out
    assert "NPS 从 32 提升到 45（9月30日前）" in out
    assert "1/3 个候选通过检查" in out
    assert "假设目标 45，请确认" in out
    assert "离线模式（未配置 LLM）" in out  # the template entry says plainly what it is


def test_english_labels(review: Review) -> None:
    out = render(replace(review, language="en"), "text")
    assert "Suggested rewrites (2)" in out
    assert "1/3 candidates passed the checks" in out


def test_html_lists_candidates_escaped(review: Review) -> None:
    review.suggestions[0].candidates[0].text = "NPS <b>45</b>"
    out = render(review, "html")
    assert '<h2 id="suggestions">改写建议</h2>' in out
    assert "NPS &lt;b&gt;45&lt;/b&gt;" in out
    assert "1/3 个候选通过检查" in out
