"""Reading a REFI-QDA project (``.qdpx``) from NVivo, ATLAS.ti, MAXQDA or QualCoder as a review set.

:func:`read_qdpx` maps the project onto the review-set contract through a
:class:`~sce_analysis.exchange.qdpx_map.QdpxMap` (by default, the obvious names) and checks it:
every problem of the whole project is collected in one pass and named by source, characters and
code, such as ``Kelmscote-2019 › characters 1,204–1,377 › factor 'High caseloads': coded outside
any key practice episode``. :func:`import_qdpx` writes the set as a review-set folder, and only
when the whole project is clean.

The default mapping
-------------------
- **Reviews:** each text source (or PDF with a text representation) is one review; its
  ``review_id`` is the source's name without a document extension. Review columns come from
  variables on the source or on a case that refers to it, matched to the contract's columns
  ignoring case, spaces and punctuation; other variables become extra columns.
- **KPEs:** each selection coded with a code named "Key practice episode" or "KPE", or with a
  child of the top-level code "Key practice episodes". Episodes are numbered in text order
  (``sequence`` 1..n); ``episode_id`` is the selection's name, else ``E1``, ``E2`` ...;
  ``summary`` is the selected text. Agency codes on the selection are its ``agencies``.
- **Factors:** the codes under the top-level code "Contributory factors". A factor coded on a
  selection that overlaps a KPE's selection is a coding of that KPE (of each KPE it overlaps);
  its ``coder`` is the coding's user. A child code "good" or "problematic" of a factor sets the
  polarity; an agency code on the factor's selection sets its ``agency``, a note on the coding
  its ``note``.
- **Findings:** selections coded with one of the six SCIE categories under the top-level code
  "Findings"; ``summary`` is the selected text, ``finding_id`` is ``F1``, ``F2`` ... in text order
  (a QDA program's names for selections are often their first words, not IDs).
- A selection's description, when every line reads ``column: value`` for columns of its file
  (``title``, ``start_date``, ``appraisal``, ``episode_ids`` ...), fills those columns (a line
  that starts with two spaces continues the value above); any other description is its title.
  :func:`~sce_analysis.exchange.qdpx_export.write_qdpx` writes this form.

The coding frame is the codebook under "Contributory factors": ``factor_code`` is a slug of the
code's name, ``label`` its name, ``description`` its description, and ``level``,
``scie_category`` and ``factor_type`` come from the group codes above it (named after a level, a
SCIE category, or anything else). Given a taxonomy, code names are matched to its
``factor_code``, then to its ``label``, ignoring case.
"""

from __future__ import annotations

import bisect
import operator
import os
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import pandas as pd

from ..errors import DataValidationError, ParameterError
from ..reviewsets.contract import FILES, LEVEL_NAMES, LEVELS, fold_name, normalise_category
from ..reviewsets.folders import check_new_folder, save_new_folder
from ..reviewsets.read import Problem, from_frames, read_taxonomy
from ..reviewsets.reviewset import ReviewSet
from .qdpx_map import QdpxMap, default_map, read_map
from .qdpx_project import DOCUMENT_EXTENSIONS, Coding, Project, Selection, Source, read_project
from .safe_xml import UntrustedFileError

__all__ = ["read_qdpx", "import_qdpx", "factor_slug", "description_fields"]

_LEVEL_LOOKUP = {fold_name(name): key for key in LEVELS for name in (key, LEVEL_NAMES[key])}
_FIELD_LINE = re.compile(r"^([a-z_]+):(?: (.*))?$")
_EPISODE_FIELDS = frozenset(FILES["episodes"].column_names) - {"review_id", "episode_id", "sequence", "agencies"}
_FINDING_FIELDS = frozenset(FILES["findings"].column_names) - {"review_id", "finding_id", "category"}


def factor_slug(name: str) -> str:
    """The ``factor_code`` a code's name gives when no taxonomy is given: stable, lower case, ``_``-joined.

    >>> factor_slug("High caseloads / staff turnover")
    'high_caseloads_staff_turnover'
    """
    return re.sub(r"[\W_]+", "_", name.lower()).strip("_")


