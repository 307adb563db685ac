"""The interactive explorer: filters, tabs of charts and tables, and a drill-down to the KPEs behind a factor.

:func:`explore` builds an ipywidgets app on a :class:`ReviewSet`. It works in JupyterLab and in a
Voila dashboard (no code shown). Updates are kept fast by filtering cached arrays instead of frames:

- the presence matrices (:func:`sce_analysis.stats.presence`) are built once per unit and polarity;
- a filter change computes one boolean mask over the reviews from their area, region, year and
  review-type arrays, and the status line and the recurrence tab (the default one) are computed
  from the cached matrices with that mask (``mask @ X`` gives every count at once);
- only the visible tab is drawn; the other tabs, which need the library's full statistics, are
  computed from a filtered review set when they are shown, and cached per filter state.

In publication mode every table passes through :func:`sce_analysis.publish.disclosure.publish`, networks
through :func:`~sce_analysis.publish.disclosure.publish_network`, the status line and the drill-down show
counts only (small counts as ``c``), and no free text or identifier is shown.
"""

from __future__ import annotations

import contextlib
import html
import io
import time

import numpy as np
import pandas as pd

from ..errors import ParameterError, SceAnalysisError
from ..publish.disclosure import SUPPRESSED, footer, publish, publish_network
from ..stats.inference import wilson_interval
from ..stats.presence import presence

__all__ = ["Explorer", "explore", "TABS"]

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
#: Factors in the themes heat map and the spread chart: each cell is a text to lay out, and a chart of
#: a dozen rows reads well on a screen and draws in a fraction of a second.
THEME_TOP = 10
SPREAD_TOP = 10
_TOP = 15


def explore(rs, *, publication: bool = False, suppress_below: int = 5) -> Explorer:
    """An interactive explorer of a review set, for JupyterLab or a Voila dashboard.

    Parameters
    ----------
    rs : ReviewSet
    publication : bool, default False
        Suppress counts from 1 to ``suppress_below - 1`` and show no free text or identifiers.
    suppress_below : int, default 5

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
    """
    return Explorer(rs, publication=publication, suppress_below=suppress_below)


