"""Presence matrices: which factor is coded in which unit (review or episode), as sparse 0/1 matrices.

Every cross-review statistic starts here. A :class:`Presence` holds one sparse matrix ``X`` of
units × factor codes, with ``X[u, f] = 1`` when factor ``f`` is coded at least once in unit ``u``,
and the units' review attributes (area, region, year, review type). Counts then come from matrix
products instead of loops: ``X.sum(axis=0)`` is the number of units with each factor,
``G.T @ X`` the same per group for a one-hot group matrix ``G``, and ``X.T @ X`` every pair count.

Units with no coded factor are kept: they belong in the denominator. The analyses use one coder
per episode (:meth:`ReviewSet.codings`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..errors import ParameterError
from ..reviewsets.contract import POLARITIES

__all__ = ["Presence", "presence", "UNITS", "one_hot"]

#: What a unit of analysis can be.
UNITS = ("review", "episode")
#: Review columns carried onto every unit, for grouping.
REVIEW_ATTRIBUTES = ("area", "region", "year", "review_type")


@dataclass(frozen=True, eq=False)
class Presence:
    """A units × codes 0/1 sparse matrix with its row and column labels.

    Attributes
    ----------
    matrix : scipy.sparse.csr_array of int64
        ``matrix[u, f]`` is 1 when code ``codes[f]`` is coded in unit ``u``, else 0.
    units : DataFrame
        One row per matrix row: ``review_id`` (and ``episode_id``, ``sequence`` for episodes),
        then ``area``, ``region``, ``year`` and ``review_type`` of the review.
    codes : Index
        The factor codes of the columns, in taxonomy order (codes never coded included).
    unit : str
        ``"review"`` or ``"episode"``.
    """

    matrix: sp.csr_array
    units: pd.DataFrame
    codes: pd.Index
    unit: str

    @property
    def n_units(self) -> int:
        return self.matrix.shape[0]

    def column_counts(self) -> np.ndarray:
        """How many units have each code."""
        return np.asarray(self.matrix.sum(axis=0)).ravel()

    def rows(self, keep: np.ndarray) -> Presence:
        """The units where the boolean array ``keep`` holds."""
        keep = np.asarray(keep, dtype=bool)
        return Presence(self.matrix[keep], self.units[keep].reset_index(drop=True), self.codes, self.unit)

    def take(self, selection) -> Presence:
        """The presence of a filtered set: the units a :class:`~sce_analysis.reviewsets.cache.RowSelection` keeps.

        How a presence matrix follows a filter in the review set's
        :class:`~sce_analysis.reviewsets.cache.DerivedCache`: a unit's row depends on its own
        codings only, and a filter keeps or drops whole reviews and their episodes.
        """
        along = "reviews" if self.unit == "review" else "episodes"
        keep = selection.rows(along)
        return Presence(self.matrix[keep], selection.take(self.units, along), self.codes, self.unit)


def check_unit(unit: str) -> str:
    if unit not in UNITS:
        raise ParameterError(f"unit must be 'review' or 'episode', not {unit!r}.")
    return unit


def check_polarity(polarity: str | None) -> str | None:
    if polarity is not None and polarity not in POLARITIES:
        raise ParameterError(f"polarity must be None, 'problematic' or 'good', not {polarity!r}.")
    return polarity


def presence(rs, *, unit: str = "review", polarity: str | None = None, coder: str | None = None) -> Presence:
    """Build the presence matrix of a review set.

    Parameters
    ----------
    rs : ReviewSet
    unit : {"review", "episode"}
        A review has a factor when any of its episodes has it.
    polarity : {None, "problematic", "good"}
        Count only codings of this polarity (default: all).
    coder : str, optional
        Passed to :meth:`ReviewSet.codings`: whose codings to prefer on double-coded episodes.

    Returns
    -------
    Presence

    Examples
    --------
    >>> import sce_analysis as sce
    >>> p = presence(sce.load("data/sample"), unit="episode")
    >>> p.matrix.shape[0] == len(p.units)
    True
    """
    check_unit(unit)
    check_polarity(polarity)
    # Built once per set; a filtered set receives it sliced (Presence.take) instead of rebuilding it.
    return rs.derived.get(
        ("presence", unit, polarity, coder), lambda: _build(rs, unit, polarity, coder), follows=Presence.take
    )


def _build(rs, unit: str, polarity: str | None, coder: str | None) -> Presence:
    keep = rs.coding_mask(coder=coder)
    if polarity is not None:
        keep = keep & (rs.factors["polarity"] == polarity).to_numpy()
    positions = rs.factor_positions
    units = presence_units(rs, unit)
    row = positions["review" if unit == "review" else "episode"][keep]
    codes = pd.Index(rs.taxonomy["factor_code"], name="factor_code")
    column = positions["code"][keep]
    matrix = sp.csr_array(
        (np.ones(len(row), dtype=np.int64), (row, column)), shape=(len(units), len(codes)), dtype=np.int64
    )
    matrix.sum_duplicates()
    matrix.data[:] = 1  # several episodes of one review count once
    return Presence(matrix, units, codes, unit)


def presence_units(rs, unit: str) -> pd.DataFrame:
    """The rows of every presence matrix of one unit: one frame, shared by all polarities and coders."""

    def build() -> pd.DataFrame:
        reviews = rs.reviews[["review_id", *REVIEW_ATTRIBUTES]]
        if unit == "review":
            return reviews.reset_index(drop=True)
        units = rs.episodes[["review_id", "episode_id", "sequence"]].reset_index(drop=True)
        attributes = reviews.iloc[rs.factor_positions["episode_review"]][list(REVIEW_ATTRIBUTES)]
        return pd.concat([units, attributes.reset_index(drop=True)], axis=1)

    along = "reviews" if unit == "review" else "episodes"
    return rs.derived.get(("presence_units", unit), build, follows=lambda units, s: s.take(units, along))


def one_hot(values: pd.Series) -> tuple[sp.csr_array, pd.Index]:
    """Units × groups 0/1 matrix for a column of group labels; missing labels belong to no group.

    Groups are sorted (numbers numerically, names alphabetically), so results are deterministic.
    """
    known = values.notna().to_numpy()
    groups = pd.Index(pd.unique(values[known])).sort_values()
    column = groups.get_indexer(values[known])
    row = np.flatnonzero(known)
    matrix = sp.csr_array(
        (np.ones(len(row), dtype=np.int64), (row, column)), shape=(len(values), len(groups)), dtype=np.int64
    )
    return matrix, groups
