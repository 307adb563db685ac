"""The ``sce-analysis`` command (also ``python -m sce_analysis``).

Exit status: 0 when all went well, 1 when the data have problems, 2 for a wrong command line.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import textwrap
from pathlib import Path

from . import __version__
from .errors import DataValidationError, ParameterError, SceAnalysisError
from .exchange.crosswalk import combine, crosswalk
from .publish.disclosure import DEFAULT_MIN_AREAS, DEFAULT_THRESHOLD
from .publish.policy import Policy
from .reports.runner import (
    ReportResult,
    declared_parameters,
    describe_set,
    read_yaml_parameters,
    report,
    select_notebooks,
    sweep,
)
from .reviewsets.read import Problem, problems_frame, read_checked
from .reviewsets.reviewset import save_new_folder
from .spreadsheets import write_people_csv

__all__ = ["main"]

_VALUE_WIDTH = 24


def _shorten(text: str, width: int) -> str:
    text = text.replace("\r", " ").replace("\n", " ")
    return text if len(text) <= width else text[: width - 1] + "…"


def format_problems(problems: list[Problem], *, width: int = 120) -> str:
    """Render problems as a plain-text table; the message wraps under its own column."""
    # A problem in a spreadsheet is placed as its user would find it: "Book.xlsx › Factors › C14".
    rows = [
        (
            f"{p.file} › {p.cell}" if p.cell else p.file,
            "" if p.line is None or p.cell else str(p.line),
            p.column or "",
            _shorten(p.value, _VALUE_WIDTH),
            p.message,
        )
        for p in problems
    ]
    headers = ("file", "line", "column", "value", "problem")
    widths = [max(len(headers[i]), *(len(r[i]) for r in rows)) for i in range(4)]
    indent = sum(widths) + 2 * 4
    wrap = max(40, width - indent)
    out = []
    for row in [headers, *rows]:
        left = "  ".join(cell.rjust(widths[i]) if i == 1 else cell.ljust(widths[i]) for i, cell in enumerate(row[:4]))
        lines = textwrap.wrap(row[4], wrap) or [""]
        out.append(f"{left}  {lines[0]}")
        out.extend(" " * indent + line for line in lines[1:])
    return "\n".join(out)


def _report_problems(folder: str, problems: list[Problem], fmt: str) -> int:
    if fmt == "csv":
        # For a spreadsheet: a value quoted from the data, such as "=cmd|...", must not run there.
        write_people_csv(problems_frame(problems), sys.stdout)
    else:
        n = len(problems)
        print(f"{folder}: {n} problem{'s' if n != 1 else ''} found. Fix them and run this again.\n")
        print(format_problems(problems))
    return 1


def _validate(args) -> int:
    rs, status = _checked_set(args.folder, args.format)
    if rs is None:
        return status
    print(f"{args.folder}: clean. {describe_set(rs)}.")
    return 0


def _summary(args) -> int:
    rs, status = _checked_set(args.folder)
    if rs is None:
        return status
    print(f"{args.folder}: clean. {describe_set(rs)}.\n")
    print(rs.summary().to_string(index=False))
    return 0


def _checked_set(folder: str, fmt: str = "table"):
    """Load a review set for a command, or print its problems: (set, None) or (None, exit status 1)."""
    problems, rs = read_checked(folder)
    if problems:
        return None, _report_problems(folder, problems, fmt)
    return rs, None


def _write_result(rs, args) -> int:
    save_new_folder(rs, args.out, format=args.format, overwrite=args.overwrite)
    print(f"{args.out}: written ({args.format}). {describe_set(rs)}.")
    return 0


def _data_errors(error, source: str) -> int:
    return _report_problems(source, error.problems, "table")


def _crosswalk(args) -> int:
    rs, status = _checked_set(args.folder)
    if rs is None:
        return status
    try:
        recoded = crosswalk(rs, args.map, taxonomy=args.taxonomy)
    except DataValidationError as error:
        return _data_errors(error, f"crosswalk of {args.folder} with {args.map}")
    return _write_result(recoded, args)


def _combine(args) -> int:
    try:
        combined = combine(args.folders)
    except DataValidationError as error:
        return _data_errors(error, "combine")
    return _write_result(combined, args)


def _convert(args) -> int:
    rs, status = _checked_set(args.folder)
    if rs is None:
        return status
    return _write_result(rs, args)


def _agreement(args) -> int:
    from .stats.agreement import coder_agreement  # scipy.sparse and scipy.stats: 0.1 s that validate need not pay

    rs, status = _checked_set(args.folder)
    if rs is None:
        return status
    coders = [c.strip() for c in args.coders.split(",")] if args.coders else None
    table = coder_agreement(rs, level=args.level, coders=coders, polarity=args.polarity)
    if args.format == "csv":
        write_people_csv(table, sys.stdout)
    else:
        shown = table.drop(columns=["level", "coders"]).rename(columns={"double_coded_episodes": "episodes"})
        print(f"{args.folder}: agreement of {table['coders'].iloc[0]} by {args.level}\n")
        print(shown.to_string(index=False, float_format=lambda v: f"{v:.3f}", na_rep=""))
    return 0


def _template(args) -> int:
    from .exchange.excel import write_template  # openpyxl

    try:
        path = write_template(args.out, taxonomy=args.taxonomy, overwrite=args.overwrite)
    except DataValidationError as error:
        return _data_errors(error, str(args.taxonomy))
    print(f"{path}: a coding workbook for one review. Fill in its sheets, then run sce-analysis import-excel.")
    return 0


def _import_excel(args) -> int:
    from .exchange.excel import import_workbooks  # openpyxl

    return _imported(
        lambda: import_workbooks(args.workbooks, args.out, taxonomy=args.taxonomy, overwrite=args.overwrite),
        f"{len(args.workbooks)} workbook(s)",
        args.out,
    )


def _imported(run_import, source: str, out: str) -> int:
    """Run an import into ``out``: print what was written, or every problem and that nothing was written."""
    try:
        rs = run_import()
    except DataValidationError as error:
        status = _data_errors(error, source)
        print(f"\nNothing was written to {out}.")
        return status
    print(f"{out}: written from {source}. {describe_set(rs)}.")
    return 0


def _export_excel(args) -> int:
    from .exchange.excel import export_workbook  # openpyxl

    rs, status = _checked_set(args.folder)
    if rs is None:
        return status
    path = export_workbook(rs, args.out, overwrite=args.overwrite)
    print(f"{path}: {describe_set(rs)}; plus the sheet Matrix (0/1, factor by review).")
    return 0


def _import_qdpx(args) -> int:
    from .exchange.qdpx_map import map_yaml

    if args.print_map:
        print(map_yaml(), end="")
        return 0
    if not args.project or not args.out:
        raise ParameterError(
            "give the project and --out FOLDER, such as: sce-analysis import-qdpx reviews.qdpx --out my-reviews"
        )
    from .exchange.qdpx_import import import_qdpx

    return _imported(
        lambda: import_qdpx(args.project, args.out, mapping=args.map, taxonomy=args.taxonomy, overwrite=args.overwrite),
        args.project,
        args.out,
    )


def _export_qdpx(args) -> int:
    from .exchange.qdpx_export import write_qdpx

    rs, status = _checked_set(args.folder)
    if rs is None:
        return status
    path = write_qdpx(rs, args.out, overwrite=args.overwrite)
    print(f"{path}: {describe_set(rs)}; one text source per review, for NVivo, ATLAS.ti, MAXQDA or QualCoder.")
    return 0


def _output_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", required=True, metavar="FOLDER", help="the new review-set folder")
    parser.add_argument("--format", choices=("csv", "parquet"), default="csv", help="file format (default csv)")
    parser.add_argument("--overwrite", action="store_true", help="replace --out if it already holds files")


def _report_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", default="data/sample", help="the review-set folder (default: data/sample)")
    parser.add_argument("--out", help="the report folder (default: reports/<name of the data folder>)")
    parser.add_argument(
        "-p",
        dest="parameters",
        nargs=2,
        action="append",
        metavar=("NAME", "VALUE"),
        help="set a notebook parameter; repeat a name, or separate with commas, for a list",
    )
    parser.add_argument("-f", dest="file", metavar="PARAMS.yaml", help="notebook parameters from a YAML file")
    parser.add_argument("--notebooks", metavar="01,03", help="run only these notebooks (numbers or names)")
    parser.add_argument(
        "--notebook-dir", metavar="DIR", help="run the NN-name.ipynb notebooks of DIR instead of the shipped suite"
    )
    parser.add_argument("--publication", action="store_true", help="publication mode (sets publication=true)")
    parser.add_argument("--jobs", type=int, default=2, metavar="N", help="notebooks run at once (default 2)")
    parser.add_argument("--overwrite", action="store_true", help="replace the report in an existing --out folder")


def _merge_parameters(pairs: list[list[str]] | None, yaml_values: dict) -> dict:
    """``-f`` values, overridden by ``-p NAME VALUE`` pairs; a repeated ``-p`` name builds a list."""
    given = dict(yaml_values)
    seen: dict[str, list[str]] = {}
    for name, value in pairs or []:
        seen.setdefault(name, []).append(value)
    for name, values in seen.items():
        given[name] = values[0] if len(values) == 1 else values
    return given


def _given_parameters(args) -> tuple[object, dict]:
    """The data folder and the notebook parameters of ``-f`` and ``-p``; ``-p data_dir`` overrides ``--data``."""
    given = _merge_parameters(args.parameters, read_yaml_parameters(args.file) if args.file else {})
    data_dir = given.pop("data_dir", args.data)
    given.pop("out_dir", None)  # a notebook's out_dir is always the report folder, --out
    return data_dir, given


def _report(args) -> int:
    """``report`` and ``sweep``: exit 2 for a parameter error, 1 for data problems or a failed notebook."""
    try:
        data_dir, parameters = _given_parameters(args)
        options = {
            "parameters": parameters,
            "notebooks": args.notebooks,
            "notebook_dir": args.notebook_dir,
            "publication": args.publication,
            "jobs": args.jobs,
            "overwrite": args.overwrite,
        }
        if args.command == "sweep":
            result = sweep(data_dir, args.by, args.out, **options)
        else:
            result = report(data_dir, args.out, **options)
    except ParameterError as error:
        print(f"sce-analysis {args.command}: {error}", file=sys.stderr)
        return 2
    except DataValidationError as error:
        return _report_problems(error.folder, error.problems, "table")
    if isinstance(result, ReportResult):
        return _close(result)
    status = max([_close(one) for one in result.reports.values()], default=0)
    print(f"Sweep: {result.index}")
    return status


def _close(result: ReportResult) -> int:
    """Print a finished report's failures (stderr) and where it is (stdout); 1 when a notebook failed."""
    out, entries = result.out, result.manifest["notebooks"]
    for entry in result.failed:
        error = entry.get("error") or {}
        print(
            f"FAILED {entry['notebook']} at cell {error.get('cell')}: {error.get('error')}: {error.get('message')}",
            file=sys.stderr,
        )
    print(
        f"Report: {result.index}  ({len(entries) - len(result.failed)} of "
        f"{len(entries)} notebooks ok; tables in {out / 'tables'}, figures in {out / 'figures'})"
    )
    return 0 if result.ok else 1


