"""Every chart of a review set at once: a gallery folder with a contact sheet, and a slide deck.

:func:`render_gallery` writes each chart as PNG and SVG plus an ``index.html`` contact sheet;
:func:`build_deck` writes a PowerPoint deck (python-pptx) with a title slide, one chart per slide
and speaker notes that say in two sentences how to read each chart. Both draw from one registry,
:data:`CHARTS`, of chart specifications (name, title, how-to-read text, and the function that
makes the figure), so the gallery and the deck always show the same charts with the same words.

The tables are computed once per call with the library's own functions
(:class:`Tables`), then every chart draws from them.
"""

from __future__ import annotations

import html
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import matplotlib as mpl
import matplotlib.pyplot as plt
import pandas as pd

from .. import charts
from ..charts import style
from ..charts.common import label_map
from ..errors import SceAnalysisError
from ..publish.policy import Policy
from ..stats.networks import factor_network, factor_pairs, factor_sequences, systemic_themes
from ..stats.recurrence import (
    compare_groups,
    factor_prevalence,
    factor_trends,
    finding_categories,
    level_profile,
    most_different_group,
)
from .readings import READINGS

__all__ = ["ChartSpec", "CHARTS", "Tables", "render_gallery", "build_deck", "chart_figure"]

#: Figure size of a chart on a 16:9 slide below its title, in inches (the talk context's size).
SLIDE_FIGSIZE = (12.6, 6.1)


class Tables:
    """The tables every chart draws from, computed lazily (each at most once) from one review set.

    Attributes are the library's tables: ``prevalence``, ``prevalence_by_region``,
    ``prevalence_by_year``, ``pairs``, ``themes``, ``network``, ``sequences``, ``trends``,
    ``differences``, ``categories``; and ``labels`` (factor code -> label), ``group`` (the region
    drawn in the forest plot: the one with the clearest differences) and ``scope`` (the footnote).
    Every table and the network pass through ``policy`` (full detail when it is None).
    """

    def __init__(self, rs, *, seed: int = 0, policy: Policy | None = None):
        self.rs = rs
        self.seed = seed
        self.policy = policy if policy is not None else Policy(publication=False)

    def _out(self, frame: pd.DataFrame) -> pd.DataFrame:
        return self.policy.table(frame)

    @cached_property
    def prevalence(self) -> pd.DataFrame:
        return self._out(factor_prevalence(self.rs))

    @cached_property
    def prevalence_by_region(self) -> pd.DataFrame:
        return self._out(factor_prevalence(self.rs, by="region"))

    @cached_property
    def prevalence_by_year(self) -> pd.DataFrame:
        return self._out(factor_prevalence(self.rs, by="year"))

    @cached_property
    def pairs(self) -> pd.DataFrame:
        return self._out(factor_pairs(self.rs))

    @cached_property
    def themes(self) -> pd.DataFrame:
        # Stability needs bootstrap resamples, which the charts do not show: skip them.
        return self._out(systemic_themes(self.rs, seed=self.seed, resamples=0))

    @cached_property
    def network(self):
        return self.policy.network(factor_network(self.rs))

    @cached_property
    def sequences(self) -> pd.DataFrame:
        return self._out(factor_sequences(self.rs, seed=self.seed))

    @cached_property
    def trends(self) -> pd.DataFrame:
        return self._out(factor_trends(self.rs))

    @cached_property
    def differences(self) -> pd.DataFrame:
        return self._out(compare_groups(self.rs, by="region"))

    @cached_property
    def levels(self) -> pd.DataFrame:
        return self._out(level_profile(self.rs))

    @cached_property
    def categories(self) -> pd.DataFrame:
        return self._out(finding_categories(self.rs))

    @cached_property
    def labels(self) -> dict[str, str]:
        return label_map(self.rs.taxonomy, "Tables.labels")

    @cached_property
    def group(self) -> str:
        """The region drawn in the forest plot: the one with the most clear differences
        (:func:`sce_analysis.stats.recurrence.most_different_group`, as the notebooks choose it)."""
        return str(most_different_group(self.differences))

    @cached_property
    def scope(self) -> str:
        return style.scope_text(self.rs, n_text=self.n_reviews_text)

    @cached_property
    def n_reviews_text(self) -> str:
        """The number of reviews in scope as the policy lets it be shown."""
        n_areas = int(self.rs.reviews["area"].nunique())
        return self.policy.count(len(self.rs.reviews), areas=n_areas)

    @cached_property
    def sequence_n_label(self) -> str:
        episodes = self.rs.episodes
        n = int(episodes["sequence"].notna().sum()) if "sequence" in episodes else len(episodes)
        shown = self.policy.count(n, areas=int(self.rs.reviews["area"].nunique()))
        return f"N = {shown} key practice episodes in {self.n_reviews_text} reviews"

    def words(self) -> dict[str, str]:
        """Values that chart titles and reading notes may name, such as ``{group}``."""
        return {"group": self.group}


