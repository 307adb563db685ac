"""Publication mode: no small count, no recoverable count, no free text, no identifier in any output."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sce_analysis as sce
from sce_analysis import synthetic
from sce_analysis.cli import main
from sce_analysis.publish.disclosure import SUPPRESSED, footer, publish, publish_network, to_published_csv
from sce_analysis.publish.policy import Policy

# Which columns are counts is decided here, independently of the library's own list, so that a count
# column the library forgets is caught: every column whose name says it counts, and every column of
# whole numbers (by dtype, or, read back from a CSV, by its text) whose name does not say it holds a
# proportion, a probability or another statistic.
COUNT_NAME = re.compile(r"^(n|count|counts)$|^n_|^number_of_|_(n|count|counts|size)$")
WHOLE_NUMBER = re.compile(r"-?\d+")
#: Whole-number columns that count no one, with the reason.
NOT_COUNTS = {
    "year": "a calendar year",
    "theme": "a theme's number: a label",
    "degree": "how many other factors a factor is linked to",
}
#: The words (between underscores) that name a proportion, a probability or a statistic: never a count,
#: however whole its values look. CSV files write floats with ten significant figures, so a share, a p or
#: q, a stability of exactly 1, or a lift or a ratio of 2, reads back as "1" or "2". A name that says it
#: counts (COUNT_NAME) still makes a count.
STATISTIC_WORDS = frozenset(
    {
        "share", "percent", "proportion", "p", "q", "ci", "stability", "lift", "ratio", "odds", "expected",
        "kappa", "alpha", "jaccard", "overlap", "npmi", "difference", "betweenness", "eigenvector",
    }
)  # fmt: skip


def is_statistic_name(column) -> bool:
    """True when a word of the column's name says it holds a proportion, a probability or a statistic.

    >>> [is_statistic_name(c) for c in ("review_share", "p_value", "odds_ratio_per_year", "n_units", "pq", "capacity")]
    [True, True, True, False, False, False]
    """
    return not STATISTIC_WORDS.isdisjoint(str(column).lower().split("_"))


#: Counts of places and years: held to the threshold like every count (the policy's PLACE_COUNTS), and
#: checked on their own in test_counts_of_places_and_years_obey_the_threshold.
PLACES_AND_YEARS = ("n_areas", "n_regions", "n_years")


def grouped_tables(rs):
    """The library's tables whose counts add up across groups, with the column naming the line."""
    return {
        "prevalence_by_region": (sce.factor_prevalence(rs, by="region"), "factor_code"),
        "prevalence_by_year": (sce.factor_prevalence(rs, by="year"), "factor_code"),
        "coverage_by_area": (sce.coverage(rs, by="area"), None),
        "group_differences": (sce.compare_groups(rs, by="region"), "factor_code"),
        "levels_by_region": (sce.level_profile(rs, by="region"), "level"),
        "categories_by_region": (sce.finding_categories(rs, by="region"), "category"),
    }


def other_tables(rs):
    return {
        "prevalence": sce.factor_prevalence(rs),
        "pairs": sce.factor_pairs(rs, min_count=1),
        "sequences": sce.factor_sequences(rs, min_count=3),
        "trends": sce.factor_trends(rs, min_count=2),
        "categories": sce.finding_categories(rs),
    }


def is_whole_number_column(values: pd.Series) -> bool:
    if pd.api.types.is_bool_dtype(values.dtype):
        return False
    if pd.api.types.is_integer_dtype(values.dtype):
        return True
    text = values.dropna()
    text = text[text.astype(str) != SUPPRESSED].astype(str)
    return (
        pd.api.types.is_string_dtype(values.dtype) and len(text) > 0 and text.str.fullmatch(WHOLE_NUMBER.pattern).all()
    )


def count_columns(frame: pd.DataFrame) -> list[str]:
    """The columns of a published table that count reviews, episodes, codings, findings, places or years."""
    return [
        column
        for column in frame.columns
        if column not in NOT_COUNTS
        and (
            COUNT_NAME.search(str(column)) or (is_whole_number_column(frame[column]) and not is_statistic_name(column))
        )
    ]


