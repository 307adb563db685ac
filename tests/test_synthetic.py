"""Tests of sce_analysis.synthetic: determinism, the shipped sample, realism, and planted truth.

Plants are checked with independent computations (plain pandas counts, scipy.stats, statsmodels),
never with code from the generator.
"""

from __future__ import annotations

import importlib.resources
import json
import os
import re
import shutil
import subprocess
import sys
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats
from statsmodels.stats.multitest import multipletests

import sce_analysis as sce
from sce_analysis import synthetic
from sce_analysis.reviewsets import frames
from sce_analysis.reviewsets.frames import default_coding_frame
from sce_analysis.synthetic import SAMPLE_ARGS, Plants, SyntheticSet, generate, readme, sample, vocabulary

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_FOLDER = ROOT / "data" / "sample"
SAMPLE_FILES = ("README.md", "episodes.csv", "factors.csv", "findings.csv", "reviews.csv", "taxonomy.csv")
AGENCIES = {
    "Children's social care", "Health visiting", "GP practice", "Midwifery", "Police", "School",
    "Adult mental health services", "Drug and alcohol service", "Housing", "Probation", "Emergency department",
    "CAMHS", "Early help",
}  # fmt: skip
FRAMES = ("reviews", "episodes", "factors", "findings", "taxonomy")

# The set on which plants are detected: large enough for power, small enough to be quick.
PLANT_REVIEWS, PLANT_SEED = 1000, 7


# --------------------------------------------------------------------------------------
# Independent helpers
# --------------------------------------------------------------------------------------


def episode_matrix(rs: sce.ReviewSet) -> pd.DataFrame:
    """Episodes x codes presence (first coder), rows in (review, sequence) order, every code a column."""
    codings = rs.codings()
    episodes = rs.episodes.sort_values(["review_id", "sequence"])
    counts = pd.crosstab([codings["review_id"], codings["episode_id"]], codings["factor_code"])
    index = pd.MultiIndex.from_frame(episodes[["review_id", "episode_id"]])
    return counts.reindex(index=index, columns=rs.taxonomy["factor_code"], fill_value=0) > 0


def review_matrix(rs: sce.ReviewSet) -> pd.DataFrame:
    """Reviews x codes presence (first coder), every review a row and every code a column."""
    codings = rs.codings()
    counts = pd.crosstab(codings["review_id"], codings["factor_code"])
    return counts.reindex(index=rs.reviews["review_id"], columns=rs.taxonomy["factor_code"], fill_value=0) > 0


def review_attribute(rs: sce.ReviewSet, column: str, index: pd.Index) -> pd.Series:
    return rs.reviews.set_index("review_id")[column].reindex(index)


def bh(pvalues) -> np.ndarray:
    pvalues = np.asarray(pvalues, dtype=float)
    return multipletests(pvalues, method="fdr_bh")[1] if len(pvalues) else pvalues


def pair_table(episodes: pd.DataFrame, pairs) -> pd.DataFrame:
    """Episode-level co-occurrence of code pairs: count, lift and hypergeometric upper-tail p."""
    x = episodes.to_numpy().astype(int)
    n = len(x)
    column = {c: i for i, c in enumerate(episodes.columns)}
    rows = []
    for a, b in pairs:
        ia, ib = column[a], column[b]
        n_a, n_b, n_ab = x[:, ia].sum(), x[:, ib].sum(), (x[:, ia] & x[:, ib]).sum()
        lift = n_ab * n / (n_a * n_b) if n_a and n_b else np.nan
        p = stats.hypergeom.sf(n_ab - 1, n, n_a, n_b)
        rows.append((a, b, n_a, n_b, n_ab, lift, p))
    return pd.DataFrame(rows, columns=["a", "b", "n_a", "n_b", "n_ab", "lift", "p"])


def fisher_greater(present: pd.Series, in_group: pd.Series) -> tuple[float, float]:
    table = [
        [int((present & in_group).sum()), int((~present & in_group).sum())],
        [int((present & ~in_group).sum()), int((~present & ~in_group).sum())],
    ]
    result = stats.fisher_exact(table, alternative="greater")
    return float(result.statistic), float(result.pvalue)


def year_slope(present: pd.Series, year: pd.Series) -> tuple[float, float]:
    """Logistic regression of review-level presence on year: slope per year and its p-value."""
    x = sm.add_constant(year.to_numpy(dtype=float) - year.mean())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = sm.Logit(present.to_numpy(dtype=float), x).fit(disp=0)
    return float(fit.params[1]), float(fit.pvalues[1])


