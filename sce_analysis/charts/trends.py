"""Change and difference: shares over the years (:func:`plot_trends`) and one group against the
rest (:func:`plot_group_differences`)."""

from __future__ import annotations

import math

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator, PercentFormatter

from ..checks import check_alpha
from ..errors import ParameterError
from . import style
from .common import (
    DEFAULT,
    UNIT_NAMES,
    axes_for,
    bars_height,
    chars_fitting,
    check_choice,
    check_frame,
    check_top,
    draw_suppressed,
    finish,
    format_n,
    hide_frame,
    keep_inside,
    legend_right,
    percent,
    set_title,
    show_message,
    unit_of_prevalence,
    units_text,
    wrap_to_figure,
    wrap_width,
)

__all__ = ["plot_trends", "plot_group_differences"]


# ----------------------------------------------------------------------------------- trends


def plot_trends(
    trends: pd.DataFrame,
    prevalence_by_year: pd.DataFrame,
    *,
    top: int = 6,
    ncols: int | None = None,
    wrap: int | None = None,
    n_label: str | None = None,
    title=DEFAULT,
    fig=None,
    **kwargs,
):
    """Small multiples of share by year, with Wilson bands, for the factors that rose or fell.

    This is a *figure-level* function (it needs one axes per factor): it draws on ``fig`` (a new
    figure when None) and returns the Figure. Factors are those whose ``direction`` is
    ``"rising"`` or ``"falling"``, in the order of the trends table (by p-value), at most ``top``.
    When none changed, one panel says so.

    Parameters
    ----------
    trends : DataFrame
        From :func:`sce_analysis.factor_trends`: ``factor_code``, ``label``, ``direction``,
        ``odds_ratio_per_year``.
    prevalence_by_year : DataFrame
        From ``factor_prevalence(rs, by="year")``: ``year``, ``factor_code``, ``share``,
        ``ci_low``, ``ci_high``, ``n_total``.
    top : int, default 6
    ncols : int, optional
        Panels per row; by default up to 3.
    wrap, n_label, title
        As in :func:`~sce_analysis.charts.plot_prevalence`; ``title`` is the figure's suptitle.
    fig : matplotlib Figure or SubFigure, optional
    **kwargs
        Passed to :meth:`~matplotlib.axes.Axes.plot` (the lines).

    Returns
    -------
    matplotlib Figure
        One axes per factor drawn (``fig.axes``), each titled with the factor's label.
    """
    trend_table = check_frame(trends, ["factor_code", "label", "direction"], "plot_trends", "factor_trends(rs)")
    by_year = check_frame(
        prevalence_by_year, ["year", "factor_code", "share"], "plot_trends", 'factor_prevalence(rs, by="year")'
    )
    top = check_top(top)
    changing = trend_table[trend_table["direction"].isin(["rising", "falling"])].head(top).reset_index(drop=True)
    k = len(changing)
    ncols = check_top(ncols, "ncols") if ncols is not None else (2 if k == 4 else min(3, max(k, 1)))
    nrows = max(1, math.ceil(k / ncols))
    if fig is None:
        width, height = mpl.rcParams["figure.figsize"]
        height = max(height, 1.2 + 2.6 * nrows * style.text_size("tick") / 9.0 * 0.75) if nrows > 1 else height
        fig = plt.figure(figsize=(width, height), layout="constrained")
    unit = unit_of_prevalence(by_year)
    unit_word = UNIT_NAMES[unit][1]
    n_text = _years_n_text(by_year, unit, n_label)
    default = "Factors that became more or less common over the years"
    heading = default if title is DEFAULT or title is None else str(title)
    size_title = style.text_size("title")
    suptitle = None
    if heading:
        suptitle = fig.suptitle(
            style.wrap_label(heading, chars_fitting(fig.get_figwidth() * 72 * 0.95, size_title * 1.08)),
            x=0.01,
            ha="left",
            fontsize=size_title,
            fontweight="bold",
        )
    if k == 0:
        ax = fig.add_subplot()
        show_message(
            ax, "No factor became clearly more or less common over the years (at the false-discovery rate used)."
        )
        hide_frame(ax)
        ax.set_xlabel(n_text)
        keep_inside(fig, [suptitle, ax.xaxis.label])
        return fig
    axes = fig.subplots(nrows, ncols, sharex=True, sharey=True, squeeze=False)
    tick = style.text_size("tick")
    width = wrap or chars_fitting(fig.get_figwidth() * 72 / ncols * 0.95, tick * 1.05)
    years = np.sort(by_year["year"].dropna().unique())
    for index, (ax, (_, row)) in enumerate(zip(axes.flat, changing.iterrows(), strict=False)):
        data = by_year[by_year["factor_code"] == row["factor_code"]].sort_values("year")
        _draw_trend_panel(ax, data, row, years, width=width, kwargs=kwargs)
        if index // ncols == nrows - 1 or index + ncols >= k:
            ax.set_xlabel(wrap_to_figure(f"Year of the review ({n_text})", ax, fraction=0.9 / ncols))
            ax.tick_params(labelbottom=True)
    for ax in list(axes.flat)[k:]:
        ax.remove()
    ylabel = fig.supylabel(
        f"Share of the year's {unit_word} with the factor (band: 95% interval)",
        fontsize=style.text_size("label"),
    )
    panel_titles = [getattr(ax, "_left_title", None) for ax in fig.axes]
    keep_inside(fig, [suptitle, ylabel, *(ax.xaxis.label for ax in fig.axes), *panel_titles])
    return fig


