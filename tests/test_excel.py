"""Excel coding workbooks: the template, the importer and the export."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from brute import RawSet
from conftest import CLEAN, SAMPLE, write_set

import sce_analysis as sce
from sce_analysis.exchange import excel
from sce_analysis.exchange.excel import SHEETS, export_workbook, import_workbooks, read_workbooks, write_template
from sce_analysis.reviewsets.contract import APPRAISALS, FILES, LEVELS, POLARITIES, SCIE_CATEGORIES
from sce_analysis.synthetic import generate

DATA_KINDS = ("reviews", "episodes", "factors", "findings")


# --------------------------------------------------------------------------- helpers


@pytest.fixture(scope="module")
def clean_template(tmp_path_factory, clean_rs) -> Path:
    return write_template(tmp_path_factory.mktemp("template") / "template.xlsx", taxonomy=clean_rs)


def cell_value(value):
    """A typed frame's value as a person would type it into Excel."""
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def fill(template: Path, path: Path, rs: sce.ReviewSet, review_ids, *, gap_before: dict | None = None) -> Path:
    """Fill a template with the rows of some reviews, as a coder would; extra columns go to the right.

    ``gap_before`` maps a kind to {row position: number of empty rows to leave before it}.
    """
    book = openpyxl.load_workbook(template)
    for kind in DATA_KINDS:
        frame = getattr(rs, kind)
        frame = frame[frame["review_id"].isin(review_ids)]
        ws = book[SHEETS[kind]]
        header = [c.value for c in ws[1] if c.value is not None]
        for name in frame.columns:
            if name not in header:
                header.append(name)
                ws.cell(1, len(header), name)
        row = 1
        for position, values in enumerate(frame.itertuples(index=False)):
            row += 1 + (gap_before or {}).get(kind, {}).get(position, 0)
            for name, value in zip(frame.columns, values, strict=True):
                ws.cell(row, header.index(name) + 1, cell_value(value))
    book.save(path)
    return path


def edit(path: Path, changes: dict[tuple[str, str], object]) -> Path:
    """Set cells, {(sheet, "C14"): value}, and save."""
    book = openpyxl.load_workbook(path)
    for (sheet, cell), value in changes.items():
        book[sheet][cell] = value
    book.save(path)
    return path


def problems_of(paths, **options) -> list[sce.Problem]:
    with pytest.raises(sce.DataValidationError) as caught:
        read_workbooks(paths, **options)
    return caught.value.problems


def one_per_review(tmp_path, template, rs) -> list[Path]:
    return [fill(template, tmp_path / f"{r}.xlsx", rs, [r]) for r in rs.reviews["review_id"]]


# --------------------------------------------------------------------------- the template


def test_template_sheets_headers_and_reference_sheet(tmp_path):
    path = write_template(tmp_path / "t.xlsx")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Review", "KPEs", "Factors", "Findings", "Coding frame", "Instructions"]
    for kind, sheet in SHEETS.items():
        ws = book[sheet]
        header = [c.value for c in ws[1]]
        assert header == list(FILES[kind].column_names), sheet
        assert ws.freeze_panes == "A2"
        for column, cell in zip(FILES[kind].columns, ws[1], strict=True):
            assert cell.font.b == column.required, (sheet, column.name)
            assert column.description in cell.comment.text
            assert ws.column_dimensions[cell.column_letter].width >= len(column.name)
    # The coding frame of the shipped sample, every code of it.
    sample = sce.load(SAMPLE).taxonomy
    codes = [row[0] for row in book["Coding frame"].iter_rows(min_row=2, values_only=True)]
    assert codes == sample["factor_code"].tolist()
    # Plain-English instructions, with every column's description.
    text = "\n".join(str(v) for row in book["Instructions"].iter_rows(values_only=True) for v in row if v)
    for spec in FILES.values():
        for column in spec.columns:
            assert column.description in text
    assert "separate their items with ';'" in text


