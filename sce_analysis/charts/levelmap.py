"""The level map (:func:`plot_level_map`): an aggregate AcciMap of linked factors in bands by level.

Which factor goes in which column and band, and where, is computed by
:class:`~sce_analysis.charts.layout.LevelMapGeometry`; this module gathers the factors and links,
measures the labels, asks for the placement and draws.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import matplotlib as mpl
import networkx as nx
import numpy as np
import pandas as pd
from matplotlib import colors as mcolors
from matplotlib.patches import FancyArrowPatch, Rectangle

from ..reviewsets.contract import LEVELS
from . import style
from .common import (
    DEFAULT,
    axes_for,
    axes_size_pt,
    check_frame,
    finish,
    format_n,
    graph_themes,
    hide_frame,
    label_map,
    renderer_of,
    set_title,
    text_size_pt,
    theme_members,
    wrap_to_figure,
)
from .layout import LEVELS_TOP_DOWN, NO_THEME, LevelMapGeometry, LevelMapPlacement, level_map_columns

__all__ = ["plot_level_map"]


def plot_level_map(
    G_or_links,
    *,
    themes=None,
    labels: Mapping[str, str] | pd.DataFrame | None = None,
    seed: int = 0,
    wrap: int | None = None,
    n_label: str | None = None,
    title=DEFAULT,
    ax=None,
    **kwargs,
):
    """An aggregate AcciMap: linked factors in bands by level, with the significant links between levels.

    National factors sit in the top band, local strategic ones in the middle and frontline ones
    at the bottom. An arrow runs from a factor to a factor of a lower level that occurs with it
    more often than chance. Columns are the themes of :func:`~sce_analysis.charts.plot_factor_network` (factors that go
    together), so a theme that reaches from national conditions down to practice reads as one
    column. The picture is of the system around the practitioner, not of the practitioner alone.

    On a new figure (``ax=None``) the figure grows until every theme fits. On a given axes the
    themes that fit are drawn, those with links across levels first, and the x axis label says
    how many were left out.

    Parameters
    ----------
    G_or_links : networkx.Graph or DataFrame
        A network from :func:`sce_analysis.factor_network` (every factor with a significant
        link is drawn, with its label and level), or the table of
        :func:`sce_analysis.cross_level_links` (only the factors linked across levels; pass
        ``labels`` for plain-language names).
    themes : DataFrame or dict, optional
        From :func:`sce_analysis.systemic_themes`. For a network, by default the themes are found
        on it with the same seeded Louvain method as :func:`~sce_analysis.charts.plot_factor_network`; for a links
        table, each connected group of links is a column.
    labels : dict or DataFrame, optional
        Factor code -> label, for a links table; or a table with ``factor_code`` and ``label``
        (such as ``rs.taxonomy``).
    seed : int, default 0
        Seeds the Louvain themes.
    wrap : int, optional
        Characters per label line: 18 on paper, 16 in the talk context.
    n_label, title, ax
        As in :func:`~sce_analysis.charts.plot_prevalence`.
    **kwargs
        Passed to :meth:`~matplotlib.axes.Axes.scatter` (the factors).

    Returns
    -------
    matplotlib Axes
        The factors are ``ax.collections[0]`` (``gid="node"``); each link across levels is a
        patch with ``gid="link"``.
    """
    data = _map_data(G_or_links, themes=themes, labels=labels, seed=seed)
    level_of = data.level_of
    rank = {lvl: i for i, lvl in enumerate(LEVELS)}
    candidates = [n for n in data.candidates if level_of.get(n) in rank]
    across = [e for e in data.edges if level_of.get(e[0]) in rank and level_of.get(e[1]) in rank]
    across = [e for e in across if level_of[e[0]] != level_of[e[1]]]
    talk = style.current_context() == "talk"
    wrap = wrap or (16 if talk else 18)
    new_figure = ax is None
    ax = axes_for(ax, 10.0 if not talk else None, 6.5 if not talk else None)
    hide_frame(ax)
    ax.set_xlabel(_map_note(ax, data, left_out=0, n_label=n_label))
    set_title(ax, title, "The system, not the individual: how linked factors sit across levels")
    column_of, columns_all = level_map_columns(candidates, data.theme_of, level_of, across)
    texts, band_texts, geometry = _measure_map(ax, data, candidates, column_of, wrap=wrap, talk=talk)
    columns_used, width_pt, height_pt = _fit_map(ax, geometry, columns_all, new_figure=new_figure)
    left_out = len(columns_all) - len(columns_used)
    if left_out:
        ax.set_xlabel(_map_note(ax, data, left_out=left_out, n_label=n_label))
        width_pt, height_pt = axes_size_pt(ax)
    shown = [n for n in candidates if column_of[n] in columns_used]
    for n in candidates:
        if n not in shown:
            texts.pop(n).remove()
    placement = geometry.place(columns_used, width_pt, height_pt)
    for n, anchor in placement.label_anchors.items():
        texts[n].set_position(anchor)
    _draw_bands(ax, placement, band_texts, data, candidates, shown, names_width=geometry.names_width)
    _draw_columns(ax, placement, data.theme_word, header_h=geometry.header_h)
    ax.set_xlim(0, placement.width)
    ax.set_ylim(-placement.height, 0)
    if not shown:
        ax.text((geometry.names_width + placement.width) / 2, -placement.height / 2,
                "No significant link between factors: nothing to map.", ha="center", va="center",
                fontsize=style.text_size("label"), color=style.MUTED, gid="message")  # fmt: skip
        return finish(ax)
    _draw_links(ax, across, placement.positions, level_of, column_of, node_d=geometry.node_d)
    xy = np.array([placement.positions[n] for n in shown])
    colors = [style.level_color(level_of[n]) for n in shown]
    options = {"s": geometry.node_d**2, "c": colors, "edgecolors": style.INK, "linewidths": 0.8, "zorder": 3}
    ax.scatter(xy[:, 0], xy[:, 1], **{**options, **kwargs}, gid="node")
    return finish(ax)


@dataclass(frozen=True)
class _MapData:
    """The factors and links of a level map, from a network or a links table."""

    unit: str
    n_total: float | None
    level_of: dict
    names: dict
    size_of: dict
    #: (factor, factor, lift) of each link.
    edges: list
    #: The linked factors, sorted.
    candidates: list
    theme_of: dict
    #: "Theme" for themes, "Group" for the connected groups of a links table.
    theme_word: str


def _map_data(G_or_links, *, themes, labels, seed) -> _MapData:
    names = label_map(labels, "plot_level_map")
    if isinstance(G_or_links, nx.Graph):
        G = G_or_links
        for n in G.nodes:
            names.setdefault(n, G.nodes[n].get("label") or n)
        return _MapData(
            unit=G.graph.get("unit", "episode"),
            n_total=G.graph.get("n_units"),
            level_of={n: G.nodes[n].get("level") for n in G.nodes},
            names=names,
            size_of={n: G.nodes[n].get("n_units", 0) for n in G.nodes},
            edges=[(a, b, d.get("lift", 1.0)) for a, b, d in G.edges(data=True)],
            candidates=sorted((n for n in G.nodes if G.degree(n) > 0), key=str),
            theme_of=graph_themes(G, themes, int(seed)),
            theme_word="Theme",
        )
    columns = ["factor_from", "level_from", "factor_to", "level_to"]
    links = check_frame(G_or_links, columns, "plot_level_map", "cross_level_links(rs)")
    level_of = dict(zip(links["factor_from"], links["level_from"], strict=True))
    level_of.update(dict(zip(links["factor_to"], links["level_to"], strict=True)))
    size_of = {}
    if {"n_from", "n_to"} <= set(links.columns):
        size_of.update(dict(zip(links["factor_from"], links["n_from"], strict=True)))
        size_of.update(dict(zip(links["factor_to"], links["n_to"], strict=True)))
    lift = links["lift"] if "lift" in links else pd.Series(1.0, index=links.index)
    edges = list(zip(links["factor_from"], links["factor_to"], lift, strict=True))
    if themes is not None:
        theme_of, theme_word = theme_members(themes), "Theme"
    else:
        graph = nx.Graph([(a, b) for a, b, _ in edges])
        parts = sorted((sorted(c, key=str) for c in nx.connected_components(graph)), key=lambda c: (-len(c), c[0]))
        theme_of = {n: i for i, part in enumerate(parts, start=1) for n in part}
        theme_word = "Group"
    return _MapData(
        unit="episode",
        n_total=links["n_units"].dropna().max() if "n_units" in links and len(links) else None,
        level_of=level_of,
        names=names,
        size_of=size_of,
        edges=edges,
        candidates=sorted(set(links["factor_from"]) | set(links["factor_to"]), key=str),
        theme_of=theme_of,
        theme_word=theme_word,
    )


def _map_note(ax, data: _MapData, *, left_out: int, n_label) -> str:
    """The map's x axis label: what an arrow and a column mean, what was left out, and N."""
    word = data.theme_word.lower()
    note = f" · {left_out} {word}{'s' if left_out != 1 else ''} left out for space" if left_out else ""
    return wrap_to_figure(
        "Arrow: found together more often than chance, from the higher level to the lower · "
        f"columns: {word}s of factors that go together{note} · "
        f"{format_n(data.n_total, data.unit, n_label)}",
        ax,
        fraction=0.85,
    )


