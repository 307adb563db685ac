"""Synthetic review sets with planted patterns, for tests, benchmarks and the shipped sample.

:func:`generate` makes a review set of any size that reads like the coded output of English
serious case reviews done with the SCIE Learning Together model, and returns *what it planted*
(:class:`Plants`), so a test can check what an analysis finds against the truth. Everything is
invented: places, children, episodes and findings. No real person's data is used.

The generative model, per key practice episode (KPE) and contributory factor, is logistic::

    log-odds = base rate of the factor
             + recurring shift                      (recurring factors, every episode)
             + regional shift   if the review is in the factor's region
             + trend slope * (year - middle year)   (rising and falling factors)
             + cluster shift    if the episode's latent theme is switched on
             + sequence shift   if the review's previous episode carries the factor's trigger

Each shift is multiplied by ``effect``, so ``effect=0`` gives a set with no plant at all. Every
factor of the coding frame has exactly one role (see :class:`Plants`), so the truth is unambiguous.
The whole model is vectorised with numpy over an episodes x factors matrix.

The words and numbers (each factor's parameters, the plants, names, episode text) are data files beside
the generator, read by :mod:`~sce_analysis.synthetic.vocabulary`; the coding frame is the package's own
(:func:`~sce_analysis.reviewsets.frames.default_coding_frame`), and the README is filled from a template
by :mod:`~sce_analysis.synthetic.readme`.
Run ``python -m sce_analysis.synthetic OUT_FOLDER`` to write a set (by default the shipped sample,
``data/sample``) with a README that says what is planted in it.
"""

from __future__ import annotations

import argparse
import math
import operator
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import ParameterError, SceAnalysisError
from ..reviewsets.contract import SCIE_CATEGORIES
from ..reviewsets.read import from_frames
from ..reviewsets.reviewset import ReviewSet
from .plants import Plants
from .readme import readme
from .vocabulary import Vocabulary, load_vocabulary

__all__ = ["SAMPLE_ARGS", "SyntheticSet", "generate", "main", "sample"]

# ======================================================================================
# Public types
# ======================================================================================


@dataclass(frozen=True, eq=False)
class SyntheticSet:
    """A generated review set, what was planted in it, and the arguments that made it.

    Attributes
    ----------
    review_set : ReviewSet
        The review set, validated by :func:`sce_analysis.from_frames`.
    planted : Plants
        The truth: which codes carry which plant.
    arguments : dict
        Every argument of :func:`generate` that made the set, so it can be made again.
    """

    review_set: ReviewSet
    planted: Plants
    arguments: dict = field(default_factory=dict)

    def write(self, folder) -> Path:
        """Save the review set into ``folder`` with a ``README.md`` that says what it is.

        The README is generated from the arguments and the plants, so it cannot disagree with
        the data. Writing the same set twice gives byte-identical files.

        Returns
        -------
        Path
            The folder.
        """
        # The README first, so that a broken template leaves no half-written folder.
        is_sample = self.arguments == SAMPLE_ARGS
        text = readme(self.review_set, self.planted, self.arguments, is_sample=is_sample)
        folder = self.review_set.save(folder)
        (folder / "README.md").write_text(text, encoding="utf-8", newline="\n")
        return folder


#: The exact arguments of the shipped sample in ``data/sample``.
SAMPLE_ARGS: dict = {
    "n_reviews": 80,
    "seed": 2011,
    "n_areas": 16,
    "n_regions": 5,
    "first_year": 2011,
    "last_year": 2025,
    "episodes_per_review": (6, 10),
    "findings_per_review": (3, 6),
    "double_coded_share": 0.1,
    "effect": 1.0,
}


def sample() -> SyntheticSet:
    """Return the shipped sample set: ``generate(**SAMPLE_ARGS)``.

    Examples
    --------
    >>> s = sample()
    >>> s.review_set.reviews["region"].nunique()
    5
    """
    return generate(**SAMPLE_ARGS)


# ======================================================================================
# Parameter checks
# ======================================================================================


def _whole(name: str, value, low: int, high: int) -> int:
    if isinstance(value, bool):
        raise ParameterError(f"{name} must be a whole number, not {value!r}.")
    try:
        number = operator.index(value)
    except TypeError:
        raise ParameterError(f"{name} must be a whole number, such as {low}; got {value!r}.") from None
    if not low <= number <= high:
        raise ParameterError(f"{name} must be between {low} and {high}; got {number}.")
    return int(number)


