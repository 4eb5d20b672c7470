"""Render a review to a report: text (terminal), json, md, html or xlsx.

Public API::

    FORMATS = ("text", "json", "md", "html", "xlsx")
    render(review, fmt) -> str | bytes        # xlsx -> bytes, the others -> str
    write_report(review, fmt, output, *, console=None)
    write_atomic(path, data)                  # a regular file only, never half-written
    write_output(path, data)                  # the same, or stdout / stderr for "-" and /dev/stdout

Format modules are imported on first use, so that importing this package (as
the CLI does on every run) does not load openpyxl.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from importlib import import_module
from pathlib import Path
from typing import IO, TYPE_CHECKING

from .. import atomic as _atomic  # noqa: F401  (the writer lives below reports; kept reachable as reports._atomic)
from .._gc import paused_gc
from ..atomic import UnsafeTargetError, check_target, stream_name, write_atomic, write_output, write_stream

if TYPE_CHECKING:
    from rich.console import Console

    from ..review import Review

__all__ = [
    "BINARY_FORMATS",
    "FORMATS",
    "UnsafeTargetError",
    "check_target",
    "render",
    "stream_name",
    "write_atomic",
    "write_output",
    "write_report",
]

FORMATS = ("text", "json", "md", "html", "xlsx")
BINARY_FORMATS = frozenset({"xlsx"})

# format -> (module, function)
_RENDERERS = {
    "text": ("._text", "render_text"),
    "json": ("._json", "render_json"),
    "md": ("._markdown", "render_markdown"),
    "html": ("._html", "render_html"),
    "xlsx": ("._xlsx", "render_xlsx"),
}


def _check_format(fmt: str) -> None:
    if fmt not in _RENDERERS:
        raise ValueError(f"unknown report format {fmt!r}; choose one of: {', '.join(FORMATS)}")


def render(review: Review, fmt: str) -> str | bytes:
    """The report in one format: ``bytes`` for xlsx, ``str`` for the others (text has no colour codes)."""
    _check_format(fmt)
    module, function = _RENDERERS[fmt]
    return getattr(import_module(module, __name__), function)(review)


def _identity(path: str | Path) -> tuple[int, int] | None:
    """The (device, inode) of the file a path leads to, following links; None when there is none."""
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return None
    return info.st_dev, info.st_ino


def _found_inputs(folder: str) -> Iterator[str]:
    """Every file under an input folder that an importer could read (hidden ones too: never fewer than were read)."""
    from ..importers import SUPPORTED_SUFFIXES

    for root, _dirs, files in os.walk(folder):
        for file in files:
            if Path(file).suffix.lower() in SUPPORTED_SUFFIXES:
                yield os.path.join(root, file)


def _input_files(review: Review) -> Iterator[str]:
    """Every file named or found as input, whether or not it could be read or produced sets."""
    named = {*review.inputs, *(s.source.file for s in review.sets if s.source is not None)}
    named |= {p.file for p in review.problems if p.file}
    for name in sorted(named):
        if name != "-" and os.path.isdir(name):
            yield from _found_inputs(name)
        else:
            yield name


def check_not_input(review: Review, output: Path) -> None:
    """Refuse an output that is one of the inputs (same file by device and inode, through any link or path)."""
    target = _identity(output)
    if target is None:  # nothing there yet, so no input can be lost
        return
    for name in _input_files(review):
        if _identity(name) == target:
            raise UnsafeTargetError(f"refusing to overwrite the input file {name} with the report")


def _write_stream(text: str, stream: IO[str]) -> None:
    """Write a text report to a stream as UTF-8, whatever the stream's own encoding."""
    buffer = getattr(stream, "buffer", None)
    if buffer is None:
        stream.write(text)
    else:
        stream.flush()
        buffer.write(text.encode("utf-8", "replace"))
        buffer.flush()
    stream.flush()


def _report_to_stream(review: Review, fmt: str, stream: str | None, console: Console | None) -> None:
    """Deliver a report to standard output (``stream`` None or "stdout", or ``console``) or standard error."""
    file = sys.stderr if stream == "stderr" else (console.file if console is not None else sys.stdout)
    if fmt in BINARY_FORMATS:
        if stream is None:
            raise ValueError(f"the {fmt} format needs an output file (--output FILE)")
        if file.isatty():
            raise ValueError(f"the {fmt} format cannot be written to a terminal; redirect it or name a file")
        write_stream(render(review, fmt), file)
        return
    if fmt == "text":
        from ._text import plain_stream, print_text, write_plain_text

        if stream == "stderr" or console is None:
            if plain_stream(file):  # a pipe or a file: no styling, so rich need not even be imported
                write_plain_text(review, file)
                return
            from rich.console import Console

            console = Console(file=file, highlight=False, markup=False, emoji=False)
        print_text(review, console)
        return
    text = render(review, fmt)
    if not isinstance(text, str):  # the binary formats are refused above; this is a programming error
        raise TypeError(f"the {fmt} report is binary and cannot be written to a stream")
    _write_stream(text, file)


def write_report(review: Review, fmt: str, output: Path | None, *, console: Console | None = None) -> None:
    """Render and deliver a report.

    ``output`` None: text is printed with rich (coloured on a terminal, plain when piped);
    json/md/html are written to stdout (or ``console.file``) as UTF-8; xlsx raises
    ``ValueError`` because a workbook cannot go to a terminal.
    ``output`` ``-``, ``/dev/stdout`` or ``/dev/stderr``: streamed there (xlsx too, unless it is a terminal).
    ``output`` a file: the report is written to a temporary file and renamed over the target (atomic);
    missing parent folders are created; a file named or found as input, or a target that is not a
    regular file (device, FIFO, folder), is never replaced (``UnsafeTargetError``, a ``ValueError``).
    """
    _check_format(fmt)
    stream = stream_name(output)
    # Rendering a large review allocates millions of short-lived objects and no cycles: the cyclic
    # collector would rescan the review's heap again and again (twice the time at 100,000 KRs).
    with paused_gc():
        if output is None or stream is not None:
            _report_to_stream(review, fmt, stream, console)
            return
        output = Path(output)
        check_target(output)
        check_not_input(review, output)
        # JSON is streamed piece by piece into the temporary file (a 100,000-KR report is ~100 MB); the
        # other formats are rendered whole first. Either way the target changes only by the final rename.
        data = import_module("._json", __name__).json_chunks(review) if fmt == "json" else render(review, fmt)
        output.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(output, data)
