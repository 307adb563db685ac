"""Excel workbooks for coding case reviews: a template to fill in, an importer and an export.

Many review teams code a SCIE Learning Together review in a spreadsheet. This module gives
them a workbook whose sheets are the files of the review-set contract, and reads the filled
workbooks back with the same rules as CSV files:

- :func:`write_template` makes a coding workbook for one review, with drop-downs for coded
  values and a sheet of plain-English instructions;
- :func:`read_workbooks` merges many filled workbooks into one :class:`~sce_analysis.ReviewSet`,
  reporting every problem by workbook, sheet and cell, such as
  ``Kelmscote-2019.xlsx › Factors › C14``;
- :func:`import_workbooks` does the same and writes the review-set folder, all or nothing;
- :func:`export_workbook` writes a whole set as one workbook of the same layout (so it can be
  imported again), with a factor-by-review matrix.

Sheets and files (:data:`~sce_analysis.exchange.workbook_import.SHEETS`): *Review* holds
``reviews.csv``, *KPEs* ``episodes.csv``, *Factors* ``factors.csv``, *Findings* ``findings.csv``
and *Coding frame* ``taxonomy.csv``. Row 1 of each sheet holds the contract's column names.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.writer.excel import ExcelWriter

from ..errors import ParameterError
from ..reviewsets.contract import FILES, SCIE_CATEGORIES, SCIE_CATEGORY_LABELS, SCIE_CATEGORY_SHORT_LABELS, Column
from ..reviewsets.folders import check_new_file, staged_file
from ..reviewsets.frames import default_coding_frame
from ..reviewsets.read import read_taxonomy
from ..reviewsets.reviewset import ReviewSet
from ..reviewsets.tables import FIRST_YEAR, LAST_YEAR
from ..spreadsheets import formula_like, is_formula_like
from .workbook_import import SHEETS, empty_frame, import_workbooks, read_workbooks

__all__ = ["SHEETS", "write_template", "read_workbooks", "import_workbooks", "export_workbook"]

_INSTRUCTIONS = "Instructions"
_MATRIX = "Matrix"

_EXCEL_ROWS = 1_048_576
_EXCEL_COLUMNS = 16_384
_EXCEL_CELL_CHARS = 32_767
_TEMPLATE_ROWS = 1000  # drop-downs of a template reach this row
# Every workbook written carries this creation time, and its zip members this timestamp, so the
# same input always gives the same bytes.
_FIXED_TIME = dt.datetime(2000, 1, 1)
# Characters that XML, hence an .xlsx cell, cannot hold (openpyxl refuses them).
_ILLEGAL = "[\x00-\x08\x0b\x0c\x0e-\x1f]"

_REQUIRED_FILL = PatternFill("solid", fgColor="FFD966")
_OPTIONAL_FILL = PatternFill("solid", fgColor="DDEBF7")
_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=14)
_BASE_WIDTH = {"id": 14, "text": 30, "year": 8, "int": 10, "date": 12, "vocab": 14, "category": 26, "list": 24}
_COLUMN_FORMAT = {"id": "@", "text": "@", "list": "@", "vocab": "@", "category": "@", "date": "yyyy-mm-dd"}


# ======================================================================================
# Public functions
# ======================================================================================


def write_template(path: str | os.PathLike, *, taxonomy=None, overwrite: bool = False) -> Path:
    """Write an empty coding workbook for one case review.

    The sheets *Review*, *KPEs*, *Factors* and *Findings* have the contract's column names in
    row 1 (required columns bold on an amber fill, each header with a comment saying what it
    holds), a frozen header row, drop-downs for ``factor_code`` (the codes of the *Coding
    frame* sheet), ``appraisal``, ``polarity``, ``level`` and the SCIE categories, and
    text-formatted identifier columns. The *Instructions* sheet says how to fill it in.

    Parameters
    ----------
    path : str or path
        The workbook to write; it must end in ``.xlsx``.
    taxonomy : ReviewSet, DataFrame, str or path, optional
        The coding frame: a ReviewSet (its ``taxonomy``), a taxonomy frame, a ``taxonomy.csv``
        file or a review-set folder. Files and frames are checked with the contract's rules.
        By default, the coding frame that ships with the package (:func:`default_coding_frame`), which
        is also the coding frame of the shipped sample.
    overwrite : bool, default False
        Replace an existing file. Without it an existing file is refused, so that a filled
        workbook is never lost to a blank one.

    Returns
    -------
    Path
        The workbook. Its bytes depend only on the coding frame, not on the clock.

    Raises
    ------
    DataValidationError
        When the coding frame given breaks the contract.
    ParameterError
        When ``path`` does not end in ``.xlsx``, or exists and ``overwrite`` is False.

    Examples
    --------
    >>> import pathlib, tempfile, openpyxl
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = write_template(pathlib.Path(folder) / "Kelmscote-2019.xlsx")
    ...     openpyxl.load_workbook(path).sheetnames
    ['Review', 'KPEs', 'Factors', 'Findings', 'Coding frame', 'Instructions']
    """
    path = _target(path, overwrite=overwrite)
    frames = {kind: empty_frame(kind) for kind in ("reviews", "episodes", "factors", "findings")}
    frames["taxonomy"] = default_coding_frame() if taxonomy is None else read_taxonomy(taxonomy)
    _check_fits(frames)
    workbook = _new_workbook("SCIE Learning Together coding workbook")
    for kind, frame in frames.items():
        _write_sheet(workbook, kind, frame, n_codes=len(frames["taxonomy"]), last_row=_TEMPLATE_ROWS)
    _write_instructions(workbook, export=False)
    return _save(workbook, path)


def export_workbook(rs: ReviewSet, path: str | os.PathLike, *, overwrite: bool = False) -> Path:
    """Write a whole review set as one workbook, in the layout of :func:`write_template`.

    The sheets *Review*, *KPEs*, *Factors*, *Findings* and *Coding frame* hold the frames (dates
    as Excel dates), so the workbook can be edited and read back with :func:`read_workbooks`.
    The sheet *Matrix* holds the factor-by-review matrix: one row per review in set order,
    ``review_id`` and then one column per code of the coding frame, in its order; a cell is 1
    when any episode of the review has the code in :meth:`ReviewSet.codings` (the first coder
    of each episode, as the analyses count), else 0.

    Parameters
    ----------
    rs : ReviewSet
        The set to export.
    path : str or path
        The workbook to write; it must end in ``.xlsx``.
    overwrite : bool, default False
        Replace an existing file.

    Returns
    -------
    Path
        The workbook. The same set always gives the same bytes.

    Raises
    ------
    ParameterError
        When ``rs`` is not a ReviewSet, ``path`` is not a new ``.xlsx`` file (unless
        ``overwrite``), or the set does not fit Excel's limits (1,048,576 rows and 16,384
        columns a sheet, 32,767 characters a cell) or holds characters a workbook cannot.

    Examples
    --------
    >>> import pathlib, tempfile, openpyxl
    >>> from sce_analysis import load
    >>> rs = load("data/sample")
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = export_workbook(rs, pathlib.Path(folder) / "sample.xlsx")
    ...     book = openpyxl.load_workbook(path, read_only=True)
    ...     size = book["Matrix"].max_row - 1, book["Matrix"].max_column - 1
    ...     book.close()
    >>> size  # reviews x factor codes
    (80, 56)
    """
    if not isinstance(rs, ReviewSet):
        raise ParameterError(f"rs must be a ReviewSet, such as sce_analysis.load(folder); got {type(rs).__name__}.")
    path = _target(path, overwrite=overwrite)
    frames = {kind: getattr(rs, kind) for kind in FILES}
    codes = rs.taxonomy["factor_code"]
    _check_fits(frames, matrix_columns=1 + len(codes))
    workbook = _new_workbook("SCIE Learning Together review set")
    for kind, frame in frames.items():
        last_row = min(_EXCEL_ROWS, max(_TEMPLATE_ROWS, len(frame) + _TEMPLATE_ROWS))
        _write_sheet(workbook, kind, frame, n_codes=len(codes), last_row=last_row)
    _write_matrix(workbook, rs)
    _write_instructions(workbook, export=True)
    return _save(workbook, path)


# ======================================================================================
# Coding frames given as arguments
# ======================================================================================


# ======================================================================================
# Writing workbooks
# ======================================================================================


def _target(path, *, overwrite: bool) -> Path:
    return check_new_file(path, suffix=".xlsx", example="Kelmscote-2019.xlsx", overwrite=overwrite)


def _check_fits(frames: dict[str, pd.DataFrame], *, matrix_columns: int = 0) -> None:
    """Refuse, with the sheet and cell named, what an Excel workbook cannot hold."""
    if matrix_columns > _EXCEL_COLUMNS:
        raise ParameterError(
            f"the {_MATRIX} sheet would need {matrix_columns:,} columns (one per factor code); Excel allows "
            f"{_EXCEL_COLUMNS:,}. Fix: export a coding frame of fewer codes, or use the CSV folder (ReviewSet.save)."
        )
    for kind, frame in frames.items():
        sheet = SHEETS[kind]
        if len(frame) + 1 > _EXCEL_ROWS:
            raise ParameterError(
                f"the {sheet} sheet would need {len(frame) + 1:,} rows; Excel allows {_EXCEL_ROWS:,}. Fix: export "
                "part of the set, such as rs.filter(years=(2015, 2020)), or use the CSV folder (ReviewSet.save)."
            )
        if frame.shape[1] > _EXCEL_COLUMNS:
            raise ParameterError(f"the {sheet} sheet would need {frame.shape[1]:,} columns; Excel allows 16,384.")
        for position, (name, values) in enumerate(frame.items(), start=1):
            if pd.api.types.is_datetime64_any_dtype(values) or pd.api.types.is_numeric_dtype(values):
                continue
            text = values.astype("str")
            too_long = (text.str.len() > _EXCEL_CELL_CHARS).fillna(False).to_numpy(bool)
            illegal = text.str.contains(_ILLEGAL, regex=True).fillna(False).to_numpy(bool)
            for bad, why in (
                (too_long, f"holds more than {_EXCEL_CELL_CHARS:,} characters, the most an Excel cell holds"),
                (illegal, "holds a control character that an Excel workbook cannot hold"),
            ):
                if bad.any():
                    row = int(np.argmax(bad))
                    cell = f"{get_column_letter(position)}{row + 2}"
                    raise ParameterError(
                        f"{sheet} › {cell}: the {name} of row {row + 1} of {kind} {why} "
                        f"({int(bad.sum()):,} such value{'s' if bad.sum() > 1 else ''}). Fix: correct the value, "
                        "or use the CSV folder (ReviewSet.save)."
                    )


def _new_workbook(title: str) -> Workbook:
    workbook = Workbook(write_only=True)
    workbook.properties.creator = "sce_analysis"
    workbook.properties.title = title
    workbook.properties.created = _FIXED_TIME
    workbook.properties.modified = _FIXED_TIME
    return workbook


def _what(column: Column) -> str:
    """What values a column takes, in plain English."""
    kind = column.kind
    if kind == "vocab":
        text = "One of: " + ", ".join(column.vocabulary) + "."
        return text + (f" Empty means {column.default}." if column.default else "")
    return {
        "id": "An identifier, without ';'.",
        "text": "Free text.",
        "year": "A four-digit year, such as 2019.",
        "int": "A whole number, such as 3.",
        "date": "A date: an Excel date, or text written YYYY-MM-DD.",
        "category": "A SCIE finding category: a key from the drop-down, or its label.",
        "list": "A list: separate the items with ';'.",
    }[kind]


def _header_cell(ws, name: str, column: Column | None) -> WriteOnlyCell:
    cell = _text_cell(ws, name)  # a name such as '=x' stays text
    if column is None:
        cell.font = Font(italic=True)
        return cell
    cell.fill = _REQUIRED_FILL if column.required else _OPTIONAL_FILL
    if column.required:
        cell.font = _BOLD
    need = "Required." if column.required else "Optional."
    cell.comment = Comment(f"{name}: {column.description} {need} {_what(column)}", "sce_analysis", 110, 280)
    return cell


def _text_cell(ws, value: str, font: Font | None = None) -> WriteOnlyCell:
    """A cell that holds ``value`` as text, never as a formula, in openpyxl and in Excel.

    openpyxl writes a str starting with ``=`` as a formula unless the cell's type is text ("s").
    Excel, in turn, would run text starting with ``=``, ``+``, ``-`` or ``@`` as a formula once
    someone edits the cell (F2, Enter). Such a cell therefore also gets Excel's quote prefix, the
    style Excel itself gives text typed with a leading ``'``: the quote is not part of the value,
    so the sheet shows the text as written and :func:`read_workbooks` reads it back exactly.
    (OWASP's other remedy, a ``'`` written into the value, would show in the cell and come back
    from an import as part of the text.)
    """
    cell = WriteOnlyCell(ws, value=value)
    cell.data_type = "s"
    if is_formula_like(value):
        cell.quotePrefix = True
    if font is not None:
        cell.font = font
    return cell


def _cells(ws, values: pd.Series) -> list:
    """A column's values as cell values: None when missing, dates as dates, text kept as text.

    Text that a spreadsheet would read as a formula goes in a text cell with Excel's quote prefix
    (:func:`_text_cell`); numbers, negative ones included, stay numbers.
    """
    if pd.api.types.is_datetime64_any_dtype(values):
        return values.dt.date.to_numpy(dtype=object, na_value=None).tolist()
    out = values.to_numpy(dtype=object, na_value=None).tolist()
    if pd.api.types.is_numeric_dtype(values):
        return out
    for position in np.flatnonzero(formula_like(values)):
        out[position] = _text_cell(ws, out[position])
    return out


def _width(name: str, column: Column | None, values: pd.Series) -> float:
    lengths = values.astype("str").str.len()
    longest = 0 if lengths.isna().all() else int(lengths.max())
    base = _BASE_WIDTH[column.kind] if column is not None else 16
    return float(min(60, max(base if longest == 0 else 8, len(name) + 4, longest + 2)))


def _validation(kind: str, column: Column, n_codes: int) -> DataValidation | None:
    """The drop-down or check of a column, or None when it has none."""
    listed = None
    warning = False
    if kind == "factors" and column.name == "factor_code":
        formula = f"'{SHEETS['taxonomy']}'!$A$2:$A${max(n_codes, 1) + 1}"
        listed = f"a code of the {SHEETS['taxonomy']} sheet"
    elif column.kind == "vocab":
        formula = '"' + ",".join(column.vocabulary) + '"'
        listed = ", ".join(column.vocabulary)
    elif column.kind == "category":
        formula = '"' + ",".join(SCIE_CATEGORIES) + '"'
        listed = "a key of the list (a category's label is accepted too)"
        warning = True
    elif column.kind == "year":
        return DataValidation(
            type="whole",
            operator="between",
            formula1=str(FIRST_YEAR),
            formula2=str(LAST_YEAR),
            allow_blank=True,
            showErrorMessage=True,
            errorTitle="Not a year",
            error=f"Write the year as four digits, between {FIRST_YEAR} and {LAST_YEAR}.",
        )
    else:
        return None
    return DataValidation(
        type="list",
        formula1=formula,
        allow_blank=True,
        showErrorMessage=True,
        errorStyle="warning" if warning else "stop",
        errorTitle=f"Not a {column.name}",
        error=f"{column.name} must be {listed}.",
    )


def _write_sheet(workbook: Workbook, kind: str, frame: pd.DataFrame, *, n_codes: int, last_row: int) -> None:
    """One data sheet: styled header, widths, frozen header, drop-downs, then the rows."""
    spec = FILES[kind]
    ws = workbook.create_sheet(SHEETS[kind])
    names = [str(name) for name in frame.columns]
    columns = [spec.column(name) if name in spec.column_names else None for name in names]
    for position, (name, column) in enumerate(zip(names, columns, strict=True), start=1):
        letter = get_column_letter(position)
        dimension = ws.column_dimensions[letter]
        dimension.width = _width(name, column, frame.iloc[:, position - 1])
        dimension.number_format = _COLUMN_FORMAT.get(column.kind, "General") if column is not None else "@"
        validation = None if column is None else _validation(kind, column, n_codes)
        if validation is not None:
            validation.add(f"{letter}2:{letter}{last_row}")
            ws.data_validations.append(validation)
    ws.freeze_panes = "A2"
    if names:
        extent = f"A1:{get_column_letter(len(names))}{len(frame) + 1}"
        ws.auto_filter.ref = extent
        _declare_extent(ws, extent)
    ws.append([_header_cell(ws, name, column) for name, column in zip(names, columns, strict=True)])
    values = [_cells(ws, frame.iloc[:, i]) for i in range(len(names))]
    for row in zip(*values, strict=True):
        ws.append(row)


def _declare_extent(ws, extent: str) -> None:
    """Write the sheet's extent (its <dimension> element), which a write-only sheet leaves out.

    Without it openpyxl, on opening the workbook, parses every row of every sheet once just to
    find its size: reading an export took half as long again. The extent is known before any
    row is written, and openpyxl's sheet writer asks the sheet for it through this method.
    """
    ws.calculate_dimension = lambda: extent


def _presence_matrix(rs: ReviewSet) -> np.ndarray:
    """Reviews x codes, 1 when an episode of the review has the code in :meth:`ReviewSet.codings`."""
    codings = rs.codings()
    review = pd.Index(rs.reviews["review_id"]).get_indexer(codings["review_id"])
    code = pd.Index(rs.taxonomy["factor_code"]).get_indexer(codings["factor_code"])
    matrix = np.zeros((len(rs.reviews), len(rs.taxonomy)), dtype=np.int8)
    matrix[review, code] = 1
    return matrix


def _write_matrix(workbook: Workbook, rs: ReviewSet) -> None:
    ws = workbook.create_sheet(_MATRIX)
    codes = rs.taxonomy["factor_code"].tolist()
    ws.column_dimensions["A"].width = _width("review_id", FILES["reviews"].column("review_id"), rs.reviews["review_id"])
    ws.freeze_panes = "B2"
    _declare_extent(ws, f"A1:{get_column_letter(1 + len(codes))}{len(rs.reviews) + 1}")
    ws.append([_text_cell(ws, "review_id", _BOLD), *(_text_cell(ws, code, _BOLD) for code in codes)])
    ids = _cells(ws, rs.reviews["review_id"])
    for review_id, row in zip(ids, _presence_matrix(rs).tolist(), strict=True):
        ws.append([review_id, *row])


def _instruction_lines(*, export: bool) -> list[str]:
    what = (
        "This workbook holds a review set exported by sce_analysis: one row per review in the Review sheet."
        if export
        else "This workbook codes one SCIE Learning Together case review for sce_analysis."
    )
    lines = [
        what,
        "",
        "How to fill it in",
        "• Review: one row per case review. A workbook usually holds one review; it may hold several.",
        "• KPEs: one row per key practice episode (KPE), with the review_id of its review. episode_id is unique "
        "within the review (KPE1, KPE2, ...); sequence is its place in the chronology.",
        "• Factors: one row per contributory factor coded on a KPE. Pick factor_code from the drop-down: it lists "
        "the codes of the Coding frame sheet. When two people code the same KPE, give each row its coder.",
        "• Findings: one row per finding, with its SCIE category.",
        "• Lists (agencies, episode_ids, factor_codes) separate their items with ';', such as KPE1;KPE3.",
        "• Dates are Excel dates, or text written YYYY-MM-DD such as 2019-03-14. year is a four-digit year.",
        "• Required columns have a bold header on an amber fill; the others may be left empty. Point at a header "
        "to read what it holds. The table below lists every column.",
        "• Row 1 holds the names the importer reads: do not rename the headers or the sheets. You may add columns "
        "of your own to the right of a sheet: they are kept.",
        "• Do not change the Coding frame sheet: all workbooks imported together must share one coding frame.",
        "• To import: sce-analysis import-excel WORKBOOK.xlsx ... --out FOLDER, or in Python "
        "sce_analysis.import_workbooks([...], FOLDER). Every problem is reported by workbook, sheet and cell, "
        "such as Kelmscote-2019.xlsx › Factors › C14, and nothing is written until all are fixed.",
    ]
    if export:
        lines.append(
            "• Matrix: one row per review and one column per code of the coding frame. A cell is 1 when the code "
            "is coded on any KPE of the review by the first coder of that KPE (the rule the analyses use, "
            "ReviewSet.codings()), else 0. It is made from the Factors sheet, and the importer ignores it."
        )
    return lines


def _write_instructions(workbook: Workbook, *, export: bool) -> None:
    ws = workbook.create_sheet(_INSTRUCTIONS)
    for letter, width in zip("ABCDE", (16, 20, 10, 44, 70), strict=True):
        ws.column_dimensions[letter].width = width
    ws.append([_text_cell(ws, "How to use this workbook", _TITLE)])
    for line in _instruction_lines(export=export):
        bold = line in ("How to fill it in",)
        ws.append([_text_cell(ws, line, _BOLD if bold else None) if line else None])
    ws.append([])
    ws.append([_text_cell(ws, "The columns", _BOLD)])
    ws.append([_text_cell(ws, h, _BOLD) for h in ("Sheet", "Column", "Required", "Values", "What it holds")])
    wrap = Alignment(wrap_text=True, vertical="top")
    for kind, sheet in SHEETS.items():
        for column in FILES[kind].columns:
            values = _what(column)
            if kind == "factors" and column.name == "factor_code":
                values = "A code of the Coding frame sheet (drop-down)."
            description = _text_cell(ws, column.description)
            description.alignment = wrap
            row = [sheet, column.name, "yes" if column.required else "", values, description]
            ws.append([_text_cell(ws, v) if isinstance(v, str) else v for v in row])
    ws.append([])
    ws.append([_text_cell(ws, "The six SCIE finding categories (category, scie_category)", _BOLD)])
    ws.append([_text_cell(ws, h, _BOLD) for h in ("Key", "", "", "Label (Guide 24, 2008)", "Short label")])
    for key in SCIE_CATEGORIES:
        row = [key, None, None, SCIE_CATEGORY_LABELS[key], SCIE_CATEGORY_SHORT_LABELS[key]]
        ws.append([_text_cell(ws, v) if v else None for v in row])


class _FixedTimeZip(zipfile.ZipFile):
    """A zip archive whose members all carry one fixed time, so equal workbooks are equal bytes."""

    def _info(self, name: str) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, date_time=_FIXED_TIME.timetuple()[:6])
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o600 << 16
        return info

    def writestr(self, zinfo_or_arcname, data, compress_type=None, compresslevel=None):
        if not isinstance(zinfo_or_arcname, zipfile.ZipInfo):
            zinfo_or_arcname = self._info(zinfo_or_arcname)
        super().writestr(zinfo_or_arcname, data, compress_type, compresslevel)

    def write(self, filename, arcname=None, compress_type=None, compresslevel=None):
        info = self._info(arcname or os.fspath(filename))
        info.file_size = os.path.getsize(filename)  # lets large sheets use zip64
        with open(filename, "rb") as source, self.open(info, "w") as target:
            shutil.copyfileobj(source, target, 1 << 20)


def _save(workbook: Workbook, path: Path) -> Path:
    """Save beside ``path`` and rename into place: a failure or a kill leaves no half workbook."""
    # openpyxl's save_workbook stamps the current time; its writer, given our archive, does not.
    with (
        staged_file(path) as temporary,
        _FixedTimeZip(temporary, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive,
    ):
        ExcelWriter(workbook, archive).save()
    return path


# ======================================================================================
# Writing a review-set folder
# ======================================================================================
