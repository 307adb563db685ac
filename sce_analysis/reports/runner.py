"""Run the notebook suite with parameters into a complete, reproducible report folder.

:func:`report` (``sce-analysis report``) and :func:`sweep` (``sce-analysis sweep``, one report per
region, area, year or review type) check the parameters against each notebook's declarations
and the data against the contract *before* any kernel starts, then execute the notebooks with
papermill on a real kernel (in parallel with ``jobs``), and write::

    index.html          landing page: scope, key numbers, links to everything
    notebooks/*.ipynb   executed notebooks
    html/*.html         the same without code, for boards and trainers
    tables/*.csv        stable names and columns, byte-identical for the same data and parameters
    figures/*.png, *.svg
    manifest.json       parameters, input fingerprint, versions, times, status of each notebook

A failing notebook does not stop the others; it is reported with its cell and error (and the
command exits 1). An existing non-empty folder is only replaced with ``--overwrite``, and even then
only the files a previous report wrote (listed in its manifest) are removed.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import re
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from ..errors import DataValidationError, ParameterError
from ..reviewsets.atomic import LOCK_NAME, FolderLock, disk_full, disk_full_error, fsync_file, is_disk_full
from ..reviewsets.read import read_checked
from ..yamlfiles import read_yaml
from .journal import JOURNAL_NAME, noted
from .pages import landing_page, sweep_page
from .parameters import Parameter, cast_value, check_core_values, in_scope, publication_policy, read_parameters

__all__ = [
    "report",
    "sweep",
    "ReportResult",
    "SweepResult",
    "describe_set",
    "NOTEBOOK_DIR",
    "notebooks",
    "plan_report",
    "execute",
    "Task",
    "ReportPlan",
]

#: Where the notebook suite lives: beside the package in a checkout.
NOTEBOOK_DIR = Path(__file__).resolve().parents[2] / "notebooks"
#: Parameters whose value is a folder: given relative to where the command runs.
PATH_PARAMETERS = ("data_dir", "out_dir")
#: Filter parameters per review column, for sweeps.
SWEEP_PARAMETER = {"region": "regions", "area": "areas", "review_type": "review_types", "year": "years"}
VERSIONED = ("sce_analysis", "pandas", "numpy", "scipy", "statsmodels", "networkx", "matplotlib", "papermill")


#: Report notebooks are numbered 01 to 09; 10 and above are interactive apps (the explorer),
#: which a report does not run.
REPORT_NOTEBOOKS = "0[1-9]-*.ipynb"


def notebooks(folder: Path | None = None) -> dict[str, Path]:
    """The notebooks of a suite by name (``01-overview`` ...), in order; the shipped suite by default."""
    folder = Path(folder) if folder is not None else NOTEBOOK_DIR
    return {path.stem: path for path in sorted(folder.glob(REPORT_NOTEBOOKS))}


def select_notebooks(spec: str | None, folder: Path | None = None) -> dict[str, Path]:
    """Notebooks chosen by ``--notebooks 01,03`` (numbers or full names); all when None."""
    available = notebooks(folder)
    if not available:
        raise ParameterError(f"no report notebook (01-name.ipynb to 09-name.ipynb) in {folder or NOTEBOOK_DIR}.")
    if not spec:
        return available
    chosen = {}
    for part in (p.strip() for p in spec.split(",") if p.strip()):
        matches = [name for name in available if name == part or name.split("-", 1)[0] == part.zfill(2)]
        if not matches:
            raise ParameterError(f"--notebooks: no notebook {part!r}. Available: {', '.join(available)}.")
        chosen.update({name: available[name] for name in matches})
    return dict(sorted(chosen.items()))


# ----------------------------------------------------------------------------------- parameters


def declared_parameters(selected: dict[str, Path]) -> dict[str, dict[str, Parameter]]:
    return {name: read_parameters(path) for name, path in selected.items()}


def resolve_parameters(declared: dict[str, dict[str, Parameter]], given: dict) -> dict[str, dict]:
    """Check names, cast values and check them; return the parameters each notebook receives.

    Raises
    ------
    ParameterError
        For an unknown name (listing the valid ones), a value of the wrong type, or an
        impossible value.
    """
    known: dict[str, Parameter] = {}
    for parameters in declared.values():
        for name, parameter in parameters.items():
            known.setdefault(name, parameter)
    unknown = sorted(set(given) - set(known))
    if unknown:
        listing = ", ".join(f"{p.name} ({p.type})" for p in known.values())
        raise ParameterError(
            f"unknown parameter{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}. "
            f"The selected notebooks take: {listing}. See `sce-analysis params`."
        )
    cast = {name: cast_value(name, known[name].type, value) for name, value in given.items()}
    cast = check_core_values(cast)
    for name, value in cast.items():
        if name in PATH_PARAMETERS:
            cast[name] = str(Path(value).resolve())
    # Each notebook gets every parameter it declares: the given value, or its own default.
    return {
        nb: {name: cast.get(name, parameter.default) for name, parameter in params.items()}
        for nb, params in declared.items()
    }


def read_yaml_parameters(path: str | Path) -> dict:
    """Parameters from a YAML file, read as untrusted input without guessing types (``NO`` stays text).

    See :func:`~sce_analysis.yamlfiles.read_yaml`: an oversized file or an alias is refused before
    anything is built.
    """
    values = read_yaml(path, what="parameter file")
    if values is None:
        return {}
    if not isinstance(values, dict):
        raise ParameterError(f"{path} must map parameter names to values.")
    return values


# ----------------------------------------------------------------------------------- the plan


@dataclass
class Task:
    """One notebook to execute."""

    notebook: str
    source: Path
    output: Path
    parameters: dict
    status: str = "pending"
    seconds: float = 0.0
    error: dict | None = None


@dataclass
class ReportPlan:
    """A report folder and the notebooks that fill it."""

    out: Path
    data_dir: Path
    parameters: dict
    tasks: list[Task] = field(default_factory=list)
    started: str = ""
    label: str = ""


def fingerprint(folder: Path) -> dict:
    """SHA-256 of every CSV of a review set, and one over all of them."""
    files = {}
    for path in sorted(folder.glob("*.csv")):
        files[path.name] = hashlib.sha256(path.read_bytes()).hexdigest()
    combined = hashlib.sha256("".join(f"{k}:{v}\n" for k, v in files.items()).encode()).hexdigest()
    return {"files": files, "sha256": combined}


def prepare_out(out: Path, *, overwrite: bool) -> None:
    """Make the output folder ready. Refuse a non-empty one unless ``overwrite``; then remove only
    what an earlier report wrote (its manifest, and the journal of one that was killed, list it), so
    nothing a user made is lost."""
    _refuse_file(out)
    if out.is_dir() and any(p.name != LOCK_NAME for p in out.iterdir()):
        manifest = _read_manifest(out)
        if not overwrite:
            unfinished = ""
            if manifest.get("status") == "running":
                unfinished = (
                    f" It holds a report that was stopped before it finished (started {manifest.get('started')})."
                )
            raise ParameterError(
                f"{out} already exists and is not empty.{unfinished} Choose another --out, or add --overwrite to "
                "replace the report in it (files you added there are kept)."
            )
        if not (out / "manifest.json").exists():
            raise ParameterError(
                f"{out} is not empty and holds no report (no manifest.json): refusing to overwrite what may be "
                "someone's files. Choose another --out."
            )
        _remove_report(out, manifest)
    out.mkdir(parents=True, exist_ok=True)


def _read_manifest(folder: Path) -> dict:
    try:
        return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _remove_report(folder: Path, manifest: dict) -> None:
    """Delete the files a report (or a sweep, group by group) wrote into ``folder``, as its ``manifest``
    (and journal) list them, and nothing else."""
    inside = folder.resolve()
    for group in manifest.get("groups", []):
        sub = (folder / group["folder"]).resolve()
        if inside in sub.parents and sub.is_dir():
            _remove_report(sub, _read_manifest(sub))
            if not any(sub.iterdir()):
                sub.rmdir()
    for relative in [*manifest.get("outputs", []), *noted(folder)]:
        target = (folder / relative).resolve()
        if inside in target.parents and target.is_file():
            target.unlink()
    for sub in ("notebooks", "html", "tables", "figures"):
        if (folder / sub).is_dir():
            for path in sorted((folder / sub).rglob("*"), reverse=True):
                if path.is_dir() and not any(path.iterdir()):
                    path.rmdir()
            if not any((folder / sub).iterdir()):
                (folder / sub).rmdir()
    (folder / "manifest.json").unlink(missing_ok=True)
    (folder / JOURNAL_NAME).unlink(missing_ok=True)


def _write_json(path: Path, value: dict) -> None:
    """Write a manifest in one step: a temporary file, flushed, then renamed over the old one."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        temporary.write_text(json.dumps(value, indent=2, sort_keys=False) + "\n", encoding="utf-8")
        fsync_file(temporary)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