def _years_n_text(by_year: pd.DataFrame, unit: str, n_label) -> str:
    """ "N = 80 reviews, 3–9 a year" (unsaid when a year's total is suppressed)."""
    totals = by_year.groupby("year")["n_total"].max() if "n_total" in by_year else pd.Series(dtype=float)
    if totals.isna().any():  # a suppressed year (publication mode) leaves the totals unsaid
        totals = pd.Series(dtype=float)
    n_all = totals.sum() if len(totals) else None
    if len(totals) and totals.min() != totals.max():
        per_year = f", {int(totals.min()):,}–{int(totals.max()):,} a year"
    else:
        per_year = f", {int(totals.max()):,} a year" if len(totals) else ""
    return format_n(n_all, unit, n_label) + ("" if n_label is not None else per_year)


def _draw_trend_panel(ax, data: pd.DataFrame, row, years: np.ndarray, *, width: int, kwargs) -> None:
    """One factor's share by year with its Wilson band, titled with its label and its change."""
    tick = style.text_size("tick")
    category = data["scie_category"].iloc[0] if "scie_category" in data and len(data) else None
    colour = style.category_color(category) if category is not None else style.LEVEL_COLORS["national"]
    x = data["year"].to_numpy(dtype=float)
    share = data["share"].to_numpy(dtype=float)
    if {"ci_low", "ci_high"} <= set(data.columns):
        ax.fill_between(
            x,
            data["ci_low"].to_numpy(dtype=float),
            data["ci_high"].to_numpy(dtype=float),
            color=colour,
            alpha=0.22,
            linewidth=0,
            label="_band",
        )
    options = {"color": colour, "marker": "o", "markersize": mpl.rcParams["lines.markersize"] * 0.7, **kwargs}
    ax.plot(x, share, **options)
    for year in x[np.isnan(share)]:
        draw_suppressed(ax, year - 0.3, 0.04, width=0.6, height=0.06)
    odds = row.get("odds_ratio_per_year", np.nan)
    change = f"{row['direction'].capitalize()}"
    if not pd.isna(odds):
        change += f": odds ×{odds:.2f} a year"
    ax.set_title(
        f"{style.wrap_label(row['label'] if not pd.isna(row['label']) else row['factor_code'], width)}\n{change}",
        loc="left",
        fontsize=tick,
        fontweight="normal",
    )
    ax.set_ylim(0, 1)
    ax.yaxis.set_major_locator(FixedLocator([0, 0.5, 1.0]))
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.grid(axis="y", color="#E5E5E5", linewidth=0.8)
    ax.set_axisbelow(True)
    ax.tick_params(labelsize=tick)
    if len(years):
        ax.set_xlim(years.min() - 0.5, years.max() + 0.5)
        span = int(years.max() - years.min())
        step = 5 if span > 8 else 2 if span > 3 else 1
        first = int(math.ceil(years.min() / step) * step)
        ticks = list(range(first, int(years.max()) + 1, step))
        ax.xaxis.set_major_locator(FixedLocator(ticks))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{int(v)}"))


