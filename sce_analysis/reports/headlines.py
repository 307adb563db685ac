"""The key findings of a report, in plain English, written from the report's own tables.

Each sentence quotes cells of one table of the report folder, rounded for reading (see
:mod:`~sce_analysis.reports.formatting`); nothing is recomputed. A sentence is written only when
its statistic supports it:

- a recurring factor: the factor passed the report's recurrence rule (common *and* spread
  across areas), and its counts are published;
- a trend: the library called it (``direction`` rising or falling, at ``q_value < alpha``
  after the Benjamini-Hochberg correction), with at least ``min_count`` units behind it;
- a group difference: the library called it (``difference`` higher or lower, at
  ``q_value < alpha``), in a group of at least ``min_count`` units;
- a sequence: two different factors, ``q_value < alpha`` after correction, seen at least
  ``min_count`` times;
- themes: at least two factors per theme and, when the report estimated it, a theme stability
  (mean best Jaccard overlap with the themes of bootstrap resamples) of at least
  :data:`MIN_THEME_STABILITY`;
- a finding category: its counts are published.

Each rule is one selection function (:func:`clear_sequences`, :func:`clear_trends`,
:func:`clear_differences`, :func:`stable_themes`, :func:`top_category`): the briefing's section
headline counts the rows it selects, the section's table shows them, and the key finding quotes
them. In publication mode a cell shown as ``c`` stops every sentence that would quote it: the
rules select only rows whose quoted cells are published. The sentences describe how often
things were found together or apart; none claims a cause.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ..publish.disclosure import SUPPRESSED
from ..reviewsets.contract import UNIT_NAMES
from .formatting import count_text, interval_text, number, percent_text, probability_text, statistic_text

__all__ = [
    "Headline",
    "key_findings",
    "MIN_THEME_STABILITY",
    "MIN_REVIEWS",
    "FINDINGS_NOTE",
    "NO_FINDINGS",
    "missing_text",
    "REPORT_DEFAULTS",
    "with_defaults",
    "numbers",
    "published",
    "clear_sequences",
    "clear_trends",
    "clear_differences",
    "stability_estimated",
    "stable_themes",
    "top_category",
    "lower_first",
    "unit_words",
    "pair_words",
    "lag_words",
    "group_words",
]

#: Themes whose ``theme_stability`` is below this are not headlined. ``theme_stability`` is the mean,
#: over bootstrap resamples of reviews, of the theme's best Jaccard overlap with a theme found in the
#: resample (factors in both over factors in either); below 0.5 a theme is commonly read as
#: dissolved (Hennig's clusterboot).
MIN_THEME_STABILITY = 0.5
#: With fewer reviews in scope than this, no key finding is written: a share of a handful of
#: reviews says little about practice elsewhere.
MIN_REVIEWS = 10
#: Most factors named in one sentence; the rest are counted ("and 3 more").
MOST_NAMED = 3

#: Words both layouts of the briefing (HTML and Word) print under the key findings, or instead of them.
FINDINGS_NOTE = (
    "A finding is written only when its statistic supports it: a clear result after correcting for many tests, "
    "and enough reviews behind it. None of them says what caused what."
)
NO_FINDINGS = (
    "No finding is strong enough to headline at this scope: too few reviews, or no result that stands out after "
    "correcting for many tests. The sections below show what there is."
)


def missing_text(missing: list[str]) -> str:
    """The note on sections whose notebook did not run."""
    return "Not in this report (its notebook was not run): " + "; ".join(missing) + "."


#: The parameters the briefing reads, with the defaults the notebooks declare (a report's manifest
#: holds every declared value; these fill in for a partial set of parameters).
REPORT_DEFAULTS: dict[str, object] = {
    "unit": "review",
    "alpha": 0.05,
    "min_count": 5,
    "seed": 0,
    "min_share": 0.2,
    "min_area_share": 0.5,
    "pair_unit": "episode",
    "min_lift": 1.0,
    "resamples": 200,
    "lag": 1,
    "permutations": 0,
    "by": "region",
    "group": "",
}


def with_defaults(parameters: dict) -> dict:
    """A report's parameters with :data:`REPORT_DEFAULTS` for any it does not give."""
    return {**REPORT_DEFAULTS, **parameters}


