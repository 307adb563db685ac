"""Writing that a kill or a full disk cannot leave half done: staging folders, swaps, locks.

A folder is written into a hidden sibling, ``.<name>.staging-<pid>``, flushed to disk, and then
swapped in at once (:func:`swap_in`). A run that is killed leaves at most that staging folder, which
the next run into the same place removes with a message (:func:`clear_stale`). A full disk becomes an
:class:`~sce_analysis.errors.OutputError` naming the file and the fix (:func:`disk_full`). Two runs
into one folder are kept apart by a lock file (:class:`FolderLock`).
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import re
import shutil
import sys
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from ..errors import OutputError

__all__ = [
    "LOCK_NAME",
    "FolderLock",
    "clear_stale",
    "clear_stale_copies",
    "staging_file_prefix",
    "disk_full",
    "disk_full_error",
    "fsync_file",
    "fsync_folder",
    "is_disk_full",
    "staging_folder",
    "swap_in",
]

#: The lock file a run holds in the folder it writes into.
LOCK_NAME = ".sce-analysis.lock"
#: What a killed run may leave beside a folder: its staging folder, or the old folder it moved aside.
_LEFTOVER = re.compile(r"^\.(?P<name>.+)\.(?P<kind>staging|old)-(?P<pid>\d+)$")
_FULL = {errno.ENOSPC, errno.EDQUOT}


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# ----------------------------------------------------------------------------------- processes


def _start_ticks(pid: int) -> int | None:
    """When a process started (clock ticks since boot, from /proc), to tell a reused pid; None if unknown."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[-1].split()
    return int(fields[19]) if len(fields) > 19 else None


def pid_alive(pid: int, started: int | None = None) -> bool:
    """True when process ``pid`` runs (not a zombie), and, if ``started`` is given, is the one that started then."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[-1].split()[0]
    except (OSError, IndexError):
        return True
    if state in ("Z", "X"):
        return False
    return started is None or _start_ticks(pid) in (None, started)


# ----------------------------------------------------------------------------------- disk full


def is_disk_full(error: BaseException) -> bool:
    return isinstance(error, OSError) and error.errno in _FULL


def disk_full_error(path, kept: str) -> OutputError:
    """The error for a full disk while writing ``path``; ``kept`` says what is as it was."""
    return OutputError(
        f"the disk is full while writing {path}: {kept}. Fix: free space on that disk and run the command again.",
        path=path,
    )


@contextmanager
def disk_full(path, kept: str):
    """Turn a full disk (ENOSPC, EDQUOT) inside the block into :func:`disk_full_error`."""
    try:
        yield
    except OSError as error:
        if is_disk_full(error):
            raise disk_full_error(path, kept) from None
        raise


# ----------------------------------------------------------------------------------- flushing


def fsync_file(path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_folder(folder) -> None:
    """Flush a folder's entries (new names, renames) to disk; a no-op where folders cannot be opened."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# ----------------------------------------------------------------------------------- staging and swaps


def staging_folder(folder) -> Path:
    """This process's staging folder for ``folder``: ``.<name>.staging-<pid>`` beside it."""
    folder = Path(folder)
    return folder.parent / f".{folder.name}.staging-{os.getpid()}"


def clear_stale(folder, *, log=None) -> list[str]:
    """Remove what killed runs left beside ``folder`` and in it; return (and log) a line for each.

    Beside it, a staging folder of a process that no longer runs is deleted, and an old folder moved
    aside by a run killed in the middle of its swap is put back when ``folder`` is missing (the old set
    is whole; the new one may not be), and deleted otherwise. In it, the temporary files
    (``.<name>.staging-<pid>-XXXX.tmp``) of a save that was killed are deleted. What a process that
    still runs (other than this one) is writing is left alone.
    """
    folder = Path(folder)
    said = [*_clear_beside(folder), *_clear_inside(folder)]
    for line in said:
        (log or _stderr)(line)
    return said


def _stale(pid: int) -> bool:
    """Whether what process ``pid`` left may go: it is this process, or no longer runs."""
    return pid == os.getpid() or not pid_alive(pid)


def _clear_beside(folder: Path) -> list[str]:
    said = []
    for entry in sorted(folder.parent.iterdir()) if folder.parent.is_dir() else []:
        match = _LEFTOVER.match(entry.name)
        if not match or match["name"] != folder.name or not _stale(int(match["pid"])):
            continue
        pid = int(match["pid"])
        if match["kind"] == "old" and not folder.exists():
            os.replace(entry, folder)
            said.append(
                f"restored {folder} from {entry.name}: a run (pid {pid}) was stopped in the middle of replacing it"
            )
        else:
            if entry.is_dir():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)
            said.append(f"removed {entry}, left by a run (pid {pid}) that was stopped before it finished")
    return said


#: A temporary file written beside its target before it is renamed into place (a set's CSV, a
#: workbook, a project): ``.<target name>.staging-<pid>-XXXX.tmp``.
_STALE_FILE = re.compile(r"^\.(?P<name>.+)\.staging-(?P<pid>\d+)-[^/]*\.tmp$")


def staging_file_prefix(name: str) -> str:
    """The start of the temporary name this process writes the file ``name`` under (see :data:`_STALE_FILE`)."""
    return f".{name}.staging-{os.getpid()}-"


