"""Recurrence across reviews: prevalence, systemic spread, trends and group differences.

A SCIE finding claims to be *systemic*: to affect many more cases than the one reviewed. The
functions here measure that claim across a review set. Each takes a :class:`ReviewSet` first and
keyword-only options, and returns a new tidy DataFrame whose columns are documented below. All
counts come from one sparse presence matrix (:mod:`sce_analysis.stats.presence`) multiplied by group
indicator matrices, never from a loop that filters the frame per factor.

Conventions shared by every function:

- ``unit`` is ``"review"`` (the default: a review has a factor when any of its key practice
  episodes has it) or ``"episode"``. Units without any coded factor still count in denominators.
- Counts use one coder per episode (:meth:`ReviewSet.codings`; ``coder`` prefers one).
- ``polarity`` restricts counts to ``"problematic"`` or ``"good"`` codings.
- Intervals are Wilson 95% intervals; ``q_value`` is the Benjamini-Hochberg adjustment over the
  tests that were run, so a table of many tests can be read at a false-discovery rate.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import scipy.sparse as sp
import statsmodels.api as sm
from statsmodels.tools.sm_exceptions import ConvergenceWarning, PerfectSeparationWarning

from ..checks import check_alpha, check_share, check_whole
from ..errors import ParameterError
from ..reviewsets.contract import LEVELS, SCIE_CATEGORIES, SCIE_CATEGORY_LABELS
from .contributors import (
    CONTRIBUTING_AREAS,
    area_index,
    areas_inside_outside,
    distinct_areas,
    fewest_areas,
    presence_areas,
)
from .inference import bh_qvalues, fisher_two_sided, odds_ratio_woolf, wilson_interval
from .presence import Presence, check_polarity, check_unit, presence
from .selection import most_different_group  # re-exported: it chooses from this module's tables

__all__ = [
    "factor_prevalence",
    "recurring_factors",
    "factor_trends",
    "compare_groups",
    "finding_categories",
    "category_factors",
    "level_profile",
    "board_questions",
    "most_different_group",
]

_FACTOR_COLUMNS = ["factor_code", "label", "level", "scie_category"]


# ----------------------------------------------------------------------------------- helpers


def _require_reviews(rs) -> None:
    if len(rs.reviews) == 0:
        raise ParameterError(
            "the review set has no reviews in scope (an empty filter result?). Widen the filters: "
            "statistics of an empty set are undefined."
        )


def _groups(rs, by: str | None) -> pd.Index:
    """The sorted groups of review column ``by``; one group for the whole set when None."""
    if by is None:
        return pd.Index(["all"])
    columns = [c for c in rs.reviews.columns if c not in ("review_id", "title")]
    if by not in columns:
        raise ParameterError(f"by must name a column of reviews, one of {', '.join(columns)}; not {by!r}.")
    return pd.Index(rs.reviews[by].dropna().unique()).sort_values()


def _group_index(units: pd.DataFrame, by: str | None, groups: pd.Index) -> np.ndarray:
    """Position of each unit's group in ``groups``; -1 where the unit has no group."""
    if by is None:
        return np.zeros(len(units), dtype=np.int64)
    return groups.get_indexer(units[by])


def _indicator(index: np.ndarray, n_groups: int) -> sp.csr_array:
    """Units × groups 0/1 matrix from group positions (-1: no group)."""
    rows = np.flatnonzero(index >= 0)
    return sp.csr_array(
        (np.ones(len(rows), dtype=np.int64), (rows, index[rows])), shape=(len(index), n_groups), dtype=np.int64
    )


def _counts_by_group(matrix: sp.csr_array, index: np.ndarray, n_groups: int) -> np.ndarray:
    """Groups × codes: how many units of each group have each code."""
    if n_groups == 1 and bool((index == 0).all()):  # the whole set as one group: column sums
        return np.asarray(matrix.sum(axis=0), dtype=np.int64).reshape(1, -1)
    return (_indicator(index, n_groups).T @ matrix).toarray()


def _distinct_by_group(reviews: Presence, group: np.ndarray, n_groups: int, attribute: str) -> np.ndarray:
    """Groups × codes: distinct values of ``attribute`` among the group's reviews with each code."""
    values, _ = pd.factorize(reviews.units[attribute], use_na_sentinel=True)
    n_values = int(values.max()) + 1 if len(values) else 0
    if n_values == 0:
        return np.zeros((n_groups, len(reviews.codes)), dtype=np.int64)
    pair = np.where((group >= 0) & (values >= 0), group * n_values + values, -1)
    seen = _counts_by_group(reviews.matrix, pair, n_groups * n_values) > 0
    return seen.reshape(n_groups, n_values, -1).sum(axis=1)


def _factor_info(rs) -> pd.DataFrame:
    return rs.taxonomy[_FACTOR_COLUMNS].reset_index(drop=True)