_NUMBER_WORDS = ("No", "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine", "Ten")


@dataclass(frozen=True)
class Headline:
    """One key-finding sentence and where its numbers come from.

    ``table`` is the report table (``tables/<table>.csv``) and ``rows`` the values of its key
    columns for each row quoted, so that a reader or a test can find the cells again.
    """

    text: str
    section: str
    table: str
    rows: tuple[dict, ...] = field(default_factory=tuple)


def number_word(n: int) -> str:
    """``3`` -> ``"Three"`` (up to ten), otherwise the digits."""
    return _NUMBER_WORDS[n] if 0 <= n < len(_NUMBER_WORDS) else f"{n:,}"


def lower_first(label: str) -> str:
    """A factor label inside a sentence: first letter lower case, unless the first word is an
    acronym (``"IT systems ..."``, ``"GP not ..."``)."""
    first = label.split(" ", 1)[0]
    if len(first) > 1 and first[:2].isupper():
        return label
    return label[:1].lower() + label[1:]


def join_words(parts: list[str]) -> str:
    """``["a", "b", "c"]`` -> ``"a, b and c"``."""
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def numbers(table: pd.DataFrame) -> pd.DataFrame:
    """A table read as text, every cell as a float: NaN for ``c``, a blank or text (as :func:`number`)."""
    return table.apply(pd.to_numeric, errors="coerce")


def published(values: pd.DataFrame, columns) -> pd.Series:
    """Rows of a table's :func:`numbers` in which every cell of ``columns`` is a number (not ``c``, not
    blank)."""
    return values[list(columns)].notna().all(axis=1)


def _q_clause(value) -> str:
    text = probability_text(value, inline=True)
    return f"q {text}" if text.startswith("<") else f"q = {text}"


def unit_words(unit: str, *, plural: bool = True) -> str:
    """``"reviews"`` or ``"key practice episodes"``, as the charts name the units."""
    return UNIT_NAMES[unit][1 if plural else 0]


def pair_words(parameters: dict, *, plural: bool = True) -> str:
    """Where two factors count as found together: the report's ``pair_unit``."""
    return unit_words(with_defaults(parameters)["pair_unit"], plural=plural)


def lag_words(parameters: dict) -> str:
    """The episode a sequence leads to: ``"the next episode"``, or ``"the episode 2 later"``."""
    lag = int(with_defaults(parameters)["lag"])
    return "the next episode" if lag == 1 else f"the episode {lag} later"


#: A review column's groups as a sentence names them: (one, several).
GROUP_WORDS = {
    "region": ("region", "regions"),
    "area": ("area", "areas"),
    "year": ("year", "years"),
    "review_type": ("review type", "review types"),
}


def group_words(by: str) -> tuple[str, str]:
    return GROUP_WORDS.get(by, (by.replace("_", " "), by.replace("_", " ") + " groups"))


#: The cells each kind of sentence quotes: a row is used only when all of them are published.
RECURRING_CELLS = ("n_units", "n_total", "share", "ci_low", "ci_high", "n_areas")
SEQUENCE_CELLS = ("n", "ratio", "q_value")
TREND_CELLS = ("odds_ratio_per_year", "q_value", "n_units")
DIFFERENCE_CELLS = ("n_in", "n_group", "share_in", "share_out", "odds_ratio", "q_value")
CATEGORY_CELLS = ("n_reviews", "n_total", "share", "ci_low", "ci_high")


def _numbers(table: pd.DataFrame, values: pd.DataFrame | None) -> pd.DataFrame:
    return numbers(table) if values is None else values


