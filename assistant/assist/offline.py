"""The deterministic suggester: rewrite templates, guiding questions from the notes, retrospective skeletons.

Used when no LLM endpoint is configured, when the LLM fails, and as the baseline the evaluation
compares LLM output with. It builds the same pydantic objects as the LLM path (``schemas.py``).
It never invents a figure: what the input does not say stays a placeholder (〔基线〕, [target] …)
for the team to fill. Word lists and sentences live in ``assistant/data/suggestions.toml``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Literal

from .. import scoring
from ..analysis.language import detect_language
from ..analysis.quantities import Quantity, QuantityFacts, analyse_quantities, find_quantities
from ..analysis.timebounds import find_timebound
from ..config import Config
from ..findings import Finding
from ..model import OKRSet
from ..rules import lexicon
from ..rules.catalogue import tagged
from ..rules.shape import find_work, work_at_end, work_at_start
from ..stages import stage_key, stage_table
from ..texts import LANGUAGES
from .candidates import PLACEHOLDERS, figure_text, placeholders_in, suggestions
from .metrics import Metric, baseline_in, deadline_in, pick_metrics, vague_subject, without_injection
from .schemas import AchievedKR, GuidingQuestion, MissedKR, Obstacle, RetrospectiveDraft, RewriteCandidate
from .wording import normalised, one_line, unique

if TYPE_CHECKING:
    from ..knowledge import Note, NoteBook

__all__ = [
    "QUESTION_NOTES",
    "STAGE_NOTE",
    "guess_obstacle",
    "note_questions",
    "obstacle_guess",
    "questions_from_notes",
    "render_retrospective_markdown",
    "retrospective_skeleton",
    "template_rewrites",
]

MAX_TEMPLATES = 3
QUESTION_NOTES = {"objective": "guiding-questions-o", "key_result": "guiding-questions-kr"}
STAGE_NOTE = "business-stage-workshop"
RETRO_NOTES = ("scoring", "retrospective")
MIN_QUESTIONS, MAX_QUESTIONS = 3, 6

_PUNCT = " \t\r\n，,。.；;：:！!？?、（）()【】「」“”\"'‘’~～—–-/·"  # clause edges
_TRIM = _PUNCT + "<>≤≥=＜＞+＋%％"  # the edges of the words naming a metric
_SPACES = re.compile(r"\s+")
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")


def _check_language(language: str) -> str:
    if language not in LANGUAGES:
        raise ValueError(f"language must be zh or en, not {language!r}")
    return language


def _capitalised(text: str) -> str:
    """An English sentence with a capital first letter (placeholders and Chinese left alone)."""
    return text[:1].upper() + text[1:] if text[:1].isascii() and text[:1].isalpha() else text


# ---------------------------------------------------------------- what a KR measures


@cache
def _edge_words() -> tuple[str, ...]:
    table = suggestions()["edge_words"]
    return tuple(sorted({*table["zh"], *table["en"]}, key=len, reverse=True))  # longest first


def _strip_edges(text: str) -> str:
    """Punctuation and edge words (持续, 进一步, from, to …) cut from both ends until nothing changes."""
    words = _edge_words()
    while True:
        before = text
        text = text.strip(_TRIM)
        lower = text.lower()
        for word in words:
            if word.isascii():
                if lower.startswith(word + " ") or lower == word:
                    text = text[len(word) :]
                    break
                if lower.endswith(" " + word):
                    text = text[: -len(word)]
                    break
            elif text.startswith(word) and len(text) > len(word):
                text = text[len(word) :]
                break
            elif text.endswith(word) and len(text) > len(word):
                text = text[: -len(word)]
                break
        if text == before:
            return text


def _cut_at_verbs(text: str) -> str:
    """Drop a vague or status-quo verb at the start ("提升客户满意度"); cut the text before a later one."""
    for name in ("vague_verbs", "status_quo"):
        words = lexicon.get(name)
        for _ in range(4):  # a few verbs at most; stops early when none is left
            match = words.find(text)
            if match is None:
                break
            text = _strip_edges(text[match.end :] if not text[: match.start].strip(_TRIM) else text[: match.start])
    return text


def _figure_spans(text: str) -> list[tuple[int, int]]:
    """Where the figures and placeholders of the text are, in order."""
    spans = [q.span for q in find_quantities(text)]
    for token in placeholders_in(text):
        spans += [m.span() for m in re.finditer(re.escape(token), text)]
    return sorted(spans)


def _measured_words(clause: str) -> str:
    """The words of a clause that name what it measures: "季度末客户续约率从 70% 提升到 85%" → "客户续约率".

    The deadline is removed; the words before the first figure count, or, when there are none, the
    words after the last one; vague and status-quo verbs and edge words are cut away.
    """
    text = clause
    bound = find_timebound(text)
    if bound is not None:
        text = text[: bound.span[0]] + " " + text[bound.span[1] :]
    spans = _figure_spans(text)
    if spans:
        head = _strip_edges(_cut_at_verbs(_strip_edges(text[: spans[0][0]])))
        if head:
            return head
        text = text[spans[-1][1] :]
    return _strip_edges(_cut_at_verbs(_strip_edges(text)))


def _matches_any(text: str, words: Iterable[str]) -> bool:
    lower = text.lower()
    latin = {w.lower() for w in _LATIN_WORD.findall(text)}
    for word in words:
        if word.isascii():
            if (" " in word and word.lower() in lower) or word.lower() in latin:
                return True
        elif word in text:
            return True
    return False


def _names_a_metric(subject: str) -> bool:
    """Whether the phrase already names something countable: "客户满意度", "churn rate"."""
    table = suggestions()["metric_words"]
    stripped = subject.strip()
    words = _LATIN_WORD.findall(stripped)
    if words and stripped[-1:].isascii():
        return words[-1].lower() in {w.lower() for w in table["en"]} or words[-1] in table["zh"]
    return any(stripped.endswith(w) for w in table["zh"])


def _direction(text: str, subject: str, facts: QuantityFacts) -> str:
    """up, down or neutral: a direction verb first, then the figures, then the metric's words."""
    table = suggestions()["direction"]
    found: list[tuple[int, str]] = []
    for way, key in (("up", "up_verbs"), ("down", "down_verbs")):
        for word in (*table[key]["zh"], *table[key]["en"]):
            index = _find_word(text, word)
            if index >= 0:
                found.append((index, way))
    if found:
        return min(found)[1]
    if facts.baseline is not None and facts.target is not None and facts.target.value != facts.baseline.value:
        return "down" if facts.target.value < facts.baseline.value else "up"
    lower_better = (*table["lower_is_better"]["zh"], *table["lower_is_better"]["en"])
    if _matches_any(subject, lower_better):
        return "down"
    return "up" if _names_a_metric(subject) else "neutral"