def _params(args) -> int:
    try:
        declared = declared_parameters(select_notebooks(args.notebook))
    except ParameterError as error:
        print(f"sce-analysis params: {error}", file=sys.stderr)
        return 2
    for name, parameters in declared.items():
        print(f"{name}")
        width = max(len(p.name) for p in parameters.values())
        for p in parameters.values():
            print(f"  {p.name:<{width}}  {p.type:<5}  {json.dumps(p.default):<22}  {p.help}")
        print()
    return 0


def _chart_options(parser: argparse.ArgumentParser) -> None:
    """The options the gallery and the deck share."""
    parser.add_argument("--data", default="data/sample", help="the review-set folder (default: data/sample)")
    parser.add_argument("--seed", type=int, default=0, help="seed for themes and layouts (default 0)")
    _publication_options(parser)
    parser.set_defaults(run=_gallery)


def _publication_options(parser: argparse.ArgumentParser) -> None:
    """The publication options of the gallery, the deck and the dashboard."""
    parser.add_argument(
        "--publication", action="store_true", help="suppress small counts and figures on few areas; no free text"
    )
    parser.add_argument(
        "--suppress-below",
        type=int,
        default=DEFAULT_THRESHOLD,
        metavar="N",
        help=f"in publication mode, counts below N are shown as c (default {DEFAULT_THRESHOLD})",
    )
    parser.add_argument(
        "--min-areas",
        type=int,
        default=DEFAULT_MIN_AREAS,
        metavar="N",
        help=f"in publication mode, a figure needs at least N areas behind it (default {DEFAULT_MIN_AREAS})",
    )


