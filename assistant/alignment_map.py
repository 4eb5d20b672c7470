"""The alignment map: the OKR tree of a batch as a picture (company → departments → teams, O → KR).

``build_map`` lays the sets out as a pure computation: one column per organisational level, left to
right; a band per set; each objective beside its key results. Edges run from a parent key result to
each objective that takes it on, and handshakes run from a key result to the team it depends on.
The alignment findings mark the boxes: parent KRs nothing takes on (漏球, ALI003), objectives much
like another team's (ALI004), objectives that take on nothing (ALI001) or name a KR that does not
exist (ALI002). ``render_svg`` draws the layout as one self-contained SVG (no scripts, no links, no
fonts fetched), so it shows the same in the app, a browser or a document.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from html import escape
from typing import Any

from .findings import Finding
from .model import DependencyStatus, OKRSet
from .rules.aligned import LEVEL_RANK, AlignmentIndex, resolved_refs
from .rules.catalogue import map_flags
from .shipped import data_table
from .texts import words

# Which findings mark which boxes: the rules tagged "map" in data/rules.toml, with their map-flag.
FLAG_CODES = map_flags()
FLAG_ORDER = ("unsupported", "duplicate", "unresolved", "unaligned")
DETAIL_FLAGS = ("duplicate", "unresolved")  # these flags also list the finding's evidence

# Geometry, in SVG pixels.
FONT = 13
LINE = 17
META = 11
PAD = 8
OBJECTIVE_W = 210
KR_W = 260
INNER_GAP = 28  # between an objective and its key results
BAND_PAD = 12
BAND_HEAD = 26
COLUMN_W = BAND_PAD + OBJECTIVE_W + INNER_GAP + KR_W + BAND_PAD
COLUMN_GAP = 120  # room for the edges between levels
KR_GAP = 8
OBJECTIVE_GAP = 16
BAND_GAP = 18
MARGIN = 20
MAX_LINES = 3
LOOP_ROOM = 90  # right of the last column: handshake loops reach up to 76 px past a band


def _words() -> Mapping[str, Any]:
    return data_table("map")


def _labels(language: str) -> Mapping[str, Any]:
    """The map's words in ``language`` (the text table map.toml; other languages read as Chinese)."""
    return words("map").table(language)


# ---------------------------------------------------------------- the layout


@dataclass(frozen=True, slots=True)
class Box:
    x: float
    y: float
    w: float
    h: float

    @property
    def left(self) -> tuple[float, float]:
        return self.x, self.y + self.h / 2

    @property
    def right(self) -> tuple[float, float]:
        return self.x + self.w, self.y + self.h / 2


@dataclass(frozen=True, slots=True)
class Handshake:
    team: str
    point: str
    status: str  # accepted, questioned, rejected, unanswered


@dataclass(slots=True)
class Node:
    """An objective or key result box."""

    id: str  # "<set key>/O1" or "<set key>/O1.KR2": unique in the map
    kind: str  # objective | kr
    set_key: str
    ref: str  # "O1" or "O1.KR2"
    text: str
    owner: str
    lines: list[str]
    box: Box
    flags: list[str] = field(default_factory=list)
    details: list[str] = field(default_factory=list)  # tooltip lines beyond the text
    handshakes: list[Handshake] = field(default_factory=list)
    findings: int = 0


@dataclass(frozen=True, slots=True)
class Edge:
    source: str  # node id
    target: str  # node id, or "band:<set key>" for a handshake
    kind: str  # aligns | handshake
    status: str = ""  # handshake status


@dataclass(frozen=True, slots=True)
class Band:
    set_key: str
    team: str
    owner: str
    cycle: str
    column: int
    box: Box


@dataclass(frozen=True, slots=True)
class AlignmentMap:
    """The laid-out picture: what ``render_svg`` draws and ``summary_line`` counts."""

    nodes: dict[str, Node]
    edges: list[Edge]
    bands: list[Band]
    columns: list[str]  # level key per column ("none" for sets without a level)
    width: float
    height: float
    top: float  # where the columns start, below the legend

    def flagged(self, flag: str) -> list[Node]:
        return [node for node in self.nodes.values() if flag in node.flags]

    @property
    def handshake_statuses(self) -> Counter[str]:
        return Counter(h.status for node in self.nodes.values() for h in node.handshakes)


def _char_width(char: str) -> float:
    """Width of a character in ems: full for CJK and other wide characters, about half for the rest."""
    if unicodedata.east_asian_width(char) in ("W", "F"):
        return 1.0
    if char.isupper() or char in "mw@%":
        return 0.68
    return 0.55


