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
# # 01 · The data in scope and their quality
#
# **Question:** what does this review set cover (areas, regions, years, review types), how richly is it
# coded, and did it pass validation? **For:** everyone, before reading any other result.
# **Rerun:** `sce-analysis report --notebooks 01 --data FOLDER`.

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

# %%
run = sce.start_run(
    "01-overview",
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
)
rs = run.review_set

# %% [markdown]
# The set in scope after the filters; every other notebook works on exactly these reviews.

# %%
run.table("data_summary", run.scope())

# %% [markdown]
# Counts of what is in scope; findings and codings are those of the first coder of each episode.

# %%
run.table("coverage_by_region", sce.coverage(rs, by="region"))

# %% [markdown]
# How the reviews spread over regions: a region with few reviews gives wide intervals later on.

# %%
by_year = run.table("coverage_by_year", sce.coverage(rs, by="year"))
by_year

# %% [markdown]
# Reviews per year of completion; trends over years rest on these numbers.

# %%
run.figure("coverage_by_year", sce.plot_coverage(by_year, by="year"))

# %% [markdown]
# A year with few reviews gives a wide interval in every trend chart.

# %%
run.table("coverage_by_area", sce.coverage(rs, by="area"))

# %% [markdown]
# Reviews per area (local safeguarding partnership): the spread that makes a factor systemic.

# %%
run.table("coverage_by_review_type", sce.coverage(rs, by="review_type"))

# %% [markdown]
# The kinds of review in scope.

# %%
per_review = run.table("per_review_counts", sce.per_review_counts(rs))
per_review.describe()

# %% [markdown]
# Key practice episodes and coded factors per review: very sparse coding in some reviews would
# under-count their factors.

# %%
run.table("coder_agreement", sce.agreement_overview(rs))

# %% [markdown]
# Agreement between coders on the double-coded episodes: first over all codes pooled, then per SCIE
# category. Kappa and alpha correct for chance (1 is perfect, 0 is chance); a set without double
# coding shows one row saying so.

# %%
run.table("validation_problems", sce.problems_frame(sce.validate(data_dir)))

# %% [markdown]
# Every problem validation found in the folder (an empty table means the set is clean).