def _real(name: str, value, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ParameterError(f"{name} must be a number between {low} and {high}; got {value!r}.")
    number = float(value)
    if not (math.isfinite(number) and low <= number <= high):
        raise ParameterError(f"{name} must be a number between {low} and {high}; got {value!r}.")
    return number


def _pair(name: str, value, low: int, high: int) -> tuple[int, int]:
    if isinstance(value, (str, bytes)) or not hasattr(value, "__len__") or len(value) != 2:
        raise ParameterError(
            f"{name} must be a (fewest, most) pair of whole numbers, such as ({low}, {high}); got {value!r}."
        )
    first = _whole(f"{name}[0]", value[0], low, high)
    last = _whole(f"{name}[1]", value[1], low, high)
    if first > last:
        raise ParameterError(f"{name}: the fewest ({first}) is more than the most ({last}).")
    return first, last


# ======================================================================================
# The generator
# ======================================================================================


def generate(
    n_reviews: int = 80,
    *,
    seed: int = 0,
    n_areas: int = 16,
    n_regions: int = 5,
    first_year: int = 2011,
    last_year: int = 2025,
    episodes_per_review: tuple[int, int] = (6, 10),
    findings_per_review: tuple[int, int] = (3, 6),
    double_coded_share: float = 0.0,
    effect: float = 1.0,
) -> SyntheticSet:
    """Generate a synthetic review set with planted patterns.

    Parameters
    ----------
    n_reviews : int, default 80
        Number of case reviews (1 to 100,000).
    seed : int, default 0
        Seed of ``numpy.random.default_rng``. The same arguments always give the same set.
    n_areas : int, default 16
        Number of local areas. The first 16 have invented place names, later ones are
        ``Area 017`` and so on. Each area belongs to one region. When there are at least as
        many reviews, every area has a review.
    n_regions : int, default 5
        Number of regions (2 or more, at most ``n_areas``). Up to 5 have English region
        names; more are ``Region 01`` and so on.
    first_year, last_year : int, default 2011 and 2025
        Years in which reviews were completed. When there are enough reviews, every year has
        one. Reviews up to 2018 are serious case reviews, later ones local child safeguarding
        practice reviews, with a mix in 2019 and 2020.
    episodes_per_review : (int, int), default (6, 10)
        Fewest and most key practice episodes per review. The number falls geometrically from
        the fewest (most reviews have the fewest or one more), so the mean is about fewest + 0.5.
    findings_per_review : (int, int), default (3, 6)
        Fewest and most findings per review (each in a different SCIE category, so at most 6).
    double_coded_share : float, default 0.0
        Share of reviews coded a second time, independently, by ``reviewer_b``, with about
        20% disagreement at the code level.
    effect : float, default 1.0
        Multiplies every plant's strength; 0 plants nothing, 2 doubles every log-odds shift.

    Returns
    -------
    SyntheticSet
        ``review_set`` (a validated ReviewSet), ``planted`` (the truth) and ``arguments``.

    Raises
    ------
    ParameterError
        When an argument is out of range, with a message that names it.

    Examples
    --------
    >>> s = generate(40, seed=1)
    >>> len(s.review_set.reviews)
    40
    >>> s.planted.recurring
    ('fam_child_unseen', 'work_caseload', 'ls_info_sharing')
    >>> generate(40, seed=1).review_set.equals(s.review_set)
    True
    """
    n_reviews = _whole("n_reviews", n_reviews, 1, 100_000)
    seed = _whole("seed", seed, 0, 2**63 - 1)
    n_regions = _whole("n_regions", n_regions, 2, 99)
    n_areas = _whole("n_areas", n_areas, 1, 999)
    if n_areas < n_regions:
        raise ParameterError(
            f"n_areas ({n_areas}) is less than n_regions ({n_regions}): every region needs at least one area. "
            "Fix: raise n_areas or lower n_regions."
        )
    first_year = _whole("first_year", first_year, 1903, 2099)
    last_year = _whole("last_year", last_year, 1904, 2100)
    if last_year <= first_year:
        raise ParameterError(
            f"last_year ({last_year}) must come after first_year ({first_year}): the rising and falling plants "
            "need at least two years."
        )
    episodes_per_review = _pair("episodes_per_review", episodes_per_review, 2, 99)
    findings_per_review = _pair("findings_per_review", findings_per_review, 1, len(SCIE_CATEGORIES))
    double_coded_share = _real("double_coded_share", double_coded_share, 0.0, 1.0)
    effect = _real("effect", effect, 0.0, 5.0)
    arguments = {
        "n_reviews": n_reviews,
        "seed": seed,
        "n_areas": n_areas,
        "n_regions": n_regions,
        "first_year": first_year,
        "last_year": last_year,
        "episodes_per_review": episodes_per_review,
        "findings_per_review": findings_per_review,
        "double_coded_share": double_coded_share,
        "effect": effect,
    }
    return _Generator(np.random.default_rng(seed), arguments).run()


class _Generator:
    """Builds one set. Every random draw happens in a fixed order, so a seed fixes the result."""

    def __init__(self, rng: np.random.Generator, arguments: dict):
        self.rng = rng
        self.args = arguments
        self.effect = arguments["effect"]
        self.vocabulary = load_vocabulary()

    # ------------------------------------------------------------------ plants

    def _plants(self, regions: np.ndarray) -> Plants:
        vocab = self.vocabulary
        design = vocab.plants
        roles = [*design.recurring, *(c for g in design.clusters for c in g), *design.regional, *design.rising,
                 *design.falling, *(c for p in design.sequences for c in p)]  # fmt: skip
        planted = set(roles)
        chosen = self.rng.permutation(len(regions))[: len(design.regional)]
        return Plants(
            recurring=_in_frame_order(design.recurring, vocab),
            clusters=tuple(_in_frame_order(g, vocab) for g in design.clusters),
            cluster_themes=design.cluster_themes,
            regional={code: str(regions[i]) for code, i in zip(design.regional, chosen, strict=True)},
            rising=_in_frame_order(design.rising, vocab),
            falling=_in_frame_order(design.falling, vocab),
            sequences=design.sequences,
            null=tuple(f.code for f in vocab.factors if not f.good and f.code not in planted),
            supportive=tuple(f.code for f in vocab.factors if f.good),
            base_rates={f.code: f.base_rate for f in vocab.factors},
            strengths={name: round(shift * self.effect, 6) for name, shift in design.strengths.items()},
            cluster_rate=design.cluster_rate,
        )

    # ------------------------------------------------------------------ run

    def run(self) -> SyntheticSet:
        args, vocab = self.args, self.vocabulary
        n = args["n_reviews"]
        area_names = _names(args["n_areas"], vocab.area_names, "Area {:03d}")
        region_names = (
            np.array(vocab.region_names[: args["n_regions"]], dtype=object)
            if args["n_regions"] <= len(vocab.region_names)
            else np.array([f"Region {i:02d}" for i in range(1, args["n_regions"] + 1)], dtype=object)
        )
        region_of_area = np.arange(args["n_areas"]) % args["n_regions"]
        plants = self._plants(region_names)

        reviews, review = self._reviews(n, area_names, region_names, region_of_area)
        ep = self._episodes(review)
        x = self._code(review, ep, plants, region_names)
        ep["appraisal"] = _appraise(x, vocab)
        self._describe_episodes(ep, x)
        episodes = self._episode_frame(review, ep)
        factors, first = self._factor_frame(review, ep, x)
        findings = self._findings(review, ep, first)
        taxonomy = vocab.taxonomy_frame()
        review_set = from_frames(reviews, episodes, factors, findings, taxonomy)
        return SyntheticSet(review_set=review_set, planted=plants, arguments=dict(args))

    # ------------------------------------------------------------------ reviews

    def _reviews(self, n, area_names, region_names, region_of_area):
        rng, args, vocab = self.rng, self.args, self.vocabulary
        first_year, last_year = args["first_year"], args["last_year"]
        years_span = last_year - first_year + 1
        area_weight = rng.gamma(8.0, size=len(area_names))
        area = _covering(rng, n, len(area_names), area_weight / area_weight.sum())
        year = first_year + _covering(rng, n, years_span, np.full(years_span, 1.0 / years_span))
        # Order the reviews by year, then at random, and number them in that order.
        order = np.lexsort((rng.random(n), year))
        area, year = area[order], year[order]
        # Review type: serious case reviews were replaced by LCSPRs from autumn 2019.
        share_scr = np.select([year <= 2018, year == 2019, year == 2020], [1.0, 0.6, 0.2], 0.0)
        scr = rng.random(n) < share_scr
        review_type = np.where(scr, "Serious case review", "Local child safeguarding practice review").astype(object)
        letter = rng.integers(0, len(vocab.child_letters) - 1, size=n)
        form = rng.choice(3, size=n, p=[0.7, 0.15, 0.15])
        letters = np.array(vocab.child_letters, dtype=object)
        who = np.select(
            [form == 0, form == 1],
            ["Child " + letters[letter], "Baby " + letters[letter]],
            "Children " + letters[letter] + " and " + letters[letter + 1],
        )
        width = max(4, len(str(n)))
        ids = pd.Series(np.arange(1, n + 1)).astype("str").str.zfill(width)
        review_ids = ("R" + ids).to_numpy(dtype=object)
        region = region_of_area[area]
        frame = pd.DataFrame(
            {
                "review_id": review_ids,
                "area": area_names[area],
                "year": year,
                "region": region_names[region],
                "review_type": review_type,
                "method": "SCIE Learning Together",
                "title": who + ": " + np.where(scr, "serious case review", "local child safeguarding practice review"),
                # An extra column (allowed by the contract): charts stamp "synthetic data" from it.
                "data_origin": "synthetic",
            }
        )
        return frame, {"id": review_ids, "area": area, "region": region, "year": year}

    # ------------------------------------------------------------------ episodes

    def _episodes(self, review):
        rng, args = self.rng, self.args
        n = len(review["id"])
        fewest, most = args["episodes_per_review"]
        weights = 0.35 ** np.arange(most - fewest + 1)
        k = fewest + rng.choice(len(weights), size=n, p=weights / weights.sum())
        of = np.repeat(np.arange(n), k)  # review index of each episode
        start = np.cumsum(k) - k
        sequence = np.arange(len(of)) - start[of] + 1
        # Dates: the chronology covers the 1 to 3 years before the review was completed.
        span = rng.choice([1, 2, 3], size=n, p=[0.3, 0.45, 0.25])
        year = review["year"]
        window_start = (year - span - 1970).astype("datetime64[Y]").astype("datetime64[D]")
        window_end = (year - 1970).astype("datetime64[Y]").astype("datetime64[D]") - np.timedelta64(1, "D")
        days = (window_end - window_start).astype(int)
        offset = np.floor(rng.random(len(of)) * days[of]).astype(int)
        offset = offset[np.lexsort((offset, of))]  # chronological within each review
        m = len(of)
        instant = rng.random(m) < 0.55  # a single contact; otherwise days, or months for an assessment
        short = rng.random(m) < 0.8
        duration = np.where(instant, 0, np.where(short, rng.integers(1, 60, m), rng.integers(60, 300, m)))
        begin = window_start[of] + offset.astype("timedelta64[D]")
        end = np.minimum(begin + duration.astype("timedelta64[D]"), window_end[of])
        return {"of": of, "k": k, "start": start, "sequence": sequence, "begin": begin, "end": end}

    def _code(self, review, ep, plants: Plants, region_names) -> np.ndarray:
        """The episodes x factors presence matrix of the first coder."""
        rng, vocab = self.rng, self.vocabulary
        design = vocab.plants
        of = ep["of"]
        n_ep = len(of)
        strength = plants.strengths
        bad = np.array([not f.good for f in vocab.factors])
        base = np.array([f.base_rate for f in vocab.factors])
        logit = np.broadcast_to(np.log(base / (1 - base)), (n_ep, len(vocab.factors))).copy()
        column = {code: j for j, code in enumerate(vocab.codes)}

        for code in plants.recurring:
            logit[:, column[code]] += strength["recurring"]
        region_name = region_names[review["region"]][of]
        for code, region in plants.regional.items():
            logit[:, column[code]] += strength["regional"] * (region_name == region)
        first_year, last_year = self.args["first_year"], self.args["last_year"]
        centred = (review["year"][of] - (first_year + last_year) / 2) / (last_year - first_year)
        for sign, codes in ((1.0, plants.rising), (-1.0, plants.falling)):
            for code in codes:
                logit[:, column[code]] += sign * strength["trend"] * centred
        theme_on = rng.random((n_ep, len(plants.clusters))) < plants.cluster_rate
        for t, group in enumerate(plants.clusters):
            for code in group:
                logit[:, column[code]] += strength["cluster"] * theme_on[:, t]

        # Problematic factors first; b of a sequence depends on a in the review's previous episode.
        u = rng.random((n_ep, len(vocab.factors)))
        x = np.zeros((n_ep, len(vocab.factors)), dtype=bool)
        later = [column[b] for _, b in plants.sequences]
        now = bad.copy()
        now[later] = False
        x[:, now] = u[:, now] < _expit(logit[:, now])
        has_previous = ep["sequence"] > 1
        for a, b in plants.sequences:
            previous = np.zeros(n_ep, dtype=bool)
            previous[1:] = x[:-1, column[a]]
            lifted = logit[:, column[b]] + strength["sequence"] * (previous & has_previous)
            x[:, column[b]] = u[:, column[b]] < _expit(lifted)
        # Good-practice factors are coded mostly where no problematic factor is.
        clean = ~x[:, bad].any(axis=1)
        good_p = base[~bad][None, :] * np.where(clean, design.good_when_clean, design.good_when_not)[:, None]
        x[:, ~bad] = u[:, ~bad] < good_p
        return x

    def _describe_episodes(self, ep, x):
        """Kind of episode (from its factors), agencies, title and summary."""
        rng, vocab = self.rng, self.vocabulary
        agency_index = {name: i for i, name in enumerate(vocab.agencies)}
        n_ep = x.shape[0]
        column = {code: j for j, code in enumerate(vocab.codes)}
        affinity = np.zeros((len(vocab.codes), len(vocab.episode_types)))
        for t, kind in enumerate(vocab.episode_types):
            affinity[[column[c] for c in kind.factor_codes], t] = 1.0
        score = x @ affinity * 1.6 + rng.gumbel(size=(n_ep, len(vocab.episode_types)))
        kind = score.argmax(axis=1)
        primary = np.array([agency_index[k.primary_agency] for k in vocab.episode_types])[kind]
        candidates = np.zeros((len(vocab.episode_types), len(vocab.agencies)), dtype=bool)
        for t, k in enumerate(vocab.episode_types):
            candidates[t, [agency_index[a] for a in k.other_agencies]] = True
        involved = candidates[kind] & (rng.random((n_ep, len(vocab.agencies))) < 0.45)
        involved[np.arange(n_ep), primary] = True
        ep["kind"], ep["primary"], ep["involved"] = kind, primary, involved

    def _episode_frame(self, review, ep):
        rng, vocab = self.rng, self.vocabulary
        of, kind, appraisal, primary, involved = ep["of"], ep["kind"], ep["appraisal"], ep["primary"], ep["involved"]
        n_ep = len(of)
        agencies = np.array(vocab.agencies, dtype=object)[primary]
        others = involved.copy()
        others[np.arange(n_ep), primary] = False
        for j, name in enumerate(vocab.agencies):  # a loop over the 13 agencies, not over rows
            agencies = agencies + np.where(others[:, j], ";" + name, "")
        stems = np.array([k.stem for k in vocab.episode_types], dtype=object)[kind]
        bad = np.array([k.problematic_outcome for k in vocab.episode_types], dtype=object)[kind]
        good = np.array([k.good_outcome for k in vocab.episode_types], dtype=object)[kind]
        outcome = np.select(
            [appraisal == "good", appraisal == "neutral"],
            [good, np.full(n_ep, vocab.neutral_episode_outcome, dtype=object)],
            bad,
        )
        ending = np.empty(n_ep, dtype=object)
        pick = rng.random(n_ep)
        for name, pool in vocab.episode_endings.items():
            where = appraisal == name
            ending[where] = np.array(pool, dtype=object)[(pick[where] * len(pool)).astype(int)]
        event = np.array([k.event for k in vocab.episode_types], dtype=object)[kind]
        sequence = ep["sequence"]
        return pd.DataFrame(
            {
                "review_id": review["id"][of],
                "episode_id": "KPE" + sequence.astype(str).astype(object),
                "sequence": sequence,
                "start_date": ep["begin"].astype(str),
                "end_date": ep["end"].astype(str),
                "appraisal": appraisal,
                "agencies": agencies,
                "title": stems + ": " + outcome,
                "summary": event + " " + ending,
            }
        )

    # ------------------------------------------------------------------ factors

    def _factor_frame(self, review, ep, x):
        rng, vocab = self.rng, self.vocabulary
        rows_ep, rows_f = np.nonzero(x)
        rows_coder = np.zeros(len(rows_ep), dtype=int)
        share = self.args["double_coded_share"]
        n = len(review["id"])
        n_double = int(round(share * n))
        if n_double:
            double = np.zeros(n, dtype=bool)
            double[rng.choice(n, size=n_double, replace=False)] = True
            b_ep, b_f = self._second_coder(ep, x, double)
            rows_ep = np.concatenate([rows_ep, b_ep])
            rows_f = np.concatenate([rows_f, b_f])
            rows_coder = np.concatenate([rows_coder, np.ones(len(b_ep), dtype=int)])
        order = np.lexsort((rows_f, rows_coder, rows_ep))
        rows_ep, rows_f, rows_coder = rows_ep[order], rows_f[order], rows_coder[order]
        m = len(rows_ep)
        # The agency a factor concerns: mostly the episode's lead agency, else any agency involved.
        involved = ep["involved"][rows_ep]
        any_agency = np.argmax(np.where(involved, rng.random(involved.shape), -1.0), axis=1)
        agency = np.where(rng.random(m) < 0.6, ep["primary"][rows_ep], any_agency)
        noted = rng.random(m) < 0.15
        note = np.where(
            noted, np.array(vocab.factor_notes, dtype=object)[rng.integers(0, len(vocab.factor_notes), m)], ""
        )
        good = np.array([f.good for f in vocab.factors])
        frame = pd.DataFrame(
            {
                "review_id": review["id"][ep["of"][rows_ep]],
                "episode_id": "KPE" + ep["sequence"][rows_ep].astype(str).astype(object),
                "factor_code": np.array(vocab.codes, dtype=object)[rows_f],
                "polarity": np.where(good[rows_f], "good", "problematic"),
                "agency": np.array(vocab.agencies, dtype=object)[agency],
                "coder": np.array(["reviewer_a", "reviewer_b"], dtype=object)[rows_coder],
                "note": note,
            }
        )
        first = rows_coder == 0
        return frame, {"ep": rows_ep[first], "f": rows_f[first]}

    def _second_coder(self, ep, x, double):
        """An independent second coding of some reviews: ~20% disagreement, mostly near misses."""
        rng, vocab = self.rng, self.vocabulary
        on = double[ep["of"]]
        a_ep, a_f = np.nonzero(x & on[:, None])
        u = rng.random(len(a_ep))
        # A near miss swaps the code for another code of the same factor type.
        types = np.array([f.factor_type for f in vocab.factors], dtype=object)
        same_type = (types[:, None] == types[None, :]) & ~np.eye(len(vocab.factors), dtype=bool)
        choice = np.argmax(np.where(same_type[a_f], rng.random((len(a_f), len(vocab.factors))), -1.0), axis=1)
        b_f = np.where(u < 0.10, choice, a_f)
        keep = u >= 0.16  # 10% swapped (kept as the swap), 6% dropped
        keep |= u < 0.10
        b_ep, b_f = a_ep[keep], b_f[keep]
        # Some codes the first coder did not use at all.
        episodes = np.flatnonzero(on)
        extra = episodes[rng.random(len(episodes)) < 0.15]
        extra_f = rng.integers(0, len(vocab.factors), len(extra))
        b_ep = np.concatenate([b_ep, extra])
        b_f = np.concatenate([b_f, extra_f])
        unique = np.unique(b_ep * len(vocab.factors) + b_f)
        return unique // len(vocab.factors), unique % len(vocab.factors)

    # ------------------------------------------------------------------ findings

    def _findings(self, review, ep, first):
        rng, args, vocab = self.rng, self.args, self.vocabulary
        n = len(review["id"])
        category_index = {c: i for i, c in enumerate(SCIE_CATEGORIES)}
        factor_category = np.array([category_index[f.category] for f in vocab.factors])
        good = np.array([f.good for f in vocab.factors])
        problem = ~good[first["f"]]
        c_ep, c_f = first["ep"][problem], first["f"][problem]
        c_rev, c_cat = ep["of"][c_ep], factor_category[c_f]
        counts = np.bincount(c_rev * 6 + c_cat, minlength=n * 6).reshape(n, 6)
        fewest, most = args["findings_per_review"]
        m = rng.integers(fewest, most + 1, size=n)
        keys = np.log(counts + 0.3) + rng.gumbel(size=(n, 6))
        ranked = np.argsort(-keys, axis=1, kind="stable")
        rank = np.broadcast_to(np.arange(6), (n, 6))
        chosen = rank < m[:, None]
        f_rev = np.repeat(np.arange(n), 6).reshape(n, 6)[chosen]
        f_cat = ranked[chosen]
        f_rank = rank[chosen]
        n_find = len(f_rev)
        finding = pd.DataFrame({"finding": np.arange(n_find), "rev": f_rev, "cat": f_cat})

        # Episodes and factors behind each finding: its category's codes coded in the review.
        links = pd.DataFrame({"rev": c_rev, "cat": c_cat, "ep": c_ep, "f": c_f}).merge(finding, on=["rev", "cat"])
        per_episode = links.groupby(["finding", "ep"], sort=True).size().rename("n").reset_index()
        per_episode = per_episode.sort_values(["finding", "n", "ep"], ascending=[True, False, True], kind="stable")
        per_episode = per_episode[per_episode.groupby("finding").cumcount() < 3]
        links = links.merge(per_episode[["finding", "ep"]], on=["finding", "ep"])
        per_code = links.groupby(["finding", "f"], sort=True).size().rename("n").reset_index()
        per_code = per_code.sort_values(["finding", "n", "f"], ascending=[True, False, True], kind="stable")
        top_code = per_code.drop_duplicates("finding").set_index("finding")["f"]
        per_code = per_code[per_code.groupby("finding").cumcount() < 4].sort_values(["finding", "f"])
        cited = per_episode.sort_values(["finding", "ep"])
        ep_ids = "KPE" + ep["sequence"][cited["ep"].to_numpy()].astype(str).astype(object)
        episode_lists = _join(cited["finding"].to_numpy(), ep_ids, ";")
        codes = np.array(vocab.codes, dtype=object)
        labels = np.array([_lower_first(f.label) for f in vocab.factors], dtype=object)
        code_lists = _join(per_code["finding"].to_numpy(), codes[per_code["f"].to_numpy()], ";")
        label_lists = _join(per_code["finding"].to_numpy(), labels[per_code["f"].to_numpy()], "; ")

        # A finding with no factor of its category cites one or two of the review's episodes.
        uncited = np.setdiff1d(np.arange(n_find), episode_lists.index.to_numpy())
        if len(uncited):
            rev = f_rev[uncited]
            k = ep["k"][rev]
            first_pick = rng.integers(0, k)
            second_pick = (first_pick + 1 + rng.integers(0, k - 1)) % k
            two = rng.random(len(uncited)) < 0.5
            low, high = np.minimum(first_pick, second_pick), np.maximum(first_pick, second_pick)
            text = np.where(
                two,
                "KPE" + (low + 1).astype(str).astype(object) + ";KPE" + (high + 1).astype(str).astype(object),
                "KPE" + (first_pick + 1).astype(str).astype(object),
            )
            episode_lists = pd.concat([episode_lists, pd.Series(text, index=uncited)]).sort_index()
        episode_lists = episode_lists.reindex(np.arange(n_find))
        n_cited = episode_lists.str.count(";").to_numpy() + 1

        cats = np.array(SCIE_CATEGORIES, dtype=object)[f_cat]
        factor_titles = np.array([f.finding for f in vocab.factors], dtype=object)
        factor_questions = np.array([f.issue_for_board for f in vocab.factors], dtype=object)
        fallback_title = np.array([vocab.category_fallbacks[c][0] for c in SCIE_CATEGORIES], dtype=object)[f_cat]
        fallback_question = np.array([vocab.category_fallbacks[c][1] for c in SCIE_CATEGORIES], dtype=object)[f_cat]
        top = top_code.reindex(np.arange(n_find))
        has_top = top.notna().to_numpy()
        top_index = top.fillna(0).astype(int).to_numpy()
        title = np.where(has_top, factor_titles[top_index], fallback_title)
        question = np.where(has_top, factor_questions[top_index], fallback_question)
        category_text = np.array([vocab.category_summaries[c] for c in SCIE_CATEGORIES], dtype=object)[f_cat]
        plural = np.where(n_cited == 1, " key practice episode", " key practice episodes")
        seen = "In this case it was seen in " + n_cited.astype(str).astype(object) + plural + "."
        labels_text = label_lists.reindex(np.arange(n_find))
        factors_text = np.where(
            labels_text.notna().to_numpy(), " Contributory factors: " + labels_text.fillna("").to_numpy() + ".", ""
        )
        return pd.DataFrame(
            {
                "review_id": review["id"][f_rev],
                "finding_id": "F" + (f_rank + 1).astype(str).astype(object),
                "category": cats,
                "title": title,
                "summary": category_text + " " + seen + factors_text,
                "episode_ids": episode_lists.to_numpy(),
                "factor_codes": code_lists.reindex(np.arange(n_find)).fillna("").to_numpy(),
                "issues_for_board": question,
            }
        )


# ======================================================================================
# Helpers
# ======================================================================================


def _join(groups: np.ndarray, items: np.ndarray, separator: str) -> pd.Series:
    """Join ``items`` (strings, sorted by ``groups``) into one string per group, without a row loop."""
    if len(groups) == 0:
        return pd.Series([], dtype=object)
    last = np.r_[groups[1:] != groups[:-1], True]
    starts = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]])
    pieces = items + np.where(last, "", separator).astype(object)
    return pd.Series(np.add.reduceat(pieces, starts), index=groups[starts])


