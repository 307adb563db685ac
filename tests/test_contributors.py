"""Independent checks of ``n_contributing_areas``, the areas behind each number of a table (issue 13).

The definition: for each count of a row that is not zero (its numerators and its denominator),
the number of distinct areas among the reviews that count rests on; the row's value is the
smallest of them, and 0 when every count is zero.

The oracle here does not use the library's area code. Every count is a sum over reviews and each
review has one area, so a count cell splits by area: the oracle filters the set to each area in
turn (``rs.filter(areas=[a])``), recomputes the cell there, and counts the areas where it is not
zero. It first checks that the per-area cells add up to the whole set's cell, which is what makes
the split valid. The per-area cells come from the library's *count* columns on the filtered set
(verified against brute-force loops in test_patterns.py and test_networks.py) and, for the counts
that are not columns (denominators such as the units in scope), from plain pandas on the frames.

Three sets: the hand-written ``CLEAN`` set (two areas), data/sample (16 areas, two coders), and a
planted set where a factor is coded only in two areas and another everywhere.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sce_analysis as sce
from sce_analysis.errors import ParameterError
from sce_analysis.stats import contributors
from sce_analysis.stats.networks import node_metrics

COLUMN = "n_contributing_areas"

# ============================================================================ the oracle


def split_by_area(rs, counter, index: pd.Index) -> pd.DataFrame:
    """Per row of ``index``: the number of areas behind each count, checked to add up.

    ``counter(subset, index)`` returns a frame indexed by ``index`` holding the row's counts in
    the review set ``subset``.
    """
    whole = counter(rs, index).astype("int64")
    total = pd.DataFrame(0, index=index, columns=whole.columns)
    areas_behind = pd.DataFrame(0, index=index, columns=whole.columns)
    for area in sorted(rs.reviews["area"].unique()):
        part = counter(rs.filter(areas=[area]), index).astype("int64")
        total += part
        areas_behind += (part > 0).astype("int64")
    pd.testing.assert_frame_equal(total, whole, check_names=False)  # each count is a sum over the areas
    return areas_behind.where(whole > 0)


def oracle(rs, counter, index: pd.Index) -> np.ndarray:
    """The expected ``n_contributing_areas`` of the rows of ``index``."""
    return split_by_area(rs, counter, index).min(axis=1).fillna(0).astype("int64").to_numpy()


def keyed(table: pd.DataFrame, keys: list[str]) -> pd.Index:
    frame = table[keys].astype(object).astype(str)
    return pd.MultiIndex.from_frame(frame) if len(keys) > 1 else pd.Index(frame[keys[0]], name=keys[0])


def counts_of(table: pd.DataFrame, keys: list[str], columns: list[str], index: pd.Index) -> pd.DataFrame:
    """The count columns of a library table, on the rows of ``index`` (0 where the table has no row)."""
    frame = table.set_index(keyed(table, keys))[columns]
    return frame[~frame.index.duplicated()].reindex(index, fill_value=0)


def group_labels(values: pd.Series) -> pd.Series:
    return values.astype(object).astype(str)


def units_of(rs, unit: str) -> int:
    return len(rs.reviews) if unit == "review" else len(rs.episodes)


def check(rs, table: pd.DataFrame, keys: list[str], counter) -> None:
    """The table's column equals the oracle, with the counts the oracle sees equal to the table's."""
    assert table[COLUMN].dtype == np.int64
    index = keyed(table, keys)
    whole = counter(rs, index)
    shared = [c for c in whole.columns if c in table.columns]
    np.testing.assert_array_equal(whole[shared].to_numpy(), table[shared].to_numpy())
    expected = oracle(rs, counter, index)
    np.testing.assert_array_equal(table[COLUMN].to_numpy(), expected, err_msg=str(keys))
    n_areas = rs.reviews["area"].nunique()
    assert (table[COLUMN] <= n_areas).all()
    assert ((table[COLUMN] >= 1) | (whole == 0).all(axis=1).to_numpy()).all()


# ---------------------------------------------------------------------------- counters, one per table


def prevalence_counter(by=None, unit="review", polarity=None):
    keys = [by, "factor_code"] if by else ["factor_code"]

    def count(rs, index):
        table = sce.factor_prevalence(rs, by=by, unit=unit, polarity=polarity)
        return counts_of(table, keys, ["n_reviews", "n_units", "n_episodes", "n_total"], index)

    return keys, count


def trends_counter(unit="review"):
    def count(rs, index):
        frame = counts_of(sce.factor_trends(rs, unit=unit), ["factor_code"], ["n_reviews", "n_units"], index)
        return frame.assign(units_in_scope=units_of(rs, unit))

    return ["factor_code"], count


def compare_counter(by, unit="review"):
    """n_group, n_in, n_out and the rest's units, from the prevalence of the subset (not compare_groups)."""

    def count(rs, index):
        groups, codes = index.get_level_values(1), index.get_level_values(0)
        within = sce.factor_prevalence(rs, by=by, unit=unit)
        within = within.set_index([group_labels(within[by]), within["factor_code"]])
        overall = sce.factor_prevalence(rs, unit=unit).set_index("factor_code")
        pairs = pd.MultiIndex.from_arrays([groups, codes])
        n_in = within["n_units"].reindex(pairs, fill_value=0).to_numpy()
        n_group = within["n_total"].groupby(level=0).first().reindex(groups, fill_value=0).to_numpy()
        with_factor = overall["n_units"].reindex(codes).to_numpy()
        frame = {"n_group": n_group, "n_in": n_in, "n_out": with_factor - n_in, "rest": units_of(rs, unit) - n_group}
        return pd.DataFrame(frame, index=index)

    return ["factor_code", "group"], count


