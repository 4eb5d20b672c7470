"""The words of check-ins: status names, labels, agenda and open handshake states from the text table
``assistant/data/checkin_texts.toml``; finding codes, their texts and the status colours from ``checkin.toml``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..shipped import data_table
from ..texts import LANGUAGES, words

__all__ = ["agenda_text", "code_info", "codes", "handshake_state", "label", "status_colour", "status_label"]

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
