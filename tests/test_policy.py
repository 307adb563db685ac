"""The one publication path: the Policy, the contributing-areas rule, and the same cells from every output.

A report (``Run``), the gallery and deck (``Tables``) and the explorer all publish through one
:class:`Policy`. These tests plant tables and review sets whose safe and unsafe cells are known,
and check that every output path suppresses exactly the same cells.
"""

from __future__ import annotations

import csv
import functools
import io
from types import SimpleNamespace

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from conftest import SAMPLE

import sce_analysis as sce
from sce_analysis.cli import main
from sce_analysis.explorer import explore
from sce_analysis.publish.disclosure import (
    CONTRIBUTORS,
    DEFAULT_MIN_AREAS,
    DEFAULT_THRESHOLD,
    SUPPRESSED,
    footer,
    publish,
)
from sce_analysis.publish.policy import Policy
from sce_analysis.reports.gallery import Tables

# ------------------------------------------------------------------------------------ the policy itself


def test_defaults_are_the_one_constant_pair():
    policy = Policy()
    assert (policy.publication, policy.threshold, policy.min_areas) == (True, DEFAULT_THRESHOLD, DEFAULT_MIN_AREAS)
    assert (DEFAULT_THRESHOLD, DEFAULT_MIN_AREAS) == (5, 3)
    assert policy.describe() == {"mode": True, "suppress_below": 5, "min_areas": 3, "rules": footer(5, 3)}
    assert "fewer than 3 areas" in policy.footer()
    assert CONTRIBUTORS == sce.stats.CONTRIBUTING_AREAS  # the rule reads the column the statistics write


def test_full_detail_shows_everything(rs):
    policy = Policy(publication=False)
    table = sce.factor_prevalence(rs, by="area")
    assert policy.table(table) is table
    assert policy.count(2) == "2" and policy.count(2, areas=1) == "2"
    assert policy.footer() is None and policy.hidden(["review_id", "summary"]) == []
    graph = sce.factor_network(rs)
    assert policy.network(graph).number_of_edges() == graph.number_of_edges()
    assert policy.network(graph) is graph  # full detail: the very graph, untouched


@pytest.mark.parametrize(
    ("n", "areas", "shown"),
    [(0, None, "0"), (1, None, "c"), (4, None, "c"), (5, None, "5"), (7, 2, "c"), (7, 3, "7"), (1234, 9, "1,234")],
)
def test_a_count_in_text(n, areas, shown):
    assert Policy().count(n, areas=areas) == shown


def test_bad_settings_name_the_parameter():
    with pytest.raises(sce.ParameterError, match="suppress_below"):
        Policy(threshold=0)
    with pytest.raises(sce.ParameterError, match="min_areas"):
        Policy(min_areas=0)


def test_identifiers_and_free_text_are_hidden_in_publication():
    assert Policy().hidden(["factor_code", "label", "review_id", "summary", "title", "n_units"]) == [
        "review_id",
        "summary",
        "title",
    ]


# ------------------------------------------------------------------------------------ the contributor rule


def planted_table() -> pd.DataFrame:
    """Four factors in 40 reviews: a large count from two areas, a large count from three, a small
    count from many areas, and a zero."""
    return pd.DataFrame(
        {
            "factor_code": ["two_areas", "three_areas", "small", "absent"],
            "n_units": [12, 12, 3, 0],
            "n_total": [40, 40, 40, 40],
            "share": [0.3, 0.3, 0.075, 0.0],
            "n_contributing_areas": [2, 3, 3, 9],
        }
    )


