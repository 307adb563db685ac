"""The coding frame that ships with sce_analysis, as package data.

The default coding frame of the workbook template (``sce-analysis template``) and the coding frame of
the synthetic generator (so also of the shipped sample, ``data/sample/taxonomy.csv``): 56 codes in the
language of SCIE Guide 24, in the contract's ``taxonomy.csv`` format. It is the file
``sce_analysis/reviewsets/data/coding_frame.csv``, read through :mod:`importlib.resources`, so an
installed package (a wheel, or a zip on ``sys.path``) finds it without the repository's data folder.
"""

from __future__ import annotations

import importlib.resources

import pandas as pd

from .read import read_taxonomy

__all__ = ["default_coding_frame"]


def default_coding_frame() -> pd.DataFrame:
    """The coding frame that ships with the package, checked by every rule of the contract.

    Returns
    -------
    DataFrame
        A new typed taxonomy frame on every call (its columns as :attr:`ReviewSet.taxonomy`
        holds them): ``factor_code``, ``label``, ``level``, ``factor_type``, ``scie_category``,
        ``parent_code`` and ``description``, one row per code.

    Raises
    ------
    DataValidationError
        When the shipped file breaks the contract (a damaged installation); the problems name it.

    Examples
    --------
    >>> from sce_analysis.reviewsets.read import load
    >>> frame = default_coding_frame()
    >>> len(frame), frame["factor_code"].iloc[0]
    (56, 'fam_hostile')
    >>> frame.equals(load("data/sample").taxonomy)
    True
    """
    resource = importlib.resources.files(__package__) / "data" / "coding_frame.csv"
    # as_file gives a real path even from a zip, where it is a temporary copy for the read.
    with importlib.resources.as_file(resource) as path:
        return read_taxonomy(path)
