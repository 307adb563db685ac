"""The README of a synthetic review set, filled from its arguments, plants and counts.

The text is the template ``data/readme.md`` (and ``data/readme_double_coding.md`` for a set with a
second coder) beside the generator; this module computes what goes into its placeholders, so the
README cannot disagree with the data.
"""

from __future__ import annotations

import math
from functools import cache
from string import Template

from ..reviewsets.reviewset import ReviewSet
from .plants import Plants
from .vocabulary import load_vocabulary, read_template

__all__ = ["README_TEMPLATE", "DOUBLE_CODING_TEMPLATE", "readme", "readme_templates"]

#: The data files of the README and of its section on double coding.
README_TEMPLATE, DOUBLE_CODING_TEMPLATE = "readme.md", "readme_double_coding.md"

_README_FIELDS = (
    "title_suffix", "call", "regenerate",
    "reviews", "areas", "regions", "first_year_seen", "last_year_seen", "years", "episodes", "episodes_per_review",
    "coded_factors", "first_coder_codes", "first_coder_codes_per_episode", "findings", "finding_categories",
    "taxonomy_codes", "factor_codes_used", "coders",
    "review_rows", "episode_rows", "factor_rows", "finding_rows", "taxonomy_rows",
    "areas_by_region", "double_coding", "effect",
    "recurring_shift", "recurring", "cluster_rate", "cluster_shift", "clusters", "regional_shift", "regional",
    "trend", "first_year", "last_year", "rising_and_falling", "sequence_shift", "sequences", "null", "supportive",
    "good_when_not", "base_rates",
)  # fmt: skip
_DOUBLE_CODING_FIELDS = ("double_coded_reviews", "double_coded_share")

# The only sentences that differ between the shipped sample and any other set.
_SAMPLE_TITLE = ": the shipped sample"
_REGENERATE_SAMPLE = (
    "this is the sample that ships with sce_analysis (`sce_analysis.synthetic.sample()`). Regenerate it with "
    "`python -m sce_analysis.synthetic data/sample`, whose defaults make it; a test checks that the files match the "
    "generator byte for byte."
)
_REGENERATE_OTHER = "regenerate them with the call above."


@cache
def readme_templates() -> tuple[Template, Template]:
    """The README template and the template of its double-coding section, read and checked once."""
    return read_template(README_TEMPLATE, _README_FIELDS), read_template(DOUBLE_CODING_TEMPLATE, _DOUBLE_CODING_FIELDS)


