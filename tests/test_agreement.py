"""Independent checks of inter-coder agreement (``sce_analysis.stats.agreement``).

Expected numbers come from

- a hand-worked example whose kappa, alpha and percent agreement are computed in comments;
- statsmodels ``cohens_kappa`` on 2×2 tables and the ``krippendorff`` package on reliability
  data, both built by a brute-force loop over the raw CSV rows (read with the ``csv`` module);
- sets with planted agreement, where a second coder copies the first with a known chance of
  flipping each judgement, so kappa and alpha are known analytically.
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections import defaultdict

import krippendorff
import numpy as np
import pandas as pd
import pytest
from brute import RawSet
from conftest import SAMPLE
from statsmodels.stats.inter_rater import cohens_kappa

import sce_analysis as sce
from sce_analysis import synthetic
from sce_analysis.stats.agreement import AGREEMENT_COLUMNS, POOLED_ITEM, coder_agreement

# --------------------------------------------------------------------------- set builders


def _make_set(rows, *, taxonomy=None, n_episodes=None, coder_column=True):
    """A one-review set from (episode, code, coder[, polarity]) tuples; episodes E1..En."""
    episodes = sorted({r[0] for r in rows}, key=lambda e: int(e[1:]))
    if n_episodes is not None:
        episodes = [f"E{i}" for i in range(1, n_episodes + 1)]
    reviews = pd.DataFrame({"review_id": ["R1"], "area": ["Kelmscote"], "year": [2020]})
    episode_frame = pd.DataFrame({"review_id": "R1", "episode_id": episodes, "sequence": range(1, len(episodes) + 1)})
    factors = pd.DataFrame(
        {
            "review_id": "R1",
            "episode_id": [r[0] for r in rows],
            "factor_code": [r[1] for r in rows],
            "polarity": [r[3] if len(r) > 3 else "problematic" for r in rows],
            "coder": [r[2] for r in rows],
        }
    )
    if not coder_column:
        factors = factors.drop(columns="coder")
    return sce.from_frames(reviews, episode_frame, factors, taxonomy=taxonomy)


HAND_TAXONOMY = pd.DataFrame(
    {
        "factor_code": ["x", "y", "z"],
        "label": ["Code x", "Code y", "Code z"],
        "factor_type": ["T1", "T1", "T2"],
        "scie_category": ["human_reasoning", "human_tool", "human_reasoning"],
    }
)

# Episodes E1-E5 are coded by both a and b; E6, E7 by a alone; E8 by nobody. A row with an
# empty coder on E6 belongs to no coder.
#
#        E1    E2     E3   E4   E5     E6   E7
#   a    x     x,y    y    y    x,y    x    y
#   b    x,y   y      y    x    x,y    -    -
HAND_ROWS = [
    ("E1", "x", "a"),
    ("E1", "x", "b"),
    ("E1", "y", "b"),
    ("E2", "x", "a"),
    ("E2", "y", "a"),
    ("E2", "y", "b"),
    ("E3", "y", "a"),
    ("E3", "y", "b"),
    ("E4", "y", "a"),
    ("E4", "x", "b"),
    ("E5", "x", "a"),
    ("E5", "y", "a"),
    ("E5", "x", "b"),
    ("E5", "y", "b"),
    ("E6", "x", "a"),
    ("E6", "y", ""),
    ("E7", "y", "a"),
]


@pytest.fixture(scope="module")
def hand_set():
    return _make_set(HAND_ROWS, taxonomy=HAND_TAXONOMY, n_episodes=8)


# --------------------------------------------------------------------------- hand-worked


def test_hand_worked_example(hand_set):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        table = coder_agreement(hand_set)
    assert list(table.columns) == AGREEMENT_COLUMNS
    assert table["item"].tolist() == ["x", "y", "z", POOLED_ITEM]
    assert table["label"].tolist()[:3] == ["Code x", "Code y", "Code z"]
    assert (table["level"] == "code").all() and (table["coders"] == "a;b").all()
    assert (table["double_coded_episodes"] == 5).all()  # E1-E5; E6-E8 are not double-coded
    assert table["judgements"].tolist() == [10, 10, 10, 30]
    rows = table.set_index("item")

    # x: a = 1 1 0 0 1, b = 1 0 0 1 1 over E1-E5.
    #   2×2 table: both 1 = 2 (E1, E5), a only = 1 (E2), b only = 1 (E4), neither = 1 (E3).
    #   p_o = 3/5; p_a = p_b = 3/5; p_e = (3/5)(3/5) + (2/5)(2/5) = 13/25;
    #   kappa = (15/25 - 13/25) / (12/25) = 1/6.
    #   alpha: n = 10 judgements, n1 = 6, n0 = 4; units E2 and E4 each add n0·n1/(m-1) = 1;
    #   alpha = 1 - (n - 1)·2 / (n0·n1) = 1 - 9·2/24 = 1/4.
    #   percent agreement: 3 of the 5 coder pairs agree = 0.6.
    assert rows.loc["x", "cohen_kappa"] == pytest.approx(1 / 6, abs=1e-12)
    assert rows.loc["x", "krippendorff_alpha"] == pytest.approx(0.25, abs=1e-12)
    assert rows.loc["x", "percent_agreement"] == pytest.approx(0.6, abs=1e-12)
    assert (rows.loc["x", "coded_by_any"], rows.loc["x", "coded_by_all"]) == (4, 2)

    # y: a = 0 1 1 1 1, b = 1 1 1 0 1.
    #   both 1 = 3, a only = 1 (E4), b only = 1 (E1), neither = 0.
    #   p_o = 3/5; p_a = p_b = 4/5; p_e = 16/25 + 1/25 = 17/25; kappa = (15 - 17)/(25 - 17) = -1/4.
    #   alpha: n1 = 8, n0 = 2, disagreement units E1, E4 add 1 each: 1 - 9·2/16 = -1/8.
    assert rows.loc["y", "cohen_kappa"] == pytest.approx(-0.25, abs=1e-12)
    assert rows.loc["y", "krippendorff_alpha"] == pytest.approx(-0.125, abs=1e-12)
    assert rows.loc["y", "percent_agreement"] == pytest.approx(0.6, abs=1e-12)
    assert (rows.loc["y", "coded_by_any"], rows.loc["y", "coded_by_all"]) == (5, 3)

    # z is never coded: every pair agrees (on absence) but kappa and alpha are undefined.
    assert math.isnan(rows.loc["z", "cohen_kappa"]) and math.isnan(rows.loc["z", "krippendorff_alpha"])
    assert rows.loc["z", "percent_agreement"] == 1.0
    assert rows.loc["z", "note"].startswith("never coded on the double-coded episodes")
    assert rows.loc[["x", "y"], "note"].isna().all()

    # Pooled over the 15 item × episode units: both 1 = 2 + 3 + 0 = 5, a only = 2, b only = 2,
    #   neither = 1 + 0 + 5 = 6. p_o = 11/15; a and b have 7 ones each:
    #   p_e = (7·7 + 8·8)/225 = 113/225; kappa = (165 - 113)/(225 - 113) = 13/28.
    #   alpha: n = 30, n1 = 14, n0 = 16, four disagreeing units: 1 - 29·4/(16·14) = 27/56.
    assert rows.loc[POOLED_ITEM, "cohen_kappa"] == pytest.approx(13 / 28, abs=1e-12)
    assert rows.loc[POOLED_ITEM, "krippendorff_alpha"] == pytest.approx(27 / 56, abs=1e-12)
    assert rows.loc[POOLED_ITEM, "percent_agreement"] == pytest.approx(11 / 15, abs=1e-12)
    assert (rows.loc[POOLED_ITEM, "coded_by_any"], rows.loc[POOLED_ITEM, "coded_by_all"]) == (9, 5)


def test_grouped_levels_of_the_hand_example(hand_set):
    by_type = coder_agreement(hand_set, level="factor_type").set_index("item")
    assert by_type.index.tolist() == ["T1", "T2", POOLED_ITEM]
    # T1 (x or y) is coded by both coders on all five episodes: no variation.
    assert by_type.loc["T1", "coded_by_all"] == 5
    assert math.isnan(by_type.loc["T1", "krippendorff_alpha"])
    assert "by every coder on every double-coded episode" in by_type.loc["T1", "note"]
    assert "never coded" in by_type.loc["T2", "note"]
    # Pooled: 10 units, all agreeing, yet with variation (5 ones, 5 zeros): kappa = alpha = 1.
    assert by_type.loc[POOLED_ITEM, "cohen_kappa"] == pytest.approx(1.0)
    assert by_type.loc[POOLED_ITEM, "krippendorff_alpha"] == pytest.approx(1.0)

    by_category = coder_agreement(hand_set, level="scie_category").set_index("item")
    # Contract key order: human_tool comes before human_reasoning.
    assert by_category.index.tolist() == ["human_tool", "human_reasoning", POOLED_ITEM]
    assert by_category.loc["human_tool", "label"] == "Human-tool operation"
    # human_tool is y alone; human_reasoning is x or z, so it equals x.
    codes = coder_agreement(hand_set).set_index("item")
    for category, code in (("human_tool", "y"), ("human_reasoning", "x")):
        for column in ("percent_agreement", "cohen_kappa", "krippendorff_alpha"):
            assert by_category.loc[category, column] == pytest.approx(codes.loc[code, column], abs=1e-12)


def test_codes_without_a_category_form_one_labelled_item():
    taxonomy = HAND_TAXONOMY.assign(scie_category=["human_reasoning", None, None])
    rs = _make_set(HAND_ROWS, taxonomy=taxonomy, n_episodes=8)
    table = coder_agreement(rs, level="scie_category").set_index("item")
    assert table.index.tolist() == ["human_reasoning", "(no scie_category)", POOLED_ITEM]
    assert table.loc["(no scie_category)", "label"] == "Codes with no scie_category in the taxonomy: y, z"
    assert "groups the 2 codes with no scie_category" in table.loc["(no scie_category)", "note"]
    # y or z equals y, since z is never coded.
    assert table.loc["(no scie_category)", "cohen_kappa"] == pytest.approx(-0.25, abs=1e-12)


def test_deterministic_and_input_untouched(hand_set):
    before = hand_set.factors.copy()
    first = coder_agreement(hand_set, level="scie_category")
    again = coder_agreement(hand_set, level="scie_category")
    pd.testing.assert_frame_equal(first, again)
    pd.testing.assert_frame_equal(hand_set.factors, before)


def test_sample_has_two_coders_and_sound_agreement():
    table = coder_agreement(sce.load("data/sample"), level="scie_category")
    assert (table["coders"] == "reviewer_a;reviewer_b").all()
    assert table["double_coded_episodes"].iloc[0] > 0
    pooled = table.iloc[-1]
    # The generator plants about 80% code-level agreement: category agreement is well above chance.
    assert 0.6 < pooled["cohen_kappa"] < 1 and 0.6 < pooled["krippendorff_alpha"] < 1


# --------------------------------------------------------------------------- polarity, coders


def test_polarity_filter():
    # E1: a codes x as problematic, b codes x as good. E2: both code y as problematic; b also
    # codes x as good. Both coders coded both episodes whatever the polarity.
    rows = [
        ("E1", "x", "a", "problematic"),
        ("E1", "x", "b", "good"),
        ("E2", "y", "a", "problematic"),
        ("E2", "y", "b", "problematic"),
        ("E2", "x", "b", "good"),
    ]
    rs = _make_set(rows, taxonomy=HAND_TAXONOMY)
    either = coder_agreement(rs).set_index("item")
    problematic = coder_agreement(rs, polarity="problematic").set_index("item")
    good = coder_agreement(rs, polarity="good").set_index("item")
    assert (either["double_coded_episodes"] == 2).all() and (good["double_coded_episodes"] == 2).all()
    # Either polarity: x agrees on E1 (both coded it), disagrees on E2.
    assert (either.loc["x", "coded_by_any"], either.loc["x", "coded_by_all"]) == (2, 1)
    # Problematic only: x is a's alone on E1, so a has 1, 0 and b has 0, 0.
    assert (problematic.loc["x", "coded_by_any"], problematic.loc["x", "coded_by_all"]) == (1, 0)
    assert problematic.loc["x", "percent_agreement"] == 0.5
    assert problematic.loc["y", "coded_by_all"] == 1
    # Good only: b has x on both episodes, a on none; y is never coded as good.
    assert (good.loc["x", "coded_by_any"], good.loc["x", "coded_by_all"]) == (2, 0)
    assert good.loc["x", "percent_agreement"] == 0.0
    assert good.loc["x", "cohen_kappa"] == 0.0  # one coder constant: no agreement beyond chance
    assert good.loc["y", "note"].startswith("never coded as good")
    with pytest.raises(sce.ParameterError, match="polarity"):
        coder_agreement(rs, polarity="bad")


def _drop_coder(rs, coder):
    kept = rs.factors[rs.factors["coder"] != coder]
    return sce.from_frames(rs.reviews, rs.episodes, kept, rs.findings, rs.taxonomy)


def test_coders_selection(three_coder_set):
    rs = three_coder_set
    assert rs.coders == ["reviewer_a", "reviewer_b", "reviewer_c"]
    everyone = coder_agreement(rs)
    assert everyone["cohen_kappa"].isna().all()  # three coders: kappa is not defined
    assert everyone["krippendorff_alpha"].notna().any()
    # Some episodes have all three coders, others two: judgements are missing, not zero.
    episodes, judgements = everyone[["double_coded_episodes", "judgements"]].iloc[0]
    assert 2 * episodes < judgements < 3 * episodes
    assert (everyone["coders"] == "reviewer_a;reviewer_b;reviewer_c").all()
    two = coder_agreement(rs, coders=["reviewer_a", "reviewer_c"])
    assert (two["coders"] == "reviewer_a;reviewer_c").all()
    assert two["cohen_kappa"].notna().any()
    # Choosing two coders is the same as removing the third coder's rows.
    without_b = coder_agreement(_drop_coder(rs, "reviewer_b"))
    pd.testing.assert_frame_equal(two, without_b)
    assert two["double_coded_episodes"].iloc[0] != everyone["double_coded_episodes"].iloc[0]


# --------------------------------------------------------------------------- errors


def test_errors(hand_set):
    one = _make_set([("E1", "x", "a"), ("E2", "y", "a")], taxonomy=HAND_TAXONOMY)
    with pytest.raises(sce.ParameterError, match=r"at least two coders, but this set has coders 'a'.*`coder` column"):
        coder_agreement(one)
    no_column = _make_set([("E1", "x", "a"), ("E1", "y", "b")], taxonomy=HAND_TAXONOMY, coder_column=False)
    with pytest.raises(sce.ParameterError, match="no named coder"):
        coder_agreement(no_column)
    apart = _make_set([("E1", "x", "a"), ("E2", "x", "b"), ("E3", "y", "")], taxonomy=HAND_TAXONOMY)
    with pytest.raises(sce.ParameterError, match=r"no episode was coded by at least two of the coders 'a', 'b'"):
        coder_agreement(apart)
    with pytest.raises(sce.ParameterError, match=r"'c' coded nothing.*Known coders: a, b"):
        coder_agreement(hand_set, coders=["a", "c"])
    with pytest.raises(sce.ParameterError, match="the coders argument selects coders 'a'"):
        coder_agreement(hand_set, coders=["a"])
    with pytest.raises(sce.ParameterError, match="at least two coders"):
        coder_agreement(hand_set, coders="a")
    with pytest.raises(sce.ParameterError, match="more than once"):
        coder_agreement(hand_set, coders=["a", "a", "b"])
    with pytest.raises(sce.ParameterError, match="list of coder names"):
        coder_agreement(hand_set, coders=[1, 2])
    with pytest.raises(sce.ParameterError, match="level must be one of"):
        coder_agreement(hand_set, level="category")
    derived = _make_set(HAND_ROWS)  # no taxonomy: the coding frame has no factor types
    with pytest.raises(sce.ParameterError, match=r"no taxonomy\.csv.*level='code'"):
        coder_agreement(derived, level="factor_type")
    assert coder_agreement(derived)["item"].tolist() == ["x", "y", POOLED_ITEM]


# --------------------------------------------------------------------------- independent implementations


@pytest.fixture(scope="module")
def two_coder_set():
    return synthetic.generate(50, seed=5, double_coded_share=0.4).review_set


@pytest.fixture(scope="module")
def three_coder_set():
    """Two generated coders, plus reviewer_c on some episodes, with missing judgements.

    reviewer_b's rows are dropped on a third of their episodes, and reviewer_c codes a random
    half of all episodes (copying reviewer_a with changes, and a random polarity), so episodes
    are coded by a and b, a and c, or all three. A few rows have no coder.
    """
    rs = synthetic.generate(50, seed=6, double_coded_share=0.5).review_set
    rng = np.random.default_rng(6)
    factors = rs.factors
    key = factors["review_id"] + "/" + factors["episode_id"]
    b_episodes = key[factors["coder"] == "reviewer_b"].unique()
    dropped = set(rng.choice(b_episodes, size=len(b_episodes) // 3, replace=False))
    factors = factors[~((factors["coder"] == "reviewer_b") & key.isin(dropped))]
    a_rows = factors[factors["coder"] == "reviewer_a"]
    a_key = a_rows["review_id"] + "/" + a_rows["episode_id"]
    c_episodes = set(rng.choice(a_key.unique(), size=a_key.nunique() // 2, replace=False))
    c_rows = a_rows[a_key.isin(c_episodes) & (rng.random(len(a_rows)) < 0.8)].copy()
    codes = rs.taxonomy["factor_code"].to_numpy()
    c_rows["factor_code"] = np.where(
        rng.random(len(c_rows)) < 0.15, rng.choice(codes, size=len(c_rows)), c_rows["factor_code"]
    )
    c_rows = c_rows.drop_duplicates(["review_id", "episode_id", "factor_code"])
    c_rows["polarity"] = np.where(rng.random(len(c_rows)) < 0.3, "good", "problematic")
    c_rows["coder"] = "reviewer_c"
    nobody = a_rows.sample(n=5, random_state=1).assign(coder="")
    factors = pd.concat([factors, c_rows, nobody], ignore_index=True)
    return sce.from_frames(rs.reviews, rs.episodes, factors, rs.findings, rs.taxonomy)


def _brute_force(raw: RawSet, level: str, coders: list[str] | None, polarity: str | None) -> pd.DataFrame:
    """Agreement by loops over the raw CSV rows, with statsmodels and the krippendorff package."""
    if level == "code":
        item_of = {code: code for code in raw.codes}
    else:
        item_of = {code: raw.term[code][level] or f"(no {level})" for code in raw.codes}
    coded: dict[tuple[str, str], dict[str, set[str]]] = defaultdict(dict)
    for row in raw.factors:
        if row["coder"] == "" or (coders is not None and row["coder"] not in coders):
            continue
        items = coded[row["review_id"], row["episode_id"]].setdefault(row["coder"], set())
        if polarity is None or (row["polarity"] or "problematic") == polarity:
            items.add(item_of[row["factor_code"]])
    double = {episode: by for episode, by in coded.items() if len(by) >= 2}
    names = sorted({coder for by in double.values() for coder in by})
    results = []
    all_data, all_table, all_agree, all_pairs = [], np.zeros((2, 2)), 0, 0
    for item in dict.fromkeys(item_of.values()):
        data = np.full((len(names), len(double)), np.nan)
        table = np.zeros((2, 2))
        agree = pairs = any_ = all_ = 0
        for j, by in enumerate(double.values()):
            judged = {coder: int(item in items) for coder, items in by.items()}
            for coder, value in judged.items():
                data[names.index(coder), j] = value
            for first, second in itertools.combinations(judged.values(), 2):
                pairs += 1
                agree += first == second
            any_ += max(judged.values())
            all_ += min(judged.values())
            if len(names) == 2:
                table[judged[names[0]], judged[names[1]]] += 1
        all_data.append(data)
        all_table += table
        all_agree, all_pairs = all_agree + agree, all_pairs + pairs
        results.append(_reference_row(item, data, table, names, agree / pairs, any_, all_))
    pooled = np.concatenate(all_data, axis=1)
    results.append(
        _reference_row(
            POOLED_ITEM,
            pooled,
            all_table,
            names,
            all_agree / all_pairs,
            sum(r["coded_by_any"] for r in results),
            sum(r["coded_by_all"] for r in results),
        )
    )
    frame = pd.DataFrame(results).set_index("item")
    frame["double_coded_episodes"] = len(double)
    return frame


def _reference_row(item, data, table, names, percent, coded_by_any, coded_by_all) -> dict:
    values = data[~np.isnan(data)]
    varied = len(set(values.tolist())) > 1
    alpha = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal") if varied else np.nan
    kappa = cohens_kappa(table, return_results=False) if len(names) == 2 and varied else np.nan
    return {
        "item": item,
        "coders": ";".join(names),
        "judgements": len(values),
        "coded_by_any": coded_by_any,
        "coded_by_all": coded_by_all,
        "percent_agreement": percent,
        "cohen_kappa": kappa,
        "krippendorff_alpha": alpha,
    }


@pytest.fixture(scope="module")
def raw_sets(two_coder_set, three_coder_set, tmp_path_factory):
    folder = tmp_path_factory.mktemp("agreement")
    return {
        2: RawSet(two_coder_set.save(folder / "two")),
        3: RawSet(three_coder_set.save(folder / "three")),
    }


@pytest.mark.parametrize("level", ["code", "factor_type", "scie_category"])
@pytest.mark.parametrize("n_coders", [2, 3])
@pytest.mark.parametrize("polarity", [None, "problematic"])
def test_matches_statsmodels_and_krippendorff(level, n_coders, polarity, two_coder_set, three_coder_set, raw_sets):
    rs = two_coder_set if n_coders == 2 else three_coder_set
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ours = coder_agreement(rs, level=level, polarity=polarity).set_index("item")
    expected = _brute_force(raw_sets[n_coders], level, None, polarity)
    assert ours.index.tolist()[-1] == POOLED_ITEM
    assert sorted(ours.index) == sorted(expected.index)
    expected = expected.loc[ours.index]
    assert (ours["coders"] == expected["coders"]).all()
    assert len(ours["coders"].iloc[0].split(";")) == n_coders
    for column in ("double_coded_episodes", "judgements", "coded_by_any", "coded_by_all"):
        assert ours[column].tolist() == expected[column].tolist(), column
    for column in ("percent_agreement", "cohen_kappa", "krippendorff_alpha"):
        np.testing.assert_allclose(ours[column], expected[column], rtol=0, atol=1e-10, err_msg=column)
    assert ours["krippendorff_alpha"].notna().sum() >= 3
    if n_coders == 2:
        assert ours["cohen_kappa"].notna().sum() >= 3
    # The notes mark exactly the items without kappa and alpha (and the "(no ...)" items).
    assert (ours["note"].notna() >= ours["krippendorff_alpha"].isna()).all()


def test_three_coders_pairwise_matches_references(three_coder_set, raw_sets):
    """A pair of the three coders: kappa on the episodes both coded, alpha with reviewer_b's gaps."""
    pair = ["reviewer_b", "reviewer_c"]
    ours = coder_agreement(three_coder_set, coders=pair, level="scie_category").set_index("item")
    expected = _brute_force(raw_sets[3], "scie_category", pair, None).loc[ours.index]
    assert ours["coders"].iloc[0] == "reviewer_b;reviewer_c"
    assert ours["double_coded_episodes"].tolist() == expected["double_coded_episodes"].tolist()
    for column in ("percent_agreement", "cohen_kappa", "krippendorff_alpha"):
        np.testing.assert_allclose(ours[column], expected[column], rtol=0, atol=1e-10, err_msg=column)


