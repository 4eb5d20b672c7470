"""Endpoints as they really behave, each emulated by the local server and met over real HTTP.

Reasoning models, JSON outside JSON mode, cut-off answers, endpoints that reject parameters, streams without
usage or with keep-alive comments and split characters, rate limits, refused keys and models, DNS and
connection failures, a proxy from HTTPS_PROXY, local servers without a key and Azure OpenAI's deployments.
"""

from __future__ import annotations

import select
import socket
import socketserver
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from llm_server import TEST_KEY, Behaviour, Reply, chat_server, connect
from pydantic import BaseModel

from assistant.llm import LLM, LLMError, llm_settings, load_prompt
from assistant.llm.provider import OpenAICompatible

DRAFT_IN_REASONING = '先起草一个：{"answer": "推理里的草稿", "count": 9}，再检查是否可衡量。'


class Verdict(BaseModel):
    answer: str
    count: int


@pytest.fixture
def prompt():
    return load_prompt("rewrite-kr")


def ask(llm: LLM, prompt, text: str = "提升用户满意度") -> Verdict:
    data = {"objective": "让客户离不开我们", "key_result": text, "context": "", "findings": "-", "notes": "-"}
    return llm.ask(prompt, "zh", Verdict, data=data, params={"count": 3})


def cached_texts(tmp_path: Path) -> str:
    return " ".join(p.read_text(encoding="utf-8") for p in (tmp_path / "cache").rglob("*.json"))


# ---------------------------------------------------------------- reasoning models


@pytest.mark.parametrize("style", ["field", "think"])
def test_reasoning_is_never_the_answer_nor_cached(tmp_path, prompt, style):
    behaviour = Behaviour(reasoning=style, thinking=DRAFT_IN_REASONING)
    with chat_server(behaviour=behaviour) as server:
        server.replies = [Reply({"answer": "季度末 NPS 从 30 提升到 45", "count": 1})]
        llm = connect(server, tmp_path)
        result = ask(llm, prompt)
        raw = server.chat_requests()[0]
    assert result == Verdict(answer="季度末 NPS 从 30 提升到 45", count=1)
    assert "response_format" in raw["body"]
    assert "推理里的草稿" not in cached_texts(tmp_path) and "季度末 NPS" in cached_texts(tmp_path)


@pytest.mark.parametrize("style", ["field", "think"])
def test_reasoning_of_a_plain_answer_is_removed(tmp_path, style):
    with chat_server(behaviour=Behaviour(reasoning=style, thinking=DRAFT_IN_REASONING)) as server:
        server.replies = [Reply("先写目标，再写关键结果。")]
        answer = OpenAICompatible(connect(server, tmp_path).model.settings).complete([("user", "怎么写 OKR？")])
    assert answer.text == "先写目标，再写关键结果。"
    assert answer.reasoning is True


@pytest.mark.parametrize("style", ["field", "think"])
def test_streamed_reasoning_is_held_back_whatever_the_chunking(tmp_path, style):
    prompt = load_prompt("output-repair")
    behaviour = Behaviour(reasoning=style, thinking=DRAFT_IN_REASONING, split_bytes=7)
    with chat_server(behaviour=behaviour) as server:
        server.replies = [Reply("先写目标，再写关键结果。")]
        pieces = list(connect(server, tmp_path).stream(prompt, "zh", data={"problem": "x"}))
    assert "".join(pieces) == "先写目标，再写关键结果。"
    assert not any("草稿" in piece or "think" in piece for piece in pieces)


# ---------------------------------------------------------------- JSON as models write it


@pytest.mark.parametrize("dress", ["fence", "preamble", "commas"])
def test_json_in_fences_after_a_preamble_or_with_trailing_commas_is_read(tmp_path, prompt, dress):
    with chat_server(behaviour=Behaviour(json_dress=dress)) as server:
        server.replies = [Reply({"answer": "好", "count": 2})]
        llm = connect(server, tmp_path)
        assert ask(llm, prompt) == Verdict(answer="好", count=2)
        assert len(server.chat_requests()) == 1  # read as it was, no repair round
    assert llm.usage.invalid == 0