# ----------------------------------------------------------------------------------- groups


def plot_group_differences(
    differences: pd.DataFrame,
    *,
    group,
    top: int = 15,
    alpha: float = 0.05,
    wrap: int | None = None,
    n_label: str | None = None,
    unit: str = "review",
    title=DEFAULT,
    ax=None,
    **kwargs,
):
    """A forest plot of odds ratios with 95% intervals: one group against the rest, factor by factor.

    The ``top`` factors with the smallest p-values are drawn, each labelled with its share in the
    group and in the rest. Clear differences (``q_value < alpha``) are filled black; the others
    are hollow grey. The x axis is logarithmic, with a line at 1 (no difference).

    Parameters
    ----------
    differences : DataFrame
        From :func:`sce_analysis.compare_groups`: ``factor_code``, ``label``, ``group``,
        ``n_group``, ``share_in``, ``share_out``, ``odds_ratio``, ``ci_low``, ``ci_high``,
        ``p_value``, ``q_value``.
    group : str
        The group to draw (a value of the table's ``group`` column).
    top : int, default 15
    alpha : float, default 0.05
    unit : {"review", "episode"}
        What ``compare_groups`` counted, for the N text.
    wrap, n_label, title, ax
        As in :func:`~sce_analysis.charts.plot_prevalence`.
    **kwargs
        Passed to :meth:`~matplotlib.axes.Axes.scatter` (the points).

    Returns
    -------
    matplotlib Axes
        Points are ``ax.collections``: the clear differences (``gid="clear"``) and the others
        (``gid="unclear"``); together one point per factor drawn.
    """
    columns = ["factor_code", "label", "group", "odds_ratio", "ci_low", "ci_high", "p_value", "q_value"]
    table = check_frame(differences, columns, "plot_group_differences", "compare_groups(rs, by=...)")
    top = check_top(top)
    alpha = check_alpha(alpha)
    check_choice(unit, tuple(UNIT_NAMES), "unit")
    groups = table["group"].astype("str").unique().tolist()
    if str(group) not in groups:
        raise ParameterError(f"group {group!r} is not in the table; its groups are {', '.join(groups)}.")
    rows = table[(table["group"].astype("str") == str(group)) & table["p_value"].notna()]
    rows = rows.sort_values(["p_value", "factor_code"], kind="stable").head(top).reset_index(drop=True)
    k = len(rows)
    tick = style.text_size("tick")
    width = wrap or wrap_width(ax, k, tick, 0.32, lines=3, wide=0.5)
    labels = []
    for _, row in rows.iterrows():
        label = row["label"] if not pd.isna(row["label"]) else row["factor_code"]
        shares = ""
        if {"share_in", "share_out"} <= set(rows.columns):
            shares = f"\n{percent(row['share_in']) or 'c'} here vs {percent(row['share_out']) or 'c'} elsewhere"
        labels.append(style.wrap_label(label, width) + shares)
    lines = max((t.count("\n") + 1 for t in labels), default=2)
    ax = axes_for(ax, None, bars_height(max(k, 3), min(lines, 3), tick, 1.9))
    n_text = _groups_n_text(rows, group, unit, n_label)
    ax.set_xlabel(wrap_to_figure(f"Odds ratio, {group} against the rest (log scale) · {n_text}", ax, fraction=0.55))
    set_title(ax, title, f"What is different in {group}?")
    if k == 0:
        show_message(ax, f"No factor could be compared between {group} and the rest.")
        return finish(ax)
    y = np.arange(k)
    odds = rows["odds_ratio"].to_numpy(dtype=float)
    low = rows["ci_low"].to_numpy(dtype=float)
    high = rows["ci_high"].to_numpy(dtype=float)
    clear = (rows["q_value"] < alpha).to_numpy()
    line = mpl.rcParams["lines.linewidth"]
    ax.hlines(y, low, high, color=np.where(clear, style.INK, "#9A9A9A").tolist(), linewidth=line, zorder=2)
    marker = (mpl.rcParams["lines.markersize"] * 1.6) ** 2
    options = {"s": marker, "zorder": 3}
    ax.scatter(odds[clear], y[clear], **{**options, "color": style.INK, **kwargs}, gid="clear")
    ax.scatter(
        odds[~clear],
        y[~clear],
        **{**options, "facecolors": "white", "edgecolors": "#7A7A7A", "linewidths": line * 0.7, **kwargs},
        gid="unclear",
    )
    ax.axvline(1.0, color=style.INK, linewidth=line * 0.6, linestyle="--", zorder=1)
    _log_odds_axis(ax, low, high)
    ax.set_yticks(y, labels=labels)
    ax.set_ylim(k - 0.5, -0.9)
    ax.tick_params(axis="y", length=0)
    ax.grid(axis="x", color="#E5E5E5", linewidth=0.8)
    ax.set_axisbelow(True)
    size = style.text_size("annotation")
    ax.annotate("more common here →", (1.0, -0.75), xytext=(6, 0), textcoords="offset points", ha="left",
                va="center", fontsize=size, color=style.MUTED, gid="direction")  # fmt: skip
    ax.annotate("← less common here", (1.0, -0.75), xytext=(-6, 0), textcoords="offset points", ha="right",
                va="center", fontsize=size, color=style.MUTED, gid="direction")  # fmt: skip
    handles = [
        Line2D([], [], marker="o", linestyle="", color=style.INK, markersize=8,
               label=f"Clear difference\n(q < {alpha:g})"),
        Line2D([], [], marker="o", linestyle="", markerfacecolor="white", markeredgecolor="#7A7A7A", markersize=8,
               label="No clear\ndifference"),
        Line2D([], [], color="#7A7A7A", linewidth=mpl.rcParams["lines.linewidth"], label="95% interval"),
    ]  # fmt: skip
    legend_right(ax, handles, None)
    return finish(ax)


