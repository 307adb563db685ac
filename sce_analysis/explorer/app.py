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

import contextlib
import html
import io
import time

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
from ..publish.disclosure import DEFAULT_MIN_AREAS, DEFAULT_THRESHOLD
from ..publish.policy import Policy
from ..stats.drilldown import Drilldown, factor_drilldown
from ..stats.networks import factor_network, factor_pairs, factor_sequences, node_metrics, systemic_themes
from ..stats.presence import presence
from ..stats.recurrence import factor_prevalence, finding_categories

__all__ = ["Explorer", "explore", "TABS", "THEME_RESAMPLES"]

#: The tabs of the explorer, in order: (key, title).
TABS = (
    ("recurrence", "Recurrence"),
    ("network", "Network"),
    ("themes", "Themes"),
    ("sequences", "Sequences"),
    ("findings", "Findings by category"),
    ("spread", "Spread by region"),
)
_POLARITY_OPTIONS = (("all", None), ("problematic", "problematic"), ("good", "good"))
_CHART_DPI = 72
#: Long tables scroll inside the app instead of pushing the drill-down off the screen.
_SCROLL = "max-height: 22em; overflow: auto"
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
    charts : dict of str to ipywidgets.Image
        One PNG image per tab (CSS classes ``sce-chart`` and ``sce-chart-<tab>``).
    tables : dict of str to ipywidgets.HTML
        The first rows of each tab's table, as shown (:meth:`table` gives the whole table).
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
        order = np.argsort(self._labels.to_numpy(dtype=str), kind="stable")
        self.factor = w.Dropdown(
            options=[("(pick a factor)", None)]
            + [(f"{self._labels.iloc[i]} ({self._codes[i]})", str(self._codes[i])) for i in order],
            value=None,
            description="Factor",
            layout=w.Layout(width="60%"),
        )
        self.factor.add_class("sce-factor")
        self.drill = w.HTML()
        self.drill.add_class("sce-drill")
        drill = w.VBox([w.HTML("<b>Drill-down</b>"), self.factor, self.drill])
        footer = self.policy.footer()
        note = f"<small>{html.escape(footer)}</small>" if footer else ""
        main = w.VBox([self.status, tabs, drill, w.HTML(note)], layout=w.Layout(width="66%"))
        self.widget = w.HBox([filters, main])
        self.widget.add_class("sce-explorer")

        for control in (self.years, self.regions, self.areas, self.review_types, self.unit, self.polarity):
            control.observe(self._on_filter, names="value")
        for control in (self.alpha, self.min_lift):
            control.observe(self._on_network, names="value")
        self.stability.observe(self._on_stability, names="value")
        self.tabs.observe(self._on_tab, names="selected_index")
        self.factor.observe(self._on_factor, names="value")

    def _build_filters(self) -> w.VBox:
        first, last = int(self._year.min()), int(self._year.max())
        layout = w.Layout(width="98%")
        self.years = w.IntRangeSlider(
            value=(first, last),
            min=first,
            max=last,
            step=1,
            description="Years",
            continuous_update=False,
            layout=layout,
        )
        self.years.add_class("sce-years")
        self.regions = w.SelectMultiple(options=list(self._region_names), rows=5, description="Regions", layout=layout)
        self.regions.add_class("sce-regions")
        self.areas = w.SelectMultiple(options=list(self._area_names), rows=6, description="Areas", layout=layout)
        self.areas.add_class("sce-areas")
        self.review_types = w.SelectMultiple(options=list(self._type_names), rows=3, description="Types", layout=layout)
        self.review_types.add_class("sce-review-types")
        self.unit = w.ToggleButtons(options=[("review", "review"), ("episode", "episode")], description="Unit")
        self.unit.add_class("sce-unit")
        self.polarity = w.ToggleButtons(options=list(_POLARITY_OPTIONS), description="Polarity")
        self.polarity.add_class("sce-polarity")
        self.status = w.HTML()
        self.status.add_class("sce-status")
        hint = w.HTML("<small>An empty selection keeps every region, area or type.</small>")
        filters = w.VBox(
            [self.years, self.regions, self.areas, self.review_types, self.unit, self.polarity, hint],
            layout=w.Layout(width="32%", min_width="260px"),
        )
        filters.add_class("sce-filters")
        return filters

    def _build_tabs(self) -> w.Tab:
        self.alpha = w.FloatSlider(
            value=0.05,
            min=0.001,
            max=0.2,
            step=0.001,
            readout_format=".3f",
            description="alpha",
            continuous_update=False,
        )
        self.alpha.add_class("sce-alpha")
        self.min_lift = w.FloatSlider(
            value=1.0, min=1.0, max=10.0, step=0.5, description="min lift", continuous_update=False
        )
        self.min_lift.add_class("sce-min-lift")
        self.stability = w.Checkbox(
            value=False, description=f"Theme stability ({THEME_RESAMPLES} bootstrap resamples; slower)", indent=False
        )
        self.stability.add_class("sce-stability")
        self.charts: dict[str, w.Image] = {}
        self.tables: dict[str, w.HTML] = {}
        pages = []
        for key, _ in TABS:
            image = w.Image(format="png", layout=w.Layout(max_width="100%", height="auto"))
            image.add_class("sce-chart")
            image.add_class(f"sce-chart-{key}")
            table = w.HTML()
            table.add_class("sce-table")
            table.add_class(f"sce-table-{key}")
            self.charts[key], self.tables[key] = image, table
            children = [image, table]
            if key == "network":
                children = [w.HBox([self.alpha, self.min_lift]), *children]
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
        self._codes = rs.taxonomy["factor_code"].to_numpy(dtype=object)
        self._labels = rs.taxonomy["label"].fillna(rs.taxonomy["factor_code"]).astype(str).reset_index(drop=True)
        # The presence matrices are built once for the whole set; every set in scope gets them sliced.
        for unit in ("review", "episode"):
            for _, polarity in _POLARITY_OPTIONS:
                presence(rs, unit=unit, polarity=polarity)

    # ------------------------------------------------------------------ state

    def selection(self) -> dict:
        """The current filters, in the form :meth:`ReviewSet.filter` takes (None: no restriction)."""
        first, last = self.years.value
        everything = (first, last) == (self.years.min, self.years.max)
        return {
            "years": None if everything else (int(first), int(last)),
            "regions": list(self.regions.value) or None,
            "areas": list(self.areas.value) or None,
            "review_types": list(self.review_types.value) or None,
        }

    def review_mask(self) -> np.ndarray:
        """Which reviews (rows of ``rs.reviews``) the filters keep, from the cached arrays."""
        first, last = self.years.value
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
        return (self.years.value, self.regions.value, self.areas.value, self.review_types.value)

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
            return "0 reviews · 0 areas · no years in scope"
        n_areas = int(reviews["area"].nunique())
        first, last = int(reviews["year"].min()), int(reviews["year"].max())
        years = f"year {first}" if first == last else f"years {first}–{last}"
        count = self.policy.count
        return (
            f"{count(len(reviews), areas=n_areas)} reviews · {count(n_areas, areas=n_areas)} areas · {years} in scope"
        )

    def _state_key(self, key: str) -> tuple:
        """What a tab's table depends on: the filters and that tab's own controls (the pair tabs count
        episodes whatever the unit, and findings have no polarity), so other controls redraw nothing."""
        return (*self._filter_key(), *(getattr(self, control).value for control in _TAB_CONTROLS[key]))

    # ------------------------------------------------------------------ the tables behind the tabs

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
        keys = [key for key, _ in TABS]
        if tab not in keys:
            raise ParameterError(f"tab must be one of {', '.join(keys)}; not {tab!r}.")
        return self._computed(tab)[0]

    def _computed(self, tab: str) -> tuple:
        """(published table, what the chart draws from), computed once per tab and state."""
        return self._cached((tab, self._state_key(tab)), getattr(self, f"_compute_{tab}"))

    def _in_scope(self):
        scope = self.scope()
        if len(scope.reviews) == 0:
            raise ParameterError("No reviews in scope: widen the filters.")
        return scope

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
            lambda: self.policy.table(factor_prevalence(self._in_scope(), unit=unit, polarity=self.polarity.value)),
        )

    def _compute_recurrence(self):
        table = self._prevalence(self.unit.value)
        return table, table

    def _compute_network(self):
        graph = factor_network(
            self._in_scope(),
            unit=PAIR_UNIT,
            alpha=self.alpha.value,
            min_lift=self.min_lift.value,
            polarity=self.polarity.value,
        )
        graph = self.policy.network(graph)
        return self.policy.table(node_metrics(graph)), graph

    def _compute_themes(self):
        resamples = THEME_RESAMPLES if self.stability.value else 0
        themes = systemic_themes(self._in_scope(), unit=PAIR_UNIT, polarity=self.polarity.value, resamples=resamples)
        if not resamples:
            themes = themes.drop(columns=["stability", "theme_stability"])  # not estimated: no empty columns
        published = self.policy.table(themes)
        return published, published

    def _compute_sequences(self):
        table = self.policy.table(factor_sequences(self._in_scope(), polarity=self.polarity.value))
        return table, table

    def _compute_findings(self):
        table = self.policy.table(finding_categories(self._in_scope()))
        return table, table

    def _compute_spread(self):
        table = factor_prevalence(self._in_scope(), by="region", unit=self.unit.value, polarity=self.polarity.value)
        table = self.policy.table(table)
        return table, table

    # ------------------------------------------------------------------ update path

    def update(self) -> None:
        """Recompute the scope from the filters, then the status line, the visible tab and the drill-down."""
        start = time.perf_counter()
        self._rendered.clear()
        self.status.value = f'<span class="sce-status-text">{html.escape(self.status_text())}</span>'
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
        try:
            with contextlib.nullcontext() if self.full_charts else draft():
                png, table = getattr(self, f"_draw_{key}")()
        except SceAnalysisError as error:
            png, table = _message_png(str(error)), ""
        except Exception as error:  # a chart that cannot be drawn must not break the app
            png, table = _message_png(f"This chart could not be drawn: {type(error).__name__}: {error}"), ""
            self.failures[key] = f"{type(error).__name__}: {error}"
        else:
            self.failures.pop(key, None)
        self.charts[key].value = png
        self.tables[key].value = table
        self._rendered[key] = state

    def set_filters(self, **values) -> None:
        """Set several controls at once (``years``, ``regions``, ``areas``, ``review_types``, ``unit``,
        ``polarity``) and update once."""
        unknown = set(values) - {"years", "regions", "areas", "review_types", "unit", "polarity"}
        if unknown:
            raise ParameterError(f"set_filters: unknown control(s) {', '.join(sorted(unknown))}.")
        self._quiet = True
        try:
            for name, value in values.items():
                control = getattr(self, name)
                control.value = tuple(value) if isinstance(value, list) else value
        finally:
            self._quiet = False
        self.update()

    def _on_filter(self, change) -> None:
        if not self._quiet:
            self.update()

    def _on_network(self, change) -> None:
        self.render_visible()  # alpha and min lift are in the network tab's state

    def _on_stability(self, change) -> None:
        self.render_visible()  # stability is in the themes tab's state

    def _on_tab(self, change) -> None:
        self.render_visible()

    def _on_factor(self, change) -> None:
        self.render_drill()

    # ------------------------------------------------------------------ drawing the tabs

    def _n_units_text(self, unit: str) -> str:
        """How many units are in scope, as the policy lets it be shown."""
        scope = self.scope()
        units = presence(scope, unit=unit, polarity=self.polarity.value).units  # carried: no frame is copied
        return self.policy.count(len(units), areas=int(units["area"].nunique()))

    def _draw_recurrence(self):
        table, _ = self._computed("recurrence")  # an empty scope raises, and render_visible shows why
        if self.full_charts:
            return self._png(plot_prevalence(table, top=_TOP)), self._table_html(table)
        rows = table.head(_TOP)
        unit = self.unit.value
        chart = self._quick_bars_png(
            rows,
            labels=list(rows["label"]),
            colors=[style.category_color(key) for key in rows["scie_category"]],
            xlabel=f"Share of {unit}s with the factor (N = {self._n_units_text(unit)} {unit}s)",
        )
        return chart, self._table_html(table)

    def _draw_network(self):
        table, graph = self._computed("network")
        if graph.number_of_edges() == 0:
            return _message_png("No pair of factors passes these thresholds: raise alpha or lower min lift."), ""
        return self._png(plot_factor_network(graph)), self._table_html(table)

    def _draw_themes(self):
        table, themes = self._computed("themes")
        if len(themes) == 0:
            return _message_png("No themes in scope: the network has no links."), ""
        if self.full_charts:
            pairs = self.policy.table(factor_pairs(self._in_scope(), unit=PAIR_UNIT, polarity=self.polarity.value))
            chart = self._png(plot_cooccurrence(pairs, themes=themes, top=THEME_TOP))
        else:
            chart = self._quick_themes_png(themes)
        return chart, self._table_html(table, rows=60)

    def _quick_themes_png(self, themes: pd.DataFrame) -> bytes:
        """The largest themes' factors as bars of their share of episodes in scope, grouped and coloured by theme."""
        shares = self._prevalence(PAIR_UNIT).drop(columns=["label", "level", "scie_category"])
        rows = themes[["factor_code", "label", "theme"]].merge(shares, on="factor_code", how="left")
        rows = rows.sort_values(["theme", "n_units", "factor_code"], ascending=[True, False, True], kind="stable")
        rows = rows[rows["theme"] <= rows["theme"].iloc[min(_TOP, len(rows)) - 1]].head(_TOP)
        return self._quick_bars_png(
            _floats(rows),
            labels=[f"T{theme}  {label}" for theme, label in zip(rows["theme"], rows["label"], strict=True)],
            colors=[style.theme_color(theme) for theme in rows["theme"]],
            xlabel="Share of episodes with the factor; colour and T-number: theme "
            f"(N = {self._n_units_text(PAIR_UNIT)} episodes)",
        )

    def _draw_sequences(self):
        table, _ = self._computed("sequences")
        labels = dict(zip(self._codes, self._labels, strict=True))
        return self._png(plot_sequences(table, labels=labels)), self._table_html(table)

    def _draw_findings(self):
        table, _ = self._computed("findings")
        return self._png(plot_finding_categories(table)), self._table_html(table)

    def _draw_spread(self):
        table, _ = self._computed("spread")
        return self._png(plot_spread(_floats(table), by="region", top=SPREAD_TOP)), self._table_html(table)

    def _table_html(self, frame: pd.DataFrame, *, rows: int = _TOP) -> str:
        frame = frame.head(rows).drop(columns=self.policy.hidden(frame.columns)).round(3)
        table = frame.to_html(index=False, escape=True, na_rep=self.policy.missing_text, border=0)
        return f'<div style="{_SCROLL}">{table}</div>'

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
        figure = Figure(figsize=(8.5, 0.3 * len(rows) + 1.0))
        FigureCanvasAgg(figure)
        ax = figure.add_axes((0.42, 0.9 / figure.get_figheight(), 0.55, 1 - 1.25 / figure.get_figheight()))
        labels = [style.wrap_label(text, 42) for text in labels]
        horizontal_bars(ax, rows, labels, colors, share_max=share_max(rows), kwargs={})
        for side in ("top", "right", "left"):
            ax.spines[side].set_visible(False)
        ax.set_xlabel(xlabel)
        self.policy.stamp(figure, fontsize=7)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=_CHART_DPI)
        return buffer.getvalue()

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
        label = html.escape(str(self._labels.iloc[int(np.flatnonzero(self._codes == code)[0])]))

        def count(n: int) -> str:
            return self.policy.count(n, areas=found.n_areas)

        head = (
            f'<p class="sce-drill-summary"><b>{label}</b>: coded in <span class="sce-n-kpes">'
            f"{count(found.n_episodes)}</span> KPEs of {count(found.n_reviews)} reviews in scope; "
            f"{count(found.n_findings)} findings cite them.</p>"
        )
        partners = self.policy.table(found.partners).head(10)
        partners = partners[["factor_code", "label", "n_ab", "n_b", "lift"]].assign(lift=partners["lift"].round(2))
        together = "<p><b>Co-occurring factors</b></p>" + _html(partners, self.policy.missing_text)
        if self.publication:
            self.drill.value = head + together
            return
        kpes = found.episodes[["review_id", "episode_id", "agencies", "appraisal", "summary"]]
        findings = found.findings[["review_id", "finding_id", "category", "title"]]
        self.drill.value = (
            head
            + f'<p><b>Key practice episodes</b></p><div class="sce-kpes" style="{_SCROLL}">'
            + _html(kpes)
            + f'</div><p><b>Findings citing them</b></p><div class="sce-findings" style="{_SCROLL}">'
            + _html(findings)
            + "</div>"
            + together
        )


def _floats(frame: pd.DataFrame) -> pd.DataFrame:
    """Nullable numeric columns (a published table's suppressed cells are ``<NA>``) as float with NaN, for charts."""
    numeric = [
        c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c])
    ]
    return frame.astype(dict.fromkeys(numeric, "float64"))


def _html(frame: pd.DataFrame, missing: str = "") -> str:
    return frame.to_html(index=False, escape=True, border=0, na_rep=missing)


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
