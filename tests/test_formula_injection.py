"""Spreadsheet formula injection (OWASP "CSV injection"): what the workbench writes for people is safe.

Free text comes from whoever wrote a review. Text beginning with ``=``, ``+``, ``-``, ``@``, a tab or
a carriage return runs as a formula when a CSV file or workbook is opened in a spreadsheet. These
tests plant such text in every free-text column of the sample (and in the agencies lists and some
review identifiers), write every people-facing output, and read the files back raw: with the csv
module, not pandas, and with openpyxl. The review-set folder, which is for reading back, must keep
the exact text.
"""

from __future__ import annotations

import csv
import io
import math
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from conftest import SAMPLE

import sce_analysis as sce
from sce_analysis.cli import main
from sce_analysis.reviewsets.contract import FILES

PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# The planted text after a prefix: an OWASP example payload, so a cell left live would be a real one.
PAYLOAD = "1+cmd|' /C calc'!A0 "
DANGEROUS = tuple(PREFIXES)


# ----------------------------------------------------------------------------------- the planted set


def planted(text: pd.Series, shift: int = 0) -> pd.Series:
    """Each non-empty value with a prefix in front, the prefixes taking turns over the distinct values.

    Equal values get equal prefixes, so areas, regions, coders and labels stay as many as they were.
    """
    distinct = pd.unique(text.dropna()[text.dropna().astype(str).ne("")])
    prefix = {value: PREFIXES[(i + shift) % len(PREFIXES)] for i, value in enumerate(distinct)}
    return text.astype(object).map(lambda v: f"{prefix[v]}{PAYLOAD}{v}" if v in prefix else v)


def planted_frames() -> dict[str, pd.DataFrame]:
    rs = sce.load(SAMPLE)
    frames = {name: getattr(rs, name).copy() for name in FILES}
    for name, spec in FILES.items():
        for shift, column in enumerate(c.name for c in spec.columns if c.kind == "text"):
            frames[name][column] = planted(frames[name][column], shift)
    # Agencies are lists of names: plant in every item of the first lists.
    agencies = frames["episodes"]["agencies"]
    frames["episodes"]["agencies"] = [
        ";".join(f"{PREFIXES[(i + j) % 4]}{a}" for j, a in enumerate(items)) if i < 40 else ";".join(items)
        for i, items in enumerate(agencies.str.split(";").fillna("").map(list))
    ]
    # Some review identifiers too: they reach tables and the Matrix sheet.
    renamed = {r: f"{PREFIXES[i % 4]}{r}" for i, r in enumerate(frames["reviews"]["review_id"].head(8))}
    for name in ("reviews", "episodes", "factors", "findings"):
        frames[name]["review_id"] = frames[name]["review_id"].replace(renamed)
    return frames


@pytest.fixture(scope="module")
def frames():
    return planted_frames()


@pytest.fixture(scope="module")
def planted_set(frames):
    return sce.from_frames(*(frames[name] for name in FILES))


def test_the_planted_set_holds_every_prefix_that_survives_reading(planted_set):
    # The reader strips leading whitespace (as a CSV file is read), so a tab or carriage return in
    # front does not reach the set; what follows it (1+...) then starts the cell.
    titles = planted_set.episodes["title"]
    for prefix in ("=", "+", "-", "@"):
        assert titles.str.startswith(prefix + PAYLOAD).any(), prefix
    assert titles.str.startswith(PAYLOAD).any()
    assert planted_set.taxonomy["label"].str[:1].isin(list("=+-@")).sum() >= 10
    assert planted_set.reviews["review_id"].str[:1].isin(list("=+-@")).sum() == 8


# ----------------------------------------------------------------------------------- the rule, by hand


