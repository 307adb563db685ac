"""What every chart shares: sizes, text fitting, titles and labels, legends, the suppressed-cell marker, saving.

The chart modules (:mod:`~sce_analysis.charts.bars`, :mod:`~sce_analysis.charts.heatmaps`, ...)
draw with these helpers, so that every chart wraps its labels, says its N and marks a
suppressed value the same way. Positions that can be computed without drawing live in
:mod:`~sce_analysis.charts.layout`.

- figures and text: :func:`axes_for`, :func:`wrap_width`, :func:`bars_height`, :func:`chars_fitting`,
  :func:`text_size_pt`, :func:`axes_size_pt`, :func:`keep_inside`;
- words: :func:`set_title`, :func:`fit_title`, :func:`wrap_to_figure`, :func:`format_n`, :func:`units_text`,
  :func:`percent`;
- marks: :func:`draw_suppressed`, :func:`legend_right`, :func:`group_patches`, :func:`show_message`,
  :func:`hide_frame`, :func:`finish` (the last step of every axes-level chart);
- inputs: :func:`check_frame`, :func:`check_top`, :func:`check_choice`, :func:`top_rows`,
  :func:`theme_members`, :func:`graph_themes`, :func:`label_map`;
- :func:`draft` (quick drawing for the explorer) and :func:`save_figure`.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Mapping
from pathlib import Path

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib import colors as mcolors
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import NullLocator

from ..checks import check_whole
from ..errors import ParameterError
from ..reviewsets.contract import LEVELS, SCIE_CATEGORIES, UNIT_NAMES
from ..stats.networks import louvain_themes
from ..textfit import wrap_text_to_width
from . import style

__all__ = ["save_figure", "draft"]

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
    >>> from sce_analysis.charts import plot_finding_categories
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
DEFAULT = object()
#: Rough width of a character, as a share of the font size, to turn widths in points into characters.
_CHAR = 0.56


# ----------------------------------------------------------------------------------- helpers


def check_frame(data, columns, function: str, source: str) -> pd.DataFrame:
    """``data`` itself when it is a DataFrame with ``columns``; else a ParameterError naming ``source``."""
    if not isinstance(data, pd.DataFrame):
        raise ParameterError(f"{function} draws a DataFrame from {source}, not {type(data).__name__}.")
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise ParameterError(
            f"{function} needs the columns {', '.join(missing)}, which {source} returns; "
            f"the table given has {', '.join(map(str, data.columns))}."
        )
    return data


def label_map(labels, function: str) -> dict:
    """Factor code -> label from a chart's ``labels``: a dict (or Series indexed by code), or a table
    with ``factor_code`` and ``label`` columns such as the review set's taxonomy (``rs.taxonomy``);
    ``{}`` for None.

    Examples
    --------
    >>> import sce_analysis as sce
    >>> label_map(sce.load("data/sample").taxonomy, "plot_sequences")["fam_hostile"]
    'Hostile or intimidating parent'
    >>> label_map({"a": "A"}, "plot_sequences"), label_map(None, "plot_sequences")
    ({'a': 'A'}, {})
    """
    if labels is None:
        return {}
    if isinstance(labels, pd.DataFrame):
        table = check_frame(labels, ["factor_code", "label"], function, "rs.taxonomy")
        return dict(zip(table["factor_code"].astype("str"), table["label"], strict=True))
    return dict(labels)


def check_top(top, name: str = "top") -> int:
    """A whole number of at least 1 (how many rows, factors or panels to draw)."""
    return check_whole(top, name, 1)


def check_choice(value, allowed, name: str):
    """``value`` when it is one of ``allowed``; else a ParameterError that lists them."""
    if value not in allowed:
        raise ParameterError(f"{name} must be one of {', '.join(map(str, allowed))}; not {value!r}.")
    return value


def units_text(n, unit: str) -> str:
    """ "80 reviews", "1 key practice episode": a count with its unit, singular or plural."""
    singular, plural = UNIT_NAMES.get(unit, (unit, f"{unit}s"))
    n = int(n)
    return f"{n:,}\u00a0{singular if n == 1 else plural}"


def format_n(n, unit: str, n_label) -> str:
    """ "N = 80 reviews", with no-break spaces so that wrapping never splits "N = 80"."""
    if n_label is not None:
        return str(n_label)
    return f"N\u00a0=\u00a0{units_text(n, unit)}" if n is not None and not pd.isna(n) else ""


def axes_for(ax, width: float | None, height: float | None):
    """The axes to draw on: ``ax``, or one new figure (constrained layout) sized for the content."""
    if ax is not None:
        return ax
    default_w, default_h = mpl.rcParams["figure.figsize"]
    fig = plt.figure(figsize=(width or default_w, height or default_h), layout="constrained")
    return fig.add_subplot()


def _fig_width_pt(ax) -> float:
    return ax.get_figure(root=True).get_figwidth() * 72.0


def chars_fitting(width_pt: float, size: float) -> int:
    """How many characters of ``size`` points fit in ``width_pt`` points (at least 12)."""
    return max(12, int(width_pt / (_CHAR * size)))


def wrap_width(
    ax, rows: int, size: float, fraction: float, *, lines: float = 2.0, usable: float = 0.72, wide: float = 0.45
) -> int:
    """Characters per label line for ``rows`` labelled rows.

    On a new figure (``ax`` None) the figure grows to fit two-line labels, so labels wrap at
    ``fraction`` of its width. On a given axes of fixed height, when two lines per row would not
    fit, labels may take up to 45% of the width, so that most fit on one line.
    """
    if ax is None:
        return chars_fitting(mpl.rcParams["figure.figsize"][0] * 72 * fraction, size)
    fig = ax.get_figure(root=True)
    per_row = fig.get_figheight() * 72 * usable / max(rows, 1)
    if per_row < lines * 1.4 * size:
        fraction = max(fraction, wide)
    return chars_fitting(fig.get_figwidth() * 72 * fraction, size)


def _line_height_in(size: float) -> float:
    return size * 1.25 / 72.0


def set_title(ax, title, default: str):
    """Set a left-aligned bold title, wrapped to the room it has (see :func:`fit_title`); "" leaves it out."""
    text = default if title is DEFAULT or title is None else str(title)
    if not text:
        return ax.set_title("")
    artist = ax.set_title(text, loc="left", fontsize=style.text_size("title"), fontweight="bold", pad=10)
    fit_title(ax)
    return artist


def fit_title(ax, *, laid_out: bool = False) -> bool:
    """Wrap the axes' left title to the width from where it starts to the figure's right edge, less a margin;
    returns whether its text changed.

    The title is put on one line and wrapped again each time, so that it takes the room it has now.
    A left title starts at the axes' left edge. On a figure with constrained layout that has not run
    yet (a chart being drawn; a draft, whose layout runs only when it is saved), the edge is where
    the layout will put it: for an axes in the first column, at the layout's pad plus the width of
    the y axis's tick labels and label; elsewhere no further left than it is now. ``laid_out`` says
    the layout has run, and the axes' edge is where the title starts. :func:`finish` fits the title
    again once the chart has run its layout (a draft: once its tick labels are drawn).
    """
    title = getattr(ax, "_left_title", None)
    if title is None or not title.get_visible() or not title.get_text():
        return False
    fig = ax.get_figure(root=True)
    renderer = renderer_of(fig)
    left = ax.bbox.x0 - fig.bbox.x0
    engine = fig.get_layout_engine()
    if isinstance(engine, ConstrainedLayoutEngine) and not laid_out:
        decorations = ax.yaxis.get_tightbbox(renderer) if ax.axison and ax.yaxis.get_visible() else None
        width = max(0.0, ax.bbox.x0 - decorations.x0) if decorations is not None else 0.0
        spec = ax.get_subplotspec()
        placed = engine.get()["w_pad"] * fig.dpi + width
        left = placed if spec is not None and spec.colspan.start == 0 else max(left, placed)
    margin = style.text_size("title") * fig.dpi / 72
    before = title.get_text()
    wrap_text_to_width(title, renderer, fig.bbox.width - left - margin, rewrap=True)
    return title.get_text() != before


def wrap_to_figure(text: str, ax, *, fraction: float = 0.85, role: str = "label") -> str:
    """``text`` wrapped to ``fraction`` of the figure's width, at the type size of ``role``."""
    return style.wrap_label(text, chars_fitting(_fig_width_pt(ax) * fraction, style.text_size(role)))


