# Quick start: `make reproduce` runs the main job, `make test` runs the tests.
# Each target creates .venv, installs cablemodels into it and builds the mechanisms.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup mpi reproduce demo test test-matrix docs notebooks bench clean

$(STAMP): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)
	$(BIN)/cablemodels build

reproduce: setup
	$(BIN)/cablemodels reproduce --out report --jobs 2

demo: setup
	$(BIN)/cablemodels demo

# MPI for the 2-rank sweep test; the script skips (with a warning) where it cannot install.
mpi:
	./scripts/install_mpi.sh

test: setup mpi
	$(BIN)/python -m pytest -ra

# The whole suite again on the lowest and highest supported Python (setup.cfg), each in
# its own venv (.venv-pyX.Y); a version not installed (no pythonX.Y on PATH, none under
# `pyenv root`) is skipped with a message. Override: make test-matrix MATRIX_PYTHONS="3.12".
MATRIX_PYTHONS ?= 3.10 3.13
test-matrix: mpi
	./scripts/test_matrix.sh $(MATRIX_PYTHONS)

# The documentation site, built with warnings as errors; building it executes every
# notebook in docs/notebooks (a failing cell fails the build). Output in site/.
DOCS_STAMP := $(VENV)/.docs-installed
$(DOCS_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,docs,neuroml]'
	touch $(DOCS_STAMP)

docs: setup $(DOCS_STAMP)
	$(BIN)/mkdocs build --strict

# The notebooks alone, as tests (nbmake), without building the site.
notebooks: setup $(DOCS_STAMP)
	$(BIN)/python -m pytest -ra --nbmake docs/notebooks

# Benchmarks (not part of the tests): tables in benchmarks/RESULTS*.md.
bench: setup mpi
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python benchmarks/bench_energy.py
	$(BIN)/python benchmarks/bench_scale.py
	$(BIN)/python benchmarks/bench_membranes.py
	$(BIN)/python benchmarks/bench_tolerance.py
	$(BIN)/python benchmarks/bench_e1.py
	$(BIN)/python benchmarks/bench_myelin_map.py

clean:
	rm -rf $(VENV) .venv-py* build dist site *.egg-info