def _measure_map(ax, data: _MapData, candidates, column_of, *, wrap: int, talk: bool):
    """Draw the factors' labels and the bands' names (to measure them); returns both and the map's geometry."""
    fig = ax.get_figure(root=True)
    size = style.text_size("annotation")
    renderer = renderer_of(fig)
    texts, label_size = {}, {}
    for n in candidates:
        text = ax.text(0, 0, style.wrap_label(data.names.get(n, n), wrap), fontsize=size, color=style.INK, ha="left",
                       va="center", linespacing=1.0, zorder=4, gid="node-label")  # fmt: skip
        texts[n] = text
        label_size[n] = text_size_pt(text, renderer, fig.dpi)
    band_texts = {}
    for lvl in LEVELS_TOP_DOWN:
        band_texts[lvl] = ax.text(0, 0, style.wrap_label(style.level_name(lvl), 9), ha="left", va="center",
                                  fontsize=style.text_size("tick"), fontweight="bold", gid="band-name",
                                  color=style.level_color(lvl) if lvl != "frontline" else "#8A6A10")  # fmt: skip
    pad = size * 0.6
    geometry = LevelMapGeometry(
        candidates=candidates,
        column_of=column_of,
        level_of=data.level_of,
        size_of=data.size_of,
        label_size=label_size,
        band_floor={lvl: text_size_pt(band_texts[lvl], renderer, fig.dpi)[1] + pad for lvl in LEVELS_TOP_DOWN},
        names_width=max(text_size_pt(t, renderer, fig.dpi)[0] for t in band_texts.values()) + 16,
        node_d=14.0 if not talk else 20.0,
        pad=pad,
        header_h=size * 1.6,
        empty_band=size * 2.4,
    )
    return texts, band_texts, geometry


