"""Runs the cases: the rule engine once, each assistant task under every column (subject) and repeat.

A column is the offline suggester (always present: a prompt has to beat it to count) or one model
with one set of pinned prompt versions. Every case gets its own :class:`~assistant.llm.LLM` with its
own usage counts, sharing the model and the disk cache, so tokens and cache hits are per case and a
rerun costs nothing. Repeats past the first use their own cache folder, so they are real samples.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..assist import draft_retrospective, guiding_questions, rewrite_kr
from ..config import Config
from ..engine import check
from ..knowledge import NoteBook
from ..knowledge.retrieval import Retriever
from ..llm import LLM, ChatModel, OpenAICompatible, ResponseCache, Usage
from ..llm.settings import LLMSettings
from . import checks
from .cases import Case, Suite

OFFLINE = "offline"


@dataclass(frozen=True, slots=True)
class Subject:
    """One column: the offline suggester (``model`` None) or a model with pinned prompt versions."""

    name: str
    model: str | None = None
    prompts: Mapping[str, int] = field(default_factory=dict)

    @property
    def offline(self) -> bool:
        return self.model is None

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, "model": self.model, "prompts": dict(self.prompts)}


def parse_prompt_pins(spec: str) -> dict[str, int]:
    """``"rewrite-kr@2,guiding-questions@1"`` → ``{"rewrite-kr": 2, "guiding-questions": 1}``."""
    pins: dict[str, int] = {}
    for part in filter(None, (p.strip() for p in spec.split(","))):
        name, _, version = part.partition("@")
        version = version.lstrip("vV")
        if not name or not version.isdigit():
            raise ValueError(f"prompt pin {part!r}: expected NAME@VERSION, e.g. rewrite-kr@2")
        pins[name] = int(version)
    return pins


def subjects_for(models: Sequence[str], prompt_specs: Sequence[str]) -> list[Subject]:
    """The offline column, then every model × prompt-version combination."""
    variants = [parse_prompt_pins(spec) for spec in prompt_specs] or [{}]
    out = [Subject(OFFLINE)]
    for model in models:
        for pins in variants:
            label = ",".join(f"{k}@v{v}" for k, v in sorted(pins.items())) or "latest prompts"
            out.append(Subject(f"{model} · {label}", model=model, prompts=pins))
    return out


@dataclass(slots=True)
class CaseResult:
    """One case under one column and repeat."""

    case: str
    kind: str
    task: str
    language: str
    subject: str
    repeat: int
    passed: bool
    checks: dict[str, bool]
    counts: dict[str, float]
    output: str
    seconds: float
    tokens: int = 0
    calls: int = 0
    cache_hits: int = 0
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "case": self.case,
            "kind": self.kind,
            "task": self.task,
            "language": self.language,
            "subject": self.subject,
            "repeat": self.repeat,
            "passed": self.passed,
            "failed_checks": [name for name, ok in self.checks.items() if not ok],
            "checks": self.checks,
            "counts": self.counts,
            "output": self.output,
            "seconds": round(self.seconds, 4),
            "tokens": self.tokens,
            "calls": self.calls,
            "cache_hits": self.cache_hits,
            "error": self.error,
        }


@dataclass(slots=True)
class Environment:
    """What every case runs against: settings, the knowledge base, and how to reach models."""

    config: Config
    retriever: Retriever | None
    notebook: NoteBook
    llm_settings: LLMSettings | None = None
    prompts_dir: Path | None = None
    make_model: Callable[[LLMSettings], ChatModel] = OpenAICompatible

    @property
    def known_notes(self) -> set[str]:
        return set(self.notebook.notes)

    def llm(self, subject: Subject, repeat: int) -> LLM | None:
        if subject.offline:
            return None
        if self.llm_settings is None:
            raise ValueError("a model column needs LLM settings")
        settings = self.llm_settings.with_options(model=subject.model)
        cache = None
        if settings.cache:
            folder = settings.cache_dir if repeat == 0 else settings.cache_dir / "repeats" / str(repeat)
            cache = ResponseCache(folder)
        return LLM(
            self.make_model(settings),
            cache=cache,
            usage=Usage(),
            concurrency=1,
            prompt_versions=subject.prompts,
            prompts_dir=self.prompts_dir,
        )


def case_texts(data: Any) -> list[str]:
    """Every string of a case's inputs (its expectations left out): what an output may quote."""
    if isinstance(data, str):
        return [data]
    if isinstance(data, Mapping):
        skip = ("expect", "must", "must_not", "must_not_contain", "keep", "why", "tags")
        return [t for key, value in data.items() if key not in skip for t in case_texts(value)]
    if isinstance(data, list):
        return [t for value in data for t in case_texts(value)]
    return []


def run_rules(cases: Sequence[Case], env: Environment) -> list[CaseResult]:
    """The rule cases through the engine (no model involved, so one column)."""
    out = []
    for case in cases:
        start = time.perf_counter()
        verdict = checks.check_rules(check(list(case.sets), env.config), case.data["must"], case.data["must_not"])
        out.append(_result(case, "engine", 0, verdict, time.perf_counter() - start))
    return out


