"""Shared fixtures: mechanisms are loaded once; no test may leak NEURON sections."""

from __future__ import annotations

import gc
import os
import sys
from pathlib import Path

import pytest

os.environ.setdefault("NEURON_MODULE_OPTIONS", "-nogui")

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def h():
    """NEURON's ``h`` with cablemodels' mechanisms and the standard run system loaded."""
    from cablemodels import mechanisms

    mechanisms.load()
    from neuron import h as hoc

    hoc.load_file("stdrun.hoc")
    return hoc


@pytest.fixture(autouse=True)
def no_leaked_sections():
    """Delete every section after each test and fail the test if any was left behind.

    Also returns NEURON's run globals to their defaults (fixed step, implicit Euler,
    dt 25 us, 6.3 degC), so no test inherits another's integrator: a Crank-Nicolson
    setting left by one test made a voltage-clamp test ring in another.
    """
    yield
    if "neuron" not in sys.modules:
        return
    from neuron import h as hoc

    hoc.CVode().active(0)
    hoc.CVode().use_local_dt(0)
    hoc.secondorder = 0
    hoc.dt = 0.025
    hoc.steps_per_ms = 40.0
    hoc.celsius = 6.3
    gc.collect()
    leaked = [sec.name() for sec in hoc.allsec()]
    for sec in list(hoc.allsec()):
        hoc.delete_section(sec=sec)
    assert not leaked, f"test leaked NEURON sections: {leaked[:10]}"
