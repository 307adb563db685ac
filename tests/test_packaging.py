"""The set-up files agree with each other, and the README keeps its promises."""

from __future__ import annotations

import re
import tomllib

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


def test_makefile_targets_have_help():
    makefile = (ROOT / "Makefile").read_text()
    for target in ("help", "install", "report", "test", "bench", "sample"):
        assert re.search(rf"^{target}:.*## ", makefile, flags=re.M), target


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
