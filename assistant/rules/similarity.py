"""Text similarity for near-duplicate objectives and key results that repeat their objective."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from itertools import chain
from typing import Any, cast

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

    The steps (and so the links, whose scores the findings show, and where a limit cuts) are those of the plain
    form kept in tests/rules/test_similar_groups_reference.py; numbered shingles, int keys and bit sets make
    each step cheaper.
    """
    join = _Join(sets, threshold)
    probing = threshold / (2 - threshold)
    for i in sorted(range(len(sets)), key=join.sizes.__getitem__):
        if not sets[i]:
            continue
        ordered = join.ordered(i)
        if join.found.work < work:
            join.probe(i, join.keys(ordered, probing), per_set)
            join.add(i, join.keys(ordered, threshold))
        else:  # out of work: glance at the sets already indexed only, so a big group still takes in the rest
            join.found.complete = False
            join.probe(i, join.keys(ordered, probing)[:_GLANCE], _GLANCE)
    return join.found


# Keys looked up and comparisons made per set once the work limit is reached: enough for a near-copy of a
# template to join its group.
_GLANCE = 8

# Sets are compared as bit sets while those take at most this many bytes per shingle held (a frozenset takes
# more): company exports reuse a few hundred bigrams, so theirs are short; a huge vocabulary keeps frozensets.
_BITSET_BYTES_PER_SHINGLE = 16


