"""The explorer app without a browser: its status line, drill-down, publication mode and charts.

Every count the explorer shows is checked against an independent computation: :meth:`ReviewSet.filter`
for the scope, and a brute-force pass over the rows of ``factors`` for the drill-down.
"""

from __future__ import annotations

import base64
import io
import re

import pandas as pd
import pytest
from brute import RawSet
from conftest import SAMPLE

import sce_analysis as sce
from sce_analysis.explorer.app import TABS, explore
from sce_analysis.publish.policy import Policy


@pytest.fixture
def app(rs):
    return explore(rs)


def expected_status(subset) -> str:
    reviews = subset.reviews
    if len(reviews) == 0:
        return "0 reviews · 0 areas · no years in scope"
    first, last = int(reviews["year"].min()), int(reviews["year"].max())
    years = f"year {first}" if first == last else f"years {first}–{last}"
    return f"{len(reviews)} reviews · {reviews['area'].nunique()} areas · {years} in scope"


def status_of(app) -> str:
    return re.sub(r"<[^>]+>", "", app.status.value)


def test_status_line_starts_with_the_whole_set(app, rs):
    assert status_of(app) == expected_status(rs)
    assert "sce-status" in app.status._dom_classes


def test_year_range_and_region_update_the_status(app, rs):
    app.set_filters(years=(2015, 2020))
    assert status_of(app) == expected_status(rs.filter(years=(2015, 2020)))
    region = sorted(rs.reviews["region"].unique())[1]
    app.regions.value = (region,)
    assert status_of(app) == expected_status(rs.filter(years=(2015, 2020), regions=[region]))
    app.regions.value = ()
    assert status_of(app) == expected_status(rs.filter(years=(2015, 2020)))


def test_area_and_review_type_filters_match_reviewset_filter(app, rs):
    area = rs.reviews["area"].value_counts().index[0]
    review_type = sorted(rs.reviews["review_type"].unique())[0]
    app.set_filters(areas=[area], review_types=[review_type])
    assert status_of(app) == expected_status(rs.filter(areas=[area], review_types=[review_type]))
    mask = app.review_mask()
    assert set(rs.reviews.loc[mask, "review_id"]) == set(
        rs.filter(areas=[area], review_types=[review_type]).reviews["review_id"]
    )


def test_empty_scope_says_so_and_does_not_fail(app, rs):
    region = sorted(rs.reviews["region"].unique())[0]
    missing = sorted(set(app.year_options) - set(rs.filter(regions=[region]).reviews["year"]))
    if not missing:
        pytest.skip("every year has a review of this region")
    app.set_filters(regions=[region], years=(missing[0], missing[0]))
    assert status_of(app) == "0 reviews · 0 areas · no years in scope"
    assert app.pngs["recurrence"][:4] == b"\x89PNG"


def plainly_selected(rs, *, regions, years) -> sce.ReviewSet:
    """The reviews of these regions and years as a set built afresh from rows pandas selects: no cached
    mask, no sliced presence matrix, nothing shared with the explorer's positional filter."""
    reviews = rs.reviews
    kept = reviews.loc[reviews["region"].isin(regions) & reviews["year"].between(*years), "review_id"]
    selected = {
        name: getattr(rs, name)[getattr(rs, name)["review_id"].isin(kept)].reset_index(drop=True)
        for name in ("reviews", "episodes", "factors", "findings")
    }
    return sce.from_frames(**selected, taxonomy=rs.taxonomy)


def library_tables(subset, *, unit: str = "review", policy: Policy | None = None) -> dict[str, pd.DataFrame]:
    """Each tab's table computed by the library's functions on ``subset`` (unpublished: the network is
    the one ``policy`` lets be drawn). The pair tabs count episodes and the findings have no unit."""
    network = sce.factor_network(subset, unit="episode")
    return {
        "recurrence": sce.factor_prevalence(subset, unit=unit),
        "spread": sce.factor_prevalence(subset, by="region", unit=unit),
        "sequences": sce.factor_sequences(subset),
        "findings": sce.finding_categories(subset),
        "network": sce.node_metrics(network if policy is None else policy.network(network)),
        "themes": sce.systemic_themes(subset, unit="episode", resamples=0).drop(
            columns=["stability", "theme_stability"]
        ),
    }


