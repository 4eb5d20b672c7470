"""Hostile input files, generated (never checked in): each small on disk, each once eating memory or time.

Every builder writes into a folder given by the test and returns the path. Sizes follow issue 14's probes.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from openpyxl import Workbook

HEADER = ["团队", "目标", "关键结果", "信心指数"]


def good_csv(folder: Path, name: str = "good.csv") -> Path:
    """A small valid export, to show that the files beside a hostile one are still read."""
    path = folder / name
    path.write_text("团队,目标,关键结果\n增长部,提升留存,次月留存率从 30% 提升到 40%\n", encoding="utf-8")
    return path


def yaml_alias_bomb(folder: Path, width: int = 60) -> Path:
    """Sets → objectives → key results → dependencies, each level a list of ``width`` aliases of the one below.

    About 2 KB; expanded it is ``width ** 4`` dependencies (13 million at 60).
    """
    many = ", ".join
    lines = [
        "dep: &dep {team: 运维部, handshake: 扩容演练}",
        f"deps: &deps [{many(['*dep'] * width)}]",
        "kr: &kr {text: 次月留存率从 30% 提升到 40%, dependencies: *deps}",
        f"krs: &krs [{many(['*kr'] * width)}]",
        "objective: &objective {text: 提升留存, key_results: *krs}",
        f"objectives: &objectives [{many(['*objective'] * width)}]",
        "set: &set {team: 增长部, objectives: *objectives}",
        f"sets: [{many(['*set'] * width)}]",
    ]
    path = folder / "alias-bomb.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def yaml_deep(folder: Path, depth: int = 100_000) -> Path:
    """A flow sequence nested ``depth`` deep: libyaml's composer recursed into it until the process crashed."""
    path = folder / "deep.yaml"
    path.write_text("team: 增长部\nobjectives: " + "[" * depth + "]" * depth + "\n", encoding="utf-8")
    return path


def json_deep(folder: Path, depth: int = 100_000) -> Path:
    path = folder / "deep.json"
    path.write_text("[" * depth + "]" * depth, encoding="utf-8")
    return path


def _workbook_bytes(rows: int = 3, hidden: dict[str, str] | None = None) -> bytes:
    """A small valid workbook: a header and ``rows`` key results; extra sheets by name → state (hidden…)."""
    book = Workbook()
    sheet = book.active
    sheet.title = "OKR"
    sheet.append(HEADER)
    for index in range(rows):
        sheet.append(["增长部", "提升留存", f"次月留存率从 {index}% 提升到 {index + 10}%", "60%"])
    for title, state in (hidden or {}).items():
        extra = book.create_sheet(title)
        extra.append(HEADER)
        extra.append(["秘密部", "隐藏的目标", "隐藏的关键结果从 1 提升到 2", "50%"])
        extra.sheet_state = state
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _rewrite(data: bytes, path: Path, changes: dict[str, object]) -> Path:
    """Copy a workbook's parts into ``path``, replacing some: bytes, or a callable of the old bytes → chunks."""
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            change = changes.get(info.filename)
            old = source.read(info.filename)
            if change is None:
                target.writestr(info.filename, old)
                continue
            with target.open(info.filename, "w", force_zip64=True) as stream:
                for chunk in change(old) if callable(change) else [change]:
                    stream.write(chunk)
        for name, change in changes.items():
            if name not in source.namelist():
                with target.open(name, "w", force_zip64=True) as stream:
                    for chunk in change(b"") if callable(change) else [change]:
                        stream.write(chunk)
    return path


def hidden_sheets(folder: Path) -> Path:
    path = folder / "hidden.xlsx"
    path.write_bytes(_workbook_bytes(hidden={"藏": "hidden", "深藏": "veryHidden"}))
    return path


def merge_bomb(folder: Path, ranges: int = 200) -> Path:
    """``ranges`` merged ranges ``A{n}:XFD1048576`` (each 17 billion cells) in a 3-row sheet."""
    refs = "".join(f'<mergeCell ref="A{n}:XFD1048576"/>' for n in range(2, ranges + 2))

    def merged(old: bytes) -> list[bytes]:
        return [old.replace(b"</sheetData>", f'</sheetData><mergeCells count="{ranges}">{refs}</mergeCells>'.encode())]

    return _rewrite(_workbook_bytes(), folder / "merge-bomb.xlsx", {"xl/worksheets/sheet1.xml": merged})


_SST = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_CHUNK = 1 << 20


def _shared_strings(items: object) -> object:
    """A sharedStrings part streamed from chunks of ``<si>`` items."""

    def chunks(_: bytes) -> object:
        yield f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{_SST}">'.encode()
        yield from items
        yield b"</sst>"

    return chunks


