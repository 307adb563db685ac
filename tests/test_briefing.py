"""The briefing: written from the report's own tables, sentences that say only what the statistics
support, a Word document with the same content, and readable tables.

Numbers in sentences are parsed back out of the text and compared with the table cells (not with
the code that wrote them); the trend sentences are tested on sets with no trend and with one
planted trend.
"""

from __future__ import annotations

import json
import math
import re
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest
from docx import Document
from markupsafe import escape

import sce_analysis as sce
from sce_analysis.publish.disclosure import SUPPRESSED
from sce_analysis.publish.policy import Policy
from sce_analysis.reports.briefing import SECTIONS, ReportTables, build_briefing, write_briefing
from sce_analysis.reports.formatting import (
    count_text,
    html_table,
    interval_text,
    percent_text,
    probability_text,
    readable,
    statistic_text,
    styled,
)
from sce_analysis.reports.headlines import key_findings, lower_first, recurring_headlines
from sce_analysis.synthetic import generate

NUMBER_WORDS = {"One": 1, "Two": 2, "Three": 3, "Four": 4, "Five": 5, "Six": 6, "Seven": 7, "Eight": 8}


# ------------------------------------------------------------------------------ reading numbers back


def as_int(text: str) -> int:
    return int(text.replace(",", ""))


def close_to_shown(shown: str, cell: str, *, figures: int = 3) -> bool:
    """A number shown to ``figures`` significant figures is the cell, rounded."""
    value = float(cell)
    return math.isclose(float(shown), value, rel_tol=0.5 * 10 ** (1 - figures) + 1e-12)


def percent_is(shown: str, cell: str) -> bool:
    return abs(float(shown) - 100 * float(cell)) <= 0.5 + 1e-9


def q_is(shown: str, cell: str) -> bool:
    relation, value = shown.split(" ")
    return float(cell) < 0.001 if relation == "<" else abs(float(cell) - float(value)) <= 0.0005 + 1e-12


def row_by_label(table: pd.DataFrame, label: str) -> dict:
    lowered = table["label"].str.lower()
    rows = table[lowered == label.lower()]
    assert len(rows) == 1, f"no single row labelled {label!r}"
    return rows.iloc[0].to_dict()


RECURRING = re.compile(
    r"^(?P<label>.+) was found in (?P<n>[\d,]+) of (?P<total>[\d,]+) reviews \((?P<pct>[\d.]+)%; 95% CI "
    r"(?P<lo>[\d.]+)–(?P<hi>[\d.]+)%\), in (?:all (?P<all>\d+) areas|(?P<some>\d+) of (?P<of>\d+) areas)\.$"
)
CATEGORY = re.compile(
    r"^Reviews most often made findings about (?P<label>.+): (?P<n>[\d,]+) of (?P<total>[\d,]+) reviews "
    r"\((?P<pct>[\d.]+)%; 95% CI (?P<lo>[\d.]+)–(?P<hi>[\d.]+)%\)\.$"
)
TREND_LEAD = re.compile(r"^(?P<count>\w+) factors? (?P<verb>rose|fell) over the period(?:: |; the clearest: )")
TREND_PART = re.compile(r"(?P<label>[^,;()]+?) \(odds ratio (?P<ratio>[\d.]+) per year; q (?P<q>[<=] [\d.]+)\)")
THEMES = re.compile(
    r"^(?P<count>\w+) themes? of factors recurs? together in the same key practice episodes; the largest joins "
    r"(?P<size>\d+) factors: (?P<names>.+)\.$"
)
DIFFERENCE = re.compile(
    r"^(?P<label>.+) was found (?P<way>more|less) often in (?P<group>.+) than in other regions: in (?P<n>[\d,]+) of "
    r"its (?P<total>[\d,]+) reviews \((?P<pin>[\d.]+)%\), against (?P<pout>[\d.]+)% elsewhere \(odds ratio "
    r"(?P<ratio>[\d.]+); q (?P<q>[<=] [\d.]+)\)\.$"
)
SEQUENCE = re.compile(
    r"^When (?P<first>.+) was coded in one key practice episode, (?P<then>.+) followed in the next episode "
    r"(?P<n>[\d,]+) times, (?P<ratio>[\d.]+) times as often as chance would give \(q (?P<q>[<=] [\d.]+)\)\.$"
)


