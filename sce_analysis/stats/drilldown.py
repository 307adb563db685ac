"""From one factor down to what lies behind it: its key practice episodes, the findings that cite
them, and the factors coded with it.

A board member who sees that a factor recurs asks at once "in which episodes?" and "what else was
going on?". :func:`factor_drilldown` answers both for one factor of a review set (usually a
filtered one), with the same conventions as every statistic: one coder per episode
(:meth:`ReviewSet.codings`), an optional polarity, and co-occurrence from :func:`factor_pairs`.
:func:`pair_evidence` does the same for a pair of factors: the episodes on which both are coded.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import ParameterError
from .networks import factor_pairs
from .presence import check_polarity, check_unit

__all__ = ["Drilldown", "factor_drilldown", "PARTNER_COLUMNS", "pair_evidence", "EVIDENCE_COLUMNS"]

#: Columns of :attr:`Drilldown.partners`, in order.
PARTNER_COLUMNS = [
    "factor_code",
    "label",
    "n_ab",
    "n_a",
    "n_b",
    "n_units",
    "lift",
    "p_value",
    "q_value",
    "n_contributing_areas",
]

#: Columns of :func:`pair_evidence`, in order: ``area``, ``region`` and ``year`` come from
#: ``rs.reviews``, the others from ``rs.episodes``.
EVIDENCE_COLUMNS = ["review_id", "episode_id", "area", "region", "year", "agencies", "appraisal", "summary"]


@dataclass(frozen=True)
class Drilldown:
    """What lies behind one factor in a review set. Made by :func:`factor_drilldown`.

    Attributes
    ----------
    code : str
    episodes : DataFrame
        The rows of ``rs.episodes`` on which the factor is coded, in file order.
    findings : DataFrame
        The rows of ``rs.findings`` that cite at least one of those episodes, in file order.
    partners : DataFrame
        One row per other factor coded with it at least once, most often together first (then
        by lift, then code): the columns :data:`PARTNER_COLUMNS`, where ``n_ab`` counts the units
        with both, ``n_a`` those with the factor, ``n_b`` those with the partner and the other
        columns are those of :func:`factor_pairs`.
    n_reviews : int
        Reviews with at least one of those episodes.
    n_areas : int
        Areas of those reviews: how many areas stand behind the counts.
    """

    code: str
    episodes: pd.DataFrame
    findings: pd.DataFrame
    partners: pd.DataFrame
    n_reviews: int
    n_areas: int

    @property
    def n_episodes(self) -> int:
        return len(self.episodes)

    @property
    def n_findings(self) -> int:
        return len(self.findings)


def factor_drilldown(rs, code: str, *, unit: str = "review", polarity=None, coder=None) -> Drilldown:
    """The key practice episodes of one factor, the findings citing them, and its partner factors.

    Parameters
    ----------
    rs : ReviewSet
        Usually a filtered set: the drill-down covers exactly its reviews.
    code : str
        A factor code of the taxonomy.
    unit : {"review", "episode"}
        The unit at which partners are counted as coded together (as in :func:`factor_pairs`).
    polarity : {None, "problematic", "good"}
        Count only codings of this polarity (episodes, findings and partners alike).
    coder : str, optional
        As in :meth:`ReviewSet.codings`.

    Returns
    -------
    Drilldown

    Examples
    --------
    >>> import sce_analysis as sce
    >>> rs = sce.load("data/sample")
    >>> found = factor_drilldown(rs, "ls_info_sharing")
    >>> found.n_episodes > 0 and set(found.episodes["review_id"]) <= set(rs.reviews["review_id"])
    True
    >>> found.partners.columns[:3].tolist()
    ['factor_code', 'label', 'n_ab']
    """
    check_unit(unit)
    check_polarity(polarity)
    episode_rows = _episode_rows(rs, code, polarity=polarity, coder=coder)
    episodes = rs.episodes.iloc[episode_rows].reset_index(drop=True)
    reviews = rs.reviews.iloc[np.unique(rs.factor_positions["episode_review"][episode_rows])]
    cited = rs.finding_episodes.merge(episodes[["review_id", "episode_id"]], on=["review_id", "episode_id"])
    finding_keys = pd.MultiIndex.from_frame(rs.findings[["review_id", "finding_id"]])
    citing = finding_keys.isin(pd.MultiIndex.from_frame(cited[["review_id", "finding_id"]]))
    findings = rs.findings[citing].reset_index(drop=True)
    return Drilldown(
        code=code,
        episodes=episodes,
        findings=findings,
        partners=_partners(rs, code, unit=unit, polarity=polarity, coder=coder),
        n_reviews=len(reviews),
        n_areas=int(reviews["area"].nunique()),
    )


def pair_evidence(rs, a: str, b: str, *, polarity=None, coder=None) -> pd.DataFrame:
    """The key practice episodes on which both factors of a pair are coded: the evidence behind a link.

    Two factors count as coded together on an episode when both are coded on that same episode, as
    in :func:`factor_pairs` with ``unit="episode"``: the number of rows returned is its ``n_ab``.

    Parameters
    ----------
    rs : ReviewSet
        Usually a filtered set: the episodes are those of its reviews only.
    a, b : str
        Two different factor codes of the taxonomy. The order does not matter.
    polarity : {None, "problematic", "good"}
        Count only codings of this polarity: both factors must be coded with it on the episode.
    coder : str, optional
        As in :meth:`ReviewSet.codings`: one coder per episode, this one where they coded it.

    Returns
    -------
    DataFrame
        One row per episode with both factors, in the order of ``rs.episodes``, and the columns
        :data:`EVIDENCE_COLUMNS`, with the dtypes of the frames they come from:

        - ``review_id``, ``episode_id``: the episode's key;
        - ``area``, ``region``, ``year``: of its review (from ``rs.reviews``);
        - ``agencies``, ``appraisal``, ``summary``: of the episode (from ``rs.episodes``).

        No episode with both gives the same columns and no rows.

    Raises
    ------
    ParameterError
        When a code is not in ``rs.taxonomy``, when ``a == b``, or for a bad polarity or coder.

    Examples
    --------
    >>> import sce_analysis as sce
    >>> rs = sce.load("data/sample")
    >>> both = pair_evidence(rs, "fam_child_unseen", "work_caseload")
    >>> both.columns.tolist()
    ['review_id', 'episode_id', 'area', 'region', 'year', 'agencies', 'appraisal', 'summary']
    >>> len(both) > 0 and len(both) == len(pair_evidence(rs, "work_caseload", "fam_child_unseen"))
    True
    """
    check_polarity(polarity)
    with_a = _episode_rows(rs, a, polarity=polarity, coder=coder)
    with_b = _episode_rows(rs, b, polarity=polarity, coder=coder)
    if a == b:
        raise ParameterError(f"a pair needs two different factor codes, but both are {a!r}.")
    rows = np.intersect1d(with_a, with_b, assume_unique=True)  # sorted positions in rs.episodes: file order
    episodes = rs.episodes.iloc[rows].reset_index(drop=True)
    reviews = rs.reviews.iloc[rs.factor_positions["episode_review"][rows]].reset_index(drop=True)
    found = pd.concat(
        [
            episodes[["review_id", "episode_id"]],
            reviews[["area", "region", "year"]],
            episodes[["agencies", "appraisal", "summary"]],
        ],
        axis=1,
    )
    return found[EVIDENCE_COLUMNS]


def _episode_rows(rs, code: str, *, polarity, coder) -> np.ndarray:
    """The sorted positions in ``rs.episodes`` of the episodes on which ``code`` is coded (one coder
    per episode, :meth:`ReviewSet.coding_mask`; only codings of ``polarity`` when it is given)."""
    codes = pd.Index(rs.taxonomy["factor_code"])
    if code not in codes:
        raise ParameterError(f"code {code!r} is not in the coding frame of this review set.")
    positions = rs.factor_positions
    keep = rs.coding_mask(coder=coder) & (positions["code"] == codes.get_loc(code))
    if polarity is not None:
        keep &= (rs.factors["polarity"] == polarity).to_numpy()
    return np.unique(positions["episode"][keep])


def _partners(rs, code: str, *, unit: str, polarity, coder) -> pd.DataFrame:
    """The rows of the pair table that hold ``code``, turned to face it."""
    empty = pd.DataFrame({c: pd.Series([], dtype=object) for c in PARTNER_COLUMNS})
    if len(rs.reviews) == 0:
        return empty
    pairs = factor_pairs(rs, unit=unit, min_count=1, polarity=polarity, coder=coder)
    with_code = pairs[(pairs["factor_a"] == code) | (pairs["factor_b"] == code)]
    with_code = with_code[with_code["n_ab"] > 0]
    if with_code.empty:
        return empty
    facing = with_code["factor_a"] == code
    partners = pd.DataFrame(
        {
            "factor_code": np.where(facing, with_code["factor_b"], with_code["factor_a"]),
            "n_ab": with_code["n_ab"].to_numpy(),
            "n_a": np.where(facing, with_code["n_a"], with_code["n_b"]),
            "n_b": np.where(facing, with_code["n_b"], with_code["n_a"]),
        }
    )
    for column in ("n_units", "lift", "p_value", "q_value", "n_contributing_areas"):
        partners[column] = with_code[column].to_numpy()
    labels = rs.taxonomy.set_index("factor_code")["label"]
    partners.insert(1, "label", partners["factor_code"].map(labels).astype("str").to_numpy())
    partners = partners[PARTNER_COLUMNS]
    return partners.sort_values(
        ["n_ab", "lift", "factor_code"], ascending=[False, False, True], kind="stable", ignore_index=True
    )
