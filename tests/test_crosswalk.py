"""Crosswalks between coding frames (read_crosswalk, crosswalk) and combining review sets (combine)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
from brute import read_rows
from conftest import CLEAN, where, write_set

import sce_analysis as sce
from sce_analysis.exchange.crosswalk import combine, crosswalk, read_crosswalk
from sce_analysis.reviewsets import Problem
from sce_analysis.synthetic import generate

FRAMES = ("reviews", "episodes", "factors", "findings", "taxonomy")
CLEAN_CODES = ["fam_hostile", "prac_optimism", "team_supervision", "ls_thresholds"]


def identity(codes) -> dict[str, str]:
    return {code: code for code in codes}


def write_map(path: Path, rows: list[list[str]], *, header=("source_code", "target_code"), excel=False) -> Path:
    """A map file; ``excel`` writes it as Excel does: a byte-order mark and CRLF line ends."""
    lines = [",".join(header)] + [",".join(row) for row in rows]
    text = "\r\n".join(lines) + "\r\n" if excel else "\n".join(lines) + "\n"
    path.write_bytes((b"\xef\xbb\xbf" if excel else b"") + text.encode("utf-8"))
    return path


def problems_of(call, *args, **kwargs) -> list[Problem]:
    with pytest.raises(sce.DataValidationError) as caught:
        call(*args, **kwargs)
    return caught.value.problems


@pytest.fixture
def clean(tmp_path) -> sce.ReviewSet:
    return sce.load(write_set(tmp_path / "clean", CLEAN))


@pytest.fixture(scope="module")
def synthetic_folder(tmp_path_factory) -> Path:
    """A synthetic set with two coders on part of it, saved so that its CSV rows can be recounted."""
    folder = tmp_path_factory.mktemp("synthetic") / "set"
    generate(40, seed=7, double_coded_share=0.3).review_set.save(folder)
    return folder


@pytest.fixture(scope="module")
def synthetic(synthetic_folder) -> sce.ReviewSet:
    return sce.load(synthetic_folder)


@pytest.fixture(scope="module")
def by_group(synthetic_folder) -> dict[str, str]:
    """Many to one: each code becomes its group (the prefix) and polarity, as in 'fam_good'.

    Every code of the synthetic frame is coded with one polarity, so no merge can conflict.
    """
    polarity = {row["factor_code"]: row["polarity"] or "problematic" for row in read_rows(synthetic_folder, "factors")}
    codes = [row["factor_code"] for row in read_rows(synthetic_folder, "taxonomy")]
    return {code: f"{code.split('_')[0]}_{polarity.get(code, 'problematic')}" for code in codes}


# --------------------------------------------------------------------------- many to one


def test_many_to_one_counts_equal_a_recount_of_the_raw_rows(synthetic_folder, synthetic, by_group, tmp_path):
    map_path = write_map(tmp_path / "groups.csv", [[s, t] for s, t in by_group.items()])
    result = crosswalk(synthetic, map_path)
    assert len(set(by_group.values())) < len(by_group)  # it really is many to one

    # Brute force: one row per (review, episode, target, coder) of the raw CSV rows.
    keys = {
        (row["review_id"], row["episode_id"], by_group[row["factor_code"]], row["coder"])
        for row in read_rows(synthetic_folder, "factors")
    }
    expected = Counter(key[2] for key in keys)
    assert result.factors["factor_code"].value_counts().to_dict() == dict(expected)
    assert len(result.factors) == len(keys) < len(synthetic.factors)  # rows were merged

    # Provenance: each row names the source codes it came from, which all map to its target.
    sources = result.factors["source_code"].str.split(";")
    targets = result.factors["factor_code"]
    assert all(by_group[s] == t for codes, t in zip(sources, targets, strict=True) for s in codes)
    assert sources.str.len().max() > 1
    assert sum(sources.str.len()) == len(synthetic.factors)

    # Findings: each list recoded, each target once, in first-seen order.
    raw_findings = read_rows(synthetic_folder, "findings")
    recoded = [
        ";".join(dict.fromkeys(by_group[c] for c in row["factor_codes"].split(";") if c)) for row in raw_findings
    ]
    assert result.findings["factor_codes"].fillna("").tolist() == recoded
    assert any(
        len(row["factor_codes"].split(";")) > len(v.split(";"))
        for row, v in zip(raw_findings, recoded, strict=True)
        if v
    )

    # Nothing else changes, the input is not modified, and the result round-trips.
    assert result.reviews.equals(synthetic.reviews) and result.episodes.equals(synthetic.episodes)
    assert synthetic.equals(sce.load(synthetic_folder))
    reloaded = sce.load(result.save(tmp_path / "national"))
    assert reloaded.equals(result)
    assert reloaded.factors["source_code"].equals(result.factors["source_code"])


def test_many_to_one_taxonomy_carries_what_the_sources_agree_on(synthetic, by_group):
    result = crosswalk(synthetic, by_group)
    assert result.taxonomy_given
    assert result.taxonomy["factor_code"].tolist() == list(dict.fromkeys(by_group.values()))
    source = synthetic.taxonomy.assign(target=synthetic.taxonomy["factor_code"].map(by_group))
    for row in result.taxonomy.itertuples():
        rows = source[source["target"] == row.factor_code]
        levels = rows["level"].astype("str").unique()
        assert (row.level == levels[0]) if len(levels) == 1 else pd.isna(row.level)
        assert row.label == (rows["label"].iloc[0] if len(rows) == 1 else row.factor_code)


def test_agreeing_rows_merge_silently_into_one(tmp_path):
    files = dict(CLEAN)
    # Line 3 (prac_optimism on R1 KPE1, polarity empty = problematic) gets its own agency and a note.
    files["factors.csv"] = files["factors.csv"].replace(
        "R1,KPE1,prac_optimism,,Health visiting,a,\n", "R1,KPE1,prac_optimism,,Police,a,seen twice\n"
    )
    rs = sce.load(write_set(tmp_path / "set", files))
    mapping = identity(CLEAN_CODES) | {"fam_hostile": "family_risk", "prac_optimism": "family_risk"}
    result = crosswalk(rs, mapping)
    assert len(result.factors) == len(rs.factors) - 1
    merged = result.factors[result.factors["factor_code"] == "family_risk"]
    first = merged.iloc[0]
    assert (first["review_id"], first["episode_id"], first["coder"]) == ("R1", "KPE1", "a")
    assert first["polarity"] == "problematic"
    assert first["agency"] == "Health visiting; Police"
    assert first["note"] == "seen twice"
    assert first["source_code"] == "fam_hostile;prac_optimism"
    # The merged row stays where its first row was; the others keep their own source code.
    assert result.factors.index[result.factors["source_code"] == "fam_hostile;prac_optimism"].tolist() == [0]
    assert merged["source_code"].iloc[1:].isin(["fam_hostile", "prac_optimism"]).all()
    # R2's finding named prac_optimism, R1's fam_hostile: both now name the one target.
    assert result.findings["factor_codes"].tolist() == ["family_risk", "family_risk", "team_supervision"]


def test_a_finding_naming_two_merged_codes_lists_the_target_once(tmp_path):
    files = dict(CLEAN)
    files["findings.csv"] = files["findings.csv"].replace(
        "R2,F1,human_reasoning,Optimism persists,,KPE1;KPE2,prac_optimism,",
        "R2,F1,human_reasoning,Optimism persists,,KPE1;KPE2,prac_optimism;team_supervision;fam_hostile,",
    )
    rs = sce.load(write_set(tmp_path / "set", files))
    mapping = identity(CLEAN_CODES) | {"prac_optimism": "X", "fam_hostile": "X"}
    result = crosswalk(rs, mapping)
    assert result.findings.loc[1, "factor_codes"] == "X;team_supervision"


def test_a_polarity_conflict_after_a_merge_is_a_problem_naming_both_rows(tmp_path):
    files = dict(CLEAN)
    # Line 9: a problematic factor on the same episode as line 4's good team_supervision.
    files["factors.csv"] += "R1,KPE2,ls_thresholds,problematic,Police,a,\n"
    rs = sce.load(write_set(tmp_path / "set", files))
    mapping = identity(CLEAN_CODES) | {"team_supervision": "team", "ls_thresholds": "team"}
    problems = problems_of(crosswalk, rs, mapping)
    assert problems == [
        Problem(
            "factors.csv",
            9,
            "polarity",
            "problematic",
            "after the crosswalk, 'team_supervision' (line 4, good) and 'ls_thresholds' (this line, problematic) "
            "both become 'team' on episode 'KPE2' of review 'R1' by coder 'a', but they disagree on polarity. "
            "Fix: correct the polarity of one of the two lines, or map the two codes to different target codes.",
        )
    ]


# --------------------------------------------------------------------------- unmapped codes


def test_an_unmapped_code_in_factors_is_reported_once_where_first_used(clean):
    mapping = {c: c for c in CLEAN_CODES if c != "prac_optimism"}
    assert problems_of(crosswalk, clean, mapping) == [
        Problem(
            "factors.csv",
            3,
            "factor_code",
            "prac_optimism",
            "factor code 'prac_optimism' is not in the crosswalk map; it is used on 2 lines of factors.csv, "
            "1 line of findings.csv and 1 line of taxonomy.csv, first on this line. Fix: add a row "
            "'prac_optimism,TARGET' to the crosswalk map, TARGET being the code it becomes in the target frame.",
        )
    ]


def test_an_unmapped_code_in_findings_only(tmp_path):
    files = dict(CLEAN)
    files["findings.csv"] = files["findings.csv"].replace(
        "KPE1,team_supervision,", "KPE1,team_supervision;ls_thresholds,"
    )
    rs = sce.load(write_set(tmp_path / "set", files))
    map_path = write_map(tmp_path / "MAP.csv", [[c, c.upper()] for c in CLEAN_CODES if c != "ls_thresholds"])
    assert problems_of(crosswalk, rs, map_path) == [
        Problem(
            "findings.csv",
            4,
            "factor_codes",
            "ls_thresholds",
            "factor code 'ls_thresholds' is not in MAP.csv; it is used on 1 line of findings.csv and 1 line of "
            "taxonomy.csv, first on this line. Fix: add a row 'ls_thresholds,TARGET' to MAP.csv, TARGET being "
            "the code it becomes in the target frame.",
        )
    ]


def test_an_unmapped_code_in_the_taxonomy_only(clean, tmp_path):
    map_path = write_map(tmp_path / "MAP.csv", [[c, "N1"] for c in CLEAN_CODES[:3]])
    problems = problems_of(crosswalk, clean, map_path)
    assert where(problems) == [("taxonomy.csv", 5, "factor_code", "ls_thresholds")]
    assert "used on 1 line of taxonomy.csv" in problems[0].message
    assert "add a row 'ls_thresholds,TARGET' to MAP.csv" in problems[0].message


def test_a_set_without_taxonomy_needs_only_its_used_codes_mapped(tmp_path):
    rs = sce.load(write_set(tmp_path / "set", dict(CLEAN, **{"taxonomy.csv": None})))
    result = crosswalk(rs, {"fam_hostile": "F", "prac_optimism": "P", "team_supervision": "T"})
    assert not result.taxonomy_given
    assert result.taxonomy["factor_code"].tolist() == ["F", "P", "T"]
    assert result.taxonomy["label"].tolist() == ["F", "P", "T"]


def test_every_problem_is_reported_at_once(clean, tmp_path):
    map_path = write_map(
        tmp_path / "MAP.csv",
        [["fam_hostile", "F"], ["prac_optimism", ""], ["team_supervision", "T"], ["team_supervision", "U"]],
    )
    assert where(problems_of(crosswalk, clean, map_path)) == [
        # prac_optimism's line has no target, so the code is not covered either.
        ("factors.csv", 3, "factor_code", "prac_optimism"),
        ("taxonomy.csv", 5, "factor_code", "ls_thresholds"),
        ("MAP.csv", 3, "target_code", ""),
        ("MAP.csv", 5, "source_code", "team_supervision"),
    ]


# --------------------------------------------------------------------------- the map file


def test_read_crosswalk_tolerates_excel_files_and_ignores_extra_columns(tmp_path):
    path = tmp_path / "map.csv"
    lines = [
        "note,target_code ,source_code",
        '"a note, quoted",N01, fam_hostile ',
        ",N01,fam_evasive",
        ",,",
        ",N01,fam_evasive",
        ",N07,prac_optimism",
    ]
    path.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(lines).encode("utf-8") + b"\r\n")
    table = read_crosswalk(path)
    assert table.columns.tolist() == ["source_code", "target_code"]
    # The exact repeat of fam_evasive is read once; the blank line is skipped.
    assert table.values.tolist() == [["fam_hostile", "N01"], ["fam_evasive", "N01"], ["prac_optimism", "N07"]]
    # The blank line does not shift line numbers: line 7 is reported as line 7.
    path.write_bytes(path.read_bytes() + b",N08,fam_evasive\r\n")
    assert where(problems_of(read_crosswalk, path)) == [("map.csv", 7, "source_code", "fam_evasive")]


def test_map_missing_column(tmp_path):
    path = write_map(tmp_path / "MAP.csv", [["fam_hostile", "N01"]], header=("source_code", "target"))
    problems = problems_of(read_crosswalk, path)
    assert where(problems) == [("MAP.csv", 1, "target_code", "")]
    assert problems[0].message.startswith("the required column 'target_code' is missing.")
    assert "Fix: add a column headed 'target_code'" in problems[0].message


def test_map_one_to_many_is_reported_on_the_later_line(tmp_path):
    path = write_map(
        tmp_path / "MAP.csv",
        [["fam_hostile", "N01"], ["prac_optimism", "N07"], ["fam_hostile", "N01"], ["fam_hostile", "N02"]],
    )
    assert problems_of(read_crosswalk, path) == [
        Problem(
            "MAP.csv",
            5,
            "source_code",
            "fam_hostile",
            "source code 'fam_hostile' is mapped to 'N02' here but to 'N01' on line 2; a crosswalk maps each "
            "source code to one target code. Fix: delete one of the two lines (or split the source code in the "
            "source frame first).",
        )
    ]


def test_map_blank_codes_and_all_problems_in_one_pass(tmp_path):
    path = write_map(
        tmp_path / "MAP.csv",
        [["fam_hostile", ""], ["", "N02"], ["prac_optimism", "N07"], ["prac_optimism", "N08"], ["a;b", "N09"]],
        excel=True,
    )
    problems = problems_of(read_crosswalk, path)
    assert where(problems) == [
        ("MAP.csv", 2, "target_code", ""),
        ("MAP.csv", 3, "source_code", ""),
        ("MAP.csv", 5, "source_code", "prac_optimism"),
        ("MAP.csv", 6, "source_code", "a;b"),
    ]
    assert problems[0].message.startswith("target_code is empty; it is required.")


def test_map_that_cannot_be_read(tmp_path):
    assert where(problems_of(read_crosswalk, tmp_path / "nothing.csv")) == [("nothing.csv", None, None, "")]
    (tmp_path / "empty.csv").write_text("")
    problems = problems_of(read_crosswalk, tmp_path / "empty.csv")
    assert where(problems) == [("empty.csv", None, None, "")] and "empty" in problems[0].message
    with pytest.raises(sce.ParameterError, match="mapping must be"):
        crosswalk(sce.load(write_set(tmp_path / "set", CLEAN)), 42)


def test_a_map_given_as_a_dataframe_is_checked_the_same_way(clean):
    mapping = pd.DataFrame({"source_code": ["fam_hostile", "fam_hostile"], "target_code": ["A", "B"]})
    problems = problems_of(crosswalk, clean, mapping)
    assert ("mapping", 3, "source_code", "fam_hostile") in where(problems)


# --------------------------------------------------------------------------- the target frame


@pytest.fixture
def target_folder(tmp_path) -> Path:
    """A review set whose taxonomy.csv is a small national frame, N1 a parent of N2."""
    files = dict(CLEAN)
    files["taxonomy.csv"] = (
        "factor_code,label,level,factor_type,scie_category,parent_code,description\n"
        "N1,Family and professionals,frontline,Family,family_professional,,\n"
        "N2,Professional reasoning,frontline,Staff,human_reasoning,N1,\n"
        "N3,Supervision and systems,local_strategic,Management,human_management,,\n"
    )
    files["factors.csv"] = "review_id,episode_id,factor_code\nR1,KPE1,N1\n"
    files["findings.csv"] = None
    return write_set(tmp_path / "national", files)


NATIONAL = {"fam_hostile": "N1", "prac_optimism": "N2", "team_supervision": "N3", "ls_thresholds": "N3"}


@pytest.mark.parametrize("form", ["folder", "file", "frame", "set"])
def test_a_given_target_taxonomy_becomes_the_result_taxonomy(clean, target_folder, form):
    national = sce.load(target_folder)
    taxonomy = {
        "folder": target_folder,
        "file": target_folder / "taxonomy.csv",
        "frame": national.taxonomy,
        "set": national,
    }[form]
    result = crosswalk(clean, NATIONAL, taxonomy=taxonomy)
    assert result.taxonomy.equals(national.taxonomy)
    assert result.taxonomy_given
    assert result.factors["factor_code"].tolist() == ["N1", "N2", "N3", "N1", "N2", "N1", "N1"]


def test_an_unknown_target_code_is_a_problem(clean, target_folder, tmp_path):
    map_path = write_map(tmp_path / "MAP.csv", [[s, t] for s, t in NATIONAL.items()] + [["unused", "N4"]])
    map_path.write_text(map_path.read_text().replace("prac_optimism,N2", "prac_optimism,N22"))
    problems = problems_of(crosswalk, clean, map_path, taxonomy=target_folder / "taxonomy.csv")
    expected_name = str(target_folder / "taxonomy.csv")
    assert problems == [
        Problem(
            "MAP.csv",
            3,
            "target_code",
            "N22",
            f"target code 'N22' is not in the target frame ({expected_name}). Did you mean 'N2'? Fix: correct the "
            "target code, or add the code to the target taxonomy.",
        ),
        # Every target of the map must be in the frame, even that of a code the set does not use.
        Problem(
            "MAP.csv",
            6,
            "target_code",
            "N4",
            f"target code 'N4' is not in the target frame ({expected_name}). Fix: correct the target code, or "
            "add the code to the target taxonomy.",
        ),
    ]


def test_a_broken_or_missing_target_taxonomy_is_reported_by_its_path(clean, tmp_path):
    broken = tmp_path / "frame.csv"
    broken.write_text("factor_code,label,parent_code\nN1,One,N9\nN1,Again,\n")
    problems = problems_of(crosswalk, clean, NATIONAL, taxonomy=broken)
    assert where(problems) == [(str(broken), 2, "parent_code", "N9"), (str(broken), 3, "factor_code", "N1")]
    problems = problems_of(crosswalk, clean, NATIONAL, taxonomy=tmp_path / "nowhere")
    assert where(problems) == [(str(tmp_path / "nowhere"), None, None, "")]
    (tmp_path / "folder").mkdir()
    problems = problems_of(crosswalk, clean, NATIONAL, taxonomy=tmp_path / "folder")
    assert where(problems) == [(str(tmp_path / "folder" / "taxonomy.csv"), None, None, "")]


# --------------------------------------------------------------------------- identity and chains


def test_identity_crosswalk_returns_the_input_plus_provenance(clean, synthetic):
    for rs in (clean, synthetic):
        codes = rs.taxonomy["factor_code"]
        result = crosswalk(rs, pd.DataFrame({"source_code": codes, "target_code": codes}))
        assert result.factors["source_code"].equals(rs.factors["factor_code"])
        for name in FRAMES:
            frame = getattr(result, name)
            frame = frame.drop(columns="source_code") if name == "factors" else frame
            pd.testing.assert_frame_equal(frame, getattr(rs, name))


def test_a_chain_of_crosswalks_keeps_the_codes_first_coded(clean):
    step = crosswalk(clean, {c: c.upper() for c in CLEAN_CODES})
    upper = [c.upper() for c in CLEAN_CODES]
    final = crosswalk(step, dict(zip(upper, ["A", "A", "B", "B"], strict=True)))
    assert final.factors["source_code"].tolist() == [
        "fam_hostile;prac_optimism",
        "team_supervision",
        "fam_hostile",
        "prac_optimism",
        "fam_hostile",
        "fam_hostile",
    ]
    assert final.taxonomy["factor_code"].tolist() == ["A", "B"]


# --------------------------------------------------------------------------- combine


def test_combine_disjoint_sets_equals_a_pandas_concat(synthetic):
    early, late = synthetic.filter(years=(2011, 2017)), synthetic.filter(years=(2018, 2025))
    assert len(early.reviews) and len(late.reviews)
    combined = combine([early, late])
    for name in ("reviews", "episodes", "factors", "findings"):
        expected = pd.concat([getattr(early, name), getattr(late, name)], ignore_index=True)
        pd.testing.assert_frame_equal(getattr(combined, name), expected)
        assert len(getattr(combined, name)) == len(getattr(early, name)) + len(getattr(late, name))
    assert combined.taxonomy.equals(synthetic.taxonomy)
    # Split by year and put back, the set has the same rows (the order is by year, not the original order).
    assert (
        combined.factors.sort_values(list(combined.factors.columns))
        .reset_index(drop=True)
        .equals(synthetic.factors.sort_values(list(synthetic.factors.columns)).reset_index(drop=True))
    )


def test_combine_of_one_set_is_that_set(clean, synthetic, synthetic_folder):
    assert combine([clean]).equals(clean)
    assert combine([synthetic_folder]).equals(synthetic)


def test_combine_keeps_extra_columns_of_some_sets(synthetic):
    early, late = synthetic.filter(years=(2011, 2017)), synthetic.filter(years=(2018, 2025))
    codes = synthetic.taxonomy["factor_code"]
    late = crosswalk(late, identity(codes))  # gains factors.source_code
    combined = combine([early, late])
    provenance = combined.factors["source_code"]
    assert provenance.iloc[: len(early.factors)].isna().all()
    assert provenance.iloc[len(early.factors) :].tolist() == late.factors["source_code"].tolist()


def test_combine_clashing_review_ids_one_problem_per_clash(clean, tmp_path):
    # A second set repeating R2 and R3 of the clean set, and adding R4.
    other = dict(CLEAN)
    other["reviews.csv"] = CLEAN["reviews.csv"].replace("R1,", "R4,")
    for name in ("episodes.csv", "factors.csv", "findings.csv"):
        other[name] = CLEAN[name].replace("R1,", "R4,")
    folder = write_set(tmp_path / "other", other)
    problems = problems_of(combine, [clean, folder], names=["north", "south"])
    assert where(problems) == [("south/reviews.csv", 3, "review_id", "R2"), ("south/reviews.csv", 4, "review_id", "R3")]
    assert problems[0].message.startswith("review_id 'R2' is in both north (line 3) and south (line 3).")
    # Without names, sets are named by their folders, or by their place in the list.
    problems = problems_of(combine, [folder, crosswalk(clean, identity(CLEAN_CODES))])
    assert {p.file for p in problems} == {"set 2/reviews.csv"}
    assert f"in both {folder} (line 3) and set 2 (line 3)" in problems[0].message
    problems = problems_of(combine, [folder, folder])
    assert len(problems) == 3 and "in both set 1 (" in problems[0].message


def test_combine_sets_coded_in_different_frames_is_an_error(clean, synthetic):
    problems = problems_of(combine, [clean, synthetic], names=["clean", "synthetic"])
    assert problems and all("not coded in one frame" in p.message for p in problems)
    assert all(p.file == "synthetic/taxonomy.csv" for p in problems)
    # One problem per code: in one taxonomy only, or in both with other values (the clean set's four
    # codes have other labels and no description there).
    ours, theirs = set(clean.taxonomy["factor_code"]), set(synthetic.taxonomy["factor_code"])
    codes = [p.message.split("'")[1] for p in problems]
    assert sorted(codes) == sorted(ours | theirs) and ours <= theirs
    fam_hostile = problems[codes.index("fam_hostile")]
    assert (fam_hostile.line, fam_hostile.column, fam_hostile.value) == (2, "label", "Hostile or intimidating parent")
    assert "label 'Hostile or intimidating parent' here, 'Hostile or evasive parents' there" in fam_hostile.message


def test_combine_a_set_without_taxonomy_needs_its_codes_in_the_given_one(clean, tmp_path):
    files = dict(CLEAN, **{"taxonomy.csv": None})
    files["reviews.csv"] = CLEAN["reviews.csv"].replace("R", "S")
    files["episodes.csv"] = CLEAN["episodes.csv"].replace("\nR", "\nS")
    files["factors.csv"] = CLEAN["factors.csv"].replace("\nR", "\nS")
    files["findings.csv"] = CLEAN["findings.csv"].replace("\nR", "\nS")
    derived = sce.load(write_set(tmp_path / "derived", files))
    combined = combine([derived, clean])
    assert combined.taxonomy.equals(clean.taxonomy) and combined.taxonomy_given
    assert len(combined.reviews) == 6

    files["factors.csv"] = files["factors.csv"].replace("S3,KPE1,fam_hostile,problematic,Police,b", "S3,KPE1,x,good,,b")
    odd = sce.load(write_set(tmp_path / "odd", files))
    problems = problems_of(combine, [clean, odd], names=["given", "odd"])
    assert where(problems) == [("odd/factors.csv", 8, "factor_code", "x")]


def test_combine_rejects_bad_arguments(clean):
    with pytest.raises(sce.ParameterError, match="at least one"):
        combine([])
    with pytest.raises(sce.ParameterError, match="list of review sets"):
        combine(clean)
    with pytest.raises(sce.ParameterError, match="one per set"):
        combine([clean], names=["a", "b"])
