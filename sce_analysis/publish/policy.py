"""The publication policy: one object decides what every output may show.

A report (:class:`~sce_analysis.reports.run.Run`), the gallery and the slide deck, and the explorer
each hold one :class:`Policy` and publish every table, network, count and figure through it. A
fix to the rules therefore reaches every output at once. The rules themselves are in
:mod:`sce_analysis.publish.disclosure`; the policy holds their settings (the small-count
threshold and the contributing-areas minimum) and whether the output is for publication at all.

Examples
--------
>>> import sce_analysis as sce
>>> from sce_analysis.publish.policy import Policy
>>> rs = sce.load("data/sample")
>>> policy = Policy(publication=True)
>>> published = policy.table(sce.factor_prevalence(rs, by="area"))
>>> int(published["n_units"].notna().sum())  # every area's row rests on one area
0
>>> Policy(publication=False).count(2)
'2'
>>> policy.count(2)
'c'
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..checks import check_whole
from ..spreadsheets import write_people_csv
from ..textfit import wrap_text_to_width
from .disclosure import (
    DEFAULT_MIN_AREAS,
    DEFAULT_THRESHOLD,
    SUPPRESSED,
    Published,
    footer,
    is_hidden,
    publish,
    publish_network,
    to_published_csv,
)

__all__ = ["Policy", "add_footer_strip"]


@dataclass(frozen=True)
class Policy:
    """What an output may show.

    Parameters
    ----------
    publication : bool, default True
        True: small counts and figures with too few areas behind them are suppressed (``c``),
        and free text and identifiers are left out. False: full detail, for the analysts who
        hold the data; nothing is suppressed.
    threshold : int, default 5
        Counts from 1 to ``threshold - 1`` are suppressed.
    min_areas : int, default 3
        A figure is published only when at least this many areas (local partnerships) stand
        behind it; 1 turns the rule off.
    """

    publication: bool = True
    threshold: int = DEFAULT_THRESHOLD
    min_areas: int = DEFAULT_MIN_AREAS

    def __post_init__(self) -> None:
        object.__setattr__(self, "publication", bool(self.publication))
        object.__setattr__(self, "threshold", check_whole(self.threshold, "suppress_below", 1))
        object.__setattr__(self, "min_areas", check_whole(self.min_areas, "min_areas", 1))

    # ------------------------------------------------------------------ tables

    def publish(self, frame: pd.DataFrame) -> Published:
        """The table as it may be shown, with the mask of suppressed cells (none in full detail)."""
        if not self.publication:
            return Published(frame, pd.DataFrame(False, index=frame.index, columns=frame.columns))
        return publish(frame, threshold=self.threshold, min_areas=self.min_areas)

    def table(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The table as it may be shown: suppressed cells are missing values (charts draw them as gaps)."""
        return self.publish(frame).frame

    def write_csv(self, frame: pd.DataFrame, path) -> pd.DataFrame:
        """Write a table as CSV (suppressed cells as ``c``) and return it as it may be shown.

        The CSV file is for people, written the same way in full detail as in publication mode
        (:func:`~sce_analysis.spreadsheets.write_people_csv`): floats with ten significant
        figures, formula-like text with a ``'`` in front. The table returned keeps the exact text.
        """
        return self.write_published(frame, path).frame

    def write_published(self, frame: pd.DataFrame, path) -> Published:
        """As :meth:`write_csv`, but return the whole :class:`~sce_analysis.publish.disclosure.Published`
        result (the table and which cells were suppressed), for a caller that shows both."""
        published = self.publish(frame)
        if self.publication:
            to_published_csv(published, path)
        else:
            write_people_csv(frame, path)
        return published

    def hidden(self, columns) -> list[str]:
        """Which of ``columns`` may not be shown: identifiers and free text, in publication mode."""
        return [c for c in columns if self.publication and is_hidden(c)]

    # ------------------------------------------------------------------ networks and counts

    def network(self, graph):
        """The factor network as it may be drawn: in publication mode, without links and factors on
        small counts or too few areas."""
        if not self.publication:
            return graph
        return publish_network(graph, threshold=self.threshold, min_areas=self.min_areas)

    def count(self, n: int, *, areas: int | None = None) -> str:
        """One count as it may be shown in text: ``c`` when it is small, or when ``areas`` (the
        areas behind it, if known) are too few."""
        n = int(n)
        if self.publication and n > 0 and (n < self.threshold or (areas is not None and areas < self.min_areas)):
            return SUPPRESSED
        return f"{n:,}"

    # ------------------------------------------------------------------ what every output says

    def footer(self) -> str | None:
        """The line a publication output carries; None in full detail."""
        return footer(self.threshold, self.min_areas) if self.publication else None

    def stamp(self, figure, *, fontsize: float = 8) -> None:
        """Write the footer at the bottom right of a matplotlib figure (nothing in full detail).

        The footer goes on a strip added below the chart, so that it never covers the chart's own
        notes: the figure grows by the strip's height, and what it held keeps its size and place in
        inches above it (see :func:`add_footer_strip`). Stamp a figure once it is finished, just
        before it is saved.
        """
        text = self.footer()
        if text:
            add_footer_strip(figure, text, fontsize=fontsize, color="#555555")

    def describe(self) -> dict:
        """The settings as the manifest records them."""
        return {
            "mode": self.publication,
            "suppress_below": self.threshold,
            "min_areas": self.min_areas,
            "rules": self.footer(),
        }


