"""Time one explorer update (a filter change: status line, visible tab's table and chart) at national scale, per tab.

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
from sce_analysis.explorer.app import TABS, THEME_RESAMPLES, explore

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

    first, last = app.year_options[0], app.year_options[-1]
    regions = list(app.regions.options)
    changes = []
    for i in range(args.repeat):
        # Alternate scopes so every update really changes the status line and the chart.
        years = (first + i % 3, last - i % 2)
        chosen = tuple(regions[i % len(regions) : i % len(regions) + 2])
        changes.append((years, chosen))

    def time_updates(tab: str) -> list[float]:
        values = []
        for years, chosen in changes:
            before = app.pngs[tab]
            start = time.perf_counter()
            app.set_filters(years=years, regions=chosen)  # one update: status line and the visible tab
            values.append(time.perf_counter() - start)
            assert app.pngs[tab] != before, f"the {tab} chart did not change"
        return values

    rows = []
    for index, (tab, _) in enumerate(TABS):
        app.tabs.selected_index = index
        for unit in ("review", "episode") if tab in ("recurrence", "spread") else ("review",):
            app.unit.value = unit
            rows.append((f"{tab} (unit={unit})", time_updates(tab)))
    app.unit.value = "review"
    app.tabs.selected_index = [key for key, _ in TABS].index("themes")
    app.stability.value = True
    stability = time_updates("themes")
    app.stability.value = False

    print(f"{'tab':<28} {'median':>8} {'max':>8}   (target: median <= {TARGET_SECONDS * 1000:.0f} ms)")
    for name, values in rows:
        print(f"{name:<28} {statistics.median(values) * 1000:>6.0f} ms {max(values) * 1000:>6.0f} ms")
    print(
        f"{'themes + stability (opt-in)':<28} {statistics.median(stability) * 1000:>6.0f} ms "
        f"{max(stability) * 1000:>6.0f} ms   ({THEME_RESAMPLES} bootstrap resamples; not held to the target)"
    )
    worst_name, worst = max(((name, statistics.median(values)) for name, values in rows), key=lambda item: item[1])
    print("PASS" if worst <= TARGET_SECONDS else "FAIL", f"slowest tab: {worst_name}, median {worst * 1000:.0f} ms")
    return 0 if worst <= TARGET_SECONDS else 1


if __name__ == "__main__":
    raise SystemExit(main())
