"""One business-stage table: the CLI, the guiding questions and the offline suggester accept the same names.

Before, the questions module and the offline suggester had a ``stage_key`` each (``start-up`` worked in one
and raised in the other) and the CLI had a third list that refused ``初创期``.
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from assistant.assist import offline, questions
from assistant.cli import app
from assistant.stages import StageError, stage_key, stage_keys, stage_name, stage_table

NAMES = [
    ("初创", "startup"),
    ("初创期", "startup"),
    ("start-up", "startup"),
    ("Start-up stage", "startup"),
    ("STARTUP", "startup"),
    ("发展期", "growth"),
    ("growth", "growth"),
    ("成熟阶段", "mature"),
    ("maturity", "mature"),
    ("转型", "transformation"),
    ("Transformation", "transformation"),
]


@pytest.mark.parametrize(("name", "key"), NAMES)
def test_every_name_and_alias_resolves(name: str, key: str) -> None:
    assert stage_key(name) == key


def test_one_resolver_everywhere() -> None:
    assert questions.stage_key is stage_key and offline.stage_key is stage_key
    assert not hasattr(offline, "STAGES") and not hasattr(questions, "STAGES")


def test_unknown_and_missing_stages() -> None:
    assert stage_key(None) is None and stage_key("  ") is None
    with pytest.raises(StageError, match=r"初创.*transformation"):
        stage_key("衰退期")


def test_the_table_names_every_stage_in_both_languages() -> None:
    aliases = stage_table()["aliases"]
    assert set(aliases.values()) == set(stage_keys()) == {"startup", "growth", "mature", "transformation"}
    assert stage_name("startup", "zh") == "初创期" and stage_name("startup", "en") == "start-up stage"


@pytest.mark.parametrize(("name", "key"), [("初创期", "startup"), ("start-up", "startup"), ("Maturity", "mature")])
def test_the_cli_accepts_what_the_tasks_accept(name: str, key: str) -> None:
    result = CliRunner().invoke(app, ["questions", "让客户离不开我们", "--stage", name, "--offline", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["stage"] == key


def test_the_cli_refuses_an_unknown_stage_in_one_line() -> None:
    result = CliRunner().invoke(app, ["questions", "让客户离不开我们", "--stage", "Series A", "--offline"])
    assert result.exit_code == 2 and "--stage" in result.output and "Series A" in result.output
