"""The LLM client over real HTTP against the scripted local server: structure, repair, cache, retries, errors."""

import os
import stat
import threading
import time
from pathlib import Path

import pytest
from llm_server import TEST_KEY, Reply, chat_server, connect
from pydantic import BaseModel

from assistant.llm import LLM, LLMError, llm_settings, load_prompt
from assistant.llm.cache import ResponseCache

SECRET = TEST_KEY


class Verdict(BaseModel):
    answer: str
    count: int


@pytest.fixture
def prompt():
    return load_prompt("rewrite-kr")


def make_llm(server, tmp_path: Path, **table) -> LLM:
    return connect(server, tmp_path, **{"max-retries": 1, **table})


def ask(llm: LLM, prompt, text: str = "提升用户满意度") -> Verdict:
    data = {"objective": "让客户离不开我们", "key_result": text, "context": "", "findings": "-", "notes": "-"}
    return llm.ask(prompt, "zh", Verdict, data=data, params={"count": 3})


def test_structured_answer_is_validated_and_counted(tmp_path, prompt):
    with chat_server() as server:
        server.replies = [Reply({"answer": "好", "count": 2}, prompt_tokens=120, completion_tokens=30)]
        llm = make_llm(server, tmp_path)
        assert ask(llm, prompt) == Verdict(answer="好", count=2)
        body = server.chat_requests()[0]["body"]
    assert body["model"] == "test-model"
    assert body["response_format"] == {"type": "json_object"}
    assert body["messages"][0]["role"] == "system"
    assert "<key_result>\n提升用户满意度\n</key_result>" in body["messages"][1]["content"]
    assert (llm.usage.calls, llm.usage.prompt_tokens, llm.usage.completion_tokens) == (1, 120, 30)


def test_second_identical_request_comes_from_the_disk_cache(tmp_path, prompt):
    with chat_server(lambda request: Reply({"answer": "a", "count": 1})) as server:
        first = make_llm(server, tmp_path)
        ask(first, prompt)
        second = make_llm(server, tmp_path)  # a new run: only the disk is shared
        assert ask(second, prompt) == Verdict(answer="a", count=1)
        ask(second, prompt, "另一条 KR")  # different input: a real request
        assert len(server.chat_requests()) == 2
    assert (second.usage.cache_hits, second.usage.calls) == (1, 1)
    assert first.usage.cache_hits == 0