#: What a report writes last: its briefing (from the finished tables and figures) and its landing page.
_BRIEFING, _INDEX = ("briefing.docx", "briefing.html"), "index.html"


def _planned(plan: ReportPlan) -> list[str]:
    """The files a report writes besides its notebooks' tables and figures (which its journal lists)."""
    per_task = [
        f"{sub}/{task.notebook}.{ext}" for task in plan.tasks for sub, ext in (("notebooks", "ipynb"), ("html", "html"))
    ]
    return [*per_task, "tables/README.txt", *_BRIEFING, _INDEX]


def start_report(plan: ReportPlan) -> None:
    """Before any kernel starts: a manifest that says the report is running (and what it will write),
    and an empty journal for the files its notebooks write. A report killed now can be replaced by
    ``--overwrite`` without touching anything else in the folder."""
    plan.out.mkdir(parents=True, exist_ok=True)
    (plan.out / JOURNAL_NAME).write_bytes(b"")
    manifest = {
        "report": plan.label or "sce_analysis report",
        "status": "running",
        "pid": os.getpid(),
        "parameters": plan.parameters,
        "started": plan.started,
        "notebooks": [{"notebook": t.notebook, "status": "pending"} for t in plan.tasks],
        "outputs": _planned(plan),
    }
    with disk_full(plan.out / "manifest.json", _incomplete(plan.out)):
        _write_json(plan.out / "manifest.json", manifest)