def _long(groups: pd.Index, codes: pd.Index, by: str | None, columns: dict[str, np.ndarray]) -> pd.DataFrame:
    """A tidy frame from groups × codes arrays: one row per group and code."""
    n_groups, n_codes = len(groups), len(codes)
    data: dict[str, object] = {}
    if by is not None:
        data[by] = np.repeat(groups.to_numpy(), n_codes)
    data["factor_code"] = np.tile(codes.to_numpy(), n_groups)
    for name, values in columns.items():
        values = values if isinstance(values, pd.Series) else np.asarray(values)
        if isinstance(values, pd.Series) or values.ndim == 0:
            data[name] = values
        else:
            data[name] = np.broadcast_to(values, (n_groups, n_codes)).ravel()
    return pd.DataFrame(data)  # built at once: a column at a time costs pandas a copy each


def _presence_pair(rs, unit, polarity, coder) -> tuple[Presence, Presence, Presence]:
    """Presence at the chosen unit, at review level and at episode level (shared when equal)."""
    first = presence(rs, unit=unit, polarity=polarity, coder=coder)
    other = presence(rs, unit="episode" if unit == "review" else "review", polarity=polarity, coder=coder)
    return (first, first, other) if unit == "review" else (first, other, first)


# ----------------------------------------------------------------------------------- prevalence


def factor_prevalence(rs, *, by=None, unit="review", polarity=None, coder=None) -> pd.DataFrame:
    """How many units each contributory factor appears in, with its systemic spread.

    Parameters
    ----------
    rs : ReviewSet
    by : str, optional
        A column of ``reviews`` (``"region"``, ``"area"``, ``"year"``, ``"review_type"``, ...) to
        compute the prevalence within each of its groups.
    unit : {"review", "episode"}
    polarity : {None, "problematic", "good"}
    coder : str, optional

    Returns
    -------
    DataFrame
        One row per taxonomy code (per group when ``by`` is given; its column comes first):

        - ``factor_code, label, level, scie_category``: the code and its taxonomy entry;
        - ``n_reviews``: reviews with the factor;
        - ``n_units``: units with the factor (equals ``n_reviews`` when ``unit="review"``);
        - ``n_total``: units in scope (the denominator);
        - ``share``: ``n_units / n_total``, with Wilson 95% bounds ``ci_low`` and ``ci_high``;
        - ``n_episodes``: episodes with the factor;
        - ``n_areas``, ``n_regions``, ``n_years``: distinct areas, regions and years of the
          reviews with the factor, its systemic spread;
        - ``n_contributing_areas``: the fewest areas behind any number of the row. For each count
          of the row that is not zero (the numerators ``n_reviews``, ``n_units``, ``n_episodes``,
          and the denominator ``n_total``: the units of the group), the number of distinct areas
          among the reviews that count rests on; the row's value is the smallest of them. A zero
          count rests on no review and does not lower it. Here: ``n_areas`` when the factor is
          present, else the areas of the group's units (0 for a group without units).

        Sorted by group, then ``n_units`` descending, then ``factor_code``.

    Examples
    --------
    >>> import sce_analysis as sce
    >>> top = sce.factor_prevalence(sce.load("data/sample")).head(3)
    >>> list(top.columns[:6])
    ['factor_code', 'label', 'level', 'scie_category', 'n_reviews', 'n_units']
    >>> bool((top["share"] >= top["ci_low"]).all())
    True
    """
    check_unit(unit)
    check_polarity(polarity)
    _require_reviews(rs)
    groups = _groups(rs, by)
    chosen, reviews, episodes = _presence_pair(rs, unit, polarity, coder)
    n_groups = len(groups)
    index = {name: _group_index(p.units, by, groups) for name, p in (("unit", chosen), ("review", reviews))}
    episode_index = _group_index(episodes.units, by, groups)
    n_units = _counts_by_group(chosen.matrix, index["unit"], n_groups)
    n_total = np.bincount(index["unit"][index["unit"] >= 0], minlength=n_groups)[:, None]
    low, high = wilson_interval(n_units, np.broadcast_to(n_total, n_units.shape))
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(n_total > 0, n_units / np.maximum(n_total, 1), np.nan)
    n_areas = _distinct_by_group(reviews, index["review"], n_groups, "area")
    group_areas = distinct_areas(presence_areas(chosen).unit_area, index["unit"], n_groups)[:, None]
    frame = _long(
        groups,
        chosen.codes,
        by,
        {
            "n_reviews": _counts_by_group(reviews.matrix, index["review"], n_groups),
            "n_units": n_units,
            "n_total": np.broadcast_to(n_total, n_units.shape),
            "share": share,
            "ci_low": low,
            "ci_high": high,
            "n_episodes": _counts_by_group(episodes.matrix, episode_index, n_groups),
            "n_areas": n_areas,
            "n_regions": _distinct_by_group(reviews, index["review"], n_groups, "region"),
            "n_years": _distinct_by_group(reviews, index["review"], n_groups, "year"),
            # Numerators rest on the reviews with the factor (their areas: n_areas), the
            # denominator on the group's units.
            CONTRIBUTING_AREAS: fewest_areas((n_units, n_areas), (n_total, group_areas)),
        },
    )
    # The rows run over the codes in taxonomy order, group after group: the taxonomy's columns repeat.
    info = _factor_info(rs)
    repeated = {c: info[c].take(np.tile(np.arange(len(info)), n_groups)).to_numpy() for c in _FACTOR_COLUMNS[1:]}
    frame = frame.assign(**{c: pd.array(v, dtype=info[c].dtype) for c, v in repeated.items()})
    lead = [by] if by is not None else []
    order = [*lead, *_FACTOR_COLUMNS, "n_reviews", "n_units", "n_total", "share", "ci_low", "ci_high"]
    order += ["n_episodes", "n_areas", "n_regions", "n_years", CONTRIBUTING_AREAS]
    frame = frame[order].sort_values([*lead, "n_units", "factor_code"], ascending=[*[True] * len(lead), False, True])
    return frame.reset_index(drop=True)


