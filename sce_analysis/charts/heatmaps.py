"""Heatmaps: factors by group (:func:`plot_spread`) and factors by factor (:func:`plot_cooccurrence`)."""

from __future__ import annotations

import math
from collections.abc import Mapping

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib import colors as mcolors
from matplotlib.patches import Rectangle

from ..checks import check_alpha
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
    draw_suppressed,
    finish,
    format_n,
    hide_frame,
    label_map,
    renderer_of,
    set_title,
    show_message,
    text_color_on,
    text_size_pt,
    theme_members,
    top_rows,
    unit_of_prevalence,
    wrap_to_figure,
    wrap_width,
)
from .layout import theme_blocks, theme_order

__all__ = ["plot_spread", "plot_cooccurrence"]


# ----------------------------------------------------------------------------------- spread


def plot_spread(
    prevalence_by_group: pd.DataFrame,
    *,
    by: str = "region",
    top: int = 20,
    vmax: float | None = None,
    wrap: int | None = None,
    n_label: str | None = None,
    title=DEFAULT,
    ax=None,
    **kwargs,
):
    """A factor × group heatmap of shares: what is found everywhere, and what only in some places.

    The first column is each factor's share over all groups (computed from the table's counts),
    then one column per group; each cell is annotated with the percent of the group's units that
    have the factor. Rows are the ``top`` factors by the larger of their overall share and their
    highest lower Wilson bound in any group (``ci_low``; the share itself when the table has no
    bounds), so that a factor clearly common in one place only is drawn beside the ones common
    everywhere, while a high share in a small group by chance is not; they are ordered by the
    overall share.

    Parameters
    ----------
    prevalence_by_group : DataFrame
        From ``factor_prevalence(rs, by=by)``: ``by``, ``factor_code``, ``label``, ``n_units``,
        ``n_total``, ``share``.
    by : str, default "region"
        The group column of the table.
    top : int, default 20
    vmax : float, optional
        Share at the darkest colour; by default the largest share rounded up to a tenth.
    wrap, n_label, title, ax
        As in :func:`~sce_analysis.charts.plot_prevalence`.
    **kwargs
        Passed to :meth:`~matplotlib.axes.Axes.imshow`.

    Returns
    -------
    matplotlib Axes
        The heatmap is ``ax.images[0]``; its array has one row per factor and one column per
        group plus the overall column. The numbers in the cells carry the values, so there is
        no colour bar; the colour runs from white (0%) to dark blue (``vmax``).
    """
    columns = [by, "factor_code", "label", "n_units", "n_total", "share"]
    table = check_frame(prevalence_by_group, columns, "plot_spread", f"factor_prevalence(rs, by={by!r})")
    # Published tables hold suppressed counts as missing values of a nullable integer type.
    table = table.astype({c: "float64" for c in ("n_units", "n_total", "share") if c in table})
    top = check_top(top)
    groups = pd.unique(table[by].dropna())
    per_group = table.groupby(by, sort=False)["n_total"].max().reindex(groups)
    # The overall count is unknown (suppressed) when any group's count is.
    counts = table.groupby("factor_code", sort=False)[["n_units"]].sum(min_count=max(len(groups), 1))
    n_all = float(per_group.sum(min_count=max(len(per_group), 1)))  # unknown when a group's N is suppressed
    counts["share"] = counts["n_units"] / n_all if n_all and not np.isnan(n_all) else np.nan
    labels_of = table.drop_duplicates("factor_code").set_index("factor_code")["label"]
    matrix = table.pivot_table(index="factor_code", columns=by, values="share", aggfunc="first", dropna=False)
    matrix = matrix.reindex(index=counts.index, columns=groups)
    bound = "ci_low" if "ci_low" in table else "share"
    lows = table.pivot_table(index="factor_code", columns=by, values=bound, aggfunc="first", dropna=False)
    lows = lows.reindex(index=counts.index, columns=groups)
    counts["highest"] = np.fmax(counts["share"].to_numpy(dtype=float), lows.max(axis=1).to_numpy(dtype=float))
    chosen = top_rows(counts.reset_index(), top, by="highest")
    ranked = top_rows(chosen, len(chosen))
    codes = ranked["factor_code"].tolist()
    values = np.column_stack([ranked["share"].to_numpy(dtype=float), matrix.reindex(index=codes).to_numpy(dtype=float)])
    unit = unit_of_prevalence(table)
    tick = style.text_size("tick")
    width = wrap or wrap_width(ax, min(top, counts.shape[0]), tick, 0.28, usable=0.6, wide=0.32)
    row_labels = [style.wrap_label(labels_of.get(c, c) if not pd.isna(labels_of.get(c)) else c, width) for c in codes]
    lines = max((label.count("\n") + 1 for label in row_labels), default=1)
    ax = axes_for(ax, None, bars_height(len(codes), min(lines, 2), tick, 2.6))
    by_name = by.replace("_", " ")
    if not codes:
        hide_frame(ax)
        show_message(ax, "The table has no factor to draw.")
        ax.set_xlabel(format_n(n_all, unit, n_label))
        set_title(ax, title, f"Found everywhere or only in some places? Factors by {by_name}")
        return finish(ax)
    shown = np.ma.masked_invalid(values)
    top_share = np.nanmax(values) if np.isfinite(values).any() else 1.0
    vmax = vmax if vmax is not None else min(1.0, max(0.1, math.ceil(top_share * 10 - 1e-9) / 10))
    options = {"cmap": "Blues", "vmin": 0.0, "vmax": vmax, "aspect": "auto", "interpolation": "nearest", **kwargs}
    image = ax.imshow(shown, **options)
    _draw_share_cells(ax, values, image)
    ax.axvline(0.5, color="white", linewidth=4)
    counts_text = [f"N = {int(n_all):,}" if not np.isnan(n_all) else ""]
    counts_text += [f"n = {int(n):,}" if not pd.isna(n) else "" for n in per_group]
    names = ["All", *map(str, groups)]
    ax.set_xticks(np.arange(len(names)), labels=[f"{g}\n({c})" for g, c in zip(names, counts_text, strict=True)])
    ax.xaxis.tick_top()
    ax.xaxis.set_label_position("top")
    ax.set_yticks(np.arange(len(codes)), labels=row_labels)
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    unit_word = UNIT_NAMES[unit][1]
    ax.set_xlabel(f"% of the {by_name}'s {unit_word} with the factor · {format_n(n_all, unit, n_label)}")
    _fit_column_labels(ax, names, counts_text, tick)
    set_title(ax, title, f"Found everywhere or only in some places? Factors by {by_name}")
    return finish(ax)


