"""Factor networks: co-occurrence with significance, systemic themes, and episode-to-episode sequences.

Contributory factors rarely act alone. This module counts how often factors occur together in the
same unit (a key practice episode by default, or a review), tests each pair against independence,
and builds the network of significant positive links. Every pair count comes from one sparse
product ``X.T @ X`` of the presence matrix (:mod:`sce_analysis.stats.presence`); no Python loop runs over
pairs. The network is built from the pair table the user sees, so the two never disagree.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy import stats
from scipy.cluster.hierarchy import fcluster, linkage

from ..checks import check_alpha, check_number, check_whole
from ..errors import ParameterError
from ..reviewsets.contract import LEVELS
from .contributors import (
    CONTRIBUTING_AREAS,
    PresenceAreas,
    areas_per_column,
    cross_pair_counts,
    fewest_areas,
    pair_counts,
    presence_areas,
)
from .inference import bh_qvalues, fisher_greater, odds_ratio_woolf
from .presence import Presence, check_polarity, check_unit, presence

__all__ = [
    "factor_pairs",
    "pair_table",
    "factor_network",
    "node_metrics",
    "louvain_themes",
    "systemic_themes",
    "factor_sequences",
    "cross_level_links",
    "review_similarity",
    "cluster_reviews",
]

#: Columns of the pair table, in order.
PAIR_COLUMNS = [
    "factor_a",
    "factor_b",
    "n_ab",
    "n_a",
    "n_b",
    "n_units",
    "expected",
    "lift",
    "jaccard",
    "overlap",
    "npmi",
    "odds_ratio",
    "p_value",
    "q_value",
    CONTRIBUTING_AREAS,
]


def _check_min_count(min_count) -> int:
    return check_whole(min_count, "min_count", 1)


def _require_units(p: Presence) -> None:
    if p.n_units == 0:
        raise ParameterError(f"the review set has no {p.unit}s in scope (an empty filter result?). Widen the filters.")


def pair_table(p: Presence, *, min_count: int = 5) -> pd.DataFrame:
    """The pair statistics of a presence matrix; :func:`factor_pairs` for a ReviewSet.

    Codes present in fewer than ``min_count`` units are left out before pairing, and the
    Benjamini-Hochberg correction runs over the pairs of the codes that remain.
    """
    min_count = _check_min_count(min_count)
    _require_units(p)
    return _pair_frame(p.matrix, p.codes, min_count, areas=presence_areas(p))


def _pair_frame(matrix: sp.csr_array, codes: pd.Index, min_count: int, *, areas: PresenceAreas | None = None):
    """The pair table; with the units' areas, also ``n_contributing_areas``."""
    counts = np.asarray(matrix.sum(axis=0)).ravel()
    kept = np.flatnonzero(counts >= min_count)
    x = matrix if len(kept) == matrix.shape[1] else matrix[:, kept]
    # Every pair count at once, above the diagonal, and (with areas) the areas of the units behind it.
    together, areas_together = pair_counts(x, None if areas is None else areas.unit_area)
    a_index, b_index = np.triu_indices(len(kept), k=1)
    n_ab = together[a_index, b_index].astype(np.int64)
    n_a = counts[kept][a_index].astype(np.int64)
    n_b = counts[kept][b_index].astype(np.int64)
    n = matrix.shape[0]
    expected = n_a * n_b / n
    with np.errstate(divide="ignore", invalid="ignore"):
        lift = n_ab / expected
        jaccard = n_ab / (n_a + n_b - n_ab)
        overlap = n_ab / np.minimum(n_a, n_b)
        p_ab = n_ab / n
        # NPMI is -1 for pairs never seen together and +1 for pairs always together.
        npmi = np.where(
            n_ab == 0,
            -1.0,
            np.where(n_ab == n, 1.0, np.log(p_ab / ((n_a / n) * (n_b / n))) / -np.log(p_ab)),
        )
    odds, _, _ = odds_ratio_woolf(n_ab, n_a - n_ab, n_b - n_ab, n - n_a - n_b + n_ab)
    p_value = fisher_greater(n_ab, n_a, n_b, n)
    names = codes[kept].to_numpy()
    frame = pd.DataFrame(
        {
            "factor_a": names[a_index],
            "factor_b": names[b_index],
            "n_ab": n_ab,
            "n_a": n_a,
            "n_b": n_b,
            "n_units": np.full(len(n_ab), n, dtype=np.int64),
            "expected": expected,
            "lift": lift,
            "jaccard": jaccard,
            "overlap": overlap,
            "npmi": npmi,
            "odds_ratio": odds,
            "p_value": p_value,
            "q_value": bh_qvalues(p_value),
        }
    )
    if areas is not None:
        # n_ab rests on the units with both, n_a and n_b on those with each, n_units on all.
        code_areas = areas.code_areas[kept]
        frame[CONTRIBUTING_AREAS] = fewest_areas(
            (n_ab, areas_together[a_index, b_index]),
            (n_a, code_areas[a_index]),
            (n_b, code_areas[b_index]),
            (n, areas.scope_areas),
        )
    return frame.sort_values(["p_value", "factor_a", "factor_b"], kind="stable").reset_index(drop=True)