class _Join:
    """The state of one similarity join: the sets, the index and the groups found so far.

    Shingles are numbered once by rarity (ties by text), so a set's rarest-first order is its sorted numbers
    and a key (a pair of numbers, or one) is an int. Sets are compared as bit sets of those numbers when that
    is compact (``int.bit_count`` of the intersection), as the given frozensets when not: the same counts.
    """

    def __init__(self, sets: Sequence[frozenset[str]], threshold: float) -> None:
        self.sets = sets
        self.threshold = threshold
        self.found = SimilarGroups(len(sets))
        self.sizes = [len(grams) for grams in sets]
        frequency = Counter(chain.from_iterable(sets))
        self.rank = {gram: n for n, gram in enumerate(sorted(frequency, key=lambda g: (frequency[g], g)))}
        self.base = len(self.rank) + 1  # pairs (a, b) are keyed a·base + b + base, single shingles 0 … base − 1
        bitset_bytes = len(sets) * (len(self.rank) // 8 + 32)
        self.bitsets = bitset_bytes <= _BITSET_BYTES_PER_SHINGLE * sum(self.sizes)
        # What each set is compared as (filled in as sets are taken, always before they are met) and the count
        # of shingles in an intersection of two of them.
        self.fingerprints: list[Any] = [0] * len(sets) if self.bitsets else list(sets)
        self.count: Callable[[Any], int] = int.bit_count if self.bitsets else len
        # Two sets of up to `tiny` shingles each may reach the threshold with a single shingle in common.
        self.tiny = math.floor(2 / threshold + 1e-9) - 1
        # key → ~the one set indexed under it, or {group root when indexed → sets}; roots go stale as groups
        # merge, and are compacted on the way.
        self.index: dict[int, int | dict[int, list[int]]] = {}
        self._low: dict[int, int] = {}
        self.seen = [-1] * len(sets)  # by set: the last set whose probe met it
        self._needed: list[int] = []

    def ordered(self, i: int) -> list[int]:
        """Set i's shingle numbers, rarest first; notes its bit set on the way."""
        ordered = sorted([self.rank[gram] for gram in self.sets[i]])
        if self.bitsets:
            self.fingerprints[i] = sum([1 << n for n in ordered])
        return ordered

    def keys(self, ordered: list[int], share: float) -> list[int]:
        """A set's keys: the pairs of its prefix shingles, rarest first, and each shingle of a tiny set.

        The prefix leaves out the ⌈share·n⌉ − 2 commonest: share is t/(2−t) when probing (a partner may be
        smaller) and t when indexing (later partners are at least as large, so they must share more).
        """
        size, base = len(ordered), self.base
        prefix = ordered[: size - math.ceil(size * share - 1e-9) + 2]
        rows = [a * base + base for a in prefix]
        pairs = [row + b for n, row in enumerate(rows) for b in prefix[n + 1 :]]
        return pairs + ordered if size <= self.tiny else pairs

    def add(self, i: int, keys: list[int]) -> None:
        """Index set i under its keys, with the sets of its group."""
        index, get, root = self.index, self.index.get, self.found.root
        mine = root(i)
        self.found.work += len(keys)
        for key in keys:
            entry = get(key)
            if type(entry) is dict:
                bucket = entry.get(mine)
                if bucket is None:
                    entry[mine] = [i]
                else:
                    bucket.append(i)
            elif entry is None:
                index[key] = ~i  # many keys hold one set: no bucket for them (~i: never 0 nor None)
            else:
                other = ~cast(int, entry)
                head = root(other)
                index[key] = {mine: [other, i]} if head == mine else {head: [other], mine: [i]}

    def probe(self, i: int, keys: list[int], per_set: int) -> None:
        """Join set i to the earlier sets of other groups met under its keys that are similar to it.

        Each set met is compared once (``seen``); within a group's bucket the sets are compared in turn
        until one is similar, which joins the groups. The sets met were all taken before i, so they are no
        larger than i: only a much smaller one may be too small to compare.
        """
        found, sizes, count, fingerprints = self.found, self.sizes, self.count, self.fingerprints
        parent, root, get = found.parent, found.root, self.index.get
        mine_print, size = fingerprints[i], sizes[i]
        low = self._smallest_partner(size)
        needed = self._common_needed(2 * size)[size:]  # by the other set's size: shared shingles it takes
        seen = self.seen  # seen[j] == i: set j met in this probe (compared, or too small to compare)
        met = compared = 0
        mine = root(i)
        entries: Iterator[int | dict[int, list[int]]] = filter(None, map(get, keys))  # joins leave the index as is
        for entry in entries:
            if type(entry) is dict:
                stale = 0
                for head, members in entry.items():
                    if parent[head] != head:
                        stale += 1
                        if root(head) == mine:
                            continue
                    elif head == mine:
                        continue
                    for j in members:
                        if seen[j] == i:
                            continue
                        seen[j] = i
                        met += 1
                        other = sizes[j]
                        if other >= low:
                            compared += 1
                            common = count(mine_print & fingerprints[j])
                            if common >= needed[other]:
                                found.join(i, j, 2 * common / (size + other))
                                mine = root(i)
                                break  # the rest of this bucket is in i's group now
                    if met >= per_set:
                        break
                if stale and stale * 2 > len(entry):
                    _compact(entry, found)
            else:  # one set under this key
                j = ~cast(int, entry)
                if seen[j] == i or root(j) == mine:
                    continue
                seen[j] = i
                met += 1
                other = sizes[j]
                if other >= low:
                    compared += 1
                    common = count(mine_print & fingerprints[j])
                    if common >= needed[other]:
                        found.join(i, j, 2 * common / (size + other))
                        mine = root(i)
            if met >= per_set:
                found.complete = False
                break
        found.comparisons += compared
        found.work += len(keys) + compared

    def _smallest_partner(self, size: int) -> int:
        """The fewest shingles a smaller set may have to reach the threshold with a set of this size."""
        low = self._low.get(size)
        if low is None:
            low = self._low[size] = next(b for b in range(1, size + 1) if could_reach(size, b, self.threshold))
        return low

    def _common_needed(self, total: int) -> list[int]:
        """For each sum of two sizes up to total: the fewest shared shingles whose Dice reaches the threshold."""
        needed = self._needed
        while len(needed) <= total:
            pair = len(needed)
            common = min(pair, math.ceil(self.threshold * pair / 2))
            while common > 0 and 2 * (common - 1) / max(pair, 1) >= self.threshold:
                common -= 1
            while common <= pair and 2 * common / max(pair, 1) < self.threshold:
                common += 1
            needed.append(common)
        return needed


def _compact(buckets: dict[int, list[int]], found: SimilarGroups) -> None:
    """Merge the buckets of groups that have since joined, so a probe meets each group about once."""
    merged: dict[int, list[int]] = {}
    for key, members in buckets.items():
        merged.setdefault(found.root(key), []).extend(members)
    buckets.clear()
    buckets.update(merged)
