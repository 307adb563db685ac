"""Publication-grade charts of the library's tables, in the seaborn manner: ``plot_*(data, *, ..., ax=None) -> Axes``.

- :mod:`~sce_analysis.charts.style`: the fixed colours, type sizes and the ``paper``/``talk`` contexts;
- :mod:`~sce_analysis.charts.drawing`: the charts, :func:`save_figure` and :func:`draft`.
"""

import lazy_loader as lazy

__getattr__, __dir__, __all__ = lazy.attach(
    __name__,
    submodules=["drawing", "style"],
    submod_attrs={
        "drawing": [
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
        ],
    },
)
