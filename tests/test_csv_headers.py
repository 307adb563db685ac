"""Where a CSV file's bytes go wrong, a problem names the column as the header reads to a person.

Before the file is decoded (bytes that are not UTF-8, NUL bytes), the header is read once from the
raw bytes: a UTF-8 byte-order mark is not part of the first name, and a name in UTF-8 is not shown
as Windows-1252 mojibake (nor a Windows-1252 name as replacement characters).
"""

from __future__ import annotations

import codecs

import pytest
from conftest import CLEAN, where, write_set

import sce_analysis as sce

HEADER = "review_id,area,year,région,title\n"


def rows(*lines: bytes) -> bytes:
    return b"".join(line + b"\n" for line in lines)


@pytest.mark.parametrize(
    ("reviews", "expected"),
    [
        # A Windows-1252 byte in the first column of a file saved with a byte-order mark.
        (codecs.BOM_UTF8 + HEADER.encode() + rows(b"R\xe91,A,2020,,", b"R2,B,2021,,"), (2, "review_id", "Ré1")),
        # The header is UTF-8; a later value is not.
        (HEADER.encode() + rows(b"R1,A,2020,,", b"R2,B,2021,caf\xe9,"), (3, "région", "café")),
        # The whole file in Windows-1252: its header is the first line that is not UTF-8.
        (HEADER.encode("cp1252") + rows(b"R1,A,2020,,Caf\xe9"), (1, "région", "région")),
        # A NUL byte in the first column, after a byte-order mark.
        (codecs.BOM_UTF8 + HEADER.encode() + rows(b"R1\x00,A,2020,,"), (2, "review_id", "R1\x00")),
        # A NUL byte in a column named in UTF-8.
        (HEADER.encode() + rows(b"R1,A,2020,x\x00,"), (2, "région", "R1,A,2020,x\x00")),
    ],
)
def test_a_problem_before_decoding_names_the_column_as_written(tmp_path, reviews, expected):
    problems = sce.validate(write_set(tmp_path / "set", {**CLEAN, "reviews.csv": reviews}))
    assert where(problems)[:1] == [("reviews.csv", *expected)]
