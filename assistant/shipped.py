"""Folders shipped beside the package (knowledge/, prompts/): a checkout's own, else the installed copy.

A checkout (and an editable install) reads them from the repository root; a wheel installs them
under ``<prefix>/share/okr-review/`` (see ``[tool.setuptools.data-files]`` in pyproject.toml).
"""

from __future__ import annotations

import sys
from pathlib import Path


def shipped_dir(name: str) -> Path:
    checkout = Path(__file__).resolve().parents[1] / name
    if checkout.is_dir():
        return checkout
    return Path(sys.prefix) / "share" / "okr-review" / name
