"""Micro-benchmark of the text analysis that runs on every objective and key result.

Builds a fixed mix of 1,000 key-result texts from templates (two in three Chinese, two in three
with figures) and prints µs per call, best of several rounds, for each analysis function, over
all texts and over groups: zh, en, "numerals" (a digit or Chinese numeral) and "none" (neither).
Budget (issue brief): analyse_quantities + find_timebound ≤ 8 µs on average, ~1–2 µs for texts
with no digit, numeral or number word. One process, one core, no caching across texts.

    python benchmarks/bench_analysis.py
    python benchmarks/bench_analysis.py --texts 5000 --rounds 9
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ZH_WITH_FIGURES = [
    "{metric}从{n}%提升至{m}%",
    "{metric}从 {n}% 提升到 {m}%，9月30日前",
    "{metric}达到 {m}%",
    "{metric}提升 {n}%",
    "{metric}提高{cn}个百分点",
    "{metric}不低于 {m}%",
    "{metric}控制在 {n} 毫秒以内（原 {m} 毫秒）",
    "链路延时 <0.{n} 毫秒（原 0.{m} 毫秒）",
    "5 级故障数≤ {small}",
    "产品可用性达到 5 个 9（出错率 0.001%）",
    "流程成功率达到 99%，备份成功率达到 99.{n}%",
    "完成{small}款AI芯片迭代，算力提升{n}%",
    "引进 {small} 位机器学习领域专家",
    "单表回档速度提升 {small} 倍",
    "付费商家数从 1.{small} 万增长到 {small} 万",
    "新增{small}万注册用户",
    "召开 {small} 次{thing}评审会",
    "与至少 {n}00 家头部品牌商家形成互联互通",
    "Q{q} 前上线{thing}，覆盖 {n} 个城市",
    "{metric}增长{cn}倍",
    "营收翻番，达到 {n} 亿元",
    "保持{metric}在 {m}% 以上",
    "第二季度获得权威媒体报道不低于 {small} 次",
    "年度故障为 0",
    "每周完成{n}次客户拜访",
    "3个月内将{metric}降低{n}%",
    "2025年{metric}突破{n}0万",
    "客服接通率≥{m}%",
]
ZH_WITHOUT_FIGURES = [
    "{metric}优化",
    "平台性能优化",
    "参数调优",
    "索引推荐",
    "上线{thing}",
    "完成{thing}开发",
    "实现秒级发货和秒级备份",
    "加强团队协作",
    "提升专业能力",
    "建成{thing}",
    "日志模块打通",
    "数据库智能性能调优工具产品化",
    "升级对账系统",
    "故障恢复模块稳定性高",
    "{thing}按期交付",
]
EN_WITH_FIGURES = [
    "Increase weekly active users from {n}k to {m}k by Q{q}",
    "Reduce p95 latency below {n}0 ms",
    "Raise {en_metric} from {n}% to {m}% by September 30",
    "Grow {en_metric} by {n}%",
    "Cut median time-to-first-report from {small} days to under 1 day",
    "Hold {small} customer interview sessions",
    "Maintain a churn rate below {small}%",
    "Sign at least {n} new enterprise customers in H{h}",
    "Ship {small} releases per month",
    "Keep uptime at or above 99.9{small}%",
    "NPS of {n} or more by EOY",
    "Revenue above ${small}M",
]
EN_WITHOUT_FIGURES = [
    "Improve onboarding",
    "Double the number of paying customers",
    "Launch the {en_thing}",
    "Make {en_metric} better",
    "Reduce support tickets by half",
    "Build a world-class {en_thing}",
    "Migrate the {en_thing} to the new platform",
]
METRICS = ["续约率", "激活率", "转化率", "可用性", "链路延时", "工单解决率", "自动化率", "留存率", "客户满意度"]
THINGS = ["压测平台", "知识库", "数据中台", "新手引导", "对账系统", "监控大盘", "推荐服务"]
EN_METRICS = ["activation", "week-1 retention", "trial conversion", "p95 latency", "NPS", "uptime"]
EN_THINGS = ["onboarding checklist", "partner portal", "billing page", "status page"]
CN = "两三四五六七八九十"
# Texts without any of these are the "none" group: no digit, no Chinese numeral (see --help).
NUMERAL = re.compile(r"[0-9０-９零〇一二两三四五六七八九十百千万亿]")


def corpus(size: int, seed: int = 11) -> list[str]:
    """A fixed mix: 65% Chinese, 35% English; about two thirds of the texts carry figures."""
    rng = random.Random(seed)
    texts = []
    for _ in range(size):
        zh = rng.random() < 0.65
        figures = rng.random() < 0.66
        pool = (
            (ZH_WITH_FIGURES if figures else ZH_WITHOUT_FIGURES)
            if zh
            else (EN_WITH_FIGURES if figures else EN_WITHOUT_FIGURES)
        )
        texts.append(
            rng.choice(pool).format(
                metric=rng.choice(METRICS),
                thing=rng.choice(THINGS),
                en_metric=rng.choice(EN_METRICS),
                en_thing=rng.choice(EN_THINGS),
                n=rng.randint(10, 60),
                m=rng.randint(61, 99),
                small=rng.randint(2, 9),
                cn=rng.choice(CN),
                q=rng.randint(1, 4),
                h=rng.randint(1, 2),
            )
        )
    return texts


def per_call(func: Callable[[str], object], texts: Sequence[str], rounds: int) -> float:
    """Best-of-rounds µs per call of ``func`` over ``texts``."""
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter_ns()
        for text in texts:
            func(text)
        best = min(best, (time.perf_counter_ns() - start) / len(texts) / 1000)
    return best


def main() -> None:
    from assistant.analysis.language import detect_language
    from assistant.analysis.quantities import analyse_quantities, find_quantities
    from assistant.analysis.timebounds import find_timebound

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--texts", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()

    texts = corpus(args.texts)
    groups = {
        "all": texts,
        "zh": [t for t in texts if not t.isascii()],
        "en": [t for t in texts if t.isascii()],
        "numerals": [t for t in texts if NUMERAL.search(t)],
        "none": [t for t in texts if not NUMERAL.search(t)],
    }

    def both(text: str) -> None:
        analyse_quantities(text)
        find_timebound(text)

    rows = [
        ("analyse_quantities", analyse_quantities),
        ("find_quantities", find_quantities),
        ("find_timebound", find_timebound),
        ("detect_language", detect_language),
        ("analyse_quantities + find_timebound", both),
    ]
    mean_len = sum(map(len, texts)) / len(texts)
    sizes = ", ".join(f"{name} {len(group)}" for name, group in groups.items() if name != "all")
    print(f"{len(texts)} texts, mean {mean_len:.0f} characters ({sizes}); µs per call, best of {args.rounds} rounds")
    print(f"{'function':<38}" + "".join(f"{name:>9}" for name in groups))
    for name, func in rows:
        cells = [per_call(func, group, args.rounds) for group in groups.values()]
        print(f"{name:<38}" + "".join(f"{cell:>9.2f}" for cell in cells))


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    main()
