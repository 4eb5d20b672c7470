"""Start the app: settings → shared context → gradio page → a local server (127.0.0.1 unless told otherwise).

Telemetry is off and uploads go to a private temporary folder, both set before gradio is imported. The uploads
folder is never among launch()'s allowed paths (only the reports folder is), every served file is a download
(:mod:`.guard`), and SIGTERM stops the app as Ctrl+C does, so the work folder is removed either way.
"""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..config import Config
from ..configfile import llm_settings_of
from ..llm import LLM
from .context import UPLOAD_SUFFIXES, UPLOADS, AppContext, new_workdir
from .guard import AppGuard, LoginThrottle
from .jobs import warm_up
from .review_job import REPORT_FORMATS
from .settings import AppLimits, shipped_limits

if TYPE_CHECKING:
    from ..knowledge.retrieval import Retriever

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7860
AUTH_VARIABLE = "OKR_REVIEW_APP_AUTH"


class AppSettingsError(ValueError):
    """A start-up setting that cannot work, with what to do about it."""


def parse_auth(value: str | None) -> tuple[str, str] | None:
    """``"user:password"`` → ``("user", "password")``; None or empty → no login."""
    if not value:
        return None
    user, sep, password = value.partition(":")
    if not sep or not user or not password:
        raise AppSettingsError(f"auth must look like user:password (from --auth or {AUTH_VARIABLE})")
    return user, password


def quiet_environment(workdir: Path) -> None:
    """No analytics, no update checks, uploads under ``workdir``: set before gradio is imported."""
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    os.environ["GRADIO_TEMP_DIR"] = str(workdir / UPLOADS)
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"


def create_context(
    config: Config,
    retriever: Retriever,
    *,
    offline: bool = False,
    max_upload_mb: int | None = None,
    workdir: Path | None = None,
    limits: AppLimits | None = None,
) -> AppContext:
    """The shared context: the opened knowledge retriever, and the LLM unless offline or none is configured.

    A bad LLM setting raises LLMSettingsError.
    """
    owned = workdir is None
    folder = workdir or new_workdir()
    settings = None if offline else llm_settings_of(config)
    llm = LLM.from_settings(settings) if settings is not None else None
    bounds = (limits or shipped_limits()).with_options(upload_mb=max_upload_mb)
    return AppContext(
        config=config,
        llm=llm,
        retriever=retriever,
        workdir=folder,
        max_upload_mb=bounds.upload_mb,
        limits=bounds,
        llm_description=settings.describe() if llm is not None and settings is not None else "",
        owned_workdir=owned,
    )


def launch(
    ctx: AppContext,
    *,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    auth: tuple[str, str] | None = None,
    block: bool = True,
    quiet: bool = False,
) -> Any:
    """Build the page and serve it; with ``block=False`` return the running gradio app (tests, benchmarks)."""
    quiet_environment(ctx.workdir)
    for folder in (ctx.uploads_dir, ctx.reports_dir):
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    from starlette.middleware import Middleware

    from .ui import CSS, JS, THEME, build_ui

    guard = Middleware(
        AppGuard,
        request_bytes=ctx.limits.request_bytes,
        upload_dir=ctx.uploads_dir,
        servable_suffixes={*UPLOAD_SUFFIXES, *(f".{fmt}" for fmt in REPORT_FORMATS)},
        throttle=LoginThrottle(ctx.limits) if auth is not None else None,
    )
    threading.Thread(target=warm_up, name="okr-review-forkserver", daemon=True).start()
    if block:
        stop_on_signals()
    page = build_ui(ctx)
    page.queue(default_concurrency_limit=ctx.llm.concurrency if ctx.llm is not None else 4)
    page.launch(
        server_name=host,
        server_port=port,
        auth=auth,
        share=False,
        inbrowser=False,
        prevent_thread_lock=not block,
        max_file_size=f"{ctx.max_upload_mb}mb",
        allowed_paths=[str(ctx.reports_dir)],  # never the uploads: they would be served inline
        app_kwargs={"middleware": [guard]},
        ssr_mode=False,
        quiet=quiet,
        show_error=True,
        css=CSS,
        theme=THEME,
        js=JS,
        footer_links=["api", "settings"],
        pwa=False,
        mcp_server=False,
    )
    return page


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def stop_on_signals() -> None:
    """SIGTERM and SIGHUP stop the app as Ctrl+C does (gradio closes the server, the caller removes the work folder)."""
    if threading.current_thread() is not threading.main_thread():
        return
    for name in ("SIGTERM", "SIGHUP"):
        number = getattr(signal, name, None)
        if number is not None:
            signal.signal(number, _interrupt)
