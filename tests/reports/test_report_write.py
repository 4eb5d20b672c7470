"""write_report and write_atomic: complete files or none, stdout for text formats, no input overwritten."""

from __future__ import annotations

import io
import json
import os
import signal
import stat
import subprocess
import sys
import time
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


# ---------------------------------------------------------------- issue 14: targets, streams and stale temp files


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX FIFOs")
def test_write_atomic_refuses_a_fifo(tmp_path: Path) -> None:
    fifo = tmp_path / "out.json"
    os.mkfifo(fifo)
    with pytest.raises(_atomic.UnsafeTargetError, match="a FIFO"):
        write_atomic(fifo, "{}")
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert _leftovers(tmp_path) == []


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX FIFOs")
def test_write_atomic_refuses_a_link_to_a_fifo(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    (tmp_path / "out.json").symlink_to(fifo)
    with pytest.raises(_atomic.UnsafeTargetError, match="not a regular file"):
        write_atomic(tmp_path / "out.json", "{}")
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_a_report_to_dash_goes_to_stdout(review: Review, capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    write_report(review, "json", Path("-"))
    assert json.loads(capsysbinary.readouterr().out.decode("utf-8"))["summary"]["findings"] == 16
    assert not Path("-").exists()


def test_write_output_streams_bytes_to_stdout(capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    _atomic.write_output("/dev/stdout", b"PK\x03\x04")
    assert capsysbinary.readouterr().out == b"PK\x03\x04"


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_stale_temp_files_are_removed_on_the_next_write(tmp_path: Path) -> None:
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        dead = _dead_pid()
        names = {
            f".report.json.{dead}.abcd_123.tmp": False,  # its writer is gone
            ".report.json.zzzzzzzz.tmp": False,  # older naming, untouched for two hours
            ".report.json.yyyyyyyy.tmp": True,  # older naming, fresh: may be another writer's
            f".report.json.{alive.pid}.xxxxxxxx.tmp": True,  # its writer is still running
            f".other.json.{dead}.abcdefgh.tmp": True,  # another target's
            ".report.json.notes.tmp": True,  # not our naming
            "report.json.abcdefgh.tmp": True,  # not hidden: not ours
        }
        for name in names:
            (tmp_path / name).write_text("partial")
        two_hours_ago = time.time() - 7200
        os.utime(tmp_path / ".report.json.zzzzzzzz.tmp", (two_hours_ago, two_hours_ago))
        write_atomic(tmp_path / "report.json", "{}")
    finally:
        alive.kill()
        alive.wait()
    kept = {name for name, keep in names.items() if keep}
    assert set(_leftovers(tmp_path)) == kept
    assert (tmp_path / "report.json").read_text() == "{}"


KILLED_WRITER = """
import sys, time
from pathlib import Path
from assistant.reports import write_atomic

def pieces():
    yield "partial"
    print("writing", flush=True)
    time.sleep(60)
    yield "never"

write_atomic(Path(sys.argv[1]), pieces())
"""


@pytest.mark.skipif(os.name != "posix", reason="POSIX signals")
def test_a_temp_file_left_by_kill_9_is_removed_on_the_next_write(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    target.write_text("old")
    writer = subprocess.Popen(
        [sys.executable, "-c", KILLED_WRITER, str(target)], stdout=subprocess.PIPE, text=True, start_new_session=True
    )
    try:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "writing"
        writer.send_signal(signal.SIGKILL)
    finally:
        writer.wait(timeout=30)
    left = _leftovers(tmp_path)
    assert len(left) == 1 and left[0].startswith(f".out.json.{writer.pid}.")  # the writer's pid is in the name
    assert target.read_text() == "old"
    write_atomic(target, "new")
    assert _leftovers(tmp_path) == []
    assert target.read_text() == "new"


def test_is_stale() -> None:
    dead = _dead_pid()
    assert _atomic.is_stale(dead, 0.0, own_pid=os.getpid())
    assert not _atomic.is_stale(os.getpid(), 0.0, own_pid=os.getpid())  # our own write in progress
    assert not _atomic.is_stale(None, 59.0, own_pid=os.getpid())
    assert _atomic.is_stale(None, _atomic.STALE_AFTER_S, own_pid=os.getpid())
