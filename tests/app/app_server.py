"""Start the app in the test process on a free 127.0.0.1 port (offline unless asked)."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from assistant.app import AppContext, create_context, launch
from assistant.config import Config


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def running_app(
    retriever, workdir: Path, *, config: Config | None = None, **options
) -> Iterator[tuple[str, AppContext]]:
    """The app's URL and context while it runs; closed afterwards.

    gradio reads its upload folder from GRADIO_TEMP_DIR at each request, and every launch sets it to that app's
    own: it is put back afterwards, so an app started earlier (a module's ``offline_app``) keeps accepting uploads.
    """
    before = os.environ.get("GRADIO_TEMP_DIR")
    ctx = create_context(
        config or Config(), retriever, workdir=workdir, **{k: v for k, v in options.items() if k != "auth"}
    )
    port = free_port()
    page = launch(ctx, port=port, block=False, quiet=True, auth=options.get("auth"))
    try:
        yield f"http://127.0.0.1:{port}/", ctx
    finally:
        page.close()
        ctx.close()
        if before is None:
            os.environ.pop("GRADIO_TEMP_DIR", None)
        else:
            os.environ["GRADIO_TEMP_DIR"] = before