def test_cell_rule_on_a_hand_worked_table():
    from sce_analysis.spreadsheets import neutralise_cell, neutralise_formulas, restore_formulas

    table = pd.DataFrame(
        {
            "label": pd.Series(
                ["=SUM(A1)", "+44 20", "-", "@x", "\tx", "\rx", "c", None, "'=x", "a=b", "'quoted"], dtype=object
            ),
            "log_or": [-0.5, -1.0, 0.0, 2.5, np.nan, -3.0, 1.0, 0.5, -0.1, 0.2, 0.3],
            "count": [-3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13],
            "shown": ["c", "-0.5", "3", "c", "c", "c", "c", "c", "c", "c", "c"],
        }
    )
    # Worked by hand: a quote in front of text starting with = + - @ tab CR, or with quotes and then one.
    expected_label = ["'=SUM(A1)", "'+44 20", "'-", "'@x", "'\tx", "'\rx", "c", None, "''=x", "a=b", "'quoted"]
    out = neutralise_formulas(table)
    assert out["label"].tolist() == expected_label
    # Numbers stay numbers, negative ones included, in numeric columns; NaN stays NaN.
    assert out["log_or"].dtype == table["log_or"].dtype and out["count"].dtype == table["count"].dtype
    np.testing.assert_array_equal(out["log_or"].to_numpy(), table["log_or"].to_numpy())
    assert out["count"].tolist() == table["count"].tolist()
    # In a text column a number written as text is text: a spreadsheet user sees '-0.5, not a formula.
    assert out["shown"].tolist() == ["c", "'-0.5", *table["shown"].tolist()[2:]]
    assert table["label"].iloc[0] == "=SUM(A1)"  # the input is not modified
    # Cell by cell: non-text values come back as they are.
    assert neutralise_cell(-0.5) == -0.5 and math.isnan(neutralise_cell(float("nan"))) and neutralise_cell(None) is None
    # Undone exactly, the quoted quotes included.
    assert restore_formulas(out).equals(table)


def test_categorical_and_string_columns_and_names_are_neutralised():
    from sce_analysis.spreadsheets import neutralise_formulas, restore_formulas

    table = pd.DataFrame(
        {
            "=area": pd.Categorical(["-North", "South", "-North"]),
            "region": pd.array(["@x", pd.NA, "y"], dtype="string"),
        }
    )
    out = neutralise_formulas(table)
    assert list(out.columns) == ["'=area", "region"]
    assert out["'=area"].astype(str).tolist() == ["'-North", "South", "'-North"]
    assert out["region"].tolist()[0] == "'@x" and out["region"].isna().tolist() == [False, True, False]
    assert restore_formulas(out)["=area"].astype(str).tolist() == ["-North", "South", "-North"]


# ----------------------------------------------------------------------------------- checks of files


def is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def live_csv_cells(path_or_text, name: str) -> list[str]:
    """Cells of a CSV file, read raw, that a spreadsheet would run as a formula.

    A cell starting with a dangerous character is allowed only when it is a number in a column of
    numbers (every cell a number, empty or ``c``), as a negative statistic is.
    """
    text = path_or_text if isinstance(path_or_text, str) else Path(path_or_text).read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not rows:
        return []
    width = max(len(row) for row in rows)
    columns = [[row[i] if i < len(row) else "" for row in rows[1:]] for i in range(width)]
    numeric = [all(cell in ("", "c") or is_number(cell) for cell in column) for column in columns]
    found = [f"{name} header: {cell!r}" for cell in rows[0] if cell.startswith(DANGEROUS)]
    for line, row in enumerate(rows[1:], start=2):
        for i, cell in enumerate(row):
            if cell.startswith(DANGEROUS) and not (numeric[i] and is_number(cell)):
                found.append(f"{name}:{line}: {cell!r}")
    return found


def live_workbook_cells(path: Path) -> list[str]:
    """Cells of a workbook that are formulas, or text a spreadsheet would run once edited."""
    found = []
    book = openpyxl.load_workbook(path)
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    found.append(f"{ws.title}!{cell.coordinate}: formula {cell.value!r}")
                elif isinstance(cell.value, str) and cell.value.startswith(DANGEROUS) and not cell.quotePrefix:
                    found.append(f"{ws.title}!{cell.coordinate}: {cell.value!r}")
    # No formula element anywhere in the sheets' XML either.
    with zipfile.ZipFile(path) as archive:
        for member in archive.namelist():
            if member.startswith("xl/worksheets/") and b"<f>" in archive.read(member):
                found.append(f"{member}: <f> element")
    return found