def test_an_answer_cut_off_by_the_length_limit_is_asked_again_with_a_larger_budget(tmp_path, prompt):
    long_answer = {"answer": "季度末客户满意度从 70% 提升到 85%，投诉率从 5% 降到 2%" * 3, "count": 1}
    with chat_server(behaviour=Behaviour(output_limit=40)) as server:
        server.replies = [Reply(long_answer), Reply(long_answer)]
        llm = connect(server, tmp_path)
        assert ask(llm, prompt).answer == long_answer["answer"]
        first, second = (r["body"] for r in server.chat_requests())
    assert "max_tokens" not in first
    assert second["max_tokens"] >= 1024
    assert llm.usage.calls == 2 and llm.usage.invalid == 0


def test_an_answer_cut_off_twice_is_a_clear_failure_not_a_crash(tmp_path, prompt):
    with chat_server(lambda request: Reply({"answer": "很长" * 600, "count": 1})) as server:
        llm = connect(server, tmp_path, **{"max-tokens": 30})
        with pytest.raises(LLMError) as caught:
            ask(llm, prompt)
        budgets = [r["body"]["max_tokens"] for r in server.chat_requests()]
    assert budgets == [30, 1024]
    assert caught.value.kind == "truncated"
    assert "max-tokens" in str(caught.value) and "length" in str(caught.value)
    assert llm.usage.failures == 1 and llm.usage.calls == 2


def test_a_reasoning_model_that_spends_its_budget_thinking_is_retried(tmp_path, prompt):
    behaviour = Behaviour(reasoning="field", thinking="想" * 60, output_limit=50)
    with chat_server(behaviour=behaviour) as server:
        server.replies = [Reply({"answer": "好", "count": 1}), Reply({"answer": "好", "count": 1})]
        assert ask(connect(server, tmp_path), prompt).answer == "好"
        assert len(server.chat_requests()) == 2


# ---------------------------------------------------------------- endpoints that reject parameters


def test_no_json_mode_falls_back_to_prompt_only_json_and_remembers_it(tmp_path, prompt):
    behaviour = Behaviour(rejects=frozenset({"response_format"}), json_dress="fence")
    with chat_server(lambda request: Reply({"answer": "好", "count": 1}), behaviour=behaviour) as server:
        llm = connect(server, tmp_path, cache=False)
        assert ask(llm, prompt).answer == "好"
        assert ask(llm, prompt, "另一条").answer == "好"
        sent = [r["body"] for r in server.chat_requests()]
    assert [("response_format" in body) for body in sent] == [True, False, False]  # one 400, then remembered
    assert llm.usage.failures == 0 and llm.usage.calls == 2


def test_json_schema_refused_falls_back_to_json_mode(tmp_path, prompt):
    behaviour = Behaviour(rejects=frozenset({"json_schema"}))
    with chat_server(lambda request: Reply({"answer": "好", "count": 1}), behaviour=behaviour) as server:
        llm = connect(server, tmp_path, **{"structured-output": "json_schema"})
        assert ask(llm, prompt).answer == "好"
        kinds = [r["body"]["response_format"]["type"] for r in server.chat_requests()]
    assert kinds == ["json_schema", "json_object"]


def test_json_schema_is_sent_with_the_schema_when_supported(tmp_path, prompt):
    with chat_server(lambda request: Reply({"answer": "好", "count": 1})) as server:
        llm = connect(server, tmp_path, **{"structured-output": "json_schema"})
        ask(llm, prompt)
        schema = server.chat_requests()[0]["body"]["response_format"]["json_schema"]
    assert schema["name"] == "Verdict" and set(schema["schema"]["properties"]) == {"answer", "count"}


def test_function_calling_reads_the_tool_call_arguments(tmp_path, prompt):
    with chat_server(lambda request: Reply({"answer": "工具", "count": 4})) as server:
        llm = connect(server, tmp_path, **{"structured-output": "function_calling"})
        assert ask(llm, prompt) == Verdict(answer="工具", count=4)
        body = server.chat_requests()[0]["body"]
    assert body["tool_choice"]["function"]["name"] == "Verdict"
    assert set(body["tools"][0]["function"]["parameters"]["properties"]) == {"answer", "count"}


def test_tools_refused_fall_back_to_json_mode(tmp_path, prompt):
    behaviour = Behaviour(rejects=frozenset({"tools"}))
    with chat_server(lambda request: Reply({"answer": "好", "count": 1}), behaviour=behaviour) as server:
        llm = connect(server, tmp_path, **{"structured-output": "function_calling"})
        assert ask(llm, prompt).answer == "好"
        sent = [r["body"] for r in server.chat_requests()]
    assert "tools" in sent[0] and "tools" not in sent[1] and sent[1]["response_format"] == {"type": "json_object"}


