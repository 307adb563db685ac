"""The words behind the codes: search a review set's prose, offline.

- :mod:`~sce_analysis.text.index`: :func:`text_index` (TF-IDF or the ``wordllama`` model shipped in
  its wheel), and :func:`similar_findings` / :func:`similar_episodes`: which other reviews wrote this?
"""

import lazy_loader as lazy

__getattr__, __dir__, __all__ = lazy.attach(
    __name__,
    submodules=["index"],
    submod_attrs={"index": ["FIELDS", "BACKENDS", "TextIndex", "text_index", "similar_findings", "similar_episodes"]},
)