def _text_width(text: str, size: float) -> float:
    return size * sum(_char_width(c) for c in text)


_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9.,%'’\-/]*|\s+|.", re.DOTALL)


def wrap(text: str, width_em: float, max_lines: int = MAX_LINES) -> list[str]:
    """``text`` broken into lines no wider than ``width_em``: CJK anywhere, Latin words whole when they fit.

    Past ``max_lines`` the last line ends in an ellipsis; the full text goes in the tooltip.
    """
    lines: list[str] = []
    current, used = "", 0.0
    for token in _TOKEN.findall(" ".join(text.split())):
        size = sum(_char_width(c) for c in token)
        if token.isspace():
            if current:
                current, used = current + " ", used + size
            continue
        if used + size > width_em and current.strip():
            lines.append(current.rstrip())
            current, used = "", 0.0
        if size > width_em:  # a word longer than a line: cut it
            for char in token:
                char_size = _char_width(char)
                if used + char_size > width_em:
                    lines.append(current)
                    current, used = "", 0.0
                current, used = current + char, used + char_size
            continue
        current, used = current + token, used + size
    if current.strip():
        lines.append(current.rstrip())
    if len(lines) > max_lines:
        last = lines[max_lines - 1]
        while last and sum(_char_width(c) for c in last) > width_em - 1:
            last = last[:-1]
        lines = [*lines[: max_lines - 1], last.rstrip() + "…"]
    return lines or [""]


def _box_height(lines: Sequence[str], extra_lines: int = 0) -> float:
    return PAD + len(lines) * LINE + (1 + extra_lines) * (META + 4) + PAD


def _status(status: DependencyStatus | None) -> str:
    return status.value if status is not None else "unanswered"


def _columns(sets: Sequence[OKRSet], index: AlignmentIndex) -> dict[int, int]:
    """Each set's column rank: its level's rank, else one right of its parent, else 0."""
    ranks: dict[int, int] = {}

    def rank(okr_set: OKRSet, seen: frozenset[int] = frozenset()) -> int:
        key = id(okr_set)
        if key in ranks:
            return ranks[key]
        if okr_set.level is not None:
            value = LEVEL_RANK[okr_set.level]
        else:
            parent = index.parent[key]
            value = rank(parent, seen | {key}) + 1 if parent is not None and id(parent) not in seen else 0
        ranks[key] = value
        return value

    for okr_set in sets:
        rank(okr_set)
    return ranks


def build_map(sets: Sequence[OKRSet], findings: Iterable[Finding], *, language: str = "zh") -> AlignmentMap:
    """Lay out ``sets`` with their alignment links and mark the boxes that ``findings`` flag."""
    words = _labels(language)
    sets = list(sets)
    index = AlignmentIndex(sets)
    ranks = _columns(sets, index)
    used_ranks = sorted(set(ranks.values()))
    column_of = {rank: position for position, rank in enumerate(used_ranks)}
    rank_level = {rank: level.value for level, rank in LEVEL_RANK.items()}
    columns = [
        rank_level[rank] if any(s.level is not None and ranks[id(s)] == rank for s in sets) else "none"
        for rank in used_ranks
    ]

    by_item: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for finding in findings:
        by_item[(finding.set_key, finding.item)].append(finding)

    # Links first: which parent KR each objective takes on, so children can sit near their parents.
    links: dict[tuple[int, str], list[tuple[OKRSet, str]]] = defaultdict(list)  # (set, O id) → [(parent set, KR ref)]
    for okr_set in sets:
        for objective in okr_set.objectives:
            for _, target, kr_ref in resolved_refs(okr_set, objective, index):
                if target is not None and kr_ref is not None and kr_ref in index.kr_refs(target):
                    links[(id(okr_set), objective.id)].append((target, kr_ref))

    nodes: dict[str, Node] = {}
    bands: list[Band] = []
    # The right margin leaves room for handshake loops in the last column.
    width = max(MARGIN + LOOP_ROOM + len(used_ranks) * COLUMN_W + max(len(used_ranks) - 1, 0) * COLUMN_GAP, MIN_WIDTH)
    top = MARGIN + _legend_height(words, width)
    for rank in used_ranks:
        column = column_of[rank]
        x = MARGIN + column * (COLUMN_W + COLUMN_GAP)
        in_column = [s for s in sets if ranks[id(s)] == rank]
        in_column.sort(key=lambda s: _anchor(s, links, nodes))
        y = top + 28  # below the column heading
        for okr_set in in_column:
            height = _lay_out_set(okr_set, x, y + BAND_HEAD, nodes, by_item, words)
            bands.append(
                Band(
                    set_key=okr_set.key,
                    team=okr_set.team,
                    owner=okr_set.owner or "",
                    cycle=okr_set.cycle or "",
                    column=column,
                    box=Box(x, y, COLUMN_W, BAND_HEAD + height + BAND_PAD),
                )
            )
            y += BAND_HEAD + height + BAND_PAD + BAND_GAP

    edges: list[Edge] = []
    for okr_set in sets:
        for objective in okr_set.objectives:
            for parent, kr_ref in links[(id(okr_set), objective.id)]:
                edges.append(Edge(f"{parent.key}/{kr_ref}", f"{okr_set.key}/{objective.id}", "aligns"))
    band_keys = {band.set_key for band in bands}
    for okr_set in sets:
        for objective, kr in okr_set.key_results():
            for dependency in kr.dependencies:
                other = index.team(dependency.team, okr_set.cycle)
                if other is not None and other.key in band_keys and other.key != okr_set.key:
                    source = f"{okr_set.key}/{objective.kr_ref(kr)}"
                    edges.append(Edge(source, f"band:{other.key}", "handshake", _status(dependency.status)))

    bottom = max((band.box.y + band.box.h for band in bands), default=top)
    return AlignmentMap(
        nodes=nodes,
        edges=edges,
        bands=bands,
        columns=columns,
        width=width,
        height=bottom + MARGIN,
        top=top,
    )


