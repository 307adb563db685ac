"""Checks of the pure layout functions of the charts (``sce_analysis.charts.layout``), without drawing.

No test here makes a matplotlib figure: the layout takes sizes in points and returns positions, so
it is checked on plain numbers. Property tests (hypothesis) check what the charts promise a reader
(no label over another label or circle, every factor in the band of its level and in one column,
every packed group inside the drawing); hand-worked examples pin exact positions.
"""

from __future__ import annotations

import itertools
import subprocess
import sys

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sce_analysis.charts.layout import (
    LEVELS_TOP_DOWN,
    NO_THEME,
    LevelMapGeometry,
    best_shelf_packing,
    boxes_overlap,
    component_shifts,
    fit_shelves,
    label_box,
    label_side,
    level_map_columns,
    network_components,
    pack_shelves,
    place_component,
    share_ticks,
    theme_blocks,
    theme_order,
    unit_positions,
)

EPS = 1e-6


def shifted(box, shift):
    return (box[0] + shift[0], box[1] + shift[1], box[2] + shift[0], box[3] + shift[1])


def inside(inner, outer, eps: float = EPS) -> bool:
    return (
        inner[0] >= outer[0] - eps
        and inner[1] >= outer[1] - eps
        and inner[2] <= outer[2] + eps
        and inner[3] <= outer[3] + eps
    )


def test_layout_imports_no_matplotlib():
    code = "import sys, sce_analysis.charts.layout; print('matplotlib' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


# ----------------------------------------------------------------------------------- boxes and sides


def test_label_box_for_each_alignment():
    assert label_box((10.0, 20.0), (6.0, 4.0), "left", "bottom") == (10.0, 20.0, 16.0, 24.0)
    assert label_box((10.0, 20.0), (6.0, 4.0), "right", "top") == (4.0, 16.0, 10.0, 20.0)
    assert label_box((10.0, 20.0), (6.0, 4.0), "center", "center") == (7.0, 18.0, 13.0, 22.0)


def test_boxes_overlap_counts_the_pad():
    a, b = (0.0, 0.0, 10.0, 10.0), (13.0, 0.0, 20.0, 10.0)  # 3 points apart
    assert not boxes_overlap(a, b, pad=2.0)
    assert boxes_overlap(a, b, pad=4.0)
    assert boxes_overlap(b, a, pad=4.0)  # symmetric
    assert boxes_overlap(a, (5.0, 5.0, 6.0, 6.0), pad=0.0)  # one inside the other


@pytest.mark.parametrize(
    ("direction", "expected"),
    [((1, 0), ("left", "center")), ((-1, 0), ("right", "center")), ((0, 1), ("center", "bottom")),
     ((0, -1), ("center", "top")), ((0.7, 0.7), ("left", "bottom")), ((0.3, -0.95), ("center", "top"))],
)  # fmt: skip
def test_label_side_puts_the_label_away_from_the_circle(direction, expected):
    assert label_side(direction) == expected


# ----------------------------------------------------------------------------------- network components


def test_place_component_hand_worked_pair():
    layout = place_component(np.array([[-1.0, 0.0], [1.0, 0.0]]), [5.0, 5.0], [(10.0, 4.0), (10.0, 4.0)], 4.0)
    # Scale 2 * 5 + 4 = 14 already separates everything; labels 3 points beyond each circle, outward.
    np.testing.assert_allclose(layout.positions, [[-14.0, 0.0], [14.0, 0.0]])
    np.testing.assert_allclose(layout.anchors, [[-22.0, 0.0], [22.0, 0.0]])
    assert layout.sides == [("right", "center"), ("left", "center")]
    assert layout.label_boxes == [(-32.0, -2.0, -22.0, 2.0), (22.0, -2.0, 32.0, 2.0)]
    assert layout.bounds == (-32.0, -5.0, 32.0, 5.0)


def test_place_component_single_factor_sits_at_the_origin_with_its_label_below():
    layout = place_component(np.zeros((1, 2)), [6.0], [(30.0, 8.0)], 5.0)
    np.testing.assert_allclose(layout.positions, [[0.0, 0.0]])
    assert layout.sides == [("center", "top")]
    assert layout.label_boxes == [(-15.0, -17.0, 15.0, -9.0)]


def assert_separated(layout, gap: float) -> None:
    n = len(layout.positions)
    for i, j in itertools.permutations(range(n), 2):
        assert not boxes_overlap(layout.label_boxes[i], layout.label_boxes[j], gap / 2), (i, j)
        assert not boxes_overlap(layout.label_boxes[i], layout.circles[j], 1), (i, j)
        assert not boxes_overlap(layout.circles[i], layout.circles[j], gap / 2), (i, j)
    for box in [*layout.label_boxes, *layout.circles]:
        assert inside(box, layout.bounds)


