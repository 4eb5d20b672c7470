"""What every LLM task does around its prompt: findings as a data block, the request's language, the leak guard.

Texts from users and notes go to the LLM as data blocks, never as instructions; an answer that
repeats the system prompt is recognised by :class:`LeakGuard` and not shown.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..analysis.language import detect_language
from ..findings import Finding
from ..llm import Prompt
from ..texts import LANGUAGES
from .wording import comparable, one_line

__all__ = ["LEAK_WINDOW", "LeakGuard", "render_findings", "resolve_language", "system_texts"]

LEAK_WINDOW = 30  # characters of the system prompt an answer may not repeat (after squashing whitespace)


def render_findings(findings: Sequence[Finding], language: str) -> str:
    """One line per finding: code, severity, message and evidence, for the prompt's findings block."""
    if not findings:
        return "-"
    word = "证据" if language == "zh" else "evidence"
    lines = []
    for f in findings:
        evidence = one_line(f.evidence)
        lines.append(f"- {f.code} ({f.severity.value}, {f.dimension.value}): {f.message}  {word}: {evidence}")
    return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class LeakGuard:
    """Recognises an answer that repeats ``LEAK_WINDOW`` or more characters of the system prompt.

    Stretches that also occur in the user's own input are allowed: a user may write the words the
    system prompt quotes ("ignore previous instructions"), and repeating the user is no leak.
    """

    windows: frozenset[str]

    @classmethod
    def of(cls, secrets: Iterable[str], allowed: Iterable[str] = ()) -> LeakGuard:
        inputs = [comparable(a) for a in allowed if a]
        windows: set[str] = set()
        for secret in secrets:
            text = comparable(secret)
            windows.update(text[i : i + LEAK_WINDOW] for i in range(len(text) - LEAK_WINDOW + 1))
        return cls(frozenset(w for w in windows if not any(w in a for a in inputs)))

    def find(self, texts: Iterable[str]) -> str:
        """The first repeated stretch of the system prompt in ``texts``, or ``""``."""
        for raw in texts:
            text = comparable(raw)
            for i in range(len(text) - LEAK_WINDOW + 1):
                if text[i : i + LEAK_WINDOW] in self.windows:
                    return text[i : i + LEAK_WINDOW]
        return ""


def system_texts(prompt: Prompt, *, data: Mapping[str, str], params: Mapping[str, Any]) -> list[str]:
    """The prompt's rendered system part in every language: what the leak check protects."""
    return [
        text for lang in LANGUAGES for role, text in prompt.messages(lang, data=data, params=params) if role == "system"
    ]


def resolve_language(language: str | None, text: str) -> str:
    """``language`` when given (zh or en), else the text's; anything else is a clear error."""
    if language is None:
        return detect_language(text)
    if language not in LANGUAGES:
        raise ValueError(f"language must be zh or en, not {language!r}")
    return language
