"""Inter-coder agreement: how far coders who coded the same key practice episodes agree.

SCIE reviews are coded by people, and a pattern across reviews is only as sound as the coding
behind it. When several coders code the same episodes (the ``coder`` column of
``factors.csv``), :func:`coder_agreement` measures their agreement on each contributory factor
code, factor type or SCIE category: Cohen's kappa for two coders, Krippendorff's alpha for two
or more, and the plain share of agreeing coder pairs.

All judgements come from one sparse matrix of (episode, coder) × codes, summed into items and
episodes by matrix products, never from a loop over items, episodes or coders.
"""

from __future__ import annotations

import difflib

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..errors import ParameterError
from ..reviewsets.contract import SCIE_CATEGORIES, SCIE_CATEGORY_LABELS
from .contributors import CONTRIBUTING_AREAS, area_index, distinct_areas, fewest_areas
from .presence import check_polarity
from .selection import POOLED_ITEM  # the pooled row's item: with pandas only, for readers of finished tables

__all__ = ["coder_agreement", "agreement_overview", "AGREEMENT_LEVELS", "AGREEMENT_COLUMNS"]

#: What an item of agreement can be: a code, or a column of the taxonomy that groups codes.
AGREEMENT_LEVELS = ("code", "factor_type", "scie_category")
#: The columns of :func:`coder_agreement`, in order.
AGREEMENT_COLUMNS = [
    "level",
    "item",
    "label",
    "coders",
    "double_coded_episodes",
    "judgements",
    "coded_by_any",
    "coded_by_all",
    "percent_agreement",
    "cohen_kappa",
    "krippendorff_alpha",
    "note",
    CONTRIBUTING_AREAS,
]

_NEEDED = (
    "Agreement needs a `coder` column in factors.csv with at least two coders on the same episodes "
    "(rows with the same review_id and episode_id and different coders)."
)


