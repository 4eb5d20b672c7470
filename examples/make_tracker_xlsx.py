"""Rebuild ``quarterly-tracker.xlsx``: an Excel OKR tracker as teams keep them, in English and Chinese.

One sheet per team, a title row above the header, the objective merged down over its key results,
confidence as a formatted percentage. Run ``python examples/make_tracker_xlsx.py`` after editing.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

HEADER_EN = ["Objective", "Key Result", "Owner", "Confidence", "Due", "Dependency", "Handshake point", "Note"]
HEADER_ZH = ["目标", "关键结果", "负责人", "信心指数", "截止日期", "握手方", "握手点", "备注"]

ENGINEERING = [
    (
        "Customers never wait for a page to load",
        [
            ("Cut p95 page load time from 2.4 s to under 1.0 s by September 30", "Mei Chen", 0.6, "2025-09-30", "", ""),
            ("Optimise the front end", "Mei Chen", "", "", "", ""),
            ("Keep checkout availability at 99.9%", "Tom Becker", 0.95, "2025-09-30", "SRE", ""),
        ],
    ),
    (
        "Ship faster without breaking things",
        [
            ("Raise deploy frequency from 2 to 10 per week", "Tom Becker", 0.5, "2025-09-30", "", ""),
            ("Complete the CI migration", "the engineering team", 0.9, "2025-08-31", "", ""),
        ],
    ),
]

OPERATIONS = [
    (
        "运维自动化率达到60%",
        [
            (
                "人工变更次数从每月 120 次降到 40 次以内",
                "刘洋",
                0.6,
                "2025-09-30",
                "平台研发部",
                "变更接口 8 月底前提供",
            ),
            ("召开 6 次自动化评审会", "刘洋", 0.9, "2025-09-30", "", ""),
        ],
    ),
]


def _sheet(workbook: Workbook, title: str, caption: str, header: list[str], rows: list) -> None:
    sheet = workbook.create_sheet(title)
    sheet.append([caption])
    sheet.append(header)
    for objective, key_results in rows:
        first = sheet.max_row + 1
        for text, owner, confidence, due, dependency, point in key_results:
            sheet.append([objective, text, owner, confidence, due, dependency, point, ""])
            if confidence != "":
                sheet.cell(sheet.max_row, 4).number_format = "0%"
        if sheet.max_row > first:
            sheet.merge_cells(start_row=first, start_column=1, end_row=sheet.max_row, end_column=1)
    sheet.column_dimensions["A"].width = 36
    sheet.column_dimensions["B"].width = 60


def main() -> None:
    workbook = Workbook()
    workbook.remove(workbook.active)
    _sheet(workbook, "Engineering", "Engineering OKRs, 2025Q3", HEADER_EN, ENGINEERING)
    _sheet(workbook, "运维部", "运维部 2025Q3 OKR", HEADER_ZH, OPERATIONS)
    workbook.save(Path(__file__).with_name("quarterly-tracker.xlsx"))


if __name__ == "__main__":
    main()