def test_count_columns_are_found_without_the_library():
    frame = pd.DataFrame(
        {
            "factor_code": ["a", "b"],
            "n_units": [12, 3],
            "judgements": pd.array([40, None], dtype="Int64"),  # whole numbers, named like nothing
            "theme_size": [2.0, None],
            "share": [1.0, 0.25],
            "year": [2015, 2016],
            "read_back": ["7", SUPPRESSED],  # a CSV column of whole numbers with a suppressed cell
            "ratio": ["1.5", "2"],
            # Written with ten significant figures, a share, p or lift of exactly 1 or 2 looks whole.
            "review_share": ["1", SUPPRESSED],
            "p_value": ["1", "1"],
            "lift": ["2", "1"],
            "coded_by_all": ["3", "1"],  # whole numbers, named like no statistic: a count
            "n_share": ["1", "2"],  # the name says it counts
        }
    )
    assert count_columns(frame) == ["n_units", "judgements", "theme_size", "read_back", "coded_by_all", "n_share"]


def assert_no_small_count(frame: pd.DataFrame, threshold: int, name: str) -> None:
    for column in count_columns(frame):
        values = pd.to_numeric(frame[column], errors="coerce")
        small = values.between(1, threshold - 1)
        assert not small.any(), f"{name}.{column}: {values[small].tolist()} published"


def assert_no_lonely_suppression(published, line: str | None, name: str) -> None:
    frame, mask = published.frame, published.mask
    keys = frame[line] if line is not None else pd.Series(0, index=frame.index)
    for column in count_columns(frame):
        if column in mask.columns and column != "n_total":
            grouped = mask[column].groupby(keys.to_numpy())
            # A line of one cell is its own total, which is suppressed in its own table as well.
            lonely = (grouped.sum() == 1) & (grouped.size() > 1)
            assert not lonely.any(), f"{name}.{column}: a line has one suppressed cell"


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    n_reviews=st.integers(20, 80),
    threshold=st.integers(2, 10),
    regions=st.integers(1, 3),
)
def test_published_tables_hold_no_small_and_no_recoverable_count(seed, n_reviews, threshold, regions):
    rs = synthetic.generate(n_reviews, seed=seed, n_regions=4, n_areas=8).review_set
    keep = sorted(rs.reviews["region"].unique())[:regions]
    rs = rs.filter(regions=keep)
    for name, (table, line) in grouped_tables(rs).items():
        published = publish(table, threshold=threshold)
        assert_no_small_count(published.frame, threshold, name)
        assert_no_lonely_suppression(published, line, name)
        # What is suppressed is exactly what is missing where the library had a value.
        for column in published.mask.columns:
            hidden = published.mask[column] & table[column].notna()
            assert published.frame.loc[hidden, column].isna().all()
    for name, table in other_tables(rs).items():
        assert_no_small_count(publish(table, threshold=threshold).frame, threshold, name)


def test_counts_of_places_and_years_obey_the_threshold(rs):
    largest = rs.reviews["region"].value_counts().idxmax()
    published = publish(sce.factor_prevalence(rs.filter(regions=[largest])), threshold=5).frame
    for column in PLACES_AND_YEARS:
        values = published[column]
        assert not values.between(1, 4).any(), f"{column}: {sorted(set(values[values.between(1, 4)]))} published"


def test_derived_values_are_suppressed_with_their_counts(rs):
    published = publish(sce.factor_prevalence(rs.filter(regions=["North East and Yorkshire"])), threshold=5)
    hidden = published.mask["n_units"]
    assert hidden.any() and (~hidden).any()
    for column in ("share", "ci_low", "ci_high", "n_areas", "n_years"):
        assert published.frame.loc[hidden, column].isna().all(), column
    pairs = publish(sce.factor_pairs(rs, min_count=1), threshold=5)
    small = pairs.mask["n_ab"]
    for column in ("lift", "jaccard", "npmi", "odds_ratio", "p_value", "q_value"):
        assert pairs.frame.loc[small, column].isna().all(), column


def test_complement_of_a_count_is_protected_too():
    # 38 of 40 reviews have factor a: the 2 without it would be identified, so 38 is suppressed.
    table = pd.DataFrame({"factor_code": ["a", "b", "c"], "n_units": [38, 20, 0], "n_total": [40, 40, 40]})
    published = publish(table, threshold=5, min_areas=1)
    assert published.mask["n_units"].tolist() == [True, False, False]
    # Zero is published: it discloses nothing about a person.
    assert published.frame["n_units"].tolist()[1:] == [20, 0]


