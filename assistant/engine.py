"""Run the CLASSIC rules over OKR sets and turn their hits into findings.

``check`` is pure: sets and a config in, findings out, in a stable order (set, then objective,
then key result, then rule code). Inline suppression: a note on an objective or key result
containing ``okr-review: ignore`` (all rules) or ``okr-review: ignore MEA001, OUT001`` silences
those rules for that item.

One language per run: the config's, or with ``auto`` the one most of the input is written in, so that
every message of a report matches its labels. A post-pass folds a notice repeated over a set for a
set-wide cause (no owners, no cycle) into one set-level finding (``assistant.triage``).

With ``jobs`` > 1 a large batch is spread over worker processes: each checks a run of whole sets
(item and set rules, and the fold) while the cross-set (batch) rules run in the calling process,
so the findings are the same as in one process. Sets reach forked workers by inheritance,
never pickled; findings come back as plain tuples whose texts and sources point into the sets.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import signal
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import fields, replace
from functools import cache
from typing import Any, cast

from ._gc import paused_gc
from .config import Config
from .findings import Dimension, Finding, Severity
from .model import KeyResult, Objective, OKRSet
from .rules import REGISTRY, BatchContext, Hit, KRContext, ObjectiveContext, Rule, Scope, SetContext
from .rules.facts import FactsMemo
from .shipped import data_table
from .triage import fold_repeats, resolve_language

_SUPPRESS = re.compile(r"okr-review\s*[:：]\s*ignore\b(?P<codes>[\sA-Za-z0-9,，、]*)", re.IGNORECASE)
_CODE = re.compile(r"[A-Z]{3}\d{3}")
_ALL = frozenset({"*"})

ProgressCallback = Callable[[int], None]


def suppressed_codes(note: str | None) -> frozenset[str]:
    """Codes an item's note silences; ``{"*"}`` for all."""
    if not note:
        return frozenset()
    codes: set[str] = set()
    for match in _SUPPRESS.finditer(note):
        found = _CODE.findall(match.group("codes").upper())
        if not found:
            return _ALL
        codes.update(found)
    return frozenset(codes)


class _Runner:
    """Holds the enabled rules of one config, split by scope, and the batch's findings."""

    def __init__(self, config: Config, lang: str) -> None:
        self.config = config
        self.lang = lang  # the language of every message of the run
        enabled = [r for r in REGISTRY.values() if config.enabled(r.info)]
        self.by_scope: dict[Scope, list[Rule]] = {
            scope: sorted((r for r in enabled if scope in r.scopes), key=lambda r: r.info.code) for scope in Scope
        }
        self.item_checks = {scope: [(r, r.check) for r in self.by_scope[scope]] for scope in Scope}
        self.severity = {r.info.code: config.severity_of(r.info) for r in enabled}
        self.findings: list[Finding] = []
        self.texts: dict[str, str] = {}
        self.memo = FactsMemo(())

    def expect(self, sets: Iterable[OKRSet]) -> None:
        """Count the texts of the sets about to be checked, so that each repeated text is read once."""
        self.memo = FactsMemo(
            text
            for okr_set in sets
            for objective in okr_set.objectives
            for text in (objective.text, *(kr.text for kr in objective.key_results))
        )

    def add(
        self,
        rule: Rule,
        hit: Hit,
        okr_set: OKRSet,
        objective: Objective | None,
        kr: KeyResult | None,
    ) -> None:
        item = kr or objective
        if item is not None and item.note:
            silenced = suppressed_codes(item.note)
            if silenced is _ALL or rule.info.code in silenced:
                return
        lang = self.lang
        params = _localise(hit.params, lang) if hit.params else hit.params
        info = rule.info
        texts = self.texts  # one copy of each message and fix: most repeat, and 100,000 KRs give 200,000 findings
        message = info.message[lang].format_map(params)
        fix = info.fix[lang].format_map(params)
        self.findings.append(
            Finding(
                info.code,
                info.dimension,
                self.severity[info.code],
                texts.setdefault(message, message),
                texts.setdefault(fix, fix),
                info.note,
                okr_set.key,
                objective.id if objective else None,
                f"{objective.id}.{kr.id}" if objective and kr else None,
                hit.evidence if hit.evidence is not None else (item.text if item else okr_set.key),
                hit.span,
                (item.source if item is not None else None) or okr_set.source,
            )
        )

    def run_item(self, scope: Scope, ctx: Any, okr_set: OKRSet, objective: Objective, kr: KeyResult | None) -> None:
        # The hot loop: about 25 rules for each of 100,000 items; item-scope rules return at most one hit.
        hit: Any
        for rule, check in self.item_checks[scope]:
            hit = check(ctx)
            if hit is not None:
                self.add(rule, hit, okr_set, objective, kr)

    def run_many(self, scope: Scope, ctx: Any, default_set: OKRSet | None) -> None:
        for rule in self.by_scope[scope]:
            for hit in cast(Iterable[Hit] | None, rule.check(ctx)) or ():  # set and cross-set rules: many
                okr_set = hit.okr_set or default_set
                if okr_set is None:
                    raise ValueError(f"{rule.info.code}: a cross-set rule's hit must name its set")
                self.add(rule, hit, okr_set, hit.objective, hit.kr)