# ----------------------------------------------------------------------------------- a report


@pytest.fixture(scope="module")
def report_folder(planted_set, tmp_path_factory):
    from sce_analysis.reports.runner import report

    base = tmp_path_factory.mktemp("injection")
    planted_set.save(base / "data")
    result = report(base / "data", base / "report", publication=False, jobs=2)
    assert not result.failed, result.failed
    return base / "report"


def test_report_tables_hold_no_live_formula(report_folder):
    paths = sorted((report_folder / "tables").glob("*.csv"))
    assert len(paths) >= 10
    found = [cell for path in paths for cell in live_csv_cells(path, path.name)]
    assert not found, found[:20]
    # The planted text did reach the tables, quoted: the test would see it if it were live.
    written = "".join(path.read_text(encoding="utf-8") for path in paths)
    assert "'=" + PAYLOAD in written and "'-" + PAYLOAD in written


def test_report_tables_read_back_as_written(report_folder, planted_set):
    from sce_analysis.reports.briefing import ReportTables

    tables = ReportTables(report_folder)
    texts = {
        cell
        for path in (report_folder / "tables").glob("*.csv")
        for frame in [tables.get(path.stem)]
        for column in frame.columns
        for cell in frame[column]
    }
    labels = set(planted_set.taxonomy["label"])
    assert labels & texts, "the planted labels reach some table"
    assert not {t for t in texts if t.startswith("'") and t[1:] in labels}, "a quote is left on a label"


# ----------------------------------------------------------------------------------- policy and explorer


@pytest.mark.parametrize("publication", [True, False])
def test_policy_csv_neutralises_text_and_keeps_numbers(tmp_path, publication):
    from sce_analysis.publish.policy import Policy

    table = pd.DataFrame(
        {
            "factor_code": ["=a", "-b", "@c", "+d"],
            "label": ["=HYPERLINK(1)", "-1 day", "ok", "\tx"],
            "n_units": [20, 30, 40, 50],
            "log_or": [-0.5, -1.25, 0.0, 2.0],
        }
    )
    path = tmp_path / "t.csv"
    shown = Policy(publication=publication, min_areas=1).write_csv(table, path)
    rows = list(csv.reader(path.open(encoding="utf-8", newline="")))
    assert [row[:2] for row in rows[1:]] == [
        ["'=a", "'=HYPERLINK(1)"],
        ["'-b", "'-1 day"],
        ["'@c", "ok"],
        ["'+d", "'\tx"],
    ]
    # Numbers are written as numbers, a minus sign and no quote.
    assert [[float(cell) for cell in row[2:]] for row in rows[1:]] == table[["n_units", "log_or"]].to_numpy().tolist()
    assert shown["label"].tolist() == table["label"].tolist()  # what is shown keeps the text


@pytest.mark.parametrize("publication", [True, False])
def test_explorer_downloads_hold_no_live_formula(planted_set, publication):
    from sce_analysis.explorer.app import TABS, Explorer
    from sce_analysis.publish.policy import Policy

    explorer = Explorer(planted_set, policy=Policy(publication=publication))
    found = []
    for key, _ in TABS:
        found += live_csv_cells(explorer.table_csv(key), key)
    assert not found, found[:20]


# ----------------------------------------------------------------------------------- workbooks


def test_export_workbook_holds_no_formula_and_reads_back_exactly(planted_set, tmp_path):
    from sce_analysis.exchange.excel import export_workbook, read_workbooks

    path = export_workbook(planted_set, tmp_path / "set.xlsx")
    found = live_workbook_cells(path)
    assert not found, found[:20]
    back = read_workbooks([path])
    for name in FILES:
        for column in (c.name for c in FILES[name].columns if c.kind in ("text", "id", "list")):
            assert back_text(getattr(back, name)[column]) == back_text(getattr(planted_set, name)[column]), (
                name,
                column,
            )


