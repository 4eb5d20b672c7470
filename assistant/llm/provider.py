"""The chat model interface and its one real implementation: any OpenAI-compatible endpoint via the openai SDK.

Tasks talk to :class:`ChatModel`; tests and the eval harness may pass any object with the same two
methods. :class:`OpenAICompatible` calls the openai SDK itself (``OpenAI`` or ``AzureOpenAI``), whose
client retries 429 (honouring ``Retry-After``), 5xx, timeouts and dropped connections with backoff
(``max_retries``). It does not go through langchain's ``ChatOpenAI``: that wrapper targets OpenAI only — it
drops ``reasoning_content``, renames ``max_tokens`` to ``max_completion_tokens`` (which Ollama, llama.cpp
and others ignore) and raises on a cut-off answer when a ``response_format`` is set — and every one of those
is a behaviour of the endpoints this project is used with.

Endpoints differ; what one rejects (HTTP 400 naming ``response_format``, ``json_schema``, ``tools``,
``temperature``, ``stream_options`` or a token parameter) is remembered for the run and the request is
sent again without it: JSON then comes from the prompt alone and is read leniently (fences, a preamble,
trailing commas). Reasoning (``reasoning_content`` or a leading ``<think>`` block) never becomes the answer.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

from pydantic import BaseModel

from .jsontext import json_object
from .network import DEFAULT_BASE_URL, connection_problem
from .reasoning import ThinkFilter, split_reasoning
from .settings import LLMSettings
from .usage import estimate_tokens

Message = tuple[str, str]  # (role, content): "system", "user" or "assistant"

FALLBACK_BUDGET_CAP = 8192  # a doubled budget stays under this when no max-tokens is configured
MAX_ADAPTATIONS = 4  # requests sent again after learning what the endpoint rejects
MODELS_SHOWN = 12  # models named in a "model not found" message


@dataclass(frozen=True, slots=True)
class Answer:
    """One completed request: its text (never the reasoning), the parsed object for structured requests, counts."""

    text: str
    data: dict[str, Any] | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    reasoning: bool = False  # the model reasoned first (reasoning_content or <think>); kept out of ``text``
    estimated: bool = False  # the endpoint sent no usage: counts are estimated from the text
    finish_reason: str | None = None
    requests: int = 1  # requests it took (a cut-off answer is asked again), all counted in the tokens


class LLMError(Exception):
    """A request that failed after retries, or an answer that does not fit the expected structure.

    ``kind`` is one of: timeout, rate_limit, server, connection, auth, model_not_found, request, truncated,
    invalid_output. Messages never contain the API key.
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


@dataclass
class Capabilities:
    """What one endpoint and model turned out to reject, learned from its 400 answers and kept for the run."""

    json_schema: bool = True
    json_object: bool = True
    tools: bool = True
    temperature: bool = True
    stream_options: bool = True
    token_parameter: str = "max_tokens"  # OpenAI's newer models want max_completion_tokens

    def structured(self, wanted: str) -> str:
        """The structured-output method to use now, given the configured one and what was rejected."""
        order = {
            "json_schema": ("json_schema", "json_mode", "prompt"),
            "function_calling": ("function_calling", "json_mode", "prompt"),
            "json_mode": ("json_mode", "prompt"),
            "prompt": ("prompt",),
        }[wanted]
        allowed = {
            "json_schema": self.json_schema,
            "function_calling": self.tools,
            "json_mode": self.json_object,
            "prompt": True,
        }
        return next(method for method in order if allowed[method])


_LEARNED: dict[tuple[str, str], Capabilities] = {}
_LEARNED_LOCK = threading.Lock()


def capabilities(endpoint: str | None, model: str) -> Capabilities:
    """The run's shared record for one endpoint and model (every client of the process learns together)."""
    with _LEARNED_LOCK:
        return _LEARNED.setdefault((endpoint or DEFAULT_BASE_URL, model), Capabilities())


@dataclass(frozen=True, slots=True)
class Probe:
    """One feature tried with a tiny request: whether it works, what was seen, and how long it took."""

    feature: str
    supported: bool
    detail: str
    seconds: float


