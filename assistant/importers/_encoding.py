"""Text encodings of user files: what Chinese and English exports actually use, tried in a fixed order.

A byte-order mark decides outright (UTF-8, UTF-16, UTF-32). Without one, UTF-16 is guessed from NUL bytes,
then UTF-8 is tried, then GB18030 (a superset of GBK and GB2312, the default of Chinese Excel). The order
is deterministic, so the same file always reads the same way; falling back to GB18030 is silent.
"""

from __future__ import annotations

import codecs

__all__ = ["HEAD_BYTES", "candidates", "decode", "decode_head"]

HEAD_BYTES = 64 * 1024  # enough of a file to see its BOM, its header rows and its delimiter

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE: its BOM starts the same way
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def candidates(head: bytes) -> list[str]:
    """Encodings to try for a file starting with ``head``, most likely first."""
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return [encoding]
    order = ["utf-8", "gb18030"]
    sample = head[:4096]
    if 0 in sample:  # text in UTF-8 or GBK never holds a NUL byte; in UTF-16 every ASCII character does
        even = sample[0::2].count(0)
        odd = sample[1::2].count(0)
        order[:0] = ["utf-16-be", "utf-16-le"] if even > odd else ["utf-16-le", "utf-16-be"]
    return order


def decode(raw: bytes) -> tuple[str, str] | None:
    """The text of ``raw`` and the encoding that read it, or ``None`` when no candidate decodes it."""
    for encoding in candidates(raw[:HEAD_BYTES]):
        try:
            return raw.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    return None


def decode_head(head: bytes, encoding: str) -> str | None:
    """The start of a file in ``encoding``, tolerating a character cut at the end; ``None`` if it fails."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        return decoder.decode(head, final=False)
    except UnicodeDecodeError:
        return None
