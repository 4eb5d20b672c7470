"""The words of check-ins: status names, labels, agenda and open handshake states from the text table
``assistant/data/checkin_texts.toml``; finding codes, their texts and the status colours from ``checkin.toml``;
the titles of the shipped knowledge notes the findings point to, so reports name a note in words."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import TYPE_CHECKING, Any

from ..shipped import data_table, shipped_dir
from ..texts import LANGUAGES, words

if TYPE_CHECKING:
    from ..knowledge import NoteBook

__all__ = [
    "agenda_text",
    "code_info",
    "codes",
    "finding_title",
    "handshake_state",
    "label",
    "note_title",
    "status_colour",
    "status_label",
]

TABLE = "checkin_texts"


def _table() -> Mapping[str, Any]:
    return data_table("checkin")


def codes() -> Mapping[str, Mapping[str, Any]]:
    """Every check-in finding code (CHK001…) with its severity, note and texts."""
    return _table()["codes"]


def code_info(code: str) -> Mapping[str, Any]:
    return codes()[code]


def _words(language: str, section: str) -> Mapping[str, str]:
    """One section of the text table in ``language``; a language not offered reads as English."""
    return words(TABLE).table(language if language in LANGUAGES else "en")[section]


def status_label(status: str, language: str) -> str:
    """正常 / 有风险 / Off track…: how a status is shown."""
    return _words(language, "statuses")[status]


def status_colour(status: str) -> str:
    return _table()["statuses"][status]["colour"]


def label(key: str, language: str) -> str:
    """A report label in the language."""
    return _words(language, "labels")[key]


def agenda_text(key: str, language: str) -> str:
    """A line of the check-in agenda skeleton in the language."""
    return _words(language, "agenda")[key]


def handshake_state(state: str, language: str) -> str:
    """仍有疑问 / not accepted / unanswered: how an open handshake is described."""
    return _words(language, "handshake_states")[state]


def finding_title(code: str, language: str) -> str:
    """A finding said in words (进度严重落后：偏离 / Far behind schedule: off track); the code when it has no title."""
    title = codes().get(code, {}).get("title", {})
    return str(title.get(language if language in LANGUAGES else "en") or code)


@cache
def _shipped_notes() -> NoteBook:
    from ..knowledge import NoteBook, load_notes

    folder = shipped_dir("knowledge")
    return load_notes(folder) if folder.is_dir() else NoteBook({})


def note_title(note_id: str, language: str) -> str:
    """The title of a shipped knowledge note in the language; the id when the note is not there."""
    note = _shipped_notes().get(note_id)
    return note.title_in(language) if note is not None else note_id