label_sizes = st.tuples(st.floats(4.0, 160.0), st.floats(4.0, 40.0))


@st.composite
def unit_layouts(draw):
    """Distinct unit positions on a grid, scaled so the closest two are 1 apart (as unit_positions does)."""
    cells = draw(st.lists(st.tuples(st.integers(-4, 4), st.integers(-4, 4)), min_size=1, max_size=9, unique=True))
    unit = np.array(cells, dtype=float)
    if len(unit) > 1:
        distances = np.sqrt(((unit[:, None] - unit[None]) ** 2).sum(-1)) + np.eye(len(unit)) * 1e9
        unit = (unit - unit.mean(axis=0)) / distances.min()
    n = len(unit)
    radii = draw(st.lists(st.floats(2.0, 20.0), min_size=n, max_size=n))
    sizes = draw(st.lists(label_sizes, min_size=n, max_size=n))
    return unit, radii, sizes


@settings(max_examples=150, deadline=None)
@given(unit_layouts(), st.floats(2.0, 12.0))
def test_place_component_never_overlaps_labels_or_circles(case, gap):
    unit, radii, sizes = case
    layout = place_component(unit, radii, sizes, gap)
    assert_separated(layout, gap)
    # Labels are measured sizes placed as they are, at their anchors.
    for box, size, anchor, side in zip(layout.label_boxes, sizes, layout.anchors, layout.sides, strict=True):
        assert box == label_box(anchor, size, *side)


@st.composite
def graphs(draw, max_nodes: int = 14):
    n = draw(st.integers(1, max_nodes))
    G = nx.Graph()
    for i in range(n):
        G.add_node(f"f{i:02d}", n_units=draw(st.integers(1, 60)))
    pairs = list(itertools.combinations(G.nodes, 2))
    if pairs:
        G.add_edges_from(draw(st.lists(st.sampled_from(pairs), max_size=3 * n, unique=True)))
    return G


def test_unit_positions_ring_and_spring_layouts():
    ring = nx.cycle_graph([f"f{i}" for i in range(6)])
    order, unit = unit_positions(ring, list(ring.nodes), 0)
    np.testing.assert_allclose(np.linalg.norm(unit, axis=1), 1.0)  # on the unit circle
    assert sorted(order) == sorted(ring.nodes)
    assert all(ring.has_edge(a, b) for a, b in itertools.pairwise(order))  # neighbours side by side
    big = nx.path_graph([f"f{i:02d}" for i in range(12)])
    order, unit = unit_positions(big, list(big.nodes), 3)
    distances = np.sqrt(((unit[:, None] - unit[None]) ** 2).sum(-1)) + np.eye(12) * 1e9
    assert distances.min() == pytest.approx(1.0)  # the closest two are 1 apart
    again = unit_positions(big, list(big.nodes), 3)
    assert again[0] == order
    np.testing.assert_array_equal(again[1], unit)  # seeded: the same every time


def test_network_components_order_and_left_out():
    G = nx.Graph([("a", "b"), ("c", "d"), ("d", "e")])
    G.add_nodes_from(["z", "y"])
    theme_of = {"a": 2, "b": 2, "c": 1, "d": 1, "e": 3}
    components, hidden = network_components(G, theme_of, isolates=False)
    assert components == [["c", "d", "e"], ["a", "b"]]  # lowest theme first
    assert hidden == 2
    components, hidden = network_components(G, theme_of, isolates=True)
    assert components == [["c", "d", "e"], ["a", "b"], ["y"], ["z"]]
    assert hidden == 0


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(graphs(), st.data(), st.floats(150.0, 900.0), st.floats(100.0, 700.0))
def test_packed_network_components_never_overlap(G, data, width, height):
    """The whole network layout: every label and circle of every component, packed and shifted, is
    apart from every other one, and the packing lies inside the drawing."""
    theme_of = {n: i % 3 + 1 for i, n in enumerate(sorted(G.nodes))}
    components, _ = network_components(G, theme_of, isolates=True)
    gap = 8.0
    layouts = []
    for comp in components:
        order, unit = unit_positions(G, comp, 0)
        radii = [np.sqrt(G.nodes[n]["n_units"] * 12.0) / 2 for n in order]
        sizes = data.draw(st.lists(label_sizes, min_size=len(order), max_size=len(order)))
        layouts.append(place_component(unit, radii, sizes, gap * 0.8))
        assert_separated(layouts[-1], gap * 0.8)
    extents = [(b[2] - b[0], b[3] - b[1]) for b in (layout.bounds for layout in layouts)]
    shown, packing = fit_shelves(extents, width, height, gap * 1.5)
    shifts = component_shifts([layout.bounds for layout in layouts[:shown]], packing, width, height)
    area = (0.0, -max(height, packing.height), max(width, packing.width), 0.0)
    placed = [shifted(layout.bounds, shift) for layout, shift in zip(layouts, shifts, strict=False)]
    for box in placed:
        assert inside(box, area)
    for a, b in itertools.combinations(placed, 2):
        assert not boxes_overlap(a, b, pad=gap * 1.5 - 1e-6)
    # Every mark lies inside its component's box, and the boxes are apart: no mark touches another's.
    for layout, shift, box in zip(layouts, shifts, placed, strict=False):
        for mark in [*layout.label_boxes, *layout.circles]:
            assert inside(shifted(mark, shift), box)


