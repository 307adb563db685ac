"""Time the whole notebook report, on the shipped sample and on a national-scale synthetic set.

Usage: python benchmarks/bench_report.py [--reviews 10000] [--jobs 2]

Targets (issue 5): under 60 s on data/sample and under 3 minutes on 10,000 reviews, on 2 cores.
Each report runs as a user would run it: `sce-analysis report` in a fresh process.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

GENERATE = """
import sys
from sce_analysis import synthetic
synthetic.generate(int(sys.argv[2]), seed=2026, n_areas=150, n_regions=9).review_set.save(sys.argv[1])
"""


def report(data: Path, out: Path, jobs: int) -> tuple[float, dict]:
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "sce_analysis", "report", "--data", str(data), "--out", str(out), "--jobs", str(jobs)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    seconds = time.perf_counter() - start
    return seconds, json.loads((out / "manifest.json").read_text())


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reviews", type=int, default=10_000)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        national = scratch / "national"
        subprocess.run([sys.executable, "-c", GENERATE, str(national), str(args.reviews)], check=True)
        for name, data, target in (
            ("data/sample", ROOT / "data" / "sample", 60),
            (f"{args.reviews:,} reviews", national, 180),
        ):
            seconds, manifest = report(data, scratch / f"report-{data.name}", args.jobs)
            verdict = "met" if seconds < target else "MISSED"
            print(f"{name:<16} whole report {seconds:6.1f} s with --jobs {args.jobs} (target < {target} s: {verdict})")
            for entry in manifest["notebooks"]:
                print(f"    {entry['notebook']:<24}{entry['seconds']:>7.1f} s  {entry['status']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
