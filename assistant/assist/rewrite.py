"""Rewrite a key result into candidates that pass the CLASSIC checks: the LLM when configured, templates otherwise.

Flow for one KR: the rule engine's findings → the guidance passages behind them → the LLM
(``rewrite-kr``) → every candidate re-checked by the rules (``check_candidate``), note ids the
retrieval did not return dropped, candidates that repeat the system prompt rejected → failing
candidates sent back with what they failed (``candidate-feedback``) a bounded number of times.
Without an LLM, or when it fails, the offline templates go through the same checks, so nothing
reaches the user unchecked. :func:`rewrite_batch` does this for the KRs of a whole review
(``check --suggest``).

Note passages live in :mod:`.passages`, the prompt's data blocks and the leak check in
:mod:`.prompting`, text comparison in :mod:`.wording`: the other tasks import them from there.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..analysis.language import detect_language
from ..config import Config
from ..engine import check
from ..findings import Dimension, Finding, Severity
from ..llm import LLM, LLMError
from ..model import KeyResult, Objective, OKRSet
from ..review import SuggestedRewrite, Suggestion
from ..rules.catalogue import tagged
from ..texts import LANGUAGES, words
from .candidates import CandidateCheck, check_candidate, feedback
from .metrics import deadline_in, library_notes
from .offline import template_rewrites
from .passages import (
    NotePassage,
    merge_passages,
    passages_from_notes,
    passages_from_retriever,
    render_passages,
)
from .prompting import LeakGuard, render_findings, resolve_language, system_texts
from .schemas import RewriteCandidate, RewriteCandidates
from .wording import normalised, one_line, unique

if TYPE_CHECKING:
    from ..knowledge import NoteBook
    from ..knowledge.retrieval import Retriever

RULE_PASSAGES = 4  # passages from the notes behind the findings
TEXT_PASSAGES = 3  # passages found by the KR's own text
# Findings a rewrite of the wording can change (tag "wording" in data/rules.toml); not the owner, the
# confidence figure, scores, or how the set and its neighbours are built.
WORDING_CODES = tagged("wording")
# ``check --suggest`` rewrites KRs with an error or warning in these dimensions.
SUGGEST_DIMENSIONS = frozenset({Dimension.measurable, Dimension.outcome, Dimension.challenging})
SUGGEST_SEVERITIES = frozenset({Severity.error, Severity.warning})


# ---------------------------------------------------------------- shared helpers


# ---------------------------------------------------------------- findings


def kr_set(kr_text: str, objective: str) -> OKRSet:
    """A one-objective, one-KR set: how a KR given on its own is checked."""
    return OKRSet(
        team="-",
        objectives=[Objective(id="O1", text=objective, key_results=[KeyResult(id="KR1", text=kr_text)])],
    )


def findings_for_kr(kr_text: str, *, objective: str, language: str, config: Config | None = None) -> list[Finding]:
    """The findings the engine reports on this KR's wording, with messages in ``language``.

    Only the KR's own findings count; ownership and the confidence figure are left out, since the
    one-KR set has neither and a rewrite of the wording cannot change them.
    """
    settings = (config or Config()).with_options(language=language)
    return [f for f in check([kr_set(kr_text, objective)], settings) if f.key_result == "O1.KR1" and about_wording(f)]


def about_wording(finding: Finding) -> bool:
    """Whether a rewrite of the KR's text can fix this finding."""
    return finding.code in WORDING_CODES


# ---------------------------------------------------------------- one KR


@dataclass(frozen=True, slots=True)
class RewriteRequest:
    """Everything a rewrite needs, gathered before any LLM call (retrieval is not thread-safe)."""

    key_result: str
    objective: str
    context: str
    language: str
    findings: tuple[Finding, ...]
    passages: tuple[NotePassage, ...]
    count: int = 3
    max_feedback_rounds: int = 2
    config: Config | None = None

    @property
    def note_ids(self) -> list[str]:
        return unique(p.note_id for p in self.passages)

    @property
    def inputs(self) -> list[str]:
        return [self.key_result, self.objective, self.context]

    def data(self) -> dict[str, str]:
        return {
            "objective": self.objective or "-",
            "key_result": self.key_result,
            "context": self.context or "-",
            "findings": render_findings(self.findings, self.language),
            "notes": render_passages(self.passages),
        }


