"""Scan a review set's free text for likely personal identifiers before it is shared.

Case reviews are published in anonymised form ("Child K", "the mother"), but coded review sets
are typed by people from documents that are not: a summary may keep a surname, a postcode or a
date of birth. :func:`scan` reads every CSV file of a review-set folder *as text* and looks for
identifiers in its free-text columns; ``sce-analysis scan FOLDER`` prints what it finds and exits 1.
It is a safety net, not a guarantee: a clean scan does not prove a set is anonymous.

What is scanned
---------------
Every ``*.csv`` file directly in the folder (not subfolders, not README files):

- in the five contract files, every column of kind ``text`` in :data:`sce_analysis.reviewsets.contract.FILES`
  (``area``, ``region``, ``review_type``, ``method``, ``title``, ``summary``, ``agency``, ``coder``,
  ``note``, ``issues_for_board``, ``label``, ``factor_type``, ``description``) and **every column
  the contract does not name** (users add free-text columns; a misspelt contract column is scanned
  too). Identifier, year, number, date, vocabulary, category and list columns are not free text
  and are skipped: the ISO dates of ``start_date`` and ``end_date`` never alarm;
- in any other CSV file, every column.

Line numbers are those a spreadsheet user sees, as in :func:`sce_analysis.validate`: the header is
line 1 and a value with a line break inside quotes still counts as one line. A UTF-8 byte-order
mark and CRLF line ends are normal input. A file that is not UTF-8 (a legacy Windows-1252 export
from Excel) gives one finding of kind ``unreadable`` at its first bad line; its cells are then
decoded one by one (UTF-8 where they are valid, Windows-1252 where not) and scanned anyway, so
an identifier in it is not missed. A UTF-16 file is likewise reported and scanned. An Excel
workbook renamed to ``.csv``, a file with NUL bytes or a value too long to be real (the checks
:func:`sce_analysis.load` makes, naming the line and column), and a CSV structure the ``csv``
module cannot parse (usually an unclosed quote) are reported as ``unreadable`` too, never as a
traceback. A file that is a symbolic link to somewhere outside the folder is reported as
``unreadable`` and not read, as :func:`sce_analysis.load` refuses it.

Detectors (:data:`KINDS`)
-------------------------
Every detector is a regular expression run once over all distinct free-text values joined into
one string (so templated text repeated thousands of times is searched once), followed by a check
of each candidate; the work is linear in the size of the text. No network, no model.

``postcode``
    A UK postcode: outward code ``A9``, ``A99``, ``AA9``, ``AA99``, ``A9A`` or ``AA9A`` (with the
    letters the Royal Mail allows in each position), an optional space, and an inward code ``9AA``;
    or ``GIR 0AA``. Case-insensitive, with or without the space. It must stand alone: no letter or
    digit directly before or after it (``KPE12AB`` and ``XSW1A1AAX`` do not match). A lower-case
    inward part that reads as an ordinal (``Y1 2nd``) is not a postcode.
``nhs_number``
    Ten digits, written together or grouped 3-3-4 with one kind of separator (space or hyphen),
    standing alone, whose tenth digit is the NHS modulus-11 check digit: weights 10 … 2 on the
    first nine digits, check = 11 − (sum mod 11), 11 → 0, 10 → invalid. Ten equal digits
    (``0000000000`` passes the checksum) are rejected. About 1 in 11 random ten-digit strings
    passes the checksum, so an unrelated reference number may still alarm.
``phone``
    A UK telephone number: ``0`` or ``+44``/``0044`` (optionally with ``(0)``), then an area or
    mobile prefix starting 1, 2, 3, 5, 7, 8 or 9, then two groups of 3–4 digits, with optional
    spaces, hyphens and brackets around the area code (``020 7946 0000``, ``(0161) 496 0000``,
    ``07700 900123``, ``+44 (0)161 496 0000``, ``01632960000``). The national number must have
    9 or 10 digits after the leading 0. Years, ranges (``2019-2020``), dates, decimals (``0.05``),
    ``KPE3`` and counts never start with ``0`` followed by a valid prefix and 9–10 digits.
``email``
    ``local@domain.tld``: a local part of letters, digits and ``._%+-``, a domain of one or more
    dot-separated labels and an alphabetic top-level domain of at least two letters.
``date_of_birth``
    A *full* date (day, month and year; a bare year or a month and year never alarms) in one of
    the forms ``dd/mm/yyyy``, ``dd-mm-yyyy``, ``dd.mm.yyyy``, ``dd/mm/yy``, ``yyyy-mm-dd``,
    ``yyyy/mm/dd``, ``3 March 2014``, ``3rd of Mar 2014`` and ``March 3, 2014``, with a valid day
    and month. It is flagged when

    1. it is a numeric day-first date with a four-digit year (``12/03/2014``, ``12-3-2014``,
       ``12.03.2014``), wherever it is: that is how case-management systems print a date of
       birth, and a review's chronology belongs in ``start_date`` and ``end_date``, not in free
       text; or
    2. any other full date has a cue within 40 characters before it or 25 after it in the same
       value: ``born``, ``birth``, ``birthday``, ``birthdate``, ``DOB``, ``D.O.B``, ``aged``.

    So "the strategy meeting on 2014-03-12" and "seen on 3 March 2014" do not alarm, while
    "DOB 2014-03-12" and "born on 3 March 2014" do.
``person_name``
    A conservative heuristic for names written in full. A capitalised word followed, after spaces
    on the same line, by a capitalised surname-like word (``Smith``, ``O'Brien``, ``McDonald``,
    ``Smith-Jones``; at least two letters, so ``Ms A`` and ``Child K`` never match) is a name when

    1. the first word is an honorific: ``Mr``, ``Mrs``, ``Ms``, ``Miss``, ``Mx``, ``Dr``,
       ``Prof``, ``Professor``, ``Rev``, ``Revd``, ``Sir`` or ``Dame`` (with or without a full
       stop); or
    2. the first word is one of :data:`GIVEN_NAMES`, about 240 common UK given names (accents
       ignored), from which names that are also ordinary words or place names (Will, May, Mark,
       Grace, Hope, Victoria, Jordan, Holly, Poppy, …) are left out;

    and the second word is not in :data:`STOP_WORDS`, words that turn a name into a service or a
    place: ``Children's``, ``Social``, ``Care``, ``Health``, ``Police``, ``Court``, ``Council``,
    ``Board``, ``Team``, ``Hospital``, ``School``, ``Street``, ``North``, ``Yorkshire``, …
    (``Dr Barnardo's`` and ``Elizabeth Hospital`` do not alarm). Adjacent hits are merged:
    ``Mr John Smith`` is one finding. A given name alone (``Jessica was seen``), a surname alone
    and lower-case names are *not* found; anonymised references (``Child K``, ``Baby A``,
    ``Mother``, ``Father``, ``Child A's``) never match.

When hits of different kinds overlap in one value, the first kind of :data:`KINDS` is kept (an
email address is not also a name; a valid NHS number written ``0123456789`` is not also a phone
number). Hits of the same kind that overlap or touch are merged.

Measured false-positive rate
----------------------------
The shipped sample (``data/sample``: 80 reviews, 2,499 data lines, 5,920 non-empty values in 17
free-text columns) gives **0 findings**. Synthetic sets of 1,000 reviews from
:func:`sce_analysis.synthetic.generate` (``double_coded_share=0.1``) with seeds 1, 2, 3, 7 and 42
(about 6,500 episodes, 18,400 factor rows and 4,500 findings each; about 72,000 free-text values
each) give **0 findings** each, and so do the 1,185 lines of prose of the project's domain brief,
data contract, style guide, READMEs and notebooks. That text is templated, so this bounds
the rate on its vocabulary only; on real case-review prose the name heuristic will flag names of
public figures and authors (``Professor Munro``, ``Dr Smith`` in a reference) and the
``date_of_birth`` rule will flag numeric day-first event dates. Those are alarms a person should
look at before sharing, which is the purpose of the scan.

Examples
--------
>>> scan("data/sample").empty
True
>>> find_identifiers(["Seen by Dr Patel at 12 High St, SW1A 1AA; call 020 7946 0000."])[["kind", "match"]]
          kind          match
0  person_name       Dr Patel
1     postcode       SW1A 1AA
2        phone  020 7946 0000
"""