def description_fields(text: str, columns) -> dict[str, str] | None:
    """The ``column: value`` lines of a selection's description, or None when it is not in that form.

    A line that starts with two spaces continues the value above it on a new line.

    >>> description_fields("title: Strategy meeting\\nstart_date: 2019-03-04", {"title", "start_date"})
    {'title': 'Strategy meeting', 'start_date': '2019-03-04'}
    >>> description_fields("Held late, by phone", {"title"}) is None
    True
    """
    fields: dict[str, str] = {}
    last = None
    for line in text.split("\n"):
        if line.startswith("  ") and last is not None:
            fields[last] += "\n" + line[2:]
            continue
        if not line.strip():
            continue
        match = _FIELD_LINE.match(line.rstrip("\r"))
        if match is None or match.group(1) not in columns:
            return None
        last = match.group(1)
        fields[last] = match.group(2) or ""
    return fields or None


# ----------------------------------------------------------------------------------- problems


@dataclass
class _Found:
    """Problems in reading order, each named by source (or the codebook) and place."""

    problems: list[Problem] = field(default_factory=list)

    def add(self, where: str, message: str, *, place: str | None = None, column: str | None = None, value="") -> None:
        self.problems.append(Problem(where, None, column, str(value), message, cell=place))


def _characters(selection: Selection) -> str:
    return f"characters {selection.start:,}–{selection.end:,}"


# ----------------------------------------------------------------------------------- the codebook


@dataclass
class _Frame:
    """The codebook read through a map: which code GUID means what."""

    episode_codes: set[str] = field(default_factory=set)
    factors: dict[str, str] = field(default_factory=dict)  # code GUID -> factor_code
    polarity: dict[str, tuple[str, str]] = field(default_factory=dict)  # child GUID -> (factor GUID, polarity)
    groups: set[str] = field(default_factory=set)  # group codes under the factors root
    categories: dict[str, str] = field(default_factory=dict)  # code GUID -> SCIE category key
    agencies: dict[str, str] = field(default_factory=dict)  # code GUID -> agency
    taxonomy: pd.DataFrame | None = None
    names: dict[str, str] = field(default_factory=dict)  # folded code name or label -> factor_code

    def factor_of(self, coding: Coding) -> tuple[str, str] | None:
        """(factor_code, polarity or "") for a factor coding, else None."""
        if coding.code in self.factors:
            return self.factors[coding.code], ""
        if coding.code in self.polarity:
            parent, polarity = self.polarity[coding.code]
            return (self.factors[parent], polarity) if parent in self.factors else None
        return None


def _roots(project: Project, name: str, found: _Found, label: str, *, required: bool, fix: str) -> str | None:
    matches = [guid for guid in project.roots if fold_name(project.codes[guid].name) == fold_name(name)]
    if len(matches) > 1:
        found.add(label, f"the codebook has {len(matches)} top-level codes named '{name}'. Fix: merge them into one.")
    elif not matches and required:
        found.add(label, f"the codebook has no top-level code named '{name}'. {fix}")
    return matches[0] if matches else None


def _descendants(project: Project, guid: str):
    for child in project.codes[guid].children:
        yield child
        yield from _descendants(project, child)


def _read_codebook(project: Project, mapping: QdpxMap, given, applied: set[str], found: _Found, label: str) -> _Frame:
    frame = _Frame()
    fix_map = "Fix: name it so in the project, or give the name your project uses with --map (see --print-map)."
    episodes_root = _roots(project, mapping.episodes_root, found, label, required=False, fix=fix_map)
    factors_root = _roots(project, mapping.factors_root, found, label, required=True, fix=fix_map)
    findings_root = _roots(project, mapping.findings_root, found, label, required=False, fix=fix_map)
    agencies_root = _roots(project, mapping.agencies_root, found, label, required=False, fix=fix_map)
    episode_names = {fold_name(n) for n in mapping.episode_codes}
    frame.episode_codes = {g for g, code in project.codes.items() if fold_name(code.name) in episode_names}
    if episodes_root is not None:
        frame.episode_codes |= set(project.codes[episodes_root].children)
    if not frame.episode_codes:
        found.add(
            label,
            f"the codebook has no code that marks key practice episodes (a top-level '{mapping.episodes_root}', or a "
            f"code named {' or '.join(repr(n) for n in mapping.episode_codes)}). {fix_map}",
        )
    if agencies_root is not None:
        frame.agencies = {g: project.codes[g].name for g in _descendants(project, agencies_root)}
    if findings_root is not None:
        for guid in project.codes[findings_root].children:
            category = normalise_category(project.codes[guid].name)
            if category is None:
                found.add(
                    "codebook",
                    f"is under '{mapping.findings_root}' but is not one of the six SCIE categories. Fix: rename it "
                    "to a category (such as 'Human-tool operation' or 'Tools'), or move it out of "
                    f"'{mapping.findings_root}'.",
                    place=f"code '{project.codes[guid].name}'",
                )
            else:
                frame.categories[guid] = category
    if factors_root is not None:
        _read_factors(project, mapping, factors_root, given, applied, frame, found)
    return frame


