"""Checks of the charts (``sce_analysis.charts``) and their style (``sce_analysis.charts.style``).

Each chart is drawn from the library's own tables on the shipped sample and checked for what a
reader relies on: the title and axis labels, one mark per row drawn and only the rows of the
table, a picture that is not blank, text of at least 14 pt in the ``talk`` context, no label
running off the figure, and suppressed (NaN) values drawn as marked gaps, never as bars.
"""

from __future__ import annotations

import itertools
import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import networkx as nx
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.text import Text

import sce_analysis as sce
from sce_analysis import charts
from sce_analysis.charts import style
from sce_analysis.reviewsets.contract import LEVELS, SCIE_CATEGORIES

# ----------------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def tables(rs):
    return {
        "prevalence": sce.factor_prevalence(rs),
        "by_region": sce.factor_prevalence(rs, by="region"),
        "by_year": sce.factor_prevalence(rs, by="year"),
        "pairs": sce.factor_pairs(rs),
        "themes": sce.systemic_themes(rs, resamples=0),
        "network": sce.factor_network(rs),
        "links": sce.cross_level_links(rs),
        "sequences": sce.factor_sequences(rs),
        "trends": sce.factor_trends(rs),
        "differences": sce.compare_groups(rs, by="region"),
        "categories": sce.finding_categories(rs),
        "levels": sce.level_profile(rs),
        "coverage_year": sce.coverage(rs, by="year"),
        "coverage_region": sce.coverage(rs, by="region"),
        "labels": dict(zip(rs.taxonomy["factor_code"], rs.taxonomy["label"], strict=True)),
    }


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def sequences_table():
    """A hand-made sequence table: three significant sequences and one that is not."""
    return pd.DataFrame(
        {
            "factor_from": ["fam_hostile", "fam_evasive", "work_caseload", "ls_thresholds"],
            "factor_to": ["role_infrequent", "ls_escalation", "work_caseload", "fam_dv"],
            "n": [116, 110, 40, 9],
            "expected": [30.3, 27.3, 20.0, 4.0],
            "ratio": [3.83, 4.03, 2.0, 2.25],
            "p_value": [1e-30, 1e-30, 1e-4, 0.2],
            "q_value": [1e-27, 1e-27, 1e-3, 0.4],
        }
    )


#: Every chart, drawn on a given axes (or figure) from the sample's tables.
def _draw(name, t, *, ax=None, fig=None):
    if name == "prevalence":
        return charts.plot_prevalence(t["prevalence"], top=8, ax=ax)
    if name == "spread":
        return charts.plot_spread(t["by_region"], top=6, ax=ax)
    if name == "cooccurrence":
        return charts.plot_cooccurrence(t["pairs"], themes=t["themes"], top=8, ax=ax)
    if name == "network":
        return charts.plot_factor_network(t["network"], themes=t["themes"], ax=ax)
    if name == "level_map":
        return charts.plot_level_map(t["network"], themes=t["themes"], ax=ax)
    if name == "sequences":
        return charts.plot_sequences(sequences_table(), labels=t["labels"], n_label="N = 523 episodes", ax=ax)
    if name == "trends":
        return charts.plot_trends(t["trends"], t["by_year"], fig=fig)
    if name == "group_differences":
        return charts.plot_group_differences(t["differences"], group="North West", top=5, ax=ax)
    if name == "finding_categories":
        return charts.plot_finding_categories(t["categories"], ax=ax)
    if name == "level_profile":
        return charts.plot_level_profile(t["levels"], ax=ax)
    if name == "coverage":
        return charts.plot_coverage(t["coverage_year"], by="year", ax=ax)
    if name == "coverage_region":
        return charts.plot_coverage(t["coverage_region"], by="region", ax=ax)
    raise KeyError(name)


CHART_NAMES = [
    "prevalence",
    "spread",
    "cooccurrence",
    "network",
    "level_map",
    "sequences",
    "trends",
    "group_differences",
    "finding_categories",
    "level_profile",
    "coverage",
    "coverage_region",
]


def draw_in(name, t, context):
    """Draw a chart in a style context on a slide-sized (talk) or new (paper) figure; return the Figure."""
    with style.context(context):
        if context == "talk":
            fig = plt.figure(figsize=(12.6, 6.1), layout="constrained")
            if name == "trends":
                return _draw(name, t, fig=fig)
            return _draw(name, t, ax=fig.add_subplot()).get_figure(root=True)
        result = _draw(name, t)
        return result if isinstance(result, matplotlib.figure.Figure) else result.get_figure(root=True)


def texts_of(fig):
    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]


def all_text(ax_or_fig) -> str:
    return "\n".join(t.get_text() for t in ax_or_fig.findobj(Text))


