"""The delimiter of a CSV / TSV text: the one guess every reader of such files shares.

The importers, the check-in note reader and the annotated-XLSX report (which re-reads a CSV input to copy
its rows) must split a file the same way, or a finding's row would point at a different record.
"""

from __future__ import annotations

__all__ = ["DELIMITERS", "SNIFF_ROWS", "sniff_delimiter"]

DELIMITERS = (",", "\t", ";")
SNIFF_ROWS = 10  # the header row must be among the first rows of a file, so these lines show the delimiter
SNIFF_CHARS = 65_536  # enough of a text for those lines, without splitting a large file into lines


def sniff_delimiter(text: str, suffix: str = ".csv") -> str:
    """The delimiter used most on any of the first lines; on a tie the one on more lines, then the suffix's own.

    "Most on any line" finds the header under a title row; "on more lines" settles a semicolon file whose
    notes hold a comma or two. Without any delimiter, the suffix's own (tab for ``.tsv``, else comma).
    """
    preferred = "\t" if suffix.lower() == ".tsv" else ","
    lines = text[:SNIFF_CHARS].lstrip("\ufeff").splitlines()[:SNIFF_ROWS]
    best, best_key = preferred, (0, 0, True)
    for delimiter in DELIMITERS:
        counts = [line.count(delimiter) for line in lines]
        key = (max(counts, default=0), sum(1 for count in counts if count), delimiter == preferred)
        if key[0] and key > best_key:
            best, best_key = delimiter, key
    return best