# ------------------------------------------------------------------------------------ the footer strip

#: Layout passes run before the layout is pinned, as :func:`sce_analysis.charts.save_figure` runs them.
_LAYOUT_ROUNDS = 3


def add_footer_strip(figure, text: str, *, fontsize: float = 8, color: str = "#555555"):
    """Grow ``figure`` by a strip at the bottom and write ``text`` in it, at the right; returns the Text.

    A chart may carry its own notes at the very bottom (an axis label that explains the marks, a
    figure-level label), so a footer drawn over the figure's bottom edge would cover them. Instead:

    1. the figure's layout engine (constrained layout, in every chart here) runs and its result is
       pinned (the engine is set to none), so that nothing moves afterwards;
    2. the footer is wrapped to the figure's width and measured;
    3. the figure grows at the bottom by the footer's height and a margin (more when something
       already reaches below the figure's bottom edge), and every axes, figure text, legend and
       figure-level artist keeps its size and position in inches, above the strip;
    4. the footer is written in the strip, right-aligned.

    The layout is pinned, not told to keep out of the strip (its ``rect``): constrained layout puts
    a figure-level label at the bottom (``supxlabel``, the charts' scope footnote) at the figure's
    bottom edge, whatever the rect, where it would lie under the footer.

    The figure stays as wide as it was, and the footer lies inside it, so it shows whether the
    figure is saved with ``bbox_inches="tight"`` (reports) or as it is (the explorer). Artists
    placed in other coordinates than the figure's, inches or pixels from its bottom edge, and
    subfigures, are not moved (no chart here has any).
    """
    import matplotlib.transforms as mtransforms

    fig = figure.get_figure(root=True) if hasattr(figure, "get_figure") else figure
    engine = fig.get_layout_engine()
    for _ in range(_LAYOUT_ROUNDS if engine is not None else 1):  # a draw places the axis labels too
        fig.draw_without_rendering()
    if engine is not None:
        fig.set_layout_engine("none")  # pin the layout: a new figure size must not re-run it
    renderer = fig._get_renderer()
    dpi = fig.dpi
    width, height = fig.get_size_inches()
    margin = fontsize * 0.6 / 72  # inches above, below and beside the footer

    # Where the figure's content ends at the bottom (below 0 when something runs off the figure).
    bottom = _content_bottom(fig, renderer) / dpi

    footer = fig.text(1, 0, text, ha="right", va="bottom", multialignment="right", fontsize=fontsize, color=color)
    wrap_text_to_width(footer, renderer, (width - 2 * margin) * dpi)
    footer_height = footer.get_window_extent(renderer).height / dpi
    strip = footer_height + 2 * margin + max(0.0, -bottom)

    # Every figure-level artist's place, before the figure grows.
    axes = [
        (ax, ax.get_position(original=True), ax.get_position(original=False))
        for ax in fig.axes
        if ax.get_axes_locator() is None
    ]
    to_inches = fig.dpi_scale_trans.inverted()
    legends = [(legend, legend.get_bbox_to_anchor().transformed(to_inches)) for legend in fig.legends]
    in_figure = [t for t in fig.texts if t is not footer and t.get_transform() is fig.transFigure]
    others = [a for a in (*fig.patches, *fig.lines, *fig.artists) if a.get_transform() is fig.transFigure]

    new_height = height + strip
    fig.set_size_inches(width, new_height, forward=False)
    scale, shift = height / new_height, strip / new_height

    def raised(box):
        return [box.x0, box.y0 * scale + shift, box.width, box.height * scale]

    for ax, original, active in axes:
        ax._set_position(raised(original), which="original")
        ax._set_position(raised(active), which="active")
    for artist in in_figure:
        x, y = artist.get_position()
        artist.set_position((x, y * scale + shift))
    for legend, box in legends:
        legend.set_bbox_to_anchor(
            mtransforms.Bbox.from_extents(box.x0, box.y0 + strip, box.x1, box.y1 + strip), fig.dpi_scale_trans
        )
    raise_up = mtransforms.Affine2D().scale(1, scale).translate(0, shift)
    for artist in others:
        artist.set_transform(raise_up + fig.transFigure)

    footer.set_position((1 - margin / width, margin / new_height))
    return footer


def _content_bottom(fig, renderer) -> float:
    """The lowest point, in pixels from the figure's bottom edge, of anything drawn on ``fig``."""
    from matplotlib.text import Text

    boxes = [fig.get_tightbbox(renderer).transformed(fig.dpi_scale_trans)]
    boxes += [t.get_window_extent(renderer) for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]
    return min((box.y0 for box in boxes), default=0.0)
