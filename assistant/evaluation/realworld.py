"""The rule engine against a labelled set of real published OKRs: per-label precision and recall, and the errors.

The set (``okrs_dev.json``; format and labels in the README beside it) never ships with the project:
:func:`locate` finds it from ``--realworld``, the environment, or a path beside a checkout. Each item's
predicted labels are the labels whose rule codes fired on it, through the table in ``data/realworld.toml``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..config import Config
from ..engine import check
from ..model import KeyResult, Objective, OKRSet
from ..rules.catalogue import rules
from ..shipped import data_table
from .metrics import Confusion, Verdict, limit_verdict, lookup

SCOPE = "realworld"


class RealWorldError(ValueError):
    """A real-world set that was asked for but cannot be used (missing file, wrong format)."""


@dataclass(frozen=True, slots=True)
class Item:
    """One labelled objective or key result, with where it came from."""

    set_name: str
    source: str
    language: str
    ref: str  # "O1" or "O1.KR2", as the engine's findings name it
    text: str
    gold: frozenset[str]


@dataclass(frozen=True, slots=True)
class LabelledSet:
    """One set of the file as the engine sees it, and its labelled items in order."""

    okr_set: OKRSet
    items: tuple[Item, ...]


@dataclass(frozen=True, slots=True)
class Predicted:
    """An item with the table's codes that fired on it, the labels they stand for, and the other codes."""

    item: Item
    codes: frozenset[str]
    labels: frozenset[str]
    other_codes: frozenset[str]


@dataclass(frozen=True, slots=True)
class Location:
    """Where the set was found (``path``), or why the part is skipped (``note``, one line)."""

    path: Path | None
    origin: str = ""
    note: str = ""


# ---------------------------------------------------------------- the table and finding the file


def _table() -> Mapping[str, Any]:
    return data_table("realworld")


def label_map(table: Mapping[str, Any] | None = None) -> dict[str, tuple[str, ...]]:
    """label → rule codes, in table order, from ``data/realworld.toml`` (or the given table)."""
    labels = (table or _table())["labels"]
    return {label: tuple(codes) for label, codes in labels.items()}


def unknown_codes(mapping: Mapping[str, Sequence[str]], known: Sequence[str] | None = None) -> list[str]:
    """Codes the table names that no rule has (yet): they can never fire, so their labels cannot be found."""
    registered = set(rules() if known is None else known)
    return sorted({code for codes in mapping.values() for code in codes} - registered)


def checkout_root() -> Path | None:
    """The repository root when running from a checkout (it holds the marker file), else None (a wheel)."""
    root = Path(__file__).resolve().parents[2]
    return root if (root / _table()["source"]["marker"]).is_file() else None


def locate(option: Path | None, environ: Mapping[str, str], root: Path | None) -> Location:
    """The set named by the option, else the environment variable, else the checkout's default path.

    A file named explicitly must exist (:class:`RealWorldError` otherwise); a default that is absent
    only skips the part, with a note saying so.
    """
    source = _table()["source"]
    variable = source["env"]
    named = [(option, "--realworld"), (Path(environ[variable]) if environ.get(variable) else None, variable)]
    for path, origin in named:
        if path is not None:
            if not path.is_file():
                raise RealWorldError(f"{origin} {path}: no such file")
            return Location(path, origin)
    if root is None:
        return Location(None, note=f"real-world set: skipped (not a checkout; pass --realworld PATH or set {variable})")
    default = (root / source["checkout_path"]).resolve()
    if not default.is_file():
        return Location(None, note=f"real-world set: skipped ({default} not found; set {variable} or --realworld)")
    return Location(default, "checkout")


# ---------------------------------------------------------------- reading the file