def _fit_map(ax, geometry: LevelMapGeometry, columns_all: list, *, new_figure: bool):
    """Size a new figure to the map (grown until every column fits, or made shorter); on a given
    axes keep the columns that fit. Returns the columns kept and the axes' size in points."""
    fig = ax.get_figure(root=True)
    for _ in range(3):
        width_pt, height_pt = axes_size_pt(ax)
        need_w, need_h = geometry.extent(columns_all)
        if new_figure and (need_w > width_pt + 1 or need_h > height_pt + 1 or need_h < height_pt - 60):
            fig.set_size_inches(
                fig.get_figwidth() + max(0.0, need_w - width_pt) / 72 + 0.1,
                max(3.5, fig.get_figheight() + (need_h - height_pt) / 72 + 0.6),
            )
            continue
        break
    return geometry.columns_that_fit(columns_all, width_pt, height_pt), width_pt, height_pt


def _draw_bands(ax, placement: LevelMapPlacement, band_texts, data: _MapData, candidates, shown, *, names_width):
    """A tinted band per level with its name; a note in a band with no factor shown."""
    size = style.text_size("annotation")
    level_of = data.level_of
    for lvl, (low, high) in placement.bands.items():
        ax.add_patch(
            Rectangle((0, low + 2), placement.width, high - low - 4, edgecolor="none", zorder=0, gid="band",
                      facecolor=mcolors.to_rgba(style.level_color(lvl), 0.10))
        )  # fmt: skip
        band_texts[lvl].set_position((6, (low + high) / 2))
        if shown and not any(level_of[n] == lvl for n in shown):
            words = (
                f"No {style.level_name(lvl).lower()} factor with a significant link"
                if not any(level_of[n] == lvl for n in candidates)
                else f"{style.level_name(lvl)} factors are in the {data.theme_word.lower()}s left out for space"
            )
            ax.text((names_width + placement.width) / 2, (low + high) / 2, words, ha="center", va="center",
                    fontsize=size, color=style.MUTED, fontstyle="italic")  # fmt: skip


def _draw_columns(ax, placement: LevelMapPlacement, theme_word: str, *, header_h: float) -> None:
    """A white rule left of each column and its name on top."""
    size = style.text_size("annotation")
    for c in placement.columns:
        start = placement.starts[c]
        ax.plot([start, start], [placement.bottom, -header_h], color="white", linewidth=3, zorder=0.5)
        name = f"{theme_word} {c}" if c != NO_THEME else "No theme"
        ax.text(start + placement.widths[c] / 2, -header_h / 2, name, ha="center", va="center", fontsize=size,
                color=style.INK, fontweight="bold", gid="column")  # fmt: skip


def _draw_links(ax, across, positions, level_of, column_of, *, node_d: float) -> None:
    """An arrow from the higher factor to the lower of each link across levels, as wide as its lift."""
    rank = {lvl: i for i, lvl in enumerate(LEVELS)}
    lift_max = max([2.0, *[e[2] for e in across if np.isfinite(e[2])]])
    line = mpl.rcParams["lines.linewidth"]
    for a, b, lift in across:
        if a not in positions or b not in positions:
            continue
        higher, lower = (a, b) if rank[level_of[a]] > rank[level_of[b]] else (b, a)
        lift = lift if np.isfinite(lift) else 1.0
        ax.add_patch(
            FancyArrowPatch(
                tuple(positions[higher]),
                tuple(positions[lower]),
                arrowstyle="-|>",
                mutation_scale=10 + 3 * line,
                connectionstyle=f"arc3,rad={0.35 if column_of[a] == column_of[b] else 0.12}",
                color=style.INK,
                linewidth=line * (0.7 + 2.3 * (min(lift, lift_max) - 1) / max(lift_max - 1, 1e-9)),
                shrinkA=node_d / 2 + 1,
                shrinkB=node_d / 2 + 1,
                zorder=2,
                gid="link",
            )
        )
