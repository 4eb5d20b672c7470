"""The drafting conversation behind the web chat: from a rough idea to one objective and 3–4 measurable KRs.

A :class:`DraftingSession` holds the turns, the draft (objectives, each with its key results: the
objective first, then its KRs) and the rule engine's findings on that draft, re-run after every turn.

With an LLM each turn has two calls. The reply is streamed with ``prompts/drafting-chat`` (a coach
that settles the objective before the KRs, asks one thing at a time and keeps KRs measurable; the
draft, the findings, note passages retrieved for the message and the message itself are data
blocks, earlier turns are the history). Then ``prompts/draft-extract`` turns the previous draft, the
message and the reply into the new draft, which is validated; when that fails the previous draft
stays and the error is recorded.

Without an LLM the coach is deterministic: the first message becomes the objective (its other lines
the KRs, when they look like KRs), later messages add KRs (one per line or per "；"), "O: …" / "改 O：…"
replaces the objective, "KR2: …" replaces a KR, "新 O：…" / "new O: …" starts another objective.
Each reply lists the findings and, for KRs that are not measurable or read as activities, the
offline rewrite templates.

Ownership while drafting: owners are usually settled after the wording, in the handshake meeting, so
the findings for a missing owner (OWN001, OWN002) are left out of the session's findings; those for
several or collective owners (OWN003, OWN004) stay, since they are about owners the user did write.
``okr_set()`` gives the full set for reports, where every check runs.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..config import Config
from ..engine import check
from ..findings import Dimension, Finding, Severity
from ..llm import LLM, LLMError
from ..model import KeyResult, Objective, OKRSet
from ..rules.catalogue import tagged
from .offline import template_rewrites
from .rewrite import (
    LeakGuard,
    NotePassage,
    merge_passages,
    passages_from_notes,
    passages_from_retriever,
    render_findings,
    render_passages,
    system_texts,
    unique,
)
from .schemas import DraftKR, DraftObjective

if TYPE_CHECKING:
    from ..knowledge import NoteBook
    from ..knowledge.retrieval import Retriever

__all__ = [
    "HIDDEN_WHILE_DRAFTING",
    "DraftingSession",
    "ExtractedDraft",
    "Turn",
    "apply_message",
    "clean_draft",
    "render_draft",
]

LANGUAGES = ("zh", "en")
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


class ExtractedDraft(BaseModel):
    """The answer of the ``draft-extract`` call: the whole draft after the turn."""

    model_config = ConfigDict(extra="ignore")

    objectives: list[DraftObjective] = Field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Turn:
    """One message of the conversation; ``mode`` tells who wrote an assistant turn (llm or offline)."""

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
    if not objectives:
        return "（还没有目标）" if language == "zh" else "(no objective yet)"
    colon = "：" if language == "zh" else ": "
    owner_word = "负责人" if language == "zh" else "owner"
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

_OBJECTIVE_COMMAND = re.compile(
    r"^\s*(?P<verb>修改|改成|改|换成|新增|新|change|edit|new|add)?\s*(?:the\s+)?"
    r"(?:objective|目标|O)\s*(?P<n>\d+)?\s*(?:改为|改成|为|to)?\s*[:：]\s*(?P<text>\S.*)$",
    re.IGNORECASE,
)
_KR_LABEL = re.compile(
    r"^\s*(?:O\s*(?P<o>\d+)\s*[.．\-]?\s*)?(?:KR|关键结果)\s*(?P<n>\d+)?\s*(?:改为|改成|换成|change\s+to\b|to\b)?\s*[:：.、)）]?\s*",
    re.IGNORECASE,
)
_LIST_MARK = re.compile(r"^\s*(?:\d{1,2}\s*[.、)）](?!\d)|[(（]\d{1,2}[)）]|[-*•·])\s*")
_ITEM_SPLIT = re.compile(r"[；;]\s*|\n")
_NEW_VERBS = {"新增", "新", "new", "add"}


@dataclass(slots=True)
class _Change:
    """What one offline turn did to the draft, for the reply."""

    objective_set: str = ""  # the first objective
    objective_replaced: list[int] = field(default_factory=list)  # objective numbers (1-based)
    objective_added: list[int] = field(default_factory=list)
    krs_added: list[tuple[int, int]] = field(default_factory=list)  # (objective, KR) numbers
    krs_replaced: list[tuple[int, int]] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)  # lines read as context or questions

    @property
    def touched_krs(self) -> list[tuple[int, int]]:
        return [*self.krs_replaced, *self.krs_added]

    @property
    def empty(self) -> bool:
        return not (
            self.objective_set or self.objective_replaced or self.objective_added or self.krs_added or self.krs_replaced
        )


def _items(message: str) -> list[str]:
    return [part.strip() for part in _ITEM_SPLIT.split(message) if part.strip()]


def _kr_like(line: str) -> bool:
    """A line that reads as a key result: a KR label, a list mark, or a figure."""
    return bool(_KR_LABEL.match(line) or _LIST_MARK.match(line) or re.search(r"\d|%|％", line))


def _strip_kr(line: str) -> tuple[int | None, int | None, str]:
    """The objective and KR numbers a line names (``O1.KR2: …``, ``KR2: …``), if any, and its bare text."""
    match = _KR_LABEL.match(line)
    if match:
        rest = line[match.end() :].strip()
        if rest:
            return (int(match["o"]) if match["o"] else None), (int(match["n"]) if match["n"] else None), rest
    return None, None, _LIST_MARK.sub("", line, count=1).strip()


def _objective_text(line: str) -> str:
    match = _OBJECTIVE_COMMAND.match(line)
    return match["text"].strip() if match else _LIST_MARK.sub("", line, count=1).strip()


def _is_question(line: str) -> bool:
    return line.rstrip().endswith(("?", "？"))


def apply_message(draft: list[DraftObjective], message: str) -> _Change:
    """Change ``draft`` in place the way the offline coach reads ``message``; say what changed."""
    change = _Change()
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    if not draft:
        first, rest = lines[0], lines[1:]
        draft.append(DraftObjective(text=_objective_text(first)))
        change.objective_set = draft[0].text
        if not any(_kr_like(line) or _OBJECTIVE_COMMAND.match(line) for line in rest):
            change.ignored.extend(rest)
            return change
        message = "\n".join(rest)
    current = len(draft)  # the objective new KRs go under: the last one
    for line in (item for chunk in message.splitlines() for item in _items(chunk)):
        command = _OBJECTIVE_COMMAND.match(line)
        if command:
            number = int(command["n"]) if command["n"] else None
            verb = (command["verb"] or "").lower()
            text = command["text"].strip()
            if (number is None and verb in _NEW_VERBS) or (number is not None and number > len(draft)):
                draft.append(DraftObjective(text=text))
                current = len(draft)
                change.objective_added.append(current)
            else:
                current = number or current
                draft[current - 1] = draft[current - 1].model_copy(update={"text": text})
                change.objective_replaced.append(current)
            continue
        if _is_question(line):
            change.ignored.append(line)
            continue
        o_number, number, text = _strip_kr(line)
        if not text:
            continue
        if o_number is not None and 1 <= o_number <= len(draft):
            current = o_number
        objective = draft[current - 1]
        krs = list(objective.key_results)
        if number is not None and 1 <= number <= len(krs):
            krs[number - 1] = krs[number - 1].model_copy(update={"text": text})
            change.krs_replaced.append((current, number))
        else:
            krs.append(DraftKR(text=text))
            change.krs_added.append((current, len(krs)))
        draft[current - 1] = objective.model_copy(update={"key_results": krs})
    return change


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
        return self._online_turn(message, self.llm)

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

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the draft, the findings, the turns and the recorded errors."""
        return {
            "language": self.language,
            "team": self.team,
            "cycle": self.cycle,
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

    def _offline_turn(self, message: str, *, failure: str | None = None) -> Iterator[str]:
        reply, problem = self._offline_reply(message, failure=failure)
        self._record(message, reply, "offline", failure or problem)
        yield reply

    def _online_turn(self, message: str, llm: LLM) -> Iterator[str]:
        t = _LABELS[self.language]
        history = [(turn.role, turn.text) for turn in self.history][-HISTORY_MESSAGES:]
        previous_reply = next((turn.text for turn in reversed(self.history) if turn.role == "assistant"), "")
        passages = self._passages(message)
        self.last_passages = passages
        data = {
            "draft": render_draft(self.draft, self.language),
            "findings": render_findings(self.findings, self.language),
            "notes": render_passages(passages),
            "message": message,
        }
        pieces: list[str] = []
        try:
            for piece in llm.stream(llm.prompt("drafting-chat"), self.language, data=data, history=history):
                pieces.append(piece)
                yield piece
        except LLMError as exc:
            if not pieces:  # nothing said yet: this turn is answered by the rules and templates
                yield from self._offline_turn(message, failure=t["chat_failed"].format(error=exc))
                return
            note = "\n\n" + t["interrupted"].format(error=exc)
            yield note
            self._record(message, "".join(pieces) + note, "llm", t["interrupted"].format(error=exc))
            return
        reply = "".join(pieces)
        error = self._extract(llm, message, reply, previous_reply)
        self.recheck()
        self._record(message, reply, "llm", error)

    def _extract(self, llm: LLM, message: str, reply: str, previous_reply: str) -> str | None:
        """Update the draft from the turn with the structured call; the error (draft kept) when it fails."""
        t = _LABELS[self.language]
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
            return t["extract_failed"].format(error=exc)
        if not objectives and self.draft:
            return t["extract_failed"].format(error=t["emptied"])
        guard = LeakGuard.of(system_texts(prompt, data=data, params={}), [message, previous_reply, reply])
        texts = [text for o in objectives for text in (o.text, *(kr.text for kr in o.key_results))]
        if guard.find(texts):
            return t["extract_failed"].format(error=t["leak"])
        self.draft = objectives
        return None

    def _passages(self, message: str) -> list[NotePassage]:
        found = (
            passages_from_retriever(self.retriever, message, language=self.language, k=MESSAGE_PASSAGES)
            if self.retriever is not None
            else []
        )
        cited = passages_from_notes(self.notebook, (f.note for f in self.findings), language=self.language, per_note=1)
        return merge_passages(found, cited, limit=PASSAGE_LIMIT)

    # ------------------------------------------------------------ the offline coach

    def _offline_reply(self, message: str, *, failure: str | None = None) -> tuple[str, str | None]:
        """The deterministic coach's reply, and the problem when the message could not be applied."""
        t = _LABELS[self.language]
        had_objective = bool(self.draft)
        draft = _copy(self.draft)
        change = apply_message(draft, message)
        problem = None
        try:
            self.draft = clean_draft(draft)
        except ValueError as exc:  # e.g. too many KRs: the draft stays as it was
            change, problem = _Change(), t["not_applied"].format(error=exc)
        self.recheck()
        parts: list[str] = []
        if failure:
            parts.append(failure)
        elif not any(turn.role == "assistant" for turn in self.history):
            parts.append(t["intro"])
        parts.append(problem or self._acknowledge(change, had_objective))
        parts.append(t["draft"] + "\n" + render_draft(self.draft, self.language))
        parts.append(self._findings_block())
        suggestions = self._suggestions(change.touched_krs)
        if suggestions:
            parts.append(suggestions)
        parts.append(self._next_step())
        return "\n\n".join(p for p in parts if p), problem

    def _acknowledge(self, change: _Change, had_objective: bool) -> str:
        t = _LABELS[self.language]
        lines: list[str] = []
        if change.objective_set:
            lines.append(t["objective_set"].format(text=change.objective_set))
        for number in change.objective_replaced:
            lines.append(t["objective_replaced"].format(n=number, text=self.draft[number - 1].text))
        for number in change.objective_added:
            lines.append(t["objective_added"].format(n=number, text=self.draft[number - 1].text))
        added = unique(f"O{o}.KR{k}" for o, k in change.krs_added)
        if added:
            lines.append(t["krs_added"].format(count=len(added), refs=", ".join(added)))
        replaced = unique(f"O{o}.KR{k}" for o, k in change.krs_replaced)
        if replaced:
            lines.append(t["krs_replaced"].format(refs=", ".join(replaced)))
        if change.ignored:
            lines.append(t["ignored"].format(count=len(change.ignored)))
        if change.empty and had_objective:
            lines.append(t["nothing"])
        return "\n".join(lines)

    def _findings_block(self) -> str:
        t = _LABELS[self.language]
        if not self.findings:
            return t["no_findings"]
        lines = [t["findings"]]
        for finding in self.findings[:LISTED_FINDINGS]:
            where = finding.key_result or finding.objective or ""
            lines.append(f"- {finding.code} {where}{t['colon'] if where else ''}{finding.message}")
        if len(self.findings) > LISTED_FINDINGS:
            lines.append(t["more"].format(count=len(self.findings) - LISTED_FINDINGS))
        return "\n".join(lines)

    def _suggestions(self, touched: Sequence[tuple[int, int]]) -> str:
        """Rewrite templates for the KRs this turn touched that are not measurable or read as activities."""
        t = _LABELS[self.language]
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
                language=self.language,
            )
            if templates:
                lines.append(f"- {ref} → {templates[0].text}")
        return t["suggestions"] + "\n" + "\n".join(lines) if lines else ""

    def _next_step(self) -> str:
        t = _LABELS[self.language]
        if not self.draft:
            return t["ask_objective"]
        current = self.draft[-1]
        count = len(current.key_results)
        if count == 0:
            return t["ask_krs"]
        flagged = [
            f.key_result
            for f in self.findings
            if f.key_result and f.severity in SUGGEST_SEVERITIES and f.dimension in SUGGEST_DIMENSIONS
        ]
        if flagged:
            kr_number = flagged[0].split(".KR")[-1]
            return t["fix_kr"].format(ref=flagged[0], n=kr_number)
        if count < WANTED_KRS:
            return t["more_krs"].format(count=WANTED_KRS - count)
        return t["done"]