from __future__ import annotations

import csv
import io
import os
import re
import sys
import unicodedata
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import ParameterError
from ..reviewsets.contract import FILES
from ..reviewsets.csvfiles import hostile_bytes, legacy_text, raw_header
from ..reviewsets.folders import link_outside_message, links_outside
from ..reviewsets.problems import ProblemList

__all__ = ["GIVEN_NAMES", "KINDS", "STOP_WORDS", "UNREADABLE", "find_identifiers", "format_findings", "main", "scan"]

#: The detectors, in order of precedence when two of them match overlapping text.
KINDS: tuple[str, ...] = ("email", "nhs_number", "phone", "date_of_birth", "postcode", "person_name")
#: The kind of finding for a file that cannot be read as UTF-8 CSV text.
UNREADABLE = "unreadable"

#: Columns of the frame that :func:`scan` returns.
COLUMNS: tuple[str, ...] = ("file", "line", "column", "kind", "match", "context")

_CONTEXT = 30  # characters of context on either side of a match
_SEP = "\x00"  # joins values into one string; NUL is neither a word character nor whitespace

# ======================================================================================
# Word lists
# ======================================================================================

# fmt: off
#: Common UK given names (boys' and girls' names of the last fifty years, from public knowledge).
#: Names that are also ordinary English words or places (Will, May, June, April, Mark, Grace, Hope,
#: Faith, Joy, Dawn, Rose, Holly, Poppy, Daisy, Ruby, Ivy, Amber, Victoria, Florence, Jordan,
#: Chelsea, Mason, Harper, ...) are left out on purpose: the heuristic is conservative.
GIVEN_NAMES: tuple[str, ...] = (
    # boys and men
    "Aaron", "Adam", "Adrian", "Ahmed", "Aidan", "Aiden", "Alan", "Albert", "Alexander", "Alfie", "Ali",
    "Andrew", "Anthony", "Archie", "Arthur", "Ashley", "Barry", "Benjamin", "Bradley", "Brandon", "Brian",
    "Callum", "Cameron", "Carl", "Charles", "Charlie", "Christopher", "Colin", "Connor", "Craig", "Damian",
    "Damien", "Daniel", "Darren", "David", "Declan", "Dylan", "Edward", "Elijah", "Ethan", "Euan", "Ewan",
    "Finley", "Frankie", "Freddie", "Gareth", "Gary", "George", "Graham", "Hamza", "Harrison", "Harry",
    "Hassan", "Henry", "Ibrahim", "Isaac", "Jack", "Jacob", "Jake", "James", "Jamie", "Jason", "Jayden",
    "John", "Jonathan", "Joseph", "Joshua", "Karl", "Keith", "Kevin", "Kieran", "Kyle", "Leo", "Lewis",
    "Liam", "Logan", "Louie", "Lucas", "Luke", "Marcus", "Martin", "Matthew", "Michael", "Mohamed",
    "Mohammad", "Mohammed", "Muhammad", "Nathan", "Neil", "Nicholas", "Noah", "Oliver", "Omar", "Oscar",
    "Owen", "Patrick", "Paul", "Peter", "Philip", "Phillip", "Reece", "Rhys", "Richard", "Riley", "Robert",
    "Ryan", "Samuel", "Scott", "Sean", "Sebastian", "Shane", "Shaun", "Simon", "Stephen", "Steven", "Stuart",
    "Terence", "Theo", "Theodore", "Thomas", "Timothy", "Toby", "Tommy", "Tony", "Tyler", "Wayne", "William",
    "Yusuf", "Zachary",
    # girls and women
    "Abigail", "Aisha", "Alice", "Alison", "Amanda", "Amelia", "Amira", "Amy", "Angela", "Anna", "Ava",
    "Ayesha", "Bethany", "Caitlin", "Caroline", "Catherine", "Chantelle", "Charlene", "Charlotte", "Chloe",
    "Claire", "Courtney", "Danielle", "Deborah", "Donna", "Eleanor", "Elizabeth", "Ella", "Ellie", "Elsie",
    "Emily", "Emma", "Erin", "Esme", "Eva", "Evelyn", "Evie", "Fatima", "Freya", "Gemma", "Georgia", "Hannah",
    "Harriet", "Hayley", "Helen", "Imogen", "Isabella", "Isabelle", "Isla", "Jacqueline", "Jade", "Jennifer",
    "Jessica", "Joanna", "Joanne", "Jodie", "Julie", "Karen", "Katherine", "Katie", "Kayleigh", "Kelly",
    "Kerry", "Kimberley", "Kirsty", "Laura", "Lauren", "Layla", "Leah", "Leanne", "Linda", "Lisa", "Lorraine",
    "Louise", "Lucy", "Maisie", "Margaret", "Maria", "Martha", "Mary", "Maryam", "Matilda", "Maya", "Megan",
    "Melissa", "Mia", "Michelle", "Millie", "Molly", "Nadia", "Natalie", "Natasha", "Niamh", "Nicola",
    "Nicole", "Olivia", "Paige", "Patricia", "Phoebe", "Rachel", "Rebecca", "Rosie", "Sadie", "Samantha",
    "Sarah", "Scarlett", "Shannon", "Sharon", "Sienna", "Sophia", "Sophie", "Stacey", "Susan", "Tina",
    "Tracey", "Tracy", "Wendy", "Zara", "Zoe",
)

