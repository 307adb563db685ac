"""The interactive explorer: filters, tabs of charts and tables, and a drill-down to the KPEs behind a factor.

:func:`explore` builds an ipywidgets app on a :class:`ReviewSet`. It works in JupyterLab and in a
Voila dashboard (no code shown). Every number it shows comes from the library's own functions,
computed on the review set in scope and published through one
:class:`~sce_analysis.publish.policy.Policy`, so the explorer can never disagree with a report:

- a filter change computes one boolean mask over the reviews from their cached area, region,
  year and review-type arrays, and :meth:`ReviewSet.select_reviews` makes the set in scope by
  position; the presence matrices built once for the whole set come along, sliced, so the
  statistics start from matrices that already exist;
- only the visible tab is computed and drawn; its whole published table is
  :meth:`Explorer.table`, and the drill-down is :func:`sce_analysis.stats.drilldown.factor_drilldown`.

In publication mode the policy suppresses small counts and figures with too few areas behind
them in every table, the network, the status line and the drill-down, and no free text or
identifier is shown.
"""

from __future__ import annotations

import base64
import contextlib
import html
import io
import struct
import time
from functools import partial

import ipywidgets as w
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..charts import style
from ..charts.bars import horizontal_bars, plot_finding_categories, plot_prevalence, share_max
from ..charts.common import draft
from ..charts.heatmaps import plot_cooccurrence, plot_spread
from ..charts.networks import plot_factor_network, plot_sequences
from ..errors import ParameterError, SceAnalysisError
from ..publish.disclosure import DEFAULT_MIN_AREAS, DEFAULT_THRESHOLD, SUPPRESSED
from ..publish.policy import Policy
from ..reports.formatting import html_table, readable, table_layout
from ..reports.readings import READINGS
from ..stats.drilldown import Drilldown, factor_drilldown, pair_evidence
from ..stats.networks import factor_network, factor_pairs, factor_sequences, node_metrics, systemic_themes
from ..stats.presence import presence
from ..stats.recurrence import factor_prevalence, finding_categories

__all__ = ["Explorer", "explore", "TABS", "THEME_RESAMPLES"]

#: The tabs of the explorer, in order: (key, title). Titles are shown in full (the tab bar wraps).
TABS = (
    ("recurrence", "Recurring factors"),
    ("network", "Network"),
    ("themes", "Themes"),
    ("sequences", "Sequences"),
    ("findings", "Findings by SCIE category"),
    ("spread", "Spread by region"),
)
_POLARITY_OPTIONS = (("all", None), ("problematic", "problematic"), ("good", "good"))
#: Charts are drawn at twice the resolution they are shown at: sharp on high-density screens and projectors,
#: and the PNG a trainer downloads is good enough for a slide. (Rasterising is a small part of a draw.)
_CHART_DPI = 144
_SHOWN_SCALE = 2
#: What a reader is told about each tab's chart (its alt text), from the report's readings where the
#: explorer draws the same chart.
_CHART_READINGS = {
    "recurrence": READINGS["prevalence"].how_to_read,
    "network": READINGS["network"].how_to_read,
    "themes": "Each bar is a factor of one of the largest themes (factors that recur together), grouped and "
    "coloured by theme; its length is the share of episodes in scope with the factor, with a 95% interval.",
    "sequences": READINGS["sequences"].how_to_read,
    "findings": READINGS["finding_categories"].how_to_read,
    "spread": READINGS["spread"].how_to_read,
}
#: The report table each tab's table is: its layout for reading (columns and headers) is the report's
#: (:data:`~sce_analysis.reports.formatting.TABLE_LAYOUTS`); the downloaded CSV has every column.
_TAB_TABLES = {
    "recurrence": "factor_prevalence",
    "network": "node_metrics",
    "themes": "themes",
    "sequences": "factor_sequences",
    "findings": "finding_categories",
    "spread": "prevalence_by_region",
}
_UNITS = ("review", "episode")
#: The link dropdown's first choice: no link.
_NO_LINK = "(pick a link of the network)"
#: The app's own styles: full tab titles (the tab bar wraps instead of cutting them short), readable tables,
#: a publication banner, and links large enough to hit (WCAG 2.5.8).
_STYLE = """<style>
.sce-explorer .jupyter-widget-tab > .lm-TabBar .lm-TabBar-content { flex-wrap: wrap; }
.sce-explorer .jupyter-widget-tab > .lm-TabBar .lm-TabBar-tab { flex: 0 0 auto; max-width: none; color: #1f1f1f;
  background: #ececec; }
.sce-explorer .jupyter-widget-tab > .lm-TabBar { height: auto; }
.sce-explorer .widget-label { color: #1f1f1f; }
.sce-explorer table.data { border-collapse: collapse; font-size: 0.9rem; }
.sce-explorer table.data th { text-align: left; vertical-align: bottom; border-bottom: 1px solid #555; }
.sce-explorer table.data th, .sce-explorer table.data td { padding: 0.15rem 0.6rem; }
.sce-explorer table.data tbody tr:nth-child(even) { background: #f3f3f3; }
.sce-explorer table.data .num { text-align: right; font-variant-numeric: tabular-nums; }
.sce-explorer table.data td.num { white-space: nowrap; }
.sce-explorer table.data td { min-width: 4rem; line-height: 1.3; }
.sce-explorer .sce-episodes table.data td:last-child { min-width: 22rem; }
.sce-explorer .jupyter-widget-tab > .lm-TabBar .lm-TabBar-tab.lm-mod-current { background: #fff; }
.sce-explorer table.data caption { text-align: left; font-weight: bold; padding: 0.3rem 0; }
.sce-banner { border-left: 6px solid #1d4f91; background: #eaf0f8; color: #111; padding: 0.5rem 0.8rem;
  margin: 0 0 0.5rem; }
.sce-downloads a { display: inline-block; min-height: 24px; line-height: 24px; margin-right: 1.5rem;
  color: #0b4f9c; }
.sce-chart img { max-width: 100%; height: auto; }
.sce-explorer h2.sce-heading { font-size: 1.1rem; margin: 0.8rem 0 0.3rem; }
</style>"""
#: Long tables scroll inside the app instead of pushing the drill-down off the screen.
_SCROLL = "max-height: 28em; overflow: auto"
#: The network and themes tabs count pairs of factors coded on the same key practice episode (the
#: library's default): at review level a small scope has too few reviews for any pair to be significant.
PAIR_UNIT = "episode"
#: Bootstrap resamples for theme stability, when asked for: fewer than a report's 200, so the tab draws in
#: about a second. Without them the themes tab is as quick as the others.
THEME_RESAMPLES = 20
#: The controls each tab's table depends on, besides the filters.
_TAB_CONTROLS = {
    "recurrence": ("unit", "polarity"),
    "network": ("polarity", "alpha", "min_lift"),
    "themes": ("polarity", "stability"),
    "sequences": ("polarity",),
    "findings": (),
    "spread": ("unit", "polarity"),
}
#: Factors in the themes heat map and the spread chart: each cell is a text to lay out, and a chart of
#: a dozen rows reads well on a screen and draws in a fraction of a second.
THEME_TOP = 10
SPREAD_TOP = 10
_TOP = 15


