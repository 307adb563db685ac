"""Review-set files as text: reading CSV files into cells of text, and rendering typed columns back.

Every reader of the package (CSV files, Parquet files, DataFrames in memory, crosswalk maps)
first turns its input into a :class:`TextTable`: stripped text cells, indexed by the line a
spreadsheet user sees (the header is line 1; a value with a line break inside quotes still counts
as one line), with the header's columns named and checked. The rules of the contract
(:mod:`~sce_analysis.reviewsets.rules`) then check and type that text the same way whatever it
came from. Saving goes the other way: :func:`csv_text` renders a typed frame as the text its CSV
file holds.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import io
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .contract import FileSpec, fold_name
from .problems import WHOLE_FILE, ProblemList

__all__ = [
    "TextTable",
    "legacy_text",
    "raw_header",
    "read_csv_table",
    "frame_as_table",
    "name_columns",
    "as_text",
    "csv_text",
    "MAX_FIELD_BYTES",
    "MAX_COLUMNS",
    "hostile_bytes",
]

#: The longest value a CSV file may hold, in bytes: four times Excel's limit of 32,767 characters
#: a cell (a UTF-8 character takes at most four bytes), and the csv module's own limit. A longer
#: value is refused before the file is parsed, so that a hostile file costs no more than its size.
MAX_FIELD_BYTES = 131_072
#: The most columns a file may have. The contract names at most ten per file; extra columns are
#: kept, but a header of thousands is not a review set, and would cost time in every check.
MAX_COLUMNS = 1_000
#: How much of a long value a problem shows.
_SHOWN = 200
#: The bytes that end a value in a CSV file (when not inside quotes): comma, line feed, carriage return.
_ENDS = (ord(","), ord("\n"), ord("\r"))


@dataclass
class TextTable:
    """A file read as text: stripped string cells, indexed by spreadsheet line number.

    Attributes
    ----------
    spec : FileSpec
        What the file should hold; problems name it ``spec.filename``.
    frame : DataFrame
        One column of text per named column of the header (``""`` for an empty cell), indexed
        by line; lines with no value at all are left out.
    readable : bool
        False when the file's structure is broken (a row too long, a quote never closed), so
        that its keys cannot be trusted for checks across files.
    """

    spec: FileSpec
    frame: pd.DataFrame
    readable: bool = True

    @property
    def missing_required(self) -> bool:
        """True when a required column of ``spec`` is not in the header."""
        return any(c not in self.frame.columns for c in self.spec.required)


def _describe_encoding_error(data: bytes, start: int) -> tuple[int, str | None, str, int]:
    """Find the first line and column whose bytes are not UTF-8, and how many lines have such bytes.

    ``start`` is the position of the first byte that is not UTF-8 (from the UnicodeDecodeError), used
    when the file cannot be parsed as CSV at all.
    """
    # latin-1 maps each byte to one character, so parsing it keeps every byte in place. Decoded once.
    text = data.decode("latin-1")
    header = raw_header(text)
    bad_rows = []
    first = None
    try:
        for number, row in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
            for position, cell in enumerate(row):
                try:
                    cell.encode("latin-1").decode("utf-8-sig" if number == 1 and position == 0 else "utf-8")
                except UnicodeDecodeError:
                    bad_rows.append(number)
                    if first is None:
                        column = header[position] if position < len(header) else None
                        shown = _shown(cell.encode("latin-1").decode("cp1252", errors="replace"))
                        first = (number, column, shown)
                    break
    except csv.Error:  # not CSV either (a quoted value too long): name the line of the first bad byte
        first, bad_rows = None, []
    if first is None:  # a stray byte outside any cell, or no CSV: report its physical line
        line, column = _line_and_column(data, start, header)
        first = (line, column, "")
        bad_rows = [line]
    return first[0], first[1], first[2], len(bad_rows)


def legacy_text(cell: str) -> str:
    r"""A cell of text decoded as latin-1 (one character a byte), decoded again as a person reads it.

    >>> [legacy_text(b.decode("latin-1")) for b in (b"\xef\xbb\xbfreview_id", "r\u00e9f".encode(), b"r\xe9f")]
    ['review_id', 'réf', 'réf']
    """
    raw = cell.encode("latin-1")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def _parse_csv_text(
    text: str, header: list[str], spec: FileSpec, problems: ProblemList, data: bytes | None = None
) -> tuple[pd.DataFrame, bool]:
    """Parse CSV text, whose header (:func:`_header`) is given, into a frame of strings; report broken rows.

    ``data`` is the same text as UTF-8 bytes (without a byte-order mark): pandas' C parser reads
    bytes directly, while text it would first encode back to UTF-8, chunk by chunk.
    """
    positional = [f"_{i}" for i in range(len(header))]
    structure_ok = True
    try:
        with warnings.catch_warnings():
            # A long first row is truncated with only a warning: treat it as the error it is.
            warnings.simplefilter("error", pd.errors.ParserWarning)
            frame = pd.read_csv(
                io.StringIO(text) if data is None else io.BytesIO(data),
                encoding="utf-8",
                header=0,
                names=positional,
                dtype=str,
                keep_default_na=False,
                na_filter=False,
                skip_blank_lines=False,
                index_col=False,
                engine="c",
            )
    except (pd.errors.ParserError, pd.errors.ParserWarning, csv.Error):
        structure_ok = False
        frame = _parse_csv_slowly(text, header, positional, spec, problems)
    frame.index = pd.RangeIndex(2, len(frame) + 2, name="line")
    return frame, structure_ok


def _header(text: str) -> list[str]:
    """The header's names, stripped: the first record, parsed from the start of the text (not a copy of all of it)."""
    try:
        return [name.strip() for name in next(csv.reader(io.StringIO(text[: 1 << 20], newline="")), [])]
    except csv.Error:  # a quoted name longer than the csv module's limit; the header check reports it
        return [name.strip() for name in text[: 1 << 20].split("\n", 1)[0].split(",")]