def _localise(params: Mapping[str, Any], lang: str) -> Mapping[str, Any]:
    """Pick the language's value for params given as {"zh": …, "en": …}."""
    for value in params.values():  # a loop, not any(…): this runs for each of 200,000 findings
        if isinstance(value, Mapping):
            break
    else:
        return params
    return {k: (v.get(lang, v.get("en")) if isinstance(v, Mapping) else v) for k, v in params.items()}


def check(
    sets: Sequence[OKRSet],
    config: Config | None = None,
    *,
    on_progress: ProgressCallback | None = None,
    fold: bool = True,
    jobs: int = 1,
) -> list[Finding]:
    """Every finding for the given sets, checked together so that cross-set rules see the whole batch.

    ``on_progress`` is called after each set (or run of sets) with the number of key results it held.
    ``fold=False`` keeps a set-wide notice as one finding per item (for callers that need every item's
    findings). ``jobs`` > 1 checks a large batch in that many worker processes, with the same result.
    """
    config = config or Config()
    runner = _Runner(config, resolve_language(config.language, sets))
    with paused_gc():
        if _worth_workers(sets, jobs):
            # The workers check the sets while this process runs the batch rules.
            pool, pending = _check_in_workers(sets, runner, on_progress, fold, jobs)
            try:
                batch = _check_batch(sets, runner)
                per_set = list(pending)
            finally:
                _close(pool)
        else:
            runner.expect(sets)
            per_set = [_check_set(runner, okr_set, on_progress, fold) for okr_set in sets]
            batch = _check_batch(sets, runner)
        return _in_order(sets, per_set, batch)


def _check_batch(sets: Sequence[OKRSet], runner: _Runner) -> list[Finding]:
    """The findings of the cross-set rules, which see the whole batch."""
    runner.findings = []
    runner.run_many(Scope.batch, BatchContext(list(sets), runner.config), None)
    return runner.findings


def _check_set(runner: _Runner, okr_set: OKRSet, on_progress: ProgressCallback | None, fold: bool) -> list[Finding]:
    """The findings of the item and set rules on one set, with set-wide repeats folded unless ``fold`` is off."""
    cfg = runner.config
    runner.findings = []
    runner.run_many(Scope.set, SetContext(okr_set, cfg), okr_set)
    read = runner.memo.facts
    for objective in okr_set.objectives:
        facts = read(objective.text)
        runner.run_item(Scope.objective, ObjectiveContext(okr_set, objective, facts, cfg), okr_set, objective, None)
        for kr in objective.key_results:
            kr_facts = read(kr.text)
            ctx = KRContext(okr_set, objective, kr, kr_facts, cfg, facts)
            runner.run_item(Scope.key_result, ctx, okr_set, objective, kr)
    found = fold_repeats(runner.findings, okr_set, runner.lang) if fold else runner.findings
    if on_progress:
        on_progress(_kr_count(okr_set))
    return found


def _kr_count(okr_set: OKRSet) -> int:
    return sum(len(o.key_results) for o in okr_set.objectives)


# ---------------------------------------------------------------- worker processes


@cache
def _parallel_settings() -> Mapping[str, Any]:
    return data_table("engine")["parallel"]