def flat(text: str) -> str:
    return " ".join(text.split())


def numbered(text: str) -> str:
    """The label of a row labelled "3  label"."""
    return re.sub(r"^\d+\s+", "", flat(text))


def pixels(fig) -> np.ndarray:
    fig.canvas.draw()
    return np.asarray(fig.canvas.buffer_rgba())[..., :3].astype(float)


def bars(ax):
    return list(ax.containers[0]) if ax.containers else []


# ----------------------------------------------------------------------------------- all charts


@pytest.mark.parametrize("name", CHART_NAMES)
@pytest.mark.parametrize("context", ["paper", "talk"])
def test_every_chart_is_readable(name, context, tables):
    fig = draw_in(name, tables, context)
    image = pixels(fig)
    assert image.std() > 10, "the picture is blank"
    renderer = fig.canvas.get_renderer()
    frame = fig.bbox
    texts = texts_of(fig)
    assert texts
    for text in texts:
        box = text.get_window_extent(renderer)
        inside = box.x0 >= frame.x0 - 1 and box.x1 <= frame.x1 + 1 and box.y0 >= frame.y0 - 1 and box.y1 <= frame.y1 + 1
        assert inside, f"{name}: {text.get_text()!r} runs off the figure ({box.extents} vs {frame.extents})"
        if context == "talk":
            assert text.get_fontsize() >= 14, f"{name}: {text.get_text()!r} is {text.get_fontsize()} pt"
    # Labels of one chart never sit on top of each other.
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in texts]
    for (a, box_a), (b, box_b) in itertools.combinations(boxes, 2):
        width = min(box_a.x1, box_b.x1) - max(box_a.x0, box_b.x0)
        height = min(box_a.y1, box_b.y1) - max(box_a.y0, box_b.y0)
        assert width <= 2 or height <= 2, f"{name}: {a!r} overlaps {b!r}"
    # What N the chart stands on is written on it.
    assert "N = " in flat(all_text(fig))


@pytest.mark.parametrize("name", CHART_NAMES)
def test_every_chart_has_a_title_that_can_be_replaced_or_left_out(name, tables):
    if name == "trends":
        fig = charts.plot_trends(tables["trends"], tables["by_year"], title="Over time")
        assert fig.get_suptitle() == "Over time"
        return
    draw = {
        "prevalence": lambda **k: charts.plot_prevalence(tables["prevalence"], **k),
        "spread": lambda **k: charts.plot_spread(tables["by_region"], **k),
        "cooccurrence": lambda **k: charts.plot_cooccurrence(tables["pairs"], **k),
        "network": lambda **k: charts.plot_factor_network(tables["network"], **k),
        "level_map": lambda **k: charts.plot_level_map(tables["network"], **k),
        "sequences": lambda **k: charts.plot_sequences(tables["sequences"], **k),
        "group_differences": lambda **k: charts.plot_group_differences(tables["differences"], group="Midlands", **k),
        "finding_categories": lambda **k: charts.plot_finding_categories(tables["categories"], **k),
        "level_profile": lambda **k: charts.plot_level_profile(tables["levels"], **k),
        "coverage": lambda **k: charts.plot_coverage(tables["coverage_year"], **k),
        "coverage_region": lambda **k: charts.plot_coverage(tables["coverage_region"], by="region", **k),
    }[name]
    assert draw().get_title(loc="left")
    assert draw(title="My own title").get_title(loc="left") == "My own title"
    assert draw(title="").get_title(loc="left") == ""


def titles_of(fig) -> list[Text]:
    """The figure's title and every axes' titles that are shown."""
    found = [fig._suptitle] + [t for ax in fig.axes for t in (ax.title, ax._left_title, ax._right_title)]
    return [t for t in found if t is not None and t.get_visible() and t.get_text().strip()]


@pytest.mark.parametrize("name", [*CHART_NAMES, "spread_explorer"])
@pytest.mark.parametrize("context", ["paper", "talk"])
def test_a_draft_chart_keeps_its_title_inside_the_figure(name, context, tables):
    """A draft skips the passes that re-wrap a title running off the figure, so the title is wrapped from the
    start to the room it has: from the axes' left edge (right of the tick labels), where it begins, to the
    figure's right edge. The explorer's spread chart, with its default title, at the explorer's top 10."""
    with charts.common.draft():
        if name == "spread_explorer":
            with style.context(context):
                fig = charts.plot_spread(tables["by_region"], by="region", top=10).get_figure(root=True)
        else:
            fig = draw_in(name, tables, context)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    frame = fig.bbox
    titles = titles_of(fig)
    assert titles, f"{name}: no title drawn"
    for title in titles:
        box = title.get_window_extent(renderer)
        assert (
            frame.x0 - 1 <= box.x0 and box.x1 <= frame.x1 + 1 and frame.y0 - 1 <= box.y0 and box.y1 <= frame.y1 + 1
        ), f"{name}: the title {title.get_text()!r} {box.extents} runs off the figure {frame.extents}"


