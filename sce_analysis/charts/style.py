"""One look for every chart: contexts, fixed colours, plain-language names and the footnote stamp.

Trainers show the same charts to practitioners, managers and boards, in reports and on slides.
This module keeps them consistent:

- two contexts, ``paper`` (reports, notebooks) and ``talk`` (slides read at the back of a room:
  every text at least 14 pt), entered with ``with sce.style.context("talk"): ...``;
- one colour per SCIE finding category and one per level, from colour-blind-safe palettes
  (Okabe and Ito for the categories, Paul Tol's high-contrast scheme for the levels, which is
  ordered from dark to light even in greyscale: national, local strategic, frontline);
- plain-language display names (the short SCIE labels, and "Frontline", "Local strategic",
  "National");
- :func:`wrap_label`, which wraps a label and never truncates it;
- :func:`stamp`, the footnote that says what a chart stands on: "N = 80 reviews · 2011–2025 ·
  synthetic data".

Output is deterministic: both contexts fix ``svg.hashsalt``, and :func:`sce_analysis.charts.save_figure`
writes no date into the files.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import matplotlib as mpl
import numpy as np
from matplotlib.font_manager import FontProperties

from ..errors import ParameterError
from ..reviewsets.contract import LEVEL_NAMES, LEVELS, SCIE_CATEGORIES, SCIE_CATEGORY_SHORT_LABELS
from ..textfit import wrap_text_to_width, wrap_words

__all__ = [
    "CONTEXTS",
    "check_context",
    "is_missing",
    "CATEGORY_COLORS",
    "LEVEL_COLORS",
    "THEME_COLORS",
    "MISSING_COLOR",
    "SUPPRESSED_HATCH",
    "CATEGORY_NAMES",
    "LEVEL_NAMES",
    "context",
    "rc",
    "category_color",
    "level_color",
    "theme_color",
    "category_name",
    "level_name",
    "wrap_label",
    "text_size",
    "scope_text",
    "stamp",
]

# ----------------------------------------------------------------------------------- colours

#: Okabe-Ito colours, one per SCIE finding category, used by every chart that colours by category.
#: Yellow and black are left out: yellow bars vanish on white, black is kept for text and whiskers.
CATEGORY_COLORS: dict[str, str] = {
    "multi_agency_incidents": "#D55E00",  # vermillion
    "multi_agency_longer_term": "#0072B2",  # blue
    "human_tool": "#009E73",  # bluish green
    "human_management": "#E69F00",  # orange
    "family_professional": "#CC79A7",  # reddish purple
    "human_reasoning": "#56B4E9",  # sky blue
}
#: Paul Tol's high-contrast scheme, one colour per level; dark (national) to light (frontline).
LEVEL_COLORS: dict[str, str] = {
    "national": "#004488",  # dark blue
    "local_strategic": "#BB5566",  # red
    "frontline": "#DDAA33",  # yellow
}
#: Themes have no fixed meaning (they are numbered by size), so they take Tol's muted scheme,
#: which shares no hue name with the category colours; theme 1 gets the first colour.
THEME_COLORS: tuple[str, ...] = (
    "#332288",  # indigo
    "#117733",  # green
    "#CC6677",  # rose
    "#88CCEE",  # cyan
    "#999933",  # olive
    "#AA4499",  # purple
    "#44AA99",  # teal
    "#882255",  # wine
    "#DDCC77",  # sand
)
#: A factor without a category, level or theme.
MISSING_COLOR = "#BBBBBB"
#: Hatch of a value suppressed in publication mode (drawn as a marked gap, never as a bar).
SUPPRESSED_HATCH = "////"
#: The text that marks a suppressed value, as in DfE tables ("c" for confidential).
SUPPRESSED_MARK = "c"
#: Dark grey of whiskers, edges and secondary text.
INK = "#333333"
MUTED = "#666666"

#: Display names of the SCIE categories: the short labels, in plain language.
CATEGORY_NAMES: dict[str, str] = dict(SCIE_CATEGORY_SHORT_LABELS)

assert set(CATEGORY_COLORS) == set(SCIE_CATEGORIES) and set(LEVEL_COLORS) == set(LEVELS)


def is_missing(value) -> bool:
    """Whether a key counts as missing for the colour and name functions: None, NaN or <NA>."""
    return value is None or (isinstance(value, float) and np.isnan(value)) or value is np.nan or str(value) == "<NA>"


def category_color(key) -> str:
    """The fixed colour of a SCIE category key; grey for a missing or unknown one.

    Examples
    --------
    >>> category_color("human_tool")
    '#009E73'
    >>> category_color(None)
    '#BBBBBB'
    """
    return MISSING_COLOR if is_missing(key) else CATEGORY_COLORS.get(str(key), MISSING_COLOR)


def level_color(level) -> str:
    """The fixed colour of a level (``frontline``, ``local_strategic``, ``national``); grey otherwise."""
    return MISSING_COLOR if is_missing(level) else LEVEL_COLORS.get(str(level), MISSING_COLOR)


def theme_color(theme) -> str:
    """The colour of theme number ``theme`` (1, 2, ...); grey for no theme. Colours repeat after nine."""
    if is_missing(theme):
        return MISSING_COLOR
    return THEME_COLORS[(int(theme) - 1) % len(THEME_COLORS)]


def category_name(key) -> str:
    """Plain-language name of a SCIE category key (its short label); "Not set" when missing."""
    return "Not set" if is_missing(key) else CATEGORY_NAMES.get(str(key), str(key))


def level_name(level) -> str:
    """Plain-language name of a level; "Not set" when missing.

    Examples
    --------
    >>> level_name("local_strategic")
    'Local strategic'
    """
    return "Not set" if is_missing(level) else LEVEL_NAMES.get(str(level), str(level))


# ----------------------------------------------------------------------------------- contexts

_COMMON: dict = {
    "figure.dpi": 100,
    "savefig.dpi": 200,
    "figure.facecolor": "white",
    "axes.facecolor": "white",
    "savefig.facecolor": "white",
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": INK,
    "axes.labelcolor": INK,
    "axes.titlelocation": "left",
    "axes.titleweight": "bold",
    "xtick.color": INK,
    "ytick.color": INK,
    "text.color": INK,
    "legend.frameon": False,
    "legend.title_fontsize": None,
    "figure.constrained_layout.use": True,
    "svg.hashsalt": "sce-analysis",
    "svg.fonttype": "path",
    "pdf.fonttype": 42,
    "image.cmap": "Blues",
}

#: The rc settings of each context. Every size is in points, so nothing falls below its floor.
CONTEXTS: dict[str, dict] = {
    "paper": {
        **_COMMON,
        "figure.figsize": (8.0, 5.5),
        "font.size": 9.5,
        "axes.titlesize": 12.0,
        "axes.labelsize": 10.0,
        "xtick.labelsize": 9.0,
        "ytick.labelsize": 9.0,
        "legend.fontsize": 9.0,
        "legend.title_fontsize": 9.5,
        "figure.titlesize": 12.0,
        "figure.labelsize": 10.0,
        "axes.linewidth": 0.8,
        "lines.linewidth": 1.5,
        "lines.markersize": 5.0,
    },
    "talk": {
        **_COMMON,
        "figure.figsize": (12.6, 6.1),
        "font.size": 16.0,
        "axes.titlesize": 22.0,
        "axes.labelsize": 18.0,
        "xtick.labelsize": 16.0,
        "ytick.labelsize": 16.0,
        "legend.fontsize": 16.0,
        "legend.title_fontsize": 16.0,
        "figure.titlesize": 22.0,
        "figure.labelsize": 18.0,
        "axes.linewidth": 1.2,
        "lines.linewidth": 2.5,
        "lines.markersize": 8.0,
        "xtick.major.size": 6.0,
        "ytick.major.size": 6.0,
    },
}

#: The smallest text each context allows: annotations and footnotes never go below it.
_FLOOR = {"paper": 7.5, "talk": 14.0}


def check_context(name: str) -> str:
    """``name`` if it is one of :data:`CONTEXTS`; a ParameterError naming them otherwise."""
    if name not in CONTEXTS:
        raise ParameterError(f"context must be one of {', '.join(CONTEXTS)}; not {name!r}.")
    return name


def rc(name: str = "paper") -> dict:
    """The matplotlib rc settings of a context, as a new dict (for ``plt.rcParams.update``)."""
    return dict(CONTEXTS[check_context(name)])


@contextlib.contextmanager
def context(name: str = "paper") -> Iterator[dict]:
    """Draw in a context: ``paper`` for reports, ``talk`` for slides (every text at least 14 pt).

    Examples
    --------
    >>> import matplotlib as mpl
    >>> with context("talk"):
    ...     mpl.rcParams["xtick.labelsize"] >= 14
    True
    """
    settings = rc(name)
    with mpl.rc_context(settings):
        yield settings


def _points(value) -> float:
    return float(FontProperties(size=value).get_size_in_points())


def current_context() -> str:
    """``"talk"`` when the active rc settings are the talk context's sizes, else ``"paper"``."""
    return "talk" if _points(mpl.rcParams["xtick.labelsize"]) >= CONTEXTS["talk"]["xtick.labelsize"] else "paper"


