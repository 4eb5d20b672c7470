"""Batch-tab benchmark of the web app: a 20,000-KR company export uploaded to ``/batch_review`` as a browser would.

Generates the export with ``bench_check.py``'s generator (template objectives shared and prefixed across
teams, departments, Chinese and English), starts ``okr-review app --offline`` in a fresh process on a free
port (as ``bench_app_startup.py`` does), then, for each run, a new session uploads the file, joins the queue
for the batch tab's endpoint and reads the queue's event stream, as the page does. It prints, from the start of
the upload: when the findings were shown (counts, charts, filters, table, map), when each report download
arrived (the review answers with the findings first, then each report as soon as it is written), when the event
completed, and the progress events the stream carried; medians over the runs, with their ratio to the 10 s
target of issue #15. Lower is better; a ratio under 1.0 meets the target.

    .venv/bin/python benchmarks/bench_app_batch.py
    .venv/bin/python benchmarks/bench_app_batch.py --krs 50000 --runs 5 --show-progress
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import urljoin

TARGET_SECONDS = 10.0
HERE = Path(__file__).resolve().parent
REPORTS = re.compile(rb"okr-review-report\.(html|xlsx|json)")  # the report files' names (review_job.REPORT_NAME)


def _sibling(name: str) -> ModuleType:
    """Another benchmark script of this folder, imported by path (the folder is not a package)."""
    spec = importlib.util.spec_from_file_location(name, HERE / f"{name}.py")
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot import benchmarks/{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bench_check = _sibling("bench_check")
bench_app_startup = _sibling("bench_app_startup")


@contextmanager
def running_app(data_dir: Path, timeout: float = 120.0) -> Iterator[str]:
    """``okr-review app --offline`` in a fresh process on a free port: its URL once ``/`` answers; stopped after."""
    port = bench_app_startup.free_port()
    env = {**os.environ, "OKR_REVIEW_DATA_DIR": str(data_dir)}
    for name in ("OPENAI_API_KEY", "OKR_REVIEW_LLM_BASE_URL", "OPENAI_BASE_URL"):
        env.pop(name, None)
    url = f"http://127.0.0.1:{port}/"
    process = subprocess.Popen(
        [str(bench_app_startup.COMMAND), "app", "--port", str(port), "--offline"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        started = time.perf_counter()
        while True:
            if process.poll() is not None:
                raise SystemExit(f"the app exited early:\n{process.stderr.read().decode() if process.stderr else ''}")
            if time.perf_counter() - started > timeout:
                raise SystemExit(f"no page within {timeout:.0f} s")
            try:
                with urllib.request.urlopen(url, timeout=2) as answer:
                    if answer.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@dataclass
class Run:
    """One upload: when (seconds from its start) the findings, each report and the end arrived, and the progress."""

    seconds: float = 0.0  # upload to the message that completes the event
    first: float | None = None  # upload to the first output: the findings, before the reports
    reports: dict[str, float] = field(default_factory=dict)  # report format → when its download first arrived
    progress: list[tuple[float, str]] = field(default_factory=list)  # (seconds since upload, words) per event
    sizes: list[int] = field(default_factory=list)  # bytes of each output message, as received
    counts: str = ""


def _messages(response: Any) -> Iterator[bytes]:
    """The ``data:`` payloads of a server-sent-event stream, split in linear time (as a browser does).

    Each chunk is searched once (from the last byte before it on): re-scanning the whole pending bytes at every
    chunk, as gradio_client does, costs seconds on a 20 MB message and would be timed as the app's.
    """
    pending, searched = bytearray(), 0
    for chunk in response.iter_bytes():
        pending += chunk
        while (end := pending.find(b"\n\n", max(searched - 1, 0))) >= 0:
            event = bytes(pending[:end])
            del pending[: end + 2]
            searched = 0
            if event.startswith(b"data:"):
                yield event[5:]
        searched = len(pending)


def _endpoint(client: Any, url: str, api_name: str) -> int:
    """The index of the event handler named ``api_name`` in the page's config (what the page sends)."""
    config = client.get(urljoin(url, "config")).json()
    for number, dependency in enumerate(config["dependencies"]):
        if dependency.get("api_name") == api_name:
            return int(dependency.get("id", number))
    raise SystemExit(f"no /{api_name} endpoint in the app's config")