@pytest.mark.parametrize("name", [name for name in CHART_NAMES if name != "trends"])
@pytest.mark.parametrize("context", ["paper", "talk"])
def test_a_title_is_wrapped_only_when_it_must_be(name, context, tables):
    """A title takes the room it has, from where it starts to the figure's right edge (less a margin of its
    size): one that fits there on one line is not wrapped, though it was wrapped for less room before the
    layout moved its axes. (The trends' title is the figure's; its panels' titles break after the factor's
    name on purpose.)"""
    fig = draw_in(name, tables, context)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    for title in (ax._left_title for ax in fig.axes):
        if not title.get_visible() or "\n" not in title.get_text():
            continue
        one_line = fig.text(0, 0, flat(title.get_text()), fontproperties=title.get_fontproperties())
        width = one_line.get_window_extent(renderer).width
        one_line.remove()
        room = fig.bbox.x1 - title.get_window_extent(renderer).x0 - title.get_fontsize() * fig.dpi / 72
        assert width > room, (
            f"{name}: the title {title.get_text()!r} ({width:.0f} px on one line) fits in {room:.0f} px"
        )


def test_horizontal_bars_make_room_for_the_largest_share_or_interval_end_by_default():
    """The share axis ends on the tick above the largest upper interval end (or share), which the bars derive
    from their rows unless told; a suppressed row's marker is as wide either way."""
    from sce_analysis.charts.bars import horizontal_bars
    from sce_analysis.charts.layout import share_ticks

    rows = pd.DataFrame({"share": [0.3, np.nan, 0.5], "ci_low": [0.2, np.nan, 0.4], "ci_high": [0.45, np.nan, 0.72]})
    fig, (derived, given) = plt.subplots(1, 2)
    horizontal_bars(derived, rows, ["a", "b", "c"], [style.INK] * 3)
    horizontal_bars(given, rows, ["a", "b", "c"], [style.INK] * 3, share_max=0.72, kwargs={})
    assert derived.get_xlim() == given.get_xlim() == (0.0, share_ticks(0.72)[2])
    assert derived.get_xlim()[1] > 0.72 and share_ticks(0.5)[2] < 0.72  # the whisker's end, not the share, counts
    widths = [[p.get_width() for p in ax.patches if p.get_hatch()] for ax in (derived, given)]
    assert widths[0] == widths[1] == [pytest.approx(0.72 * 0.06)]
    plt.close(fig)


def test_charts_draw_on_the_axes_given(tables):
    fig, (left, right) = plt.subplots(1, 2, figsize=(14, 6), layout="constrained")
    assert charts.plot_prevalence(tables["prevalence"], top=4, ax=left) is left
    assert charts.plot_finding_categories(tables["categories"], ax=right) is right
    assert len(fig.axes) == 2


# ----------------------------------------------------------------------------------- prevalence


def test_prevalence_draws_the_top_rows_in_order(tables):
    table = tables["prevalence"]
    ax = charts.plot_prevalence(table, top=5)
    expected = table.sort_values("share", ascending=False, kind="stable").head(5)
    assert len(bars(ax)) == 5
    labels = [flat(t.get_text()) for t in ax.get_yticklabels()]
    assert labels == expected["label"].tolist()
    widths = [bar.get_width() for bar in bars(ax)]
    np.testing.assert_allclose(widths, expected["share"].to_numpy())
    # Top factor at the top of the chart.
    y = [bar.get_y() + bar.get_height() / 2 for bar in bars(ax)]
    assert y == sorted(y) and ax.get_ylim()[0] > ax.get_ylim()[1]
    assert flat(ax.get_title(loc="left")) == "The contributory factors found in the most reviews"
    assert "Share of reviews with the factor" in flat(ax.get_xlabel())
    assert "N = 80 reviews" in flat(ax.get_xlabel())
    # The sixth factor is not in the table drawn, so nowhere on the chart.
    sixth = table.sort_values("share", ascending=False, kind="stable")["label"].iloc[5]
    assert sixth not in flat(all_text(ax))