def categories_counter(by=None):
    keys = [by, "category"] if by else ["category"]

    def count(rs, index):
        return counts_of(sce.finding_categories(rs, by=by), keys, ["n_findings", "n_reviews", "n_total"], index)

    return keys, count


def category_factors_counter():
    def count(rs, index):
        frame = counts_of(sce.category_factors(rs), ["category", "factor_code"], ["n_findings", "n_reviews"], index)
        cited = rs.finding_episodes.merge(rs.findings[["review_id", "finding_id", "category"]])
        citing = cited.drop_duplicates(["review_id", "finding_id"])["category"].astype(str).value_counts()
        return frame.assign(citing=index.get_level_values(0).map(citing).fillna(0).astype(int).to_numpy())

    return ["category", "factor_code"], count


def levels_counter(by=None, polarity=None):
    keys = [by, "level"] if by else ["level"]

    def count(rs, index):
        frame = counts_of(sce.level_profile(rs, by=by, polarity=polarity), keys, ["n_codings", "n_reviews"], index)
        codings = rs.codings()
        if polarity is not None:
            codings = codings[codings["polarity"] == polarity]
        if by is None:
            group_of, group = pd.Series("all", index=rs.reviews["review_id"]), pd.Index(["all"] * len(index))
        else:
            group_of, group = group_labels(rs.reviews.set_index("review_id")[by]), index.get_level_values(0)
        frame["group_codings"] = group.map(codings["review_id"].map(group_of).value_counts()).fillna(0).to_numpy()
        frame["group_reviews"] = group.map(group_of.value_counts()).fillna(0).to_numpy()
        return frame

    return keys, count


def board_counter():
    def count(rs, index):
        table = sce.board_questions(rs, publication=True)
        frame = counts_of(table, ["category"], ["n_findings", "n_reviews"], index)
        return frame.assign(reviews_in_scope=len(rs.reviews))

    return ["category"], count


def coverage_counter(by):
    def count(rs, index):
        table = sce.coverage(rs, by=by)
        frame = counts_of(table, [by], ["n_reviews", "n_episodes", "n_codings", "n_findings"], index)
        return frame.assign(reviews_in_scope=len(rs.reviews))

    return [by], count


def code_counts(rs, unit: str, polarity=None) -> pd.Series:
    """Units with each code, from the raw codings (the numerator of a factor's node)."""
    codings = rs.codings()
    if polarity is not None:
        codings = codings[codings["polarity"] == polarity]
    unit_keys = ["review_id"] if unit == "review" else ["review_id", "episode_id"]
    return codings.drop_duplicates([*unit_keys, "factor_code"])["factor_code"].value_counts()