def _incomplete(out: Path) -> str:
    """What a full disk while starting or finishing a report leaves: said in its OutputError."""
    return f"the report in {out} is not complete (its manifest.json says what failed)"


def plan_report(selected: dict[str, Path], per_notebook: dict[str, dict], out: Path, *, label: str = "") -> ReportPlan:
    tasks = []
    for name, source in selected.items():
        parameters = {**per_notebook[name], "out_dir": str(out.resolve())}
        tasks.append(Task(name, source, out / "notebooks" / f"{name}.ipynb", parameters))
    data_dir = Path(next(iter(per_notebook.values()))["data_dir"])
    merged = {k: v for params in per_notebook.values() for k, v in params.items()}
    merged["out_dir"] = str(out.resolve())
    return ReportPlan(out, data_dir, merged, tasks, label=label)


# ----------------------------------------------------------------------------------- execution


def _run_task(task: Task, *, progress: bool, log) -> Task:
    import papermill  # about 2 s on import: only when a notebook runs
    from papermill.exceptions import PapermillExecutionError

    task.output.parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    log(f"{task.notebook}: started")
    try:
        papermill.execute_notebook(
            str(task.source),
            str(task.output),
            parameters=task.parameters,
            kernel_name="python3",
            # The kernel starts in the notebook's folder, as in JupyterLab. (papermill's own ``cwd``
            # changes the directory of this whole process, which races between --jobs threads.)
            resources={"metadata": {"path": str(task.source.parent)}},
            progress_bar=progress,
            log_output=False,
            request_save_on_cell_execute=False,
            # Quiet the kernel's own log (a TCP notice at start, an interrupt at shutdown); cell errors still show.
            extra_arguments=["--IPKernelApp.log_level=CRITICAL"],
        )
        task.status = "ok"
    except PapermillExecutionError as error:
        task.status = "failed"
        task.error = {
            "cell": _source_cell(task.output, error.cell_index),
            "execution_count": error.exec_count,
            "error": error.ename,
            "message": _plain(error.evalue),
        }
    except Exception as error:  # a kernel that dies or cannot start: report it, go on with the rest
        task.status = "failed"
        task.error = {"cell": None, "execution_count": None, "error": type(error).__name__, "message": str(error)}
    task.seconds = time.perf_counter() - start
    if task.status == "ok":
        log(f"{task.notebook}: done in {task.seconds:.1f} s")
    else:
        where = f"cell {task.error['cell']}" if task.error.get("cell") else "start-up"
        log(f"{task.notebook}: FAILED at {where}: {task.error['error']}: {task.error['message']}")
    return task


