"""One analysis run inside a notebook: checked parameters, the review set in scope, and its outputs.

A notebook starts with :func:`start_run`, which checks every parameter, loads and validates the
data, narrows them to the scope, and prepares the output folder. Tables and figures are then
written through :meth:`Run.table` and :meth:`Run.figure`, so every notebook writes them the same
way, under stable names, byte for byte the same for the same data and parameters.
"""

from __future__ import annotations

import base64
import html
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
from IPython import get_ipython

from ..charts import save_figure
from ..errors import ParameterError
from ..publish.disclosure import TABLE_FLOAT_FORMAT
from ..publish.policy import Policy
from ..reviewsets.read import load
from .formatting import styled
from .journal import note
from .parameters import check_core_values, in_scope, publication_policy
from .readings import reading_of_figure

__all__ = ["Run", "ShownTable", "ShownFigure", "start_run", "TABLE_FLOAT_FORMAT"]


@dataclass
class Run:
    """The state of one notebook run. Made by :func:`start_run`."""

    notebook: str
    review_set: object
    out_dir: Path
    parameters: dict
    written: list[Path] = field(default_factory=list)

    @property
    def policy(self) -> Policy:
        """What this run's outputs may show (see :class:`~sce_analysis.publish.policy.Policy`)."""
        return publication_policy(self.parameters)

    @property
    def publication(self) -> bool:
        return self.policy.publication

    @property
    def threshold(self) -> int:
        return self.policy.threshold

    def table(self, name: str, frame: pd.DataFrame) -> pd.DataFrame:
        """Write ``frame`` to ``tables/<name>.csv`` and return it for display.

        In publication mode the table first passes through the run's :attr:`policy`: small counts,
        figures with too few areas behind them, and what rests on them are written as ``c`` (and
        returned as missing values, which charts draw as marked gaps); free text and identifiers
        are left out. The table returned is a :class:`ShownTable`: a notebook shows ``c`` where the
        CSV has it, and a blank where a value is missing.
        """
        _check_name(name)
        path = self.out_dir / "tables" / f"{name}.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        note(self.out_dir, [path])
        published = self.policy.write_published(frame, path)  # published once: written, then shown
        self.written.append(path)
        return ShownTable(published.frame, suppressed=published.mask if self.publication else None)

    def network(self, graph):
        """The factor network to draw: in publication mode, without links and factors on small counts
        or too few areas."""
        return self.policy.network(graph)

    def figure(self, name: str, figure_or_axes):
        """Save a chart as ``figures/<name>.png`` and ``.svg``, close it, and return the saved PNG.

        The notebook shows the PNG exactly as saved, whatever matplotlib backend the kernel has
        (a report run under ``MPLBACKEND=Agg`` shows its charts too), and closed figures do not
        pile up in memory over a long notebook.
        """
        _check_name(name)
        figure = figure_or_axes.get_figure(root=True) if hasattr(figure_or_axes, "get_figure") else figure_or_axes
        self.policy.stamp(figure)
        alt = figure_alt_text(name, figure)
        note(self.out_dir, [self.out_dir / "figures" / f"{name}.{kind}" for kind in ("png", "svg")])
        png, svg = save_figure(figure, self.out_dir / "figures" / name)
        self.written.extend([png, svg])
        plt.close(figure)
        return ShownFigure(png.read_bytes(), alt)

    def scope(self) -> pd.DataFrame:
        """What is in scope: the summary counts of the filtered review set (:meth:`ReviewSet.summary`), with
        ``n_contributing_areas``, the areas in scope, behind every one of them."""
        n_areas = int(self.review_set.reviews["area"].nunique())
        return self.review_set.summary().assign(n_contributing_areas=n_areas)


