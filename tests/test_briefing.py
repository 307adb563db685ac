"""The briefing: written from the report's own tables, sentences that say only what the statistics
support, a Word document with the same content, and readable tables.

Numbers in sentences are parsed back out of the text and compared with the table cells (not with
the code that wrote them); the trend sentences are tested on sets with no trend and with one
planted trend.
"""

from __future__ import annotations

import csv
import json
import math
import re
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest
from conftest import ROOT, SAMPLE
from docx import Document
from docx.shared import Pt
from markupsafe import escape

import sce_analysis as sce
from sce_analysis.publish.disclosure import SUPPRESSED
from sce_analysis.publish.policy import Policy
from sce_analysis.reports.briefing import SECTIONS, TABLE_ROWS, ReportTables, build_briefing, write_briefing
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
from sce_analysis.reports.headlines import (
    REPORT_DEFAULTS,
    key_findings,
    lower_first,
    recurring_headlines,
    with_defaults,
)
from sce_analysis.reports.parameters import read_parameters
from sce_analysis.reports.run import ShownFigure, start_run
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
    # The scope, each section with rows, and the parameters: one Word table each. On the sample, from
    # its CSVs: recurring factors, themes, finding categories, trends and group differences have rows;
    # no sequence between two different factors is clear (see the section test below).
    assert len(document.tables) == 2 + 5
    assert len(document.tables) == 2 + sum(1 for s in briefing.sections if s.n_rows)
    bullets = [p.text for p in document.paragraphs if p.style.name == "List Bullet"]
    assert [h.text for h in briefing.key_findings] == bullets[: len(briefing.key_findings)]
    # A section's Word table holds exactly the readable table of the page.
    recurring = next(s for s in briefing.sections if s.key == "recurring")
    word = next(t for t in document.tables if t.rows[0].cells[0].text == recurring.table.columns[0])
    cells = [[c.text for c in row.cells] for row in word.rows]
    assert cells[0] == list(recurring.table.columns)
    assert cells[1:] == recurring.table.astype(str).values.tolist()
    # ... and, read independently from the CSV, the factors and their counts in the table's order.
    written = csv_rows(sample_report_dir / "tables" / "recurring_factors.csv")[:TABLE_ROWS]
    assert [row[cells[0].index("Factor")] for row in cells[1:]] == [r["label"] for r in written]
    assert [as_int(row[cells[0].index("Reviews with it")]) for row in cells[1:]] == [int(r["n_units"]) for r in written]
    # Section tables are in 9 pt, set on every run.
    runs = [run for row in word.rows for cell in row.cells for p in cell.paragraphs for run in p.runs]
    assert runs and all(run.font.size == Pt(9) for run in runs)


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
    handful = rs.filter(areas=[rs.reviews["area"].iloc[0]])
    tables = tables_of(handful, tmp_path)
    # Tables that give sentences whatever the number of reviews: every recurring factor and finding
    # category of the handful is published (full detail).
    for name, frame in {
        "recurring_factors": sce.recurring_factors(handful),
        "finding_categories": sce.finding_categories(handful),
    }.items():
        Policy(publication=False).write_csv(frame, tmp_path / "tables" / f"{name}.csv")
    assert int(tables["data_summary"].set_index("measure").loc["reviews", "count"]) < 10
    assert key_findings(tables, {"alpha": 0.05}) == []
    # The same tables with ten reviews in scope: the sentences are written, so it was the gate.
    summary = pd.read_csv(tmp_path / "tables" / "data_summary.csv")
    summary.loc[summary["measure"] == "reviews", "count"] = 10
    summary.to_csv(tmp_path / "tables" / "data_summary.csv", index=False)
    written = key_findings(ReportTables(tmp_path), {"alpha": 0.05})
    assert {"recurring", "findings"} <= {h.section for h in written}


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


# ------------------------------------------------------------------------------ section headlines and key findings