def _read_factors(project, mapping, root: str, given, applied: set[str], frame: _Frame, found: _Found) -> None:
    polarity_names = {
        **{fold_name(n): "good" for n in mapping.good},
        **{fold_name(n): "problematic" for n in mapping.problematic},
    }
    taxonomy_names: dict[str, str] = {}
    if given is not None:
        # A label first, then a code, so that a code wins where a label and a code read the same.
        for code, label in zip(given["factor_code"], given["label"], strict=True):
            taxonomy_names[str(label).lower()] = code
        for code in given["factor_code"]:
            taxonomy_names[str(code).lower()] = code
    rows = []
    slugs: dict[str, str] = {}

    def visit(guid: str, level, category, factor_type, parent_factor) -> None:
        code = project.codes[guid]
        folded = fold_name(code.name)
        if folded in polarity_names and not code.children:
            # The polarity of the factor above; under a code that is no factor, it is reported with that code.
            if code.parent in frame.factors:
                frame.polarity[guid] = (code.parent, polarity_names[folded])
            return
        if folded in _LEVEL_LOOKUP:
            frame.groups.add(guid)
            level = _LEVEL_LOOKUP[folded]
        elif normalise_category(code.name) is not None:
            frame.groups.add(guid)
            category = normalise_category(code.name)
        else:
            polar = [c for c in code.children if fold_name(project.codes[c].name) in polarity_names]
            others = len(code.children) > len(polar)
            in_taxonomy = given is not None and code.name.lower() in taxonomy_names
            used = guid in applied or any(c in applied for c in polar)
            # A code with factors under it is a group (a factor type), unless it is itself a factor: coded,
            # in the taxonomy, or with polarity children. A code that cannot be coded is always a group.
            if not code.codable or (others and not used and not in_taxonomy and not polar):
                frame.groups.add(guid)
                factor_type = code.name
            else:
                factor_code = taxonomy_names.get(code.name.lower()) if given is not None else factor_slug(code.name)
                if given is None and (not factor_code or factor_code in slugs):
                    why = (
                        "has no letter or digit"
                        if not factor_code
                        else f"gives the same code as '{slugs[factor_code]}'"
                    )
                    found.add(
                        "codebook",
                        f"its name {why} ({factor_code!r}): each factor needs a name of its own. Fix: rename it.",
                        place=f"code '{code.name}'",
                    )
                    factor_code = None
                if factor_code:
                    slugs.setdefault(factor_code, code.name)
                    frame.factors[guid] = factor_code
                    frame.names[fold_name(code.name)] = factor_code
                    frame.names[fold_name(factor_code)] = factor_code
                    parent_code = frame.factors.get(parent_factor) if parent_factor else None
                    rows.append((factor_code, code.name, level, factor_type, category, parent_code, code.description))
                    parent_factor = guid
                elif given is not None and used:
                    found.add(
                        "codebook",
                        "matches no factor_code or label of the taxonomy given. Fix: rename the code to one of the "
                        "taxonomy's labels, or add it to the taxonomy.",
                        place=f"code '{code.name}'",
                    )
        for child in code.children:
            visit(child, level, category, factor_type, parent_factor)

    for child in project.codes[root].children:
        visit(child, None, None, None, None)
    if given is not None:
        frame.taxonomy = given
        for code, label in zip(given["factor_code"], given["label"], strict=True):
            frame.names.setdefault(fold_name(str(label)), code)
            frame.names.setdefault(fold_name(str(code)), code)
    else:
        columns = ["factor_code", "label", "level", "factor_type", "scie_category", "parent_code", "description"]
        frame.taxonomy = pd.DataFrame(rows, columns=columns, dtype=object)


