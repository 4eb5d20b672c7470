"""The words of check-ins, from ``assistant/data/checkin.toml``: status names, finding texts, labels, agenda."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..shipped import data_table

__all__ = ["agenda_text", "code_info", "codes", "handshake_state", "label", "status_colour", "status_label"]


def _table() -> Mapping[str, Any]:
    return data_table("checkin")


def codes() -> Mapping[str, Mapping[str, Any]]:
    """Every check-in finding code (CHK001…) with its severity, note and texts."""
    return _table()["codes"]


def code_info(code: str) -> Mapping[str, Any]:
    return codes()[code]


def _lang(language: str) -> str:
    return language if language in ("zh", "en") else "en"


def status_label(status: str, language: str) -> str:
    """正常 / 有风险 / Off track…: how a status is shown."""
    return _table()["statuses"][status][_lang(language)]


def status_colour(status: str) -> str:
    return _table()["statuses"][status]["colour"]


def label(key: str, language: str) -> str:
    """A report label in the language."""
    return _table()["labels"][_lang(language)][key]


def agenda_text(key: str, language: str) -> str:
    """A line of the check-in agenda skeleton in the language."""
    return _table()["agenda"][_lang(language)][key]


def handshake_state(state: str, language: str) -> str:
    """仍有疑问 / not accepted / unanswered: how an open handshake is described."""
    return _table()["handshake_states"][state][_lang(language)]
