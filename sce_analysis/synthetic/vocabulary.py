"""The data of the synthetic generator: its coding frame, names, episode text and plants.

The generator's words and numbers live in plain files beside it, in ``sce_analysis/synthetic/data/``,
read once through :mod:`importlib.resources` (so they are found in a wheel or a zip too) and checked,
so that a broken file fails with an error that names it:

- the coding frame is the package's own (:func:`sce_analysis.reviewsets.frames.default_coding_frame`);
  ``factor_parameters.csv`` adds, per ``factor_code``, what only the generator needs: ``base_rate``
  (the probability that the factor is coded on an episode before any plant), ``polarity``
  (``good`` for a factor that supported good practice) and, for problematic factors, the
  ``finding`` it drives and the ``issue_for_board`` that goes with it;
- ``plants.json``: which codes carry which plant (recurring, clusters with their themes, regional,
  rising, falling, sequences ``[a, b]``), the log-odds ``strengths`` at ``effect=1``, the
  ``cluster_rate`` and the ``good_practice_multiplier`` of supportive factors;
- ``vocabulary.json``: invented area, region and agency names, the child letters, the notes of
  coded factors, the endings of episode summaries by appraisal, and the outcome of a neutral episode;
- ``episode_types.json``: the kinds of key practice episode, each with its lead and other agencies,
  its text, and the factor codes that make it more likely to be the episode described;
- ``categories.csv``: per SCIE category, the summary of its findings and the finding and issue for
  the board used when a finding has no factor of its category;
- ``readme.md`` and ``readme_double_coding.md``: the templates (:class:`string.Template`) of the
  README that :mod:`sce_analysis.synthetic.readme` fills.

Examples
--------
>>> vocabulary = load_vocabulary()
>>> vocabulary.area_names[:3]
('Kelmscote', 'Brackenfield', 'Harrowmere')
>>> len(vocabulary.factors), vocabulary.factors[0].code, vocabulary.factors[0].base_rate
(56, 'fam_hostile', 0.05)
"""

from __future__ import annotations

import csv
import importlib.resources
import io
import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from string import Template
from typing import NoReturn

import pandas as pd

from ..errors import SceAnalysisError
from ..reviewsets.contract import APPRAISALS, POLARITIES, SCIE_CATEGORIES
from ..reviewsets.frames import default_coding_frame

__all__ = ["DATA_FOLDER", "EpisodeType", "Factor", "PlantDesign", "Vocabulary", "load_vocabulary", "read_template"]

#: The folder of the data files (a :class:`importlib.resources.abc.Traversable`).
DATA_FOLDER = importlib.resources.files(__package__) / "data"

#: The strengths that ``plants.json`` must give, by plant.
STRENGTHS: tuple[str, ...] = ("recurring", "cluster", "regional", "trend", "sequence")
# What the names of other files refer to, in error messages.
_CODES = "the factor codes of the coding frame (sce_analysis/reviewsets/data/coding_frame.csv)"
_AGENCIES = "the agencies of vocabulary.json"
#: At most this many regional plants: a set may have as few as 2 regions, and each plant has its own.
MOST_REGIONAL = 2


@dataclass(frozen=True)
class Factor:
    """One code of the coding frame, with what the generator needs to use it."""

    code: str
    label: str
    level: str
    factor_type: str
    category: str
    parent: str  # "" when the code has no parent
    description: str
    base_rate: float  # probability that the factor is coded on an episode, before any plant
    good: bool  # a factor that supported good practice (coded with polarity "good")
    finding: str  # title of a finding that this factor drives ("" for good factors)
    issue_for_board: str  # the question to the board that goes with that finding


@dataclass(frozen=True)
class EpisodeType:
    """One kind of key practice episode and its text."""

    stem: str
    primary_agency: str
    other_agencies: tuple[str, ...]
    event: str
    problematic_outcome: str
    good_outcome: str
    factor_codes: tuple[str, ...]  # factors that make this kind of episode more likely to be the one described


@dataclass(frozen=True)
class PlantDesign:
    """Which codes carry which plant, and how strongly (``plants.json``)."""

    recurring: tuple[str, ...]
    clusters: tuple[tuple[str, ...], ...]
    cluster_themes: tuple[str, ...]
    regional: tuple[str, ...]
    rising: tuple[str, ...]
    falling: tuple[str, ...]
    sequences: tuple[tuple[str, str], ...]
    strengths: dict[str, float]  # log-odds shifts at effect=1
    cluster_rate: float  # probability that a cluster's theme is switched on for an episode
    good_when_clean: float  # a supportive factor's base rate is multiplied by this on a KPE with no problem
    good_when_not: float  # ... and by this on the other KPEs


