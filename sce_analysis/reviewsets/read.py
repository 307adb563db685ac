"""Read, check and type review sets.

:func:`load` reads a folder into a :class:`~sce_analysis.ReviewSet`; :func:`validate` returns
every problem the folder has; :func:`from_frames` runs the same checks on DataFrames already in
memory. All three share one pass over the data: each file is read as text, every rule of
the contract (:mod:`sce_analysis.reviewsets.contract`) is checked with vectorised pandas, and all problems
are collected before anything is raised, so a reviewer can fix a whole spreadsheet in one go.

Line numbers are those a spreadsheet user sees: the header is line 1, and a value with a line
break inside quotes still counts as one line.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import io
import os
import re
import warnings
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import DataValidationError, ParameterError
from .contract import FILES, SCIE_CATEGORIES, Column, FileSpec, _fold, normalise_category

__all__ = ["Problem", "load", "validate", "from_frames", "problems_frame"]

# Problem.line for problems that concern a whole file rather than one of its lines.
_WHOLE_FILE = None
#: What one row of each file is, for messages.
_ROW_NOUN = {"reviews": "review", "episodes": "episode", "factors": "factor", "findings": "finding", "taxonomy": "code"}
_SEP = "\x1f"  # joins key parts into one string; it cannot occur in CSV text typed by a person


@dataclass(frozen=True)
class Problem:
    """One way in which a review set breaks the contract.

    Attributes
    ----------
    file : str
        File name within the review-set folder, such as ``"factors.csv"``.
    line : int or None
        Line as a spreadsheet user counts it (the header is line 1); None when the problem
        concerns the whole file.
    column : str or None
        Column name; None when the problem concerns a whole line or file.
    value : str
        The offending value as written (empty when a value is missing).
    message : str
        What is wrong and how to fix it, in plain English.
    cell : str or None
        For problems found in a spreadsheet: the cell as Excel names it, such as ``"C14"``.
        ``file`` then names the workbook and sheet, as in ``"Kelmscote-2019.xlsx › Factors"``.
    """

    file: str
    line: int | None
    column: str | None
    value: str
    message: str
    cell: str | None = None

    def __str__(self) -> str:
        """``file, line N, column C: message``, or ``workbook › sheet › C14: message`` for a cell.

        >>> str(Problem("Kelmscote-2019.xlsx › Factors", 14, "factor_code", "x", "unknown code", cell="C14"))
        'Kelmscote-2019.xlsx › Factors › C14 (factor_code): unknown code'
        """
        if self.cell:
            return f"{self.file} › {self.cell}" + (f" ({self.column})" if self.column else "") + f": {self.message}"
        where = self.file
        if self.line is not None:
            where += f", line {self.line}"
        if self.column:
            where += f", column {self.column}"
        return f"{where}: {self.message}"


def problems_frame(problems: list[Problem]) -> pd.DataFrame:
    """Return problems as a DataFrame with columns ``file, line, column, value, message``.

    ``line`` is a nullable integer; it is missing for problems about a whole file. When any
    problem names a spreadsheet cell, a last column ``cell`` holds it.

    Examples
    --------
    >>> problems_frame([Problem("reviews.csv", 3, "year", "20l9", "not a year")])
             file  line column value     message
    0  reviews.csv     3   year  20l9  not a year
    """
    frame = pd.DataFrame(
        [(p.file, p.line, p.column, p.value, p.message) for p in problems],
        columns=["file", "line", "column", "value", "message"],
    )
    frame["line"] = frame["line"].astype("Int64")
    if any(p.cell for p in problems):
        frame["cell"] = pd.Series([p.cell for p in problems], dtype="str")
    return frame


class _Problems:
    """Collects problems from vectorised checks and sorts them into reading order."""

    def __init__(self) -> None:
        self._rows: list[tuple[str, int | None, str | None, str, str]] = []

    def add(self, file: str, line: int | None, column: str | None, value: object, message: str) -> None:
        self._rows.append((file, line, column, "" if value is None else str(value), message))

    def add_rows(self, file: str, lines, column: str | None, values, messages) -> None:
        """Add one problem per line; ``values`` and ``messages`` are sequences or one string."""
        lines = list(lines)
        values = [values] * len(lines) if isinstance(values, str) else list(values)
        messages = [messages] * len(lines) if isinstance(messages, str) else list(messages)
        for line, value, message in zip(lines, values, messages, strict=True):
            self.add(file, int(line), column, value, message)

    def __bool__(self) -> bool:
        return bool(self._rows)

    def sorted(self) -> list[Problem]:
        # Files in contract order, in either format (reviews.csv or reviews.parquet).
        file_rank = {spec.name: i for i, spec in enumerate(FILES.values())}
        column_rank = {(spec.name, c): i for spec in FILES.values() for i, c in enumerate(spec.column_names)}

        def order(row):
            file, line, column, value, message = row
            kind = file.rsplit(".", 1)[0]
            return (
                file_rank.get(kind, len(file_rank)),
                file,
                -1 if line is None else line,
                column_rank.get((kind, column), len(column_rank)) if column else -1,
                column or "",
                value,
                message,
            )

        return [Problem(*row) for row in sorted(self._rows, key=order)]


# --------------------------------------------------------------------------------------
# Reading files as text
# --------------------------------------------------------------------------------------


@dataclass
class _Raw:
    """A file read as text: stripped string cells, indexed by spreadsheet line number."""

    spec: FileSpec
    frame: pd.DataFrame
    readable: bool = True  # False when its structure is broken and its keys cannot be trusted


def _describe_encoding_error(data: bytes, header: list[str]) -> tuple[int, str | None, str, int]:
    """Find the first line and column whose bytes are not UTF-8, and how many lines have such bytes."""
    # latin-1 maps each byte to one character, so parsing it keeps every byte in place.
    rows = list(csv.reader(io.StringIO(data.decode("latin-1"), newline="")))
    bad_rows = []
    first = None
    for number, row in enumerate(rows, start=1):
        for position, cell in enumerate(row):
            try:
                cell.encode("latin-1").decode("utf-8-sig" if number == 1 and position == 0 else "utf-8")
            except UnicodeDecodeError:
                bad_rows.append(number)
                if first is None:
                    column = header[position] if position < len(header) else None
                    shown = cell.encode("latin-1").decode("cp1252", errors="replace")
                    first = (number, column, shown)
                break
    if first is None:  # a stray byte outside any cell; report its physical line
        number = data.count(b"\n", 0, len(data)) + 1
        first = (number, None, "")
        bad_rows = [number]
    return first[0], first[1], first[2], len(bad_rows)


def _parse_csv_text(
    text: str, spec: FileSpec, problems: _Problems, data: bytes | None = None
) -> tuple[list[str], pd.DataFrame, bool]:
    """Parse CSV text into a header and a frame of strings; report broken rows.

    ``data`` is the same text as UTF-8 bytes (without a byte-order mark): pandas' C parser reads
    bytes directly, while text it would first encode back to UTF-8, chunk by chunk.
    """
    # The header is the first record: parse it from the start of the text, not a copy of all of it.
    header_row = next(csv.reader(io.StringIO(text[: 1 << 20], newline="")), [])
    header = [name.strip() for name in header_row]
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
    return header, frame, structure_ok


def _parse_csv_slowly(text: str, header: list[str], positional: list[str], spec: FileSpec, problems: _Problems):
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
                    ",".join(row[width:]),
                    f"this line has {len(row)} values but the header names {width} columns"
                    + (f" (extra: {', '.join(repr(v) for v in extra[:3])})" if extra else " (a trailing comma)")
                    + ". Fix: put quotes around a value that contains a comma, or delete the stray comma.",
                )
                row = row[:width]
            rows.append(row + [""] * (width - len(row)))
    except csv.Error as error:
        problems.add(
            file,
            line + 1,
            None,
            "",
            f"the file cannot be read as CSV from this line on ({error}). A quoted value is probably never "
            "closed: check that every opening double quote has its closing quote.",
        )
    return pd.DataFrame(rows, columns=positional, dtype=str) if rows else pd.DataFrame(columns=positional, dtype=str)


def _read_raw(folder: Path, spec: FileSpec, problems: _Problems) -> _Raw | None:
    """Read one file as stripped strings, or report why it cannot be read. None when absent."""
    file = spec.filename
    path = folder / file
    if not path.exists():
        if not spec.optional:
            problems.add(
                file,
                _WHOLE_FILE,
                None,
                "",
                f"the file is missing. Every review set needs {file} with the columns {', '.join(spec.required)}.",
            )
        return None
    if not path.is_file():
        problems.add(file, _WHOLE_FILE, None, "", f"{path} is not a file.")
        return None
    try:
        data = path.read_bytes()
    except OSError as error:
        problems.add(file, _WHOLE_FILE, None, "", f"the file cannot be read: {error.strerror or error}.")
        return None
    if data.startswith(b"PK\x03\x04"):
        problems.add(
            file,
            _WHOLE_FILE,
            None,
            "",
            "this is an Excel workbook renamed to .csv. Fix: open it in Excel and use Save As › CSV UTF-8.",
        )
        return None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        problems.add(
            file,
            _WHOLE_FILE,
            None,
            "",
            "the file is in UTF-16 (Excel's 'Unicode Text'). Fix: save it as CSV UTF-8 instead.",
        )
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        header = [h.strip() for h in next(csv.reader(io.StringIO(data.decode("latin-1"), newline="")), [])]
        line, column, shown, n_lines = _describe_encoding_error(data, header)
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
            _WHOLE_FILE,
            None,
            "",
            f"the file is empty. Fix: add the header line ({', '.join(spec.column_names)}) and its rows"
            + (", or delete the file if the set has none." if spec.optional else "."),
        )
        return None
    if "\x00" in text:
        problems.add(file, _WHOLE_FILE, None, "", "the file holds NUL bytes: it is not a text CSV file.")
        return None

    body = data[3:] if data.startswith(codecs.BOM_UTF8) else data
    header, frame, structure_ok = _parse_csv_text(text, spec, problems, body)
    return _Raw(spec, _name_columns(header, frame, spec, problems), readable=structure_ok)


def _name_columns(header: list[str], frame: pd.DataFrame, spec: FileSpec, problems: _Problems) -> pd.DataFrame:
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

    folded = {_fold(name): name for name in frame.columns if name not in spec.column_names}
    for column in spec.columns:
        if column.name in frame.columns:
            continue
        lookalike = folded.get(_fold(column.name))
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


# --------------------------------------------------------------------------------------
# Checking and typing columns
# --------------------------------------------------------------------------------------

_YEAR = re.compile(r"\d{4}")
_INT = re.compile(r"[+-]?\d+")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_FIRST_YEAR, _LAST_YEAR = 1900, 2100


def _flag(problems: _Problems, raw: _Raw, column: str, mask: pd.Series, message) -> None:
    """Report every line where ``mask`` holds; ``message`` maps a value to its message."""
    if not mask.any():
        return
    bad = raw.frame.loc[mask, column]
    messages = message if isinstance(message, str) else [message(v) for v in bad]
    problems.add_rows(raw.spec.filename, bad.index, column, bad.tolist(), messages)


def _split_list(values: pd.Series) -> pd.Series:
    """Split ';'-lists into one row per item, stripped, without empty items. Index is kept.

    ``values`` must hold no missing value. Arrow's list kernels do this without a Python loop.
    """
    lists = pc.split_pattern(pa.array(values, type=pa.string()), ";")
    items = pc.utf8_trim_whitespace(pc.list_flatten(lists)).to_numpy(zero_copy_only=False)
    owners = values.index[pc.list_parent_indices(lists).to_numpy()]
    items = pd.Series(items, index=owners, dtype="str")
    return items[items.ne("")]


def _tidy_list(values: pd.Series) -> pd.Series:
    """Rewrite ';'-lists without spaces around ';' and without empty items ("a ; ;b" -> "a;b"), in Arrow."""
    lists = pc.split_pattern(pa.array(values, type=pa.string()), ";")
    if isinstance(lists, pa.ChunkedArray):  # Arrow-backed text of a large file comes in chunks
        lists = lists.combine_chunks()
    items = pc.utf8_trim_whitespace(pc.list_flatten(lists))
    keep = pc.not_equal(items, "")
    owners = pc.list_parent_indices(lists).to_numpy()[keep.to_numpy(zero_copy_only=False)]
    offsets = np.concatenate([[0], np.cumsum(np.bincount(owners, minlength=len(values)))]).astype(np.int32)
    tidy = pa.ListArray.from_arrays(pa.array(offsets), items.filter(keep))
    return pd.Series(pc.binary_join(tidy, ";").to_numpy(zero_copy_only=False), index=values.index, dtype="str")


def _isin(values: pd.Series, keys) -> np.ndarray:
    """Boolean array: which values are among ``keys`` (missing values are not)."""
    found = pc.is_in(
        pa.array(values, type=pa.string()), value_set=pa.array(np.asarray(keys, dtype=object), type=pa.string())
    )
    return pc.fill_null(found, False).to_numpy(zero_copy_only=False)


def _type_column(raw: _Raw, column: Column, problems: _Problems) -> pd.Series:
    """Check one column's values and return them typed. Bad values become missing."""
    name = column.name
    file = raw.spec.filename
    if name not in raw.frame.columns:
        empty = pd.Series(pd.NA, index=raw.frame.index, dtype=object)
        return _typed_empty(empty, column)
    values = raw.frame[name]
    filled = values.ne("")
    if column.required:
        _flag(
            problems,
            raw,
            name,
            ~filled,
            f"{name} is empty; it is required. Fix: fill it in, or delete the line if it is not a real "
            f"{_ROW_NOUN.get(raw.spec.name, 'row')}.",
        )
    elif column.default is not None:
        values = values.mask(~filled, column.default)
        filled = values.ne("")

    kind = column.kind
    if kind in ("id", "text"):
        if kind == "id":
            _flag(
                problems,
                raw,
                name,
                values.str.contains(";", regex=False),
                f"{name} contains ';', which separates lists. Fix: use another character in identifiers.",
            )
        return values.where(filled).astype("str")

    if kind == "year":
        good = values.str.fullmatch(_YEAR.pattern)
        number = pd.to_numeric(values.where(good), errors="coerce")
        in_range = number.between(_FIRST_YEAR, _LAST_YEAR)
        _flag(
            problems,
            raw,
            name,
            filled & ~good,
            lambda v: f"'{v}' is not a year. Fix: write the year as four digits, such as 2019.",
        )
        _flag(
            problems,
            raw,
            name,
            good & ~in_range,
            lambda v: f"{v} is outside {_FIRST_YEAR}–{_LAST_YEAR}. Fix: check the year.",
        )
        return number.where(good & in_range).astype("Int64")

    if kind == "int":
        good = values.str.fullmatch(_INT.pattern)
        _flag(
            problems,
            raw,
            name,
            filled & ~good,
            lambda v: f"'{v}' is not a whole number. Fix: write the {name} as a whole number such as 3.",
        )
        return pd.to_numeric(values.where(good), errors="coerce").astype("Int64")

    if kind == "date":
        shaped = values.str.fullmatch(_DATE.pattern)
        dates = pd.to_datetime(values.where(shaped), format="%Y-%m-%d", errors="coerce")
        _flag(
            problems,
            raw,
            name,
            filled & ~shaped,
            lambda v: (
                f"'{v}' is not an ISO date. Fix: write it as YYYY-MM-DD, such as 2019-03-14 (Excel may "
                "have reformatted it: format the column as text)."
            ),
        )
        _flag(
            problems,
            raw,
            name,
            filled & shaped & dates.isna(),
            lambda v: f"'{v}' is not a real calendar date. Fix: check the day and the month.",
        )
        return dates.astype("datetime64[s]")

    if kind == "vocab":
        allowed = set(column.vocabulary)
        ok = values.isin(allowed)
        listed = ", ".join(column.vocabulary)

        def explain(v: str) -> str:
            if v.lower() in allowed:
                return f"'{v}' must be written in lower case. Fix: write '{v.lower()}'."
            close = difflib.get_close_matches(v.lower(), column.vocabulary, n=1, cutoff=0.6)
            hint = f" Did you mean '{close[0]}'?" if close else ""
            return f"'{v}' is not an allowed {name}.{hint} Fix: use one of {listed}."

        _flag(problems, raw, name, filled & ~ok, explain)
        return pd.Series(pd.Categorical(values.where(ok), categories=list(column.vocabulary)), index=values.index)

    if kind == "category":
        # A national set repeats a handful of spellings many times: normalise each one once.
        spellings = {v: normalise_category(v) for v in values.unique()}
        keys = values.map(spellings).where(filled)
        _flag(
            problems,
            raw,
            name,
            filled & keys.isna(),
            lambda v: (
                f"'{v}' is not one of the six SCIE finding categories. Fix: use a key or label, such as "
                "human_tool / 'Human-tool operation' / 'Tools' (keys: " + ", ".join(SCIE_CATEGORIES) + ")."
            ),
        )
        return pd.Series(pd.Categorical(keys, categories=list(SCIE_CATEGORIES)), index=values.index)

    if kind == "list":
        items = _split_list(values[filled])
        listed = pd.DataFrame({"line": items.index, "item": items.to_numpy()})
        repeated = listed[listed.duplicated()].drop_duplicates()
        problems.add_rows(
            file,
            repeated["line"],
            name,
            repeated["item"].tolist(),
            [f"'{v}' is listed twice in {name}. Fix: list it once." for v in repeated["item"]],
        )
        joined = _tidy_list(values)
        return joined.where(joined.ne("")).astype("str")

    raise AssertionError(f"unknown column kind {kind!r}")  # pragma: no cover - guarded by the contract


