"""Hostile files for tests/test_hostile_files.py, and a runner that measures a child process's time and peak memory.

Each maker writes one attack into a folder and returns its path; :func:`bounded` runs Python code in a
fresh interpreter and reports what it printed, how long it took and its peak resident memory (read
from ``/proc/self/status`` in the child: ``ru_maxrss`` would carry the parent's peak across fork and exec).
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import sys
import time
import zlib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Appended to every child: print the peak resident memory (VmHWM) as the last line of stderr, however it ends.
_PEAK = """
import atexit, sys
def _peak():
    for line in open('/proc/self/status'):
        if line.startswith('VmHWM:'):
            sys.stderr.write(f"\\nPEAK_KIB {line.split()[1]}\\n")
atexit.register(_peak)
"""


@dataclass
class Outcome:
    returncode: int | None  # None: killed at the timeout
    stdout: str
    stderr: str
    seconds: float
    peak_mib: float | None

    def __str__(self) -> str:
        peak = "?" if self.peak_mib is None else f"{self.peak_mib:.0f} MiB"
        return f"exit {self.returncode}, {self.seconds:.1f} s, peak {peak}\n{self.stdout}\n{self.stderr[-3000:]}"


def bounded(code: str, *, timeout: float = 60, memory_mib: int | None = None, pythonpath: Path = ROOT) -> Outcome:
    """Run ``code`` in a fresh Python, in ``pythonpath``; kill it after ``timeout`` s; cap memory at ``memory_mib``."""
    prefix = _PEAK
    if memory_mib:
        prefix += (
            f"import resource\nresource.setrlimit(resource.RLIMIT_AS, ({memory_mib} * 2**20, {memory_mib} * 2**20))\n"
        )
    env = {**os.environ, "PYTHONPATH": str(pythonpath), "PYTHONDONTWRITEBYTECODE": "1", "MPLBACKEND": "Agg"}
    start = time.perf_counter()
    try:
        result = subprocess.run(
            [sys.executable, "-c", prefix + code],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env,
            cwd=pythonpath,
        )
    except subprocess.TimeoutExpired as expired:
        out = expired.stdout.decode() if isinstance(expired.stdout, bytes) else (expired.stdout or "")
        return Outcome(None, out, "", time.perf_counter() - start, None)
    seconds = time.perf_counter() - start
    peak = None
    for line in result.stderr.splitlines():
        if line.startswith("PEAK_KIB "):
            peak = int(line.split()[1]) / 1024
    return Outcome(result.returncode, result.stdout, result.stderr, seconds, peak)


# ------------------------------------------------------------------------------------ zip archives


def _deflate_repeated(head: bytes, filler: bytes, repeat: int, tail: bytes) -> tuple[list[bytes], int, int, int]:
    """Raw deflate of ``head + filler * repeat + tail``, compressing ``filler`` once.

    A full flush resets the compressor's history, so every copy of ``filler`` compresses to the same
    bytes: the stream is those bytes repeated. Returns (pieces, crc, size, compressed size).
    """
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = compressor.compress(head) + compressor.flush(zlib.Z_FULL_FLUSH)
    middle = compressor.compress(filler) + compressor.flush(zlib.Z_FULL_FLUSH)
    last = compressor.compress(tail) + compressor.flush()
    crc = zlib.crc32(head)
    for _ in range(repeat):
        crc = zlib.crc32(filler, crc)
    crc = zlib.crc32(tail, crc)
    pieces = [first, *([middle] * repeat), last]
    return pieces, crc, len(head) + len(filler) * repeat + len(tail), sum(map(len, pieces))


def write_zip64(path: Path, members: list[tuple[str, list[bytes], int, int, int]]) -> None:
    """Write a zip archive (zip64 entries) of members already deflated: (name, pieces, crc, size, csize)."""
    central = []
    with open(path, "wb") as out:
        for name, pieces, crc, size, csize in members:
            offset = out.tell()
            encoded = name.encode()
            extra = struct.pack("<HHQQ", 1, 16, size, csize)
            out.write(
                struct.pack(
                    "<IHHHHHIIIHH", 0x04034B50, 45, 0, 8, 0, 0x21, crc, 0xFFFFFFFF, 0xFFFFFFFF, len(encoded), len(extra)
                )
                + encoded
                + extra
            )
            for piece in pieces:
                out.write(piece)
            cextra = struct.pack("<HHQQQ", 1, 24, size, csize, offset)
            central.append(
                struct.pack(
                    "<IHHHHHHIIIHHHHHII",
                    0x02014B50,
                    45,
                    45,
                    0,
                    8,
                    0,
                    0x21,
                    crc,
                    0xFFFFFFFF,
                    0xFFFFFFFF,
                    len(encoded),
                    len(cextra),
                    0,
                    0,
                    0,
                    0,
                    0xFFFFFFFF,
                )
                + encoded
                + cextra
            )
        start = out.tell()
        for record in central:
            out.write(record)
        end = out.tell()
        n = len(central)
        out.write(struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 45, 45, 0, 0, n, n, end - start, start))
        out.write(struct.pack("<IIQI", 0x07064B50, 0, end, 1))
        out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0))


def _members_of(workbook: Path) -> list[tuple[str, list[bytes], int, int, int]]:
    import zipfile

    members = []
    with zipfile.ZipFile(workbook) as archive:
        for info in archive.infolist():
            data = archive.read(info)
            compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
            packed = compressor.compress(data) + compressor.flush()
            members.append((info.filename, [packed], zlib.crc32(data), len(data), len(packed)))
    return members


SHARED_STRINGS_TYPE = (
    b'<Override PartName="/xl/sharedStrings.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
)
SST_HEAD = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>'


def with_shared_strings(workbook: Path, out: Path, pieces, crc: int, size: int, csize: int) -> Path:
    """``workbook`` with a ``xl/sharedStrings.xml`` member given as deflated pieces (openpyxl reads it on opening)."""
    members = []
    for name, data_pieces, member_crc, member_size, member_csize in _members_of(workbook):
        if name == "[Content_Types].xml":
            data = zlib.decompress(b"".join(data_pieces), -15).replace(b"</Types>", SHARED_STRINGS_TYPE)
            compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
            packed = compressor.compress(data) + compressor.flush()
            data_pieces, member_crc, member_size, member_csize = [packed], zlib.crc32(data), len(data), len(packed)
        members.append((name, data_pieces, member_crc, member_size, member_csize))
    members.append(("xl/sharedStrings.xml", pieces, crc, size, csize))
    write_zip64(out, members)
    return out


def xlsx_zip_bomb(workbook: Path, out: Path, *, gib: int = 2) -> Path:
    """A workbook whose shared strings decompress to ``gib`` GiB (one string of 'a'), in a file of a few MiB."""
    filler = b"a" * (16 * 2**20)
    pieces, crc, size, csize = _deflate_repeated(SST_HEAD, filler, gib * 64, b"</t></si></sst>")
    return with_shared_strings(workbook, out, pieces, crc, size, csize)


BILLION_LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE sst [\n<!ENTITY lol "lol">\n'
    + b"".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n'.encode() for i in range(1, 10)
    )
    + b"]>\n"
    + SST_HEAD.replace(b"<sst ", b"<sst ", 1)
    + b"&lol9;</t></si></sst>"
)


def xlsx_billion_laughs(workbook: Path, out: Path) -> Path:
    """A workbook whose shared strings hold the 'billion laughs' entity (10^9 'lol's from 1 KiB)."""
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
    packed = compressor.compress(BILLION_LAUGHS) + compressor.flush()
    return with_shared_strings(workbook, out, [packed], zlib.crc32(BILLION_LAUGHS), len(BILLION_LAUGHS), len(packed))


# ------------------------------------------------------------------------------------ review sets


def copy_set(source: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for path in source.glob("*.csv"):
        shutil.copy(path, folder / path.name)
    return folder


def huge_field(folder: Path, *, mib: int = 100) -> Path:
    """reviews.csv whose third line has a title of ``mib`` MiB (written in chunks: the test never holds it)."""
    path = folder / "reviews.csv"
    lines = path.read_bytes().splitlines(keepends=True)
    with open(path, "wb") as out:
        out.writelines(lines[:2])
        out.write(b"R0,Kelmscote,2015,North West,Serious case review,SCIE Learning Together,")
        chunk = b"x" * 2**20
        for _ in range(mib):
            out.write(chunk)
        out.write(b"\n")
        out.writelines(lines[2:])
    return path


def many_columns(folder: Path, *, n: int = 100_000) -> Path:
    """factors.csv with ``n`` columns: the contract's, then extra ones, with values on its first three lines."""
    path = folder / "factors.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    extra = n - len(lines[0].split(","))
    header = lines[0] + "".join(f",extra_{i}" for i in range(extra))
    body = [line + ",v" * extra if i < 3 else line for i, line in enumerate(lines[1:])]
    path.write_text("\n".join([header, *body]) + "\n", encoding="utf-8")
    return path


def nul_bytes(folder: Path) -> Path:
    """episodes.csv with a NUL byte inside the title on its fourth line."""
    path = folder / "episodes.csv"
    lines = path.read_bytes().split(b"\n")
    cells = lines[3].split(b",")
    cells[7] = cells[7][:2] + b"\x00" + cells[7][2:]
    lines[3] = b",".join(cells)
    path.write_bytes(b"\n".join(lines))
    return path
