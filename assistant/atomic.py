"""Atomic file writes: a report (or a cached answer) is either fully written or not written at all.

Kept below ``reports`` and ``llm`` so that both can use it without one importing the other;
``assistant.reports`` re-exports its public names (and exposes the module as ``reports._atomic``).

The data goes to a temporary file in the target's own directory (so that the
final ``os.replace`` is a rename on one file system), is flushed and fsynced,
then renamed over the target. On any failure the temporary file is removed and
the previous file, if any, is left as it was. Temporary files are named
``.{target}.{pid}.{random}.tmp``; ones left by a killed writer are removed on the
next write to the same target. Only regular files are ever replaced: a device,
FIFO, socket or folder at the target is refused (``UnsafeTargetError``).
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

STALE_AFTER_S = 3600.0  # a temp file untouched this long is abandoned, whoever wrote it
_NAME_MAX = 200  # keeps ".{name}.{pid}.{random}.tmp" under the usual 255-byte limit
_RANDOM = r"[a-z0-9_]{8}"  # what tempfile.mkstemp puts between prefix and suffix
# Names that mean a standard stream rather than a file: the report is written there directly.
STREAM_NAMES = {
    "-": "stdout",
    "/dev/stdout": "stdout",
    "/dev/fd/1": "stdout",
    "/dev/stderr": "stderr",
    "/dev/fd/2": "stderr",
}


class UnsafeTargetError(ValueError):
    """A target that must not be replaced: not a regular file, or one of the inputs."""


def stream_name(target: str | os.PathLike[str] | None) -> str | None:
    """``"stdout"`` or ``"stderr"`` when the target names a standard stream (``-``, ``/dev/stdout``), else None."""
    return None if target is None else STREAM_NAMES.get(os.fspath(target))


def _node_kind(mode: int) -> str:
    """What a file system node is, in words, for the refusal message."""
    kinds = (
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISFIFO, "a FIFO (named pipe)"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    )
    return next((name for test, name in kinds if test(mode)), "a special file")


def check_target(path: str | os.PathLike[str]) -> None:
    """Refuse a target that exists but is not a regular file (following links), so no device or FIFO is replaced."""
    try:
        mode = os.stat(path).st_mode
    except OSError:  # missing (it will be created) or unreadable (the write itself reports it)
        return
    if not stat.S_ISREG(mode):
        raise UnsafeTargetError(f"refusing to write to {os.fspath(path)}: it is {_node_kind(mode)}, not a regular file")


def _new_file_mode(path: Path) -> int:
    """Permissions for the report: the old file's, else what ``open()`` would give (0666 minus umask)."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _fsync_directory(directory: Path) -> None:
    """Make the rename itself durable where the platform allows fsync on a directory."""
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def temp_prefix(name: str) -> str:
    """The start of every temporary file written for a target named ``name``."""
    return f".{name[:_NAME_MAX]}."


def _temp_pattern(name: str) -> re.Pattern[str]:
    """Our temporary files for ``name``: ``.{name}.{pid}.{random}.tmp``, or ``.{name}.{random}.tmp`` (older)."""
    return re.compile(re.escape(temp_prefix(name)) + rf"(?:(?P<pid>\d+)\.)?{_RANDOM}\.tmp")


def _running(pid: int) -> bool:
    """Whether a process with this id exists on this machine."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        return True  # exists but belongs to someone else, or cannot be asked: assume alive
    return True


def is_stale(pid: int | None, age_s: float, *, own_pid: int) -> bool:
    """A temporary file is abandoned when its writer is gone (pid in the name) or it was untouched for an hour."""
    if age_s >= STALE_AFTER_S:
        return True
    return pid is not None and pid != own_pid and not _running(pid)


def remove_stale_temps(directory: Path, name: str) -> list[Path]:
    """Delete temporary files of our own naming for target ``name`` that a killed writer left; return them."""
    pattern, now = _temp_pattern(name), time.time()
    removed: list[Path] = []
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return removed
    for entry in entries:
        match = pattern.fullmatch(entry.name)
        if match is None:
            continue
        try:
            info = entry.stat(follow_symlinks=False)
            if not stat.S_ISREG(info.st_mode):
                continue
            pid = int(match["pid"]) if match["pid"] else None
            if is_stale(pid, now - info.st_mtime, own_pid=os.getpid()):
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        except OSError:
            continue
    return removed


_BATCH = 8192  # text pieces encoded and written together


def _payload(data: str | bytes | Iterable[str]) -> Iterator[bytes]:
    if isinstance(data, str):
        yield data.encode("utf-8", "replace")
    elif isinstance(data, bytes | bytearray):
        yield bytes(data)
    else:  # many small pieces: join a batch at a time, so the whole document never sits in memory twice
        batch: list[str] = []
        for piece in data:
            batch.append(piece)
            if len(batch) >= _BATCH:
                yield "".join(batch).encode("utf-8", "replace")
                batch.clear()
        yield "".join(batch).encode("utf-8", "replace")


def write_stream(data: str | bytes | Iterable[str], stream: IO[str]) -> None:
    """Write ``data`` to a text stream as UTF-8 bytes (through its binary buffer when it has one)."""
    buffer = getattr(stream, "buffer", None)
    stream.flush()
    for chunk in _payload(data):
        if buffer is not None:
            buffer.write(chunk)
        else:
            stream.write(chunk.decode("utf-8", "replace"))
    if buffer is not None:
        buffer.flush()
    stream.flush()


def write_output(path: str | os.PathLike[str], data: str | bytes | Iterable[str]) -> None:
    """Write ``data`` to a file atomically, or to standard output / error when ``path`` names one (``-``)."""
    stream = stream_name(path)
    if stream is None:
        write_atomic(Path(path), data)
    else:
        write_stream(data, sys.stdout if stream == "stdout" else sys.stderr)


def write_atomic(path: Path, data: str | bytes | Iterable[str]) -> None:
    """Write ``data`` (text as UTF-8, or text pieces in order) to ``path`` atomically.

    Never leaves a half-written file, and never replaces anything but a regular file.
    """
    path = Path(path)
    check_target(path)  # before resolving: /dev/stdout resolves to a name that does not exist
    if path.is_symlink():  # replace the file the link points to, not the link
        path = path.resolve()
    directory = path.parent
    mode = _new_file_mode(path)
    remove_stale_temps(directory, path.name)
    prefix = f"{temp_prefix(path.name)}{os.getpid()}."
    fd, tmp_name = tempfile.mkstemp(prefix=prefix, suffix=".tmp", dir=directory)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            for chunk in _payload(data):
                handle.write(chunk)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        check_target(path)  # a FIFO or device may have appeared at the target while we wrote
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    _fsync_directory(directory)
