"""The LLM layer: settings, versioned prompts, an OpenAI-compatible provider, cache and usage counts.

Offline mode is the absence of an LLM: ``LLM.from_settings`` returns ``None`` when no endpoint is
configured, and every task then falls back to the deterministic suggester.
"""

from .cache import ResponseCache
from .client import LLM
from .prompts import Prompt, PromptError, fence, list_prompts, load_prompt
from .provider import Answer, ChatModel, LLMError, OpenAICompatible
from .settings import LLMSettings, LLMSettingsError, llm_settings
from .usage import Usage

__all__ = [
    "LLM",
    "Answer",
    "ChatModel",
    "LLMError",
    "LLMSettings",
    "LLMSettingsError",
    "OpenAICompatible",
    "Prompt",
    "PromptError",
    "ResponseCache",
    "Usage",
    "fence",
    "list_prompts",
    "llm_settings",
    "load_prompt",
]