def consecutive_counts(episodes: pd.DataFrame, *, permutations: int, seed: int):
    """Observed a->b counts over consecutive episodes of a review, and permutation p-values.

    The null shuffles episode order within each review (seeded). Returns ``observed``, the mean
    permuted count, and p = (1 + #{permuted >= observed}) / (1 + permutations), as code x code frames.
    """
    reviews = episodes.index.get_level_values("review_id").to_numpy()
    group = pd.factorize(reviews)[0]
    same = group[1:] == group[:-1]
    x = episodes.to_numpy().astype(np.int64)

    def count(m):
        return m[:-1][same].T @ m[1:][same]

    observed = count(x)
    rng = np.random.default_rng(seed)
    at_least = np.zeros_like(observed)
    total = np.zeros(observed.shape)
    for _ in range(permutations):
        shuffled = x[np.lexsort((rng.random(len(group)), group))]
        c = count(shuffled)
        at_least += c >= observed
        total += c
    codes = episodes.columns
    as_frame = lambda m: pd.DataFrame(m, index=codes, columns=codes)  # noqa: E731
    return as_frame(observed), as_frame(total / permutations), as_frame((1 + at_least) / (1 + permutations))


# --------------------------------------------------------------------------------------
# Fixtures
# --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shipped() -> SyntheticSet:
    return sample()


@pytest.fixture(scope="module")
def planted_set() -> SyntheticSet:
    return generate(PLANT_REVIEWS, seed=PLANT_SEED)


@pytest.fixture(scope="module")
def planted_episodes(planted_set) -> pd.DataFrame:
    return episode_matrix(planted_set.review_set)


@pytest.fixture(scope="module")
def planted_reviews(planted_set) -> pd.DataFrame:
    return review_matrix(planted_set.review_set)


@pytest.fixture(scope="module")
def planted_sequences(planted_episodes):
    return consecutive_counts(planted_episodes, permutations=200, seed=11)


# --------------------------------------------------------------------------------------
# Determinism
# --------------------------------------------------------------------------------------


def test_same_arguments_give_identical_frames_and_plants():
    first = generate(60, seed=5, double_coded_share=0.3)
    second = generate(60, seed=5, double_coded_share=0.3)
    for name in FRAMES:
        pd.testing.assert_frame_equal(getattr(first.review_set, name), getattr(second.review_set, name))
    assert first.planted == second.planted
    assert first.arguments == second.arguments


def test_same_arguments_give_identical_bytes(tmp_path):
    generate(60, seed=5, double_coded_share=0.3).write(tmp_path / "one")
    generate(60, seed=5, double_coded_share=0.3).write(tmp_path / "two")
    names = sorted(p.name for p in (tmp_path / "one").iterdir())
    assert names == sorted(SAMPLE_FILES)
    for name in names:
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes(), name


def test_another_seed_gives_other_data():
    first, second = generate(60, seed=5).review_set, generate(60, seed=6).review_set
    assert not first.factors.equals(second.factors)
    assert not first.episodes.equals(second.episodes)
    assert not first.reviews.equals(second.reviews)


def test_no_global_random_state_is_used():
    np.random.seed(1)
    first = generate(30, seed=2).review_set
    np.random.seed(99)
    np.random.random(10)
    second = generate(30, seed=2).review_set
    assert first.equals(second)


# --------------------------------------------------------------------------------------
# The shipped sample
# --------------------------------------------------------------------------------------


def test_committed_sample_equals_the_generator_byte_for_byte(tmp_path, shipped):
    shipped.write(tmp_path)
    committed = sorted(p.name for p in SAMPLE_FOLDER.iterdir() if not p.name.startswith("."))
    assert committed == sorted(SAMPLE_FILES), "data/sample holds other files than the generator writes"
    for name in SAMPLE_FILES:
        fresh, stored = (tmp_path / name).read_bytes(), (SAMPLE_FOLDER / name).read_bytes()
        assert fresh == stored, (
            f"data/sample/{name} differs from sample().write(); regenerate it with "
            "`python -m sce_analysis.synthetic data/sample`"
        )


def test_sample_is_generate_with_sample_args(shipped):
    assert shipped.arguments == {**shipped.arguments, **SAMPLE_ARGS}
    assert generate(**SAMPLE_ARGS).review_set.equals(shipped.review_set)


def test_committed_sample_is_valid_and_loads_to_the_generated_set(shipped):
    assert sce.validate(SAMPLE_FOLDER) == []
    assert sce.load(SAMPLE_FOLDER).equals(shipped.review_set)