#: Words that, after a given name or an honorific, make a service, a place or a role rather than
#: a person ("George Street", "Elizabeth Hospital", "Dr Barnardo's"). Compared without a final 's.
STOP_WORDS: frozenset[str] = frozenset({
    # services and agencies
    "Academy", "Agency", "Association", "Authority", "Barnardo", "Board", "Care", "Centre", "Center",
    "Charity", "Children", "Clinic", "College", "Commission", "Committee", "Community", "Constabulary",
    "Council", "Court", "Department", "Directorate", "Foundation", "Fund", "Group", "Health", "Hospice",
    "Hospital", "Infirmary", "Institute", "Junior", "Limited", "Ltd", "Medical", "Nursery", "Panel",
    "Partnership", "Police", "Practice", "Primary", "Probation", "Programme", "Project", "Review", "Safeguarding",
    "School", "Service", "Services", "Social", "Society", "Surgery", "Team", "Trust", "Unit", "University",
    "Ward", "Wing", "Report", "Act", "Award", "Memorial", "Lecture", "Infants", "Infant",
    # family roles and anonymised references
    "Baby", "Child", "Family", "Families", "Father", "Mother", "Parent", "Parents", "Partner", "Sibling",
    "Siblings", "Stepfather", "Stepmother", "Grandmother", "Grandfather", "Aunt", "Uncle", "Carer",
    # places and streets
    "Avenue", "Bridge", "Building", "Buildings", "Chapel", "Church", "Close", "Crescent", "Dock", "Drive",
    "Estate", "Gardens", "Green", "Hall", "House", "Lane", "Library", "Mosque", "Palace", "Park", "Place",
    "Road", "Square", "Station", "Street", "Temple", "Terrace", "Tower", "Way", "Walk",
    # regions and areas
    "Area", "Borough", "City", "County", "District", "East", "England", "Midlands", "North", "Region",
    "Scotland", "South", "Town", "Village", "Wales", "West", "Yorkshire", "London", "Ireland", "Kingdom",
    "Northern", "Southern", "Eastern", "Western", "Central", "Greater",
    # function words that start a clause in title case or after a name at a sentence end
    "The", "And", "But", "For", "With", "From", "This", "That", "These", "Those", "When", "Where", "What",
    "Why", "How", "Who", "Which", "There", "Then", "She", "They", "His", "Her", "Their", "Its", "Our",
    "Not", "All", "Any", "Each", "Every", "Was", "Were", "Had", "Has", "Have", "Did", "Does", "Said",
})
# fmt: on

