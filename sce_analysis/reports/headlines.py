"""The key findings of a report, in plain English, written from the report's own tables.

Each sentence quotes cells of one table of the report folder, rounded for reading (see
:mod:`~sce_analysis.reports.formatting`); nothing is recomputed. A sentence is written only when
its statistic supports it:

- a recurring factor: the factor passed the report's recurrence rule (common *and* spread
  across areas), and its counts are published;
- a trend or a group difference: significant after the Benjamini-Hochberg correction
  (``q_value < alpha``), with at least ``min_count`` units behind it;
- a sequence: significant after correction, seen at least ``min_count`` times;
- themes: at least two factors per theme and, when the report estimated it, a theme stability
  of at least :data:`MIN_THEME_STABILITY`;
- a finding category: its counts are published.

In publication mode a cell shown as ``c`` stops every sentence that would quote it. The
sentences describe how often things were found together or apart; none claims a cause.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

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
    "below_alpha",
    "lower_first",
    "unit_words",
    "pair_words",
    "lag_words",
    "group_words",
]

#: Themes whose bootstrap stability is below this are not headlined (half the resamples or fewer
#: found them again).
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


def _published(row, columns) -> bool:
    """Every cell the sentence quotes is a number (not ``c``, not blank)."""
    return all(number(row[c]) is not None for c in columns)


def _q_clause(value) -> str:
    text = probability_text(value, inline=True)
    return f"q {text}" if text.startswith("<") else f"q = {text}"


def unit_words(unit: str, *, plural: bool = True) -> str:
    """``"reviews"`` or ``"key practice episodes"``, as the charts name the units."""
    return UNIT_NAMES[unit][1 if plural else 0]


def pair_words(parameters: dict, *, plural: bool = True) -> str:
    """Where two factors count as found together: the report's ``pair_unit``."""
    return unit_words(parameters.get("pair_unit", "episode"), plural=plural)


def lag_words(parameters: dict) -> str:
    """The episode a sequence leads to: ``"the next episode"``, or ``"the episode 2 later"``."""
    lag = int(parameters.get("lag", 1))
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


def below_alpha(table: pd.DataFrame, alpha: float) -> pd.Series:
    """Rows whose ``q_value`` is published and below ``alpha``."""
    q = table["q_value"].map(number)
    return q.notna() & (q < alpha)


def recurring_headlines(table: pd.DataFrame, *, unit: str, n_areas_total, most: int = 2) -> list[Headline]:
    """The most common factors that passed the recurrence rule: one sentence each."""
    out = []
    needed = ["n_units", "n_total", "share", "ci_low", "ci_high", "n_areas"]
    for row in table.to_dict("records"):
        if len(out) == most:
            break
        if not _published(row, needed):
            continue
        n_areas = number(row["n_areas"])
        total = number(n_areas_total)
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


def theme_headline(table: pd.DataFrame, *, pair_unit: str = "episode") -> list[Headline]:
    """How many themes of factors recur together, and the factors of the largest.

    A theme's size is the number of its rows: every member of a published theme is a row of the
    table, whereas ``theme_size`` may be suppressed in publication mode as a small count.
    """
    if table.empty:
        return []
    themes = table.assign(_theme=table["theme"].map(number))
    themes = themes[themes["_theme"].notna()]
    if "theme_stability" in themes.columns:
        stability = themes["theme_stability"].map(number)
        themes = themes[stability.notna() & (stability >= MIN_THEME_STABILITY)]
    if themes.empty:
        return []
    sizes = themes.groupby("_theme", sort=True).size()
    largest = sizes.sort_values(ascending=False, kind="stable").index[0]
    members = themes[themes["_theme"] == largest]
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


def _significant(table: pd.DataFrame, *, alpha: float, count_column: str, min_count: int) -> pd.DataFrame:
    counts = table[count_column].map(number)
    keep = below_alpha(table, alpha) & counts.notna() & (counts >= min_count)
    return table[keep].assign(_q=table.loc[keep, "q_value"].map(number)).sort_values("_q", kind="stable")


