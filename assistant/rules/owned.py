"""S — owned: every objective and key result has exactly one person answerable for it."""

from __future__ import annotations

import re
from functools import cache, lru_cache

from . import lexicon
from .registry import Hit, KRContext, ObjectiveContext, Scope, rule

# Owner fields repeat a lot in an export (the same few people): what each one reads as is remembered.
_OWNERS_REMEMBERED = 4096


def _is_placeholder(owner: str | None) -> bool:
    return owner is None or _placeholder(owner)


@lru_cache(maxsize=_OWNERS_REMEMBERED)
def _placeholder(owner: str) -> bool:
    return not owner.strip() or lexicon.get("placeholder_owners").is_entry(owner)


@rule("OWN001", Scope.objective)
def objective_without_owner(ctx: ObjectiveContext) -> Hit | None:
    # A set-level owner (the team lead) stands in for objectives that name nobody.
    if _is_placeholder(ctx.objective.owner) and _is_placeholder(ctx.okr_set.owner):
        return Hit({"objective": ctx.objective.id}, evidence=ctx.objective.owner or "")
    return None


@rule("OWN002", Scope.key_result)
def key_result_without_owner(ctx: KRContext) -> Hit | None:
    return Hit({"kr": ctx.ref}, evidence=ctx.kr.owner or "") if _is_placeholder(ctx.kr.owner) else None


@rule("OWN003", Scope.objective, Scope.key_result)
def several_owners(ctx: KRContext | ObjectiveContext) -> Hit | None:
    owner = ctx.item.owner
    if owner is None or _is_placeholder(owner):
        return None
    count = _name_count(owner)
    return Hit({"count": count, "owner": owner}, evidence=owner) if count > 1 else None


@lru_cache(maxsize=_OWNERS_REMEMBERED)
def _name_count(owner: str) -> int:
    return len(split_owners(owner))


@rule("OWN004", Scope.objective, Scope.key_result)
def collective_owner(ctx: KRContext | ObjectiveContext) -> Hit | None:
    owner = ctx.item.owner
    if owner is None or _is_placeholder(owner):
        return None
    name = owner.strip()
    return Hit({"owner": name}, evidence=name) if _is_collective(name) else None


@lru_cache(maxsize=_OWNERS_REMEMBERED)
def _is_collective(name: str) -> bool:
    collective = lexicon.get("collective_owners")
    return (
        collective.is_entry(name) or _ends_with_unit(collective.ends_with_zh(name), name) or _ends_with_group_noun(name)
    )


def _ends_with_unit(suffix: str | None, name: str) -> bool:
    """研发团队, 市场部, 前端组; a one-character suffix needs a longer name (阿部 and 服部 are surnames)."""
    return suffix is not None and (len(suffix) > 1 or len(name) >= 3)


def _ends_with_group_noun(name: str) -> bool:
    """English: "the engineering team", "Data squad"; a person's title such as "team lead" ends otherwise."""
    return name.rpartition(" ")[2].lower() in _group_nouns()


@cache
def _group_nouns() -> frozenset[str]:
    return frozenset(lexicon.words("collective_owner_nouns"))


def split_owners(owner: str) -> list[str]:
    """Names in an owner field: "张三、李四" → two; "王和平" stays one (和 splits only 2+ character names)."""
    chars, words = _separators()
    if chars.isdisjoint(owner) and not any(word in owner.lower() for word in words):
        return [owner.strip()]  # the common case: one name, no separator at all
    return [name.strip() for name in _owner_splitter().split(owner) if name.strip()]


@cache
def _separators() -> tuple[frozenset[str], tuple[str, ...]]:
    """Single-character separators as a set, longer ones (" and ") as a tuple."""
    entries = lexicon.words("owner_separators")
    return frozenset(s for s in entries if len(s) == 1), tuple(s for s in entries if len(s) > 1)


@cache
def _owner_splitter() -> re.Pattern[str]:
    """The separators as one regex. 和/与/及 share one pair of guards and only words ignore case: the same
    splits as a guarded alternative per joiner under re.IGNORECASE, at a seventh of the compile time."""
    parts: list[str | None] = []
    joiners: list[str] = []
    for sep in lexicon.words("owner_separators"):
        if sep in ("和", "与", "及"):
            if not joiners:
                parts.append(None)  # the joiners' place in the alternation
            joiners.append(sep)
        elif sep.strip().isalpha():
            parts.append(rf"(?i:\s+{re.escape(sep.strip())}\s+)")
        else:
            parts.append(re.escape(sep))
    guarded = rf"(?<=[\u4e00-\u9fff]{{2}})[{''.join(joiners)}](?=[\u4e00-\u9fff]{{2}})"
    return re.compile("|".join(guarded if part is None else part for part in parts))
