"""The written briefing of a report: ``briefing.html`` and ``briefing.docx``, for boards and panels.

A board does not read notebooks. It reads a short paper: what was looked at, the headline
sentences, then each pattern with its chart, a small table and how to read it, then what the data
cannot say, and the methods at the back. :func:`write_briefing` writes that paper into a finished
report folder, as an accessible web page (jinja2) and as a Word document (python-docx), both from
the same :class:`Briefing`.

One source of numbers: every number comes from the report's own ``tables/*.csv``, read back as
written (so in publication mode the suppressed cells are ``c`` here too), and every chart is the
report's own PNG. Nothing is recomputed. A section whose notebook did not run is left out, and the
briefing says so.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from pathlib import Path

import jinja2
import pandas as pd
from markupsafe import Markup

from ..errors import ParameterError
from ..spreadsheets import restore_formulas
from ..stats.selection import POOLED_ITEM, most_different_group
from .briefing_docx import write_docx
from .formatting import (
    TABLE_LAYOUTS,
    count_text,
    html_table,
    number,
    percent_text,
    readable,
    statistic_text,
    table_layout,
)
from .headlines import (
    FINDINGS_NOTE,
    MIN_THEME_STABILITY,
    NO_FINDINGS,
    Headline,
    clear_differences,
    clear_sequences,
    clear_trends,
    group_words,
    key_findings,
    lag_words,
    lower_first,
    missing_text,
    numbers,
    pair_words,
    stability_estimated,
    stable_themes,
    top_category,
    unit_words,
    with_defaults,
)
from .parameters import publication_policy
from .readings import reading_of_figure

__all__ = ["ReportTables", "Section", "Briefing", "SECTIONS", "build_briefing", "write_briefing", "briefing_html"]

#: Rows in a section's table: enough to read, few enough for a page.
TABLE_ROWS = 15


class ReportTables:
    """The tables of a report folder, read back as written: text cells, ``c`` where suppressed.

    ``tables["factor_trends"]`` or ``tables.get("factor_trends")`` reads ``tables/factor_trends.csv``
    once; ``get`` gives None for a table the report does not have. ``tables.numbers(name)`` is the
    same table with every cell as a float (NaN for ``c``, a blank or text), parsed once.
    """

    def __init__(self, folder):
        self.folder = Path(folder) / "tables"
        self._read: dict[str, pd.DataFrame | None] = {}
        self._numbers: dict[str, pd.DataFrame] = {}

    def get(self, name: str) -> pd.DataFrame | None:
        if name not in self._read:
            path = self.folder / f"{name}.csv"
            # As text: a number is quoted exactly as the CSV has it, and "c" stays "c". The quote
            # that protects formula-like text in a spreadsheet is taken off again, so the briefing
            # shows the text as written.
            self._read[name] = (
                restore_formulas(pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False))
                if path.is_file()
                else None
            )
        return self._read[name]

    def numbers(self, name: str) -> pd.DataFrame:
        """The table's cells as floats (:func:`~sce_analysis.reports.headlines.numbers`): NaN where the
        text is ``c``, blank or not a number; parsed on first use (some tables are only read as text)."""
        if name not in self._numbers:
            self._numbers[name] = numbers(self[name])
        return self._numbers[name]

    @cached_property
    def counts(self) -> dict[str, str]:
        """``data_summary``'s counts by measure (text as written; empty without the table)."""
        summary = self.get("data_summary")
        return {} if summary is None else dict(zip(summary["measure"], summary["count"], strict=True))

    @cached_property
    def labels(self) -> dict[str, str]:
        """Factor code -> label, from ``factor_prevalence`` (empty without the table)."""
        prevalence = self.get("factor_prevalence")
        return {} if prevalence is None else dict(zip(prevalence["factor_code"], prevalence["label"], strict=True))

    def __getitem__(self, name: str) -> pd.DataFrame:
        table = self.get(name)
        if table is None:
            raise KeyError(f"the report has no table {name!r} ({self.folder / (name + '.csv')} is missing)")
        return table


