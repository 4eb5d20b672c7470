"""The colours of severities and score bands, from ``assistant/data/palette.toml``: one palette for every view.

The web app (badges, charts, tables) and the HTML report read the same entries, so 严重 is the same red
everywhere and a chart can never colour a hint as the worst finding.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from .shipped import data_table


@dataclass(frozen=True, slots=True)
class Swatch:
    """A colour for text and marks, and its pale background."""

    colour: str
    background: str


def _swatches(group: str) -> dict[str, Swatch]:
    return {name: Swatch(entry["colour"], entry["background"]) for name, entry in data_table("palette")[group].items()}


@cache
def severity_swatches() -> dict[str, Swatch]:
    """Severity value (``error``, ``warning``, ``info``) → its swatch."""
    return _swatches("severity")


@cache
def band_swatches() -> dict[str, Swatch]:
    """Score band name (:class:`assistant.scoring.Band` values) → its swatch."""
    return _swatches("band")


def severity_css_variables() -> str:
    """``--error:…;--error-bg:…`` for every severity, for a CSS ``:root`` rule."""
    return "".join(f"--{name}:{s.colour};--{name}-bg:{s.background};" for name, s in severity_swatches().items())