def check_sentence(text: str, tables: ReportTables, parameters: dict) -> str:
    """Parse one key finding and compare every number in it with its table cell; returns its kind."""
    summary = dict(zip(tables["data_summary"]["measure"], tables["data_summary"]["count"], strict=True))
    if m := RECURRING.match(text):
        row = row_by_label(tables["recurring_factors"], m["label"])
        assert as_int(m["n"]) == int(row["n_units"]) and as_int(m["total"]) == int(row["n_total"])
        assert percent_is(m["pct"], row["share"]) and percent_is(m["lo"], row["ci_low"])
        assert percent_is(m["hi"], row["ci_high"])
        if m["all"]:
            assert int(m["all"]) == int(row["n_areas"]) == int(summary["areas"])
        else:
            assert int(m["some"]) == int(row["n_areas"]) and int(m["of"]) == int(summary["areas"])
        return "recurring"
    if m := CATEGORY.match(text):
        row = row_by_label(tables["finding_categories"], m["label"])
        assert as_int(m["n"]) == int(row["n_reviews"]) and as_int(m["total"]) == int(row["n_total"])
        assert percent_is(m["pct"], row["share"]) and percent_is(m["lo"], row["ci_low"])
        assert percent_is(m["hi"], row["ci_high"])
        shares = pd.to_numeric(tables["finding_categories"]["share"], errors="coerce")
        assert float(row["share"]) == shares.max()  # the most common category
        return "category"
    if m := TREND_LEAD.match(text):
        parts = list(TREND_PART.finditer(text[m.end() :]))
        assert parts, text
        trends = tables["factor_trends"]
        significant = trends[pd.to_numeric(trends["q_value"]) < parameters["alpha"]]
        direction = "rising" if m["verb"] == "rose" else "falling"
        n_direction = int((significant["direction"] == direction).sum())
        assert NUMBER_WORDS.get(m["count"]) == n_direction or m["count"] == str(n_direction)
        for part in parts:
            row = row_by_label(trends, part["label"].strip().removeprefix("and "))
            assert row["direction"] == direction
            assert close_to_shown(part["ratio"], row["odds_ratio_per_year"]) and q_is(part["q"], row["q_value"])
            assert (float(row["odds_ratio_per_year"]) > 1) == (direction == "rising")
        return "trend"
    if m := THEMES.match(text):
        themes = tables["themes"]
        stable = themes[pd.to_numeric(themes["theme_stability"]) >= 0.5]
        assert NUMBER_WORDS[m["count"]] == stable["theme"].nunique()
        assert int(m["size"]) == pd.to_numeric(stable["theme_size"]).max()
        return "themes"
    if m := DIFFERENCE.match(text):
        differences = tables["group_differences"]
        rows = differences[(differences["label"] == m["label"]) & (differences["group"] == m["group"])]
        assert len(rows) == 1
        row = rows.iloc[0]
        assert as_int(m["n"]) == int(row["n_in"]) and as_int(m["total"]) == int(row["n_group"])
        assert percent_is(m["pin"], row["share_in"]) and percent_is(m["pout"], row["share_out"])
        assert close_to_shown(m["ratio"], row["odds_ratio"]) and q_is(m["q"], row["q_value"])
        assert (m["way"] == "more") == (float(row["share_in"]) > float(row["share_out"]))
        return "difference"
    if m := SEQUENCE.match(text):
        prevalence = tables["factor_prevalence"]
        code_of = dict(zip(prevalence["label"].str.lower(), prevalence["factor_code"], strict=True))
        first, then = code_of[m["first"].lower()], code_of[m["then"].lower()]
        sequences = tables["factor_sequences"]
        rows = sequences[(sequences["factor_from"] == first) & (sequences["factor_to"] == then)]
        assert len(rows) == 1 and first != then
        row = rows.iloc[0]
        assert as_int(m["n"]) == int(row["n"]) and close_to_shown(m["ratio"], row["ratio"])
        assert q_is(m["q"], row["q_value"]) and float(row["q_value"]) < parameters["alpha"]
        # The clearest: no other sequence between two different factors has a smaller q.
        others = sequences[(sequences["factor_from"] != sequences["factor_to"]) & (sequences["n"].astype(int) >= 5)]
        assert float(row["q_value"]) == pd.to_numeric(others["q_value"]).min()
        return "sequence"
    raise AssertionError(f"a key finding no parser reads: {text!r}")