def _typed_empty(values: pd.Series, column: Column) -> pd.Series:
    """An all-missing column of the dtype its kind has."""
    if column.kind in ("vocab", "category"):
        categories = list(column.vocabulary) if column.kind == "vocab" else list(SCIE_CATEGORIES)
        filled = values if column.default is None else values.fillna(column.default)
        return pd.Series(pd.Categorical(filled, categories=categories), index=values.index)
    if column.kind in ("year", "int"):
        return values.astype("Int64")
    if column.kind == "date":
        return pd.Series(pd.NaT, index=values.index, dtype="datetime64[s]")
    return values.astype("str")


def _key_strings(frame: pd.DataFrame, columns) -> pd.Series:
    """One string per row joining the key columns, with missing parts as empty strings."""
    parts = [frame[c].astype("str").fillna("") if c in frame else pd.Series("", index=frame.index) for c in columns]
    key = parts[0]
    for part in parts[1:]:
        key = key + _SEP + part
    return key


def _check_duplicates(raw: _Raw, typed: pd.DataFrame, problems: _Problems) -> None:
    """Report a repeated key on the later line, in the column that completes the key."""
    spec = raw.spec
    required_key = [c for c in spec.key if spec.column(c).required]
    complete = typed[required_key].notna().all(axis=1)
    key = _key_strings(typed, spec.key)[complete]
    repeated = key.duplicated(keep="first")
    if not repeated.any():
        return
    first_line = pd.Series(key.index[~repeated], index=key[~repeated].to_numpy())
    completing = required_key[-1]
    for line, key_value in key[repeated].items():
        parts = dict(zip(spec.key, key_value.split(_SEP), strict=True))
        first = int(first_line[key_value])
        value = parts[completing]
        if spec.name == "reviews":
            what = f"review_id '{value}' is used again (first on line {first})"
        elif spec.name == "taxonomy":
            what = f"factor_code '{value}' is defined again (first on line {first})"
        elif spec.name == "factors":
            coder = f" by coder '{parts['coder']}'" if parts.get("coder") else ""
            what = (
                f"factor '{value}' is coded twice on episode '{parts['episode_id']}' of review "
                f"'{parts['review_id']}'{coder} (first on line {first})"
            )
        else:
            thing = _ROW_NOUN.get(spec.name, "row")
            what = f"review '{parts['review_id']}' already has {thing} '{value}' (first on line {first})"
        problems.add(
            spec.filename, line, completing, value, f"{what}. Fix: delete the repeated line or give it its own id."
        )


