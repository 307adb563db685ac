"""REFI-QDA projects written by hand, in the layouts the QDA programs write, for the import tests.

Two reviews coded the obvious way, in two layouts:

- ``"maxqda"`` (MAXQDA and ATLAS.ti): upper-case GUIDs (one in braces), texts in ``Sources/`` as
  ``internal://`` members, variables on cases, the coding frame grouped by level and category;
- ``"qualcoder"``: lower-case GUIDs, texts inline as ``PlainTextContent``, variables on the
  sources, episodes coded with a child of "Key practice episodes".

:func:`project_files` returns the ``project.qde`` text and the other members, which a test may
edit before :func:`write_archive` zips them. :data:`EXPECTED` is the set both must import to.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

TEXTS = {
    "Kelmscote-2019": (
        "Child K: learning review\n\n"
        "The strategy discussion was held by telephone. Police were not invited to it.\n\n"
        "The health visitor saw the baby at home and accepted the mother's account of the bruise.\n\n"
        "Professionals rely on what parents tell them when they cannot check it.\n"
    ),
    "Pellbridge-2021": "Child P: review\n\nThe school referral was made three weeks after the disclosure.\n",
}
#: The spans, as (review, snippet): each selection is the first occurrence of its snippet.
KPE1 = ("Kelmscote-2019", "The strategy discussion was held by telephone. Police were not invited to it.")
KPE2 = ("Kelmscote-2019", "The health visitor saw the baby at home and accepted the mother's account of the bruise.")
CASELOAD = ("Kelmscote-2019", "held by telephone")
FACE_VALUE = ("Kelmscote-2019", "accepted the mother's account")
FINDING = ("Kelmscote-2019", "Professionals rely on what parents tell them when they cannot check it.")
P_KPE = ("Pellbridge-2021", "The school referral was made three weeks after the disclosure.")
P_FACTOR = ("Pellbridge-2021", "three weeks after")

EXPECTED = {
    "reviews": [
        {
            "review_id": "Kelmscote-2019",
            "area": "Kelmscote",
            "year": 2019,
            "region": "North West",
            "review_type": "Local child safeguarding practice review",
        },
        {
            "review_id": "Pellbridge-2021",
            "area": "Pellbridge",
            "year": 2021,
            "region": "London",
            "review_type": "Serious case review",
        },
    ],
    "episodes": [
        ("Kelmscote-2019", "E1", 1, KPE1[1]),
        ("Kelmscote-2019", "E2", 2, KPE2[1]),
        ("Pellbridge-2021", "E1", 1, P_KPE[1]),
    ],
    # review, episode, factor_code, polarity, coder
    "factors": [
        ("Kelmscote-2019", "E1", "high_caseloads", None, "Ann"),
        ("Kelmscote-2019", "E1", "high_caseloads", None, "Ben"),
        ("Kelmscote-2019", "E2", "accepting_parents_accounts", "problematic", "Ann"),
        ("Pellbridge-2021", "E1", "delayed_referral", "good", "Ann"),
    ],
    "findings": [("Kelmscote-2019", "F1", "family_professional", FINDING[1], "Accounts taken at face value")],
    "taxonomy": [
        ("high_caseloads", "High caseloads", "frontline", "human_management"),
        ("accepting_parents_accounts", "Accepting parents' accounts", "frontline", "family_professional"),
        ("delayed_referral", "Delayed referral", "local_strategic", "multi_agency_longer_term"),
    ],
}


def span(where: tuple[str, str]) -> tuple[int, int]:
    review, snippet = where
    start = TEXTS[review].index(snippet)
    return start, start + len(snippet)


def _guid(n: int, style: str) -> str:
    text = f"{n:08x}-0000-4000-8000-{n:012x}"
    if style == "maxqda":
        text = text.upper()
        return "{" + text + "}" if n == 7 else text
    return text


def project_files(style: str) -> tuple[str, dict[str, bytes]]:
    """The ``project.qde`` text and the other members (name -> bytes) of the project in a layout."""
    g = lambda n: _guid(n, style)  # noqa: E731 - a short name keeps the XML below readable
    kpe_code = (
        f'<Code guid="{g(10)}" name="Key practice episode" isCodable="true"/>'
        if style == "maxqda"
        else f'<Code guid="{g(10)}" name="Key practice episodes" isCodable="false">'
        f'<Code guid="{g(11)}" name="Episode" isCodable="true"/></Code>'
    )
    kpe = 10 if style == "maxqda" else 11
    codebook = f"""<CodeBook><Codes>
  {kpe_code}
  <Code guid="{g(20)}" name="Contributory factors" isCodable="false">
    <Code guid="{g(21)}" name="Frontline" isCodable="false">
      <Code guid="{g(22)}" name="Management systems" isCodable="false">
        <Code guid="{g(23)}" name="High caseloads" isCodable="true"><Description>Too many cases.</Description></Code>
      </Code>
      <Code guid="{g(24)}" name="Family-professional interaction" isCodable="false">
        <Code guid="{g(25)}" name="Accepting parents' accounts" isCodable="true">
          <Code guid="{g(26)}" name="good" isCodable="true"/>
          <Code guid="{g(27)}" name="problematic" isCodable="true"/>
        </Code>
      </Code>
    </Code>
    <Code guid="{g(28)}" name="Local strategic" isCodable="false">
      <Code guid="{g(29)}" name="Longer-term work" isCodable="false">
        <Code guid="{g(30)}" name="Delayed referral" isCodable="true">
          <Code guid="{g(31)}" name="Good" isCodable="true"/>
        </Code>
      </Code>
    </Code>
  </Code>
  <Code guid="{g(40)}" name="Findings" isCodable="false">
    <Code guid="{g(41)}" name="Family-professional interaction" isCodable="true"/>
    <Code guid="{g(42)}" name="Tools" isCodable="true"/>
  </Code>