def back_text(values: pd.Series) -> list:
    return values.astype(object).where(values.notna(), None).tolist()


def test_template_holds_no_formula(planted_set, tmp_path):
    from sce_analysis.exchange.excel import write_template

    path = write_template(tmp_path / "template.xlsx", taxonomy=planted_set)
    found = live_workbook_cells(path)
    assert not found, found[:20]
    labels = [c.value for c in openpyxl.load_workbook(path)["Coding frame"]["B"][1:]]
    assert labels == planted_set.taxonomy["label"].tolist()  # exact text, marked with the quote prefix


def test_cli_export_excel_holds_no_formula(planted_set, tmp_path):
    planted_set.save(tmp_path / "data")
    assert main(["export-excel", str(tmp_path / "data"), str(tmp_path / "out.xlsx")]) == 0
    assert not live_workbook_cells(tmp_path / "out.xlsx")


# ----------------------------------------------------------------------------------- command-line CSV


def test_validate_csv_quotes_a_formula_like_value(tmp_path, capsys):
    rs = sce.load(SAMPLE)
    folder = rs.save(tmp_path / "data")
    reviews = (folder / "reviews.csv").read_text(encoding="utf-8").splitlines()
    first = reviews[1].split(",")
    first[2] = "=1+1"  # the year
    (folder / "reviews.csv").write_text("\n".join([reviews[0], ",".join(first), *reviews[2:]]) + "\n", "utf-8")
    assert main(["validate", str(folder), "--format", "csv"]) == 1
    out = capsys.readouterr().out
    assert "'=1+1" in out
    assert not live_csv_cells(out, "validate")


def test_agreement_csv_quotes_coder_names(planted_set, tmp_path, capsys):
    factors = planted_set.factors.copy()
    factors["coder"] = factors["coder"].map({c: f"={c}" for c in factors["coder"].dropna().unique()})
    folder = sce.from_frames(
        planted_set.reviews, planted_set.episodes, factors, planted_set.findings, planted_set.taxonomy
    ).save(tmp_path / "data")
    assert main(["agreement", str(folder), "--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert not live_csv_cells(out, "agreement"), out[:500]
    assert "'=" in out


# ----------------------------------------------------------------------------------- exact text kept


@pytest.mark.parametrize("format", ["csv", "parquet"])
def test_review_set_folder_keeps_the_exact_text(planted_set, frames, tmp_path, format):
    back = sce.load(planted_set.save(tmp_path / "data", format=format))
    assert back.equals(planted_set)
    for name in FILES:
        for column in (c.name for c in FILES[name].columns if c.kind == "text"):
            # The planted text as the reader keeps it (leading whitespace stripped), with no quote added.
            expected = frames[name][column].map(lambda v: v.strip() if isinstance(v, str) and v.strip() else None)
            assert back_text(getattr(back, name)[column]) == back_text(expected), (name, column)
    if format == "csv":
        raw = (tmp_path / "data" / "episodes.csv").read_text(encoding="utf-8")
        assert "'=" + PAYLOAD not in raw and "=" + PAYLOAD in raw


def test_restore_formulas_undoes_each_cell_as_restore_cell_does():
    # The vectorised undo against the one-cell rule, on every prefix, quoted and not, and mixed columns.
    from sce_analysis.spreadsheets import QUOTE, restore_cell, restore_formulas

    cells = [QUOTE + p + "x" for p in ("=", "+", "-", "@", "\t", "\r")] + ["'plain", "=raw", "", None, "'", "''=1"]
    frame = pd.DataFrame({"text": cells, "mixed": pd.Series([5, "'=2", None, 1.5, "a", "'-1"] * 2, dtype=object)})
    pd.testing.assert_frame_equal(restore_formulas(frame), frame.map(restore_cell))
