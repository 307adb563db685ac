"""Charts of links between factors: the factor network (:func:`plot_factor_network`) and the
episode-to-episode sequences (:func:`plot_sequences`), the pictures of :mod:`sce_analysis.stats.networks`'s
``factor_network`` and ``factor_sequences``.

The network's layout (components, label sides, spacing, shelf packing) is computed by
:mod:`~sce_analysis.charts.layout`; this module measures the labels, asks for the layout and draws.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import matplotlib as mpl
import networkx as nx
import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch

from ..checks import check_alpha
from ..errors import ParameterError
from . import style
from .common import (
    DEFAULT,
    UNIT_NAMES,
    axes_for,
    axes_size_pt,
    bars_height,
    chars_fitting,
    check_choice,
    check_frame,
    check_top,
    color_key,
    finish,
    format_n,
    graph_themes,
    group_patches,
    hide_frame,
    label_map,
    legend_right,
    renderer_of,
    set_title,
    show_message,
    text_size_pt,
    wrap_to_figure,
)
from .layout import (
    best_shelf_packing,
    component_shifts,
    fit_shelves,
    header_bounds,
    network_components,
    place_component,
    unit_positions,
)

__all__ = ["plot_factor_network", "plot_sequences"]


# ----------------------------------------------------------------------------------- network


def plot_factor_network(
    G: nx.Graph,
    *,
    themes=None,
    color_by: str = "theme",
    seed: int = 0,
    isolates: bool = False,
    wrap: int | None = None,
    n_label: str | None = None,
    title=DEFAULT,
    ax=None,
    **kwargs,
):
    """The network of factors that occur together more often than chance, grouped by theme.

    Node area is proportional to the units with the factor (``n_units``); colour is the
    factor's theme, SCIE category or level; line width grows with the pair's lift. Each
    connected group of factors is laid out on its own (a ring up to eight factors, else a
    Kamada-Kawai layout started from a seeded spring layout), spaced in points so that no
    label touches another, and the groups are packed side by side: the same graph and seed
    always give the same picture. Factors are labelled in plain language.

    On a new figure (``ax=None``) the figure grows until every group fits. On a given axes the
    largest themes that fit are drawn and the x axis label says how many were left out.

    Parameters
    ----------
    G : networkx.Graph
        From :func:`sce_analysis.factor_network`.
    themes : DataFrame or dict, optional
        From :func:`sce_analysis.systemic_themes` (``factor_code``, ``theme``). By default the
        themes are found on ``G`` with the same seeded Louvain method.
    color_by : {"theme", "scie_category", "level"}
    seed : int, default 0
        Seeds the layout and, without ``themes``, the Louvain themes.
    isolates : bool, default False
        Also draw the factors without any significant link.
    wrap : int, optional
        Characters per label line: 18 on paper, 14 in the talk context.
    n_label, title, ax
        As in :func:`~sce_analysis.charts.plot_prevalence`.
    **kwargs
        Passed to :meth:`~matplotlib.axes.Axes.scatter` (the nodes).

    Returns
    -------
    matplotlib Axes
        The nodes are ``ax.collections[0]`` (``gid="node"``); their labels are texts with
        ``gid="node-label"``.
    """
    if not isinstance(G, nx.Graph):
        raise ParameterError(
            f"plot_factor_network draws a networkx Graph from factor_network(rs), not {type(G).__name__}."
        )
    check_choice(color_by, ("theme", "scie_category", "level"), "color_by")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ParameterError(f"seed must be a whole number of at least 0, not {seed!r}.")
    talk = style.current_context() == "talk"
    wrap = wrap or (14 if talk else 18)
    new_figure = ax is None
    ax = axes_for(ax, 10.0 if not talk else None, 7.0 if not talk else None)
    theme_of = graph_themes(G, themes, int(seed))
    hide_frame(ax)
    set_title(ax, title, "Factors that go together: the themes")
    components, hidden = network_components(G, theme_of, isolates=isolates)
    ax.set_xlabel(_network_note(G, ax, left_out=0, hidden=hidden, n_label=n_label))
    if not components:
        show_message(ax, "No pair of factors occurs together more often than chance: there is no network to draw.")
        return finish(ax)
    nodes_all = [n for c in components for n in c]
    n_units_all = np.array([float(G.nodes[n].get("n_units", 1) or 1) for n in nodes_all])
    size_scale = (28.0 if not talk else 32.0) ** 2 / max(n_units_all.max(), 1)
    lifts = [d.get("lift", 1.0) for _, _, d in G.edges(data=True)]
    lift_max = max([2.0, *[v for v in lifts if np.isfinite(v)]])
    color_of_node = _node_colors(G, nodes_all, color_by, theme_of)
    # Legends first: they take room from the axes, and the layout needs the room that is left.
    _network_legends(ax, G, nodes_all, n_units_all, color_by=color_by, size_scale=size_scale, lift_max=lift_max)
    # Labels are measured, then every component is spaced in points around them.
    renderer = renderer_of(ax.get_figure(root=True))
    placed, texts = _measure_components(
        ax, G, components, theme_of, renderer, seed=int(seed), size_scale=size_scale, wrap=wrap, color_by=color_by
    )
    extents = [(b[2] - b[0], b[3] - b[1]) for _order, _layout, b, _header in placed]
    shown, packing, width_pt, height_pt = _fit_network(
        ax, extents, new_figure=new_figure, gap=style.text_size("annotation") * 1.5
    )
    if shown < len(placed):
        ax.set_xlabel(_network_note(G, ax, left_out=len(placed) - shown, hidden=hidden, n_label=n_label))
        for index, (order, _layout, _bounds, header) in enumerate(placed[shown:], start=shown):
            for n in order:
                texts.pop(n).remove()
            if header is not None:
                texts.pop(("header", index)).remove()
        width_pt, height_pt = axes_size_pt(ax)
    shifts = component_shifts([b for _o, _l, b, _h in placed[:shown]], packing, width_pt, height_pt)
    positions = _move_components(placed[:shown], shifts, texts, renderer)
    _draw_links_and_nodes(ax, G, positions, color_of_node, size_scale=size_scale, lift_max=lift_max, kwargs=kwargs)
    ax.set_xlim(0, max(width_pt, packing.width))
    ax.set_ylim(-max(height_pt, packing.height), 0)
    return finish(ax)


def _network_note(G, ax, *, left_out: int, hidden: int, n_label) -> str:
    """The network's x axis label: what a line means, what is not shown, and N."""
    unit = G.graph.get("unit", "episode")
    unit_singular = UNIT_NAMES.get(unit, (unit, unit + "s"))[0]
    notes = []
    if left_out:
        notes.append(f"{left_out} smaller group{'s' if left_out != 1 else ''}")
    if hidden:
        notes.append(f"{hidden} factors without a link")
    note = f" · not shown: {' and '.join(notes)}" if notes else ""
    return wrap_to_figure(
        f"Line: together in the same {unit_singular} more often than chance "
        f"(q < {G.graph.get('alpha', 0.05):g}){note} · {format_n(G.graph.get('n_units'), unit, n_label)}",
        ax,
        fraction=0.75,
    )