def test_secondary_suppression_by_hand():
    # One factor across three regions: 2 is primary; the smallest other (6) goes with it, so the
    # published total (2 + 6 + 30 = 38) cannot give back either.
    table = pd.DataFrame(
        {"region": ["A", "B", "C"], "factor_code": ["f", "f", "f"], "n_units": [2, 6, 30], "n_total": [50, 50, 50]}
    )
    published = publish(table, threshold=5, min_areas=1)
    assert published.mask["n_units"].tolist() == [True, True, False]


def test_free_text_and_identifiers_never_survive(rs):
    for table in (sce.board_questions(rs), sce.problems_frame([sce.Problem("a.csv", 2, "x", "secret", "m")])):
        published = publish(table)
        assert not {"review_id", "finding_id", "finding", "issues_for_board", "value", "message"} & set(
            published.frame.columns
        )
    withheld = publish(sce.per_review_counts(rs))
    assert withheld.withheld and list(withheld.frame.columns) == ["table"]


def test_published_csv_marks_suppressed_cells(tmp_path):
    table = pd.DataFrame({"factor_code": ["a", "b"], "n_units": [12, 3], "n_total": [40, 40], "share": [0.3, 0.075]})
    to_published_csv(publish(table, min_areas=1), tmp_path / "t.csv")
    assert (tmp_path / "t.csv").read_text().splitlines() == [
        "factor_code,n_units,n_total,share",
        "a,12,40,0.3",
        f"b,{SUPPRESSED},40,{SUPPRESSED}",
    ]


def test_networks_lose_links_and_factors_on_small_counts(rs):
    G = sce.factor_network(rs, min_count=1)
    threshold = min(d["n_ab"] for _, _, d in G.edges(data=True)) + 1
    H = publish_network(G, threshold=threshold)
    assert all(d["n_ab"] >= threshold for _, _, d in H.edges(data=True))
    assert all(d["n_units"] >= threshold for _, d in H.nodes(data=True))
    assert G.number_of_edges() > H.number_of_edges() > 0


# --------------------------------------------------------------------------- whole reports

MARKERS = {
    ("reviews.csv", "title"): "ZQXMARKREVIEWTITLE",
    ("episodes.csv", "title"): "ZQXMARKEPISODETITLE",
    ("episodes.csv", "summary"): "ZQXMARKEPISODESUMMARY",
    ("factors.csv", "note"): "ZQXMARKFACTORNOTE",
    ("findings.csv", "title"): "ZQXMARKFINDINGTITLE",
    ("findings.csv", "summary"): "ZQXMARKFINDINGSUMMARY",
    ("findings.csv", "issues_for_board"): "ZQXMARKBOARD",
    ("reviews.csv", "local_notes"): "ZQXMARKEXTRACOLUMN",
}


@pytest.fixture(scope="module")
def marked_set(tmp_path_factory, rs):
    """The sample with a unique marker in every free-text column and review ids that are markers too."""
    folder = tmp_path_factory.mktemp("marked") / "set"
    frames = {name: getattr(rs, name).copy() for name in ("reviews", "episodes", "factors", "findings", "taxonomy")}
    for (file, column), marker in MARKERS.items():
        frame = frames[file.removesuffix(".csv")]
        frame[column] = [f"{marker} {i}" for i in range(len(frame))]
    ids = {old: f"ZQXID{i:04d}" for i, old in enumerate(frames["reviews"]["review_id"])}
    for name in ("reviews", "episodes", "factors", "findings"):
        frames[name]["review_id"] = frames[name]["review_id"].map(ids)
    sce.from_frames(**frames).save(folder)
    return folder


