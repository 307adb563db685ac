"""Independent checks of the factor networks (``sce_analysis.stats.networks``).

Nothing here reuses the library's counting. Every expected number comes from one of:

- a brute-force loop over the raw CSV rows, read with the ``csv`` module (:class:`brute.RawSet`);
- networkx (``bipartite.weighted_projected_graph``, degree, betweenness, eigenvector centrality,
  Louvain), mlxtend (``apriori`` + ``association_rules``), scipy (``hypergeom``, ``fisher_exact``,
  ``poisson``, hierarchical clustering) and statsmodels (``Table2x2``, ``multipletests``);
- exact enumeration of every within-review episode order, and seeded Monte Carlo shuffles;
- numbers worked out by hand on tiny sets;
- the truth planted by :func:`sce_analysis.synthetic.generate`.

Rules the references follow (from the specification and the docstrings):

- the analyses use one coder per episode: the coder of the episode's first row in file order
  (or, with ``coder=``, that coder on the episodes they coded);
- an empty ``polarity`` in ``factors.csv`` means ``problematic``;
- a unit (episode or review) has a factor when any coding of it has it; units with no factor
  still count in ``n_units``.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter, defaultdict
from fractions import Fraction

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from brute import RawSet
from conftest import CLEAN, SAMPLE, write_set
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mlxtend.frequent_patterns import apriori, association_rules
from networkx.algorithms import bipartite
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.stats import fisher_exact, hypergeom, poisson
from sklearn.metrics import adjusted_rand_score
from statsmodels.stats.contingency_tables import Table2x2
from statsmodels.stats.multitest import multipletests

import sce_analysis as sce
from sce_analysis import synthetic
from sce_analysis.stats.networks import louvain_themes

PAIR_COLUMNS = [
    "factor_a",
    "factor_b",
    "n_ab",
    "n_a",
    "n_b",
    "n_units",
    "expected",
    "lift",
    "jaccard",
    "overlap",
    "npmi",
    "odds_ratio",
    "p_value",
    "q_value",
    "n_contributing_areas",  # issue 13; its values are checked in tests/test_contributors.py
]
PAIR_STATISTICS = PAIR_COLUMNS[2:]  # what an edge of the network carries
SEQUENCE_COLUMNS = ["factor_from", "factor_to", "n", "expected", "ratio", "p_value", "q_value", "n_contributing_areas"]
THEME_COLUMNS = ["factor_code", "label", "level", "scie_category", "theme", "theme_size", "stability"]
METRIC_COLUMNS = [
    "factor_code",
    "label",
    "level",
    "scie_category",
    "theme",
    "degree",
    "weighted_degree",
    "betweenness",
    "eigenvector",
    "n_contributing_areas",
]
LINK_COLUMNS = ["factor_from", "level_from", "factor_to", "level_to", "n_ab", "n_from", "n_to", *PAIR_COLUMNS[5:]]
SIMILARITY_COLUMNS = ["review_id", "rank", "similar_review_id", "similarity", "n_shared"]
CLUSTER_COLUMNS = ["review_id", "area", "region", "year", "cluster", "cluster_size", "defining_factors"]
LEVEL_RANK = {"frontline": 0, "local_strategic": 1, "national": 2}

# p-values come from a vectorised hypergeometric tail in the library and from scipy here: they agree
# to double precision, relative (the tails go down to 1e-40 on the planted sets).
P_RTOL = 1e-9

# The planted-pattern set: 300 reviews (about 1,950 KPEs) with the generator's default plants.
# Bounds below were chosen from seeds 0-29 at this size (see each test) and are stated there.
PLANT_REVIEWS = 300
PLANT_SEED = 3


# ============================================================================ brute-force references


def brute_pairs(raw: RawSet, *, unit="episode", polarity=None, coder=None, min_count=5) -> dict:
    """(factor_a, factor_b) in taxonomy order -> (n_ab, n_a, n_b, n_units), by looping over units."""
    has = raw.unit_codes(unit, polarity=polarity, coder=coder)
    n_units = len(has)
    count = Counter(code for codes in has.values() for code in codes)
    kept = [c for c in raw.codes if count[c] >= min_count]
    kept_set = set(kept)
    together = Counter()
    for codes in has.values():
        inside = sorted(codes & kept_set, key=raw.order.get)
        for a, b in itertools.combinations(inside, 2):
            together[(a, b)] += 1
    return {(a, b): (together[(a, b)], count[a], count[b], n_units) for a, b in itertools.combinations(kept, 2)}


def projected_counts(raw: RawSet, *, unit="episode", polarity=None, min_count=5) -> dict:
    """n_ab from networkx: the weighted projection of the unit-factor bipartite graph onto factors."""
    has = raw.unit_codes(unit, polarity=polarity)
    count = Counter(code for codes in has.values() for code in codes)
    kept = [c for c in raw.codes if count[c] >= min_count]
    kept_set = set(kept)
    graph = nx.Graph()
    graph.add_nodes_from((("unit", *u) for u in has), bipartite=0)
    graph.add_nodes_from(kept, bipartite=1)
    graph.add_edges_from((("unit", *u), code) for u, codes in has.items() for code in codes if code in kept_set)
    projection = bipartite.weighted_projected_graph(graph, kept)
    return {frozenset((a, b)): d["weight"] for a, b, d in projection.edges(data=True)}


def reference_bh(p) -> np.ndarray:
    return multipletests(np.asarray(p, dtype=float), method="fdr_bh")[1]


def reference_odds_ratio(a, b, c, d) -> float:
    table = np.array([[a, b], [c, d]], dtype=float)
    if (table == 0).any():
        table = table + 0.5
    return float(Table2x2(table, shift_zeros=False).oddsratio)


def reference_npmi(n_ab, n_a, n_b, n) -> float:
    if n_ab == 0:
        return -1.0  # the limit: never together
    if n_ab == n:
        return 1.0  # the limit: always together (log 1 / 0)
    p_ab, p_a, p_b = n_ab / n, n_a / n, n_b / n
    return math.log(p_ab / (p_a * p_b)) / -math.log(p_ab)


def row_of(frame: pd.DataFrame, **where) -> dict:
    mask = np.ones(len(frame), dtype=bool)
    for column, value in where.items():
        mask &= (frame[column] == value).to_numpy()
    rows = frame[mask].to_dict("records")
    assert len(rows) == 1, where
    return rows[0]


# ============================================================================ tiny hand-made sets

TINY_TAXONOMY = [
    ("c1", "Code one", "frontline", "family_professional"),
    ("c2", "Code two", "frontline", "human_reasoning"),
    ("c3", "Code three", "local_strategic", "human_management"),
    ("c4", "Code four", "national", "human_tool"),
    ("c5", "Code five", "", ""),  # no level: never a cross-level link
    ("c6", "Code six", "frontline", "multi_agency_incidents"),
    ("c7", "Code seven", "local_strategic", "multi_agency_longer_term"),
    ("c8", "Code eight", "national", "human_reasoning"),
    ("c9", "Code nine", "frontline", "human_reasoning"),
]


def tiny_set(reviews, taxonomy=TINY_TAXONOMY) -> sce.ReviewSet:
    """A ReviewSet from ``[(review_id, [episode, ...]), ...]``.

    Each episode is a list of codes, a code optionally given as ``(code, polarity)``; an episode
    given as ``("nosequence", [codes])`` has no ``sequence`` value. Reviews keep the given order.
    """
    reviews_rows, episode_rows, factor_rows = [], [], []
    for i, (review_id, episodes) in enumerate(reviews):
        reviews_rows.append({"review_id": review_id, "area": f"Area {i % 3}", "year": 2015 + i % 4, "region": "R"})
        for k, episode in enumerate(episodes, start=1):
            sequence = k
            if isinstance(episode, tuple) and episode[0] == "nosequence":
                sequence, episode = "", episode[1]
            episode_rows.append({"review_id": review_id, "episode_id": f"KPE{k}", "sequence": sequence})
            for code in episode:
                code, polarity = code if isinstance(code, tuple) else (code, "problematic")
                factor_rows.append(
                    {
                        "review_id": review_id,
                        "episode_id": f"KPE{k}",
                        "factor_code": code,
                        "polarity": polarity,
                        "coder": "a",
                    }
                )
    taxonomy_frame = pd.DataFrame(taxonomy, columns=["factor_code", "label", "level", "scie_category"])
    factors = pd.DataFrame(factor_rows, columns=["review_id", "episode_id", "factor_code", "polarity", "coder"])
    return sce.from_frames(pd.DataFrame(reviews_rows), pd.DataFrame(episode_rows), factors, None, taxonomy_frame)


# ============================================================================ fixtures


@pytest.fixture(scope="module")
def sample_pairs(sample_rs):
    return sce.factor_pairs(sample_rs)


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    made = synthetic.generate(PLANT_REVIEWS, seed=PLANT_SEED)
    folder = made.write(tmp_path_factory.mktemp("planted"))
    return made.review_set, made.planted, folder


@pytest.fixture(scope="module")
def planted_pairs(planted):
    return sce.factor_pairs(planted[0])


@pytest.fixture(scope="module")
def planted_sequences(planted):
    return sce.factor_sequences(planted[0])


# ============================================================================ the references themselves


def test_brute_force_and_bipartite_projection_agree_on_clean(tmp_path):
    # CLEAN by hand: episode units R1/KPE1 {fam_hostile, prac_optimism}, R1/KPE2 {team_supervision},
    # R2/KPE1 {fam_hostile}, R2/KPE2 {prac_optimism}, R3/KPE1 {fam_hostile} (coder b's row dropped).
    raw = RawSet(write_set(tmp_path / "clean", CLEAN))
    assert brute_pairs(raw, min_count=1) == {
        ("fam_hostile", "prac_optimism"): (1, 3, 2, 5),
        ("fam_hostile", "team_supervision"): (0, 3, 1, 5),
        ("prac_optimism", "team_supervision"): (0, 2, 1, 5),
    }
    assert projected_counts(raw, min_count=1) == {frozenset(("fam_hostile", "prac_optimism")): 1}
    # Review units: R1 has all three, R2 hostile and optimism, R3 hostile.
    assert brute_pairs(raw, unit="review", min_count=1)[("fam_hostile", "prac_optimism")] == (2, 3, 2, 3)


# ============================================================================ factor_pairs: counts

PAIR_CASES = [
    {},
    {"unit": "review"},
    {"min_count": 1},
    {"unit": "episode", "polarity": "problematic", "min_count": 3},
    {"unit": "review", "polarity": "good", "min_count": 2},
    {"unit": "episode", "polarity": "good", "min_count": 1},
    {"unit": "review", "min_count": 40},
    {"coder": "reviewer_b", "min_count": 2},
]


def _ids(options: dict) -> str:
    return ",".join(f"{k}={v}" for k, v in options.items()) or "default"


@pytest.mark.parametrize("options", PAIR_CASES, ids=_ids)
def test_pair_counts_match_brute_force_and_bipartite_projection(sample_rs, sample_raw, options):
    pairs = sce.factor_pairs(sample_rs, **options)
    assert list(pairs.columns) == PAIR_COLUMNS
    reference = {"unit": "episode", "min_count": 5} | options
    expected = brute_pairs(sample_raw, **reference)
    got = {
        (r["factor_a"], r["factor_b"]): (r["n_ab"], r["n_a"], r["n_b"], r["n_units"]) for r in pairs.to_dict("records")
    }
    assert len(got) == len(pairs), "one row per pair"
    assert got == expected
    assert len(expected) > 0
    if "coder" not in options:
        projected = projected_counts(
            sample_raw, unit=reference["unit"], polarity=reference.get("polarity"), min_count=reference["min_count"]
        )
        positive = {frozenset(k): v[0] for k, v in got.items() if v[0] > 0}
        assert positive == projected


@pytest.mark.parametrize("unit", ["episode", "review"])
def test_filter_then_pairs_equals_brute_force_on_the_same_reviews(sample_rs, sample_raw, unit):
    """Filters commute with pairing: pairs of a filtered set are the brute-force pairs of its reviews."""
    subset = sample_rs.filter(regions="Midlands", years=(2011, 2020))
    kept_reviews = set(subset.reviews["review_id"])
    assert 5 < len(kept_reviews) < len(sample_raw.reviews)
    has = {u: codes for u, codes in sample_raw.unit_codes(unit).items() if u[0] in kept_reviews}
    count = Counter(c for codes in has.values() for c in codes)
    kept = [c for c in sample_raw.codes if count[c] >= 2]
    pairs = sce.factor_pairs(subset, unit=unit, min_count=2)
    got = {
        (r["factor_a"], r["factor_b"]): (r["n_ab"], r["n_a"], r["n_b"], r["n_units"]) for r in pairs.to_dict("records")
    }
    expected = {
        (a, b): (sum(1 for codes in has.values() if a in codes and b in codes), count[a], count[b], len(has))
        for a, b in itertools.combinations(kept, 2)
    }
    assert got == expected


def test_pair_counts_on_clean_by_hand(clean_set):
    rs = sce.load(clean_set)
    pairs = sce.factor_pairs(rs, min_count=1)
    assert len(pairs) == 3  # fam_hostile, prac_optimism, team_supervision are coded; ls_thresholds is not
    hostile_optimism = row_of(pairs, factor_a="fam_hostile", factor_b="prac_optimism")
    assert (hostile_optimism["n_ab"], hostile_optimism["n_a"], hostile_optimism["n_b"]) == (1, 3, 2)
    assert hostile_optimism["n_units"] == 5
    assert hostile_optimism["expected"] == pytest.approx(3 * 2 / 5)
    assert hostile_optimism["jaccard"] == pytest.approx(1 / 4)
    # Only problematic codings (the empty polarity counts as problematic): team_supervision is good.
    problematic = sce.factor_pairs(rs, min_count=1, polarity="problematic")
    assert problematic[["factor_a", "factor_b"]].to_numpy().tolist() == [["fam_hostile", "prac_optimism"]]
    by_review = sce.factor_pairs(rs, unit="review", min_count=1)
    assert row_of(by_review, factor_a="fam_hostile", factor_b="prac_optimism")["n_ab"] == 2


# ============================================================================ factor_pairs: statistics


def test_support_confidence_lift_match_mlxtend_association_rules(sample_rs, sample_raw):
    """mlxtend on the one-hot unit x factor frame, for both units; every pair with n_ab >= 1."""
    for unit in ("episode", "review"):
        has = sample_raw.unit_codes(unit)
        pairs = sce.factor_pairs(sample_rs, unit=unit, min_count=5)
        kept = sorted(set(pairs["factor_a"]) | set(pairs["factor_b"]), key=sample_raw.order.get)
        onehot = pd.DataFrame([[code in codes for code in kept] for codes in has.values()], columns=kept)
        n = len(onehot)
        frequent = apriori(onehot, min_support=0.5 / n, use_colnames=True, max_len=2)
        rules = association_rules(frequent, num_itemsets=n, metric="support", min_threshold=0.0)
        rules = rules[(rules["antecedents"].map(len) == 1) & (rules["consequents"].map(len) == 1)]
        rule = {
            (next(iter(r["antecedents"])), next(iter(r["consequents"]))): r
            for r in rules[["antecedents", "consequents", "support", "confidence", "lift"]].to_dict("records")
        }
        seen = 0
        for r in pairs.to_dict("records"):
            a, b = r["factor_a"], r["factor_b"]
            if r["n_ab"] == 0:
                assert (a, b) not in rule and (b, a) not in rule
                continue
            seen += 1
            forward, backward = rule[(a, b)], rule[(b, a)]
            assert r["n_ab"] / r["n_units"] == pytest.approx(forward["support"], rel=1e-12)
            assert r["n_ab"] / r["n_a"] == pytest.approx(forward["confidence"], rel=1e-12)
            assert r["n_ab"] / r["n_b"] == pytest.approx(backward["confidence"], rel=1e-12)
            assert r["lift"] == pytest.approx(forward["lift"], rel=1e-12)
            assert r["lift"] == pytest.approx(backward["lift"], rel=1e-12)  # lift is symmetric
        assert seen == len(rule) // 2 > 100


@pytest.mark.parametrize("options", [{}, {"unit": "review"}, {"polarity": "good", "min_count": 1}], ids=_ids)
def test_pair_statistics_match_hand_formulas_scipy_and_statsmodels(sample_rs, options):
    check_pair_statistics(sce.factor_pairs(sample_rs, **options))


def test_pair_statistics_match_references_on_the_planted_set(planted_pairs):
    # Larger counts and far smaller p-values (down to about 1e-40) than the sample has.
    assert planted_pairs["p_value"].min() < 1e-30
    check_pair_statistics(planted_pairs)


def check_pair_statistics(pairs: pd.DataFrame) -> None:
    p_reference = []
    for r in pairs.to_dict("records"):
        n_ab, n_a, n_b, n = r["n_ab"], r["n_a"], r["n_b"], r["n_units"]
        key = (r["factor_a"], r["factor_b"])
        assert r["expected"] == pytest.approx(n_a * n_b / n, rel=1e-12), key
        assert r["lift"] == pytest.approx(n_ab * n / (n_a * n_b), rel=1e-12, abs=0), key
        # jaccard is ATLAS.ti's c-coefficient n12 / (n1 + n2 - n12).
        assert r["jaccard"] == pytest.approx(n_ab / (n_a + n_b - n_ab), rel=1e-12, abs=0), key
        assert r["overlap"] == pytest.approx(n_ab / min(n_a, n_b), rel=1e-12, abs=0), key
        assert r["npmi"] == pytest.approx(reference_npmi(n_ab, n_a, n_b, n), rel=1e-9, abs=1e-12), key
        table = [[n_ab, n_a - n_ab], [n_b - n_ab, n - n_a - n_b + n_ab]]
        assert r["odds_ratio"] == pytest.approx(reference_odds_ratio(*table[0], *table[1]), rel=1e-9), key
        p_hypergeom = float(hypergeom.sf(n_ab - 1, n, n_a, n_b))
        p_fisher = float(fisher_exact(table, alternative="greater").pvalue)
        assert r["p_value"] == pytest.approx(p_hypergeom, rel=P_RTOL, abs=1e-300), key
        assert r["p_value"] == pytest.approx(p_fisher, rel=1e-7, abs=1e-300), key
        p_reference.append(p_hypergeom)
    np.testing.assert_allclose(pairs["q_value"], reference_bh(p_reference), rtol=1e-9, atol=0)
    # Sorted by p_value, then the codes.
    keys = list(zip(pairs["p_value"], pairs["factor_a"], pairs["factor_b"], strict=True))
    assert keys == sorted(keys)
    assert pairs["n_ab"].dtype == np.int64 and pairs["n_units"].dtype == np.int64


def test_pair_statistics_at_the_extremes():
    """Never together (npmi -1, zero cell), always together (npmi 1), and a pair in every unit."""
    # 6 episodes in 2 reviews. c1 and c2 always together (3 episodes); c3 never with them; c4 everywhere.
    rs = tiny_set(
        [
            ("R1", [["c1", "c2", "c4"], ["c3", "c4"], ["c1", "c2", "c4"]]),
            ("R2", [["c3", "c4"], ["c1", "c2", "c4"], ["c3", "c4"]]),
        ]
    )
    pairs = sce.factor_pairs(rs, min_count=1)
    together = row_of(pairs, factor_a="c1", factor_b="c2")
    assert (together["n_ab"], together["n_a"], together["n_b"], together["n_units"]) == (3, 3, 3, 6)
    assert together["lift"] == pytest.approx(2.0) and together["jaccard"] == 1.0 and together["overlap"] == 1.0
    assert together["npmi"] == pytest.approx(1.0)  # log(0.5 / 0.25) / -log(0.5)
    assert together["odds_ratio"] == pytest.approx(reference_odds_ratio(3, 0, 0, 3))  # (3.5 * 3.5) / (0.5 * 0.5)
    assert together["odds_ratio"] == pytest.approx(49.0)
    assert together["p_value"] == pytest.approx(1 / 20)  # one table in C(6, 3) = 20
    apart = row_of(pairs, factor_a="c1", factor_b="c3")
    assert apart["n_ab"] == 0 and apart["npmi"] == -1.0 and apart["jaccard"] == 0.0 and apart["p_value"] == 1.0
    assert apart["odds_ratio"] == pytest.approx(reference_odds_ratio(0, 3, 3, 0))
    everywhere = row_of(pairs, factor_a="c1", factor_b="c4")
    assert everywhere["lift"] == pytest.approx(1.0) and everywhere["p_value"] == pytest.approx(1.0)
    assert everywhere["npmi"] == pytest.approx(0.0, abs=1e-12)


# ============================================================================ factor_pairs: min_count


@pytest.mark.parametrize("min_count", [1, 5, 30, 100, 400, 10_000])
def test_min_count_keeps_only_common_codes_and_pairs_each_once_in_taxonomy_order(sample_rs, sample_raw, min_count):
    pairs = sce.factor_pairs(sample_rs, min_count=min_count)
    assert list(pairs.columns) == PAIR_COLUMNS
    count = Counter(code for codes in sample_raw.unit_codes("episode").values() for code in codes)
    kept = [c for c in sample_raw.codes if count[c] >= min_count]
    got = list(zip(pairs["factor_a"], pairs["factor_b"], strict=True))
    assert len(got) == len(set(got)) == len(kept) * (len(kept) - 1) // 2
    assert set(got) == set(itertools.combinations(kept, 2))  # factor_a before factor_b in the taxonomy
    assert all(sample_raw.order[a] < sample_raw.order[b] for a, b in got)
    assert (pairs["n_a"] >= min_count).all() and (pairs["n_b"] >= min_count).all()


def test_min_count_with_one_code_left_gives_an_empty_table(sample_rs, sample_raw):
    count = Counter(code for codes in sample_raw.unit_codes("episode").values() for code in codes)
    top_two = sorted(count.values(), reverse=True)[:2]
    assert top_two[0] > top_two[1]
    pairs = sce.factor_pairs(sample_rs, min_count=top_two[0])  # only the most common code passes
    assert pairs.empty and list(pairs.columns) == PAIR_COLUMNS
    network = sce.factor_network(sample_rs, min_count=top_two[0])
    assert network.number_of_nodes() == 1 and network.number_of_edges() == 0


# ============================================================================ property tests

# A tiny random set: up to 4 reviews of 1-4 episodes, each with a random subset of 5 codes of
# random polarity. Pair counts are checked against the brute force for both units and polarities.
_episode = st.lists(st.tuples(st.sampled_from(["c1", "c2", "c3", "c4", "c5"]), st.booleans()), max_size=4)
_review = st.lists(_episode, min_size=1, max_size=4)


def _tiny_from_draw(drawn) -> tuple[sce.ReviewSet, list]:
    reviews = []
    for i, episodes in enumerate(drawn):
        clean_episodes = []
        for episode in episodes:
            seen = {}
            for code, good in episode:
                seen.setdefault(code, "good" if good else "problematic")
            clean_episodes.append(list(seen.items()))
        reviews.append((f"R{i + 1}", clean_episodes))
    return tiny_set(reviews), reviews


def _brute_from_tiny(reviews, *, unit, polarity):
    units = []
    for _, episodes in reviews:
        codes_of = [{c for c, p in e if polarity is None or p == polarity} for e in episodes]
        if unit == "review":
            units.append(set().union(*codes_of))
        else:
            units.extend(codes_of)
    return units


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(drawn=st.lists(_review, min_size=1, max_size=4), unit=st.sampled_from(["episode", "review"]))
def test_property_pair_counts_are_symmetric_brute_force_counts(drawn, unit):
    rs, reviews = _tiny_from_draw(drawn)
    for polarity in (None, "good", "problematic"):
        units = _brute_from_tiny(reviews, unit=unit, polarity=polarity)
        pairs = sce.factor_pairs(rs, unit=unit, min_count=1, polarity=polarity)
        count = Counter(c for u in units for c in u)
        kept = [c for c, *_ in TINY_TAXONOMY if count[c] >= 1]
        assert len(pairs) == len(kept) * (len(kept) - 1) // 2
        for r in pairs.to_dict("records"):
            a, b = r["factor_a"], r["factor_b"]
            assert r["n_ab"] == sum(1 for u in units if a in u and b in u)
            assert (r["n_a"], r["n_b"], r["n_units"]) == (count[a], count[b], len(units))
            assert 0.0 <= r["p_value"] <= 1.0 and 0.0 <= r["q_value"] <= 1.0
            assert r["n_ab"] <= min(r["n_a"], r["n_b"])


# ============================================================================ factor_network


@pytest.mark.parametrize(
    "options",
    [{}, {"unit": "review"}, {"alpha": 0.5, "min_lift": 0.0}, {"polarity": "problematic", "min_count": 3}],
    ids=_ids,
)
def test_network_is_exactly_the_significant_rows_of_the_pair_table(sample_rs, sample_raw, options):
    network_options = {k: v for k, v in options.items() if k in ("unit", "polarity", "min_count")}
    alpha, min_lift = options.get("alpha", 0.05), options.get("min_lift", 1.0)
    G = sce.factor_network(sample_rs, **options)
    pairs = sce.factor_pairs(sample_rs, **network_options)
    edges = pairs[(pairs["q_value"] < alpha) & (pairs["lift"] > min_lift)]
    assert len(edges) > 0
    assert G.number_of_edges() == len(edges)
    for r in edges.to_dict("records"):
        a, b = r["factor_a"], r["factor_b"]
        assert G.has_edge(a, b)
        data = G.edges[a, b]
        for column in PAIR_STATISTICS:
            assert data[column] == r[column], (a, b, column)  # the very same numbers: no disagreement
    # Nodes: every code passing min_count, with its taxonomy attributes and brute-force counts.
    unit = options.get("unit", "episode")
    min_count = options.get("min_count", 5)
    has = sample_raw.unit_codes(unit, polarity=options.get("polarity"))
    count = Counter(c for codes in has.values() for c in codes)
    reviews_with = defaultdict(set)
    for row in sample_raw.codings(polarity=options.get("polarity")):
        reviews_with[row["factor_code"]].add(row["review_id"])
    kept = {c for c in sample_raw.codes if count[c] >= min_count}
    assert set(G.nodes) == kept
    for code, data in G.nodes(data=True):
        term = sample_raw.term[code]
        assert data["label"] == term["label"]
        assert data["level"] == term["level"] and data["scie_category"] == term["scie_category"]
        assert data["n_reviews"] == len(reviews_with[code]), code
        assert data["n_units"] == count[code], code
    assert G.graph["unit"] == unit and G.graph["n_units"] == len(has)


def test_alpha_and_min_lift_change_the_edges_accordingly(planted, planted_pairs):
    rs = planted[0]
    seen = set()
    for alpha, min_lift in [(0.001, 1.0), (0.05, 1.0), (0.5, 1.0), (0.5, 0.0), (0.05, 3.0), (0.05, 10.0)]:
        G = sce.factor_network(rs, alpha=alpha, min_lift=min_lift)
        expected = planted_pairs[(planted_pairs["q_value"] < alpha) & (planted_pairs["lift"] > min_lift)]
        assert {frozenset(e) for e in G.edges} == {
            frozenset(p) for p in zip(expected["factor_a"], expected["factor_b"], strict=True)
        }, (alpha, min_lift)
        assert all(d["q_value"] < alpha and d["lift"] > min_lift for _, _, d in G.edges(data=True))
        assert G.graph["alpha"] == alpha and G.graph["min_lift"] == min_lift
        seen.add(G.number_of_edges())
    assert len(seen) >= 4, "the thresholds must actually move the edge set on this set"


def test_network_levels_missing_in_taxonomy_are_none():
    rs = tiny_set([("R1", [["c1", "c5"], ["c1", "c5"], ["c2"]])])
    G = sce.factor_network(rs, min_count=1, alpha=0.99, min_lift=0.0)
    assert G.nodes["c5"]["level"] is None and G.nodes["c5"]["scie_category"] is None
    assert G.nodes["c1"]["level"] == "frontline"


# ============================================================================ node_metrics


def _with_weights(G: nx.Graph, weights: dict) -> nx.Graph:
    for (a, b), w in weights.items():
        G.add_edge(a, b, n_ab=w, npmi=0.5)
    return G


def _hand_graphs():
    star = _with_weights(nx.Graph(), {("hub", f"leaf{i}"): 1 for i in range(4)})
    path = _with_weights(nx.Graph(), {("a", "b"): 3, ("b", "c"): 1, ("c", "d"): 2})
    mixed = _with_weights(
        nx.Graph(),
        {("a", "b"): 5, ("b", "c"): 2, ("a", "c"): 1, ("c", "d"): 4, ("x", "y"): 7, ("p", "q"): 1, ("q", "r"): 1},
    )
    mixed.add_node("lonely")
    return {"star": star, "path": path, "mixed": mixed}


def _check_metrics_against_networkx(G: nx.Graph, metrics: pd.DataFrame, seed=0):
    assert list(metrics.columns) == METRIC_COLUMNS
    assert sorted(metrics["factor_code"]) == sorted(G.nodes)
    betweenness = nx.betweenness_centrality(G)
    eigenvector = {}
    for component in nx.connected_components(G):
        sub = G.subgraph(component)
        if len(component) == 1:
            eigenvector.update(dict.fromkeys(component, 0.0))
        else:  # power iteration (not the numpy eigensolver the library uses), per component
            eigenvector.update(nx.eigenvector_centrality(sub, weight="n_ab", max_iter=10_000, tol=1e-12))
    for r in metrics.to_dict("records"):
        node = r["factor_code"]
        assert r["degree"] == G.degree(node)
        assert r["weighted_degree"] == G.degree(node, weight="n_ab")
        assert r["betweenness"] == pytest.approx(betweenness[node], abs=1e-12)
        assert r["eigenvector"] == pytest.approx(eigenvector[node], abs=1e-6), node
    keys = list(zip(-metrics["weighted_degree"], metrics["factor_code"], strict=True))
    assert keys == sorted(keys)
    # Themes: networkx's Louvain (NPMI-weighted, seeded), communities of one left out, numbered by size.
    communities = nx.community.louvain_communities(G, weight="npmi", seed=seed) if G.number_of_edges() else []
    themes = sorted((sorted(c) for c in communities if len(c) > 1), key=lambda c: (-len(c), c[0]))
    expected_theme = {code: i for i, members in enumerate(themes, start=1) for code in members}
    got_theme = {
        r["factor_code"]: (None if pd.isna(r["theme"]) else int(r["theme"])) for r in metrics.to_dict("records")
    }
    assert got_theme == {node: expected_theme.get(node) for node in G.nodes}


@pytest.mark.parametrize("name", ["star", "path", "mixed"])
def test_node_metrics_match_networkx_on_hand_built_graphs(name):
    G = _hand_graphs()[name]
    _check_metrics_against_networkx(G, sce.node_metrics(G))


def test_node_metrics_by_hand_on_a_star():
    # A star with 4 leaves: the hub lies on all C(4, 2) = 6 leaf-to-leaf shortest paths (betweenness 1);
    # eigenvector centrality (unit norm) is 1/sqrt(2) at the hub and 1/sqrt(2 * 4) at each leaf.
    metrics = sce.node_metrics(_hand_graphs()["star"]).set_index("factor_code")
    assert metrics.loc["hub", "betweenness"] == pytest.approx(1.0)
    assert metrics.loc["hub", "eigenvector"] == pytest.approx(2**-0.5)
    assert metrics.loc["leaf0", "eigenvector"] == pytest.approx(8**-0.5)
    assert metrics.loc["hub", "degree"] == 4 and metrics.loc["leaf0", "betweenness"] == 0.0
    assert list(metrics.index)[0] == "hub"
    # A lone edge and an isolated node: 1/sqrt(2) at both ends, 0 alone.
    mixed = sce.node_metrics(_hand_graphs()["mixed"]).set_index("factor_code")
    assert mixed.loc["x", "eigenvector"] == pytest.approx(2**-0.5) == mixed.loc["y", "eigenvector"]
    assert mixed.loc["lonely", "eigenvector"] == 0.0 and mixed.loc["lonely", "degree"] == 0
    assert pd.isna(mixed.loc["lonely", "theme"])


@pytest.mark.parametrize("source", ["sample", "planted"])
def test_node_metrics_match_networkx_on_real_networks(sample_rs, planted, source):
    # Denser networks than the defaults give (alpha 0.99): 21 edges on the sample, 27 on the planted set.
    G = sce.factor_network(sample_rs if source == "sample" else planted[0], alpha=0.99)
    assert G.number_of_edges() > 20
    metrics = sce.node_metrics(G, seed=4)
    _check_metrics_against_networkx(G, metrics, seed=4)
    for r in metrics.to_dict("records"):
        assert r["label"] == G.nodes[r["factor_code"]]["label"]
        assert r["level"] == G.nodes[r["factor_code"]]["level"]


def test_node_metrics_of_an_empty_graph_is_an_empty_frame():
    metrics = sce.node_metrics(nx.Graph())
    assert metrics.empty and list(metrics.columns) == METRIC_COLUMNS


# ============================================================================ planted patterns: pairs


def _same_cluster(plants, a, b) -> bool:
    return any(a in group and b in group for group in plants.clusters)


def _dependent_by_design(plants, a, b) -> bool:
    """Pairs the generator makes positively dependent on the same KPE, other than the clusters.

    - supportive codes are coded mostly on KPEs without problematic factors, so two supportive
      codes go together (both follow "a clean KPE");
    - two rising (or two falling) codes both follow the review's year, so they co-occur through
      time: more often together in the years when both are common.
    Every other pair is independent on a KPE by construction (regional codes of different regions
    are, if anything, negatively related; sequence plants act between consecutive KPEs, not within
    one), so those, with the cross-cluster pairs, are the "unplanted" pairs.
    """
    if a in plants.supportive and b in plants.supportive:
        return True
    return any(a in group and b in group for group in (plants.rising, plants.falling))


def test_planted_cluster_pairs_are_all_significant(planted, planted_pairs):
    _, plants, _ = planted
    inside = [p for group in plants.clusters for p in itertools.combinations(group, 2)]
    assert len(inside) == 6 + 3 + 3
    q = {
        frozenset((a, b)): v
        for a, b, v in zip(planted_pairs["factor_a"], planted_pairs["factor_b"], planted_pairs["q_value"], strict=True)
    }
    for a, b in inside:
        # Seeds 0-29 at 300 reviews: the largest q of a within-cluster pair was 1.4e-19.
        assert q[frozenset((a, b))] < 0.05, (a, b)
        assert q[frozenset((a, b))] < 1e-8, (a, b)


def test_few_unplanted_pairs_are_significant(planted, planted_pairs):
    _, plants, _ = planted
    records = planted_pairs.to_dict("records")
    unplanted = [
        r
        for r in records
        if not _same_cluster(plants, r["factor_a"], r["factor_b"])
        and not _dependent_by_design(plants, r["factor_a"], r["factor_b"])
    ]
    assert len(unplanted) > 1400  # about 1,500 of the 1,540 pairs of 56 codes
    found = [(r["factor_a"], r["factor_b"]) for r in unplanted if r["q_value"] < 0.05]
    # Bound achieved: seeds 0-29 at 300 reviews gave at most 1 significant unplanted pair out of
    # ~1,516 (0 for this seed); BH at 5% lets a few through, so the test allows 2 (0.13%).
    assert len(found) <= 2, found


def test_planted_sequence_codes_do_not_co_occur_on_the_same_episode(planted, planted_pairs):
    # The sequence plant acts between consecutive KPEs, so a and b are not linked within a KPE.
    _, plants, _ = planted
    for a, b in plants.sequences:
        row = planted_pairs[
            ((planted_pairs["factor_a"] == a) & (planted_pairs["factor_b"] == b))
            | ((planted_pairs["factor_a"] == b) & (planted_pairs["factor_b"] == a))
        ]
        assert len(row) == 1 and float(row["q_value"].iloc[0]) >= 0.05


# ============================================================================ planted patterns: themes


@pytest.fixture(scope="module")
def planted_themes(planted):
    """systemic_themes with its defaults (200 resamples): the one test of the default resampling."""
    return sce.systemic_themes(planted[0])


def _planted_ari(plants, themes: pd.DataFrame) -> float:
    theme = dict(zip(themes["factor_code"], themes["theme"], strict=True))
    codes = [c for group in plants.clusters for c in group]
    truth = [i for i, group in enumerate(plants.clusters) for _ in group]
    # A code in no theme gets a label of its own, so leaving a planted code out costs ARI.
    found = [theme.get(code, -1 - j) for j, code in enumerate(codes)]
    return adjusted_rand_score(truth, found)


def test_systemic_themes_recover_the_planted_clusters(planted, planted_themes):
    _, plants, _ = planted
    # Seeds 0-29 at 300 reviews: ARI 1.0 every time (each cluster exactly one theme).
    assert _planted_ari(plants, planted_themes) >= 0.9
    assert list(planted_themes.columns) == [*THEME_COLUMNS, "theme_stability", "n_contributing_areas"]
    stability = planted_themes.set_index("factor_code")["stability"]
    for group in plants.clusters:
        for code in group:
            # Default 200 resamples: every planted member landed with its theme in >= 90% of them
            # (1.0 for this seed).
            assert stability[code] >= 0.9, code


def test_systemic_themes_structure(planted, planted_themes):
    rs, _, _ = planted
    themes = planted_themes
    raw_terms = rs.taxonomy.set_index("factor_code")
    # Numbered 1, 2, ... largest first; equal sizes by their first code; sorted by theme then code.
    sizes = themes.groupby("theme")["factor_code"].agg(["size", "min"]).reset_index()
    assert sizes["theme"].tolist() == list(range(1, len(sizes) + 1))
    order = list(zip(-sizes["size"], sizes["min"], strict=True))
    assert order == sorted(order)
    assert (themes["theme_size"] == themes["theme"].map(sizes.set_index("theme")["size"])).all()
    assert (themes["theme_size"] >= 2).all()
    keys = list(zip(themes["theme"], themes["factor_code"], strict=True))
    assert keys == sorted(keys) and themes["factor_code"].is_unique
    for r in themes.to_dict("records"):
        assert r["label"] == raw_terms.loc[r["factor_code"], "label"]
        assert r["level"] == raw_terms.loc[r["factor_code"], "level"]
        assert 0.0 <= r["stability"] <= 1.0 and 0.0 <= r["theme_stability"] <= 1.0
        assert (r["stability"] * 200) == pytest.approx(round(r["stability"] * 200))  # a share of 200 resamples
    assert (themes.groupby("theme")["theme_stability"].nunique() == 1).all()


@pytest.mark.parametrize("unit", ["episode", "review"])
def test_systemic_themes_are_the_themes_of_node_metrics(planted, unit):
    """The documented promise: node_metrics' theme numbering is the same as systemic_themes'."""
    rs = planted[0]
    for seed in (0, 5):
        themes = sce.systemic_themes(rs, unit=unit, seed=seed, resamples=0)
        assert len(themes) >= 4
        metrics = sce.node_metrics(sce.factor_network(rs, unit=unit), seed=seed)
        in_theme = metrics[metrics["theme"].notna()]
        assert dict(zip(themes["factor_code"], themes["theme"], strict=True)) == dict(
            zip(in_theme["factor_code"], in_theme["theme"].astype(int), strict=True)
        )
        assert themes["stability"].isna().all() and themes["theme_stability"].isna().all()


def test_systemic_themes_are_perfectly_stable_when_every_review_is_the_same():
    """Resampling identical reviews gives the same network every time: stability exactly 1."""
    # 30 identical reviews of 5 KPEs: c1 and c2 together on two, c3 and c4 together on two, c6 alone.
    episodes = [["c1", "c2"], ["c3", "c4"], ["c1", "c2"], ["c3", "c4"], ["c6"]]
    rs = tiny_set([(f"R{i:02d}", episodes) for i in range(30)])
    themes = sce.systemic_themes(rs, resamples=15, min_count=1)
    assert themes[["factor_code", "theme", "theme_size"]].to_numpy().tolist() == [
        ["c1", 1, 2],
        ["c2", 1, 2],
        ["c3", 2, 2],
        ["c4", 2, 2],
    ]
    assert themes["stability"].tolist() == [1.0] * 4
    assert themes["theme_stability"].tolist() == pytest.approx([1.0] * 4)


def test_systemic_themes_without_any_edge_is_an_empty_table(sample_rs):
    themes = sce.systemic_themes(sample_rs, alpha=1e-300, resamples=3)
    assert themes.empty and list(themes.columns) == [*THEME_COLUMNS, "theme_stability", "n_contributing_areas"]


def test_systemic_themes_seed_changes_nothing_about_the_planted_themes(planted):
    rs, plants, _ = planted
    one = sce.systemic_themes(rs, seed=1, resamples=20)
    two = sce.systemic_themes(rs, seed=2, resamples=20)
    # Stability may differ between seeds (different resamples); the planted themes must not.
    assert _planted_ari(plants, one) >= 0.9 and _planted_ari(plants, two) >= 0.9


# ============================================================================ factor_sequences: references


def brute_sequences(raw: RawSet, *, lag=1, polarity=None, min_count=5) -> tuple[dict, list[str]]:
    """(a, b) -> observed count of a on episode k and b on k + lag, by looping over ordered episodes."""
    has = raw.unit_codes("episode", polarity=polarity)
    count = Counter(c for codes in has.values() for c in codes)
    kept = [c for c in raw.codes if count[c] >= min_count]
    by_review = defaultdict(list)
    for e in raw.episodes:
        if e["sequence"] != "":
            by_review[e["review_id"]].append((int(e["sequence"]), has[(e["review_id"], e["episode_id"])]))
    observed = Counter()
    for episodes in by_review.values():
        episodes.sort(key=lambda t: t[0])
        for k in range(len(episodes) - lag):
            for a in episodes[k][1]:
                for b in episodes[k + lag][1]:
                    observed[(a, b)] += 1
    return {(a, b): observed[(a, b)] for a in kept for b in kept}, kept


def _ordered_blocks(rs: sce.ReviewSet, kept: list[str]) -> list[np.ndarray]:
    """Per review, the 0/1 matrix of its sequenced episodes (rows in sequence order) x kept codes."""
    codings = rs.codings()
    column = {c: j for j, c in enumerate(kept)}
    blocks = []
    for review_id, episodes in rs.episodes.groupby("review_id", sort=False):
        episodes = episodes[episodes["sequence"].notna()].sort_values("sequence")
        index = {e: i for i, e in enumerate(episodes["episode_id"])}
        block = np.zeros((len(index), len(kept)))
        mine = codings[codings["review_id"] == review_id]
        for e, code in zip(mine["episode_id"], mine["factor_code"], strict=True):
            if e in index and code in column:
                block[index[e], column[code]] = 1.0
        blocks.append(block)
    return blocks


def _lagged(block: np.ndarray, order, lag: int) -> np.ndarray:
    ordered = block[list(order)]
    return ordered[:-lag].T @ ordered[lag:] if len(ordered) > lag else np.zeros((block.shape[1],) * 2)


def enumerated_expectation(blocks: list[np.ndarray], lag: int) -> np.ndarray:
    """Exact mean of the lagged counts over every within-review ordering (all m! of them)."""
    total = 0.0
    for block in blocks:
        orders = list(itertools.permutations(range(len(block))))
        total = total + sum(_lagged(block, order, lag) for order in orders) / len(orders)
    return total


def _sequence_matrix(frame: pd.DataFrame, kept: list[str], column: str) -> np.ndarray:
    table = frame.pivot(index="factor_from", columns="factor_to", values=column)
    return table.loc[kept, kept].to_numpy(dtype=float)


# ============================================================================ factor_sequences


def test_sequences_by_hand():
    # One review, E1 {c1}, E2 {c2}, E3 {c1, c2}; a second review whose middle episode has no sequence.
    # lag 1 observed: c1->c2 (E1->E2), c2->c1 and c2->c2 (E2->E3). Shuffling the 3 episodes, an
    # ordered pair of distinct episodes sits at (k, k+1) with probability (3-1)/(3*2) = 1/3, so
    # expected(a->b) = (R_a R_b - R_ab) / 3: c1->c2 = c2->c1 = (2*2 - 1)/3 = 1, c1->c1 = c2->c2 = (4 - 2)/3.
    # The second review (R2: E1 {c1}, E3 {c2} once the unsequenced E2 is dropped) has m = 2:
    # probability 1/2 per ordered pair, so it adds 1/2 to c1->c2 and c2->c1, and observes c1->c2.
    rs = tiny_set([("R1", [["c1"], ["c2"], ["c1", "c2"]]), ("R2", [["c1"], ("nosequence", ["c2", "c3"]), ["c2"]])])
    seq = sce.factor_sequences(rs, min_count=1)
    assert list(seq.columns) == SEQUENCE_COLUMNS
    got = {(r["factor_from"], r["factor_to"]): (r["n"], r["expected"]) for r in seq.to_dict("records")}
    assert got[("c1", "c2")] == (2, pytest.approx(1.5))
    assert got[("c2", "c1")] == (1, pytest.approx(1.5))
    assert got[("c2", "c2")] == (1, pytest.approx(2 / 3))
    assert got[("c1", "c1")] == (0, pytest.approx(2 / 3))
    assert got[("c3", "c1")] == (0, pytest.approx(0.0))  # c3 is only on an unsequenced episode
    assert len(seq) == 9  # c1, c2, c3 pass min_count=1: 3 x 3 ordered pairs, a->a included
    # lag 2: only R1 has two episodes two apart (E1->E3); probability (3-2)/(3*2) = 1/6 per ordered pair.
    lag2 = sce.factor_sequences(rs, lag=2, min_count=1)
    got2 = {(r["factor_from"], r["factor_to"]): (r["n"], r["expected"]) for r in lag2.to_dict("records")}
    assert got2[("c1", "c1")] == (1, pytest.approx(2 / 6))
    assert got2[("c1", "c2")] == (1, pytest.approx(3 / 6))
    assert got2[("c2", "c1")] == (0, pytest.approx(3 / 6))


def test_sequences_on_clean_by_hand(clean_set):
    # R1: KPE1 {fam_hostile, prac_optimism} -> KPE2 {team_supervision}; R2: KPE1 {fam_hostile} -> KPE2
    # {prac_optimism}; R3 has one episode. Two-episode reviews: each ordered pair of distinct episodes
    # has probability 1/2, so hostile->supervision = optimism->supervision = 1/2 (R1), hostile->optimism
    # = 1/2 (R2 only: in R1 they share an episode, R_a R_b - R_ab = 0), hostile->hostile = 0.
    seq = sce.factor_sequences(sce.load(clean_set), min_count=1)
    got = {(r["factor_from"], r["factor_to"]): (r["n"], r["expected"]) for r in seq.to_dict("records")}
    assert got[("fam_hostile", "team_supervision")] == (1, pytest.approx(0.5))
    assert got[("prac_optimism", "team_supervision")] == (1, pytest.approx(0.5))
    assert got[("team_supervision", "fam_hostile")] == (0, pytest.approx(0.5))
    assert got[("fam_hostile", "prac_optimism")] == (1, pytest.approx(0.5))
    assert got[("prac_optimism", "fam_hostile")] == (0, pytest.approx(0.5))
    assert got[("fam_hostile", "fam_hostile")] == (0, pytest.approx(0.0))
    assert sum(n for n, _ in got.values()) == 3


@pytest.mark.parametrize("options", [{}, {"lag": 2, "min_count": 1}, {"polarity": "problematic", "lag": 1}], ids=_ids)
def test_sequence_counts_match_brute_force_on_sample(sample_rs, sample_raw, options):
    seq = sce.factor_sequences(sample_rs, **options)
    expected, kept = brute_sequences(sample_raw, **({"min_count": 5} | options))
    got = {(r["factor_from"], r["factor_to"]): r["n"] for r in seq.to_dict("records")}
    assert got == expected
    assert len(seq) == len(kept) ** 2 and sum(expected.values()) > 100
    # p: the Poisson upper tail around the expectation (1 when nothing was seen); q: BH over all rows.
    n, mean = seq["n"].to_numpy(), seq["expected"].to_numpy()
    reference_p = np.where(n == 0, 1.0, poisson.sf(n - 1, mean))
    np.testing.assert_allclose(seq["p_value"], reference_p, rtol=1e-9, atol=1e-300)
    np.testing.assert_allclose(seq["q_value"], reference_bh(reference_p), rtol=1e-9, atol=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        np.testing.assert_allclose(seq["ratio"], n / mean, rtol=1e-12)
    keys = list(zip(seq["p_value"], seq["factor_from"], seq["factor_to"], strict=True))
    assert keys == sorted(keys)


def test_sequences_with_a_lag_longer_than_every_review_see_nothing(sample_rs):
    seq = sce.factor_sequences(sample_rs, lag=50)
    assert (seq["n"] == 0).all() and (seq["expected"] == 0).all()
    assert (seq["p_value"] == 1.0).all() and (seq["q_value"] == 1.0).all()


def test_sequence_expectation_equals_exact_enumeration_of_all_orders():
    """On a small set (2-5 KPEs per review), average the lagged counts over every ordering exactly."""
    rs = synthetic.generate(30, seed=11, episodes_per_review=(2, 5)).review_set
    for lag in (1, 2):
        seq = sce.factor_sequences(rs, lag=lag, min_count=1)
        kept = [c for c in rs.taxonomy["factor_code"] if c in set(seq["factor_from"])]
        exact = enumerated_expectation(_ordered_blocks(rs, kept), lag)
        np.testing.assert_allclose(_sequence_matrix(seq, kept, "expected"), exact, rtol=1e-9, atol=1e-12)
        assert exact.sum() > 10


def test_sequence_expectation_equals_the_average_of_many_seeded_shuffles():
    """Monte Carlo: 3,000 seeded within-review shuffles; each cell within 5 standard errors."""
    rs = synthetic.generate(40, seed=12).review_set
    seq = sce.factor_sequences(rs, min_count=3)
    kept = [c for c in rs.taxonomy["factor_code"] if c in set(seq["factor_from"])]
    blocks = _ordered_blocks(rs, kept)
    rng = np.random.default_rng(2024)
    shuffles = 3000
    total = np.zeros((len(kept), len(kept)))
    squares = np.zeros_like(total)
    for _ in range(shuffles):
        counts = sum(_lagged(block, rng.permutation(len(block)), 1) for block in blocks)
        total += counts
        squares += counts**2
    mean = total / shuffles
    standard_error = np.sqrt(np.maximum(squares / shuffles - mean**2, 0.0) / shuffles)
    expected = _sequence_matrix(seq, kept, "expected")
    assert np.all(np.abs(mean - expected) <= 5 * standard_error + 1e-9)
    # And overall: the total expected count equals the shuffled total to within 0.5%.
    assert mean.sum() == pytest.approx(expected.sum(), rel=5e-3)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(drawn=st.lists(_review, min_size=1, max_size=4), lag=st.sampled_from([1, 2]))
def test_property_sequence_expectation_is_exact(drawn, lag):
    rs, _ = _tiny_from_draw(drawn)
    seq = sce.factor_sequences(rs, lag=lag, min_count=1)
    kept = [c for c in rs.taxonomy["factor_code"] if c in set(seq["factor_from"])]
    if not kept:
        return
    exact = enumerated_expectation(_ordered_blocks(rs, kept), lag)
    np.testing.assert_allclose(_sequence_matrix(seq, kept, "expected"), exact, rtol=1e-9, atol=1e-12)


# ============================================================================ planted patterns: sequences


def test_planted_sequences_are_found_one_way_only(planted, planted_sequences):
    _, plants, _ = planted
    frame = planted_sequences
    q = {(a, b): v for a, b, v in zip(frame["factor_from"], frame["factor_to"], frame["q_value"], strict=True)}
    for a, b in plants.sequences:
        # Seeds 0-29 at 300 reviews: the largest q of a planted a->b was 0.0018; the smallest q of b->a was 1.0.
        assert q[(a, b)] < 0.01, (a, b)
        assert q[(b, a)] >= 0.05, (b, a)


def test_permutation_p_values_are_valid_and_agree_with_the_analytic_ones(planted, planted_sequences):
    rs, plants, _ = planted
    permutations = 199
    perm = sce.factor_sequences(rs, permutations=permutations, seed=7)
    assert list(perm.columns) == SEQUENCE_COLUMNS
    both = perm.merge(planted_sequences, on=["factor_from", "factor_to"], suffixes=("_perm", "_exact"))
    assert len(both) == len(perm) == len(planted_sequences)
    # Same counts and expectations; permutation p on the grid (1 + k) / (1 + N), k = 0..N.
    assert (both["n_perm"] == both["n_exact"]).all()
    np.testing.assert_allclose(both["expected_perm"], both["expected_exact"], rtol=1e-12)
    k = both["p_value_perm"].to_numpy() * (1 + permutations) - 1
    np.testing.assert_allclose(k, np.round(k), atol=1e-6)
    assert (k >= 0).all() and (k <= permutations).all()
    assert (both.loc[both["n_perm"] == 0, "p_value_perm"] == 1.0).all()  # nothing seen: every shuffle ties
    np.testing.assert_allclose(both["q_value_perm"], reference_bh(both["p_value_perm"]), rtol=1e-9)
    # The planted pairs: the smallest possible permutation p, and the top analytic p-values.
    smallest = 1 / (1 + permutations)
    top = set(zip(planted_sequences["factor_from"][:2], planted_sequences["factor_to"][:2], strict=True))
    for a, b in plants.sequences:
        assert row_of(both, factor_from=a, factor_to=b)["p_value_perm"] == pytest.approx(smallest)
        assert (a, b) in top
        # The reverse direction: not small either way.
        reverse = row_of(both, factor_from=b, factor_to=a)
        assert reverse["p_value_perm"] > 0.5 and reverse["p_value_exact"] > 0.5
    # Ordering: the two p-values rank the pairs alike (Spearman > 0.9 over pairs seen at least once).
    seen = both[both["n_perm"] > 0]
    assert seen["p_value_perm"].corr(seen["p_value_exact"], method="spearman") > 0.9


def test_permutation_p_values_are_valid_under_the_null():
    """effect=0 plants nothing: P(p <= t) must not exceed t (checked at t = 0.01, 0.05, 0.1, 0.5)."""
    rs = synthetic.generate(PLANT_REVIEWS, seed=PLANT_SEED, effect=0.0).review_set
    perm = sce.factor_sequences(rs, permutations=99, seed=1)
    analytic = sce.factor_sequences(rs)
    # Seed 3: shares 0.003, 0.017, 0.032, 0.28 (permutation) and 0.001, 0.012, 0.026, 0.31 (analytic).
    for t in (0.01, 0.05, 0.1, 0.5):
        assert (perm["p_value"] <= t).mean() <= t
        assert (analytic["p_value"] <= t).mean() <= t
    assert (analytic["q_value"] >= 0.05).all()


# ============================================================================ cross_level_links


def test_cross_level_links_by_hand():
    # 12 episodes in 3 reviews. c4 (national), c3 (local strategic) and c1 (frontline) together on 4
    # episodes; c9 (frontline) with c1 too; c5 has no level. c2 is everywhere else (never with them).
    together = ["c4", "c3", "c1", "c9", "c5"]
    rs = tiny_set(
        [
            ("R1", [together, ["c2"], ["c2"], ["c6"]]),
            ("R2", [together, ["c2"], together, ["c6"]]),
            ("R3", [["c2"], together, ["c7"], ["c8"]]),
        ]
    )
    links = sce.cross_level_links(rs, min_count=1)
    assert list(links.columns) == LINK_COLUMNS
    got = set(zip(links["factor_from"], links["level_from"], links["factor_to"], links["level_to"], strict=True))
    assert got == {
        ("c4", "national", "c3", "local_strategic"),
        ("c4", "national", "c1", "frontline"),
        ("c4", "national", "c9", "frontline"),
        ("c3", "local_strategic", "c1", "frontline"),
        ("c3", "local_strategic", "c9", "frontline"),
    }
    for r in links.to_dict("records"):
        assert (r["n_ab"], r["n_from"], r["n_to"], r["n_units"]) == (4, 4, 4, 12)
        assert r["p_value"] == pytest.approx(1 / math.comb(12, 4))


@pytest.mark.parametrize(
    "options", [{}, {"alpha": 0.999, "min_lift": 0.0}, {"unit": "review", "alpha": 0.5}, {"min_count": 1}], ids=_ids
)
def test_cross_level_links_are_the_significant_cross_level_pairs_oriented_outward_in(sample_rs, sample_raw, options):
    links = sce.cross_level_links(sample_rs, **options)
    pair_options = {k: v for k, v in options.items() if k in ("unit", "min_count")}
    alpha, min_lift = options.get("alpha", 0.05), options.get("min_lift", 1.0)
    pairs = sce.factor_pairs(sample_rs, **pair_options)
    level = {c: sample_raw.term[c]["level"] for c in sample_raw.codes}
    expected = {}
    for r in pairs.to_dict("records"):
        a, b = r["factor_a"], r["factor_b"]
        if not (r["q_value"] < alpha and r["lift"] > min_lift) or level[a] == level[b]:
            continue
        if not level[a] or not level[b]:
            continue
        high, low = (a, b) if LEVEL_RANK[level[a]] > LEVEL_RANK[level[b]] else (b, a)
        expected[(high, low)] = r
    assert len(links) == len(expected) > 0
    for r in links.to_dict("records"):
        key = (r["factor_from"], r["factor_to"])
        assert key in expected, key
        e = expected[key]
        assert r["level_from"] == level[key[0]] and r["level_to"] == level[key[1]]
        assert LEVEL_RANK[r["level_from"]] > LEVEL_RANK[r["level_to"]]  # national > local_strategic > frontline
        assert r["n_ab"] == e["n_ab"]
        assert (r["n_from"], r["n_to"]) == ((e["n_a"], e["n_b"]) if key[0] == e["factor_a"] else (e["n_b"], e["n_a"]))
        for column in PAIR_COLUMNS[5:]:
            assert r[column] == e[column], (key, column)
    assert list(links["p_value"]) == sorted(links["p_value"])
    if options.get("alpha") == 0.999:
        assert {"national"} & set(links["level_from"]), "the wide case must include national factors"


def test_cross_level_links_on_the_planted_set_join_the_neglect_cluster_to_its_local_tool(planted):
    rs, _, _ = planted
    links = sce.cross_level_links(rs)
    found = set(zip(links["factor_from"], links["factor_to"], strict=True))
    # ls_neglect_tool (local strategic) is planted in a cluster with two frontline factors.
    assert {("ls_neglect_tool", "prac_neglect_knowledge"), ("ls_neglect_tool", "prac_normalise")} <= found


# ============================================================================ review_similarity


def _exact_similarity(a: set, b: set, metric: str) -> Fraction:
    """Jaccard exactly, or the square of the cosine (same order, exact)."""
    shared = len(a & b)
    if metric == "jaccard":
        return Fraction(shared, len(a | b))
    return Fraction(shared * shared, len(a) * len(b))


def brute_neighbours(profiles: dict[str, set], order: list[str], review: str, metric: str, top: int):
    """The top neighbours of a review: most similar first, ties to the review listed first."""
    candidates = []
    for position, other in enumerate(order):
        if other == review or not profiles[review] & profiles[other]:
            continue
        candidates.append((-_exact_similarity(profiles[review], profiles[other], metric), position, other))
    candidates.sort()
    return [(other, -key) for key, _, other in candidates[:top]]


@pytest.mark.parametrize(
    "options",
    [
        {"metric": "jaccard", "top": 10},
        {"metric": "cosine", "top": 5},
        {"metric": "jaccard", "top": 3, "polarity": "good"},
    ],
    ids=_ids,
)
def test_review_similarity_matches_brute_force_sets_on_sample(sample_rs, sample_raw, options):
    near = sce.review_similarity(sample_rs, **options)
    assert list(near.columns) == SIMILARITY_COLUMNS
    metric, top = options["metric"], options["top"]
    profiles = sample_raw.review_profiles(polarity=options.get("polarity"))
    order = sample_raw.review_ids
    for review in order[::3]:  # every third review
        expected = brute_neighbours(profiles, order, review, metric, top)
        mine = near[near["review_id"] == review].sort_values("rank")
        assert mine["similar_review_id"].tolist() == [other for other, _ in expected], review
        assert mine["rank"].tolist() == list(range(1, len(expected) + 1))
        for r, (other, exact) in zip(mine.to_dict("records"), expected, strict=True):
            value = float(exact) if metric == "jaccard" else math.sqrt(float(exact))
            assert r["similarity"] == pytest.approx(value, rel=1e-6)  # computed in float32
            assert r["n_shared"] == len(profiles[review] & profiles[other])


def test_review_similarity_invariants(planted):
    rs = planted[0]
    for metric in ("jaccard", "cosine"):
        near = sce.review_similarity(rs, metric=metric, top=7)
        assert (near["review_id"] != near["similar_review_id"]).all(), "no self-pairs"
        assert (near["n_shared"] > 0).all() and (near["similarity"] > 0).all(), "no zero-overlap rows"
        assert (near["similarity"] <= 1 + 1e-6).all()
        per_review = near.groupby("review_id")
        assert (per_review.size() <= 7).all()
        assert not near.duplicated(["review_id", "similar_review_id"]).any()
        for _, group in per_review:
            assert group["rank"].tolist() == list(range(1, len(group) + 1))
            assert group["similarity"].is_monotonic_decreasing
        assert near["review_id"].dtype == near["similar_review_id"].dtype


def test_review_similarity_ties_go_to_the_review_listed_first_jaccard():
    # Reviews listed as R9, R2, R5, R1 (not sorted by id). R1 = {c1, c2}. R9 {c1, c3}, R2 {c2, c4},
    # R5 {c1, c5} all share one code of three in either: Jaccard 1/3, a three-way tie, listed order wins.
    rs = tiny_set([("R9", [["c1", "c3"]]), ("R2", [["c2", "c4"]]), ("R5", [["c1", "c5"]]), ("R1", [["c1", "c2"]])])
    near = sce.review_similarity(rs, top=2)
    mine = near[near["review_id"] == "R1"]
    assert mine["similar_review_id"].tolist() == ["R9", "R2"]
    assert mine["similarity"].tolist() == pytest.approx([1 / 3, 1 / 3])
    # R9's neighbours: R5 (1/3), then R1 (1/3): R5 is listed before R1. R2 shares nothing with R9.
    assert near[near["review_id"] == "R9"]["similar_review_id"].tolist() == ["R5", "R1"]


def test_review_similarity_ties_go_to_the_review_listed_first_cosine():
    # R1 = {c1, c2, c3}. R2 = {c1}: cosine 1/sqrt(3*1). R3 = {c1, ..., c9}: cosine 3/sqrt(3*9) = 1/sqrt(3).
    # An exact tie, so R2 (listed first) must rank first.
    every = [c for c, *_ in TINY_TAXONOMY]
    rs = tiny_set([("R1", [["c1", "c2", "c3"]]), ("R2", [["c1"]]), ("R3", [every])])
    near = sce.review_similarity(rs, metric="cosine", top=2)
    mine = near[near["review_id"] == "R1"]
    assert mine["similarity"].tolist() == pytest.approx([3**-0.5, 3**-0.5])
    assert mine["similar_review_id"].tolist() == ["R2", "R3"]


def test_review_similarity_leaves_out_reviews_with_nothing_shared():
    # R3 has no coded factor at all, R4 shares nothing with anyone: neither appears anywhere.
    rs = tiny_set([("R1", [["c1", "c2"]]), ("R2", [["c2", "c3"]]), ("R3", [[]]), ("R4", [["c9"]])])
    near = sce.review_similarity(rs, top=5)
    assert set(near["review_id"]) == {"R1", "R2"} == set(near["similar_review_id"])
    assert len(near) == 2


def test_review_similarity_of_a_single_review_is_empty():
    near = sce.review_similarity(tiny_set([("R1", [["c1", "c2"]])]), top=3)
    assert near.empty and list(near.columns) == SIMILARITY_COLUMNS


# ============================================================================ cluster_reviews


def _profile_matrix(raw: RawSet) -> np.ndarray:
    profiles = raw.review_profiles()
    return np.array([[code in profiles[r] for code in raw.codes] for r in raw.review_ids], dtype=float)


def _check_cluster_frame(frame: pd.DataFrame, raw: RawSet, n_clusters: int) -> None:
    assert list(frame.columns) == CLUSTER_COLUMNS
    assert frame["review_id"].tolist() == raw.review_ids, "every review once, in order"
    attributes = raw.review_attributes()
    for r in frame.to_dict("records"):
        a = attributes[r["review_id"]]
        assert (r["area"], r["region"], str(r["year"])) == (a["area"], a["region"], a["year"])
    sizes = frame["cluster"].value_counts()
    assert sorted(sizes.index) == list(range(1, len(sizes) + 1)) and len(sizes) <= n_clusters
    # Numbered by size, largest first; equal sizes by their first review.
    first = {c: int(np.flatnonzero(frame["cluster"].to_numpy() == c)[0]) for c in sizes.index}
    order = sorted(sizes.index, key=lambda c: (-sizes[c], first[c]))
    assert order == list(range(1, len(sizes) + 1))
    assert (frame["cluster_size"] == frame["cluster"].map(sizes)).all()


def _check_defining_factors(frame: pd.DataFrame, raw: RawSet) -> None:
    """Up to three factors, in the cluster's reviews at least half the time and over-represented,
    by share-in over share-overall, descending, ties by code."""
    x = _profile_matrix(raw)
    overall = x.mean(axis=0)
    for c, members in frame.groupby("cluster"):
        within = x[members.index.to_numpy()].mean(axis=0)
        candidates = [
            (-(within[j] / overall[j]), code)
            for j, code in enumerate(raw.codes)
            if within[j] >= 0.5 and overall[j] > 0 and within[j] / overall[j] > 1
        ]
        expected = "; ".join(code for _, code in sorted(candidates)[:3])
        assert set(members["defining_factors"]) == {expected}, c


@pytest.mark.parametrize("method", ["ward", "average"])
def test_cluster_reviews_direct_path_matches_scipy(sample_rs, sample_raw, method):
    frame = sce.cluster_reviews(sample_rs, n_clusters=5, method=method)
    _check_cluster_frame(frame, sample_raw, 5)
    _check_defining_factors(frame, sample_raw)
    x = _profile_matrix(sample_raw)
    if method == "ward":
        reference = fcluster(linkage(x, method="ward"), t=5, criterion="maxclust")
    else:
        shared = x @ x.T
        sizes = x.sum(axis=1)
        similarity = shared / (sizes[:, None] + sizes[None, :] - shared)
        distance = 1 - similarity[np.triu_indices(len(x), k=1)]
        reference = fcluster(linkage(distance, method="average"), t=5, criterion="maxclust")
    assert adjusted_rand_score(reference, frame["cluster"]) == pytest.approx(1.0)


def test_cluster_reviews_sampled_path_assigns_the_rest_to_the_nearest_centroid(planted):
    rs, _, folder = planted
    raw = RawSet(folder)
    max_reviews, seed = 120, 3
    frame = sce.cluster_reviews(rs, n_clusters=4, max_reviews=max_reviews, seed=seed)
    _check_cluster_frame(frame, raw, 4)
    _check_defining_factors(frame, raw)
    x = _profile_matrix(raw)
    n = len(x)
    # The sample: a seeded draw of max_reviews reviews without replacement (numpy's default_rng). This
    # mirrors the implementation's draw; if the draw changes, the Ward check just below fails loudly.
    sample = np.sort(np.random.default_rng(seed).choice(n, size=max_reviews, replace=False))
    labels = fcluster(linkage(x[sample], method="ward"), t=4, criterion="maxclust")
    cluster = frame["cluster"].to_numpy()
    assert adjusted_rand_score(labels, cluster[sample]) == pytest.approx(1.0)
    # Everyone else joins the cluster whose centroid (mean profile of its sampled members) is nearest.
    centroids = {c: x[sample][cluster[sample] == c].mean(axis=0) for c in np.unique(cluster[sample])}
    rest = np.setdiff1d(np.arange(n), sample)
    assert len(rest) == n - max_reviews
    for i in rest:
        distance = {c: float(((x[i] - centre) ** 2).sum()) for c, centre in centroids.items()}
        assert distance[cluster[i]] <= min(distance.values()) + 1e-5, i


def test_cluster_reviews_sampled_average_path_uses_the_highest_mean_similarity(planted):
    rs, _, folder = planted
    raw = RawSet(folder)
    max_reviews, seed = 100, 0
    frame = sce.cluster_reviews(rs, n_clusters=3, method="average", max_reviews=max_reviews, seed=seed)
    _check_cluster_frame(frame, raw, 3)
    x = _profile_matrix(raw)
    sizes = x.sum(axis=1)
    n = len(x)
    sample = np.sort(np.random.default_rng(seed).choice(n, size=max_reviews, replace=False))
    cluster = frame["cluster"].to_numpy()
    shared = x @ x[sample].T
    with np.errstate(divide="ignore", invalid="ignore"):
        similarity = np.nan_to_num(shared / (sizes[:, None] + sizes[sample][None, :] - shared))
    square = similarity[sample]
    reference = fcluster(linkage(1 - square[np.triu_indices(len(sample), k=1)], method="average"), 3, "maxclust")
    assert adjusted_rand_score(reference, cluster[sample]) == pytest.approx(1.0)
    for i in np.setdiff1d(np.arange(n), sample):
        mean = {c: similarity[i, cluster[sample] == c].mean() for c in np.unique(cluster[sample])}
        assert mean[cluster[i]] >= max(mean.values()) - 1e-5, i


@pytest.mark.parametrize("method", ["ward", "average"])
def test_cluster_reviews_recovers_two_obvious_groups(method):
    # 12 reviews: 7 with profile {c1, c2, c3} (one with c4 too), 5 with {c6, c7, c8}; interleaved.
    group_a, group_b = ["c1", "c2", "c3"], ["c6", "c7", "c8"]
    reviews = []
    for i in range(12):
        codes = group_a if i % 2 == 0 or i == 11 else group_b
        if i == 4:
            codes = [*codes, "c4"]
        reviews.append((f"R{i:02d}", [codes[:2], codes[2:]]))
    rs = tiny_set(reviews)
    for max_reviews in (4000, 6):
        frame = sce.cluster_reviews(rs, n_clusters=2, method=method, max_reviews=max_reviews)
        truth = [0 if i % 2 == 0 or i == 11 else 1 for i in range(12)]
        assert adjusted_rand_score(truth, frame["cluster"]) == 1.0
        assert frame.loc[0, "cluster"] == 1 and frame.loc[0, "cluster_size"] == 7  # the larger group is 1
        assert frame.loc[0, "defining_factors"] == "c1; c2; c3"
        assert frame.loc[1, "defining_factors"] == "c6; c7; c8"


# ============================================================================ determinism


def test_same_seed_gives_byte_identical_tables():
    first = synthetic.generate(PLANT_REVIEWS, seed=PLANT_SEED).review_set
    second = synthetic.generate(PLANT_REVIEWS, seed=PLANT_SEED).review_set  # made afresh, not the same object
    calls = {
        "factor_pairs": lambda rs: sce.factor_pairs(rs),
        "factor_pairs(review)": lambda rs: sce.factor_pairs(rs, unit="review"),
        "systemic_themes": lambda rs: sce.systemic_themes(rs, seed=5, resamples=25),
        "factor_sequences": lambda rs: sce.factor_sequences(rs),
        "factor_sequences(permutations)": lambda rs: sce.factor_sequences(rs, permutations=49, seed=9),
        "cluster_reviews": lambda rs: sce.cluster_reviews(rs, max_reviews=150, seed=2),
        "cluster_reviews(average)": lambda rs: sce.cluster_reviews(rs, method="average", max_reviews=150, seed=2),
        "review_similarity": lambda rs: sce.review_similarity(rs, top=4),
        "cross_level_links": lambda rs: sce.cross_level_links(rs),
    }
    for name, call in calls.items():
        one, two, again = call(first), call(second), call(first)
        assert one.to_csv() == two.to_csv() == again.to_csv(), name
    edges = [sorted(sce.factor_network(rs).edges(data=True)) for rs in (first, second)]
    assert edges[0] == edges[1]


def test_inputs_are_not_mutated(sample_rs):
    rs = sce.load(SAMPLE)
    before = {name: getattr(rs, name).copy(deep=True) for name in ("reviews", "episodes", "factors", "taxonomy")}
    sce.factor_pairs(rs, unit="review")
    sce.systemic_themes(rs, resamples=3)
    sce.factor_sequences(rs, permutations=5)
    sce.cross_level_links(rs)
    sce.review_similarity(rs)
    sce.cluster_reviews(rs, max_reviews=40)
    for name, frame in before.items():
        pd.testing.assert_frame_equal(getattr(rs, name), frame, obj=name)
    assert rs.equals(sample_rs)


# ============================================================================ errors

ALL_FUNCTIONS = {
    "factor_pairs": lambda rs, **kw: sce.factor_pairs(rs, **kw),
    "factor_network": lambda rs, **kw: sce.factor_network(rs, **kw),
    "systemic_themes": lambda rs, **kw: sce.systemic_themes(rs, **({"resamples": 2} | kw)),
    "factor_sequences": lambda rs, **kw: sce.factor_sequences(rs, **kw),
    "cross_level_links": lambda rs, **kw: sce.cross_level_links(rs, **kw),
    "review_similarity": lambda rs, **kw: sce.review_similarity(rs, **kw),
    "cluster_reviews": lambda rs, **kw: sce.cluster_reviews(rs, **kw),
}

BAD_PARAMETERS = (
    [
        (name, {"unit": unit}, "unit")
        for name in ("factor_pairs", "factor_network", "systemic_themes", "cross_level_links")
        for unit in ("case", "reviews", None)
    ]
    + [(name, {"polarity": polarity}, "polarity") for name in ALL_FUNCTIONS for polarity in ("bad", "Good", "")]
    + [
        (name, {"min_count": value}, "min_count")
        for name in ("factor_pairs", "factor_network", "systemic_themes", "factor_sequences", "cross_level_links")
        for value in (0, -1, 2.5, True, "5")
    ]
    + [
        (name, {"alpha": value}, "alpha")
        for name in ("factor_network", "systemic_themes", "cross_level_links")
        for value in (0, 1, -0.1, 1.5, "0.05", True, None)
    ]
    + [
        (name, {"min_lift": value}, "min_lift")
        for name in ("factor_network", "systemic_themes", "cross_level_links")
        for value in (-1, "1", True, float("nan"))
    ]
    + [
        (name, {"seed": value}, "seed")
        for name in ("systemic_themes", "factor_sequences", "cluster_reviews")
        for value in (-1, 1.5, True, "0")
    ]
    + [("systemic_themes", {"resamples": value}, "resamples") for value in (-1, 2.5, True, "200")]
    + [("factor_sequences", {"lag": value}, "lag") for value in (0, -1, 1.5, True, "1")]
    + [("factor_sequences", {"permutations": value}, "permutations") for value in (-1, 2.5, True)]
    + [("review_similarity", {"top": value}, "top") for value in (0, -3, 2.5, True, "10")]
    + [
        (name, {"metric": value}, "metric")
        for name in ("review_similarity", "cluster_reviews")
        for value in ("euclidean", "Jaccard", None)
    ]
    + [("cluster_reviews", {"method": value}, "method") for value in ("single", "Ward", None)]
    + [("cluster_reviews", {"n_clusters": value}, "n_clusters") for value in (0, 2.5, True)]
    + [("cluster_reviews", {"max_reviews": value}, "max_reviews") for value in (1, 0, 100.0, False)]
)


BAD_IDS = [f"{name}-{key}={value!r}" for name, options, _ in BAD_PARAMETERS for key, value in options.items()]


@pytest.mark.parametrize(("name", "options", "word"), BAD_PARAMETERS, ids=BAD_IDS)
def test_bad_parameters_raise_parameter_errors_that_name_them(sample_rs, name, options, word):
    with pytest.raises(sce.ParameterError, match=word):
        ALL_FUNCTIONS[name](sample_rs, **options)


@pytest.mark.parametrize("name", list(ALL_FUNCTIONS))
def test_empty_filter_result_raises_parameter_error(sample_rs, name):
    empty = sample_rs.filter(years=(1990, 1990))
    assert len(empty.reviews) == 0
    with pytest.raises(sce.ParameterError) as error:
        ALL_FUNCTIONS[name](empty)
    assert "filter" in str(error.value).lower()


def test_louvain_themes_of_a_graph_without_edges_is_empty():
    G = nx.Graph()
    G.add_nodes_from(["a", "b"])
    assert louvain_themes(G) == {}
