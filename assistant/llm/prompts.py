"""Versioned prompt templates from ``prompts/``: loaded by name, rendered with user data fenced off.

A prompt file is ``prompts/<id>.v<version>.toml``::

    id = "rewrite-kr"
    version = 1
    description = "…"
    [system]            # optional: follow-up messages have only a user part
    zh = "…"
    en = "…"
    [user]
    zh = "… $key_result …"
    en = "…"

Templates use ``$name`` placeholders (``string.Template``), so JSON braces in a prompt need no
escaping. Values passed as **data** (OKR text, team context, retrieved notes, check-in notes) are
wrapped in ``<name>…</name>`` blocks, and anything in them that looks like such a tag is defused, so
user text can never close its block and pose as instructions. **Params** (counts, language names)
come from the code and are inserted as they are.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from string import Template
from typing import Any

from ..shipped import shipped_dir
from ..texts import LANGUAGES

_FILE = re.compile(r"^(?P<id>[a-z0-9][a-z0-9-]*)\.v(?P<version>\d+)\.toml$")
_TAG = re.compile(r"<(/?)\s*([A-Za-z_][\w-]*)\s*>")


class PromptError(ValueError):
    """A prompt that is missing or malformed; names the file and field."""


@dataclass(frozen=True, slots=True)
class Prompt:
    """One version of one prompt, with its system and user parts per language."""

    id: str
    version: int
    description: str
    system: Mapping[str, str]
    user: Mapping[str, str]
    path: Path

    @property
    def ref(self) -> str:
        """``id@version``: what the cache key and the eval reports record."""
        return f"{self.id}@v{self.version}"

    def messages(
        self, language: str, *, data: Mapping[str, str] | None = None, params: Mapping[str, Any] | None = None
    ) -> list[tuple[str, str]]:
        """``[("system", …), ("user", …)]`` (or only the user part) in ``language``.

        ``data`` values are fenced as data blocks; ``params`` are inserted as they are.
        """
        lang = language if language in LANGUAGES else "zh"
        values: dict[str, str] = {name: str(value) for name, value in (params or {}).items()}
        values.update({name: fence(name, text) for name, text in (data or {}).items()})
        parts = [("system", self.system), ("user", self.user)] if self.system else [("user", self.user)]
        try:
            return [(role, Template(texts[lang]).substitute(values)) for role, texts in parts]
        except KeyError as exc:
            raise PromptError(f"{self.path}: placeholder ${exc.args[0]} has no value") from None


def fence(name: str, text: str) -> str:
    """``text`` as a delimited data block that it cannot break out of."""
    clean = _TAG.sub(lambda m: f"‹{m.group(1)}{m.group(2)}›", str(text).strip())
    return f"<{name}>\n{clean}\n</{name}>"


def bundled_prompts_dir() -> Path:
    return shipped_dir("prompts")


def parse_prompt(path: Path) -> Prompt:
    """Read one prompt file; every error names the file and the field."""
    match = _FILE.match(path.name)
    if not match:
        raise PromptError(f"{path}: file name must be <id>.v<version>.toml")
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise PromptError(f"{path}: {exc}") from None
    if raw.get("id") != match["id"] or raw.get("version") != int(match["version"]):
        raise PromptError(f"{path}: id/version must match the file name ({match['id']} v{match['version']})")
    parts: dict[str, dict[str, str]] = {"system": {}}
    for part in ("system", "user"):
        table = raw.get(part)
        if part == "system" and table is None:
            continue  # a follow-up message (repair, feedback) has only a user part
        texts: dict[str, str] = {}
        for lang in LANGUAGES:
            value = table.get(lang) if isinstance(table, dict) else None
            if not isinstance(value, str) or not value.strip():
                raise PromptError(f"{path}: {part}.{lang}: missing or empty")
            texts[lang] = value
        parts[part] = texts
    return Prompt(
        id=raw["id"],
        version=raw["version"],
        description=str(raw.get("description", "")),
        system=parts["system"],
        user=parts["user"],
        path=path,
    )


def load_prompt(name: str, version: int | None = None, *, folder: Path | None = None) -> Prompt:
    """The prompt ``name`` at ``version``, or its highest version."""
    where = folder or bundled_prompts_dir()
    versions = {
        int(m["version"]): path
        for path in where.glob(f"{name}.v*.toml")
        if (m := _FILE.match(path.name)) and m["id"] == name
    }
    if not versions:
        raise PromptError(f"{where}: no prompt named {name!r}")
    chosen = max(versions) if version is None else version
    if chosen not in versions:
        raise PromptError(f"{where}: prompt {name!r} has no version {version} (has {sorted(versions)})")
    return parse_prompt(versions[chosen])


def list_prompts(folder: Path | None = None) -> list[Prompt]:
    """Every prompt file in the folder, sorted by id and version."""
    where = folder or bundled_prompts_dir()
    return [parse_prompt(path) for path in sorted(where.glob("*.toml"))]