def _source_cell(executed: Path, index: int | None) -> int | None:
    """1-based number of a failed cell in the notebook as the user has it: papermill inserts a cell
    of injected parameters, which the source notebook does not have."""
    if index is None:
        return None
    import nbformat  # with papermill and nbconvert, only once notebooks have run

    try:
        cells = nbformat.read(executed, as_version=4).cells
    except (OSError, ValueError):
        return index + 1
    # The error banner and anchor papermill adds afterwards were not there when the index was taken.
    cells = [c for c in cells if "papermill-error-cell-tag" not in c.metadata.get("tags", [])]
    injected = [i for i, c in enumerate(cells) if "injected-parameters" in c.metadata.get("tags", [])]
    return index + 1 - sum(i < index for i in injected)


def _to_stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _plain(text: str) -> str:
    """Error text without terminal colour codes."""
    return re.sub(r"\x1b\[[0-9;]*m", "", str(text)).strip()


def execute(tasks: list[Task], *, jobs: int = 1, progress: bool | None = None, log=None) -> list[Task]:
    """Execute notebooks, ``jobs`` at a time (each in its own kernel process)."""
    if progress is None:
        progress = sys.stderr.isatty()
    log = log or _to_stderr
    if jobs <= 1 or len(tasks) <= 1:
        return [_run_task(task, progress=progress, log=log) for task in tasks]
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(lambda task: _run_task(task, progress=False, log=log), tasks))


def export_html(task: Task, out: Path, *, banner: str | None = None) -> Path | None:
    """Write the executed notebook as code-free HTML, with ``banner`` (the publication rules) in bold above
    everything; None when there is no executed notebook."""
    import nbformat  # with papermill and nbconvert, only once notebooks have run
    from nbconvert import HTMLExporter

    if not task.output.exists():
        return None
    exporter = HTMLExporter(exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)
    notebook = nbformat.read(task.output, as_version=4)
    if banner:
        notebook.cells.insert(0, nbformat.v4.new_markdown_cell(f"**{banner}**"))
    body, _ = exporter.from_notebook_node(notebook)
    path = out / "html" / f"{task.notebook}.html"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(body, encoding="utf-8")
    return path


def finish_sweep(out: Path, by: str, reports: list[tuple[str, Path, dict]]) -> None:
    """The sweep's own index page and manifest (listing every group's outputs for --overwrite)."""
    outputs = [str((path / o).relative_to(out)) for _, path, manifest in reports for o in manifest["outputs"]]
    outputs += [str((path / "manifest.json").relative_to(out)) for _, path, _ in reports]
    manifest = {
        "report": f"sweep by {by}",
        "status": "finished",
        "groups": [{"group": str(group), "folder": str(path.relative_to(out))} for group, path, _ in reports],
        "outputs": [*outputs, "index.html"],
    }
    _write_json(out / "manifest.json", manifest)
    (out / "index.html").write_text(sweep_page(out, by, reports), encoding="utf-8")