def _anchor(okr_set: OKRSet, links: Mapping[tuple[int, str], list[tuple[OKRSet, str]]], nodes: Mapping[str, Node]):
    """Sort key that puts a set level with the parent KRs it takes on (fewer crossing edges)."""
    ys = [
        nodes[node_id].box.y
        for objective in okr_set.objectives
        for parent, kr_ref in links[(id(okr_set), objective.id)]
        if (node_id := f"{parent.key}/{kr_ref}") in nodes
    ]
    return (0, sum(ys) / len(ys)) if ys else (1, 0.0)


def _flags(findings: Sequence[Finding], words: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    flags = [FLAG_CODES[f.code] for f in findings if f.code in FLAG_CODES]
    details = [f"{words[FLAG_CODES[f.code]]}: {f.evidence}" for f in findings if FLAG_CODES.get(f.code) in DETAIL_FLAGS]
    ordered = [flag for flag in FLAG_ORDER if flag in flags]
    return ordered, details


def _lay_out_set(
    okr_set: OKRSet,
    x: float,
    y: float,
    nodes: dict[str, Node],
    by_item: Mapping[tuple[str, str], list[Finding]],
    words: Mapping[str, Any],
) -> float:
    """Place one set's boxes from ``y`` down; returns the height used."""
    start = y
    o_x = x + BAND_PAD
    kr_x = o_x + OBJECTIVE_W + INNER_GAP
    for objective in okr_set.objectives:
        kr_nodes: list[Node] = []
        kr_y = y
        for kr in objective.key_results:
            ref = objective.kr_ref(kr)
            found = by_item.get((okr_set.key, ref), [])
            flags, details = _flags(found, words)
            handshakes = [Handshake(d.team, d.point or "", _status(d.status)) for d in kr.dependencies]
            lines = wrap(kr.text, (KR_W - 2 * PAD) / FONT)
            height = _box_height(lines, extra_lines=1 if handshakes else 0)
            node = Node(
                id=f"{okr_set.key}/{ref}",
                kind="kr",
                set_key=okr_set.key,
                ref=ref,
                text=kr.text,
                owner=kr.owner or "",
                lines=lines,
                box=Box(kr_x, kr_y, KR_W, height),
                flags=flags,
                details=details,
                handshakes=handshakes,
                findings=len(found),
            )
            kr_nodes.append(node)
            kr_y += height + KR_GAP
        found = by_item.get((okr_set.key, objective.id), [])
        flags, details = _flags(found, words)
        if objective.aligned_to:
            details.insert(0, words["aligned_to"].format(refs=", ".join(objective.aligned_to)))
        lines = wrap(objective.text, (OBJECTIVE_W - 2 * PAD) / FONT)
        o_height = _box_height(lines)
        krs_height = (kr_y - KR_GAP - y) if kr_nodes else 0
        block = max(o_height, krs_height)
        o_y = y + (block - o_height) / 2
        if krs_height < block:  # a tall objective beside few KRs: centre the KRs instead
            shift = (block - krs_height) / 2
            for node in kr_nodes:
                node.box = Box(node.box.x, node.box.y + shift, node.box.w, node.box.h)
        nodes[f"{okr_set.key}/{objective.id}"] = Node(
            id=f"{okr_set.key}/{objective.id}",
            kind="objective",
            set_key=okr_set.key,
            ref=objective.id,
            text=objective.text,
            owner=objective.owner or okr_set.owner or "",
            lines=lines,
            box=Box(o_x, o_y, OBJECTIVE_W, o_height),
            flags=flags,
            details=details,
            findings=len(found),
        )
        for node in kr_nodes:
            nodes[node.id] = node
        y += block + OBJECTIVE_GAP
    return max(y - OBJECTIVE_GAP - start, 0)


# ---------------------------------------------------------------- the picture

LEGEND_FONT = 12
_STATUSES = ("accepted", "questioned", "rejected", "unanswered")
LEGEND_ROW = 22
MIN_WIDTH = 720


@dataclass(frozen=True, slots=True)
class _LegendItem:
    kind: str  # a flag, "aligns", "handshakes" (the heading) or a handshake status
    label: str
    x: float
    row: int


def _legend_items(words: Mapping[str, Any], width: float) -> list[_LegendItem]:
    """The legend's entries flowed into rows no wider than ``width``."""
    entries = [(flag, words[flag + "_legend"]) for flag in FLAG_ORDER]
    entries += [("aligns", words["aligns_legend"]), ("handshakes", words["handshake_legend"])]
    entries += [(status, words["statuses"][status]) for status in _STATUSES]

    def size(kind: str, label: str) -> float:
        swatch = 0 if kind == "handshakes" else (36 if kind == "aligns" or kind in _STATUSES else 18)
        return swatch + _text_width(label, LEGEND_FONT) + 24

    items: list[_LegendItem] = []
    x, row = float(MARGIN), 0
    for kind, label in entries:
        if kind in _STATUSES:  # statuses stay on the line of their heading
            needed = size(kind, label)
        elif kind == "handshakes":
            needed = sum(size(k, text) for k, text in entries if k == kind or k in _STATUSES)
        else:
            needed = size(kind, label)
        if x + needed > width - MARGIN and x > MARGIN and kind not in _STATUSES:
            x, row = float(MARGIN), row + 1
        items.append(_LegendItem(kind, label, x, row))
        x += size(kind, label)
    return items


def _legend_height(words: Mapping[str, Any], width: float) -> float:
    return (max(item.row for item in _legend_items(words, width)) + 1) * LEGEND_ROW + 12


def summary_line(picture: AlignmentMap, language: str) -> str:
    """One line of counts under the picture: levels, teams, objectives, key results, problems, handshakes."""
    words = _labels(language)
    nodes = picture.nodes.values()
    statuses = picture.handshake_statuses
    line = words["summary"].format(
        levels=len(picture.columns),
        teams=len(picture.bands),
        objectives=sum(1 for n in nodes if n.kind == "objective"),
        krs=sum(1 for n in nodes if n.kind == "kr"),
        unsupported=len(picture.flagged("unsupported")),
        duplicate=len(picture.flagged("duplicate")),
        unaligned=len(picture.flagged("unaligned")),
        handshakes=sum(statuses.values()),
    )
    detail = [
        words["status_count"].format(status=words["statuses"][status], count=statuses[status])
        for status in ("accepted", "questioned", "rejected", "unanswered")
        if statuses[status]
    ]
    if detail:
        line += words["summary_statuses"].format(detail=words["status_joiner"].join(detail))
    return line


def _attr(text: str) -> str:
    return escape(text, quote=True)


def _curve(start: tuple[float, float], end: tuple[float, float]) -> str:
    (x1, y1), (x2, y2) = start, end
    bend = max((x2 - x1) / 2, 40)
    return f"M{x1:.1f},{y1:.1f} C{x1 + bend:.1f},{y1:.1f} {x2 - bend:.1f},{y2:.1f} {x2:.1f},{y2:.1f}"


def _loop(start: tuple[float, float], end: tuple[float, float]) -> str:
    """A handshake within one column: out to the right of the boxes and back in."""
    (x1, y1), (x2, y2) = start, end
    reach = max(x1, x2) + 36 + min(abs(y2 - y1) / 20, 40)
    return f"M{x1:.1f},{y1:.1f} C{reach:.1f},{y1:.1f} {reach:.1f},{y2:.1f} {x2:.1f},{y2:.1f}"


def render_svg(picture: AlignmentMap, language: str = "zh") -> str:
    """The map as one self-contained SVG document; every text from the input is escaped."""
    words = _labels(language)
    style = _words()["style"]
    out: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="okr-alignment-map" width="{picture.width:.0f}" '
        f'height="{picture.height:.0f}" viewBox="0 0 {picture.width:.0f} {picture.height:.0f}" '
        f'role="img" aria-label="{_attr(words["title"] + ": " + summary_line(picture, language))}">',
        f"<title>{escape(words['title'])}</title>",
        _style_block(style),
        "<defs>"
        '<marker id="okr-map-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
        f'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{style["edge"]}"/></marker>'
        "</defs>",
        '<rect width="100%" height="100%" fill="#ffffff"/>',
    ]
    out.extend(_legend(words, style, picture.width))
    for column, level in enumerate(picture.columns):
        x = MARGIN + column * (COLUMN_W + COLUMN_GAP)
        out.append(
            f'<text class="column" x="{x + COLUMN_W / 2:.1f}" y="{picture.top + 16:.1f}" text-anchor="middle">'
            f"{escape(words['levels'][level])}</text>"
        )
    for band in picture.bands:
        out.extend(_band(band, words))
    bands = {band.set_key: band for band in picture.bands}
    out.append('<g class="edges">')
    for edge in picture.edges:
        out.append(_edge(edge, picture, bands, words, style))
    out.append("</g>")
    out.append('<g class="nodes">')
    for node in picture.nodes.values():
        out.extend(_node(node, words, style))
    out.append("</g>")
    out.append("</svg>")
    return "\n".join(out)