def test_prevalence_colours_are_the_fixed_category_and_level_colours(tables):
    table = tables["prevalence"]
    expected = table.sort_values("share", ascending=False, kind="stable").head(6)
    ax = charts.plot_prevalence(table, top=6)
    colours = [matplotlib.colors.to_hex(bar.get_facecolor()) for bar in bars(ax)]
    assert colours == [style.CATEGORY_COLORS[c].lower() for c in expected["scie_category"]]
    legend = [flat(t.get_text()) for t in ax.get_legend().get_texts()]
    present = [c for c in SCIE_CATEGORIES if c in set(expected["scie_category"])]
    assert legend == [style.CATEGORY_NAMES[c] for c in present]
    ax = charts.plot_prevalence(table, top=6, color_by="level")
    colours = [matplotlib.colors.to_hex(bar.get_facecolor()) for bar in bars(ax)]
    assert colours == [style.LEVEL_COLORS[lvl].lower() for lvl in expected["level"]]
    assert ax.get_legend().get_title().get_text() == "Level"


def test_prevalence_in_episodes_says_so(rs):
    ax = charts.plot_prevalence(sce.factor_prevalence(rs, unit="episode"), top=3)
    assert "N = 523 key practice episodes" in flat(ax.get_xlabel())
    assert "episodes" in ax.get_title(loc="left")


def test_suppressed_shares_are_marked_gaps_not_bars(tables):
    table = tables["prevalence"].copy()
    table.loc[1, ["n_units", "share", "ci_low", "ci_high"]] = np.nan  # suppressed in publication mode
    table = table.sort_values("share", ascending=False, na_position="first").reset_index(drop=True)
    ax = charts.plot_prevalence(table, top=table["share"].notna().sum() + 1)
    assert len(bars(ax)) == table["share"].notna().sum()
    marked = [p for p in ax.patches if p.get_gid() == "suppressed"]
    assert len(marked) == 1 and marked[0].get_hatch() and not marked[0].get_fill()
    assert any(t.get_text().strip() == "c" for t in ax.texts)


def test_prevalence_refuses_a_grouped_table(tables):
    with pytest.raises(sce.ParameterError, match="plot_spread"):
        charts.plot_prevalence(tables["by_region"])
    with pytest.raises(sce.ParameterError, match="color_by"):
        charts.plot_prevalence(tables["prevalence"], color_by="theme")
    with pytest.raises(sce.ParameterError, match="columns"):
        charts.plot_prevalence(pd.DataFrame({"x": [1]}))


# ----------------------------------------------------------------------------------- spread


def test_spread_is_a_factor_by_group_grid_with_the_overall_share_first(tables):
    table = tables["by_region"]
    ax = charts.plot_spread(table, by="region", top=7)
    grid = ax.images[0].get_array()
    regions = sorted(table["region"].unique())
    assert grid.shape == (7, 1 + len(regions))
    columns = [flat(t.get_text()) for t in ax.get_xticklabels()]
    assert columns[0] == "All (N = 80)"
    assert [c.split(" (")[0] for c in columns[1:]] == regions
    rows = [flat(t.get_text()) for t in ax.get_yticklabels()]
    wide = table.pivot_table(index="label", columns="region", values="share")
    for i, label in enumerate(rows):
        np.testing.assert_allclose(np.asarray(grid[i, 1:], dtype=float), wide.loc[label, regions].to_numpy())
    # The planted regional factor (80% of one region, 22% overall) is drawn beside the national ones.
    assert "Gap in locally commissioned services" in rows
    cells = [t for t in ax.texts if t.get_gid() == "value"]
    assert len(cells) == grid.size


def test_spread_marks_suppressed_cells(tables):
    table = tables["by_region"].copy()
    first = table.index[(table["factor_code"] == "ls_info_sharing") & (table["region"] == "Midlands")]
    table.loc[first, ["n_units", "share", "ci_low", "ci_high"]] = np.nan
    ax = charts.plot_spread(table, top=5)
    rows = [flat(t.get_text()) for t in ax.get_yticklabels()]
    # Still drawn (93% in London and South East), last: its overall share is unknown.
    assert rows[-1] == "Information not shared between agencies"
    # The Midlands cell, and the overall share that would reveal it, are marked gaps.
    assert np.ma.count_masked(ax.images[0].get_array()) == 2
    assert len([p for p in ax.patches if p.get_gid() == "suppressed"]) == 2


# ----------------------------------------------------------------------------------- co-occurrence


