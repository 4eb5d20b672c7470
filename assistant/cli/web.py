"""``okr-review app``: the web app on this machine (127.0.0.1 by default), offline until an LLM is configured."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from ._common import ConfigOption, DataDirOption, KnowledgeDirOption, err, fail, knowledge_tools, load_settings


def register(app: typer.Typer) -> None:
    """Add ``okr-review app`` to the command group."""
    app.command("app")(web_app)


def web_app(
    host: Annotated[str, typer.Option(help="Address to listen on; 0.0.0.0 shares it on the network.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 7860,
    auth: Annotated[
        str | None,
        typer.Option(
            help="user:password for a login page; prefer OKR_REVIEW_APP_AUTH (options show in ps).", show_default=False
        ),
    ] = None,
    max_upload_mb: Annotated[
        int | None, typer.Option(min=1, max=200, help="Largest file accepted, in MB (default 10).", show_default=False)
    ] = None,
    max_request_mb: Annotated[
        int | None,
        typer.Option(min=1, max=2000, help="Most MB in one upload or one review (default 20).", show_default=False),
    ] = None,
    review_seconds: Annotated[
        float | None,
        typer.Option(min=1, help="Time budget of one review, in seconds (default 60).", show_default=False),
    ] = None,
    offline: Annotated[bool, typer.Option("--offline", help="Do not use the LLM even if one is configured.")] = False,
    data_dir: DataDirOption = None,
    knowledge_dir: KnowledgeDirOption = None,
    config_path: ConfigOption = None,
) -> None:
    """Open the web app: drafting chat, batch review, alignment map, retrospective, guidance search."""
    from ..app import AppSettingsError, create_context, launch, parse_auth
    from ..app.settings import shipped_limits
    from ..llm import LLMSettingsError

    try:
        login = parse_auth(auth or os.environ.get("OKR_REVIEW_APP_AUTH"))
    except AppSettingsError as exc:
        raise fail(str(exc)) from None
    config = load_settings(config_path)
    retriever, _ = knowledge_tools(config, data_dir, knowledge_dir)
    try:
        limits = shipped_limits().with_options(
            upload_mb=max_upload_mb, request_mb=max_request_mb, review_seconds=review_seconds
        )
        ctx = create_context(config, retriever, offline=offline, limits=limits)
    except LLMSettingsError as exc:
        raise fail(str(exc)) from None
    mode = f"LLM: {ctx.llm_description}" if ctx.llm is not None else "offline mode (no LLM configured)"
    err.print(f"okr-review app on http://{host}:{port}  ·  {mode}", highlight=False, markup=False)
    if host not in ("127.0.0.1", "localhost", "::1") and login is None:
        err.print("warning: listening beyond this machine without --auth", highlight=False)
    try:
        launch(ctx, host=host, port=port, auth=login, quiet=True)
    finally:
        ctx.close()