@dataclass(frozen=True, slots=True)
class CheckedCandidate:
    """A candidate after the checks: the rules' verdict, the leak check, the note ids removed."""

    candidate: RewriteCandidate
    check: CandidateCheck
    leak: str = ""  # the stretch of the system prompt it repeats
    dropped_note_ids: tuple[str, ...] = ()
    round: int = 1

    @property
    def passed(self) -> bool:
        return self.check.passed and not self.check.invented_numbers and not self.leak

    def reasons(self, language: str) -> str:
        """Why it failed, in one line (empty when it passed)."""
        t = words("rewrite_texts").table(language)
        parts = []
        if self.leak:
            parts.append(t["leak_reason"])
        if not self.check.passed or self.check.invented_numbers:
            parts.append(one_line(feedback(self.check, language)))
        return t["sep"].join(p for p in parts if p)

    def to_dict(self) -> dict[str, Any]:
        out = {**self.candidate.model_dump(), "placeholders": list(self.check.placeholders)}
        out.update(
            passed=self.passed,
            round=self.round,
            errors=[_finding_dict(f) for f in self.check.errors],
            invented_numbers=list(self.check.invented_numbers),
            language_ok=self.check.language_ok,
            leak=bool(self.leak),
            dropped_note_ids=list(self.dropped_note_ids),
        )
        return out

    def report_entry(self) -> SuggestedRewrite:
        """The candidate as a review's suggestion lists it."""
        return SuggestedRewrite(**self.candidate.model_dump(), placeholders=list(self.check.placeholders))


def _finding_dict(finding: Any) -> Any:
    return finding.to_dict() if hasattr(finding, "to_dict") else str(finding)


def candidate_texts(candidate: RewriteCandidate) -> list[str]:
    """Every free-text field of a candidate: what the leak check reads."""
    c = candidate
    return [c.text, c.metric, c.baseline, c.target, c.unit, c.deadline, c.rationale, *c.assumptions]


def judge(
    candidate: RewriteCandidate, request: RewriteRequest, *, allowed_notes: set[str], guard: LeakGuard, round: int = 1
) -> CheckedCandidate:
    """Check one candidate: note ids outside ``allowed_notes`` removed, rules run, leak looked for."""
    dropped = tuple(n for n in candidate.note_ids if n not in allowed_notes)
    if dropped:
        candidate = candidate.model_copy(update={"note_ids": [n for n in candidate.note_ids if n in allowed_notes]})
    verdict = check_candidate(
        candidate,
        objective=request.objective,
        inputs=request.inputs,
        language=request.language,
        config=request.config,
    )
    return CheckedCandidate(candidate, verdict, guard.find(candidate_texts(candidate)), dropped, round)


