# sce_analysis: `make` or `make help` lists the targets. `make report` and `make test` set
# everything up themselves on a fresh machine (a .venv beside this file).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DATA ?= data/sample

.DEFAULT_GOAL := help
.PHONY: help install report validate test lint format sample bench fuzz clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): requirements.txt pyproject.toml jupyter/overrides.json
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	# JupyterLab's defaults for this venv: start the notebook's kernel without a "Select Kernel" dialog; no news toast
	mkdir -p $(VENV)/share/jupyter/lab/settings
	cp jupyter/overrides.json $(VENV)/share/jupyter/lab/settings/overrides.json
	touch $(STAMP)

install: $(STAMP) ## create .venv and install the pinned requirements and the package

report: $(STAMP) ## run every notebook on data/sample into reports/sample (open its index.html)
	$(BIN)/sce-analysis report --data data/sample --out reports/sample --overwrite

validate: $(STAMP) ## check a review set: make validate DATA=path/to/folder
	$(BIN)/sce-analysis validate $(DATA)

test: $(STAMP) ## run the linter, the layer contracts and the whole test suite (doctests included)
	$(BIN)/ruff check sce_analysis tests benchmarks
	$(BIN)/ruff format --check sce_analysis tests benchmarks
	$(BIN)/lint-imports
	$(BIN)/python -m pytest

lint: $(STAMP) ## run the linter only
	$(BIN)/ruff check sce_analysis tests benchmarks

format: $(STAMP) ## format the code in place
	$(BIN)/ruff format sce_analysis tests benchmarks
	$(BIN)/ruff check --fix sce_analysis tests benchmarks

sample: $(STAMP) ## regenerate data/sample from the seeded generator
	$(BIN)/python -m sce_analysis.synthetic data/sample

bench: $(STAMP) ## time the library at national scale (10,000 reviews) and its start-up
	$(BIN)/python benchmarks/bench_import.py
	$(BIN)/python benchmarks/bench_load.py
	$(BIN)/python benchmarks/bench_patterns.py
	$(BIN)/python benchmarks/bench_networks.py
	$(BIN)/python benchmarks/bench_briefing.py
	$(BIN)/python benchmarks/bench_explorer.py
	$(BIN)/python benchmarks/bench_workflows.py
	$(BIN)/python benchmarks/bench_report.py

fuzz: $(STAMP) ## feed the review-set reader 10,000 mutated sets and count the crashes
	$(BIN)/python benchmarks/fuzz_reader.py --cases 10000

clean: ## remove the venv, caches and generated reports
	rm -rf $(VENV) reports .pytest_cache .ruff_cache .hypothesis
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
