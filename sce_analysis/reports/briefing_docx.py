"""The briefing as a Word document (python-docx): what boards circulate.

The same :class:`~sce_analysis.reports.briefing.Briefing` as the web page, laid out for A4: a
title, the scope, the key findings as bullets, one section per question with its chart (alt text
set), its table (header row repeated across pages, numbers right-aligned) and how to read it,
then the limits and the methods.
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from .formatting import numeric_columns
from .headlines import FINDINGS_NOTE, NO_FINDINGS, missing_text

__all__ = ["write_docx"]

#: Width of a chart on the page: A4 less 20 mm margins each side.
CHART_WIDTH = Mm(170)
_MUTED = RGBColor(0x4A, 0x4A, 0x4A)
#: Size of the text in a section's table: smaller than the body, so eight columns fit the page.
TABLE_FONT = Pt(9)


def _repeat_header(row) -> None:
    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def _table(document, frame, *, caption: str) -> None:
    document.add_paragraph(caption, style="Caption")
    table = document.add_table(rows=1, cols=len(frame.columns))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    numeric = numeric_columns(frame)
    for cell, name, is_num in zip(table.rows[0].cells, frame.columns, numeric, strict=True):
        _cell_text(cell, str(name), right=is_num).bold = True
    _repeat_header(table.rows[0])
    for values in frame.itertuples(index=False):
        cells = table.add_row().cells
        for cell, value, is_num in zip(cells, values, numeric, strict=True):
            _cell_text(cell, str(value), right=is_num)


def _cell_text(cell, text: str, *, right: bool):
    """Write a table cell as one 9 pt run (set as it is made: no second pass over every run)."""
    paragraph = cell.paragraphs[0]  # a new cell holds one empty paragraph
    run = paragraph.add_run(text)
    run.font.size = TABLE_FONT
    if right:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    return run


def _picture(document, path: Path, alt: str) -> None:
    document.add_picture(str(path), width=CHART_WIDTH)
    # Alt text: Word reads it from the drawing's "descr" attribute.
    document.inline_shapes[-1]._inline.docPr.set("descr", alt)


def _note(document, text: str) -> None:
    run = document.add_paragraph().add_run(text)
    run.font.color.rgb = _MUTED


def write_docx(briefing, folder: Path, path: Path) -> Path:
    """Write the briefing as a Word document at ``path``; charts are read from ``folder``."""
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Mm(20))
    section.top_margin = section.bottom_margin = Mm(18)
    document.styles["Normal"].font.name = "Arial"
    document.styles["Normal"].font.size = Pt(11)
    properties = document.core_properties
    properties.title = f"{briefing.title}: briefing"
    properties.author = "sce_analysis"
    properties.comments = briefing.mode
    with_time = briefing.made_at
    if with_time is not None:  # the report's time, not now: the same report gives the same document
        properties.created = properties.modified = with_time

    document.add_heading(briefing.title, level=0)
    mode = document.add_paragraph().add_run(briefing.mode)
    mode.bold = True
    _note(document, f"Briefing. {briefing.made}. Every number comes from the report's tables (tables/*.csv).")

    document.add_heading("What was looked at", level=1)
    scope = document.add_table(rows=0, cols=2)
    scope.style = "Table Grid"
    for label, value in briefing.scope:
        cells = scope.add_row().cells
        cells[0].text, cells[1].text = label, value
        cells[0].paragraphs[0].runs[0].bold = True

    document.add_heading("Key findings", level=1)
    if briefing.key_findings:
        for headline in briefing.key_findings:
            document.add_paragraph(headline.text, style="List Bullet")
        _note(document, FINDINGS_NOTE)
    else:
        document.add_paragraph(NO_FINDINGS)

    for part in briefing.sections:
        document.add_heading(part.title, level=1)
        document.add_paragraph().add_run(part.headline).bold = True
        if part.figure:
            _picture(document, folder / part.figure, part.alt)
            paragraph = document.add_paragraph()
            paragraph.add_run("How to read it: ").bold = True
            paragraph.add_run(part.how_to_read)
        if part.n_rows:
            _table(document, part.table, caption=part.table_caption)
        else:
            _note(document, f"Full table: {part.csv}")
    if briefing.missing:
        _note(document, missing_text(briefing.missing))

    document.add_heading("What these data cannot tell you", level=1)
    for text in briefing.limits:
        document.add_paragraph(text, style="List Bullet")

    document.add_heading("Methods", level=1)
    for name, text in briefing.methods:
        paragraph = document.add_paragraph()
        paragraph.add_run(f"{name}. ").bold = True
        paragraph.add_run(text)
    document.add_heading("Parameters of this run", level=2)
    parameters = document.add_table(rows=1, cols=2)
    parameters.style = "Table Grid"
    parameters.rows[0].cells[0].text, parameters.rows[0].cells[1].text = "Parameter", "Value"
    _repeat_header(parameters.rows[0])
    for name, value in briefing.parameters:
        cells = parameters.add_row().cells
        cells[0].text, cells[1].text = name, value
    document.add_heading("Software", level=2)
    document.add_paragraph(", ".join(f"{name} {version}" for name, version in briefing.versions) + ".")
    if briefing.rules:
        _note(document, briefing.rules)
    document.save(str(path))
    return path