def test_cooccurrence_orders_factors_by_theme_and_prints_counts(tables):
    pairs, themes = tables["pairs"], tables["themes"]
    ax = charts.plot_cooccurrence(pairs, themes=themes, top=20)
    members = themes.sort_values(["theme"], kind="stable")
    rows = [numbered(t.get_text()) for t in ax.get_yticklabels()]
    assert sorted(rows) == sorted(members["label"])
    by_theme = [themes.set_index("label").loc[r, "theme"] for r in rows]
    assert by_theme == sorted(by_theme)
    assert [t.get_text() for t in ax.get_xticklabels()] == [str(i + 1) for i in range(len(rows))]
    # Each off-diagonal count is the pair table's n_ab.
    code_of = dict(zip(themes["label"], themes["factor_code"], strict=True))
    codes = [code_of[r] for r in rows]
    n_ab = {frozenset((a, b)): n for a, b, n in pairs[["factor_a", "factor_b", "n_ab"]].itertuples(index=False)}
    values = {
        (round(t.get_position()[1]), round(t.get_position()[0])): t.get_text()
        for t in ax.texts
        if t.get_gid() == "value"
    }
    for (i, j), text in values.items():
        assert int(text) == n_ab[frozenset((codes[i], codes[j]))]
    assert len(values) == len(rows) * (len(rows) - 1)
    assert len([p for p in ax.patches if p.get_gid() == "theme"]) == themes["theme"].nunique()


def test_cooccurrence_keeps_whole_themes_within_top(tables):
    ax = charts.plot_cooccurrence(tables["pairs"], themes=tables["themes"], top=8)
    sizes = tables["themes"].groupby("theme").size()
    assert len(ax.get_yticklabels()) == sizes.iloc[0] + sizes.iloc[1]  # 4 + 3: a third theme would pass 8


def test_cooccurrence_without_themes_draws_the_most_common_factors(tables):
    pairs = tables["pairs"]
    ax = charts.plot_cooccurrence(pairs, top=5, value="jaccard")
    counts = (
        pd.concat(
            [
                pairs[["factor_a", "n_a"]].set_axis(["c", "n"], axis=1),
                pairs[["factor_b", "n_b"]].set_axis(["c", "n"], axis=1),
            ]
        )
        .groupby("c")["n"]
        .max()
    )
    rows = [numbered(t.get_text()) for t in ax.get_yticklabels()]
    assert set(rows) == set(counts.sort_values(ascending=False).index[:5])


def test_cooccurrence_marks_suppressed_counts(tables):
    pairs = tables["pairs"].copy()
    themes = tables["themes"]
    first = themes.loc[themes["theme"] == 1, "factor_code"].tolist()[:2]
    hit = pairs["factor_a"].isin(first) & pairs["factor_b"].isin(first)
    pairs.loc[hit, ["n_ab", "lift"]] = np.nan
    ax = charts.plot_cooccurrence(pairs, themes=themes)
    assert len([p for p in ax.patches if p.get_gid() == "suppressed"]) == 2  # both halves of the matrix


# ----------------------------------------------------------------------------------- networks


def test_network_draws_each_linked_factor_once_with_its_label(tables):
    G = tables["network"]
    ax = charts.plot_factor_network(G, themes=tables["themes"])
    linked = [n for n in G if G.degree(n) > 0]
    nodes = ax.collections[0]
    assert nodes.get_gid() == "node" and len(nodes.get_offsets()) == len(linked)
    labels = sorted(flat(t.get_text()) for t in ax.texts if t.get_gid() == "node-label")
    assert labels == sorted(G.nodes[n]["label"] for n in linked)
    assert len([line for line in ax.lines if line.get_gid() == "edge"]) == G.number_of_edges()
    assert "41 factors without a link" in flat(ax.get_xlabel())
    headers = sorted(t.get_text() for t in ax.texts if t.get_gid() == "theme-label")
    assert headers == [f"Theme {k}" for k in sorted(tables["themes"]["theme"].unique())]


def test_network_layout_is_deterministic(tables):
    G = tables["network"]
    first = charts.plot_factor_network(G, seed=3).collections[0].get_offsets()
    second = charts.plot_factor_network(G, seed=3).collections[0].get_offsets()
    np.testing.assert_array_equal(first, second)


def test_network_colours_by_category_and_level(tables):
    G = tables["network"]
    linked = [n for n in G if G.degree(n) > 0]
    ax = charts.plot_factor_network(G, color_by="level")
    colours = {matplotlib.colors.to_hex(c) for c in ax.collections[0].get_facecolors()}
    assert colours == {style.LEVEL_COLORS[G.nodes[n]["level"]].lower() for n in linked}
    ax = charts.plot_factor_network(G, color_by="scie_category", isolates=True)
    assert len(ax.collections[0].get_offsets()) == G.number_of_nodes()


def test_network_without_links_says_so():
    G = nx.Graph(unit="episode", n_units=10, alpha=0.05)
    ax = charts.plot_factor_network(G)
    assert "no network" in flat(all_text(ax))


def test_network_on_a_small_axes_leaves_out_groups_and_says_so(tables):
    fig = plt.figure(figsize=(5, 3.2), layout="constrained")
    ax = charts.plot_factor_network(tables["network"], ax=fig.add_subplot())
    assert "smaller group" in flat(ax.get_xlabel())
    assert 0 < len(ax.collections[0].get_offsets()) < 10


