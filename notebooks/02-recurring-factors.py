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
# # 02 · Recurring factors
#
# **Question:** which contributory factors recur across reviews, in how many areas, regions and years,
# and at which level of the system do they originate? **For:** national teams and researchers.
# **Rerun:** `sce-analysis report --notebooks 02 --data FOLDER`.

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
top: int = 15  # how many factors the charts show
min_share: float = 0.2  # a recurring factor is in at least this share of units
min_area_share: float = 0.5  # ... and in at least this share of the areas

# %%
run = sce.start_run(
    "02-recurring-factors",
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
    top=top,
    min_share=min_share,
    min_area_share=min_area_share,
)
rs = run.review_set


# %%
prevalence = run.table("factor_prevalence", sce.factor_prevalence(rs, unit=unit))
prevalence.head(top)

# %% [markdown]
# Each factor's share of units with a Wilson 95% interval, and its spread over areas, regions and years.

# %%
run.figure("prevalence", sce.plot_prevalence(prevalence, top=top))

# %% [markdown]
# The most common factors; the whiskers show how precisely each share is known.

# %%
run.table("recurring_factors", sce.recurring_factors(rs, min_share=min_share, min_area_share=min_area_share, unit=unit))

# %% [markdown]
# The factors that are both common and spread across most areas: the candidates for systemic findings.

# %%
spread = run.table("prevalence_by_region", sce.factor_prevalence(rs, by="region", unit=unit))

# %% [markdown]
# The same shares within each region.

# %%
run.figure("spread_by_region", sce.plot_spread(spread, by="region", top=top))

# %% [markdown]
# A factor with similar shares in every region is national; one that stands out in one region is local.

# %%
levels = run.table("level_profile", sce.level_profile(rs))
levels

# %% [markdown]
# The share of codings at the front line, in local strategy and nationally: do the reviews look above the sharp end?

# %%
run.figure("level_profile", sce.plot_level_profile(levels))

# %% [markdown]
# Most codings sit at the front line; the national and local-strategic bars show how far the reviews look beyond it.
