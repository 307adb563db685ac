"""Run the notebook suite with parameters into a complete, reproducible report folder.

``sce-analysis report`` checks the parameters against each notebook's declarations and the data
against the contract *before* any kernel starts, then executes the notebooks with papermill on a
real kernel (in parallel with ``--jobs``), and writes::

    index.html          landing page: scope, key numbers, links to everything
    notebooks/*.ipynb   executed notebooks
    html/*.html         the same without code, for boards and trainers
    tables/*.csv        stable names and columns, byte-identical for the same data and parameters
    figures/*.png, *.svg
    manifest.json       parameters, input fingerprint, versions, times, status of each notebook

A failing notebook does not stop the others; it is reported with its cell and error, and the exit
status is 1. An existing non-empty folder is only replaced with ``--overwrite``, and even then
only the files a previous report wrote (listed in its manifest) are removed.
"""

from __future__ import annotations

import hashlib
import html
import json
import platform
import re
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from ..errors import ParameterError
from .parameters import Parameter, cast_value, check_core_values, read_parameters

__all__ = ["NOTEBOOK_DIR", "notebooks", "plan_report", "execute", "Task", "ReportPlan"]

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
    """Parameters from a YAML file, read without guessing types (``NO`` stays text)."""
    import yaml

    try:
        values = yaml.load(Path(path).read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    except (OSError, yaml.YAMLError) as error:
        raise ParameterError(f"cannot read the parameter file {path}: {error}") from None
    if values is None:
        return {}
    if not isinstance(values, dict):
        raise ParameterError(f"{path} must map parameter names to values.")
    return values


def merge_cli_parameters(pairs: list[list[str]] | None, yaml_values: dict) -> dict:
    """``-f`` values, overridden by ``-p NAME VALUE`` pairs; a repeated ``-p`` name builds a list."""
    given = dict(yaml_values)
    seen: dict[str, list[str]] = {}
    for name, value in pairs or []:
        seen.setdefault(name, []).append(value)
    for name, values in seen.items():
        given[name] = values[0] if len(values) == 1 else values
    return given


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
    what an earlier report wrote (its manifest lists it), so nothing a user made is lost."""
    if out.exists() and not out.is_dir():
        raise ParameterError(f"--out {out} is a file, not a folder.")
    if out.exists() and any(out.iterdir()):
        if not overwrite:
            raise ParameterError(
                f"{out} already exists and is not empty. Choose another --out, or add --overwrite to replace "
                "the report in it (files you added there are kept)."
            )
        manifest = out / "manifest.json"
        if not manifest.exists():
            raise ParameterError(
                f"{out} is not empty and holds no report (no manifest.json): refusing to overwrite what may be "
                "someone's files. Choose another --out."
            )
        previous = json.loads(manifest.read_text(encoding="utf-8"))
        for relative in previous.get("outputs", []):
            target = (out / relative).resolve()
            if out.resolve() in target.parents and target.is_file():
                target.unlink()
        for sub in ("notebooks", "html", "tables", "figures", "groups"):
            folder = out / sub
            if folder.is_dir():
                for path in sorted(folder.rglob("*"), reverse=True):
                    if path.is_dir() and not any(path.iterdir()):
                        path.rmdir()
                if not any(folder.iterdir()):
                    folder.rmdir()
        manifest.unlink()
    out.mkdir(parents=True, exist_ok=True)


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
    import papermill
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
    import nbformat

    try:
        cells = nbformat.read(executed, as_version=4).cells
    except (OSError, ValueError):
        return index + 1
    # The error banner and anchor papermill adds afterwards were not there when the index was taken.
    cells = [c for c in cells if "papermill-error-cell-tag" not in c.metadata.get("tags", [])]
    injected = [i for i, c in enumerate(cells) if "injected-parameters" in c.metadata.get("tags", [])]
    return index + 1 - sum(i < index for i in injected)


def _plain(text: str) -> str:
    """Error text without terminal colour codes."""
    return re.sub(r"\x1b\[[0-9;]*m", "", str(text)).strip()


def execute(tasks: list[Task], *, jobs: int = 1, progress: bool | None = None, log=None) -> list[Task]:
    """Execute notebooks, ``jobs`` at a time (each in its own kernel process)."""
    if progress is None:
        progress = sys.stderr.isatty()
    log = log or (lambda message: print(message, file=sys.stderr, flush=True))
    if jobs <= 1 or len(tasks) <= 1:
        return [_run_task(task, progress=progress, log=log) for task in tasks]
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(lambda task: _run_task(task, progress=False, log=log), tasks))


def export_html(task: Task, out: Path) -> Path | None:
    """Write the executed notebook as code-free HTML; None when there is no executed notebook."""
    import nbformat
    from nbconvert import HTMLExporter

    if not task.output.exists():
        return None
    exporter = HTMLExporter(exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)
    body, _ = exporter.from_notebook_node(nbformat.read(task.output, as_version=4))
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
        "groups": [{"group": str(group), "folder": str(path.relative_to(out))} for group, path, _ in reports],
        "outputs": [*outputs, "index.html"],
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    (out / "index.html").write_text(sweep_page(out, by, reports), encoding="utf-8")


def finish(plan: ReportPlan, *, ended: str, review_set=None) -> dict:
    """Write the HTML pages, the manifest and the landing page of a finished report."""
    publication = bool(plan.parameters.get("publication"))
    threshold = int(plan.parameters.get("suppress_below", 5))
    for task in plan.tasks:
        page = export_html(task, plan.out)
        if page is not None and publication:
            from ..publish.disclosure import footer

            banner = f"<p style='font-weight:bold;margin:1rem'>{html.escape(footer(threshold))}</p>"
            text = re.sub(
                r"(<body[^>]*>)", r"\1" + banner.replace("\\", "\\\\"), page.read_text(encoding="utf-8"), count=1
            )
            page.write_text(text, encoding="utf-8")
    if publication and (plan.out / "tables").is_dir():
        from ..publish.disclosure import footer

        (plan.out / "tables" / "README.txt").write_text(footer(threshold) + "\n", encoding="utf-8")
    outputs = sorted(
        str(p.relative_to(plan.out))
        for sub in ("notebooks", "html", "tables", "figures")
        for p in (plan.out / sub).rglob("*")
        if p.is_file()
    )
    manifest = {
        "report": plan.label or "sce_analysis report",
        "parameters": plan.parameters,
        "input": {"data_dir": str(plan.data_dir), **fingerprint(plan.data_dir)},
        "publication": {"mode": publication, "suppress_below": threshold},
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
        "outputs": [*outputs, "index.html"],
    }
    (plan.out / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=False) + "\n", encoding="utf-8")
    (plan.out / "index.html").write_text(landing_page(plan, manifest, review_set), encoding="utf-8")
    return manifest


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


# ----------------------------------------------------------------------------------- landing page


def landing_page(plan: ReportPlan, manifest: dict, review_set=None) -> str:
    """``index.html``: the scope, the key numbers and links to every output."""
    key_numbers = ""
    if review_set is not None and plan.parameters.get("publication"):
        key_numbers = "<h2>In scope</h2><p>Counts are in the tables (publication mode).</p>"
    elif review_set is not None:
        rows = review_set.summary().itertuples(index=False)
        key_numbers = "".join(
            f"<tr><th>{html.escape(m.replace('_', ' '))}</th><td>{c if m.endswith('_year') else f'{c:,}'}</td></tr>"
            for m, c in rows
        )
        key_numbers = f"<h2>In scope</h2><table>{key_numbers}</table>"
    scope = {k: v for k, v in plan.parameters.items() if k not in ("data_dir", "out_dir")}
    scope_rows = "".join(
        f"<tr><th>{html.escape(k)}</th><td>{html.escape(json.dumps(v))}</td></tr>" for k, v in scope.items()
    )
    notebook_rows = []
    for entry in manifest["notebooks"]:
        name = html.escape(entry["notebook"])
        status = "ok" if entry["status"] == "ok" else "FAILED"
        detail = ""
        if entry.get("error"):
            error = entry["error"]
            detail = html.escape(f" at cell {error.get('cell')}: {error.get('error')}: {error.get('message')}")
        notebook_rows.append(
            f"<tr><td><a href='html/{name}.html'>{name}</a></td><td>{status}{detail}</td>"
            f"<td>{entry['seconds']:.1f} s</td><td><a href='notebooks/{name}.ipynb'>notebook</a></td></tr>"
        )
    links = {"tables": [], "figures": []}
    for relative in manifest["outputs"]:
        kind = relative.split("/", 1)[0]
        if kind == "tables" or (kind == "figures" and relative.endswith(".png")):
            links[kind].append(
                f"<li><a href='{html.escape(relative)}'>{html.escape(relative.split('/', 1)[1])}</a></li>"
            )
    figures = "".join(
        f"<a href='{html.escape(r)}'><img src='{html.escape(r)}' alt='{html.escape(r)}' loading='lazy'></a>"
        for r in manifest["outputs"]
        if r.startswith("figures/") and r.endswith(".png")
    )
    mode = "publication mode" if plan.parameters.get("publication") else "full detail (not for publication)"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(manifest["report"])}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 70rem; color: #222; }}
table {{ border-collapse: collapse; margin-bottom: 1rem; }}
th, td {{ text-align: left; padding: 0.2rem 0.8rem; border-bottom: 1px solid #ddd; vertical-align: top; }}
img {{ height: 12rem; margin: 0.3rem; border: 1px solid #ddd; }}
.note {{ color: #555; }}
</style></head><body>
<h1>{html.escape(manifest["report"])}</h1>
<p class="note">Made by sce_analysis {html.escape(str(manifest["versions"].get("sce_analysis")))} on
{html.escape(manifest["ended"])}; {html.escape(mode)}. Input fingerprint (SHA-256):
<code>{manifest["input"]["sha256"][:16]}…</code>. Everything is listed in <a href="manifest.json">manifest.json</a>.</p>
{key_numbers}
<h2>Notebooks</h2><table><tr><th>notebook (code-free)</th><th>status</th><th>time</th><th></th></tr>
{"".join(notebook_rows)}</table>
<h2>Figures</h2><div>{figures}</div>
<h2>Tables</h2><ul>{"".join(links["tables"])}</ul>
<h2>Parameters</h2><table>{scope_rows}</table>
</body></html>
"""


def sweep_page(out: Path, by: str, reports: list[tuple[str, Path, dict]]) -> str:
    rows = "".join(
        f"<tr><td><a href='{html.escape(str(path.relative_to(out)))}/index.html'>{html.escape(str(group))}</a></td>"
        f"<td>{sum(n['status'] == 'ok' for n in manifest['notebooks'])} of {len(manifest['notebooks'])} ok</td></tr>"
        for group, path, manifest in reports
    )
    return (
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Reports by {html.escape(by)}</title>"
        "<style>body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:60rem}"
        "td,th{padding:.2rem .8rem;border-bottom:1px solid #ddd;text-align:left}</style></head><body>"
        f"<h1>One report per {html.escape(by)}</h1><table><tr><th>{html.escape(by)}</th><th>notebooks</th></tr>"
        f"{rows}</table></body></html>\n"
    )


def slug(value) -> str:
    """A folder name for a group value."""
    text = re.sub(r"[^A-Za-z0-9]+", "-", str(value)).strip("-").lower()
    return text or "group"
