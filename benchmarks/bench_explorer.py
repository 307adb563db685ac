"""Time one explorer update (a filter change: status line and the visible chart) at national scale.

Run: ``python benchmarks/bench_explorer.py [--reviews 10000]``. The target is at most 300 ms per update
at 10,000 reviews. The update path is called directly (no browser, no kernel messages).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time

os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("HOME", tempfile.mkdtemp(prefix="sce-bench-home-"))

from sce_analysis import synthetic
from sce_analysis.widgets import explore

TARGET_SECONDS = 0.300


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reviews", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    start = time.perf_counter()
    rs = synthetic.generate(args.reviews, seed=args.seed, n_areas=150, n_regions=9).review_set
    generated = time.perf_counter() - start
    start = time.perf_counter()
    app = explore(rs)
    built = time.perf_counter() - start
    print(f"{args.reviews} reviews, {len(rs.episodes)} episodes, {len(rs.factors)} codings")
    print(f"generate {generated:.1f} s; build explorer (presence matrices, arrays, first draw) {built:.2f} s")

    first, last = app.years.min, app.years.max
    regions = list(app.regions.options)
    changes = []
    for i in range(args.repeat):
        # Alternate scopes so every update really changes the status line and the chart.
        years = (first + i % 3, last - i % 2)
        chosen = tuple(regions[i % len(regions) : i % len(regions) + 2])
        changes.append((years, chosen))
    times = {"review": [], "episode": []}
    for unit in ("review", "episode"):
        app.unit.value = unit
        for years, chosen in changes:
            before = app.charts["recurrence"].value
            start = time.perf_counter()
            app.set_filters(years=years, regions=chosen)  # one update: status line and the visible chart
            times[unit].append(time.perf_counter() - start)
            assert app.charts["recurrence"].value != before
    for unit, values in times.items():
        print(
            f"update (unit={unit}): median {statistics.median(values) * 1000:.0f} ms, "
            f"max {max(values) * 1000:.0f} ms over {len(values)} filter changes "
            f"(target <= {TARGET_SECONDS * 1000:.0f} ms)"
        )
    worst = max(statistics.median(v) for v in times.values())
    print("PASS" if worst <= TARGET_SECONDS else "FAIL", f"median update {worst * 1000:.0f} ms")
    return 0 if worst <= TARGET_SECONDS else 1


if __name__ == "__main__":
    raise SystemExit(main())