def _edge_width(lift, lift_max: float) -> float:
    """Line width of a link: thin at lift 1, thickest at ``lift_max`` and above."""
    line = mpl.rcParams["lines.linewidth"]
    lift = 1.0 if not np.isfinite(lift) else lift
    return line * (0.6 + 3.0 * (min(lift, lift_max) - 1) / max(lift_max - 1, 1e-9))


def _node_colors(G, nodes, color_by: str, theme_of) -> dict:
    if color_by == "theme":
        return {n: style.theme_color(theme_of.get(n)) for n in nodes}
    if color_by == "level":
        return {n: style.level_color(G.nodes[n].get("level")) for n in nodes}
    return {n: style.category_color(G.nodes[n].get("scie_category")) for n in nodes}


def _network_legends(ax, G, nodes_all, n_units_all, *, color_by: str, size_scale: float, lift_max: float) -> None:
    """The key to circle sizes and line widths; and, unless colour is by theme (each group is then
    headed by its theme), the colour legend above it."""
    unit = G.graph.get("unit", "episode")
    short_unit = "episodes" if unit == "episode" else UNIT_NAMES.get(unit, (unit, unit + "s"))[1]
    legend_size = style.text_size("legend")
    lift_refs = sorted({2.0, float(round(lift_max))}) if lift_max >= 3 else [2.0]
    reference = sorted({int(v) for v in np.quantile(n_units_all, [0.0, 1.0])})
    tallest = math.sqrt(max(reference) * size_scale)
    key_handles = [
        *(
            Line2D([], [], marker="o", linestyle="", color="#999999", markeredgecolor="white",
                   markersize=math.sqrt(r * size_scale), label=f"{r:,} {short_unit}")
            for r in reference
        ),
        *(Line2D([], [], color="#888888", linewidth=_edge_width(v, lift_max), label=f"{v:g}× chance")
          for v in lift_refs),
    ]  # fmt: skip
    key_options = {
        "title": "Circle area: how common\nLine: times chance",
        "handleheight": tallest / legend_size,
        "handlelength": max(tallest / legend_size, 2.0),
        "labelspacing": 0.3,
    }
    if color_by == "theme":
        key = legend_right(ax, key_handles, **key_options)
    else:
        attribute = "level" if color_by == "level" else "scie_category"
        color_of, name_of, order, _ = color_key(attribute)
        values = [G.nodes[n].get(attribute) for n in nodes_all]
        handles = [
            Line2D([], [], marker="o", linestyle="", markersize=10, markerfacecolor=p.get_facecolor(),
                   markeredgecolor="white", label=p.get_label())
            for p in group_patches(values, color_of, name_of, order, 20)
        ]  # fmt: skip
        colours = legend_right(ax, handles, "Colour: level" if attribute == "level" else "Colour: SCIE category")
        ax.add_artist(colours)
        key = legend_right(ax, key_handles, loc="lower left", bbox_to_anchor=(1.02, 0.0), **key_options)
    key.set_gid("key")


