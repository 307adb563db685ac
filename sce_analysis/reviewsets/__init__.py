"""Review sets: the data contract, reading and checking folders, the ReviewSet, and saving.

The lowest layer of the package: it depends on nothing else of sce_analysis but the errors.
Its modules, from the bottom up (each imports only those above it in this list):

- :mod:`~sce_analysis.reviewsets.contract`: the files, columns and vocabularies of the contract;
- :mod:`~sce_analysis.reviewsets.problems`: :class:`Problem`, :func:`problems_frame` and the
  :class:`ProblemList` that collects them;
- :mod:`~sce_analysis.reviewsets.csvfiles`: files and frames read as text, and typed columns
  rendered back as text;
- :mod:`~sce_analysis.reviewsets.rules`: the contract's rules: typing columns, unique keys,
  episodes, references across files;
- :mod:`~sce_analysis.reviewsets.parquet`: sets stored as Parquet files;
- :mod:`~sce_analysis.reviewsets.cache`: the :class:`DerivedCache` of values computed from a set;
- :mod:`~sce_analysis.reviewsets.atomic`: staging folders, swaps, the disk-full error and the lock
  that keep killed and concurrent runs from losing anything;
- :mod:`~sce_analysis.reviewsets.folders`: writing a set into a new folder safely;
- :mod:`~sce_analysis.reviewsets.reviewset`: the :class:`ReviewSet`, its filters, and saving;
- :mod:`~sce_analysis.reviewsets.read`: :func:`load`, :func:`validate`, :func:`from_frames`,
  :func:`read_taxonomy`;
- :mod:`~sce_analysis.reviewsets.tables`: :func:`read_table` and what other readers (crosswalk
  maps, Excel workbooks) need of this package.
"""

import lazy_loader as lazy

__getattr__, __dir__, __all__ = lazy.attach(
    __name__,
    submodules=[
        "atomic",
        "cache",
        "contract",
        "csvfiles",
        "folders",
        "frames",
        "parquet",
        "problems",
        "read",
        "reviewset",
        "rules",
        "tables",
    ],
    submod_attrs={
        "contract": [
            "APPRAISALS",
            "LEVELS",
            "POLARITIES",
            "SCIE_CATEGORIES",
            "SCIE_CATEGORY_LABELS",
            "SCIE_CATEGORY_SHORT_LABELS",
            "FILES",
            "FIRST_YEAR",
            "LAST_YEAR",
            "Column",
            "FileSpec",
            "normalise_category",
        ],
        "frames": ["default_coding_frame"],
        "problems": ["Problem", "problems_frame", "ProblemList"],
        "read": ["load", "validate", "from_frames", "read_taxonomy", "read_checked"],
        "reviewset": ["ReviewSet"],
        "folders": ["check_new_folder", "save_new_folder"],
        "cache": ["DerivedCache", "RowSelection"],
        "tables": ["read_table"],
    },
)
