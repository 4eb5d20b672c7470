"""What ships with the package: folders beside it (knowledge/, prompts/) and its data tables (assistant/data/*.toml).

A checkout (and an editable install) reads them from the repository root; a wheel installs them
under ``<prefix>/share/okr-review/`` (see ``[tool.setuptools.data-files]`` in pyproject.toml).
"""

from __future__ import annotations

import sys
import tomllib
from collections.abc import Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any


def shipped_dir(name: str) -> Path:
    checkout = Path(__file__).resolve().parents[1] / name
    if checkout.is_dir():
        return checkout
    return Path(sys.prefix) / "share" / "okr-review" / name


@cache
def data_table(name: str) -> Mapping[str, Any]:
    """``assistant/data/<name>.toml`` parsed once, read-only: word lists, labels and settings kept as data."""
    text = resources.files("assistant").joinpath(f"data/{name}.toml").read_text(encoding="utf-8")
    return MappingProxyType(tomllib.loads(text))