_HONORIFICS: frozenset[str] = frozenset(
    {"Mr", "Mrs", "Ms", "Miss", "Mx", "Dr", "Prof", "Professor", "Rev", "Revd", "Sir", "Dame"}
)
_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sept", "sep"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}

# ======================================================================================
# Patterns
# ======================================================================================

_POSTCODE = re.compile(
    r"(?<![A-Za-z0-9])"
    r"(?:GIR[ \t]?0AA"
    r"|[A-PR-UWYZ](?:[0-9][0-9]?|[A-HK-Y][0-9][0-9]?|[0-9][A-HJKPSTUW]|[A-HK-Y][0-9][ABEHMNPRVWXY])"
    r"[ \t]?(?-i:(?![0-9](?:st|nd|rd|th)(?![A-Za-z0-9])))[0-9][ABD-HJLNP-UW-Z]{2})"
    r"(?![A-Za-z0-9])",
    re.IGNORECASE,
)
_NHS = re.compile(r"(?<![0-9A-Za-z./-])([0-9]{3})([ \t-]?)([0-9]{3})\2([0-9]{4})(?![0-9A-Za-z]|[./-][0-9])")
_PHONE = re.compile(
    r"(?<![0-9A-Za-z+/.-])"
    r"(?:(?:\+|00)44[ \t-]?(?:\(0\)[ \t-]?)?(?:\([1-35789][0-9]{1,3}\)|[1-35789][0-9]{1,3})"
    r"|\(0[1-35789][0-9]{1,3}\)|0[1-35789][0-9]{1,3})"
    r"[ \t-]?[0-9]{3,4}[ \t-]?[0-9]{3,4}"
    r"(?![0-9A-Za-z]|[./-][0-9])"
)
_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}(?![A-Za-z0-9-])",
)
_END = r"(?![0-9A-Za-z/-]|\.[0-9])"
_DATE_DMY = re.compile(
    r"(?<![0-9A-Za-z/.-])(?P<d>[0-9]{1,2})(?P<s>[/.-])(?P<m>[0-9]{1,2})(?P=s)(?P<y>[0-9]{4}|[0-9]{2})" + _END
)
_DATE_YMD = re.compile(r"(?<![0-9A-Za-z/.-])(?P<y>[0-9]{4})(?P<s>[/.-])(?P<m>[0-9]{1,2})(?P=s)(?P<d>[0-9]{1,2})" + _END)
_MONTH_NAMES = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DATE_D_MONTH_Y = re.compile(
    rf"(?<![0-9A-Za-z])(?P<d>[0-9]{{1,2}})(?:st|nd|rd|th)?[ \t]+(?:of[ \t]+)?(?P<mon>(?i:{_MONTH_NAMES}))\.?,?"
    r"[ \t]+(?P<y>[0-9]{4})(?![0-9])"
)
_DATE_MONTH_D_Y = re.compile(
    rf"(?<![A-Za-z])(?P<mon>(?i:{_MONTH_NAMES}))\.?[ \t]+(?P<d>[0-9]{{1,2}})(?:st|nd|rd|th)?,?[ \t]+"
    r"(?P<y>[0-9]{4})(?![0-9])"
)
_DOB_CUE = re.compile(r"\b(?:born|birth(?:day|date)?|dob|d\.o\.b\b\.?|aged)\b", re.IGNORECASE)
_CUE_BEFORE, _CUE_AFTER = 40, 25

_UPPER, _LOWER = "A-ZÀ-ÖØ-Þ", "a-zß-öø-ÿ"
_NAME_CANDIDATE = re.compile(
    rf"(?<![\w'’.-])(?P<first>[{_UPPER}][{_LOWER}]+)(?P<dot>\.?)"
    rf"(?=[ \t\u00a0]+(?P<second>[{_UPPER}](?:[{_LOWER}]+(?:['’-]?[{_UPPER}][{_LOWER}]+)*|['’][{_UPPER}][{_LOWER}]+))"
    r"(?![\w]))"
)