def factor_pairs(rs, *, unit="episode", min_count=5, polarity=None, coder=None) -> pd.DataFrame:
    """Co-occurrence of every pair of factors, tested against independence.

    Parameters
    ----------
    rs : ReviewSet
    unit : {"episode", "review"}, default "episode"
        Two factors co-occur when they are coded on the same key practice episode (or, with
        ``"review"``, anywhere in the same review).
    min_count : int, default 5
        Only factors present in at least this many units are paired: rarer ones cannot reach
        significance and would only dilute the multiple-testing correction.
    polarity : {None, "problematic", "good"}
    coder : str, optional
        As in :meth:`ReviewSet.codings`.

    Returns
    -------
    DataFrame
        One row per unordered pair of factors that both pass ``min_count`` (``factor_a`` comes
        before ``factor_b`` in taxonomy order):

        - ``n_ab``: units with both; ``n_a``, ``n_b``: units with each; ``n_units``: units in scope;
        - ``expected``: ``n_a * n_b / n_units``, the count under independence;
        - ``lift``: ``n_ab / expected`` (association rules' lift; symmetric);
        - ``jaccard``: ``n_ab / (n_a + n_b - n_ab)``. This is the c-coefficient of ATLAS.ti's code
          co-occurrence table. It has no p-value and is distorted when one code is far more
          frequent than the other, so read it beside ``overlap`` and the test;
        - ``overlap``: ``n_ab / min(n_a, n_b)``, the share of the rarer factor's units that have both;
        - ``npmi``: normalised pointwise mutual information, from -1 (never together) through 0
          (independent) to 1 (always together);
        - ``odds_ratio``: of the 2×2 table, with 0.5 added to each cell when one is 0;
        - ``p_value``: one-sided Fisher exact test for *more* co-occurrence than chance, the upper
          tail P(X ≥ n_ab) of the hypergeometric distribution (as Veech's ``cooccur``);
        - ``q_value``: Benjamini-Hochberg over all the pairs in the table;
        - ``n_contributing_areas``: the fewest areas behind any number of the row. For each count
          of the row that is not zero (``n_ab``, ``n_a``, ``n_b`` and ``n_units``), the number of
          distinct areas among the reviews that count rests on; the row's value is the smallest
          of them. A zero count rests on no review and does not lower it. Here: the areas of the
          units with both factors, or, for a pair never seen together, the fewer of the areas
          behind each factor.

        Sorted by ``p_value``. A rare pair can have a huge lift and no practical weight: read
        the counts beside it. Pairs are pooled over the years in scope, so two factors that both
        rise (or both fall) over the years co-occur more than chance for that reason alone:
        check such a link within a period (``rs.filter(years=...)``) before reading it as a
        mechanism (see ``factor_trends``).

    Examples
    --------
    >>> import sce_analysis as sce
    >>> pairs = sce.factor_pairs(sce.load("data/sample"))
    >>> bool((pairs["n_ab"] <= pairs[["n_a", "n_b"]].min(axis=1)).all())
    True
    """
    check_unit(unit)
    check_polarity(polarity)
    return pair_table(presence(rs, unit=unit, polarity=polarity, coder=coder), min_count=min_count)


def significant_edges(pairs: pd.DataFrame, *, alpha: float = 0.05, min_lift: float = 1.0) -> pd.DataFrame:
    """The rows of a pair table that make network edges: q below ``alpha`` and lift above ``min_lift``."""
    check_alpha(alpha)
    check_number(min_lift, "min_lift")
    keep = (pairs["q_value"] < alpha) & (pairs["lift"] > min_lift) & (pairs["n_ab"] > 0)
    return pairs[keep]


def _graph(rs, p: Presence, pairs: pd.DataFrame, *, min_count: int, alpha: float, min_lift: float) -> nx.Graph:
    edges = significant_edges(pairs, alpha=alpha, min_lift=min_lift)
    graph = nx.from_pandas_edgelist(edges, "factor_a", "factor_b", edge_attr=True, create_using=nx.Graph)
    counts = p.column_counts()
    review_counts = counts if p.unit == "review" else _review_counts(rs, p)
    code_areas = presence_areas(p).code_areas
    info = rs.taxonomy.set_index("factor_code")
    for code in p.codes[counts >= min_count]:
        row = info.loc[code]
        graph.add_node(
            code,
            label=row["label"],
            level=None if pd.isna(row["level"]) else str(row["level"]),
            scie_category=None if pd.isna(row["scie_category"]) else str(row["scie_category"]),
            n_units=int(counts[p.codes.get_loc(code)]),
            n_reviews=int(review_counts[p.codes.get_loc(code)]),
            n_contributing_areas=int(code_areas[p.codes.get_loc(code)]),
        )
    graph.graph.update(unit=p.unit, n_units=p.n_units, alpha=alpha, min_lift=min_lift, min_count=min_count)
    return graph


def _review_counts(rs, p: Presence) -> np.ndarray:
    """Reviews with each code, from an episode-level presence matrix (rows grouped by review)."""
    review_index = pd.Index(rs.reviews["review_id"]).get_indexer(p.units["review_id"])
    group = sp.csr_array(
        (np.ones(len(review_index), dtype=np.int64), (review_index, np.arange(len(review_index)))),
        shape=(len(rs.reviews), p.n_units),
    )
    return ((group @ p.matrix) > 0).sum(axis=0)