@dataclass(frozen=True)
class ChartSpec:
    """One chart of the gallery and the deck.

    ``title`` and ``how_to_read`` may name ``{group}`` (see :meth:`Tables.words`). ``make`` draws
    the chart from the tables in the active style context and returns its Figure; it receives
    the title to draw (``""`` on slides, where the slide carries it) and whether it is for a
    slide (a 16:9 figure with fewer rows).
    """

    name: str
    title: str
    how_to_read: str
    make: Callable[[Tables, str, bool], mpl.figure.Figure]

    def title_for(self, tables: Tables) -> str:
        return self.title.format(**tables.words())

    def how_to_read_for(self, tables: Tables) -> str:
        return self.how_to_read.format(**tables.words())


def _axes(slide: bool):
    if not slide:
        return None
    fig = plt.figure(figsize=SLIDE_FIGSIZE, layout="constrained")
    return fig.add_subplot()


def _make_prevalence(t: Tables, title: str, slide: bool):
    return charts.plot_prevalence(t.prevalence, top=8 if slide else 15, title=title, ax=_axes(slide)).figure


def _make_spread(t: Tables, title: str, slide: bool):
    ax = charts.plot_spread(t.prevalence_by_region, by="region", top=6 if slide else 20, title=title, ax=_axes(slide))
    return ax.figure


def _make_cooccurrence(t: Tables, title: str, slide: bool):
    ax = charts.plot_cooccurrence(
        t.pairs, themes=t.themes, labels=t.labels, top=8 if slide else 20, title=title, ax=_axes(slide)
    )
    return ax.figure


def _make_network(t: Tables, title: str, slide: bool):
    ax = charts.plot_factor_network(t.network, themes=t.themes, seed=t.seed, title=title, ax=_axes(slide))
    return ax.figure


def _make_level_map(t: Tables, title: str, slide: bool):
    return charts.plot_level_map(t.network, themes=t.themes, seed=t.seed, title=title, ax=_axes(slide)).figure


def _make_sequences(t: Tables, title: str, slide: bool):
    ax = charts.plot_sequences(
        t.sequences, top=6 if slide else 10, labels=t.labels, n_label=t.sequence_n_label, title=title, ax=_axes(slide)
    )
    return ax.figure


def _make_trends(t: Tables, title: str, slide: bool):
    fig = plt.figure(figsize=SLIDE_FIGSIZE, layout="constrained") if slide else None
    return charts.plot_trends(t.trends, t.prevalence_by_year, top=6, title=title, fig=fig)


def _make_group_differences(t: Tables, title: str, slide: bool):
    ax = charts.plot_group_differences(
        t.differences, group=t.group, top=5 if slide else 12, title=title, ax=_axes(slide)
    )
    return ax.figure


def _make_level_profile(t: Tables, title: str, slide: bool):
    return charts.plot_level_profile(t.levels, title=title, ax=_axes(slide)).figure


def _make_finding_categories(t: Tables, title: str, slide: bool):
    return charts.plot_finding_categories(t.categories, title=title, ax=_axes(slide)).figure


#: The charts of the gallery and the deck, in the order they are shown; their words are in
#: :data:`~sce_analysis.reports.readings.READINGS`.
CHARTS: tuple[ChartSpec, ...] = tuple(
    ChartSpec(name, *READINGS[name], make)
    for name, make in (
        ("prevalence", _make_prevalence),
        ("spread", _make_spread),
        ("level_profile", _make_level_profile),
        ("cooccurrence", _make_cooccurrence),
        ("network", _make_network),
        ("level_map", _make_level_map),
        ("sequences", _make_sequences),
        ("trends", _make_trends),
        ("group_differences", _make_group_differences),
        ("finding_categories", _make_finding_categories),
    )
)


