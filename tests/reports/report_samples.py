"""Sample reviews for the report tests, built by hand.

The zh sample: two teams with findings, one clean company set, input problems.

The 研发中心 set comes from a CSV file written into the test's folder, so the XLSX
report can re-read and annotate it; the 市场部 set comes from a Markdown file.
"""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

from assistant.findings import Finding, InputProblem, ProblemLevel, Severity
from assistant.knowledge.notes import Note, parse_note
from assistant.model import KeyResult, Objective, OKRSet, SourceRef
from assistant.review import Review, SuggestedRewrite, Suggestion
from assistant.rules.catalogue import rules

GENERATED = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)

CSV_HEADER = ["团队", "周期", "目标编号", "目标", "KR编号", "关键结果", "负责人", "信心指数"]
# One row per KR (the objective repeated), as OKR tools export; row 1 is the header.
CSV_ROWS = [
    ["研发中心", "2025Q3", "O1", "打造稳定可靠的交易平台", "KR1", "提升系统稳定性", "张三", "60%"],
    [
        "研发中心",
        "2025Q3",
        "O1",
        "打造稳定可靠的交易平台",
        "KR2",
        "核心链路 p99 延时从 600ms 降到 300ms 以内",
        "李四",
        "50%",
    ],
    [
        "研发中心",
        "2025Q3",
        "O1",
        "打造稳定可靠的交易平台",
        "KR3",
        "完成监控平台开发 | 上线告警 <script>alert(1)</script>",
        "",
        "70%",
    ],
    [
        "研发中心",
        "2025Q3",
        "O2",
        "运维自动化率达到60%",
        "KR1",
        "自动化脚本覆盖 80% 的日常变更",
        "王五",
        "95%",
    ],
    ["研发中心", "2025Q3", "O2", "运维自动化率达到60%", "KR2", "=维持现有值班制度", "王五", "80%"],
    ["研发中心", "2025Q3", "O3", "提升研发效能", "", "", "赵六", ""],
]


def write_csv(path: Path, encoding: str = "utf-8-sig") -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_HEADER)
        writer.writerows(CSV_ROWS)
    return path


def finding(code: str, set_key: str, message: str, fix: str | None = None, **fields) -> Finding:
    """A finding with the dimension, severity and note the rule table gives its code."""
    info = rules()[code]
    return Finding(
        code=code,
        dimension=fields.pop("dimension", info.dimension),
        severity=fields.pop("severity", info.severity),
        message=message,
        fix=fix if fix is not None else info.fix["zh"],
        note=info.note,
        set_key=set_key,
        **fields,
    )


def rd_set(csv_path: str) -> OKRSet:
    def src(row: int) -> SourceRef:
        return SourceRef(file=csv_path, row=row)

    return OKRSet(
        team="研发中心",
        cycle="2025Q3",
        level="团队",
        parent="公司",
        source=SourceRef(file=csv_path),
        objectives=[
            Objective(
                id="O1",
                text="打造稳定可靠的交易平台",
                owner="张三",
                source=src(2),
                key_results=[
                    KeyResult(id="KR1", text="提升系统稳定性", owner="张三", source=src(2)),
                    KeyResult(id="KR2", text=CSV_ROWS[1][5], owner="李四", source=src(3)),
                    KeyResult(id="KR3", text=CSV_ROWS[2][5], source=src(4)),
                ],
            ),
            Objective(
                id="O2",
                text="运维自动化率达到60%",
                source=src(5),
                key_results=[
                    KeyResult(id="KR1", text=CSV_ROWS[3][5], owner="王五", confidence=95, source=src(5)),
                    KeyResult(id="KR2", text=CSV_ROWS[4][5], owner="王五", source=src(6)),
                ],
            ),
            Objective(id="O3", text="提升研发效能", owner="赵六", source=src(7)),
        ],
    )


def market_set() -> OKRSet:
    def src(line: int) -> SourceRef:
        return SourceRef(file="market.md", line=line)

    krs = [
        KeyResult(id="KR1", text="举办 3 场线下沙龙", owner="周七", source=src(4)),
        KeyResult(id="KR2", text="官网月访问量从 2 万提升到 5 万", owner="市场团队", source=src(5)),
        KeyResult(id="KR3", text="新增 200 家付费中小企业客户", owner="吴八", source=src(6)),
        KeyResult(id="KR4", text="品牌搜索指数提升 30%", owner="吴八", source=src(7)),
        KeyResult(id="KR5", text="发布 12 篇客户案例", owner="周七", source=src(8)),
    ]
    objectives = [
        Objective(id="O1", text="让更多中小企业认识并信任我们的品牌", owner="郑九", source=src(3), key_results=krs),
        *(
            Objective(
                id=f"O{i}",
                text=text,
                owner="郑九",
                aligned_to=["O9.KR9"] if i == 2 else ["O1.KR1"],
                source=src(10 + i),
                key_results=[KeyResult(id="KR1", text=f"签约渠道伙伴从 {i} 家增加到 {i * 3} 家", owner="钱十")],
            )
            for i, text in enumerate(
                ["拓展渠道合作", "打响华南市场", "做强行业解决方案", "提升客户口碑", "建设市场团队"], 2
            )
        ),
    ]
    return OKRSet(
        team="市场部",
        cycle="2025Q3",
        level="部门",
        parent="公司",
        source=SourceRef(file="market.md", line=1),
        objectives=objectives,
    )


