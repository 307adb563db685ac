"""The ReviewSet: the typed frames of a review set, and what can be done with them whole."""

from __future__ import annotations

import difflib
import html
import os
import tempfile
from dataclasses import dataclass, field, fields
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import ParameterError
from .contract import FILES, SCIE_CATEGORIES
from .read import _as_text

__all__ = ["ReviewSet", "check_new_folder", "save_new_folder"]


@dataclass(frozen=True, eq=False)
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

    A ReviewSet is not changed in place: :meth:`filter` returns a new one. Treat its frames as
    read-only, and copy one before changing it.
    """

    reviews: pd.DataFrame
    episodes: pd.DataFrame
    factors: pd.DataFrame
    findings: pd.DataFrame
    taxonomy: pd.DataFrame
    source: str | None = field(default=None, compare=False)
    taxonomy_given: bool = True
    # Derived arrays (positions, coder masks, presence matrices), computed once per set. A
    # ReviewSet is never changed in place, so they cannot go stale.
    _cache: dict = field(default_factory=dict, init=False, repr=False, compare=False)

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
        key = ("coding_mask", coder)
        if key not in self._cache:
            episode = self.factor_positions["episode"]
            who, names = pd.factorize(self.factors["coder"].fillna(""), sort=False)
            # The first row of each episode in file order names its first coder.
            first_row = np.full(len(self.episodes), -1, dtype=np.int64)
            order = np.arange(len(episode))[::-1]
            first_row[episode[order]] = order
            if len(who) == 0:
                self._cache[key] = np.zeros(0, dtype=bool)
                return self._cache[key]
            chosen = np.where(first_row >= 0, who[np.maximum(first_row, 0)], -1)
            if coder is not None:
                did = np.zeros(len(self.episodes), dtype=bool)
                did[episode[who == names.get_loc(coder)]] = True
                chosen = np.where(did, names.get_loc(coder), chosen)
            self._cache[key] = who == chosen[episode]
        return self._cache[key]

    @property
    def factor_positions(self) -> dict[str, np.ndarray]:
        """For each row of ``factors``: the positions of its review, episode and code in their frames."""
        if "factor_positions" not in self._cache:
            reviews = pd.Index(self.reviews["review_id"])
            episodes = pd.MultiIndex.from_frame(self.episodes[["review_id", "episode_id"]])
            self._cache["factor_positions"] = {
                "review": reviews.get_indexer(self.factors["review_id"]),
                "episode": episodes.get_indexer(pd.MultiIndex.from_frame(self.factors[["review_id", "episode_id"]])),
                "code": pd.Index(self.taxonomy["factor_code"]).get_indexer(self.factors["factor_code"]),
                "episode_review": reviews.get_indexer(self.episodes["review_id"]),
            }
        return self._cache["factor_positions"]

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
        return self._with_review_mask(keep.to_numpy(dtype=bool))

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

    def _with_review_mask(self, keep: np.ndarray) -> ReviewSet:
        """The set of the reviews where the boolean array ``keep`` (over rows of ``reviews``) holds.

        Rows are selected by position, not by matching identifiers, and the derived arrays already
        computed (positions, coder masks, presence matrices) are sliced into the new set's cache
        instead of being rebuilt: the explorer filters a national set on every click.
        """
        keep = np.asarray(keep, dtype=bool)
        positions = self.factor_positions
        episode_keep = keep[positions["episode_review"]]
        factor_keep = keep[positions["review"]]
        finding_keep = keep[self._finding_review]
        subset = ReviewSet(
            reviews=self.reviews[keep].reset_index(drop=True),
            episodes=self.episodes[episode_keep].reset_index(drop=True),
            factors=self.factors[factor_keep].reset_index(drop=True),
            findings=self.findings[finding_keep].reset_index(drop=True),
            taxonomy=self.taxonomy,
            source=self.source,
            taxonomy_given=self.taxonomy_given,
        )
        new_review = np.cumsum(keep) - 1
        new_episode = np.cumsum(episode_keep) - 1
        subset._cache["factor_positions"] = {
            "review": new_review[positions["review"][factor_keep]],
            "episode": new_episode[positions["episode"][factor_keep]],
            "code": positions["code"][factor_keep],
            "episode_review": new_review[positions["episode_review"][episode_keep]],
        }
        subset._cache["finding_review"] = new_review[self._finding_review[finding_keep]]
        for key, value in self._cache.items():
            if not isinstance(key, tuple):
                continue
            if key[0] == "coding_mask":
                # The first coder of an episode depends on that episode's rows only.
                subset._cache[key] = value[factor_keep]
            elif key[0] == "presence":
                subset._cache[key] = value.rows(keep if value.unit == "review" else episode_keep)
        return subset

    @property
    def _finding_review(self) -> np.ndarray:
        """For each row of ``findings``: the position of its review."""
        if "finding_review" not in self._cache:
            self._cache["finding_review"] = pd.Index(self.reviews["review_id"]).get_indexer(self.findings["review_id"])
        return self._cache["finding_review"]

    # ------------------------------------------------------------------ save

    def save(self, folder: str | os.PathLike, *, format: str = "csv") -> Path:
        """Write the set as a review-set folder; loading it back gives equal frames.

        All five files are written (the taxonomy too when it was derived), the contract's
        columns first and extra columns after. Each file is written to a temporary name and then
        renamed, so a failure leaves no half-written file.

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
        folder.mkdir(parents=True, exist_ok=True)
        written: list[tuple[Path, Path]] = []
        try:
            for name in FILES:
                target = folder / f"{name}.{format}"
                handle, temporary = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
                text = _csv_text(getattr(self, name))
                if format == "csv":
                    with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
                        text.to_csv(stream, index=False, lineterminator="\n")
                else:
                    os.close(handle)
                    _write_parquet(text, temporary)
                written.append((Path(temporary), target))
        except BaseException:
            for temporary, _ in written:
                temporary.unlink(missing_ok=True)
            raise
        # mkstemp makes owner-only files; give the files the permissions any new file would get.
        umask = _umask()
        for temporary, target in written:
            os.chmod(temporary, 0o666 & ~umask)
            os.replace(temporary, target)
        other = "parquet" if format == "csv" else "csv"
        for name in FILES:
            (folder / f"{name}.{other}").unlink(missing_ok=True)
        return folder

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
        return all(getattr(self, f.name).equals(getattr(other, f.name)) for f in fields(self) if f.name in FILES)


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