def _by_q(rows: pd.DataFrame, values: pd.DataFrame) -> pd.DataFrame:
    """``rows`` ordered by ``q_value``, smallest first (ties keep the table's order)."""
    return rows.loc[values.loc[rows.index, "q_value"].sort_values(kind="stable").index]


# ------------------------------------------------------------------------------ what each section selects


def clear_sequences(table: pd.DataFrame, *, alpha: float, min_count: int, values=None) -> pd.DataFrame:
    """The sequences a report calls clear, in the table's order: from one factor to a *different*
    factor (a factor that persists is not a sequence), ``n``, ``ratio`` and ``q_value`` published,
    ``q_value < alpha`` and ``n >= min_count``.

    ``values`` is the table's :func:`numbers`, when the caller has it already.
    """
    v = _numbers(table, values)
    keep = published(v, SEQUENCE_CELLS) & (table["factor_from"] != table["factor_to"])
    return table[keep & (v["q_value"] < alpha) & (v["n"] >= min_count)]


def clear_trends(table: pd.DataFrame, *, min_count: int, values=None) -> pd.DataFrame:
    """The trends a report calls clear, in the table's order: ``direction`` rising or falling (the
    library's call, at ``q_value < alpha``), ``odds_ratio_per_year``, ``q_value`` and ``n_units``
    published, and ``n_units >= min_count``."""
    v = _numbers(table, values)
    keep = published(v, TREND_CELLS) & table["direction"].isin(("rising", "falling"))
    return table[keep & (v["n_units"] >= min_count)]


def clear_differences(table: pd.DataFrame, *, min_count: int, values=None) -> pd.DataFrame:
    """The group differences a report calls clear, in the table's order: ``difference`` higher or lower
    (the library's call, at ``q_value < alpha``), the cells a sentence quotes published, and a group
    of at least ``min_count`` units (``n_group``)."""
    v = _numbers(table, values)
    keep = published(v, DIFFERENCE_CELLS) & table["difference"].isin(("higher", "lower"))
    return table[keep & (v["n_group"] >= min_count)]


def stability_estimated(table: pd.DataFrame, *, values=None) -> bool:
    """Whether a themes table has its ``theme_stability``: run with ``resamples=0`` the column is blank."""
    if "theme_stability" not in table.columns:
        return False
    # A cell shown as ``c`` was estimated too: it is not a number, but it is not missing.
    shown = table["theme_stability"]
    return bool(_numbers(table, values)["theme_stability"].notna().any() or (shown == SUPPRESSED).any())


def stable_themes(table: pd.DataFrame, *, values=None) -> pd.DataFrame:
    """The rows of the themes a report headlines: a published ``theme`` and, when the report estimated
    it (:func:`stability_estimated`), a ``theme_stability`` of at least :data:`MIN_THEME_STABILITY`."""
    v = _numbers(table, values)
    keep = v["theme"].notna()
    if stability_estimated(table, values=v):
        keep &= v["theme_stability"] >= MIN_THEME_STABILITY
    return table[keep]


def top_category(table: pd.DataFrame, *, values=None) -> pd.Series | None:
    """The SCIE category in which most reviews made a finding, among those whose counts are published
    (ties: the first in the typology's order); None when every one is suppressed."""
    v = _numbers(table, values)
    shares = v.loc[published(v, CATEGORY_CELLS), "share"]
    return None if shares.empty else table.loc[shares.idxmax()]


# ------------------------------------------------------------------------------ the sentences


def recurring_headlines(table: pd.DataFrame, *, unit: str, n_areas_total, most: int = 2, values=None) -> list[Headline]:
    """The most common factors that passed the recurrence rule: one sentence each."""
    v = _numbers(table, values)
    out = []
    total = number(n_areas_total)
    for row in table[published(v, RECURRING_CELLS)].head(most).to_dict("records"):
        n_areas = number(row["n_areas"])
        if total is not None and n_areas == total:
            where = f"in all {count_text(n_areas)} areas"
        elif total is not None:
            where = f"in {count_text(n_areas)} of {count_text(total)} areas"
        else:
            where = f"in {count_text(n_areas)} areas"
        text = (
            f"{row['label']} was found in {count_text(row['n_units'])} of {count_text(row['n_total'])} "
            f"{unit_words(unit)} ({percent_text(row['share'])}; 95% CI "
            f"{interval_text(row['ci_low'], row['ci_high'])}), {where}."
        )
        out.append(Headline(text, "recurring", "recurring_factors", ({"factor_code": row["factor_code"]},)))
    return out


