"""Atomic file writes: a report is either fully written or not written at all.

The data goes to a temporary file in the target's own directory (so that the
final ``os.replace`` is a rename on one file system), is flushed and fsynced,
then renamed over the target. On any failure the temporary file is removed and
the previous file, if any, is left as it was.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path


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


def write_atomic(path: Path, data: str | bytes | Iterable[str]) -> None:
    """Write ``data`` (text as UTF-8, or text pieces in order) to ``path`` atomically.

    Never leaves a half-written file.
    """
    path = Path(path)
    if path.is_symlink():  # replace the file the link points to, not the link
        path = path.resolve()
    directory = path.parent
    mode = _new_file_mode(path)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            for chunk in _payload(data):
                handle.write(chunk)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    _fsync_directory(directory)