def _find_word(text: str, word: str) -> int:
    """Position of ``word`` in ``text``: a substring for Chinese, a whole word (any case) for English."""
    if not word.isascii():
        return text.find(word)
    match = re.search(rf"(?<![A-Za-z]){re.escape(word)}(?![A-Za-z])", text, re.IGNORECASE)
    return match.start() if match else -1


# ---------------------------------------------------------------- rewrite templates


@dataclass(frozen=True, slots=True)
class _Activity:
    """A clause that names work: its verb, the object of the work, and whether the verb comes first."""

    clause: str
    verb: str
    object: str
    verb_first: bool


def _activity(clause: str) -> _Activity | None:
    match = work_at_start(clause)
    if match is not None:
        rest = clause[match.end :].strip(_PUNCT)
        return _Activity(clause[match.start :].strip(_PUNCT), match.text, rest, True) if rest else None
    match = work_at_end(clause)
    if match is not None:
        rest = clause[: match.start].strip(_PUNCT)
        return _Activity(clause.strip(_PUNCT), match.text, rest, False) if rest else None
    match = find_work(clause)  # after a rhythm or a date: "每周召开一次技术分享会", "Q3 上线会员体系"
    if match is not None:
        rest = _without_leading_count(clause[match.end :].strip(_PUNCT))
        return _Activity(clause[match.start :].strip(_PUNCT), match.text, rest, True) if rest else None
    return None


def _without_leading_count(text: str) -> str:
    """The object of the work without the count of times it is done: "一次技术分享会" → "技术分享会"."""
    figures = find_quantities(text)
    if figures and figures[0].span[0] == 0:
        return text[figures[0].span[1] :].strip(_PUNCT)
    return text


def _object_core(text: str) -> str:
    """The object of the work without a second work verb at its ends: "会员体系开发" → "会员体系"."""
    for _ in range(2):
        match = work_at_end(text) or work_at_start(text)
        if match is None:
            break
        rest = (text[: match.start] + text[match.end :]).strip(_PUNCT)
        if not rest:
            break
        text = rest
    return text


