"""The interactive explorer (ipywidgets, in JupyterLab) and its code-free Voila dashboard.

- :mod:`~sce_analysis.explorer.app`: :func:`explore` and the :class:`Explorer`;
- :mod:`~sce_analysis.explorer.dashboard`: serving the explorer notebook on 127.0.0.1.
"""

import lazy_loader as lazy

__getattr__, __dir__, __all__ = lazy.attach(
    __name__,
    submodules=["app", "dashboard"],
    submod_attrs={
        "app": ["Explorer", "explore", "TABS", "THEME_RESAMPLES"],
        "dashboard": ["EXPLORER_NOTEBOOK", "dashboard_notebook", "voila_command", "serve_dashboard"],
    },
)