@dataclass(frozen=True)
class Section:
    """One question of the briefing: its table, its chart (``figures/<figure>.png``, read as
    :func:`~sce_analysis.reports.readings.reading_of_figure` says) and its headline."""

    key: str
    title: str
    table: str
    figure: str
    rows: Callable[[pd.DataFrame, pd.DataFrame, dict], pd.DataFrame]  # (table, its numbers, parameters)
    headline: Callable[[pd.DataFrame, pd.DataFrame, dict], str]

    @property
    def columns(self) -> tuple[str, ...]:
        """The columns its table shows (:data:`~sce_analysis.reports.formatting.TABLE_LAYOUTS`)."""
        return TABLE_LAYOUTS[self.table][0]

    @property
    def names(self) -> dict[str, str]:
        """Headers of its table that differ from the usual ones (``TABLE_LAYOUTS`` too)."""
        return TABLE_LAYOUTS[self.table][1]


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else plural or word + 's'}"


# Each section's rows, headline and key finding select with the same function of headlines.py.
# ``parameters`` here are the report's, with defaults (headlines.with_defaults).


def _recurring_headline(table, values, parameters):
    share = percent_text(parameters["min_share"])
    areas = percent_text(parameters["min_area_share"])
    units = unit_words(parameters["unit"])
    n = len(table)
    if n == 0:
        return f"No factor was found both in at least {share} of {units} and in at least {areas} of the areas."
    return (
        f"{_plural(n, 'factor was', 'factors were')} found in at least {share} of {units} and in at least {areas} "
        "of the areas: problems that recur across the system, not in one place."
    )


def _themes_headline(table, values, parameters):
    themes = values["theme"].dropna()
    if themes.empty:
        return "No group of factors recurs together more often than chance in these reviews."
    text = (
        f"The factors form {_plural(themes.nunique(), 'theme')}: groups coded together in the same "
        f"{pair_words(parameters)} more often than chance would give."
    )
    if stability_estimated(table, values=values):
        stable = values.loc[stable_themes(table, values=values).index, "theme"].nunique()
        text += (
            f" {stable} of them hold together when the reviews are resampled: their mean best Jaccard overlap "
            f"across the resamples is at least {MIN_THEME_STABILITY:g} (matched with the closest group of factors "
            "found in each resample, the factors in both make up on average at least half of the factors in either)."
        )
    return text


def _sequence_rows(table, values, parameters):
    return clear_sequences(table, alpha=parameters["alpha"], min_count=parameters["min_count"], values=values)


def _sequences_headline(table, values, parameters):
    n = len(_sequence_rows(table, values, parameters))
    step, least = lag_words(parameters), parameters["min_count"]
    if n == 0:
        return (
            f"No factor is followed by a different factor in {step} more often than chance (seen at least {least} "
            "times), after correcting for many tests."
        )
    sequences = _plural(n, "sequence of two different factors stands", "sequences of two different factors stand")
    return (
        f"{sequences} out, from one episode to {step}: seen at least {least} times and clear after correcting "
        "for many tests."
    )


def _findings_headline(table, values, parameters):
    top = top_category(table, values=values)
    if top is None:
        return "Findings by SCIE category: the counts are suppressed at this scope."
    return f"Reviews most often located their findings in {lower_first(str(top['label']))}."


def _trend_rows(table, values, parameters):
    return clear_trends(table, min_count=parameters["min_count"], values=values)


def _trends_headline(table, values, parameters):
    rows = _trend_rows(table, values, parameters)
    rising, falling = int((rows["direction"] == "rising").sum()), int((rows["direction"] == "falling").sum())
    if rising + falling == 0:
        return "No factor became clearly more or less common over the years, after correcting for many tests."
    return f"{_plural(rising, 'factor')} became more common and {falling} less common over the years."


def _difference_rows(table, values, parameters):
    return clear_differences(table, min_count=parameters["min_count"], values=values)


def _differences_headline(table, values, parameters):
    rows = _difference_rows(table, values, parameters)
    one, many = group_words(parameters["by"])
    if rows.empty:
        return f"No {one} differs clearly from the rest in any factor, after correcting for many tests."
    return (
        f"{_plural(len(rows), 'clear difference')} between one {one} and the rest, in "
        f"{_plural(rows['group'].nunique(), one, many)}. A difference describes the reviews, not its cause."
    )


def _all_rows(table, values, parameters):
    return table