def _policy(args) -> Policy:
    return Policy(publication=args.publication, threshold=args.suppress_below, min_areas=args.min_areas)


def _gallery(args) -> int:
    from .reports.gallery import build_deck, render_gallery  # matplotlib and python-pptx

    rs, status = _checked_set(args.data)
    if rs is None:
        return status
    policy = _policy(args)
    if args.command == "gallery":
        out = Path(args.out or "reports/gallery")
        paths = render_gallery(rs, out, context=args.context, seed=args.seed, policy=policy)
        print(
            f"Gallery: {out / 'index.html'}  ({sum(p.suffix == '.png' for p in paths)} charts, {args.context} context)"
        )
    else:
        path = build_deck(rs, Path(args.out or "reports/deck.pptx"), seed=args.seed, policy=policy)
        print(f"Deck: {path}")
    return 0


def _scan(args) -> int:
    from .publish.scan import main as scan_main  # compiles its patterns on import: 12 ms that validate need not pay

    return scan_main(args.folder)


def _dashboard(args) -> int:
    from .explorer.dashboard import serve_dashboard  # nbformat, and Voila in a subprocess

    policy = _policy(args)
    return serve_dashboard(
        args.data,
        port=args.port,
        host=args.host,
        token=args.token,
        publication=policy.publication,
        suppress_below=policy.threshold,
        min_areas=policy.min_areas,
    )


