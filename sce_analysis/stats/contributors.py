"""Who stands behind a number: the distinct areas whose reviews each count rests on.

UPLOADS' publication practice publishes an aggregate only when enough areas contribute to it: a
single area with a rare factor is too easy to point at, however many reviews it has. So every
library table that carries counts also carries ``n_contributing_areas`` (:data:`CONTRIBUTING_AREAS`),
computed by the function that makes the counts, for the publication policy to read.

The definition, the same in every table: for each count of a row that is not zero (its numerators
and its denominator: the units of its group, or of the whole scope), the number of distinct areas
among the reviews that count rests on; the row's value is the smallest of them
(:func:`fewest_areas`). A zero count rests on no review and does not lower it.

Every count of the library is a sum over reviews and each review has one area (the ``area``
column of ``reviews``, a local safeguarding partnership), so the areas behind many counts at once
come from the same sparse structures as the counts: the non-zero entries of a presence matrix,
tagged with their row's area, then marked once per (cell, area) and summed over areas. Nothing here
loops over factors, pairs or groups.

Areas are given as integer positions per row (:func:`area_index`: -1 where the area is missing,
which then contributes to nothing). :func:`presence_areas` gives them for a presence matrix,
computed once per matrix.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .presence import Presence

__all__ = [
    "CONTRIBUTING_AREAS",
    "PresenceAreas",
    "presence_areas",
    "area_index",
    "distinct_areas",
    "areas_per_column",
    "areas_inside_outside",
    "pair_counts",
    "cross_pair_counts",
    "fewest_areas",
]

#: The column every counting table ends with.
CONTRIBUTING_AREAS = "n_contributing_areas"

# Above this many (area, cell) marks, distinct areas are found by sorting instead of marking a
# dense 0/1 array (64 MB). 200 codes give 40,000 pair cells × 150 areas = 6 million marks: dense.
_DENSE_MARKS = 1 << 26
# Up to this many (area, cell) counters (8 MB), pairs are counted per area in one bincount.
_COUNTS_PER_AREA = 1 << 20


def area_index(areas) -> np.ndarray:
    """Position of each row's area among the distinct areas, or -1 where the area is missing.

    Parameters
    ----------
    areas : Series or array-like
        One area name per row (a review, an episode, a finding ...).

    Returns
    -------
    ndarray of int64

    Examples
    --------
    >>> area_index(["Kelmscote", "Pellbridge", "Kelmscote", None]).tolist()
    [0, 1, 0, -1]
    """
    index, _ = pd.factorize(areas if isinstance(areas, pd.Series) else pd.Series(areas), use_na_sentinel=True)
    return index.astype(np.int64, copy=False)


@dataclass(frozen=True)
class PresenceAreas:
    """The areas of a presence matrix's units.

    Attributes
    ----------
    unit_area : ndarray of int64
        The area position of each unit (row), -1 where missing.
    code_areas : ndarray of int64
        For each code (column): the distinct areas of the units that have it.
    scope_areas : int
        The distinct areas of all the units.
    """

    unit_area: np.ndarray
    code_areas: np.ndarray
    scope_areas: int


# Presence matrices are immutable and cached by their review set, so their areas are worked out
# once per matrix; the entry goes when the matrix does.
_PRESENCE_AREAS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def presence_areas(p: Presence) -> PresenceAreas:
    """The areas of a presence matrix's units, per unit, per code and in all (computed once per matrix).

    Examples
    --------
    >>> import sce_analysis as sce
    >>> from sce_analysis.stats.presence import presence
    >>> p = presence(sce.load("data/sample"))
    >>> areas = presence_areas(p)
    >>> bool((areas.code_areas <= areas.scope_areas).all()) and areas.scope_areas == p.units["area"].nunique()
    True
    """
    if p not in _PRESENCE_AREAS:
        unit_area = area_index(p.units["area"])
        _PRESENCE_AREAS[p] = PresenceAreas(
            unit_area, areas_per_column(p.matrix, unit_area)[0], int(distinct_areas(unit_area)[0])
        )
    return _PRESENCE_AREAS[p]


def _n_areas(area: np.ndarray) -> int:
    return int(area.max()) + 1 if len(area) else 0


def _sum_marks(seen: np.ndarray, n_areas: int, *, axis: int = 0) -> np.ndarray:
    """Sum a boolean array over its areas axis (a narrow accumulator is several times faster)."""
    narrow = np.uint16 if n_areas < np.iinfo(np.uint16).max else np.int64
    return np.add.reduce(seen.view(np.uint8), axis=axis, dtype=narrow).astype(np.int64)


def distinct_areas(area: np.ndarray, cell: np.ndarray | None = None, n_cells: int = 1) -> np.ndarray:
    """How many distinct areas the rows of each cell come from.

    Parameters
    ----------
    area : ndarray of int
        The area position of each row (:func:`area_index`); -1 rows count nowhere.
    cell : ndarray of int, optional
        The cell (group, group × code, ...) of each row, from 0 to ``n_cells - 1``; -1 rows count
        nowhere. Default: every row in the one cell 0.
    n_cells : int, default 1

    Returns
    -------
    ndarray of int64
        ``n_cells`` values: the distinct areas among each cell's rows (0 for a cell without rows).

    Examples
    --------
    >>> distinct_areas(np.array([0, 1, 0, 2]), np.array([0, 0, 0, 1]), 3).tolist()
    [2, 1, 0]
    """
    area = np.asarray(area, dtype=np.int64)
    if cell is None:
        cell = np.zeros(len(area), dtype=np.int64)
    cell = np.asarray(cell, dtype=np.int64)
    if len(area) and (area.min() < 0 or cell.min() < 0):
        keep = (area >= 0) & (cell >= 0)
        area, cell = area[keep], cell[keep]
    n_areas = _n_areas(area)
    if n_areas == 0 or n_cells == 0:
        return np.zeros(n_cells, dtype=np.int64)
    if n_areas * n_cells <= _DENSE_MARKS:
        # Area-major marks: the sum over areas adds whole rows of cells at once.
        seen = np.zeros((n_areas, n_cells), dtype=bool)
        seen.reshape(-1)[area * n_cells + cell] = True
        return _sum_marks(seen, n_areas)
    distinct = np.unique(cell * n_areas + area)
    return np.bincount(distinct // n_areas, minlength=n_cells).astype(np.int64)


def _canonical(matrix) -> sp.csr_array:
    """A CSR copy-on-need with sorted, summed indices and no stored zeros."""
    matrix = sp.csr_array(matrix)
    if not matrix.has_canonical_format or (matrix.data == 0).any():
        matrix = matrix.copy()
        matrix.sum_duplicates()
        matrix.eliminate_zeros()
    return matrix


def _without_zeros(matrix) -> sp.csr_array:
    """A CSR copy-on-need without stored zeros (cheaper than :func:`_canonical` when order does not matter)."""
    matrix = sp.csr_array(matrix)
    if (matrix.data == 0).any():
        matrix = matrix.copy()
        matrix.eliminate_zeros()
    return matrix


def areas_per_column(matrix, area: np.ndarray, *, group: np.ndarray | None = None, n_groups: int = 1) -> np.ndarray:
    """Groups × columns: the distinct areas among the rows of each group with a non-zero in each column.

    Parameters
    ----------
    matrix : sparse matrix
        Rows × columns, e.g. a presence matrix (units × codes).
    area : ndarray of int
        The area position of each row.
    group : ndarray of int, optional
        The group position of each row (-1: no group). Default: every row in one group.
    n_groups : int, default 1

    Returns
    -------
    ndarray of int64, shape (n_groups, n_columns)

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> units = sp.csr_array(np.array([[1, 0], [1, 1], [0, 1]]))
    >>> areas_per_column(units, np.array([0, 1, 1])).tolist()
    [[2, 1]]
    """
    matrix = _canonical(matrix)
    n_columns = matrix.shape[1]
    per_row = np.diff(matrix.indptr)
    entry_area = np.repeat(np.asarray(area, dtype=np.int64), per_row)
    if group is None:
        cell = matrix.indices
    else:
        entry_group = np.repeat(np.asarray(group, dtype=np.int64), per_row)
        cell = np.where(entry_group >= 0, entry_group * n_columns + matrix.indices, -1)
    return distinct_areas(entry_area, cell, n_groups * n_columns).reshape(n_groups, n_columns)


def areas_inside_outside(matrix, area: np.ndarray, group: np.ndarray, n_groups: int) -> tuple[np.ndarray, np.ndarray]:
    """Groups × columns: distinct areas among each group's rows with each column, and among the other rows.

    A group's rest is every row outside it, rows without a group included (as in
    :func:`~sce_analysis.stats.recurrence.compare_groups`). An area is behind the rest's count
    when some row of that area outside the group has the column: when the group holds fewer of
    the area's rows with the column than the whole set does.

    Parameters
    ----------
    matrix : sparse matrix
        Rows × columns; a single column of ones counts the rows themselves.
    area, group : ndarray of int
        The area and group positions of each row (-1: none).
    n_groups : int

    Returns
    -------
    (inside, outside) : two ndarrays of int64, shape (n_groups, n_columns)

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> ones = sp.csr_array(np.ones((4, 1), dtype=np.int64))
    >>> inside, outside = areas_inside_outside(ones, np.array([0, 0, 1, 2]), np.array([0, 1, 1, -1]), 2)
    >>> inside.ravel().tolist(), outside.ravel().tolist()
    ([1, 2], [3, 2])
    """
    matrix = _canonical(matrix)
    n_columns = matrix.shape[1]
    area, group = np.asarray(area, dtype=np.int64), np.asarray(group, dtype=np.int64)
    n_areas = _n_areas(area)
    if n_areas == 0:
        empty = np.zeros((n_groups, n_columns), dtype=np.int64)
        return empty, empty.copy()
    per_row = np.diff(matrix.indptr)
    entry_area, entry_group = np.repeat(area, per_row), np.repeat(group, per_row)
    column = matrix.indices.astype(np.int64)
    known = entry_area >= 0
    if not known.all():
        entry_area, entry_group, column = entry_area[known], entry_group[known], column[known]
    # Rows of each area with each column.
    per_area = np.bincount(entry_area * n_columns + column, minlength=n_areas * n_columns).reshape(n_areas, n_columns)
    overall = _sum_marks(per_area > 0, n_areas)
    # Groups that hold whole areas (areas, regions): an area is inside its group and outside every other.
    with_area = area >= 0
    area_group = np.full(n_areas, -1, dtype=np.int64)
    area_group[area[with_area]] = group[with_area]
    if (area_group[area[with_area]] == group[with_area]).all():
        member = np.flatnonzero(area_group >= 0)
        holds = sp.csr_array(
            (np.ones(len(member), dtype=np.int64), (area_group[member], member)), shape=(n_groups, n_areas)
        )
        inside = np.asarray(holds @ (per_area > 0).astype(np.int64))
        return inside, overall[None, :] - inside
    grouped = entry_group >= 0
    if not grouped.all():
        entry_area, entry_group, column = entry_area[grouped], entry_group[grouped], column[grouped]
    key = (entry_group * n_areas + entry_area) * n_columns + column
    n_cells = n_groups * n_areas * n_columns
    if n_cells <= _COUNTS_PER_AREA // 4:
        # Few groups (years, review types): a dense groups × areas × columns count, summed over areas.
        per_group = np.bincount(key, minlength=n_cells).reshape(n_groups, n_areas, n_columns)
        inside = _sum_marks(per_group > 0, n_areas, axis=1)
        # An area is behind the rest's count unless the group holds all its rows with the column.
        whole = _sum_marks((per_group == per_area) & (per_area > 0), n_areas, axis=1)
        return inside, overall[None, :] - whole
    # Many groups: per entry, how many rows its (group, area, column) cell holds.
    if n_cells <= _COUNTS_PER_AREA * 4:
        held = np.bincount(key, minlength=n_cells)[key]
    else:
        _, inverse, counts = np.unique(key, return_inverse=True, return_counts=True)
        held = counts[inverse]
    cell = entry_group * n_columns + column
    inside = distinct_areas(entry_area, cell, n_groups * n_columns).reshape(n_groups, n_columns)
    held_whole = held == per_area[entry_area, column]
    whole = distinct_areas(entry_area[held_whole], cell[held_whole], n_groups * n_columns)
    return inside, overall[None, :] - whole.reshape(n_groups, n_columns)


def _tally_pairs(entry_column, repeats, other_column, entry_area, shape: tuple[int, int]):
    """Counts, and distinct areas when ``entry_area`` is given, of listed column pairs.

    Entry ``i`` (column ``entry_column[i]``, area ``entry_area[i]``) pairs with the next
    ``repeats[i]`` values of ``other_column``.
    """
    n_cells = shape[0] * shape[1]
    left = entry_column.astype(np.int64) * shape[1]
    if entry_area is not None:
        entry_area = np.asarray(entry_area, dtype=np.int64)
        n_areas = _n_areas(entry_area)
        if n_areas * n_cells <= _COUNTS_PER_AREA and (not len(entry_area) or entry_area.min() >= 0):
            # Few enough cells to count every pair per area: one bincount gives counts and areas.
            per_area = np.bincount(
                np.repeat(entry_area * n_cells + left, repeats) + other_column, minlength=n_areas * n_cells
            ).reshape(n_areas, n_cells)
            return per_area.sum(axis=0).reshape(shape), _sum_marks(per_area > 0, n_areas).reshape(shape)
    cell = np.repeat(left, repeats) + other_column
    counts = np.bincount(cell, minlength=n_cells).astype(np.int64).reshape(shape)
    if entry_area is None:
        return counts, None
    return counts, distinct_areas(np.repeat(entry_area, repeats), cell, n_cells).reshape(shape)


def pair_counts(matrix, area: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray | None]:
    """Columns × columns: rows with both columns, and the distinct areas of those rows.

    The same counts as ``matrix.T @ matrix`` above the diagonal for a 0/1 matrix, from the list
    of every pair of non-zero entries that share a row (no product, so the area of each pair
    comes along).

    Parameters
    ----------
    matrix : sparse matrix
        Rows × columns, e.g. a presence matrix (units × codes).
    area : ndarray of int, optional
        The area position of each row; without it only the counts are computed.

    Returns
    -------
    (counts, areas) : ndarrays of int64, shape (n_columns, n_columns)
        Filled above the diagonal (``a < b``), zero elsewhere; ``areas`` is None without ``area``.

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> units = sp.csr_array(np.array([[1, 1, 0], [1, 1, 1], [0, 1, 1]]))
    >>> counts, areas = pair_counts(units, np.array([0, 0, 1]))
    >>> counts.tolist(), areas.tolist()
    ([[0, 2, 1], [0, 0, 2], [0, 0, 0]], [[0, 1, 1], [0, 0, 2], [0, 0, 0]])
    """
    matrix = _canonical(matrix)
    n_columns = matrix.shape[1]
    indptr, indices = matrix.indptr.astype(np.int64), matrix.indices.astype(np.int64)
    per_row = np.diff(indptr)
    position = np.arange(matrix.nnz, dtype=np.int64)
    # Each entry pairs with the entries after it in its row (indices are sorted: a < b).
    later = np.repeat(indptr[1:], per_row) - position - 1
    ends = np.cumsum(later)
    second = np.arange(int(ends[-1]) if len(ends) else 0, dtype=np.int64) + np.repeat(
        position + 1 - ends + later, later
    )
    entry_area = None if area is None else np.repeat(np.asarray(area, dtype=np.int64), per_row)
    return _tally_pairs(indices, later, indices[second], entry_area, (n_columns, n_columns))


def cross_pair_counts(left, right, area: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray | None]:
    """Left columns × right columns: rows with the left column in ``left`` and the right one in ``right``.

    The same counts as ``left.T @ right`` for two 0/1 matrices with the same rows (row ``i`` of
    ``left`` and of ``right`` describe one pair of units, e.g. an episode and the next one).

    Parameters
    ----------
    left, right : sparse matrices with the same number of rows
    area : ndarray of int, optional
        The area position of each row.

    Returns
    -------
    (counts, areas) : ndarrays of int64, shape (left columns, right columns)
        ``areas`` is None without ``area``.

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> before = sp.csr_array(np.array([[1, 0], [1, 0], [0, 1]]))
    >>> after = sp.csr_array(np.array([[0, 1], [1, 1], [0, 1]]))
    >>> counts, areas = cross_pair_counts(before, after, np.array([0, 1, 1]))
    >>> counts.tolist(), areas.tolist()
    ([[1, 2], [0, 1]], [[1, 2], [0, 1]])
    """
    # The pairs of a row do not depend on the order of its entries: only stored zeros must go.
    left, right = _without_zeros(left), _without_zeros(right)
    left_per_row, right_per_row = np.diff(left.indptr), np.diff(right.indptr)
    # Each entry of a left row pairs with every entry of the same right row.
    repeats = np.repeat(right_per_row, left_per_row)
    ends = np.cumsum(repeats)
    starts = np.repeat(right.indptr[:-1].astype(np.int64), left_per_row)
    second = np.arange(int(ends[-1]) if len(ends) else 0, dtype=np.int64) + np.repeat(starts - ends + repeats, repeats)
    entry_area = None if area is None else np.repeat(np.asarray(area, dtype=np.int64), left_per_row)
    return _tally_pairs(left.indices, repeats, right.indices[second], entry_area, (left.shape[1], right.shape[1]))


def fewest_areas(*counted: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """``n_contributing_areas``: per cell, the fewest areas behind any of its non-zero counts.

    Parameters
    ----------
    *counted : (counts, areas) pairs of arrays, broadcastable to one shape
        Each count of the row and the distinct areas of the reviews it rests on.

    Returns
    -------
    ndarray of int64
        The smallest ``areas`` among the pairs whose ``counts`` is not zero; 0 where every count
        is zero (the row rests on no review).

    Examples
    --------
    >>> n_units, n_total = np.array([4, 0, 0]), np.array([9, 9, 0])
    >>> fewest_areas((n_units, np.array([1, 0, 0])), (n_total, np.array([3, 3, 0]))).tolist()
    [1, 3, 0]
    """
    shape = np.broadcast_shapes(*(np.shape(c) for pair in counted for c in pair))
    fewest = np.full(shape, np.iinfo(np.int64).max, dtype=np.int64)
    for counts, areas in counted:  # a handful of counts per table
        fewest = np.where(np.asarray(counts) > 0, np.minimum(fewest, np.asarray(areas, dtype=np.int64)), fewest)
    return np.where(fewest == np.iinfo(np.int64).max, 0, fewest).astype(np.int64)