def clear_stale_copies(path) -> list[str]:
    """Remove the temporary copies of the file ``path`` that killed writes left beside it; say so on stderr."""
    path = Path(path)
    said = []
    for entry in sorted(path.parent.iterdir()) if path.parent.is_dir() else []:
        match = _STALE_FILE.match(entry.name)
        if match and match["name"] == path.name and entry.is_file() and _stale(int(match["pid"])):
            entry.unlink(missing_ok=True)
            said.append(f"removed {entry}, left by a write (pid {match['pid']}) that was stopped before it finished")
    for line in said:
        _stderr(line)
    return said


def _clear_inside(folder: Path) -> list[str]:
    said = []
    for entry in sorted(folder.iterdir()) if folder.is_dir() else []:
        match = _STALE_FILE.match(entry.name)
        if match and entry.is_file() and _stale(int(match["pid"])):
            entry.unlink(missing_ok=True)
            said.append(f"removed {entry}, left by a save (pid {match['pid']}) that was stopped before it finished")
    return said


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux ``renameat2`` with ``RENAME_EXCHANGE``); False where it is not available."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes  # only for the swap

    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.EPERM):
        return False
    raise OSError(code, os.strerror(code), str(b))


def swap_in(staging, folder) -> Path:
    """Put the finished ``staging`` folder in the place of ``folder`` at once, and delete the old one.

    What ``staging`` holds must be on disk already (:meth:`~sce_analysis.reviewsets.reviewset.ReviewSet.save`
    flushes every file it writes, and the folder). Where the system can exchange two folders in one
    step, it does; elsewhere the old folder is renamed to ``.<name>.old-<pid>``, the new one in, and the
    old one deleted (a kill between the two renames is undone by :func:`clear_stale`). The renames are
    flushed at the end.
    """
    staging, folder = Path(staging), Path(folder)
    if folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
    if not folder.exists():
        os.rename(staging, folder)
    elif _exchange(staging, folder):
        shutil.rmtree(staging)  # it holds the old set now
    else:
        aside = folder.parent / f".{folder.name}.old-{os.getpid()}"
        os.rename(folder, aside)
        try:
            os.rename(staging, folder)
        except BaseException:
            os.rename(aside, folder)
            raise
        shutil.rmtree(aside, ignore_errors=True)
    fsync_folder(folder.parent)
    return folder


# ----------------------------------------------------------------------------------- the lock


class FolderLock:
    """A lock file, :data:`LOCK_NAME`, that one run holds in the folder it writes into.

    The file is made with ``O_CREAT | O_EXCL`` and holds the process id, when the run started and its
    command. The process also holds an advisory lock on it (``flock``), which the system drops when the
    process dies, however it dies: a lock file nobody holds is stale, and is taken over with a message.
    A second run into a held folder gets an :class:`~sce_analysis.errors.OutputError` naming the holder.

    Use it as a context manager; the folder is made if it is missing.
    """

    def __init__(self, folder, *, log=None):
        self.folder = Path(folder)
        self.path = self.folder / LOCK_NAME
        self.log = log or _stderr
        self._fd: int | None = None

    def __enter__(self) -> FolderLock:
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()

    def _record(self) -> bytes:
        record = {
            "pid": os.getpid(),
            "process_start": _start_ticks(os.getpid()),
            "started": datetime.now(UTC).isoformat(timespec="seconds"),
            "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]) if sys.argv and sys.argv[0] else "python",
        }
        return (json.dumps(record) + "\n").encode()

    def _holder(self) -> dict:
        try:
            return json.loads(self.path.read_text(encoding="utf-8") or "{}")
        except (OSError, ValueError):
            return {}

    def _busy(self, holder: dict) -> OutputError:
        who = f"pid {holder.get('pid', '?')}, started {holder.get('started', 'at an unknown time')}"
        command = f": {holder['command']}" if holder.get("command") else ""
        return OutputError(
            f"{self.folder} is in use: another run ({who}{command}) is writing into it, so nothing was written. "
            f"Fix: wait for that run to finish, or choose another output folder. (Its lock file is {self.path}.)",
            path=self.folder,
        )

    def acquire(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        for _ in range(20):
            created = True
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_RDWR, 0o644)
            except FileExistsError:
                created = False
                try:
                    fd = os.open(self.path, os.O_RDWR)
                except FileNotFoundError:
                    continue  # released meanwhile: try again
            if not self._lock(fd):
                holder = self._holder()
                os.close(fd)
                raise self._busy(holder)
            try:
                same = os.fstat(fd).st_ino == os.stat(self.path).st_ino
            except FileNotFoundError:
                same = False
            if not same:  # the holder released (and removed) it between our open and our lock
                os.close(fd)
                continue
            if not created:
                holder = self._holder()
                self.log(
                    f"{self.path}: taking over the lock of a run that is no longer running "
                    f"(pid {holder.get('pid', '?')}, started {holder.get('started', '?')})"
                )
            os.ftruncate(fd, 0)
            os.pwrite(fd, self._record(), 0)
            self._fd = fd
            return
        raise OutputError(f"could not lock {self.folder}: other runs keep taking it. Fix: run again.", path=self.folder)

    def _lock(self, fd: int) -> bool:
        """Take the advisory lock; False when another live process holds it."""
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            return False
        except OSError:  # a file system without flock: fall back on whether the recorded pid runs
            holder = self._holder()
            pid = holder.get("pid")
            return not (isinstance(pid, int) and pid != os.getpid() and pid_alive(pid, holder.get("process_start")))

    def release(self) -> None:
        if self._fd is None:
            return
        try:
            self.path.unlink(missing_ok=True)
        finally:
            os.close(self._fd)
            self._fd = None