def test_every_tab_table_is_the_library_table_on_the_filtered_set(app, rs):
    """Explorer.table gives each tab's whole table, equal to the library function on the same reviews
    selected by plain pandas and built into a fresh set."""
    region = sorted(rs.reviews["region"].unique())[2]
    subset = plainly_selected(rs, regions=[region], years=(2012, 2023))
    for unit in ("review", "episode"):
        app.set_filters(regions=[region], years=(2012, 2023), unit=unit)
        expected = library_tables(subset, unit=unit)
        assert set(expected) == {key for key, _ in TABS}
        for tab, table in expected.items():
            pd.testing.assert_frame_equal(app.table(tab), table, obj=f"{tab} ({unit})")
    with pytest.raises(sce.ParameterError, match="tab must be one of"):
        app.table("nonsense")


def test_drill_down_lists_exactly_the_kpes_where_the_factor_is_coded(app, rs):
    region = sorted(rs.reviews["region"].unique())[0]
    app.set_filters(regions=[region], years=(2013, 2024))
    ids = set(rs.filter(regions=[region], years=(2013, 2024)).reviews["review_id"])
    codes = rs.factors["factor_code"].value_counts().index[[0, 5, 20]]
    raw = RawSet(SAMPLE)
    for code in codes:
        for polarity in (None, "problematic", "good"):
            app.polarity.value = polarity
            app.factor.value = code
            shown = app.drill_down(code).episodes
            expected = raw.episodes_with(code, ids, polarity=polarity)
            assert set(zip(shown["review_id"], shown["episode_id"], strict=True)) == expected, (code, polarity)
            assert not shown.duplicated(["review_id", "episode_id"]).any()
    # The drill-down HTML lists them: each shown KPE's summary is on screen.
    app.polarity.value = None
    app.factor.value = codes[0]
    kpes = app.drill_down(codes[0]).episodes
    assert len(kpes) > 0
    text = app.drill.value
    assert f'<span class="sce-n-kpes">{len(kpes)}</span>' in text
    for summary in kpes["summary"].dropna().head(3):
        assert summary.replace("'", "&#x27;").replace('"', "&quot;")[:40] in text or summary[:40] in text


def test_drill_down_findings_and_cooccurrence(app, rs):
    code = rs.factors["factor_code"].value_counts().index[0]
    app.factor.value = code
    found = app.drill_down(code)
    episodes = set(zip(found.episodes["review_id"], found.episodes["episode_id"], strict=True))
    links = rs.finding_episodes
    cited = {
        (r, f)
        for r, f, e in zip(links["review_id"], links["finding_id"], links["episode_id"], strict=True)
        if (r, e) in episodes
    }
    assert set(zip(found.findings["review_id"], found.findings["finding_id"], strict=True)) == cited
    # Co-occurrence at review level: reviews having both factors, by brute force over the presence sets.
    codings = rs.codings()
    by_review = codings.groupby("review_id")["factor_code"].agg(set)
    with_code = by_review[by_review.map(lambda s: code in s)]
    together = found.partners.set_index("factor_code")["n_ab"]
    assert len(together) > 5
    for other, n_ab in together.items():
        assert n_ab == sum(other in s for s in with_code), other
    # Every factor seen with it is listed, and no other.
    expected = {other for s in with_code for other in s} - {code}
    assert set(together.index) == expected


def test_publication_mode_shows_no_free_text_and_no_small_counts(rs):
    marker = "PLANTEDMARKER"
    episodes = rs.episodes.assign(summary=rs.episodes["summary"].fillna("") + " " + marker)
    findings = rs.findings.assign(title=rs.findings["title"] + " " + marker)
    planted = sce.from_frames(
        reviews=rs.reviews, episodes=episodes, factors=rs.factors, findings=findings, taxonomy=rs.taxonomy
    )
    plain = explore(planted)
    code = rs.factors["factor_code"].value_counts().index[0]
    plain.factor.value = code
    assert marker in plain.drill.value  # the marker is really there to find

    app = explore(planted, publication=True, suppress_below=5)
    region = sorted(rs.reviews["region"].unique())[0]
    app.set_filters(regions=[region], years=(2015, 2019))
    n_reviews = len(rs.filter(regions=[region], years=(2015, 2019)).reviews)
    assert 0 < n_reviews < 5, "the scope should hold a small count for this test"
    shown = [app.status.value, app.drill.value]
    for code in rs.factors["factor_code"].value_counts().index[:5]:
        app.factor.value = code
        shown.append(app.drill.value)
    for i in range(len(TABS)):
        app.tabs.selected_index = i
    shown += [table.value for table in app.tables.values()]
    text = "\n".join(shown)
    assert marker not in text
    for column in ("Summary", "Agencies", "Review id"):
        assert f">{column}</th>" not in text
    for review_id in rs.reviews["review_id"]:
        assert f">{review_id}<" not in text
    # No count from 1 to 4 in any table cell, the drill-down or the status line.
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", text) + re.findall(r'class="sce-n-kpes">([^<]*)<', text)
    small = [c for c in cells if re.fullmatch(r"[1-4]", c.strip())]
    assert not small, small
    assert re.sub(r"<[^>]+>", "", app.status.value).startswith("c reviews")


