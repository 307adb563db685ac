"""Synthetic review sets with planted patterns, for tests, benchmarks and the shipped sample.

See :func:`generate`. ``python -m sce_analysis.synthetic OUT_FOLDER`` writes a set with a README
that says what is planted in it.

- :mod:`~sce_analysis.synthetic.generator`: :func:`generate`, :func:`sample`, the model and the command;
- :mod:`~sce_analysis.synthetic.plants`: :class:`Plants`, what a set has planted in it;
- :mod:`~sce_analysis.synthetic.vocabulary`: the data files beside it (``data/``), read and checked;
- :mod:`~sce_analysis.synthetic.readme`: the README of a set, filled from a template.
"""

import lazy_loader as lazy

__getattr__, __dir__, __all__ = lazy.attach(
    __name__,
    submodules=["generator", "plants", "readme", "vocabulary"],
    submod_attrs={
        "generator": ["SAMPLE_ARGS", "SyntheticSet", "generate", "main", "sample"],
        "plants": ["Plants"],
    },
)