def finish(plan: ReportPlan, *, ended: str, review_set=None) -> dict:
    """Write the HTML pages, the manifest and the landing page of a finished report.

    A full disk is recorded in the manifest (``status`` ``"failed"`` and ``failure``: the file and
    the error) and then raised as :class:`~sce_analysis.errors.OutputError`."""
    policy = publication_policy(plan.parameters)
    failure, current = None, plan.out / "html"
    try:
        for task in plan.tasks:
            current = plan.out / "html" / f"{task.notebook}.html"
            export_html(task, plan.out, banner=policy.footer())
        if policy.publication and (plan.out / "tables").is_dir():
            current = plan.out / "tables" / "README.txt"
            current.write_text(policy.footer() + "\n", encoding="utf-8")
    except OSError as error:
        if not is_disk_full(error):
            raise
        failure = {"file": str(current.relative_to(plan.out)), "error": "disk full", "message": str(error)}
    manifest = {
        "report": plan.label or "sce_analysis report",
        "status": "failed" if failure else "finished",
        "parameters": plan.parameters,
        "input": {"data_dir": str(plan.data_dir), **fingerprint(plan.data_dir)},
        "publication": policy.describe(),
        "versions": {"python": platform.python_version(), **_versions()},
        "started": plan.started,
        "ended": ended,
        "notebooks": [
            {
                "notebook": t.notebook,
                "status": t.status,
                "seconds": round(t.seconds, 2),
                **({"error": t.error} if t.error else {}),
            }
            for t in plan.tasks
        ],
        **({"failure": failure} if failure else {}),
    }
    if failure:
        manifest["briefing"] = {"status": "skipped", "reason": "the disk is full"}
    else:
        manifest["briefing"] = _write_briefing(plan.out, manifest)
    manifest["outputs"] = _outputs(plan, briefing=manifest["briefing"]["status"] == "ok")
    with disk_full(plan.out / "manifest.json", _incomplete(plan.out)):
        _write_json(plan.out / "manifest.json", manifest)
    if failure:
        raise disk_full_error(plan.out / failure["file"], _incomplete(plan.out))
    with disk_full(plan.out / "index.html", _incomplete(plan.out)):
        (plan.out / "index.html").write_text(landing_page(manifest, review_set), encoding="utf-8")
    (plan.out / JOURNAL_NAME).unlink(missing_ok=True)
    return manifest


def _outputs(plan: ReportPlan, *, briefing: bool) -> list[str]:
    """The manifest's list of what a finished report wrote: the files its journal lists and its notebooks and
    pages, as far as they exist, and its briefing when that was written, in order; then its landing page.
    Never a file a user added to the folder."""
    names = {*noted(plan.out), *(name for name in _planned(plan) if name not in (*_BRIEFING, _INDEX))}
    written = [name for name in names if (plan.out / name).is_file()]
    return sorted([*written, *(_BRIEFING if briefing else ())]) + [_INDEX]


def _write_briefing(out: Path, manifest: dict) -> dict:
    """Write the briefing from the finished tables and figures; a failure is recorded, not raised,
    so that the notebooks' outputs and the landing page are still written."""
    if not (out / "tables").is_dir():
        return {"status": "skipped", "reason": "the report wrote no tables"}
    from .briefing import write_briefing  # jinja2 and python-docx: 0.7 s that planning a report need not pay

    try:
        write_briefing(out, manifest)
    except Exception as error:  # the report stands without its briefing; the manifest and index say why
        return {"status": "failed", "error": type(error).__name__, "message": str(error)}
    return {"status": "ok"}


def _versions() -> dict:
    versions = {}
    for name in VERSIONED:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def slug(value) -> str:
    """A folder name for a group value."""
    text = re.sub(r"[^A-Za-z0-9]+", "-", str(value)).strip("-").lower()
    return text or "group"


# ----------------------------------------------------------------------------------- the public API