# ------------------------------------------------------------------------------ the sample report


@pytest.fixture(scope="module")
def unplanted():
    """A set with no pattern planted at all (``effect=0``)."""
    return generate(300, seed=4, effect=0).review_set


def test_the_briefing_is_written_listed_and_linked_first(sample_report_dir):
    manifest = json.loads((sample_report_dir / "manifest.json").read_text())
    assert manifest["briefing"] == {"status": "ok"}
    assert {"briefing.html", "briefing.docx"} <= set(manifest["outputs"])
    index = (sample_report_dir / "index.html").read_text()
    # The briefing comes before the notebooks, the figures and the tables.
    assert index.index("briefing.html") < min(index.index(">Notebooks<"), index.index("html/01-overview.html"))


def test_every_number_of_every_key_finding_is_a_cell_of_its_table(sample_report_dir):
    manifest = json.loads((sample_report_dir / "manifest.json").read_text())
    tables = ReportTables(sample_report_dir)
    found = key_findings(tables, manifest["parameters"])
    assert 5 <= len(found) <= 8
    kinds = [check_sentence(h.text, tables, manifest["parameters"]) for h in found]
    assert {"recurring", "themes", "category", "trend", "difference"} <= set(kinds)
    # The page shows exactly these sentences.
    page = (sample_report_dir / "briefing.html").read_text()
    for headline in found:
        assert f"<li>{escape(headline.text)}</li>" in page  # as jinja2 escapes it


def test_the_page_has_every_section_with_chart_alt_text_and_no_index(sample_report_dir):
    page = (sample_report_dir / "briefing.html").read_text()
    parsed = PageParser()
    parsed.feed(page)
    headings = [text for level, text in parsed.headings if level == "h2"]
    assert headings[:3] == ["What was looked at", "Key findings", "Contents"]
    assert [s.title for s in SECTIONS] == headings[3:9]
    assert headings[9:] == ["What these data cannot tell you", "Methods"]
    assert len(parsed.images) == len(SECTIONS)
    for src, alt in parsed.images:
        assert (sample_report_dir / src).is_file() and len(alt) > 80, src
    # No pandas index: every table starts each row with a data cell, and no header cell is blank.
    assert parsed.row_headers == 0 and "" not in parsed.column_headers
    for section in SECTIONS:
        assert f'href="tables/{section.table}.csv"' in page


class PageParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.headings, self.images, self.column_headers = [], [], []
        self.row_headers, self._open, self._text, self._in_body_row = 0, None, "", False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("h1", "h2", "h3"):
            self._open, self._text = tag, ""
        elif tag == "img":
            self.images.append((attrs.get("src"), attrs.get("alt", "")))
        elif tag == "tbody":
            self._in_body_row = True
        elif tag == "th":
            if self._in_body_row:
                self.row_headers += 1
            self._open, self._text = "th", ""

    def handle_endtag(self, tag):
        if tag == "tbody":
            self._in_body_row = False
        if tag == self._open:
            if tag == "th":
                self.column_headers.append(self._text.strip())
            else:
                self.headings.append((tag, self._text.strip()))
            self._open = None

    def handle_data(self, data):
        if self._open:
            self._text += data


