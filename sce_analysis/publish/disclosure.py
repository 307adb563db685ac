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

- **Contributing areas** (UPLOADS' practice). A figure is published only when at least
  ``min_areas`` areas (local partnerships) stand behind it: a row whose ``n_contributing_areas``
  (computed by the library function that made the table) is below ``min_areas`` has all its
  counts and what rests on them suppressed. A few areas with a rare factor are easy to point at,
  however many reviews they hold.

:func:`publish` applies all of this to a library table and returns the published frame (with
suppressed cells as missing values, so charts draw them as marked gaps) and a mask of what was
suppressed; :func:`to_published_csv` writes it with ``c`` in the suppressed cells. Outputs go
through one :class:`~sce_analysis.publish.policy.Policy`, which holds the settings and calls these.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..checks import check_whole
from ..errors import ParameterError
from ..reviewsets.contract import FILES

# TABLE_FLOAT_FORMAT (how floats are written to table CSVs) lives in spreadsheets and is named here too.
from ..spreadsheets import TABLE_FLOAT_FORMAT, write_people_csv

__all__ = [
    "DEFAULT_THRESHOLD",
    "DEFAULT_MIN_AREAS",
    "CONTRIBUTORS",
    "TABLE_FLOAT_FORMAT",
    "SUPPRESSED",
    "Published",
    "publish",
    "to_published_csv",
    "FREE_TEXT_COLUMNS",
    "IDENTIFIER_COLUMNS",
    "publish_network",
    "footer",
    "is_hidden",
]

#: Counts from 1 to ``DEFAULT_THRESHOLD - 1`` are suppressed unless a caller sets another threshold.
DEFAULT_THRESHOLD = 5
#: A figure is published only when at least this many areas contribute to it.
DEFAULT_MIN_AREAS = 3
#: The column in which library tables say how many areas stand behind the row's figures.
# Spelled out, not imported from stats.contributors: the CLI reads this module's defaults without scipy.
CONTRIBUTORS = "n_contributing_areas"
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
#: Counts of places and years, not of people: they obey the threshold (a table must not show "2 areas"
#: where the scope summary shows c), but nothing else is suppressed because of them.
PLACE_COUNTS = ("n_areas", "n_regions", "n_years", CONTRIBUTORS)
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


def publish(
    frame: pd.DataFrame,
    *,
    threshold: int = DEFAULT_THRESHOLD,
    min_areas: int = DEFAULT_MIN_AREAS,
    group: str | None = None,
) -> Published:
    """Make a library table safe to publish.

    Most callers publish through a :class:`~sce_analysis.publish.policy.Policy`, which holds
    ``threshold`` and ``min_areas`` for a whole report, gallery or explorer.

    Parameters
    ----------
    frame : DataFrame
        A table the library returned (any of them).
    threshold : int, default 5
        Counts from 1 to ``threshold - 1`` are suppressed.
    min_areas : int, default 3
        A row whose ``n_contributing_areas`` is below this has its counts and what rests on them
        suppressed. A table with counts but without that column is refused (ParameterError),
        unless ``min_areas`` is 1, which turns the rule off.
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
    >>> table = pd.DataFrame(
    ...     {"factor_code": ["a", "b", "c"], "n_units": [12, 3, 20], "n_total": [40, 40, 40],
    ...      "n_contributing_areas": [6, 2, 2]}
    ... )
    >>> publish(table).frame["n_units"].tolist()
    [12, <NA>, <NA>]
    """
    threshold = check_whole(threshold, "threshold", 1)
    min_areas = check_whole(min_areas, "min_areas", 1)
    if "review_id" in frame.columns and frame["review_id"].is_unique and len(frame) > 0:
        note = "withheld in publication mode: the table has one row per review"
        withheld = pd.DataFrame({"table": [note]})
        return Published(withheld, pd.DataFrame(False, index=withheld.index, columns=withheld.columns), note)
    out = frame[[c for c in frame.columns if not is_hidden(c)]].copy()
    mask = pd.DataFrame(False, index=out.index, columns=out.columns)
    counts = _counts(out)
    _primary(out, mask, counts, threshold)
    _contributors(out, mask, counts, min_areas)
    _secondary_all(out, mask, counts, group or _group_column(out))
    for column, sources in DERIVED.items():
        if column in out.columns:
            resting = [s for s in sources if s in mask.columns]
            if resting:
                mask[column] |= mask[resting].any(axis=1)
    if CONTRIBUTORS in out.columns and counts:
        # How many areas stand behind a row says something about its counts: hide it with them.
        mask[CONTRIBUTORS] |= mask[counts].any(axis=1)
    for column in out.columns:
        if mask[column].any():
            out[column] = out[column].astype(object).where(~mask[column], np.nan)
            if pd.api.types.is_integer_dtype(frame[column]):
                out[column] = pd.to_numeric(out[column]).astype("Int64")  # counts stay whole numbers
            elif pd.api.types.is_numeric_dtype(frame[column]):
                out[column] = pd.to_numeric(out[column])
    return Published(out, mask)


def is_hidden(column: str) -> bool:
    """Whether a column never appears in publication outputs: an identifier or free text."""
    return column in IDENTIFIER_COLUMNS or column in FREE_TEXT_COLUMNS


def _primary(out: pd.DataFrame, mask: pd.DataFrame, counts: list[str], threshold: int) -> None:
    """Small counts, small complements, small groups, and the two counts of one 2×2 table."""
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
    for column in PLACE_COUNTS:
        if column in out.columns and pd.api.types.is_numeric_dtype(out[column]):
            mask[column] |= _small(out[column], threshold)
    # Two counts of one 2x2 table: either gives the other away through the factor's total.
    if "n_in" in mask.columns and "n_out" in mask.columns:
        both = mask["n_in"] | mask["n_out"]
        mask["n_in"] |= both
        mask["n_out"] |= both


def _contributors(out: pd.DataFrame, mask: pd.DataFrame, counts: list[str], min_areas: int) -> None:
    """Suppress every count of a row that fewer than ``min_areas`` areas stand behind."""
    if min_areas <= 1 or not counts:
        return
    if CONTRIBUTORS not in out.columns:
        raise ParameterError(
            f"this table has counts ({', '.join(counts)}) but no {CONTRIBUTORS} column, so the rule that at "
            f"least {min_areas} areas stand behind every published figure cannot be checked. Fix: publish a table "
            "made by an sce_analysis function (they all carry the column), or set min_areas=1 to publish it "
            "without that rule."
        )
    few = pd.to_numeric(out[CONTRIBUTORS], errors="coerce").fillna(0) < min_areas
    for column in counts:
        mask[column] |= few


def _secondary_all(out: pd.DataFrame, mask: pd.DataFrame, counts: list[str], group: str | None) -> None:
    """Secondary suppression along every line of cells that adds up to a published total."""
    if group is None:
        return
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
    """Write a published table: suppressed cells as ``c``, missing values (not suppressed) empty.

    The file is for people, who open it in a spreadsheet, and is written as every such file is
    (:func:`~sce_analysis.spreadsheets.write_people_csv`): floats with :data:`TABLE_FLOAT_FORMAT`,
    as in full detail; text that a spreadsheet would read as a formula with a ``'`` in front;
    numbers, negative ones included, as numbers.
    """
    write_people_csv(published.frame, path, suppressed=published.mask, mark=SUPPRESSED)


def publish_network(G, *, threshold: int = DEFAULT_THRESHOLD, min_areas: int = DEFAULT_MIN_AREAS):
    """A copy of a factor network without the links and factors that rest on small counts or few areas.

    Links with ``n_ab`` below ``threshold``, and factors present in fewer than ``threshold``
    units, are dropped (a factor with its links); so are links and factors that fewer than
    ``min_areas`` areas stand behind (their ``n_contributing_areas`` attribute). What remains
    draws no label from a small count or a small group of areas.
    """
    threshold = check_whole(threshold, "threshold", 1)
    min_areas = check_whole(min_areas, "min_areas", 1)

    def too_few(data: dict) -> bool:
        # An attribute missing counts as too few areas when the rule is on: a network that cannot
        # say who stands behind a link does not publish it.
        return min_areas > 1 and data.get(CONTRIBUTORS, 0) < min_areas

    H = G.copy()
    H.remove_edges_from(
        [(a, b) for a, b, d in G.edges(data=True) if d.get("n_ab", threshold) < threshold or too_few(d)]
    )
    H.remove_nodes_from([n for n, d in G.nodes(data=True) if d.get("n_units", threshold) < threshold or too_few(d)])
    H.graph["publication_threshold"] = threshold
    H.graph["publication_min_areas"] = min_areas
    return H


def footer(threshold: int = DEFAULT_THRESHOLD, min_areas: int = DEFAULT_MIN_AREAS) -> str:
    """The line every publication output carries.

    >>> print(footer(5, 3))  # doctest: +NORMALIZE_WHITESPACE
    Publication mode: counts from 1 to 4, and figures with fewer than 3 areas behind them, are
    suppressed (shown as c); no free text.
    """
    areas = f", and figures with fewer than {min_areas} areas behind them," if min_areas > 1 else ""
    counts = f"counts from 1 to {threshold - 1}{areas}"
    return f"Publication mode: {counts} are suppressed (shown as {SUPPRESSED}); no free text."
