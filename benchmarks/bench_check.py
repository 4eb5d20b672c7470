"""End-to-end benchmark: a realistic OKR export (CSV) → ``okr-review check`` → JSON report, at several sizes.

Each size runs the real command in a fresh process and reports wall time, key results per second and
the peak memory of the run (largest single process, and all its processes together), then the
time(100k)/time(10k) ratio and the start-up of ``--version`` and of ``check`` on a one-set Markdown file.

The generated export looks like a company's: a company set, departments under it, teams under the
departments; objectives come from shared templates prefixed with the team name or the quarter
("团队12：打造一流的客户满意度体验", "增长组 Q3 让复购率成为行业标杆"), in Chinese and English; owners,
blanks, handshakes and references to the parent's KRs.

Targets (issue #15): ≥ 20,000 KR/s end to end at 100,000 KRs; time(100k)/time(10k) ≤ 11; peak RSS
< 500 MB; ``--version`` and a one-set ``check`` under 0.25 s.

    python benchmarks/bench_check.py                       # 10k, 50k, 100k, 200k and start-up
    python benchmarks/bench_check.py --sizes 10000 --no-startup
    python benchmarks/bench_check.py --sizes 10000,100000 --jobs 1
    PYTHONPATH=/path/to/other/checkout python benchmarks/bench_check.py   # measure another copy of the code
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
ONE_SET = ROOT / "examples" / "platform-team.md"
RUN_CLI = "import sys; from assistant.cli import main; sys.argv[0] = 'okr-review'; main()"

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

# Objective templates shared by many teams; a team prefixes them with its name or the quarter.
OBJECTIVES_ZH = [
    "打造一流的{m}体验",
    "让{m}成为行业标杆",
    "全面提升{m}",
    "让{a}客户在{b}体验到价值",
    "打造{a}最可靠的{b}服务",
    "{m}达到 {n}%",
    "完成{t}重构",
    "建设高效的{b}团队",
    "负责{t}的日常运营",
    "降本增效",
]
OBJECTIVES_EN = [
    "Make {a} onboarding effortless",
    "Delight customers with a world-class {e}",
    "Become the benchmark for {e}",
    "Ship the {t_en}",
    "Build a reliable {t_en}",
]
PREFIXES_ZH = ["{team}：", "{team} {q} ", "{q} ", "", ""]
PREFIXES_EN = ["{team}: ", "{q} ", ""]

KRS_ZH = [
    "{m}从 {n}% 提升到 {k}%",
    "{m}达到 {k}%，9月30日前",
    "{m}控制在 {n} 毫秒以内（原 {k} 毫秒）",
    "{m}提升 {n}%",
    "{m}优化",
    "完成{t}开发",
    "上线{t}",
    "每周召开 {n} 次{t}评审会",
    "{m}不低于 {k}%",
    "保持{m}在 {k}% 以上",
    "流程成功率达到 {k}%，备份成功率达到 99.{n}%",
    "新签客户 {n} 家",
    "TBD",
]
KRS_EN = [
    "Raise {e} from {n}% to {k}% by Q3",
    "Improve {e}",
    "Launch the {t_en}",
    "Cut p95 latency below {n} ms",
    "Hold {n} customer interviews",
    "{e} at {k}% or above by September 30",
]
METRICS = [
    "续约率",
    "激活率",
    "转化率",
    "可用性",
    "链路延时",
    "工单解决率",
    "复购率",
    "留存率",
    "客户满意度",
    "发布成功率",
]
EN_METRICS = ["activation", "week-1 retention", "trial conversion", "NPS", "uptime", "customer satisfaction"]
THINGS = ["压测平台", "知识库", "数据中台", "新手引导", "对账系统", "监控大盘", "推荐服务"]
EN_THINGS = ["onboarding checklist", "partner portal", "billing page", "status page"]
WORDS_A = ["中小", "新", "大", "海外", "企业", "零售", "金融", "教育"]
WORDS_B = ["首周", "大促", "交付", "结算", "运营", "协作", "增长", "支付"]
DEPARTMENTS = ["研发", "产品", "销售", "市场", "运营", "客服", "财务", "数据", "安全", "供应链"]
TEAM_WORDS_ZH = ["增长组", "平台组", "团队", "交付组", "体验组", "数据组", "运维组", "商业化组"]
TEAM_WORDS_EN = ["Growth squad", "Platform team", "Mobile team", "Billing squad"]
OWNERS = ["张伟", "王芳", "李娜", "刘洋", "陈静", "杨帆", "Ann Lee", "Bo Chen", "全员", "张伟、王芳", "", ""]
CYCLE, QUARTER = "2025Q3", "Q3"
DEFAULT_ROW_LIMIT = 120_000  # the importers' default `rows` and `key-results` limits (assistant/data/importers.toml)


def _fill(template: str, rng: random.Random, team: str) -> str:
    n, k = rng.randint(1, 60), rng.randint(61, 99)
    return template.format(
        m=rng.choice(METRICS),
        e=rng.choice(EN_METRICS),
        t=rng.choice(THINGS),
        t_en=rng.choice(EN_THINGS),
        a=rng.choice(WORDS_A),
        b=rng.choice(WORDS_B),
        n=n,
        k=k,
        team=team,
        q=QUARTER,
    )


def _set_rows(rng: random.Random, team: str, level: str, parent: str, english: bool, budget: int) -> list[list[str]]:
    """One set: 2–5 objectives of 1–5 KRs (at most ``budget`` KRs), each a CSV row."""
    rows: list[list[str]] = []
    objectives, krs, prefixes = (
        (OBJECTIVES_EN, KRS_EN, PREFIXES_EN) if english else (OBJECTIVES_ZH, KRS_ZH, PREFIXES_ZH)
    )
    for o in range(1, rng.randint(2, 5) + 1):
        objective = _fill(rng.choice(prefixes) + rng.choice(objectives), rng, team)
        owner = rng.choice(OWNERS)
        supports = f"O{rng.randint(1, 3)}.KR{rng.randint(1, 3)}" if parent and rng.random() < 0.7 else ""
        for k in range(1, rng.randint(1, 5) + 1):
            if len(rows) >= budget:
                return rows
            dep = rng.random() < 0.08
            rows.append(
                [
                    team,
                    level,
                    parent,
                    CYCLE,
                    f"O{o}",
                    objective,
                    owner,
                    supports,
                    f"KR{k}",
                    _fill(rng.choice(krs), rng, team),
                    rng.choice(OWNERS),
                    ""
                    if rng.random() < 0.2
                    else f"{rng.choice([5, 6, 7, 9, 50, 60, 70, 90, 100])}{'%' * (rng.random() < 0.7)}",
                    "" if rng.random() < 0.5 else "2025-09-30",
                    "运维组" if dep else "",
                    "扩容支持" if dep and rng.random() < 0.5 else "",
                    rng.choice(["认同", "", "有疑问"]) if dep else "",
                ]
            )
    return rows


def _code_name(number: int) -> str:
    """A short letters-only name for a number (no digits: they would read as figures)."""
    letters = ""
    number += 1
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("a") + rest) + letters
    return letters


class _Distinct:
    """Makes every objective and key result text of the export different, by a code name in an aside.

    Real exports repeat texts (copied templates, "TBD"), and the checker reads each repeated text once;
    ``--distinct`` measures the worst case, where no two texts are the same.
    """

    def __init__(self, out: Any) -> None:
        self.out = out
        self.count = 0

    def writerows(self, rows: list[list[str]]) -> None:
        objectives: dict[tuple[str, str], str] = {}
        for row in rows:
            objective = (row[4], row[5])
            if objective not in objectives:
                objectives[objective] = row[5] + self._aside(row[5])
            row[5] = objectives[objective]
            row[9] += self._aside(row[9])
        self.out.writerows(rows)

    def _aside(self, text: str) -> str:
        self.count += 1
        name = _code_name(self.count)
        return f"（代号 {name}）" if any("\u4e00" <= ch <= "\u9fff" for ch in text) else f" (code {name})"


def generate(path: Path, krs: int, seed: int = 7, *, distinct: bool = False) -> int:
    """Write a company export of about ``krs`` key results: company, departments, teams. Returns rows written.

    ``distinct``: no two objective or key result texts are the same (the worst case for the checker).
    """
    rng = random.Random(seed)
    written = 0
    company = "星河科技"
    with path.open("w", encoding="utf-8", newline="") as handle:
        out: Any = csv.writer(handle)
        out.writerow(HEADER)
        if distinct:
            out = _Distinct(out)
        rows = _set_rows(rng, company, "公司", "", False, krs)
        out.writerows(rows)
        written += len(rows)
        number = 0
        while written < krs:
            number += 1
            department = f"{rng.choice(DEPARTMENTS)}{number}部"
            rows = _set_rows(rng, department, "部门", company, False, krs - written)
            out.writerows(rows)
            written += len(rows)
            for _ in range(rng.randint(4, 12)):
                if written >= krs:
                    break
                english = rng.random() < 0.2
                words = TEAM_WORDS_EN if english else TEAM_WORDS_ZH
                team = (
                    f"{rng.choice(words)} {number}-{rng.randint(1, 99)}"
                    if english
                    else f"{rng.choice(words)}{number}-{rng.randint(1, 99)}"
                )
                rows = _set_rows(rng, team, "团队", department, english, krs - written)
                out.writerows(rows)
                written += len(rows)
    return written


def _tree_pss_kb(pid: int) -> int:
    """Memory of a process and all its descendants in KB, pages shared by forked workers counted once (PSS)."""
    total = 0
    stack = [pid]
    while stack:
        current = stack.pop()
        try:
            with open(f"/proc/{current}/smaps_rollup", encoding="ascii") as rollup:
                total += next((int(line.split()[1]) for line in rollup if line.startswith("Pss:")), 0)
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children", encoding="ascii") as children:
                    stack.extend(int(c) for c in children.read().split())
        except (OSError, ValueError):
            continue
    return total


def run_cli(args: list[str], *, sample: bool = False) -> tuple[float, float, float]:
    """Run ``okr-review ARGS`` in a fresh interpreter: (seconds, its peak RSS in MB, peak PSS of it and its workers).

    The PSS of all processes is sampled only with ``sample`` (else 0): reading it makes the kernel walk
    every page of every process, which slows a large run by a second or more, so times come from a run
    without sampling.
    """
    started = time.perf_counter()
    # Bytecode written and reused, as for any installed package (some shells set PYTHONDONTWRITEBYTECODE,
    # which would make every run compile the package's sources again: ~70 ms of start-up).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    process = subprocess.Popen(
        [sys.executable, "-P", "-c", RUN_CLI, *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    peak_tree = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak_tree
        while not done.wait(0.05):
            peak_tree = max(peak_tree, _tree_pss_kb(process.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    if sample:
        sampler.start()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    done.set()
    if sample:
        sampler.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    error = process.stderr.read() if process.stderr else ""
    if process.returncode not in (0, 1):
        raise SystemExit(f"okr-review {' '.join(args)} failed:\n{error}")
    largest = usage.ru_maxrss / 1024  # the command's own process; workers are children of it, not counted here
    return seconds, largest, peak_tree / 1024


def scaling(sizes: list[int], jobs: int | None, keep: Path | None, distinct: bool = False) -> None:
    """One row per size: the real command on a fresh export, in a fresh process."""
    print(f"end to end: okr-review check EXPORT.csv --format json -o report.json{f' --jobs {jobs}' if jobs else ''}")
    if distinct:
        print("every objective and key result text distinct (--distinct): nothing read twice")
    print("peak MB: the command's own peak RSS; all MB: peak PSS of the command and its workers together (second run)")
    print(f"{'KRs':>8} {'seconds':>8} {'KR/s':>8} {'peak MB':>8} {'all MB':>7}")
    times: dict[int, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        for size in sizes:
            export = folder / f"okrs-{size}{'-distinct' if distinct else ''}.csv"
            if not export.exists():
                generate(export, size, distinct=distinct)
            report = Path(tmp) / "report.json"
            report.unlink(missing_ok=True)
            args = ["check", str(export), "--format", "json", "-o", str(report), "--fail-on", "never", "--no-progress"]
            args += ["--jobs", str(jobs)] if jobs else []
            if size > DEFAULT_ROW_LIMIT:  # past the importers' default limits, raised as a user would
                settings = Path(tmp) / ".okr-review.toml"
                settings.write_text(
                    f"[limits]\nrows = {size + 1000}\nkey-results = {size + 1000}\nobjectives = {size}\n",
                    encoding="utf-8",
                )
                args += ["--config", str(settings)]
            seconds, largest, _ = run_cli(args)
            _, _, tree = run_cli(args, sample=True)  # a second run for the memory of all processes
            if not report.exists():
                raise SystemExit(f"okr-review {' '.join(args)} wrote no report")
            times[size] = seconds
            print(f"{size:>8,} {seconds:>8.2f} {size / seconds:>8,.0f} {largest:>8.0f} {tree:>7.0f}", flush=True)
    if 10_000 in times and 100_000 in times:
        print(f"time(100k)/time(10k) = {times[100_000] / times[10_000]:.1f} (target ≤ 11)")
    if 100_000 in times:
        rate = 100_000 / times[100_000]
        print(f"100k: {rate:,.0f} KR/s = {rate / 20_000:.2f}× the 20,000 KR/s target")


def startup(repeat: int) -> None:
    """Median and best wall time of ``--version`` and of ``check`` on a one-set Markdown file."""
    for label, args in (
        ("--version", ["--version"]),
        (f"check {ONE_SET.name}", ["check", str(ONE_SET), "--fail-on", "never"]),
    ):
        run_cli(args)  # a first run writes the bytecode (and the notes cache) that later runs read
        runs = [run_cli(args)[0] for _ in range(repeat)]
        print(
            f"start-up {label:<24} median {statistics.median(runs):.3f} s, best {min(runs):.3f} s "
            f"(target 0.25 s, {repeat} runs)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,50000,100000,200000", help="comma-separated KR counts (0: none)")
    parser.add_argument("--jobs", type=int, help="pass --jobs N to the command (default: its own default)")
    parser.add_argument("--repeat", type=int, default=5, help="start-up runs per command")
    parser.add_argument("--no-startup", action="store_true", help="skip the start-up timings")
    parser.add_argument("--keep", type=Path, help="keep the generated exports in this folder (and reuse them)")
    parser.add_argument("--generate", type=int, metavar="KRS", help="only write an export of KRS key results to --keep")
    parser.add_argument("--distinct", action="store_true", help="no two objective or key result texts the same")
    args = parser.parse_args()
    if args.generate:
        folder = args.keep or Path.cwd()
        folder.mkdir(parents=True, exist_ok=True)
        name = f"okrs-{args.generate}{'-distinct' if args.distinct else ''}.csv"
        print(generate(folder / name, args.generate, distinct=args.distinct), "rows")
        return
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip() and int(s) > 0]
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, {time.strftime('%Y-%m-%d')}")
    if sizes:
        scaling(sizes, args.jobs, args.keep, args.distinct)
    if not args.no_startup:
        startup(args.repeat)


if __name__ == "__main__":
    main()
