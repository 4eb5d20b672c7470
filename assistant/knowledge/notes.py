"""Guidance notes: Markdown files in knowledge/ with YAML front matter, split into sections.

A note explains one topic of the guidance; rules point to notes by id (``rules.toml``), reports
show a note's title and summary under each finding, and the index stores one chunk per section.

Every ``check`` reads the notes, and parsing YAML is most of that: front matter already parsed is
kept in a JSON file (``load_notes(folder, cache=…)``) by the digest of its text, so an unchanged
note is not parsed again and PyYAML is not even imported.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from ..findings import Dimension

LANGUAGES = ("zh", "en")
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(?P<yaml>.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.DOTALL)
_HEADING = re.compile(r"^(?P<level>#{1,2})[ \t]+(?P<title>.+?)[ \t]*#*[ \t]*$", re.MULTILINE)
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_CODE = re.compile(r"^[A-Z]{3}\d{3}$")
_REQUIRED = ("id", "title", "title_en", "summary", "summary_en", "topics", "rules", "dimensions", "source")


class NoteError(ValueError):
    """A note file that cannot be used: names the file and the field."""


@dataclass(frozen=True, slots=True)
class SourceRef:
    """Where a note's facts come from: a seed document and its chapter or section."""

    doc: str
    section: str


@dataclass(frozen=True, slots=True)
class Section:
    """One ``##`` section of a note: the unit the index stores and retrieval returns."""

    heading: str
    text: str
    language: str  # "en" for the note's English summary, "zh" otherwise


@dataclass(frozen=True, slots=True)
class Note:
    """One guidance note."""

    id: str
    title: Mapping[str, str]  # language -> title
    summary: Mapping[str, str]  # language -> one or two sentences shown under findings
    topics: tuple[str, ...]
    rules: tuple[str, ...]
    dimensions: tuple[Dimension, ...]
    sources: tuple[SourceRef, ...]
    sections: tuple[Section, ...]
    path: Path
    digest: str  # sha256 of the file's text: the index rebuilds when any digest changes

    def title_in(self, lang: str) -> str:
        return self.title.get(lang) or self.title["zh"]

    def summary_in(self, lang: str) -> str:
        return self.summary.get(lang) or self.summary["zh"]


def parse_note(text: str, path: Path, *, cache: FrontMatterCache | None = None) -> Note:
    """Read one note; raises NoteError naming the file and field when it is malformed.

    ``cache`` holds front matter parsed before; what is parsed here is added to it.
    """
    match = _FRONT_MATTER.match(text)
    if not match:
        raise NoteError(f"{path}: no front matter (a '---' block at the top)")
    source = match.group("yaml")
    meta = cache.get(source) if cache is not None else None
    if meta is None:
        meta = _parse_yaml(source, path)
        if cache is not None:
            cache.put(source, meta)
    if not isinstance(meta, dict):
        raise NoteError(f"{path}: front matter must be a mapping of fields")
    missing = [name for name in _REQUIRED if name not in meta]
    if missing:
        raise NoteError(f"{path}: front matter lacks {', '.join(missing)}")

    def fail(name: str, reason: str) -> NoteError:
        return NoteError(f"{path}: field {name}: {reason}")

    note_id = str(meta["id"])
    if not _ID.match(note_id):
        raise fail("id", f"{note_id!r} is not a lower-case id such as 'measurable-kr'")
    if path.stem != note_id:
        raise fail("id", f"{note_id!r} differs from the file name {path.name!r}")
    for name in ("title", "title_en", "summary", "summary_en"):
        if not isinstance(meta[name], str) or not meta[name].strip():
            raise fail(name, "must be non-empty text")
    rules = _strings(meta["rules"], "rules", fail)
    bad = [code for code in rules if not _CODE.match(code)]
    if bad:
        raise fail("rules", f"{bad[0]!r} is not a rule code such as MEA001")
    try:
        dimensions = tuple(Dimension(d) for d in _strings(meta["dimensions"], "dimensions", fail))
    except ValueError as exc:
        raise fail("dimensions", str(exc)) from None
    sections = tuple(split_sections(text[match.end() :]))
    if not sections:
        raise NoteError(f"{path}: no '## ' sections in the body")
    return Note(
        id=note_id,
        title=MappingProxyType({"zh": meta["title"].strip(), "en": meta["title_en"].strip()}),
        summary=MappingProxyType({"zh": meta["summary"].strip(), "en": meta["summary_en"].strip()}),
        topics=_strings(meta["topics"], "topics", fail),
        rules=rules,
        dimensions=dimensions,
        sources=_sources(meta["source"], fail),
        sections=sections,
        path=path,
        digest=hashlib.sha256(text.encode("utf-8")).hexdigest(),
    )


def _parse_yaml(source: str, path: Path) -> Any:
    """Front matter as data: with libyaml's parser when PyYAML has it (ten times faster), else the pure one.

    On an error the pure parser reads it again, so the message is the same whichever parser is installed.
    """
    import yaml

    loader = getattr(yaml, "CSafeLoader", None)
    try:
        if loader is not None:
            try:
                return yaml.load(source, Loader=loader)  # CSafeLoader: the safe loader, in C
            except yaml.YAMLError:
                pass
        return yaml.safe_load(source)
    except yaml.YAMLError as exc:
        raise NoteError(f"{path}: front matter is not valid YAML: {exc}") from None


