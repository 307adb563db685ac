"""The publication policy: one object decides what every output may show.

A report (:class:`~sce_analysis.reports.run.Run`), the gallery and the slide deck, and the explorer
each hold one :class:`Policy` and publish every table, network, count and figure through it. A
fix to the rules therefore reaches every output at once. The rules themselves are in
:mod:`sce_analysis.publish.disclosure`; the policy holds their settings (the small-count
threshold and the contributing-areas minimum) and whether the output is for publication at all.

Examples
--------
>>> import sce_analysis as sce
>>> from sce_analysis.publish.policy import Policy
>>> rs = sce.load("data/sample")
>>> policy = Policy(publication=True)
>>> published = policy.table(sce.factor_prevalence(rs, by="area"))
>>> int(published["n_units"].notna().sum())  # every area's row rests on one area
0
>>> Policy(publication=False).count(2)
'2'
>>> policy.count(2)
'c'
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..checks import check_whole
from .disclosure import (
    DEFAULT_MIN_AREAS,
    DEFAULT_THRESHOLD,
    SUPPRESSED,
    TABLE_FLOAT_FORMAT,
    Published,
    footer,
    is_hidden,
    publish,
    publish_network,
    to_published_csv,
)

__all__ = ["Policy"]


@dataclass(frozen=True)
class Policy:
    """What an output may show.

    Parameters
    ----------
    publication : bool, default True
        True: small counts and figures with too few areas behind them are suppressed (``c``),
        and free text and identifiers are left out. False: full detail, for the analysts who
        hold the data; nothing is suppressed.
    threshold : int, default 5
        Counts from 1 to ``threshold - 1`` are suppressed.
    min_areas : int, default 3
        A figure is published only when at least this many areas (local partnerships) stand
        behind it; 1 turns the rule off.
    """

    publication: bool = True
    threshold: int = DEFAULT_THRESHOLD
    min_areas: int = DEFAULT_MIN_AREAS

    def __post_init__(self) -> None:
        object.__setattr__(self, "publication", bool(self.publication))
        object.__setattr__(self, "threshold", check_whole(self.threshold, "suppress_below", 1))
        object.__setattr__(self, "min_areas", check_whole(self.min_areas, "min_areas", 1))

    # ------------------------------------------------------------------ tables

    def publish(self, frame: pd.DataFrame) -> Published:
        """The table as it may be shown, with the mask of suppressed cells (none in full detail)."""
        if not self.publication:
            return Published(frame, pd.DataFrame(False, index=frame.index, columns=frame.columns))
        return publish(frame, threshold=self.threshold, min_areas=self.min_areas)

    def table(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The table as it may be shown: suppressed cells are missing values (charts draw them as gaps)."""
        return self.publish(frame).frame

    def write_csv(self, frame: pd.DataFrame, path) -> pd.DataFrame:
        """Write a table as CSV (suppressed cells as ``c``) and return it as it may be shown."""
        published = self.publish(frame)
        if self.publication:
            to_published_csv(published, path)
        else:
            frame.to_csv(path, index=False, lineterminator="\n", float_format=TABLE_FLOAT_FORMAT)
        return published.frame

    def hidden(self, columns) -> list[str]:
        """Which of ``columns`` may not be shown: identifiers and free text, in publication mode."""
        return [c for c in columns if self.publication and is_hidden(c)]

    # ------------------------------------------------------------------ networks and counts

    def network(self, graph):
        """The factor network as it may be drawn: in publication mode, without links and factors on
        small counts or too few areas."""
        if not self.publication:
            return graph
        return publish_network(graph, threshold=self.threshold, min_areas=self.min_areas)

    def count(self, n: int, *, areas: int | None = None) -> str:
        """One count as it may be shown in text: ``c`` when it is small, or when ``areas`` (the
        areas behind it, if known) are too few."""
        n = int(n)
        if self.publication and n > 0 and (n < self.threshold or (areas is not None and areas < self.min_areas)):
            return SUPPRESSED
        return f"{n:,}"

    # ------------------------------------------------------------------ what every output says

    @property
    def missing_text(self) -> str:
        """How a suppressed cell is shown in an HTML table."""
        return SUPPRESSED if self.publication else ""

    def footer(self) -> str | None:
        """The line a publication output carries; None in full detail."""
        return footer(self.threshold, self.min_areas) if self.publication else None

    def stamp(self, figure, *, fontsize: float = 8) -> None:
        """Write the footer at the bottom right of a matplotlib figure (nothing in full detail)."""
        text = self.footer()
        if text:
            figure.text(0.99, 0.002, text, ha="right", va="bottom", fontsize=fontsize, color="#555555")

    def describe(self) -> dict:
        """The settings as the manifest records them."""
        return {
            "mode": self.publication,
            "suppress_below": self.threshold,
            "min_areas": self.min_areas,
            "rules": self.footer(),
        }
