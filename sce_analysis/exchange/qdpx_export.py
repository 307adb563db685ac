"""Writing a review set as a REFI-QDA project (``.qdpx``) for NVivo, ATLAS.ti, MAXQDA or QualCoder.

:func:`write_qdpx` writes one text source per review, laid out for reading:

.. code-block:: text

    Child H: serious case review

    Key practice episodes

    Strategy discussion: held by telephone between police and social care only
    A strategy discussion was held after new concerns about the child. ...

    Findings

    Agencies interpret the threshold document differently, so referrals ...
    How agencies respond together to incidents and crises ...

Each KPE's summary is a selection coded "Key practice episode" (named by its ``episode_id``) and
with its agencies; each coded factor is a selection of the same characters, coded with the factor
(or its "good" or "problematic" child) by its coder's user, with its agency and note. Each
finding's summary is a selection coded with its SCIE category. Columns that have no place in the
text (an episode's title and dates, a finding's title and lists) are written in the selection's
description as ``column: value`` lines, which
:func:`~sce_analysis.exchange.qdpx_import.read_qdpx` reads back. Review columns are variables on a
case per review. The codebook carries the coding frame, grouped by level, SCIE category and
factor type. GUIDs are derived from the set's IDs, so the same set gives the same bytes.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from ..reviewsets.contract import LEVEL_NAMES, SCIE_CATEGORIES, SCIE_CATEGORY_LABELS
from ..reviewsets.csvfiles import csv_text
from ..reviewsets.reviewset import ReviewSet
from .qdpx_map import QdpxMap, default_map
from .qdpx_project import Case, Code, Coding, Project, Selection, Source, Variable, derived_guid, write_project

__all__ = ["write_qdpx", "review_set_project"]

_EPISODE_DESCRIBED = ("title", "start_date", "end_date", "appraisal")
_FINDING_DESCRIBED = ("title", "episode_ids", "factor_codes", "issues_for_board")


def _guid(*parts: str) -> str:
    return derived_guid("sce-analysis", *parts)


def _description(row: dict, columns, *, summary_empty: bool) -> str:
    """``column: value`` lines for the non-empty columns (a value's own line breaks continue indented)."""
    lines = []
    for column in columns:
        value = row.get(column, "")
        if value:
            lines.append(f"{column}: " + value.replace("\r\n", "\n").replace("\n", "\n  "))
    if summary_empty:
        lines.append("summary:")
    return "\n".join(lines)


class _Text:
    """A source's text as it is written, piece by piece; :meth:`write` gives each piece's span."""

    def __init__(self):
        self.parts: list[str] = []
        self.position = 0

    def write(self, piece: str) -> tuple[int, int]:
        start = self.position
        self.parts.append(piece)
        self.position += len(piece)
        return start, self.position


class _Book:
    """The codebook being built: codes by GUID, in order."""

    def __init__(self, project: Project):
        self.project = project

    def add(self, key: str, name: str, parent: str | None, *, codable: bool = True, description: str = "") -> str:
        guid = _guid("code", key)
        if guid not in self.project.codes:
            self.project.codes[guid] = Code(guid, name, parent, description, codable)
            (self.project.codes[parent].children if parent else self.project.roots).append(guid)
        return guid


def review_set_project(rs: ReviewSet, *, mapping: QdpxMap | None = None, name: str | None = None) -> Project:
    """The REFI-QDA project of a review set (see the module's notes); :func:`write_qdpx` writes it."""
    mapping = mapping or default_map()
    project = Project(name=name or "Review set", origin="sce-analysis")
    book = _Book(project)
    reviews, episodes, factors = csv_text(rs.reviews), csv_text(rs.episodes), csv_text(rs.factors)
    findings, taxonomy = csv_text(rs.findings), csv_text(rs.taxonomy)

    for coder in dict.fromkeys(c for c in factors["coder"] if c):
        project.users[_guid("user", coder)] = coder
    episodes_root = book.add("episodes", mapping.episodes_root, None, codable=False)
    episode_code = book.add("episode", mapping.episode_codes[0], episodes_root)
    factor_codes = _write_frame(book, taxonomy, mapping)
    findings_root = book.add("findings", mapping.findings_root, None, codable=False)
    categories = {key: book.add(f"category:{key}", SCIE_CATEGORY_LABELS[key], findings_root) for key in SCIE_CATEGORIES}
    agencies = sorted(
        {a for v in episodes["agencies"] for a in v.split(";") if a} | {a for a in factors["agency"] if a}
    )
    agency_codes = {}
    if agencies:
        agencies_root = book.add("agencies", mapping.agencies_root, None, codable=False)
        agency_codes = {agency: book.add(f"agency:{agency}", agency, agencies_root) for agency in agencies}

    columns = [c for c in reviews.columns if c != "review_id" and (reviews[c] != "").any()]
    for column in columns:
        kind = "Integer" if column == "year" else "Text"
        project.variables[_guid("variable", column)] = Variable(_guid("variable", column), column, kind)
    labels = dict(zip(taxonomy["factor_code"], taxonomy["label"], strict=True))
    # Records grouped once: pandas is slow at many small groups.
    episodes_of = _grouped(episodes.assign(_order=rs.episodes["sequence"]).sort_values("_order", kind="stable"))
    factors_of = _grouped(factors, ("review_id", "episode_id"))
    findings_of = _grouped(findings)

    for review in reviews.to_dict("records"):
        review_id = review["review_id"]
        source = Source(guid=_guid("source", review_id), name=f"{review_id}.txt", text=None)
        project.cases.append(
            Case(
                _guid("case", review_id),
                review_id,
                {_guid("variable", c): review[c] for c in columns if review[c]},
                [source.guid],
            )
        )
        text = _Text()
        write = text.write
        write((review.get("title") or review_id) + "\n\n")
        kpes = episodes_of.get(review_id, [])
        if kpes:
            write("Key practice episodes\n\n")
        for kpe in kpes:
            span = _paragraph(write, kpe.get("title", ""), kpe.get("summary", ""))
            codings = [Coding(episode_code)] + [Coding(agency_codes[a]) for a in kpe["agencies"].split(";") if a]
            description = _description(kpe, _EPISODE_DESCRIBED, summary_empty=not kpe.get("summary"))
            key = (review_id, kpe["episode_id"])
            source.selections.append(
                Selection(_guid("kpe", *key), *span, name=kpe["episode_id"], description=description, codings=codings)
            )
            for number, factor in enumerate(factors_of.get(key, [])):
                code = factor_codes[factor["factor_code"]]
                if factor["polarity"]:
                    code = factor_codes[(factor["factor_code"], factor["polarity"])]
                user = _guid("user", factor["coder"]) if factor["coder"] else None
                coding = Coding(code, user)
                if factor["note"]:
                    note = _guid("note", *key, str(number))
                    project.notes[note] = factor["note"]
                    coding.notes.append(note)
                selection = Selection(_guid("factor", *key, str(number)), *span, codings=[coding])
                if factor["agency"]:
                    selection.codings.append(Coding(agency_codes[factor["agency"]], user))
                source.selections.append(selection)
        found = findings_of.get(review_id, [])
        if found:
            write("Findings\n\n")
            for finding in found:
                if finding["factor_codes"]:
                    items = finding["factor_codes"].split(";")
                    finding["factor_codes"] = ";".join(labels.get(item, item) for item in items)
                span = _paragraph(write, finding.get("title", ""), finding.get("summary", ""))
                description = _description(finding, _FINDING_DESCRIBED, summary_empty=not finding.get("summary"))
                source.selections.append(
                    Selection(
                        _guid("finding", review_id, finding["finding_id"]),
                        *span,
                        name=finding["finding_id"],
                        description=description,
                        codings=[Coding(categories[finding["category"]])],
                    )
                )
        source.text = "".join(text.parts)
        project.sources.append(source)
    return project


def _grouped(frame: pd.DataFrame, keys=("review_id",)) -> dict:
    """The frame's rows as dicts, in order, grouped by ``keys`` (one key: its value; more: a tuple)."""
    groups: dict = {}
    for row in frame.to_dict("records"):
        key = row[keys[0]] if len(keys) == 1 else tuple(row[k] for k in keys)
        groups.setdefault(key, []).append(row)
    return groups


def _paragraph(write, title: str, summary: str) -> tuple[int, int]:
    """Write a title line and a summary; return the summary's span (the title's when there is no summary)."""
    title_span = write(title + "\n") if title else None
    if summary:
        span = write(summary)
        write("\n\n")
        return span
    write("\n")
    return (title_span[0], title_span[1] - 1) if title_span else (0, 0)


def _write_frame(book: _Book, taxonomy: pd.DataFrame, mapping: QdpxMap) -> dict:
    """The coding frame under the factors root: level › SCIE category › factor type › factor › polarity."""
    root = book.add("factors", mapping.factors_root, None, codable=False)
    codes: dict = {}
    rows = taxonomy.to_dict("records")
    by_code = {row["factor_code"]: row for row in rows}
    parents = dict(zip(taxonomy["factor_code"], taxonomy["parent_code"], strict=True))

    def depth(code: str) -> int:
        seen = set()
        while parents.get(code) and code not in seen:
            seen.add(code)
            code = parents[code]
        return len(seen)

    # A factor's parent is written first, so that the factor can be nested in it.
    for row in sorted(rows, key=lambda row: depth(row["factor_code"])):
        parent, key, above = root, "factors", {}
        if row["parent_code"]:
            # Nested in its parent factor, under groups only where it differs from the parent.
            parent, key, above = codes[row["parent_code"]], f"factor:{row['parent_code']}", by_code[row["parent_code"]]
        for column, prefix, names in (
            ("level", "level", LEVEL_NAMES),
            ("scie_category", "category", SCIE_CATEGORY_LABELS),
            ("factor_type", "type", None),
        ):
            if row[column] and row[column] != above.get(column):
                key += f"|{prefix}:{row[column]}"
                parent = book.add(key, names[row[column]] if names else row[column], parent, codable=False)
        code = book.add(f"factor:{row['factor_code']}", row["label"], parent, description=row["description"])
        codes[row["factor_code"]] = code
        codes[(row["factor_code"], "good")] = book.add(f"good:{row['factor_code']}", mapping.good[0], code)
        codes[(row["factor_code"], "problematic")] = book.add(
            f"problematic:{row['factor_code']}", mapping.problematic[0], code
        )
    return codes


def write_qdpx(rs: ReviewSet, path: str | os.PathLike, *, overwrite: bool = False) -> Path:
    """Write a review set as a REFI-QDA project (``.qdpx``) that QDA programs import.

    Parameters
    ----------
    rs : ReviewSet
        The set.
    path : str or path
        The ``.qdpx`` file to write.
    overwrite : bool, default False
        Replace an existing file.

    Returns
    -------
    Path
        The file written. Its ``project.qde`` validates against the REFI-QDA ``Project.xsd``, and
        :func:`~sce_analysis.exchange.qdpx_import.read_qdpx` reads it back to the same reviews,
        episodes, codings (with coders) and findings (given the set's taxonomy, the same codes;
        findings are numbered ``F1``, ``F2`` ... in their order on import, as most sets number them).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> import sce_analysis as sce
    >>> from sce_analysis.exchange.qdpx_import import read_qdpx
    >>> rs = sce.load("data/sample").filter(areas="Ravensholt")
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = write_qdpx(rs, pathlib.Path(folder) / "Ravensholt.qdpx")
    ...     back = read_qdpx(path, taxonomy=rs)
    >>> back.factors[["review_id", "episode_id", "factor_code", "coder"]].equals(
    ...     rs.factors[["review_id", "episode_id", "factor_code", "coder"]])
    True
    """
    name = Path(path).stem
    return write_project(review_set_project(rs, name=name), path, overwrite=overwrite)
