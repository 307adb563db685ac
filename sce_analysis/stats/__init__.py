"""Statistics across review sets: presence matrices, recurrence, co-occurrence networks, agreement.

Every statistic takes a :class:`~sce_analysis.ReviewSet` first and returns a tidy DataFrame (or a
networkx graph). It depends on :mod:`sce_analysis.reviewsets` only.

- :mod:`~sce_analysis.stats.presence`: the sparse units × factors matrices every count starts from;
- :mod:`~sce_analysis.stats.inference`: Wilson intervals, exact tests, odds ratios, q-values;
- :mod:`~sce_analysis.stats.contributors`: the areas behind each count (``n_contributing_areas``);
- :mod:`~sce_analysis.stats.overview`: what a set covers, per group and per review;
- :mod:`~sce_analysis.stats.recurrence`: prevalence, spread, trends, group differences, findings;
- :mod:`~sce_analysis.stats.networks`: pairs, networks, themes, sequences, review similarity;
- :mod:`~sce_analysis.stats.selection`: choosing the group a chart shows from a finished table;
- :mod:`~sce_analysis.stats.drilldown`: from one factor to its episodes, findings and partners, and
  from a pair of factors to the episodes with both;
- :mod:`~sce_analysis.stats.agreement`: agreement between coders.
"""

import lazy_loader as lazy

__getattr__, __dir__, __all__ = lazy.attach(
    __name__,
    submodules=[
        "agreement",
        "contributors",
        "drilldown",
        "inference",
        "networks",
        "overview",
        "recurrence",
        "selection",
    ],
    submod_attrs={
        "agreement": ["coder_agreement", "agreement_overview", "AGREEMENT_LEVELS", "AGREEMENT_COLUMNS"],
        "contributors": [
            "CONTRIBUTING_AREAS",
            "PresenceAreas",
            "presence_areas",
            "area_index",
            "distinct_areas",
            "areas_per_column",
            "areas_inside_outside",
            "pair_counts",
            "cross_pair_counts",
            "fewest_areas",
        ],
        "overview": ["coverage", "per_review_counts"],
        "drilldown": ["Drilldown", "factor_drilldown", "pair_evidence"],
        "inference": ["wilson_interval", "bh_qvalues", "fisher_two_sided", "fisher_greater", "odds_ratio_woolf"],
        "networks": [
            "factor_pairs",
            "pair_table",
            "factor_network",
            "node_metrics",
            "louvain_themes",
            "systemic_themes",
            "factor_sequences",
            "cross_level_links",
            "review_similarity",
            "cluster_reviews",
        ],
        "presence": ["Presence", "presence", "UNITS", "one_hot"],
        "recurrence": [
            "factor_prevalence",
            "recurring_factors",
            "factor_trends",
            "compare_groups",
            "finding_categories",
            "category_factors",
            "level_profile",
            "board_questions",
            "most_different_group",
        ],
    },
)
