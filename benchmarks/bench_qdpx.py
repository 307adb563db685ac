"""Time REFI-QDA export and import of a 1,000-review project (about 6,500 KPEs and 16,000 codings).

Usage: python benchmarks/bench_qdpx.py [--reviews 1000] [--repeat 3]

The set is made by the seeded generator with 10% of episodes double-coded. The target is under
10 s each way. Import is timed with the set's taxonomy (codes matched by label) and without (the
coding frame built from the codebook).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from timing import best_of

from sce_analysis import synthetic
from sce_analysis.exchange.qdpx_export import write_qdpx
from sce_analysis.exchange.qdpx_import import read_qdpx


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reviews", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)

    rs = synthetic.generate(args.reviews, seed=args.seed, n_areas=150, n_regions=9, double_coded_share=0.1).review_set
    print(f"{len(rs.reviews):,} reviews, {len(rs.episodes):,} KPEs, {len(rs.factors):,} codings (10% double-coded)")
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "set.qdpx"
        export = best_of(lambda: write_qdpx(rs, path, overwrite=True), args.repeat)
        size = path.stat().st_size
        with_taxonomy = best_of(lambda: read_qdpx(path, taxonomy=rs), args.repeat)
        without = best_of(lambda: read_qdpx(path), args.repeat)
        back = read_qdpx(path, taxonomy=rs)
    same = all(getattr(back, name).equals(getattr(rs, name)) for name in ("reviews", "episodes", "factors", "findings"))
    print(f"export              {export:7.2f} s   ({size / 2**20:.1f} MiB)")
    print(f"import (taxonomy)   {with_taxonomy:7.2f} s")
    print(f"import (codebook)   {without:7.2f} s")
    print(f"round trip equal    {same}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