def test_a_figure_two_areas_stand_behind_is_suppressed(tmp_path):
    published = publish(planted_table())
    frame = published.frame.set_index("factor_code")
    assert pd.isna(frame.loc["two_areas", "n_units"]) and pd.isna(frame.loc["two_areas", "share"])
    assert pd.isna(frame.loc["two_areas", "n_contributing_areas"]), "how many areas stand behind it is hidden too"
    assert frame.loc["three_areas", "n_units"] == 12 and frame.loc["three_areas", "share"] == 0.3
    assert pd.isna(frame.loc["small", "n_units"])  # the threshold still applies
    assert frame.loc["absent", "n_units"] == 0  # a zero discloses nothing
    # Written as c in the CSV, whichever rule suppressed the cell.
    path = tmp_path / "t.csv"
    Policy().write_csv(planted_table(), path)
    rows = pd.read_csv(path, dtype=str, keep_default_na=False).set_index("factor_code")
    assert rows.loc["two_areas", "n_units"] == SUPPRESSED and rows.loc["small", "n_units"] == SUPPRESSED
    assert rows.loc["three_areas", "n_units"] == "12"
    # The rule can be turned off (min_areas=1) but not forgotten: a count table without the column is refused.
    assert Policy(min_areas=1).table(planted_table()).set_index("factor_code").loc["two_areas", "n_units"] == 12
    with pytest.raises(sce.ParameterError, match="n_contributing_areas"):
        Policy().table(planted_table().drop(columns="n_contributing_areas"))


def planted_set(rs):
    """The sample plus two planted factors, each coded in 10 reviews: ``planted_local`` only in reviews of
    two areas, ``planted_wide`` in reviews of ten different areas."""
    reviews = rs.reviews
    largest = reviews["area"].value_counts().sort_index().sort_values(ascending=False, kind="stable").index[:2]
    local = reviews[reviews["area"].isin(largest)]["review_id"].head(10).tolist()
    wide = reviews.drop_duplicates("area")["review_id"].head(10).tolist()
    assert len(local) == 10 and len(wide) == 10
    first_episode = rs.episodes.drop_duplicates("review_id").set_index("review_id")["episode_id"]
    rows = [
        {"review_id": r, "episode_id": first_episode[r], "factor_code": code, "coder": rs.factors["coder"].iloc[0]}
        for code, ids in (("planted_local", local), ("planted_wide", wide))
        for r in ids
    ]
    factors = pd.concat([rs.factors, pd.DataFrame(rows)], ignore_index=True)
    taxonomy = pd.concat(
        [
            rs.taxonomy,
            pd.DataFrame(
                {
                    "factor_code": ["planted_local", "planted_wide"],
                    "label": ["Planted in two areas", "Planted in ten areas"],
                    "level": ["frontline", "frontline"],
                }
            ),
        ],
        ignore_index=True,
    )
    return sce.from_frames(rs.reviews, rs.episodes, factors, rs.findings, taxonomy)


def test_a_factor_from_two_areas_is_suppressed_in_every_table_that_counts_it(rs):
    planted = planted_set(rs)
    policy = Policy()
    prevalence = sce.factor_prevalence(planted).set_index("factor_code")
    assert prevalence.loc["planted_local", "n_reviews"] == 10 and prevalence.loc["planted_wide", "n_reviews"] == 10
    assert prevalence.loc["planted_local", "n_contributing_areas"] == 2
    assert prevalence.loc["planted_wide", "n_contributing_areas"] == 10
    shown = policy.table(sce.factor_prevalence(planted)).set_index("factor_code")
    assert shown.loc["planted_local", ["n_reviews", "n_units", "share", "ci_low"]].isna().all()
    assert shown.loc["planted_wide", "n_reviews"] == 10
    # Every pair that rests on the local factor's units comes from those two areas too.
    pairs = policy.table(sce.factor_pairs(planted, unit="review"))
    local_pairs = pairs[(pairs["factor_a"] == "planted_local") | (pairs["factor_b"] == "planted_local")]
    assert len(local_pairs) and local_pairs["n_ab"].isna().all() and local_pairs["lift"].isna().all()
    # Not in the published network either.
    network = policy.network(sce.factor_network(planted, unit="review", min_count=5))
    assert "planted_local" not in network
    assert all(data["n_contributing_areas"] >= 3 for _, _, data in network.edges(data=True))


