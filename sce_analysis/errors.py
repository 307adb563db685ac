"""Exceptions raised by sce_analysis.

Every error the library raises on purpose derives from :class:`SceAnalysisError`, so a
caller can catch the library's own errors without swallowing programming mistakes.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["SceAnalysisError", "DataValidationError", "ParameterError", "OutputError"]


class SceAnalysisError(Exception):
    """Base class of the errors that sce_analysis raises on purpose."""


class ParameterError(SceAnalysisError, ValueError):
    """A parameter has a wrong name, type or value. The message names it and the fix."""


class OutputError(SceAnalysisError):
    """An output could not be written: the disk is full, or another run is writing into the same folder.

    The message names the file or folder, says what was kept, and the fix.

    Attributes
    ----------
    path : Path or None
        The file or folder that could not be written.
    """

    def __init__(self, message: str, *, path=None):
        super().__init__(message)
        self.path = None if path is None else Path(path)


class DataValidationError(SceAnalysisError, ValueError):
    """A review set breaks the data contract.

    Attributes
    ----------
    problems : list of Problem
        Every problem found, in file, line and column order.
    folder : str or None
        The folder that was read, when the set came from a folder.
    """

    #: How many problems the exception message lists before it points at the full list.
    shown = 20

    def __init__(self, problems, *, folder=None):
        self.problems = list(problems)
        self.folder = None if folder is None else str(folder)
        super().__init__(self._message())

    def _message(self) -> str:
        n = len(self.problems)
        where = f" in {self.folder}" if self.folder else ""
        lines = [f"{n} problem{'s' if n != 1 else ''} found{where}:"]
        lines += [f"  - {problem}" for problem in self.problems[: self.shown]]
        if n > self.shown:
            more = f"  ... and {n - self.shown} more. See them all in .problems (sce.problems_frame makes a table)"
            if self.folder and Path(self.folder).is_dir():
                more += f" or with `sce-analysis validate {self.folder}`"
            lines.append(more + ".")
        return "\n".join(lines)
