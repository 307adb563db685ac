"""The report runner: parameters checked before any kernel, data validated first, failures contained."""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest
from conftest import CLEAN, ROOT, SAMPLE, write_set

import sce_analysis as sce
from sce_analysis.cli import build_parser, main
from sce_analysis.reports import ReportResult, SweepResult, report, runner, sweep
from sce_analysis.reports.parameters import CORE_PARAMETERS, cast_value, read_parameters


@pytest.fixture
def no_kernel(monkeypatch):
    """Fail the test if any notebook would be executed."""

    def refuse(task, **_):
        raise AssertionError(f"a kernel was started for {task.notebook}")

    monkeypatch.setattr(runner, "_run_task", refuse)


# --------------------------------------------------------------------------- declarations


def test_every_notebook_declares_the_core_parameters_with_the_same_types():
    suite = runner.notebooks()
    assert list(suite) == [
        "01-overview",
        "02-recurring-factors",
        "03-factor-network",
        "04-sequences",
        "05-findings",
        "06-trends-and-groups",
    ]
    reference = read_parameters(suite["01-overview"])
    assert list(reference)[: len(CORE_PARAMETERS)] == list(CORE_PARAMETERS)
    for path in suite.values():
        declared = read_parameters(path)
        for name in CORE_PARAMETERS:
            assert declared[name].type == reference[name].type, (path.name, name)
            assert declared[name].default == reference[name].default, (path.name, name)
        assert all(p.help for p in declared.values()), path.name