def _expit(values: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-values))


def _in_frame_order(codes, vocab: Vocabulary) -> tuple[str, ...]:
    wanted = set(codes)
    return tuple(c for c in vocab.codes if c in wanted)


def _names(n: int, names: tuple[str, ...], pattern: str) -> np.ndarray:
    return np.array([*names[:n], *(pattern.format(i) for i in range(len(names) + 1, n + 1))], dtype=object)


def _covering(rng: np.random.Generator, n: int, k: int, p: np.ndarray) -> np.ndarray:
    """n draws from 0..k-1 with probabilities p, covering every value once when n >= k."""
    covered = rng.permutation(k)[: min(n, k)]
    rest = rng.choice(k, size=n - len(covered), p=p)
    return rng.permutation(np.concatenate([covered, rest]))


def _appraise(x: np.ndarray, vocab: Vocabulary) -> np.ndarray:
    """The appraisal of each episode follows from the polarity of its factors."""
    good = np.array([f.good for f in vocab.factors])
    n_bad, n_good = x[:, ~good].sum(axis=1), x[:, good].sum(axis=1)
    return np.select(
        [(n_bad == 0) & (n_good > 0), (n_bad > 0) & (n_good > 0), n_bad > 0],
        ["good", "mixed", "problematic"],
        "neutral",
    ).astype(object)