def test_charts_change_when_filters_change(app, rs):
    before = app.pngs["recurrence"]
    assert before[:4] == b"\x89PNG"
    assert "sce-chart" in app.charts["recurrence"]._dom_classes
    app.set_filters(years=(2016, 2021))
    after = app.pngs["recurrence"]
    assert after[:4] == b"\x89PNG" and after != before
    app.unit.value = "episode"
    assert app.pngs["recurrence"] != after


def test_only_the_visible_tab_is_drawn_and_every_tab_draws(app, rs, monkeypatch):
    drawn = []
    for tab, _ in TABS:
        original = getattr(app, f"_draw_{tab}")
        monkeypatch.setattr(app, f"_draw_{tab}", lambda original=original, tab=tab: drawn.append(tab) or original())
    app.set_filters(years=(2014, 2022))
    assert set(app._rendered) == {"recurrence"}  # a filter change draws the visible tab only
    assert drawn == ["recurrence"]
    for i, (key, _) in enumerate(TABS):
        app.tabs.selected_index = i
        assert app.pngs[key][:4] == b"\x89PNG", key
    assert app.failures == {}, "no tab may fall back to its error message"
    network = app.pngs["network"]
    app.tabs.selected_index = [k for k, _ in TABS].index("network")
    drawn.clear()
    app.set_filters(years=(2013, 2022))
    assert drawn == ["network"]  # the visible tab only, though every tab was drawn before
    # The unit is not in the network's state, and a change to nothing is no change: no redraw.
    app.unit.value = "episode"
    app.unit.value = "review"
    app.set_filters(years=(2013, 2022))
    assert drawn == ["network"]
    app.min_lift.value = 5.0
    assert app.pngs["network"] != network and drawn == ["network", "network"]
    # Every tab also draws in a narrow scope, at episode level, for good practice.
    app.set_filters(unit="episode", polarity="good", regions=[sorted(rs.reviews["region"].unique())[0]])
    for i in range(len(TABS)):
        app.tabs.selected_index = i
    app.stability.value = True
    assert app.failures == {}


def test_explorer_displays_as_a_widget(app):
    bundle = app._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle


def test_bad_threshold_fails_with_a_clear_message(rs):
    with pytest.raises(sce.ParameterError, match="suppress_below"):
        explore(rs, suppress_below=0)


def test_tabs_compute_on_the_scope_a_plain_selection_gives(app, rs):
    """The tabs filter by position from the cached mask, with sliced presence matrices; the scope must equal a
    plain pandas selection row for row, and the statistics those of a set rebuilt from the selected rows."""
    region = sorted(rs.reviews["region"].unique())[1]
    app.set_filters(years=(2013, 2023), regions=[region])
    fast = app.scope()
    reviews = rs.reviews
    kept = reviews.loc[reviews["region"].eq(region) & reviews["year"].between(2013, 2023), "review_id"]
    selected = {
        name: getattr(rs, name)[getattr(rs, name)["review_id"].isin(kept)].reset_index(drop=True)
        for name in ("reviews", "episodes", "factors", "findings")
    }
    for name, frame in selected.items():
        pd.testing.assert_frame_equal(getattr(fast, name), frame)
    expected = sce.from_frames(**selected, taxonomy=rs.taxonomy)
    pd.testing.assert_frame_equal(
        sce.factor_prevalence(fast, by="region", unit="episode"),
        sce.factor_prevalence(expected, by="region", unit="episode"),
    )
    pd.testing.assert_frame_equal(sce.factor_sequences(fast), sce.factor_sequences(expected))