def test_notebooks_are_committed_without_outputs_and_paired():
    for path in runner.notebooks().values():
        nb = nbformat.read(path, as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert all(not c.outputs and c.execution_count is None for c in code), path.name
        assert path.with_suffix(".py").exists(), f"{path.name} has no paired py:percent file"
        tags = [c.metadata.get("tags", []) for c in code]
        assert sum("parameters" in t for t in tags) == 1


def test_read_parameters_rejects_a_bad_declaration(tmp_path):
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("alpha = 0.05  # no annotation")
    cell.metadata["tags"] = ["parameters"]
    nb.cells.append(cell)
    path = tmp_path / "01-bad.ipynb"
    nbformat.write(nb, path)
    with pytest.raises(sce.ParameterError, match="name: type = value"):
        read_parameters(path)


# --------------------------------------------------------------------------- casting


@pytest.mark.parametrize(
    "kind, given, expected",
    [
        ("str", "007", "007"),
        ("str", "NO", "NO"),
        ("int", "7", 7),
        ("float", "0.01", 0.01),
        ("bool", "NO", False),
        ("bool", "true", True),
        ("list", "North West, Midlands", ["North West", "Midlands"]),
        ("list", ["2015", "2020"], [2015, 2020]),
        ("list", ["007"], ["007"]),
        ("list", "", []),
    ],
)
def test_cast_value(kind, given, expected):
    assert cast_value("x", kind, given) == expected


@pytest.mark.parametrize("kind, given", [("int", "seven"), ("int", "1.5"), ("float", "abc"), ("bool", "maybe")])
def test_cast_value_rejects(kind, given):
    with pytest.raises(sce.ParameterError, match="parameter x must be"):
        cast_value("x", kind, given)


def test_yaml_values_are_not_guessed(tmp_path):
    path = tmp_path / "params.yaml"
    path.write_text("group: 007\nregions:\n  - North West\n  - NO\npublication: yes\n", encoding="utf-8")
    values = runner.read_yaml_parameters(path)
    declared = runner.declared_parameters(runner.select_notebooks("06"))
    resolved = runner.resolve_parameters(declared, {**values, "data_dir": str(SAMPLE)})["06-trends-and-groups"]
    assert resolved["group"] == "007"
    assert resolved["regions"] == ["North West", "NO"]
    assert resolved["publication"] is True


# --------------------------------------------------------------------------- errors before any kernel


@pytest.mark.parametrize(
    "arguments, message",
    [
        (["-p", "alpah", "0.1"], "unknown parameter alpah"),
        (["-p", "min_count", "many"], "min_count must be a int"),
        (["-p", "alpha", "2"], "alpha must be between 0 and 1"),
        (["-p", "unit", "case"], "unit must be 'review' or 'episode'"),
        (["-p", "years", "2020,2015"], "comes after"),
        (["-p", "regions", "Atlantis"], "not a region of this review set"),
        (["--notebooks", "09"], "no notebook '09'"),
        (["--jobs", "0"], "--jobs must be at least 1"),
    ],
)
def test_parameter_errors_exit_2_without_a_kernel(no_kernel, tmp_path, capsys, arguments, message):
    status = main(["report", "--data", str(SAMPLE), "--out", str(tmp_path / "out"), *arguments])
    assert status == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_unknown_parameter_lists_the_valid_ones(no_kernel, tmp_path, capsys):
    assert main(["report", "--out", str(tmp_path / "o"), "--notebooks", "04", "-p", "top_n", "3"]) == 2
    err = capsys.readouterr().err
    assert "lag (int)" in err and "permutations (int)" in err and "sce-analysis params" in err


def test_invalid_data_prints_the_problems_and_exits_1(no_kernel, tmp_path, capsys):
    bad = write_set(tmp_path / "bad", {**CLEAN, "reviews.csv": CLEAN["reviews.csv"].replace("2019", "20l9")})
    assert main(["report", "--data", str(bad), "--out", str(tmp_path / "out")]) == 1
    out = capsys.readouterr()
    assert "'20l9' is not a year" in out.out and "Traceback" not in out.err
    assert not (tmp_path / "out").exists()


def test_existing_folder_is_not_overwritten_without_the_flag(no_kernel, tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "my-notes.txt").write_text("mine")
    assert main(["report", "--out", str(out)]) == 2
    assert "--overwrite" in capsys.readouterr().err
    # Without a manifest the folder is not a report: even --overwrite refuses.
    assert main(["report", "--out", str(out), "--overwrite"]) == 2
    assert (out / "my-notes.txt").read_text() == "mine"


def test_report_and_sweep_are_public_in_reports_but_not_at_the_top():
    assert {"report", "sweep", "ReportResult", "SweepResult"} <= set(sce.reports.__all__)
    assert not {"report", "sweep"} & set(sce.__all__)


@pytest.mark.parametrize(
    "options, message",
    [
        ({"parameters": {"alpah": 0.1}}, "unknown parameter alpah"),
        ({"parameters": {"alpha": "2"}}, "alpha must be between 0 and 1"),
        ({"parameters": {"data_dir": "elsewhere"}}, "give data_dir as the argument data_dir"),
        ({"parameters": {"regions": ["Atlantis"]}}, "not a region of this review set"),
        ({"notebooks": ["01", "09"]}, "no notebook '09'"),
        ({"jobs": 0}, "--jobs must be at least 1"),
    ],
)
def test_report_raises_before_any_kernel_and_prints_nothing(no_kernel, tmp_path, capsys, options, message):
    with pytest.raises(sce.ParameterError, match=message):
        report(SAMPLE, tmp_path / "out", **options)
    assert capsys.readouterr() == ("", "")
    assert not (tmp_path / "out").exists()


def test_report_and_sweep_raise_data_problems_with_the_folder(no_kernel, tmp_path, capsys):
    bad = write_set(tmp_path / "bad", {**CLEAN, "reviews.csv": CLEAN["reviews.csv"].replace("2019", "20l9")})
    for call in (lambda: report(bad, tmp_path / "out"), lambda: sweep(bad, "region", tmp_path / "out")):
        with pytest.raises(sce.DataValidationError) as caught:
            call()
        assert caught.value.folder == str(bad.resolve())
        assert [(p.file, p.line, p.column) for p in caught.value.problems] == [("reviews.csv", 3, "year")]
    assert capsys.readouterr() == ("", "")
    assert not (tmp_path / "out").exists()


def test_sweep_refuses_an_unknown_column(no_kernel, tmp_path):
    with pytest.raises(sce.ParameterError, match="--by must be one of region, area, review_type, year; not 'town'"):
        sweep(SAMPLE, "town", tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_results_say_which_notebooks_failed(tmp_path):
    error = {"cell": 3, "execution_count": 4, "error": "RuntimeError", "message": "planted failure"}
    manifest = {
        "notebooks": [
            {"notebook": "01-overview", "status": "ok", "seconds": 1.0},
            {"notebook": "02-broken", "status": "failed", "seconds": 0.5, "error": error},
        ]
    }
    failed, fine = ReportResult(tmp_path / "a", manifest), ReportResult(tmp_path / "b", {"notebooks": []})
    assert failed.statuses == {"01-overview": "ok", "02-broken": "failed"}
    assert [entry["notebook"] for entry in failed.failed] == ["02-broken"] and not failed.ok
    assert failed.index == tmp_path / "a" / "index.html" and fine.ok
    swept = SweepResult(tmp_path, "year", {2015: fine, 2016: failed})
    assert list(swept.failed) == [2016] and not swept.ok and swept.index == tmp_path / "index.html"
    assert SweepResult(tmp_path, "year", {2015: fine}).ok


def test_a_full_disk_while_starting_or_finishing_a_report_says_what_is_kept(tmp_path, monkeypatch):
    import errno

    from sce_analysis.errors import OutputError

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    out = tmp_path / "out"
    selected = runner.select_notebooks("01")
    plan = runner.plan_report(selected, {name: {"data_dir": str(SAMPLE)} for name in selected}, out)
    plan.started = runner.now()
    incomplete = f"the report in {out} is not complete (its manifest.json says what failed)"
    with monkeypatch.context() as patch:
        patch.setattr(runner, "_write_json", full)
        with pytest.raises(OutputError) as starting:
            runner.start_report(plan)
    assert str(starting.value).startswith(f"the disk is full while writing {out / 'manifest.json'}: {incomplete}")
    runner.start_report(plan)
    monkeypatch.setattr(runner, "export_html", full)
    with pytest.raises(OutputError) as finishing:
        runner.finish(plan, ended=runner.now())
    html = out / "html" / "01-overview.html"
    assert str(finishing.value).startswith(f"the disk is full while writing {html}: {incomplete}")
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "failed" and manifest["failure"]["file"] == "html/01-overview.html"
    assert manifest["briefing"]["status"] == "skipped" and manifest["outputs"] == ["index.html"]
    assert not (out / "index.html").exists()


def test_params_command_lists_parameters(capsys):
    assert main(["params", "04"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("04-sequences")
    assert "permutations" in out and "int" in out and "false-discovery rate" in out


# --------------------------------------------------------------------------- real runs


def _failing_suite(folder: Path) -> Path:
    """A suite of two notebooks: the shipped overview, and one that fails in its third cell."""
    folder.mkdir()
    shutil.copy(runner.notebooks()["01-overview"], folder / "01-overview.ipynb")
    nb = nbformat.read(runner.notebooks()["01-overview"], as_version=4)
    parameters = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    broken = nbformat.v4.new_notebook(metadata=nb.metadata)
    broken.cells = [
        nbformat.v4.new_code_cell("import sce_analysis as sce"),
        parameters,
        nbformat.v4.new_code_cell("raise RuntimeError('planted failure')"),
        nbformat.v4.new_code_cell("print('never reached')"),
    ]
    nbformat.write(broken, folder / "02-broken.ipynb")
    return folder


def test_a_failing_notebook_does_not_stop_the_others(tmp_path, capsys):
    suite = _failing_suite(tmp_path / "suite")
    out = tmp_path / "out"
    status = main(["report", "--notebook-dir", str(suite), "--out", str(out), "--jobs", "2"])
    assert status == 1
    manifest = json.loads((out / "manifest.json").read_text())
    states = {n["notebook"]: n for n in manifest["notebooks"]}
    assert states["01-overview"]["status"] == "ok"
    assert states["02-broken"]["status"] == "failed"
    assert states["02-broken"]["error"] == {
        "cell": 3,  # as the user counts cells in the notebook (papermill's injected cell is not counted)
        "execution_count": 4,
        "error": "RuntimeError",
        "message": "planted failure",
    }
    # What finished is kept: the overview's tables, and the failed notebook with its error.
    assert (out / "tables" / "data_summary.csv").exists()
    assert (out / "notebooks" / "02-broken.ipynb").exists()
    assert "FAILED 02-broken at cell 3: RuntimeError: planted failure" in capsys.readouterr().err
    assert "FAILED" in (out / "index.html").read_text()


def test_overwrite_replaces_only_the_report(tmp_path):
    out = tmp_path / "out"
    progress = []
    result = report(SAMPLE, out, notebooks="01", parameters={"regions": "Midlands"}, log=progress.append)
    assert result.ok and result.statuses == {"01-overview": "ok"} and result.index == out / "index.html"
    assert result.manifest == json.loads((out / "manifest.json").read_text())
    assert progress[0].startswith("1 notebook(s) on 16 reviews from") and progress[-1].startswith("01-overview: done")
    (out / "my-notes.txt").write_text("mine")
    (out / "tables" / "my-extra.csv").write_text("a\n1\n")
    assert main(["report", "--notebooks", "01", "--out", str(out)]) == 2
    assert main(["report", "--notebooks", "01", "--out", str(out), "--overwrite"]) == 0
    assert (out / "my-notes.txt").read_text() == "mine"
    assert (out / "tables" / "my-extra.csv").exists()
    summary = (out / "tables" / "data_summary.csv").read_text().splitlines()
    sample = sce.load(SAMPLE).reviews
    assert summary[1] == f"reviews,{len(sample)},{sample['area'].nunique()}"  # count, areas behind it


def test_sweep_by_region_gives_one_report_per_region(tmp_path):
    out = tmp_path / "sweep"
    assert main(["sweep", "--by", "region", "--notebooks", "01", "--out", str(out), "--jobs", "2"]) == 0
    rs = sce.load(SAMPLE)
    expected = rs.reviews["region"].value_counts()
    areas = rs.reviews.groupby("region")["area"].nunique()
    folders = sorted(p for p in out.iterdir() if p.is_dir())
    assert [p.name for p in folders] == sorted(runner.slug(r) for r in expected.index)
    for region, count in expected.items():
        lines = (out / runner.slug(region) / "tables" / "data_summary.csv").read_text().splitlines()
        assert lines[1] == f"reviews,{count},{areas[region]}"
        manifest = json.loads((out / runner.slug(region) / "manifest.json").read_text())
        assert manifest["parameters"]["regions"] == [region]
    index = (out / "index.html").read_text()
    assert all(region in index for region in expected.index)


def test_make_report_runs_the_report_command_on_the_sample():
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    shown = subprocess.run(["make", "-n", "report"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    program, *arguments = shlex.split(next(line for line in shown.splitlines() if "sce-analysis" in line))
    assert Path(program).name == "sce-analysis"
    args = build_parser().parse_args(arguments)  # an option the command does not know would exit 2 here
    assert (args.command, args.data, args.out, args.overwrite) == ("report", "data/sample", "reports/sample", True)


def test_prepare_out_refuses_a_file_by_itself(tmp_path):
    # The report checks --out before it locks it; prepare_out, public, checks it too (no raw FileExistsError).
    from sce_analysis.reports.runner import prepare_out

    path = tmp_path / "notes.txt"
    path.write_text("mine")
    with pytest.raises(sce.ParameterError, match=r"is a file, not a folder"):
        prepare_out(path, overwrite=True)
    assert path.read_text() == "mine"
