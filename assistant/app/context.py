"""What the whole app shares: settings, the LLM (or None), the knowledge retriever, limits, a private temp folder.

Built once at start-up; each browser session keeps only its own state (draft, last review) in gradio State.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..config import Config
from ..importers import SUPPORTED_SUFFIXES
from ..llm import LLM

DEFAULT_UPLOAD_MB = 10
UPLOAD_SUFFIXES = tuple(sorted(SUPPORTED_SUFFIXES))


@dataclass
class AppContext:
    """Everything the handlers need besides the request: shared, read-only after start-up."""

    config: Config
    llm: LLM | None
    retriever: Any  # assistant.knowledge.retrieval.Retriever
    workdir: Path  # uploads and generated reports live below this folder, nowhere else
    max_upload_mb: int = DEFAULT_UPLOAD_MB
    llm_description: str = ""
    owned_workdir: bool = field(default=False, repr=False)

    @property
    def notebook(self) -> Any:
        return self.retriever.index.notebook

    @property
    def tools(self) -> dict[str, Any]:
        """The keyword arguments every assistant task takes."""
        return {"llm": self.llm, "retriever": self.retriever, "notebook": self.notebook, "config": self.config}

    def scratch(self, prefix: str) -> Path:
        """A fresh folder for one request's outputs, inside the work folder."""
        return Path(tempfile.mkdtemp(prefix=f"{prefix}-", dir=self.workdir))

    def close(self) -> None:
        if self.owned_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)


def new_workdir() -> Path:
    return Path(tempfile.mkdtemp(prefix="okr-review-app-"))