# ----------------------------------------------------------------------------------- the sources


@dataclass
class _Rows:
    """The frames' rows, each with where it came from (for problems that from_frames finds)."""

    reviews: list[dict] = field(default_factory=list)
    review_places: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    episodes: list[dict] = field(default_factory=list)
    episode_places: list[tuple[str, str]] = field(default_factory=list)
    factors: list[dict] = field(default_factory=list)
    factor_places: list[tuple[str, str]] = field(default_factory=list)
    findings: list[dict] = field(default_factory=list)
    finding_places: list[tuple[str, str]] = field(default_factory=list)


def _review_id(source: Source) -> str:
    suffix = PurePosixPath(source.name).suffix
    return source.name[: -len(suffix)] if suffix.lower() in DOCUMENT_EXTENSIONS else source.name


def _review_values(project: Project, source: Source, cases_of: dict, mapping: QdpxMap, found: _Found, where: str):
    """The review's columns from its variables, and the variable each came from."""
    values: dict[str, str] = {}
    origins: dict[str, str] = {}
    given = [source.values] + [case.values for case in cases_of.get(source.guid, [])]
    for value_set in given:
        for guid, value in value_set.items():
            variable = project.variables.get(guid)
            if variable is None:
                found.add(where, "has a value of a variable the project does not declare. " + _FIX_PROJECT, value=value)
                continue
            column = mapping.column_of(variable.name) or factor_slug(variable.name)
            if column in values and values[column] != value:
                found.add(
                    where,
                    f"has two values for {column}: '{values[column]}' (variable '{origins[column]}') and '{value}'. "
                    "Fix: keep one, on the source or on its case.",
                    place=f"variable '{variable.name}' = '{value}'",
                    column=column,
                    value=value,
                )
                continue
            values[column] = value
            origins[column] = variable.name
    year = values.get("year")
    if year is not None and not re.fullmatch(r"\d{4}", year.strip()):
        found.add(
            where,
            "not a year. Fix: give the year the review was completed, such as 2019.",
            place=f"variable '{origins['year']}' = '{year}'",
            column="year",
            value=year,
        )
    return values, origins


_FIX_PROJECT = "Fix: export the project again from the QDA program."


def _check_selection(selection: Selection, source: Source, found: _Found, where: str) -> bool:
    if selection.problem:
        found.add(where, f"a selection {selection.problem}. {_FIX_PROJECT}")
        return False
    if selection.start < 0 or selection.end < selection.start:
        found.add(where, f"the selection is empty or reversed. {_FIX_PROJECT}", place=_characters(selection))
        return False
    if selection.end > len(source.text):
        found.add(
            where,
            f"the selection ends past the end of its text ({len(source.text):,} characters). Fix: export the project "
            "again, with the source's text as it was coded.",
            place=_characters(selection),
        )
        return False
    return True


@dataclass
class _Reading:
    """What reading one source needs: the project, its codebook read through the map, and where to put things."""

    project: Project
    frame: _Frame
    rows: _Rows
    found: _Found
    source: Source
    where: str  # the review ID, which names its problems

    def text(self, selection: Selection) -> str:
        return self.source.text[selection.start : selection.end]


def _read_source(project, source: Source, frame: _Frame, mapping, cases_of, rows: _Rows, found: _Found) -> None:
    where = _review_id(source) or source.name
    if not where:
        found.add("project", f"a source has no name. Fix: name it after its review. {_FIX_PROJECT}")
        return
    if source.text is None:
        found.add(where, f"the source {source.text_problem}")
        return
    values, origins = _review_values(project, source, cases_of, mapping, found, where)
    rows.reviews.append({"review_id": where, **values})
    rows.review_places.append((where, origins))
    reading = _Reading(project, frame, rows, found, source, where)
    episodes, factors, findings = _sorted_selections(reading)
    episode_ids = _episode_rows(reading, episodes)
    _factor_rows(reading, factors, episodes, episode_ids)
    _finding_rows(reading, findings)


