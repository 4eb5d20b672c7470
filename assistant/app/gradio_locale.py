"""gradio's own words (upload area, footer, progress) in the page's language, not the browser's.

gradio's frontend picks its locale from the browser once and offers no server-side setting for it; its
``changeLocale`` (the function behind its own settings panel) is exported by its ``core`` module. The script
below finds that module among the page's loaded scripts (the same local URL, so the same module instance and
locale store) and calls it: at page load with the switch's language, and again on every switch.
Nothing is fetched from outside: the module is the app's own, already loaded from 127.0.0.1.
"""

from __future__ import annotations

import json
from functools import cache

from ..shipped import data_table


@cache
def locales() -> dict[str, str]:
    """App language → gradio locale (``[gradio-locale]`` of app.toml)."""
    return dict(data_table("app")["gradio-locale"])


SWITCH_SCRIPT = """
async (language) => {
  const locales = %(locales)s;
  const wanted = locales[language] || locales.zh;
  const url = performance.getEntriesByType("resource").map((entry) => entry.name)
    .find((name) => /\\/assets\\/core-[^/]*\\.js$/.test(name));
  if (!url) return [];
  const core = await import(url);
  if (typeof core.changeLocale === "function") core.changeLocale(wanted);
  document.documentElement.lang = wanted;
  return [];
}
"""

LOAD_SCRIPT = """
() => {
  const apply = %(switch)s;
  const chosen = () => document.querySelector("#language-switch input:checked")?.value;
  const start = (tries) => {
    const language = chosen();
    if (language) apply(language); else if (tries > 0) setTimeout(() => start(tries - 1), 100);
  };
  start(50);
}
"""


def switch_script() -> str:
    """The event script that sets gradio's locale from the language switch's value (it changes nothing else)."""
    return SWITCH_SCRIPT % {"locales": json.dumps(locales())}


def load_script() -> str:
    """The page-load script: gradio's locale from the switch as the page opens."""
    return LOAD_SCRIPT % {"switch": switch_script().strip()}
