"""Charts of cross-review patterns, drawn from the tables the library returns.

The API follows seaborn. Each ``plot_*`` function takes a table (or network) first, then
keyword-only options, draws on ``ax`` and returns the Axes; ``**kwargs`` go to the main artist
(the bars, the heatmap image, the points or the nodes). Nothing is saved or shown inside: save
with :func:`save_figure`. One function is *figure-level*, because it draws small multiples:
:func:`plot_trends` takes ``fig=None`` and returns the Figure.

With ``ax=None`` a function draws on a new figure sized for its content (where seaborn would
draw on ``plt.gca()``): a chart of fifteen wrapped factor labels needs more height than the
default figure, and sizing it here is what keeps labels from overlapping. Pass ``ax`` to place a
chart in your own layout.

Every chart has a title (``title=`` replaces it; ``title=""`` leaves it out, as the slide deck
does), axis labels that say what N it stands on (``n_label=`` replaces the N text), plain-language
factor labels wrapped and never cut, and the fixed colours of :mod:`sce_analysis.charts.style`. Draw
inside ``with sce.style.context("talk"):`` for slides.

Suppressed values (publication mode) arrive as NaN counts or shares. They are drawn as a hatched
empty marker labelled "c", never as a bar or a coloured cell.

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> import matplotlib.pyplot as plt
>>> import sce_analysis as sce
>>> from sce_analysis import charts
>>> rs = sce.load("data/sample")
>>> with sce.style.context("talk"):
...     ax = charts.plot_prevalence(sce.factor_prevalence(rs), top=5)
>>> len(ax.containers[0]), ax.get_yticklabels()[0].get_text().replace("\\n", " ")
(5, 'Information not shared between agencies')
>>> png, svg = charts.save_figure(ax.figure, tempfile.mkdtemp() + "/prevalence")  # doctest: +SKIP
>>> plt.close("all")
"""

from __future__ import annotations

import contextlib
import contextvars
import math
from collections.abc import Mapping
from pathlib import Path

import matplotlib as mpl
import matplotlib.pyplot as plt
import networkx as nx
import numpy as np
import pandas as pd
from matplotlib import colors as mcolors
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch, Patch, Rectangle
from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator, PercentFormatter

from ..checks import check_alpha, check_whole
from ..errors import ParameterError
from ..reviewsets.contract import LEVELS, SCIE_CATEGORIES
from . import style

__all__ = [
    "plot_prevalence",
    "plot_spread",
    "plot_cooccurrence",
    "plot_factor_network",
    "plot_level_map",
    "plot_sequences",
    "plot_trends",
    "plot_group_differences",
    "plot_finding_categories",
    "plot_level_profile",
    "plot_coverage",
    "save_figure",
    "draft",
]

#: Set inside :func:`draft`: skip the passes that re-wrap overlong titles and labels.
_DRAFT = contextvars.ContextVar("sce_analysis_draft_charts", default=False)


@contextlib.contextmanager
def draft():
    """Draw charts quickly, for interactive use: within this block, charts skip the extra layout
    passes that re-wrap a title or axis label running off the figure, and new figures get 72 dpi.

    A chart drawn in draft mode shows the same data, marks and labels; only a very long title
    may be cut at the figure's edge. The explorer draws in draft mode so that an update stays
    well under a second on a national set. Publication figures are never drafts.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import sce_analysis as sce
    >>> with draft():
    ...     ax = plot_finding_categories(sce.finding_categories(sce.load("data/sample")))
    >>> ax.get_figure().dpi
    72.0
    >>> plt.close("all")
    """
    token = _DRAFT.set(True)
    try:
        with mpl.rc_context({"figure.dpi": 72}):
            yield
    finally:
        _DRAFT.reset(token)


#: Marks a default title, so ``title=None`` can still mean "the default".
_DEFAULT = object()
_UNIT_NAMES = {
    "review": ("review", "reviews"),
    "episode": ("key practice episode", "key practice episodes"),
    "coding": ("coded factor", "coded factors"),
}
#: One neutral colour for counts that belong to no category or level (coverage).
COUNT_COLOR = "#5B7FA6"
#: Rough width of a character, as a share of the font size, to turn widths in points into characters.
_CHAR = 0.56


# ----------------------------------------------------------------------------------- helpers


def _check_frame(data, columns, function: str, source: str) -> pd.DataFrame:
    if not isinstance(data, pd.DataFrame):
        raise ParameterError(f"{function} draws a DataFrame from {source}, not {type(data).__name__}.")
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise ParameterError(
            f"{function} needs the columns {', '.join(missing)}, which {source} returns; "
            f"the table given has {', '.join(map(str, data.columns))}."
        )
    return data


def _check_top(top, name: str = "top") -> int:
    return check_whole(top, name, 1)


def _choice(value, allowed, name: str):
    if value not in allowed:
        raise ParameterError(f"{name} must be one of {', '.join(map(str, allowed))}; not {value!r}.")
    return value


def _units(n, unit: str) -> str:
    singular, plural = _UNIT_NAMES.get(unit, (unit, f"{unit}s"))
    n = int(n)
    return f"{n:,}\u00a0{singular if n == 1 else plural}"


def _n_text(n, unit: str, n_label) -> str:
    """ "N = 80 reviews", with no-break spaces so that wrapping never splits "N = 80"."""
    if n_label is not None:
        return str(n_label)
    return f"N\u00a0=\u00a0{_units(n, unit)}" if n is not None and not pd.isna(n) else ""


def _figure_for(ax, width: float | None, height: float | None):
    """The axes to draw on: ``ax``, or one new figure (constrained layout) sized for the content."""
    if ax is not None:
        return ax
    default_w, default_h = mpl.rcParams["figure.figsize"]
    fig = plt.figure(figsize=(width or default_w, height or default_h), layout="constrained")
    return fig.add_subplot()


def _fig_width_pt(ax) -> float:
    return ax.get_figure(root=True).get_figwidth() * 72.0


def _chars(width_pt: float, size: float) -> int:
    """How many characters of ``size`` points fit in ``width_pt`` points (at least 12)."""
    return max(12, int(width_pt / (_CHAR * size)))


def _wrap_width(
    ax, rows: int, size: float, fraction: float, *, lines: float = 2.0, usable: float = 0.72, wide: float = 0.45
) -> int:
    """Characters per label line for ``rows`` labelled rows.

    On a new figure (``ax`` None) the figure grows to fit two-line labels, so labels wrap at
    ``fraction`` of its width. On a given axes of fixed height, when two lines per row would not
    fit, labels may take up to 45% of the width, so that most fit on one line.
    """
    if ax is None:
        return _chars(mpl.rcParams["figure.figsize"][0] * 72 * fraction, size)
    fig = ax.get_figure(root=True)
    per_row = fig.get_figheight() * 72 * usable / max(rows, 1)
    if per_row < lines * 1.4 * size:
        fraction = max(fraction, wide)
    return _chars(fig.get_figwidth() * 72 * fraction, size)


def _line_height_in(size: float) -> float:
    return size * 1.25 / 72.0


def _title(ax, title, default: str, *, fraction: float = 0.9):
    """Set a left-aligned bold title, wrapped to the figure's width; "" leaves it out."""
    text = default if title is _DEFAULT or title is None else str(title)
    if not text:
        return ax.set_title("")
    size = style.text_size("title")
    width = _chars(_fig_width_pt(ax) * fraction, size * 1.08)
    return ax.set_title(style.wrap_label(text, width), loc="left", fontsize=size, fontweight="bold", pad=10)


def _label(text: str, ax, *, fraction: float = 0.85, role: str = "label") -> str:
    return style.wrap_label(text, _chars(_fig_width_pt(ax) * fraction, style.text_size(role)))


def _renderer(fig):
    canvas = fig.canvas
    if hasattr(canvas, "get_renderer"):
        return canvas.get_renderer()
    from matplotlib.backends.backend_agg import RendererAgg  # pragma: no cover - non-Agg canvases

    return RendererAgg(int(fig.bbox.width), int(fig.bbox.height), fig.dpi)  # pragma: no cover


def _axes_size_pt(ax) -> tuple[float, float]:
    """Width and height of the axes in points once the figure's layout has run (in a draft, before it has)."""
    fig = ax.get_figure(root=True)
    if not _DRAFT.get():
        fig.draw_without_rendering()
    box = ax.get_position()
    width, height = fig.get_size_inches()
    return box.width * width * 72, box.height * height * 72


def _text_size_pt(text, renderer, dpi: float) -> tuple[float, float]:
    box = text.get_window_extent(renderer)
    return box.width * 72 / dpi, box.height * 72 / dpi