def _clauses(text: str) -> list[str]:
    parts = lexicon.pattern("result_separators").split(text)
    return [p.strip(_PUNCT) for p in parts if p.strip(_PUNCT)]


def _unit_of(quantity: Quantity | None) -> str:
    if quantity is None:
        return ""
    if quantity.kind == "percent":
        return "%"
    return quantity.unit or ""


def _slot(quantity: Quantity | None, placeholder: str, unit: str, language: str) -> str:
    """A template slot: the KR's own figure with its unit, else the placeholder with the unit of the
    KR's other figures ("〔目标值〕%", "[target] ms")."""
    if quantity is not None:
        shown = figure_text(quantity)
        own = quantity.unit or ""
        if quantity.kind == "percent" or not own or own in shown:
            return shown
        return shown + (own if language == "zh" else f" {own}")
    if not unit:
        return placeholder
    return placeholder + unit if unit == "%" or language == "zh" else f"{placeholder} {unit}"


def _deadline_phrase(bound_text: str | None, language: str) -> str:
    """The deadline as the templates use it: "〔截止日期〕前", "9月30日前", "by [deadline]", "by end of Q3"."""
    table = suggestions()["templates"][language]
    text = bound_text.strip() if bound_text else PLACEHOLDERS[language]["deadline"]
    if language == "zh":
        if text.endswith(tuple(table["deadline_kept_endings"])):
            return text
        return text + table["deadline_suffix"]
    lower = text.lower()
    if any(lower == s or lower.startswith(s + " ") for s in table["deadline_kept_starts"]):
        return text
    return f"{table['deadline_prefix']} {text}"


def _rationale(findings: Sequence[Finding], language: str, has_placeholders: bool) -> str:
    """The most severe finding a template fixes, in a sentence; then what to do with the placeholders."""
    table = suggestions()["rationale"][language]
    # most severe first; a missing deadline (tag "deadline") only when nothing else was found
    deadline = tagged("deadline")
    ranked = sorted(enumerate(findings), key=lambda p: (-p[1].severity.rank, p[1].code in deadline, p[0]))
    sentence = table["default"]
    for _, finding in ranked:
        if finding.code in table:
            evidence = one_line(finding.evidence)
            sentence = table[finding.code].format(evidence=evidence[:30] + ("…" if len(evidence) > 30 else ""))
            break
    sep = "" if language == "zh" else " "
    return sentence + (sep + table["placeholders"] if has_placeholders else "")


