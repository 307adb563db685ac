"""Bar charts: factor prevalence, findings by SCIE category, the level profile and coverage.

:func:`horizontal_bars` is the shared drawer of share bars with Wilson whiskers; the explorer
draws its quick bars with it too.
"""

from __future__ import annotations

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.ticker import FixedLocator, PercentFormatter

from ..errors import ParameterError
from ..reviewsets.contract import LEVELS, SCIE_CATEGORIES
from . import style
from .common import (
    DEFAULT,
    UNIT_NAMES,
    axes_for,
    bars_height,
    check_choice,
    check_frame,
    check_top,
    color_key,
    draw_suppressed,
    finish,
    format_n,
    group_patches,
    hide_frame,
    legend_right,
    percent,
    set_title,
    show_message,
    top_rows,
    unit_of_prevalence,
    wrap_to_figure,
    wrap_width,
)
from .layout import share_ticks

__all__ = [
    "plot_prevalence",
    "plot_finding_categories",
    "plot_level_profile",
    "plot_coverage",
    "horizontal_bars",
    "COUNT_COLOR",
]

#: One neutral colour for counts that belong to no category or level (coverage).
COUNT_COLOR = "#5B7FA6"


# ----------------------------------------------------------------------------------- prevalence


def share_max(rows: pd.DataFrame) -> float:
    """The largest share or upper interval end of the rows, which the axis must reach; 1 when none is known."""
    finite = rows[[c for c in ("share", "ci_high") if c in rows]].to_numpy(dtype=float)
    return float(np.nanmax(finite)) if np.isfinite(finite).any() else 1.0


_share_max_of = share_max  # for horizontal_bars, whose parameter of that name hides it


def append_counts(ax, rows: pd.DataFrame, column: str, noun: str) -> None:
    """Add each bar's count (``c`` when suppressed) after its percentage label, as ``84%  (105 findings)``."""
    if column not in rows:
        return
    values = [t for t in ax.texts if t.get_gid() == "value"]  # one per bar, in row order
    for text, n in zip(values, rows.loc[rows["share"].notna(), column], strict=True):
        text.set_text(f"{text.get_text()}  ({'c' if pd.isna(n) else f'{int(n):,}'} {noun})")


def horizontal_bars(
    ax,
    rows: pd.DataFrame,
    labels: list[str],
    colors: list[str],
    *,
    kwargs: dict | None = None,
    share_max: float | None = None,
) -> None:
    """Bars of ``share`` with Wilson whiskers and percent labels; NaN shares as suppressed markers.

    The drawer behind :func:`plot_prevalence`, :func:`plot_finding_categories` and
    :func:`plot_level_profile`, and the explorer's quick bars: it draws on ``ax`` as it is (no
    title, legend or re-wrapping), the first row at the top.

    Parameters
    ----------
    ax : matplotlib Axes
    rows : DataFrame
        ``share`` and optionally ``ci_low``, ``ci_high``; one bar per row.
    labels, colors : list of str
        One tick label and one bar colour per row.
    kwargs : dict, optional
        Passed to :meth:`~matplotlib.axes.Axes.barh`.
    share_max : float, optional
        The largest share or upper bound to make room for; the share axis ends on the tick above it.
        By default that of ``rows`` (:func:`share_max`).
    """
    if share_max is None:
        share_max = _share_max_of(rows)
    k = len(rows)
    y = np.arange(k)
    share = rows["share"].to_numpy(dtype=float)
    drawn = ~np.isnan(share)
    options = {"height": 0.68, "edgecolor": "none", "zorder": 2, **(kwargs or {})}
    ax.barh(y[drawn], share[drawn], color=np.asarray(colors, dtype=object)[drawn].tolist(), **options)
    low = rows["ci_low"].to_numpy(dtype=float) if "ci_low" in rows else np.full(k, np.nan)
    high = rows["ci_high"].to_numpy(dtype=float) if "ci_high" in rows else np.full(k, np.nan)
    whisker = drawn & ~np.isnan(low) & ~np.isnan(high)
    if whisker.any():
        ax.errorbar(
            share[whisker],
            y[whisker],
            xerr=[np.clip(share[whisker] - low[whisker], 0, None), np.clip(high[whisker] - share[whisker], 0, None)],
            fmt="none",
            ecolor=style.INK,
            elinewidth=mpl.rcParams["lines.linewidth"] * 0.6,
            capsize=mpl.rcParams["lines.markersize"] * 0.5,
            zorder=3,
            label="_whiskers",
        )
    size = style.text_size("annotation")
    for i in np.flatnonzero(drawn):
        end = high[i] if not np.isnan(high[i]) else share[i]
        ax.annotate(
            percent(share[i]),
            (end, y[i]),
            xytext=(4, 0),
            textcoords="offset points",
            ha="left",
            va="center",
            fontsize=size,
            color=style.INK,
            gid="value",
        )
    for i in np.flatnonzero(~drawn):
        draw_suppressed(ax, 0.0, y[i], width=share_max * 0.06, height=0.6)
    ax.set_yticks(y, labels=labels)
    ax.set_ylim(k - 0.5, -0.5)  # first row at the top
    ticks, last, limit = share_ticks(share_max)
    ax.set_xlim(0, limit)
    ax.spines["bottom"].set_bounds(0, last)
    ax.xaxis.set_major_locator(FixedLocator(ticks))
    ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.grid(axis="x", color="#E5E5E5", linewidth=0.8, zorder=0)
    ax.set_axisbelow(True)
    ax.tick_params(axis="y", length=0)