def test_a_breakdown_by_area_publishes_no_count(rs):
    shown = Policy().table(sce.factor_prevalence(rs, by="area"))
    assert shown["n_units"].isna().all() and shown["n_reviews"].isna().all()
    assert shown["area"].notna().all(), "the labels stay; only the figures go"
    coverage = Policy().table(sce.coverage(rs, by="area"))
    assert coverage["n_reviews"].isna().all()


def test_a_scope_of_two_areas_publishes_no_count(rs):
    areas = sorted(rs.reviews["area"].unique())[:2]
    scoped = rs.filter(areas=areas)
    assert len(scoped.reviews) >= 5, "the rule must bite where the threshold alone would not"
    for table in (sce.factor_prevalence(scoped), sce.finding_categories(scoped), sce.level_profile(scoped)):
        counts = [c for c in table.columns if c.startswith("n_") and c != "n_contributing_areas"]
        assert Policy().table(table)[counts].isna().all().all()
        assert Policy(min_areas=1).table(table)[counts].notna().any().any()


def test_network_pruned_by_contributing_areas():
    G = nx.Graph()
    G.add_node("a", n_units=20, n_contributing_areas=8)
    G.add_node("b", n_units=20, n_contributing_areas=8)
    G.add_node("c", n_units=20, n_contributing_areas=2)
    G.add_edge("a", "b", n_ab=10, n_contributing_areas=2)
    G.add_edge("a", "c", n_ab=10, n_contributing_areas=2)
    H = Policy().network(G)
    assert set(H.nodes) == {"a", "b"} and H.number_of_edges() == 0
    assert Policy(min_areas=2).network(G).number_of_edges() == 2


# ------------------------------------------------------------------------------------ one path for all outputs


def test_report_gallery_and_explorer_suppress_the_same_cells(rs, tmp_path):
    """The same scope through the report (a real notebook run), the gallery's tables and the explorer gives
    byte-identical published tables, with cells suppressed by both rules."""
    regions = sorted(rs.reviews["region"].unique())[:2]
    out = tmp_path / "report"
    status = main(
        ["report", "--publication", "--data", str(SAMPLE), "--out", str(out), "--notebooks", "02", "--jobs", "1"]
        + ["-p", "regions", ",".join(regions)]
    )
    assert status == 0
    scoped = rs.filter(regions=regions)
    policy = Policy()
    gallery = Tables(scoped, policy=policy)
    app = explore(rs, publication=True)
    app.set_filters(regions=regions)
    for name, from_gallery, tab in (
        ("factor_prevalence", gallery.prevalence, "recurrence"),
        ("prevalence_by_region", gallery.prevalence_by_region, "spread"),
    ):
        reported = (out / "tables" / f"{name}.csv").read_text(encoding="utf-8")
        for source, table in (("gallery", from_gallery), ("explorer", app.table(tab))):
            assert _as_published_csv(table) == reported, f"{name}: the {source} differs from the report"
        cells = pd.read_csv(io.StringIO(reported), dtype=str, keep_default_na=False)
        full = (
            sce.factor_prevalence(scoped) if name == "factor_prevalence" else sce.factor_prevalence(scoped, by="region")
        )
        # In full detail these tables have no missing number, so a missing one in a published table is a
        # suppressed one, which the report writes as c (this is what _as_published_csv relies on).
        assert not full.select_dtypes("number").isna().any().any()
        suppressed = cells["n_units"] == SUPPRESSED
        by_areas = (full["n_contributing_areas"] < 3) & (full["n_units"] >= 5)
        by_count = full["n_units"].between(1, 4)
        assert by_areas.any() and by_count.any(), "the scope must exercise both rules"
        assert suppressed[by_areas.to_numpy()].all() and suppressed[by_count.to_numpy()].all()