</Codes></CodeBook>"""
    users = f'<Users><User guid="{g(1)}" name="Ann"/><User guid="{g(2)}" name="Ben"/></Users>'
    variables = f"""<Variables>
  <Variable guid="{g(50)}" name="Area" typeOfVariable="Text"/>
  <Variable guid="{g(51)}" name="Year" typeOfVariable="Integer"/>
  <Variable guid="{g(52)}" name="Region" typeOfVariable="Text"/>
  <Variable guid="{g(53)}" name="Review type" typeOfVariable="Text"/>
</Variables>"""
    values = {
        "Kelmscote-2019": ("Kelmscote", "2019", "North West", "Local child safeguarding practice review"),
        "Pellbridge-2021": ("Pellbridge", "2021", "London", "Serious case review"),
    }

    def variable_values(review: str) -> str:
        area, year, region, kind = values[review]
        return (
            f'<VariableValue><VariableRef targetGUID="{g(50)}"/><TextValue>{area}</TextValue></VariableValue>'
            f'<VariableValue><VariableRef targetGUID="{g(51)}"/><IntegerValue>{year}</IntegerValue></VariableValue>'
            f'<VariableValue><VariableRef targetGUID="{g(52)}"/><TextValue>{region}</TextValue></VariableValue>'
            f'<VariableValue><VariableRef targetGUID="{g(53)}"/><TextValue>{kind}</TextValue></VariableValue>'
        )

    def selection(n: int, where, *codings: tuple[int, int | None], name: str = "", description: str = "") -> str:
        start, end = span(where)
        named = f' name="{name}"' if name else ""
        inner = f"<Description>{description}</Description>" if description else ""
        for k, (code, user) in enumerate(codings):
            by = f' creatingUser="{g(user)}"' if user else ""
            inner += f'<Coding guid="{g(n * 10 + k)}"{by}><CodeRef targetGUID="{g(code)}"/></Coding>'
        where_ = f'startPosition="{start}" endPosition="{end}"'
        return f'<PlainTextSelection guid="{g(n)}"{named} {where_}>{inner}</PlainTextSelection>'

    selections = {
        "Kelmscote-2019": [
            selection(100, KPE1, (kpe, 1)),
            selection(101, CASELOAD, (23, 1), (23, 2)),
            selection(102, KPE2, (kpe, 1)),
            selection(103, FACE_VALUE, (27, 1)),
            selection(104, FINDING, (41, 1), description="Accounts taken at face value"),
        ],
        "Pellbridge-2021": [selection(110, P_KPE, (kpe, 1)), selection(111, P_FACTOR, (31, 1))],
    }
    members: dict[str, bytes] = {}
    sources = []
    for number, review in enumerate(TEXTS, start=60):
        body = "".join(selections[review])
        if style == "maxqda":
            members[f"Sources/{g(number).strip('{}')}.txt"] = TEXTS[review].encode("utf-8")
            path = f"internal://{g(number).strip('{}')}.txt"
            sources.append(
                f'<TextSource guid="{g(number)}" name="{review}.docx" plainTextPath="{path}">{body}</TextSource>'
            )
        else:
            sources.append(
                f'<TextSource guid="{g(number)}" name="{review}.txt"><PlainTextContent>{_escape(TEXTS[review])}'
                f"</PlainTextContent>{body}{variable_values(review)}</TextSource>"
            )
    cases = ""
    if style == "maxqda":
        cases = (
            "<Cases>"
            + "".join(
                f'<Case guid="{g(70 + i)}" name="{review}">{variable_values(review)}'
                f'<SourceRef targetGUID="{g(60 + i)}"/></Case>'
                for i, review in enumerate(TEXTS)
            )
            + "</Cases>"
        )
    qde = (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<Project xmlns="urn:QDA-XML:project:1.0" name="Reviews" origin="{style}">'
        f"{users}{codebook}{variables}{cases}<Sources>{''.join(sources)}</Sources></Project>"
    )
    return qde, members


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace("'", "&apos;")


def write_archive(path: Path, qde: str | bytes, members: dict[str, bytes] | None = None) -> Path:
    """Zip ``project.qde`` and the members as a ``.qdpx`` file."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", qde if isinstance(qde, bytes) else qde.encode("utf-8"))
        for name, data in (members or {}).items():
            archive.writestr(name, data)
    return path


def build(path: Path, style: str) -> Path:
    """The project in a layout, written to ``path``."""
    return write_archive(path, *project_files(style))