def test_template_drop_downs(tmp_path):
    path = write_template(tmp_path / "t.xlsx")
    book = openpyxl.load_workbook(path)

    def validations(sheet):
        found = {}
        ws = book[sheet]
        header = {c.column_letter: c.value for c in ws[1]}
        for dv in ws.data_validations.dataValidation:
            (cells,) = str(dv.sqref).split()
            start, end = cells.split(":")
            letter = re.match(r"[A-Z]+", start).group()
            assert (start, end) == (f"{letter}2", f"{letter}1000")
            found[header[letter]] = dv
        return found

    def listed(dv):
        return dv.formula1.strip('"').split(",")

    n_codes = len(sce.load(SAMPLE).taxonomy)
    factors = validations("Factors")
    assert factors["factor_code"].type == "list"
    assert factors["factor_code"].formula1 == f"'Coding frame'!$A$2:$A${n_codes + 1}"
    assert listed(factors["polarity"]) == list(POLARITIES)
    assert listed(validations("KPEs")["appraisal"]) == list(APPRAISALS)
    assert listed(validations("Findings")["category"]) == list(SCIE_CATEGORIES)
    frame = validations("Coding frame")
    assert listed(frame["level"]) == list(LEVELS)
    assert listed(frame["scie_category"]) == list(SCIE_CATEGORIES)
    assert validations("Review")["year"].type == "whole"


def test_workbooks_are_deterministic(tmp_path, clean_rs):
    first = write_template(tmp_path / "a.xlsx", taxonomy=clean_rs)
    second = write_template(tmp_path / "b.xlsx", taxonomy=clean_rs)
    assert first.read_bytes() == second.read_bytes()
    one, two = export_workbook(clean_rs, tmp_path / "c.xlsx"), export_workbook(clean_rs, tmp_path / "d.xlsx")
    assert one.read_bytes() == two.read_bytes()
    # Not equal by the luck of the same second: no member carries the clock.
    with zipfile.ZipFile(one) as archive:
        assert {info.date_time for info in archive.infolist()} == {(2000, 1, 1, 0, 0, 0)}
        assert "2000-01-01T00:00:00Z</dcterms:modified>" in archive.read("docProps/core.xml").decode()


def test_existing_workbook_is_not_overwritten_without_asking(tmp_path, clean_rs):
    path = write_template(tmp_path / "t.xlsx")
    with pytest.raises(sce.ParameterError, match="already exists"):
        write_template(path)
    with pytest.raises(sce.ParameterError, match="already exists"):
        export_workbook(clean_rs, path)
    assert export_workbook(clean_rs, path, overwrite=True) == path
    with pytest.raises(sce.ParameterError, match=r"\.xlsx"):
        write_template(tmp_path / "t.xls")


def test_template_taxonomy_from_frame_folder_and_file(tmp_path, clean_rs):
    codes = clean_rs.taxonomy["factor_code"].tolist()
    folder = write_set(tmp_path / "set", CLEAN)
    csv = tmp_path / "frame.csv"
    csv.write_text(CLEAN["taxonomy.csv"], encoding="utf-8")
    for given in (clean_rs, clean_rs.taxonomy, folder, csv, str(csv)):
        path = write_template(tmp_path / "t.xlsx", taxonomy=given, overwrite=True)
        sheet = openpyxl.load_workbook(path)["Coding frame"]
        assert [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)] == codes


def test_template_taxonomy_is_checked_by_the_contract(tmp_path):
    bad = tmp_path / "frame.csv"
    bad.write_text(CLEAN["taxonomy.csv"] + "fam_hostile,Again,frontline,,,,\n", encoding="utf-8")
    with pytest.raises(sce.DataValidationError) as caught:
        write_template(tmp_path / "t.xlsx", taxonomy=bad)
    (problem,) = caught.value.problems
    assert (problem.file, problem.line, problem.column) == (str(bad), 6, "factor_code")
    with pytest.raises(sce.DataValidationError, match="does not exist"):
        write_template(tmp_path / "t.xlsx", taxonomy=tmp_path / "nothing.csv")
    with pytest.raises(sce.DataValidationError):
        write_template(tmp_path / "t.xlsx", taxonomy=pd.DataFrame({"factor_code": ["a"], "label": [""]}))
    with pytest.raises(sce.ParameterError, match="taxonomy must be"):
        write_template(tmp_path / "t.xlsx", taxonomy=42)
    assert not (tmp_path / "t.xlsx").exists()