def _check_file(raw: _Raw, problems: _Problems) -> pd.DataFrame:
    """Check and type every column of one file; return the typed frame (bad values missing)."""
    spec = raw.spec
    typed = pd.DataFrame(
        {column.name: _type_column(raw, column, problems) for column in spec.columns}, index=raw.frame.index
    )
    extras = [c for c in raw.frame.columns if c not in spec.column_names]
    for name in extras:
        typed[name] = raw.frame[name].where(raw.frame[name].ne("")).astype("str")
    if all(c in raw.frame.columns for c in spec.required):
        _check_duplicates(raw, typed, problems)
    return typed


# --------------------------------------------------------------------------------------
# Rules across lines and files
# --------------------------------------------------------------------------------------


def _in_keys(frame: pd.DataFrame, columns: list[str], keys: pd.Index) -> pd.Series:
    return pd.Series(_isin(_key_strings(frame, columns), keys), index=frame.index)


def _check_episode_rules(episodes: pd.DataFrame, problems: _Problems, file: str) -> None:
    has = episodes["sequence"].notna() & episodes["review_id"].notna()
    repeated = episodes[has].duplicated(["review_id", "sequence"], keep="first")
    for line in repeated[repeated].index:
        row = episodes.loc[line]
        problems.add(
            file,
            line,
            "sequence",
            row["sequence"],
            f"sequence {row['sequence']} is used twice in review '{row['review_id']}'. Fix: number the "
            "review's episodes 1, 2, 3 … in the order of its chronology.",
        )
    backwards = episodes["end_date"] < episodes["start_date"]
    for line in backwards[backwards].index:
        row = episodes.loc[line]
        problems.add(
            file,
            line,
            "end_date",
            row["end_date"].strftime("%Y-%m-%d"),
            f"the episode ends before it starts ({row['start_date']:%Y-%m-%d}). Fix: swap or correct the dates.",
        )


