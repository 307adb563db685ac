"""Time the factor networks at national scale, against networkx and mlxtend doing the same pair job.

Usage: python benchmarks/bench_networks.py [--reviews 10000] [--repeat 3] [--seed 2026] [--scale 100000]

Targets (issue 4), at 10,000 reviews (about 65,000 KPEs; unit = the KPE):

- ``factor_pairs`` and ``factor_network`` with 40 and with 200 codes: at least 20x faster than the
  faster of two peers doing the same pair job, with identical counts, and under 1 s with 40 codes.
  The peers are (a) networkx ``bipartite.weighted_projected_graph`` on the KPE-factor graph (edge
  weight = pairs count) and (b) mlxtend frequent itemsets (``apriori`` in its default and
  ``low_memory`` modes, and ``fpgrowth``: the fastest is used) with ``max_len=2`` and
  ``min_support`` below one KPE, then ``association_rules`` (support, confidence and lift of every
  pair seen at least once).
- ``systemic_themes`` with 200 resamples under 15 s; ``factor_sequences`` under 5 s.
- With ``--scale N`` (e.g. 100000): every function completes under 4 GB peak memory at N reviews.

The code sets. "56 codes" is the generator's whole coding frame. "40 codes" keeps the first 40
codes of the frame (taxonomy order) and their codings. "200 codes" maps the frame onto 200 codes:
each code is split into 3 sub-codes, and the 32 most coded into 4 (3 x 56 + 32 = 200); each coding
moves to one of its code's sub-codes, drawn uniformly with a seeded rng (seed ``--seed``). The
co-occurrence structure is kept (a sub-code goes with what its parent went with) and every
sub-code is coded on hundreds of KPEs. The variants are built with ``sce.from_frames`` (findings
left out: no network function reads them).

How the pair job is compared. ``factor_pairs`` is timed from the ReviewSet: it builds the KPE x
factor matrix and computes every statistic (p, q, odds ratio ...). The peers are timed twice:
on a ready-made input (the bipartite graph; the one-hot DataFrame), which flatters them, and with
the building of that input from the same ReviewSet included (plain pandas and numpy). Each peer's
counts are checked against ``factor_pairs``' ``n_ab`` pair by pair before its time is printed.
``min_count=1`` so that every code is paired, as the peers do.

Memory (``--scale``). The set is generated once in a child process and saved as a review-set
folder (CSV, the project's one interchange format; nothing is pickled). Each function then
runs in a fresh Python process started by this small parent (Linux carries a parent's peak RSS
across fork and exec, so the parent must stay small and must not have imported the library
before the children start), which makes each peak its own. The peak includes the imports and the
loaded review set; "load only" shows how much that is.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GB = 1e9  # the 4 GB target, in bytes

# ---------------------------------------------------------------------------------------- --scale

GENERATE = """
import sys, time
from sce_analysis import synthetic
path, n, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
start = time.perf_counter()
rs = synthetic.generate(n, seed=seed, n_areas=150, n_regions=9).review_set
seconds = time.perf_counter() - start
rs.save(path)
print(f"{len(rs.reviews):,} reviews, {len(rs.episodes):,} KPEs, {len(rs.factors):,} codings, "
      f"{len(rs.taxonomy)} codes; generated in {seconds:.1f} s")
"""

CHILD = """
import json, resource, sys, time
import networkx, numpy, pandas, scipy.sparse, sce_analysis as sce  # imports are not part of the timing
rs = sce.load(sys.argv[1])
loaded_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
start = time.perf_counter()
exec(sys.argv[2])
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "loaded_mib": loaded_mib,
                  "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

SCALE_CALLS = {
    "load only": "pass",
    "factor_pairs": "sce.factor_pairs(rs)",
    "factor_pairs(review)": "sce.factor_pairs(rs, unit='review')",
    "factor_network": "sce.factor_network(rs)",
    "node_metrics": "sce.node_metrics(sce.factor_network(rs))",
    "systemic_themes(200)": "sce.systemic_themes(rs, resamples=200)",
    "factor_sequences": "sce.factor_sequences(rs)",
    "factor_sequences(perm=100)": "sce.factor_sequences(rs, permutations=100)",
    "cross_level_links": "sce.cross_level_links(rs)",
    "review_similarity": "sce.review_similarity(rs)",
    "cluster_reviews": "sce.cluster_reviews(rs)",
    "cluster_reviews(average)": "sce.cluster_reviews(rs, method='average')",
}


