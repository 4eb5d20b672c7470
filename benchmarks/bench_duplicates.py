"""Benchmark of the near-duplicate objective search (ALI004) on generated company exports.

For each size, the export of ``bench_check.py`` (template objectives shared and prefixed across teams) is
read once; then the search (``similar_groups`` on the distinct shingle sets) and the whole rule run several
times in one process, the cyclic collector paused as in ``okr-review check``. It prints the best and median
seconds, the comparisons and work the search took, whether a limit cut it short, the groups found, and a
digest of the findings (every hit: set, objective, message values, evidence, in order): two copies of the
code find the same if their digests match. A last row times thousands of copies of one template with
team prefixes, the case the work limits are there for.

Before/after: run it once on each copy of the code, e.g.

    python benchmarks/bench_duplicates.py                          # 10k, 50k, 100k KRs and 20,000 copies
    python benchmarks/bench_duplicates.py --sizes 10000 --repeat 9 --keep /tmp/bench
    PYTHONPATH=/path/to/other/checkout python benchmarks/bench_duplicates.py   # the other copy's figures

The machine may be shared: take the best of several rounds, and compare runs made one after the other.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from bench_check import generate

sys.path.append(str(Path(__file__).resolve().parent.parent))  # this checkout, unless PYTHONPATH names another


def timed(run: Callable[[], Any], repeat: int) -> tuple[Any, float, float]:
    """The result of the last run, and the best and median seconds of ``repeat`` runs."""
    seconds = []
    result = None
    for _ in range(repeat):
        started = time.perf_counter()
        result = run()
        seconds.append(time.perf_counter() - started)
    return result, min(seconds), statistics.median(seconds)


def digest(hits: list[Any]) -> str:
    """A short fingerprint of the findings, in order: equal digests, equal findings."""
    lines = [
        json.dumps(
            [
                hit.okr_set.key if hit.okr_set else None,
                hit.objective.id if hit.objective else None,
                dict(hit.params),
                hit.evidence,
            ],
            ensure_ascii=False,
            sort_keys=True,
        )
        for hit in hits
    ]
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()[:12]


def measure_export(path: Path, repeat: int) -> None:
    from assistant._gc import paused_gc
    from assistant.config import Config
    from assistant.importers import load_paths
    from assistant.rules import REGISTRY, BatchContext
    from assistant.rules.aligned import objectives_by_text, shingle_nodes
    from assistant.rules.similarity import similar_groups

    sets = list(load_paths([path]).sets)
    config = Config()
    threshold = config.threshold("duplicate-similarity")
    limits = {
        "per_set": int(config.threshold("duplicate-max-candidates")),
        "work": int(config.threshold("duplicate-max-work")),
    }
    rule = REGISTRY["ALI004"]
    with paused_gc():
        nodes, _ = shingle_nodes(objectives_by_text(sets))
        found, best, median = timed(lambda: similar_groups(nodes, threshold, **limits), repeat)
        hits, rule_best, rule_median = timed(lambda: list(rule.check(BatchContext(sets, config))), repeat)
    krs = path.stem.rsplit("-", 1)[-1]
    print(
        f"{int(krs):>9,} {len(nodes):>7,} {best:>7.3f} {median:>7.3f} {rule_best:>7.3f} {rule_median:>7.3f} "
        f"{found.comparisons:>11,} {found.work:>11,} {'yes' if found.complete else 'no':>8} "
        f"{len(found.groups()):>6} {len(hits):>5} {digest(hits):>12}",
        flush=True,
    )


def measure_copies(copies: int, repeat: int) -> None:
    """Thousands of teams prefixing one template: one group, about one comparison per copy."""
    from assistant._gc import paused_gc
    from assistant.config import Config
    from assistant.rules.aligned import shingle_nodes
    from assistant.rules.similarity import similar_groups

    config = Config()
    threshold = config.threshold("duplicate-similarity")
    per_set = int(config.threshold("duplicate-max-candidates"))
    nodes, _ = shingle_nodes(f"团队{n}：打造一流的客户满意度体验" for n in range(copies))
    with paused_gc():
        for label, work in (("unlimited", 10**12), ("work limit 20,000", 20_000)):
            found, best, median = timed(partial(similar_groups, nodes, threshold, per_set=per_set, work=work), repeat)
            print(
                f"{copies:,} prefixed copies, {label}: best {best:.3f} s, median {median:.3f} s, "
                f"{found.comparisons:,} comparisons, work {found.work:,}, complete {found.complete}, "
                f"{len(found.groups())} group(s)",
                flush=True,
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,50000,100000", help="comma-separated KR counts (0: none)")
    parser.add_argument("--repeat", type=int, default=5, help="rounds per measurement (best and median shown)")
    parser.add_argument("--keep", type=Path, help="keep the generated exports in this folder (and reuse them)")
    parser.add_argument("--copies", type=int, default=20_000, help="copies of one template in the last row (0: none)")
    args = parser.parse_args()
    import assistant

    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip() and int(s) > 0]
    print(f"python {sys.version.split()[0]}, code in {Path(assistant.__file__).parent}, {time.strftime('%Y-%m-%d')}")
    print("seconds: similar_groups (search) and the whole ALI004 rule (text grouping, search, findings)")
    print(
        f"{'KRs':>9} {'sets':>7} {'best':>7} {'median':>7} {'rule':>7} {'median':>7} "
        f"{'comparisons':>11} {'work':>11} {'complete':>8} {'groups':>6} {'hits':>5} {'digest':>12}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        for size in sizes:
            export = folder / f"okrs-{size}.csv"
            if not export.exists():
                generate(export, size)
            measure_export(export, args.repeat)
    if args.copies:
        measure_copies(args.copies, args.repeat)


if __name__ == "__main__":
    main()
