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
# # 10 · Explorer
#
# **Question:** which factors recur in the reviews of one region or period, how do they connect, and which
# key practice episodes lie behind a factor? Narrow the scope with the filters, set the network thresholds,
# and pick a factor to read its KPEs. **For:** researchers, and trainers in front of an audience.
# **Rerun:** open this notebook in JupyterLab and run all cells, or `sce-analysis dashboard --data FOLDER`
# for the same explorer with no code on screen.

# %%
import sce_analysis as sce

# %% tags=["parameters"]
data_dir: str = "../data/sample"  # the review-set folder
publication: bool = False  # publication mode: suppress small counts and leave out free text
suppress_below: int = 5  # in publication mode, counts below this are shown as c
min_areas: int = 3  # in publication mode, a figure needs at least this many areas behind it

# %%
rs = sce.load(data_dir)

# %%
sce.explore(rs, publication=publication, suppress_below=suppress_below, min_areas=min_areas)

# %% [markdown]
# The status line above the tabs, and the table under the filters, always say what is in scope. Each tab can
# download its whole table (CSV) and its chart (PNG); the network tab lists the KPEs behind a link. An empty selection keeps every region, area or
# review type; the network and themes tabs count pairs of factors coded on the same key practice episode.
