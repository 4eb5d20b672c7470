"""Render a review to a report: text (terminal), json, md, html or xlsx.

Public API::

    FORMATS = ("text", "json", "md", "html", "xlsx")
    render(review, fmt) -> str | bytes        # xlsx -> bytes, the others -> str
    write_report(review, fmt, output, *, console=None)
    write_atomic(path, data)

Format modules are imported on first use, so that importing this package (as
the CLI does on every run) does not load openpyxl.
"""

from __future__ import annotations

import sys
from importlib import import_module
from pathlib import Path
from typing import IO, TYPE_CHECKING

from ._atomic import write_atomic

if TYPE_CHECKING:
    from rich.console import Console

    from ..review import Review

__all__ = ["BINARY_FORMATS", "FORMATS", "render", "write_atomic", "write_report"]

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


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and a.samefile(b))
    except OSError:
        return False


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


def write_report(review: Review, fmt: str, output: Path | None, *, console: Console | None = None) -> None:
    """Render and deliver a report.

    ``output`` None: text is printed with rich (coloured on a terminal, plain when piped);
    json/md/html are written to stdout (or ``console.file``) as UTF-8; xlsx raises
    ``ValueError`` because a workbook cannot go to a terminal.
    ``output`` given: the report is written to a temporary file and renamed over the target (atomic);
    missing parent folders are created; an input file is never overwritten (``ValueError``).
    """
    _check_format(fmt)
    if output is None:
        if fmt in BINARY_FORMATS:
            raise ValueError(f"the {fmt} format needs an output file (--output FILE)")
        if fmt == "text":
            from rich.console import Console

            from ._text import print_text

            print_text(review, console or Console(highlight=False, markup=False, emoji=False))
            return
        text = render(review, fmt)
        assert isinstance(text, str)
        _write_stream(text, console.file if console is not None else sys.stdout)
        return
    output = Path(output)
    input_files = {*review.inputs, *(s.source.file for s in review.sets if s.source is not None)}
    for name in sorted(input_files):
        if _same_file(output, Path(name)):
            raise ValueError(f"refusing to overwrite the input file {name} with the report")
    # JSON is streamed piece by piece into the temporary file (a 100,000-KR report is ~100 MB); the
    # other formats are rendered whole first. Either way the target changes only by the final rename.
    data = import_module("._json", __name__).json_chunks(review) if fmt == "json" else render(review, fmt)
    output.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(output, data)