def one_run(url: str, export: Path) -> Run:
    """A new session uploads ``export`` and reviews it, as the page does: upload, join the queue, read its stream.

    Timed from the start of the upload to the message that completes the event; the stream is read with
    brotli accepted, like a browser, and split linearly. What is timed ends when a message has arrived and been
    parsed; the browser's drawing of the table and the map afterwards is not included.
    """
    import httpx

    session = uuid.uuid4().hex[:11]
    api = urljoin(url, "gradio_api/")
    with httpx.Client(timeout=httpx.Timeout(600.0), headers={"Accept-Encoding": "br, gzip"}) as client:
        fn_index = _endpoint(client, url, "batch_review")
        started = time.perf_counter()
        with export.open("rb") as handle:
            uploaded = client.post(urljoin(api, "upload"), files=[("files", (export.name, handle, "text/csv"))])
        uploaded.raise_for_status()
        file = {"path": uploaded.json()[0], "orig_name": export.name, "meta": {"_type": "gradio.FileData"}}
        # The handler's inputs: the files, and the session's state (a gr.State the page holds; none yet).
        body = {"data": [[file], None], "fn_index": fn_index, "session_hash": session, "event_data": None}
        client.post(urljoin(api, "queue/join"), json=body).raise_for_status()
        run = Run()
        with client.stream("GET", urljoin(api, "queue/data"), params={"session_hash": session}) as response:
            for payload in _messages(response):
                at = time.perf_counter() - started
                message = json.loads(payload)
                kind = message.get("msg")
                if kind == "progress" and message.get("progress_data"):
                    unit = message["progress_data"][-1]
                    run.progress.append((at, f"{unit.get('progress') or 0:.0%} {unit.get('desc') or ''}".strip()))
                elif kind in ("process_generating", "process_completed"):
                    run.sizes.append(len(payload))
                    for fmt in REPORTS.findall(payload):
                        run.reports.setdefault(fmt.decode(), at)
                    data = message.get("output", {}).get("data") or [None]
                    if isinstance(data[0], str):  # a full output (not a diff): the counts line comes first
                        run.counts = data[0]
                    if run.first is None and kind == "process_generating":
                        run.first = at
                if kind == "process_completed":
                    run.seconds = at
                    if not message.get("success", False):
                        raise SystemExit(f"the review failed: {message.get('output')}")
                    break
    return run


def _median(values: list[float]) -> str:
    """The median in seconds and as a ratio to the target, or a dash when no run had it."""
    if not values:
        return "    —"
    median = statistics.median(values)
    return f"{median:6.2f} s   ratio {median / TARGET_SECONDS:.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--krs", type=int, default=20_000, help="key results in the generated export")
    parser.add_argument("--runs", type=int, default=3, help="uploads to time (medians reported)")
    parser.add_argument("--show-progress", action="store_true", help="print every progress event of the last run")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="okr-review-bench-batch-"))
    try:
        export = folder / f"okrs-{args.krs}.csv"
        bench_check.generate(export, args.krs)
        print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, {time.strftime('%Y-%m-%d')}")
        print(f"export: {args.krs:,} KRs, {export.stat().st_size / 1024 / 1024:.1f} MB CSV")
        runs: list[Run] = []
        with running_app(folder / "data") as url:
            for number in range(1, args.runs + 1):
                run = one_run(url, export)
                runs.append(run)
                first = f"{run.first:.2f} s" if run.first is not None else "—"
                sizes = " + ".join(f"{b / 1e6:.1f}" for b in run.sizes)
                reports = ", ".join(f"{fmt} {at:.2f} s" for fmt, at in sorted(run.reports.items(), key=lambda r: r[1]))
                print(
                    f"run {number}: findings {first}; reports {reports or 'none'}; completed {run.seconds:.2f} s; "
                    f"{len(run.progress)} progress events; outputs {sizes} MB",
                    flush=True,
                )
        print(f"answer: {runs[-1].counts}")
        if args.show_progress:
            for at, words in runs[-1].progress:
                print(f"  {at:6.2f} s  {words}")
        print(
            f"target: answered within {TARGET_SECONDS:.0f} s of the upload, with progress shown "
            f"(medians of {len(runs)} runs)"
        )
        print(f"findings shown (counts, charts, table, map): {_median([r.first for r in runs if r.first is not None])}")
        for fmt in ("json", "html", "xlsx"):
            print(
                f"{fmt.upper():<4} report download ready:               "
                f"{_median([r.reports[fmt] for r in runs if fmt in r.reports])}"
            )
        print(f"event completed (every download):             {_median([r.seconds for r in runs])}")
        events = [len(r.progress) for r in runs]
        print(f"progress events per run: {', '.join(map(str, events))} (every run showed progress: {min(events) > 0})")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