def theme_headline(table: pd.DataFrame, *, pair_unit: str = "episode", values=None) -> list[Headline]:
    """How many themes of factors recur together (:func:`stable_themes`), and the factors of the largest.

    A theme's size is the number of its rows: every member of a published theme is a row of the
    table, whereas ``theme_size`` may be suppressed in publication mode as a small count.
    """
    v = _numbers(table, values)
    members_of = stable_themes(table, values=v)
    if members_of.empty:
        return []
    theme = v.loc[members_of.index, "theme"]
    sizes = theme.groupby(theme, sort=True).size()
    largest = sizes.sort_values(ascending=False, kind="stable").index[0]
    members = members_of[theme == largest]
    shown = len(members) if len(members) <= MOST_NAMED + 1 else MOST_NAMED  # never "and 1 more"
    named = [lower_first(str(label)) for label in members["label"].head(shown)]
    rest = len(members) - len(named)
    listed = join_words([*named, f"{rest} more"] if rest > 0 else named)
    n = len(sizes)
    kind = "theme of factors recurs" if n == 1 else "themes of factors recur"
    text = (
        f"{number_word(n)} {kind} together in the same {unit_words(pair_unit)}; the largest joins "
        f"{count_text(sizes[largest])} factors: {listed}."
    )
    rows = tuple({"factor_code": code} for code in members["factor_code"])
    return [Headline(text, "themes", "themes", rows)]


def trend_headlines(table: pd.DataFrame, *, min_count: int, values=None) -> list[Headline]:
    """One sentence for the factors that rose, one for those that fell (when any did; :func:`clear_trends`)."""
    v = _numbers(table, values)
    clear = _by_q(clear_trends(table, min_count=min_count, values=v), v)
    out = []
    for direction, verb in (("rising", "rose"), ("falling", "fell")):
        rows = clear[clear["direction"] == direction]
        if rows.empty:
            continue
        shown = rows.head(MOST_NAMED)
        parts = [
            f"{lower_first(str(r['label']))} (odds ratio {statistic_text(r['odds_ratio_per_year'])} per year; "
            f"{_q_clause(r['q_value'])})"
            for r in shown.to_dict("records")
        ]
        n = len(rows)
        subject = "One factor" if n == 1 else f"{number_word(n)} factors"
        lead = f"{subject} {verb} over the period"
        text = f"{lead}: {join_words(parts)}." if n <= MOST_NAMED else f"{lead}; the clearest: {join_words(parts)}."
        keys = tuple({"factor_code": code} for code in shown["factor_code"])
        out.append(Headline(text, "trends", "factor_trends", keys))
    return out


def sequence_headline(
    table: pd.DataFrame, *, alpha: float, min_count: int, labels: dict, lag: int = 1, values=None
) -> list[Headline]:
    """The clearest sequence from one episode to the next (:func:`clear_sequences`: not a factor that
    persists)."""
    v = _numbers(table, values)
    clear = clear_sequences(table, alpha=alpha, min_count=min_count, values=v)
    if clear.empty:
        return []
    row = _by_q(clear, v).iloc[0]
    first, then = labels.get(row["factor_from"], row["factor_from"]), labels.get(row["factor_to"], row["factor_to"])
    text = (
        f"When {lower_first(str(first))} was coded in one key practice episode, {lower_first(str(then))} "
        f"followed in {lag_words({'lag': lag})} {count_text(row['n'])} times, {statistic_text(row['ratio'])} times as "
        f"often as chance would give ({_q_clause(row['q_value'])})."
    )
    key = {"factor_from": row["factor_from"], "factor_to": row["factor_to"]}
    return [Headline(text, "sequences", "factor_sequences", (key,))]


