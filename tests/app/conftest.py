"""A running app per test module, started in the test process on a free 127.0.0.1 port (offline unless asked)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from assistant.app import AppContext, create_context, launch
from assistant.config import Config
from assistant.knowledge import open_retriever


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def shared_retriever(tmp_path_factory):
    data_dir: Path = tmp_path_factory.getbasetemp() / "okr-review-data"
    found, _ = open_retriever(Config().knowledge_settings(environ={"OKR_REVIEW_DATA_DIR": str(data_dir)}))
    return found


@contextmanager
def running_app(
    retriever, workdir: Path, *, config: Config | None = None, **options
) -> Iterator[tuple[str, AppContext]]:
    """The app's URL and context while it runs; closed afterwards."""
    ctx = create_context(
        config or Config(), retriever, workdir=workdir, **{k: v for k, v in options.items() if k != "auth"}
    )
    port = free_port()
    page = launch(ctx, port=port, block=False, quiet=True, auth=options.get("auth"))
    try:
        yield f"http://127.0.0.1:{port}/", ctx
    finally:
        page.close()


@pytest.fixture(scope="module")
def offline_app(shared_retriever, tmp_path_factory):
    with running_app(shared_retriever, tmp_path_factory.mktemp("app"), offline=True) as running:
        yield running
