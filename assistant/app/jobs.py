"""Run one review in a process of its own, with a time and a memory budget: over either, it is stopped.

A hostile or simply huge upload then costs the server neither its memory nor a core for longer than the
budget, and the session that sent it stays usable. Processes come from a forkserver (started once, with the
review code imported), so a review starts in milliseconds and never inherits the server's threads or locks.
"""

from __future__ import annotations

import copyreg
import multiprocessing
import resource
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from types import MappingProxyType
from typing import Any

MB = 1024 * 1024
POLL_SECONDS = 0.2
PRELOAD = ["__main__", "assistant.app.review_job"]  # __main__ once here, not in every review

Progress = Callable[[float, str], None]


class JobError(Exception):
    """A review that did not finish; ``reason`` is the ui.toml key of the message for the person."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(detail or reason)
        self.reason = reason
        self.detail = detail


def _mapping(items: dict) -> MappingProxyType:
    return MappingProxyType(items)


# Settings hold read-only mappings; pickling them as plain dicts lets a review's settings travel to its process.
copyreg.pickle(MappingProxyType, lambda proxy: (_mapping, (dict(proxy),)))

_running: set[multiprocessing.process.BaseProcess] = set()
_running_lock = threading.Lock()
_context_lock = threading.Lock()
_context: Any = None


def _mp() -> Any:
    """The forkserver context, its server preloaded with the review code (once per process)."""
    global _context
    with _context_lock:
        if _context is None:
            _context = multiprocessing.get_context("forkserver")
            _context.set_forkserver_preload(PRELOAD)
        return _context


def warm_up() -> None:
    """Start the forkserver now, so that the first review does not pay for it."""
    run_bounded(_nothing, (), seconds=30, memory_mb=0)


def _nothing(report: Progress) -> None:
    return None


def _child(conn: Connection, memory_bytes: int, job: Callable[..., Any], args: tuple) -> None:
    """The review process: cap its address space, run the job, send back progress and the result or the failure."""
    if memory_bytes:
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))

    def report(fraction: float, what: str, answer: Any = None) -> None:
        conn.send(("progress", fraction, what))
        if answer is not None:  # a first answer, before the slower rest of the job
            conn.send(("answer", answer))

    try:
        result = job(*args, report=report)
    except MemoryError:
        conn.send(("failed", "review_memory", ""))
    except BaseException as exc:  # anything at all becomes a message, never a dead session
        conn.send(("failed", "review_failed", f"{type(exc).__name__}: {exc}"))
    else:
        try:
            conn.send(("done", result))
        except MemoryError:
            conn.send(("failed", "review_memory", ""))
    conn.close()


def run_bounded(
    job: Callable[..., Any],
    args: tuple,
    *,
    seconds: float,
    memory_mb: int,
    progress: Progress | None = None,
    answer: Callable[[Any], None] | None = None,
) -> Any:
    """``job(*args, report=…)`` in its own process; its result, or JobError when over budget or failed.

    ``report(fraction, what)`` reaches ``progress``; ``report(fraction, what, value)`` also hands ``value`` to
    ``answer`` at once (a review's findings, before its reports are written).
    """
    mp = _mp()
    receiver, sender = mp.Pipe(duplex=False)
    process = mp.Process(target=_child, args=(sender, memory_mb * MB, job, args), daemon=True)
    deadline = time.monotonic() + seconds
    with _running_lock:
        process.start()
        _running.add(process)
    sender.close()
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise JobError("review_timeout")
            if not receiver.poll(min(left, POLL_SECONDS)):
                if not process.is_alive() and not receiver.poll():
                    raise JobError(_death_reason(process.exitcode))
                continue
            try:
                message = receiver.recv()
            except (EOFError, OSError):
                process.join(1)
                raise JobError(_death_reason(process.exitcode)) from None
            kind, *payload = message
            if kind == "progress" and progress is not None:
                progress(*payload)
            elif kind == "answer" and answer is not None:
                answer(payload[0])
            elif kind == "done":
                return payload[0]
            elif kind == "failed":
                raise JobError(*payload)
    finally:
        _stop(process)
        receiver.close()


def _death_reason(exitcode: int | None) -> str:
    """A process that died without a word was most likely killed for memory (SIGKILL, SIGSEGV, abort)."""
    return "review_memory" if exitcode is not None and exitcode < 0 else "review_failed"


def _stop(process: multiprocessing.process.BaseProcess) -> None:
    if process.is_alive():
        process.kill()
    process.join(5)
    with _running_lock:
        _running.discard(process)


def stop_all() -> None:
    """Kill every review still running (the app is stopping)."""
    with _running_lock:
        running = list(_running)
    for process in running:
        _stop(process)


def running() -> int:
    """How many review processes are running now."""
    with _running_lock:
        return sum(1 for p in _running if p.is_alive())
