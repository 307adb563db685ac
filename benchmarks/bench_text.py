"""Time the text index at national scale: build it (TF-IDF and semantic) and answer one query.

Usage: python benchmarks/bench_text.py [--reviews 10000] [--queries 50]

The set is made by the seeded generator (about 65,000 KPE summaries and 35,000 findings at 10,000
reviews). Targets: the index under 30 s (tfidf) and 60 s (semantic); a query under 50 ms.
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np

from sce_analysis import synthetic
from sce_analysis.text import index as text


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reviews", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)

    rs = synthetic.generate(args.reviews, seed=args.seed, n_areas=150, n_regions=9).review_set
    print(f"{len(rs.reviews):,} reviews, {len(rs.episodes):,} KPE summaries, {len(rs.findings):,} findings")
    rng = np.random.default_rng(args.seed)
    picks = rng.choice(len(rs.findings), size=args.queries, replace=False)
    queries = list(zip(rs.findings["review_id"].iloc[picks], rs.findings["finding_id"].iloc[picks], strict=True))
    for backend in text.BACKENDS:
        text._CACHE.clear()
        start = time.perf_counter()
        index = text.text_index(rs, backend=backend)
        built = time.perf_counter() - start
        text.similar_findings(rs, queries[0], backend=backend)  # the findings-only index, built once
        times = []
        for query in queries:
            start = time.perf_counter()
            text.similar_findings(rs, query, backend=backend)
            times.append(time.perf_counter() - start)
        print(
            f"{backend:9s} index {built:6.1f} s ({index.vectors.shape[0]:,} × {index.vectors.shape[1]:,})   "
            f"query median {1000 * np.median(times):5.1f} ms, max {1000 * max(times):5.1f} ms"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