def test_the_word_document_has_the_headings_tables_and_pictures(sample_report_dir):
    document = Document(str(sample_report_dir / "briefing.docx"))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith(("Heading", "Title"))]
    for expected in ["Key findings", "What was looked at", *(s.title for s in SECTIONS), "Methods"]:
        assert expected in headings
    assert len(document.inline_shapes) == len(SECTIONS)
    for shape in document.inline_shapes:
        assert len(shape._inline.docPr.get("descr")) > 80  # alt text
    briefing = build_briefing(sample_report_dir)
    # The scope, each section with rows, and the parameters: one Word table each.
    assert len(document.tables) == 2 + sum(1 for s in briefing.sections if s.n_rows)
    bullets = [p.text for p in document.paragraphs if p.style.name == "List Bullet"]
    assert [h.text for h in briefing.key_findings] == bullets[: len(briefing.key_findings)]
    # A section's Word table holds exactly the readable table of the page.
    recurring = next(s for s in briefing.sections if s.key == "recurring")
    word = next(t for t in document.tables if t.rows[0].cells[0].text == recurring.table.columns[0])
    cells = [[c.text for c in row.cells] for row in word.rows]
    assert cells[0] == list(recurring.table.columns)
    assert cells[1:] == recurring.table.astype(str).values.tolist()


# ------------------------------------------------------------------------------ sentences on planted sets


def tables_of(rs, tmp_path, *, policy=None) -> ReportTables:
    """The tables the notebooks write, written the way ``Run.table`` writes them."""
    policy = policy or Policy(publication=False)
    folder = tmp_path / "tables"
    folder.mkdir(parents=True, exist_ok=True)
    computed = {
        "data_summary": rs.summary().assign(n_contributing_areas=rs.reviews["area"].nunique()),
        "factor_trends": sce.factor_trends(rs, min_count=5),
        "factor_prevalence": sce.factor_prevalence(rs),
        "factor_sequences": sce.factor_sequences(rs),
    }
    for name, frame in computed.items():
        policy.write_csv(frame, folder / f"{name}.csv")
    return ReportTables(tmp_path)


def trend_sentences(tables) -> list[str]:
    return [h.text for h in key_findings(tables, {"alpha": 0.05, "min_count": 5}) if h.section == "trends"]


def test_no_trend_sentence_without_a_trend(unplanted, tmp_path):
    tables = tables_of(unplanted, tmp_path)
    assert (pd.to_numeric(tables["factor_trends"]["q_value"]) >= 0.05).all()  # truly nothing to find
    assert trend_sentences(tables) == []


def with_planted_rise(rs, code: str):
    """``rs`` with ``code`` taken off every review and put on the first episode of a growing share of
    reviews year by year: from none in the first year to every review in the last."""
    reviews = rs.reviews
    first, last = reviews["year"].min(), reviews["year"].max()
    rng = np.random.default_rng(11)
    chosen = reviews[rng.random(len(reviews)) < (reviews["year"] - first) / (last - first)]["review_id"]
    factors = rs.factors[rs.factors["factor_code"] != code]
    first_episodes = rs.episodes.sort_values("sequence").drop_duplicates("review_id")
    added = first_episodes[first_episodes["review_id"].isin(chosen)][["review_id", "episode_id"]].assign(
        factor_code=code, polarity="problematic", coder=rs.factors["coder"].iloc[0]
    )
    factors = pd.concat([factors, added], ignore_index=True)
    return sce.from_frames(
        reviews=reviews, episodes=rs.episodes, factors=factors, findings=rs.findings, taxonomy=rs.taxonomy
    )


def test_one_planted_rise_gives_exactly_one_trend_sentence_saying_rose(unplanted, tmp_path):
    rs = with_planted_rise(unplanted, "fam_hostile")
    tables = tables_of(rs, tmp_path)
    sentences = trend_sentences(tables)
    assert len(sentences) == 1
    prevalence = tables["factor_prevalence"]
    label = prevalence.loc[prevalence["factor_code"] == "fam_hostile", "label"].item()
    assert sentences[0].startswith(f"One factor rose over the period: {lower_first(label)} (odds ratio ")
    check_sentence(sentences[0], tables, {"alpha": 0.05})


def test_a_planted_sequence_is_written_with_the_numbers_of_its_row(tmp_path):
    planted = generate(300, seed=4)
    tables = tables_of(planted.review_set, tmp_path)
    (sentence,) = [h for h in key_findings(tables, {"alpha": 0.05, "min_count": 5}) if h.section == "sequences"]
    assert check_sentence(sentence.text, tables, {"alpha": 0.05}) == "sequence"
    assert tuple(sentence.rows[0].values()) in planted.planted.sequences


