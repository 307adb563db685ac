"""Where things go on a chart, computed without drawing: positions and assignments as plain data.

These functions take sizes (measured by the caller, in points) and return positions, offsets and
assignments as numpy arrays, tuples, dicts and small dataclasses; none of them touches a
matplotlib figure, so each can be tested on its own. The chart modules measure their texts,
call a layout function, then only draw, as networkx's ``spring_layout`` returns positions and
``nx.draw`` only draws.

Coordinates are in points with y upward, as the network and the level map draw them; a box is
``(x0, y0, x1, y1)``.

- the factor network (:mod:`~sce_analysis.charts.networks`): :func:`network_components`,
  :func:`unit_positions`, :func:`place_component` (with :func:`label_side`, :func:`label_box`,
  :func:`boxes_overlap`), :func:`pack_shelves`, :func:`best_shelf_packing`, :func:`fit_shelves`,
  :func:`component_shifts`;
- the level map (:mod:`~sce_analysis.charts.levelmap`): :func:`level_map_columns` and
  :class:`LevelMapGeometry`, whose :meth:`~LevelMapGeometry.place` gives a :class:`LevelMapPlacement`;
- the co-occurrence heatmap: :func:`theme_order` and :func:`theme_blocks`;
- bars: :func:`share_ticks`.

Examples
--------
>>> packing = pack_shelves([(40.0, 10.0), (30.0, 20.0), (50.0, 10.0)], 80.0, 5.0)
>>> packing.offsets, packing.width, packing.height
([(0.0, -10.0), (45.0, -20.0), (12.5, -35.0)], 75.0, 35.0)
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import networkx as nx
import numpy as np
import pandas as pd

from ..reviewsets.contract import LEVELS

__all__ = [
    "Box",
    "ComponentLayout",
    "ShelfPacking",
    "LevelMapGeometry",
    "LevelMapPlacement",
    "NO_THEME",
    "LEVELS_TOP_DOWN",
    "boxes_overlap",
    "label_box",
    "label_side",
    "unit_positions",
    "network_components",
    "place_component",
    "pack_shelves",
    "best_shelf_packing",
    "fit_shelves",
    "component_shifts",
    "header_bounds",
    "level_map_columns",
    "theme_order",
    "theme_blocks",
    "share_ticks",
]

#: A rectangle ``(x0, y0, x1, y1)`` in points, y upward.
Box = tuple[float, float, float, float]
#: The column of the level map's factors that have no theme (sorted after every theme).
NO_THEME = 10**6
#: The level map's bands from the top: national, local strategic, frontline.
LEVELS_TOP_DOWN = tuple(reversed(LEVELS))


# ----------------------------------------------------------------------------------- network


def boxes_overlap(a: Box, b: Box, pad: float = 2.0) -> bool:
    """Whether boxes ``a`` and ``b`` come closer than ``pad`` points to each other."""
    return a[0] < b[2] + pad and b[0] < a[2] + pad and a[1] < b[3] + pad and b[1] < a[3] + pad


def label_box(anchor, size, ha: str, va: str) -> Box:
    """The box of a text of ``size`` (width, height) placed at ``anchor`` with the alignment ``ha``, ``va``."""
    x, y = anchor
    w, h = size
    x0 = x if ha == "left" else x - w if ha == "right" else x - w / 2
    y0 = y if va == "bottom" else y - h if va == "top" else y - h / 2
    return (x0, y0, x0 + w, y0 + h)


def label_side(direction) -> tuple[str, str]:
    """Alignment (``ha``, ``va``) of a label set off from its circle in the unit ``direction``:
    a label to the right of its circle is left-aligned, one above it bottom-aligned, and so on."""
    ux, uy = direction
    ha = "left" if ux > 0.38 else "right" if ux < -0.38 else "center"
    va = "bottom" if uy > 0.38 else "top" if uy < -0.38 else "center"
    return ha, va


def network_components(G: nx.Graph, theme_of: Mapping, *, isolates: bool) -> tuple[list[list], int]:
    """The groups of factors the network draws, in drawing order, and how many factors it leaves out.

    Each connected group of linked factors (names sorted) is one component; components are
    ordered by their lowest theme number, then largest first. With ``isolates`` each factor
    without a link follows as a component of its own; without, those factors are counted as
    left out.
    """
    linked = [n for n in G.nodes if G.degree(n) > 0]
    lonely = sorted((n for n in G.nodes if G.degree(n) == 0), key=str) if isolates else []
    components = sorted(
        (sorted(c, key=str) for c in nx.connected_components(G.subgraph(linked))),
        key=lambda c: (min(theme_of.get(n, 10**6) for n in c), -len(c), c[0]),
    )
    components += [[n] for n in lonely]
    return components, G.number_of_nodes() - len(linked) - len(lonely)


def unit_positions(G, nodes: list, seed: int) -> tuple[list, np.ndarray]:
    """Node order and unit positions of one component: a ring (linked factors side by side) up to
    eight factors, else a Kamada-Kawai layout started from a seeded spring layout."""
    ordered = sorted(nodes, key=lambda n: (-G.nodes[n].get("n_units", 0), str(n)))
    n = len(nodes)
    if n == 1:
        return ordered, np.zeros((1, 2))
    if n == 2:
        return ordered, np.array([[-1.0, 0.0], [1.0, 0.0]])
    if n <= 8:
        sub = G.subgraph(nodes)
        ring = [ordered[0]]
        while len(ring) < n:
            last = ring[-1]
            rest = [m for m in ordered if m not in ring]
            rest.sort(key=lambda m: (not sub.has_edge(last, m), -G.nodes[m].get("n_units", 0), str(m)))
            ring.append(rest[0])
        angles = np.pi / 2 - 2 * np.pi * np.arange(n) / n + (np.pi / 4 if n == 4 else 0.0)
        return ring, np.column_stack([np.cos(angles), np.sin(angles)])
    sub = G.subgraph(nodes)
    start = nx.spring_layout(sub, seed=seed)
    positions = nx.kamada_kawai_layout(sub, pos=start)
    coords = np.array([positions[m] for m in ordered])
    coords -= coords.mean(axis=0)
    distances = np.sqrt(((coords[:, None, :] - coords[None, :, :]) ** 2).sum(-1)) + np.eye(n) * 1e9
    return ordered, coords / max(distances.min(), 1e-9)


@dataclass(frozen=True)
class ComponentLayout:
    """One network component laid out in points around its own origin (see :func:`place_component`)."""

    #: Circle centres, one row per factor in the order given.
    positions: np.ndarray
    #: Where each factor's label is anchored.
    anchors: list[np.ndarray]
    #: Each label's alignment (``ha``, ``va``) at its anchor.
    sides: list[tuple[str, str]]
    #: Each label's box, from its anchor, alignment and measured size.
    label_boxes: list[Box]
    #: Each circle's bounding box.
    circles: list[Box]
    #: The box around every label and circle.
    bounds: Box


def place_component(unit: np.ndarray, radii: Sequence[float], label_sizes, gap: float) -> ComponentLayout:
    """Scale a component's unit layout (in points) until no label or circle overlaps another.

    Labels sit outside their circle, away from the component's centre. The scale grows by 12%
    (and 2 points) a step, at most 60 steps, until no two labels come within ``gap / 2`` points,
    no label within 1 point of another factor's circle, and no two circles within ``gap / 2``.

    Parameters
    ----------
    unit : array of shape (n, 2)
        Unit positions, e.g. from :func:`unit_positions`.
    radii : sequence of float
        Each circle's radius in points.
    label_sizes : sequence of (float, float)
        Each label's measured width and height in points.
    gap : float
        Least room between labels and between circles, in points (doubled).
    """
    n = len(unit)
    centre = unit.mean(axis=0)
    directions = unit - centre
    norms = np.linalg.norm(directions, axis=1)
    directions = np.where(norms[:, None] > 1e-9, directions / np.maximum(norms, 1e-9)[:, None], [0.0, -1.0])
    sides = [label_side(d) for d in directions]
    scale = max(radii) * 2 + gap if n > 1 else 0.0
    for _ in range(60):
        positions = unit * scale
        anchors = [positions[i] + directions[i] * (radii[i] + 3) for i in range(n)]
        labels = [label_box(anchors[i], label_sizes[i], *sides[i]) for i in range(n)]
        circles = [(*(positions[i] - radii[i]), *(positions[i] + radii[i])) for i in range(n)]
        clash = any(
            boxes_overlap(labels[i], labels[j], gap / 2)
            or boxes_overlap(labels[i], circles[j], 1)
            or boxes_overlap(circles[i], circles[j], gap / 2)
            for i in range(n)
            for j in range(n)
            if i != j
        )
        if not clash:
            break
        scale = scale * 1.12 + 2
    boxes = labels + circles
    bounds = (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))
    return ComponentLayout(positions, anchors, sides, labels, circles, bounds)


def header_bounds(bounds: Box, header_height: float) -> Box:
    """A component's box grown upward to hold its theme heading (``header_height`` points and 4 of room)."""
    return (bounds[0], bounds[1], bounds[2], bounds[3] + header_height + 4)


