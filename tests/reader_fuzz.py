"""Mutations of a valid review set, for the reader's fuzz test (tests/test_fuzz_reader.py, benchmarks/fuzz_reader.py).

A case is a small valid set (the hand-written CLEAN set of conftest) with one to three mutations: bytes
flipped, lines truncated, columns swapped, quotes inserted, byte-order marks, other encodings
(latin-1, UTF-16), CRLF line ends, empty files. :func:`check` writes it and asserts the reader's
promise: ``load`` (and so ``validate``, the same pass) raises only DataValidationError, and every
problem names a file of the set.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from conftest import CLEAN
from hypothesis import strategies as st

import sce_analysis as sce

FILES = sorted(CLEAN)
KINDS = ["flip", "truncate", "swap", "quote", "bom", "latin1", "utf16", "crlf", "empty", "delete_line", "nul", "cut"]


def mutate(data: bytes, kind: str, draw) -> bytes:
    """One mutation of a file's bytes; ``draw`` draws from hypothesis."""
    if kind == "flip" and data:
        i = draw(st.integers(0, len(data) - 1))
        return data[:i] + bytes([draw(st.integers(0, 255))]) + data[i + 1 :]
    if kind == "cut":
        return data[: draw(st.integers(0, len(data)))]
    lines = data.split(b"\n")
    i = draw(st.integers(0, max(len(lines) - 1, 0)))
    if kind == "truncate":
        lines[i] = lines[i][: draw(st.integers(0, len(lines[i])))]
    elif kind == "delete_line":
        del lines[i]
    elif kind == "swap":
        rows = [line.split(b",") for line in lines]
        width = max(len(r) for r in rows)
        a, b = draw(st.integers(0, width - 1)), draw(st.integers(0, width - 1))
        for r in rows if draw(st.booleans()) else rows[i : i + 1]:
            if a < len(r) and b < len(r):
                r[a], r[b] = r[b], r[a]
        lines = [b",".join(r) for r in rows]
    elif kind == "quote":
        j = draw(st.integers(0, len(lines[i])))
        lines[i] = lines[i][:j] + draw(st.sampled_from([b'"', b'""', b'"\n', b',"x', b'"",'])) + lines[i][j:]
    elif kind == "nul":
        j = draw(st.integers(0, len(lines[i])))
        lines[i] = lines[i][:j] + b"\x00" + lines[i][j:]
    data = b"\n".join(lines)
    if kind == "bom":
        return b"\xef\xbb\xbf" + data
    if kind == "latin1":
        return data.decode("utf-8", errors="replace").replace("a", "é", 1).encode("latin-1", errors="replace")
    if kind == "utf16":
        return data.decode("utf-8", errors="replace").encode(
            draw(st.sampled_from(["utf-16", "utf-16-le", "utf-16-be"]))
        )
    if kind == "crlf":
        return data.replace(b"\n", b"\r\n")
    if kind == "empty":
        return draw(st.sampled_from([b"", b"\n", b"\r\n", b" ", b"\xef\xbb\xbf"]))
    return data


@st.composite
def mutated_sets(draw) -> dict[str, bytes]:
    """The CLEAN set as bytes, with one to three mutations."""
    files = {name: text.encode("utf-8") for name, text in CLEAN.items()}
    for _ in range(draw(st.integers(1, 3))):
        name = draw(st.sampled_from(FILES))
        files[name] = mutate(files[name], draw(st.sampled_from(KINDS)), draw)
    return files


def check(files: dict[str, bytes]) -> None:
    """Write the set and assert the reader's promise (see the module's docstring)."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name, data in files.items():
            (folder / name).write_bytes(data)
        # load and validate share one pass (validate returns what load raises); load alone keeps cases fast.
        try:
            sce.load(folder)
        except sce.DataValidationError as error:
            assert error.problems, "an error without problems"
            assert all(p.file in files for p in error.problems), error.problems
