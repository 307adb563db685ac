"""Hostile files get a clear error within bounded time and memory (issue "Hardening", part 2).

Each attack is run in a fresh Python (tests/hostile.py: ``bounded``), which reports its time and
its peak resident memory. The bounds (30 s, 500 MiB) are generous for a loaded two-core machine
and still far below what the unprotected readers took: the XLSX zip bomb took 78 s and 2.2 GiB
before openpyxl gave up with a MemoryError, and the Parquet file whose footer claims 10^12 rows
took 22 GiB before it was killed at 60 s.
"""

from __future__ import annotations

import os
from pathlib import Path

import hostile
import pytest
from conftest import SAMPLE

SECONDS = 30
MIB = 500


def refused(code: str) -> str:
    """Run ``code`` (which prints the error) within the bounds; return what it printed."""
    outcome = hostile.bounded(code, timeout=SECONDS * 3)
    assert outcome.returncode == 0, outcome
    assert outcome.seconds < SECONDS, outcome
    assert outcome.peak_mib is not None and outcome.peak_mib < MIB, outcome
    return outcome.stdout


LOAD = (
    "import sce_analysis as sce\n"
    "try:\n    sce.load({folder!r})\n"
    "except sce.DataValidationError as error:\n    print(error)\n"
    "else:\n    print('LOADED')\n"
)
WORKBOOK = (
    "from sce_analysis import DataValidationError\n"
    "from sce_analysis.exchange import read_workbooks\n"
    "try:\n    read_workbooks([{path!r}])\n"
    "except DataValidationError as error:\n    print(error)\n"
)


@pytest.fixture(scope="module")
def workbook(tmp_path_factory):
    import sce_analysis as sce
    from sce_analysis.exchange.excel import export_workbook

    path = tmp_path_factory.mktemp("book") / "good.xlsx"
    export_workbook(sce.load(SAMPLE), path)
    return path


def test_xlsx_zip_bomb_is_refused_before_it_is_decompressed(workbook, tmp_path):
    bomb = hostile.xlsx_zip_bomb(workbook, tmp_path / "bomb.xlsx", gib=2)
    assert bomb.stat().st_size < 5 * 2**20  # 2 GiB of shared strings in a few MiB
    out = refused(WORKBOOK.format(path=str(bomb)))
    assert "bomb.xlsx: the member xl/sharedStrings.xml would decompress to 2,048 MiB" in out
    assert "zip bomb" in out and "Fix:" in out


def test_xlsx_billion_laughs_is_refused_by_defusedxml(workbook, tmp_path):
    import openpyxl

    assert openpyxl.DEFUSEDXML, "openpyxl uses defusedxml when it is installed (requirements.txt)"
    laughs = hostile.xlsx_billion_laughs(workbook, tmp_path / "laughs.xlsx")
    out = refused(WORKBOOK.format(path=str(laughs)))
    assert "laughs.xlsx: its XML declares entities or a document type (EntitiesForbidden" in out
    assert "entity bomb" in out


def test_safe_xml_helpers_refuse_bombs_for_any_importer(tmp_path):
    import zipfile

    from sce_analysis.exchange.safe_xml import UntrustedFileError, check_zip, parse_xml, read_member

    with pytest.raises(UntrustedFileError, match=r"p\.qde: its XML declares entities"):
        parse_xml(hostile.BILLION_LAUGHS, label="p.qde")
    with pytest.raises(UntrustedFileError, match="not well-formed"):
        parse_xml(b"<a><b></a>", label="p.qde")
    path = tmp_path / "project.qdpx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", b"<Project/>")
    assert [m.filename for m in check_zip(path)] == ["project.qde"]
    assert parse_xml(read_member(path, "project.qde"), label="project.qdpx").tag == "Project"
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("sources/big.txt", b" " * (4 * 2**20))
    with pytest.raises(UntrustedFileError, match=r"project\.qdpx: the member sources/big\.txt would decompress"):
        check_zip(path)


def test_yaml_alias_bomb_is_refused(tmp_path):
    path = tmp_path / "params.yaml"
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]" for i in range(9)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code = (
        "from sce_analysis.errors import ParameterError\n"
        "from sce_analysis.reports.runner import read_yaml_parameters\n"
        f"try:\n    read_yaml_parameters({str(path)!r})\n"
        "except ParameterError as error:\n    print(error)\n"
    )
    out = refused(code)
    assert f"the parameter file {path}, line 2, column 8: the alias '*a' is refused" in out
    big = tmp_path / "big.yaml"
    big.write_text("title: " + "x" * (2 << 20) + "\n", encoding="utf-8")
    from sce_analysis.errors import ParameterError
    from sce_analysis.reports.runner import read_yaml_parameters

    with pytest.raises(ParameterError, match="larger than 1,048,576 bytes"):
        read_yaml_parameters(big)
    plain = tmp_path / "plain.yaml"
    plain.write_text("anchor: &x NO\nthreshold: 5\n", encoding="utf-8")  # an anchor alone is harmless
    assert read_yaml_parameters(plain) == {"anchor": "NO", "threshold": "5"}


def test_csv_with_a_100_mib_value_is_refused_naming_line_and_column(tmp_path):
    folder = hostile.copy_set(SAMPLE, tmp_path / "set")
    hostile.huge_field(folder, mib=100)
    out = refused(LOAD.format(folder=str(folder)))
    assert "reviews.csv, line 3, column title: this value is 104,857,600 bytes long" in out


def test_csv_with_100000_columns_is_refused(tmp_path):
    folder = hostile.copy_set(SAMPLE, tmp_path / "set")
    hostile.many_columns(folder, n=100_000)
    out = refused(LOAD.format(folder=str(folder)))
    assert "factors.csv, line 1, column extra_993: the header names" in out
    assert "more than the 1,000 a review-set file may have" in out