# ----------------------------------------------------------------------------------- shelves


def test_pack_shelves_hand_worked():
    packing = pack_shelves([(40.0, 10.0), (30.0, 20.0), (50.0, 10.0)], 80.0, 5.0)
    # 40 and 30 share a 75-wide first shelf, 20 high; 50 starts a shelf 5 lower, centred under it.
    assert packing.offsets == [(0.0, -10.0), (45.0, -20.0), (12.5, -35.0)]
    assert (packing.width, packing.height) == (75.0, 35.0)


boxes = st.lists(st.tuples(st.floats(1.0, 300.0), st.floats(1.0, 200.0)), min_size=1, max_size=15)


@settings(max_examples=200, deadline=None)
@given(boxes, st.floats(10.0, 800.0), st.floats(0.0, 20.0))
def test_pack_shelves_keeps_boxes_inside_apart_and_in_order(sizes, shelf_width, gap):
    packing = pack_shelves(sizes, shelf_width, gap)
    assert packing == pack_shelves(list(sizes), shelf_width, gap)  # deterministic
    assert packing.width <= max(shelf_width, max(w for w, _ in sizes)) + EPS
    placed = [(x, y, x + w, y + h) for (x, y), (w, h) in zip(packing.offsets, sizes, strict=True)]
    for box in placed:
        assert inside(box, (0.0, -packing.height, packing.width, 0.0))
    for a, b in itertools.combinations(placed, 2):
        assert not boxes_overlap(a, b, pad=gap - 1e-6)
    tops = [box[3] for box in placed]
    assert all(b <= a + EPS for a, b in itertools.pairwise(tops))  # shelves run top to bottom, in order


@settings(max_examples=200, deadline=None)
@given(boxes, st.floats(10.0, 800.0), st.floats(0.0, 20.0))
def test_best_shelf_packing_fits_the_width_and_is_no_taller_than_shelves_at_full_width(sizes, width, gap):
    best = best_shelf_packing(sizes, width, gap)
    assert best == best_shelf_packing(sizes, width, gap)
    if max(w for w, _ in sizes) <= width:
        assert best.width <= width + EPS
        assert best.height <= pack_shelves(sizes, width, gap).height + EPS


@settings(max_examples=150, deadline=None)
@given(boxes, st.floats(10.0, 800.0), st.floats(10.0, 800.0))
def test_fit_shelves_leaves_out_only_what_does_not_fit(sizes, width, height):
    shown, packing = fit_shelves(sizes, width, height, 6.0)
    assert 1 <= shown <= len(sizes)
    assert packing == best_shelf_packing(sizes[:shown], width, 6.0)
    assert shown == 1 or packing.fits(width, height)
    if shown < len(sizes):
        assert not best_shelf_packing(sizes[: shown + 1], width, 6.0).fits(width, height)


# ----------------------------------------------------------------------------------- level map


def test_level_map_columns_hand_worked():
    level_of = {"a": "national", "b": "frontline", "c": "frontline", "d": "local_strategic", "e": "national"}
    theme_of = {"a": 1, "b": 1, "c": 2, "d": 3}
    column_of, order = level_map_columns(list(level_of), theme_of, level_of, [("a", "b", 2.0)])
    assert column_of == {"a": 1, "b": 1, "c": 2, "d": 3, "e": NO_THEME}
    # Theme 1 links across levels; theme 3 brings a level not yet shown (local), theme 2 does not.
    assert order == [1, 3, 2, NO_THEME]


