"""Issue 14: every hostile file is one clear input problem, read in bounded memory and time, and left unchanged.

Each case runs ``load_paths`` in a child process under an RLIMIT_AS ceiling (see sandbox.py). Before the
limits, these files crashed the process (SIGABRT, SIGSEGV, MemoryError, RecursionError), ran for minutes,
or silently lost rows.
"""

from __future__ import annotations

from pathlib import Path

import hostile
import pytest
from sandbox import BUDGET_MB, TIME_LIMIT_S, Outcome, names_limit, run_import

_MB = 1024 * 1024


def bounded(outcome: Outcome) -> Outcome:
    """Assert what every hostile case must do: finish, in time and memory, leaving its inputs as they were."""
    assert outcome.returncode == 0, outcome.stderr
    assert outcome.seconds < TIME_LIMIT_S
    assert outcome.rss_peak < BUDGET_MB * _MB
    assert outcome.unchanged
    return outcome


def refused(outcome: Outcome, path: Path, limit: str) -> dict:
    """The one error problem of a refused file, which names the file and the limit crossed."""
    [problem] = [p for p in outcome.errors() if p["file"] == str(path)]
    assert names_limit(problem, limit), problem
    return problem


def test_yaml_alias_amplification_is_refused_before_expansion(inputs: Path) -> None:
    bomb = hostile.yaml_alias_bomb(inputs)
    good = hostile.good_csv(inputs)
    outcome = bounded(run_import([bomb, good]))
    refused(outcome, bomb, "alias-nodes")
    assert outcome.key_results == 1  # the good file beside it is still read


@pytest.mark.parametrize("build", [hostile.yaml_deep, hostile.json_deep], ids=["yaml", "json"])
def test_deep_nesting_is_an_input_error_and_the_folder_is_still_read(inputs: Path, build) -> None:
    deep = build(inputs)
    hostile.good_csv(inputs)
    outcome = bounded(run_import([inputs]))  # the whole folder, as `okr-review check DIR` reads it
    problem = refused(outcome, deep, "depth")
    assert problem["line"] >= 1
    assert outcome.key_results == 1


def test_xlsx_merge_bomb_is_refused_before_the_ranges_are_filled(inputs: Path) -> None:
    bomb = hostile.merge_bomb(inputs)
    outcome = bounded(run_import([bomb, hostile.good_csv(inputs)]))
    problem = refused(outcome, bomb, "merged-cells")
    assert problem["sheet"] == "OKR"
    assert outcome.key_results == 1


def test_xlsx_huge_shared_string_is_refused_from_the_zip_directory(inputs: Path) -> None:
    bomb = hostile.huge_shared_string(inputs)
    assert bomb.stat().st_size < 2 * _MB  # 400 MB once unzipped
    refused(bounded(run_import([bomb])), bomb, "unpacked-bytes")


def test_xlsx_many_shared_strings_are_refused_before_openpyxl_loads_them(inputs: Path) -> None:
    bomb = hostile.many_shared_strings(inputs)
    refused(bounded(run_import([bomb])), bomb, "shared-string-bytes")


def test_xlsx_million_rows_at_column_xfd_stop_at_the_rows_limit(inputs: Path) -> None:
    bomb = hostile.far_column_rows(inputs)
    problem = refused(bounded(run_import([bomb])), bomb, "rows")
    assert problem["row"] == 120_001


def test_xlsx_cells_far_right_of_the_columns_read_cost_nothing(inputs: Path) -> None:
    path = hostile.wide_far_rows(inputs, rows=20_000)
    outcome = bounded(run_import([path]))
    assert outcome.errors() == []
    assert outcome.key_results == 20_000


def test_csv_unclosed_quote_is_reported_with_its_row(inputs: Path) -> None:
    path = hostile.unclosed_quote_csv(inputs)
    outcome = bounded(run_import([path]))
    [problem] = outcome.errors()
    assert (problem["row"], problem["line"]) == (3, 3)
    assert "unclosed quote" in problem["reason"]
    assert outcome.key_results == 1  # the row above the quote; nothing swallowed is passed off as an objective


def test_one_badly_encoded_row_costs_that_row_only(inputs: Path) -> None:
    path = hostile.bad_row_csv(inputs)
    outcome = bounded(run_import([path]))
    [problem] = outcome.errors()
    assert problem["row"] == 3
    assert "not valid utf-8" in problem["reason"]
    assert outcome.key_results == 2


def test_markdown_with_more_than_999_objectives_loses_none(inputs: Path) -> None:
    outcome = bounded(run_import([hostile.many_objectives_md(inputs)]))
    assert outcome.problems == []
    assert (outcome.objectives, outcome.key_results) == (1_200, 1_200)


def test_hidden_sheets_are_read_with_a_notice_naming_them(inputs: Path) -> None:
    outcome = bounded(run_import([hostile.hidden_sheets(inputs)]))
    notices = {p["sheet"]: p["reason"] for p in outcome.warnings()}
    assert "hidden" in notices["藏"]
    assert "very hidden" in notices["深藏"]
    assert "OKR" not in notices
    assert outcome.errors() == []