def csv_rows(path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def first_number(text: str) -> int:
    return int(re.search(r"\d+", text).group())


def test_each_section_headline_counts_the_rows_its_key_finding_may_quote(sample_report_dir):
    """The rules of headlines.py, written out: the section headline's count is the number of rows the
    key-finding rule selects, counted here from the CSV with the csv module."""
    parameters = json.loads((sample_report_dir / "manifest.json").read_text())["parameters"]
    alpha, least = parameters["alpha"], parameters["min_count"]
    briefing = build_briefing(sample_report_dir)
    sections = {s.key: s for s in briefing.sections}
    tables = sample_report_dir / "tables"

    trends = [
        r
        for r in csv_rows(tables / "factor_trends.csv")
        if r["direction"] in ("rising", "falling")
        and all(is_number(r[c]) for c in ("odds_ratio_per_year", "q_value", "n_units"))
        and float(r["n_units"]) >= least
    ]
    rising = sum(r["direction"] == "rising" for r in trends)
    assert sections["trends"].headline == (
        f"{rising} factor{'' if rising == 1 else 's'} became more common and {len(trends) - rising} less common "
        "over the years."
    )
    assert sections["trends"].n_rows == len(trends) == 4

    differences = [
        r
        for r in csv_rows(tables / "group_differences.csv")
        if r["difference"] in ("higher", "lower")
        and all(is_number(r[c]) for c in ("n_in", "n_group", "share_in", "share_out", "odds_ratio", "q_value"))
        and float(r["n_group"]) >= least
    ]
    assert first_number(sections["differences"].headline) == sections["differences"].n_rows == len(differences)
    assert f"in {len({r['group'] for r in differences})} regions" in sections["differences"].headline

    themes = csv_rows(tables / "themes.csv")
    stable = {r["theme"] for r in themes if is_number(r["theme"]) and float(r["theme_stability"]) >= 0.5}
    words = re.search(r"(\d+) of them hold together", sections["themes"].headline)
    assert int(words.group(1)) == len(stable)
    # Theme stability is a mean Jaccard overlap, not a share of resamples: said so, and shown as a number.
    assert "mean best Jaccard overlap across the resamples is at least 0.5" in sections["themes"].headline
    page = (sample_report_dir / "briefing.html").read_text(encoding="utf-8")
    assert "half of the resamples" not in page and "best Jaccard overlap with a theme found in the resample" in page
    shown = sections["themes"].table["Theme stability"]
    assert not shown.str.endswith("%").any()
    assert [float(x) for x in shown] == pytest.approx(
        [float(r["theme_stability"]) for r in themes[: len(shown)]], abs=5e-4
    )
    (theme_finding,) = [h for h in briefing.key_findings if h.section == "themes"]
    assert NUMBER_WORDS[THEMES.match(theme_finding.text)["count"]] == len(stable)

    sequences = [
        r
        for r in csv_rows(tables / "factor_sequences.csv")
        if r["factor_from"] != r["factor_to"]
        and all(is_number(r[c]) for c in ("n", "ratio", "q_value"))
        and float(r["q_value"]) < alpha
        and float(r["n"]) >= least
    ]
    assert sections["sequences"].n_rows == len(sequences)
    assert sections["sequences"].headline.startswith("No factor") == (len(sequences) == 0)
    assert any(h.section == "sequences" for h in briefing.key_findings) == bool(sequences)


def test_a_factor_that_persists_or_a_rare_sequence_is_neither_counted_nor_headlined(tmp_path):
    folder = tmp_path / "tables"
    folder.mkdir()
    rows = [
        # factor_from, factor_to, n, expected, ratio, p_value, q_value, n_contributing_areas
        ("a", "b", "12", "3.0", "4.0", "0.0001", "0.001", "6"),  # a clear sequence
        ("a", "a", "20", "4.0", "5.0", "0.00001", "0.0001", "6"),  # a factor that persists
        ("b", "c", "3", "0.5", "6.0", "0.001", "0.01", "3"),  # seen fewer than min_count times
        ("c", "a", "9", "7.0", "1.3", "0.4", "0.6", "5"),  # chance
        ("c", "b", "c", "c", "c", "c", "c", "c"),  # suppressed
    ]
    header = "factor_from,factor_to,n,expected,ratio,p_value,q_value,n_contributing_areas\n"
    (folder / "factor_sequences.csv").write_text(header + "".join(",".join(r) + "\n" for r in rows))
    (folder / "data_summary.csv").write_text("measure,count\nreviews,40\n")
    tables = ReportTables(tmp_path)
    parameters = with_defaults({"alpha": 0.05, "min_count": 5})
    section = next(s for s in SECTIONS if s.key == "sequences")
    table, values = tables["factor_sequences"], tables.numbers("factor_sequences")
    headline = section.headline(table, values, parameters)
    # Written out: different factors, published, q < 0.05, seen at least 5 times -> only a -> b.
    assert headline.startswith("1 sequence of two different factors stands out"), headline
    assert section.rows(table, values, parameters)[["factor_from", "factor_to"]].values.tolist() == [["a", "b"]]
    (finding,) = key_findings(tables, parameters)
    assert finding.rows == ({"factor_from": "a", "factor_to": "b"},)
    # The methods say the lag in words, and only for the section present.
    manifest = {"parameters": {"alpha": 0.05, "min_count": 5, "lag": 2}, "input": {"sha256": "0" * 64}}
    methods = dict(build_briefing(tmp_path, manifest).methods)
    assert set(methods) == {"Shares and their intervals", "Sequences", "Many tests", "Seed"}
    assert "factor b on the episode 2 later in the same review" in methods["Sequences"]
    assert "Poisson p-value" in methods["Sequences"] and "seen at least 5 times" in methods["Sequences"]


def test_report_tables_give_the_text_as_written_and_its_numbers_parsed_once(tmp_path):
    table = pd.DataFrame(
        {
            "=label": ["=SUM(A1)", "-North", "plain", "'quoted"],  # formula-like text and names, quoted in the CSV
            "n_units": [12, 3, 40, 7],
            "log_or": [-0.5, 0.25, np.nan, 1.5],  # negative numbers are never quoted
            "group": ["2019", "-1", "x", "y"],  # numbers as text are text: "-1" is quoted
        }
    )
    (tmp_path / "tables").mkdir()
    Policy(publication=False).write_csv(table, tmp_path / "tables" / "t.csv")
    raw = (tmp_path / "tables" / "t.csv").read_text()
    assert "'=SUM(A1)" in raw and "'-North" in raw and "'-1" in raw and "-0.5" in raw and "'=label" in raw
    tables = ReportTables(tmp_path)
    read = tables["t"]
    assert list(read.columns) == ["=label", "n_units", "log_or", "group"]
    assert read["=label"].tolist() == ["=SUM(A1)", "-North", "plain", "'quoted"]
    assert read["n_units"].tolist() == ["12", "3", "40", "7"]
    assert read["log_or"].tolist() == ["-0.5", "0.25", "", "1.5"]
    assert read["group"].tolist() == ["2019", "-1", "x", "y"]
    values = tables.numbers("t")
    assert values is tables.numbers("t")  # parsed once
    assert values["n_units"].tolist() == [12, 3, 40, 7] and values["log_or"].tolist()[:2] == [-0.5, 0.25]
    assert np.isnan(values["log_or"][2])
    assert values["group"].tolist()[:2] == [2019, -1] and values["=label"].isna().all()
    with pytest.raises(KeyError, match="no table 'missing'"):
        tables.numbers("missing")
    assert tables.get("missing") is None


def test_themes_without_resamples_are_headlined_without_a_stability_rule(tmp_path):
    """Run with ``resamples=0`` the stability column is blank: that is no estimate, not an unstable theme."""
    folder = tmp_path / "tables"
    folder.mkdir()
    header = "theme,factor_code,label,level,theme_size,stability,theme_stability\n"
    rows = ["1,a,Alpha,frontline,3,,", "1,b,Beta,frontline,3,,", "1,c,Gamma,frontline,3,,", "2,d,Delta,frontline,2,,"]
    (folder / "themes.csv").write_text(header + "\n".join(rows) + "\n")
    (folder / "data_summary.csv").write_text("measure,count\nreviews,40\n")
    tables = ReportTables(tmp_path)
    parameters = with_defaults({"resamples": 0})
    (finding,) = key_findings(tables, parameters)
    assert finding.text.startswith("Two themes of factors recur together") and "alpha, beta and gamma" in finding.text
    section = next(s for s in SECTIONS if s.key == "themes")
    headline = section.headline(tables["themes"], tables.numbers("themes"), parameters)
    assert headline.startswith("The factors form 2 themes") and "hold together" not in headline
    briefing = build_briefing(tmp_path, {"parameters": {"resamples": 0}, "input": {"sha256": "0" * 64}})
    # The methods of the sections present only, and no word of a stability that was not estimated.
    assert [name for name, _ in briefing.methods] == ["Shares and their intervals", "Themes", "Many tests", "Seed"]
    assert "not estimated" in briefing.methods[1][1] and "Jaccard" not in briefing.methods[1][1]
    assert [s.headline for s in briefing.sections] == [headline]
    # With a stability estimated, the rule holds: a theme below 0.5 is not headlined.
    rows = [r + "0.4" for r in rows[:3]] + [rows[3] + "0.9"]
    (folder / "themes.csv").write_text(header + "\n".join(rows) + "\n")
    tables = ReportTables(tmp_path)
    (finding,) = key_findings(tables, {})
    assert finding.text.startswith("One theme of factors recurs together") and "delta" in finding.text
    headline = section.headline(tables["themes"], tables.numbers("themes"), with_defaults({}))
    assert " 1 of them hold together" in headline


def test_the_briefing_defaults_are_the_notebooks_declared_defaults():
    declared = {}
    for notebook in sorted((ROOT / "notebooks").glob("0*.ipynb")):
        declared |= {name: p.default for name, p in read_parameters(notebook).items()}
    assert {name: declared[name] for name in REPORT_DEFAULTS} == REPORT_DEFAULTS


def test_a_shown_figure_is_given_as_html_and_its_alt_text_only():
    from IPython.core.formatters import DisplayFormatter

    data, _ = DisplayFormatter().format(ShownFigure(b"\x89PNG not really", "Chart: A <title>. How to read it."))
    assert set(data) == {"text/plain", "text/html"}
    assert data["text/plain"] == "Chart: A <title>. How to read it."
    assert data["text/html"].startswith('<img src="data:image/png;base64,')
    assert 'alt="Chart: A &lt;title&gt;. How to read it."' in data["text/html"]


def test_executed_notebooks_hold_each_chart_once_as_html_with_alt_text(sample_report_dir):
    charts = 0
    for path in sorted((sample_report_dir / "notebooks").glob("*.ipynb")):
        for cell in json.loads(path.read_text())["cells"]:
            for output in cell.get("outputs", []):
                data = output.get("data", {})
                assert "image/png" not in data, path.name
                if '<img src="data:image/png;base64,' in "".join(data.get("text/html", "")):
                    charts += 1
                    assert data["text/plain"] and 'alt="Chart: ' in "".join(data["text/html"])
    assert charts >= len(SECTIONS)
    for page in (sample_report_dir / "html").glob("*.html"):
        for alt in re.findall(r'<img src="data:image/png;base64,[^"]+" alt="([^"]*)"', page.read_text()):
            assert alt.startswith("Chart: "), page.name


def test_a_notebook_table_shows_c_exactly_where_its_csv_has_c(rs, tmp_path):
    run = start_run("test", data_dir=str(SAMPLE), out_dir=str(tmp_path), publication=True)
    shown = run.table("prevalence_by_region", sce.factor_prevalence(rs, by="region"))
    page = styled(shown, suppressed=shown.suppressed).to_html()
    cells = re.findall(r"<td[^>]*>(.*?)</td>", page)
    written = [cell for row in csv_rows(tmp_path / "tables" / "prevalence_by_region.csv") for cell in row.values()]
    assert len(cells) == len(written) and written.count(SUPPRESSED) > 0
    assert [cell == SUPPRESSED for cell in cells] == [cell == SUPPRESSED for cell in written]
    # A value that is missing, not suppressed, stays blank.
    frame = pd.DataFrame({"label": ["a", "b"], "share": [0.5, np.nan]})
    mask = pd.DataFrame(False, index=frame.index, columns=frame.columns)
    assert re.findall(r"<td[^>]*>(.*?)</td>", styled(frame, suppressed=mask).to_html()) == ["a", "50%", "b", ""]


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
    # A theme's stability is a mean Jaccard overlap, not a share: a number, not a percentage.
    themes = pd.DataFrame({"theme": ["1", "1", "2"], "theme_stability": ["0.734", "0.734", SUPPRESSED]})
    assert readable(themes)["Theme stability"].tolist() == ["0.734", "0.734", SUPPRESSED]
    assert "73%" not in styled(themes.assign(theme_stability=[0.734, 0.734, 0.41])).to_html()


def test_a_styled_table_keeps_the_numbers_and_hides_the_index(rs):
    table = sce.factor_trends(rs, min_count=5)
    styler = styled(table, rows=5)
    assert styler.data.equals(table.head(5))
    page = styler.to_html()
    assert "row_heading" not in page and "Odds ratio per year" in page and "× 10⁻" in page