def pairs_counter(unit="episode", polarity=None):
    def count(rs, index):
        try:
            pairs = sce.factor_pairs(rs, unit=unit, min_count=1, polarity=polarity)
        except ParameterError:  # no unit in this area
            pairs = pd.DataFrame({"factor_a": [], "factor_b": [], "n_ab": []})
        frame = counts_of(pairs, ["factor_a", "factor_b"], ["n_ab"], index)
        with_code = code_counts(rs, unit, polarity)
        frame["n_a"] = index.get_level_values(0).map(with_code).fillna(0).to_numpy()
        frame["n_b"] = index.get_level_values(1).map(with_code).fillna(0).to_numpy()
        return frame.assign(n_units=units_of(rs, unit))

    return ["factor_a", "factor_b"], count


def sequences_counter(lag=1):
    def count(rs, index):
        try:
            table = sce.factor_sequences(rs, lag=lag, min_count=1)
        except ParameterError:
            table = pd.DataFrame({"factor_from": [], "factor_to": [], "n": []})
        frame = counts_of(table, ["factor_from", "factor_to"], ["n"], index)
        sequenced = rs.episodes.loc[rs.episodes["sequence"].notna(), ["review_id", "episode_id"]]
        with_code = sequenced.merge(rs.codings()).drop_duplicates(["review_id", "episode_id", "factor_code"])
        episodes_with = with_code["factor_code"].value_counts()
        frame["episodes_from"] = index.get_level_values(0).map(episodes_with).fillna(0).to_numpy()
        frame["episodes_to"] = index.get_level_values(1).map(episodes_with).fillna(0).to_numpy()
        return frame

    return ["factor_from", "factor_to"], count


def node_counter(unit="episode"):
    def count(rs, index):
        with_code = code_counts(rs, unit)
        return pd.DataFrame({"n_units": index.map(with_code).fillna(0).to_numpy()}, index=index).assign(
            units_in_scope=units_of(rs, unit)
        )

    return ["factor_code"], count


def agreement_counter(level="code"):
    counted = ["double_coded_episodes", "judgements", "coded_by_any", "coded_by_all"]

    def count(rs, index):
        present = [c for c in rs.coders if c]
        try:
            table = sce.coder_agreement(rs, level=level, coders=present)
        except ParameterError:  # fewer than two coders, or no double coding, in this area
            return pd.DataFrame(0, index=index, columns=counted)
        return counts_of(table, ["item"], counted, index)

    return ["item"], count


def overview_counter():
    counted = ["double_coded_episodes", "judgements", "coded_by_any", "coded_by_all"]

    def count(rs, index):
        return counts_of(sce.agreement_overview(rs), ["level", "item"], counted, index)

    return ["level", "item"], count


# ============================================================================ the sets


def planted_frames(n_areas: int = 6, reviews_per_area: int = 4) -> dict[str, pd.DataFrame]:
    """Areas A1..An in two regions; every review has three episodes in sequence.

    - ``everywhere`` on episode 1 of every review (all areas);
    - ``rare`` on episodes 1 and 2 of the reviews of A1 and A2 only; ``follow`` on episode 2 there;
    - ``single`` on episode 3 of the reviews of A3 only; ``never`` is in the frame, never coded.
    """
    reviews, episodes, factors, findings = [], [], [], []
    for a in range(1, n_areas + 1):
        for r in range(1, reviews_per_area + 1):
            rid = f"A{a}R{r}"
            region = "North" if a <= n_areas // 2 else "South"
            reviews.append({"review_id": rid, "area": f"A{a}", "year": 2018 + r % 3, "region": region})
            for k in (1, 2, 3):
                episodes.append({"review_id": rid, "episode_id": f"KPE{k}", "sequence": k})
            coded = [("KPE1", "everywhere")]
            if a <= 2:
                coded += [("KPE1", "rare"), ("KPE2", "rare"), ("KPE2", "follow")]
            if a == 3:
                coded += [("KPE3", "single")]
            factors += [{"review_id": rid, "episode_id": e, "factor_code": c} for e, c in coded]
            category = "human_reasoning" if a <= 2 else "multi_agency_incidents"
            findings.append(
                {
                    "review_id": rid,
                    "finding_id": "F1",
                    "category": category,
                    "episode_ids": "KPE1",
                    "issues_for_board": "Is this known?" if a == 1 else None,
                }
            )
    taxonomy = pd.DataFrame(
        {
            "factor_code": ["everywhere", "rare", "follow", "single", "never"],
            "label": ["Everywhere", "Rare", "Follows rare", "One area", "Never coded"],
            "level": ["frontline", "local_strategic", "frontline", "national", "frontline"],
        }
    )
    return {
        "reviews": pd.DataFrame(reviews),
        "episodes": pd.DataFrame(episodes),
        "factors": pd.DataFrame(factors),
        "findings": pd.DataFrame(findings),
        "taxonomy": taxonomy,
    }


