"""Every notebook runs through papermill on a real kernel and writes what it must, equal to the library."""

from __future__ import annotations

import hashlib
import json

import pytest
from conftest import SAMPLE

import sce_analysis as sce
from sce_analysis.cli import main
from sce_analysis.reports.run import TABLE_FLOAT_FORMAT

EXPECTED = {
    "01-overview": {
        "tables": [
            "data_summary",
            "coverage_by_region",
            "coverage_by_year",
            "coverage_by_area",
            "coverage_by_review_type",
            "per_review_counts",
            "coder_agreement",
            "validation_problems",
        ],
        "figures": ["coverage_by_year"],
    },
    "02-recurring-factors": {
        "tables": ["factor_prevalence", "recurring_factors", "prevalence_by_region", "level_profile"],
        "figures": ["prevalence", "spread_by_region", "level_profile"],
    },
    "03-factor-network": {
        "tables": ["factor_pairs", "themes", "node_metrics", "cross_level_links"],
        "figures": ["factor_network", "cooccurrence", "level_map"],
    },
    "04-sequences": {"tables": ["factor_sequences"], "figures": ["sequences"]},
    "05-findings": {
        "tables": ["finding_categories", "category_factors", "finding_categories_by_region", "issues_for_the_board"],
        "figures": ["finding_categories"],
    },
    "06-trends-and-groups": {
        "tables": ["factor_trends", "prevalence_by_year", "group_differences"],
        "figures": ["trends", "group_differences"],
    },
}


@pytest.fixture(scope="module")
def report(sample_report):
    return sample_report


def csv_bytes(frame) -> bytes:
    return frame.to_csv(index=False, lineterminator="\n", float_format=TABLE_FLOAT_FORMAT).encode()


def test_every_notebook_succeeds(report):
    status, out = report
    manifest = json.loads((out / "manifest.json").read_text())
    assert [(n["notebook"], n["status"]) for n in manifest["notebooks"]] == [(name, "ok") for name in EXPECTED]
    assert status == 0


@pytest.mark.parametrize("notebook", list(EXPECTED))
def test_notebook_writes_its_tables_figures_and_pages(report, notebook):
    _, out = report
    for table in EXPECTED[notebook]["tables"]:
        assert (out / "tables" / f"{table}.csv").stat().st_size > 0, table
    for figure in EXPECTED[notebook]["figures"]:
        for suffix in (".png", ".svg"):
            assert (out / "figures" / f"{figure}{suffix}").stat().st_size > 1000, figure + suffix
    assert (out / "notebooks" / f"{notebook}.ipynb").exists()
    page = (out / "html" / f"{notebook}.html").read_text(encoding="utf-8")
    # Code-free: no source of any code cell reaches the page.
    assert "sce.start_run(" not in page and "import sce_analysis" not in page
    assert "<img" in page or not EXPECTED[notebook]["figures"]


def test_tables_equal_the_library_calls(report, rs):
    _, out = report
    expected = {
        "data_summary": rs.summary().assign(n_contributing_areas=rs.reviews["area"].nunique()),
        "coverage_by_region": sce.coverage(rs, by="region"),
        "per_review_counts": sce.per_review_counts(rs),
        "coder_agreement": sce.agreement_overview(rs),
        "factor_prevalence": sce.factor_prevalence(rs),
        "recurring_factors": sce.recurring_factors(rs),
        "prevalence_by_region": sce.factor_prevalence(rs, by="region"),
        "level_profile": sce.level_profile(rs),
        "factor_pairs": sce.factor_pairs(rs),
        "themes": sce.systemic_themes(rs, seed=0, resamples=200),
        "cross_level_links": sce.cross_level_links(rs),
        "factor_sequences": sce.factor_sequences(rs),
        "finding_categories": sce.finding_categories(rs),
        "category_factors": sce.category_factors(rs),
        "issues_for_the_board": sce.board_questions(rs),
        "factor_trends": sce.factor_trends(rs, min_count=5),  # the notebooks pass their min_count
        "group_differences": sce.compare_groups(rs, by="region"),
    }
    for name, frame in expected.items():
        assert (out / "tables" / f"{name}.csv").read_bytes() == csv_bytes(frame), name


def test_manifest_records_the_run(report):
    _, out = report
    manifest = json.loads((out / "manifest.json").read_text())
    for name, digest in manifest["input"]["files"].items():
        assert hashlib.sha256((SAMPLE / name).read_bytes()).hexdigest() == digest
    assert manifest["parameters"]["publication"] is False and manifest["parameters"]["alpha"] == 0.05
    assert manifest["versions"]["pandas"] and manifest["started"] <= manifest["ended"]
    assert all(n["seconds"] > 0 for n in manifest["notebooks"])
    listed = set(manifest["outputs"])
    on_disk = {str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()} - {"manifest.json"}
    assert listed == on_disk


def test_index_links_every_page_and_shows_the_scope(report, rs):
    _, out = report
    index = (out / "index.html").read_text(encoding="utf-8")
    for notebook in EXPECTED:
        assert f"html/{notebook}.html" in index
    assert f"<th>reviews</th><td>{len(rs.reviews)}</td>" in index
    assert f"<th>first year</th><td>{rs.reviews['year'].min()}</td>" in index  # a year, not "2,011"
    assert "tables/factor_prevalence.csv" in index and "figures/prevalence.png" in index


def test_the_same_data_and_parameters_give_identical_tables(report, tmp_path):
    _, out = report
    again = tmp_path / "again"
    assert main(["report", "--notebooks", "03,04,06", "--out", str(again), "--jobs", "2"]) == 0
    for path in sorted((again / "tables").glob("*.csv")):
        assert path.read_bytes() == (out / "tables" / path.name).read_bytes(), path.name


def test_the_sequences_figure_names_factors_by_their_labels(tmp_path):
    """Notebook 04 draws its sequences with the taxonomy's labels, not the factor codes. (The sample has no
    significant sequence, so this runs it on a larger synthetic set, which has two planted.)"""
    import re

    from sce_analysis import synthetic

    rs = synthetic.generate(300, seed=4).review_set
    rs.save(tmp_path / "data")
    out = tmp_path / "report"
    assert (
        main(["report", "--data", str(tmp_path / "data"), "--out", str(out), "--notebooks", "04", "--jobs", "1"]) == 0
    )
    sequences = sce.factor_sequences(rs)
    drawn = sequences[sequences["q_value"] < 0.05]
    assert len(drawn) >= 1
    # The SVG keeps each line of text as a comment (its glyphs are paths).
    svg = (out / "figures" / "sequences.svg").read_text(encoding="utf-8")
    words = " ".join(re.findall(r"<!-- (.*?) -->", svg))
    labels = dict(zip(rs.taxonomy["factor_code"], rs.taxonomy["label"], strict=True))
    for code in {*drawn["factor_from"], *drawn["factor_to"]}:
        assert code not in words, f"the chart shows the code {code}"
        assert labels[code] in words, f"the chart does not show the label of {code}"
