"""Token and call counts for one run: printed at the end so a batch's cost is never a surprise."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field


@dataclass
class Usage:
    """Counters shared by the threads of one run."""

    calls: int = 0  # requests answered by the endpoint
    cache_hits: int = 0  # answers taken from the disk cache instead
    failures: int = 0  # requests that failed after retries
    invalid: int = 0  # answers that did not match the expected structure
    estimated: int = 0  # answers whose token counts were estimated: the endpoint sent no usage
    prompt_tokens: int = 0
    completion_tokens: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def add(self, **counts: int) -> None:
        with self._lock:
            for name, value in counts.items():
                setattr(self, name, getattr(self, name) + value)

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def describe(self, language: str = "zh") -> str:
        if language == "zh":
            note = f"（其中 {self.estimated} 次接口未报用量，为估算）" if self.estimated else ""
            return (
                f"LLM 调用 {self.calls} 次（缓存命中 {self.cache_hits}，失败 {self.failures}，"
                f"格式无效 {self.invalid}），"
                f"tokens：输入 {self.prompt_tokens:,}，输出 {self.completion_tokens:,}，"
                f"合计 {self.total_tokens:,}{note}"
            )
        note = f" ({self.estimated} calls without usage from the endpoint: estimated)" if self.estimated else ""
        return (
            f"LLM calls {self.calls} (cache hits {self.cache_hits}, failed {self.failures}, invalid {self.invalid}), "
            f"tokens: prompt {self.prompt_tokens:,}, completion {self.completion_tokens:,}, "
            f"total {self.total_tokens:,}{note}"
        )

    def to_dict(self) -> dict[str, int]:
        return {
            "calls": self.calls,
            "cache_hits": self.cache_hits,
            "failures": self.failures,
            "invalid": self.invalid,
            "estimated": self.estimated,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "total_tokens": self.total_tokens,
        }


def estimate_tokens(text: str) -> int:
    """A rough token count for endpoints that report none: one per CJK character, one per four other characters."""
    wide = sum(1 for char in text if "\u3000" <= char <= "\u9fff" or "\uff00" <= char <= "\uffef")
    return wide + (len(text) - wide + 3) // 4