def plot_prevalence(
    prevalence: pd.DataFrame,
    *,
    top: int = 15,
    color_by: str = "scie_category",
    wrap: int | None = None,
    n_label: str | None = None,
    title=DEFAULT,
    ax=None,
    **kwargs,
):
    """The most common contributory factors, as horizontal bars with Wilson 95% whiskers.

    Parameters
    ----------
    prevalence : DataFrame
        From :func:`sce_analysis.factor_prevalence` (without ``by``): ``factor_code``, ``label``,
        ``share``, ``ci_low``, ``ci_high``, ``n_total`` and ``scie_category`` or ``level``.
    top : int, default 15
        How many factors, by ``share``; the most common at the top.
    color_by : {"scie_category", "level"}
        Colour of the bars: the fixed colour of each factor's SCIE category or level.
    wrap : int, optional
        Characters per label line; by default a third of the figure's width.
    n_label : str, optional
        Replaces the "N = 80 reviews" text of the x axis label.
    title : str, optional
        Replaces the default title; ``""`` leaves it out.
    ax : matplotlib Axes, optional
    **kwargs
        Passed to :meth:`~matplotlib.axes.Axes.barh`.

    Returns
    -------
    matplotlib Axes
        The bars are ``ax.containers[0]``, one per factor drawn (a suppressed share draws none).

    Examples
    --------
    >>> import matplotlib.pyplot as plt, sce_analysis as sce
    >>> ax = plot_prevalence(sce.factor_prevalence(sce.load("data/sample")), top=3)
    >>> len(ax.containers[0])
    3
    >>> plt.close("all")
    """
    table = check_frame(prevalence, ["factor_code", "label", "share"], "plot_prevalence", "factor_prevalence(rs)")
    top = check_top(top)
    check_choice(color_by, ("scie_category", "level"), "color_by")
    if table["factor_code"].duplicated().any():
        raise ParameterError(
            "plot_prevalence draws one row per factor; this table has several (from factor_prevalence(rs, by=...)?). "
            "Select one group first, or draw the groups with plot_spread."
        )
    rows = top_rows(table, top)
    unit = unit_of_prevalence(table)
    tick = style.text_size("tick")
    width = wrap or wrap_width(ax, len(rows), tick, 0.3)
    labels = [
        style.wrap_label(label if not pd.isna(label) else code, width)
        for code, label in zip(rows["factor_code"], rows["label"], strict=True)
    ]
    lines = max((label.count("\n") + 1 for label in labels), default=1)
    ax = axes_for(ax, None, bars_height(len(rows), min(lines, 2), tick, 1.6 + 0.3 * style.text_size("title") / 12))
    unit_word = UNIT_NAMES[unit][1]
    default = f"The contributory factors found in the most {unit_word}"
    n = table["n_total"].dropna().max() if "n_total" in table and len(table) else None
    ax.set_xlabel(
        wrap_to_figure(f"Share of {unit_word} with the factor · {format_n(n, unit, n_label)}", ax, fraction=0.55)
    )
    set_title(ax, title, default)
    if not len(rows):
        hide_frame(ax)
        show_message(ax, "The table has no factor to draw.")
        return finish(ax)
    color_of, name_of, order, legend_title = color_key(color_by)
    keys = rows[color_by].tolist() if color_by in rows else [None] * len(rows)
    colors = [color_of(k) for k in keys]
    horizontal_bars(ax, rows, labels, colors, kwargs=kwargs)
    drawn_keys = [k for k, s in zip(keys, rows["share"], strict=True) if not pd.isna(s)] or keys
    handles = group_patches(drawn_keys, color_of, name_of, order, 22)
    legend_right(ax, handles, legend_title)
    return finish(ax)


# ----------------------------------------------------------------------------------- findings, levels, coverage


