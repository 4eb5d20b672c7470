"""Run the importers on hostile files in a child process under a memory ceiling, and measure what it cost.

The ceiling is an RLIMIT_AS of the interpreter's own baseline (``import assistant.importers``) plus
``BUDGET_MB``, so a regression dies with MemoryError in the child instead of taking the test machine down.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path

BUDGET_MB = 300  # issue 14, done when: every hostile case under 300 MB and 10 s
TIME_LIMIT_S = 10.0
_MB = 1024 * 1024

_STATUS = """
import re
def status(key):
    return int(re.search(key + r":\\s+(\\d+) kB", open("/proc/self/status").read()).group(1)) * 1024
"""
BASELINE = (
    _STATUS
    + """
import json
import assistant.importers
print(json.dumps({"vm_peak": status("VmPeak"), "rss_peak": status("VmHWM")}))
"""
)
DRIVER = (
    _STATUS
    + """
import json, sys, time
from assistant.importers import load_paths
start = time.perf_counter()
result = load_paths(sys.argv[1:])
seconds = time.perf_counter() - start
print(json.dumps({
    "seconds": seconds,
    "rss_peak": status("VmHWM"),
    "sets": len(result.sets),
    "objectives": sum(len(s.objectives) for s in result.sets),
    "key_results": sum(len(o.key_results) for s in result.sets for o in s.objectives),
    "problems": [p.to_dict() for p in result.problems],
}))
"""
)


@dataclass(frozen=True)
class Baseline:
    vm_peak: int  # bytes of address space of an interpreter that imported the importers
    rss_peak: int


@dataclass
class Outcome:
    returncode: int
    stderr: str
    seconds: float = 0.0
    rss_peak: int = 0
    sets: int = 0
    objectives: int = 0
    key_results: int = 0
    problems: list[dict] | None = None
    unchanged: bool = True  # every input file holds the same bytes after the run as before

    def errors(self) -> list[dict]:
        return [p for p in self.problems or [] if p["level"] == "error"]

    def warnings(self) -> list[dict]:
        return [p for p in self.problems or [] if p["level"] == "warning"]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    return env


@cache
def baseline() -> Baseline:
    """What the interpreter alone costs, measured once per session."""
    done = subprocess.run([sys.executable, "-c", BASELINE], capture_output=True, text=True, timeout=60, env=_env())
    data = json.loads(done.stdout)
    return Baseline(data["vm_peak"], data["rss_peak"])


def _ceiling(limit: int):
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    return apply


def run_import(paths: list[Path], *, cwd: Path | None = None, timeout: float = TIME_LIMIT_S * 3) -> Outcome:
    """``load_paths(paths)`` in a child under the memory ceiling; a crash or a timeout is reported, not raised.

    ``cwd`` lets a measurement run another checkout of the package (the importers as they were).
    """
    limit = baseline().vm_peak + BUDGET_MB * _MB
    command = [sys.executable, "-c", DRIVER, *map(str, paths)]
    files = [f for p in paths for f in ([p] if p.is_file() else sorted(p.rglob("*"))) if f.is_file()]
    before = digests(files)
    started = time.perf_counter()
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=timeout, preexec_fn=_ceiling(limit), cwd=cwd, env=_env()
        )
    except subprocess.TimeoutExpired:
        outcome = Outcome(returncode=-9, stderr="timed out", seconds=time.perf_counter() - started)
    else:
        if done.returncode != 0 or not done.stdout.strip():
            outcome = Outcome(done.returncode, done.stderr[-2000:], seconds=time.perf_counter() - started)
        else:
            outcome = Outcome(done.returncode, done.stderr[-2000:], **json.loads(done.stdout.strip().splitlines()[-1]))
    outcome.unchanged = digests(files) == before
    return outcome


def digests(paths: list[Path]) -> dict[Path, str]:
    """Each file's SHA-256, to show that reading never changed an input."""
    return {path: hashlib.sha256(path.read_bytes()).hexdigest() for path in paths}


def names_limit(problem: dict, name: str) -> bool:
    """Whether a problem says which limit was crossed."""
    return re.search(rf"\b{re.escape(name)} limit\b", problem["reason"]) is not None