def _with_strings(data: bytes) -> dict[str, object]:
    """The parts that point a workbook at a shared-strings part (openpyxl writes inline strings otherwise)."""
    types = re.sub(
        rb"</Types>",
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        b'spreadsheetml.sharedStrings+xml"/></Types>',
        zipfile.ZipFile(io.BytesIO(data)).read("[Content_Types].xml"),
    )
    rels = zipfile.ZipFile(io.BytesIO(data)).read("xl/_rels/workbook.xml.rels")
    rels = rels.replace(
        b"</Relationships>",
        b'<Relationship Id="rIdS" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        b'sharedStrings" Target="sharedStrings.xml"/></Relationships>',
    )
    return {"[Content_Types].xml": types, "xl/_rels/workbook.xml.rels": rels}


def huge_shared_string(folder: Path, megabytes: int = 400) -> Path:
    """One shared string of ``megabytes`` MB, deflated to a few hundred KB."""
    block = b"a" * _CHUNK

    def items() -> object:
        yield b"<si><t>"
        for _ in range(megabytes):
            yield block
        yield b"</t></si>"

    data = _workbook_bytes()
    changes = {**_with_strings(data), "xl/sharedStrings.xml": _shared_strings(items())}
    return _rewrite(data, folder / "huge-string.xlsx", changes)


def many_shared_strings(folder: Path, count: int = 10_000_000) -> Path:
    """``count`` tiny shared strings (``<si><t>a</t></si>``), a few hundred KB deflated."""
    per_chunk = 50_000

    def items() -> object:
        block = b"<si><t>a</t></si>" * per_chunk
        for _ in range(count // per_chunk):
            yield block

    data = _workbook_bytes()
    changes = {**_with_strings(data), "xl/sharedStrings.xml": _shared_strings(items())}
    return _rewrite(data, folder / "many-strings.xlsx", changes)


def _sheet_rows(rows: object) -> object:
    """A worksheet part: the header row, then the given ``<row>`` chunks."""

    def chunks(_: bytes) -> object:
        yield f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{_SST}"><sheetData>'.encode()
        yield (
            '<row r="1"><c r="A1" t="inlineStr"><is><t>目标</t></is></c>'
            '<c r="B1" t="inlineStr"><is><t>关键结果</t></is></c></row>'
        ).encode()
        yield from rows
        yield b"</sheetData></worksheet>"

    return chunks


def far_column_rows(folder: Path, rows: int = 1_000_000) -> Path:
    """``rows`` rows with one cell each at column XFD (openpyxl pads every row to 16,384 cells)."""

    def chunks() -> object:
        batch = []
        for number in range(2, rows + 2):
            batch.append(f'<row r="{number}"><c r="XFD{number}"><v>1</v></c></row>')
            if len(batch) == 20_000:
                yield "".join(batch).encode()
                batch = []
        yield "".join(batch).encode()

    return _rewrite(_workbook_bytes(), folder / "far-column.xlsx", {"xl/worksheets/sheet1.xml": _sheet_rows(chunks())})


def wide_far_rows(folder: Path, rows: int = 100_000) -> Path:
    """Under the rows limit: a real objective and KR per row, plus a cell at column XFD on every row."""

    def chunks() -> object:
        batch = []
        for number in range(2, rows + 2):
            batch.append(
                f'<row r="{number}"><c r="A{number}" t="inlineStr"><is><t>目标{number // 4}</t></is></c>'
                f'<c r="B{number}" t="inlineStr"><is><t>指标 {number} 提升到 {number + 1}</t></is></c>'
                f'<c r="XFD{number}"><v>1</v></c></row>'
            )
            if len(batch) == 20_000:
                yield "".join(batch).encode()
                batch = []
        yield "".join(batch).encode()

    return _rewrite(_workbook_bytes(), folder / "wide-far.xlsx", {"xl/worksheets/sheet1.xml": _sheet_rows(chunks())})


def unclosed_quote_csv(folder: Path, rows: int = 2_000) -> Path:
    """A quote opened on row 3 and never closed: every row after it used to vanish into one objective."""
    lines = ["团队,目标,关键结果", "增长部,提升留存,次月留存率从 30% 提升到 40%", '增长部,"提升活跃,日活从 1 万到 2 万']
    lines += [f"增长部,目标{n},指标 {n} 从 1 提升到 2" for n in range(rows)]
    path = folder / "unclosed.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def bad_row_csv(folder: Path) -> Path:
    """UTF-8 throughout except row 3, pasted from a GBK tool."""
    head = "团队,目标,关键结果\n增长部,提升留存,次月留存率从 30% 提升到 40%\n".encode()
    bad = "增长部,提升活跃,日活翻倍\n".encode("gbk")
    tail = "增长部,降低成本,云成本从 100 万降到 80 万\n".encode()
    path = folder / "bad-row.csv"
    path.write_bytes(head + bad + tail)
    return path


def many_objectives_md(folder: Path, count: int = 1_200) -> Path:
    lines = ["# 增长部 2025Q3"]
    for number in range(1, count + 1):
        lines += [f"O{number}: 目标 {number}", f"- KR1: 指标 {number} 从 1 提升到 2"]
    path = folder / "many.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
