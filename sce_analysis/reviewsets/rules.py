"""The rules of the contract: typing each column, unique keys, episodes, and references across files.

Every reader turns its input into a :class:`~sce_analysis.reviewsets.csvfiles.TextTable` first;
the functions here check that text by the declarations of
:mod:`~sce_analysis.reviewsets.contract`, with vectorised pandas and Arrow, and add every problem
they find to a :class:`~sce_analysis.reviewsets.problems.ProblemList` instead of stopping at the
first. :func:`check_set` runs them all over the files of one set.
"""

from __future__ import annotations

import difflib
import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .contract import FILES, FIRST_YEAR, LAST_YEAR, SCIE_CATEGORIES, Column, normalise_category
from .csvfiles import TextTable
from .problems import ProblemList

__all__ = [
    "check_set",
    "check_table",
    "check_duplicates",
    "type_column",
    "typed_empty",
    "row_keys",
    "split_list",
]

#: What one row of each file is, for messages.
_ROW_NOUN = {"reviews": "review", "episodes": "episode", "factors": "factor", "findings": "finding", "taxonomy": "code"}
_SEP = "\x1f"  # joins key parts into one string; it cannot occur in CSV text typed by a person

_YEAR = re.compile(r"\d{4}")
_INT = re.compile(r"[+-]?\d+")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _flag(problems: ProblemList, table: TextTable, column: str, mask: pd.Series, message) -> None:
    """Report every line where ``mask`` holds; ``message`` maps a value to its message."""
    if not mask.any():
        return
    bad = table.frame.loc[mask, column]
    messages = message if isinstance(message, str) else [message(v) for v in bad]
    problems.add_rows(table.spec.filename, bad.index, column, bad.tolist(), messages)


def split_list(values: pd.Series) -> pd.Series:
    """Split ';'-lists into one row per item, stripped, without empty items. Index is kept.

    ``values`` must hold no missing value. Arrow's list kernels do this without a Python loop.
    """
    lists = pc.split_pattern(pa.array(values, type=pa.string()), ";")
    items = pc.utf8_trim_whitespace(pc.list_flatten(lists)).to_numpy(zero_copy_only=False)
    owners = values.index[pc.list_parent_indices(lists).to_numpy()]
    items = pd.Series(items, index=owners, dtype="str")
    return items[items.ne("")]


def _tidy_list(values: pd.Series) -> pd.Series:
    """Rewrite ';'-lists without spaces around ';' and without empty items ("a ; ;b" -> "a;b"), in Arrow."""
    lists = pc.split_pattern(pa.array(values, type=pa.string()), ";")
    if isinstance(lists, pa.ChunkedArray):  # Arrow-backed text of a large file comes in chunks
        lists = lists.combine_chunks()
    items = pc.utf8_trim_whitespace(pc.list_flatten(lists))
    keep = pc.not_equal(items, "")
    owners = pc.list_parent_indices(lists).to_numpy()[keep.to_numpy(zero_copy_only=False)]
    offsets = np.concatenate([[0], np.cumsum(np.bincount(owners, minlength=len(values)))]).astype(np.int32)
    tidy = pa.ListArray.from_arrays(pa.array(offsets), items.filter(keep))
    return pd.Series(pc.binary_join(tidy, ";").to_numpy(zero_copy_only=False), index=values.index, dtype="str")


def _isin(values: pd.Series, keys) -> np.ndarray:
    """Boolean array: which values are among ``keys`` (missing values are not)."""
    found = pc.is_in(
        pa.array(values, type=pa.string()), value_set=pa.array(np.asarray(keys, dtype=object), type=pa.string())
    )
    return pc.fill_null(found, False).to_numpy(zero_copy_only=False)


def type_column(table: TextTable, column: Column, problems: ProblemList) -> pd.Series:
    """Check one column's values and return them typed. Bad values become missing.

    A column absent from the table comes back all missing, in the dtype of its kind.
    """
    name = column.name
    if name not in table.frame.columns:
        empty = pd.Series(pd.NA, index=table.frame.index, dtype=object)
        return typed_empty(empty, column)
    values = table.frame[name]
    filled = values.ne("")
    if column.required:
        _flag(
            problems,
            table,
            name,
            ~filled,
            f"{name} is empty; it is required. Fix: fill it in, or delete the line if it is not a real "
            f"{_ROW_NOUN.get(table.spec.name, 'row')}.",
        )
    elif column.default is not None:
        values = values.mask(~filled, column.default)
        filled = values.ne("")
    kind_rule = _KIND_RULES.get(column.kind)
    if kind_rule is None:  # pragma: no cover - guarded by the contract
        raise AssertionError(f"unknown column kind {column.kind!r}")
    return kind_rule(table, column, values, filled, problems)


