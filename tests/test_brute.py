"""The brute-force reader of tests/brute.py, which the statistics tests compare the library against.

If it read the sample wrongly, every comparison against it would check nothing; so it is checked
here against the numbers the sample's README states and against the hand-written CLEAN set.
"""

from __future__ import annotations

from brute import RawSet
from conftest import CLEAN, write_set


def test_raw_reference_reads_the_sample_as_documented(sample_raw):
    # data/sample/README.md: 80 reviews, 523 KPEs, 1,485 coded factors, 1,353 of them the first coder's.
    assert len(sample_raw.reviews) == 80 and len(sample_raw.episodes) == 523
    assert len(sample_raw.factors) == 1485
    assert len(sample_raw.codings()) == 1353
    good, problematic = sample_raw.codings(polarity="good"), sample_raw.codings(polarity="problematic")
    assert len(good) > 0 and len(good) + len(problematic) == 1353


def test_raw_reference_first_coder_on_clean(tmp_path):
    raw = RawSet(write_set(tmp_path / "c", CLEAN))
    rows = raw.codings()
    # Rows 2-7 of factors.csv; row 8 (coder b on R3 KPE1) is dropped; row 3's empty polarity is problematic.
    assert [(r["review_id"], r["episode_id"], r["factor_code"], r["coder"]) for r in rows] == [
        ("R1", "KPE1", "fam_hostile", "a"),
        ("R1", "KPE1", "prac_optimism", "a"),
        ("R1", "KPE2", "team_supervision", "a"),
        ("R2", "KPE1", "fam_hostile", "a"),
        ("R2", "KPE2", "prac_optimism", "a"),
        ("R3", "KPE1", "fam_hostile", "a"),
    ]
    assert rows[1]["polarity"] == "problematic"
    assert [r["coder"] for r in raw.codings(coder="b") if r["review_id"] == "R3"] == ["b"]


def test_raw_lookups_on_clean(tmp_path):
    raw = RawSet(write_set(tmp_path / "c", CLEAN))
    assert raw.unit_codes("episode")[("R1", "KPE1")] == {"fam_hostile", "prac_optimism"}
    assert raw.unit_codes("episode")[("R2", "KPE2")] == {"prac_optimism"}
    assert raw.review_profiles() == {
        "R1": {"fam_hostile", "prac_optimism", "team_supervision"},
        "R2": {"fam_hostile", "prac_optimism"},
        "R3": {"fam_hostile"},
    }
    assert raw.group_of("area") == {"R1": "Kelmscote", "R2": "Pellbridge", "R3": "Kelmscote"}
    assert raw.group_of(None) == {"R1": None, "R2": None, "R3": None}
    assert raw.review_ids == ["R1", "R2", "R3"] and raw.order["ls_thresholds"] == 3
