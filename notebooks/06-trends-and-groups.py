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
# # 06 · Trends over years, and each group against the rest
#
# **Question:** which factors are becoming more or less common, and where does a region (or another
# group) differ from the rest? **For:** national teams. **Rerun:** `sce-analysis report --notebooks 06 --data FOLDER`.

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
by: str = "region"  # compare each group of this review column with the rest
group: str = ""  # the group to chart (empty: the group with the most differences)
top: int = 6  # how many changing factors the trend chart shows

# %%
run = sce.start_run(
    "06-trends-and-groups",
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
    by=by,
    group=group,
    top=top,
)
rs = run.review_set


# %%
trends = run.table("factor_trends", sce.factor_trends(rs, unit=unit, min_count=min_count, alpha=alpha))
trends.head(10)

# %% [markdown]
# Odds ratio per year from a logistic regression of presence on year, with Benjamini-Hochberg q.

# %%
by_year = run.table("prevalence_by_year", sce.factor_prevalence(rs, by="year", unit=unit))

# %% [markdown]
# The share of units with each factor, year by year.

# %%
run.figure("trends", sce.plot_trends(trends, by_year, top=top))

# %% [markdown]
# The factors that change, with their yearly shares and Wilson bands.

# %%
differences = run.table("group_differences", sce.compare_groups(rs, by=by, unit=unit, alpha=alpha))
differences[differences["q_value"] < alpha]

# %% [markdown]
# Each group against the rest: Fisher exact test, odds ratio with interval, and q over all tests.

# %%
run.figure("group_differences", sce.plot_group_differences(differences, group=group or sce.most_different_group(differences, alpha=alpha)))

# %% [markdown]
# One group against the rest: points right of 1 are more common in the group.