def company_set() -> OKRSet:
    return OKRSet(
        team="公司",
        cycle="2025Q3",
        level="company",
        source=SourceRef(file="company.yaml", line=1),
        objectives=[
            Objective(
                id="O1",
                text="成为中小企业最信赖的交易平台",
                owner="CEO",
                key_results=[KeyResult(id="KR1", text="付费客户数从 1000 增加到 1500", owner="COO")],
            )
        ],
    )


def make_findings(csv_path: str) -> list[Finding]:
    rd = "研发中心 2025Q3"
    mk = "市场部 2025Q3"
    rd_src = {row: SourceRef(file=csv_path, row=row) for row in range(2, 8)}
    return [
        finding(
            "MEA002",
            rd,
            "“提升”说明了方向，却没有说明提升到多少。",
            "把“提升”换成具体指标和目标值：提升什么指标、从多少到多少。",
            objective="O1",
            key_result="O1.KR1",
            evidence="提升",
            span=(0, 2),
            source=rd_src[2],
        ),
        finding(
            "MEA001",
            rd,
            "“提升系统稳定性”没有可验证的目标：没有数值、阈值或可交付的结果。",
            objective="O1",
            key_result="O1.KR1",
            evidence="提升系统稳定性",
            span=(0, 7),
            source=rd_src[2],
        ),
        finding(
            "OUT001",
            rd,
            "“完成监控平台开发”描述的是要做的事或交付物，而不是它带来的结果。",
            objective="O1",
            key_result="O1.KR3",
            evidence="完成监控平台开发",
            span=(0, 8),
            source=rd_src[4],
        ),
        finding(
            "MEA005",
            rd,
            "这一条里有 2 个独立的结果：“完成监控平台开发 | 上线告警 <script>alert(1)</script>”。",
            objective="O1",
            key_result="O1.KR3",
            evidence="上线告警 <script>alert(1)</script>",
            source=rd_src[4],
        ),
        finding("OWN002", rd, "O1.KR3 没有负责人。", objective="O1", key_result="O1.KR3", source=rd_src[4]),
        finding(
            "INS001",
            rd,
            "目标“运维自动化率达到60%”是一个数值指标，更像关键结果。",
            "把目标写成方向和意义（为什么重要、要成为什么样），把“60%”这样的数值移到关键结果中。",
            objective="O2",
            evidence="60%",
            span=(7, 10),
            source=rd_src[5],
        ),
        finding("OWN001", rd, "目标 O2 没有负责人。", objective="O2", source=rd_src[5]),
        finding(
            "CHA001",
            rd,
            "信心指数 95% 不低于 90%：几乎稳拿的目标缺少挑战。",
            objective="O2",
            key_result="O2.KR1",
            evidence="95%",
            source=rd_src[5],
        ),
        finding(
            "CHA002",
            rd,
            "“维持”意味着维持现状，缺少向前推进的挑战。",
            objective="O2",
            key_result="O2.KR2",
            evidence="维持",
            span=(1, 3),
            source=rd_src[6],
        ),
        finding("FOC003", rd, "目标 O3 没有任何关键结果，无法判断是否达成。", objective="O3", source=rd_src[7]),
        finding("FOC001", mk, "本组 OKR 有 6 个目标，超过五四原则的上限 5 个。", evidence="O1…O6"),
        finding(
            "FOC002",
            mk,
            "目标 O1 下有 5 个关键结果，超过五四原则的上限 4 个。",
            objective="O1",
            source=SourceRef(file="market.md", line=3),
        ),
        finding(
            "OUT002",
            mk,
            "“3 场”统计的是投入的次数或时长，而不是成果。",
            severity=Severity.info,  # pinned: the counts below must not follow the rule table's default
            objective="O1",
            key_result="O1.KR1",
            evidence="3 场",
            span=(3, 6),
        ),
        finding(
            "OWN004",
            mk,
            "负责人“市场团队”是一个集体，而不是一个人。",
            objective="O1",
            key_result="O1.KR2",
            evidence="市场团队",
        ),
        finding(
            "ALI002",
            mk,
            "目标 O2 承接的“O9.KR9”在 公司 2025Q3 中找不到。",
            objective="O2",
            evidence="O9.KR9",
        ),
        finding(
            "MEA003",
            mk,
            "“提升 30%”是相对变化，但没有写明起点（基线）。",
            objective="O1",
            key_result="O1.KR4",
            evidence="提升 30%",
            span=(6, 12),
        ),
    ]


