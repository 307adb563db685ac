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
# # 05 · Findings by SCIE category
#
# **Question:** how often is each of the six SCIE finding categories drawn across reviews, which
# contributory factors lie behind them, and what do reviews ask their boards?
# **For:** national teams, boards and trainers. **Rerun:** `sce-analysis report --notebooks 05 --data FOLDER`.

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
top: int = 5  # factors listed per category

# %%
run = sce.start_run(
    "05-findings",
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
)
rs = run.review_set


# %%
categories = run.table("finding_categories", sce.finding_categories(rs))
categories

# %% [markdown]
# The share of reviews with at least one finding in each category, with Wilson 95% intervals.

# %%
run.figure("finding_categories", sce.plot_finding_categories(categories))

# %% [markdown]
# Categories in their fixed colours, as in every chart of the workbench.

# %%
behind = run.table("category_factors", sce.category_factors(rs))
behind.groupby("category", observed=True).head(top)

# %% [markdown]
# The factors coded on the episodes each category's findings cite: what typically lies behind them.

# %%
run.table("finding_categories_by_region", sce.finding_categories(rs, by="region"))

# %% [markdown]
# The same counts within each region.

# %%
run.table("issues_for_the_board", sce.board_questions(rs, publication=publication))

# %% [markdown]
# The questions reviews put to their boards, by category (left out in publication mode: it is free text).