class Explorer:
    """The explorer app. Build it with :func:`explore`.

    Attributes
    ----------
    widget : ipywidgets.VBox
        The whole app.
    status : ipywidgets.HTML
        The status line (CSS class ``sce-status``): reviews, areas and years in scope.
    charts : dict of str to ipywidgets.Image
        One PNG image per tab (CSS classes ``sce-chart`` and ``sce-chart-<tab>``).
    """

    def __init__(self, rs, *, publication: bool = False, suppress_below: int = 5):
        import ipywidgets as w

        if isinstance(suppress_below, bool) or not isinstance(suppress_below, int | np.integer) or suppress_below < 1:
            raise ParameterError(f"suppress_below must be a whole number of at least 1, not {suppress_below!r}.")
        if len(rs.reviews) == 0:
            raise ParameterError("the review set has no reviews: load a set with at least one review to explore it.")
        self.rs = rs
        self.publication = bool(publication)
        self.threshold = int(suppress_below)
        #: Draw the recurrence tab with :func:`plot_prevalence` (slower) instead of the quick fixed layout.
        self.full_charts = False
        self._prepare_arrays()
        self._subset_cache: dict = {}
        self._rendered: dict[str, tuple] = {}
        self._quiet = False
        self.timings: dict[str, float] = {}
        #: Tabs whose last drawing failed unexpectedly, with the error (shown in the tab as a message).
        self.failures: dict[str, str] = {}

        reviews = rs.reviews
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

        labels = self._labels
        order = np.argsort(labels.to_numpy(dtype=str), kind="stable")
        self.factor = w.Dropdown(
            options=[("(pick a factor)", None)]
            + [(f"{labels.iloc[i]} ({self._codes[i]})", str(self._codes[i])) for i in order],
            value=None,
            description="Factor",
            layout=w.Layout(width="60%"),
        )
        self.factor.add_class("sce-factor")
        self.drill = w.HTML()
        self.drill.add_class("sce-drill")
        drill = w.VBox([w.HTML("<b>Drill-down</b>"), self.factor, self.drill])

        note = f"<small>{html.escape(footer(self.threshold))}</small>" if self.publication else ""
        main = w.VBox([self.status, self.tabs, drill, w.HTML(note)], layout=w.Layout(width="66%"))
        self.widget = w.HBox([filters, main])
        self.widget.add_class("sce-explorer")
        del reviews

        for control in (self.years, self.regions, self.areas, self.review_types, self.unit, self.polarity):
            control.observe(self._on_filter, names="value")
        for control in (self.alpha, self.min_lift):
            control.observe(self._on_network, names="value")
        self.stability.observe(self._on_stability, names="value")
        self.tabs.observe(self._on_tab, names="selected_index")
        self.factor.observe(self._on_factor, names="value")
        self.update()

    # ------------------------------------------------------------------ display

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)

    # ------------------------------------------------------------------ cached arrays

    def _prepare_arrays(self) -> None:
        rs = self.rs
        reviews = rs.reviews
        self._year = reviews["year"].to_numpy(dtype=np.int64)
        self._area, self._area_names = pd.factorize(reviews["area"], sort=True)
        self._region, self._region_names = pd.factorize(reviews["region"], sort=True)
        self._type, self._type_names = pd.factorize(reviews["review_type"], sort=True)
        taxonomy = rs.taxonomy.reset_index(drop=True)
        self._codes = taxonomy["factor_code"].to_numpy(dtype=object)
        self._code_index = pd.Index(self._codes)
        self._labels = taxonomy["label"].fillna(taxonomy["factor_code"]).astype(str)
        self._taxonomy = taxonomy
        positions = rs.factor_positions
        self._episode_review = positions["episode_review"]
        # The codings the analyses use (one coder per episode), as positions.
        keep = rs.coding_mask()
        self._coding_review = positions["review"][keep]
        self._coding_episode = positions["episode"][keep]
        self._coding_code = positions["code"][keep]
        self._coding_polarity = rs.factors["polarity"].astype("string").to_numpy(dtype=object, na_value=None)[keep]
        # Findings citing episodes: (finding position, episode position).
        links = rs.finding_episodes
        findings = pd.MultiIndex.from_frame(rs.findings[["review_id", "finding_id"]])
        episodes = pd.MultiIndex.from_frame(rs.episodes[["review_id", "episode_id"]])
        self._cite_finding = findings.get_indexer(pd.MultiIndex.from_frame(links[["review_id", "finding_id"]]))
        self._cite_episode = episodes.get_indexer(pd.MultiIndex.from_frame(links[["review_id", "episode_id"]]))
        cited = (self._cite_finding >= 0) & (self._cite_episode >= 0)
        self._cite_finding, self._cite_episode = self._cite_finding[cited], self._cite_episode[cited]
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

    def status_text(self) -> str:
        """The status line: how many reviews, areas and years are in scope."""
        mask = self._mask
        n_reviews = int(mask.sum())
        n_areas = int(np.unique(self._area[mask]).size)
        if n_reviews == 0:
            return "0 reviews · 0 areas · no years in scope"
        first, last = int(self._year[mask].min()), int(self._year[mask].max())
        years = f"year {first}" if first == last else f"years {first}–{last}"
        return f"{self._count(n_reviews)} reviews · {self._count(n_areas)} areas · {years} in scope"

    def _count(self, n: int) -> str:
        """A count as shown: in publication mode, 1 to threshold - 1 as ``c``."""
        if self.publication and 0 < n < self.threshold:
            return SUPPRESSED
        return str(int(n))

    # ------------------------------------------------------------------ update path

    def update(self) -> None:
        """Recompute the scope from the filters, then the status line, the visible tab and the drill-down."""
        start = time.perf_counter()
        self._mask = self.review_mask()
        self._rendered.clear()
        self.status.value = f'<span class="sce-status-text">{html.escape(self.status_text())}</span>'
        self.render_visible()
        if self.factor.value is not None:
            self.render_drill()
        self.timings["update"] = time.perf_counter() - start

    def render_visible(self) -> None:
        """Draw the visible tab, unless it already shows the current scope."""
        key = TABS[self.tabs.selected_index or 0][0]
        state = self._state_key(key)
        if self._rendered.get(key) == state:
            return
        from ..charts.drawing import draft

        try:
            with contextlib.nullcontext() if self.full_charts else draft():
                png, table = getattr(self, f"_tab_{key}")()
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

    def _state_key(self, key: str) -> tuple:
        state = (
            self.years.value,
            self.regions.value,
            self.areas.value,
            self.review_types.value,
            self.unit.value,
            self.polarity.value,
        )
        if key == "network":
            state += (self.alpha.value, self.min_lift.value)
        if key == "themes":
            state += (self.stability.value,)
        return state

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
        self._rendered.pop("network", None)
        self.render_visible()

    def _on_stability(self, change) -> None:
        self._rendered.pop("themes", None)
        self.render_visible()

    def _on_tab(self, change) -> None:
        self.render_visible()

    def _on_factor(self, change) -> None:
        self.render_drill()

    # ------------------------------------------------------------------ data in scope

    def _unit_mask(self, unit: str) -> np.ndarray:
        return self._mask if unit == "review" else self._mask[self._episode_review]

    def _n_units(self, unit: str) -> int:
        """How many reviews or episodes are in scope."""
        return int(self._unit_mask(unit).sum())

    def _subset(self):
        """The review set in scope (for the tabs that need full statistics), cached per filter state."""
        key = (self.years.value, self.regions.value, self.areas.value, self.review_types.value)
        if key not in self._subset_cache:
            self._subset_cache.clear()
            # By position from the cached mask; the presence matrices come along, sliced.
            self._subset_cache[key] = self.rs.select_reviews(self._mask)
        subset = self._subset_cache[key]
        if len(subset.reviews) == 0:
            raise ParameterError("No reviews in scope: widen the filters.")
        return subset

    def prevalence(self, *, unit: str | None = None) -> pd.DataFrame:
        """Factor prevalence in scope, from the cached presence matrices (columns as in ``factor_prevalence``).

        ``unit`` is the unit chosen in the filter panel unless given.
        """
        unit, polarity = unit or self.unit.value, self.polarity.value
        chosen = presence(self.rs, unit=unit, polarity=polarity)
        reviews = presence(self.rs, unit="review", polarity=polarity)
        in_scope = self._unit_mask(unit)
        n_units = chosen.matrix.T @ in_scope.astype(np.int64)
        n_reviews = reviews.matrix.T @ self._mask.astype(np.int64)
        n_total = int(in_scope.sum())
        low, high = wilson_interval(n_units, np.full(len(n_units), n_total))
        frame = pd.DataFrame(
            {
                "factor_code": self._codes,
                "label": self._labels.to_numpy(),
                "level": self._taxonomy["level"].to_numpy(),
                "scie_category": self._taxonomy["scie_category"].to_numpy(),
                "n_reviews": n_reviews,
                "n_units": n_units,
                "n_total": n_total,
                "share": n_units / n_total if n_total else np.nan,
                "ci_low": low,
                "ci_high": high,
            }
        )
        return frame.sort_values(["n_units", "factor_code"], ascending=[False, True], ignore_index=True)

    # ------------------------------------------------------------------ tabs

    def _published(self, frame: pd.DataFrame) -> pd.DataFrame:
        return publish(frame, threshold=self.threshold).frame if self.publication else frame

    def _table_html(self, frame: pd.DataFrame, *, rows: int = _TOP) -> str:
        frame = frame.head(rows)
        if self.publication:
            frame = frame.drop(columns=[c for c in _HIDDEN_IN_PUBLICATION if c in frame.columns])
        for column in frame.columns:
            if pd.api.types.is_float_dtype(frame[column]):
                frame = frame.assign(**{column: frame[column].round(3)})
        table = frame.to_html(index=False, escape=True, na_rep=SUPPRESSED if self.publication else "", border=0)
        return f'<div style="{_SCROLL}">{table}</div>'

    def _png(self, axes_or_figure) -> bytes:
        import matplotlib.pyplot as plt

        figure = axes_or_figure.get_figure(root=True) if hasattr(axes_or_figure, "get_figure") else axes_or_figure
        try:
            if self.publication:
                figure.text(0.99, 0.002, footer(self.threshold), ha="right", va="bottom", fontsize=7, color="#555555")
            buffer = io.BytesIO()
            figure.savefig(buffer, format="png", dpi=_CHART_DPI)
            return buffer.getvalue()
        finally:
            plt.close(figure)

    def _tab_recurrence(self):
        from ..charts.drawing import plot_prevalence

        if not self._mask.any():
            return _message_png("No reviews in scope: widen the filters."), ""
        table = self._published(self.prevalence())
        if self.full_charts:
            return self._png(plot_prevalence(table, top=_TOP)), self._table_html(table)
        from ..charts import style

        rows = table.head(_TOP)
        unit = self.unit.value
        chart = self._quick_bars_png(
            rows,
            labels=list(rows["label"]),
            colors=[style.category_color(key) for key in rows["scie_category"]],
            xlabel=f"Share of {unit}s with the factor (N = {self._count(self._n_units(unit))} {unit}s)",
        )
        return chart, self._table_html(table)

    def _quick_bars_png(self, rows: pd.DataFrame, *, labels, colors, xlabel: str) -> bytes:
        """Bars of ``share`` with Wilson whiskers, drawn once on a fixed layout (the library's charts lay text
        out in several passes, which is right for print and too slow for a click)."""
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        from ..charts import style
        from ..charts.drawing import _horizontal_bars

        figure = Figure(figsize=(8.5, 0.3 * len(rows) + 1.0))
        FigureCanvasAgg(figure)
        ax = figure.add_axes((0.42, 0.9 / figure.get_figheight(), 0.55, 1 - 1.25 / figure.get_figheight()))
        labels = [style.wrap_label(text, 42) for text in labels]
        share_max = float(np.nanmax(rows["ci_high"].to_numpy(dtype=float), initial=0.0))
        _horizontal_bars(ax, rows, labels, colors, share_max=share_max, kwargs={})
        for side in ("top", "right", "left"):
            ax.spines[side].set_visible(False)
        ax.set_xlabel(xlabel)
        if self.publication:
            figure.text(0.99, 0.002, footer(self.threshold), ha="right", va="bottom", fontsize=7, color="#555555")
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=_CHART_DPI)
        return buffer.getvalue()

    def _tab_network(self):
        from ..charts.drawing import plot_factor_network
        from ..stats.networks import factor_network, node_metrics

        graph = factor_network(
            self._subset(),
            unit=PAIR_UNIT,
            alpha=self.alpha.value,
            min_lift=self.min_lift.value,
            polarity=self.polarity.value,
        )
        if self.publication:
            graph = publish_network(graph, threshold=self.threshold)
        if graph.number_of_edges() == 0:
            return _message_png("No pair of factors passes these thresholds: raise alpha or lower min lift."), ""
        table = node_metrics(graph)
        return self._png(plot_factor_network(graph)), self._table_html(self._published(table))

    def _tab_themes(self):
        from ..charts.drawing import plot_cooccurrence
        from ..stats.networks import factor_pairs, systemic_themes

        subset = self._subset()
        resamples = THEME_RESAMPLES if self.stability.value else 0
        themes = systemic_themes(subset, unit=PAIR_UNIT, polarity=self.polarity.value, resamples=resamples)
        pairs = factor_pairs(subset, unit=PAIR_UNIT, polarity=self.polarity.value)
        if len(themes) == 0:
            return _message_png("No themes in scope: the network has no links."), ""
        if self.full_charts:
            chart = self._png(plot_cooccurrence(self._published(pairs), themes=themes, top=THEME_TOP))
        else:
            chart = self._quick_themes_png(themes)
        if not resamples:
            themes = themes.drop(columns=["stability", "theme_stability"])  # not estimated: no empty columns
        return chart, self._table_html(self._published(themes), rows=60)

    def _quick_themes_png(self, themes: pd.DataFrame) -> bytes:
        """The largest themes' factors as bars of their share of episodes in scope, grouped and coloured by theme."""
        from ..charts import style

        shares = self._published(self.prevalence(unit=PAIR_UNIT)).drop(columns=["label", "level", "scie_category"])
        rows = themes[["factor_code", "label", "theme"]].merge(shares, on="factor_code", how="left")
        rows = rows.sort_values(["theme", "n_units", "factor_code"], ascending=[True, False, True], kind="stable")
        rows = rows[rows["theme"] <= rows["theme"].iloc[min(_TOP, len(rows)) - 1]].head(_TOP)
        n_total = self._count(self._n_units(PAIR_UNIT))
        return self._quick_bars_png(
            _floats(rows),
            labels=[f"T{theme}  {label}" for theme, label in zip(rows["theme"], rows["label"], strict=True)],
            colors=[style.theme_color(theme) for theme in rows["theme"]],
            xlabel=f"Share of episodes with the factor; colour and T-number: theme (N = {n_total} episodes)",
        )

    def _tab_sequences(self):
        from ..charts.drawing import plot_sequences
        from ..stats.networks import factor_sequences

        sequences = self._published(factor_sequences(self._subset(), polarity=self.polarity.value))
        labels = dict(zip(self._codes, self._labels, strict=True))
        return self._png(plot_sequences(sequences, labels=labels)), self._table_html(sequences)

    def _tab_findings(self):
        from ..charts.drawing import plot_finding_categories
        from ..stats.recurrence import finding_categories

        table = self._published(finding_categories(self._subset()))
        return self._png(plot_finding_categories(table)), self._table_html(table)

    def _tab_spread(self):
        from ..charts.drawing import plot_spread
        from ..stats.recurrence import factor_prevalence

        table = self._published(
            factor_prevalence(self._subset(), by="region", unit=self.unit.value, polarity=self.polarity.value)
        )
        return self._png(plot_spread(_floats(table), by="region", top=SPREAD_TOP)), self._table_html(table)

    # ------------------------------------------------------------------ drill-down

    def drill_down(self, code: str) -> dict:
        """What the drill-down shows for one factor: its KPEs, the findings citing them, its co-occurring factors."""
        position = self._code_index.get_loc(code)
        rows = (self._coding_code == position) & self._mask[self._coding_review]
        if self.polarity.value is not None:
            rows &= self._coding_polarity == self.polarity.value
        episodes = np.unique(self._coding_episode[rows])
        citing = np.unique(self._cite_finding[np.isin(self._cite_episode, episodes)])
        kpes = self.rs.episodes.iloc[episodes].reset_index(drop=True)
        findings = self.rs.findings.iloc[citing].reset_index(drop=True)
        # Co-occurrence at the chosen unit, within scope: one sparse product.
        unit = self.unit.value
        matrix = presence(self.rs, unit=unit, polarity=self.polarity.value).matrix
        in_scope = self._unit_mask(unit).astype(np.int64)
        with_factor = matrix[:, [position]].toarray().ravel() * in_scope
        n_ab = matrix.T @ with_factor
        n_all = matrix.T @ in_scope
        n_total, n_a = int(in_scope.sum()), int(with_factor.sum())
        with np.errstate(invalid="ignore", divide="ignore"):
            lift = n_ab * n_total / (n_a * n_all)
        together = pd.DataFrame(
            {"factor_code": self._codes, "label": self._labels.to_numpy(), "n_ab": n_ab, "n_b": n_all, "lift": lift}
        )
        together = together[(together["n_ab"] > 0) & (together["factor_code"] != code)]
        together = together.sort_values(["n_ab", "lift"], ascending=False, ignore_index=True)
        return {
            "kpes": kpes,
            "findings": findings,
            "cooccurring": together,
            "n_kpes": len(kpes),
            "n_reviews": int(kpes["review_id"].nunique()),
            "n_findings": len(findings),
            "n_units": n_a,
        }

    def render_drill(self) -> None:
        code = self.factor.value
        if code is None:
            self.drill.value = ""
            return
        found = self.drill_down(code)
        label = html.escape(str(self._labels.iloc[self._code_index.get_loc(code)]))
        count = self._count
        head = (
            f'<p class="sce-drill-summary"><b>{label}</b>: coded in <span class="sce-n-kpes">{count(found["n_kpes"])}'
            f"</span> KPEs of {count(found['n_reviews'])} reviews in scope; "
            f"{count(found['n_findings'])} findings cite them.</p>"
        )
        together = found["cooccurring"].head(10)
        if self.publication:
            together = together.assign(
                n_ab=[count(n) for n in together["n_ab"]],
                lift=[
                    ("" if n < self.threshold else f"{v:.2f}")
                    for n, v in zip(together["n_ab"], together["lift"], strict=True)
                ],
            )[["label", "n_ab", "lift"]]
            self.drill.value = head + "<p><b>Co-occurring factors</b></p>" + _html(together)
            return
        kpes = found["kpes"][["review_id", "episode_id", "agencies", "appraisal", "summary"]]
        findings = found["findings"][["review_id", "finding_id", "category", "title"]]
        self.drill.value = (
            head
            + f'<p><b>Key practice episodes</b></p><div class="sce-kpes" style="{_SCROLL}">'
            + _html(kpes)
            + f'</div><p><b>Findings citing them</b></p><div class="sce-findings" style="{_SCROLL}">'
            + _html(findings)
            + "</div><p><b>Co-occurring factors</b></p>"
            + _html(together.assign(lift=together["lift"].round(2)))
        )


#: Columns never shown in publication mode (free text and identifiers).
_HIDDEN_IN_PUBLICATION = (
    "review_id",
    "episode_id",
    "finding_id",
    "title",
    "summary",
    "note",
    "issues_for_board",
    "agencies",
)


def _floats(frame: pd.DataFrame) -> pd.DataFrame:
    """Nullable numeric columns (a published table's suppressed cells are ``<NA>``) as float with NaN, for charts."""
    numeric = [
        c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c])
    ]
    return frame.astype(dict.fromkeys(numeric, "float64"))


def _html(frame: pd.DataFrame) -> str:
    return frame.to_html(index=False, escape=True, border=0, na_rep="")


def _message_png(text: str) -> bytes:
    """A small PNG that says ``text`` (for an empty scope or a failed tab)."""
    import matplotlib.pyplot as plt

    figure, ax = plt.subplots(figsize=(6, 1.2))
    try:
        ax.axis("off")
        ax.text(0.5, 0.5, text, ha="center", va="center", wrap=True)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=_CHART_DPI)
        return buffer.getvalue()
    finally:
        plt.close(figure)
