"""The public API after the move into subpackages: the same names, loaded lazily, and every old import path.

The lists below are the ``__all__`` of version 0.1.0, frozen here so that a name dropped by mistake
fails a test instead of a user's notebook.
"""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
import warnings

import pytest
from conftest import ROOT

import sce_analysis as sce

#: ``sce_analysis.__all__`` of 0.1.0.
TOP_LEVEL_0_1 = [
    "APPRAISALS",
    "LEVELS",
    "POLARITIES",
    "SCIE_CATEGORIES",
    "SCIE_CATEGORY_LABELS",
    "SCIE_CATEGORY_SHORT_LABELS",
    "DataValidationError",
    "ParameterError",
    "Problem",
    "ReviewSet",
    "SceAnalysisError",
    "from_frames",
    "load",
    "problems_frame",
    "read_taxonomy",
    "validate",
    "Presence",
    "presence",
    "factor_prevalence",
    "recurring_factors",
    "factor_trends",
    "compare_groups",
    "finding_categories",
    "category_factors",
    "level_profile",
    "factor_pairs",
    "factor_network",
    "node_metrics",
    "systemic_themes",
    "factor_sequences",
    "cross_level_links",
    "review_similarity",
    "cluster_reviews",
    "coverage",
    "per_review_counts",
    "coder_agreement",
    "agreement_overview",
    "board_questions",
    "most_different_group",
    "Run",
    "start_run",
    "style",
    "plot_prevalence",
    "plot_spread",
    "plot_cooccurrence",
    "plot_factor_network",
    "plot_level_map",
    "plot_sequences",
    "plot_trends",
    "plot_group_differences",
    "plot_finding_categories",
    "plot_level_profile",
    "plot_coverage",
    "save_figure",
    "Explorer",
    "explore",
]

#: Each 0.1.0 module that moved, its ``__all__`` then, and the module that holds those names now.
OLD_MODULES = {
    "agreement": (
        "sce_analysis.stats.agreement",
        ["coder_agreement", "agreement_overview", "AGREEMENT_LEVELS", "AGREEMENT_COLUMNS"],
    ),
    "contract": (
        "sce_analysis.reviewsets.contract",
        [
            "APPRAISALS",
            "LEVELS",
            "POLARITIES",
            "SCIE_CATEGORIES",
            "SCIE_CATEGORY_LABELS",
            "SCIE_CATEGORY_SHORT_LABELS",
            "FILES",
            "Column",
            "FileSpec",
            "normalise_category",
        ],
    ),
    "crosswalk": ("sce_analysis.exchange.crosswalk", ["read_crosswalk", "crosswalk", "combine"]),
    "disclosure": (
        "sce_analysis.publish.disclosure",
        [
            "SUPPRESSED",
            "Published",
            "publish",
            "to_published_csv",
            "FREE_TEXT_COLUMNS",
            "IDENTIFIER_COLUMNS",
            "publish_network",
        ],
    ),
    "excel": (
        "sce_analysis.exchange.excel",
        ["SHEETS", "write_template", "read_workbooks", "import_workbooks", "export_workbook"],
    ),
    "gallery": (
        "sce_analysis.reports.gallery",
        ["ChartSpec", "CHARTS", "Tables", "render_gallery", "build_deck", "chart_figure"],
    ),
    "load": ("sce_analysis.reviewsets", ["Problem", "load", "validate", "from_frames", "problems_frame"]),
    "networks": (
        "sce_analysis.stats",
        [
            "factor_pairs",
            "pair_table",
            "factor_network",
            "node_metrics",
            "louvain_themes",
            "systemic_themes",
            "factor_sequences",
            "cross_level_links",
            "review_similarity",
            "cluster_reviews",
        ],
    ),
    "overview": ("sce_analysis.stats.overview", ["coverage", "per_review_counts"]),
    "parameters": (
        "sce_analysis.reports.parameters",
        ["Parameter", "CORE_PARAMETERS", "read_parameters", "cast_value", "check_core_values", "in_scope"],
    ),
    "patterns": (
        "sce_analysis.stats",
        [
            "factor_prevalence",
            "recurring_factors",
            "factor_trends",
            "compare_groups",
            "finding_categories",
            "category_factors",
            "level_profile",
            "board_questions",
            "most_different_group",
        ],
    ),
    "presence": ("sce_analysis.stats.presence", ["Presence", "presence", "UNITS", "one_hot"]),
    "reviewset": ("sce_analysis.reviewsets", ["ReviewSet", "check_new_folder", "save_new_folder"]),
    "run": ("sce_analysis.reports.run", ["Run", "start_run", "TABLE_FLOAT_FORMAT"]),
    "runner": (
        "sce_analysis.reports.runner",
        ["NOTEBOOK_DIR", "notebooks", "plan_report", "execute", "Task", "ReportPlan"],
    ),
    "scan": (
        "sce_analysis.publish.scan",
        ["GIVEN_NAMES", "KINDS", "STOP_WORDS", "UNREADABLE", "find_identifiers", "format_findings", "main", "scan"],
    ),
    "style": (
        "sce_analysis.charts.style",
        [
            "CONTEXTS",
            "CATEGORY_COLORS",
            "LEVEL_COLORS",
            "THEME_COLORS",
            "MISSING_COLOR",
            "SUPPRESSED_HATCH",
            "CATEGORY_NAMES",
            "LEVEL_NAMES",
            "context",
            "rc",
            "category_color",
            "level_color",
            "theme_color",
            "category_name",
            "level_name",
            "wrap_label",
            "text_size",
            "scope_text",
            "stamp",
        ],
    ),
    "widgets": (
        "sce_analysis.explorer",
        ["Explorer", "explore", "TABS", "dashboard_notebook", "voila_command", "serve_dashboard"],
    ),
}

