"""Check-in analysis: each key result's progress against the time line, confidence trend and weights.

Pure functions over the model: the expected progress on a date is the elapsed share of the cycle (or of the
part up to the KR's due date); a KR behind it by the ``checkin-at-risk-gap`` / ``checkin-off-track-gap``
thresholds is at risk / off track, one not updated for more than ``checkin-stale-days`` is stale, one at 100%
before the end is done early. Findings carry CHK codes whose severity, note and texts are data
(``assistant/data/checkin.toml``); the thresholds are in ``defaults.toml`` like the rules' thresholds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ..config import Config
from ..findings import InputProblem, Severity
from ..model import DependencyStatus, KeyResult, Objective, OKRSet, SourceRef
from .cycle import CycleSpan, cycle_span
from .texts import code_info, handshake_state, label

__all__ = [
    "STATUSES",
    "CheckinFinding",
    "CheckinReview",
    "KRCheck",
    "ObjectiveCheck",
    "SetCheck",
    "Thresholds",
    "analyse_checkins",
    "figure",
    "kr_progress",
]

STATUSES = ("off_track", "at_risk", "stale", "no_data", "unknown", "on_track", "done_early")


@dataclass(frozen=True, slots=True)
class Thresholds:
    """The check-in thresholds of a config (``checkin-*`` in defaults.toml)."""

    at_risk_gap: float
    off_track_gap: float
    stale_days: float
    confidence_drop: float
    confidence_low: float
    mid_cycle: float
    weight_tolerance: float

    @classmethod
    def of(cls, config: Config) -> Thresholds:
        value = config.threshold
        return cls(
            at_risk_gap=float(value("checkin-at-risk-gap")),
            off_track_gap=float(value("checkin-off-track-gap")),
            stale_days=float(value("checkin-stale-days")),
            confidence_drop=float(value("checkin-confidence-drop")),
            confidence_low=float(value("checkin-confidence-low")),
            mid_cycle=float(value("checkin-mid-cycle")),
            weight_tolerance=float(value("checkin-weight-tolerance")),
        )


def figure(value: float | None) -> str:
    """A figure as reports print it: ``60``, ``62.5``; ``—`` for none."""
    if value is None:
        return "—"
    rounded = round(value, 1)
    return str(int(rounded)) if rounded == int(rounded) else f"{rounded:g}"


@dataclass(frozen=True, slots=True)
class CheckinFinding:
    """One check-in finding: a stable CHK code, severity, message and fix in the report's language, a note id."""

    code: str
    severity: Severity
    message: str
    fix: str
    note: str
    set_key: str
    objective: str | None = None
    key_result: str | None = None
    evidence: str = ""
    question: str = ""  # what to ask the owner at the check-in, when the code has a question
    source: SourceRef | None = None

    @property
    def item(self) -> str:
        return self.key_result or self.objective or self.set_key

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity.value,
            "set": self.set_key,
            "objective": self.objective,
            "key_result": self.key_result,
            "evidence": self.evidence,
            "message": self.message,
            "fix": self.fix,
            "question": self.question or None,
            "note": self.note,
            "source": self.source.model_dump(exclude_none=True) if self.source else None,
        }


@dataclass(frozen=True, slots=True)
class KRCheck:
    """Where one key result stands on the check-in date."""

    ref: str  # O1.KR2
    text: str
    owner: str | None
    progress: float | None
    expected: float | None
    status: str
    confidence: float | None
    updated: date | None
    weight: float | None
    reported_status: str | None
    note: str | None
    trend: tuple[tuple[date, float], ...]  # (date, progress) of every dated check-in, oldest first
    dependencies: tuple[tuple[str, str | None, str | None], ...]  # (team, point, status)

    def to_dict(self) -> dict[str, Any]:
        return {
            "ref": self.ref,
            "text": self.text,
            "owner": self.owner,
            "progress": self.progress,
            "expected": None if self.expected is None else round(self.expected, 1),
            "status": self.status,
            "confidence": self.confidence,
            "updated": self.updated.isoformat() if self.updated else None,
            "weight": self.weight,
            "reported_status": self.reported_status,
            "note": self.note,
            "trend": [{"date": day.isoformat(), "progress": value} for day, value in self.trend],
        }