def coder_agreement(rs, *, level="code", coders=None, polarity=None) -> pd.DataFrame:
    """Agreement between coders who coded the same episodes, per code or per group of codes.

    Parameters
    ----------
    rs : ReviewSet
    level : {"code", "factor_type", "scie_category"}
        What an *item* is. ``"code"``: each factor code of the taxonomy, in taxonomy order
        (codes never coded included). ``"factor_type"``: each value of the taxonomy's
        ``factor_type`` column, in order of first appearance in the taxonomy.
        ``"scie_category"``: each SCIE category that the taxonomy uses, in the contract's key
        order. At the two grouped levels a coder *has* an item on an episode when they coded
        any code mapped to it. Codes with no value in that column are not dropped: together they
        make one more item, ``"(no factor_type)"`` or ``"(no scie_category)"``, whose label lists
        them (a ParameterError when no code has a value).
    coders : list of str, optional
        The coders to compare (default: every coder of ``rs.coders``). Rows with an empty
        ``coder`` belong to no coder and are ignored.
    polarity : {None, "problematic", "good"}
        Count only codings of this polarity (default: either). The episodes compared do not
        depend on it; only the judgements do. With ``None``, a code one coder marked
        ``problematic`` and the other ``good`` counts as agreement.

    Returns
    -------
    DataFrame
        One row per item, then one pooled row. Columns:

        - ``level``: the ``level`` argument;
        - ``item``: the code, factor type or category key; ``"(all items)"`` in the pooled row;
        - ``label``: the taxonomy label, the factor type, or the category's Guide 24 label;
        - ``coders``: the coders who coded at least one double-coded episode, ``;``-joined, in
          the order of ``coders`` (by default, of first appearance in ``factors``);
        - ``double_coded_episodes``: episodes that at least two of the chosen coders coded;
        - ``judgements``: 0/1 judgements per item, one per coder of each double-coded episode
          (``2 × double_coded_episodes`` for two coders);
        - ``coded_by_any``, ``coded_by_all``: double-coded episodes on which at least one, or
          every, coder of that episode has the item;
        - ``percent_agreement``: among all pairs of coders who coded the same episode, pooled
          over the double-coded episodes, the share of pairs whose judgements agree:
          ``Σ_e [C(n1_e, 2) + C(n0_e, 2)] / Σ_e C(m_e, 2)``, where episode ``e`` has ``m_e``
          coders, ``n1_e`` of whom have the item and ``n0_e`` not. It is a share between 0 and 1
          (0.8 means 80%), and is 1 for an item nobody coded. Most codes are absent from most
          episodes, so it is high whatever the coders do: read it beside kappa and alpha, which
          correct for chance;
        - ``cohen_kappa``: Cohen's kappa of the 2×2 table of the two coders' judgements over
          the episodes both coded; given only when exactly two coders take part, else NaN;
        - ``krippendorff_alpha``: Krippendorff's alpha for nominal data with the coincidence
          matrix, ``1 − (n − 1) Σ_e [n0_e n1_e / (m_e − 1)] / (n0 n1)``, where ``n`` is the number
          of judgements and ``n0``, ``n1`` their totals of 0 and 1. A coder who did not code an
          episode gives no judgement there (missing), so it applies to any number of coders;
        - ``note``: why kappa and alpha are NaN (an item without variation: never coded on the
          double-coded episodes, or coded by every coder on every one), or which codes a
          ``(no ...)`` item groups; missing otherwise;
        - ``n_contributing_areas``: the fewest areas behind any number of the row. For each count
          of the row that is not zero (``double_coded_episodes``, ``judgements``,
          ``coded_by_any``, ``coded_by_all``), the number of distinct areas among the reviews of
          the double-coded episodes that count rests on; the row's value is the smallest of them.
          A zero count rests on no review and does not lower it.

        In the pooled row every item × episode pair is one unit: its counts (except
        ``double_coded_episodes``) are summed over items, and its statistics come from the
        pooled judgements (one 2×2 table, one coincidence matrix). They are pooled statistics,
        not means of the item rows, and frequent items weigh more.

    Raises
    ------
    ParameterError
        For an unknown level, polarity or coder; when fewer than two coders are chosen or no
        episode was coded by two of them.

    Notes
    -----
    An episode is *double-coded* when at least two of the chosen coders have rows for it in
    ``factors``. A coder who coded an episode but found no contributory factor leaves no row,
    so they cannot be told apart from a coder who did not code it: such an episode counts as
    not coded by them. Agreement on "no factor at all" episodes is therefore not measured.

    Cohen's kappa equals ``statsmodels.stats.inter_rater.cohens_kappa`` on the 2×2 table, and
    alpha equals ``krippendorff.alpha(..., level_of_measurement="nominal")`` on the coders ×
    episodes reliability data (NaN where a coder did not code an episode).

    Examples
    --------
    >>> import sce_analysis as sce
    >>> from sce_analysis.stats.agreement import coder_agreement
    >>> table = coder_agreement(sce.load("data/sample"), level="scie_category")
    >>> table[["item", "coders"]].tail(2).to_numpy().tolist()
    [['human_reasoning', 'reviewer_a;reviewer_b'], ['(all items)', 'reviewer_a;reviewer_b']]
    >>> pooled = table.iloc[-1]
    >>> bool(0 < pooled["cohen_kappa"] < 1 and 0 < pooled["krippendorff_alpha"] < 1)
    True
    """
    if level not in AGREEMENT_LEVELS:
        raise ParameterError(f"level must be one of {', '.join(map(repr, AGREEMENT_LEVELS))}; not {level!r}.")
    check_polarity(polarity)
    chosen = _chosen_coders(rs, coders)
    items, labels, mapping, item_notes = _items(rs, level)
    judged = _judgements(rs, chosen, polarity, mapping)
    columns, contributing = _item_totals(judged, len(items))
    pooled = {name: np.array([values.sum()]) for name, values in columns.items()}
    frame = pd.concat([_statistics(columns), _statistics(pooled)], ignore_index=True)
    notes = [_degenerate(row, polarity) for row in frame[["n1", "judgements"]].itertuples(index=False)]
    notes[: len(items)] = [_join(a, b) for a, b in zip(notes[: len(items)], item_notes, strict=True)]
    rows = {"level": [level] * (len(items) + 1), "item": [*items, POOLED_ITEM]}
    rows |= {"label": [*labels, f"All {_plural(level)} pooled"], "note": notes}
    return _agreement_frame(rows, judged, frame, contributing)


