"""REFI-QDA project archives (``.qdpx``): read into a plain model, and written back from one.

A ``.qdpx`` file is a zip archive holding ``project.qde`` (XML in the namespace
:data:`NAMESPACE`, valid against the REFI-QDA ``Project.xsd``) and the project's sources, usually
under ``Sources/``, named by ``internal://NAME``. NVivo, ATLAS.ti, MAXQDA and QualCoder write it.
They differ in details this module hides: GUIDs in upper or lower case (with or without braces),
text inline (``PlainTextContent``) or in a member, variables on cases or on sources. Every GUID
in the model is lower case without braces.

The archive is untrusted. :func:`read_project` checks the zip's directory before anything is
decompressed (:func:`~sce_analysis.exchange.safe_xml.check_zip`), refuses members whose paths
leave the archive, counts what it decompresses against the same limits, and parses the XML with
defusedxml. A text kept outside the archive (``relative://``, ``absolute://``, ``file:``,
``http:``) is never opened or fetched: the source records why it has no text, and the importer
reports it.

This module knows nothing of review sets: :mod:`~sce_analysis.exchange.qdpx_import` maps a
project onto one, :mod:`~sce_analysis.exchange.qdpx_export` maps one onto a project.
"""

from __future__ import annotations

import hashlib
import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from ..reviewsets.folders import check_new_file, staged_file
from .safe_xml import MAX_MEMBER_BYTES, CheckedArchive, UntrustedFileError, member_path_problem, parse_xml

__all__ = [
    "NAMESPACE",
    "Code",
    "Coding",
    "Selection",
    "Source",
    "Case",
    "Variable",
    "Project",
    "read_project",
    "write_project",
    "project_xml",
    "normal_guid",
    "derived_guid",
]

#: The XML namespace of ``project.qde`` (QDA-XML 1.0).
NAMESPACE = "urn:QDA-XML:project:1.0"
_NS = "{" + NAMESPACE + "}"
#: Extensions a source's name may carry, dropped to give the review ID (``Kelmscote-2019.docx``).
DOCUMENT_EXTENSIONS = frozenset({".txt", ".docx", ".doc", ".rtf", ".odt", ".pdf", ".md", ".htm", ".html", ".qdpx"})
_FIX_EXPORT = "Fix: export the project again from the QDA program (File › Export › REFI-QDA Project)."


def normal_guid(value: str | None) -> str | None:
    """A GUID as the model keeps it: lower case, without braces (tools write either case, some in braces).

    >>> normal_guid("{6F9619FF-8B86-D011-B42D-00C04FC964FF}")
    '6f9619ff-8b86-d011-b42d-00c04fc964ff'
    """
    return None if value is None else value.strip().removeprefix("{").removesuffix("}").lower()


# ----------------------------------------------------------------------------------- the model


@dataclass
class Code:
    """A code of the codebook; ``parent`` is the GUID of the code it is nested in (None at the top)."""

    guid: str
    name: str
    parent: str | None = None
    description: str = ""
    codable: bool = True
    children: list[str] = field(default_factory=list)


@dataclass
class Coding:
    """A code applied to a selection by a user (``user`` is a user GUID, or None when not given)."""

    code: str
    user: str | None = None
    notes: list[str] = field(default_factory=list)
    guid: str | None = None


@dataclass
class Selection:
    """A span of a text source, ``start`` to ``end`` in characters of its plain text.

    ``problem`` says why the positions could not be read (they are then None).
    """

    guid: str
    start: int | None
    end: int | None
    name: str = ""
    description: str = ""
    codings: list[Coding] = field(default_factory=list)
    problem: str | None = None


@dataclass
class Source:
    """A text source (or a PDF's text representation); ``text`` is None when it could not be read.

    ``values`` maps variable GUIDs to values as written; ``text_problem`` says why there is no text.
    ``kind`` is ``"text"``, ``"pdf"`` (a PDF read through its text representation) or the tag of a
    source without text (``"PictureSource"`` ...), which has no selections here.
    """

    guid: str
    name: str
    text: str | None
    kind: str = "text"
    selections: list[Selection] = field(default_factory=list)
    values: dict[str, str] = field(default_factory=dict)
    text_problem: str | None = None
    codings: list[Coding] = field(default_factory=list)


@dataclass
class Case:
    """A case: variable values (GUID to value) and the sources it refers to (GUIDs)."""

    guid: str
    name: str
    values: dict[str, str] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)


@dataclass
class Variable:
    """A declared variable: its name and ``typeOfVariable`` (``Text``, ``Integer``, ...)."""

    guid: str
    name: str
    type: str = "Text"