def test_sample_size_places_and_years(shipped):
    reviews = shipped.review_set.reviews
    assert len(reviews) >= 80
    assert reviews["area"].nunique() == 16
    assert reviews["region"].nunique() == 5
    assert set(reviews["region"]) == {
        "North West", "North East and Yorkshire", "Midlands", "London and South East", "South West",
    }  # fmt: skip
    assert reviews.groupby("area")["region"].nunique().eq(1).all(), "an area lies in two regions"
    assert set(reviews["year"]) == set(range(2011, 2026))
    assert reviews["review_id"].str.fullmatch(r"R\d{4}").all()
    assert reviews["method"].eq("SCIE Learning Together").all()
    assert not reviews["area"].str.contains(r"\d").any(), "the 16 default areas have place names"


def test_sample_review_types_follow_the_2019_change(shipped):
    reviews = shipped.review_set.reviews
    scr = reviews["review_type"] == "Serious case review"
    lcspr = reviews["review_type"] == "Local child safeguarding practice review"
    assert (scr | lcspr).all()
    assert scr[reviews["year"] <= 2018].all()
    assert lcspr[reviews["year"] >= 2021].all()
    suffix = np.where(scr, ": serious case review", ": local child safeguarding practice review")
    assert all(t.endswith(s) for t, s in zip(reviews["title"], suffix, strict=True))
    assert reviews["title"].str.fullmatch(r"(Child [A-Z]|Baby [A-Z]|Children [A-Z] and [A-Z]): .+").all()


def test_sample_episodes_are_ordered_chronologies(shipped):
    rs = shipped.review_set
    episodes = rs.episodes.merge(rs.reviews[["review_id", "year"]], on="review_id")
    per_review = episodes.groupby("review_id")["sequence"]
    k = per_review.size()
    assert k.between(6, 10).all()
    assert 6.0 <= k.mean() <= 7.5
    assert (per_review.min() == 1).all() and (per_review.max() == k).all() and (per_review.nunique() == k).all()
    assert (episodes["episode_id"] == "KPE" + episodes["sequence"].astype(str)).all()
    assert (episodes["end_date"] >= episodes["start_date"]).all()
    ordered = episodes.sort_values(["review_id", "sequence"])
    assert ordered.groupby("review_id")["start_date"].apply(lambda s: s.is_monotonic_increasing).all()
    start_year, end_year = episodes["start_date"].dt.year, episodes["end_date"].dt.year
    assert (end_year < episodes["year"]).all() and (start_year >= episodes["year"] - 3).all()
    assert episodes["title"].str.len().gt(10).all() and episodes["summary"].str.len().gt(20).all()


def test_sample_agencies_and_appraisals(shipped):
    rs = shipped.review_set
    listed = rs.episode_agencies
    assert set(listed["agency"]) <= AGENCIES
    assert len(set(listed["agency"])) >= 10
    share = rs.episodes["appraisal"].value_counts(normalize=True)
    assert share["problematic"] + share["mixed"] > 0.75
    assert 0.02 < share["good"] < 0.2
    # Each factor's agency is one of its episode's agencies.
    factors = rs.factors.merge(listed, left_on=["review_id", "episode_id", "agency"],
                               right_on=["review_id", "episode_id", "agency"], how="left", indicator=True)  # fmt: skip
    assert (factors["_merge"] == "both").all()


def test_sample_polarity_matches_appraisal(shipped):
    rs = shipped.review_set
    codings = rs.codings().merge(rs.episodes[["review_id", "episode_id", "appraisal"]], on=["review_id", "episode_id"])
    assert codings["polarity"].value_counts(normalize=True)["problematic"] > 0.8
    on_good = codings[codings["appraisal"] == "good"]
    assert len(on_good) > 0 and on_good["polarity"].eq("good").all()
    on_problematic = codings[codings["appraisal"] == "problematic"]
    assert on_problematic["polarity"].eq("problematic").all()
    good_codes = set(codings.loc[codings["polarity"] == "good", "factor_code"])
    assert good_codes == set(shipped.planted.supportive)


def test_sample_double_coding(shipped):
    factors = shipped.review_set.factors
    assert set(factors["coder"]) == {"reviewer_a", "reviewer_b"}
    by_b = set(factors.loc[factors["coder"] == "reviewer_b", "review_id"])
    assert len(by_b) == round(0.1 * len(shipped.review_set.reviews))
    assert not factors.duplicated(["review_id", "episode_id", "factor_code", "coder"]).any()
    key = ["review_id", "episode_id", "factor_code"]
    a = factors[(factors["coder"] == "reviewer_a") & factors["review_id"].isin(by_b)][key]
    b = factors[factors["coder"] == "reviewer_b"][key]
    both = len(a.merge(b, on=key))
    agreement = both / (len(a) + len(b) - both)  # Jaccard of the two coders' codings
    assert 0.6 < agreement < 0.95


