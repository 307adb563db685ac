"""ReviewSet: filter semantics, saving and round trips, summary and display."""

from __future__ import annotations

import string

import pandas as pd
import pytest
from conftest import CLEAN, SAMPLE, write_set
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sce_analysis as sce


@pytest.fixture(scope="module")
def sample():
    return sce.load(SAMPLE)


# --------------------------------------------------------------------------- filter


def test_filter_keeps_the_rows_of_kept_reviews_and_only_those(sample):
    region = sample.reviews["region"].iloc[0]
    kept = sample.filter(regions=[region], years=(2014, 2021))
    expected = set(
        sample.reviews.loc[
            (sample.reviews["region"] == region) & sample.reviews["year"].between(2014, 2021), "review_id"
        ]
    )
    assert set(kept.reviews["review_id"]) == expected and len(expected) > 0
    for name in ("episodes", "factors", "findings"):
        frame, full = getattr(kept, name), getattr(sample, name)
        assert set(frame["review_id"]) <= expected
        # Nothing of a kept review is lost: the same number of rows as a plain pandas selection.
        assert len(frame) == full["review_id"].isin(expected).sum()
    assert kept.taxonomy.equals(sample.taxonomy)


def test_filter_years_are_inclusive(sample):
    kept = sample.filter(years=(2013, 2013))
    assert set(kept.reviews["year"]) == {2013}
    assert len(kept.reviews) == (sample.reviews["year"] == 2013).sum()


def test_filters_combine_as_and_and_commute(sample):
    areas = sample.reviews["area"].unique()[:6].tolist()
    a = sample.filter(areas=areas).filter(years=(2015, 2022))
    b = sample.filter(years=(2015, 2022)).filter(areas=areas)
    c = sample.filter(areas=areas, years=(2015, 2022))
    assert a.equals(b) and b.equals(c)


def test_filter_accepts_one_name_as_a_string(sample):
    area = sample.reviews["area"].iloc[0]
    assert sample.filter(areas=area).equals(sample.filter(areas=[area]))


def test_filter_does_not_change_the_original(sample):
    before = len(sample.reviews), len(sample.factors)
    sample.filter(years=(2020, 2020))
    assert (len(sample.reviews), len(sample.factors)) == before


def test_filter_rejects_unknown_names_and_bad_years(sample):
    with pytest.raises(sce.ParameterError, match="Did you mean"):
        sample.filter(regions=[sample.reviews["region"].iloc[0].lower()])
    with pytest.raises(sce.ParameterError, match="first year 2020 comes after"):
        sample.filter(years=(2020, 2015))
    with pytest.raises(sce.ParameterError, match="pair"):
        sample.filter(years=2020)


def test_filter_review_types(sample):
    kind = sample.reviews["review_type"].dropna().iloc[0]
    kept = sample.filter(review_types=[kind])
    assert set(kept.reviews["review_type"]) == {kind}


def test_filter_rows_equal_a_plain_pandas_selection_in_order(sample):
    regions = sorted(sample.reviews["region"].unique())[:2]
    kept = sample.filter(regions=regions, years=(2013, 2022))
    wanted = sample.reviews.loc[
        sample.reviews["region"].isin(regions) & sample.reviews["year"].between(2013, 2022), "review_id"
    ]
    for name in ("reviews", "episodes", "factors", "findings"):
        full = getattr(sample, name)
        expected = full[full["review_id"].isin(wanted)].reset_index(drop=True)
        pd.testing.assert_frame_equal(getattr(kept, name), expected)


def test_filter_carries_derived_arrays_that_equal_fresh_ones(sample):
    """A filtered set reuses the parent's presence matrices and coder masks, sliced: they must equal a rebuild."""
    parent = sce.load(SAMPLE)
    for unit in ("review", "episode"):
        for polarity in (None, "good"):
            sce.presence(parent, unit=unit, polarity=polarity)
    parent.coding_mask(coder="reviewer_b")
    region = parent.reviews["region"].iloc[3]
    carried = parent.filter(regions=[region], years=(2012, 2024))
    fresh = sce.from_frames(carried.reviews, carried.episodes, carried.factors, carried.findings, carried.taxonomy)
    assert ("presence", "episode", "good", None) in carried._cache
    for unit in ("review", "episode"):
        for polarity in (None, "good"):
            a = sce.presence(carried, unit=unit, polarity=polarity)
            b = sce.presence(fresh, unit=unit, polarity=polarity)
            assert (a.matrix != b.matrix).nnz == 0 and a.matrix.shape == b.matrix.shape
            pd.testing.assert_frame_equal(a.units, b.units, check_dtype=False)
    for key in ("review", "episode", "code", "episode_review"):
        assert (carried.factor_positions[key] == fresh.factor_positions[key]).all(), key
    assert (carried.coding_mask(coder="reviewer_b") == fresh.coding_mask(coder="reviewer_b")).all()
    assert (carried._finding_review == fresh._finding_review).all()
    # The library's statistics agree too.
    pd.testing.assert_frame_equal(
        sce.factor_pairs(carried, min_count=1), sce.factor_pairs(fresh, min_count=1), check_dtype=False
    )