def _sorted_selections(reading: _Reading) -> tuple[list[Selection], list[Selection], list[Selection]]:
    """The source's selections that mark episodes, factors and findings, each in text order."""
    project, frame, found, where = reading.project, reading.frame, reading.found, reading.where
    episodes, factors, findings = [], [], []
    for selection in reading.source.selections:
        if not _check_selection(selection, reading.source, found, where):
            continue
        codes = {coding.code for coding in selection.codings}
        for coding in selection.codings:
            if coding.code not in project.codes:
                found.add(
                    where,
                    f"a coding refers to a code the codebook does not hold. {_FIX_PROJECT}",
                    place=_characters(selection),
                    value=coding.code,
                )
            elif coding.code in frame.groups:
                found.add(
                    where,
                    "is a group of factors, not a factor. Fix: code the selection with one of the factors under it.",
                    place=f"{_characters(selection)} › code '{project.codes[coding.code].name}'",
                )
        if codes & frame.episode_codes:
            episodes.append(selection)
        if any(frame.factor_of(c) for c in selection.codings):
            factors.append(selection)
        if codes & frame.categories.keys():
            findings.append(selection)
    order = operator.attrgetter("start", "end")
    return sorted(episodes, key=order), sorted(factors, key=order), sorted(findings, key=order)


def _episode_rows(reading: _Reading, episodes: list[Selection]) -> list[str]:
    """One episode row per KPE selection, numbered in text order; return their IDs."""
    frame, where = reading.frame, reading.where
    episode_ids = []
    for sequence, selection in enumerate(episodes, start=1):
        episode_id = selection.name or f"E{sequence}"
        episode_ids.append(episode_id)
        row = {
            "review_id": where,
            "episode_id": episode_id,
            "sequence": str(sequence),
            "summary": reading.text(selection),
        }
        row.update(_described(selection.description, _EPISODE_FIELDS))
        agencies = [frame.agencies[c.code] for c in selection.codings if c.code in frame.agencies]
        if agencies:
            row["agencies"] = ";".join(dict.fromkeys(agencies))
        reading.rows.episodes.append(row)
        reading.rows.episode_places.append((where, f"{_characters(selection)} › KPE '{episode_id}'"))
    return episode_ids


def _factor_rows(reading: _Reading, factors: list[Selection], episodes: list[Selection], episode_ids: list[str]):
    """One factor row per factor coding and each KPE its selection overlaps."""
    project, frame, rows, found, where = reading.project, reading.frame, reading.rows, reading.found, reading.where
    starts = [s.start for s in episodes]
    is_episode = {id(s) for s in episodes}
    seen: dict[tuple, int] = {}
    for selection in factors:
        # Agency codes on a KPE's own selection are the episode's agencies, not a factor's.
        agencies = (
            []
            if id(selection) in is_episode
            else [frame.agencies[c.code] for c in selection.codings if c.code in frame.agencies]
        )
        if len(set(agencies)) > 1:
            found.add(
                where,
                f"the factors here are coded with {len(set(agencies))} agencies ({', '.join(sorted(set(agencies)))}); "
                "a coded factor has one. Fix: select the text once for each agency.",
                place=_characters(selection),
            )
            continue
        # The KPEs whose [start, end) spans share a character with this one (or hold its point, if empty).
        last = bisect.bisect_left(starts, selection.end) if selection.end > selection.start else len(starts)
        overlapping = [i for i in range(last) if _overlaps(episodes[i], selection)]
        for coding in selection.codings:
            factor = frame.factor_of(coding)
            if factor is None:
                continue
            named = project.codes[frame.polarity[coding.code][0]].name if coding.code in frame.polarity else None
            shown = f"{named}' ({factor[1]})" if named else f"{project.codes[coding.code].name}'"
            place = f"{_characters(selection)} › factor '{shown}"
            if not overlapping:
                found.add(
                    where,
                    "coded outside any key practice episode. Fix: code it inside the episode it shaped, "
                    "or code the episode.",
                    place=place,
                )
                continue
            coder = _coder(coding, project.users, found, where, place)
            note = "\n".join(project.notes.get(n, "") for n in coding.notes).strip()
            for i in overlapping:
                row = {
                    "review_id": where,
                    "episode_id": episode_ids[i],
                    "factor_code": factor[0],
                    "polarity": factor[1],
                    "agency": agencies[0] if agencies else "",
                    "coder": coder,
                    "note": note,
                }
                key = (episode_ids[i], factor[0], coder)
                if key in seen:
                    if rows.factors[seen[key]] != row:
                        found.add(
                            where,
                            f"coded twice on KPE '{episode_ids[i]}' by {coder or 'the same coder'}, differently "
                            "(polarity, agency or note). Fix: keep one of the two codings.",
                            place=place,
                        )
                    continue  # the same coding, selected twice in one episode, is one coding
                seen[key] = len(rows.factors)
                rows.factors.append(row)
                rows.factor_places.append((where, place))