def test_double_coding_agreement_is_about_80_percent():
    factors = generate(400, seed=3, double_coded_share=0.5).review_set.factors
    key = ["review_id", "episode_id", "factor_code"]
    b = factors[factors["coder"] == "reviewer_b"][key]
    a = factors[(factors["coder"] == "reviewer_a") & factors["review_id"].isin(b["review_id"])][key]
    kept = len(a.merge(b, on=key)) / len(a)
    assert 0.78 < kept < 0.9, kept


def test_sample_findings(shipped):
    rs = shipped.review_set
    findings = rs.findings
    assert set(findings["category"]) == set(sce.SCIE_CATEGORIES)
    assert findings.groupby("review_id").size().between(3, 6).all()
    assert set(findings["review_id"]) == set(rs.reviews["review_id"])
    assert not findings.duplicated(["review_id", "category"]).any()
    assert findings["issues_for_board"].str.endswith("?").all()
    assert findings["title"].str.len().gt(30).all() and findings["summary"].str.len().gt(50).all()
    assert findings["episode_ids"].notna().all()
    # Cited codes belong to the finding's category and are coded on the cited episodes.
    category_of = rs.taxonomy.set_index("factor_code")["scie_category"]
    cited = rs.finding_factors.merge(findings[["review_id", "finding_id", "category"]], on=["review_id", "finding_id"])
    assert (cited["factor_code"].map(category_of).astype(str) == cited["category"].astype(str)).all()
    assert len(cited) > 0.8 * len(findings)
    coded = rs.codings()[["review_id", "episode_id", "factor_code"]]
    on_cited = rs.finding_episodes.merge(coded, on=["review_id", "episode_id"])
    backed = cited.merge(on_cited, on=["review_id", "finding_id", "factor_code"]).drop_duplicates(
        ["review_id", "finding_id", "factor_code"]
    )
    assert len(backed) == len(cited), "a finding names a factor that none of its cited episodes carries"


def test_sample_taxonomy(shipped):
    taxonomy = shipped.review_set.taxonomy
    assert 35 <= len(taxonomy) <= 60
    assert set(taxonomy["level"]) == {"frontline", "local_strategic", "national"}
    assert taxonomy["level"].value_counts().min() >= 4
    assert set(taxonomy["scie_category"]) == set(sce.SCIE_CATEGORIES)
    assert taxonomy["factor_code"].str.fullmatch(r"[a-z]+(_[a-z]+)+").all()
    assert taxonomy["label"].str.match(r"[A-Z]").all() and not taxonomy["label"].str.endswith(".").any()
    assert taxonomy["description"].str.endswith(".").all()
    frontline_types = set(taxonomy.loc[taxonomy["level"] == "frontline", "factor_type"])
    assert {
        "Aspects of the family", "Personal aspects of the staff member", "Aspects of the role",
        "Conditions of work", "Own team",
    } <= frontline_types  # fmt: skip
    parents = taxonomy["parent_code"].dropna()
    assert 2 <= len(parents) <= len(taxonomy) // 4
    assert parents.isin(taxonomy["factor_code"]).all()


def test_sample_codings_per_episode(shipped):
    rs = shipped.review_set
    per_episode = len(rs.codings()) / len(rs.episodes)
    assert 2.3 <= per_episode <= 2.7
    assert rs.taxonomy["factor_code"].isin(rs.factors["factor_code"]).mean() > 0.9


# --------------------------------------------------------------------------------------
# Plants: every code has exactly one role
# --------------------------------------------------------------------------------------


def test_every_code_has_exactly_one_role(planted_set):
    plants: Plants = planted_set.planted
    groups = [
        list(plants.recurring),
        [c for group in plants.clusters for c in group],
        list(plants.regional),
        list(plants.rising),
        list(plants.falling),
        [c for pair in plants.sequences for c in pair],
        list(plants.null),
        list(plants.supportive),
    ]
    every = [c for group in groups for c in group]
    assert len(every) == len(set(every)), "a code has two roles"
    assert set(every) == set(planted_set.review_set.taxonomy["factor_code"])
    assert set(plants.roles) == set(every)
    assert set(plants.planted) == set(every) - set(plants.null) - set(plants.supportive)
    assert len(plants.null) >= 5 and len(plants.clusters) >= 2 and all(len(g) >= 3 for g in plants.clusters)
    assert set(plants.regional.values()) <= set(planted_set.review_set.reviews["region"])
    assert len(plants.cluster_themes) == len(plants.clusters)


