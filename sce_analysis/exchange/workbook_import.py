"""Reading filled coding workbooks back into a review set, every problem named by workbook, sheet and cell.

:func:`read_workbooks` reads any number of workbooks (templates filled in, or exports) with the same
rules as CSV files, and :func:`import_workbooks` writes them as one review-set folder, all or
nothing. The layout of the sheets is :data:`SHEETS`; writing workbooks is in
:mod:`sce_analysis.exchange.excel`.
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import load_workbook
from openpyxl.cell.cell import ERROR_CODES
from openpyxl.utils import column_index_from_string, get_column_letter

from ..errors import DataValidationError, ParameterError
from ..reviewsets.contract import FILES
from ..reviewsets.folders import check_new_folder, save_new_folder
from ..reviewsets.read import Problem, from_frames, read_taxonomy
from ..reviewsets.reviewset import ReviewSet
from .safe_xml import UntrustedFileError, check_zip, xml_refusal

__all__ = ["SHEETS", "empty_frame", "read_workbooks", "import_workbooks"]

#: The sheet that holds each file of the contract, in reading order.
SHEETS: dict[str, str] = {
    "reviews": "Review",
    "episodes": "KPEs",
    "factors": "Factors",
    "findings": "Findings",
    "taxonomy": "Coding frame",
}
_KIND_OF_FILE = {spec.filename: name for name, spec in FILES.items()}
_SHEET_RANK = {kind: rank for rank, kind in enumerate(SHEETS)}
_WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
_ERRORS = frozenset(ERROR_CODES)
_IN_SHEETS = {
    "reviews.csv": "the Review sheet",
    "episodes.csv": "the KPEs sheet",
    "factors.csv": "the Factors sheet",
    "findings.csv": "the Findings sheet",
    "taxonomy.csv": "the Coding frame",
}
_CSV_NAME = re.compile(r"\b(?:reviews|episodes|factors|findings|taxonomy)\.csv\b")
_FIRST_ON_LINE = re.compile(r"\(first on line (\d+)\)")


def empty_frame(kind: str) -> pd.DataFrame:
    """An empty frame with the contract's columns of one file, as text."""
    return pd.DataFrame({name: pd.Series([], dtype="str") for name in FILES[kind].column_names})


