"""pair_evidence: the key practice episodes on which both factors of a pair are coded.

Every set of episodes is checked against a brute-force loop over the rows of the raw CSV files
(tests/brute.py), which uses none of the library's code, and the counts against ``n_ab`` of
:func:`factor_pairs` at the episode level.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from itertools import combinations

import numpy as np
import pandas as pd
import pytest
from brute import RawSet
from conftest import write_set

import sce_analysis as sce
from sce_analysis.stats import drilldown
from sce_analysis.stats.drilldown import pair_evidence

COLUMNS = ["review_id", "episode_id", "area", "region", "year", "agencies", "appraisal", "summary"]
FROM_REVIEWS = {"area", "region", "year"}


# ---------------------------------------------------------------- brute force


def brute_codes(raw, review_ids, *, polarity=None, coder=None) -> dict[tuple[str, str], set[str]]:
    """(review_id, episode_id) -> the codes coded on it, for the episodes of ``review_ids``."""
    has: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in raw.codings(polarity=polarity, coder=coder):
        if row["review_id"] in review_ids:
            has[(row["review_id"], row["episode_id"])].add(row["factor_code"])
    return has


def brute_pair(raw, a, b, review_ids=None, *, polarity=None, coder=None) -> list[tuple[str, str]]:
    """The episodes with both codes, in the order of episodes.csv."""
    review_ids = set(raw.review_ids if review_ids is None else review_ids)
    has = brute_codes(raw, review_ids, polarity=polarity, coder=coder)
    return [
        (e["review_id"], e["episode_id"])
        for e in raw.episodes
        if a in has[(e["review_id"], e["episode_id"])] and b in has[(e["review_id"], e["episode_id"])]
    ]


def brute_pair_counts(raw, **kwargs) -> Counter:
    """(a, b) with a < b -> the number of episodes on which both are coded."""
    counts: Counter = Counter()
    for codes in brute_codes(raw, set(raw.review_ids), **kwargs).values():
        counts.update(combinations(sorted(codes), 2))
    return counts


def text(value) -> str:
    """A value as the csv module reads it: missing is empty text."""
    return "" if pd.isna(value) else str(value)


def keys(found: pd.DataFrame) -> list[tuple[str, str]]:
    return list(zip(found["review_id"], found["episode_id"], strict=True))


@pytest.fixture(scope="module")
def often(sample_raw) -> tuple[str, str]:
    """The pair most often coded on the same episode (ties broken by code), found brute-force."""
    counts = brute_pair_counts(sample_raw)
    pair = max(sorted(counts), key=counts.__getitem__)
    assert counts[pair] >= 10
    return pair


@pytest.fixture(scope="module")
def never(sample_raw) -> tuple[str, str]:
    """Two codes each coded on some episode but never on the same one, found brute-force."""
    counts = brute_pair_counts(sample_raw)
    used = sorted({row["factor_code"] for row in sample_raw.codings()})
    return next(pair for pair in combinations(used, 2) if counts[pair] == 0)


def some_pairs(raw, often, never) -> list[tuple[str, str]]:
    """The often and never pairs, and a few more of different counts (brute-force)."""
    counts = brute_pair_counts(raw)
    ranked = sorted(counts, key=lambda pair: (-counts[pair], pair))
    return [often, never, ranked[len(ranked) // 2], ranked[-1], ranked[5]]


# ---------------------------------------------------------------- the episodes


def test_the_episodes_are_those_with_both_codes_in_file_order(sample_rs, sample_raw, often, never):
    pairs = some_pairs(sample_raw, often, never)
    for a, b in pairs:
        found = pair_evidence(sample_rs, a, b)
        assert keys(found) == brute_pair(sample_raw, a, b), (a, b)
    assert len(pair_evidence(sample_rs, *often)) >= 10
    assert len(pair_evidence(sample_rs, *never)) == 0
    # The pair that is never together has codes that are each coded somewhere.
    coded = set(sample_rs.codings()["factor_code"])
    assert set(never) <= coded


def test_the_row_values_are_those_of_the_raw_files(sample_rs, sample_raw, often):
    found = pair_evidence(sample_rs, *often)
    episodes = {(e["review_id"], e["episode_id"]): e for e in sample_raw.episodes}
    assert len(found) > 0
    for row in found.itertuples(index=False):
        episode, review = episodes[(row.review_id, row.episode_id)], sample_raw.review[row.review_id]
        assert (text(row.area), text(row.region), row.year) == (review["area"], review["region"], int(review["year"]))
        for column in ("agencies", "appraisal", "summary"):
            assert text(getattr(row, column)) == episode[column], column


def test_the_order_of_the_pair_does_not_matter(sample_rs, sample_raw, often, never):
    for a, b in some_pairs(sample_raw, often, never):
        pd.testing.assert_frame_equal(pair_evidence(sample_rs, a, b), pair_evidence(sample_rs, b, a))


def test_polarity_keeps_the_episodes_where_both_are_coded_with_it(sample_rs, sample_raw, often):
    # In the sample a pair is coded together with one polarity only, or with both mixed (brute-force).
    every = brute_pair_counts(sample_raw)
    by = {polarity: brute_pair_counts(sample_raw, polarity=polarity) for polarity in sce.POLARITIES}
    mixed = next(pair for pair in sorted(every) if all(by[p][pair] == 0 for p in sce.POLARITIES))
    good = max(sorted(by["good"]), key=by["good"].__getitem__)
    for pair in (often, mixed, good):
        everything = set(keys(pair_evidence(sample_rs, *pair)))
        assert everything
        for polarity in sce.POLARITIES:
            found = pair_evidence(sample_rs, *pair, polarity=polarity)
            assert keys(found) == brute_pair(sample_raw, *pair, polarity=polarity), (pair, polarity)
            assert set(keys(found)) <= everything
    assert len(pair_evidence(sample_rs, *often, polarity="good")) == 0 < len(pair_evidence(sample_rs, *often))
    assert len(pair_evidence(sample_rs, *mixed, polarity="problematic")) == 0
    assert len(pair_evidence(sample_rs, *good, polarity="good")) == by["good"][good] > 0


def test_polarity_and_coder_on_a_hand_made_set(tmp_path, clean_files):
    clean_files["factors.csv"] = (
        "review_id,episode_id,factor_code,polarity,agency,coder,note\n"
        "R1,KPE1,fam_hostile,problematic,,a,\n"  # both problematic
        "R1,KPE1,prac_optimism,problematic,,a,\n"
        "R1,KPE2,fam_hostile,good,,a,\n"  # both good
        "R1,KPE2,prac_optimism,good,,a,\n"
        "R2,KPE1,fam_hostile,problematic,,a,\n"  # mixed
        "R2,KPE1,prac_optimism,good,,a,\n"
        "R2,KPE2,fam_hostile,,,a,\n"  # empty polarity: problematic
        "R2,KPE2,prac_optimism,problematic,,a,\n"
        "R3,KPE1,fam_hostile,problematic,,a,\n"  # both only in coder b's coding
        "R3,KPE1,fam_hostile,problematic,,b,\n"
        "R3,KPE1,prac_optimism,problematic,,b,\n"
    )
    folder = write_set(tmp_path / "set", clean_files)
    rs, raw = sce.load(folder), RawSet(folder)
    pair = ("fam_hostile", "prac_optimism")
    expected = {
        (None, None): [("R1", "KPE1"), ("R1", "KPE2"), ("R2", "KPE1"), ("R2", "KPE2")],
        ("problematic", None): [("R1", "KPE1"), ("R2", "KPE2")],
        ("good", None): [("R1", "KPE2")],
        (None, "b"): [("R1", "KPE1"), ("R1", "KPE2"), ("R2", "KPE1"), ("R2", "KPE2"), ("R3", "KPE1")],
        ("problematic", "b"): [("R1", "KPE1"), ("R2", "KPE2"), ("R3", "KPE1")],
    }
    for (polarity, coder), episodes in expected.items():
        found = pair_evidence(rs, *pair, polarity=polarity, coder=coder)
        assert keys(found) == episodes == brute_pair(raw, *pair, polarity=polarity, coder=coder), (polarity, coder)
    assert pair_evidence(rs, *pair).loc[3, ["area", "year", "appraisal"]].tolist() == ["Pellbridge", 2019, "neutral"]


def test_the_coder_argument_picks_that_coder_on_double_coded_episodes(sample_rs, sample_raw):
    coders_of = defaultdict(set)
    for row in sample_raw.factors:
        coders_of[(row["review_id"], row["episode_id"])].add(row["coder"])
    assert any(len(c) > 1 for c in coders_of.values()), "the sample should have double-coded episodes"
    second = sample_rs.coders[1]
    # A pair on which the second coder's episodes differ from the first coder's, found brute-force.
    first, theirs = brute_pair_counts(sample_raw), brute_pair_counts(sample_raw, coder=second)
    differing = [pair for pair in sorted(set(first) | set(theirs)) if first[pair] != theirs[pair]]
    assert differing
    for a, b in differing[:5]:
        found = pair_evidence(sample_rs, a, b, coder=second)
        assert keys(found) == brute_pair(sample_raw, a, b, coder=second), (a, b)
        assert keys(found) != keys(pair_evidence(sample_rs, a, b)), (a, b)
    with pytest.raises(sce.ParameterError, match="nobody"):
        pair_evidence(sample_rs, *differing[0], coder="nobody")


def test_a_filtered_set_gives_only_the_reviews_in_scope(sample_rs, sample_raw, often):
    scope = sample_rs.filter(years=(2018, 2022))
    in_scope = {r["review_id"] for r in sample_raw.reviews if 2018 <= int(r["year"]) <= 2022}
    found = pair_evidence(scope, *often)
    assert keys(found) == brute_pair(sample_raw, *often, in_scope)
    assert set(found["review_id"]) <= in_scope and found["year"].between(2018, 2022).all()
    # The filter removed some episodes that the whole set has.
    assert 0 < len(found) < len(pair_evidence(sample_rs, *often))


def test_the_count_is_n_ab_of_factor_pairs_at_the_episode_level(sample_rs, sample_raw, often, never):
    for polarity in (None, "problematic"):
        table = sce.factor_pairs(sample_rs, unit="episode", min_count=1, polarity=polarity)
        n_ab = {
            frozenset((a, b)): n for a, b, n in zip(table["factor_a"], table["factor_b"], table["n_ab"], strict=True)
        }
        checked = 0
        for a, b in some_pairs(sample_raw, often, never):
            if frozenset((a, b)) in n_ab:
                assert len(pair_evidence(sample_rs, a, b, polarity=polarity)) == n_ab[frozenset((a, b))], (a, b)
                checked += 1
        assert checked >= 3
        assert n_ab[frozenset(often)] > 0


# ---------------------------------------------------------------- columns and errors


def test_the_columns_are_the_documented_ones_with_the_source_dtypes(sample_rs, often, never):
    assert drilldown.EVIDENCE_COLUMNS == COLUMNS
    doc = pair_evidence.__doc__
    for column in COLUMNS:
        assert f"``{column}``" in doc, column
    for pair in (often, never):
        found = pair_evidence(sample_rs, *pair)
        assert found.columns.tolist() == COLUMNS
        assert isinstance(found.index, pd.RangeIndex) and found.index.start == 0
        for column in COLUMNS:
            source = sample_rs.reviews if column in FROM_REVIEWS else sample_rs.episodes
            assert found[column].dtype == source[column].dtype, column
    assert len(pair_evidence(sample_rs, *never)) == 0


def test_a_set_with_no_review_gives_the_columns_and_no_rows(sample_rs, often):
    empty = sample_rs.select_reviews(np.zeros(len(sample_rs.reviews), dtype=bool))
    found = pair_evidence(empty, *often)
    assert found.columns.tolist() == COLUMNS and len(found) == 0


@pytest.mark.parametrize("position", [0, 1])
def test_an_unknown_code_is_named(sample_rs, often, position):
    pair = list(often)
    pair[position] = "no_such_factor"
    with pytest.raises(sce.ParameterError, match="no_such_factor"):
        pair_evidence(sample_rs, *pair)


def test_the_same_code_twice_is_refused_and_named(sample_rs, often):
    with pytest.raises(sce.ParameterError, match=re.escape(repr(often[0]))):
        pair_evidence(sample_rs, often[0], often[0])


def test_a_bad_polarity_is_refused(sample_rs, often):
    with pytest.raises(sce.ParameterError, match="polarity"):
        pair_evidence(sample_rs, *often, polarity="bad")


def test_it_is_public_at_the_top_level():
    assert sce.pair_evidence is pair_evidence
    assert "pair_evidence" in sce.__all__ and "pair_evidence" in drilldown.__all__
    assert sce.stats.pair_evidence is pair_evidence
