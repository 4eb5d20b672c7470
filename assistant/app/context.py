"""What the whole app shares: settings, the LLM (or None), the knowledge retriever, limits, a private temp folder.

Built once at start-up; each browser session keeps only its own state (draft, last review) in gradio State,
and its usage (files and bytes reviewed, report folders) in the session ledger.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TypedDict

from ..config import Config
from ..importers import SUPPORTED_SUFFIXES
from ..llm import LLM
from .jobs import stop_all
from .sessions import SessionLedger
from .settings import AppLimits, shipped_limits

if TYPE_CHECKING:  # for the annotations only: the knowledge package loads where the retriever is opened
    from ..knowledge.notes import NoteBook
    from ..knowledge.retrieval import Retriever

DEFAULT_UPLOAD_MB = shipped_limits().upload_mb
UPLOAD_SUFFIXES = tuple(sorted(SUPPORTED_SUFFIXES))
UPLOADS = "uploads"  # gradio's temp folder (GRADIO_TEMP_DIR): uploads and the copies of files it serves
REPORTS = "reports"  # the reports the app writes: the only folder in launch(allowed_paths=…)


class AssistTools(TypedDict):
    """The keyword arguments every assistant task takes (drafting, rewrite, questions, retrospective)."""

    llm: LLM | None
    retriever: Retriever
    notebook: NoteBook
    config: Config


@dataclass
class AppContext:
    """Everything the handlers need besides the request: shared, read-only after start-up."""

    config: Config
    llm: LLM | None
    retriever: Retriever
    workdir: Path  # uploads and generated reports live below this folder, nowhere else
    max_upload_mb: int = DEFAULT_UPLOAD_MB
    llm_description: str = ""
    owned_workdir: bool = field(default=False, repr=False)
    limits: AppLimits = field(default_factory=shipped_limits)
    ledger: SessionLedger = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.ledger = SessionLedger(self.limits)

    @property
    def uploads_dir(self) -> Path:
        return self.workdir / UPLOADS

    @property
    def reports_dir(self) -> Path:
        return self.workdir / REPORTS

    @property
    def notebook(self) -> NoteBook:
        """The knowledge notes behind the retriever: the "why" of each finding."""
        return self.retriever.index.notebook

    @property
    def tools(self) -> AssistTools:
        """The keyword arguments every assistant task takes."""
        return AssistTools(llm=self.llm, retriever=self.retriever, notebook=self.notebook, config=self.config)

    def scratch(self, prefix: str) -> Path:
        """A fresh folder for one request's outputs, in the reports folder (never among the uploads)."""
        self.reports_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix=f"{prefix}-", dir=self.reports_dir))

    def close(self) -> None:
        """Stop running reviews, free every session, and remove the work folder if the app made it."""
        stop_all()
        self.ledger.forget_all()
        if self.owned_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)


def new_workdir() -> Path:
    """A private folder (0700) for uploads and reports, removed when the app stops."""
    return Path(tempfile.mkdtemp(prefix="okr-review-app-"))