def test_csv_with_nul_bytes_names_the_line_and_column(tmp_path):
    import sce_analysis as sce

    folder = hostile.copy_set(SAMPLE, tmp_path / "set")
    hostile.nul_bytes(folder)
    problems = [p for p in sce.validate(folder) if p.file == "episodes.csv"]
    assert [(p.line, p.column) for p in problems] == [(4, "title")]
    assert problems[0].message.startswith("the file holds NUL bytes")
    assert "NUL bytes" in refused(LOAD.format(folder=str(folder)))


def test_long_values_in_quotes_and_rows_too_wide_are_reported_not_raised(tmp_path):
    import sce_analysis as sce

    folder = hostile.copy_set(SAMPLE, tmp_path / "set")
    path = folder / "taxonomy.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2] + "," + ",".join(["v"] * 50_000)  # a row far wider than the header
    lines[3] = lines[3] + ',"' + "a," * 70_000 + '"'  # a quoted value of 140,000 characters with commas
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    problems = [p for p in sce.validate(folder) if p.file == "taxonomy.csv"]
    assert problems and all(len(p.value) < 300 for p in problems)
    assert problems[0].line == 3


@pytest.fixture()
def parquet_set(tmp_path):
    import sce_analysis as sce

    return sce.load(SAMPLE).save(tmp_path / "pq", format="parquet")


def test_parquet_with_a_wrong_schema_is_refused(parquet_set):
    import pyarrow as pa
    import pyarrow.parquet as pq

    import sce_analysis as sce

    path = parquet_set / "reviews.parquet"
    table = pq.read_table(path)
    year = table.column_names.index("year")
    pq.write_table(table.set_column(year, "year", pa.array([b"\xff\xfe"] * table.num_rows)), path)
    problems = sce.validate(parquet_set)
    assert [(p.file, p.line, p.column, p.value) for p in problems] == [("reviews.parquet", 1, "year", "binary")]
    assert "holds Parquet type binary" in problems[0].message


def test_parquet_whose_footer_lies_about_its_rows_is_refused(parquet_set):
    path = parquet_set / "reviews.parquet"
    lie_about_rows(path, 10**12)
    out = refused(LOAD.format(folder=str(parquet_set)))
    assert "reviews.parquet: the file's metadata claims 1,000,000,000,000 rows" in out


def test_parquet_zstd_bomb_is_refused_before_it_is_decompressed(parquet_set, tmp_path):
    """A reviews.parquet of a few kB whose one title decompresses to 64 MiB (zstd, about 12,000 times): the
    footer says so, and the file is refused before any data is read, in the memory a clean set takes."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    clean = tmp_path / "clean"
    clean.mkdir()
    for path in parquet_set.iterdir():
        (clean / path.name).write_bytes(path.read_bytes())
    path = parquet_set / "reviews.parquet"
    table = pq.read_table(path)
    titles = table.column("title").to_pylist()
    titles[1] = "x" * (64 * 2**20)
    title = table.column_names.index("title")
    pq.write_table(table.set_column(title, "title", pa.array(titles, type=pa.string())), path, compression="zstd")
    assert path.stat().st_size < 16_000
    out = refused(LOAD.format(folder=str(parquet_set)))
    assert "reviews.parquet: the file's data would decompress to 64.0 MiB" in out
    assert "probably a decompression bomb, and was not read" in out
    # Never decompressed: the refusal takes no more memory than loading the clean set (the unprotected
    # reader peaked at about 250 MiB above it).
    bomb = hostile.bounded(LOAD.format(folder=str(parquet_set)), timeout=SECONDS * 3)
    baseline = hostile.bounded(LOAD.format(folder=str(clean)), timeout=SECONDS * 3)
    assert baseline.stdout.strip() == "LOADED", baseline
    assert bomb.peak_mib < baseline.peak_mib + 32, (bomb, baseline)


def lie_about_rows(path: Path, rows: int) -> None:
    """Rewrite the row counts in a Parquet footer (thrift compact: field header 0x16, then a zigzag varint)."""
    import pyarrow.parquet as pq

    def varint(n: int) -> bytes:
        out = bytearray()
        while True:
            byte, n = n & 0x7F, n >> 7
            out.append(byte | (0x80 if n else 0))
            if not n:
                return bytes(out)

    data = path.read_bytes()
    size = int.from_bytes(data[-8:-4], "little")
    footer = data[-8 - size : -8]
    claimed = b"\x16" + varint(2 * pq.ParquetFile(path).metadata.num_rows)
    assert claimed in footer
    footer = footer.replace(claimed, b"\x16" + varint(2 * rows))
    path.write_bytes(data[: -8 - size] + footer + len(footer).to_bytes(4, "little") + b"PAR1")


def test_symlink_out_of_the_set_is_refused(tmp_path):
    import sce_analysis as sce

    folder = hostile.copy_set(SAMPLE, tmp_path / "set")
    outside = tmp_path / "elsewhere" / "secret.csv"
    outside.parent.mkdir()
    outside.write_text("review_id,area,year\nS1,Secret,2020\n", encoding="utf-8")
    (folder / "reviews.csv").unlink()
    os.symlink(outside, folder / "reviews.csv")
    problems = sce.validate(folder)
    assert [p.file for p in problems] == ["reviews.csv"]
    assert problems[0].message.startswith(f"this file is a symbolic link to {outside} ({outside.resolve()}), outside")
    # A link to a file inside the set is fine.
    (folder / "reviews.csv").unlink()
    (folder / "reviews-2024.csv").write_bytes((SAMPLE / "reviews.csv").read_bytes())
    os.symlink("reviews-2024.csv", folder / "reviews.csv")
    assert sce.validate(folder) == []