#: The sections of the briefing, one per question, in reading order.
SECTIONS: tuple[Section, ...] = (
    Section(
        "recurring",
        "Factors that recur across reviews and areas",
        "recurring_factors",
        "prevalence",
        _all_rows,
        _recurring_headline,
    ),
    Section(
        "themes",
        "Themes: factors that go together",
        "themes",
        "factor_network",
        _all_rows,
        _themes_headline,
    ),
    Section(
        "sequences",
        "What follows what, from one episode to the next",
        "factor_sequences",
        "sequences",
        _sequence_rows,
        _sequences_headline,
    ),
    Section(
        "findings",
        "Findings by SCIE category",
        "finding_categories",
        "finding_categories",
        _all_rows,
        _findings_headline,
    ),
    Section(
        "trends",
        "Changes over the years",
        "factor_trends",
        "trends",
        _trend_rows,
        _trends_headline,
    ),
    Section(
        "differences",
        "Differences between groups",
        "group_differences",
        "group_differences",
        _difference_rows,
        _differences_headline,
    ),
)


@dataclass
class BriefingSection:
    """A section as written: headline, chart (path relative to the report, alt text), table."""

    key: str
    title: str
    headline: str
    how_to_read: str
    figure: str | None
    alt: str
    table: pd.DataFrame
    table_caption: str
    csv: str
    n_rows: int


@dataclass
class Briefing:
    """Everything the briefing says, before it is laid out as HTML or Word."""

    title: str
    mode: str
    publication: bool
    scope: list[tuple[str, str]]
    key_findings: list[Headline]
    sections: list[BriefingSection]
    missing: list[str]
    limits: list[str]
    methods: list[tuple[str, str]]
    parameters: list[tuple[str, str]]
    versions: list[tuple[str, str]]
    rules: str
    made: str
    made_at: datetime | None = None


def _scope(manifest: dict, parameters: dict, tables: ReportTables) -> list[tuple[str, str]]:
    counts = tables.counts

    def shown(measure):
        return count_text(counts[measure]) if measure in counts else ""

    rows = [
        ("Reviews", shown("reviews")),
        ("Areas", shown("areas")),
        ("Regions", shown("regions")),
        ("Key practice episodes", shown("episodes")),
        ("Years", f"{counts['first_year']}–{counts['last_year']}" if "first_year" in counts else ""),
    ]
    filters = [
        f"{name.replace('_', ' ')}: {', '.join(str(v) for v in parameters[name])}"
        for name in ("areas", "regions", "years", "review_types")
        if parameters.get(name)
    ]
    rows.append(("Filters", "; ".join(filters) if filters else "none: every review of the set"))
    rows.append(("Counted per", unit_words(parameters["unit"], plural=False)))
    rows.append(("Data fingerprint (SHA-256)", manifest["input"]["sha256"][:16]))
    return [(label, value) for label, value in rows if value != ""]


def _limits(tables: ReportTables, policy) -> list[str]:
    limits = [
        "Reviews are not a random sample of cases. A review is commissioned when a child died or was seriously "
        "harmed and abuse or neglect is suspected, so these reviews show what goes wrong in the cases that reach "
        "review, not how often it goes wrong in practice at large.",
        "Co-occurrence is not causation. Two factors found together, or one following another, may share a cause "
        "or reflect how reviews are written; a pattern is a question to ask of local practice, not an answer.",
    ]
    agreement = tables.get("coder_agreement")
    pooled = None
    if agreement is not None and not agreement.empty:
        pooled = agreement[(agreement["level"] == "code") & (agreement["item"] == POOLED_ITEM)]
    if pooled is not None and len(pooled) and number(pooled.iloc[0]["cohen_kappa"]) is not None:
        row = pooled.iloc[0]
        episodes = number(row["double_coded_episodes"])
        limits.append(
            "Coding depends on the coders. Where two coders coded the same episodes independently"
            + (f" ({episodes:,.0f} episodes)" if episodes is not None else "")
            + f", they agreed on {percent_text(row['percent_agreement'])} of judgements (Cohen's kappa "
            f"{statistic_text(row['cohen_kappa'])}; agreement beyond chance, where 1 is perfect)."
        )
    else:
        limits.append(
            "Coding depends on the coders. This set has no episodes coded twice, so how far two coders would agree "
            "is not known; read the patterns as one coding of the reviews."
        )
    if policy.publication:
        limits.append(f"Small numbers are suppressed. {policy.footer()}")
    else:
        limits.append(
            "This briefing is in full detail, with small counts shown: it is not for publication. Rerun the report "
            "with --publication before it leaves the team."
        )
    return limits


