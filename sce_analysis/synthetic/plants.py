"""What the synthetic generator planted in a set: the truth an analysis should recover."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Plants"]


@dataclass(frozen=True)
class Plants:
    """What :func:`generate` planted: the truth an analysis should recover.

    Every code of the coding frame is in exactly one of the roles below.

    Attributes
    ----------
    recurring : tuple of str
        Factors with high prevalence spread evenly across all areas, regions and years.
    clusters : tuple of tuple of str
        Groups of factors that co-occur on the same episode far more than chance: each group
        has a latent theme that is switched on for an episode with probability ``cluster_rate``
        and then raises the log-odds of all its members.
    cluster_themes : tuple of str
        A plain-language name for each cluster, in the order of ``clusters``.
    regional : dict of str to str
        Factor code -> the region where it is concentrated.
    rising, falling : tuple of str
        Factors whose prevalence rises or falls with the year of the review.
    sequences : tuple of (str, str)
        Pairs ``(a, b)``: b tends to be coded on episode k+1 when a is coded on episode k of
        the same review.
    null : tuple of str
        Problematic factors with no plant at all: a constant low prevalence, independent of
        everything else. An analysis should find nothing for them.
    supportive : tuple of str
        Factors that supported good practice (polarity ``good``). They are coded mostly on
        episodes without problematic factors, so they are *not* independent of the others;
        treat them as neither planted nor null.
    base_rates : dict of str to float
        Each code's per-episode probability before any plant: for rising and falling
        factors, the probability in the middle year; for supportive factors, the probability
        on an episode with no problematic factor.
    strengths : dict of str to float
        The log-odds shifts used, already multiplied by ``effect``: ``recurring``,
        ``cluster``, ``regional``, ``sequence``, and ``trend`` (the change in log-odds from the
        first to the last year).
    cluster_rate : float
        Probability that a cluster's theme is switched on for an episode.
    """

    recurring: tuple[str, ...]
    clusters: tuple[tuple[str, ...], ...]
    cluster_themes: tuple[str, ...]
    regional: dict[str, str]
    rising: tuple[str, ...]
    falling: tuple[str, ...]
    sequences: tuple[tuple[str, str], ...]
    null: tuple[str, ...]
    supportive: tuple[str, ...]
    base_rates: dict[str, float] = field(repr=False)
    strengths: dict[str, float]
    cluster_rate: float

    @property
    def roles(self) -> dict[str, str]:
        """Code -> its role: ``recurring``, ``cluster``, ``regional``, ``rising``, ``falling``,
        ``sequence``, ``null`` or ``supportive``, in the order of the coding frame."""
        role = dict.fromkeys(self.recurring, "recurring")
        role |= {c: "cluster" for group in self.clusters for c in group}
        role |= dict.fromkeys(self.regional, "regional")
        role |= dict.fromkeys(self.rising, "rising")
        role |= dict.fromkeys(self.falling, "falling")
        role |= {c: "sequence" for pair in self.sequences for c in pair}
        role |= dict.fromkeys(self.null, "null")
        role |= dict.fromkeys(self.supportive, "supportive")
        return {c: role[c] for c in self.base_rates}

    @property
    def planted(self) -> tuple[str, ...]:
        """Every code that carries a plant (neither null nor supportive), in coding-frame order."""
        return tuple(c for c, r in self.roles.items() if r not in ("null", "supportive"))
