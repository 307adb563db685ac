"""The sce-analysis command: exit codes and output, run as a user would."""

from __future__ import annotations

import subprocess
import sys

from conftest import CLEAN, ROOT, SAMPLE, write_set

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