def chart_figure(spec: ChartSpec, tables: Tables, *, context: str = "paper", slide: bool = False, title=None):
    """Draw one chart of the registry in a style context, stamped with the scope; returns the Figure.

    ``title=None`` draws the spec's title; ``""`` leaves it out (slides carry it instead).
    """
    with style.context(context):
        fig = spec.make(tables, spec.title_for(tables) if title is None else title, slide)
        style.stamp(fig, tables.rs, extra=tables.policy.footer(), n_text=tables.n_reviews_text)
    return fig


def render_gallery(rs, out_dir, *, context: str = "paper", seed: int = 0, policy: Policy | None = None) -> list[Path]:
    """Render every chart of a review set into a folder, with an ``index.html`` contact sheet.

    Each chart of :data:`CHARTS` is written as ``<name>.png`` (200 dpi) and ``<name>.svg``,
    stamped with the scope ("N = 80 reviews · 2011–2025 · synthetic data"). ``index.html`` shows
    a thumbnail of each chart, linking to its full PNG, with its title and two sentences on how
    to read it.

    Parameters
    ----------
    rs : ReviewSet
    out_dir : str or Path
        Created if needed; files of the same names are replaced.
    context : {"paper", "talk"}
        ``talk`` draws 16:9 charts with large text for slides.
    seed : int, default 0
        Seeds the themes and the network layout.
    policy : Policy, optional
        What the charts may show (:class:`~sce_analysis.publish.policy.Policy`); full detail when
        None. In publication mode every chart carries the policy's footer.

    Returns
    -------
    list of Path
        Every file written: each chart's PNG and SVG, in registry order, then ``index.html``.

    Examples
    --------
    >>> import tempfile, sce_analysis as sce
    >>> paths = render_gallery(sce.load("data/sample"), tempfile.mkdtemp())  # doctest: +SKIP
    >>> paths[-1].name  # doctest: +SKIP
    'index.html'
    """
    context = style.check_context(context)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    tables = Tables(rs, seed=seed, policy=policy)
    written: list[Path] = []
    cards = []
    for spec in CHARTS:
        fig = chart_figure(spec, tables, context=context, slide=context == "talk")
        try:
            png, svg = charts.save_figure(fig, out / spec.name)
        finally:
            plt.close(fig)
        written += [png, svg]
        cards.append((spec.name, spec.title_for(tables), spec.how_to_read_for(tables)))
    index = out / "index.html"
    index.write_text(_contact_sheet(tables, cards), encoding="utf-8", newline="\n")
    written.append(index)
    return written