@dataclass(frozen=True)
class Vocabulary:
    """Everything the generator reads from its data files, checked."""

    factors: tuple[Factor, ...]  # in the order of the coding frame
    plants: PlantDesign
    area_names: tuple[str, ...]
    region_names: tuple[str, ...]
    child_letters: tuple[str, ...]
    agencies: tuple[str, ...]
    factor_notes: tuple[str, ...]
    episode_endings: dict[str, tuple[str, ...]]  # appraisal -> endings of an episode's summary
    neutral_episode_outcome: str
    episode_types: tuple[EpisodeType, ...]
    category_summaries: dict[str, str]  # SCIE category -> summary of its findings
    category_fallbacks: dict[str, tuple[str, str]]  # SCIE category -> (finding, issue for the board)

    @property
    def codes(self) -> tuple[str, ...]:
        """The factor codes, in the order of the coding frame."""
        return tuple(f.code for f in self.factors)

    def factor(self, code: str) -> Factor:
        """The factor with this code."""
        return next(f for f in self.factors if f.code == code)

    def taxonomy_frame(self) -> pd.DataFrame:
        """The coding frame as a plain ``taxonomy.csv`` frame (strings, ``""`` for no parent)."""
        return pd.DataFrame(
            {
                "factor_code": [f.code for f in self.factors],
                "label": [f.label for f in self.factors],
                "level": [f.level for f in self.factors],
                "factor_type": [f.factor_type for f in self.factors],
                "scie_category": [f.category for f in self.factors],
                "parent_code": [f.parent for f in self.factors],
                "description": [f.description for f in self.factors],
            }
        )


@cache
def load_vocabulary() -> Vocabulary:
    """Read and check the generator's data files, once.

    Returns
    -------
    Vocabulary

    Raises
    ------
    SceAnalysisError
        When a data file is missing or broken; the message names the file and what is wrong.
    """
    factors = _factors()
    codes = tuple(f.code for f in factors)
    names = _DataFile("vocabulary.json")
    vocabulary = names.object(
        names.json(),
        "the file",
        ("areas", "regions", "child_letters", "agencies", "factor_notes", "episode_endings", "neutral_episode_outcome"),
    )
    agencies = names.strings(vocabulary["agencies"], "agencies", unique=True)
    endings = names.object(vocabulary["episode_endings"], "episode_endings", APPRAISALS)
    letters = names.text(vocabulary["child_letters"], "child_letters")
    if len(letters) < 2:
        names.fail("child_letters must hold at least two letters (a pair of children takes two)")
    categories = _categories()
    return Vocabulary(
        factors=factors,
        plants=_plants(factors),
        area_names=names.strings(vocabulary["areas"], "areas", unique=True),
        region_names=names.strings(vocabulary["regions"], "regions", unique=True),
        child_letters=tuple(letters),
        agencies=agencies,
        factor_notes=names.strings(vocabulary["factor_notes"], "factor_notes"),
        episode_endings={a: names.strings(endings[a], f"episode_endings.{a}") for a in APPRAISALS},
        neutral_episode_outcome=names.text(vocabulary["neutral_episode_outcome"], "neutral_episode_outcome"),
        episode_types=_episode_types(codes, agencies),
        category_summaries={c: row["summary"] for c, row in categories.items()},
        category_fallbacks={
            c: (row["fallback_finding"], row["fallback_issue_for_board"]) for c, row in categories.items()
        },
    )


def read_template(name: str, fields: Iterable[str]) -> Template:
    """The :class:`string.Template` in the data file ``name``, with exactly the placeholders ``fields``.

    Raises
    ------
    SceAnalysisError
        When the file is missing, is not a valid template, or its placeholders are not ``fields``;
        the message names the file.
    """
    file = _DataFile(name)
    template = Template(file.read())
    if not template.is_valid():
        file.fail("it is not a valid string.Template: write a literal $ as $$")
    found, wanted = set(template.get_identifiers()), set(fields)
    if found != wanted:
        missing = sorted(f"${name}" for name in wanted - found)
        extra = sorted(f"${name}" for name in found - wanted)
        file.fail("its placeholders are not the ones the generator fills: " + _differences(missing, extra))
    return template


# ======================================================================================
# Reading and checking one file
# ======================================================================================


