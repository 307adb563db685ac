"""Writing a review set into a new folder safely: what may be replaced, all at once or not at all."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from ..errors import ParameterError
from .contract import FILES

__all__ = ["check_new_folder", "save_new_folder", "current_umask", "SET_FILES"]

#: What a review-set folder may hold: the files of both formats and a README. ``overwrite`` replaces
#: only such a folder, so that nothing else is ever deleted.
SET_FILES = frozenset(
    {spec.filename for spec in FILES.values()} | {f"{name}.parquet" for name in FILES} | {"README.md"}
)


def check_new_folder(folder: str | os.PathLike, *, overwrite: bool = False) -> Path:
    """Check that a review set may be written to ``folder``; return it as a Path.

    ``folder`` may be absent or empty. A folder holding a review set is replaced only with
    ``overwrite``; a file, or a folder holding anything else, is never replaced.

    Raises
    ------
    ParameterError
        Saying why, and what to do instead.
    """
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise ParameterError(f"{folder} is a file, not a folder. Fix: give the folder to write the review set into.")
    if not folder.exists() or not any(folder.iterdir()):
        return folder
    if not overwrite:
        raise ParameterError(
            f"{folder} already exists and is not empty: nothing was written. Fix: give a new folder, or pass "
            "overwrite=True (on the command line --overwrite) to replace the review set in it."
        )
    others = sorted(p.name for p in folder.iterdir() if p.name not in SET_FILES or not p.is_file())
    if others:
        raise ParameterError(
            f"{folder} holds files that are not part of a review set ({', '.join(others[:5])}"
            f"{', ...' if len(others) > 5 else ''}): refusing to replace it, so that nothing else is deleted. "
            "Fix: choose another folder."
        )
    return folder


def save_new_folder(rs, folder: str | os.PathLike, *, format: str = "csv", overwrite: bool = False) -> Path:
    """Write the ReviewSet ``rs`` as a whole new review-set folder, all at once or not at all.

    The set is saved (:meth:`ReviewSet.save`) into a hidden temporary folder beside ``folder``
    and then renamed into place, so a failure leaves nothing behind and a reader never sees half
    a set. With ``overwrite``, an existing review-set folder is renamed aside, the new one renamed
    in, and the old one deleted (see :func:`check_new_folder` for what is never replaced).

    Returns
    -------
    Path
        The folder.
    """
    folder = check_new_folder(folder, overwrite=overwrite)
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.new-", dir=folder.parent))
    try:
        rs.save(staging, format=format)
        os.chmod(staging, 0o777 & ~current_umask())
        if folder.exists() and not any(folder.iterdir()):
            folder.rmdir()
        if folder.exists():
            aside = Path(tempfile.mkdtemp(prefix=f".{folder.name}.old-", dir=folder.parent))
            os.replace(folder, aside / folder.name)
            try:
                os.replace(staging, folder)
            except BaseException:
                os.replace(aside / folder.name, folder)
                raise
            finally:
                shutil.rmtree(aside, ignore_errors=True)
        else:
            os.replace(staging, folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return folder


def current_umask() -> int:
    """The process's file-creation mask, read without changing it.

    Files made by :func:`tempfile.mkstemp` are owner-only; giving them ``0o666 & ~current_umask()``
    gives them the permissions any new file would have.
    """
    umask = os.umask(0)
    os.umask(umask)
    return umask