def _style_block(style: Mapping[str, str]) -> str:
    return (
        "<style>"
        f"text{{font-family:{style['font']};fill:{style['text']};font-size:{FONT}px}}"
        f".meta{{font-size:{META}px;fill:{style['muted']}}}"
        f".column{{font-size:15px;font-weight:600;fill:{style['muted']}}}"
        ".band-title{font-size:13px;font-weight:600}"
        ".badge{font-size:10px;font-weight:600;fill:#ffffff}"
        f".legend{{font-size:{LEGEND_FONT}px;fill:{style['muted']}}}"
        f".aligns{{fill:none;stroke:{style['edge']};stroke-width:1.4;opacity:.75}}"
        ".handshake{fill:none;stroke-width:1.6;stroke-dasharray:6 4;opacity:.9}"
        "</style>"
    )


def _legend(words: Mapping[str, Any], style: Mapping[str, str], width: float) -> list[str]:
    out = ['<g class="legend-block">']
    for item in _legend_items(words, width):
        x, y = item.x, MARGIN + 14 + item.row * LEGEND_ROW
        label = escape(item.label)
        if item.kind in FLAG_ORDER:
            out.append(
                f'<rect x="{x:.0f}" y="{y - 10}" width="12" height="12" rx="3" fill="{style[item.kind]}"/>'
                f'<text class="legend" x="{x + 18:.0f}" y="{y}">{label}</text>'
            )
        elif item.kind == "aligns":
            out.append(
                f'<path class="aligns" d="M{x:.0f},{y - 4} L{x + 28:.0f},{y - 4}" marker-end="url(#okr-map-arrow)"/>'
                f'<text class="legend" x="{x + 36:.0f}" y="{y}">{label}</text>'
            )
        elif item.kind == "handshakes":
            out.append(f'<text class="legend" x="{x:.0f}" y="{y}">{label}</text>')
        else:
            out.append(
                f'<path class="handshake" stroke="{style[item.kind]}" d="M{x:.0f},{y - 4} L{x + 28:.0f},{y - 4}"/>'
                f'<text class="legend" x="{x + 36:.0f}" y="{y}">{label}</text>'
            )
    out.append("</g>")
    return out


