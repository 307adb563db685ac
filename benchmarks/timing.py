"""What the benchmarks share: the best of a few timed calls (the least disturbed by other work)."""

from __future__ import annotations

import time


def best_of(call, repeat: int) -> float:
    """The shortest of ``repeat`` runs of ``call()``, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return min(times)