def readme(rs: ReviewSet, plants: Plants, arguments: dict, *, is_sample: bool) -> str:
    """The markdown README of a synthetic set: what it is, its size, its areas and its plants.

    Parameters
    ----------
    rs : ReviewSet
        The set.
    plants : Plants
        What was planted in it.
    arguments : dict
        The arguments of :func:`~sce_analysis.synthetic.generate` that made it.
    is_sample : bool
        Whether it is the shipped sample (its title and how to regenerate it say so).

    Returns
    -------
    str
        The README, ending in a newline.

    Examples
    --------
    >>> from sce_analysis.synthetic import generate
    >>> s = generate(20, seed=1)
    >>> text = readme(s.review_set, s.planted, s.arguments, is_sample=False)
    >>> text.splitlines()[0], "## What is planted" in text
    ('# Synthetic review set', True)
    """
    summary = rs.summary()
    counts = dict(zip(summary["measure"], summary["count"], strict=True))
    label = dict(zip(rs.taxonomy["factor_code"], rs.taxonomy["label"], strict=True))
    vocabulary = load_vocabulary()
    strength = plants.strengths

    def code(c: str) -> str:
        return f"`{c}` ({label[c]})"

    areas = rs.reviews.groupby(["region", "area"], sort=True).size().rename("reviews").reset_index()
    first_coder = rs.codings()
    main, double_coding = readme_templates()
    double_coding_section = ""
    if arguments["double_coded_share"] > 0:
        double = rs.factors.loc[rs.factors["coder"] == "reviewer_b", "review_id"].nunique()
        filled = double_coding.substitute(
            double_coded_reviews=double, double_coded_share=f"{arguments['double_coded_share']:g}"
        )
        double_coding_section = filled.rstrip("\n") + "\n\n"
    text = main.substitute(
        title_suffix=_SAMPLE_TITLE if is_sample else "",
        call=_call(arguments),
        regenerate=_REGENERATE_SAMPLE if is_sample else _REGENERATE_OTHER,
        reviews=f"{counts['reviews']:,}",
        areas=f"{counts['areas']:,}",
        regions=f"{counts['regions']:,}",
        first_year_seen=counts["first_year"],
        last_year_seen=counts["last_year"],
        years=counts["years"],
        episodes=f"{counts['episodes']:,}",
        episodes_per_review=f"{counts['episodes'] / max(counts['reviews'], 1):.1f}",
        coded_factors=f"{counts['coded_factors']:,}",
        first_coder_codes=f"{len(first_coder):,}",
        first_coder_codes_per_episode=f"{len(first_coder) / max(counts['episodes'], 1):.2f}",
        findings=f"{counts['findings']:,}",
        finding_categories=counts["finding_categories"],
        taxonomy_codes=counts["taxonomy_codes"],
        factor_codes_used=counts["factor_codes_used"],
        coders=counts["coders"],
        review_rows=f"{len(rs.reviews):,}",
        episode_rows=f"{len(rs.episodes):,}",
        factor_rows=f"{len(rs.factors):,}",
        finding_rows=f"{len(rs.findings):,}",
        taxonomy_rows=len(rs.taxonomy),
        areas_by_region="\n".join(
            f"| {region} | {', '.join(f'{a} ({r})' for a, r in zip(g['area'], g['reviews'], strict=True))} |"
            for region, g in areas.groupby("region", sort=True)
        ),
        double_coding=double_coding_section,
        effect=f"{arguments['effect']:g}",
        recurring_shift=_odds(strength["recurring"]),
        recurring="\n".join(f"- {code(c)}" for c in plants.recurring),
        cluster_rate=f"{plants.cluster_rate:g}",
        cluster_shift=_odds(strength["cluster"]),
        clusters="\n".join(
            f"- {theme}: {', '.join(code(c) for c in group)}"
            for theme, group in zip(plants.cluster_themes, plants.clusters, strict=True)
        ),
        regional_shift=_odds(strength["regional"]),
        regional="\n".join(f"- {code(c)}: {region}" for c, region in plants.regional.items()),
        trend=f"{strength['trend']:.2f}",
        first_year=arguments["first_year"],
        last_year=arguments["last_year"],
        rising_and_falling="\n".join(
            [*(f"- rising: {code(c)}" for c in plants.rising), *(f"- falling: {code(c)}" for c in plants.falling)]
        ),
        sequence_shift=_odds(strength["sequence"]),
        sequences="\n".join(f"- {code(a)} → {code(b)}" for a, b in plants.sequences),
        null=", ".join(f"`{c}`" for c in plants.null),
        supportive=", ".join(f"`{c}`" for c in plants.supportive),
        good_when_not=f"{vocabulary.plants.good_when_not:g}",
        base_rates="\n".join(
            f"| `{c}` | {label[c]} | {vocabulary.factor(c).level} | {role} | {plants.base_rates[c]:.3f} |"
            for c, role in plants.roles.items()
        ),
    )
    return text.rstrip("\n") + "\n"


def _call(arguments: dict) -> str:
    inside = ", ".join(f"{k}={v!r}" for k, v in arguments.items())
    return f"sce_analysis.synthetic.generate({inside})"


def _odds(shift: float) -> str:
    return f"{shift:+.2f} (odds ratio {math.exp(shift):.1f})"
