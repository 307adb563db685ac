"""Checks of the gallery and the slide deck (``sce_analysis.reports.gallery``) on the shipped sample."""

from __future__ import annotations

import csv
import re
from html.parser import HTMLParser

import matplotlib

matplotlib.use("Agg")

import pytest
from conftest import SAMPLE

import sce_analysis as sce
from sce_analysis.reports import gallery

pptx = pytest.importorskip("pptx")


@pytest.fixture(scope="module")
def rendered(rs, tmp_path_factory):
    out = tmp_path_factory.mktemp("gallery")
    return out, gallery.render_gallery(rs, out / "charts")


@pytest.fixture(scope="module")
def deck(rs, tmp_path_factory):
    return gallery.build_deck(rs, tmp_path_factory.mktemp("deck") / "slides" / "patterns")


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.?!])\s+", text.strip()) if s]


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs, self.images, self.headings, self._in_h2 = [], [], [], False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a":
            self.hrefs.append(attrs["href"])
        if tag == "img":
            self.images.append(attrs["src"])
        self._in_h2 = tag == "h2"

    def handle_data(self, data):
        if self._in_h2:
            self.headings.append(data)
            self._in_h2 = False


def test_the_registry_names_each_chart_once_with_two_sentences_on_how_to_read_it():
    names = [spec.name for spec in gallery.CHARTS]
    assert len(names) == len(set(names)) == 10
    for spec in gallery.CHARTS:
        assert len(sentences(spec.how_to_read)) == 2, spec.name
        assert spec.title and callable(spec.make)


def test_gallery_writes_every_chart_and_a_contact_sheet(rendered):
    out, paths = rendered
    folder = out / "charts"
    assert paths[-1] == folder / "index.html"
    expected = [folder / f"{spec.name}.{suffix}" for spec in gallery.CHARTS for suffix in ("png", "svg")]
    assert paths[:-1] == expected
    for path in paths:
        assert path.is_file() and path.stat().st_size > 1000
    for spec in gallery.CHARTS:
        assert (folder / f"{spec.name}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        svg = (folder / f"{spec.name}.svg").read_text(encoding="utf-8")
        assert "<dc:date>" not in svg
    parser = Links()
    parser.feed((folder / "index.html").read_text(encoding="utf-8"))
    pngs = [f"{spec.name}.png" for spec in gallery.CHARTS]
    assert parser.images == pngs
    assert all(png in parser.hrefs for png in pngs)
    assert all((folder / href).is_file() for href in parser.hrefs)
    tables = gallery.Tables(sce.load(SAMPLE))
    assert parser.headings == [spec.title_for(tables) for spec in gallery.CHARTS]
    page = (folder / "index.html").read_text(encoding="utf-8")
    assert "N = 80 reviews · 2011–2025 · synthetic data" in page
    for spec in gallery.CHARTS:
        assert spec.how_to_read_for(tables).replace("'", "&#x27;") in page


def test_gallery_refuses_an_unknown_context(rs, tmp_path):
    with pytest.raises(sce.ParameterError, match="talk"):
        gallery.render_gallery(rs, tmp_path, context="poster")


def test_deck_has_a_title_slide_and_one_slide_per_chart_with_notes(deck, rs):
    assert deck.suffix == ".pptx" and deck.name == "patterns.pptx"
    presentation = pptx.Presentation(str(deck))
    slides = list(presentation.slides)
    assert len(slides) == 1 + len(gallery.CHARTS)
    assert presentation.slide_width == pptx.util.Inches(13.333)
    title = slides[0]
    assert title.shapes.title.text == "Patterns across 80 SCIE case reviews"
    scope = title.placeholders[1].text
    assert "80 reviews from 16 areas in 5 regions" in scope and "2011–2025" in scope and "synthetic data" in scope
    tables = gallery.Tables(rs)
    for slide, spec in zip(slides[1:], gallery.CHARTS, strict=True):
        assert slide.shapes.title.text == spec.title_for(tables)
        notes = slide.notes_slide.notes_text_frame.text
        assert notes == spec.how_to_read_for(tables) and len(sentences(notes)) == 2
        pictures = [shape for shape in slide.shapes if shape.shape_type == pptx.enum.shapes.MSO_SHAPE_TYPE.PICTURE]
        assert len(pictures) == 1
        picture = pictures[0]
        # Inside the slide, below the title, and at the chart's own size, so its text keeps >= 14 pt.
        assert picture.left >= 0 and picture.top >= slide.shapes.title.top + slide.shapes.title.height
        assert picture.left + picture.width <= presentation.slide_width
        assert picture.top + picture.height <= presentation.slide_height
        width_px = int.from_bytes(picture.image.blob[16:20], "big")
        assert picture.width == pytest.approx(pptx.util.Inches(width_px / 200), rel=1e-3)


def test_chart_figures_carry_the_scope_stamp(rs):
    tables = gallery.Tables(rs)
    fig = gallery.chart_figure(gallery.CHARTS[-1], tables, context="talk", slide=True, title="")
    assert fig.get_supxlabel() == "N = 80 reviews · 2011–2025 · synthetic data"
    assert fig.axes[0].get_title(loc="left") == ""
    matplotlib.pyplot.close(fig)


def test_gallery_and_deck_commands(tmp_path, capsys):
    from pptx import Presentation

    from sce_analysis.cli import main

    assert main(["gallery", "--out", str(tmp_path / "gallery"), "--context", "talk"]) == 0
    assert "Gallery:" in capsys.readouterr().out
    assert all((tmp_path / "gallery" / f"{spec.name}.png").is_file() for spec in gallery.CHARTS)
    assert (tmp_path / "gallery" / "index.html").is_file()
    assert main(["deck", "--out", str(tmp_path / "deck.pptx")]) == 0
    deck = Presentation(str(tmp_path / "deck.pptx"))
    assert len(deck.slides) == 1 + len(gallery.CHARTS)


def test_gallery_command_refuses_invalid_data(tmp_path, capsys):
    from conftest import CLEAN, write_set

    from sce_analysis.cli import main

    bad = write_set(tmp_path / "bad", {**CLEAN, "findings.csv": ""})
    assert main(["gallery", "--data", str(bad), "--out", str(tmp_path / "g")]) == 1
    assert "the file is empty" in capsys.readouterr().out
    assert not (tmp_path / "g").exists()


def test_every_count_a_chart_prints_goes_through_the_policy(rs):
    """A threshold above the sample's size hides the review and episode counts in every label."""
    tables = gallery.Tables(rs, policy=sce.Policy(threshold=10_000, min_areas=1))
    assert tables.n_reviews_text == "c"
    assert tables.sequence_n_label == "N = c key practice episodes in c reviews"
    full = gallery.Tables(rs)
    # Counted independently: the rows of the sample's episodes.csv with a sequence number.
    with open(SAMPLE / "episodes.csv", newline="", encoding="utf-8") as handle:
        n_episodes = sum(1 for row in csv.DictReader(handle) if row["sequence"].strip())
    assert full.sequence_n_label == f"N = {n_episodes:,} key practice episodes in 80 reviews"