def factor_network(rs, *, unit="episode", alpha=0.05, min_count=5, min_lift=1.0, polarity=None, coder=None) -> nx.Graph:
    """The network of factors that co-occur more than chance.

    Nodes are the factors that pass ``min_count``; edges are the pairs of :func:`factor_pairs`
    with ``q_value < alpha`` and ``lift > min_lift``, carrying every column of the pair table as
    attributes. The graph is built from that table, so the two never disagree.

    Returns
    -------
    networkx.Graph
        Node attributes: ``label``, ``level``, ``scie_category``, ``n_units``, ``n_reviews`` and
        ``n_contributing_areas`` (the distinct areas of the reviews behind the factor's units: the
        fewest areas behind the node's counts, since the units in scope span at least as many).
        Edges carry every pair column, ``n_contributing_areas`` included.
        Graph attributes: ``unit``, ``n_units``, ``alpha``, ``min_lift``, ``min_count``.

    Examples
    --------
    >>> import sce_analysis as sce
    >>> G = sce.factor_network(sce.load("data/sample"))
    >>> all(d["q_value"] < 0.05 and d["lift"] > 1 for _, _, d in G.edges(data=True))
    True
    """
    check_unit(unit)
    check_polarity(polarity)
    p = presence(rs, unit=unit, polarity=polarity, coder=coder)
    pairs = pair_table(p, min_count=min_count)
    return _graph(rs, p, pairs, min_count=min_count, alpha=check_alpha(alpha), min_lift=min_lift)


#: The edge attribute Louvain maximises modularity on. NPMI is bounded and does not favour frequent
#: factors the way raw counts do, nor rare pairs the way lift does.
THEME_WEIGHT = "npmi"


def louvain_themes(G: nx.Graph, *, seed: int = 0) -> dict[str, int]:
    """Theme number of each factor in a network: Louvain communities, seeded.

    Communities of a single factor are not themes and get no number. Themes are numbered 1, 2, ...
    from the largest down; equal sizes are ordered by their first code, so the numbering depends
    only on the graph and the seed.
    """
    if G.number_of_edges() == 0:
        return {}
    communities = nx.community.louvain_communities(G, weight=THEME_WEIGHT, seed=seed)
    themes = sorted((sorted(c) for c in communities if len(c) > 1), key=lambda c: (-len(c), c[0]))
    return {code: number for number, members in enumerate(themes, start=1) for code in members}


def node_metrics(G: nx.Graph, *, seed: int = 0) -> pd.DataFrame:
    """Centrality of each factor in a factor network, and its theme.

    Returns
    -------
    DataFrame
        One row per node, sorted by ``weighted_degree`` descending then code:

        - ``factor_code``, ``label``, ``level``, ``scie_category``;
        - ``theme``: the factor's Louvain theme (:func:`louvain_themes` with ``seed``; the same
          numbering as :func:`systemic_themes`), missing for a factor in no theme;
        - ``degree``: how many significant links; ``weighted_degree``: the sum of ``n_ab`` over them;
        - ``betweenness``: normalised betweenness centrality (unweighted: how often the factor lies
          on shortest paths between other factors);
        - ``eigenvector``: eigenvector centrality weighted by ``n_ab``, computed within the
          factor's connected component (comparable inside a theme; 0 for isolated factors);
        - ``n_contributing_areas``: the node attribute of :func:`factor_network`, the distinct
          areas of the reviews behind the factor's units (0 when the graph's nodes do not carry
          it). ``weighted_degree`` sums ``n_ab`` over the factor's links, and every unit behind an
          ``n_ab`` has the factor, so these areas bound the row's counts too: the value is safe,
          though a link's own areas can be fewer (they are on the edge).

    Examples
    --------
    >>> import sce_analysis as sce
    >>> metrics = node_metrics(sce.factor_network(sce.load("data/sample")))
    >>> list(metrics.columns[-5:])
    ['degree', 'weighted_degree', 'betweenness', 'eigenvector', 'n_contributing_areas']
    """
    nodes = sorted(G.nodes)
    themes = louvain_themes(G, seed=seed)
    betweenness = nx.betweenness_centrality(G) if len(G) else {}
    eigenvector = dict.fromkeys(nodes, 0.0)
    for component in nx.connected_components(G):
        if len(component) > 2:
            values = nx.eigenvector_centrality_numpy(G.subgraph(component), weight="n_ab")
            eigenvector.update({node: abs(value) for node, value in values.items()})
        elif len(component) == 2:  # both ends of a lone edge are equally central
            eigenvector.update(dict.fromkeys(component, 2**-0.5))
    frame = pd.DataFrame(
        {
            "factor_code": nodes,
            "label": [G.nodes[n].get("label") for n in nodes],
            "level": [G.nodes[n].get("level") for n in nodes],
            "scie_category": [G.nodes[n].get("scie_category") for n in nodes],
            "theme": pd.array([themes.get(n) for n in nodes], dtype="Int64"),
            "degree": np.array([G.degree(n) for n in nodes], dtype=np.int64),
            "weighted_degree": np.array([G.degree(n, weight="n_ab") for n in nodes], dtype=np.int64),
            "betweenness": [betweenness.get(n, 0.0) for n in nodes],
            "eigenvector": [eigenvector[n] for n in nodes],
            CONTRIBUTING_AREAS: np.array([G.nodes[n].get(CONTRIBUTING_AREAS, 0) for n in nodes], dtype=np.int64),
        }
    )
    return frame.sort_values(["weighted_degree", "factor_code"], ascending=[False, True]).reset_index(drop=True)


