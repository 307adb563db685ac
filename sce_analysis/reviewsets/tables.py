"""Tables beside a review set, read and checked by the contract's rules: the reader's API for other modules.

Crosswalk maps (:mod:`sce_analysis.exchange.crosswalk`) and Excel workbooks
(:mod:`sce_analysis.exchange.excel`) read tables of their own that must be checked as strictly as
a review set's files, with problems in the same words. This module is what they need of the
reader, in one place:

- :func:`read_table`: read a CSV file or a DataFrame as the file a :class:`FileSpec` declares,
  type and check its columns, and collect every problem;
- :class:`ProblemList`: the collector of problems, sorted into reading order;
- :func:`row_keys`: one string per row for a key of several columns, as keys are compared;
- :func:`as_text`: any column as the text a CSV file would hold;
- :data:`FIRST_YEAR`, :data:`LAST_YEAR`: the years a ``year`` column accepts.

Each name is defined in the module of its topic (:mod:`~sce_analysis.reviewsets.problems`,
:mod:`~sce_analysis.reviewsets.rules`, :mod:`~sce_analysis.reviewsets.csvfiles`,
:mod:`~sce_analysis.reviewsets.contract`); only :func:`read_table` is defined here.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from .contract import FIRST_YEAR, LAST_YEAR, FileSpec
from .csvfiles import as_text, frame_as_table, read_csv_table
from .problems import ProblemList
from .rules import check_table, row_keys

__all__ = ["read_table", "ProblemList", "row_keys", "as_text", "FIRST_YEAR", "LAST_YEAR"]


def read_table(
    source: pd.DataFrame | str | os.PathLike, spec: FileSpec, problems: ProblemList, *, unique_key: bool = True
) -> pd.DataFrame | None:
    """Read a table as the file ``spec`` declares and check its columns, collecting every problem.

    Parameters
    ----------
    source : DataFrame, str or path
        A DataFrame (each value read as the text a CSV file would hold; a row's line is its
        position + 2, as in a saved file) or the path of a UTF-8 CSV file.
    spec : FileSpec
        The table's columns; problems name the table ``spec.filename``.
    problems : ProblemList
        Every problem found is added here: the file cannot be read, a column is missing,
        misspelt or named twice, a value is not of its column's kind.
    unique_key : bool
        Also report a line that repeats the key (``spec.key``) of an earlier line. Pass False
        when repeats are checked by the caller.

    Returns
    -------
    DataFrame or None
        The columns of ``spec``, typed, indexed by line, bad values missing (extra columns are
        left out); None when the table cannot be read or lacks a required column.

    Examples
    --------
    >>> from sce_analysis.reviewsets.contract import Column
    >>> spec = FileSpec("mappings", (Column("source_code", "id", True), Column("year", "year")), key=("source_code",))
    >>> problems = ProblemList()
    >>> read_table(pd.DataFrame({"source_code": ["a", "b"], "year": ["2019", "20l9"]}), spec, problems)
             source_code  year
    line
    2                  a  2019
    3                  b  <NA>
    >>> print(problems.sorted()[0])
    mappings.csv, line 3, column year: '20l9' is not a year. Fix: write the year as four digits, such as 2019.
    """
    if isinstance(source, pd.DataFrame):
        table = frame_as_table(source, spec, problems)
    else:
        table = read_csv_table(Path(source), spec, problems)
        if table is None:
            return None
    typed = check_table(table, problems, extras=False, unique_key=unique_key)
    return None if table.missing_required else typed
