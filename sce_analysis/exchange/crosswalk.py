"""Crosswalks between coding frames, and combining review sets coded in one frame.

A national collection brings together reviews that local areas coded with their own coding
frames. A *crosswalk* (a map) says, for each code of a source frame, which code of the target
frame it becomes. Many source codes may become one target code; one source code may not become
two. :func:`read_crosswalk` reads such a map from a CSV file, :func:`crosswalk` recodes a review
set through it, and :func:`combine` merges review sets that are coded in one frame.

The map is a UTF-8 CSV file with the columns ``source_code`` and ``target_code`` (any order,
any extra columns such as a ``note``, which are ignored)::

    source_code,target_code,note
    fam_hostile,N01,hostile and evasive families are one national code
    fam_evasive,N01,
    prac_optimism,N07,

Like :func:`sce_analysis.load`, every function here checks everything first and raises one
:class:`~sce_analysis.DataValidationError` whose ``problems`` list names each file, line,
column and value with a fix, so a map can be corrected in one go.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import DataValidationError, ParameterError
from ..reviewsets.contract import FILES, Column, FileSpec
from ..reviewsets.read import Problem, from_frames, load, read_taxonomy
from ..reviewsets.reviewset import ReviewSet
from ..reviewsets.tables import ProblemList, as_text, read_table, row_keys

__all__ = ["read_crosswalk", "crosswalk", "combine"]

#: The name problems give a map or a target taxonomy passed as a DataFrame rather than a file.
_MAP_FRAME_NAME = "mapping"
_TAXONOMY_FRAME_NAME = "target taxonomy"
_FACTOR_KEY = list(FILES["factors"].key)
_TEXT_JOIN = "; "  # joins the distinct agencies, notes and extra values of merged factor rows
_CODE_JOIN = ";"  # joins the source codes of merged factor rows in the provenance column


_MAP_COLUMNS = (
    Column("source_code", "id", True, description="Code of the source coding frame."),
    Column("target_code", "id", True, description="Code of the target frame that it becomes."),
)


def _map_spec(file: str) -> FileSpec:
    # The name "mappings" makes load's messages read "... if it is not a real mapping".
    return FileSpec("mappings", _MAP_COLUMNS, key=("source_code",), file=file)


# --------------------------------------------------------------------------------------
# The map
# --------------------------------------------------------------------------------------


@dataclass
class _Map:
    """A checked map: its rows indexed by line, and each source code's target."""

    name: str  # the file name that problems give
    rows: pd.DataFrame  # source_code, target_code; indexed by line; rows with both codes only
    target_of: pd.Series  # target code, indexed by source code (the first line of each source)
    clean: bool  # False when the map itself has problems


def _map_source(mapping, problems: ProblemList) -> tuple[pd.DataFrame | Path, FileSpec] | None:
    """A map given as a path, a DataFrame or a dict, as a frame or a file with the spec that names it."""
    if isinstance(mapping, Mapping):
        mapping = pd.DataFrame({"source_code": list(mapping.keys()), "target_code": list(mapping.values())})
    if isinstance(mapping, pd.DataFrame):
        # As from_frames does: each value as the text a CSV file would hold, lines = position + 2.
        return mapping, _map_spec(_MAP_FRAME_NAME)
    if not isinstance(mapping, (str, os.PathLike)):
        raise ParameterError(
            f"mapping must be the path of a crosswalk CSV file or a DataFrame with columns source_code and "
            f"target_code; got {type(mapping).__name__}."
        )
    path = Path(mapping)
    name = path.name or str(path)
    if not path.exists():
        problems.add(name, None, None, "", f"the crosswalk map {path} does not exist. Fix: check the path.")
        return None
    if path.is_dir():
        problems.add(
            name,
            None,
            None,
            "",
            f"{path} is a folder, not a crosswalk map. Fix: give the CSV file with the columns source_code and "
            "target_code.",
        )
        return None
    return path, _map_spec(name)


def _check_map(mapping, problems: ProblemList) -> _Map | None:
    """Read and check a map; None when it cannot be read at all (its problems are reported)."""
    found = ProblemList()
    checked = _checked_map(mapping, found)
    _add_all(problems, found.sorted())
    if checked is not None:
        checked.clean = not found
    return checked