def _draw_share_cells(ax, values: np.ndarray, image) -> None:
    """Each cell's percent (the overall column in bold); a suppressed share as the suppressed marker."""
    cmap, norm = image.get_cmap(), image.norm
    size = style.text_size("annotation")
    for (i, j), value in np.ndenumerate(values):
        if np.isnan(value):
            draw_suppressed(ax, j - 0.3, i, width=0.6, height=0.6, label_x=j + 0.3)
            continue
        ax.text(
            j,
            i,
            f"{100 * value:.0f}",
            ha="center",
            va="center",
            fontsize=size,
            color=text_color_on(cmap(norm(value))),
            fontweight="bold" if j == 0 else "normal",
            gid="value",
        )


def _fit_column_labels(ax, names, counts_text, size: float) -> None:
    """Wrap the column headers of a heatmap to the width of a column, measured after layout;
    turn them upright (one line each) when even single words do not fit."""
    fig = ax.get_figure(root=True)
    width_pt, _ = axes_size_pt(ax)
    column_pt = width_pt / max(len(names), 1) * 0.92
    renderer = renderer_of(fig)
    probe = ax.text(0, 0, "", fontsize=size)

    def width_of(text):
        probe.set_text(text)
        return text_size_pt(probe, renderer, fig.dpi)[0]

    labels, rotate = [], False
    for name, count in zip(names, counts_text, strict=True):
        chosen = None
        for chars in range(max(len(name), len(count), 1), 0, -1):
            wrapped = style.wrap_label(name, chars)
            if all(width_of(line) <= column_pt for line in [*wrapped.split("\n"), count]):
                chosen = wrapped
                break
        if chosen is None:
            rotate = True
        labels.append(f"{chosen or name}\n({count})" if count else chosen or name)
    probe.remove()
    if rotate:
        labels = [f"{name} ({count})" if count else name for name, count in zip(names, counts_text, strict=True)]
    ax.set_xticks(np.arange(len(names)), labels=labels, rotation=90 if rotate else 0)