def recurring_factors(
    rs, *, min_share=0.20, min_area_share=0.50, unit="review", polarity=None, coder=None
) -> pd.DataFrame:
    """The factors that recur systemically: common *and* spread across areas.

    A factor is admitted when it appears in at least ``min_share`` of the units *and* in at least
    ``min_area_share`` of the areas of the set. Either test alone misleads: a factor coded in
    many reviews of one area is a local story, and a factor seen once in each of many areas is
    rare everywhere.

    Parameters
    ----------
    rs : ReviewSet
    min_share : float, default 0.20
        One review in five: a factor the next few reviews of any team are likely to meet. The
        characteristics that the national triennial analyses of serious case reviews report as
        major themes (parental alcohol or drug misuse in 37-38% of reviews, neglect in 60%) sit
        well above it, so it does not miss them, while it leaves out the long tail of codes that
        a few reviews use.
    min_area_share : float, default 0.50
        Half of the areas in scope: a majority of independent partnerships must have met the
        factor, which is what "systemic" claims. A factor concentrated in one region of five
        cannot pass it unless that region holds half of the areas.
    unit, polarity, coder
        As in :func:`factor_prevalence`.

    Returns
    -------
    DataFrame
        The columns of :func:`factor_prevalence` up to ``n_years``, then ``area_share``
        (``n_areas`` over the areas in scope) and ``rule`` (why the factor was admitted), then
        ``n_contributing_areas`` as in :func:`factor_prevalence` (the fewest areas behind any
        non-zero count of the row), for the admitted factors only, sorted by ``share`` descending.

    Examples
    --------
    >>> import sce_analysis as sce
    >>> recurring = sce.recurring_factors(sce.load("data/sample"))
    >>> bool((recurring["share"] >= 0.20).all() and (recurring["area_share"] >= 0.50).all())
    True
    """
    check_share(min_share, "min_share")
    check_share(min_area_share, "min_area_share")
    prevalence = factor_prevalence(rs, unit=unit, polarity=polarity, coder=coder)
    n_areas = rs.reviews["area"].nunique()
    prevalence["area_share"] = prevalence["n_areas"] / n_areas
    admitted = prevalence[(prevalence["share"] >= min_share) & (prevalence["area_share"] >= min_area_share)].copy()
    units = f"{unit}s"
    admitted["rule"] = [
        f"in {share:.0%} of {units} (at least {min_share:.0%}) and in {areas} of {n_areas} areas "
        f"({area_share:.0%}, at least {min_area_share:.0%})"
        for share, areas, area_share in zip(admitted["share"], admitted["n_areas"], admitted["area_share"], strict=True)
    ]
    admitted[CONTRIBUTING_AREAS] = admitted.pop(CONTRIBUTING_AREAS)  # still the last column
    return admitted.sort_values(["share", "factor_code"], ascending=[False, True]).reset_index(drop=True)


# ----------------------------------------------------------------------------------- trends