def _check_references(
    typed: dict[str, pd.DataFrame],
    readable: dict[str, bool],
    problems: _Problems,
    taxonomy_given: bool,
    names: dict[str, str],
) -> None:
    """Every foreign key must resolve. Checks that depend on an unreadable file are skipped."""
    reviews, episodes = typed.get("reviews"), typed.get("episodes")
    factors, findings, taxonomy = typed.get("factors"), typed.get("findings"), typed.get("taxonomy")
    review_keys = pd.Index(reviews["review_id"].dropna().unique()) if readable.get("reviews") else None
    episode_keys = (
        pd.Index(_key_strings(episodes, ["review_id", "episode_id"]).unique()) if readable.get("episodes") else None
    )
    code_keys = None
    if taxonomy_given and readable.get("taxonomy"):
        code_keys = pd.Index(taxonomy["factor_code"].dropna().unique())
    elif not taxonomy_given and readable.get("factors"):
        code_keys = pd.Index(factors["factor_code"].dropna().unique())
    frame_name = names["taxonomy"] if taxonomy_given else names["factors"]

    def unknown_review(file: str, frame: pd.DataFrame) -> pd.Series:
        known = pd.Series(_isin(frame["review_id"], review_keys), index=frame.index) | frame["review_id"].isna()
        bad = frame.loc[~known, "review_id"]
        problems.add_rows(
            file,
            bad.index,
            "review_id",
            bad.tolist(),
            [f"review '{v}' is not in {names['reviews']}. Fix: add the review there or correct the id." for v in bad],
        )
        return known

    if episodes is not None and review_keys is not None:
        unknown_review(names["episodes"], episodes)

    if factors is not None:
        review_known = pd.Series(True, index=factors.index)
        if review_keys is not None:
            review_known = unknown_review(names["factors"], factors)
        if episode_keys is not None:
            complete = factors["episode_id"].notna() & factors["review_id"].notna()
            ok = _in_keys(factors, ["review_id", "episode_id"], episode_keys)
            bad = factors[complete & review_known & ~ok]
            problems.add_rows(
                names["factors"],
                bad.index,
                "episode_id",
                bad["episode_id"].tolist(),
                [
                    f"review '{r}' has no episode '{e}' in {names['episodes']}. Fix: add the episode or correct the id."
                    for r, e in zip(bad["review_id"], bad["episode_id"], strict=True)
                ],
            )
        if taxonomy_given and code_keys is not None:
            known = _isin(factors["factor_code"], code_keys)
            bad = factors.loc[factors["factor_code"].notna() & ~known, "factor_code"]
            problems.add_rows(
                names["factors"],
                bad.index,
                "factor_code",
                bad.tolist(),
                [_unknown_code_message(v, code_keys, frame_name, taxonomy_given) for v in bad],
            )

    if findings is not None:
        review_known = pd.Series(True, index=findings.index)
        if review_keys is not None:
            review_known = unknown_review(names["findings"], findings)
        if episode_keys is not None:
            cited = _split_list(findings.loc[review_known, "episode_ids"].dropna())
            keys = findings.loc[cited.index, "review_id"].fillna("") + _SEP + cited
            bad = cited[~_isin(keys, episode_keys)]
            reviews_of = findings.loc[bad.index, "review_id"]
            problems.add_rows(
                names["findings"],
                bad.index,
                "episode_ids",
                bad.tolist(),
                [
                    f"the finding cites episode '{e}', which review '{r}' does not have in {names['episodes']}. Fix: "
                    "correct the episode id."
                    for e, r in zip(bad, reviews_of, strict=True)
                ],
            )
        if code_keys is not None:
            cited = _split_list(findings["factor_codes"].dropna())
            bad = cited[~_isin(cited, code_keys)]
            problems.add_rows(
                names["findings"],
                bad.index,
                "factor_codes",
                bad.tolist(),
                [_unknown_code_message(v, code_keys, frame_name, taxonomy_given) for v in bad],
            )

    if taxonomy is not None and taxonomy_given and readable.get("taxonomy"):
        _check_parents(taxonomy, code_keys, problems, names["taxonomy"])