def _item_totals(judged: dict, n_items: int) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Per item, the totals the statistics need, and ``n_contributing_areas`` (items, then pooled)."""
    # Per item: item × episode counts of the coders that have the item (sparse, nonzeros only).
    counts = judged["per_episode"].tocoo()
    item, value = counts.col, counts.data.astype(np.int64)
    m = judged["coders_per_episode"][counts.row]
    n1 = np.bincount(item, weights=value, minlength=n_items).astype(np.int64)
    weighted = np.bincount(item, weights=value * (m - value) / (m - 1), minlength=n_items)
    disagreeing_pairs = np.bincount(item, weights=value * (m - value), minlength=n_items).astype(np.int64)
    coded_by_any = np.bincount(item, minlength=n_items).astype(np.int64)
    coded_by_all = np.bincount(item[value == m], minlength=n_items).astype(np.int64)
    contributing = _contributing_areas(judged["episode_area"], counts.row, item, value == m, coded_by_any, coded_by_all)

    n_episodes = len(judged["coders_per_episode"])
    n_judgements = int(judged["coders_per_episode"].sum())
    n_pairs = int((judged["coders_per_episode"] * (judged["coders_per_episode"] - 1) // 2).sum())
    columns = {
        "n_units": np.full(n_items, n_episodes, dtype=np.int64),
        "judgements": np.full(n_items, n_judgements, dtype=np.int64),
        "pairs": np.full(n_items, n_pairs, dtype=np.int64),
        "n1": n1,
        "weighted": weighted,
        "disagreeing_pairs": disagreeing_pairs,
        "coded_by_any": coded_by_any,
        "coded_by_all": coded_by_all,
    }
    if judged["first_coder_n1"] is not None:
        columns["first_n1"] = judged["first_coder_n1"]
        columns["second_n1"] = judged["second_coder_n1"]
    return columns, contributing


def _agreement_frame(rows: dict[str, list], judged: dict, frame: pd.DataFrame, contributing) -> pd.DataFrame:
    """The table of :func:`coder_agreement` from its row labels, the judgements and the statistics."""
    n_rows = len(rows["item"])
    result = pd.DataFrame(
        {
            "level": pd.array(rows["level"], dtype="str"),
            "item": pd.array(rows["item"], dtype="str"),
            "label": pd.array(rows["label"], dtype="str"),
            "coders": pd.array([";".join(judged["present"])] * n_rows, dtype="str"),
            "double_coded_episodes": np.full(n_rows, len(judged["coders_per_episode"]), dtype=np.int64),
            "judgements": frame["judgements"].to_numpy(np.int64),
            "coded_by_any": frame["coded_by_any"].to_numpy(np.int64),
            "coded_by_all": frame["coded_by_all"].to_numpy(np.int64),
            "percent_agreement": frame["percent_agreement"].to_numpy(np.float64),
            "cohen_kappa": frame["cohen_kappa"].to_numpy(np.float64),
            "krippendorff_alpha": frame["krippendorff_alpha"].to_numpy(np.float64),
            "note": pd.array(rows["note"], dtype="str"),
            CONTRIBUTING_AREAS: contributing,
        }
    )
    return result[AGREEMENT_COLUMNS]


def _contributing_areas(episode_area, episode, item, by_all, coded_by_any, coded_by_all) -> np.ndarray:
    """``n_contributing_areas`` of the item rows, then of the pooled row.

    ``episode_area`` holds the area of each double-coded episode. ``episode``, ``item`` and
    ``by_all`` describe the (episode, item) pairs some coder has: which episode, which item, and
    whether every coder of the episode has it. Every double-coded episode is behind
    ``double_coded_episodes`` and ``judgements``; the pairs are behind ``coded_by_any``, those
    coded by all behind ``coded_by_all``; the pooled counts rest on the union over items.
    """
    area = episode_area[episode]
    every = distinct_areas(episode_area)[0]
    n_items = len(coded_by_any)
    per_item = fewest_areas(
        (len(episode_area), every),
        (coded_by_any, distinct_areas(area, item, n_items)),
        (coded_by_all, distinct_areas(area[by_all], item[by_all], n_items)),
    )
    pooled = fewest_areas(  # the pooled counts are the sums over items
        (len(episode_area), every),
        (int(coded_by_any.sum()), distinct_areas(area)[0]),
        (int(coded_by_all.sum()), distinct_areas(area[by_all])[0]),
    )
    return np.append(per_item, pooled).astype(np.int64)


# ----------------------------------------------------------------------------------- helpers


def _chosen_coders(rs, coders) -> list[str]:
    """The coders to compare, checked against the set's coders."""
    known = rs.coders
    if coders is None:
        chosen = list(known)
    else:
        chosen = [coders] if isinstance(coders, str) else coders
        try:
            chosen = list(chosen)
        except TypeError:
            raise ParameterError(f"coders must be a list of coder names, not {coders!r}.") from None
        if not all(isinstance(c, str) for c in chosen):
            raise ParameterError(f"coders must be a list of coder names, not {coders!r}.")
        repeated = sorted({c for c in chosen if chosen.count(c) > 1})
        if repeated:
            raise ParameterError(f"coders names {', '.join(map(repr, repeated))} more than once; name each once.")
        for name in chosen:
            if name not in known:
                close = difflib.get_close_matches(name, known, n=3)
                hint = f" Did you mean {', '.join(map(repr, close))}?" if close else ""
                raise ParameterError(
                    f"coders: {name!r} coded nothing in this set.{hint} Known coders: {', '.join(known) or 'none'}."
                )
    if len(chosen) < 2:
        have = f"coders {', '.join(map(repr, chosen))}" if chosen else "no named coder"
        where = "the coders argument selects" if coders is not None else "this set has"
        raise ParameterError(f"coder agreement needs at least two coders, but {where} {have}. {_NEEDED}")
    return chosen


