"""Review sets: the data contract, reading and checking folders, the ReviewSet, and saving.

The lowest layer of the package: it depends on nothing else of sce_analysis but the errors.

- :mod:`~sce_analysis.reviewsets.contract`: the files, columns and vocabularies of the contract;
- :mod:`~sce_analysis.reviewsets.read`: :func:`load`, :func:`validate`, :func:`from_frames`;
- :mod:`~sce_analysis.reviewsets.reviewset`: the :class:`ReviewSet` and its filters, and saving.
"""

import lazy_loader as lazy

__getattr__, __dir__, __all__ = lazy.attach(
    __name__,
    submodules=["contract", "frames", "read", "reviewset"],
    submod_attrs={
        "contract": [
            "APPRAISALS",
            "LEVELS",
            "POLARITIES",
            "SCIE_CATEGORIES",
            "SCIE_CATEGORY_LABELS",
            "SCIE_CATEGORY_SHORT_LABELS",
            "FILES",
            "Column",
            "FileSpec",
            "normalise_category",
        ],
        "frames": ["default_coding_frame"],
        "read": ["Problem", "load", "validate", "from_frames", "problems_frame", "read_taxonomy", "read_checked"],
        "reviewset": ["ReviewSet", "check_new_folder", "save_new_folder"],
    },
)