def run_scale(n_reviews: int, seed: int) -> bool:
    """Each function in its own process at ``n_reviews``; True when every peak is under 4 GB."""
    print(f"== memory at {n_reviews:,} reviews: one process per function ==")
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "national"
        made = subprocess.run(
            [sys.executable, "-c", GENERATE, str(path), str(n_reviews), str(seed)],
            capture_output=True,
            text=True,
            check=True,
        )
        print(made.stdout.strip() + "\n")
        print(f"{'function':<28}{'time':>10}{'peak RSS':>12}{'of which load':>15}   under 4 GB")
        ok = True
        for name, code in SCALE_CALLS.items():
            done = subprocess.run(
                [sys.executable, "-c", CHILD, str(path), code], capture_output=True, text=True, check=False
            )
            if done.returncode != 0:
                ok = False
                print(f"{name:<28}   FAILED: {done.stderr.strip().splitlines()[-1]}")
                continue
            result = json.loads(done.stdout.strip().splitlines()[-1])
            under = result["peak_mib"] * 2**20 < 4 * GB
            ok &= under
            print(
                f"{name:<28}{result['seconds']:>8.2f} s{result['peak_mib']:>8.0f} MiB"
                f"{result['loaded_mib']:>11.0f} MiB   {'yes' if under else 'NO'}"
            )
    print()
    return ok


# ---------------------------------------------------------------------------------------- the code sets


def restrict_codes(rs, n_codes: int):
    """The first ``n_codes`` codes of the coding frame and their codings (findings left out)."""
    import sce_analysis as sce

    taxonomy = rs.taxonomy.iloc[:n_codes]
    factors = rs.factors[rs.factors["factor_code"].isin(taxonomy["factor_code"])]
    return sce.from_frames(rs.reviews, rs.episodes, factors, None, taxonomy)


def split_codes(rs, n_codes: int, seed: int):
    """Map the coding frame onto ``n_codes`` codes by splitting each code into sub-codes (see the module doc)."""
    import numpy as np
    import pandas as pd

    import sce_analysis as sce

    taxonomy = rs.taxonomy
    base, extra = divmod(n_codes, len(taxonomy))
    coded = rs.codings()["factor_code"].value_counts()
    by_use = sorted(taxonomy["factor_code"], key=lambda c: (-int(coded.get(c, 0)), c))
    parts = {code: base + (rank < extra) for rank, code in enumerate(by_use)}
    rows = []
    for term in taxonomy.to_dict("records"):
        for i in range(1, parts[term["factor_code"]] + 1):
            rows.append(
                term
                | {
                    "factor_code": f"{term['factor_code']}__{i}",
                    "label": f"{term['label']} (part {i})",
                    "parent_code": None,
                }
            )
    new_taxonomy = pd.DataFrame(rows, columns=taxonomy.columns)
    rng = np.random.default_rng(seed)
    k = rs.factors["factor_code"].map(parts).to_numpy(dtype=np.int64)
    part = 1 + np.floor(rng.random(len(k)) * k).astype(np.int64)
    factors = rs.factors.assign(factor_code=rs.factors["factor_code"] + "__" + pd.Series(part).astype(str).to_numpy())
    assert len(new_taxonomy) == n_codes
    return sce.from_frames(rs.reviews, rs.episodes, factors, None, new_taxonomy)


# ---------------------------------------------------------------------------------------- the peers


def best_of(call, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - start)
    return min(times), result


def peer_inputs(rs):
    """The KPE x factor incidence from the ReviewSet with plain pandas (first coder): rows, columns, codes, units."""
    import pandas as pd

    codings = rs.codings()
    units = pd.MultiIndex.from_frame(rs.episodes[["review_id", "episode_id"]])
    row = units.get_indexer(pd.MultiIndex.from_frame(codings[["review_id", "episode_id"]]))
    codes = rs.taxonomy["factor_code"].tolist()
    column = pd.Index(codes).get_indexer(codings["factor_code"])
    return row, column, codes, len(units)


def build_onehot(rs):
    import numpy as np
    import pandas as pd

    row, column, codes, n_units = peer_inputs(rs)
    matrix = np.zeros((n_units, len(codes)), dtype=bool)
    matrix[row, column] = True
    return pd.DataFrame(matrix, columns=codes)


def build_bipartite(rs):
    import networkx as nx

    row, column, codes, n_units = peer_inputs(rs)
    graph = nx.Graph()
    graph.add_nodes_from(range(n_units), bipartite=0)
    graph.add_nodes_from(codes, bipartite=1)
    graph.add_edges_from(zip(row.tolist(), [codes[c] for c in column], strict=True))
    return graph, codes