class FrontMatterCache:
    """Parsed front matter by the sha256 of its YAML text, read from and saved to one JSON file.

    Only data that JSON gives back unchanged is kept (not dates, say), so a note read from the cache is
    exactly the note parsed again. A missing, unreadable or foreign file is an empty cache; saving is
    atomic and skipped quietly when the folder cannot be written: the cache only ever saves time.
    """

    VERSION = 1

    def __init__(self, path: Path) -> None:
        self.path = path
        self._entries: dict[str, Any] = {}
        self._used: set[str] = set()
        self._changed = False
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError):
            return
        if isinstance(data, dict) and data.get("version") == self.VERSION and isinstance(data.get("notes"), dict):
            self._entries = data["notes"]

    @staticmethod
    def _key(source: str) -> str:
        return hashlib.sha256(source.encode("utf-8")).hexdigest()

    def get(self, source: str) -> Any | None:
        """The parsed front matter of ``source``, or None when it is not cached."""
        key = self._key(source)
        meta = self._entries.get(key)
        if meta is not None:
            self._used.add(key)
        return meta

    def put(self, source: str, meta: Any) -> None:
        """Remember parsed front matter, when JSON keeps it as it is."""
        try:
            same = json.loads(json.dumps(meta, ensure_ascii=False)) == meta
        except (TypeError, ValueError):
            same = False
        if same and meta is not None:
            key = self._key(source)
            self._entries[key] = meta
            self._used.add(key)
            self._changed = True

    def save(self) -> None:
        """Write the entries used in this run (so that edited notes do not pile up), when any is new."""
        if not self._changed and self._used == set(self._entries):
            return
        from ..atomic import write_atomic

        entries = {key: self._entries[key] for key in sorted(self._used)}
        text = json.dumps({"version": self.VERSION, "notes": entries}, ensure_ascii=False, sort_keys=True)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(self.path, text)
        except (OSError, ValueError):
            pass  # a read-only or odd location: the next run parses the notes again


def _strings(value: object, name: str, fail) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str | int | float) for v in value):
        raise fail(name, "must be a list of words")
    return tuple(str(v).strip() for v in value if str(v).strip())


def _sources(value: object, fail) -> tuple[SourceRef, ...]:
    if not isinstance(value, list) or not value:
        raise fail("source", "must list at least one {doc, section}")
    out = []
    for entry in value:
        if not isinstance(entry, dict) or not entry.get("doc") or not entry.get("section"):
            raise fail("source", "every entry needs doc and section")
        out.append(SourceRef(str(entry["doc"]), str(entry["section"])))
    return tuple(out)


def split_sections(body: str) -> Iterator[Section]:
    """The ``##`` sections of a note body; text before the first one (the ``#`` title) is dropped."""
    headings = [m for m in _HEADING.finditer(body) if m.group("level") == "##"]
    for index, heading in enumerate(headings):
        end = headings[index + 1].start() if index + 1 < len(headings) else len(body)
        text = body[heading.end() : end].strip()
        title = heading.group("title").strip()
        if text:
            language = "en" if title.lower().startswith("in english") else "zh"
            yield Section(title, text, language)


@dataclass(frozen=True, slots=True)
class NoteBook:
    """All notes of a knowledge folder, by id, with problems found while reading them."""

    notes: Mapping[str, Note]
    problems: tuple[str, ...] = ()
    folder: Path | None = None

    def __contains__(self, note_id: object) -> bool:
        return note_id in self.notes

    def __iter__(self) -> Iterator[Note]:
        return iter(self.notes.values())

    def __len__(self) -> int:
        return len(self.notes)

    def get(self, note_id: str) -> Note | None:
        return self.notes.get(note_id)

    def content_hash(self) -> str:
        """A digest of every note's text: the index rebuilds when it changes."""
        digest = hashlib.sha256()
        for note_id in sorted(self.notes):
            digest.update(f"{note_id}:{self.notes[note_id].digest};".encode())
        return digest.hexdigest()[:16]


def note_files(folder: Path) -> Iterable[Path]:
    """Note files of a folder: ``*.md`` except README and working files in capitals (PLAN.md)."""
    return sorted(p for p in folder.glob("*.md") if not p.stem.isupper())


def load_notes(folder: Path, *, cache: Path | None = None) -> NoteBook:
    """Every readable note of a folder; a malformed note is reported in ``problems`` and skipped.

    Ids are unique because each must equal its file name. ``cache``: a JSON file of front matter
    parsed before (see ``FrontMatterCache``), read and brought up to date.
    """
    notes: dict[str, Note] = {}
    problems: list[str] = []
    parsed = FrontMatterCache(cache) if cache is not None else None
    for path in note_files(folder):
        try:
            note = parse_note(path.read_text(encoding="utf-8"), path, cache=parsed)
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(f"{path}: cannot read: {exc}")
            continue
        except NoteError as exc:
            problems.append(str(exc))
            continue
        notes[note.id] = note
    if parsed is not None:
        parsed.save()
    return NoteBook(MappingProxyType(notes), tuple(problems), folder)
