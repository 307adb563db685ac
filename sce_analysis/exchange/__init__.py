"""Review sets in and out of other forms: Excel coding workbooks, crosswalks between coding frames, combining sets.

- :mod:`~sce_analysis.exchange.excel`: the coding template and the export of a whole set;
- :mod:`~sce_analysis.exchange.workbook_import`: reading filled workbooks back, every problem by cell;
- :mod:`~sce_analysis.exchange.crosswalk`: recoding into another frame, and combining sets;
- :mod:`~sce_analysis.exchange.safe_xml`: the rules for untrusted zip archives and XML that every importer follows.
"""

import lazy_loader as lazy

__getattr__, __dir__, __all__ = lazy.attach(
    __name__,
    submodules=["crosswalk", "excel", "safe_xml", "workbook_import"],
    submod_attrs={
        "crosswalk": ["read_crosswalk", "crosswalk", "combine"],
        "excel": ["write_template", "export_workbook"],
        "workbook_import": ["SHEETS", "read_workbooks", "import_workbooks"],
    },
)