def _checked_map(mapping, problems: ProblemList) -> _Map | None:
    source = _map_source(mapping, problems)
    if source is None:
        return None
    table, spec = source
    name = spec.filename
    # Repeated source codes are checked below: an exact repeat is accepted, a second target is not.
    frame = read_table(table, spec, problems, unique_key=False)
    if frame is None:
        return None
    rows = frame.dropna()
    # Exact repeats (same source, same target) are harmless, as when rows are pasted twice: they
    # are accepted. A source code mapped to a second, different target is reported on that line.
    first = rows.drop_duplicates("source_code")
    target_of = pd.Series(first["target_code"].to_numpy(), index=pd.Index(first["source_code"], dtype="str"))
    first_line = pd.Series(first.index.to_numpy(), index=target_of.index)
    clash = rows["target_code"].to_numpy() != rows["source_code"].map(target_of).to_numpy()
    for line, source, target in rows[clash].itertuples(name=None):
        problems.add(
            name,
            line,
            "source_code",
            source,
            f"source code '{source}' is mapped to '{target}' here but to '{target_of[source]}' on line "
            f"{first_line[source]}; a crosswalk maps each source code to one target code. Fix: delete one "
            "of the two lines (or split the source code in the source frame first).",
        )
    return _Map(name, rows, target_of.astype("str"), clean=False)


def read_crosswalk(path: str | os.PathLike) -> pd.DataFrame:
    """Read a crosswalk map: which code of the target frame each source code becomes.

    Parameters
    ----------
    path : str or path
        A UTF-8 CSV file with the columns ``source_code`` and ``target_code``, in any order. A
        byte-order mark and CRLF line ends (as Excel writes them) are fine, whitespace around
        values is stripped, blank lines are skipped, and extra columns (such as a ``note``) are
        allowed and ignored.

    Returns
    -------
    DataFrame
        Columns ``source_code`` and ``target_code`` (text), one row per source code, in the
        order of the file. Many source codes may share a target code.

    Raises
    ------
    DataValidationError
        With every problem of the file, each naming the file, line (the header is line 1),
        column and value: a missing file or required column, an empty code, a code containing
        ``;``, and a source code mapped to two different targets (one-to-many is not a
        crosswalk; reported on the later line, in ``source_code``). A line repeated exactly is
        not a problem: it is read once.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "map.csv"
    >>> _ = path.write_text(
    ...     "source_code,target_code,note\\n"
    ...     "fam_hostile,N01,hostile and evasive are one national code\\n"
    ...     "fam_evasive,N01,\\n"
    ...     "prac_optimism,N07,\\n"
    ... )
    >>> read_crosswalk(path)
         source_code target_code
    0    fam_hostile         N01
    1    fam_evasive         N01
    2  prac_optimism         N07
    >>> _ = path.write_text("source_code,target_code\\nfam_hostile,N01\\nfam_hostile,N02\\n")
    >>> try:
    ...     read_crosswalk(path)
    ... except DataValidationError as error:
    ...     print(error.problems[0])
    map.csv, line 3, column source_code: source code 'fam_hostile' is mapped to 'N02' here but to 'N01' on line 2; ...
    """
    problems = ProblemList()
    checked = _check_map(path, problems)
    if problems or checked is None:
        raise DataValidationError(problems.sorted())
    table = checked.target_of.rename_axis("source_code").rename("target_code").reset_index()
    return table.astype({"source_code": "str", "target_code": "str"})


# --------------------------------------------------------------------------------------
# The target frame
# --------------------------------------------------------------------------------------


def _renamed(found: list[Problem], old: str, new: str) -> list[Problem]:
    return [replace(p, file=new) if p.file == old else p for p in found]


def _add_all(problems: ProblemList, found: list[Problem]) -> None:
    for p in found:
        problems.add(p.file, p.line, p.column, p.value, p.message)


def _target_taxonomy(taxonomy, problems: ProblemList) -> tuple[pd.DataFrame | None, str]:
    """The target frame as a typed taxonomy frame, and the name problems give it (None if broken)."""
    if isinstance(taxonomy, ReviewSet):
        return taxonomy.taxonomy, f"the taxonomy of {taxonomy.source or 'the target review set'}"
    if isinstance(taxonomy, pd.DataFrame):
        name = _TAXONOMY_FRAME_NAME
    elif isinstance(taxonomy, (str, os.PathLike)):
        path = Path(taxonomy)
        name = str(path / FILES["taxonomy"].filename if path.is_dir() else path)
    else:
        name = ""  # read_taxonomy says what it takes
    try:
        return read_taxonomy(taxonomy), name
    except DataValidationError as error:
        # A frame's problems name taxonomy.csv: name it so that it is not taken for the set's own file.
        _add_all(problems, _renamed(error.problems, FILES["taxonomy"].filename, name))
        return None, name