def explore(
    rs,
    *,
    publication: bool = False,
    suppress_below: int = DEFAULT_THRESHOLD,
    min_areas: int = DEFAULT_MIN_AREAS,
    policy: Policy | None = None,
) -> Explorer:
    """An interactive explorer of a review set, for JupyterLab or a Voila dashboard.

    Parameters
    ----------
    rs : ReviewSet
    publication : bool, default False
        Suppress counts from 1 to ``suppress_below - 1``, and figures that fewer than
        ``min_areas`` areas stand behind, and show no free text or identifiers.
    suppress_below : int, default 5
    min_areas : int, default 3
    policy : Policy, optional
        The publication policy to show through; when given, the three options above are not used.

    Returns
    -------
    Explorer
        Shown when it is the last value of a cell; its ``widget`` attribute is the ipywidgets box.

    Examples
    --------
    >>> import sce_analysis as sce
    >>> from sce_analysis.explorer import explore
    >>> app = explore(sce.load("data/sample"))
    >>> app.status_text().endswith("in scope")
    True
    >>> app.table("recurrence").equals(sce.factor_prevalence(app.scope()))
    True
    """
    if policy is None:
        policy = Policy(publication=publication, threshold=suppress_below, min_areas=min_areas)
    return Explorer(rs, policy=policy)


