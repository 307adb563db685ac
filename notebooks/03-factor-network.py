# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     notebook_metadata_filter: kernelspec,jupytext
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 03 · Factor network and systemic themes
#
# **Question:** which contributory factors occur together more than chance, which themes do they form,
# and how stable are those themes? **For:** researchers and trainers.
# **Rerun:** `sce-analysis report --notebooks 03 --data FOLDER`.

# %%
import sce_analysis as sce

# %% tags=["parameters"]
data_dir: str = "../data/sample"  # the review-set folder
out_dir: str = "../reports/notebooks"  # where tables and figures are written
areas: list = []  # keep only these areas (empty: all)
regions: list = []  # keep only these regions (empty: all)
years: list = []  # [first, last] year of completion, inclusive (empty: all)
review_types: list = []  # keep only these review types (empty: all)
unit: str = "review"  # count factors per "review" or per "episode"
min_count: int = 5  # leave out factors in fewer units than this from pair, network and trend tests
alpha: float = 0.05  # false-discovery rate at which a result is called significant
seed: int = 0  # seed for resampling and layouts: the same seed gives the same tables
publication: bool = False  # publication mode: suppress small counts and leave out free text
suppress_below: int = 5  # in publication mode, counts below this are shown as c
min_areas: int = 3  # in publication mode, a figure needs at least this many areas behind it
interactive: bool = False  # show interactive widgets (in JupyterLab only)
pair_unit: str = "episode"  # factors co-occur on the same "episode" or in the same "review"
min_lift: float = 1.0  # a network link needs at least this lift
resamples: int = 200  # bootstrap resamples of reviews for theme stability

# %%
run = sce.start_run(
    "03-factor-network",
    data_dir=data_dir,
    out_dir=out_dir,
    areas=areas,
    regions=regions,
    years=years,
    review_types=review_types,
    unit=unit,
    min_count=min_count,
    alpha=alpha,
    seed=seed,
    publication=publication,
    suppress_below=suppress_below,
    min_areas=min_areas,
    interactive=interactive,
    pair_unit=pair_unit,
    min_lift=min_lift,
    resamples=resamples,
)
rs = run.review_set


# %%
pairs = run.table("factor_pairs", sce.factor_pairs(rs, unit=pair_unit, min_count=min_count))
pairs.head(10)

# %% [markdown]
# Every pair of factors: how often together, how much more than chance (lift), and the one-sided Fisher test with Benjamini-Hochberg q.

# %%
network = run.network(sce.factor_network(rs, unit=pair_unit, alpha=alpha, min_count=min_count, min_lift=min_lift))
network

# %% [markdown]
# The network keeps the pairs with q below alpha and lift above min_lift (in publication mode, none resting on a small count).

# %%
themes = run.table("themes", sce.systemic_themes(rs, unit=pair_unit, alpha=alpha, min_count=min_count, min_lift=min_lift, seed=seed, resamples=resamples))
themes

# %% [markdown]
# Themes are Louvain communities of the network; stability is how often a factor stays with its theme when reviews are resampled.

# %%
run.table("node_metrics", sce.node_metrics(network, seed=seed))

# %% [markdown]
# Central factors link many others: betweenness marks the bridges between themes.

# %%
run.figure("factor_network", sce.plot_factor_network(network, themes=themes, seed=seed))

# %% [markdown]
# Node size is prevalence, colour the theme, and link width the lift.

# %%
run.figure("cooccurrence", sce.plot_cooccurrence(pairs, themes=themes))

# %% [markdown]
# The same links as a matrix, ordered by theme, with the number of units behind each.

# %%
links = run.table("cross_level_links", sce.cross_level_links(rs, unit=pair_unit, alpha=alpha, min_count=min_count, min_lift=min_lift))

# %% [markdown]
# Significant links between levels, from national and local-strategic conditions to the front line.

# %%
run.figure("level_map", sce.plot_level_map(network))

# %% [markdown]
# An aggregate AcciMap: the system, not the individual.