def _methods(parameters: dict, present: set[str]) -> list[tuple[str, str]]:
    """How each number was made, for the sections in ``present`` (their keys) and for every table."""
    alpha, least = parameters["alpha"], parameters["min_count"]
    by_section = {
        "recurring": (
            "Recurring factors",
            f"A factor recurs when it is found in at least {percent_text(parameters['min_share'])} of units "
            f"and in at least {percent_text(parameters['min_area_share'])} of the areas in scope.",
        ),
        "themes": (
            "Themes",
            f"Pairs of factors coded in the same {pair_words(parameters, plural=False)}, tested with a one-sided "
            f"Fisher exact test; the links significant at a false-discovery rate of {alpha} (and lift of at least "
            f"{parameters['min_lift']}) form a network whose Louvain communities are the themes. "
            + (
                f"Theme stability: over {parameters['resamples']} bootstrap resamples of reviews, the mean of the "
                "theme's best Jaccard overlap with a theme found in the resample (the factors in both over the "
                "factors in either; 1 when the theme is found again exactly). A theme is headlined when it is at "
                f"least {MIN_THEME_STABILITY:g}; below that a theme is commonly read as dissolved."
                if parameters["resamples"]
                else "Theme stability was not estimated (no bootstrap resamples were drawn)."
            ),
        ),
        "sequences": (
            "Sequences",
            f"Factor a on one key practice episode and factor b on {lag_words(parameters)} in the same review, "
            "against the count expected if each review's episodes were shuffled; "
            + (
                f"Monte Carlo p-value from {parameters['permutations']} permutations. "
                if parameters["permutations"]
                else "Poisson p-value around the exact expectation. "
            )
            + f"A sequence is called clear when a and b differ, q < {alpha} and it was seen at least {least} times.",
        ),
        "trends": (
            "Trends",
            "Per factor, a logistic regression of presence on the year the review was completed; the odds ratio per "
            "year with its 95% Wald interval.",
        ),
        "differences": (
            "Group differences",
            "Each group against the rest, per factor: Fisher exact test and odds ratio (Woolf); a difference is "
            f"headlined in a group of at least {least} units.",
        ),
    }
    return [
        ("Shares and their intervals", "Share of units with the factor, with a 95% Wilson score interval."),
        *(method for key, method in by_section.items() if key in present),
        (
            "Many tests",
            "Benjamini-Hochberg false-discovery rate (q) within each table; a result is called clear when "
            f"q < {alpha}. Factors in fewer than {least} units are not tested.",
        ),
        ("Seed", f"{parameters['seed']}: the same data and parameters give the same tables."),
    ]


def _group_drawn(tables: ReportTables, parameters: dict) -> str:
    """The group the report's group-differences chart draws, chosen as notebook 06 chooses it."""
    if parameters["group"]:
        return str(parameters["group"])
    table = tables.get("group_differences")
    if table is None or table.empty:
        return "the group"
    values = tables.numbers("group_differences")
    return str(most_different_group(table.assign(q_value=values["q_value"]), alpha=parameters["alpha"]))


def _section(section: Section, tables: ReportTables, out: Path, parameters: dict, words: dict) -> BriefingSection:
    table, values = tables[section.table], tables.numbers(section.table)
    rows = section.rows(table, values, parameters)
    columns, names = table_layout(section.table, unit=parameters["unit"])
    readable_rows = readable(rows, columns=columns, names=names, rows=TABLE_ROWS, labels=tables.labels)
    figure = f"figures/{section.figure}.png"
    title, how = reading_of_figure(section.figure, **words) or ("", "")
    more = f" (the first {TABLE_ROWS} of {len(rows)})" if len(rows) > TABLE_ROWS else ""
    return BriefingSection(
        key=section.key,
        title=section.title,
        headline=section.headline(table, values, parameters),
        how_to_read=how,
        figure=figure if (out / figure).is_file() else None,
        alt=f"{title}. {how}" if title else how,
        table=readable_rows,
        table_caption=f"{section.title}{more}. Full table: tables/{section.table}.csv",
        csv=f"tables/{section.table}.csv",
        n_rows=len(rows),
    )