# --------------------------------------------------------------------------- round trips


def test_one_workbook_per_review_round_trip(tmp_path):
    rs = generate(n_reviews=6, seed=3, double_coded_share=0.5).review_set
    template = write_template(tmp_path / "template.xlsx", taxonomy=rs)
    paths = one_per_review(tmp_path, template, rs)
    assert "data_origin" in rs.reviews.columns  # an extra column, which must round-trip
    out = tmp_path / "set"
    imported = import_workbooks(paths, out)
    assert imported.equals(rs)
    assert imported.source == str(out)
    assert sce.load(out).equals(rs)
    for kind in FILES:
        pd.testing.assert_frame_equal(getattr(imported, kind), getattr(rs, kind))


def test_workbook_order_sets_review_order(tmp_path, clean_rs, clean_template):
    paths = one_per_review(tmp_path, clean_template, clean_rs)
    rs = read_workbooks(paths[::-1])
    assert rs.reviews["review_id"].tolist() == ["R3", "R2", "R1"]
    assert rs.factors["review_id"].tolist() == ["R3", "R3", "R2", "R2", "R1", "R1", "R1"]


def test_export_import_round_trip_and_matrix(tmp_path):
    rs = generate(n_reviews=12, seed=5, double_coded_share=0.5).review_set
    path = export_workbook(rs, tmp_path / "all.xlsx")
    assert read_workbooks(path).equals(rs)

    book = openpyxl.load_workbook(path, read_only=True)
    assert book.sheetnames == ["Review", "KPEs", "Factors", "Findings", "Coding frame", "Matrix", "Instructions"]
    rows = list(book["Matrix"].iter_rows(values_only=True))
    codes = rs.taxonomy["factor_code"].tolist()
    assert list(rows[0]) == ["review_id", *codes]
    assert [r[0] for r in rows[1:]] == rs.reviews["review_id"].tolist()
    # Brute force over the CSV rows: the first coder of each episode, in file order, is the one counted.
    coded = {(row["review_id"], row["factor_code"]) for row in RawSet(rs.save(tmp_path / "csv")).codings()}
    expected = [[int((r, c) in coded) for c in codes] for r in rs.reviews["review_id"]]
    assert [list(r[1:]) for r in rows[1:]] == expected
    assert rs.factors["coder"].nunique() == 2  # the rule was exercised
    # Second coders' codes that the first coder did not use are not counted.
    all_coded = set(zip(rs.factors["review_id"], rs.factors["factor_code"], strict=True))
    assert all_coded - coded
    text = " ".join(str(v) for row in book["Instructions"].iter_rows(values_only=True) for v in row if v)
    assert "first coder" in text and "Matrix" in text


def test_text_that_looks_like_a_formula_stays_text(tmp_path):
    files = dict(CLEAN)
    files["reviews.csv"] = files["reviews.csv"].replace("Child A", "=Child A (not a formula)")
    rs = sce.load(write_set(tmp_path / "set", files))
    back = read_workbooks(export_workbook(rs, tmp_path / "x.xlsx"))
    assert back.reviews.loc[0, "title"] == "=Child A (not a formula)"
    assert back.equals(rs)