def _synthetic(args) -> int:
    from .synthetic import generator as synthetic  # 20 ms on import, for one rarely used command

    return synthetic.main(args.synthetic_args)


def _add_checking_commands(commands) -> None:
    """The commands for checking a review set: validate, summary."""
    validate = commands.add_parser(
        "validate",
        help="check a review-set folder against the data contract",
        description="Check a review-set folder. Prints every problem (file, line, column, value, fix) and "
        "exits 1, or prints a one-line summary and exits 0.",
    )
    validate.add_argument("folder", help="the review-set folder (holding reviews.csv, episodes.csv, ...)")
    validate.add_argument(
        "--format",
        choices=("table", "csv"),
        default="table",
        help="'table' for people (default), 'csv' to open the problem list in a spreadsheet (a value that a "
        "spreadsheet would run as a formula, such as =1+1, is written with a ' in front)",
    )
    validate.set_defaults(run=_validate)

    summary = commands.add_parser("summary", help="validate a review set and print what it holds")
    summary.add_argument("folder", help="the review-set folder")
    summary.set_defaults(run=_summary)


def _add_report_commands(commands) -> None:
    """The commands for notebook reports: report, sweep, params."""
    report = commands.add_parser(
        "report",
        help="run the notebooks with parameters into a report folder",
        description="Run the notebook suite on a review set: tables, figures, code-free HTML, an index page and "
        "a manifest. Parameters are checked before any kernel starts (exit 2), the data are validated "
        "first (exit 1), and a failing notebook does not stop the others (exit 1).",
    )
    _report_options(report)
    report.set_defaults(run=_report)

    sweep = commands.add_parser(
        "sweep",
        help="one report per region (area, year, review type), in parallel",
        description="Run the report once per group of a review column, each in its own folder, with an index.",
    )
    sweep.add_argument("--by", required=True, help="region, area, year or review_type")
    _report_options(sweep)
    sweep.set_defaults(run=_report)

    params = commands.add_parser("params", help="list the notebooks' parameters, types, defaults and help")
    params.add_argument("notebook", nargs="?", help="one notebook (number or name); all by default")
    params.set_defaults(run=_params)