def renderer_of(fig):
    """The figure's renderer, to measure texts before the figure is saved."""
    canvas = fig.canvas
    if hasattr(canvas, "get_renderer"):
        return canvas.get_renderer()
    return RendererAgg(int(fig.bbox.width), int(fig.bbox.height), fig.dpi)  # pragma: no cover - non-Agg canvases


def axes_size_pt(ax) -> tuple[float, float]:
    """Width and height of the axes in points once the figure's layout has run (in a draft, before it has)."""
    fig = ax.get_figure(root=True)
    if not _DRAFT.get():
        fig.draw_without_rendering()
    box = ax.get_position()
    width, height = fig.get_size_inches()
    return box.width * width * 72, box.height * height * 72


def text_size_pt(text, renderer, dpi: float) -> tuple[float, float]:
    box = text.get_window_extent(renderer)
    return box.width * 72 / dpi, box.height * 72 / dpi


def keep_inside(fig, texts, *, drawn: bool = False) -> None:
    """Re-wrap texts that stick out of the figure (long titles and axis labels) until they fit.

    Constrained layout makes room for the height of an axes' title and x label but not for
    their width, so a long one can run off the figure. This draws the figure once (without
    rendering; not when it is ``drawn`` already), measures each text, and wraps it to the width it has.
    """
    texts = [t for t in texts if t is not None and t.get_visible() and t.get_text()]
    if not texts or _DRAFT.get():
        return
    if not drawn:
        fig.draw_without_rendering()
    renderer = renderer_of(fig)
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
            if text.get_rotation() % 180 == 90:
                allowed = frame.height * 0.92
            else:
                ha = text.get_horizontalalignment()
                if ha == "left":
                    allowed = frame.x1 - box.x0 - 6
                elif ha == "right":
                    allowed = box.x1 - frame.x0 - 6
                else:
                    centre = (box.x0 + box.x1) / 2
                    allowed = 2 * min(centre - frame.x0, frame.x1 - centre) - 12
            before = text.get_text()
            wrap_text_to_width(text, renderer, allowed)
            if text.get_text() == before:
                break  # it sticks out for another reason than its length, or a word is too long: wrapping cannot help
            fig.draw_without_rendering()  # the layout moves the text it re-wrapped