def _shown(value: str) -> str:
    """A value as a problem shows it: cut to a few hundred characters."""
    return value if len(value) <= _SHOWN else f"{value[:_SHOWN]}... ({len(value):,} characters)"


def _line_and_column(data: bytes, position: int, header: list[str]) -> tuple[int, str | None]:
    """The physical line (from 1) of byte ``position``, and the ``header``'s name for its column (counting commas)."""
    start = data.rfind(b"\n", 0, position) + 1
    line = data.count(b"\n", 0, start) + 1
    index = data.count(b",", start, position)
    return line, (header[index] or None) if index < len(header) else None


def _long_value(data: bytes) -> tuple[int, int] | None:
    """(start, length) of the first run of more than :data:`MAX_FIELD_BYTES` bytes without a comma or line end.

    Such a run lies inside one value, so the value is too long. Scanned in chunks with numpy: about
    3 ms a MiB, and no copy of the file.
    """
    array = np.frombuffer(data, dtype=np.uint8)
    last = -1  # the position of the last comma or line end seen
    step = 1 << 22
    for offset in range(0, len(array), step):
        chunk = array[offset : offset + step]
        ends = np.flatnonzero((chunk == _ENDS[0]) | (chunk == _ENDS[1]) | (chunk == _ENDS[2])) + offset
        if not len(ends):
            continue
        gaps = np.diff(ends, prepend=last) - 1
        long = np.flatnonzero(gaps > MAX_FIELD_BYTES)
        if len(long):
            end = int(ends[long[0]])
            return end - int(gaps[long[0]]), int(gaps[long[0]])
        last = int(ends[-1])
    if len(array) - 1 - last > MAX_FIELD_BYTES:
        return last + 1, len(array) - 1 - last
    return None


def raw_header(latin: str) -> list[str]:
    r"""The header's names (:func:`_header`) of a file not decoded as UTF-8, given as latin-1 text (all of it, or
    its start), as a person reads them: UTF-8 where they are (a byte-order mark dropped), Windows-1252 where not.

    >>> raw_header(b'\xef\xbb\xbfreview_id,"r\xc3\xa9f, x",caf\xe9\nR1,a,b'.decode("latin-1"))
    ['review_id', 'réf, x', 'café']
    """
    return [legacy_text(name) for name in _header(latin)]


def _header_of(data: bytes) -> list[str]:
    """The header's names of a file's bytes, read before the file is decoded (see :func:`raw_header`)."""
    return raw_header(data[: 1 << 20].decode("latin-1"))


