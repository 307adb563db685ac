"""Text cells made safe to open in a spreadsheet: one rule against formula injection.

A cell whose text begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by
Excel, LibreOffice and Google Sheets as a formula when a CSV file is opened (OWASP, "CSV
injection"). A KPE summary, a finding, an area name or a coder's name comes from whoever wrote
the review, so every CSV and workbook the workbench writes *for people* passes its text through
this module; :func:`write_people_csv` is the one writer of such CSV files. Files meant to be read
back by the workbench, such as a review-set folder written by :meth:`~sce_analysis.ReviewSet.save`,
keep the exact text and do not use it.

The rule, as OWASP recommends: such a text cell gets a single quote ``'`` in front, which makes a
spreadsheet show it as text. So that the rule can be undone exactly (:func:`restore_cell`), text
that already starts with quotes followed by one of those characters, such as ``'=x``, gets one
more. Only text is touched: numbers, including negative ones such as a log odds ratio of -0.5,
missing values and everything else are left as they are.

Examples
--------
>>> neutralise_cell("=HYPERLINK(\\"http://x\\")")
'\\'=HYPERLINK("http://x")'
>>> neutralise_cell(-0.5), neutralise_cell("c"), neutralise_cell("Health visiting")
(-0.5, 'c', 'Health visiting')
>>> restore_cell(neutralise_cell("-1 day"))
'-1 day'
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = [
    "FORMULA_CHARACTERS",
    "QUOTE",
    "TABLE_FLOAT_FORMAT",
    "formula_like",
    "is_formula_like",
    "neutralise_cell",
    "neutralise_formulas",
    "restore_cell",
    "restore_formulas",
    "write_people_csv",
]

#: The first characters that make a spreadsheet read a cell as a formula (OWASP).
FORMULA_CHARACTERS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
#: What goes in front of such a cell: a spreadsheet shows what follows it as text.
QUOTE = "'"
#: How floats are written to CSV files for people: enough digits for any statistic, and stable.
TABLE_FLOAT_FORMAT = "%.10g"


def is_formula_like(value) -> bool:
    """Whether ``value`` is text that :func:`neutralise_cell` quotes.

    True for text starting with a character of :data:`FORMULA_CHARACTERS`, or with quotes and
    then one of them (so that quoting can be undone exactly); False for anything that is not a
    ``str``, such as a number or a missing value.

    >>> is_formula_like("+44 20"), is_formula_like("'=x"), is_formula_like("x=1"), is_formula_like(-2)
    (True, True, False, False)
    """
    return isinstance(value, str) and value.lstrip(QUOTE)[:1] in FORMULA_CHARACTERS


def neutralise_cell(value):
    """One cell as a people-facing spreadsheet may hold it: formula-like text with a ``'`` in front.

    Anything else, numbers and missing values included, is returned unchanged.
    """
    return QUOTE + value if is_formula_like(value) else value


def restore_cell(value):
    """Undo :func:`neutralise_cell`: the text as it was before it was quoted."""
    if isinstance(value, str) and value.startswith(QUOTE) and is_formula_like(value[1:]):
        return value[1:]
    return value


def formula_like(values: pd.Series) -> np.ndarray:
    """A boolean array: which cells of ``values`` are formula-like text (:func:`is_formula_like`).

    Vectorised over text columns; a numeric, boolean or date column has none.
    """
    if not _is_text_column(values):
        return np.zeros(len(values), dtype=bool)
    try:
        first = values.str.lstrip(QUOTE).str[:1]
    except AttributeError:  # an object column without any text, such as all missing
        return np.zeros(len(values), dtype=bool)
    return first.isin(FORMULA_CHARACTERS).to_numpy(dtype=bool, na_value=False)


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` safe to write as a CSV file or sheet for people.

    In text columns (object, string and categorical dtypes) every formula-like cell gets a ``'``
    in front (:func:`neutralise_cell`); text column names are treated the same way, since some
    tables take their column names from the data. Numeric, boolean and date columns are left as
    they are, so a negative number stays a number. ``frame`` is not modified.

    Examples
    --------
    >>> table = pd.DataFrame({"area": ["=1+1", "-", "Kelmscote"], "log_or": [-0.5, 0.25, None]})
    >>> neutralise_formulas(table)
         area  log_or
    0  '=1+1   -0.50
    1      '-    0.25
    2  Kelmscote     NaN
    """
    return _map_text(frame, neutralise_cell, formula_like, lambda text: QUOTE + text)


