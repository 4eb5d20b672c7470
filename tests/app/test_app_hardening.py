"""Issue 14, the web app: hostile uploads, caps per request and session, time budget, cleanup, login delay.

Everything about serving is checked over HTTP against a running app; the SIGTERM test starts ``okr-review app``
in a subprocess.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from app_server import free_port, running_app
from gradio_client import Client, handle_file

from assistant.app.batch import progress_words, review_uploads
from assistant.app.context import AppContext
from assistant.app.guard import LoginThrottle, login_delay
from assistant.app.sessions import SessionLedger
from assistant.app.settings import AppLimits, shipped_limits
from assistant.app.texts import text
from assistant.config import Config

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
VENV_BIN = Path(sys.executable).parent
GOOD_CSV = "team,objective,key_result\n增长部,让新商家第一周就离不开我们,新商家首周激活率从 35% 提升到 55%\n"


def client(url: str) -> Client:
    return Client(url, verbose=False, download_files=False)


def upload(url: str, *files: tuple[str, bytes]) -> httpx.Response:
    """POST files to gradio's upload route, as the browser does before a handler runs."""
    parts = [("files", (name, body, "application/octet-stream")) for name, body in files]
    return httpx.post(url + "gradio_api/upload", files=parts, timeout=30)


# ---------------------------------------------------------------- serving uploads


@pytest.mark.parametrize(
    ("name", "body"),
    [
        ("evil.html", b"<html><script>fetch('/gradio_api/info')</script></html>"),
        ("evil.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
    ],
)
def test_an_uploaded_page_is_never_served_inline(offline_app, name, body):
    url, ctx = offline_app
    stored = upload(url, (name, body))
    assert stored.status_code == 200
    path = stored.json()[0]
    assert Path(path).resolve().is_relative_to(ctx.uploads_dir.resolve())
    served = httpx.get(url + "gradio_api/file=" + path, timeout=10)
    if served.status_code == 200:  # .html may be fetched back, but only as a download that runs nothing
        assert served.headers["content-disposition"].startswith("attachment")
        assert served.headers["content-type"] == "application/octet-stream"
        assert served.headers["x-content-type-options"] == "nosniff"
        assert "sandbox" in served.headers["content-security-policy"]
    else:
        assert served.status_code in (403, 404)
    assert name != "evil.svg" or served.status_code == 403  # not an input type, not a report: never served


def test_uploads_are_not_among_the_allowed_paths(offline_app):
    url, ctx = offline_app
    config = httpx.get(url + "config", timeout=10).json()
    # gradio serves files under allowed_paths inline; only the reports folder is there.
    page = ctx.workdir.resolve()
    assert not any(Path(p).resolve() == page for p in config.get("allowed_paths", []) or [])


def test_reports_download_as_attachments(offline_app):
    url, _ = offline_app
    reports = client(url).predict([handle_file(str(EXAMPLES / "growth-team.en.md"))], api_name="/batch_review")[10]
    html = next(r for r in reports if r["path"].endswith(".html"))
    served = httpx.get(html["url"], timeout=10)
    assert served.status_code == 200 and b"<html" in served.content[:500].lower()
    assert served.headers["content-disposition"].startswith("attachment")


# ---------------------------------------------------------------- caps per request


def test_upload_request_over_the_byte_cap_is_refused(shared_retriever, tmp_path):
    limits = shipped_limits().with_options(upload_mb=1, request_mb=2)
    with running_app(shared_retriever, tmp_path, offline=True, limits=limits) as (url, _):
        chunk = b"a" * (900 * 1024)  # each file under the 1 MB per-file limit
        assert upload(url, ("one.csv", chunk)).status_code == 200
        assert upload(url, *((f"part{i}.csv", chunk) for i in range(3))).status_code == 413  # 2.7 MB in all


def test_review_reads_at_most_the_request_files_and_names_the_rest(shared_retriever, tmp_path):
    limits = shipped_limits().with_options(request_files=2)
    files = []
    for i in range(3):
        path = tmp_path / f"team{i}.csv"
        path.write_text(GOOD_CSV.replace("增长部", f"团队{i}"), "utf-8")
        files.append(handle_file(str(path)))
    with running_app(shared_retriever, tmp_path / "app", offline=True, limits=limits) as (url, _):
        counts, statuses, problems, *_ = client(url).predict(files, api_name="/batch_review")
    assert counts.startswith("共 2 组")
    assert statuses.splitlines()[2] == "- ✗ " + text("zh", "too_many_files", name="team2.csv", limit=2)
    assert "team2.csv" in problems["value"] and "最多审阅 2 个文件" in problems["value"]


# ---------------------------------------------------------------- one hostile file, time budget, session caps


def test_a_hostile_file_beside_a_good_one_does_not_sink_the_review(offline_app, tmp_path):
    url, _ = offline_app
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000, "utf-8")
    good = tmp_path / "good.csv"
    good.write_text(GOOD_CSV, "utf-8")
    counts, statuses, problems, *_ = client(url).predict(
        [handle_file(str(deep)), handle_file(str(good))], api_name="/batch_review"
    )
    assert statuses.startswith("- ✗ deep.json：没有读到 OKR") and "\n- ✓ good.csv：读到 1 组 OKR。" in statuses
    assert counts.startswith("共 1 组") and "1 个关键结果" in counts  # the good file was reviewed
    assert "deep.json" in problems["value"]