class OpenAICompatible:
    """OpenAI, Azure OpenAI, DeepSeek, Qwen (DashScope), Moonshot, Zhipu GLM, vLLM, Ollama, llama.cpp server…"""

    def __init__(self, settings: LLMSettings) -> None:
        if not settings.model:
            raise ValueError("no model configured")
        self.name = settings.model
        self.endpoint = settings.base_url
        self.settings = settings
        self._secret = settings.api_key or ""
        self._method = settings.structured_output
        self._budget = settings.max_tokens
        self.capabilities = capabilities(settings.base_url, settings.model)
        self._client = _sdk_client(settings)

    # -- requests -------------------------------------------------------------------------------------

    def complete(self, messages: Sequence[Message], schema: type[BaseModel] | None = None) -> Answer:
        """One answer; a reply cut off by the token limit is asked again once with twice the budget."""
        budget = self._budget
        answer = self._complete_once(messages, schema, budget)
        if not _cut_off(answer, schema):
            return answer
        larger = max(2 * (budget or answer.completion_tokens or 512), 1024)
        if budget is None:
            larger = min(larger, FALLBACK_BUDGET_CAP)
        retried = _with_earlier(self._complete_once(messages, schema, larger), answer)
        if not _cut_off(retried, schema):
            return retried
        raise LLMError(
            "truncated",
            f"{self._where()} cut the answer off twice (finish_reason 'length'), the second time at a budget of "
            f"{larger} tokens; raise [llm] max-tokens (OKR_REVIEW_LLM_MAX_TOKENS) or shorten the input",
            raw=retried.text,
            usage=retried,
        )

    def _complete_once(self, messages: Sequence[Message], schema: type[BaseModel] | None, budget: int | None) -> Answer:
        method = self.capabilities.structured(self._method) if schema is not None else None
        params = self._params(messages, budget)
        if schema is not None and method is not None:
            params.update(_structured_params(method, schema))
        completion = self._create(params)
        answer, arguments = self._read(completion, params["messages"])
        if schema is None:
            return answer
        data = json_object(arguments) if arguments else None
        if data is None:
            data = json_object(answer.text)
        if data is None and answer.finish_reason == "length":
            return answer  # cut off: asked again with a larger budget
        if data is None:
            detail = "the answer is empty" if not answer.text.strip() else "the answer holds no JSON object"
            raise LLMError("invalid_output", detail, raw=answer.text, usage=answer)
        return replace(answer, data=data)

    def stream(self, messages: Sequence[Message]) -> Iterator[str | Answer]:
        params = self._params(messages, self._budget)
        params["stream"] = True
        if self.capabilities.stream_options:
            params["stream_options"] = {"include_usage": True}
        chunks = self._create(params)
        pieces: list[str] = []
        usage: Any = None
        finish: str | None = None
        reasoned = False
        think = ThinkFilter()
        try:
            for chunk in chunks:
                if getattr(chunk, "usage", None):
                    usage = chunk.usage
                for choice in chunk.choices or ():
                    delta = choice.delta
                    reasoned = reasoned or bool(_reasoning_field(delta))
                    finish = choice.finish_reason or finish
                    text = think.feed(delta.content or "") if delta is not None else ""
                    if text:
                        pieces.append(text)
                        yield text
        except Exception as exc:
            raise self._error(exc) from None
        tail = think.close()
        if tail:
            pieces.append(tail)
            yield tail
        text = "".join(pieces)
        prompt_tokens, completion_tokens, estimated = _counts(usage, params["messages"], text)
        yield Answer(text, None, prompt_tokens, completion_tokens, reasoned or bool(think.reasoning), estimated, finish)

    def models(self) -> list[str] | None:
        """The model ids the endpoint lists (``GET /models``); ``None`` for Azure, whose deployments are not listed."""
        if self.settings.azure:
            return None
        try:
            return sorted(model.id for model in self._client.models.list())
        except Exception as exc:
            raise self._error(exc) from None

    def probe(self, feature: str) -> Probe:
        """Try one feature with a tiny request: chat, json_object, json_schema, tools or stream.

        A refusal of the feature itself (400 naming it, or no such output) is ``supported=False``; a failure
        that is not about the feature (connection, key, model) raises :class:`LLMError`.
        """
        started = time.perf_counter()
        ask = [("user", 'Reply with exactly this JSON object and nothing else: {"ok": true}')]
        params = self._params(ask, None, temperature=False)
        if feature == "json_object":
            params["response_format"] = {"type": "json_object"}
        elif feature == "json_schema":
            params["response_format"] = _PROBE_SCHEMA
        elif feature == "tools":
            params.update(_PROBE_TOOLS)
        elif feature == "stream":
            params.update(stream=True, stream_options={"include_usage": True})
        elif feature != "chat":
            raise ValueError(f"unknown feature {feature!r}")
        try:
            try:
                result = self._client.chat.completions.create(**params)
            except Exception as exc:
                if feature != "stream" or _rejected_parameter(exc) != "stream_options":
                    raise
                params.pop("stream_options")  # streams, but cannot be asked for usage
                result = self._client.chat.completions.create(**params)
            if feature == "stream":
                detail, supported = _read_probe_stream(result)
            else:
                answer, arguments = self._read(result, params["messages"])
                supported, detail = _judge_probe(feature, answer, arguments)
        except Exception as exc:
            rejected = _rejected_parameter(exc)
            if rejected is None:
                raise self._error(exc) from None
            supported, detail = False, f"rejected ({rejected}): {self._scrub(_status_message(exc))[:160]}"
        return Probe(feature, supported, detail, time.perf_counter() - started)

    # -- internals ------------------------------------------------------------------------------------

    def _params(self, messages: Sequence[Message], budget: int | None, *, temperature: bool = True) -> dict[str, Any]:
        params: dict[str, Any] = {
            "model": self.name,
            "messages": [{"role": role, "content": content} for role, content in messages],
        }
        if temperature and self.capabilities.temperature:
            params["temperature"] = self.settings.temperature
        if budget:
            params[self.capabilities.token_parameter] = budget
        return params

    def _create(self, params: dict[str, Any]) -> Any:
        """Send, and when the endpoint rejects a parameter it can do without, learn that and send again."""
        for _ in range(MAX_ADAPTATIONS + 1):
            try:
                return self._client.chat.completions.create(**params)
            except Exception as exc:
                rejected = _rejected_parameter(exc)
                if rejected is None or not self._adapt(params, rejected):
                    raise self._error(exc) from None
        raise LLMError("request", f"{self._where()} kept rejecting the request's parameters")

    def _adapt(self, params: dict[str, Any], rejected: str) -> bool:
        """Drop or replace what the endpoint rejected, in ``params`` and for the rest of the run."""
        learned = self.capabilities
        if rejected in ("response_format", "json_schema") and "response_format" in params:
            if params["response_format"].get("type") == "json_schema":
                learned.json_schema = False  # JSON mode may still work: try it next
                if learned.json_object:
                    params["response_format"] = {"type": "json_object"}
                    return True
            else:
                learned.json_object = False  # prompt-only JSON from now on
            params.pop("response_format")
            return True
        if rejected == "tools" and "tools" in params:
            learned.tools = False
            params.pop("tools")
            params.pop("tool_choice", None)
            if learned.json_object:
                params["response_format"] = {"type": "json_object"}
            return True
        if rejected == "temperature" and "temperature" in params:
            learned.temperature = False
            params.pop("temperature")
            return True
        if rejected == "stream_options" and "stream_options" in params:
            learned.stream_options = False
            params.pop("stream_options")
            return True
        if rejected in ("max_tokens", "max_completion_tokens") and rejected in params:
            other = "max_completion_tokens" if rejected == "max_tokens" else "max_tokens"
            learned.token_parameter = other
            params[other] = params.pop(rejected)
            return True
        return False

    def _read(self, completion: Any, sent: list[dict[str, str]]) -> tuple[Answer, str]:
        """The answer (reasoning removed) and any tool-call arguments of a non-streamed completion."""
        choices = getattr(completion, "choices", None) or []
        if not choices:
            raise LLMError("invalid_output", f"{self._where()} sent a completion without choices")
        choice = choices[0]
        message = choice.message
        thinking, text = split_reasoning(message.content or "")
        arguments = ""
        for call in getattr(message, "tool_calls", None) or ():
            function = getattr(call, "function", None)
            if function is not None and function.arguments:
                arguments = function.arguments
                break
        prompt_tokens, completion_tokens, estimated = _counts(
            getattr(completion, "usage", None), sent, (message.content or "") + arguments
        )
        reasoned = bool(thinking or _reasoning_field(message))
        answer = Answer(text.strip(), None, prompt_tokens, completion_tokens, reasoned, estimated, choice.finish_reason)
        return answer, arguments

    def _where(self) -> str:
        if self.settings.azure:
            return f"{self.endpoint} (Azure deployment {self.name})"
        return self.endpoint or DEFAULT_BASE_URL

    def _scrub(self, text: str) -> str:
        if self._secret:
            text = text.replace(self._secret, "***")
        for prefix in ("Bearer ", "api-key: ", "api-key="):
            start = text.find(prefix)
            while start >= 0:
                end = start + len(prefix)
                stop = end
                while stop < len(text) and not text[stop].isspace() and text[stop] not in "\"',}":
                    stop += 1
                text = text[:end] + "***" + text[stop:]
                start = text.find(prefix, end + 3)
        return text

    def _key_setting(self) -> str:
        source = self.settings.sources.get("api-key")
        return source or "OKR_REVIEW_LLM_API_KEY (or OPENAI_API_KEY)"

    def _error(self, exc: Exception) -> LLMError:
        import openai

        if isinstance(exc, LLMError):
            return exc
        where = self._where()
        status = getattr(exc, "status_code", None)
        detail = self._scrub(_status_message(exc))[:300]
        if isinstance(exc, openai.APITimeoutError):
            return LLMError("timeout", f"no answer from {where} within {self.settings.timeout:g} s")
        if isinstance(exc, openai.APIConnectionError):
            return LLMError("connection", connection_problem(exc, self.endpoint))
        if isinstance(exc, openai.RateLimitError):
            wait = _header(exc, "retry-after")
            asked = f"; it asks to wait {wait} s" if wait else ""
            return LLMError("rate_limit", f"{where} kept answering 429 (rate limit) after retries{asked}: {detail}")
        if isinstance(exc, openai.AuthenticationError):
            if not self._secret:
                return LLMError("auth", f"{where} wants an API key (401) and none is set: set OKR_REVIEW_LLM_API_KEY")
            return LLMError("auth", f"{where} refused the API key (401): check {self._key_setting()}")
        if isinstance(exc, openai.PermissionDeniedError):
            return LLMError(
                "auth",
                f"{where} refused access to model {self.name!r} with this key (403): check that the key in "
                f"{self._key_setting()} may use this model (account, region, balance) — {detail}",
            )
        if isinstance(exc, openai.NotFoundError):
            return self._not_found(detail)
        if isinstance(exc, openai.APIStatusError) and (status or 0) >= 500:
            return LLMError("server", f"{where} answered {status} after retries: {detail}")
        if isinstance(exc, openai.APIStatusError):
            return LLMError("request", f"{where} answered {status}: {detail}")
        return LLMError("invalid_output", self._scrub(str(exc)).splitlines()[0][:300] if str(exc) else repr(exc))

    def _not_found(self, detail: str) -> LLMError:
        """A 404: an unknown model (naming the ones the endpoint offers) or a wrong base URL."""
        where = self._where()
        if self.settings.azure:
            return LLMError(
                "model_not_found",
                f"{where}: no deployment {self.name!r} (404); [llm] model must be the deployment name, and "
                f"api-version ({self.settings.api_version}) one the resource supports — {detail}",
            )
        try:
            offered = sorted(model.id for model in self._client.models.list())
        except Exception:
            offered = None
        if offered is not None and self.name not in offered:
            shown = ", ".join(offered[:MODELS_SHOWN]) + (" …" if len(offered) > MODELS_SHOWN else "")
            return LLMError(
                "model_not_found",
                f"{where} has no model {self.name!r}; it offers: {shown or '(none listed)'}. "
                "Set OKR_REVIEW_LLM_MODEL or [llm] model to one of them",
            )
        if "model" in detail.lower():
            return LLMError(
                "model_not_found", f"{where} has no model {self.name!r} (404): check OKR_REVIEW_LLM_MODEL — {detail}"
            )
        return LLMError(
            "request",
            f"{where} answered 404 for the chat endpoint: check the base URL (it usually ends in /v1) — {detail}",
        )