def _add_output_commands(commands) -> None:
    """The commands for charts, decks, the identifier scan and the dashboard."""
    gallery = commands.add_parser(
        "gallery",
        help="render every chart of a review set, with an index.html contact sheet",
        description="Render every chart for a review set into a folder (PNG 200 dpi and SVG), with a contact sheet.",
    )
    gallery.add_argument("--out", help="the folder (default: reports/gallery)")
    gallery.add_argument("--context", choices=("paper", "talk"), default="paper", help="paper, or talk for slides")
    _chart_options(gallery)

    deck = commands.add_parser(
        "deck",
        help="a PowerPoint deck: a title slide with the scope, one chart per slide, speaker notes",
        description="Write a PowerPoint deck for trainers: one chart per slide, with notes on how to read each.",
    )
    deck.add_argument("--out", help="the .pptx file (default: reports/deck.pptx)")
    _chart_options(deck)

    scan = commands.add_parser(
        "scan",
        help="look for likely personal identifiers in a review set's free text before it is shared",
        description="Scan every CSV of FOLDER for postcodes, NHS numbers (valid checksum), phone numbers, email "
        "addresses, dates of birth and personal names. Exits 1 when anything is found, 0 when clean, 2 when the "
        "folder is missing.",
    )
    scan.add_argument("folder", help="the review-set folder")
    scan.set_defaults(run=_scan)

    dashboard = commands.add_parser(
        "dashboard",
        help="serve the explorer as a code-free Voila dashboard on 127.0.0.1",
        description="Serve notebooks/10-explorer.ipynb with Voila on 127.0.0.1 only, with no code shown, and print "
        "its URL. Another --host needs a token: --token draws a random one (printed in the URL), or set "
        "SCE_DASHBOARD_TOKEN; a request without it then gets 403 Forbidden.",
    )
    dashboard.add_argument("--data", default="data/sample", metavar="DIR", help="the review-set folder")
    dashboard.add_argument("--port", type=int, default=8866, metavar="N", help="the port (default 8866)")
    dashboard.add_argument(
        "--host",
        default="127.0.0.1",
        metavar="ADDRESS",
        help="the address to listen on (default 127.0.0.1: this machine only); any other needs a token",
    )
    dashboard.add_argument(
        "--token",
        action="store_true",
        help="require a random token (printed in the URL); SCE_DASHBOARD_TOKEN sets one of your own instead",
    )
    _publication_options(dashboard)
    dashboard.set_defaults(run=_dashboard)