# --------------------------------------------------------------------------------------
# Plants are detectable on a moderate set, and nulls are not
# --------------------------------------------------------------------------------------


def test_recurring_factors_are_common_everywhere(planted_set, planted_reviews):
    plants = planted_set.planted
    share = planted_reviews.mean()
    area = review_attribute(planted_set.review_set, "area", planted_reviews.index)
    n_areas = area.nunique()
    for code in plants.recurring:
        assert share[code] >= 0.6, (code, share[code])
        assert share[code] > share[list(plants.null)].max() + 0.2
        assert area[planted_reviews[code]].nunique() == n_areas, f"{code} is missing from an area"
        by_area = planted_reviews[code].groupby(area).mean()
        assert by_area.min() > 0.4, (code, by_area.min())


def test_cluster_members_co_occur_on_episodes(planted_set, planted_episodes):
    pairs = [(a, b) for group in planted_set.planted.clusters for i, a in enumerate(group) for b in group[i + 1 :]]
    table = pair_table(planted_episodes, pairs)
    assert (table["lift"] > 2).all(), table
    assert (table["p"] < 1e-10).all(), table
    for a, b in pairs[:3]:  # Fisher's exact test agrees with the hypergeometric tail
        x = planted_episodes
        fisher = stats.fisher_exact(pd.crosstab(x[a], x[b]).to_numpy()[::-1, ::-1], alternative="greater")
        assert fisher.pvalue < 1e-10


def test_regional_factors_are_concentrated_in_their_region(planted_set, planted_reviews):
    region = review_attribute(planted_set.review_set, "region", planted_reviews.index)
    for code, where in planted_set.planted.regional.items():
        odds, p = fisher_greater(planted_reviews[code], region == where)
        assert p < 1e-8 and odds > 4, (code, where, odds, p)
        share = planted_reviews[code].groupby(region).mean()
        assert share.idxmax() == where


def test_rising_and_falling_factors_have_year_slopes(planted_set, planted_reviews):
    year = review_attribute(planted_set.review_set, "year", planted_reviews.index)
    for sign, codes in ((1, planted_set.planted.rising), (-1, planted_set.planted.falling)):
        for code in codes:
            slope, p = year_slope(planted_reviews[code], year)
            assert sign * slope > 0.1 and p < 1e-8, (code, slope, p)


def test_sequences_exceed_their_shuffled_expectation(planted_set, planted_sequences):
    observed, expected, p = planted_sequences
    for a, b in planted_set.planted.sequences:
        assert observed.loc[a, b] > 2 * expected.loc[a, b], (a, b, observed.loc[a, b], expected.loc[a, b])
        assert p.loc[a, b] < 0.01
        # The effect is directional: b does not announce a.
        assert observed.loc[b, a] < observed.loc[a, b]


def test_null_factors_show_no_pattern(planted_set, planted_reviews, planted_episodes, planted_sequences):
    """After Benjamini-Hochberg over each family of null hypotheses, nothing is found for null codes."""
    plants = planted_set.planted
    rs = planted_set.review_set
    null = list(plants.null)
    share = planted_reviews.mean()
    assert share[null].max() < share[list(plants.recurring)].min() - 0.2

    codes = list(planted_episodes.columns)
    pairs = [(a, b) for i, a in enumerate(codes) for b in codes[i + 1 :] if a in null or b in null]
    co_occurrence = pair_table(planted_episodes, pairs)
    assert (bh(co_occurrence["p"]) >= 0.05).all(), co_occurrence.sort_values("p").head()

    region = review_attribute(rs, "region", planted_reviews.index)
    regional = [fisher_greater(planted_reviews[c], region == r)[1] for c in null for r in sorted(region.unique())]
    assert (bh(regional) >= 0.05).all()

    year = review_attribute(rs, "year", planted_reviews.index)
    trends = [year_slope(planted_reviews[c], year)[1] for c in null]
    assert (bh(trends) >= 0.05).all()

    _, _, p = planted_sequences
    sequence_p = p.loc[null, null].to_numpy().ravel()
    assert (bh(sequence_p) >= 0.05).all()


def test_effect_zero_plants_nothing():
    s = generate(600, seed=4, effect=0.0)
    episodes, reviews = episode_matrix(s.review_set), review_matrix(s.review_set)
    plants = s.planted
    assert plants.strengths == dict.fromkeys(plants.strengths, 0.0)
    assert reviews.mean()[list(plants.recurring)].max() < 0.45
    pairs = [(a, b) for group in plants.clusters for i, a in enumerate(group) for b in group[i + 1 :]]
    table = pair_table(episodes, pairs)
    assert (bh(table["p"]) >= 0.05).all(), table
    expected = (table["n_a"] * table["n_b"] / len(episodes)).sum()
    assert table["n_ab"].sum() < 2 * expected