def _type_text(table: TextTable, column: Column, values: pd.Series, filled: pd.Series, problems: ProblemList):
    name = column.name
    if column.kind == "id":
        _flag(
            problems,
            table,
            name,
            values.str.contains(";", regex=False),
            f"{name} contains ';', which separates lists. Fix: use another character in identifiers.",
        )
    return values.where(filled).astype("str")


def _type_year(table: TextTable, column: Column, values: pd.Series, filled: pd.Series, problems: ProblemList):
    good = values.str.fullmatch(_YEAR.pattern)
    number = pd.to_numeric(values.where(good), errors="coerce")
    in_range = number.between(FIRST_YEAR, LAST_YEAR)
    _flag(
        problems,
        table,
        column.name,
        filled & ~good,
        lambda v: f"'{v}' is not a year. Fix: write the year as four digits, such as 2019.",
    )
    _flag(
        problems,
        table,
        column.name,
        good & ~in_range,
        lambda v: f"{v} is outside {FIRST_YEAR}–{LAST_YEAR}. Fix: check the year.",
    )
    return number.where(good & in_range).astype("Int64")


def _type_int(table: TextTable, column: Column, values: pd.Series, filled: pd.Series, problems: ProblemList):
    name = column.name
    good = values.str.fullmatch(_INT.pattern)
    _flag(
        problems,
        table,
        name,
        filled & ~good,
        lambda v: f"'{v}' is not a whole number. Fix: write the {name} as a whole number such as 3.",
    )
    return pd.to_numeric(values.where(good), errors="coerce").astype("Int64")


def _type_date(table: TextTable, column: Column, values: pd.Series, filled: pd.Series, problems: ProblemList):
    shaped = values.str.fullmatch(_DATE.pattern)
    dates = pd.to_datetime(values.where(shaped), format="%Y-%m-%d", errors="coerce")
    _flag(
        problems,
        table,
        column.name,
        filled & ~shaped,
        lambda v: (
            f"'{v}' is not an ISO date. Fix: write it as YYYY-MM-DD, such as 2019-03-14 (Excel may "
            "have reformatted it: format the column as text)."
        ),
    )
    _flag(
        problems,
        table,
        column.name,
        filled & shaped & dates.isna(),
        lambda v: f"'{v}' is not a real calendar date. Fix: check the day and the month.",
    )
    return dates.astype("datetime64[s]")


def _type_vocab(table: TextTable, column: Column, values: pd.Series, filled: pd.Series, problems: ProblemList):
    name = column.name
    allowed = set(column.vocabulary)
    ok = values.isin(allowed)
    listed = ", ".join(column.vocabulary)

    def explain(v: str) -> str:
        if v.lower() in allowed:
            return f"'{v}' must be written in lower case. Fix: write '{v.lower()}'."
        close = difflib.get_close_matches(v.lower(), column.vocabulary, n=1, cutoff=0.6)
        hint = f" Did you mean '{close[0]}'?" if close else ""
        return f"'{v}' is not an allowed {name}.{hint} Fix: use one of {listed}."

    _flag(problems, table, name, filled & ~ok, explain)
    return pd.Series(pd.Categorical(values.where(ok), categories=list(column.vocabulary)), index=values.index)


def _type_category(table: TextTable, column: Column, values: pd.Series, filled: pd.Series, problems: ProblemList):
    # A national set repeats a handful of spellings many times: normalise each one once.
    spellings = {v: normalise_category(v) for v in values.unique()}
    keys = values.map(spellings).where(filled)
    _flag(
        problems,
        table,
        column.name,
        filled & keys.isna(),
        lambda v: (
            f"'{v}' is not one of the six SCIE finding categories. Fix: use a key or label, such as "
            "human_tool / 'Human-tool operation' / 'Tools' (keys: " + ", ".join(SCIE_CATEGORIES) + ")."
        ),
    )
    return pd.Series(pd.Categorical(keys, categories=list(SCIE_CATEGORIES)), index=values.index)