def _add_exchange_commands(commands) -> None:
    """The commands for other file forms and coding frames: Excel, crosswalks, merging, converting."""
    template = commands.add_parser(
        "template",
        help="write an Excel coding workbook for one review",
        description="Write a coding workbook: sheets Review, KPEs, Factors, Findings, the Coding frame and "
        "Instructions, with drop-downs for codes, categories, appraisal, polarity and level.",
    )
    template.add_argument("out", metavar="OUT.xlsx", help="the workbook to write")
    template.add_argument(
        "--taxonomy", metavar="FILE", help="the coding frame: a taxonomy.csv or a review-set folder (default: sample)"
    )
    template.add_argument("--overwrite", action="store_true", help="replace OUT.xlsx if it exists")
    template.set_defaults(run=_template)

    import_excel = commands.add_parser(
        "import-excel",
        help="merge filled coding workbooks into one review-set folder",
        description="Read filled workbooks (one or more reviews each) and write one review set. Every problem is "
        "listed as workbook › sheet › cell, and nothing is written unless the whole import is clean. The folder "
        "keeps each cell's text exactly (a cell such as =1+1 stays =1+1, with no quote added).",
    )
    import_excel.add_argument("workbooks", nargs="+", metavar="WORKBOOK", help="the .xlsx files")
    import_excel.add_argument("--out", required=True, metavar="FOLDER", help="the new review-set folder")
    import_excel.add_argument(
        "--taxonomy", metavar="FILE", help="the coding frame (default: the workbooks' Coding frame sheets)"
    )
    import_excel.add_argument("--overwrite", action="store_true", help="replace the review set in --out")
    import_excel.set_defaults(run=_import_excel)

    export_excel = commands.add_parser(
        "export-excel",
        help="write a whole review set as one workbook, with a 0/1 factor-by-review matrix",
        description="Write FOLDER as one workbook in the template's layout (it can be read back with import-excel), "
        "plus a sheet Matrix: one row per review, one 0/1 column per factor code. Text starting with =, +, -, "
        "@, a tab or a carriage return is marked as text (Excel's quote prefix), so that it never runs as a "
        "formula; the text itself is kept exactly, so import-excel reads it back unchanged.",
    )
    export_excel.add_argument("folder", help="the review-set folder")
    export_excel.add_argument("out", metavar="OUT.xlsx", help="the workbook to write")
    export_excel.add_argument("--overwrite", action="store_true", help="replace OUT.xlsx if it exists")
    export_excel.set_defaults(run=_export_excel)

    import_qdpx = commands.add_parser(
        "import-qdpx",
        help="read a REFI-QDA project (.qdpx) from NVivo, ATLAS.ti, MAXQDA or QualCoder as a review set",
        description="Read PROJECT.qdpx and write one review set: each text source is a review, selections coded "
        "'Key practice episode' are KPEs, codes under 'Contributory factors' are factors (coded by the coding's "
        "user), SCIE categories under 'Findings' are findings, and variables on sources or cases fill the review "
        "columns. --print-map prints that map as YAML, to copy, edit and pass with --map. Every problem is listed "
        "as source › characters › code, and nothing is written unless the whole project is clean.",
    )
    import_qdpx.add_argument("project", nargs="?", metavar="PROJECT.qdpx", help="the exported project")
    import_qdpx.add_argument("--out", metavar="FOLDER", help="the new review-set folder")
    import_qdpx.add_argument("--map", metavar="MAP.yaml", help="code and variable names, if not the default ones")
    import_qdpx.add_argument(
        "--taxonomy", metavar="FILE", help="a coding frame to match codes to (default: built from the codebook)"
    )
    import_qdpx.add_argument("--overwrite", action="store_true", help="replace the review set in --out")
    import_qdpx.add_argument("--print-map", action="store_true", help="print the default map as YAML and stop")
    import_qdpx.set_defaults(run=_import_qdpx)

    export_qdpx = commands.add_parser(
        "export-qdpx",
        help="write a review set as a REFI-QDA project (.qdpx) for NVivo, ATLAS.ti, MAXQDA or QualCoder",
        description="Write FOLDER as OUT.qdpx: one text source per review (its KPE titles and summaries, then its "
        "findings), KPEs and factors coded on them under 'Key practice episodes' and 'Contributory factors' with "
        "one user per coder, findings under 'Findings', review columns as case variables, and the coding frame "
        "as the codebook. import-qdpx reads it back to the same set.",
    )
    export_qdpx.add_argument("folder", help="the review-set folder")
    export_qdpx.add_argument("out", metavar="OUT.qdpx", help="the project to write")
    export_qdpx.add_argument("--overwrite", action="store_true", help="replace OUT.qdpx if it exists")
    export_qdpx.set_defaults(run=_export_qdpx)

    crosswalk = commands.add_parser(
        "crosswalk",
        help="recode a review set into another coding frame with a many-to-one map",
        description="Recode FOLDER's factor codes (in factors, findings and the taxonomy) with MAP.csv "
        "(columns source_code, target_code) into a new folder. Unmapped codes, one-to-many rows and merged "
        "codings that disagree on polarity are reported all at once, and nothing is written. The new folder "
        "keeps the exact text: it is for reading back, not for a spreadsheet.",
    )
    crosswalk.add_argument("folder", help="the review-set folder to recode")
    crosswalk.add_argument("--map", required=True, metavar="MAP.csv", help="source_code,target_code per row")
    crosswalk.add_argument(
        "--taxonomy", metavar="FILE", help="the target coding frame: a taxonomy.csv or a review-set folder"
    )
    _output_options(crosswalk)
    crosswalk.set_defaults(run=_crosswalk)

    combine = commands.add_parser(
        "combine",
        help="merge review sets coded in one frame into one set",
        description="Merge review-set folders coded in one coding frame. Review IDs that occur in two sets, and "
        "coding frames that differ, are reported and nothing is written. The new folder keeps the exact text: "
        "it is for reading back, not for a spreadsheet.",
    )
    combine.add_argument("folders", nargs="+", metavar="FOLDER", help="the review-set folders, in order")
    _output_options(combine)
    combine.set_defaults(run=_combine)

    convert = commands.add_parser(
        "convert",
        help="check a review set and write it again as CSV or Parquet",
        description="Validate FOLDER and write it into a new folder in the chosen format (Parquet loads faster "
        "for national sets; load() reads either). The new folder keeps the exact text: it is for reading back, "
        "not for a spreadsheet.",
    )
    convert.add_argument("folder", help="the review-set folder")
    _output_options(convert)
    convert.set_defaults(run=_convert)


