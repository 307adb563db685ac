"""The identifier scan: planted identifiers are found where they were put; the sample stays clean."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pandas as pd
import pytest
from conftest import SAMPLE

from sce_analysis.publish import scan as scan_module
from sce_analysis.publish.scan import KINDS, UNREADABLE, find_identifiers, format_findings, main, scan
from sce_analysis.synthetic import generate

# --------------------------------------------------------------------------------------
# Helpers, independent of the module under test
# --------------------------------------------------------------------------------------


def nhs_check_digit(first_nine: str) -> int | None:
    """The NHS modulus-11 check digit, or None when the nine digits have no valid one."""
    total = sum(int(digit) * weight for digit, weight in zip(first_nine, range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        return 0
    return None if check == 10 else check


def valid_nhs(first_nine: str) -> str:
    check = nhs_check_digit(first_nine)
    assert check is not None, first_nine
    return first_nine + str(check)


def wrong_nhs(first_nine: str) -> str:
    check = nhs_check_digit(first_nine)
    return first_nine + str((check + 1) % 10)


def copy_sample(folder: Path) -> Path:
    folder.mkdir(parents=True)
    for path in SAMPLE.glob("*.csv"):
        shutil.copy(path, folder / path.name)
    return folder


def read_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def write_rows(path: Path, rows: list[list[str]], *, bom: bool = False, crlf: bool = False) -> None:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n" if crlf else "\n").writerows(rows)
    path.write_text(("\ufeff" if bom else "") + out.getvalue(), encoding="utf-8", newline="")


def plant(folder: Path, file: str, plants: dict[tuple[int, str], str], **style) -> None:
    """Append text to cells given by (spreadsheet line, column); a new column is added at the end."""
    path = folder / file
    rows = read_rows(path)
    header = rows[0]
    for (line, column), text in plants.items():
        if column not in header:
            header.append(column)
            for row in rows[1:]:
                row.append("")
        row = rows[line - 1]
        j = header.index(column)
        row[j] = f"{row[j]} {text}".strip()
    write_rows(path, rows, **style)


def found(frame: pd.DataFrame) -> list[tuple]:
    return [tuple(r) for r in frame[["file", "line", "column", "kind", "match"]].itertuples(index=False)]


# --------------------------------------------------------------------------------------
# Planted identifiers
# --------------------------------------------------------------------------------------

NHS_A = valid_nhs("943476591")  # 9434765919, the NHS's own example number
NHS_B = valid_nhs("401023213")
NHS_C = valid_nhs("123456788")

# (file, line, column, text planted, expected [(kind, match)])
PLANTS = [
    ("reviews.csv", 3, "title", "(Sarah Jones)", [("person_name", "Sarah Jones")]),
    ("reviews.csv", 5, "case_notes", "Family lived at SW1A 1AA", [("postcode", "SW1A 1AA")]),
    (
        "reviews.csv",
        7,
        "case_notes",
        "Mrs Sarah O'Brien, tel 020 7946 0000",
        [("person_name", "Mrs Sarah O'Brien"), ("phone", "020 7946 0000")],
    ),
    ("episodes.csv", 2, "summary", "Seen at m1 1ae and at B338TH.", [("postcode", "m1 1ae"), ("postcode", "B338TH")]),
    (
        "episodes.csv",
        4,
        "title",
        f"NHS no. {NHS_A[:3]} {NHS_A[3:6]} {NHS_A[6:]}",
        [("nhs_number", f"{NHS_A[:3]} {NHS_A[3:6]} {NHS_A[6:]}")],
    ),
    (
        "episodes.csv",
        4,
        "summary",
        f"Ref {NHS_B[:3]}-{NHS_B[3:6]}-{NHS_B[6:]}; mobile 07700 900123.",
        [("nhs_number", f"{NHS_B[:3]}-{NHS_B[3:6]}-{NHS_B[6:]}"), ("phone", "07700 900123")],
    ),
    (
        "episodes.csv",
        6,
        "reviewer_comments",
        f"GP record {NHS_C}, DOB 14/02/2015",
        [("nhs_number", NHS_C), ("date_of_birth", "14/02/2015")],
    ),
    (
        "episodes.csv",
        9,
        "reviewer_comments",
        "Call (0161) 496 0000 or +44 (0)113 496 0000",
        [("phone", "(0161) 496 0000"), ("phone", "+44 (0)113 496 0000")],
    ),
    (
        "factors.csv",
        3,
        "note",
        "Email jo.bloggs@example.org and Dr. Patel",
        [("email", "jo.bloggs@example.org"), ("person_name", "Dr. Patel")],
    ),
    (
        "factors.csv",
        8,
        "note",
        "baby born on 3 March 2014 at GIR 0AA",
        [("date_of_birth", "3 March 2014"), ("postcode", "GIR 0AA")],
    ),
    ("factors.csv", 12, "coder", "Jessica Smith-Jones", [("person_name", "Jessica Smith-Jones")]),
    (
        "findings.csv",
        2,
        "issues_for_board",
        "Write to J_Smith+safeguarding@council.gov.uk (01632960001).",
        [("email", "J_Smith+safeguarding@council.gov.uk"), ("phone", "01632960001")],
    ),
    (
        "findings.csv",
        5,
        "summary",
        "d.o.b. 2013-07-21; the child, Mohammed Ali, aged 2",
        [("date_of_birth", "2013-07-21"), ("person_name", "Mohammed Ali")],
    ),
    (
        "findings.csv",
        7,
        "title",
        "Date of birth: 1st of Jan 2012. Seen 21/11/2016.",
        [("date_of_birth", "1st of Jan 2012"), ("date_of_birth", "21/11/2016")],
    ),
    ("taxonomy.csv", 4, "description", "As Mr John Smith said", [("person_name", "Mr John Smith")]),
]


@pytest.fixture
def planted_set(tmp_path) -> Path:
    folder = copy_sample(tmp_path / "planted")
    by_file: dict[str, dict] = {}
    for file, line, column, text, _ in PLANTS:
        by_file.setdefault(file, {})[(line, column)] = text
    for file, plants in by_file.items():
        # episodes.csv as Excel writes it: a byte-order mark and CRLF line ends.
        style = {"bom": True, "crlf": True} if file == "episodes.csv" else {}
        plant(folder, file, plants, **style)
    return folder


def test_every_planted_identifier_is_found_where_it_was_put(planted_set):
    frame = scan(planted_set)
    assert list(frame.columns) == ["file", "line", "column", "kind", "match", "context"]
    order = {f: i for i, f in enumerate(["reviews.csv", "episodes.csv", "factors.csv", "findings.csv", "taxonomy.csv"])}
    expected = [(file, line, column, kind, match) for file, line, column, _, hits in PLANTS for kind, match in hits]
    # Sorted by file (contract order), line, column (file order) and position: PLANTS is written that way
    # except for columns, so compare as sets and check the order separately.
    assert sorted(found(frame)) == sorted(expected)
    keys = [(order[f], line) for f, line, *_ in found(frame)]
    assert keys == sorted(keys)
    assert set(frame["kind"]) == set(KINDS)
    for row in frame.itertuples():
        assert row.match in row.context


def test_findings_are_sorted_by_column_order_within_a_line(planted_set):
    frame = scan(planted_set)
    line4 = frame[(frame["file"] == "episodes.csv") & (frame["line"] == 4)]
    assert line4["column"].tolist() == ["title", "summary", "summary"]  # title comes before summary in the file
    assert line4["match"].tolist()[1:] == [f"{NHS_B[:3]}-{NHS_B[3:6]}-{NHS_B[6:]}", "07700 900123"]


def test_context_is_a_short_excerpt_around_the_match(planted_set):
    frame = scan(planted_set)
    row = frame[frame["kind"] == "postcode"].iloc[0]
    assert row["match"] == "SW1A 1AA" and row["context"] == "Family lived at SW1A 1AA"
    long = frame[(frame["file"] == "episodes.csv") & (frame["line"] == 2)].iloc[0]
    assert long["context"].startswith("…") and len(long["context"]) <= len(long["match"]) + 2 * 30 + 2


def test_line_numbers_count_a_quoted_line_break_as_one_line(tmp_path):
    folder = copy_sample(tmp_path / "multiline")
    plant(folder, "factors.csv", {(3, "note"): "first part\nsecond part, M1 1AE", (5, "note"): "Sarah Jones"})
    frame = scan(folder)
    assert found(frame) == [
        ("factors.csv", 3, "note", "postcode", "M1 1AE"),
        ("factors.csv", 5, "note", "person_name", "Sarah Jones"),
    ]
    assert "\n" not in frame["context"].iloc[0]


def test_other_csv_files_are_scanned_in_every_column_after_the_contract_files(tmp_path):
    folder = copy_sample(tmp_path / "extra")
    (folder / "contacts.csv").write_text("who,phone\nfamily,020 7946 0000\n", encoding="utf-8")
    (folder / "README.md").write_text("Call 020 7946 0000\n", encoding="utf-8")  # not a CSV file: not scanned
    plant(folder, "taxonomy.csv", {(2, "description"): "SW1A 1AA"})
    assert found(scan(folder)) == [
        ("taxonomy.csv", 2, "description", "postcode", "SW1A 1AA"),
        ("contacts.csv", 2, "phone", "phone", "020 7946 0000"),
    ]


# --------------------------------------------------------------------------------------
# NHS numbers: the checksum decides
# --------------------------------------------------------------------------------------

NINES = ["943476591", "401023213", "123456788", "450557710", "999999990", "612093458", "765432198"]


@pytest.mark.parametrize("nine", [n for n in NINES if nhs_check_digit(n) is not None])
@pytest.mark.parametrize("layout", ["{}", "{} {} {}", "{}-{}-{}"])
def test_nhs_number_with_valid_check_digit_is_found_and_wrong_one_is_not(nine, layout):
    def written(number: str) -> str:
        return layout.format(number) if layout == "{}" else layout.format(number[:3], number[3:6], number[6:])

    good, bad = written(valid_nhs(nine)), written(wrong_nhs(nine))
    hits = find_identifiers([f"NHS number {good}.", f"NHS number {bad}."])
    assert hits[["text", "kind", "match"]].values.tolist() == [[0, "nhs_number", good]]


def test_nhs_numbers_with_no_valid_check_digit_or_all_one_digit_are_not_found():
    no_check = next(n for n in (f"{i:09d}" for i in range(100_000_000, 100_001_000)) if nhs_check_digit(n) is None)
    assert nhs_check_digit("111111111") == 1  # 1111111111 passes the checksum ...
    assert nhs_check_digit("000000000") == 0
    texts = [f"{no_check}{d}" for d in range(10)] + ["1111111111", "0000000000", "111 111 1111"]
    assert find_identifiers([f"NHS {t} ok" for t in texts]).empty  # ... but ten equal digits are no NHS number


def test_ten_digits_inside_a_longer_number_are_not_an_nhs_number():
    assert find_identifiers([f"X{NHS_A}", f"{NHS_A}7", f"1{NHS_A}", f"{NHS_A}.5"]).empty


# --------------------------------------------------------------------------------------
# What must not alarm
# --------------------------------------------------------------------------------------

HARMLESS = [
    "In 2019 the review was published; reviews from 2011 to 2025.",
    "KPE3 and KPE12 were problematic; see KPE3.",
    "Child K was not seen alone.",
    "Mother and Father were not asked; Child A's mother declined.",
    "Baby A and Children V and W; Ms A and Mr X.",
    "2019-2020 and 2019/20",
    "p = 0.05; odds ratio 2.35 (1.10-5.02); 0.001",
    "R0001, R0080, review R0042 KPE7",
    "12 of 80 reviews; 1,485 coded factors; 355 findings; 26 weeks",
    "aged 3; born in 2014; born in March 2014",
    "The strategy meeting on 2014-03-12 and the visit on 3 March 2014.",
    "S47 enquiry; s17 assessment; KS2 SATs; Y1 2nd term",
    "Serious Case Review: Child K",
    "Children's social care, Health visiting, Police, Adult mental health services",
    "North West; North East and Yorkshire; London and South East",
    "Dr Barnardo's; Queen Elizabeth Hospital; George Street; Sophie Children's Centre",
    "Sarah was seen; jessica smith; JOHN SMITH",
    "Version 2.0.1; 1/2 of reviews; 3/4; section 17/47; 999 and 101 calls",
]


@pytest.mark.parametrize("text", HARMLESS)
def test_harmless_text_does_not_alarm(text):
    assert find_identifiers([text]).empty


def test_harmless_text_in_every_free_text_column_does_not_alarm(tmp_path):
    folder = copy_sample(tmp_path / "harmless")
    for file, column in [
        ("reviews.csv", "title"),
        ("episodes.csv", "summary"),
        ("findings.csv", "issues_for_board"),
        ("factors.csv", "note"),
        ("taxonomy.csv", "description"),
        ("episodes.csv", "extra_notes"),
    ]:
        plant(folder, file, {(2 + i, column): text for i, text in enumerate(HARMLESS)})
    assert scan(folder).empty


def test_dates_in_date_columns_are_not_free_text():
    episodes = read_rows(SAMPLE / "episodes.csv")
    assert episodes[0][3:5] == ["start_date", "end_date"] and episodes[1][3].count("-") == 2
    assert scan(SAMPLE).empty


def test_shipped_sample_has_no_alarm():
    frame = scan(SAMPLE)
    assert frame.empty
    assert frame.attrs["scanned"] == {"files": 5, "columns": 17, "values": 5920}


@pytest.mark.parametrize("seed", [1, 42])
def test_generated_sets_have_no_alarm(tmp_path, seed):
    folder = generate(300, seed=seed, double_coded_share=0.1).write(tmp_path / f"set{seed}")
    assert scan(folder).empty


# --------------------------------------------------------------------------------------
# Unreadable files and the command
# --------------------------------------------------------------------------------------


def test_windows_1252_file_is_reported_unreadable_and_still_scanned(tmp_path):
    folder = copy_sample(tmp_path / "cp1252")
    rows = read_rows(folder / "reviews.csv")
    rows[3][1] = "Café Town"  # line 4, column area
    rows[5][6] += " – at SW1A 1AA"  # line 6, column title; the en dash is a cp1252 byte too
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    (folder / "reviews.csv").write_bytes(out.getvalue().encode("cp1252"))
    frame = scan(folder)
    assert found(frame) == [
        ("reviews.csv", 4, "area", UNREADABLE, "Café Town"),
        ("reviews.csv", 6, "title", "postcode", "SW1A 1AA"),
    ]
    assert "Windows-1252" in frame["context"].iloc[0] and "2 lines" in frame["context"].iloc[0]


def test_excel_workbook_and_binary_files_are_unreadable_not_a_crash(tmp_path):
    folder = copy_sample(tmp_path / "binary")
    (folder / "findings.csv").write_bytes(b"PK\x03\x04 not really a workbook")
    (folder / "taxonomy.csv").write_bytes(b"factor_code,label\nx,\x00\x00\n")
    frame = scan(folder)
    assert frame[["file", "kind"]].values.tolist() == [["findings.csv", UNREADABLE], ["taxonomy.csv", UNREADABLE]]
    # The workbook is a whole-file finding; the NUL bytes are found where sce.load finds them: line 2, label.
    assert pd.isna(frame["line"].iloc[0]) and frame["line"].iloc[1] == 2 and frame["column"].iloc[1] == "label"
    assert frame["context"].iloc[1].startswith("the file holds NUL bytes")
    assert main(folder) == 1


def test_a_value_too_long_to_be_real_is_unreadable_as_load_finds_it(tmp_path):
    folder = copy_sample(tmp_path / "long")
    rows = read_rows(folder / "episodes.csv")
    rows[2][-1] = "x" * 200_000 + " jane.doe@example.org"  # line 3, the last column
    write_rows(folder / "episodes.csv", rows)
    frame = scan(folder)
    assert found(frame) == [("episodes.csv", 3, rows[0][-1], UNREADABLE, "x" * 200)]
    assert "200,021 bytes long" in frame["context"].iloc[0]
    assert "jane.doe" not in " ".join(frame["match"]) + " ".join(frame["context"])


def test_a_link_to_a_file_outside_the_folder_is_refused_and_not_read(tmp_path):
    import os

    folder = copy_sample(tmp_path / "linked")
    secret = tmp_path / "elsewhere" / "contacts.csv"
    secret.parent.mkdir()
    secret.write_text("name,phone,email\nSomeone,020 7946 0000,someone@example.org\n", encoding="utf-8")
    os.symlink(secret, folder / "contacts.csv")
    (folder / "findings.csv").unlink()
    os.symlink(secret, folder / "findings.csv")
    frame = scan(folder)
    assert frame[["file", "kind", "match"]].values.tolist() == [
        ["findings.csv", UNREADABLE, str(secret.resolve())],
        ["contacts.csv", UNREADABLE, str(secret.resolve())],
    ]
    assert frame["line"].isna().all()
    assert all(c.startswith(f"this file is a symbolic link to {secret}") for c in frame["context"])
    text = frame.to_csv()
    assert "7946" not in text and "someone@" not in text
    assert frame.attrs["scanned"]["files"] == 4  # the four contract files not linked
    assert main(folder) == 1
    # A link to a file inside the folder is read as the file.
    for name in ("findings.csv", "contacts.csv"):
        (folder / name).unlink()
    shutil.copy(SAMPLE / "findings.csv", folder / "findings-2024.csv")
    os.symlink("findings-2024.csv", folder / "findings.csv")
    assert scan(folder).empty and scan(folder).attrs["scanned"]["files"] == 6


def test_main_exit_codes(tmp_path, planted_set, capsys):
    assert main(SAMPLE) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and "no likely identifiers in 5,920 free-text values" in out[0]

    assert main(planted_set) == 1
    out = capsys.readouterr().out
    assert f"{len(found(scan(planted_set)))} likely identifiers found" in out
    table = out.splitlines()[2:]
    assert table[0].split() == ["file", "line", "column", "kind", "match", "context"]
    assert table[1].split()[:5] == ["reviews.csv", "3", "title", "person_name", "Sarah"]

    assert main(tmp_path / "no" / "such" / "folder") == 2
    assert "does not exist" in capsys.readouterr().err
    (tmp_path / "empty").mkdir()
    assert main(tmp_path / "empty") == 2
    assert "no CSV file" in capsys.readouterr().err


def test_scan_of_a_missing_folder_raises_a_parameter_error(tmp_path):
    from sce_analysis.errors import ParameterError

    with pytest.raises(ParameterError, match="does not exist"):
        scan(tmp_path / "nowhere")


def test_format_findings_of_nothing_and_of_a_long_value():
    assert format_findings(scan(SAMPLE)) == "no likely identifiers"
    frame = pd.DataFrame(
        {
            "file": ["episodes.csv"],
            "line": pd.array([12], dtype="Int64"),
            "column": ["summary"],
            "kind": ["email"],
            "match": ["a" * 80 + "@example.org"],
            "context": ["x\ny " * 50],
        }
    )
    text = format_findings(frame).splitlines()
    assert len(text) == 2 and "\n" not in text[1] and "…" in text[1]
    assert text[1].split()[:4] == ["episodes.csv", "12", "summary", "email"]


def test_kinds_are_the_documented_detectors():
    assert KINDS == ("email", "nhs_number", "phone", "date_of_birth", "postcode", "person_name")
    for kind in KINDS:
        assert f"``{kind}``" in scan_module.__doc__


def test_a_legacy_file_names_its_columns_as_the_reader_does(tmp_path):
    # A header saved as UTF-8 above rows saved as Windows-1252 (a file edited in two programs): scan and
    # load both name the column "région", not the "rÃ©gion" its bytes read as one by one.
    from sce_analysis.reviewsets.csvfiles import raw_header

    folder = copy_sample(tmp_path / "legacy")
    rows = read_rows(folder / "reviews.csv")
    rows[0].append("région")
    for row in rows[1:]:
        row.append("")
    rows[3][-1] = "Île-de-France"  # line 4, the new column
    head, body = io.StringIO(), io.StringIO()
    csv.writer(head, lineterminator="\r\n").writerows(rows[:1])
    csv.writer(body, lineterminator="\r\n").writerows(rows[1:])
    data = head.getvalue().encode("utf-8") + body.getvalue().encode("cp1252")
    (folder / "reviews.csv").write_bytes(data)
    assert raw_header(data.decode("latin-1"))[-1] == "région"
    frame = scan(folder)
    assert [row[:3] for row in found(frame)][:1] == [("reviews.csv", 4, "région")]
