"""What each chart of a report is and how to read it: the words the gallery, the deck, the report's
notebook pages and the briefing all show (as titles, speaker notes, captions and alt text).

Text only, so a module that needs the words does not load the charts. ``{group}`` in a text is the
group a group-differences chart draws.
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["Reading", "READINGS", "FIGURE_CHARTS", "reading_of_figure"]


class Reading(NamedTuple):
    """A chart's title and two sentences on how to read it."""

    title: str
    how_to_read: str


#: Chart name (as in the gallery) -> its reading.
READINGS: dict[str, Reading] = {
    "prevalence": Reading(
        "The contributory factors found in the most reviews",
        "Each bar is the share of reviews in which the factor was coded at least once, and its "
        "whisker is the 95% interval, so two bars whose whiskers overlap may not really differ. "
        "The colour is the SCIE category the factor mostly feeds, the same colour for that "
        "category in every chart.",
    ),
    "spread": Reading(
        "Found everywhere or only in some places? Factors by region",
        "Each cell is the percent of a region's reviews with the factor, and the first column is "
        "the percent across all reviews. A row that is dark in every region is a national "
        "pattern; a row dark in one region only is a local one.",
    ),
    "level_profile": Reading(
        "Where the factors originate: front line, local strategy or national",
        "Each bar is the share of all coded factors that originate at that level of the system, "
        "with its 95% interval and the number of codings beside it. Causes often sit above the "
        "sharp end: a short national or local-strategic bar may mean the reviews looked mostly at"
        " the front line.",
    ),
    "cooccurrence": Reading(
        "Which factors go together in the same key practice episode",
        "Each cell counts the episodes in which both factors were coded, and its colour says how "
        "much more (red) or less (blue) often they occur together than chance would give. Factors"
        " are grouped by theme, each theme outlined in its colour, and bold numbers are pairs "
        "that stand out after correcting for many comparisons.",
    ),
    "network": Reading(
        "Factors that go together: the themes",
        "Each circle is a factor, sized by how often it was coded, and a line joins two factors "
        "found together in the same episode more often than chance; thicker lines are stronger "
        "links. Factors of one colour form a theme: influences that tend to arrive together, so "
        "one can prompt a question about the others.",
    ),
    "level_map": Reading(
        "The system, not the individual: how linked factors sit across levels",
        "Factors sit in bands by where they originate: national at the top, local strategic in "
        "the middle and frontline at the bottom. An arrow joins a higher-level factor to a "
        "lower-level one that travels with it, showing how conditions set away from the front "
        "line shape what practitioners do.",
    ),
    "sequences": Reading(
        "What tends to follow what, from one episode to the next",
        "Each row reads: when the left factor was coded in one key practice episode, the right "
        "factor was coded in the next episode of the same review this many times more often than "
        "chance. Only sequences that stand out after correcting for many comparisons are shown, "
        "strongest first.",
    ),
    "trends": Reading(
        "Factors that became more or less common over the years",
        "Each panel follows one factor across the years: the line is the share of that year's "
        "reviews with the factor and the band is its 95% interval. Only factors with a clear rise"
        " or fall are shown, and each panel's title gives how the odds changed per year.",
    ),
    "group_differences": Reading(
        "What is different in {group}?",
        "Each dot compares how common a factor is in {group}'s reviews with all other reviews: "
        "right of the dashed line means more common there, left means less, and the line is the "
        "95% interval. Filled dots are clear differences after correcting for many comparisons; "
        "hollow dots could be chance.",
    ),
    "finding_categories": Reading(
        "Findings by SCIE category: where reviews locate the problems",
        "Each bar is the share of reviews that made at least one finding in the SCIE category, "
        "with its 95% interval and the number of findings beside it. Categories keep the order of"
        " the SCIE typology and the colour each has in every chart.",
    ),
}

#: A report's figure name (``figures/<name>.png``) -> the chart it draws, where the names differ.
FIGURE_CHARTS = {"factor_network": "network", "spread_by_region": "spread"}


def reading_of_figure(figure: str, **words) -> Reading | None:
    """The reading of a report figure, with ``{group}`` and other words filled in; None for a figure no
    gallery chart draws, or when a word it names is not given."""
    reading = READINGS.get(FIGURE_CHARTS.get(figure, figure))
    if reading is None:
        return None
    try:
        return Reading(reading.title.format(**words), reading.how_to_read.format(**words))
    except KeyError:
        return None