def _keep_inside(fig, texts) -> None:
    """Re-wrap texts that stick out of the figure (long titles and axis labels) until they fit.

    Constrained layout makes room for the height of an axes' title and x label but not for
    their width, so a long one can run off the figure. This draws the figure once (without
    rendering), measures each text, and wraps it to the width it has.
    """
    texts = [t for t in texts if t is not None and t.get_visible() and t.get_text()]
    if not texts or _DRAFT.get():
        return
    fig.draw_without_rendering()
    renderer = _renderer(fig)
    frame = fig.bbox
    for text in texts:
        for _ in range(4):
            box = text.get_window_extent(renderer)
            if (
                box.x0 >= frame.x0 - 0.5
                and box.x1 <= frame.x1 + 0.5
                and box.y0 >= frame.y0 - 0.5
                and box.y1 <= frame.y1 + 0.5
            ):
                break
            lines = text.get_text().split("\n")
            flat = " ".join(line.strip() for line in lines)
            longest = max(len(line) for line in lines)
            if text.get_rotation() % 180 == 90:
                extent, allowed = box.height, frame.height * 0.92
            else:
                ha = text.get_horizontalalignment()
                if ha == "left":
                    allowed = frame.x1 - box.x0 - 6
                elif ha == "right":
                    allowed = box.x1 - frame.x0 - 6
                else:
                    centre = (box.x0 + box.x1) / 2
                    allowed = 2 * min(centre - frame.x0, frame.x1 - centre) - 12
                extent = box.width
            chars = max(8, int(allowed / max(extent / max(longest, 1), 1e-9)))
            if chars >= longest:
                chars = longest - 1
            text.set_text(style.wrap_label(flat, chars))
            fig.draw_without_rendering()


def _finish(ax, *extra):
    """Last step of every axes-level chart: keep its title, x label (and ``extra`` texts) inside the figure."""
    titles = [ax.title, getattr(ax, "_left_title", None)]  # charts title on the left
    _keep_inside(ax.get_figure(root=True), [*titles, ax.xaxis.label, *extra])
    return ax


def _suppressed(ax, x, y, *, width, height, label_x=None, ha="left", transform=None):
    """A hatched empty marker with a "c" beside it: a value suppressed in publication mode."""
    transform = transform or ax.transData
    box = Rectangle(
        (x, y - height / 2),
        width,
        height,
        fill=False,
        hatch=style.SUPPRESSED_HATCH,
        edgecolor=style.MUTED,
        linewidth=0.8,
        transform=transform,
        gid="suppressed",
        label="_suppressed",
    )
    ax.add_patch(box)
    ax.text(
        x + width if label_x is None else label_x,
        y,
        f" {style.SUPPRESSED_MARK}",
        ha=ha,
        va="center",
        fontsize=style.text_size("annotation"),
        color=style.MUTED,
        fontstyle="italic",
        transform=transform,
        gid="suppressed",
    )
    return box


def _percent(value) -> str:
    return "" if pd.isna(value) else f"{100 * value:.0f}%"


def _color_key(color_by: str):
    if color_by == "level":
        return style.level_color, style.level_name, list(LEVELS), "Level"
    return style.category_color, style.category_name, list(SCIE_CATEGORIES), "SCIE category"


def _legend_right(ax, handles, title: str | None = None, **options):
    if "title" in options:
        title = options.pop("title")
    """A legend outside the axes on the right (constrained layout makes room for it)."""
    if not handles:
        return None
    legend = ax.legend(
        handles=handles,
        loc=options.pop("loc", "upper left"),
        bbox_to_anchor=options.pop("bbox_to_anchor", (1.02, 1.0)),
        borderaxespad=0.0,
        title=title,
        alignment="left",
        fontsize=style.text_size("legend"),
        title_fontsize=style.text_size("legend"),
        **options,
    )
    return legend


def _group_patches(keys, color_of, name_of, order, width: int) -> list[Patch]:
    present = set(keys)
    ordered = [k for k in order if k in present]
    if any(style._is_missing(k) or k not in order for k in present):
        ordered.append(None)
    return [Patch(facecolor=color_of(k), edgecolor="none", label=style.wrap_label(name_of(k), width)) for k in ordered]


def _top_rows(data: pd.DataFrame, top: int, by: str = "share") -> pd.DataFrame:
    """The ``top`` rows with the largest ``by`` (missing values last), ties in table order."""
    order = data.assign(_missing=data[by].isna(), _position=np.arange(len(data)))
    order = order.sort_values(["_missing", by, "_position"], ascending=[True, False, True], kind="stable")
    return order.head(top).drop(columns=["_missing", "_position"]).reset_index(drop=True)


def _unit_of_prevalence(table: pd.DataFrame) -> str:
    if {"n_units", "n_reviews"} <= set(table.columns):
        both = table[["n_units", "n_reviews"]].dropna()
        if len(both) and not (both["n_units"] == both["n_reviews"]).all():
            return "episode"
    return "review"


def _bars_height(rows: int, lines: float, size: float, overhead: float) -> float:
    """Height in inches of a figure of ``rows`` labelled rows of ``lines`` text lines each."""
    return max(3.0, overhead + rows * max(0.28, lines * _line_height_in(size) + 0.1))


def _text_color_on(rgba) -> str:
    r, g, b = mcolors.to_rgb(rgba)
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return "white" if luminance < 0.5 else style.INK


def _hide_frame(ax, *, keep_xlabel: bool = True):
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.xaxis.set_major_locator(NullLocator())
    ax.yaxis.set_major_locator(NullLocator())
    if not keep_xlabel:
        ax.set_xlabel("")


def _message(ax, text: str):
    """A centred message on an empty chart (nothing to draw)."""
    size = style.text_size("label")
    ax.text(
        0.5,
        0.5,
        _label(text, ax, fraction=0.6),
        ha="center",
        va="center",
        fontsize=size,
        color=style.MUTED,
        transform=ax.transAxes,
        gid="message",
    )
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)


# ----------------------------------------------------------------------------------- prevalence


def _horizontal_bars(
    ax, rows: pd.DataFrame, labels: list[str], colors: list[str], *, share_max: float, kwargs: dict
) -> None:
    """Bars of ``share`` with Wilson whiskers and percent labels; NaN shares as suppressed markers."""
    k = len(rows)
    y = np.arange(k)
    share = rows["share"].to_numpy(dtype=float)
    drawn = ~np.isnan(share)
    options = {"height": 0.68, "edgecolor": "none", "zorder": 2, **kwargs}
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
            _percent(share[i]),
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
        _suppressed(ax, 0.0, y[i], width=share_max * 0.06, height=0.6)
    ax.set_yticks(y, labels=labels)
    ax.set_ylim(k - 0.5, -0.5)  # first row at the top
    top = min(1.0, share_max) if share_max > 0 else 1.0
    step = 0.2 if top > 0.5 else 0.1 if top > 0.2 else 0.05
    last = min(1.0, math.ceil(top / step - 1e-9) * step)
    ticks = list(np.round(np.arange(0, last + step / 2, step), 4))
    ax.set_xlim(0, max(last, top * 1.16 + 0.02))
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
    title=_DEFAULT,
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
    table = _check_frame(prevalence, ["factor_code", "label", "share"], "plot_prevalence", "factor_prevalence(rs)")
    top = _check_top(top)
    _choice(color_by, ("scie_category", "level"), "color_by")
    if table["factor_code"].duplicated().any():
        raise ParameterError(
            "plot_prevalence draws one row per factor; this table has several (from factor_prevalence(rs, by=...)?). "
            "Select one group first, or draw the groups with plot_spread."
        )
    rows = _top_rows(table, top)
    unit = _unit_of_prevalence(table)
    tick = style.text_size("tick")
    width = wrap or _wrap_width(ax, len(rows), tick, 0.3)
    labels = [
        style.wrap_label(label if not pd.isna(label) else code, width)
        for code, label in zip(rows["factor_code"], rows["label"], strict=True)
    ]
    lines = max((label.count("\n") + 1 for label in labels), default=1)
    ax = _figure_for(ax, None, _bars_height(len(rows), min(lines, 2), tick, 1.6 + 0.3 * style.text_size("title") / 12))
    unit_word = _UNIT_NAMES[unit][1]
    default = f"The contributory factors found in the most {unit_word}"
    n = table["n_total"].dropna().max() if "n_total" in table and len(table) else None
    ax.set_xlabel(_label(f"Share of {unit_word} with the factor · {_n_text(n, unit, n_label)}", ax, fraction=0.55))
    _title(ax, title, default)
    if not len(rows):
        _hide_frame(ax)
        _message(ax, "The table has no factor to draw.")
        return _finish(ax)
    color_of, name_of, order, legend_title = _color_key(color_by)
    keys = rows[color_by].tolist() if color_by in rows else [None] * len(rows)
    colors = [color_of(k) for k in keys]
    share_max = (
        float(np.nanmax(rows[["share", "ci_high"]].to_numpy(dtype=float))) if rows["share"].notna().any() else 1.0
    )
    _horizontal_bars(ax, rows, labels, colors, share_max=share_max, kwargs=kwargs)
    drawn_keys = [k for k, s in zip(keys, rows["share"], strict=True) if not pd.isna(s)] or keys
    handles = _group_patches(drawn_keys, color_of, name_of, order, 22)
    _legend_right(ax, handles, legend_title)
    return _finish(ax)


# ----------------------------------------------------------------------------------- spread


