"""Cycles as dates, and a series of check-ins (files per date, or a date column) joined into one state per KR."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from assistant.checkin import analyse_checkins, merge_series, parse_cycle
from assistant.checkin.cycle import cycle_span
from assistant.checkin.series import file_date
from assistant.importers import load_paths
from assistant.model import OKRSet

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "checkins"


@pytest.mark.parametrize(
    ("cycle", "start", "end"),
    [
        ("2025Q3", date(2025, 7, 1), date(2025, 9, 30)),
        ("2025Q1", date(2025, 1, 1), date(2025, 3, 31)),
        ("2025H2", date(2025, 7, 1), date(2025, 12, 31)),
        ("2025", date(2025, 1, 1), date(2025, 12, 31)),
        ("2025年第三季度", date(2025, 7, 1), date(2025, 9, 30)),
        ("Q4 2025", date(2025, 10, 1), date(2025, 12, 31)),
    ],
)
def test_cycles_as_dates(cycle, start, end):
    span = parse_cycle(cycle)
    assert span is not None and (span.start, span.end) == (start, end)


def test_not_a_cycle():
    assert parse_cycle("下个阶段") is None and parse_cycle(None) is None
    assert cycle_span(OKRSet(team="t")) is None


def test_cycle_end_overrides_the_end():
    span = cycle_span(OKRSet(team="t", cycle="2025Q3", cycle_end=date(2025, 9, 15)))
    assert span is not None and span.end == date(2025, 9, 15)


def test_elapsed_share_at_start_middle_end_and_outside():
    span = parse_cycle("2025Q3")
    assert span is not None
    assert span.elapsed(date(2025, 7, 1)) == 0
    assert span.elapsed(date(2025, 6, 1)) == 0
    assert span.elapsed(date(2025, 9, 30)) == 1
    assert span.elapsed(date(2025, 12, 1)) == 1
    assert span.elapsed(date(2025, 8, 15)) == pytest.approx(45 / 91)


def test_dates_in_file_names():
    assert file_date("checkins/2025-08-11.csv") == date(2025, 8, 11)
    assert file_date("增长部_20250728.xlsx") == date(2025, 7, 28)
    assert file_date("okrs.csv") is None and file_date("2025-13-45.csv") is None


def test_the_shipped_example_joins_two_checkins_into_a_history():
    loaded = load_paths([EXAMPLE])
    assert loaded.problems == [] and len(loaded.sets) == 2
    sets, notices = merge_series(loaded.sets)
    assert notices == [] and len(sets) == 1
    krs = {o.kr_ref(kr): kr for o, kr in sets[0].key_results()}
    assert list(krs) == ["O1.KR1", "O1.KR2", "O1.KR3", "O2.KR1", "O2.KR2"]
    kr2 = krs["O1.KR2"]
    assert kr2.progress == 22 and kr2.updated == date(2025, 8, 11) and kr2.confidence == 40
    assert [(c.date, c.progress, c.confidence) for c in kr2.history] == [(date(2025, 7, 28), 20, 70)]
    # Not updated in the second file: the same date twice is one check-in, not history.
    assert krs["O2.KR1"].updated == date(2025, 7, 28) and krs["O2.KR1"].history == []
    # The files may be given in any order.
    again, _ = merge_series(list(reversed(loaded.sets)))
    assert {o.kr_ref(k): (k.progress, len(k.history)) for o, k in again[0].key_results()} == {
        ref: (kr.progress, len(kr.history)) for ref, kr in krs.items()
    }


def test_the_example_shows_every_status():
    sets, _ = merge_series(load_paths([EXAMPLE]).sets)
    review = analyse_checkins(sets, date(2025, 8, 15))
    statuses = {kr.ref: kr.status for kr in review.sets[0].key_results()}
    assert statuses == {
        "O1.KR1": "on_track",
        "O1.KR2": "off_track",
        "O1.KR3": "done_early",
        "O2.KR1": "stale",
        "O2.KR2": "at_risk",
    }


def test_one_file_with_a_date_column(tmp_path):
    path = tmp_path / "series.csv"
    path.write_text(
        "目标,关键结果,负责人,进度,信心指数,更新日期\n"
        "提升留存,7 日留存率从 20% 提升到 35%,王磊,10%,70%,2025-07-14\n"
        "提升留存,激活率从 30% 提升到 50%,李娜,5%,60%,2025-07-14\n"
        "提升留存,7 日留存率从 20% 提升到 35%,王磊,30%,60%,2025-07-28\n"
        "提升留存,激活率从 30% 提升到 50%,李娜,20%,60%,2025-07-28\n",
        encoding="utf-8",
    )
    sets, notices = merge_series(load_paths([path]).sets)
    assert notices == []
    krs = {o.kr_ref(kr): kr for o, kr in sets[0].key_results()}
    assert list(krs) == ["O1.KR1", "O1.KR2"]
    assert krs["O1.KR1"].progress == 30 and [c.progress for c in krs["O1.KR1"].history] == [10]
    assert krs["O1.KR2"].progress == 20 and krs["O1.KR2"].updated == date(2025, 7, 28)


def test_undated_snapshots_are_reported(tmp_path):
    for name, progress in (("a.csv", "10%"), ("b.csv", "20%")):
        (tmp_path / name).write_text(
            f"团队,目标,关键结果,进度\n增长部,提升留存,留存率到 35%,{progress}\n", encoding="utf-8"
        )
    sets, notices = merge_series(load_paths([tmp_path / "a.csv", tmp_path / "b.csv"]).sets)
    assert sets[0].objectives[0].key_results[0].progress == 20  # the order given
    assert {Path(n.file).name for n in notices} == {"a.csv", "b.csv"}
    assert all(n.field == "updated" and n.level.value == "warning" for n in notices)


def test_the_checkin_package_stays_below_cli_app_llm_and_assist():
    import ast

    for path in (ROOT / "assistant" / "checkin").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level:
                top = (node.module or "").split(".")[0]
                assert top not in ("cli", "app", "llm", "assist"), f"{path.name} imports ..{node.module}"
