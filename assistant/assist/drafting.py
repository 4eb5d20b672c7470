"""The drafting conversation behind the web chat: from a rough idea to one objective and 3–4 measurable KRs.

A :class:`DraftingSession` holds the turns, the draft (objectives, each with its key results: the
objective first, then its KRs) and the rule engine's findings on that draft, re-run after every turn.

With an LLM the intent reader still reads every line first. Commands (delete / move / swap a KR,
undo, show the draft, cycle, team, owner, deadline, confidence, a rewrite of KRn, guiding questions,
"what is wrong") are carried out by the rules exactly as offline (a rewrite or questions request
then asks the LLM for the candidates or questions); only the other lines (context, objective and KR
wording, method questions, greetings, and lines the reader cannot place) go to the LLM, in two
calls. The reply is streamed with ``prompts/drafting-chat`` (a coach
that settles the objective before the KRs, asks one thing at a time and keeps KRs measurable; the
draft, the findings, note passages retrieved for the message and the message itself are data
blocks, earlier turns are the history). Then ``prompts/draft-extract`` turns the previous draft, the
message and the reply into the new draft, which is validated; when that fails the previous draft
stays and the error is recorded. A line the reader cannot place never becomes a key result through
the extraction either: a KR drawn from it is taken out again and the reply says so.

Without an LLM the coach is deterministic: each line of a message is read by
:mod:`assistant.assist.intents` (patterns per language in ``assistant/data/intents.toml``): context
statements, set / add an objective, add / replace / delete / move a KR by number, undo, cycle, team,
owner, deadline, confidence, "what is wrong", a rewrite of KRn, guiding questions, a method question
(answered from the notes), greetings. A line it cannot place is answered with what the coach can do,
never turned into a KR. Each reply says what changed, the findings on it (with a rewrite template
for a KR that is not measurable or reads as an activity) and the one or two most useful next steps;
its words are in ``assistant/data/drafting.toml``.

Ownership while drafting: owners are usually settled after the wording, in the handshake meeting, so
the findings for a missing owner (OWN001, OWN002) are left out of the session's findings; those for
several or collective owners (OWN003, OWN004) stay, since they are about owners the user did write.
``okr_set()`` gives the full set for reports, where every check runs.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from difflib import SequenceMatcher
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..analysis.quantities import find_quantities
from ..analysis.timebounds import find_timebound
from ..config import Config
from ..engine import check
from ..findings import Dimension, Finding, Severity
from ..llm import LLM, LLMError
from ..model import KeyResult, Objective, OKRSet
from ..rules.catalogue import tagged
from ..texts import LANGUAGES, Words, words
from .intents import Intent, classify, rule_commands, wish_in
from .offline import template_rewrites
from .passages import NotePassage, merge_passages, passages_from_notes, passages_from_retriever, render_passages
from .prompting import LeakGuard, render_findings, system_texts
from .questions import guiding_questions
from .rewrite import rewrite_kr
from .schemas import DraftKR, DraftObjective
from .wording import unique

if TYPE_CHECKING:
    from ..knowledge import NoteBook
    from ..knowledge.retrieval import Retriever

__all__ = [
    "HIDDEN_WHILE_DRAFTING",
    "DraftingSession",
    "ExtractedDraft",
    "Routing",
    "Turn",
    "apply_message",
    "clean_draft",
    "drawn_from",
    "keep_unplaced_out",
    "render_draft",
    "route_message",
]

HIDDEN_WHILE_DRAFTING = tagged("hidden-while-drafting")  # no owner yet: normal while drafting
MAX_OBJECTIVES = 10  # sanity limits on a draft (the five-four principle itself is the engine's job)
MAX_KEY_RESULTS = 10
MAX_TEXT = 500
HISTORY_MESSAGES = 16  # earlier messages sent back to the LLM
MESSAGE_PASSAGES = 3  # passages the retriever finds for a message
PASSAGE_LIMIT = 5
LISTED_FINDINGS = 8  # findings an offline reply lists before "and N more"
SUGGEST_DIMENSIONS = frozenset({Dimension.measurable, Dimension.outcome})
SUGGEST_SEVERITIES = frozenset({Severity.error, Severity.warning})
WANTED_KRS = 3
GUIDANCE_CHARS = 400  # how much of a note passage a guidance answer quotes
UNPLACED_LIKENESS = 0.6  # how alike an extracted KR and an unplaced line must be to count as drawn from it


class ExtractedDraft(BaseModel):
    """The answer of the ``draft-extract`` call: the whole draft after the turn."""

    model_config = ConfigDict(extra="ignore")

    objectives: list[DraftObjective] = Field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Turn:
    """One message of the conversation; ``mode`` tells who wrote an assistant turn: llm, offline, or
    rules (an LLM session's turn of commands only, which the rules carry out)."""

    role: str  # "user" or "assistant"
    text: str
    mode: str = ""

    def to_dict(self) -> dict[str, str]:
        return {"role": self.role, "text": self.text, "mode": self.mode}


# ---------------------------------------------------------------- draft helpers


def clean_draft(objectives: Iterable[DraftObjective | Mapping[str, Any]]) -> list[DraftObjective]:
    """A draft with texts stripped and blank KRs dropped; ValueError (saying which item) for an unusable one."""
    out: list[DraftObjective] = []
    for number, raw in enumerate(objectives, start=1):
        try:
            objective = raw if isinstance(raw, DraftObjective) else DraftObjective.model_validate(raw)
        except ValidationError as exc:
            raise ValueError(f"objective {number}: {exc.errors()[0]['msg']}") from None
        krs = [DraftKR(text=kr.text.strip(), owner=kr.owner.strip()) for kr in objective.key_results if kr.text.strip()]
        text = objective.text.strip()
        if not text:
            if krs:
                raise ValueError(f"objective {number} has key results but no text")
            continue
        if len(krs) > MAX_KEY_RESULTS:
            raise ValueError(f"objective {number} has {len(krs)} key results; at most {MAX_KEY_RESULTS}")
        for item in (text, *(kr.text for kr in krs)):
            if len(item) > MAX_TEXT:
                raise ValueError(f"objective {number}: a text is longer than {MAX_TEXT} characters")
        out.append(DraftObjective(text=text, owner=objective.owner.strip(), key_results=krs))
    if len(out) > MAX_OBJECTIVES:
        raise ValueError(f"the draft has {len(out)} objectives; at most {MAX_OBJECTIVES}")
    return out


def render_draft(objectives: Sequence[DraftObjective], language: str) -> str:
    """The draft as indented lines (``O1：…`` then ``  KR1：…``), or a line saying it is empty."""
    t = _words()
    if not objectives:
        return t.get(language, "empty_draft")
    colon, owner_word = t.get(language, "colon"), t.get(language, "owner_word")
    lines: list[str] = []
    for o_number, objective in enumerate(objectives, start=1):
        owner = f"（{owner_word}{colon}{objective.owner}）" if objective.owner else ""
        lines.append(f"O{o_number}{colon}{objective.text}{owner}")
        for k_number, kr in enumerate(objective.key_results, start=1):
            owner = f"（{owner_word}{colon}{kr.owner}）" if kr.owner else ""
            lines.append(f"  KR{k_number}{colon}{kr.text}{owner}")
    return "\n".join(lines)


def _draft_json(objectives: Sequence[DraftObjective]) -> str:
    return json.dumps({"objectives": [o.model_dump() for o in objectives]}, ensure_ascii=False)


def _copy(objectives: Sequence[DraftObjective]) -> list[DraftObjective]:
    return [o.model_copy(deep=True) for o in objectives]


# ---------------------------------------------------------------- offline parsing

_KR_LABEL = re.compile(
    r"^\s*(?:O\s*(?P<o>\d+)\s*[.．\-]?\s*)?(?:KR|关键结果)\s*(?P<n>\d+)?\s*(?:改为|改成|换成|change\s+to\b|to\b)?\s*[:：.、)）]?\s*",
    re.IGNORECASE,
)
_LIST_MARK = re.compile(r"^\s*(?:\d{1,2}\s*[.、)）](?!\d)|[(（]\d{1,2}[)）]|[-*•·])\s*")
_ITEM_SPLIT = re.compile(r"[；;]\s*")
DRAFT_EDITS = frozenset(
    {"set_objective", "add_objective", "add_kr", "replace_kr", "delete_kr", "move_kr", "swap_kr", "set_owner"}
)


@dataclass(slots=True)
class _Change:
    """What one offline turn did to the draft, and what it asked for besides, for the reply."""

    objective_set: str = ""  # the first objective
    objective_replaced: list[int] = field(default_factory=list)  # objective numbers (1-based)
    objective_added: list[int] = field(default_factory=list)
    krs_added: list[tuple[int, int]] = field(default_factory=list)  # (objective, KR) numbers
    krs_replaced: list[tuple[int, int]] = field(default_factory=list)
    notes: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # other edits: (text key, fields)
    requests: list[tuple[Intent, str]] = field(default_factory=list)  # what is not an edit, with its line
    ignored: list[str] = field(default_factory=list)  # lines not put into the draft

    @property
    def touched_krs(self) -> list[tuple[int, int]]:
        return [*self.krs_replaced, *self.krs_added]

    @property
    def empty(self) -> bool:
        return not (
            self.objective_set
            or self.objective_replaced
            or self.objective_added
            or self.krs_added
            or self.krs_replaced
            or self.notes
        )


def _strip_kr(line: str) -> tuple[int | None, int | None, str]:
    """The objective and KR numbers a line names (``O1.KR2: …``, ``KR2: …``), if any, and its bare text."""
    match = _KR_LABEL.match(line)
    if match:
        rest = line[match.end() :].strip()
        if rest:
            return (int(match["o"]) if match["o"] else None), (int(match["n"]) if match["n"] else None), rest
    return None, None, _LIST_MARK.sub("", line, count=1).strip()


def _lines(message: str, language: str, has_objective: bool) -> Iterator[tuple[Intent, str]]:
    """Each line's intent; a key-result line holding several items ("a；b") yields one per item."""
    for line in (part.strip() for part in message.splitlines() if part.strip()):
        intent = classify(line, language, has_objective=has_objective)
        if intent.name in ("add_kr", "replace_kr") and _ITEM_SPLIT.search(intent.text or line):
            first, *rest = [item.strip() for item in _ITEM_SPLIT.split(intent.text or line) if item.strip()]
            yield replace(intent, text=first), line
            for item in rest:
                yield replace(classify(item, language, has_objective=True), text=""), item
        else:
            yield intent, line
        has_objective = has_objective or intent.name in ("set_objective", "add_objective")


def _kr_index(number: int | None, count: int) -> int | None:
    """A 0-based index for a 1-based KR number (-1: the last one); None when out of range."""
    if number is None:
        return None
    index = count - 1 if number == -1 else number - 1
    return index if 0 <= index < count else None


def apply_message(draft: list[DraftObjective], message: str, language: str = "zh") -> _Change:
    """Change ``draft`` in place the way the offline coach reads ``message``; say what changed.

    Each line is read by :func:`~assistant.assist.intents.classify`; edits of objectives and KRs
    are applied here, everything else (cycle, undo, rewrite requests …) is left in ``requests``.
    """
    change = _Change()
    current = len(draft)  # the objective new KRs go under: the last one
    for intent, line in _lines(message, language, bool(draft)):
        if intent.name not in DRAFT_EDITS:
            change.requests.append((intent, line))
            change.ignored.append(line)
            continue
        if intent.name in ("set_objective", "add_objective"):
            text = intent.text or line
            number = intent.n
            if not draft:
                draft.append(DraftObjective(text=text))
                change.objective_set, current = text, 1
            elif intent.name == "add_objective" or (number is not None and number > len(draft)):
                draft.append(DraftObjective(text=text))
                current = len(draft)
                change.objective_added.append(current)
            else:
                current = number or current
                draft[current - 1] = draft[current - 1].model_copy(update={"text": text})
                change.objective_replaced.append(current)
            continue
        if not draft:
            change.requests.append((Intent("no_objective"), line))
            change.ignored.append(line)
            continue
        if intent.o is not None and 1 <= intent.o <= len(draft):
            current = intent.o
        objective = draft[current - 1]
        krs = list(objective.key_results)
        if intent.name in ("add_kr", "replace_kr"):
            o_number, label_number, text = _strip_kr(intent.text or line)
            if not text:
                continue
            if o_number is not None and 1 <= o_number <= len(draft) and o_number != current:
                current, objective = o_number, draft[o_number - 1]
                krs = list(objective.key_results)
            number = intent.n if intent.name == "replace_kr" else label_number
            index = _kr_index(number, len(krs))
            if index is not None:
                krs[index] = krs[index].model_copy(update={"text": text})
                change.krs_replaced.append((current, index + 1))
            else:
                krs.append(DraftKR(text=text))
                change.krs_added.append((current, len(krs)))
        elif intent.name == "set_owner":
            index = _kr_index(intent.n, len(krs))
            if intent.n is None:
                draft[current - 1] = objective.model_copy(update={"owner": intent.value})
                change.notes.append(("owner_set", {"ref": f"O{current}", "owner": intent.value}))
                continue
            if index is None:
                change.notes.append(("no_such_kr", {"o": current, "n": intent.n, "count": len(krs)}))
                continue
            krs[index] = krs[index].model_copy(update={"owner": intent.value})
            change.notes.append(("owner_set", {"ref": f"O{current}.KR{index + 1}", "owner": intent.value}))
        else:  # delete, move, swap
            index = _kr_index(intent.n, len(krs))
            if index is None:
                change.notes.append(("no_such_kr", {"o": current, "n": intent.n, "count": len(krs)}))
                continue
            if intent.name == "delete_kr":
                removed = krs.pop(index)
                change.notes.append(("kr_deleted", {"o": current, "n": index + 1, "text": removed.text}))
            else:
                other = _kr_index(intent.to, len(krs))
                if other is None:
                    change.notes.append(("no_such_kr", {"o": current, "n": intent.to, "count": len(krs)}))
                    continue
                if intent.name == "swap_kr":
                    krs[index], krs[other] = krs[other], krs[index]
                    change.notes.append(("krs_swapped", {"n": index + 1, "to": other + 1}))
                else:
                    krs.insert(other, krs.pop(index))
                    change.notes.append(("kr_moved", {"n": index + 1, "to": other + 1}))
        draft[current - 1] = objective.model_copy(update={"key_results": krs})
    return change


@dataclass(frozen=True, slots=True)
class Routing:
    """How an LLM session splits a message: lines the rules carry out, lines for the LLM, and of
    those, the context statements and the lines the intent reader could not place."""

    commands: tuple[str, ...] = ()
    free: tuple[str, ...] = ()
    contexts: tuple[str, ...] = ()
    unplaced: tuple[str, ...] = ()


def route_message(message: str, language: str, *, has_objective: bool) -> Routing:
    """Split ``message`` line by line: the intents of :func:`rule_commands` go to the rules, the rest to the LLM."""
    commands: list[str] = []
    free: list[str] = []
    contexts: list[str] = []
    unplaced: list[str] = []
    for line in (part.strip() for part in message.splitlines() if part.strip()):
        intent = classify(line, language, has_objective=has_objective)
        if intent.name in rule_commands():
            commands.append(line)
            continue
        free.append(line)
        if intent.name == "context":
            contexts.append(line)
        elif intent.name == "unknown":
            unplaced.append(line)
        has_objective = has_objective or intent.name in ("set_objective", "add_objective")
    return Routing(tuple(commands), tuple(free), tuple(contexts), tuple(unplaced))


def _plain(text: str) -> str:
    """Letters, digits and Han characters only, lower case: for comparing wordings."""
    return "".join(ch for ch in text.lower() if ch.isalnum())


def drawn_from(kr_text: str, line: str) -> bool:
    """Whether a KR's wording is taken from ``line``: one holds the other, or they are mostly the same."""
    kr, said = _plain(kr_text), _plain(line)
    if not kr or not said:
        return False
    if kr in said or said in kr:
        return True
    return SequenceMatcher(None, kr, said).ratio() >= UNPLACED_LIKENESS


def keep_unplaced_out(
    previous: Sequence[DraftObjective],
    extracted: Sequence[DraftObjective],
    unplaced: Sequence[str],
    *,
    all_unplaced: bool,
) -> tuple[list[DraftObjective], list[str]]:
    """The extracted draft without KRs drawn from lines no one could place, and the lines kept out.

    Such a KR is dropped where it was added, and the earlier wording comes back where it replaced one.
    When every line of the turn was unplaced, no KR may change at all: the previous draft stays.
    """
    known = {kr.text for objective in previous for kr in objective.key_results}
    added = [kr.text for objective in extracted for kr in objective.key_results if kr.text not in known]
    if not added or not unplaced:
        return list(extracted), []
    if all_unplaced:
        return _copy(previous), list(unplaced)
    kept_out = [line for line in unplaced if any(drawn_from(text, line) for text in added)]
    if not kept_out:
        return list(extracted), []
    drop = {text for text in added if any(drawn_from(text, line) for line in kept_out)}
    cleaned: list[DraftObjective] = []
    for number, objective in enumerate(extracted):
        before = previous[number].key_results if number < len(previous) else []
        replaced = len(before) == len(objective.key_results)  # same count: a KR reworded, not one added
        krs = [
            (before[index] if replaced else None) if kr.text in drop else kr
            for index, kr in enumerate(objective.key_results)
        ]
        cleaned.append(objective.model_copy(update={"key_results": [kr for kr in krs if kr is not None]}))
    return cleaned, kept_out


# ---------------------------------------------------------------- the session


class DraftingSession:
    """One drafting conversation: its turns, the draft (先 O 后 KR) and the findings on it."""

    def __init__(
        self,
        language: str = "zh",
        llm: LLM | None = None,
        retriever: Retriever | None = None,
        notebook: NoteBook | None = None,
        config: Config | None = None,
        team: str = "我的团队",
        cycle: str | None = None,
    ) -> None:
        if language not in LANGUAGES:
            raise ValueError(f"language must be zh or en, not {language!r}")
        if not team or not team.strip():
            raise ValueError("team must not be empty")
        self.language = language
        self.llm = llm
        self.retriever = retriever
        self.notebook = notebook if notebook is not None or retriever is None else retriever.index.notebook
        self.config = (config or Config()).with_options(language=language)
        self.team = team.strip()
        self.cycle = cycle
        self.history: list[Turn] = []
        self.draft: list[DraftObjective] = []
        self.findings: list[Finding] = []
        self.errors: list[str] = []  # every turn's recorded problem, oldest first
        self.last_error: str | None = None  # the problem of the latest turn, if any
        self.last_passages: list[NotePassage] = []
        self.context: list[str] = []  # what the user said about the team and its situation
        self.deadline: str | None = None
        self.confidence: dict[str, str] = {}  # ref ("O1", "O1.KR2") → the confidence the user gave
        self.pending_objective = ""  # an objective offered from a context statement, set on "yes"
        self._undo: list[_Snapshot] = []

    @property
    def mode(self) -> str:
        return "llm" if self.llm is not None else "offline"

    # ------------------------------------------------------------ public API

    def send(self, message: str) -> Iterator[str]:
        """The reply to ``message``, streamed; the draft and findings are updated when the stream ends.

        Online the pieces arrive as the LLM writes them; offline the whole reply is one piece.
        Consume the iterator to the end: the turn is recorded then. An empty message raises ValueError.
        """
        if not isinstance(message, str) or not message.strip():
            raise ValueError("the message is empty")
        message = message.strip()
        if self.llm is None:
            return self._offline_turn(message)
        return self._llm_turn(message, self.llm)

    def set_draft(self, objectives: Iterable[DraftObjective | Mapping[str, Any]]) -> None:
        """Replace the draft (the app's editable table writes back) and re-run the checks; ValueError if unusable."""
        self.draft = clean_draft(objectives)
        self.recheck()

    def okr_set(self) -> OKRSet:
        """The draft as a model set (ids O1…, KR1…), for the engine and the reports."""
        objectives = [
            Objective(
                id=f"O{o_number}",
                text=objective.text,
                owner=objective.owner or None,
                key_results=[
                    KeyResult(id=f"KR{k_number}", text=kr.text, owner=kr.owner or None)
                    for k_number, kr in enumerate(objective.key_results, start=1)
                ],
            )
            for o_number, objective in enumerate(self.draft, start=1)
        ]
        return OKRSet(team=self.team, cycle=self.cycle, objectives=objectives)

    def recheck(self) -> list[Finding]:
        """Run the engine on the draft; missing-owner findings are left out while drafting."""
        if not self.draft:
            self.findings = []
        else:
            self.findings = [f for f in check([self.okr_set()], self.config) if f.code not in HIDDEN_WHILE_DRAFTING]
        return self.findings

    def carry_over(self, other: DraftingSession) -> None:
        """Take ``other``'s conversation and state (a language switch starts a new session on the same draft)."""
        self.history = list(other.history)
        self.team, self.cycle, self.deadline = other.team, other.cycle, other.deadline
        self.context, self.confidence = list(other.context), dict(other.confidence)
        self.pending_objective = other.pending_objective
        self._undo = list(other._undo)
        self.set_draft(other.draft)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the draft, the findings, the turns and the recorded errors."""
        return {
            "language": self.language,
            "team": self.team,
            "cycle": self.cycle,
            "deadline": self.deadline,
            "context": list(self.context),
            "confidence": dict(self.confidence),
            "mode": self.mode,
            "draft": [o.model_dump() for o in self.draft],
            "draft_text": render_draft(self.draft, self.language),
            "findings": [f.to_dict() for f in self.findings],
            "history": [t.to_dict() for t in self.history],
            "errors": list(self.errors),
            "last_error": self.last_error,
        }

    # ------------------------------------------------------------ turns

    def _record(self, message: str, reply: str, mode: str, error: str | None) -> None:
        self.history.extend([Turn("user", message), Turn("assistant", reply, mode)])
        self.last_error = error
        if error:
            self.errors.append(error)

    def _offline_turn(self, message: str, *, failure: str | None = None, mode: str = "offline") -> Iterator[str]:
        reply, problem = self._offline_reply(message, failure=failure)
        self._record(message, reply, mode, failure or problem)
        yield reply

    def _llm_turn(self, message: str, llm: LLM) -> Iterator[str]:
        """A turn with an LLM: the rules carry out the commands, the LLM answers and extracts the rest.

        A message of commands only is answered by the rules (mode "rules"); otherwise their reply
        comes first and the LLM's follows, as one turn (one undo step).
        """
        routing = route_message(message, self.language, has_objective=bool(self.draft))
        if not routing.free:
            yield from self._offline_turn(message, mode="rules")
            return
        before, depth = self._snapshot(), len(self._undo)
        prefix, problem = self._offline_reply("\n".join(routing.commands)) if routing.commands else ("", None)
        if prefix:
            prefix += "\n\n"
            yield prefix
        yield from self._online_turn(message, llm, routing, prefix=prefix, problem=problem)
        if self._snapshot() != before and len(self._undo) == depth:
            self._undo.append(before)  # the LLM's edit is one undo step, like an offline one

    def _online_turn(
        self, message: str, llm: LLM, routing: Routing, *, prefix: str = "", problem: str | None = None
    ) -> Iterator[str]:
        t = _words().table(self.language)
        said = "\n".join(routing.free)
        history = [(turn.role, turn.text) for turn in self.history][-HISTORY_MESSAGES:]
        previous_reply = next((turn.text for turn in reversed(self.history) if turn.role == "assistant"), "")
        passages = self._passages(said)
        self.last_passages = passages
        data = {
            "draft": render_draft(self.draft, self.language),
            "findings": render_findings(self.findings, self.language),
            "notes": render_passages(passages),
            "message": said,
        }
        pieces: list[str] = []
        try:
            for piece in llm.stream(llm.prompt("drafting-chat"), self.language, data=data, history=history):
                pieces.append(piece)
                yield piece
        except LLMError as exc:
            if not pieces:  # nothing said yet: this turn is answered by the rules and templates
                failure = t["chat_failed"].format(error=exc)
                reply, offline_problem = self._offline_reply(said, failure=failure)
                self._record(message, prefix + reply, "offline", failure or offline_problem)
                yield reply
                return
            note = "\n\n" + t["interrupted"].format(error=exc)
            yield note
            self._record(message, prefix + "".join(pieces) + note, "llm", t["interrupted"].format(error=exc))
            return
        reply = "".join(pieces)
        self.context.extend(routing.contexts)  # what the user said about the team, for later rewrites
        error, kept_out = self._extract(llm, said, reply, previous_reply, routing)
        self.recheck()
        if kept_out:
            note = "\n\n" + t["unplaced_kept_out"].format(lines=" ".join(f"“{line}”" for line in kept_out))
            reply += note
            yield note
        self._record(message, prefix + reply, "llm", error or problem)

    def _extract(
        self, llm: LLM, message: str, reply: str, previous_reply: str, routing: Routing
    ) -> tuple[str | None, list[str]]:
        """Update the draft from the turn with the structured call: the error (draft kept) when it fails,
        and the unplaced lines whose KRs were kept out of the draft."""
        t = _words().table(self.language)
        prompt = llm.prompt("draft-extract")
        data = {
            "previous_draft": _draft_json(self.draft),
            "previous_reply": previous_reply or "-",
            "message": message,
            "reply": reply,
        }
        try:
            answer = llm.ask(prompt, self.language, ExtractedDraft, data=data)
            objectives = clean_draft(answer.objectives)
        except (LLMError, ValueError) as exc:
            return t["extract_failed"].format(error=exc), []
        if not objectives and self.draft:
            return t["extract_failed"].format(error=t["emptied"]), []
        guard = LeakGuard.of(system_texts(prompt, data=data, params={}), [message, previous_reply, reply])
        texts = [text for o in objectives for text in (o.text, *(kr.text for kr in o.key_results))]
        if guard.find(texts):
            return t["extract_failed"].format(error=t["leak"]), []
        all_unplaced = len(routing.unplaced) == len(routing.free)
        self.draft, kept_out = keep_unplaced_out(self.draft, objectives, routing.unplaced, all_unplaced=all_unplaced)
        return None, kept_out

    def _passages(self, message: str) -> list[NotePassage]:
        found = (
            passages_from_retriever(self.retriever, message, language=self.language, k=MESSAGE_PASSAGES)
            if self.retriever is not None
            else []
        )
        cited = passages_from_notes(self.notebook, (f.note for f in self.findings), language=self.language, per_note=1)
        return merge_passages(found, cited, limit=PASSAGE_LIMIT)

    # ------------------------------------------------------------ the offline coach

    def _snapshot(self) -> _Snapshot:
        return _Snapshot(
            _copy(self.draft), self.team, self.cycle, self.deadline, dict(self.confidence), self.pending_objective
        )

    def _restore(self, snapshot: _Snapshot) -> None:
        self.draft, self.team, self.cycle = _copy(snapshot.draft), snapshot.team, snapshot.cycle
        self.deadline, self.confidence = snapshot.deadline, dict(snapshot.confidence)
        self.pending_objective = snapshot.pending_objective

    def _offline_reply(self, message: str, *, failure: str | None = None) -> tuple[str, str | None]:
        """The deterministic coach's reply, and the problem when the message could not be applied.

        The reply says what changed, answers what was asked (a rewrite, questions, a review …) and
        ends with the one or two most useful next steps; ``/draft`` or "看看草稿" shows the whole draft.
        """
        t = _words()
        lang = self.language
        before = self._snapshot()
        draft = _copy(self.draft)
        change = apply_message(draft, message, lang)
        problem = None
        try:
            self.draft = clean_draft(draft)
        except ValueError as exc:  # e.g. too many KRs: the draft stays as it was
            change, problem = _Change(requests=change.requests), t.get(lang, "not_applied", error=exc)
        parts: list[str] = []
        if failure:
            parts.append(failure)
        elif self.llm is None and not any(turn.role == "assistant" for turn in self.history):
            parts.append(t.get(lang, "intro"))  # says the LLM is off
        if problem:
            parts.append(problem)
        answers = [self._answer(intent, line, change) for intent, line in change.requests]
        acknowledged = self._acknowledge(change)
        if not change.empty:
            self._undo.append(before)
        elif self._snapshot() != before and not any(i.name == "undo" for i, _ in change.requests):
            self._undo.append(before)  # only session fields changed (cycle, owner …): undoable too
        self.recheck()
        parts.append(acknowledged)
        parts.extend(a for a in answers if a)
        if not change.empty:
            parts.append(self._touched_findings(change))
            parts.append(self._suggestions(change.touched_krs))
        parts.append(self._next_steps(change))
        return "\n\n".join(p for p in parts if p), problem

    def _acknowledge(self, change: _Change) -> str:
        t, lang = _words(), self.language
        lines: list[str] = []
        if change.objective_set:
            lines.append(t.get(lang, "objective_set", text=change.objective_set))
            self.pending_objective = ""
        for number in change.objective_replaced:
            lines.append(t.get(lang, "objective_replaced", n=number, text=self._objective_text(number)))
        for number in change.objective_added:
            lines.append(t.get(lang, "objective_added", n=number, text=self._objective_text(number)))
        added = unique(f"O{o}.KR{k}" for o, k in change.krs_added)
        if added:
            lines.append(t.get(lang, "krs_added", count=len(added), refs=", ".join(added)))
        replaced = unique(f"O{o}.KR{k}" for o, k in change.krs_replaced)
        if replaced:
            lines.append(t.get(lang, "krs_replaced", refs=", ".join(replaced)))
        lines.extend(t.get(lang, key, **values) for key, values in change.notes)
        return "\n".join(lines)

    def _objective_text(self, number: int) -> str:
        return self.draft[number - 1].text if 0 < number <= len(self.draft) else ""

    def _answer(self, intent: Intent, line: str, change: _Change) -> str:
        """The reply to one request that is not an edit of the draft's objectives and KRs."""
        t, lang = _words(), self.language
        name = intent.name
        if name == "greet":
            return t.get(lang, "greet")
        if name == "thanks":
            return t.get(lang, "thanks")
        if name == "no_objective":
            return t.get(lang, "no_objective_yet")
        if name == "undo":
            if not self._undo:
                return t.get(lang, "nothing_to_undo")
            self._restore(self._undo.pop())
            return t.get(lang, "undone", what=t.get(lang, "undone_what"))
        if name == "confirm":
            if self.pending_objective and not self.draft:
                self.draft = [DraftObjective(text=self.pending_objective)]
                text, self.pending_objective = self.pending_objective, ""
                change.objective_set = ""
                change.notes.append(("confirm_objective", {"text": text}))
                return ""
            return t.get(lang, "confirm_nothing")
        if name == "show_draft":
            return t.get(lang, "draft") + "\n" + render_draft(self.draft, lang)
        if name == "set_cycle":
            self.cycle = _compact(intent.value)
            return t.get(lang, "cycle_set", cycle=self.cycle)
        if name == "set_team":
            self.team = intent.value.strip()
            return t.get(lang, "team_set", team=self.team)
        if name == "set_confidence":
            ref = self._ref(intent.n)
            self.confidence[ref] = intent.value.strip()
            return t.get(lang, "confidence_set", ref=ref, value=intent.value.strip())
        if name == "set_deadline":
            return self._set_deadline(intent)
        if name == "context":
            return self._note_context(line)
        if name == "rewrite":
            return self._rewrite(intent.n)
        if name == "questions":
            return self._questions(intent.n)
        if name == "review":
            return self._findings_block()
        if name == "guidance":
            return self._guidance(line)
        return t.get(lang, "unknown") + "\n" + "\n".join(f"- {item}" for item in t.items(lang, "unknown_help"))

    def _ref(self, number: int | None) -> str:
        o_number = max(len(self.draft), 1)
        if number is None:
            return f"O{o_number}"
        count = len(self.draft[-1].key_results) if self.draft else 0
        index = _kr_index(number, count)
        return f"O{o_number}.KR{index + 1 if index is not None else number}"

    def _set_deadline(self, intent: Intent) -> str:
        t, lang = _words(), self.language
        value = intent.value.strip().removesuffix("之前").removesuffix("前").strip()
        if intent.n is None or not self.draft:
            self.deadline = value
            return t.get(lang, "deadline_set", deadline=value)
        krs = list(self.draft[-1].key_results)
        index = _kr_index(intent.n, len(krs))
        o_number = len(self.draft)
        if index is None:
            return t.get(lang, "no_such_kr", o=o_number, n=intent.n, count=len(krs))
        ref = f"O{o_number}.KR{index + 1}"
        bound = find_timebound(krs[index].text)
        if bound is not None:
            return t.get(lang, "deadline_kr_had", ref=ref, bound=bound.text, deadline=value, n=index + 1)
        text = krs[index].text.rstrip("。. ") + t.get(lang, "deadline_phrase", deadline=value)
        krs[index] = krs[index].model_copy(update={"text": text})
        self.draft[-1] = self.draft[-1].model_copy(update={"key_results": krs})
        return t.get(lang, "deadline_kr", ref=ref, text=text)

    def _note_context(self, line: str) -> str:
        t, lang = _words(), self.language
        self.context.append(line)
        lines = [t.get(lang, "context_noted")]
        facts = [q.text for q in find_quantities(line)]
        bound = find_timebound(line)
        if bound is not None:
            facts.append(bound.text)
        if facts:
            lines.append(t.get(lang, "context_figures", facts=", ".join(unique(facts))))
        if not self.draft:
            wish = wish_in(line, lang)
            wish = wish[:1].upper() + wish[1:] if wish.isascii() else wish
            if wish:
                self.pending_objective = wish
                lines.append(t.get(lang, "context_wish", wish=wish))
            else:
                lines.append(t.get(lang, "context_ask_objective"))
        return "\n".join(lines)

    def context_text(self) -> str:
        """What the user said about the situation, and the deadline, as one block for rewrites."""
        parts = list(self.context)
        if self.deadline:
            parts.append(self.deadline)
        return " / ".join(parts)

    def _target_kr(self, number: int | None) -> tuple[int, int] | None:
        """The (objective, KR) numbers a request means: the KR named, else the first flagged one, else the last."""
        if not self.draft:
            return None
        o_number = len(self.draft)
        count = len(self.draft[-1].key_results)
        if number is not None:
            index = _kr_index(number, count)
            return (o_number, index + 1) if index is not None else None
        for finding in self.findings:
            if finding.key_result and finding.dimension in SUGGEST_DIMENSIONS:
                head, _, tail = finding.key_result.partition(".KR")
                return int(head.removeprefix("O")), int(tail)
        return (o_number, count) if count else None

    def _rewrite(self, number: int | None) -> str:
        t, lang = _words(), self.language
        target = self._target_kr(number)
        if target is None:
            if number is not None and self.draft:
                count = len(self.draft[-1].key_results)
                return t.get(lang, "no_such_kr", o=len(self.draft), n=number, count=count)
            return t.get(lang, "rewrite_which")
        o_number, k_number = target
        objective = self.draft[o_number - 1]
        kr = objective.key_results[k_number - 1]
        outcome = rewrite_kr(
            kr.text,
            objective=objective.text,
            context=self.context_text(),  # what the user said; the other KRs' figures are not this one's
            language=lang,
            llm=self.llm,
            retriever=self.retriever,
            notebook=self.notebook,
            config=self.config,
        )
        heading = t.get(lang, "rewrite_for", ref=f"O{o_number}.KR{k_number}")
        return "\n".join([heading, outcome.describe(lang), t.get(lang, "rewrite_use", n=k_number)])

    def _questions(self, number: int | None) -> str:
        t, lang = _words(), self.language
        target = self._target_kr(number) if number is not None else None
        if target is not None:
            o_number, k_number = target
            objective = self.draft[o_number - 1]
            text, kind, ref = objective.key_results[k_number - 1].text, "key_result", f"O{o_number}.KR{k_number}"
            about = objective.text
        elif self.draft:
            text, kind, ref, about = self.draft[-1].text, "objective", f"O{len(self.draft)}", None
        else:
            text, kind, ref, about = self.context_text() or "-", "objective", "O", None
        outcome = guiding_questions(
            text,
            kind=kind,
            objective=about,
            language=lang,
            llm=self.llm,
            retriever=self.retriever,
            notebook=self.notebook,
            config=self.config,
        )
        lines = [t.get(lang, "questions_for", ref=ref)]
        lines += [f"{i}. {q.question}" for i, q in enumerate(outcome.questions, start=1)]
        return "\n".join(lines)

    def _guidance(self, line: str) -> str:
        t, lang = _words(), self.language
        if self.retriever is None:
            return t.get(lang, "guidance_none")
        found = passages_from_retriever(self.retriever, line, language=lang, k=1)
        if not found:
            return t.get(lang, "guidance_none")
        passage = found[0]
        text = passage.text if len(passage.text) <= GUIDANCE_CHARS else passage.text[:GUIDANCE_CHARS].rstrip() + "…"
        return t.get(lang, "guidance_from", note=f"{passage.title} · {passage.section}") + "\n" + text

    def _findings_block(self) -> str:
        t, lang = _words(), self.language
        if not self.draft:
            return t.get(lang, "no_objective_yet")
        if not self.findings:
            return t.get(lang, "no_findings")
        return t.get(lang, "findings") + "\n" + self._finding_lines(self.findings, LISTED_FINDINGS)

    def _finding_lines(self, findings: Sequence[Finding], limit: int) -> str:
        t, lang = _words(), self.language
        lines = []
        # Where and what, in words: rule codes are in the findings panel, not in the conversation.
        for finding in findings[:limit]:
            where = finding.key_result or finding.objective or ""
            lines.append(f"- {where}{t.get(lang, 'colon') if where else ''}{finding.message}")
        if len(findings) > limit:
            lines.append(t.get(lang, "more", count=len(findings) - limit))
        return "\n".join(lines)

    def _touched_findings(self, change: _Change) -> str:
        """The findings on what this turn changed (not the whole list: "这些 KR 有什么问题" asks for that)."""
        refs = {f"O{o}.KR{k}" for o, k in change.touched_krs}
        objectives = {f"O{n}" for n in (*change.objective_replaced, *change.objective_added)}
        if change.objective_set or any(key == "confirm_objective" for key, _ in change.notes):
            objectives.add("O1")
        own = [f for f in self.findings if f.key_result in refs or (not f.key_result and f.objective in objectives)]
        if not own:
            return ""
        return _words().get(self.language, "touched_findings") + "\n" + self._finding_lines(own, LISTED_FINDINGS)

    def _suggestions(self, touched: Sequence[tuple[int, int]]) -> str:
        """Rewrite templates for the KRs this turn touched that are not measurable or read as activities."""
        t, lang = _words(), self.language
        lines: list[str] = []
        for o_number, k_number in unique_pairs(touched):
            if o_number > len(self.draft) or k_number > len(self.draft[o_number - 1].key_results):
                continue
            ref = f"O{o_number}.KR{k_number}"
            own = [
                f
                for f in self.findings
                if f.key_result == ref and f.dimension in SUGGEST_DIMENSIONS and f.severity in SUGGEST_SEVERITIES
            ]
            if not own:
                continue
            objective = self.draft[o_number - 1]
            templates = template_rewrites(
                objective.key_results[k_number - 1].text,
                objective=objective.text,
                findings=own,
                language=lang,
                context=self.context_text(),
            )
            if templates:
                lines.append(f"- {ref} → {templates[0].text}")
        return t.get(lang, "suggestions") + "\n" + "\n".join(lines) if lines else ""

    def _next_steps(self, change: _Change) -> str:
        """One or two next steps: what the draft most needs now, then the cycle when it is still unknown."""
        t, lang = _words(), self.language
        asked = {intent.name for intent, _ in change.requests}
        if self.pending_objective and not self.draft:
            return ""  # the reply has just offered an objective
        steps = [self._next_step()]
        if self.draft and not self.cycle and "set_cycle" not in asked and self.draft[-1].key_results:
            steps.append(t.get(lang, "set_cycle_hint"))
        if asked <= {"greet", "thanks", "show_draft", "guidance"} and change.empty and asked:
            return ""  # answering, not steering
        return "\n".join(steps[:2])

    def _next_step(self) -> str:
        t, lang = _words(), self.language
        if not self.draft:
            return t.get(lang, "ask_objective")
        current = self.draft[-1]
        count = len(current.key_results)
        if count == 0:
            return t.get(lang, "ask_krs")
        flagged = [
            f.key_result
            for f in self.findings
            if f.key_result and f.severity in SUGGEST_SEVERITIES and f.dimension in SUGGEST_DIMENSIONS
        ]
        if flagged:
            kr_number = flagged[0].split(".KR")[-1]
            return t.get(lang, "fix_kr", ref=flagged[0], n=kr_number)
        if count < WANTED_KRS:
            return t.get(lang, "more_krs", count=WANTED_KRS - count)
        return t.get(lang, "done")


@dataclass(frozen=True, slots=True)
class _Snapshot:
    """The session's state before a turn, for undo."""

    draft: list[DraftObjective]
    team: str
    cycle: str | None
    deadline: str | None
    confidence: dict[str, str]
    pending_objective: str


def _compact(value: str) -> str:
    """A cycle as written, without inner spaces and year first: "2025 Q3", "Q3 2025" → "2025Q3"."""
    compact = re.sub(r"[\s\-/]+", "", value.strip())
    quarter_first = re.fullmatch(r"([QqHh][1-4])((?:19|20)\d\d)", compact)
    return f"{quarter_first[2]}{quarter_first[1].upper()}" if quarter_first else compact


def _words() -> Words:
    return words("drafting")


def unique_pairs(pairs: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Pairs in first-seen order, each once."""
    return list(dict.fromkeys(pairs))