def read_workbooks(paths, *, taxonomy=None) -> ReviewSet:
    """Read filled coding workbooks into one review set, checking them all in one pass.

    Each workbook holds one review or more (a template filled in, or an
    :func:`export_workbook` output). Cells are read as the text a CSV file would hold: whole
    numbers without ``.0``, Excel dates as ``YYYY-MM-DD``, text stripped. Empty rows are skipped;
    every other row is read. Sheets other than those of :data:`SHEETS` (such as *Instructions*
    and *Matrix*) are ignored; the *Findings* and *Coding frame* sheets may be absent.

    Parameters
    ----------
    paths : str, path or list of them
        The workbooks (``.xlsx``), in the order their reviews are to take.
    taxonomy : ReviewSet, DataFrame, str or path, optional
        The coding frame to check factor codes against (as for :func:`write_template`). By
        default, the *Coding frame* sheet of the workbooks, which must then be the same in
        every workbook that has one; with no such sheet at all, the codes used.

    Returns
    -------
    ReviewSet
        Reviews in workbook order, then in row order; the same for every other frame.

    Raises
    ------
    DataValidationError
        With every problem of every workbook, in workbook, sheet, row and column order. Each
        :class:`~sce_analysis.Problem` names ``"workbook › sheet"`` as its ``file``, the Excel
        row as its ``line`` and the cell, such as ``"C14"``, as its ``cell``. Problems with a
        whole sheet (a missing sheet or required column) have no cell; problems with a whole
        workbook (missing, damaged, not an .xlsx file) name just the workbook. Review IDs used
        in two workbooks, and rows whose review is in another workbook, are problems too.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from sce_analysis import load
    >>> from sce_analysis.exchange.excel import export_workbook
    >>> rs = load("data/sample").filter(areas="Ravensholt")
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = export_workbook(rs, pathlib.Path(folder) / "Ravensholt.xlsx")
    ...     read_workbooks([path]).equals(rs)
    True
    """
    paths = _paths(paths)
    given = None if taxonomy is None else read_taxonomy(taxonomy)
    labels = _labels(paths)
    found = _Found(labels)
    kinds = tuple(SHEETS) if given is None else tuple(k for k in SHEETS if k != "taxonomy")
    books = [_read_book(path, book, kinds, found) for book, path in enumerate(paths)]

    for book, sheets in enumerate(books):
        if sheets is not None and "reviews" in sheets and not sheets["reviews"].rows:
            found.add(
                book,
                "reviews",
                None,
                None,
                "",
                "the Review sheet holds no review. Fix: fill in the review in row 2, or leave this workbook out.",
            )
    _check_headers(books, kinds, found)

    sheets_of = {kind: [b[kind] for b in books if b is not None and kind in b] for kind in SHEETS}
    origins = {kind: _Origin(sheets_of[kind]) for kind in FILES}
    frames: dict[str, pd.DataFrame | None] = {kind: origins[kind].frame(kind) for kind in FILES}
    if not sheets_of["findings"]:
        frames["findings"] = None
    if given is not None:
        frames["taxonomy"] = given
    elif sheets_of["taxonomy"]:
        first = sheets_of["taxonomy"][0]
        origins["taxonomy"] = _Origin([first])
        # A coding frame without its codes (reported) cannot check codes: leave them unchecked.
        frames["taxonomy"] = None if _lacks_required(first) else origins["taxonomy"].frame("taxonomy")
        _compare_coding_frames(sheets_of["taxonomy"], found)
    else:
        frames["taxonomy"] = None
    # As load skips the checks that depend on an unreadable file, references into a sheet that is
    # missing or lacks a required column (both reported) are not checked for that workbook.
    unusable = {
        book: {k for k in kinds if not FILES[k].optional and (k not in sheets or _lacks_required(sheets[k]))}
        for book, sheets in enumerate(books)
        if sheets is not None
    }

    clash_lines = _check_review_owners(origins, frames, found)
    source = str(paths[0]) if len(paths) == 1 else f"{len(paths)} workbooks"
    review_set = None
    try:
        review_set = from_frames(**frames, source=source)
    except DataValidationError as error:
        read_cells = found.cells()
        for problem in error.problems:
            if problem.file == "reviews.csv" and problem.column == "review_id" and problem.line in clash_lines:
                continue  # reported with both workbooks named
            _map_problem(problem, origins, found, read_cells, unusable)
    if found:
        raise DataValidationError(found.sorted())
    return review_set


def import_workbooks(paths, out_folder: str | os.PathLike, *, taxonomy=None, overwrite: bool = False) -> ReviewSet:
    """Read filled coding workbooks and write them as one review-set folder, all or nothing.

    Parameters
    ----------
    paths : str, path or list of them
        The workbooks, as for :func:`read_workbooks`.
    out_folder : str or path
        The review-set folder to write. It must not exist or be empty, unless ``overwrite``.
    taxonomy : ReviewSet, DataFrame, str or path, optional
        The coding frame, as for :func:`read_workbooks`.
    overwrite : bool, default False
        Replace an existing review-set folder. Only a folder holding nothing but review-set
        files (the contract's CSV files and a README.md) is replaced.

    Returns
    -------
    ReviewSet
        The set written, with ``source`` the folder.

    Raises
    ------
    DataValidationError
        When any workbook has a problem; then nothing is written.
    ParameterError
        When ``out_folder`` is a file, or is not empty and ``overwrite`` is False, or holds
        other files, or holds the workbooks themselves.

    Notes
    -----
    The set is saved into a new hidden folder beside ``out_folder`` and then renamed into
    place, so the folder never holds half a set. With ``overwrite``, the old folder is
    renamed aside, the new one renamed in, and the old one deleted.
    """
    paths = _paths(paths)
    out = check_new_folder(out_folder, overwrite=overwrite)
    resolved = out.resolve()
    inside = [str(p) for p in paths if resolved in p.resolve().parents]
    if inside:
        raise ParameterError(f"{out} holds the workbooks being read ({inside[0]}). Fix: choose another folder.")
    review_set = read_workbooks(paths, taxonomy=taxonomy)
    save_new_folder(review_set, out, overwrite=overwrite)
    return review_set.with_source(str(out))


# ======================================================================================
# Reading workbooks
# ======================================================================================


def _text(value) -> str:
    """A cell value as the text a CSV file would hold."""
    if value is None:
        return ""
    kind = type(value)
    if kind is str:
        return value.strip()
    if kind is bool:
        return "TRUE" if value else "FALSE"
    if kind is int:
        return str(value)
    if kind is float:
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value).strip()


