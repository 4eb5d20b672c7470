"""A scripted OpenAI-compatible server on 127.0.0.1 for tests: chat completions (plain, JSON, streamed) and errors.

Tests queue replies or install a responder that sees each request; every request is recorded so a
test can assert on what the assistant sent (prompts, delimiters, headers).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from assistant.llm import LLM, llm_settings


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


Responder = Callable[[dict], Reply]


class _Handler(BaseHTTPRequestHandler):
    server: ChatServer
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:  # keep test output quiet
        pass

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        request = {"path": self.path, "body": body, "auth": self.headers.get("Authorization")}
        with self.server.lock:
            self.server.requests.append(request)
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
        text = reply.content if isinstance(reply.content, str) else json.dumps(reply.content, ensure_ascii=False)
        if body.get("stream"):
            self._stream(body, reply, text)
        else:
            self._send(200, json.dumps(_completion(body, reply, text), ensure_ascii=False).encode(), reply.headers)

    def _stream(self, body: dict, reply: Reply, text: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Connection", "close")
        self.end_headers()
        pieces = [text[i : i + 4] for i in range(0, len(text), 4)] or [""]
        for piece in pieces:
            chunk = _chunk(body, {"content": piece}, None)
            self.wfile.write(f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n".encode())
            self.wfile.flush()
        self.wfile.write(f"data: {json.dumps(_chunk(body, {}, 'stop'))}\n\n".encode())
        if (body.get("stream_options") or {}).get("include_usage"):
            usage = _chunk(body, None, None)
            usage["choices"] = []
            usage["usage"] = _usage(reply)
            self.wfile.write(f"data: {json.dumps(usage)}\n\n".encode())
        self.wfile.write(b"data: [DONE]\n\n")
        self.wfile.flush()
        self.close_connection = True

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


def _completion(body: dict, reply: Reply, text: str) -> dict:
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 0,
        "model": body.get("model", "test-model"),
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": _usage(reply),
    }


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
    lock: threading.Lock

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"

    def chat_requests(self) -> list[dict]:
        return [r for r in self.requests if r["path"].endswith("/chat/completions")]


@contextmanager
def chat_server(responder: Responder | None = None) -> Iterator[ChatServer]:
    server = ChatServer(("127.0.0.1", 0), _Handler)
    server.requests, server.replies, server.responder, server.lock = [], [], responder, threading.Lock()
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
