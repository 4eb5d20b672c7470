"""The alignment map: layout, flags from the alignment findings, a safe SVG, and ``okr-review map``."""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from builders import kr, objective, okr_set, run
from typer.testing import CliRunner

from assistant.alignment_map import (
    COLUMN_W,
    FONT,
    KR_W,
    PAD,
    _char_width,
    build_map,
    render_svg,
    summary_line,
    wrap,
)
from assistant.cli import app
from assistant.importers import load_data, load_paths

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def example():
    loaded = load_paths([str(EXAMPLES / "company-and-teams.csv")])
    findings = run(*loaded.sets)
    return loaded.sets, findings


def texts(svg: str) -> list[str]:
    root = ET.fromstring(svg)
    return ["".join(el.itertext()) for el in root.iter(f"{SVG}text")]


def test_flags_follow_the_alignment_findings(example):
    sets, findings = example
    picture = build_map(sets, findings)
    unsupported = {(f.set_key, f.key_result) for f in findings if f.code == "ALI003"}
    duplicates = {(f.set_key, f.objective) for f in findings if f.code == "ALI004"}
    unresolved = {(f.set_key, f.objective) for f in findings if f.code == "ALI002"}
    assert unsupported  # the example has gaps (漏球) to show
    assert {(n.set_key, n.ref) for n in picture.flagged("unsupported")} == unsupported
    assert {(n.set_key, n.ref) for n in picture.flagged("duplicate")} == duplicates
    assert {(n.set_key, n.ref) for n in picture.flagged("unresolved")} == unresolved
    # The company KR that nobody takes on is drawn, with its text.
    assert any(n.text == "建成统一的数据中台" for n in picture.flagged("unsupported"))


def test_edges_run_from_parent_kr_to_the_objective_that_takes_it_on(example):
    sets, findings = example
    picture = build_map(sets, findings)
    aligns = {(e.source, e.target) for e in picture.edges if e.kind == "aligns"}
    assert ("星河科技 2025Q3/O1.KR1", "增长部 2025Q3/O1") in aligns
    assert ("星河科技 2025Q3/O1.KR2", "产品部 2025Q3/O1") in aligns
    # 产品部 O2 names O3.KR1, which the company does not have: no edge, a flag instead.
    assert not any(target == "产品部 2025Q3/O2" for _, target in aligns)
    handshakes = {(e.source, e.target, e.status) for e in picture.edges if e.kind == "handshake"}
    assert ("增长部 2025Q3/O1.KR1", "band:产品部 2025Q3", "accepted") in handshakes
    assert ("产品部 2025Q3/O1.KR1", "band:增长部 2025Q3", "questioned") in handshakes


def test_levels_run_left_to_right(example):
    sets, findings = example
    picture = build_map(sets, findings)
    assert picture.columns == ["company", "department"]
    company = picture.nodes["星河科技 2025Q3/O1"].box.x
    department = picture.nodes["增长部 2025Q3/O1"].box.x
    assert department >= company + COLUMN_W
    # Within a set, key results sit right of their objective.
    assert picture.nodes["星河科技 2025Q3/O1.KR1"].box.x > company


def test_summary_line_counts_in_both_languages(example):
    sets, findings = example
    picture = build_map(sets, findings, language="en")
    line = summary_line(picture, "en")
    assert line.startswith("2 levels · 3 teams · 5 objectives · 10 key results")
    assert "2 unsupported" in line and "1 questioned" in line
    assert "漏球 2" in summary_line(build_map(sets, findings), "zh")


def test_svg_is_well_formed_self_contained_and_labelled(example):
    sets, findings = example
    svg = render_svg(build_map(sets, findings, language="en"), "en")
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    lowered = svg.lower()
    assert "<script" not in lowered and "http://" not in lowered.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in lowered and "href" not in lowered
    shown = texts(svg)
    assert "Company" in shown and "Department" in shown
    assert "unsupported" in shown and "duplicate" in shown
    # Every box has a tooltip with its full text.
    titles = ["".join(t.itertext()) for t in root.iter(f"{SVG}title")]
    assert any("建成统一的数据中台" in t for t in titles)


def test_text_from_the_input_is_escaped():
    hostile = '<script>alert("x")</script> & </svg>'
    batch = okr_set(objective(hostile, kr("付费用户数从 100 提升到 200", owner="A&B")), team="<b>组</b>")
    svg = render_svg(build_map([batch], run(batch)))
    root = ET.fromstring(svg)  # still one well-formed document
    assert "<script" not in svg
    assert any(hostile[:20] in t for t in texts(svg))
    assert any("<b>组</b>" in t for t in texts(svg))
    assert root.tag == f"{SVG}svg"


