"""The benchmark scripts run on tiny cases, so they cannot rot (issue 20).

Each script's ``--quick`` mode runs the code paths of its full run on a small case
and writes no results file; the test only checks that it finishes and prints its
table. Arbor's script runs only where ``arbor`` (the ``bench`` extra) and cmake are
installed, and checks that Arbor's point lies within 5% of cablemodels'.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "benchmarks"


def run(script, *args):
    proc = subprocess.run([sys.executable, str(BENCH / script), *args], capture_output=True,
                          text=True, cwd=BENCH, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout


def test_membrane_benchmark_runs():
    out = run("bench_membranes.py", "--quick")
    assert "Wang-Buzsaki axon" in out and "atp" in out


def test_tolerance_benchmark_runs():
    out = run("bench_tolerance.py", "--quick")
    assert "| 0.0001 |" in out and "Not measured" not in out


def test_e1_benchmark_runs():
    out = run("bench_e1.py", "--quick")
    assert "expert plain NEURON" in out and "paired: CPU" in out


def test_myelin_map_benchmark_runs():
    out = run("bench_myelin_map.py", "--quick")
    assert "quick: 8 points (8 ok)" in out


@pytest.mark.skipif(importlib.util.find_spec("arbor") is None or shutil.which("cmake") is None,
                    reason="Arbor (pip install '.[bench]') and cmake are benchmark-only")
def test_arbor_benchmark_runs():
    out = run("bench_arbor.py")
    assert "'arbor'" in out
