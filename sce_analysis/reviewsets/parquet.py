"""Review sets as Parquet files: ``reviews.parquet`` and so on, for national sets.

A Parquet set holds the same text columns as the CSV files (:meth:`ReviewSet.save` writes them
with ``format="parquet"``), and is read back as text and checked by the same rules: a Parquet
file is a faster container, not a trusted one.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from .contract import FileSpec
from .csvfiles import MAX_COLUMNS, TextTable, as_text, name_columns
from .limits import MAX_RATIO, MAX_UNPACKED_BYTES, RATIO_FLOOR
from .problems import WHOLE_FILE, ProblemList

__all__ = ["parquet_spec", "read_parquet_table", "write_parquet", "MAX_ROWS", "MAX_DATA_BYTES", "MAX_RATIO"]

#: The most rows a Parquet file of a review set may claim (a national set has about 200,000 codings).
MAX_ROWS = 20_000_000
#: The most rows a file may claim for each of its bytes. Real review-set files take tens of bytes a
#: row; a footer that claims far more rows than the file could hold is lying, and pyarrow would
#: allocate memory for every row it claims before finding out.
MAX_ROWS_PER_BYTE = 100
#: The most bytes a file's data may take once decompressed, as its footer says (shared with the zip
#: readers, :mod:`~sce_analysis.reviewsets.limits`).
MAX_DATA_BYTES = MAX_UNPACKED_BYTES


def parquet_spec(spec: FileSpec) -> FileSpec:
    """The same file as Parquet: named ``<name>.parquet``, so that problems name the Parquet file.

    >>> from sce_analysis.reviewsets.contract import FILES
    >>> parquet_spec(FILES["reviews"]).filename
    'reviews.parquet'
    """
    return replace(spec, file=f"{spec.name}.parquet")


def read_parquet_table(path: Path, spec: FileSpec, problems: ProblemList) -> TextTable | None:
    """Read a Parquet file as stripped text, as if it were the CSV file; None when absent or unreadable.

    Its rows are numbered as the CSV file's lines would be (the first row is line 2), and every
    value is rendered as the text a CSV file would hold, so that it goes through the same checks.
    Problems name the file ``spec.filename`` (see :func:`parquet_spec`).
    """
    # pyarrow.parquet costs about 30 ms to import: a CSV set never pays it.
    import pyarrow.parquet as pq

    if not path.exists():
        if not spec.optional:
            problems.add(
                spec.filename,
                WHOLE_FILE,
                None,
                "",
                f"the file is missing. Every review set needs {spec.filename} with the columns "
                f"{', '.join(spec.required)}.",
            )
        return None
    try:
        # Opened once: the footer is read and checked, and the columns' types too, before any data is read.
        with pq.ParquetFile(path) as parquet:
            reason = _implausible(parquet.metadata, path.stat().st_size)
            if reason is not None:
                problems.add(spec.filename, WHOLE_FILE, None, "", reason)
                return None
            schema = parquet.schema_arrow
            wrong = [
                (name, field.type)
                for name, field in zip(schema.names, schema, strict=True)
                if not _text_like(field.type)
            ]
            for name, kind in wrong:
                problems.add(
                    spec.filename,
                    1,
                    str(name),
                    str(kind),
                    f"the column '{name}' holds Parquet type {kind}; a review-set file holds text (or numbers and "
                    "dates). Fix: write the set with ReviewSet.save(folder, format='parquet'), or convert the column "
                    "to text.",
                )
            if wrong:
                return None
            table = parquet.read()
    except (OSError, pa.ArrowException, UnicodeDecodeError) as error:
        problems.add(spec.filename, WHOLE_FILE, None, "", f"the file is not a readable Parquet file: {error}.")
        return None
    header = [str(name).strip() for name in table.column_names]
    lines = pd.RangeIndex(2, table.num_rows + 2, name="line")
    positional = pd.DataFrame(
        {f"_{i}": as_text(_arrow_column(table.column(i))).str.strip().set_axis(lines) for i in range(table.num_columns)}
    )
    return TextTable(spec, name_columns(header, positional, spec, problems))


def _implausible(metadata, size: int) -> str | None:
    """Why a Parquet footer cannot be believed (too many rows or columns, counts that disagree, data that would
    decompress to too much or too many times the file's size), or None."""
    rows = metadata.num_rows
    fix = "Fix: write the set again with ReviewSet.save(folder, format='parquet'), or use CSV files."
    if metadata.num_columns > MAX_COLUMNS:
        return f"the file has {metadata.num_columns:,} columns, more than the {MAX_COLUMNS:,} allowed. {fix}"
    if rows > MAX_ROWS or rows > MAX_ROWS_PER_BYTE * max(size, 1):
        return (
            f"the file's metadata claims {rows:,} rows, which a file of {size:,} bytes cannot hold (or more than "
            f"the {MAX_ROWS:,} a review set has): it is damaged or forged, and was not read. {fix}"
        )
    groups = [metadata.row_group(i) for i in range(metadata.num_row_groups)]
    if sum(group.num_rows for group in groups) != rows:
        return f"the file's metadata claims {rows:,} rows but its row groups hold a different number. {fix}"
    for i, group in enumerate(groups):
        for j in range(group.num_columns):
            chunk = group.column(j)
            if chunk.num_values != group.num_rows:
                return (
                    f"the file's metadata disagrees with itself: row group {i + 1} claims {group.num_rows:,} rows, "
                    f"but its column '{chunk.path_in_schema}' holds {chunk.num_values:,} values. {fix}"
                )
    # Either count may be forged smaller than the other: the larger is believed.
    data = max(
        sum(group.total_byte_size for group in groups),
        sum(group.column(j).total_uncompressed_size for group in groups for j in range(group.num_columns)),
    )
    ratio = data / max(size, 1)
    if data > MAX_DATA_BYTES or (data > RATIO_FLOOR and ratio > MAX_RATIO):
        return (
            f"the file's data would decompress to {_mib(data)}, {ratio:,.0f} times its size of {size:,} bytes (at most "
            f"{_mib(MAX_DATA_BYTES)}, and {MAX_RATIO} times, are allowed): it is probably a decompression bomb, and "
            f"was not read. {fix}"
        )
    return None


def _mib(n: int) -> str:
    return f"{n / 2**20:,.1f} MiB"


def _text_like(kind) -> bool:
    """True for the Arrow types a review-set column may have: text, numbers, dates, booleans or nothing."""
    if pa.types.is_dictionary(kind):
        kind = kind.value_type
    return (
        pa.types.is_string(kind)
        or pa.types.is_large_string(kind)
        or pa.types.is_integer(kind)
        or pa.types.is_floating(kind)
        or pa.types.is_decimal(kind)
        or pa.types.is_boolean(kind)
        or pa.types.is_date(kind)
        or pa.types.is_timestamp(kind)
        or pa.types.is_null(kind)
    )


def _arrow_column(column) -> pd.Series:
    """An Arrow column as a pandas Series; text stays text (Arrow-backed), dates become datetimes."""
    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        # Straight into pandas' Arrow-backed text dtype: no Python object per value.
        return pd.Series(column.to_pandas(types_mapper=lambda _: pd.StringDtype("pyarrow", na_value=np.nan)))
    return pd.Series(column.to_pandas())


def write_parquet(text: pd.DataFrame, path) -> None:
    """Write text columns (see :func:`~sce_analysis.reviewsets.csvfiles.csv_text`) as Parquet.

    The file is byte for byte the same for the same frame (zstd-compressed).
    """
    import pyarrow.parquet as pq

    table = pa.table({name: pa.array(column.to_numpy(dtype=object), type=pa.string()) for name, column in text.items()})
    pq.write_table(table, path, compression="zstd")
