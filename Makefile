# Quick start: `make reproduce` runs the main job, `make test` runs the tests.
# Each target creates .venv, installs cablemodels into it and builds the mechanisms.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup mpi reproduce demo test bench clean

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

# Benchmarks (not part of the tests): tables in benchmarks/RESULTS*.md.
bench: setup mpi
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python benchmarks/bench_energy.py
	$(BIN)/python benchmarks/bench_scale.py

clean:
	rm -rf $(VENV) build dist *.egg-info