def text_size(role: str = "annotation") -> float:
    """Font size in points for a text ``role`` under the active rc settings.

    Roles: ``"title"``, ``"label"`` (axis labels), ``"tick"``, ``"legend"``, ``"annotation"``
    (numbers in cells and beside bars) and ``"footnote"``. Annotations and footnotes are a little
    smaller than ticks but never below the context's floor (14 pt in ``talk``).
    """
    floor = _FLOOR[current_context()]
    base = {
        "title": mpl.rcParams["axes.titlesize"],
        "label": mpl.rcParams["axes.labelsize"],
        "tick": mpl.rcParams["ytick.labelsize"],
        "legend": mpl.rcParams["legend.fontsize"],
    }
    if role in base:
        return _points(base[role])
    if role in ("annotation", "footnote"):
        scale = 0.9 if role == "annotation" else 0.85
        return max(floor, round(_points(mpl.rcParams["ytick.labelsize"]) * scale, 1))
    raise ParameterError(f"role must be title, label, tick, legend, annotation or footnote; not {role!r}.")


# ----------------------------------------------------------------------------------- labels


def wrap_label(text, width: int = 28) -> str:
    """Wrap a label onto lines of at most ``width`` characters; words are never cut or dropped.

    A single word longer than ``width`` keeps a line of its own, whole.

    Examples
    --------
    >>> wrap_label("Strategy discussions held by police and social care only", 24)
    'Strategy discussions\\nheld by police and\\nsocial care only'
    >>> wrap_label("Supercalifragilistic", 5)
    'Supercalifragilistic'
    """
    if is_missing(text):
        return ""
    if isinstance(width, bool) or not isinstance(width, (int, np.integer)) or width < 1:
        raise ParameterError(f"width must be a whole number of at least 1, not {width!r}.")
    return wrap_words(str(text), int(width))