def template_rewrites(
    kr_text: str, *, objective: str, findings: Sequence[Finding], language: str, context: str = ""
) -> list[RewriteCandidate]:
    """2–3 rewrites of a KR on fixed templates, with placeholders for every figure the KR does not give.

    The KR's own words are kept where they name what is measured (vague verbs such as 提升 / improve
    removed), and so are its figures and deadline; the direction (提升到 / 降到, rises / falls) comes
    from the KR's verb or the metric, and is left open (变为 / moves) when neither tells. An activity
    ("上线新版搜索") becomes the result it should bring ("新版搜索上线后，〔指标〕从〔基线〕变为〔目标值〕
    （〔截止日期〕前）"). A KR that repeats its ``objective`` (OUT003) keeps none of its words as the
    metric. The templates are written to pass :func:`~assistant.assist.candidates.check_candidate`
    with the KR and objective as inputs (tests/assist/test_offline.py holds them to it).

    When the KR does not name a metric (or is an activity), the metric library
    (:mod:`~assistant.assist.metrics`) proposes the outcome metrics of the function the KR, the
    objective and ``context`` point to; a figure or date the context states for the metric is used
    as the baseline or deadline. Words that read as instructions never reach a template.
    """
    lang = _check_language(language)
    table = suggestions()["templates"][lang]
    ph = PLACEHOLDERS[lang]
    codes = {f.code for f in findings}
    text = one_line(without_injection(kr_text))
    if not text:
        return _library_rewrites("", objective, findings, lang, context, bound_text=None) or []

    activity: _Activity | None = None
    metric_clause = ""
    for clause in _clauses(text):
        found = _activity(clause)
        if found is not None and activity is None and (codes & tagged("activity") or not find_quantities(clause)):
            activity = found
        elif not metric_clause and _measured_words(clause):
            metric_clause = clause
    if activity is None and not metric_clause:
        metric_clause = text

    facts = analyse_quantities(metric_clause)
    subject = "" if codes & tagged("repeats-objective") or not metric_clause else _measured_words(metric_clause)
    if subject and objective and one_line(subject) == one_line(objective):
        subject = ""
    if not subject:
        metric = ph["metric"]
    elif _names_a_metric(subject):
        metric = subject
    else:
        metric = table["metric_of"].format(subject=subject, metric=ph["metric"])

    baseline_q, target_q, change_q = facts.baseline, facts.target, facts.relative_change
    if codes & tagged("status-quo") and baseline_q is None and target_q is not None:
        baseline_q, target_q = target_q, None  # "保持 99.9%": the level kept is where the team starts
    if codes & tagged("no-change"):
        target_q = None  # the target equalled the baseline: ask for a new one
    if target_q is not None and target_q is change_q:
        target_q = None
    unit = _unit_of(baseline_q) or _unit_of(target_q)  # a relative change's % is not the metric's unit
    baseline = figure_text(baseline_q) if baseline_q is not None else ph["baseline"]
    target = figure_text(target_q) if target_q is not None else ph["target"]
    slots = {
        "metric": metric,
        "baseline": _slot(baseline_q, ph["baseline"], unit, lang),
        "target": _slot(target_q, ph["target"], unit, lang),
    }
    bound = find_timebound(text)
    if bound is not None and lexicon.get("cadence_words").is_entry(bound.text):
        bound = None  # "每周" is how often the work is done, not when the result is due
    unmeasured = not subject or not _names_a_metric(subject) or vague_subject(subject) or _foreign(subject, lang)
    if (activity is not None or unmeasured) and not (baseline_q or target_q or change_q):
        library = _library_rewrites(
            text,
            objective,
            findings,
            lang,
            context,
            bound_text=bound.text if bound is not None else None,
            subject=subject,
        )
        if len(library) >= MAX_TEMPLATES:
            return library
    else:
        library = []
    stated = bound.text if bound is not None else deadline_in(context, lang) or None  # the KR's, else the context's
    deadline_field = stated.strip() if stated else ph["deadline"]
    slots["deadline"] = _deadline_phrase(stated, lang)
    direction = _direction(metric_clause or text, subject, facts)

    sentences: list[str] = []
    result = table[f"from_to_{direction}"].format(**slots)
    if activity is not None:
        own = {**slots, "activity": _lowered(activity.clause), "verb": activity.verb, "object": activity.object}
        key = "after_verb_first" if activity.verb_first else "after_verb_last"
        sentences.append(table[key].format(result=result, **own))
        sentences.append(table["driven_by"].format(**{**own, "object": _object_core(activity.object)}))
    else:
        if change_q is not None and baseline_q is None and target_q is None and direction != "neutral":
            sentences.append(table[f"change_{direction}"].format(change=figure_text(change_q), **slots))
        sentences.append(result)
        threshold = {"up": "at_least", "down": "at_most"}.get(direction, "reach")
        sentences.append(table[threshold].format(**slots))

    out: list[RewriteCandidate] = list(library)  # the library's metrics first, the KR's own words after
    shown = {c.text for c in out}
    for sentence in unique(one_line(_capitalised(s)) for s in sentences)[: MAX_TEMPLATES - len(out)]:
        if sentence in shown:
            continue
        out.append(
            RewriteCandidate(
                text=sentence,
                metric=metric,
                baseline=baseline,
                target=target,
                unit=unit,
                deadline=deadline_field,
                rationale=_rationale(findings, lang, bool(placeholders_in(sentence))),
                note_ids=unique(f.note for f in findings),
                assumptions=[],
            )
        )
    return out


def _foreign(text: str, language: str) -> bool:
    """Chinese words in an English metric (or none of them in a Chinese one): not usable as written."""
    han = bool(re.search(r"[\u4e00-\u9fff]", text))
    return han if language == "en" else not han and not re.search(r"[A-Za-z]", text)


