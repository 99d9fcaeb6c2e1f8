# Prognoza: `make run` serves the panel with demo data, `make test` runs every test.
# Stamp files make repeated runs fast: each step reruns only when what it depends on changed.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PROGNOZA := $(BIN)/prognoza
HOST ?= 127.0.0.1
PORT ?= 5000
DEMO_CLIENTS ?= 2000
DEMO_MONTHS ?= 6
DEMO_SEED ?= 7
SCALE_CLIENTS ?= 1000000
SCALE_MONTHS ?= 3
PYTEST_WORKERS ?= auto
PYTEST_ARGS ?=

INSTALLED := $(VENV)/.installed
NODE_MODULES := node_modules/.installed
VENDOR := src/entrypoints/static/vendor/.installed
CATALOGUES := $(wildcard src/entrypoints/translations/*/LC_MESSAGES/*.po)
COMPILED_CATALOGUES := $(CATALOGUES:.po=.mo)

.DEFAULT_GOAL := help
.PHONY: help run setup database demo test lint bench scale clean catalogues

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-9s %s\n", $$1, $$2}'

run: setup demo ## Serve the panel with demo data on http://127.0.0.1:5000 (HOST=, PORT= to change)
	@echo "Serving Prognoza on http://$(HOST):$(PORT) (Ctrl+C stops it)"
	@$(PROGNOZA) demo welcome --url http://$(HOST):$(PORT) &
	$(PROGNOZA) run --host $(HOST) --port $(PORT)

setup: $(INSTALLED) $(VENDOR) $(COMPILED_CATALOGUES) ## Install Python and front-end dependencies, compile translations

database: $(INSTALLED) ## Create the database or bring its schema up to date
	$(PROGNOZA) db upgrade

demo: $(INSTALLED) ## Bring the database up to date, seed the demo company, train both models and score it; make sure a demo admin exists
	$(PROGNOZA) demo ready --clients $(DEMO_CLIENTS) --months $(DEMO_MONTHS) --seed $(DEMO_SEED)

test: setup ## Run every test (PostgreSQL ones too when PROGNOZA_TEST_DATABASE_URL is set)
	$(BIN)/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

lint: $(INSTALLED) ## ruff, the import rules between layers, mypy
	$(BIN)/ruff check src tests bench
	$(BIN)/lint-imports
	$(BIN)/mypy

bench: $(INSTALLED) ## Benchmarks on fresh SQLite files: seed, score, imports, build snapshots, read training columns, compare candidates
	$(BIN)/python bench/seed_sqlite.py
	$(BIN)/python bench/score_sqlite.py
	$(BIN)/python bench/import_sqlite.py
	$(BIN)/python bench/import_orders_sqlite.py
	$(BIN)/python bench/snapshots_sqlite.py
	$(BIN)/python bench/training_columns_sqlite.py
	$(BIN)/python bench/train_candidates_sqlite.py

scale: $(INSTALLED) ## Prognoza beside raw scripts, step by step, at SCALE_CLIENTS=1000000 x SCALE_MONTHS=3 (long; not in bench)
	$(BIN)/python bench/scale.py --clients $(SCALE_CLIENTS) --months $(SCALE_MONTHS)

catalogues: $(INSTALLED) ## Extract the panel's messages into the catalogues (then translate the new ones in pl)
	$(BIN)/pybabel extract --mapping-file babel.cfg --keywords _l --keywords lazy_gettext --no-location \
		--sort-output --project Prognoza --copyright-holder Prognoza --output-file src/entrypoints/translations/messages.pot .
	$(BIN)/pybabel update --input-file src/entrypoints/translations/messages.pot --output-dir src/entrypoints/translations \
		--no-fuzzy-matching --ignore-obsolete

clean: ## Remove caches and stamps (keeps the database in instance/ and the virtualenv's packages)
	rm -rf .pytest_cache .mypy_cache .ruff_cache .import_linter_cache test-artifacts
	rm -f $(INSTALLED) $(NODE_MODULES) $(VENDOR)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(INSTALLED): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

$(NODE_MODULES): package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

$(VENDOR): $(NODE_MODULES) scripts/vendor-assets.mjs
	npm run vendor
	touch $@

%.mo: %.po | $(INSTALLED)
	$(BIN)/pybabel compile --input-file $< --output-file $@