def _measure_components(ax, G, components, theme_of, renderer, *, seed, size_scale, wrap, color_by):
    """Draw each factor's label (at the origin, to measure it) and lay out each component around
    its labels; with colour by theme, head each component with its theme.

    Returns, per component, its factors in layout order, its :class:`~.layout.ComponentLayout`,
    its box (with the heading) and its heading text; and the texts by factor (headings by
    ``("header", index)``).
    """
    fig = ax.get_figure(root=True)
    size = style.text_size("annotation")
    texts, placed = {}, []
    for comp in components:
        order, unit_xy = unit_positions(G, comp, seed)
        radii = [math.sqrt(float(G.nodes[n].get("n_units", 1) or 1) * size_scale) / 2 for n in order]
        sizes = []
        for n in order:
            text = ax.text(0, 0, style.wrap_label(G.nodes[n].get("label") or n, wrap), fontsize=size,
                           color=style.INK, linespacing=1.05, gid="node-label", zorder=4)  # fmt: skip
            texts[n] = text
            sizes.append(text_size_pt(text, renderer, fig.dpi))
        layout = place_component(unit_xy, radii, sizes, gap=size * 0.8)
        bounds, header = layout.bounds, None
        numbers = sorted({theme_of[n] for n in order if n in theme_of})
        if color_by == "theme" and numbers:
            words = f"Theme {numbers[0]}" if len(numbers) == 1 else "Themes " + ", ".join(map(str, numbers))
            header = ax.text(0, 0, words, ha="center", va="bottom", fontsize=size, fontweight="bold",
                             color=style.INK, gid="theme-label")  # fmt: skip
            bounds = header_bounds(bounds, text_size_pt(header, renderer, fig.dpi)[1])
            texts[("header", len(placed))] = header
        placed.append((order, layout, bounds, header))
    return placed, texts


def _fit_network(ax, extents, *, new_figure: bool, gap: float):
    """Pack the components on the axes: a new figure is sized to the drawing (grown until it fits,
    or made shorter); on a given axes the components that do not fit are left out, last first.

    Returns how many components are shown, their packing and the axes' size in points."""
    fig = ax.get_figure(root=True)
    for _ in range(3):
        width_pt, height_pt = axes_size_pt(ax)
        packing = best_shelf_packing(extents, width_pt, gap)
        used_w, used_h = packing.width, packing.height
        if new_figure and (used_h > height_pt + 1 or used_w > width_pt + 1 or used_h < height_pt - 60):
            grow_w = max(0.0, used_w - width_pt) / 72
            change_h = (used_h - height_pt) / 72
            fig.set_size_inches(fig.get_figwidth() + grow_w + 0.1, max(4.0, fig.get_figheight() + change_h + 0.3))
            continue
        break
    shown, packing = fit_shelves(extents, width_pt, height_pt, gap)
    return shown, packing, width_pt, height_pt


