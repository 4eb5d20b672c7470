"""Reasoning models' thinking, kept apart from their answer: ``<think>…</think>`` blocks, whole or streamed.

DeepSeek-R1, QwQ, Qwen3 with thinking and GLM thinking models either send their reasoning in a separate
``reasoning_content`` field (then ``content`` is the answer and nothing here is needed) or put it at the start
of ``content`` between ``<think>`` tags. The reasoning is never shown as the answer, parsed as JSON or cached.
"""

from __future__ import annotations

import re

OPEN, CLOSE = "<think>", "</think>"
_LEADING = re.compile(r"^\s*<think>(?P<thinking>.*?)</think>\s*", re.DOTALL)


def split_reasoning(text: str) -> tuple[str, str]:
    """``(reasoning, answer)`` of a whole reply; a ``<think>`` block that never closes is all reasoning.

    Some servers strip the opening tag but keep the closing one (the chat template opened it): text before a lone
    ``</think>`` is reasoning too.
    """
    match = _LEADING.match(text)
    if match:
        return match["thinking"].strip(), text[match.end() :]
    stripped = text.lstrip()
    if stripped.startswith(OPEN):
        return stripped[len(OPEN) :].strip(), ""
    if CLOSE in text and OPEN not in text:
        thinking, _, answer = text.partition(CLOSE)
        return thinking.strip(), answer.lstrip()
    return "", text


class ThinkFilter:
    """Drops a leading ``<think>…</think>`` block from a stream of text pieces, whatever the piece boundaries.

    ``feed`` returns the part of a piece that belongs to the answer (possibly empty); ``close`` returns what was
    held back at the end. Text is held only while it could still be the start of the opening tag.
    """

    def __init__(self) -> None:
        self._state = "start"  # start → thinking → after → answer, or start → answer
        self._held = ""
        self.reasoning = ""

    def feed(self, piece: str) -> str:
        if self._state == "answer":
            return piece
        if self._state == "after":  # the blank lines between the closing tag and the answer are not the answer
            piece = piece.lstrip()
            if piece:
                self._state = "answer"
            return piece
        self._held += piece
        if self._state == "start":
            head = self._held.lstrip()
            if not head or (OPEN.startswith(head) and head != OPEN):
                return ""  # still might be "<think>"
            if not head.startswith(OPEN):
                self._state = "answer"
                out, self._held = self._held, ""
                return out
            self._state, self._held = "thinking", head[len(OPEN) :]
        end = self._held.find(CLOSE)
        if end < 0:
            return ""
        self.reasoning = self._held[:end].strip()
        rest, self._held, self._state = self._held[end + len(CLOSE) :], "", "after"
        return self.feed(rest)

    def close(self) -> str:
        """What is left at the end: an unclosed ``<think>`` block is dropped as reasoning."""
        held, self._held = self._held, ""
        if self._state == "thinking":
            self.reasoning = held.strip()
            return ""
        return held  # "start": a short answer that only looked like the start of the tag