def describe_set(review_set) -> str:
    """One line saying what a review set holds, as the ``sce-analysis`` commands print it.

    Examples
    --------
    >>> import sce_analysis as sce
    >>> describe_set(sce.load("data/sample"))
    '80 reviews from 16 areas in 5 regions, 2011–2025; 523 episodes, 1,485 coded factors, 355 findings'
    """
    c = dict(review_set.summary().itertuples(index=False))
    years = f"{c['first_year']}–{c['last_year']}" if c["reviews"] else "no years"
    return (
        f"{c['reviews']:,} reviews from {c['areas']:,} areas in {c['regions']:,} regions, {years}; "
        f"{c['episodes']:,} episodes, {c['coded_factors']:,} coded factors, {c['findings']:,} findings"
    )


@dataclass(frozen=True)
class ReportResult:
    """A finished report: its folder, its manifest, and how each notebook went.

    Attributes
    ----------
    out : Path
        The report folder.
    manifest : dict
        The contents of ``out/manifest.json``: parameters, input fingerprint, versions, times,
        the status of each notebook (with the failed cell and error) and every file written.
    """

    out: Path
    manifest: dict

    @property
    def index(self) -> Path:
        """The landing page, ``out/index.html``."""
        return self.out / "index.html"

    @property
    def statuses(self) -> dict[str, str]:
        """Notebook name -> ``"ok"`` or ``"failed"``, in run order."""
        return {entry["notebook"]: entry["status"] for entry in self.manifest["notebooks"]}

    @property
    def failed(self) -> list[dict]:
        """The manifest entries of the notebooks that failed, each with its ``error``
        (``cell``, ``execution_count``, ``error``, ``message``)."""
        return [entry for entry in self.manifest["notebooks"] if entry["status"] != "ok"]

    @property
    def ok(self) -> bool:
        """True when every notebook ran to the end."""
        return not self.failed


@dataclass(frozen=True)
class SweepResult:
    """A finished sweep: one :class:`ReportResult` per group, and the sweep's own index.

    Attributes
    ----------
    out : Path
        The sweep folder, holding one report folder per group.
    by : str
        The review column swept over (``region``, ``area``, ``year`` or ``review_type``).
    reports : dict
        Group value (as in the review set: a year is an int) -> its :class:`ReportResult`, in order.
    """

    out: Path
    by: str
    reports: dict[object, ReportResult]

    @property
    def index(self) -> Path:
        """The sweep's index page, ``out/index.html``, linking to every group's report."""
        return self.out / "index.html"

    @property
    def failed(self) -> dict[object, list[dict]]:
        """Group -> the manifest entries of its failed notebooks, for the groups with a failure."""
        return {group: result.failed for group, result in self.reports.items() if result.failed}

    @property
    def ok(self) -> bool:
        """True when every notebook of every group ran to the end."""
        return not self.failed


@dataclass
class _Request:
    """A report request checked against the notebooks and the data, before any kernel starts."""

    selected: dict[str, Path]
    per_notebook: dict[str, dict]
    review_set: object  # the reviews in scope

    @property
    def data_dir(self) -> str:
        return next(iter(self.per_notebook.values()))["data_dir"]


def _check_request(data_dir, parameters, *, notebooks, notebook_dir, publication, jobs) -> _Request:
    """Check options, parameters, data and scope, in that order; raise on the first that fails."""
    if jobs < 1:
        raise ParameterError("--jobs must be at least 1.")
    given = dict(parameters or {})
    for name, option in (("data_dir", "data_dir"), ("out_dir", "out")):
        if name in given:
            raise ParameterError(f"give {name} as the argument {option}, not among the parameters.")
    given["data_dir"] = os.fspath(data_dir) if isinstance(data_dir, os.PathLike) else data_dir
    if publication:
        given["publication"] = True
    if notebooks is not None and not isinstance(notebooks, str):
        notebooks = ",".join(str(n) for n in notebooks)
    selected = select_notebooks(notebooks, notebook_dir)
    per_notebook = resolve_parameters(declared_parameters(selected), given)
    first = next(iter(per_notebook.values()))
    problems, review_set = read_checked(first["data_dir"])
    if problems:
        raise DataValidationError(problems, folder=first["data_dir"])
    scoped = in_scope(review_set, first)
    if len(scoped.reviews) == 0:
        raise ParameterError("the filters leave no review in scope. Widen them.")
    return _Request(selected, per_notebook, scoped)


