"""What the assistant's tasks return: pydantic models shared by the LLM's structured output and the offline suggester.

The LLM is asked for exactly these shapes (see ``prompts/``); the offline suggester builds the same
objects, so reports, the CLI and the app never care which one produced them.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Obstacle = Literal["target", "resources", "collaboration", "other"]


class _Out(BaseModel):
    # Models tolerate extra keys from an LLM but keep only what is declared.
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


class RewriteCandidate(_Out):
    """One proposed rewrite of a key result."""

    text: str = Field(description="The rewritten key result, one sentence, in the input's language")
    metric: str = Field(description="What is measured")
    baseline: str = Field(description="Value at the start, or a placeholder such as 〔基线〕 / [baseline] when unknown")
    target: str = Field(description="Value to reach, or a placeholder such as 〔目标值〕 / [target] when unknown")
    unit: str = Field(default="", description="Unit of baseline and target; empty when none")
    deadline: str = Field(description="When, or a placeholder such as 〔截止日期〕 / [deadline] when unknown")
    rationale: str = Field(description="Why this rewrite fixes the findings, in one or two sentences")
    note_ids: list[str] = Field(default_factory=list, description="Ids of the knowledge notes relied on")
    assumptions: list[str] = Field(
        default_factory=list,
        description="Every number or fact not given in the input, stated as an assumption to confirm",
    )


class RewriteCandidates(_Out):
    """The LLM's answer to a rewrite request."""

    candidates: list[RewriteCandidate] = Field(description="2–3 candidates, best first")


class GuidingQuestion(_Out):
    """A question for a team discussing an objective or key result (co-creation)."""

    question: str = Field(description="The question, addressed to the team, in the input's language")
    dimension: str = Field(default="", description="The CLASSIC dimension key it probes, if any")
    why: str = Field(default="", description="What the question is meant to surface, in one sentence")
    note_ids: list[str] = Field(default_factory=list, description="Ids of the knowledge notes it draws on")


class GuidingQuestions(_Out):
    """3–6 guiding questions."""

    questions: list[GuidingQuestion]


class AchievedKR(_Out):
    """A key result that reached its target, and what made it happen."""

    kr: str = Field(description="Reference such as 'O1.KR2'")
    text: str
    score_percent: float | None = None
    actions: list[str] = Field(default_factory=list, description="The work that moved it, from the check-in notes")


class MissedKR(_Out):
    """A key result that fell short, with the kind of obstacle behind it."""

    kr: str = Field(description="Reference such as 'O1.KR2'")
    text: str
    score_percent: float | None = None
    obstacle: Obstacle = Field(description="target (set too high or wrong), resources, collaboration, or other")
    analysis: str = Field(default="", description="What got in the way, from the check-in notes")


class RetrospectiveDraft(_Out):
    """A cycle-end retrospective (复盘) draft for one OKR set."""

    set_key: str = Field(default="", description="The set reviewed")
    achieved: list[AchievedKR] = Field(default_factory=list)
    missed: list[MissedKR] = Field(default_factory=list)
    calibration: list[str] = Field(
        default_factory=list,
        description="Observations on the score distribution: 100% means too conservative, under 50% needs analysis",
    )
    next_cycle: list[str] = Field(default_factory=list, description="Proposals for the next cycle")
    note_ids: list[str] = Field(default_factory=list, description="Ids of the knowledge notes cited")


class DraftKR(_Out):
    """A key result in a draft under discussion."""

    text: str
    owner: str = ""


class DraftObjective(_Out):
    """An objective in a draft under discussion."""

    text: str
    owner: str = ""
    key_results: list[DraftKR] = Field(default_factory=list)


class DraftTurn(_Out):
    """One reply of the drafting conversation: what to say and the draft as it now stands."""

    reply: str = Field(description="The assistant's message to the user, in the user's language")
    objectives: list[DraftObjective] = Field(default_factory=list, description="The whole draft after this turn")