def _type_list(table: TextTable, column: Column, values: pd.Series, filled: pd.Series, problems: ProblemList):
    name = column.name
    items = split_list(values[filled])
    listed = pd.DataFrame({"line": items.index, "item": items.to_numpy()})
    repeated = listed[listed.duplicated()].drop_duplicates()
    problems.add_rows(
        table.spec.filename,
        repeated["line"],
        name,
        repeated["item"].tolist(),
        [f"'{v}' is listed twice in {name}. Fix: list it once." for v in repeated["item"]],
    )
    joined = _tidy_list(values)
    return joined.where(joined.ne("")).astype("str")


#: How each kind of column (see :class:`~sce_analysis.reviewsets.contract.Column`) is checked and typed.
_KIND_RULES = {
    "id": _type_text,
    "text": _type_text,
    "year": _type_year,
    "int": _type_int,
    "date": _type_date,
    "vocab": _type_vocab,
    "category": _type_category,
    "list": _type_list,
}


def typed_empty(values: pd.Series, column: Column) -> pd.Series:
    """An all-missing column of the dtype its kind has."""
    if column.kind in ("vocab", "category"):
        categories = list(column.vocabulary) if column.kind == "vocab" else list(SCIE_CATEGORIES)
        filled = values if column.default is None else values.fillna(column.default)
        return pd.Series(pd.Categorical(filled, categories=categories), index=values.index)
    if column.kind in ("year", "int"):
        return values.astype("Int64")
    if column.kind == "date":
        return pd.Series(pd.NaT, index=values.index, dtype="datetime64[s]")
    return values.astype("str")


def row_keys(frame: pd.DataFrame, columns) -> pd.Series:
    """One string per row joining the key columns, with missing parts as empty strings."""
    parts = [frame[c].astype("str").fillna("") if c in frame else pd.Series("", index=frame.index) for c in columns]
    key = parts[0]
    for part in parts[1:]:
        key = key + _SEP + part
    return key


def check_duplicates(table: TextTable, typed: pd.DataFrame, problems: ProblemList) -> None:
    """Report a repeated key on the later line, in the column that completes the key."""
    spec = table.spec
    required_key = [c for c in spec.key if spec.column(c).required]
    complete = typed[required_key].notna().all(axis=1)
    key = row_keys(typed, spec.key)[complete]
    repeated = key.duplicated(keep="first")
    if not repeated.any():
        return
    first_line = pd.Series(key.index[~repeated], index=key[~repeated].to_numpy())
    completing = required_key[-1]
    for line, key_value in key[repeated].items():
        parts = dict(zip(spec.key, key_value.split(_SEP), strict=True))
        first = int(first_line[key_value])
        value = parts[completing]
        if spec.name == "reviews":
            what = f"review_id '{value}' is used again (first on line {first})"
        elif spec.name == "taxonomy":
            what = f"factor_code '{value}' is defined again (first on line {first})"
        elif spec.name == "factors":
            coder = f" by coder '{parts['coder']}'" if parts.get("coder") else ""
            what = (
                f"factor '{value}' is coded twice on episode '{parts['episode_id']}' of review "
                f"'{parts['review_id']}'{coder} (first on line {first})"
            )
        else:
            thing = _ROW_NOUN.get(spec.name, "row")
            what = f"review '{parts['review_id']}' already has {thing} '{value}' (first on line {first})"
        problems.add(
            spec.filename, line, completing, value, f"{what}. Fix: delete the repeated line or give it its own id."
        )


def check_table(
    table: TextTable, problems: ProblemList, *, extras: bool = True, unique_key: bool = True
) -> pd.DataFrame:
    """Check and type every column of one file; return the typed frame (bad values missing), indexed by line.

    Parameters
    ----------
    table : TextTable
    problems : ProblemList
        Every problem found is added here.
    extras : bool
        Keep the columns that the contract does not name, as text, after its own.
    unique_key : bool
        Report a key (``table.spec.key``) that repeats an earlier line's; checked only when every
        required column is present.
    """
    spec = table.spec
    typed = pd.DataFrame(
        {column.name: type_column(table, column, problems) for column in spec.columns}, index=table.frame.index
    )
    if extras:
        for name in (c for c in table.frame.columns if c not in spec.column_names):
            typed[name] = table.frame[name].where(table.frame[name].ne("")).astype("str")
    if unique_key and not table.missing_required:
        check_duplicates(table, typed, problems)
    return typed


