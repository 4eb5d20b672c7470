"""``okr-review doctor`` against a dead port, a wrong key, an unknown model and a good endpoint, and its app panel."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from llm_server import TEST_KEY, Behaviour, Reply, chat_server, system_prompt
from typer.testing import CliRunner

from assistant.app.doctor_panel import doctor_markdown
from assistant.cli import app
from assistant.configfile import config_from_mapping
from assistant.knowledge import knowledge_settings
from assistant.llm import llm_settings
from assistant.llm.doctor import diagnose, knowledge_state, mask_key

runner = CliRunner()
CANDIDATE = {
    "text": "9月30日前，客户满意度评分从〔基线〕分提升到〔目标值〕分",
    "metric": "客户满意度评分",
    "baseline": "〔基线〕",
    "target": "〔目标值〕",
    "unit": "分",
    "deadline": "9月30日",
    "rationale": "把“提升满意度”落到可验证的评分上。",
    "note_ids": [],
    "assumptions": [],
}


CANDIDATE_EN = CANDIDATE | {
    "text": "By September 30, raise the customer satisfaction score from [baseline] to [target] points",
    "metric": "customer satisfaction score",
    "baseline": "[baseline]",
    "target": "[target]",
    "unit": "points",
    "deadline": "September 30",
    "rationale": "Turns 'improve' into a score that can be checked.",
}


def good_endpoint(request: dict) -> Reply:
    """Probes get {"ok": true}; the rewrite prompt gets a candidate in its language that passes the rules."""
    system = system_prompt(request)
    if "OKR" in system:
        return Reply({"candidates": [CANDIDATE_EN if "You are" in system else CANDIDATE]})
    return Reply({"ok": True})


def environment(url: str, tmp_path: Path, *, model: str = "test-model", key: str | None = TEST_KEY) -> dict:
    env = {
        "OKR_REVIEW_LLM_BASE_URL": url,
        "OKR_REVIEW_LLM_MODEL": model,
        "OKR_REVIEW_DATA_DIR": str(tmp_path / "data"),
        "OKR_REVIEW_LLM_TIMEOUT": "5",
    }
    if key:
        env["OKR_REVIEW_LLM_API_KEY"] = key
    return env


def doctor(env: dict, *options: str):
    result = runner.invoke(app, ["doctor", "--lang", "en", *options], env=env)
    assert TEST_KEY not in result.output and TEST_KEY[:-4] not in result.output
    return result


def test_good_endpoint_is_exit_0_with_every_probe_and_a_rewrite(tmp_path):
    with chat_server(good_endpoint, behaviour=Behaviour(key=TEST_KEY, models=("test-model", "other"))) as server:
        result = doctor(environment(server.base_url, tmp_path), "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["verdict"] == "ok" and report["api_key"] == "…6789"
    status = {c["check"]: c["status"] for c in report["checks"]}
    assert status == {
        "settings": "ok",
        "reachable": "ok",
        "model": "ok",
        "chat": "ok",
        "json_object": "ok",
        "json_schema": "ok",
        "tools": "ok",
        "stream": "ok",
        "rewrite": "ok",
        "knowledge": "ok",
    }
    rewrite = next(c for c in report["checks"] if c["check"] == "rewrite")
    assert CANDIDATE_EN["text"] in rewrite["detail"] and "passed the rules" in rewrite["detail"]
    assert (
        report["sources"]
        | {
            "base-url": "OKR_REVIEW_LLM_BASE_URL",
            "model": "OKR_REVIEW_LLM_MODEL",
            "timeout": "OKR_REVIEW_LLM_TIMEOUT",
            "api-key": "OKR_REVIEW_LLM_API_KEY",
        }
        == report["sources"]
    )
    assert report["knowledge"]["notes"] > 0 and report["knowledge"]["state"] == "not built yet"
    assert report["knowledge"]["embedding"] == "offline"


def test_settings_from_a_file_say_so(tmp_path):
    with chat_server(good_endpoint) as server:
        config = tmp_path / ".okr-review.toml"
        config.write_text(f'[llm]\nbase-url = "{server.base_url}"\nmodel = "test-model"\n', encoding="utf-8")
        env = {"OKR_REVIEW_DATA_DIR": str(tmp_path / "data"), "OPENAI_API_KEY": TEST_KEY}
        result = doctor(env, "--config", str(config), "--no-rewrite")
    assert result.exit_code == 0, result.output
    assert f"base-url ← config file {config}" in result.output
    assert "api-key ← environment variable OPENAI_API_KEY" in result.output
    assert "API key: …6789" in result.output


def test_dead_port_is_exit_1_degraded(tmp_path):
    with chat_server() as server:
        url = server.base_url
    result = doctor(environment(url, tmp_path))
    assert result.exit_code == 1, result.output
    assert "Reachable: degraded" in result.output and "connection refused" in result.output
    assert "Runs degraded" in result.output


def test_wrong_key_is_exit_2_naming_the_setting(tmp_path):
    with chat_server(good_endpoint, behaviour=Behaviour(key="sk-the-right-key-0000")) as server:
        result = doctor(environment(server.base_url, tmp_path))
        chats = server.chat_requests()
    assert result.exit_code == 2, result.output
    assert "401" in result.output and "OKR_REVIEW_LLM_API_KEY" in result.output
    assert "Configuration error" in result.output
    assert chats == []  # the model list already said it: no chat request spent


def test_unknown_model_is_exit_2_listing_the_offered_models(tmp_path):
    behaviour = Behaviour(models=("qwen2.5:7b", "deepseek-r1:7b"))
    with chat_server(good_endpoint, behaviour=behaviour) as server:
        result = doctor(environment(server.base_url, tmp_path, model="qwen-max", key=None), "--json")
    assert result.exit_code == 2
    report = json.loads(result.output)
    model = next(c for c in report["checks"] if c["check"] == "model")
    assert model["status"] == "config" and "deepseek-r1:7b, qwen2.5:7b" in model["detail"]
    assert report["api_key"] is None


def test_a_reasoning_model_without_json_mode_still_passes(tmp_path):
    behaviour = Behaviour(reasoning="think", rejects=frozenset({"response_format", "tools"}), json_dress="fence")
    with chat_server(good_endpoint, behaviour=behaviour) as server:
        result = doctor(environment(server.base_url, tmp_path), "--json")
    assert result.exit_code == 0, result.output
    status = {c["check"]: (c["status"], c["detail"]) for c in json.loads(result.output)["checks"]}
    assert status["json_object"][0] == "warn" and "prompt-only JSON" in status["json_object"][1]
    assert status["tools"][0] == "warn" and status["rewrite"][0] == "ok"
    assert "reasons first" in status["chat"][1]


def test_offline_is_exit_1_and_a_bad_setting_exit_2(tmp_path):
    offline = doctor({"OKR_REVIEW_DATA_DIR": str(tmp_path / "data")})
    assert offline.exit_code == 1 and "offline" in offline.output
    broken = doctor({"OKR_REVIEW_LLM_BASE_URL": "http://127.0.0.1:9/v1", "OKR_REVIEW_DATA_DIR": str(tmp_path)})
    assert broken.exit_code == 2 and "OKR_REVIEW_LLM_MODEL" in broken.output


def test_endpoint_server_without_a_model_list_is_judged_by_the_chat_probe(tmp_path):
    with chat_server(good_endpoint, behaviour=Behaviour(azure="2024-10-21", key=TEST_KEY, models=("dep",))) as server:
        env = environment(server.root, tmp_path, model="dep") | {"OKR_REVIEW_LLM_API_VERSION": "2024-10-21"}
        good = doctor(env, "--no-rewrite")
        env["OKR_REVIEW_LLM_MODEL"] = "missing"
        missing = doctor(env, "--no-rewrite")
    assert good.exit_code == 0, good.output
    assert "Azure api-version 2024-10-21" in good.output
    assert missing.exit_code == 2 and "deployment 'missing'" in missing.output


def test_mask_key_shows_at_most_the_last_four():
    assert mask_key("sk-0123456789abcdef") == "…cdef"
    assert mask_key("short-key") == "…"
    assert mask_key(None) is None


def test_knowledge_state_after_a_build(tmp_path):
    from assistant.knowledge import open_retriever

    settings = knowledge_settings(environ={"OKR_REVIEW_DATA_DIR": str(tmp_path)})
    assert knowledge_state(settings).state == "not built yet"
    _, status = open_retriever(settings)
    state = knowledge_state(settings)
    assert (state.state, state.notes, state.chunks) == ("up to date", status.notes, status.chunks)
    assert str(tmp_path) in state.location


@pytest.mark.parametrize("language", ["zh", "en"])
def test_app_panel_renders_the_same_report_as_markdown(tmp_path, language):
    with chat_server(good_endpoint, behaviour=Behaviour(key="sk-the-right-key-0000")) as server:
        settings = llm_settings(environ=environment(server.base_url, tmp_path))
        report = diagnose(settings, None, language=language)
    markdown = doctor_markdown(report, language)
    assert report.verdict == "config_error"
    assert ("配置有误" if language == "zh" else "Configuration error") in markdown
    assert "| " in markdown and "401" in markdown and TEST_KEY not in markdown
    assert markdown.count("\n| ") == len(report.checks) + 1  # header and one row per check
    assert "…6789" in markdown


def test_app_runs_the_doctor_from_its_config_with_the_rewrite(tmp_path, monkeypatch):
    from assistant.app.doctor_panel import run_doctor

    with chat_server(good_endpoint) as server:
        config = config_from_mapping({"llm": {"base-url": server.base_url, "model": "test-model"}})
        monkeypatch.setenv("OKR_REVIEW_DATA_DIR", str(tmp_path / "data"))
        report = run_doctor(config, "zh")
    assert report.verdict == "ok", report.to_dict()
    assert report.check("rewrite").status == "ok" and CANDIDATE["text"] in report.check("rewrite").detail
    assert "一切正常" in doctor_markdown(report, "zh")


ENGLISH_NOTES = re.compile(r"\b(?:answered|notes|pieces|offered|rejected|built|reasons|prompt-only|endpoint|usage)\b")


@pytest.mark.parametrize(
    "behaviour",
    [
        Behaviour(key=TEST_KEY, models=("test-model", "other")),
        Behaviour(reasoning="think", rejects=frozenset({"response_format", "tools"}), json_dress="fence"),
        Behaviour(key=TEST_KEY, models=("deepseek-r1:7b", "qwen2.5:7b")),  # the model asked for is not offered
    ],
)
def test_every_detail_is_in_chinese_and_names_no_server_path(tmp_path, behaviour):
    with chat_server(good_endpoint, behaviour=behaviour) as server:
        environ = environment(server.base_url, tmp_path)
        settings = llm_settings(environ=environ)
        knowledge = knowledge_settings(environ=environ)
        report = diagnose(settings, knowledge, language="zh")
    assert len(report.checks) >= 3
    for check in report.checks:
        assert re.search(r"[\u4e00-\u9fff]", check.detail), (check.key, check.detail)
        assert not ENGLISH_NOTES.search(check.detail), (check.key, check.detail)
        assert str(tmp_path) not in check.detail  # where the index lives on the server is not shown
    assert str(tmp_path) in report.knowledge.location  # it stays in the JSON
    english = diagnose(llm_settings(environ=environ), knowledge_settings(environ=environ), language="en")
    notes = report.knowledge.notes
    assert english.check("knowledge").detail.startswith(f"{notes} notes, built-in embedding, local index: ")


def test_probe_notes_and_errors_in_words():
    from assistant.llm.doctor import error_words, probe_words
    from assistant.llm.provider import LLMError

    assert probe_words("answered 12 characters; reasons first", "zh") == "回答了 12 个字符；先输出推理内容"
    assert (
        probe_words("3 pieces, no usage chunk (tokens estimated)", "zh")
        == "分 3 段到达，没有用量统计（token 数为估算）"
    )
    assert probe_words("rejected (tools): Unrecognized request argument", "zh").startswith("接口不接受参数 tools")
    assert probe_words("plain JSON", "en") == "plain JSON"
    refused = LLMError("auth", "127.0.0.1 refused the API key (401): check OKR_REVIEW_LLM_API_KEY")
    assert (
        error_words(refused, "zh")
        == "API Key 缺失或被拒绝（127.0.0.1 refused the API key (401): check OKR_REVIEW_LLM_API_KEY）"
    )
    assert error_words(refused, "en").startswith("API key missing or refused (")