def hostile_bytes(data: bytes, file: str, problems: ProblemList) -> bool:
    """Report NUL bytes and values too long to be real, before the file is decoded or parsed; True if found.

    The checks every reader of a CSV file's bytes makes first (:func:`read_csv_table`, and
    :func:`~sce_analysis.publish.scan.scan`): each names the line and column where it is found.
    """
    nul = data.find(b"\x00")
    if nul >= 0:
        line, column = _line_and_column(data, nul, _header_of(data))
        problems.add(
            file,
            line,
            column,
            _shown(data[data.rfind(b"\n", 0, nul) + 1 : nul + 1].decode("utf-8", errors="replace")),
            f"the file holds NUL bytes (the first at byte {nul + 1:,}, on this line): it is not a text CSV file"
            " (or it is UTF-16 without a byte-order mark). Fix: export it again as CSV UTF-8.",
        )
        return True
    found = _long_value(data)
    if found is not None:
        start, length = found
        line, column = _line_and_column(data, start, _header_of(data))
        problems.add(
            file,
            line,
            column,
            _shown(data[start : start + _SHOWN].decode("utf-8", errors="replace")),
            f"this value is {length:,} bytes long, more than the {MAX_FIELD_BYTES:,} a value may have (Excel "
            "holds at most 32,767 characters in a cell): the file is damaged or not a review set, and was not read. "
            "Fix: shorten the value, or export the file again.",
        )
        return True
    return False


def _parse_csv_slowly(text: str, header: list[str], positional: list[str], spec: FileSpec, problems: ProblemList):
    """Parse with the csv module to report every row with too many values, and unclosed quotes."""
    file = spec.filename
    rows: list[list[str]] = []
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    width = len(header)
    line = 1
    try:
        next(reader, None)
        for line, row in enumerate(reader, start=2):
            if len(row) > width:
                extra = [v for v in row[width:] if v.strip()]
                problems.add(
                    file,
                    line,
                    None,
                    _shown(",".join(row[width:])),
                    f"this line has {len(row)} values but the header names {width} columns"
                    + (f" (extra: {', '.join(repr(v) for v in extra[:3])})" if extra else " (a trailing comma)")
                    + ". Fix: put quotes around a value that contains a comma, or delete the stray comma.",
                )
                row = row[:width]
            rows.append(row + [""] * (width - len(row)))
    except csv.Error as error:
        if "field larger than field limit" in str(error):
            reason = (
                f"a quoted value is longer than {MAX_FIELD_BYTES:,} characters: a quote is probably never closed, or "
                "the value is not real"
            )
        else:
            reason = "a quoted value is probably never closed: check that every opening double quote is closed"
        problems.add(
            file,
            line + 1,
            None,
            "",
            f"the file cannot be read as CSV from this line on ({error}). Fix: {reason}.",
        )
    return pd.DataFrame(rows, columns=positional, dtype=str) if rows else pd.DataFrame(columns=positional, dtype=str)


def read_csv_table(path: Path, spec: FileSpec, problems: ProblemList) -> TextTable | None:
    """Read the CSV file at ``path`` as stripped text, or report why it cannot be read.

    Problems name the file ``spec.filename`` (``path`` itself need not be so named). Returns
    None when the file is absent (a problem unless ``spec`` is optional) or cannot be read at all.
    """
    file = spec.filename
    if not path.exists():
        if not spec.optional:
            problems.add(
                file,
                WHOLE_FILE,
                None,
                "",
                f"the file is missing. Every review set needs {file} with the columns {', '.join(spec.required)}.",
            )
        return None
    if not path.is_file():
        problems.add(file, WHOLE_FILE, None, "", f"{path} is not a file.")
        return None
    try:
        data = path.read_bytes()
    except OSError as error:
        problems.add(file, WHOLE_FILE, None, "", f"the file cannot be read: {error.strerror or error}.")
        return None
    if data.startswith(b"PK\x03\x04"):
        problems.add(
            file,
            WHOLE_FILE,
            None,
            "",
            "this is an Excel workbook renamed to .csv. Fix: open it in Excel and use Save As › CSV UTF-8.",
        )
        return None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        problems.add(
            file,
            WHOLE_FILE,
            None,
            "",
            "the file is in UTF-16 (Excel's 'Unicode Text'). Fix: save it as CSV UTF-8 instead.",
        )
        return None
    if hostile_bytes(data, file, problems):
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line, column, shown, n_lines = _describe_encoding_error(data, error.start)
        more = f" ({n_lines - 1} more line{'s' if n_lines != 2 else ''} too)" if n_lines > 1 else ""
        problems.add(
            file,
            line,
            column,
            shown,
            f"the file is not UTF-8: it looks like a legacy Windows encoding such as Windows-1252{more}. "
            "Fix: in Excel use Save As › CSV UTF-8 (comma delimited), or re-encode the file as UTF-8.",
        )
        return None
    if not text.strip():
        problems.add(
            file,
            WHOLE_FILE,
            None,
            "",
            f"the file is empty. Fix: add the header line ({', '.join(spec.column_names)}) and its rows"
            + (", or delete the file if the set has none." if spec.optional else "."),
        )
        return None
    header = _header(text)
    if len(header) > MAX_COLUMNS:
        problems.add(
            file,
            1,
            header[MAX_COLUMNS] or None,
            _shown(header[MAX_COLUMNS]),
            f"the header names {len(header):,}{' or more' if len(text) > 1 << 20 else ''} columns, more than the "
            f"{MAX_COLUMNS:,} a review-set file may have (the contract names at most ten): the file was not read. "
            "Fix: delete the extra columns, or check that this is the right file.",
        )
        return None

    body = data[3:] if data.startswith(codecs.BOM_UTF8) else data
    frame, structure_ok = _parse_csv_text(text, header, spec, problems, body)
    return TextTable(spec, name_columns(header, frame, spec, problems), readable=structure_ok)


