"""write_report and write_atomic: complete files or none, stdout for text formats, no input overwritten."""

from __future__ import annotations

import io
import json
import os
import stat
import sys
from pathlib import Path

import pytest

from assistant.reports import FORMATS, _atomic, _html, render, write_atomic, write_report
from assistant.review import Review


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_written_to_a_file(review: Review, tmp_path: Path, fmt: str) -> None:
    target = tmp_path / "out" / f"report.{fmt}"
    write_report(review, fmt, target)  # the missing folder is created
    data = target.read_bytes()
    expected = render(review, fmt)
    if fmt == "xlsx":
        assert data[:2] == b"PK"
    else:
        assert data.decode("utf-8") == expected
    assert _leftovers(target.parent) == []


def test_render_types(review: Review) -> None:
    for fmt in FORMATS:
        assert isinstance(render(review, fmt), bytes if fmt == "xlsx" else str)


def test_unknown_format(review: Review, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown report format 'pdf'"):
        render(review, "pdf")
    with pytest.raises(ValueError, match="unknown report format"):
        write_report(review, "pdf", tmp_path / "x.pdf")


def test_xlsx_needs_an_output_file(review: Review) -> None:
    with pytest.raises(ValueError, match="needs an output file"):
        write_report(review, "xlsx", None)


@pytest.mark.parametrize("fmt", ["json", "md", "html"])
def test_text_formats_go_to_stdout(review: Review, fmt: str, capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    write_report(review, fmt, None)
    out = capsysbinary.readouterr().out.decode("utf-8")
    assert out == render(review, fmt)
    if fmt == "json":
        assert json.loads(out)["summary"]["findings"] == 16


def test_stdout_without_a_binary_buffer(review: Review, monkeypatch: pytest.MonkeyPatch) -> None:
    stream = io.StringIO()
    monkeypatch.setattr(sys, "stdout", stream)
    write_report(review, "md", None)
    assert stream.getvalue() == render(review, "md")


def test_old_report_survives_a_rendering_failure(
    review: Review, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "report.html"
    target.write_text("old report", encoding="utf-8")

    def broken(review: Review) -> str:
        raise RuntimeError("renderer crashed")

    monkeypatch.setattr(_html, "render_html", broken)
    with pytest.raises(RuntimeError, match="renderer crashed"):
        write_report(review, "html", target)
    assert target.read_text(encoding="utf-8") == "old report"
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize("failing", ["fsync", "replace"])
def test_old_file_survives_a_failing_write(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: str) -> None:
    target = tmp_path / "report.json"
    target.write_bytes(b"old")

    def fail(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(_atomic.os, failing, fail)
    with pytest.raises(OSError, match="No space left"):
        write_atomic(target, "new")
    monkeypatch.undo()
    assert target.read_bytes() == b"old"
    assert _leftovers(tmp_path) == []


def test_interrupt_during_write_cleans_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "report.md"

    def interrupted(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(_atomic.os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(target, "x")
    monkeypatch.undo()
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


def test_write_atomic_text_and_bytes(tmp_path: Path) -> None:
    target = tmp_path / "a.txt"
    write_atomic(target, "中文 report\n")
    assert target.read_bytes() == "中文 report\n".encode()
    write_atomic(target, b"\x00\x01")
    assert target.read_bytes() == b"\x00\x01"
    write_atomic(target, "lone \udc80 surrogate")  # never crashes on odd text
    assert target.read_bytes() == b"lone ? surrogate"


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_permissions(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    write_atomic(target, "{}")
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask  # as open() would create it
    target.chmod(0o640)
    write_atomic(target, "{}")
    assert stat.S_IMODE(target.stat().st_mode) == 0o640  # an existing report keeps its mode


@pytest.mark.skipif(os.name != "posix", reason="symlinks")
def test_symlinked_output_replaces_the_target_not_the_link(tmp_path: Path) -> None:
    real = tmp_path / "real.json"
    real.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    write_atomic(link, "new")
    assert link.is_symlink()
    assert real.read_text() == "new"


def test_refuses_to_overwrite_an_input(review: Review, tmp_path: Path) -> None:
    csv_path = Path(review.inputs[0])
    before = csv_path.read_bytes()
    with pytest.raises(ValueError, match="refusing to overwrite the input file"):
        write_report(review, "xlsx", csv_path)
    with pytest.raises(ValueError, match="refusing"):
        write_report(review, "json", tmp_path / "." / "okrs.csv")
    assert csv_path.read_bytes() == before