def report(
    data_dir,
    out=None,
    *,
    parameters: dict | None = None,
    notebooks=None,
    notebook_dir=None,
    publication: bool = False,
    jobs: int = 2,
    overwrite: bool = False,
    log=None,
) -> ReportResult:
    """Run the notebook suite on a review set into a report folder (``sce-analysis report``).

    Every check is made before any kernel starts: the options, each parameter's name, type and
    value against the notebooks' declarations, the data against the contract, and the scope the
    filters leave. Then the notebooks run (``jobs`` at a time, each in its own kernel), and the
    folder gets code-free HTML pages, the manifest and a landing page. A failing notebook does not
    stop the others: it is reported in the result.

    Parameters
    ----------
    data_dir : str or path
        The review-set folder.
    out : str or path, optional
        The report folder; by default ``reports/<name of data_dir>``, relative to the current folder.
    parameters : dict, optional
        Notebook parameters by name (see ``sce-analysis params``), such as
        ``{"regions": ["London"], "alpha": 0.01}``. Text is cast to the declared type as the command
        line's is, so ``{"alpha": "0.01"}`` works too. ``data_dir`` and ``out_dir`` are the
        arguments, not parameters.
    notebooks : str or list, optional
        Run only these notebooks, by number or name (``"01,03"`` or ``["01", "03"]``); all by default.
    notebook_dir : str or path, optional
        Run the ``NN-name.ipynb`` notebooks of this folder instead of the shipped suite.
    publication : bool, default False
        Publication mode: small counts suppressed, free text left out (sets ``publication``).
    jobs : int, default 2
        Notebooks run at once.
    overwrite : bool, default False
        Replace the report in an existing, non-empty ``out``; only files an earlier report wrote
        (listed in its manifest) are removed.
    log : callable, optional
        Called with each progress line (how many notebooks, each one started, done or failed). By
        default the lines go to standard error; pass ``lambda line: None`` to run quietly.

    Returns
    -------
    ReportResult
        ``out``, ``manifest``, ``index`` (the landing page), ``statuses``, ``failed`` and ``ok``.

    Raises
    ------
    ParameterError
        Before any kernel starts: an unknown parameter (listing the valid ones), a wrong type or
        value, an unknown notebook, ``jobs`` below 1, filters that leave no review, or an ``out``
        that is not empty without ``overwrite``.
    DataValidationError
        Before any kernel starts, when the review set breaks the contract; ``.problems`` lists
        every problem.

    Examples
    --------
    >>> from sce_analysis.reports import report
    >>> result = report("data/sample", "reports/london", parameters={"regions": ["London"]})  # doctest: +SKIP
    >>> result.ok, result.index  # doctest: +SKIP
    (True, PosixPath('reports/london/index.html'))
    """
    log = log or _to_stderr
    request = _check_request(
        data_dir, parameters, notebooks=notebooks, notebook_dir=notebook_dir, publication=publication, jobs=jobs
    )
    out = Path(out) if out is not None else Path("reports") / Path(request.data_dir).name
    with _locked(out, log):
        prepare_out(out, overwrite=overwrite)
        plan = plan_report(
            request.selected,
            request.per_notebook,
            out,
            label=f"Cross-review analysis of {Path(request.data_dir).name}",
        )
        plan.started = now()
        start_report(plan)
        log(f"{len(plan.tasks)} notebook(s) on {describe_set(request.review_set)}.")
        execute(plan.tasks, jobs=jobs, log=log)
        return ReportResult(out, finish(plan, ended=now(), review_set=request.review_set))


def _locked(out: Path, log) -> FolderLock:
    """The lock on a report folder, so that two runs never write into one folder at once."""
    _refuse_file(out)
    return FolderLock(out, log=log)


