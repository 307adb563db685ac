"""Fuzz the review-set reader with many mutated sets and count the crashes (``make fuzz``).

Usage: python benchmarks/fuzz_reader.py [--cases 10000]

Runs the mutations of tests/reader_fuzz.py (the same as tests/test_fuzz_reader.py, which runs 200 of
them in ``make test``), but goes on after a failure, and prints how many cases ran, how many failed
and the first few failures. Exits 1 when any case failed.
"""

from __future__ import annotations

import argparse
import sys
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from hypothesis import HealthCheck, given, settings
from reader_fuzz import check, mutated_sets


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    args = parser.parse_args(argv)
    ran, failures = 0, []

    @settings(
        max_examples=args.cases,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(mutated_sets())
    def run(files):
        nonlocal ran
        ran += 1
        try:
            check(files)
        except Exception:
            failures.append((files, traceback.format_exc(limit=3)))

    start = time.perf_counter()
    run()
    seconds = time.perf_counter() - start
    print(f"{ran:,} cases run in {seconds:,.0f} s, {len(failures)} failed")
    for files, trace in failures[:5]:
        print("-" * 80)
        print({name: data[:300] for name, data in files.items()})
        print(trace)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