def test_theme_stability_is_computed_only_when_asked(app):
    app.tabs.selected_index = [k for k, _ in TABS].index("themes")
    assert "Theme stability" not in app.tables["themes"].value
    chart = app.pngs["themes"]
    app.stability.value = True
    assert "Theme stability" in app.tables["themes"].value
    assert app.pngs["themes"][:4] == b"\x89PNG" and chart[:4] == b"\x89PNG"
    app.stability.value = False
    assert "Theme stability" not in app.tables["themes"].value


def test_a_control_recomputes_only_the_tabs_that_depend_on_it(app, monkeypatch):
    computed = []
    for tab, _ in TABS:
        original = getattr(app, f"_compute_{tab}")
        monkeypatch.setattr(
            app, f"_compute_{tab}", lambda original=original, tab=tab: computed.append(tab) or original()
        )
    app.tabs.selected_index = [k for k, _ in TABS].index("network")
    app.set_filters(unit="review")
    computed.clear()
    app.set_filters(unit="episode")  # the network counts episodes whatever the unit
    assert computed == []
    app.tabs.selected_index = [k for k, _ in TABS].index("recurrence")
    assert computed == ["recurrence"]


def test_full_charts_redraw_a_tab_already_drawn(app):
    app.tabs.selected_index = [k for k, _ in TABS].index("themes")
    quick = app.pngs["themes"]
    app.tabs.selected_index = 0
    app.full_charts = True
    app.tabs.selected_index = [k for k, _ in TABS].index("themes")
    assert app.pngs["themes"] != quick


def test_year_lists_filter_as_the_user_picks_them(app, rs):
    app.first_year.value = 2015  # each list is a control of its own: the app updates on either
    assert status_of(app) == expected_status(rs.filter(years=(2015, rs.reviews["year"].max())))
    app.last_year.value = 2020
    assert status_of(app) == expected_status(rs.filter(years=(2015, 2020)))
    assert app.selection()["years"] == (2015, 2020)
    with pytest.raises(sce.ParameterError, match="year 1990 is outside"):
        app.set_filters(years=(1990, 2020))


def cells_of(html_text: str) -> list[list[str]]:
    """The rows of the first HTML table in ``html_text``, as the text of their cells (headers first)."""
    import html as html_module

    rows = re.findall(r"<tr>(.*?)</tr>", html_text, flags=re.S)
    return [[html_module.unescape(c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)] for row in rows]


def test_scope_summary_is_a_table_of_the_filtered_set(app, rs):
    region = sorted(rs.reviews["region"].unique())[1]
    app.set_filters(regions=[region], years=(2013, 2022))
    subset = rs.filter(regions=[region], years=(2013, 2022))
    counts = subset.summary().set_index("measure")["count"]
    rows = dict(cells_of(app.scope_table.value)[1:])
    assert rows["Reviews"] == f"{len(subset.reviews):,}"
    assert rows["Areas"] == str(subset.reviews["area"].nunique())
    assert rows["Key practice episodes"] == f"{len(subset.episodes):,}"
    assert rows["Coded factors"] == f"{counts['coded_factors']:,}"
    assert rows["Findings"] == f"{len(subset.findings):,}"
    assert rows["Years"] == f"{subset.reviews['year'].min()}–{subset.reviews['year'].max()}"
    assert cells_of(app.scope_table.value)[0] == ["In scope", "Number"]  # headers, and no index column


def test_scope_summary_suppresses_small_counts_in_publication_mode(rs):
    app = explore(rs, publication=True, suppress_below=5)
    region = sorted(rs.reviews["region"].unique())[0]
    app.set_filters(regions=[region], years=(2015, 2019))
    assert 0 < len(app.scope().reviews) < 5
    summary = app.scope_summary().set_index("measure")["value"]
    assert summary["Reviews"] == "c" and summary["Areas"] == "c"