def small_geometry(**changes) -> LevelMapGeometry:
    options = {
        "candidates": ["a", "b"],
        "column_of": {"a": 1, "b": 1},
        "level_of": {"a": "national", "b": "frontline"},
        "size_of": {"a": 5, "b": 3},
        "label_size": {"a": (20.0, 4.0), "b": (30.0, 14.0)},
        "band_floor": dict.fromkeys(LEVELS_TOP_DOWN, 6.0),
        "names_width": 30.0,
        "node_d": 10.0,
        "pad": 2.0,
        "header_h": 8.0,
        "empty_band": 12.0,
    }
    return LevelMapGeometry(**{**options, **changes})


def test_level_map_geometry_hand_worked():
    geometry = small_geometry()
    assert geometry.column_width(1) == 10 + 6 + 30 + 2 * 2
    assert (geometry.row_height("a"), geometry.row_height("b")) == (12.0, 16.0)
    assert geometry.band_heights([1]) == {"national": 14.0, "local_strategic": 12.0, "frontline": 18.0}
    assert geometry.extent([1]) == (80.0, 52.0)
    placed = geometry.place([1], 100.0, 60.0)
    # 20 points of spare width go to the one column, 8 of spare height a third to each band.
    assert (placed.width, placed.height) == (100.0, 60.0)
    assert placed.starts == {1: 30.0} and placed.widths == {1: 70.0}
    assert placed.bands["national"] == pytest.approx((-8 - 14 - 8 / 3, -8))
    assert placed.bands["frontline"] == pytest.approx((-60.0, -60 + 18 + 8 / 3))
    assert placed.bottom == pytest.approx(-60.0)
    # The block (circle, 6 points, widest label) is centred in its column: x0 = 30 + (70 - 46) / 2.
    np.testing.assert_allclose(placed.positions["a"], [47.0, -8 - (14 + 8 / 3 - 12) / 2 - 6])
    np.testing.assert_allclose(placed.positions["b"], [47.0, -60 + 18 + 8 / 3 - (18 + 8 / 3 - 16) / 2 - 8])
    assert placed.label_anchors["a"] == pytest.approx((58.0, placed.positions["a"][1]))


def test_level_map_drops_columns_from_the_end_until_it_fits():
    geometry = small_geometry(
        candidates=["a", "b", "c"],
        column_of={"a": 1, "b": 1, "c": 2},
        level_of={"a": "national", "b": "frontline", "c": "local_strategic"},
        label_size={"a": (20.0, 4.0), "b": (30.0, 14.0), "c": (40.0, 4.0)},
    )
    assert geometry.extent([1, 2])[0] == 30 + 50 + 60
    assert geometry.columns_that_fit([1, 2], 140.0, 100.0) == [1, 2]
    assert geometry.columns_that_fit([1, 2], 120.0, 100.0) == [1]
    assert geometry.columns_that_fit([2, 1], 10.0, 10.0) == [2]  # always at least one


@st.composite
def level_maps(draw):
    n = draw(st.integers(1, 14))
    candidates = [f"f{i:02d}" for i in range(n)]
    level_of = {c: draw(st.sampled_from(LEVELS_TOP_DOWN)) for c in candidates}
    theme_of = {c: t for c in candidates if (t := draw(st.one_of(st.none(), st.integers(1, 4)))) is not None}
    label_size = {c: draw(label_sizes) for c in candidates}
    size_of = {c: draw(st.integers(0, 50)) for c in candidates}
    pairs = list(itertools.combinations(candidates, 2))
    across = [(a, b, 2.0) for a, b in draw(st.lists(st.sampled_from(pairs)))] if pairs else []
    return candidates, level_of, theme_of, label_size, size_of, across


