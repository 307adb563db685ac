"""The ReviewSet: the typed frames of a review set, and what can be done with them whole."""

from __future__ import annotations

import difflib
import html
import os
import tempfile
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import ParameterError
from .atomic import clear_stale, disk_full, fsync_file, fsync_folder, staging_file_prefix
from .cache import DerivedCache, RowSelection
from .contract import FILES, SCIE_CATEGORIES
from .csvfiles import csv_text
from .folders import check_new_folder, current_umask, save_new_folder
from .parquet import write_parquet

# check_new_folder and save_new_folder live in folders; they are named here too, as before 0.2.0.
__all__ = ["ReviewSet", "check_new_folder", "save_new_folder"]


class ReviewSet:
    """The coded output of many SCIE case reviews, as typed pandas frames.

    Made by :func:`sce_analysis.load` or :func:`sce_analysis.from_frames`; never built by
    hand. The frames follow the data contract, in its column order, followed by any extra
    columns of the files:

    - ``reviews``: one row per review; ``year`` is ``int64``.
    - ``episodes``: one row per key practice episode; ``sequence`` is ``Int64``, the dates are
      ``datetime64[s]``, ``appraisal`` is categorical, ``agencies`` is ``;``-joined text.
    - ``factors``: one row per contributory factor coded on an episode; ``polarity`` is
      categorical, ``problematic`` where the file left it empty.
    - ``findings``: one row per finding; ``category`` is categorical over the six SCIE keys.
    - ``taxonomy``: the coding frame. When the set has no ``taxonomy.csv`` it holds the codes
      used in ``factors`` with the code as label (``taxonomy_given`` is then False).

    Lists are also exploded into link tables: :attr:`episode_agencies`,
    :attr:`finding_episodes` and :attr:`finding_factors`.

    A ReviewSet is not changed in place: :meth:`filter` returns a new one, whose ``episodes``,
    ``factors`` and ``findings`` are selected from the parent's the first time they are read (a
    statistic that needs only the reviews and the presence matrices never copies them). Treat its frames as
    read-only, and copy one before changing it. What is computed from it (positions, coder masks,
    presence matrices) is kept in :attr:`derived`, a :class:`~sce_analysis.reviewsets.cache.DerivedCache`.
    """

    def __init__(
        self,
        reviews: pd.DataFrame,
        episodes: pd.DataFrame,
        factors: pd.DataFrame,
        findings: pd.DataFrame,
        taxonomy: pd.DataFrame,
        source: str | None = None,
        taxonomy_given: bool = True,
    ):
        frames = {"reviews": reviews, "episodes": episodes, "factors": factors, "findings": findings}
        set_attribute = object.__setattr__
        set_attribute(self, "_frames", {**frames, "taxonomy": taxonomy})
        set_attribute(self, "source", source)
        set_attribute(self, "taxonomy_given", taxonomy_given)
        #: Values computed from the set once (positions, coder masks, presence matrices); those that can
        #: follow a filter are carried into the filtered set (see :meth:`select_reviews`).
        set_attribute(self, "derived", DerivedCache())

    def __setattr__(self, name, value):
        raise AttributeError(f"a ReviewSet is not changed in place (tried to set {name!r}); filter or rebuild it.")

    def with_source(self, source: str | None) -> ReviewSet:
        """The same set (the same frames and derived values), saying it came from ``source``."""
        other = ReviewSet(
            **{name: self._frames[name] for name in FILES}, source=source, taxonomy_given=self.taxonomy_given
        )
        object.__setattr__(other, "derived", self.derived)
        return other

    def _frame(self, name: str) -> pd.DataFrame:
        frame = self._frames[name]
        if isinstance(frame, _SelectedRows):
            frame = self._frames[name] = frame.take()
        return frame

    @property
    def reviews(self) -> pd.DataFrame:
        """One row per review."""
        return self._frame("reviews")

    @property
    def episodes(self) -> pd.DataFrame:
        """One row per key practice episode."""
        return self._frame("episodes")

    @property
    def factors(self) -> pd.DataFrame:
        """One row per contributory factor coded on an episode."""
        return self._frame("factors")

    @property
    def findings(self) -> pd.DataFrame:
        """One row per finding."""
        return self._frame("findings")

    @property
    def taxonomy(self) -> pd.DataFrame:
        """The coding frame."""
        return self._frame("taxonomy")

    # ------------------------------------------------------------------ link tables

    @cached_property
    def episode_agencies(self) -> pd.DataFrame:
        """One row per agency of an episode: ``review_id, episode_id, agency``."""
        return _explode(self.episodes, ["review_id", "episode_id"], "agencies", "agency")

    @cached_property
    def finding_episodes(self) -> pd.DataFrame:
        """One row per episode a finding cites: ``review_id, finding_id, episode_id``."""
        return _explode(self.findings, ["review_id", "finding_id"], "episode_ids", "episode_id")

    @cached_property
    def finding_factors(self) -> pd.DataFrame:
        """One row per factor a finding names: ``review_id, finding_id, factor_code``."""
        return _explode(self.findings, ["review_id", "finding_id"], "factor_codes", "factor_code")

    # ------------------------------------------------------------------ coders

    @property
    def coders(self) -> list[str]:
        """The coders named in ``factors``, in order of first appearance."""
        return self.factors["coder"].dropna().unique().tolist()

    def codings(self, *, coder: str | None = None) -> pd.DataFrame:
        """The factor rows of one coder per episode, which the analyses use.

        Parameters
        ----------
        coder : str, optional
            Prefer this coder on the episodes they coded. By default, and on the episodes
            this coder did not code, the first coder of each episode (in file order) is used.

        Returns
        -------
        DataFrame
            Rows of ``factors``, in their order, without the other coders' rows.

        Examples
        --------
        >>> import sce_analysis as sce
        >>> rs = sce.load("data/sample")
        >>> len(rs.codings()) <= len(rs.factors)
        True
        """
        return self.factors[self.coding_mask(coder=coder)].reset_index(drop=True)

    def coding_mask(self, *, coder: str | None = None) -> np.ndarray:
        """Which rows of ``factors`` :meth:`codings` keeps, as a boolean array (computed once per coder)."""
        if coder is not None and coder not in self.coders:
            raise ParameterError(f"coder {coder!r} coded nothing in this set; coders are {self.coders}.")
        # The first coder of an episode depends on that episode's rows only, and a filter keeps or
        # drops whole episodes: the mask follows a filter along the rows of factors.
        return self.derived.get(("coding_mask", coder), lambda: self._coding_mask(coder), follows="factors")

    def _coding_mask(self, coder: str | None) -> np.ndarray:
        episode = self.factor_positions["episode"]
        who, names = pd.factorize(self.factors["coder"].fillna(""), sort=False)
        if len(who) == 0:
            return np.zeros(0, dtype=bool)
        # The first row of each episode in file order names its first coder.
        first_row = np.full(len(self.episodes), -1, dtype=np.int64)
        order = np.arange(len(episode))[::-1]
        first_row[episode[order]] = order
        chosen = np.where(first_row >= 0, who[np.maximum(first_row, 0)], -1)
        if coder is not None:
            did = np.zeros(len(self.episodes), dtype=bool)
            did[episode[who == names.get_loc(coder)]] = True
            chosen = np.where(did, names.get_loc(coder), chosen)
        return who == chosen[episode]

    @property
    def factor_positions(self) -> dict[str, np.ndarray]:
        """For each row of ``factors``: the positions of its review, episode and code in their frames.

        Keys ``review``, ``episode`` and ``code``, one item per row of ``factors``; and
        ``episode_review``, the position of each episode's review, one item per row of ``episodes``.
        """
        return self.derived.get("factor_positions", self._factor_positions, follows=_positions_after_filter)

    def _factor_positions(self) -> dict[str, np.ndarray]:
        reviews = pd.Index(self.reviews["review_id"])
        episodes = pd.MultiIndex.from_frame(self.episodes[["review_id", "episode_id"]])
        return {
            "review": reviews.get_indexer(self.factors["review_id"]),
            "episode": episodes.get_indexer(pd.MultiIndex.from_frame(self.factors[["review_id", "episode_id"]])),
            "code": pd.Index(self.taxonomy["factor_code"]).get_indexer(self.factors["factor_code"]),
            "episode_review": reviews.get_indexer(self.episodes["review_id"]),
        }

    @property
    def finding_positions(self) -> np.ndarray:
        """For each row of ``findings``: the position of its review in ``reviews``."""
        return self.derived.get("finding_positions", self._finding_positions, follows=_finding_positions_after_filter)

    def _finding_positions(self) -> np.ndarray:
        return pd.Index(self.reviews["review_id"]).get_indexer(self.findings["review_id"])

    # ------------------------------------------------------------------ filter

    def filter(self, *, areas=None, regions=None, years=None, review_types=None) -> ReviewSet:
        """Keep the reviews in scope, with their episodes, factors and findings, and only those.

        Parameters
        ----------
        areas, regions, review_types : str or list of str, optional
            Keep reviews whose value is one of these. Each value must occur in the set, so a
            misspelt name fails instead of selecting nothing.
        years : (int, int), optional
            Inclusive first and last year of completion.

        Returns
        -------
        ReviewSet
            A new set; the coding frame (``taxonomy``) is kept whole.

        Examples
        --------
        >>> import sce_analysis as sce
        >>> rs = sce.load("data/sample")
        >>> recent = rs.filter(years=(2020, 2025))
        >>> bool(recent.reviews["year"].min() >= 2020)
        True
        """
        keep = pd.Series(True, index=self.reviews.index)
        for column, wanted in (("area", areas), ("region", regions), ("review_type", review_types)):
            if wanted is not None:
                keep &= self.reviews[column].isin(self._known_values(column, wanted))
        if years is not None:
            first, last = _year_range(years)
            keep &= self.reviews["year"].between(first, last)
        return self.select_reviews(keep.to_numpy(dtype=bool))

    def _known_values(self, column: str, wanted) -> list[str]:
        name = {"area": "areas", "region": "regions", "review_type": "review_types"}[column]
        values = [wanted] if isinstance(wanted, str) else list(wanted)
        if not all(isinstance(v, str) for v in values):
            raise ParameterError(f"{name} must be a name or a list of names, not {wanted!r}.")
        known = set(self.reviews[column].dropna())
        for value in values:
            if value not in known:
                close = difflib.get_close_matches(value, sorted(known), n=3)
                hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
                raise ParameterError(
                    f"{name}: {value!r} is not a {column} of this review set.{hint} "
                    f"Known: {', '.join(sorted(known)) or 'none'}."
                )
        return values

    def select_reviews(self, keep) -> ReviewSet:
        """The set of the reviews where the boolean array ``keep`` holds, with their episodes, factors and findings.

        The positional filter under :meth:`filter`, for callers that already hold a mask over the
        rows of ``reviews`` (the explorer filters a national set on every click). Rows are selected
        by position, not by matching identifiers, and the values in :attr:`derived` that can follow
        a filter (positions, coder masks, presence matrices) are carried into the new set, sliced,
        instead of being rebuilt.

        Parameters
        ----------
        keep : array of bool
            One item per row of ``reviews``.

        Returns
        -------
        ReviewSet
            A new set; the coding frame (``taxonomy``) is kept whole.

        Examples
        --------
        >>> import sce_analysis as sce
        >>> rs = sce.load("data/sample")
        >>> midlands = rs.select_reviews(rs.reviews["region"].eq("Midlands").to_numpy())
        >>> midlands.reviews.equals(rs.filter(regions="Midlands").reviews)
        True
        """
        keep = np.asarray(keep, dtype=bool)
        if keep.shape != (len(self.reviews),):
            raise ParameterError(
                f"keep must hold one True or False per review ({len(self.reviews)}); got {keep.shape}."
            )
        positions = self.factor_positions
        selection = RowSelection(
            reviews=keep,
            episodes=keep[positions["episode_review"]],
            factors=keep[positions["review"]],
            findings=keep[self.finding_positions],
        )
        subset = ReviewSet(
            reviews=self.reviews[keep].reset_index(drop=True),
            episodes=_SelectedRows(self, "episodes", selection.episodes),
            factors=_SelectedRows(self, "factors", selection.factors),
            findings=_SelectedRows(self, "findings", selection.findings),
            taxonomy=self.taxonomy,
            source=self.source,
            taxonomy_given=self.taxonomy_given,
        )
        self.derived.carry(selection, into=subset.derived)
        return subset

    # ------------------------------------------------------------------ save

    def save(self, folder: str | os.PathLike, *, format: str = "csv") -> Path:
        """Write the set as a review-set folder; loading it back gives equal frames.

        All five files are written (the taxonomy too when it was derived), the contract's
        columns first and extra columns after. Every file is written to a temporary name and
        flushed to disk before any is renamed into place, so a failure (a full disk raises
        :class:`~sce_analysis.errors.OutputError` naming the file) leaves the files in ``folder``
        as they were. What a killed run left (temporary files of a save, an old set that a killed
        swap moved aside) is cleared by the next save into ``folder``
        (:func:`~sce_analysis.reviewsets.atomic.clear_stale`), which says so on standard error. To
        replace a whole folder in one step, use
        :func:`~sce_analysis.reviewsets.folders.save_new_folder` (``sce-analysis convert``).

        The files are data for the workbench to read back, not tables for a spreadsheet: every
        cell keeps its exact text. A summary such as ``=SUM(A1)`` or ``-1 day`` is written as it
        is, with no ``'`` in front (the tables a report writes for people get one; see
        :mod:`sce_analysis.spreadsheets`). Open the files in a spreadsheet only through its
        import dialog, with the columns as text, or use ``sce-analysis export-excel``.

        Parameters
        ----------
        folder : str or path
        format : {"csv", "parquet"}
            ``"csv"``: the contract's UTF-8 CSV files with ``\n`` line ends. ``"parquet"``:
            ``reviews.parquet`` and so on, holding the same text columns (zstd-compressed), for
            national sets; :func:`sce_analysis.load` reads either and checks both by the same
            rules. Files of the other format already in ``folder`` are removed, so the folder
            holds one set.

        Returns
        -------
        Path
            The folder.

        Examples
        --------
        >>> import tempfile, sce_analysis as sce
        >>> rs = sce.load("data/sample")
        >>> sce.load(rs.save(tempfile.mkdtemp(), format="parquet")).equals(rs)
        True
        """
        if format not in ("csv", "parquet"):
            raise ParameterError(f"format must be 'csv' or 'parquet', not {format!r}.")
        folder = Path(folder)
        clear_stale(folder)  # first: it may put back a set that a killed swap moved aside
        folder.mkdir(parents=True, exist_ok=True)
        written: list[tuple[Path, Path]] = []
        try:
            for name in FILES:
                target = folder / f"{name}.{format}"
                with disk_full(target, f"nothing in {folder} was replaced"):
                    temporary = self._write_temporary(name, folder, format)
                written.append((temporary, target))
        except BaseException:
            for temporary, _ in written:
                temporary.unlink(missing_ok=True)
            raise
        # mkstemp makes owner-only files; give the files the permissions any new file would get.
        umask = current_umask()
        for temporary, target in written:
            os.chmod(temporary, 0o666 & ~umask)
            os.replace(temporary, target)
        fsync_folder(folder)
        other = "parquet" if format == "csv" else "csv"
        for name in FILES:
            (folder / f"{name}.{other}").unlink(missing_ok=True)
        return folder

    def _write_temporary(self, name: str, folder: Path, format: str) -> Path:
        """Write one file of the set to a temporary file in ``folder``, flushed to disk; return its path.

        The name, ``.<name>.staging-<pid>-XXXX.tmp``, tells a later save which process left it."""
        handle, temporary = tempfile.mkstemp(prefix=staging_file_prefix(name), suffix=".tmp", dir=folder)
        try:
            text = csv_text(getattr(self, name))
            if format == "csv":
                with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
                    text.to_csv(stream, index=False, lineterminator="\n")
                    stream.flush()
                    os.fsync(stream.fileno())
            else:
                os.close(handle)
                write_parquet(text, temporary)
                fsync_file(temporary)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return Path(temporary)

    # ------------------------------------------------------------------ summary

    def summary(self) -> pd.DataFrame:
        """Counts of what the set holds.

        Returns
        -------
        DataFrame
            One row per measure, columns ``measure`` and ``count``. Measures: ``reviews``,
            ``areas``, ``regions``, ``review_types``, ``years``, ``first_year``, ``last_year``,
            ``episodes``, ``coded_factors``, ``factor_codes_used``, ``taxonomy_codes``,
            ``findings``, ``finding_categories`` and ``coders``. Years are ``0`` when the set
            is empty.

        Examples
        --------
        >>> import sce_analysis as sce
        >>> sce.load("data/sample").summary().set_index("measure").loc["regions", "count"]
        np.int64(5)
        """
        return pd.DataFrame(list(self._counts().items()), columns=["measure", "count"]).astype({"count": "int64"})

    def _counts(self) -> dict[str, int]:
        years = self.reviews["year"]
        return {
            "reviews": len(self.reviews),
            "areas": self.reviews["area"].nunique(),
            "regions": self.reviews["region"].nunique(),
            "review_types": self.reviews["review_type"].nunique(),
            "years": years.nunique(),
            "first_year": int(years.min()) if len(years) else 0,
            "last_year": int(years.max()) if len(years) else 0,
            "episodes": len(self.episodes),
            "coded_factors": len(self.factors),
            "factor_codes_used": self.factors["factor_code"].nunique(),
            "taxonomy_codes": len(self.taxonomy),
            "findings": len(self.findings),
            "finding_categories": self.findings["category"].nunique(),
            "coders": len(self.coders),
        }

    def __repr__(self) -> str:
        c = self._counts()
        years = f"{c['first_year']}–{c['last_year']}" if c["reviews"] else "no years"
        source = f" from {self.source!r}" if self.source else ""
        return (
            f"<ReviewSet{source}: {c['reviews']:,} reviews, {c['areas']:,} areas, {c['regions']:,} regions, "
            f"{years}; {c['episodes']:,} episodes, {c['coded_factors']:,} coded factors "
            f"({c['factor_codes_used']:,} of {c['taxonomy_codes']:,} codes), {c['findings']:,} findings>"
        )

    def _repr_html_(self) -> str:
        c = self._counts()
        years = f"{c['first_year']}–{c['last_year']} ({c['years']} years)" if c["reviews"] else "none"
        frame = "taxonomy.csv" if self.taxonomy_given else "derived from the codes used"
        categories = self.findings["category"].value_counts().reindex(list(SCIE_CATEGORIES), fill_value=0)
        rows = [
            ("Reviews", f"{c['reviews']:,}"),
            ("Areas · regions", f"{c['areas']:,} · {c['regions']:,}"),
            ("Years completed", years),
            ("Review types", f"{c['review_types']:,}"),
            ("Key practice episodes", f"{c['episodes']:,} ({c['episodes'] / max(c['reviews'], 1):.1f} per review)"),
            ("Coded factors", f"{c['coded_factors']:,} ({c['factor_codes_used']:,} codes used)"),
            ("Coding frame", f"{c['taxonomy_codes']:,} codes, {frame}"),
            ("Coders", f"{c['coders']:,}"),
            ("Findings", f"{c['findings']:,} in {int((categories > 0).sum())} of 6 SCIE categories"),
        ]
        body = "".join(
            f"<tr><th style='text-align:left'>{html.escape(k)}</th>"
            f"<td style='text-align:left'>{html.escape(v)}</td></tr>"
            for k, v in rows
        )
        source = f" <code>{html.escape(self.source)}</code>" if self.source else ""
        return (
            f"<div><strong>ReviewSet</strong>{source}<table>{body}</table>"
            "<small>Frames: <code>.reviews</code>, <code>.episodes</code>, <code>.factors</code>, "
            "<code>.findings</code>, <code>.taxonomy</code>.</small></div>"
        )

    # ------------------------------------------------------------------ equality

    def equals(self, other: ReviewSet) -> bool:
        """True when both sets hold equal frames (dtypes included)."""
        return all(getattr(self, name).equals(getattr(other, name)) for name in FILES)