def _unknown_code_message(code: str, known: pd.Index, frame_name: str, in_taxonomy: bool) -> str:
    close = difflib.get_close_matches(code, known.tolist(), n=1, cutoff=0.8) if len(known) < 5000 else []
    hint = f" Did you mean '{close[0]}'?" if close else ""
    if in_taxonomy:
        return f"factor code '{code}' is not in {frame_name}.{hint} Fix: correct the code or add it to the taxonomy."
    return f"factor code '{code}' is not coded on any episode in {frame_name}.{hint} Fix: correct the code."


def _check_parents(taxonomy: pd.DataFrame, codes: pd.Index, problems: _Problems, file: str) -> None:
    parents = taxonomy["parent_code"]
    unknown = parents.notna() & ~parents.isin(codes)
    problems.add_rows(
        file,
        parents[unknown].index,
        "parent_code",
        parents[unknown].tolist(),
        [
            f"parent_code '{v}' is not a factor_code of {file}. Fix: add that code or correct it."
            for v in parents[unknown]
        ],
    )
    # Follow each code's parent chain; after len(codes) steps a chain still going is a cycle.
    parent_of = dict(zip(taxonomy["factor_code"], parents.where(~unknown), strict=True))
    parent_of = {c: p for c, p in parent_of.items() if isinstance(c, str) and isinstance(p, str)}
    current = {c: c for c in parent_of}
    for _ in range(len(parent_of) + 1):
        current = {c: parent_of[a] for c, a in current.items() if a in parent_of}
        if not current:
            break
    in_cycle = set(current)
    lines = taxonomy.index[taxonomy["factor_code"].isin(in_cycle)]
    problems.add_rows(
        file,
        lines,
        "parent_code",
        taxonomy.loc[lines, "parent_code"].tolist(),
        [
            f"code '{c}' is its own ancestor through parent_code. Fix: break the cycle."
            for c in taxonomy.loc[lines, "factor_code"]
        ],
    )


