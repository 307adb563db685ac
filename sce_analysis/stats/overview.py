"""What a review set covers: reviews, episodes, codings and findings by area, region, year or type."""

from __future__ import annotations

import pandas as pd

from ..errors import ParameterError

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
        group: ``<by>, n_reviews, n_areas, n_episodes, n_codings, n_findings, share_of_reviews``.
        Codings are those the analyses use (one coder per episode).

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
    group_of = rs.reviews.set_index("review_id")[by]
    if group_of.isna().any():
        group_of = group_of.astype(object).fillna("not recorded")

    def count(frame: pd.DataFrame) -> pd.Series:
        return frame["review_id"].map(group_of).value_counts()

    table = pd.DataFrame(
        {
            "n_reviews": group_of.value_counts(),
            "n_areas": rs.reviews.assign(group=group_of.to_numpy()).groupby("group")["area"].nunique(),
            "n_episodes": count(rs.episodes),
            "n_codings": count(rs.codings()),
            "n_findings": count(rs.findings),
        }
    )
    table = table.fillna(0).astype("int64").sort_index()
    table["share_of_reviews"] = table["n_reviews"] / max(len(rs.reviews), 1)
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
