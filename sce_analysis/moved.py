"""Old import paths, kept working after the modules moved into subpackages (0.2.0).

Until 0.2.0 every module sat in one flat folder: ``sce_analysis.load``, ``sce_analysis.widgets``
and so on. They now live in subpackages by layer (see the changelog). Code and notebooks that
import an old path keep working: each old module name is registered in ``sys.modules`` as a
small stand-in that hands out the names of its new home on first use, with a
DeprecationWarning that names the new path. Nothing is imported until a name is used, so the
stand-ins cost ``import sce_analysis`` nothing.
"""

from __future__ import annotations

import importlib
import sys
import types
import warnings

__all__ = ["MOVED", "MovedModule", "install"]

#: Old module path -> the new module or package that holds every public name it had.
MOVED: dict[str, str] = {
    "sce_analysis.agreement": "sce_analysis.stats.agreement",
    "sce_analysis.contract": "sce_analysis.reviewsets.contract",
    "sce_analysis.crosswalk": "sce_analysis.exchange.crosswalk",
    "sce_analysis.disclosure": "sce_analysis.publish.disclosure",
    "sce_analysis.excel": "sce_analysis.exchange.excel",
    "sce_analysis.gallery": "sce_analysis.reports.gallery",
    "sce_analysis.load": "sce_analysis.reviewsets",
    "sce_analysis.networks": "sce_analysis.stats",
    "sce_analysis.overview": "sce_analysis.stats.overview",
    "sce_analysis.parameters": "sce_analysis.reports.parameters",
    "sce_analysis.patterns": "sce_analysis.stats",
    "sce_analysis.presence": "sce_analysis.stats.presence",
    "sce_analysis.reviewset": "sce_analysis.reviewsets",
    "sce_analysis.run": "sce_analysis.reports.run",
    "sce_analysis.runner": "sce_analysis.reports.runner",
    "sce_analysis.scan": "sce_analysis.publish.scan",
    "sce_analysis.style": "sce_analysis.charts.style",
    "sce_analysis.widgets": "sce_analysis.explorer",
}


class MovedModule(types.ModuleType):
    """Stands in for a module that moved: attribute access is forwarded to its new home."""

    def __init__(self, old: str, new: str):
        super().__init__(old, f"Moved to {new}; this name keeps old imports working.")
        self.__moved_to__ = new

    def __getattr__(self, name: str):
        if name.startswith("_") and name != "__all__":
            # Private names were never part of the API, and dunder lookups (copy, IPython) are not forwarded.
            raise AttributeError(f"module {self.__name__!r} (moved to {self.__moved_to__}) has no attribute {name!r}")
        new = self.__moved_to__
        warnings.warn(
            f"{self.__name__} moved to {new} in sce_analysis 0.2.0: import {name} from {new} (or from "
            "sce_analysis itself) instead. The old path will be removed in 1.0.",
            DeprecationWarning,
            stacklevel=2,
        )
        return getattr(importlib.import_module(new), name)

    def __dir__(self):
        return dir(importlib.import_module(self.__moved_to__))


def install() -> None:
    """Register a stand-in for every old module path not already imported."""
    for old, new in MOVED.items():
        sys.modules.setdefault(old, MovedModule(old, new))