@dataclass(frozen=True, slots=True)
class ObjectiveCheck:
    """An objective's weighted progress (KR weights when they are given, else the plain mean)."""

    id: str
    text: str
    weight: float | None
    progress: float | None
    key_results: tuple[KRCheck, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "text": self.text,
            "weight": self.weight,
            "progress": None if self.progress is None else round(self.progress, 1),
            "key_results": [kr.to_dict() for kr in self.key_results],
        }


@dataclass(frozen=True, slots=True)
class SetCheck:
    """One team's check-in: the time line, objectives and findings."""

    key: str
    team: str
    cycle: str | None
    span: CycleSpan | None
    elapsed: float | None  # percent of the cycle passed on the check-in date
    progress: float | None  # weighted over objectives
    objectives: tuple[ObjectiveCheck, ...]
    findings: tuple[CheckinFinding, ...]

    def key_results(self) -> list[KRCheck]:
        return [kr for objective in self.objectives for kr in objective.key_results]

    def counts(self) -> dict[str, int]:
        """How many key results have each status, in ``STATUSES`` order, zeros left out."""
        found = [kr.status for kr in self.key_results()]
        return {status: found.count(status) for status in STATUSES if status in found}

    def to_dict(self) -> dict[str, Any]:
        return {
            "set": self.key,
            "team": self.team,
            "cycle": self.cycle,
            "cycle_start": self.span.start.isoformat() if self.span else None,
            "cycle_end": self.span.end.isoformat() if self.span else None,
            "elapsed": None if self.elapsed is None else round(self.elapsed, 1),
            "progress": None if self.progress is None else round(self.progress, 1),
            "counts": self.counts(),
            "objectives": [objective.to_dict() for objective in self.objectives],
            "findings": [finding.to_dict() for finding in self.findings],
        }


@dataclass(slots=True)
class CheckinReview:
    """The result of ``okr-review checkin``: every set's check-in and the input problems met."""

    as_of: date
    language: str
    sets: list[SetCheck] = field(default_factory=list)
    problems: list[InputProblem] = field(default_factory=list)

    @property
    def findings(self) -> list[CheckinFinding]:
        return [finding for okr_set in self.sets for finding in okr_set.findings]

    def to_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "language": self.language,
            "sets": [okr_set.to_dict() for okr_set in self.sets],
            "problems": [problem.to_dict() for problem in self.problems],
        }


# ---------------------------------------------------------------- progress


def _ratio_progress(current: float | None, baseline: float | None, target: float | None) -> float | None:
    """Progress from a current value: the share of the way from baseline (0 when absent) to target, 0–100."""
    if current is None or target is None:
        return None
    start = baseline if baseline is not None else 0.0
    if target == start:
        return None
    return round(min(max((current - start) / (target - start) * 100, 0.0), 100.0), 1)


def kr_progress(kr: KeyResult) -> float | None:
    """The KR's progress: as reported, else computed from its current value against baseline and target."""
    if kr.progress is not None:
        return kr.progress
    return _ratio_progress(kr.current, kr.baseline, kr.target)


def _trend(kr: KeyResult) -> tuple[tuple[date, float], ...]:
    points = []
    for past in kr.history:
        value = past.progress if past.progress is not None else _ratio_progress(past.current, kr.baseline, kr.target)
        if value is not None:
            points.append((past.date, value))
    now = kr_progress(kr)
    if now is not None and kr.updated is not None:
        points.append((kr.updated, now))
    return tuple(points)


def _weighted(pairs: list[tuple[float | None, float | None]]) -> float | None:
    """Mean of the progresses, weighted when every item has a weight (and they are not all zero)."""
    known = [(weight, progress) for weight, progress in pairs if progress is not None]
    if not known:
        return None
    if all(weight is not None for weight, _ in pairs):
        total = sum(weight for weight, _ in known if weight is not None)
        if total > 0:
            return sum((weight or 0) * progress for weight, progress in known) / total
    return sum(progress for _, progress in known) / len(known)


# ---------------------------------------------------------------- findings