# --------------------------------------------------------------------------------------
# The public entry points
# --------------------------------------------------------------------------------------


def _check(raws: dict[str, _Raw | None], problems: _Problems, *, taxonomy_given: bool) -> dict[str, pd.DataFrame]:
    typed = {name: _check_file(raw, problems) for name, raw in raws.items() if raw is not None}
    readable = {name: raw.readable and not _missing_required(raw) for name, raw in raws.items() if raw is not None}
    if "episodes" in typed and readable.get("episodes"):
        _check_episode_rules(typed["episodes"], problems, raws["episodes"].spec.filename)
    # Problems name each file as it was read: reviews.csv, reviews.parquet, or a path given.
    names = {name: raws[name].spec.filename if raws.get(name) else spec.filename for name, spec in FILES.items()}
    _check_references(typed, readable, problems, taxonomy_given, names)
    return typed


def _missing_required(raw: _Raw) -> bool:
    return any(c not in raw.frame.columns for c in raw.spec.required)


def _read_and_check(folder) -> tuple[list[Problem], dict[str, pd.DataFrame], bool]:
    problems = _Problems()
    path = Path(folder)
    if not path.exists():
        problems.add(str(path), _WHOLE_FILE, None, "", "the folder does not exist. Fix: check the path.")
        return problems.sorted(), {}, False
    if not path.is_dir():
        problems.add(
            str(path),
            _WHOLE_FILE,
            None,
            "",
            "this is a file, not a review-set folder. Fix: give the folder that holds reviews.csv.",
        )
        return problems.sorted(), {}, False
    csv_files = [spec.filename for spec in FILES.values() if (path / spec.filename).exists()]
    parquet_files = [_parquet_name(spec) for spec in FILES.values() if (path / _parquet_name(spec)).exists()]
    if csv_files and parquet_files:
        problems.add(
            str(path),
            _WHOLE_FILE,
            None,
            "",
            f"the folder holds both CSV files ({', '.join(csv_files)}) and Parquet files "
            f"({', '.join(parquet_files)}), so it is not clear which are current. "
            "Fix: keep one format per folder (move the other files elsewhere).",
        )
        return problems.sorted(), {}, False
    if parquet_files:
        raws = {name: _read_parquet_raw(path, spec, problems) for name, spec in FILES.items()}
        taxonomy_given = (path / _parquet_name(FILES["taxonomy"])).exists()
    else:
        raws = {name: _read_raw(path, spec, problems) for name, spec in FILES.items()}
        taxonomy_given = (path / FILES["taxonomy"].filename).exists()
    typed = _check(raws, problems, taxonomy_given=taxonomy_given)
    return problems.sorted(), typed, taxonomy_given


