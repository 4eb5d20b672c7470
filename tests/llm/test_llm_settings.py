from pathlib import Path

import pytest

from assistant.config import ConfigError
from assistant.configfile import config_from_mapping, llm_settings_of
from assistant.llm import LLMSettingsError, llm_settings


def test_nothing_configured_is_offline():
    settings = llm_settings(environ={})
    assert not settings.online
    assert "offline" in settings.describe()


def test_api_key_alone_means_openai_with_default_model():
    settings = llm_settings(environ={"OPENAI_API_KEY": "sk-abc"})
    assert settings.online
    assert settings.model == "gpt-4o-mini"
    assert settings.base_url is None


def test_base_url_without_model_is_an_error_naming_the_variable():
    with pytest.raises(LLMSettingsError, match="OKR_REVIEW_LLM_MODEL"):
        llm_settings(environ={"OPENAI_BASE_URL": "http://localhost:11434/v1"})


def test_local_server_needs_no_key():
    settings = llm_settings(
        environ={"OKR_REVIEW_LLM_BASE_URL": "http://localhost:11434/v1/", "OKR_REVIEW_LLM_MODEL": "qwen2.5"}
    )
    assert settings.online
    assert settings.base_url == "http://localhost:11434/v1"
    assert settings.api_key is None


def test_model_name_alone_reaches_nothing_and_stays_offline():
    assert not llm_settings({"model": "deepseek-chat"}, environ={}).online


def test_environment_wins_over_file_and_openai_variables_are_fallbacks():
    environ = {
        "OPENAI_BASE_URL": "https://fallback/v1",
        "OKR_REVIEW_LLM_BASE_URL": "https://chosen/v1",
        "OPENAI_MODEL": "fallback-model",
        "OKR_REVIEW_LLM_CONCURRENCY": "2",
    }
    settings = llm_settings({"model": "file-model", "concurrency": 8}, environ=environ)
    assert settings.base_url == "https://chosen/v1"
    assert settings.model == "file-model"  # OPENAI_MODEL only fills a gap
    assert settings.concurrency == 2


def test_key_never_in_repr_or_describe():
    settings = llm_settings(environ={"OPENAI_API_KEY": "sk-very-secret"})
    assert "sk-very-secret" not in repr(settings)
    assert "sk-very-secret" not in settings.describe()


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"timeout": "soon"}, "timeout: not a number"),
        ({"concurrency": 0}, "concurrency: must be at least 1"),
        ({"structured-output": "xml"}, "structured-output: must be one of"),
        ({"cache": "maybe"}, "cache: expected"),
        ({"temperatur": 1}, "temperatur: unknown setting"),
    ],
)
def test_bad_values_name_the_key(table, message):
    with pytest.raises(LLMSettingsError, match=message):
        llm_settings(table, environ={})


def test_cache_can_be_switched_off_and_moved(tmp_path: Path):
    settings = llm_settings({"cache-dir": "cache"}, base=tmp_path, environ={"OKR_REVIEW_LLM_CACHE": "off"})
    assert settings.cache is False
    assert settings.cache_dir == tmp_path / "cache"


def test_config_file_llm_table_is_checked_and_refuses_keys():
    config = config_from_mapping({"llm": {"base-url": "http://h/v1", "model": "m"}})
    assert llm_settings_of(config, environ={}).model == "m"
    with pytest.raises(ConfigError, match="api-key"):
        config_from_mapping({"llm": {"api-key": "sk-in-a-file"}})
    with pytest.raises(ConfigError, match="llm"):
        config_from_mapping({"llm": {"base-url": "http://h/v1"}})


def test_where_each_setting_came_from_is_recorded():
    environ = {"OKR_REVIEW_LLM_MODEL": "deepseek-chat", "OPENAI_API_KEY": "sk-abc"}
    settings = llm_settings({"base-url": "https://api.deepseek.com/v1", "timeout": 30}, environ=environ)
    assert settings.sources == {
        "base-url": "file",
        "timeout": "file",
        "model": "OKR_REVIEW_LLM_MODEL",
        "api-key": "OPENAI_API_KEY",
    }
    assert llm_settings(environ={"OPENAI_API_KEY": "sk-abc"}).sources["model"] == "default"


def test_max_tokens_and_azure_api_version():
    settings = llm_settings(
        {"base-url": "https://r.openai.azure.com", "model": "okr-gpt4o", "api-version": "2024-10-21"},
        environ={"OKR_REVIEW_LLM_MAX_TOKENS": "2048"},
    )
    assert settings.azure and settings.api_version == "2024-10-21" and settings.max_tokens == 2048
    assert not llm_settings({"base-url": "http://h/v1", "model": "m"}, environ={"OPENAI_API_VERSION": "x"}).azure
    with pytest.raises(LLMSettingsError, match="max-tokens: must be at least"):
        llm_settings({"max-tokens": 3}, environ={})
    with pytest.raises(LLMSettingsError, match="base-url: api-version is set"):
        llm_settings({"model": "okr-gpt4o", "api-version": "2024-10-21"}, environ={"OPENAI_API_KEY": "sk-abc"})


def test_prompt_only_structured_output_is_accepted():
    assert llm_settings({"structured-output": "prompt"}, environ={}).structured_output == "prompt"
