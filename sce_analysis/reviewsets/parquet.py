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
from .csvfiles import TextTable, as_text, name_columns
from .problems import WHOLE_FILE, ProblemList

__all__ = ["parquet_spec", "read_parquet_table", "write_parquet"]


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
        table = pq.read_table(path)
    except (OSError, pa.ArrowException) as error:
        problems.add(spec.filename, WHOLE_FILE, None, "", f"the file is not a readable Parquet file: {error}.")
        return None
    header = [str(name).strip() for name in table.column_names]
    lines = pd.RangeIndex(2, table.num_rows + 2, name="line")
    positional = pd.DataFrame(
        {f"_{i}": as_text(_arrow_column(table.column(i))).str.strip().set_axis(lines) for i in range(table.num_columns)}
    )
    return TextTable(spec, name_columns(header, positional, spec, problems))


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