def name_columns(header: list[str], frame: pd.DataFrame, spec: FileSpec, problems: ProblemList) -> pd.DataFrame:
    """Give the positional frame its header names, reporting duplicate, unnamed and misspelt columns."""
    file = spec.filename
    keep: dict[str, str] = {}
    for position, name in enumerate(header):
        values = frame[f"_{position}"]
        if name == "":
            if values.str.strip().ne("").any():
                problems.add(
                    file, 1, None, "", f"column {position + 1} has values but no name in the header. Fix: name it."
                )
            continue  # a nameless column with no values is a stray comma: there is nothing to keep
        if name in keep:
            problems.add(
                file,
                1,
                name,
                name,
                f"the header names column '{name}' twice. Fix: rename or delete one of them.",
            )
            continue
        keep[name] = f"_{position}"
    frame = frame[list(keep.values())]
    frame.columns = list(keep)
    frame = frame.apply(lambda s: s.str.strip())
    # A line with no value at all carries nothing; skipping it keeps later line numbers right.
    frame = frame[frame.ne("").any(axis=1)] if len(frame.columns) else frame.iloc[0:0]

    folded = {fold_name(name): name for name in frame.columns if name not in spec.column_names}
    for column in spec.columns:
        if column.name in frame.columns:
            continue
        lookalike = folded.get(fold_name(column.name))
        if lookalike is not None:
            problems.add(
                file,
                1,
                lookalike,
                lookalike,
                f"column '{lookalike}' looks like the contract's '{column.name}'. Fix: rename it to "
                f"'{column.name}' (names are lower case with underscores).",
            )
        elif column.required:
            close = difflib.get_close_matches(column.name, list(frame.columns), n=1, cutoff=0.75)
            hint = f" Did you mean '{close[0]}'?" if close else ""
            problems.add(
                file,
                1,
                column.name,
                "",
                f"the required column '{column.name}' is missing.{hint} Fix: add a column headed "
                f"'{column.name}' ({column.description.rstrip('.').lower()}).",
            )
    return frame


def frame_as_table(frame: pd.DataFrame, spec: FileSpec, problems: ProblemList) -> TextTable:
    """Read a DataFrame as its CSV file would be read: each value as its text, lines = position + 2.

    Lists may be given as ``;``-joined text or as Python lists. Columns are taken by position, so
    that two names equal after stripping are reported, not merged. Nothing passed in is modified.
    """
    header = [str(c).strip() for c in frame.columns]
    positional = pd.DataFrame(
        {f"_{i}": as_text(frame.iloc[:, i]).str.strip().to_numpy() for i in range(frame.shape[1])},
        index=pd.RangeIndex(2, len(frame) + 2, name="line"),
    )
    return TextTable(spec, name_columns(header, positional, spec, problems))


def as_text(series: pd.Series) -> pd.Series:
    """Render any column as the text a CSV file would hold.

    Dates are ISO, whole numbers are written without ``.0``, lists are ``;``-joined and missing
    values are empty.

    Examples
    --------
    >>> as_text(pd.Series([2019.0, None])).tolist()
    ['2019', '']
    """
    if isinstance(series.dtype, pd.CategoricalDtype):
        series = series.astype(object)
    if pd.api.types.is_datetime64_any_dtype(series):
        return series.dt.strftime("%Y-%m-%d").fillna("").astype("str")
    if pd.api.types.is_float_dtype(series):
        whole = series.dropna()
        if len(whole) and (whole == np.floor(whole)).all():
            series = series.astype("Int64")
    if series.dtype == object:
        series = series.map(lambda v: ";".join(map(str, v)) if isinstance(v, (list, tuple)) else v)
    return series.astype("str").fillna("")


def csv_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Render a typed frame as the text of its CSV file (dates ISO, whole numbers without '.0')."""
    return pd.DataFrame({name: as_text(column) for name, column in frame.items()})