def test_filter_to_nothing_gives_an_empty_but_whole_set(sample):
    empty = sample.filter(years=(1990, 1991))
    assert len(empty.reviews) == len(empty.factors) == 0
    assert "0 reviews" in repr(empty)
    assert empty.summary().set_index("measure").loc["first_year", "count"] == 0


# --------------------------------------------------------------------------- coders


def test_codings_use_the_first_coder_of_each_episode(clean_set):
    rs = sce.load(clean_set)
    assert rs.coders == ["a", "b"]
    assert len(rs.codings()) == 6 and set(rs.codings()["coder"]) == {"a"}
    # Preferring coder b takes b's rows where b coded, and a's elsewhere.
    preferred = rs.codings(coder="b")
    assert len(preferred) == 6
    assert preferred.loc[preferred["episode_id"].eq("KPE1") & preferred["review_id"].eq("R3"), "coder"].tolist() == [
        "b"
    ]
    with pytest.raises(sce.ParameterError, match="coded nothing"):
        rs.codings(coder="zed")


def test_codings_on_the_sample_are_one_coder_per_episode(sample):
    codings = sample.codings()
    per_episode = codings.groupby(["review_id", "episode_id"])["coder"].nunique()
    assert (per_episode == 1).all()
    # Brute force: for each episode, the coder of its first row in the file.
    first = sample.factors.drop_duplicates(["review_id", "episode_id"]).set_index(["review_id", "episode_id"])["coder"]
    assert (
        codings.set_index(["review_id", "episode_id"])["coder"].groupby(level=[0, 1]).first().equals(first.sort_index())
    )


# --------------------------------------------------------------------------- save and round trip


def test_round_trip_of_the_sample_gives_equal_frames(sample, tmp_path):
    sample.save(tmp_path / "copy")
    again = sce.load(tmp_path / "copy")
    for name in ("reviews", "episodes", "factors", "findings", "taxonomy"):
        pd.testing.assert_frame_equal(getattr(again, name), getattr(sample, name))


def test_saving_twice_gives_identical_bytes(sample, tmp_path):
    sample.save(tmp_path / "one")
    sce.load(tmp_path / "one").save(tmp_path / "two")
    for name in ("reviews", "episodes", "factors", "findings", "taxonomy"):
        assert (tmp_path / "one" / f"{name}.csv").read_bytes() == (tmp_path / "two" / f"{name}.csv").read_bytes()


def test_round_trip_keeps_extra_columns(tmp_path):
    reviews = CLEAN["reviews.csv"].replace("title\n", "title,local_ref\n", 1).replace("Child A\n", "Child A,LR-7\n")
    rs = sce.load(write_set(tmp_path / "x", {**CLEAN, "reviews.csv": reviews}))
    rs.save(tmp_path / "y")
    assert sce.load(tmp_path / "y").equals(rs)
    assert "local_ref" in (tmp_path / "y" / "reviews.csv").read_text().splitlines()[0]


def test_save_writes_the_derived_taxonomy(tmp_path):
    rs = sce.load(write_set(tmp_path / "bare", {**CLEAN, "taxonomy.csv": None, "findings.csv": None}))
    rs.save(tmp_path / "out")
    again = sce.load(tmp_path / "out")
    assert again.taxonomy.equals(rs.taxonomy) and again.findings.equals(rs.findings)


def test_save_leaves_no_temporary_files(sample, tmp_path):
    sample.save(tmp_path / "out")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "episodes.csv",
        "factors.csv",
        "findings.csv",
        "reviews.csv",
        "taxonomy.csv",
    ]


# Text as people type it: punctuation, quotes, commas, line breaks and non-ASCII letters.
_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\x1f") | st.sampled_from(',"\n'),
    max_size=12,
).map(str.strip)
_ids = (
    st.text(alphabet=string.ascii_letters + string.digits + "-_. é", min_size=1, max_size=6).map(str.strip).filter(bool)
)