def test_filtered_set_equals_a_set_built_from_the_kept_rows(two_coder_set):
    rs = two_coder_set
    recent = rs.filter(years=(2018, 2025))
    kept = rs.reviews.loc[rs.reviews["year"] >= 2018, "review_id"]

    def rows(frame):
        return frame[frame["review_id"].isin(kept)]

    rebuilt = sce.from_frames(
        rs.reviews[rs.reviews["year"] >= 2018], rows(rs.episodes), rows(rs.factors), None, rs.taxonomy
    )
    ours = coder_agreement(recent, level="factor_type")
    pd.testing.assert_frame_equal(ours, coder_agreement(rebuilt, level="factor_type"))
    assert ours["double_coded_episodes"].iloc[0] < coder_agreement(rs)["double_coded_episodes"].iloc[0]


# --------------------------------------------------------------------------- planted agreement

N_PLANTED = 3000  # episodes
K_PLANTED = 10  # codes
BASE_RATE = 0.3
FLIPS = {"coder_high": 0.05, "coder_medium": 0.2, "coder_chance": 0.5}


@pytest.fixture(scope="module")
def planted_set():
    """coder_a codes each of 10 codes on an episode with chance 0.3; each other coder copies
    coder_a's judgement on every (episode, code) but flips it with a known chance.

    Every coder also codes an ``anchor`` code as ``good`` on every episode, so that every
    episode is double-coded however few problematic codes it has; the tests use
    ``polarity="problematic"``.
    """
    rng = np.random.default_rng(2024)
    a = rng.random((N_PLANTED, K_PLANTED)) < BASE_RATE
    judgements = {"coder_a": a}
    for coder, flip in FLIPS.items():
        judgements[coder] = a ^ (rng.random(a.shape) < flip)
    episodes = [f"E{i}" for i in range(N_PLANTED)]
    review_of = [f"R{i // 10}" for i in range(N_PLANTED)]
    codes = [f"c{j}" for j in range(K_PLANTED)]
    frames = []
    for coder, x in judgements.items():
        e, j = np.nonzero(x)
        frames.append(pd.DataFrame({"episode": e, "factor_code": np.array(codes)[j], "polarity": "problematic"}))
        frames[-1]["coder"] = coder
        frames.append(
            pd.DataFrame({"episode": np.arange(N_PLANTED), "factor_code": "anchor", "polarity": "good", "coder": coder})
        )
    rows = pd.concat(frames, ignore_index=True)
    factors = pd.DataFrame(
        {
            "review_id": np.array(review_of)[rows["episode"]],
            "episode_id": np.array(episodes)[rows["episode"]],
            "factor_code": rows["factor_code"],
            "polarity": rows["polarity"],
            "coder": rows["coder"],
        }
    )
    reviews = pd.DataFrame({"review_id": sorted(set(review_of)), "area": "Kelmscote", "year": 2020})
    episode_frame = pd.DataFrame({"review_id": review_of, "episode_id": episodes})
    taxonomy = pd.DataFrame({"factor_code": [*codes, "anchor"], "label": [*codes, "anchor"]})
    return sce.from_frames(reviews, episode_frame, factors, taxonomy=taxonomy)