def test_level_map_puts_factors_in_level_bands_and_draws_the_links_across(tables):
    G = tables["network"]
    ax = charts.plot_level_map(G, themes=tables["themes"])
    linked = [n for n in G if G.degree(n) > 0]
    assert len(ax.collections[0].get_offsets()) == len(linked)
    across = [(a, b) for a, b in G.edges if G.nodes[a]["level"] != G.nodes[b]["level"]]
    links = [p for p in ax.patches if p.get_gid() == "link"]
    assert len(links) == len(across) == len(tables["links"])
    bands = [t.get_text().replace("\n", " ") for t in ax.texts if t.get_gid() == "band-name"]
    assert bands == ["National", "Local strategic", "Frontline"]
    # Bands run national (top) to frontline (bottom): every factor sits in its level's band.
    band_patches = [p for p in ax.patches if p.get_gid() == "band"]
    span = {lvl: (p.get_y(), p.get_y() + p.get_height()) for lvl, p in zip(reversed(LEVELS), band_patches, strict=True)}
    assert span["national"][0] > span["local_strategic"][0] > span["frontline"][0]
    label_of = {t.get_text().replace("\n", " "): t for t in ax.texts if t.get_gid() == "node-label"}
    for n in linked:
        low, high = span[G.nodes[n]["level"]]
        assert low < label_of[G.nodes[n]["label"]].get_position()[1] < high


def test_level_map_from_the_links_table(tables):
    links = tables["links"]
    ax = charts.plot_level_map(links, labels=tables["labels"])
    factors = set(links["factor_from"]) | set(links["factor_to"])
    assert len(ax.collections[0].get_offsets()) == len(factors)
    labels = {flat(t.get_text()) for t in ax.texts if t.get_gid() == "node-label"}
    assert labels == {tables["labels"][c] for c in factors}
    assert len([p for p in ax.patches if p.get_gid() == "link"]) == len(links)


def test_level_map_without_links_says_so(tables):
    ax = charts.plot_level_map(tables["links"].iloc[0:0])
    assert "nothing to map" in flat(all_text(ax))


# ----------------------------------------------------------------------------------- sequences


def test_sequences_draw_the_significant_rows_strongest_first(tables):
    table = sequences_table()
    ax = charts.plot_sequences(table, labels=tables["labels"], n_label="N = 523 episodes")
    arrows = [p for p in ax.patches if p.get_gid() == "sequence"]
    assert len(arrows) == 3
    left = [flat(t.get_text()) for t in ax.texts if t.get_gid() == "from"]
    right = [flat(t.get_text()) for t in ax.texts if t.get_gid() == "to"]
    assert left == ["Family avoids contact and misses appointments", "Hostile or intimidating parent", "High caseloads"]
    assert right[0] == "Escalation procedure not used"
    assert "Domestic abuse in the household" not in all_text(ax)  # q = 0.4: not drawn
    assert "N = 523 episodes" in flat(ax.get_xlabel())
    assert len(arrows) == len(charts.plot_sequences(table, top=3).patches)
    assert len([p for p in charts.plot_sequences(table, top=1).patches if p.get_gid() == "sequence"]) == 1


def test_sequences_say_so_when_none_is_significant(tables):
    ax = charts.plot_sequences(tables["sequences"])  # the sample is too small for any
    assert not [p for p in ax.patches if p.get_gid() == "sequence"]
    assert "No sequence" in flat(all_text(ax))


# ----------------------------------------------------------------------------------- trends


def test_trends_is_figure_level_with_one_panel_per_changing_factor(tables):
    trends = tables["trends"]
    fig = charts.plot_trends(trends, tables["by_year"])
    changing = trends[trends["direction"].isin(["rising", "falling"])]
    assert isinstance(fig, matplotlib.figure.Figure)
    assert len(fig.axes) == len(changing) == 4
    titles = [flat(ax.get_title(loc="left")) for ax in fig.axes]
    for title, (_, row) in zip(titles, changing.iterrows(), strict=True):
        assert title.startswith(row["label"]) and row["direction"].capitalize() in title
    by_year = tables["by_year"]
    for ax, code in zip(fig.axes, changing["factor_code"], strict=True):
        line = ax.lines[0]
        expected = by_year[by_year["factor_code"] == code].sort_values("year")
        np.testing.assert_allclose(line.get_ydata(), expected["share"].to_numpy())
        assert len(ax.collections) == 1  # the Wilson band
    assert fig.get_suptitle() == "Factors that became more or less common over the years"
    assert "N = 80 reviews" in flat(fig.axes[-1].get_xlabel())
    assert len(charts.plot_trends(trends, tables["by_year"], top=2).axes) == 2