@dataclass
class Project:
    """A REFI-QDA project, as far as review sets need it.

    Dicts keep the document's order; ``codes`` holds every code, nested or not, and ``roots``
    the GUIDs of the top-level codes. ``notes`` maps note GUIDs to their plain text.
    """

    name: str
    users: dict[str, str] = field(default_factory=dict)
    codes: dict[str, Code] = field(default_factory=dict)
    roots: list[str] = field(default_factory=list)
    variables: dict[str, Variable] = field(default_factory=dict)
    cases: list[Case] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    notes: dict[str, str] = field(default_factory=dict)
    origin: str = ""


# ----------------------------------------------------------------------------------- reading


def _strip_namespaces(root) -> None:
    """Give every element its local name, so that lookups need not know the namespace a tool used."""
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag[:1] == "{":
            element.tag = element.tag.rsplit("}", 1)[-1]


def _text_of(element, name: str) -> str:
    child = element.find(name)
    return (child.text or "") if child is not None else ""


def _find(archive: CheckedArchive, name: str) -> zipfile.ZipInfo | None:
    """The member ``internal://name`` refers to: under ``Sources/`` or at the top, in any case."""
    name = name.replace("\\", "/").lstrip("/").lower()
    return archive.folded_names.get(f"sources/{name}") or archive.folded_names.get(name)


def read_project(path: str | os.PathLike, *, label: str | None = None) -> Project:
    """Read a ``.qdpx`` archive (or a bare ``project.qde`` file) into a :class:`Project`.

    Parameters
    ----------
    path : str or path
        The ``.qdpx`` archive. A ``.qde`` file is read as the project XML alone: its sources must
        then hold their text inline.
    label : str, optional
        How messages name the file (default: its name).

    Raises
    ------
    UntrustedFileError
        When the archive is damaged or cut short, has a member whose path leaves the archive,
        decompresses past the limits of :mod:`~sce_analysis.exchange.safe_xml`, holds no
        ``project.qde``, or its XML declares entities or a DTD or is not well-formed. A source
        whose text cannot be read does not raise: its ``text_problem`` says why.
    """
    path = Path(path)
    label = label or path.name
    if path.suffix.lower() == ".qde":
        with open(path, "rb") as file:
            data = file.read(MAX_MEMBER_BYTES + 1)
        if len(data) > MAX_MEMBER_BYTES:
            raise UntrustedFileError(label, f"is larger than {MAX_MEMBER_BYTES // 2**20:,} MiB. {_FIX_EXPORT}")
        return _project(parse_xml(data, label=label), None, label)
    with CheckedArchive(path, label=label) as archive:
        qde = [info for info in archive.members if info.filename.lower().endswith(".qde") and "/" not in info.filename]
        if not qde:
            raise UntrustedFileError(
                label, f"holds no project.qde: it is not a REFI-QDA project (or it was cut short). {_FIX_EXPORT}"
            )
        qde.sort(key=lambda info: info.filename.lower() != "project.qde")
        root = parse_xml(archive.read(qde[0]), label=f"{label} › {qde[0].filename}")
        return _project(root, archive, label)


def _project(root, archive: CheckedArchive | None, label: str) -> Project:
    _strip_namespaces(root)
    if root.tag != "Project":
        raise UntrustedFileError(label, f"its project.qde holds <{root.tag}>, not a REFI-QDA <Project>. {_FIX_EXPORT}")
    project = Project(name=root.get("name", ""), origin=root.get("origin", ""))
    users = root.find("Users")
    for user in users.findall("User") if users is not None else []:
        project.users[normal_guid(user.get("guid", ""))] = (user.get("name") or user.get("id") or "").strip()
    book = root.find("CodeBook")
    codes = book.find("Codes") if book is not None else None
    if codes is not None:
        for code in codes.findall("Code"):
            project.roots.append(_read_code(code, None, project))
    variables = root.find("Variables")
    for variable in variables.findall("Variable") if variables is not None else []:
        guid = normal_guid(variable.get("guid", ""))
        project.variables[guid] = Variable(guid, variable.get("name", ""), variable.get("typeOfVariable", "Text"))
    cases = root.find("Cases")
    for case in cases.findall("Case") if cases is not None else []:
        project.cases.append(
            Case(
                normal_guid(case.get("guid", "")),
                case.get("name", ""),
                _values(case),
                [normal_guid(ref.get("targetGUID", "")) for ref in case.findall("SourceRef")],
            )
        )
    notes = root.find("Notes")
    for note in notes.findall("Note") if notes is not None else []:
        project.notes[normal_guid(note.get("guid", ""))] = _text_of(note, "PlainTextContent")
    sources = root.find("Sources")
    for element in list(sources) if sources is not None else []:
        project.sources.append(_read_source(element, archive))
    return project


def _read_code(element, parent: str | None, project: Project) -> str:
    guid = normal_guid(element.get("guid", ""))
    code = Code(
        guid=guid,
        name=(element.get("name") or "").strip(),
        parent=parent,
        description=_text_of(element, "Description").strip(),
        codable=(element.get("isCodable", "true").strip().lower() in {"true", "1"}),
    )
    project.codes[guid] = code
    code.children = [_read_code(child, guid, project) for child in element.findall("Code")]
    return guid


