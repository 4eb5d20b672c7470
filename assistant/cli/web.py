"""``okr-review app``: the web app on this machine (127.0.0.1 by default), offline until an LLM is configured."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from ..llm import LLMSettingsError
from . import (
    ConfigOption,
    DataDirOption,
    KnowledgeDirOption,
    _fail,
    _knowledge,
    _load_settings,
    _open_retriever,
    app,
    err,
)


@app.command("app")
def web_app(
    host: Annotated[str, typer.Option(help="Address to listen on; 0.0.0.0 shares it on the network.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 7860,
    auth: Annotated[
        str | None, typer.Option(help="user:password for a login page (or OKR_REVIEW_APP_AUTH).", show_default=False)
    ] = None,
    max_upload_mb: Annotated[int, typer.Option(min=1, max=200, help="Largest upload accepted, in MB.")] = 10,
    offline: Annotated[bool, typer.Option("--offline", help="Do not use the LLM even if one is configured.")] = False,
    data_dir: DataDirOption = None,
    knowledge_dir: KnowledgeDirOption = None,
    config_path: ConfigOption = None,
) -> None:
    """Open the web app: drafting chat, batch review, alignment map, retrospective, guidance search."""
    from ..app import AppSettingsError, create_context, launch, parse_auth

    try:
        login = parse_auth(auth or os.environ.get("OKR_REVIEW_APP_AUTH"))
    except AppSettingsError as exc:
        raise _fail(str(exc)) from None
    config = _load_settings(config_path)
    retriever, status = _open_retriever(_knowledge(config, data_dir=data_dir, knowledge_dir=knowledge_dir))
    if status.built:
        err.print(f"knowledge index built ({status.reason}) in {status.seconds:.1f} s", highlight=False)
    try:
        ctx = create_context(config, retriever, offline=offline, max_upload_mb=max_upload_mb)
    except LLMSettingsError as exc:
        raise _fail(str(exc)) from None
    mode = f"LLM: {ctx.llm_description}" if ctx.llm is not None else "offline mode (no LLM configured)"
    err.print(f"okr-review app on http://{host}:{port}  ·  {mode}", highlight=False, markup=False)
    if host not in ("127.0.0.1", "localhost", "::1") and login is None:
        err.print("warning: listening beyond this machine without --auth", highlight=False)
    try:
        launch(ctx, host=host, port=port, auth=login, quiet=True)
    finally:
        ctx.close()
