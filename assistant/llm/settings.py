"""Which LLM endpoint to use, if any: a value object from the config file and the environment.

Config file table ``[tool.okr-review.llm]`` (or ``[llm]`` in ``.okr-review.toml``)::

    base-url = "https://api.deepseek.com/v1"   # any OpenAI-compatible endpoint
    model = "deepseek-chat"
    timeout = 60                 # seconds per request
    max-retries = 3              # on 429, 5xx, timeouts and dropped connections, with backoff
    concurrency = 4              # parallel requests in batch work
    temperature = 0.3
    structured-output = "json_mode"   # json_mode | json_schema | function_calling | prompt
    max-tokens = 4096            # answer budget (optional; doubled once when an answer is cut off)
    api-version = "2024-10-21"   # Azure OpenAI only: base-url is the resource, model the deployment
    cache = true                 # reuse answers from the disk cache
    cache-dir = "~/.cache/okr-review/llm"

Environment variables win: ``OKR_REVIEW_LLM_BASE_URL`` (else ``OPENAI_BASE_URL``),
``OKR_REVIEW_LLM_MODEL`` (else ``OPENAI_MODEL``), ``OKR_REVIEW_LLM_TIMEOUT``,
``OKR_REVIEW_LLM_CONCURRENCY``, ``OKR_REVIEW_LLM_CACHE`` (``off`` to disable),
``OKR_REVIEW_LLM_MAX_TOKENS``, ``OKR_REVIEW_LLM_API_VERSION`` (Azure only; ``OPENAI_API_VERSION`` is not
read, so an unrelated Azure setting never switches another endpoint to Azure's paths) and
``OKR_REVIEW_CACHE_DIR``. The key comes from ``OKR_REVIEW_LLM_API_KEY`` or ``OPENAI_API_KEY`` only,
never from a file, and is never printed.

The assistant is **online** when a model can be reached: an API key or a base URL is set. With an
API key alone the endpoint is OpenAI and the model defaults to ``gpt-4o-mini``; with a base URL a
model must be named. Otherwise it runs offline (rules, retrieval, deterministic suggestions).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from platformdirs import user_cache_path

STRUCTURED_OUTPUT = ("json_mode", "json_schema", "function_calling", "prompt")
KEY_VARIABLES = ("OKR_REVIEW_LLM_API_KEY", "OPENAI_API_KEY")
OPENAI_DEFAULT_MODEL = "gpt-4o-mini"
_KEYS = {
    "base-url",
    "model",
    "timeout",
    "max-retries",
    "concurrency",
    "temperature",
    "structured-output",
    "cache",
    "cache-dir",
    "max-tokens",
    "api-version",
}
_ENV = {
    "OKR_REVIEW_LLM_BASE_URL": "base-url",
    "OKR_REVIEW_LLM_MODEL": "model",
    "OKR_REVIEW_LLM_TIMEOUT": "timeout",
    "OKR_REVIEW_LLM_CONCURRENCY": "concurrency",
    "OKR_REVIEW_LLM_CACHE": "cache",
    "OKR_REVIEW_CACHE_DIR": "cache-dir",
    "OKR_REVIEW_LLM_MAX_TOKENS": "max-tokens",
    "OKR_REVIEW_LLM_API_VERSION": "api-version",
}
_FALLBACK_ENV = {"OPENAI_BASE_URL": "base-url", "OPENAI_MODEL": "model"}


class LLMSettingsError(ValueError):
    """An LLM setting that cannot be used; names the key or variable."""


@dataclass(frozen=True, slots=True)
class LLMSettings:
    """How to reach the LLM. ``api_key`` is kept out of ``repr`` so it never lands in a log."""

    base_url: str | None = None
    model: str | None = None
    api_key: str | None = field(default=None, repr=False)
    timeout: float = 60.0
    max_retries: int = 3
    concurrency: int = 4
    temperature: float = 0.3
    structured_output: str = "json_mode"
    cache: bool = True
    cache_dir: Path = field(default_factory=lambda: user_cache_path("okr-review", appauthor=False) / "llm")
    max_tokens: int | None = None
    api_version: str | None = None  # set: Azure OpenAI deployment mode
    # where each setting came from: "file", "default" or the environment variable's name (doctor prints it)
    sources: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)

    @property
    def azure(self) -> bool:
        """Azure OpenAI's deployment API: ``base_url`` is the resource endpoint, ``model`` the deployment."""
        return self.api_version is not None

    @property
    def online(self) -> bool:
        return self.model is not None

    def describe(self) -> str:
        """Where requests go, for messages (never the key)."""
        if not self.online:
            return "offline (no LLM endpoint configured)"
        return f"{self.model} at {self.base_url or 'https://api.openai.com/v1'}"

    def with_options(self, **changes: Any) -> LLMSettings:
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


