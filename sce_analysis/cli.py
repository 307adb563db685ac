"""The ``sce-analysis`` command (also ``python -m sce_analysis``).

Exit status: 0 when all went well, 1 when the data have problems, 2 for a wrong command line.
"""

from __future__ import annotations

import argparse
import sys
import textwrap

from . import __version__
from .errors import SceAnalysisError
from .load import Problem, problems_frame, read_checked

__all__ = ["main"]

_VALUE_WIDTH = 24


def _shorten(text: str, width: int) -> str:
    text = text.replace("\r", " ").replace("\n", " ")
    return text if len(text) <= width else text[: width - 1] + "…"


def format_problems(problems: list[Problem], *, width: int = 120) -> str:
    """Render problems as a plain-text table; the message wraps under its own column."""
    rows = [
        (p.file, "" if p.line is None else str(p.line), p.column or "", _shorten(p.value, _VALUE_WIDTH), p.message)
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


def _describe(rs) -> str:
    c = rs._counts()
    years = f"{c['first_year']}–{c['last_year']}" if c["reviews"] else "no years"
    return (
        f"{c['reviews']:,} reviews from {c['areas']:,} areas in {c['regions']:,} regions, {years}; "
        f"{c['episodes']:,} episodes, {c['coded_factors']:,} coded factors, {c['findings']:,} findings"
    )


def _report_problems(folder: str, problems: list[Problem], fmt: str) -> int:
    if fmt == "csv":
        problems_frame(problems).to_csv(sys.stdout, index=False, lineterminator="\n")
    else:
        n = len(problems)
        print(f"{folder}: {n} problem{'s' if n != 1 else ''} found. Fix them and run this again.\n")
        print(format_problems(problems))
    return 1


def _validate(args) -> int:
    problems, rs = read_checked(args.folder)
    if problems:
        return _report_problems(args.folder, problems, args.format)
    print(f"{args.folder}: clean. {_describe(rs)}.")
    return 0


def _summary(args) -> int:
    problems, rs = read_checked(args.folder)
    if problems:
        return _report_problems(args.folder, problems, "table")
    print(f"{args.folder}: clean. {_describe(rs)}.\n")
    print(rs.summary().to_string(index=False))
    return 0


def _synthetic(args) -> int:
    from . import synthetic

    return synthetic.main(args.synthetic_args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sce-analysis",
        description="Find the systemic influences that recur across SCIE Learning Together case reviews.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

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
        help="'table' for people (default), 'csv' to open the problem list in a spreadsheet",
    )
    validate.set_defaults(run=_validate)

    summary = commands.add_parser("summary", help="validate a review set and print what it holds")
    summary.add_argument("folder", help="the review-set folder")
    summary.set_defaults(run=_summary)

    synthetic = commands.add_parser(
        "synthetic",
        help="write a synthetic review set with planted patterns",
        description="Write a seeded synthetic review set (see sce_analysis.synthetic); options as "
        "`python -m sce_analysis.synthetic --help`.",
        add_help=False,
    )
    synthetic.add_argument("synthetic_args", nargs=argparse.REMAINDER)
    synthetic.set_defaults(run=_synthetic)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except SceAnalysisError as error:
        print(f"sce-analysis {args.command}: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
