"""Limits on what one file may cost (issue 14): each crossed limit is one clear problem; other files still read."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from importer_helpers import errors, one_set, warnings
from openpyxl import Workbook

from assistant.config import ConfigError
from assistant.configfile import config_from_mapping
from assistant.importers import LIMIT_NAMES, LimitsError, default_limits, limits_from, load_paths, load_text

GOOD = "目标,关键结果\n提升留存,次月留存率从 30% 提升到 40%\n"


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def only_error(result, path: Path, limit: str):
    [problem] = [p for p in errors(result) if p.file == str(path)]
    assert f"{limit} limit" in problem.reason
    return problem


def test_every_limit_has_a_positive_default() -> None:
    limits = default_limits()
    assert len(LIMIT_NAMES) == 12
    assert all(getattr(limits, name.replace("-", "_")) > 0 for name in LIMIT_NAMES)


def test_overrides_are_checked_by_name_and_value() -> None:
    assert limits_from({"rows": 5}).rows == 5
    assert limits_from({"rows": 5}).depth == default_limits().depth
    with pytest.raises(LimitsError, match="unknown limit"):
        limits_from({"row": 5})
    for bad in (0, -1, 2.5, True, "10"):
        with pytest.raises(LimitsError, match="positive whole number"):
            limits_from({"rows": bad})


def test_config_limits_table_is_validated_and_kept() -> None:
    assert dict(config_from_mapping({"limits": {"file-bytes": 1000}}).limits) == {"file-bytes": 1000}
    with pytest.raises(ConfigError, match=r"limits\.depth: must be a positive whole number"):
        config_from_mapping({"limits": {"depth": 0}})
    with pytest.raises(ConfigError, match="limits: must be a table"):
        config_from_mapping({"limits": 3})


def test_file_bytes_limit_refuses_the_file_and_reads_the_others(tmp_path: Path) -> None:
    big = write(tmp_path, "big.csv", GOOD + "甲,指标从 1 提升到 2\n" * 50)
    small = write(tmp_path, "small.md", "O1: 提升留存\n- KR1: 次月留存率从 30% 提升到 40%\n")
    result = load_paths([big, small], limits={"file-bytes": 500})
    problem = only_error(result, big, "file-bytes")
    assert "bytes" in problem.reason
    assert [s.team for s in result.sets] == ["small"]


def test_csv_rows_limit_names_the_row(tmp_path: Path) -> None:
    path = write(tmp_path, "rows.csv", "目标,关键结果\n" + "提升留存,指标从 1 提升到 2\n" * 10)
    assert only_error(load_paths([path], limits={"rows": 5}), path, "rows").row == 6
    assert errors(load_paths([path], limits={"rows": 11})) == []


def test_csv_row_with_too_many_cells_stops_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "wide.csv", GOOD + "甲,乙" + "," * 300 + "\n")
    assert only_error(load_paths([path]), path, "cells-per-row").line == 3


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("many.csv", "目标,关键结果\n" + "".join(f"目标{n},指标{n}从 1 提升到 2\n" for n in range(4))),
        ("many.md", "".join(f"O{n}: 目标{n}\n- KR1: 指标{n}从 1 提升到 2\n" for n in range(1, 5))),
        ("many.json", json.dumps({"team": "甲", "objectives": [{"text": f"目标{n}"} for n in range(4)]})),
    ],
)
def test_objectives_limit_applies_to_every_format(tmp_path: Path, name: str, text: str) -> None:
    path = write(tmp_path, name, text)
    only_error(load_paths([path], limits={"objectives": 3}), path, "objectives")
    assert errors(load_paths([path], limits={"objectives": 4})) == []


def test_key_results_limit(tmp_path: Path) -> None:
    path = write(
        tmp_path, "krs.md", "O1: 提升留存\n" + "".join(f"- KR{n}: 指标{n}从 1 提升到 2\n" for n in range(1, 6))
    )
    assert only_error(load_paths([path], limits={"key-results": 4}), path, "key-results").line == 6


def test_outline_numbers_objectives_past_999(tmp_path: Path) -> None:
    text = "".join(f"O{n}: 目标 {n}\n- KR1: 指标 {n} 从 1 提升到 2\n" for n in range(998, 1003))
    okr_set = one_set(load_paths([write(tmp_path, "o.md", text)]))
    assert [o.id for o in okr_set.objectives] == ["O998", "O999", "O1000", "O1001", "O1002"]
    assert all(len(o.key_results) == 1 for o in okr_set.objectives)


def test_json_depth_is_checked_before_parsing(tmp_path: Path) -> None:
    path = write(tmp_path, "deep.json", '{"team": "甲", "note": ' + "[" * 70 + "]" * 70 + "}")
    assert only_error(load_paths([path]), path, "depth").line == 1
    shallow = write(tmp_path, "ok.json", '{"team": "甲", "objectives": [{"text": "提升留存", "key_results": []}]}')
    assert errors(load_paths([shallow])) == []


def test_brackets_inside_json_strings_do_not_count_as_depth() -> None:
    text = json.dumps({"team": "甲", "objectives": [{"text": "[" * 200 + "提升留存"}]})
    assert errors(load_text(text)) == []


@pytest.mark.parametrize("text", ["[" * 100_000 + "]" * 100_000, '{"a": ' + "[" * 100_000])
def test_pasted_deep_json_is_a_problem_not_an_exception(text: str) -> None:
    [problem] = load_text(text).problems
    assert "depth limit" in problem.reason


def test_yaml_with_a_few_aliases_reads(tmp_path: Path) -> None:
    text = (
        "team: 甲\nobjectives:\n- text: 提升留存\n  owner: &zs 张三\n"
        "  key_results:\n  - text: 留存从 30% 提升到 40%\n    owner: *zs\n"
    )
    okr_set = one_set(load_paths([write(tmp_path, "a.yaml", text)]))
    assert okr_set.objectives[0].key_results[0].owner == "张三"


def test_yaml_aliases_over_the_budget_are_refused(tmp_path: Path) -> None:
    krs = ", ".join(["*kr"] * 20)
    text = (
        f"kr: &kr {{text: 留存从 30% 提升到 40%}}\nteam: 甲\nobjectives: [{{text: 提升留存, key_results: [{krs}]}}]\n"
    )
    path = write(tmp_path, "alias.yaml", text)
    assert only_error(load_paths([path], limits={"alias-nodes": 30}), path, "alias-nodes").line == 3
    assert errors(load_paths([path], limits={"alias-nodes": 60})) == []


def test_yaml_alias_to_itself_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "self.yaml", "team: 甲\nobjectives: &o [*o]\n")
    assert "refers to itself" in only_error(load_paths([path]), path, "alias-nodes").reason


def test_yaml_nested_past_the_depth_limit(tmp_path: Path) -> None:
    path = write(tmp_path, "deep.yaml", "team: 甲\nnote:\n" + "".join("  " * n + "- \n" for n in range(80)) + "  x\n")
    assert only_error(load_paths([path]), path, "depth").line is not None


def test_csv_unclosed_quote_at_the_end_names_its_row(tmp_path: Path) -> None:
    path = write(tmp_path, "q.csv", GOOD + '"降低成本,云成本从 100 万降到 80 万\n甲,乙\n丙,丁\n')
    result = load_paths([path])
    [problem] = errors(result)
    assert (problem.row, problem.line) == (3, 3)
    assert "unclosed quote" in problem.reason
    assert [o.text for o in one_set(result).objectives] == ["提升留存"]


def test_csv_quote_spanning_too_many_lines_is_skipped_and_the_rows_after_it_are_read(tmp_path: Path) -> None:
    swallowed = "".join(f"行{n}\n" for n in range(10))
    path = write(tmp_path, "q.csv", GOOD + f'降低成本,"云成本\n{swallowed}"\n增长,日活从 1 万到 2 万\n')
    result = load_paths([path], limits={"row-lines": 5})
    [problem] = errors(result)
    assert (problem.row, problem.line) == (3, 3)
    assert "row-lines limit" in problem.reason
    assert [o.text for o in one_set(result).objectives] == ["提升留存", "增长"]
    assert errors(load_paths([path])) == []  # a long multi-line cell under the limit is fine


def test_csv_cell_past_csv_field_limit_is_a_problem(tmp_path: Path) -> None:
    path = write(tmp_path, "huge.csv", GOOD + '甲,"' + "x" * (4 * 1024 * 1024 + 10))
    [problem] = errors(load_paths([path]))
    assert problem.row == 3
    assert "unclosed quote" in problem.reason


def test_bad_row_beyond_the_sniffed_head_costs_that_row(tmp_path: Path) -> None:
    rows = "".join(f"目标{n},指标{n}从 1 提升到 2\n" for n in range(3000))
    path = tmp_path / "late.csv"
    path.write_bytes(
        ("目标,关键结果\n" + rows).encode() + "坏行,日活翻倍\n".encode("gbk") + "尾,指标从 1 到 2\n".encode()
    )
    result = load_paths([path])
    [problem] = errors(result)
    assert (problem.row, problem.field) == (3002, "objective")
    assert sum(len(o.key_results) for o in one_set(result).objectives) == 3001


def test_gbk_file_is_still_read_as_gbk(tmp_path: Path) -> None:
    path = tmp_path / "gbk.csv"
    path.write_bytes(GOOD.encode("gbk"))
    assert one_set(load_paths([path])).objectives[0].text == "提升留存"


def _workbook(rows: list[list[object]], **parts: bytes) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    if not parts:
        return buffer.getvalue()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source, zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            target.writestr(name, parts.get(name, source.read(name)))
        for name in parts.keys() - set(source.namelist()):
            target.writestr(name, parts[name])
    return out.getvalue()


def test_xlsx_rows_limit(tmp_path: Path) -> None:
    path = tmp_path / "rows.xlsx"
    path.write_bytes(_workbook([["目标", "关键结果"]] + [["提升留存", f"指标{n}从 1 提升到 2"] for n in range(10)]))
    problem = only_error(load_paths([path], limits={"rows": 6}), path, "rows")
    assert (problem.row, problem.sheet) == (7, "Sheet")


def test_xlsx_header_cells_past_the_cells_per_row_limit_are_reported(tmp_path: Path) -> None:
    path = tmp_path / "wide.xlsx"
    header = ["目标", "关键结果"] + [""] * 8 + ["备注"]
    path.write_bytes(_workbook([header, ["提升留存", "留存从 30% 提升到 40%"]]))
    result = load_paths([path], limits={"cells-per-row": 5})
    [problem] = errors(result)
    assert problem.row == 1 and "cells-per-row limit" in problem.reason
    assert len(one_set(result).objectives) == 1


def test_xlsx_merged_area_limit_and_merges_under_it(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    for row in (["目标", "关键结果"], ["提升留存", "KR 甲"], ["", "KR 乙"], ["", "KR 丙"]):
        sheet.append(row)
    sheet.merge_cells("A2:A4")
    path = tmp_path / "merged.xlsx"
    book.save(path)
    assert len(one_set(load_paths([path])).objectives[0].key_results) == 3
    problem = only_error(load_paths([path], limits={"merged-cells": 2}), path, "merged-cells")
    assert problem.sheet == "Sheet"


def test_xlsx_shared_strings_are_counted_before_opening(tmp_path: Path) -> None:
    strings = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' + b"<si><t>a</t></si>" * 50
    data = _workbook([["目标", "关键结果"], ["提升留存", "留存从 30% 提升到 40%"]], **{"xl/sharedStrings.xml": strings})
    path = tmp_path / "strings.xlsx"
    path.write_bytes(data)
    only_error(load_paths([path], limits={"shared-strings": 49}), path, "shared-strings")
    only_error(load_paths([path], limits={"shared-string-bytes": 100}), path, "shared-string-bytes")
    only_error(load_paths([path], limits={"unpacked-bytes": 1000}), path, "unpacked-bytes")


def test_xlsx_hidden_sheet_notice(tmp_path: Path) -> None:
    book = Workbook()
    book.active.append(["目标", "关键结果"])
    book.active.append(["提升留存", "留存从 30% 提升到 40%"])
    secret = book.create_sheet("秘密")
    secret.append(["目标", "关键结果"])
    secret.append(["隐藏目标", "隐藏指标从 1 到 2"])
    secret.sheet_state = "hidden"
    path = tmp_path / "hidden.xlsx"
    book.save(path)
    result = load_paths([path])
    [notice] = warnings(result)
    assert notice.sheet == "秘密" and "hidden" in notice.reason
    assert len(result.sets) == 2
