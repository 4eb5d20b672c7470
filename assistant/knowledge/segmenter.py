"""jieba for short texts: its dictionary looked up word by word from a file, not loaded whole first.

jieba keeps its prefix dictionary (about 500,000 words and word prefixes) in a dict that it loads in
full before the first cut: 0.3–1 s, most of what ``okr-review ask`` would spend on one question.
Cutting a text only ever looks up the text's own substrings, so the dictionary is copied once into
an SQLite file in the user's cache folder, and the tokenizer looks each substring up there as it
cuts (keeping what it found). The words are jieba's own: the tokenizer is jieba's, given the same
dictionary and total (``tests/knowledge/test_segmenter.py`` compares both ways on every note).
Where the cache folder cannot be written, jieba loads its dictionary the usual way.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import os
import sqlite3
import sys
import tempfile
import threading
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType
from typing import Any

from platformdirs import user_cache_path

STORE_FORMAT = 1  # bump when the file's tables change: every store is rebuilt
_ABSENT = -1  # jieba's frequencies are >= 0: marks a looked-up substring that is not in the dictionary
_MEMO_LIMIT = 200_000  # looked-up substrings kept in memory before the memo starts again
_import_lock = threading.Lock()


def import_jieba() -> ModuleType:
    """jieba, imported without ``pkg_resources``.

    jieba 0.42 imports ``pkg_resources`` (0.1–0.2 s, deprecated) only to open its data files, and
    opens them beside its modules when that import fails, which is where they are.
    """
    if "jieba" in sys.modules:
        return sys.modules["jieba"]
    with _import_lock:
        blocked = "pkg_resources" not in sys.modules
        if blocked:
            sys.modules["pkg_resources"] = None  # type: ignore[assignment]  # None makes the import fail
        try:
            import jieba
        finally:
            if blocked and sys.modules.get("pkg_resources", 0) is None:
                del sys.modules["pkg_resources"]
    return jieba


def default_cache_dir() -> Path:
    return user_cache_path("okr-review", appauthor=False) / "jieba"


def _dictionary_file() -> Path:
    """jieba's ``dict.txt``, found without importing jieba."""
    spec = importlib.util.find_spec("jieba")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("jieba is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "dict.txt"


def store_path(cache_dir: Path) -> Path:
    """The store for the installed jieba dictionary: a new file name whenever that file changes."""
    dictionary = _dictionary_file()
    stat = dictionary.stat()
    key = f"{STORE_FORMAT}:{dictionary.resolve()}:{stat.st_size}:{stat.st_mtime_ns}"
    return cache_dir / f"dict-{hashlib.sha256(key.encode()).hexdigest()[:16]}.sqlite3"


class StoredDictionary:
    """jieba's ``FREQ`` mapping read from SQLite: what jieba's ``Tokenizer`` asks of it (``in``, ``[]``,
    ``get``, assignment), each substring looked up once."""

    def __init__(self, path: Path) -> None:
        self._db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False)
        self._lock = threading.Lock()
        self._added: dict[str, int] = {}  # words given by add_word: never forgotten
        self._memo: dict[str, int] = {}
        row = self._db.execute("SELECT value FROM meta WHERE key = 'total'").fetchone()
        if row is None:
            raise sqlite3.DatabaseError(f"{path}: no total")
        self.total = int(row[0])

    def _frequency(self, word: str) -> int:
        found = self._added.get(word)
        if found is not None:
            return found
        found = self._memo.get(word)
        if found is not None:
            return found
        with self._lock:
            row = self._db.execute("SELECT n FROM freq WHERE word = ?", (word,)).fetchone()
            if len(self._memo) >= _MEMO_LIMIT:
                self._memo.clear()
        value = _ABSENT if row is None else int(row[0])
        self._memo[word] = value
        return value

    def get(self, word: str, default: Any = None) -> Any:
        value = self._frequency(word)
        return default if value == _ABSENT else value

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and self._frequency(word) != _ABSENT

    def __getitem__(self, word: str) -> int:
        value = self._frequency(word)
        if value == _ABSENT:
            raise KeyError(word)
        return value

    def __setitem__(self, word: str, frequency: int) -> None:
        self._added[word] = frequency


def build_store(path: Path, jieba: ModuleType) -> None:
    """Copy jieba's prefix dictionary (as jieba itself builds it from ``dict.txt``) into ``path``, atomically."""
    frequencies, total = jieba.Tokenizer.gen_pfdict(jieba.get_dict_file())
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(handle)
    try:
        with contextlib.closing(sqlite3.connect(temporary)) as db:
            db.execute("CREATE TABLE freq (word TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID")
            db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL)")
            db.executemany("INSERT INTO freq VALUES (?, ?)", frequencies.items())
            db.execute("INSERT INTO meta VALUES ('total', ?)", (total,))
            db.commit()
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def open_stored(cache_dir: Path, jieba: ModuleType) -> StoredDictionary:
    """The store of the installed dictionary, built first when missing or unreadable."""
    path = store_path(cache_dir)
    if path.is_file():
        try:
            return StoredDictionary(path)
        except sqlite3.Error:
            pass  # a damaged file: built again below
    build_store(path, jieba)
    return StoredDictionary(path)


def new_tokenizer(words: Iterable[tuple[str, int]] = (), *, cache_dir: Path | None = None) -> Any:
    """A jieba ``Tokenizer`` of its own (not jieba's global one) on the stored dictionary, with ``words``
    (word, frequency) added; jieba's usual loading where the store cannot be made."""
    jieba = import_jieba()
    folder = cache_dir or default_cache_dir()
    tokenizer = jieba.Tokenizer()
    try:
        stored = open_stored(folder, jieba)
    except (OSError, sqlite3.Error):
        if folder.is_dir():
            tokenizer.tmp_dir = str(folder)  # jieba's own cache, kept with ours rather than in /tmp
    else:
        tokenizer.FREQ = stored
        tokenizer.total = stored.total
        tokenizer.initialized = True
    for word, frequency in words:
        tokenizer.add_word(word, freq=frequency)
    return tokenizer
