"""Independent checks of ``sce_analysis.stats.inference``: every helper against scipy or statsmodels.

The helpers are vectorised (one value per factor, group or pair); the references here are the
one-table-at-a-time functions of scipy and statsmodels, called in a plain loop.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import binomtest, fisher_exact
from statsmodels.stats.contingency_tables import Table2x2
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint

from sce_analysis.stats import inference as stats

# ---------------------------------------------------------------------------- references


def reference_wilson(count: int, nobs: int, alpha: float = 0.05) -> tuple[float, float]:
    low, high = proportion_confint(count, nobs, alpha=alpha, method="wilson")
    return float(low), float(high)


def reference_bh(p) -> np.ndarray:
    """BH q-values over the non-NaN entries (statsmodels); NaN stays NaN."""
    p = np.asarray(p, dtype=float)
    q = np.full(p.shape, np.nan)
    tested = ~np.isnan(p)
    if tested.any():
        q[tested] = multipletests(p[tested], method="fdr_bh")[1]
    return q


def reference_woolf(a, b, c, d, alpha=0.05) -> tuple[float, float, float]:
    """Sample odds ratio and Woolf interval; 0.5 added to every cell when any cell is 0."""
    table = np.array([[a, b], [c, d]], dtype=float)
    if (table == 0).any():
        table = table + 0.5
    t = Table2x2(table, shift_zeros=False)
    low, high = t.oddsratio_confint(alpha=alpha, method="normal")
    return float(t.oddsratio), float(low), float(high)


def tables_from_cells(cells) -> tuple[np.ndarray, ...]:
    """(a, row_total, column_total, n_total) arrays for [[a, b], [c, d]] tables."""
    cells = np.asarray(cells, dtype=np.int64).reshape(-1, 4)
    a, b, c, d = cells.T
    return a, a + b, a + c, a + b + c + d


def random_cells(seed: int, n: int) -> np.ndarray:
    """2x2 tables with many zeros, tiny and large margins, and lopsided shapes."""
    rng = np.random.default_rng(seed)
    scale = rng.choice([1, 3, 10, 60, 400, 3000], size=(n, 1))
    cells = np.floor(rng.random((n, 4)) ** 2 * (scale + 1)).astype(np.int64)
    cells[rng.random((n, 4)) < 0.15] = 0  # extra zero cells
    cells[cells.sum(axis=1) == 0, 3] = 1  # the empty table has its own test
    return cells


# ---------------------------------------------------------------------------- Wilson


class TestWilson:
    def test_matches_statsmodels_and_scipy_on_a_grid(self):
        counts, nobs = [], []
        for n in (1, 2, 3, 5, 10, 37, 80, 523, 10_000):
            for k in sorted({0, 1, n // 3, n // 2, n - 1, n}):
                counts.append(k)
                nobs.append(n)
        low, high = stats.wilson_interval(np.array(counts), np.array(nobs))
        assert low.shape == high.shape == (len(counts),)
        for k, n, lo, hi in zip(counts, nobs, low, high, strict=True):
            ref_low, ref_high = reference_wilson(k, n)
            assert lo == pytest.approx(ref_low, rel=1e-10, abs=1e-14)
            assert hi == pytest.approx(ref_high, rel=1e-10, abs=1e-14)
            ci = binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
            assert lo == pytest.approx(ci.low, rel=1e-9, abs=1e-12)
            assert hi == pytest.approx(ci.high, rel=1e-9, abs=1e-12)

    def test_alpha_is_used(self):
        low90, high90 = stats.wilson_interval(np.array([7]), np.array([20]), alpha=0.10)
        low95, high95 = stats.wilson_interval(np.array([7]), np.array([20]))
        ref = reference_wilson(7, 20, alpha=0.10)
        assert (low90[0], high90[0]) == pytest.approx(ref, rel=1e-10)
        assert low95[0] < low90[0] < 7 / 20 < high90[0] < high95[0]

    def test_boundaries_zero_and_all(self):
        low, high = stats.wilson_interval(np.array([0, 12]), np.array([12, 12]))
        # 0 of n: the interval starts at 0 and has a positive upper bound z²/(n + z²).
        z2 = 1.959963984540054**2
        assert low[0] == pytest.approx(0.0, abs=1e-15)
        assert high[0] == pytest.approx(z2 / (12 + z2), rel=1e-9)
        # n of n: mirror image.
        assert high[1] == pytest.approx(1.0, abs=1e-15)
        assert low[1] == pytest.approx(12 / (12 + z2), rel=1e-9)

    def test_hand_worked_value(self):
        # 2 of 3, z = 1.959964: centre (2 + z²/2)/(3 + z²) = 3.920729/6.841459 = 0.573082;
        # half-width z·sqrt(2·1/3 + z²/4)/(3 + z²) = 1.959964·1.263845/6.841459 = 0.362072.
        low, high = stats.wilson_interval(np.array([2]), np.array([3]))
        assert low[0] == pytest.approx(0.2077, abs=1e-4)
        assert high[0] == pytest.approx(0.9385, abs=1e-4)

    @settings(max_examples=40, deadline=None)
    @given(st.lists(st.tuples(st.integers(1, 5000), st.floats(0, 1)), min_size=1, max_size=20))
    def test_property_matches_statsmodels(self, pairs):
        nobs = np.array([n for n, _ in pairs])
        counts = np.array([round(f * n) for n, f in pairs])
        low, high = stats.wilson_interval(counts, nobs)
        ref_low, ref_high = proportion_confint(counts, nobs, method="wilson")
        np.testing.assert_allclose(low, ref_low, rtol=1e-10, atol=1e-14)
        np.testing.assert_allclose(high, ref_high, rtol=1e-10, atol=1e-14)
        assert np.all((low >= 0) & (low <= counts / nobs + 1e-12) & (high <= 1) & (high >= counts / nobs - 1e-12))


# ---------------------------------------------------------------------------- Benjamini-Hochberg


class TestBH:
    def test_matches_multipletests_on_random_p(self):
        rng = np.random.default_rng(3)
        for size in (1, 2, 7, 56, 500):
            p = np.concatenate([rng.random(size) ** 3, [0.0, 1.0, 0.05, 0.05]])
            q = stats.bh_qvalues(p)
            np.testing.assert_allclose(q, reference_bh(p), rtol=1e-12, atol=0)

    def test_nan_stays_nan_and_is_not_counted(self):
        p = np.array([0.01, np.nan, 0.04, 0.03, np.nan, 0.5])
        q = stats.bh_qvalues(p)
        assert np.isnan(q[[1, 4]]).all()
        # Hand-worked over the 4 tested p: sorted 0.01, 0.03, 0.04, 0.5 -> p·m/rank = 0.04, 0.06, 0.0533,
        # 0.5, then the running minimum from the top: 0.04, 0.0533, 0.0533, 0.5.
        np.testing.assert_allclose(q[[0, 3, 2, 5]], [0.04, 0.16 / 3, 0.16 / 3, 0.5], rtol=1e-12)
        np.testing.assert_allclose(q, reference_bh(p), rtol=1e-12)

    def test_all_nan_and_empty(self):
        assert np.isnan(stats.bh_qvalues(np.array([np.nan, np.nan]))).all()
        assert stats.bh_qvalues(np.array([], dtype=float)).shape == (0,)

    def test_q_never_below_p_and_not_above_one(self):
        p = np.random.default_rng(9).random(200)
        q = stats.bh_qvalues(p)
        assert np.all(q >= p - 1e-15) and np.all(q <= 1)

    @settings(max_examples=40, deadline=None)
    @given(st.lists(st.one_of(st.floats(0, 1), st.just(float("nan"))), min_size=1, max_size=60))
    def test_property_matches_multipletests(self, values):
        p = np.array(values, dtype=float)
        q = stats.bh_qvalues(p)
        ref = reference_bh(p)
        assert np.array_equal(np.isnan(q), np.isnan(ref))
        np.testing.assert_allclose(q[~np.isnan(q)], ref[~np.isnan(ref)], rtol=1e-12, atol=1e-300)


# ---------------------------------------------------------------------------- Fisher exact


def assert_fisher_matches(cells, rtol=1e-7):
    a, row, column, n = tables_from_cells(cells)
    two = np.asarray(stats.fisher_two_sided(a, row, column, n), dtype=float)
    greater = np.asarray(stats.fisher_greater(a, row, column, n), dtype=float)
    assert two.shape == greater.shape == a.shape
    for i, (ca, cb, cc, cd) in enumerate(np.asarray(cells).reshape(-1, 4)):
        table = [[int(ca), int(cb)], [int(cc), int(cd)]]
        ref_two = fisher_exact(table, alternative="two-sided").pvalue
        ref_greater = fisher_exact(table, alternative="greater").pvalue
        assert two[i] == pytest.approx(ref_two, rel=rtol, abs=1e-300), f"two-sided {table}"
        assert greater[i] == pytest.approx(ref_greater, rel=rtol, abs=1e-300), f"greater {table}"
        assert 0 <= two[i] <= 1 and 0 <= greater[i] <= 1


class TestFisher:
    def test_hand_worked(self):
        # [[1, 0], [1, 1]]: N=3, row 1, column 2. P(a=1) = 2/3, P(a=0) = 1/3.
        # Two-sided: tables no more likely than 2/3 -> both -> p = 1. Greater: P(a >= 1) = 2/3.
        assert stats.fisher_two_sided(np.array([1]), np.array([1]), np.array([2]), np.array([3]))[0] == pytest.approx(1)
        assert stats.fisher_greater(np.array([1]), np.array([1]), np.array([2]), np.array([3]))[0] == pytest.approx(
            2 / 3
        )
        # [[3, 0], [0, 3]]: P(a=3) = 1/C(6,3) = 1/20; two-sided adds a=0 (also 1/20) -> 0.1.
        assert stats.fisher_two_sided(np.array([3]), np.array([3]), np.array([3]), np.array([6]))[0] == pytest.approx(
            0.1
        )
        assert stats.fisher_greater(np.array([3]), np.array([3]), np.array([3]), np.array([6]))[0] == pytest.approx(
            0.05
        )

    def test_classic_tea_tasting(self):
        assert_fisher_matches([[3, 1, 1, 3]])
        assert stats.fisher_two_sided(np.array([3]), np.array([4]), np.array([4]), np.array([8]))[0] == pytest.approx(
            34 / 70
        )

    def test_zero_cells_and_degenerate_margins(self):
        cells = [
            [0, 5, 0, 7],  # empty first column
            [0, 0, 4, 9],  # empty first row
            [5, 0, 0, 5],
            [0, 5, 5, 0],
            [12, 0, 3, 0],  # empty second column
            [1, 0, 0, 0],
            [0, 1, 1, 500],
            [400, 0, 0, 1],
        ]
        assert_fisher_matches(cells)

    def test_empty_table_is_not_significant(self):
        # scipy: a table with no observations (n_total = 0) has p = 1 both ways, never 0 or NaN.
        assert_fisher_matches([[0, 0, 0, 0]])

    def test_random_tables_seeded(self):
        assert_fisher_matches(random_cells(2024, 600))

    def test_large_margins(self):
        rng = np.random.default_rng(11)
        cells = np.column_stack(
            [rng.integers(0, 40, 30), rng.integers(0, 4000, 30), rng.integers(0, 300, 30), rng.integers(0, 9000, 30)]
        )
        assert_fisher_matches(cells)

    @settings(max_examples=60, deadline=None)
    @given(
        st.lists(
            st.tuples(*(st.one_of(st.integers(0, 3), st.integers(0, 50), st.integers(0, 2000)) for _ in range(4))),
            min_size=1,
            max_size=12,
        )
    )
    def test_property_matches_scipy(self, tables):
        cells = np.array(tables)
        cells[cells.sum(axis=1) == 0, 0] = 1  # the empty table has its own test
        assert_fisher_matches(cells)

    def test_order_of_inputs_does_not_leak_between_tables(self):
        # The same tables in reverse order give the same p-values, reversed (vectorised, no state).
        cells = random_cells(5, 50)
        a, row, column, n = tables_from_cells(cells)
        forward = stats.fisher_two_sided(a, row, column, n)
        backward = stats.fisher_two_sided(a[::-1], row[::-1], column[::-1], n[::-1])
        np.testing.assert_array_equal(np.asarray(forward), np.asarray(backward)[::-1])

    def test_greater_is_the_hypergeometric_upper_tail(self):
        # n_ab=2 of N=10 with n_a=3, n_b=4: P(X>=2) = [C(3,2)C(7,2) + C(3,3)C(7,1)] / C(10,4) = (63 + 7)/210.
        p = stats.fisher_greater(np.array([2]), np.array([3]), np.array([4]), np.array([10]))
        assert p[0] == pytest.approx(70 / 210, rel=1e-12)
        assert math.comb(10, 4) == 210


# ---------------------------------------------------------------------------- odds ratio and Woolf interval


class TestOddsRatioWoolf:
    def test_hand_worked(self):
        # [[10, 20], [5, 40]]: OR = 400/100 = 4; SE(log OR) = sqrt(1/10+1/20+1/5+1/40) = sqrt(0.375) = 0.612372;
        # CI = 4·exp(±1.959964·0.612372) = 4·exp(±1.200227) -> 1.204534 .. 13.28314.
        odds, low, high = stats.odds_ratio_woolf(np.array([10]), np.array([20]), np.array([5]), np.array([40]))
        assert odds[0] == pytest.approx(4.0, rel=1e-12)
        assert low[0] == pytest.approx(4 * math.exp(-1.959963984540054 * math.sqrt(0.375)), rel=1e-9)
        assert high[0] == pytest.approx(4 * math.exp(1.959963984540054 * math.sqrt(0.375)), rel=1e-9)

    def test_haldane_correction_on_zero_cells(self):
        # [[0, 5], [3, 2]] -> [[0.5, 5.5], [3.5, 2.5]]: OR = 1.25/19.25.
        odds, low, high = stats.odds_ratio_woolf(np.array([0]), np.array([5]), np.array([3]), np.array([2]))
        assert odds[0] == pytest.approx(1.25 / 19.25, rel=1e-12)
        assert 0 < low[0] < odds[0] < high[0] < np.inf

    def test_no_correction_without_zero(self):
        # [[1, 1], [1, 3]]: OR exactly 3 (a correction would give 1.5·3.5/(1.5·1.5) = 2.333).
        odds, _, _ = stats.odds_ratio_woolf(np.array([1]), np.array([1]), np.array([1]), np.array([3]))
        assert odds[0] == pytest.approx(3.0, rel=1e-12)

    @pytest.mark.parametrize("alpha", [0.05, 0.10, 0.01])
    def test_random_tables_against_statsmodels(self, alpha):
        cells = random_cells(77, 400)
        a, b, c, d = cells.T
        odds, low, high = stats.odds_ratio_woolf(a, b, c, d, alpha=alpha)
        for i in range(len(cells)):
            ref = reference_woolf(*cells[i], alpha=alpha)
            assert (odds[i], low[i], high[i]) == pytest.approx(ref, rel=1e-9), f"table {cells[i]}"
            assert low[i] <= odds[i] <= high[i]

    @settings(max_examples=50, deadline=None)
    @given(st.lists(st.tuples(*(st.integers(0, 300) for _ in range(4))), min_size=1, max_size=10))
    def test_property_matches_statsmodels(self, tables):
        cells = np.array(tables)
        odds, low, high = stats.odds_ratio_woolf(*cells.T)
        for i, row in enumerate(cells):
            ref = reference_woolf(*row)
            assert (odds[i], low[i], high[i]) == pytest.approx(ref, rel=1e-9)
            assert np.isfinite([odds[i], low[i], high[i]]).all()
