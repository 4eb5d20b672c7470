"""Words of Chinese and English text for lexical retrieval, and synonym expansion of questions.

Chinese is segmented by jieba (with the domain terms of ``data/retrieval.toml`` kept whole, and its
dictionary looked up from disk: see ``segmenter``) and also cut into character pairs, so that a
question matches a note even where the two segment a phrase differently. English words are
lower-cased and stemmed (Snowball). Both languages drop the stop words of ``retrieval.toml``.
"""

from __future__ import annotations

import logging
import re
import threading
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources

_CJK_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
_LATIN = re.compile(r"[a-z0-9][a-z0-9+#.%-]*[a-z0-9%+#]|[a-z0-9]")
_SPLIT = re.compile(r"([\u3400-\u9fff\uf900-\ufaff]+)")
_ACRONYM_PLURAL = re.compile(r"\b([A-Z]{2,})s\b")  # OKRs, KPIs, KRs: the stemmer does not know acronyms


@cache
def vocabulary() -> dict:
    text = resources.files("assistant").joinpath("data/retrieval.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


@cache
def _stopwords() -> frozenset[str]:
    table = vocabulary()["stopwords"]
    return frozenset([*table["zh"], *(w.lower() for w in table["en"])])


TERM_FREQUENCY = 50_000  # the domain terms' weight in jieba: high enough that they are never cut apart


@cache
def _segmenter():
    """A jieba tokenizer of its own (not the global one) with the domain terms added (see ``segmenter``)."""
    from .segmenter import import_jieba, new_tokenizer

    import_jieba().setLogLevel(logging.WARNING)
    return new_tokenizer((term, TERM_FREQUENCY) for term in vocabulary()["terms"]["zh"])


_local = threading.local()


def _stemmer():
    """This thread's English stemmer: a Snowball stemmer keeps state while it works, so threads
    (the web app's handlers, the evaluation's workers) must not share one."""
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        import snowballstemmer

        stemmer = _local.stemmer = snowballstemmer.stemmer("english")
    return stemmer


def words(text: str) -> list[str]:
    """The words of a text: jieba segments of Chinese runs, stemmed English words; no stop words."""
    stop = _stopwords()
    out: list[str] = []
    latin: list[str] = []
    for piece in _SPLIT.split(_ACRONYM_PLURAL.sub(r"\1", text).lower()):
        if not piece:
            continue
        if _CJK_RUN.fullmatch(piece):
            out.extend(w for w in _segmenter().lcut(piece) if w not in stop)
        else:
            latin.extend(w.strip(".-") for w in _LATIN.findall(piece) if w not in stop)
    if latin:
        out.extend(_stemmer().stemWords([w for w in latin if w]))
    return out


def char_pairs(text: str) -> list[str]:
    """Overlapping pairs of Chinese characters ("信心指数" → 信心, 心指, 指数)."""
    pairs: list[str] = []
    for run in _CJK_RUN.findall(text):
        pairs.extend(run[i : i + 2] for i in range(len(run) - 1))
    return pairs


@dataclass(frozen=True, slots=True)
class Weighted:
    """A word of a question with its weight: 1 for the user's own words, less for synonyms."""

    word: str
    weight: float


SYNONYM_WEIGHT = 0.5


@cache
def _synonym_groups() -> tuple[tuple[tuple[str, re.Pattern[str]], ...], ...]:
    groups = []
    for group in vocabulary()["synonyms"]["groups"]:
        groups.append(tuple((phrase, _phrase_pattern(phrase)) for phrase in group))
    return tuple(groups)


def _phrase_pattern(phrase: str) -> re.Pattern[str]:
    escaped = re.escape(phrase.lower())
    if _CJK_RUN.search(phrase):
        return re.compile(escaped)
    return re.compile(rf"(?<![a-z0-9]){escaped}(?![a-z0-9])")


def synonyms_of(text: str) -> list[str]:
    """Phrases of every synonym group that the text mentions, other than the ones it uses."""
    lower = text.lower()
    found: list[str] = []
    for group in _synonym_groups():
        used = [phrase for phrase, pattern in group if pattern.search(lower)]
        if used:
            found.extend(phrase for phrase, _ in group if phrase not in used)
    return found


def query_words(text: str, *, expand: bool = True) -> list[Weighted]:
    """The words of a question, each once, with synonyms from other groups at a lower weight."""
    weights: dict[str, float] = {}
    for word in words(text):
        weights[word] = 1.0
    if expand:
        for phrase in synonyms_of(text):
            for word in words(phrase):
                weights.setdefault(word, SYNONYM_WEIGHT)
    return [Weighted(w, weight) for w, weight in weights.items()]


def document_words(parts: Iterable[str]) -> list[str]:
    """The words of a note section (its title, heading, topics and text), repeats kept."""
    out: list[str] = []
    for part in parts:
        out.extend(words(part))
    return out