def _move_components(placed, shifts, texts, renderer) -> dict:
    """Move each component's labels and heading to its place; returns each factor's circle centre."""
    positions = {}
    for (order, layout, bounds, header), shift in zip(placed, shifts, strict=True):
        if header is not None:
            dpi = header.get_figure(root=True).dpi
            height = text_size_pt(header, renderer, dpi)[1]
            header.set_position(((bounds[0] + bounds[2]) / 2 + shift[0], bounds[3] + shift[1] - height))
        for i, n in enumerate(order):
            positions[n] = layout.positions[i] + shift
            texts[n].set_position(tuple(layout.anchors[i] + shift))
            texts[n].set_horizontalalignment(layout.sides[i][0])
            texts[n].set_verticalalignment(layout.sides[i][1])
    return positions


def _draw_links_and_nodes(ax, G, positions, color_of_node, *, size_scale: float, lift_max: float, kwargs) -> None:
    for a, b, d in G.edges(data=True):
        if a in positions and b in positions:
            (xa, ya), (xb, yb) = positions[a], positions[b]
            ax.plot([xa, xb], [ya, yb], color="#888888", linewidth=_edge_width(d.get("lift", 1.0), lift_max),
                    zorder=1, solid_capstyle="round", gid="edge")  # fmt: skip
    nodes = list(positions)
    xy = np.array([positions[n] for n in nodes])
    n_units = np.array([float(G.nodes[n].get("n_units", 1) or 1) for n in nodes])
    options = {
        "s": n_units * size_scale,
        "c": [color_of_node[n] for n in nodes],
        "edgecolors": "white",
        "linewidths": 1.0,
        "zorder": 3,
    }
    ax.scatter(xy[:, 0], xy[:, 1], **{**options, **kwargs}, gid="node")


# ----------------------------------------------------------------------------------- sequences


