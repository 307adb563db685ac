"""Review sets saved as Parquet: the same frames, the same checks, problems named in the Parquet file."""

from __future__ import annotations

import hashlib

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import CLEAN, SAMPLE, write_set

import sce_analysis as sce
from sce_analysis.reviewsets.contract import FILES


def digest(folder, suffix: str) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.glob(f"*.{suffix}"))}


def assert_sets_equal(a, b) -> None:
    for name in FILES:
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), obj=name)


def test_parquet_round_trip_gives_equal_frames(tmp_path):
    rs = sce.load(SAMPLE)
    folder = rs.save(tmp_path / "set", format="parquet")
    assert sorted(p.name for p in folder.iterdir()) == sorted(f"{name}.parquet" for name in FILES)
    back = sce.load(folder)
    assert_sets_equal(rs, back)
    assert back.equals(rs) and back.taxonomy_given


def test_parquet_save_is_byte_identical_and_csv_after_parquet_round_trips(tmp_path):
    rs = sce.load(SAMPLE)
    first = digest(rs.save(tmp_path / "a", format="parquet"), "parquet")
    second = digest(sce.load(tmp_path / "a").save(tmp_path / "b", format="parquet"), "parquet")
    assert first == second
    # Back to CSV: the same bytes as the shipped sample.
    sce.load(tmp_path / "b").save(tmp_path / "c")
    assert {p.name: p.read_bytes() for p in (tmp_path / "c").iterdir()} == {
        p.name: p.read_bytes() for p in SAMPLE.iterdir() if p.suffix == ".csv"
    }


def test_saving_in_one_format_removes_the_other(tmp_path):
    rs = sce.load(SAMPLE)
    rs.save(tmp_path, format="parquet")
    rs.save(tmp_path, format="csv")
    assert not list(tmp_path.glob("*.parquet")) and len(list(tmp_path.glob("*.csv"))) == len(FILES)
    with pytest.raises(sce.ParameterError, match="format"):
        rs.save(tmp_path, format="xlsx")


def test_extra_columns_and_missing_values_round_trip(tmp_path):
    lines = CLEAN["reviews.csv"].rstrip("\n").split("\n")
    extra = [lines[0] + ",local_ref", lines[1] + ",X-1", lines[2] + ",", lines[3] + ","]
    reviews = "\n".join(extra) + "\n"
    rs = sce.load(write_set(tmp_path / "csv", {**CLEAN, "reviews.csv": reviews}))
    back = sce.load(rs.save(tmp_path / "pq", format="parquet"))
    assert list(back.reviews.columns)[-1] == "local_ref" and back.reviews["local_ref"].tolist()[0] == "X-1"
    assert back.reviews["local_ref"].isna().sum() == 2
    assert_sets_equal(rs, back)


def write_parquet(folder, name: str, frame: pd.DataFrame) -> None:
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), folder / f"{name}.parquet")


def parquet_set(tmp_path, **replace) -> object:
    """The CLEAN set as Parquet files, with some frames replaced (None leaves a file out)."""
    rs = sce.load(write_set(tmp_path / "csv", CLEAN))
    folder = rs.save(tmp_path / "pq", format="parquet")
    for name, frame in replace.items():
        (folder / f"{name}.parquet").unlink()
        if frame is not None:
            write_parquet(folder, name, frame)
    return folder


def test_a_bad_value_is_reported_in_the_parquet_file_at_its_row(tmp_path):
    text = sce.load(write_set(tmp_path / "src", CLEAN)).factors.astype(object)
    text.loc[3, "factor_code"] = "no_such_code"  # the fourth row: line 5 as the CSV counts
    folder = parquet_set(tmp_path, factors=text)
    problems = sce.validate(folder)
    assert [(p.file, p.line, p.column, p.value) for p in problems] == [
        ("factors.parquet", 5, "factor_code", "no_such_code")
    ]
    assert "factors.parquet" in str(problems[0]) and ".csv" not in str(problems[0])
    with pytest.raises(sce.DataValidationError):
        sce.load(folder)


def test_typed_parquet_written_by_other_tools_is_read_and_checked(tmp_path):
    """A Parquet file with real integer and date columns (as R or Arrow would write it) loads the same."""
    rs = sce.load(write_set(tmp_path / "src", CLEAN))
    episodes = rs.episodes.assign(
        start_date=rs.episodes["start_date"].dt.date, end_date=rs.episodes["end_date"].dt.date
    ).astype({"appraisal": object})
    folder = parquet_set(tmp_path, reviews=rs.reviews.astype({"year": "int32"}), episodes=episodes)
    assert pq.read_schema(folder / "reviews.parquet").field("year").type == pa.int32()
    assert_sets_equal(sce.load(folder), rs)
    # A year out of range is still a problem, named by row.
    folder = parquet_set(tmp_path / "bad", reviews=rs.reviews.assign(year=[2015, 219, 2021]))
    assert [(p.file, p.line, p.column, p.value) for p in sce.validate(folder)] == [
        ("reviews.parquet", 3, "year", "219")
    ]


def test_missing_and_unreadable_parquet_files_are_problems(tmp_path):
    folder = parquet_set(tmp_path, episodes=None)
    (folder / "factors.parquet").write_bytes(b"PAR1 not really parquet")
    problems = sce.validate(folder)
    files = {p.file: p.message for p in problems}
    assert "episodes.parquet" in files and "missing" in files["episodes.parquet"]
    assert "factors.parquet" in files and "not a readable Parquet file" in files["factors.parquet"]


def test_a_folder_with_both_formats_is_refused(tmp_path):
    folder = parquet_set(tmp_path)
    write_set(folder, {"reviews.csv": CLEAN["reviews.csv"]})
    (problem,) = sce.validate(folder)
    assert "both CSV files (reviews.csv)" in problem.message and "one format per folder" in problem.message