# --------------------------------------------------------------------------------------
# Rules across lines and files
# --------------------------------------------------------------------------------------


def _in_keys(frame: pd.DataFrame, columns: list[str], keys: pd.Index) -> pd.Series:
    return pd.Series(_isin(row_keys(frame, columns), keys), index=frame.index)


def _check_episode_rules(episodes: pd.DataFrame, problems: ProblemList, file: str) -> None:
    has = episodes["sequence"].notna() & episodes["review_id"].notna()
    repeated = episodes[has].duplicated(["review_id", "sequence"], keep="first")
    for line in repeated[repeated].index:
        row = episodes.loc[line]
        problems.add(
            file,
            line,
            "sequence",
            row["sequence"],
            f"sequence {row['sequence']} is used twice in review '{row['review_id']}'. Fix: number the "
            "review's episodes 1, 2, 3 … in the order of its chronology.",
        )
    backwards = episodes["end_date"] < episodes["start_date"]
    for line in backwards[backwards].index:
        row = episodes.loc[line]
        problems.add(
            file,
            line,
            "end_date",
            row["end_date"].strftime("%Y-%m-%d"),
            f"the episode ends before it starts ({row['start_date']:%Y-%m-%d}). Fix: swap or correct the dates.",
        )


def _check_references(
    typed: dict[str, pd.DataFrame],
    readable: dict[str, bool],
    problems: ProblemList,
    taxonomy_given: bool,
    names: dict[str, str],
) -> None:
    """Every foreign key must resolve. Checks that depend on an unreadable file are skipped."""
    reviews, episodes = typed.get("reviews"), typed.get("episodes")
    factors, findings, taxonomy = typed.get("factors"), typed.get("findings"), typed.get("taxonomy")
    review_keys = pd.Index(reviews["review_id"].dropna().unique()) if readable.get("reviews") else None
    episode_keys = (
        pd.Index(row_keys(episodes, ["review_id", "episode_id"]).unique()) if readable.get("episodes") else None
    )
    code_keys = None
    if taxonomy_given and readable.get("taxonomy"):
        code_keys = pd.Index(taxonomy["factor_code"].dropna().unique())
    elif not taxonomy_given and readable.get("factors"):
        code_keys = pd.Index(factors["factor_code"].dropna().unique())
    frame_name = names["taxonomy"] if taxonomy_given else names["factors"]

    def unknown_review(file: str, frame: pd.DataFrame) -> pd.Series:
        known = pd.Series(_isin(frame["review_id"], review_keys), index=frame.index) | frame["review_id"].isna()
        bad = frame.loc[~known, "review_id"]
        problems.add_rows(
            file,
            bad.index,
            "review_id",
            bad.tolist(),
            [f"review '{v}' is not in {names['reviews']}. Fix: add the review there or correct the id." for v in bad],
        )
        return known

    if episodes is not None and review_keys is not None:
        unknown_review(names["episodes"], episodes)

    if factors is not None:
        review_known = pd.Series(True, index=factors.index)
        if review_keys is not None:
            review_known = unknown_review(names["factors"], factors)
        if episode_keys is not None:
            complete = factors["episode_id"].notna() & factors["review_id"].notna()
            ok = _in_keys(factors, ["review_id", "episode_id"], episode_keys)
            bad = factors[complete & review_known & ~ok]
            problems.add_rows(
                names["factors"],
                bad.index,
                "episode_id",
                bad["episode_id"].tolist(),
                [
                    f"review '{r}' has no episode '{e}' in {names['episodes']}. Fix: add the episode or correct the id."
                    for r, e in zip(bad["review_id"], bad["episode_id"], strict=True)
                ],
            )
        if taxonomy_given and code_keys is not None:
            known = _isin(factors["factor_code"], code_keys)
            bad = factors.loc[factors["factor_code"].notna() & ~known, "factor_code"]
            problems.add_rows(
                names["factors"],
                bad.index,
                "factor_code",
                bad.tolist(),
                [_unknown_code_message(v, code_keys, frame_name, taxonomy_given) for v in bad],
            )

    if findings is not None:
        review_known = pd.Series(True, index=findings.index)
        if review_keys is not None:
            review_known = unknown_review(names["findings"], findings)
        if episode_keys is not None:
            cited = split_list(findings.loc[review_known, "episode_ids"].dropna())
            keys = findings.loc[cited.index, "review_id"].fillna("") + _SEP + cited
            bad = cited[~_isin(keys, episode_keys)]
            reviews_of = findings.loc[bad.index, "review_id"]
            problems.add_rows(
                names["findings"],
                bad.index,
                "episode_ids",
                bad.tolist(),
                [
                    f"the finding cites episode '{e}', which review '{r}' does not have in {names['episodes']}. Fix: "
                    "correct the episode id."
                    for e, r in zip(bad, reviews_of, strict=True)
                ],
            )
        if code_keys is not None:
            cited = split_list(findings["factor_codes"].dropna())
            bad = cited[~_isin(cited, code_keys)]
            problems.add_rows(
                names["findings"],
                bad.index,
                "factor_codes",
                bad.tolist(),
                [_unknown_code_message(v, code_keys, frame_name, taxonomy_given) for v in bad],
            )

    if taxonomy is not None and taxonomy_given and readable.get("taxonomy"):
        _check_parents(taxonomy, code_keys, problems, names["taxonomy"])