def test_trends_say_so_when_nothing_changes(tables):
    trends = tables["trends"].assign(direction="no clear change")
    fig = charts.plot_trends(trends, tables["by_year"])
    assert len(fig.axes) == 1 and "No factor" in flat(all_text(fig))


# ----------------------------------------------------------------------------------- groups


def test_group_differences_is_a_forest_plot_for_one_group(tables):
    table = tables["differences"]
    ax = charts.plot_group_differences(table, group="North West", top=6)
    rows = table[(table["group"] == "North West") & table["p_value"].notna()].head(6)
    points = [c for c in ax.collections if c.get_gid() in ("clear", "unclear")]
    assert sum(len(c.get_offsets()) for c in points) == 6
    clear = next(c for c in ax.collections if c.get_gid() == "clear")
    assert len(clear.get_offsets()) == (rows["q_value"] < 0.05).sum() >= 1
    labels = [flat(t.get_text()) for t in ax.get_yticklabels()]
    for label, (_, row) in zip(labels, rows.iterrows(), strict=True):
        assert label.startswith(row["label"]) and "here vs" in label
    assert ax.get_xscale() == "log"
    assert any(list(line.get_xdata()) == [1.0, 1.0] for line in ax.lines)
    assert "N = 80 reviews: 28 in North West, 52 elsewhere" in flat(ax.get_xlabel())
    assert ax.get_title(loc="left") == "What is different in North West?"


def test_group_differences_names_the_groups_when_one_is_unknown(tables):
    with pytest.raises(sce.ParameterError, match="Midlands"):
        charts.plot_group_differences(tables["differences"], group="Atlantis")


# ----------------------------------------------------------------------------------- findings


def test_finding_categories_in_typology_order_and_fixed_colours(tables):
    table = tables["categories"]
    ax = charts.plot_finding_categories(table)
    assert len(bars(ax)) == 6
    labels = [flat(t.get_text()) for t in ax.get_yticklabels()]
    assert labels == [style.CATEGORY_NAMES[c] for c in SCIE_CATEGORIES]
    colours = [matplotlib.colors.to_hex(b.get_facecolor()) for b in bars(ax)]
    assert colours == [style.CATEGORY_COLORS[c].lower() for c in SCIE_CATEGORIES]
    np.testing.assert_allclose([b.get_width() for b in bars(ax)], table["share"].to_numpy())
    values = [t.get_text() for t in ax.texts if t.get_gid() == "value"]
    assert values[0] == f"{100 * table['share'].iloc[0]:.0f}%  ({table['n_findings'].iloc[0]} findings)"


def test_finding_categories_with_a_suppressed_category(tables):
    table = tables["categories"].copy()
    table.loc[2, ["n_findings", "n_reviews", "share", "ci_low", "ci_high"]] = np.nan
    ax = charts.plot_finding_categories(table)
    assert len(bars(ax)) == 5
    assert len([p for p in ax.patches if p.get_gid() == "suppressed"]) == 1


def test_level_profile_national_on_top_in_level_colours(tables):
    table = tables["levels"]
    ax = charts.plot_level_profile(table)
    assert [flat(t.get_text()) for t in ax.get_yticklabels()] == ["National", "Local strategic", "Frontline"]
    expected = table.set_index("level").loc[["national", "local_strategic", "frontline"]]
    np.testing.assert_allclose([b.get_width() for b in bars(ax)], expected["share"].to_numpy())
    colours = [matplotlib.colors.to_hex(b.get_facecolor()) for b in bars(ax)]
    assert colours == [style.level_color(level).lower() for level in ("national", "local_strategic", "frontline")]
    values = [t.get_text() for t in ax.texts if t.get_gid() == "value"]
    assert values[0].endswith(f"({expected['n_codings'].iloc[0]} codings)")
    assert f"N = {int(table['n_codings'].sum()):,}" in flat(ax.get_xlabel())


def test_level_profile_with_a_suppressed_level_and_a_grouped_table(tables, rs):
    table = tables["levels"].copy()
    table.loc[2, ["n_codings", "share", "ci_low", "ci_high"]] = np.nan
    ax = charts.plot_level_profile(table)
    assert len(bars(ax)) == 2 and len([p for p in ax.patches if p.get_gid() == "suppressed"]) == 1
    with pytest.raises(sce.ParameterError, match="one row per level"):
        charts.plot_level_profile(sce.level_profile(rs, by="region"))


def test_coverage_by_year_draws_one_bar_per_year_in_order(tables):
    table = tables["coverage_year"]
    ax = charts.plot_coverage(table, by="year")
    assert [b.get_x() + b.get_width() / 2 for b in bars(ax)] == table["year"].tolist()
    assert [b.get_height() for b in bars(ax)] == table["n_reviews"].tolist()
    assert [t.get_text() for t in ax.texts if t.get_gid() == "value"] == [str(n) for n in table["n_reviews"]]
    assert f"N = {table['n_reviews'].sum()} reviews" in flat(ax.get_xlabel())