def _finding_rows(reading: _Reading, findings: list[Selection]) -> None:
    """One finding row per selection coded with a SCIE category, numbered F1, F2 ... in text order."""
    frame, found, where = reading.frame, reading.found, reading.where
    for number, selection in enumerate(findings, start=1):
        categories = {frame.categories[c.code] for c in selection.codings if c.code in frame.categories}
        finding_id = f"F{number}"
        place = f"{_characters(selection)} › finding '{finding_id}'"
        if len(categories) > 1:
            found.add(
                where,
                f"is coded with {len(categories)} SCIE categories; a finding is filed under one. "
                "Fix: keep one category code on it.",
                place=place,
            )
            continue
        row = {
            "review_id": where,
            "finding_id": finding_id,
            "category": categories.pop(),
            "summary": reading.text(selection),
        }
        described = _described(selection.description, _FINDING_FIELDS)
        if "factor_codes" in described:
            # Factors may be listed by code or label; each becomes the code the codebook gives it.
            items = [item.strip() for item in described["factor_codes"].split(";") if item.strip()]
            described["factor_codes"] = ";".join(frame.names.get(fold_name(item), item) for item in items)
        row.update(described)
        reading.rows.findings.append(row)
        reading.rows.finding_places.append((where, place))


def _overlaps(a: Selection, b: Selection) -> bool:
    if a.start == a.end or b.start == b.end:  # an empty selection sits at a point
        return a.start <= b.end and b.start <= a.end
    return a.start < b.end and b.start < a.end


def _described(description: str, columns) -> dict[str, str]:
    if not description.strip():
        return {}
    fields = description_fields(description, columns)
    return fields if fields is not None else {"title": description.strip()}


def _coder(coding: Coding, users: dict[str, str], found: _Found, where: str, place: str) -> str:
    if coding.user is None:
        return ""
    if coding.user not in users:
        found.add(
            where, f"the coding's user is not among the project's users. {_FIX_PROJECT}", place=place, value=coding.user
        )
        return ""
    return users[coding.user]


# ----------------------------------------------------------------------------------- the whole


def _applied_codes(project: Project) -> set[str]:
    return {c.code for s in project.sources for sel in s.selections for c in sel.codings}


