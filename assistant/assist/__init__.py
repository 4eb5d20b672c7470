"""The assistant's tasks: rewrite key results, guiding questions, retrospective drafts, drafting chat.

Each task takes ``llm`` (``None`` for offline mode), a retriever and notebook for the guidance, and
a config; each returns an outcome that says which mode produced it and renders as text or JSON.
"""

from .drafting import DraftingSession
from .questions import QuestionsOutcome, guiding_questions
from .retrospective import RetrospectiveOutcome, draft_retrospective, read_checkins
from .rewrite import BatchOutcome, RewriteOutcome, rewrite_batch, rewrite_kr

__all__ = [
    "BatchOutcome",
    "DraftingSession",
    "QuestionsOutcome",
    "RetrospectiveOutcome",
    "RewriteOutcome",
    "draft_retrospective",
    "guiding_questions",
    "read_checkins",
    "rewrite_batch",
    "rewrite_kr",
]