def test_no_free_text_or_identifier_reaches_any_publication_output(marked_set, tmp_path):
    out = tmp_path / "report"
    assert main(["report", "--publication", "--data", str(marked_set), "--out", str(out), "--jobs", "2"]) == 0
    files = [p for p in out.rglob("*") if p.is_file()]
    assert len(files) > 30
    for path in files:
        text = path.read_bytes().decode("utf-8", errors="replace")
        for marker in [*MARKERS.values(), "ZQXID"]:
            assert marker not in text, f"{marker} in {path.relative_to(out)}"
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["publication"] == {"mode": True, "suppress_below": 5, "min_areas": 3, "rules": footer(5, 3)}
    # The gallery and the deck in publication mode carry none of it either.
    assert main(["gallery", "--publication", "--data", str(marked_set), "--out", str(tmp_path / "g")]) == 0
    assert main(["deck", "--publication", "--data", str(marked_set), "--out", str(tmp_path / "d.pptx")]) == 0
    from pptx import Presentation

    deck = Presentation(str(tmp_path / "d.pptx"))
    deck_text = " ".join(
        shape.text_frame.text for slide in deck.slides for shape in slide.shapes if shape.has_text_frame
    ) + " ".join(slide.notes_slide.notes_text_frame.text for slide in deck.slides if slide.has_notes_slide)
    gallery_text = " ".join(p.read_bytes().decode("utf-8", "replace") for p in (tmp_path / "g").iterdir())
    for marker in [*MARKERS.values(), "ZQXID"]:
        assert marker not in deck_text and marker not in gallery_text, marker
    # The briefing: the Word document is a zip, so its text is read through python-docx.
    from docx import Document

    document = Document(str(out / "briefing.docx"))
    word_text = "\n".join(p.text for p in document.paragraphs) + "\n".join(
        cell.text for table in document.tables for row in table.rows for cell in row.cells
    )
    briefing_text = (out / "briefing.html").read_text()
    assert "Publication mode" in word_text and "Publication mode" in briefing_text
    for marker in [*MARKERS.values(), "ZQXID"]:
        assert marker not in word_text and marker not in briefing_text, marker
    assert "Publication mode" in (out / "html" / "02-recurring-factors.html").read_text()
    assert (out / "tables" / "README.txt").read_text().startswith("Publication mode")


def test_publication_at_region_level_produces_every_table(rs, tmp_path):
    smallest = rs.reviews["region"].value_counts().idxmin()
    out = tmp_path / "region"
    status = main(["report", "--publication", "-p", "regions", smallest, "--out", str(out), "--jobs", "2"])
    assert status == 0
    tables = {p.stem: p.read_text() for p in (out / "tables").glob("*.csv")}
    for name in ("data_summary", "factor_prevalence", "recurring_factors", "factor_trends", "group_differences"):
        assert name in tables
    assert f",{SUPPRESSED}," in tables["factor_prevalence"]
    # The scope itself: a count of areas or reviews below the threshold is not shown either.
    summary = pd.read_csv(out / "tables" / "data_summary.csv").set_index("measure")["count"]
    assert summary["regions"] == SUPPRESSED
    for name, text in tables.items():
        frame = pd.read_csv(pd.io.common.StringIO(text))
        assert_no_small_count(frame.replace(SUPPRESSED, np.nan), 5, name)
    # The briefing's sentences quote published cells only: none rests on a suppressed one.
    from sce_analysis.reports.briefing import ReportTables
    from sce_analysis.reports.headlines import key_findings

    report_tables = ReportTables(out)
    manifest = json.loads((out / "manifest.json").read_text())
    for headline in key_findings(report_tables, manifest["parameters"]):
        table = report_tables[headline.table]
        for key in headline.rows:
            row = table.loc[(table[list(key)] == pd.Series(key)).all(axis=1)]
            assert len(row) == 1 and SUPPRESSED not in set(row.iloc[0]), headline.text


def test_gallery_in_publication_mode_on_a_small_region(rs, tmp_path):
    from sce_analysis.reports.gallery import render_gallery

    smallest = rs.reviews["region"].value_counts().idxmin()
    paths = render_gallery(rs.filter(regions=[smallest]), tmp_path / "g", policy=Policy(threshold=5))
    assert all(p.stat().st_size > 1000 for p in paths if p.suffix == ".png")
    svg = (tmp_path / "g" / "prevalence.svg").read_text()
    assert "Publication mode" in svg or "Publication" in svg


def test_spread_chart_draws_a_published_table_with_suppressed_group_totals(rs):
    table = sce.factor_prevalence(rs, by="region")
    published = publish(table, threshold=30).frame  # a threshold above some regions' size
    assert published["n_total"].isna().any()
    ax = sce.plot_spread(published, by="region", top=8)
    assert ax.images


def test_agreement_tables_publish_without_coder_names_or_statistics_on_small_counts(rs):
    table = sce.agreement_overview(rs)
    published = publish(table, threshold=10).frame
    assert "coders" not in published.columns and "note" not in published.columns
    small = (table["coded_by_all"].between(1, 9)) | (table["coded_by_any"].between(1, 9))
    assert small.any(), "the sample must have a small count to test"
    assert published.loc[small, ["cohen_kappa", "krippendorff_alpha", "percent_agreement"]].isna().all().all()
    assert published.loc[~small, "cohen_kappa"].notna().all()
