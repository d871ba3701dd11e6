# Two commands set everything up: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: install run test lint w3c-suite axe-core docs bench bench-ci bench-10m clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(VENV)/bin/claimgraph validate --allow-warnings
	$(VENV)/bin/claimgraph contradictions
	$(VENV)/bin/claimgraph report -o build/report
	@echo "Report: build/report/index.html"

test: install lint w3c-suite axe-core
	$(PY) -m pytest

# The W3C SHACL test suite for tests/test_w3c_shacl.py, from the installed pySHACL version's sdist
# (pip download; only test/resources/sht_tests/ is kept), cached in tests/.w3c-shacl/ (git-ignored).
w3c-suite: install
	$(PY) tests/helpers/fetch_w3c_shacl.py

# axe-core for the report's accessibility test (tests/test_report.py), from npm (npm pack; only
# axe.min.js is kept), cached in tests/.axe-core/ (git-ignored).
axe-core: install
	$(PY) tests/helpers/fetch_axe_core.py

lint: install
	$(VENV)/bin/ruff check src tests
	$(VENV)/bin/mypy

# docs/cli.md from every command's --help (tests/test_docs.py checks it is in step).
docs: install
	$(VENV)/bin/cog -r docs/cli.md

# Sizes × operations × (ours, baseline, ratio, peak RSS) into bench/results.md and bench/results.json;
# the store rows start their own Oxigraph server and Virtuoso on loopback (bench/remote.py).
bench: install
	$(PY) -m bench --sizes 10k,100k,1M --stores oxigraph,virtuoso

# 10M triples (about 260k claims; hours on 2 cores, not in CI), into bench/10m/. pySHACL, validation's
# baseline, takes 50 s at 10k, so it is given a minute to show that it does not finish.
bench-10m: install
	$(PY) -m bench --sizes 10M --stores oxigraph,virtuoso --repeat 1 --pyshacl-timeout 60 --out bench/10m

# The 10k run CI does into bench/ci/ (not committed): fails only if a result differs from its reference.
bench-ci: install
	$(PY) -m bench --sizes 10k --out bench/ci

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache tests/.w3c-shacl tests/.axe-core