def unique_pairs(pairs: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Pairs in first-seen order, each once."""
    return list(dict.fromkeys(pairs))


_LABELS = {
    "zh": {
        "intro": "提示：LLM 未开启（没有配置 LLM），现在是离线模式：由规则检查和改写模板帮你梳理，不是 AI 对话。",
        "chat_failed": "LLM 调用失败（{error}），这一轮改由规则检查和改写模板回复。",
        "interrupted": "（LLM 回复中断：{error}。草稿没有更新。）",
        "extract_failed": "草稿没有更新：从这一轮对话整理草稿失败（{error}），保留了上一版。",
        "emptied": "整理结果是空草稿",
        "not_applied": "这条消息没有放进草稿：{error}。",
        "leak": "整理结果重复了系统指令",
        "objective_set": "好，先把目标定为：“{text}”。",
        "objective_replaced": "目标 O{n} 已改为：“{text}”。",
        "objective_added": "已新增目标 O{n}：“{text}”。",
        "krs_added": "已加入 {count} 条关键结果：{refs}。",
        "krs_replaced": "已更新：{refs}。",
        "ignored": "有 {count} 行看起来是背景说明或提问，没有放进草稿。",
        "nothing": "这一轮没有识别出新的目标或关键结果。发“O：新的目标”改目标，一行一条（或用“；”分开）写关键结果，"
        "“KR2：新的写法”替换某一条。",
        "draft": "当前草稿：",
        "findings": "规则检查发现：",
        "no_findings": "规则检查没有发现问题。",
        "more": "……另有 {count} 条，见检查结果表。",
        "colon": "：",
        "suggestions": "可以参考的改写模板（把〔…〕换成你们的真实数字）：",
        "ask_objective": "先说说这个周期最想达成的目标（O）是什么？",
        "ask_krs": "接下来请写 3–4 条关键结果（KR）：每条说明衡量什么、从多少到多少、在什么时间之前。"
        "一行一条，或用“；”分开。",
        "fix_kr": "建议先把 {ref} 改成可衡量的结果：发“KR{n}：新的写法”就能替换它。",
        "more_krs": "还可以再补 {count} 条关键结果吗？一个目标通常需要 3–4 条关键结果来支撑。",
        "done": "这个目标和它的关键结果已经基本成形。可以在表格里补上负责人，或发“新 O：…”开始下一个目标。",
    },
    "en": {
        "intro": "Note: the LLM is off (none configured). This is offline mode: rule checks and rewrite templates, "
        "not an AI conversation.",
        "chat_failed": "The LLM failed ({error}); the rule checks and templates answer this turn.",
        "interrupted": "(The LLM reply broke off: {error}. The draft was not updated.)",
        "extract_failed": "Draft not updated: reading the draft from this turn failed ({error}); the previous "
        "draft is kept.",
        "emptied": "the result was an empty draft",
        "not_applied": "This message was not put into the draft: {error}.",
        "leak": "the result repeats the system instructions",
        "objective_set": "Good, the objective for now: “{text}”.",
        "objective_replaced": "Objective O{n} is now: “{text}”.",
        "objective_added": "Added objective O{n}: “{text}”.",
        "krs_added": "Added {count} key result(s): {refs}.",
        "krs_replaced": "Updated: {refs}.",
        "ignored": "{count} line(s) read as context or questions and were not put into the draft.",
        "nothing": "No new objective or key result found in this message. Send “O: new objective” to change the "
        "objective, one key result per line (or separated by “;”), or “KR2: new wording” to replace one.",
        "draft": "Current draft:",
        "findings": "The rule checks found:",
        "no_findings": "The rule checks found no problems.",
        "more": "…and {count} more in the findings table.",
        "colon": ": ",
        "suggestions": "Rewrite templates to start from (replace each [...] with your real figures):",
        "ask_objective": "What is the objective (O) you most want to reach this cycle?",
        "ask_krs": "Next, write 3–4 key results (KRs): for each, what is measured, from what to what, and by when. "
        "One per line, or separated by “;”.",
        "fix_kr": "Start by turning {ref} into a measurable result: send “KR{n}: new wording” to replace it.",
        "more_krs": "Can you add {count} more key result(s)? An objective usually needs 3–4 to support it.",
        "done": "This objective and its key results are taking shape. Add owners in the table, or send "
        "“new O: …” to start the next objective.",
    },
}