class _Findings:
    """Builds findings of one set in one language from the code table."""

    def __init__(self, okr_set: OKRSet, language: str) -> None:
        self.set_key = okr_set.key
        self.language = language
        self.items: list[CheckinFinding] = []

    def add(
        self,
        code: str,
        values: dict[str, Any],
        *,
        objective: Objective | None = None,
        kr: KeyResult | None = None,
    ) -> None:
        info = code_info(code)
        lang = self.language
        question = info.get("question", {}).get(lang, "")
        self.items.append(
            CheckinFinding(
                code=code,
                severity=Severity(info["severity"]),
                message=info["message"][lang].format(**values),
                fix=info["fix"][lang],
                note=info["note"],
                set_key=self.set_key,
                objective=objective.id if objective else None,
                key_result=objective.kr_ref(kr) if objective and kr else None,
                evidence=(kr.text if kr else objective.text if objective else ""),
                question=question.format(**values) if question else "",
                source=(kr.source if kr else objective.source if objective else None),
            )
        )


def _status(
    progress: float | None,
    expected: float | None,
    kr: KeyResult,
    as_of: date,
    span: CycleSpan | None,
    limits: Thresholds,
) -> str:
    """on_track / at_risk / off_track / stale / done_early / no_data / unknown, in that order of checks."""
    ended = span is not None and as_of >= span.end
    if progress is not None and progress >= 100:
        return "on_track" if ended else "done_early"
    if kr.updated is not None and (as_of - kr.updated).days > limits.stale_days:
        return "stale"
    if progress is None:
        return "no_data"
    if expected is None:
        return "unknown"
    gap = expected - progress
    if gap >= limits.off_track_gap:
        return "off_track"
    if gap >= limits.at_risk_gap:
        return "at_risk"
    return "on_track"


def _check_kr(
    objective: Objective,
    kr: KeyResult,
    *,
    owner: str,
    as_of: date,
    span: CycleSpan | None,
    limits: Thresholds,
    found: _Findings,
    lang: str,
) -> KRCheck:
    ref = objective.kr_ref(kr)
    progress = kr_progress(kr)
    expected = None if span is None else span.elapsed(as_of, kr.due) * 100
    status = _status(progress, expected, kr, as_of, span, limits)
    who = kr.owner or objective.owner or owner or label("owner_unknown", lang)
    base = {"kr": ref, "owner": who, "progress": figure(progress), "expected": figure(expected)}
    if status in ("at_risk", "off_track"):
        assert progress is not None and expected is not None
        code = "CHK001" if status == "at_risk" else "CHK002"
        found.add(code, {**base, "gap": figure(expected - progress)}, objective=objective, kr=kr)
    elif status == "stale":
        assert kr.updated is not None
        days = (as_of - kr.updated).days
        values = {**base, "updated": kr.updated.isoformat(), "as_of": as_of.isoformat(), "days": days}
        found.add("CHK003", {**values, "max": figure(limits.stale_days)}, objective=objective, kr=kr)
    elif status == "done_early":
        left = 100 - (span.elapsed(as_of) * 100 if span else 0)
        found.add("CHK004", {**base, "left": figure(left)}, objective=objective, kr=kr)
    elif status == "no_data":
        found.add("CHK010", base, objective=objective, kr=kr)
    _confidence(objective, kr, base, as_of=as_of, span=span, limits=limits, found=found)
    trend = _trend(kr)
    _task_in_disguise(objective, kr, base, trend, found)
    if status in ("at_risk", "off_track", "stale"):
        _blocking_handshakes(objective, kr, base, found, lang)
    return KRCheck(
        ref=ref,
        text=kr.text,
        owner=who,
        progress=progress,
        expected=expected,
        status=status,
        confidence=kr.confidence,
        updated=kr.updated,
        weight=kr.weight,
        reported_status=kr.status,
        note=kr.checkin_note,
        trend=trend,
        dependencies=tuple((d.team, d.point, d.status.value if d.status else None) for d in kr.dependencies),
    )


