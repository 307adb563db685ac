"""Time the coding workflows at national scale: agreement, crosswalk, combine, Parquet and Excel.

Usage: python benchmarks/bench_workflows.py [--reviews 10000] [--excel-reviews 1000] [--repeat 3]

The set is made by the seeded generator with 10% of episodes double-coded. Excel is timed on its
first ``--excel-reviews`` reviews (openpyxl writes and reads cell by cell; a national set belongs in
CSV or Parquet, and workbooks carry one review each); pass ``--excel-reviews 10000`` for the full set.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from timing import best_of

import sce_analysis as sce
from sce_analysis import synthetic
from sce_analysis.exchange import excel
from sce_analysis.exchange.crosswalk import combine, crosswalk


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reviews", type=int, default=10_000)
    parser.add_argument("--excel-reviews", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)

    rs = synthetic.generate(args.reviews, seed=args.seed, n_areas=150, n_regions=9, double_coded_share=0.1).review_set
    print(f"{len(rs.reviews):,} reviews, {len(rs.episodes):,} KPEs, {len(rs.factors):,} factor rows (10% double-coded)")
    # A many-to-one map: every code to the first code of its factor type with the same polarity (a coarser
    # frame; merging a supportive code into a problematic one would be a polarity conflict, rightly refused).
    taxonomy = rs.taxonomy
    good = set(rs.factors.loc[rs.factors["polarity"] == "good", "factor_code"])
    groups = [taxonomy["factor_type"], taxonomy["factor_code"].isin(good)]
    target = taxonomy.groupby(groups, sort=False)["factor_code"].transform("first")
    mapping = pd.DataFrame({"source_code": taxonomy["factor_code"], "target_code": target})
    position = np.arange(len(rs.reviews))
    first = rs.select_reviews(position < len(position) // 2)
    second = rs.select_reviews(position >= len(position) // 2)
    small = rs.select_reviews(position < args.excel_reviews)

    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        book = folder / "set.xlsx"
        calls = {
            "coder_agreement(code)": lambda: sce.coder_agreement(rs, level="code"),
            "coder_agreement(scie_category)": lambda: sce.coder_agreement(rs, level="scie_category"),
            f"crosswalk ({mapping['target_code'].nunique()} targets)": lambda: crosswalk(rs, mapping),
            "combine (two halves)": lambda: combine([first, second]),
            "save CSV": lambda: rs.save(folder / "csv"),
            "save Parquet": lambda: rs.save(folder / "parquet", format="parquet"),
            f"export_workbook ({len(small.reviews):,} reviews)": lambda: excel.export_workbook(
                small, book, overwrite=True
            ),
            f"read_workbooks ({len(small.reviews):,} reviews)": lambda: excel.read_workbooks([book]),
        }
        print(f"\n{'operation':<40}{'best of ' + str(args.repeat):>12}")
        for name, call in calls.items():
            print(f"{name:<40}{best_of(call, args.repeat):>10.2f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
