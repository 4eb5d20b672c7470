"""``okr-review index`` and ``okr-review ask``, and the notes in ``check`` reports, end to end."""

import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

sys.path.insert(0, str(Path(__file__).parent / "knowledge"))
from notes_fixture import write_notes

from assistant.cli import app

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args))


@pytest.fixture
def notes(tmp_path):
    return write_notes(tmp_path / "notes")


def test_index_builds_once_then_reports_up_to_date(tmp_path, notes):
    args = ("index", "--knowledge-dir", str(notes), "--data-dir", str(tmp_path / "data"))
    first = invoke(*args)
    assert first.exit_code == 0, first.output
    assert "knowledge index built (no index yet): 3 notes, 6 passages" in first.output
    second = invoke(*args)
    assert "knowledge index up to date: 3 notes" in second.output
    forced = invoke(*args, "--rebuild")
    assert "built (rebuild requested)" in forced.output


def test_ask_prints_note_section_and_score(tmp_path, notes):
    result = invoke("ask", "握手会怎么开？", "-k", "2", "--knowledge-dir", str(notes), "--data-dir", str(tmp_path))
    assert result.exit_code == 0, result.output
    first = result.stdout.splitlines()[0]
    assert first.startswith("1. 握手会 · handshake › 步骤  score ")
    assert "各团队说明需要哪些团队支持" in result.output


def test_ask_json_and_filters(tmp_path, notes):
    base = ("--knowledge-dir", str(notes), "--data-dir", str(tmp_path), "--json")
    rows = json.loads(invoke("ask", "who owns this key result", *base).stdout)
    assert rows[0]["note"] == "owners" and {"title", "section", "score", "text"} <= set(rows[0])
    filtered = json.loads(invoke("ask", "信心指数", "--rule", "ALI005", *base).stdout)
    assert filtered and {r["note"] for r in filtered} == {"handshake"}
    by_dimension = json.loads(invoke("ask", "信心指数", "--dimension", "owned", *base).stdout)
    assert {r["note"] for r in by_dimension} == {"owners"}


@pytest.mark.parametrize(
    "args",
    [
        ("ask", "x", "--rule", "ZZZ999"),
        ("ask", "x", "--dimension", "speed"),
        ("ask", "x", "--mode", "magic"),
        ("ask", "x", "--knowledge-dir", "/nonexistent/notes"),
    ],
)
def test_bad_options_exit_two(args):
    result = invoke(*args)
    assert result.exit_code == 2


def test_an_index_of_another_embedding_is_refused_with_a_hint(tmp_path, notes, monkeypatch):
    base = ("--knowledge-dir", str(notes), "--data-dir", str(tmp_path))
    assert invoke("index", *base).exit_code == 0
    monkeypatch.setenv("OKR_REVIEW_EMBEDDING", "openai")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")  # never reached: refused first
    result = invoke("ask", "握手会", *base)
    assert result.exit_code == 2
    assert "okr-review index --rebuild" in result.output


def test_bundled_notes_answer_a_chinese_and_an_english_question(tmp_path):
    zh = json.loads(invoke("ask", "信心指数一般填多少比较合适？", "--data-dir", str(tmp_path), "--json").stdout)
    assert zh[0]["note"] == "confidence-index"
    en = json.loads(invoke("ask", "How many key results should one objective have?", "--json").stdout)
    assert {"five-four-principle", "okr-counts-by-level"} & {r["note"] for r in en[:2]}


def test_check_reports_carry_note_titles_and_explanations(tmp_path):
    out = tmp_path / "report.json"
    result = invoke("check", str(EXAMPLES / "platform-team.md"), "--format", "json", "-o", str(out))
    assert result.exit_code == 1, result.output
    doc = json.loads(out.read_text(encoding="utf-8"))
    cited = {f["note"] for f in doc["findings"]}
    assert cited and set(doc["notes"]) == cited
    assert all(entry["title"] and entry["summary"] for entry in doc["notes"].values())
    text = invoke("check", str(EXAMPLES / "platform-team.md"))
    assert "相关知识卡片" in text.output
    assert doc["notes"]["measurable-kr"]["title"] in text.output


def test_check_warns_but_still_reports_when_a_note_is_broken(tmp_path, notes):
    (notes / "broken.md").write_text("---\nid: [\n---\n", encoding="utf-8")
    config = tmp_path / ".okr-review.toml"
    config.write_text(f'[knowledge]\nknowledge-dir = "{notes}"\n', encoding="utf-8")
    result = invoke("check", str(EXAMPLES / "platform-team.md"), "--config", str(config))
    assert result.exit_code == 1
    assert "warning:" in result.output and "broken.md" in result.output