def _check_targets(target_map: _Map, taxonomy: pd.DataFrame, taxonomy_name: str, problems: ProblemList) -> None:
    """Every target code of the map must be a code of the target frame."""
    known = pd.Index(taxonomy["factor_code"].dropna().unique())
    rows = target_map.rows
    unknown = rows[~rows["target_code"].isin(known)]
    for line, target in unknown["target_code"].items():
        close = difflib.get_close_matches(target, known.tolist(), n=1, cutoff=0.8) if len(known) < 5000 else []
        hint = f" Did you mean '{close[0]}'?" if close else ""
        problems.add(
            target_map.name,
            line,
            "target_code",
            target,
            f"target code '{target}' is not in the target frame ({taxonomy_name}).{hint} Fix: correct the target "
            "code, or add the code to the target taxonomy.",
        )


# --------------------------------------------------------------------------------------
# crosswalk
# --------------------------------------------------------------------------------------


def _code_uses(rs: ReviewSet) -> pd.DataFrame:
    """Every use of a factor code in the set: file, line (position + 2), code; in reading order."""
    factors = rs.factors["factor_code"].reset_index(drop=True)
    items = rs.findings["factor_codes"].reset_index(drop=True).dropna().str.split(";").explode()
    parts = [
        pd.DataFrame({"file": "factors.csv", "line": factors.index + 2, "code": factors.to_numpy()}),
        pd.DataFrame({"file": "findings.csv", "line": items.index + 2, "code": items.to_numpy()}),
    ]
    if rs.taxonomy_given:
        codes = rs.taxonomy["factor_code"].reset_index(drop=True)
        parts.append(pd.DataFrame({"file": "taxonomy.csv", "line": codes.index + 2, "code": codes.to_numpy()}))
    uses = pd.concat(parts, ignore_index=True)
    return uses.astype({"file": "str", "line": "int64", "code": "str"})


def _check_unmapped(rs: ReviewSet, target_map: _Map, problems: ProblemList) -> None:
    """Report each code the map does not cover once, where it is first used, with how often it is used."""
    uses = _code_uses(rs)
    missing = uses[~uses["code"].isin(target_map.target_of.index)]
    if missing.empty:
        return
    counts = missing.groupby(["code", "file"], sort=False).size()
    where = "the crosswalk map" if target_map.name == _MAP_FRAME_NAME else target_map.name
    for file, line, code in missing.drop_duplicates("code").itertuples(index=False, name=None):
        parts = [f"{n} line{'s' if n != 1 else ''} of {f}" for f, n in counts[code].items()]
        spread = ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else parts[0]
        problems.add(
            file,
            line,
            "factor_code" if file != "findings.csv" else "factor_codes",
            code,
            f"factor code '{code}' is not in {where}; it is used on {spread}, first on this line. Fix: add a row "
            f"'{code},TARGET' to {where}, TARGET being the code it becomes in the target frame.",
        )


def _joined_distinct(values: pd.Series, groups: np.ndarray, separator: str, *, split: bool = False) -> pd.Series:
    """Per group, the distinct non-empty values in first-seen order, joined; missing when there are none.

    ``split`` first splits each value on ``separator`` (a provenance list). Indexed by group, in order of
    first appearance. One explode, one de-duplication and one grouped join: no Python loop over groups.
    """
    items = pd.DataFrame({"group": groups, "value": values.to_numpy(dtype=object)})
    if split:
        items = items.assign(value=items["value"].str.split(separator)).explode("value")
    items["value"] = items["value"].astype("str")
    items = items[items["value"].notna() & items["value"].ne("")].drop_duplicates()
    joined = items.groupby("group", sort=False)["value"].agg(separator.join)
    return joined.reindex(pd.unique(groups))