def _parquet_name(spec: FileSpec) -> str:
    return f"{spec.name}.parquet"


def read_taxonomy(source) -> pd.DataFrame:
    """A coding frame, checked by every rule of the contract for ``taxonomy.csv``.

    Parameters
    ----------
    source : ReviewSet, DataFrame, str or path
        A review set (its taxonomy), a taxonomy frame (checked as its CSV file would be), the
        path of a taxonomy CSV file, or a review-set folder (its ``taxonomy.csv``).

    Returns
    -------
    DataFrame
        The typed taxonomy, as :attr:`ReviewSet.taxonomy` holds it.

    Raises
    ------
    DataValidationError
        Problems name the file by the path given (a frame's by ``taxonomy.csv``).
    ParameterError
        For any other kind of ``source``.

    Examples
    --------
    >>> read_taxonomy("data/sample").equals(load("data/sample").taxonomy)
    True
    """
    from .reviewset import ReviewSet

    if isinstance(source, ReviewSet):
        return source.taxonomy
    if isinstance(source, pd.DataFrame):
        empty = {name: pd.DataFrame(columns=list(FILES[name].required)) for name in ("reviews", "episodes", "factors")}
        return from_frames(**empty, taxonomy=source).taxonomy
    if not isinstance(source, (str, os.PathLike)):
        raise ParameterError(
            "taxonomy must be a ReviewSet, a taxonomy DataFrame, or the path of a taxonomy CSV file or of a "
            f"review-set folder; got {type(source).__name__}."
        )
    path = Path(source)
    if path.is_dir():
        path = path / FILES["taxonomy"].filename
    problems = _Problems()
    if not path.is_file():
        problems.add(
            str(path),
            _WHOLE_FILE,
            None,
            "",
            f"the taxonomy {path} does not exist. Fix: give a taxonomy CSV file, or a review-set folder that "
            "holds taxonomy.csv.",
        )
        raise DataValidationError(problems.sorted())
    # Read by the path as given, so that problems name it and not a set's own taxonomy.csv.
    raw = _read_raw(Path(), replace(FILES["taxonomy"], file=str(path)), problems)
    typed = _check({"taxonomy": raw}, problems, taxonomy_given=True) if raw is not None else {}
    if problems:
        raise DataValidationError(problems.sorted())
    return typed["taxonomy"].reset_index(drop=True)


