"""Text similarity for near-duplicate objectives and key results that repeat their objective."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

_NOISE = re.compile(r"[\W_]+", re.UNICODE)


def shingles(text: str) -> frozenset[str]:
    """Character bigrams of the text without spaces and punctuation, lower-cased.

    Bigrams work for Chinese (no word boundaries) and well enough for short English phrases.
    """
    cleaned = _NOISE.sub("", text.lower())
    if len(cleaned) < 2:
        return frozenset((cleaned,)) if cleaned else frozenset()
    return frozenset(cleaned[i : i + 2] for i in range(len(cleaned) - 1))


def dice(a: frozenset[str], b: frozenset[str]) -> float:
    """Dice coefficient of two shingle sets, 0–1."""
    if not a or not b:
        return 0.0
    return 2 * len(a & b) / (len(a) + len(b))


def could_reach(a: int, b: int, threshold: float) -> bool:
    """Whether sets of sizes a and b can have a Dice coefficient of at least threshold at all."""
    return a + b > 0 and 2 * min(a, b) / (a + b) >= threshold


def similarity(a: str, b: str) -> float:
    return dice(shingles(a), shingles(b))


class SimilarGroups:
    """Near-duplicates joined into groups (union-find over set indices), with the work it took.

    ``links`` are the verified pairs that joined two groups (a spanning forest, not every similar pair);
    ``comparisons`` counts similarity computations, ``work`` those and the index operations; ``complete`` is
    False when a limit cut the search short.
    """

    def __init__(self, size: int) -> None:
        self.parent = list(range(size))
        self.links: list[tuple[int, int, float]] = []
        self.comparisons = 0
        self.work = 0  # keys indexed and looked up, and comparisons: what the limit bounds
        self.complete = True

    def root(self, i: int) -> int:
        """The index that stands for i's group (path halving keeps the chains short)."""
        parent = self.parent
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def join(self, i: int, j: int, score: float) -> None:
        a, b = self.root(i), self.root(j)
        if a != b:
            self.parent[max(a, b)] = min(a, b)  # the earliest index stands for the group
            self.links.append((i, j, score))

    def groups(self) -> dict[int, list[int]]:
        """Members of each group of two or more, by root, in index order."""
        found: dict[int, list[int]] = {}
        for i in range(len(self.parent)):
            found.setdefault(self.root(i), []).append(i)
        return {root: members for root, members in found.items() if len(members) > 1}


def similar_groups(sets: Sequence[frozenset[str]], threshold: float, *, per_set: int, work: int) -> SimilarGroups:
    """Group the sets whose Dice coefficient reaches threshold (0–1], directly or through a chain of such pairs.

    Prefix filtering: with shingles ordered rarest first, two sets sharing α shingles share their first two
    common ones within the first n − α + 2 of each. Sets are taken smallest first; each is indexed under the
    pairs of shingles of that prefix and compared with the earlier sets met under one of its pairs (sets that
    meet on one rare shingle only, such as a team number, are never compared), except those already in its
    group: thousands of copies of one template cost about one comparison each, not n². Sets too small to
    need two shingles in common meet on any one. Exact (the groups of a brute-force join) unless a limit is
    reached: at most ``per_set`` comparisons per set; past ``work`` keys indexed, keys looked up and comparisons
    in all, the index stops growing and each further set gets a glance (a few comparisons), so time and
    memory stay bounded on any input and a group of thousands of near-copies still takes them all in.
    """
    frequency = Counter(gram for grams in sets for gram in grams)
    join = _Join(sets, threshold)
    for i in sorted(range(len(sets)), key=lambda i: len(sets[i])):
        if not sets[i]:
            continue
        ordered = sorted(sets[i], key=lambda g: (frequency[g], g))
        if join.found.work < work:
            join.probe(i, join.keys(ordered, threshold / (2 - threshold)), per_set)
            join.add(i, join.keys(ordered, threshold))
        else:  # out of work: glance at the sets already indexed only, so a big group still takes in the rest
            join.found.complete = False
            join.probe(i, join.keys(ordered, threshold / (2 - threshold))[:_GLANCE], _GLANCE)
    return join.found