def _cut_off(answer: Answer, schema: type[BaseModel] | None) -> bool:
    """Stopped by the token limit before anything usable: no JSON object, or (plain text) no answer at all."""
    if answer.finish_reason != "length":
        return False
    return answer.data is None if schema is not None else not answer.text


def _with_earlier(answer: Answer, earlier: Answer) -> Answer:
    """``answer`` counting the tokens and request of an earlier, cut-off attempt too."""
    return replace(
        answer,
        prompt_tokens=answer.prompt_tokens + earlier.prompt_tokens,
        completion_tokens=answer.completion_tokens + earlier.completion_tokens,
        estimated=answer.estimated or earlier.estimated,
        requests=answer.requests + earlier.requests,
    )


def _sdk_client(settings: LLMSettings) -> Any:
    import openai

    common: dict[str, Any] = {
        # Local servers (Ollama, vLLM, llama.cpp) take any key; the SDK insists on one.
        "api_key": settings.api_key or "no-key",
        "timeout": settings.timeout,
        "max_retries": settings.max_retries,
    }
    if settings.azure:
        return openai.AzureOpenAI(
            azure_endpoint=settings.base_url or "",
            azure_deployment=settings.model,
            api_version=settings.api_version,
            **common,
        )
    return openai.OpenAI(base_url=settings.base_url or DEFAULT_BASE_URL, **common)