def _context_metric(context: str, metric: Metric, language: str) -> tuple[str, Quantity | None]:
    """The metric's name and baseline as the context states them ("7 日留存目前 20%" → "7 日留存", 20%)."""
    words = [metric.name(language), *metric.hints]
    baseline = baseline_in(context, words)
    if baseline is None:
        return metric.name(language), None
    clause_start = max(context.rfind(mark, 0, baseline.span[0]) for mark in "，,。.;；/\n") + 1
    fillers = suggestions()["context_fillers"][language]
    head = _strip_edges(re.sub(fillers, " ", context[clause_start : baseline.span[0]]))
    own = one_line(head)
    if own and len(own) <= 16 and not _foreign(own, language) and any(_find_word(own, w) >= 0 for w in words):
        return own, baseline
    return metric.name(language), baseline


def _library_rewrites(
    text: str,
    objective: str,
    findings: Sequence[Finding],
    language: str,
    context: str,
    *,
    bound_text: str | None,
    subject: str = "",
) -> list[RewriteCandidate]:
    """Candidates on the metrics the library proposes for the KR's function; [] when it has none."""
    only_named = bool(subject) and _foreign(subject, language)  # the KR's own words cannot be kept: stay close
    metrics = pick_metrics(text, objective=objective, context=context, count=MAX_TEMPLATES, only_named=only_named)
    if not metrics:
        return []
    table = suggestions()["templates"][language]
    ph = PLACEHOLDERS[language]
    stated = bound_text or deadline_in(context, language) or None
    deadline_field = stated.strip() if stated else ph["deadline"]
    deadline = _deadline_phrase(stated, language)
    activity = next((a for a in map(_activity, _clauses(text)) if a is not None), None)
    out: list[RewriteCandidate] = []
    for metric in metrics:
        name, baseline_q = _context_metric(context, metric, language)
        unit = _unit_of(baseline_q) or metric.unit(language)
        slots = {
            "metric": name,
            "baseline": _slot(baseline_q, ph["baseline"], unit, language),
            "target": _slot(None, ph["target"], unit, language),
            "deadline": deadline,
        }
        result = table[f"from_to_{metric.direction}"].format(**slots)
        if activity is not None:
            own = {**slots, "activity": _lowered(activity.clause), "verb": activity.verb, "object": activity.object}
            key = "after_verb_first" if activity.verb_first else "after_verb_last"
            result = table[key].format(result=result, **own)
        elif subject and not _foreign(subject, language) and _find_word(name, subject) < 0:
            result = table["measured_by"].format(subject=subject, result=result)
        sentence = one_line(_capitalised(result))
        out.append(
            RewriteCandidate(
                text=sentence,
                metric=name,
                baseline=figure_text(baseline_q) if baseline_q is not None else ph["baseline"],
                target=ph["target"],
                unit=unit,
                deadline=deadline_field,
                rationale=_rationale(findings, language, bool(placeholders_in(sentence))),
                note_ids=unique([*(f.note for f in findings), *metric.notes]),  # the notes behind the library
                assumptions=[],
            )
        )
    return out


def _lowered(clause: str) -> str:
    """An English clause as it reads after "after we": "Launch the app" → "launch the app"."""
    if clause[:3].lower() == "to ":
        clause = clause[3:]
    if clause[:1].isupper() and clause[1:2].islower():
        return clause[:1].lower() + clause[1:]
    return clause


# ---------------------------------------------------------------- guiding questions

_LIST_MARKER = re.compile(r"^\s*(?:[-*•·]|\d+\s*[.)、．]|[（(]\d+[)）])\s*")
_QUESTION_ENDS = ("？", "?")
_NOT_A_QUESTION = ("：", ":", "。", "《")  # prose that introduces or discusses a question


def note_questions(note: Note, language: str) -> list[str]:
    """The questions a note lists in ``language``: list items (or one-sentence lines) ending with ？ or ?.

    Lines that introduce a question ("可以问：…？") or cite a source are prose, not questions.
    """
    out: list[str] = []
    for section in note.sections:
        if section.language != language:
            continue
        for line in section.text.splitlines():
            line = line.strip()
            if not line.endswith(_QUESTION_ENDS):
                continue
            marker = _LIST_MARKER.match(line)
            body = line[marker.end() :].strip() if marker else line
            if body and not any(mark in body for mark in _NOT_A_QUESTION):
                out.append(body)
    return unique(out)


def _question_dimension(question: str, language: str) -> str:
    table = suggestions()["question_dimensions"]
    best, hits_best = "", 0
    for dimension in table["order"]:
        words = table[dimension][language] + table[dimension]["zh" if language == "en" else "en"]
        hits = sum(1 for word in words if _find_word(question, word) >= 0)
        if hits > hits_best:
            best, hits_best = dimension, hits
    return best


