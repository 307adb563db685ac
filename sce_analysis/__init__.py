"""sce_analysis: find the systemic influences that recur across SCIE Learning Together case reviews.

The public API::

    import sce_analysis as sce
    rs = sce.load("data/sample")        # a ReviewSet, or DataValidationError listing every problem
    sce.validate("data/sample")         # [] when clean, else a list of Problem
    rs.filter(regions=["London"], years=(2015, 2020)).summary()
"""

from . import style
from .agreement import agreement_overview, coder_agreement
from .charts import (
    plot_cooccurrence,
    plot_coverage,
    plot_factor_network,
    plot_finding_categories,
    plot_group_differences,
    plot_level_map,
    plot_level_profile,
    plot_prevalence,
    plot_sequences,
    plot_spread,
    plot_trends,
    save_figure,
)
from .contract import APPRAISALS, LEVELS, POLARITIES, SCIE_CATEGORIES, SCIE_CATEGORY_LABELS, SCIE_CATEGORY_SHORT_LABELS
from .errors import DataValidationError, ParameterError, SceAnalysisError
from .load import Problem, from_frames, load, problems_frame, read_taxonomy, validate
from .networks import (
    cluster_reviews,
    cross_level_links,
    factor_network,
    factor_pairs,
    factor_sequences,
    node_metrics,
    review_similarity,
    systemic_themes,
)
from .overview import coverage, per_review_counts
from .patterns import (
    board_questions,
    category_factors,
    compare_groups,
    factor_prevalence,
    factor_trends,
    finding_categories,
    level_profile,
    most_different_group,
    recurring_factors,
)
from .presence import Presence, presence
from .reviewset import ReviewSet
from .run import Run, start_run
from .widgets import Explorer, explore

__version__ = "0.1.0"

__all__ = [
    "APPRAISALS",
    "LEVELS",
    "POLARITIES",
    "SCIE_CATEGORIES",
    "SCIE_CATEGORY_LABELS",
    "SCIE_CATEGORY_SHORT_LABELS",
    "DataValidationError",
    "ParameterError",
    "Problem",
    "ReviewSet",
    "SceAnalysisError",
    "from_frames",
    "load",
    "problems_frame",
    "read_taxonomy",
    "validate",
    "Presence",
    "presence",
    "factor_prevalence",
    "recurring_factors",
    "factor_trends",
    "compare_groups",
    "finding_categories",
    "category_factors",
    "level_profile",
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
    "board_questions",
    "most_different_group",
    "Run",
    "start_run",
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
    "Explorer",
    "explore",
]