# ----------------------------------------------------------------------------------- co-occurrence

_VALUE_NAMES = {
    "lift": "Lift: times more often together than by chance (1 = chance)",
    "odds_ratio": "Odds ratio of the pair",
    "npmi": "NPMI: -1 never together, 0 chance, 1 always together",
    "jaccard": "Jaccard (ATLAS.ti c-coefficient): share of either that have both",
    "overlap": "Overlap: share of the rarer factor's units that have both",
}


def _soft_diverging():
    """RdBu reversed, with the blue half faded: pairs seen less often than chance are rarely the story
    (a count of 0 where 1.5 was expected), so they should not shout as loudly as strong pairs."""
    base = mpl.colormaps["RdBu_r"]
    low = base(np.linspace(0.30, 0.5, 128))
    high = base(np.linspace(0.5, 1.0, 128))
    return mcolors.ListedColormap(np.vstack([low, high]), name="sce_soft_RdBu_r")


def _pair_norm(value: str, data: np.ndarray):
    finite = data[np.isfinite(data)]
    if value in ("lift", "odds_ratio"):
        high = max(2.0, float(np.nanpercentile(finite, 98)) if finite.size else 2.0)
        return mcolors.TwoSlopeNorm(vmin=0.0, vcenter=1.0, vmax=high), _soft_diverging()
    if value == "npmi":
        return mcolors.TwoSlopeNorm(vmin=-1.0, vcenter=0.0, vmax=1.0), _soft_diverging()
    return mcolors.Normalize(vmin=0.0, vmax=1.0), "Blues"


