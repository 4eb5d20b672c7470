"""Check-ins between writing the OKRs and scoring them: progress against time, confidence, weights, agenda.

``okr-review checkin`` reads one or more check-in files (``series.merge_series`` joins them into one state
per key result with its history), classifies every key result on the check-in date (``analysis``) and
renders the result (``report``). The analysis imports neither the CLI, the app nor the LLM.
"""

from __future__ import annotations

from .analysis import (
    STATUSES,
    CheckinFinding,
    CheckinReview,
    KRCheck,
    ObjectiveCheck,
    SetCheck,
    Thresholds,
    analyse_checkins,
    kr_progress,
)
from .cycle import CycleSpan, cycle_span, parse_cycle
from .series import merge_series

__all__ = [
    "STATUSES",
    "CheckinFinding",
    "CheckinReview",
    "CycleSpan",
    "KRCheck",
    "ObjectiveCheck",
    "SetCheck",
    "Thresholds",
    "analyse_checkins",
    "cycle_span",
    "kr_progress",
    "merge_series",
    "parse_cycle",
]
