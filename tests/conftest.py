import sys
from pathlib import Path

# Tests import their builders as a plain module.
sys.path.insert(0, str(Path(__file__).parent))

import pytest


@pytest.fixture(autouse=True)
def _private_data_dir(tmp_path_factory, monkeypatch):
    """No test touches the user's index or LLM cache, or reaches an endpoint configured on this machine."""
    monkeypatch.setenv("OKR_REVIEW_DATA_DIR", str(tmp_path_factory.getbasetemp() / "okr-review-data"))
    monkeypatch.setenv("OKR_REVIEW_CACHE_DIR", str(tmp_path_factory.mktemp("llm-cache")))
    for name in (
        "OKR_REVIEW_CHROMA_HOST",
        "OKR_REVIEW_EMBEDDING",
        "OKR_REVIEW_KNOWLEDGE_DIR",
        "OKR_REVIEW_EMBEDDING_API_KEY",
        "OKR_REVIEW_LLM_BASE_URL",
        "OKR_REVIEW_LLM_MODEL",
        "OKR_REVIEW_LLM_API_KEY",
        "OKR_REVIEW_LLM_TIMEOUT",
        "OKR_REVIEW_LLM_CONCURRENCY",
        "OKR_REVIEW_LLM_CACHE",
        "OPENAI_BASE_URL",
        "OPENAI_API_KEY",
        "OPENAI_MODEL",
    ):
        monkeypatch.delenv(name, raising=False)