def factor_trends(rs, *, unit="review", polarity=None, coder=None, min_count=10, alpha=0.05) -> pd.DataFrame:
    """Whether each factor is becoming more or less common over the years.

    Per factor, a logistic regression of presence (0/1 per unit) on the year the review was
    completed. The regression is fitted on the counts per year (a binomial GLM), which gives the
    same estimates as fitting every unit and is much faster. With ``unit="episode"`` the episodes
    of one review are not independent, so p-values are too small; prefer reviews for inference.

    Parameters
    ----------
    rs : ReviewSet
    unit, polarity, coder
        As in :func:`factor_prevalence`.
    min_count : int, default 10
        A factor is tested only when at least this many units have it and at least this many do
        not; fewer events give unstable estimates.
    alpha : float, default 0.05
        The false-discovery rate at which ``direction`` calls a change.

    Returns
    -------
    DataFrame
        One row per taxonomy code:

        - ``factor_code, label``;
        - ``n_reviews``: reviews with the factor; ``n_units``: units with it;
        - ``odds_ratio_per_year`` with its Wald 95% interval ``ci_low``, ``ci_high``;
        - ``p_value`` (Wald) and ``q_value`` (Benjamini-Hochberg over the factors tested);
        - ``direction``: ``"rising"``, ``"falling"`` or ``"no clear change"`` at ``alpha``;
        - ``reason``: why a factor was not tested (missing when it was);
        - ``n_contributing_areas``: the fewest areas behind any number of the row. For each count
          of the row that is not zero (``n_reviews`` and ``n_units``, and the denominator: the
          units in scope), the number of distinct areas among the reviews that count rests on;
          the row's value is the smallest of them. A zero count rests on no review and does not
          lower it. Here: the areas of the reviews with the factor, else the areas in scope.

        Tested factors first, by ``p_value``; then the others by ``factor_code``.

    Examples
    --------
    >>> import sce_analysis as sce
    >>> trends = sce.factor_trends(sce.load("data/sample"))
    >>> sorted(trends["direction"].dropna().unique())
    ['falling', 'no clear change', 'rising']
    """
    check_unit(unit)
    check_polarity(polarity)
    _require_reviews(rs)
    check_whole(min_count, "min_count", 1)
    check_alpha(alpha)
    chosen, reviews, _ = _presence_pair(rs, unit, polarity, coder)
    years, year_index = np.unique(chosen.units["year"].to_numpy(), return_inverse=True)
    with_factor = _counts_by_group(chosen.matrix, year_index, len(years))  # years × codes
    trials = np.bincount(year_index, minlength=len(years))
    n_units = with_factor.sum(axis=0)
    n_total = chosen.n_units
    estimate = np.full((len(chosen.codes), 4), np.nan)  # odds ratio, low, high, p
    reasons = np.full(len(chosen.codes), None, dtype=object)
    exog = sm.add_constant(years - years.mean(), has_constant="add")
    for j in range(len(chosen.codes)):
        if len(years) < 2:
            reasons[j] = "only one year in scope: a trend needs at least two"
        elif n_units[j] < min_count:
            reasons[j] = f"too few {unit}s with the factor ({n_units[j]} < {min_count})"
        elif n_total - n_units[j] < min_count:
            reasons[j] = f"too few {unit}s without the factor ({n_total - n_units[j]} < {min_count})"
        else:
            fitted = _fit_trend(np.column_stack([with_factor[:, j], trials - with_factor[:, j]]), exog)
            if fitted is None:
                reasons[j] = "no finite estimate: presence is perfectly separated by year"
            else:
                estimate[j] = fitted
    q = bh_qvalues(estimate[:, 3])
    direction = np.where(
        np.isnan(q),
        None,
        np.where(q < alpha, np.where(estimate[:, 0] > 1, "rising", "falling"), "no clear change"),
    )
    frame = pd.DataFrame(
        {
            "factor_code": chosen.codes.to_numpy(),
            "n_reviews": reviews.column_counts(),
            "n_units": n_units,
            "odds_ratio_per_year": estimate[:, 0],
            "ci_low": estimate[:, 1],
            "ci_high": estimate[:, 2],
            "p_value": estimate[:, 3],
            "q_value": q,
            "direction": pd.array(direction, dtype="str"),
            "reason": pd.array(reasons, dtype="str"),
            CONTRIBUTING_AREAS: fewest_areas(
                (n_units, presence_areas(reviews).code_areas),
                (n_total, presence_areas(chosen).scope_areas),
            ),
        }
    )
    frame.insert(1, "label", _factor_info(rs)["label"].to_numpy())
    return frame.sort_values(["p_value", "factor_code"], na_position="last").reset_index(drop=True)