def _values(element) -> dict[str, str]:
    values = {}
    for value in element.findall("VariableValue"):
        ref = value.find("VariableRef")
        if ref is None:
            continue
        written = ""
        for child in value:
            if isinstance(child.tag, str) and child.tag.endswith("Value"):
                written = (child.text or "").strip()
        values[normal_guid(ref.get("targetGUID", ""))] = written
    return values


def _codings(element) -> list[Coding]:
    codings = []
    for coding in element.findall("Coding"):
        ref = coding.find("CodeRef")
        if ref is None:
            continue
        codings.append(
            Coding(
                normal_guid(ref.get("targetGUID", "")),
                normal_guid(coding.get("creatingUser")),
                [normal_guid(note.get("targetGUID", "")) for note in coding.findall("NoteRef")],
                normal_guid(coding.get("guid")),
            )
        )
    return codings


def _position(value: str | None, name: str) -> tuple[int | None, str | None]:
    if value is None:
        return None, f"has no {name}"
    try:
        return int(value.strip()), None
    except ValueError:
        return None, f"has {name} {value!r}, not a whole number"


def _read_source(element, archive: CheckedArchive | None) -> Source:
    kind = element.tag if isinstance(element.tag, str) else ""
    guid = normal_guid(element.get("guid", ""))
    name = (element.get("name") or "").strip()
    source = Source(guid=guid, name=name, text=None, kind="text", values=_values(element), codings=_codings(element))
    text_element = element
    if kind == "PDFSource":
        text_element = element.find("Representation")
        source.kind = "pdf"
        if text_element is None:
            source.text_problem = "is a PDF without a text representation"
            return source
    elif kind != "TextSource":
        source.kind = kind
        source.text_problem = f"is a {kind.removesuffix('Source').lower()} source, not text"
        return source
    source.text, source.text_problem = _source_text(text_element, archive)
    for selection in text_element.findall("PlainTextSelection"):
        start, start_problem = _position(selection.get("startPosition"), "startPosition")
        end, end_problem = _position(selection.get("endPosition"), "endPosition")
        source.selections.append(
            Selection(
                guid=normal_guid(selection.get("guid", "")),
                start=start,
                end=end,
                name=(selection.get("name") or "").strip(),
                description=_text_of(selection, "Description"),
                codings=_codings(selection),
                problem=start_problem or end_problem,
            )
        )
    return source


def _source_text(element, archive: CheckedArchive | None) -> tuple[str | None, str | None]:
    """The plain text of a text source, or None and why not."""
    inline = element.find("PlainTextContent")
    if inline is not None:
        return inline.text or "", None
    path = (element.get("plainTextPath") or "").strip()
    if not path:
        rich = element.get("richTextPath")
        if rich:
            return None, f"has only a rich-text file ({rich}) and no plain text. {_FIX_EXPORT}"
        return None, f"has no text (neither PlainTextContent nor plainTextPath). {_FIX_EXPORT}"
    if not path.lower().startswith("internal://"):
        return None, (
            f"keeps its text outside the project ({path}); it was not opened or fetched. Fix: export the project "
            "with its sources included in the .qdpx file."
        )
    name = path[len("internal://") :]
    why = member_path_problem(name)
    if why:
        return None, f"refers to the member {name!r}, which {why}; it was not read. {_FIX_EXPORT}"
    info = _find(archive, name) if archive is not None else None
    if info is None:
        return None, f"refers to {path}, which the archive does not hold. {_FIX_EXPORT}"
    data = archive.read(info)
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as error:
        return None, f"its text {info.filename} is not UTF-8 (byte {error.start:,}). {_FIX_EXPORT}"


# ----------------------------------------------------------------------------------- writing