def _recode_factors(rs: ReviewSet, target_map: _Map, problems: ProblemList) -> pd.DataFrame:
    """Recode ``factors``, merging rows that meet on one key; report merges that disagree on polarity."""
    factors = rs.factors.reset_index(drop=True)
    origin = factors["source_code"] if "source_code" in factors.columns else pd.Series(np.nan, index=factors.index)
    recoded = factors.assign(
        factor_code=factors["factor_code"].map(target_map.target_of),
        source_code=origin.astype("str").fillna(factors["factor_code"]),
    )
    key = row_keys(recoded, _FACTOR_KEY).where(recoded["factor_code"].notna())
    merged = key.notna() & key.duplicated(keep=False)
    if not merged.any():
        return recoded

    group = recoded[merged].assign(_key=key[merged], _line=recoded.index[merged] + 2)
    polarity = group["polarity"].astype("str")
    first = group.groupby("_key", sort=False)[["_line", "source_code"]].transform("first")
    first_polarity = polarity.groupby(group["_key"], sort=False).transform("first")
    disagree = group[polarity.ne(first_polarity)].drop_duplicates("_key")
    for index, row in disagree.iterrows():
        coder = f" by coder '{row['coder']}'" if isinstance(row["coder"], str) else ""
        problems.add(
            "factors.csv",
            int(row["_line"]),
            "polarity",
            polarity[index],
            f"after the crosswalk, '{first.loc[index, 'source_code']}' (line {first.loc[index, '_line']}, "
            f"{first_polarity[index]}) and '{row['source_code']}' (this line, {polarity[index]}) both become "
            f"'{row['factor_code']}' on episode '{row['episode_id']}' of review '{row['review_id']}'{coder}, "
            "but they disagree on polarity. Fix: correct the polarity of one of the two lines, or map the two "
            "codes to different target codes.",
        )
    if problems:
        return recoded

    # One row per key, where its first row was; the other columns are joined (see crosswalk).
    keep_first = [*_FACTOR_KEY, "polarity"]
    group = recoded[merged].assign(_position=np.flatnonzero(merged))
    keys = key[merged].to_numpy()
    joined = group.groupby(keys, sort=False)[[*keep_first, "_position"]].first()
    for column in recoded.columns.difference(keep_first, sort=False):
        split = column == "source_code"
        separator = _CODE_JOIN if split else _TEXT_JOIN
        joined[column] = _joined_distinct(group[column], keys, separator, split=split)
    joined = joined[[*recoded.columns, "_position"]]
    single = recoded[~merged].assign(_position=np.flatnonzero(~merged))
    out = pd.concat([single, joined.astype({c: single[c].dtype for c in single.columns})], ignore_index=True)
    return out.sort_values("_position", kind="stable").drop(columns="_position").reset_index(drop=True)


def _recode_findings(findings: pd.DataFrame, target_of: pd.Series) -> pd.DataFrame:
    """Recode each finding's ``factor_codes`` list, keeping each target once, in first-seen order."""
    findings = findings.reset_index(drop=True)
    items = findings["factor_codes"].dropna().str.split(";").explode()
    recoded = pd.DataFrame({"row": items.index, "code": items.map(target_of).to_numpy()}).drop_duplicates()
    lists = recoded.groupby("row", sort=False)["code"].agg(";".join)
    return findings.assign(factor_codes=lists.reindex(findings.index).astype("str"))


def _carried_taxonomy(taxonomy: pd.DataFrame, target_of: pd.Series) -> pd.DataFrame:
    """A target taxonomy built from the source one: each column carried where a target's sources agree."""
    source = taxonomy.reset_index(drop=True)
    target = source["factor_code"].map(target_of)
    parent = source["parent_code"].map(target_of)
    source = source.assign(parent_code=parent.where(parent.ne(target)))  # a parent merged into its child is dropped
    columns = [c for c in source.columns if c != "factor_code"]
    grouped = source[columns].groupby(target.to_numpy(), sort=False)
    agree = grouped.nunique(dropna=False).eq(1)
    carried = grouped.first().where(agree)
    carried["label"] = carried["label"].fillna(pd.Series(carried.index, index=carried.index))
    return carried.rename_axis("factor_code").reset_index()