@dataclass(frozen=True)
class ShelfPacking:
    """Boxes packed in shelves (see :func:`pack_shelves`)."""

    #: The bottom-left corner of each box, with the packing's top at y = 0 and y upward (so y < 0).
    offsets: list[tuple[float, float]]
    #: Width of the widest shelf.
    width: float
    #: Height of all shelves with the gaps between them.
    height: float

    def fits(self, width: float, height: float) -> bool:
        """Whether the packing fits in ``width`` × ``height`` points (1 point of slack)."""
        return not (self.height > height + 1 or self.width > width + 1)


def pack_shelves(sizes, shelf_width: float, gap: float) -> ShelfPacking:
    """Pack boxes of ``sizes`` (width, height) in order, left to right in shelves, top to bottom.

    A box starts a new shelf when it would end beyond ``shelf_width`` (a box wider than that has
    a shelf of its own); boxes are ``gap`` apart, and each shelf is centred on the widest.
    """
    offsets, shelf_of, ends, x, y, shelf_height = [], [], [0.0], 0.0, 0.0, 0.0
    for w, h in sizes:
        if x > 0 and x + w > shelf_width + 1e-9:
            x, y, shelf_height = 0.0, y - shelf_height - gap, 0.0
            ends.append(0.0)
        offsets.append([x, y - h])
        shelf_of.append(len(ends) - 1)
        x += w + gap
        ends[-1] = x - gap
        shelf_height = max(shelf_height, h)
    width = max(ends)
    for offset, shelf in zip(offsets, shelf_of, strict=True):  # centre each shelf
        offset[0] += (width - ends[shelf]) / 2
    return ShelfPacking([tuple(o) for o in offsets], width, -(y - shelf_height))