def test_dates_as_text_and_whole_number_floats(tmp_path, clean_rs, clean_template):
    path = fill(clean_template, tmp_path / "R1.xlsx", clean_rs, ["R1"])
    # start_date stays a real Excel date; end_date becomes text, as typed into a Text column.
    edit(path, {("KPEs", "E2"): "2013-02-01", ("KPEs", "E3"): " 2013-03-01 ", ("KPEs", "D3"): dt.datetime(2013, 3, 1)})
    book = openpyxl.load_workbook(path)
    assert isinstance(book["KPEs"]["D2"].value, dt.datetime) and book["KPEs"]["E2"].data_type == "s"
    # Some writers store whole numbers as 2019.0; openpyxl then reads floats.
    with zipfile.ZipFile(path) as archive:
        members = {info.filename: archive.read(info) for info in archive.infolist()}
    review_sheet, kpe_sheet = "xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml"
    members[review_sheet] = members[review_sheet].replace(b"<v>2015</v>", b"<v>2015.0</v>")
    members[kpe_sheet] = members[kpe_sheet].replace(b"<v>2</v>", b"<v>2.0</v>")
    assert b"2015.0" in members[review_sheet] and b"<v>2.0</v>" in members[kpe_sheet]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    raw = openpyxl.load_workbook(path, read_only=True, data_only=True)
    assert isinstance(next(raw["Review"].iter_rows(min_row=2, values_only=True))[2], float)
    rs = read_workbooks(path)
    assert rs.equals(clean_rs.filter(areas="Kelmscote").filter(years=(2015, 2015)))
    assert rs.reviews["year"].tolist() == [2015]
    assert rs.episodes["sequence"].tolist() == [1, 2]
    assert rs.episodes["end_date"].dt.strftime("%Y-%m-%d").tolist() == ["2013-02-01", "2013-03-01"]


def test_empty_rows_are_skipped_and_row_numbers_kept(tmp_path, clean_rs, clean_template):
    path = fill(clean_template, tmp_path / "R1.xlsx", clean_rs, ["R1"], gap_before={"factors": {2: 9}})
    assert read_workbooks(path).factors["factor_code"].tolist() == ["fam_hostile", "prac_optimism", "team_supervision"]
    edit(path, {("Factors", "C13"): "fam_hostil"})
    (problem,) = problems_of(path)
    assert problem.cell == "C13" and problem.line == 13


# --------------------------------------------------------------------------- bad cells


def test_a_bad_cell_in_each_sheet_is_named_by_workbook_sheet_and_cell(tmp_path, clean_rs, clean_template):
    path = fill(clean_template, tmp_path / "Kelmscote-2015.xlsx", clean_rs, ["R1"], gap_before={"factors": {2: 10}})
    edit(
        path,
        {
            ("Review", "C2"): "20l5",
            ("KPEs", "D3"): "2013-02-30",
            ("KPEs", "F2"): "Problematic",
            ("Factors", "C14"): "fam_hostil",
            ("Findings", "C2"): "Supervision",
        },
    )
    problems = problems_of(path)
    assert [str(p) for p in problems] == [
        "Kelmscote-2015.xlsx › Review › C2 (year): '20l5' is not a year. Fix: write the year as four digits, "
        "such as 2019.",
        "Kelmscote-2015.xlsx › KPEs › F2 (appraisal): 'Problematic' must be written in lower case. Fix: write "
        "'problematic'.",
        "Kelmscote-2015.xlsx › KPEs › D3 (start_date): '2013-02-30' is not a real calendar date. Fix: check the day "
        "and the month.",
        "Kelmscote-2015.xlsx › Factors › C14 (factor_code): factor code 'fam_hostil' is not in the Coding frame. "
        "Did you mean 'fam_hostile'? Fix: correct the code or add it to the taxonomy.",
        "Kelmscote-2015.xlsx › Findings › C2 (category): 'Supervision' is not one of the six SCIE finding "
        "categories. Fix: use a key or label, such as human_tool / 'Human-tool operation' / 'Tools' (keys: "
        + ", ".join(SCIE_CATEGORIES)
        + ").",
    ]
    assert [p.cell for p in problems] == ["C2", "F2", "D3", "C14", "C2"]
    assert [p.line for p in problems] == [2, 2, 3, 14, 2]
    assert problems[3].file == "Kelmscote-2015.xlsx › Factors"
    assert problems[3].value == "fam_hostil"
    assert "C14" in sce.problems_frame(problems)["cell"].tolist()