def questions_from_notes(
    text: str,
    *,
    kind: Literal["objective", "key_result"],
    findings: Sequence[Finding],
    notebook: NoteBook | None,
    language: str,
    stage: str | None = None,
    count: int = 5,
) -> list[GuidingQuestion]:
    """3–6 guiding questions from the guiding-question note for ``kind``, in a fixed order.

    Questions probing the dimensions of ``findings`` come first (most severe finding first), the
    rest in the note's order; with ``stage`` (初创/发展/成熟/转型 or startup/growth/mature/
    transformation) the last one is about what a workshop at that stage is for. A question's
    note_ids name its note and the notes of the findings it probes. When the note is missing or has
    fewer than three questions in ``language`` (the bundled notes list theirs in Chinese only), the
    project's own questions written after that note fill in. ``text`` is the draft under discussion;
    the note questions do not depend on its wording.
    """
    lang = _check_language(language)
    if kind not in QUESTION_NOTES:
        raise ValueError(f"kind must be objective or key_result, not {kind!r}")
    total = min(max(count, MIN_QUESTIONS), MAX_QUESTIONS)
    note_id = QUESTION_NOTES[kind]
    why = suggestions()["question_why"][lang]

    pool: list[tuple[str, str]] = []  # (question, dimension)
    note = notebook.get(note_id) if notebook is not None else None
    if note is not None:
        pool = [(q, _question_dimension(q, lang)) for q in note_questions(note, lang)]
    if len(pool) < MIN_QUESTIONS:
        pool += [
            (entry[lang], entry["dimension"])
            for entry in suggestions()["fallback_questions"]
            if entry["note"] == note_id
        ]

    rank: dict[str, int] = {}
    for _, ranked in sorted(enumerate(findings), key=lambda pair: (-pair[1].severity.rank, pair[0])):
        rank.setdefault(ranked.dimension.value, len(rank))
    notes_by_dimension: dict[str, list[str]] = {}
    for finding in findings:
        notes_by_dimension.setdefault(finding.dimension.value, []).append(finding.note)
    lead = suggestions()["question_lead"][kind]  # with no finding to follow, what this kind needs most
    for dimension in lead:
        rank.setdefault(dimension, len(rank))
    ordered = sorted(enumerate(pool), key=lambda pair: (rank.get(pair[1][1], len(rank)), pair[0]))

    out: list[GuidingQuestion] = []
    seen: set[str] = set()
    for question, dimension, probe_note in case_probes(text, kind=kind, findings=findings, language=lang, stage=stage):
        seen.add(normalised(question))
        out.append(
            GuidingQuestion(
                question=question,
                dimension=dimension,
                why=why.get(dimension, ""),
                note_ids=unique([probe_note, *notes_by_dimension.get(dimension, [])]),
            )
        )
    room = total - (1 if stage else 0)
    # one question per dimension first (the case's dimensions lead), then the rest in order
    covered = {q.dimension for q in out}
    first_of_each: list[tuple[int, tuple[str, str]]] = []
    for pair in ordered:
        if pair[1][1] not in covered:
            covered.add(pair[1][1])
            first_of_each.append(pair)
    for _, (question, dimension) in [*first_of_each, *ordered]:
        key = normalised(question)
        if not key or key in seen or len(out) >= room:
            continue
        seen.add(key)
        out.append(
            GuidingQuestion(
                question=question,
                dimension=dimension,
                why=why.get(dimension, ""),
                note_ids=unique([note_id, *notes_by_dimension.get(dimension, [])]),
            )
        )
    stage_id = stage_key(stage) if stage else None
    if stage_id is not None:
        entry = stage_table()[stage_id]
        question = entry[kind][lang]
        if normalised(question) not in seen:
            out.append(
                GuidingQuestion(
                    question=question, dimension=entry["dimension"], why=why["stage"], note_ids=[STAGE_NOTE]
                )
            )
    return out


MAX_PROBES = 3
PROBE_QUOTE_LIMIT = 30  # longer items are named ("这个目标") rather than quoted


def _states_figure(text: str) -> bool:
    """Whether the text states a figure other than a year ("2026 年" is when, not how much)."""
    return any(not re.fullmatch(r"(?:19|20)\d\d", q.text.strip()) for q in find_quantities(text))