def _many_objectives() -> list:
    """A company, 6 departments and 8 teams: 60 objectives with links and handshakes."""
    company = {
        "team": "总公司",
        "level": "company",
        "cycle": "2025Q3",
        "objectives": [
            {"text": f"公司目标{i}", "key_results": [{"text": f"指标{i}.{j} 从 {j} 提升到 {j * 2}"} for j in (1, 2, 3)]}
            for i in (1, 2, 3, 4)
        ],
    }
    departments = [
        {
            "team": f"部门{d}",
            "level": "department",
            "parent": "总公司",
            "cycle": "2025Q3",
            "objectives": [
                {
                    "text": f"部门{d}的第{i}个目标：让这一条业务线的客户体验明显更好，续约更多",
                    "aligned_to": [f"O{(d + i) % 4 + 1}.KR{i % 3 + 1}"],
                    "key_results": [
                        {
                            "text": f"部门{d}的关键结果 {i}.{j}：续约率从 {60 + j}% 提升到 {70 + j}%",
                            "dependencies": [{"team": f"部门{(d + 1) % 6}", "point": "支持", "status": "questioned"}]
                            if j == 1
                            else [],
                        }
                        for j in (1, 2, 3)
                    ],
                }
                for i in (1, 2, 3, 4)
            ],
        }
        for d in range(6)
    ]
    teams = [
        {
            "team": f"Team {t}",
            "parent": f"部门{t % 6}",
            "cycle": "2025Q3",
            "objectives": [
                {
                    "text": f"Team {t} objective {i}: make onboarding effortless for new merchants",
                    "aligned_to": [f"O{i}.KR2"],
                    "key_results": [{"text": f"Raise week-one activation from 30% to 45% ({t}.{i})"}],
                }
                for i in (1, 2, 3, 4)
            ],
        }
        for t in range(8)
    ]
    return load_data([company, *departments, *teams]).sets


def _overlap(a, b) -> bool:
    return a.x < b.x + b.w and b.x < a.x + a.w and a.y < b.y + b.h and b.y < a.y + a.h


def test_sixty_objectives_lay_out_without_overlaps():
    sets = _many_objectives()
    picture = build_map(sets, run(*sets))
    objectives = [n for n in picture.nodes.values() if n.kind == "objective"]
    assert len(objectives) == 60
    boxes = [n.box for n in picture.nodes.values()]
    assert not [pair for pair in itertools.combinations(boxes, 2) if _overlap(*pair)]
    bands = [b.box for b in picture.bands]
    assert not [pair for pair in itertools.combinations(bands, 2) if _overlap(*pair)]
    assert all(b.x + b.w <= picture.width and b.y + b.h <= picture.height for b in boxes)
    # Teams with no level sit one column right of their department.
    assert picture.columns == ["company", "department", "none"]
    assert len([e for e in picture.edges if e.kind == "aligns"]) == 24 + 32
    ET.fromstring(render_svg(picture))


def test_wrap_keeps_lines_within_the_box_and_words_whole():
    width = (KR_W - 2 * PAD) / FONT
    lines = wrap("新商家首周激活率从 35% 提升到 55%，并且让核心功能的使用率翻一番，覆盖全部重点行业客户群体", width)
    assert len(lines) > 1
    assert all(sum(_char_width(c) for c in line) <= width for line in lines)
    english = wrap("Raise week-one activation of newly signed merchants from 30% to 45% by the end of September", width)
    assert all(
        word in "Raise week-one activation of newly signed merchants from 30% to 45% by the end of September"
        for line in english
        for word in line.split()
    )
    assert not any(line.endswith("-") for line in english)
    long = wrap("很长" * 100, width)
    assert len(long) == 3 and long[-1].endswith("…")


def test_cli_writes_the_map_and_reports_unreadable_files(tmp_path):
    runner = CliRunner()
    out = tmp_path / "map.svg"
    result = runner.invoke(app, ["map", str(EXAMPLES / "company-and-teams.csv"), "-o", str(out), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "Department" in out.read_text(encoding="utf-8")
    broken = tmp_path / "broken.csv"
    broken.write_text("团队,目标\n", encoding="utf-8")
    result = runner.invoke(
        app, ["map", str(EXAMPLES / "company-and-teams.csv"), str(tmp_path / "gone.csv"), "-o", str(out)]
    )
    assert result.exit_code == 2
    assert "gone.csv" in result.output
    ET.fromstring(out.read_text(encoding="utf-8"))  # still drawn from what could be read
    result = runner.invoke(app, ["map", str(tmp_path / "gone.csv"), "-o", str(tmp_path / "none.svg")])
    assert result.exit_code == 2 and not (tmp_path / "none.svg").exists()
