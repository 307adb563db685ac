"""Untrusted zip archives and XML: the one place for the rules every importer follows.

An ``.xlsx`` workbook (and a REFI-QDA ``.qdpx`` project) is a zip archive of XML files, sent by
people we do not control. Two attacks make such a file cost far more than its size:

- a *zip bomb*: a member that a few kilobytes of deflate expand to gigabytes. :func:`check_zip`
  reads only the archive's directory (sizes the archive itself declares) and refuses, before
  anything is decompressed, a member or a whole archive too large, or compressed too well to be
  real data. :func:`read_member` then decompresses a member while counting, so that an archive
  whose directory lies is stopped at the limit too.
- an *entity bomb* ("billion laughs"): XML entities that expand to gigabytes of text.
  :func:`parse_xml` parses with ``defusedxml``, which refuses entity declarations, external
  entities and DTDs outright. openpyxl uses defusedxml by itself when it is installed (it is a
  requirement of this package), and :func:`xml_refusal` turns what it raises into a sentence.

Both raise :class:`UntrustedFileError` (a :class:`~sce_analysis.errors.SceAnalysisError` and a
``ValueError``) with a message that names the file, the member and the fix; importers report it
as a problem of that file.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

from ..errors import SceAnalysisError

__all__ = [
    "UntrustedFileError",
    "MAX_MEMBER_BYTES",
    "MAX_TOTAL_BYTES",
    "MAX_RATIO",
    "MAX_MEMBERS",
    "check_zip",
    "read_member",
    "parse_xml",
    "xml_refusal",
]

#: The largest uncompressed member accepted. The sheet of a national set's 200,000 codings, as
#: Excel writes it, is about 60 MiB; this leaves room for four times that.
MAX_MEMBER_BYTES = 256 * 2**20
#: The largest total uncompressed size of all members.
MAX_TOTAL_BYTES = 1024 * 2**20
#: The highest compression ratio accepted for a member of more than :data:`RATIO_FLOOR` bytes.
#: Real sheets compress 5 to 30 times; deflate cannot do better than about 1,030 times, which a
#: bomb of one repeated byte reaches.
MAX_RATIO = 200
#: Members smaller than this are never refused for their ratio (a small XML file of blanks is harmless).
RATIO_FLOOR = 1 * 2**20
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


def read_member(path: str | os.PathLike, member: str, *, label: str | None = None) -> bytes:
    """A member of a checked archive, decompressed; stopped at :data:`MAX_MEMBER_BYTES` whatever the directory says.

    Raises
    ------
    UntrustedFileError
        When the archive fails :func:`check_zip`, or the member is larger than its directory entry said.
    KeyError
        When the archive has no such member.
    """
    path = Path(path)
    name = label or path.name
    check_zip(path, label=label)
    with zipfile.ZipFile(path) as archive, archive.open(member) as stream:
        data = stream.read(MAX_MEMBER_BYTES + 1)
    if len(data) > MAX_MEMBER_BYTES:
        raise UntrustedFileError(
            name,
            f"the member {member} decompresses to more than {_mib(MAX_MEMBER_BYTES)} although the archive "
            "says it is smaller: the archive is forged and was not read. Fix: do not use this file.",
        )
    return data


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