def _add_analysis_commands(commands) -> None:
    """The commands for inter-coder agreement and synthetic sets."""
    agreement = commands.add_parser(
        "agreement",
        help="inter-coder agreement on double-coded episodes (Cohen's kappa, Krippendorff's alpha)",
        description="Agreement between coders who coded the same episodes (the coder column of factors.csv), "
        "per code, factor type or SCIE category, with a pooled row.",
    )
    agreement.add_argument("folder", help="the review-set folder")
    agreement.add_argument(
        "--level", choices=("code", "factor_type", "scie_category"), default="code", help="what an item is"
    )
    agreement.add_argument("--coders", metavar="A,B", help="compare only these coders (default: all)")
    agreement.add_argument("--polarity", choices=("problematic", "good"), help="count only this polarity")
    agreement.add_argument(
        "--format",
        choices=("table", "csv"),
        default="table",
        help="table (default) or csv (text that a spreadsheet would run as a formula gets a ' in front)",
    )
    agreement.set_defaults(run=_agreement)

    synthetic = commands.add_parser(
        "synthetic",
        help="write a synthetic review set with planted patterns",
        description="Write a seeded synthetic review set (see sce_analysis.synthetic); options as "
        "`python -m sce_analysis.synthetic --help`.",
        add_help=False,
    )
    synthetic.add_argument("synthetic_args", nargs=argparse.REMAINDER)
    synthetic.set_defaults(run=_synthetic)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sce-analysis",
        description="Find the systemic influences that recur across SCIE Learning Together case reviews.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    _add_checking_commands(commands)
    _add_report_commands(commands)
    _add_output_commands(commands)
    _add_exchange_commands(commands)
    _add_analysis_commands(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except BrokenPipeError:
        # The reader went away (as `sce-analysis summary DIR | head` does): stop quietly, as Unix tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except SceAnalysisError as error:
        print(f"sce-analysis {args.command}: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
