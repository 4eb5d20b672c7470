"""A scripted OpenAI-compatible server on 127.0.0.1 for tests, able to behave like the real providers do.

Tests queue replies or install a responder that sees each request; every request is recorded so a
test can assert on what the assistant sent (prompts, delimiters, headers). A :class:`Behaviour` makes the
server act like a particular endpoint: a reasoning model (``reasoning_content`` or ``<think>``), a model
without JSON mode (400 naming ``response_format``), fenced or chatty JSON, a default output limit
(``finish_reason: "length"``), streams without usage, with keep-alive comments or cut mid-character, a key
it checks (401), models it refuses (403) or does not have (404, with ``GET /v1/models``), and Azure
OpenAI's deployment paths with ``api-version`` and the ``api-key`` header.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from assistant.llm import LLM, llm_settings

THINKING = "用户要的是可衡量的结果。先列出指标，再核对基线。{不是 JSON}"


@dataclass
class Reply:
    """One scripted answer. ``content`` may be a dict (sent as JSON text) or a string."""

    content: Any = ""
    status: int = 200
    delay: float = 0.0  # seconds before answering (timeouts)
    raw: bytes | None = None  # sent as the body instead of a completion (malformed responses)
    headers: dict[str, str] = field(default_factory=dict)
    prompt_tokens: int = 50
    completion_tokens: int = 20


@dataclass
class Behaviour:
    """How the emulated endpoint behaves around the scripted replies (the defaults: a well-behaved server)."""

    reasoning: str | None = None  # "field": reasoning_content; "think": <think>…</think> at the start of content
    thinking: str = THINKING
    json_dress: str | None = None  # JSON content as "fence" (```json), "preamble" (a sentence first), "commas"
    rejects: frozenset[str] = frozenset()  # parameters answered with a 400 naming them
    stream_usage: str = "requested"  # "requested" (stream_options.include_usage), "never" or "always"
    keepalive: bool = False  # SSE comment lines before every chunk
    split_bytes: int | None = None  # write the stream in pieces of this many bytes, cutting characters
    output_limit: int | None = None  # tokens (characters here) when the request sets no max_tokens
    usage: bool = True  # usage in non-streamed completions
    key: str | None = None  # the only key accepted (401 otherwise)
    forbidden: frozenset[str] = frozenset()  # models answered with 403
    models: tuple[str, ...] | None = None  # GET /models lists these; other models get 404 model_not_found
    azure: str | None = None  # the api-version an Azure deployment path must carry


Responder = Callable[[dict], Reply]


class _Handler(BaseHTTPRequestHandler):
    server: ChatServer
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:  # keep test output quiet
        pass

    def _record(self, body: dict | None) -> dict:
        parts = urlsplit(self.path)
        request = {
            "path": parts.path,
            "query": {k: v[0] for k, v in parse_qs(parts.query).items()},
            "body": body,
            "auth": self.headers.get("Authorization"),
            "headers": {k.lower(): v for k, v in self.headers.items()},
        }
        with self.server.lock:
            self.server.requests.append(request)
        return request

    def do_GET(self) -> None:
        request = self._record(None)
        behaviour = self.server.behaviour
        if (refusal := self._auth_refusal(request)) is not None:
            self._error(*refusal)
            return
        if request["path"].rstrip("/") != "/v1/models" or behaviour.azure:
            self._error(404, "Not found", "not_found")
            return
        models = behaviour.models if behaviour.models is not None else ("test-model",)
        listing = {"object": "list", "data": [{"id": m, "object": "model", "owned_by": "test"} for m in models]}
        self._send(200, json.dumps(listing).encode(), {})

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        request = self._record(body)
        if (problem := self._endpoint_problem(request)) is not None:
            self._error(*problem)
            return
        with self.server.lock:
            reply = self.server.replies.pop(0) if self.server.replies else None
        if reply is None:
            reply = self.server.responder(request) if self.server.responder else Reply("ok")
        if reply.delay:
            time.sleep(reply.delay)
        if reply.raw is not None:
            self._send(reply.status, reply.raw, reply.headers)
            return
        if reply.status != 200:
            # Like some real servers, echo the key back in the error.
            message = {"error": {"message": f"scripted error; auth was {request['auth']}", "type": "error"}}
            self._send(reply.status, json.dumps(message).encode(), reply.headers)
            return
        text = reply.content if isinstance(reply.content, str) else self._dress(reply.content)
        thinking, text, finish = self._limit(body, text)
        if body.get("stream"):
            self._stream(body, reply, thinking, text, finish)
        else:
            message = self._message(thinking, text)
            if body.get("tools") and not isinstance(reply.content, str):  # the tool named in tool_choice is called
                name = ((body.get("tool_choice") or {}).get("function") or {}).get("name") or "tool"
                call = {"id": "call_1", "type": "function", "function": {"name": name, "arguments": text}}
                message = {**message, "content": None, "tool_calls": [call]}
                finish = "tool_calls" if finish == "stop" else finish
            completion = _completion(body, reply, message, finish, self.server.behaviour)
            self._send(200, json.dumps(completion, ensure_ascii=False).encode(), reply.headers)

    # -- what a real endpoint checks before answering ---------------------------------------------------

    def _auth_refusal(self, request: dict) -> tuple[int, str, str] | None:
        behaviour = self.server.behaviour
        if behaviour.key is None:
            return None
        given = request["headers"].get("api-key") if behaviour.azure else (request["auth"] or "")
        expected = behaviour.key if behaviour.azure else f"Bearer {behaviour.key}"
        if given != expected:
            shown = (given or "")[-4:]
            return 401, f"Incorrect API key provided: ...{shown}. auth was {request['auth']}", "invalid_api_key"
        return None

    def _endpoint_problem(self, request: dict) -> tuple[int, str, str] | tuple[int, str, str, str] | None:
        behaviour, body, path = self.server.behaviour, request["body"], request["path"]
        model = body.get("model", "")
        if behaviour.azure:
            match = re.fullmatch(r"/openai/deployments/([^/]+)/chat/completions", path)
            if match is None:
                return 404, "Resource not found", "404"
            if request["query"].get("api-version") != behaviour.azure:
                return 404, "Resource not found", "404"
            model = match[1]
        elif path != "/v1/chat/completions":
            return 404, "Not found", "not_found"
        if (refusal := self._auth_refusal(request)) is not None:
            return refusal
        if behaviour.models is not None and model not in behaviour.models:
            if behaviour.azure:
                return 404, "The API deployment for this resource does not exist.", "DeploymentNotFound"
            return 404, f"The model `{model}` does not exist or you do not have access to it.", "model_not_found"
        if model in behaviour.forbidden:
            return 403, f"You are not allowed to use model {model}.", "permission_denied"
        return self._rejection(body)

    def _rejection(self, body: dict) -> tuple[int, str, str, str] | None:
        rejects = self.server.behaviour.rejects
        kind = (body.get("response_format") or {}).get("type")
        if "json_schema" in rejects and kind == "json_schema":
            return 400, "This response_format type is unavailable now", "invalid_request_error", "response_format"
        checks = [
            ("response_format", "response_format" in body),
            ("tools", "tools" in body),
            ("temperature", "temperature" in body),
            ("stream_options", "stream_options" in body),
            ("max_tokens", "max_tokens" in body),
            ("max_completion_tokens", "max_completion_tokens" in body),
        ]
        for name, present in checks:
            if name in rejects and present:
                message = f"Unrecognized request argument supplied: {name}"
                return 400, message, "invalid_request_error", name
        return None

    # -- shaping the answer -----------------------------------------------------------------------------

    def _dress(self, content: Any) -> str:
        dress = self.server.behaviour.json_dress
        text = json.dumps(content, ensure_ascii=False, indent=2 if dress else None)
        if dress == "commas":
            text = re.sub(r"(\S)\n(\s*[}\]])", r"\1,\n\2", text)  # a comma after the last item of every block
        if dress in ("fence", "commas"):
            text = f"```json\n{text}\n```"
        if dress == "preamble":
            text = f"好的，以下是按要求生成的结果：\n\n{text}\n\n如需调整请告诉我。"
        return text

    def _limit(self, body: dict, text: str) -> tuple[str, str, str]:
        """(reasoning, answer, finish_reason), cut at the request's token budget (one character = one token)."""
        behaviour = self.server.behaviour
        thinking = behaviour.thinking if behaviour.reasoning else ""
        limit = body.get("max_tokens") or body.get("max_completion_tokens") or behaviour.output_limit
        if limit is None or len(thinking) + len(text) <= limit:
            return thinking, text, "stop"
        room = max(limit - len(thinking), 0)
        return thinking[:limit], text[:room], "length"

    def _message(self, thinking: str, text: str) -> dict:
        reasoning = self.server.behaviour.reasoning
        if reasoning == "field":
            return {"role": "assistant", "content": text, "reasoning_content": thinking}
        if reasoning == "think":
            return {"role": "assistant", "content": f"<think>\n{thinking}\n</think>\n\n{text}"}
        return {"role": "assistant", "content": text}

    def _stream(self, body: dict, reply: Reply, thinking: str, text: str, finish: str) -> None:
        behaviour = self.server.behaviour
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Connection", "close")
        self.end_headers()
        deltas: list[dict] = []
        if behaviour.reasoning == "field":
            deltas += [{"reasoning_content": thinking[i : i + 4], "content": None} for i in range(0, len(thinking), 4)]
        elif behaviour.reasoning == "think":
            text = f"<think>\n{thinking}\n</think>\n\n{text}"
        deltas += [{"content": text[i : i + 4]} for i in range(0, len(text), 4)] or [{"content": ""}]
        events = [_chunk(body, delta, None) for delta in deltas] + [_chunk(body, {}, finish)]
        wanted = (body.get("stream_options") or {}).get("include_usage")
        if behaviour.stream_usage == "always" or (behaviour.stream_usage == "requested" and wanted):
            usage = _chunk(body, None, None)
            usage["choices"] = []
            usage["usage"] = _usage(reply)
            events.append(usage)
        stream = b""
        for event in events:
            if behaviour.keepalive:
                stream += b": keep-alive\n\n"
            stream += f"data: {json.dumps(event, ensure_ascii=False)}\n\n".encode()
        stream += b"data: [DONE]\n\n"
        size = behaviour.split_bytes or len(stream)
        for start in range(0, len(stream), size):
            self.wfile.write(stream[start : start + size])
            self.wfile.flush()
            if behaviour.split_bytes:
                time.sleep(0.0005)
        self.close_connection = True

    def _error(self, status: int, message: str, code: str, param: str | None = None) -> None:
        error = {"error": {"message": message, "type": "invalid_request_error", "param": param, "code": code}}
        self._send(status, json.dumps(error).encode(), {})

    def _send(self, status: int, raw: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(raw)


def _usage(reply: Reply) -> dict:
    total = reply.prompt_tokens + reply.completion_tokens
    return {"prompt_tokens": reply.prompt_tokens, "completion_tokens": reply.completion_tokens, "total_tokens": total}


def _completion(body: dict, reply: Reply, message: dict, finish: str, behaviour: Behaviour) -> dict:
    completion = {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 0,
        "model": body.get("model", "test-model"),
        "choices": [{"index": 0, "message": message, "finish_reason": finish}],
    }
    if behaviour.usage:
        completion["usage"] = _usage(reply)
    return completion


def _chunk(body: dict, delta: dict | None, finish: str | None) -> dict:
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": body.get("model", "test-model"),
        "choices": [{"index": 0, "delta": delta or {}, "finish_reason": finish}],
    }