def test_a_review_over_its_time_budget_stops_and_the_session_goes_on(shared_retriever, tmp_path):
    limits = shipped_limits().with_options(review_seconds=0.001)
    with running_app(shared_retriever, tmp_path, offline=True, limits=limits) as (url, ctx):
        app = client(url)
        files = [handle_file(str(EXAMPLES / "company-and-teams.csv"))]
        counts, *_ = app.predict(files, api_name="/batch_review")
        assert "已停止" in counts and "0.001 秒" in counts
        assert not any(ctx.reports_dir.glob("*/*"))  # a review that did not finish leaves no reports
        ctx.limits = ctx.limits.with_options(review_seconds=60)
        counts, *_ = app.predict(files, api_name="/batch_review")  # the same session, usable
        assert counts.startswith("共 ") and "发现" in counts


def test_session_caps_refuse_more_files_and_other_sessions_go_on(shared_retriever, tmp_path):
    limits = shipped_limits().with_options(session_files=2)
    files = [handle_file(str(EXAMPLES / "company-and-teams.csv"))]
    with running_app(shared_retriever, tmp_path, offline=True, limits=limits) as (url, _):
        first = client(url)
        for _ in range(2):
            assert first.predict(files, api_name="/batch_review")[0].startswith("共 ")
        refused = first.predict(files, api_name="/batch_review")[0]
        assert "会话已审阅的文件数达到上限（2 个）" in refused
        assert client(url).predict(files, api_name="/batch_review")[0].startswith("共 ")


# ---------------------------------------------------------------- session state and files freed