def test_excel_errors_and_dates_where_no_date_belongs(tmp_path, clean_rs, clean_template):
    path = fill(clean_template, tmp_path / "R1.xlsx", clean_rs, ["R1"])
    # A code such as "1-2" typed into a General column becomes a date; an error shows as #N/A.
    edit(path, {("Factors", "C3"): dt.datetime(2024, 1, 2), ("Factors", "E2"): "#N/A"})
    problems = problems_of(path)
    # One problem a cell: the library's "unknown factor code" for C3 is left out.
    assert [(p.file, p.cell, p.value) for p in problems] == [
        ("R1.xlsx › Factors", "E2", "#N/A"),
        ("R1.xlsx › Factors", "C3", "2024-01-02"),
    ]
    assert "Excel error #N/A" in problems[0].message
    assert "Excel has stored a date here" in problems[1].message


def test_rows_are_never_dropped_even_without_required_values(tmp_path, clean_rs, clean_template):
    path = fill(clean_template, tmp_path / "R1.xlsx", clean_rs, ["R1"])
    edit(path, {("Factors", "G6"): "a note on a row with nothing else"})
    (problem, *rest) = problems_of(path)
    assert (problem.cell, problem.column) == ("A6", "review_id")
    assert [p.cell for p in rest] == ["B6", "C6"]


# --------------------------------------------------------------------------- many workbooks


def test_all_problems_of_all_workbooks_at_once_in_order(tmp_path, clean_rs, clean_template):
    a, b, c = one_per_review(tmp_path, clean_template, clean_rs)
    edit(a, {("Factors", "C3"): "nope"})
    edit(b, {("Review", "C2"): "recent", ("KPEs", "F3"): "bad"})
    edit(c, {("Findings", "C2"): "Supervision"})
    text = tmp_path / "notes.txt"
    text.write_text("not a workbook", encoding="utf-8")
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 this is not really a zip file")
    missing = tmp_path / "missing.xlsx"
    problems = problems_of([a, text, b, broken, c, missing])
    assert [(p.file, p.cell) for p in problems] == [
        ("R1.xlsx › Factors", "C3"),
        ("notes.txt", None),
        ("R2.xlsx › Review", "C2"),
        ("R2.xlsx › KPEs", "F3"),
        ("broken.xlsx", None),
        ("R3.xlsx › Findings", "C2"),
        ("missing.xlsx", None),
    ]
    assert "not an Excel workbook" in problems[1].message
    assert "cannot be read as an Excel workbook" in problems[4].message
    assert "does not exist" in problems[6].message


def test_review_id_used_in_two_workbooks(tmp_path, clean_rs, clean_template):
    first = fill(clean_template, tmp_path / "first.xlsx", clean_rs, ["R1"])
    second = fill(clean_template, tmp_path / "second.xlsx", clean_rs, ["R2"])
    edit(second, {("Review", "A2"): "R1"})
    problems = problems_of([first, second])
    clash = problems[0]
    assert (clash.file, clash.cell, clash.value) == ("second.xlsx › Review", "A2", "R1")
    assert "already used in first.xlsx (Review sheet, row 2)" in clash.message
    assert not any(p.file.startswith("first.xlsx") for p in problems)
    # The second workbook's rows still name review R2, which is now nowhere.
    assert {p.file for p in problems[1:]} == {"second.xlsx › KPEs", "second.xlsx › Factors", "second.xlsx › Findings"}
    assert "review 'R2' is not in the Review sheet" in problems[1].message


def test_rows_must_be_in_the_workbook_of_their_review(tmp_path, clean_rs, clean_template):
    first = fill(clean_template, tmp_path / "first.xlsx", clean_rs, ["R1"])
    second = fill(clean_template, tmp_path / "second.xlsx", clean_rs, ["R2"])
    edit(second, {("KPEs", "A4"): "R1", ("KPEs", "B4"): "KPE9"})
    (problem,) = problems_of([first, second])
    assert (problem.file, problem.cell) == ("second.xlsx › KPEs", "A4")
    assert problem.message.startswith("review 'R1' is in first.xlsx, not in this workbook.")


