"""Start-up benchmark of the web app: from launching ``okr-review app`` to the first page served.

Starts the command in a fresh process on a free port (offline, with a private data folder so the
first run also builds the knowledge index), polls ``GET /`` until it answers 200, and prints the
seconds for a cold start (index built) and warm starts (index reused), with the ratio to the 10 s
target from the web-app issue. Lower is better; a ratio under 1.0 meets the target.

    .venv/bin/python benchmarks/bench_app_startup.py
    .venv/bin/python benchmarks/bench_app_startup.py --warm 5
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

TARGET_SECONDS = 10.0
ROOT = Path(__file__).resolve().parent.parent


def find_command() -> Path:
    """The ``okr-review`` script: beside this interpreter, else in the checkout's ``.venv``, else on PATH."""
    script = "okr-review.exe" if os.name == "nt" else "okr-review"
    bin_dir = "Scripts" if os.name == "nt" else "bin"
    for candidate in (Path(sys.executable).parent / script, ROOT / ".venv" / bin_dir / script):
        if candidate.is_file():
            return candidate
    found = shutil.which("okr-review")
    if found is None:
        raise SystemExit("okr-review not found: install the project first (see the README's set-up commands)")
    return Path(found)


COMMAND = find_command()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def time_to_first_page(data_dir: Path, timeout: float = 120.0) -> float:
    """Seconds from starting the process to the first 200 on ``/``; the process is stopped afterwards."""
    port = free_port()
    env = {**os.environ, "OKR_REVIEW_DATA_DIR": str(data_dir)}
    for name in ("OPENAI_API_KEY", "OKR_REVIEW_LLM_BASE_URL", "OPENAI_BASE_URL"):
        env.pop(name, None)
    started = time.perf_counter()
    process = subprocess.Popen(
        [str(COMMAND), "app", "--port", str(port), "--offline"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        while time.perf_counter() - started < timeout:
            if process.poll() is not None:
                raise SystemExit(f"the app exited early:\n{process.stderr.read().decode() if process.stderr else ''}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as answer:
                    if answer.status == 200:
                        return time.perf_counter() - started
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.05)
        raise SystemExit(f"no page within {timeout:.0f} s")
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warm", type=int, default=3, help="warm starts to time after the cold one")
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="okr-review-bench-"))
    try:
        cold = time_to_first_page(data_dir)
        warm = [time_to_first_page(data_dir) for _ in range(args.warm)]
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    print(f"target: first page within {TARGET_SECONDS:.0f} s")
    print(f"cold start (index built):  {cold:6.2f} s   ratio {cold / TARGET_SECONDS:.2f}")
    if warm:
        median = statistics.median(warm)
        print(f"warm start (median of {len(warm)}): {median:6.2f} s   ratio {median / TARGET_SECONDS:.2f}")
        print("warm starts: " + ", ".join(f"{w:.2f}" for w in warm))


if __name__ == "__main__":
    main()