def _planted_truth(flip: float) -> tuple[float, float, float]:
    """Expected kappa and alpha, and the standard error of kappa, for flip chance ``flip``.

    Coder A has a code with chance p; B keeps A's judgement with chance 1 - f, so B has it
    with chance q = p(1 - f) + (1 - p)f. Observed agreement is 1 - f; chance agreement
    p_e = pq + (1 - p)(1 - q); kappa = (1 - f - p_e)/(1 - p_e). Alpha (Scott's pi for two
    coders, as N grows) uses the pooled rate r = (p + q)/2: alpha = 1 - f/(2r(1 - r)), times
    (2N - 1)/(2N) on the disagreement for finite N. The large-sample standard error of kappa
    is sqrt(p_o(1 - p_o)/N)/(1 - p_e) (Cohen 1960).
    """
    p, f, n = BASE_RATE, flip, N_PLANTED
    q = p * (1 - f) + (1 - p) * f
    chance = p * q + (1 - p) * (1 - q)
    kappa = (1 - f - chance) / (1 - chance)
    r = (p + q) / 2
    alpha = 1 - f / (2 * r * (1 - r)) * (2 * n - 1) / (2 * n)
    se = math.sqrt((1 - f) * f / n) / (1 - chance)
    return kappa, alpha, se