def test_duplicates_name_the_first_row_by_workbook(tmp_path, clean_rs, clean_template):
    path = fill(clean_template, tmp_path / "R1.xlsx", clean_rs, ["R1"])
    edit(path, {("KPEs", "A4"): "R1", ("KPEs", "B4"): "KPE1", ("KPEs", "C4"): 3})
    (problem,) = problems_of(path)
    assert problem.cell == "B4"
    assert "(first in row 2)" in problem.message
    # Across workbooks, the first row is named with its workbook.
    other = fill(clean_template, tmp_path / "R2.xlsx", clean_rs, ["R2"])
    edit(path, {("KPEs", "A4"): None, ("KPEs", "B4"): None, ("KPEs", "C4"): None})
    edit(other, {("Review", "A2"): "R1", ("KPEs", "A2"): "R1", ("KPEs", "A3"): "R1", ("Factors", "A2"): "R1"})
    edit(other, {("Factors", "A3"): "R1", ("Findings", "A2"): "R1"})
    problems = problems_of([path, other])
    duplicate = next(p for p in problems if p.file == "R2.xlsx › KPEs" and p.cell == "B2")
    assert "(first in R1.xlsx › KPEs, row 2)" in duplicate.message


def test_coding_frames_must_agree(tmp_path, clean_rs, clean_template):
    a, b, c = one_per_review(tmp_path, clean_template, clean_rs)
    edit(c, {("Coding frame", "B3"): "Over-optimism"})
    (problem,) = problems_of([a, b, c])
    assert (problem.file, problem.cell, problem.value) == ("R3.xlsx › Coding frame", "B3", "Over-optimism")
    assert "differs from the one in R1.xlsx" in problem.message
    # A coding frame given as an argument is used instead, and the sheets are not compared.
    assert read_workbooks([a, b, c], taxonomy=clean_rs).equals(clean_rs)


# --------------------------------------------------------------------------- headers and sheets


def test_missing_required_column_is_one_problem_of_the_sheet(tmp_path, clean_rs, clean_template):
    path = fill(clean_template, tmp_path / "R1.xlsx", clean_rs, ["R1"])
    book = openpyxl.load_workbook(path)
    book["Factors"].delete_cols(3)
    book.save(path)
    (problem,) = problems_of(path)
    assert (problem.file, problem.line, problem.column, problem.cell) == (
        "R1.xlsx › Factors",
        None,
        "factor_code",
        None,
    )
    assert "required column 'factor_code' is missing" in problem.message
    assert str(problem).startswith("R1.xlsx › Factors, column factor_code: ")


def test_misspelt_and_duplicated_headers_point_at_the_header_cell(tmp_path, clean_rs, clean_template):
    path = fill(clean_template, tmp_path / "R1.xlsx", clean_rs, ["R1"])
    edit(path, {("KPEs", "D1"): "Start Date", ("Factors", "H1"): "coder"})
    problems = problems_of(path)
    assert [(p.file, p.cell, p.column) for p in problems] == [
        ("R1.xlsx › KPEs", "D1", "Start Date"),
        ("R1.xlsx › Factors", "H1", "coder"),
    ]
    assert "looks like the contract's 'start_date'" in problems[0].message
    assert "names column 'coder' twice" in problems[1].message
    edit(path, {("KPEs", "D1"): "start_date", ("Factors", "H1"): None, ("Factors", "C1"): "factr_code"})
    (problem,) = problems_of(path)
    assert (problem.file, problem.cell, problem.column) == ("R1.xlsx › Factors", None, "factor_code")
    assert "Did you mean 'factr_code'?" in problem.message