def test_shown_tables_are_formatted_and_have_no_index(app, rs):
    for i, (key, _) in enumerate(TABS):
        app.tabs.selected_index = i
        rows = cells_of(app.tables[key].value)
        headers = rows[0]
        assert all(h.strip() for h in headers), (key, headers)  # a pandas index would leave an empty corner
        assert not any(h in ("n_units", "ci_low", "scie_category", "q_value") for h in headers), key
        assert headers[0] != "0" and rows[1][0] != "0", key
    app.tabs.selected_index = 0
    rows = cells_of(app.tables["recurrence"].value)
    headers, first = rows[0], rows[1]
    table = app.table("recurrence")
    # The first row is the table's first row, in words: its share as a percent and its interval as a range.
    row = dict(zip(headers, first, strict=True))
    assert row["Factor"] == table["label"].iloc[0]
    assert row["Share"] == f"{table['share'].iloc[0] * 100:.0f}%"
    low, high = table["ci_low"].iloc[0] * 100, table["ci_high"].iloc[0] * 100
    assert row["95% interval"] == f"{low:.0f}–{high:.0f}%"
    assert re.search(r"<td class=num>\d", app.tables["recurrence"].value)  # numbers right-aligned


def download_links(app, key: str) -> dict[str, str]:
    """The tab's download links: file name -> the base64 text of the file."""
    return dict(
        re.findall(r'download="([^"]+)" href="data:[^;]+;(?:charset=utf-8;)?base64,([^"]+)"', app.downloads[key].value)
    )


def assert_csv_written_as(csv: str, table: pd.DataFrame, policy: Policy, key: str) -> None:
    """``csv`` is ``table`` as ``policy`` writes it for a report."""
    buffer = io.StringIO()
    policy.write_csv(table, buffer)
    if key != "network":
        assert csv == buffer.getvalue(), key
        return
    # The network's eigenvector centrality comes from an iterative solver: the same to about 1e-15 from
    # one run to the next, which the CSV's 12 digits can show.
    pd.testing.assert_frame_equal(
        pd.read_csv(io.StringIO(csv)), pd.read_csv(io.StringIO(buffer.getvalue())), rtol=1e-9, obj=key
    )


def test_downloads_give_the_whole_table_and_the_chart_shown(app, rs):
    expected = library_tables(rs)
    for i, (key, _) in enumerate(TABS):
        app.tabs.selected_index = i
        links = download_links(app, key)
        assert set(links) == {f"{key}.csv", f"{key}.png"}, key
        # The CSV is the library's table written as a report writes it, computed independently here.
        assert_csv_written_as(
            base64.b64decode(links[f"{key}.csv"]).decode(), expected[key], Policy(publication=False), key
        )
        assert base64.b64decode(links[f"{key}.png"]) == app.pngs[key]
        csv = base64.b64decode(links[f"{key}.csv"]).decode()
        assert csv == app.table_csv(key)
        pd.testing.assert_frame_equal(
            pd.read_csv(io.StringIO(csv)),
            pd.read_csv(io.StringIO(app.table(key).to_csv(index=False))),
            obj=key,
            check_dtype=False,  # a float column of whole numbers reads back as integers
            rtol=1e-9,
        )
    # The CSV is the library's table written as a report writes it, computed independently here.
    buffer = io.StringIO()
    Policy(publication=False).write_csv(sce.factor_prevalence(rs), buffer)
    assert app.table_csv("recurrence") == buffer.getvalue()


def test_publication_downloads_are_the_library_tables_as_a_report_publishes_them(rs):
    policy = Policy(publication=True)
    app = explore(rs, policy=policy)
    expected = library_tables(rs, policy=policy)
    suppressed = 0
    for i, (key, _) in enumerate(TABS):
        app.tabs.selected_index = i
        links = download_links(app, key)
        assert set(links) == {f"{key}.csv", f"{key}.png"}, key
        csv = base64.b64decode(links[f"{key}.csv"]).decode()
        assert_csv_written_as(csv, expected[key], Policy(publication=True), key)
        assert base64.b64decode(links[f"{key}.png"]) == app.pngs[key]
        suppressed += pd.read_csv(io.StringIO(csv), dtype=str, keep_default_na=False).isin(["c"]).sum().sum()
    assert suppressed > 0, "some cell should be suppressed for this test to test publication"


def test_publication_downloads_suppress_small_counts(rs):
    app = explore(rs, publication=True, suppress_below=5)
    region = sorted(rs.reviews["region"].unique())[0]
    app.set_filters(regions=[region])
    csv = pd.read_csv(io.StringIO(app.table_csv("recurrence")), dtype=str, keep_default_na=False)
    raw = sce.factor_prevalence(rs.filter(regions=[region]))
    small = raw["n_units"].between(1, 4).to_numpy()
    assert small.any(), "the scope should hold small counts for this test"
    assert (csv.loc[small, "n_units"] == "c").all()
    assert not csv.isin(["1", "2", "3", "4"])[["n_units", "n_reviews"]].any().any()