def test_effect_scales_the_plants():
    weak, strong = generate(600, seed=4, effect=0.5), generate(600, seed=4, effect=1.5)
    code = weak.planted.recurring[0]
    assert review_matrix(strong.review_set)[code].mean() > review_matrix(weak.review_set)[code].mean() + 0.1
    assert strong.planted.strengths["cluster"] == pytest.approx(3 * weak.planted.strengths["cluster"])


def test_shipped_sample_plants_are_detectable(shipped):
    """The 80-review sample is big enough for sensible statistics to find every plant."""
    rs, plants = shipped.review_set, shipped.planted
    episodes, reviews = episode_matrix(rs), review_matrix(rs)
    assert reviews.mean()[list(plants.recurring)].min() >= 0.6
    # Cluster pairs survive BH over every pair of codes seen on at least 5 episodes.
    common = [c for c in episodes.columns if episodes[c].sum() >= 5]
    table = pair_table(episodes, [(a, b) for i, a in enumerate(common) for b in common[i + 1 :]])
    table["q"] = bh(table["p"])
    wanted = {frozenset((a, b)) for g in plants.clusters for i, a in enumerate(g) for b in g[i + 1 :]}
    found = table[[frozenset((a, b)) in wanted for a, b in zip(table["a"], table["b"], strict=True)]]
    assert len(found) == len(wanted) and (found["q"] < 0.05).all(), found
    region = review_attribute(rs, "region", reviews.index)
    for code, where in plants.regional.items():
        assert fisher_greater(reviews[code], region == where)[1] < 0.001
    year = review_attribute(rs, "year", reviews.index)
    for sign, codes in ((1, plants.rising), (-1, plants.falling)):
        for code in codes:
            slope, p = year_slope(reviews[code], year)
            assert sign * slope > 0 and p < 0.01, (code, slope, p)
    observed, expected, p = consecutive_counts(episodes, permutations=200, seed=5)
    for a, b in plants.sequences:
        assert observed.loc[a, b] > 2 * expected.loc[a, b] and p.loc[a, b] < 0.05


# --------------------------------------------------------------------------------------
# Parameters, sizes and the command line
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("arguments", "named"),
    [
        ({"n_reviews": 0}, "n_reviews"),
        ({"n_reviews": 2.5}, "n_reviews"),
        ({"n_reviews": True}, "n_reviews"),
        ({"n_reviews": "80"}, "n_reviews"),
        ({"seed": -1}, "seed"),
        ({"n_regions": 1}, "n_regions"),
        ({"n_areas": 3, "n_regions": 5}, "n_areas"),
        ({"first_year": 2020, "last_year": 2020}, "last_year"),
        ({"first_year": 1800}, "first_year"),
        ({"episodes_per_review": (10, 6)}, "episodes_per_review"),
        ({"episodes_per_review": (1, 6)}, "episodes_per_review"),
        ({"episodes_per_review": "6-10"}, "episodes_per_review"),
        ({"episodes_per_review": (6, 8, 10)}, "episodes_per_review"),
        ({"findings_per_review": (3, 7)}, "findings_per_review"),
        ({"double_coded_share": 1.5}, "double_coded_share"),
        ({"double_coded_share": "0.1"}, "double_coded_share"),
        ({"effect": -0.5}, "effect"),
        ({"effect": float("nan")}, "effect"),
    ],
)
def test_bad_parameters_raise_parameter_error(arguments, named):
    with pytest.raises(sce.ParameterError, match=named):
        generate(**arguments)


def test_options_are_keyword_only():
    with pytest.raises(TypeError):
        generate(80, 1)  # type: ignore[misc]


def test_scaling_to_2000_reviews():
    rs = generate(2000, seed=21).review_set
    per_review_episodes = len(rs.episodes) / 2000
    per_episode_codings = len(rs.codings()) / len(rs.episodes)
    assert per_review_episodes == pytest.approx(6.5, abs=0.15)
    assert 2.35 <= per_episode_codings <= 2.6
    assert len(rs.codings()) / 2000 == pytest.approx(6.5 * 2.45, rel=0.06)
    assert rs.reviews["review_id"].is_unique and rs.reviews["review_id"].str.fullmatch(r"R\d{4}").all()