@dataclass
class _Sheet:
    """One sheet of a workbook read as text: its header and its non-empty rows."""

    book: int
    kind: str
    names: list[str]
    rows: list[list[str]]
    excel_rows: list[int]

    def position(self, name: str) -> int | None:
        """0-based position of a column's first occurrence in the header."""
        try:
            return self.names.index(name)
        except ValueError:
            return None


@dataclass
class _Found:
    """Problems found in workbooks, each with the key that sorts it into reading order."""

    books: list[str]
    items: list[tuple[tuple, Problem]] = field(default_factory=list)

    def add(self, book: int, kind: str | None, line, column, value, message: str, *, cell: str | None = None):
        label = self.books[book] if book < len(self.books) else "(all workbooks)"
        file = label if kind is None else f"{label} › {SHEETS[kind]}"
        if cell:
            column_rank = column_index_from_string(re.match(r"[A-Z]+", cell).group())
        elif column is not None and kind is not None and column in FILES[kind].column_names:
            column_rank = 100_000 + FILES[kind].column_names.index(column)
        else:
            column_rank = 0 if column is None else 200_000
        key = (book, -1 if kind is None else _SHEET_RANK[kind], -1 if line is None else line, column_rank, message)
        self.items.append((key, Problem(file, line, column, "" if value is None else str(value), message, cell)))

    def cells(self) -> set[tuple[str, str]]:
        return {(p.file, p.cell) for _, p in self.items if p.cell}

    def __bool__(self) -> bool:
        return bool(self.items)

    def sorted(self) -> list[Problem]:
        return [problem for _, problem in sorted(self.items, key=lambda item: item[0])]


def _paths(paths) -> list[Path]:
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    if not isinstance(paths, Iterable):
        raise ParameterError(f"paths must be a workbook path or a list of them; got {type(paths).__name__}.")
    paths = [Path(p) for p in paths]
    if not paths:
        raise ParameterError("no workbooks were given. Fix: give the .xlsx files to read.")
    return paths


def _labels(paths: list[Path]) -> list[str]:
    """How problems name each workbook: its file name, or its path when two share a name."""
    names = [p.name for p in paths]
    return [p.name if names.count(p.name) == 1 else str(p) for p in paths]


def _unreadable(path: Path) -> str | None:
    """Why ``path`` cannot be a workbook to read, or None."""
    if not path.exists():
        return "the file does not exist. Fix: check the path."
    if path.is_dir():
        return "this is a folder, not a workbook. Fix: give the .xlsx files inside it."
    if path.name.startswith("~$"):
        return "this is the lock file Excel keeps beside an open workbook. Fix: leave it out (close Excel first)."
    suffix = path.suffix.lower()
    if suffix == ".xls":
        return "this is an old Excel 97-2003 workbook (.xls). Fix: open it in Excel and save it as .xlsx."
    if suffix == ".csv":
        return "this is a CSV file, not a workbook. Fix: read review-set folders with sce_analysis.load."
    if suffix not in _WORKBOOK_SUFFIXES:
        return f"'{path.suffix}' is not an Excel workbook. Fix: save it as an Excel workbook (.xlsx)."
    return None


def _read_book(path: Path, book: int, kinds: tuple[str, ...], found: _Found) -> dict[str, _Sheet] | None:
    """Read a workbook's sheets as text, or report why it cannot be read."""
    reason = _unreadable(path)
    if reason is not None:
        found.add(book, None, None, None, "", reason)
        return None
    raw: dict[str, list[tuple]] = {}
    try:
        # The archive's directory first: a zip bomb is refused before openpyxl decompresses anything.
        check_zip(path, label=found.books[book])
        workbook = load_workbook(path, read_only=True, data_only=True)
        try:
            titles = list(workbook.sheetnames)
            for kind in kinds:
                if SHEETS[kind] in titles:
                    raw[kind] = list(workbook[SHEETS[kind]].iter_rows(values_only=True))
        finally:
            workbook.close()
    except UntrustedFileError as error:
        found.add(book, None, None, None, "", error.reason)
        return None
    except Exception as error:  # openpyxl raises many kinds on damaged files; each is reported, never raised
        refusal = xml_refusal(error)  # an entity bomb, refused by defusedxml inside openpyxl
        if refusal is not None:
            found.add(book, None, None, None, "", refusal)
            return None
        found.add(
            book,
            None,
            None,
            None,
            "",
            f"the file cannot be read as an Excel workbook ({str(error) or type(error).__name__}). It may be "
            "damaged, password-protected, or not really an .xlsx file. Fix: open it in Excel and save it as "
            "Excel Workbook (.xlsx).",
        )
        return None
    for kind in kinds:
        if kind not in raw and not FILES[kind].optional:
            close = [t for t in titles if t.strip().lower() == SHEETS[kind].lower()]
            close = close or difflib.get_close_matches(SHEETS[kind], titles, n=1, cutoff=0.6)
            hint = f" Did you mean the sheet '{close[0]}'? Sheet names must be as in the template." if close else ""
            found.add(
                book,
                kind,
                None,
                None,
                "",
                f"the workbook has no sheet named '{SHEETS[kind]}'.{hint} Fix: rename the sheet, or copy the rows "
                "into a template made by sce_analysis.write_template.",
            )
    sheets = {kind: _to_sheet(book, kind, rows, found) for kind, rows in raw.items()}
    # A blank optional sheet (no header, no rows) is as good as none: a review without findings.
    return {k: s for k, s in sheets.items() if s.names or s.rows or not FILES[k].optional}


