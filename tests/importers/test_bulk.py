"""A larger generated export: the fast model building must agree with full pydantic validation on every set."""

from __future__ import annotations

import csv
import random
from pathlib import Path

from importer_helpers import errors, revalidated

from assistant.importers import load_paths

HEADER = [
    "团队", "层级", "上级", "周期", "目标编号", "目标", "目标负责人", "O信心指数", "承接", "对齐方式", "KR编号",
    "关键结果", "负责人", "成员", "信心指数", "完成日期", "基线", "目标值", "单位", "进度", "分数", "握手方",
    "握手点", "握手状态", "行动", "备注",
]  # fmt: skip


def generate(path: Path, teams: int, seed: int = 3) -> int:
    rng = random.Random(seed)
    rows = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(HEADER)
        for team in range(teams):
            for o in range(1, rng.randint(1, 5) + 1):
                for k in range(1, rng.randint(1, 4) + 1):
                    dep = rng.random() < 0.3
                    out.writerow([
                        f"团队{team}", rng.choice(["部门", "团队", "team", ""]), "公司",
                        rng.choice(["2025Q3", "2025 Q3"]), f"O{o}", f"目标 {o} 让客户满意",
                        rng.choice(["张三", "李四", ""]), rng.choice(["60%", "0.7", ""]),
                        rng.choice(["O1.KR1", "O1.KR2、O2.KR1", ""]), rng.choice(["分解式", "等式", ""]), f"KR{k}",
                        f"指标 {k} 从 {rng.randint(1, 50)} 提升到 {rng.randint(51, 99)}", rng.choice(["王五", "赵六"]),
                        rng.choice(["", "甲、乙"]), rng.choice(["50", "60%", "0.8", ""]),
                        rng.choice(["2025-09-30", "2025/9/1", "9月30日", ""]), rng.choice(["", "10", "1,200"]),
                        rng.choice(["", "20", "45.5"]), rng.choice(["", "%", "个"]), rng.choice(["", "30%"]),
                        rng.choice(["", "3.5", "70%", "0.7"]), "产品部、测试部" if dep else "",
                        "联调" if dep else "", rng.choice(["认同", "有疑问", ""]) if dep else "",
                        rng.choice(["", "访谈；复盘"]), rng.choice(["", "备注"]),
                    ])  # fmt: skip
                    rows += 1
    return rows


def test_generated_export_loads_and_matches_validation(tmp_path: Path) -> None:
    path = tmp_path / "bulk.csv"
    rows = generate(path, 300)
    result = load_paths([path])
    assert errors(result) == []
    assert sum(len(o.key_results) for s in result.sets for o in s.objectives) == rows
    assert len(result.sets) == 300
    for okr_set in result.sets:
        assert revalidated(okr_set) == okr_set