@pytest.fixture(scope="module")
def planted_rs():
    return sce.from_frames(**planted_frames())


@pytest.fixture(scope="module", params=["clean", "sample", "planted"])
def any_rs(request, clean_rs, sample_rs, planted_rs):
    return {"clean": clean_rs, "sample": sample_rs, "planted": planted_rs}[request.param]


# ============================================================================ every table against the oracle


@pytest.mark.parametrize(
    "options",
    [{}, {"by": "region"}, {"by": "year", "unit": "episode"}, {"by": "area"}, {"polarity": "good"}],
    ids=["default", "region", "year-episode", "area", "good"],
)
def test_prevalence_and_recurring_factors(any_rs, options):
    table = sce.factor_prevalence(any_rs, **options)
    assert table.columns[-1] == COLUMN
    check(any_rs, table, *prevalence_counter(**options))
    if not options:
        recurring = sce.recurring_factors(any_rs, min_share=0.0, min_area_share=0.0)
        assert recurring.columns[-1] == COLUMN
        by_code = table.set_index("factor_code")[COLUMN]
        assert (recurring[COLUMN].to_numpy() == by_code.loc[recurring["factor_code"]].to_numpy()).all()


def test_prevalence_by_area_rests_on_one_area(any_rs):
    for unit in ("review", "episode"):
        table = sce.factor_prevalence(any_rs, by="area", unit=unit)
        assert (table.loc[table["n_total"] > 0, COLUMN] == 1).all()


@pytest.mark.parametrize("unit", ["review", "episode"])
def test_trends(any_rs, unit):
    table = sce.factor_trends(any_rs, unit=unit)
    check(any_rs, table, *trends_counter(unit))


@pytest.mark.parametrize("by, unit", [("region", "review"), ("area", "episode"), ("year", "review")])
def test_compare_groups(any_rs, by, unit):
    table = sce.compare_groups(any_rs, by=by, unit=unit)
    assert table.columns[-1] == COLUMN
    check(any_rs, table, *compare_counter(by, unit))


@pytest.mark.parametrize("by", [None, "region"])
def test_finding_categories(any_rs, by):
    check(any_rs, sce.finding_categories(any_rs, by=by), *categories_counter(by))


def test_category_factors(any_rs):
    table = sce.category_factors(any_rs)
    table = table.assign(category=table["category"].astype(str))
    check(any_rs, table, *category_factors_counter())


@pytest.mark.parametrize("by, polarity", [(None, None), ("region", None), ("year", "problematic")])
def test_level_profile(any_rs, by, polarity):
    check(any_rs, sce.level_profile(any_rs, by=by, polarity=polarity), *levels_counter(by, polarity))


def test_board_questions(any_rs):
    table = sce.board_questions(any_rs, publication=True)
    assert list(table.columns) == ["category", "n_findings", "n_reviews", COLUMN]
    check(any_rs, table, *board_counter())
    assert COLUMN not in sce.board_questions(any_rs).columns  # the free text is withheld whole


@pytest.mark.parametrize("by", ["region", "area", "year"])
def test_coverage(any_rs, by):
    table = sce.coverage(any_rs, by=by)
    assert table.columns[-1] == COLUMN
    check(any_rs, table, *coverage_counter(by))
    assert COLUMN not in sce.per_review_counts(any_rs).columns  # one row per review: withheld whole


