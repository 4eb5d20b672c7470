"""Input problems as codes plus parameters, rendered in Chinese or English for the command line or the app.

Every problem an importer reports has a stable code (``IMP001``…) whose texts, in both languages, are kept
in ``assistant/data/problems.toml``; its parameters fill the text's ``{fields}``. A parameter may itself be
a coded text (a reason inside a reason, such as the detail of a bad value), stored as
``{"code": …, "params": {…}}`` so a problem stays plain JSON. ``{hint_*}`` fields are filled per surface:
the command line names its options (``--map``), the app gets a neutral wording.

    problem_text(problem, "zh")  # 'okrs.csv 第 3 行（字段 due）：列“截止”的值有误：…'
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from ..findings import InputProblem, ProblemLevel
from ..texts import Words, words

__all__ = [
    "SURFACES",
    "CodedError",
    "Message",
    "codes",
    "message",
    "problem",
    "problem_reason",
    "problem_text",
    "render",
    "unreadable",
]

TABLE = "problems"
SURFACES: tuple[str, ...] = ("cli", "app")  # the command line names its options; the app does not
_HINT = "hint_"


def _words() -> Words:
    return words(TABLE)


@cache
def _keys() -> frozenset[str]:
    return _words().keys()


def codes() -> tuple[str, ...]:
    """Every problem code in the table (``IMP001``…), sorted."""
    return tuple(sorted(key for key in _keys() if key.startswith("IMP")))


@dataclass(frozen=True, slots=True)
class Message:
    """A coded text: ``code`` names it in ``problems.toml``, ``params`` fill its fields.

    ``str()`` is the English command-line wording, which is what ``InputProblem.reason`` keeps.
    """

    code: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return render(self.code, self.params, "en", "cli")

    def to_dict(self) -> dict[str, Any]:
        """The plain-JSON form: nested messages become ``{"code", "params"}`` mappings."""
        return {"code": self.code, "params": _plain(self.params)}


def message(code: str, /, **params: Any) -> Message:
    """A coded text; raises ``KeyError`` at once for a code the table does not have (a programming error)."""
    if code not in _keys():
        raise KeyError(f"{TABLE}.toml has no {code}")
    return Message(code, params)


class CodedError(ValueError):
    """A value that cannot be read, with its reason as a coded text (``str()`` is the English wording)."""

    def __init__(self, text: Message) -> None:
        super().__init__(str(text))
        self.text = text


def problem(
    text: Message,
    file: str,
    *,
    row: int | None = None,
    line: int | None = None,
    sheet: str | None = None,
    field: str | None = None,
    level: ProblemLevel = ProblemLevel.error,
) -> InputProblem:
    """An input problem from a coded text: ``reason`` is its English wording, ``code`` and ``params`` its data."""
    return InputProblem(
        file=file,
        reason=str(text),
        line=line,
        row=row,
        sheet=sheet,
        field=field,
        level=level,
        code=text.code,
        params=_plain(text.params),
    )


def unreadable(file: str, error: BaseException) -> InputProblem:
    """The problem for a file a caller could not read at all (an unexpected error), named by the error's type."""
    return problem(message("IMP015", kind=type(error).__name__), file)


def _plain(params: Mapping[str, Any]) -> dict[str, Any]:
    """Parameters as plain JSON values: nested texts as mappings, anything else not JSON as its text."""
    return {name: _plain_value(value) for name, value in params.items()}


def _plain_value(value: Any) -> Any:
    if isinstance(value, Message):
        return value.to_dict()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _value(value: Any, language: str, surface: str) -> Any:
    """A parameter as it is shown: a nested coded text rendered in the same language and surface."""
    if isinstance(value, Message):
        return render(value.code, value.params, language, surface)
    if isinstance(value, Mapping) and "code" in value:
        return render(str(value["code"]), value.get("params") or {}, language, surface)
    return value


def render(code: str, params: Mapping[str, Any], language: str, surface: str = "app") -> str:
    """The text of ``code`` in ``language`` with its fields filled; ``{hint_*}`` by the surface's wording."""
    table = _words()
    template = table.get(language, code)
    values = {name: _value(value, language, surface) for name, value in params.items()}
    for _, name, _, _ in string.Formatter().parse(template):
        if name and name.startswith(_HINT) and name not in values:
            values[name] = table.get(language, f"{name}-{surface if surface in SURFACES else 'app'}")
    return template.format(**values)


def problem_reason(problem: InputProblem, language: str, surface: str = "app") -> str:
    """Why the problem arose, in ``language``; a problem without a code (built elsewhere) keeps its reason."""
    if problem.code is None:
        return problem.reason
    return render(problem.code, problem.params, language, surface)


def where(problem: InputProblem, language: str) -> str:
    """Where the problem is: file, sheet, row or line, field, in the words of ``language``."""
    table = _words()
    place = problem.file
    if problem.sheet:
        place += table.get(language, "where-sheet", sheet=problem.sheet)
    if problem.row is not None:
        place += table.get(language, "where-row", row=problem.row)
    elif problem.line is not None:
        place += table.get(language, "where-line", line=problem.line)
    if problem.field:
        place += table.get(language, "where-field", field=problem.field)
    return place


def problem_text(problem: InputProblem, language: str, surface: str = "app") -> str:
    """The whole problem in ``language``: where it is, then why (``okrs.csv 第 3 行（字段 due）：…``).

    In English on the command line this is exactly ``problem.describe()``.
    """
    return _words().get(
        language, "where-reason", where=where(problem, language), reason=problem_reason(problem, language, surface)
    )