def _structured_params(method: str, schema: type[BaseModel]) -> dict[str, Any]:
    if method == "json_mode":
        return {"response_format": {"type": "json_object"}}
    if method == "json_schema":
        return {
            "response_format": {
                "type": "json_schema",
                "json_schema": {"name": schema.__name__, "schema": schema.model_json_schema()},
            }
        }
    if method == "function_calling":
        tool = {
            "type": "function",
            "function": {
                "name": schema.__name__,
                "description": (schema.__doc__ or schema.__name__).strip().splitlines()[0],
                "parameters": schema.model_json_schema(),
            },
        }
        return {"tools": [tool], "tool_choice": {"type": "function", "function": {"name": schema.__name__}}}
    return {}  # "prompt": the prompt asks for JSON and the answer is read leniently


_PROBE_SCHEMA = {
    "type": "json_schema",
    "json_schema": {
        "name": "Probe",
        "schema": {"type": "object", "properties": {"ok": {"type": "boolean"}}, "required": ["ok"]},
    },
}
_PROBE_TOOLS = {
    "tools": [
        {
            "type": "function",
            "function": {
                "name": "report",
                "description": "Report the result.",
                "parameters": {"type": "object", "properties": {"ok": {"type": "boolean"}}, "required": ["ok"]},
            },
        }
    ],
    "tool_choice": {"type": "function", "function": {"name": "report"}},
}

