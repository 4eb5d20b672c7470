from pathlib import Path

import pytest

from assistant.config import Config
from assistant.configfile import knowledge_settings_of
from assistant.knowledge import open_retriever


@pytest.fixture(scope="session")
def retriever(tmp_path_factory):
    """One knowledge index for the assist tests, in the temporary data folder the top conftest uses."""
    data_dir: Path = tmp_path_factory.getbasetemp() / "okr-review-data"
    found, _ = open_retriever(knowledge_settings_of(Config(), environ={"OKR_REVIEW_DATA_DIR": str(data_dir)}))
    return found