#: What a review-set folder may hold: the files of both formats and a README. ``overwrite`` replaces
#: only such a folder, so that nothing else is ever deleted.
_SET_FILES = frozenset(
    {spec.filename for spec in FILES.values()} | {f"{name}.parquet" for name in FILES} | {"README.md"}
)


def check_new_folder(folder: str | os.PathLike, *, overwrite: bool = False) -> Path:
    """Check that a review set may be written to ``folder``; return it as a Path.

    ``folder`` may be absent or empty. A folder holding a review set is replaced only with
    ``overwrite``; a file, or a folder holding anything else, is never replaced.

    Raises
    ------
    ParameterError
        Saying why, and what to do instead.
    """
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise ParameterError(f"{folder} is a file, not a folder. Fix: give the folder to write the review set into.")
    if not folder.exists() or not any(folder.iterdir()):
        return folder
    if not overwrite:
        raise ParameterError(
            f"{folder} already exists and is not empty: nothing was written. Fix: give a new folder, or pass "
            "overwrite=True (on the command line --overwrite) to replace the review set in it."
        )
    others = sorted(p.name for p in folder.iterdir() if p.name not in _SET_FILES or not p.is_file())
    if others:
        raise ParameterError(
            f"{folder} holds files that are not part of a review set ({', '.join(others[:5])}"
            f"{', ...' if len(others) > 5 else ''}): refusing to replace it, so that nothing else is deleted. "
            "Fix: choose another folder."
        )
    return folder


def save_new_folder(rs: ReviewSet, folder: str | os.PathLike, *, format: str = "csv", overwrite: bool = False) -> Path:
    """Write ``rs`` as a whole new review-set folder, all at once or not at all.

    The set is saved into a hidden temporary folder beside ``folder`` and then renamed into
    place, so a failure leaves nothing behind and a reader never sees half a set. With
    ``overwrite``, an existing review-set folder is renamed aside, the new one renamed in, and
    the old one deleted (see :func:`check_new_folder` for what is never replaced).

    Returns
    -------
    Path
        The folder.
    """
    import shutil

    folder = check_new_folder(folder, overwrite=overwrite)
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.new-", dir=folder.parent))
    try:
        rs.save(staging, format=format)
        os.chmod(staging, 0o777 & ~_umask())
        if folder.exists() and not any(folder.iterdir()):
            folder.rmdir()
        if folder.exists():
            aside = Path(tempfile.mkdtemp(prefix=f".{folder.name}.old-", dir=folder.parent))
            os.replace(folder, aside / folder.name)
            try:
                os.replace(staging, folder)
            except BaseException:
                os.replace(aside / folder.name, folder)
                raise
            finally:
                shutil.rmtree(aside, ignore_errors=True)
        else:
            os.replace(staging, folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return folder


def _umask() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return umask


def _write_parquet(text: pd.DataFrame, path) -> None:
    """Write text columns as Parquet, byte for byte the same for the same frame."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table({name: pa.array(column.to_numpy(dtype=object), type=pa.string()) for name, column in text.items()})
    pq.write_table(table, path, compression="zstd")


def _csv_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Render a typed frame as the text of its CSV file (dates ISO, whole numbers without '.0')."""
    return pd.DataFrame({name: _as_text(column) for name, column in frame.items()})
