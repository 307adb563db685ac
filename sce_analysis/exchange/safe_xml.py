"""Untrusted zip archives and XML: the one place for the rules every importer follows.

An ``.xlsx`` workbook (and a REFI-QDA ``.qdpx`` project) is a zip archive of XML files, sent by
people we do not control. Two attacks make such a file cost far more than its size:

- a *zip bomb*: a member that a few kilobytes of deflate expand to gigabytes. :func:`check_zip`
  reads only the archive's directory (sizes the archive itself declares) and refuses, before
  anything is decompressed, a member or a whole archive too large, or compressed too well to be
  real data. :class:`CheckedArchive` (and :func:`read_member`) then decompresses members while
  counting, so that an archive whose directory lies is stopped at the limit too. A member whose
  path leaves the archive (``../``, an absolute path: a "zip slip") is refused as well.
- an *entity bomb* ("billion laughs"): XML entities that expand to gigabytes of text.
  :func:`parse_xml` parses with ``defusedxml``, which refuses entity declarations, external
  entities and DTDs outright. openpyxl uses defusedxml by itself when it is installed (it is a
  requirement of this package), and :func:`xml_refusal` turns what it raises into a sentence.

Both raise :class:`UntrustedFileError` (a :class:`~sce_analysis.errors.SceAnalysisError` and a
``ValueError``) with a message that names the file, the member and the fix; importers report it
as a problem of that file.
"""

from __future__ import annotations

import functools
import os
import re
import zipfile
import zlib
from pathlib import Path

from ..errors import SceAnalysisError
from ..reviewsets.limits import MAX_RATIO, MAX_UNPACKED_BYTES, RATIO_FLOOR

__all__ = [
    "UntrustedFileError",
    "MAX_MEMBER_BYTES",
    "MAX_TOTAL_BYTES",
    "MAX_RATIO",
    "MAX_MEMBERS",
    "check_zip",
    "member_path_problem",
    "CheckedArchive",
    "read_member",
    "parse_xml",
    "xml_refusal",
]

#: The largest uncompressed member accepted. The sheet of a national set's 200,000 codings, as
#: Excel writes it, is about 60 MiB; this leaves room for four times that.
MAX_MEMBER_BYTES = 256 * 2**20
#: The largest total uncompressed size of all members, and the ratio and floor below which a member
#: is never refused for its ratio: the limits of every reader of compressed files
#: (:mod:`~sce_analysis.reviewsets.limits`).
MAX_TOTAL_BYTES = MAX_UNPACKED_BYTES
#: The most members an archive may have.
MAX_MEMBERS = 10_000


class UntrustedFileError(SceAnalysisError, ValueError):
    """An untrusted archive or XML file was refused; the message names the file, the member and the fix.

    Attributes
    ----------
    file : str
        The file, as the caller labelled it.
    reason : str
        What was refused and the fix, without the file's name (for a problem that names the file itself).
    """

    def __init__(self, file: str, reason: str):
        self.file = file
        self.reason = reason
        super().__init__(f"{file}: {reason}")


def _mib(n: int) -> str:
    return f"{n / 2**20:,.0f} MiB" if n >= 2**20 else f"{n:,} bytes"


def check_zip(path: str | os.PathLike, *, label: str | None = None) -> list[zipfile.ZipInfo]:
    """Check a zip archive's directory before anything in it is decompressed; return its members.

    Parameters
    ----------
    path : str or path
        The archive (an ``.xlsx`` workbook, a ``.qdpx`` project).
    label : str, optional
        How messages name the file (default: its name).

    Raises
    ------
    UntrustedFileError
        When a member would decompress to more than :data:`MAX_MEMBER_BYTES`, all members to more
        than :data:`MAX_TOTAL_BYTES`, a member is compressed more than :data:`MAX_RATIO` times, or
        the archive has more than :data:`MAX_MEMBERS` members.
    zipfile.BadZipFile
        When the file is not a zip archive at all (callers report that as a damaged file).

    Examples
    --------
    >>> import io, tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = pathlib.Path(tmp, "bomb.xlsx")
    ...     with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
    ...         archive.writestr("xl/sharedStrings.xml", b" " * (8 * 2**20))
    ...     check_zip(path)
    Traceback (most recent call last):
    ...
    sce_analysis.exchange.safe_xml.UntrustedFileError: bomb.xlsx: the member xl/sharedStrings.xml ...
    """
    path = Path(path)
    name = label or path.name
    fix = (
        "Fix: open the file in the program that made it and save it again; if it did not come from a colleague, "
        "delete it."
    )
    with zipfile.ZipFile(path) as archive:
        members = archive.infolist()
    if len(members) > MAX_MEMBERS:
        raise UntrustedFileError(
            name, f"the archive holds {len(members):,} members, more than the {MAX_MEMBERS:,} a real file has. {fix}"
        )
    total = 0
    for info in members:
        why = member_path_problem(info.filename)
        if why:
            raise UntrustedFileError(
                name,
                f"the member {info.filename!r} {why}: unpacking it could write outside the folder, so the file "
                f"was not read (a 'zip slip'). {fix}",
            )
        size = info.file_size
        total += size
        if size > MAX_MEMBER_BYTES:
            raise UntrustedFileError(
                name,
                f"the member {info.filename} would decompress to {_mib(size)}, more than the "
                f"{_mib(MAX_MEMBER_BYTES)} allowed: it is probably a zip bomb and was not opened. {fix}",
            )
        ratio = size / max(info.compress_size, 1)
        if size > RATIO_FLOOR and ratio > MAX_RATIO:
            raise UntrustedFileError(
                name,
                f"the member {info.filename} would decompress {ratio:,.0f} times ({_mib(info.compress_size)} "
                f"to {_mib(size)}), more than real data ever does: it is probably a zip bomb and was not opened. {fix}",
            )
    if total > MAX_TOTAL_BYTES:
        raise UntrustedFileError(
            name,
            f"the archive would decompress to {_mib(total)} in all, more than the "
            f"{_mib(MAX_TOTAL_BYTES)} allowed: it is probably a zip bomb and was not opened. {fix}",
        )
    return members