def _probe_item(text: str, kind: str, language: str) -> str:
    table = suggestions()["probe_item"][language]
    quoted = without_injection(one_line(text))
    usable = quoted == one_line(text) and 0 < len(quoted) <= PROBE_QUOTE_LIMIT
    if usable and detect_language(quoted) == language:
        return table["quote"].format(text=quoted)
    return table[kind]


def case_probes(
    text: str, *, kind: str, findings: Sequence[Finding], language: str, stage: str | None
) -> list[tuple[str, str, str]]:
    """The questions this case calls for (question, dimension, note): by its findings, words, figures, stage.

    A KR that is an activity is asked what result will show it worked; one without a baseline where
    the team stands today; and so on, from ``[[probe]]`` in suggestions.toml, at most three.
    """
    codes = {f.code for f in findings}
    key = stage_key(stage) if stage else None
    out: list[tuple[str, str, str]] = []
    for probe in suggestions()["probe"]:
        if probe["kind"] != kind:
            continue
        if "codes" in probe and not codes & set(probe["codes"]):
            continue
        if "words" in probe and not _matches_any(text, probe["words"]) and not any(w in text for w in probe["words"]):
            continue
        if "stage" in probe and probe["stage"] != key:
            continue
        if "figures" in probe and probe["figures"] != _states_figure(text):
            continue
        if any(dimension == probe["dimension"] for _, dimension, _ in out):
            continue  # one question per dimension: the more specific probe, listed first, stands
        question = probe[language].replace("{item}", _probe_item(text, kind, language))
        out.append((_capitalised(question), probe["dimension"], probe["note"]))
    return out[:MAX_PROBES]


# ---------------------------------------------------------------- retrospective


def obstacle_guess(note: str | None) -> tuple[Obstacle, bool]:
    """The kind of obstacle a check-in note points to, and whether the guess is sure.

    Each kind (target, resources, collaboration, other: events outside the team's reach) counts its
    words and patterns (suggestions.toml ``[obstacles]``); most hits win, a tie goes to the kind
    mentioned first; nothing found means "other". Sure: two hits or more, and no tie.
    """
    if not note or not note.strip():
        return "other", False
    table = suggestions()["obstacles"]
    scores: list[tuple[int, int, Obstacle]] = []
    for kind in ("target", "resources", "collaboration", "other"):
        found = [_find_word(note, word) for word in (*table[kind]["zh"], *table[kind]["en"])]
        found += [m.start() for p in table["patterns"].get(kind, []) for m in re.finditer(p, note, re.IGNORECASE)]
        positions = [index for index in found if index >= 0]
        if positions:
            scores.append((-len(positions), min(positions), kind))
    if not scores:
        return "other", False
    scores.sort()
    best = scores[0]
    tied = len(scores) > 1 and scores[1][0] == best[0]
    return best[2], -best[0] >= 2 and not tied


def guess_obstacle(note: str | None) -> Obstacle:
    """The kind of obstacle a check-in note points to (see :func:`obstacle_guess`)."""
    return obstacle_guess(note)[0]


_SENTENCE_END = re.compile(r"[。！!；;\n]+|(?<=\.)\s+")


def _sentences(note: str) -> list[str]:
    return unique(part.strip(" \t，,") for part in _SENTENCE_END.split(note))


def _figure(value: float) -> str:
    return f"{round(value, 2):g}"


