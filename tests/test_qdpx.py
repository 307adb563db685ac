"""REFI-QDA projects in and out: round trips, the layouts of the QDA programs, every problem by place,
hostile archives refused with nothing written, and the schema."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from hostile import bounded
from qdpx_builders import EXPECTED, TEXTS, build, project_files, span, write_archive

import sce_analysis as sce
from sce_analysis.errors import DataValidationError, ParameterError
from sce_analysis.exchange.qdpx_export import write_qdpx
from sce_analysis.exchange.qdpx_import import factor_slug, import_qdpx, read_qdpx
from sce_analysis.exchange.qdpx_map import QdpxMap, default_map, map_yaml, read_map
from sce_analysis.stats.agreement import coder_agreement

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = ROOT / "tests" / "data" / "refi-qda" / "Project.xsd"


@pytest.fixture(scope="module")
def sample():
    return sce.load(ROOT / "data" / "sample")


def _problems(call) -> list[str]:
    with pytest.raises(DataValidationError) as caught:
        call()
    return [str(p) for p in caught.value.problems]


# ----------------------------------------------------------------------------------- round trips


def test_round_trip_gives_the_same_set(sample, tmp_path):
    path = write_qdpx(sample, tmp_path / "sample.qdpx")
    back = read_qdpx(path, taxonomy=sample)
    for name in ("reviews", "episodes", "factors", "findings", "taxonomy"):
        pd.testing.assert_frame_equal(getattr(back, name), getattr(sample, name), obj=name)


def test_round_trip_without_a_taxonomy_builds_the_frame_from_the_codebook(sample, tmp_path):
    path = write_qdpx(sample, tmp_path / "sample.qdpx")
    back = read_qdpx(path)
    slug = {
        code: factor_slug(label)
        for code, label in zip(sample.taxonomy["factor_code"], sample.taxonomy["label"], strict=True)
    }
    expected = sample.factors.assign(factor_code=sample.factors["factor_code"].map(slug))
    pd.testing.assert_frame_equal(back.factors, expected)
    # The frame's groups come back as levels, categories and types; its labels and descriptions as written.
    # (In codebook order: grouped by level, category and type.)
    taxonomy = sample.taxonomy.assign(
        factor_code=sample.taxonomy["factor_code"].map(slug), parent_code=sample.taxonomy["parent_code"].map(slug)
    )
    pd.testing.assert_frame_equal(
        back.taxonomy.sort_values("factor_code", ignore_index=True),
        taxonomy.sort_values("factor_code", ignore_index=True),
    )
    # A finding's factor list names factors by label, so it maps to the codebook's codes too.
    listed = sample.findings["factor_codes"].dropna().str.split(";").explode().map(slug)
    assert set(back.findings["factor_codes"].dropna().str.split(";").explode()) == set(listed)


def test_export_is_byte_identical_and_deterministic(sample, tmp_path):
    first = write_qdpx(sample, tmp_path / "a" / "set.qdpx").read_bytes()
    second = write_qdpx(sample, tmp_path / "b" / "set.qdpx").read_bytes()
    assert first == second


def test_export_refuses_to_overwrite_unless_asked(sample, tmp_path):
    path = write_qdpx(sample.filter(areas="Ravensholt"), tmp_path / "r.qdpx")
    with pytest.raises(ParameterError, match="already exists"):
        write_qdpx(sample, path)
    write_qdpx(sample, path, overwrite=True)
    assert len(read_qdpx(path, taxonomy=sample).reviews) == len(sample.reviews)


def test_exported_project_validates_against_the_schema(sample, tmp_path):
    from lxml import etree

    schema = etree.XMLSchema(etree.parse(str(SCHEMA)))
    path = write_qdpx(sample, tmp_path / "sample.qdpx")
    with zipfile.ZipFile(path) as archive:
        document = etree.fromstring(archive.read("project.qde"))
        names = archive.namelist()
    schema.assertValid(document)
    # One text member per review, each referred to as internal://.
    assert len([n for n in names if n.startswith("Sources/")]) == len(sample.reviews)
    paths = document.xpath("//q:TextSource/@plainTextPath", namespaces={"q": "urn:QDA-XML:project:1.0"})
    assert sorted(p.removeprefix("internal://") for p in paths) == sorted(
        n.removeprefix("Sources/") for n in names if n.startswith("Sources/")
    )


def test_exported_selections_cover_the_summaries(sample, tmp_path):
    # Independently of the importer: each KPE selection's characters are its summary.
    from lxml import etree

    path = write_qdpx(sample.filter(areas="Ravensholt"), tmp_path / "r.qdpx")
    ns = {"q": "urn:QDA-XML:project:1.0"}
    with zipfile.ZipFile(path) as archive:
        document = etree.fromstring(archive.read("project.qde"))
        texts = {n: archive.read(n).decode() for n in archive.namelist() if n.startswith("Sources/")}
    rs = sample.filter(areas="Ravensholt")
    summaries = dict(
        zip(zip(rs.episodes["review_id"], rs.episodes["episode_id"], strict=True), rs.episodes["summary"], strict=True)
    )
    checked = 0
    for source in document.xpath("//q:TextSource", namespaces=ns):
        text = texts["Sources/" + source.get("plainTextPath").removeprefix("internal://")]
        review = source.get("name").removesuffix(".txt")
        for selection in source.xpath("q:PlainTextSelection[@name]", namespaces=ns):
            if (review, selection.get("name")) in summaries:
                start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
                assert text[start:end] == summaries[(review, selection.get("name"))]
                checked += 1
    assert checked == len(rs.episodes)


def test_agreement_on_an_imported_double_coded_project_equals_the_original(tmp_path):
    from sce_analysis.synthetic import generate

    rs = generate(n_reviews=40, seed=11, double_coded_share=0.5).review_set
    assert len(rs.coders) == 2
    back = read_qdpx(write_qdpx(rs, tmp_path / "double.qdpx"), taxonomy=rs)
    pd.testing.assert_frame_equal(coder_agreement(back), coder_agreement(rs))
    pd.testing.assert_frame_equal(
        coder_agreement(back, level="scie_category"), coder_agreement(rs, level="scie_category")
    )


# ----------------------------------------------------------------------------------- the tools' layouts


@pytest.mark.parametrize("style", ["maxqda", "qualcoder"])
def test_each_layout_imports_to_the_set_coded(style, tmp_path):
    rs = read_qdpx(build(tmp_path / f"{style}.qdpx", style))
    reviews = rs.reviews[["review_id", "area", "year", "region", "review_type"]].to_dict("records")
    assert reviews == EXPECTED["reviews"]
    episodes = list(rs.episodes[["review_id", "episode_id", "sequence", "summary"]].itertuples(index=False, name=None))
    assert episodes == EXPECTED["episodes"]
    factors = list(
        rs.factors[["review_id", "episode_id", "factor_code", "polarity", "coder"]]
        .astype(object)
        .itertuples(index=False, name=None)
    )
    # A factor coded without a polarity child takes the contract's default, problematic.
    assert factors == [(r, e, c, p or "problematic", u) for r, e, c, p, u in EXPECTED["factors"]]
    findings = list(
        rs.findings[["review_id", "finding_id", "category", "summary", "title"]]
        .astype(object)
        .itertuples(index=False, name=None)
    )
    assert findings == EXPECTED["findings"]
    taxonomy = list(
        rs.taxonomy[["factor_code", "label", "level", "scie_category"]]
        .astype(object)
        .itertuples(index=False, name=None)
    )
    assert taxonomy == EXPECTED["taxonomy"]
    assert rs.taxonomy.loc[0, "description"] == "Too many cases."


def test_both_layouts_import_to_the_same_set(tmp_path):
    maxqda = read_qdpx(build(tmp_path / "m.qdpx", "maxqda"))
    qualcoder = read_qdpx(build(tmp_path / "q.qdpx", "qualcoder"))
    assert maxqda.equals(qualcoder)


def test_import_writes_a_review_set_folder(tmp_path):
    out = tmp_path / "set"
    rs = import_qdpx(build(tmp_path / "m.qdpx", "maxqda"), out)
    assert sce.load(out).equals(rs)
    assert sorted(p.name for p in out.iterdir() if p.suffix == ".csv") == [
        "episodes.csv",
        "factors.csv",
        "findings.csv",
        "reviews.csv",
        "taxonomy.csv",
    ]


def test_a_given_taxonomy_matches_codes_by_code_then_label(tmp_path):
    taxonomy = pd.DataFrame(
        {
            "factor_code": ["work_caseload", "fam_accounts", "Delayed referral"],
            "label": ["High caseloads", "Accepting parents' accounts", "Referral made late"],
        }
    )
    rs = read_qdpx(build(tmp_path / "m.qdpx", "maxqda"), taxonomy=taxonomy)
    assert rs.factors["factor_code"].tolist() == ["work_caseload", "work_caseload", "fam_accounts", "Delayed referral"]


# ----------------------------------------------------------------------------------- problems, by place


def _edited(tmp_path, style="maxqda", *, qde=lambda q: q, members=lambda m: m) -> Path:
    text, files = project_files(style)
    return write_archive(tmp_path / "edited.qdpx", qde(text), members(files))


def _selection_xml(review: str, start: int, end: int, code_guid: str, user_guid: str) -> str:
    return (
        f'<PlainTextSelection guid="00000999-0000-4000-8000-000000000999" startPosition="{start}" '
        f'endPosition="{end}"><Coding guid="00000998-0000-4000-8000-000000000998" creatingUser="{user_guid}">'
        f'<CodeRef targetGUID="{code_guid}"/></Coding></PlainTextSelection>'
    )


def test_a_factor_coded_outside_any_episode_is_named_by_its_characters(tmp_path):
    start = TEXTS["Kelmscote-2019"].index("Child K")
    extra = _selection_xml(
        "Kelmscote-2019",
        start,
        start + 7,
        "00000017-0000-4000-8000-000000000017",
        "00000001-0000-4000-8000-000000000001",
    )
    path = _edited(tmp_path, qde=lambda q: q.replace("<PlainTextSelection", extra + "<PlainTextSelection", 1))
    problems = _problems(lambda: read_qdpx(path))
    assert problems == [
        f"Kelmscote-2019 › characters {start:,}–{start + 7:,} › factor 'High caseloads': coded outside any key "
        "practice episode. Fix: code it inside the episode it shaped, or code the episode."
    ]


def test_a_variable_that_is_not_a_year(tmp_path):
    path = _edited(
        tmp_path, qde=lambda q: q.replace("<IntegerValue>2019</IntegerValue>", "<IntegerValue>20l9</IntegerValue>")
    )
    problems = _problems(lambda: read_qdpx(path))
    assert problems == [
        "Kelmscote-2019 › variable 'Year' = '20l9' (year): not a year. Fix: give the year the review was completed, "
        "such as 2019."
    ]


def test_codes_that_match_no_taxonomy_entry(tmp_path):
    taxonomy = pd.DataFrame({"factor_code": ["work_caseload"], "label": ["High caseloads"]})
    problems = _problems(lambda: read_qdpx(build(tmp_path / "m.qdpx", "maxqda"), taxonomy=taxonomy))
    assert [p.split(":")[0] for p in problems] == [
        "codebook › code 'Accepting parents' accounts'",
        "codebook › code 'Delayed referral'",
    ]
    assert all("matches no factor_code or label of the taxonomy" in p for p in problems)


def test_a_selection_past_the_end_of_its_text(tmp_path):
    start, end = span(("Pellbridge-2021", "three weeks after"))
    length = len(TEXTS["Pellbridge-2021"])
    path = _edited(
        tmp_path,
        qde=lambda q: q.replace(
            f'startPosition="{start}" endPosition="{end}"', f'startPosition="{start}" endPosition="{length + 40}"'
        ),
    )
    problems = _problems(lambda: read_qdpx(path))
    assert problems == [
        f"Pellbridge-2021 › characters {start:,}–{length + 40:,}: the selection ends past the end of its text "
        f"({length:,} characters). Fix: export the project again, with the source's text as it was coded."
    ]


def test_a_missing_source_file(tmp_path):
    path = _edited(tmp_path, members=lambda m: {k: v for k, v in m.items() if "0000003C" not in k})
    problems = _problems(lambda: read_qdpx(path))
    assert problems == [
        "Kelmscote-2019: the source refers to internal://0000003C-0000-4000-8000-00000000003C.txt, which the archive "
        "does not hold. Fix: export the project again from the QDA program (File › Export › REFI-QDA Project)."
    ]


def test_two_sources_with_the_same_review_id(tmp_path):
    path = _edited(tmp_path, qde=lambda q: q.replace('name="Pellbridge-2021.docx"', 'name="Kelmscote-2019.txt"'))
    problems = _problems(lambda: read_qdpx(path))
    assert problems == [
        "Kelmscote-2019: two sources have the same review id ('Kelmscote-2019.docx' and 'Kelmscote-2019.txt'). "
        "Fix: rename one of them in the project."
    ]


def test_every_problem_is_found_in_one_pass(tmp_path):
    def edit(q: str) -> str:
        q = q.replace("<IntegerValue>2019</IntegerValue>", "<IntegerValue>20l9</IntegerValue>")
        return q.replace('name="Pellbridge-2021.docx"', 'name="Kelmscote-2019.txt"')

    problems = _problems(lambda: read_qdpx(_edited(tmp_path, qde=edit)))
    assert len(problems) == 2
    assert problems[0].startswith("Kelmscote-2019 › variable 'Year' = '20l9'")
    assert problems[1].startswith("Kelmscote-2019: two sources have the same review id")


def test_text_kept_outside_the_project_is_reported_not_followed(tmp_path):
    def edit(q: str) -> str:
        q = q.replace("internal://0000003C-0000-4000-8000-00000000003C.txt", "http://127.0.0.1:9/steal.txt")
        return q.replace("internal://0000003D-0000-4000-8000-00000000003D.txt", "absolute:///etc/passwd")

    problems = _problems(lambda: read_qdpx(_edited(tmp_path, qde=edit)))
    assert [p.split(":")[0] for p in problems] == ["Kelmscote-2019", "Pellbridge-2021"]
    assert (
        "keeps its text outside the project (http://127.0.0.1:9/steal.txt); it was not opened or fetched" in problems[0]
    )
    assert "(absolute:///etc/passwd); it was not opened or fetched" in problems[1]


def test_a_project_without_the_factors_root_says_how_to_map_it(tmp_path):
    path = _edited(tmp_path, qde=lambda q: q.replace('name="Contributory factors"', 'name="Factors"'))
    problems = _problems(lambda: read_qdpx(path))
    assert problems[0].startswith("edited.qdpx: the codebook has no top-level code named 'Contributory factors'.")
    assert "--map" in problems[0]
    mapping = QdpxMap(factors_root="Factors")
    assert read_qdpx(path, mapping=mapping).equals(read_qdpx(build(tmp_path / "m.qdpx", "maxqda")))


# ----------------------------------------------------------------------------------- maps


def test_the_printed_map_reads_back_as_the_default(tmp_path):
    path = tmp_path / "map.yaml"
    path.write_text(map_yaml())
    assert read_map(path) == default_map()


def test_a_map_renames_roots_and_variables(tmp_path):
    def edit(q: str) -> str:
        q = q.replace('name="Contributory factors"', 'name="Factors that shaped practice"')
        return q.replace('name="Area"', 'name="Local authority"')

    path = _edited(tmp_path, qde=edit)
    map_file = tmp_path / "map.yaml"
    map_file.write_text(
        "codes:\n  contributory_factors: Factors that shaped practice\nvariables:\n  area: [Local authority, LA]\n"
    )
    assert read_qdpx(path, mapping=map_file).equals(read_qdpx(build(tmp_path / "m.qdpx", "maxqda")))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("codes:\n  findings: F\n  kpes: K\n", r"map\.yaml, line 3: unknown code key 'kpes'"),
        ("variables:\n  district: D\n", r"map\.yaml, line 2: 'district' is not a review column"),
        ("codes:\n  findings: [A, B]\n", r"map\.yaml, line 2: findings names one top-level code"),
        ("a: &x [1]\nb: *x\n", r"line 2, column 4: the alias '\*x' is refused"),
    ],
)
def test_a_wrong_map_is_refused_with_its_line(tmp_path, text, message):
    path = tmp_path / "map.yaml"
    path.write_text(text)
    with pytest.raises(ParameterError, match=message):
        read_map(path)


# ----------------------------------------------------------------------------------- hostile archives


def _refused(tmp_path, path: Path, pattern: str) -> None:
    out = tmp_path / "out"
    problems = _problems(lambda: import_qdpx(path, out))
    assert len(problems) == 1 and re.search(pattern, problems[0]), problems
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out")]


def test_a_zip_slip_entry_is_refused(tmp_path):
    path = _edited(tmp_path, members=lambda m: {**m, "../../evil.txt": b"x"})
    _refused(tmp_path, path, r"edited\.qdpx: the member '\.\./\.\./evil\.txt' climbs out of the archive .*zip slip")


def test_an_absolute_member_path_is_refused(tmp_path):
    path = _edited(tmp_path, members=lambda m: {**m, "/etc/cron.d/evil": b"x"})
    _refused(tmp_path, path, r"the member '/etc/cron\.d/evil' is an absolute path")


def test_a_billion_laughs_entity_is_refused(tmp_path):
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE Project [<!ENTITY a "aaaaaaaaaa">'
        + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8))
        + ']><Project xmlns="urn:QDA-XML:project:1.0" name="&i;"/>'
    )
    _refused(
        tmp_path, write_archive(tmp_path / "bomb.qdpx", bomb), r"bomb\.qdpx › project\.qde: its XML declares entities"
    )


def test_an_over_large_member_is_refused_before_it_is_unpacked(tmp_path):
    text, members = project_files("maxqda")
    members["Sources/padding.txt"] = b" " * (8 * 2**20)
    _refused(
        tmp_path,
        write_archive(tmp_path / "large.qdpx", text, members),
        r"the member Sources/padding\.txt would decompress .* times",
    )


def test_a_truncated_zip_is_refused(tmp_path):
    whole = build(tmp_path / "whole.qdpx", "maxqda").read_bytes()
    path = tmp_path / "cut.qdpx"
    path.write_bytes(whole[: len(whole) // 2])
    _refused(tmp_path, path, r"cut\.qdpx: is not a complete zip archive")


def test_not_a_project_at_all(tmp_path):
    path = tmp_path / "notes.qdpx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    _refused(tmp_path, path, r"notes\.qdpx: holds no project\.qde")


def test_a_project_of_60000_selections_is_read_in_bounded_time_and_memory(tmp_path):
    text, members = project_files("qualcoder")
    kpe_code = "0000000b-0000-4000-8000-00000000000b"
    many = "".join(
        f'<PlainTextSelection guid="{n:08x}-1111-4000-8000-{n:012x}" startPosition="{n % 50}" '
        f'endPosition="{n % 50 + 9}"><Coding guid="{n:08x}-2222-4000-8000-{n:012x}">'
        f'<CodeRef targetGUID="{kpe_code}"/></Coding></PlainTextSelection>'
        for n in range(60_000)
    )
    text = text.replace("<PlainTextSelection", many + "<PlainTextSelection", 1)
    path = write_archive(tmp_path / "many.qdpx", text, members)
    code = f"from sce_analysis.exchange.qdpx_import import read_qdpx\nprint(len(read_qdpx({str(path)!r}).episodes))"
    outcome = bounded(code, timeout=120, memory_mib=2048)
    assert outcome.returncode == 0, outcome
    assert outcome.stdout.split() == [str(60_000 + 3)]


# ----------------------------------------------------------------------------------- the command line


def test_command_line_export_then_import(tmp_path, capsys):
    from sce_analysis.cli import main

    project = tmp_path / "sample.qdpx"
    assert main(["export-qdpx", str(ROOT / "data" / "sample"), str(project)]) == 0
    out = tmp_path / "set"
    taxonomy = str(ROOT / "data" / "sample" / "taxonomy.csv")
    assert main(["import-qdpx", str(project), "--out", str(out), "--taxonomy", taxonomy]) == 0
    assert sce.load(out).equals(sce.load(ROOT / "data" / "sample"))
    assert "80 reviews" in capsys.readouterr().out


def test_command_line_lists_problems_and_writes_nothing(tmp_path, capsys):
    from sce_analysis.cli import main

    path = _edited(
        tmp_path, qde=lambda q: q.replace("<IntegerValue>2019</IntegerValue>", "<IntegerValue>20l9</IntegerValue>")
    )
    out = tmp_path / "set"
    assert main(["import-qdpx", str(path), "--out", str(out)]) == 1
    printed = capsys.readouterr().out
    assert "1 problem found" in printed
    assert "Kelmscote-2019 › variable 'Year' = '20l9'" in printed
    assert f"Nothing was written to {out}." in printed
    assert not out.exists()


def test_command_line_prints_the_default_map(tmp_path, capsys):
    from sce_analysis.cli import main

    assert main(["import-qdpx", "--print-map"]) == 0
    path = tmp_path / "map.yaml"
    path.write_text(capsys.readouterr().out)
    assert read_map(path) == default_map()


# ----------------------------------------------------------------------------------- smaller rules


def test_a_pdf_is_read_through_its_text_representation(tmp_path):
    def as_pdf(q: str) -> str:
        # Pellbridge as ATLAS.ti writes a coded PDF: the text and its selections in a Representation.
        start = q.index('<TextSource guid="0000003D')
        end = q.index("</TextSource>", start) + len("</TextSource>")
        text_source = q[start:end].replace('name="Pellbridge-2021.docx"', "")
        pdf = (
            '<PDFSource guid="0000009D-0000-4000-8000-00000000009D" name="Pellbridge-2021.pdf" path="internal://p.pdf">'
            f"{text_source.replace('<TextSource', '<Representation').replace('</TextSource>', '</Representation>')}"
            "</PDFSource>"
        )
        return q[:start] + pdf + q[end:]

    # The case refers to the PDF; its variables follow it.
    text, pdf = "0000003D-0000-4000-8000-00000000003D", "0000009D-0000-4000-8000-00000000009D"
    path = _edited(
        tmp_path, qde=lambda q: as_pdf(q).replace(f'SourceRef targetGUID="{text}"', f'SourceRef targetGUID="{pdf}"')
    )
    assert read_qdpx(path).equals(read_qdpx(build(tmp_path / "m.qdpx", "maxqda")))


def test_a_group_of_factors_coded_on_text_is_a_problem(tmp_path):
    # "Frontline" is a level group; coding it instead of a factor is a slip the import names.
    caseloads, frontline = "00000017-0000-4000-8000-000000000017", "00000015-0000-4000-8000-000000000015"
    path = _edited(tmp_path, qde=lambda q: q.replace(f'targetGUID="{caseloads}"', f'targetGUID="{frontline}"', 1))
    start, end = span(("Kelmscote-2019", "held by telephone"))
    problems = _problems(lambda: read_qdpx(path))
    assert problems[0] == (
        f"Kelmscote-2019 › characters {start:,}–{end:,} › code 'Frontline': is a group of factors, not a factor. "
        "Fix: code the selection with one of the factors under it."
    )


def test_one_factor_coded_twice_differently_by_one_coder_is_a_problem(tmp_path):
    # Ann codes "Accepting parents' accounts" as good and, later in the same KPE, as problematic: the later is named.
    start, end = span(("Kelmscote-2019", "saw the baby at home"))
    extra = _selection_xml(
        "Kelmscote-2019", start, end, "0000001A-0000-4000-8000-00000000001A", "00000001-0000-4000-8000-000000000001"
    )
    path = _edited(tmp_path, qde=lambda q: q.replace("</TextSource>", extra + "</TextSource>", 1))
    problems = _problems(lambda: read_qdpx(path))
    later, end = span(("Kelmscote-2019", "accepted the mother's account"))
    assert problems == [
        f"Kelmscote-2019 › characters {later:,}–{end:,} › factor 'Accepting parents' accounts' (problematic): coded "
        "twice on KPE 'E2' by Ann, differently (polarity, agency or note). Fix: keep one of the two codings."
    ]


def test_agencies_notes_and_descriptions_round_trip(sample, tmp_path):
    rs = sample.filter(areas="Ravensholt")
    factors = rs.factors.copy()
    factors.loc[0, "note"] = "Seen in the chronology,\nand in the practitioners' event."
    episodes = rs.episodes.copy()
    episodes.loc[0, "title"] = "title: a title that looks like a field"
    episodes.loc[1, "summary"] = pd.NA
    changed = sce.from_frames(rs.reviews, episodes, factors, rs.findings, rs.taxonomy)
    back = read_qdpx(write_qdpx(changed, tmp_path / "r.qdpx"), taxonomy=changed)
    for name in ("reviews", "episodes", "factors", "findings"):
        pd.testing.assert_frame_equal(getattr(back, name), getattr(changed, name), obj=name)


def test_a_free_description_is_the_title(tmp_path):
    path = _edited(
        tmp_path,
        qde=lambda q: q.replace(
            "<Description>Accounts taken at face value</Description>",
            "<Description>Accounts taken at face value\nseen again in two later reviews</Description>",
        ),
    )
    rs = read_qdpx(path)
    assert rs.findings.loc[0, "title"] == "Accounts taken at face value\nseen again in two later reviews"


def test_a_killed_export_leaves_no_half_file_and_its_leftover_is_removed_next_time(sample, tmp_path, capsys):
    import subprocess
    import sys

    finished = subprocess.Popen([sys.executable, "-c", "pass"])
    finished.wait()
    leftover = tmp_path / f".r.qdpx.staging-{finished.pid}-k1l2.tmp"
    leftover.write_bytes(b"PK\x03\x04 half a project")
    other = tmp_path / f".other.qdpx.staging-{finished.pid}-k1l2.tmp"  # another file's: not this write's to remove
    other.write_bytes(b"PK")
    path = write_qdpx(sample.filter(areas="Ravensholt"), tmp_path / "r.qdpx")
    assert not leftover.exists() and other.exists()
    assert f"removed {leftover}, left by a write (pid {finished.pid})" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == [other.name, path.name]
