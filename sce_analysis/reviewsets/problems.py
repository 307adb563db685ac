"""Problems: one way in which a review set (or a table read by its rules) breaks the contract.

:class:`Problem` is what :func:`~sce_analysis.validate` returns and
:class:`~sce_analysis.DataValidationError` carries; :func:`problems_frame` turns a list of them
into a table. :class:`ProblemList` collects problems while the checks run, so that every
problem is reported in one pass, and sorts them into reading order.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .contract import FILES

__all__ = ["Problem", "problems_frame", "ProblemList", "WHOLE_FILE"]

#: :attr:`Problem.line` of a problem that concerns a whole file rather than one of its lines.
WHOLE_FILE = None


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


class ProblemList:
    """Collects problems from vectorised checks and sorts them into reading order.

    Checks add to one list and go on, so that a reviewer sees every problem at once; the caller
    raises :class:`~sce_analysis.DataValidationError` with :meth:`sorted` when the list is not
    empty.

    Examples
    --------
    >>> problems = ProblemList()
    >>> problems.add("factors.csv", 3, "polarity", "Good", "write it in lower case")
    >>> problems.add_rows("reviews.csv", [4, 2], "year", ["20l9", "19"], "not a year")
    >>> bool(problems), len(problems)
    (True, 3)
    >>> [(p.file, p.line) for p in problems.sorted()]
    [('reviews.csv', 2), ('reviews.csv', 4), ('factors.csv', 3)]
    """

    def __init__(self) -> None:
        self._rows: list[tuple[str, int | None, str | None, str, str]] = []

    def add(self, file: str, line: int | None, column: str | None, value: object, message: str) -> None:
        """Add one problem; ``value`` is shown as text (None as an empty value)."""
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

    def __len__(self) -> int:
        return len(self._rows)

    def sorted(self) -> list[Problem]:
        """The problems in reading order: by file (in contract order), line, then column."""
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