def test_a_refused_temperature_or_token_parameter_is_dropped_or_renamed(tmp_path, prompt):
    behaviour = Behaviour(rejects=frozenset({"temperature", "max_tokens"}))
    with chat_server(lambda request: Reply({"answer": "好", "count": 1}), behaviour=behaviour) as server:
        llm = connect(server, tmp_path, **{"max-tokens": 500})
        assert ask(llm, prompt).answer == "好"
        last = server.chat_requests()[-1]["body"]
    assert "temperature" not in last and "max_tokens" not in last and last["max_completion_tokens"] == 500


def test_a_bad_request_naming_nothing_known_is_an_error_not_a_loop(tmp_path, prompt):
    with chat_server(lambda request: Reply(status=400)) as server, pytest.raises(LLMError) as caught:
        ask(connect(server, tmp_path), prompt)
        assert len(server.chat_requests()) == 1
    assert caught.value.kind == "request" and TEST_KEY not in str(caught.value)


# ---------------------------------------------------------------- streaming


def stream(server, tmp_path, text: str = "先写目标，再写关键结果。") -> tuple[list[str], LLM]:
    server.replies = [Reply(text, prompt_tokens=40, completion_tokens=12)]
    llm = connect(server, tmp_path)
    return list(llm.stream(load_prompt("output-repair"), "zh", data={"problem": "x"})), llm


def test_stream_without_any_usage_chunk_estimates_the_tokens(tmp_path):
    with chat_server(behaviour=Behaviour(stream_usage="never")) as server:
        pieces, llm = stream(server, tmp_path)
    assert "".join(pieces) == "先写目标，再写关键结果。"
    assert llm.usage.calls == 1 and llm.usage.estimated == 1
    assert llm.usage.completion_tokens == 12  # one per CJK character
    assert llm.usage.prompt_tokens > 0
    assert "估算" in llm.usage.describe("zh") and "estimated" in llm.usage.describe("en")


def test_stream_usage_only_when_asked_is_asked_for(tmp_path):
    with chat_server(behaviour=Behaviour(stream_usage="requested")) as server:
        _, llm = stream(server, tmp_path)
        body = server.chat_requests()[0]["body"]
    assert body["stream_options"] == {"include_usage": True}
    assert (llm.usage.prompt_tokens, llm.usage.completion_tokens, llm.usage.estimated) == (40, 12, 0)


def test_stream_options_refused_streams_without_them(tmp_path):
    with chat_server(behaviour=Behaviour(rejects=frozenset({"stream_options"}))) as server:
        pieces, llm = stream(server, tmp_path)
        sent = [r["body"] for r in server.chat_requests()]
    assert "".join(pieces) == "先写目标，再写关键结果。"
    assert "stream_options" in sent[0] and "stream_options" not in sent[1]
    assert llm.usage.estimated == 1


def test_keep_alive_comments_and_characters_split_across_chunks(tmp_path):
    text = "季度末客户满意度从 70% 提升到 85%：先访谈二十位客户，再定基线。🙂"
    with chat_server(behaviour=Behaviour(keepalive=True, split_bytes=1)) as server:
        pieces, _ = stream(server, tmp_path, text)
    assert "".join(pieces) == text
    assert "keep-alive" not in "".join(pieces)


# ---------------------------------------------------------------- rate limits, keys, models


def test_retry_after_is_honoured(tmp_path, prompt):
    with chat_server() as server:
        server.replies = [Reply(status=429, headers={"Retry-After": "1"}), Reply({"answer": "ok", "count": 1})]
        llm = connect(server, tmp_path, **{"max-retries": 1})
        started = time.perf_counter()
        assert ask(llm, prompt).answer == "ok"
    assert time.perf_counter() - started >= 0.95


def test_rate_limit_after_retries_says_how_long_to_wait(tmp_path, prompt):
    with (
        chat_server(lambda request: Reply(status=429, headers={"Retry-After": "1"})) as server,
        pytest.raises(LLMError) as caught,
    ):
        ask(connect(server, tmp_path), prompt)
    assert caught.value.kind == "rate_limit" and "wait 1 s" in str(caught.value)
    assert TEST_KEY not in str(caught.value)


