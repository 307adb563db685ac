"""Read, check and type review sets: the entry points.

:func:`load` reads a folder into a :class:`~sce_analysis.ReviewSet`; :func:`validate` returns
every problem the folder has; :func:`from_frames` runs the same checks on DataFrames already in
memory; :func:`read_taxonomy` reads a coding frame alone. All of them share one pass over the
data: each file is read as text (:mod:`~sce_analysis.reviewsets.csvfiles`,
:mod:`~sce_analysis.reviewsets.parquet`), every rule of the contract is checked with vectorised
pandas (:mod:`~sce_analysis.reviewsets.rules`), and all problems are collected
(:mod:`~sce_analysis.reviewsets.problems`) before anything is raised, so a reviewer can fix a
whole spreadsheet in one go.

Line numbers are those a spreadsheet user sees: the header is line 1, and a value with a line
break inside quotes still counts as one line.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pandas as pd

from ..errors import DataValidationError, ParameterError
from .contract import FILES
from .csvfiles import frame_as_table, read_csv_table
from .folders import link_outside_message, links_outside
from .parquet import parquet_spec, read_parquet_table
from .problems import WHOLE_FILE, Problem, ProblemList, problems_frame
from .reviewset import ReviewSet
from .rules import check_set, typed_empty

# Problem and problems_frame live in problems; they are named here too, as in sce_analysis.load before 0.2.0.
__all__ = ["load", "validate", "from_frames", "read_taxonomy", "read_checked", "Problem", "problems_frame"]


def _read_and_check(folder) -> tuple[list[Problem], dict[str, pd.DataFrame], bool]:
    problems = ProblemList()
    path = Path(folder)
    if not path.exists():
        problems.add(str(path), WHOLE_FILE, None, "", "the folder does not exist. Fix: check the path.")
        return problems.sorted(), {}, False
    if not path.is_dir():
        problems.add(
            str(path),
            WHOLE_FILE,
            None,
            "",
            "this is a file, not a review-set folder. Fix: give the folder that holds reviews.csv.",
        )
        return problems.sorted(), {}, False
    csv_files = [spec.filename for spec in FILES.values() if (path / spec.filename).exists()]
    parquet_specs = {name: parquet_spec(spec) for name, spec in FILES.items()}
    parquet_files = [spec.filename for spec in parquet_specs.values() if (path / spec.filename).exists()]
    if csv_files and parquet_files:
        problems.add(
            str(path),
            WHOLE_FILE,
            None,
            "",
            f"the folder holds both CSV files ({', '.join(csv_files)}) and Parquet files "
            f"({', '.join(parquet_files)}), so it is not clear which are current. "
            "Fix: keep one format per folder (move the other files elsewhere).",
        )
        return problems.sorted(), {}, False
    specs, read_table = (parquet_specs, read_parquet_table) if parquet_files else (FILES, read_csv_table)
    outside = _links_outside(path, specs, problems)
    tables = {
        name: None if name in outside else read_table(path / spec.filename, spec, problems)
        for name, spec in specs.items()
    }
    taxonomy_given = (path / specs["taxonomy"].filename).exists()
    typed = check_set(tables, problems, taxonomy_given=taxonomy_given)
    return problems.sorted(), typed, taxonomy_given


def _links_outside(folder: Path, specs: dict, problems: ProblemList) -> set[str]:
    """The files of the set that are symbolic links to outside ``folder`` (:func:`links_outside`): each is a problem."""
    outside = links_outside(folder, [spec.filename for spec in specs.values()])
    for file, target in outside.items():
        problems.add(file, WHOLE_FILE, None, str(target), link_outside_message(folder, file, target))
    return {name for name, spec in specs.items() if spec.filename in outside}


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
    problems = ProblemList()
    if not path.is_file():
        problems.add(
            str(path),
            WHOLE_FILE,
            None,
            "",
            f"the taxonomy {path} does not exist. Fix: give a taxonomy CSV file, or a review-set folder that "
            "holds taxonomy.csv.",
        )
        raise DataValidationError(problems.sorted())
    # Read by the path as given, so that problems name it and not a set's own taxonomy.csv.
    table = read_csv_table(path, replace(FILES["taxonomy"], file=str(path)), problems)
    typed = check_set({"taxonomy": table}, problems, taxonomy_given=True) if table is not None else {}
    if problems:
        raise DataValidationError(problems.sorted())
    return typed["taxonomy"].reset_index(drop=True)


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
    problems = ProblemList()
    given = {"reviews": reviews, "episodes": episodes, "factors": factors, "findings": findings, "taxonomy": taxonomy}
    tables = {
        name: None if frame is None else frame_as_table(frame, FILES[name], problems) for name, frame in given.items()
    }
    typed = check_set(tables, problems, taxonomy_given=taxonomy is not None)
    if problems:
        raise DataValidationError(problems.sorted(), folder=source)
    return _assemble(typed, taxonomy_given=taxonomy is not None, source=source)


def _assemble(typed: dict[str, pd.DataFrame], *, taxonomy_given: bool, source: str | None):
    """Build the ReviewSet from checked frames: reset indexes, fill absent files."""
    frames = {}
    for name, spec in FILES.items():
        frame = typed.get(name)
        if frame is None:
            frame = pd.DataFrame({c.name: typed_empty(pd.Series([], dtype=object), c) for c in spec.columns})
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
            taxonomy[column.name] = typed_empty(pd.Series([pd.NA] * len(codes), dtype=object), column)
        taxonomy["factor_code"] = codes
        taxonomy["label"] = codes
        frames["taxonomy"] = taxonomy
    return ReviewSet(**frames, source=source, taxonomy_given=taxonomy_given)