def derived_guid(*parts: str) -> str:
    """A GUID derived from text (a name-based, version 5 layout): the same parts give the same GUID.

    Writers derive every GUID from the IDs of what it stands for, so the same set gives the same
    bytes. (A BLAKE2 hash, not :func:`uuid.uuid5`, which is ten times slower per GUID.)

    >>> derived_guid("source", "R0001") == derived_guid("source", "R0001") != derived_guid("source", "R0002")
    True
    """
    digest = bytearray(hashlib.blake2b("\x1f".join(parts).encode("utf-8"), digest_size=16).digest())
    digest[6] = (digest[6] & 0x0F) | 0x50
    digest[8] = (digest[8] & 0x3F) | 0x80
    h = digest.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def project_xml(project: Project, *, text_paths: dict[str, str] | None = None) -> bytes:
    """``project.qde`` for a project: UTF-8 XML valid against ``Project.xsd``, GUIDs in upper case.

    Sources whose GUID is in ``text_paths`` refer to their text by ``plainTextPath`` (such as
    ``internal://<guid>.txt``); the others hold it inline. A coding without a GUID gets one
    derived from its selection's.
    """
    from lxml import etree  # C serialisation: five times faster than ElementTree at 200,000 elements

    text_paths = text_paths or {}
    ns = _NS
    sub = etree.SubElement

    def write_code(parent, code: Code) -> None:
        element = sub(
            parent, ns + "Code", guid=code.guid.upper(), name=code.name, isCodable="true" if code.codable else "false"
        )
        if code.description:
            sub(element, ns + "Description").text = code.description
        for child in code.children:
            write_code(element, project.codes[child])

    def write_values(parent, values: dict[str, str]) -> None:
        for guid, value in values.items():
            element = sub(parent, ns + "VariableValue")
            sub(element, ns + "VariableRef", targetGUID=guid.upper())
            sub(element, f"{ns}{project.variables[guid].type}Value").text = value

    root = etree.Element(ns + "Project", nsmap={None: NAMESPACE}, name=project.name)
    if project.origin:
        root.set("origin", project.origin)
    if project.users:
        users = sub(root, ns + "Users")
        for guid, name in project.users.items():
            sub(users, ns + "User", guid=guid.upper(), name=name)
    if project.roots:
        codes = sub(sub(root, ns + "CodeBook"), ns + "Codes")
        for guid in project.roots:
            write_code(codes, project.codes[guid])
    if project.variables:
        variables = sub(root, ns + "Variables")
        for variable in project.variables.values():
            sub(
                variables, ns + "Variable", guid=variable.guid.upper(), name=variable.name, typeOfVariable=variable.type
            )
    if project.cases:
        cases = sub(root, ns + "Cases")
        for case in project.cases:
            element = sub(cases, ns + "Case", guid=case.guid.upper(), name=case.name)
            write_values(element, case.values)
            for source in case.sources:
                sub(element, ns + "SourceRef", targetGUID=source.upper())
    if project.sources:
        sources = sub(root, ns + "Sources")
        for source in project.sources:
            element = sub(sources, ns + "TextSource", guid=source.guid.upper(), name=source.name)
            if source.guid in text_paths:
                element.set("plainTextPath", text_paths[source.guid])
            else:
                sub(element, ns + "PlainTextContent").text = source.text or ""
            for selection in source.selections:
                child = sub(element, ns + "PlainTextSelection", guid=selection.guid.upper())
                if selection.name:
                    child.set("name", selection.name)
                child.set("startPosition", str(selection.start))
                child.set("endPosition", str(selection.end))
                if selection.description:
                    sub(child, ns + "Description").text = selection.description
                for number, coding in enumerate(selection.codings):
                    guid = coding.guid or derived_guid(selection.guid, "coding", str(number))
                    written = sub(child, ns + "Coding", guid=guid.upper())
                    if coding.user is not None:
                        written.set("creatingUser", coding.user.upper())
                    sub(written, ns + "CodeRef", targetGUID=coding.code.upper())
                    for note in coding.notes:
                        sub(written, ns + "NoteRef", targetGUID=note.upper())
            write_values(element, source.values)
    if project.notes:
        notes = sub(root, ns + "Notes")
        for guid, text in project.notes.items():
            sub(sub(notes, ns + "Note", guid=guid.upper()), ns + "PlainTextContent").text = text
    return etree.tostring(root, encoding="utf-8", xml_declaration=True, pretty_print=True)


#: The time stamp of every member written, so that the same project gives the same bytes.
_FIXED_TIME = (2000, 1, 1, 0, 0, 0)


def write_project(project: Project, path: str | os.PathLike, *, overwrite: bool = False) -> Path:
    """Write a project as a ``.qdpx`` archive: ``project.qde`` and one UTF-8 text per source.

    Each source's text is written to ``Sources/<GUID>.txt`` and referred to as ``internal://``.
    The archive is written beside ``path`` under a temporary name and renamed into place, so a
    failure never leaves half a file; the same project gives the same bytes.
    """
    path = check_new_file(path, suffix=".qdpx", example="reviews.qdpx", overwrite=overwrite)
    paths = {source.guid: f"{source.guid.upper()}.txt" for source in project.sources}
    xml = project_xml(project, text_paths={guid: f"internal://{name}" for guid, name in paths.items()})
    with staged_file(path) as temporary, zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("project.qde", _FIXED_TIME), xml, zipfile.ZIP_DEFLATED)
        for source in project.sources:
            member = zipfile.ZipInfo(str(PurePosixPath("Sources", paths[source.guid])), _FIXED_TIME)
            archive.writestr(member, (source.text or "").encode("utf-8"), zipfile.ZIP_DEFLATED)
    return path
