"""The chat model interface and its one real implementation: any OpenAI-compatible endpoint via langchain.

Tasks talk to :class:`ChatModel`; tests and the eval harness may pass any object with the same two
methods. :class:`OpenAICompatible` wraps ``langchain_openai.ChatOpenAI``, whose openai SDK retries
429, 5xx, timeouts and dropped connections with exponential backoff (``max_retries``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from pydantic import BaseModel

from .settings import LLMSettings

Message = tuple[str, str]  # (role, content): "system", "user" or "assistant"


@dataclass(frozen=True, slots=True)
class Answer:
    """One completed request: its text, the parsed object for structured requests, and its token counts."""

    text: str
    data: dict[str, Any] | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0


class LLMError(Exception):
    """A request that failed after retries, or an answer that does not fit the expected structure.

    ``kind`` is one of: timeout, rate_limit, server, connection, auth, request, invalid_output.
    Messages never contain the API key.
    """

    def __init__(self, kind: str, message: str, *, raw: str = "", usage: Answer | None = None) -> None:
        super().__init__(f"{kind}: {message}")
        self.kind = kind
        self.raw = raw  # the model's text, for invalid_output (sent back to be repaired)
        self.usage = usage


class ChatModel(Protocol):
    """What a task needs from a model."""

    name: str  # model id, part of cache keys
    endpoint: str | None

    def complete(self, messages: Sequence[Message], schema: type[BaseModel] | None = None) -> Answer: ...

    def stream(self, messages: Sequence[Message]) -> Iterator[str | Answer]:
        """Text pieces as they arrive, then one :class:`Answer` with the whole text and usage."""
        ...


class OpenAICompatible:
    """OpenAI, DeepSeek, Qwen (DashScope compatible mode), vLLM, Ollama, llama.cpp server…"""

    def __init__(self, settings: LLMSettings) -> None:
        from langchain_openai import ChatOpenAI

        if not settings.model:
            raise ValueError("no model configured")
        self.name = settings.model
        self.endpoint = settings.base_url
        self._secret = settings.api_key or ""
        self._method = settings.structured_output
        self._chat = ChatOpenAI(
            model=settings.model,
            base_url=settings.base_url,
            # Local servers (Ollama, vLLM, llama.cpp) take any key; the SDK insists on one.
            api_key=settings.api_key or "no-key",
            timeout=settings.timeout,
            max_retries=settings.max_retries,
            temperature=settings.temperature,
            stream_usage=True,
        )

    def complete(self, messages: Sequence[Message], schema: type[BaseModel] | None = None) -> Answer:
        try:
            if schema is None:
                message = self._chat.invoke(list(messages))
                return Answer(_text(message.content), None, *_tokens(message))
            runnable = self._chat.with_structured_output(schema, method=self._method, include_raw=True)
            result = runnable.invoke(list(messages))
        except Exception as exc:  # the SDK's and langchain's errors, mapped to one kind
            raise self._error(exc) from None
        raw = result["raw"]
        answer = Answer(_text(raw.content), None, *_tokens(raw))
        parsed = result.get("parsed")
        if result.get("parsing_error") is not None or parsed is None:
            loose = _json_object(answer.text)
            if loose is not None:  # JSON of the wrong shape: the caller's validation names the fields
                return Answer(answer.text, loose, answer.prompt_tokens, answer.completion_tokens)
            detail = self._scrub(str(result.get("parsing_error") or "no structured answer")).splitlines()[0]
            raise LLMError("invalid_output", detail[:300], raw=answer.text, usage=answer)
        data = parsed.model_dump() if isinstance(parsed, BaseModel) else dict(parsed)
        return Answer(answer.text, data, answer.prompt_tokens, answer.completion_tokens)

    def stream(self, messages: Sequence[Message]) -> Iterator[str | Answer]:
        pieces: list[str] = []
        tokens = (0, 0)
        try:
            for chunk in self._chat.stream(list(messages)):
                text = _text(chunk.content)
                if text:
                    pieces.append(text)
                    yield text
                if chunk.usage_metadata:
                    tokens = _tokens(chunk)
        except Exception as exc:
            raise self._error(exc) from None
        yield Answer("".join(pieces), None, *tokens)

    def _scrub(self, text: str) -> str:
        if self._secret:
            text = text.replace(self._secret, "***")
        return re.sub(r"(Bearer\s+)\S+", r"\1***", text)

    def _error(self, exc: Exception) -> LLMError:
        import openai

        where = self.endpoint or "https://api.openai.com/v1"
        status = getattr(exc, "status_code", None)
        if isinstance(exc, openai.APITimeoutError):
            kind, what = "timeout", f"no answer from {where} in time"
        elif isinstance(exc, openai.APIConnectionError):
            kind, what = "connection", f"cannot reach {where}"
        elif isinstance(exc, openai.RateLimitError):
            kind, what = "rate_limit", f"{where} kept answering 429 (rate limit) after retries"
        elif isinstance(exc, openai.AuthenticationError | openai.PermissionDeniedError):
            kind, what = "auth", f"{where} refused the API key ({status})"
        elif isinstance(exc, openai.APIStatusError) and (status or 0) >= 500:
            kind, what = "server", f"{where} answered {status} after retries"
        elif isinstance(exc, openai.APIStatusError):
            kind, what = "request", f"{where} answered {status}: {self._scrub(str(exc))[:300]}"
        else:
            kind, what = "invalid_output", self._scrub(str(exc)).splitlines()[0][:300]
        return LLMError(kind, what)


def _json_object(text: str) -> dict[str, Any] | None:
    """``text`` as a JSON object, allowing the Markdown code fence some models add; else ``None``."""
    body = re.sub(r"^```(?:json)?\s*|\s*```$", "", text.strip())
    try:
        value = json.loads(body)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # content blocks
        return "".join(part.get("text", "") if isinstance(part, dict) else str(part) for part in content)
    return str(content or "")


def _tokens(message: Any) -> tuple[int, int]:
    usage = getattr(message, "usage_metadata", None) or {}
    return int(usage.get("input_tokens", 0)), int(usage.get("output_tokens", 0))
