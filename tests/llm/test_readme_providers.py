"""The README's example configuration for each provider, used for a real request against that provider's emulation.

Each ``#### Provider`` block under "Tested example configurations" is parsed as written; only the base URL is
pointed at the local server (its path kept for Azure's resource root), which behaves like that provider.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from llm_server import TEST_KEY, Behaviour, Reply, chat_server
from pydantic import BaseModel

from assistant.llm import LLM, llm_settings, load_prompt

README = Path(__file__).resolve().parents[2] / "README.md"

# What each provider does that the emulation reproduces (from each provider's documentation).
PROVIDERS = {
    "OpenAI": Behaviour(key=TEST_KEY, models=("gpt-4o-mini",), rejects=frozenset()),
    "DeepSeek": Behaviour(
        key=TEST_KEY, models=("deepseek-chat", "deepseek-reasoner"), rejects=frozenset({"json_schema"})
    ),
    "Qwen (DashScope, compatible mode)": Behaviour(key=TEST_KEY, models=("qwen-plus", "qwq-plus")),
    "Moonshot / Kimi": Behaviour(key=TEST_KEY, models=("moonshot-v1-32k",)),
    "Zhipu GLM": Behaviour(key=TEST_KEY, models=("glm-4-plus",)),
    "vLLM": Behaviour(models=("Qwen/Qwen2.5-7B-Instruct",)),
    "Ollama": Behaviour(models=("qwen2.5:7b", "deepseek-r1:7b"), json_dress="fence"),
    "llama.cpp server": Behaviour(models=("local",)),
    "Azure OpenAI": Behaviour(key=TEST_KEY, models=("okr-gpt4o",), azure="2024-10-21"),
}
NEEDS_KEY = {name for name, behaviour in PROVIDERS.items() if behaviour.key}


class Verdict(BaseModel):
    answer: str


def examples() -> dict[str, dict]:
    """``{provider: its [llm] table}`` from the README's tested example configurations."""
    text = README.read_text(encoding="utf-8")
    section = text.split("### Tested example configurations", 1)[1].split("\n## ", 1)[0]
    found = {}
    for match in re.finditer(r"^#### (?P<name>.+?)\n(?P<body>.*?)(?=^#### |\Z)", section, re.S | re.M):
        block = re.search(r"```toml\n(.*?)```", match["body"], re.S)
        assert block, f"README: {match['name']} has no toml block"
        found[match["name"].strip()] = tomllib.loads(block[1])["tool"]["okr-review"]["llm"]
    return found


def test_every_provider_of_the_issue_has_an_example():
    assert set(examples()) == set(PROVIDERS)


@pytest.mark.parametrize("name", list(PROVIDERS))
def test_example_configuration_works_against_the_providers_emulation(tmp_path, name):
    table = dict(examples()[name])
    llm_settings(table, environ={"OKR_REVIEW_LLM_API_KEY": TEST_KEY})  # valid as written
    behaviour = PROVIDERS[name]
    prompt = load_prompt("rewrite-kr")
    with chat_server(lambda request: Reply({"answer": "好"}), behaviour=behaviour) as server:
        table["base-url"] = server.root if behaviour.azure else server.base_url
        environ = {"OKR_REVIEW_CACHE_DIR": str(tmp_path)}
        if name in NEEDS_KEY:
            environ["OKR_REVIEW_LLM_API_KEY"] = TEST_KEY
        llm = LLM.from_settings(llm_settings({**table, "max-retries": 0}, environ=environ))
        assert llm is not None
        data = {"objective": "o", "key_result": "k", "context": "", "findings": "-", "notes": "-"}
        assert llm.ask(prompt, "zh", Verdict, data=data, params={"count": 1}).answer == "好"
        sent = server.chat_requests()[-1]
    assert sent["body"]["model"] == table["model"]
    if behaviour.azure:
        assert sent["query"]["api-version"] == table["api-version"]
