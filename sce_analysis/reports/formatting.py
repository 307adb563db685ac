"""Tables as people read them: human column names, percentages, intervals and rounded statistics.

The library's tables keep machine-readable columns (``n_units``, ``ci_low``, ``q_value``) and full
precision, which is right for a CSV and wrong for a board paper. This module turns a table into
text cells a reader can take in: "84%", "74–90%", "1,234", "q < 0.001". It never computes a new
number: each cell is the matching cell of the table, rounded for reading. Suppressed cells (``c``
in publication mode) and blanks pass through as they are.

:func:`readable` gives the text table (a DataFrame of strings, the briefing's tables and Word's),
:func:`html_table` writes it as accessible HTML, and :func:`styled` gives a pandas ``Styler`` for
notebooks, keeping the numbers underneath.
"""

from __future__ import annotations

import html
import math

import pandas as pd

from ..publish.disclosure import SUPPRESSED
from ..reviewsets.contract import LEVEL_NAMES, SCIE_CATEGORY_LABELS, SCIE_CATEGORY_SHORT_LABELS, UNIT_NAMES

__all__ = [
    "COLUMN_NAMES",
    "TABLE_LAYOUTS",
    "table_layout",
    "number",
    "count_text",
    "percent_text",
    "interval_text",
    "statistic_text",
    "probability_text",
    "readable",
    "html_table",
    "is_numeric_text",
    "numeric_columns",
    "styled",
]

#: The header a reader sees for each library column; a column not listed keeps its name, spaced.
COLUMN_NAMES: dict[str, str] = {
    "factor_code": "Code",
    "label": "Factor",
    "level": "Level",
    "scie_category": "SCIE category",
    "category": "SCIE category",
    "n_reviews": "Reviews with it",
    "n_units": "With it",
    "n_total": "In scope",
    "share": "Share",
    "ci": "95% interval",
    "n_episodes": "Episodes with it",
    "n_areas": "Areas",
    "n_regions": "Regions",
    "n_years": "Years",
    "area_share": "Share of areas",
    "n_contributing_areas": "Areas behind it",
    "n_findings": "Findings",
    "theme": "Theme",
    "theme_size": "Factors in theme",
    "stability": "Stability",
    "theme_stability": "Theme stability",
    "factor_from": "Earlier episode",
    "factor_to": "Next episode",
    "n": "Times",
    "expected": "Expected by chance",
    "ratio": "Times chance",
    "odds_ratio": "Odds ratio",
    "odds_ratio_per_year": "Odds ratio per year",
    "p_value": "p",
    "q_value": "q (false-discovery rate)",
    "direction": "Change",
    "difference": "Difference",
    "group": "Group",
    "n_group": "Reviews in group",
    "n_in": "In group with it",
    "share_in": "Share in group",
    "n_out": "Elsewhere with it",
    "share_out": "Share elsewhere",
    "lift": "Lift",
    "n_ab": "Together",
    "region": "Region",
    "area": "Area",
    "year": "Year",
    "measure": "Measure",
    "count": "Count",
}

_PREVALENCE_LAYOUT = (("label", "scie_category", "n_units", "n_total", "share", "ci", "n_areas"), {})
#: How a reader sees each library table, by the name of its report table: the columns shown, in order
#: (``"ci"`` is the interval as one column; a column the table lacks is skipped), and headers that differ
#: from :data:`COLUMN_NAMES`. The briefing and the explorer both lay their tables out from here; the
#: network's and the spread's are the explorer's only. The CSV of a table keeps every column.
TABLE_LAYOUTS: dict[str, tuple[tuple[str, ...], dict[str, str]]] = {
    "factor_prevalence": _PREVALENCE_LAYOUT,
    "recurring_factors": _PREVALENCE_LAYOUT,
    "themes": (("theme", "label", "level", "theme_stability"), {}),
    "factor_sequences": (("factor_from", "factor_to", "n", "expected", "ratio", "q_value"), {}),
    "finding_categories": (
        ("label", "n_findings", "n_reviews", "n_total", "share", "ci"),
        {"label": "SCIE category", "n_reviews": "Reviews with a finding", "n_total": "Reviews in scope"},
    ),
    "factor_trends": (("label", "direction", "n_units", "odds_ratio_per_year", "ci", "q_value"), {}),
    "group_differences": (
        ("group", "label", "n_in", "n_group", "share_in", "share_out", "odds_ratio", "q_value"),
        {"n_in": "With it", "n_group": "In group"},
    ),
    "node_metrics": (("label", "theme", "degree", "weighted_degree", "betweenness", "n_contributing_areas"), {}),
    "prevalence_by_region": (("region", "label", "n_units", "n_total", "share", "ci"), {}),
}