def plot_cooccurrence(
    pairs: pd.DataFrame,
    *,
    themes=None,
    value: str = "lift",
    top: int = 20,
    labels: Mapping[str, str] | pd.DataFrame | None = None,
    alpha: float = 0.05,
    unit: str = "episode",
    wrap: int | None = None,
    n_label: str | None = None,
    title=DEFAULT,
    ax=None,
    **kwargs,
):
    """A heatmap of a pair statistic, factors ordered by theme, each cell annotated with its count.

    Parameters
    ----------
    pairs : DataFrame
        From :func:`sce_analysis.factor_pairs`: ``factor_a``, ``factor_b``, ``n_ab``, ``n_a``,
        ``n_b``, ``n_units``, ``q_value`` and the ``value`` column.
    themes : DataFrame or dict, optional
        From :func:`sce_analysis.systemic_themes` (``factor_code``, ``theme``, and ``label``): the
        theme members are drawn, theme by theme, with each theme's block outlined in its colour.
        Without themes, the ``top`` most common factors of the table are drawn.
    value : {"lift", "odds_ratio", "npmi", "jaccard", "overlap"}
        The statistic that colours the cells.
    top : int, default 20
        At most this many factors.
    labels : dict or DataFrame, optional
        Factor code -> label, or a table with ``factor_code`` and ``label`` (such as ``rs.taxonomy``);
        by default the themes' labels, else the codes.
    alpha : float, default 0.05
        Counts of pairs with ``q_value < alpha`` are printed in bold.
    unit : {"episode", "review"}
        What the pair table counted (``factor_pairs``'s ``unit``), for the N text.
    wrap, n_label, title, ax
        As in :func:`~sce_analysis.charts.plot_prevalence`.
    **kwargs
        Passed to :meth:`~matplotlib.axes.Axes.imshow`.

    Returns
    -------
    matplotlib Axes
        Rows are labelled "1  label", columns by the same numbers.
    """
    check_choice(value, tuple(_VALUE_NAMES), "value")
    check_choice(unit, tuple(UNIT_NAMES), "unit")
    table = check_frame(
        pairs, ["factor_a", "factor_b", "n_ab", "n_a", "n_b", value], "plot_cooccurrence", "factor_pairs(rs)"
    )
    top = check_top(top)
    alpha = check_alpha(alpha)
    counts = pd.concat(
        [
            table[["factor_a", "n_a"]].set_axis(["code", "n"], axis=1),
            table[["factor_b", "n_b"]].set_axis(["code", "n"], axis=1),
        ]
    )
    counts = counts.groupby("code", sort=False)["n"].max()
    theme_of = {code: t for code, t in theme_members(themes).items() if code in counts.index}
    codes = theme_order(counts, theme_of, top)
    names = label_map(labels, "plot_cooccurrence")
    if not names and isinstance(themes, pd.DataFrame) and "label" in themes.columns:
        names = label_map(themes, "plot_cooccurrence")
    k = len(codes)
    grid, n_grid, q_grid = _pair_grids(table, codes, value)
    tick = style.text_size("tick")
    fig_width = ax.get_figure(root=True).get_figwidth() if ax is not None else mpl.rcParams["figure.figsize"][0]
    width = wrap or wrap_width(ax, len(codes), tick, 0.3, usable=0.5)
    row_labels = [
        style.wrap_label(f"{i + 1}  {names.get(c, c) if not pd.isna(names.get(c, c)) else c}", width)
        for i, c in enumerate(codes)
    ]
    ax = axes_for(ax, None, bars_height(k, 1.6, tick, 3.0))
    if k == 0:
        show_message(ax, "No pair of factors passed the minimum count: nothing to draw.")
        set_title(ax, title, "Which factors go together")
        ax.set_xlabel(format_n(None, unit, n_label))
        return finish(ax)
    norm, cmap = _pair_norm(value, grid)
    off_diagonal = np.ma.masked_invalid(np.where(np.eye(k, dtype=bool), np.nan, grid))
    options = {"cmap": cmap, "norm": norm, "aspect": "auto", "interpolation": "nearest", **kwargs}
    image = ax.imshow(off_diagonal, **options)
    for i in range(k):
        ax.add_patch(Rectangle((i - 0.5, i - 0.5), 1, 1, facecolor="#EEEEEE", edgecolor="none", zorder=1))
    # Counts are printed only when a cell is wide enough for them.
    show_counts = (fig_width * 72 * 0.55) / max(k, 1) >= style.text_size("annotation") * 1.5
    _draw_pair_cells(ax, codes, counts, (grid, n_grid, q_grid), image, alpha=alpha, show_counts=show_counts)
    _draw_theme_blocks(ax, theme_blocks(codes, theme_of), k)
    ax.set_yticks(np.arange(k), labels=row_labels)
    ax.set_xticks(np.arange(k), labels=[str(i + 1) for i in range(k)])
    ax.xaxis.tick_top()
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    n = table["n_units"].dropna().max() if "n_units" in table and len(table) else None
    short = "episodes" if unit == "episode" else "reviews"
    ax.set_xlabel(
        wrap_to_figure(
            f"Numbers: {short} with both (bold: more than chance, q < {alpha:g}); "
            f"grey diagonal: {short} with the factor · {format_n(n, unit, n_label)}",
            ax,
            fraction=0.6,
        )
    )
    cbar = _pair_colorbar(ax, image, value)
    set_title(ax, title, f"Which factors go together in the same {UNIT_NAMES[unit][0]}")
    return finish(ax, cbar.ax.yaxis.label)


def _pair_grids(table: pd.DataFrame, codes: list, value: str):
    """Symmetric k × k grids of ``value``, ``n_ab`` and ``q_value`` for the factors ``codes`` (NaN where no pair)."""
    k = len(codes)
    position = {c: i for i, c in enumerate(codes)}
    grid = np.full((k, k), np.nan)
    n_grid = np.full((k, k), np.nan)
    q_grid = np.full((k, k), np.nan)
    inside = table[table["factor_a"].isin(position) & table["factor_b"].isin(position)]
    a = inside["factor_a"].map(position).to_numpy(dtype=int)
    b = inside["factor_b"].map(position).to_numpy(dtype=int)
    for target, column in ((grid, value), (n_grid, "n_ab"), (q_grid, "q_value")):
        if column in inside:
            values = inside[column].to_numpy(dtype=float)
            target[a, b] = values
            target[b, a] = values
    return grid, n_grid, q_grid