@dataclass(slots=True)
class RewriteOutcome:
    """What a rewrite produced: passing candidates, rejected ones with their checks, and how it went."""

    key_result: str
    objective: str
    language: str
    mode: str  # "llm" or "offline"
    candidates: list[CheckedCandidate] = field(default_factory=list)  # passed, best first
    rejected: list[CheckedCandidate] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    note_ids: list[str] = field(default_factory=list)  # the notes retrieved for the prompt
    rounds: int = 0  # LLM answers used: 1 + feedback rounds; 0 offline
    checked_count: int = 0
    passed_count: int = 0
    error: str | None = None  # why the LLM could not be used, when it failed
    dropped_note_ids: list[str] = field(default_factory=list)  # cited by the LLM but never retrieved
    feedback_error: str | None = None  # a feedback round failed after some candidates had passed

    @property
    def pass_rate(self) -> float | None:
        return self.passed_count / self.checked_count if self.checked_count else None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the candidates, the rejected ones with their checks, counts and mode."""
        return {
            "key_result": self.key_result,
            "objective": self.objective,
            "language": self.language,
            "mode": self.mode,
            "error": self.error,
            "rounds": self.rounds,
            "passed": self.passed_count,
            "checked": self.checked_count,
            "pass_rate": self.pass_rate,
            "note_ids": list(self.note_ids),
            "dropped_note_ids": list(self.dropped_note_ids),
            "feedback_error": self.feedback_error,
            "findings": [f.to_dict() for f in self.findings],
            "candidates": [c.to_dict() for c in self.candidates],
            "rejected": [c.to_dict() for c in self.rejected],
        }

    def suggestion(self, set_key: str, kr_ref: str) -> Suggestion:
        """The entry ``check --suggest`` attaches to a review (see ``docs/report.schema.json``)."""
        return Suggestion(
            set=set_key,
            key_result=kr_ref,
            original=self.key_result,
            mode=self.mode,
            passed=self.passed_count,
            checked=self.checked_count,
            error=self.error,
            candidates=[c.report_entry() for c in self.candidates],
        )

    def describe(self, language: str | None = None) -> str:
        """A plain-text block for the terminal."""
        return "\n".join(describe_lines(self, language or self.language))


def describe_lines(outcome: RewriteOutcome, language: str) -> list[str]:
    """The outcome as text lines: mode first, then the original, the candidates and the rejected ones."""
    t = words("rewrite_texts").table(language)
    lines: list[str] = []
    if outcome.error:
        lines.append(t["failed"].format(error=outcome.error))
    elif outcome.mode == "offline":
        lines.append(t["offline"])
    lines.append(t["original"] + outcome.key_result)
    if outcome.findings:
        lines.append(t["findings"].rstrip())
        lines.extend(f"  - {f.code} {f.message}" for f in outcome.findings)
    counts = {"passed": outcome.passed_count, "checked": outcome.checked_count, "rounds": outcome.rounds}
    lines.append(t["passed" if outcome.mode == "llm" else "passed_offline"].format(**counts))
    if not outcome.candidates:
        lines.append(t["none"])
    for number, checked in enumerate(outcome.candidates, start=1):
        lines.extend(_candidate_lines(number, checked, t))
    if outcome.rejected:
        lines.append(t["rejected"].format(count=len(outcome.rejected)))
        for checked in outcome.rejected:
            text = t["hidden"] if checked.leak else checked.candidate.text
            lines.append(f"  - {text}")
            lines.append(f"    {checked.reasons(language)}")
    if outcome.dropped_note_ids:
        lines.append(t["dropped"] + ", ".join(outcome.dropped_note_ids))
    if outcome.feedback_error:
        lines.append(t["late"].format(error=outcome.feedback_error))
    return lines


def _candidate_lines(number: int, checked: CheckedCandidate, t: Mapping[str, str]) -> list[str]:
    c = checked.candidate
    fields = [(t["metric"], c.metric), (t["baseline"], c.baseline), (t["target"], c.target)]
    fields += [(t["unit"], c.unit), (t["deadline"], c.deadline)]
    lines = [
        f"{number}. {c.text}",
        "   " + t["sep"].join(f"{name}{t['colon']}{value}" for name, value in fields if value),
    ]
    if c.rationale:
        lines.append("   " + t["rationale"] + c.rationale)
    if c.assumptions:
        lines.append("   " + t["assumptions"] + t["sep"].join(c.assumptions))
    if checked.check.placeholders:
        lines.append("   " + t["placeholders"] + " ".join(checked.check.placeholders))
    if c.note_ids:
        lines.append("   " + t["notes"] + ", ".join(c.note_ids))
    return lines


def prepare_rewrite(
    kr_text: str,
    *,
    objective: str = "",
    context: str = "",
    language: str | None = None,
    retriever: Retriever | None = None,
    notebook: NoteBook | None = None,
    config: Config | None = None,
    count: int = 3,
    max_feedback_rounds: int = 2,
    findings: Sequence[Finding] | None = None,
) -> RewriteRequest:
    """Findings and note passages for a KR: everything but the LLM call. Bad input raises ValueError."""
    if not kr_text or not kr_text.strip():
        raise ValueError("the key result is empty")
    if count < 1:
        raise ValueError(f"count must be at least 1, not {count}")
    if max_feedback_rounds < 0:
        raise ValueError(f"max_feedback_rounds must be 0 or more, not {max_feedback_rounds}")
    kr_text, objective, context = kr_text.strip(), (objective or "").strip(), (context or "").strip()
    lang = resolve_language(language, kr_text)
    if findings is None:
        findings = findings_for_kr(kr_text, objective=objective, language=lang, config=config)
    findings = [f for f in findings if about_wording(f)]
    if deadline_in(context, lang):  # the context says when: a missing deadline is not the KR's problem here
        findings = [f for f in findings if f.code not in tagged("deadline")]
    return RewriteRequest(
        key_result=kr_text,
        objective=objective,
        context=context,
        language=lang,
        findings=tuple(findings),
        passages=tuple(
            gather_rewrite_passages(
                kr_text,
                findings,
                language=lang,
                retriever=retriever,
                notebook=notebook,
                metric_notes=library_notes(kr_text, objective=objective, context=context),
            )
        ),
        count=count,
        max_feedback_rounds=max_feedback_rounds,
        config=config,
    )


def gather_rewrite_passages(
    kr_text: str,
    findings: Sequence[Finding],
    *,
    language: str,
    retriever: Retriever | None,
    notebook: NoteBook | None,
    metric_notes: Sequence[str] = (),
) -> list[NotePassage]:
    """Passages from the notes behind the findings and for the KR's text (the cited notes without a
    retriever), then a section of each note behind the metric library's proposals (``metric_notes``),
    so that a candidate drawn from the library cites a note the outcome shows."""
    if notebook is None and retriever is not None:
        notebook = retriever.index.notebook
    by_metric = passages_from_notes(notebook, metric_notes, language=language, per_note=1)
    limit = RULE_PASSAGES + TEXT_PASSAGES + len(by_metric)
    if retriever is None:
        cited = passages_from_notes(notebook, (f.note for f in findings), language=language)
        return merge_passages(cited[: RULE_PASSAGES + TEXT_PASSAGES], by_metric, limit=limit)
    codes = unique(f.code for f in findings)
    by_rule = (
        passages_from_retriever(retriever, kr_text, language=language, rules=codes, k=RULE_PASSAGES) if codes else []
    )
    by_text = passages_from_retriever(retriever, kr_text, language=language, k=TEXT_PASSAGES)
    return merge_passages(by_rule, by_text, by_metric, limit=limit)


def rewrite_kr(
    kr_text: str,
    *,
    objective: str = "",
    context: str = "",
    language: str | None = None,
    llm: LLM | None,
    retriever: Retriever | None,
    notebook: NoteBook | None,
    config: Config | None = None,
    count: int = 3,
    max_feedback_rounds: int = 2,
    findings: Sequence[Finding] | None = None,
) -> RewriteOutcome:
    """Rewrite one KR: LLM candidates checked by the rules (sent back when failing), or checked templates offline.

    ``findings`` may be passed when already known (a review); otherwise the engine checks the KR alone.
    """
    request = prepare_rewrite(
        kr_text,
        objective=objective,
        context=context,
        language=language,
        retriever=retriever,
        notebook=notebook,
        config=config,
        count=count,
        max_feedback_rounds=max_feedback_rounds,
        findings=findings,
    )
    return run_rewrite(request, llm)


def run_rewrite(request: RewriteRequest, llm: LLM | None) -> RewriteOutcome:
    """The LLM path when there is an LLM, falling back to the templates when it fails; templates offline."""
    if llm is None:
        return offline_rewrite(request)
    try:
        return llm_rewrite(request, llm)
    except LLMError as exc:
        return offline_rewrite(request, error=str(exc))


def offline_rewrite(request: RewriteRequest, *, error: str | None = None) -> RewriteOutcome:
    """The deterministic templates, each through the same checks as an LLM candidate."""
    templates = template_rewrites(
        request.key_result,
        objective=request.objective,
        findings=list(request.findings),
        language=request.language,
        context=request.context,
    )
    allowed = set(request.note_ids) | {f.note for f in request.findings}
    # The templates are the project's own: they cite only the notes whose passages the outcome shows.
    templates = [t.model_copy(update={"note_ids": [n for n in t.note_ids if n in allowed]}) for t in templates]
    guard = LeakGuard(frozenset())  # templates are the project's own text
    judged = [judge(t, request, allowed_notes=allowed, guard=guard, round=0) for t in templates]
    return _outcome(request, "offline", judged, judged, rounds=0, error=error)


def llm_rewrite(request: RewriteRequest, llm: LLM) -> RewriteOutcome:
    """Ask the LLM, check every candidate, send failing ones back up to ``max_feedback_rounds`` times.

    Raises LLMError when the first request fails, or when a later one fails before any candidate passed.
    """
    prompt, follow_up = llm.prompt("rewrite-kr"), llm.prompt("candidate-feedback")
    data, params = request.data(), {"count": request.count}
    conversation = prompt.messages(request.language, data=data, params=params)
    guard = LeakGuard.of(system_texts(prompt, data=data, params=params), request.inputs)
    allowed = set(request.note_ids)
    answer = llm.ask(prompt, request.language, RewriteCandidates, data=data, params=params)
    judged: dict[str, CheckedCandidate] = {}  # by normalised text: each distinct candidate checked once
    last: list[CheckedCandidate] = []
    rounds, late_error = 0, None
    while True:
        rounds += 1
        last = _judge_answer(answer.candidates, judged, request, allowed=allowed, guard=guard, round=rounds)
        failing = [c for c in last if not c.passed]
        passed = sum(c.passed for c in judged.values())
        if not failing or passed >= request.count or rounds > request.max_feedback_rounds:
            break
        conversation = [*conversation, ("assistant", answer.model_dump_json())]
        feedback_data = {"feedback": feedback_block(failing, request.language)}
        try:
            answer = llm.ask(
                follow_up,
                request.language,
                RewriteCandidates,
                data=feedback_data,
                params=params,
                history=conversation,
            )
        except LLMError as exc:
            if not passed:
                raise
            late_error = str(exc)  # keep what passed; say that the feedback round failed
            break
        conversation = [*conversation, *follow_up.messages(request.language, data=feedback_data, params=params)]
    rejected = [c for c in last if not c.passed]
    outcome = _outcome(request, "llm", list(judged.values()), rejected, rounds=rounds, error=None)
    outcome.feedback_error = late_error
    return outcome


def _judge_answer(
    candidates: Iterable[RewriteCandidate],
    judged: dict[str, CheckedCandidate],
    request: RewriteRequest,
    *,
    allowed: set[str],
    guard: LeakGuard,
    round: int,
) -> list[CheckedCandidate]:
    """One answer's candidates, checked; a text met before (this answer or an earlier one) keeps its verdict."""
    out: list[CheckedCandidate] = []
    for candidate in candidates:
        key = normalised(candidate.text)
        if not key:
            continue
        if key not in judged:
            judged[key] = judge(candidate, request, allowed_notes=allowed, guard=guard, round=round)
        if all(c is not judged[key] for c in out):
            out.append(judged[key])
    return out