def _as_published_csv(shown: pd.DataFrame) -> str:
    """The text a published table's CSV must hold, worked out cell by cell here, not by the library's writer.

    A missing number is a suppressed one, ``c``; a float has ten significant figures (``f"{value:.10g}"``),
    as in full detail; a whole number is its digits; text is as it is (the caller's tables hold no
    formula-like text, checked here); a missing text is empty. Quoting is the csv module's, as a CSV file's.
    """
    numeric = [pd.api.types.is_numeric_dtype(shown[c]) for c in shown.columns]

    def cell(value, is_number: bool) -> str:
        if pd.isna(value):
            return SUPPRESSED if is_number else ""
        if isinstance(value, (float, np.floating)):
            return f"{value:.10g}"
        text = str(value)
        assert is_number or text[:1] not in ("=", "+", "-", "@", "\t", "\r"), f"formula-like text {text!r}"
        return text

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([str(c) for c in shown.columns])
    writer.writerows([cell(v, n) for v, n in zip(row, numeric, strict=True)] for row in shown.itertuples(index=False))
    return buffer.getvalue()


def test_the_one_csv_writer_against_a_rendering_by_hand():
    """write_people_csv, the writer of every table CSV a person opens, cell by cell against the csv module."""
    from sce_analysis.spreadsheets import write_people_csv

    frame = pd.DataFrame(
        {
            "area": ["=HYPERLINK(1)", "-Kelmscote", "Ashworth", None],
            "n": [3, 12, -4, 7],
            "share": [0.1 + 0.2, -0.5, np.nan, 2 / 3],
            "rate": pd.array([1.0, None, 1e-12, 123456789012.0], dtype="Float64"),
            "note": pd.Categorical(["@x", "ok", "ok", "+1"]),
        }
    ).rename(columns={"rate": "share"})  # two columns of one name: written by position
    suppressed = np.zeros(frame.shape, dtype=bool)
    suppressed[0, 1] = suppressed[1, 2] = suppressed[2, 0] = True
    before = frame.copy()
    out = io.StringIO()
    write_people_csv(frame, out, suppressed=pd.DataFrame(suppressed), mark=SUPPRESSED)
    expected = io.StringIO()
    writer = csv.writer(expected, lineterminator="\n")
    writer.writerow(["area", "n", "share", "share", "note"])
    writer.writerows(
        [
            ["'=HYPERLINK(1)", SUPPRESSED, "0.3", "1", "'@x"],
            ["'-Kelmscote", "12", SUPPRESSED, "", "ok"],
            [SUPPRESSED, "-4", "", "1e-12", "ok"],
            ["", "7", "0.6666666667", "1.23456789e+11", "'+1"],
        ]
    )
    assert out.getvalue() == expected.getvalue()
    pd.testing.assert_frame_equal(frame, before)  # the caller's frame is not changed