def test_coverage_by_region_is_sorted_largest_first_and_skips_suppressed(tables):
    table = tables["coverage_region"].copy()
    ax = charts.plot_coverage(table, by="region")
    order = table.sort_values(["n_reviews", "region"], ascending=[False, True])
    assert [flat(t.get_text()) for t in ax.get_yticklabels()] == order["region"].tolist()
    table.loc[0, "n_reviews"] = np.nan
    ax = charts.plot_coverage(table, by="region")
    assert len(bars(ax)) == len(table) - 1


# ----------------------------------------------------------------------------------- saving


def test_save_figure_writes_png_and_deterministic_svg(tmp_path, tables):
    ax = charts.plot_prevalence(tables["prevalence"], top=5)
    png, svg = charts.save_figure(ax.figure, tmp_path / "new" / "folder" / "prevalence.png")
    assert png == tmp_path / "new" / "folder" / "prevalence.png"
    assert svg.suffix == ".svg" and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    first = svg.read_bytes()
    charts.save_figure(ax.figure, tmp_path / "new" / "folder" / "prevalence")
    assert svg.read_bytes() == first
    assert b"<dc:date>" not in first
    # The same chart drawn again from scratch gives the same bytes too.
    again = charts.plot_prevalence(tables["prevalence"], top=5)
    _, svg2 = charts.save_figure(again.figure, tmp_path / "again")
    assert svg2.read_bytes() == first


def test_save_figure_at_200_dpi(tmp_path):
    fig = plt.figure(figsize=(2, 1), facecolor="white")
    fig.add_artist(matplotlib.patches.Rectangle((0, 0), 1, 1, transform=fig.transFigure, color="#dddddd"))
    png, _ = charts.save_figure(fig, tmp_path / "tiny")
    header = png.read_bytes()[16:24]
    width, height = int.from_bytes(header[:4], "big"), int.from_bytes(header[4:], "big")
    assert (width, height) == (440, 240)  # 2 × 1 inches at 200 dpi, plus the tight box's 0.1-inch pad


# ----------------------------------------------------------------------------------- style


def test_palettes_are_fixed_and_distinct():
    assert list(style.CATEGORY_COLORS) == list(SCIE_CATEGORIES)
    assert set(style.LEVEL_COLORS) == set(LEVELS)
    assert len(set(style.CATEGORY_COLORS.values())) == 6 and len(set(style.LEVEL_COLORS.values())) == 3
    assert style.category_color("not a category") == style.MISSING_COLOR
    assert style.level_name("frontline") == "Frontline" and style.category_name("human_tool") == "Tools"


def test_contexts_set_sizes_and_a_fixed_hash_salt():
    with style.context("talk"):
        assert matplotlib.rcParams["svg.hashsalt"] == "sce-analysis"
        for role in ("title", "label", "tick", "legend", "annotation", "footnote"):
            assert style.text_size(role) >= 14
    with style.context("paper"):
        assert style.text_size("tick") < 14
    with pytest.raises(sce.ParameterError, match="talk"):
        style.rc("poster")


@given(st.lists(st.text(alphabet="abcdefghij-'", min_size=1, max_size=25), min_size=1, max_size=12), st.integers(1, 40))
@settings(max_examples=200, deadline=None)
def test_wrap_label_never_cuts_or_drops_a_word(words, width):
    text = " ".join(words)
    wrapped = style.wrap_label(text, width)
    assert wrapped.split() == text.split()
    for line in wrapped.split("\n"):
        assert len(line) <= width or " " not in line


def test_stamp_says_n_years_and_synthetic(rs):
    fig, ax = plt.subplots()
    assert style.stamp(ax, rs).get_text() == "N = 80 reviews · 2011–2025 · synthetic data"
    recent = rs.filter(years=(2020, 2020))
    assert (
        style.scope_text(recent, extra="episodes")
        == f"N = {len(recent.reviews)} reviews · 2020 · synthetic data · episodes"
    )
    real = sce.from_frames(rs.reviews.drop(columns="data_origin"), rs.episodes, rs.factors, rs.findings, rs.taxonomy)
    assert "synthetic" not in style.scope_text(real)
    mixed = rs.reviews.assign(data_origin=["real"] + ["synthetic"] * (len(rs.reviews) - 1))
    assert "synthetic" not in style.scope_text(
        sce.from_frames(mixed, rs.episodes, rs.factors, rs.findings, rs.taxonomy)
    )
