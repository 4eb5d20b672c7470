"""A running app per test module, started in the test process on a free 127.0.0.1 port (offline unless asked)."""

from __future__ import annotations

from pathlib import Path

import pytest
from app_server import running_app

from assistant.config import Config
from assistant.configfile import knowledge_settings_of
from assistant.knowledge import open_retriever


@pytest.fixture(scope="session")
def shared_retriever(tmp_path_factory):
    data_dir: Path = tmp_path_factory.getbasetemp() / "okr-review-data"
    found, _ = open_retriever(knowledge_settings_of(Config(), environ={"OKR_REVIEW_DATA_DIR": str(data_dir)}))
    return found


@pytest.fixture(scope="module")
def offline_app(shared_retriever, tmp_path_factory):
    with running_app(shared_retriever, tmp_path_factory.mktemp("app"), offline=True) as running:
        yield running