class ShownTable(pd.DataFrame):
    """A table as :meth:`Run.table` wrote it: a DataFrame that also knows which cells were suppressed
    (``suppressed``, a mask like the table, or None), so that its notebook display shows ``c`` there.
    What is computed from it is a plain DataFrame."""

    _metadata = ["suppressed"]

    def __init__(self, data=None, *args, suppressed: pd.DataFrame | None = None, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.suppressed = suppressed

    @property
    def _constructor(self):
        return pd.DataFrame


class ShownFigure:
    """A saved chart as a notebook shows it: the 200-dpi PNG itself, scaled to the page width, with
    alt text (its title and how to read it). It is given as HTML only (with the alt text as plain
    text), so an executed notebook holds each chart once."""

    def __init__(self, png: bytes, alt: str):
        self.png, self.alt = png, alt

    def __repr__(self) -> str:
        return self.alt

    def _repr_html_(self) -> str:
        data = base64.b64encode(self.png).decode("ascii")
        return (
            f'<img src="data:image/png;base64,{data}" alt="{html.escape(self.alt, quote=True)}" '
            'style="max-width: 100%; height: auto;">'
        )


def figure_alt_text(name: str, figure) -> str:
    """Alt text for a report figure: its drawn title, then how to read it when the gallery draws the
    same chart (:func:`~sce_analysis.reports.readings.reading_of_figure`)."""
    titles = [figure._suptitle.get_text()] if getattr(figure, "_suptitle", None) is not None else []
    titles += [ax.get_title() for ax in figure.axes if ax.get_title()]
    reading = reading_of_figure(name)  # a reading that names the group drawn is left out: the title says it
    title = titles[0] if titles else name.replace("_", " ").capitalize()
    return f"Chart: {title}. {reading.how_to_read if reading else ''}".strip()


def _check_name(name: str) -> None:
    if not name or not all(c.isalnum() or c in "_-" for c in name):
        raise ParameterError(f"output name {name!r} must be letters, digits, '_' or '-'.")


def start_run(
    notebook: str,
    *,
    data_dir: str,
    out_dir: str,
    areas: list | None = None,
    regions: list | None = None,
    years: list | None = None,
    review_types: list | None = None,
    **other,
) -> Run:
    """Check the parameters, load the data in scope and prepare the output folder.

    Parameters
    ----------
    notebook : str
        The notebook's name, such as ``"02-recurring-factors"``.
    data_dir, out_dir : str
        The review-set folder, and where tables and figures go (``tables/``, ``figures/``).
    areas, regions, review_types : list
        Keep only reviews with these values; empty keeps all.
    years : list
        Empty, or ``[first, last]`` inclusive.
    **other
        The notebook's other parameters (``unit``, ``min_count``, ``alpha``, ``seed``,
        ``publication``, ``suppress_below``, ``min_areas``, ``interactive`` and its own); the core ones are
        checked here and all are recorded on the run.

    Returns
    -------
    Run

    Raises
    ------
    ParameterError
        A parameter value is impossible, or a filter names something the data do not have.
    DataValidationError
        The data break the contract.
    """
    values = check_core_values(
        {
            "areas": list(areas or []),
            "regions": list(regions or []),
            "years": list(years or []),
            "review_types": list(review_types or []),
            **other,
        }
    )
    rs = in_scope(load(data_dir), values)
    if len(rs.reviews) == 0:
        raise ParameterError("no review is in scope: the filters exclude every review. Widen them.")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    show_tables_for_reading()
    return Run(notebook, rs, out, {"data_dir": str(data_dir), "out_dir": str(out_dir), **values})


#: Rows of a table a notebook page shows; the CSV has them all.
SHOWN_ROWS = 30


def _readable_html(frame: pd.DataFrame) -> str:
    styler = styled(frame, rows=SHOWN_ROWS, suppressed=getattr(frame, "suppressed", None))
    if len(frame) > SHOWN_ROWS:
        styler = styler.set_caption(f"The first {SHOWN_ROWS} of {len(frame):,} rows; the CSV has them all.")
    return styler.to_html()


def show_tables_for_reading() -> None:
    """In a Jupyter kernel, show every DataFrame as a formatted table (no index, human headers,
    percentages, rounded statistics; :func:`~sce_analysis.reports.formatting.styled`). The tables
    written to CSV keep every digit. Outside a kernel this does nothing."""
    shell = get_ipython()
    if shell is None or not hasattr(shell, "display_formatter"):
        return
    shell.display_formatter.formatters["text/html"].for_type(pd.DataFrame, _readable_html)