def test_a_closed_session_frees_its_reports_and_uploads(offline_app):
    url, ctx = offline_app
    app = client(url)
    before = set(ctx.reports_dir.glob("reports-*"))
    app.predict([handle_file(str(EXAMPLES / "platform-team.md"))], api_name="/batch_review")
    session = app.session_hash
    assert session in ctx.ledger
    written = set(ctx.reports_dir.glob("reports-*")) - before
    assert len(written) == 1 and (next(iter(written)) / "okr-review-report.json").exists()
    # A browser keeps a heartbeat open; when it goes away, gradio runs the page's unload handlers.
    with httpx.stream("GET", url + f"gradio_api/heartbeat/{session}", timeout=10) as beat:
        next(beat.iter_lines())
    deadline = time.monotonic() + 20
    # The session leaves the ledger first, then its folders are deleted (outside the lock): wait for both.
    while (session in ctx.ledger or any(f.exists() for f in written)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert session not in ctx.ledger
    assert not any(folder.exists() for folder in written)


def test_ledger_keeps_one_report_folder_per_session_and_forgets_idle_ones(tmp_path):
    now = [0.0]
    ledger = SessionLedger(AppLimits(idle_seconds=60), clock=lambda: now[0])
    first, second = tmp_path / "r1", tmp_path / "r2"
    shared = tmp_path / "up" / "a.csv"
    for path in (first, second):
        path.mkdir()
    shared.parent.mkdir()
    shared.write_text("x")
    assert ledger.begin("s1", 1, 10) is None
    assert ledger.begin("s1", 1, 10) == "session_busy"  # one review at a time per session
    ledger.end("s1", folder=first, uploads=[shared])
    assert ledger.begin("s1", 1, 10) is None
    ledger.end("s1", folder=second)
    assert not first.exists() and second.exists()  # only the last review's reports are kept
    assert ledger.begin("s2", 1, 10) is None
    ledger.end("s2", uploads=[shared])
    now[0] = 30
    ledger.begin("s2", 0, 0)
    ledger.end("s2")
    now[0] = 100  # s1 idle for 100 s, s2 for 70 s: both past 60
    assert sorted(ledger.sweep()) == ["s1", "s2"]
    assert not second.exists() and not shared.exists()


def test_ledger_caps_files_and_bytes_per_session(tmp_path):
    ledger = SessionLedger(AppLimits(session_files=3, session_mb=1))
    assert ledger.begin("s", 2, 1000) is None
    ledger.end("s")
    assert ledger.begin("s", 2, 1000) == "session_files"
    assert ledger.begin("s", 1, 2 * 1024 * 1024) == "session_bytes"
    assert ledger.begin("s", 1, 1000) is None


# ---------------------------------------------------------------- the work folder on SIGTERM and SIGINT


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_the_work_folder_is_removed_when_the_app_is_stopped(shared_retriever, tmp_path_factory, tmp_path, signum):
    data_dir = tmp_path_factory.getbasetemp() / "okr-review-data"  # the index shared_retriever built: no rebuild
    temp = tmp_path / "tmp"
    temp.mkdir()
    port = free_port()
    env = {**os.environ, "TMPDIR": str(temp), "OKR_REVIEW_APP_AUTH": "", "OKR_REVIEW_DATA_DIR": str(data_dir)}
    command = [str(VENV_BIN / "okr-review"), "app", "--offline", "--port", str(port)]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/config", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
            assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
        folders = list(temp.glob("okr-review-app-*"))
        assert len(folders) == 1 and (folders[0] / "uploads").is_dir()
        process.send_signal(signum)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert not folders[0].exists()


# ---------------------------------------------------------------- login


def test_login_delay_grows_and_is_bounded():
    delays = [login_delay(n, 0.5, 30) for n in range(10)]
    assert delays[:4] == [0.0, 0.5, 1.0, 2.0]
    assert delays == sorted(delays) and max(delays) == 30
    assert login_delay(10_000, 0.5, 30) == 30  # no overflow, still bounded


def test_throttle_forgets_old_failures_and_a_success_resets():
    now = [0.0]
    throttle = LoginThrottle(AppLimits(login_delay_base=1, login_delay_max=8, login_forget_seconds=60), lambda: now[0])
    keys = ["client:1.2.3.4", "user:coach"]
    for _ in range(3):
        throttle.record(keys, succeeded=False)
    assert throttle.delay(keys) == 4
    assert throttle.delay(["client:5.6.7.8", "user:coach"]) == 4  # another client, the same user
    throttle.record(["client:1.2.3.4"], succeeded=True)
    assert throttle.delay(["client:1.2.3.4"]) == 0
    now[0] = 61
    assert throttle.delay(keys) == 0


def test_failed_logins_are_slowed_down_over_http(shared_retriever, tmp_path):
    limits = shipped_limits().with_options(login_delay_base=0.3, login_delay_max=1.2)
    with running_app(shared_retriever, tmp_path, offline=True, auth=("coach", "s3cret"), limits=limits) as (url, _):
        login = url + "login/"
        timings = []
        for _ in range(4):
            started = time.monotonic()
            answer = httpx.post(login, data={"username": "coach", "password": "wrong"}, timeout=30)
            timings.append(time.monotonic() - started)
            assert answer.status_code == 400
        # Waits of at least 0.3, 0.6 and 1.2 s before the 2nd, 3rd and 4th attempt: each slower than the first.
        assert timings[1] >= 0.3 and timings[2] >= 0.6 and timings[3] >= 1.2
        assert timings[0] < timings[1] < timings[3]
        good = httpx.post(login, data={"username": "coach", "password": "s3cret"}, timeout=30)
        assert good.status_code == 200 and good.json() == {"success": True}  # still possible, after the wait
        started = time.monotonic()
        assert httpx.post(login, data={"username": "coach", "password": "wrong"}, timeout=30).status_code == 400
        assert time.monotonic() - started < 1.2  # the success reset the count


def test_batch_review_reports_its_progress_step_by_step(tmp_path, shared_retriever):
    ctx = AppContext(config=Config(), llm=None, retriever=shared_retriever, workdir=tmp_path)
    good = tmp_path / "good.csv"
    good.write_text(GOOD_CSV, "utf-8")
    steps: list[tuple[float, str]] = []
    answers = []
    result = review_uploads(
        [good],
        ctx,
        "en",
        session="s",
        progress=lambda done, what: steps.append((done, what)),
        answer=lambda first: answers.append((first, len(steps))),
    )
    named = list(dict.fromkeys(what for _, what in steps))
    assert named == ["good.csv", "check", "reports"]
    assert [done for done, _ in steps] == sorted(done for done, _ in steps)
    assert [progress_words(what, "en") for what in named] == ["Reading good.csv", "Checking", "Writing reports"]
    # The findings come first, before the reports are written; the result has both.
    (first, at), *more = answers
    assert not more and first.reports == [] and first.review.summary().key_results == 1
    assert at < len(steps) and steps[at - 1][1] == "reports"
    assert result.review.summary().key_results == 1 and len(result.reports) == 3
