import pytest

from assistant.config import Config, ConfigError
from assistant.configfile import config_from_mapping, find_config, load_config
from assistant.findings import Severity


def test_defaults_come_from_the_data_file():
    config = Config()
    assert config.threshold("max-objectives") == 5
    assert config.threshold("max-key-results") == 4
    assert config.levels["individual"] == 4
    assert config.fail_on is Severity.error


def test_pyproject_table_is_discovered_from_a_subfolder(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.okr-review]\nignore = ["OWN002"]\nfail-on = "warning"\n'
        "[tool.okr-review.thresholds]\nmax-key-results = 5\n",
        encoding="utf-8",
    )
    sub = tmp_path / "a" / "b"
    sub.mkdir(parents=True)
    assert find_config(sub) == tmp_path / "pyproject.toml"
    config = load_config(start=sub)
    assert config.ignore == ("OWN002",)
    assert config.fail_on is Severity.warning
    assert config.threshold("max-key-results") == 5
    assert config.threshold("max-objectives") == 5


def test_dedicated_file_wins_and_pyproject_without_table_is_skipped(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n', encoding="utf-8")
    assert find_config(tmp_path) is None or find_config(tmp_path).parent != tmp_path
    (tmp_path / ".okr-review.toml").write_text('select = ["measurable"]\nlanguage = "en"\n', encoding="utf-8")
    config = load_config(start=tmp_path)
    assert config.select == ("measurable",) and config.language == "en"


@pytest.mark.parametrize(
    ("table", "fragment"),
    [
        ({"selec": ["ALL"]}, "selec"),
        ({"select": ["XYZ999"]}, "XYZ999"),
        ({"fail-on": "sometimes"}, "fail-on"),
        ({"severity": {"MEA001": "fatal"}}, "severity.MEA001"),
        ({"severity": {"NOPE01": "info"}}, "severity.NOPE01"),
        ({"thresholds": {"max-krs": 3}}, "thresholds.max-krs"),
        ({"thresholds": {"max-key-results": "four"}}, "thresholds.max-key-results"),
        ({"language": "fr"}, "language"),
    ],
)
def test_bad_settings_name_the_key(table, fragment):
    with pytest.raises(ConfigError, match=fragment.replace(".", r"\.")):
        config_from_mapping(table)


def test_invalid_toml_names_the_file(tmp_path):
    bad = tmp_path / ".okr-review.toml"
    bad.write_text("select = [", encoding="utf-8")
    with pytest.raises(ConfigError, match="invalid TOML"):
        load_config(bad)


def test_with_options_leaves_none_alone():
    config = Config(language="en").with_options(language=None, fail_on=Severity.warning)
    assert config.language == "en" and config.fail_on is Severity.warning