@settings(max_examples=150, deadline=None)
@given(level_maps(), st.floats(50.0, 900.0), st.floats(50.0, 700.0), st.data())
def test_level_map_places_each_factor_in_its_band_and_one_column(case, width, height, data):
    candidates, level_of, theme_of, label_size, size_of, across = case
    column_of, order = level_map_columns(candidates, theme_of, level_of, across)
    assert sorted(order, key=str) == sorted(set(column_of.values()), key=str)  # every column once
    geometry = small_geometry(
        candidates=candidates, column_of=column_of, level_of=level_of, size_of=size_of, label_size=label_size
    )
    columns = geometry.columns_that_fit(order, width, height)
    assert columns == order[: len(columns)]
    placed = geometry.place(columns, width, height)
    assert placed.columns == sorted(columns)
    shown = [n for n in candidates if column_of[n] in columns]
    assert sorted(placed.positions) == sorted(shown)
    # Columns: side by side from the band names to the right edge, each with the same spare width.
    edges = [geometry.names_width] + [placed.starts[c] + placed.widths[c] for c in placed.columns]
    assert [placed.starts[c] for c in placed.columns] == pytest.approx(edges[:-1])
    assert edges[-1] == pytest.approx(max(width, geometry.extent(columns)[0]))
    spare = [placed.widths[c] - geometry.column_width(c) for c in placed.columns]
    assert max(spare) - min(spare) < EPS and min(spare) >= -EPS
    # Bands: national on top, stacked down to the bottom edge, each with the same spare height.
    tops = [placed.bands[lvl][1] for lvl in LEVELS_TOP_DOWN]
    bottoms = [placed.bands[lvl][0] for lvl in LEVELS_TOP_DOWN]
    assert tops[0] == -geometry.header_h and tops[1:] == pytest.approx(bottoms[:-1])
    assert bottoms[-1] == pytest.approx(-placed.height)
    heights = geometry.band_heights(placed.columns)
    spare = [placed.bands[lvl][1] - placed.bands[lvl][0] - heights[lvl] for lvl in LEVELS_TOP_DOWN]
    assert max(spare) - min(spare) < EPS and min(spare) >= -EPS
    for n in shown:
        x, y = placed.positions[n]
        low, high = placed.bands[level_of[n]]
        assert low - EPS <= y - geometry.row_height(n) / 2 and y + geometry.row_height(n) / 2 <= high + EPS
        holding = [c for c in placed.columns if placed.starts[c] <= x <= placed.starts[c] + placed.widths[c]]
        assert holding == [column_of[n]]
        label_right = placed.label_anchors[n][0] + label_size[n][0]
        assert label_right <= placed.starts[column_of[n]] + placed.widths[column_of[n]] + EPS
    # Within a cell the factors stack without overlap, largest first.
    for c in placed.columns:
        for lvl in LEVELS_TOP_DOWN:
            cell = geometry.members(c, lvl)
            ys = [placed.positions[n][1] for n in cell]
            assert ys == sorted(ys, reverse=True)
            for a, b in itertools.pairwise(cell):
                gap = placed.positions[a][1] - placed.positions[b][1]
                assert gap == pytest.approx((geometry.row_height(a) + geometry.row_height(b)) / 2)
            sizes = [-float(size_of[n] or 0) for n in cell]
            assert sizes == sorted(sizes)


# ----------------------------------------------------------------------------------- heatmap order and bars


def test_theme_order_keeps_whole_themes_most_common_first():
    counts = pd.Series({"a": 5, "b": 9, "c": 7, "d": 3, "e": 8, "f": 1})
    theme_of = {"a": 1, "b": 1, "c": 2, "d": 2, "e": 3, "f": 3}
    assert theme_order(counts, theme_of, 4) == ["b", "a", "c", "d"]  # theme 3 would pass 4
    assert theme_order(counts, theme_of, 1) == ["b"]  # the first theme, cut to top
    assert theme_order(counts, {}, 3) == ["b", "e", "c"]
    assert theme_blocks(["b", "a", "x", "c", "d"], theme_of) == {1: (0, 1), 2: (3, 4)}


# The limit leaves 16% of the largest share plus 2 points for the percent label, and never stops before the
# last tick: 0.9 -> 0.9 * 1.16 + 0.02 = 1.064; 0.35 -> 0.426; 0.12 -> 0.1592; nothing to draw -> 1.18.
@pytest.mark.parametrize(
    ("share_max", "ticks", "last", "expected_limit"),
    [(0.9, [0.0, 0.2, 0.4, 0.6, 0.8, 1.0], 1.0, 1.064), (0.35, [0.0, 0.1, 0.2, 0.3, 0.4], 0.4, 0.426),
     (0.12, [0.0, 0.05, 0.1, 0.15], 0.15, 0.1592), (0.0, [0.0, 0.2, 0.4, 0.6, 0.8, 1.0], 1.0, 1.18),
     (0.04, [0.0, 0.05], 0.05, 0.0664)],
)  # fmt: skip
def test_share_ticks_end_on_the_tick_above_the_largest_share(share_max, ticks, last, expected_limit):
    got_ticks, got_last, limit = share_ticks(share_max)
    assert got_ticks == pytest.approx(ticks)
    assert got_last == pytest.approx(last)
    assert limit >= max(last, share_max)
    assert limit == pytest.approx(expected_limit)
