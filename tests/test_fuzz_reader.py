"""Fuzzing the reader (issue "Hardening", part 3): a mutated review set gives problems, never a crash.

``make test`` runs 200 deterministic cases; ``make fuzz`` runs 10,000 (benchmarks/fuzz_reader.py).
Each crash the fuzzer found is kept below as an example.
"""

from __future__ import annotations

import os

from conftest import CLEAN
from hypothesis import HealthCheck, example, given, settings
from reader_fuzz import check, mutated_sets

GOOD = {name: text.encode("utf-8") for name, text in CLEAN.items()}


@settings(
    max_examples=int(os.environ.get("SCE_FUZZ_EXAMPLES", "200")),
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(mutated_sets())
@example({**GOOD, "reviews.csv": GOOD["reviews.csv"].replace(b"Child A", b"Child \x00A")})
@example({**GOOD, "factors.csv": GOOD["factors.csv"].decode().encode("utf-16-le")})
@example({**GOOD, "episodes.csv": b'"' + GOOD["episodes.csv"]})
def test_a_mutated_set_gives_problems_that_name_a_file_never_a_crash(files):
    check(files)
