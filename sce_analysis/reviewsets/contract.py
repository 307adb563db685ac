"""The review-set contract, declared once.

A review set is a folder of UTF-8 CSV files (see ``shared/data-contract.md`` and the README).
This module states what each file holds: its columns, which are required, what kind of value
each takes, and each file's key. :mod:`~sce_analysis.reviewsets.rules` checks files against these
declarations, :mod:`~sce_analysis.reviewsets.read` reads them, and :meth:`sce_analysis.ReviewSet.save`
writes them back in the same shape.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "APPRAISALS",
    "LEVELS",
    "LEVEL_NAMES",
    "UNIT_NAMES",
    "POLARITIES",
    "SCIE_CATEGORIES",
    "SCIE_CATEGORY_LABELS",
    "SCIE_CATEGORY_SHORT_LABELS",
    "FILES",
    "FIRST_YEAR",
    "LAST_YEAR",
    "Column",
    "FileSpec",
    "fold_name",
    "normalise_category",
]

#: The six SCIE finding categories: key -> label of Guide 24 (2008).
SCIE_CATEGORY_LABELS: dict[str, str] = {
    "multi_agency_incidents": "Multi-agency working in response to incidents and crises",
    "multi_agency_longer_term": "Multi-agency working in assessment and longer-term work",
    "human_tool": "Human-tool operation",
    "human_management": "Human-management system operation",
    "family_professional": "Family-professional interaction",
    "human_reasoning": "Human reasoning: cognitive and emotional biases",
}
#: The later short labels, also accepted on input.
SCIE_CATEGORY_SHORT_LABELS: dict[str, str] = {
    "multi_agency_incidents": "Responses to incidents",
    "multi_agency_longer_term": "Longer-term work",
    "human_tool": "Tools",
    "human_management": "Management systems",
    "family_professional": "Family-professional interaction",
    "human_reasoning": "Innate human biases",
}
#: The category keys, in the order of the contract's table.
SCIE_CATEGORIES: tuple[str, ...] = tuple(SCIE_CATEGORY_LABELS)
#: How a KPE's practice was appraised. The model is appreciative as well as critical.
APPRAISALS: tuple[str, ...] = ("good", "problematic", "mixed", "neutral")
#: Whether a contributory factor made poor practice more likely or supported good practice.
POLARITIES: tuple[str, ...] = ("problematic", "good")
#: Where a contributory factor originates (SCIE Guide 24, Appendix 5), from the front line outward.
LEVELS: tuple[str, ...] = ("frontline", "local_strategic", "national")
#: The levels as charts, tables and sentences name them.
LEVEL_NAMES: dict[str, str] = {"frontline": "Frontline", "local_strategic": "Local strategic", "national": "National"}
#: The units the statistics count, named in the singular and the plural.
UNIT_NAMES: dict[str, tuple[str, str]] = {
    "review": ("review", "reviews"),
    "episode": ("key practice episode", "key practice episodes"),
    "coding": ("coded factor", "coded factors"),
}
#: The years a ``year`` column accepts, both included.
FIRST_YEAR, LAST_YEAR = 1900, 2100


def fold_name(text: str) -> str:
    """Lower case, with punctuation and spacing removed: how category and column names are compared.

    >>> fold_name("Human-tool operation")
    'humantooloperation'
    """
    return re.sub(r"[\W_]+", "", text.lower())


_CATEGORY_LOOKUP: dict[str, str] = {}
for _key in SCIE_CATEGORIES:
    for _name in (_key, SCIE_CATEGORY_LABELS[_key], SCIE_CATEGORY_SHORT_LABELS[_key]):
        _CATEGORY_LOOKUP[fold_name(_name)] = _key


def normalise_category(value: str) -> str | None:
    """Return the SCIE category key that ``value`` names, or None when it names none.

    A key or any label is accepted, ignoring case, punctuation and spacing.

    Examples
    --------
    >>> normalise_category("Management systems")
    'human_management'
    >>> normalise_category("HUMAN-TOOL operation")
    'human_tool'
    >>> normalise_category("Supervision") is None
    True
    """
    return _CATEGORY_LOOKUP.get(fold_name(value))


@dataclass(frozen=True)
class Column:
    """One column of a review-set file.

    ``kind`` says how its text is read:

    - ``id``: an identifier; it may not contain ``;``, which separates lists;
    - ``text``: free text, kept as written;
    - ``year``: a four-digit whole year from :data:`FIRST_YEAR` to :data:`LAST_YEAR`;
    - ``int``: a whole number;
    - ``date``: an ISO ``YYYY-MM-DD`` date;
    - ``vocab``: one word of ``vocabulary``, exactly;
    - ``category``: a SCIE finding category, by key or label (see :func:`normalise_category`);
    - ``list``: a ``;``-separated list of identifiers.
    """

    name: str
    kind: str = "text"
    required: bool = False
    vocabulary: tuple[str, ...] = ()
    default: str | None = None
    description: str = ""


@dataclass(frozen=True)
class FileSpec:
    """One file of a review set: its columns and the columns that make its key."""

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    optional: bool = False
    #: The file's name when it is not ``<name>.csv``: a Parquet file, a taxonomy or crosswalk map
    #: given by its path. Problems name the file by it.
    file: str | None = None

    @property
    def filename(self) -> str:
        return self.file or f"{self.name}.csv"

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns if column.required)

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(name)


REVIEWS = FileSpec(
    "reviews",
    (
        Column("review_id", "id", True, description="Identifier of the case review."),
        Column("area", "text", True, description="Local area (safeguarding partnership) that commissioned it."),
        Column("year", "year", True, description="Year the review was completed."),
        Column("region", "text", description="Region of the area."),
        Column("review_type", "text", description="Kind of review, such as a serious case review."),
        Column("method", "text", description="Review method, such as SCIE Learning Together."),
        Column("title", "text", description="Published title of the review (free text)."),
    ),
    key=("review_id",),
)
EPISODES = FileSpec(
    "episodes",
    (
        Column("review_id", "id", True, description="The review the episode belongs to."),
        Column("episode_id", "id", True, description="Identifier of the KPE, unique within its review."),
        Column("sequence", "int", description="Order of the KPE in the review's chronology."),
        Column("start_date", "date", description="When the episode started."),
        Column("end_date", "date", description="When it ended; a KPE can extend over time."),
        Column("appraisal", "vocab", vocabulary=APPRAISALS, description="How practice was appraised."),
        Column("agencies", "list", description="Agencies involved, separated by ';'."),
        Column("title", "text", description="Short description of the episode (free text)."),
        Column("summary", "text", description="Longer description (free text)."),
    ),
    key=("review_id", "episode_id"),
)
FACTORS = FileSpec(
    "factors",
    (
        Column("review_id", "id", True, description="The review."),
        Column("episode_id", "id", True, description="The KPE the factor was coded on."),
        Column("factor_code", "id", True, description="Code of the contributory factor in the coding frame."),
        Column(
            "polarity",
            "vocab",
            vocabulary=POLARITIES,
            default="problematic",
            description="problematic (the default) or good.",
        ),
        Column("agency", "text", description="Agency the factor concerns."),
        Column("coder", "text", description="Who coded the row."),
        Column("note", "text", description="Coder's note (free text)."),
    ),
    key=("review_id", "episode_id", "factor_code", "coder"),
)
FINDINGS = FileSpec(
    "findings",
    (
        Column("review_id", "id", True, description="The review that drew the finding."),
        Column("finding_id", "id", True, description="Identifier of the finding, unique within its review."),
        Column("category", "category", True, description="SCIE finding category."),
        Column("title", "text", description="The finding's statement (free text)."),
        Column("summary", "text", description="Its explanation (free text)."),
        Column("episode_ids", "list", description="KPEs that support it, separated by ';'."),
        Column("factor_codes", "list", description="Contributory factors behind it, separated by ';'."),
        Column("issues_for_board", "text", description="Questions posed to the board (free text)."),
    ),
    key=("review_id", "finding_id"),
    optional=True,
)
TAXONOMY = FileSpec(
    "taxonomy",
    (
        Column("factor_code", "id", True, description="The code."),
        Column("label", "text", True, description="Plain-language name of the factor."),
        Column("level", "vocab", vocabulary=LEVELS, description="Where the factor originates."),
        Column("factor_type", "text", description="Group of factors, such as 'Aspects of the family'."),
        Column("scie_category", "category", description="SCIE category the factor mostly feeds."),
        Column("parent_code", "id", description="A broader code of the same frame."),
        Column("description", "text", description="What the code covers (free text)."),
    ),
    key=("factor_code",),
    optional=True,
)

#: The files of a review set, in the order they are read, checked and reported.
FILES: dict[str, FileSpec] = {spec.name: spec for spec in (REVIEWS, EPISODES, FACTORS, FINDINGS, TAXONOMY)}