def _csv_cells(path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def test_published_and_full_detail_csvs_write_the_same_numbers(rs, tmp_path):
    """A publication CSV differs from the full-detail one only where it shows c: floats are written alike,
    with ten significant figures (0.1 + 0.2 as 0.3, not 0.30000000000000004)."""
    planted = planted_table().assign(share=[0.1 + 0.2, 0.1 + 0.2, 0.075, 0.0])
    for name, table in (("planted", planted), ("by_region", sce.factor_prevalence(rs, by="region"))):
        Policy(publication=False).write_csv(table, tmp_path / f"{name}-full.csv")
        Policy(min_areas=1).write_csv(table, tmp_path / f"{name}-pub.csv")
        full, published = _csv_cells(tmp_path / f"{name}-full.csv"), _csv_cells(tmp_path / f"{name}-pub.csv")
        assert list(full.columns) == list(published.columns) == list(table.columns)
        shown = published != SUPPRESSED
        assert (~shown).any().any() and shown.any().any(), f"{name}: both kinds of cell are exercised"
        assert (published[shown] == full[shown])[shown].all().all(), name
        # Worked out independently: every float cell of the full-detail file is the value to ten significant figures.
        for column in table.select_dtypes("float").columns:
            expected = ["" if pd.isna(v) else f"{v:.10g}" for v in table[column]]
            assert full[column].tolist() == expected, f"{name}.{column}"
    rows = _csv_cells(tmp_path / "planted-pub.csv").set_index("factor_code")
    assert rows.loc["two_areas", "share"] == "0.3" and rows.loc["small", "share"] == SUPPRESSED


# ------------------------------------------------------------------------------------ the footer on a figure


#: Each chart the report draws, as its notebook draws it, from tables published in publication mode (``p``: the
#: published inputs, see :func:`published_charts`). The one list of the charts that the footer tests cover.
PUBLISHED_CHARTS = {
    "coverage_by_year": lambda p: sce.plot_coverage(p.table(sce.coverage(p.rs, by="year")), by="year"),
    "prevalence": lambda p: sce.plot_prevalence(p.table(sce.factor_prevalence(p.rs)), top=15),
    "spread_by_region": lambda p: sce.plot_spread(
        p.table(sce.factor_prevalence(p.rs, by="region")), by="region", top=15
    ),
    "level_profile": lambda p: sce.plot_level_profile(p.table(sce.level_profile(p.rs))),
    "factor_network": lambda p: sce.plot_factor_network(p.network, themes=p.themes, seed=0),
    "cooccurrence": lambda p: sce.plot_cooccurrence(p.table(sce.factor_pairs(p.rs)), themes=p.themes),
    "level_map": lambda p: sce.plot_level_map(p.network),
    "sequences": lambda p: sce.plot_sequences(p.table(sce.factor_sequences(p.rs)), labels=p.labels),
    # The sample has no significant sequence: rows of arrows above the bottom note, from a planted table.
    "sequences_drawn": lambda p: sce.plot_sequences(p.table(planted_sequences()), labels=p.labels),
    "finding_categories": lambda p: sce.plot_finding_categories(p.table(sce.finding_categories(p.rs))),
    "trends": lambda p: sce.plot_trends(
        p.table(sce.factor_trends(p.rs)), p.table(sce.factor_prevalence(p.rs, by="year"))
    ),
    "group_differences": lambda p: sce.plot_group_differences(
        p.differences, group=sce.most_different_group(p.differences)
    ),
}
CHARTS_DRAWN = list(PUBLISHED_CHARTS)


@pytest.fixture(scope="module")
def published_charts(rs):
    """Name -> a function that draws that chart of :data:`PUBLISHED_CHARTS` from the sample, published."""
    policy = Policy()
    inputs = SimpleNamespace(
        rs=rs,
        table=policy.table,
        network=policy.network(sce.factor_network(rs)),
        themes=policy.table(sce.systemic_themes(rs, resamples=0)),
        differences=policy.table(sce.compare_groups(rs, by="region")),
        labels=dict(zip(rs.taxonomy["factor_code"], rs.taxonomy["label"], strict=True)),
    )
    return {name: functools.partial(draw, inputs) for name, draw in PUBLISHED_CHARTS.items()}


def planted_sequences() -> pd.DataFrame:
    """Three significant sequences, each on enough areas to be published."""
    return pd.DataFrame(
        {
            "factor_from": ["fam_hostile", "fam_evasive", "work_caseload"],
            "factor_to": ["role_infrequent", "ls_escalation", "work_caseload"],
            "n": [116, 110, 40],
            "expected": [30.3, 27.3, 20.0],
            "ratio": [3.83, 4.03, 2.0],
            "p_value": [1e-30, 1e-30, 1e-4],
            "q_value": [1e-27, 1e-27, 1e-3],
            "n_contributing_areas": [12, 11, 9],
        }
    )


def assert_footer_clear(fig, footer_text: str) -> None:
    """The footer lies inside the figure and overlaps no other text, and no axes with its labels."""
    from matplotlib.text import Text

    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    texts = [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]
    footers = [t for t in texts if " ".join(t.get_text().split()) == footer_text]
    assert len(footers) == 1, "the figure carries the footer once"
    box = footers[0].get_window_extent(renderer)
    others = [(repr(t.get_text()), t.get_window_extent(renderer)) for t in texts if t is not footers[0]]
    others += [(f"axes {i}", ax.get_tightbbox(renderer)) for i, ax in enumerate(fig.axes) if ax.get_visible()]
    for name, other in others:
        width = min(box.x1, other.x1) - max(box.x0, other.x0)
        height = min(box.y1, other.y1) - max(box.y0, other.y0)
        assert width <= 0 or height <= 0, f"the footer overlaps {name}"
    frame = fig.bbox
    assert frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1, (
        f"the footer {box.extents} runs off the figure {frame.extents}"
    )


@pytest.mark.parametrize("name", CHARTS_DRAWN)
def test_the_footer_overlaps_nothing_on_any_report_chart(name, published_charts, tmp_path):
    """As a report saves a chart (stamp, then save_figure with bbox_inches="tight"), and as the explorer does
    (stamp at 7 pt, then savefig as is): the footer sits inside the figure, clear of every text."""
    import matplotlib.pyplot as plt

    from sce_analysis.charts import save_figure

    policy = Policy()
    for fontsize, save in (
        (8, lambda fig: save_figure(fig, tmp_path / name)),
        (7, lambda fig: fig.savefig(io.BytesIO())),
    ):
        drawn = published_charts[name]()
        fig = drawn if hasattr(drawn, "savefig") else drawn.get_figure(root=True)
        height = fig.get_figheight()
        try:
            policy.stamp(fig, fontsize=fontsize)
            save(fig)
            assert_footer_clear(fig, policy.footer())
            assert fig.get_figheight() > height, "the chart keeps its size: the figure grows by the footer's strip"
        finally:
            plt.close(fig)


def test_the_footer_overlaps_nothing_below_a_scope_footnote(rs, tmp_path):
    """A chart may carry the scope footnote at its bottom edge (a figure-level label that constrained layout
    places at the figure's bottom edge): the footer goes below it, clear of it."""
    import matplotlib.pyplot as plt

    from sce_analysis.charts import save_figure, style

    policy = Policy()
    for fontsize, save in (
        (8, lambda fig: save_figure(fig, tmp_path / "noted")),
        (7, lambda fig: fig.savefig(io.BytesIO())),
    ):
        fig = sce.plot_prevalence(policy.table(sce.factor_prevalence(rs)), top=8).get_figure(root=True)
        try:
            note = style.stamp(fig, rs)
            policy.stamp(fig, fontsize=fontsize)
            save(fig)
            assert_footer_clear(fig, policy.footer())
            renderer = fig.canvas.get_renderer()
            assert note.get_window_extent(renderer).y0 > fig.texts[-1].get_window_extent(renderer).y1
        finally:
            plt.close(fig)


def test_full_detail_leaves_a_figure_as_it_is():
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4, 3))
    try:
        Policy(publication=False).stamp(fig)
        assert fig.texts == [] and tuple(fig.get_size_inches()) == (4, 3)
    finally:
        plt.close(fig)


def test_the_gallery_names_factors_by_the_taxonomys_labels(rs):
    labels = Tables(rs, policy=Policy()).labels
    assert labels == dict(zip(rs.taxonomy["factor_code"], rs.taxonomy["label"], strict=True))
    assert labels["fam_hostile"] == "Hostile or intimidating parent" and len(labels) == len(rs.taxonomy)


def test_the_gallery_footnote_stays_inside_the_figure(rs):
    """The gallery's scope footnote carries the publication footer: it wraps to the figure's width."""
    import matplotlib.pyplot as plt

    from sce_analysis.charts.common import _settle
    from sce_analysis.reports.gallery import CHARTS, chart_figure

    tables = Tables(rs, policy=Policy())
    for context in ("paper", "talk"):
        for spec in CHARTS:
            fig = chart_figure(spec, tables, context=context, slide=context == "talk")
            try:
                _settle(fig)
                assert_footer_clear(fig, f"{tables.scope} · {Policy().footer()}")
            finally:
                plt.close(fig)