def _to_sheet(book: int, kind: str, raw: list[tuple], found: _Found) -> _Sheet:
    spec = FILES[kind]
    width = max((len(values) for values in raw), default=0)
    names = [_text(v) for v in (raw[0] if raw else ())]
    names += [""] * (width - len(names))
    # A date can only be meant in a date column (or as free text); elsewhere Excel made it from the typing.
    kinds = {c.name: c.kind for c in spec.columns}
    strict = [p for p, name in enumerate(names) if kinds.get(name, "text") not in ("text", "date")]
    rows: list[list[str]] = []
    excel_rows: list[int] = []
    for number, values in enumerate(raw[1:], start=2):
        texts = [_text(v) for v in values]
        if not any(texts):
            continue
        texts += [""] * (width - len(texts))
        for p in strict:
            if p < len(values) and isinstance(values[p], (dt.date, dt.time)):
                found.add(
                    book,
                    kind,
                    number,
                    names[p],
                    texts[p],
                    f"Excel has stored a date here ({texts[p]}), but {names[p]} is not a date. Fix: format the "
                    "column as Text, then type the value again.",
                    cell=f"{get_column_letter(p + 1)}{number}",
                )
        if not _ERRORS.isdisjoint(texts):
            for p, text in enumerate(texts):
                if text in _ERRORS:
                    found.add(
                        book,
                        kind,
                        number,
                        names[p] or None,
                        text,
                        f"the cell shows the Excel error {text}. Fix: correct the formula, or type the value itself.",
                        cell=f"{get_column_letter(p + 1)}{number}",
                    )
        rows.append(texts)
        excel_rows.append(number)
    # Trailing columns with neither a name nor a value are formatting only.
    used = [p for p in range(width) if names[p] or any(row[p] for row in rows)]
    keep = used[-1] + 1 if used else 0
    names, rows = names[:keep], [row[:keep] for row in rows]
    for p, name in enumerate(names):
        if not name and any(row[p] for row in rows):
            letter = get_column_letter(p + 1)
            found.add(
                book,
                kind,
                1,
                None,
                "",
                f"column {letter} has values but no name in row 1. Fix: give it a name, or delete its values.",
                cell=f"{letter}1",
            )
    return _Sheet(book, kind, names, rows, excel_rows)


def _check_headers(books: list[dict[str, _Sheet] | None], kinds: tuple[str, ...], found: _Found) -> None:
    """Check each distinct set of headers once, with the library's own header rules (no rows needed)."""
    groups: dict[tuple, list[int]] = {}
    for book, sheets in enumerate(books):
        if sheets is not None:
            signature = tuple(tuple(sheets[k].names) if k in sheets else None for k in kinds)
            groups.setdefault(signature, []).append(book)
    for signature, members in groups.items():
        frames = {kind: None if FILES[kind].optional else empty_frame(kind) for kind in FILES}
        for kind, names in zip(kinds, signature, strict=True):
            if names is not None:
                frames[kind] = pd.DataFrame(columns=list(names))
        try:
            from_frames(**frames)
            continue
        except DataValidationError as error:
            problems = error.problems
        for book in members:
            repeats: dict[tuple[str, str], int] = {}
            for problem in problems:
                kind = _KIND_OF_FILE[problem.file]
                sheet = books[book][kind]
                positions = [p for p, name in enumerate(sheet.names) if name == problem.column]
                message = _CSV_NAME.sub(lambda m: _IN_SHEETS[m.group()], problem.message)
                if not positions:  # a missing column: a problem of the whole sheet
                    found.add(book, kind, None, problem.column, problem.value, message)
                    continue
                seen = repeats[(kind, problem.column)] = repeats.get((kind, problem.column), 0) + 1
                position = positions[min(seen, len(positions) - 1)] if len(positions) > 1 else positions[0]
                letter = get_column_letter(position + 1)
                found.add(book, kind, 1, problem.column, problem.value, message, cell=f"{letter}1")


