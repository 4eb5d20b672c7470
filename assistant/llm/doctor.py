"""What ``okr-review doctor`` finds: does the configured LLM endpoint work here, and is the knowledge index there?

:func:`diagnose` returns a :class:`DoctorReport`: where the settings came from, the endpoint and model (the key
masked), then one :class:`Check` per question — reachable, model exists, chat, JSON mode, JSON schema, tool
calls, streaming (each a tiny request), one real rewrite checked by the rules — and the knowledge index state.
The verdict: ``ok`` (exit 0) when everything the assistant needs works, ``degraded`` (exit 1) when it will
run without the LLM (offline, unreachable, failing answers), ``config_error`` (exit 2) when a setting must be
fixed (bad value, refused key, unknown model). Rendering is left to the CLI and the app.

Every check's detail is written in the report's language from ``assistant/data/doctor.toml``: the provider's
probe notes (English) through that file's phrase table, an error as its kind in words with the server's own
message quoted after it. The index location (a path on the machine that runs the check) stays in the JSON's
``knowledge.location``; the detail says local index or Chroma server in words.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..shipped import data_table

if TYPE_CHECKING:
    from ..config import Config
    from ..knowledge import KnowledgeSettings
    from .client import LLM
    from .provider import OpenAICompatible
    from .settings import LLMSettings

RoundTrip = Callable[["LLM", str], "Check"]  # one real task through the LLM and the rules: (llm, language) → check

STATUSES = ("ok", "warn", "degraded", "config", "skip")  # warn: works through a fallback
VERDICTS = {"ok": 0, "degraded": 1, "config_error": 2}
PROBE_TIMEOUT = 20.0  # seconds per doctor request at most, whatever the configured timeout
CONFIG_KINDS = ("auth", "model_not_found")  # LLMError kinds a setting fixes


@dataclass(frozen=True, slots=True)
class Check:
    """One question answered: its key (a label in doctor.toml), status, what was seen, and how long it took."""

    key: str
    status: str
    detail: str
    seconds: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"check": self.key, "status": self.status, "detail": self.detail, "seconds": _rounded(self.seconds)}


@dataclass(frozen=True, slots=True)
class KnowledgeState:
    """The knowledge index as found, without building it: notes, embedding, location and state."""

    notes: int
    embedding: str
    location: str
    state: str  # "up to date", "not built yet", "outdated", "other embedding", "unreadable"
    chunks: int | None = None
    detail: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "notes": self.notes,
            "embedding": self.embedding,
            "location": self.location,
            "state": self.state,
            "chunks": self.chunks,
            "detail": self.detail,
        }


@dataclass
class DoctorReport:
    """Everything ``doctor`` found; never holds the API key, only its masked form."""

    endpoint: str | None = None
    model: str | None = None
    key: str | None = None  # masked: "…abcd", or None when no key is set
    proxy: str | None = None
    azure_api_version: str | None = None
    config_file: str | None = None
    sources: dict[str, str] = field(default_factory=dict)
    checks: list[Check] = field(default_factory=list)
    knowledge: KnowledgeState | None = None

    @property
    def verdict(self) -> str:
        statuses = {c.status for c in self.checks}
        if "config" in statuses:
            return "config_error"
        if "degraded" in statuses:
            return "degraded"
        return "ok"

    @property
    def exit_code(self) -> int:
        return VERDICTS[self.verdict]

    def check(self, key: str) -> Check | None:
        return next((c for c in self.checks if c.key == key), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "exit_code": self.exit_code,
            "endpoint": self.endpoint,
            "model": self.model,
            "api_key": self.key,
            "proxy": self.proxy,
            "azure_api_version": self.azure_api_version,
            "config_file": self.config_file,
            "sources": dict(self.sources),
            "checks": [c.to_dict() for c in self.checks],
            "knowledge": self.knowledge.to_dict() if self.knowledge else None,
        }


def mask_key(key: str | None) -> str | None:
    """Only the last four characters of a long key (``…abcd``), nothing of a short one; ``None`` when unset."""
    if not key:
        return None
    return f"…{key[-4:]}" if len(key) >= 16 else "…"


def configured(
    config: Config, *, data_dir: Path | None = None, knowledge_dir: Path | None = None
) -> tuple[LLMSettings | Exception, KnowledgeSettings | Exception]:
    """The endpoint and index settings ``config`` describes, each replaced by its error when it is unusable
    (the report then says why, instead of the command failing)."""
    from ..configfile import knowledge_settings_of, llm_settings_of
    from ..knowledge import SettingsError
    from .settings import LLMSettingsError

    settings: LLMSettings | Exception
    knowledge: KnowledgeSettings | Exception
    try:
        settings = llm_settings_of(config)
    except LLMSettingsError as exc:
        settings = exc
    try:
        knowledge = knowledge_settings_of(config).with_options(data_dir=data_dir, knowledge_dir=knowledge_dir)
    except SettingsError as exc:
        knowledge = exc
    return settings, knowledge


def diagnose(
    settings: LLMSettings | Exception,
    knowledge: KnowledgeSettings | Exception | None,
    *,
    config_file: Path | None = None,
    language: str = "zh",
    round_trip: RoundTrip | None = None,
) -> DoctorReport:
    """Check the endpoint ``settings`` describe (or report why they are unusable) and the knowledge index.

    ``round_trip`` runs one real task (the CLI and the app pass a rewrite checked by the rules; the LLM layer
    cannot import the tasks, which sit above it).
    """
    report = DoctorReport(config_file=str(config_file) if config_file else None)
    if isinstance(settings, Exception):
        report.checks.append(Check("settings", "config", words(language, "settings_unusable", error=settings)))
    else:
        _check_endpoint(report, settings, language=language, round_trip=round_trip)
    if knowledge is not None:
        _check_knowledge(report, knowledge, language)
    return report


def error_words(exc: Exception, language: str) -> str:
    """A failed request in words: what went wrong by its kind, then the message as the server or client gave it."""
    kind = getattr(exc, "kind", "")
    text = str(exc)
    message = text.split(": ", 1)[1] if kind and text.startswith(f"{kind}: ") else text
    what = words(language, f"error_{kind}") if f"error_{kind}" in _table()["en"] else words(language, "error_other")
    return words(language, "error", what=what, message=message)


def probe_words(detail: str, language: str) -> str:
    """A provider's probe note (written in English) in ``language``, through doctor.toml's phrase table."""
    if language == "en":
        return detail
    table = _table()
    suffix = ""
    reasoning = table["en"]["probe_reasoning"]
    if detail.endswith(reasoning):
        detail, suffix = detail[: -len(reasoning)], words(language, "probe_reasoning")
    for phrase in table["probe_phrase"]:
        match = re.fullmatch(phrase["pattern"], detail, re.DOTALL)
        if match:
            return phrase["zh"].format(**match.groupdict()) + suffix
    return detail + suffix  # a note the table does not know yet: as the provider wrote it


def _check_endpoint(
    report: DoctorReport, settings: LLMSettings, *, language: str, round_trip: RoundTrip | None
) -> None:
    from .network import proxy_for

    report.sources = dict(settings.sources)
    if not settings.online:
        report.checks.append(Check("settings", "degraded", words(language, "offline")))
        return
    report.endpoint = settings.base_url or "https://api.openai.com/v1"
    report.model = settings.model
    report.key = mask_key(settings.api_key)
    report.proxy = proxy_for(report.endpoint)
    report.azure_api_version = settings.api_version
    settings_detail = words(language, "settings_ok", model=settings.model, endpoint=report.endpoint)
    report.checks.append(Check("settings", "ok", settings_detail))
    from .provider import OpenAICompatible

    quick = settings.with_options(max_retries=0, timeout=min(settings.timeout, PROBE_TIMEOUT), cache=False)
    provider = OpenAICompatible(quick)
    if not _check_listing(report, provider, language):
        return
    chat = _probe(report, provider, "chat", language, failing="degraded")
    if chat is None:
        return
    for feature in ("json_object", "json_schema", "tools", "stream"):
        _probe(report, provider, feature, language, failing="warn")
    if round_trip is not None:
        from .client import LLM

        report.checks.append(round_trip(LLM(provider, cache=None), language))


def _check_listing(report: DoctorReport, provider: OpenAICompatible, language: str) -> bool:
    """Reachable and model listed; ``False`` when nothing more is worth asking."""
    from .provider import LLMError

    started = time.perf_counter()
    try:
        models = provider.models()
    except LLMError as exc:
        seconds = time.perf_counter() - started
        if exc.kind in ("connection", "timeout"):
            report.checks.append(Check("reachable", "degraded", error_words(exc, language), seconds))
            return False
        if exc.kind in CONFIG_KINDS:
            report.checks.append(Check("reachable", "config", error_words(exc, language), seconds))
            return False
        # Some servers list no models (404 and the like): reachable all the same; the chat probe decides.
        ms = f"{seconds * 1000:.0f}"
        report.checks.append(
            Check("reachable", "ok", words(language, "answered_no_list", ms=ms, error=error_words(exc, language)))
        )
        report.checks.append(Check("model", "skip", words(language, "models_not_listed")))
        return True
    seconds = time.perf_counter() - started
    if models is None:
        report.checks.append(Check("reachable", "skip", words(language, "azure_not_listed")))
        return True
    report.checks.append(Check("reachable", "ok", words(language, "answered", ms=f"{seconds * 1000:.0f}"), seconds))
    if provider.name in models:
        offered = words(language, "model_offered", model=provider.name, count=len(models))
        report.checks.append(Check("model", "ok", offered))
        return True
    shown = ", ".join(models[:12]) + (" …" if len(models) > 12 else "")
    detail = words(language, "model_not_offered", model=repr(provider.name), shown=shown or words(language, "none"))
    report.checks.append(Check("model", "config", detail))
    return False


def _probe(
    report: DoctorReport, provider: OpenAICompatible, feature: str, language: str, *, failing: str
) -> Check | None:
    """One feature probe as a check; an error that a setting fixes is a config error whatever the feature."""
    from .provider import LLMError

    started = time.perf_counter()
    try:
        probe = provider.probe(feature)
    except LLMError as exc:
        status = "config" if exc.kind in CONFIG_KINDS else failing
        report.checks.append(Check(feature, status, error_words(exc, language), time.perf_counter() - started))
        return None
    status = "ok" if probe.supported else ("degraded" if feature == "chat" else "warn")
    fallback = "" if probe.supported or feature == "chat" else words(language, f"fallback_{feature}")
    detail = probe_words(probe.detail, language) + fallback
    check = Check(feature, status, detail, probe.seconds)
    report.checks.append(check)
    return check if probe.supported else None


def knowledge_state(settings: KnowledgeSettings) -> KnowledgeState:
    """The index as it is on disk or on the Chroma server, read without building or changing it."""
    from ..knowledge import load_notes

    embedding = settings.embedding + (f" ({settings.embedding_model})" if settings.embedding == "openai" else "")
    where = settings.where()
    if not settings.knowledge_dir.is_dir():
        return KnowledgeState(0, embedding, where, "unreadable", detail=f"no notes at {settings.knowledge_dir}")
    notebook = load_notes(settings.knowledge_dir)
    notes = len(notebook)
    if not settings.chroma_host and not settings.index_dir.exists():
        return KnowledgeState(notes, embedding, where, "not built yet", detail="built on first use")
    try:
        from ..knowledge.index import KnowledgeIndex

        index = KnowledgeIndex(settings, notebook)
        collection = index.client.get_collection(settings.collection, embedding_function=None)
        meta = collection.metadata or {}
        chunks = collection.count()
    except Exception as exc:  # a missing collection and an unreachable server both mean "not usable as it is"
        text = " ".join(str(exc).split())[:200]
        if "does not exist" in text.lower() or type(exc).__name__ == "NotFoundError":
            return KnowledgeState(notes, embedding, where, "not built yet", detail="built on first use")
        return KnowledgeState(notes, embedding, where, "unreadable", detail=text or type(exc).__name__)
    if meta.get("embedding") != index.embedder.id:
        detail = f"built with {meta.get('embedding')!r}; run 'okr-review index --rebuild'"
        return KnowledgeState(notes, embedding, where, "other embedding", chunks, detail)
    if meta.get("fingerprint") != index.fingerprint():
        return KnowledgeState(notes, embedding, where, "outdated", chunks, "notes changed: rebuilt on first use")
    return KnowledgeState(notes, embedding, where, "up to date", chunks, f"built {meta.get('built_at', '?')}")


def _check_knowledge(report: DoctorReport, settings: KnowledgeSettings | Exception, language: str) -> None:
    if isinstance(settings, Exception):
        report.checks.append(Check("knowledge", "config", words(language, "settings_unusable", error=settings)))
        return
    state = knowledge_state(settings)
    report.knowledge = state
    status = {"up to date": "ok", "not built yet": "ok", "outdated": "ok", "other embedding": "config"}
    detail = knowledge_words(state, settings, language)
    report.checks.append(Check("knowledge", status.get(state.state, "degraded"), detail))


_STATE_KEYS = {
    "up to date": "up_to_date",
    "not built yet": "not_built",
    "outdated": "outdated",
    "other embedding": "other_embedding",
    "unreadable": "unreadable",
}


def knowledge_words(state: KnowledgeState, settings: KnowledgeSettings, language: str) -> str:
    """The index in words: notes, embedding, local or on a Chroma server (never a path), its state and why."""
    if settings.chroma_host:
        where = words(language, "index_server", host=settings.chroma_host, port=settings.chroma_port)
    else:
        where = words(language, "index_local")
    key = _STATE_KEYS.get(state.state, "unreadable")
    why = _state_reason(state, key, language)
    embedding = words(language, "embedding_builtin") if settings.embedding == "offline" else state.embedding
    line = words(language, "knowledge_line", notes=state.notes, embedding=embedding, where=where)
    return line + words(language, f"index_{key}") + (words(language, "reason", reason=why) if why else "")


def _state_reason(state: KnowledgeState, key: str, language: str) -> str:
    """Why the index is in its state, in words; the raw error text only where there is nothing else to say."""
    if key == "up_to_date":
        return words(language, "index_built_at", at=state.detail.removeprefix("built ").strip())
    if key in ("not_built", "outdated", "other_embedding"):
        return words(language, f"index_{key}_why")
    if state.detail.startswith("no notes at "):
        return words(language, "index_no_notes")
    return state.detail


@cache
def _table() -> Any:
    raw = data_table("doctor")
    missing = set(raw["zh"]) ^ set(raw["en"])
    if missing:
        raise ValueError(f"doctor.toml: labels not in both languages: {', '.join(sorted(missing))}")
    return raw


def sample_rewrite(language: str) -> dict[str, str]:
    """The objective, key result and context the rewrite round-trip sends (from doctor.toml)."""
    return dict(_table()["sample"]["en" if language == "en" else "zh"])


def words(language: str, key: str, **values: Any) -> str:
    """The doctor label ``key`` in ``language`` (zh unless en), ``{name}`` fields filled in."""
    text = _table()["en" if language == "en" else "zh"][key]
    return text.format(**values) if values else text


def source_words(report: DoctorReport, language: str) -> list[tuple[str, str]]:
    """(setting, where it came from) in words, for the CLI and the app."""
    lines = []
    for name, source in sorted(report.sources.items()):
        if source == "file":
            where = words(language, "source_file", path=report.config_file or "?")
        elif source == "default":
            where = words(language, "source_default")
        else:
            where = words(language, "source_env", name=source)
        lines.append((name, where))
    return lines


def _rounded(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds, 3)
