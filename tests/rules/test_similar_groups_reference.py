"""The near-duplicate join (ALI004) against a plain reference: the same links, counts and cut-offs, step for step.

ALI004's grouped findings show the range of the scores of the links that joined each group, and the limits
(``per_set``, ``work``) cut the search where they cut it: so the join must not only find the groups of a
brute-force search, it must take the same steps as the plain form of its method kept here (shingles as
strings, frozenset intersections, string keys), whatever its inner representation (numbered shingles, bit sets
or frozensets, int keys) does to go faster.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.rules import similarity
from assistant.rules.aligned import shingle_nodes
from assistant.rules.similarity import SimilarGroups, could_reach, dice, shingles, similar_groups

PIECES = [
    "让",
    "新",
    "商家",
    "第一周",
    "离不开",
    "我们",
    "产品",
    "体验",
    "客户",
    "增长",
    "数据",
    "团队12",
    "Q3",
    "a",
    "b",
]
GLANCE = 8


def reference_groups(sets: Sequence[frozenset[str]], threshold: float, per_set: int, work: int) -> SimilarGroups:
    """The prefix-filtering join in its plain form: string keys, bucket per group root, compared in turn."""
    frequency = Counter(gram for grams in sets for gram in grams)
    found = SimilarGroups(len(sets))
    index: dict[str, int | dict[int, list[int]]] = {}
    tiny = math.floor(2 / threshold + 1e-9) - 1

    def keys(ordered: list[str], share: float) -> list[str]:
        size = len(ordered)
        prefix = ordered[: size - math.ceil(size * share - 1e-9) + 2]
        pairs = [a + b for n, a in enumerate(prefix) for b in prefix[n + 1 :]]
        return pairs + ordered if size <= tiny else pairs

    def add(i: int, own: list[str]) -> None:
        found.work += len(own)
        for key in own:
            entry = index.get(key)
            if entry is None:
                index[key] = i
                continue
            if isinstance(entry, int):
                entry = index[key] = {found.root(entry): [entry]}
            entry.setdefault(found.root(i), []).append(i)

    def probe(i: int, own: list[str], limit: int) -> None:
        found.work += len(own)
        tried: set[int] = set()

        def verify(j: int) -> bool:
            if j in tried:
                return False
            tried.add(j)
            if not could_reach(len(sets[i]), len(sets[j]), threshold):
                return False
            found.comparisons += 1
            found.work += 1
            score = dice(sets[i], sets[j])
            if score >= threshold:
                found.join(i, j, score)
                return True
            return False

        mine = found.root(i)
        for key in own:
            entry = index.get(key)
            if entry is None:
                continue
            if isinstance(entry, int):
                if found.root(entry) != mine and verify(entry):
                    mine = found.root(i)
            else:
                stale = 0
                for head, members in entry.items():
                    group = found.root(head)
                    stale += group != head
                    if group == mine:
                        continue
                    for j in members:
                        if verify(j):
                            mine = found.root(i)
                            break
                    if len(tried) >= limit:
                        break
                if stale * 2 > len(entry):
                    merged: dict[int, list[int]] = {}
                    for head, members in entry.items():
                        merged.setdefault(found.root(head), []).extend(members)
                    entry.clear()
                    entry.update(merged)
            if len(tried) >= limit:
                found.complete = False
                return

    for i in sorted(range(len(sets)), key=lambda i: len(sets[i])):
        if not sets[i]:
            continue
        ordered = sorted(sets[i], key=lambda g: (frequency[g], g))
        if found.work < work:
            probe(i, keys(ordered, threshold / (2 - threshold)), per_set)
            add(i, keys(ordered, threshold))
        else:
            found.complete = False
            probe(i, keys(ordered, threshold / (2 - threshold))[:GLANCE], GLANCE)
    return found


def assert_same_steps(sets: list[frozenset[str]], threshold: float, per_set: int, work: int) -> None:
    expected = reference_groups(sets, threshold, per_set, work)
    found = similar_groups(sets, threshold, per_set=per_set, work=work)
    assert found.links == expected.links  # the same pairs joined the groups, in the same order, same scores
    assert (found.comparisons, found.work, found.complete) == (expected.comparisons, expected.work, expected.complete)
    assert [found.root(i) for i in range(len(sets))] == [expected.root(i) for i in range(len(sets))]


@pytest.fixture(params=["bit sets", "frozensets"])
def representation(request, monkeypatch):
    """Run a test with sets compared as bit sets (a compact vocabulary) and as frozensets (a huge one)."""
    if request.param == "frozensets":
        monkeypatch.setattr(similarity, "_BITSET_BYTES_PER_SHINGLE", -1)
    return request.param


def _template_export(rng: random.Random, teams: int) -> list[frozenset[str]]:
    """Objectives as a company writes them: shared templates prefixed by team or quarter, and one-offs."""
    templates = ["打造一流的客户满意度体验", "让复购率成为行业标杆", "全面提升链路延时", "Make onboarding effortless"]
    texts = [
        f"{rng.choice(['团队', '增长组', 'Team '])}{rng.randint(1, 60)}：{rng.choice(templates)}" for _ in range(teams)
    ]
    texts += [f"Q{rng.randint(1, 4)} {rng.choice(templates)}" for _ in range(teams // 4)]
    texts += ["".join(rng.choice(PIECES) for _ in range(rng.randint(1, 7))) for _ in range(teams // 2)]
    nodes, _ = shingle_nodes(texts)
    return nodes


@pytest.mark.parametrize("limits", [(10**9, 10**12), (300, 10**12), (5, 10**12), (300, 3_000), (2, 400)])
def test_template_exports_take_the_same_steps(representation, limits):
    per_set, work = limits
    sets = _template_export(random.Random(11), 400)
    assert_same_steps(sets, 0.6, per_set, work)
    assert_same_steps(sets, 0.75, per_set, work)


def test_the_limits_do_cut_the_template_export_short():
    """The limited cases above are not exact by accident: the limits are reached there."""
    sets = _template_export(random.Random(11), 400)
    assert similar_groups(sets, 0.6, per_set=10**9, work=10**12).complete
    assert not similar_groups(sets, 0.6, per_set=5, work=10**12).complete
    assert not similar_groups(sets, 0.6, per_set=300, work=3_000).complete


texts = st.lists(st.lists(st.sampled_from(PIECES), min_size=1, max_size=7).map("".join), min_size=2, max_size=60)


@settings(max_examples=120, deadline=None)
@given(
    texts,
    st.sampled_from([0.3, 0.5, 0.6, 0.75, 0.9, 1.0]),
    st.sampled_from([1, 3, 10, 10**9]),
    st.sampled_from([30, 300, 10**12]),
    st.booleans(),
)
def test_any_texts_take_the_same_steps(texts, threshold, per_set, work, bitsets):
    sets = list(dict.fromkeys(shingles(t) for t in texts))
    saved = similarity._BITSET_BYTES_PER_SHINGLE
    similarity._BITSET_BYTES_PER_SHINGLE = saved if bitsets else -1
    try:
        assert_same_steps(sets, threshold, per_set, work)
    finally:
        similarity._BITSET_BYTES_PER_SHINGLE = saved


def test_single_characters_and_empty_sets_take_the_same_steps(representation):
    sets = [frozenset(), *(shingles(t) for t in ["a", "b", "ab", "ba", "abc", "a b", "客", "客户", "户客", "客户体验"])]
    sets = list(dict.fromkeys(sets))
    for threshold in (0.3, 0.6, 1.0):
        assert_same_steps(sets, threshold, 10**9, 10**12)
        assert_same_steps(sets, threshold, 1, 10)