#: Columns shown as percentages; ``ci_low``/``ci_high`` beside ``share`` become one interval column.
#: ``theme_stability`` is not one: a mean Jaccard overlap, shown as a number so it is not read as a
#: share of resamples.
PERCENT_COLUMNS = frozenset({"share", "area_share", "share_in", "share_out", "stability"})
PROBABILITY_COLUMNS = frozenset({"p_value", "q_value"})
#: Text columns a reader sees with their words (codes of a vocabulary turned into labels).
DIRECTION_NAMES = {"rising": "Rising", "falling": "Falling", "higher": "Higher", "lower": "Lower"}
WORDED = {
    "scie_category": SCIE_CATEGORY_SHORT_LABELS,
    "category": SCIE_CATEGORY_LABELS,
    "level": LEVEL_NAMES,
    "direction": DIRECTION_NAMES,
    "difference": DIRECTION_NAMES,
}


def number(value) -> float | None:
    """A table cell as a float: None for a suppressed, blank or unreadable cell."""
    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip()
        if text in ("", SUPPRESSED):
            return None
        try:
            value = float(text)
        except ValueError:
            return None
    try:
        result = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(result) else result


def _passthrough(value) -> str | None:
    """The text of a cell that is not a number to format: ``c`` and blanks stay as they are."""
    if isinstance(value, str) and value.strip() == SUPPRESSED:
        return SUPPRESSED
    if number(value) is None:
        return "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)
    return None


def count_text(value) -> str:
    """A count with thousands separators: ``1,234``."""
    kept = _passthrough(value)
    return kept if kept is not None else f"{round(number(value)):,}"


def percent_text(value) -> str:
    """A share as a whole percent (one decimal below 1% and above 99%, so 0.4% is not shown as 0%)."""
    kept = _passthrough(value)
    if kept is not None:
        return kept
    share = number(value) * 100
    if share != 0 and (abs(share) < 1 or 99 < abs(share) < 100):
        return f"{share:.1f}%"
    return f"{share:.0f}%"


def interval_text(low, high, *, percent: bool = True) -> str:
    """An interval as ``74–90%`` (or ``1.2–3.4`` for ratios); ``c`` when either end is suppressed."""
    if SUPPRESSED in (_passthrough(low), _passthrough(high)):
        return SUPPRESSED
    if number(low) is None or number(high) is None:
        return ""
    if percent:
        return f"{percent_text(low).rstrip('%')}–{percent_text(high)}"
    return f"{statistic_text(low)}–{statistic_text(high)}"


def statistic_text(value) -> str:
    """A ratio or other statistic to three significant figures (``1.46``, ``39.3``, ``0.0313``)."""
    kept = _passthrough(value)
    if kept is not None:
        return kept
    x = number(value)
    if x == 0 or math.isinf(x):
        return "0" if x == 0 else ("∞" if x > 0 else "−∞")
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    digits = max(0, 2 - math.floor(math.log10(abs(x))))
    return f"{x:.{digits}f}"


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def probability_text(value, *, inline: bool = False) -> str:
    """A p- or q-value: three decimals, or scientific notation below 0.001 (``4.7 × 10⁻⁴``).

    ``inline=True`` gives the form for a sentence: ``q = 0.003`` style digits, or ``< 0.001``.
    """
    kept = _passthrough(value)
    if kept is not None:
        return kept
    p = number(value)
    if p >= 0.001:
        return f"{p:.3f}"
    if inline:
        return "< 0.001"
    if p == 0:
        return "0"
    mantissa, exponent = f"{p:.1e}".split("e")
    return f"{mantissa} × 10{str(int(exponent)).translate(_SUPERSCRIPT)}"


