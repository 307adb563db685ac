"""Vectorised statistics shared by the analyses: intervals, exact tests, odds ratios, corrections.

Each function works on whole arrays at once (one value per factor, group or pair) so the
analyses never loop over factors in Python. Where a well-kept library does the job it is
called; what is written here (a vectorised two-sided Fisher test, Woolf intervals) is checked
against scipy and statsmodels in ``tests/test_stats.py``.
"""

from __future__ import annotations

import numpy as np
from scipy import special, stats
from statsmodels.stats.proportion import proportion_confint

__all__ = ["wilson_interval", "bh_qvalues", "fisher_two_sided", "fisher_greater", "odds_ratio_woolf"]

#: z for a two-sided 95% interval.
Z95 = float(stats.norm.ppf(0.975))
# R's fisher.test and scipy count tables "as likely as" the observed one within this relative error.
_RELATIVE_TOLERANCE = 1 + 1e-7
# Two-sided Fisher tests evaluate the whole support at once; this caps the grid's cells per chunk.
_GRID_CELLS = 4_000_000


def wilson_interval(count, nobs, *, alpha: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for proportions ``count / nobs`` (statsmodels). NaN where ``nobs`` is 0."""
    count = np.asarray(count, dtype=float)
    nobs = np.asarray(nobs, dtype=float)
    safe = np.where(nobs > 0, nobs, 1.0)
    low, high = proportion_confint(count, safe, alpha=alpha, method="wilson")
    # Rounding can put a bound a hair past the estimate (2.8e-17 above a share of 0): keep p inside.
    share = count / safe
    low, high = np.minimum(low, share), np.maximum(high, share)
    empty = nobs <= 0
    return np.where(empty, np.nan, low), np.where(empty, np.nan, high)


def bh_qvalues(p_values) -> np.ndarray:
    """Benjamini-Hochberg q-values over the tests that have a p-value; NaN stays NaN."""
    p = np.asarray(p_values, dtype=float)
    q = np.full(p.shape, np.nan)
    tested = ~np.isnan(p)
    if tested.any():
        q[tested] = stats.false_discovery_control(p[tested], method="bh")
    return q


def fisher_greater(n_ab, n_a, n_b, n_total) -> np.ndarray:
    """One-sided Fisher exact p, P(X ≥ n_ab), with X hypergeometric: the upper tail.

    This is scipy's ``fisher_exact(..., alternative="greater")`` on the 2×2 table, for arrays.
    scipy's own ``hypergeom.sf`` loops in Python over its arguments (0.24 s for 1,500 pairs), so
    the tail is summed here for all tables at once. From a starting term computed with
    log-gamma functions, each step multiplies by the ratio of successive probabilities, moving
    away from the mode where terms shrink geometrically, until every term is negligible. Above
    the mode the upper tail is summed directly (full relative precision for small p); at or
    below it, one minus the lower tail.
    """
    k, n_total, successes, draws = (
        a.astype(np.int64) for a in np.broadcast_arrays(*(np.atleast_1d(v) for v in (n_ab, n_total, n_a, n_b)))
    )
    low = np.maximum(0, draws + successes - n_total)
    high = np.minimum(draws, successes)
    mode = np.floor((draws + 1) * (successes + 1) / (n_total + 2)).astype(np.int64)
    p = np.where(k <= low, 1.0, 0.0)
    upper = (k > low) & (k <= high) & (k > mode)
    lower = (k > low) & (k <= high) & ~upper
    if upper.any():
        p[upper] = _tail_sum(k[upper], n_total[upper], successes[upper], draws[upper], step=+1)
    if lower.any():
        below = _tail_sum(k[lower] - 1, n_total[lower], successes[lower], draws[lower], step=-1)
        p[lower] = np.clip(1.0 - below, 0.0, 1.0)
    return p.reshape(np.broadcast(n_ab, n_a, n_b, n_total).shape)


def _tail_sum(start, n_total, successes, draws, *, step: int) -> np.ndarray:
    """Sum of hypergeometric probabilities from ``start`` away from the mode (up or down).

    Tables whose next term is negligible drop out of the loop, so later steps only touch the
    few tables with wide distributions.
    """
    x = start.astype(float)
    n, K, d = n_total.astype(float), successes.astype(float), draws.astype(float)
    limit = np.minimum(d, K) if step > 0 else np.maximum(0.0, d + K - n)
    term = np.exp(_hypergeom_logpmf(x, n, K, d))
    total = term.copy()
    live = np.flatnonzero((term > 0) & (x != limit))
    while live.size:
        xs, ns, Ks, ds = x[live], n[live], K[live], d[live]
        if step > 0:
            ratio = (Ks - xs) * (ds - xs) / ((xs + 1) * (ns - Ks - ds + xs + 1))
        else:
            ratio = xs * (ns - Ks - ds + xs) / ((Ks - xs + 1) * (ds - xs + 1))
        term[live] *= ratio
        total[live] += term[live]
        x[live] += step
        going = (term[live] > total[live] * 1e-17) & (x[live] != limit[live])
        live = live[going]
    return total


def fisher_two_sided(a, row_total, column_total, n_total) -> np.ndarray:
    """Two-sided Fisher exact p for many 2×2 tables at once.

    Each table has ``a`` in its first cell, first-row total ``row_total``, first-column total
    ``column_total`` and grand total ``n_total``. The p-value sums the hypergeometric
    probabilities of every table with the same margins that is no more likely than the one
    observed, as ``scipy.stats.fisher_exact`` and R's ``fisher.test`` do.
    """
    a, row_total, column_total, n_total = np.broadcast_arrays(
        *(np.asarray(v, dtype=np.int64).ravel() for v in (a, row_total, column_total, n_total))
    )
    p = np.empty(a.shape, dtype=float)
    low = np.maximum(0, row_total + column_total - n_total)
    high = np.minimum(row_total, column_total)
    width = int((high - low).max()) + 1 if a.size else 1
    chunk = max(1, _GRID_CELLS // width)
    for start in range(0, a.size, chunk):
        part = slice(start, start + chunk)
        x = low[part, None] + np.arange(width)[None, :]
        inside = x <= high[part, None]
        margins = (n_total[part, None], column_total[part, None], row_total[part, None])
        log_pmf = _hypergeom_logpmf(np.minimum(x, high[part, None]), *margins)
        log_observed = _hypergeom_logpmf(a[part], n_total[part], column_total[part], row_total[part])
        as_likely = inside & (log_pmf <= log_observed[:, None] + np.log(_RELATIVE_TOLERANCE))
        p[part] = np.where(as_likely, np.exp(log_pmf), 0.0).sum(axis=1)
    return np.minimum(p, 1.0)


def _log_choose(n, k):
    return special.gammaln(n + 1) - special.gammaln(k + 1) - special.gammaln(n - k + 1)


def _hypergeom_logpmf(x, n_total, successes, draws):
    """log P(X = x) for X hypergeometric; scipy.stats.hypergeom.logpmf without its per-call overhead."""
    return _log_choose(successes, x) + _log_choose(n_total - successes, draws - x) - _log_choose(n_total, draws)


def odds_ratio_woolf(a, b, c, d, *, alpha: float = 0.05) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sample odds ratio ``ad / bc`` with Woolf's log interval.

    A table with a zero cell gets 0.5 added to every cell (Haldane-Anscombe), so the ratio and its
    interval stay finite. Returns ``(odds_ratio, ci_low, ci_high)``.
    """
    cells = [np.asarray(v, dtype=float) for v in (a, b, c, d)]
    zero = np.logical_or.reduce([v == 0 for v in cells])
    a, b, c, d = (np.where(zero, v + 0.5, v) for v in cells)
    log_or = np.log(a) + np.log(d) - np.log(b) - np.log(c)
    z = float(stats.norm.ppf(1 - alpha / 2))
    se = np.sqrt(1 / a + 1 / b + 1 / c + 1 / d)
    return np.exp(log_or), np.exp(log_or - z * se), np.exp(log_or + z * se)