# ----------------------------------------------------------------------------------- stamp


def _is_synthetic(reviews) -> bool:
    if "data_origin" not in reviews.columns or len(reviews) == 0:
        return False
    return bool((reviews["data_origin"].astype("str").str.strip().str.lower() == "synthetic").all())


def scope_text(rs, *, extra: str | None = None, n_text: str | None = None) -> str:
    """The scope of a review set in one line: "N = 80 reviews · 2011–2025 · synthetic data".

    "synthetic data" is added when every review in scope has ``data_origin == "synthetic"``.
    ``n_text`` replaces the number of reviews as written (a publication policy writes ``c`` for
    a scope too small to show).

    Examples
    --------
    >>> import sce_analysis as sce
    >>> scope_text(sce.load("data/sample"))
    'N = 80 reviews · 2011–2025 · synthetic data'
    """
    reviews = rs.reviews
    n = len(reviews)
    parts = [f"N = {n_text if n_text is not None else f'{n:,}'} review{'s' if n != 1 else ''}"]
    if n:
        first, last = int(reviews["year"].min()), int(reviews["year"].max())
        parts.append(str(first) if first == last else f"{first}–{last}")
    if _is_synthetic(reviews):
        parts.append("synthetic data")
    if extra:
        parts.append(str(extra))
    return " · ".join(parts)


def stamp(fig_or_ax, rs, *, extra: str | None = None, n_text: str | None = None):
    """Write the scope footnote at the bottom left of a figure; returns the Text.

    The footnote is the figure's ``supxlabel``, so constrained layout keeps room for it and it
    never overlaps the chart; it is wrapped to the figure's width, so a long one (with a
    publication footer as ``extra``) never runs off it. ``extra`` is appended, e.g.
    ``"episodes as units"``; ``n_text`` is as in :func:`scope_text`.

    Examples
    --------
    >>> import matplotlib.pyplot as plt, sce_analysis as sce
    >>> fig, ax = plt.subplots()
    >>> stamp(ax, sce.load("data/sample")).get_text()
    'N = 80 reviews · 2011–2025 · synthetic data'
    >>> plt.close(fig)
    """
    fig = fig_or_ax.get_figure(root=True) if hasattr(fig_or_ax, "get_figure") else fig_or_ax
    if fig is None:
        fig = fig_or_ax.figure
    size = text_size("footnote")
    renderer = fig._get_renderer()
    x = 0.005
    ylabel = getattr(fig, "_supylabel", None)
    if ylabel is not None and ylabel.get_visible() and ylabel.get_text():
        # A figure-level y label runs down the left edge: the footnote starts beside it, not under it.
        x += (ylabel.get_window_extent(renderer).width + size * fig.dpi / 72) / fig.bbox.width
    label = fig.supxlabel(
        scope_text(rs, extra=extra, n_text=n_text),
        x=x,
        ha="left",
        fontsize=size,
        color=MUTED,
        fontweight="normal",
    )
    wrap_text_to_width(label, renderer, fig.bbox.width * (1 - x - 0.005))
    return label