def feedback_block(failing: Sequence[CheckedCandidate], language: str) -> str:
    """What the failing candidates are told: each one's text and the checks it failed."""
    blocks = []
    for number, checked in enumerate(failing, start=1):
        if checked.leak:
            note = (
                "这个候选重复了系统指令，而不是改写关键结果。"
                if language == "zh"
                else "This candidate repeats the system instructions instead of rewriting the key result."
            )
            blocks.append(f"{number}. {note}")
            continue
        blocks.append(f"{number}. {checked.candidate.text}\n{feedback(checked.check, language)}")
    return "\n\n".join(blocks)


def _outcome(
    request: RewriteRequest,
    mode: str,
    judged: Sequence[CheckedCandidate],
    rejected: Sequence[CheckedCandidate],
    *,
    rounds: int,
    error: str | None,
) -> RewriteOutcome:
    passed = [c for c in judged if c.passed]
    return RewriteOutcome(
        key_result=request.key_result,
        objective=request.objective,
        language=request.language,
        mode=mode,
        candidates=passed[: request.count],
        rejected=[c for c in rejected if not c.passed],
        findings=list(request.findings),
        note_ids=request.note_ids,
        rounds=rounds,
        checked_count=len(judged),
        passed_count=len(passed),
        error=error,
        dropped_note_ids=unique(n for c in judged for n in c.dropped_note_ids),
    )