def _band(band: Band, words: Mapping[str, Any]) -> list[str]:
    box = band.box
    title = words["separator"].join(part for part in (band.team, band.owner, band.cycle) if part)
    return [
        f'<g class="band"><title>{escape(band.set_key)}</title>'
        f'<rect x="{box.x:.1f}" y="{box.y:.1f}" width="{box.w:.1f}" height="{box.h:.1f}" rx="10" '
        f'fill="{_words()["style"]["band_fill"]}" stroke="{_words()["style"]["band_stroke"]}"/>'
        f'<text class="band-title" x="{box.x + BAND_PAD:.1f}" y="{box.y + 18:.1f}">{escape(title)}</text></g>'
    ]


def _edge(
    edge: Edge, picture: AlignmentMap, bands: Mapping[str, Band], words: Mapping[str, Any], style: Mapping[str, str]
) -> str:
    source = picture.nodes[edge.source]
    if edge.kind == "aligns":
        target = picture.nodes[edge.target]
        path = _curve(source.box.right, target.box.left)
        tip = f"{source.set_key} {source.ref} → {target.set_key} {target.ref}"
        return f'<path class="aligns" d="{path}" marker-end="url(#okr-map-arrow)"><title>{escape(tip)}</title></path>'
    band = bands[edge.target.removeprefix("band:")]
    end_right = (band.box.x + band.box.w, band.box.y + 14)
    if band.box.x > source.box.x + source.box.w:
        path = _curve(source.box.right, (band.box.x, band.box.y + 14))
    else:
        path = _loop(source.box.right, end_right)
    tip = f"{source.set_key} {source.ref} ⇢ {band.team}: {words['statuses'][edge.status]}"
    return (
        f'<path class="handshake" stroke="{style[edge.status]}" d="{path}" marker-end="url(#okr-map-arrow)">'
        f"<title>{escape(tip)}</title></path>"
    )


