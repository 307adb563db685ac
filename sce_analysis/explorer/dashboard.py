"""The explorer as a code-free dashboard: the explorer notebook served by Voila on 127.0.0.1 only.

``sce-analysis dashboard`` writes a copy of ``notebooks/10-explorer.ipynb`` with its parameters set
(:func:`dashboard_notebook`) into a temporary folder and serves it with Voila
(:func:`voila_command`), bound to the loopback address, with sources stripped and tracebacks off.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from ..errors import ParameterError
from ..publish.disclosure import DEFAULT_MIN_AREAS, DEFAULT_THRESHOLD
from ..publish.policy import Policy
from ..reports.parameters import read_parameters
from ..reports.runner import NOTEBOOK_DIR

__all__ = ["EXPLORER_NOTEBOOK", "dashboard_notebook", "voila_command", "serve_dashboard"]

#: The explorer notebook that the dashboard serves.
EXPLORER_NOTEBOOK = "10-explorer.ipynb"


def dashboard_notebook(
    data_dir,
    folder,
    *,
    publication: bool = False,
    suppress_below: int = DEFAULT_THRESHOLD,
    min_areas: int = DEFAULT_MIN_AREAS,
    notebook=None,
) -> Path:
    """Write a copy of the explorer notebook into ``folder`` with its parameters set, for Voila to serve.

    The values go into a cell tagged ``injected-parameters`` after the ``parameters`` cell (as
    papermill does); ``data_dir`` is made absolute, so the copy runs from any folder.

    Returns
    -------
    Path
        The notebook written.
    """
    import nbformat

    source = Path(notebook) if notebook is not None else NOTEBOOK_DIR / EXPLORER_NOTEBOOK
    data_dir = Path(data_dir).resolve()
    if not data_dir.is_dir():
        raise ParameterError(f"data: {str(data_dir)!r} is not a folder; give the review-set folder with --data.")
    read_parameters(source)  # a malformed parameters cell fails here, before a server starts
    nb = nbformat.read(source, as_version=4)
    policy = Policy(publication=bool(publication), threshold=suppress_below, min_areas=min_areas)  # checks them
    values = {
        "data_dir": str(data_dir),
        "publication": policy.publication,
        "suppress_below": policy.threshold,
        "min_areas": policy.min_areas,
    }
    lines = "\n".join(f"{name} = {value!r}" for name, value in values.items())
    cell = nbformat.v4.new_code_cell(f"# Injected by sce-analysis dashboard\n{lines}")
    cell.metadata["tags"] = ["injected-parameters"]
    at = next(i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", []))
    nb.cells.insert(at + 1, cell)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / source.name
    nbformat.write(nb, target)
    return target


def voila_command(notebook, *, port: int) -> list[str]:
    """The command that serves ``notebook`` with Voila on 127.0.0.1 only, with no code shown."""
    return [
        sys.executable,
        "-m",
        "voila",
        str(notebook),
        f"--port={int(port)}",
        "--no-browser",
        "--Voila.ip=127.0.0.1",
        "--strip_sources=True",
        "--show_tracebacks=False",
    ]


def serve_dashboard(
    data_dir,
    *,
    port: int = 8866,
    publication: bool = False,
    suppress_below: int = DEFAULT_THRESHOLD,
    min_areas: int = DEFAULT_MIN_AREAS,
    stream=None,
) -> int:
    """Serve the explorer on ``data_dir`` as a code-free Voila dashboard on 127.0.0.1; print its URL.

    Runs until Voila stops or the user presses Ctrl-C; returns Voila's exit status (0 after Ctrl-C).
    """

    stream = stream if stream is not None else sys.stdout
    if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
        raise ParameterError(f"port must be a whole number from 1 to 65535, not {port!r}.")
    with tempfile.TemporaryDirectory(prefix="sce-dashboard-") as folder:
        notebook = dashboard_notebook(
            data_dir, folder, publication=publication, suppress_below=suppress_below, min_areas=min_areas
        )
        print(f"Dashboard: http://127.0.0.1:{port}/  (Ctrl-C stops it)", file=stream, flush=True)
        process = subprocess.Popen(voila_command(notebook, port=port), cwd=folder)
        try:
            return process.wait()
        except KeyboardInterrupt:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            return 0
