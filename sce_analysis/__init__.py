"""sce_analysis: find the systemic influences that recur across SCIE Learning Together case reviews.

The public API::

    import sce_analysis as sce
    rs = sce.load("data/sample")        # a ReviewSet, or DataValidationError listing every problem
    sce.validate("data/sample")         # [] when clean, else a list of Problem
    rs.filter(regions=["London"], years=(2015, 2020)).summary()

Every public name is loaded on first use (SPEC 1, as scipy and networkx do), so
``import sce_analysis`` costs milliseconds and loads no pandas, matplotlib, statsmodels or
networkx: ``sce-analysis validate`` never pays for plotting. The package is layered; each layer
imports only those below it (checked by import-linter, see ``pyproject.toml``):

- :mod:`sce_analysis.reviewsets`: the contract, reading and checking, the ReviewSet;
- :mod:`sce_analysis.stats`: presence matrices and every statistic;
- :mod:`sce_analysis.publish`, :mod:`sce_analysis.charts`, :mod:`sce_analysis.exchange`,
  :mod:`sce_analysis.synthetic`: disclosure control, charts, other file forms, synthetic sets;
- :mod:`sce_analysis.reports`, then :mod:`sce_analysis.explorer`: notebook runs and reports, the
  interactive explorer;
- :mod:`sce_analysis.cli`: the ``sce-analysis`` command.
"""

import lazy_loader as lazy

from . import moved

__version__ = "0.2.0"

moved.install()

__getattr__, __dir__, __all__ = lazy.attach(
    __name__,
    submodules=["charts", "exchange", "explorer", "publish", "reports", "reviewsets", "stats", "synthetic", "text"],
    submod_attrs={
        "errors": ["DataValidationError", "OutputError", "ParameterError", "SceAnalysisError"],
        "reviewsets": [
            "APPRAISALS",
            "LEVELS",
            "POLARITIES",
            "SCIE_CATEGORIES",
            "SCIE_CATEGORY_LABELS",
            "SCIE_CATEGORY_SHORT_LABELS",
            "Problem",
            "ReviewSet",
            "from_frames",
            "load",
            "problems_frame",
            "read_taxonomy",
            "validate",
        ],
        "stats": [
            "Presence",
            "presence",
            "factor_prevalence",
            "recurring_factors",
            "factor_trends",
            "compare_groups",
            "finding_categories",
            "category_factors",
            "level_profile",
            "board_questions",
            "most_different_group",
            "factor_pairs",
            "factor_network",
            "node_metrics",
            "systemic_themes",
            "factor_sequences",
            "cross_level_links",
            "review_similarity",
            "cluster_reviews",
            "coverage",
            "per_review_counts",
            "coder_agreement",
            "agreement_overview",
            "factor_drilldown",
            "pair_evidence",
        ],
        "charts": [
            "style",
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
        ],
        "exchange": ["read_qdpx", "write_qdpx", "import_qdpx"],
        "text": ["text_index", "similar_findings", "similar_episodes"],
        "publish": ["Policy"],
        "reports": ["Run", "start_run"],
        "explorer": ["Explorer", "explore"],
    },
)
