"""Time `load` and `validate` at national scale, from CSV and from Parquet, against bare pandas reads.

Usage: python benchmarks/bench_load.py [--reviews 10000] [--repeat 3] [--keep FOLDER]

The review set is made by the seeded generator (about 6.5 KPEs and 16 codings per review) in a
child process and saved twice: as CSV in FOLDER and as Parquet (``ReviewSet.save(format="parquet")``)
in FOLDER-parquet. Each operation then runs in a fresh Python process started by this small parent
(Linux carries a parent's peak RSS across fork and exec, so the parent must stay small), which
makes each peak memory its own. Time is the best of ``--repeat`` runs and excludes imports; peak
RSS includes them ("imports only" shows how much that is).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

OPERATIONS = {
    "imports only": "pass\n",
    "pandas.read_csv": (
        "import pandas as pd\n"
        "for name in ('reviews', 'episodes', 'factors', 'findings', 'taxonomy'):\n"
        "    pd.read_csv(folder / f'{name}.csv')\n"
    ),
    "sce.validate": "import sce_analysis as sce\nassert sce.validate(folder) == []\n",
    "sce.load": "import sce_analysis as sce\nsce.load(folder)\n",
    "pandas.read_parquet": (
        "import pandas as pd\n"
        "for name in ('reviews', 'episodes', 'factors', 'findings', 'taxonomy'):\n"
        "    pd.read_parquet(parquet / f'{name}.parquet')\n"
    ),
    "sce.load (Parquet)": "import sce_analysis as sce\nsce.load(parquet)\n",
}

CHILD = """
import resource, sys, time, json
from pathlib import Path
folder = Path(sys.argv[1])
parquet = folder.with_name(folder.name + "-parquet")
import pandas, numpy, sce_analysis  # imports are not part of the timing
start = time.perf_counter()
exec(sys.argv[2])
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


GENERATE = """
import sys, time
from pathlib import Path
from sce_analysis import synthetic
folder, n, seed = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
start = time.perf_counter()
rs = synthetic.generate(n, seed=seed, n_areas=150, n_regions=9).review_set
seconds = time.perf_counter() - start
rs.save(folder)
parquet = rs.save(folder.with_name(folder.name + "-parquet"), format="parquet")
mib = sum(p.stat().st_size for p in folder.glob("*.csv")) / 2**20
parquet_mib = sum(p.stat().st_size for p in parquet.glob("*.parquet")) / 2**20
print(f"{len(rs.reviews):,} reviews, {len(rs.episodes):,} KPEs, {len(rs.factors):,} codings, "
      f"{len(rs.findings):,} findings; {mib:.1f} MiB of CSV, {parquet_mib:.1f} MiB of Parquet; "
      f"generated in {seconds:.2f} s")
"""


def measure(folder: Path, code: str, repeat: int) -> dict:
    runs = []
    for _ in range(repeat):
        out = subprocess.run(
            [sys.executable, "-c", CHILD, str(folder), code], capture_output=True, text=True, check=True
        ).stdout
        runs.append(json.loads(out.strip().splitlines()[-1]))
    return {"seconds": min(r["seconds"] for r in runs), "peak_mib": max(r["peak_mib"] for r in runs)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reviews", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--keep", type=Path, help="write the generated set here and keep it")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch) / "national"
        made = subprocess.run(
            [sys.executable, "-c", GENERATE, str(folder), str(args.reviews), str(args.seed)],
            capture_output=True,
            text=True,
            check=True,
        )
        print(made.stdout.strip() + "\n")
        results = {name: measure(folder, code, args.repeat) for name, code in OPERATIONS.items()}
    bare = results["pandas.read_csv"]["seconds"]
    print(f"{'operation':<22}{'best of ' + str(args.repeat):>12}{'peak RSS':>12}{'vs read_csv':>14}")
    for name, result in results.items():
        ratio = "" if name == "imports only" else f"{result['seconds'] / bare:>13.1f}×"
        print(f"{name:<22}{result['seconds']:>10.2f} s{result['peak_mib']:>8.0f} MiB{ratio}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