def category_headline(table: pd.DataFrame, *, values=None) -> list[Headline]:
    """The SCIE category in which most reviews made a finding (:func:`top_category`)."""
    row = top_category(table, values=values)
    if row is None:
        return []
    text = (
        f"Reviews most often made findings about {lower_first(str(row['label']))}: {count_text(row['n_reviews'])} "
        f"of {count_text(row['n_total'])} reviews ({percent_text(row['share'])}; 95% CI "
        f"{interval_text(row['ci_low'], row['ci_high'])})."
    )
    return [Headline(text, "findings", "finding_categories", ({"category": row["category"]},))]


def difference_headline(
    table: pd.DataFrame, *, min_count: int, by: str, unit: str = "review", values=None
) -> list[Headline]:
    """The clearest difference between one group and the rest (:func:`clear_differences`)."""
    v = _numbers(table, values)
    clear = clear_differences(table, min_count=min_count, values=v)
    if clear.empty:
        return []
    row = _by_q(clear, v).iloc[0]
    more = number(row["share_in"]) > number(row["share_out"])
    text = (
        f"{row['label']} was found {'more' if more else 'less'} often in {row['group']} than in other "
        f"{group_words(by)[1]}: in "
        f"{count_text(row['n_in'])} of its {count_text(row['n_group'])} {unit_words(unit)} "
        f"({percent_text(row['share_in'])}), "
        f"against {percent_text(row['share_out'])} elsewhere (odds ratio {statistic_text(row['odds_ratio'])}; "
        f"{_q_clause(row['q_value'])})."
    )
    key = {"factor_code": row["factor_code"], "group": row["group"]}
    return [Headline(text, "differences", "group_differences", (key,))]


def key_findings(tables, parameters: dict) -> list[Headline]:
    """The key findings of a report, in the order of the briefing's sections: at most two recurring
    factors, one theme, one sequence, one finding category, two trends and one difference.

    Parameters
    ----------
    tables : ReportTables
        The report's tables as read back from ``tables/<name>.csv`` (text cells, and their
        numbers; see :class:`~sce_analysis.reports.briefing.ReportTables`). Missing tables give
        no sentence.
    parameters : dict
        The report's parameters (its manifest's): ``unit``, ``alpha``, ``min_count``, ``by``,
        ``pair_unit``, ``lag``; :data:`REPORT_DEFAULTS` for any not given.
    """
    n_reviews = number(tables.counts.get("reviews"))
    if n_reviews is None or n_reviews < MIN_REVIEWS:
        return []
    p = with_defaults(parameters)
    alpha, min_count = float(p["alpha"]), int(p["min_count"])
    found: list[Headline] = []
    if (t := tables.get("recurring_factors")) is not None:
        v, areas = tables.numbers("recurring_factors"), tables.counts.get("areas")
        found += recurring_headlines(t, unit=p["unit"], n_areas_total=areas, values=v)
    if (t := tables.get("themes")) is not None:
        found += theme_headline(t, pair_unit=p["pair_unit"], values=tables.numbers("themes"))
    if (t := tables.get("factor_sequences")) is not None:
        v = tables.numbers("factor_sequences")
        found += sequence_headline(
            t, alpha=alpha, min_count=min_count, labels=tables.labels, lag=int(p["lag"]), values=v
        )
    if (t := tables.get("finding_categories")) is not None:
        found += category_headline(t, values=tables.numbers("finding_categories"))
    if (t := tables.get("factor_trends")) is not None:
        found += trend_headlines(t, min_count=min_count, values=tables.numbers("factor_trends"))
    if (t := tables.get("group_differences")) is not None:
        v = tables.numbers("group_differences")
        found += difference_headline(t, min_count=min_count, by=p["by"], unit=p["unit"], values=v)
    return found