def _groups_n_text(rows: pd.DataFrame, group, unit: str, n_label) -> str:
    """ "N = 80 reviews: 12 in London, 68 elsewhere" (the rest estimated from its counts and shares)."""
    k = len(rows)
    n_in = rows["n_group"].dropna().max() if "n_group" in rows and k else None
    n_rest = None
    if k and {"n_out", "share_out"} <= set(rows.columns):
        usable = rows[(rows["share_out"] > 0) & rows["n_out"].notna()]
        if len(usable):
            n_rest = int(round(float((usable["n_out"] / usable["share_out"]).median())))
    if n_label is not None:
        return str(n_label)
    if n_in is not None and not pd.isna(n_in):
        if n_rest:
            return f"N = {units_text(n_in + n_rest, unit)}: {int(n_in):,} in {group}, {n_rest:,} elsewhere"
        return f"N = {units_text(n_in, unit)} in {group}"
    return ""


def _log_odds_axis(ax, low: np.ndarray, high: np.ndarray) -> None:
    """A log odds-ratio axis symmetric about 1 around every interval, ticked at decades (and 0.2, 0.5, 2, 5
    when it spans few decades)."""
    ax.set_xscale("log")
    finite = np.concatenate([low[np.isfinite(low) & (low > 0)], high[np.isfinite(high)], [0.5, 2.0]])
    lo, hi = float(finite.min()), float(finite.max())
    span = max(hi / 1.0, 1.0 / lo)
    ax.set_xlim(min(lo, 1 / span) / 1.3, max(hi, span) * 1.3)
    lo_lim, hi_lim = ax.get_xlim()
    decades = [10.0**e for e in range(-4, 5) if lo_lim <= 10.0**e <= hi_lim]
    halves = [v for v in (0.2, 0.5, 2.0, 5.0) if lo_lim <= v <= hi_lim]
    ticks = sorted({*decades, *halves}) if len(decades) <= 3 else decades
    ax.xaxis.set_major_locator(FixedLocator(ticks))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:g}"))
