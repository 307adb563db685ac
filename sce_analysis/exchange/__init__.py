"""Review sets in and out of other forms: Excel coding workbooks, crosswalks between coding frames, combining sets.

- :mod:`~sce_analysis.exchange.excel`: the coding template and the export of a whole set;
- :mod:`~sce_analysis.exchange.workbook_import`: reading filled workbooks back, every problem by cell;
- :mod:`~sce_analysis.exchange.crosswalk`: recoding into another frame, and combining sets;
- :mod:`~sce_analysis.exchange.qdpx_import`, :mod:`~sce_analysis.exchange.qdpx_export`: REFI-QDA projects
  (``.qdpx``) from and for NVivo, ATLAS.ti, MAXQDA and QualCoder, through the map of
  :mod:`~sce_analysis.exchange.qdpx_map` and the archive model of :mod:`~sce_analysis.exchange.qdpx_project`;
- :mod:`~sce_analysis.exchange.safe_xml`: the rules for untrusted zip archives and XML that every importer follows.
"""

import lazy_loader as lazy

__getattr__, __dir__, __all__ = lazy.attach(
    __name__,
    submodules=[
        "crosswalk",
        "excel",
        "qdpx_export",
        "qdpx_import",
        "qdpx_map",
        "qdpx_project",
        "safe_xml",
        "workbook_import",
    ],
    submod_attrs={
        "crosswalk": ["read_crosswalk", "crosswalk", "combine"],
        "excel": ["write_template", "export_workbook"],
        "workbook_import": ["SHEETS", "read_workbooks", "import_workbooks"],
        "qdpx_import": ["read_qdpx", "import_qdpx"],
        "qdpx_export": ["write_qdpx"],
        "qdpx_map": ["QdpxMap", "default_map", "read_map", "map_yaml"],
    },
)