def member_path_problem(name: str) -> str | None:
    """Why a member's path may not be used (it would leave the folder it is unpacked into), or None.

    >>> member_path_problem("../../etc/cron.d/x")
    "climbs out of the archive with '..'"
    """
    if "\x00" in name:
        return "holds a NUL character"
    if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name):
        return "is an absolute path"
    if ".." in re.split(r"[/\\]", name):
        return "climbs out of the archive with '..'"
    return None


class CheckedArchive:
    """A zip archive checked by :func:`check_zip`, whose members are read with a running total.

    The directory's sizes are checked before anything is unpacked; each read is stopped at
    :data:`MAX_MEMBER_BYTES`, and all reads together at :data:`MAX_TOTAL_BYTES`, so that an
    archive whose directory lies is stopped too. Use it as a context manager.

    Raises
    ------
    UntrustedFileError
        When the archive fails :func:`check_zip`, is not a complete zip archive, or a member cannot
        be unpacked or is larger than its directory entry said.
    """

    def __init__(self, path: str | os.PathLike, *, label: str | None = None):
        path = Path(path)
        self.label = label or path.name
        try:
            self.members = check_zip(path, label=self.label)
            self.zip = zipfile.ZipFile(path)
        except zipfile.BadZipFile as error:
            raise UntrustedFileError(
                self.label,
                f"is not a complete zip archive ({error}): the file is damaged or cut short. Fix: save or export "
                "it again from the program that made it.",
            ) from None
        self.total = 0

    @functools.cached_property
    def folded_names(self) -> dict[str, zipfile.ZipInfo]:
        """Members by lower-case name with ``/`` separators (tools differ in both)."""
        return {info.filename.replace("\\", "/").lower(): info for info in self.members}

    def __enter__(self) -> CheckedArchive:
        return self

    def __exit__(self, *exc) -> None:
        self.zip.close()

    def read(self, member: str | zipfile.ZipInfo) -> bytes:
        """A member, unpacked (``KeyError`` when the archive has no such member)."""
        name = member.filename if isinstance(member, zipfile.ZipInfo) else member
        try:
            with self.zip.open(member) as stream:
                data = stream.read(MAX_MEMBER_BYTES + 1)
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as error:
            raise UntrustedFileError(
                self.label, f"the member {name} cannot be unpacked ({error}): the file is damaged or cut short."
            ) from None
        self.total += len(data)
        if len(data) > MAX_MEMBER_BYTES or self.total > MAX_TOTAL_BYTES:
            raise UntrustedFileError(
                self.label,
                f"the member {name} decompresses to more than the archive says it holds (the limits are "
                f"{_mib(MAX_MEMBER_BYTES)} a member and {_mib(MAX_TOTAL_BYTES)} in all): the archive is forged "
                "and was not read. Fix: do not use this file.",
            )
        return data


def read_member(path: str | os.PathLike, member: str, *, label: str | None = None) -> bytes:
    """One member of a checked archive, unpacked (see :class:`CheckedArchive`).

    Raises
    ------
    UntrustedFileError
        As :class:`CheckedArchive`.
    KeyError
        When the archive has no such member.
    """
    with CheckedArchive(path, label=label) as archive:
        return archive.read(member)


def xml_refusal(error: BaseException) -> str | None:
    """The sentence for an XML refusal by defusedxml (an entity bomb, a DTD), or None for any other error."""
    import defusedxml

    # openpyxl wraps what defusedxml raises (IOError "could not read strings"): look along the chain.
    seen = set()
    while error is not None and not isinstance(error, defusedxml.DefusedXmlException) and id(error) not in seen:
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    if error is None or not isinstance(error, defusedxml.DefusedXmlException):
        return None
    kind = type(error).__name__  # EntitiesForbidden, DTDForbidden, ExternalReferenceForbidden
    return (
        f"its XML declares entities or a document type ({kind}: {error}). Excel never writes these; they "
        "are how an 'entity bomb' makes a small file expand to gigabytes, so the file was not read. "
        "Fix: open it in Excel and save it again as Excel Workbook (.xlsx), or delete it if it did not come from a "
        "colleague."
    )


def parse_xml(data: bytes | str, *, label: str):
    """Parse untrusted XML into an :class:`xml.etree.ElementTree.Element`, refusing entities and DTDs.

    Parameters
    ----------
    data : bytes or str
        The XML text, such as :func:`read_member` returns.
    label : str
        How messages name it, such as ``"project.qdpx › project.qde"``.

    Raises
    ------
    UntrustedFileError
        When the XML declares entities or a document type, or is not well-formed.

    Examples
    --------
    >>> parse_xml(b"<Project><Codes/></Project>", label="p.qde").tag
    'Project'
    >>> bomb = b'<!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]><x>&b;</x>'
    >>> parse_xml(bomb, label="p.qde")
    Traceback (most recent call last):
    ...
    sce_analysis.exchange.safe_xml.UntrustedFileError: p.qde: its XML declares entities or a document type ...
    """
    from xml.etree.ElementTree import ParseError

    from defusedxml.ElementTree import fromstring

    try:
        return fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except ParseError as error:
        raise UntrustedFileError(
            label, f"the XML is not well-formed ({error}). Fix: export the file again from the program that made it."
        ) from None
    except Exception as error:
        message = xml_refusal(error)
        if message is None:
            raise
        raise UntrustedFileError(label, message) from None