def _contact_sheet(tables: Tables, cards: list[tuple[str, str, str]]) -> str:
    rs = tables.rs
    n_areas = rs.reviews["area"].nunique()
    n_regions = rs.reviews["region"].nunique()
    scope = f"{tables.scope} · {n_areas:,} areas in {n_regions:,} regions"
    items = "\n".join(
        f"""  <figure>
    <a href="{html.escape(name)}.png"><img src="{html.escape(name)}.png" alt="{html.escape(title)}" loading="lazy"></a>
    <figcaption><h2>{html.escape(title)}</h2><p>{html.escape(how)}</p>
    <p class="files"><a href="{html.escape(name)}.png">PNG</a> · <a href="{html.escape(name)}.svg">SVG</a></p>
    </figcaption>
  </figure>"""
        for name, title, how in cards
    )
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Patterns across case reviews</title>
<style>
  body {{ font-family: "DejaVu Sans", Arial, sans-serif; margin: 2rem; color: #333; background: #fafafa; }}
  h1 {{ margin-bottom: 0.2rem; }}
  .scope {{ color: #666; margin-top: 0; }}
  main {{ display: grid; grid-template-columns: repeat(auto-fill, minmax(340px, 1fr)); gap: 1.5rem; }}
  figure {{ margin: 0; background: white; border: 1px solid #ddd; border-radius: 6px; padding: 0.8rem; }}
  img {{ width: 100%; height: 240px; object-fit: contain; background: white; }}
  h2 {{ font-size: 1.05rem; margin: 0.6rem 0 0.3rem; }}
  p {{ font-size: 0.9rem; line-height: 1.35; margin: 0.3rem 0; }}
  .files {{ color: #666; }}
</style>
</head>
<body>
<h1>Patterns across case reviews</h1>
<p class="scope">{html.escape(scope)}. Click a chart to open it full size.</p>
<main>
{items}
</main>
</body>
</html>
"""


def build_deck(rs, path, *, context: str = "talk", seed: int = 0, policy: Policy | None = None) -> Path:
    """Write a PowerPoint deck: a title slide with the scope, then one chart per slide.

    Each chart slide has the chart's title and, in its speaker notes, two sentences on how to
    read the chart. Charts are drawn in ``context`` (``talk``: 16:9, every text at least 14 pt)
    and placed on 16:9 slides. Needs python-pptx.

    Parameters
    ----------
    rs : ReviewSet
    path : str or Path
        The ``.pptx`` file to write (the suffix is added when missing); its folder is created.
    context : {"talk", "paper"}
    seed : int, default 0
        Seeds the themes and the network layout.
    policy : Policy, optional
        As in :func:`render_gallery`.

    Returns
    -------
    Path
        The deck. It has ``1 + len(CHARTS)`` slides.

    Examples
    --------
    >>> import tempfile, pathlib, sce_analysis as sce
    >>> deck = build_deck(sce.load("data/sample"), pathlib.Path(tempfile.mkdtemp()) / "deck")  # doctest: +SKIP
    >>> deck.suffix  # doctest: +SKIP
    '.pptx'
    """
    try:
        from pptx import Presentation
        from pptx.util import Emu, Inches, Pt
    except ImportError as error:  # pragma: no cover - depends on the environment
        raise SceAnalysisError("build_deck needs python-pptx: pip install python-pptx") from error
    context = style.check_context(context)
    path = Path(path)
    if path.suffix.lower() != ".pptx":
        path = path.with_name(path.name + ".pptx")
    path.parent.mkdir(parents=True, exist_ok=True)
    tables = Tables(rs, seed=seed, policy=policy)
    deck = Presentation()
    deck.slide_width, deck.slide_height = Inches(13.333), Inches(7.5)
    deck.core_properties.title = "Patterns across case reviews"
    reviews = rs.reviews
    n_areas, n_regions = reviews["area"].nunique(), reviews["region"].nunique()
    first = deck.slides.add_slide(deck.slide_layouts[0])
    heading, sub = first.shapes.title, first.placeholders[1]
    heading.text = f"Patterns across {tables.n_reviews_text} SCIE case reviews"
    parts = tables.scope.split(" · ")
    subtitle = [f"{parts[0]} from {n_areas:,} areas in {n_regions:,} regions", *parts[1:]]
    sub.text = " · ".join(subtitle)
    # The default template is 4:3: centre its placeholders on the 16:9 slide.
    heading.left, heading.top, heading.width, heading.height = Inches(0.9), Inches(2.2), Inches(11.53), Inches(1.6)
    sub.left, sub.top, sub.width, sub.height = Inches(0.9), Inches(4.1), Inches(11.53), Inches(1.4)
    first.notes_slide.notes_text_frame.text = (
        f"These charts stand on {tables.n_reviews_text} case reviews from {n_areas:,} areas. "
        "Each chart says what it counts at its foot, and the notes of each slide say how to read it."
    )
    # The chart is placed at its own size (never enlarged or shrunk much), so its text keeps the
    # talk context's sizes on the slide: at least 14 pt.
    box_left, box_top, box_width, box_height = Inches(0.17), Inches(1.1), Inches(13.0), Inches(6.35)
    with tempfile.TemporaryDirectory(prefix="sce-deck-") as scratch:
        for spec in CHARTS:
            fig = chart_figure(spec, tables, context=context, slide=True, title="")
            try:
                png, _ = charts.save_figure(fig, Path(scratch) / spec.name)
            finally:
                plt.close(fig)
            slide = deck.slides.add_slide(deck.slide_layouts[5])  # title only
            title = slide.shapes.title
            title.text = spec.title_for(tables)
            title.left, title.top, title.width, title.height = Inches(0.4), Inches(0.2), Inches(12.5), Inches(0.9)
            for paragraph in title.text_frame.paragraphs:
                for run in paragraph.runs:
                    run.font.size = Pt(30)
            width, height = _image_size(png)
            width, height = Inches(width / 200), Inches(height / 200)  # saved at 200 dpi
            scale = min(1.0, box_width / width, box_height / height)
            w, h = int(width * scale), int(height * scale)
            slide.shapes.add_picture(
                str(png), Emu(box_left + (box_width - w) // 2), Emu(box_top + (box_height - h) // 2), Emu(w), Emu(h)
            )
            slide.notes_slide.notes_text_frame.text = spec.how_to_read_for(tables)
        deck.save(path)
    return path


def _image_size(png: Path) -> tuple[int, int]:
    """Width and height of a PNG in pixels (from its header)."""
    header = png.read_bytes()[16:24]
    return int.from_bytes(header[:4], "big"), int.from_bytes(header[4:], "big")