def _draw_pair_cells(ax, codes, counts, grids, image, *, alpha: float, show_counts: bool) -> None:
    """Each cell's count (bold when significant), the diagonal's factor counts, suppressed pairs marked."""
    grid, n_grid, q_grid = grids
    k = len(codes)
    size = style.text_size("annotation")
    cmap, norm = image.get_cmap(), image.norm
    for i in range(k):
        for j in range(k):
            if i == j:
                n_a = counts.get(codes[i], np.nan)
                text = "" if pd.isna(n_a) else f"{int(n_a)}"
                if show_counts and text:
                    ax.text(j, i, text, ha="center", va="center", fontsize=size, color=style.MUTED, fontstyle="italic")
                continue
            n_ab = n_grid[i, j]
            if np.isnan(n_ab):
                if not np.isnan(grid[i, j]) or codes[i] in counts and codes[j] in counts:
                    draw_suppressed(ax, j - 0.3, i, width=0.6, height=0.6, label_x=j + 0.3)
                continue
            if not show_counts:
                continue
            significant = not np.isnan(q_grid[i, j]) and q_grid[i, j] < alpha
            cell = grid[i, j]
            background = cmap(norm(cell)) if np.isfinite(cell) else (1, 1, 1, 1)
            ax.text(
                j,
                i,
                f"{int(n_ab)}",
                ha="center",
                va="center",
                fontsize=size,
                fontweight="bold" if significant else "normal",
                color=text_color_on(background),
                gid="value",
            )


def _draw_theme_blocks(ax, blocks: dict, k: int) -> None:
    """Each theme's block outlined, with a bar in the theme's colour (the network's colours) beside it, named."""
    line = mpl.rcParams["lines.linewidth"]
    for theme, (first, last) in blocks.items():
        ax.add_patch(
            Rectangle(
                (first - 0.5, first - 0.5),
                last - first + 1,
                last - first + 1,
                fill=False,
                edgecolor=style.INK,
                linewidth=line * 1.2,
                zorder=4,
                gid="theme",
            )
        )
        ax.add_patch(
            Rectangle(
                (k - 0.5 + 0.12, first - 0.45),
                0.22,
                last - first + 0.9,
                facecolor=style.theme_color(theme),
                edgecolor="none",
                clip_on=False,
                zorder=4,
            )
        )
        ax.text(
            k - 0.5 + 0.45,
            (first + last) / 2,
            f"Theme {theme}",
            ha="left",
            va="center",
            rotation=90 if last - first < 1 else 0,
            fontsize=style.text_size("annotation"),
            color=style.INK,
            gid="theme-label",
        )


def _pair_colorbar(ax, image, value: str):
    """The colour bar of the pair statistic: lift and odds ratio ticked at 0, 1 and whole steps above."""
    norm = image.norm
    cbar = ax.get_figure(root=True).colorbar(image, ax=ax, location="right", shrink=0.7, aspect=25, pad=0.02)
    if value in ("lift", "odds_ratio"):
        high = norm.vmax
        step = 1 if high <= 5 else 2 if high <= 12 else 5 if high <= 30 else 10
        upper = [v for v in range(max(step, 2), int(high) + 1, step) if norm(v) - norm(1) > 0.12]
        cbar.set_ticks([0, 1, *upper])
    fig_height_pt = ax.get_figure(root=True).get_figheight() * 72
    cbar.set_label(
        style.wrap_label(_VALUE_NAMES[value], chars_fitting(fig_height_pt * 0.5, style.text_size("label"))),
        fontsize=style.text_size("label"),
    )
    cbar.ax.tick_params(labelsize=style.text_size("tick"))
    return cbar