def _check_seed(seed) -> int:
    return check_whole(seed, "seed", 0)


def _review_blocks(rs, p: Presence) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows of ``p`` grouped by review: (row order, first position, length) per review of ``rs``."""
    if p.unit == "review":
        n = p.n_units
        return np.arange(n), np.arange(n), np.ones(n, dtype=np.int64)
    review_index = pd.Index(rs.reviews["review_id"]).get_indexer(p.units["review_id"])
    order = np.argsort(review_index, kind="stable")
    lengths = np.bincount(review_index, minlength=len(rs.reviews))
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    return order, starts, lengths


def _resample_rows(blocks, rng: np.random.Generator) -> np.ndarray:
    """Rows of a bootstrap resample of reviews (drawn with replacement), all of each review's units."""
    order, starts, lengths = blocks
    drawn = rng.integers(0, len(starts), size=len(starts))
    drawn_lengths = lengths[drawn]
    offsets = np.repeat(starts[drawn] - np.cumsum(drawn_lengths) + drawn_lengths, drawn_lengths)
    return order[offsets + np.arange(drawn_lengths.sum())]


def systemic_themes(
    rs,
    *,
    unit="episode",
    alpha=0.05,
    min_count=5,
    min_lift=1.0,
    seed=0,
    resamples=200,
    polarity=None,
    coder=None,
) -> pd.DataFrame:
    """Themes: groups of factors that go together, and how stable each is.

    The themes are the Louvain communities (seeded) of :func:`factor_network`, weighted by NPMI.
    Their stability comes from bootstrap resamples of reviews: each resample draws as many
    reviews as the set has, with replacement, rebuilds the pair table and the network, and finds
    its communities again; the resampled network keeps as many links as the original network has,
    the strongest by p-value, because duplicated reviews would otherwise make it denser than the
    data. A factor is stable in a resample when the community it lands in matches its own theme
    best (Jaccard overlap of members) among all themes.

    Parameters
    ----------
    rs : ReviewSet
    unit, alpha, min_count, min_lift, polarity, coder
        As in :func:`factor_network`.
    seed : int, default 0
        Seeds Louvain and the resampling: the same seed gives the same table.
    resamples : int, default 200
        Bootstrap resamples; 0 skips the stability columns.

    Returns
    -------
    DataFrame
        One row per factor in a theme (a community of at least two factors):

        - ``factor_code, label, level, scie_category``;
        - ``theme``: 1 for the largest theme, then by size;
        - ``theme_size``: factors in the theme;
        - ``stability``: share of resamples in which the factor landed with its theme;
        - ``theme_stability``: mean over resamples of the best Jaccard overlap between the theme
          and a resampled community (Hennig's clusterboot score; above 0.75 is commonly read as
          stable, below 0.5 as dissolved);
        - ``n_contributing_areas``: the distinct areas of the reviews behind the factor's units,
          the fewest areas behind the row's numbers (the units in scope span at least as many).

        Sorted by ``theme`` then ``factor_code``.

    Examples
    --------
    >>> import sce_analysis as sce
    >>> themes = sce.systemic_themes(sce.load("data/sample"), resamples=20)
    >>> int(themes["theme"].min())
    1
    """
    check_unit(unit)
    check_polarity(polarity)
    seed = _check_seed(seed)
    check_whole(resamples, "resamples", 0)
    alpha = check_alpha(alpha)
    p = presence(rs, unit=unit, polarity=polarity, coder=coder)
    graph = _graph(rs, p, pair_table(p, min_count=min_count), min_count=min_count, alpha=alpha, min_lift=min_lift)
    theme_of = louvain_themes(graph, seed=seed)
    members = {}
    for code, theme in theme_of.items():
        members.setdefault(theme, set()).add(code)
    stable = dict.fromkeys(theme_of, 0)
    overlap = dict.fromkeys(members, 0.0)
    if resamples and members:
        n_edges = graph.number_of_edges()
        rng = np.random.default_rng(seed)
        blocks = _review_blocks(rs, p)
        for _ in range(resamples):
            rows = _resample_rows(blocks, rng)
            # The resampled network keeps as many links as the original, the strongest by p. Drawing
            # reviews with replacement duplicates some, which makes more pairs "significant" than
            # in the data; a fixed number of links compares like with like.
            pairs = _pair_frame(p.matrix[rows], p.codes, min_count)
            edges = pairs[(pairs["lift"] > min_lift) & (pairs["n_ab"] > 0)].head(n_edges)
            resampled = nx.from_pandas_edgelist(edges, "factor_a", "factor_b", edge_attr=THEME_WEIGHT)
            communities = (
                nx.community.louvain_communities(resampled, weight=THEME_WEIGHT, seed=seed) if len(resampled) else []
            )
            _score_resample(members, communities, stable, overlap)
    rows = [(code, theme) for code, theme in theme_of.items()]
    frame = pd.DataFrame(rows, columns=["factor_code", "theme"])
    frame["theme_size"] = frame["theme"].map({t: len(m) for t, m in members.items()})
    frame["stability"] = frame["factor_code"].map(stable) / resamples if resamples else np.nan
    frame["theme_stability"] = frame["theme"].map(overlap) / resamples if resamples else np.nan
    info = rs.taxonomy[["factor_code", "label", "level", "scie_category"]]
    frame = frame.merge(info, on="factor_code", how="left", validate="one_to_one")
    frame[CONTRIBUTING_AREAS] = frame["factor_code"].map(nx.get_node_attributes(graph, CONTRIBUTING_AREAS))
    frame = frame[
        ["factor_code", "label", "level", "scie_category", "theme", "theme_size", "stability"]
        + ["theme_stability", CONTRIBUTING_AREAS]
    ]
    frame = frame.astype({"theme": "int64", "theme_size": "int64", CONTRIBUTING_AREAS: "int64"})
    return frame.sort_values(["theme", "factor_code"]).reset_index(drop=True)