# ---------------------------------------------------------------- a whole review (check --suggest)


@dataclass(frozen=True, slots=True)
class RewriteTarget:
    """A KR of a review that ``check --suggest`` rewrites, with the findings that call for it."""

    set_key: str
    kr_ref: str
    key_result: str
    objective: str
    findings: tuple[Finding, ...]
    context: str = ""

    @property
    def key(self) -> tuple[str, str]:
        return (self.set_key, self.kr_ref)


def wants_rewrite(finding: Finding) -> bool:
    """A KR finding that a reworded KR can fix: error or warning, measurable / outcome / challenging."""
    return (
        finding.key_result is not None
        and finding.severity in SUGGEST_SEVERITIES
        and finding.dimension in SUGGEST_DIMENSIONS
        and about_wording(finding)
    )


def select_targets(sets: Sequence[OKRSet], findings: Sequence[Finding]) -> list[RewriteTarget]:
    """The KRs of a review to rewrite, in review order, each with all its wording findings."""
    triggering = {(f.set_key, f.key_result) for f in findings if wants_rewrite(f)}
    targets: list[RewriteTarget] = []
    seen: set[tuple[str, str]] = set()
    for okr_set in sets:
        for objective, kr in okr_set.key_results():
            ref = objective.kr_ref(kr)
            key = (okr_set.key, ref)
            if key not in seen and (okr_set.key, ref) in triggering:
                seen.add(key)
                own = tuple(f for f in findings if (f.set_key, f.key_result) == key and about_wording(f))
                context = kr_context(okr_set, objective, kr)
                targets.append(RewriteTarget(okr_set.key, ref, kr.text, objective.text, own, context))
    return targets