def _confidence(
    objective: Objective,
    kr: KeyResult,
    base: dict[str, Any],
    *,
    as_of: date,
    span: CycleSpan | None,
    limits: Thresholds,
    found: _Findings,
) -> None:
    now = kr.confidence
    if now is None:
        return
    earlier = [(past.confidence, past.date) for past in kr.history if past.confidence is not None]
    if earlier:
        peak, since = max(earlier, key=lambda item: (item[0], item[1]))
        if peak - now >= limits.confidence_drop:
            values = {**base, "before": figure(peak), "after": figure(now), "drop": figure(peak - now)}
            found.add("CHK005", {**values, "since": since.isoformat()}, objective=objective, kr=kr)
    if span is not None:
        elapsed = span.elapsed(as_of) * 100
        if elapsed >= limits.mid_cycle and now < limits.confidence_low and (kr_progress(kr) or 0) < 100:
            values = {**base, "elapsed": figure(elapsed), "confidence": figure(now)}
            found.add("CHK006", {**values, "min": figure(limits.confidence_low)}, objective=objective, kr=kr)


def _task_in_disguise(
    objective: Objective, kr: KeyResult, base: dict[str, Any], trend: tuple[tuple[date, float], ...], found: _Findings
) -> None:
    """Progress that only ever reads 0 or 100, starting at 0 and ending at 100: a delivery, not a result."""
    values = [value for _, value in trend]
    if len(values) < 2 or any(value not in (0, 100) for value in values):
        return
    if values[0] == 0 and values[-1] == 100:
        series = " → ".join(f"{figure(value)}%" for value in values)
        found.add("CHK009", {**base, "checkins": len(values), "series": series}, objective=objective, kr=kr)


def _blocking_handshakes(
    objective: Objective, kr: KeyResult, base: dict[str, Any], found: _Findings, lang: str
) -> None:
    for dependency in kr.dependencies:
        if dependency.status is DependencyStatus.accepted:
            continue
        state = dependency.status.value if dependency.status else "none"
        values = {
            **base,
            "team": dependency.team,
            "point": dependency.point or "—",
            "state": handshake_state(state, lang),
        }
        found.add("CHK011", values, objective=objective, kr=kr)


def _weights(okr_set: OKRSet, limits: Thresholds, found: _Findings, lang: str) -> None:
    if any(objective.weight is not None for objective in okr_set.objectives):
        total = sum(objective.weight or 0 for objective in okr_set.objectives)
        if abs(total - 100) > limits.weight_tolerance:
            found.add("CHK008", {"team": okr_set.team, "total": figure(total)})
    for objective in okr_set.objectives:
        if any(kr.weight is not None for kr in objective.key_results):
            total = sum(kr.weight or 0 for kr in objective.key_results)
            if abs(total - 100) > limits.weight_tolerance:
                found.add("CHK007", {"objective": objective.id, "total": figure(total)}, objective=objective)


def check_set(okr_set: OKRSet, as_of: date, config: Config, language: str) -> SetCheck:
    """The check-in of one set on ``as_of``."""
    limits = Thresholds.of(config)
    span = cycle_span(okr_set)
    found = _Findings(okr_set, language)
    objectives = []
    for objective in okr_set.objectives:
        krs = tuple(
            _check_kr(
                objective,
                kr,
                owner=objective.owner or okr_set.owner or "",
                as_of=as_of,
                span=span,
                limits=limits,
                found=found,
                lang=language,
            )
            for kr in objective.key_results
        )
        progress = _weighted([(kr.weight, kr.progress) for kr in krs])
        objectives.append(ObjectiveCheck(objective.id, objective.text, objective.weight, progress, krs))
    _weights(okr_set, limits, found, language)
    progress = _weighted([(objective.weight, objective.progress) for objective in objectives])
    return SetCheck(
        key=okr_set.key,
        team=okr_set.team,
        cycle=okr_set.cycle,
        span=span,
        elapsed=None if span is None else span.elapsed(as_of) * 100,
        progress=progress,
        objectives=tuple(objectives),
        findings=tuple(found.items),
    )


def analyse_checkins(
    sets: list[OKRSet], as_of: date, *, config: Config | None = None, language: str = "zh"
) -> CheckinReview:
    """Every set's check-in on ``as_of``; merge a series first with ``series.merge_series``."""
    config = config or Config()
    review = CheckinReview(as_of=as_of, language=language)
    review.sets = [check_set(okr_set, as_of, config, language) for okr_set in sets]
    return review
