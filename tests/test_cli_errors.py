"""Issue 14, CLI and outputs: no input overwritten, no device or FIFO replaced, one-line errors, clean signals."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli import app, describe_error, message_language
from assistant.reports import _atomic

runner = CliRunner()
ROOT = Path(__file__).resolve().parent.parent

CLEAN_MD = """# 数据平台组 2025Q4
负责人: 李然
O1: 让业务同学自助拿到可信的数据 (负责人: 李然, 信心 60%)
- KR1: 自助查询占比从 40% 提升到 70%，12月31日前 (负责人: 周洁)
- KR2: 指标口径不一致的工单从每月 20 个降到 5 个以内 (负责人: 吴凡)
"""


def invoke(*args: str):
    return runner.invoke(app, [str(a) for a in args])


def _command() -> list[str]:
    exe = Path(sys.executable).with_name("okr-review")
    return [str(exe)] if exe.exists() else [sys.executable, "-c", "from assistant.cli import main; main()"]


def _temps(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


@pytest.fixture
def clean_md(tmp_path: Path) -> Path:
    path = tmp_path / "clean.md"
    path.write_text(CLEAN_MD, encoding="utf-8")
    return path


# ---------------------------------------------------------------- inputs are never replaced


@pytest.mark.parametrize(
    "content",
    [
        b"\xef\xbb\xbf\xe7\x9b\xae\xe6\xa0\x87,\xe5\x85\xb3\xe9\x94\xae\xe7\xbb\x93\xe6\x9e\x9c\n",
        b"\x80\xff\x80\xff\x81",
    ],
    ids=["header-only", "bad-encoding"],
)
def test_an_unreadable_input_found_in_a_folder_is_never_overwritten(tmp_path: Path, content: bytes) -> None:
    folder = tmp_path / "okrs"
    folder.mkdir()
    (folder / "good.md").write_text(CLEAN_MD, encoding="utf-8")
    bad = folder / "bad.csv"
    bad.write_bytes(content)
    result = invoke("check", folder, "-f", "json", "-o", bad)
    assert result.exit_code == 2
    assert bad.read_bytes() == content
    assert "refusing to overwrite the input file" in result.stderr
    assert "Traceback" not in result.output


def test_an_input_reached_through_a_hard_link_is_never_overwritten(tmp_path: Path, clean_md: Path) -> None:
    link = tmp_path / "elsewhere.md"
    os.link(clean_md, link)
    result = invoke("check", clean_md, "-o", link)
    assert result.exit_code == 2 and "refusing" in result.stderr
    assert clean_md.read_text(encoding="utf-8") == CLEAN_MD


def test_output_equal_to_the_input_is_one_line_and_exit_two(clean_md: Path) -> None:
    result = invoke("check", clean_md, "-o", clean_md)
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        f"error: refusing to overwrite the input file {clean_md} with the report"
    ]
    assert clean_md.read_text(encoding="utf-8") == CLEAN_MD


# ---------------------------------------------------------------- devices, FIFOs, standard streams


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX FIFOs")
@pytest.mark.parametrize("command", [["check", "{md}", "-f", "json"], ["schema"]])
def test_a_fifo_target_is_refused_and_left_a_fifo(tmp_path: Path, clean_md: Path, command: list[str]) -> None:
    fifo = tmp_path / "out.json"
    os.mkfifo(fifo)
    result = invoke(*[str(clean_md) if a == "{md}" else a for a in command], "-o", fifo)
    assert result.exit_code == 2
    assert "FIFO" in result.stderr and "not a regular file" in result.stderr
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert _temps(tmp_path) == []


def test_a_device_target_is_refused_and_left_a_device(tmp_path: Path, clean_md: Path) -> None:
    node = tmp_path / "null"
    try:  # a private copy of /dev/null, so a regression can only replace this one
        os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except (OSError, AttributeError):
        pytest.skip("cannot make a device node here (needs root)")
    result = invoke("check", clean_md, "-o", node)
    assert result.exit_code == 2 and "character device" in result.stderr
    assert stat.S_ISCHR(os.stat(node).st_mode)


def test_a_folder_target_is_refused(tmp_path: Path, clean_md: Path) -> None:
    result = invoke("check", clean_md, "-o", tmp_path)
    assert result.exit_code == 2 and "a folder" in result.stderr


@pytest.mark.parametrize("target", ["-", "/dev/stdout"])
def test_report_streams_into_a_pipe(clean_md: Path, target: str) -> None:
    done = subprocess.run(
        [*_command(), "check", str(clean_md), "-f", "json", "-o", target], capture_output=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["summary"]["key_results"] == 2
    assert b"report written" not in done.stderr


def test_a_workbook_streams_into_a_pipe(clean_md: Path) -> None:
    done = subprocess.run(
        [*_command(), "check", str(clean_md), "-f", "xlsx", "-o", "-"], capture_output=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout[:2] == b"PK"


def test_report_to_stderr(clean_md: Path) -> None:
    done = subprocess.run(
        [*_command(), "check", str(clean_md), "-f", "json", "-o", "/dev/stderr"], capture_output=True, timeout=60
    )
    assert done.returncode == 0 and done.stdout == b""
    assert json.loads(done.stderr)["summary"]["key_results"] == 2


# ---------------------------------------------------------------- every failure: one line and exit 2


def _explode(exc: BaseException):
    def payload(data: object):
        raise exc
        yield b""  # pragma: no cover - a generator, like the real one

    return payload


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (RuntimeError("boom"), "error: RuntimeError: boom (--debug shows the traceback)"),
        (MemoryError(), "error: out of memory (the input is too large) (--debug shows the traceback)"),
        (RecursionError("deep"), "error: the input is nested too deeply (--debug shows the traceback)"),
    ],
)
def test_an_unexpected_error_is_one_line_and_exit_two(
    tmp_path: Path, clean_md: Path, monkeypatch: pytest.MonkeyPatch, exc: BaseException, expected: str
) -> None:
    monkeypatch.setattr(_atomic, "_payload", _explode(exc))
    result = invoke("check", clean_md, "-f", "json", "-o", tmp_path / "out.json")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [expected]
    assert _temps(tmp_path) == []


def test_every_command_turns_errors_into_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_atomic, "_payload", _explode(ValueError("bad\nvalue")))
    result = invoke("schema", "-o", tmp_path / "schema.json")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == ["error: ValueError: bad value (--debug shows the traceback)"]


@pytest.mark.parametrize("how", ["option", "env"])
def test_debug_shows_the_traceback(tmp_path: Path, clean_md: Path, monkeypatch: pytest.MonkeyPatch, how: str) -> None:
    monkeypatch.setattr(_atomic, "_payload", _explode(RuntimeError("boom")))
    args = ["check", clean_md, "-f", "json", "-o", tmp_path / "out.json"]
    if how == "option":
        result = invoke("--debug", *args)
    else:
        result = runner.invoke(app, [str(a) for a in args], env={"OKR_REVIEW_DEBUG": "1"})
    assert result.exit_code == 2
    assert "Traceback (most recent call last)" in result.stderr
    assert result.stderr.strip().splitlines()[-1] == "error: RuntimeError: boom"


def test_ctrl_c_is_exit_130_with_the_old_report_intact(
    tmp_path: Path, clean_md: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out.json"
    out.write_text("old", encoding="utf-8")

    def interrupted(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(_atomic.os, "replace", interrupted)
    result = invoke("check", clean_md, "-f", "json", "-o", out)
    assert result.exit_code == 130
    assert result.stderr.strip().splitlines() == ["interrupted"]
    assert out.read_text(encoding="utf-8") == "old"
    assert _temps(tmp_path) == []


def test_usage_errors_and_findings_keep_their_codes(clean_md: Path) -> None:
    assert invoke("check", clean_md, "--format", "pdf").exit_code == 2
    assert invoke("check", clean_md, "--no-such-option").exit_code == 2
    assert invoke("check", ROOT / "examples" / "platform-team.md").exit_code == 1  # findings, not an error


def test_describe_error_is_one_line() -> None:
    assert (
        describe_error(FileNotFoundError(2, "No such file or directory", "/x/y")) == "No such file or directory: /x/y"
    )
    assert describe_error(RuntimeError("a\n  b")) == "RuntimeError: a b"
    assert describe_error(KeyError()) == "KeyError"
    assert len(describe_error(ValueError("x" * 1000))) == 300


# ---------------------------------------------------------------- SIGTERM removes the temp file being written

SIGTERM_SCRIPT = """
import os, signal, sys
from assistant.cli import main
from assistant.reports import _atomic