def networkx_pairs(graph, codes):
    from networkx.algorithms import bipartite

    return bipartite.weighted_projected_graph(graph, codes)


def mlxtend_pairs(onehot, algorithm: str):
    from mlxtend.frequent_patterns import apriori, association_rules, fpgrowth

    n = len(onehot)
    options = {"min_support": 0.5 / n, "use_colnames": True, "max_len": 2}  # every pair seen at least once
    if algorithm == "apriori":
        frequent = apriori(onehot, **options)
    elif algorithm == "apriori(low_memory)":
        frequent = apriori(onehot, low_memory=True, **options)
    else:
        frequent = fpgrowth(onehot, **options)
    return association_rules(frequent, num_itemsets=n, metric="support", min_threshold=0.0)


def check_networkx(projection, pairs) -> None:
    seen = pairs[pairs["n_ab"] > 0]
    expected = {frozenset((a, b)): n for a, b, n in zip(seen["factor_a"], seen["factor_b"], seen["n_ab"], strict=True)}
    got = {frozenset((a, b)): d["weight"] for a, b, d in projection.edges(data=True)}
    if got != expected:
        raise AssertionError("networkx projection counts differ from factor_pairs")


def check_mlxtend(rules, pairs) -> None:
    import numpy as np

    n_units = int(pairs["n_units"].iloc[0])
    singles = rules[(rules["antecedents"].map(len) == 1) & (rules["consequents"].map(len) == 1)]
    got = {
        (next(iter(a)), next(iter(b))): (s, c, lift)
        for a, b, s, c, lift in zip(
            singles["antecedents"],
            singles["consequents"],
            singles["support"],
            singles["confidence"],
            singles["lift"],
            strict=True,
        )
    }
    seen = pairs[pairs["n_ab"] > 0]
    if len(got) != 2 * len(seen):
        raise AssertionError(f"mlxtend found {len(got) // 2} pairs, factor_pairs {len(seen)} with n_ab >= 1")
    for r in seen.itertuples():
        support, confidence, lift = got[(r.factor_a, r.factor_b)]
        if int(round(support * n_units)) != r.n_ab or not np.isclose(confidence, r.n_ab / r.n_a, rtol=1e-12):
            raise AssertionError(f"mlxtend counts differ for {r.factor_a}, {r.factor_b}")
        if not np.isclose(lift, r.lift, rtol=1e-9):
            raise AssertionError(f"mlxtend lift differs for {r.factor_a}, {r.factor_b}")


def apriori_fits(onehot) -> bool:
    """apriori's default mode holds a units x pairs x 2 boolean array; skip it beyond 2 GB."""
    k = onehot.shape[1]
    return len(onehot) * k * (k - 1) < 2e9


def compare_pair_job(name: str, rs, repeat: int) -> dict:
    import sce_analysis as sce
    from sce_analysis.stats.networks import pair_table
    from sce_analysis.stats.presence import presence

    t_pairs, pairs = best_of(lambda: sce.factor_pairs(rs, min_count=1), repeat)
    t_network, network = best_of(lambda: sce.factor_network(rs, min_count=1), repeat)
    matrix = presence(rs, unit="episode")
    t_kernel, _ = best_of(lambda: pair_table(matrix, min_count=1), repeat)

    t_onehot, onehot = best_of(lambda: build_onehot(rs), repeat)
    peers = {}
    algorithms = ["apriori(low_memory)", "fpgrowth"] + (["apriori"] if apriori_fits(onehot) else [])
    for algorithm in algorithms:
        seconds, rules = best_of(lambda a=algorithm: mlxtend_pairs(onehot, a), repeat)
        check_mlxtend(rules, pairs)
        peers[f"mlxtend {algorithm}"] = (seconds, t_onehot)
    t_graph, built = best_of(lambda: build_bipartite(rs), 1)
    seconds, projection = best_of(lambda: networkx_pairs(*built), 1)
    check_networkx(projection, pairs)
    peers["networkx weighted_projected_graph"] = (seconds, t_graph)

    n_codes = len(rs.taxonomy)
    print(f"-- {name}: {n_codes} codes, {len(pairs):,} pairs, {int((pairs['n_ab'] > 0).sum()):,} seen together --")
    print(f"{'factor_pairs (from the ReviewSet, all statistics)':<58}{t_pairs:>8.3f} s")
    print(f"{'factor_network (pairs + graph + node attributes)':<58}{t_network:>8.3f} s")
    print(f"{'pair_table on a ready presence matrix':<58}{t_kernel:>8.3f} s")
    # Speed ratios are the peer's time over ours: above 1, the library is faster.
    # A: peer given its input / factor_pairs from the ReviewSet (flatters the peer);
    # B: peer with its input build / factor_pairs (the same starting point for both);
    # C: peer given its input / pair_table given the presence matrix (both start from a ready matrix).
    print(f"{'peer (counts identical: checked)':<40}{'given input':>12}{'+ build':>11}{'A':>8}{'B':>8}{'C':>8}")
    for peer, (seconds, build) in peers.items():
        print(
            f"{peer:<40}{seconds:>10.3f} s{seconds + build:>9.3f} s"
            f"{seconds / t_pairs:>7.1f}x{(seconds + build) / t_pairs:>7.1f}x{seconds / t_kernel:>7.1f}x"
        )
    fastest = min(peers, key=lambda p: peers[p][0])
    fastest_built = min(peers, key=lambda p: sum(peers[p]))
    ratio = peers[fastest][0] / t_pairs
    ratio_built = sum(peers[fastest_built]) / t_pairs
    ratio_kernel = peers[fastest][0] / t_kernel
    print(
        f"fastest peer: {fastest}; speed ratio A {ratio:.1f}x, B {ratio_built:.1f}x, C {ratio_kernel:.1f}x "
        "(target >= 20x)\n"
    )
    return {
        "codes": n_codes,
        "pairs": t_pairs,
        "network": t_network,
        "ratio": ratio,
        "ratio_built": ratio_built,
        "ratio_kernel": ratio_kernel,
    }