def test_planted_agreement_is_recovered(planted_set):
    codes = [f"c{j}" for j in range(K_PLANTED)]
    means = {}
    for coder, flip in FLIPS.items():
        table = coder_agreement(planted_set, coders=["coder_a", coder], polarity="problematic").set_index("item")
        assert table.loc["c0", "double_coded_episodes"] == N_PLANTED
        assert "never coded as problematic" in table.loc["anchor", "note"]
        kappa, alpha, se = _planted_truth(flip)
        observed = table.loc[codes]
        assert observed["percent_agreement"].mean() == pytest.approx(1 - flip, abs=4 * math.sqrt(flip / N_PLANTED))
        # Each code's estimate is within 5 standard errors (one code: SE 0.006-0.02 here) ...
        assert (observed["cohen_kappa"] - kappa).abs().max() < 5 * se, (coder, observed["cohen_kappa"], kappa)
        assert (observed["krippendorff_alpha"] - alpha).abs().max() < 5 * se, (coder, alpha)
        # ... and the mean over 10 independent codes within 4 standard errors of the mean.
        assert abs(observed["cohen_kappa"].mean() - kappa) < 4 * se / math.sqrt(K_PLANTED)
        assert abs(observed["krippendorff_alpha"].mean() - alpha) < 4 * se / math.sqrt(K_PLANTED)
        means[coder] = observed["cohen_kappa"].mean()
    assert means["coder_high"] > 0.8 > means["coder_medium"] > 0.45 > 0.1 > abs(means["coder_chance"])
    # All four coders together: no kappa, but alpha sits between the best and worst pairs.
    together = coder_agreement(planted_set, polarity="problematic").set_index("item").loc[codes]
    assert together["cohen_kappa"].isna().all()
    assert (together["krippendorff_alpha"] < 0.8).all() and (together["krippendorff_alpha"] > 0.1).all()


# --------------------------------------------------------------------------- the report's overview


def test_overview_is_the_pooled_code_row_then_the_category_rows(two_coder_set):
    overview = sce.agreement_overview(two_coder_set)
    by_code = sce.coder_agreement(two_coder_set, level="code")
    by_category = sce.coder_agreement(two_coder_set, level="scie_category")
    pd.testing.assert_frame_equal(overview.iloc[:1], by_code.tail(1).reset_index(drop=True))
    pd.testing.assert_frame_equal(overview.iloc[1:].reset_index(drop=True), by_category)


def test_overview_of_a_set_without_double_coding_says_so_in_one_row():
    rs = sce.load(SAMPLE)
    single = sce.from_frames(rs.reviews, rs.episodes, rs.codings(), rs.findings, rs.taxonomy)
    (row,) = sce.agreement_overview(single).to_dict("records")
    assert row["item"] == "(no double coding)" and row["double_coded_episodes"] == 0
    assert "at least two coders" in row["note"] and math.isnan(row["cohen_kappa"])
    with pytest.raises(sce.ParameterError, match="polarity"):
        sce.agreement_overview(single, polarity="bad")
