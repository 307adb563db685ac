"""What a review set covers: reviews, episodes, codings and findings by area, region, year or type."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import ParameterError
from .contributors import CONTRIBUTING_AREAS, area_index, distinct_areas, fewest_areas

__all__ = ["coverage", "per_review_counts"]


def coverage(rs, *, by: str = "region") -> pd.DataFrame:
    """How much of the set each group holds.

    Parameters
    ----------
    rs : ReviewSet
    by : str, default "region"
        A column of ``reviews``: ``"area"``, ``"region"``, ``"year"``, ``"review_type"`` ...

    Returns
    -------
    DataFrame
        One row per group (missing values as their own group ``"not recorded"``), sorted by the
        group: ``<by>, n_reviews, n_areas, n_episodes, n_codings, n_findings, share_of_reviews,
        n_contributing_areas``. Codings are those the analyses use (one coder per episode).
        ``n_contributing_areas`` is the fewest areas behind any number of the row: for each count
        of the row that is not zero (``n_reviews``, ``n_episodes``, ``n_codings``, ``n_findings``;
        the reviews in scope behind ``share_of_reviews`` are a superset of the group's), the
        number of distinct areas among the reviews that count rests on; the row's value is the
        smallest of them. A zero count rests on no review and does not lower it. It is the
        group's ``n_areas`` unless, say, the group's findings come from fewer of its areas.

    Examples
    --------
    >>> import sce_analysis as sce
    >>> table = coverage(sce.load("data/sample"), by="year")
    >>> int(table["n_reviews"].sum())
    80
    """
    columns = [c for c in rs.reviews.columns if c not in ("review_id", "title")]
    if by not in columns:
        raise ParameterError(f"by must name a column of reviews, one of {', '.join(columns)}; not {by!r}.")
    group_of = rs.reviews[by]
    if group_of.isna().any():
        group_of = group_of.astype(object).fillna("not recorded")
    group, labels = pd.factorize(group_of)
    area = area_index(rs.reviews["area"])
    positions = rs.factor_positions
    behind = {  # the review (by position) of each row each count counts
        "n_reviews": np.arange(len(rs.reviews)),
        "n_episodes": positions["episode_review"],
        "n_codings": positions["review"][rs.coding_mask()],
        "n_findings": rs.finding_positions,
    }
    counts, areas = {}, {}
    for column, review in behind.items():  # four counts: a loop over columns, not groups
        review = review[review >= 0]
        counts[column] = np.bincount(group[review], minlength=len(labels))
        areas[column] = distinct_areas(area[review], group[review], len(labels))
    table = pd.DataFrame(
        {
            "n_reviews": counts["n_reviews"],
            "n_areas": areas["n_reviews"],
            "n_episodes": counts["n_episodes"],
            "n_codings": counts["n_codings"],
            "n_findings": counts["n_findings"],
        },
        index=labels,
    )
    order = np.argsort(labels.to_numpy(), kind="stable")
    table = table.iloc[order].astype("int64")
    table["share_of_reviews"] = table["n_reviews"] / max(len(rs.reviews), 1)
    table[CONTRIBUTING_AREAS] = fewest_areas(*((table[column].to_numpy(), areas[column][order]) for column in behind))
    return table.rename_axis(by).reset_index()


def per_review_counts(rs) -> pd.DataFrame:
    """Per review: its episodes, codings (one coder per episode), codings per episode and findings.

    Returns
    -------
    DataFrame
        ``review_id, area, region, year, n_episodes, n_codings, codings_per_episode, n_findings``,
        in the order of ``reviews``.

    Examples
    --------
    >>> import sce_analysis as sce
    >>> counts = per_review_counts(sce.load("data/sample"))
    >>> int(counts["n_episodes"].min()) >= 6
    True
    """
    reviews = rs.reviews[["review_id", "area", "region", "year"]].copy()
    for name, frame in (("n_episodes", rs.episodes), ("n_codings", rs.codings()), ("n_findings", rs.findings)):
        reviews[name] = reviews["review_id"].map(frame["review_id"].value_counts()).fillna(0).astype("int64")
    reviews.insert(
        6, "codings_per_episode", reviews["n_codings"] / reviews["n_episodes"].where(reviews["n_episodes"] > 0)
    )
    return reviews.reset_index(drop=True)