def test_a_sentence_that_would_quote_a_suppressed_cell_is_not_written():
    table = pd.DataFrame(
        {
            "factor_code": ["a", "b"],
            "label": ["First", "Second"],
            "n_units": [SUPPRESSED, "30"],
            "n_total": ["80", "80"],
            "share": [SUPPRESSED, "0.375"],
            "ci_low": [SUPPRESSED, "0.28"],
            "ci_high": [SUPPRESSED, "0.48"],
            "n_areas": ["12", SUPPRESSED],
        }
    )
    assert recurring_headlines(table, unit="review", n_areas_total="16") == []
    table.loc[1, "n_areas"] = "9"
    (only,) = recurring_headlines(table, unit="review", n_areas_total="16")
    assert only.text == "Second was found in 30 of 80 reviews (38%; 95% CI 28–48%), in 9 of 16 areas."


def test_no_key_finding_from_a_handful_of_reviews(rs, tmp_path):
    tables = tables_of(rs.filter(areas=[rs.reviews["area"].iloc[0]]), tmp_path)
    assert int(tables["data_summary"].set_index("measure").loc["reviews", "count"]) < 10
    assert key_findings(tables, {"alpha": 0.05}) == []


def test_a_failed_briefing_leaves_nothing_half_written(sample_report_dir, tmp_path):
    copy = tmp_path / "copy"
    for path in sample_report_dir.rglob("*"):
        if path.is_file() and path.name not in ("briefing.html", "briefing.docx"):
            target = copy / path.relative_to(sample_report_dir)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes())
    (copy / "figures" / "trends.png").write_bytes(b"not a picture")
    with pytest.raises(Exception):  # noqa: B017 (whatever python-docx raises on a bad image)
        write_briefing(copy)
    assert sorted(p.name for p in copy.iterdir() if "briefing" in p.name) == []


# ------------------------------------------------------------------------------ readable tables


@pytest.mark.parametrize(
    ("function", "value", "shown"),
    [
        (percent_text, 0.8375, "84%"),
        (percent_text, 0.004, "0.4%"),
        (percent_text, 1.0, "100%"),
        (percent_text, SUPPRESSED, SUPPRESSED),
        (count_text, 1234567, "1,234,567"),
        (count_text, "80", "80"),
        (statistic_text, 1.4587728, "1.46"),
        (statistic_text, 0.0312951, "0.0313"),
        (statistic_text, 39.3333, "39.3"),
        (probability_text, 0.0123, "0.012"),
        (probability_text, 4.709635856e-4, "4.7 × 10⁻⁴"),
        (probability_text, "", ""),
    ],
)
def test_cells_are_written_for_reading(function, value, shown):
    assert function(value) == shown


def test_intervals_read_as_one_range():
    assert interval_text(0.7415709566, 0.902501806) == "74–90%"
    assert interval_text(1.227520608, 1.733590514, percent=False) == "1.23–1.73"
    assert interval_text(SUPPRESSED, 0.5) == SUPPRESSED


def test_a_readable_table_has_human_headers_and_no_index(rs):
    table = sce.recurring_factors(rs)
    shown = readable(table, columns=["label", "scie_category", "n_units", "share", "ci"], rows=5)
    assert list(shown.columns) == ["Factor", "SCIE category", "With it", "Share", "95% interval"]
    assert len(shown) == 5 and shown["Share"].str.endswith("%").all()
    html = html_table(shown, caption="Recurring factors")
    assert "<caption>Recurring factors</caption>" in html and '<th scope="col" class=num>Share</th>' in html
    assert "<tbody><tr><td>" in html and "<th>0</th>" not in html


def test_a_styled_table_keeps_the_numbers_and_hides_the_index(rs):
    table = sce.factor_trends(rs, min_count=5)
    styler = styled(table, rows=5)
    assert styler.data.equals(table.head(5))
    page = styler.to_html()
    assert "row_heading" not in page and "Odds ratio per year" in page and "× 10⁻" in page
