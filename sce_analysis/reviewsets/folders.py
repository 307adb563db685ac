"""Review-set folders: which of their files are links to elsewhere (never read), and writing a set into a
new folder safely (what may be replaced, all at once or not at all)."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import OutputError, ParameterError
from .atomic import (
    clear_stale,
    clear_stale_copies,
    disk_full,
    disk_full_error,
    fsync_file,
    staging_file_prefix,
    staging_folder,
    swap_in,
)
from .contract import FILES

__all__ = [
    "check_new_folder",
    "check_new_file",
    "save_new_folder",
    "staged_file",
    "current_umask",
    "SET_FILES",
    "links_outside",
    "link_outside_message",
]

#: What a review-set folder may hold: the files of both formats and a README. ``overwrite`` replaces
#: only such a folder, so that nothing else is ever deleted.
SET_FILES = frozenset(
    {spec.filename for spec in FILES.values()} | {f"{name}.parquet" for name in FILES} | {"README.md"}
)


def links_outside(folder: str | os.PathLike, filenames: Iterable[str]) -> dict[str, Path]:
    """The files among ``filenames`` in ``folder`` that are symbolic links to somewhere outside it, with their targets.

    A review set is a folder sent by someone else; a link in it to ``/etc/passwd`` or to another
    project's data must not be read (and its contents shown in problems or scan findings) as if it
    were the set's. Every reader of a folder (:func:`~sce_analysis.load`, :func:`~sce_analysis.validate`,
    ``sce-analysis scan``) refuses these files. A link to a file inside the folder is fine.

    >>> links_outside("data/sample", ["reviews.csv", "absent.csv"])
    {}
    """
    folder = Path(folder)
    root = folder.resolve()
    outside = {}
    for name in filenames:
        link = folder / name
        if link.is_symlink():
            target = link.resolve()
            if not target.is_relative_to(root):
                outside[name] = target
    return outside


def link_outside_message(folder: str | os.PathLike, name: str, target: Path) -> str:
    """What every reader says about a file that :func:`links_outside` found."""
    return (
        f"this file is a symbolic link to {os.readlink(Path(folder) / name)} ({target}), outside the review-set "
        "folder: it was not read. Fix: copy the file into the folder instead of linking to it."
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


def save_new_folder(rs, folder: str | os.PathLike, *, format: str = "csv", overwrite: bool = False, log=None) -> Path:
    """Write the ReviewSet ``rs`` as a whole new review-set folder, all at once or not at all.

    The set is saved (:meth:`ReviewSet.save`) into a hidden staging folder beside ``folder``,
    ``.<name>.staging-<pid>``, flushed to disk, and then swapped into place (see
    :func:`~sce_analysis.reviewsets.atomic.swap_in`), so a reader never sees half a set and the old
    set stays whole until the new one is complete. A failure removes the staging folder; a run that is
    killed leaves it, and the next save into the same place removes it and says so (``log``, by
    default standard error). With ``overwrite``, an existing review-set folder is replaced (see
    :func:`check_new_folder` for what is never replaced).

    Returns
    -------
    Path
        The folder.

    Raises
    ------
    OutputError
        When the disk fills up: nothing was changed, and the message names the file.
    """
    clear_stale(Path(folder), log=log)  # first: it may put back an old set that a killed swap moved aside
    folder = check_new_folder(folder, overwrite=overwrite)
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = staging_folder(folder)
    kept = f"nothing was changed ({folder} is as it was)" if folder.exists() else f"{folder} was not made"
    try:
        staging.mkdir()
        try:
            rs.save(staging, format=format)
        except OutputError as error:  # name the file as the user knows it, not its staging copy
            if error.path is None:
                raise
            raise disk_full_error(folder / error.path.name, kept) from None
        os.chmod(staging, 0o777 & ~current_umask())
        with disk_full(folder, kept):
            swap_in(staging, folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return folder


def current_umask() -> int:
    """The process's file-creation mask, read without changing it.

    Files made by ``tempfile.mkstemp`` are owner-only; giving them ``0o666 & ~current_umask()``
    gives them the permissions any new file would have.
    """
    umask = os.umask(0)
    os.umask(umask)
    return umask


def check_new_file(path: str | os.PathLike, *, suffix: str, example: str, overwrite: bool = False) -> Path:
    """Check the path of a single file to write (a workbook, a project): its suffix, and that it replaces
    nothing unless ``overwrite``.

    Raises
    ------
    ParameterError
        When the name does not end in ``suffix``, names a folder, or exists and ``overwrite`` is False.
    """
    path = Path(path)
    if path.suffix.lower() != suffix:
        raise ParameterError(f"{path}: the file's name must end in {suffix}, such as {example}.")
    if path.is_dir():
        raise ParameterError(f"{path} is a folder. Fix: give the name of the file to write.")
    if path.exists() and not overwrite:
        raise ParameterError(f"{path} already exists. Fix: choose another name, or pass overwrite=True to replace it.")
    return path


@contextmanager
def staged_file(path: str | os.PathLike) -> Iterator[Path]:
    """Write one file under a hidden temporary name beside ``path``, then rename it into place.

    The caller writes to the path yielded. Only when that succeeds is it flushed to disk, given the
    permissions a new file gets, and renamed over ``path`` at once; a failure or a kill never
    leaves half a file at ``path``. What a killed write of the same file left (its temporary name,
    ``.<name>.staging-<pid>-XXXX.tmp``, names the dead process) is removed first, with a message.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    clear_stale_copies(path)
    handle, name = tempfile.mkstemp(prefix=staging_file_prefix(path.name), suffix=".tmp", dir=path.parent)
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        fsync_file(temporary)
        os.chmod(temporary, 0o666 & ~current_umask())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