#: Old modules whose path is now a package of the same name, holding the same names.
KEPT_PATHS = {
    "stats": ["wilson_interval", "bh_qvalues", "fisher_two_sided", "fisher_greater", "odds_ratio_woolf"],
    "charts": [
        "plot_prevalence",
        "plot_spread",
        "plot_cooccurrence",
        "plot_factor_network",
        "plot_level_map",
        "plot_sequences",
        "plot_trends",
        "plot_group_differences",
        "plot_finding_categories",
        "plot_level_profile",
        "plot_coverage",
        "save_figure",
        "draft",
    ],
    "synthetic": ["SAMPLE_ARGS", "Plants", "SyntheticSet", "generate", "main", "sample"],
}


def test_every_top_level_name_of_0_1_is_still_there_and_listed():
    missing = [name for name in TOP_LEVEL_0_1 if not hasattr(sce, name)]
    assert not missing
    assert set(TOP_LEVEL_0_1) <= set(sce.__all__) and set(sce.__all__) <= set(dir(sce))
    for name in sce.__all__:
        assert getattr(sce, name) is not None, name
    assert callable(sce.load) and callable(sce.presence) and sce.style.__name__ == "sce_analysis.charts.style"


@pytest.mark.parametrize("old", sorted(OLD_MODULES))
def test_an_old_module_path_still_gives_its_names_with_a_warning(old):
    new, names = OLD_MODULES[old]
    home = importlib.import_module(new)
    for name in names:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            value = getattr(importlib.import_module(f"sce_analysis.{old}"), name)
        assert value is getattr(home, name), f"sce_analysis.{old}.{name}"
        assert any(issubclass(w.category, DeprecationWarning) and new in str(w.message) for w in caught), name
    # The from-import form goes through the same stand-in.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        namespace: dict = {}
        exec(f"from sce_analysis.{old} import {names[0]}", namespace)
    assert namespace[names[0]] is getattr(home, names[0])


@pytest.mark.parametrize("path", sorted(KEPT_PATHS))
def test_a_kept_path_is_now_a_package_with_the_same_names(path):
    package = importlib.import_module(f"sce_analysis.{path}")
    assert hasattr(package, "__path__")
    assert all(hasattr(package, name) for name in KEPT_PATHS[path])


def test_an_old_path_does_not_forward_private_names():
    stand_in = importlib.import_module("sce_analysis.load")
    for name in ("_as_text", "__wrapped__"):
        with pytest.raises(AttributeError, match="moved to sce_analysis.reviewsets"):
            getattr(stand_in, name)


def _modules_loaded_by(code: str) -> list[str]:
    probe = (
        f"{code}\nimport sys\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'pandas', 'numpy', 'matplotlib', 'statsmodels', 'networkx', 'scipy', 'papermill', 'ipywidgets'}))"
    )
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    return ast.literal_eval(result.stdout.strip().splitlines()[-1])  # a list literal printed by the probe


def test_importing_the_package_loads_no_heavy_library():
    assert _modules_loaded_by("import sce_analysis") == []


def test_each_name_loads_only_what_it_needs():
    # Reading a review set needs pandas, not plotting or modelling.
    loaded = _modules_loaded_by("import sce_analysis as sce; sce.load('data/sample')")
    assert {"pandas", "numpy"} <= set(loaded) and not {"matplotlib", "statsmodels", "networkx"} & set(loaded)
    # A chart function brings matplotlib, once asked for.
    assert "matplotlib" in _modules_loaded_by("import sce_analysis as sce; sce.plot_prevalence")


def test_the_validate_command_loads_no_statistics_or_plotting():
    code = "import sys; from sce_analysis.cli import main; sys.argv = ['sce-analysis', 'validate', 'data/sample']\n"
    code += "try:\n    main()\nexcept SystemExit:\n    pass"
    assert set(_modules_loaded_by(code)) == {"pandas", "numpy"}


def test_python_m_synthetic_still_runs(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "sce_analysis.synthetic", str(tmp_path / "set")],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert sce.load(tmp_path / "set").equals(sce.load(ROOT / "data" / "sample"))