def read_qdpx(path: str | os.PathLike, *, mapping=None, taxonomy=None) -> ReviewSet:
    """Read a REFI-QDA project (``.qdpx``) as a review set, checking the whole project in one pass.

    Parameters
    ----------
    path : str or path
        The ``.qdpx`` file, as NVivo, ATLAS.ti, MAXQDA or QualCoder export it.
    mapping : QdpxMap, str or path, optional
        How codes and variables map onto the contract (see the module's notes): a
        :class:`~sce_analysis.exchange.qdpx_map.QdpxMap` or the path of a YAML map. By default the
        obvious names.
    taxonomy : ReviewSet, DataFrame, str or path, optional
        A coding frame to match factor codes to (by ``factor_code``, then ``label``, ignoring case).
        By default the coding frame is built from the codebook.

    Returns
    -------
    ReviewSet
        Reviews in source order; episodes, codings and findings in text order.

    Raises
    ------
    DataValidationError
        With every problem of the project. A problem's ``file`` is the review (source) it concerns,
        or the codebook or project file; its ``cell`` names the place, such as
        ``"characters 1,204–1,377 › factor 'High caseloads'"``. An unsafe or damaged archive is a
        single problem of the project file.
    """
    path = Path(path)
    label = path.name
    if mapping is None:
        mapping = default_map()
    elif not isinstance(mapping, QdpxMap):
        mapping = read_map(mapping)
    given = None if taxonomy is None else read_taxonomy(taxonomy)
    if not path.is_file():
        raise DataValidationError(
            [
                Problem(
                    label,
                    None,
                    None,
                    str(path),
                    "the project file does not exist. Fix: give "
                    "the path of a .qdpx file exported from the QDA program.",
                )
            ]
        )
    try:
        project = read_project(path, label=label)
    except UntrustedFileError as error:
        raise DataValidationError([Problem(error.file, None, None, "", error.reason)]) from None

    found = _Found()
    frame = _read_codebook(project, mapping, given, _applied_codes(project), found, label)
    cases_of: dict[str, list] = {}
    for case in project.cases:
        for source in case.sources:
            cases_of.setdefault(source, []).append(case)
    rows = _Rows()
    first_of: dict[str, str] = {}
    for source in project.sources:
        if source.kind not in {"text", "pdf"}:
            continue  # pictures, audio and video: not reviews
        review_id = _review_id(source)
        if review_id in first_of:
            found.add(
                review_id,
                f"two sources have the same review id ('{first_of[review_id]}' and '{source.name}'). "
                "Fix: rename one of them in the project.",
                value=source.name,
            )
            continue
        first_of[review_id] = source.name
        _read_source(project, source, frame, mapping, cases_of, rows, found)
    if not project.sources or not rows.reviews and not found.problems:
        found.add(label, "the project holds no text source, so no review. Fix: export the project with its documents.")
    if found.problems:
        raise DataValidationError(found.problems)
    return _checked(rows, frame, label)


def _checked(rows: _Rows, frame: _Frame, label: str) -> ReviewSet:
    """The set through from_frames, whose problems are named by source and place like ours."""

    def frame_of(kind: str, records: list[dict]) -> pd.DataFrame:
        columns = list(FILES[kind].column_names)
        extra = [c for r in records for c in r if c not in columns]
        return pd.DataFrame(records, columns=columns + list(dict.fromkeys(extra)), dtype=object)

    findings = frame_of("findings", rows.findings) if rows.findings else None
    try:
        return from_frames(
            frame_of("reviews", rows.reviews),
            frame_of("episodes", rows.episodes),
            frame_of("factors", rows.factors),
            findings,
            frame.taxonomy,
            source=label,
        )
    except DataValidationError as error:
        places = {
            "episodes.csv": rows.episode_places,
            "factors.csv": rows.factor_places,
            "findings.csv": rows.finding_places,
        }
        problems = []
        for problem in error.problems:
            where, place = label, None
            if problem.line is not None and problem.file == "reviews.csv":
                where, origins = rows.review_places[problem.line - 2]
                if problem.column in origins:
                    place = f"variable '{origins[problem.column]}' = '{problem.value}'"
            elif problem.line is not None and problem.file in places:
                where, place = places[problem.file][problem.line - 2]
            elif problem.file == "taxonomy.csv":
                where = "codebook"
                place = f"code '{problem.value}'" if problem.value else None
            problems.append(Problem(where, None, problem.column, problem.value, problem.message, cell=place))
        raise DataValidationError(problems, folder=label) from None


def import_qdpx(path, out_folder, *, mapping=None, taxonomy=None, overwrite: bool = False) -> ReviewSet:
    """Read a REFI-QDA project and write it as a review-set folder, only when the whole project is clean.

    Parameters are those of :func:`read_qdpx`, and ``out_folder`` and ``overwrite`` as for
    :func:`~sce_analysis.exchange.workbook_import.import_workbooks`: the folder is written under a
    hidden name and renamed into place, so it never holds half a set.

    Raises
    ------
    DataValidationError
        When the project has any problem; then nothing is written.
    ParameterError
        When ``out_folder`` is not a new or empty folder (or a review-set folder, with ``overwrite``).
    """
    out = check_new_folder(out_folder, overwrite=overwrite)
    if Path(path).resolve().parent == out.resolve():
        raise ParameterError(f"{out} holds the project being read ({path}). Fix: choose another folder.")
    review_set = read_qdpx(path, mapping=mapping, taxonomy=taxonomy)
    save_new_folder(review_set, out, overwrite=overwrite)
    return review_set.with_source(str(out))