def _fold_accents(word: str) -> str:
    if word.isascii():
        return word
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


_GIVEN = frozenset(GIVEN_NAMES)

# ======================================================================================
# Detectors: each takes the joined text and yields accepted (start, end) spans
# ======================================================================================


def _postcodes(big: str, bounds) -> Iterable[tuple[int, int]]:
    return (m.span() for m in _POSTCODE.finditer(big))


def _nhs_numbers(big: str, bounds) -> Iterable[tuple[int, int]]:
    matches = list(_NHS.finditer(big))
    if not matches:
        return []
    digits = np.array([[int(c) for c in m[1] + m[3] + m[4]] for m in matches])
    total = digits[:, :9] @ np.arange(10, 1, -1)
    check = 11 - total % 11
    check = np.where(check == 11, 0, check)
    valid = (check != 10) & (check == digits[:, 9]) & (digits != digits[:, :1]).any(axis=1)
    return [m.span() for m, ok in zip(matches, valid, strict=True) if ok]


def _phones(big: str, bounds) -> Iterable[tuple[int, int]]:
    for m in _PHONE.finditer(big):
        digits = re.sub(r"[^0-9]", "", m[0])
        if digits.startswith("0044"):
            digits = digits[2:]
        if digits.startswith("44"):
            national = digits[2:]
            national = national[1:] if national.startswith("0") else national
        else:
            national = digits[1:]
        if len(national) in (9, 10):
            yield m.span()


def _emails(big: str, bounds) -> Iterable[tuple[int, int]]:
    return (m.span() for m in _EMAIL.finditer(big))


def _valid_day_month(day: int, month: int) -> bool:
    return 1 <= day <= 31 and 1 <= month <= 12


def _dates_of_birth(big: str, bounds) -> Iterable[tuple[int, int]]:
    starts, ends = bounds

    def has_cue(start: int, end: int) -> bool:
        i = np.searchsorted(starts, start, side="right") - 1
        before = big[max(starts[i], start - _CUE_BEFORE) : start]
        after = big[end : min(ends[i], end + _CUE_AFTER)]
        return bool(_DOB_CUE.search(before) or _DOB_CUE.search(after))

    for m in _DATE_DMY.finditer(big):
        day, month, year = int(m["d"]), int(m["m"]), m["y"]
        # Day first; a month-first (US) date is a date too.
        if not (_valid_day_month(day, month) or _valid_day_month(month, day)):
            continue
        if len(year) == 4 and 1900 <= int(year) <= 2099 or has_cue(*m.span()):
            yield m.span()
    for m in _DATE_YMD.finditer(big):
        if 1900 <= int(m["y"]) <= 2099 and _valid_day_month(int(m["d"]), int(m["m"])) and has_cue(*m.span()):
            yield m.span()
    for pattern in (_DATE_D_MONTH_Y, _DATE_MONTH_D_Y):
        for m in pattern.finditer(big):
            if 1 <= int(m["d"]) <= 31 and 1900 <= int(m["y"]) <= 2099 and has_cue(*m.span()):
                yield m.span()


def _person_names(big: str, bounds) -> Iterable[tuple[int, int]]:
    for m in _NAME_CANDIDATE.finditer(big):
        second = m["second"]
        if second in STOP_WORDS or _fold_accents(second) in STOP_WORDS:
            continue
        first = m["first"]
        if first in _HONORIFICS or (not m["dot"] and _fold_accents(first) in _GIVEN):
            yield m.start(), m.end("second")


_DETECTORS = {
    "postcode": _postcodes,
    "nhs_number": _nhs_numbers,
    "phone": _phones,
    "email": _emails,
    "date_of_birth": _dates_of_birth,
    "person_name": _person_names,
}
assert set(_DETECTORS) == set(KINDS)

# ======================================================================================
# Finding identifiers in a list of texts
# ======================================================================================


