"""Loading, validating and typing review sets against the data contract."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import CLEAN, SAMPLE, where, write_set

import sce_analysis as sce


def problems_of(tmp_path, **changes):
    """Validate the clean set with some files replaced (None removes a file)."""
    files = {**CLEAN, **{name.replace("_csv", ".csv"): content for name, content in changes.items()}}
    return sce.validate(write_set(tmp_path / "set", files))


def replace_line(text: str, line: int, new: str) -> str:
    lines = text.split("\n")
    lines[line - 1] = new
    return "\n".join(lines)


# --------------------------------------------------------------------------- clean input


def test_clean_set_loads_with_typed_frames(clean_set):
    rs = sce.load(clean_set)
    assert sce.validate(clean_set) == []
    assert rs.reviews["review_id"].tolist() == ["R1", "R2", "R3"]
    assert rs.reviews["year"].dtype == "int64"
    assert rs.reviews["year"].tolist() == [2015, 2019, 2021]
    assert rs.episodes["sequence"].dtype == "Int64"
    assert str(rs.episodes["start_date"].dtype) == "datetime64[s]"
    assert rs.episodes["start_date"].iloc[0] == pd.Timestamp("2013-01-10")
    assert pd.isna(rs.episodes["end_date"].iloc[3])
    assert list(rs.episodes["appraisal"].cat.categories) == ["good", "problematic", "mixed", "neutral"]
    assert list(rs.factors["polarity"].cat.categories) == ["problematic", "good"]
    # An empty polarity is the contract's default.
    assert rs.factors.loc[1, "polarity"] == "problematic"
    # Category labels are stored as keys.
    assert rs.findings["category"].tolist() == ["family_professional", "human_reasoning", "human_management"]
    assert rs.taxonomy["level"].tolist() == ["frontline", "frontline", "frontline", "local_strategic"]
    assert rs.taxonomy_given


def test_empty_optional_values_are_missing_not_empty_strings(clean_set):
    rs = sce.load(clean_set)
    assert rs.findings["summary"].isna().all()
    assert rs.factors["note"].isna().sum() == 6


def test_link_tables_explode_lists(clean_set):
    rs = sce.load(clean_set)
    assert rs.episode_agencies.values.tolist()[:3] == [
        ["R1", "KPE1", "Health visiting"],
        ["R1", "KPE1", "Police"],
        ["R1", "KPE2", "Children's social care"],
    ]
    assert len(rs.episode_agencies) == 7
    assert rs.finding_episodes.values.tolist() == [
        ["R1", "F1", "KPE1"],
        ["R2", "F1", "KPE1"],
        ["R2", "F1", "KPE2"],
        ["R3", "F1", "KPE1"],
    ]
    assert rs.finding_factors["factor_code"].tolist() == ["fam_hostile", "prac_optimism", "team_supervision"]


def test_bom_crlf_shuffled_columns_and_padding_are_not_errors(tmp_path):
    reviews = (
        "year , region,  review_id,area\r\n 2015 ,North West,R1 ,  Kelmscote\r\n"
        "2019,London and South East,R2,Pellbridge\r\n2021,North West,R3,Kelmscote\r\n"
    )
    episodes = "\ufeff" + CLEAN["episodes.csv"].replace("\n", "\r\n")
    folder = write_set(tmp_path / "excel", {**CLEAN, "reviews.csv": reviews, "episodes.csv": episodes})
    assert sce.validate(folder) == []
    rs = sce.load(folder)
    reference = sce.load(write_set(tmp_path / "clean", CLEAN))
    assert rs.reviews[["review_id", "area", "year", "region"]].equals(
        reference.reviews[["review_id", "area", "year", "region"]]
    )
    assert rs.episodes.equals(reference.episodes)


def test_quoted_values_with_commas_and_line_breaks(tmp_path):
    reviews = CLEAN["reviews.csv"].replace("Child B", '"Child B, the second\nline"')
    rs = sce.load(write_set(tmp_path / "q", {**CLEAN, "reviews.csv": reviews}))
    assert rs.reviews.loc[1, "title"] == "Child B, the second\nline"


@pytest.mark.parametrize(
    "written, key",
    [
        ("Management systems", "human_management"),
        ("Human-tool operation", "human_tool"),
        ("HUMAN TOOL OPERATION", "human_tool"),
        ("Tools", "human_tool"),
        ("Responses to incidents", "multi_agency_incidents"),
        ("Multi-agency working in response to incidents and crises", "multi_agency_incidents"),
        ("Longer-term work", "multi_agency_longer_term"),
        ("Innate human biases", "human_reasoning"),
        ("Human reasoning: cognitive and emotional biases", "human_reasoning"),
        ("family_professional", "family_professional"),
    ],
)
def test_category_labels_map_to_keys(tmp_path, written, key):
    findings = CLEAN["findings.csv"].replace("Family-professional interaction", f'"{written}"')
    rs = sce.load(write_set(tmp_path / "c", {**CLEAN, "findings.csv": findings}))
    assert rs.findings.loc[0, "category"] == key


def test_absent_findings_and_taxonomy(tmp_path):
    folder = write_set(tmp_path / "bare", {**CLEAN, "findings.csv": None, "taxonomy.csv": None})
    rs = sce.load(folder)
    assert len(rs.findings) == 0 and list(rs.findings.columns)[:3] == ["review_id", "finding_id", "category"]
    assert not rs.taxonomy_given
    # The coding frame is the codes used, with the code as label.
    assert rs.taxonomy["factor_code"].tolist() == ["fam_hostile", "prac_optimism", "team_supervision"]
    assert rs.taxonomy["label"].tolist() == rs.taxonomy["factor_code"].tolist()


def test_without_taxonomy_any_code_is_accepted_but_findings_must_cite_used_codes(tmp_path):
    findings = replace_line(CLEAN["findings.csv"], 3, "R2,F1,human_reasoning,x,,KPE1,not_used,")
    problems = problems_of(tmp_path, taxonomy_csv=None, findings_csv=findings)
    assert where(problems) == [("findings.csv", 3, "factor_codes", "not_used")]


def test_extra_columns_are_kept(tmp_path):
    reviews = CLEAN["reviews.csv"].replace("title\n", "title,local_ref\n", 1).replace("Child A\n", "Child A,LR-7\n")
    rs = sce.load(write_set(tmp_path / "x", {**CLEAN, "reviews.csv": reviews}))
    assert list(rs.reviews.columns)[-1] == "local_ref"
    assert rs.reviews["local_ref"].tolist()[0] == "LR-7"
    assert rs.reviews["local_ref"].isna().sum() == 2


def test_blank_lines_are_skipped_without_shifting_line_numbers(tmp_path):
    factors = CLEAN["factors.csv"].replace("R2,KPE1,fam_hostile", ",,,,,,\n\nR2,KPE1,fam_hostile")
    factors = factors.replace("R3,KPE1,fam_hostile,problematic,Police,a,", "R3,KPE9,fam_hostile,problematic,Police,a,")
    problems = problems_of(tmp_path, factors_csv=factors)
    # The R3/KPE9 row moved from line 7 to 9 because of the two empty lines before it.
    assert where(problems) == [("factors.csv", 9, "episode_id", "KPE9")]


# --------------------------------------------------------------------------- bad input, one by one


def test_duplicate_review_id_reported_on_later_line(tmp_path):
    reviews = CLEAN["reviews.csv"] + "R2,Kelmscote,2020,North West,,,\n"
    problems = problems_of(tmp_path, reviews_csv=reviews)
    assert where(problems) == [("reviews.csv", 5, "review_id", "R2")]
    assert "first on line 3" in problems[0].message


def test_duplicate_episode_reported_in_completing_column(tmp_path):
    episodes = CLEAN["episodes.csv"] + "R2,KPE1,3,,,good,,,\n"
    assert where(problems_of(tmp_path, episodes_csv=episodes)) == [("episodes.csv", 7, "episode_id", "KPE1")]


def test_duplicate_finding_and_taxonomy_code(tmp_path):
    findings = CLEAN["findings.csv"] + "R1,F1,human_tool,,,,,\n"
    taxonomy = CLEAN["taxonomy.csv"] + "prac_optimism,Again,frontline,,,,\n"
    problems = problems_of(tmp_path, findings_csv=findings, taxonomy_csv=taxonomy)
    assert where(problems) == [
        ("findings.csv", 5, "finding_id", "F1"),
        ("taxonomy.csv", 6, "factor_code", "prac_optimism"),
    ]


def test_unknown_factor_code(tmp_path):
    factors = replace_line(CLEAN["factors.csv"], 6, "R2,KPE2,prac_optimsm,problematic,GP practice,a,")
    problems = problems_of(tmp_path, factors_csv=factors)
    assert where(problems) == [("factors.csv", 6, "factor_code", "prac_optimsm")]
    assert "Did you mean 'prac_optimism'" in problems[0].message


def test_factor_on_episode_that_does_not_exist(tmp_path):
    factors = replace_line(CLEAN["factors.csv"], 5, "R2,KPE7,fam_hostile,problematic,School,a,")
    problems = problems_of(tmp_path, factors_csv=factors)
    assert where(problems) == [("factors.csv", 5, "episode_id", "KPE7")]
    assert "review 'R2' has no episode 'KPE7'" in problems[0].message


def test_factor_of_review_that_does_not_exist_names_the_review(tmp_path):
    factors = replace_line(CLEAN["factors.csv"], 5, "R9,KPE1,fam_hostile,problematic,School,a,")
    assert where(problems_of(tmp_path, factors_csv=factors)) == [("factors.csv", 5, "review_id", "R9")]


def test_episode_of_review_that_does_not_exist(tmp_path):
    episodes = CLEAN["episodes.csv"] + "R7,KPE1,1,,,good,,,\n"
    assert where(problems_of(tmp_path, episodes_csv=episodes)) == [("episodes.csv", 7, "review_id", "R7")]


def test_missing_required_column(tmp_path):
    reviews = "review_id,region\nR1,North West\nR2,London\nR3,North West\n"
    problems = problems_of(tmp_path, reviews_csv=reviews)
    assert where(problems) == [("reviews.csv", 1, "area", ""), ("reviews.csv", 1, "year", "")]
    assert "required column 'year' is missing" in problems[1].message


def test_misspelt_column_name_is_named(tmp_path):
    reviews = CLEAN["reviews.csv"].replace("review_type", "Review Type", 1)
    problems = problems_of(tmp_path, reviews_csv=reviews)
    assert where(problems) == [("reviews.csv", 1, "Review Type", "Review Type")]
    assert "rename it to 'review_type'" in problems[0].message


def test_year_that_is_not_a_year(tmp_path):
    reviews = replace_line(CLEAN["reviews.csv"], 3, "R2,Pellbridge,20l9,London and South East,,,")
    reviews = replace_line(reviews, 4, "R3,Kelmscote,2021.0,North West,,,")
    problems = problems_of(tmp_path, reviews_csv=reviews)
    assert where(problems) == [("reviews.csv", 3, "year", "20l9"), ("reviews.csv", 4, "year", "2021.0")]


def test_impossible_and_malformed_dates(tmp_path):
    episodes = replace_line(CLEAN["episodes.csv"], 3, "R1,KPE2,2,2013-02-30,,good,,,")
    episodes = replace_line(episodes, 4, "R2,KPE1,1,,01/06/2017,mixed,School,,")
    problems = problems_of(tmp_path, episodes_csv=episodes)
    assert where(problems) == [
        ("episodes.csv", 3, "start_date", "2013-02-30"),
        ("episodes.csv", 4, "end_date", "01/06/2017"),
    ]
    assert "not a real calendar date" in problems[0].message
    assert "YYYY-MM-DD" in problems[1].message


def test_episode_ending_before_it_starts(tmp_path):
    episodes = replace_line(CLEAN["episodes.csv"], 2, "R1,KPE1,1,2013-03-10,2013-02-01,problematic,,,")
    assert where(problems_of(tmp_path, episodes_csv=episodes)) == [("episodes.csv", 2, "end_date", "2013-02-01")]


def test_sequence_must_be_whole_and_unique_within_review(tmp_path):
    episodes = replace_line(CLEAN["episodes.csv"], 3, "R1,KPE2,1,,,good,,,")
    episodes = replace_line(episodes, 5, "R2,KPE2,two,,,neutral,,,")
    problems = problems_of(tmp_path, episodes_csv=episodes)
    assert where(problems) == [("episodes.csv", 3, "sequence", "1"), ("episodes.csv", 5, "sequence", "two")]


def test_category_outside_the_scie_typology(tmp_path):
    findings = replace_line(CLEAN["findings.csv"], 4, "R3,F1,Supervision,x,,KPE1,team_supervision,")
    problems = problems_of(tmp_path, findings_csv=findings)
    assert where(problems) == [("findings.csv", 4, "category", "Supervision")]
    assert "six SCIE finding categories" in problems[0].message


def test_finding_citing_an_episode_the_review_lacks(tmp_path):
    # R3 has only KPE1; KPE2 exists in R1 and R2, which must not count.
    findings = replace_line(CLEAN["findings.csv"], 4, "R3,F1,human_tool,x,,KPE1; KPE2,team_supervision,")
    problems = problems_of(tmp_path, findings_csv=findings)
    assert where(problems) == [("findings.csv", 4, "episode_ids", "KPE2")]


def test_same_code_twice_on_one_episode(tmp_path):
    factors = CLEAN["factors.csv"] + "R1,KPE1,prac_optimism,good,Police,a,\n"
    problems = problems_of(tmp_path, factors_csv=factors)
    assert where(problems) == [("factors.csv", 9, "factor_code", "prac_optimism")]
    assert "coded twice on episode 'KPE1' of review 'R1'" in problems[0].message
    assert "first on line 3" in problems[0].message


def test_same_code_by_two_coders_is_not_a_duplicate(clean_set):
    # Lines 7 and 8 of the clean set code fam_hostile on R3/KPE1 by coders a and b.
    assert sce.validate(clean_set) == []


def test_vocabularies_are_exact(tmp_path):
    episodes = replace_line(CLEAN["episodes.csv"], 3, "R1,KPE2,2,,,Good,,,")
    factors = replace_line(CLEAN["factors.csv"], 2, "R1,KPE1,fam_hostile,bad,Health visiting,a,")
    taxonomy = replace_line(CLEAN["taxonomy.csv"], 5, "ls_thresholds,Thresholds unclear,strategic,,,,")
    problems = problems_of(tmp_path, episodes_csv=episodes, factors_csv=factors, taxonomy_csv=taxonomy)
    assert where(problems) == [
        ("episodes.csv", 3, "appraisal", "Good"),
        ("factors.csv", 2, "polarity", "bad"),
        ("taxonomy.csv", 5, "level", "strategic"),
    ]
    assert "write 'good'" in problems[0].message


def test_parent_code_must_resolve_and_not_cycle(tmp_path):
    taxonomy = (
        CLEAN["taxonomy.csv"]
        .replace("Personal aspects,human_reasoning,,", "Personal aspects,human_reasoning,team_supervision,")
        .replace("Own team,human_management,,", "Own team,human_management,prac_optimism,")
        .replace("Local policy,multi_agency_incidents,,", "Local policy,multi_agency_incidents,nowhere,")
    )
    problems = problems_of(tmp_path, taxonomy_csv=taxonomy)
    assert where(problems) == [
        ("taxonomy.csv", 3, "parent_code", "team_supervision"),
        ("taxonomy.csv", 4, "parent_code", "prac_optimism"),
        ("taxonomy.csv", 5, "parent_code", "nowhere"),
    ]


def test_empty_required_value(tmp_path):
    factors = replace_line(CLEAN["factors.csv"], 4, "R1,KPE2,,good,,a,")
    assert where(problems_of(tmp_path, factors_csv=factors)) == [("factors.csv", 4, "factor_code", "")]


def test_empty_file(tmp_path):
    problems = problems_of(tmp_path, findings_csv="")
    assert where(problems) == [("findings.csv", None, None, "")]
    assert "the file is empty" in problems[0].message


def test_header_only_findings_file_means_no_findings(tmp_path):
    rs = sce.load(write_set(tmp_path / "h", {**CLEAN, "findings.csv": "review_id,finding_id,category\n"}))
    assert len(rs.findings) == 0


def test_legacy_windows_encoding(tmp_path):
    reviews = CLEAN["reviews.csv"].replace("Pellbridge", "Pellbridge Café").encode("cp1252")
    problems = problems_of(tmp_path, reviews_csv=reviews)
    assert where(problems) == [("reviews.csv", 3, "area", "Pellbridge Café")]
    assert "not UTF-8" in problems[0].message and "CSV UTF-8" in problems[0].message


def test_excel_workbook_renamed_to_csv(tmp_path):
    problems = problems_of(tmp_path, taxonomy_csv=b"PK\x03\x04binary workbook")
    assert where(problems) == [("taxonomy.csv", None, None, "")]
    assert "Excel workbook" in problems[0].message


def test_missing_folder():
    problems = sce.validate("no/such/folder")
    assert len(problems) == 1 and problems[0].file == "no/such/folder"
    with pytest.raises(sce.DataValidationError, match="folder does not exist"):
        sce.load("no/such/folder")


def test_missing_required_file(tmp_path):
    problems = problems_of(tmp_path, episodes_csv=None)
    # Factors cannot be checked against missing episodes, so the only problem is the file itself.
    assert where(problems) == [("episodes.csv", None, None, "")]
    assert "missing" in problems[0].message


def test_row_with_too_many_values(tmp_path):
    factors = replace_line(CLEAN["factors.csv"], 2, "R1,KPE1,fam_hostile,problematic,Health visiting,a,,oops")
    factors = replace_line(factors, 5, "R2,KPE1,fam_hostile,problematic,School, Police,a,")
    problems = problems_of(tmp_path, factors_csv=factors)
    assert [(p.file, p.line, p.column) for p in problems] == [("factors.csv", 2, None), ("factors.csv", 5, None)]
    assert "8 values but the header names 7" in problems[0].message


def test_unclosed_quote(tmp_path):
    factors = replace_line(CLEAN["factors.csv"], 6, 'R2,KPE2,prac_optimism,problematic,"GP practice,a,')
    problems = problems_of(tmp_path, factors_csv=factors)
    assert [(p.file, p.line) for p in problems] == [("factors.csv", 6)]
    assert "quote" in problems[0].message


def test_duplicate_header_name(tmp_path):
    reviews = CLEAN["reviews.csv"].replace("method,title", "method,area", 1)
    assert where(problems_of(tmp_path, reviews_csv=reviews)) == [("reviews.csv", 1, "area", "area")]


def test_all_problems_in_one_pass(tmp_path):
    """Every bad-input case of the issue, planted at once, each reported at its exact place."""
    reviews = (
        CLEAN["reviews.csv"] + "R2,Kelmscote,2020,North West,,,\n" + "R4,Pellbridge,twenty,London and South East,,,\n"
    )
    episodes = replace_line(CLEAN["episodes.csv"], 4, "R2,KPE1,1,2017-13-01,2017-06-30,mixed,School,,")
    factors = (
        CLEAN["factors.csv"]
        + "R1,KPE1,no_such_code,problematic,,a,\n"  # 9
        + "R2,KPE9,fam_hostile,problematic,,a,\n"  # 10
        + "R1,KPE1,fam_hostile,problematic,,a,\n"  # 11
    )
    findings = CLEAN["findings.csv"] + "R1,F2,Leadership,x,,KPE1;KPE5,fam_hostile,\n"
    files = {
        **CLEAN,
        "reviews.csv": reviews,
        "episodes.csv": episodes,
        "factors.csv": factors,
        "findings.csv": findings,
        "taxonomy.csv": "",
    }
    problems = sce.validate(write_set(tmp_path / "all", files))
    assert where(problems) == [
        ("reviews.csv", 5, "review_id", "R2"),
        ("reviews.csv", 6, "year", "twenty"),
        ("episodes.csv", 4, "start_date", "2017-13-01"),
        ("factors.csv", 10, "episode_id", "KPE9"),
        ("factors.csv", 11, "factor_code", "fam_hostile"),
        ("findings.csv", 5, "category", "Leadership"),
        ("findings.csv", 5, "episode_ids", "KPE5"),
        ("taxonomy.csv", None, None, ""),
    ]
    with pytest.raises(sce.DataValidationError) as caught:
        sce.load(tmp_path / "all")
    assert caught.value.problems == problems
    assert "8 problems found" in str(caught.value)


def test_problems_frame_has_one_row_per_problem(tmp_path):
    problems = problems_of(tmp_path, findings_csv="")
    frame = sce.problems_frame(problems)
    assert list(frame.columns) == ["file", "line", "column", "value", "message"]
    assert len(frame) == 1 and pd.isna(frame.loc[0, "line"])


def clean_set_of(tmp_path):
    return write_set(tmp_path / "clean", CLEAN)


def test_error_message_lists_the_first_problems_and_points_to_the_rest(tmp_path):
    reviews = CLEAN["reviews.csv"] + "".join(f"R{i},Kelmscote,{i},North West,,,\n" for i in range(10, 40))
    with pytest.raises(sce.DataValidationError) as caught:
        sce.load(write_set(tmp_path / "many", {**CLEAN, "reviews.csv": reviews}))
    assert len(caught.value.problems) == 30
    assert "and 10 more" in str(caught.value) and "sce-analysis validate" in str(caught.value)
    # Frames (and workbooks) have no folder to validate: the message points at the list only.
    raw = sce.load(clean_set_of(tmp_path))
    many = pd.concat([raw.reviews] * 12, ignore_index=True)
    with pytest.raises(sce.DataValidationError) as caught:
        sce.from_frames(many, raw.episodes, raw.factors)
    assert "more. See them all in .problems" in str(caught.value) and "validate" not in str(caught.value)


# --------------------------------------------------------------------------- from_frames


def test_from_frames_checks_like_files(clean_set):
    rs = sce.load(clean_set)
    again = sce.from_frames(rs.reviews, rs.episodes, rs.factors, rs.findings, rs.taxonomy)
    assert again.equals(rs)
    bad = rs.reviews.assign(year=rs.reviews["year"].astype(object).where(rs.reviews.index != 1, "soon"))
    with pytest.raises(sce.DataValidationError) as caught:
        sce.from_frames(bad, rs.episodes, rs.factors, rs.findings, rs.taxonomy)
    assert where(caught.value.problems) == [("reviews.csv", 3, "year", "soon")]


def test_from_frames_accepts_python_lists_and_leaves_input_alone(clean_set):
    rs = sce.load(clean_set)
    episodes = rs.episodes.copy()
    episodes["agencies"] = episodes["agencies"].str.split(";").map(lambda v: v if isinstance(v, list) else [])
    before = episodes.copy()
    again = sce.from_frames(rs.reviews, episodes, rs.factors, rs.findings, rs.taxonomy)
    assert again.episodes["agencies"].equals(rs.episodes["agencies"])
    assert episodes.equals(before)


# --------------------------------------------------------------------------- the shipped sample


def test_sample_is_clean_and_sized():
    assert sce.validate(SAMPLE) == []
    counts = sce.load(SAMPLE).summary().set_index("measure")["count"]
    assert counts["reviews"] >= 80 and counts["areas"] == 16 and counts["regions"] == 5
    assert (counts["first_year"], counts["last_year"]) == (2011, 2025)
    assert counts["finding_categories"] == 6
    assert 35 <= counts["taxonomy_codes"] <= 60


def test_from_frames_reports_columns_that_collide_after_stripping(clean_set):
    rs = sce.load(clean_set)
    reviews = rs.reviews.assign(**{"region ": "Elsewhere"})
    with pytest.raises(sce.DataValidationError) as caught:
        sce.from_frames(reviews, rs.episodes, rs.factors, rs.findings, rs.taxonomy)
    assert where(caught.value.problems) == [("reviews.csv", 1, "region", "region")]