def test_a_wrong_key_names_the_setting_to_fix_never_the_key(tmp_path, prompt):
    with chat_server(behaviour=Behaviour(key="sk-the-right-one-9999")) as server, pytest.raises(LLMError) as caught:
        ask(connect(server, tmp_path), prompt)
    message = str(caught.value)
    assert caught.value.kind == "auth" and "401" in message and "OPENAI_API_KEY" in message
    assert TEST_KEY not in message and TEST_KEY[-8:] not in message


def test_a_forbidden_model_is_an_auth_error_naming_the_model(tmp_path, prompt):
    with (
        chat_server(behaviour=Behaviour(forbidden=frozenset({"test-model"}))) as server,
        pytest.raises(LLMError) as caught,
    ):
        ask(connect(server, tmp_path), prompt)
    message = str(caught.value)
    assert caught.value.kind == "auth" and "403" in message and "'test-model'" in message
    assert TEST_KEY not in message


def test_an_unknown_model_lists_the_models_the_endpoint_offers(tmp_path, prompt):
    with (
        chat_server(behaviour=Behaviour(models=("qwen2.5:7b", "deepseek-r1:7b"))) as server,
        pytest.raises(LLMError) as caught,
    ):
        ask(connect(server, tmp_path), prompt)
    message = str(caught.value)
    assert caught.value.kind == "model_not_found"
    assert "'test-model'" in message and "deepseek-r1:7b, qwen2.5:7b" in message and "OKR_REVIEW_LLM_MODEL" in message


def test_a_wrong_base_url_path_is_told_apart_from_an_unknown_model(tmp_path, prompt):
    with chat_server() as server:
        environ = {
            "OKR_REVIEW_LLM_BASE_URL": server.root + "/api",  # no /v1: 404 for chat and for /models
            "OKR_REVIEW_LLM_MODEL": "test-model",
            "OKR_REVIEW_CACHE_DIR": str(tmp_path),
        }
        llm = LLM.from_settings(llm_settings({"max-retries": 0}, environ=environ))
        with pytest.raises(LLMError) as caught:
            ask(llm, prompt)
    assert caught.value.kind == "request" and "base URL" in str(caught.value)


# ---------------------------------------------------------------- the network


def offline_llm(url: str, tmp_path: Path) -> LLM:
    environ = {"OKR_REVIEW_LLM_BASE_URL": url, "OKR_REVIEW_LLM_MODEL": "m", "OKR_REVIEW_CACHE_DIR": str(tmp_path)}
    llm = LLM.from_settings(llm_settings({"max-retries": 0, "timeout": 3}, environ=environ))
    assert llm is not None
    return llm


def test_a_dead_port_is_connection_refused(tmp_path, prompt):
    with chat_server() as server:
        url = server.base_url
    with pytest.raises(LLMError) as caught:
        ask(offline_llm(url, tmp_path), prompt)
    assert caught.value.kind == "connection" and "connection refused at 127.0.0.1" in str(caught.value)


def test_a_host_that_does_not_resolve_is_called_a_dns_problem(tmp_path, prompt, monkeypatch):
    real = socket.getaddrinfo

    def resolve(host, *args, **kwargs):
        if host == "llm.example.invalid":
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)  # no DNS query leaves the machine
    for variable in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(variable, raising=False)
    with pytest.raises(LLMError) as caught:
        ask(offline_llm("http://llm.example.invalid/v1", tmp_path), prompt)
    assert caught.value.kind == "connection" and "DNS" in str(caught.value)
    assert "llm.example.invalid" in str(caught.value)


class _ConnectProxy(socketserver.ThreadingTCPServer):
    """An HTTP CONNECT proxy on 127.0.0.1 that records the tunnels it opened."""

    daemon_threads = True
    allow_reuse_address = True
    tunnels: list[str]


