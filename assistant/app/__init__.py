"""The web app (``okr-review app``): drafting chat, batch review, alignment map, retrospective, guidance search.

Gradio is imported only when the page is built, so the rest of the package never pays for it.
"""

from .context import AppContext
from .server import AppSettingsError, create_context, launch, parse_auth

__all__ = ["AppContext", "AppSettingsError", "create_context", "launch", "parse_auth"]