def _read_parquet_raw(folder: Path, spec: FileSpec, problems: _Problems) -> _Raw | None:
    """Read one Parquet file of a set as stripped strings, as if it were the CSV file; None when absent.

    Its rows are numbered as the CSV file's lines would be (the first row is line 2), and every
    value goes through the same checks as CSV text: a Parquet file is a faster container, not a
    trusted one.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    spec = replace(spec, file=_parquet_name(spec))  # problems name the Parquet file
    path = folder / spec.filename
    if not path.exists():
        if not spec.optional:
            problems.add(
                spec.filename,
                _WHOLE_FILE,
                None,
                "",
                f"the file is missing. Every review set needs {spec.filename} with the columns "
                f"{', '.join(spec.required)}.",
            )
        return None
    try:
        table = pq.read_table(path)
    except (OSError, pa.ArrowException) as error:
        problems.add(spec.filename, _WHOLE_FILE, None, "", f"the file is not a readable Parquet file: {error}.")
        return None
    header = [str(name).strip() for name in table.column_names]
    lines = pd.RangeIndex(2, table.num_rows + 2, name="line")
    positional = pd.DataFrame(
        {
            f"_{i}": _as_text(_arrow_column(table.column(i))).str.strip().set_axis(lines)
            for i in range(table.num_columns)
        }
    )
    return _Raw(spec, _name_columns(header, positional, spec, problems))


def _arrow_column(column) -> pd.Series:
    """An Arrow column as a pandas Series; text stays text (Arrow-backed), dates become datetimes."""
    import pyarrow as pa

    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        # Straight into pandas' Arrow-backed text dtype: no Python object per value.
        return pd.Series(column.to_pandas(types_mapper=lambda _: pd.StringDtype("pyarrow", na_value=np.nan)))
    return pd.Series(column.to_pandas())


def read_checked(folder: str | os.PathLike):
    """Read a folder once: return ``(problems, review_set)``; the set is None when there are problems."""
    problems, typed, taxonomy_given = _read_and_check(folder)
    if problems:
        return problems, None
    return [], _assemble(typed, taxonomy_given=taxonomy_given, source=str(folder))


def validate(folder: str | os.PathLike) -> list[Problem]:
    """Check a review-set folder against the contract and return every problem found.

    Parameters
    ----------
    folder : str or path
        The folder holding ``reviews.csv``, ``episodes.csv``, ``factors.csv`` and optionally
        ``findings.csv`` and ``taxonomy.csv``.

    Returns
    -------
    list of Problem
        Empty when the set is clean; otherwise every problem, in file, line and column order.

    Examples
    --------
    >>> validate("data/sample")
    []
    >>> validate("no/such/folder")[0].message
    'the folder does not exist. Fix: check the path.'
    """
    return _read_and_check(folder)[0]


def load(folder: str | os.PathLike):
    """Read a review-set folder into a :class:`~sce_analysis.ReviewSet`.

    Parameters
    ----------
    folder : str or path
        The review-set folder.

    Returns
    -------
    ReviewSet
        Typed frames ``reviews``, ``episodes``, ``factors``, ``findings`` and ``taxonomy``.

    Raises
    ------
    DataValidationError
        When the set breaks the contract; ``.problems`` lists every problem found.

    Examples
    --------
    >>> rs = load("data/sample")
    >>> rs.reviews["year"].dtype
    dtype('int64')
    """
    problems, review_set = read_checked(folder)
    if problems:
        raise DataValidationError(problems, folder=folder)
    return review_set


def _as_text(series: pd.Series) -> pd.Series:
    """Render any column as the text a CSV file would hold."""
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


def from_frames(
    reviews: pd.DataFrame,
    episodes: pd.DataFrame,
    factors: pd.DataFrame,
    findings: pd.DataFrame | None = None,
    taxonomy: pd.DataFrame | None = None,
    *,
    source: str | None = None,
):
    """Check DataFrames against the contract and return a :class:`~sce_analysis.ReviewSet`.

    The frames are read exactly as CSV files would be: each value is turned into its text and
    checked by the same rules. Problems name ``reviews.csv`` and so on, with the line the row
    would have in a saved file (row position + 2). Lists may be given as ``;``-joined text or
    as Python lists. Nothing passed in is modified.

    Raises
    ------
    DataValidationError
        When the frames break the contract.
    """
    problems = _Problems()
    given = {"reviews": reviews, "episodes": episodes, "factors": factors, "findings": findings, "taxonomy": taxonomy}
    raws: dict[str, _Raw | None] = {}
    for name, frame in given.items():
        if frame is None:
            raws[name] = None
            continue
        # Columns by position, so that two names equal after stripping are reported, not merged.
        header = [str(c).strip() for c in frame.columns]
        positional = pd.DataFrame(
            {f"_{i}": _as_text(frame.iloc[:, i]).str.strip().to_numpy() for i in range(frame.shape[1])},
            index=pd.RangeIndex(2, len(frame) + 2, name="line"),
        )
        spec = FILES[name]
        raws[name] = _Raw(spec, _name_columns(header, positional, spec, problems))
    typed = _check(raws, problems, taxonomy_given=taxonomy is not None)
    if problems:
        raise DataValidationError(problems.sorted(), folder=source)
    return _assemble(typed, taxonomy_given=taxonomy is not None, source=source)


def _assemble(typed: dict[str, pd.DataFrame], *, taxonomy_given: bool, source: str | None):
    """Build the ReviewSet from checked frames: reset indexes, fill absent files."""
    from .reviewset import ReviewSet

    frames = {}
    for name, spec in FILES.items():
        frame = typed.get(name)
        if frame is None:
            frame = pd.DataFrame({c.name: _typed_empty(pd.Series([], dtype=object), c) for c in spec.columns})
        frame = frame.reset_index(drop=True)
        if name == "reviews" or name == "taxonomy":
            for column in spec.columns:
                if column.kind == "year" and column.required:
                    frame[column.name] = frame[column.name].astype("int64")
        frames[name] = frame
    if not taxonomy_given:
        codes = pd.Series(sorted(frames["factors"]["factor_code"].unique()), dtype="str")
        taxonomy = frames["taxonomy"].reindex(range(len(codes)))
        for column in FILES["taxonomy"].columns:
            taxonomy[column.name] = _typed_empty(pd.Series([pd.NA] * len(codes), dtype=object), column)
        taxonomy["factor_code"] = codes
        taxonomy["label"] = codes
        frames["taxonomy"] = taxonomy
    return ReviewSet(**frames, source=source, taxonomy_given=taxonomy_given)