@pytest.mark.parametrize(
    "options",
    [{"min_count": 1}, {"min_count": 3}, {"unit": "review", "min_count": 1}, {"polarity": "good", "min_count": 1}],
    ids=["episode", "min3", "review", "good"],
)
def test_pairs_network_and_links(any_rs, options):
    pairs = sce.factor_pairs(any_rs, **options)
    assert pairs.columns[-1] == COLUMN
    check(any_rs, pairs, *pairs_counter(options.get("unit", "episode"), options.get("polarity")))
    if options.get("polarity"):
        return
    graph = sce.factor_network(any_rs, alpha=0.999, min_lift=0.0, **options)
    by_pair = pairs.set_index(["factor_a", "factor_b"])[COLUMN]
    for a, b, data in graph.edges(data=True):
        assert data[COLUMN] == by_pair.get((a, b), by_pair.get((b, a)))
    nodes = pd.DataFrame({"factor_code": list(graph.nodes)})
    nodes[COLUMN] = [graph.nodes[n][COLUMN] for n in nodes["factor_code"]]
    if len(nodes):
        keys, count = node_counter(options.get("unit", "episode"))
        check(any_rs, nodes, keys, count)
        metrics = node_metrics(graph)
        assert metrics.columns[-1] == COLUMN
        assert metrics.set_index("factor_code")[COLUMN].to_dict() == nodes.set_index("factor_code")[COLUMN].to_dict()
    links = sce.cross_level_links(any_rs, alpha=0.999, min_lift=0.0, **options)
    for row in links.itertuples():
        assert getattr(row, COLUMN) == by_pair.get(
            (row.factor_from, row.factor_to), by_pair.get((row.factor_to, row.factor_from))
        )


def test_systemic_themes(sample_rs):
    themes = sce.systemic_themes(sample_rs, resamples=3)
    assert len(themes) and themes.columns[-1] == COLUMN
    keys, count = node_counter("episode")
    check(sample_rs, themes, keys, count)


@pytest.mark.parametrize("lag, min_count", [(1, 1), (2, 1), (1, 5)])
def test_sequences(any_rs, lag, min_count):
    table = sce.factor_sequences(any_rs, lag=lag, min_count=min_count)
    assert table.columns[-1] == COLUMN
    check(any_rs, table, *sequences_counter(lag))


@pytest.mark.parametrize("level", ["code", "scie_category"])
def test_coder_agreement(sample_rs, clean_rs, level):
    for rs in (sample_rs, clean_rs):
        table = sce.coder_agreement(rs, level=level)
        assert table.columns[-1] == COLUMN
        check(rs, table, *agreement_counter(level))


def test_agreement_overview(sample_rs, planted_rs):
    table = sce.agreement_overview(sample_rs)
    check(sample_rs, table, *overview_counter())
    alone = sce.agreement_overview(planted_rs)  # no double coding: one row that says so
    assert alone["item"].tolist() == ["(no double coding)"] and alone[COLUMN].tolist() == [0]


# ============================================================================ the planted truth


def test_planted_prevalence(planted_rs):
    table = sce.factor_prevalence(planted_rs).set_index("factor_code")[COLUMN]
    # Coded in two areas; everywhere; in one; never (then the areas in scope stand behind the zero).
    assert table.to_dict() == {"rare": 2, "follow": 2, "everywhere": 6, "single": 1, "never": 6}
    north = sce.factor_prevalence(planted_rs, by="region").set_index(["region", "factor_code"])[COLUMN]
    assert north[("North", "rare")] == 2 and north[("South", "rare")] == 3 and north[("North", "everywhere")] == 3


def test_planted_pairs_and_sequences(planted_rs):
    pairs = sce.factor_pairs(planted_rs, min_count=1).set_index(["factor_a", "factor_b"])[COLUMN]
    assert pairs[("everywhere", "rare")] == 2  # together on episode 1 in A1 and A2
    assert pairs[("rare", "follow")] == 2
    assert pairs[("everywhere", "single")] == 1  # never together: the fewer of 6 and 1
    seq = sce.factor_sequences(planted_rs, min_count=1).set_index(["factor_from", "factor_to"])[COLUMN]
    assert seq[("rare", "follow")] == 2 and seq[("everywhere", "rare")] == 2
    assert seq[("everywhere", "everywhere")] == 6  # n = 0: the areas behind the factor's episodes
    assert seq[("rare", "single")] == 1
    graph = sce.factor_network(planted_rs, min_count=1, alpha=0.999, min_lift=0.0)
    assert graph.nodes["rare"][COLUMN] == 2 and graph.nodes["everywhere"][COLUMN] == 6