def _refuse_file(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise ParameterError(f"--out {out} is a file, not a folder.")


def sweep(
    data_dir,
    by: str,
    out=None,
    *,
    parameters: dict | None = None,
    notebooks=None,
    notebook_dir=None,
    publication: bool = False,
    jobs: int = 2,
    overwrite: bool = False,
    log=None,
) -> SweepResult:
    """Run the report once per group of a review column, each in its own folder (``sce-analysis sweep``).

    The checks are those of :func:`report`, all made before any kernel starts; then the notebooks
    of every group run together, ``jobs`` at a time. Each group's report keeps the other filters
    and restricts its own column (``regions``, ``areas``, ``years`` or ``review_types``) to the
    group. ``out/index.html`` links to every group's report.

    Parameters
    ----------
    data_dir : str or path
        The review-set folder.
    by : str
        ``"region"``, ``"area"``, ``"year"`` or ``"review_type"``.
    out : str or path, optional
        The sweep folder; by default ``reports/<name of data_dir>``. Each group gets a sub-folder
        named after it (``north-west``, ``2019``).
    parameters, notebooks, notebook_dir, publication, jobs, overwrite, log
        As in :func:`report`.

    Returns
    -------
    SweepResult
        ``out``, ``by``, ``reports`` (group -> :class:`ReportResult`), ``index``, ``failed`` and ``ok``.

    Raises
    ------
    ParameterError
        As in :func:`report`, and for a ``by`` that is not one of the four columns.
    DataValidationError
        When the review set breaks the contract.

    Examples
    --------
    >>> from sce_analysis.reports import sweep
    >>> result = sweep("data/sample", "region", "reports/by-region", notebooks="01")  # doctest: +SKIP
    >>> sorted(result.reports)  # doctest: +SKIP
    ['London and South East', 'Midlands', 'North East and Yorkshire', 'North West', 'South West']
    """
    log = log or _to_stderr
    if by not in SWEEP_PARAMETER:  # an option: checked before the data are read
        raise ParameterError(f"--by must be one of {', '.join(SWEEP_PARAMETER)}; not {by!r}.")
    request = _check_request(
        data_dir, parameters, notebooks=notebooks, notebook_dir=notebook_dir, publication=publication, jobs=jobs
    )
    out = Path(out) if out is not None else Path("reports") / Path(request.data_dir).name
    with _locked(out, log):
        return _sweep_into(out, by, request, overwrite=overwrite, jobs=jobs, log=log)


def _sweep_into(out: Path, by: str, request: _Request, *, overwrite: bool, jobs: int, log) -> SweepResult:
    """The body of :func:`sweep`, run while it holds the lock on ``out``."""
    groups = sorted(request.review_set.reviews[by].dropna().unique().tolist())
    prepare_out(out, overwrite=overwrite)
    parameter = SWEEP_PARAMETER[by]
    plans = {}
    for group in groups:
        value = [int(group), int(group)] if by == "year" else [str(group)]
        per_group = {
            nb: {**params, parameter: value} if parameter in params else params
            for nb, params in request.per_notebook.items()
        }
        folder = out / slug(group)
        folder.mkdir(parents=True, exist_ok=True)
        plans[group] = plan_report(request.selected, per_group, folder, label=f"{by} {group}: cross-review analysis")
        plans[group].started = now()
    running = {"report": f"sweep by {by}", "status": "running", "pid": os.getpid(), "started": now()}
    running["groups"] = [{"group": str(g), "folder": str(p.out.relative_to(out))} for g, p in plans.items()]
    _write_json(out / "manifest.json", {**running, "outputs": ["index.html"]})
    for plan in plans.values():
        start_report(plan)
    log(f"{len(plans)} report(s) by {by}, {len(request.selected)} notebook(s) each.")
    execute([task for plan in plans.values() for task in plan.tasks], jobs=jobs, log=log)
    reports = {
        group: ReportResult(
            plan.out, finish(plan, ended=now(), review_set=in_scope(request.review_set, plan.parameters))
        )
        for group, plan in plans.items()
    }
    finish_sweep(out, by, [(group, result.out, result.manifest) for group, result in reports.items()])
    return SweepResult(out, by, reports)
