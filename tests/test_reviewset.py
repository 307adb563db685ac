"""ReviewSet: filter semantics, saving and round trips, summary and display."""

from __future__ import annotations

import importlib
import string

import numpy as np
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
    assert ("presence", "episode", "good", None) in carried.derived
    for unit in ("review", "episode"):
        for polarity in (None, "good"):
            a = sce.presence(carried, unit=unit, polarity=polarity)
            b = sce.presence(fresh, unit=unit, polarity=polarity)
            assert (a.matrix != b.matrix).nnz == 0 and a.matrix.shape == b.matrix.shape
            pd.testing.assert_frame_equal(a.units, b.units, check_dtype=False)
    for key in ("review", "episode", "code", "episode_review"):
        assert (carried.factor_positions[key] == fresh.factor_positions[key]).all(), key
    assert (carried.coding_mask(coder="reviewer_b") == fresh.coding_mask(coder="reviewer_b")).all()
    assert (carried.finding_positions == fresh.finding_positions).all()
    # The library's statistics agree too.
    pd.testing.assert_frame_equal(
        sce.factor_pairs(carried, min_count=1), sce.factor_pairs(fresh, min_count=1), check_dtype=False
    )


# --------------------------------------------------------------------------- derived values (rs.derived)


def test_a_derived_value_is_built_once_per_set(monkeypatch):
    rs = sce.load(SAMPLE)
    calls = []

    def build():
        calls.append(1)
        return np.arange(len(rs.reviews))

    first = rs.derived.get("numbers", build, follows="reviews")
    second = rs.derived.get("numbers", build, follows="reviews")
    assert first is second and len(calls) == 1
    # The library's own values go through the same cache: a presence matrix is built once per set.
    presence_module = importlib.import_module("sce_analysis.stats.presence")
    built = []
    real_build = presence_module._build
    monkeypatch.setattr(presence_module, "_build", lambda *args: built.append(args[1:]) or real_build(*args))
    a = sce.presence(rs, unit="episode")
    b = sce.presence(rs, unit="episode")
    assert a is b and built == [("episode", None, None)]
    sce.presence(rs, unit="review")
    assert built == [("episode", None, None), ("review", None, None)]


def test_a_filtered_set_carries_exactly_the_values_that_follow_and_they_equal_fresh_ones():
    parent = sce.load(SAMPLE)
    for unit in ("review", "episode"):
        for polarity in (None, "problematic"):
            sce.presence(parent, unit=unit, polarity=polarity)
    for coder in (None, "reviewer_b"):
        parent.coding_mask(coder=coder)
    parent.derived.get("review_ids", lambda: parent.reviews["review_id"], follows="reviews")
    parent.derived.get("factor_codes", lambda: parent.factors["factor_code"].to_numpy(), follows="factors")
    parent.derived.get("review_count", lambda: len(parent.reviews))  # follows nothing
    parent.derived.get("finding_count", lambda: len(parent.findings), follows=None)
    keep = parent.reviews["year"].between(2014, 2021).to_numpy() & parent.reviews["region"].ne("Midlands").to_numpy()
    carried = parent.select_reviews(keep)

    following = {key for key in parent.derived if parent.derived.follows(key) is not None}
    assert following >= {("presence", "episode", "problematic", None), ("coding_mask", "reviewer_b")}
    assert set(carried.derived.keys()) == following
    assert "review_count" not in carried.derived and "finding_count" not in carried.derived

    fresh = sce.from_frames(carried.reviews, carried.episodes, carried.factors, carried.findings, carried.taxonomy)
    assert len(fresh.derived) == 0
    for unit in ("review", "episode"):
        for polarity in (None, "problematic"):
            a = carried.derived.get(("presence", unit, polarity, None), lambda: pytest.fail("rebuilt"))
            b = sce.presence(fresh, unit=unit, polarity=polarity)
            assert a.matrix.shape == b.matrix.shape and (a.matrix != b.matrix).nnz == 0
            pd.testing.assert_frame_equal(a.units, b.units, check_dtype=False)
    for coder in (None, "reviewer_b"):
        mask = carried.derived.get(("coding_mask", coder), lambda: pytest.fail("rebuilt"))
        assert np.array_equal(mask, fresh.coding_mask(coder=coder))
    for key, positions in carried.factor_positions.items():
        assert np.array_equal(positions, fresh.factor_positions[key]), key
    assert np.array_equal(carried.finding_positions, fresh.finding_positions)
    pd.testing.assert_series_equal(carried.derived.get("review_ids", pytest.fail), carried.reviews["review_id"])
    assert np.array_equal(carried.derived.get("factor_codes", pytest.fail), carried.factors["factor_code"])


def test_a_value_that_cannot_follow_a_filter_is_rebuilt_for_the_filtered_set():
    parent = sce.load(SAMPLE)
    assert parent.derived.get("review_count", lambda: len(parent.reviews)) == 80
    subset = parent.filter(years=(2011, 2015))
    calls = []
    count = subset.derived.get("review_count", lambda: calls.append(1) or len(subset.reviews))
    assert calls == [1] and count == len(subset.reviews) < 80


def test_a_value_follows_a_filter_through_its_own_take_method():
    parent = sce.load(SAMPLE)
    seen = []

    def follow(value, selection):
        seen.append(selection)
        return value[selection.episodes]

    parent.derived.get("sequence", lambda: parent.episodes["sequence"].to_numpy(), follows=follow)
    subset = parent.filter(years=(2016, 2019))
    assert len(seen) == 1 and seen[0].episodes.sum() == len(subset.episodes)
    assert np.array_equal(subset.derived.get("sequence", pytest.fail), subset.episodes["sequence"].to_numpy())
    with pytest.raises(ValueError, match="follows must be one of"):
        parent.derived.get("bad", lambda: 1, follows="areas")


def test_select_reviews_is_filter_by_position(sample):
    keep = sample.reviews["region"].eq("Midlands").to_numpy()
    by_position = sample.select_reviews(keep)
    assert by_position.equals(sample.filter(regions="Midlands"))
    with pytest.raises(sce.ParameterError, match="one True or False per review"):
        sample.select_reviews(keep[:-1])


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