def find_identifiers(texts: Iterable[str]) -> pd.DataFrame:
    """Find likely personal identifiers in each of ``texts``.

    Parameters
    ----------
    texts : iterable of str
        The values to search, such as the cells of a free-text column.

    Returns
    -------
    pandas.DataFrame
        One row per finding, ordered by text and position, with columns

        - ``text``: position of the text in ``texts`` (0-based);
        - ``start``, ``end``: where the match is within that text (``text[start:end]``);
        - ``kind``: one of :data:`KINDS`;
        - ``match``: the matched text.

    Examples
    --------
    >>> find_identifiers(["Child K was seen by Mrs O'Brien.", "Mother said Child K's DOB was 02/03/2015"])
       text  start  end           kind       match
    0     0     20   31    person_name  Mrs O'Brien
    1     1     30   40  date_of_birth  02/03/2015
    """
    texts = [str(t).replace(_SEP, " ") for t in texts]
    columns = ["text", "start", "end", "kind", "match"]
    if not texts:
        return _empty(columns)
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    starts = np.concatenate([[0], np.cumsum(lengths + 1)[:-1]])
    ends = starts + lengths
    big = _SEP.join(texts)
    found_start, found_end, found_rank = [], [], []
    for rank, kind in enumerate(KINDS):
        for start, end in _DETECTORS[kind](big, (starts, ends)):
            found_start.append(start)
            found_end.append(end)
            found_rank.append(rank)
    if not found_start:
        return _empty(columns)
    g_start, g_end, rank = _resolve_overlaps(
        np.array(found_start, dtype=np.int64), np.array(found_end, dtype=np.int64), np.array(found_rank)
    )
    which = np.searchsorted(starts, g_start, side="right") - 1
    frame = pd.DataFrame(
        {
            "text": which,
            "start": g_start - starts[which],
            "end": g_end - starts[which],
            "kind": np.array(KINDS, dtype=object)[rank],
            "match": [big[s:e] for s, e in zip(g_start, g_end, strict=True)],
        }
    )
    return frame.sort_values(["text", "start"], kind="stable").reset_index(drop=True)


def _resolve_overlaps(start: np.ndarray, end: np.ndarray, rank: np.ndarray):
    """Merge overlapping or touching hits of one kind; drop a hit that overlaps one of an earlier kind.

    Positions are in the joined text, where no hit spans two values, so no value is needed.
    Returns the kept hits as arrays ``(start, end, rank)``, sorted by start.
    """
    kept_start = np.empty(0, dtype=np.int64)
    kept_end = np.empty(0, dtype=np.int64)
    kept_rank = np.empty(0, dtype=np.int64)
    for r in np.unique(rank):  # KINDS order: earlier kinds win
        s, e = start[rank == r], end[rank == r]
        order = np.lexsort((-e, s))
        s, e = s[order], e[order]
        # Same kind: a hit starting at or before the furthest end so far joins that group.
        reach = np.maximum.accumulate(e)
        new_group = np.concatenate([[True], s[1:] > reach[:-1]])
        s = s[new_group]
        e = np.maximum.reduceat(e, np.flatnonzero(new_group)) if len(e) else e
        # Earlier kinds: kept hits do not overlap, so their starts and ends are both sorted.
        before = np.searchsorted(kept_start, e, side="left")  # kept hits that start before this one ends
        clash = (before > 0) & (kept_end[np.maximum(before - 1, 0)] > s) if len(kept_start) else np.zeros(len(s), bool)
        s, e = s[~clash], e[~clash]
        kept_start = np.concatenate([kept_start, s])
        kept_end = np.concatenate([kept_end, e])
        kept_rank = np.concatenate([kept_rank, np.full(len(s), r, dtype=np.int64)])
        order = np.argsort(kept_start, kind="stable")
        kept_start, kept_end, kept_rank = kept_start[order], kept_end[order], kept_rank[order]
    return kept_start, kept_end, kept_rank


def _empty(columns) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series([], dtype="int64" if c in ("text", "start", "end") else object) for c in columns})


# ======================================================================================
# Reading a folder
# ======================================================================================


class _Cells:
    """Free-text cells of the files read so far, with their file, line and column."""

    def __init__(self) -> None:
        self.frames: list[pd.DataFrame] = []
        self.unreadable: list[dict] = []
        self.files = 0
        self.columns = 0


def _file_order(path: Path) -> tuple[int, str]:
    ranks = {spec.filename: i for i, spec in enumerate(FILES.values())}
    return ranks.get(path.name, len(ranks)), path.name


def _unreadable(cells: _Cells, file: str, line, column, value: str, message: str) -> None:
    cells.unreadable.append(
        {"file": file, "line": line, "column": column, "kind": UNREADABLE, "match": value, "context": message}
    )


def _decode(path: Path, cells: _Cells) -> str | None:
    """The file's text, or None when it cannot be scanned at all. Reports decoding problems."""
    file = path.name
    try:
        data = path.read_bytes()
    except OSError as error:
        _unreadable(cells, file, None, None, "", f"the file cannot be read: {error.strerror or error}.")
        return None
    if data.startswith(b"PK\x03\x04"):
        _unreadable(
            cells, file, None, None, "", "an Excel workbook renamed to .csv; save it as CSV UTF-8 and scan again."
        )
        return None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            _unreadable(cells, file, None, None, "", "UTF-16 text that cannot be decoded; save it as CSV UTF-8.")
            return None
        _unreadable(
            cells, file, None, None, "", "UTF-16 (Excel 'Unicode Text'), scanned as such; save it as CSV UTF-8."
        )
        return text
    # The reader's own checks of the bytes: NUL bytes, and values too long to be real.
    refused = ProblemList()
    if hostile_bytes(data, file, refused):
        for problem in refused.sorted():
            _unreadable(cells, file, problem.line, problem.column, problem.value, problem.message)
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return _decode_cell_by_cell(data, file, cells)


