"""The sce-analysis command: exit codes and output, run as a user would."""

from __future__ import annotations

import io
import subprocess
import sys

import pandas as pd
from conftest import CLEAN, ROOT, SAMPLE, write_set

import sce_analysis as sce
from sce_analysis.cli import main


def run(*args):
    return subprocess.run(
        [sys.executable, "-m", "sce_analysis", *map(str, args)], capture_output=True, text=True, cwd=ROOT
    )


def test_validate_clean_set_exits_0_with_one_line(clean_set, capsys):
    assert main(["validate", str(clean_set)]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1
    assert out[0].endswith(
        "clean. 3 reviews from 2 areas in 2 regions, 2015–2021; 5 episodes, 7 coded factors, 3 findings."
    )


def test_validate_prints_every_problem_and_exits_1(tmp_path, capsys):
    reviews = CLEAN["reviews.csv"].replace("R2,Pellbridge,2019", "R2,Pellbridge,20l9")
    factors = CLEAN["factors.csv"] + "R1,KPE3,fam_hostile,,,a,\n"
    folder = write_set(tmp_path / "bad", {**CLEAN, "reviews.csv": reviews, "factors.csv": factors})
    assert main(["validate", str(folder)]) == 1
    out = capsys.readouterr().out
    assert "2 problems found" in out
    table = out.splitlines()[2:]
    assert table[0].split() == ["file", "line", "column", "value", "problem"]
    assert table[1].split()[:4] == ["reviews.csv", "3", "year", "20l9"]
    assert table[2].split()[:4] == ["factors.csv", "9", "episode_id", "KPE3"]


def test_validate_csv_format_opens_in_a_spreadsheet(tmp_path, capsys):
    import io

    import pandas as pd

    folder = write_set(tmp_path / "bad", {**CLEAN, "findings.csv": ""})
    assert main(["validate", str(folder), "--format", "csv"]) == 1
    frame = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert frame[["file", "message"]].values.tolist()[0][0] == "findings.csv"


def test_missing_folder_is_a_problem_not_a_traceback():
    result = run("validate", "no/such/folder")
    assert result.returncode == 1
    assert "the folder does not exist" in result.stdout and "Traceback" not in result.stderr


def test_python_dash_m_and_console_script_agree():
    result = run("validate", SAMPLE)
    assert result.returncode == 0 and "clean." in result.stdout
    script = ROOT / ".venv" / "bin" / "sce-analysis"
    if script.exists():
        same = subprocess.run([script, "validate", SAMPLE], capture_output=True, text=True, cwd=ROOT)
        assert same.returncode == 0 and same.stdout == result.stdout


def test_summary_prints_the_counts(capsys):
    assert main(["summary", str(SAMPLE)]) == 0
    out = capsys.readouterr().out
    assert "measure" in out and "coded_factors" in out


def test_wrong_command_line_exits_2():
    assert run("validate").returncode == 2
    assert run("frobnicate").returncode == 2


# --------------------------------------------------------------------------- coding workflows


def test_convert_to_parquet_and_back_gives_the_same_set(tmp_path, capsys):
    assert main(["convert", str(SAMPLE), "--out", str(tmp_path / "pq"), "--format", "parquet"]) == 0
    assert "written (parquet)" in capsys.readouterr().out
    assert sorted(p.suffix for p in (tmp_path / "pq").iterdir()) == [".parquet"] * 5
    assert sce.load(tmp_path / "pq").equals(sce.load(SAMPLE))
    # An existing folder is not replaced without --overwrite, and nothing in it changes.
    before = {p.name: p.read_bytes() for p in (tmp_path / "pq").iterdir()}
    assert main(["convert", str(SAMPLE), "--out", str(tmp_path / "pq")]) == 1
    assert "already exists and is not empty" in capsys.readouterr().err
    assert {p.name: p.read_bytes() for p in (tmp_path / "pq").iterdir()} == before
    assert main(["convert", str(SAMPLE), "--out", str(tmp_path / "pq"), "--overwrite"]) == 0
    assert sorted(p.suffix for p in (tmp_path / "pq").iterdir()) == [".csv"] * 5
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")], "no staging folder is left behind"


def test_crosswalk_command_writes_the_recoded_set_or_lists_unmapped_codes(clean_set, tmp_path, capsys):
    mapping = tmp_path / "map.csv"
    mapping.write_text(
        "source_code,target_code\nfam_hostile,family\nprac_optimism,practice\nteam_supervision,practice\n"
        "ls_thresholds,thresholds\n"
    )
    out = tmp_path / "recoded"
    assert main(["crosswalk", str(clean_set), "--map", str(mapping), "--out", str(out)]) == 0
    recoded = sce.load(out)
    assert recoded.factors["factor_code"].value_counts().to_dict() == {"family": 4, "practice": 3}
    mapping.write_text("source_code,target_code\nfam_hostile,family\n")
    assert main(["crosswalk", str(clean_set), "--map", str(mapping), "--out", str(tmp_path / "no")]) == 1
    printed = capsys.readouterr().out
    assert "prac_optimism" in printed and "team_supervision" in printed and "problems found" in printed
    assert not (tmp_path / "no").exists()


def test_combine_command_rejects_clashing_review_ids(clean_set, tmp_path, capsys):
    assert main(["combine", str(clean_set), str(clean_set), "--out", str(tmp_path / "both")]) == 1
    printed = capsys.readouterr().out
    assert "3 problems found" in printed and "'R1' is in both" in printed
    assert not (tmp_path / "both").exists()


def test_agreement_command_prints_kappa_and_alpha(capsys):
    assert main(["agreement", str(SAMPLE), "--level", "scie_category", "--format", "csv"]) == 0
    out = capsys.readouterr().out
    table = pd.read_csv(io.StringIO(out))
    expected = sce.coder_agreement(sce.load(SAMPLE), level="scie_category")
    assert table["item"].tolist() == expected["item"].tolist()
    assert (table["cohen_kappa"] - expected["cohen_kappa"]).abs().max() < 1e-9
    # Floats are written as every CSV for people writes them: ten significant figures, worked out here.
    cells = pd.read_csv(io.StringIO(out), dtype=str, keep_default_na=False)
    floats = expected.select_dtypes("float").columns
    assert {"percent_agreement", "cohen_kappa", "krippendorff_alpha"} <= set(floats)
    for column in floats:
        assert cells[column].tolist() == ["" if pd.isna(v) else f"{v:.10g}" for v in expected[column]], column
    assert main(["agreement", str(SAMPLE), "--coders", "reviewer_a"]) == 1
    assert "at least two coders" in capsys.readouterr().err


def test_excel_commands_round_trip_and_name_a_bad_cell(clean_set, tmp_path, capsys):
    import openpyxl

    book = tmp_path / "Kelmscote-2019.xlsx"
    assert main(["export-excel", str(clean_set), str(book)]) == 0
    assert main(["import-excel", str(book), "--out", str(tmp_path / "back")]) == 0
    assert sce.load(tmp_path / "back").equals(sce.load(clean_set))
    workbook = openpyxl.load_workbook(book)
    assert workbook["Factors"]["C1"].value == "factor_code"
    workbook["Factors"]["C4"] = "no_such_code"
    workbook.save(book)
    capsys.readouterr()
    assert main(["import-excel", str(book), "--out", str(tmp_path / "again")]) == 1
    printed = capsys.readouterr().out
    assert "Kelmscote-2019.xlsx › Factors › C4" in printed and "no_such_code" in printed
    assert "Nothing was written" in printed and not (tmp_path / "again").exists()
    assert main(["template", str(tmp_path / "blank.xlsx")]) == 0
    assert main(["template", str(tmp_path / "blank.xlsx")]) == 1  # a filled workbook is never wiped silently
    assert "overwrite" in capsys.readouterr().err


def test_output_cut_short_by_the_reader_is_not_a_traceback():
    """`sce-analysis summary DIR | head`: the reader closes the pipe early; no traceback, as Unix tools do."""
    child = subprocess.Popen(
        [sys.executable, "-m", "sce_analysis", "summary", str(SAMPLE)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
    )
    child.stdout.close()  # before the child has started up, so its first write meets a closed pipe
    stderr = child.stderr.read().decode()
    assert child.wait(timeout=120) == 141
    assert "Traceback" not in stderr and "BrokenPipeError" not in stderr


def test_combine_names_parquet_files_in_parquet_sets(clean_set, tmp_path, capsys):
    assert main(["convert", str(clean_set), "--out", str(tmp_path / "pq"), "--format", "parquet"]) == 0
    assert main(["combine", str(clean_set), str(tmp_path / "pq"), "--out", str(tmp_path / "both")]) == 1
    printed = capsys.readouterr().out
    parquet = f"{tmp_path / 'pq'}/reviews.parquet"
    assert printed.count(parquet) == 3 and f"{tmp_path / 'pq'}/reviews.csv" not in printed


def test_validate_loads_no_plotting_statistics_network_or_notebook_library():
    """`sce-analysis validate` starts fast: matplotlib, statsmodels, networkx and papermill stay unloaded."""
    code = (
        "import sys; from sce_analysis.cli import main; main(['validate', 'data/sample']); "
        "heavy = {'matplotlib', 'statsmodels', 'networkx', 'papermill'}; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    lines = result.stdout.strip().splitlines()
    assert lines[0].startswith("data/sample: clean.")
    assert lines[-1] == "[]"