def plot_finding_categories(
    categories: pd.DataFrame,
    *,
    wrap: int | None = None,
    n_label: str | None = None,
    title=DEFAULT,
    ax=None,
    **kwargs,
):
    """Findings by SCIE category: the share of reviews with a finding in each, in the fixed colours.

    Categories keep the typology's order (so the chart looks the same in every report), with
    Wilson 95% whiskers and the number of findings beside each bar.

    Parameters
    ----------
    categories : DataFrame
        From :func:`sce_analysis.finding_categories` (without ``by``): ``category``, ``share``,
        ``ci_low``, ``ci_high``, ``n_findings``, ``n_total``.
    wrap, n_label, title, ax
        As in :func:`plot_prevalence`.
    **kwargs
        Passed to :meth:`~matplotlib.axes.Axes.barh`.

    Returns
    -------
    matplotlib Axes
        The bars are ``ax.containers[0]``, one per category with a share.
    """
    table = check_frame(categories, ["category", "share"], "plot_finding_categories", "finding_categories(rs)")
    if table["category"].duplicated().any():
        raise ParameterError(
            "plot_finding_categories draws one row per category; this table has several "
            "(from finding_categories(rs, by=...)?). Select one group first."
        )
    order = {c: i for i, c in enumerate(SCIE_CATEGORIES)}
    rows = table.assign(_o=table["category"].astype("str").map(order).fillna(len(order)))
    rows = rows.sort_values("_o", kind="stable").drop(columns="_o").reset_index(drop=True)
    tick = style.text_size("tick")
    width = wrap or wrap_width(ax, len(rows), tick, 0.25)
    labels = [style.wrap_label(style.category_name(c), width) for c in rows["category"].astype("str")]
    ax = axes_for(ax, None, bars_height(len(rows), 2, tick, 1.8))
    colors = [style.category_color(c) for c in rows["category"].astype("str")]
    horizontal_bars(ax, rows, labels, colors, kwargs=kwargs)
    append_counts(ax, rows, "n_findings", "findings")
    n = table["n_total"].dropna().max() if "n_total" in table else None
    ax.set_xlabel(
        wrap_to_figure(
            f"Share of reviews with at least one finding in the category · {format_n(n, 'review', n_label)}",
            ax,
            fraction=0.6,
        )
    )
    current = ax.get_xlim()[1]
    ax.set_xlim(0, current * 1.15)
    set_title(ax, title, "Findings by SCIE category: where reviews locate the problems")
    return finish(ax)


def plot_level_profile(
    levels: pd.DataFrame,
    *,
    n_label: str | None = None,
    title=DEFAULT,
    ax=None,
    **kwargs,
):
    """Where the coded factors originate: the share of codings at each level of the system.

    Bars in the fixed level colours, national at the top (furthest from the front line), with
    Wilson 95% whiskers and the number of codings beside each bar.

    Parameters
    ----------
    levels : DataFrame
        From :func:`sce_analysis.level_profile` (without ``by``): ``level``, ``share``, ``ci_low``,
        ``ci_high``, ``n_codings``.
    n_label, title, ax
        As in :func:`plot_prevalence`.
    **kwargs
        Passed to :meth:`~matplotlib.axes.Axes.barh`.

    Returns
    -------
    matplotlib Axes
        The bars are ``ax.containers[0]``, one per level with a share.

    Examples
    --------
    >>> import sce_analysis as sce
    >>> ax = plot_level_profile(sce.level_profile(sce.load("data/sample")))
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['National', 'Local strategic', 'Frontline']
    """
    table = check_frame(levels, ["level", "share"], "plot_level_profile", "level_profile(rs)")
    if table["level"].duplicated().any():
        raise ParameterError(
            "plot_level_profile draws one row per level; this table has several (from level_profile(rs, by=...)?). "
            "Select one group first."
        )
    order = {level: i for i, level in enumerate(reversed(LEVELS))}  # national first, at the top
    rows = table.assign(_o=table["level"].astype("str").map(order).fillna(len(order)))
    rows = rows.sort_values("_o", kind="stable").drop(columns="_o").reset_index(drop=True)
    tick = style.text_size("tick")
    names = [style.level_name(level) for level in rows["level"].astype("str")]
    ax = axes_for(ax, None, bars_height(len(rows), 1, tick, 1.8))
    colors = [style.level_color(level) for level in rows["level"].astype("str")]
    horizontal_bars(ax, rows, names, colors, kwargs=kwargs)
    append_counts(ax, rows, "n_codings", "codings")
    total = rows["n_codings"].sum() if "n_codings" in rows and rows["n_codings"].notna().all() else None
    ax.set_xlabel(
        wrap_to_figure(f"Share of all coded factors · {format_n(total, 'coding', n_label)}", ax, fraction=0.6)
    )
    ax.set_xlim(0, ax.get_xlim()[1] * 1.3)
    set_title(ax, title, "Where the factors originate: front line, local strategy or national")
    return finish(ax)