# What a 400 names, most specific first: the parameter the request can be sent again without.
_REJECTABLE = (
    "json_schema",
    "response_format",
    "tool_choice",
    "tools",
    "function",
    "stream_options",
    "max_completion_tokens",
    "max_tokens",
    "temperature",
)


def _rejected_parameter(exc: Exception) -> str | None:
    """The parameter a 400/422 answer names, as :meth:`OpenAICompatible._adapt` knows them; else ``None``."""
    import openai

    if not isinstance(exc, openai.BadRequestError | openai.UnprocessableEntityError):
        return None
    param = str(getattr(exc, "param", None) or "")
    text = f"{param} {_status_message(exc)}".lower()
    for name in _REJECTABLE:
        if name in text:
            return {"tool_choice": "tools", "function": "tools"}.get(name, name)
    return None


def _status_message(exc: Exception) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        error = body.get("error", body)
        if isinstance(error, dict) and error.get("message"):
            return str(error["message"])
        if isinstance(error, str):
            return error
    return str(getattr(exc, "message", None) or exc)


def _header(exc: Exception, name: str) -> str | None:
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None)
    return headers.get(name) if headers is not None else None


def _reasoning_field(message: Any) -> str:
    """``reasoning_content`` (DeepSeek, Qwen, GLM, vLLM) or ``reasoning`` (Ollama, OpenRouter), if sent."""
    if message is None:
        return ""
    extra = getattr(message, "model_extra", None) or {}
    value = extra.get("reasoning_content") or extra.get("reasoning") or getattr(message, "reasoning_content", None)
    return value if isinstance(value, str) else ""


def _counts(usage: Any, sent: list[dict[str, str]], received: str) -> tuple[int, int, bool]:
    """(prompt tokens, completion tokens, estimated): the endpoint's counts, or estimates when it sent none."""
    if usage is not None and (getattr(usage, "prompt_tokens", None) or getattr(usage, "completion_tokens", None)):
        return int(usage.prompt_tokens or 0), int(usage.completion_tokens or 0), False
    prompt = sum(estimate_tokens(m["content"]) for m in sent)
    return prompt, estimate_tokens(received), True


def _judge_probe(feature: str, answer: Answer, arguments: str) -> tuple[bool, str]:
    reasoning = "; reasons first" if answer.reasoning else ""
    if feature == "chat":
        return bool(answer.text), (f"answered {len(answer.text)} characters{reasoning}" if answer.text else "empty")
    if feature == "tools":
        if arguments and json_object(arguments) is not None:
            return True, "called the tool"
        return False, "answered without calling the tool"
    data = json_object(answer.text)
    if data is not None and answer.text.strip().startswith("{"):
        return True, f"plain JSON{reasoning}"
    if data is not None:
        return True, f"JSON, wrapped in other text{reasoning}"
    return False, "accepted, but the answer is not JSON"


def _read_probe_stream(chunks: Any) -> tuple[str, bool]:
    pieces, usage = 0, False
    for chunk in chunks:
        usage = usage or bool(getattr(chunk, "usage", None))
        for choice in chunk.choices or ():
            if choice.delta is not None and (choice.delta.content or _reasoning_field(choice.delta)):
                pieces += 1
    if not pieces:
        return "no text arrived", False
    return f"{pieces} pieces, " + ("usage reported" if usage else "no usage chunk (tokens estimated)"), True