class _Origin:
    """The rows of one file gathered from many sheets, and where each row came from."""

    def __init__(self, sheets: list[_Sheet]):
        self.sheets = sheets
        counts = [len(sheet.rows) for sheet in sheets]
        self.sheet_of = np.repeat(np.arange(len(sheets)), counts)
        self.excel_row = np.array([r for sheet in sheets for r in sheet.excel_rows], dtype=np.int64)
        self.book = np.array([sheet.book for sheet in sheets], dtype=np.int64)[self.sheet_of]

    def at(self, line: int) -> tuple[_Sheet, int] | None:
        """The sheet and Excel row of a line of the gathered file (line = position + 2)."""
        i = line - 2
        if not 0 <= i < len(self.sheet_of):
            return None
        return self.sheets[self.sheet_of[i]], int(self.excel_row[i])

    def frame(self, kind: str) -> pd.DataFrame:
        """The gathered rows as text: the contract's columns, then every extra column of any sheet."""
        spec = FILES[kind]
        extras: list[str] = []
        for sheet in self.sheets:
            extras += [n for n in dict.fromkeys(sheet.names) if n and n not in spec.column_names and n not in extras]
        columns = [*spec.column_names, *extras]
        parts: dict[str, list[np.ndarray]] = {name: [] for name in columns}
        for sheet in self.sheets:
            grid = np.array(sheet.rows, dtype=object).reshape(len(sheet.rows), len(sheet.names))
            for name in columns:
                position = sheet.position(name)
                parts[name].append(grid[:, position] if position is not None else np.full(len(sheet.rows), ""))
        return pd.DataFrame(
            {
                name: pd.Series(np.concatenate(chunks) if chunks else np.array([], dtype=object), dtype="str")
                for name, chunks in parts.items()
            }
        )


def _compare_coding_frames(sheets: list[_Sheet], found: _Found) -> None:
    """Every Coding frame sheet must equal the first; report the first difference of each that does not."""
    first = sheets[0]
    reference = [first.names, *first.rows]
    label = found.books[first.book]
    for sheet in sheets[1:]:
        table = [sheet.names, *sheet.rows]
        if table == reference:
            continue
        for r in range(max(len(table), len(reference))):
            mine = table[r] if r < len(table) else []
            theirs = reference[r] if r < len(reference) else []
            if mine == theirs:
                continue
            c = next(i for i in range(max(len(mine), len(theirs))) if _at(mine, i) != _at(theirs, i))
            # Row r of the table is the header (r = 0) or a row of this sheet; past its end, the row after.
            rows = [1, *sheet.excel_rows]
            row = rows[r] if r < len(rows) else rows[-1] + 1
            name = sheet.names[c] if c < len(sheet.names) and sheet.names[c] else None
            found.add(
                sheet.book,
                "taxonomy",
                row,
                name,
                _at(mine, c),
                f"this coding frame differs from the one in {label}: here '{_at(mine, c)}', there "
                f"'{_at(theirs, c)}'. All workbooks read together must share one coding frame. Fix: copy the "
                f"{SHEETS['taxonomy']} sheet from {label}, or give the coding frame as taxonomy.",
                cell=f"{get_column_letter(c + 1)}{row}",
            )
            break


def _at(row: list[str], i: int) -> str:
    return row[i] if i < len(row) else ""


