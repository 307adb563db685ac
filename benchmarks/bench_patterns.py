"""Time the recurrence statistics at national scale.

Usage: python benchmarks/bench_patterns.py [--reviews 10000] [--repeat 3]

Target (issue 3): factor_prevalence, recurring_factors, factor_trends and
compare_groups(by="region") together under 2 s at 10,000 reviews.
"""

from __future__ import annotations

import argparse
import functools
import sys

from timing import best_of

import sce_analysis as sce
from sce_analysis import synthetic

CALLS = {
    "factor_prevalence": lambda rs: sce.factor_prevalence(rs),
    "recurring_factors": lambda rs: sce.recurring_factors(rs),
    "factor_trends": lambda rs: sce.factor_trends(rs),
    "compare_groups(region)": lambda rs: sce.compare_groups(rs, by="region"),
}
EXTRA = {
    "factor_prevalence(by=region)": lambda rs: sce.factor_prevalence(rs, by="region"),
    "factor_prevalence(episode)": lambda rs: sce.factor_prevalence(rs, unit="episode"),
    "compare_groups(area)": lambda rs: sce.compare_groups(rs, by="area"),
    "finding_categories": lambda rs: sce.finding_categories(rs),
    "category_factors": lambda rs: sce.category_factors(rs),
    "level_profile(by=region)": lambda rs: sce.level_profile(rs, by="region"),
}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reviews", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    rs = synthetic.generate(args.reviews, seed=args.seed, n_areas=150, n_regions=9).review_set
    print(
        f"{len(rs.reviews):,} reviews, {len(rs.episodes):,} KPEs, {len(rs.factors):,} codings, "
        f"{len(rs.taxonomy)} codes\n"
    )
    total = 0.0
    for name, call in CALLS.items():
        seconds = best_of(functools.partial(call, rs), args.repeat)
        total += seconds
        print(f"{name:<30}{seconds:>8.3f} s")
    print(f"{'the four together':<30}{total:>8.3f} s   (target < 2 s)\n")
    for name, call in EXTRA.items():
        print(f"{name:<30}{best_of(functools.partial(call, rs), args.repeat):>8.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
