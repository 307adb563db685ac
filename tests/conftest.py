"""Shared fixtures: a small hand-written review set whose every line is known, the sample loaded once
per module (by the library, and row by row by the brute-force reader), and a temporary HOME."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from brute import RawSet

import sce_analysis as sce

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"

# Line numbers in these files are asserted by tests: the header is line 1.
CLEAN = {
    "reviews.csv": (
        "review_id,area,year,region,review_type,method,title\n"
        "R1,Kelmscote,2015,North West,Serious case review,SCIE Learning Together,Child A\n"  # line 2
        "R2,Pellbridge,2019,London and South East,Serious case review,SCIE Learning Together,Child B\n"  # 3
        "R3,Kelmscote,2021,North West,Local child safeguarding practice review,SCIE Learning Together,Child C\n"  # 4
    ),
    "episodes.csv": (
        "review_id,episode_id,sequence,start_date,end_date,appraisal,agencies,title,summary\n"
        "R1,KPE1,1,2013-01-10,2013-02-01,problematic,Health visiting;Police,Home visit,Visit not followed up\n"  # 2
        "R1,KPE2,2,2013-03-01,2013-03-01,good,Children's social care,Strategy meeting,Held promptly\n"  # 3
        "R2,KPE1,1,2017-05-01,2017-06-30,mixed,School,Referral,Referral made late\n"  # 4
        "R2,KPE2,2,2018-01-15,,neutral,GP practice;Midwifery,Booking,\n"  # 5
        "R3,KPE1,1,2020-02-02,2020-02-03,problematic,Police,Call-out,Domestic abuse call-out\n"  # 6
    ),
    "factors.csv": (
        "review_id,episode_id,factor_code,polarity,agency,coder,note\n"
        "R1,KPE1,fam_hostile,problematic,Health visiting,a,\n"  # 2
        "R1,KPE1,prac_optimism,,Health visiting,a,\n"  # 3
        "R1,KPE2,team_supervision,good,Children's social care,a,\n"  # 4
        "R2,KPE1,fam_hostile,problematic,School,a,\n"  # 5
        "R2,KPE2,prac_optimism,problematic,GP practice,a,\n"  # 6
        "R3,KPE1,fam_hostile,problematic,Police,a,\n"  # 7
        "R3,KPE1,fam_hostile,problematic,Police,b,second coder\n"  # 8
    ),
    "findings.csv": (
        "review_id,finding_id,category,title,summary,episode_ids,factor_codes,issues_for_board\n"
        "R1,F1,Family-professional interaction,Hostility deters visits,,KPE1,fam_hostile,Does the board know?\n"  # 2
        "R2,F1,human_reasoning,Optimism persists,,KPE1;KPE2,prac_optimism,\n"  # 3
        "R3,F1,Management systems,Supervision lacks challenge,,KPE1,team_supervision,\n"  # 4
    ),
    "taxonomy.csv": (
        "factor_code,label,level,factor_type,scie_category,parent_code,description\n"
        "fam_hostile,Hostile or evasive parents,frontline,Aspects of the family,family_professional,,\n"  # 2
        "prac_optimism,Over-optimism about progress,frontline,Personal aspects,human_reasoning,,\n"  # 3
        "team_supervision,Supervision not reflective,frontline,Own team,human_management,,\n"  # 4
        "ls_thresholds,Thresholds unclear,local_strategic,Local policy,multi_agency_incidents,,\n"  # 5
    ),
}


def write_set(folder: Path, files: dict[str, str | bytes]) -> Path:
    """Write a review set; a value of None leaves that file out."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        if content is None:
            continue
        path = folder / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8", newline="")
    return folder


def where(problems) -> list[tuple]:
    """Where each problem is: (file, line, column, value)."""
    return [(p.file, p.line, p.column, p.value) for p in problems]


@pytest.fixture
def clean_files() -> dict[str, str]:
    return dict(CLEAN)


@pytest.fixture
def clean_set(tmp_path) -> Path:
    return write_set(tmp_path / "clean", CLEAN)


@pytest.fixture(scope="module")
def clean_rs(tmp_path_factory) -> sce.ReviewSet:
    """The CLEAN set, loaded once per module."""
    return sce.load(write_set(tmp_path_factory.mktemp("clean") / "set", CLEAN))


@pytest.fixture(scope="module")
def rs() -> sce.ReviewSet:
    """The shipped sample, loaded once per module."""
    return sce.load(SAMPLE)


@pytest.fixture(scope="module")
def sample_rs(rs) -> sce.ReviewSet:
    """The shipped sample (the name the statistics tests use beside ``sample_raw``)."""
    return rs


@pytest.fixture(scope="module")
def sample_raw() -> RawSet:
    """The shipped sample as the csv module reads it (tests/brute.py), for brute-force references."""
    return RawSet(SAMPLE)


@pytest.fixture(scope="session")
def sample_report(tmp_path_factory) -> tuple[int, Path]:
    """``sce-analysis report`` run once on the sample, all notebooks: (exit status, report folder).
    Shared by the notebook, briefing and accessibility tests, which only read it."""
    from sce_analysis.cli import main

    out = tmp_path_factory.mktemp("report") / "sample"
    # As in CI: a non-interactive matplotlib backend must not keep charts out of the HTML pages.
    before = os.environ.get("MPLBACKEND"), os.getcwd()
    os.environ["MPLBACKEND"] = "Agg"
    try:
        status = main(["report", "--data", str(SAMPLE), "--out", str(out), "--jobs", "2"])
        # Running notebooks in parallel must not move this process to another directory.
        assert os.getcwd() == before[1]
    finally:
        if before[0] is None:
            os.environ.pop("MPLBACKEND", None)
        else:
            os.environ["MPLBACKEND"] = before[0]
    return status, out


@pytest.fixture(scope="session")
def sample_report_dir(sample_report) -> Path:
    """The folder of :func:`sample_report`, which must have succeeded."""
    status, out = sample_report
    assert status == 0
    return out


@pytest.fixture(autouse=True)
def _quiet_home(tmp_path_factory, monkeypatch):
    """Jupyter, IPython and matplotlib write state under $HOME: keep it out of the user's."""
    home = tmp_path_factory.getbasetemp() / "home"
    home.mkdir(exist_ok=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.chdir(ROOT)
    os.environ.setdefault("PYTHONHASHSEED", "0")
