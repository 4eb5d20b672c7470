"""A series of check-ins as one state per key result plus its history.

Check-ins arrive as several files (one per date) or as one file with a date column, where the same key
result appears on several rows. Snapshots of a key result are matched by team, cycle, objective text and
key result text; the latest becomes the key result, the earlier ones its ``history``. A snapshot's date is
its 更新日期 (``updated``), else a date in its file's name (``2025-07-14.csv``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from ..findings import InputProblem, ProblemLevel
from ..importers.messages import message, problem
from ..model import CheckIn, KeyResult, Objective, OKRSet

__all__ = ["file_date", "merge_series", "snapshot_date"]

_FILE_DATE = re.compile(r"(?<!\d)(\d{4})[-_.]?(\d{2})[-_.]?(\d{2})(?!\d)")


def file_date(file: str) -> date | None:
    """A date in a file's name: ``checkin-2025-07-14.csv`` or ``20250714.xlsx``; None when there is none."""
    match = _FILE_DATE.search(Path(file).stem)
    if not match:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def snapshot_date(kr: KeyResult) -> date | None:
    """When this state of a key result was recorded: its update date, else the date in its file's name."""
    if kr.updated is not None:
        return kr.updated
    return file_date(kr.source.file) if kr.source is not None else None


def _key(text: str) -> str:
    return re.sub(r"\s+", "", text).casefold()


def _as_checkin(kr: KeyResult, day: date) -> CheckIn:
    return CheckIn.model_construct(
        date=day,
        progress=kr.progress,
        current=kr.current,
        confidence=kr.confidence,
        status=kr.status,
        note=kr.checkin_note,
    )


def _merge_krs(snapshots: list[KeyResult]) -> KeyResult:
    """The latest snapshot, dated, with the earlier ones (and their own history) as its history, oldest first."""
    dated = [(snapshot_date(kr), order, kr) for order, kr in enumerate(snapshots)]
    dated.sort(key=lambda item: (item[0] or date.min, item[1]))
    *earlier, (day, _, latest) = dated
    history: dict[date, CheckIn] = {}
    for when, _, kr in earlier:
        for past in kr.history:
            history.setdefault(past.date, past)
        if when is not None and when != day:
            history[when] = _as_checkin(kr, when)
    for past in latest.history:
        history.setdefault(past.date, past)
    merged = [history[when] for when in sorted(history) if day is None or when < day]
    # The id the key result had where it first appeared: a file with a date column repeats a KR on later rows,
    # where the reader numbers the repeats after the first ones.
    return latest.model_copy(update={"history": merged, "updated": day, "id": snapshots[0].id})


def merge_series(sets: Iterable[OKRSet]) -> tuple[list[OKRSet], list[InputProblem]]:
    """One set per team and cycle, each key result with its earlier check-ins; notices for undated snapshots."""
    groups: dict[tuple[str, str | None], list[OKRSet]] = {}
    for okr_set in sets:
        groups.setdefault((okr_set.team.strip(), okr_set.cycle), []).append(okr_set)
    merged: list[OKRSet] = []
    problems: list[InputProblem] = []
    for group in groups.values():
        snapshots: dict[tuple[str, str], list[KeyResult]] = {}
        objectives: dict[str, Objective] = {}
        for okr_set in group:
            for objective in okr_set.objectives:
                objectives[_key(objective.text)] = objective  # the latest file's wording and fields win
                for kr in objective.key_results:
                    snapshots.setdefault((_key(objective.text), _key(kr.text)), []).append(kr)
        built: list[Objective] = []
        for okey, objective in objectives.items():
            krs = [_merge_krs(found) for (o, _), found in snapshots.items() if o == okey]
            built.append(objective.model_copy(update={"key_results": krs}))
        last = group[-1]
        merged.append(last.model_copy(update={"objectives": built}))
        problems.extend(_undated(group))
    return merged, problems


def _undated(group: list[OKRSet]) -> list[InputProblem]:
    """One notice per file of a multi-snapshot series whose key results carry no date at all."""
    if len(group) < 2 and not any(_repeats(s) for s in group):
        return []
    notices = []
    seen: set[str] = set()
    for okr_set in group:
        for _, kr in okr_set.key_results():
            if snapshot_date(kr) is None and kr.source is not None and kr.source.file not in seen:
                seen.add(kr.source.file)
                notices.append(
                    problem(
                        message("IMP138"),
                        kr.source.file,
                        row=kr.source.row,
                        line=kr.source.line,
                        sheet=kr.source.sheet,
                        field="updated",
                        level=ProblemLevel.warning,
                    )
                )
    return notices


def _repeats(okr_set: OKRSet) -> bool:
    texts = [(_key(o.text), _key(kr.text)) for o, kr in okr_set.key_results()]
    return len(texts) != len(set(texts))