def test_planted_groups_and_findings(planted_rs):
    groups = sce.compare_groups(planted_rs, by="region").set_index(["group", "factor_code"])[COLUMN]
    # North holds A1-A3, so the rare factor's reviews outside it: none; inside: A1 and A2.
    assert groups[("North", "rare")] == 2 and groups[("South", "rare")] == 2
    assert groups[("South", "everywhere")] == 3
    board = sce.board_questions(planted_rs, publication=True).set_index("category")[COLUMN]
    assert board["human_reasoning"] == 1  # only A1 asks its board
    assert board["human_management"] == 6  # nobody asks: the areas in scope
    cats = sce.finding_categories(planted_rs).set_index("category")[COLUMN]
    assert cats["human_reasoning"] == 2 and cats["multi_agency_incidents"] == 4


# ============================================================================ the helpers


def brute_pair_areas(dense: np.ndarray, area: np.ndarray):
    n = dense.shape[1]
    counts, areas = np.zeros((n, n), dtype=np.int64), np.zeros((n, n), dtype=np.int64)
    for a in range(n):
        for b in range(a + 1, n):
            both = (dense[:, a] > 0) & (dense[:, b] > 0)
            counts[a, b] = both.sum()
            areas[a, b] = len(set(area[both & (area >= 0)]))
    return counts, areas


@pytest.mark.parametrize("n_columns, n_areas", [(6, 4), (300, 20)], ids=["per-area counts", "distinct marks"])
def test_pair_counts_against_loops(n_columns, n_areas):
    rng = np.random.default_rng(5)
    dense = (rng.random((400, n_columns)) < 0.03).astype(np.int64)
    area = rng.integers(0, n_areas, size=400)
    counts, areas = contributors.pair_counts(sp.csr_array(dense), area)
    expected_counts, expected_areas = brute_pair_areas(dense, area)
    np.testing.assert_array_equal(counts, expected_counts)
    np.testing.assert_array_equal(areas, expected_areas)
    np.testing.assert_array_equal(counts, np.triu((dense.T @ dense), k=1))
    area[::7] = -1  # rows without an area count, but stand behind no area
    counts, areas = contributors.pair_counts(sp.csr_array(dense), area)
    np.testing.assert_array_equal(counts, expected_counts)
    np.testing.assert_array_equal(areas, brute_pair_areas(dense, area)[1])


def test_cross_pair_counts_against_loops():
    rng = np.random.default_rng(6)
    left = (rng.random((300, 7)) < 0.2).astype(np.int64)
    right = (rng.random((300, 5)) < 0.2).astype(np.int64)
    area = rng.integers(0, 9, size=300)
    counts, areas = contributors.cross_pair_counts(sp.csr_array(left), sp.csr_array(right), area)
    np.testing.assert_array_equal(counts, left.T @ right)
    for a in range(7):
        for b in range(5):
            assert areas[a, b] == len(set(area[(left[:, a] > 0) & (right[:, b] > 0)]))


@pytest.mark.parametrize(
    "n_groups, n_columns, nested",
    [(3, 4, False), (40, 100, False), (120, 400, False), (12, 30, True)],
    ids=["dense", "counted per entry", "sorted", "groups of whole areas"],
)
def test_areas_inside_outside_against_loops(n_groups, n_columns, nested):
    rng = np.random.default_rng(7)
    dense = (rng.random((900, n_columns)) < 0.02).astype(np.int64)
    area = rng.integers(-1, 110, size=900)
    group = rng.integers(-1, n_groups, size=900)
    if nested:  # each area in one group (as areas in regions), some areas in none
        group = rng.integers(-1, n_groups, size=110)[area]
    inside, outside = contributors.areas_inside_outside(sp.csr_array(dense), area, group, n_groups)
    for g in rng.choice(n_groups, size=min(n_groups, 4), replace=False):
        for c in rng.choice(n_columns, size=min(n_columns, 6), replace=False):
            has = (dense[:, c] > 0) & (area >= 0)
            assert inside[g, c] == len(set(area[has & (group == g)]))
            assert outside[g, c] == len(set(area[has & (group != g)]))