def test_values_under_no_header_and_missing_sheets(tmp_path, clean_rs, clean_template):
    path = fill(clean_template, tmp_path / "R1.xlsx", clean_rs, ["R1"])
    edit(path, {("Review", "J2"): "stray"})
    book = openpyxl.load_workbook(path)
    book["KPEs"].title = "KPE"
    del book["Findings"]  # Findings may be absent: the review then has no findings
    book.save(path)
    problems = problems_of(path)
    assert [(p.file, p.cell, p.line) for p in problems] == [
        ("R1.xlsx › Review", "J1", 1),
        ("R1.xlsx › KPEs", None, None),
    ]
    assert "column J has values but no name" in problems[0].message
    assert "no sheet named 'KPEs'. Did you mean the sheet 'KPE'?" in problems[1].message


def test_a_template_left_blank_is_reported(tmp_path, clean_template):
    (problem,) = problems_of(clean_template)
    assert (problem.file, problem.cell) == ("template.xlsx › Review", None)
    assert "holds no review" in problem.message


# --------------------------------------------------------------------------- writing the folder


def test_nothing_is_written_when_any_workbook_has_a_problem(tmp_path, clean_rs, clean_template):
    parent = tmp_path / "out"
    parent.mkdir()
    paths = one_per_review(tmp_path, clean_template, clean_rs)
    edit(paths[1], {("Review", "C2"): "x"})
    with pytest.raises(sce.DataValidationError) as caught:
        import_workbooks(paths, parent / "set")
    assert [p.cell for p in caught.value.problems] == ["C2"]
    assert list(parent.iterdir()) == []


def test_out_folder_is_refused_unless_overwrite(tmp_path, clean_rs, clean_template):
    paths = one_per_review(tmp_path, clean_template, clean_rs)
    out = write_set(tmp_path / "set", {"reviews.csv": "old"})
    with pytest.raises(sce.ParameterError, match="not empty"):
        import_workbooks(paths, out)
    assert (out / "reviews.csv").read_text() == "old"
    assert import_workbooks(paths, out, overwrite=True).equals(clean_rs)
    assert sce.load(out).equals(clean_rs)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
    # A folder holding anything else is never replaced.
    (out / "notes.docx").write_text("mine")
    with pytest.raises(sce.ParameterError, match="notes.docx"):
        import_workbooks(paths, out, overwrite=True)
    assert (out / "notes.docx").exists()
    with pytest.raises(sce.ParameterError, match="is a file"):
        import_workbooks(paths, paths[0])


def test_empty_out_folder_is_used(tmp_path, clean_rs, clean_template):
    out = tmp_path / "empty"
    out.mkdir()
    rs = import_workbooks(one_per_review(tmp_path, clean_template, clean_rs), out)
    assert sorted(p.name for p in out.iterdir()) == sorted(spec.filename for spec in FILES.values())
    assert rs.equals(clean_rs)


# --------------------------------------------------------------------------- Excel's limits


def test_export_refuses_what_excel_cannot_hold(tmp_path, clean_rs, monkeypatch):
    files = dict(CLEAN)
    files["reviews.csv"] = files["reviews.csv"].replace("Child A", "A" * 40_000)
    long = sce.load(write_set(tmp_path / "set", files))
    with pytest.raises(sce.ParameterError, match=r"Review › G2: .*32,767"):
        export_workbook(long, tmp_path / "x.xlsx")
    monkeypatch.setattr(excel, "_EXCEL_ROWS", 7)
    with pytest.raises(sce.ParameterError, match="Factors sheet would need 8 rows"):
        export_workbook(clean_rs, tmp_path / "x.xlsx")
    monkeypatch.setattr(excel, "_EXCEL_COLUMNS", 4)
    with pytest.raises(sce.ParameterError, match="Matrix sheet would need 5 columns"):
        export_workbook(clean_rs, tmp_path / "x.xlsx")
    assert not (tmp_path / "x.xlsx").exists()
    with pytest.raises(sce.ParameterError, match="must be a ReviewSet"):
        export_workbook(clean_rs.reviews, tmp_path / "x.xlsx")