def finish(ax, *extra):
    """Last step of every axes-level chart: fit its title to the room it has (:func:`fit_title`), and keep
    its title, x label (and ``extra`` texts) inside the figure."""
    fig = ax.get_figure(root=True)
    if _DRAFT.get():
        fit_title(ax)  # the tick labels are drawn now: the title's room is known better
        return ax
    fig.draw_without_rendering()  # the layout places the axes: the title starts at their edge
    changed = fit_title(ax, laid_out=True)
    titles = [ax.title, getattr(ax, "_left_title", None)]  # charts title on the left
    keep_inside(fig, [*titles, ax.xaxis.label, *extra], drawn=not changed)
    return ax


def draw_suppressed(ax, x, y, *, width, height, label_x=None, ha="left", transform=None):
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
        label="draw_suppressed",
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


def percent(value) -> str:
    """ "42%" for 0.42; "" for a missing value."""
    return "" if pd.isna(value) else f"{100 * value:.0f}%"


def color_key(color_by: str):
    """Colour function, name function, key order and legend title of ``"level"`` or ``"scie_category"``."""
    if color_by == "level":
        return style.level_color, style.level_name, list(LEVELS), "Level"
    return style.category_color, style.category_name, list(SCIE_CATEGORIES), "SCIE category"


def legend_right(ax, handles, title: str | None = None, **options):
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


def group_patches(keys, color_of, name_of, order, width: int) -> list[Patch]:
    """Legend patches of the groups present in ``keys``, in ``order``, then "Not set" for missing or unknown ones."""
    present = set(keys)
    ordered = [k for k in order if k in present]
    if any(style.is_missing(k) or k not in order for k in present):
        ordered.append(None)
    return [Patch(facecolor=color_of(k), edgecolor="none", label=style.wrap_label(name_of(k), width)) for k in ordered]


def top_rows(data: pd.DataFrame, top: int, by: str = "share") -> pd.DataFrame:
    """The ``top`` rows with the largest ``by`` (missing values last), ties in table order."""
    order = data.assign(_missing=data[by].isna(), _position=np.arange(len(data)))
    order = order.sort_values(["_missing", by, "_position"], ascending=[True, False, True], kind="stable")
    return order.head(top).drop(columns=["_missing", "_position"]).reset_index(drop=True)


def unit_of_prevalence(table: pd.DataFrame) -> str:
    """What a prevalence table counted: ``"episode"`` when its unit counts differ from its review counts."""
    if {"n_units", "n_reviews"} <= set(table.columns):
        both = table[["n_units", "n_reviews"]].dropna()
        if len(both) and not (both["n_units"] == both["n_reviews"]).all():
            return "episode"
    return "review"


def bars_height(rows: int, lines: float, size: float, overhead: float) -> float:
    """Height in inches of a figure of ``rows`` labelled rows of ``lines`` text lines each."""
    return max(3.0, overhead + rows * max(0.28, lines * _line_height_in(size) + 0.1))


def text_color_on(rgba) -> str:
    """White on a dark background colour, ink on a light one."""
    r, g, b = mcolors.to_rgb(rgba)
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return "white" if luminance < 0.5 else style.INK


def hide_frame(ax, *, keep_xlabel: bool = True):
    """No spines and no ticks: for charts drawn in points (networks, level map, sequences)."""
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.xaxis.set_major_locator(NullLocator())
    ax.yaxis.set_major_locator(NullLocator())
    if not keep_xlabel:
        ax.set_xlabel("")


def show_message(ax, text: str):
    """A centred message on an empty chart (nothing to draw)."""
    size = style.text_size("label")
    ax.text(
        0.5,
        0.5,
        wrap_to_figure(text, ax, fraction=0.6),
        ha="center",
        va="center",
        fontsize=size,
        color=style.MUTED,
        transform=ax.transAxes,
        gid="message",
    )
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)


def theme_members(themes) -> dict[str, int]:
    """Factor code -> theme number, from a ``systemic_themes`` table or a dict (factors without a theme left out)."""
    if themes is None:
        return {}
    if isinstance(themes, Mapping):
        return {str(k): int(v) for k, v in themes.items() if not pd.isna(v)}
    table = check_frame(themes, ["factor_code", "theme"], "themes=", "systemic_themes(rs)")
    table = table.dropna(subset=["theme"])
    return dict(zip(table["factor_code"].astype(str), table["theme"].astype(int), strict=True))


def graph_themes(G, themes, seed: int) -> dict[str, int]:
    """Factor code -> theme number: from ``themes`` when given, else the seeded Louvain themes of ``G``."""
    if themes is not None:
        return theme_members(themes)
    return louvain_themes(G, seed=seed)


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