# ---------------------------------------------------------------------------------------- main


def run_timing(n_reviews: int, seed: int, repeat: int) -> None:
    import sce_analysis as sce
    from sce_analysis import synthetic

    start = time.perf_counter()
    rs = synthetic.generate(n_reviews, seed=seed, n_areas=150, n_regions=9).review_set
    print(
        f"== timing at {len(rs.reviews):,} reviews: {len(rs.episodes):,} KPEs, {len(rs.factors):,} codings, "
        f"{len(rs.taxonomy)} codes (generated in {time.perf_counter() - start:.1f} s); best of {repeat} ==\n"
    )
    variants = {
        "40 codes": restrict_codes(rs, 40),
        "56 codes (the whole frame)": rs,
        "200 codes (each code split)": split_codes(rs, 200, seed),
    }
    summary = {name: compare_pair_job(name, variant, repeat) for name, variant in variants.items()}
    del variants

    calls = {
        "systemic_themes(resamples=200)": (lambda: sce.systemic_themes(rs, resamples=200), 15.0, 1),
        "factor_sequences": (lambda: sce.factor_sequences(rs), 5.0, repeat),
        "factor_sequences(permutations=100)": (lambda: sce.factor_sequences(rs, permutations=100), None, 1),
        "cross_level_links": (lambda: sce.cross_level_links(rs), None, repeat),
        "node_metrics(factor_network)": (lambda: sce.node_metrics(sce.factor_network(rs)), None, repeat),
        "review_similarity(top=10)": (lambda: sce.review_similarity(rs), None, 1),
        "review_similarity(cosine)": (lambda: sce.review_similarity(rs, metric="cosine"), None, 1),
        "cluster_reviews(ward)": (lambda: sce.cluster_reviews(rs), None, 1),
        "cluster_reviews(average)": (lambda: sce.cluster_reviews(rs, method="average"), None, 1),
    }
    print(f"-- the other functions, 56 codes, {n_reviews:,} reviews --")
    for name, (call, target, times) in calls.items():
        seconds, _ = best_of(call, times)
        note = f"   (target < {target:g} s: {'met' if seconds < target else 'MISSED'})" if target else ""
        print(f"{name:<40}{seconds:>8.3f} s{note}")

    print("\n-- targets --")
    forty = summary["40 codes"]
    for function in ("pairs", "network"):
        seconds = forty[function]
        print(f"factor_{function}, 40 codes, under 1 s: {seconds:.3f} s -> {'met' if seconds < 1 else 'MISSED'}")
    for name, s in summary.items():
        verdict = "met" if s["ratio"] >= 20 else "MISSED"
        print(
            f"{name}: >= 20x the fastest peer? A {s['ratio']:.1f}x, B {s['ratio_built']:.1f}x, "
            f"C {s['ratio_kernel']:.1f}x -> {verdict} (judged on A)"
        )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reviews", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--scale", type=int, help="also check peak memory of every function at this many reviews")
    args = parser.parse_args(argv)
    ok = True
    if args.scale:  # first, while this process is still small
        ok = run_scale(args.scale, args.seed)
    run_timing(args.reviews, args.seed, args.repeat)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