def _result(
    case: Case, subject: str, repeat: int, verdict: checks.Checked, seconds: float, usage: Usage | None = None
) -> CaseResult:
    usage = usage or Usage()
    return CaseResult(
        case=case.id,
        kind=case.kind,
        task=case.task,
        language=case.language,
        subject=subject,
        repeat=repeat,
        passed=verdict.passed,
        checks=verdict.checks,
        counts=verdict.counts,
        output=verdict.output,
        seconds=seconds,
        tokens=usage.total_tokens,
        calls=usage.calls,
        cache_hits=usage.cache_hits,
    )


def _run_task(case: Case, llm: LLM | None, env: Environment, mode: str) -> checks.Checked:
    data, lang = case.data, case.language
    retriever, notebook, config = env.retriever, env.notebook, env.config
    if case.task == "rewrite":
        rewritten = rewrite_kr(
            data["kr"],
            objective=data.get("objective") or "",
            context=data.get("context") or "",
            language=lang,
            llm=llm,
            retriever=retriever,
            notebook=notebook,
            config=config,
        )
        inputs = [data["kr"], data.get("objective") or "", data.get("context") or ""]
        return checks.check_rewrite(
            rewritten, language=lang, keep=data.get("keep", []), inputs=inputs, known_notes=env.known_notes, mode=mode
        )
    if case.task == "questions":
        text, kind = (data["kr"], "key_result") if data.get("kr") else (data["objective"], "objective")
        asked = guiding_questions(
            text,
            kind=kind,
            objective=data.get("objective"),
            stage=data.get("stage"),
            language=lang,
            llm=llm,
            retriever=retriever,
            notebook=notebook,
            config=config,
        )
        return checks.check_questions(asked, language=lang, expect=case.expect, known_notes=env.known_notes, mode=mode)
    if case.task == "retrospective":
        drafted = draft_retrospective(
            case.sets[0],
            checkins=data.get("checkins") or {},
            language=lang,
            llm=llm,
            retriever=retriever,
            notebook=notebook,
            config=config,
        )
        return checks.check_retrospective(
            drafted,
            language=lang,
            expect=case.expect,
            inputs=case_texts(data),
            known_notes=env.known_notes,
            mode=mode,
        )
    findings = check(list(case.sets), env.config)
    return checks.check_rules(findings, data.get("must", []), data.get("must_not", []))


def run_case(case: Case, subject: Subject, env: Environment, repeat: int = 0) -> CaseResult:
    """One task case under one column; errors become a failed result, never a crash of the run."""
    llm = env.llm(subject, repeat)
    mode = "offline" if subject.offline else "llm"
    start = time.perf_counter()
    forbidden = case.data.get("must_not_contain") or []
    try:
        if case.data.get("expect_error"):
            verdict = _expect_refusal(case, llm, env, mode)
        else:
            verdict = checks.with_forbidden_words(_run_task(case, llm, env, mode), forbidden, case_texts(case.data))
        error = None
    except Exception as exc:  # one broken case must not lose the run; it is reported as failed
        verdict = checks.Checked(checks={"runs": False}, output="")
        error = f"{type(exc).__name__}: {exc}"
    result = _result(case, subject.name, repeat, verdict, time.perf_counter() - start, llm.usage if llm else None)
    result.error = error
    return result


def _expect_refusal(case: Case, llm: LLM | None, env: Environment, mode: str) -> checks.Checked:
    """Input that should be refused with a clear error (ValueError), not answered and not crashed on."""
    if case.input_error:  # the importer already refused the sets, with file, field and reason
        return checks.Checked(checks={"refuses with a clear error": True}, output=case.input_error)
    try:
        _run_task(case, llm, env, mode)
    except ValueError as exc:
        return checks.Checked(checks={"refuses with a clear error": bool(str(exc).strip())}, output=str(exc))
    return checks.Checked(checks={"refuses with a clear error": False}, output="(answered)")


def run_tasks(
    suite: Suite,
    subjects: Sequence[Subject],
    env: Environment,
    *,
    repeats: int = 1,
    concurrency: int = 4,
    on_done: Callable[[CaseResult], None] | None = None,
) -> list[CaseResult]:
    """Every non-rule case (adversarial rule cases included) × column × repeat, in a stable order."""
    cases = [c for c in suite.cases if c.kind != "rules"]
    jobs = [
        (case, subject, repeat)
        for subject in subjects
        for repeat in range(1 if subject.offline else repeats)  # the offline suggester is deterministic
        for case in cases
    ]

    def run(job: tuple[Case, Subject, int]) -> CaseResult:
        case, subject, repeat = job
        result = run_case(case, subject, env, repeat)
        if on_done is not None:
            on_done(result)
        return result

    with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
        return list(pool.map(run, jobs))