def test_cache_is_private_to_its_user_whatever_the_umask(tmp_path):
    folder = tmp_path / "llm-cache"
    folder.mkdir(mode=0o755)  # as an older version left it
    folder.chmod(0o755)
    old = os.umask(0o022)
    try:
        cache = ResponseCache(folder)
        key = "ab" + "0" * 62
        cache.put(key, {"answer": "让客户离不开我们"})
    finally:
        os.umask(old)
    written = folder / "ab" / f"{key}.json"
    assert stat.S_IMODE(written.stat().st_mode) == 0o600
    assert stat.S_IMODE(written.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert cache.get(key) == {"answer": "让客户离不开我们"}


def test_cache_off_always_asks(tmp_path, prompt):
    with chat_server(lambda request: Reply({"answer": "a", "count": 1})) as server:
        llm = make_llm(server, tmp_path, cache=False)
        ask(llm, prompt)
        ask(llm, prompt)
        assert len(server.chat_requests()) == 2


def test_malformed_json_is_sent_back_once_for_repair(tmp_path, prompt):
    with chat_server() as server:
        server.replies = [Reply("这不是 JSON"), Reply({"answer": "修好了", "count": 1})]
        llm = make_llm(server, tmp_path)
        assert ask(llm, prompt).answer == "修好了"
        repair = server.chat_requests()[1]["body"]["messages"]
    assert repair[-2] == {"role": "assistant", "content": "这不是 JSON"}
    assert "JSON" in repair[-1]["content"] and "<problem>" in repair[-1]["content"]
    assert llm.usage.invalid == 1 and llm.usage.calls == 2


def test_wrong_fields_are_repaired_with_the_validation_errors(tmp_path, prompt):
    with chat_server() as server:
        server.replies = [Reply({"answer": "x"}), Reply({"answer": "x", "count": 3})]
        llm = make_llm(server, tmp_path)
        assert ask(llm, prompt).count == 3
        assert "count" in server.chat_requests()[1]["body"]["messages"][-1]["content"]


def test_still_invalid_after_repair_raises_and_is_not_cached(tmp_path, prompt):
    with chat_server(lambda request: Reply("{not json")) as server:
        llm = make_llm(server, tmp_path)
        with pytest.raises(LLMError) as caught:
            ask(llm, prompt)
        assert caught.value.kind == "invalid_output"
        with pytest.raises(LLMError):
            ask(llm, prompt)
        assert len(server.chat_requests()) == 4  # nothing cached: both tries asked twice


def test_rate_limit_is_retried_with_backoff(tmp_path, prompt):
    with chat_server() as server:
        server.replies = [Reply(status=429, headers={"retry-after-ms": "20"}), Reply({"answer": "ok", "count": 1})]
        llm = make_llm(server, tmp_path)
        assert ask(llm, prompt).answer == "ok"
        assert len(server.chat_requests()) == 2


def test_server_errors_give_up_after_retries_without_leaking_the_key(tmp_path, prompt):
    with chat_server(lambda request: Reply(status=500, headers={"retry-after-ms": "10"})) as server:
        llm = make_llm(server, tmp_path, **{"max-retries": 2})
        with pytest.raises(LLMError) as caught:
            ask(llm, prompt)
        assert len(server.chat_requests()) == 3
    assert caught.value.kind == "server"
    assert SECRET not in str(caught.value)
    assert llm.usage.failures == 1


def test_auth_error_echoing_the_key_is_scrubbed(tmp_path, prompt):
    with chat_server(lambda request: Reply(status=401)) as server:
        llm = make_llm(server, tmp_path)
        with pytest.raises(LLMError) as caught:
            ask(llm, prompt)
    assert caught.value.kind == "auth"
    assert SECRET not in str(caught.value)


def test_bad_request_message_is_scrubbed(tmp_path, prompt):
    with chat_server(lambda request: Reply(status=400)) as server:
        llm = make_llm(server, tmp_path)
        with pytest.raises(LLMError) as caught:
            ask(llm, prompt)
    assert caught.value.kind == "request"
    assert "400" in str(caught.value) and SECRET not in str(caught.value)


def test_timeout(tmp_path, prompt):
    with chat_server(lambda request: Reply({"answer": "late", "count": 1}, delay=2.5)) as server:
        llm = make_llm(server, tmp_path, timeout=1, **{"max-retries": 0})
        started = time.perf_counter()
        with pytest.raises(LLMError) as caught:
            ask(llm, prompt)
    assert caught.value.kind == "timeout"
    assert time.perf_counter() - started < 2.4


def test_unreachable_endpoint_is_a_connection_error(tmp_path, prompt):
    with chat_server() as server:
        url = server.base_url
    environ = {"OKR_REVIEW_LLM_BASE_URL": url, "OKR_REVIEW_LLM_MODEL": "m", "OKR_REVIEW_CACHE_DIR": str(tmp_path)}
    llm = LLM.from_settings(llm_settings({"max-retries": 0, "timeout": 2}, environ=environ))
    with pytest.raises(LLMError) as caught:
        ask(llm, prompt)
    assert caught.value.kind == "connection"


def test_streaming_yields_pieces_and_counts_tokens(tmp_path):
    prompt = load_prompt("output-repair")
    with chat_server() as server:
        server.replies = [Reply("先写目标，再写关键结果。", prompt_tokens=40, completion_tokens=12)]
        llm = make_llm(server, tmp_path)
        pieces = list(llm.stream(prompt, "zh", data={"problem": "x"}, history=[("user", "你好"), ("assistant", "嗨")]))
        body = server.chat_requests()[0]["body"]
    assert len(pieces) > 1 and "".join(pieces) == "先写目标，再写关键结果。"
    assert [m["role"] for m in body["messages"]] == ["user", "assistant", "user"]
    assert (llm.usage.calls, llm.usage.prompt_tokens, llm.usage.completion_tokens) == (1, 40, 12)


def test_map_keeps_order_bounds_concurrency_and_isolates_failures(tmp_path, prompt):
    active, peak, lock = [0], [0], threading.Lock()

    def slow(request):
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        time.sleep(0.15)
        with lock:
            active[0] -= 1
        text = request["body"]["messages"][1]["content"]
        if "坏" in text:
            return Reply(status=400)
        return Reply({"answer": text.split("<key_result>\n")[1].split("\n")[0], "count": 1})

    with chat_server(slow) as server:
        llm = make_llm(server, tmp_path, concurrency=2)
        items = ["一", "二", "坏", "四", "五"]
        results = llm.map(lambda text: ask(llm, prompt, text).answer, items)
    assert results[:2] == ["一", "二"] and results[3:] == ["四", "五"]
    assert isinstance(results[2], LLMError)
    assert peak[0] == 2
