"""The HTML pages of a report folder: the landing page of one report and the index of a sweep.

Both are plain HTML with inline styles and relative links, so a report folder can be zipped,
copied or opened from a file share without a server.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

__all__ = ["landing_page", "sweep_page"]


def landing_page(manifest: dict, review_set=None) -> str:
    """``index.html`` of a report: the scope, the key numbers and links to every output.

    Parameters
    ----------
    manifest : dict
        The report's manifest, as :func:`~sce_analysis.reports.runner.finish` writes it.
    review_set : ReviewSet, optional
        The reviews in scope; their counts are shown unless the report is in publication mode.
    """
    parameters = manifest["parameters"]
    key_numbers = ""
    if review_set is not None and parameters.get("publication"):
        key_numbers = "<h2>In scope</h2><p>Counts are in the tables (publication mode).</p>"
    elif review_set is not None:
        rows = review_set.summary().itertuples(index=False)
        key_numbers = "".join(
            f"<tr><th>{html.escape(m.replace('_', ' '))}</th><td>{c if m.endswith('_year') else f'{c:,}'}</td></tr>"
            for m, c in rows
        )
        key_numbers = f"<h2>In scope</h2><table>{key_numbers}</table>"
    scope = {k: v for k, v in parameters.items() if k not in ("data_dir", "out_dir")}
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
        f"<a href='{html.escape(r)}'><img src='{html.escape(r)}' loading='lazy' "
        f"alt='Chart: {html.escape(Path(r).stem.replace('_', ' '))} (opens the full-size image)'></a>"
        for r in manifest["outputs"]
        if r.startswith("figures/") and r.endswith(".png")
    )
    mode = "publication mode" if parameters.get("publication") else "full detail (not for publication)"
    briefing = ""
    if manifest.get("briefing", {}).get("status") == "ok":
        briefing = (
            "<h2>Briefing</h2><p class='first'>Start here: the written briefing, with the key findings, each "
            "pattern's chart and table, and what the data cannot tell you.</p><ul class='links'>"
            "<li><a href='briefing.html'>Briefing (web page)</a></li>"
            "<li><a href='briefing.docx'>Briefing (Word document)</a></li></ul>"
        )
    elif manifest.get("briefing", {}).get("status") == "failed":
        failure = manifest["briefing"]
        briefing = (
            "<h2>Briefing</h2><p>The briefing could not be written: "
            f"{html.escape(failure['error'])}: {html.escape(failure['message'])}. "
            "The tables and figures below are complete.</p>"
        )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(manifest["report"])}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 70rem; color: #222; }}
table {{ border-collapse: collapse; margin-bottom: 1rem; }}
th, td {{ text-align: left; padding: 0.2rem 0.8rem; border-bottom: 1px solid #ddd; vertical-align: top; }}
img {{ height: 12rem; max-width: 100%; margin: 0.3rem; border: 1px solid #ddd; }}
td a, li a {{ display: inline-block; min-height: 24px; min-width: 24px; line-height: 24px; }}
.first {{ font-size: 1.1rem; }}
.note {{ color: #555; }}
</style></head><body>
<h1>{html.escape(manifest["report"])}</h1>
<p class="note">Made by sce_analysis {html.escape(str(manifest["versions"].get("sce_analysis")))} on
{html.escape(manifest["ended"])}; {html.escape(mode)}. Input fingerprint (SHA-256):
<code>{manifest["input"]["sha256"][:16]}…</code>. Everything is listed in <a href="manifest.json">manifest.json</a>.</p>
{briefing}
{key_numbers}
<h2>Notebooks</h2><table><tr><th>notebook (code-free)</th><th>status</th><th>time</th><th></th></tr>
{"".join(notebook_rows)}</table>
<h2>Figures</h2><div>{figures}</div>
<h2>Tables</h2><ul>{"".join(links["tables"])}</ul>
<h2>Parameters</h2><table>{scope_rows}</table>
</body></html>
"""


def sweep_page(out: Path, by: str, reports: list[tuple[str, Path, dict]]) -> str:
    """``index.html`` of a sweep: one line per group, linking to its report, with its notebooks' status."""
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
