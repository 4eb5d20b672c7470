import sys
from pathlib import Path

import pytest

from assistant.config import Config
from assistant.configfile import knowledge_settings_of
from assistant.knowledge import open_retriever

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # llm_server, builders


@pytest.fixture(scope="session")
def retriever(tmp_path_factory):
    data_dir = tmp_path_factory.getbasetemp() / "okr-review-eval-data"
    found, _ = open_retriever(knowledge_settings_of(Config(), environ={"OKR_REVIEW_DATA_DIR": str(data_dir)}))
    return found


@pytest.fixture(autouse=True)
def no_realworld_set(monkeypatch):
    """Runs here never read the real-world set beside the checkout: a test that wants one writes its own."""
    from assistant.evaluation import realworld

    monkeypatch.delenv("OKR_REVIEW_REALWORLD", raising=False)
    monkeypatch.setattr(realworld, "checkout_root", lambda: None)
