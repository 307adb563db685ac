"""Time the start-up: ``import sce_analysis`` and ``sce-analysis validate``, each in a fresh process.

Usage: python benchmarks/bench_import.py [--repeat 5]

Targets (issue 13): ``import sce_analysis`` under 0.3 s (cumulative, from ``python -X importtime``);
``sce-analysis validate data/sample`` under 1.5 s wall time from a cold start; and neither loads
matplotlib, statsmodels, networkx or papermill (validate may load pandas: it reads the CSVs with it).
Each figure is the best of ``--repeat`` fresh processes. Exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = "data/sample"
IMPORT_TARGET_S = 0.3
VALIDATE_TARGET_S = 1.5
#: Libraries that start-up must not pay for.
HEAVY = ("matplotlib", "statsmodels", "networkx", "papermill")
#: Shown for information only.
OTHERS = ("pandas", "numpy", "scipy", "openpyxl", "ipywidgets")

# The top-level line of -X importtime: "import time: self | cumulative | sce_analysis" (no indent).
TOP_LEVEL = re.compile(r"^import time:\s+\d+ \|\s+(\d+) \| sce_analysis$", flags=re.M)

LOADED = """
import json, sys
{code}
print(json.dumps(sorted({{m.split(".")[0] for m in sys.modules}})), file=sys.stderr)
"""
VALIDATE = "from sce_analysis.cli import main; main(['validate', {sample!r}])"


def run(arguments: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(arguments, cwd=ROOT, capture_output=True, text=True, check=True)


def import_seconds(repeat: int) -> float:
    """Best cumulative time of the top-level ``sce_analysis`` import, from ``-X importtime``."""
    times = []
    for _ in range(repeat):
        stderr = run([sys.executable, "-X", "importtime", "-c", "import sce_analysis"]).stderr
        times.append(int(TOP_LEVEL.search(stderr).group(1)) / 1e6)
    return min(times)


def validate_seconds(repeat: int) -> float:
    """Best wall time of ``sce-analysis validate data/sample`` in a fresh process."""
    script = Path(sys.executable).with_name("sce-analysis")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "sce_analysis"]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run([*command, "validate", SAMPLE])
        times.append(time.perf_counter() - start)
    return min(times)


def libraries_loaded(code: str) -> set[str]:
    """The top-level packages in ``sys.modules`` after running ``code`` in a fresh process."""
    stderr = run([sys.executable, "-c", LOADED.format(code=code)]).stderr
    return set(json.loads(stderr.strip().splitlines()[-1]))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="fresh processes per figure (the best counts)")
    args = parser.parse_args(argv)
    seconds = {"import sce_analysis": import_seconds(args.repeat), f"validate {SAMPLE}": validate_seconds(args.repeat)}
    targets = {"import sce_analysis": IMPORT_TARGET_S, f"validate {SAMPLE}": VALIDATE_TARGET_S}
    loaded = {
        "import sce_analysis": libraries_loaded("import sce_analysis"),
        f"validate {SAMPLE}": libraries_loaded(VALIDATE.format(sample=SAMPLE)),
    }
    missed = 0
    print(f"{'start-up':<22}{'best of ' + str(args.repeat):>12}{'target':>9}  heavy libraries loaded   others loaded")
    for name, value in seconds.items():
        heavy = sorted(loaded[name] & set(HEAVY))
        others = sorted(loaded[name] & set(OTHERS))
        ok = value < targets[name] and not heavy
        missed += not ok
        print(
            f"{name:<22}{value:>10.3f} s{'< ' + str(targets[name]) + ' s':>9}  {', '.join(heavy) or 'none':<23}  "
            f"{', '.join(others) or 'none':<24}{'met' if ok else 'MISSED'}"
        )
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