def _count_axis(axis, set_limits, top: float) -> None:
    """Whole-number ticks on a count axis that ends on its last tick, so no tick label hangs outside."""
    ticks = mpl.ticker.MaxNLocator(nbins=6, integer=True).tick_values(0, max(top, 1))
    ticks = ticks[ticks >= 0]
    axis.set_major_locator(mpl.ticker.FixedLocator(ticks))
    set_limits(0, ticks[-1])


def plot_coverage(
    coverage: pd.DataFrame,
    *,
    by: str = "year",
    n_label: str | None = None,
    title=DEFAULT,
    ax=None,
    **kwargs,
):
    """How many reviews each group holds: the base every other chart stands on.

    Parameters
    ----------
    coverage : DataFrame
        From :func:`sce_analysis.coverage` with the same ``by``: ``<by>`` and ``n_reviews``.
    by : str, default "year"
        The group column. Years are drawn in order as vertical bars; other groups as
        horizontal bars, largest first.
    n_label, title, ax
        As in :func:`plot_prevalence`.
    **kwargs
        Passed to :meth:`~matplotlib.axes.Axes.bar` (years) or :meth:`~matplotlib.axes.Axes.barh`.

    Returns
    -------
    matplotlib Axes
        The bars are ``ax.containers[0]``, one per group; suppressed counts are not drawn.

    Examples
    --------
    >>> import sce_analysis as sce
    >>> ax = plot_coverage(sce.coverage(sce.load("data/sample"), by="year"))
    >>> len(ax.containers[0])
    15
    """
    table = check_frame(coverage, [by, "n_reviews"], "plot_coverage", f"coverage(rs, by={by!r})")
    counts = table["n_reviews"].to_numpy(dtype=float)
    drawn = ~np.isnan(counts)
    size = style.text_size("annotation")
    options = {"color": COUNT_COLOR, "zorder": 2, **kwargs}
    if by == "year":
        ax = axes_for(ax, max(6.4, 0.45 * len(table) + 2), None)
        x = table[by].to_numpy()
        ax.bar(x[drawn], counts[drawn], width=0.7, **options)
        for xi, n in zip(x[drawn], counts[drawn], strict=True):
            ax.annotate(f"{int(n):,}", (xi, n), xytext=(0, 3), textcoords="offset points", ha="center",
                        va="bottom", fontsize=size, color=style.INK, gid="value")  # fmt: skip
        for xi in x[~drawn]:
            draw_suppressed(ax, xi - 0.3, 0.0, width=0.6, height=max(np.nanmax(counts, initial=1) * 0.05, 0.5))
        ax.set_xticks(x)
        ax.set_xticklabels([str(v) for v in x], rotation=90 if len(x) > 12 else 0)
        ax.set_ylabel("Reviews")
        ax.set_xlabel(
            wrap_to_figure(f"Year the review was completed · {format_n(np.nansum(counts), 'review', n_label)}", ax)
        )
        _count_axis(ax.yaxis, ax.set_ylim, np.nanmax(counts, initial=1) * 1.15)
    else:
        rows = table.assign(_n=counts).sort_values(["_n", by], ascending=[False, True], na_position="last")
        names = [style.wrap_label(str(v), 24) for v in rows[by]]
        ax = axes_for(ax, None, bars_height(len(rows), 1, style.text_size("tick"), 1.8))
        y = np.arange(len(rows))
        shown = rows["_n"].notna().to_numpy()
        ax.barh(y[shown], rows["_n"].to_numpy()[shown], height=0.68, **options)
        ax.set_yticks(y)
        ax.set_yticklabels(names)
        ax.invert_yaxis()
        for yi, n in zip(y[shown], rows["_n"].to_numpy()[shown], strict=True):
            ax.annotate(f"{int(n):,}", (n, yi), xytext=(4, 0), textcoords="offset points", ha="left",
                        va="center", fontsize=size, color=style.INK, gid="value")  # fmt: skip
        ax.set_xlabel(wrap_to_figure(f"Reviews · {format_n(np.nansum(counts), 'review', n_label)}", ax))
        _count_axis(ax.xaxis, ax.set_xlim, np.nanmax(counts, initial=1) * 1.25)
    for spine in ("top", "right"):
        ax.spines[spine].set_visible(False)
    set_title(ax, title, f"Reviews in scope by {by.replace('_', ' ')}")
    return finish(ax)