def _fit_trend(endog: np.ndarray, exog: np.ndarray) -> np.ndarray | None:
    """Odds ratio per year, its Wald interval and p, from a binomial GLM; None if it has no finite fit."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", PerfectSeparationWarning)
        warnings.simplefilter("error", ConvergenceWarning)
        try:
            # A tight tolerance: the standard errors use the last iteration's weights.
            result = sm.GLM(endog, exog, family=sm.families.Binomial()).fit(tol=1e-12)
        except (PerfectSeparationWarning, ConvergenceWarning, np.linalg.LinAlgError):
            return None
    slope, se = result.params[1], result.bse[1]
    if not (np.isfinite(slope) and np.isfinite(se)) or se > 10:
        return None
    low, high = result.conf_int(alpha=0.05)[1]
    return np.array([np.exp(slope), np.exp(low), np.exp(high), result.pvalues[1]])


# ----------------------------------------------------------------------------------- groups


def compare_groups(rs, *, by="region", unit="review", polarity=None, coder=None, alpha=0.05) -> pd.DataFrame:
    """Each group against the rest, factor by factor (Fisher exact test).

    For every factor and every group of ``by``, the 2×2 table of units in the group or in the
    rest, with or without the factor. Units whose ``by`` value is missing belong to the rest
    of every group.

    Parameters
    ----------
    rs : ReviewSet
    by : str, default "region"
        A column of ``reviews``.
    unit, polarity, coder
        As in :func:`factor_prevalence`.
    alpha : float, default 0.05
        The false-discovery rate at which ``difference`` calls a difference.

    Returns
    -------
    DataFrame
        One row per factor and group:

        - ``factor_code, label, group``;
        - ``n_group``: units in the group;
        - ``n_in``, ``share_in``: units of the group with the factor, and their share of the group;
        - ``n_out``, ``share_out``: the same for the rest;
        - ``odds_ratio`` (group against the rest) with Woolf 95% bounds ``ci_low``, ``ci_high``;
          0.5 is added to every cell of a table with a zero cell;
        - ``p_value``: two-sided Fisher exact; missing when the test cannot say anything (the
          factor is everywhere or nowhere, or the group is empty or everything);
        - ``q_value``: Benjamini-Hochberg over every factor and group tested;
        - ``difference``: ``"higher"`` or ``"lower"`` when ``q_value < alpha``, else
          ``"no clear difference"``;
        - ``n_contributing_areas``: the fewest areas behind any number of the row. For each count
          of the row that is not zero (``n_group``, ``n_in``, ``n_out``, and the rest's units
          ``n_total - n_group`` behind ``share_out``), the number of distinct areas among the
          reviews that count rests on; the row's value is the smallest of them. A zero count
          rests on no review and does not lower it.

        Sorted by group, then ``p_value``, then ``factor_code``.

    Examples
    --------
    >>> import sce_analysis as sce
    >>> table = sce.compare_groups(sce.load("data/sample"), by="region")
    >>> table["group"].nunique()
    5
    """
    check_unit(unit)
    check_polarity(polarity)
    _require_reviews(rs)
    check_alpha(alpha)
    if by is None:
        raise ParameterError("by must name a column of reviews to compare its groups, such as 'region'.")
    groups = _groups(rs, by)
    chosen = presence(rs, unit=unit, polarity=polarity, coder=coder)
    index = _group_index(chosen.units, by, groups)
    a = _counts_by_group(chosen.matrix, index, len(groups))  # in group, with factor
    n_group = np.bincount(index[index >= 0], minlength=len(groups))[:, None]
    n_total = chosen.n_units
    with_factor = chosen.column_counts()[None, :]
    b, c = n_group - a, with_factor - a
    d = n_total - n_group - c
    testable = (with_factor > 0) & (with_factor < n_total) & (n_group > 0) & (n_group < n_total)
    testable = np.broadcast_to(testable, a.shape)
    p = np.full(a.shape, np.nan)
    shape = a.shape
    margins = (np.broadcast_to(n_group, shape), np.broadcast_to(with_factor, shape))
    p[testable] = fisher_two_sided(a[testable], margins[0][testable], margins[1][testable], n_total)
    q = bh_qvalues(p.ravel()).reshape(shape)
    odds, low, high = odds_ratio_woolf(a, b, c, d)
    with np.errstate(invalid="ignore", divide="ignore"):
        share_in = a / n_group
        share_out = c / (n_total - n_group)
    difference = np.where(q < alpha, np.where(odds > 1, "higher", "lower"), "no clear difference")
    area = presence_areas(chosen).unit_area
    in_areas, out_areas = areas_inside_outside(chosen.matrix, area, index, len(groups))
    every_unit = sp.csr_array(np.ones((chosen.n_units, 1), dtype=np.int64))
    group_areas, rest_areas = areas_inside_outside(every_unit, area, index, len(groups))
    contributing = fewest_areas((n_group, group_areas), (a, in_areas), (c, out_areas), (n_total - n_group, rest_areas))
    frame = _long(
        groups,
        chosen.codes,
        "group",
        {
            "n_group": np.broadcast_to(n_group, shape),
            "n_in": a,
            "share_in": share_in,
            "n_out": c,
            "share_out": share_out,
            "odds_ratio": odds,
            "ci_low": low,
            "ci_high": high,
            "p_value": p,
            "q_value": q,
            "difference": difference,
            CONTRIBUTING_AREAS: contributing,
        },
    )
    frame = frame.merge(_factor_info(rs)[["factor_code", "label"]], on="factor_code", how="left")
    order = ["factor_code", "label", "group", "n_group", "n_in", "share_in", "n_out", "share_out"]
    order += ["odds_ratio", "ci_low", "ci_high", "p_value", "q_value", "difference", CONTRIBUTING_AREAS]
    frame = frame[order].sort_values(["group", "p_value", "factor_code"], na_position="last")
    return frame.reset_index(drop=True)


# ----------------------------------------------------------------------------------- findings


def _tally(rs, by, groups, review_position: np.ndarray, kind: np.ndarray, n_kinds: int) -> dict[str, np.ndarray]:
    """Count rows (findings, codings) of each kind per group, the reviews they come from, and their areas.

    ``review_position`` is the position in ``rs.reviews`` of each row's review.

    Returns a dict of groups × kinds arrays ``n_rows`` and ``n_reviews`` (rows, and distinct
    reviews with such a row) and ``areas`` (the distinct areas of those reviews), and of groups × 1
    arrays ``n_total`` (reviews in the group), ``total_areas`` (their areas) and ``row_areas``
    (the areas of the reviews with any row in the group).
    """
    review_group = _group_index(rs.reviews, by, groups)
    review_area = area_index(rs.reviews["area"])
    known = review_position >= 0
    group = np.where(known, review_group[review_position], -1)
    row_area = np.where(known, review_area[review_position], -1)
    n_groups = len(groups)
    cell = np.where(group >= 0, group * n_kinds + kind, -1)
    n_rows = np.bincount(cell[cell >= 0], minlength=n_groups * n_kinds).reshape(n_groups, n_kinds)
    first = ~pd.DataFrame({"review": review_position, "cell": cell}).duplicated().to_numpy()
    kept = cell[first & (cell >= 0)]
    n_reviews = np.bincount(kept, minlength=n_groups * n_kinds).reshape(n_groups, n_kinds)
    return {
        "n_rows": n_rows,
        "n_reviews": n_reviews,
        "areas": distinct_areas(row_area, cell, n_groups * n_kinds).reshape(n_groups, n_kinds),
        "n_total": np.bincount(review_group[review_group >= 0], minlength=n_groups)[:, None],
        "total_areas": distinct_areas(review_area, review_group, n_groups)[:, None],
        "row_areas": distinct_areas(row_area, group, n_groups)[:, None],
    }


def finding_categories(rs, *, by=None) -> pd.DataFrame:
    """How often each of the six SCIE finding categories is drawn, across reviews.

    Parameters
    ----------
    rs : ReviewSet
    by : str, optional
        A column of ``reviews`` to count within each of its groups.

    Returns
    -------
    DataFrame
        One row per category (per group when ``by`` is given; its column comes first), always all
        six, in the order of the typology:

        - ``category`` (key) and ``label`` (SCIE Guide 24);
        - ``n_findings``: findings filed under the category;
        - ``n_reviews``: reviews with at least one such finding; ``n_total``: reviews in scope;
        - ``share``: ``n_reviews / n_total`` with Wilson 95% bounds ``ci_low``, ``ci_high``;
        - ``n_contributing_areas``: the fewest areas behind any number of the row. For each count
          of the row that is not zero (``n_findings``, ``n_reviews`` and the denominator
          ``n_total``: the reviews of the group, or of the whole scope), the number of distinct
          areas among the reviews that count rests on; the row's value is the smallest of them. A
          zero count rests on no review and does not lower it.

    Examples
    --------
    >>> import sce_analysis as sce
    >>> sce.finding_categories(sce.load("data/sample"))["category"].tolist()[:2]
    ['multi_agency_incidents', 'multi_agency_longer_term']
    """
    _require_reviews(rs)
    groups = _groups(rs, by)
    findings = rs.findings
    category = pd.Categorical(findings["category"], categories=list(SCIE_CATEGORIES)).codes
    n_groups, n_categories = len(groups), len(SCIE_CATEGORIES)
    tally = _tally(rs, by, groups, rs.finding_positions, category, n_categories)
    n_findings, n_reviews, n_total = tally["n_rows"], tally["n_reviews"], tally["n_total"]
    low, high = wilson_interval(n_reviews, np.broadcast_to(n_total, n_reviews.shape))
    frame = pd.DataFrame(
        {
            "category": np.tile(SCIE_CATEGORIES, n_groups),
            "label": np.tile([SCIE_CATEGORY_LABELS[c] for c in SCIE_CATEGORIES], n_groups),
            "n_findings": n_findings.ravel(),
            "n_reviews": n_reviews.ravel(),
            "n_total": np.broadcast_to(n_total, n_reviews.shape).ravel(),
            "share": (n_reviews / np.maximum(n_total, 1)).ravel(),
            "ci_low": low.ravel(),
            "ci_high": high.ravel(),
            CONTRIBUTING_AREAS: fewest_areas(
                (n_reviews, tally["areas"]), (np.broadcast_to(n_total, n_reviews.shape), tally["total_areas"])
            ).ravel(),
        }
    )
    if by is not None:
        frame.insert(0, by, np.repeat(groups.to_numpy(), n_categories))
    return frame


def category_factors(rs, *, coder=None) -> pd.DataFrame:
    """Which contributory factors underpin the findings of each SCIE category.

    A factor underpins a finding when it is coded on at least one of the key practice episodes
    the finding cites. Counting across reviews shows what typically lies behind, say, findings
    about management systems.

    Returns
    -------
    DataFrame
        One row per category and factor that underpins at least one of its findings:

        - ``category``, ``factor_code``, ``label``, ``level``;
        - ``n_findings``: findings of the category the factor underpins;
        - ``n_reviews``: reviews those findings come from;
        - ``share``: ``n_findings`` over the findings of the category that cite any episode;
        - ``n_contributing_areas``: the fewest areas behind any number of the row. For each count
          of the row that is not zero (``n_findings``, ``n_reviews``, and the denominator of
          ``share``: the category's findings that cite an episode), the number of distinct areas
          among the reviews that count rests on; the row's value is the smallest of them. Every
          row has findings, and they are among the denominator's, so it is the areas of the
          reviews of the row's findings.

        Sorted by category (typology order), then ``n_findings`` descending, then code.

    Examples
    --------
    >>> import sce_analysis as sce
    >>> table = sce.category_factors(sce.load("data/sample"))
    >>> bool(table["share"].between(0, 1).all())
    True
    """
    _require_reviews(rs)
    cited = rs.finding_episodes.merge(
        rs.findings[["review_id", "finding_id", "category"]], on=["review_id", "finding_id"], validate="many_to_one"
    )
    codings = rs.codings(coder=coder)[["review_id", "episode_id", "factor_code"]]
    # Each coding's row rides along the merges, so its area and code need no lookup by name.
    codings["coding_row"] = np.arange(len(codings))
    links = cited.merge(codings, on=["review_id", "episode_id"]).drop_duplicates(
        ["review_id", "finding_id", "factor_code"]
    )
    counts = links.groupby(["category", "factor_code"], observed=True, sort=False).agg(
        n_findings=("finding_id", "size"), n_reviews=("review_id", "nunique")
    )
    # The numerators' reviews are among the denominator's: their areas are the fewest.
    kept, positions = rs.coding_mask(coder=coder), rs.factor_positions
    coding_row = links["coding_row"].to_numpy()
    code = positions["code"][kept][coding_row]
    area = area_index(rs.reviews["area"])[positions["review"][kept][coding_row]]
    n_codes, n_categories = len(rs.taxonomy), len(links["category"].cat.categories)
    category = links["category"].cat.codes.to_numpy().astype(np.int64)
    cell = np.where((category >= 0) & (code >= 0), category * n_codes + code, -1)
    areas = distinct_areas(area, cell, n_categories * n_codes)
    row_category = counts.index.get_level_values("category").codes.astype(np.int64)
    row_code = pd.Index(rs.taxonomy["factor_code"]).get_indexer(counts.index.get_level_values("factor_code"))
    counts[CONTRIBUTING_AREAS] = areas[row_category * n_codes + row_code]
    citing = cited.drop_duplicates(["review_id", "finding_id"]).groupby("category", observed=True).size()
    frame = counts.reset_index()
    frame["share"] = frame["n_findings"] / frame["category"].map(citing).astype(float).to_numpy()
    frame = frame.merge(_factor_info(rs)[["factor_code", "label", "level"]], on="factor_code", how="left")
    frame["category"] = pd.Categorical(frame["category"].astype(str), categories=list(SCIE_CATEGORIES))
    frame = frame.sort_values(["category", "n_findings", "factor_code"], ascending=[True, False, True])
    frame = frame[["category", "factor_code", "label", "level", "n_findings", "n_reviews", "share", CONTRIBUTING_AREAS]]
    return frame.reset_index(drop=True)


# ----------------------------------------------------------------------------------- levels


def level_profile(rs, *, by=None, polarity=None, coder=None) -> pd.DataFrame:
    """Where the coded factors originate: the front line, local strategy, or national.

    The AcciMap lesson is that the causes of what happens at the sharp end sit above it. This
    profile shows whether the reviews see that: the share of codings at each level. Codings of
    one review are not independent, so the intervals describe the codings, not the reviews.

    Parameters
    ----------
    rs : ReviewSet
    by : str, optional
        A column of ``reviews``.
    polarity, coder
        As in :func:`factor_prevalence`.

    Returns
    -------
    DataFrame
        One row per level (per group when ``by`` is given; its column comes first): the three
        levels in order, then ``"not set"`` if some codes of the taxonomy have no level.

        - ``level``;
        - ``n_codings``: codings at that level; ``share`` of all codings (in the group), with
          Wilson 95% bounds ``ci_low``, ``ci_high``;
        - ``n_reviews``: reviews with a coding at that level; ``review_share`` of reviews in scope;
        - ``n_contributing_areas``: the fewest areas behind any number of the row. For each count
          of the row that is not zero (``n_codings``, ``n_reviews``, and the denominators: the
          codings of the group and its reviews), the number of distinct areas among the reviews
          that count rests on; the row's value is the smallest of them. A zero count rests on no
          review and does not lower it.

    Examples
    --------
    >>> import sce_analysis as sce
    >>> sce.level_profile(sce.load("data/sample"))["level"].tolist()
    ['frontline', 'local_strategic', 'national']
    """
    check_polarity(polarity)
    _require_reviews(rs)
    groups = _groups(rs, by)
    codings = rs.codings(coder=coder)
    review_position = rs.factor_positions["review"][rs.coding_mask(coder=coder)]
    if polarity is not None:
        chosen = (codings["polarity"] == polarity).to_numpy()
        codings, review_position = codings[chosen], review_position[chosen]
    level_of = rs.taxonomy.set_index("factor_code")["level"].astype(object)
    levels = list(LEVELS)
    level = codings["factor_code"].map(level_of)
    if level.isna().any():
        levels.append("not set")
    level_index = pd.Categorical(level.fillna("not set"), categories=levels).codes
    n_groups, n_levels = len(groups), len(levels)
    tally = _tally(rs, by, groups, review_position, level_index, n_levels)
    n_codings, n_reviews, total_reviews = tally["n_rows"], tally["n_reviews"], tally["n_total"]
    total_codings = n_codings.sum(axis=1, keepdims=True)
    low, high = wilson_interval(n_codings, np.broadcast_to(total_codings, n_codings.shape))
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(total_codings > 0, n_codings / np.maximum(total_codings, 1), np.nan)
    frame = pd.DataFrame(
        {
            "level": np.tile(levels, n_groups),
            "n_codings": n_codings.ravel(),
            "share": share.ravel(),
            "ci_low": low.ravel(),
            "ci_high": high.ravel(),
            "n_reviews": n_reviews.ravel(),
            "review_share": (n_reviews / np.maximum(total_reviews, 1)).ravel(),
            CONTRIBUTING_AREAS: fewest_areas(
                (n_codings, tally["areas"]),
                (np.broadcast_to(total_codings, n_codings.shape), tally["row_areas"]),
                (np.broadcast_to(total_reviews, n_codings.shape), tally["total_areas"]),
            ).ravel(),
        }
    )
    if by is not None:
        frame.insert(0, by, np.repeat(groups.to_numpy(), n_levels))
    return frame


def board_questions(rs, *, publication: bool = False) -> pd.DataFrame:
    """The questions reviews pose to their safeguarding boards, by SCIE category.

    SCIE reviews make no recommendations; each finding may end with issues for the board.

    Parameters
    ----------
    rs : ReviewSet
    publication : bool, default False
        Publication outputs carry no free text and no identifiers: only counts per category.

    Returns
    -------
    DataFrame
        ``category, review_id, finding_id, finding, issues_for_board``: one row per finding that
        poses a question, in category order; or, with ``publication=True``,
        ``category, n_findings, n_reviews, n_contributing_areas``: how many findings and reviews
        pose one, and the fewest areas behind any number of the row. For each count of the row
        that is not zero (``n_findings``, ``n_reviews``, and the reviews of the whole scope they
        are counted among), the number of distinct areas among the reviews that count rests on;
        the row's value is the smallest of them. A zero count rests on no review and does not
        lower it: a category nobody asks about gets the areas in scope.

    Examples
    --------
    >>> import sce_analysis as sce
    >>> list(board_questions(sce.load("data/sample"), publication=True).columns)
    ['category', 'n_findings', 'n_reviews', 'n_contributing_areas']
    """
    asking = rs.findings["issues_for_board"].notna().to_numpy()
    asked = rs.findings[asking]
    category = pd.Categorical(asked["category"].astype(str), categories=list(SCIE_CATEGORIES))
    if publication:
        counts = asked.assign(category=category).groupby("category", observed=False)
        n_findings = counts.size().reindex(list(SCIE_CATEGORIES), fill_value=0).to_numpy()
        review_area = area_index(rs.reviews["area"])
        position = rs.finding_positions[asking]
        asking_areas = distinct_areas(
            np.where(position >= 0, review_area[position], -1), category.codes, len(SCIE_CATEGORIES)
        )
        return pd.DataFrame(
            {
                "category": list(SCIE_CATEGORIES),
                "n_findings": n_findings,
                "n_reviews": counts["review_id"].nunique().reindex(list(SCIE_CATEGORIES), fill_value=0).to_numpy(),
                CONTRIBUTING_AREAS: fewest_areas(
                    (n_findings, asking_areas), (len(rs.reviews), distinct_areas(review_area)[0])
                ),
            }
        )
    frame = pd.DataFrame(
        {
            "category": category,
            "review_id": asked["review_id"].to_numpy(),
            "finding_id": asked["finding_id"].to_numpy(),
            "finding": asked["title"].to_numpy(),
            "issues_for_board": asked["issues_for_board"].to_numpy(),
        }
    )
    return frame.sort_values(["category", "review_id", "finding_id"], kind="stable").reset_index(drop=True)
