from pathlib import Path

import pytest

from assistant.config import ConfigError
from assistant.configfile import config_from_mapping, knowledge_settings_of
from assistant.knowledge import SettingsError, bundled_knowledge_dir, knowledge_settings


def test_defaults_are_the_bundled_notes_and_an_embedded_offline_index():
    settings = knowledge_settings(environ={})
    assert settings.knowledge_dir == bundled_knowledge_dir()
    assert settings.chroma_host is None and settings.embedding == "offline"
    assert settings.index_dir == settings.data_dir / "chroma"
    assert "okr-review" in str(settings.data_dir)


def test_relative_paths_are_read_from_the_config_files_folder(tmp_path):
    settings = knowledge_settings({"knowledge-dir": "notes", "data-dir": "/var/okr"}, base=tmp_path, environ={})
    assert settings.knowledge_dir == tmp_path / "notes"
    assert settings.data_dir == Path("/var/okr")


def test_environment_wins_over_the_file():
    env = {
        "OKR_REVIEW_DATA_DIR": "/srv/okr",
        "OKR_REVIEW_CHROMA_HOST": "chroma.internal",
        "OKR_REVIEW_CHROMA_PORT": "9000",
        "OKR_REVIEW_EMBEDDING": "openai",
        "OPENAI_BASE_URL": "http://127.0.0.1:8080/v1",
    }
    settings = knowledge_settings({"data-dir": "/elsewhere", "chroma-port": 8001}, environ=env)
    assert settings.data_dir == Path("/srv/okr")
    assert (settings.chroma_host, settings.chroma_port) == ("chroma.internal", 9000)
    assert settings.embedding == "openai" and settings.embedding_base_url == "http://127.0.0.1:8080/v1"
    assert "chroma.internal:9000" in settings.where()


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"embeding": "offline"}, "embeding: unknown setting"),
        ({"embedding": "bert"}, "embedding: must be one of offline, openai"),
        ({"chroma-port": "eighty"}, "chroma-port: not a port number"),
        ({"collection": "ok"}, "3 or more characters"),
    ],
)
def test_bad_settings_name_their_key(table, message):
    with pytest.raises(SettingsError, match=message):
        knowledge_settings(table, environ={})


def test_the_config_file_checks_the_knowledge_table(tmp_path):
    source = tmp_path / ".okr-review.toml"
    config = config_from_mapping({"knowledge": {"data-dir": "index"}}, source=source)
    assert knowledge_settings_of(config, environ={}).data_dir == tmp_path / "index"
    with pytest.raises(ConfigError, match=r"knowledge: embedding: must be one of"):
        config_from_mapping({"knowledge": {"embedding": "bert"}}, source=source)