class Explorer:
    """The explorer app. Build it with :func:`explore`.

    Attributes
    ----------
    widget : ipywidgets.VBox
        The whole app.
    policy : Policy
        What the app may show.
    status : ipywidgets.HTML
        The status line (CSS class ``sce-status``): reviews, areas and years in scope.
    scope_table : ipywidgets.HTML
        What is in scope, as a table (CSS class ``sce-scope``; :meth:`scope_summary`).
    charts : dict of str to ipywidgets.HTML
        One chart per tab, an image with alt text (CSS classes ``sce-chart`` and ``sce-chart-<tab>``);
        :attr:`pngs` holds the PNG files shown.
    tables : dict of str to ipywidgets.HTML
        The first rows of each tab's table, formatted for reading (:meth:`table` gives the whole table).
    downloads : dict of str to ipywidgets.HTML
        Per tab, links that download its whole table (CSV, :meth:`table_csv`) and its chart (PNG).
    link : ipywidgets.Dropdown
        In the network tab: a link of the network, to list the KPEs where both factors were coded
        (:meth:`pair_evidence`, shown in :attr:`pair_drill`).
    """

    def __init__(self, rs, *, policy: Policy | None = None):
        if len(rs.reviews) == 0:
            raise ParameterError("the review set has no reviews: load a set with at least one review to explore it.")
        self.rs = rs
        self.policy = policy if policy is not None else Policy(publication=False)
        #: Draw the recurrence and themes tabs with the library's full charts (slower) instead of quick bars.
        self.full_charts = False
        self._prepare_arrays()
        self._scope_cache: dict = {}
        self._table_cache: dict = {}
        self._rendered: dict[str, tuple] = {}
        self._quiet = False
        self.timings: dict[str, float] = {}
        #: The PNG file each tab shows (what "download this chart" gives).
        self.pngs: dict[str, bytes] = {}
        #: Tabs whose last drawing failed unexpectedly, with the error (shown in the tab as a message).
        self.failures: dict[str, str] = {}
        self._build_widgets()
        self.update()

    @property
    def publication(self) -> bool:
        return self.policy.publication

    @property
    def threshold(self) -> int:
        return self.policy.threshold

    # ------------------------------------------------------------------ widgets

    def _build_widgets(self) -> None:
        filters = self._build_filters()
        tabs = self._build_tabs()
        by_label = sorted(self._labels.items(), key=lambda item: item[1])
        self.factor = w.Dropdown(
            options=[("(pick a factor)", None)] + [(f"{label} ({code})", str(code)) for code, label in by_label],
            value=None,
            description="Factor",
            layout=w.Layout(width="60%"),
        )
        self.factor.add_class("sce-factor")
        self.drill = w.HTML()
        self.drill.add_class("sce-drill")
        drill = w.VBox(
            [w.HTML('<h2 class="sce-heading">Drill-down: the KPEs behind a factor</h2>'), self.factor, self.drill]
        )
        footer = self.policy.footer()
        banner = w.HTML(f'<div class="sce-banner" role="note"><strong>{html.escape(footer or "")}</strong></div>')
        banner.add_class("sce-publication-banner")
        main = w.VBox(
            [banner, self.status, tabs, drill] if footer else [self.status, tabs, drill], layout=w.Layout(width="66%")
        )
        self.widget = w.VBox([w.HTML(_STYLE), w.HBox([filters, main])])
        self.widget.add_class("sce-explorer")

        controls = (self.first_year, self.last_year, self.regions, self.areas, self.review_types, self.unit)
        for control in (*controls, self.polarity):
            control.observe(self._on_filter, names="value")
        for control in (self.alpha, self.min_lift, self.stability):
            control.observe(self._on_tab_control, names="value")
        self.tabs.observe(self._on_tab_control, names="selected_index")
        self.factor.observe(self._on_factor, names="value")
        self.link.observe(self._on_link, names="value")

    def _build_filters(self) -> w.VBox:
        first, last = int(self._year.min()), int(self._year.max())
        layout = w.Layout(width="98%")
        # Two labelled lists, not a range slider: ipywidgets' slider handles have no accessible name and
        # cannot be given one (axe-core: aria-input-field-name), and a list shows its year in full.
        years = tuple(range(first, last + 1))
        self.first_year = w.Dropdown(options=years, value=first, description="From year")
        self.first_year.add_class("sce-first-year")
        self.last_year = w.Dropdown(options=years, value=last, description="To year")
        self.last_year.add_class("sce-last-year")
        years = w.VBox([self.first_year, self.last_year])
        years.add_class("sce-years")
        self.regions = w.SelectMultiple(options=list(self._region_names), rows=5, description="Regions", layout=layout)
        self.regions.add_class("sce-regions")
        self.areas = w.SelectMultiple(options=list(self._area_names), rows=6, description="Areas", layout=layout)
        self.areas.add_class("sce-areas")
        self.review_types = w.SelectMultiple(options=list(self._type_names), rows=3, description="Types", layout=layout)
        self.review_types.add_class("sce-review-types")
        self.unit = w.ToggleButtons(options=[(unit, unit) for unit in _UNITS], description="Unit")
        self.unit.add_class("sce-unit")
        self.polarity = w.ToggleButtons(options=list(_POLARITY_OPTIONS), description="Polarity")
        self.polarity.add_class("sce-polarity")
        self.status = w.HTML()
        self.status.add_class("sce-status")
        self.scope_table = w.HTML()
        self.scope_table.add_class("sce-scope")
        hint = w.HTML("<small>An empty selection keeps every region, area or type.</small>")
        filters = w.VBox(
            [years, self.regions, self.areas, self.review_types, self.unit, self.polarity, hint, self.scope_table],
            layout=w.Layout(width="32%", min_width="260px"),
        )
        filters.add_class("sce-filters")
        return filters

    def _build_tabs(self) -> w.Tab:
        # Lists of the usual values rather than sliders, for the accessible names sliders lack (see the years).
        self.alpha = w.Dropdown(
            options=[(f"{value:g}", value) for value in (0.001, 0.01, 0.05, 0.1, 0.2)],
            value=0.05,
            description="q below",
            style={"description_width": "initial"},
            layout=w.Layout(width="12em"),
        )
        self.alpha.add_class("sce-alpha")
        self.min_lift = w.Dropdown(
            options=[(f"{value:g}", value) for value in (1.0, 1.5, 2.0, 3.0, 5.0, 10.0)],
            value=1.0,
            description="lift above",
            style={"description_width": "initial"},
            layout=w.Layout(width="12em"),
        )
        self.min_lift.add_class("sce-min-lift")
        self.stability = w.Checkbox(
            value=False,
            description=f"Theme stability ({THEME_RESAMPLES} bootstrap resamples; slower)",
            indent=False,
            layout=w.Layout(width="auto"),
        )
        self.stability.add_class("sce-stability")
        self.link = w.Dropdown(
            options=[(_NO_LINK, None)],
            value=None,
            description="Link",
            layout=w.Layout(width="90%"),
        )
        self.link.add_class("sce-link")
        self.pair_drill = w.HTML()
        self.pair_drill.add_class("sce-pair-drill")
        self.charts: dict[str, w.HTML] = {}
        self.tables: dict[str, w.HTML] = {}
        self.downloads: dict[str, w.HTML] = {}
        pages = []
        for key, _ in TABS:
            image = w.HTML(layout=w.Layout(max_width="100%"))
            image.add_class("sce-chart")
            image.add_class(f"sce-chart-{key}")
            table = w.HTML()
            table.add_class("sce-table")
            table.add_class(f"sce-table-{key}")
            downloads = w.HTML()
            downloads.add_class("sce-downloads")
            downloads.add_class(f"sce-downloads-{key}")
            self.charts[key], self.tables[key], self.downloads[key] = image, table, downloads
            children = [image, downloads, table]
            if key == "network":
                children = [w.HBox([self.alpha, self.min_lift]), *children]
                children += [w.HTML('<h2 class="sce-heading">The KPEs behind a link</h2>'), self.link, self.pair_drill]
            if key == "themes":
                children = [self.stability, *children]
            if key in ("network", "themes"):
                children.append(w.HTML("<small>Pairs of factors coded on the same key practice episode.</small>"))
            pages.append(w.VBox(children))
        self.tabs = w.Tab(children=pages, titles=[title for _, title in TABS])
        self.tabs.add_class("sce-tabs")
        return self.tabs

    # ------------------------------------------------------------------ display

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)

    # ------------------------------------------------------------------ the filter arrays

    def _prepare_arrays(self) -> None:
        rs = self.rs
        reviews = rs.reviews
        self._year = reviews["year"].to_numpy(dtype=np.int64)
        self._area, self._area_names = pd.factorize(reviews["area"], sort=True)
        self._region, self._region_names = pd.factorize(reviews["region"], sort=True)
        self._type, self._type_names = pd.factorize(reviews["review_type"], sort=True)
        taxonomy = rs.taxonomy
        #: Factor code -> label (the code where the taxonomy has no label).
        self._labels: dict[str, str] = dict(
            zip(taxonomy["factor_code"], taxonomy["label"].fillna(taxonomy["factor_code"]).astype(str), strict=True)
        )
        # The presence matrices are built once for the whole set; every set in scope gets them sliced.
        for unit in ("review", "episode"):
            for _, polarity in _POLARITY_OPTIONS:
                presence(rs, unit=unit, polarity=polarity)

    # ------------------------------------------------------------------ state

    @property
    def year_options(self) -> tuple[int, ...]:
        """The years the lists offer: every year from the set's first to its last."""
        return tuple(self.first_year.options)

    @property
    def years(self) -> tuple[int, int]:
        """The chosen years, first and last (set them with :meth:`set_filters`)."""
        return (int(self.first_year.value), int(self.last_year.value))

    def selection(self) -> dict:
        """The current filters, in the form :meth:`ReviewSet.filter` takes (None: no restriction)."""
        first, last = self.years
        everything = (first, last) == (self.year_options[0], self.year_options[-1])
        return {
            "years": None if everything else (int(first), int(last)),
            "regions": list(self.regions.value) or None,
            "areas": list(self.areas.value) or None,
            "review_types": list(self.review_types.value) or None,
        }

    def review_mask(self) -> np.ndarray:
        """Which reviews (rows of ``rs.reviews``) the filters keep, from the cached arrays."""
        first, last = self.years
        mask = (self._year >= first) & (self._year <= last)
        for codes, names, widget in (
            (self._region, self._region_names, self.regions),
            (self._area, self._area_names, self.areas),
            (self._type, self._type_names, self.review_types),
        ):
            if widget.value:
                mask &= np.isin(codes, names.get_indexer(list(widget.value)))
        return mask

    def _filter_key(self) -> tuple:
        return (self.years, self.regions.value, self.areas.value, self.review_types.value)

    def scope(self):
        """The review set in scope: what ``rs.filter(**selection())`` gives, made by position from the
        cached mask (with the presence matrices sliced, not rebuilt), and kept per filter state."""
        key = self._filter_key()
        if key not in self._scope_cache:
            self._scope_cache.clear()
            self._scope_cache[key] = self.rs.select_reviews(self.review_mask())
        return self._scope_cache[key]

    def status_text(self) -> str:
        """The status line: how many reviews, areas and years are in scope."""
        reviews = self.scope().reviews
        if len(reviews) == 0:
            reversed_years = self._reversed_years()
            return "0 reviews · 0 areas · no years in scope" + (f" ({reversed_years})" if reversed_years else "")
        n_areas = int(reviews["area"].nunique())
        first, last = int(reviews["year"].min()), int(reviews["year"].max())
        years = f"year {first}" if first == last else f"years {first}–{last}"
        count = self.policy.count
        return (
            f"{count(len(reviews), areas=n_areas)} reviews · {count(n_areas, areas=n_areas)} areas · {years} in scope"
        )

    def scope_summary(self) -> pd.DataFrame:
        """What is in scope, as the policy lets it be shown: columns ``measure`` (words) and ``value``
        (text: counts with thousands separators, ``c`` when suppressed, and the years as a range)."""
        scope = self.scope()
        counts = scope.summary().set_index("measure")["count"]
        n_areas = int(counts["areas"])
        rows = [
            ("Reviews", "reviews"),
            ("Areas", "areas"),
            ("Regions", "regions"),
            ("Key practice episodes", "episodes"),
            ("Coded factors", "coded_factors"),
            ("Findings", "findings"),
        ]
        values = [self.policy.count(int(counts[name]), areas=n_areas) for _, name in rows]
        first, last = int(counts["first_year"]), int(counts["last_year"])
        years = "none" if counts["reviews"] == 0 else str(first) if first == last else f"{first}–{last}"
        return pd.DataFrame(
            {"measure": [label for label, _ in rows] + ["Years"], "value": [*values, years]}, dtype="str"
        )

    def _state_key(self, key: str) -> tuple:
        """What a tab's table depends on: the filters and that tab's own controls (the pair tabs count
        episodes whatever the unit, and findings have no polarity), so other controls redraw nothing."""
        return (*self._filter_key(), *(getattr(self, control).value for control in _TAB_CONTROLS[key]))

    # ------------------------------------------------------------------ the tables behind the tabs

    def _check_tab(self, tab: str) -> None:
        keys = [key for key, _ in TABS]
        if tab not in keys:
            raise ParameterError(f"tab must be one of {', '.join(keys)}; not {tab!r}.")

    def table(self, tab: str) -> pd.DataFrame:
        """The whole table behind a tab, as the policy publishes it (all its rows, not only those drawn).

        ``tab`` is a key of :data:`TABS`: ``recurrence`` (:func:`factor_prevalence`), ``network``
        (:func:`node_metrics` of the published network), ``themes`` (:func:`systemic_themes`),
        ``sequences`` (:func:`factor_sequences`), ``findings`` (:func:`finding_categories`) or
        ``spread`` (:func:`factor_prevalence` by region), each on the review set in scope with the
        chosen unit and polarity.

        Raises
        ------
        ParameterError
            For an unknown tab, or when no review is in scope.
        """
        self._check_tab(tab)
        return self._computed(tab)[0].frame

    def table_csv(self, tab: str) -> str:
        """The whole table behind a tab as CSV text, as a report writes it: suppressed cells as ``c``
        in publication mode, and no identifier or free-text column there."""
        self._check_tab(tab)

        def write() -> str:
            buffer = io.StringIO()
            self.policy.write_csv(self._computed(tab)[2], buffer)
            return buffer.getvalue()

        return self._cached(("csv", tab, self._state_key(tab)), write)  # once per state: each draw links it

    def _computed(self, tab: str) -> tuple:
        """(published table, what the chart draws from, the table before publishing), computed once per tab
        and state: the chart draws the published table unless the tab draws something else (the network).
        In publication mode an identifier or free-text column is dropped before anything else."""

        def compute():
            raw, drawn = getattr(self, f"_compute_{tab}")()
            raw = raw.drop(columns=self.policy.hidden(raw.columns))
            published = self.policy.publish(raw)
            return published, published.frame if drawn is None else drawn, raw

        return self._cached((tab, self._state_key(tab)), compute)

    def _in_scope(self):
        scope = self.scope()
        if len(scope.reviews) == 0:
            raise ParameterError(f"No reviews in scope: {self._reversed_years() or 'widen the filters'}.")
        return scope

    def _reversed_years(self) -> str:
        """What is wrong when the From year is after the To year (which keeps no review); else empty."""
        first, last = self.years
        return f"the From year, {first}, is after the To year, {last}" if first > last else ""

    def _cached(self, key: tuple, compute):
        """One cache for every table in scope, kept small: a filter change makes the old ones stale."""
        if key not in self._table_cache:
            if len(self._table_cache) > 32:
                self._table_cache.clear()
            self._table_cache[key] = compute()
        return self._table_cache[key]

    def _prevalence(self, unit: str) -> pd.DataFrame:
        return self._cached(
            ("prevalence", unit, *self._filter_key(), self.polarity.value),
            lambda: factor_prevalence(self._in_scope(), unit=unit, polarity=self.polarity.value),
        )

    def _compute_recurrence(self):
        return self._prevalence(self.unit.value), None

    def _compute_network(self):
        graph = factor_network(
            self._in_scope(),
            unit=PAIR_UNIT,
            alpha=self.alpha.value,
            min_lift=self.min_lift.value,
            polarity=self.polarity.value,
        )
        graph = self.policy.network(graph)
        return node_metrics(graph), graph

    def _compute_themes(self):
        resamples = THEME_RESAMPLES if self.stability.value else 0
        themes = systemic_themes(self._in_scope(), unit=PAIR_UNIT, polarity=self.polarity.value, resamples=resamples)
        if not resamples:
            themes = themes.drop(columns=["stability", "theme_stability"])  # not estimated: no empty columns
        return themes, None

    def _compute_sequences(self):
        return factor_sequences(self._in_scope(), polarity=self.polarity.value), None

    def _compute_findings(self):
        return finding_categories(self._in_scope()), None

    def _compute_spread(self):
        return factor_prevalence(
            self._in_scope(), by="region", unit=self.unit.value, polarity=self.polarity.value
        ), None

    # ------------------------------------------------------------------ update path

    def update(self) -> None:
        """Recompute the scope from the filters, then the status line, the visible tab and the drill-down."""
        start = time.perf_counter()
        self.status.value = f'<span class="sce-status-text">{html.escape(self.status_text())}</span>'
        summary = self.scope_summary().rename(columns={"measure": "In scope", "value": "Number"})
        self.scope_table.value = html_table(summary, caption="What the filters keep")
        self.render_visible()
        if self.factor.value is not None:
            self.render_drill()
        self.timings["update"] = time.perf_counter() - start

    def render_visible(self) -> None:
        """Draw the visible tab, unless it already shows the current scope."""
        key = TABS[self.tabs.selected_index or 0][0]
        state = (self.full_charts, *self._state_key(key))
        if self._rendered.get(key) == state:
            return
        title = dict(TABS)[key]
        alt = f"Chart: {title.lower()}, {self.status_text()}. {_CHART_READINGS[key]}"
        try:
            with contextlib.nullcontext() if self.full_charts else draft():
                png, table = getattr(self, f"_draw_{key}")()
        except SceAnalysisError as error:
            png, table, alt = _message_png(str(error)), "", str(error)
        except Exception as error:  # a chart that cannot be drawn must not break the app
            alt = f"This chart could not be drawn: {type(error).__name__}: {error}"
            png, table = _message_png(alt), ""
            self.failures[key] = f"{type(error).__name__}: {error}"
        else:
            self.failures.pop(key, None)
        encoded = base64.b64encode(png).decode()  # once, for the image and its download link
        self.pngs[key] = png
        self.charts[key].value = _image_html(png, encoded, alt=alt)
        self.tables[key].value = table
        # A message instead of a chart (no table) has nothing to download.
        self.downloads[key].value = self._downloads_html(key, encoded) if table else ""
        self._rendered[key] = state
        if key == "network":
            self._update_links()

    def _downloads_html(self, key: str, png_base64: str) -> str:
        """Links that download the tab's whole table (CSV) and its chart (PNG), as data URLs: nothing is
        written to the server's disk, and they work the same in JupyterLab and in Voila."""
        title = dict(TABS)[key].lower()
        csv_url = "data:text/csv;charset=utf-8;base64," + base64.b64encode(self.table_csv(key).encode()).decode()
        png_url = "data:image/png;base64," + png_base64
        return (
            f'<a class="sce-download-csv" download="{key}.csv" href="{csv_url}">Download this table (CSV): {title}</a>'
            f'<a class="sce-download-png" download="{key}.png" href="{png_url}">Download this chart (PNG): {title}</a>'
        )

    def set_filters(self, **values) -> None:
        """Set several controls at once (``years``, ``regions``, ``areas``, ``review_types``, ``unit``,
        ``polarity``) and update once."""
        unknown = set(values) - {"years", "regions", "areas", "review_types", "unit", "polarity"}
        if unknown:
            raise ParameterError(f"set_filters: unknown control(s) {', '.join(sorted(unknown))}.")
        checked = {name: self._checked(name, value) for name, value in values.items()}  # all, before any is set
        self._quiet = True
        try:
            for name, value in checked.items():
                if name == "years":
                    self.first_year.value, self.last_year.value = value
                else:
                    getattr(self, name).value = value
        finally:
            self._quiet = False
        self.update()

    def _checked(self, name: str, value):
        """The value to give a control in :meth:`set_filters`, or a ParameterError that says what is wrong."""
        if name == "years":
            try:
                first, last = (int(year) for year in value)
            except (TypeError, ValueError):
                raise ParameterError(f"set_filters: years must be two years, first and last; not {value!r}.") from None
            options = self.year_options
            for year in (first, last):
                if year not in options:
                    raise ParameterError(
                        f"set_filters: year {year} is outside the set's years {options[0]}–{options[-1]}."
                    )
            if first > last:
                raise ParameterError(f"set_filters: the first year, {first}, is after the last year, {last}.")
            return first, last
        if name in ("unit", "polarity"):
            allowed = _UNITS if name == "unit" else tuple(value for _, value in _POLARITY_OPTIONS)
            if value not in allowed:
                raise ParameterError(
                    f"set_filters: {name} must be one of {', '.join(map(repr, allowed))}; not {value!r}."
                )
            return value
        chosen = (value,) if isinstance(value, str) else tuple(value)
        missing = [item for item in chosen if item not in getattr(self, name).options]
        if missing:
            raise ParameterError(f"set_filters: {name} has no {', '.join(map(repr, missing))} in this review set.")
        return chosen

    def _on_filter(self, change) -> None:
        if not self._quiet:
            self.update()

    def _on_tab_control(self, change) -> None:
        self.render_visible()  # a new tab, or a control in a tab's state (alpha, min lift, stability)

    def _on_factor(self, change) -> None:
        self.render_drill()

    # ------------------------------------------------------------------ drawing the tabs

    def _n_units_text(self, unit: str) -> str:
        """How many units are in scope, as the policy lets it be shown."""
        scope = self.scope()
        units = presence(scope, unit=unit, polarity=self.polarity.value).units  # carried: no frame is copied
        return self.policy.count(len(units), areas=int(units["area"].nunique()))

    def _draw_recurrence(self):
        published, table, _ = self._computed("recurrence")  # an empty scope raises; render_visible shows why
        if self.full_charts:
            return self._png(plot_prevalence(table, top=_TOP)), self._table_html(published, key="recurrence")
        rows = table.head(_TOP)
        unit = self.unit.value
        chart = self._quick_bars_png(
            rows,
            labels=list(rows["label"]),
            colors=[style.category_color(key) for key in rows["scie_category"]],
            xlabel=f"Share of {unit}s with the factor (N = {self._n_units_text(unit)} {unit}s)",
        )
        return chart, self._table_html(published, key="recurrence")

    def _draw_network(self):
        published, graph, _ = self._computed("network")
        if graph.number_of_edges() == 0:
            raise ParameterError("No pair of factors passes these thresholds: raise alpha or lower min lift.")
        return self._png(plot_factor_network(graph)), self._table_html(published, key="network")

    def _draw_themes(self):
        published, themes, _ = self._computed("themes")
        if len(themes) == 0:
            raise ParameterError("No themes in scope: the network has no links.")
        if self.full_charts:
            pairs = self.policy.table(factor_pairs(self._in_scope(), unit=PAIR_UNIT, polarity=self.polarity.value))
            chart = self._png(plot_cooccurrence(pairs, themes=themes, top=THEME_TOP))
        else:
            chart = self._quick_themes_png(themes)
        return chart, self._table_html(published, key="themes", rows=60)

    def _quick_themes_rows(self, themes: pd.DataFrame) -> pd.DataFrame:
        """What the quick themes chart draws: the largest themes' factors with their share of episodes in
        scope as the policy publishes it (a suppressed share is NaN, and draws no bar)."""
        published = self.policy.table(self._prevalence(PAIR_UNIT))
        shares = published.drop(columns=["label", "level", "scie_category"])
        rows = themes[["factor_code", "label", "theme"]].merge(shares, on="factor_code", how="left")
        rows = rows.sort_values(["theme", "n_units", "factor_code"], ascending=[True, False, True], kind="stable")
        return _floats(rows[rows["theme"] <= rows["theme"].iloc[min(_TOP, len(rows)) - 1]].head(_TOP))

    def _quick_themes_png(self, themes: pd.DataFrame) -> bytes:
        """The largest themes' factors as bars of their share of episodes in scope, grouped and coloured by theme."""
        rows = self._quick_themes_rows(themes)
        return self._quick_bars_png(
            rows,
            labels=[f"T{theme}  {label}" for theme, label in zip(rows["theme"], rows["label"], strict=True)],
            colors=[style.theme_color(theme) for theme in rows["theme"]],
            xlabel=f"Share of episodes with the factor (N = {self._n_units_text(PAIR_UNIT)} episodes)\n"
            "colour and T-number: theme",
        )

    def _draw_sequences(self):
        published, table, _ = self._computed("sequences")
        return self._png(plot_sequences(table, labels=self._labels)), self._table_html(published, key="sequences")

    def _draw_findings(self):
        published, table, _ = self._computed("findings")
        return self._png(plot_finding_categories(table)), self._table_html(published, key="findings")

    def _draw_spread(self):
        published, table, _ = self._computed("spread")
        chart = plot_spread(_floats(table), by="region", top=SPREAD_TOP)
        return self._png(chart), self._table_html(published, key="spread")

    def _table_html(self, published, *, key: str, rows: int = _TOP) -> str:
        """The first rows of a published table for reading, laid out as the report lays it out: the tab's
        columns, human headers (the units named), percentages, intervals, factors by label, ``c`` where
        suppressed, no index (identifiers and free text are dropped in publication mode); it scrolls in its box."""
        columns, names = table_layout(_TAB_TABLES[key], unit=self.unit.value if "unit" in _TAB_CONTROLS[key] else None)
        frame = readable(_with_suppressed(published).head(rows), columns=columns, names=names, labels=self._labels)
        total = len(published.frame)
        caption = (
            f"All {total:,} rows" if total <= rows else f"First {rows} of {total:,} rows (download the table for all)"
        )
        return _scrolling(html_table(frame, caption=caption), label=caption)

    def _png(self, axes_or_figure) -> bytes:
        figure = axes_or_figure.get_figure(root=True) if hasattr(axes_or_figure, "get_figure") else axes_or_figure
        try:
            self.policy.stamp(figure, fontsize=7)
            buffer = io.BytesIO()
            figure.savefig(buffer, format="png", dpi=_CHART_DPI)
            return buffer.getvalue()
        finally:
            plt.close(figure)

    def _quick_bars_png(self, rows: pd.DataFrame, *, labels, colors, xlabel: str) -> bytes:
        """Bars of ``share`` with Wilson whiskers, drawn once on a fixed layout (the library's charts lay text
        out in several passes, which is right for print and too slow for a click)."""
        labels = [style.wrap_label(text, 44) for text in labels]
        lines = max((label.count("\n") + 1 for label in labels), default=1)
        figure = Figure(figsize=(8.5, (0.3 + 0.14 * (lines - 1)) * len(rows) + 1.0))  # wrapped labels never touch
        FigureCanvasAgg(figure)
        ax = figure.add_axes((0.42, 0.9 / figure.get_figheight(), 0.55, 1 - 1.25 / figure.get_figheight()))
        horizontal_bars(ax, rows, labels, colors, share_max=share_max(rows), kwargs={})
        for side in ("top", "right", "left"):
            ax.spines[side].set_visible(False)
        ax.set_xlabel(xlabel)
        return self._png(figure)

    # ------------------------------------------------------------------ drill-down

    def drill_down(self, code: str) -> Drilldown:
        """What lies behind one factor in scope, with the chosen unit and polarity
        (:func:`~sce_analysis.stats.drilldown.factor_drilldown`, unpublished: :meth:`render_drill`
        shows it through the policy)."""
        return factor_drilldown(self._in_scope(), code, unit=self.unit.value, polarity=self.polarity.value)

    def render_drill(self) -> None:
        code = self.factor.value
        if code is None:
            self.drill.value = ""
            return
        try:
            found = self.drill_down(code)
        except SceAnalysisError as error:
            self.drill.value = f"<p>{html.escape(str(error))}</p>"
            return
        count = partial(self.policy.count, areas=found.n_areas)
        head = (
            f'<p class="sce-drill-summary"><b>{html.escape(self._labels[code])}</b>: coded in <span class="sce-n-kpes">'
            f"{count(found.n_episodes)}</span> KPEs of {count(found.n_reviews)} reviews in scope; "
            f"{count(found.n_findings)} findings cite them.</p>"
        )
        partners = _with_suppressed(self.policy.publish(found.partners.head(10)))[["label", "n_ab", "n_b", "lift"]]
        together = _table(partners.rename(columns={"n_b": "With the other factor"}), caption="Factors coded with it")
        self.drill.value = (
            head
            + self._evidence_tables(
                (
                    found.episodes[["review_id", "episode_id", "agencies", "appraisal", "summary"]],
                    "Key practice episodes",
                    "sce-kpes sce-episodes",
                ),
                (
                    found.findings[["review_id", "finding_id", "category", "title"]],
                    "Findings citing them",
                    "sce-findings",
                ),
            )
            + together
        )

    def _evidence_tables(self, *tables: tuple[pd.DataFrame, str, str]) -> str:
        """Tables of episodes or findings, each ``(frame, caption, CSS classes)``, scrolling in their boxes;
        none in publication mode, where no free text or identifier is shown (the counts say enough)."""
        if self.publication:
            return ""
        return "".join(
            _scrolling(_table(frame, caption=caption), label=caption, cls=cls) for frame, caption, cls in tables
        )

    # ------------------------------------------------------------------ evidence behind a link

    def pair_evidence(self, a: str, b: str) -> pd.DataFrame:
        """The KPEs in scope on which both factors are coded, with the chosen polarity
        (:func:`~sce_analysis.stats.drilldown.pair_evidence`, unpublished: :meth:`render_pair` shows it
        through the policy)."""
        return pair_evidence(self._in_scope(), a, b, polarity=self.polarity.value)

    def _update_links(self) -> None:
        """The links of the network drawn, strongest first, as the choices of :attr:`link`."""
        try:
            graph = self._computed("network")[1]
        except SceAnalysisError:
            graph = None
        labels = self._labels
        edges = (
            []
            if graph is None
            else sorted(graph.edges(data=True), key=lambda e: (-e[2].get("n_ab", 0), labels[e[0]], labels[e[1]]))
        )
        options = [(_NO_LINK, None)] + [
            (f"{labels[a]} — {labels[b]} ({self.policy.count(d.get('n_ab', 0))} together)", (a, b)) for a, b, d in edges
        ]
        if list(self.link.options) != options:
            keep = self.link.value if self.link.value in {value for _, value in options} else None
            self._quiet = True
            try:
                self.link.options = options
                self.link.value = keep
            finally:
                self._quiet = False
        self.render_pair()

    def render_pair(self) -> None:
        """Show the KPEs behind the chosen link: in publication mode their numbers only."""
        if self.link.value is None:
            self.pair_drill.value = ""
            return
        a, b = self.link.value
        try:
            rows = self.pair_evidence(a, b)
        except SceAnalysisError as error:
            self.pair_drill.value = f"<p>{html.escape(str(error))}</p>"
            return
        n_areas = int(rows["area"].nunique())
        count = partial(self.policy.count, areas=n_areas)
        head = (
            f'<p class="sce-pair-summary"><b>{html.escape(self._labels[a])}</b> and '
            f"<b>{html.escape(self._labels[b])}</b> were coded on the same key practice episode "
            f'<span class="sce-n-pair-kpes">{count(len(rows))}</span> times, in {count(rows["review_id"].nunique())} '
            f"reviews from {count(n_areas)} areas in scope.</p>"
        )
        columns = ["review_id", "episode_id", "area", "year", "agencies", "appraisal", "summary"]
        self.pair_drill.value = head + self._evidence_tables(
            (rows[columns], "Key practice episodes with both factors", "sce-pair-kpes sce-episodes")
        )

    def _on_link(self, change) -> None:
        if not self._quiet:
            self.render_pair()


