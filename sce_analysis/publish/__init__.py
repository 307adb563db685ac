"""What may leave the building: disclosure control of tables, networks and figures, and the identifier scan.

- :mod:`~sce_analysis.publish.disclosure`: small counts suppressed, free text and identifiers removed;
- :mod:`~sce_analysis.publish.scan`: likely personal identifiers in a review set's free text.
"""

import lazy_loader as lazy

__getattr__, __dir__, __all__ = lazy.attach(
    __name__,
    submodules=["disclosure", "scan"],
    submod_attrs={
        "disclosure": [
            "SUPPRESSED",
            "Published",
            "publish",
            "to_published_csv",
            "FREE_TEXT_COLUMNS",
            "IDENTIFIER_COLUMNS",
            "publish_network",
            "footer",
        ],
        "scan": ["scan", "find_identifiers", "format_findings"],
    },
)