def test_many_areas_regions_and_few_reviews():
    s = generate(25, seed=2, n_areas=40, n_regions=8, first_year=2015, last_year=2016, episodes_per_review=(3, 4))
    reviews = s.review_set.reviews
    assert len(reviews) == 25
    area_names = synthetic.vocabulary.load_vocabulary().area_names
    assert len(area_names) == 16
    assert reviews["area"].isin([*area_names, *(f"Area {i:03d}" for i in range(17, 41))]).all()
    assert reviews["region"].str.fullmatch(r"Region 0[1-8]").all()
    assert reviews.groupby("area")["region"].nunique().eq(1).all()
    assert reviews["year"].between(2015, 2016).all()
    assert s.review_set.episodes.groupby("review_id").size().between(3, 4).all()
    assert generate(1, seed=0).review_set.reviews.shape[0] == 1


def test_review_ids_widen_beyond_9999():
    assert generate(12, seed=1).review_set.reviews["review_id"].iloc[-1] == "R0012"
    ids = generate(10_000, seed=1, episodes_per_review=(2, 2), findings_per_review=(1, 1)).review_set.reviews
    assert ids["review_id"].iloc[[0, -1]].tolist() == ["R00001", "R10000"]
    assert ids["review_id"].is_monotonic_increasing


def test_readme_describes_the_set_and_its_plants(shipped):
    text = (SAMPLE_FOLDER / "README.md").read_text(encoding="utf-8")
    assert "entirely synthetic" in text
    assert "No real person's data" in text
    call = "sce_analysis.synthetic.generate(" + ", ".join(f"{k}={v!r}" for k, v in shipped.arguments.items()) + ")"
    assert call in text
    for name in ("reviews.csv", "episodes.csv", "factors.csv", "findings.csv", "taxonomy.csv"):
        assert f"`{name}`" in text
    for code in shipped.review_set.taxonomy["factor_code"]:
        assert f"`{code}`" in text
    for code, region in shipped.planted.regional.items():
        assert re.search(rf"`{code}` \([^)]*\): {region}", text)
    assert f"| reviews | {len(shipped.review_set.reviews)} |" in text
    assert f"{shipped.planted.strengths['cluster']:+.2f}" in text


def test_command_line_writes_a_set(tmp_path, capsys):
    assert synthetic.main([str(tmp_path), "--reviews", "30", "--seed", "3", "--double-coded", "0.2"]) == 0
    assert "30 reviews" in capsys.readouterr().out
    loaded = sce.load(tmp_path)
    expected = generate(**{**SAMPLE_ARGS, "n_reviews": 30, "seed": 3, "double_coded_share": 0.2})
    assert loaded.equals(expected.review_set)
    assert "n_reviews=30, seed=3" in (tmp_path / "README.md").read_text(encoding="utf-8")