def plot_spread(
    prevalence_by_group: pd.DataFrame,
    *,
    by: str = "region",
    top: int = 20,
    vmax: float | None = None,
    wrap: int | None = None,
    n_label: str | None = None,
    title=_DEFAULT,
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
        As in :func:`plot_prevalence`.
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
    table = _check_frame(prevalence_by_group, columns, "plot_spread", f"factor_prevalence(rs, by={by!r})")
    # Published tables hold suppressed counts as missing values of a nullable integer type.
    table = table.astype({c: "float64" for c in ("n_units", "n_total", "share") if c in table})
    top = _check_top(top)
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
    chosen = _top_rows(counts.reset_index(), top, by="highest")
    ranked = _top_rows(chosen, len(chosen))
    codes = ranked["factor_code"].tolist()
    values = np.column_stack([ranked["share"].to_numpy(dtype=float), matrix.reindex(index=codes).to_numpy(dtype=float)])
    unit = _unit_of_prevalence(table)
    tick = style.text_size("tick")
    width = wrap or _wrap_width(ax, min(top, counts.shape[0]), tick, 0.28, usable=0.6, wide=0.32)
    row_labels = [style.wrap_label(labels_of.get(c, c) if not pd.isna(labels_of.get(c)) else c, width) for c in codes]
    lines = max((label.count("\n") + 1 for label in row_labels), default=1)
    ax = _figure_for(ax, None, _bars_height(len(codes), min(lines, 2), tick, 2.6))
    by_name = by.replace("_", " ")
    if not codes:
        _hide_frame(ax)
        _message(ax, "The table has no factor to draw.")
        ax.set_xlabel(_n_text(n_all, unit, n_label))
        _title(ax, title, f"Found everywhere or only in some places? Factors by {by_name}")
        return _finish(ax)
    shown = np.ma.masked_invalid(values)
    top_share = np.nanmax(values) if np.isfinite(values).any() else 1.0
    vmax = vmax if vmax is not None else min(1.0, max(0.1, math.ceil(top_share * 10 - 1e-9) / 10))
    options = {"cmap": "Blues", "vmin": 0.0, "vmax": vmax, "aspect": "auto", "interpolation": "nearest", **kwargs}
    image = ax.imshow(shown, **options)
    cmap, norm = image.get_cmap(), image.norm
    size = style.text_size("annotation")
    for (i, j), value in np.ndenumerate(values):
        if np.isnan(value):
            _suppressed(ax, j - 0.3, i, width=0.6, height=0.6, label_x=j + 0.3)
            continue
        ax.text(
            j,
            i,
            f"{100 * value:.0f}",
            ha="center",
            va="center",
            fontsize=size,
            color=_text_color_on(cmap(norm(value))),
            fontweight="bold" if j == 0 else "normal",
            gid="value",
        )
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
    unit_word = _UNIT_NAMES[unit][1]
    ax.set_xlabel(f"% of the {by_name}'s {unit_word} with the factor · {_n_text(n_all, unit, n_label)}")
    _fit_column_labels(ax, names, counts_text, tick)
    _title(ax, title, f"Found everywhere or only in some places? Factors by {by_name}")
    return _finish(ax)


def _fit_column_labels(ax, names, counts_text, size: float) -> None:
    """Wrap the column headers of a heatmap to the width of a column, measured after layout;
    turn them upright (one line each) when even single words do not fit."""
    fig = ax.get_figure(root=True)
    width_pt, _ = _axes_size_pt(ax)
    column_pt = width_pt / max(len(names), 1) * 0.92
    renderer = _renderer(fig)
    probe = ax.text(0, 0, "", fontsize=size)

    def width_of(text):
        probe.set_text(text)
        return _text_size_pt(probe, renderer, fig.dpi)[0]

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


def _theme_members(themes) -> dict[str, int]:
    if themes is None:
        return {}
    if isinstance(themes, Mapping):
        return {str(k): int(v) for k, v in themes.items() if not pd.isna(v)}
    table = _check_frame(themes, ["factor_code", "theme"], "themes=", "systemic_themes(rs)")
    table = table.dropna(subset=["theme"])
    return dict(zip(table["factor_code"].astype(str), table["theme"].astype(int), strict=True))


def plot_cooccurrence(
    pairs: pd.DataFrame,
    *,
    themes=None,
    value: str = "lift",
    top: int = 20,
    labels: Mapping[str, str] | None = None,
    alpha: float = 0.05,
    unit: str = "episode",
    wrap: int | None = None,
    n_label: str | None = None,
    title=_DEFAULT,
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
    labels : dict, optional
        Factor code -> label; by default the themes' labels, else the codes.
    alpha : float, default 0.05
        Counts of pairs with ``q_value < alpha`` are printed in bold.
    unit : {"episode", "review"}
        What the pair table counted (``factor_pairs``'s ``unit``), for the N text.
    wrap, n_label, title, ax
        As in :func:`plot_prevalence`.
    **kwargs
        Passed to :meth:`~matplotlib.axes.Axes.imshow`.

    Returns
    -------
    matplotlib Axes
        Rows are labelled "1  label", columns by the same numbers.
    """
    _choice(value, tuple(_VALUE_NAMES), "value")
    _choice(unit, tuple(_UNIT_NAMES), "unit")
    table = _check_frame(
        pairs, ["factor_a", "factor_b", "n_ab", "n_a", "n_b", value], "plot_cooccurrence", "factor_pairs(rs)"
    )
    top = _check_top(top)
    alpha = check_alpha(alpha)
    counts = pd.concat(
        [
            table[["factor_a", "n_a"]].set_axis(["code", "n"], axis=1),
            table[["factor_b", "n_b"]].set_axis(["code", "n"], axis=1),
        ]
    )
    counts = counts.groupby("code", sort=False)["n"].max()
    theme_of = {code: t for code, t in _theme_members(themes).items() if code in counts.index}
    if theme_of:
        # Whole themes only, as many as ``top`` allows (at least the first, cut to ``top``).
        ordered = sorted(theme_of, key=lambda c: (theme_of[c], -np.nan_to_num(counts.get(c, 0)), c))
        sizes = pd.Series([theme_of[c] for c in ordered]).value_counts(sort=False)
        kept, total = set(), 0
        for theme, size in sizes.items():
            if kept and total + size > top:
                break
            kept.add(theme)
            total += size
        codes = [c for c in ordered if theme_of[c] in kept][:top]
    else:
        codes = counts.sort_values(ascending=False, kind="stable").index[:top].tolist()
    names = dict(labels or {})
    if not names and isinstance(themes, pd.DataFrame) and "label" in themes.columns:
        names = dict(zip(themes["factor_code"].astype(str), themes["label"], strict=True))
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
    tick = style.text_size("tick")
    fig_width = ax.get_figure(root=True).get_figwidth() if ax is not None else mpl.rcParams["figure.figsize"][0]
    width = wrap or _wrap_width(ax, len(codes), tick, 0.3, usable=0.5)
    row_labels = [
        style.wrap_label(f"{i + 1}  {names.get(c, c) if not pd.isna(names.get(c, c)) else c}", width)
        for i, c in enumerate(codes)
    ]
    ax = _figure_for(ax, None, _bars_height(k, 1.6, tick, 3.0))
    if k == 0:
        _message(ax, "No pair of factors passed the minimum count: nothing to draw.")
        _title(ax, title, "Which factors go together")
        ax.set_xlabel(_n_text(None, unit, n_label))
        return _finish(ax)
    norm, cmap = _pair_norm(value, grid)
    off_diagonal = np.ma.masked_invalid(np.where(np.eye(k, dtype=bool), np.nan, grid))
    options = {"cmap": cmap, "norm": norm, "aspect": "auto", "interpolation": "nearest", **kwargs}
    image = ax.imshow(off_diagonal, **options)
    for i in range(k):
        ax.add_patch(Rectangle((i - 0.5, i - 0.5), 1, 1, facecolor="#EEEEEE", edgecolor="none", zorder=1))
    size = style.text_size("annotation")
    cell_pt = (fig_width * 72 * 0.55) / max(k, 1)
    show_counts = cell_pt >= size * 1.5
    cmap_obj = image.get_cmap()
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
                    _suppressed(ax, j - 0.3, i, width=0.6, height=0.6, label_x=j + 0.3)
                continue
            if not show_counts:
                continue
            significant = not np.isnan(q_grid[i, j]) and q_grid[i, j] < alpha
            cell = grid[i, j]
            background = cmap_obj(norm(cell)) if np.isfinite(cell) else (1, 1, 1, 1)
            ax.text(
                j,
                i,
                f"{int(n_ab)}",
                ha="center",
                va="center",
                fontsize=size,
                fontweight="bold" if significant else "normal",
                color=_text_color_on(background),
                gid="value",
            )
    blocks: dict[int, list[int]] = {}
    for i, c in enumerate(codes):
        if c in theme_of:
            blocks.setdefault(theme_of[c], []).append(i)
    line = mpl.rcParams["lines.linewidth"]
    for theme, members in blocks.items():
        first, last = min(members), max(members)
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
        # A bar in the theme's colour (the network's colours) beside the block, named.
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
    ax.set_yticks(np.arange(k), labels=row_labels)
    ax.set_xticks(np.arange(k), labels=[str(i + 1) for i in range(k)])
    ax.xaxis.tick_top()
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    n = table["n_units"].dropna().max() if "n_units" in table and len(table) else None
    short = "episodes" if unit == "episode" else "reviews"
    ax.set_xlabel(
        _label(
            f"Numbers: {short} with both (bold: more than chance, q < {alpha:g}); "
            f"grey diagonal: {short} with the factor · {_n_text(n, unit, n_label)}",
            ax,
            fraction=0.6,
        )
    )
    cbar = ax.get_figure(root=True).colorbar(image, ax=ax, location="right", shrink=0.7, aspect=25, pad=0.02)
    if value in ("lift", "odds_ratio"):
        high = norm.vmax
        step = 1 if high <= 5 else 2 if high <= 12 else 5 if high <= 30 else 10
        upper = [v for v in range(max(step, 2), int(high) + 1, step) if norm(v) - norm(1) > 0.12]
        cbar.set_ticks([0, 1, *upper])
    fig_height_pt = ax.get_figure(root=True).get_figheight() * 72
    cbar.set_label(
        style.wrap_label(_VALUE_NAMES[value], _chars(fig_height_pt * 0.5, style.text_size("label"))),
        fontsize=style.text_size("label"),
    )
    cbar.ax.tick_params(labelsize=tick)
    _title(ax, title, f"Which factors go together in the same {_UNIT_NAMES[unit][0]}")
    return _finish(ax, cbar.ax.yaxis.label)


# ----------------------------------------------------------------------------------- networks


def _graph_themes(G, themes, seed: int) -> dict[str, int]:
    if themes is not None:
        return _theme_members(themes)
    from ..stats.networks import louvain_themes

    return louvain_themes(G, seed=seed)


def _overlap(a, b, pad: float = 2.0) -> bool:
    return a[0] < b[2] + pad and b[0] < a[2] + pad and a[1] < b[3] + pad and b[1] < a[3] + pad


def _label_box(anchor, size, ha: str, va: str):
    x, y = anchor
    w, h = size
    x0 = x if ha == "left" else x - w if ha == "right" else x - w / 2
    y0 = y if va == "bottom" else y - h if va == "top" else y - h / 2
    return (x0, y0, x0 + w, y0 + h)


def _unit_positions(G, nodes: list, seed: int) -> tuple[list, np.ndarray]:
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


def _side(direction) -> tuple[str, str]:
    ux, uy = direction
    ha = "left" if ux > 0.38 else "right" if ux < -0.38 else "center"
    va = "bottom" if uy > 0.38 else "top" if uy < -0.38 else "center"
    return ha, va


def _place_component(order, unit, radii, label_sizes, gap: float):
    """Scale a component's unit layout (in points) until no label or circle overlaps another.

    Returns the positions, each label's anchor and alignment, and the component's bounding box.
    """
    n = len(order)
    centre = unit.mean(axis=0)
    directions = unit - centre
    norms = np.linalg.norm(directions, axis=1)
    directions = np.where(norms[:, None] > 1e-9, directions / np.maximum(norms, 1e-9)[:, None], [0.0, -1.0])
    sides = [_side(d) for d in directions]
    scale = max(radii) * 2 + gap if n > 1 else 0.0
    for _ in range(60):
        positions = unit * scale
        anchors = [positions[i] + directions[i] * (radii[i] + 3) for i in range(n)]
        labels = [_label_box(anchors[i], label_sizes[i], *sides[i]) for i in range(n)]
        circles = [(*(positions[i] - radii[i]), *(positions[i] + radii[i])) for i in range(n)]
        clash = any(
            _overlap(labels[i], labels[j], gap / 2)
            or _overlap(labels[i], circles[j], 1)
            or _overlap(circles[i], circles[j], gap / 2)
            for i in range(n)
            for j in range(n)
            if i != j
        )
        if not clash:
            break
        scale = scale * 1.12 + 2
    boxes = labels + circles
    bounds = (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))
    return positions, anchors, sides, bounds


def _shelves(sizes, shelf_width: float, gap: float):
    """Offsets (bottom-left, y downward from 0) of boxes packed in shelves; and the packing's extent."""
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
    return [tuple(o) for o in offsets], width, -(y - shelf_height)


def _best_shelves(sizes, width: float, gap: float):
    """The shelf packing no wider than ``width`` (when possible) with the least height."""
    widths = [w for w, _ in sizes]
    candidates = sorted({max(widths), width, *np.cumsum([w + gap for w in widths]) - gap})
    best = None
    for shelf_width in candidates:
        offsets, w, h = _shelves(sizes, shelf_width, gap)
        key = (w > width + 1e-6, h if w <= width + 1e-6 else w)
        if best is None or key < best[0]:
            best = (key, offsets, w, h)
    return best[1], best[2], best[3]


def plot_factor_network(
    G: nx.Graph,
    *,
    themes=None,
    color_by: str = "theme",
    seed: int = 0,
    isolates: bool = False,
    wrap: int | None = None,
    n_label: str | None = None,
    title=_DEFAULT,
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
        Characters per label line: 18 on paper, 16 in the talk context.
    n_label, title, ax
        As in :func:`plot_prevalence`.
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
    _choice(color_by, ("theme", "scie_category", "level"), "color_by")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ParameterError(f"seed must be a whole number of at least 0, not {seed!r}.")
    talk = style.current_context() == "talk"
    wrap = wrap or (14 if talk else 18)
    unit = G.graph.get("unit", "episode")
    new_figure = ax is None
    ax = _figure_for(ax, 10.0 if not talk else None, 7.0 if not talk else None)
    fig = ax.get_figure(root=True)
    theme_of = _graph_themes(G, themes, int(seed))
    linked = [n for n in G.nodes if G.degree(n) > 0]
    lonely = sorted((n for n in G.nodes if G.degree(n) == 0), key=str) if isolates else []
    unit_singular, unit_word = _UNIT_NAMES.get(unit, (unit, unit + "s"))
    _hide_frame(ax)
    _title(ax, title, "Factors that go together: the themes")
    components = sorted(
        (sorted(c, key=str) for c in nx.connected_components(G.subgraph(linked))),
        key=lambda c: (min(theme_of.get(n, 10**6) for n in c), -len(c), c[0]),
    )
    components += [[n] for n in lonely]
    hidden = G.number_of_nodes() - len(linked) - len(lonely)

    def describe(left_out: int) -> str:
        notes = []
        if left_out:
            notes.append(f"{left_out} smaller group{'s' if left_out != 1 else ''}")
        if hidden:
            notes.append(f"{hidden} factors without a link")
        note = f" · not shown: {' and '.join(notes)}" if notes else ""
        return _label(
            f"Line: together in the same {unit_singular} more often than chance "
            f"(q < {G.graph.get('alpha', 0.05):g}){note} · {_n_text(G.graph.get('n_units'), unit, n_label)}",
            ax,
            fraction=0.75,
        )

    ax.set_xlabel(describe(0))
    if not components:
        _message(ax, "No pair of factors occurs together more often than chance: there is no network to draw.")
        return _finish(ax)
    nodes_all = [n for c in components for n in c]
    n_units_all = np.array([float(G.nodes[n].get("n_units", 1) or 1) for n in nodes_all])
    size_scale = (28.0 if not talk else 32.0) ** 2 / max(n_units_all.max(), 1)
    lifts = [d.get("lift", 1.0) for _, _, d in G.edges(data=True)]
    lift_max = max([2.0, *[v for v in lifts if np.isfinite(v)]])
    line = mpl.rcParams["lines.linewidth"]

    def edge_width(lift):
        lift = 1.0 if not np.isfinite(lift) else lift
        return line * (0.6 + 3.0 * (min(lift, lift_max) - 1) / max(lift_max - 1, 1e-9))

    if color_by == "theme":
        color_of_node = {n: style.theme_color(theme_of.get(n)) for n in nodes_all}
    elif color_by == "level":
        color_of_node = {n: style.level_color(G.nodes[n].get("level")) for n in nodes_all}
    else:
        color_of_node = {n: style.category_color(G.nodes[n].get("scie_category")) for n in nodes_all}
    # Legends first: they take room from the axes, and the layout needs the room that is left.
    # With colour by theme, each group is headed by its theme instead of a colour legend.
    short_unit = "episodes" if unit == "episode" else unit_word
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
        *(Line2D([], [], color="#888888", linewidth=edge_width(v), label=f"{v:g}× chance") for v in lift_refs),
    ]  # fmt: skip
    key_options = {
        "title": "Circle area: how common\nLine: times chance",
        "handleheight": tallest / legend_size,
        "handlelength": max(tallest / legend_size, 2.0),
        "labelspacing": 0.3,
    }
    if color_by == "theme":
        key = _legend_right(ax, key_handles, **key_options)
    else:
        attribute = "level" if color_by == "level" else "scie_category"
        color_of, name_of, order, _ = _color_key(attribute)
        values = [G.nodes[n].get(attribute) for n in nodes_all]
        handles = [
            Line2D([], [], marker="o", linestyle="", markersize=10, markerfacecolor=p.get_facecolor(),
                   markeredgecolor="white", label=p.get_label())
            for p in _group_patches(values, color_of, name_of, order, 20)
        ]  # fmt: skip
        colours = _legend_right(ax, handles, "Colour: level" if attribute == "level" else "Colour: SCIE category")
        ax.add_artist(colours)
        key = _legend_right(ax, key_handles, loc="lower left", bbox_to_anchor=(1.02, 0.0), **key_options)
    key.set_gid("key")
    # Labels are measured, then every component is spaced in points around them.
    size = style.text_size("annotation")
    renderer = _renderer(fig)
    texts, placed = {}, []
    for comp in components:
        order, unit_xy = _unit_positions(G, comp, int(seed))
        radii = [math.sqrt(float(G.nodes[n].get("n_units", 1) or 1) * size_scale) / 2 for n in order]
        sizes = []
        for n in order:
            text = ax.text(0, 0, style.wrap_label(G.nodes[n].get("label") or n, wrap), fontsize=size,
                           color=style.INK, linespacing=1.05, gid="node-label", zorder=4)  # fmt: skip
            texts[n] = text
            sizes.append(_text_size_pt(text, renderer, fig.dpi))
        pos, anchors, sides, bounds = _place_component(order, unit_xy, radii, sizes, gap=size * 0.8)
        header = None
        numbers = sorted({theme_of[n] for n in order if n in theme_of})
        if color_by == "theme" and numbers:
            words = f"Theme {numbers[0]}" if len(numbers) == 1 else "Themes " + ", ".join(map(str, numbers))
            header = ax.text(0, 0, words, ha="center", va="bottom", fontsize=size, fontweight="bold",
                             color=style.INK, gid="theme-label")  # fmt: skip
            bounds = (bounds[0], bounds[1], bounds[2], bounds[3] + _text_size_pt(header, renderer, fig.dpi)[1] + 4)
            texts[("header", len(placed))] = header
        placed.append((order, pos, anchors, sides, bounds, header))
    gap = size * 1.5
    extents = [(b[2] - b[0], b[3] - b[1]) for *_, b, _h in placed]

    def header_height(text):
        return _text_size_pt(text, renderer, fig.dpi)[1]

    for _ in range(3):
        width_pt, height_pt = _axes_size_pt(ax)
        shown = len(placed)
        offsets, used_w, used_h = _best_shelves(extents[:shown], width_pt, gap)
        if new_figure and (used_h > height_pt + 1 or used_w > width_pt + 1 or used_h < height_pt - 60):
            # A new figure is sized to the drawing: grown until it fits, or made shorter.
            grow_w = max(0.0, used_w - width_pt) / 72
            change_h = (used_h - height_pt) / 72
            fig.set_size_inches(fig.get_figwidth() + grow_w + 0.1, max(4.0, fig.get_figheight() + change_h + 0.3))
            continue
        break
    while shown > 1 and (used_h > height_pt + 1 or used_w > width_pt + 1):
        shown -= 1
        offsets, used_w, used_h = _best_shelves(extents[:shown], width_pt, gap)
    if shown < len(placed):
        ax.set_xlabel(describe(len(placed) - shown))
        for index, (order, *_rest, header) in enumerate(placed[shown:], start=shown):
            for n in order:
                texts.pop(n).remove()
            if header is not None:
                texts.pop(("header", index)).remove()
        width_pt, height_pt = _axes_size_pt(ax)
    left = (max(width_pt, used_w) - used_w) / 2
    top = -(max(height_pt, used_h) - used_h) / 2
    positions = {}
    for (order, pos, anchors, sides, bounds, header), (x, y) in zip(placed[:shown], offsets, strict=False):
        shift = np.array([left + x - bounds[0], top + y - bounds[1]])
        if header is not None:
            header.set_position(((bounds[0] + bounds[2]) / 2 + shift[0], bounds[3] + shift[1] - header_height(header)))
        for i, n in enumerate(order):
            positions[n] = pos[i] + shift
            texts[n].set_position(tuple(anchors[i] + shift))
            texts[n].set_horizontalalignment(sides[i][0])
            texts[n].set_verticalalignment(sides[i][1])
    for a, b, d in G.edges(data=True):
        if a in positions and b in positions:
            (xa, ya), (xb, yb) = positions[a], positions[b]
            ax.plot([xa, xb], [ya, yb], color="#888888", linewidth=edge_width(d.get("lift", 1.0)), zorder=1,
                    solid_capstyle="round", gid="edge")  # fmt: skip
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
    ax.set_xlim(0, max(width_pt, used_w))
    ax.set_ylim(-max(height_pt, used_h), 0)
    return _finish(ax)


# ----------------------------------------------------------------------------------- level map


def plot_level_map(
    G_or_links,
    *,
    themes=None,
    labels: Mapping[str, str] | None = None,
    seed: int = 0,
    wrap: int | None = None,
    n_label: str | None = None,
    title=_DEFAULT,
    ax=None,
    **kwargs,
):
    """An aggregate AcciMap: linked factors in bands by level, with the significant links between levels.

    National factors sit in the top band, local strategic ones in the middle and frontline ones
    at the bottom. An arrow runs from a factor to a factor of a lower level that occurs with it
    more often than chance. Columns are the themes of :func:`plot_factor_network` (factors that go
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
        on it with the same seeded Louvain method as :func:`plot_factor_network`; for a links
        table, each connected group of links is a column.
    labels : dict, optional
        Factor code -> label, for a links table.
    seed : int, default 0
        Seeds the Louvain themes.
    wrap : int, optional
        Characters per label line: 18 on paper, 16 in the talk context.
    n_label, title, ax
        As in :func:`plot_prevalence`.
    **kwargs
        Passed to :meth:`~matplotlib.axes.Axes.scatter` (the factors).

    Returns
    -------
    matplotlib Axes
        The factors are ``ax.collections[0]`` (``gid="node"``); each link across levels is a
        patch with ``gid="link"``.
    """
    names = dict(labels or {})
    if isinstance(G_or_links, nx.Graph):
        G = G_or_links
        unit = G.graph.get("unit", "episode")
        n_total = G.graph.get("n_units")
        level_of = {n: G.nodes[n].get("level") for n in G.nodes}
        for n in G.nodes:
            names.setdefault(n, G.nodes[n].get("label") or n)
        size_of = {n: G.nodes[n].get("n_units", 0) for n in G.nodes}
        edges = [(a, b, d.get("lift", 1.0)) for a, b, d in G.edges(data=True)]
        candidates = sorted((n for n in G.nodes if G.degree(n) > 0), key=str)
        theme_of = _graph_themes(G, themes, int(seed))
        theme_word = "Theme"
    else:
        columns = ["factor_from", "level_from", "factor_to", "level_to"]
        links = _check_frame(G_or_links, columns, "plot_level_map", "cross_level_links(rs)")
        unit = "episode"
        n_total = links["n_units"].dropna().max() if "n_units" in links and len(links) else None
        level_of = dict(zip(links["factor_from"], links["level_from"], strict=True))
        level_of.update(dict(zip(links["factor_to"], links["level_to"], strict=True)))
        size_of = {}
        if {"n_from", "n_to"} <= set(links.columns):
            size_of.update(dict(zip(links["factor_from"], links["n_from"], strict=True)))
            size_of.update(dict(zip(links["factor_to"], links["n_to"], strict=True)))
        lift = links["lift"] if "lift" in links else pd.Series(1.0, index=links.index)
        edges = list(zip(links["factor_from"], links["factor_to"], lift, strict=True))
        candidates = sorted(set(links["factor_from"]) | set(links["factor_to"]), key=str)
        if themes is not None:
            theme_of, theme_word = _theme_members(themes), "Theme"
        else:
            graph = nx.Graph([(a, b) for a, b, _ in edges])
            parts = sorted((sorted(c, key=str) for c in nx.connected_components(graph)), key=lambda c: (-len(c), c[0]))
            theme_of = {n: i for i, part in enumerate(parts, start=1) for n in part}
            theme_word = "Group"
    rank = {lvl: i for i, lvl in enumerate(LEVELS)}
    candidates = [n for n in candidates if level_of.get(n) in rank]
    across = [e for e in edges if level_of.get(e[0]) in rank and level_of.get(e[1]) in rank]
    across = [e for e in across if level_of[e[0]] != level_of[e[1]]]
    talk = style.current_context() == "talk"
    wrap = wrap or (16 if talk else 18)
    new_figure = ax is None
    ax = _figure_for(ax, 10.0 if not talk else None, 6.5 if not talk else None)
    fig = ax.get_figure(root=True)
    _hide_frame(ax)

    def describe(left_out: int) -> str:
        note = (
            f" · {left_out} {theme_word.lower()}{'s' if left_out != 1 else ''} left out for space" if left_out else ""
        )
        return _label(
            "Arrow: found together more often than chance, from the higher level to the lower · "
            f"columns: {theme_word.lower()}s of factors that go together{note} · "
            f"{_n_text(n_total, unit, n_label)}",
            ax,
            fraction=0.85,
        )

    ax.set_xlabel(describe(0))
    _title(ax, title, "The system, not the individual: how linked factors sit across levels")
    levels_top_down = list(reversed(LEVELS))  # national, local strategic, frontline
    other = 10**6
    column_of = {n: theme_of.get(n, other) for n in candidates}
    # Which columns to keep when not all fit: those with links across levels first, then those
    # that bring a level not yet shown, then by theme number.
    crossing = {column_of[n] for a, b, _ in across for n in (a, b) if n in column_of}
    columns_all, seen_levels = [], set()
    remaining = sorted(set(column_of.values()), key=lambda c: (c not in crossing, c))
    while remaining:

        def priority(c, seen=seen_levels):
            new_levels = {level_of[n] for n in candidates if column_of[n] == c} - seen
            return (c not in crossing, not new_levels, c)

        best = min(remaining, key=priority)
        remaining.remove(best)
        columns_all.append(best)
        seen_levels |= {level_of[n] for n in candidates if column_of[n] == best}
    size = style.text_size("annotation")
    node_d = 14.0 if not talk else 20.0
    renderer = _renderer(fig)
    texts, label_size = {}, {}
    for n in candidates:
        text = ax.text(0, 0, style.wrap_label(names.get(n, n), wrap), fontsize=size, color=style.INK, ha="left",
                       va="center", linespacing=1.0, zorder=4, gid="node-label")  # fmt: skip
        texts[n] = text
        label_size[n] = _text_size_pt(text, renderer, fig.dpi)
    band_texts = {}
    for lvl in levels_top_down:
        band_texts[lvl] = ax.text(0, 0, style.wrap_label(style.level_name(lvl), 9), ha="left", va="center",
                                  fontsize=style.text_size("tick"), fontweight="bold", gid="band-name",
                                  color=style.level_color(lvl) if lvl != "frontline" else "#8A6A10")  # fmt: skip
    names_w = max(_text_size_pt(t, renderer, fig.dpi)[0] for t in band_texts.values()) + 16
    pad = size * 0.6
    header_h = size * 1.6

    def members(c, lvl):
        return sorted(
            (n for n in candidates if column_of[n] == c and level_of[n] == lvl),
            key=lambda n: (-float(size_of.get(n, 0) or 0), str(n)),
        )

    def column_width(c):
        widths = [label_size[n][0] for n in candidates if column_of[n] == c]
        return node_d + 6 + max(widths, default=0) + 2 * pad

    def row_height(n):
        return max(node_d, label_size[n][1]) + pad

    def band_heights(cols):
        heights = {}
        for lvl in levels_top_down:
            cells = [sum(row_height(n) for n in members(c, lvl)) for c in cols]
            floor = _text_size_pt(band_texts[lvl], renderer, fig.dpi)[1] + pad
            heights[lvl] = max(max([0.0, *cells]) + pad if any(cells) else size * 2.4, floor)
        return heights

    def extent(cols):
        return names_w + sum(column_width(c) for c in cols), header_h + sum(band_heights(cols).values())

    columns_used = list(columns_all)
    for _ in range(3):
        width_pt, height_pt = _axes_size_pt(ax)
        need_w, need_h = extent(columns_used)
        if new_figure and (need_w > width_pt + 1 or need_h > height_pt + 1 or need_h < height_pt - 60):
            fig.set_size_inches(
                fig.get_figwidth() + max(0.0, need_w - width_pt) / 72 + 0.1,
                max(3.5, fig.get_figheight() + (need_h - height_pt) / 72 + 0.6),
            )
            continue
        break
    while len(columns_used) > 1 and (need_w > width_pt + 1 or need_h > height_pt + 1):
        columns_used = columns_used[:-1]
        need_w, need_h = extent(columns_used)
    left_out = len(columns_all) - len(columns_used)
    if left_out:
        ax.set_xlabel(describe(left_out))
        width_pt, height_pt = _axes_size_pt(ax)
    shown = [n for n in candidates if column_of[n] in columns_used]
    for n in candidates:
        if n not in shown:
            texts.pop(n).remove()
    columns_used = sorted(columns_used)
    total_w, total_h = max(width_pt, need_w), max(height_pt, need_h)
    # Spare room is shared out: extra width between columns, extra height between bands.
    spare_w = (total_w - need_w) / max(len(columns_used), 1)
    heights = band_heights(columns_used)
    spare_h = (total_h - need_h) / 3
    starts, x = {}, names_w
    widths = {}
    for c in columns_used:
        starts[c] = x
        widths[c] = column_width(c) + spare_w
        x += widths[c]
    positions, spans, y = {}, {}, -header_h
    for lvl in levels_top_down:
        top = y
        height = heights[lvl] + spare_h
        for c in columns_used:
            cell = members(c, lvl)
            stack = sum(row_height(n) for n in cell)
            yy = top - (height - stack) / 2
            block_w = column_width(c) - 2 * pad
            x0 = starts[c] + (widths[c] - block_w) / 2
            for n in cell:
                yy -= row_height(n) / 2
                positions[n] = np.array([x0 + node_d / 2, yy])
                texts[n].set_position((x0 + node_d + 6, yy))
                yy -= row_height(n) / 2
        y -= height
        spans[lvl] = (y, top)
    for lvl, (low, high) in spans.items():
        ax.add_patch(
            Rectangle((0, low + 2), total_w, high - low - 4, facecolor=mcolors.to_rgba(style.level_color(lvl), 0.10),
                      edgecolor="none", zorder=0, gid="band")
        )  # fmt: skip
        band_texts[lvl].set_position((6, (low + high) / 2))
        if shown and not any(level_of[n] == lvl for n in shown):
            words = (
                f"No {style.level_name(lvl).lower()} factor with a significant link"
                if not any(level_of[n] == lvl for n in candidates)
                else f"{style.level_name(lvl)} factors are in the {theme_word.lower()}s left out for space"
            )
            ax.text((names_w + total_w) / 2, (low + high) / 2, words, ha="center", va="center",
                    fontsize=size, color=style.MUTED, fontstyle="italic")  # fmt: skip
    for c in columns_used:
        ax.plot([starts[c], starts[c]], [y, -header_h], color="white", linewidth=3, zorder=0.5)
        name = f"{theme_word} {c}" if c != other else "No theme"
        ax.text(starts[c] + widths[c] / 2, -header_h / 2, name, ha="center", va="center", fontsize=size,
                color=style.INK, fontweight="bold", gid="column")  # fmt: skip
    ax.set_xlim(0, total_w)
    ax.set_ylim(-total_h, 0)
    if not shown:
        ax.text((names_w + total_w) / 2, -total_h / 2, "No significant link between factors: nothing to map.",
                ha="center", va="center", fontsize=style.text_size("label"), color=style.MUTED,
                gid="message")  # fmt: skip
        return _finish(ax)
    lifts = [e[2] for e in across if np.isfinite(e[2])]
    lift_max = max([2.0, *lifts])
    line = mpl.rcParams["lines.linewidth"]

    def width_of(lift):
        lift = lift if np.isfinite(lift) else 1.0
        return line * (0.7 + 2.3 * (min(lift, lift_max) - 1) / max(lift_max - 1, 1e-9))

    for a, b, lift in across:
        if a not in positions or b not in positions:
            continue
        higher, lower = (a, b) if rank[level_of[a]] > rank[level_of[b]] else (b, a)
        same_column = column_of[a] == column_of[b]
        ax.add_patch(
            FancyArrowPatch(
                tuple(positions[higher]),
                tuple(positions[lower]),
                arrowstyle="-|>",
                mutation_scale=10 + 3 * line,
                connectionstyle=f"arc3,rad={0.35 if same_column else 0.12}",
                color=style.INK,
                linewidth=width_of(lift),
                shrinkA=node_d / 2 + 1,
                shrinkB=node_d / 2 + 1,
                zorder=2,
                gid="link",
            )
        )
    xy = np.array([positions[n] for n in shown])
    colors = [style.level_color(level_of[n]) for n in shown]
    options = {"s": node_d**2, "c": colors, "edgecolors": style.INK, "linewidths": 0.8, "zorder": 3}
    ax.scatter(xy[:, 0], xy[:, 1], **{**options, **kwargs}, gid="node")
    return _finish(ax)


# ----------------------------------------------------------------------------------- sequences


def plot_sequences(
    sequences: pd.DataFrame,
    *,
    top: int = 10,
    alpha: float = 0.05,
    labels: Mapping[str, str] | None = None,
    wrap: int | None = None,
    n_label: str | None = None,
    title=_DEFAULT,
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
    labels : dict, optional
        Factor code -> label (the sequence table holds codes only).
    wrap, n_label, title, ax
        As in :func:`plot_prevalence`. The sequence table does not carry N: pass ``n_label``,
        e.g. ``"N = 523 episodes in 80 reviews"``.
    **kwargs
        Passed to the arrows (:class:`~matplotlib.patches.FancyArrowPatch`).

    Returns
    -------
    matplotlib Axes
        Arrows are patches with ``gid="sequence"``, one per sequence drawn.
    """
    table = _check_frame(
        sequences, ["factor_from", "factor_to", "n", "ratio", "q_value"], "plot_sequences", "factor_sequences(rs)"
    )
    top = _check_top(top)
    alpha = check_alpha(alpha)
    names = dict(labels or {})
    strong = table[(table["q_value"] < alpha) & (table["n"] > 0)]
    strong = strong.sort_values(["ratio", "n", "factor_from", "factor_to"], ascending=[False, False, True, True])
    strong = strong.head(top).reset_index(drop=True)
    k = len(strong)
    tick = style.text_size("tick")
    fig_width = ax.get_figure(root=True).get_figwidth() if ax is not None else mpl.rcParams["figure.figsize"][0]
    width = wrap or _chars(fig_width * 72 * 0.3, tick)

    def name(code):
        value = names.get(code, code)
        return style.wrap_label(code if pd.isna(value) else value, width)

    left = [name(c) for c in strong["factor_from"]]
    right = [name(c) for c in strong["factor_to"]]
    lines = max((t.count("\n") + 1 for t in left + right), default=1)
    ax = _figure_for(ax, None, _bars_height(max(k, 3), min(lines, 2) + 0.6, tick, 2.2))
    _hide_frame(ax)
    n_text = _n_text(None, "episode", n_label)
    ax.set_xlabel(
        _label(
            "Each row: a factor in one key practice episode, then a factor in the next episode of the same review; "
            f"the number says how many times more often than chance (q < {alpha:g})"
            + (f" · {n_text}" if n_text else ""),
            ax,
            fraction=0.8,
        )
    )
    _title(ax, title, "What tends to follow what, from one episode to the next")
    if k == 0:
        _message(
            ax,
            f"No sequence from one episode to the next is more common than chance (q < {alpha:g}). "
            "Sequences need many reviews to show.",
        )
        return _finish(ax)
    size = style.text_size("tick")
    x_left, x_right = 0.40, 0.60
    ratios = strong["ratio"].to_numpy(dtype=float)
    ratio_max = max(2.0, float(np.nanmax(ratios)))
    line = mpl.rcParams["lines.linewidth"]
    for i, row in strong.iterrows():
        ax.text(x_left - 0.01, i, left[i], ha="right", va="center", fontsize=size, gid="from")
        ax.text(x_right + 0.01, i, right[i], ha="left", va="center", fontsize=size, gid="to")
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
    header = style.text_size("label")
    ax.text(x_left - 0.01, -0.75, "In one episode …", ha="right", va="bottom", fontsize=header, fontweight="bold")
    ax.text(x_right + 0.01, -0.75, "… then in the next", ha="left", va="bottom", fontsize=header, fontweight="bold")
    ax.set_xlim(0, 1)
    ax.set_ylim(k - 0.5, -1.0)
    return _finish(ax)


# ----------------------------------------------------------------------------------- trends


def plot_trends(
    trends: pd.DataFrame,
    prevalence_by_year: pd.DataFrame,
    *,
    top: int = 6,
    ncols: int | None = None,
    wrap: int | None = None,
    n_label: str | None = None,
    title=_DEFAULT,
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
        As in :func:`plot_prevalence`; ``title`` is the figure's suptitle.
    fig : matplotlib Figure or SubFigure, optional
    **kwargs
        Passed to :meth:`~matplotlib.axes.Axes.plot` (the lines).

    Returns
    -------
    matplotlib Figure
        One axes per factor drawn (``fig.axes``), each titled with the factor's label.
    """
    trend_table = _check_frame(trends, ["factor_code", "label", "direction"], "plot_trends", "factor_trends(rs)")
    by_year = _check_frame(
        prevalence_by_year, ["year", "factor_code", "share"], "plot_trends", 'factor_prevalence(rs, by="year")'
    )
    top = _check_top(top)
    changing = trend_table[trend_table["direction"].isin(["rising", "falling"])].head(top).reset_index(drop=True)
    k = len(changing)
    ncols = _check_top(ncols, "ncols") if ncols is not None else (2 if k == 4 else min(3, max(k, 1)))
    nrows = max(1, math.ceil(k / ncols))
    if fig is None:
        width, height = mpl.rcParams["figure.figsize"]
        height = max(height, 1.2 + 2.6 * nrows * style.text_size("tick") / 9.0 * 0.75) if nrows > 1 else height
        fig = plt.figure(figsize=(width, height), layout="constrained")
    unit = _unit_of_prevalence(by_year)
    unit_word = _UNIT_NAMES[unit][1]
    totals = by_year.groupby("year")["n_total"].max() if "n_total" in by_year else pd.Series(dtype=float)
    if totals.isna().any():  # a suppressed year (publication mode) leaves the totals unsaid
        totals = pd.Series(dtype=float)
    n_all = totals.sum() if len(totals) else None
    if len(totals) and totals.min() != totals.max():
        per_year = f", {int(totals.min()):,}–{int(totals.max()):,} a year"
    else:
        per_year = f", {int(totals.max()):,} a year" if len(totals) else ""
    n_text = _n_text(n_all, unit, n_label) + ("" if n_label is not None else per_year)
    default = "Factors that became more or less common over the years"
    heading = default if title is _DEFAULT or title is None else str(title)
    size_title = style.text_size("title")
    suptitle = None
    if heading:
        suptitle = fig.suptitle(
            style.wrap_label(heading, _chars(fig.get_figwidth() * 72 * 0.95, size_title * 1.08)),
            x=0.01,
            ha="left",
            fontsize=size_title,
            fontweight="bold",
        )
    if k == 0:
        ax = fig.add_subplot()
        _message(ax, "No factor became clearly more or less common over the years (at the false-discovery rate used).")
        _hide_frame(ax)
        ax.set_xlabel(n_text)
        _keep_inside(fig, [suptitle, ax.xaxis.label])
        return fig
    axes = fig.subplots(nrows, ncols, sharex=True, sharey=True, squeeze=False)
    tick = style.text_size("tick")
    width = wrap or _chars(fig.get_figwidth() * 72 / ncols * 0.95, tick * 1.05)
    years = np.sort(by_year["year"].dropna().unique())
    for index, (ax, (_, row)) in enumerate(zip(axes.flat, changing.iterrows(), strict=False)):
        data = by_year[by_year["factor_code"] == row["factor_code"]].sort_values("year")
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
            _suppressed(ax, year - 0.3, 0.04, width=0.6, height=0.06)
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
        if index // ncols == nrows - 1 or index + ncols >= k:
            ax.set_xlabel(_label(f"Year of the review ({n_text})", ax, fraction=0.9 / ncols))
            ax.tick_params(labelbottom=True)
    for ax in list(axes.flat)[k:]:
        ax.remove()
    ylabel = fig.supylabel(
        f"Share of the year's {unit_word} with the factor (band: 95% interval)",
        fontsize=style.text_size("label"),
    )
    panel_titles = [getattr(ax, "_left_title", None) for ax in fig.axes]
    _keep_inside(fig, [suptitle, ylabel, *(ax.xaxis.label for ax in fig.axes), *panel_titles])
    return fig


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
    title=_DEFAULT,
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
        As in :func:`plot_prevalence`.
    **kwargs
        Passed to :meth:`~matplotlib.axes.Axes.scatter` (the points).

    Returns
    -------
    matplotlib Axes
        Points are ``ax.collections``: the clear differences (``gid="clear"``) and the others
        (``gid="unclear"``); together one point per factor drawn.
    """
    columns = ["factor_code", "label", "group", "odds_ratio", "ci_low", "ci_high", "p_value", "q_value"]
    table = _check_frame(differences, columns, "plot_group_differences", "compare_groups(rs, by=...)")
    top = _check_top(top)
    alpha = check_alpha(alpha)
    _choice(unit, tuple(_UNIT_NAMES), "unit")
    groups = table["group"].astype("str").unique().tolist()
    if str(group) not in groups:
        raise ParameterError(f"group {group!r} is not in the table; its groups are {', '.join(groups)}.")
    rows = table[(table["group"].astype("str") == str(group)) & table["p_value"].notna()]
    rows = rows.sort_values(["p_value", "factor_code"], kind="stable").head(top).reset_index(drop=True)
    k = len(rows)
    tick = style.text_size("tick")
    width = wrap or _wrap_width(ax, k, tick, 0.32, lines=3, wide=0.5)
    labels = []
    for _, row in rows.iterrows():
        label = row["label"] if not pd.isna(row["label"]) else row["factor_code"]
        shares = ""
        if {"share_in", "share_out"} <= set(rows.columns):
            shares = f"\n{_percent(row['share_in']) or 'c'} here vs {_percent(row['share_out']) or 'c'} elsewhere"
        labels.append(style.wrap_label(label, width) + shares)
    lines = max((t.count("\n") + 1 for t in labels), default=2)
    ax = _figure_for(ax, None, _bars_height(max(k, 3), min(lines, 3), tick, 1.9))
    n_in = rows["n_group"].dropna().max() if "n_group" in rows and k else None
    n_rest = None
    if k and {"n_out", "share_out"} <= set(rows.columns):
        usable = rows[(rows["share_out"] > 0) & rows["n_out"].notna()]
        if len(usable):
            n_rest = int(round(float((usable["n_out"] / usable["share_out"]).median())))
    if n_label is not None:
        n_text = str(n_label)
    elif n_in is not None and not pd.isna(n_in):
        if n_rest:
            n_text = f"N = {_units(n_in + n_rest, unit)}: {int(n_in):,} in {group}, {n_rest:,} elsewhere"
        else:
            n_text = f"N = {_units(n_in, unit)} in {group}"
    else:
        n_text = ""
    ax.set_xlabel(_label(f"Odds ratio, {group} against the rest (log scale) · {n_text}", ax, fraction=0.55))
    _title(ax, title, f"What is different in {group}?")
    if k == 0:
        _message(ax, f"No factor could be compared between {group} and the rest.")
        return _finish(ax)
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
    _legend_right(ax, handles, None)
    return _finish(ax)


# ----------------------------------------------------------------------------------- findings


def plot_finding_categories(
    categories: pd.DataFrame,
    *,
    wrap: int | None = None,
    n_label: str | None = None,
    title=_DEFAULT,
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
    table = _check_frame(categories, ["category", "share"], "plot_finding_categories", "finding_categories(rs)")
    if table["category"].duplicated().any():
        raise ParameterError(
            "plot_finding_categories draws one row per category; this table has several "
            "(from finding_categories(rs, by=...)?). Select one group first."
        )
    order = {c: i for i, c in enumerate(SCIE_CATEGORIES)}
    rows = table.assign(_o=table["category"].astype("str").map(order).fillna(len(order)))
    rows = rows.sort_values("_o", kind="stable").drop(columns="_o").reset_index(drop=True)
    tick = style.text_size("tick")
    width = wrap or _wrap_width(ax, len(rows), tick, 0.25)
    labels = [style.wrap_label(style.category_name(c), width) for c in rows["category"].astype("str")]
    ax = _figure_for(ax, None, _bars_height(len(rows), 2, tick, 1.8))
    colors = [style.category_color(c) for c in rows["category"].astype("str")]
    finite = (
        rows[["share", "ci_high"]].to_numpy(dtype=float) if "ci_high" in rows else rows[["share"]].to_numpy(dtype=float)
    )
    share_max = float(np.nanmax(finite)) if np.isfinite(finite).any() else 1.0
    _horizontal_bars(ax, rows, labels, colors, share_max=share_max, kwargs=kwargs)
    if "n_findings" in rows:
        values = [t for t in ax.texts if t.get_gid() == "value"]  # one per bar, in row order
        for text, n in zip(values, rows.loc[rows["share"].notna(), "n_findings"], strict=True):
            text.set_text(f"{text.get_text()}  ({'c' if pd.isna(n) else f'{int(n):,}'} findings)")
    n = table["n_total"].dropna().max() if "n_total" in table else None
    ax.set_xlabel(
        _label(
            f"Share of reviews with at least one finding in the category · {_n_text(n, 'review', n_label)}",
            ax,
            fraction=0.6,
        )
    )
    current = ax.get_xlim()[1]
    ax.set_xlim(0, current * 1.15)
    _title(ax, title, "Findings by SCIE category: where reviews locate the problems")
    return _finish(ax)


def plot_level_profile(
    levels: pd.DataFrame,
    *,
    n_label: str | None = None,
    title=_DEFAULT,
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
    table = _check_frame(levels, ["level", "share"], "plot_level_profile", "level_profile(rs)")
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
    ax = _figure_for(ax, None, _bars_height(len(rows), 1, tick, 1.8))
    colors = [style.level_color(level) for level in rows["level"].astype("str")]
    finite = rows[[c for c in ("share", "ci_high") if c in rows]].to_numpy(dtype=float)
    share_max = float(np.nanmax(finite)) if np.isfinite(finite).any() else 1.0
    _horizontal_bars(ax, rows, names, colors, share_max=share_max, kwargs=kwargs)
    if "n_codings" in rows:
        values = [t for t in ax.texts if t.get_gid() == "value"]  # one per bar, in row order
        for text, n in zip(values, rows.loc[rows["share"].notna(), "n_codings"], strict=True):
            text.set_text(f"{text.get_text()}  ({'c' if pd.isna(n) else f'{int(n):,}'} codings)")
    total = rows["n_codings"].sum() if "n_codings" in rows and rows["n_codings"].notna().all() else None
    ax.set_xlabel(_label(f"Share of all coded factors · {_n_text(total, 'coding', n_label)}", ax, fraction=0.6))
    ax.set_xlim(0, ax.get_xlim()[1] * 1.3)
    _title(ax, title, "Where the factors originate: front line, local strategy or national")
    return _finish(ax)


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
    title=_DEFAULT,
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
    table = _check_frame(coverage, [by, "n_reviews"], "plot_coverage", f"coverage(rs, by={by!r})")
    counts = table["n_reviews"].to_numpy(dtype=float)
    drawn = ~np.isnan(counts)
    size = style.text_size("annotation")
    options = {"color": COUNT_COLOR, "zorder": 2, **kwargs}
    if by == "year":
        ax = _figure_for(ax, max(6.4, 0.45 * len(table) + 2), None)
        x = table[by].to_numpy()
        ax.bar(x[drawn], counts[drawn], width=0.7, **options)
        for xi, n in zip(x[drawn], counts[drawn], strict=True):
            ax.annotate(f"{int(n):,}", (xi, n), xytext=(0, 3), textcoords="offset points", ha="center",
                        va="bottom", fontsize=size, color=style.INK, gid="value")  # fmt: skip
        for xi in x[~drawn]:
            _suppressed(ax, xi - 0.3, 0.0, width=0.6, height=max(np.nanmax(counts, initial=1) * 0.05, 0.5))
        ax.set_xticks(x)
        ax.set_xticklabels([str(v) for v in x], rotation=90 if len(x) > 12 else 0)
        ax.set_ylabel("Reviews")
        ax.set_xlabel(_label(f"Year the review was completed · {_n_text(np.nansum(counts), 'review', n_label)}", ax))
        _count_axis(ax.yaxis, ax.set_ylim, np.nanmax(counts, initial=1) * 1.15)
    else:
        rows = table.assign(_n=counts).sort_values(["_n", by], ascending=[False, True], na_position="last")
        names = [style.wrap_label(str(v), 24) for v in rows[by]]
        ax = _figure_for(ax, None, _bars_height(len(rows), 1, style.text_size("tick"), 1.8))
        y = np.arange(len(rows))
        shown = rows["_n"].notna().to_numpy()
        ax.barh(y[shown], rows["_n"].to_numpy()[shown], height=0.68, **options)
        ax.set_yticks(y)
        ax.set_yticklabels(names)
        ax.invert_yaxis()
        for yi, n in zip(y[shown], rows["_n"].to_numpy()[shown], strict=True):
            ax.annotate(f"{int(n):,}", (n, yi), xytext=(4, 0), textcoords="offset points", ha="left",
                        va="center", fontsize=size, color=style.INK, gid="value")  # fmt: skip
        ax.set_xlabel(_label(f"Reviews · {_n_text(np.nansum(counts), 'review', n_label)}", ax))
        _count_axis(ax.xaxis, ax.set_xlim, np.nanmax(counts, initial=1) * 1.25)
    for spine in ("top", "right"):
        ax.spines[spine].set_visible(False)
    _title(ax, title, f"Reviews in scope by {by.replace('_', ' ')}")
    return _finish(ax)


# ----------------------------------------------------------------------------------- saving


def _settle(fig, rounds: int = 3) -> None:
    """Run the figure's layout and pin the result, so that saving gives the same bytes every time.

    Constrained layout starts from the current positions, and each draw moves the axes by
    float noise (1e-10 of the figure); saved as is, two SVG files of one figure would differ in
    the last digits of some coordinates and in the clip-path ids hashed from them. So the layout
    runs a few times, and each axes' position is rounded to a millionth of the figure.
    """
    for _ in range(rounds):
        fig.draw_without_rendering()
    for ax in fig.get_axes():
        ax._set_position(np.round(ax.get_position().bounds, 6).tolist(), which="both")


def save_figure(fig, path) -> tuple[Path, Path]:
    """Write ``path.png`` (200 dpi) and ``path.svg``, creating the folder; returns both paths.

    A ``.png`` or ``.svg`` suffix on ``path`` is replaced. Both files use ``bbox_inches="tight"``.
    The SVG is deterministic: a fixed hash salt and no date, so saving the same figure twice
    gives the same bytes (and a diff shows real changes only).

    Examples
    --------
    >>> import matplotlib.pyplot as plt, tempfile, pathlib
    >>> fig, ax = plt.subplots()
    >>> png, svg = save_figure(fig, pathlib.Path(tempfile.mkdtemp()) / "charts" / "empty")
    >>> png.name, svg.name
    ('empty.png', 'empty.svg')
    >>> plt.close(fig)
    """
    if hasattr(fig, "get_figure") and not isinstance(fig, mpl.figure.Figure):
        fig = fig.get_figure(root=True)
    if not isinstance(fig, mpl.figure.Figure):
        raise ParameterError(f"save_figure needs a matplotlib Figure (or Axes), not {type(fig).__name__}.")
    path = Path(path)
    if path.suffix.lower() in (".png", ".svg"):
        path = path.with_suffix("")
    path.parent.mkdir(parents=True, exist_ok=True)
    png = path.parent / f"{path.name}.png"
    svg = path.parent / f"{path.name}.svg"
    engine = fig.get_layout_engine()
    _settle(fig)
    try:
        fig.set_layout_engine("none")  # keep the pinned layout while saving
        with mpl.rc_context({"svg.hashsalt": "sce-analysis", "svg.fonttype": "path"}):
            fig.savefig(png, format="png", dpi=200, bbox_inches="tight", metadata={"Software": None})
            fig.savefig(svg, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": None})
    finally:
        fig.set_layout_engine(engine)
    return png, svg