def _text(raw: Mapping[str, Any], key: str, where: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        raise RealWorldError(f"{where}: {key!r} must be non-empty text")
    return value


def _gold(raw: Mapping[str, Any], where: str, no_flaw: str) -> frozenset[str]:
    labels = raw.get("labels")
    if not isinstance(labels, list) or not labels or not all(isinstance(x, str) for x in labels):
        raise RealWorldError(f"{where}: 'labels' must be a non-empty list of text")
    return frozenset(labels) - {no_flaw}


def parse_set(raw: Any, where: str, no_flaw: str = "ok") -> LabelledSet:
    """One set of the file → an OKRSet (team, cycle, texts only) and its items with their gold labels."""
    if not isinstance(raw, Mapping) or not isinstance(raw.get("objectives"), list):
        raise RealWorldError(f"{where}: expected an object with a list of 'objectives'")
    team, language = _text(raw, "team_or_context", where), _text(raw, "language", where)
    source = str(raw.get("source_url") or "")
    objectives, items = [], []
    for o_number, objective in enumerate(raw["objectives"], 1):
        o_where, o_id = f"{where} O{o_number}", f"O{o_number}"
        if not isinstance(objective, Mapping) or not isinstance(objective.get("key_results", []), list):
            raise RealWorldError(f"{o_where}: expected an object with a list of 'key_results'")
        o_text = _text(objective, "text", o_where)
        items.append(Item(team, source, language, o_id, o_text, _gold(objective, o_where, no_flaw)))
        krs = []
        for k_number, kr in enumerate(objective.get("key_results", []), 1):
            k_where, k_id = f"{o_where}.KR{k_number}", f"KR{k_number}"
            if not isinstance(kr, Mapping):
                raise RealWorldError(f"{k_where}: expected an object")
            k_text = _text(kr, "text", k_where)
            krs.append(KeyResult(id=k_id, text=k_text))
            items.append(Item(team, source, language, f"{o_id}.{k_id}", k_text, _gold(kr, k_where, no_flaw)))
        objectives.append(Objective(id=o_id, text=o_text, key_results=krs))
    okr_set = OKRSet(team=team, cycle=raw.get("cycle"), objectives=objectives)
    return LabelledSet(okr_set, tuple(items))


def load(path: Path) -> list[LabelledSet]:
    """Every set of the file, checked for the fields scoring needs; :class:`RealWorldError` names what is wrong."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RealWorldError(f"{path}: cannot read the real-world set ({exc})") from None
    if not isinstance(data, list):
        raise RealWorldError(f"{path}: expected a JSON list of sets")
    no_flaw = _table()["source"]["no_flaw"]
    return [parse_set(raw, f"{path.name}[{index}]", no_flaw) for index, raw in enumerate(data)]


# ---------------------------------------------------------------- predicting and scoring


def fired_codes(okr_set: OKRSet, config: Config | None = None) -> dict[str, frozenset[str]]:
    """item ref → codes that fired on it, one set checked on its own (item-level findings, not folded)."""
    out: dict[str, set[str]] = {}
    for finding in check([okr_set], config, fold=False):
        ref = finding.key_result or finding.objective
        if ref:
            out.setdefault(ref, set()).add(finding.code)
    return {ref: frozenset(codes) for ref, codes in out.items()}


def label_scopes(table: Mapping[str, Any] | None = None) -> dict[str, str]:
    """label → the kind of item it is defined for ("objective" or "key_result"); unlisted labels fit both."""
    return dict((table or _table()).get("applies_to", {}))


def predict_item(
    item: Item,
    codes: frozenset[str],
    mapping: Mapping[str, Sequence[str]],
    scopes: Mapping[str, str] | None = None,
) -> Predicted:
    """The labels whose codes are among ``codes``, for the item's kind; codes outside the table are kept apart."""
    scopes = label_scopes() if scopes is None else scopes
    kind = "key_result" if "." in item.ref else "objective"
    table_codes = {code for listed in mapping.values() for code in listed}
    labels = frozenset(
        label for label, listed in mapping.items() if codes & set(listed) and scopes.get(label, kind) == kind
    )
    return Predicted(item, codes & table_codes, labels, codes - table_codes)


def predict(
    sets: Sequence[LabelledSet], mapping: Mapping[str, Sequence[str]], config: Config | None = None
) -> list[Predicted]:
    """Every item of every set, with the engine's predicted labels."""
    out: list[Predicted] = []
    for labelled in sets:
        fired = fired_codes(labelled.okr_set, config)
        out.extend(predict_item(item, fired.get(item.ref, frozenset()), mapping) for item in labelled.items)
    return out


def _scores(confusion: Confusion) -> dict[str, Any]:
    scores = confusion.scores()
    del scores["tn"]
    return scores


def _micro(confusion: Confusion) -> dict[str, Any]:
    scores = _scores(confusion)
    return {
        **{k: scores[k] for k in ("tp", "fp", "fn")},
        "micro_precision": scores["precision"],
        "micro_recall": scores["recall"],
        "micro_f1": scores["f1"],
    }


def item_confusion(predicted: Predicted, label: str) -> Confusion:
    """One item's contribution to one label: a hit, a false alarm, a miss, or nothing."""
    gold, said = label in predicted.item.gold, label in predicted.labels
    return Confusion(tp=int(gold and said), fp=int(said and not gold), fn=int(gold and not said))


def error_entry(predicted: Predicted) -> dict[str, Any]:
    """A miss or false alarm as a developer reads it: the item, its gold labels, what the engine said."""
    item = predicted.item
    return {
        "set": item.set_name,
        "source": item.source,
        "language": item.language,
        "item": item.ref,
        "text": item.text,
        "gold": sorted(item.gold),
        "predicted": sorted(predicted.labels),
        "codes": sorted(predicted.codes),
        "other_codes": sorted(predicted.other_codes),
        "missed": sorted(item.gold - predicted.labels),
        "false_alarms": sorted(predicted.labels - item.gold),
    }


def score(predictions: Sequence[Predicted], labels: Sequence[str]) -> dict[str, Any]:
    """Per label (support = gold items, tp/fp/fn, P/R/F1), micro over all labels, per language, and the errors.

    ``labels`` gives the order; a gold label missing from it is scored too (the engine cannot find it).
    """
    extra = sorted({g for p in predictions for g in p.item.gold} - set(labels))
    order = [*labels, *extra]
    by_label = {}
    for label in order:
        confusion = sum((item_confusion(p, label) for p in predictions), Confusion())
        support = sum(1 for p in predictions if label in p.item.gold)
        by_label[label] = {"support": support, **_scores(confusion)}
    languages = sorted({p.item.language for p in predictions})
    by_language = {}
    for language in languages:
        mine = [p for p in predictions if p.item.language == language]
        confusion = sum((item_confusion(p, label) for p in mine for label in order), Confusion())
        by_language[language] = {"items": len(mine), **_micro(confusion)}
    total = sum((item_confusion(p, label) for p in predictions for label in order), Confusion())
    return {
        "items": len(predictions),
        **_micro(total),
        "by_label": by_label,
        "by_language": by_language,
        "unmapped_labels": extra,
        "errors": [error_entry(p) for p in predictions if p.labels != p.item.gold],
    }


def evaluate(path: Path, config: Config | None = None, mapping: Mapping[str, Sequence[str]] | None = None) -> dict:
    """The figures and the error list for one labelled file: what ``okr-review eval`` records under ``realworld``."""
    mapping = mapping or label_map()
    sets = load(path)
    return {
        "path": str(path),
        "sets": len(sets),
        **score(predict(sets, mapping, config), list(mapping)),
        "unknown_codes": unknown_codes(mapping),
    }


# ---------------------------------------------------------------- thresholds


def judged_labels(metrics: Mapping[str, Any], min_items: int) -> list[str]:
    """The labels with at least ``min_items`` gold items: the ones a per-label limit applies to."""
    return [label for label, scores in metrics["by_label"].items() if scores["support"] >= min_items]


def realworld_verdicts(thresholds: Mapping[str, Any], metrics: Mapping[str, Any] | None) -> list[Verdict]:
    """``[realworld]`` limits against this run's figures; nothing when the part did not run."""
    section = thresholds.get(SCOPE, {})
    if metrics is None or not section:
        return []
    verdicts = [
        limit_verdict(SCOPE, metric, limit, lookup(metrics, metric))
        for metric, limit in section.items()
        if metric != "each_label"
    ]
    each = dict(section.get("each_label", {}))
    min_items = each.pop("min_items", 1)
    for label in judged_labels(metrics, min_items):
        for metric, limit in each.items():
            dotted = f"by_label.{label}.{metric}"
            verdicts.append(limit_verdict(SCOPE, dotted, limit, lookup(metrics, dotted)))
    return verdicts
