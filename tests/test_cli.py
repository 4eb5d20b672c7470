"""The okr-review command end to end: formats, outputs, exit codes, configuration, bad input."""

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from assistant.cli import app
from assistant.model import okr_json_schema

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args))


CLEAN_MD = """# 数据平台组 2025Q4
负责人: 李然
O1: 让业务同学自助拿到可信的数据 (负责人: 李然, 信心 60%)
- KR1: 自助查询占比从 40% 提升到 70%，12月31日前 (负责人: 周洁)
- KR2: 指标口径不一致的工单从每月 20 个降到 5 个以内 (负责人: 吴凡)
- KR3: 数据报表按时产出率从 90% 提升到 99% (负责人: 周洁)
"""


@pytest.fixture
def clean_md(tmp_path):
    path = tmp_path / "clean.md"
    path.write_text(CLEAN_MD, encoding="utf-8")
    return path


def test_clean_file_exits_zero(clean_md):
    result = invoke("check", str(clean_md))
    assert result.exit_code == 0, result.output
    assert "MEA" not in result.output


def test_findings_exit_one_and_show_code_item_and_message():
    result = invoke("check", str(EXAMPLES / "platform-team.md"))
    assert result.exit_code == 1
    assert "MEA002" in result.output and "O1.KR2" in result.output
    assert "INS001" in result.output  # 运维自动化率达到 60%


def test_fail_on_levels(clean_md):
    warning_only = clean_md.parent / "warn.md"
    warning_only.write_text(CLEAN_MD.replace("信心 60%", "信心 95%"), encoding="utf-8")
    assert invoke("check", str(warning_only)).exit_code == 0  # CHA001 is a warning
    assert invoke("check", str(warning_only), "--fail-on", "warning").exit_code == 1
    assert invoke("check", str(EXAMPLES / "platform-team.md"), "--fail-on", "never").exit_code == 0


def test_json_report_to_file(tmp_path):
    out = tmp_path / "report.json"
    result = invoke("check", str(EXAMPLES / "company-and-teams.csv"), "-f", "json", "-o", str(out))
    assert result.exit_code == 1
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["schema"] == "okr-review/report" and report["version"] == 1
    codes = {f["code"] for f in report["findings"]}
    assert {"ALI002", "ALI003", "ALI004", "OWN004", "MEA002"} <= codes
    gap = next(f for f in report["findings"] if f["code"] == "ALI003")
    assert gap["set"].startswith("星河科技") and gap["source"]["row"] >= 2


def test_json_to_stdout_is_parseable():
    result = invoke("check", str(EXAMPLES / "growth-team.en.md"), "--format", "json")
    report = json.loads(result.stdout)
    english = next(f for f in report["findings"] if f["code"] == "MEA002")
    assert "direction" in english["message"]


@pytest.mark.parametrize(("fmt", "marker"), [("md", "|"), ("html", "<html")])
def test_markdown_and_html(tmp_path, fmt, marker):
    out = tmp_path / f"report.{fmt}"
    result = invoke("check", str(EXAMPLES), "-f", fmt, "-o", str(out))
    assert result.exit_code == 1
    text = out.read_text(encoding="utf-8")
    assert marker in text and "MEA002" in text


def test_xlsx_needs_output_and_annotates(tmp_path):
    assert invoke("check", str(EXAMPLES / "company-and-teams.csv"), "-f", "xlsx").exit_code == 2
    source = tmp_path / "okrs.csv"
    shutil.copy(EXAMPLES / "company-and-teams.csv", source)
    before = source.read_bytes()
    out = tmp_path / "review.xlsx"
    result = invoke("check", str(source), "-f", "xlsx", "-o", str(out))
    assert result.exit_code == 1
    assert source.read_bytes() == before
    workbook = load_workbook(out)
    assert len(workbook.sheetnames) >= 3
    cells = [str(c.value) for ws in workbook for row in ws.iter_rows() for c in row if c.value]
    assert any("MEA002" in c for c in cells)


def test_select_ignore_and_lang():
    result = invoke("check", str(EXAMPLES / "platform-team.md"), "--select", "measurable", "--lang", "en")
    assert "MEA002" in result.output and "OWN00" not in result.output and "INS001" not in result.output
    result = invoke("check", str(EXAMPLES / "platform-team.md"), "--ignore", "MEA", "--ignore", "outcome")
    assert "MEA00" not in result.output and "OUT00" not in result.output


