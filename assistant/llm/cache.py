"""A disk cache of LLM answers, keyed by prompt version + model + endpoint + the exact messages.

Reruns of an unchanged batch cost nothing, and a batch that crashed resumes where it stopped: every
answer is written (atomically) as soon as it arrives. Only validated answers are stored. The answers hold OKR
text, so the cache is private: folders 0700, files 0600, whatever the umask.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from ..atomic import write_atomic

CACHE_FORMAT = 1
FOLDER_MODE = 0o700
FILE_MODE = 0o600


def cache_key(*, prompt: str, model: str, base_url: str | None, messages: Any, schema: str | None) -> str:
    """A stable hash of everything that decides the answer (temperature aside: answers are reused)."""
    material = json.dumps(
        {
            "format": CACHE_FORMAT,
            "prompt": prompt,
            "model": model,
            "base_url": base_url,
            "schema": schema,
            "messages": messages,
        },
        ensure_ascii=False,
        sort_keys=True,
    )
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


class ResponseCache:
    """One JSON file per answer under ``folder/<2 hex>/<key>.json``."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    def get(self, key: str) -> dict[str, Any] | None:
        try:
            return json.loads(self._path(key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None  # missing or damaged: ask again

    def put(self, key: str, value: dict[str, Any]) -> None:
        path = self._path(key)
        try:
            self._private_folder(self.folder)
            self._private_folder(path.parent)
            write_atomic(path, json.dumps(value, ensure_ascii=False))
            path.chmod(FILE_MODE)  # inside a 0700 folder, so never readable by others even before this
        except OSError:
            pass  # a cache that cannot be written only costs a repeated request

    @staticmethod
    def _private_folder(folder: Path) -> None:
        """Create ``folder`` (and its parents) if needed, and make it 0700 even if an older version made it 0755."""
        folder.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
        if folder.stat().st_mode & 0o777 != FOLDER_MODE:
            folder.chmod(FOLDER_MODE)