def build_briefing(folder, manifest: dict | None = None) -> Briefing:
    """What the briefing of a finished report folder says (see :func:`write_briefing`)."""
    folder = Path(folder)
    if manifest is None:
        path = folder / "manifest.json"
        if not path.is_file():
            raise ParameterError(
                f"{folder} is not a report folder: it has no manifest.json. Fix: run `sce-analysis report` first."
            )
        manifest = json.loads(path.read_text(encoding="utf-8"))
    parameters = with_defaults(manifest["parameters"])
    tables = ReportTables(folder)
    policy = publication_policy(parameters)
    words = {"group": _group_drawn(tables, parameters)}
    sections, missing = [], []
    for section in SECTIONS:
        if tables.get(section.table) is None:
            missing.append(section.title)
        else:
            sections.append(_section(section, tables, folder, parameters, words))
    publication = policy.publication
    versions = manifest.get("versions", {})
    return Briefing(
        title=manifest.get("report") or "Cross-review analysis",
        mode="Publication mode: small numbers suppressed" if publication else "Full detail: not for publication",
        publication=publication,
        scope=_scope(manifest, parameters, tables),
        key_findings=key_findings(tables, parameters),
        sections=sections,
        missing=missing,
        limits=_limits(tables, policy),
        methods=_methods(parameters, {s.key for s in sections}),
        parameters=[
            (name, json.dumps(value))
            for name, value in manifest["parameters"].items()
            if name not in ("data_dir", "out_dir")
        ],
        versions=[(name, str(value)) for name, value in versions.items()],
        rules=policy.footer() or "",
        made=_made(manifest),
        made_at=_when(manifest),
    )


def _when(manifest: dict) -> datetime | None:
    try:
        return datetime.fromisoformat(manifest["ended"])
    except (KeyError, TypeError, ValueError):
        return None


def _made(manifest: dict) -> str:
    when = _when(manifest)
    version = manifest.get("versions", {}).get("sce_analysis", "")
    return f"Made by sce_analysis {version}" + (f" on {when.day} {when:%B %Y}" if when else "")


_TEMPLATES = jinja2.Environment(
    loader=jinja2.PackageLoader("sce_analysis.reports", "templates"),
    autoescape=True,  # every value is escaped; the tables arrive as HTML built by html_table
    trim_blocks=True,
    lstrip_blocks=True,
    undefined=jinja2.StrictUndefined,
)


def briefing_html(briefing: Briefing) -> str:
    """The briefing as one accessible, self-contained HTML page (figures linked relatively)."""
    tables = {s.key: Markup(html_table(s.table, caption=s.table_caption)) for s in briefing.sections}
    return _TEMPLATES.get_template("briefing.html.j2").render(
        b=briefing, tables=tables, findings_note=FINDINGS_NOTE, no_findings=NO_FINDINGS, missing_text=missing_text
    )


def write_briefing(folder, manifest: dict | None = None) -> tuple[Path, Path]:
    """Write ``briefing.html`` and ``briefing.docx`` into a finished report folder.

    Parameters
    ----------
    folder : str or path
        The report folder (with ``manifest.json``, ``tables/`` and ``figures/``).
    manifest : dict, optional
        The report's manifest, when it is not yet written to the folder.

    Returns
    -------
    (Path, Path)
        The HTML page and the Word document. Each is written to a temporary name and then
        renamed, so a failure leaves no half-written briefing.
    """
    folder = Path(folder)
    briefing = build_briefing(folder, manifest)
    page, document = folder / "briefing.html", folder / "briefing.docx"
    partial_page, partial_document = folder / ".briefing.html.partial", folder / ".briefing.docx.partial"
    try:
        partial_page.write_text(briefing_html(briefing), encoding="utf-8")
        write_docx(briefing, folder, partial_document)
        partial_page.replace(page)
        partial_document.replace(document)
    finally:
        partial_page.unlink(missing_ok=True)
        partial_document.unlink(missing_ok=True)
    return page, document