class ChatServer(ThreadingHTTPServer):
    daemon_threads = True
    requests: list[dict]
    replies: list[Reply]
    responder: Responder | None
    behaviour: Behaviour
    lock: threading.Lock

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    @property
    def base_url(self) -> str:
        return f"{self.root}/v1"

    def chat_requests(self) -> list[dict]:
        return [r for r in self.requests if r["path"].endswith("/chat/completions")]


@contextmanager
def chat_server(responder: Responder | None = None, behaviour: Behaviour | None = None) -> Iterator[ChatServer]:
    server = ChatServer(("127.0.0.1", 0), _Handler)
    server.requests, server.replies, server.responder, server.lock = [], [], responder, threading.Lock()
    server.behaviour = behaviour or Behaviour()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


TEST_KEY = "sk-test-secret-0123456789"


def connect(server: ChatServer, tmp_path: Path, **table: Any) -> LLM:
    """An LLM client for ``server``: the test key, a private cache, no retries and a 5 s timeout unless given."""
    environ = {
        "OKR_REVIEW_LLM_BASE_URL": server.base_url,
        "OKR_REVIEW_LLM_MODEL": "test-model",
        "OPENAI_API_KEY": TEST_KEY,
        "OKR_REVIEW_CACHE_DIR": str(tmp_path / "cache"),
    }
    llm = LLM.from_settings(llm_settings({"max-retries": 0, "timeout": 5, **table}, environ=environ))
    assert llm is not None
    return llm


def system_prompt(request: dict) -> str:
    return next((m["content"] for m in request["body"]["messages"] if m["role"] == "system"), "")


def user_prompt(request: dict) -> str:
    return "\n".join(m["content"] for m in request["body"]["messages"] if m["role"] == "user")