class _DataFile:
    """One data file: reads it and raises errors that name it."""

    def __init__(self, name: str):
        self.resource = DATA_FOLDER / name

    def fail(self, what: str) -> NoReturn:
        raise SceAnalysisError(
            f"The synthetic generator's data file {self.resource} is broken: {what}. "
            "Fix: correct the file, or restore it from the sce_analysis source."
        )

    def read(self) -> str:
        try:
            return self.resource.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            self.fail(f"it cannot be read ({type(error).__name__}: {error})")

    def json(self):
        try:
            return json.loads(self.read())
        except json.JSONDecodeError as error:
            self.fail(f"it is not valid JSON ({error})")

    def rows(self, columns: tuple[str, ...], *, key: str, keys: tuple[str, ...], of: str) -> dict[str, dict[str, str]]:
        """A CSV table with exactly ``columns``, one row per value of ``keys`` (``of`` names them) in ``key``."""
        reader = csv.DictReader(io.StringIO(self.read(), newline=""))
        if tuple(reader.fieldnames or ()) != columns:
            self.fail(f"its header must be {','.join(columns)}; got {','.join(reader.fieldnames or ())}")
        table = {}
        for line, row in enumerate(reader, start=2):
            if None in row or None in row.values():
                self.fail(f"line {line} has {len(columns)} fields in the header but not in the row")
            if row[key] not in keys:
                self.fail(f"line {line}: {key} {row[key]!r} is not one of {of}")
            if row[key] in table:
                self.fail(f"line {line}: {key} {row[key]!r} is given twice")
            table[row[key]] = row
        missing = [k for k in keys if k not in table]
        if missing:
            self.fail(f"it has no row for {key} {', '.join(missing)}")
        return table

    def object(self, value, where: str, keys: tuple[str, ...]) -> dict:
        if not isinstance(value, dict):
            self.fail(f"{where} must be an object with the keys {', '.join(keys)}; got {type(value).__name__}")
        missing = [k for k in keys if k not in value]
        extra = [k for k in value if k not in keys]
        if missing or extra:
            self.fail(f"{where} must have the keys {', '.join(keys)}; " + _differences(missing, extra))
        return value

    def text(self, value, where: str) -> str:
        if not isinstance(value, str) or not value.strip():
            self.fail(f"{where} must be a non-empty string; got {value!r}")
        return value

    def array(self, value, where: str, *, empty: bool = False) -> list:
        if not isinstance(value, list) or not (value or empty):
            self.fail(f"{where} must be a {'' if empty else 'non-empty '}list; got {value!r}")
        return value

    def strings(
        self, value, where: str, *, unique: bool = False, known: tuple[str, ...] = (), of: str = "", empty: bool = False
    ) -> tuple[str, ...]:
        """A list of non-empty strings (non-empty unless ``empty``), all in ``known`` (``of`` names them) if given."""
        items = tuple(self.text(item, f"an item of {where}") for item in self.array(value, where, empty=empty))
        if unique and len(set(items)) < len(items):
            self.fail(f"{where} repeats an item")
        unknown = [item for item in items if known and item not in known]
        if unknown:
            self.fail(f"{where} names {', '.join(map(repr, unknown))}, not one of {of}")
        return items

    def number(self, value, where: str, low: float, high: float) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
            self.fail(f"{where} must be a number from {low} to {high}; got {value!r}")
        return float(value)


def _differences(missing: list[str], extra: list[str]) -> str:
    parts = [f"missing {', '.join(missing)}"] if missing else []
    return "; ".join(parts + ([f"unexpected {', '.join(extra)}"] if extra else []))


# ======================================================================================
# The files
# ======================================================================================


def _factors() -> tuple[Factor, ...]:
    frame = default_coding_frame()
    file = _DataFile("factor_parameters.csv")
    columns = ("factor_code", "base_rate", "polarity", "finding", "issue_for_board")
    rows = file.rows(columns, key="factor_code", keys=tuple(frame["factor_code"]), of=_CODES)
    factors = []
    for record in frame.astype(object).where(frame.notna(), "").to_dict("records"):
        row = rows[record["factor_code"]]
        where = f"the row of {record['factor_code']}"
        try:
            base_rate = float(row["base_rate"])
        except ValueError:
            file.fail(f"{where}: base_rate {row['base_rate']!r} is not a number")
        if not (math.isfinite(base_rate) and 0 < base_rate < 1):
            file.fail(f"{where}: base_rate must be a probability between 0 and 1; got {row['base_rate']}")
        if row["polarity"] not in POLARITIES:
            file.fail(f"{where}: polarity must be one of {', '.join(POLARITIES)}; got {row['polarity']!r}")
        good = row["polarity"] == "good"
        if not good and not (row["finding"].strip() and row["issue_for_board"].strip()):
            file.fail(f"{where}: a problematic factor needs a finding and an issue_for_board")
        factors.append(
            Factor(
                code=record["factor_code"],
                label=record["label"],
                level=str(record["level"]),
                factor_type=record["factor_type"],
                category=str(record["scie_category"]),
                parent=record["parent_code"],
                description=record["description"],
                base_rate=base_rate,
                good=good,
                finding=row["finding"],
                issue_for_board=row["issue_for_board"],
            )
        )
    return tuple(factors)