def kr_context(okr_set: OKRSet, objective: Objective, kr: KeyResult) -> str:
    """The team context a batch rewrite gets: what the sheet says around the KR, figures included.

    Baseline, target and deadline columns matter most: with them a candidate can use real figures
    instead of placeholders, and the fabrication check accepts them because they are in the input.
    """
    t = words("rewrite_texts").table(detect_language(kr.text))
    team, cycle, owner, baseline, target, due, note, others, colon, sep = (
        t[f"context_{key}"]
        for key in ("team", "cycle", "owner", "baseline", "target", "deadline", "note", "others", "colon", "sep")
    )
    unit = kr.unit or ""
    parts = [
        (team, okr_set.team),
        (cycle, okr_set.cycle),
        (owner, kr.owner),
        (baseline, f"{kr.baseline:g}{unit}" if kr.baseline is not None else None),
        (target, f"{kr.target:g}{unit}" if kr.target is not None else None),
        (due, kr.due.isoformat() if kr.due else None),
        (note, kr.note),
        (others, " / ".join(other.text for other in objective.key_results if other.id != kr.id) or None),
    ]
    return sep.join(f"{label}{colon}{value}" for label, value in parts if value)


@dataclass(slots=True)
class BatchOutcome:
    """Rewrites for a whole review, keyed by (set key, KR ref), with the overall pass rate."""

    outcomes: dict[tuple[str, str], RewriteOutcome] = field(default_factory=dict)
    failures: dict[tuple[str, str], str] = field(default_factory=dict)  # KRs nothing could be made for

    @property
    def passed_count(self) -> int:
        return sum(o.passed_count for o in self.outcomes.values())

    @property
    def checked_count(self) -> int:
        return sum(o.checked_count for o in self.outcomes.values())

    @property
    def pass_rate(self) -> float | None:
        return self.passed_count / self.checked_count if self.checked_count else None

    def summary(self, language: str) -> str:
        """One line for the terminal: how many KRs got suggestions, how many candidates passed, which mode."""
        modes = Counter(o.mode for o in self.outcomes.values())
        llm_kr, offline_kr = modes.get("llm", 0), modes.get("offline", 0)
        rate = f"{self.pass_rate:.0%}" if self.pass_rate is not None else "–"
        if language == "en":
            line = (
                f"suggestions: {len(self.outcomes)} KRs ({llm_kr} by the LLM, {offline_kr} offline templates); "
                f"{self.passed_count}/{self.checked_count} candidates passed the checks ({rate})"
            )
            return line + (f"; {len(self.failures)} KRs without a suggestion" if self.failures else "")
        line = (
            f"改写建议：{len(self.outcomes)} 条 KR（LLM {llm_kr} 条，离线模板 {offline_kr} 条）；"
            f"候选 {self.passed_count}/{self.checked_count} 条通过检查（{rate}）"
        )
        return line + (f"；{len(self.failures)} 条 KR 未能给出建议" if self.failures else "")

    def suggestions(self) -> list[Suggestion]:
        """The review's ``suggestions``: one entry per KR, in review order."""
        return [outcome.suggestion(*key) for key, outcome in self.outcomes.items()]

    def to_dict(self) -> dict[str, Any]:
        return {
            "passed": self.passed_count,
            "checked": self.checked_count,
            "pass_rate": self.pass_rate,
            "outcomes": [
                {"set": key[0], "key_result": key[1], **outcome.to_dict()} for key, outcome in self.outcomes.items()
            ],
            "failures": [{"set": k[0], "key_result": k[1], "error": e} for k, e in self.failures.items()],
        }