# Keys looked up and comparisons made per set once the work limit is reached: enough for a near-copy of a
# template to join its group.
_GLANCE = 8


class _Join:
    """The state of one similarity join: the sets, the index and the groups found so far."""

    def __init__(self, sets: Sequence[frozenset[str]], threshold: float) -> None:
        self.sets = sets
        self.threshold = threshold
        self.found = SimilarGroups(len(sets))
        # Two sets of up to `tiny` shingles each may reach the threshold with a single shingle in common.
        self.tiny = math.floor(2 / threshold + 1e-9) - 1
        # key (two prefix shingles, or one shingle of a tiny set) → the one set indexed under it, or
        # {group root when indexed → sets}; roots go stale as groups merge, and are compacted on the way.
        self.index: dict[str, int | dict[int, list[int]]] = {}
        self.tried: set[int] = set()

    def keys(self, ordered: list[str], share: float) -> list[str]:
        """A set's keys: the pairs of its prefix shingles, rarest first, and each shingle of a tiny set.

        The prefix leaves out the ⌈share·n⌉ − 2 commonest: share is t/(2−t) when probing (a partner may be
        smaller) and t when indexing (later partners are at least as large, so they must share more).
        """
        size = len(ordered)
        prefix = ordered[: size - math.ceil(size * share - 1e-9) + 2]
        pairs = [a + b for n, a in enumerate(prefix) for b in prefix[n + 1 :]]  # bigrams: 4 characters
        return pairs + ordered if size <= self.tiny else pairs

    def add(self, i: int, keys: list[str]) -> None:
        index, root = self.index, self.found.root(i)
        self.found.work += len(keys)
        for key in keys:
            entry = index.get(key)
            if entry is None:
                index[key] = i  # most keys hold one set: no bucket for them
                continue
            if isinstance(entry, int):
                entry = index[key] = {self.found.root(entry): [entry]}
            entry.setdefault(root, []).append(i)

    def probe(self, i: int, keys: list[str], per_set: int) -> None:
        """Join set i to the earlier sets of other groups met under its keys that are similar to it."""
        found, index = self.found, self.index
        parent, root = found.parent, found.root
        found.work += len(keys)
        tried = self.tried = set()
        mine = root(i)
        for key in keys:
            entry = index.get(key)
            if entry is None:
                continue
            if isinstance(entry, int):
                if root(entry) != mine and self.verify(i, entry):
                    mine = root(i)
            else:
                stale = 0
                for head, members in entry.items():
                    group = head if parent[head] == head else root(head)
                    if group != head:
                        stale += 1
                    if group == mine:
                        continue
                    for j in members:
                        if self.verify(i, j):
                            mine = root(i)
                            break  # the rest of this bucket is in i's group now
                    if len(tried) >= per_set:
                        break
                if stale * 2 > len(entry):
                    _compact(entry, found)
            if len(tried) >= per_set:
                found.complete = False
                return

    def verify(self, i: int, j: int) -> bool:
        """Compare sets i and j once; join their groups if similar. False when not (or out of comparisons)."""
        if j in self.tried:
            return False
        self.tried.add(j)
        grams, other, found = self.sets[i], self.sets[j], self.found
        if not could_reach(len(grams), len(other), self.threshold):
            return False
        found.comparisons += 1
        found.work += 1
        score = dice(grams, other)
        if score >= self.threshold:
            found.join(i, j, score)
            return True
        return False


def _compact(buckets: dict[int, list[int]], found: SimilarGroups) -> None:
    """Merge the buckets of groups that have since joined, so a probe meets each group about once."""
    merged: dict[int, list[int]] = {}
    for key, members in buckets.items():
        merged.setdefault(found.root(key), []).extend(members)
    buckets.clear()
    buckets.update(merged)