class _Tunnel(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        head = b""
        while b"\r\n\r\n" not in head:
            data = self.request.recv(4096)
            if not data:
                return
            head += data
        method, target, _ = head.split(b"\r\n", 1)[0].decode().split(" ", 2)
        if method != "CONNECT":
            self.request.sendall(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
            return
        self.server.tunnels.append(target)
        host, port = target.rsplit(":", 1)
        upstream = socket.create_connection((host, int(port)))
        self.request.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        sockets = [self.request, upstream]
        try:
            while True:
                ready, _, _ = select.select(sockets, [], [], 5)
                if not ready:
                    return
                for sock in ready:
                    data = sock.recv(65536)
                    if not data:
                        return
                    (upstream if sock is self.request else self.request).sendall(data)
        finally:
            upstream.close()


@contextmanager
def connect_proxy() -> Iterator[_ConnectProxy]:
    proxy = _ConnectProxy(("127.0.0.1", 0), _Tunnel)
    proxy.tunnels = []
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    try:
        yield proxy
    finally:
        proxy.shutdown()
        proxy.server_close()


def self_signed(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1"),
            *("-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def test_https_proxy_from_the_environment_carries_the_requests(tmp_path, prompt, monkeypatch):
    cert, key = self_signed(tmp_path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    with chat_server(lambda request: Reply({"answer": "经由代理", "count": 1})) as server, connect_proxy() as proxy:
        server.socket = context.wrap_socket(server.socket, server_side=True)
        port = server.server_address[1]
        monkeypatch.setenv("HTTPS_PROXY", f"http://127.0.0.1:{proxy.server_address[1]}")
        monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # the proxy's or server's CA, as behind a company proxy
        for variable in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"):
            monkeypatch.delenv(variable, raising=False)
        environ = {
            "OKR_REVIEW_LLM_BASE_URL": f"https://127.0.0.1:{port}/v1",
            "OKR_REVIEW_LLM_MODEL": "test-model",
            "OPENAI_API_KEY": TEST_KEY,
            "OKR_REVIEW_CACHE_DIR": str(tmp_path / "cache"),
        }
        llm = LLM.from_settings(llm_settings({"max-retries": 0, "timeout": 5}, environ=environ))
        assert ask(llm, prompt).answer == "经由代理"
    assert proxy.tunnels == [f"127.0.0.1:{port}"]


# ---------------------------------------------------------------- local servers and Azure


def test_a_local_server_needs_no_key_and_takes_ollama_model_names(tmp_path, prompt):
    behaviour = Behaviour(models=("qwen2.5:7b",), json_dress="fence")
    with chat_server(lambda request: Reply({"answer": "本地", "count": 1}), behaviour=behaviour) as server:
        environ = {
            "OKR_REVIEW_LLM_BASE_URL": server.base_url,
            "OKR_REVIEW_LLM_MODEL": "qwen2.5:7b",
            "OKR_REVIEW_CACHE_DIR": str(tmp_path),
        }
        llm = LLM.from_settings(llm_settings(environ=environ))
        assert ask(llm, prompt).answer == "本地"
        assert server.chat_requests()[0]["body"]["model"] == "qwen2.5:7b"


def azure_llm(server, tmp_path: Path, deployment: str, api_version: str = "2024-10-21") -> LLM:
    environ = {
        "OKR_REVIEW_LLM_BASE_URL": server.root,
        "OKR_REVIEW_LLM_MODEL": deployment,
        "OKR_REVIEW_LLM_API_VERSION": api_version,
        "OKR_REVIEW_LLM_API_KEY": TEST_KEY,
        "OKR_REVIEW_CACHE_DIR": str(tmp_path),
    }
    llm = LLM.from_settings(llm_settings({"max-retries": 0}, environ=environ))
    assert llm is not None
    return llm


def test_azure_deployment_path_api_version_and_key_header(tmp_path, prompt):
    behaviour = Behaviour(azure="2024-10-21", key=TEST_KEY, models=("okr-gpt4o",))
    with chat_server(lambda request: Reply({"answer": "Azure", "count": 1}), behaviour=behaviour) as server:
        assert ask(azure_llm(server, tmp_path, "okr-gpt4o"), prompt).answer == "Azure"
        request = server.chat_requests()[0]
    assert request["path"] == "/openai/deployments/okr-gpt4o/chat/completions"
    assert request["query"] == {"api-version": "2024-10-21"}
    assert request["headers"]["api-key"] == TEST_KEY


def test_azure_unknown_deployment_names_the_deployment_setting(tmp_path, prompt):
    behaviour = Behaviour(azure="2024-10-21", key=TEST_KEY, models=("okr-gpt4o",))
    with chat_server(behaviour=behaviour) as server, pytest.raises(LLMError) as caught:
        ask(azure_llm(server, tmp_path, "gpt-4o"), prompt)
    assert caught.value.kind == "model_not_found" and "deployment 'gpt-4o'" in str(caught.value)
    assert TEST_KEY not in str(caught.value)
