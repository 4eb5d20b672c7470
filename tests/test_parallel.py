"""``check --jobs N``: large batches checked in worker processes give the same findings and reports as one process."""

from __future__ import annotations

import importlib.util
import itertools
import json
import multiprocessing
import os
import re
import signal
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from builders import objective, okr_set
from typer.testing import CliRunner

from assistant import engine
from assistant.cli import app
from assistant.config import Config
from assistant.engine import check, chunk_bounds
from assistant.importers import load_paths
from assistant.reports import render
from assistant.review import Review

ROOT = Path(__file__).resolve().parents[1]


def _bench():
    """The benchmark's generator of realistic company exports (departments, teams, shared objective templates)."""
    spec = importlib.util.spec_from_file_location("bench_check", ROOT / "benchmarks" / "bench_check.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def export(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("parallel") / "company.csv"
    assert _bench().generate(path, 800, seed=11) == 800
    return path


@pytest.fixture(scope="module")
def loaded(export):
    result = load_paths([str(export)])
    assert len(result.sets) > 20 and not result.unreadable
    return result


@pytest.fixture
def low_threshold(monkeypatch):
    """Workers for any batch of two sets or more, cut into several runs per worker."""
    monkeypatch.setattr(engine, "_parallel_settings", lambda: {"min-key-results": 1, "chunks-per-job": 3})


def _reports(loaded, findings, config: Config) -> tuple[str, str]:
    review = Review(
        inputs=["company.csv"],
        sets=loaded.sets,
        findings=findings,
        problems=loaded.problems,
        language="zh",
        generated_at=datetime(2025, 7, 1, tzinfo=UTC),
    )
    return render(review, "json"), render(review, "md")


@pytest.mark.parametrize("jobs", [2, 3])
def test_workers_give_the_same_findings_and_reports_as_one_process(loaded, low_threshold, jobs):
    config = Config(language="zh")
    alone = check(loaded.sets, config, jobs=1)
    spread = check(loaded.sets, config, jobs=jobs)
    assert spread == alone
    assert {f.code for f in alone} >= {"ALI001", "ALI004", "OWN001", "MEA002"}  # batch and item rules both ran
    # Sources and item texts point at the caller's own objects, as in a one-process run.
    assert all(a.source is b.source for a, b in zip(alone, spread, strict=True))
    assert _reports(loaded, spread, config) == _reports(loaded, alone, config)


def test_unfolded_findings_are_the_same_too(loaded, low_threshold):
    config = Config(language="en")
    assert check(loaded.sets, config, jobs=2, fold=False) == check(loaded.sets, config, jobs=1, fold=False)


def test_spawned_workers_give_the_same_findings(loaded, low_threshold, monkeypatch):
    if "spawn" not in multiprocessing.get_all_start_methods():
        pytest.skip("no spawn start method here")
    monkeypatch.setattr(engine, "_start_method", lambda: "spawn")
    some = loaded.sets[:12]  # spawned workers are sent their sets: keep it small
    config = Config(language="zh")
    assert check(some, config, jobs=2) == check(some, config, jobs=1)


def test_progress_counts_every_key_result_once(loaded, low_threshold):
    seen: list[int] = []
    check(loaded.sets, Config(), jobs=2, on_progress=seen.append)
    assert sum(seen) == 800 and len(seen) > 1


def test_small_batches_stay_in_this_process(monkeypatch):
    def no_pool(*args, **kwargs):
        raise AssertionError("a small batch started worker processes")

    monkeypatch.setattr(engine, "_check_in_workers", no_pool)
    sets = [okr_set(objective("让客户满意", "NPS 从 30 提升到 45"), team=f"组{i}") for i in range(5)]
    assert check(sets, Config(), jobs=8)  # 5 KRs: far below the threshold in assistant/data/engine.toml
    monkeypatch.setattr(engine, "_parallel_settings", lambda: {"min-key-results": 1, "chunks-per-job": 2})
    assert check(sets[:1], Config(), jobs=8)  # one set: nothing to share out


@pytest.mark.parametrize(
    ("sizes", "pieces"),
    [([5] * 10, 3), ([1, 100, 1, 1, 1], 4), ([0, 0, 0], 2), ([7], 5), ([3, 3, 3, 3], 8)],
)
def test_chunks_cover_every_set_once_in_order(sizes, pieces):
    bounds = chunk_bounds(sizes, pieces)
    assert bounds[0][0] == 0 and bounds[-1][1] == len(sizes)
    assert all(a < b for a, b in bounds) and all(b == c for (_, b), (c, _) in itertools.pairwise(bounds))
    assert len(bounds) <= min(pieces, len(sizes))


def test_chunks_are_about_equal():
    bounds = chunk_bounds([10] * 100, 4)
    assert [b - a for a, b in bounds] == [25, 25, 25, 25]


def _normalised(text: str) -> str:
    """The report with its generated-at timestamp (JSON field, Markdown header) blanked."""
    return re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", "-", text)


@pytest.mark.parametrize("fmt", ["json", "md"])
def test_cli_jobs_gives_a_byte_identical_report(export, tmp_path, low_threshold, fmt):
    outputs = []
    for jobs in ("1", "2"):
        target = tmp_path / f"report-{jobs}.{fmt}"
        args = ["check", str(export), "--format", fmt, "-o", str(target), "--jobs", jobs, "--fail-on", "never"]
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 0, result.output
        outputs.append(_normalised(target.read_text(encoding="utf-8")))
    assert outputs[0] == outputs[1]
    if fmt == "json":
        assert json.loads(outputs[0])["summary"]["key_results"] == 800


def test_cli_refuses_zero_jobs(export):
    result = CliRunner().invoke(app, ["check", str(export), "--jobs", "0"])
    assert result.exit_code == 2


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork here")
def test_a_forked_worker_dies_on_sigterm_whatever_the_caller_installed(monkeypatch):
    """The CLI turns SIGTERM into SystemExit; a worker must not keep that, or Pool.terminate can wait for ever.

    The signal is sent at once after the fork, so it may arrive before the worker has run a line of its own:
    it must end the worker all the same.
    """
    previous = signal.signal(signal.SIGTERM, lambda *_: None)  # what the CLI's handler would be
    monkeypatch.setattr(engine, "_FORKED", ((), None, True))  # as while a pool is open
    try:
        for _ in range(20):
            with engine._termination_blocked():  # as in the pool's threads, which fork the workers
                pid = os.fork()
                if pid == 0:
                    time.sleep(10)
                    os._exit(0)
            os.kill(pid, signal.SIGTERM)
            _, status = os.waitpid(pid, 0)
            assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGTERM
    finally:
        signal.signal(signal.SIGTERM, previous)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork here")
def test_a_forked_worker_leaves_ctrl_c_to_the_caller(monkeypatch):
    monkeypatch.setattr(engine, "_FORKED", ((), None, True))
    read, write = os.pipe()
    try:
        with engine._termination_blocked():
            pid = os.fork()
            if pid == 0:  # the child reports what it has, then leaves without running the test's clean-up
                blocked = signal.pthread_sigmask(signal.SIG_BLOCK, [])
                state = (signal.getsignal(signal.SIGINT) is signal.SIG_IGN, signal.SIGTERM in blocked)
                os.write(write, repr(state).encode())
                os._exit(0)
        os.close(write)
        os.waitpid(pid, 0)
        assert os.read(read, 100) == b"(True, False)"  # Ctrl-C ignored, SIGTERM no longer held back
    finally:
        os.close(read)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork here")
def test_other_forks_keep_the_callers_handlers(monkeypatch):
    monkeypatch.setattr(engine, "_FORKED", None)  # no pool open
    handler = lambda *_: None  # noqa: E731
    previous = signal.signal(signal.SIGTERM, handler)
    read, write = os.pipe()
    try:
        pid = os.fork()
        if pid == 0:
            os.write(write, b"kept" if signal.getsignal(signal.SIGTERM) is handler else b"reset")
            os._exit(0)
        os.close(write)
        os.waitpid(pid, 0)
        assert os.read(read, 100) == b"kept"
    finally:
        signal.signal(signal.SIGTERM, previous)
        os.close(read)
