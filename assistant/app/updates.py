"""Typed values a tab handler returns for one output component, and how each becomes what gradio expects.

Handlers return these (or plain strings, lists, state objects) in the fields of their result records, so
tests can read ``result.findings.rows`` instead of unpacking positional tuples padded with ``gr.update()``.
Only :func:`gradio_value` knows gradio's and pandas' shapes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import gradio as gr
import pandas as pd

from .texts import LANGUAGES, text


@runtime_checkable
class ToGradio(Protocol):
    """A typed output value that knows the gradio value or update it stands for."""

    def gradio(self) -> Any: ...


class Keep(Enum):
    """Leave the component as it is (a streamed step that changes only some outputs)."""

    KEEP = "keep"

    def gradio(self) -> Any:
        return gr.update()


KEEP = Keep.KEEP


@dataclass(frozen=True)
class Shown:
    """A text box shown or hidden; ``text`` None keeps its current text."""

    visible: bool
    text: str | None = None

    def gradio(self) -> Any:
        return (
            gr.update(visible=self.visible) if self.text is None else gr.update(value=self.text, visible=self.visible)
        )


@dataclass(frozen=True)
class Choices:
    """A dropdown's, radio's or checklist's choices (labels, or ``(label, value)`` pairs) and the chosen value.

    ``visible`` shows or hides the component with them (None: as it is).
    """

    choices: Sequence[str] | Sequence[tuple[str, str]]
    value: str | list[str] | None
    visible: bool | None = None

    def gradio(self) -> Any:
        shown: dict[str, Any] = {} if self.visible is None else {"visible": self.visible}
        return gr.update(choices=list(self.choices), value=self.value, **shown)


@dataclass(frozen=True)
class Table:
    """A table's rows under headers in the page's language; ``widths`` when the columns change with the rows."""

    headers: Sequence[str]
    rows: Sequence[Sequence[Any]] = ()
    widths: Sequence[str] | None = None

    def gradio(self) -> Any:
        frame = pd.DataFrame([list(row) for row in self.rows], columns=list(self.headers))
        return frame if self.widths is None else gr.update(value=frame, column_widths=list(self.widths))


@dataclass(frozen=True)
class Records:
    """A chart's data: one mapping per bar; ``columns`` name them when there may be no rows at all.

    ``colours`` (series label → colour) goes with data whose labels changed language: the browser swaps only
    the data of a chart whose settings are unchanged, keeping the old legend, so a different colour map
    (the new language's labels only) makes it redraw the whole chart.
    """

    rows: Sequence[dict[str, Any]]
    columns: Sequence[str] = field(default=())
    colours: Mapping[str, str] | None = None

    def gradio(self) -> Any:
        frame = pd.DataFrame(list(self.rows), columns=list(self.columns) or None)
        return frame if self.colours is None else gr.update(value=frame, color_map=dict(self.colours))


@dataclass(frozen=True)
class Relabel:
    """One property of a component (label, placeholder, button text, heading …) in the new language."""

    prop: str
    words: str
    visible: bool | None = None  # set to hide and show a component again, which redraws gradio's own words in it

    def gradio(self) -> Any:
        change: dict[str, Any] = {self.prop: self.words}
        if self.visible is not None:
            change["visible"] = self.visible
        return gr.update(**change)


def reworded(shown: str | None, keys: Sequence[str], language: str) -> str | Keep:
    """A hint (one of ui.toml's ``keys``, in any language) in ``language``; anything else is kept as it is."""
    said = {text(other, key): key for other in LANGUAGES for key in keys}
    if not shown or shown not in said:
        return KEEP if shown else text(language, keys[0])
    return text(language, said[shown])


def gradio_value(value: Any) -> Any:
    """What gradio takes for one output: typed values converted, paths as strings, anything else as it is."""
    if isinstance(value, ToGradio):
        return value.gradio()
    if isinstance(value, list) and value and all(isinstance(item, Path) for item in value):
        return [str(item) for item in value]
    return value


def rows_of(value: Any) -> list[list[Any]]:
    """A table input's rows, whether gradio hands over a DataFrame, a list of rows or nothing."""
    if value is None:
        return []
    if isinstance(value, pd.DataFrame):
        return value.values.tolist()
    return [list(row) for row in value]