def test_command_line_reports_a_bad_parameter(tmp_path, capsys):
    assert synthetic.main([str(tmp_path / "out"), "--reviews", "0"]) == 2
    assert "n_reviews" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_module_runs_with_python_dash_m(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "sce_analysis.synthetic", str(tmp_path), "--reviews", "12", "--areas", "6"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert sce.validate(tmp_path) == []
    assert sce.load(tmp_path).reviews["area"].nunique() == 6


# --------------------------------------------------------------------------------------
# The coding frame and the generator's data files, as package data
# --------------------------------------------------------------------------------------


def test_default_coding_frame_is_the_sample_and_generator_frame(shipped):
    frame = default_coding_frame()
    assert frame.equals(sce.load(SAMPLE_FOLDER).taxonomy)
    assert frame.equals(shipped.review_set.taxonomy)
    assert frame.equals(generate(5, seed=3, n_areas=2, n_regions=2).review_set.taxonomy)
    shipped_bytes = (importlib.resources.files("sce_analysis.reviewsets") / "data" / "coding_frame.csv").read_bytes()
    assert shipped_bytes == (SAMPLE_FOLDER / "taxonomy.csv").read_bytes()
    frame.loc[0, "label"] = "changed"
    assert default_coding_frame().loc[0, "label"] != "changed"  # a new frame on every call


def test_default_coding_frame_is_read_from_inside_the_package(monkeypatch):
    read = []

    def spy(source):
        read.append(Path(source).resolve())
        return sce.read_taxonomy(source)

    monkeypatch.setattr(frames, "read_taxonomy", spy)
    assert len(default_coding_frame()) == 56
    package_data = Path(frames.__file__).resolve().parent / "data"
    assert read == [package_data / "coding_frame.csv"]
    assert not read[0].is_relative_to(ROOT / "data")


def test_package_data_is_found_from_a_zip(tmp_path):
    # A zip on sys.path has no files on disk and no data/sample beside it: only importlib.resources finds the data.
    package = Path(synthetic.__file__).resolve().parents[1]
    archive = tmp_path / "sce_analysis.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for path in sorted(package.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                zipped.write(path, path.relative_to(package.parent).as_posix())
    script = (
        "import sce_analysis, sce_analysis.synthetic as s\n"
        "from sce_analysis.reviewsets.frames import default_coding_frame\n"
        "print(sce_analysis.__file__)\n"
        "out = s.generate(20, seed=3, double_coded_share=0.2).write('zipped')\n"
        "print(default_coding_frame().equals(sce_analysis.load(out).taxonomy))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(archive)}
    result = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    where, equal = result.stdout.split()
    assert where.startswith(str(archive)) and equal == "True"
    generate(20, seed=3, double_coded_share=0.2).write(tmp_path / "here")
    for name in SAMPLE_FILES:
        assert (tmp_path / "zipped" / name).read_bytes() == (tmp_path / "here" / name).read_bytes(), name


@pytest.fixture
def data_copy(tmp_path, monkeypatch):
    """A copy of the generator's data files that the generator reads instead of its own."""
    folder = tmp_path / "data"
    shutil.copytree(Path(str(vocabulary.DATA_FOLDER)), folder)
    monkeypatch.setattr(vocabulary, "DATA_FOLDER", folder)
    vocabulary.load_vocabulary.cache_clear()
    readme.readme_templates.cache_clear()
    yield folder
    vocabulary.load_vocabulary.cache_clear()
    readme.readme_templates.cache_clear()


def test_an_unchanged_copy_of_the_data_gives_the_same_set(data_copy, tmp_path):
    copied = generate(30, seed=4, double_coded_share=0.2).write(tmp_path / "copy")
    assert vocabulary.load_vocabulary().factors[0].code == "fam_hostile"
    assert (copied / "README.md").read_text(encoding="utf-8").startswith("# Synthetic review set\n")


def _edit_json(key_path, value):
    def edit(text):
        data = json.loads(text)
        *parents, last = key_path
        target = data
        for key in parents:
            target = target[key]
        if value is None:
            del target[last]
        else:
            target[last] = value
        return json.dumps(data)

    return edit


@pytest.mark.parametrize(
    ("name", "edit", "problem"),
    [
        ("plants.json", lambda t: t.replace('"ls_info_sharing"', '"ls_info_shring"'), "'ls_info_shring', not one of"),
        ("plants.json", _edit_json(["cluster_rate"], None), "missing cluster_rate"),
        ("plants.json", _edit_json(["strengths", "trend"], "strong"), "strengths.trend must be a number"),
        ("plants.json", _edit_json(["rising"], ["nat_workforce", "fam_engaged"]), "fam_engaged has polarity good"),
        ("factor_parameters.csv", lambda t: re.sub(r"\nfam_dv,[^\n]*", "", t), "no row for factor_code fam_dv"),
        (
            "factor_parameters.csv",
            lambda t: t.replace("fam_hostile,0.05,", "fam_hostile,high,"),
            "'high' is not a number",
        ),
        ("factor_parameters.csv", lambda t: t.replace("base_rate", "rate"), "its header must be"),
        ("episode_types.json", lambda t: t[: len(t) // 2], "not valid JSON"),
        ("episode_types.json", lambda t: t.replace('"primary_agency": "Police"', '"primary_agency": "Army"'), "'Army'"),
        ("vocabulary.json", _edit_json(["agencies"], None), "missing agencies"),
        ("vocabulary.json", _edit_json(["episode_endings", "mixed"], []), "episode_endings.mixed must be"),
        ("categories.csv", lambda t: re.sub(r"\nhuman_tool,[^\n]*", "", t), "no row for scie_category human_tool"),
        ("readme.md", lambda t: t.replace("$call", "$cal"), "missing $call; unexpected $cal"),
        ("readme_double_coding.md", lambda t: t + " costs $5", "write a literal $ as $$"),
    ],
)
def test_a_broken_data_file_fails_with_an_error_naming_it(data_copy, tmp_path, name, edit, problem):
    path = data_copy / name
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(sce.SceAnalysisError) as raised:
        generate(10, seed=1, double_coded_share=0.2).write(tmp_path / "out")
    message = str(raised.value)
    assert f"data file {path} is broken" in message
    assert problem in message


def test_a_missing_data_file_is_named(data_copy):
    (data_copy / "plants.json").unlink()
    with pytest.raises(sce.SceAnalysisError, match=r"plants\.json is broken: it cannot be read"):
        generate(10, seed=1)