def _node(node: Node, words: Mapping[str, Any], style: Mapping[str, str]) -> list[str]:
    box = node.box
    is_objective = node.kind == "objective"
    fill = style["objective_fill"] if is_objective else style["kr_fill"]
    stroke, width, dash = (style["objective_stroke"] if is_objective else style["kr_stroke"]), 1.2, ""
    if node.flags:
        stroke, width = style[node.flags[0]], 2.4
        if node.flags[0] == "unaligned":
            dash = ' stroke-dasharray="5 4"'
    tooltip = [f"{node.set_key} {node.ref}", node.text]
    if node.owner:
        tooltip.append(node.owner)
    tooltip.extend(node.details)
    tooltip.extend(
        f"{words['handshake'].format(team=h.team)}: {words['statuses'][h.status]}{' — ' + h.point if h.point else ''}"
        for h in node.handshakes
    )
    if node.findings:
        tooltip.append(words["findings"].format(count=node.findings))
    out = [
        f'<g class="{" ".join(["node", node.kind, *node.flags])}">',
        f"<title>{escape(chr(10).join(tooltip))}</title>",
        f'<rect x="{box.x:.1f}" y="{box.y:.1f}" width="{box.w:.1f}" height="{box.h:.1f}" rx="7" '
        f'fill="{fill}" stroke="{stroke}" stroke-width="{width}"{dash}/>',
    ]
    text_x = box.x + PAD
    baseline = box.y + PAD + FONT
    weight = ' font-weight="600"' if is_objective else ""
    out.append(f'<text x="{text_x:.1f}" y="{baseline:.1f}"{weight}>')
    for number, line in enumerate(node.lines):
        out.append(f'<tspan x="{text_x:.1f}" dy="{0 if number == 0 else LINE}">{escape(line)}</tspan>')
    out.append("</text>")
    meta_y = box.y + PAD + len(node.lines) * LINE + META + 2
    short_ref = node.ref.split(".")[-1]
    owner = node.owner or words["owner_missing"]
    out.append(f'<text class="meta" x="{text_x:.1f}" y="{meta_y:.1f}">{escape(short_ref + " · " + owner)}</text>')
    if node.handshakes:
        meta_y += META + 4
        x = text_x
        for handshake in node.handshakes[:3]:
            label = f"⇄ {handshake.team} {words['statuses'][handshake.status]}"
            out.append(
                f'<text class="meta" x="{x:.1f}" y="{meta_y:.1f}" fill="{style[handshake.status]}" '
                f'style="fill:{style[handshake.status]}">{escape(label)}</text>'
            )
            x += 14 + _text_width(label, META)
    badge_x = box.x + box.w - 6
    for flag in reversed(node.flags):
        label = words[flag]
        badge_w = 10 + _text_width(label, 10)
        badge_x -= badge_w
        out.append(
            f'<rect x="{badge_x:.1f}" y="{box.y - 8:.1f}" width="{badge_w:.1f}" height="16" rx="8" '
            f'fill="{style[flag]}"/>'
            f'<text class="badge" x="{badge_x + badge_w / 2:.1f}" y="{box.y + 4:.1f}" text-anchor="middle">'
            f"{escape(label)}</text>"
        )
        badge_x -= 4
    out.append("</g>")
    return out