def _items(rs, level: str) -> tuple[list[str], list[str], sp.csr_array, list[str | None]]:
    """Items, their labels, the codes × items 0/1 matrix, and a note per item."""
    taxonomy = rs.taxonomy
    codes = taxonomy["factor_code"].astype(object).to_numpy()
    n_codes = len(codes)
    if level == "code":
        items = list(codes)
        labels = taxonomy["label"].astype(object).tolist()
        column = np.arange(n_codes)
        notes: list[str | None] = [None] * n_codes
    else:
        values = taxonomy[level].astype(object)
        known = values.notna().to_numpy()
        if not known.any():
            where = "" if rs.taxonomy_given else " (the set has no taxonomy.csv, so the coding frame has none)"
            raise ParameterError(
                f"level={level!r} needs a {level} for the codes, but no code of the taxonomy has one{where}. "
                f"Use level='code', or give a taxonomy.csv with a {level} column."
            )
        present = set(values[known])
        if level == "scie_category":
            items = [key for key in SCIE_CATEGORIES if key in present]
            labels = [SCIE_CATEGORY_LABELS[key] for key in items]
        else:
            items = list(pd.unique(values[known]))
            labels = list(items)
        column = pd.Index(items).get_indexer(values.where(known, None))
        notes = [None] * len(items)
        if not known.all():
            unmapped = [str(c) for c in codes[~known]]
            column = np.where(known, column, len(items))
            items.append(f"(no {level})")
            labels.append(f"Codes with no {level} in the taxonomy: {', '.join(unmapped)}")
            notes.append(f"groups the {len(unmapped)} code{'s' if len(unmapped) != 1 else ''} with no {level}")
    mapping = sp.csr_array(
        (np.ones(n_codes, dtype=np.int64), (np.arange(n_codes), column)), shape=(n_codes, len(items)), dtype=np.int64
    )
    return [str(i) for i in items], [str(label) for label in labels], mapping, notes