def best_shelf_packing(sizes, width: float, gap: float) -> ShelfPacking:
    """The shelf packing no wider than ``width`` (when possible) with the least height.

    The shelf widths tried are ``width``, the widest box and each run of boxes from the first;
    when none fits in ``width``, the narrowest packing.
    """
    widths = [w for w, _ in sizes]
    candidates = sorted({max(widths), width, *np.cumsum([w + gap for w in widths]) - gap})
    best = None
    for shelf_width in candidates:
        packing = pack_shelves(sizes, shelf_width, gap)
        w, h = packing.width, packing.height
        key = (w > width + 1e-6, h if w <= width + 1e-6 else w)
        if best is None or key < best[0]:
            best = (key, packing)
    return best[1]


def fit_shelves(sizes, width: float, height: float, gap: float) -> tuple[int, ShelfPacking]:
    """How many of the boxes, from the first, fit packed in ``width`` × ``height``, and their packing.

    Boxes are left out from the end until the rest fit; the first box is always kept.
    """
    shown = len(sizes)
    packing = best_shelf_packing(sizes, width, gap)
    while shown > 1 and not packing.fits(width, height):
        shown -= 1
        packing = best_shelf_packing(sizes[:shown], width, gap)
    return shown, packing


def component_shifts(bounds: Sequence[Box], packing: ShelfPacking, width: float, height: float) -> list[np.ndarray]:
    """How far to move each component (by its ``bounds``) to its place in ``packing``, the packing
    centred in an area of ``width`` × ``height`` points whose top left corner is (0, 0)."""
    left = (max(width, packing.width) - packing.width) / 2
    top = -(max(height, packing.height) - packing.height) / 2
    return [np.array([left + x - b[0], top + y - b[1]]) for b, (x, y) in zip(bounds, packing.offsets, strict=False)]


