"""Disclosure control for publication: small counts suppressed, free text and identifiers removed.

These data describe children who died or were seriously harmed. A published table must not let a
reader single out a review: one review, in one area, in one year, with a rare factor, is a family.
UK practice (DfE, ONS) replaces small counts by ``c``; this module does the same, by construction:

- **Primary suppression.** Every count from 1 to ``threshold - 1`` is suppressed (zero is shown:
  it discloses nothing about a person). So is a count whose complement within its total is that
  small ("all but two reviews" identifies the two).
- **Derived values.** Shares, intervals, odds ratios, lifts, p- and q-values built on a suppressed
  count are suppressed with it.
- **Secondary suppression.** Where cells add up to a published total (the same factor across the
  regions of a ``by=`` table, the levels of a profile), a line with exactly one suppressed cell
  would give it away by subtraction; the smallest other non-zero cell of that line is suppressed
  too, repeatedly, until no line has a single suppressed cell.
- **Free text and identifiers.** Summaries, notes, titles, finding text, issues for the board and
  review, episode and finding identifiers never appear. A table with one row per review is
  withheld whole: its remaining columns (area, year, counts) would still point at one review.

:func:`publish` applies all of this to a library table and returns the published frame (with
suppressed cells as missing values, so charts draw them as marked gaps) and a mask of what was
suppressed; :func:`to_published_csv` writes it with ``c`` in the suppressed cells.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..checks import check_whole
from ..reviewsets.contract import FILES

__all__ = [
    "SUPPRESSED",
    "Published",
    "publish",
    "to_published_csv",
    "FREE_TEXT_COLUMNS",
    "IDENTIFIER_COLUMNS",
    "publish_network",
]

#: What a suppressed cell shows in a published CSV, as DfE tables do.
SUPPRESSED = "c"

#: Columns that identify a review, an episode or a finding.
IDENTIFIER_COLUMNS = frozenset({"review_id", "episode_id", "finding_id", "similar_review_id", "coders"})
#: Free-text columns of the contract, and free text the library's tables carry.
FREE_TEXT_COLUMNS = frozenset(
    {c.name for spec in FILES.values() for c in spec.columns if c.kind == "text" and spec.name != "taxonomy"}
    - {"area", "region", "review_type", "method", "agency", "coder"}
    | {"finding", "issues_for_board", "value", "message", "note", "summary", "title"}
)

#: Counts of units (reviews, episodes, findings, codings): the cells primary suppression protects.
COUNT_COLUMNS = (
    "count",
    "n_reviews",
    "n_units",
    "n_episodes",
    "n_codings",
    "n_findings",
    "n_ab",
    "n_a",
    "n_b",
    "n",
    "n_in",
    "n_out",
    "n_group",
    "n_shared",
    "n_from",
    "n_to",
    "n_total",
    "cluster_size",
    "theme_size",
    "double_coded_episodes",
    "judgements",
    "coded_by_any",
    "coded_by_all",
)
#: A count and the total it is part of: the complement (total - count) must not be small either.
COMPLEMENTS = {"n_units": "n_total", "n_in": "n_group", "n_reviews": "n_total"}
#: Values computed from counts: suppressed whenever one of the counts they rest on is.
DERIVED = {
    "share": ("n_units", "n_reviews", "n_codings", "n_findings", "n_in"),
    "ci_low": ("n_units", "n_reviews", "n_codings", "n_in", "n_out"),
    "ci_high": ("n_units", "n_reviews", "n_codings", "n_in", "n_out"),
    "review_share": ("n_reviews",),
    "share_of_reviews": ("n_reviews",),
    "area_share": ("n_reviews", "n_units"),
    "n_areas": ("n_reviews", "n_units"),
    "n_regions": ("n_reviews", "n_units"),
    "n_years": ("n_reviews", "n_units"),
    "share_in": ("n_in", "n_group"),
    "share_out": ("n_out",),
    "odds_ratio": ("n_in", "n_out", "n_ab", "n_a", "n_b"),
    "odds_ratio_per_year": ("n_units",),
    "expected": ("n_ab", "n", "n_a", "n_b"),
    "lift": ("n_ab", "n_a", "n_b"),
    "jaccard": ("n_ab", "n_a", "n_b"),
    "overlap": ("n_ab", "n_a", "n_b"),
    "npmi": ("n_ab", "n_a", "n_b"),
    "ratio": ("n",),
    "similarity": ("n_shared",),
    "p_value": ("n_ab", "n", "n_in", "n_out", "n_units"),
    "q_value": ("n_ab", "n", "n_in", "n_out", "n_units"),
    "direction": ("n_units",),
    "difference": ("n_in", "n_out"),
    "rule": ("n_units", "n_reviews"),
    "codings_per_episode": ("n_codings", "n_episodes"),
    "percent_agreement": ("double_coded_episodes", "coded_by_any", "coded_by_all"),
    "cohen_kappa": ("double_coded_episodes", "coded_by_any", "coded_by_all"),
    "krippendorff_alpha": ("double_coded_episodes", "coded_by_any", "coded_by_all"),
}
#: Columns that name the lines along which counts add up to a published total.
LINE_KEYS = ("factor_code", "category", "level")


@dataclass(frozen=True)
class Published:
    """A table ready to publish: suppressed cells are missing in ``frame`` and True in ``mask``."""

    frame: pd.DataFrame
    mask: pd.DataFrame
    withheld: str | None = None


def _counts(frame: pd.DataFrame) -> list[str]:
    return [c for c in COUNT_COLUMNS if c in frame.columns and pd.api.types.is_numeric_dtype(frame[c])]


def _small(values: pd.Series, threshold: int) -> pd.Series:
    return values.between(1, threshold - 1) & values.notna()


def publish(frame: pd.DataFrame, *, threshold: int = 5, group: str | None = None) -> Published:
    """Make a library table safe to publish.

    Parameters
    ----------
    frame : DataFrame
        A table the library returned (any of them).
    threshold : int, default 5
        Counts from 1 to ``threshold - 1`` are suppressed.
    group : str, optional
        The column that splits the table into groups whose counts add up to a published total
        (``"region"`` in ``factor_prevalence(rs, by="region")``). Found automatically for the
        library's ``by=`` tables (the first column when it is not a code or category) and for
        ``compare_groups`` (``"group"``).

    Returns
    -------
    Published

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"factor_code": ["a", "b"], "n_units": [12, 3], "n_total": [40, 40]})
    >>> publish(table).frame["n_units"].tolist()
    [12, <NA>]
    """
    threshold = check_whole(threshold, "threshold", 1)
    if "review_id" in frame.columns and frame["review_id"].is_unique and len(frame) > 0:
        note = "withheld in publication mode: the table has one row per review"
        withheld = pd.DataFrame({"table": [note]})
        return Published(withheld, pd.DataFrame(False, index=withheld.index, columns=withheld.columns), note)
    keep = [c for c in frame.columns if c not in IDENTIFIER_COLUMNS and c not in FREE_TEXT_COLUMNS]
    out = frame[keep].copy()
    mask = pd.DataFrame(False, index=out.index, columns=out.columns)
    counts = _counts(out)
    for column in counts:
        mask[column] |= _small(out[column], threshold)
        total = COMPLEMENTS.get(column)
        if total in out.columns:
            mask[column] |= _small(out[total] - out[column], threshold)
    # A row whose group is small is suppressed whole: its counts are all counts of a few reviews.
    if "n_total" in out.columns:
        small_group = _small(out["n_total"], threshold)
        for column in counts:
            mask[column] |= small_group
    # Two counts of one 2x2 table: either gives the other away through the factor's total.
    if "n_in" in mask.columns and "n_out" in mask.columns:
        both = mask["n_in"] | mask["n_out"]
        mask["n_in"] |= both
        mask["n_out"] |= both
    group = group or _group_column(out)
    if group is not None:
        key = next((k for k in LINE_KEYS if k in out.columns and k != group), None)
        # Across groups, the counts of one factor (category, level) add up to its published total;
        # a table of groups alone adds up to the total of the whole set.
        line = out[key] if key is not None else pd.Series(0, index=out.index)
        for column in counts:
            if column != "n_total":
                mask[column] = _secondary(out, mask[column], column, line)
        # Within a group, levels partition the codings and categories the findings: those add up too.
        for partition, column in (("level", "n_codings"), ("category", "n_findings")):
            if key == partition and column in out.columns:
                mask[column] = _secondary(out, mask[column], column, out[group])
                mask[column] = _secondary(out, mask[column], column, line)
    for column, sources in DERIVED.items():
        if column in out.columns:
            resting = [s for s in sources if s in mask.columns]
            if resting:
                mask[column] |= mask[resting].any(axis=1)
    for column in out.columns:
        if mask[column].any():
            out[column] = out[column].astype(object).where(~mask[column], np.nan)
            if pd.api.types.is_integer_dtype(frame[column]):
                out[column] = pd.to_numeric(out[column]).astype("Int64")  # counts stay whole numbers
            elif pd.api.types.is_numeric_dtype(frame[column]):
                out[column] = pd.to_numeric(out[column])
    return Published(out, mask)


def _group_column(frame: pd.DataFrame) -> str | None:
    if "group" in frame.columns:
        return "group"
    first = frame.columns[0] if len(frame.columns) else None
    if first is not None and first not in LINE_KEYS and first not in COUNT_COLUMNS and first != "factor_from":
        return first
    return None


def _secondary(frame: pd.DataFrame, suppressed: pd.Series, column: str, line: pd.Series) -> pd.Series:
    """Suppress further cells until no line (cells sharing a ``line`` value) has exactly one."""
    suppressed = suppressed.copy()
    values = frame[column]
    line = line.to_numpy()
    while True:
        per_line = suppressed.groupby(line, sort=False).transform("sum")
        lonely = pd.unique(line[(suppressed & (per_line == 1)).to_numpy()])
        changed = False
        for key in lonely:
            open_cells = (line == key) & ~suppressed.to_numpy() & values.notna().to_numpy()
            # The smallest non-zero cell; a zero only when nothing else is left to hide it with.
            candidates = values[open_cells & (values > 0).to_numpy()]
            if not len(candidates):
                candidates = values[open_cells]
            if len(candidates):
                suppressed[candidates.sort_values(kind="stable").index[0]] = True
                changed = True
        if not changed:
            return suppressed


def to_published_csv(published: Published, path) -> None:
    """Write a published table: suppressed cells as ``c``, missing values (not suppressed) empty."""
    text = published.frame.astype(object).where(~published.mask, SUPPRESSED)
    text.to_csv(path, index=False, lineterminator="\n", float_format="%.10g")


def publish_network(G, *, threshold: int = 5):
    """A copy of a factor network without the links and factors that rest on small counts.

    Links with ``n_ab`` below ``threshold`` are dropped, and so are factors present in fewer
    than ``threshold`` units, with their links; what remains draws no label from a small count.
    """
    threshold = check_whole(threshold, "threshold", 1)
    H = G.copy()
    H.remove_edges_from([(a, b) for a, b, d in G.edges(data=True) if d.get("n_ab", threshold) < threshold])
    H.remove_nodes_from([n for n, d in G.nodes(data=True) if d.get("n_units", threshold) < threshold])
    H.graph["publication_threshold"] = threshold
    return H


def footer(threshold: int) -> str:
    """The line every publication output carries."""
    return f"Publication mode: counts from 1 to {threshold - 1} are suppressed (shown as {SUPPRESSED}); no free text."