real = _atomic._payload

def payload(data):
    for number, chunk in enumerate(real(data)):
        yield chunk
        if number == 0:
            os.kill(os.getpid(), signal.SIGTERM)

_atomic._payload = payload
sys.argv = ["okr-review", "check", sys.argv[1], "-f", "json", "-o", sys.argv[2]]
main()
"""


@pytest.mark.skipif(os.name != "posix", reason="POSIX signals")
def test_sigterm_during_a_write_leaves_no_temp_file_and_the_old_report(tmp_path: Path, clean_md: Path) -> None:
    out = tmp_path / "out.json"
    out.write_text("old", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(SIGTERM_SCRIPT), str(clean_md), str(out)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert done.returncode == 143, done.stderr
    assert done.stderr.strip().splitlines() == ["terminated"]
    assert out.read_text(encoding="utf-8") == "old"
    assert _temps(tmp_path) == []


# ---------------------------------------------------------------- nothing read: nothing checked


def test_a_missing_file_does_not_claim_no_findings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    result = invoke("check", tmp_path / "missing.md")
    assert result.exit_code == 2
    assert "未发现问题" not in result.output and "No findings" not in result.output
    assert "missing.md：找不到该文件或文件夹" in result.stderr  # the problem in the message language too
    assert "未检查任何内容" in result.stderr
    assert "no such file" not in result.stderr


def test_nothing_read_writes_no_report_and_says_so_in_english(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    result = invoke("check", empty, tmp_path / "missing.md", "--lang", "en", "-f", "json", "-o", out)
    assert result.exit_code == 2
    assert not out.exists()
    assert (
        result.stderr.strip().splitlines()[-1] == "Nothing was checked: no OKR could be read, so no report was written."
    )


def test_score_with_nothing_read_says_nothing_was_checked(tmp_path: Path) -> None:
    result = invoke("score", tmp_path / "missing.csv")
    assert result.exit_code == 2 and "未检查任何内容" in result.stderr + result.output


@pytest.mark.parametrize(
    ("setting", "environ", "expected"),
    [
        ("en", {"LANG": "zh_CN.UTF-8"}, "en"),
        ("zh", {"LANG": "en_US.UTF-8"}, "zh"),
        ("auto", {"LANG": "en_US.UTF-8"}, "en"),
        ("auto", {"LC_ALL": "zh_CN.UTF-8", "LANG": "en_US.UTF-8"}, "zh"),
        ("auto", {}, "zh"),
    ],
)
def test_message_language(setting: str, environ: dict[str, str], expected: str) -> None:
    assert message_language(setting, environ) == expected


def test_a_closed_pipe_is_one_line_and_exit_two(clean_md: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import assistant.reports as reports

    def closed(*args: object) -> None:
        raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(reports, "_write_stream", closed)
    result = invoke("check", clean_md, "-f", "json")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        "error: the output was closed before the report was complete (broken pipe)"
    ]
