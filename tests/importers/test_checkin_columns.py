"""Check-in fields in every input format, bad values named by row, the shared sniffer, the one level table."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest
from importer_helpers import errors, kr, objective, one_set, revalidated
from openpyxl import Workbook

from assistant.importers import load_paths
from assistant.importers.checkin_notes import checkins_for, parse_kr_ref, read_checkins
from assistant.importers.sniff import sniff_delimiter
from assistant.model import Level, OKRSet, level_name, level_rank

HEADER_ZH = "团队,周期,目标,O权重,关键结果,负责人,权重,基线,目标值,当前值,进度,信心指数,状态,更新日期,进展说明"
HEADER_EN = (
    "Team,Cycle,Objective,Objective weight,Key Result,Owner,Weight,Baseline,Target,Current value,Progress,"
    "Confidence,Status,Last update,Progress note"
)
ROWS = [
    "增长部,2025Q3,提升留存,60%,留存率从 20% 提升到 35%,王磊,40%,20,35,27,,70%,正常,2025-08-11,清单上线",
    "增长部,2025Q3,提升留存,60%,激活率从 30% 提升到 50%,李娜,60%,,,,22%,40%,有风险,2025/8/11,改版稿未到",
]


def check_fields(okr_set: OKRSet) -> None:
    o1 = objective(okr_set, "O1")
    assert o1.weight == 60
    first, second = kr(okr_set, "O1.KR1"), kr(okr_set, "O1.KR2")
    assert (first.current, first.baseline, first.target, first.weight) == (27, 20, 35, 40)
    assert (first.status, first.updated, first.checkin_note) == ("正常", date(2025, 8, 11), "清单上线")
    assert (second.progress, second.confidence, second.status) == (22, 40, "有风险")
    assert second.updated == date(2025, 8, 11) and second.current is None


@pytest.mark.parametrize("header", [HEADER_ZH, HEADER_EN])
def test_csv_checkin_columns_in_both_languages(tmp_path: Path, header: str):
    path = tmp_path / "checkin.csv"
    path.write_text("\n".join([header, *ROWS]) + "\n", encoding="utf-8")
    result = load_paths([path])
    assert result.problems == []
    okr_set = one_set(result)
    check_fields(okr_set)
    assert revalidated(okr_set) == okr_set


def test_xlsx_checkin_columns(tmp_path: Path):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER_ZH.split(","))
    for row in ROWS:
        cells: list = row.split(",")
        cells[13] = datetime(2025, 8, 11)  # a real date cell
        cells[3], cells[6] = 0.6, float(cells[6].rstrip("%")) / 100  # percentages stored as fractions
        sheet.append(cells)
    path = tmp_path / "checkin.xlsx"
    book.save(path)
    result = load_paths([path])
    assert result.problems == []
    check_fields(one_set(result))


def test_yaml_and_json_checkin_fields(tmp_path: Path):
    document = {
        "team": "增长部",
        "cycle": "2025Q3",
        "objectives": [
            {
                "text": "提升留存",
                "weight": "60%",
                "key_results": [
                    {
                        "text": "留存率从 20% 提升到 35%",
                        "owner": "王磊",
                        "weight": 40,
                        "baseline": 20,
                        "target": 35,
                        "current": 27,
                        "status": "正常",
                        "updated": "2025-08-11",
                        "checkin_note": "清单上线",
                        "history": [{"date": "2025-07-28", "current": 24, "confidence": 70}],
                    },
                    {
                        "text": "激活率从 30% 提升到 50%",
                        "owner": "李娜",
                        "weight": "60%",
                        "progress": "22%",
                        "confidence": 40,
                        "status": "有风险",
                        "updated": "2025-08-11",
                    },
                ],
            }
        ],
    }
    (tmp_path / "c.json").write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    import yaml

    (tmp_path / "c.yaml").write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    for name in ("c.json", "c.yaml"):
        result = load_paths([tmp_path / name])
        assert result.problems == [], name
        okr_set = one_set(result)
        check_fields(okr_set)
        assert kr(okr_set, "O1.KR1").history[0].current == 24


def test_markdown_checkin_attributes(tmp_path: Path):
    path = tmp_path / "checkin.md"
    path.write_text(
        "# 增长部 2025Q3\n\n## O1 提升留存（权重：60%）\n"
        "- KR1 留存率从 20% 提升到 35%（负责人：王磊；权重：40%；基线：20；目标值：35；当前值：27；"
        "更新日期：2025-08-11；进展说明：清单上线）\n",
        encoding="utf-8",
    )
    result = load_paths([path])
    assert result.problems == []
    okr_set = one_set(result)
    first = kr(okr_set, "O1.KR1")
    assert objective(okr_set, "O1").weight == 60
    assert (first.current, first.weight, first.updated, first.checkin_note) == (27, 40, date(2025, 8, 11), "清单上线")


def test_malformed_checkin_values_name_file_row_and_field_and_the_rest_is_read(tmp_path: Path):
    path = tmp_path / "bad.csv"
    path.write_text(
        "\n".join(
            [
                HEADER_ZH,
                "增长部,2025Q3,提升留存,60%,KR 一,王磊,40%,20,35,27,abc,70%,正常,2025-08-11,",
                "增长部,2025Q3,提升留存,60%,KR 二,李娜,60%,20,35,很多,140%,40%,正常,下周,",
                "增长部,2025Q3,提升留存,60%,KR 三,赵强,x%,,,,30%,40%,正常,2025-08-11,",
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    result = load_paths([path])
    okr_set = one_set(result)
    assert len(okr_set.objectives[0].key_results) == 3  # every row still read
    found = {(p.row, p.field) for p in errors(result)}
    assert found == {(2, "progress"), (3, "current"), (3, "progress"), (3, "updated"), (4, "weight")}
    for problem in errors(result):
        text = problem.describe()
        assert text.startswith(f"{path}:row {problem.row} ({problem.field}): bad value in column"), text
    assert kr(okr_set, "O1.KR1").current == 27 and kr(okr_set, "O1.KR1").progress is None
    assert kr(okr_set, "O1.KR3").progress == 30 and kr(okr_set, "O1.KR3").weight is None


# ---------------------------------------------------------------- the moved check-in note reader


def test_checkin_note_reader_lives_in_importers_and_retrospective_uses_it():
    from assistant.assist import retrospective

    assert retrospective.read_checkins is read_checkins
    assert retrospective.checkins_for is checkins_for and retrospective.parse_kr_ref is parse_kr_ref


def test_checkin_notes_with_semicolons_use_the_shared_sniffer(tmp_path: Path):
    path = tmp_path / "notes.csv"
    path.write_text("kr;note\nO1.KR1;做得好, 按计划\nO1.KR2;人手不足\n", encoding="utf-8")
    notes, problems = read_checkins(path)
    assert problems == [] and notes == {"O1.KR1": "做得好, 按计划", "O1.KR2": "人手不足"}


@pytest.mark.parametrize(
    ("text", "suffix", "expected"),
    [
        ("a,b,c\n1,2,3\n", ".csv", ","),
        ("a;b;c\n1;2;3\n", ".csv", ";"),
        ("a\tb\n1\t2\n", ".csv", "\t"),
        ("title\na,b\n", ".tsv", ","),
        ("a\tb,c\n", ".tsv", "\t"),  # a tie: the suffix's own
        ("one column\n", ".csv", ","),
        ("\ufeffa;b\n", ".csv", ";"),
    ],
)
def test_one_sniffer(text: str, suffix: str, expected: str):
    assert sniff_delimiter(text, suffix) == expected


# ---------------------------------------------------------------- one level table


def test_level_table_matches_the_enum_and_reads_every_alias():
    assert [level_rank(level) for level in Level] == list(range(len(Level)))
    assert level_name(Level.department, "zh") == "部门" and level_name("team", "en") == "Team"
    assert level_name(None, "zh") == "" and level_name("guild", "zh") == "guild"
    for word, level in [("公司级", "company"), ("事业群", "business_group"), ("Dept", "department"),
                        ("小组", "team"), ("员工", "individual"), ("Business group", "business_group")]:  # fmt: skip
        assert OKRSet(team="t", level=word).level == Level(level)


def test_reports_show_levels_from_the_table():
    from assistant.reports._labels import level_label

    assert level_label("business_group", "zh") == level_name("business_group", "zh") == "事业群"