PROBLEMS = [
    InputProblem(
        file="okrs.csv",
        row=9,
        field="信心指数",
        reason="不是百分比：“很高”，已忽略",
        level=ProblemLevel.warning,
    ),
    InputProblem(file="broken.xlsx", reason="无法打开：不是有效的 xlsx 文件"),
]


_NOTE = """---
id: {id}
title: {zh}
title_en: {en}
summary: {summary_zh}
summary_en: {summary_en}
topics: []
rules: []
dimensions: []
source:
  - doc: 003_a0b1129a12c1cd62.txt
    section: 第3章
---
## 要点
{summary_zh}
"""


def sample_notes() -> dict[str, Note]:
    """Two notes the sample findings cite; the others stay unknown, as when notes are missing."""
    entries = [
        (
            "measurable-kr",
            "可衡量的关键结果",
            "Measurable key results",
            "关键结果要能验证。",
            "A key result can be verified.",
        ),
        (
            "outcome-not-activity",
            "成果而非任务",
            "Outcomes, not activities",
            "写结果，不写任务。",
            "Write results, not tasks.",
        ),
    ]
    notes = {}
    for note_id, zh, en, summary_zh, summary_en in entries:
        text = _NOTE.format(id=note_id, zh=zh, en=en, summary_zh=summary_zh, summary_en=summary_en)
        notes[note_id] = parse_note(text, Path(f"{note_id}.md"))
    return notes


def make_review(folder: Path, language: str = "zh") -> Review:
    """The sample review; writes okrs.csv into ``folder`` and points the sources at it."""
    csv_path = write_csv(folder / "okrs.csv")
    return Review(
        inputs=[str(csv_path), "market.md", "company.yaml", "broken.xlsx"],
        sets=[rd_set(str(csv_path)), market_set(), company_set()],
        findings=make_findings(str(csv_path)),
        problems=list(PROBLEMS),
        language=language,
        generated_at=GENERATED,
        notes=sample_notes(),
    )


def english_review() -> Review:
    """A small English review with awkward text: pipes, HTML, newlines."""
    okr_set = OKRSet(
        team="Platform | Infra",
        cycle="2025Q4",
        level="team",
        objectives=[
            Objective(
                id="O1",
                text="Make deploys <b>boring</b>",
                owner="Ana",
                key_results=[
                    KeyResult(id="KR1", text="Improve the CI pipeline", owner="Ben"),
                    KeyResult(id="KR2", text="Hold 3 workshops\nwith teams", owner="Ben"),
                ],
            )
        ],
    )
    key = okr_set.key
    return Review(
        inputs=["okrs.md"],
        sets=[okr_set],
        findings=[
            finding(
                "MEA002",
                key,
                '"Improve" gives a direction but not how far.',
                'Replace "Improve" with a metric and a target: which figure moves, from what to what.',
                objective="O1",
                key_result="O1.KR1",
                evidence="Improve",
                span=(0, 7),
            ),
            finding(
                "OUT002",
                key,
                '"3 workshops" counts effort | not outcomes.',
                "Keep it as a process measure if useful, but add a key result that measures the outcome.",
                severity=Severity.info,
                objective="O1",
                key_result="O1.KR2",
                evidence="3 workshops\nwith",
            ),
        ],
        language="en",
        generated_at=GENERATED,
        notes=sample_notes(),
    )


def sample_suggestions() -> list[Suggestion]:
    """What ``check --suggest`` attaches: one LLM-made entry with an assumption, one offline template."""
    candidate = {
        "text": "NPS 从 32 提升到 45（9月30日前）",
        "metric": "NPS",
        "baseline": "32",
        "target": "45",
        "unit": "",
        "deadline": "9月30日",
        "rationale": "把“提升体验”落到可验证的指标上。",
        "note_ids": ["measurable-kr"],
        "assumptions": ["假设目标 45，请确认"],
        "placeholders": [],
    }
    template = {
        **candidate,
        "text": "客户满意度从〔基线〕提升到〔目标值〕（〔截止日期〕前）",
        "baseline": "〔基线〕",
        "target": "〔目标值〕",
        "deadline": "〔截止日期〕",
        "assumptions": [],
        "placeholders": ["〔基线〕", "〔目标值〕", "〔截止日期〕"],
    }
    return [
        Suggestion("研发部 2025Q3", "O1.KR1", "提升客户体验", "llm", 1, 3, None, [SuggestedRewrite(**candidate)]),
        Suggestion("研发部 2025Q3", "O1.KR2", "优化客户满意度", "offline", 1, 1, None, [SuggestedRewrite(**template)]),
    ]