def llm_settings(
    table: Mapping[str, Any] | None = None,
    *,
    base: Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> LLMSettings:
    """Settings from a config table (paths relative to ``base``), overridden by the environment."""
    values: dict[str, Any] = dict(table or {})
    unknown = set(values) - _KEYS
    if unknown:
        raise LLMSettingsError(f"[llm] {sorted(unknown)[0]}: unknown setting (known: {', '.join(sorted(_KEYS))})")
    env = os.environ if environ is None else environ
    sources = dict.fromkeys(values, "file")
    for variable, key in _FALLBACK_ENV.items():
        if env.get(variable) and key not in values:
            values[key], sources[key] = env[variable], variable
    for variable, key in _ENV.items():
        if env.get(variable):
            values[key], sources[key] = env[variable], variable
    key_variable = next((v for v in KEY_VARIABLES if env.get(v)), None)
    api_key = env[key_variable] if key_variable else None
    if key_variable:
        sources["api-key"] = key_variable
    base_url = str(values["base-url"]).rstrip("/") if values.get("base-url") else None
    model = str(values["model"]) if values.get("model") else None
    if model is None and api_key and base_url is None:
        model, sources["model"] = OPENAI_DEFAULT_MODEL, "default"
    if model is not None and base_url is None and not api_key:
        model = None  # a model name alone reaches nothing: stay offline rather than fail on first use
    structured = str(values.get("structured-output", "json_mode"))
    if structured not in STRUCTURED_OUTPUT:
        raise LLMSettingsError(
            f"[llm] structured-output: must be one of {', '.join(STRUCTURED_OUTPUT)}, not {structured!r}"
        )
    settings = LLMSettings(
        base_url=base_url,
        model=model,
        api_key=api_key,
        timeout=_number(values, "timeout", 60.0, float, minimum=1),
        max_retries=_number(values, "max-retries", 3, int, minimum=0),
        concurrency=_number(values, "concurrency", 4, int, minimum=1),
        temperature=_number(values, "temperature", 0.3, float, minimum=0),
        structured_output=structured,
        cache=_flag(values.get("cache", True)),
        max_tokens=_number(values, "max-tokens", None, int, minimum=16) if values.get("max-tokens") else None,
        api_version=str(values["api-version"]) if values.get("api-version") else None,
        sources=sources,
    )
    if values.get("cache-dir"):
        raw = Path(str(values["cache-dir"])).expanduser()
        settings = replace(settings, cache_dir=raw if raw.is_absolute() or base is None else base / raw)
    if settings.azure and model is not None and base_url is None:
        raise LLMSettingsError(
            "[llm] base-url: api-version is set (Azure OpenAI) but no base URL; "
            "set OKR_REVIEW_LLM_BASE_URL to https://<resource>.openai.azure.com"
        )
    if base_url is not None and model is None:
        raise LLMSettingsError(
            f"[llm] model: a base URL is set ({base_url}) but no model; set OKR_REVIEW_LLM_MODEL or [llm] model"
        )
    return settings


def _number(values: Mapping[str, Any], key: str, default: Any, kind: type, *, minimum: float) -> Any:
    raw = values.get(key, default)
    try:
        value = kind(raw)
    except (TypeError, ValueError):
        raise LLMSettingsError(f"[llm] {key}: not a number: {raw!r}") from None
    if value < minimum:
        raise LLMSettingsError(f"[llm] {key}: must be at least {minimum}, not {raw!r}")
    return value


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"1", "true", "yes", "on"}:
        return True
    if text in {"0", "false", "no", "off"}:
        return False
    raise LLMSettingsError(f"[llm] cache: expected true/false or on/off, not {value!r}")
