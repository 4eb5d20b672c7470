"""What each browser session has used and holds: files and bytes reviewed, its report folders, its uploads.

The per-session caps are checked here, one review at a time per session; a session's folders and uploads
are removed when it ends (gradio's unload) or after it has been idle for ``idle_seconds``.
"""

from __future__ import annotations

import contextlib
import shutil
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .settings import AppLimits


@dataclass
class SessionUse:
    """One session's totals and the things on disk that are its own."""

    files: int = 0
    bytes: int = 0
    busy: bool = False
    seen: float = 0.0
    folders: list[Path] = field(default_factory=list)
    uploads: set[Path] = field(default_factory=set)


def over_session_cap(use: SessionUse, files: int, size: int, limits: AppLimits) -> str | None:
    """The ui.toml key that says which session cap ``files`` more files of ``size`` bytes would cross, or None."""
    if use.files + files > limits.session_files:
        return "session_files"
    if use.bytes + size > limits.session_bytes:
        return "session_bytes"
    return None


class SessionLedger:
    """Per-session usage, shared by all handlers (thread-safe); sessions are keyed by gradio's session hash."""

    def __init__(self, limits: AppLimits, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self._clock = clock
        self._lock = threading.Lock()
        self._sessions: dict[str, SessionUse] = {}

    def __len__(self) -> int:
        return len(self._sessions)

    def __contains__(self, session: str) -> bool:
        return session in self._sessions

    def begin(self, session: str, files: int, size: int) -> str | None:
        """Start a review of ``files`` files and ``size`` bytes; the ui.toml key of the reason it may not, or None."""
        self.sweep()
        with self._lock:
            use = self._sessions.setdefault(session, SessionUse())
            use.seen = self._clock()
            if use.busy:
                return "session_busy"
            reason = over_session_cap(use, files, size, self.limits)
            if reason is None:
                use.busy = True
                use.files += files
                use.bytes += size
            return reason

    def end(self, session: str, *, folder: Path | None = None, uploads: Iterable[str | Path] = ()) -> None:
        """The review is over: keep only its report folder (older ones are removed) and note the uploads it read."""
        stale: list[Path] = []
        with self._lock:
            use = self._sessions.setdefault(session, SessionUse())
            use.busy = False
            use.seen = self._clock()
            use.uploads.update(Path(p) for p in uploads)
            if folder is not None:
                stale, use.folders = use.folders, [folder]
        _remove(stale)

    def forget(self, session: str) -> None:
        """Free a session that ended: its report folders, and the uploads no other session is using."""
        with self._lock:
            use = self._sessions.pop(session, None)
            if use is None:
                return
            shared = set().union(*(other.uploads for other in self._sessions.values()))
        _remove([*use.folders, *(p for p in use.uploads if p not in shared)])

    def sweep(self) -> list[str]:
        """Forget the sessions idle for longer than ``idle_seconds`` (not those with a review running)."""
        now = self._clock()
        with self._lock:
            idle = [k for k, u in self._sessions.items() if not u.busy and now - u.seen > self.limits.idle_seconds]
        for session in idle:
            self.forget(session)
        return idle

    def forget_all(self) -> None:
        for session in list(self._sessions):
            self.forget(session)


def _remove(paths: Iterable[Path]) -> None:
    """Delete files and folders, quietly: a file already gone is what we wanted."""
    for path in paths:
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
            with contextlib.suppress(OSError):
                path.parent.rmdir()  # gradio keeps each upload in a folder of its own; gone when empty