def test_every_chart_has_alt_text_that_says_the_scope(app, rs):
    reviews = rs.reviews
    scope = (
        f"{len(reviews)} reviews · {reviews['area'].nunique()} areas · "
        f"years {reviews['year'].min()}–{reviews['year'].max()} in scope"
    )
    for i, (key, title) in enumerate(TABS):
        app.tabs.selected_index = i
        alt = re.search(r'<img [^>]*alt="([^"]+)"', app.charts[key].value).group(1)
        assert alt.startswith(f"Chart: {title.lower()}, ") and f"{len(reviews)} reviews" in alt, alt
        assert alt.startswith(f"Chart: {title.lower()}, {scope}. "), alt
        assert len(alt) > 80, alt  # it says how to read the chart, not only its name


def test_publication_banner_only_in_publication_mode(rs):
    def texts(app):
        found, stack = [], [app.widget]
        while stack:
            widget = stack.pop()
            stack.extend(getattr(widget, "children", ()))
            found.append(getattr(widget, "value", ""))
        return "\n".join(v for v in found if isinstance(v, str))

    assert 'class="sce-banner"' not in texts(explore(rs))
    shown = texts(explore(rs, publication=True))
    assert 'class="sce-banner" role="note"' in shown and "Publication mode" in shown


def test_pair_evidence_behind_a_network_link(app, rs):
    app.tabs.selected_index = [k for k, _ in TABS].index("network")
    links = [value for _, value in app.link.options if value is not None]
    graph = sce.factor_network(rs, unit="episode")
    assert set(links) == {tuple(edge) for edge in graph.edges()}  # every link drawn, and no other
    assert len(links) == graph.number_of_edges()
    a, b = links[0]
    app.link.value = (a, b)
    expected = sce.pair_evidence(rs, a, b)
    assert len(expected) == graph.edges[a, b]["n_ab"]
    assert f'<span class="sce-n-pair-kpes">{len(expected)}</span>' in app.pair_drill.value
    listed = {tuple(row[:2]) for row in cells_of(app.pair_drill.value.split("</p>", 1)[1])[1:]}
    assert listed == set(zip(expected["review_id"], expected["episode_id"], strict=True))
    # A filter that drops the link's reviews resets the choice instead of showing stale evidence.
    first = next(y for y in app.year_options if sce.pair_evidence(rs.filter(years=(y, y)), a, b).empty)
    app.set_filters(years=(first, first))
    assert app.link.value is None or app.link.value in [v for _, v in app.link.options]
    assert app.link.value is None and (a, b) not in [v for _, v in app.link.options]
    assert app.pair_drill.value == ""


def test_pair_evidence_shows_counts_only_in_publication_mode(rs):
    marker = "PLANTEDMARKER"
    episodes = rs.episodes.assign(summary=rs.episodes["summary"].fillna("") + " " + marker)
    planted = sce.from_frames(
        reviews=rs.reviews, episodes=episodes, factors=rs.factors, findings=rs.findings, taxonomy=rs.taxonomy
    )
    for publication in (False, True):
        app = explore(planted, publication=publication)
        app.tabs.selected_index = [k for k, _ in TABS].index("network")
        app.link.value = next(value for _, value in app.link.options if value is not None)
        assert (marker in app.pair_drill.value) is (not publication)
        assert "sce-n-pair-kpes" in app.pair_drill.value
        if publication:
            assert "<table" not in app.pair_drill.value


