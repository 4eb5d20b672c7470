import sys
from pathlib import Path

# Tests import their builders as a plain module.
sys.path.insert(0, str(Path(__file__).parent))

import pytest


@pytest.fixture(autouse=True)
def _private_data_dir(tmp_path_factory, monkeypatch):
    """No test touches the user's knowledge index: the data folder is a temporary one."""
    monkeypatch.setenv("OKR_REVIEW_DATA_DIR", str(tmp_path_factory.getbasetemp() / "okr-review-data"))
    for name in ("OKR_REVIEW_CHROMA_HOST", "OKR_REVIEW_EMBEDDING", "OKR_REVIEW_KNOWLEDGE_DIR", "OPENAI_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