def _judgements(rs, chosen: list[str], polarity: str | None, mapping: sp.csr_array) -> dict:
    """Who coded which double-coded episode, and how many of them have each item there.

    Returns a dict with ``per_episode`` (double-coded episodes × items: how many of the
    episode's coders have the item), ``episode_area`` (the area position of each double-coded
    episode), ``coders_per_episode`` (their number of coders), ``present``
    (the coders taking part) and, for exactly two coders, each one's count of episodes per item.
    """
    factors = rs.factors
    positions = rs.factor_positions
    episode = positions["episode"]
    k = len(chosen)
    who = pd.Index(chosen).get_indexer(factors["coder"].astype(object).where(factors["coder"].notna(), None))
    mine = who >= 0
    # (episode, coder) pairs with at least one row, sorted episode-major: the judging units.
    pair_key = np.unique(episode[mine].astype(np.int64) * k + who[mine])
    pair_episode, pair_coder = pair_key // k, pair_key % k
    coders_per_episode = np.bincount(pair_episode, minlength=len(rs.episodes))
    double = coders_per_episode >= 2
    if not double.any():
        raise ParameterError(
            f"no episode was coded by at least two of the coders {', '.join(map(repr, chosen))}. {_NEEDED}"
        )
    on_double = double[pair_episode]
    pair_key, pair_episode, pair_coder = pair_key[on_double], pair_episode[on_double], pair_coder[on_double]
    episode_rank = np.cumsum(double) - 1
    n_double = int(double.sum())
    present_index = np.unique(pair_coder)
    present = [chosen[i] for i in present_index]

    rows = mine & double[np.maximum(episode, 0)] & (episode >= 0)
    if polarity is not None:
        rows &= (factors["polarity"] == polarity).to_numpy(dtype=bool, na_value=False)
    unit = np.searchsorted(pair_key, episode[rows].astype(np.int64) * k + who[rows])
    n_units = len(pair_key)
    coded = sp.csr_array(
        (np.ones(int(rows.sum()), dtype=np.int64), (unit, positions["code"][rows])),
        shape=(n_units, mapping.shape[0]),
        dtype=np.int64,
    )
    has = _binary(coded @ mapping)  # (episode, coder) × items
    incidence = sp.csr_array(
        (np.ones(n_units, dtype=np.int64), (episode_rank[pair_episode], np.arange(n_units))),
        shape=(n_double, n_units),
        dtype=np.int64,
    )
    per_episode = sp.csr_array(incidence @ has)
    per_episode.eliminate_zeros()
    first = second = None
    if len(present_index) == 2:
        first = np.asarray(has[pair_coder == present_index[0]].sum(axis=0)).ravel().astype(np.int64)
        second = np.asarray(has[pair_coder == present_index[1]].sum(axis=0)).ravel().astype(np.int64)
    episode_area = area_index(rs.reviews["area"])[positions["episode_review"]]
    return {
        "per_episode": per_episode,
        "episode_area": episode_area[double],
        "coders_per_episode": coders_per_episode[double].astype(np.int64),
        "present": present,
        "first_coder_n1": first,
        "second_coder_n1": second,
    }


def _binary(matrix) -> sp.csr_array:
    """A 0/1 copy of a nonnegative sparse matrix."""
    out = sp.csr_array(matrix)
    out.sum_duplicates()
    out.eliminate_zeros()
    out.data = np.ones_like(out.data)
    return out