def _score_resample(members: dict, communities: list, stable: dict, overlap: dict) -> None:
    """Add one resample's matches: per factor (same theme?) and per theme (best Jaccard)."""
    themes = sorted(members)
    for theme in themes:
        reference = members[theme]
        overlap[theme] += max((_jaccard(reference, c) for c in communities), default=0.0)
    for community in communities:
        scores = [_jaccard(members[t], community) for t in themes]
        best = themes[int(np.argmax(scores))]
        if scores[themes.index(best)] == 0:
            continue
        for code in community & members[best]:
            stable[code] += 1


def _jaccard(a: set, b: set) -> float:
    return len(a & b) / len(a | b)


def _episode_order(rs, p: Presence, lag: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Episodes ordered within their review: (rows in order, review position, whether a row starts a pair)."""
    sequence = p.units["sequence"]
    has_sequence = sequence.notna().to_numpy()
    review_index = pd.Index(rs.reviews["review_id"]).get_indexer(p.units["review_id"])
    rows = np.flatnonzero(has_sequence)
    rows = rows[np.lexsort((sequence.to_numpy()[rows].astype(np.int64), review_index[rows]))]
    review_of = review_index[rows]
    starts = np.zeros(len(rows), dtype=bool)
    if len(rows) > lag:
        starts[:-lag] = review_of[:-lag] == review_of[lag:]
    return rows, review_of, starts


def factor_sequences(rs, *, lag=1, min_count=5, permutations=0, seed=0, polarity=None, coder=None) -> pd.DataFrame:
    """Which factor tends to follow which, from one key practice episode to the next.

    ``a → b`` counts the pairs of episodes ``k`` and ``k + lag`` of the same review, in the order
    of ``sequence``, where ``a`` is coded on the first and ``b`` on the second. Sequences show
    how one problem sets up the next. Episodes without a ``sequence`` are left out.

    The expected count is what shuffling the order of each review's episodes would give, computed
    exactly: in a review of ``m`` episodes, each ordered pair of distinct episodes falls on
    positions ``(k, k + lag)`` with probability ``(m - lag) / (m (m - 1))``. So
    ``expected(a → b) = Σ_reviews (m - lag) / (m (m - 1)) · (R_a R_b - R_ab)``, with ``R_a``
    the review's episodes with ``a`` and ``R_ab`` those with both. All pairs come from sparse
    products, with no loop over pairs.

    Parameters
    ----------
    rs : ReviewSet
    lag : int, default 1
        Distance in episodes: 1 for the next episode.
    min_count : int, default 5
        Only factors coded on at least this many episodes are paired.
    permutations : int, default 0
        0 gives a Poisson p-value around the exact expectation (fast, and accurate for counts
        that are sums of many rare events). A positive number instead shuffles the episode order
        within every review that many times (seeded) and gives the Monte Carlo p-value
        ``(1 + #{shuffled ≥ observed}) / (1 + permutations)``.
    seed : int, default 0
        Seeds the permutations.
    polarity, coder
        As in :func:`factor_pairs`.

    Returns
    -------
    DataFrame
        One row per ordered pair of factors (``a → a`` included: a problem that persists):

        - ``factor_from``, ``factor_to``;
        - ``n``: consecutive episode pairs with ``factor_from`` then ``factor_to``;
        - ``expected``: the count under shuffled episode order; ``ratio``: ``n / expected``;
        - ``p_value``: one-sided, for more than expected; ``q_value``: Benjamini-Hochberg over
          all ordered pairs in the table;
        - ``n_contributing_areas``: the fewest areas behind any number of the row. For each count
          of the row that is not zero (``n``, and behind ``expected`` the episodes with
          ``factor_from`` and those with ``factor_to``, among the episodes with a sequence), the
          number of distinct areas among the reviews that count rests on; the row's value is the
          smallest of them. A zero count rests on no review and does not lower it. Here: the
          areas of the reviews where the pair occurs, or, where ``n`` is 0, the fewer of the areas
          behind each factor's episodes.

        Sorted by ``p_value``, then the codes.

    Examples
    --------
    >>> import sce_analysis as sce
    >>> seq = sce.factor_sequences(sce.load("data/sample"))
    >>> list(seq.columns)
    ['factor_from', 'factor_to', 'n', 'expected', 'ratio', 'p_value', 'q_value', 'n_contributing_areas']
    """
    check_polarity(polarity)
    check_whole(lag, "lag", 1)
    check_whole(permutations, "permutations", 0)
    seed = _check_seed(seed)
    min_count = _check_min_count(min_count)
    p = presence(rs, unit="episode", polarity=polarity, coder=coder)
    _require_units(p)
    kept = np.flatnonzero(p.column_counts() >= min_count)
    x = p.matrix[:, kept]
    rows, review_of, starts = _episode_order(rs, p, lag)
    ordered = x[rows]
    first = np.flatnonzero(starts)
    area = presence_areas(p).unit_area[rows]
    # Every count a → b at once, with the areas of the reviews where the pair occurs.
    observed, pair_areas = cross_pair_counts(ordered[first], ordered[first + lag], area[first])

    # Exact expectation under shuffling within reviews.
    m = np.bincount(review_of, minlength=len(rs.reviews)).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        weight = np.where(m > lag, (m - lag) / (m * (m - 1)), 0.0)
    per_review = (
        sp.csr_array((np.ones(len(rows)), (review_of, np.arange(len(rows)))), shape=(len(rs.reviews), len(rows)))
        @ ordered
    )  # reviews × codes: R_a
    weighted = sp.diags_array(weight) @ per_review
    episode_weight = sp.diags_array(weight[review_of]) @ ordered
    expected = (per_review.T @ weighted).toarray() - (ordered.T @ episode_weight).toarray()
    expected = np.maximum(expected, 0.0)

    if permutations:
        p_value = _permutation_p(ordered, review_of, starts, lag, observed, permutations, seed)
    else:
        p_value = stats.poisson.sf(observed - 1, expected)
        p_value = np.where(observed == 0, 1.0, p_value)
    codes = p.codes[kept].to_numpy()
    from_index, to_index = np.meshgrid(np.arange(len(kept)), np.arange(len(kept)), indexing="ij")
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = observed / expected
    frame = pd.DataFrame(
        {
            "factor_from": codes[from_index.ravel()],
            "factor_to": codes[to_index.ravel()],
            "n": observed.ravel().astype(np.int64),
            "expected": expected.ravel(),
            "ratio": ratio.ravel(),
            "p_value": p_value.ravel(),
        }
    )
    frame["q_value"] = bh_qvalues(frame["p_value"].to_numpy())
    if len(rows) == p.n_units:  # every episode has a sequence: the presence's own column totals
        episodes_with, code_areas = p.column_counts()[kept], presence_areas(p).code_areas[kept]
    else:
        episodes_with, code_areas = np.asarray(ordered.sum(axis=0)).ravel(), areas_per_column(ordered, area)[0]
    frame[CONTRIBUTING_AREAS] = fewest_areas(
        (observed, pair_areas),
        (episodes_with[:, None], code_areas[:, None]),
        (episodes_with[None, :], code_areas[None, :]),
    ).ravel()
    return frame.sort_values(["p_value", "factor_from", "factor_to"]).reset_index(drop=True)


def _permutation_p(ordered, review_of, starts, lag, observed, permutations, seed) -> np.ndarray:
    """Monte Carlo p-values: shuffle episode order within reviews and recount, ``permutations`` times."""
    rng = np.random.default_rng(seed)
    at_least = np.zeros(observed.shape, dtype=np.int64)
    first = np.flatnonzero(starts)
    for _ in range(permutations):
        shuffled = np.lexsort((rng.random(len(review_of)), review_of))
        counts = (ordered[shuffled[first]].T @ ordered[shuffled[first + lag]]).toarray()
        at_least += counts >= observed
    return (1 + at_least) / (1 + permutations)


def cross_level_links(rs, *, unit="episode", alpha=0.05, min_count=5, min_lift=1.0, polarity=None, coder=None):
    """The significant links that join factors of different levels, oriented outward-in.

    HFACS and AcciMap analyses ask whether conditions set further from the front line (national,
    then local strategic) travel with what happens at the sharp end. This keeps the significant
    positive pairs of :func:`factor_pairs` whose factors sit at different levels, and orients each
    from the higher level to the lower (national → local strategic → frontline).

    Returns
    -------
    DataFrame
        ``factor_from, level_from, factor_to, level_to``, ``n_ab``, ``n_from`` and ``n_to`` (units
        with each factor), then the columns ``n_units`` to ``q_value`` of :func:`factor_pairs`, and
        its ``n_contributing_areas`` (the fewest areas behind any non-zero count of the pair).
        Sorted by ``p_value``.

    Examples
    --------
    >>> import sce_analysis as sce
    >>> links = sce.cross_level_links(sce.load("data/sample"))
    >>> bool((links["level_from"] != links["level_to"]).all())
    True
    """
    pairs = factor_pairs(rs, unit=unit, min_count=min_count, polarity=polarity, coder=coder)
    edges = significant_edges(pairs, alpha=alpha, min_lift=min_lift)
    level_of = rs.taxonomy.set_index("factor_code")["level"].astype(object)
    rank = {level: i for i, level in enumerate(LEVELS)}  # frontline 0 ... national 2
    level_a = edges["factor_a"].map(level_of)
    level_b = edges["factor_b"].map(level_of)
    rank_a = level_a.map(rank)
    rank_b = level_b.map(rank)
    keep = rank_a.notna() & rank_b.notna() & (rank_a != rank_b)
    edges, level_a, level_b, rank_a, rank_b = (v[keep] for v in (edges, level_a, level_b, rank_a, rank_b))
    a_is_higher = (rank_a > rank_b).to_numpy()
    frame = pd.DataFrame(
        {
            "factor_from": np.where(a_is_higher, edges["factor_a"], edges["factor_b"]),
            "level_from": np.where(a_is_higher, level_a, level_b),
            "factor_to": np.where(a_is_higher, edges["factor_b"], edges["factor_a"]),
            "level_to": np.where(a_is_higher, level_b, level_a),
        }
    )
    frame["n_ab"] = edges["n_ab"].to_numpy()
    frame["n_from"] = np.where(a_is_higher, edges["n_a"], edges["n_b"])
    frame["n_to"] = np.where(a_is_higher, edges["n_b"], edges["n_a"])
    for column in PAIR_COLUMNS[5:]:
        frame[column] = edges[column].to_numpy()
    return frame.reset_index(drop=True)


# ----------------------------------------------------------------------------------- reviews

SIMILARITY_METRICS = ("jaccard", "cosine")
# Rows of reviews compared at once: a chunk × all-reviews dense block stays near 100 MB at 100,000 reviews.
_SIMILARITY_CHUNK = 256


def _check_metric(metric: str) -> str:
    if metric not in SIMILARITY_METRICS:
        raise ParameterError(f"metric must be one of {', '.join(SIMILARITY_METRICS)}; not {metric!r}.")
    return metric


def _similarity_block(x_rows: np.ndarray, x_all: np.ndarray, sizes_rows, sizes_all, metric: str):
    """Similarity of some reviews' factor profiles to all reviews', and the shared-factor counts."""
    shared = (x_rows @ x_all.T).astype(np.float64)  # exact: counts of shared factors
    rows, columns = sizes_rows.astype(np.float64)[:, None], sizes_all.astype(np.float64)[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        if metric == "jaccard":
            similarity = shared / (rows + columns - shared)
        else:
            # One correctly rounded division of exact integers: equal cosines stay bit-identical,
            # so ties are broken by review order, not by rounding.
            similarity = np.sqrt(shared * shared / (rows * columns))
    return np.nan_to_num(similarity, nan=0.0), shared


def review_similarity(rs, *, metric="jaccard", top=10, polarity=None, coder=None) -> pd.DataFrame:
    """Which other reviews look like each review: similarity of their factor profiles.

    A review's profile is the set of factors coded anywhere in it. For every review, its ``top``
    most similar other reviews are listed (NVivo calls this cluster analysis by coding
    similarity). Reviews sharing no factor are never listed.

    Parameters
    ----------
    rs : ReviewSet
    metric : {"jaccard", "cosine"}
        Jaccard: shared factors over factors in either review. Cosine: shared factors over the
        geometric mean of the two profiles' sizes.
    top : int, default 10
        How many neighbours per review.
    polarity, coder
        As in :func:`factor_pairs`.

    Returns
    -------
    DataFrame
        ``review_id, rank, similar_review_id, similarity, n_shared``: one row per review and
        neighbour, rank 1 the most similar; ties go to the review listed first in ``reviews``.

    Examples
    --------
    >>> import sce_analysis as sce
    >>> near = sce.review_similarity(sce.load("data/sample"), top=3)
    >>> bool((near["review_id"] != near["similar_review_id"]).all())
    True
    """
    _check_metric(metric)
    check_polarity(polarity)
    check_whole(top, "top", 1)
    p = presence(rs, unit="review", polarity=polarity, coder=coder)
    _require_units(p)
    x = p.matrix.toarray().astype(np.float32)
    sizes = x.sum(axis=1)
    n = len(x)
    k = min(int(top), n - 1)
    pieces = []
    for start in range(0, n, _SIMILARITY_CHUNK):
        rows = np.arange(start, min(start + _SIMILARITY_CHUNK, n))
        similarity, shared = _similarity_block(x[rows], x, sizes[rows], sizes, metric)
        similarity[np.arange(len(rows)), rows] = -1.0  # never one's own neighbour
        if k == 0:
            continue
        # The k-th largest similarity of each row; every value at least as large is a candidate,
        # and only the candidates are sorted (by similarity, then review position for ties).
        kth = -np.partition(-similarity, k - 1, axis=1)[:, k - 1]
        row, other = np.nonzero(similarity >= kth[:, None])
        value = similarity[row, other]
        order = np.lexsort((other, -value, row))
        row, other, value = row[order], other[order], value[order]
        rank = np.arange(len(row)) - np.searchsorted(row, row) + 1
        keep = rank <= k
        pieces.append(
            pd.DataFrame(
                {
                    "review": rows[row[keep]],
                    "rank": rank[keep],
                    "other": other[keep],
                    "similarity": value[keep].astype(float),
                    "n_shared": shared[row[keep], other[keep]].astype(np.int64),
                }
            )
        )
    frame = (
        pd.concat(pieces, ignore_index=True)
        if pieces
        else pd.DataFrame({"review": [], "rank": [], "other": [], "similarity": [], "n_shared": []})
    )
    frame = frame[frame["n_shared"] > 0]
    ids = p.units["review_id"].to_numpy()
    result = pd.DataFrame(
        {
            "review_id": ids[frame["review"].to_numpy(dtype=np.int64)],
            "rank": frame["rank"].to_numpy(dtype=np.int64),
            "similar_review_id": ids[frame["other"].to_numpy(dtype=np.int64)],
            "similarity": frame["similarity"].to_numpy(dtype=float),
            "n_shared": frame["n_shared"].to_numpy(dtype=np.int64),
        }
    )
    return result.astype({"review_id": "str", "similar_review_id": "str"})


CLUSTER_METHODS = ("ward", "average")


def cluster_reviews(
    rs, *, n_clusters=6, method="ward", metric="jaccard", max_reviews=4000, seed=0, polarity=None, coder=None
) -> pd.DataFrame:
    """Group reviews by their factor profiles (hierarchical clustering, scipy).

    - ``method="ward"`` (default): Ward's minimum-variance linkage on the 0/1 profiles, whose
      squared distance is the number of factors two reviews differ on. It gives groups of
      comparable size, which suits "what kinds of review are there?".
    - ``method="average"``: average linkage on ``1 - similarity`` (``metric``: jaccard or
      cosine), as NVivo's cluster analysis by coding similarity. Binary profiles make it chain:
      expect one large group and a few small, distinctive ones.

    Up to ``max_reviews`` reviews are clustered directly. A larger set is clustered on a seeded
    random sample of ``max_reviews`` reviews, and each other review joins the cluster the
    method's own criterion prefers (the nearest centroid for Ward, the highest mean similarity
    for average linkage), so memory stays bounded at national scale.

    Returns
    -------
    DataFrame
        ``review_id, area, region, year, cluster, cluster_size, defining_factors``: one row per
        review. Clusters are numbered from 1, largest first. ``defining_factors`` names up to
        three factors most over-represented in the cluster (highest share in the cluster over
        share overall, among factors in at least half of its reviews).

    Examples
    --------
    >>> import sce_analysis as sce
    >>> clusters = sce.cluster_reviews(sce.load("data/sample"), n_clusters=4)
    >>> sorted(clusters["cluster"].unique().tolist())
    [1, 2, 3, 4]
    """
    if method not in CLUSTER_METHODS:
        raise ParameterError(f"method must be one of {', '.join(CLUSTER_METHODS)}; not {method!r}.")
    _check_metric(metric)
    check_polarity(polarity)
    seed = _check_seed(seed)
    check_whole(n_clusters, "n_clusters", 1)
    check_whole(max_reviews, "max_reviews", 2)
    p = presence(rs, unit="review", polarity=polarity, coder=coder)
    _require_units(p)
    x = p.matrix.toarray().astype(np.float32)
    sizes = x.sum(axis=1)
    n = len(x)
    rng = np.random.default_rng(seed)
    sample = np.sort(rng.choice(n, size=max_reviews, replace=False)) if n > max_reviews else np.arange(n)
    if len(sample) == 1:
        labels = np.zeros(1, dtype=np.int64)
    elif method == "ward":
        labels = fcluster(linkage(x[sample].astype(float), method="ward"), t=n_clusters, criterion="maxclust") - 1
    else:
        similarity, _ = _similarity_block(x[sample], x[sample], sizes[sample], sizes[sample], metric)
        distance = np.clip(1.0 - similarity[np.triu_indices(len(sample), k=1)], 0.0, None)
        labels = fcluster(linkage(distance, method="average"), t=n_clusters, criterion="maxclust") - 1
    assigned = np.empty(n, dtype=np.int64)
    assigned[sample] = labels
    members = np.zeros((len(sample), int(labels.max()) + 1), dtype=np.float32)
    members[np.arange(len(sample)), labels] = 1.0
    centroids = (members.T @ x[sample]) / members.sum(axis=0)[:, None]
    rest = np.setdiff1d(np.arange(n), sample)
    for start in range(0, len(rest), _SIMILARITY_CHUNK):
        rows = rest[start : start + _SIMILARITY_CHUNK]
        if method == "ward":
            gap = (centroids**2).sum(axis=1)[None, :] - 2 * x[rows] @ centroids.T
            assigned[rows] = np.argmin(gap, axis=1)
        else:
            block, _ = _similarity_block(x[rows], x[sample], sizes[rows], sizes[sample], metric)
            assigned[rows] = np.argmax((block @ members) / members.sum(axis=0), axis=1)
    # Number clusters by size, largest first; equal sizes by their first review.
    counts = np.bincount(assigned)
    first_seen = np.array([np.flatnonzero(assigned == c)[0] if counts[c] else n for c in range(len(counts))])
    order = np.lexsort((first_seen, -counts))
    renumber = np.empty(len(counts), dtype=np.int64)
    renumber[order] = np.arange(1, len(counts) + 1)
    cluster = renumber[assigned]
    frame = p.units[["review_id", "area", "region", "year"]].copy()
    frame["cluster"] = cluster
    frame["cluster_size"] = np.bincount(cluster)[cluster]
    frame["defining_factors"] = pd.Series(_defining_factors(x, cluster, p.codes))[cluster].to_numpy()
    return frame.astype({"defining_factors": "str"}).reset_index(drop=True)


def _defining_factors(x: np.ndarray, cluster: np.ndarray, codes: pd.Index, *, most: int = 3) -> dict[int, str]:
    overall = x.mean(axis=0)
    named = {}
    for c in np.unique(cluster):
        within = x[cluster == c].mean(axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            lift = np.where((within >= 0.5) & (overall > 0), within / overall, 0.0)
        best = [i for i in np.lexsort((codes.to_numpy(), -lift)) if lift[i] > 1][:most]
        named[int(c)] = "; ".join(codes[best]) if best else ""
    return named