def crosswalk(rs: ReviewSet, mapping, *, taxonomy=None) -> ReviewSet:
    """Recode a review set from its coding frame into another one through a crosswalk map.

    Parameters
    ----------
    rs : ReviewSet
        The set, coded in the source frame.
    mapping : DataFrame, dict or path
        The map: a CSV file as :func:`read_crosswalk` reads it, a DataFrame with the columns
        ``source_code`` and ``target_code``, or a dict from source code to target code. It
        may hold codes the set does not use (one map can serve many local frames).
    taxonomy : DataFrame, ReviewSet or path, optional
        The target frame: a taxonomy frame, a review set whose taxonomy it is, or the path of a
        taxonomy CSV file or of a review-set folder holding ``taxonomy.csv``. Every target code
        of the map must be one of its codes, and it becomes the result's taxonomy.

    Returns
    -------
    ReviewSet
        A new set, checked against the contract (it is built with
        :func:`~sce_analysis.from_frames`):

        - ``factors``: ``factor_code`` recoded. Source codes that become one target on the same
          episode, by the same coder, are merged into one row, so that the key stays unique.
          Such rows must agree on ``polarity``. ``agency``, ``note`` and any other extra column
          of the merged row hold the distinct non-empty values of its rows, in file order,
          joined with ``"; "``. The extra column ``source_code`` records provenance: the source
          code of each row, or the codes of merged rows joined with ``";"``. When the set
          already has a ``source_code`` column (it was crosswalked before), its values are
          carried forward, so a chain of crosswalks still names the codes first coded.
        - ``findings``: each ``factor_codes`` list recoded, each target listed once, in
          first-seen order.
        - ``taxonomy``: the given target frame. Without one, when ``rs`` has a
          ``taxonomy.csv``, one row per target of its codes, in their order: each column
          (``label``, ``level``, ``scie_category`` and the others) is carried from the source
          codes when they all agree on it and left empty otherwise, with the target code as
          its own label then; ``parent_code`` is recoded too (and dropped when a code is
          merged with its parent). When ``rs`` has no ``taxonomy.csv``, the result has none
          either: its frame is the target codes used (``taxonomy_given`` is False).
        - ``reviews`` and ``episodes``: unchanged. ``source`` is None: the set is new.

    Raises
    ------
    DataValidationError
        With every problem at once: the map's own problems (see :func:`read_crosswalk`);
        each code used in ``factors``, ``findings`` or the set's ``taxonomy.csv`` that the map
        does not cover, reported once where it is first used, with how many lines use it;
        each target code of the map that is not in the target frame; and each merge of rows
        that disagree on polarity, naming both lines. Lines in the set are row positions + 2,
        the lines of the files :meth:`ReviewSet.save` writes.
    ParameterError
        When an argument has the wrong type.

    Examples
    --------
    >>> import sce_analysis as sce
    >>> rs = sce.load("data/sample")
    >>> codes = rs.taxonomy["factor_code"]
    >>> mapping = pd.DataFrame({"source_code": codes, "target_code": codes})
    >>> mapping.loc[codes.isin(["fam_hostile", "fam_evasive"]), "target_code"] = "fam_avoidant"
    >>> national = crosswalk(rs, mapping)
    >>> national.factors.loc[national.factors["factor_code"] == "fam_avoidant", "source_code"].value_counts()
    source_code
    fam_evasive                24
    fam_hostile                23
    fam_hostile;fam_evasive     3
    Name: count, dtype: int64
    >>> national.taxonomy.set_index("factor_code").loc["fam_avoidant", ["label", "level"]].tolist()
    ['fam_avoidant', 'frontline']
    """
    if not isinstance(rs, ReviewSet):
        raise ParameterError(f"rs must be a ReviewSet, such as sce_analysis.load(folder); got {type(rs).__name__}.")
    problems = ProblemList()
    target_map = _check_map(mapping, problems)
    if target_map is None:  # the map cannot be read, so nothing can be checked against it
        raise DataValidationError(problems.sorted())
    target_taxonomy = None
    if taxonomy is not None:
        target_taxonomy, taxonomy_name = _target_taxonomy(taxonomy, problems)
        if target_taxonomy is not None:
            _check_targets(target_map, target_taxonomy, taxonomy_name, problems)
    _check_unmapped(rs, target_map, problems)
    # Merge conflicts are only meaningful when the map is sound; otherwise they would follow a guess.
    factors = _recode_factors(rs, target_map, problems) if target_map.clean else None
    if problems:
        raise DataValidationError(problems.sorted())

    findings = _recode_findings(rs.findings, target_map.target_of)
    if target_taxonomy is None and rs.taxonomy_given:
        target_taxonomy = _carried_taxonomy(rs.taxonomy, target_map.target_of)
    return from_frames(rs.reviews, rs.episodes, factors, findings, target_taxonomy)