def restore_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Undo :func:`neutralise_formulas` on a table read back as text (cell by cell, :func:`restore_cell`)."""

    def quoted(values: pd.Series) -> np.ndarray:
        # Vectorised restore_cell: a cell that starts with the quote and is formula-like after it.
        if not _is_text_column(values):
            return np.zeros(len(values), dtype=bool)
        try:
            starts = values.str.startswith(QUOTE, na=False).to_numpy(dtype=bool, na_value=False)
        except AttributeError:  # an object column without any text, such as all missing
            return np.zeros(len(values), dtype=bool)
        if not starts.any():
            return starts
        return starts & formula_like(values.str[1:])

    return _map_text(frame, restore_cell, quoted, lambda text: text.str[1:])


def write_people_csv(frame: pd.DataFrame, path, *, suppressed: pd.DataFrame | None = None, mark: str = "c") -> None:
    """Write ``frame`` as a CSV file for people: the one writer of every table CSV a person opens.

    Float columns are written with :data:`TABLE_FLOAT_FORMAT` (``0.1 + 0.2`` as ``0.3``); cells
    where the boolean frame ``suppressed`` is True are written as ``mark`` (a published table's
    ``c``); formula-like text gets a ``'`` in front (:func:`neutralise_formulas`), while numbers,
    negative ones included, stay numbers; missing values are empty. No index, ``\\n`` line ends.
    ``path`` is a path or an open text file (such as ``sys.stdout``). ``frame`` is not modified.

    Examples
    --------
    >>> import io
    >>> table = pd.DataFrame({"area": ["=1+1", "Kelmscote"], "n": [3, 12], "share": [0.1 + 0.2, -0.5]})
    >>> out = io.StringIO()
    >>> write_people_csv(table, out, suppressed=pd.DataFrame({"area": False, "n": [True, False], "share": False}))
    >>> print(out.getvalue(), end="")
    area,n,share
    '=1+1,c,0.3
    Kelmscote,12,-0.5
    """
    # Neutralise while the dtypes still say which columns are numbers; then numbers become text.
    out = neutralise_formulas(frame)
    for position in range(frame.shape[1]):
        values = frame.iloc[:, position]
        if pd.api.types.is_float_dtype(values.dtype):
            out.isetitem(position, values.astype(object).map(lambda v: TABLE_FLOAT_FORMAT % v, na_action="ignore"))
    if suppressed is not None:
        out = out.astype(object).where(~np.asarray(suppressed, dtype=bool), mark)
    out.to_csv(path, index=False, lineterminator="\n")


def _is_text_column(values: pd.Series) -> bool:
    dtype = values.dtype
    return pd.api.types.is_object_dtype(dtype) or isinstance(dtype, (pd.StringDtype, pd.CategoricalDtype))


def _map_text(frame: pd.DataFrame, cell, which, change) -> pd.DataFrame:
    """Apply ``change`` to the cells ``which`` selects in every text column, and ``cell`` to names."""
    out = frame.copy()
    for position in range(frame.shape[1]):
        values = frame.iloc[:, position]
        if isinstance(values.dtype, pd.CategoricalDtype):
            # The categories are the text; the rule is one to one, so they stay distinct.
            out.isetitem(position, values.cat.rename_categories(cell))
            continue
        mask = which(values)
        if mask.any():
            changed = values.copy()
            changed[mask] = change(values[mask])
            out.isetitem(position, changed)
    names = [cell(name) for name in frame.columns]
    if names != list(frame.columns):
        out.columns = names
    return out