def _format_column(name: str, values: pd.Series) -> pd.Series:
    if name in PERCENT_COLUMNS:
        return values.map(percent_text)
    if name in PROBABILITY_COLUMNS:
        return values.map(probability_text)
    if name in WORDED:
        words = WORDED[name]
        return values.map(lambda v: words.get(v, v) if isinstance(v, str) else _passthrough(v) or count_text(v))
    if name in ("year", "first_year", "last_year"):
        return values.map(lambda v: _passthrough(v) if _passthrough(v) is not None else f"{number(v):.0f}")
    numeric = values.map(number)
    textual = values.map(lambda v: isinstance(v, str) and v.strip() != SUPPRESSED and number(v) is None)
    if textual.any() or numeric.isna().all():
        return values.map(lambda v: "" if _passthrough(v) == "" else str(v))
    whole = numeric.dropna().map(float.is_integer).all()
    return values.map(count_text if whole else statistic_text)


def table_layout(name: str, *, unit: str | None = None) -> tuple[tuple[str, ...], dict[str, str]]:
    """The columns and headers of a table as :data:`TABLE_LAYOUTS` lays it out, with ``n_units`` and
    ``n_total`` headed by the words of ``unit`` when it is given (a layout's own headers come first).

    >>> table_layout("factor_prevalence", unit="episode")[1]["n_units"]
    'Key practice episodes with it'
    >>> table_layout("finding_categories", unit="episode")[1]["n_total"]
    'Reviews in scope'
    """
    columns, names = TABLE_LAYOUTS[name]
    if unit is not None:
        units = UNIT_NAMES[unit][1].capitalize()
        names = {"n_units": f"{units} with it", "n_total": f"{units} in scope", **names}
    return columns, names


def readable(
    frame: pd.DataFrame,
    *,
    columns=None,
    names: dict | None = None,
    rows: int | None = None,
    labels: dict | None = None,
) -> pd.DataFrame:
    """The table as text for reading: chosen columns, human headers, every cell formatted.

    Parameters
    ----------
    frame : DataFrame
        A library table, as computed or as read back from its CSV (cells may be text, and ``c``
        where publication mode suppressed them).
    columns : list of str, optional
        The columns to show, in order; by default all. ``"ci"`` stands for ``ci_low`` and
        ``ci_high`` together, written as one interval (a percentage when the table has ``share``).
        A column the table does not have is skipped (``"ci"`` when it has no ``ci_low``).
    names : dict, optional
        Headers for some columns, overriding :data:`COLUMN_NAMES`.
    rows : int, optional
        Keep only the first rows.
    labels : dict, optional
        Factor code to label: the factor codes in ``factor_from`` and ``factor_to`` (a sequence
        table) are shown by their labels; a code without one stays a code.

    Returns
    -------
    DataFrame
        Text cells, one column per chosen column, headed by its human name, with a fresh
        ``RangeIndex`` (which :func:`html_table` does not show).

    A layout names columns a table may lack (here ``q_value`` and the interval); factors show by label:

    >>> sequences = pd.DataFrame({"factor_from": ["F01", "F02"], "factor_to": ["F09", "F01"], "n": [3, 12]})
    >>> readable(sequences, columns=["factor_from", "factor_to", "n", "q_value", "ci"], labels={"F01": "Drift"})
      Earlier episode Next episode Times
    0           Drift          F09     3
    1             F02        Drift    12
    """
    names = {**COLUMN_NAMES, **(names or {})}
    columns = list(frame.columns) if columns is None else list(columns)
    if columns == list(frame.columns) and {"ci_low", "ci_high"} <= set(columns):
        columns = [c for c in columns if c != "ci_high"]
        columns[columns.index("ci_low")] = "ci"
    columns = [c for c in columns if c in frame.columns or c == "ci" and "ci_low" in frame.columns]
    frame = frame.head(rows) if rows is not None else frame
    if labels:
        named = [c for c in ("factor_from", "factor_to") if c in frame.columns and c in columns]
        frame = frame.assign(**{c: frame[c].map(lambda v: labels.get(v, v)) for c in named})
    out = {}
    for column in columns:
        if column == "ci":
            percent = "share" in frame.columns
            out[names["ci"]] = [
                interval_text(low, high, percent=percent)
                for low, high in zip(frame["ci_low"], frame["ci_high"], strict=True)
            ]
        else:
            out[names.get(column, column.replace("_", " ").capitalize())] = _format_column(column, frame[column])
    return pd.DataFrame({key: list(values) for key, values in out.items()}, index=pd.RangeIndex(len(frame)))


