"""Charts of cross-review patterns, drawn from the tables the library returns, in the seaborn manner.

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

Modules, one per chart family, as in seaborn:

- :mod:`~sce_analysis.charts.bars`: :func:`plot_prevalence`, :func:`plot_finding_categories`,
  :func:`plot_level_profile`, :func:`plot_coverage`;
- :mod:`~sce_analysis.charts.heatmaps`: :func:`plot_spread`, :func:`plot_cooccurrence`;
- :mod:`~sce_analysis.charts.networks`: :func:`plot_factor_network`, :func:`plot_sequences`;
- :mod:`~sce_analysis.charts.levelmap`: :func:`plot_level_map`;
- :mod:`~sce_analysis.charts.trends`: :func:`plot_trends`, :func:`plot_group_differences`;
- :mod:`~sce_analysis.charts.layout`: where things go, computed without drawing (positions as plain data);
- :mod:`~sce_analysis.charts.common`: what every chart shares, with :func:`save_figure` and :func:`draft`;
- :mod:`~sce_analysis.charts.style`: the fixed colours, type sizes and the ``paper``/``talk`` contexts.

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

import lazy_loader as lazy

__getattr__, __dir__, __all__ = lazy.attach(
    __name__,
    submodules=["bars", "common", "heatmaps", "layout", "levelmap", "networks", "style", "trends"],
    submod_attrs={
        "bars": ["plot_prevalence", "plot_finding_categories", "plot_level_profile", "plot_coverage"],
        "heatmaps": ["plot_spread", "plot_cooccurrence"],
        "networks": ["plot_factor_network", "plot_sequences"],
        "levelmap": ["plot_level_map"],
        "trends": ["plot_trends", "plot_group_differences"],
        "common": ["save_figure", "draft"],
    },
)
