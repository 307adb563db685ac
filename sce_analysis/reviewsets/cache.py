"""Values derived from a review set, computed once per set, and carried through filters.

A :class:`~sce_analysis.ReviewSet` is never changed in place, so what is computed from it
(row positions, coder masks, presence matrices) cannot go stale: each set owns a
:class:`DerivedCache` (``rs.derived``) that builds each value on first use and keeps it.

Filtering a national set must be fast, because the explorer filters on every click. So a value
may declare, when it is first stored, how it *follows* a filter: the filtered set then receives
it already sliced instead of rebuilding it. A value that declares nothing is left behind, and the
filtered set builds its own when asked. The cache knows nothing of what the values mean: it only
applies what each declared.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = ["DerivedCache", "RowSelection", "ROWS"]

#: The frames whose rows a filter selects; an array along one of them can follow a filter.
ROWS = ("reviews", "episodes", "factors", "findings")


@dataclass(frozen=True)
class RowSelection:
    """Which rows of each frame a filter keeps: one boolean array per frame, over the original rows.

    Attributes
    ----------
    reviews, episodes, factors, findings : ndarray of bool
        ``reviews[i]`` is True when row ``i`` of the original ``reviews`` is kept, and so on.

    Examples
    --------
    >>> import numpy as np
    >>> keep = np.array([True, False, True])
    >>> selection = RowSelection(keep, keep, keep, keep)
    >>> selection.renumber("reviews", np.array([2, 0, 2])).tolist()
    [1, 0, 1]
    """

    reviews: np.ndarray
    episodes: np.ndarray
    factors: np.ndarray
    findings: np.ndarray
    _new_positions: dict = field(default_factory=dict, init=False, repr=False, compare=False)
    _taken: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def rows(self, frame: str) -> np.ndarray:
        """The boolean array of ``frame``, one of :data:`ROWS`."""
        if frame not in ROWS:
            raise ValueError(f"frame must be one of {ROWS}, not {frame!r}.")
        return getattr(self, frame)

    def take(self, table: pd.DataFrame, frame: str) -> pd.DataFrame:
        """The kept rows of ``table``, whose rows run along ``frame``; taken once per table object.

        Several cached values can share one table (the presence matrices of every polarity share
        their units): each filtered set then shares one copy of its rows too.
        """
        key = (id(table), frame)
        if key not in self._taken:
            self._taken[key] = (table, table[self.rows(frame)].reset_index(drop=True))
        return self._taken[key][1]

    def renumber(self, frame: str, positions: np.ndarray) -> np.ndarray:
        """Positions of kept rows of the original ``frame``, as positions in the filtered frame."""
        if frame not in self._new_positions:
            self._new_positions[frame] = np.cumsum(self.rows(frame)) - 1
        return self._new_positions[frame][positions]


#: How a value follows a filter: the frame it runs along, or a function (value, selection) -> value.
Follows = str | Callable[[object, RowSelection], object] | None


class DerivedCache:
    """Values derived from one review set, each built once, and how each follows a filter.

    Examples
    --------
    >>> import numpy as np
    >>> cache = DerivedCache()
    >>> cache.get("ones", lambda: np.ones(3), follows="reviews").tolist()
    [1.0, 1.0, 1.0]
    >>> cache.get("ones", lambda: 1 / 0).tolist()  # built once: the second build is never called
    [1.0, 1.0, 1.0]
    >>> keep = np.array([True, False, True])
    >>> filtered = DerivedCache()
    >>> cache.carry(RowSelection(keep, keep, keep, keep), into=filtered)
    >>> filtered.get("ones", lambda: 1 / 0).tolist()
    [1.0, 1.0]
    """

    def __init__(self) -> None:
        self._values: dict[Hashable, object] = {}
        self._follows: dict[Hashable, Follows] = {}

    def get(self, key: Hashable, build: Callable[[], object], *, follows: Follows = None):
        """The value stored under ``key``; ``build()`` makes and stores it the first time.

        Parameters
        ----------
        key : hashable
            Names the value; the module that owns a kind of value owns its keys (such as
            ``("presence", unit, polarity, coder)``).
        build : callable
            Called with no argument, only when ``key`` is not stored yet.
        follows : str, callable or None
            How the value follows a filter into the filtered set (the first ``get`` of a key
            decides):

            - ``"reviews"``, ``"episodes"``, ``"factors"`` or ``"findings"``: the value is an
              array (or Series) with one item per row of that frame; the filtered set gets the
              items of the rows it keeps, in order.
            - a function ``follow(value, selection)``, given the :class:`RowSelection`, returns the
              value for the filtered set; for instance an object's own method, as
              ``Presence.take``.
            - None: the value does not follow; a filtered set builds its own when asked.
        """
        if key not in self._values:
            if follows is not None and not callable(follows) and follows not in ROWS:
                raise ValueError(f"follows must be one of {ROWS}, a function or None, not {follows!r}.")
            self._values[key] = build()
            self._follows[key] = follows
        return self._values[key]

    def __contains__(self, key: Hashable) -> bool:
        return key in self._values

    def __len__(self) -> int:
        return len(self._values)

    def __iter__(self):
        """The keys stored, in the order they were first built."""
        return iter(list(self._values))

    def keys(self) -> list:
        """The keys stored, in the order they were first built."""
        return list(self._values)

    def follows(self, key: Hashable) -> Follows:
        """How the value under ``key`` follows a filter (see :meth:`get`)."""
        return self._follows[key]

    def carry(self, selection: RowSelection, *, into: DerivedCache) -> None:
        """Put every value that can follow a filter into ``into``, as the filtered set's value.

        Values already in ``into`` are kept; values that declared no way to follow are left behind.
        """
        for key, value in self._values.items():
            follows = self._follows[key]
            if follows is None or key in into._values:
                continue
            if callable(follows):
                carried = follows(value, selection)
            elif hasattr(value, "iloc"):
                carried = value[selection.rows(follows)].reset_index(drop=True)
            else:
                carried = value[selection.rows(follows)]
            into._values[key] = carried
            into._follows[key] = follows
