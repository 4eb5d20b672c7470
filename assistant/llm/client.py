"""The LLM as the tasks use it: prompt in, validated pydantic object out, with cache, repair and counts.

:class:`LLM` adds to a :class:`~assistant.llm.provider.ChatModel`: the disk cache (reruns are
free), one or more repair rounds when an answer does not fit its schema, token and call counts, and
a thread pool bounded by ``concurrency`` for batch work.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from .cache import ResponseCache, cache_key
from .prompts import Prompt, load_prompt
from .provider import Answer, ChatModel, LLMError, Message, OpenAICompatible
from .settings import LLMSettings
from .usage import Usage

T = TypeVar("T", bound=BaseModel)
R = TypeVar("R")


class LLM:
    """A configured model plus everything around a request."""

    def __init__(
        self,
        model: ChatModel,
        *,
        cache: ResponseCache | None = None,
        usage: Usage | None = None,
        concurrency: int = 4,
        repairs: int = 1,
        prompt_versions: Mapping[str, int] | None = None,
        prompts_dir: Path | None = None,
    ) -> None:
        self.model = model
        self.cache = cache
        self.usage = usage or Usage()
        self.concurrency = concurrency
        self.repairs = repairs
        self.prompt_versions = dict(prompt_versions or {})
        self.prompts_dir = prompts_dir

    def prompt(self, name: str) -> Prompt:
        """The prompt this LLM runs for ``name``: the pinned version (evaluations compare versions), else the newest."""
        return load_prompt(name, self.prompt_versions.get(name), folder=self.prompts_dir)

    @classmethod
    def from_settings(cls, settings: LLMSettings, *, usage: Usage | None = None) -> LLM | None:
        """The LLM the settings describe, or ``None`` in offline mode."""
        if not settings.online:
            return None
        cache = ResponseCache(settings.cache_dir) if settings.cache else None
        return cls(OpenAICompatible(settings), cache=cache, usage=usage, concurrency=settings.concurrency)

    @property
    def label(self) -> str:
        return f"{self.model.name} ({self.model.endpoint or 'https://api.openai.com/v1'})"

    def ask(
        self,
        prompt: Prompt,
        language: str,
        schema: type[T],
        *,
        data: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        history: Sequence[Message] = (),
    ) -> T:
        """Render ``prompt``, ask for a ``schema`` object, validate it; repair once if it does not fit.

        ``history`` (earlier turns of a conversation) goes between the system part and the new user part.
        """
        messages = _with_history(prompt.messages(language, data=data, params=params), history)
        key = self._key(prompt, messages, schema.__name__)
        if self.cache is not None and (hit := self.cache.get(key)) is not None:
            try:
                result = schema.model_validate(hit["data"])
            except (KeyError, ValidationError):
                pass  # an old or damaged entry: ask again
            else:
                self.usage.add(cache_hits=1)
                return result
        for attempt in range(self.repairs + 1):
            try:
                answer = self._complete(messages, schema)
                result = schema.model_validate(answer.data or {})
            except LLMError as exc:
                if exc.kind != "invalid_output":
                    raise  # a truncated answer is not repaired by sending the half of it back
                problem, raw = str(exc), exc.raw
            except ValidationError as exc:
                self.usage.add(invalid=1)
                problem, raw = _first_errors(exc), answer.text
            else:
                if self.cache is not None:
                    self.cache.put(key, {"prompt": prompt.ref, "model": self.model.name, "data": result.model_dump()})
                return result
            if attempt == self.repairs:
                raise LLMError("invalid_output", f"{prompt.ref}: answer still does not fit after repair ({problem})")
            repair = load_prompt("output-repair", folder=prompt.path.parent)
            messages = [
                *messages,
                ("assistant", raw or "(empty)"),
                *repair.messages(language, data={"problem": problem}),
            ]
        raise AssertionError("unreachable")

    def stream(
        self,
        prompt: Prompt,
        language: str,
        *,
        data: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        history: Sequence[Message] = (),
    ) -> Iterator[str]:
        """The answer's text as it arrives (chat). Counted, not cached: a conversation rarely repeats."""
        messages = _with_history(prompt.messages(language, data=data, params=params), history)
        try:
            for piece in self.model.stream(messages):
                if isinstance(piece, Answer):
                    self._count(piece)
                else:
                    yield piece
        except LLMError:
            self.usage.add(failures=1)
            raise

    def map(self, function: Callable[[Any], R], items: Iterable[Any]) -> list[R | Exception]:
        """``function`` over ``items`` with at most ``concurrency`` requests in flight, in input order.

        A failing item gives its exception in its place, so one bad request never loses the batch.
        """

        def guarded(item: Any) -> R | Exception:
            try:
                return function(item)
            except Exception as exc:  # reported per item by the caller
                return exc

        with ThreadPoolExecutor(max_workers=self.concurrency) as pool:
            return list(pool.map(guarded, items))

    def _complete(self, messages: Sequence[Message], schema: type[BaseModel]) -> Answer:
        try:
            answer = self.model.complete(messages, schema)
        except LLMError as exc:
            if exc.kind == "invalid_output":
                self.usage.add(invalid=1)
            else:
                self.usage.add(failures=1)
            if exc.usage is not None:  # the endpoint answered (and billed) even though the answer is unusable
                self._count(exc.usage)
            raise
        self._count(answer)
        return answer

    def _count(self, answer: Answer) -> None:
        self.usage.add(
            calls=answer.requests,
            prompt_tokens=answer.prompt_tokens,
            completion_tokens=answer.completion_tokens,
            estimated=int(answer.estimated),
        )

    def _key(self, prompt: Prompt, messages: Sequence[Message], schema: str) -> str:
        return cache_key(
            prompt=prompt.ref,
            model=self.model.name,
            base_url=self.model.endpoint,
            messages=[list(m) for m in messages],
            schema=schema,
        )


def _with_history(messages: list[Message], history: Sequence[Message]) -> list[Message]:
    if not history:
        return messages
    head = [m for m in messages if m[0] == "system"]
    tail = [m for m in messages if m[0] != "system"]
    return [*head, *history, *tail]


def _first_errors(exc: ValidationError) -> str:
    parts = [f"{'.'.join(str(p) for p in err['loc']) or '(root)'}: {err['msg']}" for err in exc.errors()[:5]]
    return "; ".join(parts)