def trend_headlines(table: pd.DataFrame, *, alpha: float, min_count: int) -> list[Headline]:
    """One sentence for the factors that rose, one for those that fell (when any did)."""
    out = []
    needed = ["odds_ratio_per_year", "q_value", "n_units"]
    usable = table[[_published(row, needed) for row in table.to_dict("records")]]
    significant = _significant(usable, alpha=alpha, count_column="n_units", min_count=min_count)
    for direction, verb in (("rising", "rose"), ("falling", "fell")):
        rows = significant[significant["direction"] == direction]
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
    table: pd.DataFrame, *, alpha: float, min_count: int, labels: dict, lag: int = 1
) -> list[Headline]:
    """The clearest sequence from one episode to the next (excluding a factor that persists)."""
    needed = ["n", "ratio", "q_value"]
    usable = table[[_published(row, needed) for row in table.to_dict("records")]]
    usable = usable[usable["factor_from"] != usable["factor_to"]]
    significant = _significant(usable, alpha=alpha, count_column="n", min_count=min_count)
    if significant.empty:
        return []
    row = significant.iloc[0]
    first, then = labels.get(row["factor_from"], row["factor_from"]), labels.get(row["factor_to"], row["factor_to"])
    text = (
        f"When {lower_first(str(first))} was coded in one key practice episode, {lower_first(str(then))} "
        f"followed in {lag_words({'lag': lag})} {count_text(row['n'])} times, {statistic_text(row['ratio'])} times as "
        f"often as chance would give ({_q_clause(row['q_value'])})."
    )
    key = {"factor_from": row["factor_from"], "factor_to": row["factor_to"]}
    return [Headline(text, "sequences", "factor_sequences", (key,))]


def category_headline(table: pd.DataFrame) -> list[Headline]:
    """The SCIE category in which most reviews made a finding."""
    needed = ["n_reviews", "n_total", "share", "ci_low", "ci_high"]
    usable = [row for row in table.to_dict("records") if _published(row, needed)]
    if not usable:
        return []
    row = max(usable, key=lambda r: number(r["share"]))  # ties: the first in the typology's order
    text = (
        f"Reviews most often made findings about {lower_first(str(row['label']))}: {count_text(row['n_reviews'])} "
        f"of {count_text(row['n_total'])} reviews ({percent_text(row['share'])}; 95% CI "
        f"{interval_text(row['ci_low'], row['ci_high'])})."
    )
    return [Headline(text, "findings", "finding_categories", ({"category": row["category"]},))]


def difference_headline(
    table: pd.DataFrame, *, alpha: float, min_count: int, by: str, unit: str = "review"
) -> list[Headline]:
    """The clearest difference between one group and the rest."""
    needed = ["n_in", "n_group", "share_in", "share_out", "odds_ratio", "q_value"]
    usable = table[[_published(row, needed) for row in table.to_dict("records")]]
    significant = _significant(usable, alpha=alpha, count_column="n_group", min_count=min_count)
    if significant.empty:
        return []
    row = significant.iloc[0]
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
        The report's tables as read back from ``tables/<name>.csv`` (text cells; see
        :class:`~sce_analysis.reports.briefing.ReportTables`). Missing tables give no sentence.
    parameters : dict
        The report's parameters (its manifest's): ``unit``, ``alpha``, ``min_count``, ``by``,
        ``pair_unit``, ``lag``.
    """
    n_reviews = number(tables.counts.get("reviews"))
    if n_reviews is None or n_reviews < MIN_REVIEWS:
        return []
    alpha = float(parameters.get("alpha", 0.05))
    min_count = int(parameters.get("min_count", 5))
    found: list[Headline] = []
    if (t := tables.get("recurring_factors")) is not None:
        areas = tables.counts.get("areas")
        found += recurring_headlines(t, unit=parameters.get("unit", "review"), n_areas_total=areas)
    if (t := tables.get("themes")) is not None:
        found += theme_headline(t, pair_unit=parameters.get("pair_unit", "episode"))
    if (t := tables.get("factor_sequences")) is not None:
        lag = int(parameters.get("lag", 1))
        found += sequence_headline(t, alpha=alpha, min_count=min_count, labels=tables.labels, lag=lag)
    if (t := tables.get("finding_categories")) is not None:
        found += category_headline(t)
    if (t := tables.get("factor_trends")) is not None:
        found += trend_headlines(t, alpha=alpha, min_count=min_count)
    if (t := tables.get("group_differences")) is not None:
        by, unit = parameters.get("by", "region"), parameters.get("unit", "review")
        found += difference_headline(t, alpha=alpha, min_count=min_count, by=by, unit=unit)
    return found