def _lower_first(label: str) -> str:
    """'High caseloads' -> 'high caseloads', but 'IT systems …' and 'CAMHS …' keep their capitals."""
    if len(label) > 1 and label[1].islower():
        return label[0].lower() + label[1:]
    return label


# ======================================================================================
# Command line
# ======================================================================================


def main(argv: list[str] | None = None) -> int:
    """Write a synthetic review set: ``python -m sce_analysis.synthetic OUT_FOLDER [options]``.

    Options default to :data:`SAMPLE_ARGS`, so with none the command remakes the shipped sample.
    Returns the exit status: 0 on success, 2 for a bad parameter.
    """
    parser = argparse.ArgumentParser(
        prog="python -m sce_analysis.synthetic",
        description="Write a synthetic review set with planted patterns, and a README that says what is planted. "
        "With no options it makes the shipped sample (data/sample).",
    )
    parser.add_argument("folder", metavar="OUT_FOLDER", help="folder to write the CSV files and README.md into")
    parser.add_argument("--reviews", type=int, default=SAMPLE_ARGS["n_reviews"], help="number of reviews")
    parser.add_argument("--seed", type=int, default=SAMPLE_ARGS["seed"], help="random seed")
    parser.add_argument("--areas", type=int, default=SAMPLE_ARGS["n_areas"], help="number of areas")
    parser.add_argument("--regions", type=int, default=SAMPLE_ARGS["n_regions"], help="number of regions")
    parser.add_argument("--first-year", type=int, default=SAMPLE_ARGS["first_year"], help="first year of completion")
    parser.add_argument("--last-year", type=int, default=SAMPLE_ARGS["last_year"], help="last year of completion")
    parser.add_argument(
        "--double-coded", type=float, default=SAMPLE_ARGS["double_coded_share"],
        help="share of reviews coded a second time by reviewer_b",
    )  # fmt: skip
    parser.add_argument("--effect", type=float, default=SAMPLE_ARGS["effect"], help="strength of every plant")
    options = parser.parse_args(argv)
    arguments = {
        **SAMPLE_ARGS,
        "n_reviews": options.reviews,
        "seed": options.seed,
        "n_areas": options.areas,
        "n_regions": options.regions,
        "first_year": options.first_year,
        "last_year": options.last_year,
        "double_coded_share": options.double_coded,
        "effect": options.effect,
    }
    try:
        synthetic = generate(**arguments)
        folder = synthetic.write(options.folder)
    except SceAnalysisError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"Wrote {synthetic.review_set!r} to {folder}")
    return 0