# --------------------------------------------------------------------------------------
# combine
# --------------------------------------------------------------------------------------


def _set_labels(sets: list[ReviewSet], names) -> list[str]:
    if names is not None:
        names = [names] if isinstance(names, str) else list(names)
        if len(names) != len(sets) or not all(isinstance(n, str) and n.strip() for n in names):
            raise ParameterError(f"names must be {len(sets)} non-empty names, one per set; got {names!r}.")
        if len(set(names)) != len(names):
            raise ParameterError(f"names must differ from each other; got {names!r}.")
        return names
    labels = [rs.source or f"set {i}" for i, rs in enumerate(sets, start=1)]
    # The same folder given twice: number the sets so that problems can tell them apart.
    return [f"set {i} ({label})" if labels.count(label) > 1 else label for i, label in enumerate(labels, start=1)]


def _set_file(rs: ReviewSet, label: str, name: str) -> str:
    """``<set name>/<file>``, in the format the set was loaded from (CSV unless its folder holds Parquet)."""
    parquet = rs.source is not None and (Path(rs.source) / f"{name}.parquet").exists()
    return f"{label}/{name}.{'parquet' if parquet else 'csv'}"


def _check_clashes(sets: list[ReviewSet], labels: list[str], problems: ProblemList) -> None:
    """One problem per review_id that a later set repeats, naming both sets."""
    ids = pd.concat(
        [
            pd.DataFrame({"set": i, "line": np.arange(len(rs.reviews)) + 2, "review_id": rs.reviews["review_id"]})
            for i, rs in enumerate(sets)
        ],
        ignore_index=True,
    )
    first = ids.drop_duplicates("review_id").set_index("review_id")
    for i, line, review_id in ids[ids.duplicated("review_id")].itertuples(index=False, name=None):
        j, first_line = first.loc[review_id, "set"], first.loc[review_id, "line"]
        problems.add(
            _set_file(sets[i], labels[i], "reviews"),
            line,
            "review_id",
            review_id,
            f"review_id '{review_id}' is in both {labels[j]} (line {first_line}) and {labels[i]} (line {line}). "
            "Fix: give the review its own id in one of the sets, or leave the repeated review out of one of them.",
        )


_TAXONOMY_COLUMNS = list(FILES["taxonomy"].column_names)
_NOT_ONE_FRAME = "the sets are not coded in one frame. Fix: crosswalk them to one frame first (sce-analysis crosswalk)"


def _taxonomy_text(rs: ReviewSet) -> pd.DataFrame:
    """The contract columns of a set's taxonomy as text, indexed by code, with each code's line."""
    text = pd.DataFrame({c: as_text(rs.taxonomy[c]) for c in _TAXONOMY_COLUMNS})
    return text.assign(_line=np.arange(len(text)) + 2).set_index("factor_code")


def _check_frames(sets: list[ReviewSet], labels: list[str], problems: ProblemList) -> pd.DataFrame | None:
    """Check that the sets share one coding frame; return the taxonomy of the result (None: derived)."""
    given = [i for i, rs in enumerate(sets) if rs.taxonomy_given]
    if not given:
        return None
    ref = given[0]
    reference = _taxonomy_text(sets[ref])
    for i, rs in enumerate(sets):
        if i == ref:
            continue
        if not rs.taxonomy_given:  # a derived frame: its codes must be codes of the given one
            codes = rs.factors["factor_code"].reset_index(drop=True)
            unknown = codes[~codes.isin(reference.index)].drop_duplicates()
            for position, code in unknown.items():
                problems.add(
                    _set_file(rs, labels[i], "factors"),
                    position + 2,
                    "factor_code",
                    code,
                    f"factor code '{code}' is not in the taxonomy of {labels[ref]}: {_NOT_ONE_FRAME}, or add the "
                    f"code to that taxonomy.",
                )
            continue
        other = _taxonomy_text(rs)
        file = _set_file(rs, labels[i], "taxonomy")
        for code in reference.index.difference(other.index, sort=False):
            problems.add(
                file,
                None,
                "factor_code",
                code,
                f"code '{code}' of the taxonomy of {labels[ref]} is missing here: {_NOT_ONE_FRAME}.",
            )
        for code in other.index.difference(reference.index, sort=False):
            problems.add(
                file,
                int(other.loc[code, "_line"]),
                "factor_code",
                code,
                f"code '{code}' is not in the taxonomy of {labels[ref]}: {_NOT_ONE_FRAME}.",
            )
        both = other.index.intersection(reference.index, sort=False)
        columns = _TAXONOMY_COLUMNS[1:]
        differs = other.loc[both, columns].ne(reference.loc[both, columns])
        for code in both[differs.any(axis=1).to_numpy()]:
            changed = [c for c in columns if differs.loc[code, c]]
            detail = "; ".join(f"{c} '{other.loc[code, c]}' here, '{reference.loc[code, c]}' there" for c in changed)
            problems.add(
                file,
                int(other.loc[code, "_line"]),
                changed[0],
                other.loc[code, changed[0]],
                f"code '{code}' differs from the taxonomy of {labels[ref]} ({detail}): {_NOT_ONE_FRAME}, or make "
                "the two taxonomies the same.",
            )
    return sets[ref].taxonomy