def test_config_file_is_discovered(tmp_path, monkeypatch):
    shutil.copy(EXAMPLES / "platform-team.md", tmp_path / "team.md")
    (tmp_path / ".okr-review.toml").write_text('ignore = ["measurable"]\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = invoke("check", "team.md")
    assert "MEA00" not in result.output and "INS001" in result.output


@pytest.mark.parametrize(
    "args",
    [
        ("check", "x.md", "--format", "pdf"),
        ("check", "x.md", "--select", "NOPE"),
        ("check", "x.md", "--fail-on", "x"),
        ("check", "x.md", "--map", "no-equals-sign"),
        ("check", "x.md", "--lang", "fr"),
    ],
)
def test_usage_errors_exit_two(args, clean_md):
    result = invoke(*[str(clean_md) if a == "x.md" else a for a in args])
    assert result.exit_code == 2


def test_bad_config_exits_two(tmp_path, clean_md):
    bad = tmp_path / "bad.toml"
    bad.write_text("fail-on = 3\n", encoding="utf-8")
    result = invoke("check", str(clean_md), "--config", str(bad))
    assert result.exit_code == 2 and "fail-on" in result.output


def test_partly_unreadable_input_exits_two_and_still_reports(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "目标,关键结果,信心指数\n让客户满意,平台性能优化,很高\n让客户满意,续约率从 80% 提升到 90%,60%\n",
        encoding="utf-8",
    )
    out = tmp_path / "r.json"
    result = invoke("check", str(bad), str(tmp_path / "missing.md"), "-f", "json", "-o", str(out))
    assert result.exit_code == 2
    report = json.loads(out.read_text(encoding="utf-8"))
    problems = report["problems"]
    assert any(p.get("row") == 2 and p.get("field") == "confidence" for p in problems)
    assert any("missing.md" in p["file"] for p in problems)
    assert any(f["code"] == "MEA002" for f in report["findings"])  # the bad row's KR is still checked


def test_map_option(tmp_path):
    odd = tmp_path / "odd.csv"
    odd.write_text("Goal,Result line,Who\nKeep customers for years,Improve onboarding,Ann\n", encoding="utf-8")
    result = invoke(
        "check",
        str(odd),
        "--map",
        "Goal=objective",
        "--map",
        "Result line=key_result",
        "--map",
        "Who=owner",
        "-f",
        "json",
    )
    report = json.loads(result.stdout)
    assert any(f["code"] == "MEA002" for f in report["findings"])


def test_stdin(clean_md):
    result = runner.invoke(app, ["check", "-"], input="O1: 追求卓越\n- KR1: 平台性能优化\n")
    assert result.exit_code == 1 and "INS003" in result.output and "MEA002" in result.output


def test_rules_schema_and_score(tmp_path):
    listing = invoke("rules")
    assert listing.exit_code == 0 and "MEA001" in listing.output and "OUT003" in listing.output
    one = invoke("rules", "mea002", "--lang", "en")
    assert one.exit_code == 0 and "measurable-kr" in one.output
    assert invoke("rules", "XYZ001").exit_code == 2
    schema = json.loads(invoke("schema").stdout)
    assert schema == okr_json_schema() and "objectives" in schema["$defs"]["OKRSet"]["properties"]
    scored = tmp_path / "scores.csv"
    scored.write_text(
        "团队,目标,关键结果,分数\nA,让客户满意,续约率达到 90%,1.0\nA,让客户满意,NPS 达到 40,0.65\n"
        "A,让客户满意,投诉量降到 10 单,0.3\n",
        encoding="utf-8",
    )
    summary = json.loads(invoke("score", str(scored), "--json").stdout)
    assert summary[0]["scale"] == "fraction"
    assert summary[0]["bands"] == {"analyse": 1, "low": 0, "healthy": 1, "high": 0, "conservative": 1}


def test_console_script_runs(tmp_path, clean_md):
    exe = Path(sys.executable).with_name("okr-review")
    command = [str(exe)] if exe.exists() else [sys.executable, "-c", "from assistant.cli import main; main()"]
    done = subprocess.run([*command, "check", str(clean_md), "-f", "json"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and json.loads(done.stdout)["summary"]["key_results"] == 3


# ---------------------------------------------------------------- one language per report, set-wide notices folded

# Written for these tests: pasted without owners and without a cycle.
ENGLISH_PASTE = """Objective: Help new customers succeed in their first month
- KR1: Raise week-one activation from 35% to 55%
- KR2: Cut the median time to a first dashboard from 3 days to 1 day
- KR3: Improve the onboarding experience
Objective: Grow revenue from mid-sized accounts
- KR1: Increase mid-market ARR from $2M to $3M
- KR2: Sign 12 new mid-market customers
"""

CHINESE_PASTE = """# 增长组
## O1：让新用户在第一个月就用起来
- KR1：次周激活率从 35% 提升到 55%
- KR2：优化注册流程
- KR3：首份报表的中位用时从 3 天缩短到 1 天
"""

# Chinese characters, CJK punctuation and full-width forms.
CJK_TEXT = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")
QUOTED = re.compile(r"\"[^\"]*\"|“[^”]*”")
ZH_LABELS = ("严重", "警告", "提示", "证据", "知识卡片", "优先修改", "责任到人", "可衡量")
EN_LABELS = ("Error", "Warning", "Info ", "Evidence", "Note:", "Top 3", "Owned", "Measurable")


@pytest.fixture
def pasted(tmp_path):
    english = tmp_path / "english.txt"
    english.write_text(ENGLISH_PASTE, encoding="utf-8")
    chinese = tmp_path / "chinese.md"
    chinese.write_text(CHINESE_PASTE, encoding="utf-8")
    return english, chinese


def test_an_english_input_gives_an_all_english_report(pasted):
    english, _ = pasted
    for fmt in ("text", "md", "html"):
        result = invoke("check", str(english), "--format", fmt)
        assert result.exit_code == 1, result.output
        assert CJK_TEXT.search(result.output) is None, (fmt, CJK_TEXT.search(result.output))
    text = invoke("check", str(english)).output
    assert "Top 3 to fix:" in text and "[Owned]" in text


def test_a_chinese_input_gives_an_all_chinese_report(pasted):
    _, chinese = pasted
    text = invoke("check", str(chinese)).output
    assert "优先修改的 3 项" in text and "[责任到人]" in text
    assert not [word for word in EN_LABELS if word in text]
    doc = json.loads(invoke("check", str(chinese), "--format", "json").output)
    assert doc["language"] == "zh"
    assert all(CJK_TEXT.search(f["message"]) and CJK_TEXT.search(f["fix"]) for f in doc["findings"])


def test_lang_en_on_a_chinese_input_gives_english_labels_and_messages(pasted):
    _, chinese = pasted
    text = invoke("check", str(chinese), "--lang", "en").output
    assert not [word for word in ZH_LABELS if word in text]
    assert "Top 3 to fix:" in text and "[Owned]" in text
    doc = json.loads(invoke("check", str(chinese), "--lang", "en", "--format", "json").output)
    assert doc["language"] == "en"
    for finding in doc["findings"]:  # Chinese only inside the quoted OKR text
        for field in ("message", "fix"):
            assert CJK_TEXT.search(QUOTED.sub("", finding[field])) is None, finding[field]
    for fmt in ("md", "html"):
        report = invoke("check", str(chinese), "--lang", "en", "--format", fmt).output
        assert not [word for word in ZH_LABELS if word in report], fmt


def test_a_pasted_set_without_owners_gets_one_no_owner_finding(pasted):
    english, _ = pasted
    doc = json.loads(invoke("check", str(english), "--format", "json").output)
    owners = [f for f in doc["findings"] if f["code"] == "OWN002"]
    assert len(owners) == 1 and owners[0]["key_result"] is None and owners[0]["objective"] is None
    assert owners[0]["evidence"] == "O1.KR1, O1.KR2, O1.KR3, O2.KR1, O2.KR2"
    assert owners[0]["message"] == "5 key results have no owner."
    assert doc["findings"].index(owners[0]) < min(i for i, f in enumerate(doc["findings"]) if f["objective"])
    top = doc["summary"]["per_set"][0]["top"]
    assert 1 <= len(top) <= 3 and all(doc["findings"][t["finding"]]["code"] == t["code"] for t in top)


def test_a_mixed_batch_is_reported_in_one_language(pasted):
    english, chinese = pasted
    doc = json.loads(invoke("check", str(english), str(chinese), "--format", "json").output)
    assert doc["language"] == "en"  # most of the text is English
    from_chinese = [f for f in doc["findings"] if f["set"].startswith("增长组")]
    assert from_chinese
    for finding in from_chinese:
        assert CJK_TEXT.search(QUOTED.sub("", finding["message"])) is None, finding["message"]
    text = invoke("check", str(english), str(chinese)).output
    assert not [word for word in ZH_LABELS if word in text]


# ---------------------------------------------------------------- issue 14: a report kept inside the input folder


def test_a_report_written_into_the_input_folder_is_an_input_next_time(clean_md):
    """The second run reads report.json as an input (it is in the folder), so it must not replace it."""
    out = clean_md.parent / "report.json"
    first = invoke("check", str(clean_md.parent), "-f", "json", "-o", str(out))
    assert first.exit_code == 0, first.output
    written = out.read_bytes()
    second = invoke("check", str(clean_md.parent), "-f", "json", "-o", str(out))
    assert second.exit_code == 2
    assert f"refusing to overwrite the input file {out}" in second.stderr
    assert out.read_bytes() == written


def test_check_applies_the_limits_of_the_config_file(tmp_path):
    rows = "".join(f"增长组,O{i},让老客户愿意续约,KR1,续约率从 {60 + i}% 提升到 80%\n" for i in range(1, 6))
    data = tmp_path / "okrs.csv"
    data.write_text("团队,目标编号,目标,KR编号,关键结果\n" + rows, encoding="utf-8")
    settings = tmp_path / ".okr-review.toml"
    settings.write_text("[limits]\nrows = 3\n", encoding="utf-8")
    limited = invoke("check", str(data), "--config", str(settings), "--format", "json")
    assert limited.exit_code == 2 and "rows" in limited.output
    assert invoke("check", str(data), "--format", "json").exit_code in (0, 1)  # the shipped limit lets it through