def _check_review_owners(origins: dict[str, _Origin], frames: dict, found: _Found) -> set[int]:
    """A review lives in one workbook: report review IDs used in two workbooks, and rows whose review
    is in another workbook. Returns the lines of reviews.csv reported as clashes."""
    reviews = origins["reviews"]
    ids = frames["reviews"]["review_id"].tolist()
    first: dict[str, int] = {}
    clash_lines: set[int] = set()
    for i, review_id in enumerate(ids):
        if not review_id:
            continue
        j = first.setdefault(review_id, i)
        if j != i and reviews.book[j] != reviews.book[i]:
            sheet, row = reviews.at(i + 2)
            other, other_row = reviews.at(j + 2)
            position = sheet.position("review_id")
            found.add(
                sheet.book,
                "reviews",
                row,
                "review_id",
                review_id,
                f"review_id '{review_id}' is already used in {found.books[other.book]} (Review sheet, row "
                f"{other_row}). A review must be in one workbook only. Fix: correct the review_id, or leave one of "
                "the two workbooks out.",
                cell=f"{get_column_letter(position + 1)}{row}",
            )
            clash_lines.add(i + 2)
    owners = pd.Series(reviews.book, dtype="int64").astype("str") + "\x1f" + frames["reviews"]["review_id"]
    home = {review_id: int(reviews.book[j]) for review_id, j in first.items()}
    for kind in ("episodes", "factors", "findings"):
        origin, frame = origins[kind], frames[kind]
        if frame is None or not len(frame):
            continue
        rows_ids = frame["review_id"]
        keys = pd.Series(origin.book, dtype="int64").astype("str") + "\x1f" + rows_ids
        elsewhere = rows_ids.isin(list(home)).to_numpy(bool) & ~keys.isin(owners).to_numpy(bool)
        for i in np.flatnonzero(elsewhere):
            sheet, row = origin.at(i + 2)
            review_id = rows_ids.iloc[i]
            label = found.books[home[review_id]]
            found.add(
                sheet.book,
                kind,
                row,
                "review_id",
                review_id,
                f"review '{review_id}' is in {label}, not in this workbook. Fix: move this row to {label}, or "
                "correct the review_id.",
                cell=f"{get_column_letter(sheet.position('review_id') + 1)}{row}",
            )
    return clash_lines


# Columns whose values refer to rows of another file: (file, column) -> the file referred to.
_REFERS_TO = {
    ("episodes", "review_id"): "reviews",
    ("factors", "review_id"): "reviews",
    ("findings", "review_id"): "reviews",
    ("factors", "episode_id"): "episodes",
    ("findings", "episode_ids"): "episodes",
}


def _lacks_required(sheet: _Sheet) -> bool:
    return any(sheet.position(name) is None for name in FILES[sheet.kind].required)


def _map_problem(
    problem: Problem, origins: dict[str, _Origin], found: _Found, read_cells: set, unusable: dict[int, set[str]]
) -> None:
    """Turn a problem of the gathered files into one that names the workbook, sheet and cell.

    ``read_cells`` are the cells already reported while reading (an Excel error, a stray date): the
    library's complaint about the same value is left out. ``unusable`` holds, per workbook, the
    sheets that are missing or lack a required column: a reference into one of them is not
    reported, as it follows from the problem already reported for that sheet.
    """
    kind = _KIND_OF_FILE.get(problem.file)
    message = _CSV_NAME.sub(lambda m: _IN_SHEETS[m.group()], problem.message)
    place = None if kind is None or problem.line is None else origins[kind].at(problem.line)
    if place is None:  # not tied to a row of a sheet (not expected: headers are checked per sheet)
        found.add(len(found.books), kind, problem.line, problem.column, problem.value, message)
        return
    sheet, row = place
    origin = origins[kind]
    referred = _REFERS_TO.get((kind, problem.column))
    if referred in unusable.get(sheet.book, ()) and problem.value and ";" not in problem.value:
        return

    def first_place(match: re.Match) -> str:
        earlier = origin.at(int(match.group(1)))
        if earlier is None:
            return match.group()
        other, other_row = earlier
        if other is sheet:
            return f"(first in row {other_row})"
        return f"(first in {found.books[other.book]} › {SHEETS[kind]}, row {other_row})"

    message = _FIRST_ON_LINE.sub(first_place, message)
    cell = None
    if problem.column is not None:
        position = sheet.position(problem.column)
        if position is None:
            spec = FILES[kind]
            if problem.column in spec.column_names and spec.column(problem.column).required:
                return  # the sheet lacks the column: reported once for the whole sheet
        else:
            cell = f"{get_column_letter(position + 1)}{row}"
    file = f"{found.books[sheet.book]} › {SHEETS[kind]}"
    if cell is not None and (file, cell) in read_cells:
        return  # already reported for this cell while reading it
    found.add(sheet.book, kind, row, problem.column, problem.value, message, cell=cell)