def _is_utf8(cell: str) -> bool:
    try:
        cell.encode("latin-1").decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _decode_cell_by_cell(data: bytes, file: str, cells: _Cells) -> str:
    """Decode each cell as UTF-8 where it is valid and as Windows-1252 where not; report the first bad one."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    # latin-1 maps each byte to one character, so parsing keeps every byte in place.
    latin = data.decode("latin-1")
    rows = list(csv.reader(io.StringIO(latin, newline="")))
    header = raw_header(latin) if rows else []  # named as the reader names them
    first, bad_lines, out = None, 0, io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for number, row in enumerate(rows, start=1):
        decoded, bad = [], False
        for position, cell in enumerate(row):
            decoded.append(legacy_text(cell))
            if not _is_utf8(cell):
                if not bad and first is None:
                    first = (number, _column_name(header, position), decoded[-1])
                bad = True
        bad_lines += bad
        writer.writerow(decoded)
    line, column, value = first if first is not None else (None, None, "")
    more = f"; {bad_lines} lines have such bytes" if bad_lines > 1 else ""
    _unreadable(
        cells,
        file,
        line,
        column,
        value,
        f"not UTF-8: a legacy Windows encoding such as Windows-1252{more}. Scanned as Windows-1252; "
        "save it as CSV UTF-8.",
    )
    return out.getvalue()


def _column_name(header: list[str], position: int) -> str:
    if position < len(header) and header[position]:
        return header[position]
    return f"(column {position + 1})"


def _read(path: Path, cells: _Cells) -> None:
    """Add the free-text cells of one CSV file to ``cells``."""
    text = _decode(path, cells)
    if text is None:
        return
    file = path.name
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[list[str]] = []
    try:
        for row in reader:
            rows.append(row)
    except csv.Error as error:
        _unreadable(
            cells,
            file,
            len(rows) + 1,
            None,
            "",
            f"cannot be parsed as CSV from this line on ({error}); a quoted value is probably never closed. "
            "The lines before it were scanned.",
        )
    cells.files += 1
    if len(rows) < 2:
        return
    header = [h.strip() for h in rows[0]]
    spec = {s.filename: s for s in FILES.values()}.get(path.name)
    body = pd.DataFrame(rows[1:], dtype=object)
    body.index = pd.RangeIndex(2, len(rows) + 1)
    skip = {c.name for c in spec.columns if c.kind != "text"} if spec is not None else set()
    positions = [j for j in range(body.shape[1]) if not (j < len(header) and header[j] in skip)]
    cells.columns += len(positions)
    if not positions:
        return
    values = body[positions].stack()
    values = values[values.notna()]  # the missing cells of short rows
    values = values[values.str.strip().ne("")]
    if values.empty:
        return
    lines = values.index.get_level_values(0).to_numpy()
    column_positions = values.index.get_level_values(1).to_numpy()
    cells.frames.append(
        pd.DataFrame(
            {
                "file": file,
                "line": lines,
                "position": column_positions,
                "column": [_column_name(header, j) for j in column_positions],
                "value": values.to_numpy(dtype=object),
            }
        )
    )


# ======================================================================================
# The public entry points
# ======================================================================================


def scan(folder: str | os.PathLike) -> pd.DataFrame:
    """Scan the free-text columns of every CSV file in a review-set folder for personal identifiers.

    See the module documentation for what is scanned and how each kind is detected. Files are
    read as text, so a set that breaks the data contract can still be scanned.

    Parameters
    ----------
    folder : str or path
        The review-set folder.

    Returns
    -------
    pandas.DataFrame
        One row per finding, sorted by file (contract order, then other CSV files by name), line,
        column (in the file's order) and position in the value, with columns

        - ``file``: file name, such as ``"episodes.csv"``;
        - ``line``: line as a spreadsheet user counts it (the header is line 1); a nullable
          integer, missing for a finding about a whole file;
        - ``column``: column name (``"(column 9)"`` for a value under no header);
        - ``kind``: one of :data:`KINDS`, or ``"unreadable"`` for a file that is not UTF-8 CSV;
        - ``match``: the matched text (for ``unreadable``, the first value that is not UTF-8);
        - ``context``: up to 30 characters either side of the match, line breaks shown as spaces
          (for ``unreadable``, what is wrong and the fix).

        ``frame.attrs["scanned"]`` counts the ``files``, ``columns`` and non-empty ``values`` scanned.

    Raises
    ------
    ParameterError
        When ``folder`` is not an existing folder.

    Examples
    --------
    >>> findings = scan("data/sample")
    >>> list(findings.columns)
    ['file', 'line', 'column', 'kind', 'match', 'context']
    >>> len(findings), findings.attrs["scanned"]["files"]
    (0, 5)
    """
    path = Path(folder)
    if not path.is_dir():
        what = "is a file, not a folder" if path.exists() else "does not exist"
        raise ParameterError(
            f"the folder {str(path)!r} {what}. Fix: give the review-set folder that holds reviews.csv."
        )
    cells = _Cells()
    files = sorted((p for p in path.iterdir() if p.suffix.lower() == ".csv" and p.is_file()), key=_file_order)
    outside = links_outside(path, [file.name for file in files])
    for file in files:
        if file.name in outside:
            target = outside[file.name]
            _unreadable(cells, file.name, None, None, str(target), link_outside_message(path, file.name, target))
        else:
            _read(file, cells)

    frames = [f for f in cells.frames if len(f)]
    all_cells = pd.concat(frames, ignore_index=True) if frames else None
    n_values = 0 if all_cells is None else len(all_cells)
    rows = []
    if all_cells is not None:
        codes, uniques = pd.factorize(all_cells["value"])
        hits = find_identifiers(uniques)
        if len(hits):
            texts = np.asarray(uniques, dtype=object)
            hits["context"] = [
                _context(texts[t], s, e) for t, s, e in zip(hits["text"], hits["start"], hits["end"], strict=True)
            ]
            all_cells["text"] = codes
            found = all_cells.drop(columns="value").merge(hits, on="text")
            rows.append(found)
    if cells.unreadable:
        unreadable = pd.DataFrame(cells.unreadable)
        unreadable["position"] = -1
        unreadable["start"] = -1
        rows.insert(0, unreadable)

    if rows:
        frame = pd.concat(rows, ignore_index=True)
        frame["_file"] = [_file_order(Path(f))[0] for f in frame["file"]]
        frame["_line"] = frame["line"].fillna(0).astype("int64")
        frame = frame.sort_values(["_file", "file", "_line", "position", "start"], kind="stable")
        frame = frame[list(COLUMNS)].reset_index(drop=True)
        frame["line"] = frame["line"].astype("Int64")
        frame["column"] = frame["column"].astype(object)
    else:
        frame = pd.DataFrame({c: pd.Series([], dtype="Int64" if c == "line" else object) for c in COLUMNS})
    frame.attrs["scanned"] = {"files": cells.files, "columns": cells.columns, "values": n_values}
    return frame


def _context(text: str, start: int, end: int, width: int = _CONTEXT) -> str:
    left, right = max(0, start - width), min(len(text), end + width)
    excerpt = ("…" if left > 0 else "") + text[left:right] + ("…" if right < len(text) else "")
    return re.sub(r"\s+", " ", excerpt.replace(_SEP, " "))


def _shorten(text: str, width: int) -> str:
    text = re.sub(r"\s+", " ", text)
    return text if len(text) <= width else text[: width - 1] + "…"


def format_findings(frame: pd.DataFrame, *, match_width: int = 32, context_width: int = 72) -> str:
    """Render the findings of :func:`scan` as a plain-text table for the command line.

    Examples
    --------
    >>> print(format_findings(scan("data/sample")))
    no likely identifiers
    """
    if frame.empty:
        return "no likely identifiers"
    headers = ("file", "line", "column", "kind", "match", "context")
    rows = [
        (
            str(r.file),
            "" if pd.isna(r.line) else str(r.line),
            "" if r.column is None or pd.isna(r.column) else str(r.column),
            str(r.kind),
            _shorten(str(r.match), match_width),
            _shorten(str(r.context), context_width),
        )
        for r in frame.itertuples(index=False)
    ]
    widths = [max(len(headers[i]), *(len(row[i]) for row in rows)) for i in range(5)]
    out = []
    for row in [headers, *rows]:
        cells = [cell.rjust(widths[i]) if i == 1 else cell.ljust(widths[i]) for i, cell in enumerate(row[:5])]
        out.append("  ".join([*cells, row[5]]).rstrip())
    return "\n".join(out)


def main(folder: str | os.PathLike) -> int:
    """Scan ``folder``, print what was found, and return the exit status of ``sce-analysis scan``.

    Returns
    -------
    int
        0 when nothing was found (a one-line summary is printed), 1 when anything was found (the
        table is printed), 2 when the folder does not exist or holds no CSV file (a message goes
        to standard error).
    """
    try:
        frame = scan(folder)
    except ParameterError as error:
        print(f"sce-analysis scan: {error}", file=sys.stderr)
        return 2
    scanned = frame.attrs["scanned"]
    if scanned["files"] == 0 and frame.empty:
        print(f"sce-analysis scan: {folder} holds no CSV file. Fix: give the review-set folder.", file=sys.stderr)
        return 2
    if frame.empty:
        print(
            f"{folder}: no likely identifiers in {scanned['values']:,} free-text values "
            f"({scanned['columns']} columns of {scanned['files']} files)."
        )
        return 0
    n = len(frame)
    print(
        f"{folder}: {n} likely identifier{'s' if n != 1 else ''} found. Check each one, and remove or anonymise "
        "it before the set is shared.\n"
    )
    print(format_findings(frame))
    return 1


if __name__ == "__main__":  # pragma: no cover
    if len(sys.argv) != 2:
        print("usage: sce-analysis scan FOLDER", file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