def test_publication_themes_chart_draws_only_the_shares_the_table_publishes(rs):
    """In a small scope some factors of the themes rest on too few areas: the quick chart must leave their
    bars out, as the published prevalence table leaves their shares out."""
    policy = Policy(publication=True)
    app = explore(rs, policy=policy)
    bars = []  # what the chart is drawn from, caught on the way to the drawing
    quick_bars = app._quick_bars_png
    app._quick_bars_png = lambda rows, **kwargs: bars.append(rows.copy()) or quick_bars(rows, **kwargs)
    app.set_filters(regions=["Midlands"])
    app.tabs.selected_index = [k for k, _ in TABS].index("themes")
    assert app.failures == {}
    published = policy.table(sce.factor_prevalence(rs.filter(regions=["Midlands"]), unit="episode"))
    shares = published.set_index("factor_code")["share"].astype("float64")
    drawn = app._quick_themes_rows(app._computed("themes")[1])
    assert len(drawn) > 0
    # The bars drawn are these rows: every share drawn is the published one (missing where suppressed).
    assert bars and "theme" in bars[-1].columns, "the themes chart was not drawn"
    for code, share in zip(bars[-1]["factor_code"], bars[-1]["share"], strict=True):
        assert share == shares[code] or (pd.isna(share) and pd.isna(shares[code])), code
    hidden = shares[shares.isna()].index
    assert drawn["factor_code"].isin(hidden).any(), "the chart should hold a suppressed factor for this test"
    for code, share in zip(drawn["factor_code"], drawn["share"], strict=True):
        assert share == shares[code] or (pd.isna(share) and pd.isna(shares[code])), code


def test_a_bad_set_filters_call_changes_nothing(app, rs):
    region = sorted(rs.reviews["region"].unique())[1]
    app.set_filters(years=(2014, 2020))
    controls = [app.first_year, app.last_year, app.regions, app.areas, app.review_types, app.unit, app.polarity]
    before = [control.value for control in controls], app.status.value, app.pngs["recurrence"]
    bad_calls = [
        ({"regions": [region], "years": (1990, 2020)}, "year 1990 is outside"),
        ({"unit": "episode", "years": (2020, 2015)}, "the first year, 2020, is after the last year, 2015"),
        ({"polarity": "good", "years": (2020,)}, "years must be two years"),
        ({"years": (2015, 2016), "regions": ["Atlantis"]}, "regions has no 'Atlantis'"),
        ({"areas": [region], "unit": "review"}, "areas has no"),
        ({"regions": [region], "unit": "kpe"}, "unit must be one of"),
    ]
    for values, message in bad_calls:
        with pytest.raises(sce.ParameterError, match=re.escape(message)):
            app.set_filters(**values)
        after = [control.value for control in controls], app.status.value, app.pngs["recurrence"]
        assert after == before, values
    assert status_of(app) == expected_status(rs.filter(years=(2014, 2020)))


def test_years_picked_the_wrong_way_round_say_so(app):
    app.last_year.value = 2014
    app.first_year.value = 2020  # the user picks a From year after the To year
    assert status_of(app) == "0 reviews · 0 areas · no years in scope (the From year, 2020, is after the To year, 2014)"
    alt = re.search(r'<img [^>]*alt="([^"]+)"', app.charts["recurrence"].value).group(1)
    assert alt == "No reviews in scope: the From year, 2020, is after the To year, 2014."
    assert app.downloads["recurrence"].value == "" and app.tables["recurrence"].value == ""


def test_table_headers_name_the_unit_counted(app):
    app.set_filters(unit="episode")
    for key in ("recurrence", "spread"):
        app.tabs.selected_index = [k for k, _ in TABS].index(key)
        headers = cells_of(app.tables[key].value)[0]
        assert "Key practice episodes with it" in headers and "Key practice episodes in scope" in headers, headers
    app.set_filters(unit="review")
    headers = cells_of(app.tables["spread"].value)[0]
    assert "Reviews with it" in headers and "Reviews in scope" in headers, headers
    app.tabs.selected_index = [k for k, _ in TABS].index("findings")
    assert cells_of(app.tables["findings"].value)[0][:3] == ["SCIE category", "Findings", "Reviews with a finding"]


def test_each_table_is_written_as_csv_once_per_state(app, rs, monkeypatch):
    written = []
    write_csv = Policy.write_csv
    monkeypatch.setattr(Policy, "write_csv", lambda self, frame, out: written.append(1) or write_csv(self, frame, out))
    app.set_filters(years=(2014, 2021))  # draws the visible tab, whose download link holds its CSV
    assert len(written) == 1
    csv = app.table_csv("recurrence")
    assert app.table_csv("recurrence") == csv and len(written) == 1  # the link's CSV, not written again
    app.set_filters(years=(2015, 2021))
    assert len(written) == 2 and app.table_csv("recurrence") != csv