def retrospective_skeleton(
    okr_set: OKRSet,
    *,
    checkins: Mapping[str, str] | None,
    language: str,
    config: Config | None = None,
    scale: scoring.Scale | str | None = None,
) -> RetrospectiveDraft:
    """The retrospective facts that follow from the scores alone, plus what the check-in notes hint.

    The split follows scoring.py's bands: a KR at or above the healthy band's lower edge (60%, so the
    healthy, high and full-marks bands) is achieved; below it (the low and analyse bands) it is
    missed. Unscored KRs are left out. The scale is ``scale``, else the config's ``score-scale``,
    detected over the set's scores when "auto". ``checkins`` maps refs such as "O1.KR2" to notes:
    an achieved KR's note gives its actions, a missed KR's note its analysis and obstacle kind.
    Calibration: all at full marks → too safe; any full mark; any below ``score-low`` → analyse; the
    mean against the 60–70% band. Next-cycle proposals carry placeholders for the team to fill.
    """
    lang = _check_language(language)
    settings = config or Config()
    table = suggestions()["retrospective"][lang]
    notes = dict(checkins or {})
    marks = scoring.marks(settings)
    edge = scoring.HEALTHY_BAND[0]

    achieved: list[AchievedKR] = []
    missed: list[MissedKR] = []
    percents: dict[str, float] = {}
    for objective, kr, percent in scoring.scored_key_results(okr_set, settings, scale):
        ref = objective.kr_ref(kr)
        percents[ref] = percent
        note = notes.get(ref, "").strip()
        if percent >= edge:
            achieved.append(AchievedKR(kr=ref, text=kr.text, score_percent=percent, actions=_sentences(note)))
        else:
            analysis = table["joiner"].join(_sentences(note))
            obstacle, sure = obstacle_guess(note)
            if note and not sure:
                analysis = f"{analysis}{table['unsure']}" if language == "zh" else f"{analysis} {table['unsure']}"
            missed.append(MissedKR(kr=ref, text=kr.text, score_percent=percent, obstacle=obstacle, analysis=analysis))

    joiner = table["refs_joiner"]
    calibration: list[str] = []
    full_refs = [ref for ref, p in percents.items() if marks.band(p) is scoring.Band.conservative]
    low_refs = [ref for ref, p in percents.items() if marks.band(p) is scoring.Band.analyse]
    if percents and len(full_refs) == len(percents):
        calibration.append(table["all_full"].format(count=len(percents)))
    elif full_refs:
        calibration.append(table["some_full"].format(refs=joiner.join(full_refs)))
    if low_refs:
        calibration.append(table["some_low"].format(refs=joiner.join(low_refs), low=_figure(marks.low)))
    summary = marks.summarise(percents.values())
    if summary.mean is not None:
        band_low, band_high = scoring.HEALTHY_BAND
        if summary.mean > band_high:
            key = "mean_high"
        elif summary.mean < band_low:
            key = "mean_low"
        else:
            key = "mean_healthy"
        calibration.append(
            table[key].format(mean=_figure(summary.mean), band_low=_figure(band_low), band_high=_figure(band_high))
        )

    next_cycle = [table[f"next_{m.obstacle}"].format(kr=m.kr) for m in missed]
    if full_refs:
        next_cycle.append(table["next_full"].format(refs=joiner.join(full_refs)))
    if achieved:
        next_cycle.append(table["next_repeat"].format(refs=joiner.join(a.kr for a in achieved)))

    return RetrospectiveDraft(
        set_key=okr_set.key,
        achieved=achieved,
        missed=missed,
        calibration=calibration,
        next_cycle=next_cycle,
        note_ids=list(RETRO_NOTES),
    )


def render_retrospective_markdown(draft: RetrospectiveDraft, language: str) -> str:
    """The draft as a Markdown document, headings in ``language`` (for LLM and offline drafts alike)."""
    lang = _check_language(language)
    t = suggestions()["retrospective"][lang]

    def score(value: float | None) -> str:
        return t["no_score"] if value is None else f"{_figure(value)}%"

    lines = [t["title"].format(set_key=draft.set_key or "-"), "", t["achieved"], ""]
    for done in draft.achieved:
        lines.append(t["item"].format(kr=done.kr, score=score(done.score_percent), text=one_line(done.text)))
        actions = t["joiner"].join(one_line(a) for a in done.actions if a.strip())
        lines.append(t["actions"].format(actions=actions) if actions else t["actions_missing"])
    if not draft.achieved:
        lines.append(t["none"])
    lines += ["", t["missed"], ""]
    for item in draft.missed:
        lines.append(t["item"].format(kr=item.kr, score=score(item.score_percent), text=one_line(item.text)))
        lines.append(t["obstacle"].format(obstacle=t["obstacle_names"].get(item.obstacle, item.obstacle)))
        analysis = one_line(item.analysis)
        lines.append(t["analysis"].format(analysis=analysis) if analysis else t["analysis_missing"])
    if not draft.missed:
        lines.append(t["none"])
    for heading, items in ((t["calibration"], draft.calibration), (t["next_cycle"], draft.next_cycle)):
        lines += ["", heading, ""]
        lines += [f"- {one_line(line)}" for line in items if line.strip()] or [t["none"]]
    if draft.note_ids:
        lines += ["", t["notes"], ""]
        lines += [f"- {note_id}" for note_id in draft.note_ids]
    return "\n".join(lines) + "\n"
