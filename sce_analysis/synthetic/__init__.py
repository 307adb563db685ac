"""Synthetic review sets with planted patterns, for tests, benchmarks and the shipped sample.

See :func:`generate`. ``python -m sce_analysis.synthetic OUT_FOLDER`` writes a set with a README
that says what is planted in it.
"""

import lazy_loader as lazy

__getattr__, __dir__, __all__ = lazy.attach(
    __name__,
    submodules=["generator"],
    submod_attrs={"generator": ["SAMPLE_ARGS", "Plants", "SyntheticSet", "generate", "main", "sample"]},
)