# ----------------------------------------------------------------------------------- level map


def level_map_columns(candidates: Sequence, theme_of: Mapping, level_of: Mapping, across) -> tuple[dict, list]:
    """Each factor's column of the level map (its theme, or :data:`NO_THEME`) and the columns in the
    order they are kept when not all fit.

    Columns with a link across levels (``across``: tuples whose first two items are the linked
    factors) come first, then those that bring a level not yet shown, then by theme number.
    """
    column_of = {n: theme_of.get(n, NO_THEME) for n in candidates}
    crossing = {column_of[n] for a, b, *_ in across for n in (a, b) if n in column_of}
    levels_in: dict = {}
    for n in candidates:
        levels_in.setdefault(column_of[n], set()).add(level_of[n])
    ordered, seen_levels = [], set()
    remaining = sorted(set(column_of.values()), key=lambda c: (c not in crossing, c))
    while remaining:
        best = min(remaining, key=lambda c: (c not in crossing, not levels_in[c] - seen_levels, c))
        remaining.remove(best)
        ordered.append(best)
        seen_levels |= levels_in[best]
    return column_of, ordered


@dataclass(frozen=True)
class LevelMapPlacement:
    """Where the level map draws each thing, in points, y upward from the top edge at 0 (see
    :meth:`LevelMapGeometry.place`)."""

    #: The columns drawn, left to right (by theme number).
    columns: list
    #: Column -> x of its left edge.
    starts: dict
    #: Column -> its width, with its share of the spare width.
    widths: dict
    #: Factor -> centre of its circle.
    positions: dict
    #: Factor -> (x, y) of its label's left edge, vertically centred.
    label_anchors: dict
    #: Level -> (y of the band's bottom, y of its top), bands from the top: national first.
    bands: dict
    #: The drawing's width and height: at least the area given, more when the content needs it.
    width: float
    height: float

    @property
    def bottom(self) -> float:
        """The y of the lowest band's bottom edge."""
        return self.bands[LEVELS_TOP_DOWN[-1]][0]


