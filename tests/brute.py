"""Brute-force readers for independent checks: a review set as the csv module reads it, row by row.

The library's own code is not used here, so tests that compare against these rows check the
library against an independent computation.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path


def read_rows(folder: Path, name: str) -> list[dict[str, str]]:
    """The rows of ``<name>.csv`` as dicts of text, in file order."""
    with open(Path(folder) / f"{name}.csv", newline="", encoding="utf-8") as stream:
        return list(csv.DictReader(stream))


class RawSet:
    """The rows of a review-set folder as the csv module reads them: text, in file order."""

    def __init__(self, folder: Path):
        folder = Path(folder)
        self.reviews = read_rows(folder, "reviews")
        self.episodes = read_rows(folder, "episodes")
        self.factors = read_rows(folder, "factors")
        self.findings = read_rows(folder, "findings")
        self.taxonomy = read_rows(folder, "taxonomy")
        self.codes = [t["factor_code"] for t in self.taxonomy]
        self.term = {t["factor_code"]: t for t in self.taxonomy}
        self.order = {code: i for i, code in enumerate(self.codes)}
        self.review_ids = [r["review_id"] for r in self.reviews]
        self.review = {r["review_id"]: r for r in self.reviews}

    def codings(self, *, coder: str | None = None, polarity: str | None = None) -> list[dict[str, str]]:
        """Factor rows of one coder per episode, with empty polarity read as problematic."""
        first: dict[tuple[str, str], str] = {}
        coded_by: dict[tuple[str, str], set[str]] = defaultdict(set)
        for row in self.factors:
            key = (row["review_id"], row["episode_id"])
            first.setdefault(key, row["coder"])
            coded_by[key].add(row["coder"])
        kept = []
        for row in self.factors:
            key = (row["review_id"], row["episode_id"])
            chosen = coder if coder is not None and coder in coded_by[key] else first[key]
            if row["coder"] != chosen:
                continue
            row = dict(row, polarity=row["polarity"] or "problematic")
            if polarity is None or row["polarity"] == polarity:
                kept.append(row)
        return kept

    def units(self, unit: str) -> list[tuple[str, ...]]:
        """Every review, as ``(review_id,)``, or every episode, as ``(review_id, episode_id)``, in file order."""
        if unit == "review":
            return [(r["review_id"],) for r in self.reviews]
        return [(e["review_id"], e["episode_id"]) for e in self.episodes]

    def episodes_with(self, code: str, review_ids, *, polarity: str | None = None) -> set[tuple[str, str]]:
        """``(review_id, episode_id)`` of the episodes of ``review_ids`` whose first coder coded ``code``."""
        return {
            (row["review_id"], row["episode_id"])
            for row in self.codings(polarity=polarity)
            if row["factor_code"] == code and row["review_id"] in review_ids
        }

    def unit_codes(self, unit: str, *, polarity=None, coder=None) -> dict[tuple[str, ...], set[str]]:
        """Unit -> the set of codes coded on it (every unit present, possibly with an empty set)."""
        has = {u: set() for u in self.units(unit)}
        for row in self.codings(polarity=polarity, coder=coder):
            u = (row["review_id"],) if unit == "review" else (row["review_id"], row["episode_id"])
            has[u].add(row["factor_code"])
        return has

    def review_profiles(self, *, polarity=None, coder=None) -> dict[str, set[str]]:
        """Review id -> the set of codes coded in any of its episodes."""
        return {u[0]: codes for u, codes in self.unit_codes("review", polarity=polarity, coder=coder).items()}

    def review_attributes(self) -> dict[str, dict[str, str]]:
        """Review id -> its row of reviews.csv."""
        return self.review

    def group_of(self, by: str | None) -> dict[str, str | None]:
        """Review id -> its value of the review column ``by`` (None for every review when ``by`` is None)."""
        return {rid: (r[by] if by else None) for rid, r in self.review.items()}
