"""End-to-end benchmark: synthetic OKR CSV → import → CLASSIC check → JSON report, on one core.

Prints throughput per stage and peak memory of a separate run on a large file.
Targets (issue #2): ≥ 20,000 key results per second end to end; 100,000 KRs under 500 MB peak RSS.

    python benchmarks/bench_check.py                 # 20,000 KRs for speed, 100,000 for memory
    python benchmarks/bench_check.py --krs 50000 --memory-krs 0
"""

from __future__ import annotations

import argparse
import csv
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HEADER = [
    "团队",
    "层级",
    "上级",
    "周期",
    "目标编号",
    "目标",
    "目标负责人",
    "承接",
    "KR编号",
    "关键结果",
    "负责人",
    "信心指数",
    "完成日期",
    "握手方",
    "握手点",
    "握手状态",
]

# Key result templates, good and bad, Chinese and English; {n}/{m} become figures.
KR_TEMPLATES = [
    "{metric}从 {n}% 提升到 {m}%",
    "{metric}达到 {m}%，9月30日前",
    "{metric}控制在 {n} 毫秒以内（原 {m} 毫秒）",
    "{metric}提升 {n}%",
    "{metric}优化",
    "完成{thing}开发",
    "上线{thing}",
    "召开 {n} 次{thing}评审会",
    "{metric}不低于 {m}%",
    "保持{metric}在 {m}% 以上",
    "Raise {en_metric} from {n}% to {m}% by Q3",
    "Improve {en_metric}",
    "Launch the {en_thing}",
    "Cut {en_metric} below {n} ms",
    "流程成功率达到 {m}%，备份成功率达到 99.{n}%",
]
METRICS = [
    "续约率",
    "激活率",
    "转化率",
    "可用性",
    "链路延时",
    "工单解决率",
    "自动化率",
    "留存率",
    "客户满意度",
    "发布成功率",
]
EN_METRICS = ["activation", "week-1 retention", "trial conversion", "p95 latency", "NPS", "uptime"]
THINGS = ["压测平台", "知识库", "数据中台", "新手引导", "对账系统", "监控大盘", "推荐服务"]
EN_THINGS = ["onboarding checklist", "partner portal", "billing page", "status page"]
OBJECTIVES = [
    "让{a}客户在{b}体验到价值",
    "{b}成为行业第一的{a}平台",
    "打造{a}最可靠的{b}服务",
    "运维自动化率达到 {n}%",
    "Make {a} onboarding effortless",
    "完成{b}重构",
]
WORDS_A = ["中小", "新", "大", "海外", "企业", "零售", "金融", "教育", "政务", "医疗", "制造", "物流"]
WORDS_B = ["首周", "大促", "日常", "交付", "结算", "运营", "协作", "数据", "增长", "安全", "支付", "搜索"]
OWNERS = ["张伟", "王芳", "李娜", "刘洋", "陈静", "杨帆", "Ann Lee", "全员", "张伟、王芳", ""]


def generate(path: Path, krs: int, seed: int = 7) -> int:
    """Write a realistic flat export: teams of 3–5 objectives with 2–6 KRs each. Returns rows written."""
    rng = random.Random(seed)
    written = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(HEADER)
        team = 0
        while written < krs:
            team += 1
            name = f"{rng.choice(WORDS_A)}{rng.choice(WORDS_B)}部{team}"
            for o in range(1, rng.randint(3, 6) + 1):
                text = rng.choice(OBJECTIVES).format(
                    a=rng.choice(WORDS_A), b=rng.choice(WORDS_B), n=rng.randint(30, 90)
                )
                for k in range(1, rng.randint(2, 6) + 1):
                    n, m = rng.randint(1, 60), rng.randint(61, 99)
                    kr = rng.choice(KR_TEMPLATES).format(
                        metric=rng.choice(METRICS),
                        en_metric=rng.choice(EN_METRICS),
                        thing=rng.choice(THINGS),
                        en_thing=rng.choice(EN_THINGS),
                        n=n,
                        m=m,
                    )
                    dep = rng.random() < 0.1
                    out.writerow(
                        [
                            name,
                            "部门",
                            "公司",
                            "2025Q3",
                            f"O{o}",
                            text,
                            rng.choice(OWNERS),
                            f"O{rng.randint(1, 4)}.KR1",
                            f"KR{k}",
                            kr,
                            rng.choice(OWNERS),
                            f"{rng.choice([50, 60, 70, 90, 100])}%",
                            "2025-09-30",
                            "运维部" if dep else "",
                            "扩容支持" if dep and rng.random() < 0.5 else "",
                            rng.choice(["认同", "", "有疑问"]) if dep else "",
                        ]
                    )
                    written += 1
                    if written >= krs:
                        return written
    return written


def run_once(csv_path: Path, report: Path) -> dict[str, float]:
    """Import, check and write the JSON report; seconds per stage."""
    from assistant.engine import check
    from assistant.importers import load_paths
    from assistant.reports import write_report
    from assistant.review import Review

    t0 = time.perf_counter()
    loaded = load_paths([str(csv_path)])
    t1 = time.perf_counter()
    findings = check(loaded.sets)
    t2 = time.perf_counter()
    write_report(
        Review(inputs=[str(csv_path)], sets=loaded.sets, findings=findings, problems=loaded.problems),
        "json",
        report,
    )
    t3 = time.perf_counter()
    krs = sum(len(o.key_results) for s in loaded.sets for o in s.objectives)
    return {
        "krs": krs,
        "findings": len(findings),
        "import": t1 - t0,
        "check": t2 - t1,
        "report": t3 - t2,
        "total": t3 - t0,
    }


def _memory_child(krs: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "okrs.csv"
        generate(path, krs)
        base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        stats = run_once(path, Path(tmp) / "report.json")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(f"{stats['krs']} {stats['total']:.3f} {peak / 1024:.1f} {base / 1024:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--krs", type=int, default=20_000, help="key results for the speed runs")
    parser.add_argument("--repeat", type=int, default=3, help="speed runs; the best is reported")
    parser.add_argument("--memory-krs", type=int, default=100_000, help="key results for the memory run (0: skip)")
    parser.add_argument("--memory-child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_child:
        _memory_child(args.memory_child)
        return

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "okrs.csv"
        generate(path, args.krs)
        runs = [run_once(path, Path(tmp) / "report.json") for _ in range(args.repeat)]
    best = min(runs, key=lambda r: r["total"])
    krs = best["krs"]
    print(f"speed: {krs:,} KRs, {best['findings']:,} findings, best of {args.repeat} runs, one process")
    for stage in ("import", "check", "report", "total"):
        seconds = best[stage]
        print(f"  {stage:<7} {seconds:7.3f} s  {krs / seconds:>10,.0f} KRs/s  {seconds / krs * 1e6:6.1f} µs/KR")
    rate = krs / best["total"]
    print(f"  end to end: {rate:,.0f} KRs/s = {rate / 20_000:.2f}× the 20,000 KRs/s target")

    if args.memory_krs:
        out = subprocess.run(
            [sys.executable, __file__, "--memory-child", str(args.memory_krs)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.split()
        krs, seconds, peak, base = int(out[0]), float(out[1]), float(out[2]), float(out[3])
        print(
            f"memory: {krs:,} KRs end to end in {seconds:.1f} s, peak RSS {peak:.0f} MB "
            f"(interpreter and generator {base:.0f} MB) = {peak / 500:.2f}× the 500 MB limit"
        )


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    main()