@dataclass(frozen=True)
class LevelMapGeometry:
    """The level map's measures: columns of themes across bands of levels, each cell a stack of
    factors (circle, then label) largest first.

    Widths and heights are in points, measured by the caller: ``label_size`` (factor -> label
    width and height), ``band_floor`` (level -> least band height: its name's height and a pad),
    ``names_width`` (the band names' column).
    """

    candidates: Sequence
    column_of: Mapping
    level_of: Mapping
    size_of: Mapping
    label_size: Mapping
    band_floor: Mapping
    names_width: float
    node_d: float
    pad: float
    header_h: float
    #: Height of a band in which no column has a factor.
    empty_band: float

    def members(self, column, level) -> list:
        """The factors of one cell, largest (``size_of``) first, then by name."""
        return sorted(
            (n for n in self.candidates if self.column_of[n] == column and self.level_of[n] == level),
            key=lambda n: (-float(self.size_of.get(n, 0) or 0), str(n)),
        )

    def column_width(self, column) -> float:
        """The circle, 6 points, the column's widest label and a pad either side."""
        widths = [self.label_size[n][0] for n in self.candidates if self.column_of[n] == column]
        return self.node_d + 6 + max(widths, default=0) + 2 * self.pad

    def row_height(self, n) -> float:
        """The taller of the circle and the factor's label, and a pad."""
        return max(self.node_d, self.label_size[n][1]) + self.pad

    def band_heights(self, columns) -> dict:
        """Level -> height of its band: its tallest cell and a pad, at least its floor."""
        heights = {}
        for level in LEVELS_TOP_DOWN:
            cells = [sum(self.row_height(n) for n in self.members(c, level)) for c in columns]
            floor = self.band_floor[level]
            heights[level] = max(max([0.0, *cells]) + self.pad if any(cells) else self.empty_band, floor)
        return heights

    def extent(self, columns) -> tuple[float, float]:
        """Width and height the map needs to show ``columns``."""
        return (
            self.names_width + sum(self.column_width(c) for c in columns),
            self.header_h + sum(self.band_heights(columns).values()),
        )

    def columns_that_fit(self, columns, width: float, height: float) -> list:
        """The first of ``columns`` (at least one) whose map fits in ``width`` × ``height`` points (1 pt slack)."""
        need_w, need_h = self.extent(columns)
        while len(columns) > 1 and (need_w > width + 1 or need_h > height + 1):
            columns = columns[:-1]
            need_w, need_h = self.extent(columns)
        return list(columns)

    def place(self, columns, width: float, height: float) -> LevelMapPlacement:
        """Every column, band, circle and label of a map of ``columns`` in ``width`` × ``height`` points.

        Spare room is shared out: spare width evenly between the columns, spare height evenly
        between the bands. Each cell's stack is centred in its cell.
        """
        need_w, need_h = self.extent(columns)
        columns = sorted(columns)
        total_w, total_h = max(width, need_w), max(height, need_h)
        spare_w = (total_w - need_w) / max(len(columns), 1)
        heights = self.band_heights(columns)
        spare_h = (total_h - need_h) / len(LEVELS_TOP_DOWN)
        starts, widths, x = {}, {}, self.names_width
        for c in columns:
            starts[c] = x
            widths[c] = self.column_width(c) + spare_w
            x += widths[c]
        positions, anchors, bands, y = {}, {}, {}, -self.header_h
        for level in LEVELS_TOP_DOWN:
            top = y
            band = heights[level] + spare_h
            for c in columns:
                cell = self.members(c, level)
                stack = sum(self.row_height(n) for n in cell)
                yy = top - (band - stack) / 2
                block_w = self.column_width(c) - 2 * self.pad
                x0 = starts[c] + (widths[c] - block_w) / 2
                for n in cell:
                    yy -= self.row_height(n) / 2
                    positions[n] = np.array([x0 + self.node_d / 2, yy])
                    anchors[n] = (x0 + self.node_d + 6, yy)
                    yy -= self.row_height(n) / 2
            y -= band
            bands[level] = (y, top)
        return LevelMapPlacement(columns, starts, widths, positions, anchors, bands, total_w, total_h)


# ----------------------------------------------------------------------------------- heatmap and bars


def theme_order(counts: pd.Series, theme_of: Mapping, top: int) -> list:
    """The factors of a co-occurrence heatmap, in order: theme by theme when ``theme_of`` is given
    (whole themes only, as many as ``top`` allows, at least the first cut to ``top``; within a
    theme the most common first), else the ``top`` most common (``counts``: factor -> units)."""
    if not theme_of:
        return counts.sort_values(ascending=False, kind="stable").index[:top].tolist()
    ordered = sorted(theme_of, key=lambda c: (theme_of[c], -np.nan_to_num(counts.get(c, 0)), c))
    sizes = pd.Series([theme_of[c] for c in ordered]).value_counts(sort=False)
    kept, total = set(), 0
    for theme, size in sizes.items():
        if kept and total + size > top:
            break
        kept.add(theme)
        total += size
    return [c for c in ordered if theme_of[c] in kept][:top]


def theme_blocks(codes: Sequence, theme_of: Mapping) -> dict[int, tuple[int, int]]:
    """Theme -> the first and last row of its factors among ``codes``, in order of first appearance."""
    blocks: dict[int, list[int]] = {}
    for i, c in enumerate(codes):
        if c in theme_of:
            blocks.setdefault(theme_of[c], []).append(i)
    return {theme: (min(rows), max(rows)) for theme, rows in blocks.items()}


def share_ticks(share_max: float) -> tuple[list[float], float, float]:
    """Ticks of a share axis (0 to 100%) for bars up to ``share_max``: the ticks, the last tick (where
    the axis line ends) and the axis limit (room for the percent labels right of the bars)."""
    top = min(1.0, share_max) if share_max > 0 else 1.0
    step = 0.2 if top > 0.5 else 0.1 if top > 0.2 else 0.05
    last = min(1.0, math.ceil(top / step - 1e-9) * step)
    ticks = list(np.round(np.arange(0, last + step / 2, step), 4))
    return ticks, last, max(last, top * 1.16 + 0.02)