def _statistics(c: dict[str, np.ndarray]) -> pd.DataFrame:
    """Percent agreement, kappa and alpha from per-item totals (vectorised over items)."""
    judgements, n1 = c["judgements"], c["n1"]
    n0 = judgements - n1
    with np.errstate(invalid="ignore", divide="ignore"):
        percent = 1.0 - c["disagreeing_pairs"] / c["pairs"]
        varied = (n0 > 0) & (n1 > 0)
        alpha = np.where(
            varied, 1.0 - (judgements - 1) * c["weighted"] / np.where(varied, n0 * n1, 1).astype(np.float64), np.nan
        )
        kappa = np.full(len(n1), np.nan)
        if "first_n1" in c:
            # Two coders, each on every double-coded episode: the 2×2 table in whole numbers.
            n = c["n_units"]
            a1, b1 = c["first_n1"], c["second_n1"]
            agree = n - (c["coded_by_any"] - c["coded_by_all"])  # both 1 or both 0
            chance = a1 * b1 + (n - a1) * (n - b1)  # n² × expected agreement
            denominator = n * n - chance
            kappa = np.where(
                denominator > 0, (n * agree - chance) / np.where(denominator > 0, denominator, 1), np.nan
            ).astype(np.float64)
    return pd.DataFrame(
        {
            "judgements": judgements,
            "n1": n1,
            "coded_by_any": c["coded_by_any"],
            "coded_by_all": c["coded_by_all"],
            "percent_agreement": percent,
            "cohen_kappa": kappa,
            "krippendorff_alpha": alpha,
        }
    )


def _degenerate(row, polarity: str | None) -> str | None:
    """Why kappa and alpha are undefined for an item, or None when they are defined."""
    n1, judgements = row
    if n1 == 0:
        what = f"never coded as {polarity}" if polarity else "never coded"
        return f"{what} on the double-coded episodes: no variation, so kappa and alpha are undefined"
    if n1 == judgements:
        what = f"coded as {polarity}" if polarity else "coded"
        return f"{what} by every coder on every double-coded episode: no variation, so kappa and alpha are undefined"
    return None


def _join(*notes: str | None) -> str | None:
    kept = [n for n in notes if n]
    return "; ".join(kept) if kept else None


def _plural(level: str) -> str:
    return {"code": "codes", "factor_type": "factor types", "scie_category": "SCIE categories"}[level]


def agreement_overview(rs, *, polarity=None) -> pd.DataFrame:
    """Coder agreement for a report: the pooled code-level row, then one row per SCIE category.

    For a set without double coding it returns one row that says so (in ``note``) instead of
    raising, so a report on any set can show it.

    Parameters
    ----------
    rs : ReviewSet
    polarity : {None, "problematic", "good"}
        As in :func:`coder_agreement`.

    Returns
    -------
    DataFrame
        The columns of :func:`coder_agreement`. The first row is the ``(all items)`` row of
        ``level="code"``: agreement on the codes themselves, the finest and hardest level. The
        rows after it are ``level="scie_category"`` (when the coding frame gives categories),
        ending with its own pooled row. Without double coding: one row, ``item`` ``"(no double
        coding)"``, with ``note`` saying what agreement needs and ``n_contributing_areas`` 0.

    Examples
    --------
    >>> import sce_analysis as sce
    >>> table = agreement_overview(sce.load("data/sample"))
    >>> table[["level", "item"]].head(2).to_numpy().tolist()
    [['code', '(all items)'], ['scie_category', 'multi_agency_incidents']]
    """
    check_polarity(polarity)
    try:
        by_code = coder_agreement(rs, level="code", polarity=polarity)
    except ParameterError as error:  # with the level and polarity valid, only "no double coding" is left
        row = dict.fromkeys(AGREEMENT_COLUMNS, np.nan)
        row.update(level="code", item="(no double coding)", label="", coders="", note=str(error))
        for column in ("double_coded_episodes", "judgements", "coded_by_any", "coded_by_all", CONTRIBUTING_AREAS):
            row[column] = 0
        return pd.DataFrame([row], columns=AGREEMENT_COLUMNS)
    parts = [by_code[by_code["item"] == POOLED_ITEM]]
    if rs.taxonomy["scie_category"].notna().any():
        parts.append(coder_agreement(rs, level="scie_category", polarity=polarity))
    return pd.concat(parts, ignore_index=True)
