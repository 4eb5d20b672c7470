"""The near-duplicate join (ALI004) against brute force: the same groups, whatever the texts."""

from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.rules.similarity import dice, shingles, similar_groups

UNLIMITED = {"per_set": 10**9, "work": 10**12}
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
    "可信",
    "团队12",
    "Q3",
    "a",
    "b",
]


def brute_force_groups(sets: list[frozenset[str]], threshold: float) -> set[frozenset[int]]:
    """Connected components of the graph of all pairs reaching the threshold (every pair compared)."""
    parent = list(range(len(sets)))

    def root(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    for i in range(len(sets)):
        for j in range(i):
            if dice(sets[i], sets[j]) >= threshold:
                parent[root(i)] = root(j)
    return _components(len(sets), root)


def _components(size: int, root) -> set[frozenset[int]]:
    found: dict[int, set[int]] = {}
    for i in range(size):
        found.setdefault(root(i), set()).add(i)
    return {frozenset(members) for members in found.values()}


def joined_groups(sets: list[frozenset[str]], threshold: float, **limits) -> set[frozenset[int]]:
    found = similar_groups(sets, threshold, **(limits or UNLIMITED))
    return _components(len(sets), found.root)


texts = st.lists(st.lists(st.sampled_from(PIECES), min_size=1, max_size=7).map("".join), min_size=2, max_size=60)


@settings(max_examples=150, deadline=None)
@given(texts, st.sampled_from([0.3, 0.5, 0.6, 0.75, 0.9, 1.0]))
def test_groups_match_brute_force(texts, threshold):
    sets = list(dict.fromkeys(shingles(t) for t in texts))
    assert joined_groups(sets, threshold) == brute_force_groups(sets, threshold)


def test_links_are_similar_pairs_and_every_similar_pair_is_grouped():
    import random

    rng = random.Random(3)
    template = "打造一流的客户满意度体验"
    texts = [f"团队{rng.randint(1, 400)}：{template}" for _ in range(150)]
    texts += ["".join(rng.choice(PIECES) for _ in range(rng.randint(2, 7))) for _ in range(150)]
    sets = list(dict.fromkeys(shingles(t) for t in texts))
    found = similar_groups(sets, 0.6, **UNLIMITED)
    assert found.complete and found.links
    assert all(dice(sets[i], sets[j]) == score >= 0.6 for i, j, score in found.links)
    for i in range(len(sets)):
        for j in range(i):
            if dice(sets[i], sets[j]) >= 0.6:
                assert found.root(i) == found.root(j)
    assert joined_groups(sets, 0.6) == brute_force_groups(sets, 0.6)
