"""The set-up files agree with each other, and the README keeps its promises."""

from __future__ import annotations

import re
import shutil
import subprocess
import tomllib

import pytest
from conftest import ROOT


def requirement_names(lines):
    names = {}
    for line in lines:
        line = line.split("#")[0].strip()
        if line and not line.startswith("-"):
            name, _, version = line.partition("==")
            names[re.sub(r"[-_.]+", "-", name.lower())] = version
    return names


def test_requirements_are_pinned_and_cover_pyproject():
    pinned = requirement_names((ROOT / "requirements.txt").read_text().splitlines())
    assert pinned and all(pinned.values()), "every requirement is pinned with =="
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = project["dependencies"] + project["optional-dependencies"]["test"]
    names = {re.sub(r"[-_.]+", "-", re.split(r"[<>=!~\[ ]", spec)[0].lower()) for spec in wanted}
    assert names == set(pinned)


def test_environment_yml_installs_the_same_requirements():
    text = (ROOT / "environment.yml").read_text()
    pip_section = text.split("- pip:")[1]
    assert "-r requirements.txt" in pip_section and "-e ." in pip_section
    python = re.search(r"- python=(\d+\.\d+)", text).group(1)
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert requires == f">={python}"
    # Conda installs only Python and pip; every other package comes from requirements.txt, so the
    # two routes cannot drift apart.
    conda_packages = re.findall(r"^  - (\S+)$", text.split("dependencies:")[1].split("- pip:")[0], flags=re.M)
    assert conda_packages == [f"python={python}", "pip"]


def test_readme_starts_with_the_two_commands():
    text = (ROOT / "README.md").read_text()
    commands = re.findall(r"^make (\w+)", text, flags=re.M)
    assert commands[:2] == ["report", "test"]


def test_ci_runs_the_readme_test_command():
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def make(*arguments: str) -> str:
    """What ``make`` prints in the repository (``-n``: the commands it would run, without running them)."""
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    result = subprocess.run(
        ["make", "--no-print-directory", *arguments], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return result.stdout


def test_make_and_make_help_list_every_target_with_what_it_does():
    listed = dict(re.findall(r"^  make (\S+)\s+(.+)$", make("-s", "help"), flags=re.M))
    assert set(listed) >= {
        "help",
        "install",
        "report",
        "validate",
        "test",
        "lint",
        "format",
        "sample",
        "bench",
        "clean",
    }
    assert all(len(text.split()) >= 3 for text in listed.values()), listed
    assert make("-s") == make("-s", "help")  # `make` alone shows the help


def test_make_test_runs_the_linter_then_the_layer_contracts_then_the_tests():
    commands = make("-n", "test").splitlines()

    def position(tool: str) -> int:
        return next(i for i, line in enumerate(commands) if tool in line)

    steps = ["ruff check sce_analysis tests benchmarks", "ruff format --check", "lint-imports", "python -m pytest"]
    assert [position(step) for step in steps] == sorted(position(step) for step in steps)
    assert commands[-1].endswith("python -m pytest")


def test_make_bench_times_the_start_up_too():
    scripts = re.findall(r"python (benchmarks/\S+\.py)", make("-n", "bench"))
    assert "benchmarks/bench_import.py" in scripts
    assert all((ROOT / script).exists() for script in scripts), scripts


def test_notebooks_are_paired_with_their_py_files_and_have_no_outputs():
    import jupytext
    import nbformat

    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
    assert len(notebooks) >= 7
    for path in notebooks:
        stored = nbformat.read(path, as_version=4)
        paired = jupytext.read(path.with_suffix(".py"))
        sources = [(c.cell_type, c.source.strip()) for c in stored.cells]
        assert sources == [(c.cell_type, c.source.strip()) for c in paired.cells], f"{path.name}: run jupytext --sync"
        for cell in stored.cells:
            if cell.cell_type == "code":
                assert cell.outputs == [] and cell.execution_count is None, f"{path.name}: strip outputs"