def rewrite_batch(
    sets: Sequence[OKRSet],
    findings: Sequence[Finding],
    *,
    llm: LLM | None,
    retriever: Retriever | None,
    notebook: NoteBook | None,
    config: Config | None = None,
    count: int = 3,
    max_feedback_rounds: int = 2,
    language: str | None = None,
) -> BatchOutcome:
    """Rewrite every KR of a review that :func:`wants_rewrite` picks; LLM calls run through ``llm.map``.

    Retrieval runs first, one KR after another; then the LLM requests, at most ``llm.concurrency``
    at a time. A KR whose rewrite fails gets the offline templates; one that cannot be helped at all
    is listed in ``failures`` and the batch goes on.
    """
    batch = BatchOutcome()
    prepared: list[tuple[RewriteTarget, RewriteRequest]] = []
    for target in select_targets(sets, findings):
        try:
            request = prepare_rewrite(
                target.key_result,
                objective=target.objective,
                context=target.context,
                language=language or _config_language(config) or detect_language(target.key_result),
                retriever=retriever,
                notebook=notebook,
                config=config,
                count=count,
                max_feedback_rounds=max_feedback_rounds,
                findings=target.findings,
            )
        except Exception as exc:  # one KR never loses the batch
            batch.failures[target.key] = f"{type(exc).__name__}: {exc}"
            continue
        prepared.append((target, request))
    requests = [request for _, request in prepared]
    results: list[RewriteOutcome | Exception] = (
        llm.map(lambda r: run_rewrite(r, llm), requests) if llm is not None else [_guarded(r) for r in requests]
    )
    for (target, request), result in zip(prepared, results, strict=True):
        if isinstance(result, Exception):
            result = _guarded(request, error=f"{type(result).__name__}: {result}")
        if isinstance(result, Exception):
            batch.failures[target.key] = f"{type(result).__name__}: {result}"
        else:
            batch.outcomes[target.key] = result
    return batch


def _guarded(request: RewriteRequest, *, error: str | None = None) -> RewriteOutcome | Exception:
    """The offline rewrite, or the exception it raised (so the batch can go on)."""
    try:
        return offline_rewrite(request, error=error)
    except Exception as exc:  # reported per KR by the caller
        return exc


def _config_language(config: Config | None) -> str | None:
    return config.language if config is not None and config.language in LANGUAGES else None