def default_jobs() -> int:
    """The cores this process may run on: the default of ``check --jobs``."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _worth_workers(sets: Sequence[OKRSet], jobs: int) -> bool:
    """Workers pay off only for batches of several sets and enough key results to cover their start-up."""
    if jobs <= 1 or len(sets) < 2:
        return False
    return sum(_kr_count(s) for s in sets) >= int(_parallel_settings()["min-key-results"])


def chunk_bounds(sizes: Sequence[int], pieces: int) -> list[tuple[int, int]]:
    """Cut a run of sets (their key result counts) into at most ``pieces`` runs of about equal weight."""
    total = sum(sizes) + len(sizes)  # an empty set still costs a little
    bounds: list[tuple[int, int]] = []
    start = done = 0
    for i, size in enumerate(sizes):
        done += size + 1
        if done * pieces >= total * (len(bounds) + 1) or i == len(sizes) - 1:
            bounds.append((start, i + 1))
            start = i + 1
    return bounds


# What forked workers inherit: the sets, the runner and whether to fold. Set only while a pool is open.
_FORKED: tuple[Sequence[OKRSet], _Runner, bool] | None = None
_WORKER: tuple[_Runner, bool] | None = None  # a spawned worker's runner


def _start_method() -> str:
    """``fork`` where the platform has it (workers inherit the sets, nothing to pickle), else ``spawn``."""
    return "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"


def _check_in_workers(
    sets: Sequence[OKRSet],
    runner: _Runner,
    on_progress: ProgressCallback | None,
    fold: bool,
    jobs: int,
    method: str | None = None,
) -> tuple[Any, Iterator[list[Finding]]]:
    """The pool of ``jobs`` worker processes, started at once, and per set, in order, the findings they send.

    The caller closes the pool with ``_close`` when done, or on an error.
    """
    global _FORKED
    method = method or _start_method()
    sizes = [_kr_count(s) for s in sets]
    bounds = chunk_bounds(sizes, jobs * int(_parallel_settings()["chunks-per-job"]))
    jobs = min(jobs, len(bounds))
    if method == "fork":
        # One run of sets per worker process: a forked worker copies every page whose objects it touches,
        # and ending it after one run hands those copies back instead of growing over the whole batch.
        _FORKED = (sets, runner, fold)
        tasks: list[tuple[int, int, Sequence[OKRSet] | None]] = [(a, b, None) for a, b in bounds]
        with _termination_blocked():  # the pool's threads, which fork the later workers, inherit the mask
            pool = multiprocessing.get_context("fork").Pool(jobs, maxtasksperchild=1)
    else:
        tasks = [(a, b, list(sets[a:b])) for a, b in bounds]
        init = (_portable(runner.config), runner.lang, fold)
        pool = multiprocessing.get_context(method).Pool(jobs, initializer=_start_worker, initargs=init)
    try:
        results = pool.imap(_work, tasks)
    except BaseException:
        _close(pool)
        raise
    return pool, _collect(results, sets, bounds, sizes, runner.texts, on_progress)


def _close(pool: Any) -> None:
    """Stop the workers and forget the sets they were forked with."""
    global _FORKED
    pool.terminate()
    _FORKED = None


def _collect(
    results: Iterator[tuple[list[int], list[tuple]]],
    sets: Sequence[OKRSet],
    bounds: list[tuple[int, int]],
    sizes: list[int],
    texts: dict[str, str],
    on_progress: ProgressCallback | None,
) -> Iterator[list[Finding]]:
    """Per set, in order, the findings the workers send back, with progress after each run of sets."""
    for (start, stop), (counts, rows) in zip(bounds, results, strict=True):
        yield from _rebuild(sets[start:stop], counts, rows, texts)
        if on_progress:
            on_progress(sum(sizes[start:stop]))


def _portable(config: Config) -> Config:
    """The config with plain dicts for its read-only tables (``MappingProxyType``), so that it pickles."""
    tables = {f.name: getattr(config, f.name) for f in fields(config)}
    return replace(config, **{name: _plain(value) for name, value in tables.items() if isinstance(value, Mapping)})


def _plain(value: Any) -> Any:
    return {k: _plain(v) for k, v in value.items()} if isinstance(value, Mapping) else value


_TERMINATION = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))


@contextmanager
def _termination_blocked() -> Iterator[None]:
    """SIGTERM and SIGHUP held back in this thread (and in the threads and processes it starts) inside the block.

    A worker is forked with the caller's signal handlers; the CLI's turns SIGTERM into ``SystemExit``, which
    a worker cannot run before it has started, and a SIGTERM from ``Pool.terminate`` that arrives then is
    lost: the worker waits for a task for ever and the run never ends. Held back, the signal waits until the
    new worker has the default handling (``_forked_worker_signals``), which then ends it at once.
    """
    if not hasattr(signal, "pthread_sigmask"):  # not on Windows, which has no fork either
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, _TERMINATION)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _default_signals() -> None:
    """In a worker: end at once when the pool terminates it, and leave Ctrl-C to the calling process."""
    for number in _TERMINATION:
        signal.signal(number, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _forked_worker_signals() -> None:
    """Right after any fork: a worker of an open pool takes the default handling, then lets held signals in."""
    if _FORKED is not None:
        _default_signals()
        if hasattr(signal, "pthread_sigmask"):
            signal.pthread_sigmask(signal.SIG_UNBLOCK, _TERMINATION)


# At the fork itself, not in the pool's initializer: a worker is terminable before it runs any of its code.
if hasattr(os, "register_at_fork"):  # not on Windows, which has no fork either
    os.register_at_fork(after_in_child=_forked_worker_signals)


def _start_worker(config: Config, lang: str, fold: bool) -> None:
    global _WORKER
    _default_signals()
    _WORKER = (_Runner(config, lang), fold)


def _work(task: tuple[int, int, Sequence[OKRSet] | None]) -> tuple[list[int], list[tuple]]:
    """In a worker: check sets ``start:stop``; per set the number of findings, and every finding as a row."""
    start, stop, given = task
    if given is None:
        assert _FORKED is not None, "a forked worker inherits the sets"
        sets, runner, fold = _FORKED
        chunk = sets[start:stop]
    else:
        assert _WORKER is not None, "a spawned worker is started with its runner"
        (runner, fold), chunk = _WORKER, given
    counts: list[int] = []
    rows: list[tuple] = []
    runner.expect(chunk)
    with paused_gc():
        for okr_set in chunk:
            found = _check_set(runner, okr_set, None, fold)
            counts.append(len(found))
            rows.extend(_to_rows(found, _shared_objects(okr_set)))
    return counts, rows


def _shared_objects(okr_set: OKRSet) -> list[Any]:
    """The objects of a set that findings point at (sources, item texts), in an order both processes can rebuild."""
    shared: list[Any] = [okr_set.source]
    for objective in okr_set.objectives:
        shared += (objective.text, objective.source)
        for kr in objective.key_results:
            shared += (kr.text, kr.source)
    return shared


def _to_rows(findings: Iterable[Finding], shared: list[Any]) -> Iterator[tuple]:
    """Findings as tuples of plain values; evidence and source as indexes into ``shared`` where they are its objects."""
    index = {id(obj): i for i, obj in enumerate(shared) if obj is not None}
    for f in findings:
        evidence = index.get(id(f.evidence), f.evidence)
        source = None if f.source is None else index.get(id(f.source), f.source)
        yield (
            f.code,
            f.dimension.value,
            f.severity.value,
            f.message,
            f.fix,
            f.note,
            f.set_key,
            f.objective,
            f.key_result,
            evidence,
            f.span,
            source,
        )


_DIMENSIONS = {d.value: d for d in Dimension}
_SEVERITIES = {s.value: s for s in Severity}


def _rebuild(
    sets: Sequence[OKRSet], counts: list[int], rows: list[tuple], texts: dict[str, str]
) -> Iterator[list[Finding]]:
    """Per set, the findings a worker sent as rows, pointing at this process's own texts and sources.

    Messages and fixes go through ``texts`` so that each is held once, as in a one-process run.
    """
    at = 0
    dims, sevs = _DIMENSIONS, _SEVERITIES
    for okr_set, count in zip(sets, counts, strict=True):
        shared = _shared_objects(okr_set)
        found: list[Finding] = []
        for code, dim, sev, message, fix, note, key, obj, kr, evidence, span, source in rows[at : at + count]:
            if type(evidence) is int:
                evidence = shared[evidence]
            if type(source) is int:
                source = shared[source]
            message, fix = texts.setdefault(message, message), texts.setdefault(fix, fix)
            found.append(Finding(code, dims[dim], sevs[sev], message, fix, note, key, obj, kr, evidence, span, source))
        at += count
        yield found


def _in_order(sets: Sequence[OKRSet], per_set: list[list[Finding]], batch: list[Finding]) -> list[Finding]:
    """Stable order: by set, then objective, then key result, then code; set-level findings first."""
    position: dict[tuple[str, str | None, str | None], int] = {}
    counter = 0
    for okr_set in sets:
        for key in _item_keys(okr_set):
            if key not in position:
                position[key] = counter
                counter += 1
    merged: list[Finding] = [f for findings in per_set for f in findings] + batch
    return sorted(merged, key=lambda f: (position.get((f.set_key, f.objective, f.key_result), counter), f.code))


def _item_keys(okr_set: OKRSet) -> Iterable[tuple[str, str | None, str | None]]:
    yield okr_set.key, None, None
    for objective in okr_set.objectives:
        yield okr_set.key, objective.id, None
        for kr in objective.key_results:
            yield okr_set.key, objective.id, objective.kr_ref(kr)