@st.composite
def review_sets(draw):
    review_ids = draw(st.lists(_ids, min_size=1, max_size=5, unique=True))
    reviews = pd.DataFrame(
        {
            "review_id": review_ids,
            "area": [draw(_text.filter(bool)) for _ in review_ids],
            "year": [draw(st.integers(1990, 2030)) for _ in review_ids],
            "title": [draw(_text) for _ in review_ids],
            "notes_extra": [draw(_text) for _ in review_ids],
        }
    )
    codes = draw(st.lists(_ids, min_size=1, max_size=4, unique=True))
    episodes, factors, findings = [], [], []
    for review in review_ids:
        kpes = draw(st.lists(_ids, max_size=3, unique=True))
        for position, kpe in enumerate(kpes, start=1):
            episodes.append(
                {
                    "review_id": review,
                    "episode_id": kpe,
                    "sequence": position,
                    "appraisal": draw(st.sampled_from(["good", "problematic", "mixed", "neutral", ""])),
                    "agencies": ";".join(draw(st.lists(_ids, max_size=3, unique=True))),
                    "summary": draw(_text),
                    "start_date": draw(st.sampled_from(["", "2012-02-29", "2020-12-31"])),
                }
            )
            for code in draw(st.lists(st.sampled_from(codes), max_size=3, unique=True)):
                factors.append(
                    {
                        "review_id": review,
                        "episode_id": kpe,
                        "factor_code": code,
                        "polarity": draw(st.sampled_from(["good", "problematic"])),
                        "note": draw(_text),
                    }
                )
        if kpes and draw(st.booleans()):
            findings.append(
                {
                    "review_id": review,
                    "finding_id": "F1",
                    "category": draw(st.sampled_from(list(sce.SCIE_CATEGORIES))),
                    "episode_ids": ";".join(draw(st.lists(st.sampled_from(kpes), min_size=1, unique=True))),
                    "factor_codes": ";".join(draw(st.lists(st.sampled_from(codes), unique=True))),
                    "title": draw(_text),
                }
            )
    taxonomy = pd.DataFrame(
        {
            "factor_code": codes,
            "label": [draw(_text.filter(bool)) for _ in codes],
            "level": [draw(st.sampled_from(["frontline", "national", ""])) for _ in codes],
        }
    )
    columns = {
        "episodes": ["review_id", "episode_id", "sequence", "appraisal", "agencies", "summary", "start_date"],
        "factors": ["review_id", "episode_id", "factor_code", "polarity", "note"],
        "findings": ["review_id", "finding_id", "category", "episode_ids", "factor_codes", "title"],
    }
    return sce.from_frames(
        reviews,
        pd.DataFrame(episodes, columns=columns["episodes"]),
        pd.DataFrame(factors, columns=columns["factors"]),
        pd.DataFrame(findings, columns=columns["findings"]),
        taxonomy,
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rs=review_sets())
def test_round_trip_property(rs, tmp_path_factory):
    folder = tmp_path_factory.mktemp("round")
    rs.save(folder)
    again = sce.load(folder)
    for name in ("reviews", "episodes", "factors", "findings", "taxonomy"):
        pd.testing.assert_frame_equal(getattr(again, name), getattr(rs, name))


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**16), n_reviews=st.integers(1, 40), double=st.sampled_from([0.0, 0.5]))
def test_round_trip_property_over_generated_sets(seed, n_reviews, double, tmp_path_factory):
    from sce_analysis import synthetic

    rs = synthetic.generate(n_reviews, seed=seed, double_coded_share=double).review_set
    folder = tmp_path_factory.mktemp("generated")
    rs.save(folder)
    assert sce.load(folder).equals(rs)


# --------------------------------------------------------------------------- summary and display


def test_summary_counts_match_plain_pandas(sample):
    counts = sample.summary().set_index("measure")["count"]
    assert counts["reviews"] == sample.reviews["review_id"].nunique()
    assert counts["areas"] == len(set(sample.reviews["area"]))
    assert counts["episodes"] == len(sample.episodes)
    assert counts["coded_factors"] == len(sample.factors)
    assert counts["findings"] == len(sample.findings)
    assert counts["first_year"] == sample.reviews["year"].min()
    assert counts["coders"] == sample.factors["coder"].nunique()


def test_repr_and_html_are_short_and_useful(sample):
    text = repr(sample)
    assert text.startswith("<ReviewSet") and f"{len(sample.reviews)} reviews" in text and "\n" not in text
    page = sample._repr_html_()
    assert "<table>" in page and "Key practice episodes" in page and "of 6 SCIE categories" in page


def test_html_escapes_the_source(clean_files, tmp_path):
    folder = write_set(tmp_path / "<b>x", clean_files)
    assert "<b>x" not in sce.load(folder)._repr_html_()


def test_saved_files_are_readable_by_others(sample, tmp_path):
    import os

    sample.save(tmp_path / "out")
    umask = os.umask(0)
    os.umask(umask)
    assert (tmp_path / "out" / "reviews.csv").stat().st_mode & 0o777 == 0o666 & ~umask
