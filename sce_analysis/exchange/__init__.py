"""Review sets in and out of other forms: Excel coding workbooks, crosswalks between coding frames, combining sets.

- :mod:`~sce_analysis.exchange.excel`: the coding template, importing filled workbooks, exporting a set;
- :mod:`~sce_analysis.exchange.crosswalk`: recoding into another frame, and combining sets.
"""

import lazy_loader as lazy

__getattr__, __dir__, __all__ = lazy.attach(
    __name__,
    submodules=["crosswalk", "excel"],
    submod_attrs={
        "crosswalk": ["read_crosswalk", "crosswalk", "combine"],
        "excel": ["SHEETS", "write_template", "read_workbooks", "import_workbooks", "export_workbook"],
    },
)
