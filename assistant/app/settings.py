"""The web app's limits and timings, from ``assistant/data/app.toml``: per upload, per request, per session, login."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from ..shipped import data_table

MB = 1024 * 1024


@dataclass(frozen=True)
class AppLimits:
    """What one upload, request, review and session may cost, and how failed logins are slowed down."""

    upload_mb: int = 10
    request_mb: int = 20
    request_files: int = 20
    session_mb: int = 200
    session_files: int = 200
    review_seconds: float = 60
    review_memory_mb: int = 2048
    idle_seconds: float = 1800
    cache_sweep_seconds: int = 600
    cache_max_age_seconds: int = 3600
    login_delay_base: float = 0.5
    login_delay_max: float = 30
    login_forget_seconds: float = 900
    login_max_tracked: int = 10000

    @property
    def request_bytes(self) -> int:
        return self.request_mb * MB

    @property
    def session_bytes(self) -> int:
        return self.session_mb * MB

    def with_options(self, **changes: Any) -> AppLimits:
        """A copy with the given fields changed; None leaves a field as it is (command-line options not given)."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


def shipped_limits() -> AppLimits:
    """The defaults of ``app.toml``."""
    table = data_table("app")
    limits, sessions, login = table["limits"], table["sessions"], table["login"]
    return AppLimits(
        upload_mb=int(limits["upload-mb"]),
        request_mb=int(limits["request-mb"]),
        request_files=int(limits["request-files"]),
        session_mb=int(limits["session-mb"]),
        session_files=int(limits["session-files"]),
        review_seconds=float(limits["review-seconds"]),
        review_memory_mb=int(limits["review-memory-mb"]),
        idle_seconds=float(sessions["idle-seconds"]),
        cache_sweep_seconds=int(sessions["cache-sweep-seconds"]),
        cache_max_age_seconds=int(sessions["cache-max-age-seconds"]),
        login_delay_base=float(login["delay-base-seconds"]),
        login_delay_max=float(login["delay-max-seconds"]),
        login_forget_seconds=float(login["forget-seconds"]),
        login_max_tracked=int(login["max-tracked"]),
    )
