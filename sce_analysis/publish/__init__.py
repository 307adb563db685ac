"""What may leave the building: the publication policy, disclosure control, and the identifier scan.

- :mod:`~sce_analysis.publish.policy`: the :class:`Policy` every output publishes through;
- :mod:`~sce_analysis.publish.disclosure`: the rules: small counts and figures with too few areas
  behind them suppressed, free text and identifiers removed;
- :mod:`~sce_analysis.publish.scan`: likely personal identifiers in a review set's free text.
"""

import lazy_loader as lazy

__getattr__, __dir__, __all__ = lazy.attach(
    __name__,
    submodules=["disclosure", "policy", "scan"],
    submod_attrs={
        "disclosure": [
            "DEFAULT_THRESHOLD",
            "DEFAULT_MIN_AREAS",
            "SUPPRESSED",
            "Published",
            "publish",
            "to_published_csv",
            "FREE_TEXT_COLUMNS",
            "IDENTIFIER_COLUMNS",
            "publish_network",
            "footer",
        ],
        "policy": ["Policy"],
        "scan": ["scan", "find_identifiers", "format_findings"],
    },
)
