"""Fuzzing the importers: whatever the bytes, reading returns sets and problems and never raises or writes."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import hostile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from assistant.importers import SUPPORTED_SUFFIXES, load_paths, load_text

_FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
# Pieces that reach the parsers' corners: quotes, delimiters, brackets, anchors, aliases, labels, bad bytes.
_PIECES = st.sampled_from(
    ['"', '""', ",", "\t", ";", "\n", "\r\n", "[", "]", "{", "}", ":", "- ", "&a ", "*a", "!!python/object ",
     "O1: ", "O1000: ", "KR1: ", "# 团队", "目标", "关键结果", "团队", "60%", "\\", "\x00", "\ufeff", "é", "长"]
)  # fmt: skip
_TEXT = st.lists(st.one_of(_PIECES, st.text(max_size=8)), max_size=60).map("".join)


def _check(result, names: set[str]) -> None:
    for problem in result.problems:
        assert problem.file in names
        assert problem.reason
    for okr_set in result.sets:
        for objective in okr_set.objectives:
            assert objective.text


@_FAST
@given(text=_TEXT)
def test_pasted_text_never_raises(text: str) -> None:
    _check(load_text(text, "<text>"), {"<text>"})


@_FAST
@given(text=_TEXT, suffix=st.sampled_from(sorted(SUPPORTED_SUFFIXES - {".xlsx", ".xlsm"})))
def test_text_files_never_raise_and_stay_unchanged(tmp_path: Path, text: str, suffix: str) -> None:
    path = tmp_path / f"fuzz{suffix}"
    raw = text.encode("utf-8", "surrogatepass")
    path.write_bytes(raw)
    _check(load_paths([path]), {str(path)})
    assert hashlib.sha256(path.read_bytes()).digest() == hashlib.sha256(raw).digest()


@_FAST
@given(raw=st.binary(max_size=400), suffix=st.sampled_from(sorted(SUPPORTED_SUFFIXES)))
def test_arbitrary_bytes_never_raise(tmp_path: Path, raw: bytes, suffix: str) -> None:
    path = tmp_path / f"bytes{suffix}"
    path.write_bytes(raw)
    _check(load_paths([path]), {str(path)})
    assert path.read_bytes() == raw


def _workbook() -> bytes:
    """A small valid workbook, the seed every mangled one starts from."""
    buffer = io.BytesIO()
    book = Workbook()
    book.active.append(hostile.HEADER)
    book.active.append(["增长部", "提升留存", "次月留存率从 30% 提升到 40%", "60%"])
    book.save(buffer)
    return buffer.getvalue()


_BOOK = _workbook()
_SHEET = "xl/worksheets/sheet1.xml"


@_FAST
@given(position=st.integers(min_value=0), insert=_TEXT)
def test_mangled_sheet_xml_never_raises(tmp_path: Path, position: int, insert: str) -> None:
    """A workbook whose sheet XML has random text spliced in: a readable file or one clear problem."""
    with zipfile.ZipFile(io.BytesIO(_BOOK)) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    sheet = parts[_SHEET]
    at = position % (len(sheet) + 1)
    parts[_SHEET] = sheet[:at] + insert.encode("utf-8", "surrogatepass") + sheet[at:]
    path = tmp_path / "mangled.xlsx"
    with zipfile.ZipFile(path, "w") as target:
        for name, data in parts.items():
            target.writestr(name, data)
    before = path.read_bytes()
    _check(load_paths([path]), {str(path)})
    assert path.read_bytes() == before