def _unknown_code_message(code: str, known: pd.Index, frame_name: str, in_taxonomy: bool) -> str:
    close = difflib.get_close_matches(code, known.tolist(), n=1, cutoff=0.8) if len(known) < 5000 else []
    hint = f" Did you mean '{close[0]}'?" if close else ""
    if in_taxonomy:
        return f"factor code '{code}' is not in {frame_name}.{hint} Fix: correct the code or add it to the taxonomy."
    return f"factor code '{code}' is not coded on any episode in {frame_name}.{hint} Fix: correct the code."


def _check_parents(taxonomy: pd.DataFrame, codes: pd.Index, problems: ProblemList, file: str) -> None:
    parents = taxonomy["parent_code"]
    unknown = parents.notna() & ~parents.isin(codes)
    problems.add_rows(
        file,
        parents[unknown].index,
        "parent_code",
        parents[unknown].tolist(),
        [
            f"parent_code '{v}' is not a factor_code of {file}. Fix: add that code or correct it."
            for v in parents[unknown]
        ],
    )
    # Follow each code's parent chain; after len(codes) steps a chain still going is a cycle.
    parent_of = dict(zip(taxonomy["factor_code"], parents.where(~unknown), strict=True))
    parent_of = {c: p for c, p in parent_of.items() if isinstance(c, str) and isinstance(p, str)}
    current = {c: c for c in parent_of}
    for _ in range(len(parent_of) + 1):
        current = {c: parent_of[a] for c, a in current.items() if a in parent_of}
        if not current:
            break
    in_cycle = set(current)
    lines = taxonomy.index[taxonomy["factor_code"].isin(in_cycle)]
    problems.add_rows(
        file,
        lines,
        "parent_code",
        taxonomy.loc[lines, "parent_code"].tolist(),
        [
            f"code '{c}' is its own ancestor through parent_code. Fix: break the cycle."
            for c in taxonomy.loc[lines, "factor_code"]
        ],
    )


# --------------------------------------------------------------------------------------
# All the files of one set
# --------------------------------------------------------------------------------------


def check_set(
    tables: dict[str, TextTable | None], problems: ProblemList, *, taxonomy_given: bool
) -> dict[str, pd.DataFrame]:
    """Check the files of one set by every rule: each file alone, then the episodes, then references across files.

    Parameters
    ----------
    tables : dict
        The set's files as read, by name in :data:`~sce_analysis.reviewsets.contract.FILES`
        (None for a file that is absent or could not be read at all).
    problems : ProblemList
        Every problem found is added here.
    taxonomy_given : bool
        True when the set has its own taxonomy, which factor codes must then be in.

    Returns
    -------
    dict of DataFrame
        The typed frame of each file read, indexed by line, bad values missing.
    """
    typed = {name: check_table(table, problems) for name, table in tables.items() if table is not None}
    # Checks across files trust only files whose structure and required columns are sound.
    readable = {
        name: table.readable and not table.missing_required for name, table in tables.items() if table is not None
    }
    if "episodes" in typed and readable.get("episodes"):
        _check_episode_rules(typed["episodes"], problems, tables["episodes"].spec.filename)
    # Problems name each file as it was read: reviews.csv, reviews.parquet, or a path given.
    names = {name: tables[name].spec.filename if tables.get(name) else spec.filename for name, spec in FILES.items()}
    _check_references(typed, readable, problems, taxonomy_given, names)
    return typed