def _plants(factors: tuple[Factor, ...]) -> PlantDesign:
    file = _DataFile("plants.json")
    keys = ("recurring", "clusters", "regional", "rising", "falling", "sequences", "strengths", "cluster_rate",
            "good_practice_multiplier")  # fmt: skip
    plants = file.object(file.json(), "the file", keys)
    codes = tuple(f.code for f in factors)
    clusters = [
        file.object(c, "a cluster", ("theme", "factor_codes")) for c in file.array(plants["clusters"], "clusters")
    ]
    sequences = tuple(
        file.strings(pair, "a sequence", known=codes, of=_CODES)
        for pair in file.array(plants["sequences"], "sequences")
    )
    if any(len(pair) != 2 for pair in sequences):
        file.fail("each of sequences must be a pair [a, b] of factor codes")
    strengths = file.object(plants["strengths"], "strengths", STRENGTHS)
    multiplier = file.object(
        plants["good_practice_multiplier"], "good_practice_multiplier",
        ("without_problematic_factor", "with_problematic_factor"),
    )  # fmt: skip
    design = PlantDesign(
        recurring=file.strings(plants["recurring"], "recurring", known=codes, of=_CODES),
        clusters=tuple(
            file.strings(c["factor_codes"], "a cluster's factor_codes", known=codes, of=_CODES) for c in clusters
        ),
        cluster_themes=tuple(file.text(c["theme"], "a cluster's theme") for c in clusters),
        regional=file.strings(plants["regional"], "regional", known=codes, of=_CODES),
        rising=file.strings(plants["rising"], "rising", known=codes, of=_CODES),
        falling=file.strings(plants["falling"], "falling", known=codes, of=_CODES),
        sequences=sequences,
        strengths={name: file.number(strengths[name], f"strengths.{name}", -20.0, 20.0) for name in STRENGTHS},
        cluster_rate=file.number(plants["cluster_rate"], "cluster_rate", 0.0, 1.0),
        good_when_clean=file.number(
            multiplier["without_problematic_factor"], "good_practice_multiplier.without_problematic_factor", 0, 1e3
        ),
        good_when_not=file.number(
            multiplier["with_problematic_factor"], "good_practice_multiplier.with_problematic_factor", 0, 1e3
        ),
    )
    if len(design.regional) > MOST_REGIONAL:
        file.fail(f"regional may name at most {MOST_REGIONAL} codes, as a set may have only {MOST_REGIONAL} regions")
    planted = [*design.recurring, *(c for g in design.clusters for c in g), *design.regional, *design.rising,
               *design.falling, *(c for p in design.sequences for c in p)]  # fmt: skip
    twice = sorted({c for c in planted if planted.count(c) > 1})
    if twice:
        file.fail(f"every code has at most one plant, but {', '.join(twice)} has more")
    good = [f.code for f in factors if f.good and f.code in planted]
    if good:
        file.fail(f"only problematic factors carry plants, but {', '.join(good)} has polarity good")
    return design


def _episode_types(codes: tuple[str, ...], agencies: tuple[str, ...]) -> tuple[EpisodeType, ...]:
    file = _DataFile("episode_types.json")
    keys = ("stem", "primary_agency", "other_agencies", "event", "problematic_outcome", "good_outcome", "factor_codes")
    types = []
    for i, item in enumerate(file.array(file.json(), "the file"), start=1):
        kind = file.object(item, f"episode type {i}", keys)
        primary = file.text(kind["primary_agency"], f"episode type {i}: primary_agency")
        if primary not in agencies:
            file.fail(f"episode type {i}: primary_agency {primary!r} is not one of the agencies of vocabulary.json")
        # An episode may involve no agency but its lead, so other_agencies may be empty.
        others = file.strings(
            kind["other_agencies"], f"episode type {i}: other_agencies", known=agencies, of=_AGENCIES, empty=True
        )
        types.append(
            EpisodeType(
                stem=file.text(kind["stem"], f"episode type {i}: stem"),
                primary_agency=primary,
                other_agencies=others,
                event=file.text(kind["event"], f"episode type {i}: event"),
                problematic_outcome=file.text(kind["problematic_outcome"], f"episode type {i}: problematic_outcome"),
                good_outcome=file.text(kind["good_outcome"], f"episode type {i}: good_outcome"),
                factor_codes=file.strings(
                    kind["factor_codes"], f"episode type {i}: factor_codes", known=codes, of=_CODES
                ),
            )
        )
    return tuple(types)


def _categories() -> dict[str, dict[str, str]]:
    file = _DataFile("categories.csv")
    columns = ("scie_category", "summary", "fallback_finding", "fallback_issue_for_board")
    rows = file.rows(columns, key="scie_category", keys=SCIE_CATEGORIES, of="the SCIE categories")
    for category, row in rows.items():
        for column in columns[1:]:
            file.text(row[column], f"the row of {category}: {column}")
    return {c: rows[c] for c in SCIE_CATEGORIES}