class _SelectedRows:
    """Rows of a parent set's frame, taken when the filtered set first reads them."""

    def __init__(self, parent: ReviewSet, name: str, keep: np.ndarray):
        self.parent, self.name, self.keep = parent, name, keep

    def take(self) -> pd.DataFrame:
        return getattr(self.parent, self.name)[self.keep].reset_index(drop=True)


def _explode(frame: pd.DataFrame, keys: list[str], column: str, item: str) -> pd.DataFrame:
    """One row per item of a ';'-list column, keyed by ``keys``."""
    items = frame[column].str.split(";").explode()
    out = frame.loc[items.index, keys].assign(**{item: items.to_numpy()})
    return out[out[item].notna()].reset_index(drop=True).astype({item: "str"})


def _year_range(years) -> tuple[int, int]:
    try:
        first, last = years
        first, last = int(first), int(last)
    except (TypeError, ValueError):
        raise ParameterError(
            f"years must be a (first, last) pair of whole years, such as (2015, 2020); got {years!r}."
        ) from None
    if first > last:
        raise ParameterError(f"years: the first year {first} comes after the last year {last}.")
    return first, last


def _positions_after_filter(positions: dict[str, np.ndarray], selection: RowSelection) -> dict[str, np.ndarray]:
    """The factor positions of the filtered set: the kept rows' positions, renumbered (the taxonomy is whole)."""
    return {
        "review": selection.renumber("reviews", positions["review"][selection.factors]),
        "episode": selection.renumber("episodes", positions["episode"][selection.factors]),
        "code": positions["code"][selection.factors],
        "episode_review": selection.renumber("reviews", positions["episode_review"][selection.episodes]),
    }


def _finding_positions_after_filter(review: np.ndarray, selection: RowSelection) -> np.ndarray:
    return selection.renumber("reviews", review[selection.findings])
