"""Choosing what to show from a result table, without computing anything new.

A chart of one group against the rest has to pick a group; the notebooks, the gallery and the
briefing must pick the same one. This module needs pandas only, so a reader of finished tables
(the briefing) does not load the statistics stack to make the choice.
"""

from __future__ import annotations

import pandas as pd

from ..checks import check_alpha
from ..errors import ParameterError

__all__ = ["POOLED_ITEM", "most_different_group"]

#: The ``item`` of the pooled row of a coder-agreement table (every item together). Here, with
#: pandas only, so that a reader of finished tables finds that row without loading scipy.
POOLED_ITEM = "(all items)"


def most_different_group(differences: pd.DataFrame, *, alpha: float = 0.05) -> str:
    """The group of a :func:`~sce_analysis.stats.recurrence.compare_groups` table with the most factors
    at ``q_value < alpha``.

    Ties go to the group that sorts first; with no difference anywhere, the first group.

    Examples
    --------
    >>> import sce_analysis as sce
    >>> table = sce.compare_groups(sce.load("data/sample"))
    >>> most_different_group(table) in set(table["group"])
    True
    """
    check_alpha(alpha)
    if differences.empty:
        raise ParameterError("the table of group differences is empty: there is no group to choose.")
    flagged = (differences["q_value"] < alpha).groupby(differences["group"]).sum()
    return flagged.sort_index().idxmax()
