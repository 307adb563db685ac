"""The journal of a report that is running: every file a notebook writes, noted before it is written.

The runner makes ``.sce-analysis.journal`` in the report folder before any kernel starts; each
:class:`~sce_analysis.reports.run.Run` appends a line (the file's path inside the folder) before
writing a table or a figure. When a report is killed, its journal and its ``running`` manifest say
which files it wrote, so ``--overwrite`` removes those and nothing a user put there.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["JOURNAL_NAME", "note", "noted"]

JOURNAL_NAME = ".sce-analysis.journal"


def note(out_dir, paths) -> None:
    """Append ``paths`` (inside ``out_dir``) to the journal, when a report runner made one there."""
    out_dir = Path(out_dir)
    journal = out_dir / JOURNAL_NAME
    if not journal.exists():  # a notebook run by hand: no report is keeping a journal
        return
    lines = "".join(f"{Path(p).resolve().relative_to(out_dir.resolve())}\n" for p in paths)
    fd = os.open(journal, os.O_WRONLY | os.O_APPEND)
    try:
        os.write(fd, lines.encode("utf-8"))  # one short write: lines from parallel kernels do not mix
    finally:
        os.close(fd)


def noted(out_dir) -> list[str]:
    """The paths the journal of ``out_dir`` lists (empty when there is none)."""
    journal = Path(out_dir) / JOURNAL_NAME
    try:
        return [line for line in journal.read_text(encoding="utf-8").splitlines() if line]
    except FileNotFoundError:
        return []