def test_distinct_areas_dense_and_sorted_agree():
    rng = np.random.default_rng(8)
    area, cell = rng.integers(-1, 200, size=5000), rng.integers(-1, 400_000, size=5000)
    got = contributors.distinct_areas(area, cell, 400_000)  # 200 × 400,000 marks: the sorted way
    keep = (area >= 0) & (cell >= 0)
    expected = pd.DataFrame({"a": area[keep], "c": cell[keep]}).drop_duplicates()["c"].value_counts()
    assert got.sum() == expected.sum() and (got[expected.index.to_numpy()] == expected.to_numpy()).all()
    small = contributors.distinct_areas(area % 5, cell % 10, 10)  # the dense way
    brute = [len({a for a, c in zip(area % 5, cell % 10, strict=True) if c == k}) for k in range(10)]
    assert small.tolist() == brute


def test_presence_areas_follow_the_filter(sample_rs):
    from sce_analysis.stats.presence import presence

    subset = sample_rs.filter(areas=["Kelmscote", "Ravensholt"])
    areas = contributors.presence_areas(presence(subset, unit="episode"))
    assert areas.scope_areas == 2 and areas.code_areas.max() <= 2
    assert contributors.presence_areas(presence(subset, unit="episode")) is areas  # computed once


def test_fewest_areas_ignores_zero_counts():
    got = contributors.fewest_areas(
        (np.array([3, 0, 0, 2]), np.array([1, 0, 0, 2])), (np.array([9, 9, 0, 5]), np.array([4, 4, 0, 1]))
    )
    assert got.tolist() == [1, 4, 0, 1]


# ============================================================================ property: random small sets


@st.composite
def small_sets(draw):
    n_reviews = draw(st.integers(1, 7))
    area_pool = ["North Vale", "Eastmarch", "Southby"]
    reviews, episodes, factors = [], [], []
    codes = ["c1", "c2", "c3", "c4"]
    for r in range(n_reviews):
        rid = f"R{r}"
        area = draw(st.sampled_from(area_pool))
        reviews.append({"review_id": rid, "area": area, "year": draw(st.integers(2016, 2019)), "region": area[:1]})
        for k in range(1, draw(st.integers(0, 3)) + 1):
            episodes.append({"review_id": rid, "episode_id": f"K{k}", "sequence": k})
            for code in draw(st.sets(st.sampled_from(codes), max_size=3)):
                factors.append({"review_id": rid, "episode_id": f"K{k}", "factor_code": code})
    frames = {
        "reviews": pd.DataFrame(reviews),
        "episodes": pd.DataFrame(episodes, columns=["review_id", "episode_id", "sequence"]),
        "factors": pd.DataFrame(factors, columns=["review_id", "episode_id", "factor_code"]),
        "taxonomy": pd.DataFrame({"factor_code": codes, "label": codes}),
    }
    return sce.from_frames(**frames)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rs=small_sets())
def test_property_random_sets_match_the_oracle(rs):
    n_areas = rs.reviews["area"].nunique()
    tables = [
        (sce.factor_prevalence(rs, unit="episode"), prevalence_counter(unit="episode")),
        (sce.factor_prevalence(rs, by="region"), prevalence_counter(by="region")),
        (sce.compare_groups(rs, by="region"), compare_counter("region")),
    ]
    if len(rs.episodes):
        tables.append((sce.factor_pairs(rs, min_count=1), pairs_counter()))
        tables.append((sce.factor_sequences(rs, min_count=1), sequences_counter()))
    for table, (keys, count) in tables:
        # check(): equal to the oracle, never above the areas in scope, at least 1 behind a non-zero count.
        check(rs, table, keys, count)
        assert (table[COLUMN] <= n_areas).all()