def combine(sets, *, names=None) -> ReviewSet:
    """Merge review sets that are coded in one frame into one set.

    Parameters
    ----------
    sets : list of ReviewSet or path
        The sets, as ReviewSets or review-set folders (loaded with :func:`sce_analysis.load`).
    names : list of str, optional
        A name for each set, used in problems. By default a set is named by the folder it was
        loaded from, or ``set 1``, ``set 2`` and so on.

    Returns
    -------
    ReviewSet
        A new set, checked against the contract: the rows of each frame, set after set in the
        given order. Extra columns that only some sets have are kept, empty for the other sets.
        Its taxonomy is the one the sets share (see Raises); when no set has a
        ``taxonomy.csv``, it is derived from the codes used (``taxonomy_given`` False).

    Raises
    ------
    DataValidationError
        With every problem at once. A folder that does not load gives its problems, with the
        folder in the file name. A ``review_id`` in two sets gives one problem per repeat,
        naming both sets (``file`` is ``<set name>/reviews.csv``). The sets must be coded in
        one frame: every ``taxonomy.csv`` must hold the same codes with the same values in
        every contract column (extra columns are not compared; the first set's rows are kept,
        in its order), and each code of a set without a ``taxonomy.csv`` must be one of those
        codes. Each code that differs is a problem.
    ParameterError
        When ``sets`` is empty or ``names`` does not give one distinct name per set.

    Examples
    --------
    >>> import sce_analysis as sce
    >>> rs = sce.load("data/sample")
    >>> early, late = rs.filter(years=(2011, 2017)), rs.filter(years=(2018, 2025))
    >>> combine([early, late], names=["early", "late"]).reviews["review_id"].equals(rs.reviews["review_id"])
    True
    >>> try:
    ...     combine([early, early], names=["A", "B"])
    ... except sce.DataValidationError as error:
    ...     print(len(error.problems) == len(early.reviews), error.problems[0].file)
    True B/reviews.csv
    """
    if isinstance(sets, (ReviewSet, str, os.PathLike)):
        raise ParameterError("sets must be a list of review sets or folders, such as [set_a, set_b].")
    sets = list(sets)
    if not sets:
        raise ParameterError("sets is empty: give at least one review set or folder.")
    problems = ProblemList()
    loaded: list[ReviewSet | None] = []
    for item in sets:
        if isinstance(item, ReviewSet):
            loaded.append(item)
        elif isinstance(item, (str, os.PathLike)):
            try:
                loaded.append(load(item))
            except DataValidationError as error:
                folder = str(Path(item))
                for p in error.problems:
                    file = p.file if p.file == folder else f"{folder}/{p.file}"
                    problems.add(file, p.line, p.column, p.value, p.message)
                loaded.append(None)
        else:
            raise ParameterError(f"sets must hold ReviewSets or folder paths; got {type(item).__name__}.")
    if problems:
        raise DataValidationError(problems.sorted())

    labels = _set_labels(loaded, names)
    _check_clashes(loaded, labels, problems)
    taxonomy = _check_frames(loaded, labels, problems)
    if problems:
        raise DataValidationError(problems.sorted())

    frames = {
        name: pd.concat([getattr(rs, name) for rs in loaded], ignore_index=True)
        for name in ("reviews", "episodes", "factors", "findings")
    }
    return from_frames(**frames, taxonomy=taxonomy)