def _floats(frame: pd.DataFrame) -> pd.DataFrame:
    """Nullable numeric columns (a published table's suppressed cells are ``<NA>``) as float with NaN, for charts."""
    numeric = [
        c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c])
    ]
    return frame.astype(dict.fromkeys(numeric, "float64"))


def _with_suppressed(published) -> pd.DataFrame:
    """A published table with its suppressed cells written ``c`` (its missing values stay missing)."""
    return published.frame.astype(object).where(~published.mask, SUPPRESSED)


def _table(frame: pd.DataFrame, *, caption: str) -> str:
    """A table for reading (:func:`~sce_analysis.reports.formatting.readable`) as accessible HTML."""
    return html_table(readable(frame), caption=caption)


def _scrolling(table: str, *, label: str, cls: str = "") -> str:
    """A table in a box that scrolls, reachable and named for keyboard and screen-reader users (WCAG 2.1.1)."""
    return (
        f'<div class="sce-table-wrap {cls}" role="region" tabindex="0" aria-label="{html.escape(label)}" '
        f'style="{_SCROLL}">{table}</div>'
    )


def _image_html(png: bytes, png_base64: str, *, alt: str) -> str:
    """A PNG (and its base64 text) as an image shown at half its pixel size (it is drawn at twice the screen
    resolution)."""
    width, height = struct.unpack(">II", png[16:24])  # the PNG header's IHDR chunk
    return (
        f'<img src="data:image/png;base64,{png_base64}" alt="{html.escape(alt)}" '
        f'width="{width // _SHOWN_SCALE}" height="{height // _SHOWN_SCALE}">'
    )


def _message_png(text: str) -> bytes:
    """A small PNG that says ``text`` (for an empty scope or a failed tab)."""
    figure, ax = plt.subplots(figsize=(6, 1.2))
    try:
        ax.axis("off")
        ax.text(0.5, 0.5, text, ha="center", va="center", wrap=True)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=_CHART_DPI)
        return buffer.getvalue()
    finally:
        plt.close(figure)
