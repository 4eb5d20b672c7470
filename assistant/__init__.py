"""okr-review: check OKRs against the CLASSIC standard and explain every finding."""

__version__ = "0.1.0"
