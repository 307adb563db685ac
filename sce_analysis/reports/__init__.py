"""Reports: notebook parameters, one run inside a notebook, the report and sweep runner, the gallery and deck.

- :mod:`~sce_analysis.reports.parameters`: reading, casting and checking notebook parameters;
- :mod:`~sce_analysis.reports.run`: :func:`start_run` and the :class:`Run` a notebook writes through;
- :mod:`~sce_analysis.reports.runner`: executing the notebook suite into a report folder;
- :mod:`~sce_analysis.reports.gallery`: every chart at once, as a contact sheet or a slide deck.
"""

import lazy_loader as lazy

__getattr__, __dir__, __all__ = lazy.attach(
    __name__,
    submodules=["gallery", "parameters", "run", "runner"],
    submod_attrs={
        "gallery": ["ChartSpec", "CHARTS", "Tables", "render_gallery", "build_deck", "chart_figure"],
        "parameters": [
            "Parameter",
            "CORE_PARAMETERS",
            "read_parameters",
            "cast_value",
            "check_core_values",
            "in_scope",
        ],
        "run": ["Run", "start_run", "TABLE_FLOAT_FORMAT"],
        "runner": ["NOTEBOOK_DIR", "notebooks", "plan_report", "execute", "Task", "ReportPlan"],
    },
)