def plot_sequences(
    sequences: pd.DataFrame,
    *,
    top: int = 10,
    alpha: float = 0.05,
    labels: Mapping[str, str] | pd.DataFrame | None = None,
    wrap: int | None = None,
    n_label: str | None = None,
    title=DEFAULT,
    ax=None,
    **kwargs,
):
    """The strongest "a then b" sequences from one key practice episode to the next, as a flow.

    Each significant sequence (``q_value < alpha``) is one row: the earlier factor on the left,
    an arrow, the later factor on the right, and how many times more often than chance it
    happened (arrow width grows with that ratio). Rows are ordered by ratio, then count. When no
    sequence is significant the chart says so.

    Parameters
    ----------
    sequences : DataFrame
        From :func:`sce_analysis.factor_sequences`: ``factor_from``, ``factor_to``, ``n``,
        ``ratio``, ``q_value``.
    top : int, default 10
    alpha : float, default 0.05
    labels : dict or DataFrame, optional
        Factor code -> label (the sequence table holds codes only), or a table with ``factor_code``
        and ``label`` columns: pass ``rs.taxonomy`` for the review set's labels. Without it, the
        chart shows the codes.
    wrap, n_label, title, ax
        As in :func:`~sce_analysis.charts.plot_prevalence`. The sequence table does not carry N: pass ``n_label``,
        e.g. ``"N = 523 episodes in 80 reviews"``.
    **kwargs
        Passed to the arrows (:class:`~matplotlib.patches.FancyArrowPatch`).

    Returns
    -------
    matplotlib Axes
        Arrows are patches with ``gid="sequence"``, one per sequence drawn.
    """
    table = check_frame(
        sequences, ["factor_from", "factor_to", "n", "ratio", "q_value"], "plot_sequences", "factor_sequences(rs)"
    )
    top = check_top(top)
    alpha = check_alpha(alpha)
    names = label_map(labels, "plot_sequences")
    strong = table[(table["q_value"] < alpha) & (table["n"] > 0)]
    strong = strong.sort_values(["ratio", "n", "factor_from", "factor_to"], ascending=[False, False, True, True])
    strong = strong.head(top).reset_index(drop=True)
    k = len(strong)
    tick = style.text_size("tick")
    fig_width = ax.get_figure(root=True).get_figwidth() if ax is not None else mpl.rcParams["figure.figsize"][0]
    width = wrap or chars_fitting(fig_width * 72 * 0.3, tick)

    left = [_factor_name(c, names, width) for c in strong["factor_from"]]
    right = [_factor_name(c, names, width) for c in strong["factor_to"]]
    lines = max((t.count("\n") + 1 for t in left + right), default=1)
    ax = axes_for(ax, None, bars_height(max(k, 3), min(lines, 2) + 0.6, tick, 2.2))
    hide_frame(ax)
    n_text = format_n(None, "episode", n_label)
    ax.set_xlabel(
        wrap_to_figure(
            "Each row: a factor in one key practice episode, then a factor in the next episode of the same review; "
            f"the number says how many times more often than chance (q < {alpha:g})"
            + (f" · {n_text}" if n_text else ""),
            ax,
            fraction=0.8,
        )
    )
    set_title(ax, title, "What tends to follow what, from one episode to the next")
    if k == 0:
        show_message(
            ax,
            f"No sequence from one episode to the next is more common than chance (q < {alpha:g}). "
            "Sequences need many reviews to show.",
        )
        return finish(ax)
    x_left, x_right = 0.40, 0.60
    ratio_max = max(2.0, float(np.nanmax(strong["ratio"].to_numpy(dtype=float))))
    for i, row in strong.iterrows():
        _draw_sequence(
            ax, i, row, left[i], right[i], x_left=x_left, x_right=x_right, ratio_max=ratio_max, kwargs=kwargs
        )
    header = style.text_size("label")
    ax.text(x_left - 0.01, -0.75, "In one episode …", ha="right", va="bottom", fontsize=header, fontweight="bold")
    ax.text(x_right + 0.01, -0.75, "… then in the next", ha="left", va="bottom", fontsize=header, fontweight="bold")
    ax.set_xlim(0, 1)
    ax.set_ylim(k - 0.5, -1.0)
    return finish(ax)


def _factor_name(code, names: Mapping, width: int) -> str:
    value = names.get(code, code)
    return style.wrap_label(code if pd.isna(value) else value, width)


def _draw_sequence(ax, i: int, row, left: str, right: str, *, x_left, x_right, ratio_max: float, kwargs) -> None:
    """Row ``i`` of the sequences: the earlier factor, an arrow as wide as its ratio, the later factor."""
    size = style.text_size("tick")
    line = mpl.rcParams["lines.linewidth"]
    ax.text(x_left - 0.01, i, left, ha="right", va="center", fontsize=size, gid="from")
    ax.text(x_right + 0.01, i, right, ha="left", va="center", fontsize=size, gid="to")
    ratio = row["ratio"] if np.isfinite(row["ratio"]) else ratio_max
    arrow_options = {
        "arrowstyle": "-|>",
        "mutation_scale": 12 + 3 * line,
        "color": style.LEVEL_COLORS["national"],
        "linewidth": line * (0.8 + 2.2 * (min(ratio, ratio_max) - 1) / max(ratio_max - 1, 1e-9)),
        "shrinkA": 0,
        "shrinkB": 0,
        **kwargs,
    }
    ax.add_patch(FancyArrowPatch((x_left + 0.005, i), (x_right - 0.005, i), gid="sequence", **arrow_options))
    n_text = "c" if pd.isna(row["n"]) else f"{int(row['n'])}"
    ax.text(
        (x_left + x_right) / 2,
        i - 0.12,
        f"{row['ratio']:.1f}× chance\n(n = {n_text})" if np.isfinite(row["ratio"]) else f"(n = {n_text})",
        ha="center",
        va="bottom",
        fontsize=style.text_size("annotation"),
        color=style.INK,
        linespacing=1.0,
        gid="value",
    )