def is_numeric_text(text: str) -> bool:
    """Whether a formatted cell is a number (``1,234``, ``84%``, ``74–90%``, ``4.7 × 10⁻⁴``, ``c``): such
    columns are right-aligned."""
    cleaned = text.replace(",", "").replace("%", "").replace("–", "").replace("× 10", "").strip()
    cleaned = cleaned.translate(str.maketrans("", "", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹<. −∞"))
    return text != "" and (cleaned == "" or cleaned.isdigit()) or text == SUPPRESSED


def numeric_columns(table: pd.DataFrame) -> list[bool]:
    """For each column of a readable table, whether every cell is a number (or blank): such columns
    are right-aligned, in HTML and in Word alike."""
    return [
        bool(len(table)) and all(is_numeric_text(str(v)) or str(v) == "" for v in table[column])
        for column in table.columns
    ]


def html_table(table: pd.DataFrame, *, caption: str = "") -> str:
    """A readable table as accessible HTML: a caption, column headers with ``scope``, no index,
    numeric columns right-aligned (class ``num``), every cell escaped."""
    numeric = numeric_columns(table)
    head = "".join(
        f'<th scope="col"{" class=num" if is_num else ""}>{html.escape(str(column))}</th>'
        for column, is_num in zip(table.columns, numeric, strict=True)
    )
    body = "".join(
        "<tr>"
        + "".join(
            f"<td{' class=num' if is_num else ''}>{html.escape(str(value))}</td>"
            for value, is_num in zip(row, numeric, strict=True)
        )
        + "</tr>"
        for row in table.itertuples(index=False)
    )
    caption_html = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return f'<table class="data">{caption_html}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def styled(frame: pd.DataFrame, *, rows: int | None = None, suppressed: pd.DataFrame | None = None):
    """A pandas ``Styler`` for showing a table in a notebook: no index, human headers, percentages,
    intervals and rounded statistics, wide tables scrolling in their box. The numbers underneath
    are the table's own (``styled(t).data`` is ``t``).

    ``suppressed`` is the mask of cells publication mode suppressed (True there; a
    :class:`~sce_analysis.publish.disclosure.Published` ``mask``): they show ``c``, as in the CSV,
    while a value that is simply missing stays blank.
    """
    shown = frame.head(rows) if rows is not None else frame
    formatters = {}
    for column in shown.columns:
        if column in PERCENT_COLUMNS or column in ("ci_low", "ci_high") and "share" in shown.columns:
            formatters[column] = percent_text
        elif column in PROBABILITY_COLUMNS:
            formatters[column] = probability_text
        elif column in WORDED:
            formatters[column] = lambda v, words=WORDED[column]: words.get(v, v) if isinstance(v, str) else v
        elif pd.api.types.is_integer_dtype(shown[column]):
            formatters[column] = count_text
        elif pd.api.types.is_float_dtype(shown[column]):
            formatters[column] = statistic_text
    headers = [COLUMN_NAMES.get(c, str(c).replace("_", " ").capitalize()) for c in shown.columns]
    if "ci_low" in shown.columns:
        headers = [
            "95% interval, low" if c == "ci_low" else "95% interval, high" if c == "ci_high" else h
            for c, h in zip(shown.columns, headers, strict=True)
        ]
    numeric = [c for c in shown.columns if pd.api.types.is_numeric_dtype(shown[c])]
    styler = shown.style.format(formatters, na_rep="")
    if suppressed is not None:
        mask = suppressed.reindex(index=shown.index, columns=shown.columns, fill_value=False).astype(bool)
        for position, column in enumerate(shown.columns):
            rows_suppressed = mask.iloc[:, position]
            if rows_suppressed.any():
                where = (rows_suppressed[rows_suppressed].index, [column])
                styler = styler.format(lambda _: SUPPRESSED, subset=where, na_rep=SUPPRESSED)
    styler = styler.hide(axis="index").relabel_index(headers, axis="columns")
    text = [c for c in shown.columns if c not in numeric]
    styler = styler.set_properties(subset=numeric, **{"text-align": "right"})
    styler = styler.set_properties(subset=text, **{"text-align": "left"})
    # A table that scrolls sideways must be reachable by keyboard (WCAG 2.1.1; axe: scrollable-region-focusable).
    styler = styler.set_table_attributes('tabindex="0"')
    return styler.set_table_styles(
        [
            {"selector": "", "props": "display: block; max-width: 100%; overflow-x: auto;"},
            {"selector": "th", "props": "text-align: left; vertical-align: bottom;"},
            {"selector": "td", "props": "padding: 0.15rem 0.6rem;"},
        ]
    )
