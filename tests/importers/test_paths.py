"""load_paths: files, folders, stdin, unknown suffixes and missing files."""

from __future__ import annotations

import io
import json
import os
import sys
from pathlib import Path

import pytest
from importer_helpers import errors, one_set

from assistant.importers import SUPPORTED_SUFFIXES, load_paths


def test_supported_suffixes() -> None:
    assert {".json", ".yaml", ".yml", ".csv", ".tsv", ".xlsx", ".xlsm", ".md", ".markdown", ".txt"} <= set(
        SUPPORTED_SUFFIXES
    )


def test_folder_is_walked_in_sorted_order_and_bad_entries_do_not_stop_the_rest(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "b.md").write_text("# B组\nO1: 乙\n- b\n", encoding="utf-8")
    (tmp_path / "sub" / "a.csv").write_text("团队,目标,关键结果\nA组,甲,a\n", encoding="utf-8")
    (tmp_path / "ignored.docx").write_bytes(b"x")
    (tmp_path / "c.json").write_text(json.dumps({"team": "C组"}), encoding="utf-8")
    result = load_paths([tmp_path, tmp_path / "missing.csv", tmp_path / "ignored.docx"])
    assert [s.team for s in result.sets] == ["B组", "C组", "A组"]
    bad = errors(result)
    assert [p.file for p in bad] == [str(tmp_path / "missing.csv"), str(tmp_path / "ignored.docx")]
    assert all(p.level.value == "error" for p in bad)


def test_source_file_is_the_path_as_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "t.md").write_text("O1: 甲\n- a\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    okr_set = one_set(load_paths(["t.md"]))
    assert okr_set.team == "t"
    assert okr_set.objectives[0].key_results[0].source is not None
    assert okr_set.objectives[0].key_results[0].source.file == "t.md"


def test_stdin_outline_and_json(monkeypatch: pytest.MonkeyPatch) -> None:
    def feed(text: str) -> None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode("utf-8")), encoding="utf-8"))

    feed("# 甲组\nO1: 甲\n- a\n")
    assert one_set(load_paths(["-"])).team == "甲组"
    feed('[{"team": "乙组"}]')
    assert one_set(load_paths(["-"])).team == "乙组"


def test_files_are_opened_read_only(tmp_path: Path) -> None:
    path = tmp_path / "ro.md"
    path.write_text("O1: 甲\n- a\n", encoding="utf-8")
    path.chmod(0o444)
    before = (path.read_bytes(), os.stat(path).st_mtime_ns)
    assert len(load_paths([path]).sets) == 1
    assert (path.read_bytes(), os.stat(path).st_mtime_ns) == before
