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
# # 04 · Sequences from episode to episode
#
# **Question:** does one contributory factor tend to be followed by another in the next key practice
# episode of the same review? **For:** trainers and researchers.
# **Rerun:** `sce-analysis report --notebooks 04 --data FOLDER`.

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
lag: int = 1  # distance in episodes: 1 for the next episode
permutations: int = 0  # 0: exact expectation with Poisson p; more: shuffle episode order this many times
top: int = 10  # how many sequences the chart shows

# %%
run = sce.start_run(
    "04-sequences",
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
    lag=lag,
    permutations=permutations,
    top=top,
)
rs = run.review_set


# %%
sequences = run.table("factor_sequences", sce.factor_sequences(rs, lag=lag, min_count=min_count, permutations=permutations, seed=seed))
sequences.head(top)

# %% [markdown]
# Each a → b: how often b follows a, against what shuffling each review's episode order would give.

# %%
run.figure("sequences", sce.plot_sequences(sequences, top=top, alpha=alpha, labels=rs.taxonomy))

# %% [markdown]
# The significant sequences: how one problem sets up the next.
